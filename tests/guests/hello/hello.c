/* SPDX-License-Identifier: Apache-2.0 */
/* The hello test guest: prints on the console port, exits through the exit port (guest-abi.h). */
#include <stdint.h>

#include "core/guest-abi.h"
#include "hello.h"

uint32_t hello_main(uint64_t boot_arg);

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static void console_write(const char *s)
{
	while (*s)
		outb(COCO_GUEST_CONSOLE_PORT, (uint8_t)*s++);
}

uint32_t hello_main(uint64_t boot_arg)
{
	if (boot_arg == HELLO_MODE_SPIN) {
		console_write("spinning\n");
		for (;;)
			__asm__ volatile("" : : : "memory");
	}
	if (boot_arg == HELLO_MODE_HLT)
		__asm__ volatile("hlt");
	if (boot_arg == HELLO_MODE_BAD_PORT) {
		uint8_t value;

		__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"((uint16_t)HELLO_UNSERVED_PORT));
		return value;
	}
	if (boot_arg == HELLO_MODE_EXCEPTION)
		__asm__ volatile("ud2");
	console_write("hello from the guest\n");
	if (boot_arg & HELLO_MODE_EXIT_FLAG)
		return (uint32_t)(boot_arg & 0xffu);
	return 0;
}

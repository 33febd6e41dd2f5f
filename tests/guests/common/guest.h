/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The runtime every coco-vmm test guest shares (tests/guests/README.md):
 * port I/O, the console, the boot parameters page, the exit and evidence
 * ports of core/guest-abi.h, locks and atomics for APs, and the few string
 * functions the compiler calls.  Freestanding: no libc, no SSE.
 *
 * A guest provides:
 *   uint32_t guest_main(uint32_t vcpu_index);   BSP; returns its exit status
 *   void guest_ap_main(uint32_t vcpu_index);    every other vCPU
 */
#ifndef COCO_TEST_GUEST_H
#define COCO_TEST_GUEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/guest-abi.h"
#include "guest-layout.h"

/* Exit status of guest_panic: nonzero, and distinct from a mode's own failure codes. */
#define GUEST_PANIC_STATUS 0x70u

uint32_t guest_main(uint32_t vcpu_index);
void guest_ap_main(uint32_t vcpu_index);

/* entry32.S: where the image ends (RAM past it is the guest's to accept) and its tables. */
extern char __image_start[], __image_end[];
extern uint64_t guest_pml4[512];
extern const char guest_gdt_desc[];
/* Top of vCPU @index's stack (SNP AP creation puts it in the new VMSA's RSP). */
uint64_t guest_stack_top(uint32_t index);

static inline void outb(uint16_t port, uint8_t value)
{
	__asm__ volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t value;

	__asm__ volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
	return value;
}

static inline void outl(uint16_t port, uint32_t value)
{
	__asm__ volatile("outl %0, %1" : : "a"(value), "Nd"(port));
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" : : : "memory");
}

/* Console (port 0x3f8).  guest_printf knows %s %c %d %u %x %llu %llx and %%. */
void console_write(const char *s);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_vprintf(const char *fmt, va_list ap);
void guest_hex_dump(const void *data, size_t len);

/* The compiler may emit calls to these. */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* The boot parameters page, checked once (magic, version, vCPU count); panics if bad. */
const struct coco_guest_params *guest_params(void);

/* End the run with @status (exit port); never returns. */
__attribute__((noreturn)) void guest_exit(uint32_t status);
/* Print "PANIC: msg" and exit with GUEST_PANIC_STATUS. */
__attribute__((noreturn)) void guest_panic(const char *msg);
#define GUEST_CHECK(cond)                                                               \
	do {                                                                            \
		if (!(cond))                                                            \
			guest_panic(__FILE__ ": check failed: " #cond);                 \
	} while (0)

/*
 * Hand evidence to the VMM: write a struct coco_guest_evidence_post at @gpa
 * (SHARED memory, 4 KiB aligned, below 4 GiB; the vendor guest converts it
 * first) with @len bytes of @data, OUT its GPA to port 0xf6 and return the
 * status the VMM wrote back (0 accepted, a negative errno refused).  A VMM
 * that did not answer leaves GUEST_EVIDENCE_NO_ANSWER.
 */
#define GUEST_EVIDENCE_NO_ANSWER 1
int guest_post_evidence(uint64_t gpa, uint32_t format, const void *data, uint32_t len);

/* Locks and atomics for the APs. */
typedef struct {
	volatile uint32_t locked;
} guest_lock_t;

static inline void guest_lock(guest_lock_t *lock)
{
	while (__atomic_exchange_n(&lock->locked, 1u, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&lock->locked, __ATOMIC_RELAXED))
			cpu_relax();
}

static inline void guest_unlock(guest_lock_t *lock)
{
	__atomic_store_n(&lock->locked, 0u, __ATOMIC_RELEASE);
}

static inline uint32_t guest_atomic_load(const volatile uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static inline void guest_atomic_store(volatile uint32_t *p, uint32_t value)
{
	__atomic_store_n(p, value, __ATOMIC_RELEASE);
}

static inline uint32_t guest_atomic_add(volatile uint32_t *p, uint32_t value)
{
	return __atomic_add_fetch(p, value, __ATOMIC_ACQ_REL);
}

#endif

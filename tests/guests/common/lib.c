/* SPDX-License-Identifier: Apache-2.0 */
/* The common test guest runtime (guest.h). */
#include "guest.h"

extern char guest_stacks[];

/* One console line at a time: APs and the BSP print concurrently. */
static guest_lock_t console_lock;

uint64_t guest_stack_top(uint32_t index)
{
	return (uint64_t)(uintptr_t)guest_stacks + ((uint64_t)(index + 1) << GUEST_STACK_SHIFT);
}

/* String functions as single instructions, so the compiler cannot turn them into calls to themselves. */
void *memset(void *dst, int c, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return dst;
}

void *memcpy(void *dst, const void *src, size_t n)
{
	void *d = dst;

	__asm__ volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uintptr_t d = (uintptr_t)dst, s = (uintptr_t)src;

	if (d <= s || d >= s + n)
		return memcpy(dst, src, n);
	/* Overlap with the destination above: copy backwards (DF set for the copy only). */
	d += n - 1;
	s += n - 1;
	__asm__ volatile("std\n\trep movsb\n\tcld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const volatile uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static void console_putc(char c)
{
	outb(COCO_GUEST_CONSOLE_PORT, (uint8_t)c);
}

static void console_puts(const char *s)
{
	while (*s)
		console_putc(*s++);
}

void console_write(const char *s)
{
	guest_lock(&console_lock);
	console_puts(s);
	guest_unlock(&console_lock);
}

static void put_unsigned(unsigned long long value, unsigned base)
{
	char digits[24];
	int n = 0;

	do {
		digits[n++] = "0123456789abcdef"[value % base];
		value /= base;
	} while (value);
	while (n)
		console_putc(digits[--n]);
}

static void vprintf_locked(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			console_putc(*fmt);
			continue;
		}
		fmt++;
		int is_long_long = 0;

		if (fmt[0] == 'l' && fmt[1] == 'l') {
			is_long_long = 1;
			fmt += 2;
		}
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);

			console_puts(s ? s : "(null)");
			break;
		}
		case 'c':
			console_putc((char)va_arg(ap, int));
			break;
		case 'd': {
			long long v = is_long_long ? va_arg(ap, long long) : va_arg(ap, int);

			if (v < 0) {
				console_putc('-');
				put_unsigned(0ull - (unsigned long long)v, 10);
			} else {
				put_unsigned((unsigned long long)v, 10);
			}
			break;
		}
		case 'u':
		case 'x':
			put_unsigned(is_long_long ? va_arg(ap, unsigned long long) : va_arg(ap, unsigned),
				     *fmt == 'u' ? 10 : 16);
			break;
		case '%':
			console_putc('%');
			break;
		case '\0':
			return;
		default:
			/* Not a conversion this runtime knows: print it as written. */
			console_putc('%');
			console_putc(*fmt);
			break;
		}
	}
}

void guest_vprintf(const char *fmt, va_list ap)
{
	guest_lock(&console_lock);
	vprintf_locked(fmt, ap);
	guest_unlock(&console_lock);
}

void guest_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	guest_vprintf(fmt, ap);
	va_end(ap);
}

void guest_hex_dump(const void *data, size_t len)
{
	const uint8_t *p = data;

	guest_lock(&console_lock);
	for (size_t line = 0; line < len; line += 16) {
		put_unsigned(line >> 12 & 0xf, 16);	/* offsets as 4 hex digits */
		put_unsigned(line >> 8 & 0xf, 16);
		put_unsigned(line >> 4 & 0xf, 16);
		console_puts("0:");
		for (size_t i = line; i < line + 16 && i < len; i++) {
			console_putc(' ');
			console_putc("0123456789abcdef"[p[i] >> 4]);
			console_putc("0123456789abcdef"[p[i] & 0xf]);
		}
		console_putc('\n');
	}
	guest_unlock(&console_lock);
}

void guest_exit(uint32_t status)
{
	outl(COCO_GUEST_EXIT_PORT, status);
	/* The VMM stops at the exit port; should it resume us, spin (never HLT). */
	for (;;)
		cpu_relax();
}

void guest_panic(const char *msg)
{
	/* No lock: a panic must get out even if this vCPU held the console. */
	console_puts("PANIC: ");
	console_puts(msg);
	console_putc('\n');
	guest_exit(GUEST_PANIC_STATUS);
}

const struct coco_guest_params *guest_params(void)
{
	const struct coco_guest_params *params =
		(const struct coco_guest_params *)(uintptr_t)COCO_GUEST_PARAMS_GPA;

	if (params->magic != COCO_GUEST_PARAMS_MAGIC)
		guest_panic("boot parameters page: bad magic");
	if (params->version != COCO_GUEST_PARAMS_VERSION)
		guest_panic("boot parameters page: unknown version");
	if (params->vcpus == 0 || params->vcpus > GUEST_MAX_VCPUS)
		guest_panic("boot parameters page: vCPU count beyond the runtime's stacks");
	return params;
}

int guest_post_evidence(uint64_t gpa, uint32_t format, const void *data, uint32_t len)
{
	volatile struct coco_guest_evidence_post *post =
		(volatile struct coco_guest_evidence_post *)(uintptr_t)gpa;

	if (gpa & 0xfff || gpa >= 0x100000000ull || len > COCO_GUEST_EVIDENCE_MAX)
		guest_panic("guest_post_evidence: GPA not 4 KiB aligned below 4 GiB, or too long");
	post->magic = COCO_GUEST_EVIDENCE_MAGIC;
	post->format = format;
	post->length = len;
	post->status = GUEST_EVIDENCE_NO_ANSWER;
	memcpy((void *)(uintptr_t)(gpa + sizeof(struct coco_guest_evidence_post)), data, len);
	__asm__ volatile("" : : : "memory");
	outl(COCO_GUEST_EVIDENCE_PORT, (uint32_t)gpa);
	return post->status;
}

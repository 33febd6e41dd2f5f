/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP reset stub.  The BSP starts at the x86 reset state: real mode,
 * CS.base 0xffff0000, IP 0xfff0 (core/guest-abi.h; the VMSA the launch
 * measures).  Real mode reaches only CS.base + 64 KiB, so the GDT and its
 * descriptor live in this page: load them, set CR0.PE and far-jump to
 * entry32 with the flat 32-bit code selector (entry32.S then loads its own
 * GDT).  SNP APs never come here: AP creation starts them in 64-bit mode at
 * ap_entry64.
 */
#define RESET_PAGE 0xfffff000
#define RESET_CS_BASE 0xffff0000
#define CODE32_SEL 0x08
#define DATA_SEL 0x10

	/* .reset.code starts the reset page (guest.ld), the vector ends it. */
	.section .reset.code, "ax"
	.balign 8
reset_page_start:
reset_gdt:
	.quad	0				/* null */
	.quad	0x00cf9b000000ffff		/* 0x08: code, 32-bit, flat, accessed */
	.quad	0x00cf93000000ffff		/* 0x10: data, flat, accessed */
reset_gdt_end:
	.balign 8
reset_gdt_desc:
	.word	reset_gdt_end - reset_gdt - 1
	.long	RESET_PAGE + (reset_gdt - reset_page_start)

	.code16
reset_real_mode:
	/* The GDT descriptor's offset from CS.base (reset_page_start is at RESET_PAGE). */
	lgdtl	%cs:(RESET_PAGE - RESET_CS_BASE + (reset_gdt_desc - reset_page_start))
	movl	%cr0, %eax
	orl	$1, %eax			/* CR0.PE */
	movl	%eax, %cr0
	ljmpl	$CODE32_SEL, $reset_protected

	.code32
reset_protected:
	movw	$DATA_SEL, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	xorl	%esi, %esi			/* the BSP: VCPU index 0, as TDX hands it in ESI */
	movl	$entry32, %eax
	jmp	*%eax

	/* 16 bytes at 0xfffffff0: too few for the switch, so jump back into the page. */
	.code16
	.section .reset.vector, "ax"
	.globl reset_vector
reset_vector:
	jmp	reset_real_mode

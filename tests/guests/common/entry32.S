/* SPDX-License-Identifier: Apache-2.0 */
/*
 * From the reset stub's 32-bit protected mode to guest_main in long mode.
 *
 * In: 32-bit protected mode, paging off, flat CS, ESI = the vCPU's index
 * (TDX: every vCPU, from the TDX module; SNP: the BSP only, from reset16.S).
 * The BSP (index 0) builds identity page tables for 0..4 GiB with 2 MiB pages
 * in the bss (never with an SNP C-bit or a TDX shared bit: the platform
 * models encrypt nothing), then publishes them through guest_page_tables_ready.
 * The other vCPUs (TDX APs) wait for that flag.  Every vCPU then enables PAE,
 * EFER.LME and paging, far-jumps to 64-bit code, takes its own stack and
 * calls guest_main(0) (the BSP; its return value is the exit status) or
 * guest_ap_main(index).
 *
 * ap_entry64 is for SNP APs that AP creation starts in 64-bit mode directly:
 * the creator sets CR3 = guest_pml4, EFER/CR0/CR4 for long mode, the GDT
 * (guest_gdt_desc) with CS = GUEST_CODE64_SEL, RSP = guest_stack_top(index)
 * and RSI = index.
 */
#include "guest-layout.h"

#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define PTE_PRESENT_RW 0x3
#define PDE_2M_PRESENT_RW 0x83		/* present, writable, PS (2 MiB page) */

	.code32
	.section .text.entry32, "ax"
	.globl entry32
entry32:
	lgdt	guest_gdt_desc
	ljmp	$GUEST_CODE32_SEL, $1f
1:	movw	$GUEST_DATA_SEL, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %fs
	movw	%ax, %gs
	movw	%ax, %ss
	testl	%esi, %esi
	jnz	wait_for_tables

	/* BSP: PML4[0] -> PDPT; PDPT[0..3] -> the four PDs; PD entries map 2 MiB each. */
	movl	$guest_pdpt + PTE_PRESENT_RW, guest_pml4
	movl	$0, guest_pml4 + 4
	xorl	%ecx, %ecx
2:	movl	%ecx, %eax
	shll	$12, %eax
	addl	$guest_pd + PTE_PRESENT_RW, %eax
	movl	%eax, guest_pdpt(, %ecx, 8)
	movl	$0, guest_pdpt + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$4, %ecx
	jb	2b
	xorl	%ecx, %ecx			/* PD entry n maps n * 2 MiB, n < 2048 */
3:	movl	%ecx, %eax
	shll	$21, %eax
	orl	$PDE_2M_PRESENT_RW, %eax
	movl	%eax, guest_pd(, %ecx, 8)
	movl	$0, guest_pd + 4(, %ecx, 8)
	incl	%ecx
	cmpl	$2048, %ecx
	jb	3b
	/* x86 keeps stores in order: the tables are complete before the flag is seen. */
	movl	$1, guest_page_tables_ready
	jmp	enable_long_mode

wait_for_tables:
	pause
	cmpl	$1, guest_page_tables_ready
	jne	wait_for_tables

enable_long_mode:
	movl	$guest_pml4, %eax
	movl	%eax, %cr3
	movl	%cr4, %eax
	orl	$CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	ljmp	$GUEST_CODE64_SEL, $entry64

	.code64
entry64:
	movl	%esi, %edi			/* the index, zero-extended: main's argument */
	cmpl	$GUEST_MAX_VCPUS, %edi
	jae	park				/* no stack for it: guest_main reports the count */
	movl	%edi, %eax
	incl	%eax
	shll	$GUEST_STACK_SHIFT, %eax
	leaq	guest_stacks(%rax), %rsp	/* top of this vCPU's stack, 16-byte aligned */
	xorl	%ebp, %ebp
	testl	%edi, %edi
	jnz	ap_main
	call	guest_main
	movl	%eax, %edi
	call	guest_exit			/* does not return */
	jmp	park

	.globl ap_entry64
ap_entry64:
	movl	%esi, %edi
	andq	$-16, %rsp
	xorl	%ebp, %ebp
ap_main:
	call	guest_ap_main
park:
	/* Never HLT (core/guest-abi.h): an idle vCPU spins. */
	pause
	jmp	park

	.section .rodata
	.balign 8
	.globl guest_gdt, guest_gdt_desc
guest_gdt:
	.quad	0				/* null */
	.quad	0x00cf9b000000ffff		/* GUEST_CODE32_SEL: 32-bit, flat, accessed */
	.quad	0x00cf93000000ffff		/* GUEST_DATA_SEL: flat, accessed */
	.quad	0x00af9b000000ffff		/* GUEST_CODE64_SEL: L=1, accessed */
guest_gdt_end:
	.balign 8
	.word	0				/* padding: the descriptor's base is 4-aligned */
guest_gdt_desc:
	.word	guest_gdt_end - guest_gdt - 1
	.quad	guest_gdt

	.section .bss
	.balign 4096
	.globl guest_pml4, guest_pdpt, guest_pd, guest_stacks, guest_page_tables_ready
guest_pml4:
	.skip	4096
guest_pdpt:
	.skip	4096
guest_pd:
	.skip	4 * 4096
guest_stacks:
	.skip	GUEST_MAX_VCPUS << GUEST_STACK_SHIFT
	.balign 4
guest_page_tables_ready:
	.long	0

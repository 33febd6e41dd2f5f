/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX reset stub.  Every TD vCPU starts here, at 0xfffffff0, in 32-bit
 * protected mode with paging off, flat segments, and its VCPU index in ESI
 * (tdx.md §4.1: the TD's initial vCPU state; the TDX module puts the index
 * there so that firmware can tell the BSP from the APs).  entry32 does the
 * rest.  A rel32 JMP cannot reach 1 MiB from here in the linker's signed
 * range, so the stub jumps through a register (EAX is free at reset).
 */
	.code32
	.section .reset.vector, "ax"
	.globl reset_vector
reset_vector:
	movl	$entry32, %eax
	jmp	*%eax

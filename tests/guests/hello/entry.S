/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Entry of the hello test guest: the runner starts it in 64-bit long mode at
 * the first byte of the image with RSP at the top of guest memory and the
 * boot argument in RDI.  hello_main's return value goes to the exit port.
 */
#include "core/guest-abi.h"

	.section .text.entry, "ax"
	.globl _start
_start:
	call	hello_main
	mov	$COCO_GUEST_EXIT_PORT, %dx
	outl	%eax, %dx
	/* The runner stops at the exit port; should it resume us, spin (never HLT). */
1:	jmp	1b

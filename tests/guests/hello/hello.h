/* SPDX-License-Identifier: Apache-2.0 */
/* Boot arguments (RDI, core/guest-abi.h) of the hello test guest; shared with its tests. */
#ifndef COCO_TEST_GUEST_HELLO_H
#define COCO_TEST_GUEST_HELLO_H

#define HELLO_MODE_HELLO 0		/* print the greeting, exit with status 0 */
#define HELLO_MODE_SPIN 1		/* print "spinning\n", then spin forever */
/* Misbehaviour the runner must end with a clear error (never a success). */
#define HELLO_MODE_HLT 2		/* HLT instead of the exit port */
#define HELLO_MODE_BAD_PORT 3		/* IN from a port the runner does not serve */
#define HELLO_MODE_EXCEPTION 4		/* UD2 with no IDT: a triple fault or an internal error */
#define HELLO_UNSERVED_PORT 0x3fd	/* COM1 line status: not served by the runner */
/* Print the greeting, exit with status N (the low byte of the argument). */
#define HELLO_MODE_EXIT_FLAG 0x100u
#define HELLO_MODE_EXIT_WITH(n) (HELLO_MODE_EXIT_FLAG | ((n) & 0xffu))

#endif

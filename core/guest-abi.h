/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The I/O ports and boot arguments between the in-tree test guests and the
 * KVM runner (core/kvm-runner.h).  Shared by the guests (freestanding, see
 * tests/guests/) and the host, so it includes nothing.
 *
 * - Console: every byte the guest writes with OUT (1 byte) to port 0x3f8
 *   (COM1's data register) is appended to the runner's console buffer.
 * - Exit: a 4-byte OUT to port 0xf4 ends the run; the value written is the
 *   guest's exit status.  Guests never HLT to stop (a HLT reaches user space
 *   only without an in-kernel irqchip, and then says nothing about success).
 * - Boot argument: the runner passes one 64-bit value in RDI at the entry.
 */
#ifndef COCO_CORE_GUEST_ABI_H
#define COCO_CORE_GUEST_ABI_H

#define COCO_GUEST_CONSOLE_PORT 0x3f8
#define COCO_GUEST_EXIT_PORT 0xf4

#endif

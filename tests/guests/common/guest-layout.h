/* SPDX-License-Identifier: Apache-2.0 */
/* Constants entry32.S and the C runtime (guest.h) share. */
#ifndef COCO_TEST_GUEST_LAYOUT_H
#define COCO_TEST_GUEST_LAYOUT_H

#define GUEST_CODE32_SEL 0x08
#define GUEST_DATA_SEL 0x10
#define GUEST_CODE64_SEL 0x18

#define GUEST_MAX_VCPUS 8
#define GUEST_STACK_SHIFT 14		/* 16 KiB per vCPU */
#define GUEST_STACK_SIZE (1 << GUEST_STACK_SHIFT)

#endif

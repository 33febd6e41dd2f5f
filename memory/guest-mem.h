/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest memory slots of a VM: GPA ranges backed by memfd memory, plus the
 * private/shared tracker over them.  Backends attach their platform view
 * of each slot through the mem_slot_add/remove ops.
 */
#ifndef COCO_MEMORY_GUEST_MEM_H
#define COCO_MEMORY_GUEST_MEM_H

#include <stdint.h>

#include "core/internal.h"

/*
 * Add a slot for [gpa, gpa+size) in @initial state (2 MiB alignment is not
 * required; 4 KiB is).  Refuses overlaps with existing slots.
 */
int coco_guest_mem_add_slot(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			    enum coco_mem_state initial, const char *label);

/*
 * Make sure [gpa, gpa+size) is guest memory, adding slots for the parts that
 * are not (as a VMM maps firmware flash outside RAM).
 */
int coco_guest_mem_cover(struct coco_vm *vm, uint64_t gpa, uint64_t size, const char *label);

/* Unmap and close every slot (the backend's vm_destroy has detached them). */
void coco_guest_mem_release(struct coco_vm *vm);

#endif

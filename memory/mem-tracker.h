/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Per-VM private/shared state of guest memory, as extents.
 *
 * The tracker is the core's record of which guest pages are private and
 * which shared; backends perform the platform transitions (RMP, SEPT) and
 * the core updates the tracker only once they succeeded.  Adjacent extents
 * with the same state are merged, so a VM whose memory is mostly in one
 * state costs a few extents whatever its size.
 */
#ifndef COCO_MEMORY_MEM_TRACKER_H
#define COCO_MEMORY_MEM_TRACKER_H

#include <stddef.h>
#include <stdint.h>

#include <coco/vm.h>

struct coco_mem_tracker;

int coco_mem_tracker_new(struct coco_mem_tracker **tracker);
void coco_mem_tracker_free(struct coco_mem_tracker *tracker);

/* Make [gpa, gpa+size) guest memory in @state.  -EEXIST if any of it already is. */
int coco_mem_tracker_add(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size,
			 enum coco_mem_state state);

/* Forget [gpa, gpa+size) (must be covered; else -ENOENT and no change). */
int coco_mem_tracker_remove(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size);

/* Is all of [gpa, gpa+size) guest memory?  0, or -ENOENT naming the first hole. */
int coco_mem_tracker_covered(const struct coco_mem_tracker *t, uint64_t gpa, uint64_t size);

/* State at @gpa and the length of the run of that state from @gpa. */
int coco_mem_tracker_get(const struct coco_mem_tracker *t, uint64_t gpa,
			 enum coco_mem_state *state, uint64_t *run_len);

/* Set [gpa, gpa+size) to @state; the range must be covered (else -ENOENT, no change). */
int coco_mem_tracker_set(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size,
			 enum coco_mem_state state);

/* Number of extents (for tests and accounting). */
size_t coco_mem_tracker_extents(const struct coco_mem_tracker *t);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest images: ELF64 x86-64 executables whose PT_LOAD segments are a
 * bare guest's initial memory (coco_plan_from_guest_image, <coco/launch.h>).
 * The parser takes outside input: it refuses anything malformed with a
 * message and never reads outside the buffer (fuzz target
 * tests/fuzz/fuzz-guest-image.c).
 */
#ifndef COCO_CORE_GUEST_IMAGE_H
#define COCO_CORE_GUEST_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define COCO_GUEST_IMAGE_MAX_SEGMENTS 16
/* Measured bytes a guest image may ask for (the launch hashes every one). */
#define COCO_GUEST_IMAGE_MAX_BYTES (256ull << 20)

struct coco_guest_segment {
	uint64_t gpa;			/* 4 KiB aligned */
	uint64_t size;			/* memsz rounded up to 4 KiB */
	const uint8_t *data;		/* into the image buffer */
	uint64_t data_len;		/* filesz */
};

struct coco_guest_image {
	struct coco_guest_segment segments[COCO_GUEST_IMAGE_MAX_SEGMENTS];
	size_t nsegments;		/* in address order, not overlapping */
	uint64_t entry;			/* e_entry (informational: vCPUs start at the reset vector) */
};

/*
 * Parse @data (borrowed: segments point into it).  Segments must lie at or
 * above COCO_GUEST_IMAGE_MIN_GPA and below 4 GiB, and one of them must hold
 * the reset vector 0xfffffff0 (core/guest-abi.h).
 */
int coco_guest_image_parse(const void *data, size_t len, struct coco_guest_image *image);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the guest image (ELF) parser (core/guest-image.c) and, for
 * images it accepts with few bytes, the launch plan built from them and its
 * expected measurement on both vendors.  Any input must parse or be refused
 * with a message; nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

#include "core/guest-image.h"

/* Measuring is slow on big images: time, not coverage. */
#define MEASURE_MAX_BYTES (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const vendors[] = { "sev-snp", "tdx" };
	struct coco_guest_image image;
	uint64_t bytes = 0;

	if (coco_guest_image_parse(data, size, &image))
		return 0;
	for (size_t i = 0; i < image.nsegments; i++)
		bytes += image.segments[i].size;
	if (bytes > MEASURE_MAX_BYTES)
		return 0;
	for (size_t v = 0; v < sizeof(vendors) / sizeof(vendors[0]); v++) {
		struct coco_guest_image_spec spec = { .data = data, .len = size, .vcpus = 1 };
		struct coco_launch_plan *plan;
		struct coco_measurement m;

		if (coco_plan_from_guest_image(vendors[v], &spec, NULL, &plan))
			continue;
		(void)coco_plan_expected_measurement(vendors[v], NULL, plan, &m);
		coco_plan_free(plan);
	}
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the TDVF metadata parser (tdx/tdvf.c) and the OVMF footer
 * table walk it shares (core/ovmf-table.c), and for inputs it accepts, the
 * TDX launch plan built from them and its MRTD (tdx/tdvf-plan.c, the launch
 * walker and its measuring sink).  Any input must parse or be refused with
 * a message; nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

#include "tdx/tdvf.h"

/* Skip measuring plans whose sections span more than this: time, not coverage. */
#define MEASURE_MAX_SECTION_BYTES (16u << 20)

static uint64_t launched_bytes(const struct tdx_tdvf *t)
{
	uint64_t total = 0;

	for (size_t i = 0; i < t->nsections; i++)
		if (!(t->sections[i].attributes & TDX_TDVF_ATTR_PAGE_AUG))
			total += t->sections[i].memory_data_size;
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tdx_tdvf t;
	struct coco_firmware_spec spec = {
		.firmware_data = data,
		.firmware_len = size,
		.vcpus = 1,
	};
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;

	if (tdx_tdvf_parse(data, size, &t) == 0 && launched_bytes(&t) <= MEASURE_MAX_SECTION_BYTES) {
		if (!coco_plan_from_firmware("tdx", &spec, NULL, &plan))
			coco_plan_expected_measurement("tdx", NULL, plan, &m);
		coco_plan_free(plan);
	}
	coco_clear_error();
	return 0;
}

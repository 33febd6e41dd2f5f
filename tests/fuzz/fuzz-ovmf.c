/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: OVMF footer table and SEV metadata parser (sev-snp/ovmf.c),
 * and for inputs it accepts, the SNP launch plan built from them and its
 * expected measurement (sev-snp/snp-plan.c, the launch walker).  Any input
 * must parse or be refused with a message; nothing may crash or leak.
 */
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

#include "sev-snp/ovmf.h"

/* Skip measuring plans whose sections span more than this: time, not coverage. */
#define MEASURE_MAX_SECTION_BYTES (16u << 20)

static uint64_t section_bytes(const struct snp_ovmf *o)
{
	uint64_t total = 0;

	for (size_t i = 0; i < o->nsections; i++)
		total += o->sections[i].size;
	return total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coco_firmware_spec spec = {
		.firmware_data = data,
		.firmware_len = size,
		.vcpus = 2,
		.flags = COCO_FIRMWARE_ALLOW_NO_METADATA,
	};
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct snp_ovmf o;

	if (snp_ovmf_parse(data, size, &o) == 0 && size &&
	    section_bytes(&o) <= MEASURE_MAX_SECTION_BYTES) {
		/* Direct kernel boot exercises the hashes-table placement checks. */
		if (snp_ovmf_has_section(&o, SNP_OVMF_SECTION_SNP_KERNEL_HASHES))
			spec.kernel_path = "/dev/null";
		if (!coco_plan_from_firmware("sev-snp", &spec, NULL, &plan))
			coco_plan_expected_measurement("sev-snp", NULL, plan, &m);
		coco_plan_free(plan);
	}
	coco_clear_error();
	return 0;
}

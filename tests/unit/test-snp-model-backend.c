/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests (public API) specific to the sev-snp-model backend: what
 * the platform model's host side gives back when VMs go away.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static unsigned long long memory_in_use(struct coco_host *host)
{
	struct coco_caps caps;

	CU_ASSERT_EQUAL_FATAL(coco_host_get_caps(host, &caps), 0);
	for (unsigned int i = 0; i < caps.ndetails; i++)
		if (!strcmp(caps.details[i].key, "snp.model_memory_in_use"))
			return strtoull(caps.details[i].value, NULL, 10);
	CU_FAIL("no snp.model_memory_in_use in the capabilities");
	return ~0ull;
}

/* Slots that do not start on 2 MiB boundaries give all their memory back. */
static void test_memory_returned_on_destroy(void)
{
	struct coco_host_options opts = { .private_platform = true };
	static uint8_t data[3 * 4096];
	const struct coco_region regions[] = {
		/* OVMF metadata-like sections inside RAM, and firmware straddling nothing */
		{ .gpa = 0x80A000, .size = 0x3000, .type = COCO_PAGE_MEASURED, .data = data,
		  .data_len = sizeof(data) },
		{ .gpa = 0x80D000, .size = 0x1000, .type = COCO_PAGE_SECRETS },
		/* Above RAM, not 2 MiB aligned: a slot of its own. */
		{ .gpa = 0x100000000ull - 0x1E0000, .size = 0x1E0000, .type = COCO_PAGE_ZERO },
	};
	const struct coco_vcpu_desc v = { 0 };
	struct coco_launch_plan *plan;
	struct coco_vm_config c;
	struct coco_host *host;
	unsigned long long before;

	CU_ASSERT_EQUAL_FATAL(coco_host_open("sev-snp-model", &opts, &host), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++)
		CU_ASSERT_EQUAL(coco_plan_add_region(plan, &regions[i]), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	coco_vm_config_init(&c, COCO_VENDOR_AMD_SEV_SNP);
	c.memory_size = 10u << 20;
	before = memory_in_use(host);
	for (int round = 0; round < 3; round++) {
		struct coco_vm *vm;
		uint8_t rd[64] = { (uint8_t)round };
		struct coco_evidence *ev;

		CU_ASSERT_EQUAL_FATAL(coco_vm_create(host, &c, &vm), 0);
		CU_ASSERT(memory_in_use(host) > before);
		CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), 0);
		CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x200000, 0x1000, COCO_MEM_SHARED), 0);
		CU_ASSERT_EQUAL(coco_vm_get_evidence(vm, rd, &ev), 0);
		coco_evidence_free(ev);
		coco_vm_destroy(vm);
		CU_ASSERT_EQUAL(memory_in_use(host), before);
	}
	coco_plan_free(plan);
	coco_host_close(host);
}

static CU_TestInfo tests[] = {
	{ "model memory is returned on destroy", test_memory_returned_on_destroy },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "snp-model-backend", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

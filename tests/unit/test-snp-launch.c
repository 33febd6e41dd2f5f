/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/launch.c, the walker that turns neutral regions into
 * SNP launch updates, measured through coco_plan_expected_measurement and
 * compared with the PAGE_INFO chain computed page by page.  Regions whose
 * data ends before the region does must measure the data pages followed
 * by zero pages, however the walker groups them (4 KiB runs, 2 MiB pages).
 */
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "sev-snp/launch-digest.h"
#include "sev-snp/vmsa.h"
#include "tests/common/test-main.h"

#define MiB (1024u * 1024u)

static uint8_t *pattern(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);

	for (size_t i = 0; p && i < len; i++)
		p[i] = (uint8_t)(i * 251 + (i >> 12) + 1);
	return p;
}

/* The chain of one region, page by page: contents where data covers, zeros after. */
static void chain_region(struct snp_launch_digest *d, const struct coco_region *r, uint8_t type)
{
	uint8_t page[SNP_PAGE_SIZE];
	bool hashed = type == SNP_PAGE_TYPE_NORMAL;

	for (uint64_t off = 0; off < r->size; off += SNP_PAGE_SIZE) {
		memset(page, 0, sizeof(page));
		if (r->data && off < r->data_len)
			memcpy(page, (const uint8_t *)r->data + off,
			       r->data_len - off < SNP_PAGE_SIZE ? r->data_len - off : SNP_PAGE_SIZE);
		CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(d, type, r->gpa + off,
							       hashed ? page : NULL, 1), 0);
	}
}

static void expect_plan_measures_as_chain(const struct coco_region *r, uint8_t type)
{
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct snp_launch_digest d;

	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_add_region(plan, r), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("sev-snp", NULL, plan, &m), 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	chain_region(&d, r, type);
	if (memcmp(m.value, d.ld, SNP_DIGEST_SIZE)) {
		fprintf(stderr, "\nregion gpa 0x%llx size 0x%llx data_len 0x%llx flags %u differs\n",
			(unsigned long long)r->gpa, (unsigned long long)r->size,
			(unsigned long long)r->data_len, r->flags);
		CU_FAIL("walker measurement differs from the page-by-page chain");
	}
	snp_launch_digest_fini(&d);
	coco_plan_free(plan);
}

static void test_data_shorter_than_region(void)
{
	const uint64_t lens[] = {
		4 * MiB,			/* whole region */
		3 * SNP_PAGE_SIZE,		/* page-aligned, ends inside the first 2 MiB */
		2 * MiB,			/* ends on the 2 MiB boundary */
		2 * MiB + 5 * SNP_PAGE_SIZE,	/* page-aligned, inside the second 2 MiB */
		2 * MiB + 100,			/* ragged */
		SNP_PAGE_SIZE - 1,		/* ragged, first page */
		0,				/* no data: all zero */
	};
	uint8_t *data = pattern(4 * MiB);

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	for (unsigned int large = 0; large < 2; large++) {
		for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
			struct coco_region r = {
				.gpa = 0x40000000, .size = 4 * MiB, .type = COCO_PAGE_MEASURED,
				.data = lens[i] ? data : NULL, .data_len = lens[i],
				.flags = large ? COCO_REGION_LARGE_PAGES : 0, .label = "test",
			};
			expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_NORMAL);
			/* the same at a GPA that is not 2 MiB aligned */
			r.gpa = 0x40003000;
			expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_NORMAL);
		}
	}
	free(data);
}

static void test_types_without_contents(void)
{
	struct coco_region r = { .gpa = 0x800000, .size = 3 * MiB, .type = COCO_PAGE_ZERO,
				 .flags = COCO_REGION_LARGE_PAGES };

	expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_ZERO);
	r.type = COCO_PAGE_UNMEASURED;
	expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_UNMEASURED);
	r.size = SNP_PAGE_SIZE;
	r.type = COCO_PAGE_SECRETS;
	r.flags = 0;
	expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_SECRETS);
	r.type = COCO_PAGE_CPUID;
	expect_plan_measures_as_chain(&r, SNP_PAGE_TYPE_CPUID);
}

/* vCPUs become VMSAs at KVM's VMSA GPA, BSP first, built from the configuration. */
static void test_vcpus(void)
{
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct coco_vm_config c;
	struct snp_launch_digest d;
	uint8_t vmsa[SNP_PAGE_SIZE];
	struct snp_vmsa_params p = { .vmm_type = COCO_SNP_VMM_QEMU, .cpu_signature = 0xA10F10,
				     .sev_features = 0x21 };

	coco_vm_config_init(&c, COCO_VENDOR_AMD_SEV_SNP);
	c.cpu_signature = 0xA10F10;
	c.policy.u.snp.vmsa_features = 0x21;
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	for (uint32_t i = 0; i < 3; i++) {
		struct coco_vcpu_desc v = { .index = i, .boot_ip = i ? 0x80B004 : 0 };
		CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	}
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("sev-snp", &c, plan, &m), 0);
	coco_plan_free(plan);

	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	for (uint32_t i = 0; i < 3; i++) {
		p.vcpu_index = i;
		p.boot_ip = i ? 0x80B004 : 0;
		CU_ASSERT_EQUAL(snp_vmsa_build(vmsa, &p), 0);
		CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_VMSA,
							       SNP_INITIAL_VMSA_GPA, vmsa, 1), 0);
	}
	CU_ASSERT(!memcmp(m.value, d.ld, SNP_DIGEST_SIZE));
	snp_launch_digest_fini(&d);
}

static CU_TestInfo tests[] = {
	{ "data shorter than its region", test_data_shorter_than_region },
	{ "zero, unmeasured, secrets, CPUID regions", test_types_without_contents },
	{ "vCPUs measured as VMSAs", test_vcpus },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "snp-launch", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

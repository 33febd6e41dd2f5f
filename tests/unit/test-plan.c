/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests (public API): launch plans — validation, ownership, vCPU order. */
#include <errno.h>
#include <string.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static void test_region_validation(void)
{
	struct coco_launch_plan *plan;
	uint8_t data[8192] = { 0 };
	const struct coco_region ok = { .gpa = 0x1000, .size = 0x2000, .type = COCO_PAGE_MEASURED,
					.data = data, .data_len = 100 };

	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &ok), 0);
	/* Overlap with an earlier region, at either end. */
	struct coco_region r = { .gpa = 0x2000, .size = 0x1000, .type = COCO_PAGE_ZERO, .label = "x" };
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "overlaps"));
	r.gpa = 0;
	r.size = 0x2000;
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);
	r.size = 0x1000;
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), 0);	/* touching is fine */
	/* Shapes. */
	r = (struct coco_region){ .gpa = 0x10000, .size = 0x1000, .type = COCO_PAGE_MEASURED,
				  .data_len = 10 };
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);	/* data_len without data */
	r.data = data;
	r.data_len = 0x1001;
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);	/* data longer than region */
	r = (struct coco_region){ .gpa = 0x10000, .size = 0x1000, .type = COCO_PAGE_ZERO,
				  .flags = 0x80 };
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);	/* unknown flag */
	r.flags = 0;
	r.gpa = (1ull << 52) - 0x1000;
	r.size = 0x2000;
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &r), -EINVAL);	/* beyond 52 bits */
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 2);
	CU_ASSERT_PTR_NULL(coco_plan_region(plan, 2));
	coco_plan_free(plan);
}

static void test_region_copy_owns_data(void)
{
	struct coco_launch_plan *plan;
	uint8_t data[100];
	const struct coco_region r = { .gpa = 0x1000, .size = 0x1000, .type = COCO_PAGE_MEASURED,
				       .data = data, .data_len = sizeof(data) };

	memset(data, 0x42, sizeof(data));
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_region_copy(plan, &r), 0);
	memset(data, 0, sizeof(data));
	const uint8_t *kept = coco_plan_region(plan, 0)->data;
	CU_ASSERT_PTR_NOT_EQUAL(kept, data);
	CU_ASSERT_EQUAL(kept[99], 0x42);
	/* A refused copy leaves the plan unchanged (and leaks nothing under ASan). */
	CU_ASSERT_EQUAL(coco_plan_add_region_copy(plan, &r), -EINVAL);
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 1);
	coco_plan_free(plan);
}

static void test_vcpus_in_order(void)
{
	struct coco_launch_plan *plan;
	struct coco_vcpu_desc v = { .index = 1 };

	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), -EINVAL);
	for (uint32_t i = 0; i < 40; i++) {
		v.index = i;
		v.boot_ip = i ? 0x80B004 : 0;
		CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	}
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 40);
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 39)->boot_ip, 0x80B004);
	CU_ASSERT_PTR_NULL(coco_plan_vcpu(plan, 40));
	coco_plan_free(plan);
}

static void test_measurement_only_plans(void)
{
	struct coco_host_options opts = { .private_platform = true };
	struct coco_launch_plan *plan;
	struct coco_measurement m;
	struct coco_vm_config c;
	struct coco_host *host;
	struct coco_vm *vm;
	uint8_t seed[48] = { 1 };
	const struct coco_vcpu_desc v = { 0 };

	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_set_initial_measurement(plan, seed, 0), -EINVAL);
	CU_ASSERT_EQUAL(coco_plan_set_initial_measurement(plan, seed, 65), -EINVAL);
	CU_ASSERT_EQUAL(coco_plan_set_initial_measurement(plan, seed, sizeof(seed)), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	/* It can be measured... */
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("sev-snp", NULL, plan, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	/* ...but not launched. */
	CU_ASSERT_EQUAL_FATAL(coco_host_open("sev-snp-model", &opts, &host), 0);
	coco_vm_config_init(&c, COCO_VENDOR_AMD_SEV_SNP);
	c.memory_size = 2u << 20;
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(host, &c, &vm), 0);
	CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "only be measured"));
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_CREATED);
	coco_vm_destroy(vm);
	coco_host_close(host);
	/* A vendor without such a backend. */
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("nope", NULL, plan, &m), -ENOENT);
	coco_plan_free(plan);
}

static CU_TestInfo tests[] = {
	{ "region validation", test_region_validation },
	{ "add_region_copy owns its data", test_region_copy_owns_data },
	{ "vCPUs in order", test_vcpus_in_order },
	{ "measurement-only plans", test_measurement_only_plans },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "plan", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

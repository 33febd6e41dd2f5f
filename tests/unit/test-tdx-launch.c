/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/launch.c, the TDX launch walker, through a recording
 * sink (what each page type becomes, zero padding, ragged data, streaming
 * of large regions, order, refusals, vCPU checks, TD_PARAMS from the
 * configuration) and its measuring sink (the dry-run MRTD equals one
 * computed with the MRTD primitives page by page).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/backend-common.h"
#include "tdx/launch.h"
#include "tdx/mrtd.h"
#include "tests/common/test-main.h"

#define PAGE 4096u
#define MAX_PAGES 8192u
#define KEEP_PAGES 64u		/* pages whose contents are kept for checking */

/* What the recording sink saw. */
static struct {
	bool started, finished;
	struct tdx_td_config td;
	unsigned int calls;
	uint64_t max_run;		/* most pages in one add_pages call */
	size_t npages;
	uint64_t gpa[MAX_PAGES];
	bool extend[MAX_PAGES];
	uint8_t contents[KEEP_PAGES][PAGE];
} rec;

static int rec_start(struct coco_vm *vm, const struct tdx_td_config *cfg)
{
	(void)vm;
	rec.started = true;
	rec.td = *cfg;
	return 0;
}

static int rec_add_pages(struct coco_vm *vm, uint64_t gpa, const uint8_t *src, uint64_t npages,
			 bool extend)
{
	(void)vm;
	CU_ASSERT_PTR_NOT_NULL_FATAL(src);
	rec.calls++;
	if (npages > rec.max_run)
		rec.max_run = npages;
	for (uint64_t i = 0; i < npages && rec.npages < MAX_PAGES; i++, rec.npages++) {
		rec.gpa[rec.npages] = gpa + i * PAGE;
		rec.extend[rec.npages] = extend;
		if (rec.npages < KEEP_PAGES)
			memcpy(rec.contents[rec.npages], src + i * PAGE, PAGE);
	}
	return 0;
}

static int rec_finish(struct coco_vm *vm, struct coco_measurement *m)
{
	(void)vm;
	(void)m;
	rec.finished = true;
	return 0;
}

static const struct tdx_launch_sink_ops recording_sink = {
	.name = "recording",
	.start = rec_start,
	.add_pages = rec_add_pages,
	.finish = rec_finish,
};

/* A VM object as the core makes one, driven by the walker directly. */
static struct coco_vm *new_vm(uint32_t vcpus)
{
	struct coco_vm *vm = calloc(1, sizeof(*vm));

	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	coco_vm_config_init(&vm->config, COCO_VENDOR_INTEL_TDX);
	vm->config.vcpus = vcpus;
	memset(&rec, 0, sizeof(rec));
	CU_ASSERT_EQUAL_FATAL(tdx_vm_init_common(vm, &recording_sink, NULL), 0);
	return vm;
}

static void free_vm(struct coco_vm *vm)
{
	tdx_vm_free_common(vm);
	CU_ASSERT_PTR_NULL(vm->priv);
	free(vm);
}

static uint8_t pattern(size_t i)
{
	return (uint8_t)(i * 37 + 11);
}

static void test_td_config(void)
{
	struct coco_vm *vm;
	struct coco_tdx_policy *p;

	vm = new_vm(3);
	p = &vm->config.policy.u.tdx;
	p->attributes = COCO_TDX_ATTR_SEPT_VE_DISABLE | COCO_TDX_ATTR_PKS;
	p->xfam = 0xe7;
	p->tsc_khz = 2500000;
	memset(p->mrconfigid, 0x11, sizeof(p->mrconfigid));
	memset(p->mrowner, 0x22, sizeof(p->mrowner));
	memset(p->mrownerconfig, 0x33, sizeof(p->mrownerconfig));
	CU_ASSERT_EQUAL(tdx_launch_begin(vm), 0);
	CU_ASSERT(rec.started);
	CU_ASSERT_EQUAL(rec.td.attributes, p->attributes);
	CU_ASSERT_EQUAL(rec.td.xfam, 0xe7);
	CU_ASSERT_EQUAL(rec.td.max_vcpus, 3);
	CU_ASSERT_EQUAL(rec.td.tsc_khz, 2500000);
	CU_ASSERT(!memcmp(rec.td.mrconfigid, p->mrconfigid, 48));
	CU_ASSERT(!memcmp(rec.td.mrowner, p->mrowner, 48));
	CU_ASSERT(!memcmp(rec.td.mrownerconfig, p->mrownerconfig, 48));
	free_vm(vm);

	/* Zero policy fields mean the defaults. */
	vm = new_vm(1);
	vm->config.policy.u.tdx.attributes = 0;
	vm->config.policy.u.tdx.xfam = 0;
	CU_ASSERT_EQUAL(tdx_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(rec.td.attributes, COCO_TDX_ATTR_DEFAULT);
	CU_ASSERT_EQUAL(rec.td.xfam, COCO_TDX_XFAM_DEFAULT);
	free_vm(vm);
}

static void test_page_types_and_padding(void)
{
	static uint8_t data[3 * PAGE];
	struct coco_vm *vm = new_vm(1);
	/* Ragged data (1.5 pages) in a 3-page region: page 1 half data, page 2 zeros. */
	const struct coco_region measured = { .gpa = 0x100000, .size = 3 * PAGE,
		.type = COCO_PAGE_MEASURED, .data = data, .data_len = PAGE + PAGE / 2 };
	const struct coco_region unmeasured = { .gpa = 0x200000, .size = 2 * PAGE,
		.type = COCO_PAGE_UNMEASURED, .data = data, .data_len = 100 };
	/* ZERO ignores data: the pages are zeros. */
	const struct coco_region zero = { .gpa = 0x300000, .size = PAGE, .type = COCO_PAGE_ZERO,
		.data = data, .data_len = PAGE };
	/* No data at all: zeros. */
	const struct coco_region measured_empty = { .gpa = 0x400000, .size = PAGE,
		.type = COCO_PAGE_MEASURED };

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i);
	CU_ASSERT_EQUAL_FATAL(tdx_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(tdx_launch_region(vm, &measured), 0);
	CU_ASSERT_EQUAL(tdx_launch_region(vm, &unmeasured), 0);
	CU_ASSERT_EQUAL(tdx_launch_region(vm, &zero), 0);
	CU_ASSERT_EQUAL(tdx_launch_region(vm, &measured_empty), 0);
	CU_ASSERT_EQUAL_FATAL(rec.npages, 7);

	static const uint64_t gpas[] = { 0x100000, 0x101000, 0x102000, 0x200000, 0x201000,
					 0x300000, 0x400000 };
	static const bool extends[] = { true, true, true, false, false, false, true };
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(rec.gpa[i], gpas[i]);
		CU_ASSERT_EQUAL(rec.extend[i], extends[i]);
	}
	/* Contents: data where there is data, zeros after it. */
	for (size_t i = 0; i < PAGE; i++) {
		CU_ASSERT_EQUAL_FATAL(rec.contents[0][i], pattern(i));
		CU_ASSERT_EQUAL_FATAL(rec.contents[1][i], i < PAGE / 2 ? pattern(PAGE + i) : 0);
		CU_ASSERT_EQUAL_FATAL(rec.contents[2][i], 0);
		CU_ASSERT_EQUAL_FATAL(rec.contents[3][i], i < 100 ? pattern(i) : 0);
		CU_ASSERT_EQUAL_FATAL(rec.contents[4][i], 0);
		CU_ASSERT_EQUAL_FATAL(rec.contents[5][i], 0);
		CU_ASSERT_EQUAL_FATAL(rec.contents[6][i], 0);
	}
	free_vm(vm);
}

static void test_unsupported_types(void)
{
	static const enum coco_page_type types[] = { COCO_PAGE_SECRETS, COCO_PAGE_CPUID,
						     COCO_PAGE_VCPU_STATE };

	for (size_t i = 0; i < 3; i++) {
		struct coco_vm *vm = new_vm(1);
		struct coco_region r = { .gpa = 0x5000, .size = PAGE, .type = types[i],
					 .label = "odd" };
		CU_ASSERT_EQUAL_FATAL(tdx_launch_begin(vm), 0);
		CU_ASSERT_EQUAL(tdx_launch_region(vm, &r), -ENOTSUP);
		CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), coco_page_type_name(types[i])));
		CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX has no such pages"));
		CU_ASSERT_EQUAL(rec.npages, 0);
		free_vm(vm);
	}
}

/* A large region goes in bounded runs, in order, and its data by reference. */
static void test_large_region_streamed(void)
{
	const uint64_t size = 32ull << 20;	/* 8192 pages */
	uint8_t *data = malloc(size);
	struct coco_vm *vm = new_vm(1);
	/* Data ends inside the region, ragged: whole pages, one padded page, zero pages. */
	struct coco_region r = { .gpa = 0x40000000, .size = size, .type = COCO_PAGE_MEASURED,
				 .data = data, .data_len = size / 2 + 123 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(data);
	memset(data, 0xA5, size);
	CU_ASSERT_EQUAL_FATAL(tdx_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(tdx_launch_region(vm, &r), 0);
	CU_ASSERT_EQUAL_FATAL(rec.npages, size / PAGE);
	for (size_t i = 0; i < rec.npages; i++) {
		CU_ASSERT_EQUAL_FATAL(rec.gpa[i], r.gpa + i * PAGE);
		CU_ASSERT_FATAL(rec.extend[i]);
	}
	CU_ASSERT(rec.calls > 2);
	CU_ASSERT(rec.max_run < size / PAGE / 4);
	free_vm(vm);
	free(data);
}

static void test_vcpus_and_finish(void)
{
	struct coco_vm *vm = new_vm(2);
	struct coco_vcpu_desc v0 = { .index = 0 }, v1 = { .index = 1, .boot_ip = 0x80B004 },
			      v2 = { .index = 2 };
	struct coco_measurement m;

	CU_ASSERT_EQUAL_FATAL(tdx_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(tdx_launch_vcpu(vm, &v1), -EINVAL);	/* out of order */
	CU_ASSERT_EQUAL(tdx_launch_vcpu(vm, &v0), 0);
	vm->vcpus_added = 1;
	/* An AP entry point has no TDX meaning: counted, not refused. */
	CU_ASSERT_EQUAL(tdx_launch_vcpu(vm, &v1), 0);
	vm->vcpus_added = 2;
	CU_ASSERT_EQUAL(tdx_launch_vcpu(vm, &v2), -EINVAL);	/* the TD has 2 */
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "created with 2 vCPUs"));
	CU_ASSERT_EQUAL(tdx_launch_finish(vm, &m), 0);
	CU_ASSERT(rec.finished);
	free_vm(vm);

	/* TDH.MR.FINALIZE needs a vCPU. */
	vm = new_vm(0);
	CU_ASSERT_EQUAL_FATAL(tdx_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(tdx_launch_finish(vm, &m), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_NO_VCPUS"));
	CU_ASSERT_FALSE(rec.finished);
	free_vm(vm);
}

/* The dry-run MRTD equals the MRTD primitives applied page by page. */
static void test_measuring_sink(void)
{
	static uint8_t data[2 * PAGE + 300];
	const struct coco_region regions[] = {
		{ .gpa = 0xFFFFC000, .size = 4 * PAGE, .type = COCO_PAGE_MEASURED, .data = data,
		  .data_len = sizeof(data), .label = "code" },
		{ .gpa = 0x800000, .size = 2 * PAGE, .type = COCO_PAGE_ZERO, .label = "temp" },
		{ .gpa = 0xFFFFB000, .size = PAGE, .type = COCO_PAGE_UNMEASURED, .data = data,
		  .data_len = 10, .label = "vars" },
	};
	struct coco_launch_plan *plan;
	struct coco_measurement m, m4;
	struct tdx_mrtd ref;
	uint8_t expect[48], page[PAGE];
	struct coco_vcpu_desc v = { 0 };

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = pattern(i * 3);
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	for (size_t i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(coco_plan_add_region(plan, &regions[i]), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_add_vcpu(plan, &v), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	CU_ASSERT_STRING_EQUAL(m.alg, "sha384");

	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&ref), 0);
	for (unsigned int p = 0; p < 4; p++) {
		uint64_t gpa = 0xFFFFC000 + p * PAGE;
		memset(page, 0, PAGE);
		if (p * PAGE < sizeof(data))
			memcpy(page, data + p * PAGE, COCO_MIN(PAGE, sizeof(data) - p * PAGE));
		tdx_mrtd_page_add(&ref, gpa);
		for (unsigned int c = 0; c < 16; c++)
			tdx_mrtd_extend(&ref, gpa + c * 256, page + c * 256);
	}
	tdx_mrtd_page_add(&ref, 0x800000);
	tdx_mrtd_page_add(&ref, 0x801000);
	tdx_mrtd_page_add(&ref, 0xFFFFB000);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&ref, expect), 0);
	tdx_mrtd_fini(&ref);
	CU_ASSERT(!memcmp(m.value, expect, 48));

	/* vCPUs and TD_PARAMS are not part of MRTD. */
	for (uint32_t i = 1; i < 4; i++) {
		struct coco_vcpu_desc ap = { .index = i };
		CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &ap), 0);
	}
	struct coco_vm_config c;
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.policy.u.tdx.attributes |= COCO_TDX_ATTR_DEBUG;
	memset(c.policy.u.tdx.mrowner, 7, 48);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx-model", &c, plan, &m4), 0);
	CU_ASSERT(!memcmp(m4.value, m.value, 48));

	/* Order matters: the same regions the other way round measure differently. */
	struct coco_launch_plan *rev;
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&rev), 0);
	for (size_t i = 3; i-- > 0;)
		CU_ASSERT_EQUAL(coco_plan_add_region(rev, &regions[i]), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(rev, &v), 0);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", NULL, rev, &m4), 0);
	CU_ASSERT(memcmp(m4.value, m.value, 48));
	coco_plan_free(rev);
	coco_plan_free(plan);
}

static void test_dry_run_refusals(void)
{
	struct coco_launch_plan *plan;
	struct coco_measurement m;
	struct coco_vm_config c;
	const struct coco_region secrets = { .gpa = 0x1000, .size = PAGE,
					     .type = COCO_PAGE_SECRETS };
	const struct coco_region code = { .gpa = 0x2000, .size = PAGE, .type = COCO_PAGE_MEASURED };
	const uint8_t initial[48] = { 1 };
	struct coco_vcpu_desc v = { 0 };

	/* SNP page types. */
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &secrets), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), -ENOTSUP);
	coco_plan_free(plan);

	/* No vCPU: nothing a TD could finalize. */
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &code), 0);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_NO_VCPUS"));

	/* MRTD does not resume from a digest. */
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	CU_ASSERT_EQUAL(coco_plan_set_initial_measurement(plan, initial, 48), 0);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), -ENOTSUP);
	coco_plan_free(plan);

	/* Policy checks of the configuration. */
	CU_ASSERT_EQUAL_FATAL(coco_plan_new(&plan), 0);
	CU_ASSERT_EQUAL(coco_plan_add_region(plan, &code), 0);
	CU_ASSERT_EQUAL(coco_plan_add_vcpu(plan, &v), 0);
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.policy.u.tdx.attributes = 1ull << 5;
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", &c, plan, &m), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "reserved bit 5"));
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.policy.u.tdx.tsc_khz = 2510000;
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", &c, plan, &m), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "25 MHz steps"));
	c.policy.u.tdx.tsc_khz = 2500000;
	CU_ASSERT_EQUAL(coco_plan_expected_measurement("tdx", &c, plan, &m), 0);
	coco_plan_free(plan);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "TD_PARAMS from the configuration", test_td_config },
		{ "page types, zero padding, ragged data", test_page_types_and_padding },
		{ "SNP page types refused", test_unsupported_types },
		{ "large region streamed in order", test_large_region_streamed },
		{ "vCPUs and finish", test_vcpus_and_finish },
		{ "measuring sink", test_measuring_sink },
		{ "dry-run refusals", test_dry_run_refusals },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "tdx-launch", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

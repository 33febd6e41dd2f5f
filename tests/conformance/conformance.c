/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The conformance case table and its runner: every case runs once per
 * backend whose probe passes on this machine (platform models always; a
 * hardware backend only on its hardware).  Each backend gets its own
 * private platform.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conformance.h"
#include "tests/common/test-main.h"

#define MiB (1024ull * 1024)
#define PAGE 4096ull

const char *conf_backend;
struct coco_host *conf_host;
static struct coco_caps conf_caps;

/* ------------------------------------------------------------------ */
/* A small neutral launch plan                                          */

static uint8_t image[5000];		/* ends inside its second page: the tail is zero */
static uint8_t firmware[64 * 1024];

static void fill_inputs(void)
{
	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 13 + 7);
	for (size_t i = 0; i < sizeof(firmware); i++)
		firmware[i] = (uint8_t)(i ^ (i >> 8));
}

/* Regions of every page type the backend supports, and the vCPUs. */
static struct coco_launch_plan *make_plan(uint32_t vcpus)
{
	struct coco_launch_plan *plan;
	const struct coco_region regions[] = {
		{ .gpa = 0x100000, .size = 2 * PAGE, .type = COCO_PAGE_MEASURED,
		  .data = image, .data_len = sizeof(image), .label = "image" },
		{ .gpa = 0x200000, .size = 2 * MiB, .type = COCO_PAGE_ZERO,
		  .flags = COCO_REGION_LARGE_PAGES, .label = "zeroed" },
		{ .gpa = 0x400000, .size = PAGE, .type = COCO_PAGE_SECRETS, .label = "secrets" },
		{ .gpa = 0x401000, .size = PAGE, .type = COCO_PAGE_CPUID, .label = "cpuid" },
		{ .gpa = 0x402000, .size = 2 * PAGE, .type = COCO_PAGE_UNMEASURED,
		  .data = image, .data_len = 100, .label = "unmeasured" },
		/* Above RAM, as firmware sits at the top of 4 GiB. */
		{ .gpa = 0x100000000ull - sizeof(firmware), .size = sizeof(firmware),
		  .type = COCO_PAGE_MEASURED, .data = firmware, .data_len = sizeof(firmware),
		  .label = "firmware" },
	};

	if (coco_plan_new(&plan))
		return NULL;
	for (size_t i = 0; i < sizeof(regions) / sizeof(regions[0]); i++) {
		if (!(conf_caps.page_types & (1u << regions[i].type)))
			continue;
		if (coco_plan_add_region(plan, &regions[i])) {
			coco_plan_free(plan);
			return NULL;
		}
	}
	for (uint32_t i = 0; i < vcpus; i++) {
		struct coco_vcpu_desc v = { .index = i, .boot_ip = i ? 0x80B004 : 0 };
		if (coco_plan_add_vcpu(plan, &v)) {
			coco_plan_free(plan);
			return NULL;
		}
	}
	return plan;
}

static void default_config(struct coco_vm_config *c, uint32_t vcpus)
{
	coco_vm_config_init(c, coco_host_vendor(conf_host));
	c->name = "conformance";
	c->memory_size = 16 * MiB;
	c->vcpus = vcpus;
}

static bool has_feature(uint32_t f)
{
	return (conf_caps.features & f) == f;
}

/* Launch @plan on a new VM; returns it or NULL (the test has failed). */
static struct coco_vm *launch(const struct coco_vm_config *c, const struct coco_launch_plan *plan)
{
	struct coco_vm *vm;

	if (coco_vm_create(conf_host, c, &vm)) {
		CU_FAIL(coco_last_error());
		return NULL;
	}
	if (coco_vm_launch_plan(vm, plan)) {
		fprintf(stderr, "launch: %s\n", coco_last_error());
		CU_FAIL("launch failed");
		coco_vm_destroy(vm);
		return NULL;
	}
	return vm;
}

/* Evidence's measurement, and verification against its own roots. */
static int evidence_of(struct coco_vm *vm, uint8_t fill, struct coco_evidence **ev)
{
	uint8_t rd[COCO_REPORT_DATA_SIZE];

	memset(rd, fill, sizeof(rd));
	return coco_vm_get_evidence(vm, rd, ev);
}

static struct coco_trust_anchors *roots_of(const struct coco_evidence *ev)
{
	struct coco_trust_anchors *a = NULL;

	/*
	 * A model's own root is what a verifier of this platform trusts; real
	 * hardware's evidence chains to the vendor roots built into the library.
	 */
	int ret = coco_host_is_hardware(conf_host) ? coco_trust_anchors_builtin(&a)
						   : coco_trust_anchors_from_evidence(ev, &a);

	CU_ASSERT_EQUAL(ret, 0);
	return a;
}

/* ------------------------------------------------------------------ */
/* Cases                                                                */

static void test_caps(void)
{
	CU_ASSERT_STRING_EQUAL(conf_caps.backend, conf_backend);
	CU_ASSERT(conf_caps.max_guests > 0);
	CU_ASSERT(conf_caps.measurement_size > 0 && conf_caps.measurement_size <= COCO_MEASUREMENT_MAX);
	CU_ASSERT(conf_caps.features & COCO_FEATURE_LAUNCH);
	CU_ASSERT(conf_caps.page_types & (1u << COCO_PAGE_MEASURED));
	CU_ASSERT(conf_caps.firmware_version[0] != '\0');
}

static void test_lifecycle_order(void)
{
	struct coco_region r = { .gpa = 0x100000, .size = PAGE, .type = COCO_PAGE_ZERO };
	struct coco_vcpu_desc v0 = { .index = 0 }, v1 = { .index = 1 };
	struct coco_vm_config c;
	struct coco_vm *vm;

	default_config(&c, 2);
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(conf_host, &c, &vm), 0);
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_CREATED);
	/* Nothing before begin. */
	CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &r), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "created"));
	CU_ASSERT_EQUAL(coco_vm_launch_add_vcpu(vm, &v0), -EBUSY);
	CU_ASSERT_EQUAL(coco_vm_launch_finish(vm), -EBUSY);
	CU_ASSERT_EQUAL(coco_vm_launch_begin(vm), 0);
	CU_ASSERT_EQUAL(coco_vm_launch_begin(vm), -EBUSY);
	CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &r), 0);
	/* vCPUs in order, all of them, and no region after the first vCPU. */
	CU_ASSERT_EQUAL(coco_vm_launch_add_vcpu(vm, &v1), -EINVAL);
	CU_ASSERT_EQUAL(coco_vm_launch_add_vcpu(vm, &v0), 0);
	r.gpa = 0x200000;
	CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &r), -EINVAL);
	CU_ASSERT_EQUAL(coco_vm_launch_finish(vm), -EINVAL);	/* vCPU 1 missing */
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "2 vCPUs"));
	CU_ASSERT_EQUAL(coco_vm_launch_add_vcpu(vm, &v1), 0);
	struct coco_vcpu_desc v2 = { .index = 2 };
	CU_ASSERT_EQUAL(coco_vm_launch_add_vcpu(vm, &v2), -EINVAL);	/* one too many */
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHING);	/* refusals change nothing */
	CU_ASSERT_EQUAL(coco_vm_launch_finish(vm), 0);
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHED);
	CU_ASSERT_EQUAL(coco_vm_launch_finish(vm), -EBUSY);
	CU_ASSERT_EQUAL(coco_vm_launch_begin(vm), -EBUSY);
	coco_vm_destroy(vm);
}

static void test_bad_regions(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm;
	uint8_t data[16] = { 1 };
	const struct coco_region bad[] = {
		{ .gpa = 0x100800, .size = PAGE, .type = COCO_PAGE_ZERO },	/* misaligned */
		{ .gpa = 0x100000, .size = 100, .type = COCO_PAGE_ZERO },	/* partial page */
		{ .gpa = 0x100000, .size = 0, .type = COCO_PAGE_ZERO },		/* empty */
		{ .gpa = 0x100000, .size = PAGE, .type = 99 },			/* unknown type */
		{ .gpa = 0x100000, .size = PAGE, .type = COCO_PAGE_MEASURED,
		  .data = data, .data_len = PAGE + 1 },				/* data too long */
		{ .gpa = 0x100000, .size = 2 * PAGE, .type = COCO_PAGE_SECRETS },	/* > 1 page */
		{ .gpa = ~0ull & ~(PAGE - 1), .size = 2 * PAGE, .type = COCO_PAGE_ZERO },	/* wraps */
	};
	const struct coco_region good = { .gpa = 0x300000, .size = 4 * PAGE,
					  .type = COCO_PAGE_MEASURED, .data = data,
					  .data_len = sizeof(data) };
	const struct coco_region overlap = { .gpa = 0x302000, .size = 4 * PAGE,
					     .type = COCO_PAGE_ZERO };

	default_config(&c, 1);
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(conf_host, &c, &vm), 0);
	CU_ASSERT_EQUAL_FATAL(coco_vm_launch_begin(vm), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &bad[i]), -EINVAL);
		CU_ASSERT(strlen(coco_last_error()) > 20);
	}
	CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &good), 0);
	/* A page enters the launch once. */
	CU_ASSERT_EQUAL(coco_vm_launch_add_region(vm, &overlap), -EEXIST);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "already launched"));
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHING);
	coco_vm_destroy(vm);
}

static void test_vendor_policies(void)
{
	const struct vendor_profile *prof = vendor_profile_for(coco_host_vendor(conf_host));
	struct bad_config bad[16];
	struct coco_vm_config good[16];
	struct coco_launch_plan *plan = make_plan(1);
	size_t n;

	CU_ASSERT_PTR_NOT_NULL_FATAL(prof);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	n = prof->bad_configs(bad, 16);
	CU_ASSERT(n > 0);
	for (size_t i = 0; i < n; i++) {
		struct coco_vm *vm = NULL;
		int ret = coco_vm_create(conf_host, &bad[i].config, &vm);
		if (bad[i].refused_at_create) {
			if (ret != bad[i].error)
				fprintf(stderr, "%s: create gave %d, expected %d\n", bad[i].what, ret,
					bad[i].error);
			CU_ASSERT_EQUAL(ret, bad[i].error);
			continue;
		}
		CU_ASSERT_EQUAL(ret, 0);
		if (ret)
			continue;
		ret = coco_vm_launch_plan(vm, plan);
		if (ret != bad[i].error)
			fprintf(stderr, "%s: launch gave %d (%s), expected %d\n", bad[i].what, ret,
				coco_last_error(), bad[i].error);
		CU_ASSERT_EQUAL(ret, bad[i].error);
		CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_FAILED);
		/* After a failed launch only destroy is possible. */
		CU_ASSERT_EQUAL(coco_vm_launch_begin(vm), -EIO);
		coco_vm_destroy(vm);
	}
	n = prof->good_configs(good, 16);
	for (size_t i = 0; i < n; i++) {
		struct coco_vm *vm = launch(&good[i], plan);
		coco_vm_destroy(vm);
	}
	coco_plan_free(plan);
}

static void test_measurement_equals_expected(void)
{
	struct coco_launch_plan *plan = make_plan(2);
	struct coco_measurement expected, again, got;
	struct coco_evidence *ev = NULL;
	struct coco_vm_config c;
	struct coco_vm *vm;

	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	default_config(&c, 2);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement(conf_backend, &c, plan, &expected), 0);
	CU_ASSERT_EQUAL(expected.size, conf_caps.measurement_size);
	/* Deterministic: the same plan twice gives the same value. */
	CU_ASSERT_EQUAL(coco_plan_expected_measurement(conf_backend, &c, plan, &again), 0);
	CU_ASSERT(memcmp(expected.value, again.value, expected.size) == 0);

	vm = launch(&c, plan);
	if (vm && evidence_of(vm, 0x11, &ev) == 0) {
		CU_ASSERT_EQUAL(coco_evidence_measurement(ev, &got), 0);
		CU_ASSERT_EQUAL(got.size, expected.size);
		CU_ASSERT(memcmp(got.value, expected.value, expected.size) == 0);
		coco_evidence_free(ev);
	} else if (vm) {
		CU_FAIL(coco_last_error());
	}
	coco_vm_destroy(vm);
	coco_plan_free(plan);
}

static void test_measurement_sensitive(void)
{
	struct coco_launch_plan *plan = make_plan(2), *fewer = make_plan(1);
	struct coco_measurement base, changed, one_vcpu;
	struct coco_vm_config c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fewer);
	default_config(&c, 2);
	CU_ASSERT_EQUAL(coco_plan_expected_measurement(conf_backend, &c, plan, &base), 0);
	image[4999] ^= 1;	/* the last data byte, in the ragged page */
	CU_ASSERT_EQUAL(coco_plan_expected_measurement(conf_backend, &c, plan, &changed), 0);
	image[4999] ^= 1;
	CU_ASSERT(memcmp(base.value, changed.value, base.size) != 0);
	/* The vCPU count shows in the measurement exactly where vCPU state is measured. */
	c.vcpus = 1;
	CU_ASSERT_EQUAL(coco_plan_expected_measurement(conf_backend, &c, fewer, &one_vcpu), 0);
	CU_ASSERT_EQUAL(memcmp(base.value, one_vcpu.value, base.size) != 0,
			has_feature(COCO_FEATURE_MEASURED_VCPU_STATE));
	coco_plan_free(plan);
	coco_plan_free(fewer);
}

static void test_evidence_binds_report_data(void)
{
	struct coco_launch_plan *plan = make_plan(1);
	struct coco_evidence *a = NULL, *b = NULL;
	struct coco_measurement m;
	struct coco_verify_result res;
	uint8_t rd[COCO_REPORT_DATA_SIZE], other[COCO_REPORT_DATA_SIZE];
	struct coco_trust_anchors *anchors;
	struct coco_vm_config c;
	struct coco_vm *vm;

	default_config(&c, 1);
	vm = launch(&c, plan);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(evidence_of(vm, 0xA5, &a), 0);
	CU_ASSERT_EQUAL_FATAL(evidence_of(vm, 0x5A, &b), 0);
	CU_ASSERT_EQUAL(coco_evidence_report_data(a, rd), 0);
	CU_ASSERT_EQUAL(rd[0], 0xA5);
	CU_ASSERT_EQUAL(rd[63], 0xA5);
	CU_ASSERT_EQUAL(coco_evidence_report_data(b, other), 0);
	CU_ASSERT_EQUAL(other[17], 0x5A);

	anchors = roots_of(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(anchors);
	CU_ASSERT_EQUAL(coco_evidence_measurement(a, &m), 0);
	struct coco_verify_expect good = { .report_data = rd, .measurement = m.value,
					   .measurement_len = m.size };
	CU_ASSERT_EQUAL(coco_evidence_verify(a, anchors, &good, &res), 0);
	CU_ASSERT_TRUE(res.signature_ok && res.chain_ok && res.report_data_ok && res.measurement_ok);
	/* Evidence for other report data does not pass for these. */
	CU_ASSERT(coco_evidence_verify(b, anchors, &good, &res) < 0);
	CU_ASSERT_FALSE(res.report_data_ok);
	/* Nor with another measurement. */
	uint8_t wrong[COCO_MEASUREMENT_MAX];
	memcpy(wrong, m.value, m.size);
	wrong[0] ^= 0x80;
	struct coco_verify_expect bad_m = { .report_data = rd, .measurement = wrong,
					    .measurement_len = m.size };
	CU_ASSERT(coco_evidence_verify(a, anchors, &bad_m, &res) < 0);
	CU_ASSERT_FALSE(res.measurement_ok);
	coco_trust_anchors_free(anchors);
	coco_evidence_free(a);
	coco_evidence_free(b);
	coco_vm_destroy(vm);
	coco_plan_free(plan);
}

/*
 * Capacity: a platform holding N guests refuses guest N+1 cleanly and takes
 * a new one once a guest is destroyed.  Runs on a platform of its own made
 * small (model backends only: real hardware's capacity is not ours to use up).
 */
static void test_capacity_exhaustion_and_recovery(void)
{
	struct coco_host_options opts = { .private_platform = true, .model_max_guests = 3 };
	struct coco_launch_plan *plan = make_plan(1);
	struct coco_vm *vms[3] = { 0 }, *extra = NULL;
	struct coco_host *small;
	struct coco_vm_config c;
	struct coco_caps caps;

	CU_ASSERT_EQUAL_FATAL(coco_host_open(conf_backend, &opts, &small), 0);
	CU_ASSERT_EQUAL(coco_host_get_caps(small, &caps), 0);
	CU_ASSERT_EQUAL(caps.max_guests, 3);
	default_config(&c, 1);
	for (int i = 0; i < 3; i++) {
		CU_ASSERT_EQUAL(coco_vm_create(small, &c, &vms[i]), 0);
		if (vms[i])
			CU_ASSERT_EQUAL(coco_vm_launch_plan(vms[i], plan), 0);
	}
	CU_ASSERT_EQUAL(coco_host_get_caps(small, &caps), 0);
	CU_ASSERT_EQUAL(caps.active_guests, 3);
	CU_ASSERT_EQUAL(coco_vm_create(small, &c, &extra), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "in use"));
	/* A guest that ran goes away; its slot is usable again. */
	coco_vm_destroy(vms[1]);
	vms[1] = NULL;
	CU_ASSERT_EQUAL(coco_vm_create(small, &c, &extra), 0);
	if (extra) {
		CU_ASSERT_EQUAL(coco_vm_launch_plan(extra, plan), 0);
		coco_vm_destroy(extra);
	}
	for (int i = 0; i < 3; i++)
		coco_vm_destroy(vms[i]);
	CU_ASSERT_EQUAL(coco_host_get_caps(small, &caps), 0);
	CU_ASSERT_EQUAL(caps.active_guests, 0);
	coco_host_close(small);
	coco_plan_free(plan);
}

static void test_memory_conversion(void)
{
	struct coco_launch_plan *plan = make_plan(1);
	struct coco_vm_config c;
	enum coco_mem_state st;
	uint64_t run;
	struct coco_vm *vm;

	default_config(&c, 1);
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(conf_host, &c, &vm), 0);
	/* RAM starts private. */
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x800000, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_PRIVATE);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 64 * MiB, &st, &run), -ENOENT);
	CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), 0);

	/* 4 KiB and 2 MiB ranges both ways. */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x600000, PAGE, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x600000, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_SHARED);
	CU_ASSERT_EQUAL(run, PAGE);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x800000, 4 * MiB, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x800000, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_SHARED);
	CU_ASSERT_EQUAL(run, 4 * MiB);
	/* Half of a 2 MiB shared range back to private (splits it). */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x900000, MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x800000, &st, &run), 0);
	CU_ASSERT_EQUAL(run, MiB);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x800000, 4 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x800000, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_PRIVATE);
	/* Converting to the state a page is in succeeds; launched pages convert too. */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x800000, PAGE, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x100000, PAGE, COCO_MEM_SHARED), 0);
	/* Misaligned or outside guest memory: refused, nothing changed. */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x800010, PAGE, COCO_MEM_SHARED), -EINVAL);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 15 * MiB, 2 * MiB, COCO_MEM_SHARED), -ENOENT);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 15 * MiB, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_PRIVATE);
	coco_vm_destroy(vm);
	coco_plan_free(plan);
}

/* Launched pages are private: a region over memory made shared is refused, nothing changes. */
static void test_launch_over_shared_memory(void)
{
	struct coco_launch_plan *plan = make_plan(1);
	struct coco_vm_config c;
	enum coco_mem_state st;
	uint64_t run;
	struct coco_vm *vm;

	default_config(&c, 1);
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(conf_host, &c, &vm), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x101000, PAGE, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), -EINVAL);	/* "image" covers 0x101000 */
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "shared"));
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHING);	/* a refusal, not a failure */
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(vm, 0x101000, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_SHARED);
	coco_vm_destroy(vm);

	/* Converted back before the launch: it goes through. */
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(conf_host, &c, &vm), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x100000, 2 * PAGE, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x100000, 2 * PAGE, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), 0);
	coco_vm_destroy(vm);
	coco_plan_free(plan);
}

/* A host closed before its VMs stays usable by them until the last is destroyed. */
static void test_host_outlives_close(void)
{
	struct coco_host_options opts = { .private_platform = true };
	struct coco_launch_plan *plan = make_plan(1);
	struct coco_host *host;
	struct coco_vm_config c;
	struct coco_vm *a = NULL, *b = NULL;

	CU_ASSERT_EQUAL_FATAL(coco_host_open(conf_backend, &opts, &host), 0);
	coco_vm_config_init(&c, coco_host_vendor(host));
	c.memory_size = 16 * MiB;
	CU_ASSERT_EQUAL(coco_vm_create(host, &c, &a), 0);
	CU_ASSERT_EQUAL(coco_vm_create(host, &c, &b), 0);
	coco_host_close(host);
	if (a)
		CU_ASSERT_EQUAL(coco_vm_launch_plan(a, plan), 0);
	coco_vm_destroy(a);
	if (b)
		CU_ASSERT_EQUAL(coco_vm_launch_plan(b, plan), 0);
	coco_vm_destroy(b);	/* the last one closes the host */
	coco_plan_free(plan);
}

/* ------------------------------------------------------------------ */
/* Runner                                                               */

struct conf_case {
	const char *name;
	void (*fn)(void);
	uint32_t needs;		/* COCO_FEATURE_* */
	bool model_only;
};

static const struct conf_case cases[] = {
	{ "capabilities", test_caps, 0, false },
	{ "lifecycle order and bad sequences", test_lifecycle_order, 0, false },
	{ "bad regions", test_bad_regions, 0, false },
	{ "vendor policy validation", test_vendor_policies, 0, false },
	{ "measurement equals the expected measurement", test_measurement_equals_expected,
	  COCO_FEATURE_EVIDENCE, false },
	{ "measurement is deterministic and input-sensitive", test_measurement_sensitive, 0, false },
	{ "evidence binds report data", test_evidence_binds_report_data, COCO_FEATURE_EVIDENCE,
	  false },
	{ "capacity exhaustion and recovery", test_capacity_exhaustion_and_recovery, 0, true },
	{ "memory conversion", test_memory_conversion, COCO_FEATURE_MEMORY_CONVERSION, false },
	{ "launch over shared memory is refused", test_launch_over_shared_memory,
	  COCO_FEATURE_MEMORY_CONVERSION, false },
	{ "a host outlives its close while VMs exist", test_host_outlives_close, 0, true },
};

static int open_host(void)
{
	struct coco_host_options opts = { .private_platform = true };

	if (coco_host_open(conf_backend, &opts, &conf_host)) {
		fprintf(stderr, "conformance: cannot open %s: %s\n", conf_backend, coco_last_error());
		return 1;
	}
	return coco_host_get_caps(conf_host, &conf_caps) ? 1 : 0;
}

static int close_host(void)
{
	coco_host_close(conf_host);
	conf_host = NULL;
	return 0;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : getenv("COCO_CONFORMANCE_BACKEND");
	unsigned int backends = 0;
	int failed = 0;

	fill_inputs();
	for (size_t b = 0; b < coco_backend_count(); b++) {
		struct coco_probe_result probe;
		CU_TestInfo tests[sizeof(cases) / sizeof(cases[0]) + 1];
		size_t n = 0;
		char suite_name[64];

		conf_backend = coco_backend_name(b);
		if (only && strcmp(only, conf_backend))
			continue;
		if (coco_backend_probe(conf_backend, &probe) || !probe.available) {
			printf("conformance: backend %s not available here, not run\n", conf_backend);
			continue;
		}
		if (open_host()) {
			failed = 1;
			continue;
		}
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			if (!has_feature(cases[i].needs) || (cases[i].model_only && probe.hardware)) {
				printf("conformance: %s: '%s' does not apply\n", conf_backend,
				       cases[i].name);
				continue;
			}
			tests[n++] = (CU_TestInfo){ cases[i].name, cases[i].fn };
		}
		tests[n] = (CU_TestInfo)CU_TEST_INFO_NULL;
		snprintf(suite_name, sizeof(suite_name), "conformance/%s", conf_backend);
		CU_SuiteInfo suites[] = {
			{ suite_name, NULL, close_host, NULL, NULL, tests },
			CU_SUITE_INFO_NULL,
		};
		/* One registry per backend: CUnit suites carry no context of their own. */
		if (coco_test_run(suites))
			failed = 1;
		backends++;
	}
	if (!backends) {
		fprintf(stderr, "conformance: no backend ran%s%s\n", only ? " matching " : "",
			only ? only : "");
		return 1;
	}
	return failed;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/tdvf-plan.c (TDVF launch plans) and the tdx-model
 * backend registration.  The synthetic vector's MRTD (read from
 * mrtd_vectors.txt) through coco_plan_from_firmware and
 * coco_plan_expected_measurement; the section-to-region mapping on crafted
 * images; the refusals.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "core/error.h"
#include "core/util.h"
#include "tests/common/tdvf-image.h"
#include "tests/common/tdx-vectors.h"
#include "tests/common/test-main.h"

static uint8_t img[TEST_TDVF_LEN];

static const char *vector_path(void)
{
	static char path[4096];

	snprintf(path, sizeof(path), "%s", coco_test_vector("tdx/measure/synthetic_tdvf.bin"));
	return path;
}

static void test_synthetic_mrtd(void)
{
	struct coco_firmware_spec spec = { .firmware_path = vector_path(), .vcpus = 1 };
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	uint8_t expected[48];
	uint8_t *file = NULL;
	size_t len = 0;

	CU_ASSERT_FATAL(tdx_vector_get("MRTD (tools/tdx_mrtd.py)", ":", expected));
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	CU_ASSERT(!memcmp(m.value, expected, 48));

	/* Four regions: the PAGE_AUG TEMP_MEM at 0x900000 is not part of the launch. */
	CU_ASSERT_EQUAL_FATAL(coco_plan_region_count(plan), 4);
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->type, COCO_PAGE_MEASURED);	/* BFV */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->gpa, 0xFFFFE000);
	CU_ASSERT_EQUAL(coco_plan_region(plan, 1)->type, COCO_PAGE_UNMEASURED);	/* CFV */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 2)->type, COCO_PAGE_ZERO);	/* TEMP_MEM */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 3)->type, COCO_PAGE_ZERO);	/* TD_HOB */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 3)->gpa, 0x809000);
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 1);
	coco_plan_free(plan);

	/* The same image given in memory, with more vCPUs: the same MRTD. */
	CU_ASSERT_EQUAL_FATAL(coco_read_file(vector_path(), 1u << 20, "vector", &file, &len), 0);
	spec = (struct coco_firmware_spec){ .firmware_data = file, .firmware_len = len,
					    .vcpus = 8 };
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_firmware("tdx-model", &spec, NULL, &plan), 0);
	free(file);	/* the plan keeps its own copy */
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 8);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("tdx", NULL, plan, &m), 0);
	CU_ASSERT(!memcmp(m.value, expected, 48));
	coco_plan_free(plan);
}

static struct coco_launch_plan *plan_of(const struct test_tdvf *t, int *ret)
{
	struct coco_firmware_spec spec = { .firmware_data = img, .firmware_len = sizeof(img),
					   .vcpus = 1 };
	struct coco_launch_plan *plan = NULL;

	test_tdvf_write(t, img);
	*ret = coco_plan_from_firmware("tdx", &spec, NULL, &plan);
	return plan;
}

static void test_section_mapping(void)
{
	struct test_tdvf t;
	struct coco_launch_plan *plan;
	int ret;

	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	/* An MR_EXTEND TEMP_MEM is measured zeros; PERM_MEM without data is zero pages. */
	test_tdvf_add(&t, 0, 0, 0x1000000, 0x2000, TDX_TDVF_TEMP_MEM, TDX_TDVF_ATTR_MR_EXTEND);
	test_tdvf_add(&t, 0, 0, 0x2000000, 0x1000, TDX_TDVF_PERM_MEM, 0);
	test_tdvf_add(&t, 0, 0, 0x3000000, 0x1000, TDX_TDVF_PERM_MEM, TDX_TDVF_ATTR_PAGE_AUG);
	test_tdvf_add(&t, 0x3000, 0x800, 0x4000000, 0x1000, TDX_TDVF_PAYLOAD_PARAM, 0);
	plan = plan_of(&t, &ret);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_region_count(plan), 7);

	static const struct { uint64_t gpa, size; enum coco_page_type type; uint32_t off, len; }
	expect[] = {
		{ 0xFFFFC000, 0x4000, COCO_PAGE_MEASURED, 0x4000, 0x3000 },
		{ 0xFFFFB000, 0x1000, COCO_PAGE_UNMEASURED, 0x2000, 0x1000 },
		{ 0x800000, 0x2000, COCO_PAGE_ZERO, 0, 0 },
		{ 0x809000, 0x1000, COCO_PAGE_ZERO, 0, 0 },
		{ 0x1000000, 0x2000, COCO_PAGE_MEASURED, 0, 0 },
		{ 0x2000000, 0x1000, COCO_PAGE_ZERO, 0, 0 },
		{ 0x4000000, 0x1000, COCO_PAGE_UNMEASURED, 0x3000, 0x800 },
	};
	for (size_t i = 0; i < 7; i++) {
		const struct coco_region *r = coco_plan_region(plan, i);
		CU_ASSERT_EQUAL(r->gpa, expect[i].gpa);
		CU_ASSERT_EQUAL(r->size, expect[i].size);
		CU_ASSERT_EQUAL(r->type, expect[i].type);
		CU_ASSERT_EQUAL(r->data_len, expect[i].len);
		/* Section data are the image's bytes at DataOffset. */
		if (expect[i].len)
			CU_ASSERT(!memcmp(r->data, img + expect[i].off, expect[i].len));
		CU_ASSERT_PTR_NOT_NULL(r->label);
	}
	/* The plan owns its copy: changing the caller's image changes nothing. */
	memset(img, 0, sizeof(img));
	CU_ASSERT_EQUAL(((const uint8_t *)coco_plan_region(plan, 0)->data)[0], test_tdvf_byte(0x4000));
	coco_plan_free(plan);
}

static void test_plan_refusals(void)
{
	struct coco_firmware_spec spec = { .firmware_path = vector_path(), .vcpus = 1 };
	struct coco_launch_plan *plan = NULL;
	const uint8_t digest[48] = { 0 };
	struct test_tdvf t;
	int ret;

	spec.kernel_path = "/dev/null";
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "RTMR"));
	spec.kernel_path = NULL;
	spec.cmdline = "console=ttyS0";
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -ENOTSUP);
	spec.cmdline = NULL;
	spec.flags = COCO_FIRMWARE_IMAGE_ONLY;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -ENOTSUP);
	spec.flags = COCO_FIRMWARE_ALLOW_NO_METADATA;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -EINVAL);
	spec.flags = 1u << 9;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -EINVAL);
	spec.flags = 0;
	spec.firmware_measurement = digest;
	spec.firmware_measurement_len = 48;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -ENOTSUP);
	spec.firmware_measurement = NULL;
	spec.vcpus = 0;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -EINVAL);
	spec.vcpus = 513;
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -EINVAL);
	spec.vcpus = 1;
	spec.firmware_data = img;
	spec.firmware_len = sizeof(img);
	CU_ASSERT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), -EINVAL);
	spec.firmware_data = NULL;
	spec.firmware_path = "/nonexistent/tdvf.fd";
	CU_ASSERT_NOT_EQUAL(coco_plan_from_firmware("tdx", &spec, NULL, &plan), 0);
	CU_ASSERT_PTR_NULL(plan);

	/* Images whose plan these launches cannot build. */
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	test_tdvf_add(&t, 0, 0, 0x2000000, 0x100000, TDX_TDVF_PAYLOAD, 0);
	CU_ASSERT_PTR_NULL(plan_of(&t, &ret));
	CU_ASSERT_EQUAL(ret, -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "section 4 (PAYLOAD)"));
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.sections[3].attributes = TDX_TDVF_ATTR_MR_EXTEND;
	CU_ASSERT_PTR_NULL(plan_of(&t, &ret));
	CU_ASSERT_EQUAL(ret, -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TD_HOB"));
	/* A malformed image: the parser's message, with the image named. */
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.sections[2].memory_address = 0x800800;
	CU_ASSERT_PTR_NULL(plan_of(&t, &ret));
	CU_ASSERT_EQUAL(ret, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "section 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "in memory"));
}

static void test_backend_registration(void)
{
	struct coco_probe_result r;
	struct coco_host *host = NULL;
	bool found = false;

	for (size_t i = 0; i < coco_backend_count(); i++)
		found |= !strcmp(coco_backend_name(i), "tdx-model");
	CU_ASSERT(found);
	CU_ASSERT_EQUAL_FATAL(coco_backend_probe("tdx-model", &r), 0);
	CU_ASSERT_EQUAL(r.vendor, COCO_VENDOR_INTEL_TDX);
	CU_ASSERT_FALSE(r.hardware);
	/* The model stands in for the hardware: it is always there, and a host opens. */
	CU_ASSERT_TRUE(r.available);
	struct coco_host_options opts = { .private_platform = true };
	struct coco_caps caps;
	CU_ASSERT_EQUAL_FATAL(coco_host_open("tdx-model", &opts, &host), 0);
	CU_ASSERT_EQUAL(coco_host_vendor(host), COCO_VENDOR_INTEL_TDX);
	CU_ASSERT_EQUAL(coco_host_get_caps(host, &caps), 0);
	CU_ASSERT_EQUAL(caps.measurement_size, 48);
	coco_host_close(host);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "synthetic vector MRTD", test_synthetic_mrtd },
		{ "sections to regions", test_section_mapping },
		{ "refusals", test_plan_refusals },
		{ "tdx-model registration", test_backend_registration },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "tdx-plan", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

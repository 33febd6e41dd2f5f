/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests (public API): the backend registry and run-time selection —
 * "auto", an explicit name, COCO_BACKEND — and probe reports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static void test_registry_order(void)
{
	size_t n = coco_backend_count();
	bool seen_model = false;

	CU_ASSERT(n >= 2);
	CU_ASSERT_PTR_NULL(coco_backend_name(n));
	/* Hardware backends come before every model ("auto" prefers hardware). */
	for (size_t i = 0; i < n; i++) {
		struct coco_probe_result r;
		CU_ASSERT_EQUAL(coco_backend_probe(coco_backend_name(i), &r), 0);
		CU_ASSERT_STRING_EQUAL(r.backend, coco_backend_name(i));
		CU_ASSERT(r.nchecks > 0);
		if (r.hardware) {
			CU_ASSERT_FALSE(seen_model);
		} else {
			seen_model = true;
		}
	}
	CU_ASSERT_TRUE(seen_model);
}

static void test_probe_reports(void)
{
	struct coco_probe_result r;

	CU_ASSERT_EQUAL(coco_backend_probe("no-such-backend", &r), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "sev-snp-model"));
	CU_ASSERT_EQUAL(coco_backend_probe("sev-snp", &r), 0);
	CU_ASSERT_TRUE(r.hardware);
	CU_ASSERT_EQUAL(r.vendor, COCO_VENDOR_AMD_SEV_SNP);
	/* Every failed check says what to do about it; available means all passed. */
	bool all_passed = true;
	for (unsigned int i = 0; i < r.nchecks; i++) {
		if (!r.checks[i].passed) {
			all_passed = false;
			CU_ASSERT(strlen(r.checks[i].remediation) > 10);
		}
		CU_ASSERT(strlen(r.checks[i].detail) > 0);
	}
	CU_ASSERT_EQUAL(r.available, all_passed);
}

static void test_selection(void)
{
	struct coco_probe_result hw, r;
	const char *name = NULL;

	unsetenv("COCO_BACKEND");
	CU_ASSERT_EQUAL(coco_backend_probe("sev-snp", &hw), 0);
	CU_ASSERT_EQUAL(coco_backend_select("auto", &name, &r), 0);
	CU_ASSERT_STRING_EQUAL(name, hw.available ? "sev-snp" : "sev-snp-model");
	CU_ASSERT_EQUAL(coco_backend_select(NULL, &name, NULL), 0);
	CU_ASSERT_STRING_EQUAL(name, hw.available ? "sev-snp" : "sev-snp-model");

	/* An explicit hardware backend that is absent: -ENODEV naming the checks and fixes. */
	if (!hw.available) {
		CU_ASSERT_EQUAL(coco_backend_select("sev-snp", &name, &r), -ENODEV);
		CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "not available"));
		CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "("));
		CU_ASSERT_FALSE(r.available);
	}

	/* COCO_BACKEND stands in for "auto" and NULL, never for an explicit name. */
	setenv("COCO_BACKEND", "sev-snp-model", 1);
	CU_ASSERT_EQUAL(coco_backend_select(NULL, &name, NULL), 0);
	CU_ASSERT_STRING_EQUAL(name, "sev-snp-model");
	setenv("COCO_BACKEND", "bogus", 1);
	CU_ASSERT_EQUAL(coco_backend_select("auto", &name, NULL), -ENOENT);
	CU_ASSERT_EQUAL(coco_backend_select("sev-snp-model", &name, NULL), 0);
	CU_ASSERT_STRING_EQUAL(name, "sev-snp-model");
	setenv("COCO_BACKEND", "auto", 1);
	CU_ASSERT_EQUAL(coco_backend_select(NULL, &name, NULL), 0);
	unsetenv("COCO_BACKEND");
}

static void test_host_open(void)
{
	struct coco_host_options opts = { .private_platform = true };
	struct coco_host *host;

	CU_ASSERT_EQUAL(coco_host_open("nope", &opts, &host), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(coco_host_open("sev-snp-model", &opts, &host), 0);
	CU_ASSERT_STRING_EQUAL(coco_host_backend(host), "sev-snp-model");
	CU_ASSERT_EQUAL(coco_host_vendor(host), COCO_VENDOR_AMD_SEV_SNP);
	CU_ASSERT_FALSE(coco_host_is_hardware(host));
	CU_ASSERT_STRING_EQUAL(coco_vendor_name(coco_host_vendor(host)), "sev-snp");
	coco_host_close(host);
	coco_host_close(NULL);
}

static CU_TestInfo tests[] = {
	{ "registry order: hardware before models", test_registry_order },
	{ "probe reports", test_probe_reports },
	{ "selection: auto, names, COCO_BACKEND", test_selection },
	{ "host open", test_host_open },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "backend-select", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared CUnit runner for cocohost tests: runs the suites, prints the
 * summary, exits 1 when any assertion failed, 77 (meson SKIP) when the test
 * cannot run here, and 1 when no test ran at all (a run that checks
 * nothing is not a pass).
 */
#ifndef COCO_TEST_MAIN_H
#define COCO_TEST_MAIN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#define COCO_TEST_SKIP 77

static inline int coco_test_run(CU_SuiteInfo *suites)
{
	unsigned int failures, ran;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	if (CU_register_suites(suites) != CUE_SUCCESS) {
		fprintf(stderr, "CUnit: %s\n", CU_get_error_msg());
		CU_cleanup_registry();
		return 1;
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	ran = CU_get_number_of_tests_run();
	CU_cleanup_registry();
	if (ran == 0) {
		fprintf(stderr, "no test ran\n");
		return 1;
	}
	return failures ? 1 : 0;
}

/* Path of a file under the test vectors directory (COCO_TEST_VECTORS). */
static inline const char *coco_test_vector(const char *relative)
{
	static char buf[4096];
	const char *dir = getenv("COCO_TEST_VECTORS");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/vectors", relative);
	return buf;
}

#endif

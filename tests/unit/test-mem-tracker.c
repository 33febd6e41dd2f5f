/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests: memory/mem-tracker.c, the private/shared extent map. */
#include <errno.h>
#include <stdlib.h>

#include "memory/mem-tracker.h"
#include "tests/common/test-main.h"

#define MiB (1024ull * 1024)

static struct coco_mem_tracker *t;

static void setup(void)
{
	if (coco_mem_tracker_new(&t))
		t = NULL;
}

static void teardown(void)
{
	coco_mem_tracker_free(t);
	t = NULL;
}

static enum coco_mem_state state_at(uint64_t gpa, uint64_t *run)
{
	enum coco_mem_state s = 99;
	CU_ASSERT_EQUAL(coco_mem_tracker_get(t, gpa, &s, run), 0);
	return s;
}

static void test_add_and_query(void)
{
	uint64_t run;

	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 0, 16 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(state_at(0x1000, &run), COCO_MEM_PRIVATE);
	CU_ASSERT_EQUAL(run, 16 * MiB - 0x1000);
	/* Outside guest memory. */
	enum coco_mem_state s;
	CU_ASSERT_EQUAL(coco_mem_tracker_get(t, 16 * MiB, &s, &run), -ENOENT);
	/* Overlap refused. */
	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 15 * MiB, 2 * MiB, COCO_MEM_SHARED), -EEXIST);
	/* Touching range of the same state merges into one extent. */
	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 16 * MiB, 4 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 1);
	state_at(0, &run);
	CU_ASSERT_EQUAL(run, 20 * MiB);
}

static void test_set_splits_and_merges(void)
{
	uint64_t run;

	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 0, 16 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, 4 * MiB, 0x1000, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 3);
	CU_ASSERT_EQUAL(state_at(4 * MiB, &run), COCO_MEM_SHARED);
	CU_ASSERT_EQUAL(run, 0x1000);
	CU_ASSERT_EQUAL(state_at(4 * MiB - 0x1000, &run), COCO_MEM_PRIVATE);
	CU_ASSERT_EQUAL(run, 0x1000);
	/* Neighbouring page joins the shared run. */
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, 4 * MiB + 0x1000, 0x1000, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 3);
	state_at(4 * MiB, &run);
	CU_ASSERT_EQUAL(run, 0x2000);
	/* Back to private: one extent again. */
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, 4 * MiB, 0x2000, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 1);
	/* A set across many extents collapses them. */
	for (uint64_t p = 0; p < 8 * MiB; p += 0x2000)
		CU_ASSERT_EQUAL(coco_mem_tracker_set(t, p, 0x1000, COCO_MEM_SHARED), 0);
	CU_ASSERT(coco_mem_tracker_extents(t) > 1000);
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, 0, 16 * MiB, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 1);
}

static void test_set_outside_changes_nothing(void)
{
	uint64_t run;

	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 0, 2 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 4 * MiB, 2 * MiB, COCO_MEM_PRIVATE), 0);
	/* The hole at [2, 4) MiB makes the whole set fail. */
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, MiB, 4 * MiB, COCO_MEM_SHARED), -ENOENT);
	CU_ASSERT_EQUAL(state_at(MiB, &run), COCO_MEM_PRIVATE);
	CU_ASSERT_EQUAL(state_at(4 * MiB, &run), COCO_MEM_PRIVATE);
	/* A run stops at a hole even when the state continues after it. */
	state_at(0, &run);
	CU_ASSERT_EQUAL(run, 2 * MiB);
	CU_ASSERT_EQUAL(coco_mem_tracker_covered(t, 0, 6 * MiB), -ENOENT);
	CU_ASSERT_EQUAL(coco_mem_tracker_covered(t, 4 * MiB, 2 * MiB), 0);
}

static void test_remove(void)
{
	enum coco_mem_state s;

	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 0, 8 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_set(t, 3 * MiB, MiB, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_remove(t, 2 * MiB, 4 * MiB), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_get(t, 3 * MiB, &s, NULL), -ENOENT);
	CU_ASSERT_EQUAL(coco_mem_tracker_get(t, 6 * MiB, &s, NULL), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 2);
	/* Removing what is not there fails and keeps the rest. */
	CU_ASSERT_EQUAL(coco_mem_tracker_remove(t, MiB, 2 * MiB), -ENOENT);
	CU_ASSERT_EQUAL(coco_mem_tracker_covered(t, 0, 2 * MiB), 0);
	/* And the range can be added again. */
	CU_ASSERT_EQUAL(coco_mem_tracker_add(t, 2 * MiB, 4 * MiB, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(coco_mem_tracker_extents(t), 1);
}

static CU_TestInfo tests[] = {
	{ "add and query", test_add_and_query },
	{ "set splits and merges", test_set_splits_and_merges },
	{ "set over a hole changes nothing", test_set_outside_changes_nothing },
	{ "remove", test_remove },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "mem-tracker", NULL, NULL, setup, teardown, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

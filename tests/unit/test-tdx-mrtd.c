/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/mrtd.c.  The primitive vectors V1-V5 of
 * tests/vectors/tdx/measure/mrtd_vectors.txt (read from the file), the
 * whole-page fast path against the one-call-per-operation path, and the
 * refusals (misaligned GPAs, use after finalize).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tdx/mrtd.h"
#include "tests/common/tdx-vectors.h"
#include "tests/common/test-main.h"

static uint8_t expected[48];

static void load(const char *name)
{
	memset(expected, 0, sizeof(expected));
	if (!tdx_vector_get(name, "->", expected))
		CU_FAIL_FATAL("vector missing from mrtd_vectors.txt");
}

static void test_v1_v2_page_add(void)
{
	struct tdx_mrtd m;
	uint8_t out[48];

	load("V1 ");
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_page_add(&m, 0), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_fini(&m);

	load("V2 ");
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_page_add(&m, 0xFFFFF000), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_fini(&m);

	/* The batched PAGE.ADD path gives the same. */
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&m, 0xFFFFF000, NULL, 1, false), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_fini(&m);
}

static void test_v3_measured_zero_page(void)
{
	static const uint8_t zero[4096];
	struct tdx_mrtd m;
	uint8_t out[48];

	load("V3 ");
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_page_add(&m, 0x1000), 0);
	for (unsigned int i = 0; i < 16; i++)
		CU_ASSERT_EQUAL(tdx_mrtd_extend(&m, 0x1000 + i * 256, zero + i * 256), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_fini(&m);

	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&m, 0x1000, zero, 1, true), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_fini(&m);
}

static void test_v4_empty(void)
{
	struct tdx_mrtd *m = NULL;
	uint8_t out[48];

	load("V4 ");
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_new(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(m, out), 0);
	CU_ASSERT(!memcmp(out, expected, 48));
	tdx_mrtd_free(m);
}

static void test_v5_rtmr(void)
{
	uint8_t rtmr[48] = { 0 }, digest[48];

	load("V5 ");
	for (unsigned int i = 0; i < 48; i++)
		digest[i] = (uint8_t)i;
	CU_ASSERT_EQUAL(tdx_rtmr_extend(rtmr, digest), 0);
	CU_ASSERT(!memcmp(rtmr, expected, 48));
	/* A second extend chains: the value moves on. */
	CU_ASSERT_EQUAL(tdx_rtmr_extend(rtmr, digest), 0);
	CU_ASSERT(memcmp(rtmr, expected, 48));
}

/* Many pages of varied contents: fast paths equal one call per operation. */
static void test_fast_path_equals_primitives(void)
{
	const uint64_t npages = 150, base = 0x7ff00000;
	uint8_t *data = malloc(npages * 4096);
	struct tdx_mrtd fast, slow;
	uint8_t a[48], b[48];

	CU_ASSERT_FATAL(data != NULL);
	for (size_t i = 0; i < npages * 4096; i++)
		data[i] = (uint8_t)(i * 131 + (i >> 12));
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&fast), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&slow), 0);
	/* Measured pages, then more pages than one PAGE.ADD batch holds. */
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&fast, base, data, npages, true), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&fast, 0x100000, data, npages, false), 0);
	for (uint64_t p = 0; p < npages; p++) {
		CU_ASSERT_EQUAL(tdx_mrtd_page_add(&slow, base + p * 4096), 0);
		for (unsigned int c = 0; c < 16; c++)
			tdx_mrtd_extend(&slow, base + p * 4096 + c * 256, data + p * 4096 + c * 256);
	}
	for (uint64_t p = 0; p < npages; p++)
		tdx_mrtd_page_add(&slow, 0x100000 + p * 4096);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&fast, a), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&slow, b), 0);
	CU_ASSERT(!memcmp(a, b, 48));
	tdx_mrtd_fini(&fast);
	tdx_mrtd_fini(&slow);

	/* Contents matter for extended pages, and only for them. */
	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&fast), 0);
	data[4096 * 3 + 7] ^= 1;
	tdx_mrtd_add_pages(&fast, base, data, npages, true);
	tdx_mrtd_add_pages(&fast, 0x100000, data, npages, false);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&fast, b), 0);
	CU_ASSERT(memcmp(a, b, 48));
	tdx_mrtd_fini(&fast);
	free(data);
}

static void test_refusals(void)
{
	static const uint8_t chunk[256];
	struct tdx_mrtd m;
	uint8_t out[48];

	CU_ASSERT_EQUAL_FATAL(tdx_mrtd_init(&m), 0);
	CU_ASSERT_EQUAL(tdx_mrtd_page_add(&m, 0x1800), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "not 4 KiB aligned"));
	CU_ASSERT_EQUAL(tdx_mrtd_extend(&m, 0x1080, chunk), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "not 256-byte aligned"));
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&m, 0x10, chunk, 1, false), -EINVAL);
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&m, 0xFFFFFFFFFFFFF000ull, NULL, 2, false), -EINVAL);
	CU_ASSERT_EQUAL(tdx_mrtd_add_pages(&m, 0x1000, NULL, 1, true), -EINVAL);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), 0);
	/* After TDH.MR.FINALIZE nothing more enters. */
	CU_ASSERT_EQUAL(tdx_mrtd_page_add(&m, 0x1000), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "final"));
	CU_ASSERT_EQUAL(tdx_mrtd_extend(&m, 0x1000, chunk), -EINVAL);
	CU_ASSERT_EQUAL(tdx_mrtd_final(&m, out), -EINVAL);
	tdx_mrtd_fini(&m);
	/* The refused calls above left the stream as it was: an empty TD's value. */
	load("V4 ");
	CU_ASSERT(!memcmp(out, expected, 48));
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "V1, V2: PAGE.ADD", test_v1_v2_page_add },
		{ "V3: PAGE.ADD + 16 MR.EXTEND", test_v3_measured_zero_page },
		{ "V4: empty TD", test_v4_empty },
		{ "V5: RTMR extend", test_v5_rtmr },
		{ "fast paths equal primitives", test_fast_path_equals_primitives },
		{ "refusals", test_refusals },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "tdx-mrtd", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

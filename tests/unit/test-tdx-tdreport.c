/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the TDREPORT_STRUCT codec (tdx/tdreport.c): field offsets
 * against tdx.md 5.1, strict decoding, and the two SHA-384 hashes.
 */
#include <errno.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/tdreport.h"
#include "tests/common/tdx-model-quote.h"
#include "tests/common/test-main.h"

static const uint8_t report_data[64] = { 0xc0, 0xc0, [63] = 0x77 };

static void encode_sample(uint8_t out[TDX_TDREPORT_SIZE], struct tdx_tdreport *r)
{
	tdx_test_tdreport(r, 1, report_data);
	CU_ASSERT_EQUAL_FATAL(tdx_tdreport_encode(r, out), 0);
}

/* Offsets from tdx.md 5.1, independent of the codec's own tables. */
static void test_offsets(void)
{
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE];

	encode_sample(raw, &r);
	CU_ASSERT_EQUAL(raw[0], 0x81);
	CU_ASSERT_EQUAL(raw[2], 1);
	CU_ASSERT_EQUAL(memcmp(raw + 16, r.cpusvn, 16), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 32, r.tee_tcb_info_hash, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 80, r.tee_info_hash, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 128, report_data, 64), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 224, r.mac, 32), 0);
	CU_ASSERT_EQUAL(coco_le64(raw + 256), r.tee_tcb_info.valid);
	CU_ASSERT_EQUAL(memcmp(raw + 256 + 8, r.tee_tcb_info.tee_tcb_svn, 16), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 256 + 24, r.tee_tcb_info.mrseam, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 256 + 128, r.tee_tcb_info.tee_tcb_svn2, 16), 0);
	CU_ASSERT_EQUAL(coco_le64(raw + 512), r.tdinfo.attributes);
	CU_ASSERT_EQUAL(coco_le64(raw + 520), 0x61ae7);
	CU_ASSERT_EQUAL(memcmp(raw + 512 + 16, r.tdinfo.mrtd, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 512 + 64, r.tdinfo.mrconfigid, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 512 + 112, r.tdinfo.mrowner, 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 512 + 160, r.tdinfo.mrownerconfig, 48), 0);
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(memcmp(raw + 512 + 208 + 48 * i, r.tdinfo.rtmr[i], 48), 0);
	CU_ASSERT_EQUAL(memcmp(raw + 512 + 400, r.tdinfo.servtd_hash, 48), 0);
	CU_ASSERT(coco_all_zero(raw + 512 + 448, 64));
	CU_ASSERT(coco_all_zero(raw + 256 + 144, 512 - 256 - 144));
}

static void test_round_trip(void)
{
	struct tdx_tdreport r, back;
	uint8_t raw[TDX_TDREPORT_SIZE], again[TDX_TDREPORT_SIZE];

	encode_sample(raw, &r);
	CU_ASSERT_EQUAL_FATAL(tdx_tdreport_decode(raw, sizeof(raw), &back), 0);
	CU_ASSERT_EQUAL(memcmp(&back, &r, sizeof(r)), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_tdreport_encode(&back, again), 0);
	CU_ASSERT_EQUAL(memcmp(raw, again, sizeof(raw)), 0);
}

/* The hashes are SHA-384 of [256, 495) and [512, 1024), computed here with EVP directly. */
static void test_hashes(void)
{
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE], digest[48];
	unsigned int n;

	encode_sample(raw, &r);
	CU_ASSERT_FATAL(EVP_Digest(raw + 512, 512, digest, &n, EVP_sha384(), NULL) == 1);
	CU_ASSERT_EQUAL(memcmp(raw + 80, digest, 48), 0);
	CU_ASSERT_FATAL(EVP_Digest(raw + 256, 239, digest, &n, EVP_sha384(), NULL) == 1);
	CU_ASSERT_EQUAL(memcmp(raw + 32, digest, 48), 0);
	CU_ASSERT_EQUAL(tdx_tdreport_check_hashes(raw), 0);

	raw[512 + 16] ^= 1;		/* MRTD */
	CU_ASSERT_EQUAL(tdx_tdreport_check_hashes(raw), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TEE_INFO_HASH"));
	raw[512 + 16] ^= 1;
	raw[256 + 24] ^= 1;		/* MRSEAM */
	CU_ASSERT_EQUAL(tdx_tdreport_check_hashes(raw), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TEE_TCB_INFO_HASH"));
}

static void expect_reject(const uint8_t *raw, size_t len, const char *needle)
{
	struct tdx_tdreport r;

	CU_ASSERT_EQUAL(tdx_tdreport_decode(raw, len, &r), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), needle));
	if (!strstr(coco_last_error(), needle))
		fprintf(stderr, "expected \"%s\" in: %s\n", needle, coco_last_error());
}

static void test_strict(void)
{
	static const struct { size_t off; uint8_t value; const char *needle; } cases[] = {
		{ 0, 0x00, "SGX report" },
		{ 1, 1, "SUBTYPE (offset 1)" },
		{ 2, 2, "VERSION (offset 2)" },
		{ 3, 1, "byte 3 " },
		{ 4, 1, "byte 4 " },
		{ 15, 1, "byte 15 " },
		{ 192, 1, "byte 192 " },
		{ 223, 1, "byte 223 " },
		{ 400, 1, "TEE_TCB_INFO reserved tail" },
		{ 494, 1, "byte 494 " },
		{ 495, 1, "reserved after TEE_TCB_INFO" },
		{ 511, 1, "byte 511 " },
		{ 960, 1, "TDINFO reserved tail" },
		{ 1023, 1, "byte 1023 " },
	};
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE + 1], bad[TDX_TDREPORT_SIZE];

	encode_sample(raw, &r);
	raw[TDX_TDREPORT_SIZE] = 0;
	expect_reject(raw, TDX_TDREPORT_SIZE - 1, "exactly 1024");
	expect_reject(raw, TDX_TDREPORT_SIZE + 1, "exactly 1024");
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cases); i++) {
		memcpy(bad, raw, sizeof(bad));
		bad[cases[i].off] = cases[i].value;
		expect_reject(bad, sizeof(bad), cases[i].needle);
	}
	/* Version 0 (TDX 1.0) is fine, and so is a report whose 1.5 fields are zero. */
	memcpy(bad, raw, sizeof(bad));
	bad[2] = 0;
	CU_ASSERT_EQUAL(tdx_tdreport_decode(bad, sizeof(bad), &r), 0);
	/* Encode refuses what decode refuses. */
	r.report_type = 0;
	CU_ASSERT_EQUAL(tdx_tdreport_encode(&r, bad), -EINVAL);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "offsets", test_offsets },
		{ "round trip", test_round_trip },
		{ "hashes", test_hashes },
		{ "strict decoding", test_strict },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "tdx-tdreport", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

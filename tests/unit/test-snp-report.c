/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/report.c, the ATTESTATION_REPORT codec.  Real
 * reports (tests/vectors/snp, provenance in tests/vectors/README.md) pin
 * the layout; synthetic reports cover each version's fields and every
 * refusal.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/report.h"
#include "tests/common/test-main.h"

static uint8_t *read_vector(const char *relative, size_t *len)
{
	uint8_t *data = NULL;

	if (coco_read_file(coco_test_vector(relative), 1 << 20, "test vector", &data, len)) {
		fprintf(stderr, "%s\n", coco_last_error());
		return NULL;
	}
	return data;
}

/* A report with every field of @version set to a distinct non-zero pattern. */
static void fill_report(struct snp_report *r, uint32_t version)
{
	memset(r, 0, sizeof(*r));
	r->version = version;
	r->guest_svn = 0x11223344;
	r->policy = 0x30000 | (1ull << 19);
	for (int i = 0; i < 16; i++) {
		r->family_id[i] = (uint8_t)(0x10 + i);
		r->image_id[i] = (uint8_t)(0x20 + i);
	}
	r->vmpl = 2;
	r->signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
	r->current_tcb = 0x7308000000000003ull;
	r->platform_info = 0x25;
	r->signer_info = SNP_SIGNER_AUTHOR_KEY_EN | (SNP_SIGNING_KEY_VLEK << SNP_SIGNER_KEY_SHIFT);
	for (int i = 0; i < 64; i++) {
		r->report_data[i] = (uint8_t)(0x80 + i);
		r->chip_id[i] = (uint8_t)(0xC0 ^ i);
	}
	for (int i = 0; i < 48; i++) {
		r->measurement[i] = (uint8_t)(0x30 + i);
		r->id_key_digest[i] = (uint8_t)(0x60 + i);
		r->author_key_digest[i] = (uint8_t)(0x90 + i);
		r->signature_r[i] = (uint8_t)(1 + i);
		r->signature_s[i] = (uint8_t)(0xF0 - i);
	}
	for (int i = 0; i < 32; i++) {
		r->host_data[i] = (uint8_t)(0x50 + i);
		r->report_id[i] = (uint8_t)(0xA0 + i);
		r->report_id_ma[i] = 0xFF;
	}
	r->reported_tcb = 0x7308000000000002ull;
	if (version >= 3) {
		r->cpuid_fam_id = 0x19;
		r->cpuid_mod_id = 0xA0;
		r->cpuid_step = 2;
	}
	r->committed_tcb = 0x7208000000000002ull;
	r->current_build = 49;
	r->current_minor = 55;
	r->current_major = 1;
	r->committed_build = 48;
	r->committed_minor = 55;
	r->committed_major = 1;
	r->launch_tcb = 0x7108000000000001ull;
	if (version >= 5) {
		r->launch_mit_vector = 0xB;
		r->current_mit_vector = 0xF;
	}
}

static void round_trip(uint32_t version)
{
	struct snp_report in, out;
	uint8_t buf[SNP_REPORT_SIZE], again[SNP_REPORT_SIZE];

	fill_report(&in, version);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&in, buf), 0);
	CU_ASSERT_EQUAL(coco_le32(buf), version);
	CU_ASSERT_EQUAL(coco_le64(buf + 0x180), in.reported_tcb);
	CU_ASSERT_EQUAL(memcmp(buf + 0x90, in.measurement, 48), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 0x50, in.report_data, 64), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 0x1A0, in.chip_id, 64), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 0x2A0, in.signature_r, 72), 0);
	CU_ASSERT_EQUAL(memcmp(buf + 0x2E8, in.signature_s, 72), 0);
	CU_ASSERT_EQUAL(buf[0x1EA], 1);
	CU_ASSERT_EQUAL(buf[0x1E9], 55);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(buf, sizeof(buf), &out), 0);
	CU_ASSERT_EQUAL(memcmp(&in, &out, sizeof(in)), 0);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&out, again), 0);
	CU_ASSERT_EQUAL(memcmp(buf, again, sizeof(buf)), 0);
}

static void test_round_trip_v2(void)
{
	round_trip(2);
}

static void test_round_trip_v3(void)
{
	uint8_t buf[SNP_REPORT_SIZE];
	struct snp_report r;

	round_trip(3);
	fill_report(&r, 3);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, buf), 0);
	CU_ASSERT_EQUAL(buf[0x188], 0x19);
	CU_ASSERT_EQUAL(buf[0x189], 0xA0);
	CU_ASSERT_EQUAL(buf[0x18A], 2);
}

static void test_round_trip_v4_as_v3(void)
{
	round_trip(4);
}

static void test_round_trip_v5(void)
{
	uint8_t buf[SNP_REPORT_SIZE];
	struct snp_report r;

	round_trip(5);
	fill_report(&r, 5);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, buf), 0);
	CU_ASSERT_EQUAL(coco_le64(buf + 0x1F8), 0xB);
	CU_ASSERT_EQUAL(coco_le64(buf + 0x200), 0xF);
}

/* Fields a version does not have are refused by the encoder, and reserved when decoding. */
static void test_version_specific_fields(void)
{
	uint8_t buf[SNP_REPORT_SIZE];
	struct snp_report r;

	fill_report(&r, 2);
	r.cpuid_fam_id = 0x19;
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "cpuid"));
	fill_report(&r, 3);
	r.launch_mit_vector = 1;
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "mit_vector"));

	/* A version 5 report relabelled as version 3: mitigation vectors become reserved. */
	fill_report(&r, 5);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, buf), 0);
	coco_put_le32(buf, 3);
	CU_ASSERT_EQUAL(snp_report_decode(buf, sizeof(buf), &r), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "0x1F8"));
	/* Version 3 relabelled as 2: CPUID bytes become reserved. */
	fill_report(&r, 3);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, buf), 0);
	coco_put_le32(buf, 2);
	CU_ASSERT_EQUAL(snp_report_decode(buf, sizeof(buf), &r), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "0x188"));
}

static void expect_refused(const uint8_t *buf, size_t len, const char *needle)
{
	struct snp_report r;

	CU_ASSERT_EQUAL(snp_report_decode(buf, len, &r), -EBADMSG);
	if (!strstr(coco_last_error(), needle))
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", coco_last_error(), needle);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), needle));
}

static void test_malformed(void)
{
	uint8_t good[SNP_REPORT_SIZE + 1], buf[SNP_REPORT_SIZE + 1];
	struct snp_report r;

	fill_report(&r, 5);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, good), 0);
	good[SNP_REPORT_SIZE] = 0;

	expect_refused(good, SNP_REPORT_SIZE - 1, "1183 bytes");
	expect_refused(good, SNP_REPORT_SIZE + 1, "1185 bytes");
	expect_refused(good, 0, "0 bytes");

	for (uint32_t v = 0; v < 8; v++) {
		if (v >= 2 && v <= 5)
			continue;
		memcpy(buf, good, sizeof(buf));
		coco_put_le32(buf, v);
		expect_refused(buf, SNP_REPORT_SIZE, "VERSION (offset 0x000)");
	}
	memcpy(buf, good, sizeof(buf));
	coco_put_le32(buf + 0x34, 2);
	expect_refused(buf, SNP_REPORT_SIZE, "SIGNATURE_ALGO (offset 0x034)");
	memcpy(buf, good, sizeof(buf));
	coco_put_le32(buf + 0x48, 1u << 5);
	expect_refused(buf, SNP_REPORT_SIZE, "bits 31:5");
	for (uint32_t key = 2; key <= 6; key++) {
		memcpy(buf, good, sizeof(buf));
		coco_put_le32(buf + 0x48, key << 2);
		expect_refused(buf, SNP_REPORT_SIZE, "SIGNING_KEY (offset 0x048 bits 4:2)");
	}
	/* Every reserved byte of a version 5 report, one at a time. */
	static const struct { uint32_t start, end; } reserved[] = {
		{ 0x04C, 0x050 }, { 0x18B, 0x1A0 }, { 0x1EB, 0x1EC }, { 0x1EF, 0x1F0 },
		{ 0x208, 0x2A0 }, { 0x2D0, 0x2E8 }, { 0x318, 0x4A0 },
	};
	for (size_t i = 0; i < COCO_ARRAY_SIZE(reserved); i++)
		for (uint32_t off = reserved[i].start; off < reserved[i].end; off++) {
			char where[16];
			memcpy(buf, good, sizeof(buf));
			buf[off] = 0x01;
			snprintf(where, sizeof(where), "byte 0x%03X", off);
			expect_refused(buf, SNP_REPORT_SIZE, where);
		}
	/* Signing key "none" is a valid value for the codec. */
	memcpy(buf, good, sizeof(buf));
	coco_put_le32(buf + 0x48, SNP_SIGNING_KEY_NONE << 2);
	CU_ASSERT_EQUAL(snp_report_decode(buf, SNP_REPORT_SIZE, &r), 0);
	CU_ASSERT_EQUAL(snp_report_signing_key(&r), SNP_SIGNING_KEY_NONE);
	CU_ASSERT_EQUAL(snp_report_decode(NULL, SNP_REPORT_SIZE, &r), -EINVAL);
}

static void test_encode_refusals(void)
{
	uint8_t buf[SNP_REPORT_SIZE];
	struct snp_report r;

	fill_report(&r, 6);
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	fill_report(&r, 5);
	r.signature_algo = 0;
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	fill_report(&r, 5);
	r.signer_info = 3u << 2;
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	fill_report(&r, 5);
	r.signature_r[48] = 1;	/* above the P-384 value */
	CU_ASSERT_EQUAL(snp_report_encode(&r, buf), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "SIGNATURE.R"));
}

static void test_tcb_per_product(void)
{
	struct snp_tcb t = { .fmc = 1, .bootloader = 2, .tee = 3, .snp = 4, .microcode = 5 }, d;
	uint8_t b[8];

	/* Milan/Genoa {BL, TEE, 0, 0, 0, 0, SNP, UCODE} (snp.md 2.3). */
	coco_put_le64(b, snp_tcb_encode(SNP_PRODUCT_MILAN, &t));
	CU_ASSERT(b[0] == 2 && b[1] == 3 && b[2] == 0 && b[3] == 0 && b[4] == 0 && b[5] == 0 &&
		  b[6] == 4 && b[7] == 5);
	CU_ASSERT_EQUAL(snp_tcb_encode(SNP_PRODUCT_GENOA, &t),
			snp_tcb_encode(SNP_PRODUCT_MILAN, &t));
	CU_ASSERT_EQUAL(snp_tcb_encode(SNP_PRODUCT_UNKNOWN, &t),
			snp_tcb_encode(SNP_PRODUCT_MILAN, &t));
	snp_tcb_decode(SNP_PRODUCT_MILAN, snp_tcb_encode(SNP_PRODUCT_MILAN, &t), &d);
	CU_ASSERT(d.fmc == 0 && d.bootloader == 2 && d.tee == 3 && d.snp == 4 && d.microcode == 5);

	/* Turin {FMC, BL, TEE, SNP, 0, 0, 0, UCODE}. */
	coco_put_le64(b, snp_tcb_encode(SNP_PRODUCT_TURIN, &t));
	CU_ASSERT(b[0] == 1 && b[1] == 2 && b[2] == 3 && b[3] == 4 && b[4] == 0 && b[5] == 0 &&
		  b[6] == 0 && b[7] == 5);
	snp_tcb_decode(SNP_PRODUCT_TURIN, snp_tcb_encode(SNP_PRODUCT_TURIN, &t), &d);
	CU_ASSERT_EQUAL(memcmp(&d, &t, sizeof(t)), 0);

	/* The Milan vector's TCB 0x7308000000000003: bl 3, snp 8, ucode 0x73 (snp.md 2.1). */
	snp_tcb_decode(SNP_PRODUCT_MILAN, 0x7308000000000003ull, &d);
	CU_ASSERT(d.bootloader == 3 && d.tee == 0 && d.snp == 8 && d.microcode == 0x73);
}

static void test_product_detection(void)
{
	struct snp_report r;

	fill_report(&r, 3);
	r.cpuid_fam_id = 0x19;
	r.cpuid_mod_id = 0x01;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_MILAN);
	r.cpuid_mod_id = 0x11;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_GENOA);
	r.cpuid_mod_id = 0xA0;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_GENOA);
	r.cpuid_mod_id = 0x30;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);
	r.cpuid_fam_id = 0x1A;
	r.cpuid_mod_id = 0x02;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_TURIN);
	r.cpuid_fam_id = 0x17;
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);

	fill_report(&r, 2);	/* 64-byte chip ID: Milan or Genoa, cannot tell */
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);
	memset(r.chip_id + 8, 0, 56);
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_TURIN);
	memset(r.chip_id, 0, 64);	/* masked */
	CU_ASSERT_EQUAL(snp_report_product(&r), SNP_PRODUCT_UNKNOWN);

	CU_ASSERT_EQUAL(snp_product_from_name("Milan-B0", 8), SNP_PRODUCT_MILAN);
	CU_ASSERT_EQUAL(snp_product_from_name("Genoa", 5), SNP_PRODUCT_GENOA);
	CU_ASSERT_EQUAL(snp_product_from_name("Turin-B1", 8), SNP_PRODUCT_TURIN);
	CU_ASSERT_EQUAL(snp_product_from_name("Milanese", 8), SNP_PRODUCT_UNKNOWN);
	CU_ASSERT_EQUAL(snp_product_from_name("Mil", 3), SNP_PRODUCT_UNKNOWN);
	CU_ASSERT_STRING_EQUAL(snp_product_name(SNP_PRODUCT_GENOA), "Genoa");
	CU_ASSERT_EQUAL(snp_chip_id_size(SNP_PRODUCT_TURIN), 8);
	CU_ASSERT_EQUAL(snp_chip_id_size(SNP_PRODUCT_MILAN), 64);
}

/*
 * Real reports decode to the values read by hand (tests/vectors/README.md)
 * and re-encode exactly.
 */
static void check_real(const char *path, uint32_t version, enum snp_product product,
		       enum snp_signing_key key, uint64_t reported_tcb)
{
	uint8_t again[SNP_REPORT_SIZE];
	struct snp_report r;
	size_t len;
	uint8_t *buf = read_vector(path, &len);

	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(buf, len, &r), 0);
	CU_ASSERT_EQUAL(r.version, version);
	CU_ASSERT_EQUAL(snp_report_product(&r), product);
	CU_ASSERT_EQUAL(snp_report_signing_key(&r), key);
	CU_ASSERT_EQUAL(r.reported_tcb, reported_tcb);
	CU_ASSERT_EQUAL(r.signature_algo, 1);
	CU_ASSERT_EQUAL_FATAL(snp_report_encode(&r, again), 0);
	CU_ASSERT_EQUAL(memcmp(buf, again, SNP_REPORT_SIZE), 0);
	free(buf);
}

static void test_real_reports(void)
{
	uint8_t *buf;
	struct snp_report r;
	struct snp_tcb t;
	size_t len;

	check_real("snp/milan-v2/report_milan.bin", 2, SNP_PRODUCT_UNKNOWN, SNP_SIGNING_KEY_VCEK,
		   0x7308000000000003ull);
	check_real("snp/milan-v3/report_milan_v3.bin", 3, SNP_PRODUCT_MILAN, SNP_SIGNING_KEY_VCEK,
		   0xDB18000000000004ull);
	check_real("snp/genoa-v5/report_genoa_v5.bin", 5, SNP_PRODUCT_GENOA, SNP_SIGNING_KEY_VCEK,
		   0x1B1B00000000000Aull);
	check_real("snp/milan-v5-vlek/report_milan_v5_vlek.bin", 5, SNP_PRODUCT_MILAN,
		   SNP_SIGNING_KEY_VLEK, 0xDE1D000000000004ull);

	/* Milan v2 (snp.md 2.1): policy 0x30000, firmware 1.52.4 (0x34 = 52). */
	buf = read_vector("snp/milan-v2/report_milan.bin", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(buf, len, &r), 0);
	CU_ASSERT_EQUAL(r.policy, 0x30000);
	CU_ASSERT(r.current_major == 1 && r.current_minor == 52 && r.current_build == 4);
	snp_tcb_decode(SNP_PRODUCT_MILAN, r.reported_tcb, &t);
	CU_ASSERT(t.bootloader == 3 && t.snp == 8 && t.microcode == 0x73);
	free(buf);

	/* Genoa v5: platform_info 0x25, mitigation vectors 0xB, firmware 1.55.49. */
	buf = read_vector("snp/genoa-v5/report_genoa_v5.bin", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(buf, len, &r), 0);
	CU_ASSERT_EQUAL(r.platform_info, 0x25);
	CU_ASSERT_EQUAL(r.launch_mit_vector, 0xB);
	CU_ASSERT_EQUAL(r.current_mit_vector, 0xB);
	CU_ASSERT(r.cpuid_fam_id == 0x19 && r.cpuid_mod_id == 0xA0 && r.cpuid_step == 2);
	CU_ASSERT(r.current_major == 1 && r.current_minor == 55 && r.current_build == 49);
	CU_ASSERT_EQUAL(memcmp(r.report_data, "genoa-test-fixture", 18), 0);
	free(buf);

	/* Milan v5 VLEK: chip ID masked. */
	buf = read_vector("snp/milan-v5-vlek/report_milan_v5_vlek.bin", &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(buf);
	CU_ASSERT_EQUAL_FATAL(snp_report_decode(buf, len, &r), 0);
	CU_ASSERT(coco_all_zero(r.chip_id, 64));
	free(buf);
}

int main(void)
{
	static CU_TestInfo codec[] = {
		{ "round trip v2", test_round_trip_v2 },
		{ "round trip v3", test_round_trip_v3 },
		{ "round trip v4 (v3 layout)", test_round_trip_v4_as_v3 },
		{ "round trip v5", test_round_trip_v5 },
		{ "version-specific fields", test_version_specific_fields },
		{ "malformed input refused", test_malformed },
		{ "encoder refusals", test_encode_refusals },
		{ "TCB per product", test_tcb_per_product },
		{ "product detection", test_product_detection },
		{ "real reports", test_real_reports },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "snp-report", NULL, NULL, NULL, NULL, codec },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

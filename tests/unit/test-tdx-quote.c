/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the DCAP quote codec (tdx/quote.c) and quote verification
 * through the evidence API (tdx/verify.c), on the real SPR quote
 * (tests/vectors/tdx/tdx_prod_quote_SPR_E4.dat) and on model quotes.
 *
 * Time: the real quote's PCK certificate is valid 2022-09-20 13:20:31 to
 * 2029-09-20 13:20:31 UTC, its Platform CA 2018-05-21 to 2033-05-21, the
 * root to 2049-12-31.  Checks run at 2024-01-01 00:00:00 UTC, well inside
 * all three, so the test does not start failing in 2029.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coco/evidence.h>

#include "core/error.h"
#include "core/internal.h"
#include "core/util.h"
#include "tdx/quote.h"
#include "tdx/verify.h"
#include "tests/common/tdx-model-quote.h"
#include "tests/common/test-main.h"

#define AT_2024_01_01 1704067200
#define AT_2030_01_01 1893456000	/* after the PCK's notAfter */
#define SPR_QUOTE_SIZE 4935u		/* 632 + 4 + signature data 4299 */

static uint8_t *spr_file;		/* the vector as shipped (with its trailing text) */
static size_t spr_file_len;
static struct tdx_qe_model *model;

static int setup(void)
{
	if (coco_read_file(coco_test_vector("tdx/tdx_prod_quote_SPR_E4.dat"), 1 << 20,
			   "test vector", &spr_file, &spr_file_len)) {
		fprintf(stderr, "%s\n", coco_last_error());
		return -1;
	}
	return tdx_qe_model_generate(&model) ? -1 : 0;
}

static int teardown(void)
{
	free(spr_file);
	tdx_qe_model_free(model);
	return 0;
}

static struct coco_evidence *parse_ok(const uint8_t *data, size_t len)
{
	struct coco_evidence *ev = NULL;

	if (coco_evidence_parse(COCO_EVIDENCE_AUTO, data, len, &ev))
		fprintf(stderr, "parse: %s\n", coco_last_error());
	return ev;
}

static const char *field(const struct coco_evidence *ev, const char *name)
{
	const char *n, *v;

	for (size_t i = 0; coco_evidence_field(ev, i, &n, &v) == 0; i++)
		if (!strcmp(n, name))
			return v;
	return "";
}

/* ------------------------------------------------------------------ */
/* Codec                                                                */

/* Facts of the real quote from tdx.md 5.2/5.4, not from this codec. */
static void test_decode_real(void)
{
	static const uint8_t mrtd_start[4] = { 0x63, 0x63, 0xb8, 0x04 };
	struct tdx_quote q;
	struct tdx_qe_report qe;
	uint8_t *again;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(tdx_quote_decode(spr_file, SPR_QUOTE_SIZE, &q), 0);
	CU_ASSERT_EQUAL(q.header.version, 4);
	CU_ASSERT_EQUAL(q.header.tee_type, 0x81);
	CU_ASSERT_EQUAL(memcmp(q.header.qe_vendor_id, tdx_intel_qe_vendor_id, 16), 0);
	CU_ASSERT_EQUAL(q.body_type, 2);
	CU_ASSERT_EQUAL(q.signed_size, 632);
	CU_ASSERT_EQUAL(q.size, SPR_QUOTE_SIZE);
	CU_ASSERT_EQUAL(q.trailing, 0);
	CU_ASSERT_EQUAL(memcmp(q.body.mrtd, mrtd_start, 4), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.mrtd, spr_file + 184, 48), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.report_data, spr_file + 568, 64), 0);
	CU_ASSERT_EQUAL(memcmp(q.body.rtmr[0], spr_file + 376, 48), 0);
	CU_ASSERT_EQUAL(q.body.td_attributes, 0x40000000);
	CU_ASSERT_EQUAL(q.body.xfam, 0x61ae7);
	CU_ASSERT_EQUAL(q.body.tee_tcb_svn[0], 3);
	CU_ASSERT_EQUAL(q.qe_auth_size, 32);
	CU_ASSERT_EQUAL(q.pck_chain_size, 3677);
	CU_ASSERT_EQUAL(q.pck_chain_offset + q.pck_chain_size, SPR_QUOTE_SIZE);
	CU_ASSERT_EQUAL(memcmp(q.pck_chain, "-----BEGIN CERTIFICATE-----", 27), 0);
	tdx_qe_report_decode(q.qe_report, &qe);
	CU_ASSERT_EQUAL(qe.isv_prod_id, 2);
	CU_ASSERT_EQUAL(qe.isv_svn, 4);
	CU_ASSERT_EQUAL(qe.mrsigner[0], 0xdc);
	CU_ASSERT_EQUAL(qe.mrsigner[31], 0xc5);

	/* encode(decode(b)) == b */
	CU_ASSERT_EQUAL_FATAL(tdx_quote_encode(&q, &again, &len), 0);
	CU_ASSERT_EQUAL(len, SPR_QUOTE_SIZE);
	CU_ASSERT_EQUAL(memcmp(again, spr_file, SPR_QUOTE_SIZE), 0);
	free(again);
}

/*
 * The vector as shipped ends with 39 bytes of text go-tdx-guest appended
 * "for testing purpose".  The quote's sizes say where it ends: what follows
 * is reported, never read as quote data, and the file verifies as the quote
 * it holds; a flip inside the quote still fails.
 */
static void test_trailing_policy(void)
{
	struct coco_verify_expect expect = { .at_time = AT_2024_01_01 };
	struct coco_verify_result res;
	struct coco_evidence *ev;
	struct tdx_quote q;
	uint8_t *padded;

	CU_ASSERT_EQUAL_FATAL(spr_file_len, SPR_QUOTE_SIZE + 39);
	CU_ASSERT_EQUAL_FATAL(tdx_quote_decode(spr_file, spr_file_len, &q), 0);
	CU_ASSERT_EQUAL(q.size, SPR_QUOTE_SIZE);
	CU_ASSERT_EQUAL(q.trailing, 39);
	CU_ASSERT_FALSE(q.trailing_zero);
	ev = parse_ok(spr_file, spr_file_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_PTR_NOT_NULL(strstr(field(ev, "trailing_bytes"), "39 bytes after the quote's "
						       "end at offset 4935"));
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), 0);
	coco_evidence_free(ev);

	padded = calloc(1, spr_file_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(padded);
	memcpy(padded, spr_file, spr_file_len);
	padded[100] ^= 0x01;	/* in MRSEAM: signed */
	ev = parse_ok(padded, spr_file_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT(coco_evidence_verify(ev, NULL, &expect, &res) < 0);
	CU_ASSERT_FALSE(res.signature_ok);
	coco_evidence_free(ev);

	/* Zero padding is reported as such. */
	memset(padded + SPR_QUOTE_SIZE, 0, 39);
	padded[100] ^= 0x01;
	CU_ASSERT_EQUAL(tdx_quote_decode(padded, spr_file_len, &q), 0);
	CU_ASSERT_TRUE(q.trailing_zero);
	free(padded);
}

/* Every truncation of the real quote is refused (and none crashes). */
static void test_truncations(void)
{
	struct tdx_quote q;
	size_t accepted = 0;

	for (size_t len = 0; len < SPR_QUOTE_SIZE; len++)
		accepted += tdx_quote_decode(spr_file, len, &q) == 0;
	CU_ASSERT_EQUAL(accepted, 0);
}

struct malformed {
	size_t off;			/* where to write */
	unsigned int width;		/* 2 or 4 bytes, little-endian */
	uint32_t value;
	const char *needle;		/* in the error */
};

static void expect_malformed(const uint8_t *good, size_t len, const struct malformed *m)
{
	uint8_t *bad = malloc(len);
	struct tdx_quote q;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	memcpy(bad, good, len);
	if (m->width == 2)
		coco_put_le16(bad + m->off, (uint16_t)m->value);
	else
		coco_put_le32(bad + m->off, m->value);
	CU_ASSERT_EQUAL(tdx_quote_decode(bad, len, &q), -EBADMSG);
	if (!strstr(coco_last_error(), m->needle)) {
		fprintf(stderr, "expected \"%s\" in: %s\n", m->needle, coco_last_error());
		CU_FAIL("error does not name the field and offset");
	}
	free(bad);
}

static void test_malformed_v4(void)
{
	/* SPR quote: sig data at 636, cert data at 770, auth size at 1218, inner at 1252. */
	static const struct malformed cases[] = {
		{ 0, 2, 3, "version (offset 0) is 3" },
		{ 0, 2, 6, "version (offset 0) is 6" },
		{ 2, 2, 3, "attestation key type (offset 2) is 3" },
		{ 4, 4, 0, "TEE type (offset 4)" },
		{ 632, 4, 4300, "signature data size (offset 632) is 4300" },
		{ 632, 4, 100, "signature data size (offset 632) is 100" },
		{ 764, 2, 5, "certification data type (offset 764) is 5" },
		{ 766, 4, 4164, "certification data size (offset 766) is 4164" },
		{ 1218, 2, 5000, "QE auth data size (offset 1218)" },
		{ 1218, 2, 31, "inner certification data type (offset 1251)" },
		{ 1252, 2, 2, "inner certification data type (offset 1252) is 2" },
		{ 1254, 4, 3676, "PCK chain size (offset 1254) is 3676" },
	};

	for (size_t i = 0; i < COCO_ARRAY_SIZE(cases); i++)
		expect_malformed(spr_file, SPR_QUOTE_SIZE, &cases[i]);
}

static void test_malformed_v5(void)
{
	static const uint8_t rd[64] = { 5 };
	static const struct malformed cases[] = {
		{ 48, 2, 1, "type 1 is an SGX enclave report" },
		{ 48, 2, 4, "body type (offset 48) is 4" },
		{ 50, 4, 584, "body size (offset 50) is 584" },
		{ 48, 2, 2, "body size (offset 50) is 648" },	/* type 2 wants 584 */
	};
	struct tdx_quote q;
	uint8_t *quote;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(tdx_test_model_quote(model, 5, rd, &quote, &len), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_quote_decode(quote, len, &q), 0);
	CU_ASSERT_EQUAL(q.header.version, 5);
	CU_ASSERT_EQUAL(q.body_type, 3);
	CU_ASSERT_EQUAL(q.signed_size, 702);
	CU_ASSERT_EQUAL(coco_le32(quote + 50), 648);
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cases); i++)
		expect_malformed(quote, len, &cases[i]);
	for (size_t cut = 0; cut < len; cut += 7)
		CU_ASSERT_NOT_EQUAL(tdx_quote_decode(quote, cut, &q), 0);
	free(quote);
}

/* ------------------------------------------------------------------ */
/* Verification of the real quote                                       */

static void test_verify_real(void)
{
	struct coco_verify_expect expect = { .at_time = AT_2024_01_01 };
	struct coco_verify_result res;
	struct coco_measurement m;
	uint8_t rd[64], wrong[64];
	struct coco_evidence *ev = parse_ok(spr_file, SPR_QUOTE_SIZE);
	const uint8_t *der;
	size_t der_len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_get_format(ev), COCO_EVIDENCE_TDX_QUOTE);
	CU_ASSERT_STRING_EQUAL(field(ev, "fmspc"), "50806f000000");
	CU_ASSERT_STRING_EQUAL(field(ev, "qe_svn"), "4");
	CU_ASSERT_STRING_EQUAL(field(ev, "xfam"), "0x0000000000061ae7");
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_PCK, &der, &der_len), 0);
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_PCK_CA, &der, &der_len), 0);
	CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_TDX_ROOT, &der, &der_len), 0);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_measurement(ev, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	CU_ASSERT_EQUAL(memcmp(m.value, spr_file + 184, 48), 0);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_report_data(ev, rd), 0);
	CU_ASSERT_EQUAL(memcmp(rd, spr_file + 568, 64), 0);

	/* Built-in Intel root, with both expectations. */
	expect.report_data = rd;
	expect.measurement = m.value;
	expect.measurement_len = m.size;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), 0);
	CU_ASSERT(res.chain_ok && res.signature_ok && res.tcb_ok);
	CU_ASSERT(res.report_data_ok && res.measurement_ok);
	CU_ASSERT_STRING_EQUAL(res.signer, "PCK");
	CU_ASSERT_STRING_EQUAL(res.product, "TDX");
	CU_ASSERT_STRING_EQUAL(res.reason, "");

	/* Wrong expectations fail on their own. */
	memcpy(wrong, rd, 64);
	wrong[63] ^= 1;
	expect.report_data = wrong;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), -EBADMSG);
	CU_ASSERT(res.chain_ok && res.signature_ok && res.tcb_ok && !res.report_data_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "report_data mismatch"));
	expect.report_data = rd;
	expect.measurement_len = 32;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "MRTD is 48"));
	expect.measurement = wrong;
	expect.measurement_len = 48;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), -EBADMSG);
	CU_ASSERT(!res.measurement_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "MRTD mismatch"));

	/* After the PCK expired (also with the chain cached from the runs above). */
	expect.measurement = NULL;
	expect.at_time = AT_2030_01_01;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), -EKEYREJECTED);
	CU_ASSERT(!res.chain_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "expired"));
	coco_evidence_free(ev);
}

/* Anchors other than Intel's root: the model's root, and the quote's own root re-encoded. */
static void test_real_other_roots(void)
{
	struct coco_verify_expect expect = { .at_time = AT_2024_01_01 };
	struct coco_evidence *ev = parse_ok(spr_file, SPR_QUOTE_SIZE);
	struct coco_trust_anchors *anchors = NULL, *own = NULL;
	struct coco_verify_result res;
	char *pem;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_verify(ev, NULL, &expect, &res), 0);	/* cached */
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_root_pem(model, &pem), 0);
	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_data(pem, strlen(pem), &anchors), 0);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, &expect, &res), -EKEYREJECTED);
	CU_ASSERT(!res.chain_ok && !res.signature_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "not one of the trusted roots"));
	/* The root it carries is never an anchor by itself: a quote's maker chose it. */
	CU_ASSERT_EQUAL(coco_trust_anchors_from_evidence(ev, &own), -ENOENT);
	CU_ASSERT_PTR_NULL(own);
	free(pem);
	coco_trust_anchors_free(anchors);
	coco_trust_anchors_free(own);
	coco_evidence_free(ev);
}

/* Flip each byte of @quote in [0, len) once; none may verify. */
static void flip_every_byte(const uint8_t *quote, size_t len,
			    const struct coco_trust_anchors *anchors, time_t at, size_t *parse_rej,
			    size_t *verify_rej)
{
	struct coco_verify_expect expect = { .at_time = at };
	uint8_t *bad = malloc(len);
	size_t accepted = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	memcpy(bad, quote, len);
	*parse_rej = *verify_rej = 0;
	for (size_t i = 0; i < len; i++) {
		struct coco_evidence *ev = NULL;
		bad[i] ^= 0xFF;
		if (coco_evidence_parse(COCO_EVIDENCE_AUTO, bad, len, &ev)) {
			(*parse_rej)++;
		} else if (coco_evidence_verify(ev, anchors, &expect, NULL)) {
			(*verify_rej)++;
		} else {
			accepted++;
			fprintf(stderr, "byte %zu flipped: still verifies\n", i);
		}
		coco_evidence_free(ev);
		bad[i] ^= 0xFF;
	}
	CU_ASSERT_EQUAL(accepted, 0);
	free(bad);
}

/*
 * Every byte of the quote is signed (header, body: quote signature) or
 * signature data (signatures, key, QE report, auth data, chain): flipping
 * any one must fail, at parse or at verification.
 */
static void test_real_every_byte(void)
{
	struct timespec t0, t1;
	size_t parse_rej, verify_rej;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	flip_every_byte(spr_file, SPR_QUOTE_SIZE, NULL, AT_2024_01_01, &parse_rej, &verify_rej);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("\n  %u bytes flipped: %zu refused at parse, %zu at verification (%.1f s)\n",
	       SPR_QUOTE_SIZE, parse_rej, verify_rej,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	/*
	 * Everything signed except the 8 bytes of version, key type and TEE
	 * type (refused at parse), the quote signature, attestation key, QE
	 * report, its signature and the auth data parse and fail verification.
	 */
	CU_ASSERT(verify_rej >= 632 - 8 + 64 + 64 + 384 + 64 + 32);
}

/* ------------------------------------------------------------------ */
/* The chain cache                                                      */

static void test_chain_cache(void)
{
	struct coco_verify_expect expect = { .at_time = AT_2024_01_01 };
	struct coco_evidence *ev = parse_ok(spr_file, SPR_QUOTE_SIZE);
	struct tdx_chain_cache_stats s;
	uint8_t *other;
	size_t len;
	static const uint8_t rd[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	tdx_chain_cache_clear();
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, NULL), 0);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, NULL), 0);
	tdx_chain_cache_stats(&s);
	CU_ASSERT_EQUAL(s.misses, 1);
	CU_ASSERT_EQUAL(s.hits, 1);
	CU_ASSERT_EQUAL(s.entries, 1);
	/* Another platform's chain is another entry; the bound holds. */
	for (int i = 0; i < TDX_CHAIN_CACHE_SIZE + 4; i++) {
		struct tdx_qe_model *qe;
		struct coco_evidence *mev = NULL;
		struct coco_trust_anchors *a = NULL;

		CU_ASSERT_EQUAL_FATAL(tdx_qe_model_generate(&qe), 0);
		CU_ASSERT_EQUAL_FATAL(tdx_test_model_quote(qe, 4, rd, &other, &len), 0);
		CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, other, len,
							  &mev), 0);
		char *root = NULL;

		CU_ASSERT_EQUAL_FATAL(tdx_qe_model_root_pem(qe, &root), 0);
		CU_ASSERT_EQUAL(coco_trust_anchors_from_data(root, strlen(root), &a), 0);
		CU_ASSERT_EQUAL(coco_evidence_verify(mev, a, NULL, NULL), 0);
		coco_trust_anchors_free(a);
		free(root);
		coco_evidence_free(mev);
		free(other);
		tdx_qe_model_free(qe);
	}
	tdx_chain_cache_stats(&s);
	CU_ASSERT_EQUAL(s.entries, TDX_CHAIN_CACHE_SIZE);
	/* The SPR chain was least recently used and evicted: a miss, still verified. */
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, NULL), 0);
	tdx_chain_cache_stats(&s);
	CU_ASSERT_EQUAL(s.misses, 1 + TDX_CHAIN_CACHE_SIZE + 4 + 1);
	coco_evidence_free(ev);
}

/* Several threads verify good and bad quotes while the cache churns; answers stay right. */
struct thread_arg {
	struct coco_evidence *good, *bad;
	int wrong;
};

static void *verify_thread(void *p)
{
	struct thread_arg *a = p;
	struct coco_verify_expect expect = { .at_time = AT_2024_01_01 };

	for (int i = 0; i < 40; i++) {
		if (i % 10 == 0)
			tdx_chain_cache_clear();
		if (coco_evidence_verify(a->good, NULL, &expect, NULL) != 0)
			a->wrong++;
		if (coco_evidence_verify(a->bad, NULL, &expect, NULL) == 0)
			a->wrong++;
	}
	return NULL;
}

static void test_chain_cache_threads(void)
{
	struct thread_arg args[4];
	pthread_t threads[4];
	uint8_t *bad = malloc(SPR_QUOTE_SIZE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(bad);
	memcpy(bad, spr_file, SPR_QUOTE_SIZE);
	bad[200] ^= 1;		/* MRTD: the quote signature fails */
	for (int i = 0; i < 4; i++) {
		args[i].good = parse_ok(spr_file, SPR_QUOTE_SIZE);
		args[i].bad = parse_ok(bad, SPR_QUOTE_SIZE);
		args[i].wrong = 0;
		CU_ASSERT_PTR_NOT_NULL_FATAL(args[i].good);
		CU_ASSERT_PTR_NOT_NULL_FATAL(args[i].bad);
		CU_ASSERT_EQUAL_FATAL(pthread_create(&threads[i], NULL, verify_thread, &args[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		CU_ASSERT_EQUAL(args[i].wrong, 0);
		coco_evidence_free(args[i].good);
		coco_evidence_free(args[i].bad);
	}
	free(bad);
}

int main(void)
{
	CU_TestInfo tests[] = {
		{ "decode the real SPR quote", test_decode_real },
		{ "trailing bytes: zeros only", test_trailing_policy },
		{ "every truncation refused", test_truncations },
		{ "malformed v4 fields", test_malformed_v4 },
		{ "malformed v5 fields", test_malformed_v5 },
		{ "verify the real quote", test_verify_real },
		{ "real quote, other roots", test_real_other_roots },
		{ "real quote, every byte flipped", test_real_every_byte },
		{ "chain cache", test_chain_cache },
		{ "chain cache, four threads", test_chain_cache_threads },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "tdx-quote", setup, teardown, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

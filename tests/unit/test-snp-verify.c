/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: SEV-SNP reports through the evidence API (sev-snp/verify.c):
 * real reports against AMD's built-in roots and KDS chains, tampering,
 * expectations, certificate/report binding, and model hierarchies.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include <coco/evidence.h>

#include "core/error.h"
#include "core/internal.h"
#include "core/util.h"
#include "sev-snp/certs.h"
#include "sev-snp/report.h"
#include "tests/common/snp-model-report.h"
#include "tests/common/test-main.h"

/* Times inside the validity of every real signer certificate used here. */
#define AT_2025_01_01 1735689600	/* Milan v2/v3 VCEKs */
#define AT_2026_06_01 1780272000	/* Genoa VCEK (2026-02-19..), Milan VLEK (2026-03-09..) */

static const struct snp_model_roots *milan;
static struct coco_trust_anchors *builtin;

static int setup(void)
{
	if (snp_model_roots_shared(SNP_PRODUCT_MILAN, &milan))
		return -1;
	return coco_trust_anchors_builtin(&builtin) ? -1 : 0;
}

static int teardown(void)
{
	coco_trust_anchors_free(builtin);
	return 0;
}

static uint8_t *vector(const char *relative, size_t *len)
{
	uint8_t *data = NULL;

	if (coco_read_file(coco_test_vector(relative), 1 << 20, "test vector", &data, len)) {
		fprintf(stderr, "%s\n", coco_last_error());
		return NULL;
	}
	return data;
}

/* Evidence from a report file with a certificate file attached (role inferred). */
static struct coco_evidence *evidence_from(const char *report, const char *cert)
{
	struct coco_evidence *ev = NULL;
	uint8_t *data;
	size_t len;

	data = vector(report, &len);
	if (!data)
		return NULL;
	if (coco_evidence_parse(COCO_EVIDENCE_AUTO, data, len, &ev)) {
		fprintf(stderr, "%s\n", coco_last_error());
		free(data);
		return NULL;
	}
	free(data);
	if (cert) {
		data = vector(cert, &len);
		if (!data || coco_evidence_add_cert(ev, 0, data, len)) {
			free(data);
			coco_evidence_free(ev);
			return NULL;
		}
		free(data);
	}
	return ev;
}

static struct coco_trust_anchors *anchors_from(const char *relative)
{
	struct coco_trust_anchors *a = NULL;
	size_t len;
	uint8_t *data = vector(relative, &len);

	if (data && coco_trust_anchors_from_data(data, len, &a))
		a = NULL;
	free(data);
	return a;
}

static void expect_verified(const struct coco_evidence *ev, const struct coco_trust_anchors *a,
			    time_t at, const char *signer, const char *product)
{
	struct coco_verify_expect expect = { .at_time = at };
	struct coco_verify_result res;
	int ret = coco_evidence_verify(ev, a, &expect, &res);

	if (ret)
		fprintf(stderr, "unexpected failure: %s\n", coco_last_error());
	CU_ASSERT_EQUAL(ret, 0);
	CU_ASSERT(res.chain_ok && res.signature_ok && res.tcb_ok && res.report_data_ok &&
		  res.measurement_ok);
	CU_ASSERT_STRING_EQUAL(res.signer, signer);
	CU_ASSERT_STRING_EQUAL(res.product, product);
	CU_ASSERT_STRING_EQUAL(res.reason, "");
}

static void test_milan_builtin_roots(void)
{
	struct coco_evidence *ev = evidence_from("snp/milan-v2/report_milan.bin",
						 "snp/milan-v2/vcek_milan.der");

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_get_format(ev), COCO_EVIDENCE_SNP_REPORT);
	expect_verified(ev, builtin, AT_2025_01_01, "VCEK", "Milan");
	/* NULL anchors are the built-in roots too. */
	expect_verified(ev, NULL, AT_2025_01_01, "VCEK", "Milan");
	coco_evidence_free(ev);
}

static void test_milan_kds_chain(void)
{
	struct coco_evidence *ev = evidence_from("snp/milan-v2/report_milan.bin",
						 "snp/milan-v2/vcek_milan.der");
	struct coco_trust_anchors *chain = anchors_from("snp/milan-v2/cert_chain_milan");
	struct coco_trust_anchors *ark_only = anchors_from("snp/amd-roots/builtin_milan_ark.pem");
	struct coco_verify_expect expect = { .at_time = AT_2025_01_01 };
	struct coco_verify_result res;
	uint8_t *data;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(chain);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ark_only);
	expect_verified(ev, chain, AT_2025_01_01, "VCEK", "Milan");

	/* Only the ARK trusted: the ASK must come with the evidence. */
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, ark_only, &expect, &res), -EKEYREJECTED);
	CU_ASSERT_FALSE(res.chain_ok);
	CU_ASSERT_TRUE(res.signature_ok);
	data = vector("snp/milan-v2/cert_chain_milan", &len);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, data, len), 0);	/* ASK + ARK, inferred */
	free(data);
	expect_verified(ev, ark_only, AT_2025_01_01, "VCEK", "Milan");

	/* An ARK that came with the evidence is not trusted. */
	{
		struct coco_trust_anchors *genoa =
			anchors_from("snp/amd-roots/builtin_genoa_ark.pem");
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, genoa, &expect, &res), -EKEYREJECTED);
		coco_trust_anchors_free(genoa);
	}
	coco_trust_anchors_free(chain);
	coco_trust_anchors_free(ark_only);
	coco_evidence_free(ev);
}

static void test_other_real_reports(void)
{
	struct coco_evidence *ev;
	struct coco_verify_expect expect = { .at_time = AT_2025_01_01 };
	struct coco_verify_result res;

	ev = evidence_from("snp/milan-v3/report_milan_v3.bin", "snp/milan-v3/vcek_milan.der");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	expect_verified(ev, NULL, 1740000000, "VCEK", "Milan");
	coco_evidence_free(ev);

	ev = evidence_from("snp/genoa-v5/report_genoa_v5.bin", "snp/genoa-v5/vcek_genoa.der");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	expect_verified(ev, NULL, AT_2026_06_01, "VCEK", "Genoa");
	/* Before the VCEK was issued: a chain failure naming validity. */
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, &expect, &res), -EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "not yet valid"));
	CU_ASSERT_TRUE(res.signature_ok);
	coco_evidence_free(ev);

	/* VLEK: ARK -> ASVK -> VLEK; no chip ID. */
	ev = evidence_from("snp/milan-v5-vlek/report_milan_v5_vlek.bin",
			   "snp/milan-v5-vlek/vlek_milan.der");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	expect_verified(ev, NULL, AT_2026_06_01, "VLEK", "Milan");
	/* The KDS VCEK chain does not hold the ASVK. */
	{
		struct coco_trust_anchors *chain = anchors_from("snp/milan-v2/cert_chain_milan");
		expect.at_time = AT_2026_06_01;
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, chain, &expect, &res), -EKEYREJECTED);
		CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "SEV-VLEK-Milan"));
		coco_trust_anchors_free(chain);
	}
	coco_evidence_free(ev);
}

/* Any byte of the signed body flipped: verification fails (all 672 positions). */
static void test_every_signed_byte_matters(void)
{
	struct coco_evidence *ev;
	struct coco_verify_expect expect = { .at_time = AT_2025_01_01 };
	struct coco_verify_result res;
	uint8_t *report, *vcek;
	size_t len, vcek_len;
	unsigned int rejected_by_parser = 0, rejected_by_verify = 0;

	report = vector("snp/milan-v2/report_milan.bin", &len);
	vcek = vector("snp/milan-v2/vcek_milan.der", &vcek_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(report);
	CU_ASSERT_PTR_NOT_NULL_FATAL(vcek);
	for (size_t off = 0; off < SNP_REPORT_SIGNED_SIZE; off++) {
		report[off] ^= 0xFF;
		ev = NULL;
		if (coco_evidence_parse(COCO_EVIDENCE_SNP_REPORT, report, len, &ev)) {
			/* Reserved byte, version, algorithm: refused before any crypto. */
			rejected_by_parser++;
		} else {
			CU_ASSERT_EQUAL_FATAL(coco_evidence_add_cert(ev, COCO_CERT_VCEK, vcek,
								     vcek_len), 0);
			int ret = coco_evidence_verify(ev, builtin, &expect, &res);
			CU_ASSERT(ret == -EBADMSG || ret == -EKEYREJECTED);
			CU_ASSERT_FALSE(res.signature_ok);
			if (ret)
				rejected_by_verify++;
			else
				fprintf(stderr, "flipping byte 0x%03zx went unnoticed\n", off);
			coco_evidence_free(ev);
		}
		report[off] ^= 0xFF;
	}
	CU_ASSERT_EQUAL(rejected_by_parser + rejected_by_verify, SNP_REPORT_SIGNED_SIZE);
	/* Most bytes are fields, which only the signature protects. */
	CU_ASSERT(rejected_by_verify > 400);
	/* And the untouched report still verifies. */
	ev = NULL;
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, report, len, &ev), 0);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, vcek, vcek_len), 0);
	expect_verified(ev, builtin, AT_2025_01_01, "VCEK", "Milan");
	coco_evidence_free(ev);
	free(report);
	free(vcek);
}

static void test_expectations(void)
{
	struct coco_evidence *ev = evidence_from("snp/milan-v2/report_milan.bin",
						 "snp/milan-v2/vcek_milan.der");
	struct coco_verify_expect expect = { .at_time = AT_2025_01_01 };
	struct coco_verify_result res;
	struct coco_measurement m;
	uint8_t report_data[64], measurement[48];

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_report_data(ev, report_data), 0);
	CU_ASSERT_EQUAL(coco_evidence_measurement(ev, &m), 0);
	CU_ASSERT_EQUAL(m.size, 48);
	CU_ASSERT_STRING_EQUAL(m.alg, "sha384");
	memcpy(measurement, m.value, 48);

	/* The right values verify. */
	expect.report_data = report_data;
	expect.measurement = measurement;
	expect.measurement_len = 48;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), 0);

	/* Wrong report data. */
	report_data[63] ^= 1;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EBADMSG);
	CU_ASSERT(res.chain_ok && res.signature_ok && res.tcb_ok && res.measurement_ok);
	CU_ASSERT_FALSE(res.report_data_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "report_data mismatch"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "report_data mismatch"));
	report_data[63] ^= 1;

	/* Wrong measurement. */
	measurement[0] ^= 1;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EBADMSG);
	CU_ASSERT(res.report_data_ok && res.signature_ok);
	CU_ASSERT_FALSE(res.measurement_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "measurement mismatch"));
	measurement[0] ^= 1;

	/* A measurement of the wrong size is not equal to anything. */
	expect.measurement_len = 32;
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EBADMSG);
	CU_ASSERT_FALSE(res.measurement_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "48"));
	coco_evidence_free(ev);
}

static void test_missing_or_wrong_signer(void)
{
	struct coco_evidence *ev = evidence_from("snp/milan-v2/report_milan.bin", NULL);
	struct coco_verify_expect expect = { .at_time = AT_2025_01_01 };
	struct coco_verify_result res;
	uint8_t *data;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EKEYREJECTED);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "kdsintf.amd.com/vcek/v1/"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "blSPL=03&teeSPL=00&snpSPL=08&ucodeSPL=115"));

	/* Another chip's VCEK (Milan v3's) chains but is not this report's signer. */
	expect.at_time = 1740000000;	/* 2025-02-19: both VCEKs valid */
	data = vector("snp/milan-v3/vcek_milan.der", &len);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, data, len), 0);
	free(data);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EBADMSG);
	CU_ASSERT_TRUE(res.chain_ok);
	CU_ASSERT_FALSE(res.tcb_ok);
	CU_ASSERT_FALSE(res.signature_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "TCB mismatch"));
	coco_evidence_free(ev);

	/* A Genoa report with a Milan VCEK: the product lines disagree. */
	ev = evidence_from("snp/genoa-v5/report_genoa_v5.bin", "snp/milan-v2/vcek_milan.der");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_NOT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), 0);
	CU_ASSERT_FALSE(res.tcb_ok);
	CU_ASSERT_FALSE(res.chain_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "Genoa"));
	coco_evidence_free(ev);
}

static void test_fields(void)
{
	struct coco_evidence *ev = evidence_from("snp/milan-v2/report_milan.bin", NULL);
	static const char *const order[] = {
		"version", "guest_svn", "policy", "family_id", "image_id", "vmpl",
		"signature_algo", "current_tcb", "reported_tcb", "committed_tcb", "launch_tcb",
		"platform_info", "signer", "report_data", "measurement", "host_data",
		"id_key_digest", "author_key_digest", "report_id", "report_id_ma", "chip_id",
		"product", "current_firmware", "committed_firmware",
	};
	const char *name, *value;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	for (i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++) {
		CU_ASSERT(i < COCO_ARRAY_SIZE(order));
		if (i < COCO_ARRAY_SIZE(order))
			CU_ASSERT_STRING_EQUAL(name, order[i]);
		if (!strcmp(name, "version"))
			CU_ASSERT_STRING_EQUAL(value, "2");
		if (!strcmp(name, "reported_tcb"))
			CU_ASSERT_STRING_EQUAL(value,
					       "bl=3 tee=0 snp=8 ucode=115 (0x7308000000000003)");
		if (!strcmp(name, "policy"))
			CU_ASSERT_STRING_EQUAL(value, "0x0000000000030000 (abi 0.0; smt)");
		if (!strcmp(name, "signer"))
			CU_ASSERT_STRING_EQUAL(value, "VCEK");
		if (!strcmp(name, "current_firmware"))
			CU_ASSERT_STRING_EQUAL(value, "1.52.4");
		if (!strcmp(name, "product"))
			CU_ASSERT_EQUAL(strncmp(value, "unknown", 7), 0);
	}
	CU_ASSERT_EQUAL(i, COCO_ARRAY_SIZE(order));
	coco_evidence_free(ev);

	/* Version 5 adds CPUID and the mitigation vectors; Genoa is known from CPUID. */
	ev = evidence_from("snp/genoa-v5/report_genoa_v5.bin", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	{
		bool cpuid = false, mit = false;
		for (i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++) {
			if (!strcmp(name, "cpuid"))
				cpuid = !strcmp(value, "family 0x19 model 0xa0 stepping 0x02");
			if (!strcmp(name, "current_mit_vector"))
				mit = !strcmp(value, "0x000000000000000b");
			if (!strcmp(name, "product"))
				CU_ASSERT_STRING_EQUAL(value, "Genoa");
		}
		CU_ASSERT_TRUE(cpuid);
		CU_ASSERT_TRUE(mit);
	}
	coco_evidence_free(ev);
}

static void test_parse_refusals_and_roles(void)
{
	struct coco_evidence *ev = NULL;
	uint8_t junk[SNP_REPORT_SIZE] = { 0 };
	uint8_t *data;
	size_t len;

	CU_ASSERT_EQUAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, junk, sizeof(junk), &ev), -EBADMSG);
	coco_put_le32(junk, 2);
	CU_ASSERT_EQUAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, junk, sizeof(junk), &ev), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "SIGNATURE_ALGO"));
	CU_ASSERT_EQUAL(coco_evidence_parse(COCO_EVIDENCE_SNP_REPORT, junk, 100, &ev), -EBADMSG);
	CU_ASSERT_PTR_NULL(ev);

	/* Roles from AMD's common names. */
	ev = evidence_from("snp/milan-v2/report_milan.bin", NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	data = vector("snp/milan-v2/cert_chain_milan", &len);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, data, len), 0);
	free(data);
	data = vector("snp/amd-roots/builtin_milan_asvk.der", &len);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, data, len), 0);
	free(data);
	data = vector("snp/milan-v5-vlek/vlek_milan.der", &len);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, data, len), 0);
	free(data);
	{
		const uint8_t *der;
		size_t der_len;
		CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ASK, &der, &der_len), 0);
		CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ARK, &der, &der_len), 0);
		CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_ASVK, &der, &der_len), 0);
		CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_VLEK, &der, &der_len), 0);
		CU_ASSERT_EQUAL(coco_evidence_get_cert(ev, COCO_CERT_VCEK, &der, &der_len),
				-ENOENT);
	}
	coco_evidence_free(ev);
}

static void test_builtin_anchor_set(void)
{
	STACK_OF(X509) *roots = builtin->roots, *intermediates = builtin->intermediates;

	/* ARK Milan, Genoa, Turin; and Intel's SGX Root CA for TDX quotes (tdx/verify.c). */
	CU_ASSERT_EQUAL(sk_X509_num(roots), 4);
	CU_ASSERT_EQUAL(sk_X509_num(intermediates), 6);	/* ASK and ASVK of each */
}

/* ------------------------------------------------------------------ */
/* Model hierarchies                                                    */

static struct coco_trust_anchors *model_anchors(const struct snp_model_roots *roots)
{
	struct coco_trust_anchors *a = NULL;
	char *ark = NULL, *ask = NULL;

	if (snp_model_roots_ark_pem(roots, &ark) || snp_model_roots_ask_pem(roots, &ask) ||
	    coco_trust_anchors_from_data(ark, strlen(ark), &a) ||
	    coco_trust_anchors_add(a, ask, strlen(ask))) {
		coco_trust_anchors_free(a);
		a = NULL;
	}
	free(ark);
	free(ask);
	return a;
}

static struct coco_evidence *model_evidence(const struct snp_model_roots *roots,
					    const struct snp_model_report_spec *spec)
{
	uint8_t report[SNP_REPORT_SIZE], *der = NULL;
	struct coco_evidence *ev = NULL;
	size_t der_len = 0;

	if (snp_model_report_make(roots, spec, report, &der, &der_len) ||
	    coco_evidence_parse(COCO_EVIDENCE_AUTO, report, sizeof(report), &ev) ||
	    coco_evidence_add_cert(ev, 0, der, der_len)) {
		fprintf(stderr, "model evidence: %s\n", coco_last_error());
		coco_evidence_free(ev);
		ev = NULL;
	}
	free(der);
	return ev;
}

static void test_model_hierarchy(void)
{
	struct coco_trust_anchors *anchors = model_anchors(milan);
	struct snp_model_report_spec spec;
	struct coco_verify_expect expect = { 0 };
	struct coco_verify_result res;

	CU_ASSERT_PTR_NOT_NULL_FATAL(anchors);
	for (uint32_t version = 2; version <= 5; version++) {
		struct coco_evidence *ev;
		snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
		spec.version = version;
		ev = model_evidence(milan, &spec);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
		expect.report_data = spec.report_data;
		expect.measurement = spec.measurement;
		expect.measurement_len = 48;
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, &expect, &res), 0);
		CU_ASSERT_STRING_EQUAL(res.product, "Milan");
		/* A model report is not AMD's: the built-in roots reject it. */
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, builtin, &expect, &res), -EKEYREJECTED);
		CU_ASSERT_FALSE(res.chain_ok);
		CU_ASSERT_TRUE(res.signature_ok);
		coco_evidence_free(ev);
	}
	coco_trust_anchors_free(anchors);
}

static void test_model_wrong_ark(void)
{
	struct snp_model_roots *impostor = NULL;
	struct coco_trust_anchors *wrong = NULL, *right = model_anchors(milan);
	struct snp_model_report_spec spec;
	struct coco_verify_result res;
	struct coco_evidence *ev;
	char *ark = NULL, *ask = NULL;

	/* Same names as the real model ARK, different key. */
	CU_ASSERT_EQUAL_FATAL(snp_model_roots_generate(SNP_PRODUCT_MILAN, &impostor), 0);
	CU_ASSERT_EQUAL_FATAL(snp_model_roots_ark_pem(impostor, &ark), 0);
	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_data(ark, strlen(ark), &wrong), 0);
	snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
	ev = model_evidence(milan, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	/* The genuine ASK travels with the evidence; only the trusted ARK differs. */
	CU_ASSERT_EQUAL(snp_model_roots_ask_pem(milan, &ask), 0);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, ask, strlen(ask)), 0);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, wrong, NULL, &res), -EKEYREJECTED);
	CU_ASSERT_FALSE(res.chain_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "ARK-Milan"));
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "same name with another key"));
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, right, NULL, &res), 0);
	coco_evidence_free(ev);

	/* A VCEK issued by the impostor's ASK does not chain to the genuine ARK. */
	ev = model_evidence(impostor, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, right, NULL, &res), -EKEYREJECTED);
	coco_evidence_free(ev);

	free(ark);
	free(ask);
	coco_trust_anchors_free(wrong);
	coco_trust_anchors_free(right);
	snp_model_roots_free(impostor);
}

static void test_model_binding(void)
{
	struct coco_trust_anchors *anchors = model_anchors(milan);
	struct snp_model_report_spec spec;
	struct coco_verify_result res;
	struct snp_tcb tcb;
	struct coco_evidence *ev;
	uint8_t other_chip[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(anchors);
	/* A VCEK whose TCB extensions disagree with REPORTED_TCB (one SPL at a time). */
	for (int which = 0; which < 4; which++) {
		snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
		snp_tcb_decode(SNP_PRODUCT_MILAN, spec.reported_tcb, &tcb);
		if (which == 0)
			tcb.bootloader++;
		else if (which == 1)
			tcb.tee++;
		else if (which == 2)
			tcb.snp--;
		else
			tcb.microcode++;
		spec.cert_tcb = snp_tcb_encode(SNP_PRODUCT_MILAN, &tcb);
		ev = model_evidence(milan, &spec);
		CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, NULL, &res), -EBADMSG);
		CU_ASSERT(res.chain_ok && res.signature_ok);
		CU_ASSERT_FALSE(res.tcb_ok);
		CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "TCB mismatch"));
		coco_evidence_free(ev);
	}

	/* A VCEK of another chip. */
	snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
	memcpy(other_chip, spec.chip_id, 64);
	other_chip[17] ^= 1;
	spec.cert_chip_id = other_chip;
	ev = model_evidence(milan, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, NULL, &res), -EBADMSG);
	CU_ASSERT_FALSE(res.tcb_ok);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "chip mismatch"));
	coco_evidence_free(ev);

	/* CHIP_ID masked in the report: the signature alone binds it. */
	snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
	memcpy(other_chip, spec.chip_id, 64);
	memset(spec.chip_id, 0, 64);
	spec.cert_chip_id = other_chip;
	ev = model_evidence(milan, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, NULL, &res), 0);
	coco_evidence_free(ev);
	coco_trust_anchors_free(anchors);
}

static void test_model_turin(void)
{
	const struct snp_model_roots *turin;
	struct coco_trust_anchors *anchors;
	struct snp_model_report_spec spec;
	struct coco_verify_result res;
	struct snp_tcb tcb;
	struct coco_evidence *ev;

	CU_ASSERT_EQUAL_FATAL(snp_model_roots_shared(SNP_PRODUCT_TURIN, &turin), 0);
	anchors = model_anchors(turin);
	CU_ASSERT_PTR_NOT_NULL_FATAL(anchors);
	snp_model_report_spec_init(&spec, SNP_PRODUCT_TURIN);
	ev = model_evidence(turin, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, NULL, &res), 0);
	CU_ASSERT_STRING_EQUAL(res.product, "Turin");
	coco_evidence_free(ev);

	/* Turin binds fmcSPL too. */
	snp_tcb_decode(SNP_PRODUCT_TURIN, spec.reported_tcb, &tcb);
	tcb.fmc++;
	spec.cert_tcb = snp_tcb_encode(SNP_PRODUCT_TURIN, &tcb);
	ev = model_evidence(turin, &spec);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, anchors, NULL, &res), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "fmcSPL"));
	coco_evidence_free(ev);

	/* A Turin report checked against Milan model roots. */
	snp_model_report_spec_init(&spec, SNP_PRODUCT_TURIN);
	ev = model_evidence(turin, &spec);
	{
		struct coco_trust_anchors *milan_anchors = model_anchors(milan);
		CU_ASSERT_EQUAL(coco_evidence_verify(ev, milan_anchors, NULL, &res), -EKEYREJECTED);
		coco_trust_anchors_free(milan_anchors);
	}
	coco_evidence_free(ev);
	coco_trust_anchors_free(anchors);
}

static void test_unsigned_report(void)
{
	struct snp_model_report_spec spec;
	struct coco_verify_result res;
	uint8_t report[SNP_REPORT_SIZE], *der = NULL;
	struct coco_evidence *ev = NULL;
	size_t der_len;

	snp_model_report_spec_init(&spec, SNP_PRODUCT_MILAN);
	CU_ASSERT_EQUAL_FATAL(snp_model_report_make(milan, &spec, report, &der, &der_len), 0);
	coco_put_le32(report + 0x48, SNP_SIGNING_KEY_NONE << SNP_SIGNER_KEY_SHIFT);
	memset(report + 0x2A0, 0, 144);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_AUTO, report, sizeof(report), &ev),
			      0);
	CU_ASSERT_EQUAL(coco_evidence_add_cert(ev, 0, der, der_len), 0);
	CU_ASSERT_EQUAL(coco_evidence_verify(ev, NULL, NULL, &res), -EBADMSG);
	CU_ASSERT_STRING_EQUAL(res.signer, "none");
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, "unsigned"));
	coco_evidence_free(ev);
	free(der);
}

int main(void)
{
	static CU_TestInfo real[] = {
		{ "Milan v2 with the built-in roots", test_milan_builtin_roots },
		{ "Milan v2 with the KDS cert_chain", test_milan_kds_chain },
		{ "Milan v3, Genoa v5, Milan v5 VLEK", test_other_real_reports },
		{ "every signed byte matters (672 flips)", test_every_signed_byte_matters },
		{ "report data and measurement expectations", test_expectations },
		{ "missing or wrong signer certificate", test_missing_or_wrong_signer },
		{ "display fields", test_fields },
		{ "parse refusals and certificate roles", test_parse_refusals_and_roles },
		{ "built-in anchor set", test_builtin_anchor_set },
		CU_TEST_INFO_NULL,
	};
	static CU_TestInfo model[] = {
		{ "model hierarchy verifies (v2..v5)", test_model_hierarchy },
		{ "wrong ARK", test_model_wrong_ark },
		{ "TCB and chip binding", test_model_binding },
		{ "Turin", test_model_turin },
		{ "unsigned report", test_unsigned_report },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "snp-verify-real", setup, teardown, NULL, NULL, real },
		{ "snp-verify-model", setup, teardown, NULL, NULL, model },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

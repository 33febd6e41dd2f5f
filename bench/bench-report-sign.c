/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark: SEV-SNP report signing and verification against raw OpenSSL
 * on the same P-384 key in the same run.
 *
 *   sign_rate_ratio    snp_report_sign (SHA-384 over [0, 0x2A0), ECDSA,
 *                      R/S to 72-byte little-endian) vs EVP_DigestSign of
 *                      the same bytes (DER signature).  Goal >= 0.9.
 *   verify_rate_ratio  snp_report_verify_signature (R/S from little-endian
 *                      to DER, EVP_DigestVerify) vs EVP_DigestVerify of a
 *                      ready DER signature.
 *   evidence_verify    coco_evidence_verify of a model report (parse the
 *                      VCEK, chain ARK -> ASK -> VCEK with two RSA-4096
 *                      PSS checks, extensions, signature) vs raw verify:
 *                      what a full verification costs.
 *
 * Subject and reference rounds alternate, best of each kept.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <coco/evidence.h>

#include "bench/bench-common.h"
#include "core/error.h"
#include "sev-snp/certs.h"
#include "sev-snp/report.h"

#define ROUNDS 5
#define ROUND_SECONDS 0.6

struct ctx {
	EVP_PKEY *key;
	EVP_MD *sha384;
	uint8_t report[SNP_REPORT_SIZE];
	unsigned char der[128];
	size_t der_len;
	struct coco_evidence *ev;
	struct coco_trust_anchors *anchors;
	int failures;
};

static void subject_sign(void *arg)
{
	struct ctx *c = arg;

	if (snp_report_sign(c->report, c->key))
		c->failures++;
}

static void reference_sign(void *arg)
{
	struct ctx *c = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char sig[128];
	size_t len = sizeof(sig);

	if (!md || EVP_DigestSignInit(md, NULL, c->sha384, NULL, c->key) != 1 ||
	    EVP_DigestSign(md, sig, &len, c->report, SNP_REPORT_SIGNED_SIZE) != 1)
		c->failures++;
	EVP_MD_CTX_free(md);
}

static void subject_verify(void *arg)
{
	struct ctx *c = arg;

	if (snp_report_verify_signature(c->report, c->key))
		c->failures++;
}

static void reference_verify(void *arg)
{
	struct ctx *c = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!md || EVP_DigestVerifyInit(md, NULL, c->sha384, NULL, c->key) != 1 ||
	    EVP_DigestVerify(md, c->der, c->der_len, c->report, SNP_REPORT_SIGNED_SIZE) != 1)
		c->failures++;
	EVP_MD_CTX_free(md);
}

static void subject_evidence_verify(void *arg)
{
	struct ctx *c = arg;
	struct coco_verify_result res;

	if (coco_evidence_verify(c->ev, c->anchors, NULL, &res))
		c->failures++;
}

/* Alternate subject and reference rounds; best rate of each. */
static void compare(struct ctx *c, void (*subject)(void *), void (*reference)(void *),
		    double *s_rate, double *r_rate)
{
	struct bench_runner runners[] = { { subject, c }, { reference, c } };

	bench_interleave(runners, 2, ROUNDS, ROUND_SECONDS);
	*s_rate = runners[0].rate;
	*r_rate = runners[1].rate;
}

static int setup_evidence(struct ctx *c, uint64_t tcb)
{
	const struct snp_model_roots *roots;
	uint8_t chip[64] = { 0x11 }, *der = NULL;
	char *ark = NULL, *ask = NULL;
	size_t der_len = 0;
	int ret;

	ret = snp_model_roots_shared(SNP_PRODUCT_MILAN, &roots);
	if (!ret)
		ret = snp_vcek_cert_issue(roots, c->key, tcb, chip, &der, &der_len);
	if (!ret)
		ret = snp_model_roots_ark_pem(roots, &ark);
	if (!ret)
		ret = snp_model_roots_ask_pem(roots, &ask);
	if (!ret)
		ret = coco_trust_anchors_from_data(ark, strlen(ark), &c->anchors);
	if (!ret)
		ret = coco_trust_anchors_add(c->anchors, ask, strlen(ask));
	if (!ret)
		ret = coco_evidence_parse(COCO_EVIDENCE_SNP_REPORT, c->report, SNP_REPORT_SIZE,
					  &c->ev);
	if (!ret)
		ret = coco_evidence_add_cert(c->ev, COCO_CERT_VCEK, der, der_len);
	free(der);
	free(ark);
	free(ask);
	return ret;
}

int main(void)
{
	struct ctx c = { 0 };
	const uint64_t tcb = 0x7308000000000003ull;
	struct snp_report r = {
		.version = 5, .policy = 0x30000, .signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384,
		.reported_tcb = tcb, .current_tcb = tcb, .cpuid_fam_id = 0x19, .cpuid_mod_id = 0x01,
	};
	uint8_t secret[32] = { 0x33 }, chip[64] = { 0x11 };
	double s, ref;
	EVP_MD_CTX *md;

	memcpy(r.chip_id, chip, sizeof(chip));
	c.sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	if (!c.sha384 || snp_vcek_derive(secret, tcb, &c.key) || snp_report_encode(&r, c.report) ||
	    snp_report_sign(c.report, c.key)) {
		fprintf(stderr, "bench-report-sign: setup failed: %s\n", coco_last_error());
		return 1;
	}
	/* A DER signature of the same body for the raw verify reference. */
	md = EVP_MD_CTX_new();
	c.der_len = sizeof(c.der);
	if (!md || EVP_DigestSignInit(md, NULL, c.sha384, NULL, c.key) != 1 ||
	    EVP_DigestSign(md, c.der, &c.der_len, c.report, SNP_REPORT_SIGNED_SIZE) != 1) {
		fprintf(stderr, "bench-report-sign: OpenSSL signing failed\n");
		return 1;
	}
	EVP_MD_CTX_free(md);

	compare(&c, subject_sign, reference_sign, &s, &ref);
	bench_report("report-sign", "sign_rate_ratio", s, ref, "signatures/s", ">= 0.9");
	compare(&c, subject_verify, reference_verify, &s, &ref);
	bench_report("report-sign", "verify_rate_ratio", s, ref, "verifications/s", ">= 0.9");

	if (setup_evidence(&c, tcb)) {
		fprintf(stderr, "bench-report-sign: evidence setup failed: %s\n",
			coco_last_error());
		return 1;
	}
	compare(&c, subject_evidence_verify, reference_verify, &s, &ref);
	bench_report("report-sign", "evidence_verify_rate_ratio", s, ref, "verifications/s",
		     "info: full chain + binding + signature vs one raw ECDSA verify");

	coco_evidence_free(c.ev);
	coco_trust_anchors_free(c.anchors);
	EVP_PKEY_free(c.key);
	EVP_MD_free(c.sha384);
	if (c.failures) {
		fprintf(stderr, "bench-report-sign: %d operations failed\n", c.failures);
		return 1;
	}
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark: TDX quote verification (coco_evidence_verify on the real SPR
 * quote, tests/vectors/tdx) against the two ECDSA P-256 verifications a
 * quote needs, done with raw OpenSSL in the same run.
 *
 *   cached_verify_ratio    coco_evidence_verify with the PCK chain in the
 *                          verifier's cache (the steady state: a platform
 *                          sends the same chain with every quote), Intel's
 *                          built-in root as anchors, report data and MRTD
 *                          expected - vs EVP_DigestVerify of the QE report
 *                          with the PCK key plus EVP_DigestVerify of
 *                          header || body with the attestation key (keys
 *                          and DER signatures ready).  Goal >= 0.8.
 *   uncached_verify_ratio  the same with the cache emptied before each
 *                          verification: the X.509 chain (two more ECDSA
 *                          verifications, certificate decoding) every time.
 *                          For information.
 *
 * Subject and reference rounds alternate, best of each kept.  The vectors
 * directory: COCO_TEST_VECTORS, else tests/vectors or ../tests/vectors.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <coco/evidence.h>

#include "bench/bench-common.h"
#include "core/error.h"
#include "core/util.h"
#include "tdx/ecdsa.h"
#include "tdx/quote.h"
#include "tdx/verify.h"

#define ROUNDS 5
#define ROUND_SECONDS 0.5
#define AT_2024_01_01 1704067200	/* inside the SPR quote's PCK validity */
#define SPR_QUOTE_SIZE 4935u

struct ctx {
	uint8_t *quote;
	struct tdx_quote q;
	struct coco_evidence *ev;
	struct coco_trust_anchors *anchors;
	struct coco_verify_expect expect;
	uint8_t report_data[64];
	EVP_PKEY *pck_key, *ak;
	EVP_MD *sha256;
	uint8_t qe_sig[TDX_ECDSA_DER_MAX], quote_sig[TDX_ECDSA_DER_MAX];
	int qe_sig_len, quote_sig_len;
	int failures;
};

static void subject_cached(void *arg)
{
	struct ctx *c = arg;

	if (coco_evidence_verify(c->ev, c->anchors, &c->expect, NULL))
		c->failures++;
}

static void subject_uncached(void *arg)
{
	struct ctx *c = arg;

	tdx_chain_cache_clear();
	if (coco_evidence_verify(c->ev, c->anchors, &c->expect, NULL))
		c->failures++;
}

static int raw_verify(struct ctx *c, EVP_PKEY *key, const uint8_t *sig, int sig_len,
		      const uint8_t *data, size_t len)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int ok = md && EVP_DigestVerifyInit(md, NULL, c->sha256, NULL, key) == 1 &&
		 EVP_DigestVerify(md, sig, (size_t)sig_len, data, len) == 1;

	EVP_MD_CTX_free(md);
	return ok ? 0 : -1;
}

static void reference(void *arg)
{
	struct ctx *c = arg;

	if (raw_verify(c, c->pck_key, c->qe_sig, c->qe_sig_len, c->q.qe_report,
		       TDX_QE_REPORT_SIZE) ||
	    raw_verify(c, c->ak, c->quote_sig, c->quote_sig_len, c->quote, c->q.signed_size))
		c->failures++;
}

static void compare(struct ctx *c, void (*subject)(void *), double *s_rate, double *r_rate)
{
	struct bench_runner runners[] = { { subject, c }, { reference, c } };

	bench_interleave(runners, 2, ROUNDS, ROUND_SECONDS);
	*s_rate = runners[0].rate;
	*r_rate = runners[1].rate;
}

static int setup(struct ctx *c)
{
	/* COCO_TEST_VECTORS, else from the source tree or a build directory inside it. */
	const char *dirs[] = { getenv("COCO_TEST_VECTORS"), "tests/vectors", "../tests/vectors" };
	char path[4096];
	size_t len = 0;
	BIO *bio;
	X509 *pck;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(dirs) && !c->quote; i++) {
		if (!dirs[i])
			continue;
		snprintf(path, sizeof(path), "%s/tdx/tdx_prod_quote_SPR_E4.dat", dirs[i]);
		if (coco_read_file(path, 1 << 20, "SPR quote", &c->quote, &len))
			c->quote = NULL;
	}
	if (!c->quote || len < SPR_QUOTE_SIZE || tdx_quote_decode(c->quote, SPR_QUOTE_SIZE, &c->q) ||
	    coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, c->quote, SPR_QUOTE_SIZE, &c->ev) ||
	    coco_trust_anchors_builtin(&c->anchors) ||
	    coco_evidence_report_data(c->ev, c->report_data))
		return -1;
	c->expect.at_time = AT_2024_01_01;
	c->expect.report_data = c->report_data;
	c->expect.measurement = c->q.body.mrtd;
	c->expect.measurement_len = 48;
	bio = BIO_new_mem_buf(c->q.pck_chain, (int)c->q.pck_chain_size);
	pck = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	c->pck_key = pck ? X509_get_pubkey(pck) : NULL;
	X509_free(pck);
	c->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->qe_sig_len = tdx_ecdsa_sig_to_der(c->q.qe_report_signature, c->qe_sig);
	c->quote_sig_len = tdx_ecdsa_sig_to_der(c->q.signature, c->quote_sig);
	if (!c->pck_key || !c->sha256 || c->qe_sig_len <= 0 || c->quote_sig_len <= 0 ||
	    tdx_p256_key_from_raw(c->q.attestation_key, &c->ak))
		return -1;
	/* Both sides must verify before they are timed. */
	reference(c);
	subject_cached(c);
	return c->failures ? -1 : 0;
}

int main(void)
{
	struct ctx c = { 0 };
	struct tdx_chain_cache_stats stats;
	double s, r;

	if (setup(&c)) {
		fprintf(stderr, "bench-quote-verify: setup failed: %s\n", coco_last_error());
		return 1;
	}
	compare(&c, subject_cached, &s, &r);
	tdx_chain_cache_stats(&stats);
	bench_report("quote-verify", "cached_verify_ratio", s, r, "verifications/s", ">= 0.8");
	compare(&c, subject_uncached, &s, &r);
	bench_report("quote-verify", "uncached_verify_ratio", s, r, "verifications/s",
		     "information");
	fprintf(stderr, "chain cache during the cached rounds: %zu hits, %zu misses\n",
		stats.hits, stats.misses);
	coco_evidence_free(c.ev);
	coco_trust_anchors_free(c.anchors);
	EVP_PKEY_free(c.pck_key);
	EVP_PKEY_free(c.ak);
	EVP_MD_free(c.sha256);
	free(c.quote);
	return c.failures ? 1 : 0;
}

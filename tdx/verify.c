/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX DCAP quotes as evidence (core/internal.h struct coco_evidence_ops):
 * detection, display fields, the PCK chain attached as certificates, the
 * built-in Intel root, and verification (../shared/specs/tdx.md 5.3):
 *
 *   1. chain: PCK leaf <- PCK Platform/Processor CA <- root, valid at the
 *      requested time, and the root the quote carries is byte-for-byte one
 *      of the trusted roots (a root that merely has the right name and
 *      chains is not enough: it is pinned);
 *   2. the QE report's signature with the PCK key;
 *   3. the QE report binds the attestation key: its REPORTDATA is
 *      SHA-256(attestation key || QE auth data) || 32 zero bytes;
 *   4. the quote signature over header || body with the attestation key;
 *   5. the verifier's expectations (REPORTDATA, MRTD).
 *
 * Every check runs so the result tells which hold; the first failure in
 * that order is the reason.  Collateral (TCB info by FMSPC, QE identity,
 * CRLs) is the verifier's policy and not checked here.
 */
#include "tdx/verify.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <coco/tdx.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "core/verify-checks.h"
#include "core/x509-chain.h"
#include "tdx/qe-model.h"
#include "tdx/ecdsa.h"
#include "tdx/intel-roots.h"
#include "tdx/pck-ext.h"
#include "tdx/quote.h"

/* The PEM chain of a DCAP quote: PCK leaf, PCK CA, root. */
#define PCK_CHAIN_CERTS 3

struct tdx_parsed {
	struct tdx_quote quote;		/* views into ev->bytes */
	struct tdx_qe_report qe;
};

static bool tdx_detect(const uint8_t *data, size_t len)
{
	uint16_t version;

	if (len < TDX_QUOTE_HEADER_SIZE)
		return false;
	version = coco_le16(data);
	return (version == TDX_QUOTE_VERSION_4 || version == TDX_QUOTE_VERSION_5) &&
	       coco_le16(data + 2) == TDX_QUOTE_ATT_KEY_ECDSA_P256 &&
	       coco_le32(data + 4) == TDX_QUOTE_TEE_TYPE_TDX;
}

static void tdx_free_parsed(void *parsed)
{
	free(parsed);
}

/* ------------------------------------------------------------------ */
/* Certificates                                                         */

/* Intel's names (tdx.md 5.3), and the platform model's (tdx/qe-model.h). */
static enum coco_cert_role role_from_cn(const char *cn)
{
	if (!strcmp(cn, "Intel SGX PCK Certificate") || !strcmp(cn, TDX_MODEL_PCK_CN))
		return COCO_CERT_PCK;
	if (!strcmp(cn, "Intel SGX PCK Platform CA") || !strcmp(cn, "Intel SGX PCK Processor CA") ||
	    !strcmp(cn, TDX_MODEL_PCK_CA_CN))
		return COCO_CERT_PCK_CA;
	if (!strcmp(cn, "Intel SGX Root CA") || !strcmp(cn, TDX_MODEL_ROOT_CN))
		return COCO_CERT_TDX_ROOT;
	return 0;
}

static enum coco_cert_role tdx_infer_role(const uint8_t *der, size_t len)
{
	X509 *x = coco_x509_from_der(der, len);
	char cn[64];

	ERR_clear_error();
	if (!x)
		return 0;
	coco_x509_subject_cn(x, cn, sizeof(cn));
	X509_free(x);
	return role_from_cn(cn);
}

static int tdx_builtin_anchors(struct coco_trust_anchors *a)
{
	return coco_embedded_certs_add_anchors(&tdx_intel_roots, a);
}

/*
 * Attach the PEM chain the quote carries: leaf as PCK, then PCK CA, then
 * root (DCAP's order).  @pck receives the leaf for the display fields.
 *
 * The chain must be exactly the canonical PEM of its three certificates
 * (base64 in 64-character lines, LF line ends: what Intel PCS serves, the
 * QE embeds and OpenSSL writes), optionally followed by one NUL byte (some
 * quote providers count the C string terminator; go-tdx-guest issue 34).
 * PEM parsers skip text around the blocks, so without this rule bytes of
 * the certification data could change without any check noticing.
 */
static int attach_chain(struct coco_evidence *ev, const struct tdx_quote *q, X509 **pck)
{
	static const enum coco_cert_role roles[PCK_CHAIN_CERTS] = {
		COCO_CERT_PCK, COCO_CERT_PCK_CA, COCO_CERT_TDX_ROOT,
	};
	size_t size = q->pck_chain_size;
	BIO *bio, *canonical = BIO_new(BIO_s_mem());
	char *name = NULL, *header = NULL, *text;
	unsigned char *der = NULL;
	long der_len, text_len;
	int n = 0, ret = 0;

	if (size && q->pck_chain[size - 1] == 0)
		size--;
	bio = BIO_new_mem_buf(q->pck_chain, (int)size);
	if (!bio || !canonical) {
		BIO_free(bio);
		BIO_free(canonical);
		return coco_err(-ENOMEM, "TDX quote: out of memory");
	}
	/*
	 * Raw PEM blocks, each decoded as X.509 once: certificate decoding is
	 * the dearest part of parsing a quote (OpenSSL 3 decodes the key).
	 */
	while (!ret && PEM_read_bio(bio, &name, &header, &der, &der_len)) {
		X509 *x = NULL;
		uint8_t *copy = NULL;

		if (n >= PCK_CHAIN_CERTS)
			ret = coco_err(-EBADMSG, "TDX quote: the PCK chain (offset %zu) holds more "
				       "than %d certificates; DCAP chains are PCK leaf, PCK CA, "
				       "root", q->pck_chain_offset, PCK_CHAIN_CERTS);
		else if (strcmp(name, "CERTIFICATE") || header[0])
			ret = coco_err(-EBADMSG, "TDX quote: PEM block %d of the PCK chain is a "
				       "\"%s\"%s, not a CERTIFICATE", n, name,
				       header[0] ? " with headers" : "");
		else if (!PEM_write_bio(canonical, "CERTIFICATE", "", der, der_len))
			ret = coco_err(-ENOMEM, "TDX quote: out of memory");
		else if (!(x = coco_x509_from_der(der, (size_t)der_len)))
			ret = coco_err(-EBADMSG, "TDX quote: certificate %d of the PCK chain is "
				       "not valid DER X.509", n);
		else if (!(copy = malloc((size_t)der_len)))
			ret = coco_err(-ENOMEM, "TDX quote: out of memory");
		if (!ret) {
			/* A fresh evidence: no certificates to replace, no role inference. */
			memcpy(copy, der, (size_t)der_len);
			ev->certs[ev->ncerts++] = (struct coco_evidence_cert){
				roles[n], copy, (size_t)der_len, .carried = true,
			};
			if (n == 0)
				*pck = x;
			else
				X509_free(x);
		} else {
			X509_free(x);
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(der);
		name = header = NULL;
		der = NULL;
		n++;
	}
	BIO_free(bio);
	ERR_clear_error();
	if (!ret && n != PCK_CHAIN_CERTS)
		ret = coco_err(-EBADMSG, "TDX quote: the PCK chain (offset %zu, %u bytes) holds "
			       "%d readable PEM certificate%s; DCAP chains are PCK leaf, PCK CA, "
			       "root", q->pck_chain_offset, q->pck_chain_size, n, n == 1 ? "" : "s");
	text_len = BIO_get_mem_data(canonical, &text);
	if (!ret && ((size_t)text_len != size || memcmp(text, q->pck_chain, size))) {
		size_t at = 0;
		while (at < size && at < (size_t)text_len && text[at] == (char)q->pck_chain[at])
			at++;
		ret = coco_err(-EBADMSG, "TDX quote: the PCK chain (offset %zu) is not the "
			       "canonical PEM of its three certificates (64-column base64, LF "
			       "line ends, nothing around the blocks but one final NUL): it "
			       "differs at byte %zu of the chain (quote offset %zu)",
			       q->pck_chain_offset, at, q->pck_chain_offset + at);
	}
	BIO_free(canonical);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Display fields                                                       */

static void td_attribute_names(uint64_t attributes, char *buf, size_t len)
{
	static const struct { uint64_t bit; const char *name; } bits[] = {
		{ COCO_TDX_ATTR_DEBUG, "debug" },
		{ COCO_TDX_ATTR_SEPT_VE_DISABLE, "sept_ve_disable" },
		{ COCO_TDX_ATTR_MIGRATABLE, "migratable" },
		{ COCO_TDX_ATTR_PKS, "pks" },
		{ COCO_TDX_ATTR_KL, "kl" },
		{ COCO_TDX_ATTR_PERFMON, "perfmon" },
	};
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < COCO_ARRAY_SIZE(bits) && used < len; i++)
		if (attributes & bits[i].bit)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 bits[i].name);
}

static int add_fields(struct coco_evidence *ev, const struct tdx_parsed *p, X509 *pck)
{
	const struct tdx_quote *q = &p->quote;
	const struct tdx_quote_body *b = &q->body;
	static const char *rtmr_names[TDX_RTMR_COUNT] = { "rtmr0", "rtmr1", "rtmr2", "rtmr3" };
	struct tdx_pck_ext ext;
	char bits[128];
	int ret;

	td_attribute_names(b->td_attributes, bits, sizeof(bits));
	ret = coco_evidence_add_field(ev, "version", "%u", q->header.version);
	ret = ret ? ret : coco_evidence_add_field(ev, "tee_type", "0x%08x (TDX)",
						  q->header.tee_type);
	ret = ret ? ret : coco_evidence_add_field(ev, "body_type", "%u (TD %s)", q->body_type,
						  q->body_type == TDX_QUOTE_BODY_TYPE_TD15 ? "1.5"
											   : "1.0");
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "qe_vendor_id", q->header.qe_vendor_id,
						      TDX_QE_VENDOR_ID_SIZE);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "user_data", q->header.user_data,
						      TDX_QUOTE_USER_DATA_SIZE);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "tee_tcb_svn", b->tee_tcb_svn, 16);
	if (q->body_type == TDX_QUOTE_BODY_TYPE_TD15)
		ret = ret ? ret : coco_evidence_add_hex_field(ev, "tee_tcb_svn2",
							      b->tee_tcb_svn2, 16);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrseam", b->mrseam, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrsignerseam", b->mrsignerseam, 48);
	ret = ret ? ret : coco_evidence_add_field(ev, "seam_attributes", "0x%016llx",
						  (unsigned long long)b->seam_attributes);
	ret = ret ? ret : coco_evidence_add_field(ev, "td_attributes", "0x%016llx%s%s%s",
						  (unsigned long long)b->td_attributes,
						  bits[0] ? " (" : "", bits, bits[0] ? ")" : "");
	ret = ret ? ret : coco_evidence_add_field(ev, "xfam", "0x%016llx",
						  (unsigned long long)b->xfam);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrtd", b->mrtd, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrconfigid", b->mrconfigid, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrowner", b->mrowner, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrownerconfig", b->mrownerconfig, 48);
	for (unsigned int i = 0; i < TDX_RTMR_COUNT; i++)
		ret = ret ? ret : coco_evidence_add_hex_field(ev, rtmr_names[i], b->rtmr[i], 48);
	if (q->body_type == TDX_QUOTE_BODY_TYPE_TD15)
		ret = ret ? ret : coco_evidence_add_hex_field(ev, "mrservicetd", b->mrservicetd,
							      48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "report_data", b->report_data, 64);
	ret = ret ? ret : coco_evidence_add_field(ev, "qe_svn", "%u", p->qe.isv_svn);
	ret = ret ? ret : coco_evidence_add_field(ev, "qe_prod_id", "%u", p->qe.isv_prod_id);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "qe_mrsigner", p->qe.mrsigner, 32);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "qe_mrenclave", p->qe.mrenclave, 32);
	/* From the PCK certificate (unsigned by the quote, signed by Intel's CA). */
	if (!ret && pck && !tdx_pck_ext_read(pck, &ext)) {
		ret = coco_evidence_add_field(ev, "pce_svn", "%u", ext.pcesvn);
		ret = ret ? ret : coco_evidence_add_hex_field(ev, "fmspc", ext.fmspc,
							      TDX_FMSPC_SIZE);
		ret = ret ? ret : coco_evidence_add_hex_field(ev, "pck_cpusvn", ext.cpusvn, 16);
	}
	if (!ret && q->trailing)
		ret = coco_evidence_add_field(ev, "trailing_bytes",
					      "%zu %sbytes after the quote's end at offset %zu: not "
					      "part of the quote, not covered by its signature",
					      q->trailing, q->trailing_zero ? "zero " : "", q->size);
	return ret;
}

static int tdx_parse(struct coco_evidence *ev)
{
	struct tdx_parsed *p = calloc(1, sizeof(*p));
	X509 *pck = NULL;
	int ret;

	if (!p)
		return coco_err(-ENOMEM, "TDX quote: out of memory");
	ret = tdx_quote_decode(ev->bytes, ev->len, &p->quote);
	if (ret) {
		free(p);
		return ret;
	}
	ev->parsed = p;
	tdx_qe_report_decode(p->quote.qe_report, &p->qe);
	ret = attach_chain(ev, &p->quote, &pck);
	if (!ret)
		ret = add_fields(ev, p, pck);
	ERR_clear_error();
	X509_free(pck);
	return ret;
}

static int tdx_measurement(const struct coco_evidence *ev, struct coco_measurement *m)
{
	const struct tdx_parsed *p = ev->parsed;

	memset(m, 0, sizeof(*m));
	m->size = TDX_MEASUREMENT_SIZE;
	memcpy(m->value, p->quote.body.mrtd, m->size);
	snprintf(m->alg, sizeof(m->alg), "sha384");
	return 0;
}

static int tdx_report_data(const struct coco_evidence *ev, uint8_t out[64])
{
	const struct tdx_parsed *p = ev->parsed;

	memcpy(out, p->quote.body.report_data, TDX_REPORT_DATA_SIZE);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Cache of verified PCK chains (tdx/verify.h)                          */

struct chain_entry {
	bool used;
	uint8_t digest[COCO_SHA256_SIZE];	/* of the three certificates' DER */
	X509 *root;				/* the pinned root it chained to */
	EVP_PKEY *pck_key;
	time_t not_before, not_after;		/* all three valid in between */
	uint64_t last_use;
};

/*
 * Attestation keys as EVP_PKEYs, keyed by their raw X || Y: building one
 * from the raw point costs half a signature verification, and a
 * platform's QE keeps its key across quotes.  A pure conversion, no trust
 * decision: the QE report binding is checked on every verification.
 */
struct ak_entry {
	bool used;
	uint8_t raw[TDX_ECDSA_KEY_SIZE];
	EVP_PKEY *key;
	uint64_t last_use;
};

static struct {
	pthread_mutex_t lock;
	struct chain_entry entries[TDX_CHAIN_CACHE_SIZE];
	struct ak_entry keys[TDX_CHAIN_CACHE_SIZE];
	uint64_t clock;
	size_t hits, misses;
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void entry_clear(struct chain_entry *e)
{
	X509_free(e->root);
	EVP_PKEY_free(e->pck_key);
	memset(e, 0, sizeof(*e));
}

void tdx_chain_cache_clear(void)
{
	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++) {
		entry_clear(&cache.entries[i]);
		EVP_PKEY_free(cache.keys[i].key);
		memset(&cache.keys[i], 0, sizeof(cache.keys[i]));
	}
	cache.hits = cache.misses = 0;
	pthread_mutex_unlock(&cache.lock);
}

void tdx_chain_cache_stats(struct tdx_chain_cache_stats *stats)
{
	pthread_mutex_lock(&cache.lock);
	stats->hits = cache.hits;
	stats->misses = cache.misses;
	stats->entries = 0;
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++)
		stats->entries += cache.entries[i].used;
	pthread_mutex_unlock(&cache.lock);
}

static bool anchors_hold(const struct coco_trust_anchors *anchors, X509 *root)
{
	for (int i = 0; i < sk_X509_num(anchors->roots); i++)
		if (!X509_cmp(sk_X509_value(anchors->roots, i), root))
			return true;
	return false;
}

/* The PCK key of a chain verified before under these conditions (a reference), or NULL. */
static EVP_PKEY *cache_lookup(const uint8_t digest[COCO_SHA256_SIZE], time_t at,
			      const struct coco_trust_anchors *anchors)
{
	EVP_PKEY *key = NULL;

	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++) {
		struct chain_entry *e = &cache.entries[i];
		if (!e->used || memcmp(e->digest, digest, COCO_SHA256_SIZE) ||
		    at < e->not_before || at > e->not_after || !anchors_hold(anchors, e->root))
			continue;
		if (EVP_PKEY_up_ref(e->pck_key))
			key = e->pck_key;
		e->last_use = ++cache.clock;
		break;
	}
	if (key)
		cache.hits++;
	else
		cache.misses++;
	pthread_mutex_unlock(&cache.lock);
	return key;
}

static void cache_insert(const uint8_t digest[COCO_SHA256_SIZE], X509 *root, EVP_PKEY *pck_key,
			 time_t not_before, time_t not_after)
{
	struct chain_entry *victim = &cache.entries[0];

	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++) {
		struct chain_entry *e = &cache.entries[i];
		if (e->used && !memcmp(e->digest, digest, COCO_SHA256_SIZE) &&
		    !X509_cmp(e->root, root)) {
			victim = e;	/* same chain, same root: refresh */
			break;
		}
		if (!e->used || (victim->used && e->last_use < victim->last_use))
			victim = e;
	}
	if (X509_up_ref(root) && EVP_PKEY_up_ref(pck_key)) {
		entry_clear(victim);
		victim->used = true;
		memcpy(victim->digest, digest, COCO_SHA256_SIZE);
		victim->root = root;
		victim->pck_key = pck_key;
		victim->not_before = not_before;
		victim->not_after = not_after;
		victim->last_use = ++cache.clock;
	}
	pthread_mutex_unlock(&cache.lock);
}

/* The attestation key @raw as an EVP_PKEY (a reference); -EBADMSG when it is not on P-256. */
static int attestation_key(const uint8_t raw[TDX_ECDSA_KEY_SIZE], EVP_PKEY **out)
{
	struct ak_entry *victim = &cache.keys[0];
	EVP_PKEY *key = NULL;
	int ret;

	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++) {
		struct ak_entry *e = &cache.keys[i];
		if (e->used && !memcmp(e->raw, raw, TDX_ECDSA_KEY_SIZE)) {
			if (EVP_PKEY_up_ref(e->key))
				key = e->key;
			e->last_use = ++cache.clock;
			break;
		}
	}
	pthread_mutex_unlock(&cache.lock);
	if (key) {
		*out = key;
		return 0;
	}
	ret = tdx_p256_key_from_raw(raw, &key);
	if (ret)
		return ret;
	pthread_mutex_lock(&cache.lock);
	for (size_t i = 0; i < TDX_CHAIN_CACHE_SIZE; i++) {
		struct ak_entry *e = &cache.keys[i];
		if (!e->used || (victim->used && e->last_use < victim->last_use))
			victim = e;
	}
	if (EVP_PKEY_up_ref(key)) {
		EVP_PKEY_free(victim->key);
		victim->used = true;
		memcpy(victim->raw, raw, TDX_ECDSA_KEY_SIZE);
		victim->key = key;
		victim->last_use = ++cache.clock;
	}
	pthread_mutex_unlock(&cache.lock);
	*out = key;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Verification                                                         */

enum check {
	CHECK_CHAIN,		/* PCK chain to a pinned root (-EKEYREJECTED) */
	CHECK_QE_SIGNATURE,	/* QE report signed by the PCK key */
	CHECK_BINDING,		/* QE report binds the attestation key */
	CHECK_QUOTE_SIGNATURE,	/* header || body signed by the attestation key */
	CHECK_EXPECT,		/* the verifier's expectations */
	CHECK_COUNT,
};
_Static_assert(CHECK_COUNT <= COCO_VERIFY_MAX_CHECKS, "more checks than the log holds");

struct verify_run {
	const struct tdx_parsed *p;
	const struct coco_evidence *ev;
	struct coco_verify_result *res;
	struct coco_verify_checks checks;	/* indexed by enum check */
	EVP_PKEY *pck_key;		/* a reference, once the chain holds */
};

/* Record the first failure of @check. */
#define fail(run, check, err, ...) coco_verify_fail(&(run)->checks, check, err, __VA_ARGS__)

static bool asn1_time_to_time_t(const ASN1_TIME *t, time_t *out)
{
	struct tm tm;

	if (!ASN1_TIME_to_tm(t, &tm))
		return false;
	*out = timegm(&tm);
	return true;
}

/* Remediation for an OpenSSL chain error. */
static const char *chain_hint(int err)
{
	switch (err) {
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
		return "; pass the time the quote was produced (at_time, cococtl --attime)";
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		return "; a certificate was not signed by its issuer's key (altered, or a "
		       "model chain presented with Intel's root)";
	default:
		return "";
	}
}

/* Find an anchor root whose DER is exactly @der. */
static X509 *pinned_root(const struct coco_trust_anchors *anchors, const uint8_t *der,
			 size_t len)
{
	for (int i = 0; i < sk_X509_num(anchors->roots); i++) {
		X509 *r = sk_X509_value(anchors->roots, i);
		unsigned char *rder = NULL;
		int rlen = i2d_X509(r, &rder);
		bool same = rlen > 0 && (size_t)rlen == len && !memcmp(rder, der, len);

		OPENSSL_free(rder);
		if (same)
			return r;
	}
	return NULL;
}

/* The full check of a chain not in the cache. */
static void verify_chain(struct verify_run *run, const struct coco_evidence_cert *certs[3],
			 const uint8_t digest[COCO_SHA256_SIZE],
			 const struct coco_trust_anchors *anchors, time_t at_time)
{
	static const char *names[3] = { "PCK certificate", "PCK CA certificate", "root" };
	X509 *x[3] = { NULL };
	X509 *root;
	STACK_OF(X509) *roots = NULL, *untrusted = NULL, *chain = NULL;
	struct coco_x509_chain_failure f;
	time_t not_before = 0, not_after = 0;
	char cn[64];
	int ret;

	for (int i = 0; i < 3; i++) {
		x[i] = coco_x509_from_der(certs[i]->der, certs[i]->len);
		if (!x[i]) {
			fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the %s is not valid DER "
			     "X.509", names[i]);
			goto out;
		}
	}
	root = pinned_root(anchors, certs[2]->der, certs[2]->len);
	if (!root) {
		uint8_t fp[COCO_SHA256_SIZE];
		char hex[2 * COCO_SHA256_SIZE + 1];

		coco_x509_subject_cn(x[2], cn, sizeof(cn));
		coco_sha256(certs[2]->der, certs[2]->len, fp);
		coco_hex_encode(fp, sizeof(fp), hex);
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the root the quote carries (CN=%s, "
		     "SHA-256 %s) is not one of the trusted roots; a quote from real hardware "
		     "chains to Intel's built-in SGX Root CA (SHA-256 44a0196b...b674d3), a "
		     "platform model's to its own root (give it as the anchor)",
		     cn[0] ? cn : "?", hex);
		goto out;
	}
	roots = sk_X509_new_null();
	untrusted = sk_X509_new_null();
	ret = roots && untrusted && sk_X509_push(roots, root) && sk_X509_push(untrusted, x[1]) ?
	      coco_x509_verify_chain(x[0], roots, untrusted, at_time, &chain, &f) : -ENOMEM;
	if (ret == -EKEYREJECTED) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: certificate CN=%s (depth %d): %s%s",
		     f.subject_cn[0] ? f.subject_cn : "?", f.depth,
		     X509_verify_cert_error_string(f.error), chain_hint(f.error));
		goto out;
	}
	if (ret) {
		fail(run, CHECK_CHAIN, -ENOMEM, "chain: out of memory setting up OpenSSL "
		     "verification");
		goto out;
	}
	if (sk_X509_num(chain) != 3) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: %d certificates from the PCK to the "
		     "root; DCAP chains are PCK leaf, PCK CA, root", sk_X509_num(chain));
		goto out;
	}
	run->pck_key = X509_get0_pubkey(x[0]);
	if (!tdx_key_is_p256(run->pck_key) || !EVP_PKEY_up_ref(run->pck_key)) {
		run->pck_key = NULL;
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the PCK certificate's key is not "
		     "an ECDSA P-256 key");
		goto out;
	}
	for (int i = 0; i < 3; i++) {
		time_t nb, na;
		if (!asn1_time_to_time_t(X509_get0_notBefore(x[i]), &nb) ||
		    !asn1_time_to_time_t(X509_get0_notAfter(x[i]), &na))
			goto out;	/* verified, just not cached */
		not_before = i == 0 || nb > not_before ? nb : not_before;
		not_after = i == 0 || na < not_after ? na : not_after;
	}
	cache_insert(digest, root, run->pck_key, not_before, not_after);
out:
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	sk_X509_free(roots);
	sk_X509_free(untrusted);
	for (int i = 0; i < 3; i++)
		X509_free(x[i]);
}

static void check_chain(struct verify_run *run, const struct coco_trust_anchors *anchors,
			time_t at_time)
{
	static const enum coco_cert_role roles[3] = {
		COCO_CERT_PCK, COCO_CERT_PCK_CA, COCO_CERT_TDX_ROOT,
	};
	static const char *names[3] = { "PCK certificate", "PCK CA certificate", "root" };
	const struct coco_evidence_cert *certs[3] = { NULL };
	uint8_t digest[COCO_SHA256_SIZE];
	struct coco_hasher *h = NULL;
	uint8_t len_le[8];
	int ret;

	for (int i = 0; i < 3; i++) {
		for (size_t j = 0; j < run->ev->ncerts; j++)
			if (run->ev->certs[j].role == roles[i])
				certs[i] = &run->ev->certs[j];
		if (!certs[i]) {
			fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: no %s is attached to the "
			     "quote (its certification data carries the chain; was it removed?)",
			     names[i]);
			return;
		}
	}
	/* Length-prefixed, so no two different chains hash alike. */
	ret = coco_hasher_new(COCO_HASH_SHA256, &h);
	ret = ret ? ret : coco_hasher_begin(h);
	for (int i = 0; !ret && i < 3; i++) {
		coco_put_le64(len_le, certs[i]->len);
		ret = coco_hasher_update(h, len_le, sizeof(len_le));
		ret = ret ? ret : coco_hasher_update(h, certs[i]->der, certs[i]->len);
	}
	ret = ret ? ret : coco_hasher_end(h, digest);
	coco_hasher_free(h);
	if (ret) {
		fail(run, CHECK_CHAIN, ret, "chain: %s", coco_last_error());
		return;
	}
	if (!at_time)
		at_time = time(NULL);
	run->pck_key = cache_lookup(digest, at_time, anchors);
	if (!run->pck_key)
		verify_chain(run, certs, digest, anchors, at_time);
	run->res->chain_ok = run->pck_key != NULL;
}

static void check_qe_report(struct verify_run *run)
{
	const struct tdx_quote *q = &run->p->quote;
	uint8_t digest[COCO_SHA256_SIZE];
	struct coco_hasher *h = NULL;
	char got[2 * COCO_SHA256_SIZE + 1], want[2 * COCO_SHA256_SIZE + 1];
	bool qe_sig_ok = false;
	int ret;

	if (!run->pck_key)
		fail(run, CHECK_QE_SIGNATURE, -EBADMSG, "QE report signature: not checked, the "
		     "PCK chain does not hold");
	else if (tdx_ecdsa_verify(run->pck_key, q->qe_report, TDX_QE_REPORT_SIZE,
				  q->qe_report_signature))
		fail(run, CHECK_QE_SIGNATURE, -EBADMSG, "QE report signature (offset %zu) does "
		     "not verify with the PCK certificate's key: the QE report or its signature "
		     "was altered, or the PCK certificate is another platform's",
		     q->signed_size + 4 + 134 + 384);
	else
		qe_sig_ok = true;

	ret = coco_hasher_new(COCO_HASH_SHA256, &h);
	ret = ret ? ret : coco_hasher_begin(h);
	ret = ret ? ret : coco_hasher_update(h, q->attestation_key, TDX_ECDSA_KEY_SIZE);
	ret = ret ? ret : coco_hasher_update(h, q->qe_auth_data, q->qe_auth_size);
	ret = ret ? ret : coco_hasher_end(h, digest);
	coco_hasher_free(h);
	if (ret) {
		fail(run, CHECK_BINDING, ret, "QE report binding: %s", coco_last_error());
		return;
	}
	if (memcmp(digest, run->p->qe.report_data, COCO_SHA256_SIZE)) {
		coco_hex_encode(run->p->qe.report_data, COCO_SHA256_SIZE, got);
		coco_hex_encode(digest, COCO_SHA256_SIZE, want);
		fail(run, CHECK_BINDING, -EBADMSG, "QE report binding: its REPORTDATA[0:32] is %s "
		     "but SHA-256(attestation key || QE auth data) is %s: the attestation key "
		     "is not the one the QE certified", got, want);
	} else if (!coco_all_zero(run->p->qe.report_data + 32, 32)) {
		fail(run, CHECK_BINDING, -EBADMSG, "QE report binding: REPORTDATA[32:64] must be "
		     "zero");
	} else {
		run->res->tcb_ok = true;
	}
	run->res->signature_ok = qe_sig_ok;
}

static void check_quote_signature(struct verify_run *run)
{
	const struct tdx_quote *q = &run->p->quote;
	EVP_PKEY *ak = NULL;

	if (attestation_key(q->attestation_key, &ak)) {
		fail(run, CHECK_QUOTE_SIGNATURE, -EBADMSG, "quote signature: the attestation key "
		     "(offset %zu) is not a point on P-256", q->signed_size + 4 + 64);
		run->res->signature_ok = false;
		return;
	}
	if (tdx_ecdsa_verify(ak, run->ev->bytes, q->signed_size, q->signature)) {
		fail(run, CHECK_QUOTE_SIGNATURE, -EBADMSG, "quote signature (offset %zu) over "
		     "bytes [0, %zu) does not verify with the attestation key: the header or "
		     "body was altered", q->signed_size + 4, q->signed_size);
		run->res->signature_ok = false;
	}
	EVP_PKEY_free(ak);
}


static int tdx_verify(const struct coco_evidence *ev, const struct coco_trust_anchors *anchors,
		      const struct coco_verify_expect *expect, struct coco_verify_result *res)
{
	const struct tdx_quote_body *b = &((const struct tdx_parsed *)ev->parsed)->quote.body;
	const struct coco_verify_subject subject = {
		.noun = "quote",
		.report_data = b->report_data,
		.measurement = b->mrtd,
		.measurement_len = TDX_MEASUREMENT_SIZE,
		.measurement_name = "MRTD",
		.measurement_rule = "MRTD is 48 (SHA-384)",
	};
	struct verify_run *run = calloc(1, sizeof(*run));
	int ret;

	if (!run)
		return coco_err(-ENOMEM, "coco_evidence_verify: out of memory");
	run->p = ev->parsed;
	run->ev = ev;
	run->res = res;
	snprintf(res->signer, sizeof(res->signer), "PCK");
	snprintf(res->product, sizeof(res->product), "TDX");
	check_chain(run, anchors, expect->at_time);
	check_qe_report(run);
	check_quote_signature(run);
	coco_verify_expectations(&run->checks, CHECK_EXPECT, expect, &subject, res);
	EVP_PKEY_free(run->pck_key);
	ret = coco_verify_conclude(&run->checks, "TDX quote", res);
	free(run);
	return ret;
}

const struct coco_evidence_ops tdx_quote_evidence_ops = {
	.format = COCO_EVIDENCE_TDX_QUOTE,
	.name = "TDX quote",
	.detect = tdx_detect,
	.parse = tdx_parse,
	.free_parsed = tdx_free_parsed,
	.measurement = tdx_measurement,
	.report_data = tdx_report_data,
	.infer_role = tdx_infer_role,
	.builtin_anchors = tdx_builtin_anchors,
	.verify = tdx_verify,
};

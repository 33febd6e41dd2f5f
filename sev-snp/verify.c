/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP attestation reports as evidence (core/internal.h struct
 * coco_evidence_ops): detection, display fields, role of AMD certificates,
 * the built-in AMD roots, and verification of a report against a signer
 * certificate (VCEK or VLEK) and trust anchors.
 *
 * Verification follows AMD's hierarchy (snp.md 3): the report names its
 * signing key; that key's certificate must chain ARK -> ASK (VCEK) or
 * ARK -> ASVK (VLEK) to a trusted root at the requested time; the
 * certificate's product line, TCB SPLs and (VCEK) hwID must be those of
 * the report; the report's ECDSA P-384 signature must verify with the
 * certificate's key; then the verifier's expectations (report data,
 * measurement).  Every check runs so the result tells which hold; the
 * first failure in that order is the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "core/error.h"
#include "core/internal.h"
#include "core/util.h"
#include "core/verify-checks.h"
#include "core/x509-chain.h"
#include "sev-snp/amd-roots.h"
#include "sev-snp/certs.h"
#include "sev-snp/report.h"
#include "sev-snp/signer-ext.h"

/* AMD KDS base URL (AMD 57230; snp.md 3.3), for remediation messages. */
#define KDS_URL "https://kdsintf.amd.com"

struct snp_parsed {
	struct snp_report report;
	enum snp_product product;	/* from the report alone; UNKNOWN for v2 Milan/Genoa */
};

static bool snp_detect(const uint8_t *data, size_t len)
{
	uint32_t version;

	if (len != SNP_REPORT_SIZE)
		return false;
	version = coco_le32(data);
	return version >= SNP_REPORT_VERSION_MIN && version <= SNP_REPORT_VERSION_MAX;
}

static void snp_free_parsed(void *parsed)
{
	free(parsed);
}

/* ------------------------------------------------------------------ */
/* Display fields                                                       */

struct bit_name {
	unsigned int bit;
	const char *name;
};

/* Guest policy bits (snp.md 2.2). */
static const struct bit_name policy_bits[] = {
	{ 16, "smt" }, { 18, "migrate_ma" }, { 19, "debug" }, { 20, "single_socket" },
	{ 21, "cxl_allow" }, { 22, "mem_aes_256_xts" }, { 23, "rapl_dis" },
	{ 24, "ciphertext_hiding" }, { 25, "page_swap_disable" },
};

/* PLATFORM_INFO bits (snp.md 2.1). */
static const struct bit_name platform_bits[] = {
	{ 0, "smt_en" }, { 1, "tsme_en" }, { 2, "ecc_en" }, { 3, "rapl_dis" },
	{ 4, "ciphertext_hiding_en" }, { 5, "alias_check_complete" }, { 7, "sev_tio_en" },
};

/* "name name ..." of the set bits in @value that @table names. */
static void bit_names(uint64_t value, const struct bit_name *table, size_t n, char *buf,
		      size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		if (value & (1ull << table[i].bit))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 table[i].name);
}

static int add_tcb_field(struct coco_evidence *ev, const char *name, enum snp_product product,
			 uint64_t raw)
{
	struct snp_tcb t;

	snp_tcb_decode(product, raw, &t);
	if (product == SNP_PRODUCT_TURIN)
		return coco_evidence_add_field(ev, name, "fmc=%u bl=%u tee=%u snp=%u ucode=%u "
					       "(0x%016llx)", t.fmc, t.bootloader, t.tee, t.snp,
					       t.microcode, (unsigned long long)raw);
	return coco_evidence_add_field(ev, name, "bl=%u tee=%u snp=%u ucode=%u (0x%016llx)",
				       t.bootloader, t.tee, t.snp, t.microcode,
				       (unsigned long long)raw);
}

static const char *signing_key_name(enum snp_signing_key key)
{
	switch (key) {
	case SNP_SIGNING_KEY_VCEK:
		return "VCEK";
	case SNP_SIGNING_KEY_VLEK:
		return "VLEK";
	default:
		return "none";
	}
}

static int add_fields(struct coco_evidence *ev, const struct snp_parsed *p)
{
	const struct snp_report *r = &p->report;
	enum snp_product tcb_product = p->product;
	char bits[256];
	int ret;

	bit_names(r->policy, policy_bits, COCO_ARRAY_SIZE(policy_bits), bits, sizeof(bits));
	ret = coco_evidence_add_field(ev, "version", "%u", r->version);
	ret = ret ? ret : coco_evidence_add_field(ev, "guest_svn", "%u", r->guest_svn);
	ret = ret ? ret : coco_evidence_add_field(ev, "policy", "0x%016llx (abi %u.%u%s%s%s)",
						  (unsigned long long)r->policy,
						  (unsigned)(r->policy >> 8) & 0xff,
						  (unsigned)r->policy & 0xff, bits[0] ? "; " : "",
						  bits, r->policy & (1ull << 17) ? "" :
						  "; bit 17 clear: must be one");
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "family_id", r->family_id, 16);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "image_id", r->image_id, 16);
	ret = ret ? ret : coco_evidence_add_field(ev, "vmpl", "%u", r->vmpl);
	ret = ret ? ret : coco_evidence_add_field(ev, "signature_algo", "%u (ECDSA P-384 "
						  "SHA-384)", r->signature_algo);
	ret = ret ? ret : add_tcb_field(ev, "current_tcb", tcb_product, r->current_tcb);
	ret = ret ? ret : add_tcb_field(ev, "reported_tcb", tcb_product, r->reported_tcb);
	ret = ret ? ret : add_tcb_field(ev, "committed_tcb", tcb_product, r->committed_tcb);
	ret = ret ? ret : add_tcb_field(ev, "launch_tcb", tcb_product, r->launch_tcb);
	bit_names(r->platform_info, platform_bits, COCO_ARRAY_SIZE(platform_bits), bits,
		  sizeof(bits));
	ret = ret ? ret : coco_evidence_add_field(ev, "platform_info", "0x%016llx%s%s%s",
						  (unsigned long long)r->platform_info,
						  bits[0] ? " (" : "", bits, bits[0] ? ")" : "");
	ret = ret ? ret : coco_evidence_add_field(ev, "signer", "%s%s%s",
						  signing_key_name(snp_report_signing_key(r)),
						  r->signer_info & SNP_SIGNER_AUTHOR_KEY_EN ?
						  " author_key_en" : "",
						  r->signer_info & SNP_SIGNER_MASK_CHIP_KEY ?
						  " mask_chip_key" : "");
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "report_data", r->report_data, 64);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "measurement", r->measurement, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "host_data", r->host_data, 32);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "id_key_digest", r->id_key_digest, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "author_key_digest",
						      r->author_key_digest, 48);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "report_id", r->report_id, 32);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "report_id_ma", r->report_id_ma, 32);
	ret = ret ? ret : coco_evidence_add_hex_field(ev, "chip_id", r->chip_id, 64);
	if (r->version >= 3)
		ret = ret ? ret : coco_evidence_add_field(ev, "cpuid", "family 0x%02x model "
							  "0x%02x stepping 0x%02x",
							  r->cpuid_fam_id, r->cpuid_mod_id,
							  r->cpuid_step);
	ret = ret ? ret : coco_evidence_add_field(ev, "product", "%s%s",
						  snp_product_name(p->product),
						  !p->product && r->version < 3 ?
						  " (version 2 report: Milan or Genoa; the VCEK "
						  "tells)" : "");
	ret = ret ? ret : coco_evidence_add_field(ev, "current_firmware", "%u.%u.%u",
						  r->current_major, r->current_minor,
						  r->current_build);
	ret = ret ? ret : coco_evidence_add_field(ev, "committed_firmware", "%u.%u.%u",
						  r->committed_major, r->committed_minor,
						  r->committed_build);
	if (r->version >= 5) {
		ret = ret ? ret : coco_evidence_add_field(ev, "launch_mit_vector", "0x%016llx",
						  (unsigned long long)r->launch_mit_vector);
		ret = ret ? ret : coco_evidence_add_field(ev, "current_mit_vector", "0x%016llx",
						  (unsigned long long)r->current_mit_vector);
	}
	return ret;
}

static int snp_parse(struct coco_evidence *ev)
{
	struct snp_parsed *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return coco_err(-ENOMEM, "SNP attestation report: out of memory");
	ret = snp_report_decode(ev->bytes, ev->len, &p->report);
	if (ret) {
		free(p);
		return ret;
	}
	p->product = snp_report_product(&p->report);
	ev->parsed = p;
	return add_fields(ev, p);
}

static int snp_measurement(const struct coco_evidence *ev, struct coco_measurement *m)
{
	const struct snp_parsed *p = ev->parsed;

	memset(m, 0, sizeof(*m));
	m->size = sizeof(p->report.measurement);
	memcpy(m->value, p->report.measurement, m->size);
	snprintf(m->alg, sizeof(m->alg), "sha384");
	return 0;
}

static int snp_report_data(const struct coco_evidence *ev, uint8_t out[64])
{
	const struct snp_parsed *p = ev->parsed;

	memcpy(out, p->report.report_data, sizeof(p->report.report_data));
	return 0;
}

/* ------------------------------------------------------------------ */
/* Certificates                                                         */

/* Role and product line named by an AMD common name (snp.md 3.1). */
static enum coco_cert_role role_from_cn(const char *cn, enum snp_product *product)
{
	static const struct { const char *prefix; enum coco_cert_role role; } forms[] = {
		{ "SEV-VLEK-", COCO_CERT_ASVK },
		{ "SEV-", COCO_CERT_ASK },
		{ "ARK-", COCO_CERT_ARK },
	};

	*product = SNP_PRODUCT_UNKNOWN;
	if (!strcmp(cn, "SEV-VCEK"))
		return COCO_CERT_VCEK;
	if (!strcmp(cn, "SEV-VLEK"))
		return COCO_CERT_VLEK;
	for (size_t i = 0; i < COCO_ARRAY_SIZE(forms); i++) {
		size_t n = strlen(forms[i].prefix);
		if (strncmp(cn, forms[i].prefix, n))
			continue;
		*product = snp_product_from_name(cn + n, strlen(cn + n));
		/* Only exact product names: "SEV-Milan", not "SEV-Milan-B0". */
		if (*product && !strcmp(cn + n, snp_product_name(*product)))
			return forms[i].role;
		*product = SNP_PRODUCT_UNKNOWN;
		return 0;
	}
	return 0;
}

static enum coco_cert_role snp_infer_role(const uint8_t *der, size_t len)
{
	X509 *x = coco_x509_from_der(der, len);
	enum snp_product product;
	char cn[64];

	ERR_clear_error();
	if (!x)
		return 0;
	coco_x509_subject_cn(x, cn, sizeof(cn));
	X509_free(x);
	return role_from_cn(cn, &product);
}

static int snp_builtin_anchors(struct coco_trust_anchors *a)
{
	return coco_embedded_certs_add_anchors(&snp_amd_roots, a);
}

/* ------------------------------------------------------------------ */
/* Verification                                                         */

/* What a failure is about; the reason reported is the first failure in this order. */
enum check {
	CHECK_CHAIN,		/* signer certificate and its chain (-EKEYREJECTED) */
	CHECK_BINDING,		/* certificate <-> report: product, TCB, chip */
	CHECK_SIGNATURE,	/* the report's signature */
	CHECK_EXPECT,		/* the verifier's expectations */
	CHECK_COUNT,
};
_Static_assert(CHECK_COUNT <= COCO_VERIFY_MAX_CHECKS, "more checks than the log holds");

struct verify_run {
	const struct snp_parsed *p;
	const struct coco_evidence *ev;
	struct coco_verify_result *res;
	struct coco_verify_checks checks;	/* indexed by enum check */
	enum snp_signing_key key;
	const char *signer;		/* "VCEK" / "VLEK" */
	enum snp_product product;	/* resolved: report, else certificate */
	X509 *cert;			/* the signer's certificate */
	struct snp_signer_ext ext;
	bool ext_ok;
};

/* Record the first failure of @check. */
#define fail(run, check, err, ...) coco_verify_fail(&(run)->checks, check, err, __VA_ARGS__)

/* KDS URL of the VCEK that signs a report with this chip ID and reported TCB. */
static void kds_vcek_url(const struct verify_run *run, char *buf, size_t len)
{
	const struct snp_report *r = &run->p->report;
	enum snp_product product = run->p->product;
	size_t id_len = snp_chip_id_size(product);
	char chip[2 * 64 + 1];
	struct snp_tcb t;

	coco_hex_encode(r->chip_id, id_len, chip);
	snp_tcb_decode(product, r->reported_tcb, &t);
	if (product == SNP_PRODUCT_TURIN)
		snprintf(buf, len, KDS_URL "/vcek/v1/Turin/%s?fmcSPL=%02u&blSPL=%02u&teeSPL=%02u"
			 "&snpSPL=%02u&ucodeSPL=%02u", chip, t.fmc, t.bootloader, t.tee, t.snp,
			 t.microcode);
	else
		snprintf(buf, len, KDS_URL "/vcek/v1/%s/%s?blSPL=%02u&teeSPL=%02u&snpSPL=%02u"
			 "&ucodeSPL=%02u", product ? snp_product_name(product) : "{Milan|Genoa}",
			 chip, t.bootloader, t.tee, t.snp, t.microcode);
}

/* Find and parse the signer's certificate; false when verification cannot go on. */
static bool load_signer(struct verify_run *run)
{
	enum coco_cert_role role = run->key == SNP_SIGNING_KEY_VLEK ? COCO_CERT_VLEK
								     : COCO_CERT_VCEK;
	const uint8_t *der;
	size_t len;
	char url[320];

	if (coco_evidence_get_cert(run->ev, role, &der, &len)) {
		if (role == COCO_CERT_VCEK) {
			kds_vcek_url(run, url, sizeof(url));
			fail(run, CHECK_CHAIN, -EKEYREJECTED, "the report is signed by a VCEK but "
			     "no VCEK certificate is attached; fetch it from AMD KDS: %s", url);
		} else {
			fail(run, CHECK_CHAIN, -EKEYREJECTED, "the report is signed by a VLEK but "
			     "no VLEK certificate is attached; it comes from the cloud provider "
			     "(extended guest request certificate table)");
		}
		return false;
	}
	run->cert = coco_x509_from_der(der, len);
	ERR_clear_error();
	if (!run->cert) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "the attached %s certificate is not valid "
		     "DER X.509", run->signer);
		return false;
	}
	return true;
}

/* Product line: the report's CPUID, else the certificate's productName. */
static void resolve_product(struct verify_run *run)
{
	enum snp_product from_report = run->p->product, from_cert;
	const char *name = run->ext.product_name;

	from_cert = snp_product_from_name(name, strlen(name));
	run->product = from_report ? from_report : from_cert;
	snprintf(run->res->product, sizeof(run->res->product), "%s",
		 run->product ? snp_product_name(run->product) : "unknown");
	if (!run->ext_ok)
		return;
	if (!name[0]) {
		fail(run, CHECK_BINDING, -EBADMSG, "%s certificate has no productName extension "
		     "(1.3.6.1.4.1.3704.1.2)", run->signer);
		run->res->tcb_ok = false;
	} else if (!from_cert) {
		fail(run, CHECK_BINDING, -EBADMSG, "%s certificate productName \"%s\" is not a "
		     "Milan, Genoa or Turin product", run->signer, name);
		run->res->tcb_ok = false;
	} else if (from_report && from_report != from_cert) {
		fail(run, CHECK_BINDING, -EBADMSG, "product mismatch: the report comes from a %s "
		     "(CPUID family 0x%02x model 0x%02x) but the %s certificate is for %s "
		     "(productName \"%s\")", snp_product_name(from_report),
		     run->p->report.cpuid_fam_id, run->p->report.cpuid_mod_id, run->signer,
		     snp_product_name(from_cert), name);
		run->res->tcb_ok = false;
	}
}

/* Remediation for an OpenSSL chain error; @issuer names the missing or failing issuer. */
static void chain_hint(int err, const char *issuer, char *buf, size_t len)
{
	switch (err) {
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
	case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		snprintf(buf, len, "; no trusted certificate is the CN=%s that issued it (the "
			 "same name with another key does not count): verify with AMD's built-in "
			 "roots, or give the signer's own chain (ASK/ASVK and ARK) as anchors",
			 issuer);
		break;
	case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
	case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		snprintf(buf, len, "; the self-signed CN=%s is not among the trusted roots",
			 issuer);
		break;
	case X509_V_ERR_CERT_SIGNATURE_FAILURE:
		snprintf(buf, len, "; it was not signed by the key of the trusted CN=%s (a "
			 "platform-model certificate checked against AMD's roots, or a forged one)",
			 issuer);
		break;
	case X509_V_ERR_CERT_NOT_YET_VALID:
	case X509_V_ERR_CERT_HAS_EXPIRED:
		snprintf(buf, len, "; pass the time the report was produced (at_time, cococtl "
			 "--attime)");
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

/* AMD's fixed hierarchy: signer <- ASK (VCEK) or ASVK (VLEK) <- ARK, one product. */
static void check_chain_shape(struct verify_run *run, STACK_OF(X509) *chain)
{
	char cn[64], want[32];
	enum snp_product product;
	enum coco_cert_role role;
	bool vlek = run->key == SNP_SIGNING_KEY_VLEK;

	if (sk_X509_num(chain) != 3) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: %d certificates; AMD's hierarchy is "
		     "%s -> %s -> ARK", sk_X509_num(chain), run->signer, vlek ? "ASVK" : "ASK");
		return;
	}
	coco_x509_subject_cn(sk_X509_value(chain, 0), cn, sizeof(cn));
	if (strcmp(cn, vlek ? "SEV-VLEK" : "SEV-VCEK")) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the signer certificate is CN=%s, not "
		     "%s", cn, vlek ? "SEV-VLEK" : "SEV-VCEK");
		return;
	}
	coco_x509_subject_cn(sk_X509_value(chain, 1), cn, sizeof(cn));
	role = role_from_cn(cn, &product);
	if (role != (vlek ? COCO_CERT_ASVK : COCO_CERT_ASK)) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the %s is issued by CN=%s, not by an "
		     "%s", run->signer, cn,
		     vlek ? "ASVK (SEV-VLEK-<product>)" : "ASK (SEV-<product>)");
		return;
	}
	if (run->product && product != run->product) {
		snprintf(want, sizeof(want), "%s%s", vlek ? "SEV-VLEK-" : "SEV-",
			 snp_product_name(run->product));
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the %s is issued by CN=%s but the "
		     "report is from a %s (expected %s)", run->signer, cn,
		     snp_product_name(run->product), want);
		return;
	}
	coco_x509_subject_cn(sk_X509_value(chain, 2), cn, sizeof(cn));
	if (role_from_cn(cn, &product) != COCO_CERT_ARK ||
	    (run->product && product != run->product)) {
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain: the trusted root is CN=%s, expected "
		     "ARK-%s", cn, snp_product_name(run->product));
		return;
	}
	run->res->chain_ok = true;
}

static void check_chain(struct verify_run *run, const struct coco_trust_anchors *anchors,
			time_t at_time)
{
	STACK_OF(X509) *intermediates = anchors->intermediates, *chain = NULL;
	STACK_OF(X509) *untrusted = sk_X509_new_null(), *attached = sk_X509_new_null();
	struct coco_x509_chain_failure f;
	bool ok = untrusted && attached;
	int ret = -ENOMEM;

	/* Trust only the anchors' roots; intermediates may come from either side. */
	for (int i = 0; ok && i < sk_X509_num(intermediates); i++)
		ok = sk_X509_push(untrusted, sk_X509_value(intermediates, i)) > 0;
	for (size_t i = 0; ok && i < run->ev->ncerts; i++) {
		const struct coco_evidence_cert *c = &run->ev->certs[i];
		X509 *x;
		if (c->role != COCO_CERT_ASK && c->role != COCO_CERT_ASVK)
			continue;
		/* @attached owns what it holds; @untrusted only borrows. */
		x = coco_x509_from_der(c->der, c->len);
		ok = x && sk_X509_push(attached, x) > 0;
		if (!ok)
			X509_free(x);
		ok = ok && sk_X509_push(untrusted, x) > 0;
	}
	if (ok)
		ret = coco_x509_verify_chain(run->cert, anchors->roots, untrusted, at_time, &chain,
					     &f);
	if (!ret) {
		check_chain_shape(run, chain);
	} else if (ret == -EKEYREJECTED) {
		const char *issuer = f.issuer_cn[0] ? f.issuer_cn : "?";
		char hint[320];	/* the longest hint with a 63-character CN */

		chain_hint(f.error, issuer, hint, sizeof(hint));
		fail(run, CHECK_CHAIN, -EKEYREJECTED, "chain from the %s: certificate CN=%s "
		     "(issuer CN=%s, depth %d): %s%s", run->signer,
		     f.subject_cn[0] ? f.subject_cn : "?", issuer, f.depth,
		     X509_verify_cert_error_string(f.error), hint);
	} else {
		fail(run, CHECK_CHAIN, -ENOMEM, "chain: out of memory setting up OpenSSL "
		     "verification");
	}
	ERR_clear_error();
	sk_X509_pop_free(chain, X509_free);
	sk_X509_free(untrusted);
	sk_X509_pop_free(attached, X509_free);
}

/* One SPL of the certificate against the report's REPORTED_TCB. */
static bool spl_matches(struct verify_run *run, const char *name, const char *oid, int cert,
			unsigned int report)
{
	if (cert == SNP_SPL_ABSENT) {
		fail(run, CHECK_BINDING, -EBADMSG, "%s certificate lacks %s (%s); it cannot be "
		     "bound to the report's REPORTED_TCB", run->signer, name, oid);
		return false;
	}
	if ((unsigned int)cert != report) {
		fail(run, CHECK_BINDING, -EBADMSG, "TCB mismatch: %s certificate %s is %d but the "
		     "report's REPORTED_TCB (offset 0x180) has %u: this %s was issued for another "
		     "TCB", run->signer, name, cert, report, run->signer);
		return false;
	}
	return true;
}

static void check_binding(struct verify_run *run)
{
	const struct snp_report *r = &run->p->report;
	enum snp_product product = run->product;
	size_t id_len = snp_chip_id_size(product);
	struct snp_tcb t;
	bool ok;

	if (!run->ext_ok)
		return;
	snp_tcb_decode(product, r->reported_tcb, &t);
	ok = spl_matches(run, "blSPL", "1.3.6.1.4.1.3704.1.3.1", run->ext.bl_spl, t.bootloader);
	ok = spl_matches(run, "teeSPL", "1.3.6.1.4.1.3704.1.3.2", run->ext.tee_spl, t.tee) && ok;
	ok = spl_matches(run, "snpSPL", "1.3.6.1.4.1.3704.1.3.3", run->ext.snp_spl, t.snp) && ok;
	ok = spl_matches(run, "ucodeSPL", "1.3.6.1.4.1.3704.1.3.8", run->ext.ucode_spl,
			 t.microcode) && ok;
	if (product == SNP_PRODUCT_TURIN)
		ok = spl_matches(run, "fmcSPL", "1.3.6.1.4.1.3704.1.3.9", run->ext.fmc_spl,
				 t.fmc) && ok;
	/*
	 * hwID binds a VCEK to one chip.  A report with CHIP_ID masked (all
	 * zero, MASK_CHIP_ID) names no chip: the signature alone binds it.
	 */
	if (run->key == SNP_SIGNING_KEY_VCEK && !coco_all_zero(r->chip_id, sizeof(r->chip_id))) {
		char hex[2 * 64 + 1];
		if (!run->ext.hwid_len) {
			fail(run, CHECK_BINDING, -EBADMSG, "VCEK certificate lacks hwID "
			     "(1.3.6.1.4.1.3704.1.4)");
			ok = false;
		} else if (run->ext.hwid_len != id_len ||
			   memcmp(run->ext.hwid, r->chip_id, id_len) ||
			   !coco_all_zero(r->chip_id + id_len, sizeof(r->chip_id) - id_len)) {
			coco_hex_encode(run->ext.hwid, run->ext.hwid_len, hex);
			fail(run, CHECK_BINDING, -EBADMSG, "chip mismatch: VCEK hwID %s is not the "
			     "report's CHIP_ID (offset 0x1A0, %zu bytes on %s): the VCEK belongs "
			     "to another chip", hex, id_len, snp_product_name(product));
			ok = false;
		}
	}
	run->res->tcb_ok = ok && run->res->tcb_ok;
}

static void check_signature(struct verify_run *run)
{
	EVP_PKEY *key = X509_get0_pubkey(run->cert);
	bool masked = run->p->report.signer_info & SNP_SIGNER_MASK_CHIP_KEY;

	if (key && !snp_report_verify_signature(run->ev->bytes, key)) {
		run->res->signature_ok = true;
		return;
	}
	ERR_clear_error();
	fail(run, CHECK_SIGNATURE, -EBADMSG, "%s%s",
	     key ? coco_last_error() : "the signer certificate has no usable public key",
	     masked ? " (MASK_CHIP_KEY is set: the firmware did not sign with the chip key)" : "");
}


static int snp_verify(const struct coco_evidence *ev, const struct coco_trust_anchors *anchors,
		      const struct coco_verify_expect *expect, struct coco_verify_result *res)
{
	const struct snp_report *r = &((const struct snp_parsed *)ev->parsed)->report;
	const struct coco_verify_subject subject = {
		.noun = "report",
		.report_data = r->report_data,
		.measurement = r->measurement,
		.measurement_len = sizeof(r->measurement),
		.measurement_name = "measurement",
		.measurement_rule = "an SNP measurement is 48 (SHA-384)",
	};
	struct verify_run *run = calloc(1, sizeof(*run));
	int ret;

	if (!run)
		return coco_err(-ENOMEM, "coco_evidence_verify: out of memory");
	run->p = ev->parsed;
	run->ev = ev;
	run->res = res;
	run->key = snp_report_signing_key(&run->p->report);
	run->signer = run->key == SNP_SIGNING_KEY_VLEK ? "VLEK" : "VCEK";
	snprintf(res->product, sizeof(res->product), "%s", snp_product_name(run->p->product));
	if (run->key == SNP_SIGNING_KEY_NONE) {
		snprintf(res->signer, sizeof(res->signer), "none");
		fail(run, CHECK_SIGNATURE, -EBADMSG, "the report is unsigned (SIGNING_KEY 7 = "
		     "none, offset 0x048): there is no signature to verify");
	} else {
		snprintf(res->signer, sizeof(res->signer), "%s", run->signer);
		if (load_signer(run)) {
			res->tcb_ok = true;
			run->ext_ok = !snp_signer_ext_read(run->cert, &run->ext);
			if (!run->ext_ok) {
				res->tcb_ok = false;
				fail(run, CHECK_BINDING, -EBADMSG, "%s", coco_last_error());
			}
			resolve_product(run);
			check_chain(run, anchors, expect->at_time);
			check_binding(run);
			check_signature(run);
		}
	}
	coco_verify_expectations(&run->checks, CHECK_EXPECT, expect, &subject, res);
	X509_free(run->cert);
	ret = coco_verify_conclude(&run->checks, "SNP report", res);
	free(run);
	return ret;
}

const struct coco_evidence_ops snp_report_evidence_ops = {
	.format = COCO_EVIDENCE_SNP_REPORT,
	.name = "SEV-SNP attestation report",
	.detect = snp_detect,
	.parse = snp_parse,
	.free_parsed = snp_free_parsed,
	.measurement = snp_measurement,
	.report_data = snp_report_data,
	.infer_role = snp_infer_role,
	.builtin_anchors = snp_builtin_anchors,
	.verify = snp_verify,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model TD Quoting Enclave (tdx/qe-model.h).  Certificate shapes copied
 * from the real chain in tests/vectors/tdx/tdx_prod_quote_SPR_E4.dat
 * (`openssl x509 -text`, `openssl asn1parse`): names CN, O=Intel
 * Corporation, L=Santa Clara, ST=CA, C=US in that order, UTF8String except
 * C (PrintableString); ECDSA P-256 keys, ecdsa-with-SHA256 signatures;
 * root: AKI = SKI, keyUsage critical certSign+cRLSign, basicConstraints
 * critical CA pathlen 1; Platform CA: AKI, SKI, keyUsage critical
 * certSign+cRLSign, basicConstraints critical CA pathlen 0; PCK: AKI, SKI,
 * keyUsage critical digitalSignature+nonRepudiation, basicConstraints
 * critical CA:FALSE, the SGX extension.  Validity as Intel's: root until
 * 2049-12-31 23:59:59, Platform CA 15 years, PCK 7 years.  Differences on
 * purpose: random serials, no CRL distribution points (the model has no
 * PCS; Intel's URL would make CRL-checking verifiers fetch a CRL the model
 * root did not sign).
 */
#include "tdx/qe-model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "core/x509-build.h"
#include "tdx/ecdsa.h"
#include "tdx/pck-ext.h"
#include "tdx/quote.h"

#define ROOT_NOT_AFTER "20491231235959Z"
#define PLATFORM_CA_YEARS 15
#define PCK_YEARS 7

/* Intel's TD QE identity (tdx.md 5.3; the real quote's QE report). */
static const uint8_t td_qe_mrsigner[32] = {
	0xdc, 0x9e, 0x2a, 0x7c, 0x6f, 0x94, 0x8f, 0x17, 0x47, 0x4e, 0x34, 0xa7, 0xfc, 0x43, 0xed, 0x03,
	0x0f, 0x7c, 0x15, 0x63, 0xf1, 0xba, 0xbd, 0xdf, 0x63, 0x40, 0xc8, 0x2e, 0x0e, 0x54, 0xa8, 0xc5,
};
#define TD_QE_ISV_PROD_ID 2
#define TD_QE_ISV_SVN 4
/* SGX ATTRIBUTES of the real TD QE: INIT | MODE64BIT | PROVISIONKEY, XFRM 0xE7. */
static const uint8_t td_qe_attributes[16] = { 0x15, 0, 0, 0, 0, 0, 0, 0, 0xe7 };
static const char model_mrenclave_label[] = "cocohost model TD QE v1";
#define QE_AUTH_DATA_SIZE 32

/* The TCB the model platform's PCK is issued for (the SPR vector's). */
static const uint8_t model_tcb_comp_svn[16] = { 3, 3, 2, 2, 2, 1, 0, 2 };
#define MODEL_PCESVN 11
static const uint8_t model_fmspc[TDX_FMSPC_SIZE] = { 0x50, 0x80, 0x6f, 0x00, 0x00, 0x00 };

enum { KEY_ROOT, KEY_CA, KEY_PCK, KEY_AK, KEY_COUNT };
enum { CERT_ROOT, CERT_CA, CERT_PCK, CERT_COUNT };

struct tdx_qe_model {
	EVP_PKEY *keys[KEY_COUNT];
	X509 *certs[CERT_COUNT];
	uint8_t qe_id[16];
	struct tdx_pck_ext ext;		/* of the PCK certificate */
	uint8_t ak_raw[TDX_P256_RAW_SIZE];
};

void tdx_qe_model_free(struct tdx_qe_model *qe)
{
	if (!qe)
		return;
	for (int i = 0; i < KEY_COUNT; i++)
		EVP_PKEY_free(qe->keys[i]);
	for (int i = 0; i < CERT_COUNT; i++)
		X509_free(qe->certs[i]);
	free(qe);
}

/* ------------------------------------------------------------------ */
/* Certificates                                                         */

/*
 * The shape of Intel's distinguished names, CN first, under names of the
 * model's own: a model certificate must never pass for Intel's, neither to a
 * chain builder that picks issuers by name nor to a reader of a message.
 */
static const struct coco_x509_rdn intel_name[] = {
	{ "CN", V_ASN1_UTF8STRING, NULL },
	{ "O", V_ASN1_UTF8STRING, "cocohost TDX platform model" },
	{ "L", V_ASN1_UTF8STRING, "Santa Clara" },
	{ "ST", V_ASN1_UTF8STRING, "CA" },
	{ "C", V_ASN1_PRINTABLESTRING, "US" },
};

/*
 * A certificate for @key named CN=@cn by @issuer (NULL: self-signed), with
 * a 20-byte random serial as Intel's; not yet signed.
 */
static X509 *new_cert(const char *cn, EVP_PKEY *key, X509 *issuer, int years,
		      const char *not_after)
{
	const struct coco_x509_cert_spec spec = {
		.name = intel_name, .name_len = COCO_ARRAY_SIZE(intel_name), .cn = cn,
		.key = key, .issuer = issuer, .serial_bytes = 20, .years = years,
		.not_after = not_after,
	};

	return coco_x509_new_cert(&spec);
}

static int build_certs(struct tdx_qe_model *qe)
{
	X509 *root, *ca, *pck;

	root = qe->certs[CERT_ROOT] = new_cert(TDX_MODEL_ROOT_CN, qe->keys[KEY_ROOT], NULL, 0,
					       ROOT_NOT_AFTER);
	/* SKI before AKI: the root's AKI is its own key identifier. */
	if (!root || coco_x509_add_ext(root, root, NID_subject_key_identifier, "hash") ||
	    coco_x509_add_ext(root, root, NID_authority_key_identifier, "keyid:always") ||
	    coco_x509_add_ext(root, root, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    coco_x509_add_ext(root, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:1") ||
	    !X509_sign(root, qe->keys[KEY_ROOT], EVP_sha256()))
		return -1;
	ca = qe->certs[CERT_CA] = new_cert(TDX_MODEL_PCK_CA_CN, qe->keys[KEY_CA], root,
					   PLATFORM_CA_YEARS, NULL);
	if (!ca || coco_x509_add_ext(ca, root, NID_authority_key_identifier, "keyid:always") ||
	    coco_x509_add_ext(ca, root, NID_subject_key_identifier, "hash") ||
	    coco_x509_add_ext(ca, root, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    coco_x509_add_ext(ca, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !X509_sign(ca, qe->keys[KEY_ROOT], EVP_sha256()))
		return -1;
	pck = qe->certs[CERT_PCK] = new_cert(TDX_MODEL_PCK_CN, qe->keys[KEY_PCK], ca,
					     PCK_YEARS, NULL);
	if (!pck || coco_x509_add_ext(pck, ca, NID_authority_key_identifier, "keyid:always") ||
	    coco_x509_add_ext(pck, ca, NID_subject_key_identifier, "hash") ||
	    coco_x509_add_ext(pck, ca, NID_key_usage, "critical,digitalSignature,nonRepudiation") ||
	    coco_x509_add_ext(pck, ca, NID_basic_constraints, "critical,CA:FALSE") ||
	    tdx_pck_ext_add(pck, &qe->ext) || !X509_sign(pck, qe->keys[KEY_CA], EVP_sha256()))
		return -1;
	return 0;
}

int tdx_qe_model_generate(struct tdx_qe_model **out)
{
	static const char op[] = "tdx_qe_model_generate";
	struct tdx_qe_model *qe = calloc(1, sizeof(*qe));
	struct tdx_pck_ext *ext;

	if (!qe)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	ext = &qe->ext;
	for (int i = 0; i < KEY_COUNT; i++)
		if (!(qe->keys[i] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256")))
			goto fail;
	if (RAND_bytes(qe->qe_id, sizeof(qe->qe_id)) != 1 ||
	    RAND_bytes(ext->ppid, sizeof(ext->ppid)) != 1 ||
	    RAND_bytes(ext->platform_instance_id, sizeof(ext->platform_instance_id)) != 1)
		goto fail;
	memcpy(ext->tcb_comp_svn, model_tcb_comp_svn, sizeof(ext->tcb_comp_svn));
	memcpy(ext->cpusvn, model_tcb_comp_svn, sizeof(ext->cpusvn));
	ext->pcesvn = MODEL_PCESVN;
	memcpy(ext->fmspc, model_fmspc, sizeof(ext->fmspc));
	ext->sgx_type = 1;		/* scalable: PCKs issued by the Platform CA */
	ext->has_platform = true;
	ext->dynamic_platform = true;
	ext->smt_enabled = true;
	if (build_certs(qe) || tdx_p256_key_to_raw(qe->keys[KEY_AK], qe->ak_raw))
		goto fail;
	*out = qe;
	return 0;
fail:
	ERR_clear_error();
	tdx_qe_model_free(qe);
	return coco_err(-EIO, "%s: OpenSSL failed to build the model PCK hierarchy (P-256 keys, "
			"ECDSA-SHA256 certificates)", op);
}

int tdx_qe_model_root_pem(const struct tdx_qe_model *qe, char **pem)
{
	return coco_x509_pem(&qe->certs[CERT_ROOT], 1, pem, "tdx_qe_model_root_pem");
}

int tdx_qe_model_chain_pem(const struct tdx_qe_model *qe, char **pem)
{
	X509 *chain[CERT_COUNT] = { qe->certs[CERT_PCK], qe->certs[CERT_CA],
				    qe->certs[CERT_ROOT] };

	return coco_x509_pem(chain, CERT_COUNT, pem, "tdx_qe_model_chain_pem");
}

/* ------------------------------------------------------------------ */
/* Serialised form                                                      */

/*
 * "CCTDXQE1" | u32 format | u32 length x7 | root key | CA key | PCK key |
 * AK (private keys, DER) | root cert | CA cert | PCK cert (DER) | QE ID (16)
 * | SHA-256 of all before.
 */
static const uint8_t qe_magic[8] = { 'C', 'C', 'T', 'D', 'X', 'Q', 'E', '1' };
#define QE_FORMAT 1u
#define QE_PARTS (KEY_COUNT + CERT_COUNT)
#define QE_HEADER_SIZE (8u + 4u + 4u * QE_PARTS)

int tdx_qe_model_save(const struct tdx_qe_model *qe, uint8_t *buf, size_t cap, size_t *len)
{
	static const char op[] = "tdx_qe_model_save";
	unsigned char *parts[QE_PARTS] = { NULL };
	int sizes[QE_PARTS];
	size_t need = QE_HEADER_SIZE + sizeof(qe->qe_id) + COCO_SHA256_SIZE, off;
	int ret = 0;

	for (int i = 0; i < KEY_COUNT; i++)
		sizes[i] = i2d_PrivateKey(qe->keys[i], &parts[i]);
	for (int i = 0; i < CERT_COUNT; i++)
		sizes[KEY_COUNT + i] = i2d_X509(qe->certs[i], &parts[KEY_COUNT + i]);
	for (int i = 0; i < QE_PARTS; i++) {
		if (sizes[i] <= 0) {
			ret = coco_err(-EIO, "%s: OpenSSL cannot encode the model QE", op);
			goto out;
		}
		need += (size_t)sizes[i];
	}
	*len = need;
	if (!buf || cap < need) {
		ret = coco_err(-ENOSPC, "%s: %zu bytes needed, %zu available", op, need, cap);
		goto out;
	}
	memcpy(buf, qe_magic, sizeof(qe_magic));
	coco_put_le32(buf + 8, QE_FORMAT);
	off = QE_HEADER_SIZE;
	for (int i = 0; i < QE_PARTS; i++) {
		coco_put_le32(buf + 12 + 4 * i, (uint32_t)sizes[i]);
		memcpy(buf + off, parts[i], (size_t)sizes[i]);
		off += (size_t)sizes[i];
	}
	memcpy(buf + off, qe->qe_id, sizeof(qe->qe_id));
	off += sizeof(qe->qe_id);
	ret = coco_sha256(buf, off, buf + off);
out:
	for (int i = 0; i < QE_PARTS; i++) {
		if (parts[i] && i < KEY_COUNT)
			OPENSSL_clear_free(parts[i], (size_t)sizes[i]);
		else
			OPENSSL_free(parts[i]);
	}
	return ret;
}

/* Keys, certificates and chain belong together, as generate made them. */
static bool hierarchy_consistent(struct tdx_qe_model *qe)
{
	for (int i = 0; i < KEY_COUNT; i++)
		if (!tdx_key_is_p256(qe->keys[i]))
			return false;
	return X509_check_private_key(qe->certs[CERT_ROOT], qe->keys[KEY_ROOT]) == 1 &&
	       X509_check_private_key(qe->certs[CERT_CA], qe->keys[KEY_CA]) == 1 &&
	       X509_check_private_key(qe->certs[CERT_PCK], qe->keys[KEY_PCK]) == 1 &&
	       X509_verify(qe->certs[CERT_ROOT], qe->keys[KEY_ROOT]) == 1 &&
	       X509_verify(qe->certs[CERT_CA], qe->keys[KEY_ROOT]) == 1 &&
	       X509_verify(qe->certs[CERT_PCK], qe->keys[KEY_CA]) == 1;
}

int tdx_qe_model_load(const uint8_t *buf, size_t len, struct tdx_qe_model **out)
{
	static const char op[] = "tdx_qe_model_load";
	uint8_t digest[COCO_SHA256_SIZE];
	struct tdx_qe_model *qe;
	uint32_t sizes[QE_PARTS];
	size_t total = QE_HEADER_SIZE, off;
	int ret;

	if (!buf || len < QE_HEADER_SIZE + 16 + COCO_SHA256_SIZE ||
	    memcmp(buf, qe_magic, sizeof(qe_magic)))
		return coco_err(-EBADMSG, "%s: not a saved TDX model QE (no CCTDXQE1 header)", op);
	if (coco_le32(buf + 8) != QE_FORMAT)
		return coco_err(-EBADMSG, "%s: format %u, this build reads format %u; re-create "
				"the platform", op, coco_le32(buf + 8), QE_FORMAT);
	for (int i = 0; i < QE_PARTS; i++) {
		sizes[i] = coco_le32(buf + 12 + 4 * i);
		if (sizes[i] == 0 || sizes[i] > len)
			return coco_err(-EBADMSG, "%s: part %d claims %u bytes of %zu", op, i,
					sizes[i], len);
		total += sizes[i];
	}
	if (total + 16 + COCO_SHA256_SIZE != len)
		return coco_err(-EBADMSG, "%s: %zu bytes, the header describes %zu", op, len,
				total + 16 + COCO_SHA256_SIZE);
	ret = coco_sha256(buf, total + 16, digest);
	if (ret)
		return ret;
	if (memcmp(digest, buf + total + 16, sizeof(digest)))
		return coco_err(-EBADMSG, "%s: checksum mismatch: the saved QE is damaged; "
				"re-create the platform", op);

	qe = calloc(1, sizeof(*qe));
	if (!qe)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	off = QE_HEADER_SIZE;
	for (int i = 0; i < QE_PARTS; i++) {
		const unsigned char *p = buf + off;
		if (i < KEY_COUNT)
			qe->keys[i] = d2i_AutoPrivateKey(NULL, &p, (long)sizes[i]);
		else
			qe->certs[i - KEY_COUNT] = d2i_X509(NULL, &p, (long)sizes[i]);
		off += sizes[i];
	}
	memcpy(qe->qe_id, buf + off, sizeof(qe->qe_id));
	for (int i = 0; i < QE_PARTS; i++)
		if (i < KEY_COUNT ? !qe->keys[i] : !qe->certs[i - KEY_COUNT])
			goto bad;
	if (!hierarchy_consistent(qe) || tdx_pck_ext_read(qe->certs[CERT_PCK], &qe->ext) ||
	    tdx_p256_key_to_raw(qe->keys[KEY_AK], qe->ak_raw))
		goto bad;
	*out = qe;
	return 0;
bad:
	ERR_clear_error();
	tdx_qe_model_free(qe);
	return coco_err(-EBADMSG, "%s: the saved keys and certificates do not form a root -> "
			"Platform CA -> PCK hierarchy with P-256 keys", op);
}

/* ------------------------------------------------------------------ */
/* Quoting                                                              */

static void body_from_tdreport(const struct tdx_tdreport *r, struct tdx_quote_body *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->tee_tcb_svn, r->tee_tcb_info.tee_tcb_svn, sizeof(b->tee_tcb_svn));
	memcpy(b->mrseam, r->tee_tcb_info.mrseam, sizeof(b->mrseam));
	memcpy(b->mrsignerseam, r->tee_tcb_info.mrsignerseam, sizeof(b->mrsignerseam));
	b->seam_attributes = r->tee_tcb_info.attributes;
	b->td_attributes = r->tdinfo.attributes;
	b->xfam = r->tdinfo.xfam;
	memcpy(b->mrtd, r->tdinfo.mrtd, sizeof(b->mrtd));
	memcpy(b->mrconfigid, r->tdinfo.mrconfigid, sizeof(b->mrconfigid));
	memcpy(b->mrowner, r->tdinfo.mrowner, sizeof(b->mrowner));
	memcpy(b->mrownerconfig, r->tdinfo.mrownerconfig, sizeof(b->mrownerconfig));
	memcpy(b->rtmr, r->tdinfo.rtmr, sizeof(b->rtmr));
	memcpy(b->report_data, r->report_data, sizeof(b->report_data));
	memcpy(b->tee_tcb_svn2, r->tee_tcb_info.tee_tcb_svn2, sizeof(b->tee_tcb_svn2));
	memcpy(b->mrservicetd, r->tdinfo.servtd_hash, sizeof(b->mrservicetd));
}

/* The QE report binding the AK (signed by the PCK key, as the PCE does). */
static int build_qe_report(const struct tdx_qe_model *qe, const uint8_t *auth, size_t auth_len,
			   uint8_t raw[TDX_QE_REPORT_SIZE], uint8_t sig[TDX_ECDSA_SIG_SIZE])
{
	struct tdx_qe_report r = { 0 };
	struct coco_hasher *h = NULL;
	int ret;

	memcpy(r.cpusvn, qe->ext.cpusvn, sizeof(r.cpusvn));
	memcpy(r.attributes, td_qe_attributes, sizeof(r.attributes));
	ret = coco_sha256(model_mrenclave_label, sizeof(model_mrenclave_label) - 1, r.mrenclave);
	memcpy(r.mrsigner, td_qe_mrsigner, sizeof(r.mrsigner));
	r.isv_prod_id = TD_QE_ISV_PROD_ID;
	r.isv_svn = TD_QE_ISV_SVN;
	ret = ret ? ret : coco_hasher_new(COCO_HASH_SHA256, &h);
	ret = ret ? ret : coco_hasher_begin(h);
	ret = ret ? ret : coco_hasher_update(h, qe->ak_raw, sizeof(qe->ak_raw));
	ret = ret ? ret : coco_hasher_update(h, auth, auth_len);
	ret = ret ? ret : coco_hasher_end(h, r.report_data);	/* [32, 64) stay zero */
	coco_hasher_free(h);
	if (ret)
		return ret;
	tdx_qe_report_encode(&r, raw);
	return tdx_ecdsa_sign(qe->keys[KEY_PCK], raw, TDX_QE_REPORT_SIZE, sig);
}

int tdx_qe_model_quote(const struct tdx_qe_model *qe, const uint8_t tdreport[TDX_TDREPORT_SIZE],
		       tdx_tdreport_verify_fn verify_report, void *verify_ctx, unsigned int version,
		       uint8_t **out, size_t *out_len)
{
	static const char op[] = "tdx_qe_model_quote";
	uint8_t auth[QE_AUTH_DATA_SIZE], sig[TDX_ECDSA_SIG_SIZE];
	struct tdx_tdreport report;
	struct tdx_quote q = { 0 };
	char *chain = NULL;
	uint8_t *buf = NULL;
	size_t len;
	int ret;

	if (!qe || !tdreport || !out || !out_len)
		return coco_err(-EINVAL, "%s: QE, TDREPORT and output are required", op);
	if (!verify_report)
		return coco_err(-EINVAL, "%s: a TDREPORT MAC check is required: the QE quotes only "
				"reports the platform produced", op);
	if (version != TDX_QUOTE_VERSION_4 && version != TDX_QUOTE_VERSION_5)
		return coco_err(-EINVAL, "%s: quote version %u; the QE produces versions 4 and 5",
				op, version);
	ret = tdx_tdreport_decode(tdreport, TDX_TDREPORT_SIZE, &report);
	if (ret)
		return coco_err_context(ret, "%s", op);
	ret = verify_report(verify_ctx, tdreport);
	if (ret)
		return coco_err_context(ret, "%s: the TDREPORT's MAC does not verify", op);
	ret = tdx_tdreport_check_hashes(tdreport);
	if (ret)
		return coco_err_context(ret, "%s", op);

	/* The auth data of Intel's QE in the real vector: bytes 0..31. */
	for (size_t i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)i;
	q.header.version = (uint16_t)version;
	q.header.att_key_type = TDX_QUOTE_ATT_KEY_ECDSA_P256;
	q.header.tee_type = TDX_QUOTE_TEE_TYPE_TDX;
	memcpy(q.header.qe_vendor_id, tdx_intel_qe_vendor_id, TDX_QE_VENDOR_ID_SIZE);
	memcpy(q.header.user_data, qe->qe_id, sizeof(qe->qe_id));
	q.body_type = version == TDX_QUOTE_VERSION_4 ? TDX_QUOTE_BODY_TYPE_TD10
						     : TDX_QUOTE_BODY_TYPE_TD15;
	body_from_tdreport(&report, &q.body);
	memcpy(q.attestation_key, qe->ak_raw, sizeof(q.attestation_key));
	q.qe_auth_data = auth;
	q.qe_auth_size = sizeof(auth);
	ret = build_qe_report(qe, auth, sizeof(auth), q.qe_report, q.qe_report_signature);
	ret = ret ? ret : tdx_qe_model_chain_pem(qe, &chain);
	if (!ret) {
		q.pck_chain = (const uint8_t *)chain;
		q.pck_chain_size = (uint32_t)strlen(chain);
		ret = tdx_quote_encode(&q, &buf, &len);
	}
	ret = ret ? ret : tdx_ecdsa_sign(qe->keys[KEY_AK], buf,
					 tdx_quote_signed_size(q.header.version, q.body_type), sig);
	ret = ret ? ret : tdx_quote_set_signature(buf, len, sig);
	free(chain);
	if (ret) {
		free(buf);
		return ret;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DCAP quote codec for TDs (tdx/quote.h).  Offsets: ../shared/specs/tdx.md
 * 5.2 (Intel DCAP QVL quote structures, go-tdx-guest abi.go, re-derived on
 * real quotes); the SGX report body of the QE report: SGX SDK
 * sgx_report_body_t.
 */
#include "tdx/quote.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

const uint8_t tdx_intel_qe_vendor_id[TDX_QE_VENDOR_ID_SIZE] = {
	0x93, 0x9a, 0x72, 0x33, 0xf7, 0x9c, 0x4c, 0xa9,
	0x94, 0x0a, 0x0d, 0xb3, 0x95, 0x7f, 0x06, 0x07,
};

/* Header */
enum {
	HDR_VERSION = 0,
	HDR_ATT_KEY_TYPE = 2,
	HDR_TEE_TYPE = 4,
	HDR_RESERVED_8 = 8,
	HDR_RESERVED_10 = 10,
	HDR_QE_VENDOR_ID = 12,
	HDR_USER_DATA = 28,
};

/* TD quote body, relative to its start */
enum {
	BODY_TEE_TCB_SVN = 0,
	BODY_MRSEAM = 16,
	BODY_MRSIGNERSEAM = 64,
	BODY_SEAM_ATTRIBUTES = 112,
	BODY_TD_ATTRIBUTES = 120,
	BODY_XFAM = 128,
	BODY_MRTD = 136,
	BODY_MRCONFIGID = 184,
	BODY_MROWNER = 232,
	BODY_MROWNERCONFIG = 280,
	BODY_RTMR0 = 328,
	BODY_REPORT_DATA = 520,
	BODY_TEE_TCB_SVN2 = 584,
	BODY_MRSERVICETD = 600,
};

/* Signature data, relative to its start */
enum {
	SIG_SIGNATURE = 0,
	SIG_ATTESTATION_KEY = 64,
	SIG_CERT_TYPE = 128,
	SIG_CERT_SIZE = 130,
	SIG_CERT_DATA = 134,
};

/* QE report certification data (type 6), relative to its start */
enum {
	QE_REPORT = 0,
	QE_REPORT_SIGNATURE = 384,
	QE_AUTH_SIZE = 448,
	QE_AUTH_DATA = 450,
};

/* SGX report body */
enum {
	REP_CPUSVN = 0,
	REP_MISCSELECT = 16,
	REP_ISV_EXT_PROD_ID = 32,
	REP_ATTRIBUTES = 48,
	REP_MRENCLAVE = 64,
	REP_MRSIGNER = 128,
	REP_CONFIG_ID = 192,
	REP_ISV_PROD_ID = 256,
	REP_ISV_SVN = 258,
	REP_CONFIG_SVN = 260,
	REP_ISV_FAMILY_ID = 304,
	REP_REPORT_DATA = TDX_QE_REPORT_REPORT_DATA_OFFSET,
};

static const char op_decode[] = "TDX quote";
static const char op_encode[] = "tdx_quote_encode";

static size_t body_size(uint16_t body_type)
{
	switch (body_type) {
	case TDX_QUOTE_BODY_TYPE_TD10:
		return TDX_QUOTE_BODY_TD10_SIZE;
	case TDX_QUOTE_BODY_TYPE_TD15:
		return TDX_QUOTE_BODY_TD15_SIZE;
	default:
		return 0;
	}
}

size_t tdx_quote_signed_size(uint16_t version, uint16_t body_type)
{
	if (version == TDX_QUOTE_VERSION_4)
		return body_type == TDX_QUOTE_BODY_TYPE_TD10 ? TDX_QUOTE_V4_SIGNED_SIZE : 0;
	if (version == TDX_QUOTE_VERSION_5 && body_size(body_type))
		return TDX_QUOTE_HEADER_SIZE + TDX_QUOTE_V5_DESCRIPTOR_SIZE + body_size(body_type);
	return 0;
}

/* Header rules shared by decode and encode. */
static int check_header(const struct tdx_quote_header *h, int err, const char *op)
{
	if (h->version != TDX_QUOTE_VERSION_4 && h->version != TDX_QUOTE_VERSION_5)
		return coco_err(err, "%s: version (offset 0) is %u; TD quotes are version 4 or "
				"5%s", op, h->version, h->version == 3 ?
				" (version 3 is an SGX enclave quote)" : "");
	if (h->att_key_type != TDX_QUOTE_ATT_KEY_ECDSA_P256)
		return coco_err(err, "%s: attestation key type (offset 2) is %u; only 2 "
				"(ECDSA-256-with-P-256) is defined for quotes%s", op,
				h->att_key_type, h->att_key_type == 3 ?
				" (3, ECDSA-384-with-P-384, is reserved by DCAP)" : "");
	if (h->tee_type != TDX_QUOTE_TEE_TYPE_TDX)
		return coco_err(err, "%s: TEE type (offset 4) is 0x%08X; a TD quote has 0x%08X "
				"(TDX)%s", op, h->tee_type, TDX_QUOTE_TEE_TYPE_TDX,
				h->tee_type == 0 ? " - 0x00000000 is an SGX enclave quote" : "");
	return 0;
}

static int check_body_type(uint16_t version, uint16_t body_type, int err, const char *op)
{
	if (version == TDX_QUOTE_VERSION_4 && body_type != TDX_QUOTE_BODY_TYPE_TD10)
		return coco_err(err, "%s: a version 4 quote has the TD 1.0 body (type 2), not "
				"type %u", op, body_type);
	if (!body_size(body_type))
		return coco_err(err, "%s: body type (offset 48) is %u; TD quote bodies are type "
				"2 (TD 1.0, 584 bytes) and 3 (TD 1.5, 648 bytes)%s", op, body_type,
				body_type == 1 ? " - type 1 is an SGX enclave report" : "");
	return 0;
}

static void decode_body(const uint8_t *p, uint16_t body_type, struct tdx_quote_body *b)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->tee_tcb_svn, p + BODY_TEE_TCB_SVN, sizeof(b->tee_tcb_svn));
	memcpy(b->mrseam, p + BODY_MRSEAM, sizeof(b->mrseam));
	memcpy(b->mrsignerseam, p + BODY_MRSIGNERSEAM, sizeof(b->mrsignerseam));
	b->seam_attributes = coco_le64(p + BODY_SEAM_ATTRIBUTES);
	b->td_attributes = coco_le64(p + BODY_TD_ATTRIBUTES);
	b->xfam = coco_le64(p + BODY_XFAM);
	memcpy(b->mrtd, p + BODY_MRTD, sizeof(b->mrtd));
	memcpy(b->mrconfigid, p + BODY_MRCONFIGID, sizeof(b->mrconfigid));
	memcpy(b->mrowner, p + BODY_MROWNER, sizeof(b->mrowner));
	memcpy(b->mrownerconfig, p + BODY_MROWNERCONFIG, sizeof(b->mrownerconfig));
	memcpy(b->rtmr, p + BODY_RTMR0, sizeof(b->rtmr));
	memcpy(b->report_data, p + BODY_REPORT_DATA, sizeof(b->report_data));
	if (body_type == TDX_QUOTE_BODY_TYPE_TD15) {
		memcpy(b->tee_tcb_svn2, p + BODY_TEE_TCB_SVN2, sizeof(b->tee_tcb_svn2));
		memcpy(b->mrservicetd, p + BODY_MRSERVICETD, sizeof(b->mrservicetd));
	}
}

static void encode_body(const struct tdx_quote_body *b, uint16_t body_type, uint8_t *p)
{
	memcpy(p + BODY_TEE_TCB_SVN, b->tee_tcb_svn, sizeof(b->tee_tcb_svn));
	memcpy(p + BODY_MRSEAM, b->mrseam, sizeof(b->mrseam));
	memcpy(p + BODY_MRSIGNERSEAM, b->mrsignerseam, sizeof(b->mrsignerseam));
	coco_put_le64(p + BODY_SEAM_ATTRIBUTES, b->seam_attributes);
	coco_put_le64(p + BODY_TD_ATTRIBUTES, b->td_attributes);
	coco_put_le64(p + BODY_XFAM, b->xfam);
	memcpy(p + BODY_MRTD, b->mrtd, sizeof(b->mrtd));
	memcpy(p + BODY_MRCONFIGID, b->mrconfigid, sizeof(b->mrconfigid));
	memcpy(p + BODY_MROWNER, b->mrowner, sizeof(b->mrowner));
	memcpy(p + BODY_MROWNERCONFIG, b->mrownerconfig, sizeof(b->mrownerconfig));
	memcpy(p + BODY_RTMR0, b->rtmr, sizeof(b->rtmr));
	memcpy(p + BODY_REPORT_DATA, b->report_data, sizeof(b->report_data));
	if (body_type == TDX_QUOTE_BODY_TYPE_TD15) {
		memcpy(p + BODY_TEE_TCB_SVN2, b->tee_tcb_svn2, sizeof(b->tee_tcb_svn2));
		memcpy(p + BODY_MRSERVICETD, b->mrservicetd, sizeof(b->mrservicetd));
	}
}

/* Certification data types of DCAP (for messages about the wrong one). */
static const char *cert_type_name(uint16_t type)
{
	switch (type) {
	case 1:
		return "PCK identifier: PPID in plain text, CPUSVN, PCESVN";
	case 2:
		return "PCK identifier: PPID RSA-2048-OAEP encrypted, CPUSVN, PCESVN";
	case 3:
		return "PCK identifier: PPID RSA-3072-OAEP encrypted, CPUSVN, PCESVN";
	case 4:
		return "PCK leaf certificate in plain text";
	case TDX_CERT_DATA_PCK_CHAIN:
		return "concatenated PCK cert chain";
	case TDX_CERT_DATA_QE_REPORT:
		return "QE report certification data";
	case 7:
		return "platform manifest";
	default:
		return "undefined";
	}
}

int tdx_quote_decode(const uint8_t *buf, size_t len, struct tdx_quote *q)
{
	static const char *op = op_decode;
	const uint8_t *body, *sig, *cert, *inner;
	size_t signed_size, off, end, bsize;
	uint32_t sig_size, cert_size, chain_size;
	uint16_t cert_type, inner_type;

	if (!buf || !q)
		return coco_err(-EINVAL, "%s: buffer and quote are required", op);
	memset(q, 0, sizeof(*q));
	if (len < TDX_QUOTE_HEADER_SIZE)
		return coco_err(-EBADMSG, "%s: %zu bytes, shorter than the %u-byte header", op,
				len, TDX_QUOTE_HEADER_SIZE);
	q->header.version = coco_le16(buf + HDR_VERSION);
	q->header.att_key_type = coco_le16(buf + HDR_ATT_KEY_TYPE);
	q->header.tee_type = coco_le32(buf + HDR_TEE_TYPE);
	q->header.reserved_8 = coco_le16(buf + HDR_RESERVED_8);
	q->header.reserved_10 = coco_le16(buf + HDR_RESERVED_10);
	memcpy(q->header.qe_vendor_id, buf + HDR_QE_VENDOR_ID, TDX_QE_VENDOR_ID_SIZE);
	memcpy(q->header.user_data, buf + HDR_USER_DATA, TDX_QUOTE_USER_DATA_SIZE);
	if (check_header(&q->header, -EBADMSG, op))
		return -EBADMSG;

	if (q->header.version == TDX_QUOTE_VERSION_4) {
		q->body_type = TDX_QUOTE_BODY_TYPE_TD10;
		body = buf + TDX_QUOTE_HEADER_SIZE;
	} else {
		if (len < TDX_QUOTE_HEADER_SIZE + TDX_QUOTE_V5_DESCRIPTOR_SIZE)
			return coco_err(-EBADMSG, "%s: %zu bytes end inside the version 5 body "
					"descriptor (offsets 48..53)", op, len);
		q->body_type = coco_le16(buf + TDX_QUOTE_HEADER_SIZE);
		if (check_body_type(q->header.version, q->body_type, -EBADMSG, op))
			return -EBADMSG;
		bsize = coco_le32(buf + TDX_QUOTE_HEADER_SIZE + 2);
		if (bsize != body_size(q->body_type))
			return coco_err(-EBADMSG, "%s: body size (offset 50) is %zu; a type %u body "
					"is %zu bytes", op, bsize, q->body_type,
					body_size(q->body_type));
		body = buf + TDX_QUOTE_HEADER_SIZE + TDX_QUOTE_V5_DESCRIPTOR_SIZE;
	}
	signed_size = tdx_quote_signed_size(q->header.version, q->body_type);
	if (len < signed_size + 4)
		return coco_err(-EBADMSG, "%s: %zu bytes end before the signature data size at "
				"offset %zu (the version %u quote body ends at %zu)", op, len,
				signed_size, q->header.version, signed_size);
	decode_body(body, q->body_type, &q->body);
	q->signed_size = signed_size;

	sig_size = coco_le32(buf + signed_size);
	off = signed_size + 4;
	if (sig_size > len - off)
		return coco_err(-EBADMSG, "%s: signature data size (offset %zu) is %u but only %zu "
				"bytes follow: the quote is truncated", op, signed_size, sig_size,
				len - off);
	if (sig_size < SIG_CERT_DATA)
		return coco_err(-EBADMSG, "%s: signature data size (offset %zu) is %u, less than "
				"its fixed %u bytes (signature, attestation key, certification "
				"data header)", op, signed_size, sig_size, SIG_CERT_DATA);
	sig = buf + off;
	memcpy(q->signature, sig + SIG_SIGNATURE, TDX_ECDSA_SIG_SIZE);
	memcpy(q->attestation_key, sig + SIG_ATTESTATION_KEY, TDX_ECDSA_KEY_SIZE);
	cert_type = coco_le16(sig + SIG_CERT_TYPE);
	if (cert_type != TDX_CERT_DATA_QE_REPORT)
		return coco_err(-EBADMSG, "%s: certification data type (offset %zu) is %u (%s); "
				"a TD quote carries type 6 (QE report certification data)", op,
				off + SIG_CERT_TYPE, cert_type, cert_type_name(cert_type));
	cert_size = coco_le32(sig + SIG_CERT_SIZE);
	if ((uint64_t)cert_size + SIG_CERT_DATA != sig_size)
		return coco_err(-EBADMSG, "%s: certification data size (offset %zu) is %u; the "
				"signature data size %u leaves exactly %u for it", op,
				off + SIG_CERT_SIZE, cert_size, sig_size, sig_size - SIG_CERT_DATA);

	off += SIG_CERT_DATA;
	cert = buf + off;
	if (cert_size < QE_AUTH_DATA)
		return coco_err(-EBADMSG, "%s: QE report certification data (offset %zu) has %u "
				"bytes, less than QE report, its signature and the auth data size "
				"(%u)", op, off, cert_size, QE_AUTH_DATA);
	memcpy(q->qe_report, cert + QE_REPORT, TDX_QE_REPORT_SIZE);
	memcpy(q->qe_report_signature, cert + QE_REPORT_SIGNATURE, TDX_ECDSA_SIG_SIZE);
	q->qe_auth_size = coco_le16(cert + QE_AUTH_SIZE);
	end = (size_t)QE_AUTH_DATA + q->qe_auth_size;
	if (end + 6 > cert_size)
		return coco_err(-EBADMSG, "%s: QE auth data size (offset %zu) is %u; with the "
				"6-byte PCK certification data header it overruns the %u bytes of "
				"QE report certification data", op, off + QE_AUTH_SIZE,
				q->qe_auth_size, cert_size);
	q->qe_auth_data = cert + QE_AUTH_DATA;
	inner = cert + end;
	inner_type = coco_le16(inner);
	if (inner_type != TDX_CERT_DATA_PCK_CHAIN)
		return coco_err(-EBADMSG, "%s: inner certification data type (offset %zu) is %u "
				"(%s); a verifiable quote carries type 5 (the PEM PCK certificate "
				"chain)%s", op, off + end, inner_type, cert_type_name(inner_type),
				inner_type >= 1 && inner_type <= 3 ? ": fetch the PCK certificate "
				"from Intel PCS with the PPID, or configure the quote provider to "
				"embed the chain" : "");
	chain_size = coco_le32(inner + 2);
	if ((uint64_t)end + 6 + chain_size != cert_size)
		return coco_err(-EBADMSG, "%s: PCK chain size (offset %zu) is %u; the QE report "
				"certification data leaves exactly %zu for it", op, off + end + 2,
				chain_size, cert_size - end - 6);
	if (chain_size == 0)
		return coco_err(-EBADMSG, "%s: the PCK certificate chain (offset %zu) is empty",
				op, off + end + 6);
	q->pck_chain = inner + 6;
	q->pck_chain_size = chain_size;
	q->pck_chain_offset = off + end + 6;

	q->size = signed_size + 4 + sig_size;
	q->trailing = len - q->size;
	q->trailing_zero = coco_all_zero(buf + q->size, q->trailing);
	return 0;
}

int tdx_quote_encode(const struct tdx_quote *q, uint8_t **out, size_t *len)
{
	static const char *op = op_encode;
	uint64_t cert_size, sig_size, total;
	size_t signed_size, off;
	uint8_t *buf;

	if (!q || !out || !len)
		return coco_err(-EINVAL, "%s: quote and output are required", op);
	if (check_header(&q->header, -EINVAL, op) ||
	    check_body_type(q->header.version, q->body_type, -EINVAL, op))
		return -EINVAL;
	if ((q->qe_auth_size && !q->qe_auth_data) || !q->pck_chain || !q->pck_chain_size)
		return coco_err(-EINVAL, "%s: the QE auth data (when its size is not 0) and a "
				"non-empty PCK chain are required", op);
	signed_size = tdx_quote_signed_size(q->header.version, q->body_type);
	cert_size = (uint64_t)QE_AUTH_DATA + q->qe_auth_size + 6 + q->pck_chain_size;
	sig_size = SIG_CERT_DATA + cert_size;
	if (sig_size > UINT32_MAX)
		return coco_err(-EINVAL, "%s: a %u-byte PCK chain does not fit a quote", op,
				q->pck_chain_size);
	total = signed_size + 4 + sig_size;
	buf = calloc(1, (size_t)total);
	if (!buf)
		return coco_err(-ENOMEM, "%s: out of memory", op);

	coco_put_le16(buf + HDR_VERSION, q->header.version);
	coco_put_le16(buf + HDR_ATT_KEY_TYPE, q->header.att_key_type);
	coco_put_le32(buf + HDR_TEE_TYPE, q->header.tee_type);
	coco_put_le16(buf + HDR_RESERVED_8, q->header.reserved_8);
	coco_put_le16(buf + HDR_RESERVED_10, q->header.reserved_10);
	memcpy(buf + HDR_QE_VENDOR_ID, q->header.qe_vendor_id, TDX_QE_VENDOR_ID_SIZE);
	memcpy(buf + HDR_USER_DATA, q->header.user_data, TDX_QUOTE_USER_DATA_SIZE);
	off = TDX_QUOTE_HEADER_SIZE;
	if (q->header.version == TDX_QUOTE_VERSION_5) {
		coco_put_le16(buf + off, q->body_type);
		coco_put_le32(buf + off + 2, (uint32_t)body_size(q->body_type));
		off += TDX_QUOTE_V5_DESCRIPTOR_SIZE;
	}
	encode_body(&q->body, q->body_type, buf + off);
	off = signed_size;

	coco_put_le32(buf + off, (uint32_t)sig_size);
	off += 4;
	memcpy(buf + off + SIG_SIGNATURE, q->signature, TDX_ECDSA_SIG_SIZE);
	memcpy(buf + off + SIG_ATTESTATION_KEY, q->attestation_key, TDX_ECDSA_KEY_SIZE);
	coco_put_le16(buf + off + SIG_CERT_TYPE, TDX_CERT_DATA_QE_REPORT);
	coco_put_le32(buf + off + SIG_CERT_SIZE, (uint32_t)cert_size);
	off += SIG_CERT_DATA;
	memcpy(buf + off + QE_REPORT, q->qe_report, TDX_QE_REPORT_SIZE);
	memcpy(buf + off + QE_REPORT_SIGNATURE, q->qe_report_signature, TDX_ECDSA_SIG_SIZE);
	coco_put_le16(buf + off + QE_AUTH_SIZE, q->qe_auth_size);
	if (q->qe_auth_size)
		memcpy(buf + off + QE_AUTH_DATA, q->qe_auth_data, q->qe_auth_size);
	off += QE_AUTH_DATA + q->qe_auth_size;
	coco_put_le16(buf + off, TDX_CERT_DATA_PCK_CHAIN);
	coco_put_le32(buf + off + 2, q->pck_chain_size);
	memcpy(buf + off + 6, q->pck_chain, q->pck_chain_size);
	*out = buf;
	*len = (size_t)total;
	return 0;
}

int tdx_quote_set_signature(uint8_t *buf, size_t len, const uint8_t sig[TDX_ECDSA_SIG_SIZE])
{
	uint16_t version, body_type;
	size_t signed_size;

	if (!buf || len < TDX_QUOTE_HEADER_SIZE + TDX_QUOTE_V5_DESCRIPTOR_SIZE)
		return coco_err(-EINVAL, "tdx_quote_set_signature: %zu bytes are not an encoded "
				"quote", len);
	version = coco_le16(buf + HDR_VERSION);
	body_type = version == TDX_QUOTE_VERSION_4 ? TDX_QUOTE_BODY_TYPE_TD10
						   : coco_le16(buf + TDX_QUOTE_HEADER_SIZE);
	signed_size = tdx_quote_signed_size(version, body_type);
	if (!signed_size || len < signed_size + 4 + TDX_ECDSA_SIG_SIZE)
		return coco_err(-EINVAL, "tdx_quote_set_signature: %zu bytes are not an encoded "
				"version %u quote", len, version);
	memcpy(buf + signed_size + 4 + SIG_SIGNATURE, sig, TDX_ECDSA_SIG_SIZE);
	return 0;
}

void tdx_qe_report_decode(const uint8_t raw[TDX_QE_REPORT_SIZE], struct tdx_qe_report *r)
{
	memset(r, 0, sizeof(*r));
	memcpy(r->cpusvn, raw + REP_CPUSVN, sizeof(r->cpusvn));
	r->miscselect = coco_le32(raw + REP_MISCSELECT);
	memcpy(r->isv_ext_prod_id, raw + REP_ISV_EXT_PROD_ID, sizeof(r->isv_ext_prod_id));
	memcpy(r->attributes, raw + REP_ATTRIBUTES, sizeof(r->attributes));
	memcpy(r->mrenclave, raw + REP_MRENCLAVE, sizeof(r->mrenclave));
	memcpy(r->mrsigner, raw + REP_MRSIGNER, sizeof(r->mrsigner));
	memcpy(r->config_id, raw + REP_CONFIG_ID, sizeof(r->config_id));
	r->isv_prod_id = coco_le16(raw + REP_ISV_PROD_ID);
	r->isv_svn = coco_le16(raw + REP_ISV_SVN);
	r->config_svn = coco_le16(raw + REP_CONFIG_SVN);
	memcpy(r->isv_family_id, raw + REP_ISV_FAMILY_ID, sizeof(r->isv_family_id));
	memcpy(r->report_data, raw + REP_REPORT_DATA, sizeof(r->report_data));
}

void tdx_qe_report_encode(const struct tdx_qe_report *r, uint8_t raw[TDX_QE_REPORT_SIZE])
{
	memset(raw, 0, TDX_QE_REPORT_SIZE);
	memcpy(raw + REP_CPUSVN, r->cpusvn, sizeof(r->cpusvn));
	coco_put_le32(raw + REP_MISCSELECT, r->miscselect);
	memcpy(raw + REP_ISV_EXT_PROD_ID, r->isv_ext_prod_id, sizeof(r->isv_ext_prod_id));
	memcpy(raw + REP_ATTRIBUTES, r->attributes, sizeof(r->attributes));
	memcpy(raw + REP_MRENCLAVE, r->mrenclave, sizeof(r->mrenclave));
	memcpy(raw + REP_MRSIGNER, r->mrsigner, sizeof(r->mrsigner));
	memcpy(raw + REP_CONFIG_ID, r->config_id, sizeof(r->config_id));
	coco_put_le16(raw + REP_ISV_PROD_ID, r->isv_prod_id);
	coco_put_le16(raw + REP_ISV_SVN, r->isv_svn);
	coco_put_le16(raw + REP_CONFIG_SVN, r->config_svn);
	memcpy(raw + REP_ISV_FAMILY_ID, r->isv_family_id, sizeof(r->isv_family_id));
	memcpy(raw + REP_REPORT_DATA, r->report_data, sizeof(r->report_data));
}

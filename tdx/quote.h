/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Intel DCAP ECDSA quotes of TDs, versions 4 and 5, decoded and encoded
 * (../shared/specs/tdx.md 5.2; offsets re-derived there on real quotes).
 *
 *   version 4:  header (48) | TD 1.0 body (584)                    | u32 sig data size | sig data
 *   version 5:  header (48) | u16 body type | u32 body size | body | u32 sig data size | sig data
 *               body type 2 = TD 1.0 (584 bytes), 3 = TD 1.5 (648: + TEE_TCB_SVN2, MRSERVICETD)
 *
 * The quote signature covers everything before the signature data size:
 * 632 bytes for version 4, 638 or 702 for version 5.  Signature data:
 *
 *   [  0,  64)  ECDSA P-256 signature r || s (big-endian) with the attestation key
 *   [ 64, 128)  attestation public key X || Y (raw P-256 point)
 *   [128, 130)  certification data type, 6 = QE report certification data
 *   [130, 134)  its size, then:
 *               QE report (384, an SGX report body) | QE report signature (64, r || s,
 *               by the PCK key) | u16 QE auth data size | QE auth data |
 *               u16 certification data type 5 (PCK chain) | u32 size | PEM chain
 *               (PCK leaf, PCK Platform/Processor CA, Intel SGX Root CA)
 *
 * Decoding is strict: every size must add up exactly; versions, attestation
 * key type, TEE type, body type and both certification data types must be
 * the ones above; errors name the field and its offset.  Bytes after the
 * signature data are not part of the quote: real quotes reach verifiers
 * zero-padded (a fixed-size buffer from the quote generation service) or
 * with a container's extra bytes (go-tdx-guest's SPR vector carries 39
 * bytes of text).  The quote's own sizes say where it ends, so such bytes
 * are accepted, never read as quote data, and reported in
 * tdx_quote.trailing (the evidence shows them as "trailing_bytes").
 */
#ifndef COCO_TDX_QUOTE_H
#define COCO_TDX_QUOTE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "tdx/tdreport.h"

#define TDX_QUOTE_HEADER_SIZE 48u
#define TDX_QUOTE_VERSION_4 4u
#define TDX_QUOTE_VERSION_5 5u
#define TDX_QUOTE_ATT_KEY_ECDSA_P256 2u		/* 3 (P-384) is reserved by DCAP */
#define TDX_QUOTE_TEE_TYPE_TDX 0x81u		/* 0x00 is SGX */
#define TDX_QUOTE_BODY_TYPE_TD10 2u		/* version 5 body types; 1 is SGX */
#define TDX_QUOTE_BODY_TYPE_TD15 3u
#define TDX_QUOTE_BODY_TD10_SIZE 584u
#define TDX_QUOTE_BODY_TD15_SIZE 648u
#define TDX_QUOTE_V5_DESCRIPTOR_SIZE 6u		/* u16 body type + u32 body size */
#define TDX_QUOTE_V4_SIGNED_SIZE (TDX_QUOTE_HEADER_SIZE + TDX_QUOTE_BODY_TD10_SIZE)

#define TDX_ECDSA_SIG_SIZE 64u			/* r || s, 32 bytes each, big-endian */
#define TDX_ECDSA_KEY_SIZE 64u			/* X || Y, 32 bytes each, big-endian */
#define TDX_QE_REPORT_SIZE 384u
#define TDX_CERT_DATA_PCK_CHAIN 5u		/* PEM: leaf, intermediate, root */
#define TDX_CERT_DATA_QE_REPORT 6u
/* Fixed part of signature data before the certification data's payload. */
#define TDX_SIG_DATA_FIXED_SIZE (TDX_ECDSA_SIG_SIZE + TDX_ECDSA_KEY_SIZE + 2u + 4u)

#define TDX_QE_VENDOR_ID_SIZE 16u
#define TDX_QUOTE_USER_DATA_SIZE 20u

/* Intel's QE vendor ID 939A7233-F79C-4CA9-940A-0DB3957F0607. */
extern const uint8_t tdx_intel_qe_vendor_id[TDX_QE_VENDOR_ID_SIZE];

struct tdx_quote_header {
	uint16_t version;			/* +0: 4 or 5 */
	uint16_t att_key_type;			/* +2: 2 = ECDSA P-256 */
	uint32_t tee_type;			/* +4: 0x81 = TDX */
	/*
	 * +8, +10: QE_SVN and PCE_SVN in DCAP's version 3 naming, reserved in
	 * version 4 (zero in real TD quotes; the QE's SVN is in its report).
	 * Kept as they are: they are signed, whatever they hold.
	 */
	uint16_t reserved_8;
	uint16_t reserved_10;
	uint8_t qe_vendor_id[TDX_QE_VENDOR_ID_SIZE];	/* +12 */
	uint8_t user_data[TDX_QUOTE_USER_DATA_SIZE];	/* +28: first 16 bytes: QE ID */
};

/* The TD quote body: TD 1.0 (584 bytes), TD 1.5 adds the last two fields. */
struct tdx_quote_body {
	uint8_t tee_tcb_svn[TDX_TEE_TCB_SVN_SIZE];	/* +0 */
	uint8_t mrseam[TDX_MEASUREMENT_SIZE];		/* +16 */
	uint8_t mrsignerseam[TDX_MEASUREMENT_SIZE];	/* +64 */
	uint64_t seam_attributes;		/* +112 */
	uint64_t td_attributes;			/* +120 */
	uint64_t xfam;				/* +128 */
	uint8_t mrtd[TDX_MEASUREMENT_SIZE];		/* +136 */
	uint8_t mrconfigid[TDX_MEASUREMENT_SIZE];	/* +184 */
	uint8_t mrowner[TDX_MEASUREMENT_SIZE];		/* +232 */
	uint8_t mrownerconfig[TDX_MEASUREMENT_SIZE];	/* +280 */
	uint8_t rtmr[TDX_RTMR_COUNT][TDX_MEASUREMENT_SIZE];	/* +328 */
	uint8_t report_data[TDX_REPORT_DATA_SIZE];	/* +520 */
	uint8_t tee_tcb_svn2[TDX_TEE_TCB_SVN_SIZE];	/* +584, TD 1.5 only */
	uint8_t mrservicetd[TDX_MEASUREMENT_SIZE];	/* +600, TD 1.5 only */
};

struct tdx_quote {
	struct tdx_quote_header header;
	uint16_t body_type;		/* 2 (TD 1.0) or 3 (TD 1.5); version 4 is always 2 */
	struct tdx_quote_body body;
	uint8_t signature[TDX_ECDSA_SIG_SIZE];		/* over [0, signed_size) */
	uint8_t attestation_key[TDX_ECDSA_KEY_SIZE];
	uint8_t qe_report[TDX_QE_REPORT_SIZE];		/* raw: it is what the PCK signs */
	uint8_t qe_report_signature[TDX_ECDSA_SIG_SIZE];
	/* Variable parts: views into the decoded buffer (encode: caller's memory). */
	const uint8_t *qe_auth_data;
	uint16_t qe_auth_size;
	const uint8_t *pck_chain;	/* PEM, not NUL-terminated */
	uint32_t pck_chain_size;
	/* Set by decode (encode ignores them). */
	size_t signed_size;		/* bytes the quote signature covers */
	size_t size;			/* bytes of quote proper */
	size_t trailing;		/* bytes after it: not part of the quote, not signed */
	bool trailing_zero;		/* ... and all of them zero (padding) */
	size_t pck_chain_offset;	/* where the PEM chain starts in the buffer */
};

/* An SGX report body: the QE report (what the PCK key signs). */
struct tdx_qe_report {
	uint8_t cpusvn[16];		/* +0 */
	uint32_t miscselect;		/* +16 */
	uint8_t isv_ext_prod_id[16];	/* +32 */
	uint8_t attributes[16];		/* +48 */
	uint8_t mrenclave[32];		/* +64 */
	uint8_t mrsigner[32];		/* +128 */
	uint8_t config_id[64];		/* +192 */
	uint16_t isv_prod_id;		/* +256: 2 for Intel's TD QE */
	uint16_t isv_svn;		/* +258: the QE's SVN */
	uint16_t config_svn;		/* +260 */
	uint8_t isv_family_id[16];	/* +304 */
	uint8_t report_data[64];	/* +320: SHA-256(AK || QE auth data) || 32 zeros */
};
#define TDX_QE_REPORT_REPORT_DATA_OFFSET 320u

/*
 * Decode @len bytes; the variable parts of @quote point into @buf, which
 * must outlive it.  -EBADMSG naming the field and its offset when the bytes
 * are not a version 4/5 TD quote with ECDSA P-256 and a PEM PCK chain.
 */
int tdx_quote_decode(const uint8_t *buf, size_t len, struct tdx_quote *quote);

/*
 * Encode @quote into a malloc'd buffer (*@len bytes, no padding).  The
 * same rules as decode apply (-EINVAL naming the field otherwise); the
 * signature is written as given: sign [0, tdx_quote_signed_size()) and
 * store it with tdx_quote_set_signature() afterwards.
 */
int tdx_quote_encode(const struct tdx_quote *quote, uint8_t **out, size_t *len);

/*
 * Bytes covered by the quote signature for @version and @body_type (0 when
 * the combination does not exist).  The signature itself sits 4 bytes
 * after them (after the signature data size).
 */
size_t tdx_quote_signed_size(uint16_t version, uint16_t body_type);

/* Store r || s into an encoded quote of @len bytes (-EINVAL if it is not one). */
int tdx_quote_set_signature(uint8_t *buf, size_t len, const uint8_t sig[TDX_ECDSA_SIG_SIZE]);

/* QE report view: decode takes every field (reserved bytes are not checked:
 * they are signed and carry no meaning); encode zeroes the reserved bytes. */
void tdx_qe_report_decode(const uint8_t raw[TDX_QE_REPORT_SIZE], struct tdx_qe_report *report);
void tdx_qe_report_encode(const struct tdx_qe_report *report, uint8_t raw[TDX_QE_REPORT_SIZE]);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: attestation evidence.
 *
 * Evidence is what a platform signs about a guest: an SEV-SNP attestation
 * report (with the VCEK or VLEK certificate and the chain up to AMD's root),
 * or an Intel TDX quote (DCAP ECDSA quote carrying its PCK certificate
 * chain).  The API produces it for a launched VM, parses it from
 * bytes, exposes its fields, and verifies it against trust anchors and the
 * expectations of the verifier (report data, measurement).
 */
#ifndef COCO_EVIDENCE_H
#define COCO_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <coco/host.h>
#include <coco/launch.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COCO_REPORT_DATA_SIZE 64

enum coco_evidence_format {
	COCO_EVIDENCE_AUTO = 0,		/* detect from the bytes (parse only) */
	COCO_EVIDENCE_SNP_REPORT = 1,	/* SEV-SNP ATTESTATION_REPORT, 1184 bytes */
	COCO_EVIDENCE_TDX_QUOTE = 2,	/* TDX DCAP quote, version 4 or 5 */
};

/* Roles of the certificates that come with evidence. */
enum coco_cert_role {
	COCO_CERT_VCEK = 1,	/* SNP: chip- and TCB-specific signing key */
	COCO_CERT_VLEK = 2,	/* SNP: CSP-loaded signing key */
	COCO_CERT_ASK = 3,	/* SNP: signs VCEKs */
	COCO_CERT_ASVK = 4,	/* SNP: signs VLEKs */
	COCO_CERT_ARK = 5,	/* SNP: AMD root */
	COCO_CERT_PCK = 6,	/* TDX: the platform's PCK certificate (signs the QE report) */
	COCO_CERT_PCK_CA = 7,	/* TDX: Intel SGX PCK Platform or Processor CA */
	COCO_CERT_TDX_ROOT = 8,	/* TDX: Intel SGX Root CA (or a model's root) */
};

struct coco_evidence;
struct coco_vm;

/*
 * Ask the platform for evidence about @vm (launched) binding @report_data
 * (64 bytes, typically a nonce or a key hash).  The evidence carries the
 * signer's certificate and chain where the platform provides them.
 */
int coco_vm_get_evidence(struct coco_vm *vm,
			 const uint8_t report_data[COCO_REPORT_DATA_SIZE],
			 struct coco_evidence **evidence);

/* Parse evidence bytes.  Rejects truncated, oversized and unknown-version input. */
int coco_evidence_parse(enum coco_evidence_format format, const void *data,
			size_t len, struct coco_evidence **evidence);

void coco_evidence_free(struct coco_evidence *evidence);

enum coco_evidence_format coco_evidence_get_format(const struct coco_evidence *ev);

/* The evidence bytes as signed by the platform. */
const uint8_t *coco_evidence_bytes(const struct coco_evidence *ev, size_t *len);

/* Launch measurement and report data carried by the evidence. */
int coco_evidence_measurement(const struct coco_evidence *ev,
			      struct coco_measurement *measurement);
int coco_evidence_report_data(const struct coco_evidence *ev,
			      uint8_t report_data[COCO_REPORT_DATA_SIZE]);

/*
 * Named fields for display ("version", "policy", "measurement",
 * "reported_tcb", ...), in a stable order.  Values are strings (hex for
 * byte fields).  Returns -ENOENT past the last field.
 */
int coco_evidence_field(const struct coco_evidence *ev, size_t index,
			const char **name, const char **value);

/*
 * Attach a certificate that came with the evidence (DER or PEM).  With
 * @role 0 the role is inferred from each certificate's subject, and a PEM
 * may hold several (e.g. AMD's cert_chain "ASK then ARK"); with an explicit
 * role the data holds exactly one certificate.
 */
int coco_evidence_add_cert(struct coco_evidence *ev, enum coco_cert_role role,
			   const void *data, size_t len);

/* DER of an attached certificate; -ENOENT if none has that role. */
int coco_evidence_get_cert(const struct coco_evidence *ev, enum coco_cert_role role,
			   const uint8_t **der, size_t *len);

/* ------------------------------------------------------------------ */
/* Verification                                                         */

struct coco_trust_anchors;

/* The vendor roots built into libcoco (AMD ARK/ASK/ASVK for Milan, Genoa, Turin). */
int coco_trust_anchors_builtin(struct coco_trust_anchors **anchors);

/*
 * Trust anchors from PEM or DER data: root certificates (self-signed) are
 * trusted; intermediates (ASK, ASVK) are used to build the chain.
 */
int coco_trust_anchors_from_data(const void *data, size_t len,
				 struct coco_trust_anchors **anchors);
int coco_trust_anchors_add(struct coco_trust_anchors *anchors,
			   const void *data, size_t len);
void coco_trust_anchors_free(struct coco_trust_anchors *anchors);

/*
 * Trust anchors made of the root certificates the host attached to @ev
 * (coco_evidence_add_cert, or the backend that produced or completed the
 * evidence, e.g. a platform model attaching its own root), with the other
 * attached certificates as intermediates.  Certificates carried inside the
 * evidence bytes (a TDX quote's PCK chain) never count: whoever made the
 * evidence, a guest included, chose them.  For platforms you run yourself
 * (platform models, tests).  -ENOENT when no root was attached.
 */
int coco_trust_anchors_from_evidence(const struct coco_evidence *ev,
				     struct coco_trust_anchors **anchors);

struct coco_verify_expect {
	const uint8_t *report_data;	/* 64 bytes, or NULL: not checked */
	const uint8_t *measurement;	/* or NULL: not checked */
	size_t measurement_len;
	time_t at_time;			/* certificate validity time; 0 = now */
};

struct coco_verify_result {
	bool chain_ok;		/* signer certificate chains to a trusted root */
	bool signature_ok;	/* evidence signature verifies with the signer key */
	bool tcb_ok;		/* signer certificate matches the evidence (TCB, chip) */
	bool report_data_ok;	/* matches, or not checked */
	bool measurement_ok;	/* matches, or not checked */
	char signer[16];	/* "VCEK", "VLEK", "PCK" */
	char product[16];	/* "Milan", "Genoa", "Turin"; TDX: the quote's TEE ("TDX") */
	char reason[512];	/* first failure, "" when verified */
};

/*
 * Verify @ev.  For a TDX quote the measurement is MRTD, the signer is the
 * PCK certificate inside the quote, and the check covers the PCK chain, the
 * QE report signature, the QE report's binding of the attestation key and
 * the quote signature (collateral such as TCB info and CRLs is the
 * verifier's policy, not checked here).  Returns 0 when everything holds; -EBADMSG (or -EKEYREJECTED
 * for chain failures) with @result->reason and the error message naming the
 * first failure otherwise.  @anchors NULL: the built-in vendor roots.  The
 * signer certificate must be attached to @ev.
 */
int coco_evidence_verify(const struct coco_evidence *ev,
			 const struct coco_trust_anchors *anchors,
			 const struct coco_verify_expect *expect,
			 struct coco_verify_result *result);

#ifdef __cplusplus
}
#endif

#endif /* COCO_EVIDENCE_H */

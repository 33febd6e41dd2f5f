/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP key hierarchy.  Real platforms: AMD's ARK (root) signs the ASK, which
 * signs each chip's VCEK (ECDSA P-384, derived from a chip secret and the
 * reported TCB; X.509 extensions carry the TCB and the chip ID).  The
 * platform model builds the same hierarchy with its own model ARK and ASK
 * (RSA-4096, RSASSA-PSS SHA-384) so the openssl CLI verifies model reports
 * exactly as it verifies real ones.
 */
#ifndef COCO_SNP_CERTS_H
#define COCO_SNP_CERTS_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "sev-snp/report.h"

/* A model ARK and ASK (keys and certificates) for one product line. */
struct snp_model_roots;

/* Generate new model roots (RSA-4096 twice: slow, about a second). */
int snp_model_roots_generate(enum snp_product product, struct snp_model_roots **roots);

/*
 * Process-wide model roots for @product, generated on first use and kept
 * for the life of the process (tests and dry runs share them).  Not freed
 * by the caller.  Thread-safe.
 */
int snp_model_roots_shared(enum snp_product product, const struct snp_model_roots **roots);

/*
 * Upper bound of the serialised form (two RSA-4096 private keys and two
 * certificates take about 8 KiB): the space a platform file reserves.
 */
#define SNP_MODEL_ROOTS_SAVED_MAX 16384u

/*
 * Serialise (private keys included) into @buf; *len gets the size used.
 * -ENOSPC with *len = the size needed when @cap is too small.  The form is
 * versioned and checksummed: load refuses a damaged or foreign blob.
 */
int snp_model_roots_save(const struct snp_model_roots *roots, uint8_t *buf, size_t cap,
			 size_t *len);
int snp_model_roots_load(const uint8_t *buf, size_t len, struct snp_model_roots **roots);
void snp_model_roots_free(struct snp_model_roots *roots);

enum snp_product snp_model_roots_product(const struct snp_model_roots *roots);

/* PEM of the model ARK / ASK certificates (malloc'd, NUL-terminated). */
int snp_model_roots_ark_pem(const struct snp_model_roots *roots, char **pem);
int snp_model_roots_ask_pem(const struct snp_model_roots *roots, char **pem);

/*
 * The chip's VCEK for a reported TCB, derived deterministically from the
 * 32-byte chip secret and the TCB (as the firmware derives it), so every
 * process of a platform gets the same key.  Model derivation:
 * HKDF-SHA-384 (salt "cocohost SNP model VCEK v1", info "VCEK" || TCB LE)
 * to 56 bytes c, private scalar d = (c mod (n - 1)) + 1 (FIPS 186-5 A.2.1).
 */
int snp_vcek_derive(const uint8_t chip_secret[32], uint64_t reported_tcb, EVP_PKEY **vcek);

/*
 * Issue the VCEK certificate (DER, malloc'd) for @vcek under @roots' ASK,
 * with AMD's extensions: structVersion, productName, the TCB SPLs of
 * @reported_tcb, hwID = @chip_id (64 bytes; the first 8 for Turin).
 */
int snp_vcek_cert_issue(const struct snp_model_roots *roots, EVP_PKEY *vcek,
			uint64_t reported_tcb, const uint8_t chip_id[64], uint8_t **der,
			size_t *der_len);

/* Sign report[0, 0x2A0) with ECDSA P-384/SHA-384 and store R, S little-endian. */
int snp_report_sign(uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key);

/*
 * Check the report's signature with the signer's public key: 0 when it
 * verifies, -EBADMSG (message says why) when it does not.
 */
int snp_report_verify_signature(const uint8_t report[SNP_REPORT_SIZE], EVP_PKEY *key);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A model of Intel's TD Quoting Enclave and of the key hierarchy behind it,
 * producing quotes in the real DCAP shape (tdx/quote.h) from TDREPORTs.
 *
 * Real platforms: Intel's SGX Root CA signs the PCK Platform CA, which
 * signs each platform's PCK certificate (ECDSA P-256; the SGX extension
 * carries PPID, TCB, PCE-ID, FMSPC).  The PCE signs the QE's report with
 * the PCK key; that report binds the QE's attestation key (AK), and the
 * AK signs quotes.  The model builds the same hierarchy with its own keys:
 * a model "Intel SGX Root CA" (same names, extensions and algorithms as
 * Intel's, a different key, random serials, no CRL distribution points),
 * a model "Intel SGX PCK Platform CA", a model "Intel SGX PCK Certificate"
 * and a P-256 AK - so `openssl` verifies model quotes with the same
 * commands as real ones (docs/attestation-tdx.md), against the model's
 * root, and they fail against Intel's.
 *
 * The QE report is shaped like Intel's TD QE's: MRSIGNER of Intel's TD QE
 * (tdx.md 5.3), ISVPRODID 2, ISVSVN 4, the attributes of the real QE; its
 * MRENCLAVE is the model's own (SHA-256 of "cocohost model TD QE v1"),
 * so a model QE report is recognisable as such.
 */
#ifndef COCO_TDX_QE_MODEL_H
#define COCO_TDX_QE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "tdx/tdreport.h"

/* The model's certificate names: Intel's with "Model" in front, never Intel's own. */
#define TDX_MODEL_ROOT_CN "Model SGX Root CA"
#define TDX_MODEL_PCK_CA_CN "Model SGX PCK Platform CA"
#define TDX_MODEL_PCK_CN "Model SGX PCK Certificate"

struct tdx_qe_model;

/* New platform: four P-256 keys, three certificates, a random PPID and QE ID. */
int tdx_qe_model_generate(struct tdx_qe_model **qe);
void tdx_qe_model_free(struct tdx_qe_model *qe);

/*
 * Upper bound of the serialised form (four P-256 private keys and three
 * certificates take about 2.5 KiB): the space a platform file reserves.
 */
#define TDX_QE_MODEL_SAVED_MAX 8192u

/*
 * Serialise (private keys included) into @buf; *len gets the size used.
 * -ENOSPC with *len = the size needed when @cap is too small.  Versioned
 * and checksummed: load refuses a damaged or foreign blob, and checks that
 * keys, certificates and the chain belong together.
 */
int tdx_qe_model_save(const struct tdx_qe_model *qe, uint8_t *buf, size_t cap, size_t *len);
int tdx_qe_model_load(const uint8_t *buf, size_t len, struct tdx_qe_model **qe);

/* PEM (malloc'd, NUL-terminated): the model root alone / the chain as quotes carry it. */
int tdx_qe_model_root_pem(const struct tdx_qe_model *qe, char **pem);
int tdx_qe_model_chain_pem(const struct tdx_qe_model *qe, char **pem);

/*
 * Checks a TDREPORT's MAC on behalf of the QE (real QEs use
 * EVERIFYREPORT2; the model gets the TDX module model's check): 0 when the
 * MAC verifies, an error (message recorded) otherwise.
 */
typedef int (*tdx_tdreport_verify_fn)(void *ctx, const uint8_t tdreport[TDX_TDREPORT_SIZE]);

/*
 * Quote @tdreport: decode it, have @verify_report check its MAC, check its
 * TEE_TCB_INFO/TDINFO hashes, then build a quote of @version (4: TD 1.0
 * body; 5: TD 1.5 body, type 3) signed by the AK, with the QE report
 * (signed by the PCK key) and the PEM chain leaf, CA, root as
 * certification data 6 / 5.  *@quote is malloc'd (*@len bytes).
 */
int tdx_qe_model_quote(const struct tdx_qe_model *qe, const uint8_t tdreport[TDX_TDREPORT_SIZE],
		       tdx_tdreport_verify_fn verify_report, void *verify_ctx, unsigned int version,
		       uint8_t **quote, size_t *len);

#endif

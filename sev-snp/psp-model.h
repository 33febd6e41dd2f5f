/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PSP firmware model: SNP firmware commands executed against the
 * platform state (snp-platform.h), with the Firmware ABI's command
 * buffers, platform and guest state machines and status codes.  It is a
 * PSP transport (psp.h) whose context is a struct snp_platform.
 *
 * Also the host CPU instructions the model platform offers to the host
 * (RMPUPDATE, PSMASH, WBINVD), which take the platform lock as the
 * hardware serialises them.
 */
#ifndef COCO_SNP_PSP_MODEL_H
#define COCO_SNP_PSP_MODEL_H

#include <stdint.h>

#include "sev-snp/certs.h"
#include "sev-snp/psp.h"
#include "sev-snp/rmp.h"
#include "sev-snp/snp-platform.h"

extern const struct psp_transport psp_model_transport;

/* Guest policy bits the model's firmware knows: ABI, SMT, MBO, MIGRATE_MA, DEBUG, SINGLE_SOCKET. */
#define SNP_MODEL_POLICY_KNOWN ((1ull << 21) - 1)

/* The host's RMPUPDATE / PSMASH on the model; errors name the instruction and code. */
int snp_model_rmpupdate(struct snp_platform *p, uint64_t spa, const struct rmp_update_state *st);
int snp_model_psmash(struct snp_platform *p, uint64_t spa);

/* WBINVD on every core: lets the next SNP_DF_FLUSH make dirty ASIDs clean. */
void snp_model_wbinvd(struct snp_platform *p);

/* Current RMP view of a page (under the lock). */
void snp_model_rmp_lookup(struct snp_platform *p, uint64_t spa, struct rmp_view *view);

/* ---- for psp-model-report.c ---- */

/*
 * Build the attestation report for guest context @g (SNP_GUEST_REQUEST
 * MSG_REPORT_REQ) and sign it with the VCEK, or — when no key may sign
 * (MASK_CHIP_KEY) — leave SIGNING_KEY "none" and the signature zero, as the
 * firmware does.  Returns a firmware status.
 */
uint32_t snp_model_make_report(struct snp_platform *p, const struct snp_model_gctx *g,
			       const uint8_t report_data[64], uint32_t vmpl, bool sign_with_vcek,
			       uint8_t report[SNP_REPORT_SIZE], char *detail, size_t detail_len);

/* The platform's model ARK/ASK (made on first use). */
int snp_model_roots_get(struct snp_platform *p, const struct snp_model_roots **roots);

/* The chip's VCEK certificate (DER, malloc'd) for the platform's reported TCB. */
int snp_model_vcek_cert(struct snp_platform *p, uint8_t **der, size_t *len);

#endif

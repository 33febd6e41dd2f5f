/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the SNP model's guest channel (sev-snp/guest-channel.c) asks of the
 * model VM (sev-snp/backend-model.c): the guest's instructions on the RMP
 * (PVALIDATE, RMPADJUST), the firmware's view of guest pages (a guest VMSA,
 * the launched VMSAs), SNP_GUEST_REQUEST as KVM issues it, and the
 * platform's certificates.  The model VM owns the ASID, the guest context
 * and the mapping of guest pages to model memory; the channel owns the
 * protocol.
 */
#ifndef COCO_SNP_MODEL_GUEST_H
#define COCO_SNP_MODEL_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/evidence.h>

#include "backends/backend.h"
#include "sev-snp/snp-defs.h"

extern const struct coco_guest_channel snp_model_guest_channel;

/* Is @vm a VM of the sev-snp-model backend (not a dry run)? */
bool snp_model_vm_is_model(const struct coco_vm *vm);

/* The launched (measured) VMSA of vCPU @index, or NULL when there is none. */
const uint8_t *snp_model_vm_launch_vmsa(struct coco_vm *vm, uint32_t index);

/*
 * PVALIDATE / RMPADJUST of the page at @gpa as the guest at VMPL0 executes
 * them.  Returns the instruction's return code (enum rmp_ret, >= 0), or
 * RMP_FAULT_NPF when the access would fault (the page is not the guest's
 * private page at @gpa); @why then says why.  Like KVM's fault path, a
 * private page the RMP does not assign yet (memory outside the launch) is
 * assigned to the guest first, and a 4 KiB access inside a 2 MiB RMP entry
 * splits it (PSMASH).  Negative errno: the model itself failed.
 */
int snp_model_vm_pvalidate(struct coco_vm *vm, uint64_t gpa, bool large, bool validate,
			   bool *unchanged, char *why, size_t why_len);
int snp_model_vm_rmpadjust(struct coco_vm *vm, uint64_t gpa, bool large, uint32_t target_vmpl,
			   uint8_t perms, bool vmsa, char *why, size_t why_len);

/*
 * Copy the guest VMSA page at @gpa as the CPU would load it: the RMP must
 * assign it to the guest at @gpa, validated, with the VMSA bit (RMPADJUST).
 * -EINVAL with the page's RMP state otherwise.
 */
int snp_model_vm_read_guest_vmsa(struct coco_vm *vm, uint64_t gpa, uint8_t vmsa[SNP_PAGE_SIZE]);

/*
 * SNP_GUEST_REQUEST as KVM issues it (snp_handle_guest_req): the request
 * page's contents go to a host page, the firmware answers into a Firmware
 * page, @rsp receives it.  0 when the firmware ran the command (its status
 * in *@fw_status, possibly an error), negative errno when it could not.
 * Not thread-safe: callers serialise (KVM's guest_req_mutex).
 */
int snp_model_vm_guest_request(struct coco_vm *vm, const uint8_t req[SNP_PAGE_SIZE],
			       uint8_t rsp[SNP_PAGE_SIZE], uint32_t *fw_status);

/* Add the platform's VCEK, ASK and ARK to @evidence. */
int snp_model_vm_add_certs(struct coco_vm *vm, struct coco_evidence *evidence);

/*
 * The platform's certificates as DER (each malloc'd): the VCEK for its
 * reported TCB, the ASK and the ARK.  Each call issues the VCEK certificate
 * anew (RSA-PSS signatures differ), so a caller that hands certificates out
 * more than once keeps one set.
 */
enum { SNP_MODEL_CERT_VCEK, SNP_MODEL_CERT_ASK, SNP_MODEL_CERT_ARK, SNP_MODEL_CERTS };
int snp_model_vm_cert_ders(struct coco_vm *vm, uint8_t *der[SNP_MODEL_CERTS],
			   size_t len[SNP_MODEL_CERTS]);

#endif

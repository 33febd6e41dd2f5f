/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest-side TDCALLs of the module model (TDG.MEM.PAGE.ACCEPT,
 * TDG.MR.RTMR.EXTEND, TDG.MR.REPORT) and the platform's report check.
 *
 * TDREPORT (specs/tdx.md 5.1): TDINFO from the TD's TDCS, TEE_TCB_INFO from
 * the model's module identity, REPORTMACSTRUCT with TEE_TCB_INFO_HASH =
 * SHA-384(TEE_TCB_INFO, 239 bytes), TEE_INFO_HASH = SHA-384(TDINFO, 512
 * bytes), and MAC = HMAC-SHA-256(platform report key, report[0, 224)): the
 * CPU's MAC is undocumented; the model's covers every REPORTMACSTRUCT byte
 * before the MAC, which binds the two hashes and so the whole report.
 * TEE_TCB_INFO.VALID marks the 8-byte slots the model fills: VALID itself,
 * TEE_TCB_SVN, MRSEAM (bits 0-8) and TEE_TCB_SVN2 (bits 16-17); MRSIGNERSEAM
 * (an Intel module's is zero) and the SEAM ATTRIBUTES are left unmarked.
 *
 * Where a real CPU would raise a #VE or EPT violation in the guest (an
 * unmapped or pending GPA), the model returns the status the host-side
 * leaves use for the same Secure-EPT condition and says so in the detail.
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model-internal.h"

#define OPND(code, id) tdx_status_with_operand(code, TDX_OPERAND_ID_##id)
#define TEE_TCB_INFO_VALID 0x301FFull

/* The vCPU behind @tdvpr_pa, able to run: the TD finalised, keys configured. */
static uint64_t running_vcpu(struct tdx_module *m, uint64_t tdvpr_pa, struct tdx_model_vcpu **vc,
			     struct tdx_model_td **td)
{
	struct tdx_model_pamt_entry *e = NULL;

	if (tdx_model_pa_ok(m->st, tdvpr_pa, MODEL_PAGE))
		e = tdx_pamt_get(m, tdvpr_pa);
	if (!e || e->pt != TDX_PT_TDVPR)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT,
				      "0x%llx is not a vCPU's TDVPR: no guest runs there",
				      (unsigned long long)tdvpr_pa);
	*vc = &m->st->vcpu[e->aux];
	*td = &m->st->td[(*vc)->td_slot];
	if ((*vc)->state != TDX_VCPU_INITIALIZED || (*td)->op_state != TDX_OP_RUNNABLE ||
	    (*td)->lifecycle != TDX_TD_KEYS_CONFIGURED || (*td)->fatal)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT,
				      "the vCPU cannot run: it must be initialised and its TD "
				      "finalised and not being torn down");
	return TDX_SUCCESS;
}

/* Guest memory at a private, accepted GPA (one page at most); NULL and a status when not. */
static uint64_t guest_mem(struct tdx_module *m, uint32_t slot, uint64_t gpa, uint64_t len,
			  uint32_t operand, uint8_t **out)
{
	struct tdx_module_args scratch = { 0 };
	struct tdx_model_pamt_entry *e;
	uint64_t hpa, status;

	if ((gpa & (MODEL_PAGE - 1)) + len > MODEL_PAGE || gpa >= tdx_model_shared_bit(&m->st->td[slot]))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID, operand),
				      "GPA 0x%llx (%llu bytes) is not inside one private page",
				      (unsigned long long)gpa, (unsigned long long)len);
	status = tdx_model_sept_leaf(m, &scratch, slot, gpa & ~(MODEL_PAGE - 1), &e, &hpa);
	if (status != TDX_SUCCESS)
		return status;
	if (e->sept_state != TDX_SEPT_MAPPED || (e->flags & TDX_PAMT_FLAG_BLOCKED))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID, operand),
				      "GPA 0x%llx is pending or blocked (the CPU would raise #VE)",
				      (unsigned long long)gpa);
	*out = tdx_model_mem(m, hpa + (gpa & (MODEL_PAGE - 1)), len);
	if (!*out)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID, operand),
				      "model limitation: page 0x%llx's bytes are not reachable from "
				      "this process", (unsigned long long)hpa);
	return TDX_SUCCESS;
}

static uint64_t page_accept(struct tdx_module *m, uint32_t slot, struct tdx_module_args *a)
{
	struct tdx_model_td *td = &m->st->td[slot];
	struct tdx_model_pamt_entry *e;
	unsigned int level = (unsigned int)(a->rcx & 7);
	uint64_t gpa, hpa, status;
	uint8_t *page;

	if (level == 1 || level == 2)
		return tdx_model_fail(m, TDX_PAGE_SIZE_MISMATCH,
				      "the page is mapped at 4 KiB, not at level %u", level);
	status = tdx_model_gpa_operand(m, td, a->rcx, 0, 0, &gpa, &level);
	if (status == TDX_SUCCESS)
		status = tdx_model_sept_leaf(m, a, slot, gpa, &e, &hpa);
	if (status != TDX_SUCCESS)
		return status;
	if (e->flags & TDX_PAMT_FLAG_BLOCKED)
		return tdx_model_fail(m, TDX_GPA_RANGE_BLOCKED, "GPA 0x%llx is blocked",
				      (unsigned long long)gpa);
	if (e->sept_state == TDX_SEPT_MAPPED)
		return TDX_PAGE_ALREADY_ACCEPTED;
	/* Accepting initialises the page with the TD's key: it reads as zeros. */
	page = tdx_model_mem(m, hpa, MODEL_PAGE);
	if (page)
		memset(page, 0, MODEL_PAGE);
	e->sept_state = TDX_SEPT_MAPPED;
	return TDX_SUCCESS;
}

static uint64_t rtmr_extend(struct tdx_module *m, uint32_t slot, struct tdx_module_args *a)
{
	struct tdx_model_td *td = &m->st->td[slot];
	uint8_t buf[96], *data;
	uint64_t status;

	if (a->rcx & 63)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "extension data GPA 0x%llx is not 64-byte aligned",
				      (unsigned long long)a->rcx);
	if (a->rdx > 3)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX), "RTMR index %llu: 0 to 3",
				      (unsigned long long)a->rdx);
	status = guest_mem(m, slot, a->rcx, 48, TDX_OPERAND_ID_RCX, &data);
	if (status != TDX_SUCCESS)
		return status;
	memcpy(buf, td->rtmr[a->rdx], 48);
	memcpy(buf + 48, data, 48);
	if (coco_sha384(buf, sizeof(buf), td->rtmr[a->rdx]))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, RTMR), "SHA-384 failed");
	return TDX_SUCCESS;
}

static int report_mac(const uint8_t key[32], const uint8_t *report, uint8_t mac[32])
{
	unsigned int len = 0;

	return HMAC(EVP_sha256(), key, 32, report, TDX_REPORT_MACED_BYTES, mac, &len) && len == 32
		       ? 0
		       : -EIO;
}

static int make_report(struct tdx_module *m, const struct tdx_model_td *td,
		       const uint8_t reportdata[64], uint8_t r[TDX_REPORT_SIZE])
{
	const struct tdx_model_state *st = m->st;
	uint8_t *tcb = r + TDX_REPORT_TEE_TCB_INFO, *info = r + TDX_REPORT_TDINFO;

	memset(r, 0, TDX_REPORT_SIZE);
	/* TDINFO */
	coco_put_le64(info + TDX_TDINFO_ATTRIBUTES, td->attributes);
	coco_put_le64(info + TDX_TDINFO_XFAM, td->xfam);
	memcpy(info + TDX_TDINFO_MRTD, td->mrtd, 48);
	memcpy(info + TDX_TDINFO_MRCONFIGID, td->mrconfigid, 48);
	memcpy(info + TDX_TDINFO_MROWNER, td->mrowner, 48);
	memcpy(info + TDX_TDINFO_MROWNERCONFIG, td->mrownerconfig, 48);
	for (int i = 0; i < 4; i++)
		memcpy(info + TDX_TDINFO_RTMR(i), td->rtmr[i], 48);
	memcpy(info + TDX_TDINFO_SERVTD_HASH, td->servtd_hash, 48);
	/* TEE_TCB_INFO */
	coco_put_le64(tcb + TDX_TCBINFO_VALID, TEE_TCB_INFO_VALID);
	memcpy(tcb + TDX_TCBINFO_TEE_TCB_SVN, st->tee_tcb_svn, 16);
	memcpy(tcb + TDX_TCBINFO_MRSEAM, st->mrseam, 48);
	memcpy(tcb + TDX_TCBINFO_TEE_TCB_SVN2, st->tee_tcb_svn, 16);
	/* REPORTMACSTRUCT */
	r[TDX_REPORT_TYPE] = TDX_REPORT_TYPE_TDX;
	memcpy(r + TDX_REPORT_CPUSVN, st->cpusvn, 16);
	memcpy(r + TDX_REPORT_REPORTDATA, reportdata, 64);
	if (coco_sha384(tcb, TDX_REPORT_TEE_TCB_INFO_SIZE, r + TDX_REPORT_TEE_TCB_INFO_HASH) ||
	    coco_sha384(info, TDX_REPORT_TDINFO_SIZE, r + TDX_REPORT_TEE_INFO_HASH))
		return -EIO;
	return report_mac(st->report_key, r, r + TDX_REPORT_MAC);
}

static uint64_t mr_report(struct tdx_module *m, uint32_t slot, struct tdx_module_args *a)
{
	uint8_t *out, *data, reportdata[64], report[TDX_REPORT_SIZE];
	uint64_t status;

	if (a->rcx & (TDX_REPORT_SIZE - 1))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "report GPA 0x%llx is not 1024-byte aligned",
				      (unsigned long long)a->rcx);
	if (a->rdx & 63)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "REPORTDATA GPA 0x%llx is not 64-byte aligned",
				      (unsigned long long)a->rdx);
	if (a->r8)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, R8),
				      "report subtype %llu: only 0 exists", (unsigned long long)a->r8);
	status = guest_mem(m, slot, a->rcx, TDX_REPORT_SIZE, TDX_OPERAND_ID_RCX, &out);
	if (status == TDX_SUCCESS)
		status = guest_mem(m, slot, a->rdx, 64, TDX_OPERAND_ID_RDX, &data);
	if (status != TDX_SUCCESS)
		return status;
	memcpy(reportdata, data, 64);
	if (make_report(m, &m->st->td[slot], reportdata, report))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, RCX), "SHA-384/HMAC failed");
	memcpy(out, report, sizeof(report));
	return TDX_SUCCESS;
}

uint64_t tdx_model_tdcall(struct tdx_module *m, uint64_t tdvpr_pa, uint64_t rax,
			  struct tdx_module_args *a)
{
	struct tdx_model_vcpu *vc = NULL;
	struct tdx_model_td *td = NULL;
	uint64_t status = running_vcpu(m, tdvpr_pa, &vc, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (rax >> 16)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RAX),
				      "RAX 0x%llx: bits 63:16 must be 0", (unsigned long long)rax);
	switch (rax) {
	case TDG_MEM_PAGE_ACCEPT:
		return page_accept(m, vc->td_slot, a);
	case TDG_MR_RTMR_EXTEND:
		return rtmr_extend(m, vc->td_slot, a);
	case TDG_MR_REPORT:
		return mr_report(m, vc->td_slot, a);
	default:
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RAX), "%s (TDCALL %llu) is not "
				      "modelled", tdx_tdcall_leaf_name(rax) ? tdx_tdcall_leaf_name(rax)
									  : "this leaf",
				      (unsigned long long)rax);
	}
}

int tdx_module_verify_report(struct tdx_module *m, const uint8_t r[TDX_REPORT_SIZE])
{
	uint8_t hash[48], mac[32];

	if (r[TDX_REPORT_TYPE] != TDX_REPORT_TYPE_TDX)
		return coco_err(-EINVAL, "TDREPORT check: REPORTTYPE is 0x%02x, not 0x81 (TDX)",
				r[TDX_REPORT_TYPE]);
	if (coco_sha384(r + TDX_REPORT_TEE_TCB_INFO, TDX_REPORT_TEE_TCB_INFO_SIZE, hash))
		return coco_err(-EIO, "TDREPORT check: SHA-384 unavailable");
	if (memcmp(hash, r + TDX_REPORT_TEE_TCB_INFO_HASH, 48))
		return coco_err(-EKEYREJECTED, "TDREPORT check: TEE_TCB_INFO_HASH does not match "
				"TEE_TCB_INFO; the report was altered");
	if (coco_sha384(r + TDX_REPORT_TDINFO, TDX_REPORT_TDINFO_SIZE, hash))
		return coco_err(-EIO, "TDREPORT check: SHA-384 unavailable");
	if (memcmp(hash, r + TDX_REPORT_TEE_INFO_HASH, 48))
		return coco_err(-EKEYREJECTED, "TDREPORT check: TEE_INFO_HASH does not match "
				"TDINFO; the report was altered");
	if (report_mac(m->st->report_key, r, mac))
		return coco_err(-EIO, "TDREPORT check: HMAC-SHA-256 unavailable");
	if (CRYPTO_memcmp(mac, r + TDX_REPORT_MAC, sizeof(mac)))
		return coco_err(-EKEYREJECTED, "TDREPORT check: the MAC does not verify: the "
				"report was altered or made on another platform");
	return 0;
}

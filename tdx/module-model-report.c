/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Guest-side TDCALLs of the module model (TDG.VP.INFO, TDG.VP.VEINFO.GET,
 * TDG.MEM.PAGE.ACCEPT, TDG.MR.RTMR.EXTEND, TDG.MR.REPORT) and the platform's
 * report check.
 *
 * TDREPORT (specs/tdx.md 5.1, encoded by tdx/tdreport.h): TDINFO from the
 * TD's TDCS, TEE_TCB_INFO from the model's module identity, REPORTMACSTRUCT
 * with TEE_TCB_INFO_HASH =
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
#include <pthread.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model-internal.h"
#include "tdx/tdcall.h"

#define OPND(code, id) tdx_status_with_operand(code, TDX_OPERAND_ID_##id)
#define TEE_TCB_INFO_VALID 0x301FFull

/* The vCPU behind @tdvpr_pa, able to run: the TD finalised, keys configured. */
static uint64_t running_vcpu(struct tdx_module *m, uint64_t tdvpr_pa, struct tdx_model_vcpu **vc,
			     struct tdx_model_td **td)
{
	struct tdx_model_pamt_entry *e = NULL;

	if (tdx_model_pa_ok(m->st, tdvpr_pa, MODEL_PAGE))
		e = tdx_pamt_get(m, tdvpr_pa);
	if (!e || e->pt != TDX_PT_TDVPR || e->aux >= TDX_MODEL_MAX_VCPU_RECORDS)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT,
				      "0x%llx is not a vCPU's TDVPR: no guest runs there",
				      (unsigned long long)tdvpr_pa);
	*vc = &m->st->vcpu[e->aux];
	if ((*vc)->td_slot >= TDX_MODEL_MAX_TDS)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT, "the vCPU record of 0x%llx names "
				      "no TD: the platform file is damaged",
				      (unsigned long long)tdvpr_pa);
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

/*
 * TDG.VP.INFO (tdx/tdcall.h): GPAW, ATTRIBUTES, NUM_VCPUS | MAX_VCPUS << 32,
 * VCPU_INDEX.  R10 leaves TDG.SYS.RD unannounced: the model does not serve
 * that leaf.  [M tdg_vp_info.c]
 */
static uint64_t vp_info(const struct tdx_model_td *td, const struct tdx_model_vcpu *vc,
			struct tdx_module_args *a)
{
	a->rcx = td->config_flags & TDX_CONFIG_FLAG_GPAW ? TDX_GPAW_WIDE : TDX_GPAW_NARROW;
	a->rdx = td->attributes;
	a->r8 = (uint64_t)td->num_vcpus | ((uint64_t)td->max_vcpus << 32);
	a->r9 = vc->vcpu_index;
	a->r10 = 0;
	a->r11 = 0;
	return TDX_SUCCESS;
}

/*
 * TDG.VP.VEINFO.GET: the model never delivers a #VE, so VE_INFO is never
 * valid: outputs cleared and TDX_NO_VALID_VE_INFO.  Versions above 1 are
 * refused first.  [M tdg_vp_veinfo_get.c]
 */
static uint64_t vp_veinfo_get(struct tdx_module *m, uint64_t version, struct tdx_module_args *a)
{
	a->rcx = a->rdx = a->r8 = a->r9 = a->r10 = 0;
	if (version > 1)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RAX),
				      "TDG.VP.VEINFO.GET version %llu: 0 or 1",
				      (unsigned long long)version);
	return tdx_model_fail(m, TDX_NO_VALID_VE_INFO, "no #VE is pending (the model raises none)");
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
	uint8_t *data;
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
	if (tdx_rtmr_extend(td->rtmr[a->rdx], data))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, RTMR), "SHA-384 failed");
	return TDX_SUCCESS;
}

/* The MAC covers REPORTMACSTRUCT up to the MAC itself: report[0, 224). */
static int report_mac(const uint8_t key[32], const uint8_t *report, uint8_t mac[32])
{
	unsigned int len = 0;

	return HMAC(EVP_sha256(), key, 32, report, TDX_TDREPORT_MAC_OFFSET, mac, &len) &&
			       len == TDX_REPORT_MAC_SIZE
		       ? 0
		       : -EIO;
}

static int make_report(struct tdx_module *m, const struct tdx_model_td *td,
		       const uint8_t reportdata[TDX_REPORT_DATA_SIZE], uint8_t out[TDX_TDREPORT_SIZE])
{
	const struct tdx_model_state *st = m->st;
	struct tdx_tdreport r = {
		.report_type = TDX_REPORT_TYPE_TDX,
		.report_subtype = TDX_REPORT_SUBTYPE_TD,
		.report_version = 0,	/* no service TD bound: SERVTD_HASH stays zero */
		.tee_tcb_info.valid = TEE_TCB_INFO_VALID,
		.tdinfo.attributes = td->attributes,
		.tdinfo.xfam = td->xfam,
	};

	memcpy(r.cpusvn, st->cpusvn, sizeof(r.cpusvn));
	memcpy(r.report_data, reportdata, sizeof(r.report_data));
	memcpy(r.tee_tcb_info.tee_tcb_svn, st->tee_tcb_svn, sizeof(r.tee_tcb_info.tee_tcb_svn));
	memcpy(r.tee_tcb_info.mrseam, st->mrseam, sizeof(r.tee_tcb_info.mrseam));
	memcpy(r.tee_tcb_info.tee_tcb_svn2, st->tee_tcb_svn, sizeof(r.tee_tcb_info.tee_tcb_svn2));
	memcpy(r.tdinfo.mrtd, td->mrtd, sizeof(r.tdinfo.mrtd));
	memcpy(r.tdinfo.mrconfigid, td->mrconfigid, sizeof(r.tdinfo.mrconfigid));
	memcpy(r.tdinfo.mrowner, td->mrowner, sizeof(r.tdinfo.mrowner));
	memcpy(r.tdinfo.mrownerconfig, td->mrownerconfig, sizeof(r.tdinfo.mrownerconfig));
	memcpy(r.tdinfo.rtmr, td->rtmr, sizeof(r.tdinfo.rtmr));
	memcpy(r.tdinfo.servtd_hash, td->servtd_hash, sizeof(r.tdinfo.servtd_hash));
	/* As the module: TDINFO, then the hashes, then the MAC over the encoded bytes. */
	if (tdx_tdreport_compute_hashes(&r) || tdx_tdreport_encode(&r, out))
		return -EIO;
	return report_mac(st->report_key, out, out + TDX_TDREPORT_MAC_OFFSET);
}

static uint64_t mr_report(struct tdx_module *m, uint32_t slot, struct tdx_module_args *a)
{
	uint8_t *out, *data, reportdata[TDX_REPORT_DATA_SIZE], report[TDX_TDREPORT_SIZE];
	uint64_t status;

	if (a->rcx & (TDX_TDREPORT_ALIGN - 1))
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
	status = guest_mem(m, slot, a->rcx, TDX_TDREPORT_SIZE, TDX_OPERAND_ID_RCX, &out);
	if (status == TDX_SUCCESS)
		status = guest_mem(m, slot, a->rdx, TDX_REPORT_DATA_SIZE, TDX_OPERAND_ID_RDX, &data);
	if (status != TDX_SUCCESS)
		return status;
	memcpy(reportdata, data, sizeof(reportdata));
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
	/* Bits 23:16 are the leaf version (TDG.VP.VEINFO.GET has 0 and 1); 63:24 are 0. */
	if ((rax >> 24) || ((rax & TDX_VERSION_MASK) && (rax & TDX_LEAF_MASK) != TDG_VP_VEINFO_GET))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RAX),
				      "RAX 0x%llx: bits 63:16 must be 0 (a version only for "
				      "TDG.VP.VEINFO.GET)", (unsigned long long)rax);
	switch (rax & TDX_LEAF_MASK) {
	case TDG_VP_INFO:
		return vp_info(td, vc, a);
	case TDG_VP_VEINFO_GET:
		return vp_veinfo_get(m, (rax & TDX_VERSION_MASK) >> TDX_VERSION_SHIFT, a);
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

int tdx_module_verify_report(struct tdx_module *m, const uint8_t r[TDX_TDREPORT_SIZE])
{
	uint8_t mac[TDX_REPORT_MAC_SIZE];
	int ret;

	if (r[0] != TDX_REPORT_TYPE_TDX)
		return coco_err(-EINVAL, "TDREPORT check: REPORTTYPE is 0x%02x, not 0x%02x (TDX)",
				r[0], TDX_REPORT_TYPE_TDX);
	ret = tdx_tdreport_check_hashes(r);
	if (ret == -EBADMSG)
		return coco_err_context(-EKEYREJECTED, "TDREPORT check");
	if (ret)
		return ret;
	if (report_mac(m->st->report_key, r, mac))
		return coco_err(-EIO, "TDREPORT check: HMAC-SHA-256 unavailable");
	if (CRYPTO_memcmp(mac, r + TDX_TDREPORT_MAC_OFFSET, sizeof(mac)))
		return coco_err(-EKEYREJECTED, "TDREPORT check: the MAC does not verify: the "
				"report was altered or made on another platform");
	return 0;
}

int tdx_module_verify_report_fn(void *ctx, const uint8_t report[TDX_TDREPORT_SIZE])
{
	return tdx_module_verify_report(ctx, report);
}

/* ------------------------------------------------------------------ */
/* The platform's model QE                                              */

static pthread_mutex_t process_qe_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tdx_qe_model *process_qe;	/* every private platform of this process */

/* Fill the empty QE blob of the platform (the caller holds the platform lock). */
static int qe_blob_fill(struct tdx_model_state *st)
{
	struct tdx_qe_model *fresh = NULL;
	size_t len = 0;
	int ret;

	if (st->qe_private) {
		/* Key generation once per process, as SNP's model roots (sev-snp/certs.c). */
		pthread_mutex_lock(&process_qe_lock);
		ret = process_qe ? 0 : tdx_qe_model_generate(&process_qe);
		if (!ret)
			ret = tdx_qe_model_save(process_qe, st->qe_blob, sizeof(st->qe_blob), &len);
		pthread_mutex_unlock(&process_qe_lock);
	} else {
		ret = tdx_qe_model_generate(&fresh);
		if (!ret)
			ret = tdx_qe_model_save(fresh, st->qe_blob, sizeof(st->qe_blob), &len);
		tdx_qe_model_free(fresh);
	}
	if (ret)
		return coco_err_context(ret, "TDX platform model: making the model QE");
	st->qe_len = (uint32_t)len;
	return 0;
}

int tdx_module_qe_get(struct tdx_module *m, struct tdx_qe_model **qe)
{
	int ret = 0;

	coco_model_platform_lock(m->plat);
	if (!m->qe) {
		if (!m->st->qe_len)
			ret = qe_blob_fill(m->st);
		if (!ret)
			ret = tdx_qe_model_load(m->st->qe_blob, m->st->qe_len, &m->qe);
		if (ret && m->plat->path)
			ret = coco_err_context(ret, "TDX platform model: the model QE stored in '%s' "
					       "cannot be used (stop the VMs using the file and "
					       "remove it to start a new platform)", m->plat->path);
	}
	coco_model_platform_unlock(m->plat);
	if (!ret)
		*qe = m->qe;
	return ret;
}

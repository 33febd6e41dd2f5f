/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TD leaves of the module model: key management (TDH.MNG.CREATE/KEY.CONFIG/
 * VPFLUSHDONE/KEY.FREEID, TDH.PHYMEM.CACHE.WB), TD and vCPU build
 * (TDH.MNG.ADDCX/INIT, TDH.VP.CREATE/ADDCX/INIT/FLUSH), memory (Secure-EPT
 * and page leaves, TDH.MR.EXTEND/FINALIZE, TLB tracking) and the physical
 * page leaves (RDMD, RECLAIM, WBINVD).  Check order follows the module's
 * handlers: operands' encodings, the TDR (explicit page check), the TD's
 * fatal / lifecycle / TDCS / op_state, then the other pages.
 */
#include <string.h>

#include <openssl/rand.h>

#include "core/util.h"
#include "tdx/module-model-internal.h"

#define OPND(code, id) tdx_status_with_operand(code, TDX_OPERAND_ID_##id)

struct tdx_model_td *tdx_model_td_of_slot(struct tdx_module *m, uint32_t slot)
{
	return slot < TDX_MODEL_MAX_TDS && m->st->td[slot].tdr_pa ? &m->st->td[slot] : NULL;
}

/* ------------------------------------------------------------------ */
/* The builder's MRTD contexts (process-local; see module-model.h)       */

static struct tdx_model_mrtd_slot *mrtd_find(struct tdx_module *m, uint32_t td_slot,
					     uint64_t generation)
{
	for (unsigned int i = 0; i < TDX_MODEL_MRTD_CTXS; i++)
		if (m->mrtd[i].ctx && m->mrtd[i].td_slot == td_slot &&
		    m->mrtd[i].generation == generation)
			return &m->mrtd[i];
	return NULL;
}

void tdx_model_mrtd_drop(struct tdx_module *m, uint32_t td_slot)
{
	for (unsigned int i = 0; i < TDX_MODEL_MRTD_CTXS; i++)
		if (m->mrtd[i].ctx && m->mrtd[i].td_slot == td_slot) {
			tdx_mrtd_free(m->mrtd[i].ctx);
			memset(&m->mrtd[i], 0, sizeof(m->mrtd[i]));
		}
}

static uint64_t mrtd_of(struct tdx_module *m, uint32_t slot, struct tdx_mrtd **ctx)
{
	struct tdx_model_mrtd_slot *s = mrtd_find(m, slot, m->st->td[slot].mrtd_generation);

	if (!s)
		return tdx_model_fail(m, TDX_OP_STATE_INCORRECT,
				      "model limitation: the TD's running MRTD lives in the process "
				      "that issued TDH.MNG.INIT; build the TD from that process");
	*ctx = s->ctx;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Common checks                                                        */

static uint64_t get_tdr(struct tdx_module *m, uint64_t pa, uint32_t operand, uint32_t *slot)
{
	struct tdx_model_pamt_entry *e;
	uint64_t status = tdx_pamt_check_page(m, pa, TDX_PT_TDR, operand, "TDR", &e);

	if (status != TDX_SUCCESS)
		return status;
	/* The PAMT indexes the TD records: a damaged platform file must not send it astray. */
	if (!e->owner_slot || e->owner_slot > TDX_MODEL_MAX_TDS)
		return tdx_model_fail(m, TDX_PAGE_METADATA_INCORRECT | operand,
				      "the PAMT entry of TDR 0x%llx names no TD record (%u): the "
				      "platform file is damaged", (unsigned long long)pa,
				      e->owner_slot);
	*slot = e->owner_slot - 1;
	return TDX_SUCCESS;
}

/* get_tdr, and the TD record it names. */
static uint64_t get_td(struct tdx_module *m, uint64_t pa, uint32_t operand, uint32_t *slot,
		       struct tdx_model_td **td)
{
	uint64_t status = get_tdr(m, pa, operand, slot);

	if (status == TDX_SUCCESS)
		*td = &m->st->td[*slot];
	return status;
}

enum {
	OP_UNINIT = 1u << TDX_OP_UNINITIALIZED,
	OP_INIT = 1u << TDX_OP_INITIALIZED,
	OP_RUNNABLE = 1u << TDX_OP_RUNNABLE,
};

/* A TD whose keys are configured and whose TDCS is complete, in one of @ops. */
static uint64_t td_state(struct tdx_module *m, struct tdx_model_td *td, unsigned int ops,
			 const char *need)
{
	if (td->fatal)
		return tdx_model_fail(m, TDX_TD_FATAL, "the TD is in a fatal state");
	if (td->lifecycle != TDX_TD_KEYS_CONFIGURED)
		return tdx_model_fail(m, TDX_TD_KEYS_NOT_CONFIGURED,
				      "the TD's lifecycle state is %u, not KEYS_CONFIGURED",
				      td->lifecycle);
	if (td->num_tdcx < TDX_MODEL_TDCS_PAGES)
		return tdx_model_fail(m, TDX_TDCS_NOT_ALLOCATED, "the TD has %u of %u TDCS pages",
				      td->num_tdcx, TDX_MODEL_TDCS_PAGES);
	if (!(ops & (1u << td->op_state)))
		return tdx_model_fail(m, TDX_OP_STATE_INCORRECT,
				      "the TD's op_state is %s; the leaf needs %s",
				      td->op_state == TDX_OP_UNINITIALIZED ? "UNINITIALIZED"
				      : td->op_state == TDX_OP_INITIALIZED ? "INITIALIZED"
									   : "RUNNABLE",
				      need);
	return TDX_SUCCESS;
}

static uint64_t get_vcpu(struct tdx_module *m, uint64_t pa, uint32_t operand, uint32_t *index)
{
	struct tdx_model_pamt_entry *e;
	uint64_t status = tdx_pamt_check_page(m, pa, TDX_PT_TDVPR, operand, "TDVPR", &e);

	if (status == TDX_SUCCESS)
		*index = (uint32_t)e->aux;
	return status;
}

/* Claim a free (PT_NDA) page for TD @slot as @pt. */
static void own_page(struct tdx_module *m, struct tdx_model_pamt_entry *e, uint32_t slot,
		     unsigned int pt, uint64_t aux)
{
	*e = (struct tdx_model_pamt_entry){ .pt = (uint8_t)pt, .owner_slot = slot + 1, .aux = aux };
	m->st->td[slot].chldcnt++;
}

/* ------------------------------------------------------------------ */
/* GPA|level operands and the Secure EPT                                */

static unsigned int root_level(const struct tdx_model_td *td)
{
	return ((td->eptp_controls >> 3) & 7) == 4 ? 4 : 3;
}

uint64_t tdx_model_shared_bit(const struct tdx_model_td *td)
{
	return td->config_flags & TDX_CONFIG_FLAG_GPAW ? 1ull << 51 : 1ull << 47;
}

/* Decode RCX = GPA | level: reserved bits zero, GPA private and aligned to the level. */
uint64_t tdx_model_gpa_operand(struct tdx_module *m, const struct tdx_model_td *td, uint64_t rcx,
			    unsigned int min_level, unsigned int max_level, uint64_t *gpa,
			    unsigned int *level)
{
	*level = (unsigned int)(rcx & 7);
	*gpa = rcx & 0x000FFFFFFFFFF000ull;
	if ((rcx & 0xFF8) || (rcx >> 52) || *level < min_level || *level > max_level ||
	    (*gpa & ((MODEL_PAGE << (9 * *level)) - 1)) || *gpa >= tdx_model_shared_bit(td) * 2 ||
	    (*gpa & tdx_model_shared_bit(td)))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "GPA|level 0x%llx: level must be %u..%u, the GPA aligned to "
				      "it, private (shared bit clear) and inside the TD's GPA width",
				      (unsigned long long)rcx, min_level, max_level);
	return TDX_SUCCESS;
}

/* The SEPT tables above @level exist (root down to @level + 1). */
static uint64_t sept_walk(struct tdx_module *m, struct tdx_module_args *a, uint32_t slot,
			  uint64_t gpa, unsigned int level)
{
	const struct tdx_model_td *td = &m->st->td[slot];

	for (unsigned int l = root_level(td); l > level; l--)
		if (!tdx_sept_lookup(m, slot, l, gpa)) {
			a->rcx = 0;
			a->rdx = l;
			return tdx_model_fail(m, TDX_EPT_WALK_FAILED,
					      "no Secure-EPT table at level %u for GPA 0x%llx "
					      "(TDH.MEM.SEPT.ADD it)", l, (unsigned long long)gpa);
		}
	return TDX_SUCCESS;
}

/* The leaf (4 KiB) mapping of @gpa: TDX_EPT_ENTRY_FREE when none. */
uint64_t tdx_model_sept_leaf(struct tdx_module *m, struct tdx_module_args *a, uint32_t slot,
			  uint64_t gpa, struct tdx_model_pamt_entry **e, uint64_t *hpa)
{
	uint64_t status = sept_walk(m, a, slot, gpa, 0);

	if (status != TDX_SUCCESS)
		return status;
	*hpa = tdx_sept_lookup(m, slot, 0, gpa);
	if (!*hpa) {
		a->rcx = 0;
		a->rdx = 0;
		return tdx_model_fail(m, TDX_EPT_ENTRY_FREE, "nothing is mapped at GPA 0x%llx",
				      (unsigned long long)gpa);
	}
	*e = &m->pamt[(*hpa - m->st->dram_base) / MODEL_PAGE];
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Key management                                                       */

static uint64_t mng_create(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_pamt_entry *e;
	uint64_t hkid = a->rdx & 0xFFFF, status;
	uint32_t slot;

	if ((a->rdx >> 16) || hkid < st->hkid_min || hkid > st->hkid_max)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "HKID %llu is not a private KeyID [%u, %u]",
				      (unsigned long long)a->rdx, st->hkid_min, st->hkid_max);
	status = tdx_pamt_check_page(m, a->rcx, TDX_PT_NDA, TDX_OPERAND_ID_RCX, "TDR page", &e);
	if (status != TDX_SUCCESS)
		return status;
	if (st->kot[hkid].state != TDX_KOT_HKID_FREE)
		return tdx_model_fail(m, TDX_HKID_NOT_FREE, "KeyID %llu is %s", (unsigned long long)hkid,
				      st->kot[hkid].state == TDX_KOT_HKID_RESERVED
					      ? "the module's global KeyID"
					      : "still held by a TD (free it: VPFLUSHDONE, CACHE.WB "
						"on every package, KEY.FREEID)");
	for (slot = 0; slot < TDX_MODEL_MAX_TDS && st->td[slot].tdr_pa; slot++)
		;
	if (slot == TDX_MODEL_MAX_TDS)
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDR),
				      "model limit: %u TD records in use (reclaim torn-down TDs' TDRs)",
				      TDX_MODEL_MAX_TDS);
	st->kot[hkid].state = TDX_KOT_HKID_ASSIGNED;
	st->td[slot] = (struct tdx_model_td){ .tdr_pa = a->rcx, .hkid = (uint16_t)hkid,
					      .lifecycle = TDX_TD_HKID_ASSIGNED };
	*e = (struct tdx_model_pamt_entry){ .pt = TDX_PT_TDR, .owner_slot = slot + 1 };
	return TDX_SUCCESS;
}

static uint64_t mng_key_config(struct tdx_module *m, unsigned int lp, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	uint32_t slot, pkg = lp / st->lps_per_package;
	struct tdx_model_td *td;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (td->fatal)
		return tdx_model_fail(m, TDX_TD_FATAL, "the TD is in a fatal state");
	if (td->lifecycle != TDX_TD_HKID_ASSIGNED)
		return tdx_model_fail(m, TDX_LIFECYCLE_STATE_INCORRECT,
				      "the TD's keys are configured on every package already "
				      "(lifecycle %u)", td->lifecycle);
	if (td->pkg_config_bitmap & (1u << pkg))
		return tdx_model_fail(m, TDX_KEY_CONFIGURED, "package %u holds the TD's key already",
				      pkg);
	td->pkg_config_bitmap |= 1u << pkg;
	if (td->pkg_config_bitmap == (1u << st->npackages) - 1)
		td->lifecycle = TDX_TD_KEYS_CONFIGURED;
	return TDX_SUCCESS;
}

static uint64_t mng_vpflushdone(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_td *td;
	uint32_t slot;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (td->lifecycle != TDX_TD_KEYS_CONFIGURED && td->lifecycle != TDX_TD_HKID_ASSIGNED)
		return tdx_model_fail(m, TDX_LIFECYCLE_STATE_INCORRECT,
				      "the TD is blocked or torn down already (lifecycle %u)",
				      td->lifecycle);
	if (td->num_tdcx >= TDX_MODEL_TDCS_PAGES && td->op_state != TDX_OP_UNINITIALIZED &&
	    td->num_assoc_vcpus)
		return tdx_model_fail(m, TDX_FLUSHVP_NOT_DONE,
				      "%u vCPUs are still associated with logical processors",
				      td->num_assoc_vcpus);
	st->kot[td->hkid].wbinvd_bitmap = st->pkg_config_bitmap;
	td->lifecycle = TDX_TD_BLOCKED;
	st->kot[td->hkid].state = TDX_KOT_HKID_FLUSHED;
	return TDX_SUCCESS;
}

static uint64_t phymem_cache_wb(struct tdx_module *m, unsigned int lp, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_wbt *w = &st->wbt[lp / st->lps_per_package];
	uint64_t done = 0;

	if (a->rcx > 1)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "command %llu: 0 starts, 1 resumes", (unsigned long long)a->rcx);
	if (a->rcx == 0) {
		bool any = false;
		w->intr_point = 0;
		for (uint32_t h = st->hkid_min; h <= st->hkid_max; h++) {
			w->hkid_flushed[h] = st->kot[h].state == TDX_KOT_HKID_FLUSHED;
			any |= w->hkid_flushed[h];
		}
		if (!any)
			return TDX_NO_HKID_READY_TO_WBCACHE;
	} else if (!w->intr_point) {
		return tdx_model_fail(m, TDX_WBCACHE_RESUME_ERROR,
				      "no interrupted TDH.PHYMEM.CACHE.WB to resume on this package");
	}
	/* Write back sub-blocks; an "interrupt" arrives after blocks_per_call of them. */
	while (w->intr_point < st->cachewb_sub_blocks) {
		w->intr_point++;
		if (++done == st->cachewb_blocks_per_call && w->intr_point < st->cachewb_sub_blocks)
			return TDX_INTERRUPTED_RESUMABLE;
	}
	w->intr_point = 0;
	for (uint32_t h = st->hkid_min; h <= st->hkid_max; h++)
		if (w->hkid_flushed[h])
			st->kot[h].wbinvd_bitmap &= ~(1u << (lp / st->lps_per_package));
	return TDX_SUCCESS;
}

static uint64_t mng_key_freeid(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_td *td;
	uint32_t slot;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (td->lifecycle != TDX_TD_BLOCKED)
		return tdx_model_fail(m, TDX_LIFECYCLE_STATE_INCORRECT,
				      "the TD is not blocked (lifecycle %u): TDH.MNG.VPFLUSHDONE first",
				      td->lifecycle);
	if (st->kot[td->hkid].wbinvd_bitmap)
		return tdx_model_fail(m, TDX_WBCACHE_NOT_COMPLETE,
				      "packages 0x%x have not written back KeyID %u's cache lines",
				      st->kot[td->hkid].wbinvd_bitmap, td->hkid);
	st->kot[td->hkid].state = TDX_KOT_HKID_FREE;
	td->lifecycle = TDX_TD_TEARDOWN;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* TD build                                                             */

static uint64_t mng_addcx(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	uint32_t slot;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (td->fatal)
		return tdx_model_fail(m, TDX_TD_FATAL, "the TD is in a fatal state");
	if (td->lifecycle != TDX_TD_KEYS_CONFIGURED)
		return tdx_model_fail(m, TDX_TD_KEYS_NOT_CONFIGURED,
				      "the TD's keys are not configured on every package");
	if (td->op_state != TDX_OP_UNINITIALIZED)
		return tdx_model_fail(m, TDX_OP_STATE_INCORRECT, "the TD is initialised already");
	if (td->num_tdcx >= TDX_MODEL_TDCS_PAGES)
		return tdx_model_fail(m, TDX_TDCX_NUM_INCORRECT, "the TD has all %u TDCS pages",
				      TDX_MODEL_TDCS_PAGES);
	status = tdx_pamt_check_page(m, a->rcx, TDX_PT_NDA, TDX_OPERAND_ID_RCX, "TDCS page", &e);
	if (status != TDX_SUCCESS)
		return status;
	own_page(m, e, slot, TDX_PT_TDCX, 0);
	td->tdcx_pa[td->num_tdcx++] = a->rcx;
	return TDX_SUCCESS;
}

static bool fixed_ok(uint64_t v, uint64_t fixed0, uint64_t fixed1)
{
	return !(v & ~fixed0) && (v & fixed1) == fixed1;
}

/* TD_PARAMS checks in tdh_mng_init.c's order (read_and_set_td_configurations). */
static uint64_t read_td_params(struct tdx_module *m, struct tdx_model_td *td, const uint8_t *p)
{
	uint64_t attributes = coco_le64(p + TDX_TD_PARAMS_ATTRIBUTES);
	uint64_t xfam = coco_le64(p + TDX_TD_PARAMS_XFAM);
	uint16_t max_vcpus = coco_le16(p + TDX_TD_PARAMS_MAX_VCPUS);
	uint64_t eptp = coco_le64(p + TDX_TD_PARAMS_EPTP_CONTROLS);
	uint64_t flags = coco_le64(p + TDX_TD_PARAMS_CONFIG_FLAGS);
	uint16_t tsc = coco_le16(p + TDX_TD_PARAMS_TSC_FREQUENCY);
	uint64_t pwl = (eptp >> 3) & 7;
	const struct tdx_model_state *st = m->st;

	if (!fixed_ok(attributes, TDX_MODEL_ATTRIBUTES_FIXED0, TDX_MODEL_ATTRIBUTES_FIXED1))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, ATTRIBUTES),
				      "ATTRIBUTES 0x%llx: allowed bits 0x%llx, required 0x%llx",
				      (unsigned long long)attributes,
				      (unsigned long long)TDX_MODEL_ATTRIBUTES_FIXED0,
				      (unsigned long long)TDX_MODEL_ATTRIBUTES_FIXED1);
	if (!fixed_ok(xfam, TDX_MODEL_XFAM_FIXED0, TDX_MODEL_XFAM_FIXED1))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, XFAM),
				      "XFAM 0x%llx: allowed bits 0x%llx, required 0x%llx",
				      (unsigned long long)xfam, (unsigned long long)TDX_MODEL_XFAM_FIXED0,
				      (unsigned long long)TDX_MODEL_XFAM_FIXED1);
	if (!max_vcpus || max_vcpus > TDX_MODEL_MAX_VCPUS_PER_TD)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, MAX_VCPUS),
				      "MAX_VCPUS %u: 1 to %u", max_vcpus, TDX_MODEL_MAX_VCPUS_PER_TD);
	if (p[TDX_TD_PARAMS_NUM_L2_VMS])
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, NUM_L2_VMS),
				      "NUM_L2_VMS %u: this module has no TD partitioning",
				      p[TDX_TD_PARAMS_NUM_L2_VMS]);
	if (!coco_all_zero(p + 20, 4))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "TD_PARAMS reserved bytes 20..23 are not zero");
	if (flags & ~(TDX_CONFIG_FLAG_GPAW | TDX_CONFIG_FLAG_FLEXIBLE_PENDING_VE |
		      TDX_CONFIG_FLAG_NO_RBP_MOD))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, EXEC_CONTROLS),
				      "CONFIG_FLAGS 0x%llx sets reserved bits", (unsigned long long)flags);
	if ((eptp & ~0x3Full) || (eptp & 7) != 6 || (pwl != 3 && pwl != 4) ||
	    ((pwl == 4) != !!(flags & TDX_CONFIG_FLAG_GPAW)))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, EPTP_CONTROLS),
				      "EPTP_CONTROLS 0x%llx with GPAW %d: need WB and a 4-level walk "
				      "(GPAW 0) or a 5-level walk (GPAW 1)", (unsigned long long)eptp,
				      !!(flags & TDX_CONFIG_FLAG_GPAW));
	if (tsc < TDX_TSC_25MHZ_MIN || tsc > TDX_TSC_25MHZ_MAX)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, TSC_FREQUENCY),
				      "TSC_FREQUENCY %u x 25 MHz: 4 (100 MHz) to 400 (10 GHz)", tsc);
	if (!coco_all_zero(p + 42, 38))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "TD_PARAMS reserved bytes 42..79 are not zero");
	if (p[TDX_TD_PARAMS_MSR_CONFIG_CTLS] & 0xFE)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "MSR_CONFIG_CTLS sets reserved bits");
	if (!coco_all_zero(p + 232, 24))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "TD_PARAMS reserved bytes 232..255 are not zero");
	for (unsigned int i = 0; i < TDX_MODEL_NUM_CPUID_CONFIG; i++)
		for (unsigned int r = 0; r < 4; r++) {
			uint32_t v = coco_le32(p + TDX_TD_PARAMS_CPUID_VALUES + 16 * i + 4 * r);
			if (v & ~st->cpuid_native[i][r])
				return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, CPUID_CONFIG),
						      "CPUID leaf 0x%x.%x register %u sets bits 0x%x "
						      "the platform cannot virtualise",
						      st->cpuid_leaf[i], st->cpuid_subleaf[i], r,
						      v & ~st->cpuid_native[i][r]);
			td->cpuid_values[i][r] = v;
		}
	td->attributes = attributes;
	td->xfam = xfam;
	td->max_vcpus = max_vcpus;
	td->eptp_controls = eptp;
	td->config_flags = flags;
	td->tsc_frequency = tsc;
	memcpy(td->mrconfigid, p + TDX_TD_PARAMS_MRCONFIGID, 48);
	memcpy(td->mrowner, p + TDX_TD_PARAMS_MROWNER, 48);
	memcpy(td->mrownerconfig, p + TDX_TD_PARAMS_MROWNERCONFIG, 48);
	return TDX_SUCCESS;
}

static uint64_t mng_init(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_td *td, saved;
	struct tdx_mrtd *ctx;
	struct tdx_model_mrtd_slot *ms = NULL;
	const uint8_t *params;
	uint32_t slot;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	if (td->fatal)
		return tdx_model_fail(m, TDX_TD_FATAL, "the TD is in a fatal state");
	if (td->lifecycle != TDX_TD_KEYS_CONFIGURED)
		return tdx_model_fail(m, TDX_TD_KEYS_NOT_CONFIGURED,
				      "the TD's keys are not configured on every package");
	if (td->op_state != TDX_OP_UNINITIALIZED)
		return tdx_model_fail(m, TDX_OP_STATE_INCORRECT, "the TD is initialised already");
	if (!tdx_model_pa_ok(m->st, a->rdx, TDX_TD_PARAMS_SIZE) ||
	    !(params = tdx_model_mem(m, a->rdx, TDX_TD_PARAMS_SIZE)))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RDX),
				      "TD_PARAMS at 0x%llx is not a 1024-byte aligned shared address "
				      "this process backs", (unsigned long long)a->rdx);
	saved = *td;
	status = read_td_params(m, td, params);
	if (status == TDX_SUCCESS && td->num_tdcx < TDX_MODEL_TDCS_PAGES)
		status = tdx_model_fail(m, TDX_TDCS_NOT_ALLOCATED, "the TD has %u of %u TDCS pages",
					td->num_tdcx, TDX_MODEL_TDCS_PAGES);
	if (status != TDX_SUCCESS) {
		*td = saved;
		a->rcx = 0;
		return status;
	}
	/* The MRTD context (process-local) and zero RTMRs. */
	tdx_model_mrtd_drop(m, slot);
	for (unsigned int i = 0; i < TDX_MODEL_MRTD_CTXS && !ms; i++)
		if (!m->mrtd[i].ctx)
			ms = &m->mrtd[i];
	if (!ms || tdx_mrtd_new(&ctx)) {
		*td = saved;
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDR),
				      "model limit: this process builds %u TDs at once already",
				      TDX_MODEL_MRTD_CTXS);
	}
	/* A random generation: a forked copy of this table never matches a later TD. */
	if (RAND_bytes((unsigned char *)&td->mrtd_generation, sizeof(td->mrtd_generation)) != 1 ||
	    !td->mrtd_generation)
		td->mrtd_generation = ((uint64_t)slot << 32) | 1;
	*ms = (struct tdx_model_mrtd_slot){ slot, td->mrtd_generation, ctx };
	memset(td->rtmr, 0, sizeof(td->rtmr));
	memset(td->mrtd, 0, sizeof(td->mrtd));
	td->op_state = TDX_OP_INITIALIZED;
	return TDX_SUCCESS;
}

static uint64_t vp_create(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	uint32_t slot, v;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT | OP_RUNNABLE, "INITIALIZED or RUNNABLE");
	if (status != TDX_SUCCESS)
		return status;
	if (td->num_vcpus >= td->max_vcpus)
		return tdx_model_fail(m, TDX_MAX_VCPUS_EXCEEDED, "the TD has all %u vCPUs",
				      td->max_vcpus);
	status = tdx_pamt_check_page(m, a->rcx, TDX_PT_NDA, TDX_OPERAND_ID_RCX, "TDVPR page", &e);
	if (status != TDX_SUCCESS)
		return status;
	for (v = 0; v < TDX_MODEL_MAX_VCPU_RECORDS && st->vcpu[v].state != TDX_VCPU_FREE; v++)
		;
	if (v == TDX_MODEL_MAX_VCPU_RECORDS)
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDVPR),
				      "model limit: %u vCPU records in use", TDX_MODEL_MAX_VCPU_RECORDS);
	own_page(m, e, slot, TDX_PT_TDVPR, v);
	st->vcpu[v] = (struct tdx_model_vcpu){ .tdvpr_pa = a->rcx, .td_slot = slot,
					       .state = TDX_VCPU_CREATED, .assoc_lp = -1,
					       .vcpu_index = td->num_vcpus };
	td->num_vcpus++;
	return TDX_SUCCESS;
}

static uint64_t vp_addcx(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_pamt_entry *e;
	struct tdx_model_vcpu *vc;
	uint32_t v;
	uint64_t status = get_vcpu(m, a->rdx, TDX_OPERAND_ID_RDX, &v);

	if (status != TDX_SUCCESS)
		return status;
	vc = &st->vcpu[v];
	if (st->td[vc->td_slot].fatal)
		return tdx_model_fail(m, TDX_TD_FATAL, "the TD is in a fatal state");
	if (st->td[vc->td_slot].lifecycle != TDX_TD_KEYS_CONFIGURED)
		return tdx_model_fail(m, TDX_TD_KEYS_NOT_CONFIGURED, "the TD is being torn down");
	if (vc->state != TDX_VCPU_CREATED)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT, "the vCPU is initialised already");
	if (vc->num_tdcx >= TDX_MODEL_TDVPS_PAGES - 1)
		return tdx_model_fail(m, TDX_TDCX_NUM_INCORRECT, "the vCPU has all %u TDCX pages",
				      TDX_MODEL_TDVPS_PAGES - 1);
	status = tdx_pamt_check_page(m, a->rcx, TDX_PT_NDA, TDX_OPERAND_ID_RCX, "TDCX page", &e);
	if (status != TDX_SUCCESS)
		return status;
	own_page(m, e, vc->td_slot, TDX_PT_TDCX, v + 1);
	vc->tdcx_pa[vc->num_tdcx++] = a->rcx;
	return TDX_SUCCESS;
}

static uint64_t vp_init(struct tdx_module *m, unsigned int lp, uint64_t version,
			struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_vcpu *vc;
	struct tdx_model_td *td;
	uint32_t v, x2apic;
	uint64_t status = get_vcpu(m, a->rcx, TDX_OPERAND_ID_RCX, &v);

	if (status != TDX_SUCCESS)
		return status;
	vc = &st->vcpu[v];
	td = &st->td[vc->td_slot];
	status = td_state(m, td, OP_INIT | OP_RUNNABLE, "INITIALIZED or RUNNABLE");
	if (status != TDX_SUCCESS)
		return status;
	if (vc->num_tdcx != TDX_MODEL_TDVPS_PAGES - 1)
		return tdx_model_fail(m, TDX_TDCX_NUM_INCORRECT, "the vCPU has %u of %u TDCX pages",
				      vc->num_tdcx, TDX_MODEL_TDVPS_PAGES - 1);
	if (vc->state != TDX_VCPU_CREATED)
		return tdx_model_fail(m, TDX_VCPU_STATE_INCORRECT, "the vCPU is initialised already");
	if (vc->assoc_lp >= 0 && vc->assoc_lp != (int)lp)
		return tdx_model_fail(m, TDX_VCPU_ASSOCIATED,
				      "the vCPU is associated with logical processor %d", vc->assoc_lp);
	x2apic = version ? (uint32_t)a->r8 : vc->vcpu_index;
	if (version && (a->r8 >> 32))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, R8), "x2APIC ID 0x%llx",
				      (unsigned long long)a->r8);
	for (uint32_t o = 0; o < TDX_MODEL_MAX_VCPU_RECORDS; o++)
		if (o != v && st->vcpu[o].state == TDX_VCPU_INITIALIZED &&
		    st->vcpu[o].td_slot == vc->td_slot && st->vcpu[o].x2apic_id == x2apic)
			return tdx_model_fail(m, TDX_X2APIC_ID_NOT_UNIQUE,
					      "x2APIC ID %u is another vCPU's", x2apic);
	if (vc->assoc_lp < 0) {
		vc->assoc_lp = (int16_t)lp;
		td->num_assoc_vcpus++;
	}
	vc->x2apic_id = x2apic;
	vc->initial_rcx = a->rdx;
	vc->state = TDX_VCPU_INITIALIZED;
	return TDX_SUCCESS;
}

static uint64_t vp_flush(struct tdx_module *m, unsigned int lp, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_vcpu *vc;
	uint32_t v;
	uint64_t status = get_vcpu(m, a->rcx, TDX_OPERAND_ID_RCX, &v);

	if (status != TDX_SUCCESS)
		return status;
	vc = &st->vcpu[v];
	if (st->td[vc->td_slot].lifecycle != TDX_TD_KEYS_CONFIGURED)
		return tdx_model_fail(m, TDX_TD_KEYS_NOT_CONFIGURED,
				      "the TD's keys are not configured (lifecycle %u)",
				      st->td[vc->td_slot].lifecycle);
	if (vc->assoc_lp != (int)lp)
		return tdx_model_fail(m, TDX_VCPU_NOT_ASSOCIATED,
				      "the vCPU is not associated with logical processor %u (%d)",
				      lp, vc->assoc_lp);
	vc->assoc_lp = -1;
	st->td[vc->td_slot].num_assoc_vcpus--;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Memory                                                               */

static uint64_t sept_add(struct tdx_module *m, uint64_t version, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	unsigned int level;
	uint64_t gpa;
	uint32_t slot;
	uint64_t status = get_td(m, version ? a->rdx & ~(MODEL_PAGE - 1) : a->rdx,
				  TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT | OP_RUNNABLE, "INITIALIZED or RUNNABLE");
	if (status == TDX_SUCCESS)
		status = tdx_model_gpa_operand(m, td, a->rcx, 1, root_level(td), &gpa, &level);
	if (status == TDX_SUCCESS)
		status = tdx_pamt_check_page(m, a->r8, TDX_PT_NDA, TDX_OPERAND_ID_R8,
					     "new Secure-EPT page", &e);
	if (status == TDX_SUCCESS)
		status = sept_walk(m, a, slot, gpa, level);
	if (status != TDX_SUCCESS)
		return status;
	if (tdx_sept_lookup(m, slot, level, gpa)) {
		a->rcx = 0;
		a->rdx = level;
		return tdx_model_fail(m, TDX_EPT_ENTRY_NOT_FREE,
				      "a level-%u Secure-EPT table for GPA 0x%llx exists already",
				      level, (unsigned long long)gpa);
	}
	own_page(m, e, slot, TDX_PT_EPT, gpa & ~((MODEL_PAGE << (9 * level)) - 1));
	e->level = (uint8_t)level;
	tdx_sept_insert(m, a->r8);
	return TDX_SUCCESS;
}

/* Shared checks of PAGE.ADD and PAGE.AUG: the target page and a free leaf entry. */
static uint64_t new_leaf(struct tdx_module *m, struct tdx_module_args *a, uint32_t slot,
			 uint64_t gpa, struct tdx_model_pamt_entry **e)
{
	uint64_t status = tdx_pamt_check_page(m, a->r8, TDX_PT_NDA, TDX_OPERAND_ID_R8,
					      "target page", e);

	if (status == TDX_SUCCESS)
		status = sept_walk(m, a, slot, gpa, 0);
	if (status == TDX_SUCCESS && tdx_sept_lookup(m, slot, 0, gpa)) {
		a->rcx = 0;
		a->rdx = 0;
		status = tdx_model_fail(m, TDX_EPT_ENTRY_NOT_FREE, "GPA 0x%llx is mapped already",
					(unsigned long long)gpa);
	}
	return status;
}

static uint64_t page_add(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_mrtd *ctx;
	struct tdx_model_td *td;
	const uint8_t *src;
	unsigned int level;
	uint64_t gpa;
	uint32_t slot;
	uint8_t *dst;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT, "INITIALIZED (before TDH.MR.FINALIZE)");
	if (status == TDX_SUCCESS)
		status = tdx_model_gpa_operand(m, td, a->rcx, 0, 0, &gpa, &level);
	if (status != TDX_SUCCESS)
		return status;
	if (!tdx_model_pa_ok(m->st, a->r9, MODEL_PAGE) || !(src = tdx_model_mem(m, a->r9, MODEL_PAGE)))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, R9),
				      "source 0x%llx is not a 4 KiB aligned shared page this process "
				      "backs", (unsigned long long)a->r9);
	status = new_leaf(m, a, slot, gpa, &e);
	if (status == TDX_SUCCESS)
		status = mrtd_of(m, slot, &ctx);
	if (status != TDX_SUCCESS)
		return status;
	if (tdx_mrtd_page_add(ctx, gpa))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDR), "SHA-384 failed");
	dst = tdx_model_mem(m, a->r8, MODEL_PAGE);
	if (dst)
		memmove(dst, src, MODEL_PAGE);
	own_page(m, e, slot, TDX_PT_REG, gpa);
	e->sept_state = TDX_SEPT_MAPPED;
	tdx_sept_insert(m, a->r8);
	return TDX_SUCCESS;
}

static uint64_t page_aug(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	unsigned int level;
	uint64_t gpa;
	uint32_t slot;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_RUNNABLE, "RUNNABLE (after TDH.MR.FINALIZE)");
	if (status == TDX_SUCCESS)
		status = tdx_model_gpa_operand(m, td, a->rcx, 0, 0, &gpa, &level);
	if (status == TDX_SUCCESS)
		status = new_leaf(m, a, slot, gpa, &e);
	if (status != TDX_SUCCESS)
		return status;
	own_page(m, e, slot, TDX_PT_REG, gpa);
	e->sept_state = TDX_SEPT_PENDING;
	tdx_sept_insert(m, a->r8);
	return TDX_SUCCESS;
}

static uint64_t mr_extend(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_mrtd *ctx;
	struct tdx_model_td *td;
	const uint8_t *chunk;
	uint64_t gpa = a->rcx, hpa;
	uint32_t slot;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT, "INITIALIZED (before TDH.MR.FINALIZE)");
	if (status != TDX_SUCCESS)
		return status;
	if ((gpa & 0xFF) || gpa >= tdx_model_shared_bit(td))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "GPA 0x%llx is not a 256-byte aligned private GPA",
				      (unsigned long long)gpa);
	status = tdx_model_sept_leaf(m, a, slot, gpa, &e, &hpa);
	if (status != TDX_SUCCESS)
		return status;
	if (e->sept_state != TDX_SEPT_MAPPED || (e->flags & TDX_PAMT_FLAG_BLOCKED))
		return tdx_model_fail(m, TDX_EPT_ENTRY_STATE_INCORRECT,
				      "GPA 0x%llx is pending or blocked", (unsigned long long)gpa);
	chunk = tdx_model_mem(m, hpa + (gpa & (MODEL_PAGE - 1)), 256);
	if (!chunk)
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "model limitation: page 0x%llx's bytes are not reachable from "
				      "this process", (unsigned long long)hpa);
	status = mrtd_of(m, slot, &ctx);
	if (status != TDX_SUCCESS)
		return status;
	if (tdx_mrtd_extend(ctx, gpa, chunk))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDR), "SHA-384 failed");
	return TDX_SUCCESS;
}

static uint64_t mr_finalize(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_mrtd *ctx;
	struct tdx_model_td *td;
	uint32_t slot;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT, "INITIALIZED (finalised once)");
	if (status != TDX_SUCCESS)
		return status;
	if (!td->num_vcpus)
		return tdx_model_fail(m, TDX_NO_VCPUS, "the TD has no vCPU");
	status = mrtd_of(m, slot, &ctx);
	if (status != TDX_SUCCESS)
		return status;
	if (tdx_mrtd_final(ctx, td->mrtd))
		return tdx_model_fail(m, OPND(TDX_OPERAND_BUSY, TDR), "SHA-384 failed");
	tdx_model_mrtd_drop(m, slot);
	memset(td->servtd_hash, 0, sizeof(td->servtd_hash));	/* no service TD bound */
	td->op_state = TDX_OP_RUNNABLE;
	return TDX_SUCCESS;
}

/*
 * The operands of RANGE.BLOCK / UNBLOCK / PAGE.REMOVE: the TD at RDX
 * (INITIALIZED or RUNNABLE) and its 4 KiB leaf at the GPA in RCX.
 */
static uint64_t td_leaf(struct tdx_module *m, struct tdx_module_args *a, struct tdx_model_td **td,
			uint32_t *slot, uint64_t *gpa, struct tdx_model_pamt_entry **e, uint64_t *hpa)
{
	unsigned int level;
	uint64_t status = get_td(m, a->rdx, TDX_OPERAND_ID_RDX, slot, td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, *td, OP_INIT | OP_RUNNABLE, "INITIALIZED or RUNNABLE");
	if (status == TDX_SUCCESS)
		status = tdx_model_gpa_operand(m, *td, a->rcx, 0, 0, gpa, &level);
	if (status == TDX_SUCCESS)
		status = tdx_model_sept_leaf(m, a, *slot, *gpa, e, hpa);
	return status;
}

/* Blocked, and a TDH.MEM.TRACK since: what UNBLOCK and PAGE.REMOVE need. */
static uint64_t blocked_and_tracked(struct tdx_module *m, const struct tdx_model_td *td,
				    const struct tdx_model_pamt_entry *e, uint64_t gpa,
				    const char *hint)
{
	if (!(e->flags & TDX_PAMT_FLAG_BLOCKED))
		return tdx_model_fail(m, TDX_GPA_RANGE_NOT_BLOCKED, "GPA 0x%llx is not blocked%s",
				      (unsigned long long)gpa, hint);
	if (td->td_epoch <= e->bepoch)
		return tdx_model_fail(m, TDX_TLB_TRACKING_NOT_DONE,
				      "no TDH.MEM.TRACK since GPA 0x%llx was blocked",
				      (unsigned long long)gpa);
	return TDX_SUCCESS;
}

static uint64_t range_block(struct tdx_module *m, struct tdx_module_args *a, bool block)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	uint64_t gpa, hpa;
	uint32_t slot;
	uint64_t status = td_leaf(m, a, &td, &slot, &gpa, &e, &hpa);

	if (status != TDX_SUCCESS)
		return status;
	if (block) {
		if (e->flags & TDX_PAMT_FLAG_BLOCKED)
			return TDX_GPA_RANGE_ALREADY_BLOCKED;
		e->flags |= TDX_PAMT_FLAG_BLOCKED;
		e->bepoch = td->td_epoch;
		return TDX_SUCCESS;
	}
	status = blocked_and_tracked(m, td, e, gpa, "");
	if (status != TDX_SUCCESS)
		return status;
	e->flags &= (uint8_t)~TDX_PAMT_FLAG_BLOCKED;
	e->bepoch = 0;
	return TDX_SUCCESS;
}

static uint64_t mem_track(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_td *td;
	uint32_t slot;
	uint64_t status = get_td(m, a->rcx, TDX_OPERAND_ID_RCX, &slot, &td);

	if (status != TDX_SUCCESS)
		return status;
	status = td_state(m, td, OP_INIT | OP_RUNNABLE, "INITIALIZED or RUNNABLE");
	if (status != TDX_SUCCESS)
		return status;
	td->td_epoch++;
	return TDX_SUCCESS;
}

static uint64_t page_remove(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	uint64_t gpa, hpa;
	uint32_t slot;
	uint64_t status = td_leaf(m, a, &td, &slot, &gpa, &e, &hpa);

	if (status == TDX_SUCCESS)
		status = blocked_and_tracked(m, td, e, gpa, " (TDH.MEM.RANGE.BLOCK first)");
	if (status != TDX_SUCCESS)
		return status;
	tdx_sept_remove(m, hpa);
	memset(e, 0, sizeof(*e));
	td->chldcnt--;
	a->rcx = hpa;	/* ext. info: the removed page */
	a->rdx = 0;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Physical pages                                                       */

static uint64_t phymem_page(struct tdx_module *m, struct tdx_module_args *a,
			    struct tdx_model_pamt_entry **e)
{
	if (!tdx_model_pa_ok(m->st, a->rcx, MODEL_PAGE))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "0x%llx is not a 4 KiB aligned address below MAXPA with KeyID 0",
				      (unsigned long long)a->rcx);
	*e = tdx_pamt_get(m, a->rcx);
	if (!*e)
		return tdx_model_fail(m, OPND(TDX_OPERAND_ADDR_RANGE_ERROR, RCX),
				      "0x%llx is not in TDX memory whose PAMT is initialised",
				      (unsigned long long)a->rcx);
	return TDX_SUCCESS;
}

static uint64_t page_rdmd(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_pamt_entry *e;
	uint64_t pa = a->rcx, status = phymem_page(m, a, &e);

	a->rcx = a->rdx = a->r8 = a->r9 = 0;
	if (status != TDX_SUCCESS)
		return status;
	a->rcx = tdx_pamt_type(m, pa, e);
	a->rdx = tdx_pamt_owner_tdr(m, e);
	a->r8 = 0;		/* 4 KiB */
	a->r9 = e->bepoch;
	return TDX_SUCCESS;
}

static uint64_t page_reclaim(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_pamt_entry *e;
	struct tdx_model_td *td;
	uint64_t pa = a->rcx, status = phymem_page(m, a, &e);
	unsigned int pt;
	uint32_t slot;

	a->rcx = a->rdx = a->r8 = 0;
	if (status != TDX_SUCCESS)
		return status;
	pt = tdx_pamt_type(m, pa, e);
	if (pt == TDX_PT_NDA || pt == TDX_PT_RSVD)
		return tdx_model_fail(m, OPND(TDX_PAGE_METADATA_INCORRECT, RCX),
				      "page 0x%llx is %s: nothing to reclaim", (unsigned long long)pa,
				      tdx_page_type_name(pt));
	if (!e->owner_slot || e->owner_slot > TDX_MODEL_MAX_TDS ||
	    (pt == TDX_PT_TDVPR && e->aux >= TDX_MODEL_MAX_VCPU_RECORDS))
		return tdx_model_fail(m, OPND(TDX_PAGE_METADATA_INCORRECT, RCX),
				      "the PAMT entry of page 0x%llx names no TD or vCPU record: "
				      "the platform file is damaged", (unsigned long long)pa);
	slot = e->owner_slot - 1;
	td = &st->td[slot];
	a->rcx = pt;
	a->rdx = tdx_pamt_owner_tdr(m, e);
	a->r8 = 0;
	if (td->lifecycle != TDX_TD_TEARDOWN)
		return tdx_model_fail(m, TDX_LIFECYCLE_STATE_INCORRECT,
				      "the owning TD is not torn down (lifecycle %u); reclaim after "
				      "TDH.MNG.KEY.FREEID", td->lifecycle);
	if (pt == TDX_PT_TDR) {
		if (td->chldcnt)
			return tdx_model_fail(m, TDX_TD_ASSOCIATED_PAGES_EXIST,
					      "the TD still owns %llu pages",
					      (unsigned long long)td->chldcnt);
		tdx_model_mrtd_drop(m, slot);
		memset(td, 0, sizeof(*td));
	} else {
		if (pt == TDX_PT_REG || pt == TDX_PT_EPT)
			tdx_sept_remove(m, pa);
		if (pt == TDX_PT_TDVPR) {
			struct tdx_model_vcpu *vc = &st->vcpu[e->aux];
			if (vc->assoc_lp >= 0)
				td->num_assoc_vcpus--;
			memset(vc, 0, sizeof(*vc));
			vc->assoc_lp = -1;
			td->num_vcpus--;
		}
		td->chldcnt--;
	}
	memset(e, 0, sizeof(*e));
	return TDX_SUCCESS;
}

static uint64_t page_wbinvd(struct tdx_module *m, struct tdx_module_args *a)
{
	uint64_t hkid = tdx_model_hkid_of(m->st, a->rcx);
	uint64_t pa = a->rcx & ((1ull << m->st->max_pa) - 1);
	struct tdx_module_args plain = { .rcx = pa };
	struct tdx_model_pamt_entry *e;

	if ((a->rcx >> 52) || hkid > m->st->hkid_max || (hkid && hkid < m->st->hkid_min))
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RCX),
				      "KeyID %llu in 0x%llx is not a TDX KeyID",
				      (unsigned long long)hkid, (unsigned long long)a->rcx);
	return phymem_page(m, &plain, &e);	/* the write-back itself changes nothing modelled */
}

/* ------------------------------------------------------------------ */

uint64_t tdx_model_td_leaf(struct tdx_module *m, unsigned int lp, uint64_t leaf, uint64_t version,
			   struct tdx_module_args *a)
{
	const char *name;

	switch (leaf) {
	case TDH_MNG_CREATE:
		return mng_create(m, a);
	case TDH_MNG_KEY_CONFIG:
		return mng_key_config(m, lp, a);
	case TDH_MNG_ADDCX:
		return mng_addcx(m, a);
	case TDH_MNG_INIT:
		return mng_init(m, a);
	case TDH_VP_CREATE:
		return vp_create(m, a);
	case TDH_VP_ADDCX:
		return vp_addcx(m, a);
	case TDH_VP_INIT:
		return vp_init(m, lp, version, a);
	case TDH_VP_FLUSH:
		return vp_flush(m, lp, a);
	case TDH_MEM_SEPT_ADD:
		return sept_add(m, version, a);
	case TDH_MEM_PAGE_ADD:
		return page_add(m, a);
	case TDH_MEM_PAGE_AUG:
		return page_aug(m, a);
	case TDH_MR_EXTEND:
		return mr_extend(m, a);
	case TDH_MR_FINALIZE:
		return mr_finalize(m, a);
	case TDH_MEM_RANGE_BLOCK:
		return range_block(m, a, true);
	case TDH_MEM_RANGE_UNBLOCK:
		return range_block(m, a, false);
	case TDH_MEM_TRACK:
		return mem_track(m, a);
	case TDH_MEM_PAGE_REMOVE:
		return page_remove(m, a);
	case TDH_MNG_VPFLUSHDONE:
		return mng_vpflushdone(m, a);
	case TDH_PHYMEM_CACHE_WB:
		return phymem_cache_wb(m, lp, a);
	case TDH_MNG_KEY_FREEID:
		return mng_key_freeid(m, a);
	case TDH_MNG_KEY_RECLAIMID:
		return TDX_SUCCESS;	/* a no-op in 1.5 */
	case TDH_PHYMEM_PAGE_RDMD:
		return page_rdmd(m, a);
	case TDH_PHYMEM_PAGE_RECLAIM:
		return page_reclaim(m, a);
	case TDH_PHYMEM_PAGE_WBINVD:
		return page_wbinvd(m, a);
	default:
		name = tdx_seamcall_leaf_name(leaf);
		return tdx_model_fail(m, OPND(TDX_OPERAND_INVALID, RAX),
				      "%s (leaf %llu) is not modelled", name ? name : "an unknown leaf",
				      (unsigned long long)leaf);
	}
}

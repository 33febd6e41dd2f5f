/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX module model: platform, dispatcher and the module-initialisation
 * leaves (TDH.SYS.*).  TD leaves: module-model-td.c; TDCALLs and reports:
 * module-model-report.c; PAMT and SEPT index: pamt-model.c.
 *
 * Initialise once, and what "unusable" means.  The module itself has no
 * error state: TDH.SYS.INIT moves SYSINIT_PENDING -> SYSINIT_DONE exactly
 * once (again: TDX_SYS_INIT_NOT_PENDING); TDH.SYS.CONFIG that fails a
 * check leaves sys_state at SYSINIT_DONE (a corrected retry is accepted)
 * but, as in the module's tdh_sys_config.c, the KOT entry of the requested
 * global KeyID is marked reserved before the TDMRs are checked and stays
 * so; a successful TDH.SYS.CONFIG is final (SYSCONFIG_DONE: no second
 * configuration, no more TDH.SYS.LP.INIT); a failed TDH.SYS.KEY.CONFIG
 * leaves the package unconfigured and may be retried.  What makes the
 * module unusable for the rest of the boot is the host giving up: Linux
 * frees the PAMTs it handed over and marks itself ERROR (tdx-host.c), after
 * which nothing can re-configure the module (TDX_SYS_CONFIG_NOT_PENDING) and
 * it never reaches SYS_READY.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model-internal.h"
#include "tdx/tdmr.h"
#include "tdx/tdx-host.h"

/* ------------------------------------------------------------------ */
/* Helpers shared by the leaves                                         */

uint64_t tdx_model_fail(struct tdx_module *m, uint64_t status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->detail, sizeof(m->detail), fmt, ap);
	va_end(ap);
	return status;
}

uint64_t tdx_model_hkid_of(const struct tdx_model_state *st, uint64_t pa)
{
	return (pa >> st->max_pa) & ((1ull << (52 - st->max_pa)) - 1);
}

/* Aligned to @align, KeyID bits zero, below MAXPA (a "shared HPA" in module terms). */
bool tdx_model_pa_ok(const struct tdx_model_state *st, uint64_t pa, uint64_t align)
{
	return !(pa & (align - 1)) && !(pa >> st->max_pa);
}

uint8_t *tdx_model_mem(struct tdx_module *m, uint64_t pa, uint64_t len)
{
	return coco_model_platform_ptr(m->plat, pa, len);
}

/* ------------------------------------------------------------------ */
/* Platform                                                             */

static int resolve_config(const struct tdx_module_config *in, struct tdx_module_config *c)
{
	*c = in ? *in : (struct tdx_module_config){ 0 };
	if (!c->packages)
		c->packages = 2;
	if (!c->lps_per_package)
		c->lps_per_package = 4;
	if (!c->dram_gib)
		c->dram_gib = coco_model_platform_env_u32("COCO_TDX_MODEL_DRAM_GIB",
							  TDX_MODEL_DEFAULT_DRAM_GIB);
	if (!c->keyids)
		c->keyids = coco_model_platform_env_u32("COCO_TDX_MODEL_KEYIDS",
							TDX_MODEL_DEFAULT_KEYIDS);
	if (!c->tdmr_init_pages)
		c->tdmr_init_pages = TDX_MODEL_TDMR_INIT_PAGES;
	if (!c->cachewb_sub_blocks)
		c->cachewb_sub_blocks = 4;
	if (!c->cachewb_blocks_per_call)
		c->cachewb_blocks_per_call = 2;
	if (c->packages > TDX_MODEL_MAX_PKGS || c->packages * c->lps_per_package > TDX_MODEL_MAX_LPS)
		return coco_err(-EINVAL, "TDX platform model: %u packages x %u logical processors "
				"requested; at most %u packages and %u logical processors",
				c->packages, c->lps_per_package, TDX_MODEL_MAX_PKGS,
				TDX_MODEL_MAX_LPS);
	if (c->dram_gib < 1 || c->dram_gib > TDX_MODEL_MAX_DRAM_GIB)
		return coco_err(-EINVAL, "TDX platform model: %u GiB of model memory requested "
				"(COCO_TDX_MODEL_DRAM_GIB); 1 to %u are possible", c->dram_gib,
				TDX_MODEL_MAX_DRAM_GIB);
	if (c->keyids < 2 || c->keyids > TDX_MODEL_MAX_KEYIDS - 1)
		return coco_err(-EINVAL, "TDX platform model: %u TDX KeyIDs requested "
				"(COCO_TDX_MODEL_KEYIDS); 2 (the global one and one TD) to %u are "
				"possible", c->keyids, TDX_MODEL_MAX_KEYIDS - 1);
	return 0;
}

/* The model's CPUID configuration leaves and what the platform can virtualise in each. */
static const struct {
	uint32_t leaf, subleaf;
	uint32_t native[4];
} model_cpuid[TDX_MODEL_NUM_CPUID_CONFIG] = {
	{ 0x1, 0xFFFFFFFF, { 0x000806F8, 0x00000000, 0x7FFEFBFF, 0xBFEBFBFF } },
	{ 0x7, 0x0, { 0x00000000, 0xF3BFB7EF, 0x1B415F6E, 0xFFDC4432 } },
	{ 0x7, 0x1, { 0x00001C30, 0x00000000, 0x00000000, 0x00000000 } },
	{ 0xD, 0x0, { 0x000602E7, 0x00000000, 0x00002B00, 0x00000000 } },
	{ 0xD, 0x1, { 0x0000001F, 0x00000000, 0x00001800, 0x00000000 } },
	{ 0x14, 0x0, { 0x00000001, 0x0000005F, 0x00000007, 0x00000000 } },
	{ 0x19, 0xFFFFFFFF, { 0x00000001, 0x00000015, 0x00000001, 0x00000000 } },
	{ 0x1C, 0x0, { 0x4000000B, 0x00000007, 0x00000007, 0x00000000 } },
	{ 0x1D, 0x0, { 0x00000001, 0x00000000, 0x00000000, 0x00000000 } },
	{ 0x80000001, 0xFFFFFFFF, { 0x00000000, 0x00000000, 0x00000121, 0x2C100800 } },
	{ 0x80000007, 0xFFFFFFFF, { 0x00000000, 0x00000000, 0x00000000, 0x00000100 } },
	{ 0x80000008, 0xFFFFFFFF, { 0x0000302E, 0x00000200, 0x00000000, 0x00000000 } },
};

static int init_state(struct coco_model_platform *p, void *vendor, void *arg)
{
	const struct tdx_module_config *c = arg;
	struct tdx_model_state *st = vendor;
	uint32_t space = c->keyids < 64 ? 64 : c->keyids < 128 ? 128 : 256;
	static const char seam_id[] = "cocohost TDX module model 1.5.06";

	st->npackages = c->packages;
	st->lps_per_package = c->lps_per_package;
	st->nlps = c->packages * c->lps_per_package;
	st->max_pa = 52 - (space == 64 ? 6 : space == 128 ? 7 : 8);
	st->hkid_min = space - c->keyids;
	st->hkid_max = space - 1;
	st->tdmr_init_pages = c->tdmr_init_pages;
	st->cachewb_sub_blocks = c->cachewb_sub_blocks;
	st->cachewb_blocks_per_call = c->cachewb_blocks_per_call;
	st->dram_base = p->dram_base;
	st->dram_pages = p->dram_size / MODEL_PAGE;
	if (c->low_cmr)
		st->cmr[st->ncmrs++] = (struct tdx_model_cmr){ 1ull << 20, (2ull << 30) - (1ull << 20) };
	st->cmr[st->ncmrs++] = (struct tdx_model_cmr){ p->dram_base, p->dram_size };
	/* Identity of the model's module: MRSEAM is a digest of "its binary". */
	if (coco_sha384(seam_id, sizeof(seam_id) - 1, st->mrseam))
		return coco_err(-EIO, "TDX platform model: SHA-384 unavailable");
	st->tee_tcb_svn[0] = 3;		/* module SVN */
	st->tee_tcb_svn[2] = 6;		/* minor version (1.5.06-like) */
	memset(st->cpusvn, 0x0B, sizeof(st->cpusvn));
	if (RAND_bytes(st->report_key, sizeof(st->report_key)) != 1)
		return coco_err(-EIO, "TDX platform model: no randomness for the report key");
	for (unsigned int i = 0; i < TDX_MODEL_NUM_CPUID_CONFIG; i++) {
		st->cpuid_leaf[i] = model_cpuid[i].leaf;
		st->cpuid_subleaf[i] = model_cpuid[i].subleaf;
		memcpy(st->cpuid_native[i], model_cpuid[i].native, sizeof(st->cpuid_native[i]));
	}
	st->sept_index_offset = st->dram_pages * sizeof(struct tdx_model_pamt_entry);
	st->sept_index_slots = st->dram_pages * TDX_MODEL_SEPT_SLOTS_PER_PAGE;
	st->sys_state = TDX_SYSINIT_PENDING;
	for (unsigned int i = 0; i < TDX_MODEL_MAX_VCPU_RECORDS; i++)
		st->vcpu[i].assoc_lp = -1;
	/* The model QE's keys are made when the first quote needs them (tdx_module_qe_get). */
	st->qe_private = p->path == NULL;
	return coco_model_platform_mutex_init(&st->host.lock, "TDX platform model");
}

/*
 * An existing platform file: every size and index the leaves trust without
 * checking again must be in range (the generic header is checked already).
 */
static int validate_state(struct coco_model_platform *p, void *vendor, void *arg)
{
	const struct tdx_model_state *st = vendor;
	uint64_t pages = p->dram_size / MODEL_PAGE;
	bool ok;

	(void)arg;
	ok = st->npackages >= 1 && st->npackages <= TDX_MODEL_MAX_PKGS && st->lps_per_package >= 1 &&
	     st->nlps == st->npackages * st->lps_per_package && st->nlps <= TDX_MODEL_MAX_LPS &&
	     st->max_pa >= 44 && st->max_pa <= 46 && st->hkid_min <= st->hkid_max &&
	     st->hkid_max < TDX_MODEL_MAX_KEYIDS && st->hkid_max < (1u << (52 - st->max_pa)) &&
	     st->dram_base == p->dram_base && st->dram_pages == pages &&
	     st->ncmrs >= 1 && st->ncmrs <= TDX_MODEL_MAX_CMRS &&
	     st->sept_index_offset == pages * sizeof(struct tdx_model_pamt_entry) &&
	     st->sept_index_slots == pages * TDX_MODEL_SEPT_SLOTS_PER_PAGE &&
	     st->sys_state <= TDX_SYS_SHUTDOWN_STATE && st->num_tdmrs <= TDX_MODEL_MAX_TDMRS &&
	     st->global_hkid < TDX_MODEL_MAX_KEYIDS && st->qe_len <= sizeof(st->qe_blob) &&
	     st->host.nr_tdmrs <= TDX_HOST_MAX_TDMRS &&
	     st->host.module_status <= TDX_HOST_MODULE_ERROR;
	for (uint32_t i = 0; ok && i < st->num_tdmrs; i++)
		ok = st->tdmr[i].nr_rsvd <= TDX_MODEL_MAX_RSVD;
	for (uint32_t i = 0; ok && i < TDX_MODEL_MAX_TDS; i++)
		ok = !st->td[i].tdr_pa || (st->td[i].hkid < TDX_MODEL_MAX_KEYIDS &&
					   st->td[i].num_tdcx <= TDX_MODEL_TDCS_PAGES);
	for (uint32_t i = 0; ok && i < TDX_MODEL_MAX_VCPU_RECORDS; i++)
		ok = st->vcpu[i].state == TDX_VCPU_FREE ||
		     (st->vcpu[i].td_slot < TDX_MODEL_MAX_TDS &&
		      st->vcpu[i].num_tdcx < TDX_MODEL_TDVPS_PAGES &&
		      st->vcpu[i].assoc_lp < (int32_t)st->nlps);
	if (!ok)
		return coco_err(-EPROTO, "TDX platform model: '%s' is damaged (sizes or indexes out "
				"of range); stop the VMs using it and remove it to start a new "
				"platform", p->path);
	return 0;
}

int tdx_module_open(const struct tdx_module_config *config, struct tdx_module **out)
{
	struct tdx_module_config c;
	struct tdx_module *m;
	struct coco_model_platform_spec spec = {
		.name = "TDX platform model",
		.magic = TDX_MODEL_MAGIC,
		.layout_version = TDX_MODEL_LAYOUT_VERSION,
		.vendor_size = sizeof(struct tdx_model_state),
		.table_entry_size = TDX_MODEL_TABLE_ENTRY_SIZE,
		.dram_base = TDX_MODEL_DRAM_BASE,
		.max_dram_size = (uint64_t)TDX_MODEL_MAX_DRAM_GIB << 30,
		.chunk_size = TDX_MODEL_CHUNK_SIZE,
		.dram_setting = "COCO_TDX_MODEL_DRAM_GIB",
		.init = init_state,
		.validate = validate_state,
		.arg = &c,
	};
	uint8_t *tables;
	int ret = resolve_config(config, &c);

	if (ret)
		return ret;
	spec.dram_size = (uint64_t)c.dram_gib << 30;
	m = calloc(1, sizeof(*m));
	if (!m)
		return coco_err(-ENOMEM, "TDX platform model: out of memory");
	ret = coco_model_platform_open(c.path, &spec, &m->plat);
	if (ret) {
		free(m);
		return ret;
	}
	m->st = coco_model_platform_vendor(m->plat);
	tables = coco_model_platform_tables(m->plat, NULL);
	m->pamt = (struct tdx_model_pamt_entry *)tables;
	m->sept_index = (uint32_t *)(tables + m->st->sept_index_offset);
	*out = m;
	return 0;
}

void tdx_module_close(struct tdx_module *m)
{
	if (!m)
		return;
	for (unsigned int i = 0; i < TDX_MODEL_MRTD_CTXS; i++)
		tdx_mrtd_free(m->mrtd[i].ctx);
	tdx_qe_model_free(m->qe);
	coco_model_platform_close(m->plat);
	free(m);
}

struct coco_model_platform *tdx_module_platform(struct tdx_module *m)
{
	return m->plat;
}

enum tdx_sys_state tdx_module_sys_state(struct tdx_module *m)
{
	enum tdx_sys_state state;

	coco_model_platform_lock(m->plat);
	state = (enum tdx_sys_state)m->st->sys_state;
	coco_model_platform_unlock(m->plat);
	return state;
}

void tdx_module_topology(struct tdx_module *m, unsigned int *packages,
			 unsigned int *lps_per_package)
{
	*packages = m->st->npackages;
	*lps_per_package = m->st->lps_per_package;
}

unsigned int tdx_module_lp_package(struct tdx_module *m, unsigned int lp)
{
	return lp / m->st->lps_per_package;
}

void tdx_module_keyids(struct tdx_module *m, uint32_t *first, uint32_t *count, unsigned int *max_pa)
{
	*first = m->st->hkid_min;
	*count = m->st->hkid_max - m->st->hkid_min + 1;
	*max_pa = m->st->max_pa;
}

void tdx_module_identity(struct tdx_module *m, uint8_t mrseam[48], uint8_t tee_tcb_svn[16])
{
	memcpy(mrseam, m->st->mrseam, 48);
	memcpy(tee_tcb_svn, m->st->tee_tcb_svn, 16);
}

const char *tdx_module_last_detail(struct tdx_module *m)
{
	return m->detail;
}

/* ------------------------------------------------------------------ */
/* TDH.SYS.INIT, TDH.SYS.LP.INIT                                        */

static uint64_t sys_init(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;

	if (st->sys_state != TDX_SYSINIT_PENDING)
		return tdx_model_fail(m, TDX_SYS_INIT_NOT_PENDING,
				      "TDH.SYS.INIT ran already (the module is initialised once "
				      "per boot)");
	if (a->rcx)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RCX),
				      "module attributes 0x%llx: every bit is reserved",
				      (unsigned long long)a->rcx);
	st->sys_state = TDX_SYSINIT_DONE;
	return TDX_SUCCESS;
}

static uint64_t sys_lp_init(struct tdx_module *m, unsigned int lp)
{
	struct tdx_model_state *st = m->st;

	if (st->sys_state != TDX_SYSINIT_DONE)
		return tdx_model_fail(m, TDX_SYS_LP_INIT_NOT_PENDING,
				      "TDH.SYS.LP.INIT needs the module in SYSINIT_DONE (state %u)",
				      st->sys_state);
	if (st->lp_init[lp])
		return tdx_model_fail(m, TDX_SYS_LP_INIT_DONE, "LP %u is initialised already", lp);
	st->lp_init[lp] = 1;
	st->num_init_lps++;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Global metadata: TDH.SYS.RD, TDH.SYS.RDALL                           */

/* The @i-th readable field (ascending enumeration order); false past the end. */
static bool md_field(const struct tdx_model_state *st, unsigned int i, uint64_t *id, uint64_t *value)
{
	const struct {
		uint64_t id, value;
	} fixed[] = {
		{ TDX_MD_MINOR_VERSION, 5 },
		{ TDX_MD_MAJOR_VERSION, 1 },
		{ TDX_MD_UPDATE_VERSION, 6 },
		{ TDX_MD_VENDOR_ID, 0x8086 },
		{ TDX_MD_TDX_FEATURES0, TDX_FEATURES0_NO_RBP_MOD | TDX_FEATURES0_TOPOLOGY_ENUM },
		{ TDX_MD_ATTRIBUTES_FIXED0, TDX_MODEL_ATTRIBUTES_FIXED0 },
		{ TDX_MD_ATTRIBUTES_FIXED1, TDX_MODEL_ATTRIBUTES_FIXED1 },
		{ TDX_MD_XFAM_FIXED0, TDX_MODEL_XFAM_FIXED0 },
		{ TDX_MD_XFAM_FIXED1, TDX_MODEL_XFAM_FIXED1 },
		{ TDX_MD_NUM_CMRS, st->ncmrs },
		{ TDX_MD_MAX_TDMRS, TDX_MODEL_MAX_TDMRS },
		{ TDX_MD_MAX_RESERVED_PER_TDMR, TDX_MODEL_MAX_RSVD },
		{ TDX_MD_PAMT_4K_ENTRY_SIZE, 16 },
		{ TDX_MD_PAMT_2M_ENTRY_SIZE, 16 },
		{ TDX_MD_PAMT_1G_ENTRY_SIZE, 16 },
		{ TDX_MD_TDR_BASE_SIZE, MODEL_PAGE },
		{ TDX_MD_TDCS_BASE_SIZE, TDX_MODEL_TDCS_PAGES * MODEL_PAGE },
		{ TDX_MD_TDVPS_BASE_SIZE, TDX_MODEL_TDVPS_PAGES * MODEL_PAGE },
		{ TDX_MD_NUM_CPUID_CONFIG, TDX_MODEL_NUM_CPUID_CONFIG },
		{ TDX_MD_MAX_VCPUS_PER_TD, TDX_MODEL_MAX_VCPUS_PER_TD },
	};
	unsigned int n = COCO_ARRAY_SIZE(fixed);

	if (i < n) {
		*id = fixed[i].id;
		*value = fixed[i].value;
		return true;
	}
	i -= n;
	if (i < 2 * st->ncmrs) {
		const struct tdx_model_cmr *c = &st->cmr[i / 2];
		*id = i % 2 ? TDX_MD_CMR_SIZE(i / 2) : TDX_MD_CMR_BASE(i / 2);
		*value = i % 2 ? c->size : c->base;
		return true;
	}
	i -= 2 * st->ncmrs;
	if (i < 3 * TDX_MODEL_NUM_CPUID_CONFIG) {
		unsigned int leaf = i / 3, part = i % 3;
		const uint32_t *v = st->cpuid_native[leaf];
		if (part == 0) {
			*id = TDX_MD_CPUID_CONFIG_LEAVES(leaf);
			*value = st->cpuid_leaf[leaf] | (uint64_t)st->cpuid_subleaf[leaf] << 32;
		} else {
			*id = TDX_MD_CPUID_CONFIG_VALUES(leaf, part - 1);
			*value = part == 1 ? (v[0] | (uint64_t)v[1] << 32) : (v[2] | (uint64_t)v[3] << 32);
		}
		return true;
	}
	return false;
}

static bool md_find(const struct tdx_model_state *st, uint64_t id, unsigned int *index,
		    uint64_t *value)
{
	uint64_t fid, v;

	for (unsigned int i = 0; md_field(st, i, &fid, &v); i++)
		if (fid == id) {
			*index = i;
			*value = v;
			return true;
		}
	return false;
}

static uint64_t sys_rd(struct tdx_module *m, struct tdx_module_args *a)
{
	uint64_t value, next_id, next_value;
	unsigned int i;

	if (!md_find(m->st, a->rdx, &i, &value)) {
		uint64_t id = a->rdx;
		a->r8 = 0;
		a->rdx = 0;
		return tdx_model_fail(m, TDX_METADATA_FIELD_ID_INCORRECT,
				      "global metadata field 0x%016llx does not exist in this module",
				      (unsigned long long)id);
	}
	a->r8 = value;
	a->rdx = md_field(m->st, i + 1, &next_id, &next_value) ? next_id : ~0ull;
	return TDX_SUCCESS;
}

/*
 * RDALL writes a metadata list into the 4 KiB page at RDX: an 8-byte header
 * {u16 bytes used, u16 number of sequences, u32 0} and then one sequence per
 * field, {u64 field id, u64 value} (the model uses single-element
 * sequences), from field R8 (0 or -1: the first) on, as many as fit.  R8
 * returns the next field id, -1 when the list is complete.
 */
static uint64_t sys_rdall(struct tdx_module *m, struct tdx_module_args *a)
{
	uint64_t id, value, next_id;
	unsigned int i = 0, count = 0;
	uint8_t *page;

	if (!tdx_model_pa_ok(m->st, a->rdx, MODEL_PAGE) ||
	    !(page = tdx_model_mem(m, a->rdx, MODEL_PAGE)))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RDX),
				      "list page 0x%llx is not an aligned shared page this process "
				      "backs", (unsigned long long)a->rdx);
	if (a->r8 && a->r8 != ~0ull && !md_find(m->st, a->r8, &i, &value))
		return tdx_model_fail(m, TDX_METADATA_FIELD_ID_INCORRECT,
				      "first field 0x%016llx does not exist", (unsigned long long)a->r8);
	memset(page, 0, MODEL_PAGE);
	while (8 + 16 * (count + 1) <= MODEL_PAGE && md_field(m->st, i, &id, &value)) {
		coco_put_le64(page + 8 + 16 * count, id);
		coco_put_le64(page + 16 + 16 * count, value);
		count++;
		i++;
	}
	coco_put_le16(page, (uint16_t)(8 + 16 * count));
	coco_put_le16(page + 2, (uint16_t)count);
	a->r8 = md_field(m->st, i, &next_id, &value) ? next_id : ~0ull;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* TDH.SYS.CONFIG (checks in the order of the module's tdh_sys_config.c) */

#define TDMR_INFO_BYTES tdx_tdmr_info_bytes(TDX_MODEL_MAX_RSVD)
#define TDMR_INFO_ALIGN TDX_TDMR_INFO_ALIGNMENT
static const uint64_t pamt_page_size[3] = { MODEL_PAGE, MODEL_2M, MODEL_1G };
static const char *const pamt_name[3] = { "PAMT_4K", "PAMT_2M", "PAMT_1G" };

static bool overlap(uint64_t b1, uint64_t s1, uint64_t b2, uint64_t s2)
{
	return s1 && s2 && b1 < b2 + s2 && b2 < b1 + s1;
}

/* [start, end) inside the CMRs; adjacent CMRs count as one. */
static bool in_cmrs(const struct tdx_model_state *st, uint64_t start, uint64_t end)
{
	uint64_t last_start = 0, last_end = 0;

	for (uint32_t i = 0; i < st->ncmrs; i++) {
		uint64_t s = st->cmr[i].base, e = st->cmr[i].base + st->cmr[i].size;
		if (!st->cmr[i].size)
			continue;
		if (s == last_end)
			s = last_start;
		if (start >= s && end <= e)
			return true;
		last_start = s;
		last_end = e;
	}
	return false;
}

/*
 * Walk the available (non-reserved) parts of @t: @fn is called for each
 * [start, end); a true return stops the walk with true.
 */
static bool for_each_available(const struct tdx_model_tdmr *t,
			       bool (*fn)(const void *ctx, uint64_t start, uint64_t end),
			       const void *ctx)
{
	uint64_t avail = t->base, end = t->base + t->size;

	for (uint32_t j = 0; j < TDX_MODEL_MAX_RSVD && t->rsvd[j].size; j++) {
		uint64_t rs = t->base + t->rsvd[j].offset;
		if (rs > avail && fn(ctx, avail, rs))
			return true;
		if (rs + t->rsvd[j].size > avail)
			avail = rs + t->rsvd[j].size;
	}
	return avail < end && fn(ctx, avail, end);
}

struct range {
	uint64_t base, size;
};

static bool range_overlaps(const void *ctx, uint64_t start, uint64_t end)
{
	const struct range *r = ctx;

	return overlap(r->base, r->size, start, end - start);
}

static bool outside_cmr(const void *ctx, uint64_t start, uint64_t end)
{
	return !in_cmrs(ctx, start, end);
}

/* The TDMR_INFO the host sent, as the module keeps it (every slot kept for the checks). */
static void decode_tdmr_info(const uint8_t *in, struct tdx_model_tdmr *t)
{
	struct tdx_reserved_area rsvd[TDX_MODEL_MAX_RSVD];
	struct tdx_tdmr d;

	/* Cannot fail: the caller maps TDMR_INFO_BYTES for @in. */
	tdx_tdmr_info_decode(in, TDMR_INFO_BYTES, TDX_MODEL_MAX_RSVD, &d, rsvd);
	t->base = d.base;
	t->size = d.size;
	memcpy(t->pamt_base, d.pamt_base, sizeof(t->pamt_base));
	memcpy(t->pamt_size, d.pamt_size, sizeof(t->pamt_size));
	t->nr_rsvd = d.nr_reserved;
	for (unsigned int j = 0; j < TDX_MODEL_MAX_RSVD; j++) {
		t->rsvd[j].offset = rsvd[j].offset;
		t->rsvd[j].size = rsvd[j].size;
	}
	t->last_initialized = t->base;
}

static uint64_t tdmr_fail(struct tdx_module *m, uint64_t code, uint32_t i, uint32_t b1, uint32_t b2,
			  const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static uint64_t tdmr_fail(struct tdx_module *m, uint64_t code, uint32_t i, uint32_t b1, uint32_t b2,
			  const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(m->detail, sizeof(m->detail), "TDMR %u: ", i);
	va_start(ap, fmt);
	vsnprintf(m->detail + n, sizeof(m->detail) - (size_t)n, fmt, ap);
	va_end(ap);
	return tdx_status_with_info(code, (uint8_t)i, (uint8_t)b1, (uint8_t)b2, 0);
}

static uint64_t check_reserved_areas(struct tdx_module *m, const struct tdx_model_tdmr *t, uint32_t i)
{
	for (uint32_t j = 0; j < TDX_MODEL_MAX_RSVD; j++) {
		uint64_t off = t->rsvd[j].offset, size = t->rsvd[j].size, rs;

		if (!size) {
			if (j + 1 < TDX_MODEL_MAX_RSVD && t->rsvd[j + 1].size)
				return tdmr_fail(m, TDX_NON_ORDERED_RESERVED_IN_TDMR, i, j, 0,
						 "reserved area %u is empty but area %u is not (an "
						 "empty area ends the list)", j, j + 1);
			continue;
		}
		if (off + size < off)
			return tdmr_fail(m, TDX_INVALID_RESERVED_IN_TDMR, i, j, 0,
					 "reserved area %u wraps around", j);
		if (j > 0 && off < t->rsvd[j - 1].offset)
			return tdmr_fail(m, TDX_NON_ORDERED_RESERVED_IN_TDMR, i, j, 0,
					 "reserved area %u (offset 0x%llx) is below area %u", j,
					 (unsigned long long)off, j - 1);
		if (j > 0 && off < t->rsvd[j - 1].offset + t->rsvd[j - 1].size)
			return tdmr_fail(m, TDX_NON_ORDERED_RESERVED_IN_TDMR, i, j, 0,
					 "reserved area %u overlaps area %u", j, j - 1);
		if ((off | size) & (MODEL_PAGE - 1))
			return tdmr_fail(m, TDX_INVALID_RESERVED_IN_TDMR, i, j, 0,
					 "reserved area %u (offset 0x%llx, size 0x%llx) is not 4 KiB "
					 "aligned", j, (unsigned long long)off,
					 (unsigned long long)size);
		rs = t->base + off;
		if (rs < t->base || rs + size < rs || rs + size > t->base + t->size)
			return tdmr_fail(m, TDX_INVALID_RESERVED_IN_TDMR, i, j, 0,
					 "reserved area %u is not inside the TDMR", j);
	}
	return TDX_SUCCESS;
}

static bool pamt_ok(const struct tdx_model_state *st, uint64_t base, uint64_t size,
		    uint64_t page_size, uint64_t tdmr_size)
{
	if (base + size < base)
		return false;
	if ((base | size) & (MODEL_PAGE - 1))
		return false;
	if (!tdx_model_pa_ok(st, base, 1) || (size && !tdx_model_pa_ok(st, base + size - 1, 1)))
		return false;
	return size >= tdmr_size / page_size * 16;
}

static uint64_t check_pamts(struct tdx_module *m, const struct tdx_model_tdmr *tdmr, uint32_t i)
{
	const struct tdx_model_tdmr *t = &tdmr[i];
	static const int order[3] = { 2, 1, 0 };	/* the module checks 1G, 2M, then 4K */

	for (int k = 0; k < 3; k++) {
		int ps = order[k];
		if (!pamt_ok(m->st, t->pamt_base[ps], t->pamt_size[ps], pamt_page_size[ps], t->size))
			return tdmr_fail(m, TDX_INVALID_PAMT, i, (uint32_t)ps, 0,
					 "%s at 0x%llx, 0x%llx bytes: not 4 KiB aligned, beyond "
					 "MAXPA, or smaller than the 0x%llx bytes the TDMR needs",
					 pamt_name[ps], (unsigned long long)t->pamt_base[ps],
					 (unsigned long long)t->pamt_size[ps],
					 (unsigned long long)(t->size / pamt_page_size[ps] * 16));
	}
	/* No PAMT overlaps another PAMT (earlier TDMRs', then its own others). */
	for (uint32_t j = 0; j < i; j++)
		for (int ps = 0; ps < 3; ps++)
			for (int qs = 0; qs < 3; qs++)
				if (overlap(t->pamt_base[ps], t->pamt_size[ps], tdmr[j].pamt_base[qs],
					    tdmr[j].pamt_size[qs]))
					return tdmr_fail(m, TDX_PAMT_OVERLAP, i, (uint32_t)ps, j,
							 "%s overlaps a PAMT of TDMR %u",
							 pamt_name[ps], j);
	if (overlap(t->pamt_base[0], t->pamt_size[0], t->pamt_base[1], t->pamt_size[1]) ||
	    overlap(t->pamt_base[0], t->pamt_size[0], t->pamt_base[2], t->pamt_size[2]))
		return tdmr_fail(m, TDX_PAMT_OVERLAP, i, 0, i, "PAMT_4K overlaps its PAMT_2M/1G");
	if (overlap(t->pamt_base[1], t->pamt_size[1], t->pamt_base[2], t->pamt_size[2]))
		return tdmr_fail(m, TDX_PAMT_OVERLAP, i, 1, i, "PAMT_2M overlaps its PAMT_1G");
	/* PAMTs may sit only in reserved parts of TDMRs. */
	for (uint32_t j = 0; j <= i; j++) {
		for (int ps = 0; ps < 3; ps++) {
			struct range r = { t->pamt_base[ps], t->pamt_size[ps] };
			if (for_each_available(&tdmr[j], range_overlaps, &r))
				return tdmr_fail(m, TDX_PAMT_OVERLAP, i, (uint32_t)ps, j,
						 "%s overlaps memory TDMR %u makes available "
						 "(PAMTs must sit in reserved areas)", pamt_name[ps], j);
		}
		if (j < i)
			for (int ps = 0; ps < 3; ps++) {
				struct range r = { tdmr[j].pamt_base[ps], tdmr[j].pamt_size[ps] };
				if (for_each_available(t, range_overlaps, &r))
					return tdmr_fail(m, TDX_PAMT_OVERLAP, j, (uint32_t)ps, i,
							 "%s overlaps memory TDMR %u makes "
							 "available", pamt_name[ps], i);
			}
	}
	for (int k = 0; k < 3; k++) {
		int ps = order[k];
		if (!in_cmrs(m->st, t->pamt_base[ps], t->pamt_base[ps] + t->pamt_size[ps]))
			return tdmr_fail(m, TDX_PAMT_OUTSIDE_CMRS, i, (uint32_t)ps, 0,
					 "%s [0x%llx, 0x%llx) is not inside a CMR", pamt_name[ps],
					 (unsigned long long)t->pamt_base[ps],
					 (unsigned long long)(t->pamt_base[ps] + t->pamt_size[ps]));
	}
	return TDX_SUCCESS;
}

static uint64_t check_tdmr(struct tdx_module *m, const struct tdx_model_tdmr *tdmr, uint32_t i)
{
	const struct tdx_model_tdmr *t = &tdmr[i];
	uint64_t status;

	if (t->base + t->size < t->base)
		return tdmr_fail(m, TDX_INVALID_TDMR, i, 0, 0, "base + size wraps around");
	if (i > 0 && t->base < tdmr[i - 1].base)
		return tdmr_fail(m, TDX_NON_ORDERED_TDMR, i, 0, 0,
				 "base 0x%llx is below TDMR %u's (TDMRs must be sorted)",
				 (unsigned long long)t->base, i - 1);
	if (i > 0 && t->base < tdmr[i - 1].base + tdmr[i - 1].size)
		return tdmr_fail(m, TDX_NON_ORDERED_TDMR, i, 0, 0, "overlaps TDMR %u", i - 1);
	if ((t->base | t->size) & (MODEL_1G - 1) || !t->size)
		return tdmr_fail(m, TDX_INVALID_TDMR, i, 0, 0,
				 "base 0x%llx / size 0x%llx are not 1 GiB granular (or size 0)",
				 (unsigned long long)t->base, (unsigned long long)t->size);
	if (!tdx_model_pa_ok(m->st, t->base, 1) || !tdx_model_pa_ok(m->st, t->base + t->size - 1, 1))
		return tdmr_fail(m, TDX_INVALID_TDMR, i, 0, 0,
				 "reaches beyond MAXPA (2^%u) or into the KeyID bits", m->st->max_pa);
	status = check_reserved_areas(m, t, i);
	if (status == TDX_SUCCESS)
		status = check_pamts(m, tdmr, i);
	if (status == TDX_SUCCESS && for_each_available(t, outside_cmr, m->st))
		status = tdmr_fail(m, TDX_TDMR_OUTSIDE_CMRS, i, 0, 0,
				   "a non-reserved part is not convertible memory (outside the "
				   "CMRs); cover it with a reserved area");
	return status;
}

static uint64_t sys_config(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_tdmr tdmr[TDX_MODEL_MAX_TDMRS];
	uint64_t ntdmrs = a->rdx, hkid = a->r8 & 0xFFFF;
	const uint8_t *array;
	uint64_t status;

	if (st->sys_state != TDX_SYSINIT_DONE)
		return tdx_model_fail(m, TDX_SYS_CONFIG_NOT_PENDING,
				      "TDH.SYS.CONFIG needs the module in SYSINIT_DONE (state %u); "
				      "it configures the module once", st->sys_state);
	if (st->num_init_lps < st->nlps)
		return tdx_model_fail(m, TDX_SYS_CONFIG_NOT_PENDING,
				      "only %u of %u logical processors ran TDH.SYS.LP.INIT",
				      st->num_init_lps, st->nlps);
	if (!tdx_model_pa_ok(st, a->rcx, TDMR_INFO_ALIGN))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RCX),
				      "TDMR_INFO pointer array 0x%llx is not a 512-byte aligned "
				      "shared address", (unsigned long long)a->rcx);
	if (ntdmrs > TDX_MODEL_MAX_TDMRS || ntdmrs < 1)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RDX),
				      "%llu TDMRs: 1 to %u are possible", (unsigned long long)ntdmrs,
				      TDX_MODEL_MAX_TDMRS);
	if ((a->r8 >> 16) || hkid < st->hkid_min || hkid > st->hkid_max)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_R8),
				      "global KeyID %llu is not a private KeyID [%u, %u]",
				      (unsigned long long)a->r8, st->hkid_min, st->hkid_max);
	/* As the module: the KeyID is reserved before the TDMRs are checked. */
	st->kot[hkid].state = TDX_KOT_HKID_RESERVED;
	st->global_hkid = (uint32_t)hkid;

	array = tdx_model_mem(m, a->rcx, ntdmrs * 8);
	if (!array)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RCX),
				      "TDMR_INFO pointer array 0x%llx is not memory this process "
				      "backs", (unsigned long long)a->rcx);
	memset(tdmr, 0, sizeof(tdmr));
	for (uint32_t i = 0; i < ntdmrs; i++) {
		uint64_t pa = coco_le64(array + 8 * i);
		const uint8_t *info;

		if (!tdx_model_pa_ok(st, pa, TDMR_INFO_ALIGN) ||
		    !(info = tdx_model_mem(m, pa, TDMR_INFO_BYTES)))
			return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
									 TDX_OPERAND_ID_RCX),
					      "TDMR_INFO %u at 0x%llx is not a 512-byte aligned "
					      "shared address this process backs", i,
					      (unsigned long long)pa);
		decode_tdmr_info(info, &tdmr[i]);
		status = check_tdmr(m, tdmr, i);
		if (status != TDX_SUCCESS)
			return status;
	}
	memcpy(st->tdmr, tdmr, sizeof(tdmr));
	st->num_tdmrs = (uint32_t)ntdmrs;
	st->pkg_config_bitmap = 0;
	st->sys_state = TDX_SYSCONFIG_DONE;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* TDH.SYS.KEY.CONFIG, TDH.SYS.TDMR.INIT                                */

static uint64_t sys_key_config(struct tdx_module *m, unsigned int lp)
{
	struct tdx_model_state *st = m->st;
	uint32_t pkg = lp / st->lps_per_package, all = (1u << st->npackages) - 1;

	if (st->sys_state != TDX_SYSCONFIG_DONE)
		return tdx_model_fail(m, TDX_SYS_KEY_CONFIG_NOT_PENDING,
				      "TDH.SYS.KEY.CONFIG needs the module in SYSCONFIG_DONE "
				      "(state %u)", st->sys_state);
	if (st->pkg_config_bitmap & (1u << pkg))
		return tdx_model_fail(m, TDX_KEY_CONFIGURED,
				      "package %u's global key is configured already", pkg);
	st->pkg_config_bitmap |= 1u << pkg;
	if (st->pkg_config_bitmap == all)
		st->sys_state = TDX_SYS_READY;
	return TDX_SUCCESS;
}

static uint64_t sys_tdmr_init(struct tdx_module *m, struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	struct tdx_model_tdmr *t = NULL;

	a->rdx = 0;
	if (!tdx_model_pa_ok(st, a->rcx, MODEL_1G))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RCX),
				      "TDMR base 0x%llx is not 1 GiB aligned below MAXPA",
				      (unsigned long long)a->rcx);
	for (uint32_t i = 0; i < st->num_tdmrs && !t; i++)
		if (st->tdmr[i].base == a->rcx)
			t = &st->tdmr[i];
	if (!t)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RCX),
				      "0x%llx is not the base of a configured TDMR",
				      (unsigned long long)a->rcx);
	if (t->last_initialized >= t->base + t->size)
		return TDX_TDMR_ALREADY_INITIALIZED;
	/* One bounded chunk of PAMT_4K entries per call (pages are PT_NDA until used). */
	t->last_initialized += (uint64_t)st->tdmr_init_pages * MODEL_PAGE;
	if (t->last_initialized > t->base + t->size)
		t->last_initialized = t->base + t->size;
	a->rdx = t->last_initialized & ~(MODEL_1G - 1);
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Dispatcher                                                           */

static bool allowed_before_ready(uint64_t leaf)
{
	switch (leaf) {
	case TDH_SYS_INFO:
	case TDH_SYS_RD:
	case TDH_SYS_RDALL:
	case TDH_SYS_INIT:
	case TDH_SYS_LP_INIT:
	case TDH_SYS_CONFIG:
	case TDH_SYS_KEY_CONFIG:
	case TDH_SYS_LP_SHUTDOWN:
	case TDH_SYS_UPDATE:
		return true;
	default:
		return false;
	}
}

static unsigned int max_version(uint64_t leaf)
{
	return leaf == TDH_MEM_SEPT_ADD || leaf == TDH_VP_INIT ? 1 : 0;
}

static uint64_t dispatch(struct tdx_module *m, unsigned int lp, uint64_t rax,
			 struct tdx_module_args *a)
{
	struct tdx_model_state *st = m->st;
	uint64_t leaf = rax & TDX_LEAF_MASK, version = (rax >> TDX_VERSION_SHIFT) & 0xFF;
	const char *name = tdx_seamcall_leaf_name(leaf);

	if ((rax >> 24) || version > max_version(leaf))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID,
								 TDX_OPERAND_ID_RAX),
				      "RAX 0x%llx: bits 63:24 must be 0 and %s takes version %u "
				      "at most", (unsigned long long)rax, name ? name : "this leaf",
				      max_version(leaf));
	if (st->sys_state == TDX_SYS_SHUTDOWN_STATE && leaf != TDH_SYS_LP_SHUTDOWN)
		return TDX_SYS_SHUTDOWN;
	if (!st->lp_init[lp] && leaf != TDH_SYS_INIT && leaf != TDH_SYS_LP_INIT &&
	    leaf != TDH_SYS_LP_SHUTDOWN)
		return tdx_model_fail(m, TDX_SYS_LP_INIT_NOT_DONE,
				      "logical processor %u has not run TDH.SYS.LP.INIT", lp);
	if (st->sys_state != TDX_SYS_READY && !allowed_before_ready(leaf))
		return tdx_model_fail(m, TDX_SYS_NOT_READY,
				      "%s needs an initialised module (state %u, not SYS_READY)",
				      name ? name : "the leaf", st->sys_state);
	switch (leaf) {
	case TDH_SYS_INIT:
		return sys_init(m, a);
	case TDH_SYS_LP_INIT:
		return sys_lp_init(m, lp);
	case TDH_SYS_RD:
		return sys_rd(m, a);
	case TDH_SYS_RDALL:
		return sys_rdall(m, a);
	case TDH_SYS_CONFIG:
		return sys_config(m, a);
	case TDH_SYS_KEY_CONFIG:
		return sys_key_config(m, lp);
	case TDH_SYS_TDMR_INIT:
		return sys_tdmr_init(m, a);
	case TDH_SYS_LP_SHUTDOWN:
		return TDX_SUCCESS;	/* a no-op in 1.5 */
	default:
		return tdx_model_td_leaf(m, lp, leaf, version, a);
	}
}

uint64_t tdx_module_seamcall(struct tdx_module *m, unsigned int lp, uint64_t rax,
			     struct tdx_module_args *a)
{
	uint64_t status;

	m->detail[0] = '\0';
	if (lp >= m->st->nlps)
		return tdx_model_fail(m, TDX_SEAMCALL_GP,
				      "logical processor %u does not exist (%u packages x %u)", lp,
				      m->st->npackages, m->st->lps_per_package);
	coco_model_platform_lock(m->plat);
	status = dispatch(m, lp, rax, a);
	coco_model_platform_unlock(m->plat);
	return status;
}

uint64_t tdx_module_seamcall_fn(void *ctx, unsigned int lp, uint64_t rax,
				struct tdx_module_args *args)
{
	return tdx_module_seamcall(ctx, lp, rax, args);
}

uint64_t tdx_module_tdcall(struct tdx_module *m, uint64_t tdvpr_pa, uint64_t rax,
			   struct tdx_module_args *a)
{
	uint64_t status;

	m->detail[0] = '\0';
	coco_model_platform_lock(m->plat);
	status = tdx_model_tdcall(m, tdvpr_pa, rax, a);
	coco_model_platform_unlock(m->plat);
	return status;
}

/* ------------------------------------------------------------------ */
/* Views for tests and tools                                            */

void tdx_module_page_info(struct tdx_module *m, uint64_t pa, struct tdx_module_page_info *out)
{
	struct tdx_model_pamt_entry *e;

	memset(out, 0, sizeof(*out));
	coco_model_platform_lock(m->plat);
	e = tdx_pamt_get(m, pa & ~(MODEL_PAGE - 1));
	if (e) {
		out->in_tdx_memory = true;
		out->type = tdx_pamt_type(m, pa & ~(MODEL_PAGE - 1), e);
		out->owner_tdr = tdx_pamt_owner_tdr(m, e);
		out->gpa = e->pt == TDX_PT_REG || e->pt == TDX_PT_EPT ? e->aux : 0;
	}
	coco_model_platform_unlock(m->plat);
}

#define BROKEN(...) (snprintf(why, why_len, __VA_ARGS__), false)

static bool check_locked(struct tdx_module *m, char *why, size_t why_len)
{
	struct tdx_model_state *st = m->st;
	uint64_t children[TDX_MODEL_MAX_TDS] = { 0 }, indexed = 0, tdrs = 0, live = 0;
	uint32_t vcpus[TDX_MODEL_MAX_TDS] = { 0 };

	if (st->sys_state > TDX_SYS_SHUTDOWN_STATE)
		return BROKEN("sys_state %u", st->sys_state);
	for (uint64_t i = 0; i < st->dram_pages; i++) {
		const struct tdx_model_pamt_entry *e = &m->pamt[i];
		uint64_t pa = st->dram_base + i * MODEL_PAGE;

		if (e->pt == TDX_PT_NDA) {
			if (e->owner_slot || e->aux || e->flags)
				return BROKEN("free page 0x%llx keeps an owner or mapping",
					      (unsigned long long)pa);
			continue;
		}
		if (!e->owner_slot || e->owner_slot > TDX_MODEL_MAX_TDS ||
		    !st->td[e->owner_slot - 1].tdr_pa)
			return BROKEN("page 0x%llx (%s) is owned by no live TD",
				      (unsigned long long)pa, tdx_page_type_name(e->pt));
		if (e->pt == TDX_PT_TDR) {
			if (st->td[e->owner_slot - 1].tdr_pa != pa)
				return BROKEN("TDR page 0x%llx is not its record's TDR",
					      (unsigned long long)pa);
			tdrs++;
			continue;
		}
		children[e->owner_slot - 1]++;
		if (e->pt == TDX_PT_REG || e->pt == TDX_PT_EPT) {
			unsigned int level = e->pt == TDX_PT_EPT ? e->level : 0;
			if (tdx_sept_lookup(m, e->owner_slot - 1, level, e->aux) != pa)
				return BROKEN("page 0x%llx (%s GPA 0x%llx) is not found in the SEPT "
					      "index", (unsigned long long)pa,
					      tdx_page_type_name(e->pt), (unsigned long long)e->aux);
			indexed++;
		}
		if (e->pt == TDX_PT_TDVPR) {
			if (e->aux >= TDX_MODEL_MAX_VCPU_RECORDS ||
			    st->vcpu[e->aux].tdvpr_pa != pa)
				return BROKEN("TDVPR 0x%llx has no vCPU record", (unsigned long long)pa);
			vcpus[e->owner_slot - 1]++;
		}
	}
	if (indexed != tdx_sept_count(m))
		return BROKEN("the SEPT index holds %llu entries, the PAMT %llu mapped pages",
			      (unsigned long long)tdx_sept_count(m), (unsigned long long)indexed);
	for (uint32_t s = 0; s < TDX_MODEL_MAX_TDS; s++) {
		const struct tdx_model_td *td = &st->td[s];
		if (!td->tdr_pa)
			continue;
		live++;
		if (td->chldcnt != children[s])
			return BROKEN("TD %u counts %llu child pages, the PAMT %llu", s,
				      (unsigned long long)td->chldcnt, (unsigned long long)children[s]);
		if (td->num_vcpus != vcpus[s])
			return BROKEN("TD %u counts %u vCPUs, the PAMT %u", s, td->num_vcpus, vcpus[s]);
		if (td->lifecycle < TDX_TD_TEARDOWN) {
			uint8_t want = td->lifecycle == TDX_TD_BLOCKED ? TDX_KOT_HKID_FLUSHED
								       : TDX_KOT_HKID_ASSIGNED;
			if (td->hkid >= TDX_MODEL_MAX_KEYIDS || st->kot[td->hkid].state != want)
				return BROKEN("TD %u (lifecycle %u) holds KeyID %u in KOT state %u",
					      s, td->lifecycle, td->hkid,
					      td->hkid < TDX_MODEL_MAX_KEYIDS ? st->kot[td->hkid].state : 0);
		}
	}
	if (live != tdrs)
		return BROKEN("%llu TD records but %llu TDR pages", (unsigned long long)live,
			      (unsigned long long)tdrs);
	/* Every assigned/flushed KeyID belongs to exactly one TD not torn down. */
	for (uint32_t h = 0; h < TDX_MODEL_MAX_KEYIDS; h++) {
		unsigned int holders = 0;
		uint8_t s = st->kot[h].state;
		if (s != TDX_KOT_HKID_ASSIGNED && s != TDX_KOT_HKID_FLUSHED)
			continue;
		for (uint32_t t = 0; t < TDX_MODEL_MAX_TDS; t++)
			holders += st->td[t].tdr_pa && st->td[t].hkid == h &&
				   st->td[t].lifecycle < TDX_TD_TEARDOWN;
		if (holders != 1)
			return BROKEN("KeyID %u is in KOT state %u with %u TDs holding it", h, s,
				      holders);
	}
	return true;
}

bool tdx_module_check_invariants(struct tdx_module *m, char *why, size_t why_len)
{
	bool ok;

	coco_model_platform_lock(m->plat);
	ok = check_locked(m, why, why_len);
	coco_model_platform_unlock(m->plat);
	return ok;
}

/* ------------------------------------------------------------------ */
/* The host's view of this platform                                     */

static uint64_t model_tdcall(void *ctx, uint64_t tdvpr_pa, uint64_t rax, struct tdx_module_args *a)
{
	return tdx_module_tdcall(ctx, tdvpr_pa, rax, a);
}

static const char *model_detail(void *ctx)
{
	return tdx_module_last_detail(ctx);
}

void tdx_host_env_model(struct tdx_module *m, struct tdx_host_env *env)
{
	*env = (struct tdx_host_env){
		.seamcall = tdx_module_seamcall_fn,
		.tdcall = model_tdcall,
		.detail = model_detail,
		.ctx = m,
		.packages = m->st->npackages,
		.lps_per_package = m->st->lps_per_package,
		.keyid_first = m->st->hkid_min,
		.keyid_count = m->st->hkid_max - m->st->hkid_min + 1,
		.keyid_shift = m->st->max_pa,
		.plat = m->plat,
		.shared = &m->st->host,
	};
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Inside the TDX module model: the shared state layout and the helpers the
 * module-model*.c files share.  Everything in struct tdx_model_state and
 * the tables is position independent (physical addresses and indexes).
 */
#ifndef COCO_TDX_MODULE_MODEL_INTERNAL_H
#define COCO_TDX_MODULE_MODEL_INTERNAL_H

#include <stdarg.h>

#include "tdx/module-model.h"
#include "tdx/mrtd.h"
#include "tdx/qe-model.h"
#include "tdx/tdx-host-shared.h"

#define MODEL_PAGE 4096ull
#define MODEL_2M (2ull << 20)
#define MODEL_1G (1ull << 30)
#define TDX_MODEL_MAGIC "COCOTDX\0"
#define TDX_MODEL_LAYOUT_VERSION 1u
#define TDX_MODEL_MRTD_CTXS 64u			/* per process: TDs being built at once */

struct tdx_model_tdmr {
	uint64_t base, size;
	uint64_t pamt_base[3], pamt_size[3];	/* [0] 4K, [1] 2M, [2] 1G */
	uint64_t last_initialized;		/* next-to-initialise address */
	uint32_t nr_rsvd;
	uint32_t reserved;
	struct {
		uint64_t offset, size;
	} rsvd[TDX_MODEL_MAX_RSVD];
};

struct tdx_model_kot_entry {
	uint8_t state;				/* enum tdx_kot_state */
	uint8_t reserved[3];
	uint32_t wbinvd_bitmap;			/* packages still to CACHE.WB */
};

struct tdx_model_wbt {
	uint64_t intr_point;			/* 0: no session to resume */
	uint8_t hkid_flushed[TDX_MODEL_MAX_KEYIDS];
};

/* A TD: its TDR and TDCS contents. */
struct tdx_model_td {
	uint64_t tdr_pa;			/* 0: record free */
	uint16_t hkid;
	uint8_t lifecycle;			/* enum tdx_td_lifecycle */
	uint8_t op_state;			/* enum tdx_td_op_state */
	uint8_t fatal;
	uint8_t reserved[3];
	uint32_t pkg_config_bitmap;		/* packages done with TDH.MNG.KEY.CONFIG */
	uint32_t num_tdcx;
	uint64_t tdcx_pa[TDX_MODEL_TDCS_PAGES];
	uint64_t chldcnt;			/* 4 KiB pages owned (not the TDR) */
	uint64_t attributes, xfam, eptp_controls, config_flags;
	uint32_t max_vcpus, num_vcpus, num_assoc_vcpus;
	uint16_t tsc_frequency;
	uint16_t reserved2;
	uint64_t td_epoch;			/* TLB epoch: TDH.MEM.TRACK */
	uint64_t mrtd_generation;		/* matches the builder's MRTD context */
	uint32_t cpuid_values[TDX_MODEL_NUM_CPUID_CONFIG][4];
	uint8_t mrtd[48];
	uint8_t mrconfigid[48], mrowner[48], mrownerconfig[48];
	uint8_t rtmr[4][48];
	uint8_t servtd_hash[48];
};

enum tdx_model_vcpu_state {
	TDX_VCPU_FREE = 0,
	TDX_VCPU_CREATED = 1,
	TDX_VCPU_INITIALIZED = 2,
};

/* A vCPU: its TDVPS. */
struct tdx_model_vcpu {
	uint64_t tdvpr_pa;
	uint32_t td_slot;
	uint8_t state;				/* enum tdx_model_vcpu_state */
	uint8_t num_tdcx;
	int16_t assoc_lp;			/* -1: not associated */
	uint32_t vcpu_index;
	uint32_t x2apic_id;
	uint64_t initial_rcx;
	uint64_t tdcx_pa[TDX_MODEL_TDVPS_PAGES - 1];
};

struct tdx_model_cmr {
	uint64_t base, size;
};

struct tdx_model_state {
	/* Platform and module identity */
	uint32_t npackages, lps_per_package, nlps;
	uint32_t max_pa;			/* KeyID bits start here */
	uint32_t hkid_min, hkid_max;		/* private KeyIDs, inclusive */
	uint32_t tdmr_init_pages;
	uint32_t cachewb_sub_blocks, cachewb_blocks_per_call;
	uint64_t dram_base, dram_pages;
	uint32_t ncmrs;
	uint32_t reserved0;
	struct tdx_model_cmr cmr[TDX_MODEL_MAX_CMRS];
	uint8_t mrseam[48];
	uint8_t tee_tcb_svn[16];
	uint8_t cpusvn[16];
	uint8_t report_key[32];
	uint32_t cpuid_leaf[TDX_MODEL_NUM_CPUID_CONFIG];	/* leaf | subleaf << 32 packed below */
	uint32_t cpuid_subleaf[TDX_MODEL_NUM_CPUID_CONFIG];
	uint32_t cpuid_native[TDX_MODEL_NUM_CPUID_CONFIG][4];
	uint64_t sept_index_offset;		/* in the tables, after the PAMT */
	uint64_t sept_index_slots;		/* TDX_MODEL_SEPT_SLOTS_PER_PAGE per page */

	/* Module state */
	uint32_t sys_state;			/* enum tdx_sys_state */
	uint32_t num_init_lps;
	uint8_t lp_init[TDX_MODEL_MAX_LPS];
	uint32_t global_hkid;
	uint32_t pkg_config_bitmap;		/* packages done with TDH.SYS.KEY.CONFIG */
	uint32_t num_tdmrs;
	uint32_t reserved1;
	struct tdx_model_tdmr tdmr[TDX_MODEL_MAX_TDMRS];
	struct tdx_model_kot_entry kot[TDX_MODEL_MAX_KEYIDS];
	struct tdx_model_wbt wbt[TDX_MODEL_MAX_PKGS];
	struct tdx_model_td td[TDX_MODEL_MAX_TDS];
	struct tdx_model_vcpu vcpu[TDX_MODEL_MAX_VCPU_RECORDS];

	/* The host kernel's bookkeeping (tdx-host.c), shared by the host's processes. */
	struct tdx_host_shared host;

	/*
	 * The model QE's keys and PCK chain (tdx_qe_model_save), made on first
	 * use so every process of the host quotes with the same chain; a
	 * private platform takes the process-wide one (tdx_module_qe_get).
	 */
	uint32_t qe_private;
	uint32_t qe_len;			/* 0: not made yet */
	uint8_t qe_blob[TDX_QE_MODEL_SAVED_MAX];
};

/* Secure-EPT leaf states (PT_REG pages). */
enum tdx_model_sept_state {
	TDX_SEPT_MAPPED = 1,
	TDX_SEPT_PENDING = 2,			/* TDH.MEM.PAGE.AUG'd, not yet accepted */
};

#define TDX_PAMT_FLAG_BLOCKED 0x1

/*
 * The model's PAMT entry, one per 4 KiB page of model memory.  A real entry
 * is 16 bytes (lock, type, owner, BEPOCH); the model also keeps what the
 * Secure EPT knows about the page, so that GPA lookups (the SEPT index)
 * need no page-table pages in shared memory.
 */
struct tdx_model_pamt_entry {
	uint8_t pt;				/* enum tdx_page_type (PT_RSVD is derived) */
	uint8_t level;				/* PT_EPT: SEPT level; PT_REG: 0 (4 KiB) */
	uint8_t sept_state;			/* PT_REG: enum tdx_model_sept_state */
	uint8_t flags;				/* TDX_PAMT_FLAG_* */
	uint32_t owner_slot;			/* TD record + 1 (the TDR's own for PT_TDR); 0 none */
	uint64_t aux;				/* PT_REG/PT_EPT: GPA; PT_TDVPR/vCPU TDCX: vCPU record */
	uint64_t bepoch;			/* TD epoch at TDH.MEM.RANGE.BLOCK */
};

/* The MRTD context of a TD this process builds. */
struct tdx_model_mrtd_slot {
	uint32_t td_slot;
	uint64_t generation;			/* 0: slot free */
	struct tdx_mrtd *ctx;
};

/*
 * The platform tables: the PAMT (one entry per page), then the SEPT index
 * (this many u32 slots per page: a load factor of 1/2 at most).  Both scale
 * with the pages only, so a file's layout follows from its memory size.
 */
#define TDX_MODEL_SEPT_SLOTS_PER_PAGE 2u
#define TDX_MODEL_TABLE_ENTRY_SIZE                                                         \
	(sizeof(struct tdx_model_pamt_entry) + TDX_MODEL_SEPT_SLOTS_PER_PAGE * sizeof(uint32_t))

struct tdx_module {
	struct coco_model_platform *plat;
	struct tdx_model_state *st;
	struct tdx_model_pamt_entry *pamt;
	uint32_t *sept_index;
	char detail[512];
	struct tdx_model_mrtd_slot mrtd[TDX_MODEL_MRTD_CTXS];
	struct tdx_qe_model *qe;		/* loaded from st->qe_blob (tdx_module_qe_get) */
};

/* ---- module-model.c ---- */
uint64_t tdx_model_fail(struct tdx_module *m, uint64_t status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
uint64_t tdx_model_hkid_of(const struct tdx_model_state *st, uint64_t pa);
bool tdx_model_pa_ok(const struct tdx_model_state *st, uint64_t pa, uint64_t align);
uint8_t *tdx_model_mem(struct tdx_module *m, uint64_t pa, uint64_t len);

/* ---- pamt-model.c ---- */
/*
 * The PAMT entry of @pa, or NULL (and the status to return) when @pa is not
 * in an initialised part of a TDMR: TDX_OPERAND_ADDR_RANGE_ERROR.
 */
struct tdx_model_pamt_entry *tdx_pamt_get(struct tdx_module *m, uint64_t pa);
/* Page type, PT_RSVD for untouched pages in reserved areas. */
unsigned int tdx_pamt_type(struct tdx_module *m, uint64_t pa,
			   const struct tdx_model_pamt_entry *e);
/*
 * The explicit-page check every leaf makes on a page operand: 4 KiB
 * aligned, KeyID bits 0, below MAXPA (else OPERAND_INVALID), in initialised
 * TDX memory (else OPERAND_ADDR_RANGE_ERROR), of type @pt (else
 * PAGE_METADATA_INCORRECT), all with @operand.
 */
uint64_t tdx_pamt_check_page(struct tdx_module *m, uint64_t pa, unsigned int pt,
			     uint32_t operand, const char *what, struct tdx_model_pamt_entry **out);
uint64_t tdx_pamt_owner_tdr(struct tdx_module *m, const struct tdx_model_pamt_entry *e);
bool tdx_pamt_pa_in_tdmr(const struct tdx_model_state *st, uint64_t pa, bool *initialised,
			 bool *reserved);

/* SEPT index: (TD, level, GPA) -> page. */
uint64_t tdx_sept_lookup(struct tdx_module *m, uint32_t td_slot, unsigned int level, uint64_t gpa);
bool tdx_sept_insert(struct tdx_module *m, uint64_t pa);
void tdx_sept_remove(struct tdx_module *m, uint64_t pa);
uint64_t tdx_sept_count(struct tdx_module *m);

/* ---- module-model-td.c ---- */
uint64_t tdx_model_td_leaf(struct tdx_module *m, unsigned int lp, uint64_t leaf, uint64_t version,
			   struct tdx_module_args *a);
struct tdx_model_td *tdx_model_td_of_slot(struct tdx_module *m, uint32_t slot);
void tdx_model_mrtd_drop(struct tdx_module *m, uint32_t td_slot);
uint64_t tdx_model_shared_bit(const struct tdx_model_td *td);
/* RCX = GPA | level of a private GPA, level in [min, max]; else OPERAND_INVALID(RCX). */
uint64_t tdx_model_gpa_operand(struct tdx_module *m, const struct tdx_model_td *td, uint64_t rcx,
			       unsigned int min_level, unsigned int max_level, uint64_t *gpa,
			       unsigned int *level);
/* The 4 KiB leaf at @gpa: EPT_WALK_FAILED / EPT_ENTRY_FREE when there is none. */
uint64_t tdx_model_sept_leaf(struct tdx_module *m, struct tdx_module_args *a, uint32_t slot,
			     uint64_t gpa, struct tdx_model_pamt_entry **e, uint64_t *hpa);

/* ---- module-model-report.c ---- */
uint64_t tdx_model_tdcall(struct tdx_module *m, uint64_t tdvpr_pa, uint64_t rax,
			  struct tdx_module_args *a);

#endif

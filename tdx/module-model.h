/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX module model: the SEAMCALL leaves of an Intel TDX module 1.5 (and
 * the guest TDCALLs the host side needs) executed against a platform model
 * whose state lives in shared memory (core/model-platform.h: a file every
 * process of a host maps, or a private mapping): the module's global
 * state (sys_state, per-LP init, KOT, TDMRs), every TD's TDR/TDCS and every
 * vCPU's TDVPS as records, and the PAMT, one entry per 4 KiB page of model
 * memory.  Facts and check order: ../shared/specs/tdx.md sections 1-5 and the
 * module's handlers (tdh_sys_config.c, tdh_mng_create.c, tdh_mng_init.c,
 * tdh_phymem_page_reclaim.c, tdh_phymem_cache_wb.c, tdh_mng_vpflushdone.c,
 * tdh_mng_key_freeid.c, tdh_sys_tdmr_init.c).
 *
 * One entry point per instruction:
 *
 *   tdx_module_seamcall(m, lp, rax, args)   SEAMCALL on logical processor @lp
 *   tdx_module_tdcall(m, tdvpr, rax, args)  TDCALL by the vCPU whose TDVPR is @tdvpr
 *
 * The platform: packages x LPs (default 2 x 4), model DRAM from 4 GiB
 * (COCO_TDX_MODEL_DRAM_GIB, default 64) which is the CMR (plus optionally a
 * low CMR [1 MiB, 2 GiB) that no model memory backs), TDX private KeyIDs
 * [first, first + COCO_TDX_MODEL_KEYIDS) at the top of a 6-bit KeyID space
 * (default 32: [32, 64)); MAXPA 46 with the KeyID in the bits above it.
 *
 * Model limits (documented where they differ from a real module):
 *  - Secure EPT: 4 KiB leaves only; SEPT tables are tracked per level
 *    (TDH.MEM.SEPT.ADD levels 1..3, 4 with a 5-level EPTP).  2 MiB/1 GiB
 *    mappings, PROMOTE/DEMOTE/RELOCATE, MNG/VP/MEM RD/WR, migration and
 *    service TDs are not modelled: those leaves answer
 *    TDX_OPERAND_INVALID(RAX) and say so in the detail.
 *  - Concurrency: every call runs under the platform lock, so the module's
 *    fine-grained locks never report TDX_OPERAND_BUSY.
 *  - The running MRTD (SHA-384) context cannot live in shared memory
 *    (OpenSSL contexts are process-local): it lives in the process that
 *    issued TDH.MNG.INIT (a table keyed by TD slot and a generation nonce);
 *    TDH.MEM.PAGE.ADD / TDH.MR.EXTEND / TDH.MR.FINALIZE from another process
 *    fail with TDX_OP_STATE_INCORRECT and a detail saying why.  The final
 *    MRTD is shared state.
 */
#ifndef COCO_TDX_MODULE_MODEL_H
#define COCO_TDX_MODULE_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tdx/seamcall.h"
#include "tdx/tdreport.h"
#include "core/model-platform.h"

#define TDX_MODEL_DRAM_BASE 0x100000000ull	/* 4 GiB */
#define TDX_MODEL_CHUNK_SIZE (2ull << 20)
#define TDX_MODEL_DEFAULT_DRAM_GIB 64u
#define TDX_MODEL_MAX_DRAM_GIB 1024u
#define TDX_MODEL_DEFAULT_KEYIDS 32u
#define TDX_MODEL_MAX_KEYIDS 256u		/* KOT entries (HKID < this) */
#define TDX_MODEL_MAX_PKGS 8u
#define TDX_MODEL_MAX_LPS 256u
#define TDX_MODEL_MAX_TDS 512u			/* TD records (live and torn down) */
#define TDX_MODEL_MAX_VCPU_RECORDS 4096u
#define TDX_MODEL_MAX_VCPUS_PER_TD 256u
#define TDX_MODEL_MAX_TDMRS 64u
#define TDX_MODEL_MAX_RSVD 16u
#define TDX_MODEL_MAX_CMRS 32u
#define TDX_MODEL_NUM_CPUID_CONFIG 12u
#define TDX_MODEL_TDCS_PAGES 6u			/* TDCS_BASE_SIZE / 4096 */
#define TDX_MODEL_TDVPS_PAGES 6u		/* TDVPS_BASE_SIZE / 4096, TDVPR included */
#define TDX_MODEL_MAX_PA 46u			/* HKID bits from here up */
#define TDX_MODEL_TDMR_INIT_PAGES 1024u		/* PAMT_4K entries per TDH.SYS.TDMR.INIT (1.5) */

/* Module states (sys_state).  [M tdx_global_data.h] */
enum tdx_sys_state {
	TDX_SYSINIT_PENDING = 0,
	TDX_SYSINIT_DONE = 1,
	TDX_SYSCONFIG_DONE = 2,
	TDX_SYS_READY = 3,
	TDX_SYS_SHUTDOWN_STATE = 4,
};

/* KOT entry states. */
enum tdx_kot_state {
	TDX_KOT_HKID_FREE = 0,
	TDX_KOT_HKID_ASSIGNED = 1,
	TDX_KOT_HKID_FLUSHED = 2,
	TDX_KOT_HKID_RESERVED = 3,	/* the global KeyID */
};

/* TD lifecycle (TDR) and op_state (TDCS). */
enum tdx_td_lifecycle {
	TDX_TD_HKID_ASSIGNED = 0,
	TDX_TD_KEYS_CONFIGURED = 1,
	TDX_TD_BLOCKED = 2,
	TDX_TD_TEARDOWN = 3,
};

enum tdx_td_op_state {
	TDX_OP_UNINITIALIZED = 0,
	TDX_OP_INITIALIZED = 1,
	TDX_OP_RUNNABLE = 2,
};

/* PAMT page types (TDH.PHYMEM.PAGE.RDMD RCX). */
enum tdx_page_type {
	TDX_PT_NDA = 0,
	TDX_PT_RSVD = 1,
	TDX_PT_REG = 3,
	TDX_PT_TDR = 4,
	TDX_PT_TDCX = 5,
	TDX_PT_TDVPR = 6,
	TDX_PT_EPT = 8,
};

const char *tdx_page_type_name(unsigned int pt);

/* Global metadata field ids (TDH.SYS.RD).  specs/tdx.md 2.2 step 3. */
#define TDX_MD_MINOR_VERSION 0x0800000100000003ull
#define TDX_MD_MAJOR_VERSION 0x0800000100000004ull
#define TDX_MD_UPDATE_VERSION 0x0800000100000005ull
#define TDX_MD_VENDOR_ID 0x0800000200000000ull
#define TDX_MD_TDX_FEATURES0 0x0A00000300000008ull
#define TDX_MD_NUM_CMRS 0x9000000100000000ull
#define TDX_MD_CMR_BASE(i) (0x9000000300000080ull + (i))
#define TDX_MD_CMR_SIZE(i) (0x9000000300000100ull + (i))
#define TDX_MD_MAX_TDMRS 0x9100000100000008ull
#define TDX_MD_MAX_RESERVED_PER_TDMR 0x9100000100000009ull
#define TDX_MD_PAMT_4K_ENTRY_SIZE 0x9100000100000010ull
#define TDX_MD_PAMT_2M_ENTRY_SIZE 0x9100000100000011ull
#define TDX_MD_PAMT_1G_ENTRY_SIZE 0x9100000100000012ull
#define TDX_MD_TDR_BASE_SIZE 0x9800000100000000ull
#define TDX_MD_TDCS_BASE_SIZE 0x9800000100000100ull
#define TDX_MD_TDVPS_BASE_SIZE 0x9800000100000200ull
#define TDX_MD_ATTRIBUTES_FIXED0 0x1900000300000000ull
#define TDX_MD_ATTRIBUTES_FIXED1 0x1900000300000001ull
#define TDX_MD_XFAM_FIXED0 0x1900000300000002ull
#define TDX_MD_XFAM_FIXED1 0x1900000300000003ull
#define TDX_MD_NUM_CPUID_CONFIG 0x9900000100000004ull
#define TDX_MD_CPUID_CONFIG_LEAVES(i) (0x9900000300000400ull + (i))
#define TDX_MD_CPUID_CONFIG_VALUES(i, j) (0x9900000300000500ull + 2 * (i) + (j))
#define TDX_MD_MAX_VCPUS_PER_TD 0x9900000100000008ull

/* TDX_FEATURES0 bits the model reports. */
#define TDX_FEATURES0_NO_RBP_MOD (1ull << 18)
#define TDX_FEATURES0_TOPOLOGY_ENUM (1ull << 20)

/* What the model's module allows (ATTRIBUTES/XFAM FIXED0 = may be 1, FIXED1 = must be 1). */
#define TDX_MODEL_ATTRIBUTES_FIXED0 ((1ull << 0) | (1ull << 28) | (1ull << 29) | (1ull << 30) | (1ull << 63))
#define TDX_MODEL_ATTRIBUTES_FIXED1 0ull
#define TDX_MODEL_XFAM_FIXED0 0x6DBE7ull
#define TDX_MODEL_XFAM_FIXED1 0x3ull

/* TD_PARAMS (1024 bytes, 1024-aligned).  specs/tdx.md 4.2. */
#define TDX_TD_PARAMS_SIZE 1024u
#define TDX_TD_PARAMS_ATTRIBUTES 0
#define TDX_TD_PARAMS_XFAM 8
#define TDX_TD_PARAMS_MAX_VCPUS 16
#define TDX_TD_PARAMS_NUM_L2_VMS 18
#define TDX_TD_PARAMS_MSR_CONFIG_CTLS 19
#define TDX_TD_PARAMS_EPTP_CONTROLS 24
#define TDX_TD_PARAMS_CONFIG_FLAGS 32
#define TDX_TD_PARAMS_TSC_FREQUENCY 40
#define TDX_TD_PARAMS_MRCONFIGID 80
#define TDX_TD_PARAMS_MROWNER 128
#define TDX_TD_PARAMS_MROWNERCONFIG 176
#define TDX_TD_PARAMS_IA32_ARCH_CAP_CONFIG 224
#define TDX_TD_PARAMS_CPUID_VALUES 256
#define TDX_EPTP_WB_4LEVEL 0x1Eull
#define TDX_EPTP_WB_5LEVEL 0x26ull
#define TDX_CONFIG_FLAG_GPAW (1ull << 0)
#define TDX_CONFIG_FLAG_FLEXIBLE_PENDING_VE (1ull << 1)
#define TDX_CONFIG_FLAG_NO_RBP_MOD (1ull << 2)
#define TDX_TSC_25MHZ_MIN 4u			/* 100 MHz */
#define TDX_TSC_25MHZ_MAX 400u			/* 10 GHz */

/*
 * How to create the platform.  Only @path is used when it names an existing
 * platform file: the file keeps the topology, memory and KeyIDs it was
 * created with.
 */
struct tdx_module_config {
	uint32_t packages;		/* 0: 2 */
	uint32_t lps_per_package;	/* 0: 4 */
	uint32_t dram_gib;		/* 0: COCO_TDX_MODEL_DRAM_GIB, else 64 */
	uint32_t keyids;		/* TDX private KeyIDs incl. the global one; 0: COCO_TDX_MODEL_KEYIDS, else 32 */
	bool low_cmr;			/* also report a CMR [1 MiB, 2 GiB) (no model memory behind it) */
	uint32_t tdmr_init_pages;	/* PAMT_4K entries per TDH.SYS.TDMR.INIT; 0: 1024 */
	/* TDH.PHYMEM.CACHE.WB: cache sub-blocks, and how many one call gets through before
	 * an "interrupt" makes it return TDX_INTERRUPTED_RESUMABLE (0: defaults 4 and 2). */
	uint32_t cachewb_sub_blocks;
	uint32_t cachewb_blocks_per_call;
	/*
	 * The platform file every process of one model host opens (created
	 * when missing); NULL: a private platform, shared only with forked
	 * children.
	 */
	const char *path;
};

struct tdx_module;

/*
 * The platform of @config->path (or a private one), its module in
 * SYSINIT_PENDING when new, as it was left otherwise.  Errors name the bad
 * setting, or what is wrong with the file and what to do.
 */
int tdx_module_open(const struct tdx_module_config *config, struct tdx_module **module);
void tdx_module_close(struct tdx_module *m);

struct coco_model_platform *tdx_module_platform(struct tdx_module *m);
/* The module's sys_state (enum tdx_sys_state), as TDH.SYS.INFO would tell. */
enum tdx_sys_state tdx_module_sys_state(struct tdx_module *m);
/* Topology and KeyID space of the platform. */
void tdx_module_topology(struct tdx_module *m, unsigned int *packages,
			 unsigned int *lps_per_package);
unsigned int tdx_module_lp_package(struct tdx_module *m, unsigned int lp);
/* [first, first + count) private KeyIDs; KeyIDs occupy PA bits from MAXPA up. */
void tdx_module_keyids(struct tdx_module *m, uint32_t *first, uint32_t *count,
		       unsigned int *max_pa);

/* SEAMCALL / TDCALL.  @args in and out; returns RAX. */
uint64_t tdx_module_seamcall(struct tdx_module *m, unsigned int lp, uint64_t rax,
			     struct tdx_module_args *args);
uint64_t tdx_module_tdcall(struct tdx_module *m, uint64_t tdvpr_pa, uint64_t rax,
			   struct tdx_module_args *args);
/* tdx_seamcall_fn adapter (@ctx is the struct tdx_module). */
uint64_t tdx_module_seamcall_fn(void *ctx, unsigned int lp, uint64_t rax,
				struct tdx_module_args *args);

/* Why the last failing call of this process failed (the model explains; "" if none). */
const char *tdx_module_last_detail(struct tdx_module *m);

/*
 * Check a TDREPORT as the platform's QE would (SGX EVERIFYREPORT2 for TDX):
 * REPORTTYPE 0x81, TEE_TCB_INFO_HASH and TEE_INFO_HASH matching the report's
 * TEE_TCB_INFO and TDINFO, and the MAC = HMAC-SHA-256(platform report key,
 * report[0, 224)).  0 or -EINVAL / -EKEYREJECTED with a message.  Its shape
 * is tdx_tdreport_verify_fn's (tdx/qe-model.h) with the module as context.
 */
int tdx_module_verify_report(struct tdx_module *m, const uint8_t report[TDX_TDREPORT_SIZE]);

/* tdx_tdreport_verify_fn adapter (@ctx is the struct tdx_module): the model QE's report check. */
int tdx_module_verify_report_fn(void *ctx, const uint8_t report[TDX_TDREPORT_SIZE]);

struct tdx_qe_model;

/*
 * The platform's model Quoting Enclave (tdx/qe-model.h), so every process
 * of a host quotes with the same keys and PCK chain: loaded from the
 * platform, or made and stored there under the platform lock by the first
 * caller (a private platform stores the one this process made for all its
 * private platforms, as the SNP model does with its roots).  *@qe belongs
 * to @m: valid until tdx_module_close().
 */
int tdx_module_qe_get(struct tdx_module *m, struct tdx_qe_model **qe);

/* MRSEAM / TEE_TCB_SVN the model's module reports. */
void tdx_module_identity(struct tdx_module *m, uint8_t mrseam[48], uint8_t tee_tcb_svn[16]);

/* The PAMT's view of a page (RDMD without the call), for tests and tools. */
struct tdx_module_page_info {
	unsigned int type;		/* enum tdx_page_type */
	uint64_t owner_tdr;		/* 0 for free pages and TDRs */
	uint64_t gpa;			/* PT_REG / PT_EPT */
	bool in_tdx_memory;		/* in an initialised TDMR */
};
void tdx_module_page_info(struct tdx_module *m, uint64_t pa, struct tdx_module_page_info *out);

/*
 * The model's own consistency: every PAMT owner is a live TD record, child
 * counts match the PAMT, KOT states match the TDs holding them, the SEPT
 * index and the PAMT agree.  false and a reason in @why when broken.
 */
bool tdx_module_check_invariants(struct tdx_module *m, char *why, size_t why_len);

#endif

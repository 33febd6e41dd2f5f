/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host kernel's side of TDX, against any SEAMCALL function: what Linux's
 * arch/x86/virt/vmx/tdx/tdx.c (module bring-up: tdx_enable) and KVM's
 * vmx/tdx.c (TD build, memory conversion, teardown) do, as flows a model
 * backend calls.  Facts: ../shared/specs/tdx.md 2.2, 3, 4.1.
 *
 *   enable      TDH.SYS.INIT once, TDH.SYS.LP.INIT on every LP, TDH.SYS.RD of
 *               the metadata, TDMRs + PAMTs for the CMRs, TDH.SYS.CONFIG with
 *               the first private KeyID as global KeyID, TDH.SYS.KEY.CONFIG on
 *               one LP per package in turn, TDH.SYS.TDMR.INIT loops.  Linux's
 *               status is kept for all processes: once enable failed it
 *               returns -EINVAL forever (the module cannot be configured
 *               twice in one boot).
 *   TD create   KeyID from the private range (exhausted: -EBUSY), TDR + TDCS,
 *               TDH.MNG.CREATE, TDH.MNG.KEY.CONFIG per package, TDH.MNG.ADDCX,
 *               TDH.MNG.INIT with TD_PARAMS from struct tdx_td_config, then
 *               per vCPU TDH.VP.CREATE / ADDCX / INIT (version 1, x2APIC ID =
 *               index) on the LP the vCPU is associated with.
 *   build       per 4 KiB page: Secure-EPT tables as needed, TDH.MEM.PAGE.ADD,
 *               16 x TDH.MR.EXTEND when measured; TDH.MR.FINALIZE.
 *   convert     private -> shared: RANGE.BLOCK, TRACK, PAGE.REMOVE,
 *               PHYMEM.PAGE.WBINVD; shared -> private: PAGE.AUG (and the
 *               guest's TDG.MEM.PAGE.ACCEPT through the TDCALL hook).
 *   destroy     TDH.VP.FLUSH per vCPU on its LP, TDH.MNG.VPFLUSHDONE,
 *               TDH.PHYMEM.CACHE.WB on each package while
 *               TDX_INTERRUPTED_RESUMABLE, TDH.MNG.KEY.FREEID, RECLAIM of every
 *               page with the TDR last, WBINVD of the TDR with the global
 *               KeyID; only then the KeyID is free again.
 *   reap        the TDs of processes that died are destroyed the same way.
 */
#ifndef COCO_TDX_HOST_H
#define COCO_TDX_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "tdx/launch.h"
#include "tdx/seamcall.h"
#include "tdx/tdx-host-shared.h"
#include "core/model-platform.h"

struct tdx_module;

/* What the host runs on: the SEAMCALL instruction, the platform, its topology. */
struct tdx_host_env {
	tdx_seamcall_fn seamcall;
	/* The guest's TDCALL (host-side tests and the evidence agent); may be NULL. */
	uint64_t (*tdcall)(void *ctx, uint64_t tdvpr_pa, uint64_t rax, struct tdx_module_args *args);
	/* Why the last call failed, when the implementation knows (the model does); may be NULL. */
	const char *(*detail)(void *ctx);
	void *ctx;
	unsigned int packages, lps_per_package;
	/* Private KeyIDs [keyid_first, +keyid_count) (MSR 0x87) and where KeyIDs sit in a PA. */
	uint32_t keyid_first, keyid_count;
	unsigned int keyid_shift;
	struct coco_model_platform *plat;	/* model memory (pages handed to the module) */
	struct tdx_host_shared *shared;		/* the host kernel's bookkeeping */
};

/* The environment of the TDX module model @m (SEAMCALL/TDCALL into it). */
void tdx_host_env_model(struct tdx_module *m, struct tdx_host_env *env);

struct tdx_host;
struct tdx_host_td;

int tdx_host_open(const struct tdx_host_env *env, struct tdx_host **host);
/* Closing does not destroy TDs (their owner record outlives the handle until reaped). */
void tdx_host_close(struct tdx_host *h);

/* Bring the module up (idempotent once it succeeded; -EINVAL forever once it failed). */
int tdx_host_enable(struct tdx_host *h);
/* What enable found: TDMRs and the PAMT bytes Linux prints as "N KB allocated for PAMT". */
void tdx_host_enable_info(struct tdx_host *h, uint32_t *nr_tdmrs, uint64_t *pamt_bytes);

int tdx_host_td_create(struct tdx_host *h, const struct tdx_td_config *cfg, unsigned int vcpus,
		       struct tdx_host_td **td);
/*
 * The same in two steps, as a VM's life has them: the KeyID, TDR, TDCS and
 * keys when the VM is created (-EBUSY when the KeyIDs are used up), then
 * TDH.MNG.INIT and the vCPUs when its launch begins (a TD_PARAMS the module
 * refuses fails here).  tdx_host_td_destroy undoes either.
 */
int tdx_host_td_create_keyed(struct tdx_host *h, unsigned int vcpus, struct tdx_host_td **td);
int tdx_host_td_init(struct tdx_host_td *td, const struct tdx_td_config *cfg);
/* TDH.MEM.PAGE.ADD of one 4 KiB page at @gpa with contents @src (+ its 16 MR.EXTENDs). */
int tdx_host_td_add_page(struct tdx_host_td *td, uint64_t gpa, const uint8_t src[4096],
			 bool extend);
/* TDH.MR.FINALIZE (the MRTD is in the TD's reports from then on). */
int tdx_host_td_finalize(struct tdx_host_td *td);

/*
 * Back the TD's private pages with the guest's own memory (as KVM takes
 * them from guest_memfd): @page_of gives the system physical address of
 * GPA @gpa, or -ENOENT for a GPA outside the guest's memory (the pool
 * backs those).  Without a source, private pages come from the pool.
 * Set it before the first page is added.
 */
void tdx_host_td_set_page_source(struct tdx_host_td *td,
				 int (*page_of)(void *ctx, uint64_t gpa, uint64_t *hpa), void *ctx);

/* Private -> shared: block, track, remove, write back; the page goes back to the host. */
int tdx_host_td_to_shared(struct tdx_host_td *td, uint64_t gpa);
/* Shared -> private: TDH.MEM.PAGE.AUG; with @accept also the guest's TDG.MEM.PAGE.ACCEPT. */
int tdx_host_td_to_private(struct tdx_host_td *td, uint64_t gpa, bool accept);
/* Is @gpa private (mapped in the Secure EPT) according to the host's records? */
bool tdx_host_td_is_private(struct tdx_host_td *td, uint64_t gpa);

/*
 * The guest's TDG.MR.REPORT on vCPU @vcpu with @reportdata, through the
 * private page at @scratch_gpa (made private and accepted first if it is
 * not): report at offset 0, REPORTDATA at offset 2048.  Needs env->tdcall.
 */
int tdx_host_td_report(struct tdx_host_td *td, unsigned int vcpu, uint64_t scratch_gpa,
		       const uint8_t reportdata[64], uint8_t report[1024]);
/* TDG.MR.RTMR.EXTEND of RTMR @index with @data through the same scratch page. */
int tdx_host_td_rtmr_extend(struct tdx_host_td *td, unsigned int vcpu, uint64_t scratch_gpa,
			    unsigned int index, const uint8_t data[48]);

uint64_t tdx_host_td_tdr(const struct tdx_host_td *td);
uint32_t tdx_host_td_keyid(const struct tdx_host_td *td);
uint64_t tdx_host_td_tdvpr(const struct tdx_host_td *td, unsigned int vcpu);

/* Tear the TD down (spec order) and free it; pages that cannot be reclaimed are leaked. */
int tdx_host_td_destroy(struct tdx_host_td *td);

/* Destroy the TDs and free the memory of processes that died; returns how many TDs. */
unsigned int tdx_host_reap(struct tdx_host *h);

/* KeyIDs handed out now (for caps and tests). */
unsigned int tdx_host_keyids_in_use(struct tdx_host *h);

#endif

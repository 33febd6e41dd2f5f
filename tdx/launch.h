/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX launch walker: turns neutral launch steps into TD build steps and
 * hands them to a sink.  Same design as sev-snp/launch.h.
 *
 *   neutral                         TD build (specs/tdx.md 4.1, 4.3)
 *   launch_begin                    sink->start: TD_PARAMS -> TDH.MNG.INIT
 *                                   (KVM_TDX_INIT_VM), then the TD's vCPUs
 *                                   (TDH.VP.CREATE/ADDCX/INIT; KVM needs them
 *                                   before any KVM_TDX_INIT_MEM_REGION)
 *   region MEASURED                 per 4 KiB page: TDH.MEM.PAGE.ADD + 16 x TDH.MR.EXTEND
 *   region ZERO / UNMEASURED        per 4 KiB page: TDH.MEM.PAGE.ADD only (the GPA
 *                                   is measured, the contents are not)
 *   region SECRETS/CPUID/VCPU_STATE refused: TDX has no such pages (-ENOTSUP)
 *   launch_vcpu                     checks the vCPU against the ones created at
 *                                   start (TDX vCPU state is architectural: not measured)
 *   launch_finish                   sink->finish: TDH.MR.FINALIZE (KVM_TDX_FINALIZE_VM)
 *
 * Sinks: the TDX module model, the KVM hardware path, and the measuring
 * sink of dry runs (MRTD computed by tdx/mrtd.h).  All get exactly the same
 * steps in the same order, which is what makes expected measurements exact.
 */
#ifndef COCO_TDX_LAUNCH_H
#define COCO_TDX_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/internal.h"
#include "tdx/tdmr.h"	/* TDX_PAGE_SIZE */

#define TDX_MR_SIZE 48u
#define TDX_EXTEND_CHUNK 256u

/*
 * What TDH.MNG.INIT needs from the configuration, in TDX terms (encoded into
 * the 1024-byte TD_PARAMS by the module-model sink, into struct
 * kvm_tdx_init_vm by the hardware sink).
 */
struct tdx_td_config {
	uint64_t attributes;
	uint64_t xfam;
	uint16_t max_vcpus;
	uint32_t tsc_khz;		/* 0: the platform's */
	uint8_t mrconfigid[TDX_MR_SIZE];
	uint8_t mrowner[TDX_MR_SIZE];
	uint8_t mrownerconfig[TDX_MR_SIZE];
};

/* From a VM's (validated) configuration. */
void tdx_td_config_from_vm(const struct coco_vm *vm, struct tdx_td_config *out);

struct tdx_launch_sink_ops {
	const char *name;
	/* TDH.MNG.INIT with @cfg, then create vm->config.vcpus vCPUs. */
	int (*start)(struct coco_vm *vm, const struct tdx_td_config *cfg);
	/*
	 * @npages 4 KiB pages from @gpa (4 KiB aligned), contents @src
	 * (npages * 4 KiB, never NULL: zero pages come as zeros).  Per page, in
	 * order: TDH.MEM.PAGE.ADD, then if @extend the page's 16 TDH.MR.EXTENDs.
	 */
	int (*add_pages)(struct coco_vm *vm, uint64_t gpa, const uint8_t *src, uint64_t npages,
			 bool extend);
	/* TDH.MR.FINALIZE; dry runs write MRTD to @measurement. */
	int (*finish)(struct coco_vm *vm, struct coco_measurement *measurement);
};

struct tdx_mrtd;	/* tdx/mrtd.h: the MRTD hash of a TD build */

/* Per-VM state common to every TDX backend (vm->priv). */
struct tdx_vm {
	const struct tdx_launch_sink_ops *sink;
	struct tdx_mrtd *dry_mrtd;		/* measuring sink */
	struct tdx_td_config td;		/* what start got */
	void *backend;				/* model / hardware state */
};

static inline struct tdx_vm *tdx_vm_of(struct coco_vm *vm)
{
	return vm->priv;
}

/* The measuring sink used by dry runs (expected measurements). */
extern const struct tdx_launch_sink_ops tdx_measure_sink;

/*
 * Allocate vm->priv (struct tdx_vm) with @sink, and @backend_state; dry runs
 * get the measuring sink whatever @sink is.  Freed by tdx_vm_free_common.
 */
int tdx_vm_init_common(struct coco_vm *vm, const struct tdx_launch_sink_ops *sink,
		       void *backend_state);
void tdx_vm_free_common(struct coco_vm *vm);

/* Walker entry points, used as the launch ops of every TDX backend. */
int tdx_launch_begin(struct coco_vm *vm);
int tdx_launch_region(struct coco_vm *vm, const struct coco_region *region);
int tdx_launch_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu);
int tdx_launch_finish(struct coco_vm *vm, struct coco_measurement *measurement);

/* Page types a TDX launch takes (bit 1 << COCO_PAGE_*), for caps. */
#define TDX_LAUNCH_PAGE_TYPES                                                            \
	((1u << COCO_PAGE_MEASURED) | (1u << COCO_PAGE_ZERO) | (1u << COCO_PAGE_UNMEASURED))

#endif

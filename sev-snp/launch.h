/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP launch walker: turns neutral launch steps into SNP_LAUNCH_*
 * steps (firmware page types, whole 4 KiB pages, 2 MiB where allowed,
 * VMSAs built from neutral vCPU descriptions) and hands them to a sink.
 *
 * Sinks: the platform model (PSP firmware model), the KVM hardware path,
 * and the measuring sink of dry runs.  All three get exactly the same
 * steps, which is what makes expected measurements exact.
 */
#ifndef COCO_SNP_LAUNCH_H
#define COCO_SNP_LAUNCH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/internal.h"
#include "sev-snp/launch-digest.h"

struct snp_launch_sink_ops {
	const char *name;
	int (*start)(struct coco_vm *vm);
	/*
	 * @npages pages from @gpa of firmware page @type.  @src holds the
	 * contents (npages * 4 KiB) for NORMAL, UNMEASURED, VMSA and (when the
	 * plan gave one) CPUID pages; NULL otherwise.  @large: the pages are
	 * one 2 MiB page (npages == 512, gpa 2 MiB aligned).
	 */
	int (*update)(struct coco_vm *vm, uint64_t gpa, uint8_t type, const uint8_t *src,
		      uint64_t npages, bool large);
	/* A vCPU and its initial VMSA. */
	int (*vcpu)(struct coco_vm *vm, const struct coco_vcpu_desc *desc,
		    const uint8_t vmsa[SNP_PAGE_SIZE]);
	/* LAUNCH_FINISH; dry runs write the digest to @measurement. */
	int (*finish)(struct coco_vm *vm, struct coco_measurement *measurement);
};

/* Per-VM state common to every SNP backend (vm->priv). */
struct snp_vm {
	const struct snp_launch_sink_ops *sink;
	struct snp_launch_digest dry_digest;	/* measuring sink */
	void *backend;				/* model / hardware state */
};

static inline struct snp_vm *snp_vm_of(struct coco_vm *vm)
{
	return vm->priv;
}

/* The measuring sink used by dry runs (expected measurements). */
extern const struct snp_launch_sink_ops snp_measure_sink;

/* Walker entry points, used as the launch ops of every SNP backend. */
int snp_launch_begin(struct coco_vm *vm);
int snp_launch_region(struct coco_vm *vm, const struct coco_region *region);
int snp_launch_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu);
int snp_launch_finish(struct coco_vm *vm, struct coco_measurement *measurement);

/* SNP firmware page type for a neutral page type. */
uint8_t snp_page_type_of(enum coco_page_type type);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Initial VMSA pages (the measured vCPU state of an SNP guest), built the
 * way each VMM initialises them at reset: QEMU/KVM (and coco-vmm), EC2,
 * GCE — the flavours sev-snp-measure reproduces.  Layout: AMD APM vol. 2,
 * VMCB save area for SEV-ES/SNP.
 */
#ifndef COCO_SNP_VMSA_H
#define COCO_SNP_VMSA_H

#include <stdint.h>

#include <coco/snp.h>

#include "sev-snp/snp-defs.h"

/* CPUID(1).EAX used when the configuration names no CPU: "EPYC-v4" (family 0x17). */
#define SNP_DEFAULT_CPU_SIGNATURE 0x00800F12u
#define SNP_RESET_VECTOR 0xFFFFFFF0u

struct snp_vmsa_params {
	enum coco_snp_vmm_type vmm_type;
	uint32_t vcpu_index;		/* 0 = BSP */
	uint32_t boot_ip;		/* 0 = SNP_RESET_VECTOR */
	uint32_t cpu_signature;		/* CPUID(1).EAX, lands in RDX */
	uint64_t sev_features;		/* VMSA SEV_FEATURES */
};

/* Fill @page (4 KiB) with the initial VMSA.  -EINVAL for an unknown VMM type. */
int snp_vmsa_build(uint8_t page[SNP_PAGE_SIZE], const struct snp_vmsa_params *params);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A VMSA page (the SEV-ES/SNP state save area, sev-snp/vmsa-layout.h) as
 * KVM vCPU registers: the inverse of the layout sev-snp/vmsa.c writes.  The
 * SNP model's VMM starts vCPUs from VMSAs this way: vCPU 0 from the VMSA
 * the launch measured, APs from the VMSA page the guest names in AP
 * creation.
 */
#ifndef COCO_SNP_VMSA_DECODE_H
#define COCO_SNP_VMSA_DECODE_H

#include <stdint.h>
#include <linux/kvm.h>

#include "sev-snp/snp-defs.h"

struct snp_vmsa_regs {
	struct kvm_regs regs;
	/* Segments, descriptor tables, CR0/3/4, EFER; apic_base, CR2, CR8 zero. */
	struct kvm_sregs sregs;
	uint64_t sev_features;		/* VMSA SEV_FEATURES */
	uint64_t xcr0, g_pat, dr6, dr7;
};

/*
 * Decode @vmsa.  EFER loses SVME (KVM's own bit in every SEV-ES VMSA, never
 * the guest's).  A segment whose attributes use bits above 11 (the packed
 * VMCB form has 12) is refused with -EINVAL and the field's name.
 */
int snp_vmsa_decode(const uint8_t vmsa[SNP_PAGE_SIZE], struct snp_vmsa_regs *out);

/* A segment of the VMSA's packed form (12 attribute bits) as KVM describes it. */
void snp_vmsa_segment(uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base,
		      struct kvm_segment *seg);

#endif

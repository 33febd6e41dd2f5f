/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "sev-snp" hardware backend's side of coco-vmm (core/vmm.h): the KVM
 * VM its launch made, and a guest channel with almost nothing to do,
 * because KVM serves the GHCB protocol in the kernel (snp.md section 8):
 *
 *   - no filtered MSRs: the guest's GHCB MSR writes are VMGEXITs that KVM
 *     handles; page state changes reach the core as
 *     KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE), implicit conversions as
 *     KVM_EXIT_MEMORY_FAULT, port I/O the guest does through the GHCB as
 *     KVM_EXIT_IO (the core's test ports);
 *   - guest requests (attestation reports) go from KVM to the PSP in the
 *     kernel; AP creation is KVM's too (the APs wait in the in-kernel
 *     irqchip until the guest creates them);
 *   - the vCPUs' state is the VMSAs measured at launch: vcpu_boot_state
 *     leaves it alone;
 *   - a termination request (GHCB MSR protocol 0x100, or the GHCB page's
 *     TERM_REQUEST) arrives as KVM_EXIT_SYSTEM_EVENT(KVM_SYSTEM_EVENT_SEV_TERM)
 *     with the GHCB MSR value in data[0]: the run ends TERMINATED with the
 *     reason set and code decoded.
 *
 * Evidence the guest hands over is not completed: the report the PSP
 * signed carries no certificate, and this host keeps none (no VCEK cache),
 * so a verifier fetches the VCEK from AMD's KDS by the report's chip ID
 * and reported TCB (docs/guest-abi.md, "On hardware").
 */
#include <errno.h>

#include "core/error.h"
#include "core/kvm-uapi.h"
#include "core/vmm.h"
#include "sev-snp/ghcb.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/snp-backend.h"

/* GHCB MSR protocol, termination request (snp.md section 7 table). */
#define TERM_REASON_SET(v) (((v) >> 12) & 0xfull)
#define TERM_REASON_CODE(v) (((v) >> 16) & 0xffull)

struct coco_kvm_vm *snp_hw_vmm_kvm_vm(struct coco_vm *vm)
{
	struct snp_vm *s = vm && !vm->dry_run ? snp_vm_of(vm) : NULL;

	return s && s->backend ? &((struct snp_kvm_vm *)s->backend)->kvm : NULL;
}

static int chan_open(struct coco_vmm *vmm, struct coco_vm *vm, void **state)
{
	(void)vm;
	*state = vmm;	/* the only state: whom to end */
	return 0;
}

/* The VMSA KVM measured at launch is the vCPU's state; an AP waits for AP creation. */
static int chan_vcpu_boot_state(void *state, uint32_t index, struct kvm_regs *regs,
				struct kvm_sregs *sregs)
{
	(void)state;
	(void)index;
	(void)regs;
	(void)sregs;
	return 0;
}

static int chan_vendor_exit(void *state, struct coco_vmm_vcpu *vcpu, struct kvm_run *run)
{
	struct coco_vmm *vmm = state;
	uint64_t value;

	if (run->exit_reason != KVM_EXIT_SYSTEM_EVENT ||
	    run->system_event.type != KVM_SYSTEM_EVENT_SEV_TERM)
		return -ENODEV;
	value = run->system_event.ndata ? run->system_event.data[0] : 0;
	if ((value & GHCB_MSR_INFO_MASK) == GHCB_MSR_TERM_REQ)
		return coco_vmm_end(vmm, COCO_VMM_TERMINATED, "vCPU %u asked to terminate (GHCB "
				    "MSR protocol): reason set %llu, reason code 0x%llx%s",
				    coco_vmm_vcpu_index(vcpu),
				    (unsigned long long)TERM_REASON_SET(value),
				    (unsigned long long)TERM_REASON_CODE(value),
				    TERM_REASON_SET(value) == GHCB_TERM_SET_GENERAL
					    ? " (GHCB general reasons)" : "");
	return coco_vmm_end(vmm, COCO_VMM_TERMINATED, "vCPU %u asked to terminate through its "
			    "GHCB (KVM_SYSTEM_EVENT_SEV_TERM, GHCB GPA 0x%llx)",
			    coco_vmm_vcpu_index(vcpu), (unsigned long long)value);
}

const struct coco_guest_channel snp_hw_guest_channel = {
	.msrs = NULL,
	.nmsrs = 0,
	.open = chan_open,
	.vcpu_boot_state = chan_vcpu_boot_state,
	.evidence_complete = NULL,
	.vendor_exit = chan_vendor_exit,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm's engine, the side backends see (the callers' side is the
 * public <coco/vmm.h>).
 *
 * coco_vmm_create opens the backend's host, makes the KVM VM (the vendor's
 * VM type on hardware; the default type with the platform models, which
 * enforce the confidential rules themselves), backs every guest memory slot
 * with a guest_memfd (mmap-able on the model path) registered through
 * KVM_SET_USER_MEMORY_REGION2, launches the guest image through the
 * backend's launch flow (so the measurement is what `cococtl measure`
 * computes for the same image), and makes the vCPUs with the in-kernel
 * irqchip.  coco_vmm_run runs one thread per vCPU until the guest exits,
 * terminates, misbehaves, times out or is stopped.
 *
 * Exits the core serves itself: the test ports of core/guest-abi.h
 * (console, exit, evidence), KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE) and
 * KVM_EXIT_MEMORY_FAULT (conversions through coco_vm_mem_convert, where the
 * hardware delivers them).  Everything vendor-specific goes to the backend's
 * guest channel (struct coco_guest_channel below): the MSRs it asks KVM to
 * filter to user space, the ports the core does not serve, the initial vCPU
 * state and AP start.
 */
#ifndef COCO_CORE_VMM_H
#define COCO_CORE_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/kvm.h>

#include <coco/coco.h>
#include <coco/vmm.h>

#include "core/guest-abi.h"

/* ------------------------------------------------------------------ */
/* The guest channel: what a backend gives the VMM                      */

/* Return values of channel handlers besides 0 (resume) and -errno (the run fails). */
#define COCO_VMM_HOLD 1		/* park this vCPU until coco_vmm_vcpu_start names it */
#define COCO_VMM_DONE 2		/* the run ended (the handler called coco_vmm_end) */

struct coco_guest_channel {
	/* MSRs whose RDMSR/WRMSR KVM must hand to user space (the filter denies them). */
	const uint32_t *msrs;
	size_t nmsrs;

	/* Per-VM channel state, after the launch finished. */
	int (*open)(struct coco_vmm *vmm, struct coco_vm *vm, void **state);
	void (*close)(void *state);

	/*
	 * Initial register state of vCPU @index (its vendor's reset state, or
	 * what the launch measured).  Return 0 to start it with the VM, or
	 * COCO_VMM_HOLD for a vCPU that waits until the guest creates it (SNP
	 * APs: AP creation).
	 */
	int (*vcpu_boot_state)(void *state, uint32_t index, struct kvm_regs *regs,
			       struct kvm_sregs *sregs);

	/* RDMSR (@write false: fill *value) / WRMSR of a filtered MSR. */
	int (*msr)(void *state, struct coco_vmm_vcpu *vcpu, bool write, uint32_t index,
		   uint64_t *value);

	/* Port I/O the core does not serve (model doorbells).  @data: size * count bytes. */
	int (*io)(void *state, struct coco_vmm_vcpu *vcpu, uint16_t port, bool out,
		  uint8_t size, uint32_t count, void *data);

	/*
	 * Evidence the guest handed over: add what a verifier needs that the
	 * guest could not carry (SNP: the VCEK/ASK/ARK of the platform).
	 */
	int (*evidence_complete)(void *state, struct coco_evidence *evidence);

	/*
	 * Hardware: exits the vendor's KVM hands to user space that the core
	 * does not serve (KVM_EXIT_TDX), and KVM_EXIT_SYSTEM_EVENT before the
	 * core's generic handling (the vendor's termination requests).  The
	 * handler answers in @run; -ENODEV (no error recorded) leaves the exit
	 * to the core.  NULL: the core handles what it knows, fails the rest.
	 */
	int (*vendor_exit)(void *state, struct coco_vmm_vcpu *vcpu, struct kvm_run *run);
};

/* Helpers for channel handlers (vCPU thread context). */
struct coco_vmm *coco_vmm_of(struct coco_vmm_vcpu *vcpu);
uint32_t coco_vmm_vcpu_index(const struct coco_vmm_vcpu *vcpu);
int coco_vmm_vcpu_get_regs(struct coco_vmm_vcpu *vcpu, struct kvm_regs *regs);
int coco_vmm_vcpu_set_regs(struct coco_vmm_vcpu *vcpu, const struct kvm_regs *regs);
int coco_vmm_vcpu_get_sregs(struct coco_vmm_vcpu *vcpu, struct kvm_sregs *sregs);
/* Guest virtual to guest physical through the vCPU's page tables (KVM_TRANSLATE). */
int coco_vmm_vcpu_translate(struct coco_vmm_vcpu *vcpu, uint64_t gva, uint64_t *gpa);

/*
 * The VMM's own access to guest memory: shared pages only.  A range that
 * touches a private page is refused with -EPERM and a message naming the
 * page (the platform models enforce what the hardware's encryption does).
 */
int coco_vmm_read_shared(struct coco_vmm *vmm, uint64_t gpa, void *buf, size_t len);
int coco_vmm_write_shared(struct coco_vmm *vmm, uint64_t gpa, const void *buf, size_t len);

/*
 * A conversion the guest asked for: coco_vm_mem_convert (the core's checks,
 * then the backend's platform transitions: RMP or SEPT) and KVM's memory
 * attributes where the kernel has them.  Errors carry a message the
 * channel can turn into the vendor's guest-visible error.
 */
int coco_vmm_convert(struct coco_vmm *vmm, uint64_t gpa, uint64_t size, enum coco_mem_state to);

/*
 * Start (or restart) vCPU @index with @regs/@sregs: a held vCPU begins to
 * run, a running one is stopped at its next exit and reloaded (SNP AP
 * creation replacing a VMSA).  -EINVAL for an index beyond the VM's vCPUs.
 */
int coco_vmm_vcpu_start(struct coco_vmm *vmm, uint32_t index, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs);

/*
 * Stop vCPU @index at its next exit and keep it waiting as a held vCPU
 * (SNP AP destroy) until coco_vmm_vcpu_start names it again; a start not
 * yet applied is dropped.  A vCPU already held or finished is left as it
 * is.  Callable from any vCPU's handler, the vCPU's own included (it then
 * waits once its handler returns).  -EINVAL for an index beyond the VM's
 * vCPUs.
 */
int coco_vmm_vcpu_hold(struct coco_vmm *vmm, uint32_t index);

/*
 * Port I/O a guest asked for through its vendor's I/O call instead of an
 * IN/OUT instruction (TDX TDG.VP.VMCALL<Instruction.IO>): served as the
 * same IN/OUT would be by the core's ports of core/guest-abi.h (console,
 * exit, evidence), @value holding the @size (1, 2, 4) bytes written or
 * receiving those read.  Channel doorbells are instructions, not ports, and
 * are not reached this way.  Returns 0, COCO_VMM_DONE (the exit port, or
 * nothing serves the port: the run ends FAILED as for an IN/OUT), or
 * -EINVAL for a size other than 1, 2, 4.
 */
int coco_vmm_guest_port_io(struct coco_vmm_vcpu *vcpu, uint16_t port, bool out, uint8_t size,
			   uint32_t *value);

/*
 * End the run: TERMINATED when the guest asked for it (GHCB termination
 * request, TDVMCALL ReportFatalError), FAILED when it broke the protocol
 * beyond a guest-visible error.  The first end wins.  Returns COCO_VMM_DONE
 * so handlers can `return coco_vmm_end(...)`.
 */
int coco_vmm_end(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif

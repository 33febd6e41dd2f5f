/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "tdx-model" backend's guest channel (core/vmm.h): TDCALL through the
 * model doorbell (port 0xf5, core/guest-abi.h) into the TDX module model,
 * TDG.VP.VMCALL (GHCI) served by the model VMM, and the TD vCPU's reset
 * state.  docs/guest-abi-tdx.md is the guest's side of it.
 *
 * The VMM helpers it needs come through struct tdx_chan_vmm_ops, so unit
 * tests can drive the channel over a TD of the model without KVM
 * (tdx_chan_open_with); the backend's channel uses coco-vmm's own.
 */
#ifndef COCO_TDX_GUEST_CHANNEL_H
#define COCO_TDX_GUEST_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "core/vmm.h"

extern const struct coco_guest_channel tdx_model_guest_channel;

/* What the channel asks of the VMM (coco_vmm_* of core/vmm.h by default). */
struct tdx_chan_vmm_ops {
	uint32_t (*vcpu_index)(const struct coco_vmm_vcpu *vcpu);
	int (*get_regs)(struct coco_vmm_vcpu *vcpu, struct kvm_regs *regs);
	int (*set_regs)(struct coco_vmm_vcpu *vcpu, const struct kvm_regs *regs);
	int (*read_shared)(struct coco_vmm *vmm, uint64_t gpa, void *buf, size_t len);
	int (*write_shared)(struct coco_vmm *vmm, uint64_t gpa, const void *buf, size_t len);
	int (*convert)(struct coco_vmm *vmm, uint64_t gpa, uint64_t size, enum coco_mem_state to);
	/* Port I/O of TDG.VP.VMCALL<Instruction.IO> (coco_vmm_guest_port_io). */
	int (*port_io)(struct coco_vmm_vcpu *vcpu, uint16_t port, bool out, uint8_t size,
		       uint32_t *value);
	/* coco_vmm_end with a finished message; returns COCO_VMM_DONE. */
	int (*end)(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *reason);
};

/*
 * The channel's open with @ops instead of coco-vmm's helpers.  @vm is a
 * launched (finalised) VM of "tdx-model".  Close with the channel's close.
 */
int tdx_chan_open_with(const struct tdx_chan_vmm_ops *ops, struct coco_vmm *vmm,
		       struct coco_vm *vm, void **state);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX hardware path: Linux KVM (KVM_X86_TDX_VM, guest_memfd, memory
 * attributes, KVM_TDX_* commands), every kernel call through the KVM seam
 * (core/kvm.h).  Same structure as the SEV-SNP path (sev-snp/kvm-snp.h).
 *
 *   hw-probe.c    the structured probe of a TDX host
 *   kvm-host.c    the opened host: /dev/kvm, KVM_TDX_CAPABILITIES
 *   kvm-tdx.c     VMs: creation (on core/kvm-vm.h), the launch sink
 *   backend-hw.c  the "tdx" backend table
 */
#ifndef COCO_TDX_KVM_TDX_H
#define COCO_TDX_KVM_TDX_H

#include <stdbool.h>
#include <stdint.h>

#include "backends/backend.h"
#include "core/kvm-dev.h"
#include "core/kvm-vm.h"
#include "tdx/launch.h"
#include "tdx/tdx-uapi.h"

#define TDX_KVM_INTEL_PARAM_PATH "/sys/module/kvm_intel/parameters/tdx"
/* The misc cgroup's capacity file: "tdx N" is the number of TDX guest KeyIDs. */
#define TDX_MISC_CAPACITY_PATH "/sys/fs/cgroup/misc.capacity"

/* ------------------------------------------------------------------ */
/* Probe                                                                */

/* Every check of a TDX host, each with what was found and what to do. */
int tdx_hw_probe(struct coco_probe_result *result);

/* ------------------------------------------------------------------ */
/* Host                                                                 */

/* The VM type check of the probe and of host open. */
extern const struct coco_kvm_type_check tdx_kvm_vm_type;

struct tdx_kvm_host {
	struct coco_kvm_dev dev;		/* /dev/kvm */
	struct tdx_kvm_capabilities *caps;	/* KVM_TDX_CAPABILITIES, with its CPUID entries */
	uint32_t keyids;			/* TDX guest KeyIDs (misc cgroup), 0 unknown */
};

int tdx_kvm_host_open(struct tdx_kvm_host **host);
void tdx_kvm_host_close(struct tdx_kvm_host *host);
/* Fill the platform facts of @caps (guests, page types, tdx.* details). */
int tdx_kvm_host_caps(struct tdx_kvm_host *host, struct coco_caps *caps);

/*
 * KVM_TDX_CAPABILITIES on the TD @vm_fd into a new buffer (free()), room
 * for the CPUID entries grown on -E2BIG.
 */
int tdx_kvm_get_capabilities(int vm_fd, struct tdx_kvm_capabilities **out);

/* @leaf of tdx_kvm_cmd_err for commands that run no SEAMCALL of their own. */
#define TDX_KVM_NO_LEAF UINT64_MAX

/*
 * The message of a failed KVM_TDX_* command: @op, the errno, the TDX
 * module's status by name and number with the operand it names (@hw_error
 * of SEAMCALL @leaf; 0: KVM refused before any SEAMCALL), the module's
 * remediation for it or else @hint (optional), and @ctx (what was asked).
 * Returns @err.
 */
int tdx_kvm_cmd_err(int err, const char *op, uint64_t leaf, uint64_t hw_error, const char *hint,
		    const char *ctx);

/* ------------------------------------------------------------------ */
/* VMs                                                                  */

struct tdx_kvm_vm {
	struct coco_kvm_vm kvm;		/* VM fd, memory slots, vCPUs */
	struct tdx_kvm_host *host;
	bool initialized;		/* KVM_TDX_INIT_VM done */
	bool vcpus_initialized;		/* every vCPU through KVM_TDX_INIT_VCPU */
};

/*
 * KVM_CREATE_VM(KVM_X86_TDX_VM) and the VM settings a TD needs before its
 * vCPUs (split irqchip, 25 MHz APIC bus).  The caller stores the result as
 * the TDX backend state (tdx_vm_of(vm)->backend) before memory slots are
 * added.
 */
int tdx_kvm_vm_create(struct coco_vm *vm, struct tdx_kvm_host *host, struct tdx_kvm_vm **out);
/* Close the vCPUs, the guest_memfds and the VM (slot mappings stay with the core). */
void tdx_kvm_vm_destroy(struct coco_vm *vm, struct tdx_kvm_vm *kvm);

/* mem_slot_add / mem_convert ops of the backend. */
int tdx_kvm_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot);
int tdx_kvm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			enum coco_mem_state to);

/* The launch sink that drives KVM's TDX commands. */
extern const struct tdx_launch_sink_ops tdx_kvm_sink;

/* ------------------------------------------------------------------ */
/* coco-vmm (hw-guest-channel.c)                                        */

struct coco_guest_channel;

/* The backend's vmm_kvm_vm op: the KVM VM the launch made (NULL for dry runs). */
struct coco_kvm_vm *tdx_hw_vmm_kvm_vm(struct coco_vm *vm);

/*
 * The hardware guest channel: KVM_EXIT_TDX (GetQuote, GetTdVmCallInfo,
 * SetupEventNotifyInterrupt) and the TDX fatal-error system event.
 */
extern const struct coco_guest_channel tdx_hw_guest_channel;

#endif

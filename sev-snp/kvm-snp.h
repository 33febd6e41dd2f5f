/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP hardware path: Linux KVM (KVM_X86_SNP_VM, guest_memfd,
 * memory attributes, KVM_SEV_SNP_LAUNCH_*) and /dev/sev, every kernel call
 * through the KVM seam (core/kvm.h).
 *
 *   hw-probe.c        the structured probe of an SNP host
 *   kvm-host.c        the opened host: /dev/kvm, /dev/sev, capabilities
 *   kvm-snp.c         VMs: creation (on core/kvm-vm.h), the launch sink
 *   kvm-vcpu-state.c  vCPU registers from which KVM builds the VMSA it measures
 *   backend-hw.c      the "sev-snp" backend table
 *   hw-guest-channel.c  coco-vmm's guest channel on hardware
 */
#ifndef COCO_SNP_KVM_SNP_H
#define COCO_SNP_KVM_SNP_H

#include <stdbool.h>
#include <stdint.h>

#include "backends/backend.h"
#include "core/kvm-dev.h"
#include "core/kvm-vm.h"
#include "sev-snp/launch.h"
#include "sev-snp/snp-defs.h"

/* ------------------------------------------------------------------ */
/* Probe                                                                */

/* Every check of an SNP host, each with what was found and what to do. */
int snp_hw_probe(struct coco_probe_result *result);

/* ------------------------------------------------------------------ */
/* Host                                                                 */

/* The VM type check of the probe and of host open. */
extern const struct coco_kvm_type_check snp_kvm_vm_type;

struct snp_kvm_host {
	struct coco_kvm_dev dev;	/* /dev/kvm */
	int sev_fd;			/* /dev/sev, handed to every KVM SEV command */
	bool vmsa_features_known;	/* KVM reported the features INIT2 accepts */
	uint64_t vmsa_features_supported;
	uint32_t snp_asids;		/* ASIDs usable by SEV-ES/SNP guests (CPUID), 0 unknown */
	struct snp_platform_status status;
};

int snp_kvm_host_open(struct snp_kvm_host **host);
void snp_kvm_host_close(struct snp_kvm_host *host);
/* Fill the platform facts of @caps (firmware, TCB, guests, snp.* details). */
int snp_kvm_host_caps(struct snp_kvm_host *host, struct coco_caps *caps);

/* ------------------------------------------------------------------ */
/* VMs                                                                  */

struct snp_kvm_vm {
	struct coco_kvm_vm kvm;		/* VM fd, memory slots, vCPUs */
	struct snp_kvm_host *host;
	uint64_t init_vmsa_features;	/* what KVM_SEV_INIT2 was given */
	uint64_t vmsa_features;		/* what KVM puts in every VMSA (adds SNPActive) */
};

/*
 * KVM_CREATE_VM(KVM_X86_SNP_VM) and KVM_SEV_INIT2 for @vm on @host.  The
 * caller stores the result as the SNP backend state (snp_vm_of(vm)->backend)
 * before memory slots are added.
 */
int snp_kvm_vm_create(struct coco_vm *vm, struct snp_kvm_host *host, struct snp_kvm_vm **out);
/* Close the vCPUs, the guest_memfds and the VM (slot mappings stay with the core). */
void snp_kvm_vm_destroy(struct coco_vm *vm, struct snp_kvm_vm *kvm);

/* mem_slot_add / mem_convert ops of the backend. */
int snp_kvm_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot);
int snp_kvm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			enum coco_mem_state to);

/* The launch sink that drives KVM's SNP launch commands. */
extern const struct snp_launch_sink_ops snp_kvm_sink;

/* ------------------------------------------------------------------ */
/* coco-vmm (hw-guest-channel.c)                                        */

struct coco_guest_channel;

/* The backend's vmm_kvm_vm op: the KVM VM the launch made (NULL for dry runs). */
struct coco_kvm_vm *snp_hw_vmm_kvm_vm(struct coco_vm *vm);

/* The hardware guest channel: KVM serves the GHCB; SEV termination ends the run. */
extern const struct coco_guest_channel snp_hw_guest_channel;

/* ------------------------------------------------------------------ */
/* vCPU reset state                                                     */

/*
 * Create vCPU @index and load the registers from which KVM will build
 * exactly @vmsa when it measures the VMSAs at LAUNCH_FINISH.  Refuses a
 * VMSA that KVM cannot reproduce (state it does not derive from vCPU
 * registers, SEV features other than the VM's).
 */
int snp_kvm_vcpu_load_vmsa(int vcpu_fd, const uint8_t vmsa[SNP_PAGE_SIZE],
			   uint64_t vm_vmsa_features, uint32_t index);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vendor-neutral part of a confidential VM on Linux KVM, shared by the
 * SEV-SNP and TDX hardware paths: the VM fd (KVM_CREATE_VM with the
 * vendor's type), its memory (one guest_memfd per memory slot for the
 * private side, the core's mapping for the shared side, memory attributes
 * for the state, hole punching when pages turn shared) and its vCPUs
 * (KVM_CREATE_VCPU and the kvm_run mapping).  Every kernel call goes
 * through the KVM seam (core/kvm.h).
 */
#ifndef COCO_CORE_KVM_VM_H
#define COCO_CORE_KVM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/internal.h"

#define COCO_KVM_DEV_PATH "/dev/kvm"

struct coco_kvm_vcpu {
	int fd;
	void *run;			/* struct kvm_run mapping */
	uint32_t index;
};

struct coco_kvm_vm {
	const char *vendor;		/* names the backend in messages: "sev-snp", "tdx" */
	int vm_fd;
	int vcpu_mmap_size;		/* KVM_GET_VCPU_MMAP_SIZE */
	struct coco_kvm_vcpu *vcpus;
	uint32_t nvcpus;
	uint32_t next_kvm_slot;
};

/*
 * KVM_CREATE_VM(@type) on @kvm_fd into @k.  @type_name names the type in
 * messages; @einval_hint says what to do when KVM refuses the type.
 */
int coco_kvm_vm_open(struct coco_kvm_vm *k, const char *vendor, int kvm_fd, int vcpu_mmap_size,
		     unsigned long type, const char *type_name, const char *einval_hint);

/*
 * Close the vCPUs, the guest_memfds of @vm's slots and the VM fd (the
 * slots' mappings stay with the core).  @k's memory is the caller's.
 */
void coco_kvm_vm_close(struct coco_vm *vm, struct coco_kvm_vm *k);

/* KVM_SET_MEMORY_ATTRIBUTES of [gpa, gpa + size): private or shared. */
int coco_kvm_vm_set_private(struct coco_kvm_vm *k, uint64_t gpa, uint64_t size, bool private_);

/*
 * A memory slot the core added: a guest_memfd for its private side,
 * KVM_SET_USER_MEMORY_REGION2 with both sides, and the runs the core's
 * tracker has private made private in KVM.  On failure nothing stays.
 */
int coco_kvm_vm_mem_slot_add(struct coco_vm *vm, struct coco_kvm_vm *k,
			     struct coco_mem_slot *slot);

/*
 * A conversion the core validated: the attributes, and for pages turned
 * shared the private copies freed (undone if that fails).
 */
int coco_kvm_vm_mem_convert(struct coco_vm *vm, struct coco_kvm_vm *k, uint64_t gpa,
			    uint64_t size, enum coco_mem_state to);

/*
 * KVM_CREATE_VCPU(@index) and its kvm_run mapping; the vCPU joins
 * k->vcpus (closed by coco_kvm_vm_close) and is returned in @out.
 */
int coco_kvm_vm_add_vcpu(struct coco_kvm_vm *k, uint32_t index, struct coco_kvm_vcpu **out);

#endif

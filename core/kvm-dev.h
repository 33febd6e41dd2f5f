/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The /dev/kvm side of a confidential VM host, shared by the SEV-SNP and
 * TDX hardware paths: the probe checks every such host needs (the device,
 * the API version, the vendor's VM type, guest_memfd and private memory
 * attributes), and the opened device with the facts VMs need.  Vendors
 * supply the words: which check, which VM type, what to do when it fails.
 */
#ifndef COCO_CORE_KVM_DEV_H
#define COCO_CORE_KVM_DEV_H

#include <stdbool.h>
#include <stdint.h>

#include "backends/backend.h"

/* ------------------------------------------------------------------ */
/* Probe checks                                                         */

/* Remediation of the checks that need /dev/kvm when it is not usable. */
extern const char coco_kvm_fix_dev_first[];

/*
 * Check "/dev/kvm": open it read-write into *@kvm_fd (-1 if it fails).
 * @missing_hint says what to do when the node does not exist.
 */
void coco_kvm_probe_dev(struct coco_probe_result *r, const char *missing_hint, int *kvm_fd);

/* Check "KVM API version": KVM_GET_API_VERSION says 12. */
void coco_kvm_probe_api_version(struct coco_probe_result *r, int kvm_fd);

/* What a vendor's VM type check says. */
struct coco_kvm_type_check {
	const char *check;		/* e.g. "KVM SNP VM type" */
	unsigned long type;		/* KVM_CREATE_VM machine type */
	const char *type_name;		/* e.g. "KVM_X86_SNP_VM" */
	const char *kernel_hint;	/* no KVM_CAP_VM_TYPES: which kernel to boot */
	const char *enable_hint;	/* the type is not offered: how to enable it */
};

/* Check that KVM_CAP_VM_TYPES offers @t->type. */
void coco_kvm_probe_vm_type(struct coco_probe_result *r, int kvm_fd,
			    const struct coco_kvm_type_check *t);

/* Which memory capabilities one check covers. */
#define COCO_KVM_PROBE_GUEST_MEMFD (1u << 0)	/* KVM_CAP_GUEST_MEMFD */
#define COCO_KVM_PROBE_USER_MEMORY2 (1u << 1)	/* KVM_CAP_USER_MEMORY2 */
#define COCO_KVM_PROBE_PRIVATE_ATTR (1u << 2)	/* KVM_CAP_MEMORY_ATTRIBUTES has PRIVATE */

/* Check @check: KVM has every capability of @what (COCO_KVM_PROBE_*). */
void coco_kvm_probe_memory(struct coco_probe_result *r, int kvm_fd, const char *check,
			   unsigned int what, const char *hint);

/* ------------------------------------------------------------------ */
/* The opened device                                                    */

struct coco_kvm_dev {
	int fd;				/* /dev/kvm, -1 when closed */
	int api_version;
	uint64_t vm_types;		/* KVM_CAP_VM_TYPES mask */
	int vcpu_mmap_size;		/* KVM_GET_VCPU_MMAP_SIZE */
};

/*
 * Open /dev/kvm for VMs of @t->type: API 12, the type offered, guest_memfd
 * and KVM_SET_USER_MEMORY_REGION2 present.  @vendor prefixes messages;
 * @open_hint says what to do when the device does not open.  On failure
 * nothing stays open.
 */
int coco_kvm_dev_open(struct coco_kvm_dev *d, const char *vendor,
		      const struct coco_kvm_type_check *t, const char *open_hint);
void coco_kvm_dev_close(struct coco_kvm_dev *d);

#endif

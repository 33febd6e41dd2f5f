/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for the uapi headers of a kernel with TDX host support (Linux
 * 6.16: asm/kvm.h, linux/kvm.h) on top of uapi-newer-kernel.h, for build
 * hosts that only have older ones.  The definitions follow the kernel's own
 * spelling -- macros where the kernel uses macros, enum constants where it
 * uses enums, the kernel's struct names and its trailing struct kvm_cpuid2
 * -- with the documented values (../shared/specs/tdx.md section 6, checked
 * against the kernel's arch/x86/include/uapi/asm/kvm.h).  Included ahead
 * of tdx/tdx-uapi.h, it checks that our header neither clashes with such
 * headers nor disagrees with them.
 */
#ifndef COCO_TEST_UAPI_NEWER_KERNEL_TDX_H
#define COCO_TEST_UAPI_NEWER_KERNEL_TDX_H

#include "tests/common/uapi-newer-kernel.h"

#define KVM_CAP_X86_APIC_BUS_CYCLES_NS 237

#define KVM_X86_TDX_VM 5

enum kvm_tdx_cmd_id {
	KVM_TDX_CAPABILITIES = 0,
	KVM_TDX_INIT_VM,
	KVM_TDX_INIT_VCPU,
	KVM_TDX_INIT_MEM_REGION,
	KVM_TDX_FINALIZE_VM,
	KVM_TDX_GET_CPUID,

	KVM_TDX_CMD_NR_MAX,
};

struct kvm_tdx_cmd {
	__u32 id;
	__u32 flags;
	__u64 data;
	__u64 hw_error;
};

struct kvm_tdx_capabilities {
	__u64 supported_attrs;
	__u64 supported_xfam;

	__u64 kernel_tdvmcallinfo_1_r11;
	__u64 user_tdvmcallinfo_1_r11;
	__u64 kernel_tdvmcallinfo_1_r12;
	__u64 user_tdvmcallinfo_1_r12;

	__u64 reserved[250];

	struct kvm_cpuid2 cpuid;
};

struct kvm_tdx_init_vm {
	__u64 attributes;
	__u64 xfam;
	__u64 mrconfigid[6];
	__u64 mrowner[6];
	__u64 mrownerconfig[6];

	__u64 reserved[12];

	struct kvm_cpuid2 cpuid;
};

#define KVM_TDX_MEASURE_MEMORY_REGION (1ULL << 0)

struct kvm_tdx_init_mem_region {
	__u64 source_addr;
	__u64 gpa;
	__u64 nr_pages;
};

#endif

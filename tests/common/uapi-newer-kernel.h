/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-in for the uapi headers of a kernel with SEV-SNP host support
 * (Linux 6.12: linux/kvm.h, asm/kvm.h, linux/psp-sev.h), for build hosts
 * that only have older ones.  The definitions follow the kernel's own
 * spelling -- macros where the kernel uses macros, enum constants where it
 * uses enums, the kernel's struct names -- with the documented values
 * (../shared/specs/snp.md section 8).  Included ahead of
 * sev-snp/snp-uapi.h, it checks that our header neither clashes with such
 * headers nor disagrees with them (the static assertions it runs when the kernel headers know KVM_X86_SNP_VM).
 */
#ifndef COCO_TEST_UAPI_NEWER_KERNEL_H
#define COCO_TEST_UAPI_NEWER_KERNEL_H

#include <linux/kvm.h>
#include <linux/psp-sev.h>
#include <linux/types.h>

#define KVM_CAP_USER_MEMORY2 231
#define KVM_CAP_MEMORY_FAULT_INFO 232
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#define KVM_CAP_GUEST_MEMFD 234
#define KVM_CAP_VM_TYPES 235

#define KVM_X86_DEFAULT_VM 0
#define KVM_X86_SW_PROTECTED_VM 1
#define KVM_X86_SEV_VM 2
#define KVM_X86_SEV_ES_VM 3
#define KVM_X86_SNP_VM 4

#define KVM_X86_GRP_SEV 1
#define KVM_X86_SEV_VMSA_FEATURES 0

/* In the kernel these continue enum sev_cmd_id; a separate enum has the same values. */
enum {
	KVM_SEV_INIT2 = 22,
	KVM_SEV_SNP_LAUNCH_START = 100,
	KVM_SEV_SNP_LAUNCH_UPDATE,
	KVM_SEV_SNP_LAUNCH_FINISH,
};

struct kvm_sev_init {
	__u64 vmsa_features;
	__u32 flags;
	__u16 ghcb_version;
	__u16 pad1;
	__u32 pad2[8];
};

struct kvm_sev_snp_launch_start {
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;
	__u8 pad0[6];
	__u64 pad1[4];
};

#define KVM_SEV_SNP_PAGE_TYPE_NORMAL 0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO 0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED 0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS 0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID 0x6

struct kvm_sev_snp_launch_update {
	__u64 gfn_start;
	__u64 uaddr;
	__u64 len;
	__u8 type;
	__u8 pad0;
	__u16 flags;
	__u32 pad1;
	__u64 pad2[4];
};

#define KVM_SEV_SNP_ID_BLOCK_SIZE 96
#define KVM_SEV_SNP_ID_AUTH_SIZE 4096
#define KVM_SEV_SNP_FINISH_DATA_SIZE 32

struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE];
	__u8 pad0[3];
	__u16 flags;
	__u64 pad1[4];
};

struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)

struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_MEM_GUEST_MEMFD (1UL << 2)
#define KVM_SET_USER_MEMORY_REGION2 _IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)

struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#define KVM_SET_MEMORY_ATTRIBUTES _IOW(KVMIO, 0xd2, struct kvm_memory_attributes)

/* psp-sev.h: the SNP user commands continue the anonymous command enum. */
enum {
	SNP_PLATFORM_STATUS = 9,
	SNP_COMMIT,
	SNP_SET_CONFIG,
	SNP_VLEK_LOAD,
};

struct sev_user_data_snp_status {
	__u8 api_major;
	__u8 api_minor;
	__u8 state;
	__u8 is_rmp_initialized : 1;
	__u8 rsvd : 7;
	__u32 build_id;
	__u32 mask_chip_id : 1;
	__u32 mask_chip_key : 1;
	__u32 vlek_en : 1;
	__u32 feature_info : 1;
	__u32 rapl_dis : 1;
	__u32 ciphertext_hiding_cap : 1;
	__u32 ciphertext_hiding_en : 1;
	__u32 rsvd1 : 25;
	__u32 guest_count;
	__u64 current_tcb_version;
	__u64 reported_tcb_version;
} __attribute__((packed));

#endif

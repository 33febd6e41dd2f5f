/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Linux user ABI of the SEV-SNP hardware path: KVM's SNP VM type and
 * launch commands, and /dev/sev's SNP_PLATFORM_STATUS.  The vendor-neutral
 * part (guest_memfd, KVM_SET_USER_MEMORY_REGION2, memory attributes, VM
 * types, KVM_MEMORY_ENCRYPT_OP) is core/kvm-uapi.h.
 *
 * Build hosts may carry older kernel headers (Debian 12: Linux 6.1, which
 * has none of this), so each definition here is our own, written from the
 * documented ABI (../shared/specs/snp.md sections 4.6 and 8; Linux
 * include/uapi/linux/kvm.h, arch/x86/include/uapi/asm/kvm.h,
 * include/uapi/linux/psp-sev.h, Documentation/virt/kvm/x86/
 * amd-memory-encryption.rst).
 *
 * - Structures carry our own names (snp_kvm_*, snp_sev_*), so they never
 *   clash with the kernel's when newer headers define them too.
 * - Numbers the kernel defines as macros are guarded with #ifndef: with new
 *   headers the kernel's macro wins, and the static assertions below check
 *   that it equals the documented value.
 * - Numbers the kernel defines as enum constants (KVM_SEV_INIT2,
 *   KVM_SEV_SNP_LAUNCH_*, SNP_PLATFORM_STATUS) cannot be detected by the
 *   preprocessor, so they get our own SNP_* names; with headers from a
 *   kernel that has them, they are checked against the kernel's values.
 *
 * Sizes, field offsets and ioctl numbers are pinned by _Static_assert.
 */
#ifndef COCO_SNP_UAPI_H
#define COCO_SNP_UAPI_H

#include <stddef.h>
#include <stdint.h>

#include <linux/ioctl.h>
#include <linux/kvm.h>
#include <linux/psp-sev.h>

#include "core/kvm-uapi.h"

/*
 * Headers that define the SNP VM type (Linux 6.11+) also define the SNP
 * launch commands and everything older this file falls back on: note it
 * before the fallbacks below define KVM_X86_SNP_VM themselves.
 */
#ifdef KVM_X86_SNP_VM
#define SNP_UAPI_KERNEL_HEADERS_HAVE_SNP 1
#endif

/* ------------------------------------------------------------------ */
/* VM type (asm/kvm.h)                                                 */

/* KVM_CREATE_VM machine type of an SEV-SNP guest (asm/kvm.h). */
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM 4
#endif

/* /dev/kvm device attributes of SEV (asm/kvm.h; KVM_GET_DEVICE_ATTR on /dev/kvm). */
#ifndef KVM_X86_GRP_SEV
#define KVM_X86_GRP_SEV 1
#endif
#ifndef KVM_X86_SEV_VMSA_FEATURES
#define KVM_X86_SEV_VMSA_FEATURES 0	/* u64: VMSA features KVM_SEV_INIT2 accepts */
#endif

/* ------------------------------------------------------------------ */
/* KVM_MEMORY_ENCRYPT_OP's SEV commands (asm/kvm.h)                    */

/* struct kvm_sev_cmd: the argument of KVM_MEMORY_ENCRYPT_OP (24 bytes). */
struct snp_kvm_sev_cmd {
	uint32_t id;		/* enum sev_cmd_id */
	uint32_t pad0;
	uint64_t data;		/* user pointer to the command's struct */
	uint32_t error;		/* out: SEV firmware status (SEV_RET_*) */
	uint32_t sev_fd;	/* an open /dev/sev: proves the caller may use the PSP */
};

/* enum sev_cmd_id values (asm/kvm.h). */
#define SNP_KVM_SEV_INIT2 22u
#define SNP_KVM_SEV_SNP_LAUNCH_START 100u
#define SNP_KVM_SEV_SNP_LAUNCH_UPDATE 101u
#define SNP_KVM_SEV_SNP_LAUNCH_FINISH 102u

/* struct kvm_sev_init: KVM_SEV_INIT2 (48 bytes). */
struct snp_kvm_sev_init {
	uint64_t vmsa_features;	/* SEV_FEATURES of every VMSA, minus what KVM adds */
	uint32_t flags;		/* must be zero */
	uint16_t ghcb_version;	/* highest GHCB protocol version; SNP needs >= 2 */
	uint16_t pad1;
	uint32_t pad2[8];
};

/* struct kvm_sev_snp_launch_start (64 bytes). */
struct snp_kvm_launch_start {
	uint64_t policy;	/* guest policy; KVM requires bit 17 */
	uint8_t gosvw[16];	/* guest OS visible workarounds */
	uint16_t flags;		/* must be zero */
	uint8_t pad0[6];
	uint64_t pad1[4];
};

/* Page types KVM_SEV_SNP_LAUNCH_UPDATE accepts (asm/kvm.h KVM_SEV_SNP_PAGE_TYPE_*). */
#define SNP_KVM_PAGE_TYPE_NORMAL 0x1
#define SNP_KVM_PAGE_TYPE_ZERO 0x3
#define SNP_KVM_PAGE_TYPE_UNMEASURED 0x4
#define SNP_KVM_PAGE_TYPE_SECRETS 0x5
#define SNP_KVM_PAGE_TYPE_CPUID 0x6

/*
 * struct kvm_sev_snp_launch_update (64 bytes).  KVM updates gfn_start,
 * uaddr (not for ZERO pages) and len to the part not done yet.
 */
struct snp_kvm_launch_update {
	uint64_t gfn_start;	/* first guest frame; must be private already */
	uint64_t uaddr;		/* source, 4 KiB aligned; ignored for ZERO */
	uint64_t len;		/* bytes, 4 KiB multiple */
	uint8_t type;		/* SNP_KVM_PAGE_TYPE_* */
	uint8_t pad0;
	uint16_t flags;		/* must be zero */
	uint32_t pad1;
	uint64_t pad2[4];
};

/* Sizes KVM copies from the id_block/id_auth user pointers (asm/kvm.h). */
#define SNP_KVM_ID_BLOCK_SIZE 96
#define SNP_KVM_ID_AUTH_SIZE 4096
#define SNP_KVM_HOST_DATA_SIZE 32

/* struct kvm_sev_snp_launch_finish (88 bytes). */
struct snp_kvm_launch_finish {
	uint64_t id_block_uaddr;
	uint64_t id_auth_uaddr;
	uint8_t id_block_en;
	uint8_t auth_key_en;
	uint8_t vcek_disabled;
	uint8_t host_data[SNP_KVM_HOST_DATA_SIZE];
	uint8_t pad0[3];
	uint16_t flags;		/* must be zero */
	uint64_t pad1[4];
};

/* ------------------------------------------------------------------ */
/* /dev/sev (include/uapi/linux/psp-sev.h)                             */

/* struct sev_issue_cmd: packed, 16 bytes. */
struct snp_sev_issue_cmd {
	uint32_t cmd;		/* SNP_SEV_CMD_* */
	uint64_t data;		/* user pointer to the command's buffer */
	uint32_t error;		/* out: firmware status (SEV_RET_*) */
} __attribute__((packed));

#ifndef SEV_ISSUE_CMD
#define SEV_ISSUE_CMD _IOWR('S', 0x0, struct snp_sev_issue_cmd)
#endif

/*
 * Value the kernel leaves in an `error` field when it failed before calling
 * the firmware (psp-sev.h SEV_RET_NO_FW_CALL = -1).
 */
#define SNP_SEV_RET_NO_FW_CALL 0xFFFFFFFFu

/* /dev/sev command of SNP_PLATFORM_STATUS (psp-sev.h enum, user commands). */
#define SNP_SEV_CMD_SNP_PLATFORM_STATUS 9u

/*
 * struct sev_user_data_snp_status: packed, 32 bytes, the firmware's
 * SNP_PLATFORM_STATUS output as is (decode with snp_platform_status_decode).
 */
struct snp_sev_user_snp_status {
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t state;			/* 0 UNINIT, 1 INIT */
	uint8_t rmp_flags;		/* bit 0 IS_RMP_INITIALIZED */
	uint32_t build_id;
	uint32_t feature_flags;		/* bit 0 MASK_CHIP_ID, 1 MASK_CHIP_KEY, 2 VLEK_EN, ... */
	uint32_t guest_count;
	uint64_t current_tcb_version;
	uint64_t reported_tcb_version;
} __attribute__((packed));

/* ------------------------------------------------------------------ */
/* The documented layout, pinned (snp.md sections 4.6 and 8)           */

_Static_assert(sizeof(struct snp_kvm_sev_cmd) == 24, "struct kvm_sev_cmd is 24 bytes");
_Static_assert(offsetof(struct snp_kvm_sev_cmd, data) == 8, "kvm_sev_cmd.data @8");
_Static_assert(offsetof(struct snp_kvm_sev_cmd, error) == 16, "kvm_sev_cmd.error @16");
_Static_assert(offsetof(struct snp_kvm_sev_cmd, sev_fd) == 20, "kvm_sev_cmd.sev_fd @20");

_Static_assert(sizeof(struct snp_kvm_sev_init) == 48, "struct kvm_sev_init is 48 bytes");
_Static_assert(offsetof(struct snp_kvm_sev_init, ghcb_version) == 12, "ghcb_version @12");

_Static_assert(sizeof(struct snp_kvm_launch_start) == 64, "launch_start is 64 bytes");
_Static_assert(offsetof(struct snp_kvm_launch_start, gosvw) == 8, "gosvw @8");
_Static_assert(offsetof(struct snp_kvm_launch_start, flags) == 24, "flags @0x18");

_Static_assert(sizeof(struct snp_kvm_launch_update) == 64, "launch_update is 64 bytes");
_Static_assert(offsetof(struct snp_kvm_launch_update, len) == 16, "len @0x10");
_Static_assert(offsetof(struct snp_kvm_launch_update, type) == 24, "type @0x18");
_Static_assert(offsetof(struct snp_kvm_launch_update, flags) == 26, "flags @0x1a");

_Static_assert(sizeof(struct snp_kvm_launch_finish) == 88, "launch_finish is 88 bytes");
_Static_assert(offsetof(struct snp_kvm_launch_finish, id_block_en) == 0x10, "id_block_en @0x10");
_Static_assert(offsetof(struct snp_kvm_launch_finish, host_data) == 0x13, "host_data @0x13");
_Static_assert(offsetof(struct snp_kvm_launch_finish, flags) == 0x36, "flags @0x36");

_Static_assert(sizeof(struct snp_sev_issue_cmd) == 16, "struct sev_issue_cmd is 16 bytes");
_Static_assert(offsetof(struct snp_sev_issue_cmd, data) == 4, "sev_issue_cmd.data @4");
_Static_assert(offsetof(struct snp_sev_issue_cmd, error) == 12, "sev_issue_cmd.error @0xc");

_Static_assert(sizeof(struct snp_sev_user_snp_status) == 32, "snp status is 32 bytes");
_Static_assert(offsetof(struct snp_sev_user_snp_status, build_id) == 4, "build_id @4");
_Static_assert(offsetof(struct snp_sev_user_snp_status, guest_count) == 0xc, "guest_count @0xc");
_Static_assert(offsetof(struct snp_sev_user_snp_status, current_tcb_version) == 0x10,
	       "current_tcb @0x10");
_Static_assert(offsetof(struct snp_sev_user_snp_status, reported_tcb_version) == 0x18,
	       "reported_tcb @0x18");

/* ioctl numbers as the spec prints them (snp.md section 8, 4.6). */
_Static_assert(SEV_ISSUE_CMD == 0xC0105300ul, "SEV_ISSUE_CMD");

_Static_assert(KVM_X86_SNP_VM == 4, "KVM_X86_SNP_VM");
_Static_assert(KVM_X86_GRP_SEV == 1 && KVM_X86_SEV_VMSA_FEATURES == 0, "SEV device attrs");

/*
 * With headers of a kernel that has SNP host support (6.11+), the kernel's
 * own definitions must agree with ours.
 */
#ifdef SNP_UAPI_KERNEL_HEADERS_HAVE_SNP
_Static_assert(KVM_SEV_INIT2 == SNP_KVM_SEV_INIT2, "KVM_SEV_INIT2");
_Static_assert(KVM_SEV_SNP_LAUNCH_START == SNP_KVM_SEV_SNP_LAUNCH_START, "LAUNCH_START");
_Static_assert(KVM_SEV_SNP_LAUNCH_UPDATE == SNP_KVM_SEV_SNP_LAUNCH_UPDATE, "LAUNCH_UPDATE");
_Static_assert(KVM_SEV_SNP_LAUNCH_FINISH == SNP_KVM_SEV_SNP_LAUNCH_FINISH, "LAUNCH_FINISH");
_Static_assert(SNP_PLATFORM_STATUS == SNP_SEV_CMD_SNP_PLATFORM_STATUS, "SNP_PLATFORM_STATUS");
_Static_assert(sizeof(struct kvm_sev_cmd) == sizeof(struct snp_kvm_sev_cmd), "kvm_sev_cmd");
_Static_assert(sizeof(struct kvm_sev_init) == sizeof(struct snp_kvm_sev_init), "kvm_sev_init");
_Static_assert(sizeof(struct kvm_sev_snp_launch_start) == sizeof(struct snp_kvm_launch_start),
	       "kvm_sev_snp_launch_start");
_Static_assert(sizeof(struct kvm_sev_snp_launch_update) == sizeof(struct snp_kvm_launch_update),
	       "kvm_sev_snp_launch_update");
_Static_assert(sizeof(struct kvm_sev_snp_launch_finish) == sizeof(struct snp_kvm_launch_finish),
	       "kvm_sev_snp_launch_finish");
_Static_assert(sizeof(struct sev_user_data_snp_status) == sizeof(struct snp_sev_user_snp_status),
	       "sev_user_data_snp_status");
#endif

#endif

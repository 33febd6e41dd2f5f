/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP firmware command buffers, byte for byte (SNP Firmware ABI command
 * buffer tables; offsets cross-checked with Linux include/linux/psp-sev.h
 * and AMD-ASPFW, ../shared/specs/snp.md section 4.3).  All fields are
 * little-endian; the static asserts pin sizes and offsets.
 */
#ifndef COCO_SNP_PSP_CMDBUF_H
#define COCO_SNP_PSP_CMDBUF_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "command buffers are little-endian");

#define SNP_PACKED __attribute__((packed))

/* SNP_INIT_EX (0x85), 0x40 bytes. */
#define SNP_INIT_EX_INIT_RMP (1u << 0)
#define SNP_INIT_EX_LIST_PADDR_EN (1u << 1)
#define SNP_INIT_EX_RAPL_DIS (1u << 2)
#define SNP_INIT_EX_CIPHERTEXT_HIDING_EN (1u << 3)
#define SNP_INIT_EX_TIO_EN (1u << 4)
struct snp_cmd_init_ex {
	uint32_t flags;
	uint32_t reserved;
	uint64_t list_paddr;		/* page of HV-Fixed ranges */
	uint16_t max_snp_asid;		/* with CIPHERTEXT_HIDING_EN */
	uint8_t reserved2[0x2e];
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_init_ex) == 0x40, "SNP_INIT_EX buffer");

/* The range list LIST_PADDR points at (one 4 KiB page). */
struct snp_init_range {
	uint64_t base;
	uint32_t page_count;
	uint32_t reserved;
} SNP_PACKED;
struct snp_init_range_list {
	uint32_t num_elements;
	uint32_t reserved;
	struct snp_init_range ranges[];
} SNP_PACKED;
#define SNP_INIT_RANGES_MAX ((4096 - 8) / 16)

/* SNP_SHUTDOWN_EX (0x86), 8 bytes. */
#define SNP_SHUTDOWN_EX_IOMMU (1u << 0)
#define SNP_SHUTDOWN_EX_X86 (1u << 1)
struct snp_cmd_shutdown_ex {
	uint32_t length;
	uint32_t flags;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_shutdown_ex) == 8, "SNP_SHUTDOWN_EX buffer");

/* SNP_PLATFORM_STATUS (0x83): address of the 32-byte status page. */
struct snp_cmd_platform_status {
	uint64_t status_paddr;
} SNP_PACKED;

/* SNP_GCTX_CREATE (0x93), SNP_DECOMMISSION (0x90). */
struct snp_cmd_gctx {
	uint64_t gctx_paddr;
} SNP_PACKED;

/* SNP_ACTIVATE (0x91), 0xC bytes. */
struct snp_cmd_activate {
	uint64_t gctx_paddr;
	uint32_t asid;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_activate) == 0xC, "SNP_ACTIVATE buffer");

/* SNP_GUEST_STATUS (0x92), 0x10 bytes, and its 0x20-byte output. */
struct snp_cmd_guest_status {
	uint64_t gctx_paddr;
	uint64_t status_paddr;
} SNP_PACKED;
struct snp_guest_status {
	uint64_t policy;
	uint32_t asid;
	uint8_t state;
	uint8_t reserved[3];
	uint32_t flags;			/* bit 0 VCEK_DIS */
	uint32_t reserved2;
	uint64_t reserved3;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_guest_status) == 0x20, "guest status");

/* SNP_LAUNCH_START (0xA0), 0x30 bytes. */
#define SNP_LAUNCH_START_MA_EN (1u << 0)
#define SNP_LAUNCH_START_IMI_EN (1u << 1)
struct snp_cmd_launch_start {
	uint64_t gctx_paddr;
	uint64_t policy;
	uint64_t ma_gctx_paddr;
	uint32_t flags;
	uint32_t desired_tsc_freq;	/* kHz, with SecureTSC */
	uint8_t gosvw[16];
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_launch_start) == 0x30, "SNP_LAUNCH_START buffer");
_Static_assert(offsetof(struct snp_cmd_launch_start, gosvw) == 0x20, "GOSVW offset");

/* SNP_LAUNCH_UPDATE (0xA1), 0x20 bytes. */
#define SNP_LAUNCH_UPDATE_PAGE_SIZE (1u << 0)
#define SNP_LAUNCH_UPDATE_TYPE_SHIFT 1
#define SNP_LAUNCH_UPDATE_TYPE_MASK (7u << 1)
#define SNP_LAUNCH_UPDATE_IMI_PAGE (1u << 4)
struct snp_cmd_launch_update {
	uint64_t gctx_paddr;
	uint32_t page_info;		/* page size, page type, IMI */
	uint32_t reserved;
	uint64_t page_paddr;
	uint32_t vmpl_perms;		/* 15:8 VMPL1, 23:16 VMPL2, 31:24 VMPL3 */
	uint32_t reserved2;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_launch_update) == 0x20, "SNP_LAUNCH_UPDATE buffer");
_Static_assert(offsetof(struct snp_cmd_launch_update, page_paddr) == 0x10, "PAGE_PADDR");

/* SNP_LAUNCH_FINISH (0xA2), 0x40 bytes. */
#define SNP_LAUNCH_FINISH_ID_BLOCK_EN (1ull << 0)
#define SNP_LAUNCH_FINISH_AUTH_KEY_EN (1ull << 1)
#define SNP_LAUNCH_FINISH_VCEK_DISABLED (1ull << 2)
struct snp_cmd_launch_finish {
	uint64_t gctx_paddr;
	uint64_t id_block_paddr;
	uint64_t id_auth_paddr;
	uint64_t flags;
	uint8_t host_data[32];
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_launch_finish) == 0x40, "SNP_LAUNCH_FINISH buffer");

/* ID block (0x60 bytes) and ID authentication information (4 KiB). */
struct snp_id_block {
	uint8_t ld[48];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t version;		/* 1 */
	uint32_t guest_svn;
	uint64_t policy;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_id_block) == 0x60, "ID block");

#define SNP_ID_AUTH_ALGO_ECDSA_P384_SHA384 1u
#define SNP_ECC_CURVE_P384 2u
/* Public key: u32 curve, Qx[72], Qy[72] little-endian, reserved to 0x404. */
struct snp_ecdsa_pubkey {
	uint32_t curve;
	uint8_t qx[72];
	uint8_t qy[72];
	uint8_t reserved[0x404 - 4 - 144];
} SNP_PACKED;
_Static_assert(sizeof(struct snp_ecdsa_pubkey) == 0x404, "ID/author key");
/* Signature: R[72], S[72] little-endian, reserved to 0x200. */
struct snp_ecdsa_sig {
	uint8_t r[72];
	uint8_t s[72];
	uint8_t reserved[0x200 - 144];
} SNP_PACKED;
_Static_assert(sizeof(struct snp_ecdsa_sig) == 0x200, "signature");
struct snp_id_auth {
	uint32_t id_key_algo;
	uint32_t auth_key_algo;
	uint8_t reserved[0x38];
	struct snp_ecdsa_sig id_block_sig;	/* 0x040 */
	struct snp_ecdsa_pubkey id_key;		/* 0x240 */
	uint8_t reserved2[0x3c];
	struct snp_ecdsa_sig id_key_sig;	/* 0x680: author key's signature of the ID key */
	struct snp_ecdsa_pubkey author_key;	/* 0x880 */
	uint8_t reserved3[0x1000 - 0xC84];
} SNP_PACKED;
_Static_assert(offsetof(struct snp_id_auth, id_block_sig) == 0x40, "ID_BLOCK_SIG");
_Static_assert(offsetof(struct snp_id_auth, id_key) == 0x240, "ID_KEY");
_Static_assert(offsetof(struct snp_id_auth, id_key_sig) == 0x680, "ID_KEY_SIG");
_Static_assert(offsetof(struct snp_id_auth, author_key) == 0x880, "AUTHOR_KEY");
_Static_assert(sizeof(struct snp_id_auth) == 0x1000, "ID auth page");

/* SNP_GUEST_REQUEST (0x94), 0x18 bytes. */
struct snp_cmd_guest_request {
	uint64_t gctx_paddr;
	uint64_t request_paddr;
	uint64_t response_paddr;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_guest_request) == 0x18, "SNP_GUEST_REQUEST buffer");

/* SNP_PAGE_RECLAIM (0xC7): page address, bit 0 = 2 MiB. */
struct snp_cmd_page_reclaim {
	uint64_t paddr;
} SNP_PACKED;

/* SNP_FEATURE_INFO (0xCE), 0x10 bytes; output EAX, EBX, ECX, EDX (16 bytes). */
#define SNP_FEATURE_INFO_SIZE 16u
struct snp_cmd_feature_info {
	uint32_t length;
	uint32_t ecx_in;
	uint64_t feature_info_paddr;
} SNP_PACKED;
_Static_assert(sizeof(struct snp_cmd_feature_info) == 0x10, "SNP_FEATURE_INFO buffer");

#endif

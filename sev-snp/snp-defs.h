/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP constants shared by the SNP folder.  Sources: AMD SEV-SNP
 * Firmware ABI specification (56860) command and status tables, Linux
 * include/uapi/linux/psp-sev.h, AMD-ASPFW; see ../shared/specs/snp.md.
 */
#ifndef COCO_SNP_DEFS_H
#define COCO_SNP_DEFS_H

#include <stdint.h>

#define SNP_PAGE_SIZE 4096u
#define SNP_LARGE_PAGE_SIZE (2u * 1024u * 1024u)
#define SNP_DIGEST_SIZE 48u			/* SHA-384 */

/* SNP_LAUNCH_UPDATE page types (Firmware ABI, PAGE_TYPE field). */
enum snp_page_type {
	SNP_PAGE_TYPE_NORMAL = 1,
	SNP_PAGE_TYPE_VMSA = 2,
	SNP_PAGE_TYPE_ZERO = 3,
	SNP_PAGE_TYPE_UNMEASURED = 4,
	SNP_PAGE_TYPE_SECRETS = 5,
	SNP_PAGE_TYPE_CPUID = 6,
};

/* VMSA fields the firmware zeroes before hashing a VMSA page (APM vol. 2 VMSA layout). */
#define SNP_VMSA_TSC_SCALE 0x2F0u
#define SNP_VMSA_TSC_OFFSET 0x2F8u

/* RMP GPA KVM gives every initial VMSA (arch/x86/kvm/svm/sev.c INITIAL_VMSA_GPA). */
#define SNP_INITIAL_VMSA_GPA 0xFFFFFFFFF000ull

/* PSP command IDs (Firmware ABI command table; Linux enum sev_cmd). */
enum snp_cmd {
	SNP_CMD_INIT = 0x81,
	SNP_CMD_SHUTDOWN = 0x82,
	SNP_CMD_PLATFORM_STATUS = 0x83,
	SNP_CMD_DF_FLUSH = 0x84,
	SNP_CMD_INIT_EX = 0x85,
	SNP_CMD_SHUTDOWN_EX = 0x86,
	SNP_CMD_DECOMMISSION = 0x90,
	SNP_CMD_ACTIVATE = 0x91,
	SNP_CMD_GUEST_STATUS = 0x92,
	SNP_CMD_GCTX_CREATE = 0x93,
	SNP_CMD_GUEST_REQUEST = 0x94,
	SNP_CMD_ACTIVATE_EX = 0x95,
	SNP_CMD_LAUNCH_START = 0xA0,
	SNP_CMD_LAUNCH_UPDATE = 0xA1,
	SNP_CMD_LAUNCH_FINISH = 0xA2,
	SNP_CMD_PAGE_RECLAIM = 0xC7,
	SNP_CMD_PAGE_UNSMASH = 0xC8,
	SNP_CMD_CONFIG = 0xC9,
	SNP_CMD_COMMIT = 0xCB,
	SNP_CMD_VLEK_LOAD = 0xCD,
	SNP_CMD_FEATURE_INFO = 0xCE,
};

/* Firmware status codes (CmdResp[15:0]; Linux enum sev_ret_code). */
enum snp_fw_status {
	SNP_RET_SUCCESS = 0x00,
	SNP_RET_INVALID_PLATFORM_STATE = 0x01,
	SNP_RET_INVALID_GUEST_STATE = 0x02,
	SNP_RET_INVALID_CONFIG = 0x03,
	SNP_RET_INVALID_LEN = 0x04,
	SNP_RET_ALREADY_OWNED = 0x05,
	SNP_RET_INVALID_CERTIFICATE = 0x06,
	SNP_RET_POLICY_FAILURE = 0x07,
	SNP_RET_INACTIVE = 0x08,
	SNP_RET_INVALID_ADDRESS = 0x09,
	SNP_RET_BAD_SIGNATURE = 0x0A,
	SNP_RET_BAD_MEASUREMENT = 0x0B,
	SNP_RET_ASID_OWNED = 0x0C,
	SNP_RET_INVALID_ASID = 0x0D,
	SNP_RET_WBINVD_REQUIRED = 0x0E,
	SNP_RET_DFFLUSH_REQUIRED = 0x0F,
	SNP_RET_INVALID_GUEST = 0x10,
	SNP_RET_INVALID_COMMAND = 0x11,
	SNP_RET_ACTIVE = 0x12,
	SNP_RET_HWERROR_PLATFORM = 0x13,
	SNP_RET_HWERROR_UNSAFE = 0x14,
	SNP_RET_UNSUPPORTED = 0x15,
	SNP_RET_INVALID_PARAM = 0x16,
	SNP_RET_RESOURCE_LIMIT = 0x17,
	SNP_RET_SECURE_DATA_INVALID = 0x18,
	SNP_RET_INVALID_PAGE_SIZE = 0x19,
	SNP_RET_INVALID_PAGE_STATE = 0x1A,
	SNP_RET_INVALID_MDATA_ENTRY = 0x1B,
	SNP_RET_INVALID_PAGE_OWNER = 0x1C,
	SNP_RET_AEAD_OFLOW = 0x1D,
	SNP_RET_EXIT_RING_BUFFER = 0x1F,
	SNP_RET_RMP_INIT_REQUIRED = 0x20,
	SNP_RET_BAD_SVN = 0x21,
	SNP_RET_BAD_VERSION = 0x22,
	SNP_RET_SHUTDOWN_REQUIRED = 0x23,
	SNP_RET_UPDATE_FAILED = 0x24,
	SNP_RET_RESTORE_REQUIRED = 0x25,
	SNP_RET_RMP_INITIALIZATION_FAILED = 0x26,
	SNP_RET_INVALID_KEY = 0x27,
	SNP_RET_SHUTDOWN_INCOMPLETE = 0x28,
};

/*
 * SNP_PLATFORM_STATUS output, decoded (Firmware ABI; the 32-byte buffer is
 * also what /dev/sev's SNP_PLATFORM_STATUS returns, struct
 * sev_user_data_snp_status).
 */
#define SNP_PLATFORM_STATUS_SIZE 0x20u
enum snp_platform_state { SNP_PLATFORM_UNINIT = 0, SNP_PLATFORM_INIT = 1 };

struct snp_platform_status {
	uint8_t api_major;
	uint8_t api_minor;
	uint8_t state;			/* enum snp_platform_state */
	uint8_t is_rmp_initialized;	/* bit 0 */
	uint32_t build_id;
	uint32_t mask_chip_id : 1, mask_chip_key : 1, vlek_en : 1, feature_info : 1,
		rapl_dis : 1, ciphertext_hiding_cap : 1, ciphertext_hiding_en : 1;
	uint32_t guest_count;
	uint64_t current_tcb;
	uint64_t reported_tcb;
};

/* Decode / encode the 32-byte status buffer. */
void snp_platform_status_decode(const uint8_t buf[SNP_PLATFORM_STATUS_SIZE],
				struct snp_platform_status *status);
void snp_platform_status_encode(const struct snp_platform_status *status,
				uint8_t buf[SNP_PLATFORM_STATUS_SIZE]);

/* Name of a firmware status ("INVALID_PAGE_STATE"), "UNKNOWN" if not in the table. */
const char *snp_fw_status_name(uint32_t status);

/* Name of a PSP command ("SNP_LAUNCH_UPDATE"), "UNKNOWN" if not in the table. */
const char *snp_cmd_name(uint32_t cmd);

/* A remediation hint for a status in the context of a command, or NULL. */
const char *snp_fw_status_hint(uint32_t cmd, uint32_t status);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* Names of SNP firmware commands and status codes, and remediation hints. */
#include "sev-snp/snp-defs.h"

#include <stddef.h>

#include "core/util.h"

#include <string.h>

static const char *const status_names[] = {
	[SNP_RET_SUCCESS] = "SUCCESS",
	[SNP_RET_INVALID_PLATFORM_STATE] = "INVALID_PLATFORM_STATE",
	[SNP_RET_INVALID_GUEST_STATE] = "INVALID_GUEST_STATE",
	[SNP_RET_INVALID_CONFIG] = "INVALID_CONFIG",
	[SNP_RET_INVALID_LEN] = "INVALID_LEN",
	[SNP_RET_ALREADY_OWNED] = "ALREADY_OWNED",
	[SNP_RET_INVALID_CERTIFICATE] = "INVALID_CERTIFICATE",
	[SNP_RET_POLICY_FAILURE] = "POLICY_FAILURE",
	[SNP_RET_INACTIVE] = "INACTIVE",
	[SNP_RET_INVALID_ADDRESS] = "INVALID_ADDRESS",
	[SNP_RET_BAD_SIGNATURE] = "BAD_SIGNATURE",
	[SNP_RET_BAD_MEASUREMENT] = "BAD_MEASUREMENT",
	[SNP_RET_ASID_OWNED] = "ASID_OWNED",
	[SNP_RET_INVALID_ASID] = "INVALID_ASID",
	[SNP_RET_WBINVD_REQUIRED] = "WBINVD_REQUIRED",
	[SNP_RET_DFFLUSH_REQUIRED] = "DFFLUSH_REQUIRED",
	[SNP_RET_INVALID_GUEST] = "INVALID_GUEST",
	[SNP_RET_INVALID_COMMAND] = "INVALID_COMMAND",
	[SNP_RET_ACTIVE] = "ACTIVE",
	[SNP_RET_HWERROR_PLATFORM] = "HWERROR_PLATFORM",
	[SNP_RET_HWERROR_UNSAFE] = "HWERROR_UNSAFE",
	[SNP_RET_UNSUPPORTED] = "UNSUPPORTED",
	[SNP_RET_INVALID_PARAM] = "INVALID_PARAM",
	[SNP_RET_RESOURCE_LIMIT] = "RESOURCE_LIMIT",
	[SNP_RET_SECURE_DATA_INVALID] = "SECURE_DATA_INVALID",
	[SNP_RET_INVALID_PAGE_SIZE] = "INVALID_PAGE_SIZE",
	[SNP_RET_INVALID_PAGE_STATE] = "INVALID_PAGE_STATE",
	[SNP_RET_INVALID_MDATA_ENTRY] = "INVALID_MDATA_ENTRY",
	[SNP_RET_INVALID_PAGE_OWNER] = "INVALID_PAGE_OWNER",
	[SNP_RET_AEAD_OFLOW] = "AEAD_OFLOW",
	[SNP_RET_EXIT_RING_BUFFER] = "EXIT_RING_BUFFER",
	[SNP_RET_RMP_INIT_REQUIRED] = "RMP_INIT_REQUIRED",
	[SNP_RET_BAD_SVN] = "BAD_SVN",
	[SNP_RET_BAD_VERSION] = "BAD_VERSION",
	[SNP_RET_SHUTDOWN_REQUIRED] = "SHUTDOWN_REQUIRED",
	[SNP_RET_UPDATE_FAILED] = "UPDATE_FAILED",
	[SNP_RET_RESTORE_REQUIRED] = "RESTORE_REQUIRED",
	[SNP_RET_RMP_INITIALIZATION_FAILED] = "RMP_INITIALIZATION_FAILED",
	[SNP_RET_INVALID_KEY] = "INVALID_KEY",
	[SNP_RET_SHUTDOWN_INCOMPLETE] = "SHUTDOWN_INCOMPLETE",
};

const char *snp_fw_status_name(uint32_t status)
{
	if (status < COCO_ARRAY_SIZE(status_names) && status_names[status])
		return status_names[status];
	return "UNKNOWN";
}

static const struct {
	uint32_t cmd;
	const char *name;
} cmd_names[] = {
	{ SNP_CMD_INIT, "SNP_INIT" },
	{ SNP_CMD_SHUTDOWN, "SNP_SHUTDOWN" },
	{ SNP_CMD_PLATFORM_STATUS, "SNP_PLATFORM_STATUS" },
	{ SNP_CMD_DF_FLUSH, "SNP_DF_FLUSH" },
	{ SNP_CMD_INIT_EX, "SNP_INIT_EX" },
	{ SNP_CMD_SHUTDOWN_EX, "SNP_SHUTDOWN_EX" },
	{ SNP_CMD_DECOMMISSION, "SNP_DECOMMISSION" },
	{ SNP_CMD_ACTIVATE, "SNP_ACTIVATE" },
	{ SNP_CMD_GUEST_STATUS, "SNP_GUEST_STATUS" },
	{ SNP_CMD_GCTX_CREATE, "SNP_GCTX_CREATE" },
	{ SNP_CMD_GUEST_REQUEST, "SNP_GUEST_REQUEST" },
	{ SNP_CMD_ACTIVATE_EX, "SNP_ACTIVATE_EX" },
	{ SNP_CMD_LAUNCH_START, "SNP_LAUNCH_START" },
	{ SNP_CMD_LAUNCH_UPDATE, "SNP_LAUNCH_UPDATE" },
	{ SNP_CMD_LAUNCH_FINISH, "SNP_LAUNCH_FINISH" },
	{ SNP_CMD_PAGE_RECLAIM, "SNP_PAGE_RECLAIM" },
	{ SNP_CMD_PAGE_UNSMASH, "SNP_PAGE_UNSMASH" },
	{ SNP_CMD_CONFIG, "SNP_CONFIG" },
	{ SNP_CMD_COMMIT, "SNP_COMMIT" },
	{ SNP_CMD_VLEK_LOAD, "SNP_VLEK_LOAD" },
	{ SNP_CMD_FEATURE_INFO, "SNP_FEATURE_INFO" },
};

const char *snp_cmd_name(uint32_t cmd)
{
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cmd_names); i++)
		if (cmd_names[i].cmd == cmd)
			return cmd_names[i].name;
	return "UNKNOWN";
}

const char *snp_fw_status_hint(uint32_t cmd, uint32_t status)
{
	switch (status) {
	case SNP_RET_INVALID_PLATFORM_STATE:
		return cmd == SNP_CMD_INIT || cmd == SNP_CMD_INIT_EX
			       ? "the platform is already initialised"
			       : "initialise SNP first (SNP_INIT_EX; on Linux: load ccp/kvm_amd with SEV-SNP enabled)";
	case SNP_RET_INVALID_GUEST_STATE:
		return "the command is not allowed in the guest's current state (GCTX_CREATE, LAUNCH_START, LAUNCH_UPDATE..., LAUNCH_FINISH is the order)";
	case SNP_RET_POLICY_FAILURE:
		return "the guest policy asks for something the platform does not allow (check bit 17, the ABI version, SMT and debug bits)";
	case SNP_RET_DFFLUSH_REQUIRED:
		return "every ASID is in use or awaits a flush: destroy guests, then SNP_DF_FLUSH";
	case SNP_RET_INVALID_ASID:
		return "the ASID is outside the SNP range or is still owned by another guest";
	case SNP_RET_RESOURCE_LIMIT:
		return "the platform is at its guest limit; destroy a guest first";
	case SNP_RET_INVALID_PAGE_STATE:
		return "the page is not in the RMP state the command needs (e.g. LAUNCH_UPDATE needs a Pre-Guest page)";
	case SNP_RET_INVALID_PAGE_SIZE:
		return "the command's page size does not match the page's RMP entry";
	case SNP_RET_INVALID_PAGE_OWNER:
		return "the page is assigned to a different guest (ASID)";
	case SNP_RET_INVALID_ADDRESS:
		return "an address in the command buffer is misaligned or not in memory the firmware can use";
	case SNP_RET_RMP_INIT_REQUIRED:
		return "the RMP is not initialised: SNP_INIT_EX with INIT_RMP";
	case SNP_RET_BAD_MEASUREMENT:
		return "the ID block's launch digest differs from the digest of the pages launched; recompute it with 'cococtl measure'";
	case SNP_RET_BAD_SIGNATURE:
		return "the ID block signature does not verify with the ID key";
	default:
		return NULL;
	}
}

void snp_platform_status_decode(const uint8_t buf[SNP_PLATFORM_STATUS_SIZE],
				struct snp_platform_status *st)
{
	uint32_t flags = coco_le32(buf + 8);

	memset(st, 0, sizeof(*st));
	st->api_major = buf[0];
	st->api_minor = buf[1];
	st->state = buf[2];
	st->is_rmp_initialized = buf[3] & 1;
	st->build_id = coco_le32(buf + 4);
	st->mask_chip_id = flags & 1;
	st->mask_chip_key = (flags >> 1) & 1;
	st->vlek_en = (flags >> 2) & 1;
	st->feature_info = (flags >> 3) & 1;
	st->rapl_dis = (flags >> 4) & 1;
	st->ciphertext_hiding_cap = (flags >> 5) & 1;
	st->ciphertext_hiding_en = (flags >> 6) & 1;
	st->guest_count = coco_le32(buf + 0xC);
	st->current_tcb = coco_le64(buf + 0x10);
	st->reported_tcb = coco_le64(buf + 0x18);
}

void snp_platform_status_encode(const struct snp_platform_status *st,
				uint8_t buf[SNP_PLATFORM_STATUS_SIZE])
{
	uint32_t flags = (uint32_t)st->mask_chip_id | (uint32_t)st->mask_chip_key << 1 |
			 (uint32_t)st->vlek_en << 2 | (uint32_t)st->feature_info << 3 |
			 (uint32_t)st->rapl_dis << 4 | (uint32_t)st->ciphertext_hiding_cap << 5 |
			 (uint32_t)st->ciphertext_hiding_en << 6;

	memset(buf, 0, SNP_PLATFORM_STATUS_SIZE);
	buf[0] = st->api_major;
	buf[1] = st->api_minor;
	buf[2] = st->state;
	buf[3] = st->is_rmp_initialized & 1;
	coco_put_le32(buf + 4, st->build_id);
	coco_put_le32(buf + 8, flags);
	coco_put_le32(buf + 0xC, st->guest_count);
	coco_put_le64(buf + 0x10, st->current_tcb);
	coco_put_le64(buf + 0x18, st->reported_tcb);
}

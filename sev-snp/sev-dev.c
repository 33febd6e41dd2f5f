/* SPDX-License-Identifier: Apache-2.0 */
/* /dev/sev through the KVM seam, and the messages of kernel PSP calls (sev-dev.h). */
#include "sev-snp/sev-dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"
#include "core/kvm.h"
#include "sev-snp/psp.h"
#include "sev-snp/snp-uapi.h"

int snp_psp_call_err(int err, const char *op, uint32_t psp_cmd, uint32_t fw_status,
		     const char *kernel_hint, const char *context)
{
	const char *hint;
	char ctx[512] = "";

	if (context && *context)
		snprintf(ctx, sizeof(ctx), ": %s", context);
	if (fw_status == SNP_RET_SUCCESS || fw_status == SNP_SEV_RET_NO_FW_CALL)
		return coco_err(err, "%s%s: %s (errno %d); no firmware status: the kernel "
				"refused the call before the firmware ran it%s%s", op, ctx,
				strerror(-err), -err, kernel_hint ? "; " : "",
				kernel_hint ? kernel_hint : "");
	hint = snp_fw_status_hint(psp_cmd, fw_status);
	/*
	 * The kernel reports every firmware failure as EIO; callers get the
	 * errno the firmware status stands for, the same on every backend.
	 */
	return coco_err(snp_fw_status_errno(fw_status),
			"%s%s: %s (errno %d); firmware status 0x%x %s%s%s", op, ctx,
			strerror(-err), -err, fw_status, snp_fw_status_name(fw_status),
			hint ? ": " : "", hint ? hint : "");
}

int snp_sev_open(int *fd)
{
	int ret = coco_kvm_open(SNP_SEV_DEV_PATH, O_RDWR);

	if (ret >= 0) {
		*fd = ret;
		return 0;
	}
	if (ret == -ENOENT || ret == -ENODEV || ret == -ENXIO)
		return coco_err(ret, "open %s: %s; the AMD PSP driver (ccp) is not loaded or "
				"found no SEV-capable PSP: enable SEV-SNP in firmware setup and "
				"load ccp and kvm_amd", SNP_SEV_DEV_PATH, strerror(-ret));
	if (ret == -EACCES || ret == -EPERM)
		return coco_err(ret, "open %s: %s; run as root or give the user read-write "
				"access to %s", SNP_SEV_DEV_PATH, strerror(-ret), SNP_SEV_DEV_PATH);
	return coco_err(ret, "open %s: %s", SNP_SEV_DEV_PATH, strerror(-ret));
}

int snp_sev_platform_status(int sev_fd, struct snp_platform_status *status)
{
	struct snp_sev_user_snp_status out;
	struct snp_sev_issue_cmd cmd = {
		.cmd = SNP_SEV_CMD_SNP_PLATFORM_STATUS,
		.data = (uint64_t)(uintptr_t)&out,
	};
	uint8_t raw[SNP_PLATFORM_STATUS_SIZE];
	int ret;

	memset(&out, 0, sizeof(out));
	ret = coco_kvm_ioctl(sev_fd, SEV_ISSUE_CMD, &cmd);
	if (ret < 0)
		return snp_psp_call_err(ret, "SNP_PLATFORM_STATUS", SNP_CMD_PLATFORM_STATUS,
					cmd.error,
					ret == -EINVAL || ret == -ENOTTY
						? "/dev/sev learned SNP_PLATFORM_STATUS in Linux 6.9; "
						  "a kernel without it has no SNP host support"
						: NULL,
					SNP_SEV_DEV_PATH);
	/* The kernel hands back the firmware's buffer verbatim: decode it as such. */
	_Static_assert(sizeof(out) == sizeof(raw), "status buffer size");
	memcpy(raw, &out, sizeof(raw));
	snp_platform_status_decode(raw, status);
	return 0;
}

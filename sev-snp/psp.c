/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/psp.h"

#include <errno.h>

#include "core/error.h"
#include "sev-snp/snp-defs.h"

int snp_fw_status_errno(uint32_t status)
{
	switch (status) {
	case SNP_RET_SUCCESS:
		return 0;
	case SNP_RET_INVALID_PLATFORM_STATE:
	case SNP_RET_INVALID_GUEST_STATE:
	case SNP_RET_INVALID_PAGE_STATE:
	case SNP_RET_ASID_OWNED:
	case SNP_RET_ACTIVE:
	case SNP_RET_DFFLUSH_REQUIRED:
	case SNP_RET_WBINVD_REQUIRED:
	case SNP_RET_SHUTDOWN_REQUIRED:
		return -EBUSY;
	case SNP_RET_INVALID_LEN:
	case SNP_RET_INVALID_ADDRESS:
	case SNP_RET_INVALID_PARAM:
	case SNP_RET_INVALID_PAGE_SIZE:
	case SNP_RET_INVALID_PAGE_OWNER:
	case SNP_RET_INVALID_ASID:
	case SNP_RET_INVALID_GUEST:
	case SNP_RET_INVALID_CONFIG:
	case SNP_RET_INVALID_COMMAND:
		return -EINVAL;
	case SNP_RET_POLICY_FAILURE:
		return -EPERM;
	case SNP_RET_BAD_SIGNATURE:
	case SNP_RET_BAD_MEASUREMENT:
	case SNP_RET_INVALID_CERTIFICATE:
		return -EKEYREJECTED;
	case SNP_RET_RESOURCE_LIMIT:
		return -ENOSPC;
	case SNP_RET_UNSUPPORTED:
		return -ENOTSUP;
	default:
		return -EIO;
	}
}

int psp_cmd(struct psp *psp, uint32_t cmd, void *buf, size_t len, uint32_t *fw_status)
{
	char detail[512] = "";
	uint32_t status = 0;
	const char *hint;
	int ret;

	ret = psp->transport->issue(psp->ctx, cmd, buf, len, &status, detail, sizeof(detail));
	if (fw_status)
		*fw_status = status;
	if (ret)
		return coco_err_context(ret, "%s (0x%x) via %s", snp_cmd_name(cmd), cmd,
					psp->transport->name);
	if (status == SNP_RET_SUCCESS)
		return 0;
	hint = snp_fw_status_hint(cmd, status);
	return coco_err(snp_fw_status_errno(status), "%s: firmware status 0x%x %s%s%s%s%s%s",
			snp_cmd_name(cmd), status, snp_fw_status_name(status),
			detail[0] ? ": " : "", detail, hint ? " (" : "", hint ? hint : "",
			hint ? ")" : "");
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The kernel's PSP transport on an SEV-SNP host: /dev/sev (SEV_ISSUE_CMD),
 * reached through the KVM seam, and the error messages of every kernel
 * route to the PSP (/dev/sev and KVM's SEV commands alike).
 */
#ifndef COCO_SNP_SEV_DEV_H
#define COCO_SNP_SEV_DEV_H

#include <stdint.h>

#include "sev-snp/snp-defs.h"

#define SNP_SEV_DEV_PATH "/dev/sev"

/* Open /dev/sev read-write (KVM needs such an fd for its SEV commands). */
int snp_sev_open(int *fd);

/* SNP_PLATFORM_STATUS through /dev/sev, decoded. */
int snp_sev_platform_status(int sev_fd, struct snp_platform_status *status);

/*
 * Record a failure of a kernel call that reaches the PSP and return @err:
 *
 *   "<op>: <context>: <strerror> (errno N); firmware status 0x16
 *    INVALID_PARAM: <hint for @psp_cmd>"
 *
 * @fw_status is the `error` field the kernel filled (0 or
 * SNP_SEV_RET_NO_FW_CALL when the firmware was not involved: then the
 * message says the kernel refused the call itself and @kernel_hint, if
 * any, says why it may have).
 */
int snp_psp_call_err(int err, const char *op, uint32_t psp_cmd, uint32_t fw_status,
		     const char *kernel_hint, const char *context);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The PSP command interface (architecture.md seam 2).  Everything that
 * talks to "a PSP" issues firmware commands through struct psp; the
 * transports behind it are the firmware model (psp-model.c) and, on
 * hardware, /dev/sev (sev-dev.c; the KVM path issues most commands inside
 * the kernel).  Command buffers: psp-cmdbuf.h.
 */
#ifndef COCO_SNP_PSP_H
#define COCO_SNP_PSP_H

#include <stddef.h>
#include <stdint.h>

struct psp_transport {
	const char *name;
	/*
	 * Issue @cmd with its command buffer.  Returns 0 when the firmware ran
	 * the command (its status in *fw_status, which may be an error), or a
	 * negative errno when the command could not be issued at all.  A
	 * transport that knows why a command failed (the model does; real
	 * firmware does not say) writes it to @detail.
	 */
	int (*issue)(void *ctx, uint32_t cmd, void *buf, size_t len, uint32_t *fw_status,
		     char *detail, size_t detail_len);
};

struct psp {
	const struct psp_transport *transport;
	void *ctx;
};

/*
 * Issue a command.  A firmware error becomes a negative errno and the
 * message "SNP_LAUNCH_UPDATE: firmware status 0x1a INVALID_PAGE_STATE: <why>"
 * (+ remediation).  @fw_status (optional) receives the raw status.
 */
int psp_cmd(struct psp *psp, uint32_t cmd, void *buf, size_t len, uint32_t *fw_status);

/* errno for a firmware status (0 for SUCCESS). */
int snp_fw_status_errno(uint32_t status);

#endif

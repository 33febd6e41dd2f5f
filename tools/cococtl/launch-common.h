/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch a guest image on a backend and obtain its evidence: the shared
 * path of `cococtl launch` (the main job) and `cococtl evidence`.
 */
#ifndef COCOCTL_LAUNCH_COMMON_H
#define COCOCTL_LAUNCH_COMMON_H

#include "cococtl.h"
#include "image-options.h"

#define DEFAULT_OVMF "/usr/share/ovmf/OVMF.fd"
#define DEFAULT_VCPU_TYPE "EPYC-v4"
#define DEFAULT_MEMORY (64ull << 20)

/*
 * Fill the image options a user left out: Debian's OVMF.fd, 1 vCPU, and for
 * SEV-SNP an EPYC-v4 vCPU type.  launch_and_attest applies them once it knows
 * the backend's vendor.
 */
void launch_image_defaults(struct image_options *o, enum coco_vendor vendor);

struct launch_result {
	char backend[COCO_NAME_MAX];
	bool hardware;
	struct coco_measurement expected;	/* computed before the launch */
	struct coco_evidence *evidence;		/* NULL when the backend gives none */
};

/*
 * Open @selection, build the plan, compute its expected measurement, create
 * and launch the VM, and ask for evidence with @report_data.  Progress on
 * stderr when @verbose.  Returns 0 or 1 (reason printed).
 */
int launch_and_attest(const char *cmd, const char *selection, struct image_options *image,
		      uint64_t memory, const uint8_t report_data[COCO_REPORT_DATA_SIZE],
		      bool verbose, struct launch_result *result);

/*
 * Verify @ev against @expected and @report_data.  The trust anchor is the
 * platform's own root when the evidence carries one from a platform model,
 * else the vendor roots built into libcoco.  Prints the outcome; 0 when
 * verified.
 */
int verify_launch_evidence(const char *cmd, const struct launch_result *r,
			   const uint8_t report_data[COCO_REPORT_DATA_SIZE]);

/* Parse a memory size: bytes, or with a K/M/G suffix. */
int parse_memory_size(const char *cmd, const char *text, uint64_t *bytes);

#endif

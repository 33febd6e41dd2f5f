/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch plans from OVMF images with SEV metadata (and the SEV hashes
 * table for direct kernel boot), in the order and with the page types
 * QEMU and sev-snp-measure use.
 */
#ifndef COCO_SNP_PLAN_H
#define COCO_SNP_PLAN_H

#include <coco/coco.h>

int snp_plan_firmware(const struct coco_firmware_spec *spec, const struct coco_vm_config *config,
		      struct coco_launch_plan **plan);

#endif

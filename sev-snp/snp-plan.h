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

/*
 * Guest images (backend op plan_guest_image): the SNP pages after the
 * image and the boot parameters page: the secrets page at
 * COCO_GUEST_SNP_SECRETS_GPA and the CPUID page at COCO_GUEST_SNP_CPUID_GPA
 * (contents built at launch, as for OVMF's CPUID section).  Both backends
 * use it, so a guest image measures the same on either.
 */
int snp_plan_guest_image(struct coco_launch_plan *plan, const struct coco_vm_config *config);

#endif

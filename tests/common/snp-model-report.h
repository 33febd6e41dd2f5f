/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: a signed SEV-SNP report from the model key hierarchy, the
 * way the platform model produces one (internal API: roots -> VCEK ->
 * certificate -> encoded report -> signature).
 */
#ifndef COCO_TEST_SNP_MODEL_REPORT_H
#define COCO_TEST_SNP_MODEL_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "sev-snp/certs.h"
#include "sev-snp/report.h"

struct snp_model_report_spec {
	uint32_t version;		/* 2, 3 or 5 */
	uint8_t report_data[64];
	uint8_t measurement[48];
	uint64_t reported_tcb;		/* TCB the VCEK is derived for and the report states */
	uint8_t chip_id[64];
	uint8_t chip_secret[32];
	/* The certificate may be issued for other values (to test binding checks). */
	uint64_t cert_tcb;
	const uint8_t *cert_chip_id;	/* NULL: chip_id */
};

/* Defaults: version 5, the roots' product, TCB bl 3 tee 0 snp 8 ucode 0x73 (Milan layout). */
void snp_model_report_spec_init(struct snp_model_report_spec *spec, enum snp_product product);

/* Build, encode and sign; *vcek_der is malloc'd. */
int snp_model_report_make(const struct snp_model_roots *roots,
			  const struct snp_model_report_spec *spec,
			  uint8_t report[SNP_REPORT_SIZE], uint8_t **vcek_der, size_t *vcek_len);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/common/snp-model-report.h"

#include <string.h>

/* CPUID family/model/stepping a report of each product carries (snp.md 2.1). */
static void product_cpuid(enum snp_product product, struct snp_report *r)
{
	static const uint8_t fms[SNP_PRODUCT_COUNT][3] = {
		[SNP_PRODUCT_MILAN] = { 0x19, 0x01, 0x01 },
		[SNP_PRODUCT_GENOA] = { 0x19, 0x11, 0x01 },
		[SNP_PRODUCT_TURIN] = { 0x1A, 0x02, 0x00 },
	};

	r->cpuid_fam_id = fms[product][0];
	r->cpuid_mod_id = fms[product][1];
	r->cpuid_step = fms[product][2];
}

void snp_model_report_spec_init(struct snp_model_report_spec *spec, enum snp_product product)
{
	struct snp_tcb tcb = { .fmc = 1, .bootloader = 3, .tee = 0, .snp = 8, .microcode = 0x73 };

	memset(spec, 0, sizeof(*spec));
	spec->version = 5;
	for (int i = 0; i < 64; i++)
		spec->report_data[i] = (uint8_t)(0xD0 ^ i);
	for (int i = 0; i < 48; i++)
		spec->measurement[i] = (uint8_t)(0x30 + i);
	spec->reported_tcb = snp_tcb_encode(product, &tcb);
	spec->cert_tcb = spec->reported_tcb;
	for (size_t i = 0; i < snp_chip_id_size(product); i++)
		spec->chip_id[i] = (uint8_t)(0xC1 + 3 * i);
	for (int i = 0; i < 32; i++)
		spec->chip_secret[i] = (uint8_t)(0x5A ^ i);
}

int snp_model_report_make(const struct snp_model_roots *roots,
			  const struct snp_model_report_spec *spec,
			  uint8_t report[SNP_REPORT_SIZE], uint8_t **vcek_der, size_t *vcek_len)
{
	enum snp_product product = snp_model_roots_product(roots);
	struct snp_report r = {
		.version = spec->version,
		.policy = 0x30000,
		.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384,
		.current_tcb = spec->reported_tcb,
		.reported_tcb = spec->reported_tcb,
		.committed_tcb = spec->reported_tcb,
		.launch_tcb = spec->reported_tcb,
		.platform_info = 0x1,
		.signer_info = SNP_SIGNING_KEY_VCEK << SNP_SIGNER_KEY_SHIFT,
		.current_major = 1, .current_minor = 55, .current_build = 21,
		.committed_major = 1, .committed_minor = 55, .committed_build = 21,
	};
	EVP_PKEY *vcek = NULL;
	int ret;

	memcpy(r.report_data, spec->report_data, 64);
	memcpy(r.measurement, spec->measurement, 48);
	memcpy(r.chip_id, spec->chip_id, 64);
	memset(r.report_id_ma, 0xFF, sizeof(r.report_id_ma));
	for (int i = 0; i < 32; i++)
		r.report_id[i] = (uint8_t)(0x70 + i);
	if (spec->version >= 3)
		product_cpuid(product, &r);
	ret = snp_vcek_derive(spec->chip_secret, spec->reported_tcb, &vcek);
	if (!ret)
		ret = snp_vcek_cert_issue(roots, vcek, spec->cert_tcb,
					  spec->cert_chip_id ? spec->cert_chip_id : spec->chip_id,
					  vcek_der, vcek_len);
	if (!ret)
		ret = snp_report_encode(&r, report);
	if (!ret)
		ret = snp_report_sign(report, vcek);
	EVP_PKEY_free(vcek);
	return ret;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: write a model SEV-SNP report and its certificates the way
 * `cococtl evidence` lays them out (DIR/report.bin, vcek.der, ask.pem,
 * ark.pem), built with the internal API (model roots -> VCEK -> certificate
 * -> encoded report -> signature).
 *
 *   snp-model-evidence DIR [milan|genoa|turin] [VERSION]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "tests/common/snp-model-report.h"

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (coco_write_file_atomic(path, data, len, 0644)) {
		fprintf(stderr, "snp-model-evidence: %s\n", coco_last_error());
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	enum snp_product product = SNP_PRODUCT_MILAN;
	const struct snp_model_roots *roots;
	struct snp_model_report_spec spec;
	uint8_t report[SNP_REPORT_SIZE], *vcek = NULL;
	char *ark = NULL, *ask = NULL;
	size_t vcek_len = 0;
	int rc = 1;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: snp-model-evidence DIR [milan|genoa|turin] [VERSION]\n");
		return 2;
	}
	if (argc > 2) {
		product = SNP_PRODUCT_UNKNOWN;
		if (!strcmp(argv[2], "milan"))
			product = SNP_PRODUCT_MILAN;
		else if (!strcmp(argv[2], "genoa"))
			product = SNP_PRODUCT_GENOA;
		else if (!strcmp(argv[2], "turin"))
			product = SNP_PRODUCT_TURIN;
		if (!product) {
			fprintf(stderr, "snp-model-evidence: unknown product '%s'\n", argv[2]);
			return 2;
		}
	}
	snp_model_report_spec_init(&spec, product);
	if (argc > 3)
		spec.version = (uint32_t)strtoul(argv[3], NULL, 0);
	if (coco_mkdir_p(argv[1], 0755) || snp_model_roots_shared(product, &roots) ||
	    snp_model_report_make(roots, &spec, report, &vcek, &vcek_len) ||
	    snp_model_roots_ark_pem(roots, &ark) || snp_model_roots_ask_pem(roots, &ask)) {
		fprintf(stderr, "snp-model-evidence: %s\n", coco_last_error());
		goto out;
	}
	if (write_file(argv[1], "report.bin", report, sizeof(report)) ||
	    write_file(argv[1], "vcek.der", vcek, vcek_len) ||
	    write_file(argv[1], "ask.pem", ask, strlen(ask)) ||
	    write_file(argv[1], "ark.pem", ark, strlen(ark)))
		goto out;
	rc = 0;
out:
	free(vcek);
	free(ark);
	free(ask);
	return rc;
}

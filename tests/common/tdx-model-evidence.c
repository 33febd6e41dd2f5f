/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test tool: a quote from a fresh model platform (tdx/qe-model.h), written
 * the way `cococtl evidence --out DIR` writes TDX evidence (the same
 * function, tools/cococtl/evidence-files.c, fed through the public
 * evidence API): DIR/quote.dat, DIR/root.pem, plus DIR/mrtd and
 * DIR/report_data (hex) for the checks of the integration test.  The
 * tdx-model backend quotes in version 4; this tool also makes version 5
 * quotes (TD 1.5 bodies) from the same model QE.
 *
 *   tdx-model-evidence DIR VERSION(4|5) [REPORT_DATA_HEX]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coco/evidence.h>

#include "core/util.h"
#include "tests/common/tdx-model-quote.h"
#include "tools/cococtl/evidence-files.h"

static const char cmd[] = "tdx-model-evidence";

static int write_hex(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096], hex[2 * 64 + 1];

	coco_hex_encode(data, len, hex);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return cococtl_write_file(cmd, path, hex, strlen(hex));
}

int main(int argc, char **argv)
{
	uint8_t rd[64] = { 0 }, *quote = NULL, got[64];
	struct tdx_qe_model *qe = NULL;
	struct coco_evidence *ev = NULL;
	struct coco_measurement m;
	size_t len, rd_len = 0;
	int rc = 1;

	if (argc < 3 || argc > 4 || (strcmp(argv[2], "4") && strcmp(argv[2], "5"))) {
		fprintf(stderr, "usage: %s DIR 4|5 [REPORT_DATA_HEX]\n", cmd);
		return 2;
	}
	if (argc == 4 && cococtl_hex_decode(cmd, "report data", argv[3], rd, sizeof(rd), &rd_len))
		return 2;
	if (mkdir(argv[1], 0755) && access(argv[1], W_OK)) {
		perror(argv[1]);
		return 1;
	}
	if (tdx_qe_model_generate(&qe) ||
	    tdx_test_model_quote(qe, (unsigned int)atoi(argv[2]), rd, &quote, &len) ||
	    coco_evidence_parse(COCO_EVIDENCE_AUTO, quote, len, &ev)) {
		fprintf(stderr, "%s: %s\n", cmd, coco_last_error());
		goto out;
	}
	if (evidence_write_tdx_files(cmd, argv[1], ev) || coco_evidence_measurement(ev, &m) ||
	    coco_evidence_report_data(ev, got) || write_hex(argv[1], "mrtd", m.value, m.size) ||
	    write_hex(argv[1], "report_data", got, sizeof(got)))
		goto out;
	printf("%s/quote.dat %s/root.pem\n", argv[1], argv[1]);
	rc = 0;
out:
	coco_evidence_free(ev);
	free(quote);
	tdx_qe_model_free(qe);
	return rc;
}

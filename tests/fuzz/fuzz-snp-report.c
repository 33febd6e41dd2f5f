/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: SEV-SNP report bytes through the codec (decode, and
 * encode(decode(x)) == x), the evidence parser (fields, measurement, report
 * data) and verification against a fixed anchor set (AMD's built-in roots,
 * no network) with real VCEK and VLEK certificates attached, at a fixed
 * time.  Invariant violations abort: that is what a fuzzer reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coco/evidence.h>

#include "core/util.h"
#include "sev-snp/report.h"

/* Inside the validity of the Milan VCEK and VLEK vectors. */
#define FUZZ_AT_TIME 1780272000

struct signer_cert {
	const char *path;
	enum coco_cert_role role;
	uint8_t *der;
	size_t len;
};

static struct signer_cert certs[] = {
	{ "snp/milan-v2/vcek_milan.der", COCO_CERT_VCEK, NULL, 0 },
	{ "snp/milan-v5-vlek/vlek_milan.der", COCO_CERT_VLEK, NULL, 0 },
};
static struct coco_trust_anchors *anchors;

static void load_once(void)
{
	static int loaded;
	const char *dir = getenv("COCO_TEST_VECTORS");
	char path[4096];

	if (loaded)
		return;
	loaded = 1;
	for (size_t i = 0; i < COCO_ARRAY_SIZE(certs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir ? dir : "tests/vectors", certs[i].path);
		/* Without the vectors the target still runs, verifying without a signer. */
		if (coco_read_file(path, 1 << 16, "certificate", &certs[i].der, &certs[i].len))
			certs[i].der = NULL;
	}
	if (coco_trust_anchors_builtin(&anchors))
		abort();
}

static void check_codec(const uint8_t *data, size_t size)
{
	uint8_t again[SNP_REPORT_SIZE];
	struct snp_report r;
	struct snp_tcb tcb, tcb_again;
	enum snp_product product;

	if (snp_report_decode(data, size, &r))
		return;
	/* Every accepted report re-encodes to the same bytes. */
	if (snp_report_encode(&r, again) || memcmp(again, data, SNP_REPORT_SIZE))
		abort();
	/* TCB components survive encode/decode in the report's product layout. */
	product = snp_report_product(&r);
	snp_tcb_decode(product, r.reported_tcb, &tcb);
	snp_tcb_decode(product, snp_tcb_encode(product, &tcb), &tcb_again);
	if (memcmp(&tcb, &tcb_again, sizeof(tcb)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coco_verify_expect expect = { .at_time = FUZZ_AT_TIME };
	struct coco_verify_result res;
	struct coco_evidence *ev = NULL;
	struct coco_measurement m;
	uint8_t report_data[64];
	const char *name, *value;
	struct snp_report r;
	int decoded;

	load_once();
	check_codec(data, size);
	decoded = snp_report_decode(data, size, &r) == 0;
	if (coco_evidence_parse(COCO_EVIDENCE_AUTO, data, size, &ev)) {
		if (decoded)
			abort();	/* the evidence parser accepts what the codec accepts */
		return 0;
	}
	if (!decoded)
		abort();
	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
		if (!name || !value)
			abort();
	if (coco_evidence_measurement(ev, &m) || m.size != 48 ||
	    coco_evidence_report_data(ev, report_data) || memcmp(report_data, data + 0x50, 64))
		abort();

	/* Without a signer first (the KDS hint path), then with both certificates. */
	if (coco_evidence_verify(ev, anchors, &expect, &res) == 0)
		abort();
	for (size_t i = 0; i < COCO_ARRAY_SIZE(certs); i++)
		if (certs[i].der)
			coco_evidence_add_cert(ev, certs[i].role, certs[i].der, certs[i].len);
	expect.report_data = report_data;
	if (coco_evidence_verify(ev, anchors, &expect, &res) == 0 &&
	    !(res.chain_ok && res.signature_ok && res.tcb_ok && res.report_data_ok))
		abort();	/* success must mean every check held */
	coco_evidence_free(ev);
	return 0;
}

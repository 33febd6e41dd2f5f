/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: TDX quote bytes through the quote codec (decode, and
 * encode(decode(x)) == x without what trails the quote), the evidence parser
 * (fields, measurement, report data), and verification against Intel's
 * built-in root and against the root the quote carries, at a fixed time;
 * the same bytes through the TDREPORT codec and the PCK extension decoder.
 * Invariant violations abort: that is what a fuzzer reports.
 */
#include <stdlib.h>
#include <string.h>

#include <coco/evidence.h>

#include "core/util.h"
#include "tdx/pck-ext.h"
#include "tdx/quote.h"
#include "tdx/tdreport.h"

/*
 * 2028-06-01: inside the validity of the real SPR quote's PCK chain (PCK
 * until 2029-09-20) and of the model quotes of the corpus (generated
 * 2026-11-22, PCK valid 7 years), so mutations reach every check.
 */
#define FUZZ_AT_TIME 1843430400

static void check_codecs(const uint8_t *data, size_t size)
{
	struct tdx_tdreport report;
	struct tdx_pck_ext ext;
	struct tdx_quote q;
	uint8_t again[TDX_TDREPORT_SIZE], *enc;
	size_t len;

	if (size >= TDX_TDREPORT_SIZE &&
	    tdx_tdreport_decode(data, TDX_TDREPORT_SIZE, &report) == 0 &&
	    (tdx_tdreport_encode(&report, again) || memcmp(again, data, TDX_TDREPORT_SIZE)))
		abort();
	(void)tdx_pck_ext_decode(data, size, &ext);
	if (tdx_quote_decode(data, size, &q))
		return;
	if (q.size + q.trailing != size || q.trailing_zero != coco_all_zero(data + q.size, q.trailing))
		abort();
	if (tdx_quote_encode(&q, &enc, &len))
		abort();
	if (len != q.size || memcmp(enc, data, len))
		abort();
	free(enc);
}

static void check_verify(struct coco_evidence *ev, const struct coco_trust_anchors *anchors)
{
	struct coco_verify_expect expect = { .at_time = FUZZ_AT_TIME };
	struct coco_verify_result res;
	uint8_t rd[64];

	if (coco_evidence_report_data(ev, rd))
		abort();
	expect.report_data = rd;
	if (coco_evidence_verify(ev, anchors, &expect, &res) == 0 &&
	    !(res.chain_ok && res.signature_ok && res.tcb_ok && res.report_data_ok &&
	      res.measurement_ok))
		abort();	/* success must mean every check held */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct coco_trust_anchors *own = NULL;
	struct coco_evidence *ev = NULL;
	struct coco_measurement m;
	const char *name, *value;
	struct tdx_quote q;

	check_codecs(data, size);
	if (coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, data, size, &ev))
		return 0;
	if (tdx_quote_decode(data, size, &q))
		abort();	/* the evidence parser accepts only what the codec accepts */
	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
		if (!name || !value)
			abort();
	if (coco_evidence_measurement(ev, &m) || m.size != 48 || memcmp(m.value, q.body.mrtd, 48))
		abort();
	check_verify(ev, NULL);
	if (coco_trust_anchors_from_evidence(ev, &own) == 0)
		check_verify(ev, own);
	coco_trust_anchors_free(own);
	coco_evidence_free(ev);
	return 0;
}

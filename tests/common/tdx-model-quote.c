/* SPDX-License-Identifier: Apache-2.0 */
#include "tests/common/tdx-model-quote.h"

#include <string.h>

static void fill(uint8_t *p, size_t len, uint8_t start)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(start + i);
}

void tdx_test_tdreport(struct tdx_tdreport *r, uint8_t seed,
		       const uint8_t report_data[TDX_REPORT_DATA_SIZE])
{
	memset(r, 0, sizeof(*r));
	r->report_type = TDX_REPORT_TYPE_TDX;
	r->report_version = 1;
	fill(r->cpusvn, sizeof(r->cpusvn), seed);
	memcpy(r->report_data, report_data, TDX_REPORT_DATA_SIZE);
	fill(r->mac, sizeof(r->mac), (uint8_t)(seed + 0x10));
	r->tee_tcb_info.valid = 0x1FF;
	fill(r->tee_tcb_info.tee_tcb_svn, 3, (uint8_t)(seed + 2));
	fill(r->tee_tcb_info.mrseam, 48, (uint8_t)(seed + 0x20));
	r->tee_tcb_info.attributes = 0;
	fill(r->tee_tcb_info.tee_tcb_svn2, 3, (uint8_t)(seed + 5));
	r->tdinfo.attributes = 0x10000000;	/* SEPT_VE_DISABLE */
	r->tdinfo.xfam = 0x61ae7;
	fill(r->tdinfo.mrtd, 48, (uint8_t)(seed + 0x40));
	fill(r->tdinfo.mrconfigid, 48, (uint8_t)(seed + 0x50));
	fill(r->tdinfo.mrowner, 48, (uint8_t)(seed + 0x60));
	fill(r->tdinfo.mrownerconfig, 48, (uint8_t)(seed + 0x70));
	for (int i = 0; i < 4; i++)
		fill(r->tdinfo.rtmr[i], 48, (uint8_t)(seed + 0x80 + 0x10 * i));
	fill(r->tdinfo.servtd_hash, 48, (uint8_t)(seed + 0xC0));
	tdx_tdreport_compute_hashes(r);
}

int tdx_test_mac_accept(void *ctx, const uint8_t tdreport[TDX_TDREPORT_SIZE])
{
	(void)tdreport;
	if (ctx)
		(*(int *)ctx)++;
	return 0;
}

int tdx_test_model_quote(const struct tdx_qe_model *qe, unsigned int version,
			 const uint8_t report_data[TDX_REPORT_DATA_SIZE], uint8_t **quote,
			 size_t *len)
{
	struct tdx_tdreport r;
	uint8_t raw[TDX_TDREPORT_SIZE];
	int ret;

	tdx_test_tdreport(&r, 1, report_data);
	ret = tdx_tdreport_encode(&r, raw);
	return ret ? ret : tdx_qe_model_quote(qe, raw, tdx_test_mac_accept, NULL, version, quote,
					      len);
}

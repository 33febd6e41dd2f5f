/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Test helper: a TDREPORT as the TDX module would produce one (codec +
 * hashes; the MAC is not modelled here) and a quote of it from the model
 * QE (tdx/qe-model.h), with a MAC check that accepts and counts calls.
 */
#ifndef COCO_TEST_TDX_MODEL_QUOTE_H
#define COCO_TEST_TDX_MODEL_QUOTE_H

#include <stddef.h>
#include <stdint.h>

#include "tdx/qe-model.h"
#include "tdx/tdreport.h"

/*
 * A TDX 1.5 TDREPORT (version 1) with every field set to a distinct
 * pattern derived from @seed, REPORTDATA = @report_data, hashes computed.
 */
void tdx_test_tdreport(struct tdx_tdreport *report, uint8_t seed,
		       const uint8_t report_data[TDX_REPORT_DATA_SIZE]);

/* MAC check stand-in: accepts; counts calls in *(int *)ctx when ctx is not NULL. */
int tdx_test_mac_accept(void *ctx, const uint8_t tdreport[TDX_TDREPORT_SIZE]);

/* tdx_test_tdreport(seed 1) quoted by @qe as @version; *quote malloc'd. */
int tdx_test_model_quote(const struct tdx_qe_model *qe, unsigned int version,
			 const uint8_t report_data[TDX_REPORT_DATA_SIZE], uint8_t **quote,
			 size_t *len);

#endif

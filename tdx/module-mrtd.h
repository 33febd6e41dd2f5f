/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The module model's MRTD engine: SHA-384 over the 128-byte blocks of
 * specs/tdx.md 4.3 (TDH.MEM.PAGE.ADD: one block "MEM.PAGE.ADD" | GPA;
 * TDH.MR.EXTEND: "MR.EXTEND" | GPA, then the 256-byte chunk as two blocks).
 *
 * A private stand-in with the shape of tdx/mrtd.h (struct tdx_mrtd: init,
 * page_add, extend, final), written in parallel by another helper; when
 * that lands, these four functions become thin calls into it.
 */
#ifndef COCO_TDX_MODULE_MRTD_H
#define COCO_TDX_MODULE_MRTD_H

#include <stdint.h>

#define TDX_MODEL_MRTD_BLOCK 128u

struct tdx_model_mrtd;

int tdx_model_mrtd_new(struct tdx_model_mrtd **ctx);
void tdx_model_mrtd_free(struct tdx_model_mrtd *ctx);
int tdx_model_mrtd_page_add(struct tdx_model_mrtd *ctx, uint64_t gpa);
int tdx_model_mrtd_extend(struct tdx_model_mrtd *ctx, uint64_t gpa, const uint8_t chunk[256]);
/* The MRTD; the context is spent afterwards. */
int tdx_model_mrtd_final(struct tdx_model_mrtd *ctx, uint8_t mrtd[48]);

#endif

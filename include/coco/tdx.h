/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: Intel TDX vendor policy.
 *
 * The TDX words of the public API: the vendor half of a VM configuration,
 * which becomes the TD_PARAMS of TDH.MNG.INIT (KVM_TDX_INIT_VM on a real
 * host).  Facts: Intel TDX module ABI (td_params_t, TD ATTRIBUTES, XFAM).
 */
#ifndef COCO_TDX_H
#define COCO_TDX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TD ATTRIBUTES bits (TD_PARAMS offset 0; reported in TDINFO and quotes). */
#define COCO_TDX_ATTR_DEBUG (1ull << 0)
#define COCO_TDX_ATTR_SEPT_VE_DISABLE (1ull << 28)
#define COCO_TDX_ATTR_MIGRATABLE (1ull << 29)
#define COCO_TDX_ATTR_PKS (1ull << 30)
#define COCO_TDX_ATTR_KL (1ull << 31)
#define COCO_TDX_ATTR_PERFMON (1ull << 63)
/* Bits the architecture defines at all; the rest are reserved (must be zero). */
#define COCO_TDX_ATTR_DEFINED_MASK                                                       \
	(COCO_TDX_ATTR_DEBUG | COCO_TDX_ATTR_SEPT_VE_DISABLE | COCO_TDX_ATTR_MIGRATABLE |  \
	 COCO_TDX_ATTR_PKS | COCO_TDX_ATTR_KL | COCO_TDX_ATTR_PERFMON)
#define COCO_TDX_ATTR_DEFAULT COCO_TDX_ATTR_SEPT_VE_DISABLE

/*
 * XFAM (extended features the TD may use, XCR0 | IA32_XSS layout).  Bits 0
 * (x87) and 1 (SSE) must be set (XFAM_FIXED1).  The default is the set a
 * Sapphire Rapids TD typically runs with: x87, SSE, AVX, AVX-512, PKRU,
 * CET, AMX.
 */
#define COCO_TDX_XFAM_FIXED1 0x3ull
#define COCO_TDX_XFAM_DEFAULT 0x61ae7ull

#define COCO_TDX_MR_SIZE 48

struct coco_tdx_policy {
	/*
	 * COCO_TDX_ATTR_*; 0 selects COCO_TDX_ATTR_DEFAULT (a TD with no
	 * attribute at all is not useful: Linux guests refuse to run without
	 * SEPT_VE_DISABLE).
	 */
	uint64_t attributes;
	uint64_t xfam;			/* 0 selects COCO_TDX_XFAM_DEFAULT */
	/* Owner-chosen values bound into the TD's reports (TDINFO), not measured. */
	uint8_t mrconfigid[COCO_TDX_MR_SIZE];
	uint8_t mrowner[COCO_TDX_MR_SIZE];
	uint8_t mrownerconfig[COCO_TDX_MR_SIZE];
	/* Guest TSC frequency in kHz (25 MHz steps, 100 MHz to 10 GHz); 0: the platform's. */
	uint32_t tsc_khz;
};

/*
 * Check ATTRIBUTES and XFAM as TDH.MNG.INIT will, as far as no platform is
 * needed: no reserved attribute bit set, XFAM bits 0 and 1 set.  Returns 0
 * or -EINVAL with a message naming the offending bit.
 */
int coco_tdx_policy_validate(uint64_t attributes, uint64_t xfam);

#ifdef __cplusplus
}
#endif

#endif /* COCO_TDX_H */

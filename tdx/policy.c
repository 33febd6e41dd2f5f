/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TD policy checks that need no platform: the architectural reserved bits
 * of ATTRIBUTES and XFAM_FIXED1 (TDH.MNG.INIT refuses both with
 * TDX_OPERAND_INVALID; specs/tdx.md 4.2).  What a given platform supports
 * (ATTRIBUTES_FIXED0/1, XFAM_FIXED0 from its metadata) is checked when the
 * TD is initialised.
 */
#include <errno.h>

#include <coco/tdx.h>

#include "core/error.h"

int coco_tdx_policy_validate(uint64_t attributes, uint64_t xfam)
{
	uint64_t reserved = attributes & ~COCO_TDX_ATTR_DEFINED_MASK;

	if (reserved)
		return coco_err(-EINVAL,
				"TD policy: ATTRIBUTES 0x%llx sets reserved bit %d; defined bits "
				"are DEBUG (0), SEPT_VE_DISABLE (28), MIGRATABLE (29), PKS (30), "
				"KL (31) and PERFMON (63)",
				(unsigned long long)attributes, __builtin_ctzll(reserved));
	if ((xfam & COCO_TDX_XFAM_FIXED1) != COCO_TDX_XFAM_FIXED1)
		return coco_err(-EINVAL,
				"TD policy: XFAM 0x%llx lacks x87 (bit 0) or SSE (bit 1), which "
				"every TD must have (XFAM_FIXED1 = 0x3); set both",
				(unsigned long long)xfam);
	return 0;
}

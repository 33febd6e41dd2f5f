/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: TDX memory maps (tdx/memmap.c: memmap files and /proc/iomem
 * text) and, for maps that parse, the TDMR plan (tdx/tdmr.c) under the
 * default limits and under tight ones derived from the input, plus the
 * TDMR_INFO encode/decode round trip of every TDMR.  Any input must parse
 * or be refused with a message; plans must keep their own promises
 * (sorted TDMRs, reserved areas inside them, PAMTs sized by the rule).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/error.h"
#include "tdx/memmap.h"
#include "tdx/tdmr.h"

#define CHECK(cond)                        \
	do {                               \
		if (!(cond))               \
			__builtin_trap();  \
	} while (0)

static void check_plan(const struct tdx_tdmr_plan *p, const struct tdx_tdmr_limits *l)
{
	static uint8_t buf[64 + 16 * 64];
	struct tdx_reserved_area slots[64];
	struct tdx_tdmr back;

	CHECK(p->nr_tdmrs >= 1 && p->nr_tdmrs <= l->max_tdmrs);
	for (size_t i = 0; i < p->nr_tdmrs; i++) {
		const struct tdx_tdmr *t = &p->tdmrs[i];

		CHECK(t->size && !(t->base % TDX_TDMR_ALIGNMENT) && !(t->size % TDX_TDMR_ALIGNMENT));
		CHECK(!i || t->base >= p->tdmrs[i - 1].base + p->tdmrs[i - 1].size);
		CHECK(t->nr_reserved <= l->max_reserved_per_tdmr);
		for (uint32_t r = 0; r < t->nr_reserved; r++) {
			CHECK(t->reserved[r].size && t->reserved[r].offset + t->reserved[r].size <= t->size);
			CHECK(!r || t->reserved[r].offset >=
					    t->reserved[r - 1].offset + t->reserved[r - 1].size);
		}
		CHECK(t->pamt_size[TDX_PS_4K] == tdx_pamt_bytes(t->size, TDX_PS_4K,
								l->pamt_entry_size[TDX_PS_4K]));
		if (l->max_reserved_per_tdmr <= 64) {
			int n = tdx_tdmr_info_encode(t, l->max_reserved_per_tdmr, buf, sizeof(buf));

			CHECK(n == (int)tdx_tdmr_info_bytes(l->max_reserved_per_tdmr));
			CHECK(!tdx_tdmr_info_decode(buf, (size_t)n, l->max_reserved_per_tdmr, &back,
						    slots));
			CHECK(back.base == t->base && back.size == t->size &&
			      back.nr_reserved == t->nr_reserved);
			for (int ps = 0; ps < TDX_PS_NR; ps++)
				CHECK(back.pamt_base[ps] == t->pamt_base[ps] &&
				      back.pamt_size[ps] == t->pamt_size[ps]);
		}
	}
}

static void plan(const struct tdx_memmap *m, size_t size)
{
	struct tdx_tdmr_limits l;
	struct tdx_tdmr_plan p;

	tdx_tdmr_limits_default(&l);
	if (!tdx_tdmr_plan_build(m->ranges, m->nr, &l, &p)) {
		check_plan(&p, &l);
		tdx_tdmr_plan_release(&p);
	}
	/* Tight limits reach the exhaustion paths on small inputs. */
	l.max_tdmrs = 1 + (uint32_t)(size % 8);
	l.max_reserved_per_tdmr = 1 + (uint32_t)(size / 8 % 20);
	l.pamt_entry_size[TDX_PS_2M] = (uint16_t)(1 + size % 40);
	if (!tdx_tdmr_plan_build(m->ranges, m->nr, &l, &p)) {
		check_plan(&p, &l);
		tdx_tdmr_plan_release(&p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_memmap m;

	if (!tdx_memmap_parse((const char *)data, size, &m)) {
		CHECK(m.nr >= 1 && m.nr <= TDX_MEMMAP_MAX_RANGES);
		plan(&m, size);
		tdx_memmap_release(&m);
	}
	if (!tdx_memmap_from_iomem((const char *)data, size, NULL, &m)) {
		plan(&m, size);
		tdx_memmap_release(&m);
	}
	coco_clear_error();
	return 0;
}

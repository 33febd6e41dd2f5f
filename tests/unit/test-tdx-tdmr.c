/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/memmap.c, tdx/tdmr.c and their public face.
 *
 * Two kinds of checks: the construction rules one at a time on small maps
 * (numbers from the kernel's rules and the spec's worked examples), and
 * for every plan - including a few hundred random maps - the conditions
 * TDH.SYS.CONFIG itself checks (specs section 3.1): 1 GiB aligned ascending
 * TDMRs, sorted non-overlapping 4 KiB reserved areas inside them, all RAM
 * covered and unreserved, every unreserved byte RAM, PAMTs big enough,
 * inside RAM, disjoint, and reserved wherever they lie inside a TDMR.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <coco/tdx-tdmr.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/memmap.h"
#include "tdx/tdmr.h"
#include "tests/common/test-main.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

/* ---- invariants of a finished plan -------------------------------------- */

static bool in_ram(const struct tdx_tdmr_plan *p, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < p->nr_memblocks; i++)
		if (p->memblocks[i].start <= start && end <= p->memblocks[i].end)
			return true;
	return false;
}

/* Is [a, a+1) inside one of @t's reserved areas? */
static bool reserved_at(const struct tdx_tdmr *t, uint64_t addr)
{
	for (uint32_t r = 0; r < t->nr_reserved; r++)
		if (addr >= t->base + t->reserved[r].offset &&
		    addr < t->base + t->reserved[r].offset + t->reserved[r].size)
			return true;
	return false;
}

/* TDH.SYS.CONFIG's checks, on the boundaries where anything can change. */
static void check_invariants(const struct tdx_tdmr_plan *p, const struct tdx_tdmr_limits *l)
{
	CU_ASSERT_FATAL(p->nr_tdmrs >= 1 && p->nr_tdmrs <= l->max_tdmrs);
	for (size_t i = 0; i < p->nr_tdmrs; i++) {
		const struct tdx_tdmr *t = &p->tdmrs[i];
		uint64_t end = t->base + t->size;

		CU_ASSERT(COCO_ALIGNED(t->base | t->size, GIB) && t->size > 0);
		if (i)
			CU_ASSERT(t->base >= p->tdmrs[i - 1].base + p->tdmrs[i - 1].size);
		CU_ASSERT(t->nr_reserved <= l->max_reserved_per_tdmr);
		for (uint32_t r = 0; r < t->nr_reserved; r++) {
			const struct tdx_reserved_area *a = &t->reserved[r];

			CU_ASSERT(COCO_ALIGNED(a->offset | a->size, 4096) && a->size > 0);
			CU_ASSERT(a->offset + a->size <= t->size);
			if (r)
				CU_ASSERT(a->offset >= t->reserved[r - 1].offset +
							   t->reserved[r - 1].size);
			/* Reserved: no RAM, or a PAMT. */
		}
		for (int ps = 0; ps < TDX_PS_NR; ps++) {
			static const unsigned shift[] = { 12, 21, 30 };

			CU_ASSERT(COCO_ALIGNED(t->pamt_base[ps] | t->pamt_size[ps], 4096));
			CU_ASSERT(t->pamt_size[ps] >= (t->size >> shift[ps]) * l->pamt_entry_size[ps]);
		}
		CU_ASSERT(t->pamt_base[TDX_PS_2M] == t->pamt_base[TDX_PS_4K] + t->pamt_size[TDX_PS_4K]);
		CU_ASSERT(t->pamt_base[TDX_PS_1G] == t->pamt_base[TDX_PS_2M] + t->pamt_size[TDX_PS_2M]);
		CU_ASSERT(in_ram(p, tdx_tdmr_pamt_block_base(t),
				 tdx_tdmr_pamt_block_base(t) + tdx_tdmr_pamt_block_bytes(t)));
		/* Walk the TDMR piecewise: every byte is RAM or reserved. */
		for (uint64_t a = t->base; a < end;) {
			uint64_t next = end;
			bool ram = false;

			for (size_t m = 0; m < p->nr_memblocks; m++) {
				const struct tdx_mem_range *mb = &p->memblocks[m];
				if (mb->start <= a && a < mb->end) {
					ram = true;
					next = COCO_MIN(next, mb->end);
				} else if (mb->start > a) {
					next = COCO_MIN(next, mb->start);
				}
			}
			for (uint32_t r = 0; r < t->nr_reserved; r++) {
				uint64_t rs = t->base + t->reserved[r].offset;
				uint64_t re = rs + t->reserved[r].size;
				if (rs > a)
					next = COCO_MIN(next, rs);
				else if (re > a)
					next = COCO_MIN(next, re);
			}
			for (size_t j = 0; j < p->nr_tdmrs; j++) {
				uint64_t pb = tdx_tdmr_pamt_block_base(&p->tdmrs[j]);
				uint64_t pe = pb + tdx_tdmr_pamt_block_bytes(&p->tdmrs[j]);
				bool in_pamt = pb <= a && a < pe;

				if (pb > a)
					next = COCO_MIN(next, pb);
				else if (pe > a)
					next = COCO_MIN(next, pe);
				if (in_pamt)
					CU_ASSERT(reserved_at(t, a));	/* PAMT inside a TDMR */
			}
			if (!ram)
				CU_ASSERT(reserved_at(t, a));	/* holes are reserved */
			a = next;
		}
	}
	/* All RAM inside TDMRs; PAMT blocks pairwise disjoint. */
	for (size_t m = 0; m < p->nr_memblocks; m++) {
		uint64_t a = p->memblocks[m].start;
		size_t i = 0;

		while (a < p->memblocks[m].end && i < p->nr_tdmrs) {
			if (a >= p->tdmrs[i].base + p->tdmrs[i].size) {
				i++;
				continue;
			}
			CU_ASSERT_FATAL(a >= p->tdmrs[i].base);
			a = p->tdmrs[i].base + p->tdmrs[i].size;
		}
		CU_ASSERT(a >= p->memblocks[m].end);
	}
	for (size_t i = 0; i < p->nr_tdmrs; i++)
		for (size_t j = i + 1; j < p->nr_tdmrs; j++) {
			uint64_t ib = tdx_tdmr_pamt_block_base(&p->tdmrs[i]);
			uint64_t jb = tdx_tdmr_pamt_block_base(&p->tdmrs[j]);
			CU_ASSERT(ib + tdx_tdmr_pamt_block_bytes(&p->tdmrs[i]) <= jb ||
				  jb + tdx_tdmr_pamt_block_bytes(&p->tdmrs[j]) <= ib);
		}
}

static int plan_with(const struct tdx_mem_range *r, size_t n, const struct tdx_tdmr_limits *l,
		     struct tdx_tdmr_plan *p)
{
	struct tdx_tdmr_limits defaults;
	int ret;

	if (!l) {
		tdx_tdmr_limits_default(&defaults);
		l = &defaults;
	}
	ret = tdx_tdmr_plan_build(r, n, l, p);
	if (!ret)
		check_invariants(p, l);
	return ret;
}

#define PLAN_OK(ranges, limits, plan)                                                   \
	do {                                                                           \
		int ret_ = plan_with(ranges, COCO_ARRAY_SIZE(ranges), limits, plan);   \
		if (ret_)                                                              \
			fprintf(stderr, "\n%s\n", coco_last_error());                  \
		CU_ASSERT_EQUAL_FATAL(ret_, 0);                                        \
	} while (0)

static bool error_has(const char *needle)
{
	if (strstr(coco_last_error(), needle))
		return true;
	fprintf(stderr, "\nexpected '%s' in: %s\n", needle, coco_last_error());
	return false;
}

/* ---- construction rules ------------------------------------------------- */

static void test_pamt_sizes(void)
{
	/* specs 3.3: 2 GiB -> 8 MiB + 16 KiB + 4 KiB; 60 GiB -> 240 MiB + 480 KiB + 4 KiB. */
	CU_ASSERT_EQUAL(tdx_pamt_bytes(2 * GIB, TDX_PS_4K, 16), 0x800000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(2 * GIB, TDX_PS_2M, 16), 0x4000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(2 * GIB, TDX_PS_1G, 16), 0x1000);	/* 32 -> 4 KiB */
	CU_ASSERT_EQUAL(tdx_pamt_bytes(60 * GIB, TDX_PS_4K, 16), 0xF000000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(60 * GIB, TDX_PS_2M, 16), 0x78000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(60 * GIB, TDX_PS_1G, 16), 0x1000);
	/* Other entry sizes scale and still round up to pages: 1 GiB x 24 B / 2 MiB = 12 KiB. */
	CU_ASSERT_EQUAL(tdx_pamt_bytes(GIB, TDX_PS_2M, 24), 0x3000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(GIB, TDX_PS_2M, 25), 0x4000);
	CU_ASSERT_EQUAL(tdx_pamt_bytes(GIB, TDX_PS_NR, 16), 0);
}

static void test_example_a(void)
{
	static const struct tdx_mem_range map[] = { { 0, 2 * GIB, 0 }, { 4 * GIB, 64 * GIB, 0 } };
	struct tdx_tdmr_plan p;

	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_memblocks, 2);
	CU_ASSERT_EQUAL(p.memblocks[0].start, MIB);	/* first MiB clipped */
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 2);
	CU_ASSERT_EQUAL(p.tdmrs[0].base, 0);
	CU_ASSERT_EQUAL(p.tdmrs[0].size, 2 * GIB);
	CU_ASSERT_EQUAL(p.tdmrs[1].base, 4 * GIB);
	CU_ASSERT_EQUAL(p.tdmrs[1].size, 60 * GIB);
	/* Both PAMTs at the bottom of the memory above 4 GiB, one after the other. */
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), 4 * GIB);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[1]), 4 * GIB + 0x805000);
	CU_ASSERT_EQUAL(p.pamt_bytes / 1024, 254456);
	CU_ASSERT_EQUAL_FATAL(p.tdmrs[0].nr_reserved, 1);
	CU_ASSERT_EQUAL(p.tdmrs[0].reserved[0].offset, 0);
	CU_ASSERT_EQUAL(p.tdmrs[0].reserved[0].size, MIB);
	/* Adjacent PAMTs stay two areas (the kernel never merges). */
	CU_ASSERT_EQUAL_FATAL(p.tdmrs[1].nr_reserved, 2);
	CU_ASSERT_EQUAL(p.tdmrs[1].reserved[1].offset, 0x805000);
	CU_ASSERT(!p.tdmrs_near_limit);
	tdx_tdmr_plan_release(&p);
}

static void test_fill_out_rules(void)
{
	/* Ranges in one GiB share a TDMR; a range starting inside the current
	 * TDMR but ending beyond opens the next TDMR at the current one's end
	 * (the kernel never grows a TDMR). */
	static const struct tdx_mem_range map[] = {
		{ 0x100000, 0x200000, 0 },
		{ 0x300000, 0x400000, 0 },		/* inside TDMR0: nothing new */
		{ 0x30000000, GIB + 512 * MIB, 0 },	/* from GiB 0 into GiB 1 */
		{ GIB + 768 * MIB, 3 * GIB + 512 * MIB, 0 },	/* from GiB 1 into GiB 3 */
		{ 8 * GIB, 9 * GIB, 0 },
	};
	static const uint64_t expect[][2] = {
		{ 0, GIB }, { GIB, GIB }, { 2 * GIB, 2 * GIB }, { 8 * GIB, GIB },
	};
	struct tdx_tdmr_plan p;

	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 4);
	for (size_t i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(p.tdmrs[i].base, expect[i][0]);
		CU_ASSERT_EQUAL(p.tdmrs[i].size, expect[i][1]);
	}
	tdx_tdmr_plan_release(&p);
}

static void test_clipping(void)
{
	static const struct tdx_mem_range below[] = { { 0x1000, 0x9f000, 0 } };
	static const struct tdx_mem_range map[] = { { 0x1000, 0x9f000, 3 },
						    { 0x9f000, 0x200000, 1 },
						    { 5 * GIB, 6 * GIB, 1 } };
	struct tdx_tdmr_plan p;

	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(below, 1, NULL, &p), -EINVAL);
	CU_ASSERT(error_has("no memory above 1 MiB"));
	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_memblocks, 2);	/* the range below 1 MiB is gone */
	CU_ASSERT_EQUAL(p.memblocks[0].start, MIB);
	CU_ASSERT_EQUAL(p.memblocks[0].end, 0x200000);
	CU_ASSERT_EQUAL(p.memblocks[0].node, 1);
	CU_ASSERT_EQUAL_FATAL(p.tdmrs[0].nr_reserved, 2);	/* [0, 1M) and [2M, 1G) */
	CU_ASSERT_EQUAL(p.tdmrs[0].reserved[0].size, MIB);
	CU_ASSERT_EQUAL(p.tdmrs[0].reserved[1].offset, 0x200000);
	CU_ASSERT_EQUAL(p.tdmrs[0].reserved[1].size, GIB - 0x200000);
	tdx_tdmr_plan_release(&p);
}

static void test_pamt_node_choice(void)
{
	/* Range 0 ends exactly at 1 GiB: not "above" TDMR1's base, so TDMR1's
	 * node is range 1's.  Each node has room of its own. */
	static const struct tdx_mem_range map[] = { { MIB, GIB, 0 }, { GIB, 2 * GIB, 1 } };
	struct tdx_tdmr_plan p;

	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 2);
	CU_ASSERT_EQUAL(p.tdmrs[0].pamt_node, 0);
	CU_ASSERT_EQUAL(p.tdmrs[1].pamt_node, 1);
	/* No memory above 4 GiB: lowest address of the node. */
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), MIB);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[1]), GIB);
	tdx_tdmr_plan_release(&p);
}

static void test_placement_prefers_high_memory(void)
{
	/* One range straddling 4 GiB: the PAMT starts at 4 GiB, not at 3 GiB. */
	static const struct tdx_mem_range straddle[] = { { 3 * GIB, 6 * GIB, 0 } };
	/* High memory too small for the 3 GiB TDMR's PAMT (12 MiB): it goes low,
	 * and the next, smaller PAMT still takes the high memory. */
	static const struct tdx_mem_range small_high[] = { { MIB, 3 * GIB, 0 },
							   { 4 * GIB, 4 * GIB + 8 * MIB, 0 } };
	struct tdx_tdmr_plan p;

	PLAN_OK(straddle, NULL, &p);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), 4 * GIB);
	tdx_tdmr_plan_release(&p);

	PLAN_OK(small_high, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 2);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_bytes(&p.tdmrs[0]), 0xC07000);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), MIB);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[1]), 4 * GIB);
	tdx_tdmr_plan_release(&p);
}

static void test_placement_falls_back_to_other_nodes(void)
{
	/* Node 2's only range is 1 MiB: its TDMR's PAMT (~4 MiB) goes to the
	 * other nodes in ascending order: node 0 is full, node 1 has room
	 * (and node 3 would too). */
	static const struct tdx_mem_range map[] = {
		{ MIB, 0x500000, 0 },			/* node 0: 4 MiB, TDMR0's PAMT fills it */
		{ 2 * GIB, 3 * GIB, 3 },
		{ 5 * GIB, 6 * GIB, 1 },
		{ 8 * GIB, 8 * GIB + MIB, 2 },
	};
	struct tdx_tdmr_plan p;

	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 4);
	/* TDMR0 (node 0): too big for node 0's 4 MiB, so node 1 (above 4 GiB). */
	CU_ASSERT_EQUAL(p.tdmrs[0].pamt_node, 0);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), 5 * GIB);
	CU_ASSERT_EQUAL(p.tdmrs[1].pamt_node, 3);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[1]), 2 * GIB);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[2]), 5 * GIB + 0x403000);
	/* TDMR3 (node 2): node 0 has no room, node 1 has, after TDMR0/2's PAMTs. */
	CU_ASSERT_EQUAL(p.tdmrs[3].pamt_node, 2);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[3]), 5 * GIB + 2 * 0x403000);
	tdx_tdmr_plan_release(&p);
}

static void test_no_room_for_pamt(void)
{
	static const struct tdx_mem_range map[] = { { MIB, 2 * MIB, 0 }, { GIB, GIB + MIB, 1 } };
	struct tdx_tdmr_plan p;

	CU_ASSERT_EQUAL(plan_with(map, 2, NULL, &p), -ENOSPC);
	CU_ASSERT(error_has("no room for PAMT of TDMR [0x0, 0x40000000)"));
	CU_ASSERT_PTR_NULL(p.tdmrs);	/* released on failure */
}

static void test_pamt_crossing_tdmrs(void)
{
	/* TDMR0 [0, 1G) has 1 MiB of RAM, so its PAMT lands in range 1 at
	 * 1G - 2M and crosses into TDMR1: each TDMR reserves its part. */
	static const struct tdx_mem_range map[] = { { MIB, 2 * MIB, 0 },
						    { GIB - 2 * MIB, 3 * GIB, 0 } };
	struct tdx_tdmr_plan p;
	const struct tdx_tdmr *t0, *t1;

	PLAN_OK(map, NULL, &p);
	CU_ASSERT_EQUAL_FATAL(p.nr_tdmrs, 2);
	t0 = &p.tdmrs[0];
	t1 = &p.tdmrs[1];
	CU_ASSERT_EQUAL(t1->base, GIB);
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(t0), GIB - 2 * MIB);
	CU_ASSERT_EQUAL_FATAL(t0->nr_reserved, 3);	/* [0,1M), [2M, 1G-2M), PAMT0 head */
	CU_ASSERT_EQUAL(t0->reserved[1].offset, 2 * MIB);
	CU_ASSERT_EQUAL(t0->reserved[1].size, GIB - 4 * MIB);
	CU_ASSERT_EQUAL(t0->reserved[2].offset, GIB - 2 * MIB);
	CU_ASSERT_EQUAL(t0->reserved[2].size, 2 * MIB);
	CU_ASSERT_EQUAL_FATAL(t1->nr_reserved, 2);	/* PAMT0 tail, then PAMT1 */
	CU_ASSERT_EQUAL(t1->reserved[0].offset, 0);
	CU_ASSERT_EQUAL(t1->reserved[0].size, tdx_tdmr_pamt_block_bytes(t0) - 2 * MIB);
	CU_ASSERT_EQUAL(t1->reserved[1].offset, t1->reserved[0].size);
	CU_ASSERT_EQUAL(t1->reserved[1].size, tdx_tdmr_pamt_block_bytes(t1));
	tdx_tdmr_plan_release(&p);
}

/* A host allocator handing out PAMT blocks top-down from the end of its range. */
struct top_down {
	uint64_t next_end;
	unsigned int calls;
	uint32_t nodes[8];
	int fail_at;			/* call number that fails, or -1 */
	uint64_t misplace;		/* nonzero: hand this address out instead */
};

static int alloc_top_down(void *ctx, uint64_t bytes, uint32_t node, uint64_t *base)
{
	struct top_down *td = ctx;

	if (td->calls < 8)
		td->nodes[td->calls] = node;
	if ((int)td->calls++ == td->fail_at)
		return coco_err(-ENOMEM, "test allocator: out of memory");
	td->next_end -= ((bytes + 2 * MIB - 1) & ~(2 * MIB - 1));
	*base = td->misplace ? td->misplace : td->next_end;
	return 0;
}

static void test_pamt_host_allocator(void)
{
	static const struct tdx_mem_range map[] = { { 0, 2 * GIB, 0 }, { 4 * GIB, 8 * GIB, 1 } };
	struct tdx_tdmr_limits l;
	struct top_down td = { .next_end = 8 * GIB, .fail_at = -1 };
	struct tdx_tdmr_plan p, placed;
	uint64_t pamt1;

	tdx_tdmr_limits_default(&l);
	CU_ASSERT_EQUAL_FATAL(tdx_tdmr_plan_build_alloc(map, 2, &l, alloc_top_down, &td, &p), 0);
	check_invariants(&p, &l);
	CU_ASSERT_EQUAL(td.calls, 2);
	CU_ASSERT_EQUAL(td.nodes[0], 0);
	CU_ASSERT_EQUAL(td.nodes[1], 1);
	/* The blocks are where the host put them, not where the planner would. */
	CU_ASSERT_EQUAL_FATAL(plan_with(map, 2, NULL, &placed), 0);
	pamt1 = 8 * GIB - ((tdx_tdmr_pamt_block_bytes(&p.tdmrs[0]) + 2 * MIB - 1) & ~(2 * MIB - 1));
	CU_ASSERT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]), pamt1);
	CU_ASSERT_NOT_EQUAL(tdx_tdmr_pamt_block_base(&p.tdmrs[0]),
			    tdx_tdmr_pamt_block_base(&placed.tdmrs[0]));
	CU_ASSERT_EQUAL(p.pamt_bytes, placed.pamt_bytes);
	/* TDMR1 [4G, 8G) reserves both blocks at its end, and nothing else. */
	CU_ASSERT_EQUAL_FATAL(p.tdmrs[1].nr_reserved, 2);
	CU_ASSERT_EQUAL(p.tdmrs[1].base + p.tdmrs[1].reserved[1].offset, pamt1);
	tdx_tdmr_plan_release(&p);
	tdx_tdmr_plan_release(&placed);

	/* The allocator's error is the plan's; a block outside the map is refused. */
	td = (struct top_down){ .next_end = 8 * GIB, .fail_at = 1 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build_alloc(map, 2, &l, alloc_top_down, &td, &p), -ENOMEM);
	CU_ASSERT(error_has("test allocator"));
	CU_ASSERT_PTR_NULL(p.tdmrs);
	td = (struct top_down){ .next_end = 8 * GIB, .fail_at = -1, .misplace = 3 * GIB };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build_alloc(map, 2, &l, alloc_top_down, &td, &p), -EINVAL);
	CU_ASSERT(error_has("not 4 KiB aligned inside one memory range"));
	td = (struct top_down){ .next_end = 8 * GIB, .fail_at = -1, .misplace = 8 * GIB - 4096 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build_alloc(map, 2, &l, alloc_top_down, &td, &p), -EINVAL);
}

static void test_tdmrs_exhausted(void)
{
	static const struct tdx_mem_range map[] = { { MIB, 2 * MIB, 0 },
						    { 8 * GIB, 9 * GIB, 0 },
						    { 16 * GIB, 17 * GIB, 0 } };
	struct tdx_tdmr_limits l;
	struct tdx_tdmr_plan p;

	tdx_tdmr_limits_default(&l);
	l.max_tdmrs = 2;
	CU_ASSERT_EQUAL(plan_with(map, 3, &l, &p), -ENOSPC);
	CU_ASSERT(error_has("initialization failed: TDMRs exhausted."));
	l.max_tdmrs = 3;
	CU_ASSERT_EQUAL_FATAL(plan_with(map, 3, &l, &p), 0);
	CU_ASSERT(p.tdmrs_near_limit);	/* 0 left, fewer than 4 */
	tdx_tdmr_plan_release(&p);
	l.max_tdmrs = 7;
	CU_ASSERT_EQUAL_FATAL(plan_with(map, 3, &l, &p), 0);
	CU_ASSERT(!p.tdmrs_near_limit);	/* 4 left */
	tdx_tdmr_plan_release(&p);
}

static void test_reserved_exhausted(void)
{
	static const struct tdx_mem_range map[] = { { 0, 2 * GIB, 0 }, { 4 * GIB, 64 * GIB, 0 } };
	struct tdx_mem_range holes[17];
	struct tdx_tdmr_limits l;
	struct tdx_tdmr_plan p;

	/* Example (a): TDMR1 needs 2 areas (the two PAMTs). */
	tdx_tdmr_limits_default(&l);
	l.max_reserved_per_tdmr = 2;
	CU_ASSERT_EQUAL_FATAL(plan_with(map, 2, &l, &p), 0);
	tdx_tdmr_plan_release(&p);
	l.max_reserved_per_tdmr = 1;
	CU_ASSERT_EQUAL(plan_with(map, 2, &l, &p), -ENOSPC);
	CU_ASSERT(error_has("initialization failed: TDMR [0x100000000, 0x1000000000): reserved "
			    "areas exhausted."));

	/* Example (c): 17 x 16 MiB, 16 MiB apart, from 1 MiB: 18 holes + PAMT. */
	for (int i = 0; i < 17; i++)
		holes[i] = (struct tdx_mem_range){ MIB + (uint64_t)i * 32 * MIB,
						   17 * MIB + (uint64_t)i * 32 * MIB, 0 };
	CU_ASSERT_EQUAL(plan_with(holes, 17, NULL, &p), -ENOSPC);
	CU_ASSERT(error_has("initialization failed: TDMR [0x0, 0x40000000): reserved areas "
			    "exhausted."));
	l.max_reserved_per_tdmr = 19;
	CU_ASSERT_EQUAL_FATAL(plan_with(holes, 17, &l, &p), 0);
	CU_ASSERT_EQUAL(p.tdmrs[0].nr_reserved, 19);
	tdx_tdmr_plan_release(&p);
	l.max_reserved_per_tdmr = 18;
	CU_ASSERT_EQUAL(plan_with(holes, 17, &l, &p), -ENOSPC);
}

static void test_bad_input(void)
{
	static const struct tdx_mem_range ok[] = { { MIB, GIB, 0 } };
	struct tdx_mem_range r[2];
	struct tdx_tdmr_limits l;
	struct tdx_tdmr_plan p;

	r[0] = (struct tdx_mem_range){ 2 * GIB, 3 * GIB, 0 };
	r[1] = (struct tdx_mem_range){ GIB, 2 * GIB, 0 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(r, 2, NULL, &p), -EINVAL);
	CU_ASSERT(error_has("ranges must ascend"));
	r[1] = (struct tdx_mem_range){ 3 * GIB - 4096, 4 * GIB, 0 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(r, 2, NULL, &p), -EINVAL);
	r[1] = (struct tdx_mem_range){ 4 * GIB, 4 * GIB, 0 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(r, 2, NULL, &p), -EINVAL);
	CU_ASSERT(error_has("is empty"));
	r[1] = (struct tdx_mem_range){ 4 * GIB, 5 * GIB + 1, 0 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(r, 2, NULL, &p), -EINVAL);
	CU_ASSERT(error_has("4 KiB aligned"));
	r[1] = (struct tdx_mem_range){ 4 * GIB, TDX_PHYS_ADDR_LIMIT + 4096, 0 };
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(r, 2, NULL, &p), -EINVAL);
	CU_ASSERT(error_has("52-bit"));
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(NULL, 1, NULL, &p), -EINVAL);
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(NULL, 0, NULL, &p), -EINVAL);

	tdx_tdmr_limits_default(&l);
	l.max_tdmrs = 0;
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(ok, 1, &l, &p), -EINVAL);
	CU_ASSERT(error_has("MAX_TDMRS"));
	l.max_tdmrs = 65536;
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(ok, 1, &l, &p), -EINVAL);
	tdx_tdmr_limits_default(&l);
	l.max_reserved_per_tdmr = 0;
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(ok, 1, &l, &p), -EINVAL);
	CU_ASSERT(error_has("MAX_RESERVED_PER_TDMR"));
	tdx_tdmr_limits_default(&l);
	l.pamt_entry_size[TDX_PS_1G] = 0;
	CU_ASSERT_EQUAL(tdx_tdmr_plan_build(ok, 1, &l, &p), -EINVAL);
	CU_ASSERT(error_has("PAMT_1G_ENTRY_SIZE"));
}

/* Deterministic xorshift: random maps, same every run. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint64_t rng(uint64_t bound)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state % bound;
}

static void test_random_maps_meet_module_rules(void)
{
	struct tdx_mem_range r[40];
	struct tdx_tdmr_limits l;
	int planned = 0;

	tdx_tdmr_limits_default(&l);
	l.max_reserved_per_tdmr = 64;
	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (size_t)rng(40);
		uint64_t at = rng(4) * 4096 * rng(512);
		struct tdx_tdmr_plan p;
		int ret;

		for (size_t i = 0; i < n; i++) {
			/* Gaps and sizes from pages to GiBs, so ranges share and cross GiBs. */
			uint64_t unit = rng(3) == 0 ? GIB : rng(2) ? MIB : 4096;

			at += unit * rng(8);
			r[i].start = at;
			at += unit * (1 + rng(16));
			r[i].end = at;
			r[i].node = (uint32_t)rng(3);
		}
		ret = plan_with(r, n, &l, &p);
		if (ret == 0) {
			planned++;
			tdx_tdmr_plan_release(&p);
		} else {
			/* Only the documented refusals. */
			CU_ASSERT(ret == -ENOSPC || (ret == -EINVAL && error_has("above 1 MiB")));
		}
	}
	CU_ASSERT(planned > 200);
}

/* ---- TDMR_INFO ---------------------------------------------------------- */

static void test_tdmr_info_layout(void)
{
	static const struct tdx_mem_range map[] = { { 0, 2 * GIB, 0 }, { 4 * GIB, 64 * GIB, 0 } };
	uint8_t buf[TDX_TDMR_INFO_HEADER_BYTES + 16 * TDX_TDMR_INFO_RESERVED_BYTES + 8];
	struct tdx_reserved_area slots[16];
	struct tdx_tdmr_plan p;
	struct tdx_tdmr back;
	const struct tdx_tdmr *t;

	CU_ASSERT_EQUAL(tdx_tdmr_info_bytes(16), 320);	/* specs 3.1 */
	PLAN_OK(map, NULL, &p);
	t = &p.tdmrs[1];
	memset(buf, 0xAA, sizeof(buf));
	CU_ASSERT_EQUAL(tdx_tdmr_info_encode(t, 16, buf, sizeof(buf)), 320);
	/* Field order: base, size, 1G base/size, 2M base/size, 4K base/size. */
	CU_ASSERT_EQUAL(coco_le64(buf + 0), 4 * GIB);
	CU_ASSERT_EQUAL(coco_le64(buf + 8), 60 * GIB);
	CU_ASSERT_EQUAL(coco_le64(buf + 16), t->pamt_base[TDX_PS_1G]);
	CU_ASSERT_EQUAL(coco_le64(buf + 24), 0x1000);
	CU_ASSERT_EQUAL(coco_le64(buf + 32), t->pamt_base[TDX_PS_2M]);
	CU_ASSERT_EQUAL(coco_le64(buf + 40), 0x78000);
	CU_ASSERT_EQUAL(coco_le64(buf + 48), 4 * GIB + 0x805000);
	CU_ASSERT_EQUAL(coco_le64(buf + 56), 0xF000000);
	CU_ASSERT_EQUAL(coco_le64(buf + 64), 0);	/* reserved[0] = PAMT0 at offset 0 */
	CU_ASSERT_EQUAL(coco_le64(buf + 72), 0x805000);
	CU_ASSERT_EQUAL(coco_le64(buf + 80), 0x805000);
	CU_ASSERT(coco_all_zero(buf + 96, 320 - 96));	/* unused slots terminate */
	CU_ASSERT_EQUAL(buf[320], 0xAA);		/* nothing written past the layout */

	CU_ASSERT_EQUAL(tdx_tdmr_info_decode(buf, 320, 16, &back, slots), 0);
	CU_ASSERT_EQUAL(back.base, t->base);
	CU_ASSERT_EQUAL(back.size, t->size);
	for (int ps = 0; ps < TDX_PS_NR; ps++) {
		CU_ASSERT_EQUAL(back.pamt_base[ps], t->pamt_base[ps]);
		CU_ASSERT_EQUAL(back.pamt_size[ps], t->pamt_size[ps]);
	}
	CU_ASSERT_EQUAL_FATAL(back.nr_reserved, 2);
	CU_ASSERT_EQUAL(back.reserved[1].offset, t->reserved[1].offset);
	CU_ASSERT_EQUAL(back.reserved[1].size, t->reserved[1].size);

	CU_ASSERT_EQUAL(tdx_tdmr_info_encode(t, 16, buf, 319), -EINVAL);
	CU_ASSERT_EQUAL(tdx_tdmr_info_encode(t, 1, buf, sizeof(buf)), -EINVAL);	/* 2 areas */
	CU_ASSERT_EQUAL(tdx_tdmr_info_encode(t, 2, buf, sizeof(buf)), 96);
	CU_ASSERT_EQUAL(tdx_tdmr_info_decode(buf, 95, 2, &back, slots), -EINVAL);
	tdx_tdmr_plan_release(&p);
}

/* ---- memmap files ------------------------------------------------------- */

static int parse(const char *text, struct tdx_memmap *m)
{
	return tdx_memmap_parse(text, strlen(text), m);
}

static void test_memmap_parse(void)
{
	static const char text[] =
		"# START END NODE\n"
		"\n"
		"0x100000 0x6f7ff000 0   # low RAM\n"
		"6F800000\t7A000000 0\r\n"
		"  0X7a100000 0x7ffff000 0\n"
		"0x7ffff000 0x80000000 1\n"	/* touching the previous range is fine */
		"0000000000000000100000000 0x880000000 12";	/* leading zeros, no newline */
	struct tdx_memmap m;

	CU_ASSERT_EQUAL_FATAL(parse(text, &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.nr, 5);
	CU_ASSERT_EQUAL(m.ranges[0].start, 0x100000);
	CU_ASSERT_EQUAL(m.ranges[0].end, 0x6f7ff000);
	CU_ASSERT_EQUAL(m.ranges[1].start, 0x6f800000);
	CU_ASSERT_EQUAL(m.ranges[2].start, 0x7a100000);
	CU_ASSERT_EQUAL(m.ranges[3].node, 1);
	CU_ASSERT_EQUAL(m.ranges[4].start, 4 * GIB);
	CU_ASSERT_EQUAL(m.ranges[4].end, 34 * GIB);
	CU_ASSERT_EQUAL(m.ranges[4].node, 12);
	tdx_memmap_release(&m);
}

static void test_memmap_errors(void)
{
	static const struct {
		const char *text, *message;
	} bad[] = {
		{ "", "no memory ranges" },
		{ "# only a comment\n\n", "no memory ranges" },
		{ "0x100000\n", "memmap line 1: END is missing" },
		{ "0x100000 0x200000\n", "memmap line 1: NODE is missing" },
		{ "0x100000 0x200000 0 7\n", "memmap line 1: unexpected '7'" },
		{ "0x100000 0x200000 0x0\n", "NODE '0x0' is not a decimal" },
		{ "0x100000 0x200000 1024\n", "NODE '1024'" },
		{ "0x100000 0x200000 -1\n", "NODE '-1'" },
		{ "0x100000 0x20000g 0\n", "memmap line 1: END '0x20000g' is not a hex address" },
		{ "0x 0x200000 0\n", "START '0x' is not a hex address" },
		{ "10000000000000000 20000000000000000 0\n", "START '10000000000000000'" },
		{ "0x100000 0x100000 0\n", "is empty" },
		{ "0x200000 0x100000 0\n", "is empty" },
		{ "0x100800 0x200000 0\n", "not 4 KiB aligned" },
		{ "0x100000 0x200001 0\n", "not 4 KiB aligned" },
		{ "0x100000 0x20000000000000 0\n", "52-bit" },
		{ "0x100000 0x200000 0\n# x\n0x80000 0x90000 0\n",
		  "memmap line 3: range [0x80000, 0x90000) starts below the range on line 1" },
		{ "0x100000 0x200000 0\n0x1ff000 0x300000 0\n",
		  "memmap line 2: range [0x1ff000, 0x300000) overlaps the range on line 1" },
		{ "0x100000 0x200000 0\x01\n", "byte 0x01 at column 20" },
		{ "0x100000 0x200000 0\n\xff\n", "memmap line 2: byte 0xff" },
	};
	struct tdx_memmap m;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(tdx_memmap_parse(bad[i].text, strlen(bad[i].text), &m), -EINVAL);
		CU_ASSERT(error_has(bad[i].message));
		CU_ASSERT_PTR_NULL(m.ranges);
	}
	/* A NUL byte mid-text is refused, not taken for the end. */
	CU_ASSERT_EQUAL(tdx_memmap_parse("0x100000 0x200000 0\n\0", 21, &m), -EINVAL);
}

static void test_memmap_too_many(void)
{
	size_t cap = (TDX_MEMMAP_MAX_RANGES + 1) * 40, len = 0;
	char *text = malloc(cap);
	struct tdx_memmap m;

	CU_ASSERT_FATAL(text != NULL);
	for (unsigned i = 0; i < TDX_MEMMAP_MAX_RANGES; i++)
		len += (size_t)snprintf(text + len, cap - len, "%x %x 0\n", (i + 1) * 0x2000u,
					(i + 1) * 0x2000u + 0x1000u);
	CU_ASSERT_EQUAL_FATAL(tdx_memmap_parse(text, len, &m), 0);
	CU_ASSERT_EQUAL(m.nr, TDX_MEMMAP_MAX_RANGES);
	tdx_memmap_release(&m);
	len += (size_t)snprintf(text + len, cap - len, "%x %x 0\n", 0x10000000u, 0x10001000u);
	CU_ASSERT_EQUAL(tdx_memmap_parse(text, len, &m), -EINVAL);
	CU_ASSERT(error_has("memmap line 4097: more than 4096 ranges"));
	free(text);
}

/* ---- /proc/iomem -------------------------------------------------------- */

static const char iomem[] =
	"00000000-00000fff : Reserved\n"
	"00001000-0009efff : System RAM\n"
	"0009f000-000fffff : Reserved\n"
	"  000f0000-000fffff : System ROM\n"
	"00100000-bfffffff : System RAM\n"
	"  01000000-01ffffff : Kernel code\n"
	"  02000000-02000fff : System RAM\n"	/* nested: not top-level, ignored */
	"c0000000-fed1ffff : PCI Bus 0000:00\n"
	"100000000-1bfffffff : System RAM\n"
	"1c0000000-1c00007ff : System RAM\n";	/* less than a page: dropped */

static char sysfs_dir[64];

static void touch(const char *rel)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", sysfs_dir, rel);
	f = fopen(path, "w");
	if (f)
		fclose(f);
}

/* 1 GiB blocks: node 0 has blocks 0, 1, 4; node 1 has blocks 2, 5, 6. */
static int make_sysfs(void)
{
	static const char *const dirs[] = { "devices", "devices/system", "devices/system/memory",
					    "devices/system/node", "devices/system/node/node0",
					    "devices/system/node/node1",
					    "devices/system/node/possible" };
	FILE *f;
	char path[256];

	snprintf(sysfs_dir, sizeof(sysfs_dir), "/tmp/coco-test-sysfs-XXXXXX");
	if (!mkdtemp(sysfs_dir))
		return -1;
	for (size_t i = 0; i < COCO_ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", sysfs_dir, dirs[i]);
		mkdir(path, 0700);
	}
	snprintf(path, sizeof(path), "%s/devices/system/memory/block_size_bytes", sysfs_dir);
	f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "40000000\n");
	fclose(f);
	touch("devices/system/node/node0/memory0");
	touch("devices/system/node/node0/memory1");
	touch("devices/system/node/node0/memory4");
	touch("devices/system/node/node0/cpu0");
	touch("devices/system/node/node1/memory2");
	touch("devices/system/node/node1/memory5");
	touch("devices/system/node/node1/memory6");
	return 0;
}

static void remove_sysfs(void)
{
	char cmd[128];

	if (sysfs_dir[0] && !strncmp(sysfs_dir, "/tmp/coco-test-sysfs-", 21)) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", sysfs_dir);
		if (system(cmd))
			fprintf(stderr, "could not remove %s\n", sysfs_dir);
	}
}

static void test_iomem_without_nodes(void)
{
	struct tdx_memmap m;

	CU_ASSERT_EQUAL_FATAL(tdx_memmap_from_iomem(iomem, strlen(iomem), NULL, &m), 0);
	CU_ASSERT_EQUAL_FATAL(m.nr, 3);
	CU_ASSERT_EQUAL(m.ranges[0].start, 0x1000);
	CU_ASSERT_EQUAL(m.ranges[0].end, 0x9f000);	/* inclusive end + 1 */
	CU_ASSERT_EQUAL(m.ranges[1].start, 0x100000);
	CU_ASSERT_EQUAL(m.ranges[1].end, 3 * GIB);
	CU_ASSERT_EQUAL(m.ranges[2].start, 4 * GIB);
	CU_ASSERT_EQUAL(m.ranges[2].end, 7 * GIB);
	for (size_t i = 0; i < m.nr; i++)
		CU_ASSERT_EQUAL(m.ranges[i].node, 0);
	tdx_memmap_release(&m);
	/* A directory without the sysfs tree: node 0 everywhere too. */
	CU_ASSERT_EQUAL_FATAL(tdx_memmap_from_iomem(iomem, strlen(iomem), "/nonexistent", &m), 0);
	CU_ASSERT_EQUAL(m.nr, 3);
	tdx_memmap_release(&m);
}

static void test_iomem_with_nodes(void)
{
	struct tdx_memmap m;

	CU_ASSERT_FATAL(make_sysfs() == 0);
	CU_ASSERT_EQUAL_FATAL(tdx_memmap_from_iomem(iomem, strlen(iomem), sysfs_dir, &m), 0);
	/* [1M, 3G) splits at 2 GiB (block 2 is node 1); [4G, 7G) at 5 GiB. */
	CU_ASSERT_EQUAL_FATAL(m.nr, 5);
	CU_ASSERT_EQUAL(m.ranges[0].node, 0);
	CU_ASSERT_EQUAL(m.ranges[1].start, 0x100000);
	CU_ASSERT_EQUAL(m.ranges[1].end, 2 * GIB);
	CU_ASSERT_EQUAL(m.ranges[1].node, 0);
	CU_ASSERT_EQUAL(m.ranges[2].start, 2 * GIB);
	CU_ASSERT_EQUAL(m.ranges[2].end, 3 * GIB);
	CU_ASSERT_EQUAL(m.ranges[2].node, 1);
	CU_ASSERT_EQUAL(m.ranges[3].start, 4 * GIB);
	CU_ASSERT_EQUAL(m.ranges[3].end, 5 * GIB);
	CU_ASSERT_EQUAL(m.ranges[3].node, 0);
	CU_ASSERT_EQUAL(m.ranges[4].start, 5 * GIB);
	CU_ASSERT_EQUAL(m.ranges[4].end, 7 * GIB);
	CU_ASSERT_EQUAL(m.ranges[4].node, 1);
	tdx_memmap_release(&m);
	remove_sysfs();
}

static void test_iomem_errors(void)
{
	static const char hidden[] = "00000000-00000000 : Reserved\n"
				     "00000000-00000000 : System RAM\n";
	static const char garbage[] = "00100000-bfffffff System RAM\n";
	static const char none[] = "00000000-00000fff : Reserved\n";
	static const char reversed[] = "00200000-000fffff : System RAM\n";
	struct tdx_memmap m;

	CU_ASSERT_EQUAL(tdx_memmap_from_iomem(hidden, strlen(hidden), NULL, &m), -EPERM);
	CU_ASSERT(error_has("/proc/iomem line 2"));
	CU_ASSERT(error_has("run as root"));
	CU_ASSERT_EQUAL(tdx_memmap_from_iomem(garbage, strlen(garbage), NULL, &m), -EINVAL);
	CU_ASSERT(error_has("START-END : NAME"));
	CU_ASSERT_EQUAL(tdx_memmap_from_iomem(none, strlen(none), NULL, &m), -EINVAL);
	CU_ASSERT(error_has("no top-level System RAM"));
	CU_ASSERT_EQUAL(tdx_memmap_from_iomem(reversed, strlen(reversed), NULL, &m), -EINVAL);
}

/* ---- public API ---------------------------------------------------------- */

static void test_public_api(void)
{
	static const char text[] = "0x100000 0x6f7ff000 0\n"
				   "0x6f800000 0x7a000000 0\n"
				   "0x7a100000 0x7ffff000 0\n"
				   "0x100000000 0x87fc00000 0\n"
				   "0x880000000 0x107f800000 1\n";
	struct coco_tdx_tdmr_limits limits = { 0 };
	struct coco_tdx_memmap *map = NULL, *other = NULL;
	struct coco_tdx_tdmr_plan *plan = NULL;
	const struct coco_tdx_tdmr *t;
	struct coco_tdx_mem_range r;

	CU_ASSERT_EQUAL_FATAL(coco_tdx_memmap_parse(text, strlen(text), &map), 0);
	CU_ASSERT_EQUAL(coco_tdx_memmap_count(map), 5);
	CU_ASSERT_EQUAL(coco_tdx_memmap_range(map, 4, &r), 0);
	CU_ASSERT_EQUAL(r.node, 1);
	CU_ASSERT_EQUAL(coco_tdx_memmap_range(map, 5, &r), -EINVAL);

	/* Example (b), specs 3.4: all-zero limits are the defaults. */
	CU_ASSERT_EQUAL_FATAL(coco_tdx_tdmr_plan(map, &limits, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_tdx_tdmr_plan_count(plan), 3);
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan_pamt_bytes(plan) / 1024, 262668);
	t = coco_tdx_tdmr_plan_tdmr(plan, 2);
	CU_ASSERT_FATAL(t != NULL);
	CU_ASSERT_EQUAL(t->base, 34 * GIB);
	CU_ASSERT_EQUAL(t->pamt_node, 1);
	CU_ASSERT_EQUAL(t->pamt_4k_base, 0x880000000);
	CU_ASSERT_EQUAL(t->pamt_2m_base, 0x888000000);
	CU_ASSERT_EQUAL(t->pamt_1g_size, 0x1000);
	CU_ASSERT_EQUAL_FATAL(t->nr_reserved, 2);
	CU_ASSERT_EQUAL(t->reserved[1].offset, 0x7FF800000);
	CU_ASSERT_EQUAL(t->reserved[1].size, 0x800000);
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan_tdmr(plan, 0)->nr_reserved, 4);
	CU_ASSERT_PTR_NULL(coco_tdx_tdmr_plan_tdmr(plan, 3));
	CU_ASSERT_EQUAL(coco_tdx_memmap_count(coco_tdx_tdmr_plan_memmap(plan)), 5);
	coco_tdx_tdmr_plan_free(plan);

	limits.max_reserved_per_tdmr = 3;	/* TDMR0 needs 4 */
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan(map, &limits, &plan), -ENOSPC);
	CU_ASSERT_PTR_NULL(plan);
	CU_ASSERT(error_has("TDMR [0x0, 0x80000000): reserved areas exhausted"));
	limits.max_reserved_per_tdmr = 0;
	limits.max_tdmrs = 65536;
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan(map, &limits, &plan), -EINVAL);
	limits.max_tdmrs = 0;
	limits.pamt_4k_entry_size = 8;	/* halves the 4K PAMTs: 32 GiB / 4096 * 8 = 64 MiB */
	CU_ASSERT_EQUAL_FATAL(coco_tdx_tdmr_plan(map, &limits, &plan), 0);
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan_tdmr(plan, 2)->pamt_4k_size, 0x4000000);
	coco_tdx_tdmr_plan_free(plan);

	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan(NULL, NULL, &plan), -EINVAL);
	CU_ASSERT_EQUAL(coco_tdx_tdmr_plan(map, NULL, NULL), -EINVAL);
	coco_tdx_memmap_free(map);
	CU_ASSERT_EQUAL(coco_tdx_memmap_parse("junk", 4, &other), -EINVAL);
	CU_ASSERT_PTR_NULL(other);
	CU_ASSERT(error_has("memmap line 1"));
	CU_ASSERT_EQUAL(coco_tdx_memmap_from_iomem(iomem, strlen(iomem), NULL, &other), 0);
	CU_ASSERT_EQUAL(coco_tdx_memmap_count(other), 3);
	coco_tdx_memmap_free(other);
	coco_tdx_memmap_free(NULL);
	coco_tdx_tdmr_plan_free(NULL);
}

static CU_TestInfo tests[] = {
	{ "PAMT sizes", test_pamt_sizes },
	{ "example (a)", test_example_a },
	{ "fill_out_tdmrs rules", test_fill_out_rules },
	{ "first MiB clipped", test_clipping },
	{ "PAMT node: first range ending above the base", test_pamt_node_choice },
	{ "placement prefers memory above 4 GiB", test_placement_prefers_high_memory },
	{ "placement falls back to other nodes", test_placement_falls_back_to_other_nodes },
	{ "no room for PAMT", test_no_room_for_pamt },
	{ "a PAMT crossing two TDMRs", test_pamt_crossing_tdmrs },
	{ "PAMTs from the host's allocator", test_pamt_host_allocator },
	{ "TDMRs exhausted", test_tdmrs_exhausted },
	{ "reserved areas exhausted", test_reserved_exhausted },
	{ "bad ranges and limits", test_bad_input },
	{ "random maps meet the module's rules", test_random_maps_meet_module_rules },
	{ "TDMR_INFO layout", test_tdmr_info_layout },
	{ "memmap parse", test_memmap_parse },
	{ "memmap errors", test_memmap_errors },
	{ "memmap range limit", test_memmap_too_many },
	{ "iomem without nodes", test_iomem_without_nodes },
	{ "iomem with sysfs nodes", test_iomem_with_nodes },
	{ "iomem errors", test_iomem_errors },
	{ "public API", test_public_api },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-tdmr", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

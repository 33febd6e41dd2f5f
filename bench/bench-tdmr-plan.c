/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark: TDMR planning (tdx/tdmr.c) for a big host: 16 TiB in 1000
 * ranges over 8 NUMA nodes (one 16 GiB TDMR per range, a hole at each end).
 * With the lowest-address placement rule a node's PAMTs pack into its first
 * range, so that TDMR carries ~126 reserved areas: the limits are raised to
 * let the plan complete (the speed is the subject here, not the limits).
 *
 *   plan_1000_ranges   ms per tdx_tdmr_plan_build vs a plain pass over the
 *                      same ranges (align to 1 GiB, PAMT size formula):
 *                      the ratio is the plan's cost in "passes".  Goal:
 *                      subject well under 10 ms.
 *   parse_and_plan     coco_tdx_memmap_parse + coco_tdx_tdmr_plan of the
 *                      same map as text (what cococtl does) vs the plan alone.
 *   plan_4096_ranges   the memmap maximum (4 GiB per range), vs its pass:
 *                      the ratio should stay near the 1000-range one (no
 *                      quadratic work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coco/tdx-tdmr.h>

#include "bench/bench-common.h"
#include "core/error.h"
#include "tdx/tdmr.h"

#define ROUNDS 5
#define ROUND_SECONDS 0.3
#define GIB (1ull << 30)
#define MIB (1ull << 20)

struct ctx {
	struct tdx_mem_range *ranges;
	size_t nr;
	struct tdx_tdmr_limits limits;
	char *text;
	size_t text_len;
	struct coco_tdx_tdmr_limits public_limits;
	volatile uint64_t sink;
	int failures;
};

static void build_map(struct ctx *c, size_t nr, uint64_t step)
{
	size_t len = 0, cap = nr * 64;

	c->nr = nr;
	c->ranges = calloc(nr, sizeof(*c->ranges));
	c->text = malloc(cap);
	if (!c->ranges || !c->text) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	for (size_t i = 0; i < nr; i++) {
		c->ranges[i].start = i * step + 64 * MIB;
		c->ranges[i].end = (i + 1) * step - 128 * MIB;
		c->ranges[i].node = (uint32_t)(i * 8 / nr);
		len += (size_t)snprintf(c->text + len, cap - len, "0x%llx 0x%llx %u\n",
					(unsigned long long)c->ranges[i].start,
					(unsigned long long)c->ranges[i].end, c->ranges[i].node);
	}
	c->text_len = len;
	tdx_tdmr_limits_default(&c->limits);
	c->limits.max_tdmrs = 8192;
	c->limits.max_reserved_per_tdmr = 8192;
	c->public_limits.max_tdmrs = 8192;
	c->public_limits.max_reserved_per_tdmr = 8192;
}

static void free_map(struct ctx *c)
{
	free(c->ranges);
	free(c->text);
}

static void subject_plan(void *arg)
{
	struct ctx *c = arg;
	struct tdx_tdmr_plan p;

	if (tdx_tdmr_plan_build(c->ranges, c->nr, &c->limits, &p)) {
		c->failures++;
		return;
	}
	c->sink += p.pamt_bytes;
	tdx_tdmr_plan_release(&p);
}

static void subject_parse_and_plan(void *arg)
{
	struct ctx *c = arg;
	struct coco_tdx_memmap *map = NULL;
	struct coco_tdx_tdmr_plan *plan = NULL;

	if (coco_tdx_memmap_parse(c->text, c->text_len, &map) ||
	    coco_tdx_tdmr_plan(map, &c->public_limits, &plan))
		c->failures++;
	else
		c->sink += coco_tdx_tdmr_plan_pamt_bytes(plan);
	coco_tdx_tdmr_plan_free(plan);
	coco_tdx_memmap_free(map);
}

/* One pass: each range's 1 GiB-aligned bounds and PAMT size. */
static void reference_pass(void *arg)
{
	struct ctx *c = arg;
	uint64_t total = 0;

	for (size_t i = 0; i < c->nr; i++) {
		uint64_t base = c->ranges[i].start & ~(GIB - 1);
		uint64_t end = (c->ranges[i].end + GIB - 1) & ~(GIB - 1);

		for (int ps = 0; ps < TDX_PS_NR; ps++)
			total += tdx_pamt_bytes(end - base, (enum tdx_page_size)ps, 16);
	}
	c->sink += total;
}

static double ms_per_call(void (*fn)(void *), void *arg)
{
	return 1000.0 / bench_rate(fn, arg, ROUND_SECONDS, ROUNDS);
}

int main(void)
{
	struct ctx c = { 0 };
	double plan_ms, pass_ms, both_ms;

	build_map(&c, 1000, 16 * GIB);	/* 16000 GiB */
	subject_plan(&c);
	if (c.failures) {
		fprintf(stderr, "plan failed: %s\n", coco_last_error());
		return 1;
	}
	plan_ms = ms_per_call(subject_plan, &c);
	pass_ms = ms_per_call(reference_pass, &c);
	bench_report("tdmr-plan", "plan_1000_ranges", plan_ms, pass_ms, "ms", "subject < 10");
	both_ms = ms_per_call(subject_parse_and_plan, &c);
	bench_report("tdmr-plan", "parse_and_plan", both_ms, plan_ms, "ms", "subject < 10");
	free_map(&c);

	build_map(&c, 4096, 4 * GIB);
	plan_ms = ms_per_call(subject_plan, &c);
	pass_ms = ms_per_call(reference_pass, &c);
	bench_report("tdmr-plan", "plan_4096_ranges", plan_ms, pass_ms, "ms",
		     "ratio near plan_1000_ranges' (no quadratic work)");
	free_map(&c);
	if (c.failures) {
		fprintf(stderr, "%d plans failed: %s\n", c.failures, coco_last_error());
		return 1;
	}
	return 0;
}

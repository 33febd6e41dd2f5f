/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MRTD throughput against raw SHA-384.
 *
 * Subject: the expected MRTD of a plan with one 256 MiB measured region,
 * through coco_plan_expected_measurement (the TDX launch walker and its
 * measuring sink, i.e. the code that launches).  Reference: OpenSSL SHA-384
 * over the same 256 MiB in one call.  MRTD is one SHA-384 stream in which
 * every 4 KiB page becomes 49 blocks (PAGE.ADD + 16 x (MR.EXTEND header +
 * 2 chunk blocks)) where the raw hash has 32: the best possible ratio is
 * 32/49 = 0.65, and the goal, 0.6, leaves under 10% for the framing.  The
 * second metric is the same stream through the per-operation MRTD calls
 * (one PAGE.ADD and 16 EXTEND calls per page), for comparison; the two
 * MRTDs are checked equal.
 */
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "bench/bench-common.h"
#include "core/util.h"
#include "tdx/mrtd.h"

#define REGION_SIZE (256u << 20)
#define REGION_GPA 0x100000000ull

struct per_call {
	const uint8_t *data;
	uint8_t mrtd[TDX_MRTD_SIZE];
	int failed;
};

static void run_per_call(void *arg)
{
	struct per_call *q = arg;
	struct tdx_mrtd m;
	int ret;

	if (tdx_mrtd_init(&m)) {
		q->failed = 1;
		return;
	}
	ret = 0;
	for (uint64_t off = 0; off < REGION_SIZE && !ret; off += TDX_MRTD_PAGE) {
		ret = tdx_mrtd_page_add(&m, REGION_GPA + off);
		for (uint64_t c = 0; c < TDX_MRTD_PAGE && !ret; c += TDX_MRTD_CHUNK)
			ret = tdx_mrtd_extend(&m, REGION_GPA + off + c, q->data + off + c);
	}
	if (ret || tdx_mrtd_final(&m, q->mrtd))
		q->failed = 1;
	tdx_mrtd_fini(&m);
}

int main(void)
{
	uint8_t *data = bench_pattern_alloc(REGION_SIZE);
	struct bench_plan_measure s = { .backend = "tdx" };
	struct bench_sha384 r = { .data = data, .len = REGION_SIZE };
	struct per_call q = { .data = data };
	const double mib = REGION_SIZE / (1024.0 * 1024.0);
	double subject_rate, reference_rate, per_call_rate;
	struct bench_runner runners[] = {
		{ bench_plan_measure_run, &s }, { bench_sha384_run, &r }, { run_per_call, &q },
	};
	struct coco_region region = {
		.gpa = REGION_GPA,
		.size = REGION_SIZE,
		.type = COCO_PAGE_MEASURED,
		.label = "bench",
	};
	struct coco_vcpu_desc bsp = { 0 };

	if (!data) {
		fprintf(stderr, "bench-mrtd: out of memory\n");
		return 1;
	}
	region.data = data;
	region.data_len = REGION_SIZE;
	if (coco_plan_new(&s.plan) || coco_plan_add_region(s.plan, &region) ||
	    coco_plan_add_vcpu(s.plan, &bsp)) {
		fprintf(stderr, "bench-mrtd: %s\n", coco_last_error());
		return 1;
	}

	bench_interleave(runners, COCO_ARRAY_SIZE(runners), 5, 0.5);
	subject_rate = runners[0].rate * mib;
	reference_rate = runners[1].rate * mib;
	per_call_rate = runners[2].rate * mib;
	if (s.failed || q.failed) {
		fprintf(stderr, "bench-mrtd: MRTD failed: %s\n", coco_last_error());
		return 1;
	}
	if (memcmp(s.m.value, q.mrtd, TDX_MRTD_SIZE)) {
		fprintf(stderr, "bench-mrtd: walker and per-call MRTDs differ\n");
		return 1;
	}
	bench_report("mrtd", "throughput_ratio", subject_rate, reference_rate, "MiB/s", ">= 0.6");
	bench_report("mrtd", "per_call_ratio", per_call_rate, reference_rate, "MiB/s",
		     "informational");
	coco_plan_free(s.plan);
	free(data);
	return 0;
}

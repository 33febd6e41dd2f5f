/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch digest throughput against raw SHA-384.
 *
 * Subject: the expected measurement of a plan with one 256 MiB measured
 * region, through coco_plan_expected_measurement (the launch walker and
 * its measuring sink, i.e. the code that launches).  Reference: OpenSSL
 * SHA-384 over the same 256 MiB in one call, on one thread.  The PAGE_INFO
 * chain adds ~2 SHA-512 blocks to the 33 of each page, so the digest keeps
 * up only by hashing pages on several threads; the second metric shows the
 * single-threaded chain for comparison.  Both digests are checked equal.
 */
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "bench/bench-common.h"
#include "core/util.h"
#include "sev-snp/launch-digest.h"

#define REGION_SIZE (256u << 20)
#define REGION_GPA 0x100000000ull

struct sequential {
	const uint8_t *data;
	uint8_t ld[SNP_DIGEST_SIZE];
	int failed;
};

static void run_sequential(void *arg)
{
	struct sequential *q = arg;
	struct snp_launch_digest d;

	if (snp_launch_digest_init(&d)) {
		q->failed = 1;
		return;
	}
	snp_launch_digest_set_threads(&d, 1);
	if (snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, REGION_GPA, q->data,
					   REGION_SIZE / SNP_PAGE_SIZE))
		q->failed = 1;
	memcpy(q->ld, d.ld, sizeof(q->ld));
	snp_launch_digest_fini(&d);
}

int main(void)
{
	uint8_t *data = bench_pattern_alloc(REGION_SIZE);
	struct bench_plan_measure s = { .backend = "sev-snp" };
	struct bench_sha384 r = { .data = data, .len = REGION_SIZE };
	struct sequential q = { .data = data };
	const double mib = REGION_SIZE / (1024.0 * 1024.0);
	double subject_rate, reference_rate, sequential_rate;
	struct bench_runner runners[] = {
		{ bench_plan_measure_run, &s }, { bench_sha384_run, &r }, { run_sequential, &q },
	};
	struct coco_region region = {
		.gpa = REGION_GPA,
		.size = REGION_SIZE,
		.type = COCO_PAGE_MEASURED,
		.flags = COCO_REGION_LARGE_PAGES,
		.label = "bench",
	};

	if (!data) {
		fprintf(stderr, "bench-launch-digest: out of memory\n");
		return 1;
	}
	region.data = data;
	region.data_len = REGION_SIZE;
	if (coco_plan_new(&s.plan) || coco_plan_add_region(s.plan, &region)) {
		fprintf(stderr, "bench-launch-digest: %s\n", coco_last_error());
		return 1;
	}

	bench_interleave(runners, COCO_ARRAY_SIZE(runners), 5, 0.5);
	subject_rate = runners[0].rate * mib;
	reference_rate = runners[1].rate * mib;
	sequential_rate = runners[2].rate * mib;
	if (s.failed || q.failed) {
		fprintf(stderr, "bench-launch-digest: digest failed: %s\n", coco_last_error());
		return 1;
	}
	if (memcmp(s.m.value, q.ld, SNP_DIGEST_SIZE)) {
		fprintf(stderr, "bench-launch-digest: threaded and sequential digests differ\n");
		return 1;
	}
	bench_report("launch-digest", "throughput_ratio", subject_rate, reference_rate, "MiB/s",
		     ">= 0.9");
	bench_report("launch-digest", "single_thread_chain_ratio", sequential_rate,
		     reference_rate, "MiB/s", "informational");
	coco_plan_free(s.plan);
	free(data);
	return 0;
}

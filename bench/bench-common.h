/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Benchmark helpers.  Benchmarks never assert on time: they measure the
 * subject and a reference in the same run (machines are noisy) and print
 * both and their ratio, as one line of JSON per metric on stdout:
 *
 *   {"bench":"launch-digest","metric":"throughput_ratio","value":0.95,
 *    "subject":..., "reference":..., "unit":"MiB/s","goal":">= 0.9"}
 */
#ifndef COCO_BENCH_COMMON_H
#define COCO_BENCH_COMMON_H

#include <stdio.h>
#include <time.h>

static inline double bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Run @fn(@arg) repeatedly for at least @min_seconds and return its rate in
 * calls per second (best of @rounds rounds, which filters out interference).
 */
static inline double bench_rate(void (*fn)(void *), void *arg, double min_seconds, int rounds)
{
	double best = 0;

	for (int r = 0; r < rounds; r++) {
		unsigned long n = 0;
		double start = bench_now(), el;
		do {
			fn(arg);
			n++;
			el = bench_now() - start;
		} while (el < min_seconds);
		double rate = (double)n / el;
		if (rate > best)
			best = rate;
	}
	return best;
}

static inline void bench_report(const char *bench, const char *metric, double subject,
				double reference, const char *unit, const char *goal)
{
	printf("{\"bench\":\"%s\",\"metric\":\"%s\",\"subject\":%.6g,\"reference\":%.6g,"
	       "\"unit\":\"%s\",\"ratio\":%.4f,\"goal\":\"%s\"}\n",
	       bench, metric, subject, reference, unit, reference > 0 ? subject / reference : 0,
	       goal);
	fflush(stdout);
}

#endif

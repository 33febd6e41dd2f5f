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

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/evp.h>

#include <coco/coco.h>

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

struct bench_runner {
	void (*fn)(void *);
	void *arg;
	double rate;		/* out: best calls per second */
};

/*
 * Alternate @rounds short rounds (@seconds each) of every runner and keep
 * each one's best rate: on a shared machine subject and reference then
 * meet the same load.
 */
static inline void bench_interleave(struct bench_runner *runners, size_t n, int rounds,
				    double seconds)
{
	for (size_t i = 0; i < n; i++)
		runners[i].rate = 0;
	for (int r = 0; r < rounds; r++)
		for (size_t i = 0; i < n; i++) {
			double rate = bench_rate(runners[i].fn, runners[i].arg, seconds, 1);
			if (rate > runners[i].rate)
				runners[i].rate = rate;
		}
}

/* @size bytes (a multiple of 8) of non-trivial contents, so no page hashes like another. */
static inline uint8_t *bench_pattern_alloc(size_t size)
{
	uint8_t *data = malloc(size);

	for (size_t i = 0; data && i < size / 8; i++)
		((uint64_t *)data)[i] = i * 0x9E3779B97F4A7C15ull;
	return data;
}

/* Reference runner: OpenSSL SHA-384 over @len bytes in one call. */
struct bench_sha384 {
	const uint8_t *data;
	size_t len;
	uint8_t out[48];
};

static inline void bench_sha384_run(void *arg)
{
	struct bench_sha384 *r = arg;

	EVP_Digest(r->data, r->len, r->out, NULL, EVP_sha384(), NULL);
}

/* Subject runner: the expected measurement of @plan through @backend. */
struct bench_plan_measure {
	struct coco_launch_plan *plan;
	const char *backend;
	struct coco_measurement m;
	int failed;
};

static inline void bench_plan_measure_run(void *arg)
{
	struct bench_plan_measure *s = arg;

	if (coco_plan_expected_measurement(s->backend, NULL, s->plan, &s->m))
		s->failed = 1;
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


/* This process's resident set (VmRSS of /proc/self/status) in KiB; -1 if unknown. */
static inline long bench_rss_kib(void)
{
	char line[256];
	long kib = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Rss in KiB of the mapping that starts at @start (/proc/self/smaps); 0 if none. */
static inline long bench_mapping_rss_kib(const void *start)
{
	char line[512];
	unsigned long lo, hi;
	long kib = 0;
	int in_mapping = 0;
	FILE *f = fopen("/proc/self/smaps", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			in_mapping = lo == (unsigned long)(uintptr_t)start;
			continue;
		}
		if (in_mapping && sscanf(line, "Rss: %ld kB", &kib) == 1)
			break;
	}
	fclose(f);
	return kib;
}

#endif

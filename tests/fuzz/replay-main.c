/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driver for fuzz targets when they are not built with libFuzzer: feeds
 * every file of the given corpus directories/files to the target, then a
 * deterministic series of mutations of them (bit flips, truncations,
 * extensions, splices of interesting values), so each target also runs as
 * an ordinary test under the sanitizers.
 *
 *   fuzz-target [--iterations N] [--seed S] CORPUS...
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	uint8_t *data;
	size_t len;
};

static struct input *inputs;
static size_t ninputs, cap;

static void add_input(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct stat st;

	if (!f || fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
		if (f)
			fclose(f);
		return;
	}
	if (ninputs == cap) {
		cap = cap ? 2 * cap : 16;
		inputs = realloc(inputs, cap * sizeof(*inputs));
		if (!inputs) {
			fprintf(stderr, "out of memory\n");
			exit(1);
		}
	}
	size_t len = (size_t)st.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf || fread(buf, 1, len, f) != len) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(1);
	}
	fclose(f);
	inputs[ninputs++] = (struct input){ buf, len };
}

static void add_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "corpus '%s': %s\n", path, strerror(errno));
		exit(1);
	}
	if (!S_ISDIR(st.st_mode)) {
		add_input(path);
		return;
	}
	d = opendir(path);
	while (d && (e = readdir(d))) {
		char child[4096];
		if (e->d_name[0] == '.')
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
		add_input(child);
	}
	if (d)
		closedir(d);
}

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64*: reproducible across runs for a given seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1Dull;
}

static void run_one(const uint8_t *data, size_t len)
{
	/* Copy into an exact-size buffer so ASan catches reads past the end. */
	uint8_t *copy = malloc(len ? len : 1);
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	free(copy);
}

static void mutate_and_run(const struct input *in)
{
	static const uint32_t interesting[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000,
						0x7fffffff, 0x80000000u, 0xffffffffu };
	size_t len = in->len;
	size_t max = len + 64;
	uint8_t *buf = malloc(max ? max : 1);
	int kind = (int)(rng() % 6);

	memcpy(buf, in->data, len);
	switch (kind) {
	case 0: /* flip a few bits */
		for (int i = 0; len && i < 1 + (int)(rng() % 4); i++)
			buf[rng() % len] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1: /* truncate */
		len = len ? rng() % len : 0;
		break;
	case 2: /* extend with random bytes */ {
		size_t extra = 1 + rng() % 63;
		for (size_t i = 0; i < extra; i++)
			buf[len + i] = (uint8_t)rng();
		len += extra;
		break;
	}
	case 3: /* write an interesting 32-bit value */
		if (len >= 4) {
			uint32_t v = interesting[rng() % (sizeof(interesting) / sizeof(interesting[0]))];
			size_t at = rng() % (len - 3);
			memcpy(buf + at, &v, 4);
		}
		break;
	case 4: /* random byte runs */
		for (int i = 0; len && i < 8; i++)
			buf[rng() % len] = (uint8_t)rng();
		break;
	case 5: /* zero a range */
		if (len) {
			size_t at = rng() % len, n = 1 + rng() % 32;
			memset(buf + at, 0, at + n > len ? len - at : n);
		}
		break;
	}
	run_one(buf, len);
	free(buf);
}

int main(int argc, char **argv)
{
	unsigned long iterations = 20000;
	uint64_t seed = 0x5eed;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--iterations") && i + 1 < argc)
			iterations = strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else
			add_path(argv[i]);
	}
	if (!ninputs) {
		fprintf(stderr, "no corpus inputs given; a fuzz replay with no input tests nothing\n");
		return 1;
	}
	rng_state = seed ? seed : 1;
	for (size_t k = 0; k < ninputs; k++)
		run_one(inputs[k].data, inputs[k].len);
	for (unsigned long n = 0; n < iterations; n++)
		mutate_and_run(&inputs[rng() % ninputs]);
	printf("%zu corpus inputs and %lu mutations ran without a crash\n", ninputs, iterations);
	for (size_t k = 0; k < ninputs; k++)
		free(inputs[k].data);
	free(inputs);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl tdx-plan: the TDMRs, PAMTs and reserved areas Linux would hand the
 * TDX module for a memory map (a memmap file or a host's /proc/iomem), in
 * the words of the kernel's log, or as JSON.  Public API only
 * (include/coco/tdx-tdmr.h).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coco/tdx-tdmr.h>

#include "cococtl.h"
#include "json.h"

static const char cmd[] = "tdx-plan";

#define MAP_FILE_MAX (16u << 20)
#define GIB (1ull << 30)

struct plan_options {
	const char *memmap;
	const char *iomem;
	const char *sysfs;
	struct coco_tdx_tdmr_limits limits;
	bool json;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl tdx-plan (--memmap FILE | --iomem [FILE]) [OPTIONS]\n"
		"\n"
		"Plan the TDX memory regions (TDMRs) covering a memory map as Linux builds\n"
		"them: each TDMR, its PAMT (placement: docs/tdx-memmap.md) and reserved\n"
		"areas, and the PAMT total the kernel logs as 'N KB allocated for PAMT'.\n"
		"  --memmap FILE         lines 'START END NODE': hex addresses, END exclusive,\n"
		"                        decimal NUMA node; '#' comments\n"
		"  --iomem [FILE]        System RAM of a /proc/iomem text (default /proc/iomem;\n"
		"                        needs root to see addresses)\n"
		"  --sysfs DIR           NUMA nodes for --iomem from DIR/devices/system/node\n"
		"                        (default /sys; 'none': every range on node 0)\n"
		"  --max-tdmrs N         the module's MAX_TDMRS (default 64)\n"
		"  --max-reserved N      the module's MAX_RESERVED_PER_TDMR (default 16)\n"
		"  --pamt-entry-size N   bytes per PAMT entry, all page sizes (default 16)\n"
		"  --json                {\"tdmrs\":[...],\"pamt_kb\":N}\n"
		"Exit status: 0 planned, 1 the map cannot be covered (reason on stderr),\n"
		"2 usage error.\n");
}

enum { OPT_MEMMAP = 256, OPT_IOMEM, OPT_SYSFS, OPT_MAX_TDMRS, OPT_MAX_RESERVED, OPT_ENTRY, OPT_JSON };

static int parse_limit(const char *name, const char *text, uint32_t *out)
{
	uint64_t v;

	if (cococtl_parse_u64(text, &v) || v < 1 || v > 65535)
		return cococtl_usage_error(cmd, "%s '%s' is not a number in 1..65535", name, text);
	*out = (uint32_t)v;
	return 0;
}

/* 1 if parsed, 0 when done or on a usage error (*exit_code set). */
static int parse_options(int argc, char **argv, struct plan_options *o, int *exit_code)
{
	static const struct option opts[] = {
		{ "memmap", required_argument, NULL, OPT_MEMMAP },
		{ "iomem", optional_argument, NULL, OPT_IOMEM },
		{ "sysfs", required_argument, NULL, OPT_SYSFS },
		{ "max-tdmrs", required_argument, NULL, OPT_MAX_TDMRS },
		{ "max-reserved", required_argument, NULL, OPT_MAX_RESERVED },
		{ "pamt-entry-size", required_argument, NULL, OPT_ENTRY },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint32_t entry = 0;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case OPT_MEMMAP: o->memmap = optarg; break;
		case OPT_IOMEM:
			/* "--iomem FILE" as well as "--iomem=FILE" and a bare "--iomem". */
			if (!optarg && optind < argc && argv[optind][0] != '-')
				optarg = argv[optind++];
			o->iomem = optarg ? optarg : "/proc/iomem";
			break;
		case OPT_SYSFS: o->sysfs = optarg; break;
		case OPT_MAX_TDMRS:
			if ((*exit_code = parse_limit("--max-tdmrs", optarg, &o->limits.max_tdmrs)))
				return 0;
			break;
		case OPT_MAX_RESERVED:
			if ((*exit_code = parse_limit("--max-reserved", optarg,
						      &o->limits.max_reserved_per_tdmr)))
				return 0;
			break;
		case OPT_ENTRY:
			if ((*exit_code = parse_limit("--pamt-entry-size", optarg, &entry)))
				return 0;
			o->limits.pamt_4k_entry_size = entry;
			o->limits.pamt_2m_entry_size = entry;
			o->limits.pamt_1g_entry_size = entry;
			break;
		case OPT_JSON: o->json = true; break;
		case 'h':
			usage(stdout);
			*exit_code = 0;
			return 0;
		default:
			*exit_code = cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
							 argv[optind - 1]);
			return 0;
		}
	}
	if (optind < argc) {
		*exit_code = cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return 0;
	}
	if (!o->memmap == !o->iomem) {
		*exit_code = cococtl_usage_error(cmd, "give exactly one of --memmap FILE and "
						 "--iomem [FILE]");
		return 0;
	}
	return 1;
}

/* Whole stream: /proc files report size 0, so no stat-based read. */
static int read_text(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap);

	if (!f || !buf) {
		fprintf(stderr, "cococtl %s: cannot open '%s': %s\n", cmd, path,
			f ? "out of memory" : strerror(errno));
		goto fail;
	}
	for (;;) {
		n += fread(buf + n, 1, cap - n, f);
		if (ferror(f)) {
			fprintf(stderr, "cococtl %s: cannot read '%s'\n", cmd, path);
			goto fail;
		}
		if (feof(f))
			break;
		if (cap >= MAP_FILE_MAX) {
			fprintf(stderr, "cococtl %s: '%s' is larger than %u bytes\n", cmd, path,
				MAP_FILE_MAX);
			goto fail;
		}
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			fprintf(stderr, "cococtl %s: out of memory reading '%s'\n", cmd, path);
			goto fail;
		}
		buf = bigger;
		cap *= 2;
	}
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
fail:
	if (f)
		fclose(f);
	free(buf);
	return -1;
}

static void print_memblocks(const struct coco_tdx_tdmr_plan *plan)
{
	const struct coco_tdx_memmap *map = coco_tdx_tdmr_plan_memmap(plan);
	struct coco_tdx_mem_range r;

	for (size_t i = 0; i < coco_tdx_memmap_count(map); i++)
		if (coco_tdx_memmap_range(map, i, &r) == 0)
			printf("  TDX memblock [0x%llx, 0x%llx) nid %u\n",
			       (unsigned long long)r.start, (unsigned long long)r.end, r.node);
}

static void print_tdmrs(const struct coco_tdx_tdmr_plan *plan)
{
	const struct coco_tdx_tdmr *t;

	for (size_t i = 0; (t = coco_tdx_tdmr_plan_tdmr(plan, i)); i++) {
		uint64_t total = t->pamt_4k_size + t->pamt_2m_size + t->pamt_1g_size;

		printf("  TDMR%zu: base 0x%llx size 0x%llx (%llu GiB), PAMT node %u\n", i,
		       (unsigned long long)t->base, (unsigned long long)t->size,
		       (unsigned long long)(t->size / GIB), t->pamt_node);
		printf("     pamt_4k 0x%llx+0x%llx  pamt_2m 0x%llx+0x%llx  pamt_1g 0x%llx+0x%llx  "
		       "total 0x%llx (%llu pages)\n",
		       (unsigned long long)t->pamt_4k_base, (unsigned long long)t->pamt_4k_size,
		       (unsigned long long)t->pamt_2m_base, (unsigned long long)t->pamt_2m_size,
		       (unsigned long long)t->pamt_1g_base, (unsigned long long)t->pamt_1g_size,
		       (unsigned long long)total, (unsigned long long)(total / 4096));
	}
}

static void print_text(const struct coco_tdx_tdmr_plan *plan)
{
	const struct coco_tdx_tdmr *t;

	print_memblocks(plan);
	print_tdmrs(plan);
	for (size_t i = 0; (t = coco_tdx_tdmr_plan_tdmr(plan, i)); i++) {
		printf("  TDMR%zu reserved areas (%zu):", i, t->nr_reserved);
		for (size_t r = 0; r < t->nr_reserved; r++)
			printf("%s {off 0x%llx, size 0x%llx}", r ? "," : "",
			       (unsigned long long)t->reserved[r].offset,
			       (unsigned long long)t->reserved[r].size);
		printf("\n");
	}
	printf("%llu KB allocated for PAMT\n",
	       (unsigned long long)(coco_tdx_tdmr_plan_pamt_bytes(plan) / 1024));
}

static void print_json(const struct coco_tdx_tdmr_plan *plan)
{
	const struct coco_tdx_tdmr *t;
	struct json j;

	json_begin(&j, stdout);
	json_object_open(&j, NULL);
	json_array_open(&j, "tdmrs");
	for (size_t i = 0; (t = coco_tdx_tdmr_plan_tdmr(plan, i)); i++) {
		json_object_open(&j, NULL);
		json_uint(&j, "base", t->base);
		json_uint(&j, "size", t->size);
		json_uint(&j, "node", t->pamt_node);
		json_object_open(&j, "pamt");
		json_uint(&j, "base", t->pamt_4k_base);
		json_uint(&j, "size_4k", t->pamt_4k_size);
		json_uint(&j, "size_2m", t->pamt_2m_size);
		json_uint(&j, "size_1g", t->pamt_1g_size);
		json_object_close(&j);
		json_array_open(&j, "reserved");
		for (size_t r = 0; r < t->nr_reserved; r++) {
			json_object_open(&j, NULL);
			json_uint(&j, "offset", t->reserved[r].offset);
			json_uint(&j, "size", t->reserved[r].size);
			json_object_close(&j);
		}
		json_array_close(&j);
		json_object_close(&j);
	}
	json_array_close(&j);
	json_uint(&j, "pamt_kb", coco_tdx_tdmr_plan_pamt_bytes(plan) / 1024);
	json_object_close(&j);
	json_end(&j);
}

/*
 * The plan ran out of reserved areas: show the TDMRs and PAMTs that did, as
 * the kernel's log would have before the failure.  They do not depend on
 * the reserved-area limit, so a plan without one has the same layout.
 */
static void print_layout_before_failure(const struct coco_tdx_memmap *map,
					const struct coco_tdx_tdmr_limits *limits)
{
	struct coco_tdx_tdmr_limits unlimited = *limits;
	struct coco_tdx_tdmr_plan *plan = NULL;

	unlimited.max_reserved_per_tdmr = 65535;
	if (coco_tdx_tdmr_plan(map, &unlimited, &plan) == 0) {
		print_memblocks(plan);
		print_tdmrs(plan);
		fflush(stdout);
	}
	coco_tdx_tdmr_plan_free(plan);
}

int cmd_tdx_plan(int argc, char **argv)
{
	struct plan_options o = { 0 };
	struct coco_tdx_memmap *map = NULL;
	struct coco_tdx_tdmr_plan *plan = NULL;
	const char *sysfs;
	char *text = NULL, *reason;
	size_t len;
	int code = 0, ret;

	if (!parse_options(argc, argv, &o, &code))
		return code;
	if (read_text(o.memmap ? o.memmap : o.iomem, &text, &len))
		return 1;
	if (o.memmap) {
		ret = coco_tdx_memmap_parse(text, len, &map);
	} else {
		sysfs = o.sysfs ? o.sysfs : "/sys";
		ret = coco_tdx_memmap_from_iomem(text, len, strcmp(sysfs, "none") ? sysfs : NULL,
						 &map);
	}
	free(text);
	if (ret)
		return cococtl_fail(cmd, o.memmap ? o.memmap : o.iomem);

	ret = coco_tdx_tdmr_plan(map, &o.limits, &plan);
	if (ret) {
		reason = strdup(coco_last_error());
		if (ret == -ENOSPC && !o.json && reason && strstr(reason, "reserved areas exhausted"))
			print_layout_before_failure(map, &o.limits);
		fprintf(stderr, "cococtl %s: planning TDMRs: %s\n", cmd,
			reason ? reason : "out of memory");
		free(reason);
		coco_tdx_memmap_free(map);
		return 1;
	}
	if (o.json)
		print_json(plan);
	else
		print_text(plan);
	coco_tdx_tdmr_plan_free(plan);
	coco_tdx_memmap_free(map);
	return fflush(stdout) ? 1 : 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* The public face of tdx/memmap.c and tdx/tdmr.c (include/coco/tdx-tdmr.h). */
#include <coco/tdx-tdmr.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "tdx/memmap.h"
#include "tdx/tdmr.h"

struct coco_tdx_memmap {
	struct tdx_memmap map;
};

struct coco_tdx_tdmr_plan {
	struct tdx_tdmr_plan plan;
	struct coco_tdx_tdmr *tdmrs;
	struct coco_tdx_reserved_area *reserved;
	struct coco_tdx_memmap memblocks;	/* a view of plan.memblocks */
};

static int wrap_memmap(struct tdx_memmap *m, int ret, struct coco_tdx_memmap **out)
{
	if (ret)
		return ret;
	*out = calloc(1, sizeof(**out));
	if (!*out) {
		tdx_memmap_release(m);
		return coco_err(-ENOMEM, "memmap: out of memory");
	}
	(*out)->map = *m;
	return 0;
}

int coco_tdx_memmap_parse(const char *text, size_t len, struct coco_tdx_memmap **map)
{
	struct tdx_memmap m;

	if (!map)
		return coco_err(-EINVAL, "coco_tdx_memmap_parse: no result pointer");
	*map = NULL;
	return wrap_memmap(&m, tdx_memmap_parse(text, len, &m), map);
}

int coco_tdx_memmap_from_iomem(const char *text, size_t len, const char *sysfs_root,
			       struct coco_tdx_memmap **map)
{
	struct tdx_memmap m;

	if (!map)
		return coco_err(-EINVAL, "coco_tdx_memmap_from_iomem: no result pointer");
	*map = NULL;
	if (!text && len)
		return coco_err(-EINVAL, "coco_tdx_memmap_from_iomem: no text given");
	return wrap_memmap(&m, tdx_memmap_from_iomem(text, len, sysfs_root, &m), map);
}

size_t coco_tdx_memmap_count(const struct coco_tdx_memmap *map)
{
	return map ? map->map.nr : 0;
}

int coco_tdx_memmap_range(const struct coco_tdx_memmap *map, size_t index,
			  struct coco_tdx_mem_range *range)
{
	if (!map || !range || index >= map->map.nr)
		return coco_err(-EINVAL, "coco_tdx_memmap_range: no range %zu (the map has %zu)",
				index, coco_tdx_memmap_count(map));
	range->start = map->map.ranges[index].start;
	range->end = map->map.ranges[index].end;
	range->node = map->map.ranges[index].node;
	return 0;
}

void coco_tdx_memmap_free(struct coco_tdx_memmap *map)
{
	if (!map)
		return;
	tdx_memmap_release(&map->map);
	free(map);
}

static int limit_or_default(uint32_t value, uint32_t fallback, const char *name, uint32_t *out)
{
	if (value > TDX_LIMIT_MAX)
		return coco_err(-EINVAL, "coco_tdx_tdmr_plan: %s %u is above %u (the module's "
				"metadata field is 16 bits wide)", name, value, TDX_LIMIT_MAX);
	*out = value ? value : fallback;
	return 0;
}

static int convert_limits(const struct coco_tdx_tdmr_limits *in, struct tdx_tdmr_limits *out)
{
	const uint32_t sizes[TDX_PS_NR] = { in->pamt_4k_entry_size, in->pamt_2m_entry_size,
					    in->pamt_1g_entry_size };
	static const char *const names[TDX_PS_NR] = { "PAMT_4K_ENTRY_SIZE", "PAMT_2M_ENTRY_SIZE",
						      "PAMT_1G_ENTRY_SIZE" };
	int ret;

	tdx_tdmr_limits_default(out);
	ret = limit_or_default(in->max_tdmrs, out->max_tdmrs, "MAX_TDMRS", &out->max_tdmrs);
	if (!ret)
		ret = limit_or_default(in->max_reserved_per_tdmr, out->max_reserved_per_tdmr,
				       "MAX_RESERVED_PER_TDMR", &out->max_reserved_per_tdmr);
	for (int ps = 0; !ret && ps < TDX_PS_NR; ps++) {
		uint32_t v = 0;

		ret = limit_or_default(sizes[ps], out->pamt_entry_size[ps], names[ps], &v);
		out->pamt_entry_size[ps] = (uint16_t)v;
	}
	return ret;
}

int coco_tdx_tdmr_plan(const struct coco_tdx_memmap *map,
		       const struct coco_tdx_tdmr_limits *limits,
		       struct coco_tdx_tdmr_plan **plan)
{
	struct tdx_tdmr_limits l;
	struct coco_tdx_tdmr_plan *p;
	size_t nr_reserved = 0;
	int ret;

	if (!plan)
		return coco_err(-EINVAL, "coco_tdx_tdmr_plan: no result pointer");
	*plan = NULL;
	if (!map)
		return coco_err(-EINVAL, "coco_tdx_tdmr_plan: no memory map");
	tdx_tdmr_limits_default(&l);
	if (limits && (ret = convert_limits(limits, &l)))
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return coco_err(-ENOMEM, "coco_tdx_tdmr_plan: out of memory");
	ret = tdx_tdmr_plan_build(map->map.ranges, map->map.nr, &l, &p->plan);
	if (ret) {
		free(p);
		return ret;
	}
	for (size_t i = 0; i < p->plan.nr_tdmrs; i++)
		nr_reserved += p->plan.tdmrs[i].nr_reserved;
	p->tdmrs = calloc(p->plan.nr_tdmrs, sizeof(*p->tdmrs));
	p->reserved = calloc(nr_reserved ? nr_reserved : 1, sizeof(*p->reserved));
	if (!p->tdmrs || !p->reserved) {
		coco_tdx_tdmr_plan_free(p);
		return coco_err(-ENOMEM, "coco_tdx_tdmr_plan: out of memory");
	}
	nr_reserved = 0;
	for (size_t i = 0; i < p->plan.nr_tdmrs; i++) {
		const struct tdx_tdmr *t = &p->plan.tdmrs[i];
		struct coco_tdx_tdmr *o = &p->tdmrs[i];

		o->base = t->base;
		o->size = t->size;
		o->pamt_node = t->pamt_node;
		o->pamt_4k_base = t->pamt_base[TDX_PS_4K];
		o->pamt_4k_size = t->pamt_size[TDX_PS_4K];
		o->pamt_2m_base = t->pamt_base[TDX_PS_2M];
		o->pamt_2m_size = t->pamt_size[TDX_PS_2M];
		o->pamt_1g_base = t->pamt_base[TDX_PS_1G];
		o->pamt_1g_size = t->pamt_size[TDX_PS_1G];
		o->nr_reserved = t->nr_reserved;
		o->reserved = p->reserved + nr_reserved;
		for (uint32_t r = 0; r < t->nr_reserved; r++) {
			p->reserved[nr_reserved].offset = t->reserved[r].offset;
			p->reserved[nr_reserved++].size = t->reserved[r].size;
		}
	}
	p->memblocks.map.nr = p->plan.nr_memblocks;
	p->memblocks.map.ranges = p->plan.memblocks;
	*plan = p;
	return 0;
}

size_t coco_tdx_tdmr_plan_count(const struct coco_tdx_tdmr_plan *plan)
{
	return plan ? plan->plan.nr_tdmrs : 0;
}

const struct coco_tdx_tdmr *coco_tdx_tdmr_plan_tdmr(const struct coco_tdx_tdmr_plan *plan,
						    size_t index)
{
	if (!plan || index >= plan->plan.nr_tdmrs)
		return NULL;
	return &plan->tdmrs[index];
}

uint64_t coco_tdx_tdmr_plan_pamt_bytes(const struct coco_tdx_tdmr_plan *plan)
{
	return plan ? plan->plan.pamt_bytes : 0;
}

const struct coco_tdx_memmap *coco_tdx_tdmr_plan_memmap(const struct coco_tdx_tdmr_plan *plan)
{
	return plan ? &plan->memblocks : NULL;
}

void coco_tdx_tdmr_plan_free(struct coco_tdx_tdmr_plan *plan)
{
	if (!plan)
		return;
	tdx_tdmr_plan_release(&plan->plan);
	free(plan->tdmrs);
	free(plan->reserved);
	free(plan);
}

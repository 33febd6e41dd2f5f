/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: Intel TDX memory regions (TDMRs) and their PAMTs.
 *
 * Before TDX can run, the host hands the TDX module a list of TDMRs covering
 * all TDX-usable RAM, each with a PAMT (the module's per-page metadata,
 * about 1/256 of the RAM it covers) and up to MAX_RESERVED_PER_TDMR
 * reserved areas for the holes and PAMTs inside it.  These functions plan
 * that the way Linux does (construct_tdmrs), from a memory map, so the
 * result can be checked before a host boots: how many TDMRs, how much PAMT,
 * and whether the module's limits are enough.  docs/tdx-memmap.md has the
 * memmap format and the placement rule for PAMTs.
 */
#ifndef COCO_TDX_TDMR_H
#define COCO_TDX_TDMR_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* TDX-usable RAM as ranges [start, end) with their NUMA node. */
struct coco_tdx_memmap;

struct coco_tdx_mem_range {
	uint64_t start;
	uint64_t end;		/* exclusive */
	uint32_t node;
};

/*
 * Parse a memmap file's text: "START END NODE" per line (hex addresses,
 * END exclusive, decimal node; '#' comments).  -EINVAL naming the line
 * for anything malformed, unaligned, misordered or overlapping.
 */
int coco_tdx_memmap_parse(const char *text, size_t len, struct coco_tdx_memmap **map);

/*
 * The top-level "System RAM" ranges of a /proc/iomem text (whole 4 KiB
 * pages).  NUMA nodes come from the sysfs tree at @sysfs_root ("/sys" on a
 * live host; NULL: every range is node 0).
 */
int coco_tdx_memmap_from_iomem(const char *text, size_t len, const char *sysfs_root,
			       struct coco_tdx_memmap **map);

size_t coco_tdx_memmap_count(const struct coco_tdx_memmap *map);
/* Range @index; -EINVAL if there is none. */
int coco_tdx_memmap_range(const struct coco_tdx_memmap *map, size_t index,
			  struct coco_tdx_mem_range *range);
void coco_tdx_memmap_free(struct coco_tdx_memmap *map);

/* The TDX module's limits (its global metadata); 0 in any field selects the default. */
struct coco_tdx_tdmr_limits {
	uint32_t max_tdmrs;		/* MAX_TDMRS, default 64 */
	uint32_t max_reserved_per_tdmr;	/* MAX_RESERVED_PER_TDMR, default 16 */
	uint32_t pamt_4k_entry_size;	/* PAMT_4K_ENTRY_SIZE, default 16 */
	uint32_t pamt_2m_entry_size;	/* PAMT_2M_ENTRY_SIZE, default 16 */
	uint32_t pamt_1g_entry_size;	/* PAMT_1G_ENTRY_SIZE, default 16 */
};

struct coco_tdx_reserved_area {
	uint64_t offset;	/* from the TDMR base */
	uint64_t size;
};

struct coco_tdx_tdmr {
	uint64_t base;
	uint64_t size;
	uint32_t pamt_node;	/* NUMA node the PAMT was allocated for */
	/* One contiguous PAMT block: 4K part, then 2M, then 1G. */
	uint64_t pamt_4k_base, pamt_4k_size;
	uint64_t pamt_2m_base, pamt_2m_size;
	uint64_t pamt_1g_base, pamt_1g_size;
	size_t nr_reserved;
	const struct coco_tdx_reserved_area *reserved;	/* ascending by offset */
};

struct coco_tdx_tdmr_plan;

/*
 * Plan the TDMRs for @map under @limits (NULL: module 1.5 defaults).
 * Errors: -EINVAL (bad limits, no memory above 1 MiB), -ENOSPC with the
 * kernel's words: "TDMRs exhausted", "TDMR [0x..., 0x...): reserved areas
 * exhausted", or "no room for PAMT".  The TDMRs and PAMTs do not depend on
 * max_reserved_per_tdmr, so a plan with a larger one shows the layout that
 * ran out of reserved areas.
 */
int coco_tdx_tdmr_plan(const struct coco_tdx_memmap *map,
		       const struct coco_tdx_tdmr_limits *limits,
		       struct coco_tdx_tdmr_plan **plan);

size_t coco_tdx_tdmr_plan_count(const struct coco_tdx_tdmr_plan *plan);
/* TDMR @index (valid until the plan is freed), or NULL if there is none. */
const struct coco_tdx_tdmr *coco_tdx_tdmr_plan_tdmr(const struct coco_tdx_tdmr_plan *plan,
						    size_t index);
/* All PAMTs together; Linux logs this / 1024 as "N KB allocated for PAMT". */
uint64_t coco_tdx_tdmr_plan_pamt_bytes(const struct coco_tdx_tdmr_plan *plan);
/* The map the plan covers: the input with everything below 1 MiB removed. */
const struct coco_tdx_memmap *coco_tdx_tdmr_plan_memmap(const struct coco_tdx_tdmr_plan *plan);
void coco_tdx_tdmr_plan_free(struct coco_tdx_tdmr_plan *plan);

#ifdef __cplusplus
}
#endif

#endif /* COCO_TDX_TDMR_H */

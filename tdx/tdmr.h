/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX memory regions (TDMRs) and their PAMTs, built from a memory map the way
 * Linux builds them (arch/x86/virt/vmx/tdx/tdx.c, construct_tdmrs), and the
 * TDMR_INFO layout TDH.SYS.CONFIG reads.
 *
 * Self-contained on purpose: the TDX module model includes this header to
 * decode the TDMR_INFO structures it is handed, without the rest of tdx/.
 *
 * Construction (docs/tdx-memmap.md has the worked examples):
 *  1. the map's ranges are clipped to start at 1 MiB (the kernel never hands
 *     the first MiB to TDX); ranges left empty are dropped;
 *  2. fill_out_tdmrs: each range is covered by [ALIGN_DOWN(start, 1 GiB),
 *     ALIGN_UP(end, 1 GiB)); a range the current TDMR already covers adds
 *     nothing, a range starting inside it opens a new TDMR at its end;
 *     needing more than max_tdmrs TDMRs is -ENOSPC "TDMRs exhausted";
 *  3. per TDMR the PAMT sizes (entries x entry size, each rounded up to
 *     4 KiB), the PAMT node (node of the first range ending above the TDMR's
 *     base) and a deterministic placement standing in for the kernel's
 *     alloc_contig_pages(): the block [4K][2M][1G] goes at the lowest
 *     address of the node, preferring addresses at or above 4 GiB when the
 *     node has memory there, that fits inside one range without overlapping
 *     an earlier PAMT; failing that, the same search over the other nodes in
 *     ascending order; failing that, -ENOSPC "no room for PAMT";
 *  4. reserved areas per TDMR: the holes between ranges inside it (from the
 *     TDMR base, so the clipped first MiB, and up to its end) and every
 *     PAMT block intersecting it, clipped, never merged, sorted by offset;
 *     more than max_reserved_per_tdmr is -ENOSPC "reserved areas exhausted".
 */
#ifndef COCO_TDX_INTERNAL_TDMR_H
#define COCO_TDX_INTERNAL_TDMR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDX_PAGE_SIZE 4096ull
#define TDX_TDMR_ALIGNMENT (1ull << 30)		/* TDMR base and size: 1 GiB granular */
#define TDX_MEMORY_CLIP_END (1ull << 20)	/* [0, 1 MiB) is never TDX memory */
#define TDX_PAMT_PREFERRED_BASE (4ull << 30)	/* placement prefers memory above 4 GiB */
#define TDX_PHYS_ADDR_LIMIT (1ull << 52)	/* x86 MAXPHYADDR ceiling */

/* Module metadata defaults (TDX module 1.5: MAX_TDMRS, MAX_RESERVED_PER_TDMR, PAMT_*_ENTRY_SIZE). */
#define TDX_DEFAULT_MAX_TDMRS 64u
#define TDX_DEFAULT_MAX_RESERVED_PER_TDMR 16u
#define TDX_DEFAULT_PAMT_ENTRY_SIZE 16u
#define TDX_LIMIT_MAX 65535u		/* the metadata fields are 16 bits wide */
#define TDX_TDMR_NR_WARN 4u		/* Linux warns when fewer TDMRs than this remain */

/*
 * TDMR_INFO as TDH.SYS.CONFIG reads it: little-endian u64 fields, 8-byte
 * packed, a 64-byte header and then max_reserved_per_tdmr reserved areas of
 * 16 bytes ({offset from base, size}; size 0 ends the list and only size-0
 * entries may follow).  Each TDMR_INFO must be 512-byte aligned in memory.
 */
#define TDX_TDMR_INFO_BASE 0
#define TDX_TDMR_INFO_SIZE 8
#define TDX_TDMR_INFO_PAMT_1G_BASE 16
#define TDX_TDMR_INFO_PAMT_1G_SIZE 24
#define TDX_TDMR_INFO_PAMT_2M_BASE 32
#define TDX_TDMR_INFO_PAMT_2M_SIZE 40
#define TDX_TDMR_INFO_PAMT_4K_BASE 48
#define TDX_TDMR_INFO_PAMT_4K_SIZE 56
#define TDX_TDMR_INFO_HEADER_BYTES 64
#define TDX_TDMR_INFO_RESERVED_BYTES 16	/* per area: u64 offset, u64 size */
#define TDX_TDMR_INFO_ALIGNMENT 512

/* Bytes of one TDMR_INFO with @max_reserved reserved-area slots. */
static inline size_t tdx_tdmr_info_bytes(uint32_t max_reserved)
{
	return TDX_TDMR_INFO_HEADER_BYTES + (size_t)max_reserved * TDX_TDMR_INFO_RESERVED_BYTES;
}

/* PAMT page-size index, as the module numbers them (PT_4KB 0, PT_2MB 1, PT_1GB 2). */
enum tdx_page_size { TDX_PS_4K = 0, TDX_PS_2M = 1, TDX_PS_1G = 2, TDX_PS_NR = 3 };

/* One TDX-usable memory range [start, end) on NUMA node @node. */
struct tdx_mem_range {
	uint64_t start;
	uint64_t end;
	uint32_t node;
};

/* The module's limits the construction must respect. */
struct tdx_tdmr_limits {
	uint32_t max_tdmrs;			/* 1..65535 */
	uint32_t max_reserved_per_tdmr;		/* 1..65535 */
	uint16_t pamt_entry_size[TDX_PS_NR];	/* bytes per PAMT entry, > 0 */
};

struct tdx_reserved_area {
	uint64_t offset;	/* from the TDMR base */
	uint64_t size;
};

/* One TDMR, its PAMT and its reserved areas. */
struct tdx_tdmr {
	uint64_t base;
	uint64_t size;
	uint64_t pamt_base[TDX_PS_NR];	/* indexed by enum tdx_page_size */
	uint64_t pamt_size[TDX_PS_NR];
	uint32_t pamt_node;		/* plans only: the node the PAMT was meant for */
	uint32_t nr_reserved;
	struct tdx_reserved_area *reserved;
};

struct tdx_tdmr_plan {
	size_t nr_memblocks;		/* the map after clipping the first MiB */
	struct tdx_mem_range *memblocks;
	size_t nr_tdmrs;
	struct tdx_tdmr *tdmrs;		/* ascending, non-overlapping */
	struct tdx_reserved_area *reserved_pool;	/* backs every tdmrs[i].reserved */
	uint64_t pamt_bytes;		/* all PAMTs; Linux prints pamt_bytes / 1024 KB */
	bool tdmrs_near_limit;		/* fewer than TDX_TDMR_NR_WARN TDMRs left */
};

/* The module 1.5 defaults (64 TDMRs, 16 reserved areas, 16-byte PAMT entries). */
void tdx_tdmr_limits_default(struct tdx_tdmr_limits *limits);

/* Range check of @limits; -EINVAL naming the bad field. */
int tdx_tdmr_limits_validate(const struct tdx_tdmr_limits *limits);

/*
 * PAMT bytes for a TDMR of @tdmr_size at page size @ps: one @entry_size
 * entry per page, rounded up to 4 KiB.
 */
uint64_t tdx_pamt_bytes(uint64_t tdmr_size, enum tdx_page_size ps, uint16_t entry_size);

/*
 * Build the TDMRs, PAMTs and reserved areas covering @ranges (@nr of them,
 * ascending, non-overlapping, 4 KiB aligned, below 2^52; checked again
 * here).  @limits NULL means the defaults.  On success release @plan with
 * tdx_tdmr_plan_release(); on failure nothing needs releasing.
 * Errors: -EINVAL (bad ranges or limits, no memory above 1 MiB), -ENOSPC
 * (TDMRs exhausted, reserved areas exhausted, no room for a PAMT), -ENOMEM.
 */
int tdx_tdmr_plan_build(const struct tdx_mem_range *ranges, size_t nr,
			const struct tdx_tdmr_limits *limits, struct tdx_tdmr_plan *plan);

/*
 * Where a host puts a PAMT block when the planner is not to choose (the
 * kernel's alloc_contig_pages() for node @node): @bytes contiguous bytes
 * (4 KiB multiple) at *@base, 4 KiB aligned.  0, or a negative errno with a
 * message recorded.
 */
typedef int (*tdx_pamt_alloc_fn)(void *ctx, uint64_t bytes, uint32_t node, uint64_t *base);

/*
 * tdx_tdmr_plan_build with each TDMR's PAMT block from @alloc (in TDMR
 * order) instead of the deterministic placement; a block must lie inside
 * one range of the map (-EINVAL otherwise).  The reserved areas follow the
 * blocks as placed.  What @alloc handed out stays the caller's to free,
 * on failure too.
 */
int tdx_tdmr_plan_build_alloc(const struct tdx_mem_range *ranges, size_t nr,
			      const struct tdx_tdmr_limits *limits, tdx_pamt_alloc_fn alloc,
			      void *ctx, struct tdx_tdmr_plan *plan);
void tdx_tdmr_plan_release(struct tdx_tdmr_plan *plan);

/* First and one-past-last byte of a TDMR's PAMT block ([4K][2M][1G] contiguous). */
static inline uint64_t tdx_tdmr_pamt_block_base(const struct tdx_tdmr *t)
{
	return t->pamt_base[TDX_PS_4K];
}

static inline uint64_t tdx_tdmr_pamt_block_bytes(const struct tdx_tdmr *t)
{
	return t->pamt_size[TDX_PS_4K] + t->pamt_size[TDX_PS_2M] + t->pamt_size[TDX_PS_1G];
}

/*
 * Write @tdmr as a TDMR_INFO with @max_reserved slots into @out (at least
 * tdx_tdmr_info_bytes(@max_reserved) bytes; unused slots zeroed).  Returns
 * the bytes written, or -EINVAL when @out is too small or @tdmr has more
 * reserved areas than slots.
 */
int tdx_tdmr_info_encode(const struct tdx_tdmr *tdmr, uint32_t max_reserved, uint8_t *out,
			 size_t out_len);

/*
 * Read a TDMR_INFO with @max_reserved slots from @in.  Every slot is copied
 * to @reserved (room for @max_reserved entries) as found, unchecked;
 * out->reserved points there and out->nr_reserved counts the slots before
 * the first size-0 one.  out->pamt_node is 0.  -EINVAL when @in is short.
 */
int tdx_tdmr_info_decode(const uint8_t *in, size_t in_len, uint32_t max_reserved,
			 struct tdx_tdmr *out, struct tdx_reserved_area *reserved);

#endif

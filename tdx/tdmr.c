/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDMR and PAMT construction (tdx/tdmr.h has the rules).  Follows Linux's
 * construct_tdmrs() step by step; the one thing the kernel leaves to its
 * page allocator, where each PAMT lives, is a deterministic rule here, or
 * the host's own allocator (tdx_tdmr_plan_build_alloc: the model host's
 * kernel memory).
 *
 * Plans for big hosts stay linear-ish: PAMT placement asks a max-tree over
 * the ranges (grouped by node) for the first range with enough free room,
 * and the reserved-area pass starts each TDMR at its first range and first
 * PAMT by binary search instead of walking everything per TDMR.
 */
#include "tdx/tdmr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define OP "TDMR plan"
#define NONE SIZE_MAX

static uint64_t align_down(uint64_t x, uint64_t a)
{
	return x & ~(a - 1);
}

static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

void tdx_tdmr_limits_default(struct tdx_tdmr_limits *limits)
{
	limits->max_tdmrs = TDX_DEFAULT_MAX_TDMRS;
	limits->max_reserved_per_tdmr = TDX_DEFAULT_MAX_RESERVED_PER_TDMR;
	for (int ps = 0; ps < TDX_PS_NR; ps++)
		limits->pamt_entry_size[ps] = TDX_DEFAULT_PAMT_ENTRY_SIZE;
}

int tdx_tdmr_limits_validate(const struct tdx_tdmr_limits *limits)
{
	static const char *const names[TDX_PS_NR] = { "4K", "2M", "1G" };

	if (limits->max_tdmrs < 1 || limits->max_tdmrs > TDX_LIMIT_MAX)
		return coco_err(-EINVAL, OP ": MAX_TDMRS %u is out of range; the module allows "
				"1..%u (its metadata field MAX_TDMRS, 64 on module 1.5)",
				limits->max_tdmrs, TDX_LIMIT_MAX);
	if (limits->max_reserved_per_tdmr < 1 || limits->max_reserved_per_tdmr > TDX_LIMIT_MAX)
		return coco_err(-EINVAL, OP ": MAX_RESERVED_PER_TDMR %u is out of range; use "
				"1..%u (16 on module 1.5)", limits->max_reserved_per_tdmr,
				TDX_LIMIT_MAX);
	for (int ps = 0; ps < TDX_PS_NR; ps++)
		if (!limits->pamt_entry_size[ps])
			return coco_err(-EINVAL, OP ": PAMT_%s_ENTRY_SIZE is 0; a PAMT entry has "
					"at least one byte (16 on module 1.5)", names[ps]);
	return 0;
}

uint64_t tdx_pamt_bytes(uint64_t tdmr_size, enum tdx_page_size ps, uint16_t entry_size)
{
	static const unsigned shift[TDX_PS_NR] = { 12, 21, 30 };

	if ((unsigned)ps >= TDX_PS_NR)
		return 0;
	return align_up((tdmr_size >> shift[ps]) * entry_size, TDX_PAGE_SIZE);
}

static int check_ranges(const struct tdx_mem_range *r, size_t nr)
{
	for (size_t i = 0; i < nr; i++) {
		if (r[i].start >= r[i].end)
			return coco_err(-EINVAL, OP ": memory range %zu [0x%llx, 0x%llx) is empty",
					i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].end);
		if (!COCO_ALIGNED(r[i].start | r[i].end, TDX_PAGE_SIZE))
			return coco_err(-EINVAL, OP ": memory range %zu [0x%llx, 0x%llx) is not "
					"4 KiB aligned", i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].end);
		if (r[i].end > TDX_PHYS_ADDR_LIMIT)
			return coco_err(-EINVAL, OP ": memory range %zu ends at 0x%llx, beyond "
					"the 52-bit physical address space", i,
					(unsigned long long)r[i].end);
		if (i && r[i].start < r[i - 1].end)
			return coco_err(-EINVAL, OP ": memory range %zu [0x%llx, 0x%llx) is not "
					"above range %zu (ending 0x%llx); ranges must ascend "
					"without overlap", i, (unsigned long long)r[i].start,
					(unsigned long long)r[i].end, i - 1,
					(unsigned long long)r[i - 1].end);
	}
	return 0;
}

/* Kernel build_tdx_memlist(): everything below 1 MiB is dropped. */
static int clip_first_mib(const struct tdx_mem_range *in, size_t nr, struct tdx_tdmr_plan *plan)
{
	plan->memblocks = calloc(nr ? nr : 1, sizeof(*plan->memblocks));
	if (!plan->memblocks)
		return coco_err(-ENOMEM, OP ": out of memory for %zu memory ranges", nr);
	for (size_t i = 0; i < nr; i++) {
		struct tdx_mem_range r = in[i];

		r.start = COCO_MAX(r.start, TDX_MEMORY_CLIP_END);
		if (r.start >= r.end)
			continue;
		plan->memblocks[plan->nr_memblocks++] = r;
	}
	if (!plan->nr_memblocks)
		return coco_err(-EINVAL, OP ": the memory map has no memory above 1 MiB; TDX "
				"needs at least one range of usable RAM there");
	return 0;
}

/* Kernel fill_out_tdmrs(): one TDMR per range unless the current one covers it. */
static int fill_out_tdmrs(struct tdx_tdmr_plan *plan, const struct tdx_tdmr_limits *limits)
{
	struct tdx_tdmr *cur = NULL;

	plan->tdmrs = calloc(plan->nr_memblocks, sizeof(*plan->tdmrs));
	if (!plan->tdmrs)
		return coco_err(-ENOMEM, OP ": out of memory for %zu TDMRs", plan->nr_memblocks);
	for (size_t i = 0; i < plan->nr_memblocks; i++) {
		uint64_t start = align_down(plan->memblocks[i].start, TDX_TDMR_ALIGNMENT);
		uint64_t end = align_up(plan->memblocks[i].end, TDX_TDMR_ALIGNMENT);

		if (cur) {
			if (end <= cur->base + cur->size)
				continue;
			if (start < cur->base + cur->size)
				start = cur->base + cur->size;
			if (plan->nr_tdmrs >= limits->max_tdmrs)
				return coco_err(-ENOSPC, OP ": initialization failed: TDMRs "
						"exhausted. (-ENOSPC: memory range [0x%llx, 0x%llx) "
						"needs TDMR %zu, MAX_TDMRS is %u); merge or drop "
						"small ranges in separate GiBs",
						(unsigned long long)plan->memblocks[i].start,
						(unsigned long long)plan->memblocks[i].end,
						plan->nr_tdmrs, limits->max_tdmrs);
		}
		cur = &plan->tdmrs[plan->nr_tdmrs++];
		cur->base = start;
		cur->size = end - start;
	}
	if (limits->max_tdmrs - plan->nr_tdmrs < TDX_TDMR_NR_WARN) {
		plan->tdmrs_near_limit = true;
		coco_warn("TDMR plan: consumed TDMRs reaching limit: %zu used out of %u",
			  plan->nr_tdmrs, limits->max_tdmrs);
	}
	return 0;
}

/* Kernel tdmr_get_nid(): node of the first range ending above the TDMR base. */
static uint32_t tdmr_node(const struct tdx_tdmr_plan *plan, const struct tdx_tdmr *t,
			  size_t *cursor)
{
	while (*cursor < plan->nr_memblocks && plan->memblocks[*cursor].end <= t->base)
		(*cursor)++;
	/* Cannot run off the end: every TDMR was opened for a range reaching into it. */
	return *cursor < plan->nr_memblocks ? plan->memblocks[*cursor].node : 0;
}

/* ---- PAMT placement ---------------------------------------------------- */

/* A used extent of a range: one or more PAMT blocks back to back. */
struct placed {
	uint64_t base, end;
	size_t next;		/* next extent in the same range, by address */
};

struct placer {
	const struct tdx_mem_range *mb;
	size_t nr;
	size_t *order;		/* range indices sorted by (node, start) */
	size_t nr_nodes;
	uint32_t *node_id;	/* ascending */
	size_t *node_lo, *node_hi;	/* each node's slice of order[] */
	size_t *node_high_lo;	/* first slot of the slice starting at or above 4 GiB */
	size_t straddler;	/* the range containing TDX_PAMT_PREFERRED_BASE, or NONE */
	size_t leaves;		/* power of two >= nr */
	uint64_t *max_gap;	/* max-tree over order[]: largest free span per range */
	size_t *head;		/* per range: first placed block, or NONE */
	struct placed *blocks;	/* at most one new extent per PAMT */
	size_t nr_blocks;
};

struct order_key {
	uint32_t node;
	uint64_t start;
	size_t index;
};

static int by_node_then_address(const void *a, const void *b)
{
	const struct order_key *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

static void placer_free(struct placer *p)
{
	free(p->order);
	free(p->node_id);
	free(p->node_lo);
	free(p->node_hi);
	free(p->node_high_lo);
	free(p->max_gap);
	free(p->head);
	free(p->blocks);
}

static void tree_set(struct placer *p, size_t pos, uint64_t value)
{
	size_t v = p->leaves + pos;

	p->max_gap[v] = value;
	for (v /= 2; v; v /= 2)
		p->max_gap[v] = COCO_MAX(p->max_gap[2 * v], p->max_gap[2 * v + 1]);
}

/* First position in [lo, hi) of order[] whose range has a free span >= need. */
static size_t tree_first_fit(const struct placer *p, size_t v, size_t nl, size_t nr, size_t lo,
			     size_t hi, uint64_t need)
{
	size_t mid, found;

	if (nr <= lo || hi <= nl || p->max_gap[v] < need)
		return NONE;
	if (nr - nl == 1)
		return nl;
	mid = nl + (nr - nl) / 2;
	found = tree_first_fit(p, 2 * v, nl, mid, lo, hi, need);
	return found != NONE ? found : tree_first_fit(p, 2 * v + 1, mid, nr, lo, hi, need);
}

static int placer_init(struct placer *p, const struct tdx_tdmr_plan *plan)
{
	struct order_key *keys;

	memset(p, 0, sizeof(*p));
	p->mb = plan->memblocks;
	p->nr = plan->nr_memblocks;
	p->straddler = NONE;
	for (p->leaves = 1; p->leaves < p->nr; p->leaves *= 2)
		;
	p->order = calloc(p->nr, sizeof(*p->order));
	p->node_id = calloc(p->nr, sizeof(*p->node_id));
	p->node_lo = calloc(p->nr, sizeof(*p->node_lo));
	p->node_hi = calloc(p->nr, sizeof(*p->node_hi));
	p->node_high_lo = calloc(p->nr, sizeof(*p->node_high_lo));
	p->max_gap = calloc(2 * p->leaves, sizeof(*p->max_gap));
	p->head = calloc(p->nr, sizeof(*p->head));
	p->blocks = calloc(plan->nr_tdmrs, sizeof(*p->blocks));
	if (!p->order || !p->node_id || !p->node_lo || !p->node_hi || !p->node_high_lo ||
	    !p->max_gap || !p->head || !p->blocks) {
		placer_free(p);
		return coco_err(-ENOMEM, OP ": out of memory for PAMT placement");
	}
	keys = calloc(p->nr, sizeof(*keys));
	if (!keys) {
		placer_free(p);
		return coco_err(-ENOMEM, OP ": out of memory for PAMT placement");
	}
	for (size_t i = 0; i < p->nr; i++) {
		keys[i] = (struct order_key){ p->mb[i].node, p->mb[i].start, i };
		p->head[i] = NONE;
		if (p->mb[i].start < TDX_PAMT_PREFERRED_BASE && p->mb[i].end > TDX_PAMT_PREFERRED_BASE)
			p->straddler = i;
	}
	qsort(keys, p->nr, sizeof(*keys), by_node_then_address);
	for (size_t pos = 0; pos < p->nr; pos++) {
		uint32_t node = keys[pos].node;

		p->order[pos] = keys[pos].index;
		if (!p->nr_nodes || p->node_id[p->nr_nodes - 1] != node) {
			p->node_id[p->nr_nodes] = node;
			p->node_lo[p->nr_nodes] = pos;
			p->node_high_lo[p->nr_nodes++] = pos;
		}
		p->node_hi[p->nr_nodes - 1] = pos + 1;
		if (keys[pos].start < TDX_PAMT_PREFERRED_BASE)
			p->node_high_lo[p->nr_nodes - 1] = pos + 1;
		p->max_gap[p->leaves + pos] = p->mb[p->order[pos]].end - p->mb[p->order[pos]].start;
	}
	for (size_t v = p->leaves - 1; v; v--)
		p->max_gap[v] = COCO_MAX(p->max_gap[2 * v], p->max_gap[2 * v + 1]);
	free(keys);
	return 0;
}

/* Lowest address in [lo, hi) of range @m where @size bytes miss every placed block. */
static bool lowest_fit(const struct placer *p, size_t m, uint64_t lo, uint64_t hi,
		       uint64_t size, uint64_t *addr)
{
	uint64_t cand = lo;

	for (size_t b = p->head[m]; b != NONE; b = p->blocks[b].next) {
		if (p->blocks[b].end <= cand)
			continue;
		if (p->blocks[b].base >= cand + size)
			break;
		cand = p->blocks[b].end;
	}
	if (cand + size > hi)
		return false;
	*addr = cand;
	return true;
}

/*
 * Mark [base, base + size) of range @m used.  Touching extents merge, so
 * PAMTs packed back to back (the common case) stay one list entry and the
 * walks here and in lowest_fit() stay short.
 */
static void place(struct placer *p, size_t m, size_t pos, uint64_t base, uint64_t size)
{
	size_t *link = &p->head[m], prev = NONE, next, cur;
	uint64_t prev_end = p->mb[m].start, gap = 0;

	while (*link != NONE && p->blocks[*link].base < base) {
		prev = *link;
		link = &p->blocks[*link].next;
	}
	next = *link;
	if (prev != NONE && p->blocks[prev].end == base) {
		cur = prev;
		p->blocks[cur].end = base + size;
	} else {
		cur = p->nr_blocks++;
		p->blocks[cur] = (struct placed){ base, base + size, next };
		*link = cur;
	}
	if (next != NONE && p->blocks[next].base == p->blocks[cur].end) {
		p->blocks[cur].end = p->blocks[next].end;
		p->blocks[cur].next = p->blocks[next].next;
	}
	for (size_t b = p->head[m]; b != NONE; b = p->blocks[b].next) {
		gap = COCO_MAX(gap, p->blocks[b].base - prev_end);
		prev_end = p->blocks[b].end;
	}
	tree_set(p, pos, COCO_MAX(gap, p->mb[m].end - prev_end));
}

/* Position in order[] of range @m (ranges of a node are sorted by address). */
static size_t position_of(const struct placer *p, size_t k, size_t m)
{
	size_t lo = p->node_lo[k], hi = p->node_hi[k];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->mb[p->order[mid]].start < p->mb[m].start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The rule on one node: above 4 GiB first, then anywhere. */
static bool place_on_node(struct placer *p, size_t k, uint64_t size, uint64_t *addr)
{
	size_t lo = p->node_lo[k], hi = p->node_hi[k], high_lo = p->node_high_lo[k], pos;
	size_t s = p->straddler;

	if (s != NONE && p->mb[s].node == p->node_id[k] &&
	    lowest_fit(p, s, TDX_PAMT_PREFERRED_BASE, p->mb[s].end, size, addr)) {
		place(p, s, position_of(p, k, s), *addr, size);
		return true;
	}
	for (int pass = 0; pass < 2; pass++) {
		pos = tree_first_fit(p, 1, 0, p->leaves, pass ? lo : high_lo, hi, size);
		if (pos == NONE)
			continue;
		if (lowest_fit(p, p->order[pos], p->mb[p->order[pos]].start,
			       p->mb[p->order[pos]].end, size, addr)) {
			place(p, p->order[pos], pos, *addr, size);
			return true;
		}
	}
	return false;
}

static void set_pamt_bases(struct tdx_tdmr *t, uint64_t addr)
{
	for (int ps = 0; ps < TDX_PS_NR; ps++) {
		t->pamt_base[ps] = addr;
		addr += t->pamt_size[ps];
	}
}

static int place_pamt(struct placer *p, struct tdx_tdmr *t, uint64_t size)
{
	size_t home = NONE, lo = 0, hi = p->nr_nodes;
	uint64_t addr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->node_id[mid] < t->pamt_node)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nr_nodes && p->node_id[lo] == t->pamt_node)
		home = lo;
	if (home != NONE && place_on_node(p, home, size, &addr))
		goto placed;
	for (size_t k = 0; k < p->nr_nodes; k++)
		if (k != home && place_on_node(p, k, size, &addr))
			goto placed;
	return coco_err(-ENOSPC, OP ": no room for PAMT of TDMR [0x%llx, 0x%llx): it needs 0x%llx "
			"contiguous bytes inside one memory range (node %u preferred) and no "
			"range of any node has that much left; the map needs a larger "
			"contiguous range of RAM", (unsigned long long)t->base,
			(unsigned long long)(t->base + t->size), (unsigned long long)size,
			t->pamt_node);
placed:
	set_pamt_bases(t, addr);
	return 0;
}

/* The host's own allocation of @t's PAMT block: checked to be TDX memory. */
static int alloc_pamt(const struct tdx_tdmr_plan *plan, struct tdx_tdmr *t, uint64_t size,
		      tdx_pamt_alloc_fn alloc, void *ctx)
{
	uint64_t addr = 0;
	int ret = alloc(ctx, size, t->pamt_node, &addr);

	if (ret)
		return ret;
	for (size_t m = 0; m < plan->nr_memblocks; m++)
		if (COCO_ALIGNED(addr, TDX_PAGE_SIZE) && addr >= plan->memblocks[m].start &&
		    addr < plan->memblocks[m].end && size <= plan->memblocks[m].end - addr) {
			set_pamt_bases(t, addr);
			return 0;
		}
	return coco_err(-EINVAL, OP ": the PAMT of TDMR [0x%llx, 0x%llx) was allocated at "
			"[0x%llx, 0x%llx), which is not 4 KiB aligned inside one memory range",
			(unsigned long long)t->base, (unsigned long long)(t->base + t->size),
			(unsigned long long)addr, (unsigned long long)(addr + size));
}

/* Kernel tdmrs_set_up_pamt_all(): sizes, node, one contiguous block per TDMR. */
static int set_up_pamts(struct tdx_tdmr_plan *plan, const struct tdx_tdmr_limits *limits,
			tdx_pamt_alloc_fn alloc, void *ctx)
{
	struct placer p;
	size_t cursor = 0;
	int ret = alloc ? 0 : placer_init(&p, plan);

	if (ret)
		return ret;
	for (size_t i = 0; !ret && i < plan->nr_tdmrs; i++) {
		struct tdx_tdmr *t = &plan->tdmrs[i];

		t->pamt_node = tdmr_node(plan, t, &cursor);
		for (int ps = 0; ps < TDX_PS_NR; ps++)
			t->pamt_size[ps] = tdx_pamt_bytes(t->size, (enum tdx_page_size)ps,
							  limits->pamt_entry_size[ps]);
		ret = alloc ? alloc_pamt(plan, t, tdx_tdmr_pamt_block_bytes(t), alloc, ctx)
			    : place_pamt(&p, t, tdx_tdmr_pamt_block_bytes(t));
		plan->pamt_bytes += tdx_tdmr_pamt_block_bytes(t);
	}
	if (!alloc)
		placer_free(&p);
	return ret;
}

/* ---- Reserved areas ----------------------------------------------------- */

struct reserved_builder {
	struct tdx_reserved_area *pool;
	size_t nr, cap;
	size_t *first;		/* per TDMR: index of its first area in pool */
};

/* Kernel tdmr_add_rsvd_area(): one area per call, never merged. */
static int add_reserved(struct reserved_builder *rb, const struct tdx_tdmr *t, size_t tdmr_index,
			uint64_t addr, uint64_t size, const struct tdx_tdmr_limits *limits)
{
	if (rb->nr - rb->first[tdmr_index] >= limits->max_reserved_per_tdmr)
		return coco_err(-ENOSPC, OP ": initialization failed: TDMR [0x%llx, 0x%llx): "
				"reserved areas exhausted. (-ENOSPC: its holes and PAMTs need more "
				"than MAX_RESERVED_PER_TDMR=%u areas); merge or drop the small "
				"ranges inside this GiB range", (unsigned long long)t->base,
				(unsigned long long)(t->base + t->size),
				limits->max_reserved_per_tdmr);
	if (rb->nr == rb->cap) {
		size_t cap = rb->cap ? 2 * rb->cap : 64;
		struct tdx_reserved_area *pool = realloc(rb->pool, cap * sizeof(*pool));

		if (!pool)
			return coco_err(-ENOMEM, OP ": out of memory for reserved areas");
		rb->pool = pool;
		rb->cap = cap;
	}
	rb->pool[rb->nr].offset = addr - t->base;
	rb->pool[rb->nr++].size = size;
	return 0;
}

/* Kernel tdmr_populate_rsvd_holes(), from the first range not below the TDMR. */
static int reserve_holes(const struct tdx_tdmr_plan *plan, struct reserved_builder *rb, size_t i,
			 const struct tdx_tdmr_limits *limits)
{
	const struct tdx_tdmr *t = &plan->tdmrs[i];
	uint64_t tdmr_end = t->base + t->size, prev_end = t->base;
	size_t lo = 0, hi = plan->nr_memblocks;
	int ret;

	while (lo < hi) {	/* first range with end >= base: the kernel skips end < base */
		size_t mid = lo + (hi - lo) / 2;

		if (plan->memblocks[mid].end < t->base)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t m = lo; m < plan->nr_memblocks; m++) {
		const struct tdx_mem_range *r = &plan->memblocks[m];

		if (r->start >= tdmr_end)
			break;
		if (r->start > prev_end) {
			ret = add_reserved(rb, t, i, prev_end, r->start - prev_end, limits);
			if (ret)
				return ret;
		}
		prev_end = r->end;
	}
	if (prev_end < tdmr_end)
		return add_reserved(rb, t, i, prev_end, tdmr_end - prev_end, limits);
	return 0;
}

struct pamt_block {
	uint64_t base, end;
};

static int by_base(const void *a, const void *b)
{
	const struct pamt_block *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

static int by_offset(const void *a, const void *b)
{
	const struct tdx_reserved_area *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Kernel tdmr_populate_rsvd_pamts(): every PAMT block meeting the TDMR, clipped. */
static int reserve_pamts(const struct tdx_tdmr_plan *plan, const struct pamt_block *blocks,
			 struct reserved_builder *rb, size_t i, const struct tdx_tdmr_limits *limits)
{
	const struct tdx_tdmr *t = &plan->tdmrs[i];
	uint64_t tdmr_end = t->base + t->size;
	size_t lo = 0, hi = plan->nr_tdmrs;
	int ret;

	while (lo < hi) {	/* blocks do not overlap: sorted by base is sorted by end */
		size_t mid = lo + (hi - lo) / 2;

		if (blocks[mid].end <= t->base)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t b = lo; b < plan->nr_tdmrs && blocks[b].base < tdmr_end; b++) {
		uint64_t base = COCO_MAX(blocks[b].base, t->base);
		uint64_t end = COCO_MIN(blocks[b].end, tdmr_end);

		ret = add_reserved(rb, t, i, base, end - base, limits);
		if (ret)
			return ret;
	}
	return 0;
}

static int populate_reserved(struct tdx_tdmr_plan *plan, const struct tdx_tdmr_limits *limits)
{
	struct reserved_builder rb = { 0 };
	struct pamt_block *blocks = calloc(plan->nr_tdmrs, sizeof(*blocks));
	int ret = 0;

	rb.first = calloc(plan->nr_tdmrs, sizeof(*rb.first));
	if (!blocks || !rb.first) {
		ret = coco_err(-ENOMEM, OP ": out of memory for reserved areas");
		goto out;
	}
	for (size_t i = 0; i < plan->nr_tdmrs; i++) {
		blocks[i].base = tdx_tdmr_pamt_block_base(&plan->tdmrs[i]);
		blocks[i].end = blocks[i].base + tdx_tdmr_pamt_block_bytes(&plan->tdmrs[i]);
	}
	qsort(blocks, plan->nr_tdmrs, sizeof(*blocks), by_base);
	for (size_t i = 0; i < plan->nr_tdmrs; i++) {
		rb.first[i] = rb.nr;
		ret = reserve_holes(plan, &rb, i, limits);
		if (!ret)
			ret = reserve_pamts(plan, blocks, &rb, i, limits);
		if (ret)
			goto out;
		/* TDX wants them ascending; they never overlap, so offset order is enough. */
		if (rb.nr - rb.first[i] > 1)
			qsort(rb.pool + rb.first[i], rb.nr - rb.first[i], sizeof(*rb.pool),
			      by_offset);
	}
	for (size_t i = 0; i < plan->nr_tdmrs; i++) {
		size_t end = i + 1 < plan->nr_tdmrs ? rb.first[i + 1] : rb.nr;

		plan->tdmrs[i].reserved = rb.pool ? rb.pool + rb.first[i] : NULL;
		plan->tdmrs[i].nr_reserved = (uint32_t)(end - rb.first[i]);
	}
	plan->reserved_pool = rb.pool;
	rb.pool = NULL;
out:
	free(rb.pool);
	free(rb.first);
	free(blocks);
	return ret;
}

int tdx_tdmr_plan_build(const struct tdx_mem_range *ranges, size_t nr,
			const struct tdx_tdmr_limits *limits, struct tdx_tdmr_plan *plan)
{
	return tdx_tdmr_plan_build_alloc(ranges, nr, limits, NULL, NULL, plan);
}

int tdx_tdmr_plan_build_alloc(const struct tdx_mem_range *ranges, size_t nr,
			      const struct tdx_tdmr_limits *limits, tdx_pamt_alloc_fn alloc,
			      void *ctx, struct tdx_tdmr_plan *plan)
{
	struct tdx_tdmr_limits defaults;
	int ret;

	memset(plan, 0, sizeof(*plan));
	if (!limits) {
		tdx_tdmr_limits_default(&defaults);
		limits = &defaults;
	}
	ret = tdx_tdmr_limits_validate(limits);
	if (!ret && nr && !ranges)
		ret = coco_err(-EINVAL, OP ": %zu memory ranges announced but none given", nr);
	if (!ret)
		ret = check_ranges(ranges, nr);
	if (!ret)
		ret = clip_first_mib(ranges, nr, plan);
	if (!ret)
		ret = fill_out_tdmrs(plan, limits);
	if (!ret)
		ret = set_up_pamts(plan, limits, alloc, ctx);
	if (!ret)
		ret = populate_reserved(plan, limits);
	if (ret)
		tdx_tdmr_plan_release(plan);
	return ret;
}

void tdx_tdmr_plan_release(struct tdx_tdmr_plan *plan)
{
	free(plan->memblocks);
	free(plan->tdmrs);
	free(plan->reserved_pool);
	memset(plan, 0, sizeof(*plan));
}

int tdx_tdmr_info_encode(const struct tdx_tdmr *tdmr, uint32_t max_reserved, uint8_t *out,
			 size_t out_len)
{
	size_t bytes = tdx_tdmr_info_bytes(max_reserved);

	if (out_len < bytes)
		return coco_err(-EINVAL, "TDMR_INFO encode: %zu-byte buffer, %zu needed for %u "
				"reserved areas", out_len, bytes, max_reserved);
	if (tdmr->nr_reserved > max_reserved)
		return coco_err(-EINVAL, "TDMR_INFO encode: TDMR [0x%llx, +0x%llx) has %u reserved "
				"areas, the layout holds %u", (unsigned long long)tdmr->base,
				(unsigned long long)tdmr->size, tdmr->nr_reserved, max_reserved);
	memset(out, 0, bytes);
	coco_put_le64(out + TDX_TDMR_INFO_BASE, tdmr->base);
	coco_put_le64(out + TDX_TDMR_INFO_SIZE, tdmr->size);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_1G_BASE, tdmr->pamt_base[TDX_PS_1G]);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_1G_SIZE, tdmr->pamt_size[TDX_PS_1G]);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_2M_BASE, tdmr->pamt_base[TDX_PS_2M]);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_2M_SIZE, tdmr->pamt_size[TDX_PS_2M]);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_4K_BASE, tdmr->pamt_base[TDX_PS_4K]);
	coco_put_le64(out + TDX_TDMR_INFO_PAMT_4K_SIZE, tdmr->pamt_size[TDX_PS_4K]);
	for (uint32_t i = 0; i < tdmr->nr_reserved; i++) {
		uint8_t *slot = out + TDX_TDMR_INFO_HEADER_BYTES + i * TDX_TDMR_INFO_RESERVED_BYTES;

		coco_put_le64(slot, tdmr->reserved[i].offset);
		coco_put_le64(slot + 8, tdmr->reserved[i].size);
	}
	return (int)bytes;
}

int tdx_tdmr_info_decode(const uint8_t *in, size_t in_len, uint32_t max_reserved,
			 struct tdx_tdmr *out, struct tdx_reserved_area *reserved)
{
	size_t bytes = tdx_tdmr_info_bytes(max_reserved);
	bool terminated = false;

	if (in_len < bytes)
		return coco_err(-EINVAL, "TDMR_INFO decode: %zu bytes, %zu needed for %u reserved "
				"areas", in_len, bytes, max_reserved);
	memset(out, 0, sizeof(*out));
	out->base = coco_le64(in + TDX_TDMR_INFO_BASE);
	out->size = coco_le64(in + TDX_TDMR_INFO_SIZE);
	out->pamt_base[TDX_PS_1G] = coco_le64(in + TDX_TDMR_INFO_PAMT_1G_BASE);
	out->pamt_size[TDX_PS_1G] = coco_le64(in + TDX_TDMR_INFO_PAMT_1G_SIZE);
	out->pamt_base[TDX_PS_2M] = coco_le64(in + TDX_TDMR_INFO_PAMT_2M_BASE);
	out->pamt_size[TDX_PS_2M] = coco_le64(in + TDX_TDMR_INFO_PAMT_2M_SIZE);
	out->pamt_base[TDX_PS_4K] = coco_le64(in + TDX_TDMR_INFO_PAMT_4K_BASE);
	out->pamt_size[TDX_PS_4K] = coco_le64(in + TDX_TDMR_INFO_PAMT_4K_SIZE);
	out->reserved = reserved;
	for (uint32_t i = 0; i < max_reserved; i++) {
		const uint8_t *slot = in + TDX_TDMR_INFO_HEADER_BYTES +
				      (size_t)i * TDX_TDMR_INFO_RESERVED_BYTES;

		reserved[i].offset = coco_le64(slot);
		reserved[i].size = coco_le64(slot + 8);
		if (!reserved[i].size)
			terminated = true;
		if (!terminated)
			out->nr_reserved++;
	}
	return 0;
}

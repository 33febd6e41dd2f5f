/* SPDX-License-Identifier: Apache-2.0 */
/* TDX memory maps from memmap files and /proc/iomem (tdx/memmap.h). */
#include "tdx/memmap.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

#define MAX_TOKEN_ECHO 40

struct line {
	const char *p;
	size_t len;
	unsigned number;
};

/* Next line of @text from *@pos; false at the end. */
static bool next_line(const char *text, size_t len, size_t *pos, struct line *l)
{
	const char *nl;

	if (*pos >= len)
		return false;
	l->p = text + *pos;
	nl = memchr(l->p, '\n', len - *pos);
	l->len = nl ? (size_t)(nl - l->p) : len - *pos;
	*pos += l->len + 1;
	l->number++;
	return true;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Split @l (comment already cut) into at most @max tokens; returns how many there are. */
static size_t tokens(const struct line *l, struct line *tok, size_t max)
{
	size_t n = 0, i = 0;

	while (i < l->len) {
		size_t start;

		while (i < l->len && is_space(l->p[i]))
			i++;
		if (i == l->len)
			break;
		start = i;
		while (i < l->len && !is_space(l->p[i]))
			i++;
		if (n < max) {
			tok[n].p = l->p + start;
			tok[n].len = i - start;
		}
		n++;
	}
	return n;
}

/* Hex (0x optional, at most 16 digits); false on anything else. */
static bool parse_hex(const struct line *t, uint64_t *value)
{
	const char *p = t->p;
	size_t n = t->len;

	if (n > 2 && p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		p += 2;
		n -= 2;
	}
	if (!n)
		return false;
	while (n > 1 && *p == '0') {	/* leading zeros do not count against the 16 digits */
		p++;
		n--;
	}
	if (n > 16)
		return false;
	*value = 0;
	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		*value = (*value << 4) | d;
	}
	return true;
}

static bool parse_node(const struct line *t, uint32_t *node)
{
	uint32_t v = 0;

	if (!t->len || t->len > 10)
		return false;
	for (size_t i = 0; i < t->len; i++) {
		if (t->p[i] < '0' || t->p[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(t->p[i] - '0');
		if (v > TDX_MEMMAP_MAX_NODE)
			return false;
	}
	*node = v;
	return true;
}

static int echo_len(const struct line *t)
{
	return (int)COCO_MIN(t->len, (size_t)MAX_TOKEN_ECHO);
}

/*
 * Append [start, end) on @node after the checks every source shares.
 * @where names the line ("memmap line 3", "/proc/iomem line 7"); @prev_line
 * is the line number of the previous range, for order errors.
 */
static int append(struct tdx_memmap *map, const char *where, uint64_t start, uint64_t end,
		  uint32_t node, unsigned *prev_line, unsigned line)
{
	struct tdx_mem_range *prev = map->nr ? &map->ranges[map->nr - 1] : NULL;

	if (start >= end)
		return coco_err(-EINVAL, "%s: range [0x%llx, 0x%llx) is empty; END is exclusive "
				"and must be above START", where, (unsigned long long)start,
				(unsigned long long)end);
	if (!COCO_ALIGNED(start | end, TDX_PAGE_SIZE))
		return coco_err(-EINVAL, "%s: range [0x%llx, 0x%llx) is not 4 KiB aligned; TDX "
				"memory is managed in 4 KiB pages", where,
				(unsigned long long)start, (unsigned long long)end);
	if (end > TDX_PHYS_ADDR_LIMIT)
		return coco_err(-EINVAL, "%s: range end 0x%llx is beyond the 52-bit physical "
				"address space", where, (unsigned long long)end);
	if (prev && start < prev->start)
		return coco_err(-EINVAL, "%s: range [0x%llx, 0x%llx) starts below the range on "
				"line %u; list ranges in ascending order", where,
				(unsigned long long)start, (unsigned long long)end, *prev_line);
	if (prev && start < prev->end)
		return coco_err(-EINVAL, "%s: range [0x%llx, 0x%llx) overlaps the range on line "
				"%u [0x%llx, 0x%llx)", where, (unsigned long long)start,
				(unsigned long long)end, *prev_line,
				(unsigned long long)prev->start, (unsigned long long)prev->end);
	if (map->nr >= TDX_MEMMAP_MAX_RANGES)
		return coco_err(-EINVAL, "%s: more than %u ranges; merge adjacent ranges of the "
				"same node", where, TDX_MEMMAP_MAX_RANGES);
	if (!map->ranges) {
		map->ranges = calloc(TDX_MEMMAP_MAX_RANGES, sizeof(*map->ranges));
		if (!map->ranges)
			return coco_err(-ENOMEM, "%s: out of memory", where);
	}
	map->ranges[map->nr++] = (struct tdx_mem_range){ start, end, node };
	*prev_line = line;
	return 0;
}

static int parse_line(struct tdx_memmap *map, struct line *l, unsigned *prev_line)
{
	static const char *const field[] = { "START", "END", "NODE" };
	struct line tok[3];
	uint64_t value[2];
	uint32_t node;
	char where[40];
	const char *hash;
	size_t n;

	snprintf(where, sizeof(where), "memmap line %u", l->number);
	for (size_t i = 0; i < l->len; i++) {
		unsigned char c = (unsigned char)l->p[i];

		if (c == '#')
			break;
		if ((c < 0x20 || c > 0x7e) && !is_space((char)c))
			return coco_err(-EINVAL, "%s: byte 0x%02x at column %zu is not text", where,
					c, i + 1);
	}
	hash = memchr(l->p, '#', l->len);
	if (hash)
		l->len = (size_t)(hash - l->p);
	n = tokens(l, tok, 3);
	if (n == 0)
		return 0;
	if (n < 3)
		return coco_err(-EINVAL, "%s: %s is missing; expected 'START END NODE' (hex "
				"addresses, END exclusive, decimal node)", where, field[n]);
	if (n > 3) {
		struct line rest = { tok[2].p + tok[2].len,
				     l->len - (size_t)(tok[2].p + tok[2].len - l->p), 0 };
		struct line junk;

		tokens(&rest, &junk, 1);
		return coco_err(-EINVAL, "%s: unexpected '%.*s' after the node number; one range "
				"per line ('#' starts a comment)", where, echo_len(&junk),
				junk.p);
	}
	for (int i = 0; i < 2; i++)
		if (!parse_hex(&tok[i], &value[i]))
			return coco_err(-EINVAL, "%s: %s '%.*s' is not a hex address (at most 16 "
					"hex digits, 0x optional)", where, field[i],
					echo_len(&tok[i]), tok[i].p);
	if (!parse_node(&tok[2], &node))
		return coco_err(-EINVAL, "%s: NODE '%.*s' is not a decimal NUMA node 0..%u", where,
				echo_len(&tok[2]), tok[2].p, TDX_MEMMAP_MAX_NODE);
	return append(map, where, value[0], value[1], node, prev_line, l->number);
}

int tdx_memmap_parse(const char *text, size_t len, struct tdx_memmap *map)
{
	struct line l = { 0 };
	size_t pos = 0;
	unsigned prev_line = 0;
	int ret;

	memset(map, 0, sizeof(*map));
	if (!text && len)
		return coco_err(-EINVAL, "memmap: no text given");
	while (next_line(text, len, &pos, &l)) {
		ret = parse_line(map, &l, &prev_line);
		if (ret) {
			tdx_memmap_release(map);
			return ret;
		}
	}
	if (!map->nr)
		return coco_err(-EINVAL, "memmap: no memory ranges; expected lines 'START END "
				"NODE' (hex addresses, END exclusive, decimal node)");
	return 0;
}

void tdx_memmap_release(struct tdx_memmap *map)
{
	free(map->ranges);
	memset(map, 0, sizeof(*map));
}

/* ---- /proc/iomem ------------------------------------------------------- */

struct block_node {
	uint64_t block;
	uint32_t node;
};

static int by_block(const void *a, const void *b)
{
	const struct block_node *x = a, *y = b;

	return x->block < y->block ? -1 : x->block > y->block;
}

struct node_map {
	uint64_t block_size;
	size_t nr, cap;
	struct block_node *blocks;	/* sorted by block */
};

static bool digits_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && !*end;
}

static int add_block(struct node_map *nm, uint64_t block, uint32_t node)
{
	if (nm->nr == nm->cap) {
		size_t cap = nm->cap ? 2 * nm->cap : 256;
		struct block_node *b = realloc(nm->blocks, cap * sizeof(*b));

		if (!b)
			return coco_err(-ENOMEM, "sysfs NUMA nodes: out of memory");
		nm->blocks = b;
		nm->cap = cap;
	}
	nm->blocks[nm->nr++] = (struct block_node){ block, node };
	return 0;
}

/* Memory blocks per node from sysfs; an absent or unreadable tree just means "node 0". */
static int read_node_map(const char *root, struct node_map *nm)
{
	char path[4096], text[64];
	struct dirent *de;
	DIR *nodes;
	FILE *f;
	size_t n;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/devices/system/memory/block_size_bytes", root);
	f = fopen(path, "r");
	if (!f)
		return 0;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	nm->block_size = strtoull(text, NULL, 16);
	if (!nm->block_size || !COCO_ALIGNED(nm->block_size, TDX_PAGE_SIZE) ||
	    (nm->block_size & (nm->block_size - 1))) {
		coco_warn("tdx memmap: %s holds '%.20s', not a power-of-two block size; NUMA "
			  "nodes taken as 0", path, text);
		nm->block_size = 0;
		return 0;
	}
	snprintf(path, sizeof(path), "%s/devices/system/node", root);
	nodes = opendir(path);
	if (!nodes)
		return 0;
	while (!ret && (de = readdir(nodes))) {
		uint64_t node, block;
		struct dirent *me;
		DIR *dir;

		if (strncmp(de->d_name, "node", 4) || !digits_u64(de->d_name + 4, &node) ||
		    node > TDX_MEMMAP_MAX_NODE)
			continue;
		snprintf(path, sizeof(path), "%s/devices/system/node/%s", root, de->d_name);
		dir = opendir(path);
		if (!dir)
			continue;
		while (!ret && (me = readdir(dir)))
			if (!strncmp(me->d_name, "memory", 6) && digits_u64(me->d_name + 6, &block) &&
			    block <= TDX_PHYS_ADDR_LIMIT / nm->block_size)
				ret = add_block(nm, block, (uint32_t)node);
		closedir(dir);
	}
	closedir(nodes);
	if (!ret && nm->nr > 1)
		qsort(nm->blocks, nm->nr, sizeof(*nm->blocks), by_block);
	return ret;
}

/* Append [start, end), split where the node of its memory blocks changes. */
static int append_by_node(struct tdx_memmap *map, const struct node_map *nm, const char *where,
			  uint64_t start, uint64_t end, unsigned *prev_line, unsigned line)
{
	size_t lo = 0, hi = nm->nr;
	uint64_t cur = start, seg_start = start;
	uint32_t seg_node = 0;
	int ret;

	if (!nm->block_size || !nm->nr)
		return append(map, where, start, end, 0, prev_line, line);
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nm->blocks[mid].block < start / nm->block_size)
			lo = mid + 1;
		else
			hi = mid;
	}
	while (cur < end) {
		uint64_t b = cur / nm->block_size, next;
		uint32_t node = 0;

		if (lo < nm->nr && nm->blocks[lo].block == b) {
			node = nm->blocks[lo++].node;
			next = (b + 1) * nm->block_size;
		} else {
			/* Not a listed block: node 0 up to the next listed one. */
			next = lo < nm->nr ? nm->blocks[lo].block * nm->block_size : end;
		}
		next = COCO_MIN(next, end);
		if (cur == start) {
			seg_node = node;
		} else if (node != seg_node) {
			ret = append(map, where, seg_start, cur, seg_node, prev_line, line);
			if (ret)
				return ret;
			seg_start = cur;
			seg_node = node;
		}
		cur = next;
	}
	return append(map, where, seg_start, end, seg_node, prev_line, line);
}

/* "START-END : NAME", START and END hex, END inclusive. */
static bool parse_iomem_line(const struct line *l, uint64_t *start, uint64_t *last,
			     struct line *name)
{
	const char *dash = memchr(l->p, '-', l->len), *colon;
	struct line a, b;

	if (!dash)
		return false;
	colon = memchr(dash, ':', l->len - (size_t)(dash - l->p));
	if (!colon)
		return false;
	a = (struct line){ l->p, (size_t)(dash - l->p), 0 };
	b = (struct line){ dash + 1, (size_t)(colon - dash - 1), 0 };
	while (b.len && is_space(b.p[b.len - 1]))
		b.len--;
	if (!parse_hex(&a, start) || !parse_hex(&b, last))
		return false;
	name->p = colon + 1;
	name->len = l->len - (size_t)(colon + 1 - l->p);
	while (name->len && is_space(*name->p)) {
		name->p++;
		name->len--;
	}
	while (name->len && is_space(name->p[name->len - 1]))
		name->len--;
	return true;
}

int tdx_memmap_from_iomem(const char *text, size_t len, const char *sysfs_root,
			  struct tdx_memmap *map)
{
	struct node_map nm = { 0 };
	struct line l = { 0 }, name;
	size_t pos = 0;
	unsigned prev_line = 0;
	int ret = 0;

	memset(map, 0, sizeof(*map));
	if (sysfs_root)
		ret = read_node_map(sysfs_root, &nm);
	while (!ret && next_line(text, len, &pos, &l)) {
		uint64_t start, last, first_page, end_page;
		char where[40];

		if (!l.len || is_space(l.p[0]))
			continue;	/* children of a top-level entry */
		snprintf(where, sizeof(where), "/proc/iomem line %u", l.number);
		if (!parse_iomem_line(&l, &start, &last, &name)) {
			ret = coco_err(-EINVAL, "%s: expected 'START-END : NAME' with hex addresses",
				       where);
			break;
		}
		if (name.len != 10 || memcmp(name.p, "System RAM", 10))
			continue;
		if (!start && !last) {
			ret = coco_err(-EPERM, "%s: System RAM at [0, 0]: the kernel hides "
				       "/proc/iomem addresses from unprivileged readers; run as "
				       "root", where);
			break;
		}
		if (last < start || last >= TDX_PHYS_ADDR_LIMIT) {
			ret = coco_err(-EINVAL, "%s: System RAM %llx-%llx is not a range below "
				       "2^52", where, (unsigned long long)start,
				       (unsigned long long)last);
			break;
		}
		/* Whole pages only, as memblock keeps them (PFN_UP start, PFN_DOWN end). */
		first_page = (start + TDX_PAGE_SIZE - 1) & ~(TDX_PAGE_SIZE - 1);
		end_page = (last + 1) & ~(TDX_PAGE_SIZE - 1);
		if (first_page >= end_page)
			continue;
		ret = append_by_node(map, &nm, where, first_page, end_page, &prev_line, l.number);
	}
	free(nm.blocks);
	if (!ret && !map->nr)
		ret = coco_err(-EINVAL, "/proc/iomem: no top-level System RAM entries");
	if (ret)
		tdx_memmap_release(map);
	return ret;
}

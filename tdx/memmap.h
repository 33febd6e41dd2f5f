/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX memory maps: the TDX-usable RAM ranges TDMRs must cover, read from a
 * memmap file (docs/tdx-memmap.md) or from a host's /proc/iomem.
 *
 * memmap file: one range per line, "START END NODE" - START and END hex byte
 * addresses (0x optional), END exclusive, NODE the decimal NUMA node; '#'
 * starts a comment, blank lines are fine.  Ranges must be 4 KiB aligned,
 * non-empty, below 2^52, ascending and non-overlapping (touching is fine).
 */
#ifndef COCO_TDX_MEMMAP_H
#define COCO_TDX_MEMMAP_H

#include <stddef.h>
#include <stdint.h>

#include "tdx/tdmr.h"

#define TDX_MEMMAP_MAX_RANGES 4096u	/* far above any real host's RAM map */
#define TDX_MEMMAP_MAX_NODE 1023u	/* Linux MAX_NUMNODES with NODES_SHIFT 10 */

struct tdx_memmap {
	size_t nr;
	struct tdx_mem_range *ranges;	/* malloc'd */
};

/*
 * Parse a memmap file's text (@len bytes, need not be NUL-terminated).
 * -EINVAL with "memmap line N: ..." on any malformed or misordered line,
 * and on a map without ranges.  Release @map with tdx_memmap_release().
 */
int tdx_memmap_parse(const char *text, size_t len, struct tdx_memmap *map);

/*
 * The top-level "System RAM" entries of a /proc/iomem text, each shrunk to
 * whole 4 KiB pages, as a memory map.  Nodes come from
 * @sysfs_root/devices/system/node/node<N>/memory<M> and
 * @sysfs_root/devices/system/memory/block_size_bytes (a range spanning
 * blocks of several nodes is split); without them (or @sysfs_root NULL)
 * every range is node 0.
 */
int tdx_memmap_from_iomem(const char *text, size_t len, const char *sysfs_root,
			  struct tdx_memmap *map);

void tdx_memmap_release(struct tdx_memmap *map);

#endif

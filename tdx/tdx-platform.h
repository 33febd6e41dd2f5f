/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The shared-memory home of the TDX platform model: one mapping laid out as
 *
 *   header   magic, layout version, sizes, the robust process-shared lock
 *   vendor   the TDX module's and the host kernel's state (module-model.h)
 *   chunks   one owner record per chunk of model memory
 *   tables   the PAMT (one entry per 4 KiB page of model memory) and the
 *            Secure-EPT index
 *
 * Everything in it is position independent (offsets and physical
 * addresses, never pointers), so any process mapping it sees the same
 * platform.  This layer is deliberately parallel to core/model-platform.h
 * (coco_model_platform_open/close/lock/unlock/alloc/free/map_local/
 * unmap_local/ptr/zero/self/owner_alive/claim_dead and the vendor / tables
 * accessors) so the lead can swap it for that one; until then it offers
 * only private platforms: an anonymous MAP_SHARED mapping, shared with
 * forked children, gone when the last process unmaps it.
 *
 * Model physical memory: addresses from spec->dram_base, handed out in
 * chunk_size chunks to processes that back them with their own memory
 * (map_local); the model reaches the bytes of a physical address through
 * the calling process's local maps (ptr).  Chunks owned by
 * TDX_PLATFORM_KERNEL_PID belong to the host kernel for good (the PAMT
 * Linux carves out at boot): never reaped.
 */
#ifndef COCO_TDX_PLATFORM_H
#define COCO_TDX_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TDX_PLATFORM_PAGE 4096ull
#define TDX_PLATFORM_LOCAL_MAPS 256u
#define TDX_PLATFORM_KERNEL_PID 0xFFFFFFFFu	/* chunk owner: the host kernel */

struct tdx_platform_header {
	char magic[8];
	uint32_t layout_version;
	uint32_t ready;
	uint64_t total_size;
	uint64_t dram_base, dram_size, chunk_size;
	uint64_t vendor_offset, vendor_size;
	uint64_t chunks_offset, nchunks;
	uint64_t tables_offset, tables_size;
	pthread_mutex_t lock;		/* robust, process-shared */
};

struct tdx_platform_chunk {
	uint32_t owner_pid;		/* 0: free */
	uint32_t reserved;
	uint64_t owner_start;
};

struct tdx_platform;

struct tdx_platform_spec {
	const char *name;		/* message prefix: "TDX platform model" */
	char magic[8];
	uint32_t layout_version;
	size_t vendor_size;
	uint64_t table_header_size;	/* tables: a fixed part, then */
	uint64_t table_entry_size;	/* this many bytes per 4 KiB page of model memory */
	uint64_t dram_base;
	uint64_t dram_size;
	uint64_t chunk_size;
	const char *dram_setting;	/* what sizes dram_size (named in out-of-memory errors) */
	int (*init)(struct tdx_platform *p, void *vendor, void *arg);
	void *arg;
};

struct tdx_platform {
	const char *name;
	const char *path;		/* always NULL here: private platforms only */
	uint64_t dram_base, dram_size, chunk_size, nchunks;
	void *vendor;
	void *tables;
	uint64_t tables_size;
	struct tdx_platform_header *hdr;
	struct tdx_platform_chunk *chunks;
	struct {
		size_t map_size;
		const char *dram_setting;
		pthread_mutex_t local_lock;
		struct tdx_platform_local_map {
			uint64_t spa, size;
			uint8_t *host;
		} maps[TDX_PLATFORM_LOCAL_MAPS];
		unsigned int nmaps;
	} priv;
};

/* A new private platform (@path must be NULL: files arrive with core/model-platform). */
int tdx_platform_open(const char *path, const struct tdx_platform_spec *spec,
		      struct tdx_platform **platform);
void tdx_platform_close(struct tdx_platform *p);

void *tdx_platform_vendor(struct tdx_platform *p);
void *tdx_platform_tables(struct tdx_platform *p, uint64_t *size);

void tdx_platform_lock(struct tdx_platform *p);
void tdx_platform_unlock(struct tdx_platform *p);

/* @size (chunk multiple) of contiguous model memory owned by this process. */
int tdx_platform_alloc(struct tdx_platform *p, uint64_t size, uint64_t *spa);
/* The same, owned by the host kernel for good (never reaped). */
int tdx_platform_alloc_kernel(struct tdx_platform *p, uint64_t size, uint64_t *spa);
void tdx_platform_free(struct tdx_platform *p, uint64_t spa, uint64_t size);
uint64_t tdx_platform_chunks_in_use(struct tdx_platform *p);

/* Take over a dead owner's record (pid, start) under the lock; see core/model-platform.h. */
bool tdx_platform_claim_dead(struct tdx_platform *p, uint32_t *owner_pid, uint64_t *owner_start);

int tdx_platform_map_local(struct tdx_platform *p, uint64_t spa, uint64_t size, uint8_t *host);
void tdx_platform_unmap_local(struct tdx_platform *p, uint64_t spa);
uint8_t *tdx_platform_ptr(struct tdx_platform *p, uint64_t spa, uint64_t len);

void tdx_platform_zero(struct tdx_platform *p, void *start, size_t len);

void tdx_platform_self(uint32_t *pid, uint64_t *start);
bool tdx_platform_owner_alive(uint32_t pid, uint64_t start);

#endif

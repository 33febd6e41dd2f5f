/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The vendor-neutral machinery of a platform model (architecture.md seam
 * 3): the state a model of confidential-computing hardware keeps in shared
 * memory that outlives processes.  A file under the run directory for a
 * host's platform (every VMM process of the host maps the same one), or an
 * anonymous shared mapping for a private platform (tests, dry runs; shared
 * with forked children).
 *
 * The vendor model (sev-snp/snp-platform.c, tdx/...) describes its state
 * with a struct coco_model_platform_spec; this module lays out the file:
 *
 *   header  struct coco_model_platform_header (magic, layout, ready, sizes,
 *           the robust process-shared lock)
 *   vendor  spec->vendor_size bytes of vendor state (firmware state, ...)
 *   chunks  one struct coco_model_chunk per chunk of model memory
 *   tables  spec->table_header_size + spec->table_entry_size per 4 KiB page
 *           of model memory (SNP's RMP, TDX's PAMT)
 *
 * each starting on a page.  A file is created and initialised under an
 * exclusive flock and marked ready last, so a process that dies while
 * creating it never leaves a file that looks ready; the next opener
 * initialises it again from zeros.
 *
 * The model's physical memory: system physical addresses from
 * spec->dram_base, handed out in spec->chunk_size chunks to the processes
 * that back them with their own memory.  Ownership is recorded as (PID,
 * process start time) so a reused PID is not mistaken for the owner; the
 * chunks of dead owners are reclaimed by whoever notices first.  The model
 * reaches the bytes of a physical address through the calling process's
 * local maps (coco_model_platform_map_local / _ptr).
 */
#ifndef COCO_CORE_MODEL_PLATFORM_H
#define COCO_CORE_MODEL_PLATFORM_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define COCO_MODEL_PLATFORM_PAGE 4096ull
#define COCO_MODEL_PLATFORM_LOCAL_MAPS 256u	/* physical ranges one process backs */
/*
 * Owner id of memory the host kernel keeps for good (TDX: the PAMTs Linux
 * hands the module at bring-up): never considered dead, so never reclaimed.
 */
#define COCO_MODEL_PLATFORM_KERNEL_PID 0xFFFFFFFFu

/* Start of every platform file (the layout version covers what follows it). */
struct coco_model_platform_header {
	char magic[8];			/* the vendor's, e.g. "COCOSNP\0" */
	uint32_t layout_version;	/* the vendor's; bumped when any part changes */
	uint32_t ready;			/* set last, once the file is fully initialised */
	uint64_t total_size;		/* of the file */
	uint64_t dram_base, dram_size, chunk_size;
	uint64_t vendor_offset, vendor_size;
	uint64_t chunks_offset, nchunks;
	uint64_t tables_offset, tables_size;
	pthread_mutex_t lock;		/* robust, process-shared */
};

/* Owner of a chunk of model memory; vendors use the same pair for their own records. */
struct coco_model_chunk {
	uint32_t owner_pid;		/* 0: free */
	uint32_t reserved;
	uint64_t owner_start;		/* process start time (coco_model_platform_self) */
};

struct coco_model_platform;

struct coco_model_platform_spec {
	const char *name;		/* prefix of messages: "SNP platform model" */
	char magic[8];
	uint32_t layout_version;
	size_t vendor_size;		/* the vendor state, zeroed before init */
	uint64_t table_header_size;	/* extra tables: a fixed part, then */
	uint64_t table_entry_size;	/* this many bytes per 4 KiB page of model memory */
	uint64_t dram_base;		/* first physical address of model memory */
	uint64_t dram_size;		/* when creating (an existing file keeps its own) */
	uint64_t max_dram_size;		/* largest an existing file may declare */
	uint64_t chunk_size;		/* allocation unit: page multiple dividing dram_size */
	const char *dram_setting;	/* what sizes dram_size, named in out-of-memory errors */
	/*
	 * Fill the zeroed vendor state of a new platform.  Runs before any
	 * other process can see the platform (under the creation flock, before
	 * `ready` is set); an error fails the open and leaves the file not ready.
	 */
	int (*init)(struct coco_model_platform *p, void *vendor, void *arg);
	/*
	 * Optional: check the vendor state of an existing file (the generic
	 * header is checked already); to refuse it, return coco_err(-EPROTO,
	 * ...) with a message naming p->path and what to do.
	 */
	int (*validate)(struct coco_model_platform *p, void *vendor, void *arg);
	void *arg;			/* for init and validate, during open only */
};

/*
 * A process's handle.  Fields above `priv` are read-only for vendor code;
 * they describe the mapping of the file this process opened.
 */
struct coco_model_platform {
	const char *name;		/* spec->name */
	const char *path;		/* NULL for a private platform */
	uint64_t dram_base, dram_size, chunk_size, nchunks;
	void *vendor;			/* the vendor state */
	void *tables;			/* the extra tables */
	uint64_t tables_size;
	struct coco_model_platform_header *hdr;
	struct coco_model_chunk *chunks;
	struct {
		size_t map_size;
		int fd;			/* -1 for a private platform */
		const char *dram_setting;
		pthread_mutex_t local_lock;
		struct coco_model_local_map {
			uint64_t spa, size;
			uint8_t *host;
		} maps[COCO_MODEL_PLATFORM_LOCAL_MAPS];
		unsigned int nmaps;
	} priv;
};

/*
 * Open the platform file at @path, creating and initialising it (spec->init)
 * when it does not exist or was left half-created; @path NULL: a new private
 * platform.  An existing file is checked field by field (magic, layout
 * version, sizes against the file, then spec->validate) and refused with
 * -EPROTO and a message saying what to do when it does not match.
 */
int coco_model_platform_open(const char *path, const struct coco_model_platform_spec *spec,
			     struct coco_model_platform **platform);
void coco_model_platform_close(struct coco_model_platform *p);

/* The vendor state and the extra tables (@size may be NULL) in the mapping. */
void *coco_model_platform_vendor(struct coco_model_platform *p);
void *coco_model_platform_tables(struct coco_model_platform *p, uint64_t *size);

/*
 * The platform lock: robust and process-shared.  A process that died
 * holding it leaves the state as it was; the next locker warns and goes on.
 */
void coco_model_platform_lock(struct coco_model_platform *p);
void coco_model_platform_unlock(struct coco_model_platform *p);

/* Allocate @size bytes (chunk multiple) of contiguous model memory owned by this process. */
int coco_model_platform_alloc(struct coco_model_platform *p, uint64_t size, uint64_t *spa);
/* The same, owned by the host kernel (COCO_MODEL_PLATFORM_KERNEL_PID) until freed. */
int coco_model_platform_alloc_kernel(struct coco_model_platform *p, uint64_t size, uint64_t *spa);
/* Give chunks back (the vendor returns their pages to the host first). */
void coco_model_platform_free(struct coco_model_platform *p, uint64_t spa, uint64_t size);
/* Chunks owned by any process (a snapshot). */
uint64_t coco_model_platform_chunks_in_use(struct coco_model_platform *p);

/*
 * Take over an ownership record (a chunk's or a vendor's own, such as a
 * host VM) whose owner is dead: under the lock, so only one process cleans
 * up after a dead one, and never after a live one that reused the record.
 */
bool coco_model_platform_claim_dead(struct coco_model_platform *p, uint32_t *owner_pid,
				    uint64_t *owner_start);
/*
 * Claim every chunk of a dead owner, hand it to @release (without the
 * lock; NULL: nothing to undo) and free it when @release returns 0; a chunk
 * whose pages cannot be returned stays out of use, owned by the caller.
 * Returns the number of chunks freed.
 */
uint64_t coco_model_platform_reclaim_dead(struct coco_model_platform *p,
					  int (*release)(void *ctx, uint64_t spa, uint64_t size),
					  void *ctx);

/* This process backs [spa, spa+size) with @host (until unmap_local of the same @spa). */
int coco_model_platform_map_local(struct coco_model_platform *p, uint64_t spa, uint64_t size,
				  uint8_t *host);
void coco_model_platform_unmap_local(struct coco_model_platform *p, uint64_t spa);
/* Host pointer for [spa, spa+len) in this process, or NULL (not backed here). */
uint8_t *coco_model_platform_ptr(struct coco_model_platform *p, uint64_t spa, uint64_t len);

/*
 * Zero part of the platform state without touching every page: the whole
 * shared-memory pages inside it are dropped (they read back as zeros).
 */
void coco_model_platform_zero(struct coco_model_platform *p, void *start, size_t len);

/*
 * Robust process-shared mutexes in the platform state (the platform lock,
 * and vendor locks such as the TDX host's): a process that dies holding one
 * leaves the state as it was; the next locker warns, naming @name and
 * @what, and goes on.
 */
int coco_model_platform_mutex_init(pthread_mutex_t *m, const char *name);
void coco_model_platform_mutex_lock(pthread_mutex_t *m, const char *name, const char *what);

/*
 * A creation setting from the environment (COCO_*_MODEL_*): its value, or
 * @fallback when unset, empty or not a number (the vendor's range check
 * then names the setting).
 */
uint32_t coco_model_platform_env_u32(const char *variable, uint32_t fallback);

/* Identity of the calling process for ownership records. */
void coco_model_platform_self(uint32_t *pid, uint64_t *start);
/* Is the recorded owner still alive (same PID and start time; the kernel always is)? */
bool coco_model_platform_owner_alive(uint32_t pid, uint64_t start);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/* The TDX platform model's shared mapping (tdx-platform.h). */
#include "tdx/tdx-platform.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "core/error.h"

#define PAGE TDX_PLATFORM_PAGE

static uint64_t round_page(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

static int init_lock(const char *name, pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int ret;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	/* A process that dies inside a SEAMCALL must not wedge the platform. */
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return ret ? coco_err(-ret, "%s: cannot create the platform lock", name) : 0;
}

int tdx_platform_open(const char *path, const struct tdx_platform_spec *spec,
		      struct tdx_platform **out)
{
	struct tdx_platform *p;
	uint64_t vendor_off, chunks_off, tables_off, total, nchunks, tables_size;
	void *m;
	int ret;

	if (path)
		return coco_err(-ENOTSUP, "%s: platform files are not supported yet; use a "
				"private platform", spec->name);
	if (!spec->chunk_size || spec->chunk_size % PAGE || !spec->dram_size ||
	    spec->dram_size % spec->chunk_size || spec->dram_base % PAGE)
		return coco_err(-EINVAL, "%s: memory of %llu bytes at 0x%llx does not divide into "
				"%llu-byte chunks", spec->name, (unsigned long long)spec->dram_size,
				(unsigned long long)spec->dram_base,
				(unsigned long long)spec->chunk_size);
	nchunks = spec->dram_size / spec->chunk_size;
	tables_size = round_page(spec->table_header_size +
				 spec->dram_size / PAGE * spec->table_entry_size);
	vendor_off = round_page(sizeof(struct tdx_platform_header));
	chunks_off = round_page(vendor_off + spec->vendor_size);
	tables_off = round_page(chunks_off + nchunks * sizeof(struct tdx_platform_chunk));
	total = tables_off + tables_size;

	p = calloc(1, sizeof(*p));
	if (!p)
		return coco_err(-ENOMEM, "%s: out of memory", spec->name);
	/* MAP_SHARED so a forked process shares the platform; NORESERVE: tables are sparse. */
	m = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED) {
		ret = coco_err(-errno, "%s: cannot map %llu bytes: %s", spec->name,
			       (unsigned long long)total, strerror(errno));
		free(p);
		return ret;
	}
	p->hdr = m;
	memcpy(p->hdr->magic, spec->magic, sizeof(p->hdr->magic));
	p->hdr->layout_version = spec->layout_version;
	p->hdr->total_size = total;
	p->hdr->dram_base = spec->dram_base;
	p->hdr->dram_size = spec->dram_size;
	p->hdr->chunk_size = spec->chunk_size;
	p->hdr->vendor_offset = vendor_off;
	p->hdr->vendor_size = spec->vendor_size;
	p->hdr->chunks_offset = chunks_off;
	p->hdr->nchunks = nchunks;
	p->hdr->tables_offset = tables_off;
	p->hdr->tables_size = tables_size;
	p->name = spec->name;
	p->dram_base = spec->dram_base;
	p->dram_size = spec->dram_size;
	p->chunk_size = spec->chunk_size;
	p->nchunks = nchunks;
	p->vendor = (uint8_t *)m + vendor_off;
	p->chunks = (struct tdx_platform_chunk *)((uint8_t *)m + chunks_off);
	p->tables = (uint8_t *)m + tables_off;
	p->tables_size = tables_size;
	p->priv.map_size = total;
	p->priv.dram_setting = spec->dram_setting;
	pthread_mutex_init(&p->priv.local_lock, NULL);
	ret = init_lock(spec->name, &p->hdr->lock);
	if (!ret && spec->init)
		ret = spec->init(p, p->vendor, spec->arg);
	if (ret) {
		tdx_platform_close(p);
		return ret;
	}
	p->hdr->ready = 1;
	*out = p;
	return 0;
}

void tdx_platform_close(struct tdx_platform *p)
{
	if (!p)
		return;
	munmap(p->hdr, p->priv.map_size);
	pthread_mutex_destroy(&p->priv.local_lock);
	free(p);
}

void *tdx_platform_vendor(struct tdx_platform *p)
{
	return p->vendor;
}

void *tdx_platform_tables(struct tdx_platform *p, uint64_t *size)
{
	if (size)
		*size = p->tables_size;
	return p->tables;
}

void tdx_platform_lock(struct tdx_platform *p)
{
	if (pthread_mutex_lock(&p->hdr->lock) == EOWNERDEAD) {
		/* The holder died mid-call; the state it left is what the platform has. */
		coco_warn("%s: a process died holding the platform lock; continuing with the "
			  "state it left", p->name);
		pthread_mutex_consistent(&p->hdr->lock);
	}
}

void tdx_platform_unlock(struct tdx_platform *p)
{
	pthread_mutex_unlock(&p->hdr->lock);
}

void tdx_platform_zero(struct tdx_platform *p, void *start, size_t len)
{
	uint8_t *s = start;
	uint8_t *first = (uint8_t *)(((uintptr_t)s + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	uint8_t *last = (uint8_t *)(((uintptr_t)s + len) & ~(uintptr_t)(PAGE - 1));

	(void)p;
	if (first < last && madvise(first, (size_t)(last - first), MADV_REMOVE) == 0) {
		memset(s, 0, (size_t)(first - s));
		memset(last, 0, (size_t)(s + len - last));
		return;
	}
	memset(s, 0, len);
}

/* ------------------------------------------------------------------ */
/* Process identity                                                     */

static uint64_t start_time_of(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	char *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f);
	fclose(f);
	if (!p)
		return 0;
	/* Field 22 (starttime), counted after the ")" that ends the command name. */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	p += 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		sscanf(p, "%llu", &start);
	return start;
}

void tdx_platform_self(uint32_t *pid, uint64_t *start)
{
	*pid = (uint32_t)getpid();
	*start = start_time_of(getpid());
}

bool tdx_platform_owner_alive(uint32_t pid, uint64_t start)
{
	if (!pid)
		return false;
	if (pid == TDX_PLATFORM_KERNEL_PID)
		return true;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	return start_time_of((pid_t)pid) == start;
}

bool tdx_platform_claim_dead(struct tdx_platform *p, uint32_t *owner_pid, uint64_t *owner_start)
{
	uint32_t pid = *owner_pid, self_pid;
	uint64_t start = *owner_start, self_start;
	bool claimed = false;

	if (!pid || tdx_platform_owner_alive(pid, start))
		return false;
	tdx_platform_self(&self_pid, &self_start);
	tdx_platform_lock(p);
	if (*owner_pid == pid && *owner_start == start && !tdx_platform_owner_alive(pid, start)) {
		*owner_pid = self_pid;
		*owner_start = self_start;
		claimed = true;
	}
	tdx_platform_unlock(p);
	return claimed;
}

/* ------------------------------------------------------------------ */
/* Model physical memory                                                */

static int alloc_as(struct tdx_platform *p, uint64_t size, uint32_t pid, uint64_t start,
		    uint64_t *spa)
{
	uint64_t need = size / p->chunk_size, run = 0;

	if (!size || size % p->chunk_size)
		return coco_err(-EINVAL, "%s: memory is handed out in %llu KiB chunks, not %llu "
				"bytes", p->name, (unsigned long long)(p->chunk_size >> 10),
				(unsigned long long)size);
	tdx_platform_lock(p);
	for (uint64_t i = 0; i < p->nchunks; i++) {
		run = p->chunks[i].owner_pid ? 0 : run + 1;
		if (run == need) {
			uint64_t first = i + 1 - need;
			for (uint64_t j = first; j <= i; j++)
				p->chunks[j] = (struct tdx_platform_chunk){ pid, 0, start };
			tdx_platform_unlock(p);
			*spa = p->dram_base + first * p->chunk_size;
			return 0;
		}
	}
	tdx_platform_unlock(p);
	return coco_err(-ENOMEM, "%s: no %llu KiB of contiguous model memory left (the platform "
			"has %llu MiB; create it larger with %s or stop other guests)", p->name,
			(unsigned long long)(size >> 10), (unsigned long long)(p->dram_size >> 20),
			p->priv.dram_setting ? p->priv.dram_setting : "its configuration");
}

int tdx_platform_alloc(struct tdx_platform *p, uint64_t size, uint64_t *spa)
{
	uint32_t pid;
	uint64_t start;

	tdx_platform_self(&pid, &start);
	return alloc_as(p, size, pid, start, spa);
}

int tdx_platform_alloc_kernel(struct tdx_platform *p, uint64_t size, uint64_t *spa)
{
	return alloc_as(p, size, TDX_PLATFORM_KERNEL_PID, 0, spa);
}

void tdx_platform_free(struct tdx_platform *p, uint64_t spa, uint64_t size)
{
	uint64_t first;

	if (spa < p->dram_base)
		return;
	first = (spa - p->dram_base) / p->chunk_size;
	tdx_platform_lock(p);
	for (uint64_t j = first; j < first + size / p->chunk_size && j < p->nchunks; j++)
		p->chunks[j] = (struct tdx_platform_chunk){ 0, 0, 0 };
	tdx_platform_unlock(p);
}

uint64_t tdx_platform_chunks_in_use(struct tdx_platform *p)
{
	uint64_t n = 0;

	tdx_platform_lock(p);
	for (uint64_t i = 0; i < p->nchunks; i++)
		n += p->chunks[i].owner_pid != 0;
	tdx_platform_unlock(p);
	return n;
}

int tdx_platform_map_local(struct tdx_platform *p, uint64_t spa, uint64_t size, uint8_t *host)
{
	int ret = 0;

	pthread_mutex_lock(&p->priv.local_lock);
	if (p->priv.nmaps == TDX_PLATFORM_LOCAL_MAPS)
		ret = coco_err(-ENOSPC, "%s: more than %u memory ranges in one process", p->name,
			       TDX_PLATFORM_LOCAL_MAPS);
	else
		p->priv.maps[p->priv.nmaps++] = (struct tdx_platform_local_map){ spa, size, host };
	pthread_mutex_unlock(&p->priv.local_lock);
	return ret;
}

void tdx_platform_unmap_local(struct tdx_platform *p, uint64_t spa)
{
	pthread_mutex_lock(&p->priv.local_lock);
	for (unsigned int i = 0; i < p->priv.nmaps; i++)
		if (p->priv.maps[i].spa == spa) {
			p->priv.maps[i] = p->priv.maps[--p->priv.nmaps];
			break;
		}
	pthread_mutex_unlock(&p->priv.local_lock);
}

uint8_t *tdx_platform_ptr(struct tdx_platform *p, uint64_t spa, uint64_t len)
{
	uint8_t *ptr = NULL;

	pthread_mutex_lock(&p->priv.local_lock);
	for (unsigned int i = 0; i < p->priv.nmaps; i++) {
		const struct tdx_platform_local_map *m = &p->priv.maps[i];
		if (spa >= m->spa && spa - m->spa < m->size && len <= m->size - (spa - m->spa)) {
			ptr = m->host + (spa - m->spa);
			break;
		}
	}
	pthread_mutex_unlock(&p->priv.local_lock);
	return ptr;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/snp-platform.h"

#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/snp-defs.h"

#define PAGE 4096ull

static uint64_t round_page(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

struct layout {
	uint64_t chunks_offset, rmp_offset, total;
	uint64_t dram_pages, nchunks;
};

static void compute_layout(uint32_t dram_gib, struct layout *l)
{
	l->dram_pages = (uint64_t)dram_gib << (30 - 12);
	l->nchunks = ((uint64_t)dram_gib << 30) / SNP_MODEL_CHUNK_SIZE;
	l->chunks_offset = round_page(sizeof(struct snp_platform_shared));
	l->rmp_offset = round_page(l->chunks_offset + l->nchunks * sizeof(struct snp_model_chunk));
	/* The RMP: its bookkeeping area (per-ASID counters), then one entry per page. */
	l->total = round_page(l->rmp_offset + RMP_BOOKKEEPING_SIZE + l->dram_pages * RMP_ENTRY_SIZE);
}

static uint32_t env_u32(const char *name, uint32_t fallback)
{
	const char *v = getenv(name);
	char *end;
	unsigned long n;

	if (!v || !*v)
		return fallback;
	n = strtoul(v, &end, 0);
	return *end || n > UINT32_MAX ? fallback : (uint32_t)n;
}

static enum snp_product env_product(enum snp_product fallback)
{
	const char *v = getenv("COCO_SNP_MODEL_PRODUCT");

	if (!v || !*v)
		return fallback;
	if (!strcasecmp(v, "milan"))
		return SNP_PRODUCT_MILAN;
	if (!strcasecmp(v, "genoa"))
		return SNP_PRODUCT_GENOA;
	if (!strcasecmp(v, "turin"))
		return SNP_PRODUCT_TURIN;
	coco_warn("COCO_SNP_MODEL_PRODUCT=%s is not milan, genoa or turin; using the default", v);
	return fallback;
}

/* Resolve the creation parameters: explicit config, then environment, then defaults. */
static int resolve_config(const struct snp_platform_config *in, struct snp_platform_config *out)
{
	struct snp_platform_config c = in ? *in : (struct snp_platform_config){ 0 };

	if (!c.max_asids)
		c.max_asids = env_u32("COCO_SNP_MODEL_ASIDS", SNP_MODEL_DEFAULT_ASIDS);
	if (!c.dram_gib)
		c.dram_gib = env_u32("COCO_SNP_MODEL_DRAM_GIB", SNP_MODEL_DEFAULT_DRAM_GIB);
	if (!c.product)
		c.product = env_product(SNP_PRODUCT_GENOA);
	if (!c.report_version)
		c.report_version = env_u32("COCO_SNP_MODEL_REPORT_VERSION", 5);
	if (c.max_asids < 1 || c.max_asids > SNP_MODEL_MAX_ASIDS)
		return coco_err(-EINVAL, "SNP platform model: %u ASIDs requested; 1 to %u are "
				"possible", c.max_asids, SNP_MODEL_MAX_ASIDS);
	if (c.dram_gib < 1 || c.dram_gib > SNP_MODEL_MAX_DRAM_GIB)
		return coco_err(-EINVAL, "SNP platform model: %u GiB of model memory requested; 1 "
				"to %u are possible", c.dram_gib, SNP_MODEL_MAX_DRAM_GIB);
	if (c.report_version != 2 && c.report_version != 3 && c.report_version != 5)
		return coco_err(-EINVAL, "SNP platform model: report version %u requested; the "
				"model produces versions 2, 3 and 5", c.report_version);
	if (c.product < SNP_PRODUCT_MILAN || c.product > SNP_PRODUCT_TURIN)
		return coco_err(-EINVAL, "SNP platform model: unknown product %d", (int)c.product);
	*out = c;
	return 0;
}

/*
 * Identity and firmware version of a fresh model chip.  TCB and CPUID
 * values are plausible for each product line (TCB layout: report.h).
 */
static int init_identity(struct snp_platform_shared *sh, const struct snp_platform_config *c)
{
	struct snp_tcb tcb = { 0 };

	if (RAND_bytes(sh->chip_secret, sizeof(sh->chip_secret)) != 1 ||
	    RAND_bytes(sh->chip_id, sizeof(sh->chip_id)) != 1)
		return coco_err(-EIO, "SNP platform model: no randomness for the chip identity");
	sh->product = c->product;
	sh->report_version = c->report_version;
	sh->api_major = 1;
	sh->api_minor = 55;
	sh->build_id = 21;
	sh->smt_enabled = 1;
	switch (c->product) {
	case SNP_PRODUCT_MILAN:
		sh->cpuid_signature = 0x00A00F11;	/* family 19h, model 01h, stepping 1 */
		tcb = (struct snp_tcb){ .bootloader = 3, .tee = 0, .snp = 22, .microcode = 0xD5 };
		break;
	case SNP_PRODUCT_TURIN:
		sh->cpuid_signature = 0x00B00F21;	/* family 1Ah, model 02h, stepping 1 */
		tcb = (struct snp_tcb){ .fmc = 1, .bootloader = 1, .tee = 1, .snp = 3,
					.microcode = 0x4E };
		/* Turin chip IDs are 8 bytes; the rest of the field is zero. */
		memset(sh->chip_id + 8, 0, sizeof(sh->chip_id) - 8);
		break;
	default:
		sh->cpuid_signature = 0x00A10F11;	/* family 19h, model 11h, stepping 1 */
		tcb = (struct snp_tcb){ .bootloader = 9, .tee = 0, .snp = 23, .microcode = 0x48 };
		break;
	}
	sh->current_tcb = snp_tcb_encode(c->product, &tcb);
	sh->reported_tcb = sh->current_tcb;
	sh->committed_tcb = sh->current_tcb;
	return 0;
}

static int init_lock(pthread_mutex_t *m)
{
	pthread_mutexattr_t a;
	int ret;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	/* A process that dies inside a command must not wedge the platform. */
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return ret ? coco_err(-ret, "SNP platform model: cannot create the platform lock") : 0;
}

static int init_shared(struct snp_platform_shared *sh, const struct snp_platform_config *c,
		       const struct layout *l, bool private_roots)
{
	int ret;

	memcpy(sh->magic, SNP_MODEL_MAGIC, sizeof(sh->magic));
	sh->layout_version = SNP_MODEL_LAYOUT_VERSION;
	sh->total_size = l->total;
	sh->rmp_offset = l->rmp_offset;
	sh->chunks_offset = l->chunks_offset;
	sh->dram_base = SNP_MODEL_DRAM_BASE;
	sh->dram_pages = l->dram_pages;
	sh->nchunks = l->nchunks;
	sh->max_snp_asid = c->max_asids;
	sh->snp_state = SNP_PLATFORM_UNINIT;
	ret = init_lock(&sh->lock);
	if (!ret)
		ret = init_identity(sh, c);
	if (ret)
		return ret;

	/* The model ARK/ASK are made when the first certificate chain is needed. */
	sh->private_roots = private_roots;
	return 0;
}

static int attach(struct snp_platform *p)
{
	struct snp_platform_shared *sh = p->sh;
	int ret;

	p->chunks = (struct snp_model_chunk *)((uint8_t *)sh + sh->chunks_offset);
	p->rmp.asid_pages = (uint64_t *)((uint8_t *)sh + sh->rmp_offset);
	p->rmp.entries = (struct rmp_entry *)((uint8_t *)sh + sh->rmp_offset + RMP_BOOKKEEPING_SIZE);
	p->rmp.base = sh->dram_base;
	p->rmp.npages = sh->dram_pages;
	ret = coco_hasher_new(COCO_HASH_SHA384, &p->hasher);
	if (ret)
		return ret;
	pthread_mutex_init(&p->local_lock, NULL);
	return 0;
}

static int validate_header(const struct snp_platform_shared *sh, const char *path,
			   uint64_t file_size)
{
	struct layout l;
	bool ok;

	if (memcmp(sh->magic, SNP_MODEL_MAGIC, sizeof(sh->magic)) ||
	    sh->layout_version != SNP_MODEL_LAYOUT_VERSION)
		return coco_err(-EPROTO, "SNP platform model: '%s' is not a platform file of this "
				"version of cocohost (layout %u, expected %u); stop the VMs using "
				"it and remove it, or point COCO_PLATFORM_DIR elsewhere",
				path, sh->layout_version, SNP_MODEL_LAYOUT_VERSION);
	/* Every size and index the processes of the host rely on, derived again. */
	ok = sh->dram_pages && !(sh->dram_pages & ((1ull << (30 - 12)) - 1)) &&
	     (sh->dram_pages >> (30 - 12)) <= SNP_MODEL_MAX_DRAM_GIB;
	if (ok) {
		compute_layout((uint32_t)(sh->dram_pages >> (30 - 12)), &l);
		ok = sh->total_size == file_size && sh->total_size == l.total &&
		     sh->rmp_offset == l.rmp_offset && sh->chunks_offset == l.chunks_offset &&
		     sh->nchunks == l.nchunks && sh->dram_base == SNP_MODEL_DRAM_BASE &&
		     sh->roots_len <= SNP_MODEL_ROOTS_MAX && sh->max_snp_asid >= 1 &&
		     sh->max_snp_asid <= SNP_MODEL_MAX_ASIDS && sh->snp_state <= SNP_PLATFORM_INIT &&
		     sh->product >= SNP_PRODUCT_MILAN && sh->product <= SNP_PRODUCT_TURIN;
	}
	for (uint32_t a = 0; ok && a <= SNP_MODEL_MAX_ASIDS; a++)
		ok = sh->asid_state[a] <= SNP_ASID_DIRTY && sh->host_asid_used[a] <= 2;
	for (uint32_t i = 0; ok && i < SNP_MODEL_MAX_ASIDS; i++)
		ok = sh->gctx[i].asid <= sh->max_snp_asid && sh->host_vm[i].asid <= sh->max_snp_asid &&
		     sh->gctx[i].state <= SNP_GSTATE_RUNNING;
	if (!ok)
		return coco_err(-EPROTO, "SNP platform model: '%s' is damaged (sizes or indexes "
				"out of range); stop the VMs using it and remove it to start a new "
				"platform", path);
	return 0;
}

static int open_private(const struct snp_platform_config *c, struct snp_platform *p)
{
	struct layout l;
	void *m;
	int ret;

	compute_layout(c->dram_gib, &l);
	/* MAP_SHARED so a forked process shares the platform as with a file. */
	m = mmap(NULL, l.total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED)
		return coco_err(-errno, "SNP platform model: cannot map %llu bytes: %s",
				(unsigned long long)l.total, strerror(errno));
	p->sh = m;
	p->map_size = l.total;
	p->fd = -1;
	ret = init_shared(p->sh, c, &l, true);
	if (!ret) {
		p->sh->ready = 1;
		ret = attach(p);
	}
	return ret;
}

static int open_file(const char *path, const struct snp_platform_config *c, struct snp_platform *p)
{
	struct stat st;
	struct layout l;
	void *m;
	int fd, ret;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return coco_err(-errno, "SNP platform model: cannot open platform file '%s': %s",
				path, strerror(errno));
	/* One process initialises a new file; others wait here and then attach. */
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return coco_err(ret, "SNP platform model: cannot lock '%s': %s", path,
				strerror(-ret));
	}
	if (st.st_size == 0) {
		compute_layout(c->dram_gib, &l);
		if (ftruncate(fd, (off_t)l.total) < 0) {
			ret = coco_err(-errno, "SNP platform model: cannot size '%s': %s", path,
				       strerror(errno));
			goto fail;
		}
		st.st_size = (off_t)l.total;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		ret = coco_err(-errno, "SNP platform model: cannot map '%s': %s", path,
			       strerror(errno));
		goto fail;
	}
	p->sh = m;
	p->map_size = (size_t)st.st_size;
	p->fd = fd;
	if (!p->sh->ready) {
		/* New (or half-initialised by a process that died): initialise from scratch. */
		compute_layout(c->dram_gib, &l);
		if ((uint64_t)st.st_size != l.total) {
			ret = coco_err(-EPROTO, "SNP platform model: '%s' was left half-created "
				       "with another size; remove it", path);
			goto fail;
		}
		memset(p->sh, 0, sizeof(*p->sh));
		ret = init_shared(p->sh, c, &l, false);
		if (ret)
			goto fail;
		if (msync(p->sh, sizeof(*p->sh), MS_SYNC) < 0)
			coco_warn("SNP platform model: msync of '%s' failed: %s", path,
				  strerror(errno));
		p->sh->ready = 1;
	} else {
		ret = validate_header(p->sh, path, (uint64_t)st.st_size);
		if (ret)
			goto fail;
	}
	flock(fd, LOCK_UN);
	ret = attach(p);
	if (ret)
		goto fail;
	return 0;

fail:
	if (p->sh)
		munmap(p->sh, p->map_size);
	p->sh = NULL;
	close(fd);
	return ret;
}

int snp_platform_open(const char *path, const struct snp_platform_config *config,
		      struct snp_platform **out)
{
	struct snp_platform_config c;
	struct snp_platform *p;
	int ret = resolve_config(config, &c);

	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return coco_err(-ENOMEM, "SNP platform model: out of memory");
	if (path) {
		p->path = strdup(path);
		ret = p->path ? open_file(path, &c, p) : coco_err(-ENOMEM, "out of memory");
	} else {
		ret = open_private(&c, p);
	}
	if (ret) {
		/* open_file cleans up after itself; a private platform's mapping goes here. */
		if (p->sh && !path)
			munmap(p->sh, p->map_size);
		coco_hasher_free(p->hasher);
		free(p->path);
		free(p);
		return ret;
	}
	*out = p;
	return 0;
}

void snp_platform_close(struct snp_platform *p)
{
	if (!p)
		return;
	if (p->release_caches)
		p->release_caches(p);
	coco_hasher_free(p->hasher);
	EVP_PKEY_free(p->vcek);
	munmap(p->sh, p->map_size);
	if (p->fd >= 0)
		close(p->fd);
	pthread_mutex_destroy(&p->local_lock);
	free(p->path);
	free(p);
}

void snp_platform_lock(struct snp_platform *p)
{
	int ret = pthread_mutex_lock(&p->sh->lock);

	if (ret == EOWNERDEAD) {
		/* The holder died mid-command; the state it left is what the platform has. */
		coco_warn("SNP platform model: a process died holding the platform lock; "
			  "continuing with the state it left");
		pthread_mutex_consistent(&p->sh->lock);
	}
}

void snp_platform_unlock(struct snp_platform *p)
{
	pthread_mutex_unlock(&p->sh->lock);
}

void snp_platform_zero(struct snp_platform *p, void *start, size_t len)
{
	uint8_t *s = start;
	uint8_t *first = (uint8_t *)(((uintptr_t)s + PAGE - 1) & ~(uintptr_t)(PAGE - 1));
	uint8_t *last = (uint8_t *)(((uintptr_t)s + len) & ~(uintptr_t)(PAGE - 1));

	(void)p;
	/* Shared memory (tmpfs or anonymous shared) gives pages back with MADV_REMOVE. */
	if (first < last && madvise(first, (size_t)(last - first), MADV_REMOVE) == 0) {
		memset(s, 0, (size_t)(first - s));
		memset(last, 0, (size_t)(s + len - last));
		return;
	}
	memset(s, 0, len);
}

/* ------------------------------------------------------------------ */
/* Process identity for ownership records                               */

static uint64_t start_time_of(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long long start = 0;
	FILE *f;
	char *close_paren;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* Field 22 (starttime); fields after the ")" that ends the command name. */
	close_paren = strrchr(buf, ')');
	if (!close_paren)
		return 0;
	char *p = close_paren + 2;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		sscanf(p, "%llu", &start);
	return start;
}

void snp_platform_self(uint32_t *pid, uint64_t *start)
{
	*pid = (uint32_t)getpid();
	*start = start_time_of(getpid());
}

bool snp_platform_owner_alive(uint32_t pid, uint64_t start)
{
	if (!pid)
		return false;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	return start_time_of((pid_t)pid) == start;
}

/* ------------------------------------------------------------------ */
/* Model physical memory                                                */

int snp_platform_alloc(struct snp_platform *p, uint64_t size, uint64_t *spa)
{
	uint64_t need = size / SNP_MODEL_CHUNK_SIZE, run = 0;
	uint32_t pid;
	uint64_t start;

	if (!size || size % SNP_MODEL_CHUNK_SIZE)
		return coco_err(-EINVAL, "SNP platform model: memory is handed out in 2 MiB "
				"chunks, not %llu bytes", (unsigned long long)size);
	snp_platform_self(&pid, &start);
	snp_platform_lock(p);
	for (uint64_t i = 0; i < p->sh->nchunks; i++) {
		run = p->chunks[i].owner_pid ? 0 : run + 1;
		if (run == need) {
			uint64_t first = i + 1 - need;
			for (uint64_t j = first; j <= i; j++)
				p->chunks[j] = (struct snp_model_chunk){ pid, 0, start };
			snp_platform_unlock(p);
			*spa = p->sh->dram_base + first * SNP_MODEL_CHUNK_SIZE;
			return 0;
		}
	}
	snp_platform_unlock(p);
	return coco_err(-ENOMEM, "SNP platform model: no %llu MiB of contiguous model memory "
			"left (the platform has %llu GiB; create it larger with "
			"COCO_SNP_MODEL_DRAM_GIB or stop other guests)",
			(unsigned long long)(size >> 20),
			(unsigned long long)(p->sh->dram_pages >> (30 - 12)));
}

void snp_platform_free(struct snp_platform *p, uint64_t spa, uint64_t size)
{
	uint64_t first = (spa - p->sh->dram_base) / SNP_MODEL_CHUNK_SIZE;

	snp_platform_lock(p);
	for (uint64_t j = first; j < first + size / SNP_MODEL_CHUNK_SIZE && j < p->sh->nchunks; j++)
		p->chunks[j] = (struct snp_model_chunk){ 0, 0, 0 };
	snp_platform_unlock(p);
}

int snp_platform_map_local(struct snp_platform *p, uint64_t spa, uint64_t size, uint8_t *host)
{
	int ret = 0;

	pthread_mutex_lock(&p->local_lock);
	if (p->nmaps == SNP_MODEL_LOCAL_MAPS)
		ret = coco_err(-ENOSPC, "SNP platform model: more than %u memory ranges in one "
			       "process", SNP_MODEL_LOCAL_MAPS);
	else
		p->maps[p->nmaps++] = (struct snp_local_map){ spa, size, host };
	pthread_mutex_unlock(&p->local_lock);
	return ret;
}

void snp_platform_unmap_local(struct snp_platform *p, uint64_t spa)
{
	pthread_mutex_lock(&p->local_lock);
	for (unsigned int i = 0; i < p->nmaps; i++)
		if (p->maps[i].spa == spa) {
			p->maps[i] = p->maps[--p->nmaps];
			break;
		}
	pthread_mutex_unlock(&p->local_lock);
}

uint8_t *snp_platform_ptr(struct snp_platform *p, uint64_t spa, uint64_t len)
{
	uint8_t *ptr = NULL;

	pthread_mutex_lock(&p->local_lock);
	for (unsigned int i = 0; i < p->nmaps; i++)
		if (spa >= p->maps[i].spa && spa - p->maps[i].spa < p->maps[i].size &&
		    len <= p->maps[i].size - (spa - p->maps[i].spa)) {
			ptr = p->maps[i].host + (spa - p->maps[i].spa);
			break;
		}
	pthread_mutex_unlock(&p->local_lock);
	return ptr;
}

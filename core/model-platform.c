/* SPDX-License-Identifier: Apache-2.0 */
#include "core/model-platform.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/error.h"

#define PAGE COCO_MODEL_PLATFORM_PAGE

static uint64_t round_page(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* Where everything lies for @dram_size bytes of model memory. */
struct layout {
	uint64_t vendor_offset, chunks_offset, nchunks, tables_offset, tables_size, total;
};

static void compute_layout(const struct coco_model_platform_spec *s, uint64_t dram_size,
			   struct layout *l)
{
	l->vendor_offset = round_page(sizeof(struct coco_model_platform_header));
	l->chunks_offset = round_page(l->vendor_offset + s->vendor_size);
	l->nchunks = dram_size / s->chunk_size;
	l->tables_offset = round_page(l->chunks_offset + l->nchunks * sizeof(struct coco_model_chunk));
	l->tables_size = s->table_header_size + dram_size / PAGE * s->table_entry_size;
	l->total = round_page(l->tables_offset + l->tables_size);
}

/* "2 MiB", "64 GiB", "12 KiB": sizes in messages. */
static const char *size_str(uint64_t bytes, char buf[32])
{
	static const char *const unit[] = { "bytes", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;

	while (u + 1 < sizeof(unit) / sizeof(unit[0]) && bytes && !(bytes & 1023)) {
		bytes >>= 10;
		u++;
	}
	snprintf(buf, 32, "%llu %s", (unsigned long long)bytes, unit[u]);
	return buf;
}

static bool dram_size_ok(const struct coco_model_platform_spec *s, uint64_t dram_size)
{
	return dram_size && dram_size <= s->max_dram_size && !(dram_size % s->chunk_size);
}

static int check_spec(const struct coco_model_platform_spec *s)
{
	char a[32];

	if (!s->name || !s->init || !s->chunk_size || s->chunk_size % PAGE ||
	    s->dram_base % s->chunk_size || s->max_dram_size > (1ull << 52))
		return coco_err(-EINVAL, "model platform: the vendor's description is incomplete "
				"(name, init callback, page-multiple chunk size are needed)");
	if (!dram_size_ok(s, s->dram_size))
		return coco_err(-EINVAL, "%s: %s of model memory requested; a multiple of %s up "
				"to %s is possible", s->name, size_str(s->dram_size, a),
				size_str(s->chunk_size, (char[32]){ 0 }),
				size_str(s->max_dram_size, (char[32]){ 0 }));
	return 0;
}

int coco_model_platform_mutex_init(pthread_mutex_t *m, const char *name)
{
	pthread_mutexattr_t a;
	int ret;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	/* A process that dies inside a command must not wedge the platform. */
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	ret = pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return ret ? coco_err(-ret, "%s: cannot create a process-shared lock: %s", name,
			      strerror(ret))
		   : 0;
}

void coco_model_platform_mutex_lock(pthread_mutex_t *m, const char *name, const char *what)
{
	if (pthread_mutex_lock(m) == EOWNERDEAD) {
		/* The holder died mid-command; the state it left is what the platform has. */
		coco_warn("%s: a process died holding %s; continuing with the state it left", name,
			  what);
		pthread_mutex_consistent(m);
	}
}

uint32_t coco_model_platform_env_u32(const char *variable, uint32_t fallback)
{
	const char *v = getenv(variable);
	unsigned long n;
	char *end;

	if (!v || !*v)
		return fallback;
	errno = 0;
	n = strtoul(v, &end, 0);
	return *end || errno || n > UINT32_MAX ? fallback : (uint32_t)n;
}

/* Point the handle at the parts of the mapping at p->hdr. */
static void attach(struct coco_model_platform *p)
{
	uint8_t *base = (uint8_t *)p->hdr;

	p->dram_base = p->hdr->dram_base;
	p->dram_size = p->hdr->dram_size;
	p->chunk_size = p->hdr->chunk_size;
	p->nchunks = p->hdr->nchunks;
	p->vendor = base + p->hdr->vendor_offset;
	p->chunks = (struct coco_model_chunk *)(base + p->hdr->chunks_offset);
	p->tables = base + p->hdr->tables_offset;
	p->tables_size = p->hdr->tables_size;
}

/* Fill a zeroed mapping of a new platform; the caller sets `ready` afterwards. */
static int init_new(struct coco_model_platform *p, const struct coco_model_platform_spec *s,
		    const struct layout *l)
{
	struct coco_model_platform_header *h = p->hdr;
	int ret;

	memcpy(h->magic, s->magic, sizeof(h->magic));
	h->layout_version = s->layout_version;
	h->total_size = l->total;
	h->dram_base = s->dram_base;
	h->dram_size = s->dram_size;
	h->chunk_size = s->chunk_size;
	h->vendor_offset = l->vendor_offset;
	h->vendor_size = s->vendor_size;
	h->chunks_offset = l->chunks_offset;
	h->nchunks = l->nchunks;
	h->tables_offset = l->tables_offset;
	h->tables_size = l->tables_size;
	ret = coco_model_platform_mutex_init(&h->lock, s->name);
	if (ret)
		return ret;
	attach(p);
	return s->init(p, p->vendor, s->arg);
}

/*
 * The header of a ready file, read before mapping it: is it this vendor's,
 * of this layout, and does every size agree with the file and with the
 * layout derived again from its memory size?
 */
static int validate_header(const struct coco_model_platform_header *h,
			   const struct coco_model_platform_spec *s, const char *path,
			   uint64_t file_size)
{
	struct layout l;

	if (memcmp(h->magic, s->magic, sizeof(h->magic)))
		return coco_err(-EPROTO, "%s: '%s' is not a platform file of this model (another "
				"vendor's, or not a platform file at all); remove it or point "
				"COCO_PLATFORM_DIR elsewhere", s->name, path);
	if (h->layout_version != s->layout_version)
		return coco_err(-EPROTO, "%s: '%s' is not a platform file of this version of "
				"cocohost (layout %u, expected %u) and a process still has it "
				"open; stop the VMs using it (it starts anew once none does), or "
				"point COCO_PLATFORM_DIR elsewhere", s->name, path,
				h->layout_version, s->layout_version);
	if (h->total_size > file_size)
		return coco_err(-EPROTO, "%s: '%s' is truncated (%llu bytes, its header says "
				"%llu); stop the VMs using it and remove it to start a new "
				"platform", s->name, path, (unsigned long long)file_size,
				(unsigned long long)h->total_size);
	compute_layout(s, dram_size_ok(s, h->dram_size) ? h->dram_size : 0, &l);
	if (!dram_size_ok(s, h->dram_size) || h->dram_base != s->dram_base ||
	    h->chunk_size != s->chunk_size || h->vendor_size != s->vendor_size ||
	    h->total_size != file_size || h->total_size != l.total ||
	    h->vendor_offset != l.vendor_offset || h->chunks_offset != l.chunks_offset ||
	    h->nchunks != l.nchunks || h->tables_offset != l.tables_offset ||
	    h->tables_size != l.tables_size)
		return coco_err(-EPROTO, "%s: '%s' is damaged (sizes or offsets in its header are "
				"out of range or disagree with the file); stop the VMs using it "
				"and remove it to start a new platform", s->name, path);
	return 0;
}

static int open_private(const struct coco_model_platform_spec *s, struct coco_model_platform *p)
{
	struct layout l;
	void *m;
	int ret;

	compute_layout(s, s->dram_size, &l);
	/* MAP_SHARED so a forked process shares the platform as with a file. */
	m = mmap(NULL, l.total, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE,
		 -1, 0);
	if (m == MAP_FAILED)
		return coco_err(-errno, "%s: cannot map %llu bytes: %s", s->name,
				(unsigned long long)l.total, strerror(errno));
	p->hdr = m;
	p->priv.map_size = l.total;
	ret = init_new(p, s, &l);
	if (!ret)
		p->hdr->ready = 1;
	return ret;
}

/*
 * Every process with the platform open holds a read lock on its first byte
 * (an open-file-description lock: per open(), not per process, and apart
 * from the flock that serialises creation), so whether anybody uses a file
 * can be asked without a registry that a crash could leave stale.
 */
static int mark_in_use(int fd)
{
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

	return fcntl(fd, F_OFD_SETLK, &fl) < 0 ? -errno : 0;
}

static bool in_use(int fd)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };

	/* When the answer is unknown, say "in use": refusing is the safe side. */
	return fcntl(fd, F_OFD_GETLK, &fl) < 0 || fl.l_type != F_UNLCK;
}

/*
 * Bytes at the start of a file not marked ready: a creator's leftovers
 * (zeros, or the beginning of this vendor's header) may be initialised
 * again; anything else is somebody else's file.
 */
static bool leftover_of_creation(const struct coco_model_platform_header *h, size_t got,
				 const struct coco_model_platform_spec *s)
{
	static const char zero[8];
	size_t n = got < sizeof(h->magic) ? got : sizeof(h->magic);

	return !memcmp(h->magic, zero, n) || !memcmp(h->magic, s->magic, n);
}

static int open_file(const char *path, const struct coco_model_platform_spec *s,
		     struct coco_model_platform *p)
{
	struct coco_model_platform_header h = { 0 };
	struct stat st;
	struct layout l;
	ssize_t got = 0;
	void *m;
	int fd, ret;
	bool create;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return coco_err(-errno, "%s: cannot open platform file '%s': %s", s->name, path,
				strerror(errno));
	/* One process initialises a new file; others wait here and then attach. */
	if (flock(fd, LOCK_EX) < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		close(fd);
		return coco_err(ret, "%s: cannot lock '%s': %s", s->name, path, strerror(-ret));
	}
	if (st.st_size > 0) {
		got = pread(fd, &h, sizeof(h), 0);
		if (got < 0) {
			ret = coco_err(-errno, "%s: cannot read '%s': %s", s->name, path,
				       strerror(errno));
			goto fail;
		}
	}
	create = got < (ssize_t)offsetof(struct coco_model_platform_header, total_size) || !h.ready;
	/*
	 * This model's file from another version of cocohost, which no process
	 * has open: like hardware after a firmware update and a power cycle, it
	 * starts anew (a new platform identity).  In use, it is refused below.
	 */
	if (!create && !memcmp(h.magic, s->magic, sizeof(h.magic)) &&
	    h.layout_version != s->layout_version && !in_use(fd)) {
		coco_warn("%s: '%s' is of layout %u, no process has it open: starting a new "
			  "platform of layout %u there", s->name, path, h.layout_version,
			  s->layout_version);
		memset(&h, 0, sizeof(h));
		create = true;
	}
	if (create && !leftover_of_creation(&h, (size_t)got, s)) {
		ret = coco_err(-EPROTO, "%s: '%s' is not a platform file of this model; remove it "
			       "or point COCO_PLATFORM_DIR elsewhere", s->name, path);
		goto fail;
	}
	if (create) {
		/*
		 * New, or half-initialised by a process that died (nobody attaches
		 * to a file that is not ready): start again from zeros.
		 */
		compute_layout(s, s->dram_size, &l);
		if (ftruncate(fd, 0) < 0 || ftruncate(fd, (off_t)l.total) < 0) {
			ret = coco_err(-errno, "%s: cannot size '%s': %s", s->name, path,
				       strerror(errno));
			goto fail;
		}
		st.st_size = (off_t)l.total;
	} else {
		ret = validate_header(&h, s, path, (uint64_t)st.st_size);
		if (ret)
			goto fail;
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (m == MAP_FAILED) {
		ret = coco_err(-errno, "%s: cannot map '%s': %s", s->name, path, strerror(errno));
		goto fail;
	}
	p->hdr = m;
	p->priv.map_size = (size_t)st.st_size;
	if (create) {
		ret = init_new(p, s, &l);
		if (ret)
			goto fail;
		/* Everything is in the file before it says so. */
		if (msync(m, p->priv.map_size, MS_SYNC) < 0)
			coco_warn("%s: msync of '%s' failed: %s", s->name, path, strerror(errno));
		p->hdr->ready = 1;
	} else {
		attach(p);
		ret = s->validate ? s->validate(p, p->vendor, s->arg) : 0;
		if (ret)
			goto fail;
	}
	ret = mark_in_use(fd);
	if (ret) {
		ret = coco_err(ret, "%s: cannot mark '%s' in use: %s", s->name, path,
			       strerror(-ret));
		goto fail;
	}
	flock(fd, LOCK_UN);
	p->priv.fd = fd;
	return 0;

fail:
	if (p->hdr)
		munmap(p->hdr, p->priv.map_size);
	p->hdr = NULL;
	close(fd);
	return ret;
}

int coco_model_platform_open(const char *path, const struct coco_model_platform_spec *spec,
			     struct coco_model_platform **out)
{
	struct coco_model_platform *p;
	int ret = check_spec(spec);

	if (ret)
		return ret;
	p = calloc(1, sizeof(*p));
	if (!p)
		return coco_err(-ENOMEM, "%s: out of memory", spec->name);
	p->name = spec->name;
	p->priv.fd = -1;
	p->priv.dram_setting = spec->dram_setting;
	if (path) {
		p->path = strdup(path);
		ret = p->path ? open_file(path, spec, p)
			      : coco_err(-ENOMEM, "%s: out of memory", spec->name);
	} else {
		ret = open_private(spec, p);
	}
	if (ret) {
		/* open_file cleans up after itself; a private platform's mapping goes here. */
		if (p->hdr)
			munmap(p->hdr, p->priv.map_size);
		free((char *)p->path);
		free(p);
		return ret;
	}
	pthread_mutex_init(&p->priv.local_lock, NULL);
	*out = p;
	return 0;
}

void coco_model_platform_close(struct coco_model_platform *p)
{
	if (!p)
		return;
	munmap(p->hdr, p->priv.map_size);
	if (p->priv.fd >= 0)
		close(p->priv.fd);
	pthread_mutex_destroy(&p->priv.local_lock);
	free((char *)p->path);
	free(p);
}

void *coco_model_platform_vendor(struct coco_model_platform *p)
{
	return p->vendor;
}

void *coco_model_platform_tables(struct coco_model_platform *p, uint64_t *size)
{
	if (size)
		*size = p->tables_size;
	return p->tables;
}

void coco_model_platform_lock(struct coco_model_platform *p)
{
	coco_model_platform_mutex_lock(&p->hdr->lock, p->name, "the platform lock");
}

void coco_model_platform_unlock(struct coco_model_platform *p)
{
	pthread_mutex_unlock(&p->hdr->lock);
}

void coco_model_platform_zero(struct coco_model_platform *p, void *start, size_t len)
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
	char *close_paren, *field_start;

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
	field_start = close_paren + 2;
	for (int field = 3; field < 22 && field_start; field++) {
		field_start = strchr(field_start, ' ');
		if (field_start)
			field_start++;
	}
	if (field_start)
		sscanf(field_start, "%llu", &start);
	return start;
}

void coco_model_platform_self(uint32_t *pid, uint64_t *start)
{
	*pid = (uint32_t)getpid();
	*start = start_time_of(getpid());
}

bool coco_model_platform_owner_alive(uint32_t pid, uint64_t start)
{
	if (!pid)
		return false;
	if (pid == COCO_MODEL_PLATFORM_KERNEL_PID)
		return true;
	if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
		return false;
	return start_time_of((pid_t)pid) == start;
}

bool coco_model_platform_claim_dead(struct coco_model_platform *p, uint32_t *owner_pid,
				    uint64_t *owner_start)
{
	uint32_t pid = *owner_pid, self_pid;
	uint64_t start = *owner_start, self_start;
	bool claimed = false;

	if (!pid || coco_model_platform_owner_alive(pid, start))
		return false;
	coco_model_platform_self(&self_pid, &self_start);
	coco_model_platform_lock(p);
	if (*owner_pid == pid && *owner_start == start &&
	    !coco_model_platform_owner_alive(pid, start)) {
		*owner_pid = self_pid;
		*owner_start = self_start;
		claimed = true;
	}
	coco_model_platform_unlock(p);
	return claimed;
}

/* ------------------------------------------------------------------ */
/* Model physical memory                                                */

static int alloc_as(struct coco_model_platform *p, uint64_t size, uint32_t pid, uint64_t start,
		    uint64_t *spa)
{
	uint64_t need = size / p->chunk_size, run = 0;
	char a[32], b[32];

	if (!size || size % p->chunk_size)
		return coco_err(-EINVAL, "%s: memory is handed out in %s chunks, not %llu bytes",
				p->name, size_str(p->chunk_size, a), (unsigned long long)size);
	coco_model_platform_lock(p);
	for (uint64_t i = 0; i < p->nchunks; i++) {
		run = p->chunks[i].owner_pid ? 0 : run + 1;
		if (run == need) {
			uint64_t first = i + 1 - need;
			for (uint64_t j = first; j <= i; j++)
				p->chunks[j] = (struct coco_model_chunk){ pid, 0, start };
			coco_model_platform_unlock(p);
			*spa = p->dram_base + first * p->chunk_size;
			return 0;
		}
	}
	coco_model_platform_unlock(p);
	return coco_err(-ENOMEM, "%s: no %s of contiguous model memory left (the platform has "
			"%s; create it larger%s%s or stop other guests)", p->name,
			size_str(size, a), size_str(p->dram_size, b),
			p->priv.dram_setting ? " with " : "",
			p->priv.dram_setting ? p->priv.dram_setting : "");
}

int coco_model_platform_alloc(struct coco_model_platform *p, uint64_t size, uint64_t *spa)
{
	uint32_t pid;
	uint64_t start;

	coco_model_platform_self(&pid, &start);
	return alloc_as(p, size, pid, start, spa);
}

int coco_model_platform_alloc_kernel(struct coco_model_platform *p, uint64_t size, uint64_t *spa)
{
	return alloc_as(p, size, COCO_MODEL_PLATFORM_KERNEL_PID, 0, spa);
}

void coco_model_platform_free(struct coco_model_platform *p, uint64_t spa, uint64_t size)
{
	uint64_t first;

	if (spa < p->dram_base)
		return;
	first = (spa - p->dram_base) / p->chunk_size;
	coco_model_platform_lock(p);
	for (uint64_t j = first; j < first + size / p->chunk_size && j < p->nchunks; j++)
		p->chunks[j] = (struct coco_model_chunk){ 0, 0, 0 };
	coco_model_platform_unlock(p);
}

uint64_t coco_model_platform_chunks_in_use(struct coco_model_platform *p)
{
	uint64_t used = 0;

	coco_model_platform_lock(p);
	for (uint64_t c = 0; c < p->nchunks; c++)
		used += p->chunks[c].owner_pid != 0;
	coco_model_platform_unlock(p);
	return used;
}

uint64_t coco_model_platform_reclaim_dead(struct coco_model_platform *p,
					  int (*release)(void *ctx, uint64_t spa, uint64_t size),
					  void *ctx)
{
	uint64_t freed = 0;

	for (uint64_t c = 0; c < p->nchunks; c++) {
		struct coco_model_chunk *ch = &p->chunks[c];
		uint64_t spa = p->dram_base + c * p->chunk_size;

		if (!coco_model_platform_claim_dead(p, &ch->owner_pid, &ch->owner_start))
			continue;
		/* Pages that cannot be returned keep the chunk out of use (owned by us now). */
		if (!release || release(ctx, spa, p->chunk_size) == 0) {
			coco_model_platform_free(p, spa, p->chunk_size);
			freed++;
		}
	}
	return freed;
}

int coco_model_platform_map_local(struct coco_model_platform *p, uint64_t spa, uint64_t size,
				  uint8_t *host)
{
	int ret = 0;

	pthread_mutex_lock(&p->priv.local_lock);
	if (p->priv.nmaps == COCO_MODEL_PLATFORM_LOCAL_MAPS)
		ret = coco_err(-ENOSPC, "%s: more than %u memory ranges in one process", p->name,
			       COCO_MODEL_PLATFORM_LOCAL_MAPS);
	else
		p->priv.maps[p->priv.nmaps++] = (struct coco_model_local_map){ spa, size, host };
	pthread_mutex_unlock(&p->priv.local_lock);
	return ret;
}

void coco_model_platform_unmap_local(struct coco_model_platform *p, uint64_t spa)
{
	pthread_mutex_lock(&p->priv.local_lock);
	for (unsigned int i = 0; i < p->priv.nmaps; i++)
		if (p->priv.maps[i].spa == spa) {
			p->priv.maps[i] = p->priv.maps[--p->priv.nmaps];
			break;
		}
	pthread_mutex_unlock(&p->priv.local_lock);
}

uint8_t *coco_model_platform_ptr(struct coco_model_platform *p, uint64_t spa, uint64_t len)
{
	uint8_t *ptr = NULL;

	pthread_mutex_lock(&p->priv.local_lock);
	for (unsigned int i = 0; i < p->priv.nmaps; i++) {
		const struct coco_model_local_map *m = &p->priv.maps[i];
		if (spa >= m->spa && spa - m->spa < m->size && len <= m->size - (spa - m->spa)) {
			ptr = m->host + (spa - m->spa);
			break;
		}
	}
	pthread_mutex_unlock(&p->priv.local_lock);
	return ptr;
}

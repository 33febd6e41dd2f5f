/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/launch-digest.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"

/*
 * Page contents are independent of each other; only the PAGE_INFO chain is
 * sequential, and it costs about 2 SHA-512 blocks per page against the 33
 * of hashing the page itself.  Long runs of NORMAL pages are therefore
 * hashed by several threads in batches, and the calling thread chains each
 * batch in page order: the digest is exactly the sequential one.
 *
 * The caller never waits for a worker: on a busy machine a worker may sit
 * descheduled in the middle of its chunk.  When no chunk is left to claim,
 * the caller hashes the unfinished ones itself (first result wins; both are
 * the same hash).  Workers read a copy of the batch that the pool owns, so a
 * late worker never touches the caller's memory after the call returned;
 * two copies alternate, and a copy still being read is not reused (that
 * batch is then hashed by the caller alone).
 */
#define PARALLEL_MIN_PAGES 64u		/* below this, waking threads costs more than it saves */
#define BATCH_PAGES 512u		/* page hashes per batch: one 2 MiB page */
#define CHUNK_PAGES 8u			/* pages a thread takes at a time */
#define BATCH_CHUNKS (BATCH_PAGES / CHUNK_PAGES)
#define MAX_THREADS 8u

struct snp_digest_workers {
	pid_t owner;			/* threads do not survive fork(): a child must not use them */
	pthread_t threads[MAX_THREADS];
	unsigned int nthreads;		/* started worker threads (the caller hashes too) */
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a batch was posted, or stop */
	bool stop;
	/* The batch being hashed; workers claim chunks while next_chunk < nchunks. */
	uint64_t generation;		/* of the batch; late results of older ones are dropped */
	unsigned int copy;		/* which copy[] holds it */
	uint64_t npages;
	unsigned int nchunks, next_chunk, chunks_done;
	bool chunk_done[BATCH_CHUNKS];
	bool failed;
	unsigned int readers[2];	/* workers hashing from copy[i] */
	uint8_t *copies[2];		/* BATCH_PAGES pages each */
	uint8_t hashes[BATCH_PAGES][SNP_DIGEST_SIZE];
};

/* Hash @n pages of @src into @out; false on an OpenSSL failure. */
static bool hash_pages(struct coco_hasher *h, const uint8_t *src, uint64_t n,
		       uint8_t out[][SNP_DIGEST_SIZE])
{
	for (uint64_t i = 0; i < n; i++)
		if (coco_hasher_digest(h, src + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE, out[i]))
			return false;
	return true;
}

static uint64_t chunk_pages(const struct snp_digest_workers *w, unsigned int chunk)
{
	return COCO_MIN((uint64_t)CHUNK_PAGES, w->npages - (uint64_t)chunk * CHUNK_PAGES);
}

/* Store a chunk's hashes unless someone was first.  Lock held. */
static void finish_chunk(struct snp_digest_workers *w, unsigned int chunk, bool ok,
			 uint8_t hashes[][SNP_DIGEST_SIZE])
{
	if (w->chunk_done[chunk])
		return;
	if (ok)
		memcpy(w->hashes[chunk * CHUNK_PAGES], hashes,
		       chunk_pages(w, chunk) * SNP_DIGEST_SIZE);
	else
		w->failed = true;
	w->chunk_done[chunk] = true;
	w->chunks_done++;
}

static void *worker_main(void *arg)
{
	struct snp_digest_workers *w = arg;
	uint8_t hashes[CHUNK_PAGES][SNP_DIGEST_SIZE];
	struct coco_hasher *h = NULL;

	/* Without a hasher this thread stays idle; the caller hashes whatever is left. */
	if (coco_hasher_new(COCO_HASH_SHA384, &h))
		h = NULL;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		if (h && w->next_chunk < w->nchunks) {
			unsigned int chunk = w->next_chunk++, copy = w->copy;
			uint64_t generation = w->generation, n = chunk_pages(w, chunk);
			const uint8_t *src = w->copies[copy] + (uint64_t)chunk * CHUNK_PAGES *
								 SNP_PAGE_SIZE;
			bool ok;

			w->readers[copy]++;
			pthread_mutex_unlock(&w->lock);
			ok = hash_pages(h, src, n, hashes);
			pthread_mutex_lock(&w->lock);
			w->readers[copy]--;
			if (generation == w->generation)
				finish_chunk(w, chunk, ok, hashes);
		} else {
			pthread_cond_wait(&w->work, &w->lock);
		}
	}
	pthread_mutex_unlock(&w->lock);
	coco_hasher_free(h);
	return NULL;
}

static void workers_free(struct snp_digest_workers *w)
{
	free(w->copies[0]);
	free(w->copies[1]);
	free(w);
}

static void workers_stop(struct snp_digest_workers *w)
{
	if (!w)
		return;
	if (w->owner != getpid()) {
		/* Inherited across fork(): the threads are the parent's; only the memory is ours. */
		workers_free(w);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (unsigned int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->work);
	pthread_mutex_destroy(&w->lock);
	workers_free(w);
}

static unsigned int thread_budget(const struct snp_launch_digest *d)
{
	long cpus;

	if (d->max_threads)
		return COCO_MIN(d->max_threads, MAX_THREADS);
	cpus = sysconf(_SC_NPROCESSORS_ONLN);
	return cpus < 1 ? 1 : (unsigned int)COCO_MIN((unsigned long)cpus, MAX_THREADS);
}

/* Start the worker threads; NULL when there is no use for them (or no way to start them). */
static struct snp_digest_workers *workers_start(const struct snp_launch_digest *d)
{
	unsigned int want = thread_budget(d) - 1;	/* the caller is one of the hashers */
	struct snp_digest_workers *w;

	if (!want)
		return NULL;
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->owner = getpid();
	w->copies[0] = malloc((size_t)BATCH_PAGES * SNP_PAGE_SIZE);
	w->copies[1] = malloc((size_t)BATCH_PAGES * SNP_PAGE_SIZE);
	if (!w->copies[0] || !w->copies[1]) {
		workers_free(w);
		return NULL;
	}
	if (pthread_mutex_init(&w->lock, NULL)) {
		workers_free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->work, NULL)) {
		pthread_mutex_destroy(&w->lock);
		workers_free(w);
		return NULL;
	}
	for (unsigned int i = 0; i < want; i++) {
		if (pthread_create(&w->threads[w->nthreads], NULL, worker_main, w))
			break;
		w->nthreads++;
	}
	if (!w->nthreads) {
		workers_stop(w);
		return NULL;
	}
	return w;
}

/*
 * Hash @npages (<= BATCH_PAGES) pages of @data into w->hashes, the caller
 * and the workers together; returns without waiting for any worker.
 */
static int hash_batch(struct snp_launch_digest *d, const uint8_t *data, uint64_t npages)
{
	struct snp_digest_workers *w = d->workers;
	uint8_t hashes[CHUNK_PAGES][SNP_DIGEST_SIZE];
	unsigned int copy, steal = 0;
	bool failed, share;

	pthread_mutex_lock(&w->lock);
	copy = w->copy ^ 1u;
	share = !w->readers[copy];	/* a late worker still reads it: hash this batch alone */
	pthread_mutex_unlock(&w->lock);
	if (share)
		memcpy(w->copies[copy], data, npages * SNP_PAGE_SIZE);

	pthread_mutex_lock(&w->lock);
	w->generation++;
	w->npages = npages;
	w->nchunks = (unsigned int)((npages + CHUNK_PAGES - 1) / CHUNK_PAGES);
	w->next_chunk = share ? 0 : w->nchunks;
	w->chunks_done = 0;
	memset(w->chunk_done, 0, sizeof(w->chunk_done));
	w->failed = false;
	if (share) {
		w->copy = copy;
		pthread_cond_broadcast(&w->work);
	}
	while (w->chunks_done < w->nchunks) {
		unsigned int chunk;
		bool ok;

		if (w->next_chunk < w->nchunks) {
			chunk = w->next_chunk++;
		} else {
			/* Every chunk is claimed: redo one a worker has not finished. */
			while (w->chunk_done[steal])
				steal++;
			chunk = steal;
		}
		pthread_mutex_unlock(&w->lock);
		ok = hash_pages(d->hasher, data + (uint64_t)chunk * CHUNK_PAGES * SNP_PAGE_SIZE,
				chunk_pages(w, chunk), hashes);
		pthread_mutex_lock(&w->lock);
		finish_chunk(w, chunk, ok, hashes);
	}
	failed = w->failed;
	w->nchunks = 0;		/* nothing left to claim; late workers' results are dropped */
	w->next_chunk = 0;
	pthread_mutex_unlock(&w->lock);
	return failed ? coco_err(-EIO, "launch digest: hashing page contents failed (OpenSSL "
				 "SHA-384)") : 0;
}

int snp_launch_digest_init(struct snp_launch_digest *d)
{
	memset(d, 0, sizeof(*d));
	return coco_hasher_new(COCO_HASH_SHA384, &d->hasher);
}

void snp_launch_digest_fini(struct snp_launch_digest *d)
{
	workers_stop(d->workers);
	d->workers = NULL;
	coco_hasher_free(d->hasher);
	d->hasher = NULL;
}

void snp_launch_digest_set_threads(struct snp_launch_digest *d, unsigned int threads)
{
	d->max_threads = threads;
}

int snp_launch_digest_extend(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
			     const uint8_t contents_hash[SNP_DIGEST_SIZE], const uint8_t vmpl_perms[3])
{
	return snp_launch_digest_extend_imi(d, type, false, gpa, contents_hash, vmpl_perms);
}

int snp_launch_digest_extend_imi(struct snp_launch_digest *d, uint8_t type, bool imi_page,
				 uint64_t gpa, const uint8_t contents_hash[SNP_DIGEST_SIZE],
				 const uint8_t vmpl_perms[3])
{
	uint8_t page_info[SNP_PAGE_INFO_SIZE];

	/* PAGE_INFO: DIGEST_CUR | CONTENTS | LENGTH | PAGE_TYPE | IMI_PAGE | perms | GPA */
	memcpy(page_info, d->ld, SNP_DIGEST_SIZE);
	if (contents_hash)
		memcpy(page_info + 0x30, contents_hash, SNP_DIGEST_SIZE);
	else
		memset(page_info + 0x30, 0, SNP_DIGEST_SIZE);
	coco_put_le16(page_info + 0x60, SNP_PAGE_INFO_SIZE);
	page_info[0x62] = type;
	page_info[0x63] = imi_page ? 1 : 0;	/* IMI_PAGE: page of an incoming migration image */
	page_info[0x64] = 0;		/* reserved */
	page_info[0x65] = vmpl_perms ? vmpl_perms[0] : 0;
	page_info[0x66] = vmpl_perms ? vmpl_perms[1] : 0;
	page_info[0x67] = vmpl_perms ? vmpl_perms[2] : 0;
	coco_put_le64(page_info + 0x68, gpa);
	return coco_hasher_digest(d->hasher, page_info, sizeof(page_info), d->ld);
}

/* NORMAL pages, hashed by the worker threads batch by batch. */
static int extend_normal_parallel(struct snp_launch_digest *d, uint64_t gpa,
				  const uint8_t *data, uint64_t npages)
{
	int ret = 0;

	for (uint64_t done = 0; done < npages && !ret;) {
		uint64_t n = COCO_MIN((uint64_t)BATCH_PAGES, npages - done);

		ret = hash_batch(d, data + done * SNP_PAGE_SIZE, n);
		for (uint64_t i = 0; i < n && !ret; i++)
			ret = snp_launch_digest_extend(d, SNP_PAGE_TYPE_NORMAL,
						       gpa + (done + i) * SNP_PAGE_SIZE,
						       d->workers->hashes[i], NULL);
		done += n;
	}
	return ret;
}

int snp_launch_digest_extend_pages(struct snp_launch_digest *d, uint8_t type, uint64_t gpa,
				   const uint8_t *data, uint64_t npages)
{
	uint8_t contents[SNP_DIGEST_SIZE];
	bool hashed = type == SNP_PAGE_TYPE_NORMAL || type == SNP_PAGE_TYPE_VMSA;
	int ret = 0;

	if (hashed && !data)
		return coco_err(-EINVAL, "launch digest: page type %u needs page contents", type);
	if (type == SNP_PAGE_TYPE_NORMAL && npages >= PARALLEL_MIN_PAGES) {
		if (d->workers && d->workers->owner != getpid()) {
			workers_stop(d->workers);	/* forked since they started */
			d->workers = NULL;
		}
		if (!d->workers)
			d->workers = workers_start(d);
		if (d->workers)
			return extend_normal_parallel(d, gpa, data, npages);
	}
	for (uint64_t i = 0; i < npages && !ret; i++) {
		if (type == SNP_PAGE_TYPE_VMSA) {
			/* The firmware hashes a VMSA with TSC_SCALE and TSC_OFFSET zeroed. */
			uint8_t vmsa[SNP_PAGE_SIZE];
			memcpy(vmsa, data + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE);
			memset(vmsa + SNP_VMSA_TSC_SCALE, 0, 8);
			memset(vmsa + SNP_VMSA_TSC_OFFSET, 0, 8);
			ret = coco_hasher_digest(d->hasher, vmsa, SNP_PAGE_SIZE, contents);
			if (ret)
				break;
		} else if (hashed) {
			ret = coco_hasher_digest(d->hasher, data + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE,
						 contents);
			if (ret)
				break;
		}
		ret = snp_launch_digest_extend(d, type, gpa + i * SNP_PAGE_SIZE,
					       hashed ? contents : NULL, NULL);
	}
	return ret;
}

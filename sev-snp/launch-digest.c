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
 */
#define PARALLEL_MIN_PAGES 64u		/* below this, waking threads costs more than it saves */
#define BATCH_PAGES 512u		/* page hashes per batch: one 2 MiB page */
#define CLAIM_PAGES 16u			/* pages a thread takes at a time */
#define MAX_THREADS 8u

struct snp_digest_workers {
	pid_t owner;			/* threads do not survive fork(): a child must not use them */
	pthread_t threads[MAX_THREADS];
	unsigned int nthreads;		/* started worker threads (the caller hashes too) */
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a batch was posted, or stop */
	pthread_cond_t done;		/* the last page of a batch was hashed */
	/* The batch being hashed (npages 0: none). */
	const uint8_t *data;
	uint64_t npages;
	uint64_t next;			/* first page nobody has claimed */
	uint64_t finished;		/* pages hashed */
	bool failed;
	bool stop;
	uint8_t hashes[BATCH_PAGES][SNP_DIGEST_SIZE];
};

/* Hash pages the lock holder claimed: [first, first + n). */
static bool hash_claimed(struct snp_digest_workers *w, struct coco_hasher *h, uint64_t first,
			 uint64_t n)
{
	for (uint64_t i = first; i < first + n; i++)
		if (!h || coco_hasher_digest(h, w->data + i * SNP_PAGE_SIZE, SNP_PAGE_SIZE,
					     w->hashes[i]))
			return false;
	return true;
}

/*
 * Claim and hash pages of the current batch until none is left.  Called
 * with the lock held; drops it while hashing.
 */
static void help_with_batch(struct snp_digest_workers *w, struct coco_hasher *h)
{
	while (w->next < w->npages) {
		uint64_t first = w->next, n = COCO_MIN((uint64_t)CLAIM_PAGES, w->npages - first);
		bool ok;

		w->next += n;
		pthread_mutex_unlock(&w->lock);
		ok = hash_claimed(w, h, first, n);
		pthread_mutex_lock(&w->lock);
		if (!ok)
			w->failed = true;
		w->finished += n;
		if (w->finished == w->npages)
			pthread_cond_signal(&w->done);
	}
}

static void *worker_main(void *arg)
{
	struct snp_digest_workers *w = arg;
	struct coco_hasher *h = NULL;

	/* Without a hasher this thread stays idle; the caller hashes whatever is left. */
	if (coco_hasher_new(COCO_HASH_SHA384, &h))
		h = NULL;
	pthread_mutex_lock(&w->lock);
	while (!w->stop) {
		if (h && w->next < w->npages)
			help_with_batch(w, h);
		else
			pthread_cond_wait(&w->work, &w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	coco_hasher_free(h);
	return NULL;
}

static void workers_stop(struct snp_digest_workers *w)
{
	if (!w)
		return;
	if (w->owner != getpid()) {
		/* Inherited across fork(): the threads are the parent's; only the memory is ours. */
		free(w);
		return;
	}
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->work);
	pthread_mutex_unlock(&w->lock);
	for (unsigned int i = 0; i < w->nthreads; i++)
		pthread_join(w->threads[i], NULL);
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->done);
	pthread_mutex_destroy(&w->lock);
	free(w);
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
	if (pthread_mutex_init(&w->lock, NULL)) {
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->work, NULL)) {
		pthread_mutex_destroy(&w->lock);
		free(w);
		return NULL;
	}
	if (pthread_cond_init(&w->done, NULL)) {
		pthread_cond_destroy(&w->work);
		pthread_mutex_destroy(&w->lock);
		free(w);
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

/* Hash @npages (<= BATCH_PAGES) pages into w->hashes with every thread's help. */
static int hash_batch(struct snp_launch_digest *d, const uint8_t *data, uint64_t npages)
{
	struct snp_digest_workers *w = d->workers;
	bool failed;

	pthread_mutex_lock(&w->lock);
	w->data = data;
	w->npages = npages;
	w->next = 0;
	w->finished = 0;
	w->failed = false;
	pthread_cond_broadcast(&w->work);
	help_with_batch(w, d->hasher);
	while (w->finished < w->npages)
		pthread_cond_wait(&w->done, &w->lock);
	failed = w->failed;
	w->npages = 0;
	w->data = NULL;
	pthread_mutex_unlock(&w->lock);
	/* A worker's own error message stays in its thread; say what failed here. */
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

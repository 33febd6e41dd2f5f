/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Host kernel flows for TDX (tdx-host.h): Linux's module bring-up and
 * KVM's TD lifecycle, issued through env->seamcall.
 */
#include "tdx/tdx-host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model.h"
#include "tdx/tdmr.h"

#define PAGE 4096ull
#define SZ_2M (2ull << 20)
#define RDRAND_RETRY_LOOPS 10
#define POOL_PAGES 512u			/* 4 KiB pages per 2 MiB pool chunk */
#define MAX_CMRS 32u
#define DEFAULT_TSC_25MHZ 84u		/* 2.1 GHz: the model platform's TSC */

struct pool_chunk {
	uint64_t spa;
	uint8_t *host;
	uint64_t used[POOL_PAGES / 64];
	unsigned int nused;
};

struct tdx_host {
	struct tdx_host_env env;
	struct pool_chunk *chunks;
	size_t nchunks, cap;
	/* Module metadata TD creation needs (read with TDH.SYS.RD on first use). */
	bool have_md;
	uint32_t tdcs_pages, tdvps_pages, max_vcpus_per_td;
	uint64_t attr_fixed1, xfam_fixed1;
};

struct host_vcpu {
	uint64_t tdvpr;
	uint64_t tdcx[16];
	unsigned int ntdcx;
	unsigned int lp;
	bool created, initialized;
};

struct sept_page {
	unsigned int level;
	uint64_t gpa, pa;
};

/* GPA -> HPA of the TD's private pages (open addressing, backward-shift delete). */
struct gpa_map {
	uint64_t *key;		/* gpa | 1; 0 empty */
	uint64_t *val;
	size_t cap, n;
};

struct tdx_host_td {
	struct tdx_host *h;
	int record;			/* in shared->td, -1 none */
	uint32_t hkid;
	bool keyid_held;
	uint64_t tdr;
	bool created;			/* TDH.MNG.CREATE done */
	uint64_t tdcs[16];
	unsigned int ntdcs;
	unsigned int nvcpus;
	struct host_vcpu *vcpus;
	struct sept_page *sept;
	size_t nsept, sept_cap;
	struct gpa_map priv;
	uint64_t src_page;		/* shared source page of TDH.MEM.PAGE.ADD */
	unsigned int root_level;
	/* The guest's own memory for its private pages (tdx_host_td_set_page_source). */
	int (*page_of)(void *ctx, uint64_t gpa, uint64_t *hpa);
	void *page_ctx;
};

/* ------------------------------------------------------------------ */
/* SEAMCALL with Linux's conventions                                    */

static uint64_t raw_call(struct tdx_host *h, unsigned int lp, uint64_t rax, struct tdx_module_args *a)
{
	struct tdx_module_args in = *a;
	uint64_t st = 0;

	/* sc_retry: TDX_RND_NO_ENTROPY is retried up to RDRAND_RETRY_LOOPS times. */
	for (int i = 0; i < RDRAND_RETRY_LOOPS; i++) {
		*a = in;
		st = h->env.seamcall(h->env.ctx, lp, rax, a);
		if (tdx_status_code(st) != TDX_RND_NO_ENTROPY)
			break;
	}
	return st;
}

/* An error status as an errno with the leaf, status, operand and the implementation's detail. */
static int call_error(struct tdx_host *h, const char *op, uint64_t rax, uint64_t status)
{
	const char *detail = h->env.detail ? h->env.detail(h->env.ctx) : NULL;
	int ret = tdx_seamcall_error(op, rax, status);

	if (!ret)
		return 0;
	if (detail && *detail) {
		char msg[768];
		snprintf(msg, sizeof(msg), "%s", coco_last_error());
		return coco_err(ret, "%s [module: %s]", msg, detail);
	}
	return ret;
}

static int call(struct tdx_host *h, const char *op, unsigned int lp, uint64_t rax,
		struct tdx_module_args *a, uint64_t *status)
{
	uint64_t st = raw_call(h, lp, rax, a);

	if (status)
		*status = st;
	return call_error(h, op, rax, st);
}

static unsigned int nlps(const struct tdx_host *h)
{
	return h->env.packages * h->env.lps_per_package;
}

static void host_lock(struct tdx_host *h)
{
	coco_model_platform_mutex_lock(&h->env.shared->lock, "tdx host",
				       "the lock of a TDX bring-up or teardown");
}

static void host_unlock(struct tdx_host *h)
{
	pthread_mutex_unlock(&h->env.shared->lock);
}

/* ------------------------------------------------------------------ */
/* Page pool: 4 KiB pages of model memory this process backs            */

static int pool_grow(struct tdx_host *h)
{
	struct pool_chunk c = { 0 };
	int ret;

	if (h->nchunks == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 8;
		struct pool_chunk *n = realloc(h->chunks, cap * sizeof(*n));
		if (!n)
			return coco_err(-ENOMEM, "tdx host: out of memory");
		h->chunks = n;
		h->cap = cap;
	}
	ret = coco_model_platform_alloc(h->env.plat, SZ_2M, &c.spa);
	if (ret)
		return ret;
	c.host = mmap(NULL, SZ_2M, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (c.host == MAP_FAILED) {
		coco_model_platform_free(h->env.plat, c.spa, SZ_2M);
		return coco_err(-errno, "tdx host: cannot map 2 MiB of host memory");
	}
	ret = coco_model_platform_map_local(h->env.plat, c.spa, SZ_2M, c.host);
	if (ret) {
		munmap(c.host, SZ_2M);
		coco_model_platform_free(h->env.plat, c.spa, SZ_2M);
		return ret;
	}
	h->chunks[h->nchunks++] = c;
	return 0;
}

static bool bit(const uint64_t *b, unsigned int i)
{
	return b[i / 64] & (1ull << (i % 64));
}

/* @n contiguous pages (n <= 512). */
static int pool_alloc(struct tdx_host *h, unsigned int n, uint64_t *pa)
{
	for (int pass = 0; pass < 2; pass++) {
		for (size_t c = 0; c < h->nchunks; c++) {
			struct pool_chunk *ch = &h->chunks[c];
			unsigned int run = 0;
			if (POOL_PAGES - ch->nused < n)
				continue;
			for (unsigned int i = 0; i < POOL_PAGES; i++) {
				run = bit(ch->used, i) ? 0 : run + 1;
				if (run == n) {
					for (unsigned int j = i + 1 - n; j <= i; j++)
						ch->used[j / 64] |= 1ull << (j % 64);
					ch->nused += n;
					*pa = ch->spa + (uint64_t)(i + 1 - n) * PAGE;
					memset(ch->host + (uint64_t)(i + 1 - n) * PAGE, 0, n * PAGE);
					return 0;
				}
			}
		}
		if (pass == 0) {
			int ret = pool_grow(h);
			if (ret)
				return ret;
		}
	}
	return coco_err(-ENOMEM, "tdx host: no %u contiguous pages in a fresh chunk", n);
}

static struct pool_chunk *pool_chunk_of(struct tdx_host *h, uint64_t pa, size_t *index)
{
	for (size_t c = 0; c < h->nchunks; c++)
		if (pa >= h->chunks[c].spa && pa < h->chunks[c].spa + SZ_2M) {
			if (index)
				*index = c;
			return &h->chunks[c];
		}
	return NULL;
}

static uint8_t *pool_ptr(struct tdx_host *h, uint64_t pa)
{
	struct pool_chunk *ch = pool_chunk_of(h, pa, NULL);

	return ch ? ch->host + (pa - ch->spa) : NULL;
}

static void pool_release_chunk(struct tdx_host *h, size_t c)
{
	struct pool_chunk *ch = &h->chunks[c];

	coco_model_platform_unmap_local(h->env.plat, ch->spa);
	munmap(ch->host, SZ_2M);
	coco_model_platform_free(h->env.plat, ch->spa, SZ_2M);
	h->chunks[c] = h->chunks[--h->nchunks];
}

static void pool_free(struct tdx_host *h, uint64_t pa, unsigned int n)
{
	size_t c;
	struct pool_chunk *ch = pool_chunk_of(h, pa, &c);

	if (!ch)
		return;
	for (unsigned int j = 0; j < n; j++) {
		unsigned int i = (unsigned int)((pa - ch->spa) / PAGE) + j;
		if (i < POOL_PAGES && bit(ch->used, i)) {
			ch->used[i / 64] &= ~(1ull << (i % 64));
			ch->nused--;
		}
	}
	if (!ch->nused)
		pool_release_chunk(h, c);
}

/* ------------------------------------------------------------------ */
/* GPA map                                                              */

static size_t map_home(const struct gpa_map *m, uint64_t gpa)
{
	uint64_t x = gpa * 0x9E3779B97F4A7C15ull;
	return (size_t)(x ^ (x >> 29)) & (m->cap - 1);
}

static int map_put(struct gpa_map *m, uint64_t gpa, uint64_t hpa);

static int map_grow(struct gpa_map *m)
{
	struct gpa_map n = { .cap = m->cap ? 2 * m->cap : 64 };

	n.key = calloc(n.cap, sizeof(*n.key));
	n.val = calloc(n.cap, sizeof(*n.val));
	if (!n.key || !n.val) {
		free(n.key);
		free(n.val);
		return coco_err(-ENOMEM, "tdx host: out of memory");
	}
	for (size_t i = 0; i < m->cap; i++)
		if (m->key[i])
			map_put(&n, m->key[i] & ~1ull, m->val[i]);
	free(m->key);
	free(m->val);
	*m = n;
	return 0;
}

static int map_put(struct gpa_map *m, uint64_t gpa, uint64_t hpa)
{
	size_t i;

	if (2 * (m->n + 1) > m->cap) {
		int ret = map_grow(m);
		if (ret)
			return ret;
	}
	for (i = map_home(m, gpa); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (m->key[i] == (gpa | 1)) {
			m->val[i] = hpa;
			return 0;
		}
	m->key[i] = gpa | 1;
	m->val[i] = hpa;
	m->n++;
	return 0;
}

static bool map_get(const struct gpa_map *m, uint64_t gpa, uint64_t *hpa)
{
	if (!m->cap)
		return false;
	for (size_t i = map_home(m, gpa); m->key[i]; i = (i + 1) & (m->cap - 1))
		if (m->key[i] == (gpa | 1)) {
			*hpa = m->val[i];
			return true;
		}
	return false;
}

static void map_del(struct gpa_map *m, uint64_t gpa)
{
	size_t mask = m->cap - 1, i;

	if (!m->cap)
		return;
	for (i = map_home(m, gpa); m->key[i] && m->key[i] != (gpa | 1); i = (i + 1) & mask)
		;
	if (!m->key[i])
		return;
	for (size_t j = (i + 1) & mask; m->key[j]; j = (j + 1) & mask) {
		size_t k = map_home(m, m->key[j] & ~1ull);
		if (i <= j ? (k <= i || k > j) : (k <= i && k > j)) {
			m->key[i] = m->key[j];
			m->val[i] = m->val[j];
			i = j;
		}
	}
	m->key[i] = 0;
	m->n--;
}

/* ------------------------------------------------------------------ */
/* Open / close                                                         */

int tdx_host_open(const struct tdx_host_env *env, struct tdx_host **out)
{
	struct tdx_host *h;

	if (!env->seamcall || !env->plat || !env->shared || !env->packages ||
	    !env->lps_per_package || env->keyid_count < 2)
		return coco_err(-EINVAL, "tdx host: the environment lacks a SEAMCALL, platform, "
				"topology or at least two private KeyIDs");
	h = calloc(1, sizeof(*h));
	if (!h)
		return coco_err(-ENOMEM, "tdx host: out of memory");
	h->env = *env;
	*out = h;
	return 0;
}

void tdx_host_close(struct tdx_host *h)
{
	if (!h)
		return;
	/* Pages still handed to the module stay with their chunks: reaping returns them. */
	for (size_t c = 0; c < h->nchunks; c++) {
		coco_model_platform_unmap_local(h->env.plat, h->chunks[c].spa);
		munmap(h->chunks[c].host, SZ_2M);
	}
	free(h->chunks);
	free(h);
}

/* ------------------------------------------------------------------ */
/* Module bring-up (Linux tdx_enable)                                   */

static int md_read(struct tdx_host *h, uint64_t id, uint64_t *value)
{
	struct tdx_module_args a = { .rdx = id };
	char op[64];
	int ret;

	snprintf(op, sizeof(op), "reading metadata field 0x%016llx", (unsigned long long)id);
	ret = call(h, op, 0, TDH_SYS_RD, &a, NULL);
	if (!ret)
		*value = a.r8;
	return ret;
}

static uint64_t round_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* The PAMTs Linux hands the module: kernel memory of the platform, for good once enabled. */
struct pamt_allocs {
	struct tdx_host *h;
	uint64_t base[TDX_HOST_MAX_TDMRS], size[TDX_HOST_MAX_TDMRS];
	uint32_t n;
};

/* tdx_pamt_alloc_fn: alloc_contig_pages() as kernel-owned chunks (the model has one node). */
static int pamt_alloc(void *ctx, uint64_t bytes, uint32_t node, uint64_t *base)
{
	struct pamt_allocs *pa = ctx;
	struct coco_model_platform *p = pa->h->env.plat;
	uint64_t size = round_up(bytes, p->chunk_size);
	int ret;

	(void)node;
	if (pa->n == TDX_HOST_MAX_TDMRS)
		return coco_err(-ENOSPC, "tdx_host_enable: more than %u PAMTs", TDX_HOST_MAX_TDMRS);
	ret = coco_model_platform_alloc_kernel(p, size, base);
	if (ret)
		return coco_err_context(ret, "tdx_host_enable: allocating %llu KiB of PAMT",
					(unsigned long long)(bytes >> 10));
	pa->base[pa->n] = *base;
	pa->size[pa->n++] = size;
	return 0;
}

static void pamt_free_all(struct pamt_allocs *pa)
{
	for (uint32_t i = 0; i < pa->n; i++)
		coco_model_platform_free(pa->h->env.plat, pa->base[i], pa->size[i]);
	pa->n = 0;
}

/*
 * TDH.SYS.CONFIG: the pointer array (512 bytes, 512-aligned), then one
 * TDMR_INFO per @stride bytes, in pages of this process's pool.
 */
static int sys_config(struct tdx_host *h, const struct tdx_tdmr_plan *plan, uint32_t max_rsvd)
{
	uint64_t stride = round_up(tdx_tdmr_info_bytes(max_rsvd), TDX_TDMR_INFO_ALIGNMENT);
	uint64_t bytes = TDX_TDMR_INFO_ALIGNMENT + plan->nr_tdmrs * stride;
	unsigned int pages = (unsigned int)(round_up(bytes, PAGE) / PAGE);
	struct tdx_module_args a = { 0 };
	uint64_t pa;
	uint8_t *mem;
	int ret;

	if (pages > POOL_PAGES)
		return coco_err(-ENOSPC, "tdx_host_enable: %zu TDMR_INFOs of %u reserved areas "
				"take %llu bytes; the model host passes at most 2 MiB",
				plan->nr_tdmrs, max_rsvd, (unsigned long long)bytes);
	ret = pool_alloc(h, pages, &pa);
	if (ret)
		return ret;
	mem = pool_ptr(h, pa);
	for (size_t i = 0; i < plan->nr_tdmrs && !ret; i++) {
		uint64_t info = TDX_TDMR_INFO_ALIGNMENT + i * stride;

		coco_put_le64(mem + 8 * i, pa + info);
		ret = tdx_tdmr_info_encode(&plan->tdmrs[i], max_rsvd, mem + info, stride);
		ret = ret < 0 ? ret : 0;
	}
	a.rcx = pa;
	a.rdx = plan->nr_tdmrs;
	a.r8 = h->env.keyid_first;
	if (!ret)
		ret = call(h, "tdx_host_enable: configuring the TDMRs", 0, TDH_SYS_CONFIG, &a, NULL);
	pool_free(h, pa, pages);
	return ret;
}

/* Linux's get_tdx_sys_info_tdmr(): the limits of TDMR construction, from the metadata. */
static int read_tdmr_limits(struct tdx_host *h, struct tdx_tdmr_limits *lim)
{
	static const uint64_t entry_field[TDX_PS_NR] = { TDX_MD_PAMT_4K_ENTRY_SIZE,
							 TDX_MD_PAMT_2M_ENTRY_SIZE,
							 TDX_MD_PAMT_1G_ENTRY_SIZE };
	uint64_t tdmrs, rsvd, entry;
	int ret;

	if ((ret = md_read(h, TDX_MD_MAX_TDMRS, &tdmrs)) ||
	    (ret = md_read(h, TDX_MD_MAX_RESERVED_PER_TDMR, &rsvd)))
		return ret;
	/* The host's records hold TDX_HOST_MAX_TDMRS; more TDMRs than that are not needed. */
	lim->max_tdmrs = (uint32_t)COCO_MIN(tdmrs, TDX_HOST_MAX_TDMRS);
	lim->max_reserved_per_tdmr = (uint32_t)COCO_MIN(rsvd, TDX_LIMIT_MAX);
	for (int ps = 0; ps < TDX_PS_NR; ps++) {
		if ((ret = md_read(h, entry_field[ps], &entry)))
			return ret;
		if (!entry || entry > TDX_LIMIT_MAX)
			return coco_err(-EINVAL, "tdx_host_enable: the module reports a PAMT entry "
					"size of %llu bytes (field 0x%016llx); update the module",
					(unsigned long long)entry,
					(unsigned long long)entry_field[ps]);
		lim->pamt_entry_size[ps] = (uint16_t)entry;
	}
	return tdx_tdmr_limits_validate(lim);
}

/* The CMRs (TDH.SYS.RD) as TDX memory on node 0: the model has no NUMA nodes. */
static int read_cmrs(struct tdx_host *h, struct tdx_mem_range *cmrs, uint32_t *nr)
{
	uint64_t ncmrs;
	int ret = md_read(h, TDX_MD_NUM_CMRS, &ncmrs);

	if (ret)
		return ret;
	if (!ncmrs || ncmrs > MAX_CMRS)
		return coco_err(-EINVAL, "tdx_host_enable: the module reports %llu CMRs",
				(unsigned long long)ncmrs);
	*nr = 0;
	for (uint32_t i = 0; i < ncmrs; i++) {
		uint64_t base, size;

		if ((ret = md_read(h, TDX_MD_CMR_BASE(i), &base)) ||
		    (ret = md_read(h, TDX_MD_CMR_SIZE(i), &size)))
			return ret;
		if (base + size < base)
			return coco_err(-EINVAL, "tdx_host_enable: CMR %u wraps around", i);
		if (size)
			cmrs[(*nr)++] = (struct tdx_mem_range){ base, base + size, 0 };
	}
	return 0;
}

static int do_enable(struct tdx_host *h)
{
	struct tdx_host_shared *sh = h->env.shared;
	struct pamt_allocs pamts = { .h = h };
	struct tdx_tdmr_plan plan = { 0 };
	struct tdx_tdmr_limits lim;
	struct tdx_mem_range cmrs[MAX_CMRS];
	struct tdx_module_args a = { 0 };
	uint64_t st, features;
	uint32_t nc = 0;
	int ret;

	st = raw_call(h, 0, TDH_SYS_INIT, &a);
	if (st == TDX_SEAMCALL_VMFAILINVALID)
		return coco_err(-ENODEV, "tdx_host_enable: virt/tdx: module not loaded (TDH.SYS.INIT "
				"failed with VMfailInvalid); enable TDX in the BIOS and load the module");
	ret = call_error(h, "tdx_host_enable", TDH_SYS_INIT, st);
	if (ret)
		return ret;
	for (unsigned int lp = 0; lp < nlps(h); lp++) {
		char op[64];
		snprintf(op, sizeof(op), "tdx_host_enable: CPU %u", lp);
		memset(&a, 0, sizeof(a));
		ret = call(h, op, lp, TDH_SYS_LP_INIT, &a, NULL);
		if (ret)
			return ret;
	}
	if ((ret = md_read(h, TDX_MD_TDX_FEATURES0, &features)) ||
	    (ret = read_tdmr_limits(h, &lim)) || (ret = read_cmrs(h, cmrs, &nc)))
		return ret;
	if (!(features & TDX_FEATURES0_NO_RBP_MOD))
		return coco_err(-EOPNOTSUPP, "tdx_host_enable: the TDX module lacks NO_RBP_MOD "
				"(TDX_FEATURES0 0x%llx), which Linux requires; update the module",
				(unsigned long long)features);
	/* construct_tdmrs(): the first MiB is clipped there; PAMTs are kernel memory. */
	ret = tdx_tdmr_plan_build_alloc(cmrs, nc, &lim, pamt_alloc, &pamts, &plan);
	if (ret) {
		pamt_free_all(&pamts);
		return coco_err_context(ret, "tdx_host_enable");
	}
	ret = sys_config(h, &plan, lim.max_reserved_per_tdmr);
	/* wbinvd_on_all_cpus(): nothing to write back in the model. */
	for (unsigned int pkg = 0; !ret && pkg < h->env.packages; pkg++) {
		char op[64];
		snprintf(op, sizeof(op), "tdx_host_enable: package %u key", pkg);
		memset(&a, 0, sizeof(a));
		ret = call(h, op, pkg * h->env.lps_per_package, TDH_SYS_KEY_CONFIG, &a, NULL);
	}
	for (size_t i = 0; !ret && i < plan.nr_tdmrs; i++) {
		const struct tdx_tdmr *t = &plan.tdmrs[i];
		uint64_t next = t->base;
		while (!ret && next < t->base + t->size) {
			memset(&a, 0, sizeof(a));
			a.rcx = t->base;
			ret = call(h, "tdx_host_enable: initialising a TDMR", 0, TDH_SYS_TDMR_INIT, &a,
				   &st);
			if (st == TDX_TDMR_ALREADY_INITIALIZED)
				break;
			next = a.rdx;
		}
	}
	if (ret) {
		/* Linux: WBINVD, reset PAMTs on erratum platforms, free them; TDX is off for this boot. */
		pamt_free_all(&pamts);
		tdx_tdmr_plan_release(&plan);
		return ret;
	}
	for (size_t i = 0; i < plan.nr_tdmrs; i++) {
		sh->tdmr_base[i] = plan.tdmrs[i].base;
		sh->tdmr_size[i] = plan.tdmrs[i].size;
	}
	sh->nr_tdmrs = (uint32_t)plan.nr_tdmrs;
	sh->pamt_bytes = plan.pamt_bytes;
	sh->global_keyid = h->env.keyid_first;
	sh->keyid_first = h->env.keyid_first;
	sh->keyid_count = h->env.keyid_count;
	tdx_tdmr_plan_release(&plan);
	coco_info("virt/tdx: %llu KB allocated for PAMT", (unsigned long long)(sh->pamt_bytes / 1024));
	coco_info("virt/tdx: module initialized");
	return 0;
}

int tdx_host_enable(struct tdx_host *h)
{
	struct tdx_host_shared *sh = h->env.shared;
	int ret = 0;

	host_lock(h);
	switch (sh->module_status) {
	case TDX_HOST_MODULE_INITIALIZED:
		break;
	case TDX_HOST_MODULE_ERROR:
		ret = coco_err(-EINVAL, "tdx_host_enable: the TDX module failed to initialise "
			       "earlier in this boot (%s); it cannot be initialised again until the "
			       "platform resets", sh->error);
		break;
	default:
		ret = do_enable(h);
		if (ret) {
			snprintf(sh->error, sizeof(sh->error), "%s", coco_last_error());
			sh->module_status = TDX_HOST_MODULE_ERROR;
		} else {
			sh->module_status = TDX_HOST_MODULE_INITIALIZED;
		}
	}
	host_unlock(h);
	return ret;
}

void tdx_host_enable_info(struct tdx_host *h, uint32_t *nr_tdmrs, uint64_t *pamt_bytes)
{
	*nr_tdmrs = h->env.shared->nr_tdmrs;
	*pamt_bytes = h->env.shared->pamt_bytes;
}

/* ------------------------------------------------------------------ */
/* KeyIDs and TD records                                                */

static bool keyid_take(struct tdx_host *h, uint32_t *keyid)
{
	struct tdx_host_shared *sh = h->env.shared;
	bool ok = false;

	coco_model_platform_lock(h->env.plat);
	/* The first KeyID is the global one; TDs get the rest (KVM's IDA range). */
	for (uint32_t k = h->env.keyid_first + 1;
	     k < h->env.keyid_first + h->env.keyid_count && k < TDX_HOST_MAX_KEYIDS && !ok; k++)
		if (!sh->keyid_used[k]) {
			sh->keyid_used[k] = 1;
			*keyid = k;
			ok = true;
		}
	coco_model_platform_unlock(h->env.plat);
	return ok;
}

static void keyid_put(struct tdx_host *h, uint32_t keyid)
{
	coco_model_platform_lock(h->env.plat);
	if (keyid < TDX_HOST_MAX_KEYIDS)
		h->env.shared->keyid_used[keyid] = 0;
	coco_model_platform_unlock(h->env.plat);
}

unsigned int tdx_host_keyids_in_use(struct tdx_host *h)
{
	unsigned int n = 0;

	coco_model_platform_lock(h->env.plat);
	for (uint32_t k = 0; k < TDX_HOST_MAX_KEYIDS; k++)
		n += h->env.shared->keyid_used[k] != 0;
	coco_model_platform_unlock(h->env.plat);
	return n;
}

static int record_take(struct tdx_host *h, uint32_t hkid)
{
	struct tdx_host_shared *sh = h->env.shared;
	uint32_t pid;
	uint64_t start;
	int slot = -1;

	coco_model_platform_self(&pid, &start);
	coco_model_platform_lock(h->env.plat);
	for (unsigned int i = 0; i < TDX_HOST_MAX_TDS && slot < 0; i++)
		if (!sh->td[i].owner_pid) {
			sh->td[i] = (struct tdx_host_td_record){ .owner_pid = pid, .hkid = hkid,
								  .owner_start = start };
			slot = (int)i;
		}
	coco_model_platform_unlock(h->env.plat);
	return slot;
}

static void record_set_tdr(struct tdx_host *h, int slot, uint64_t tdr)
{
	coco_model_platform_lock(h->env.plat);
	h->env.shared->td[slot].tdr_pa = tdr;
	coco_model_platform_unlock(h->env.plat);
}

static void record_put(struct tdx_host *h, int slot)
{
	coco_model_platform_lock(h->env.plat);
	memset(&h->env.shared->td[slot], 0, sizeof(h->env.shared->td[slot]));
	coco_model_platform_unlock(h->env.plat);
}

/* ------------------------------------------------------------------ */
/* Teardown (shared by destroy and reap)                                */

static void cache_wb_all(struct tdx_host *h, const char *op)
{
	for (unsigned int pkg = 0; pkg < h->env.packages; pkg++) {
		uint64_t cmd = 0, st;
		for (int tries = 0; tries < 1000; tries++) {
			struct tdx_module_args a = { .rcx = cmd };
			st = raw_call(h, pkg * h->env.lps_per_package, TDH_PHYMEM_CACHE_WB, &a);
			if (tdx_status_code(st) != TDX_INTERRUPTED_RESUMABLE)
				break;
			cmd = 1;	/* resume */
		}
		if (tdx_status_is_error(st))
			coco_warn("%s: package %u: %s 0x%016llX", op, pkg,
				  tdx_status_name(st) ? tdx_status_name(st) : "error",
				  (unsigned long long)st);
	}
}

/* VPFLUSHDONE, CACHE.WB on every package, KEY.FREEID: 0 when the KeyID is free again. */
static int release_keyid(struct tdx_host *h, uint64_t tdr, const char *op)
{
	struct tdx_module_args a = { .rcx = tdr };
	int ret = call(h, op, 0, TDH_MNG_VPFLUSHDONE, &a, NULL);

	if (ret)
		return ret;
	cache_wb_all(h, op);
	a = (struct tdx_module_args){ .rcx = tdr };
	return call(h, op, 0, TDH_MNG_KEY_FREEID, &a, NULL);
}

static int reclaim(struct tdx_host *h, uint64_t pa, const char *op)
{
	struct tdx_module_args a = { .rcx = pa };

	return call(h, op, 0, TDH_PHYMEM_PAGE_RECLAIM, &a, NULL);
}

static void wbinvd_page(struct tdx_host *h, uint64_t pa, uint32_t keyid, const char *op)
{
	struct tdx_module_args a = { .rcx = pa | ((uint64_t)keyid << h->env.keyid_shift) };

	if (call(h, op, 0, TDH_PHYMEM_PAGE_WBINVD, &a, NULL))
		coco_warn("%s", coco_last_error());
}

/* ------------------------------------------------------------------ */
/* TD create                                                            */

static int load_md(struct tdx_host *h)
{
	uint64_t tdcs, tdvps, maxv = 0;
	int ret;

	if (h->have_md)
		return 0;
	if ((ret = md_read(h, TDX_MD_TDCS_BASE_SIZE, &tdcs)) ||
	    (ret = md_read(h, TDX_MD_TDVPS_BASE_SIZE, &tdvps)) ||
	    (ret = md_read(h, TDX_MD_ATTRIBUTES_FIXED1, &h->attr_fixed1)) ||
	    (ret = md_read(h, TDX_MD_XFAM_FIXED1, &h->xfam_fixed1)))
		return ret;
	if (md_read(h, TDX_MD_MAX_VCPUS_PER_TD, &maxv))
		maxv = 0xFFFF;	/* older modules: no such field */
	if (!tdcs || tdcs % PAGE || tdcs / PAGE > 16 || !tdvps || tdvps % PAGE || tdvps / PAGE > 17)
		return coco_err(-EINVAL, "tdx host: the module's TDCS/TDVPS sizes (%llu / %llu bytes) "
				"are not what this host handles", (unsigned long long)tdcs,
				(unsigned long long)tdvps);
	h->tdcs_pages = (uint32_t)(tdcs / PAGE);
	h->tdvps_pages = (uint32_t)(tdvps / PAGE);
	h->max_vcpus_per_td = (uint32_t)maxv;
	h->have_md = true;
	return 0;
}

static void encode_td_params(const struct tdx_host *h, const struct tdx_td_config *cfg,
			     unsigned int vcpus, uint8_t *p)
{
	memset(p, 0, TDX_TD_PARAMS_SIZE);
	/* KVM: attributes | ATTRIBUTES_FIXED1, xfam | XFAM_FIXED1, NO_RBP_MOD, TSC in 25 MHz. */
	coco_put_le64(p + TDX_TD_PARAMS_ATTRIBUTES, cfg->attributes | h->attr_fixed1);
	coco_put_le64(p + TDX_TD_PARAMS_XFAM, cfg->xfam | h->xfam_fixed1);
	coco_put_le16(p + TDX_TD_PARAMS_MAX_VCPUS, (uint16_t)(cfg->max_vcpus ? cfg->max_vcpus : vcpus));
	coco_put_le64(p + TDX_TD_PARAMS_EPTP_CONTROLS, TDX_EPTP_WB_4LEVEL);
	coco_put_le64(p + TDX_TD_PARAMS_CONFIG_FLAGS, TDX_CONFIG_FLAG_NO_RBP_MOD);
	coco_put_le16(p + TDX_TD_PARAMS_TSC_FREQUENCY,
		      (uint16_t)(cfg->tsc_khz ? cfg->tsc_khz / 25000 : DEFAULT_TSC_25MHZ));
	memcpy(p + TDX_TD_PARAMS_MRCONFIGID, cfg->mrconfigid, 48);
	memcpy(p + TDX_TD_PARAMS_MROWNER, cfg->mrowner, 48);
	memcpy(p + TDX_TD_PARAMS_MROWNERCONFIG, cfg->mrownerconfig, 48);
}

static int td_page(struct tdx_host_td *td, uint64_t *pa)
{
	return pool_alloc(td->h, 1, pa);
}

static int create_vcpu(struct tdx_host_td *td, unsigned int i)
{
	struct tdx_host *h = td->h;
	struct host_vcpu *v = &td->vcpus[i];
	struct tdx_module_args a;
	uint64_t pa;
	int ret = td_page(td, &v->tdvpr);

	if (ret)
		return ret;
	a = (struct tdx_module_args){ .rcx = v->tdvpr, .rdx = td->tdr };
	ret = call(h, "tdx_host_td_create: vCPU", 0, TDH_VP_CREATE, &a, NULL);
	if (ret) {
		pool_free(h, v->tdvpr, 1);
		v->tdvpr = 0;
		return ret;
	}
	v->created = true;
	for (unsigned int c = 0; c + 1 < h->tdvps_pages; c++) {
		if ((ret = td_page(td, &pa)))
			return ret;
		a = (struct tdx_module_args){ .rcx = pa, .rdx = v->tdvpr };
		ret = call(h, "tdx_host_td_create: vCPU page", 0, TDH_VP_ADDCX, &a, NULL);
		if (ret) {
			pool_free(h, pa, 1);
			return ret;
		}
		v->tdcx[v->ntdcx++] = pa;
	}
	/* TDH.VP.INIT version 1 on the vCPU's LP: x2APIC ID = vCPU index. */
	v->lp = i % nlps(h);
	a = (struct tdx_module_args){ .rcx = v->tdvpr, .rdx = 0, .r8 = i };
	ret = call(h, "tdx_host_td_create: vCPU init", v->lp, TDX_LEAF_VERSION(TDH_VP_INIT, 1), &a,
		   NULL);
	if (!ret)
		v->initialized = true;
	return ret;
}

int tdx_host_td_create(struct tdx_host *h, const struct tdx_td_config *cfg, unsigned int vcpus,
		       struct tdx_host_td **out)
{
	struct tdx_host_td *td;
	int ret;

	if (cfg->max_vcpus && vcpus > cfg->max_vcpus)
		return coco_err(-EINVAL, "tdx_host_td_create: %u vCPUs but MAX_VCPUS is %u", vcpus,
				cfg->max_vcpus);
	ret = tdx_host_td_create_keyed(h, vcpus, &td);
	if (ret)
		return ret;
	ret = tdx_host_td_init(td, cfg);
	if (ret) {
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", coco_last_error());
		tdx_host_td_destroy(td);
		return coco_err(ret, "%s", msg);
	}
	*out = td;
	return 0;
}

int tdx_host_td_create_keyed(struct tdx_host *h, unsigned int vcpus, struct tdx_host_td **out)
{
	struct tdx_host_td *td;
	struct tdx_module_args a;
	bool reaped = false;
	int ret;

	if (h->env.shared->module_status != TDX_HOST_MODULE_INITIALIZED)
		return coco_err(-EINVAL, "tdx_host_td_create: the TDX module is not initialised; "
				"bring the host up first (tdx_host_enable)");
	if ((ret = load_md(h)))
		return ret;
	if (!vcpus || vcpus > h->max_vcpus_per_td)
		return coco_err(-EINVAL, "tdx_host_td_create: %u vCPUs: 1 to %u", vcpus,
				h->max_vcpus_per_td);
	td = calloc(1, sizeof(*td));
	if (td)
		td->vcpus = calloc(vcpus, sizeof(*td->vcpus));
	if (!td || !td->vcpus) {
		if (td)
			free(td);
		return coco_err(-ENOMEM, "tdx_host_td_create: out of memory");
	}
	td->h = h;
	td->record = -1;
	td->nvcpus = vcpus;
	td->root_level = 3;

	while (!keyid_take(h, &td->hkid)) {
		if (reaped) {
			ret = coco_err(-EBUSY, "tdx_host_td_create: all %u private KeyIDs for TDs "
				       "are in use (%u TDX KeyIDs, one is the global KeyID); destroy "
				       "a TD first", h->env.keyid_count - 1, h->env.keyid_count);
			goto fail;
		}
		tdx_host_reap(h);
		reaped = true;
	}
	td->keyid_held = true;
	td->record = record_take(h, td->hkid);
	if (td->record < 0) {
		ret = coco_err(-EBUSY, "tdx_host_td_create: the host tracks %u TDs already",
			       TDX_HOST_MAX_TDS);
		goto fail;
	}
	if ((ret = td_page(td, &td->tdr)))
		goto fail;
	a = (struct tdx_module_args){ .rcx = td->tdr, .rdx = td->hkid };
	ret = call(h, "tdx_host_td_create", 0, TDH_MNG_CREATE, &a, NULL);
	if (ret) {
		pool_free(h, td->tdr, 1);
		td->tdr = 0;
		goto fail;
	}
	td->created = true;
	record_set_tdr(h, td->record, td->tdr);
	/* TDH.MNG.KEY.CONFIG on one LP of each package. */
	for (unsigned int pkg = 0; pkg < h->env.packages; pkg++) {
		a = (struct tdx_module_args){ .rcx = td->tdr };
		ret = call(h, "tdx_host_td_create: key", pkg * h->env.lps_per_package,
			   TDH_MNG_KEY_CONFIG, &a, NULL);
		if (ret)
			goto fail;
	}
	for (unsigned int i = 0; i < h->tdcs_pages; i++) {
		uint64_t pa;
		if ((ret = td_page(td, &pa)))
			goto fail;
		a = (struct tdx_module_args){ .rcx = pa, .rdx = td->tdr };
		ret = call(h, "tdx_host_td_create: TDCS page", 0, TDH_MNG_ADDCX, &a, NULL);
		if (ret) {
			pool_free(h, pa, 1);
			goto fail;
		}
		td->tdcs[td->ntdcs++] = pa;
	}
	*out = td;
	return 0;

fail: {
	char msg[1024];
	snprintf(msg, sizeof(msg), "%s", coco_last_error());
	tdx_host_td_destroy(td);
	return coco_err(ret, "%s", msg);
}
}

int tdx_host_td_init(struct tdx_host_td *td, const struct tdx_td_config *cfg)
{
	struct tdx_host *h = td->h;
	struct tdx_module_args a;
	uint64_t params;
	int ret;

	if (td->src_page)
		return coco_err(-EBUSY, "tdx_host_td_init: the TD is initialised already");
	if (cfg->max_vcpus && td->nvcpus > cfg->max_vcpus)
		return coco_err(-EINVAL, "tdx_host_td_init: the TD has %u vCPUs but MAX_VCPUS is %u",
				td->nvcpus, cfg->max_vcpus);
	if ((ret = pool_alloc(h, 1, &params)))
		return ret;
	encode_td_params(h, cfg, td->nvcpus, pool_ptr(h, params));
	a = (struct tdx_module_args){ .rcx = td->tdr, .rdx = params };
	ret = call(h, "tdx_host_td_init: TD_PARAMS", 0, TDH_MNG_INIT, &a, NULL);
	pool_free(h, params, 1);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < td->nvcpus; i++)
		if ((ret = create_vcpu(td, i)))
			return ret;
	return pool_alloc(h, 1, &td->src_page);
}

/* ------------------------------------------------------------------ */
/* Memory                                                               */

static struct sept_page *sept_find(struct tdx_host_td *td, unsigned int level, uint64_t gpa)
{
	uint64_t base = gpa & ~((PAGE << (9 * level)) - 1);

	for (size_t i = 0; i < td->nsept; i++)
		if (td->sept[i].level == level && td->sept[i].gpa == base)
			return &td->sept[i];
	return NULL;
}

/* Secure-EPT tables for a 4 KiB mapping at @gpa, top down (KVM links missing levels). */
static int ensure_sept(struct tdx_host_td *td, uint64_t gpa)
{
	struct tdx_host *h = td->h;

	for (unsigned int level = td->root_level; level >= 1; level--) {
		uint64_t base = gpa & ~((PAGE << (9 * level)) - 1), pa;
		struct tdx_module_args a;
		int ret;

		if (sept_find(td, level, gpa))
			continue;
		if (td->nsept == td->sept_cap) {
			size_t cap = td->sept_cap ? 2 * td->sept_cap : 16;
			struct sept_page *n = realloc(td->sept, cap * sizeof(*n));
			if (!n)
				return coco_err(-ENOMEM, "tdx host: out of memory");
			td->sept = n;
			td->sept_cap = cap;
		}
		if ((ret = td_page(td, &pa)))
			return ret;
		a = (struct tdx_module_args){ .rcx = base | level, .rdx = td->tdr, .r8 = pa };
		ret = call(h, "Secure-EPT table", 0, TDH_MEM_SEPT_ADD, &a, NULL);
		if (ret) {
			pool_free(h, pa, 1);
			return ret;
		}
		td->sept[td->nsept++] = (struct sept_page){ level, base, pa };
	}
	return 0;
}

void tdx_host_td_set_page_source(struct tdx_host_td *td,
				 int (*page_of)(void *ctx, uint64_t gpa, uint64_t *hpa), void *ctx)
{
	td->page_of = page_of;
	td->page_ctx = ctx;
}

/*
 * The page that backs private GPA @gpa: the guest's memory at @gpa, or one
 * from the pool for GPAs outside it (the host's own scratch pages).
 */
static int guest_page(struct tdx_host_td *td, uint64_t gpa, uint64_t *pa)
{
	int ret = td->page_of ? td->page_of(td->page_ctx, gpa, pa) : -ENOENT;

	if (ret != -ENOENT)
		return ret;
	coco_clear_error();
	return td_page(td, pa);
}

static bool pool_page(struct tdx_host *h, uint64_t pa)
{
	size_t index;

	return pool_chunk_of(h, pa, &index) != NULL;
}

/* A page guest_page gave out is no longer the TD's: the pool takes back only its own. */
static void guest_page_release(struct tdx_host_td *td, uint64_t pa)
{
	if (pool_page(td->h, pa))
		pool_free(td->h, pa, 1);
}

int tdx_host_td_add_page(struct tdx_host_td *td, uint64_t gpa, const uint8_t src[4096], bool extend)
{
	struct tdx_host *h = td->h;
	struct tdx_module_args a;
	uint64_t target;
	int ret;

	if (gpa & (PAGE - 1))
		return coco_err(-EINVAL, "tdx_host_td_add_page: GPA 0x%llx is not 4 KiB aligned",
				(unsigned long long)gpa);
	if (!td->src_page)
		return coco_err(-EBUSY, "tdx_host_td_add_page: the TD is not initialised "
				"(tdx_host_td_init first)");
	if ((ret = ensure_sept(td, gpa)) || (ret = guest_page(td, gpa, &target)))
		return coco_err_context(ret, "tdx_host_td_add_page at GPA 0x%llx",
					(unsigned long long)gpa);
	memcpy(pool_ptr(h, td->src_page), src, PAGE);
	a = (struct tdx_module_args){ .rcx = gpa, .rdx = td->tdr, .r8 = target, .r9 = td->src_page };
	ret = call(h, "tdx_host_td_add_page", 0, TDH_MEM_PAGE_ADD, &a, NULL);
	if (ret) {
		guest_page_release(td, target);
		return ret;
	}
	if ((ret = map_put(&td->priv, gpa, target)))
		return ret;
	for (unsigned int i = 0; extend && i < PAGE / 256; i++) {
		a = (struct tdx_module_args){ .rcx = gpa + 256 * i, .rdx = td->tdr };
		ret = call(h, "tdx_host_td_add_page: measuring", 0, TDH_MR_EXTEND, &a, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

int tdx_host_td_finalize(struct tdx_host_td *td)
{
	struct tdx_module_args a = { .rcx = td->tdr };

	return call(td->h, "tdx_host_td_finalize", 0, TDH_MR_FINALIZE, &a, NULL);
}

bool tdx_host_td_is_private(struct tdx_host_td *td, uint64_t gpa)
{
	uint64_t hpa;

	return map_get(&td->priv, gpa & ~(PAGE - 1), &hpa);
}

int tdx_host_td_to_shared(struct tdx_host_td *td, uint64_t gpa)
{
	struct tdx_host *h = td->h;
	struct tdx_module_args a;
	uint64_t hpa;
	int ret;

	if (!map_get(&td->priv, gpa, &hpa))
		return coco_err(-EINVAL, "tdx_host_td_to_shared: GPA 0x%llx is not a private page "
				"of the TD", (unsigned long long)gpa);
	a = (struct tdx_module_args){ .rcx = gpa, .rdx = td->tdr };
	if ((ret = call(h, "tdx_host_td_to_shared", 0, TDH_MEM_RANGE_BLOCK, &a, NULL)))
		return ret;
	a = (struct tdx_module_args){ .rcx = td->tdr };
	if ((ret = call(h, "tdx_host_td_to_shared", 0, TDH_MEM_TRACK, &a, NULL)))
		return ret;
	/* Kicking the vCPUs out of the TD: none run in the model. */
	a = (struct tdx_module_args){ .rcx = gpa, .rdx = td->tdr };
	if ((ret = call(h, "tdx_host_td_to_shared", 0, TDH_MEM_PAGE_REMOVE, &a, NULL)))
		return ret;
	wbinvd_page(h, hpa, td->hkid, "tdx_host_td_to_shared");
	map_del(&td->priv, gpa);
	guest_page_release(td, hpa);
	return 0;
}

static int accept(struct tdx_host_td *td, unsigned int vcpu, uint64_t gpa)
{
	struct tdx_module_args a = { .rcx = gpa };
	uint64_t st;

	st = td->h->env.tdcall(td->h->env.ctx, td->vcpus[vcpu].tdvpr, TDG_MEM_PAGE_ACCEPT, &a);
	if (st == TDX_SUCCESS || tdx_status_code(st) == TDX_PAGE_ALREADY_ACCEPTED)
		return 0;
	return call_error(td->h, "the guest's TDG.MEM.PAGE.ACCEPT", TDH_MEM_PAGE_AUG, st);
}

int tdx_host_td_to_private(struct tdx_host_td *td, uint64_t gpa, bool do_accept)
{
	struct tdx_host *h = td->h;
	struct tdx_module_args a;
	uint64_t hpa;
	int ret;

	if (map_get(&td->priv, gpa, &hpa))
		return coco_err(-EEXIST, "tdx_host_td_to_private: GPA 0x%llx is private already",
				(unsigned long long)gpa);
	if (do_accept && !h->env.tdcall)
		return coco_err(-ENOTSUP, "tdx_host_td_to_private: no guest to accept the page");
	if ((ret = ensure_sept(td, gpa)) || (ret = guest_page(td, gpa, &hpa)))
		return ret;
	a = (struct tdx_module_args){ .rcx = gpa, .rdx = td->tdr, .r8 = hpa };
	ret = call(h, "tdx_host_td_to_private", 0, TDH_MEM_PAGE_AUG, &a, NULL);
	if (ret) {
		guest_page_release(td, hpa);
		return ret;
	}
	if ((ret = map_put(&td->priv, gpa, hpa)))
		return ret;
	return do_accept ? accept(td, 0, gpa) : 0;
}

static int scratch_page(struct tdx_host_td *td, unsigned int vcpu, uint64_t gpa, uint8_t **host)
{
	uint64_t hpa;
	int ret;

	if (!td->h->env.tdcall)
		return coco_err(-ENOTSUP, "tdx host: this environment runs no guest (no TDCALL)");
	if (vcpu >= td->nvcpus || (gpa & (PAGE - 1)))
		return coco_err(-EINVAL, "tdx host: vCPU %u / scratch GPA 0x%llx: the TD has %u "
				"vCPUs and the GPA must be 4 KiB aligned", vcpu,
				(unsigned long long)gpa, td->nvcpus);
	if (!map_get(&td->priv, gpa, &hpa)) {
		if ((ret = tdx_host_td_to_private(td, gpa, false)))
			return ret;
		map_get(&td->priv, gpa, &hpa);
	}
	if ((ret = accept(td, vcpu, gpa)))
		return ret;
	*host = pool_ptr(td->h, hpa);
	return *host ? 0 : coco_err(-EFAULT, "tdx host: the scratch page is not mapped here");
}

/*
 * The guest's part of a TDCALL that reads its input from the scratch page:
 * @in_len bytes of @in at @in_off of the page, then @leaf with @a on @vcpu.
 * *@page: the scratch page, for outputs.
 */
static int guest_call(struct tdx_host_td *td, unsigned int vcpu, uint64_t scratch_gpa,
		      const char *op, uint64_t leaf, const void *in, size_t in_off, size_t in_len,
		      struct tdx_module_args *a, uint8_t **page)
{
	uint64_t st;
	int ret = scratch_page(td, vcpu, scratch_gpa, page);

	if (ret)
		return coco_err_context(ret, "%s", op);
	memcpy(*page + in_off, in, in_len);
	st = td->h->env.tdcall(td->h->env.ctx, td->vcpus[vcpu].tdvpr, leaf, a);
	return st == TDX_SUCCESS ? 0 : call_error(td->h, op, TDH_VP_ENTER, st);
}

int tdx_host_td_report(struct tdx_host_td *td, unsigned int vcpu, uint64_t scratch_gpa,
		       const uint8_t reportdata[64], uint8_t report[1024])
{
	struct tdx_module_args a = { .rcx = scratch_gpa, .rdx = scratch_gpa + 2048 };
	uint8_t *page;
	int ret = guest_call(td, vcpu, scratch_gpa, "tdx_host_td_report: TDG.MR.REPORT",
			     TDG_MR_REPORT, reportdata, 2048, 64, &a, &page);

	if (!ret)
		memcpy(report, page, 1024);
	return ret;
}

int tdx_host_td_rtmr_extend(struct tdx_host_td *td, unsigned int vcpu, uint64_t scratch_gpa,
			    unsigned int index, const uint8_t data[48])
{
	struct tdx_module_args a = { .rcx = scratch_gpa + 3072, .rdx = index };
	uint8_t *page;

	return guest_call(td, vcpu, scratch_gpa, "tdx_host_td_rtmr_extend: TDG.MR.RTMR.EXTEND",
			  TDG_MR_RTMR_EXTEND, data, 3072, 48, &a, &page);
}

uint64_t tdx_host_td_tdr(const struct tdx_host_td *td)
{
	return td->tdr;
}

uint32_t tdx_host_td_keyid(const struct tdx_host_td *td)
{
	return td->hkid;
}

uint64_t tdx_host_td_tdvpr(const struct tdx_host_td *td, unsigned int vcpu)
{
	return vcpu < td->nvcpus ? td->vcpus[vcpu].tdvpr : 0;
}

/* ------------------------------------------------------------------ */
/* Destroy                                                              */

/* Reclaim a page and give it back to the pool; false if the module kept it. */
static bool reclaim_free(struct tdx_host_td *td, uint64_t pa, unsigned int *leaked)
{
	if (reclaim(td->h, pa, "tdx_host_td_destroy")) {
		coco_warn("%s", coco_last_error());
		(*leaked)++;
		return false;
	}
	pool_free(td->h, pa, 1);
	return true;
}

int tdx_host_td_destroy(struct tdx_host_td *td)
{
	struct tdx_host *h;
	unsigned int leaked = 0;
	bool freed = false;
	int ret = 0;

	if (!td)
		return 0;
	h = td->h;
	host_lock(h);
	if (td->created) {
		for (unsigned int i = 0; i < td->nvcpus; i++) {
			struct host_vcpu *v = &td->vcpus[i];
			struct tdx_module_args a = { .rcx = v->tdvpr };
			uint64_t st;
			if (!v->initialized)
				continue;
			st = raw_call(h, v->lp, TDH_VP_FLUSH, &a);
			if (st != TDX_SUCCESS && tdx_status_code(st) != TDX_VCPU_NOT_ASSOCIATED)
				coco_warn("tdx_host_td_destroy: TDH.VP.FLUSH: %s 0x%016llX",
					  tdx_status_name(st) ? tdx_status_name(st) : "error",
					  (unsigned long long)st);
		}
		ret = release_keyid(h, td->tdr, "tdx_host_td_destroy");
		freed = !ret;
		if (ret) {
			/* Nothing can be reclaimed while the KeyID lives: the pages stay the TD's. */
			coco_warn("%s; the TD's pages and KeyID %u stay in use", coco_last_error(),
				  td->hkid);
		} else {
			uint64_t hpa;
			for (size_t i = 0; i < td->priv.cap; i++)
				if (td->priv.key[i]) {
					hpa = td->priv.val[i];
					if (pool_page(h, hpa)) {
						reclaim_free(td, hpa, &leaked);
					} else if (reclaim(h, hpa, "tdx_host_td_destroy")) {
						coco_warn("%s", coco_last_error());
						leaked++;
					}
				}
			for (size_t i = td->nsept; i-- > 0;)
				reclaim_free(td, td->sept[i].pa, &leaked);
			for (unsigned int i = 0; i < td->nvcpus; i++) {
				struct host_vcpu *v = &td->vcpus[i];
				for (unsigned int c = 0; c < v->ntdcx; c++)
					reclaim_free(td, v->tdcx[c], &leaked);
				if (v->created)
					reclaim_free(td, v->tdvpr, &leaked);
			}
			for (unsigned int i = 0; i < td->ntdcs; i++)
				reclaim_free(td, td->tdcs[i], &leaked);
			if (!reclaim(h, td->tdr, "tdx_host_td_destroy")) {
				/* The TDR was written with the global KeyID. */
				wbinvd_page(h, td->tdr, h->env.shared->global_keyid,
					    "tdx_host_td_destroy");
				pool_free(h, td->tdr, 1);
			} else {
				coco_warn("%s", coco_last_error());
				leaked++;
			}
		}
	} else if (td->tdr) {
		pool_free(h, td->tdr, 1);
	}
	host_unlock(h);
	if (td->src_page)
		pool_free(h, td->src_page, 1);
	if (td->keyid_held && (freed || !td->created))
		keyid_put(h, td->hkid);
	if (td->record >= 0 && (freed || !td->created))
		record_put(h, td->record);
	if (leaked)
		coco_warn("tdx_host_td_destroy: %u pages could not be reclaimed and stay out of use",
			  leaked);
	free(td->priv.key);
	free(td->priv.val);
	free(td->sept);
	free(td->vcpus);
	free(td);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Reaping                                                              */

static bool chunk_of_owner(const struct coco_model_chunk *c, uint32_t pid, uint64_t start)
{
	return c->owner_pid == pid && c->owner_start == start;
}

/* Tear down the TD of a dead process: its pages are found in its chunks with RDMD. */
static void reap_td(struct tdx_host *h, const struct tdx_host_td_record *rec, uint32_t pid,
		    uint64_t start)
{
	struct coco_model_platform *p = h->env.plat;
	const char *op = "tdx host: cleaning up after a dead process";
	bool keyid_free = !rec->tdr_pa;

	host_lock(h);
	if (rec->tdr_pa) {
		/* vCPUs: flush each TDVPR on whichever LP it is associated with. */
		for (uint64_t c = 0; c < p->nchunks; c++) {
			if (!chunk_of_owner(&p->chunks[c], pid, start))
				continue;
			for (unsigned int i = 0; i < POOL_PAGES; i++) {
				uint64_t pa = p->dram_base + c * p->chunk_size + i * PAGE;
				struct tdx_module_args a = { .rcx = pa };
				if (raw_call(h, 0, TDH_PHYMEM_PAGE_RDMD, &a) != TDX_SUCCESS ||
				    a.rcx != TDX_PT_TDVPR || a.rdx != rec->tdr_pa)
					continue;
				for (unsigned int lp = 0; lp < nlps(h); lp++) {
					a = (struct tdx_module_args){ .rcx = pa };
					if (raw_call(h, lp, TDH_VP_FLUSH, &a) == TDX_SUCCESS)
						break;
				}
			}
		}
		keyid_free = !release_keyid(h, rec->tdr_pa, op);
		if (keyid_free) {
			for (uint64_t c = 0; c < p->nchunks; c++) {
				if (!chunk_of_owner(&p->chunks[c], pid, start))
					continue;
				for (unsigned int i = 0; i < POOL_PAGES; i++) {
					uint64_t pa = p->dram_base + c * p->chunk_size + i * PAGE;
					struct tdx_module_args a = { .rcx = pa };
					if (raw_call(h, 0, TDH_PHYMEM_PAGE_RDMD, &a) == TDX_SUCCESS &&
					    a.rdx == rec->tdr_pa && a.rcx != TDX_PT_TDR)
						reclaim(h, pa, op);
				}
			}
			if (!reclaim(h, rec->tdr_pa, op))
				wbinvd_page(h, rec->tdr_pa, h->env.shared->global_keyid, op);
			else
				coco_warn("%s", coco_last_error());
		} else {
			coco_warn("%s", coco_last_error());
		}
	}
	host_unlock(h);
	if (keyid_free)
		keyid_put(h, rec->hkid);
}

unsigned int tdx_host_reap(struct tdx_host *h)
{
	struct tdx_host_shared *sh = h->env.shared;
	struct coco_model_platform *p = h->env.plat;
	unsigned int reaped = 0;

	for (unsigned int i = 0; i < TDX_HOST_MAX_TDS; i++) {
		struct tdx_host_td_record *rec = &sh->td[i], copy;
		uint32_t dead = rec->owner_pid;
		uint64_t dead_start = rec->owner_start;

		if (!dead || coco_model_platform_owner_alive(dead, dead_start) ||
		    !coco_model_platform_claim_dead(p, &rec->owner_pid, &rec->owner_start))
			continue;
		copy = *rec;
		coco_info("tdx host: tearing down the TD (KeyID %u) of dead process %u", copy.hkid,
			  dead);
		reap_td(h, &copy, dead, dead_start);
		record_put(h, (int)i);
		reaped++;
	}
	/* Then the dead processes' memory: chunks whose pages are all free again. */
	for (uint64_t c = 0; c < p->nchunks; c++) {
		struct coco_model_chunk *ch = &p->chunks[c];
		bool busy = false;

		if (!coco_model_platform_claim_dead(p, &ch->owner_pid, &ch->owner_start))
			continue;
		for (unsigned int i = 0; i < POOL_PAGES && !busy; i++) {
			struct tdx_module_args a = { .rcx = p->dram_base + c * p->chunk_size + i * PAGE };
			uint64_t st = raw_call(h, 0, TDH_PHYMEM_PAGE_RDMD, &a);
			busy = st == TDX_SUCCESS && a.rcx != TDX_PT_NDA && a.rcx != TDX_PT_RSVD;
		}
		if (!busy)
			coco_model_platform_free(p, p->dram_base + c * p->chunk_size, p->chunk_size);
		else
			coco_warn("tdx host: a dead process's chunk at 0x%llx still holds TD pages; "
				  "it stays out of use",
				  (unsigned long long)(p->dram_base + c * p->chunk_size));
	}
	return reaped;
}

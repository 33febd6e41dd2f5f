/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the TDX module model (tdx/module-model.h) driven with raw
 * SEAMCALLs, as a host kernel would issue them.  Expected statuses are the
 * module 1.5 values of specs/tdx.md 1.3 written out as numbers; MRTDs and
 * RTMRs are the primitive vectors of vectors/tdx/measure/mrtd_vectors.txt.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model.h"
#include "tdx/module-model-internal.h"
#include "tests/common/test-main.h"

#define PAGE 4096ull
#define GIB (1ull << 30)
#define DRAM_GIB 2u
#define DRAM_BASE 0x100000000ull
#define DRAM_END (DRAM_BASE + DRAM_GIB * GIB)
/* PAMT for the one TDMR [4 GiB, 6 GiB): 4K 8 MiB + 2M 16 KiB + 1G 4 KiB, near the end of DRAM. */
#define PAMT_BASE (DRAM_END - (16ull << 20))
#define PAMT_4K_SIZE 0x800000ull
#define PAMT_2M_SIZE 0x4000ull
#define PAMT_1G_SIZE 0x1000ull
#define PAMT_TOTAL (PAMT_4K_SIZE + PAMT_2M_SIZE + PAMT_1G_SIZE)
#define TEST_MEM (16ull << 20)
#define COCO_TDX_ATTR_SEPT_VE_DISABLE_BIT (1ull << 28)

struct env {
	struct tdx_module *m;
	uint64_t mem_pa;
	uint8_t *mem;
	uint64_t next;		/* bump allocator over the test memory */
	uint32_t keyid_first, keyids;
	unsigned int max_pa, nlps, npkgs, lps_per_pkg;
};

static struct tdx_module_args args;

static uint64_t sc(struct env *e, unsigned int lp, uint64_t rax, uint64_t rcx, uint64_t rdx,
		   uint64_t r8, uint64_t r9)
{
	args = (struct tdx_module_args){ .rcx = rcx, .rdx = rdx, .r8 = r8, .r9 = r9 };
	return tdx_module_seamcall(e->m, lp, rax, &args);
}

static uint64_t tc(struct env *e, uint64_t tdvpr, uint64_t rax, uint64_t rcx, uint64_t rdx,
		   uint64_t r8)
{
	args = (struct tdx_module_args){ .rcx = rcx, .rdx = rdx, .r8 = r8 };
	return tdx_module_tdcall(e->m, tdvpr, rax, &args);
}

static uint8_t *host(struct env *e, uint64_t pa)
{
	return e->mem + (pa - e->mem_pa);
}

static uint64_t page(struct env *e)
{
	uint64_t pa = e->mem_pa + e->next;

	CU_ASSERT_FATAL(e->next + PAGE <= TEST_MEM);
	e->next += PAGE;
	memset(host(e, pa), 0, PAGE);
	return pa;
}

static void env_open(struct env *e, uint32_t keyids)
{
	struct tdx_module_config cfg = { .packages = 2, .lps_per_package = 2, .dram_gib = DRAM_GIB,
					 .keyids = keyids };
	struct coco_model_platform *p;

	memset(e, 0, sizeof(*e));
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&cfg, &e->m), 0);
	p = tdx_module_platform(e->m);
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_alloc(p, TEST_MEM, &e->mem_pa), 0);
	e->mem = mmap(NULL, TEST_MEM, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(e->mem != MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_map_local(p, e->mem_pa, TEST_MEM, e->mem), 0);
	tdx_module_keyids(e->m, &e->keyid_first, &e->keyids, &e->max_pa);
	tdx_module_topology(e->m, &e->npkgs, &e->lps_per_pkg);
	e->nlps = e->npkgs * e->lps_per_pkg;
}

static void env_close(struct env *e)
{
	char why[256];

	CU_ASSERT(tdx_module_check_invariants(e->m, why, sizeof(why)));
	if (!tdx_module_check_invariants(e->m, why, sizeof(why)))
		fprintf(stderr, "\ninvariant broken: %s\n", why);
	munmap(e->mem, TEST_MEM);
	tdx_module_close(e->m);
}

/* ---- TDMR_INFO building ---- */

struct tdmr_desc {
	uint64_t base, size;
	uint64_t pamt[3][2];		/* [4K,2M,1G] x {base,size} */
	uint64_t rsvd[16][2];
};

static struct tdmr_desc default_tdmr(void)
{
	struct tdmr_desc t = { .base = DRAM_BASE, .size = DRAM_GIB * GIB };

	t.pamt[0][0] = PAMT_BASE;
	t.pamt[0][1] = PAMT_4K_SIZE;
	t.pamt[1][0] = PAMT_BASE + PAMT_4K_SIZE;
	t.pamt[1][1] = PAMT_2M_SIZE;
	t.pamt[2][0] = PAMT_BASE + PAMT_4K_SIZE + PAMT_2M_SIZE;
	t.pamt[2][1] = PAMT_1G_SIZE;
	t.rsvd[0][0] = PAMT_BASE - DRAM_BASE;
	t.rsvd[0][1] = PAMT_TOTAL;
	return t;
}

/* Writes the pointer array and the TDMR_INFOs; returns the array's PA. */
static uint64_t write_tdmrs(struct env *e, const struct tdmr_desc *t, unsigned int n)
{
	uint64_t arr = page(e);

	for (unsigned int i = 0; i < n; i++) {
		uint64_t info = page(e);
		uint8_t *p = host(e, info);
		coco_put_le64(host(e, arr) + 8 * i, info);
		coco_put_le64(p + 0, t[i].base);
		coco_put_le64(p + 8, t[i].size);
		coco_put_le64(p + 16, t[i].pamt[2][0]);
		coco_put_le64(p + 24, t[i].pamt[2][1]);
		coco_put_le64(p + 32, t[i].pamt[1][0]);
		coco_put_le64(p + 40, t[i].pamt[1][1]);
		coco_put_le64(p + 48, t[i].pamt[0][0]);
		coco_put_le64(p + 56, t[i].pamt[0][1]);
		for (int j = 0; j < 16; j++) {
			coco_put_le64(p + 64 + 16 * j, t[i].rsvd[j][0]);
			coco_put_le64(p + 72 + 16 * j, t[i].rsvd[j][1]);
		}
	}
	return arr;
}

static void sys_init_all_lps(struct env *e)
{
	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_SYS_INIT, 0, 0, 0, 0), 0);
	for (unsigned int lp = 0; lp < e->nlps; lp++)
		CU_ASSERT_EQUAL_FATAL(sc(e, lp, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0);
}

static uint64_t config(struct env *e, const struct tdmr_desc *t, unsigned int n)
{
	uint64_t arr = write_tdmrs(e, t, n);

	return sc(e, 0, TDH_SYS_CONFIG, arr, n, e->keyid_first, 0);
}

/* The whole bring-up: INIT, LP.INIT everywhere, CONFIG, KEY.CONFIG per package, TDMR.INIT. */
static void bring_up(struct env *e)
{
	struct tdmr_desc t = default_tdmr();
	uint64_t next = 0;

	sys_init_all_lps(e);
	CU_ASSERT_EQUAL_FATAL(config(e, &t, 1), 0);
	for (unsigned int pkg = 0; pkg < e->npkgs; pkg++)
		CU_ASSERT_EQUAL_FATAL(sc(e, pkg * e->lps_per_pkg, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0);
	while (next < t.base + t.size) {
		CU_ASSERT_EQUAL_FATAL(sc(e, 1, TDH_SYS_TDMR_INIT, t.base, 0, 0, 0), 0);
		CU_ASSERT_EQUAL_FATAL(args.rdx % GIB, 0);
		CU_ASSERT_FATAL(args.rdx > next || args.rdx == next);
		next = args.rdx;
	}
}

/* ---- TD building ---- */

struct td {
	uint64_t tdr, tdcs[6], tdvpr[4];
	uint32_t hkid;
	unsigned int nvcpus;
	uint64_t params;
};

static uint64_t params_page(struct env *e, uint64_t attributes, uint64_t xfam, uint16_t max_vcpus,
			    uint64_t eptp, uint16_t tsc)
{
	uint64_t pa = page(e);
	uint8_t *p = host(e, pa);

	coco_put_le64(p + 0, attributes);
	coco_put_le64(p + 8, xfam);
	coco_put_le16(p + 16, max_vcpus);
	coco_put_le64(p + 24, eptp);
	coco_put_le64(p + 32, TDX_CONFIG_FLAG_NO_RBP_MOD);
	coco_put_le16(p + 40, tsc);
	memset(p + 80, 0xC1, 48);	/* MRCONFIGID */
	memset(p + 128, 0x0E, 48);	/* MROWNER */
	memset(p + 176, 0xCF, 48);	/* MROWNERCONFIG */
	return pa;
}

/* MNG.CREATE, KEY.CONFIG per package, ADDCX x 6: a TD ready for MNG.INIT. */
static void td_create(struct env *e, struct td *td, uint32_t hkid)
{
	memset(td, 0, sizeof(*td));
	td->hkid = hkid;
	td->tdr = page(e);
	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MNG_CREATE, td->tdr, hkid, 0, 0), 0);
	for (unsigned int pkg = 0; pkg < e->npkgs; pkg++)
		CU_ASSERT_EQUAL_FATAL(sc(e, pkg * e->lps_per_pkg, TDH_MNG_KEY_CONFIG, td->tdr, 0, 0, 0), 0);
	for (int i = 0; i < 6; i++) {
		td->tdcs[i] = page(e);
		CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MNG_ADDCX, td->tdcs[i], td->tdr, 0, 0), 0);
	}
}

static void td_init(struct env *e, struct td *td, unsigned int vcpus)
{
	td->params = params_page(e, COCO_TDX_ATTR_SEPT_VE_DISABLE_BIT, 0x61ae7, 4, 0x1E, 84);
	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MNG_INIT, td->tdr, td->params, 0, 0), 0);
	for (unsigned int v = 0; v < vcpus; v++) {
		td->tdvpr[v] = page(e);
		CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_VP_CREATE, td->tdvpr[v], td->tdr, 0, 0), 0);
		for (int c = 0; c < 5; c++)
			CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_VP_ADDCX, page(e), td->tdvpr[v], 0, 0), 0);
		CU_ASSERT_EQUAL_FATAL(sc(e, v % e->nlps, TDX_LEAF_VERSION(TDH_VP_INIT, 1), td->tdvpr[v],
					 0, v, 0), 0);
	}
	td->nvcpus = vcpus;
}

/* The three Secure-EPT tables above @gpa (levels 3, 2, 1). */
static void sept_for(struct env *e, struct td *td, uint64_t gpa)
{
	for (unsigned int level = 3; level >= 1; level--) {
		uint64_t base = gpa & ~((PAGE << (9 * level)) - 1);
		uint64_t st = sc(e, 0, TDH_MEM_SEPT_ADD, base | level, td->tdr, page(e), 0);
		CU_ASSERT(st == 0 || st == 0xC0000B0200000000ull);	/* TDX_EPT_ENTRY_NOT_FREE */
	}
}

static uint64_t add_page(struct env *e, struct td *td, uint64_t gpa, const uint8_t *content,
			 bool extend)
{
	uint64_t src = page(e), target = page(e);

	memcpy(host(e, src), content, PAGE);
	sept_for(e, td, gpa);
	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MEM_PAGE_ADD, gpa, td->tdr, target, src), 0);
	for (unsigned int i = 0; extend && i < 16; i++)
		CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MR_EXTEND, gpa + 256 * i, td->tdr, 0, 0), 0);
	return target;
}

/* Tear a TD down in the spec's order and reclaim its pages (listed in @pages, TDR last). */
static void teardown_key(struct env *e, struct td *td)
{
	for (unsigned int v = 0; v < td->nvcpus; v++)
		CU_ASSERT_EQUAL(sc(e, v % e->nlps, TDH_VP_FLUSH, td->tdvpr[v], 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(e, 0, TDH_MNG_VPFLUSHDONE, td->tdr, 0, 0, 0), 0);
	for (unsigned int pkg = 0; pkg < e->npkgs; pkg++) {
		uint64_t st = sc(e, pkg * e->lps_per_pkg, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0);
		while (st == 0x8000000300000000ull)	/* TDX_INTERRUPTED_RESUMABLE */
			st = sc(e, pkg * e->lps_per_pkg, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0);
		CU_ASSERT_EQUAL(st, 0);
	}
	CU_ASSERT_EQUAL(sc(e, 0, TDH_MNG_KEY_FREEID, td->tdr, 0, 0, 0), 0);
}

/* Reclaim every page of the test memory that the module still owns, TDRs last. */
static void reclaim_all(struct env *e)
{
	for (int pass = 0; pass < 2; pass++)
		for (uint64_t off = 0; off < e->next; off += PAGE) {
			uint64_t pa = e->mem_pa + off, st = sc(e, 0, TDH_PHYMEM_PAGE_RDMD, pa, 0, 0, 0);
			CU_ASSERT_EQUAL(st, 0);
			if (args.rcx == TDX_PT_NDA || (pass == 0 && args.rcx == TDX_PT_TDR))
				continue;
			CU_ASSERT_EQUAL(sc(e, 0, TDH_PHYMEM_PAGE_RECLAIM, pa, 0, 0, 0), 0);
		}
}

/* ------------------------------------------------------------------ */

static void test_init_order(void)
{
	struct env e;
	struct tdmr_desc t = default_tdmr();
	uint64_t arr;

	env_open(&e, 32);
	/* Nothing but SYS.INIT / LP.INIT before this LP is initialised. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0), 0xC000050200000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0xC000050B00000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_INIT, 1, 0, 0, 0), 0xC000010000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_INIT, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_INIT, 0, 0, 0, 0), 0xC000050000000000ull);	/* once */
	CU_ASSERT_EQUAL(sc(&e, 1, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0), 0xC000050200000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0xC000050300000000ull);	/* twice */
	/* Metadata before SYS_READY. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, 64);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_MAX_RESERVED_PER_TDMR, 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, 16);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_PAMT_4K_ENTRY_SIZE, 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, 16);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_VENDOR_ID, 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, 0x8086);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_NUM_CMRS, 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, 1);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_CMR_BASE(0), 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, DRAM_BASE);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, TDX_MD_CMR_SIZE(0), 0, 0), 0);
	CU_ASSERT_EQUAL(args.r8, DRAM_GIB * GIB);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_RD, 0, 0x9100000100000099ull, 0, 0), 0xC0000C0000000000ull);
	/* TDH.SYS.CONFIG needs every LP initialised. */
	arr = write_tdmrs(&e, &t, 1);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first, 0), 0xC000050C00000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0xC000050700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE, 0, 0, 0), 0xC000050500000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, page(&e), e.keyid_first + 1, 0, 0),
			0xC000050500000000ull);
	for (unsigned int lp = 1; lp < e.nlps; lp++)
		CU_ASSERT_EQUAL(sc(&e, lp, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first, 0), 0);
	/* Configured once; no more LP.INIT. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first, 0), 0xC000050C00000000ull);
	CU_ASSERT_EQUAL(sc(&e, 3, TDH_SYS_LP_INIT, 0, 0, 0, 0), 0xC000050B00000000ull);
	/* Key per package: twice on one package is a warning; READY after the last. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 1, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0x0000081500000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE, 0, 0, 0), 0xC000050500000000ull);
	CU_ASSERT_EQUAL(sc(&e, 2, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 3, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0), 0xC000050700000000ull);
	/* TDMR.INIT: resumable, 1 GiB-granular progress, then "already initialised". */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE + GIB, 0, 0, 0), 0xC000010000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rdx, DRAM_BASE);	/* 4 MiB done: still the first GiB */
	{
		unsigned int calls = 1;
		while (sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE, 0, 0, 0) == 0)
			calls++;
		CU_ASSERT_EQUAL(calls, DRAM_GIB * GIB / (1024 * PAGE));
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_TDMR_INIT, DRAM_BASE, 0, 0, 0), 0x00000A0300000000ull);
	}
	/* Version and reserved RAX bits. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDX_LEAF_VERSION(TDH_SYS_RD, 1), 0, TDX_MD_MAX_TDMRS, 0, 0),
			0xC000010000000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, (1ull << 24) | TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0),
			0xC000010000000000ull);
	env_close(&e);
}

/* A module in SYSINIT_DONE with every LP initialised; @t rejected with @expect, then accepted. */
static void config_rejects(const struct tdmr_desc *t, unsigned int n, uint64_t expect)
{
	struct env e;
	struct tdmr_desc good = default_tdmr();

	env_open(&e, 32);
	sys_init_all_lps(&e);
	CU_ASSERT_EQUAL(config(&e, t, n), expect);
	if (config(&e, t, n) != expect)
		fprintf(stderr, "\n  expected 0x%016llx: %s\n", (unsigned long long)expect,
			tdx_module_last_detail(e.m));
	/* A failed configuration is not final: the corrected one is accepted. */
	CU_ASSERT_EQUAL(config(&e, &good, 1), 0);
	env_close(&e);
}

static void test_config_validation(void)
{
	struct tdmr_desc t[2];

	t[0] = default_tdmr();
	t[0].base += 2ull << 20;		/* base not 1 GiB aligned */
	config_rejects(t, 1, 0xC0000A0000000000ull);
	t[0] = default_tdmr();
	t[0].size = GIB + PAGE;			/* size not 1 GiB granular */
	config_rejects(t, 1, 0xC0000A0000000000ull);

	/* Unordered, then overlapping TDMRs: TDMR 1 is reported. */
	t[0] = default_tdmr();
	t[0].base = DRAM_BASE + GIB;
	t[0].size = GIB;
	t[0].rsvd[0][0] = PAMT_BASE - t[0].base;
	t[1] = t[0];
	t[1].base = DRAM_BASE;
	config_rejects(t, 2, 0xC0000A0100000001ull);
	t[0] = default_tdmr();
	t[1] = default_tdmr();
	t[1].base = DRAM_BASE + GIB;
	t[1].size = GIB;
	config_rejects(t, 2, 0xC0000A0100000001ull);

	/* PAMT_4K too small: TDMR 0, page size 0. */
	t[0] = default_tdmr();
	t[0].pamt[0][1] -= PAGE;
	config_rejects(t, 1, 0xC0000A1000000000ull);
	/* PAMT_2M misaligned: TDMR 0, page size 1. */
	t[0] = default_tdmr();
	t[0].pamt[1][0] += 8;
	config_rejects(t, 1, 0xC0000A1000000100ull);
	/* PAMT outside every CMR (below DRAM, outside the TDMR): PAMT_1G checked first. */
	t[0] = default_tdmr();
	t[0].pamt[0][0] = 0x40000000;
	t[0].pamt[1][0] = 0x40000000 + PAMT_4K_SIZE;
	t[0].pamt[2][0] = 0x40000000 + PAMT_4K_SIZE + PAMT_2M_SIZE;
	config_rejects(t, 1, 0xC0000A1100000200ull);
	/* PAMT in memory the TDMR makes available (no reserved area for it). */
	t[0] = default_tdmr();
	t[0].rsvd[0][0] = t[0].rsvd[0][1] = 0;
	config_rejects(t, 1, 0xC0000A1200000000ull);
	/* Two TDMRs whose PAMTs overlap: TDMR 1's PAMT_4K against TDMR 0. */
	t[0] = default_tdmr();
	t[0].size = GIB;
	t[0].pamt[0][1] = 0x400000;
	t[0].rsvd[0][0] = 0;
	t[0].rsvd[0][1] = 0;
	t[1] = default_tdmr();
	t[1].base = DRAM_BASE + GIB;
	t[1].size = GIB;
	t[1].pamt[0][1] = 0x400000;
	t[1].rsvd[0][0] = PAMT_BASE - t[1].base;
	t[1].rsvd[0][1] = PAMT_TOTAL;
	/* TDMR 0 is checked alone first: its PAMT sits in TDMR 1, which is fine then. */
	config_rejects(t, 2, 0xC0000A1200000001ull);
	/* Reserved areas: misaligned, unordered, overlapping, a hole in the list, outside. */
	t[0] = default_tdmr();
	t[0].rsvd[1][0] = t[0].rsvd[0][0] + PAMT_TOTAL + 0x10;
	t[0].rsvd[1][1] = PAGE;
	config_rejects(t, 1, 0xC0000A2000000100ull);
	t[0] = default_tdmr();
	t[0].rsvd[1][0] = 0;
	t[0].rsvd[1][1] = PAGE;
	config_rejects(t, 1, 0xC0000A2100000100ull);
	t[0] = default_tdmr();
	t[0].rsvd[1][0] = t[0].rsvd[0][0] + PAGE;
	t[0].rsvd[1][1] = PAGE;
	config_rejects(t, 1, 0xC0000A2100000100ull);
	t[0] = default_tdmr();
	t[0].rsvd[2][0] = t[0].rsvd[0][0] + PAMT_TOTAL + PAGE;
	t[0].rsvd[2][1] = PAGE;
	config_rejects(t, 1, 0xC0000A2100000100ull);
	t[0] = default_tdmr();
	t[0].rsvd[1][0] = t[0].size;
	t[0].rsvd[1][1] = PAGE;
	config_rejects(t, 1, 0xC0000A2000000100ull);
	/* A non-reserved part outside the CMRs: TDMR reaching past DRAM. */
	t[0] = default_tdmr();
	t[0].size += GIB;
	t[0].pamt[0][1] = 0xC00000;
	t[0].pamt[1][0] = PAMT_BASE + 0xC00000;
	t[0].pamt[1][1] = 0x6000;
	t[0].pamt[2][0] = PAMT_BASE + 0xC06000;
	t[0].rsvd[0][1] = 0xC06000 + PAMT_1G_SIZE;
	config_rejects(t, 1, 0xC0000A0200000000ull);
	/* ... which a reserved area over the missing GiB makes acceptable. */
	{
		struct env e;
		env_open(&e, 32);
		sys_init_all_lps(&e);
		t[0].rsvd[1][0] = DRAM_GIB * GIB;
		t[0].rsvd[1][1] = GIB;
		CU_ASSERT_EQUAL(config(&e, t, 1), 0);
		env_close(&e);
	}
}

static void test_config_operands(void)
{
	struct env e;
	struct tdmr_desc t = default_tdmr();
	uint64_t arr, array_pa;

	env_open(&e, 32);
	sys_init_all_lps(&e);
	arr = write_tdmrs(&e, &t, 1);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr + 8, 1, e.keyid_first, 0), 0xC000010000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 0, e.keyid_first, 0), 0xC000010000000002ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 65, e.keyid_first, 0), 0xC000010000000002ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first - 1, 0), 0xC000010000000008ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first | 0x10000, 0),
			0xC000010000000008ull);
	/* A TDMR_INFO pointer that is not 512-byte aligned. */
	array_pa = page(&e);
	coco_put_le64(host(&e, array_pa), coco_le64(host(&e, arr)) + 64);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, array_pa, 1, e.keyid_first, 0), 0xC000010000000001ull);
	/* The failed attempt reserved KeyID first (as the module does); first+1 configures. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_SYS_CONFIG, arr, 1, e.keyid_first + 1, 0), 0);
	env_close(&e);
}

static void test_keyids_and_flush_sequence(void)
{
	struct env e;
	struct td td[3], again;
	uint64_t tdr;

	env_open(&e, 4);	/* KeyIDs [60, 64): 60 global, 3 for TDs */
	CU_ASSERT_EQUAL(e.keyid_first, 60);
	CU_ASSERT_EQUAL(e.keyids, 4);
	CU_ASSERT_EQUAL(e.max_pa, 46);
	bring_up(&e);
	tdr = page(&e);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr, 60, 0, 0), 0xC000082000000000ull);	/* global */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr, 59, 0, 0), 0xC000010000000002ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr, 64, 0, 0), 0xC000010000000002ull);
	for (int i = 0; i < 3; i++) {
		td_create(&e, &td[i], 61 + i);
		td_init(&e, &td[i], 1);
	}
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr, 61, 0, 0), 0xC000082000000000ull);	/* in use */
	/* TDR page checks: misaligned, outside TDX memory, not free. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr + 8, 61, 0, 0), 0xC000010000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, 0x1000, 61, 0, 0), 0xC000010100000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, td[0].tdcs[0], 61, 0, 0), 0xC000030000000001ull);

	/* Freeing KeyID 61: each step refuses to run early. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_FREEID, td[0].tdr, 0, 0, 0), 0xC000060700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_VPFLUSHDONE, td[0].tdr, 0, 0, 0), 0x8000082400000000ull);
	CU_ASSERT_EQUAL(sc(&e, 1, TDH_VP_FLUSH, td[0].tdvpr[0], 0, 0, 0), 0x8000070200000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_VP_FLUSH, td[0].tdvpr[0], 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0), 0xC000082300000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), 0x0000082100000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_VPFLUSHDONE, td[0].tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_FREEID, td[0].tdr, 0, 0, 0), 0x8000081700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), 0x8000000300000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_FREEID, td[0].tdr, 0, 0, 0), 0x8000081700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, tdr, 61, 0, 0), 0xC000082000000000ull);
	CU_ASSERT_EQUAL(sc(&e, 2, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0), 0x8000000300000000ull);
	CU_ASSERT_EQUAL(sc(&e, 2, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_FREEID, td[0].tdr, 0, 0, 0), 0);
	/* KeyID 61 is free again while the old TD's pages still wait to be reclaimed. */
	td_create(&e, &again, 61);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_VPFLUSHDONE, again.tdr, 0, 0, 0), 0);
	teardown_key(&e, &td[1]);
	teardown_key(&e, &td[2]);
	{
		char why[256];
		CU_ASSERT(tdx_module_check_invariants(e.m, why, sizeof(why)));
	}
	for (unsigned int pkg = 0; pkg < e.npkgs; pkg++) {
		uint64_t st = sc(&e, pkg * 2, TDH_PHYMEM_CACHE_WB, 0, 0, 0, 0);
		while (st == 0x8000000300000000ull)
			st = sc(&e, pkg * 2, TDH_PHYMEM_CACHE_WB, 1, 0, 0, 0);
	}
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_FREEID, again.tdr, 0, 0, 0), 0);
	reclaim_all(&e);
	env_close(&e);
}

static void test_pamt_ownership(void)
{
	struct env e;
	struct td a, b;
	uint8_t content[PAGE] = { 1, 2, 3 };
	uint64_t target, st, rsvd_page = PAMT_BASE + PAGE;

	env_open(&e, 32);
	bring_up(&e);
	td_create(&e, &a, e.keyid_first + 1);
	td_create(&e, &b, e.keyid_first + 2);
	/* MNG.INIT needs every TDCS page; a TD with 5 says so. */
	td_init(&e, &a, 1);
	td_init(&e, &b, 1);
	target = add_page(&e, &a, 0x10000, content, false);
	/* The page is A's: B cannot take it, as TDCS, SEPT or data page. */
	sept_for(&e, &b, 0x10000);
	st = sc(&e, 0, TDH_MEM_PAGE_ADD, 0x10000, b.tdr, target, page(&e));
	CU_ASSERT_EQUAL(st, 0xC000030000000008ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_ADD, 0x10000, a.tdr, page(&e), page(&e)),
			0xC0000B0200000000ull);	/* GPA mapped already */
	/* RDMD: type and owner. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, target, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_REG);
	CU_ASSERT_EQUAL(args.rdx, a.tdr);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, a.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_TDR);
	CU_ASSERT_EQUAL(args.rdx, 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, b.tdcs[3], 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_TDCX);
	CU_ASSERT_EQUAL(args.rdx, b.tdr);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, a.tdvpr[0], 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_TDVPR);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, rsvd_page, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_RSVD);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, 0x80000000, 0, 0, 0), 0xC000010100000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, target | (1ull << 46), 0, 0, 0),
			0xC000010000000001ull);
	/* A reserved page cannot become a TD's; a free page cannot be reclaimed. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_VP_CREATE, rsvd_page, a.tdr, 0, 0), 0xC000030000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RECLAIM, page(&e), 0, 0, 0), 0xC000030000000001ull);
	/* Reclaim before teardown is refused, for the TDR and for its pages. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RECLAIM, target, 0, 0, 0), 0xC000060700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RECLAIM, a.tdr, 0, 0, 0), 0xC000060700000000ull);
	teardown_key(&e, &a);
	/* The TDR goes last. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RECLAIM, a.tdr, 0, 0, 0), 0xC000040000000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RECLAIM, target, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_REG);
	CU_ASSERT_EQUAL(args.rdx, a.tdr);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, target, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_NDA);
	/* B still builds; A's pages are B's to use once reclaimed. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_ADD, 0x10000, b.tdr, target, page(&e)), 0);
	teardown_key(&e, &b);
	reclaim_all(&e);
	env_close(&e);
}

/*
 * PAMT entries index the model's TD and vCPU records; a damaged platform
 * file (entries naming no record) is refused with a status, never followed.
 */
static void test_damaged_pamt_entries(void)
{
	struct tdx_model_pamt_entry *e, saved;
	struct env e_;
	struct td a;

	env_open(&e_, 32);
	bring_up(&e_);
	td_create(&e_, &a, e_.keyid_first + 1);
	td_init(&e_, &a, 1);
	e = tdx_pamt_get(e_.m, a.tdr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	saved = *e;
	e->owner_slot = 0xFFFFFF;
	CU_ASSERT_EQUAL(sc(&e_, 0, TDH_MNG_VPFLUSHDONE, a.tdr, 0, 0, 0), 0xC000030000000001ull);
	e->owner_slot = 0;
	CU_ASSERT_EQUAL(sc(&e_, 0, TDH_MR_FINALIZE, a.tdr, 0, 0, 0), 0xC000030000000001ull);
	*e = saved;
	e = tdx_pamt_get(e_.m, a.tdvpr[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	saved = *e;
	e->aux = 0xFFFFFFFF;
	CU_ASSERT_NOT_EQUAL(tc(&e_, a.tdvpr[0], TDG_MR_REPORT, 0, 0, 0), 0);
	*e = saved;
	teardown_key(&e_, &a);
	reclaim_all(&e_);
	env_close(&e_);
}

static void test_td_params(void)
{
	struct env e;
	struct td td;
	struct {
		uint64_t attributes, xfam;
		uint16_t max_vcpus;
		uint64_t eptp;
		uint16_t tsc;
		uint64_t expect;
	} cases[] = {
		{ 1ull << 1, 0x61ae7, 4, 0x1E, 84, 0xC000010000000040ull },	/* reserved attribute */
		{ 1ull << 31, 0x61ae7, 4, 0x1E, 84, 0xC000010000000040ull },	/* KL: not in FIXED0 */
		{ 0, 0x61ae4, 4, 0x1E, 84, 0xC000010000000041ull },		/* XFAM lacks x87/SSE */
		{ 0, 0x61ae7 | (1ull << 20), 4, 0x1E, 84, 0xC000010000000041ull },
		{ 0, 0x61ae7, 0, 0x1E, 84, 0xC000010000000044ull },		/* MAX_VCPUS 0 */
		{ 0, 0x61ae7, 257, 0x1E, 84, 0xC000010000000044ull },
		{ 0, 0x61ae7, 4, 0x1F, 84, 0xC000010000000043ull },		/* EPTP memtype */
		{ 0, 0x61ae7, 4, 0x26, 84, 0xC000010000000043ull },		/* 5-level without GPAW */
		{ 0, 0x61ae7, 4, 0x1E, 3, 0xC000010000000046ull },		/* TSC < 100 MHz */
		{ 0, 0x61ae7, 4, 0x1E, 401, 0xC000010000000046ull },
		/* Order: ATTRIBUTES before XFAM before MAX_VCPUS before EPTP before TSC. */
		{ 1ull << 1, 0, 0, 0, 0, 0xC000010000000040ull },
		{ 0, 0, 0, 0, 0, 0xC000010000000041ull },
		{ 0, 3, 0, 0, 0, 0xC000010000000044ull },
		{ 0, 3, 1, 0, 0, 0xC000010000000043ull },
	};

	env_open(&e, 32);
	bring_up(&e);
	td.tdr = page(&e);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_CREATE, td.tdr, e.keyid_first + 1, 0, 0), 0);
	/* Build leaves before the keys are on every package. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_KEY_CONFIG, td.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 1, TDH_MNG_KEY_CONFIG, td.tdr, 0, 0, 0), 0x0000081500000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_ADDCX, page(&e), td.tdr, 0, 0), 0x8000081000000000ull);
	CU_ASSERT_EQUAL(sc(&e, 2, TDH_MNG_KEY_CONFIG, td.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 2, TDH_MNG_KEY_CONFIG, td.tdr, 0, 0, 0), 0xC000060700000000ull);
	for (int i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_ADDCX, page(&e), td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr,
			   params_page(&e, 0, 0x61ae7, 4, 0x1E, 84), 0, 0), 0xC000060600000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_ADDCX, page(&e), td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_ADDCX, page(&e), td.tdr, 0, 0), 0xC000061000000000ull);
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cases); i++) {
		uint64_t p = params_page(&e, cases[i].attributes, cases[i].xfam, cases[i].max_vcpus,
					 cases[i].eptp, cases[i].tsc);
		uint64_t st = sc(&e, 0, TDH_MNG_INIT, td.tdr, p, 0, 0);
		CU_ASSERT_EQUAL(st, cases[i].expect);
		if (st != cases[i].expect)
			fprintf(stderr, "\n  case %zu: 0x%016llx (%s)\n", i, (unsigned long long)st,
				tdx_module_last_detail(e.m));
	}
	{
		uint64_t p = params_page(&e, 0, 0x61ae7, 4, 0x1E, 84);
		coco_put_le32(host(&e, p) + 256 + 12, 0x40000000u);	/* CPUID(1).EDX bit 30 */
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, p, 0, 0), 0xC000010000000045ull);
		p = params_page(&e, 0, 0x61ae7, 4, 0x1E, 84);
		host(&e, p)[18] = 1;	/* NUM_L2_VMS */
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, p, 0, 0), 0xC000010000000047ull);
		p = params_page(&e, 0, 0x61ae7, 4, 0x1E, 84);
		host(&e, p)[50] = 1;	/* reserved */
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, p, 0, 0), 0xC000010000000002ull);
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, p + 512, 0, 0), 0xC000010000000002ull);
	}
	/* A valid TD_PARAMS after all those refusals; then finalisation needs a vCPU. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, params_page(&e, 1ull << 28, 0x61ae7, 1, 0x1E, 84),
			   0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MNG_INIT, td.tdr, params_page(&e, 0, 0x61ae7, 1, 0x1E, 84), 0, 0),
			0xC000060800000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_FINALIZE, td.tdr, 0, 0, 0), 0xC000060900000000ull);
	td.tdvpr[0] = page(&e);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_VP_CREATE, td.tdvpr[0], td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_VP_CREATE, page(&e), td.tdr, 0, 0), 0xC000070500000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDX_LEAF_VERSION(TDH_VP_INIT, 1), td.tdvpr[0], 0, 0, 0),
			0xC000061000000000ull);	/* TDCX pages missing */
	for (int c = 0; c < 5; c++)
		CU_ASSERT_EQUAL(sc(&e, 0, TDH_VP_ADDCX, page(&e), td.tdvpr[0], 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 1, TDX_LEAF_VERSION(TDH_VP_INIT, 1), td.tdvpr[0], 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_FINALIZE, td.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_FINALIZE, td.tdr, 0, 0, 0), 0xC000060800000000ull);
	sept_for(&e, &td, 0x20000);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_ADD, 0x20000, td.tdr, page(&e), page(&e)),
			0xC000060800000000ull);
	td.nvcpus = 0;
	CU_ASSERT_EQUAL(sc(&e, 1, TDH_VP_FLUSH, td.tdvpr[0], 0, 0, 0), 0);
	teardown_key(&e, &td);
	reclaim_all(&e);
	env_close(&e);
}

/* ---- measurement ---- */

static bool vector(const char *name, uint8_t out[48])
{
	FILE *f = fopen(coco_test_vector("tdx/measure/mrtd_vectors.txt"), "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *arrow = strstr(line, "-> ");
		if (strncmp(line, name, strlen(name)) || line[strlen(name)] != ' ' || !arrow)
			continue;
		arrow[3 + 96] = '\0';
		found = coco_hex_decode_exact(arrow + 3, out, 48, name) == 0;
	}
	fclose(f);
	return found;
}

static uint64_t finalize_and_report(struct env *e, struct td *td, uint8_t report[1024],
				    const uint8_t reportdata[64])
{
	uint64_t scratch = 0x7000000, hpa = page(e);

	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MR_FINALIZE, td->tdr, 0, 0, 0), 0);
	/* A page for the guest's report: AUG, then the guest accepts it. */
	sept_for(e, td, scratch);
	CU_ASSERT_EQUAL_FATAL(sc(e, 0, TDH_MEM_PAGE_AUG, scratch, td->tdr, hpa, 0), 0);
	memset(host(e, hpa), 0xAA, PAGE);
	CU_ASSERT_EQUAL(tc(e, td->tdvpr[0], TDG_MR_REPORT, scratch, scratch + 2048, 0),
			0xC000010000000001ull);	/* pending: the CPU would raise #VE */
	CU_ASSERT_EQUAL_FATAL(tc(e, td->tdvpr[0], TDG_MEM_PAGE_ACCEPT, scratch, 0, 0), 0);
	CU_ASSERT(coco_all_zero(host(e, hpa), PAGE));	/* accepting clears the page */
	CU_ASSERT_EQUAL(tc(e, td->tdvpr[0], TDG_MEM_PAGE_ACCEPT, scratch, 0, 0), 0x00000B0A00000000ull);
	memcpy(host(e, hpa) + 2048, reportdata, 64);
	CU_ASSERT_EQUAL(tc(e, td->tdvpr[0], TDG_MR_REPORT, scratch + 8, scratch + 2048, 0),
			0xC000010000000001ull);
	CU_ASSERT_EQUAL(tc(e, td->tdvpr[0], TDG_MR_REPORT, scratch, scratch + 2048, 1),
			0xC000010000000008ull);
	CU_ASSERT_EQUAL_FATAL(tc(e, td->tdvpr[0], TDG_MR_REPORT, scratch, scratch + 2048, 0), 0);
	memcpy(report, host(e, hpa), 1024);
	return hpa;
}

static void sha384(const void *data, size_t len, uint8_t out[48])
{
	unsigned int n = 0;

	CU_ASSERT_FATAL(EVP_Digest(data, len, out, &n, EVP_sha384(), NULL) == 1 && n == 48);
}

static void test_mrtd_vectors_and_report(void)
{
	struct env e;
	struct td v1, v3, v4;
	uint8_t zero[PAGE] = { 0 }, want[48], report[1024], reportdata[64], h[48];
	uint8_t mrseam[48], svn[16];

	for (int i = 0; i < 64; i++)
		reportdata[i] = (uint8_t)(0x40 + i);
	env_open(&e, 32);
	bring_up(&e);
	tdx_module_identity(e.m, mrseam, svn);

	/* V1: one PAGE.ADD at GPA 0. */
	td_create(&e, &v1, e.keyid_first + 1);
	td_init(&e, &v1, 1);
	add_page(&e, &v1, 0, zero, false);
	finalize_and_report(&e, &v1, report, reportdata);
	CU_ASSERT_FATAL(vector("V1", want));
	CU_ASSERT_EQUAL(memcmp(report + 512 + 16, want, 48), 0);

	/* TDREPORT layout. */
	CU_ASSERT_EQUAL(report[0], 0x81);
	CU_ASSERT_EQUAL(report[1], 0);
	CU_ASSERT_EQUAL(memcmp(report + 128, reportdata, 64), 0);
	CU_ASSERT_EQUAL(coco_le64(report + 512), 1ull << 28);	/* ATTRIBUTES */
	CU_ASSERT_EQUAL(coco_le64(report + 520), 0x61ae7);		/* XFAM */
	for (int i = 0; i < 48; i++) {
		CU_ASSERT_EQUAL(report[512 + 64 + i], 0xC1);		/* MRCONFIGID */
		CU_ASSERT_EQUAL(report[512 + 112 + i], 0x0E);		/* MROWNER */
		CU_ASSERT_EQUAL(report[512 + 160 + i], 0xCF);		/* MROWNERCONFIG */
	}
	CU_ASSERT(coco_all_zero(report + 512 + 208, 4 * 48 + 48));	/* RTMRs, SERVTD_HASH */
	CU_ASSERT_EQUAL(memcmp(report + 256 + 24, mrseam, 48), 0);	/* MRSEAM */
	CU_ASSERT_EQUAL(memcmp(report + 256 + 8, svn, 16), 0);		/* TEE_TCB_SVN */
	CU_ASSERT(coco_all_zero(report + 256 + 72, 48));		/* MRSIGNERSEAM */
	sha384(report + 512, 512, h);
	CU_ASSERT_EQUAL(memcmp(report + 80, h, 48), 0);			/* TEE_INFO_HASH */
	sha384(report + 256, 239, h);
	CU_ASSERT_EQUAL(memcmp(report + 32, h, 48), 0);			/* TEE_TCB_INFO_HASH */
	CU_ASSERT_EQUAL(tdx_module_verify_report(e.m, report), 0);
	report[512 + 16] ^= 1;
	CU_ASSERT_EQUAL(tdx_module_verify_report(e.m, report), -EKEYREJECTED);
	report[512 + 16] ^= 1;
	report[130] ^= 1;	/* REPORTDATA: only the MAC covers it */
	CU_ASSERT_EQUAL(tdx_module_verify_report(e.m, report), -EKEYREJECTED);
	report[130] ^= 1;
	report[0] = 0;
	CU_ASSERT_EQUAL(tdx_module_verify_report(e.m, report), -EINVAL);

	/* V3: PAGE.ADD 0x1000 + 16 MR.EXTEND of a zero page. */
	td_create(&e, &v3, e.keyid_first + 2);
	td_init(&e, &v3, 2);
	add_page(&e, &v3, 0x1000, zero, true);
	/* MR.EXTEND operands: alignment, unmapped GPA. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_EXTEND, 0x1080, v3.tdr, 0, 0), 0xC000010000000001ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_EXTEND, 0x3000, v3.tdr, 0, 0), 0xC0000B0100000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_EXTEND, 0x40000000, v3.tdr, 0, 0), 0xC0000B0000000000ull);
	finalize_and_report(&e, &v3, report, reportdata);
	CU_ASSERT_FATAL(vector("V3", want));
	CU_ASSERT_EQUAL(memcmp(report + 512 + 16, want, 48), 0);

	/* RTMR extend: V5 in RTMR0; index and alignment checks. */
	{
		uint64_t data_gpa = 0x7000000 + 3072;
		uint8_t data[48];
		for (int i = 0; i < 48; i++)
			data[i] = (uint8_t)i;
		/* Write the guest's 48 bytes into the scratch page (a private page this process backs). */
		for (uint64_t off = 0; off < e.next; off += PAGE) {
			struct tdx_module_page_info pi;
			tdx_module_page_info(e.m, e.mem_pa + off, &pi);
			if (pi.type == TDX_PT_REG && pi.owner_tdr == v3.tdr && pi.gpa == 0x7000000)
				memcpy(host(&e, e.mem_pa + off) + 3072, data, 48);
		}
		CU_ASSERT_EQUAL(tc(&e, v3.tdvpr[1], TDG_MR_RTMR_EXTEND, data_gpa, 4, 0),
				0xC000010000000002ull);
		CU_ASSERT_EQUAL(tc(&e, v3.tdvpr[1], TDG_MR_RTMR_EXTEND, data_gpa + 8, 0, 0),
				0xC000010000000001ull);
		CU_ASSERT_EQUAL(tc(&e, v3.tdvpr[1], TDG_MR_RTMR_EXTEND, data_gpa, 0, 0), 0);
		CU_ASSERT_EQUAL(tc(&e, v3.tdvpr[0], TDG_MR_REPORT, 0x7000000, 0x7000000 + 2048, 0), 0);
		for (uint64_t off = 0; off < e.next; off += PAGE) {
			struct tdx_module_page_info pi;
			tdx_module_page_info(e.m, e.mem_pa + off, &pi);
			if (pi.type == TDX_PT_REG && pi.owner_tdr == v3.tdr && pi.gpa == 0x7000000)
				memcpy(report, host(&e, e.mem_pa + off), 1024);
		}
		CU_ASSERT_FATAL(vector("V5", want));
		CU_ASSERT_EQUAL(memcmp(report + 512 + 208, want, 48), 0);
		CU_ASSERT(coco_all_zero(report + 512 + 256, 3 * 48));
	}

	/* V4: a TD with no pages (SHA-384 of nothing). */
	td_create(&e, &v4, e.keyid_first + 3);
	td_init(&e, &v4, 1);
	finalize_and_report(&e, &v4, report, reportdata);
	CU_ASSERT_FATAL(vector("V4", want));
	CU_ASSERT_EQUAL(memcmp(report + 512 + 16, want, 48), 0);
	/* A TDVPR that is not one, and a vCPU of a TD not runnable, cannot TDCALL. */
	CU_ASSERT_EQUAL(tc(&e, v4.tdr, TDG_MR_REPORT, 0, 0, 0), 0xC000070000000000ull);
	teardown_key(&e, &v1);
	teardown_key(&e, &v3);
	teardown_key(&e, &v4);
	reclaim_all(&e);
	env_close(&e);
}

static void test_tlb_tracking_and_aug(void)
{
	struct env e;
	struct td td;
	uint8_t zero[PAGE] = { 0 };
	uint64_t target, hpa;

	env_open(&e, 32);
	bring_up(&e);
	td_create(&e, &td, e.keyid_first + 1);
	td_init(&e, &td, 1);
	target = add_page(&e, &td, 0x5000, zero, false);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_AUG, 0x6000, td.tdr, page(&e), 0), 0xC000060800000000ull);
	/* The Secure-EPT walk: a missing level is reported with its level in RDX. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_ADD, 0x80000000, td.tdr, page(&e), page(&e)),
			0xC0000B0000000000ull);
	CU_ASSERT_EQUAL(args.rdx, 2);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_SEPT_ADD, 0x80000000 | 1, td.tdr, page(&e), 0),
			0xC0000B0000000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_SEPT_ADD, 0x1000 | 1, td.tdr, page(&e), 0),
			0xC000010000000001ull);	/* GPA not aligned to the level */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_SEPT_ADD, 0 | 1, td.tdr, page(&e), 0), 0xC0000B0200000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_ADD, 0x5000 | (1ull << 47), td.tdr, page(&e), page(&e)),
			0xC000010000000001ull);	/* shared GPA */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MR_FINALIZE, td.tdr, 0, 0, 0), 0);
	/* Removal needs BLOCK, then TRACK. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_REMOVE, 0x5000, td.tdr, 0, 0), 0xC0000B0600000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_BLOCK, 0x5000, td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_BLOCK, 0x5000, td.tdr, 0, 0), 0x00000B0700000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_REMOVE, 0x5000, td.tdr, 0, 0), 0xC0000B0800000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_UNBLOCK, 0x5000, td.tdr, 0, 0), 0xC0000B0800000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_TRACK, td.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_REMOVE, 0x5000, td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_RDMD, target, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(args.rcx, TDX_PT_NDA);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_REMOVE, 0x5000, td.tdr, 0, 0), 0xC0000B0100000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_PHYMEM_PAGE_WBINVD, target | ((uint64_t)td.hkid << 46), 0, 0, 0),
			0);
	/* Shared -> private again: AUG at the same GPA, the guest accepts. */
	hpa = page(&e);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_PAGE_AUG, 0x5000, td.tdr, hpa, 0), 0);
	CU_ASSERT_EQUAL(tc(&e, td.tdvpr[0], TDG_MEM_PAGE_ACCEPT, 0x5000 | 1, 0, 0),
			0xC0000B0B00000000ull);	/* mapped at 4 KiB */
	CU_ASSERT_EQUAL(tc(&e, td.tdvpr[0], TDG_MEM_PAGE_ACCEPT, 0x5000, 0, 0), 0);
	/* Block then unblock after a TRACK. */
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_UNBLOCK, 0x5000, td.tdr, 0, 0), 0xC0000B0600000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_BLOCK, 0x5000, td.tdr, 0, 0), 0);
	CU_ASSERT_EQUAL(tc(&e, td.tdvpr[0], TDG_MEM_PAGE_ACCEPT, 0x5000, 0, 0), 0xC0000B0C00000000ull);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_TRACK, td.tdr, 0, 0, 0), 0);
	CU_ASSERT_EQUAL(sc(&e, 0, TDH_MEM_RANGE_UNBLOCK, 0x5000, td.tdr, 0, 0), 0);
	teardown_key(&e, &td);
	reclaim_all(&e);
	env_close(&e);
}

static CU_TestInfo tests[] = {
	{ "damaged PAMT entries are refused, not followed", test_damaged_pamt_entries },
	{ "initialisation order, once, per LP and per package", test_init_order },
	{ "TDH.SYS.CONFIG validation, each with its status", test_config_validation },
	{ "TDH.SYS.CONFIG operands", test_config_operands },
	{ "KeyIDs: exhaustion, and reuse only after the flush sequence", test_keyids_and_flush_sequence },
	{ "PAMT ownership, RDMD and reclaim order", test_pamt_ownership },
	{ "TD_PARAMS checks and TD build states", test_td_params },
	{ "MRTD primitive vectors and TDREPORT layout", test_mrtd_vectors_and_report },
	{ "TLB tracking, removal and AUG/ACCEPT", test_tlb_tracking_and_aug },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-module-model", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

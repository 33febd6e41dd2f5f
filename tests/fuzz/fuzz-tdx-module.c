/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the TDX module model's SEAMCALL and TDCALL interface.  The
 * input is a program run on a fresh private platform (1 GiB, 2 packages x
 * 2 LPs, 8 KeyIDs): optionally the host bring-up first (so calls get past
 * TDX_SYS_NOT_READY), then SEAMCALLs with fuzzed leaves, versions, LPs and
 * registers steered into the model's memory (pages, GPA|level values,
 * KeyIDs, prepared TD_PARAMS pages), TDCALLs on fuzzed TDVPRs, and writes
 * into memory.  Besides "no crash", the model's own invariants must hold
 * afterwards: PAMT owners are live TDs, child counts match, KOT states
 * match the TDs holding KeyIDs, the SEPT index agrees with the PAMT.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/util.h"
#include "tdx/module-model.h"

#define PAGE 0x1000ull
#define MEM_SIZE (4ull << 20)
#define MEM_PAGES (MEM_SIZE / PAGE)
#define DRAM_BASE 0x100000000ull
#define DRAM_SIZE (1ull << 30)
#define PAMT_BASE (DRAM_BASE + DRAM_SIZE - (8ull << 20))

static uint8_t *mem;

struct reader {
	const uint8_t *p;
	size_t left;
};

static uint8_t next8(struct reader *r)
{
	if (!r->left)
		return 0;
	r->left--;
	return *r->p++;
}

static uint64_t next64(struct reader *r)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v |= (uint64_t)next8(r) << (8 * i);
	return v;
}

static uint64_t steer(struct reader *r, uint64_t base, uint32_t keyid_first)
{
	uint8_t sel = next8(r);

	switch (sel & 7) {
	case 0:
		return next64(r);
	case 4:
		return ((uint64_t)(next8(r) % 64) << 12 | (next8(r) % 5)) << ((sel >> 3) & 1 ? 9 : 0);
	case 5:
		return next8(r) % 4;
	case 6:
		return keyid_first + next8(r) % 8;
	case 7:
		return base + (next8(r) % 4) * PAGE;	/* prepared TD_PARAMS */
	default:
		return base + (next8(r) % MEM_PAGES) * PAGE;
	}
}

static void td_params(uint8_t *p)
{
	memset(p, 0, PAGE);
	coco_put_le64(p + 0, 1ull << 28);
	coco_put_le64(p + 8, 0x61ae7);
	coco_put_le16(p + 16, 4);
	coco_put_le64(p + 24, 0x1E);
	coco_put_le64(p + 32, 1ull << 2);
	coco_put_le16(p + 40, 84);
}

static void bring_up(struct tdx_module *m, uint64_t base, uint32_t keyid)
{
	struct tdx_module_args a = { 0 };
	uint8_t *arr = mem + 4 * PAGE, *info = mem + 5 * PAGE;
	uint64_t next = 0;

	tdx_module_seamcall(m, 0, TDH_SYS_INIT, &a);
	for (unsigned int lp = 0; lp < 4; lp++) {
		a = (struct tdx_module_args){ 0 };
		tdx_module_seamcall(m, lp, TDH_SYS_LP_INIT, &a);
	}
	coco_put_le64(arr, base + 5 * PAGE);
	coco_put_le64(info + 0, DRAM_BASE);
	coco_put_le64(info + 8, DRAM_SIZE);
	coco_put_le64(info + 48, PAMT_BASE);			/* 4K: 4 MiB */
	coco_put_le64(info + 56, 0x400000);
	coco_put_le64(info + 32, PAMT_BASE + 0x400000);		/* 2M */
	coco_put_le64(info + 40, 0x2000);
	coco_put_le64(info + 16, PAMT_BASE + 0x402000);		/* 1G */
	coco_put_le64(info + 24, 0x1000);
	coco_put_le64(info + 64, PAMT_BASE - DRAM_BASE);
	coco_put_le64(info + 72, 0x403000);
	a = (struct tdx_module_args){ .rcx = base + 4 * PAGE, .rdx = 1, .r8 = keyid };
	if (tdx_module_seamcall(m, 0, TDH_SYS_CONFIG, &a))
		abort();
	for (unsigned int pkg = 0; pkg < 2; pkg++) {
		a = (struct tdx_module_args){ 0 };
		tdx_module_seamcall(m, pkg * 2, TDH_SYS_KEY_CONFIG, &a);
	}
	while (next < DRAM_BASE + DRAM_SIZE) {
		a = (struct tdx_module_args){ .rcx = DRAM_BASE };
		if (tdx_module_seamcall(m, 0, TDH_SYS_TDMR_INIT, &a))
			abort();
		next = a.rdx;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tdx_module_config cfg = { .packages = 2, .lps_per_package = 2, .dram_gib = 1,
					 .keyids = 8 };
	struct reader r = { data, size };
	struct tdx_module *m;
	struct coco_model_platform *p;
	uint32_t first, count;
	unsigned int max_pa;
	uint64_t base;
	char why[256];
	static int trace = -1;

	if (trace < 0)
		trace = getenv("FUZZ_TDX_TRACE") != NULL;	/* show what a program does */
	if (!mem)
		mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || tdx_module_open(&cfg, &m))
		abort();
	p = tdx_module_platform(m);
	if (coco_model_platform_alloc(p, MEM_SIZE, &base) || coco_model_platform_map_local(p, base, MEM_SIZE, mem))
		abort();
	memset(mem, 0, MEM_SIZE);
	for (int i = 0; i < 4; i++)
		td_params(mem + i * PAGE);
	tdx_module_keyids(m, &first, &count, &max_pa);
	if (next8(&r) & 1)
		bring_up(m, base, first);

	for (int ops = 0; r.left && ops < 96; ops++) {
		uint8_t op = next8(&r);
		struct tdx_module_args a;

		if (op % 8 == 6) {
			uint64_t off = next64(&r) % (MEM_SIZE - 8);
			coco_put_le64(mem + off, next64(&r));
		} else if (op % 8 == 7) {
			uint64_t tdvpr = steer(&r, base, first), rax = next8(&r) % 8;
			a = (struct tdx_module_args){ .rcx = steer(&r, base, first),
						      .rdx = steer(&r, base, first),
						      .r8 = steer(&r, base, first) };
			tdx_module_tdcall(m, tdvpr, rax, &a);
		} else {
			uint8_t v = next8(&r);
			uint64_t rax = (next8(&r) % 48) | (v & 0x80 ? 1ull << 16 : 0) |
				       (v == 0x7F ? 1ull << 24 : 0);
			unsigned int lp = next8(&r) % 5;	/* one LP beyond the topology */
			a = (struct tdx_module_args){ .rcx = steer(&r, base, first),
						      .rdx = steer(&r, base, first),
						      .r8 = steer(&r, base, first),
						      .r9 = steer(&r, base, first) };
			uint64_t st = tdx_module_seamcall(m, lp, rax, &a);
			if (trace)
				fprintf(stderr, "SEAMCALL %llu on LP %u: 0x%016llx %s\n",
					(unsigned long long)rax, lp, (unsigned long long)st,
					tdx_module_last_detail(m));
		}
	}
	if (!tdx_module_check_invariants(m, why, sizeof(why))) {
		fprintf(stderr, "TDX module model invariant broken: %s\n", why);
		abort();
	}
	coco_model_platform_unmap_local(p, base);
	tdx_module_close(m);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the SEV-SNP firmware model's command interface.  The input
 * is a program of host operations — PSP commands with fuzzed command
 * buffers (addresses steered into the model's memory so commands get past
 * their first checks), RMPUPDATE, PSMASH, WBINVD — run on a fresh private
 * platform.  Besides "no crash", the platform's invariants must hold after
 * every operation: a firmware that loses track of its own state is a bug
 * even when nothing crashes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sev-snp/psp-cmdbuf.h"
#include "sev-snp/psp-model.h"
#include "sev-snp/snp-defs.h"

#define PAGE 0x1000ull
#define MEM_SIZE (4ull << 20)
#define MEM_PAGES (MEM_SIZE / PAGE)

static uint8_t *mem;
static uint64_t mem_base;	/* system physical address of mem */

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

/* Most addresses land on a page of the model memory, some keep odd low bits or stay wild. */
static uint64_t steer(uint64_t base, uint64_t raw)
{
	switch (raw & 7) {
	case 0:
		return raw;				/* anything at all */
	case 1:
		return base + ((raw >> 3) % MEM_PAGES) * PAGE + ((raw >> 20) & 0xfff);
	default:
		return base + ((raw >> 3) % MEM_PAGES) * PAGE;
	}
}

static void check_invariants(struct snp_platform *p)
{
	const struct snp_platform_shared *sh = p->sh;
	unsigned int contexts = 0, launched = 0;

	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++) {
		const struct snp_model_gctx *g = &sh->gctx[i];
		struct rmp_view v;
		if (!g->gctx_paddr)
			continue;
		contexts++;
		launched += g->state != SNP_GSTATE_INIT;
		rmp_lookup(&p->rmp, g->gctx_paddr, &v);
		if (v.state != RMP_STATE_CONTEXT) {
			fprintf(stderr, "guest context 0x%llx is in RMP state %s\n",
				(unsigned long long)g->gctx_paddr, rmp_state_name(v.state));
			abort();
		}
		if (g->state > SNP_GSTATE_RUNNING || g->asid > sh->max_snp_asid)
			abort();
		if (g->asid && sh->asid_state[g->asid] != SNP_ASID_ALLOCATED &&
		    sh->asid_state[g->asid] != SNP_ASID_IN_USE) {
			fprintf(stderr, "guest on ASID %u but the ASID is in state %u\n", g->asid,
				sh->asid_state[g->asid]);
			abort();
		}
		for (unsigned int j = 0; j < i; j++)
			if (sh->gctx[j].gctx_paddr == g->gctx_paddr ||
			    (g->asid && sh->gctx[j].asid == g->asid))
				abort();	/* two contexts on one page or one ASID */
	}
	/*
	 * SNP_INIT resets the count while contexts of guests launched before a
	 * SHUTDOWN survive in their pages (AMD-ASPFW behaves the same), so the
	 * count may trail the guests, never exceed them.
	 */
	if (sh->guest_count > launched) {
		fprintf(stderr, "guest_count %u, launched guests %u\n", sh->guest_count, launched);
		abort();
	}
	/*
	 * The RMP's per-ASID counters agree with its entries.  Only the pages of
	 * the harness's memory can be given to a guest (RMPUPDATE targets them),
	 * so counting those must account for every counter.
	 */
	uint64_t counted[RMP_ASID_COUNTERS] = { 0 };
	uint64_t first = (mem_base - p->rmp.base) / PAGE;
	for (uint64_t i = first; i < first + MEM_PAGES; i++) {
		const struct rmp_entry *e = &p->rmp.entries[i];
		uint32_t asid = (uint32_t)((e->lo & RMP_ASID_MASK) >> RMP_ASID_SHIFT);
		if ((e->lo & RMP_ASSIGNED) && asid)
			counted[asid] += (e->lo & RMP_PAGESIZE_2M) ? 512 : 1;
	}
	for (uint32_t a = 0; a < RMP_ASID_COUNTERS; a++)
		if (counted[a] != rmp_asid_pages(&p->rmp, a)) {
			fprintf(stderr, "ASID %u: RMP counter %llu, entries %llu\n", a,
				(unsigned long long)rmp_asid_pages(&p->rmp, a),
				(unsigned long long)counted[a]);
			abort();
		}
	bool owners[SNP_MODEL_MAX_ASIDS + 1] = { false };
	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++)
		if (sh->gctx[i].gctx_paddr && sh->gctx[i].asid <= SNP_MODEL_MAX_ASIDS)
			owners[sh->gctx[i].asid] = true;
	for (uint32_t a = 1; a <= SNP_MODEL_MAX_ASIDS; a++) {
		bool owned = owners[a];
		if (sh->asid_state[a] > SNP_ASID_DIRTY)
			abort();
		/* An ASID is bound exactly when a guest holds it. */
		if (owned != (sh->asid_state[a] == SNP_ASID_ALLOCATED ||
			      sh->asid_state[a] == SNP_ASID_IN_USE)) {
			fprintf(stderr, "ASID %u state %u, owned %d\n", a, sh->asid_state[a], owned);
			abort();
		}
	}
	(void)contexts;
}

/* Offsets of address fields in each command buffer. */
static const struct {
	uint32_t cmd;
	size_t len;
	uint8_t addr_offsets[4];
	uint8_t naddr;
} commands[] = {
	{ SNP_CMD_INIT_EX, sizeof(struct snp_cmd_init_ex), { 8 }, 1 },
	{ SNP_CMD_SHUTDOWN_EX, sizeof(struct snp_cmd_shutdown_ex), { 0 }, 0 },
	{ SNP_CMD_PLATFORM_STATUS, sizeof(struct snp_cmd_platform_status), { 0 }, 1 },
	{ SNP_CMD_DF_FLUSH, 0, { 0 }, 0 },
	{ SNP_CMD_GCTX_CREATE, sizeof(struct snp_cmd_gctx), { 0 }, 1 },
	{ SNP_CMD_DECOMMISSION, sizeof(struct snp_cmd_gctx), { 0 }, 1 },
	{ SNP_CMD_ACTIVATE, sizeof(struct snp_cmd_activate), { 0 }, 1 },
	{ SNP_CMD_GUEST_STATUS, sizeof(struct snp_cmd_guest_status), { 0, 8 }, 2 },
	{ SNP_CMD_LAUNCH_START, sizeof(struct snp_cmd_launch_start), { 0, 0x10 }, 2 },
	{ SNP_CMD_LAUNCH_UPDATE, sizeof(struct snp_cmd_launch_update), { 0, 0x10 }, 2 },
	{ SNP_CMD_LAUNCH_FINISH, sizeof(struct snp_cmd_launch_finish), { 0, 8, 0x10 }, 3 },
	{ SNP_CMD_GUEST_REQUEST, sizeof(struct snp_cmd_guest_request), { 0, 8, 0x10 }, 3 },
	{ SNP_CMD_PAGE_RECLAIM, sizeof(struct snp_cmd_page_reclaim), { 0 }, 1 },
	{ SNP_CMD_PAGE_UNSMASH, 8, { 0 }, 1 },	/* absent from the model: INVALID_COMMAND */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct snp_platform_config cfg = { .max_asids = 4, .dram_gib = 1 };
	struct reader r = { data, size };
	struct snp_platform *p;
	struct psp psp;
	uint64_t base;

	if (!mem)
		mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED || snp_platform_open(NULL, &cfg, &p))
		abort();
	psp = (struct psp){ &psp_model_transport, p };
	if (snp_platform_alloc(p, MEM_SIZE, &base) || snp_platform_map_local(p, base, MEM_SIZE, mem))
		abort();
	mem_base = base;
	memset(mem, 0, MEM_SIZE);

	for (int ops = 0; r.left && ops < 64; ops++) {
		uint8_t op = next8(&r);
		size_t n = sizeof(commands) / sizeof(commands[0]);

		if (op % (n + 3) == n) {
			struct rmp_update_state st;
			uint8_t flags = next8(&r);
			uint64_t page = base + (next8(&r) % MEM_PAGES) * PAGE;
			st.assigned = flags & 1;
			st.immutable = flags & 2;
			st.large = flags & 4;
			st.asid = (flags >> 3) % 6;
			st.gpa = (uint64_t)next8(&r) * (st.large ? 0x200000 : PAGE);
			if (st.large)
				page &= ~(0x200000ull - 1);
			snp_model_rmpupdate(p, page, &st);
		} else if (op % (n + 3) == n + 1) {
			snp_model_psmash(p, base + (next8(&r) % 2) * 0x200000);
		} else if (op % (n + 3) == n + 2) {
			snp_model_wbinvd(p);
		} else {
			uint8_t buf[0x40] = { 0 };
			size_t k = op % (n + 3);
			uint32_t status;

			for (size_t i = 0; i < commands[k].len; i++)
				buf[i] = next8(&r);
			for (unsigned int a = 0; a < commands[k].naddr; a++) {
				uint64_t v;
				memcpy(&v, buf + commands[k].addr_offsets[a], 8);
				v = steer(base, v);
				memcpy(buf + commands[k].addr_offsets[a], &v, 8);
			}
			/* Fill the page a command reads with fuzz bytes now and then. */
			if (r.left > 16 && (op & 0x80)) {
				uint64_t page = next64(&r) % MEM_PAGES;
				for (size_t i = 0; i < 64 && r.left; i++)
					mem[page * PAGE + i * 61 % PAGE] = next8(&r);
			}
			psp_cmd(&psp, commands[k].cmd, commands[k].len ? buf : NULL, commands[k].len,
				&status);
		}
		check_invariants(p);
	}
	snp_platform_unmap_local(p, base);
	snp_platform_close(p);
	return 0;
}

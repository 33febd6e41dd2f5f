/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDX-only conformance cases, beside the vendor-neutral suite
 * (conformance.c, which stays free of vendor words).  They run against the
 * "tdx-model" backend through the library (coco_host_open, coco_vm_*) and
 * reach the TDX module underneath (tdx/backend-model.h) only where a case
 * must: to issue the SEAMCALL a well-behaved host never would, or to read
 * the PAMT.  Every status is asserted exactly, as ../shared/specs/tdx.md
 * 1.3 and 2 give it; where the library refuses, its message names why.
 *
 *   1. module init order: SYS.INIT, LP.INIT on every LP, SYS.CONFIG,
 *      KEY.CONFIG per package, TDMR.INIT, and what the module answers to
 *      each step taken too early (probed in the middle of Linux's own
 *      bring-up, with Linux's own arguments).
 *   2. init once: a brought-up module refuses every init leaf; a second
 *      enable issues no SEAMCALL; a failed enable is final (-EINVAL).
 *   3. KeyID exhaustion and reclaim through the public API.
 *   4. PAMT ownership between two TDs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <coco/coco.h>

#include "tdx/backend-model.h"
#include "tdx/module-model.h"
#include "tdx/seamcall.h"
#include "tdx/tdx-host.h"
#include "tests/common/test-main.h"

#define PAGE 4096ull
#define MiB (1024ull * 1024)
#define IMAGE_GPA 0x100000ull		/* where every VM here gets its two measured pages */
#define FREE_GPA (IMAGE_GPA + 2 * PAGE)	/* unmapped, under the same Secure-EPT tables */
/* Model DRAM the cases run with: small enough to search the PAMT page by page. */
#define CASES_DRAM_GIB "4"

/* ------------------------------------------------------------------ */
/* Helpers                                                              */

/* Assert a SEAMCALL's status exactly; on mismatch say which call, both names, and why. */
#define EXPECT_STATUS(m, got, want, what) expect_status((m), (got), (want), (what), __LINE__)

static void expect_status(struct tdx_module *m, uint64_t got, uint64_t want, const char *what,
			  unsigned int line)
{
	CU_assertImplementation(got == want, line, what, __FILE__, "", CU_FALSE);
	if (got != want)
		fprintf(stderr, "\n  line %u, %s: 0x%016llX (%s), expected 0x%016llX (%s) "
			"[module: %s]\n", line, what, (unsigned long long)got,
			tdx_status_name(got) ? tdx_status_name(got) : "?", (unsigned long long)want,
			tdx_status_name(want) ? tdx_status_name(want) : "?",
			tdx_module_last_detail(m));
}

static uint64_t seam(struct tdx_module *m, unsigned int lp, uint64_t leaf, uint64_t rcx,
		     uint64_t rdx, uint64_t r8, uint64_t r9, struct tdx_module_args *out)
{
	struct tdx_module_args a = { .rcx = rcx, .rdx = rdx, .r8 = r8, .r9 = r9 };
	uint64_t st = tdx_module_seamcall(m, lp, leaf, &a);

	if (out)
		*out = a;
	return st;
}

static void expect_invariants(struct tdx_module *m)
{
	char why[256] = "";
	bool ok = tdx_module_check_invariants(m, why, sizeof(why));

	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\n  module model invariant broken: %s\n", why);
}

/* A fresh module on its own private platform: 2 packages x 2 LPs, 2 GiB, 8 KeyIDs. */
static struct tdx_module *fresh_module(void)
{
	struct tdx_module_config cfg = { .packages = 2, .lps_per_package = 2, .dram_gib = 2,
					 .keyids = 8 };
	struct tdx_module *m = NULL;

	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&cfg, &m), 0);
	return m;
}

static struct coco_host *open_host(uint32_t max_guests)
{
	struct coco_host_options o = { .private_platform = true, .model_max_guests = max_guests };
	struct coco_host *h = NULL;
	int ret = coco_host_open("tdx-model", &o, &h);

	if (ret)
		fprintf(stderr, "\n  coco_host_open(tdx-model): %s\n", coco_last_error());
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tdx_model_module(h));
	return h;
}

static uint8_t image[2 * PAGE];

static void vm_config(struct coco_vm_config *c, const char *name)
{
	coco_vm_config_init(c, COCO_VENDOR_INTEL_TDX);
	c->name = name;
	c->memory_size = 16 * MiB;
	c->vcpus = 1;
}

/* A VM through the public API, launched with two measured pages at IMAGE_GPA. */
static struct coco_vm *launch_vm(struct coco_host *h, const char *name)
{
	const struct coco_region r = { .gpa = IMAGE_GPA, .size = sizeof(image),
				       .type = COCO_PAGE_MEASURED, .data = image,
				       .data_len = sizeof(image), .label = "image" };
	const struct coco_vcpu_desc v = { .index = 0 };
	struct coco_launch_plan *plan = NULL;
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;
	int ret;

	vm_config(&c, name);
	ret = coco_vm_create(h, &c, &vm);
	if (!ret)
		ret = coco_plan_new(&plan);
	if (!ret)
		ret = coco_plan_add_region(plan, &r);
	if (!ret)
		ret = coco_plan_add_vcpu(plan, &v);
	if (!ret)
		ret = coco_vm_launch_plan(vm, plan);
	coco_plan_free(plan);
	if (ret) {
		fprintf(stderr, "\n  launching %s: %s\n", name, coco_last_error());
		if (vm)
			coco_vm_destroy(vm);
		CU_FAIL_FATAL("launch failed");
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(tdx_model_td(vm));
	return vm;
}

static struct coco_caps caps_of(struct coco_host *h)
{
	struct coco_caps caps;

	CU_ASSERT_EQUAL_FATAL(coco_host_get_caps(h, &caps), 0);
	return caps;
}

static const char *caps_detail(const struct coco_caps *caps, const char *key)
{
	for (unsigned int i = 0; i < caps->ndetails; i++)
		if (!strcmp(caps->details[i].key, key))
			return caps->details[i].value;
	return "";
}

/* A SEAMCALL function that counts the calls it forwards to the module. */
struct counter {
	struct tdx_module *m;
	unsigned int calls;
};

static uint64_t counting_seamcall(void *ctx, unsigned int lp, uint64_t rax,
				  struct tdx_module_args *a)
{
	struct counter *c = ctx;

	c->calls++;
	return tdx_module_seamcall(c->m, lp, rax, a);
}

static const char *counting_detail(void *ctx)
{
	return tdx_module_last_detail(((struct counter *)ctx)->m);
}

static void counting_env(struct counter *c, struct tdx_module *m, struct tdx_host_env *env)
{
	*c = (struct counter){ .m = m };
	tdx_host_env_model(m, env);
	env->seamcall = counting_seamcall;
	env->detail = counting_detail;
	env->tdcall = NULL;
	env->ctx = c;
}

/* ------------------------------------------------------------------ */
/* 1. Module initialisation order                                       */

/*
 * Linux's bring-up (tdx_host_enable) on a fresh module, through a SEAMCALL
 * function that watches the order of what Linux issues and, at each step,
 * first tries what the module must refuse at that point - with the
 * arguments Linux is about to use, so the only thing wrong with a probe is
 * its timing.  The last LP's TDH.SYS.LP.INIT is held back until Linux's
 * TDH.SYS.CONFIG arrives, so that valid configuration is first offered
 * while one LP is still uninitialised.
 */
struct order_probe {
	struct tdx_module *m;
	unsigned int npkgs, lps_per_pkg, nlps;
	uint32_t keyid_first;
	bool sys_init_done, enabled;
	bool lp_init[TDX_MODEL_MAX_LPS];
	unsigned int lp_inits, configs, tdmr_inits, calls;
	uint32_t pkg_keys;		/* packages whose TDH.SYS.KEY.CONFIG Linux issued */
	bool held;			/* the last LP's LP.INIT, not yet forwarded */
	unsigned int refused;		/* Linux's calls the module refused */
};

static uint64_t order_seamcall(void *ctx, unsigned int lp, uint64_t rax,
			       struct tdx_module_args *a)
{
	struct order_probe *p = ctx;
	struct tdx_module *m = p->m;
	uint64_t leaf = rax & TDX_LEAF_MASK, st;
	uint32_t all_pkgs = (1u << p->npkgs) - 1;

	if (p->enabled)
		return tdx_module_seamcall(m, lp, rax, a);
	p->calls++;
	switch (leaf) {
	case TDH_SYS_INIT:
		CU_ASSERT_EQUAL(p->calls, 1);	/* the first thing Linux does */
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0, NULL),
			      TDX_SYS_LP_INIT_NOT_DONE, "TDH.SYS.RD before the LP's TDH.SYS.LP.INIT");
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_LP_INIT, 0, 0, 0, 0, NULL),
			      TDX_SYS_LP_INIT_NOT_PENDING, "TDH.SYS.LP.INIT before TDH.SYS.INIT");
		EXPECT_STATUS(m, seam(m, lp, TDH_MNG_CREATE, 0, p->keyid_first + 1, 0, 0, NULL),
			      TDX_SYS_LP_INIT_NOT_DONE, "a TD leaf on an uninitialised LP");
		break;
	case TDH_SYS_LP_INIT:
		CU_ASSERT(p->sys_init_done);
		CU_ASSERT(lp < p->nlps && !p->lp_init[lp]);	/* once per LP */
		if (lp >= p->nlps)
			break;	/* the module answers for itself */
		p->lp_init[lp] = true;
		p->lp_inits++;
		if (lp == p->nlps - 1 && p->lp_inits == p->nlps) {
			p->held = true;
			return TDX_SUCCESS;
		}
		break;
	case TDH_SYS_RD:
		CU_ASSERT(lp < p->nlps && p->lp_init[lp]);
		break;
	case TDH_SYS_CONFIG: {
		struct tdx_module_args same = *a;
		CU_ASSERT_EQUAL(p->lp_inits, p->nlps);
		CU_ASSERT_EQUAL(p->configs, 0);
		/* (No assertion here may be fatal: a longjmp would leave tdx_host_enable midway.) */
		CU_ASSERT(p->held);
		if (!p->held)
			goto forward;
		EXPECT_STATUS(m, tdx_module_seamcall(m, lp, rax, &same), TDX_SYS_CONFIG_NOT_PENDING,
			      "TDH.SYS.CONFIG (Linux's configuration) before every LP ran LP.INIT");
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL),
			      TDX_SYS_KEY_CONFIG_NOT_PENDING, "TDH.SYS.KEY.CONFIG before TDH.SYS.CONFIG");
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_TDMR_INIT, TDX_MODEL_DRAM_BASE, 0, 0, 0, NULL),
			      TDX_SYS_NOT_READY, "TDH.SYS.TDMR.INIT before SYS_READY");
		EXPECT_STATUS(m, seam(m, lp, TDH_MNG_CREATE, 0, p->keyid_first + 1, 0, 0, NULL),
			      TDX_SYS_NOT_READY, "TDH.MNG.CREATE before SYS_READY");
		/* Now the held-back LP, then Linux's own call. */
		EXPECT_STATUS(m, seam(m, p->nlps - 1, TDH_SYS_LP_INIT, 0, 0, 0, 0, NULL), TDX_SUCCESS,
			      "the held-back TDH.SYS.LP.INIT");
		p->held = false;
forward:
		st = tdx_module_seamcall(m, lp, rax, a);
		p->configs++;
		if (st == TDX_SUCCESS) {
			same = (struct tdx_module_args){ .rcx = a->rcx, .rdx = a->rdx, .r8 = a->r8 };
			EXPECT_STATUS(m, tdx_module_seamcall(m, lp, rax, &same),
				      TDX_SYS_CONFIG_NOT_PENDING, "TDH.SYS.CONFIG a second time");
			EXPECT_STATUS(m, seam(m, 0, TDH_SYS_LP_INIT, 0, 0, 0, 0, NULL),
				      TDX_SYS_LP_INIT_NOT_PENDING, "TDH.SYS.LP.INIT after TDH.SYS.CONFIG");
		}
		p->refused += st != TDX_SUCCESS;
		return st;
	}
	case TDH_SYS_KEY_CONFIG: {
		uint32_t pkg = lp / p->lps_per_pkg;
		CU_ASSERT_EQUAL(p->configs, 1);
		CU_ASSERT(!(p->pkg_keys & (1u << pkg)));	/* one LP per package */
		p->pkg_keys |= 1u << pkg;
		st = tdx_module_seamcall(m, lp, rax, a);
		p->refused += st != TDX_SUCCESS;
		if (st == TDX_SUCCESS && p->pkg_keys != all_pkgs) {
			EXPECT_STATUS(m, seam(m, lp, TDH_SYS_TDMR_INIT, TDX_MODEL_DRAM_BASE, 0, 0, 0, NULL),
				      TDX_SYS_NOT_READY, "TDH.SYS.TDMR.INIT before every package's key");
			EXPECT_STATUS(m, seam(m, lp, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL),
				      TDX_KEY_CONFIGURED, "TDH.SYS.KEY.CONFIG twice on one package");
		}
		return st;
	}
	case TDH_SYS_TDMR_INIT:
		CU_ASSERT_EQUAL(p->pkg_keys, all_pkgs);
		p->tdmr_inits++;
		break;
	default:
		CU_FAIL("tdx_host_enable issued a leaf outside the bring-up");
		break;
	}
	st = tdx_module_seamcall(m, lp, rax, a);
	if (leaf == TDH_SYS_INIT && st == TDX_SUCCESS) {
		p->sys_init_done = true;
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_INIT, 0, 0, 0, 0, NULL), TDX_SYS_INIT_NOT_PENDING,
			      "TDH.SYS.INIT twice");
	}
	if (leaf == TDH_SYS_LP_INIT && st == TDX_SUCCESS && lp == 0) {
		EXPECT_STATUS(m, seam(m, 0, TDH_SYS_LP_INIT, 0, 0, 0, 0, NULL), TDX_SYS_LP_INIT_DONE,
			      "TDH.SYS.LP.INIT twice on one LP");
		EXPECT_STATUS(m, seam(m, 1, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0, NULL),
			      TDX_SYS_LP_INIT_NOT_DONE, "TDH.SYS.RD on an LP not initialised yet");
		EXPECT_STATUS(m, seam(m, 0, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0, NULL), TDX_SUCCESS,
			      "TDH.SYS.RD on an initialised LP");
	}
	/* TDX_TDMR_ALREADY_INITIALIZED is a warning Linux may end its loop on. */
	p->refused += st != TDX_SUCCESS && st != TDX_TDMR_ALREADY_INITIALIZED;
	return st;
}

static const char *order_detail(void *ctx)
{
	return tdx_module_last_detail(((struct order_probe *)ctx)->m);
}

static void test_init_order(void)
{
	struct order_probe p = { 0 };
	struct tdx_host_env env;
	struct tdx_host *h = NULL;
	struct tdx_host_td *td = NULL;
	unsigned int max_pa;
	uint32_t keyids;
	int ret;

	p.m = fresh_module();
	tdx_module_topology(p.m, &p.npkgs, &p.lps_per_pkg);
	p.nlps = p.npkgs * p.lps_per_pkg;
	tdx_module_keyids(p.m, &p.keyid_first, &keyids, &max_pa);
	tdx_host_env_model(p.m, &env);
	env.seamcall = order_seamcall;
	env.detail = order_detail;
	env.tdcall = NULL;
	env.ctx = &p;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h), 0);

	ret = tdx_host_enable(h);
	if (ret)
		fprintf(stderr, "\n  tdx_host_enable: %s\n", coco_last_error());
	CU_ASSERT_EQUAL(ret, 0);
	p.enabled = true;
	/* Linux's order was the module's: nothing it issued was refused, every step was taken. */
	CU_ASSERT_EQUAL(p.refused, 0);
	CU_ASSERT(p.sys_init_done);
	CU_ASSERT_EQUAL(p.lp_inits, p.nlps);
	CU_ASSERT_FALSE(p.held);
	CU_ASSERT_EQUAL(p.configs, 1);
	CU_ASSERT_EQUAL(p.pkg_keys, (1u << p.npkgs) - 1);
	CU_ASSERT(p.tdmr_inits > 0);
	/* SYS_READY: what was refused before now works. */
	EXPECT_STATUS(p.m, seam(p.m, p.nlps - 1, TDH_SYS_RD, 0, TDX_MD_MAX_TDMRS, 0, 0, NULL),
		      TDX_SUCCESS, "TDH.SYS.RD on the held-back LP");
	CU_ASSERT_EQUAL(tdx_host_td_create_keyed(h, 1, &td), 0);
	if (td) {
		CU_ASSERT_EQUAL(tdx_host_td_keyid(td), p.keyid_first + 1);
		CU_ASSERT_EQUAL(tdx_host_td_destroy(td), 0);
	}
	expect_invariants(p.m);
	tdx_host_close(h);
	tdx_module_close(p.m);
}

/* ------------------------------------------------------------------ */
/* 2. Initialised once                                                  */

static void test_init_once(void)
{
	struct coco_host *host = open_host(0), *second = NULL;
	struct coco_host_options o = { .private_platform = true };
	struct tdx_module *m = tdx_model_module(host);
	struct tdx_host_env env;
	struct tdx_host *h2 = NULL;
	struct counter count;
	struct coco_caps before = caps_of(host), after;
	uint32_t first, keyids;
	unsigned int max_pa;
	struct coco_vm *vm;

	/* The backend's module is up: every init leaf is refused, on any LP. */
	tdx_host_env_model(m, &env);
	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_INIT, 0, 0, 0, 0, NULL), TDX_SYS_INIT_NOT_PENDING,
		      "TDH.SYS.INIT on a module brought up by coco_host_open");
	for (unsigned int lp = 0; lp < env.packages * env.lps_per_package; lp++)
		EXPECT_STATUS(m, seam(m, lp, TDH_SYS_LP_INIT, 0, 0, 0, 0, NULL),
			      TDX_SYS_LP_INIT_NOT_PENDING, "TDH.SYS.LP.INIT after bring-up");
	/* (The module's state is checked before SYS.CONFIG's operands: no array needed.) */
	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_CONFIG, 0, 1, env.keyid_first, 0, NULL),
		      TDX_SYS_CONFIG_NOT_PENDING, "TDH.SYS.CONFIG after bring-up");
	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_KEY_CONFIG, 0, 0, 0, 0, NULL),
		      TDX_SYS_KEY_CONFIG_NOT_PENDING, "TDH.SYS.KEY.CONFIG after bring-up");
	CU_ASSERT_FATAL(env.shared->nr_tdmrs > 0);
	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_TDMR_INIT, env.shared->tdmr_base[0], 0, 0, 0, NULL),
		      TDX_TDMR_ALREADY_INITIALIZED, "TDH.SYS.TDMR.INIT of an initialised TDMR");

	/* Enabling again - this handle, or another process's on the same module - issues nothing. */
	CU_ASSERT_EQUAL(tdx_host_enable(tdx_model_host(host)), 0);
	counting_env(&count, m, &env);
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h2), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h2), 0);
	CU_ASSERT_EQUAL(count.calls, 0);
	tdx_host_close(h2);
	/*
	 * A second coco_host_open: "tdx-model" platforms are private, so it brings up a
	 * module of its own; the first is untouched and both offer the same KeyIDs.
	 */
	CU_ASSERT_EQUAL_FATAL(coco_host_open("tdx-model", &o, &second), 0);
	CU_ASSERT(tdx_model_module(second) != m);
	after = caps_of(second);
	CU_ASSERT_EQUAL(after.max_guests, before.max_guests);
	CU_ASSERT_STRING_EQUAL(caps_detail(&after, "tdx.private_keyids"),
			       caps_detail(&before, "tdx.private_keyids"));
	coco_host_close(second);
	after = caps_of(host);
	CU_ASSERT_STRING_EQUAL(caps_detail(&after, "tdx.private_keyids"),
			       caps_detail(&before, "tdx.private_keyids"));
	tdx_module_keyids(m, &first, &keyids, &max_pa);
	CU_ASSERT_EQUAL(env.shared->global_keyid, first);
	vm = launch_vm(host, "after-second-enable");
	CU_ASSERT_EQUAL(tdx_host_td_keyid(tdx_model_td(vm)), first + 1);
	coco_vm_destroy(vm);
	expect_invariants(m);
	coco_host_close(host);
}

/*
 * Linux's sticky error: an enable that failed (here Linux offers a global
 * KeyID outside the module's private range, which TDH.SYS.CONFIG refuses)
 * leaves TDX off for the boot - every later enable, by any handle, is
 * -EINVAL without a SEAMCALL, and no TD can be created.
 */
static void test_failed_enable_is_final(void)
{
	struct tdx_module *m = fresh_module();
	struct tdx_host_env env, good_env;
	struct tdx_host *bad = NULL, *good = NULL;
	struct tdx_host_td *td = NULL;
	struct counter count;
	unsigned int calls;

	counting_env(&count, m, &env);
	env.keyid_first -= 1;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &bad), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(bad), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(),
				      "TDH.SYS.CONFIG: TDX_OPERAND_INVALID 0xC000010000000008"));
	calls = count.calls;
	CU_ASSERT(calls > 0);
	CU_ASSERT_EQUAL(tdx_host_enable(bad), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "failed to initialise earlier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_OPERAND_INVALID"));
	CU_ASSERT_EQUAL(count.calls, calls);	/* Linux does not try again */
	/* A correctly configured handle on the same module is refused as well. */
	tdx_host_env_model(m, &good_env);
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&good_env, &good), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(good), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "failed to initialise earlier"));
	CU_ASSERT_EQUAL(tdx_host_td_create_keyed(good, 1, &td), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "not initialised"));
	/* The module itself never got past SYS.INIT / LP.INIT: no TD leaf is served. */
	EXPECT_STATUS(m, seam(m, 0, TDH_MNG_CREATE, 0, good_env.keyid_first + 1, 0, 0, NULL),
		      TDX_SYS_NOT_READY, "TDH.MNG.CREATE after the failed bring-up");
	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_INIT, 0, 0, 0, 0, NULL), TDX_SYS_INIT_NOT_PENDING,
		      "TDH.SYS.INIT after the failed bring-up");
	tdx_host_close(good);
	tdx_host_close(bad);
	tdx_module_close(m);
}

/* ------------------------------------------------------------------ */
/* 3. KeyIDs: exhaustion, and reuse only after teardown                 */

static void test_keyid_exhaustion_and_reclaim(void)
{
	struct coco_host *host = open_host(2);
	struct tdx_module *m = tdx_model_module(host);
	struct tdx_host *th = tdx_model_host(host);
	struct coco_vm *a, *b, *c = NULL;
	struct coco_vm_config cfg;
	struct coco_caps caps = caps_of(host);
	uint64_t a_tdr;
	uint32_t a_keyid;

	CU_ASSERT_EQUAL(caps.max_guests, 2);
	a = launch_vm(host, "a");
	b = launch_vm(host, "b");
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(th), 2);
	CU_ASSERT_EQUAL(caps_of(host).active_guests, 2);
	CU_ASSERT_NOT_EQUAL(tdx_host_td_keyid(tdx_model_td(a)), tdx_host_td_keyid(tdx_model_td(b)));

	vm_config(&cfg, "c");
	CU_ASSERT_EQUAL(coco_vm_create(host, &cfg, &c), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "KeyID"));
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(th), 2);	/* the refusal took nothing */

	/* A live TD's KeyID cannot be freed: the teardown sequence comes first. */
	a_tdr = tdx_host_td_tdr(tdx_model_td(a));
	a_keyid = tdx_host_td_keyid(tdx_model_td(a));
	EXPECT_STATUS(m, seam(m, 0, TDH_MNG_KEY_FREEID, a_tdr, 0, 0, 0, NULL),
		      TDX_LIFECYCLE_STATE_INCORRECT, "TDH.MNG.KEY.FREEID of a live TD");
	EXPECT_STATUS(m, seam(m, 0, TDH_MNG_VPFLUSHDONE, a_tdr, 0, 0, 0, NULL), TDX_FLUSHVP_NOT_DONE,
		      "TDH.MNG.VPFLUSHDONE while the TD's vCPU is associated");
	EXPECT_STATUS(m, seam(m, 0, TDH_MNG_KEY_FREEID, a_tdr, 0, 0, 0, NULL),
		      TDX_LIFECYCLE_STATE_INCORRECT, "TDH.MNG.KEY.FREEID before VPFLUSHDONE");
	CU_ASSERT_EQUAL(coco_vm_create(host, &cfg, &c), -EBUSY);

	/* coco_vm_destroy runs the sequence; then the KeyID is free and taken again. */
	coco_vm_destroy(a);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(th), 1);
	CU_ASSERT_EQUAL(caps_of(host).active_guests, 1);
	c = launch_vm(host, "c");
	CU_ASSERT_EQUAL(tdx_host_td_keyid(tdx_model_td(c)), a_keyid);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(th), 2);
	expect_invariants(m);
	coco_vm_destroy(b);
	coco_vm_destroy(c);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(th), 0);
	coco_host_close(host);
}

/* ------------------------------------------------------------------ */
/* 4. PAMT ownership                                                    */

/* The HPA of the private page @owner_tdr maps at @gpa (the PAMT searched page by page). */
static uint64_t private_page_of(struct tdx_module *m, uint64_t owner_tdr, uint64_t gpa)
{
	struct tdx_module_args cmrs;

	EXPECT_STATUS(m, seam(m, 0, TDH_SYS_RD, 0, TDX_MD_NUM_CMRS, 0, 0, &cmrs), TDX_SUCCESS,
		      "TDH.SYS.RD of NUM_CMRS");
	for (uint64_t i = 0; i < cmrs.r8; i++) {
		struct tdx_module_args base, size;
		if (seam(m, 0, TDH_SYS_RD, 0, TDX_MD_CMR_BASE(i), 0, 0, &base) != TDX_SUCCESS ||
		    seam(m, 0, TDH_SYS_RD, 0, TDX_MD_CMR_SIZE(i), 0, 0, &size) != TDX_SUCCESS)
			break;
		for (uint64_t pa = base.r8; pa < base.r8 + size.r8; pa += PAGE) {
			struct tdx_module_page_info pi;
			tdx_module_page_info(m, pa, &pi);
			if (pi.type == TDX_PT_REG && pi.owner_tdr == owner_tdr && pi.gpa == gpa)
				return pa;
		}
	}
	return 0;
}

/* TDH.PHYMEM.PAGE.RDMD of @pa: expects success, gives type and owner. */
static void rdmd(struct tdx_module *m, uint64_t pa, uint64_t *type, uint64_t *owner)
{
	struct tdx_module_args out;

	EXPECT_STATUS(m, seam(m, 0, TDH_PHYMEM_PAGE_RDMD, pa, 0, 0, 0, &out), TDX_SUCCESS,
		      "TDH.PHYMEM.PAGE.RDMD");
	*type = out.rcx;
	*owner = out.rdx;
}

static void test_pamt_ownership(void)
{
	struct coco_host *host = open_host(0);
	struct tdx_module *m = tdx_model_module(host);
	struct coco_model_platform *plat = tdx_module_platform(m);
	struct coco_vm *a = launch_vm(host, "a"), *b = launch_vm(host, "b"), *c = NULL;
	struct coco_vm_config cfg;
	const struct coco_region one = { .gpa = IMAGE_GPA, .size = PAGE, .type = COCO_PAGE_MEASURED,
					 .data = image, .data_len = PAGE };
	struct coco_evidence *ev = NULL;
	uint8_t rd[COCO_REPORT_DATA_SIZE] = { 0 };
	uint64_t a_tdr, b_tdr, c_tdr, a_page, type, owner, src_spa = 0;
	uint8_t *src = MAP_FAILED;

	a_tdr = tdx_host_td_tdr(tdx_model_td(a));
	b_tdr = tdx_host_td_tdr(tdx_model_td(b));
	/* C is still being built (after TDH.MNG.INIT, before TDH.MR.FINALIZE). */
	vm_config(&cfg, "c");
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(host, &cfg, &c), 0);
	CU_ASSERT_EQUAL_FATAL(coco_vm_launch_begin(c), 0);
	CU_ASSERT_EQUAL_FATAL(coco_vm_launch_add_region(c, &one), 0);
	c_tdr = tdx_host_td_tdr(tdx_model_td(c));

	/* What the PAMT says A holds.  A TDR's own PAMT owner is 0 (TDH.MNG.CREATE sets it so). */
	rdmd(m, a_tdr, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_TDR);
	CU_ASSERT_EQUAL(owner, 0);
	rdmd(m, tdx_host_td_tdvpr(tdx_model_td(a), 0), &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_TDVPR);
	CU_ASSERT_EQUAL(owner, a_tdr);
	a_page = private_page_of(m, a_tdr, IMAGE_GPA);
	CU_ASSERT_NOT_EQUAL_FATAL(a_page, 0);
	rdmd(m, a_page, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_REG);
	CU_ASSERT_EQUAL(owner, a_tdr);

	/* A's page cannot become B's (runnable: AUG) or C's (building: ADD). */
	EXPECT_STATUS(m, seam(m, 0, TDH_MEM_PAGE_AUG, FREE_GPA, b_tdr, a_page, 0, NULL),
		      tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT, TDX_OPERAND_ID_R8),
		      "TDH.MEM.PAGE.AUG of A's page into B");
	/* A source page of the test's own (PAGE.ADD copies from a shared page). */
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_alloc(plat, TDX_MODEL_CHUNK_SIZE, &src_spa), 0);
	src = mmap(NULL, TDX_MODEL_CHUNK_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		   -1, 0);
	CU_ASSERT_FATAL(src != MAP_FAILED);
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_map_local(plat, src_spa, TDX_MODEL_CHUNK_SIZE, src), 0);
	EXPECT_STATUS(m, seam(m, 0, TDH_MEM_PAGE_ADD, FREE_GPA, c_tdr, a_page, src_spa, NULL),
		      tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT, TDX_OPERAND_ID_R8),
		      "TDH.MEM.PAGE.ADD of A's page into C");
	/* B is past its build: PAGE.ADD is refused for that before any page is looked at. */
	EXPECT_STATUS(m, seam(m, 0, TDH_MEM_PAGE_ADD, FREE_GPA, b_tdr, a_page, src_spa, NULL),
		      TDX_OP_STATE_INCORRECT, "TDH.MEM.PAGE.ADD into a finalised TD");
	/* Nor can the host take A's pages back while A lives. */
	EXPECT_STATUS(m, seam(m, 0, TDH_PHYMEM_PAGE_RECLAIM, a_tdr, 0, 0, 0, NULL),
		      TDX_LIFECYCLE_STATE_INCORRECT, "TDH.PHYMEM.PAGE.RECLAIM of a live TD's TDR");
	EXPECT_STATUS(m, seam(m, 0, TDH_PHYMEM_PAGE_RECLAIM, a_page, 0, 0, 0, NULL),
		      TDX_LIFECYCLE_STATE_INCORRECT, "TDH.PHYMEM.PAGE.RECLAIM of a live TD's page");
	/* The refusals changed nothing. */
	rdmd(m, a_page, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_REG);
	CU_ASSERT_EQUAL(owner, a_tdr);
	expect_invariants(m);

	/* After A is destroyed its pages are nobody's. */
	coco_vm_destroy(a);
	rdmd(m, a_tdr, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_NDA);
	CU_ASSERT_EQUAL(owner, 0);
	rdmd(m, a_page, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_NDA);
	CU_ASSERT_EQUAL(owner, 0);
	/* B, whose neighbour was fought over, still attests; its TDR is still its own. */
	rdmd(m, b_tdr, &type, &owner);
	CU_ASSERT_EQUAL(type, TDX_PT_TDR);
	CU_ASSERT_EQUAL(coco_vm_get_evidence(b, rd, &ev), 0);
	coco_evidence_free(ev);
	expect_invariants(m);

	coco_model_platform_unmap_local(plat, src_spa);
	munmap(src, TDX_MODEL_CHUNK_SIZE);
	coco_model_platform_free(plat, src_spa, TDX_MODEL_CHUNK_SIZE);
	coco_vm_destroy(b);
	coco_vm_destroy(c);
	coco_host_close(host);
}

/* ------------------------------------------------------------------ */

static CU_TestInfo tests[] = {
	{ "module init order: each step early is refused, Linux's order works",
	  test_init_order },
	{ "module initialised once: init leaves refused, enable again issues nothing",
	  test_init_once },
	{ "a failed enable is final (-EINVAL, no retry)", test_failed_enable_is_final },
	{ "KeyID exhaustion, and reuse only after teardown", test_keyid_exhaustion_and_reclaim },
	{ "PAMT ownership between TDs", test_pamt_ownership },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "conformance-tdx (tdx-model)", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	for (size_t i = 0; i < sizeof(image); i++)
		image[i] = (uint8_t)(i * 7 + 3);
	/* The model's default 64 GiB would make the PAMT search of case 4 slow. */
	setenv("COCO_TDX_MODEL_DRAM_GIB", CASES_DRAM_GIB, 0);
	return coco_test_run(suites);
}

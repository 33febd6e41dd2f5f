/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/tdx-host.[ch], the host kernel's TDX flows, on the TDX
 * module model and on fakes wrapped around it (a SEAMCALL that fails where
 * a test needs it to).  MRTD/RTMR expectations are the primitive vectors of
 * vectors/tdx/measure/mrtd_vectors.txt; the PAMT size is specs/tdx.md 3.3's
 * 2 GiB figure (0x805000).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/module-model.h"
#include "tdx/tdx-host.h"
#include "tests/common/test-main.h"

#define PAGE 4096ull
#define SCRATCH_GPA 0x7000000ull

struct fixture {
	struct tdx_module *m;
	struct tdx_host_env env;
	struct tdx_host *h;
};

/* A fake around the model: replaces the status of one leaf, or fails it a few times. */
struct fake {
	struct tdx_module *m;
	uint64_t leaf, status;
	int times;		/* < 0: always */
	unsigned int calls;
};

static uint64_t fake_seamcall(void *ctx, unsigned int lp, uint64_t rax, struct tdx_module_args *a)
{
	struct fake *f = ctx;

	if ((rax & TDX_LEAF_MASK) == f->leaf && f->times) {
		f->calls++;
		if (f->times > 0)
			f->times--;
		return f->status;
	}
	return tdx_module_seamcall(f->m, lp, rax, a);
}

static void fixture_open(struct fixture *fx, uint32_t keyids)
{
	struct tdx_module_config cfg = { .packages = 2, .lps_per_package = 2, .dram_gib = 2,
					 .keyids = keyids };

	memset(fx, 0, sizeof(*fx));
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&cfg, &fx->m), 0);
	tdx_host_env_model(fx->m, &fx->env);
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&fx->env, &fx->h), 0);
}

static void fixture_close(struct fixture *fx)
{
	char why[256];
	bool ok = tdx_module_check_invariants(fx->m, why, sizeof(why));

	CU_ASSERT(ok);
	if (!ok)
		fprintf(stderr, "\ninvariant broken: %s\n", why);
	tdx_host_close(fx->h);
	tdx_module_close(fx->m);
}

static struct tdx_td_config default_config(void)
{
	struct tdx_td_config c = { .attributes = 1ull << 28, .xfam = 0x61ae7, .max_vcpus = 4 };

	memset(c.mrconfigid, 0x11, sizeof(c.mrconfigid));
	memset(c.mrowner, 0x22, sizeof(c.mrowner));
	return c;
}

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

static void test_enable(void)
{
	struct fixture fx;
	uint32_t n;
	uint64_t pamt, chunks;

	fixture_open(&fx, 32);
	CU_ASSERT_EQUAL(tdx_host_enable(fx.h), 0);
	tdx_host_enable_info(fx.h, &n, &pamt);
	CU_ASSERT_EQUAL(n, 1);
	CU_ASSERT_EQUAL(pamt, 0x805000);
	/* The PAMT is the host kernel's for good: 5 chunks of 2 MiB, nothing else left over. */
	chunks = coco_model_platform_chunks_in_use(tdx_module_platform(fx.m));
	CU_ASSERT_EQUAL(chunks, 5);
	CU_ASSERT_EQUAL(tdx_host_enable(fx.h), 0);	/* once done, done */
	fixture_close(&fx);
}

static void test_enable_errors(void)
{
	struct fixture fx;
	struct fake f;
	struct tdx_host_env env;
	struct tdx_host *h;

	/* No module: VMfailInvalid on the first SEAMCALL. */
	fixture_open(&fx, 32);
	f = (struct fake){ .m = fx.m, .leaf = TDH_SYS_INIT, .status = TDX_SEAMCALL_VMFAILINVALID,
			   .times = -1 };
	env = fx.env;
	env.seamcall = fake_seamcall;
	env.ctx = &f;
	env.detail = NULL;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h), -ENODEV);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "module not loaded"));
	CU_ASSERT_EQUAL(tdx_host_enable(h), -EINVAL);
	tdx_host_close(h);
	fixture_close(&fx);

	/* TDH.SYS.CONFIG refused: ERROR for the rest of the boot, PAMTs given back. */
	fixture_open(&fx, 32);
	f = (struct fake){ .m = fx.m, .leaf = TDH_SYS_CONFIG, .status = 0xC0000A1200000000ull,
			   .times = 1 };
	env = fx.env;
	env.seamcall = fake_seamcall;
	env.ctx = &f;
	env.detail = NULL;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDH.SYS.CONFIG: TDX_PAMT_OVERLAP "
						       "0xC0000A1200000000"));
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(tdx_module_platform(fx.m)), 0);
	/* The fake would now pass, but Linux does not try again. */
	CU_ASSERT_EQUAL(f.times, 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "failed to initialise earlier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_PAMT_OVERLAP"));
	CU_ASSERT_EQUAL(tdx_host_enable(fx.h), -EINVAL);	/* every process sees it */
	CU_ASSERT_EQUAL(f.calls, 1);
	{
		struct tdx_host_td *td;
		struct tdx_td_config c = default_config();
		CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 1, &td), -EINVAL);
	}
	tdx_host_close(h);
	fixture_close(&fx);

	/* TDX_RND_NO_ENTROPY is retried (Linux: up to 10 times). */
	fixture_open(&fx, 32);
	f = (struct fake){ .m = fx.m, .leaf = TDH_SYS_KEY_CONFIG, .status = TDX_RND_NO_ENTROPY,
			   .times = 3 };
	env = fx.env;
	env.seamcall = fake_seamcall;
	env.ctx = &f;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h), 0);
	CU_ASSERT_EQUAL(f.calls, 3);
	tdx_host_close(h);
	fixture_close(&fx);
}

static void test_td_lifecycle(void)
{
	struct fixture fx;
	struct tdx_host_td *td;
	struct tdx_td_config c = default_config();
	uint8_t zero[PAGE] = { 0 }, report[1024], rd[64], want[48], data[48];
	struct tdx_module_page_info pi;

	for (int i = 0; i < 64; i++)
		rd[i] = (uint8_t)i;
	for (int i = 0; i < 48; i++)
		data[i] = (uint8_t)i;
	fixture_open(&fx, 32);
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(fx.h), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_create(fx.h, &c, 2, &td), 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 1);
	CU_ASSERT_EQUAL(tdx_host_td_keyid(td), 33);	/* [32, 64): 32 is the global KeyID */
	tdx_module_page_info(fx.m, tdx_host_td_tdr(td), &pi);
	CU_ASSERT_EQUAL(pi.type, TDX_PT_TDR);
	tdx_module_page_info(fx.m, tdx_host_td_tdvpr(td, 1), &pi);
	CU_ASSERT_EQUAL(pi.type, TDX_PT_TDVPR);
	CU_ASSERT_EQUAL(pi.owner_tdr, tdx_host_td_tdr(td));
	/* V3: PAGE.ADD 0x1000 + 16 MR.EXTEND of a zero page. */
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_add_page(td, 0x1000, zero, true), 0);
	CU_ASSERT(tdx_host_td_is_private(td, 0x1000));
	CU_ASSERT_EQUAL(tdx_host_td_add_page(td, 0x1000, zero, true), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_EPT_ENTRY_NOT_FREE"));
	CU_ASSERT_EQUAL(tdx_host_td_report(td, 0, SCRATCH_GPA, rd, report), -EPERM);	/* not runnable */
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_finalize(td), 0);
	CU_ASSERT_EQUAL(tdx_host_td_add_page(td, 0x2000, zero, false), -EPERM);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_OP_STATE_INCORRECT"));
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_report(td, 1, SCRATCH_GPA, rd, report), 0);
	CU_ASSERT_FATAL(vector("V3", want));
	CU_ASSERT_EQUAL(memcmp(report + 512 + 16, want, 48), 0);
	CU_ASSERT_EQUAL(memcmp(report + 128, rd, 64), 0);
	CU_ASSERT_EQUAL(report[512 + 64], 0x11);
	CU_ASSERT_EQUAL(report[512 + 112], 0x22);
	CU_ASSERT_EQUAL(tdx_module_verify_report(fx.m, report), 0);
	/* RTMR0 after one extend with bytes 0..47: V5. */
	CU_ASSERT_EQUAL(tdx_host_td_rtmr_extend(td, 0, SCRATCH_GPA, 0, data), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_report(td, 0, SCRATCH_GPA, rd, report), 0);
	CU_ASSERT_FATAL(vector("V5", want));
	CU_ASSERT_EQUAL(memcmp(report + 512 + 208, want, 48), 0);

	/* Conversions. */
	CU_ASSERT_EQUAL(tdx_host_td_to_private(td, 0x40000000, true), 0);
	CU_ASSERT(tdx_host_td_is_private(td, 0x40000000));
	CU_ASSERT_EQUAL(tdx_host_td_to_private(td, 0x40000000, true), -EEXIST);
	CU_ASSERT_EQUAL(tdx_host_td_to_shared(td, 0x40000000), 0);
	CU_ASSERT(!tdx_host_td_is_private(td, 0x40000000));
	CU_ASSERT_EQUAL(tdx_host_td_to_shared(td, 0x40000000), -EINVAL);
	CU_ASSERT_EQUAL(tdx_host_td_to_shared(td, 0x1000), 0);	/* a launched page too */
	CU_ASSERT_EQUAL(tdx_host_td_to_private(td, 0x1000, false), 0);	/* pending until accepted */
	{
		char why[256];
		CU_ASSERT(tdx_module_check_invariants(fx.m, why, sizeof(why)));
	}
	CU_ASSERT_EQUAL(tdx_host_td_destroy(td), 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 0);
	/* Everything came back: only the PAMT stays allocated. */
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(tdx_module_platform(fx.m)), 5);
	fixture_close(&fx);
}

static void test_keyid_exhaustion_and_reuse(void)
{
	struct fixture fx;
	struct tdx_host_td *td[3], *extra;
	struct tdx_td_config c = default_config();
	uint32_t freed;

	fixture_open(&fx, 4);	/* [60, 64): three KeyIDs for TDs */
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(fx.h), 0);
	for (int i = 0; i < 3; i++)
		CU_ASSERT_EQUAL_FATAL(tdx_host_td_create(fx.h, &c, 1, &td[i]), 0);
	CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 1, &extra), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "all 3 private KeyIDs"));
	freed = tdx_host_td_keyid(td[1]);
	CU_ASSERT_EQUAL(tdx_host_td_destroy(td[1]), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_create(fx.h, &c, 1, &extra), 0);
	CU_ASSERT_EQUAL(tdx_host_td_keyid(extra), freed);
	CU_ASSERT_EQUAL(tdx_host_td_destroy(extra), 0);
	CU_ASSERT_EQUAL(tdx_host_td_destroy(td[0]), 0);
	CU_ASSERT_EQUAL(tdx_host_td_destroy(td[2]), 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 0);
	fixture_close(&fx);
}

static void test_td_create_errors(void)
{
	struct fixture fx;
	struct tdx_host_td *td;
	struct tdx_td_config c = default_config();

	fixture_open(&fx, 32);
	CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 1, &td), -EINVAL);	/* not enabled */
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(fx.h), 0);
	c.attributes |= 1ull << 1;
	CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 1, &td), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDH.MNG.INIT: TDX_OPERAND_INVALID "
						       "0xC000010000000040 (operand ATTRIBUTES (64))"));
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 0);	/* released after the failure */
	c = default_config();
	c.tsc_khz = 50000;	/* 50 MHz */
	CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 1, &td), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TSC_FREQUENCY (70)"));
	c = default_config();
	CU_ASSERT_EQUAL(tdx_host_td_create(fx.h, &c, 5, &td), -EINVAL);	/* > MAX_VCPUS */
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 0);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(tdx_module_platform(fx.m)), 5);
	fixture_close(&fx);
}

static void test_reap_dead_owner(void)
{
	struct fixture fx;
	struct tdx_td_config c = default_config();
	uint64_t before;
	pid_t pid;
	int status = 0;

	fixture_open(&fx, 32);
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(fx.h), 0);
	before = coco_model_platform_chunks_in_use(tdx_module_platform(fx.m));
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		/* A VMM that builds a TD and dies without tearing it down. */
		struct tdx_host *h;
		struct tdx_host_td *td;
		uint8_t page[PAGE] = { 7 };
		if (tdx_host_open(&fx.env, &h) || tdx_host_td_create(h, &c, 2, &td) ||
		    tdx_host_td_add_page(td, 0, page, true) || tdx_host_td_finalize(td))
			_exit(1);
		_exit(0);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 1);
	CU_ASSERT(coco_model_platform_chunks_in_use(tdx_module_platform(fx.m)) > before);
	CU_ASSERT_EQUAL(tdx_host_reap(fx.h), 1);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(fx.h), 0);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(tdx_module_platform(fx.m)), before);
	CU_ASSERT_EQUAL(tdx_host_reap(fx.h), 0);
	fixture_close(&fx);
}

static CU_TestInfo tests[] = {
	{ "enable: TDMRs, PAMT, once", test_enable },
	{ "enable errors: no module, sticky ERROR, entropy retry", test_enable_errors },
	{ "TD lifecycle: build, MRTD, report, RTMR, conversions, teardown", test_td_lifecycle },
	{ "KeyID exhaustion and reuse after teardown", test_keyid_exhaustion_and_reuse },
	{ "TD create errors name the leaf, status and operand", test_td_create_errors },
	{ "TDs of dead processes are reaped", test_reap_dead_owner },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-host", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

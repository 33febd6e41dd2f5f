/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the TDX platform model in a platform file (tdx_module_config
 * .path), shared by the processes of one model host as the SNP model's is:
 * every handle and every process (a forked child opening the file anew)
 * sees the same module, host bookkeeping, KeyIDs and model QE; a TD left
 * behind by a process that exits is reaped by another; a failed bring-up
 * stays failed for all; the creation knobs apply when the file is made and
 * not afterwards; a damaged file is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "tdx/module-model.h"
#include "tdx/qe-model.h"
#include "tdx/tdx-host.h"
#include "tests/common/test-main.h"

#define PAGE 4096ull

static char dir[64];
static char file[128];

struct handle {
	struct tdx_module *m;
	struct tdx_host_env env;
	struct tdx_host *h;
};

/* A handle on the platform file (created when missing, with @cfg). */
static int handle_open(struct handle *x, struct tdx_module_config cfg)
{
	int ret;

	memset(x, 0, sizeof(*x));
	cfg.path = file;
	ret = tdx_module_open(&cfg, &x->m);
	if (ret) {
		fprintf(stderr, "\n%s\n", coco_last_error());
		return ret;
	}
	tdx_host_env_model(x->m, &x->env);
	return tdx_host_open(&x->env, &x->h);
}

static void handle_close(struct handle *x)
{
	tdx_host_close(x->h);
	tdx_module_close(x->m);
}

static const struct tdx_module_config small = { .packages = 2, .lps_per_package = 2,
						.dram_gib = 2, .keyids = 8 };

static struct tdx_td_config td_config(void)
{
	struct tdx_td_config c = { .attributes = 1ull << 28, .xfam = 0x61ae7, .max_vcpus = 2 };

	memset(c.mrowner, 0x22, sizeof(c.mrowner));
	return c;
}

static char *chain_of(struct tdx_module *m)
{
	struct tdx_qe_model *qe = NULL;
	char *pem = NULL;

	if (tdx_module_qe_get(m, &qe) || tdx_qe_model_chain_pem(qe, &pem)) {
		fprintf(stderr, "\n%s\n", coco_last_error());
		return NULL;
	}
	return pem;
}

/* ------------------------------------------------------------------ */

static void test_two_handles_one_module(void)
{
	struct tdx_module_config other = { .packages = 1, .lps_per_package = 1, .dram_gib = 4,
					   .keyids = 4 };
	struct handle a, b;
	struct tdx_host_td *td;
	struct tdx_td_config c = td_config();
	uint32_t first, count, n_a, n_b;
	uint64_t pamt_a, pamt_b;
	unsigned int pkgs, lps, max_pa;

	unlink(file);
	CU_ASSERT_EQUAL_FATAL(handle_open(&a, small), 0);
	CU_ASSERT_EQUAL(tdx_module_sys_state(a.m), TDX_SYSINIT_PENDING);
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(a.h), 0);
	/* The second opener's settings do not matter: the file keeps its own. */
	CU_ASSERT_EQUAL_FATAL(handle_open(&b, other), 0);
	tdx_module_topology(b.m, &pkgs, &lps);
	tdx_module_keyids(b.m, &first, &count, &max_pa);
	CU_ASSERT_EQUAL(pkgs, 2);
	CU_ASSERT_EQUAL(lps, 2);
	CU_ASSERT_EQUAL(count, 8);
	CU_ASSERT_EQUAL(tdx_module_platform(b.m)->dram_size, 2ull << 30);
	CU_ASSERT_EQUAL(tdx_module_sys_state(b.m), TDX_SYS_READY);
	/* Enabled already: a no-op that succeeds, with Linux's records as the first left them. */
	CU_ASSERT_EQUAL(tdx_host_enable(b.h), 0);
	tdx_host_enable_info(a.h, &n_a, &pamt_a);
	tdx_host_enable_info(b.h, &n_b, &pamt_b);
	CU_ASSERT_EQUAL(n_b, n_a);
	CU_ASSERT_EQUAL(pamt_b, pamt_a);
	CU_ASSERT(pamt_a > 0);

	/* A TD built through one handle holds a KeyID the other sees. */
	CU_ASSERT_EQUAL_FATAL(tdx_host_td_create(a.h, &c, 1, &td), 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(b.h), 1);
	CU_ASSERT_EQUAL(tdx_host_td_destroy(td), 0);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(b.h), 0);
	handle_close(&b);
	handle_close(&a);
}

/* What a second VMM process does: its own handle, a TD, and exit without teardown. */
static int child_builds_td_and_dies(const char *parent_chain)
{
	struct handle x;
	struct tdx_host_td *td;
	struct tdx_td_config c = td_config();
	uint8_t page[PAGE] = { 7 };
	char *chain;
	int same;

	if (handle_open(&x, (struct tdx_module_config){ 0 }) || tdx_host_enable(x.h) ||
	    tdx_module_sys_state(x.m) != TDX_SYS_READY)
		return 1;
	chain = chain_of(x.m);
	same = chain && !strcmp(chain, parent_chain);
	free(chain);
	if (!same)
		return 2;
	if (tdx_host_td_create(x.h, &c, 1, &td) || tdx_host_td_add_page(td, 0, page, true) ||
	    tdx_host_td_finalize(td) || tdx_host_keyids_in_use(x.h) != 1)
		return 3;
	return 0;	/* no teardown: the process "crashes" holding the TD */
}

static void test_child_process_and_reaping(void)
{
	struct handle a;
	uint64_t chunks;
	char *chain;
	pid_t pid;
	int status = -1;

	unlink(file);
	CU_ASSERT_EQUAL_FATAL(handle_open(&a, small), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_host_enable(a.h), 0);
	chunks = coco_model_platform_chunks_in_use(tdx_module_platform(a.m));
	chain = chain_of(a.m);
	CU_ASSERT_PTR_NOT_NULL_FATAL(chain);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0)
		_exit(child_builds_td_and_dies(chain));
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		fprintf(stderr, "\nchild exit status %d\n", WEXITSTATUS(status));

	/* The dead child's TD holds a KeyID and memory until someone reaps it. */
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(a.h), 1);
	CU_ASSERT(coco_model_platform_chunks_in_use(tdx_module_platform(a.m)) > chunks);
	CU_ASSERT_EQUAL(tdx_host_reap(a.h), 1);
	CU_ASSERT_EQUAL(tdx_host_keyids_in_use(a.h), 0);
	/* Only the kernel's PAMT chunks are left. */
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(tdx_module_platform(a.m)), chunks);
	CU_ASSERT_EQUAL(tdx_host_reap(a.h), 0);
	free(chain);
	handle_close(&a);
}

static void test_qe_per_platform(void)
{
	struct handle a, b;
	struct tdx_module *p1, *p2;
	char *ca, *cb, *c1, *c2;

	unlink(file);
	CU_ASSERT_EQUAL_FATAL(handle_open(&a, small), 0);
	CU_ASSERT_EQUAL_FATAL(handle_open(&b, small), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&small, &p1), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&small, &p2), 0);
	ca = chain_of(a.m);
	cb = chain_of(b.m);
	c1 = chain_of(p1);
	c2 = chain_of(p2);
	CU_ASSERT_FATAL(ca && cb && c1 && c2);
	/* One chain per file; private platforms share this process's. */
	CU_ASSERT_STRING_EQUAL(ca, cb);
	CU_ASSERT_STRING_EQUAL(c1, c2);
	CU_ASSERT_STRING_NOT_EQUAL(ca, c1);
	free(ca);
	free(cb);
	free(c1);
	free(c2);
	tdx_module_close(p1);
	tdx_module_close(p2);
	handle_close(&b);
	handle_close(&a);
}

static void test_qe_blob_has_room(void)
{
	struct tdx_qe_model *qe;
	size_t need = 0;

	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_generate(&qe), 0);
	CU_ASSERT_EQUAL(tdx_qe_model_save(qe, NULL, 0, &need), -ENOSPC);
	CU_ASSERT(need > 0);
	/* The platform's blob holds twice what a model QE takes (longer DER encodings). */
	CU_ASSERT(2 * need <= TDX_QE_MODEL_SAVED_MAX);
	tdx_qe_model_free(qe);
}

/* A SEAMCALL that refuses TDH.SYS.CONFIG once, around the model. */
struct refuse_config {
	struct tdx_module *m;
	bool done;
};

static uint64_t refuse_config_seamcall(void *ctx, unsigned int lp, uint64_t rax,
				       struct tdx_module_args *a)
{
	struct refuse_config *f = ctx;

	if ((rax & TDX_LEAF_MASK) == TDH_SYS_CONFIG && !f->done) {
		f->done = true;
		return TDX_PAMT_OVERLAP;
	}
	return tdx_module_seamcall(f->m, lp, rax, a);
}

static void test_failed_enable_stays_failed(void)
{
	struct handle a, b;
	struct refuse_config f;
	struct tdx_host_env env;
	struct tdx_host *h;

	unlink(file);
	CU_ASSERT_EQUAL_FATAL(handle_open(&a, small), 0);
	f = (struct refuse_config){ .m = a.m };
	env = a.env;
	env.seamcall = refuse_config_seamcall;
	env.ctx = &f;
	env.detail = NULL;
	CU_ASSERT_EQUAL_FATAL(tdx_host_open(&env, &h), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(h), -EINVAL);
	tdx_host_close(h);
	/* Another process of the host finds TDX off for this "boot". */
	CU_ASSERT_EQUAL_FATAL(handle_open(&b, (struct tdx_module_config){ 0 }), 0);
	CU_ASSERT_EQUAL(tdx_host_enable(b.h), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "failed to initialise earlier"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TDX_PAMT_OVERLAP"));
	CU_ASSERT_NOT_EQUAL(tdx_module_sys_state(b.m), TDX_SYS_READY);
	handle_close(&b);
	handle_close(&a);
}

static void test_knobs_apply_at_creation(void)
{
	struct tdx_module *m;
	uint32_t first, count;
	unsigned int max_pa;

	unlink(file);
	setenv("COCO_TDX_MODEL_DRAM_GIB", "3", 1);
	setenv("COCO_TDX_MODEL_KEYIDS", "6", 1);
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&(struct tdx_module_config){ .path = file }, &m), 0);
	tdx_module_keyids(m, &first, &count, &max_pa);
	CU_ASSERT_EQUAL(count, 6);
	CU_ASSERT_EQUAL(tdx_module_platform(m)->dram_size, 3ull << 30);
	tdx_module_close(m);
	/* Other knobs later: the file keeps what it was made with. */
	setenv("COCO_TDX_MODEL_DRAM_GIB", "5", 1);
	setenv("COCO_TDX_MODEL_KEYIDS", "12", 1);
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&(struct tdx_module_config){ .path = file }, &m), 0);
	tdx_module_keyids(m, &first, &count, &max_pa);
	CU_ASSERT_EQUAL(count, 6);
	CU_ASSERT_EQUAL(tdx_module_platform(m)->dram_size, 3ull << 30);
	tdx_module_close(m);
	unsetenv("COCO_TDX_MODEL_DRAM_GIB");
	unsetenv("COCO_TDX_MODEL_KEYIDS");
}

static void test_damaged_file_refused(void)
{
	struct tdx_module *m;
	struct tdx_module_config cfg = small;
	uint64_t vendor_offset;
	uint32_t packages = 99;
	int fd;

	unlink(file);
	cfg.path = file;
	CU_ASSERT_EQUAL_FATAL(tdx_module_open(&cfg, &m), 0);
	vendor_offset = tdx_module_platform(m)->hdr->vendor_offset;
	tdx_module_close(m);
	/* The package count is the vendor state's first field. */
	fd = open(file, O_WRONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, &packages, sizeof(packages), (off_t)vendor_offset),
			(ssize_t)sizeof(packages));
	close(fd);
	m = NULL;
	CU_ASSERT_EQUAL(tdx_module_open(&cfg, &m), -EPROTO);
	CU_ASSERT_PTR_NULL(m);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "is damaged"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), file));
}

static int setup(void)
{
	strcpy(dir, "/tmp/coco-tdx-platform-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/tdx.platform", dir);
	return 0;
}

static int teardown(void)
{
	unlink(file);
	return rmdir(dir);
}

static CU_TestInfo tests[] = {
	{ "two handles on one file share the module", test_two_handles_one_module },
	{ "a child process's TD is reaped after it exits", test_child_process_and_reaping },
	{ "one model QE per platform", test_qe_per_platform },
	{ "the QE blob has room to spare", test_qe_blob_has_room },
	{ "a failed bring-up stays failed for every process", test_failed_enable_stays_failed },
	{ "COCO_TDX_MODEL_* apply when the file is created", test_knobs_apply_at_creation },
	{ "a damaged file is refused", test_damaged_file_refused },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-platform-file", setup, teardown, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

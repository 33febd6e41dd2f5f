/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: core/model-platform.c, the vendor-neutral platform state
 * file.  A small test vendor (16 MiB of model memory, a state larger than a
 * page, a per-page table) exercises creation, reopening, the refusal of
 * foreign, old, truncated and damaged files, half-created files, chunks of
 * model memory, local maps, and clean-up after processes that died (forked
 * children that exit holding chunks or the lock).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.h"
#include "core/model-platform.h"
#include "tests/common/test-main.h"

#define MIB (1024ull * 1024)
#define BASE 0x200000000ull
#define TABLE_HEADER 64u
#define TABLE_ENTRY 16u

struct test_vendor {
	uint64_t serial;		/* written by the tests: survives a reopen */
	uint32_t was_private;
	uint8_t filler[6000];		/* the state spans more than a page */
};

static struct {
	unsigned int inits, validations;
	int init_result, validate_result;
} calls;

static char dir[64];
static char file[128];

static int test_init(struct coco_model_platform *p, void *vendor, void *arg)
{
	struct test_vendor *v = vendor;

	CU_ASSERT_PTR_EQUAL(arg, &calls);
	CU_ASSERT_EQUAL(v->serial, 0);	/* zeroed before init */
	calls.inits++;
	v->was_private = p->path == NULL;
	return calls.init_result;
}

static int test_validate(struct coco_model_platform *p, void *vendor, void *arg)
{
	(void)vendor;
	CU_ASSERT_PTR_EQUAL(arg, &calls);
	calls.validations++;
	return calls.validate_result ? coco_err(calls.validate_result, "test vendor: '%s' "
						"refused", p->path)
				     : 0;
}

static struct coco_model_platform_spec spec_of(uint64_t dram_size)
{
	return (struct coco_model_platform_spec){
		.name = "test platform model",
		.magic = "COCOTST\0",
		.layout_version = 7,
		.vendor_size = sizeof(struct test_vendor),
		.table_header_size = TABLE_HEADER,
		.table_entry_size = TABLE_ENTRY,
		.dram_base = BASE,
		.dram_size = dram_size,
		.max_dram_size = 64 * MIB,
		.chunk_size = 2 * MIB,
		.dram_setting = "TEST_DRAM_MIB",
		.init = test_init,
		.validate = test_validate,
		.arg = &calls,
	};
}

static struct coco_model_platform *open_ok(const char *path)
{
	struct coco_model_platform_spec spec = spec_of(16 * MIB);
	struct coco_model_platform *p = NULL;

	if (coco_model_platform_open(path, &spec, &p)) {
		fprintf(stderr, "\n%s\n", coco_last_error());
		return NULL;
	}
	return p;
}

/* Open @file expecting a refusal whose message contains @words. */
static void expect_refused(const char *words)
{
	struct coco_model_platform_spec spec = spec_of(16 * MIB);
	struct coco_model_platform *p = NULL;

	CU_ASSERT_EQUAL(coco_model_platform_open(file, &spec, &p), -EPROTO);
	CU_ASSERT_PTR_NULL(p);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), words));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), file));
}

static uint64_t file_size(void)
{
	struct stat st;

	return stat(file, &st) == 0 ? (uint64_t)st.st_size : 0;
}

static void write_file(const void *data, size_t len)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, data, len), (ssize_t)len);
	close(fd);
}

/* Create the platform file anew and return its total size. */
static uint64_t fresh_file(void)
{
	struct coco_model_platform *p;

	unlink(file);
	p = open_ok(file);
	CU_ASSERT_FATAL(p != NULL);
	coco_model_platform_close(p);
	return file_size();
}

static struct coco_model_platform_header read_header(void)
{
	struct coco_model_platform_header h = { 0 };
	int fd = open(file, O_RDONLY);

	CU_ASSERT(fd >= 0 && pread(fd, &h, sizeof(h), 0) == (ssize_t)sizeof(h));
	if (fd >= 0)
		close(fd);
	return h;
}

static void patch_header(size_t offset, const void *bytes, size_t len)
{
	int fd = open(file, O_WRONLY);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(pwrite(fd, bytes, len, (off_t)offset), (ssize_t)len);
	close(fd);
}

/* ------------------------------------------------------------------ */

static void test_private(void)
{
	struct coco_model_platform *a = open_ok(NULL), *b = open_ok(NULL);
	uint64_t size, spa;
	uint8_t *tables;

	CU_ASSERT_FATAL(a != NULL && b != NULL);
	CU_ASSERT_PTR_NULL(a->path);
	CU_ASSERT(((struct test_vendor *)coco_model_platform_vendor(a))->was_private);
	CU_ASSERT_EQUAL(a->dram_base, BASE);
	CU_ASSERT_EQUAL(a->dram_size, 16 * MIB);
	CU_ASSERT_EQUAL(a->nchunks, 8);
	tables = coco_model_platform_tables(a, &size);
	CU_ASSERT_EQUAL(size, TABLE_HEADER + 16 * MIB / 4096 * TABLE_ENTRY);
	/* Vendor state and table are page-aligned, apart, and writable to their ends. */
	CU_ASSERT_EQUAL((uintptr_t)coco_model_platform_vendor(a) % 4096, 0);
	CU_ASSERT_EQUAL((uintptr_t)tables % 4096, 0);
	CU_ASSERT((uint8_t *)coco_model_platform_vendor(a) + sizeof(struct test_vendor) <= tables);
	memset(coco_model_platform_vendor(a), 0xa5, sizeof(struct test_vendor));
	memset(tables, 0x5a, size);
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(a))->serial,
			0xa5a5a5a5a5a5a5a5ull);

	/* Two private platforms share nothing. */
	CU_ASSERT_EQUAL(coco_model_platform_alloc(a, 16 * MIB, &spa), 0);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(a), 8);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(b), 0);
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(b))->serial, 0);
	coco_model_platform_close(a);
	coco_model_platform_close(b);
}

static void test_bad_spec(void)
{
	struct coco_model_platform_spec spec = spec_of(16 * MIB);
	struct coco_model_platform *p = NULL;

	spec.dram_size = 3 * MIB;
	CU_ASSERT_EQUAL(coco_model_platform_open(NULL, &spec, &p), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "3 MiB"));
	spec.dram_size = 128 * MIB;
	CU_ASSERT_EQUAL(coco_model_platform_open(NULL, &spec, &p), -EINVAL);
	spec = spec_of(16 * MIB);
	spec.chunk_size = 1000;
	CU_ASSERT_EQUAL(coco_model_platform_open(NULL, &spec, &p), -EINVAL);
	CU_ASSERT_PTR_NULL(p);
}

static void test_chunks(void)
{
	struct coco_model_platform *p = open_ok(NULL);
	uint64_t a, b, c;

	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 0, &a), -EINVAL);
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 3 * MIB, &a), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "2 MiB chunks"));
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_alloc(p, 2 * MIB, &a), 0);
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_alloc(p, 4 * MIB, &b), 0);
	CU_ASSERT_EQUAL(a, BASE);
	CU_ASSERT_EQUAL(b, BASE + 2 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 3);
	/* 10 MiB are left: 12 do not fit, and the message says how to get more. */
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 12 * MIB, &c), -ENOMEM);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "TEST_DRAM_MIB"));
	/* The freed first chunk is found again; contiguity is respected. */
	coco_model_platform_free(p, a, 2 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 4 * MIB, &c), 0);
	CU_ASSERT_EQUAL(c, BASE + 6 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 2 * MIB, &a), 0);
	CU_ASSERT_EQUAL(a, BASE);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 5);
	CU_ASSERT_EQUAL(p->chunks[0].owner_pid, (uint32_t)getpid());
	coco_model_platform_free(p, BASE, 16 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 0);
	coco_model_platform_close(p);
}

static void test_local_maps(void)
{
	struct coco_model_platform *p = open_ok(NULL);
	static uint8_t backing[8192];
	unsigned int n;
	int ret = 0;

	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(coco_model_platform_map_local(p, BASE + 4096, 8192, backing), 0);
	CU_ASSERT_PTR_EQUAL(coco_model_platform_ptr(p, BASE + 4096, 8192), backing);
	CU_ASSERT_PTR_EQUAL(coco_model_platform_ptr(p, BASE + 8192 + 16, 16), backing + 4096 + 16);
	CU_ASSERT_PTR_NULL(coco_model_platform_ptr(p, BASE, 16));		/* before */
	CU_ASSERT_PTR_NULL(coco_model_platform_ptr(p, BASE + 8192, 4097));	/* past the end */
	CU_ASSERT_PTR_NULL(coco_model_platform_ptr(p, BASE + 4096 + 8192, 1));
	coco_model_platform_unmap_local(p, BASE + 4096);
	CU_ASSERT_PTR_NULL(coco_model_platform_ptr(p, BASE + 4096, 1));
	/* A process backs a bounded number of ranges. */
	for (n = 0; n <= COCO_MODEL_PLATFORM_LOCAL_MAPS && !ret; n++)
		ret = coco_model_platform_map_local(p, BASE + n * 4096ull, 4096, backing);
	CU_ASSERT_EQUAL(ret, -ENOSPC);
	CU_ASSERT_EQUAL(n, COCO_MODEL_PLATFORM_LOCAL_MAPS + 1);
	coco_model_platform_close(p);
}

static void test_zero(void)
{
	struct coco_model_platform *p = open_ok(NULL);
	uint64_t size;
	uint8_t *t;
	bool zero = true;

	CU_ASSERT_FATAL(p != NULL);
	t = coco_model_platform_tables(p, &size);
	memset(t, 0xff, 5 * 4096);
	/* Unaligned at both ends, covering whole pages in between. */
	coco_model_platform_zero(p, t + 100, 3 * 4096 + 200);
	for (size_t i = 100; i < 100 + 3 * 4096 + 200; i++)
		zero &= t[i] == 0;
	CU_ASSERT(zero);
	CU_ASSERT_EQUAL(t[99], 0xff);
	CU_ASSERT_EQUAL(t[100 + 3 * 4096 + 200], 0xff);
	CU_ASSERT_EQUAL(t[5 * 4096 - 1], 0xff);
	coco_model_platform_close(p);
}

static void test_file_create_reopen(void)
{
	struct coco_model_platform_spec bigger = spec_of(32 * MIB);
	struct coco_model_platform *p, *q = NULL;
	struct test_vendor *v;
	uint64_t spa;

	unlink(file);
	calls.inits = calls.validations = 0;
	p = open_ok(file);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(calls.inits, 1);
	CU_ASSERT_EQUAL(calls.validations, 0);
	CU_ASSERT_STRING_EQUAL(p->path, file);
	v = coco_model_platform_vendor(p);
	CU_ASSERT_FALSE(v->was_private);
	v->serial = 0x1234;
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 2 * MIB, &spa), 0);
	CU_ASSERT_EQUAL(read_header().ready, 1);
	CU_ASSERT_EQUAL(read_header().total_size, file_size());

	/* A second handle (another process would do the same) sees the same state. */
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_open(file, &bigger, &q), 0);
	CU_ASSERT_EQUAL(calls.inits, 1);
	CU_ASSERT_EQUAL(calls.validations, 1);
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(q))->serial, 0x1234);
	CU_ASSERT_EQUAL(q->dram_size, 16 * MIB);	/* the file's, not the new spec's */
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(q), 1);
	v->serial = 0x5678;
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(q))->serial, 0x5678);
	coco_model_platform_close(q);
	coco_model_platform_close(p);

	/* After every process is gone the state is still there. */
	p = open_ok(file);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(p))->serial, 0x5678);
	CU_ASSERT_EQUAL(calls.inits, 1);
	coco_model_platform_close(p);
}

static void test_foreign_file(void)
{
	static const char text[] = "# my notes, not a platform\nsome text that is long enough\n";
	char back[sizeof(text)] = { 0 };
	int fd;

	write_file(text, sizeof(text));
	expect_refused("not a platform file");
	/* Refused, and left as it was. */
	CU_ASSERT_EQUAL(file_size(), sizeof(text));
	fd = open(file, O_RDONLY);
	CU_ASSERT(fd >= 0 && read(fd, back, sizeof(back)) == (ssize_t)sizeof(back));
	if (fd >= 0)
		close(fd);
	CU_ASSERT(memcmp(back, text, sizeof(text)) == 0);

	/* Another vendor's ready file at the path. */
	fresh_file();
	patch_header(0, "COCOTDX\0", 8);
	expect_refused("not a platform file of this model");
}

/*
 * This model's file from another cocohost version: refused while a process
 * has it open (an open handle holds the in-use lock), started anew once none
 * does.
 */
static void test_old_layout(void)
{
	struct flock user = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
	struct coco_model_platform *p;
	uint32_t old = 6;
	int fd;

	fresh_file();
	patch_header(offsetof(struct coco_model_platform_header, layout_version), &old,
		     sizeof(old));
	fd = open(file, O_RDONLY);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(fcntl(fd, F_OFD_SETLK, &user), 0);
	expect_refused("layout 6, expected 7) and a process still has it open");
	close(fd);

	calls.inits = 0;
	p = open_ok(file);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(calls.inits, 1);
	CU_ASSERT_EQUAL(p->hdr->layout_version, 7);
	coco_model_platform_close(p);
}

static void test_truncated_and_damaged(void)
{
	uint64_t total = fresh_file(), other = 32 * MIB;

	CU_ASSERT_FATAL(total > 3 * 4096);
	CU_ASSERT_EQUAL(truncate(file, (off_t)(total / 2)), 0);
	expect_refused("truncated");
	CU_ASSERT_EQUAL(truncate(file, 4096), 0);
	expect_refused("truncated");

	/* A header that disagrees with the layout it implies. */
	fresh_file();
	patch_header(offsetof(struct coco_model_platform_header, dram_size), &other, sizeof(other));
	expect_refused("damaged");
	fresh_file();
	patch_header(offsetof(struct coco_model_platform_header, tables_offset), &other,
		     sizeof(other));
	expect_refused("damaged");

	/* The vendor's own check has the last word. */
	fresh_file();
	calls.validate_result = -EPROTO;
	expect_refused("refused");
	calls.validate_result = 0;
}

static void test_half_created(void)
{
	static uint8_t zeros[5000];
	struct coco_model_platform_spec spec = spec_of(16 * MIB);
	struct coco_model_platform *p = NULL;
	uint64_t total = fresh_file();

	/* A creator that died after sizing the file (any size): initialised again. */
	write_file(zeros, sizeof(zeros));
	calls.inits = 0;
	p = open_ok(file);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(calls.inits, 1);
	CU_ASSERT_EQUAL(file_size(), total);
	coco_model_platform_close(p);

	/* A creator that failed half-way never leaves a file that looks ready. */
	unlink(file);
	calls.init_result = coco_err(-EIO, "test vendor: no randomness");
	CU_ASSERT_EQUAL(coco_model_platform_open(file, &spec, &p), -EIO);
	calls.init_result = 0;
	CU_ASSERT_EQUAL(file_size(), total);
	CU_ASSERT_EQUAL(read_header().ready, 0);
	calls.inits = 0;
	p = open_ok(file);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(calls.inits, 1);
	CU_ASSERT_EQUAL(((struct test_vendor *)coco_model_platform_vendor(p))->serial, 0);
	coco_model_platform_close(p);
}

/* Fork a child that runs @fn on @p and exits without cleaning up; returns its PID. */
static pid_t child_dies_after(void (*fn)(struct coco_model_platform *),
			      struct coco_model_platform *p)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		fn(p);
		_exit(0);
	}
	CU_ASSERT_FATAL(pid > 0);
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	return pid;
}

static void take_6_mib(struct coco_model_platform *p)
{
	uint64_t spa;

	if (coco_model_platform_alloc(p, 6 * MIB, &spa) || spa != BASE + 2 * MIB)
		_exit(1);
}

static unsigned int releases;
static uint64_t released_spa[8];

/* The vendor's undo of a dead owner's chunk: the first one cannot be returned. */
static int release_all_but_first(void *ctx, uint64_t spa, uint64_t size)
{
	CU_ASSERT_PTR_EQUAL(ctx, &releases);
	CU_ASSERT_EQUAL(size, 2 * MIB);
	if (releases < 8)
		released_spa[releases] = spa;
	return releases++ == 0 ? -EBUSY : 0;
}

static void test_dead_owner_reclaim(void)
{
	struct coco_model_platform *p = open_ok(file);
	uint32_t self_pid, pid;
	uint64_t self_start, start, spa;
	pid_t child;

	CU_ASSERT_FATAL(p != NULL);
	coco_model_platform_free(p, BASE, 16 * MIB);
	CU_ASSERT_EQUAL_FATAL(coco_model_platform_alloc(p, 2 * MIB, &spa), 0);
	child = child_dies_after(take_6_mib, p);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 4);
	pid = p->chunks[1].owner_pid;
	start = p->chunks[1].owner_start;
	CU_ASSERT_EQUAL(pid, (uint32_t)child);
	CU_ASSERT_FALSE(coco_model_platform_owner_alive(pid, start));
	coco_model_platform_self(&self_pid, &self_start);
	CU_ASSERT_EQUAL(self_pid, (uint32_t)getpid());
	CU_ASSERT(coco_model_platform_owner_alive(self_pid, self_start));
	CU_ASSERT_FALSE(coco_model_platform_owner_alive(self_pid, self_start + 1));	/* reused PID */
	CU_ASSERT_FALSE(coco_model_platform_owner_alive(0, 0));

	/* The dead child's three chunks are released; ours stays; one cannot be returned. */
	releases = 0;
	CU_ASSERT_EQUAL(coco_model_platform_reclaim_dead(p, release_all_but_first, &releases), 2);
	CU_ASSERT_EQUAL(releases, 3);
	CU_ASSERT_EQUAL(released_spa[0], BASE + 2 * MIB);
	CU_ASSERT_EQUAL(released_spa[2], BASE + 6 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 2);
	CU_ASSERT_EQUAL(p->chunks[1].owner_pid, self_pid);	/* kept out of use, by us */
	CU_ASSERT_EQUAL(p->chunks[2].owner_pid, 0);
	/* Nothing dead is left: a second pass finds nothing. */
	releases = 0;
	CU_ASSERT_EQUAL(coco_model_platform_reclaim_dead(p, release_all_but_first, &releases), 0);
	CU_ASSERT_EQUAL(releases, 0);

	/* A vendor record of the same shape: claimed once, then it is ours. */
	pid = (uint32_t)child;
	CU_ASSERT(coco_model_platform_claim_dead(p, &pid, &start));
	CU_ASSERT_EQUAL(pid, self_pid);
	CU_ASSERT_FALSE(coco_model_platform_claim_dead(p, &pid, &start));
	coco_model_platform_close(p);
}

/* A process that hands memory to the host kernel (TDX: PAMTs at bring-up) and exits. */
static void take_kernel_4_mib_and_own_2_mib(struct coco_model_platform *p)
{
	uint64_t kernel, own;

	if (coco_model_platform_alloc_kernel(p, 4 * MIB, &kernel) || kernel != BASE ||
	    coco_model_platform_alloc(p, 2 * MIB, &own) || own != BASE + 4 * MIB)
		_exit(1);
}

static void test_kernel_owner(void)
{
	struct coco_model_platform *p = open_ok(file);
	uint32_t pid;
	uint64_t start, spa;

	CU_ASSERT_FATAL(p != NULL);
	coco_model_platform_free(p, BASE, 16 * MIB);
	child_dies_after(take_kernel_4_mib_and_own_2_mib, p);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 3);
	CU_ASSERT_EQUAL(p->chunks[0].owner_pid, COCO_MODEL_PLATFORM_KERNEL_PID);
	CU_ASSERT_EQUAL(p->chunks[1].owner_pid, COCO_MODEL_PLATFORM_KERNEL_PID);
	CU_ASSERT(coco_model_platform_owner_alive(COCO_MODEL_PLATFORM_KERNEL_PID, 0));

	/* The creator died: its own chunk is reclaimed, the kernel's stay. */
	CU_ASSERT_EQUAL(coco_model_platform_reclaim_dead(p, NULL, NULL), 1);
	CU_ASSERT_EQUAL(coco_model_platform_chunks_in_use(p), 2);
	CU_ASSERT_EQUAL(p->chunks[0].owner_pid, COCO_MODEL_PLATFORM_KERNEL_PID);
	CU_ASSERT_EQUAL(p->chunks[2].owner_pid, 0);
	pid = p->chunks[0].owner_pid;
	start = p->chunks[0].owner_start;
	CU_ASSERT_FALSE(coco_model_platform_claim_dead(p, &pid, &start));
	CU_ASSERT_EQUAL(pid, COCO_MODEL_PLATFORM_KERNEL_PID);

	/* Kernel memory is not handed out again until the kernel frees it. */
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 2 * MIB, &spa), 0);
	CU_ASSERT_EQUAL(spa, BASE + 4 * MIB);
	coco_model_platform_free(p, BASE, 4 * MIB);
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 4 * MIB, &spa), 0);
	CU_ASSERT_EQUAL(spa, BASE);
	coco_model_platform_free(p, BASE, 16 * MIB);
	coco_model_platform_close(p);
}

static void die_holding_lock(struct coco_model_platform *p)
{
	coco_model_platform_lock(p);
}

static void test_dead_lock_holder(void)
{
	struct coco_model_platform *p = open_ok(NULL);
	uint64_t spa;

	CU_ASSERT_FATAL(p != NULL);
	child_dies_after(die_holding_lock, p);
	alarm(20);	/* a lock that is not robust hangs here */
	coco_model_platform_lock(p);
	coco_model_platform_unlock(p);
	/* The lock works as before for everybody. */
	CU_ASSERT_EQUAL(coco_model_platform_alloc(p, 2 * MIB, &spa), 0);
	alarm(0);
	coco_model_platform_close(p);
}

static int setup(void)
{
	strcpy(dir, "/tmp/coco-model-platform-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(file, sizeof(file), "%s/test.platform", dir);
	return 0;
}

static int teardown(void)
{
	unlink(file);
	return rmdir(dir);
}

static CU_TestInfo tests[] = {
	{ "private platforms", test_private },
	{ "incomplete vendor descriptions are refused", test_bad_spec },
	{ "chunks of model memory", test_chunks },
	{ "local maps", test_local_maps },
	{ "zeroing part of the state", test_zero },
	{ "file: create, share, reopen", test_file_create_reopen },
	{ "file: foreign files are refused and kept", test_foreign_file },
	{ "file: another layout version: refused in use, else started anew", test_old_layout },
	{ "file: truncated and damaged files are refused", test_truncated_and_damaged },
	{ "file: half-created files are created again", test_half_created },
	{ "dead owners' chunks are reclaimed", test_dead_owner_reclaim },
	{ "a process that dies holding the lock", test_dead_lock_holder },
	{ "the kernel owner is never reaped", test_kernel_owner },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "model-platform", setup, teardown, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

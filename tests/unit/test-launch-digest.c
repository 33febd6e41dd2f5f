/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/launch-digest.c, the PAGE_INFO chain.  Vectors: the
 * chained example of ../shared/specs/snp.md section 1.6 (computed there by
 * an independent implementation and cross-checked with sev-snp-measure).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/util.h"
#include "sev-snp/launch-digest.h"
#include "tests/common/test-main.h"

static void expect_digest(const struct snp_launch_digest *d, const char *hex)
{
	char got[2 * SNP_DIGEST_SIZE + 1];

	coco_hex_encode(d->ld, SNP_DIGEST_SIZE, got);
	CU_ASSERT_STRING_EQUAL(got, hex);
}

static void test_tiny_chain(void)
{
	struct snp_launch_digest d;
	uint8_t page[SNP_PAGE_SIZE];

	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)i;	/* bytes 00..ff repeated 16 times */
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	CU_ASSERT(coco_all_zero(d.ld, sizeof(d.ld)));

	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0xFFFFF000,
						       page, 1), 0);
	expect_digest(&d, "79d7e453f7b541d04f7f51cccc6f4acca624b7a97430595dd7c98bd8c7a89765"
			  "6a91c611473f137680bd00e9e72e47c4");
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_ZERO, 0x800000, NULL, 1),
			0);
	expect_digest(&d, "03ea82864e5aabf492f7e714db72aa7ac044e036de818a2067873e00972e6db0"
			  "38604ddf109687df6c1b7433021c8a9f");
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_SECRETS, 0x80D000, NULL,
						       1), 0);
	expect_digest(&d, "6bd1c88cae3eb95b4894b872d91e6465872d4a59e904de3d9eda6dff630422d1"
			  "a7e753d7af770ed1295db8eccca641a8");
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_CPUID, 0x80E000, NULL, 1),
			0);
	expect_digest(&d, "44a610db333ee19937a322ee229f40d8a3975291d2c5a293db541ba167f708ca"
			  "270efa6f57329930765917135095c22e");
	snp_launch_digest_fini(&d);
}

static void test_contents_and_gpa_matter(void)
{
	struct snp_launch_digest a, b;
	uint8_t page[SNP_PAGE_SIZE] = { 0 };

	CU_ASSERT_FATAL(snp_launch_digest_init(&a) == 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&b) == 0);
	snp_launch_digest_extend_pages(&a, SNP_PAGE_TYPE_NORMAL, 0x1000, page, 1);
	page[4095] = 1;
	snp_launch_digest_extend_pages(&b, SNP_PAGE_TYPE_NORMAL, 0x1000, page, 1);
	CU_ASSERT(memcmp(a.ld, b.ld, SNP_DIGEST_SIZE) != 0);

	snp_launch_digest_fini(&a);
	snp_launch_digest_fini(&b);
	CU_ASSERT_FATAL(snp_launch_digest_init(&a) == 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&b) == 0);
	snp_launch_digest_extend_pages(&a, SNP_PAGE_TYPE_ZERO, 0x1000, NULL, 1);
	snp_launch_digest_extend_pages(&b, SNP_PAGE_TYPE_ZERO, 0x2000, NULL, 1);
	CU_ASSERT(memcmp(a.ld, b.ld, SNP_DIGEST_SIZE) != 0);
	snp_launch_digest_fini(&a);
	snp_launch_digest_fini(&b);
}

static void test_vmsa_tsc_fields_not_measured(void)
{
	struct snp_launch_digest a, b;
	uint8_t vmsa[SNP_PAGE_SIZE] = { 0 };

	CU_ASSERT_FATAL(snp_launch_digest_init(&a) == 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&b) == 0);
	snp_launch_digest_extend_pages(&a, SNP_PAGE_TYPE_VMSA, SNP_INITIAL_VMSA_GPA, vmsa, 1);
	vmsa[SNP_VMSA_TSC_SCALE] = 0x12;
	vmsa[SNP_VMSA_TSC_OFFSET + 7] = 0x34;
	snp_launch_digest_extend_pages(&b, SNP_PAGE_TYPE_VMSA, SNP_INITIAL_VMSA_GPA, vmsa, 1);
	CU_ASSERT(memcmp(a.ld, b.ld, SNP_DIGEST_SIZE) == 0);
	/* ...but any other byte is. */
	vmsa[0x300] = 1;
	snp_launch_digest_fini(&b);
	CU_ASSERT_FATAL(snp_launch_digest_init(&b) == 0);
	snp_launch_digest_extend_pages(&b, SNP_PAGE_TYPE_VMSA, SNP_INITIAL_VMSA_GPA, vmsa, 1);
	CU_ASSERT(memcmp(a.ld, b.ld, SNP_DIGEST_SIZE) != 0);
	snp_launch_digest_fini(&a);
	snp_launch_digest_fini(&b);
}

static void test_multi_page_equals_single_steps(void)
{
	static uint8_t pages[8 * SNP_PAGE_SIZE];
	struct snp_launch_digest a, b;

	for (size_t i = 0; i < sizeof(pages); i++)
		pages[i] = (uint8_t)(i * 7 + 3);
	CU_ASSERT_FATAL(snp_launch_digest_init(&a) == 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&b) == 0);
	snp_launch_digest_extend_pages(&a, SNP_PAGE_TYPE_NORMAL, 0x200000, pages, 8);
	for (int i = 0; i < 8; i++)
		snp_launch_digest_extend_pages(&b, SNP_PAGE_TYPE_NORMAL, 0x200000 + i * 0x1000ull,
					       pages + i * SNP_PAGE_SIZE, 1);
	CU_ASSERT(memcmp(a.ld, b.ld, SNP_DIGEST_SIZE) == 0);
	snp_launch_digest_fini(&a);
	snp_launch_digest_fini(&b);
}

/* Threads hash page contents ahead of the chain; the digest must not notice. */
static void test_threaded_equals_sequential(void)
{
	/* Not a multiple of the batch (512) or claim (16) sizes, so partial ones occur. */
	const uint64_t npages = 1500;
	uint8_t *pages = malloc(npages * SNP_PAGE_SIZE);
	uint8_t expect[SNP_DIGEST_SIZE];
	const unsigned int threads[] = { 0, 2, 3, 8 };
	struct snp_launch_digest d;

	CU_ASSERT_FATAL(pages != NULL);
	for (uint64_t i = 0; i < npages * SNP_PAGE_SIZE; i++)
		pages[i] = (uint8_t)(i * 131 + (i >> 12));

	/* Reference: one page per call, which never uses the threads. */
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	for (uint64_t i = 0; i < npages; i++)
		CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL,
							       0x10000000 + i * SNP_PAGE_SIZE,
							       pages + i * SNP_PAGE_SIZE, 1), 0);
	memcpy(expect, d.ld, sizeof(expect));
	snp_launch_digest_fini(&d);

	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
		snp_launch_digest_set_threads(&d, threads[t]);
		/* Two runs: the workers started by the first serve the second. */
		CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0x10000000,
							       pages, 1000), 0);
		CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL,
							       0x10000000 + 1000 * SNP_PAGE_SIZE,
							       pages + 1000 * SNP_PAGE_SIZE, 500), 0);
		CU_ASSERT(memcmp(d.ld, expect, SNP_DIGEST_SIZE) == 0);
		snp_launch_digest_fini(&d);
	}
	/* A changed byte in the last page still changes the digest on the threaded path. */
	pages[npages * SNP_PAGE_SIZE - 1] ^= 1;
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	snp_launch_digest_set_threads(&d, 2);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0x10000000, pages,
						       npages), 0);
	CU_ASSERT(memcmp(d.ld, expect, SNP_DIGEST_SIZE) != 0);
	snp_launch_digest_fini(&d);
	free(pages);
}

/* A child forked while the hashing threads run has none of them; it must still work. */
static void test_fork_after_threads_started(void)
{
	const uint64_t npages = 600;
	uint8_t *pages = malloc(npages * SNP_PAGE_SIZE);
	uint8_t expect[SNP_DIGEST_SIZE];
	struct snp_launch_digest d;
	int status = -1;
	pid_t pid;

	CU_ASSERT_FATAL(pages != NULL);
	for (uint64_t i = 0; i < npages * SNP_PAGE_SIZE; i++)
		pages[i] = (uint8_t)(i * 7 + (i >> 12));
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	snp_launch_digest_set_threads(&d, 1);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0, pages, npages), 0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, npages * 4096ull,
						       pages, npages), 0);
	memcpy(expect, d.ld, sizeof(expect));
	snp_launch_digest_fini(&d);

	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	snp_launch_digest_set_threads(&d, 2);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0, pages, npages), 0);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		int ok = snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, npages * 4096ull,
							pages, npages) == 0 &&
			 !memcmp(d.ld, expect, SNP_DIGEST_SIZE);
		snp_launch_digest_fini(&d);
		free(pages);
		_exit(ok ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, npages * 4096ull,
						       pages, npages), 0);
	CU_ASSERT(!memcmp(d.ld, expect, SNP_DIGEST_SIZE));
	snp_launch_digest_fini(&d);
	free(pages);
}

static CU_TestInfo tests[] = {
	{ "tiny chained vector", test_tiny_chain },
	{ "contents and GPA change the digest", test_contents_and_gpa_matter },
	{ "VMSA TSC scale/offset are not measured", test_vmsa_tsc_fields_not_measured },
	{ "multi-page update equals page-by-page", test_multi_page_equals_single_steps },
	{ "threaded page hashing equals sequential", test_threaded_equals_sequential },
	{ "a forked child hashes without the parent's threads", test_fork_after_threads_started },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "launch-digest", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

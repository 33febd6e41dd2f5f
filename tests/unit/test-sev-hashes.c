/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/sev-hashes.c, the SEV hashes table of measured direct
 * kernel boot (../shared/specs/snp.md section 1.4).  Digests of the files
 * were computed independently (python hashlib); the page digest comes from
 * sev-snp-measure's SevHashes for the same inputs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "sev-snp/sev-hashes.h"
#include "tests/common/test-main.h"

static void expect_hex(const uint8_t *data, size_t len, const char *hex)
{
	char got[2 * 64 + 1];

	coco_hex_encode(data, len, got);
	CU_ASSERT_STRING_EQUAL(got, hex);
}

static const char sha256_nul[] =
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
static const char sha256_empty[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

static void test_hashes_of_files(void)
{
	struct snp_sev_hashes h;
	char kernel[4096], initrd[4096];

	snprintf(kernel, sizeof(kernel), "%s", coco_test_vector("snp/measure/kernel.bin"));
	snprintf(initrd, sizeof(initrd), "%s", coco_test_vector("snp/measure/initrd.bin"));
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_from_files(kernel, initrd, "console=ttyS0", &h), 0);
	expect_hex(h.kernel, 32, "e2fa9ed43360809a1677a0dc8582fbdd7bb5793acb97cd3ebee504c4959863a6");
	expect_hex(h.initrd, 32, "044e081bc59f7284b4b2a87ae56362e5182a613ce57da7bad59a62c5feed0a7e");
	/* the command line is hashed with its NUL */
	expect_hex(h.cmdline, 32, "f18aae9b3c09e55bc3047ad361e2442d7c53372470b2958fb83293209a784f71");
}

static void test_defaults_and_devices(void)
{
	struct snp_sev_hashes h;

	/* /dev/null is a character device: files are streamed, not stat-sized */
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_from_files("/dev/null", NULL, NULL, &h), 0);
	expect_hex(h.kernel, 32, sha256_empty);
	expect_hex(h.initrd, 32, sha256_empty);	/* no initrd hashes as empty */
	expect_hex(h.cmdline, 32, sha256_nul);	/* no command line is "\0" */
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_from_files("/dev/null", "/dev/null", "", &h), 0);
	expect_hex(h.cmdline, 32, sha256_nul);
}

static void test_unreadable_files(void)
{
	struct snp_sev_hashes h;

	coco_clear_error();
	CU_ASSERT_EQUAL(snp_sev_hashes_from_files("/nonexistent/vmlinuz", NULL, NULL, &h), -ENOENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "kernel '/nonexistent/vmlinuz'"));
	CU_ASSERT_EQUAL(snp_sev_hashes_from_files("/dev/null", "/", NULL, &h), -EISDIR);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "initrd '/'"));
	CU_ASSERT_EQUAL(snp_sev_hashes_from_files(NULL, NULL, NULL, &h), -EINVAL);
}

static void test_table_layout(void)
{
	struct snp_sev_hashes h;
	uint8_t t[SNP_SEV_HASHES_TABLE_PADDED_LEN];
	/* GUIDs in image byte order (QEMU target/i386/sev.c) */
	static const uint8_t header[16] = { 0x06, 0xd6, 0x38, 0x94, 0x22, 0x4f, 0xc9, 0x4c,
					    0xb4, 0x79, 0xa7, 0x93, 0xd4, 0x11, 0xfd, 0x21 };
	static const uint8_t cmdline[16] = { 0xd8, 0x2d, 0xd0, 0x97, 0x20, 0xbd, 0x94, 0x4c,
					     0xaa, 0x78, 0xe7, 0x71, 0x4d, 0x36, 0xab, 0x2a };
	static const uint8_t initrd[16] = { 0x31, 0xf7, 0xba, 0x44, 0x2f, 0x3a, 0xd7, 0x4b,
					    0x9a, 0xf1, 0x41, 0xe2, 0x91, 0x69, 0x78, 0x1d };
	static const uint8_t kernel[16] = { 0x37, 0x94, 0xe7, 0x4d, 0xd2, 0xab, 0x7f, 0x42,
					    0xb8, 0x35, 0xd5, 0xb1, 0x72, 0xd2, 0x04, 0x5b };

	memset(h.cmdline, 0x11, 32);
	memset(h.initrd, 0x22, 32);
	memset(h.kernel, 0x33, 32);
	memset(t, 0xEE, sizeof(t));
	snp_sev_hashes_table(&h, t);
	CU_ASSERT(!memcmp(t, header, 16));
	CU_ASSERT_EQUAL(coco_le16(t + 16), 0xA8);
	/* entries: command line, initrd, kernel; each GUID, u16 0x32, hash */
	CU_ASSERT(!memcmp(t + 18, cmdline, 16));
	CU_ASSERT_EQUAL(coco_le16(t + 34), 0x32);
	CU_ASSERT(!memcmp(t + 36, h.cmdline, 32));
	CU_ASSERT(!memcmp(t + 68, initrd, 16));
	CU_ASSERT_EQUAL(coco_le16(t + 84), 0x32);
	CU_ASSERT(!memcmp(t + 86, h.initrd, 32));
	CU_ASSERT(!memcmp(t + 118, kernel, 16));
	CU_ASSERT_EQUAL(coco_le16(t + 134), 0x32);
	CU_ASSERT(!memcmp(t + 136, h.kernel, 32));
	/* zero padding to 176 bytes */
	CU_ASSERT(coco_all_zero(t + 168, 8));
}

static void test_page(void)
{
	struct snp_sev_hashes h;
	uint8_t page[SNP_PAGE_SIZE], table[SNP_SEV_HASHES_TABLE_PADDED_LEN], digest[32];
	char kernel[4096], initrd[4096];

	snprintf(kernel, sizeof(kernel), "%s", coco_test_vector("snp/measure/kernel.bin"));
	snprintf(initrd, sizeof(initrd), "%s", coco_test_vector("snp/measure/initrd.bin"));
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_from_files(kernel, initrd, "console=ttyS0", &h), 0);
	memset(page, 0xEE, sizeof(page));
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_page(&h, 0xC00, page), 0);
	snp_sev_hashes_table(&h, table);
	CU_ASSERT(coco_all_zero(page, 0xC00));
	CU_ASSERT(!memcmp(page + 0xC00, table, sizeof(table)));
	CU_ASSERT(coco_all_zero(page + 0xC00 + sizeof(table), SNP_PAGE_SIZE - 0xC00 - sizeof(table)));
	/* the page sev-snp-measure builds for the same inputs */
	CU_ASSERT_EQUAL(coco_sha256(page, sizeof(page), digest), 0);
	expect_hex(digest, 32, "f9319feb679c12c0cf073200516ab6d03fb72820d2d5f2e2f3235674eb3c9b0f");

	/* the last offset where the table fits, and the first where it does not */
	CU_ASSERT_EQUAL(snp_sev_hashes_page(&h, SNP_PAGE_SIZE - 176, page), 0);
	CU_ASSERT(!memcmp(page + SNP_PAGE_SIZE - 176, table, sizeof(table)));
	coco_clear_error();
	CU_ASSERT_EQUAL(snp_sev_hashes_page(&h, SNP_PAGE_SIZE - 175, page), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "cross into the next page"));
	CU_ASSERT_EQUAL(snp_sev_hashes_page(&h, 0xFFFFFFFF, page), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "hashes of kernel, initrd, command line", test_hashes_of_files },
	{ "empty initrd and command line; devices", test_defaults_and_devices },
	{ "unreadable files are named", test_unreadable_files },
	{ "table layout and order", test_table_layout },
	{ "table placement in its page", test_page },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "sev-hashes", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

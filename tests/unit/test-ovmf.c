/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/ovmf.c, the OVMF footer table and SEV metadata
 * parser.  Real images: the AmdSevX64 suffix from the vectors and Debian's
 * OVMF.fd / OVMF_CODE_4M.fd (package ovmf, installed by
 * scripts/install-deps.sh); malformed images are crafted, one defect each.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/ovmf.h"
#include "tests/common/ovmf-image.h"
#include "tests/common/test-main.h"

#define DEBIAN_OVMF "/usr/share/ovmf/OVMF.fd"
#define DEBIAN_OVMF_CODE_4M "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define IMG_LEN 4096u

static uint8_t *load(const char *path, size_t *len)
{
	uint8_t *data = NULL;

	if (coco_read_file(path, 64u << 20, "test image", &data, len)) {
		fprintf(stderr, "\n%s (install Debian's ovmf package: scripts/install-deps.sh)\n",
			coco_last_error());
		return NULL;
	}
	return data;
}

static void test_amdsev_suffix(void)
{
	size_t len;
	uint8_t *img = load(coco_test_vector("snp/measure/ovmf_AmdSev_suffix.bin"), &len);
	struct snp_ovmf o;
	static const struct snp_ovmf_section expect[] = {
		{ 0x800000, 0x9000, 1 }, { 0x80A000, 0x3000, 1 }, { 0x80D000, 0x1000, 2 },
		{ 0x80E000, 0x1000, 3 }, { 0x80F000, 0x1000, 4 }, { 0x810000, 0x1000, 0x10 },
		{ 0x811000, 0xF000, 1 },
	};

	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL_FATAL(snp_ovmf_parse(img, len, &o), 0);
	CU_ASSERT(o.has_footer_table);
	CU_ASSERT(o.has_reset_block);
	CU_ASSERT_EQUAL(o.ap_reset_eip, 0x80B004);
	CU_ASSERT(o.has_secret_area);
	CU_ASSERT_EQUAL(o.secret_base, 0x810000);
	CU_ASSERT_EQUAL(o.secret_size, 0xC00);
	CU_ASSERT(o.has_hash_table);
	CU_ASSERT_EQUAL(o.hash_table_base, 0x810C00);
	CU_ASSERT_EQUAL(o.hash_table_size, 0x400);
	CU_ASSERT(o.has_metadata);
	CU_ASSERT_EQUAL(o.metadata_version, 1);
	CU_ASSERT_EQUAL_FATAL(o.nsections, 7);
	for (size_t i = 0; i < 7; i++) {
		CU_ASSERT_EQUAL(o.sections[i].gpa, expect[i].gpa);
		CU_ASSERT_EQUAL(o.sections[i].size, expect[i].size);
		CU_ASSERT_EQUAL(o.sections[i].type, expect[i].type);
	}
	CU_ASSERT(snp_ovmf_has_section(&o, SNP_OVMF_SECTION_SNP_KERNEL_HASHES));
	CU_ASSERT(snp_ovmf_has_section(&o, SNP_OVMF_SECTION_SVSM_CAA));
	free(img);
}

static void test_debian_images(void)
{
	size_t len;
	uint8_t *img = load(DEBIAN_OVMF, &len);
	struct snp_ovmf o;

	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL(snp_ovmf_parse(img, len, &o), 0);
	CU_ASSERT(o.has_metadata);
	CU_ASSERT_EQUAL(o.nsections, 5);
	CU_ASSERT_EQUAL(o.ap_reset_eip, 0x80B004);
	CU_ASSERT(!snp_ovmf_has_section(&o, SNP_OVMF_SECTION_SNP_KERNEL_HASHES));
	/* bookworm's OVMF.fd has the hash table entry, but empty */
	CU_ASSERT(o.has_hash_table);
	CU_ASSERT_EQUAL(o.hash_table_base, 0);
	free(img);

	img = load(DEBIAN_OVMF_CODE_4M, &len);
	CU_ASSERT_FATAL(img != NULL);
	CU_ASSERT_EQUAL(snp_ovmf_parse(img, len, &o), 0);
	CU_ASSERT(o.has_footer_table);
	CU_ASSERT(o.has_reset_block);
	CU_ASSERT_EQUAL(o.ap_reset_eip, 0x808004);
	CU_ASSERT(!o.has_metadata);	/* the trap: no SEV metadata at all */
	CU_ASSERT_EQUAL(o.nsections, 0);
	free(img);
}

static void test_not_ovmf(void)
{
	uint8_t img[IMG_LEN];
	struct snp_ovmf o;

	memset(img, 0xAB, sizeof(img));
	CU_ASSERT_EQUAL(snp_ovmf_parse(img, sizeof(img), &o), 0);
	CU_ASSERT(!o.has_footer_table);
	CU_ASSERT(!o.has_metadata);
	CU_ASSERT(!o.has_reset_block);
	/* too small to hold a footer at all */
	CU_ASSERT_EQUAL(snp_ovmf_parse(img, 49, &o), 0);
	CU_ASSERT(!o.has_footer_table);
	CU_ASSERT_EQUAL(snp_ovmf_parse(NULL, 0, &o), 0);
}

static void test_crafted_default_parses(void)
{
	uint8_t img[IMG_LEN];
	struct test_ovmf t;
	struct snp_ovmf o;

	test_ovmf_default(&t);
	test_ovmf_write(&t, img, sizeof(img));
	CU_ASSERT_EQUAL_FATAL(snp_ovmf_parse(img, sizeof(img), &o), 0);
	CU_ASSERT_EQUAL(o.nsections, 7);
	CU_ASSERT_EQUAL(o.ap_reset_eip, 0x80B004);
	CU_ASSERT_EQUAL(o.hash_table_base, 0x810C00);
	CU_ASSERT_EQUAL(o.metadata_offset, 0x600);
}

/* Expect -EINVAL and a message containing @needle. */
static void expect_refused(const struct test_ovmf *t, const char *needle)
{
	uint8_t img[IMG_LEN];
	struct snp_ovmf o;
	int ret;

	test_ovmf_write(t, img, sizeof(img));
	coco_clear_error();
	ret = snp_ovmf_parse(img, sizeof(img), &o);
	CU_ASSERT_EQUAL(ret, -EINVAL);
	if (!strstr(coco_last_error(), needle)) {
		fprintf(stderr, "\nexpected '%s' in: %s\n", needle, coco_last_error());
		CU_FAIL("error message does not name the cause");
	}
}

static void test_malformed_footer_table(void)
{
	struct test_ovmf t;

	test_ovmf_default(&t);
	t.footer_size_override = 10;
	expect_refused(&t, "smaller than its own");

	test_ovmf_default(&t);
	t.footer_size_override = 0xFFFF;
	expect_refused(&t, "precede it");

	test_ovmf_default(&t);
	t.entries[1].size_override = 5;
	expect_refused(&t, "has size 5");

	test_ovmf_default(&t);
	t.entries[2].size_override = 0x7000;	/* runs past the table start */
	expect_refused(&t, "has size 28672");

	test_ovmf_default(&t);
	t.footer_size_override = 18 + (4 + 18) + 7;	/* reset block entry + 7 stray bytes */
	t.nentries = 1;
	expect_refused(&t, "stray bytes");

	test_ovmf_default(&t);
	test_ovmf_add_entry(&t, test_guid_reset_block, 0x80B004, 0, 4);
	expect_refused(&t, "a second SEV-ES reset block");

	test_ovmf_default(&t);
	t.entries[0].data_len = 2;
	expect_refused(&t, "fewer than the 4");

	test_ovmf_default(&t);
	t.entries[2].data_len = 4;	/* hash table needs base and size */
	expect_refused(&t, "SEV hash table entry");

	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[0].data, 0);
	expect_refused(&t, "entry point 0");

	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[2].data, 0xFFFFF000);
	test_ovmf_put32(t.entries[2].data + 4, 0x2000);
	expect_refused(&t, "past 4 GiB");
}

static void test_malformed_metadata(void)
{
	struct test_ovmf t;

	test_ovmf_default(&t);
	t.metadata_offset = IMG_LEN + 16;
	test_ovmf_put32(t.entries[3].data, IMG_LEN + 16);
	expect_refused(&t, "cannot be");

	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[3].data, 8);
	expect_refused(&t, "cannot be");

	test_ovmf_default(&t);
	memcpy(t.signature, "ASEX", 4);
	expect_refused(&t, "not \"ASEV\"");

	test_ovmf_default(&t);
	t.version = 2;
	expect_refused(&t, "version 2");

	test_ovmf_default(&t);
	t.size_override = 0x601;
	expect_refused(&t, "truncated or corrupt");

	test_ovmf_default(&t);
	t.size_override = 8;
	expect_refused(&t, "says it is 8 bytes");

	test_ovmf_default(&t);
	t.count_override = 0xFFFFFFFF;	/* count * 12 overflows 32 bits */
	expect_refused(&t, "declares 4294967295 sections");

	test_ovmf_default(&t);
	t.count_override = 0x15555556;	/* count * 12 wraps to 8 */
	expect_refused(&t, "declares 357913942 sections");

	test_ovmf_default(&t);
	t.nsections = 0;
	for (uint32_t i = 0; i < 65; i++)
		test_ovmf_add_section(&t, 0x1000000 + i * 0x1000, 0x1000, 1);
	expect_refused(&t, "at most 64");
}

static void test_malformed_sections(void)
{
	struct test_ovmf t;

	test_ovmf_default(&t);
	t.sections[4].type = 5;
	expect_refused(&t, "unknown type 0x5");

	test_ovmf_default(&t);
	t.sections[1].size = 0;
	expect_refused(&t, "is empty");

	test_ovmf_default(&t);
	t.sections[0].gpa = 0x800800;
	expect_refused(&t, "not 4 KiB aligned");

	test_ovmf_default(&t);
	t.sections[1].size = 0x3800;
	expect_refused(&t, "not 4 KiB aligned");

	test_ovmf_default(&t);
	t.sections[6].gpa = 0x808000;	/* inside the first SEC_MEM range */
	expect_refused(&t, "overlaps section 0");

	test_ovmf_default(&t);
	t.sections[6].gpa = 0xFFFFF000;
	t.sections[6].size = 0x2000;
	expect_refused(&t, "past 4 GiB");

	test_ovmf_default(&t);
	t.sections[2].size = 0x2000;
	expect_refused(&t, "exactly one 4 KiB page");

	test_ovmf_default(&t);
	t.sections[3].size = 0x2000;
	expect_refused(&t, "CPUID page as exactly one");
}

/*
 * Every truncation and every single-byte corruption of the table area of
 * a real image parses or is refused; nothing crashes (ASan watches).
 */
static void test_truncations_and_corruptions(void)
{
	size_t len;
	uint8_t *img = load(coco_test_vector("snp/measure/ovmf_AmdSev_suffix.bin"), &len);
	struct snp_ovmf o;
	unsigned int refused = 0;

	CU_ASSERT_FATAL(img != NULL);
	for (size_t cut = 0; cut <= len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);
		memcpy(copy, img + (len - cut), cut);	/* keep the tail: the footer stays put */
		int ret = snp_ovmf_parse(copy, cut, &o);
		CU_ASSERT(ret == 0 || ret == -EINVAL);
		refused += ret != 0;
		free(copy);
	}
	CU_ASSERT(refused > 0);		/* cutting into the metadata must be noticed */
	for (size_t at = len - 0x600; at < len; at++) {
		for (unsigned int bit = 0; bit < 8; bit += 3) {
			img[at] ^= (uint8_t)(1u << bit);
			int ret = snp_ovmf_parse(img, len, &o);
			CU_ASSERT(ret == 0 || ret == -EINVAL);
			img[at] ^= (uint8_t)(1u << bit);
		}
	}
	free(img);
}

static void test_section_names(void)
{
	CU_ASSERT_STRING_EQUAL(snp_ovmf_section_type_name(1), "SNP_SEC_MEM");
	CU_ASSERT_STRING_EQUAL(snp_ovmf_section_type_name(0x10), "SNP_KERNEL_HASHES");
	CU_ASSERT_PTR_NULL(snp_ovmf_section_type_name(0));
	CU_ASSERT_PTR_NULL(snp_ovmf_section_type_name(5));
}

static CU_TestInfo tests[] = {
	{ "AmdSevX64 suffix", test_amdsev_suffix },
	{ "Debian OVMF.fd and OVMF_CODE_4M.fd", test_debian_images },
	{ "images without a footer table", test_not_ovmf },
	{ "crafted SNP image", test_crafted_default_parses },
	{ "malformed footer tables are refused", test_malformed_footer_table },
	{ "malformed SEV metadata is refused", test_malformed_metadata },
	{ "malformed sections are refused", test_malformed_sections },
	{ "truncated and corrupted images", test_truncations_and_corruptions },
	{ "section type names", test_section_names },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "ovmf", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

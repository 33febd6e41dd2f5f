/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/tdvf.c, the TDVF metadata parser.  The synthetic vector
 * image (legacy pointer) and crafted images (footer table or legacy
 * pointer), each malformed one with exactly one defect that must be
 * refused with a message naming it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "tdx/tdvf.h"
#include "tests/common/tdvf-image.h"
#include "tests/common/test-main.h"

static uint8_t img[TEST_TDVF_LEN];
static struct tdx_tdvf parsed;

/* Write @t and parse it. */
static int parse(const struct test_tdvf *t)
{
	test_tdvf_write(t, img);
	return tdx_tdvf_parse(img, sizeof(img), &parsed);
}

/* Parsing @t fails with -EINVAL and a message holding @a (and @b if given). */
static void expect_refused(const struct test_tdvf *t, const char *a, const char *b)
{
	int ret = parse(t);

	CU_ASSERT_EQUAL(ret, -EINVAL);
	if (!strstr(coco_last_error(), a) || (b && !strstr(coco_last_error(), b))) {
		fprintf(stderr, "\nmessage lacks '%s'/'%s': %s\n", a, b ? b : "", coco_last_error());
		CU_FAIL("message does not name the defect");
	}
}

static void test_synthetic_vector(void)
{
	uint8_t *data = NULL;
	size_t len = 0;
	/* The layout the vector's README and specs/tdx.md 4.3 describe. */
	static const struct { uint64_t gpa, size; uint32_t type, attr; bool data; } expect[] = {
		{ 0xFFFFE000, 0x2000, TDX_TDVF_BFV, TDX_TDVF_ATTR_MR_EXTEND, true },
		{ 0xFFFFD000, 0x1000, TDX_TDVF_CFV, 0, true },
		{ 0x800000, 0x2000, TDX_TDVF_TEMP_MEM, 0, false },
		{ 0x809000, 0x1000, TDX_TDVF_TD_HOB, 0, false },
		{ 0x900000, 0x4000, TDX_TDVF_TEMP_MEM, TDX_TDVF_ATTR_PAGE_AUG, false },
	};

	CU_ASSERT_EQUAL_FATAL(coco_read_file(coco_test_vector("tdx/measure/synthetic_tdvf.bin"),
					     1u << 20, "vector", &data, &len), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_tdvf_parse(data, len, &parsed), 0);
	CU_ASSERT_FALSE(parsed.from_footer_table);
	CU_ASSERT_EQUAL(parsed.version, 1);
	CU_ASSERT_EQUAL_FATAL(parsed.nsections, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct tdx_tdvf_section *s = &parsed.sections[i];
		CU_ASSERT_EQUAL(s->memory_address, expect[i].gpa);
		CU_ASSERT_EQUAL(s->memory_data_size, expect[i].size);
		CU_ASSERT_EQUAL(s->type, expect[i].type);
		CU_ASSERT_EQUAL(s->attributes, expect[i].attr);
		CU_ASSERT_EQUAL(s->raw_data_size != 0, expect[i].data);
	}
	free(data);
}

static void test_crafted_both_ways(void)
{
	struct test_tdvf t;

	for (int way = TEST_TDVF_FOOTER; way <= TEST_TDVF_LEGACY; way++) {
		test_tdvf_default(&t, (enum test_tdvf_locate)way);
		CU_ASSERT_EQUAL_FATAL(parse(&t), 0);
		CU_ASSERT_EQUAL(parsed.from_footer_table, way == TEST_TDVF_FOOTER);
		CU_ASSERT_EQUAL(parsed.has_footer_table, way == TEST_TDVF_FOOTER);
		CU_ASSERT_EQUAL(parsed.descriptor_offset, TEST_TDVF_DESC_OFFSET);
		CU_ASSERT_EQUAL_FATAL(parsed.nsections, t.nsections);
		CU_ASSERT(!memcmp(parsed.sections, t.sections, t.nsections * sizeof(t.sections[0])));
	}
	/* td-shim's types with and without data, and PAGE_AUG memory, are accepted. */
	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	test_tdvf_add(&t, 0, 0, 0x1000000, 0x10000, TDX_TDVF_PERM_MEM, TDX_TDVF_ATTR_PAGE_AUG);
	test_tdvf_add(&t, 0, 0, 0x2000000, 0x100000, TDX_TDVF_PAYLOAD, 0);
	test_tdvf_add(&t, 0x3000, 0x800, 0x3000000, 0x1000, TDX_TDVF_PAYLOAD_PARAM, 0);
	CU_ASSERT_EQUAL(parse(&t), 0);
	CU_ASSERT_EQUAL(parsed.nsections, 7);
}

static void test_no_metadata(void)
{
	struct test_tdvf t;

	test_tdvf_default(&t, TEST_TDVF_NOWHERE);
	expect_refused(&t, "carries none", "no OVMF footer table");
	/* A legacy pointer to something other than a descriptor: still none. */
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.pointer_override = 0x3000;
	expect_refused(&t, "carries none", NULL);
	t.pointer_override = TEST_TDVF_LEN - 8;	/* descriptor would run off the end */
	expect_refused(&t, "carries none", NULL);
	CU_ASSERT_EQUAL(tdx_tdvf_parse(img, 0, &parsed), -EINVAL);
	CU_ASSERT_EQUAL(tdx_tdvf_parse(NULL, 10, &parsed), -EINVAL);
	CU_ASSERT_EQUAL(tdx_tdvf_parse(img, 0x1f, &parsed), -EINVAL);
}

static void test_footer_entry_defects(void)
{
	struct test_tdvf t;

	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	t.duplicate_entry = true;
	expect_refused(&t, "second TDX metadata offset entry", NULL);

	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	t.entry_data_len = 2;
	expect_refused(&t, "carries 2 bytes", NULL);

	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	t.pointer_override = 8;		/* shorter than a descriptor header */
	expect_refused(&t, "0x8 bytes before the end", NULL);
	t.pointer_override = TEST_TDVF_LEN + 0x1000;
	expect_refused(&t, "before the end", NULL);
	t.pointer_override = TEST_TDVF_LEN - 0x3000;	/* inside the data, no signature */
	expect_refused(&t, "instead of the \"TDVF\" signature", NULL);
}

static void test_descriptor_defects(void)
{
	struct test_tdvf t;

	/* A footer pointer to a bad signature is corrupt (the legacy one is "none"). */
	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	t.signature = 0x46564455;
	expect_refused(&t, "signature", NULL);

	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.version = 2;
	expect_refused(&t, "version 2", NULL);

	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.count_override = 0;
	expect_refused(&t, "declares 0 sections", NULL);

	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.count_override = TDX_TDVF_MAX_SECTIONS + 1;
	expect_refused(&t, "declares 65 sections", NULL);

	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.length_override = 16 + 32 * 4 - 1;
	expect_refused(&t, "exactly 144", NULL);
	t.length_override = 16 + 32 * 5;
	expect_refused(&t, "exactly 144", NULL);

	/* Descriptor near the end: its sections would run past the image. */
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.desc_offset = TEST_TDVF_LEN - 0x200 + 0x10;
	t.nsections = 0;
	for (unsigned int i = 0; i < 40; i++)
		test_tdvf_add(&t, 0, 0, 0x800000 + i * 0x1000, 0x1000, TDX_TDVF_TEMP_MEM, 0);
	t.sections[0] = (struct tdx_tdvf_section){ 0x4000, 0x1000, 0xFFFFF000, 0x1000,
						   TDX_TDVF_BFV, 1 };
	/* Write only what fits: the count says 40, the image ends first. */
	t.nsections = 7;
	t.count_override = 40;
	t.length_override = 16 + 32 * 40;
	expect_refused(&t, "truncated", NULL);
}

static void test_section_defects(void)
{
	struct test_tdvf t;
	struct tdx_tdvf_section *s;

#define DEFECT(index, field_change, a, b)                                      \
	do {                                                                   \
		test_tdvf_default(&t, TEST_TDVF_LEGACY);                       \
		s = &t.sections[index];                                        \
		field_change;                                                  \
		expect_refused(&t, a, b);                                      \
	} while (0)

	DEFECT(2, s->type = 9, "section 2 has unknown type 9", NULL);
	DEFECT(2, s->type = 7, "section 2 has the unsupported TD_INFO type 7", NULL);
	DEFECT(1, s->attributes = 4, "section 1 (CFV) has unknown attribute bits 0x4", NULL);
	DEFECT(2, s->attributes = 3, "section 2 (TEMP_MEM) is both MR_EXTEND and PAGE_AUG", NULL);
	DEFECT(3, s->memory_data_size = 0, "section 3 (TD_HOB at 0x809000) is empty", NULL);
	DEFECT(2, s->memory_address += 0x800, "section 2 (TEMP_MEM", "not 4 KiB aligned");
	DEFECT(2, s->memory_data_size = 0x1800, "section 2 (TEMP_MEM", "not 4 KiB aligned");
	DEFECT(2, s->memory_address = 0xFFFFFFFFFFFFF000ull,
	       "section 2 (TEMP_MEM", "52-bit guest physical address space");
	DEFECT(2, s->memory_address = (1ull << 52) - 0x1000,
	       "section 2 (TEMP_MEM", "52-bit guest physical address space");
	DEFECT(0, s->raw_data_size = 0x5000, "section 0 (BFV) has 0x5000 bytes of data", NULL);
	DEFECT(0, s->data_offset = TEST_TDVF_LEN - 0x1000, "section 0 (BFV) takes image bytes",
	       "truncated");
	DEFECT(0, s->data_offset = 0xFFFFF000u, "section 0 (BFV) takes image bytes", NULL);
	DEFECT(0, s->raw_data_size = 0, "section 0 (BFV) carries no data", NULL);
	DEFECT(1, s->raw_data_size = 0, "section 1 (CFV) carries no data", NULL);
	DEFECT(2, (s->data_offset = 0x2000, s->raw_data_size = 0x100),
	       "section 2 (TEMP_MEM) carries 0x100 bytes", NULL);
	DEFECT(3, (s->data_offset = 0x2000, s->raw_data_size = 0x100),
	       "section 3 (TD_HOB) carries 0x100 bytes", NULL);
	DEFECT(1, s->attributes = TDX_TDVF_ATTR_PAGE_AUG,
	       "section 1 (CFV) is PAGE_AUG but carries data", NULL);
	DEFECT(3, s->memory_address = 0x801000, "section 3 (TD_HOB", "overlaps section 2");
	DEFECT(1, s->memory_address = 0xFFFFF000, "section 1 (CFV", "overlaps section 0 (BFV");
#undef DEFECT

	/* Per-type rules beyond the defaults. */
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	test_tdvf_add(&t, 0x2000, 0x10, 0x1000000, 0x1000, TDX_TDVF_PERM_MEM, 0);
	expect_refused(&t, "section 4 (PERM_MEM) carries 0x10 bytes", NULL);
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	test_tdvf_add(&t, 0, 0, 0x1000000, 0x1000, TDX_TDVF_TD_HOB, 0);
	expect_refused(&t, "section 4 is a second TD_HOB", "section 3");
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	t.sections[0].type = TDX_TDVF_CFV;
	expect_refused(&t, "no BFV section", NULL);
	test_tdvf_default(&t, TEST_TDVF_LEGACY);
	test_tdvf_add(&t, 0x2000, 0x100, 0x1000000, 0x1000, TDX_TDVF_PAYLOAD,
		      TDX_TDVF_ATTR_PAGE_AUG);
	expect_refused(&t, "section 4 (PAYLOAD) is PAGE_AUG but carries data", NULL);
}

static void test_section_limit(void)
{
	struct test_tdvf t;

	test_tdvf_default(&t, TEST_TDVF_FOOTER);
	while (t.nsections < TDX_TDVF_MAX_SECTIONS)
		test_tdvf_add(&t, 0, 0, 0x10000000 + t.nsections * 0x1000ull, 0x1000,
			      TDX_TDVF_TEMP_MEM, 0);
	CU_ASSERT_EQUAL(parse(&t), 0);
	CU_ASSERT_EQUAL(parsed.nsections, TDX_TDVF_MAX_SECTIONS);
	test_tdvf_add(&t, 0, 0, 0x20000000, 0x1000, TDX_TDVF_TEMP_MEM, 0);
	expect_refused(&t, "declares 65 sections", NULL);
}

/* Every truncation and every single-byte change of the vector parses or is refused cleanly. */
static void test_mangled_vector(void)
{
	uint8_t *data = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(coco_read_file(coco_test_vector("tdx/measure/synthetic_tdvf.bin"),
					     1u << 20, "vector", &data, &len), 0);
	for (size_t cut = 0; cut < len; cut += 0x3f1) {
		int ret = tdx_tdvf_parse(data, cut, &parsed);
		CU_ASSERT(ret == 0 || ret == -EINVAL);
	}
	for (size_t at = 0x1010; at < 0x10c0; at++) {
		uint8_t saved = data[at];
		data[at] ^= 0x81;
		int ret = tdx_tdvf_parse(data, len, &parsed);
		CU_ASSERT(ret == 0 || (ret == -EINVAL && strlen(coco_last_error()) > 20));
		data[at] = saved;
	}
	free(data);
}

static void test_type_names(void)
{
	CU_ASSERT_STRING_EQUAL(tdx_tdvf_section_type_name(TDX_TDVF_BFV), "BFV");
	CU_ASSERT_STRING_EQUAL(tdx_tdvf_section_type_name(TDX_TDVF_PAYLOAD_PARAM), "PAYLOAD_PARAM");
	CU_ASSERT_PTR_NULL(tdx_tdvf_section_type_name(7));
	CU_ASSERT_PTR_NULL(tdx_tdvf_section_type_name(0xFFFFFFFFu));
}

int main(void)
{
	static CU_TestInfo tests[] = {
		{ "synthetic vector", test_synthetic_vector },
		{ "crafted, footer table and legacy pointer", test_crafted_both_ways },
		{ "no metadata", test_no_metadata },
		{ "footer entry defects", test_footer_entry_defects },
		{ "descriptor defects", test_descriptor_defects },
		{ "section defects", test_section_defects },
		{ "section limit", test_section_limit },
		{ "mangled vector", test_mangled_vector },
		{ "type names", test_type_names },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "tdx-tdvf", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	return coco_test_run(suites);
}

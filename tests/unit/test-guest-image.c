/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: core/guest-image.c, guest images (ELF64 PT_LOAD segments) and
 * the launch plans built from them.  Images are crafted in memory, one
 * defect each for the refusals.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "core/guest-abi.h"
#include "core/guest-image.h"
#include "tests/common/test-main.h"

#define MAX_PH 20
#define IMAGE_GPA 0x100000ull
#define RESET_GPA 0xfffff000ull

/* A crafted image: header, program headers, then each segment's bytes. */
struct crafted {
	uint8_t bytes[64 * 1024];
	size_t len;
};

struct seg_spec {
	uint64_t gpa, filesz, memsz;
	uint8_t fill;
};

static Elf64_Ehdr *ehdr(struct crafted *c)
{
	return (Elf64_Ehdr *)(void *)c->bytes;
}

static Elf64_Phdr *phdr(struct crafted *c, unsigned int i)
{
	return (Elf64_Phdr *)(void *)(c->bytes + sizeof(Elf64_Ehdr) + i * sizeof(Elf64_Phdr));
}

static void craft(struct crafted *c, const struct seg_spec *segs, unsigned int n)
{
	size_t off = sizeof(Elf64_Ehdr) + MAX_PH * sizeof(Elf64_Phdr);
	Elf64_Ehdr *e = ehdr(c);

	memset(c, 0, sizeof(*c));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = IMAGE_GPA;
	e->e_phoff = sizeof(Elf64_Ehdr);
	e->e_ehsize = sizeof(Elf64_Ehdr);
	e->e_phentsize = sizeof(Elf64_Phdr);
	e->e_phnum = (uint16_t)n;
	for (unsigned int i = 0; i < n; i++) {
		Elf64_Phdr *p = phdr(c, i);

		p->p_type = PT_LOAD;
		p->p_offset = off;
		p->p_vaddr = p->p_paddr = segs[i].gpa;
		p->p_filesz = segs[i].filesz;
		p->p_memsz = segs[i].memsz;
		p->p_align = 0x1000;
		memset(c->bytes + off, segs[i].fill, segs[i].filesz);
		off += segs[i].filesz;
	}
	c->len = off;
}

/* The well-formed image: code at 1 MiB with bss, the reset page. */
static void craft_good(struct crafted *c)
{
	static const struct seg_spec segs[] = {
		{ IMAGE_GPA, 0x1800, 0x3000, 0x90 },
		{ RESET_GPA, 0x1000, 0x1000, 0xf4 },
	};

	craft(c, segs, 2);
}

static void test_parse_good(void)
{
	struct crafted c;
	struct coco_guest_image img;

	craft_good(&c);
	CU_ASSERT_EQUAL_FATAL(coco_guest_image_parse(c.bytes, c.len, &img), 0);
	CU_ASSERT_EQUAL_FATAL(img.nsegments, 2);
	CU_ASSERT_EQUAL(img.segments[0].gpa, IMAGE_GPA);
	CU_ASSERT_EQUAL(img.segments[0].size, 0x3000);	/* memsz, page rounded */
	CU_ASSERT_EQUAL(img.segments[0].data_len, 0x1800);
	CU_ASSERT_EQUAL(img.segments[0].data[0], 0x90);
	CU_ASSERT_EQUAL(img.segments[1].gpa, RESET_GPA);
	CU_ASSERT_EQUAL(img.segments[1].data[0xff0], 0xf4);
	CU_ASSERT_EQUAL(img.entry, IMAGE_GPA);
}

static void test_segments_sorted_and_non_load_skipped(void)
{
	static const struct seg_spec segs[] = {
		{ RESET_GPA, 0x1000, 0x1000, 1 },
		{ 0x200000, 0x10, 0x10, 2 },
		{ IMAGE_GPA, 0x10, 0x10, 3 },
	};
	struct crafted c;
	struct coco_guest_image img;

	craft(&c, segs, 3);
	phdr(&c, 1)->p_type = PT_NOTE;	/* not memory */
	CU_ASSERT_EQUAL_FATAL(coco_guest_image_parse(c.bytes, c.len, &img), 0);
	CU_ASSERT_EQUAL_FATAL(img.nsegments, 2);
	CU_ASSERT_EQUAL(img.segments[0].gpa, IMAGE_GPA);
	CU_ASSERT_EQUAL(img.segments[1].gpa, RESET_GPA);
}

static void expect_refused(struct crafted *c, int err, const char *what)
{
	struct coco_guest_image img;
	int ret = coco_guest_image_parse(c->bytes, c->len, &img);

	if (ret != err)
		fprintf(stderr, "\n%s: got %d (%s), expected %d\n", what, ret, coco_last_error(),
			err);
	CU_ASSERT_EQUAL(ret, err);
	CU_ASSERT(strlen(coco_last_error()) > 0);
}

static void test_malformed_headers(void)
{
	struct crafted c;

	craft_good(&c);
	c.len = sizeof(Elf64_Ehdr) - 1;
	expect_refused(&c, -EINVAL, "short");
	craft_good(&c);
	c.bytes[1] = 'X';
	expect_refused(&c, -EINVAL, "magic");
	craft_good(&c);
	ehdr(&c)->e_ident[EI_CLASS] = ELFCLASS32;
	expect_refused(&c, -EINVAL, "class");
	craft_good(&c);
	ehdr(&c)->e_ident[EI_DATA] = ELFDATA2MSB;
	expect_refused(&c, -EINVAL, "big endian");
	craft_good(&c);
	ehdr(&c)->e_machine = EM_AARCH64;
	expect_refused(&c, -EINVAL, "machine");
	craft_good(&c);
	ehdr(&c)->e_type = ET_DYN;
	expect_refused(&c, -EINVAL, "type");
	craft_good(&c);
	ehdr(&c)->e_phentsize = 32;
	expect_refused(&c, -EINVAL, "phentsize");
	craft_good(&c);
	ehdr(&c)->e_phoff = c.len;
	expect_refused(&c, -EINVAL, "phoff at the end");
	craft_good(&c);
	ehdr(&c)->e_phoff = UINT64_MAX - 8;
	expect_refused(&c, -EINVAL, "phoff huge");
	craft_good(&c);
	ehdr(&c)->e_phnum = 0xffff;
	expect_refused(&c, -EINVAL, "phnum beyond the file");
	craft_good(&c);
	ehdr(&c)->e_phnum = 0;
	expect_refused(&c, -EINVAL, "no program headers");
}

static void test_malformed_segments(void)
{
	struct crafted c;

	craft_good(&c);
	phdr(&c, 0)->p_filesz = phdr(&c, 0)->p_memsz + 1;
	expect_refused(&c, -EINVAL, "filesz > memsz");
	craft_good(&c);
	phdr(&c, 1)->p_offset = c.len - 0x10;
	expect_refused(&c, -EINVAL, "bytes beyond the file");
	craft_good(&c);
	phdr(&c, 1)->p_offset = UINT64_MAX;
	expect_refused(&c, -EINVAL, "offset huge");
	craft_good(&c);
	phdr(&c, 0)->p_paddr = IMAGE_GPA + 0x10;
	expect_refused(&c, -EINVAL, "unaligned");
	craft_good(&c);
	phdr(&c, 0)->p_paddr = 0x4000;
	expect_refused(&c, -ERANGE, "below 1 MiB (the launch's own pages)");
	craft_good(&c);
	phdr(&c, 1)->p_memsz = 0x2000;
	expect_refused(&c, -ERANGE, "crosses 4 GiB");
	craft_good(&c);
	phdr(&c, 0)->p_memsz = UINT64_MAX;
	phdr(&c, 0)->p_filesz = 0;
	expect_refused(&c, -ERANGE, "wraps");
	craft_good(&c);
	phdr(&c, 0)->p_memsz = COCO_GUEST_IMAGE_MAX_BYTES + 0x1000;
	phdr(&c, 0)->p_filesz = 0;
	expect_refused(&c, -ERANGE, "too big");
	craft_good(&c);
	phdr(&c, 1)->p_paddr = IMAGE_GPA + 0x2000;	/* inside the first (rounded) */
	expect_refused(&c, -EINVAL, "overlap");
	craft_good(&c);
	phdr(&c, 1)->p_paddr = 0xffffe000;	/* reset vector not covered */
	expect_refused(&c, -EINVAL, "no reset vector");
	craft_good(&c);
	phdr(&c, 0)->p_type = PT_NULL;
	phdr(&c, 1)->p_type = PT_NULL;
	expect_refused(&c, -EINVAL, "no loadable segment");
}

static void test_too_many_segments(void)
{
	struct seg_spec segs[MAX_PH];
	struct crafted c;

	for (unsigned int i = 0; i < MAX_PH; i++)
		segs[i] = (struct seg_spec){ IMAGE_GPA + i * 0x1000ull, 0x10, 0x10, 0 };
	segs[MAX_PH - 1].gpa = RESET_GPA;
	craft(&c, segs, MAX_PH);
	expect_refused(&c, -E2BIG, "more than 16 segments");
}

/* Every truncation of a good image is refused or parses (never reads beyond the end). */
static void test_truncations(void)
{
	struct crafted c;
	struct coco_guest_image img;

	craft_good(&c);
	for (size_t len = 0; len < c.len; len += 7) {
		uint8_t *copy = malloc(len ? len : 1);

		memcpy(copy, c.bytes, len);
		CU_ASSERT_NOT_EQUAL(coco_guest_image_parse(copy, len, &img), 0);
		free(copy);
	}
}

static const char *const vendors[] = { "sev-snp", "tdx" };

static int measure(const char *vendor, const struct crafted *c, const void *params,
		   size_t params_len, uint32_t vcpus, struct coco_measurement *m)
{
	struct coco_guest_image_spec spec = {
		.data = c->bytes, .len = c->len, .vcpus = vcpus,
		.params = params, .params_len = params_len,
	};
	struct coco_launch_plan *plan;
	int ret = coco_plan_from_guest_image(vendor, &spec, NULL, &plan);

	if (ret)
		return ret;
	ret = coco_plan_expected_measurement(vendor, NULL, plan, m);
	coco_plan_free(plan);
	return ret;
}

static void test_plan_layout(void)
{
	struct crafted c;
	struct coco_launch_plan *plan;
	struct coco_guest_image_spec spec = { .vcpus = 2 };
	const struct coco_region *r;

	craft_good(&c);
	spec.data = c.bytes;
	spec.len = c.len;
	for (size_t v = 0; v < 2; v++) {
		CU_ASSERT_EQUAL_FATAL(coco_plan_from_guest_image(vendors[v], &spec, NULL, &plan), 0);
		CU_ASSERT_FATAL(coco_plan_region_count(plan) >= 3);
		r = coco_plan_region(plan, 0);
		CU_ASSERT_EQUAL(r->gpa, IMAGE_GPA);
		CU_ASSERT_EQUAL(r->size, 0x3000);
		CU_ASSERT_EQUAL(r->type, COCO_PAGE_MEASURED);
		CU_ASSERT_EQUAL(r->data_len, 0x1800);
		r = coco_plan_region(plan, 1);
		CU_ASSERT_EQUAL(r->gpa, RESET_GPA);
		CU_ASSERT_EQUAL(r->type, COCO_PAGE_MEASURED);
		r = coco_plan_region(plan, 2);
		CU_ASSERT_EQUAL(r->gpa, COCO_GUEST_PARAMS_GPA);
		CU_ASSERT_EQUAL(r->type, COCO_PAGE_UNMEASURED);
		CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 2);
		for (size_t i = 0; i < (size_t)coco_plan_vcpu_count(plan); i++)
			CU_ASSERT_EQUAL(coco_plan_vcpu(plan, i)->boot_ip, 0);
		coco_plan_free(plan);
	}
}

/* The measurement covers the image and the vCPUs, not the boot parameters' contents. */
static void test_measurement_inputs(void)
{
	struct coco_guest_params p1 = { .magic = COCO_GUEST_PARAMS_MAGIC, .mode = 0 };
	struct coco_guest_params p2 = p1;
	struct coco_measurement base, m;
	struct crafted c;

	memset(p2.report_data, 0xab, sizeof(p2.report_data));
	p2.mode = COCO_GUEST_MODE_TERMINATE;
	for (size_t v = 0; v < 2; v++) {
		craft_good(&c);
		CU_ASSERT_EQUAL_FATAL(measure(vendors[v], &c, &p1, sizeof(p1), 1, &base), 0);
		CU_ASSERT_EQUAL_FATAL(measure(vendors[v], &c, &p2, sizeof(p2), 1, &m), 0);
		CU_ASSERT_EQUAL(memcmp(base.value, m.value, base.size), 0);
		CU_ASSERT_EQUAL_FATAL(measure(vendors[v], &c, NULL, 0, 1, &m), 0);
		CU_ASSERT_EQUAL(memcmp(base.value, m.value, base.size), 0);
		/* One byte of the image changes it. */
		c.bytes[phdr(&c, 0)->p_offset + 0x100] ^= 1;
		CU_ASSERT_EQUAL_FATAL(measure(vendors[v], &c, &p1, sizeof(p1), 1, &m), 0);
		CU_ASSERT_NOT_EQUAL(memcmp(base.value, m.value, base.size), 0);
		/* The same image again measures the same. */
		craft_good(&c);
		CU_ASSERT_EQUAL_FATAL(measure(vendors[v], &c, &p1, sizeof(p1), 1, &m), 0);
		CU_ASSERT_EQUAL(memcmp(base.value, m.value, base.size), 0);
	}
}

static void test_plan_refusals(void)
{
	struct crafted c;
	struct coco_launch_plan *plan = NULL;
	struct coco_guest_image_spec spec = { .vcpus = 1 };
	uint8_t big[COCO_PAGE_SIZE + 1] = { 0 };

	craft_good(&c);
	spec.data = c.bytes;
	spec.len = c.len;
	CU_ASSERT_EQUAL(coco_plan_from_guest_image("no-such-backend", &spec, NULL, &plan), -ENOENT);
	spec.vcpus = 0;
	CU_ASSERT_EQUAL(coco_plan_from_guest_image("tdx", &spec, NULL, &plan), -EINVAL);
	spec.vcpus = 1;
	spec.params = big;
	spec.params_len = sizeof(big);
	CU_ASSERT_EQUAL(coco_plan_from_guest_image("tdx", &spec, NULL, &plan), -EINVAL);
	spec.params = NULL;
	spec.params_len = 0;
	spec.data = NULL;
	spec.path = "/nonexistent/guest.elf";
	CU_ASSERT(coco_plan_from_guest_image("tdx", &spec, NULL, &plan) < 0);
	CU_ASSERT_PTR_NULL(plan);
}

static CU_TestInfo tests[] = {
	{ "a well-formed image", test_parse_good },
	{ "segments in address order, non-load headers skipped", test_segments_sorted_and_non_load_skipped },
	{ "malformed headers are refused", test_malformed_headers },
	{ "malformed segments are refused", test_malformed_segments },
	{ "too many segments", test_too_many_segments },
	{ "truncated images are refused", test_truncations },
	{ "plan layout on both vendors", test_plan_layout },
	{ "what the measurement covers", test_measurement_inputs },
	{ "plan refusals", test_plan_refusals },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "guest-image", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

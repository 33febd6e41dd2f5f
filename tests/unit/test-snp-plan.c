/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/snp-plan.c through coco_plan_from_firmware, and the
 * measurements of those plans through coco_plan_expected_measurement.
 * Regions, their order and page types follow ../shared/specs/snp.md 1.4;
 * refusals follow 1.5 (images without SEV metadata, kernels without a
 * kernel-hashes section).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "core/util.h"
#include "sev-snp/sev-hashes.h"
#include "tests/common/ovmf-image.h"
#include "tests/common/test-main.h"

#define DEBIAN_OVMF "/usr/share/ovmf/OVMF.fd"
#define DEBIAN_OVMF_CODE_4M "/usr/share/OVMF/OVMF_CODE_4M.fd"
#define IMG_LEN 4096u

static char suffix_path[4096], kernel_path[4096], initrd_path[4096];

static int setup(void)
{
	snprintf(suffix_path, sizeof(suffix_path), "%s",
		 coco_test_vector("snp/measure/ovmf_AmdSev_suffix.bin"));
	snprintf(kernel_path, sizeof(kernel_path), "%s", coco_test_vector("snp/measure/kernel.bin"));
	snprintf(initrd_path, sizeof(initrd_path), "%s", coco_test_vector("snp/measure/initrd.bin"));
	return 0;
}

static void config_for(struct coco_vm_config *c, enum coco_snp_vmm_type vmm)
{
	coco_vm_config_init(c, COCO_VENDOR_AMD_SEV_SNP);
	c->policy.u.snp.vmm_type = vmm;
	c->cpu_signature = 0xA00F11;
}

static struct coco_launch_plan *plan_for(const struct coco_firmware_spec *spec,
					 enum coco_snp_vmm_type vmm)
{
	struct coco_vm_config c;
	struct coco_launch_plan *plan = NULL;

	config_for(&c, vmm);
	if (coco_plan_from_firmware("sev-snp", spec, &c, &plan)) {
		fprintf(stderr, "\nplan: %s\n", coco_last_error());
		return NULL;
	}
	return plan;
}

static void expect_region(const struct coco_launch_plan *plan, size_t i, uint64_t gpa,
			  uint64_t size, enum coco_page_type type)
{
	const struct coco_region *r = coco_plan_region(plan, i);

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->gpa, gpa);
	CU_ASSERT_EQUAL(r->size, size);
	CU_ASSERT_EQUAL(r->type, type);
}

static void expect_refused(const struct coco_firmware_spec *spec, enum coco_snp_vmm_type vmm,
			   int err, const char *needle)
{
	struct coco_vm_config c;
	struct coco_launch_plan *plan = NULL;

	config_for(&c, vmm);
	coco_clear_error();
	CU_ASSERT_EQUAL(coco_plan_from_firmware("sev-snp", spec, &c, &plan), err);
	CU_ASSERT_PTR_NULL(plan);
	if (!strstr(coco_last_error(), needle)) {
		fprintf(stderr, "\nexpected '%s' in: %s\n", needle, coco_last_error());
		CU_FAIL("error message does not name the cause");
	}
	coco_plan_free(plan);
}

static void test_debian_ovmf_qemu(void)
{
	struct coco_firmware_spec s = { .firmware_path = DEBIAN_OVMF, .vcpus = 3 };
	struct coco_launch_plan *plan = plan_for(&s, COCO_SNP_VMM_QEMU);

	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 6);
	expect_region(plan, 0, 0xFFE00000, 0x200000, COCO_PAGE_MEASURED);
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->data_len, 0x200000);
	CU_ASSERT(coco_plan_region(plan, 0)->flags & COCO_REGION_LARGE_PAGES);
	expect_region(plan, 1, 0x800000, 0x9000, COCO_PAGE_ZERO);
	expect_region(plan, 2, 0x80A000, 0x3000, COCO_PAGE_ZERO);
	expect_region(plan, 3, 0x80D000, 0x1000, COCO_PAGE_SECRETS);
	expect_region(plan, 4, 0x80E000, 0x1000, COCO_PAGE_CPUID);
	expect_region(plan, 5, 0x80F000, 0x11000, COCO_PAGE_ZERO);
	CU_ASSERT_EQUAL_FATAL(coco_plan_vcpu_count(plan), 3);
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 0)->boot_ip, 0);		/* reset vector */
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 1)->boot_ip, 0x80B004);	/* reset block */
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 2)->boot_ip, 0x80B004);
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 2)->index, 2);
	coco_plan_free(plan);
}

static void test_gce_and_ec2(void)
{
	struct coco_firmware_spec s = { .firmware_path = suffix_path, .vcpus = 1 };
	struct coco_launch_plan *plan = plan_for(&s, COCO_SNP_VMM_GCE);

	/* GCE: SEC memory unmeasured, everything else in place */
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL_FATAL(coco_plan_region_count(plan), 8);
	expect_region(plan, 0, 0xFFFFF000, 0x1000, COCO_PAGE_MEASURED);
	expect_region(plan, 1, 0x800000, 0x9000, COCO_PAGE_UNMEASURED);
	expect_region(plan, 2, 0x80A000, 0x3000, COCO_PAGE_UNMEASURED);
	expect_region(plan, 3, 0x80D000, 0x1000, COCO_PAGE_SECRETS);
	expect_region(plan, 4, 0x80E000, 0x1000, COCO_PAGE_CPUID);
	expect_region(plan, 5, 0x80F000, 0x1000, COCO_PAGE_ZERO);	/* SVSM_CAA */
	expect_region(plan, 6, 0x810000, 0x1000, COCO_PAGE_ZERO);	/* no kernel */
	expect_region(plan, 7, 0x811000, 0xF000, COCO_PAGE_UNMEASURED);
	coco_plan_free(plan);

	/* EC2: the CPUID page after every other section */
	plan = plan_for(&s, COCO_SNP_VMM_EC2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL_FATAL(coco_plan_region_count(plan), 8);
	expect_region(plan, 1, 0x800000, 0x9000, COCO_PAGE_ZERO);
	expect_region(plan, 3, 0x80D000, 0x1000, COCO_PAGE_SECRETS);
	expect_region(plan, 4, 0x80F000, 0x1000, COCO_PAGE_ZERO);
	expect_region(plan, 6, 0x811000, 0xF000, COCO_PAGE_ZERO);
	expect_region(plan, 7, 0x80E000, 0x1000, COCO_PAGE_CPUID);
	coco_plan_free(plan);
}

static void test_kernel_hashes_page(void)
{
	struct coco_firmware_spec s = {
		.firmware_path = suffix_path, .vcpus = 2, .kernel_path = kernel_path,
		.initrd_path = initrd_path, .cmdline = "console=ttyS0",
	};
	struct coco_launch_plan *plan = plan_for(&s, COCO_SNP_VMM_QEMU);
	struct snp_sev_hashes h;
	uint8_t page[SNP_PAGE_SIZE];
	const struct coco_region *r;

	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	expect_region(plan, 6, 0x810000, 0x1000, COCO_PAGE_MEASURED);
	r = coco_plan_region(plan, 6);
	CU_ASSERT_EQUAL_FATAL(r->data_len, SNP_PAGE_SIZE);
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_from_files(kernel_path, initrd_path, "console=ttyS0",
							&h), 0);
	/* the table sits at the hash table GPA's offset (0x810C00 & 0xfff) */
	CU_ASSERT_EQUAL_FATAL(snp_sev_hashes_page(&h, 0xC00, page), 0);
	CU_ASSERT(!memcmp(r->data, page, SNP_PAGE_SIZE));
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 2);
	coco_plan_free(plan);
}

static void test_refusals(void)
{
	struct coco_firmware_spec s = { .firmware_path = DEBIAN_OVMF, .vcpus = 1,
					.kernel_path = kernel_path };

	/* bookworm OVMF.fd has no kernel-hashes section */
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "no SNP_KERNEL_HASHES section");

	/* OVMF_CODE_4M.fd has no SEV metadata: the trap */
	memset(&s, 0, sizeof(s));
	s.firmware_path = DEBIAN_OVMF_CODE_4M;
	s.vcpus = 1;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "no SEV metadata");
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "COCO_FIRMWARE_ALLOW_NO_METADATA");
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "trap");

	memset(&s, 0, sizeof(s));
	s.firmware_path = DEBIAN_OVMF;
	s.vcpus = 0;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "0 vCPUs requested");
	s.vcpus = 1;
	s.initrd_path = initrd_path;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "without a kernel");
	s.initrd_path = NULL;
	s.cmdline = "quiet";
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "without a kernel");
	s.cmdline = NULL;
	s.flags = 0x80;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "unknown firmware flags 0x80");
	s.flags = COCO_FIRMWARE_IMAGE_ONLY;
	s.kernel_path = kernel_path;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "image-only");
	s.flags = 0;
	s.kernel_path = NULL;
	s.firmware_measurement = (const uint8_t *)"short";
	s.firmware_measurement_len = 5;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "5 bytes");
	s.firmware_measurement = NULL;
	s.firmware_data = "x";
	s.firmware_len = 1;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "exactly one of");
	s.firmware_path = "/nonexistent/OVMF.fd";
	s.firmware_data = NULL;
	expect_refused(&s, COCO_SNP_VMM_QEMU, -ENOENT, "'/nonexistent/OVMF.fd'");
	s.firmware_path = initrd_path;	/* 12345 bytes: not whole pages */
	expect_refused(&s, COCO_SNP_VMM_QEMU, -EINVAL, "multiple of 4096");
}

static void test_allow_no_metadata_and_image_only(void)
{
	struct coco_firmware_spec s = { .firmware_path = DEBIAN_OVMF_CODE_4M, .vcpus = 2,
					.flags = COCO_FIRMWARE_ALLOW_NO_METADATA };
	struct coco_launch_plan *plan = plan_for(&s, COCO_SNP_VMM_QEMU);

	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 1);	/* the image alone */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->size, 3653632);
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->gpa, 0x100000000ull - 3653632);
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 2);
	CU_ASSERT_EQUAL(coco_plan_vcpu(plan, 1)->boot_ip, 0x808004);
	coco_plan_free(plan);

	s.firmware_path = DEBIAN_OVMF;
	s.flags = COCO_FIRMWARE_IMAGE_ONLY;
	s.vcpus = 0;
	plan = plan_for(&s, COCO_SNP_VMM_QEMU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 1);
	CU_ASSERT_EQUAL(coco_plan_vcpu_count(plan), 0);
	coco_plan_free(plan);
}

/* A crafted image in memory, for what no real image shows. */
static struct coco_launch_plan *crafted_plan(const struct test_ovmf *t, uint32_t vcpus,
					     const char *kernel, int *err)
{
	static uint8_t img[IMG_LEN];
	struct coco_firmware_spec s = { .firmware_data = img, .firmware_len = IMG_LEN,
					.vcpus = vcpus, .kernel_path = kernel };
	struct coco_vm_config c;
	struct coco_launch_plan *plan = NULL;

	test_ovmf_write(t, img, sizeof(img));
	config_for(&c, COCO_SNP_VMM_QEMU);
	coco_clear_error();
	*err = coco_plan_from_firmware("sev-snp", &s, &c, &plan);
	return plan;
}

static void test_crafted_refusals(void)
{
	struct coco_launch_plan *plan;
	struct test_ovmf t;
	int err;

	/* no reset block: one vCPU is fine, more are not */
	test_ovmf_default(&t);
	t.entries[0] = t.entries[--t.nentries];
	plan = crafted_plan(&t, 1, NULL, &err);
	CU_ASSERT_EQUAL(err, 0);
	coco_plan_free(plan);
	plan = crafted_plan(&t, 2, NULL, &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "no SEV-ES reset block"));
	coco_plan_free(plan);

	/* the hash table must lie in the kernel-hashes page, with room for the table */
	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[2].data, 0x80FC00);
	plan = crafted_plan(&t, 1, "/dev/null", &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "outside its SNP_KERNEL_HASHES page"));
	coco_plan_free(plan);
	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[2].data + 4, 0x80);
	plan = crafted_plan(&t, 1, "/dev/null", &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "too small"));
	coco_plan_free(plan);
	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[2].data, 0x810F80);	/* table would cross the page end */
	plan = crafted_plan(&t, 1, "/dev/null", &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "cross into the next page"));
	coco_plan_free(plan);
	test_ovmf_default(&t);
	test_ovmf_put32(t.entries[2].data, 0);		/* hash table entry without address */
	plan = crafted_plan(&t, 1, "/dev/null", &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "no SEV hash table address"));
	coco_plan_free(plan);
	/* ... and without a kernel none of that matters: the page is zero */
	plan = crafted_plan(&t, 1, NULL, &err);
	CU_ASSERT_EQUAL(err, 0);
	coco_plan_free(plan);

	/* a two-page kernel-hashes section cannot hold "the" hashes page */
	test_ovmf_default(&t);
	t.sections[5].size = 0x2000;
	t.sections[6].gpa = 0x812000;
	t.sections[6].size = 0xE000;
	plan = crafted_plan(&t, 1, "/dev/null", &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "exactly one 4 KiB page"));
	coco_plan_free(plan);

	/* a section on top of the image itself */
	test_ovmf_default(&t);
	t.sections[6].gpa = 0xFFFFF000;
	t.sections[6].size = 0x1000;
	plan = crafted_plan(&t, 1, NULL, &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "overlaps firmware"));
	coco_plan_free(plan);

	/* a malformed table is reported with the image it came from */
	test_ovmf_default(&t);
	t.version = 3;
	plan = crafted_plan(&t, 1, NULL, &err);
	CU_ASSERT_EQUAL(err, -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "version 3"));
	coco_plan_free(plan);
}

static int measure(const struct coco_firmware_spec *s, enum coco_snp_vmm_type vmm,
		   uint64_t features, uint8_t out[48])
{
	struct coco_vm_config c;
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	int ret;

	config_for(&c, vmm);
	c.policy.u.snp.vmsa_features = features;
	ret = coco_plan_from_firmware("sev-snp", s, &c, &plan);
	if (!ret)
		ret = coco_plan_expected_measurement("sev-snp", &c, plan, &m);
	coco_plan_free(plan);
	if (!ret) {
		CU_ASSERT_EQUAL(m.size, 48);
		CU_ASSERT_STRING_EQUAL(m.alg, "sha384");
		memcpy(out, m.value, 48);
	} else {
		fprintf(stderr, "\nmeasure: %s\n", coco_last_error());
	}
	return ret;
}

static void test_measurement_properties(void)
{
	size_t len;
	uint8_t *img = NULL, a[48], b[48];
	struct coco_firmware_spec s = { 0 };

	CU_ASSERT_EQUAL_FATAL(coco_read_file(DEBIAN_OVMF, 8u << 20, "OVMF", &img, &len), 0);
	s.firmware_data = img;
	s.firmware_len = len;
	s.vcpus = 2;

	CU_ASSERT_EQUAL_FATAL(measure(&s, COCO_SNP_VMM_QEMU, 1, a), 0);
	CU_ASSERT_EQUAL_FATAL(measure(&s, COCO_SNP_VMM_QEMU, 1, b), 0);
	CU_ASSERT(!memcmp(a, b, 48));			/* deterministic */
	/* the path and the in-memory image measure alike */
	s.firmware_data = NULL;
	s.firmware_len = 0;
	s.firmware_path = DEBIAN_OVMF;
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_QEMU, 1, b), 0);
	CU_ASSERT(!memcmp(a, b, 48));
	s.firmware_path = NULL;
	s.firmware_data = img;
	s.firmware_len = len;

	img[len / 2] ^= 0x01;				/* one byte of the image */
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_QEMU, 1, b), 0);
	CU_ASSERT(memcmp(a, b, 48) != 0);
	img[len / 2] ^= 0x01;
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_QEMU, 1, b), 0);
	CU_ASSERT(!memcmp(a, b, 48));

	s.vcpus = 3;					/* one more vCPU */
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_QEMU, 1, b), 0);
	CU_ASSERT(memcmp(a, b, 48) != 0);
	s.vcpus = 2;
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_QEMU, 0x21, b), 0);	/* features */
	CU_ASSERT(memcmp(a, b, 48) != 0);
	CU_ASSERT_EQUAL(measure(&s, COCO_SNP_VMM_GCE, 1, b), 0);	/* VMM */
	CU_ASSERT(memcmp(a, b, 48) != 0);
	free(img);
}

/* Measuring the image alone and resuming from that value gives the full digest. */
static void test_precomputed_firmware_measurement(void)
{
	struct coco_firmware_spec s = { .firmware_path = suffix_path, .vcpus = 2,
					.kernel_path = kernel_path, .cmdline = "quiet" };
	struct coco_firmware_spec image = { .firmware_path = suffix_path,
					    .flags = COCO_FIRMWARE_IMAGE_ONLY };
	struct coco_launch_plan *plan;
	uint8_t full[48], fw[48], resumed[48];

	CU_ASSERT_EQUAL_FATAL(measure(&s, COCO_SNP_VMM_QEMU, 1, full), 0);
	CU_ASSERT_EQUAL_FATAL(measure(&image, COCO_SNP_VMM_QEMU, 1, fw), 0);
	s.firmware_measurement = fw;
	s.firmware_measurement_len = sizeof(fw);
	plan = plan_for(&s, COCO_SNP_VMM_QEMU);
	CU_ASSERT_PTR_NOT_NULL_FATAL(plan);
	CU_ASSERT_EQUAL(coco_plan_region_count(plan), 7);	/* no image pages */
	CU_ASSERT_EQUAL(coco_plan_region(plan, 0)->gpa, 0x800000);
	coco_plan_free(plan);
	CU_ASSERT_EQUAL_FATAL(measure(&s, COCO_SNP_VMM_QEMU, 1, resumed), 0);
	CU_ASSERT(!memcmp(full, resumed, 48));
	fw[0] ^= 1;
	CU_ASSERT_EQUAL_FATAL(measure(&s, COCO_SNP_VMM_QEMU, 1, resumed), 0);
	CU_ASSERT(memcmp(full, resumed, 48) != 0);
}

static CU_TestInfo tests[] = {
	{ "Debian OVMF.fd on QEMU", test_debian_ovmf_qemu },
	{ "GCE and EC2 layouts", test_gce_and_ec2 },
	{ "kernel hashes page", test_kernel_hashes_page },
	{ "refusals", test_refusals },
	{ "no-metadata override and image-only plans", test_allow_no_metadata_and_image_only },
	{ "crafted images that cannot be planned", test_crafted_refusals },
	{ "measurement determinism and sensitivity", test_measurement_properties },
	{ "precomputed firmware measurement", test_precomputed_firmware_measurement },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "snp-plan", setup, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

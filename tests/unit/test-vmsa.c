/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/vmsa.c, initial VMSAs per VMM.  The chained vector
 * of ../shared/specs/snp.md section 1.6 ends with the QEMU BSP VMSA
 * (SEV_FEATURES 0x1, RDX 0x800F12), built here by snp_vmsa_build.
 */
#include <errno.h>
#include <string.h>

#include "core/digest.h"
#include "core/util.h"
#include "sev-snp/launch-digest.h"
#include "sev-snp/vmsa.h"
#include "tests/common/test-main.h"

/* VMSA offsets (AMD APM vol. 2 table B-4). */
enum {
	ES = 0x00, CS = 0x10, SS = 0x20, DS = 0x30, FS = 0x40, GS = 0x50, GDTR = 0x60,
	LDTR = 0x70, IDTR = 0x80, TR = 0x90, EFER = 0xD0, CR4 = 0x148, CR0 = 0x158,
	DR7 = 0x160, DR6 = 0x168, RFLAGS = 0x170, RIP = 0x178, G_PAT = 0x268, RDX = 0x310,
	SEV_FEATURES = 0x3B0, XCR0 = 0x3E8, MXCSR = 0x408, FCW = 0x410,
};

static void expect_seg(const uint8_t *v, unsigned int off, uint16_t sel, uint16_t attr,
		       uint32_t limit, uint64_t base)
{
	CU_ASSERT_EQUAL(coco_le16(v + off), sel);
	CU_ASSERT_EQUAL(coco_le16(v + off + 2), attr);
	CU_ASSERT_EQUAL(coco_le32(v + off + 4), limit);
	CU_ASSERT_EQUAL(coco_le64(v + off + 8), base);
}

static void build(uint8_t *v, enum coco_snp_vmm_type vmm, uint32_t boot_ip, uint32_t sig,
		  uint64_t features)
{
	struct snp_vmsa_params p = {
		.vmm_type = vmm, .boot_ip = boot_ip, .cpu_signature = sig, .sev_features = features,
	};

	memset(v, 0xCC, SNP_PAGE_SIZE);	/* the builder must clear what it does not set */
	CU_ASSERT_EQUAL_FATAL(snp_vmsa_build(v, &p), 0);
}

/* Zero the fields every flavour sets; what remains must be zero. */
static void expect_rest_zero(const uint8_t *v)
{
	static const struct { unsigned int off, len; } fields[] = {
		{ ES, 0xA0 }, { EFER, 8 }, { CR4, 8 }, { CR0, 8 }, { DR7, 8 }, { DR6, 8 },
		{ RFLAGS, 8 }, { RIP, 8 }, { G_PAT, 8 }, { RDX, 8 }, { SEV_FEATURES, 8 },
		{ XCR0, 8 }, { MXCSR, 4 }, { FCW, 2 },
	};
	uint8_t copy[SNP_PAGE_SIZE];

	memcpy(copy, v, sizeof(copy));
	for (size_t i = 0; i < COCO_ARRAY_SIZE(fields); i++)
		memset(copy + fields[i].off, 0, fields[i].len);
	CU_ASSERT(coco_all_zero(copy, sizeof(copy)));
}

static void test_qemu_bsp(void)
{
	uint8_t v[SNP_PAGE_SIZE];

	build(v, COCO_SNP_VMM_QEMU, 0, 0x800F12, 0x21);
	expect_seg(v, ES, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, CS, 0xF000, 0x9B, 0xFFFF, 0xFFFF0000);
	expect_seg(v, SS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, DS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, FS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, GS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, GDTR, 0, 0, 0xFFFF, 0);
	expect_seg(v, LDTR, 0, 0x82, 0xFFFF, 0);
	expect_seg(v, IDTR, 0, 0, 0xFFFF, 0);
	expect_seg(v, TR, 0, 0x8B, 0xFFFF, 0);
	CU_ASSERT_EQUAL(coco_le64(v + EFER), 0x1000);
	CU_ASSERT_EQUAL(coco_le64(v + CR4), 0x40);
	CU_ASSERT_EQUAL(coco_le64(v + CR0), 0x10);
	CU_ASSERT_EQUAL(coco_le64(v + DR7), 0x400);
	CU_ASSERT_EQUAL(coco_le64(v + DR6), 0xFFFF0FF0);
	CU_ASSERT_EQUAL(coco_le64(v + RFLAGS), 2);
	CU_ASSERT_EQUAL(coco_le64(v + RIP), 0xFFF0);
	CU_ASSERT_EQUAL(coco_le64(v + G_PAT), 0x0007040600070406ull);
	CU_ASSERT_EQUAL(coco_le64(v + RDX), 0x800F12);
	CU_ASSERT_EQUAL(coco_le64(v + SEV_FEATURES), 0x21);
	CU_ASSERT_EQUAL(coco_le64(v + XCR0), 1);
	CU_ASSERT_EQUAL(coco_le32(v + MXCSR), 0x1F80);
	CU_ASSERT_EQUAL(coco_le16(v + FCW), 0x37F);
	expect_rest_zero(v);
}

static void test_qemu_ap(void)
{
	uint8_t bsp[SNP_PAGE_SIZE], ap[SNP_PAGE_SIZE];

	build(ap, COCO_SNP_VMM_QEMU, 0x80B004, 0xA00F11, 1);
	/* real-mode entry: CS.base = EIP & 0xffff0000, RIP = EIP & 0xffff */
	expect_seg(ap, CS, 0xF000, 0x9B, 0xFFFF, 0x800000);
	CU_ASSERT_EQUAL(coco_le64(ap + RIP), 0xB004);
	CU_ASSERT_EQUAL(coco_le64(ap + RDX), 0xA00F11);
	/* boot_ip 0 and the explicit reset vector are the same BSP */
	build(bsp, COCO_SNP_VMM_QEMU, 0, 0xA00F11, 1);
	build(ap, COCO_SNP_VMM_QEMU, SNP_RESET_VECTOR, 0xA00F11, 1);
	CU_ASSERT(!memcmp(bsp, ap, SNP_PAGE_SIZE));
}

static void test_ec2(void)
{
	uint8_t v[SNP_PAGE_SIZE];

	build(v, COCO_SNP_VMM_EC2, 0, 0x800F12, 1);
	expect_seg(v, CS, 0xF000, 0x9A, 0xFFFF, 0xFFFF0000);
	expect_seg(v, SS, 0, 0x92, 0xFFFF, 0);
	expect_seg(v, DS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, TR, 0, 0x83, 0xFFFF, 0);
	CU_ASSERT_EQUAL(coco_le64(v + RDX), 0x600);	/* whatever the CPU */
	CU_ASSERT_EQUAL(coco_le32(v + MXCSR), 0);
	CU_ASSERT_EQUAL(coco_le16(v + FCW), 0);
	CU_ASSERT_EQUAL(coco_le64(v + G_PAT), 0x0007040600070406ull);
	expect_rest_zero(v);
	/* APs keep the accessed bit on CS */
	build(v, COCO_SNP_VMM_EC2, 0x80B004, 0x800F12, 1);
	expect_seg(v, CS, 0xF000, 0x9B, 0xFFFF, 0x800000);
	expect_seg(v, SS, 0, 0x92, 0xFFFF, 0);
}

static void test_gce(void)
{
	uint8_t v[SNP_PAGE_SIZE];

	build(v, COCO_SNP_VMM_GCE, 0, 0xA10F10, 1);
	expect_seg(v, CS, 0xF000, 0x9B, 0xFFFF, 0xFFFF0000);
	expect_seg(v, SS, 0, 0x93, 0xFFFF, 0);
	expect_seg(v, TR, 0, 0x8B, 0xFFFF, 0);
	CU_ASSERT_EQUAL(coco_le64(v + G_PAT), 0x00070106);
	CU_ASSERT_EQUAL(coco_le64(v + RDX), 0x600);
	CU_ASSERT_EQUAL(coco_le32(v + MXCSR), 0);
	CU_ASSERT_EQUAL(coco_le16(v + FCW), 0);
	expect_rest_zero(v);
}

static void test_unknown_vmm(void)
{
	uint8_t v[SNP_PAGE_SIZE];
	struct snp_vmsa_params p = { .vmm_type = 0 };

	CU_ASSERT_EQUAL(snp_vmsa_build(v, &p), -EINVAL);
	p.vmm_type = 4;
	CU_ASSERT_EQUAL(snp_vmsa_build(v, &p), -EINVAL);
}

/* snp.md 1.6 tiny chain: steps 1-4 through the digest, step 5 with our VMSA. */
static void test_tiny_chain_with_built_vmsa(void)
{
	struct snp_launch_digest d;
	uint8_t page[SNP_PAGE_SIZE], vmsa[SNP_PAGE_SIZE], h[SNP_DIGEST_SIZE];
	char hex[2 * SNP_DIGEST_SIZE + 1];

	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)i;
	build(vmsa, COCO_SNP_VMM_QEMU, 0, 0x800F12, 0x1);
	CU_ASSERT_EQUAL(coco_sha384(vmsa, sizeof(vmsa), h), 0);
	coco_hex_encode(h, sizeof(h), hex);
	CU_ASSERT_EQUAL(strncmp(hex, "77920c4c", 8), 0);
	CU_ASSERT_STRING_EQUAL(hex + 2 * SNP_DIGEST_SIZE - 5, "c553a");

	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0xFFFFF000, page,
						       1), 0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_ZERO, 0x800000, NULL, 1),
			0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_SECRETS, 0x80D000, NULL,
						       1), 0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_CPUID, 0x80E000, NULL, 1),
			0);
	CU_ASSERT_EQUAL(snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_VMSA, SNP_INITIAL_VMSA_GPA,
						       vmsa, 1), 0);
	coco_hex_encode(d.ld, SNP_DIGEST_SIZE, hex);
	CU_ASSERT_STRING_EQUAL(hex, "3e06307e35d385be135795e0ce07d7f5dffa39f8abb58ce4cf47d8db1b12be5d"
				    "ddf8e03a7f34ff71eb7fc28c6d5b4237");
	snp_launch_digest_fini(&d);
}

static CU_TestInfo tests[] = {
	{ "QEMU BSP reset state", test_qemu_bsp },
	{ "QEMU AP entry from the reset block", test_qemu_ap },
	{ "EC2 differences", test_ec2 },
	{ "GCE differences", test_gce },
	{ "unknown VMM type refused", test_unknown_vmm },
	{ "tiny chained vector ends with our VMSA", test_tiny_chain_with_built_vmsa },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "vmsa", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

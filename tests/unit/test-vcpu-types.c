/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/vcpu-types.c (public coco_snp_cpu_signature*,
 * coco_snp_vmm_type_from_name).  Signatures: CPUID(1).EAX of the EPYC
 * generations (AMD #25481 encoding), as sev-snp-measure's tests list them.
 */
#include <errno.h>
#include <string.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

static uint32_t sig_of(const char *name)
{
	uint32_t sig = 0xDEADBEEF;

	CU_ASSERT_EQUAL(coco_snp_cpu_signature(name, &sig), 0);
	return sig;
}

static void test_known_types(void)
{
	CU_ASSERT_EQUAL(sig_of("EPYC"), 0x800F12);
	CU_ASSERT_EQUAL(sig_of("EPYC-v4"), 0x800F12);
	CU_ASSERT_EQUAL(sig_of("EPYC-IBPB"), 0x800F12);
	CU_ASSERT_EQUAL(sig_of("EPYC-Rome"), 0x830F10);
	CU_ASSERT_EQUAL(sig_of("EPYC-Rome-v3"), 0x830F10);
	CU_ASSERT_EQUAL(sig_of("EPYC-Milan"), 0xA00F11);
	CU_ASSERT_EQUAL(sig_of("EPYC-Milan-v2"), 0xA00F11);
	CU_ASSERT_EQUAL(sig_of("EPYC-Genoa"), 0xA10F10);
	CU_ASSERT_EQUAL(sig_of("EPYC-Genoa-v1"), 0xA10F10);
	CU_ASSERT_EQUAL(sig_of("EPYC-Turin"), 0xB00F00);
	/* case does not matter */
	CU_ASSERT_EQUAL(sig_of("epyc-milan"), 0xA00F11);
	CU_ASSERT_EQUAL(sig_of("EPYC-GENOA"), 0xA10F10);
}

static void test_unknown_type(void)
{
	uint32_t sig = 7;

	coco_clear_error();
	CU_ASSERT_EQUAL(coco_snp_cpu_signature("Opteron_G5", &sig), -ENOENT);
	CU_ASSERT_EQUAL(sig, 7);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "'Opteron_G5'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "EPYC-Genoa-v1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "EPYC-Turin"));
	CU_ASSERT_EQUAL(coco_snp_cpu_signature("EPYC-v5", &sig), -ENOENT);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature("", &sig), -ENOENT);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature(NULL, &sig), -EINVAL);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature("EPYC", NULL), -EINVAL);
}

static void test_from_fms(void)
{
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(23, 1, 2), 0x800F12);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(25, 17, 0), 0xA10F10);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(26, 0, 0), 0xB00F00);
	/* families up to 0xF need no extended family */
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(14, 1, 2), 0x0E12);
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(15, 0x12, 3), 0x10F23);
	/* the highest values the encoding carries */
	CU_ASSERT_EQUAL(coco_snp_cpu_signature_from_fms(0xF + 0xFF, 0xFF, 0xF), 0x0FFF0FFF);
}

static void test_vmm_names(void)
{
	enum coco_snp_vmm_type t = 0;

	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("qemu", &t), 0);
	CU_ASSERT_EQUAL(t, COCO_SNP_VMM_QEMU);
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("QEMU", &t), 0);	/* sev-snp-measure's spelling */
	CU_ASSERT_EQUAL(t, COCO_SNP_VMM_QEMU);
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("coco-vmm", &t), 0);
	CU_ASSERT_EQUAL(t, COCO_SNP_VMM_QEMU);
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("ec2", &t), 0);
	CU_ASSERT_EQUAL(t, COCO_SNP_VMM_EC2);
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("GCE", &t), 0);
	CU_ASSERT_EQUAL(t, COCO_SNP_VMM_GCE);
	t = 0;
	coco_clear_error();
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name("kvmtool", &t), -ENOENT);
	CU_ASSERT_EQUAL(t, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "'kvmtool'"));
	CU_ASSERT_EQUAL(coco_snp_vmm_type_from_name(NULL, &t), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "known vCPU types", test_known_types },
	{ "unknown vCPU types are refused with the list", test_unknown_type },
	{ "signature from family, model, stepping", test_from_fms },
	{ "VMM type names", test_vmm_names },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "vcpu-types", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/tdx-uapi.h against the documented Linux ABI (the
 * vendor-neutral core/kvm-uapi.h it builds on is covered by test-snp-uapi).
 *
 * The expected values below are typed in from ../shared/specs/tdx.md
 * section 6 and from the kernel's arch/x86/include/uapi/asm/kvm.h (Linux
 * 6.16); they are deliberately not derived from the header under test.
 * The test is built twice: against the build host's headers, and against
 * headers of a kernel that has TDX host support
 * (tests/common/uapi-newer-kernel-tdx.h).
 */
#include <stddef.h>
#include <stdint.h>

#ifdef COCO_TEST_NEWER_KERNEL_UAPI
#include "tests/common/uapi-newer-kernel-tdx.h"
#endif

#include "tdx/tdx-uapi.h"
#include "tests/common/test-main.h"

static void test_ioctl_numbers(void)
{
	/* guest_memfd, memslots and attributes (core/kvm-uapi.h): test-snp-uapi. */
	CU_ASSERT_EQUAL(KVM_MEMORY_ENCRYPT_OP, 0xC008AEBAul);
	CU_ASSERT_EQUAL(KVM_SET_TSC_KHZ, 0xAEA2ul);
	CU_ASSERT_EQUAL(KVM_ENABLE_CAP, 0x4068AEA3ul);
	CU_ASSERT_EQUAL(KVM_SET_CPUID2, 0x4008AE90ul);
	CU_ASSERT_EQUAL(KVM_CREATE_VCPU, 0xAE41ul);
}

static void test_constants(void)
{
	CU_ASSERT_EQUAL(KVM_X86_TDX_VM, 5);
	CU_ASSERT_EQUAL(KVM_CAP_X86_APIC_BUS_CYCLES_NS, 237);
	CU_ASSERT_EQUAL(KVM_CAP_SPLIT_IRQCHIP, 121);
	CU_ASSERT_EQUAL(KVM_CAP_MAX_VCPUS, 66);
	CU_ASSERT_EQUAL(TDX_KVM_CAPABILITIES, 0);
	CU_ASSERT_EQUAL(TDX_KVM_INIT_VM, 1);
	CU_ASSERT_EQUAL(TDX_KVM_INIT_VCPU, 2);
	CU_ASSERT_EQUAL(TDX_KVM_INIT_MEM_REGION, 3);
	CU_ASSERT_EQUAL(TDX_KVM_FINALIZE_VM, 4);
	CU_ASSERT_EQUAL(TDX_KVM_GET_CPUID, 5);
	CU_ASSERT_EQUAL(TDX_KVM_TERMINATE_VM, 6);
	CU_ASSERT_EQUAL(KVM_TDX_MEASURE_MEMORY_REGION, 1);
	CU_ASSERT_EQUAL(TDX_APIC_BUS_CYCLE_NS, 40);
	CU_ASSERT_EQUAL(TDX_KVM_MAX_CPUID_ENTRIES, 256);
}

static void test_kvm_tdx_cmd(void)
{
	CU_ASSERT_EQUAL(sizeof(struct tdx_kvm_cmd), 24);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_cmd, id), 0);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_cmd, flags), 4);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_cmd, data), 8);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_cmd, hw_error), 16);
}

static void test_capabilities(void)
{
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, supported_attrs), 0);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, supported_xfam), 8);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, kernel_tdvmcallinfo_1_r11), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, user_tdvmcallinfo_1_r11), 0x18);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, kernel_tdvmcallinfo_1_r12), 0x20);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, user_tdvmcallinfo_1_r12), 0x28);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, supported_caps), 0x30);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, reserved), 0x38);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, cpuid_nent), 0x800);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, cpuid_padding), 0x804);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_capabilities, cpuid_entries), 0x808);
	CU_ASSERT_EQUAL(sizeof(struct kvm_cpuid_entry2), 40);
}

static void test_init_vm(void)
{
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, attributes), 0);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, xfam), 8);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, mrconfigid), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, mrowner), 0x40);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, mrownerconfig), 0x70);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, reserved), 0xA0);
	/* "256 bytes before the CPUID array": the kvm_cpuid2 header, then its entries. */
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, cpuid_nent), 256);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_vm, cpuid_entries), 264);
}

static void test_init_mem_region(void)
{
	CU_ASSERT_EQUAL(sizeof(struct tdx_kvm_init_mem_region), 24);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_mem_region, source_addr), 0);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_mem_region, gpa), 8);
	CU_ASSERT_EQUAL(offsetof(struct tdx_kvm_init_mem_region, nr_pages), 16);
}

static CU_TestInfo abi_tests[] = {
	{ "ioctl numbers", test_ioctl_numbers },
	{ "constants", test_constants },
	{ "struct kvm_tdx_cmd", test_kvm_tdx_cmd },
	{ "struct kvm_tdx_capabilities", test_capabilities },
	{ "struct kvm_tdx_init_vm", test_init_vm },
	{ "struct kvm_tdx_init_mem_region", test_init_mem_region },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tdx-uapi", NULL, NULL, NULL, NULL, abi_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return coco_test_run(suites);
}

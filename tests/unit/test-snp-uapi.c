/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/snp-uapi.h (and the core/kvm-uapi.h it builds on)
 * against the documented Linux ABI.
 *
 * The expected values below are typed in from ../shared/specs/snp.md
 * (sections 4.6 and 8: sizes, offsets, ioctl numbers as printed by
 * print_abi.c on the 6.12 uapi) and from the kernel's uapi headers; they
 * are deliberately not derived from the header under test.  The test is
 * built twice: against the build host's headers, and against headers of a
 * kernel that has SNP host support (tests/common/uapi-newer-kernel.h).
 */
#include <stddef.h>
#include <stdint.h>

/* Built a second time against headers of a kernel that defines all of it itself. */
#ifdef COCO_TEST_NEWER_KERNEL_UAPI
#include "tests/common/uapi-newer-kernel.h"
#endif

#include "sev-snp/snp-uapi.h"
#include "tests/common/test-main.h"

static void test_ioctl_numbers(void)
{
	CU_ASSERT_EQUAL(KVM_MEMORY_ENCRYPT_OP, 0xC008AEBAul);
	CU_ASSERT_EQUAL(KVM_CREATE_GUEST_MEMFD, 0xC040AED4ul);
	CU_ASSERT_EQUAL(KVM_SET_USER_MEMORY_REGION2, 0x40A0AE49ul);
	CU_ASSERT_EQUAL(KVM_SET_MEMORY_ATTRIBUTES, 0x4020AED2ul);
	CU_ASSERT_EQUAL(SEV_ISSUE_CMD, 0xC0105300ul);
	/* The stable ones the hardware path also uses (linux/kvm.h since long before 6.1). */
	CU_ASSERT_EQUAL(KVM_CREATE_VM, 0xAE01ul);
	CU_ASSERT_EQUAL(KVM_CHECK_EXTENSION, 0xAE03ul);
	CU_ASSERT_EQUAL(KVM_CREATE_VCPU, 0xAE41ul);
	CU_ASSERT_EQUAL(KVM_GET_DEVICE_ATTR, 0x4018AEE2ul);
}

static void test_constants(void)
{
	CU_ASSERT_EQUAL(KVM_X86_SNP_VM, 4);
	CU_ASSERT_EQUAL(KVM_CAP_USER_MEMORY2, 231);
	CU_ASSERT_EQUAL(KVM_CAP_MEMORY_ATTRIBUTES, 233);
	CU_ASSERT_EQUAL(KVM_CAP_GUEST_MEMFD, 234);
	CU_ASSERT_EQUAL(KVM_CAP_VM_TYPES, 235);
	CU_ASSERT_EQUAL(KVM_MEM_GUEST_MEMFD, 1u << 2);
	CU_ASSERT_EQUAL(KVM_MEMORY_ATTRIBUTE_PRIVATE, 1ull << 3);
	CU_ASSERT_EQUAL(KVM_X86_GRP_SEV, 1);
	CU_ASSERT_EQUAL(KVM_X86_SEV_VMSA_FEATURES, 0);
	CU_ASSERT_EQUAL(SNP_KVM_SEV_INIT2, 22);
	CU_ASSERT_EQUAL(SNP_KVM_SEV_SNP_LAUNCH_START, 100);
	CU_ASSERT_EQUAL(SNP_KVM_SEV_SNP_LAUNCH_UPDATE, 101);
	CU_ASSERT_EQUAL(SNP_KVM_SEV_SNP_LAUNCH_FINISH, 102);
	CU_ASSERT_EQUAL(SNP_SEV_CMD_SNP_PLATFORM_STATUS, 9);
	CU_ASSERT_EQUAL(SNP_KVM_PAGE_TYPE_NORMAL, 1);
	CU_ASSERT_EQUAL(SNP_KVM_PAGE_TYPE_ZERO, 3);
	CU_ASSERT_EQUAL(SNP_KVM_PAGE_TYPE_UNMEASURED, 4);
	CU_ASSERT_EQUAL(SNP_KVM_PAGE_TYPE_SECRETS, 5);
	CU_ASSERT_EQUAL(SNP_KVM_PAGE_TYPE_CPUID, 6);
	CU_ASSERT_EQUAL(SNP_KVM_ID_BLOCK_SIZE, 96);
	CU_ASSERT_EQUAL(SNP_KVM_ID_AUTH_SIZE, 4096);
	CU_ASSERT_EQUAL(SNP_SEV_RET_NO_FW_CALL, 0xFFFFFFFFu);
}

static void test_kvm_sev_cmd(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_kvm_sev_cmd), 24);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_cmd, id), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_cmd, pad0), 4);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_cmd, data), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_cmd, error), 16);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_cmd, sev_fd), 20);
}

static void test_sev_init(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_kvm_sev_init), 48);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_init, vmsa_features), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_init, flags), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_init, ghcb_version), 12);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_init, pad1), 14);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_sev_init, pad2), 16);
}

static void test_launch_start(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_kvm_launch_start), 64);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_start, policy), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_start, gosvw), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_start, flags), 0x18);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_start, pad0), 0x1A);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_start, pad1), 0x20);
}

static void test_launch_update(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_kvm_launch_update), 64);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, gfn_start), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, uaddr), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, len), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, type), 0x18);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, pad0), 0x19);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, flags), 0x1A);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, pad1), 0x1C);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_update, pad2), 0x20);
}

static void test_launch_finish(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_kvm_launch_finish), 88);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, id_block_uaddr), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, id_auth_uaddr), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, id_block_en), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, auth_key_en), 0x11);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, vcek_disabled), 0x12);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, host_data), 0x13);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, pad0), 0x33);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, flags), 0x36);
	CU_ASSERT_EQUAL(offsetof(struct snp_kvm_launch_finish, pad1), 0x38);
}

static void test_guest_memfd(void)
{
	CU_ASSERT_EQUAL(sizeof(struct coco_kvm_create_guest_memfd), 64);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_create_guest_memfd, size), 0);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_create_guest_memfd, flags), 8);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_create_guest_memfd, reserved), 0x10);
}

static void test_memory_region2(void)
{
	CU_ASSERT_EQUAL(sizeof(struct coco_kvm_memory_region2), 160);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, slot), 0);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, flags), 4);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, guest_phys_addr), 8);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, memory_size), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, userspace_addr), 0x18);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, guest_memfd_offset), 0x20);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, guest_memfd), 0x28);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, pad1), 0x2C);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_region2, pad2), 0x30);
}

static void test_memory_attributes(void)
{
	CU_ASSERT_EQUAL(sizeof(struct coco_kvm_memory_attributes), 32);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_attributes, address), 0);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_attributes, size), 8);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_attributes, attributes), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct coco_kvm_memory_attributes, flags), 0x18);
}

static void test_sev_issue_cmd(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_sev_issue_cmd), 16);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_issue_cmd, cmd), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_issue_cmd, data), 4);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_issue_cmd, error), 0xC);
}

static void test_snp_status(void)
{
	CU_ASSERT_EQUAL(sizeof(struct snp_sev_user_snp_status), 32);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, api_major), 0);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, api_minor), 1);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, state), 2);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, rmp_flags), 3);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, build_id), 4);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, feature_flags), 8);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, guest_count), 0xC);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, current_tcb_version), 0x10);
	CU_ASSERT_EQUAL(offsetof(struct snp_sev_user_snp_status, reported_tcb_version), 0x18);
}

static CU_TestInfo abi_tests[] = {
	{ "ioctl numbers", test_ioctl_numbers },
	{ "constants", test_constants },
	{ "struct kvm_sev_cmd", test_kvm_sev_cmd },
	{ "struct kvm_sev_init", test_sev_init },
	{ "struct kvm_sev_snp_launch_start", test_launch_start },
	{ "struct kvm_sev_snp_launch_update", test_launch_update },
	{ "struct kvm_sev_snp_launch_finish", test_launch_finish },
	{ "struct kvm_create_guest_memfd", test_guest_memfd },
	{ "struct kvm_userspace_memory_region2", test_memory_region2 },
	{ "struct kvm_memory_attributes", test_memory_attributes },
	{ "struct sev_issue_cmd", test_sev_issue_cmd },
	{ "struct sev_user_data_snp_status", test_snp_status },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "snp-uapi", NULL, NULL, NULL, NULL, abi_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return coco_test_run(suites);
}

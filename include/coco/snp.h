/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: AMD SEV-SNP vendor policy and helpers.
 *
 * These are the only SNP words in the public API: the vendor half of a VM
 * configuration (guest policy, VMSA features, host data, ID block) and the
 * names users know from sev-snp-measure (vCPU types, VMM types).
 * Facts: AMD SEV-SNP Firmware ABI (guest policy, LAUNCH_START/FINISH),
 * APM vol. 2 (VMSA SEV_FEATURES).
 */
#ifndef COCO_SNP_H
#define COCO_SNP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Guest policy bits (SNP Firmware ABI, guest policy structure). */
#define COCO_SNP_POLICY_ABI_MINOR_MASK 0xffull
#define COCO_SNP_POLICY_ABI_MAJOR_MASK 0xff00ull
#define COCO_SNP_POLICY_SMT (1ull << 16)
#define COCO_SNP_POLICY_RESERVED_MBO (1ull << 17)	/* must be one */
#define COCO_SNP_POLICY_MIGRATE_MA (1ull << 18)
#define COCO_SNP_POLICY_DEBUG (1ull << 19)
#define COCO_SNP_POLICY_SINGLE_SOCKET (1ull << 20)
#define COCO_SNP_POLICY_CXL_ALLOW (1ull << 21)
#define COCO_SNP_POLICY_MEM_AES_256_XTS (1ull << 22)
#define COCO_SNP_POLICY_RAPL_DIS (1ull << 23)
#define COCO_SNP_POLICY_CIPHERTEXT_HIDING (1ull << 24)
#define COCO_SNP_POLICY_PAGE_SWAP_DISABLE (1ull << 25)
#define COCO_SNP_POLICY_MBZ_MASK (~((1ull << 26) - 1))	/* bits 63:26 */
#define COCO_SNP_POLICY_DEFAULT 0x30000ull		/* SMT allowed + MBO bit */

/* VMSA SEV_FEATURES bits (APM vol. 2, VMSA offset 0x3B0). */
#define COCO_SNP_FEATURE_SNP_ACTIVE (1ull << 0)
#define COCO_SNP_FEATURE_VTOM (1ull << 1)
#define COCO_SNP_FEATURE_REFLECT_VC (1ull << 2)
#define COCO_SNP_FEATURE_RESTRICTED_INJECTION (1ull << 3)
#define COCO_SNP_FEATURE_ALTERNATE_INJECTION (1ull << 4)
#define COCO_SNP_FEATURE_DEBUG_SWAP (1ull << 5)
#define COCO_SNP_FEATURE_PREVENT_HOST_IBS (1ull << 6)
#define COCO_SNP_FEATURE_BTB_ISOLATION (1ull << 7)
#define COCO_SNP_FEATURE_VMPL_SSS (1ull << 8)
#define COCO_SNP_FEATURE_SECURE_TSC (1ull << 9)
#define COCO_SNP_FEATURE_VMGEXIT_PARAMETER (1ull << 10)
#define COCO_SNP_FEATURE_IBS_VIRTUALIZATION (1ull << 12)
#define COCO_SNP_FEATURE_VMSA_REG_PROT (1ull << 14)
#define COCO_SNP_FEATURE_SMT_PROTECTION (1ull << 15)
#define COCO_SNP_FEATURE_SECURE_AVIC (1ull << 16)
#define COCO_SNP_FEATURES_DEFAULT COCO_SNP_FEATURE_SNP_ACTIVE

/*
 * Whose vCPU reset state the VMSAs follow.  Measurements differ between
 * VMMs because each initialises the VMSA slightly differently (the names
 * and values are those of sev-snp-measure's --vmm-type).
 */
enum coco_snp_vmm_type {
	COCO_SNP_VMM_QEMU = 1,	/* QEMU/KVM, and coco-vmm */
	COCO_SNP_VMM_EC2 = 2,	/* Amazon EC2 */
	COCO_SNP_VMM_GCE = 3,	/* Google Compute Engine */
};

struct coco_snp_policy {
	uint64_t guest_policy;		/* 0 selects COCO_SNP_POLICY_DEFAULT */
	uint64_t vmsa_features;		/* 0 selects COCO_SNP_FEATURES_DEFAULT */
	enum coco_snp_vmm_type vmm_type;	/* 0 selects QEMU */
	uint8_t gosvw[16];		/* guest OS visible workarounds (LAUNCH_START) */
	uint8_t host_data[32];		/* bound into the report (LAUNCH_FINISH) */
	/* ID block (96 bytes) and ID authentication page (4096 bytes), optional. */
	const uint8_t *id_block;
	const uint8_t *id_auth;
	bool author_key_en;
	bool vcek_disabled;
};

/*
 * CPUID(1).EAX signature for a vCPU type name as sev-snp-measure knows
 * them ("EPYC", "EPYC-v4", "EPYC-Rome", "EPYC-Milan", "EPYC-Genoa", ...;
 * case-insensitive).  -ENOENT for unknown names (the message lists them).
 */
int coco_snp_cpu_signature(const char *vcpu_type, uint32_t *signature);

/* CPUID(1).EAX signature from family, model and stepping. */
uint32_t coco_snp_cpu_signature_from_fms(uint32_t family, uint32_t model,
					 uint32_t stepping);

/* "qemu", "ec2", "gce" (case-insensitive) to the enum; -ENOENT otherwise. */
int coco_snp_vmm_type_from_name(const char *name, enum coco_snp_vmm_type *type);

/*
 * Check a guest policy as the firmware and KVM will: bit 17 set, bits
 * 63:26 clear, and the flags that need platform support.  Returns 0 or
 * -EINVAL with a message naming the offending bit.
 */
int coco_snp_policy_validate(uint64_t guest_policy);

#ifdef __cplusplus
}
#endif

#endif /* COCO_SNP_H */

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Vendor profiles for the conformance suite: the vendor-specific facts the
 * neutral cases are parameterised with.
 *
 * SEV-SNP guest policy (SNP Firmware ABI, guest policy; specs/snp.md 2.2):
 * bit 17 must be one, bits 63:26 must be zero, SMT must be allowed on a
 * platform with SMT enabled (POLICY_FAILURE at SNP_LAUNCH_START), the ABI
 * version may not exceed the firmware's; DEBUG and MIGRATE_MA alone are
 * valid.
 *
 * TDX TD_PARAMS (TDX module ABI; specs/tdx.md 4.2, 2.2 metadata): reserved
 * ATTRIBUTES bits and an XFAM without x87/SSE (XFAM_FIXED1) are wrong on
 * every platform (refused before any platform call); attributes and XFAM
 * bits the platform does not offer (outside ATTRIBUTES_FIXED0 / XFAM_FIXED0:
 * KL, MPX state) are refused by TDH.MNG.INIT with TDX_OPERAND_INVALID.
 */
#include <errno.h>
#include <string.h>

#include "conformance.h"

static struct coco_vm_config snp_config(uint64_t policy, uint64_t features)
{
	struct coco_vm_config c;

	coco_vm_config_init(&c, COCO_VENDOR_AMD_SEV_SNP);
	c.memory_size = 16u << 20;
	c.policy.u.snp.guest_policy = policy;
	c.policy.u.snp.vmsa_features = features;
	return c;
}

static size_t snp_bad_configs(struct bad_config *out, size_t max)
{
	const struct bad_config all[] = {
		{ "policy without the must-be-one bit 17", snp_config(0x10000, 1), true, -EINVAL },
		{ "policy with a must-be-zero bit (40)", snp_config(0x30000 | (1ull << 40), 1), true,
		  -EINVAL },
		/* POLICY_FAILURE from the firmware (or KVM's refusal on hardware). */
		{ "policy forbidding SMT on a platform with SMT", snp_config(0x20000, 1), false,
		  -EPERM },
		{ "policy asking for ABI 255.0", snp_config(0x30000 | 0xff00, 1), false, -EPERM },
		{ "VMSA features without SNPActive", snp_config(0x30000, 0x20), true, -EINVAL },
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

static size_t snp_good_configs(struct coco_vm_config *out, size_t max)
{
	const struct coco_vm_config all[] = {
		snp_config(0x30000 | COCO_SNP_POLICY_DEBUG, 1),
		snp_config(0x30000 | COCO_SNP_POLICY_MIGRATE_MA, 1),
		snp_config(0x30000 | COCO_SNP_POLICY_SINGLE_SOCKET, 1),
		snp_config(0x30000, COCO_SNP_FEATURE_SNP_ACTIVE | COCO_SNP_FEATURE_DEBUG_SWAP),
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

static struct coco_vm_config tdx_config(uint64_t attributes, uint64_t xfam)
{
	struct coco_vm_config c;

	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.memory_size = 16u << 20;
	c.policy.u.tdx.attributes = attributes;
	c.policy.u.tdx.xfam = xfam;
	return c;
}

static size_t tdx_bad_configs(struct bad_config *out, size_t max)
{
	const struct bad_config all[] = {
		{ "attributes with a reserved bit (40)",
		  tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE | (1ull << 40), COCO_TDX_XFAM_DEFAULT),
		  true, -EINVAL },
		{ "XFAM without SSE", tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE, 0x1), true, -EINVAL },
		/* TDX_OPERAND_INVALID from TDH.MNG.INIT (KVM_TDX_INIT_VM on hardware). */
		{ "attributes asking for Key Locker, which the platform does not offer",
		  tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE | COCO_TDX_ATTR_KL, COCO_TDX_XFAM_DEFAULT),
		  false, -EINVAL },
		{ "XFAM asking for MPX state (bits 3-4), which no TDX platform offers",
		  tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE, COCO_TDX_XFAM_DEFAULT | 0x18), false,
		  -EINVAL },
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

static size_t tdx_good_configs(struct coco_vm_config *out, size_t max)
{
	struct coco_vm_config all[] = {
		/*
		 * Only what every TDX host offers: KVM (6.16) supports no
		 * attribute but SEPT_VE_DISABLE (no DEBUG TDs).
		 */
		tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE, COCO_TDX_XFAM_FIXED1),
		tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE, COCO_TDX_XFAM_DEFAULT),
		tdx_config(COCO_TDX_ATTR_SEPT_VE_DISABLE, COCO_TDX_XFAM_DEFAULT),
	};
	size_t n = sizeof(all) / sizeof(all[0]);

	/* Owner-chosen identities are carried, not checked. */
	memset(all[1].policy.u.tdx.mrconfigid, 0xC5, sizeof(all[1].policy.u.tdx.mrconfigid));
	memset(all[1].policy.u.tdx.mrowner, 0x0E, sizeof(all[1].policy.u.tdx.mrowner));
	memset(all[2].policy.u.tdx.mrownerconfig, 0x77, sizeof(all[2].policy.u.tdx.mrownerconfig));
	all[2].policy.u.tdx.tsc_khz = 2000000;
	if (n > max)
		n = max;
	memcpy(out, all, n * sizeof(all[0]));
	return n;
}

static const struct vendor_profile profiles[] = {
	{ COCO_VENDOR_AMD_SEV_SNP, snp_bad_configs, snp_good_configs },
	{ COCO_VENDOR_INTEL_TDX, tdx_bad_configs, tdx_good_configs },
};

const struct vendor_profile *vendor_profile_for(enum coco_vendor vendor)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (profiles[i].vendor == vendor)
			return &profiles[i];
	return NULL;
}

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

static const struct vendor_profile profiles[] = {
	{ COCO_VENDOR_AMD_SEV_SNP, snp_bad_configs, snp_good_configs },
};

const struct vendor_profile *vendor_profile_for(enum coco_vendor vendor)
{
	for (size_t i = 0; i < sizeof(profiles) / sizeof(profiles[0]); i++)
		if (profiles[i].vendor == vendor)
			return &profiles[i];
	return NULL;
}

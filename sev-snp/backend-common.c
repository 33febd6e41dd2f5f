/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/snp-backend.h"

#include <errno.h>
#include <stdlib.h>

#include <coco/snp.h>

int coco_snp_policy_validate(uint64_t policy)
{
	if (!(policy & COCO_SNP_POLICY_RESERVED_MBO))
		return coco_err(-EINVAL,
				"SNP guest policy 0x%llx: bit 17 is reserved and must be one "
				"(firmware and KVM refuse the launch otherwise); use 0x%llx",
				(unsigned long long)policy,
				(unsigned long long)(policy | COCO_SNP_POLICY_RESERVED_MBO));
	if (policy & COCO_SNP_POLICY_MBZ_MASK)
		return coco_err(-EINVAL,
				"SNP guest policy 0x%llx: bits 63:26 must be zero (set: 0x%llx)",
				(unsigned long long)policy,
				(unsigned long long)(policy & COCO_SNP_POLICY_MBZ_MASK));
	return 0;
}

int snp_config_validate(const struct coco_vm_config *c)
{
	const struct coco_snp_policy *p = &c->policy.u.snp;
	int ret = coco_snp_policy_validate(p->guest_policy);

	if (ret)
		return coco_err_context(ret, "coco_vm_create");
	if (!(p->vmsa_features & COCO_SNP_FEATURE_SNP_ACTIVE))
		return coco_err(-EINVAL, "coco_vm_create: VMSA features 0x%llx lack SNPActive "
				"(bit 0), which every SNP guest's VMSA carries",
				(unsigned long long)p->vmsa_features);
	if (p->vmm_type < COCO_SNP_VMM_QEMU || p->vmm_type > COCO_SNP_VMM_GCE)
		return coco_err(-EINVAL, "coco_vm_create: unknown SNP VMM type %d",
				(int)p->vmm_type);
	if (p->author_key_en && !p->id_block)
		return coco_err(-EINVAL, "coco_vm_create: author_key_en needs an ID block and "
				"ID authentication page");
	if (!!p->id_block != !!p->id_auth)
		return coco_err(-EINVAL, "coco_vm_create: an ID block and its authentication "
				"page go together; give both or neither");
	return 0;
}

int snp_vm_init(struct coco_vm *vm, const struct snp_launch_sink_ops *sink, void *backend_state)
{
	struct snp_vm *s = calloc(1, sizeof(*s));

	if (!s)
		return coco_err(-ENOMEM, "SNP: out of memory");
	s->sink = vm->dry_run ? &snp_measure_sink : sink;
	s->backend = backend_state;
	vm->priv = s;
	return 0;
}

void snp_vm_fini(struct coco_vm *vm)
{
	struct snp_vm *s = vm->priv;

	if (!s)
		return;
	snp_launch_digest_fini(&s->dry_digest);
	free(s);
	vm->priv = NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "tdx/backend-common.h"

#include <errno.h>

#include <coco/tdx.h>

int tdx_config_validate(const struct coco_vm_config *c)
{
	const struct coco_tdx_policy *p = &c->policy.u.tdx;
	int ret = coco_tdx_policy_validate(p->attributes, p->xfam);

	if (ret)
		return coco_err_context(ret, "coco_vm_create");
	if (c->vcpus > TDX_MAX_VCPUS)
		return coco_err(-EINVAL, "coco_vm_create: %u vCPUs requested; TD_PARAMS.MAX_VCPUS "
				"holds at most %u", c->vcpus, TDX_MAX_VCPUS);
	if (p->tsc_khz && (p->tsc_khz < TDX_TSC_KHZ_MIN || p->tsc_khz > TDX_TSC_KHZ_MAX ||
			   p->tsc_khz % TDX_TSC_KHZ_STEP))
		return coco_err(-EINVAL, "coco_vm_create: TSC frequency %u kHz; a TD's is set in "
				"25 MHz steps from 100 MHz to 10 GHz (TD_PARAMS.TSC_FREQUENCY), "
				"or 0 for the platform's", p->tsc_khz);
	return 0;
}

int tdx_dry_vm_create(struct coco_vm *vm)
{
	if (!vm->dry_run)
		return coco_err(-ENOTSUP, "coco_vm_create on %s: only dry runs (expected "
				"measurements) are supported by this part of the TDX backend",
				vm->backend->name);
	return tdx_vm_init_common(vm, NULL, NULL);
}

void tdx_dry_vm_destroy(struct coco_vm *vm)
{
	tdx_vm_free_common(vm);
}

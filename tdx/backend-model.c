/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "tdx-model": Intel TDX on the TDX module model.
 *
 * For now only the vendor-common half exists: policy checks, TDVF launch
 * plans and dry runs, so expected MRTDs can be computed with no platform.
 * The module model (SEAMCALLs, TDMR/PAMT, TD build) arrives with issue 3;
 * until then the probe says so and no host opens.
 */
#include <errno.h>

#include "tdx/backend-common.h"

static int model_probe(struct coco_probe_result *r)
{
	coco_probe_add(r, "module model", false, "arrives with issue 3; expected measurements "
		       "(cococtl measure --backend tdx) work without it",
		       "the TDX module model is not built yet");
	return 0;
}

static int model_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	(void)host;
	(void)opts;
	return coco_err(-ENOTSUP, "tdx-model: the TDX module model is not built yet (it arrives "
			"with issue 3); only expected measurements are available");
}

static void model_host_close(struct coco_host *host)
{
	(void)host;
}

static int model_caps(struct coco_host *host, struct coco_caps *caps)
{
	(void)host;
	(void)caps;
	return coco_err(-ENOTSUP, "tdx-model: the TDX module model is not built yet");
}

static int model_vm_create(struct coco_vm *vm)
{
	return tdx_dry_vm_create(vm);
}

static void model_vm_destroy(struct coco_vm *vm)
{
	tdx_dry_vm_destroy(vm);
}

const struct coco_backend tdx_model_backend = {
	.name = "tdx-model",
	.vendor = COCO_VENDOR_INTEL_TDX,
	.hardware = false,
	.description = "Intel TDX on the TDX module model",
	.design_features = 0,
	.probe = model_probe,
	.host_open = model_host_open,
	.host_close = model_host_close,
	.caps = model_caps,
	.config_validate = tdx_config_validate,
	.plan_firmware = tdx_plan_firmware,
	.vm_create = model_vm_create,
	.vm_destroy = model_vm_destroy,
	.launch_begin = tdx_launch_begin,
	.launch_region = tdx_launch_region,
	.launch_vcpu = tdx_launch_vcpu,
	.launch_finish = tdx_launch_finish,
};

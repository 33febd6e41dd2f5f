/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "sev-snp-model": SEV-SNP on the PSP firmware + RMP platform model.
 * (Host side of the model lands with the platform model; dry runs, i.e.
 * expected measurements, work already.)
 */
#include <errno.h>

#include "sev-snp/snp-backend.h"
#include "sev-snp/snp-plan.h"

static int model_probe(struct coco_probe_result *r)
{
	coco_probe_add(r, "platform model", true, NULL,
		       "SEV-SNP PSP firmware and RMP model built into libcoco");
	return 0;
}

static int model_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	(void)host;
	(void)opts;
	return coco_err(-ENOTSUP, "sev-snp-model: the platform model is not part of this build yet");
}

static void model_host_close(struct coco_host *host)
{
	(void)host;
}

static int model_caps(struct coco_host *host, struct coco_caps *caps)
{
	(void)host;
	(void)caps;
	return 0;
}

static int model_vm_create(struct coco_vm *vm)
{
	if (!vm->dry_run)
		return coco_err(-ENOTSUP, "sev-snp-model: VMs need the platform model");
	return snp_vm_init(vm, NULL, NULL);
}

static void model_vm_destroy(struct coco_vm *vm)
{
	snp_vm_fini(vm);
}

const struct coco_backend snp_model_backend = {
	.name = "sev-snp-model",
	.vendor = COCO_VENDOR_AMD_SEV_SNP,
	.hardware = false,
	.description = "AMD SEV-SNP on the PSP firmware and RMP platform model",
	.probe = model_probe,
	.host_open = model_host_open,
	.host_close = model_host_close,
	.caps = model_caps,
	.config_validate = snp_config_validate,
	.plan_firmware = snp_plan_firmware,
	.vm_create = model_vm_create,
	.vm_destroy = model_vm_destroy,
	.launch_begin = snp_launch_begin,
	.launch_region = snp_launch_region,
	.launch_vcpu = snp_launch_vcpu,
	.launch_finish = snp_launch_finish,
};

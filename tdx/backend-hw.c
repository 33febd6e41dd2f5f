/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "tdx": Intel TDX on this host's hardware, through Linux KVM
 * (KVM_X86_TDX_VM, guest_memfd, KVM_TDX_*).  Selected only when its probe
 * passes; "auto" tries it before the model.
 *
 * Launches go through the same TDX launch walker as the model; the walker
 * hands its steps to the KVM sink (kvm-tdx.c).  Expected measurements are
 * dry runs of that walker into the measuring sink, so they need no
 * hardware.  Evidence comes from inside the TD on hardware (TDG.MR.REPORT,
 * then a quote), so get_evidence is not offered.  coco-vmm runs TDs on it
 * through hw-guest-channel.c.
 */
#include "tdx/backend-common.h"
#include "tdx/kvm-tdx.h"

static int hw_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	struct tdx_kvm_host *h = NULL;
	int ret;

	(void)opts;	/* the options are about platform models */
	ret = tdx_kvm_host_open(&h);
	if (ret)
		return ret;
	host->priv = h;
	return 0;
}

static void hw_host_close(struct coco_host *host)
{
	tdx_kvm_host_close(host->priv);
	host->priv = NULL;
}

static int hw_caps(struct coco_host *host, struct coco_caps *caps)
{
	return tdx_kvm_host_caps(host->priv, caps);
}

static int hw_vm_create(struct coco_vm *vm)
{
	struct tdx_kvm_vm *k = NULL;
	int ret;

	/* Expected measurements: the walker into the measuring sink, no kernel involved. */
	if (vm->dry_run)
		return tdx_dry_vm_create(vm);
	ret = tdx_kvm_vm_create(vm, vm->host->priv, &k);
	if (ret)
		return ret;
	ret = tdx_vm_init_common(vm, &tdx_kvm_sink, k);
	if (ret)
		tdx_kvm_vm_destroy(vm, k);
	return ret;
}

static void hw_vm_destroy(struct coco_vm *vm)
{
	struct tdx_vm *t = tdx_vm_of(vm);

	if (vm->dry_run) {
		tdx_dry_vm_destroy(vm);
		return;
	}
	if (t)
		tdx_kvm_vm_destroy(vm, t->backend);
	tdx_vm_free_common(vm);
}

const struct coco_backend tdx_hw_backend = {
	.name = "tdx",
	.vendor = COCO_VENDOR_INTEL_TDX,
	.hardware = true,
	.description = "Intel TDX on this host's hardware through Linux KVM",
	.probe = tdx_hw_probe,
	.host_open = hw_host_open,
	.host_close = hw_host_close,
	.caps = hw_caps,
	.config_validate = tdx_config_validate,
	.plan_firmware = tdx_plan_firmware,
	.vm_create = hw_vm_create,
	.vm_destroy = hw_vm_destroy,
	.launch_begin = tdx_launch_begin,
	.launch_region = tdx_launch_region,
	.launch_vcpu = tdx_launch_vcpu,
	.launch_finish = tdx_launch_finish,
	.mem_slot_add = tdx_kvm_mem_slot_add,
	.mem_convert = tdx_kvm_mem_convert,
	.get_evidence = NULL,
	.vmm_kvm_vm = tdx_hw_vmm_kvm_vm,
	.guest_channel = &tdx_hw_guest_channel,
};

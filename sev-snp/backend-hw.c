/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "sev-snp": AMD SEV-SNP on this host's hardware, through Linux
 * KVM (KVM_X86_SNP_VM, guest_memfd, KVM_SEV_SNP_LAUNCH_*) and /dev/sev.
 * Selected only when its probe passes; "auto" tries it before the model.
 *
 * Launches go through the same SNP launch walker as the model; the walker
 * hands its steps to the KVM sink (kvm-snp.c).  Expected measurements are
 * dry runs of that walker into the measuring sink, so they need no
 * hardware.  Evidence comes from inside the guest on hardware (the guest
 * asks its PSP through /dev/sev-guest), so get_evidence is not offered.
 * coco-vmm runs guests on it through hw-guest-channel.c.
 */
#include "sev-snp/kvm-snp.h"
#include "sev-snp/snp-backend.h"
#include "sev-snp/snp-plan.h"

static int hw_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	struct snp_kvm_host *h = NULL;
	int ret;

	(void)opts;	/* the options are about platform models */
	ret = snp_kvm_host_open(&h);
	if (ret)
		return ret;
	host->priv = h;
	return 0;
}

static void hw_host_close(struct coco_host *host)
{
	snp_kvm_host_close(host->priv);
	host->priv = NULL;
}

static int hw_caps(struct coco_host *host, struct coco_caps *caps)
{
	return snp_kvm_host_caps(host->priv, caps);
}

static int hw_vm_create(struct coco_vm *vm)
{
	struct snp_kvm_vm *k = NULL;
	int ret;

	/* Expected measurements: the walker into the measuring sink, no kernel involved. */
	if (vm->dry_run)
		return snp_vm_init(vm, NULL, NULL);
	ret = snp_kvm_vm_create(vm, vm->host->priv, &k);
	if (ret)
		return ret;
	ret = snp_vm_init(vm, &snp_kvm_sink, k);
	if (ret)
		snp_kvm_vm_destroy(vm, k);
	return ret;
}

static void hw_vm_destroy(struct coco_vm *vm)
{
	struct snp_vm *s = snp_vm_of(vm);

	if (s && s->backend)
		snp_kvm_vm_destroy(vm, s->backend);
	snp_vm_fini(vm);
}

const struct coco_backend snp_hw_backend = {
	.name = "sev-snp",
	.vendor = COCO_VENDOR_AMD_SEV_SNP,
	.hardware = true,
	.description = "AMD SEV-SNP on this host's hardware through Linux KVM and /dev/sev",
	.design_features = COCO_FEATURE_MEASURED_VCPU_STATE,
	.probe = snp_hw_probe,
	.host_open = hw_host_open,
	.host_close = hw_host_close,
	.caps = hw_caps,
	.config_validate = snp_config_validate,
	.plan_firmware = snp_plan_firmware,
	.plan_guest_image = snp_plan_guest_image,
	.vm_create = hw_vm_create,
	.vm_destroy = hw_vm_destroy,
	.launch_begin = snp_launch_begin,
	.launch_region = snp_launch_region,
	.launch_vcpu = snp_launch_vcpu,
	.launch_finish = snp_launch_finish,
	.mem_slot_add = snp_kvm_mem_slot_add,
	.mem_convert = snp_kvm_mem_convert,
	.get_evidence = NULL,
	.vmm_kvm_vm = snp_hw_vmm_kvm_vm,
	.guest_channel = &snp_hw_guest_channel,
};

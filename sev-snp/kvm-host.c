/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An opened SEV-SNP host: /dev/kvm and /dev/sev, with the facts VMs need
 * (VMSA features KVM accepts, vCPU mapping size) and the platform facts
 * reported as capabilities.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kvm-dev.h"
#include "core/kvm.h"
#include "core/util.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/sev-dev.h"
#include "sev-snp/snp-uapi.h"

/* CPUID Fn8000_001F EDX: lowest ASID of plain SEV guests; SEV-ES/SNP use 1..EDX-1 (AMD APM vol. 3). */
#define CPUID_AMD_MEM_ENCRYPT 0x8000001Fu

const struct coco_kvm_type_check snp_kvm_vm_type = {
	.check = "KVM SNP VM type",
	.type = KVM_X86_SNP_VM,
	.type_name = "KVM_X86_SNP_VM",
	.kernel_hint = "boot a kernel with SEV-SNP host support (Linux 6.11 or later)",
	.enable_hint = "load kvm_amd with sev_snp=1 on a host with SEV-SNP enabled in firmware "
		       "setup (Linux 6.11 or later)",
};

/* Which SEV features KVM_SEV_INIT2 accepts (Linux 6.10+); unknown on older kernels. */
static void query_vmsa_features(struct snp_kvm_host *h)
{
	uint64_t features = 0;
	struct kvm_device_attr attr = {
		.group = KVM_X86_GRP_SEV,
		.attr = KVM_X86_SEV_VMSA_FEATURES,
		.addr = (uint64_t)(uintptr_t)&features,
	};

	if (coco_kvm_ioctl(h->dev.fd, KVM_GET_DEVICE_ATTR, &attr) == 0) {
		h->vmsa_features_known = true;
		h->vmsa_features_supported = features;
	}
}

static void query_asids(struct snp_kvm_host *h)
{
	uint32_t regs[4];

	coco_kvm_cpuid(0x80000000u, 0, regs);
	if (regs[0] < CPUID_AMD_MEM_ENCRYPT)
		return;
	coco_kvm_cpuid(CPUID_AMD_MEM_ENCRYPT, 0, regs);
	if (regs[3] > 1)
		h->snp_asids = regs[3] - 1;
}

static int open_sev(struct snp_kvm_host *h)
{
	int ret = snp_sev_open(&h->sev_fd);

	if (ret)
		return coco_err_context(ret, "sev-snp");
	ret = snp_sev_platform_status(h->sev_fd, &h->status);
	if (ret)
		return coco_err_context(ret, "sev-snp");
	if (h->status.state != SNP_PLATFORM_INIT)
		return coco_err(-ENODEV, "sev-snp: SNP_PLATFORM_STATUS says the SNP firmware is "
				"not initialised (state %u); load kvm_amd with sev_snp=1, which "
				"initialises it, and look for SEV-SNP errors in the kernel log",
				h->status.state);
	return 0;
}

int snp_kvm_host_open(struct snp_kvm_host **out)
{
	struct snp_kvm_host *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return coco_err(-ENOMEM, "sev-snp: out of memory");
	h->dev.fd = -1;
	h->sev_fd = -1;
	ret = coco_kvm_dev_open(&h->dev, "sev-snp", &snp_kvm_vm_type, "load kvm_amd with sev_snp=1");
	if (!ret)
		ret = open_sev(h);
	if (ret) {
		snp_kvm_host_close(h);
		return ret;
	}
	query_vmsa_features(h);
	query_asids(h);
	*out = h;
	return 0;
}

void snp_kvm_host_close(struct snp_kvm_host *h)
{
	if (!h)
		return;
	if (h->sev_fd >= 0)
		coco_kvm_close(h->sev_fd);
	coco_kvm_dev_close(&h->dev);
	free(h);
}

int snp_kvm_host_caps(struct snp_kvm_host *h, struct coco_caps *caps)
{
	struct snp_platform_status st;
	int ret;

	/* Live numbers (guest count): ask the firmware again. */
	ret = snp_sev_platform_status(h->sev_fd, &st);
	if (ret)
		return coco_err_context(ret, "coco_host_get_caps");
	h->status = st;

	caps->max_guests = h->snp_asids;
	caps->active_guests = st.guest_count;
	/* KVM builds the VMSAs itself: no VCPU_STATE regions on this path. */
	caps->page_types = 1u << COCO_PAGE_MEASURED | 1u << COCO_PAGE_ZERO |
			   1u << COCO_PAGE_UNMEASURED | 1u << COCO_PAGE_SECRETS |
			   1u << COCO_PAGE_CPUID;
	snprintf(caps->measurement_alg, sizeof(caps->measurement_alg), "sha384");
	caps->measurement_size = SNP_DIGEST_SIZE;
	snprintf(caps->firmware_version, sizeof(caps->firmware_version), "%u.%u.%u",
		 st.api_major, st.api_minor, st.build_id);

	coco_caps_add(caps, "snp.api_version", "%u.%u", st.api_major, st.api_minor);
	coco_caps_add(caps, "snp.build_id", "%u", st.build_id);
	coco_caps_add(caps, "snp.platform_state", "%s",
		      st.state == SNP_PLATFORM_INIT ? "INIT" : "UNINIT");
	coco_caps_add(caps, "snp.rmp_initialized", "%s", st.is_rmp_initialized ? "yes" : "no");
	coco_caps_add(caps, "snp.guest_count", "%u", st.guest_count);
	coco_caps_add(caps, "snp.current_tcb", "0x%016llx", (unsigned long long)st.current_tcb);
	coco_caps_add(caps, "snp.reported_tcb", "0x%016llx",
		      (unsigned long long)st.reported_tcb);
	coco_caps_add(caps, "snp.vlek_enabled", "%s", st.vlek_en ? "yes" : "no");
	coco_caps_add(caps, "snp.mask_chip_id", "%s", st.mask_chip_id ? "yes" : "no");
	coco_caps_add(caps, "snp.mask_chip_key", "%s", st.mask_chip_key ? "yes" : "no");
	coco_caps_add(caps, "snp.ciphertext_hiding", "%s",
		      st.ciphertext_hiding_en ? "enabled"
					      : st.ciphertext_hiding_cap ? "capable" : "no");
	coco_caps_add(caps, "snp.asids", "%u", h->snp_asids);
	coco_caps_add(caps, "snp.kvm_api_version", "%d", h->dev.api_version);
	coco_caps_add(caps, "snp.kvm_vm_types", "0x%llx", (unsigned long long)h->dev.vm_types);
	if (h->vmsa_features_known)
		coco_caps_add(caps, "snp.kvm_vmsa_features", "0x%llx",
			      (unsigned long long)h->vmsa_features_supported);
	else
		coco_caps_add(caps, "snp.kvm_vmsa_features", "unknown (no KVM_X86_SEV_VMSA_FEATURES)");
	return 0;
}

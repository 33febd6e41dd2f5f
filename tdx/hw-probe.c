/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The probe of a TDX host: every fact the hardware path relies on,
 * checked through the KVM seam, each with what was found and, when it is
 * missing, what to do about it (specs/tdx.md section 6, "host-support
 * detection").  There is no CPUID bit for "TDX module loaded" -- only
 * KVM's bring-up knows -- so the kvm_intel parameter (true only after a
 * successful bring-up) and the VM type stand for it.  The probe opens
 * /dev/kvm and closes it again; it changes nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/kvm-dev.h"
#include "core/kvm.h"
#include "tdx/kvm-tdx.h"

static const char enable_tdx[] =
	"load kvm_intel with tdx=1 (needs kvm.enable_virt_at_load=1 and a BIOS-enabled TDX "
	"module)";

static void probe_cpu(struct coco_probe_result *r)
{
	char vendor[13];

	coco_kvm_cpu_vendor(vendor);
	coco_probe_add(r, "Intel CPU", strcmp(vendor, "GenuineIntel") == 0,
		       "TDX needs an Intel Xeon with TDX (4th generation Sapphire Rapids or later)",
		       "CPU vendor '%s'", vendor);
}

static void probe_kvm_intel_param(struct coco_probe_result *r)
{
	char value[16];
	int ret = coco_kvm_read_file(TDX_KVM_INTEL_PARAM_PATH, value, sizeof(value));

	if (ret >= 0) {
		/* Y only after KVM brought TDX up: the module is loaded and initialised. */
		bool on = value[0] == 'Y' || value[0] == 'y' || value[0] == '1';

		value[strcspn(value, "\n")] = '\0';
		coco_probe_add(r, "kvm_intel tdx", on,
			       "kvm_intel tdx=N: enable TDX in the BIOS and load kvm_intel with "
			       "tdx=1 (needs kvm.enable_virt_at_load=1); if it stays N, the kernel "
			       "log says why (\"virt/tdx:\" lines)",
			       "%s = %s", TDX_KVM_INTEL_PARAM_PATH, value);
		return;
	}
	coco_probe_add(r, "kvm_intel tdx", false,
		       ret == -ENOENT ? "boot a kernel with TDX host support (Linux 6.16 or later, "
					"CONFIG_KVM_INTEL_TDX) and load kvm_intel with tdx=1"
				      : enable_tdx,
		       "kvm_intel is not loaded or has no tdx parameter (%s: %s)",
		       TDX_KVM_INTEL_PARAM_PATH, strerror(-ret));
}

int tdx_hw_probe(struct coco_probe_result *r)
{
	int kvm_fd;

	coco_kvm_probe_dev(r, "enable VMX and TDX in the BIOS and load kvm_intel (modprobe "
			      "kvm_intel tdx=1)", &kvm_fd);
	coco_kvm_probe_api_version(r, kvm_fd);
	probe_cpu(r);
	probe_kvm_intel_param(r);
	coco_kvm_probe_vm_type(r, kvm_fd, &tdx_kvm_vm_type);
	coco_kvm_probe_memory(r, kvm_fd, "guest_memfd",
			      COCO_KVM_PROBE_GUEST_MEMFD | COCO_KVM_PROBE_USER_MEMORY2,
			      "boot a kernel with guest_memfd (Linux 6.8 or later; TDX needs "
			      "Linux 6.16)");
	coco_kvm_probe_memory(r, kvm_fd, "private memory attributes", COCO_KVM_PROBE_PRIVATE_ATTR,
			      "boot a kernel whose KVM has private memory attributes for TDs "
			      "(CONFIG_KVM_GENERIC_MEMORY_ATTRIBUTES; Linux 6.16 with TDX)");
	if (kvm_fd >= 0)
		coco_kvm_close(kvm_fd);
	return 0;
}

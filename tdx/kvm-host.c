/* SPDX-License-Identifier: Apache-2.0 */
/*
 * An opened TDX host: /dev/kvm, and what KVM_TDX_CAPABILITIES says the TDX
 * module and KVM let a TD choose (ATTRIBUTES, XFAM, configurable CPUID
 * bits).  KVM answers KVM_TDX_CAPABILITIES on a TD's VM fd only, so host
 * open asks a scratch TD: creating one allocates no KeyID (that happens
 * at KVM_TDX_INIT_VM), so it is cheap and leaves nothing behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kvm.h"
#include "core/util.h"
#include "tdx/kvm-tdx.h"
#include "tdx/seamcall.h"

/* The first guess of the CPUID entries KVM_TDX_CAPABILITIES returns (module 1.5: 12). */
#define CAPS_FIRST_NENT 16

const struct coco_kvm_type_check tdx_kvm_vm_type = {
	.check = "KVM TDX VM type",
	.type = KVM_X86_TDX_VM,
	.type_name = "KVM_X86_TDX_VM",
	.kernel_hint = "boot a kernel with TDX host support (Linux 6.16 or later)",
	.enable_hint = "load kvm_intel with tdx=1 (needs kvm.enable_virt_at_load=1 and a "
		       "BIOS-enabled TDX module; Linux 6.16 or later)",
};

int tdx_kvm_cmd_err(int err, const char *op, uint64_t leaf, uint64_t hw_error,
		    const char *hint, const char *ctx)
{
	char status[160], operand[48] = "";
	const char *name = tdx_status_name(hw_error);
	const char *module_hint = hw_error && leaf != TDX_KVM_NO_LEAF
					  ? tdx_status_hint(leaf, hw_error) : NULL;

	if (hw_error && tdx_status_has_operand(hw_error)) {
		const char *on = tdx_operand_name(tdx_status_operand(hw_error));

		snprintf(operand, sizeof(operand), " (operand %s (%u))", on ? on : "unknown",
			 tdx_status_operand(hw_error));
	}
	if (hw_error)
		snprintf(status, sizeof(status), "TDX module status %s 0x%016llx%s",
			 name ? name : "(unknown)", (unsigned long long)hw_error, operand);
	else
		snprintf(status, sizeof(status), "no TDX module status: KVM refused the call");
	/* The module's own reading of its status says more than KVM's errno. */
	if (module_hint)
		hint = module_hint;
	return coco_err(err, "%s%s%s%s: %s (errno %d); %s%s%s", op, ctx ? " (" : "",
			ctx ? ctx : "", ctx ? ")" : "", strerror(-err), -err, status,
			hint ? "; " : "", hint ? hint : "");
}

int tdx_kvm_get_capabilities(int vm_fd, struct tdx_kvm_capabilities **out)
{
	uint32_t nent = CAPS_FIRST_NENT;

	for (;;) {
		size_t size = sizeof(struct tdx_kvm_capabilities) +
			      nent * sizeof(struct kvm_cpuid_entry2);
		struct tdx_kvm_capabilities *caps = calloc(1, size);
		struct tdx_kvm_cmd cmd = { .id = TDX_KVM_CAPABILITIES };
		int ret;

		if (!caps)
			return coco_err(-ENOMEM, "tdx: out of memory");
		caps->cpuid_nent = nent;
		cmd.data = (uint64_t)(uintptr_t)caps;
		ret = coco_kvm_ioctl(vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd);
		if (ret >= 0) {
			uint32_t got = caps->cpuid_nent;

			if (got > nent) {
				free(caps);
				return coco_err(-EIO, "KVM_TDX_CAPABILITIES: KVM reports %u CPUID "
						"entries in room for %u", got, nent);
			}
			*out = caps;
			return 0;
		}
		/* Too little room for the CPUID entries: a kernel that says how many wins. */
		if (ret == -E2BIG && nent < TDX_KVM_MAX_CPUID_ENTRIES) {
			uint32_t wanted = caps->cpuid_nent > nent ? caps->cpuid_nent : nent * 2;

			free(caps);
			nent = COCO_MIN(wanted, (uint32_t)TDX_KVM_MAX_CPUID_ENTRIES);
			continue;
		}
		free(caps);
		return tdx_kvm_cmd_err(ret, "KVM_TDX_CAPABILITIES", TDX_KVM_NO_LEAF, cmd.hw_error,
				       ret == -E2BIG ? "KVM wants room for more CPUID entries "
						       "than KVM_MAX_CPUID_ENTRIES (256)"
				       : ret == -EINVAL || ret == -ENOTTY
					       ? "KVM has no TDX support on this VM: load "
						 "kvm_intel with tdx=1 (Linux 6.16 or later)"
					       : NULL,
				       NULL);
	}
}

static int query_capabilities(struct tdx_kvm_host *h)
{
	int vm_fd = coco_kvm_ioctl(h->dev.fd, KVM_CREATE_VM, (void *)(uintptr_t)KVM_X86_TDX_VM);
	int ret;

	if (vm_fd < 0)
		return coco_err(vm_fd, "tdx: KVM_CREATE_VM(KVM_X86_TDX_VM = %d) for "
				"KVM_TDX_CAPABILITIES: %s (errno %d); %s", KVM_X86_TDX_VM,
				strerror(-vm_fd), -vm_fd, tdx_kvm_vm_type.enable_hint);
	ret = tdx_kvm_get_capabilities(vm_fd, &h->caps);
	coco_kvm_close(vm_fd);
	return ret ? coco_err_context(ret, "tdx") : 0;
}

/* "tdx N" in the misc cgroup's capacity: how many TDs the BIOS's KeyIDs allow. */
static void query_keyids(struct tdx_kvm_host *h)
{
	char buf[512], *line, *save = NULL;

	if (coco_kvm_read_file(TDX_MISC_CAPACITY_PATH, buf, sizeof(buf)) <= 0)
		return;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long n;
		char *end;

		if (strncmp(line, "tdx ", 4) != 0)
			continue;
		n = strtoul(line + 4, &end, 10);
		if (end != line + 4 && n <= UINT32_MAX)
			h->keyids = (uint32_t)n;
		return;
	}
}

int tdx_kvm_host_open(struct tdx_kvm_host **out)
{
	struct tdx_kvm_host *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return coco_err(-ENOMEM, "tdx: out of memory");
	ret = coco_kvm_dev_open(&h->dev, "tdx", &tdx_kvm_vm_type, "load kvm_intel with tdx=1");
	if (!ret)
		ret = query_capabilities(h);
	if (ret) {
		tdx_kvm_host_close(h);
		return ret;
	}
	query_keyids(h);
	*out = h;
	return 0;
}

void tdx_kvm_host_close(struct tdx_kvm_host *h)
{
	if (!h)
		return;
	coco_kvm_dev_close(&h->dev);
	free(h->caps);
	free(h);
}

int tdx_kvm_host_caps(struct tdx_kvm_host *h, struct coco_caps *caps)
{
	/* The capacity counts guest KeyIDs only (not the global one): one per TD. */
	caps->max_guests = h->keyids;
	caps->active_guests = 0;	/* KVM does not report it; the misc cgroup's usage would */
	caps->page_types = TDX_LAUNCH_PAGE_TYPES;
	snprintf(caps->measurement_alg, sizeof(caps->measurement_alg), "sha384");
	caps->measurement_size = TDX_MR_SIZE;
	/* KVM does not tell userspace the TDX module's version. */
	snprintf(caps->firmware_version, sizeof(caps->firmware_version), "unknown");

	coco_caps_add(caps, "tdx.supported_attributes", "0x%016llx",
		      (unsigned long long)h->caps->supported_attrs);
	coco_caps_add(caps, "tdx.supported_xfam", "0x%016llx",
		      (unsigned long long)h->caps->supported_xfam);
	coco_caps_add(caps, "tdx.cpuid_configs", "%u", h->caps->cpuid_nent);
	if (h->keyids)
		coco_caps_add(caps, "tdx.guest_keyids", "%u", h->keyids);
	else
		coco_caps_add(caps, "tdx.guest_keyids", "unknown (no \"tdx\" in %s)",
			      TDX_MISC_CAPACITY_PATH);
	coco_caps_add(caps, "tdx.kvm_api_version", "%d", h->dev.api_version);
	coco_caps_add(caps, "tdx.kvm_vm_types", "0x%llx", (unsigned long long)h->dev.vm_types);
	return 0;
}

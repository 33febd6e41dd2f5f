/* SPDX-License-Identifier: Apache-2.0 */
/* /dev/kvm for confidential VMs: probe checks and the opened device (core/kvm-dev.h). */
#include "core/kvm-dev.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "core/kvm-uapi.h"
#include "core/kvm-vm.h"
#include "core/kvm.h"

const char coco_kvm_fix_dev_first[] = "fix the /dev/kvm check first";

void coco_kvm_probe_dev(struct coco_probe_result *r, const char *missing_hint, int *kvm_fd)
{
	int fd = coco_kvm_open(COCO_KVM_DEV_PATH, O_RDWR);

	*kvm_fd = -1;
	if (fd >= 0) {
		*kvm_fd = fd;
		coco_probe_add(r, "/dev/kvm", true, NULL, "opened %s read-write", COCO_KVM_DEV_PATH);
		return;
	}
	coco_probe_add(r, "/dev/kvm", false,
		       fd == -EACCES || fd == -EPERM
			       ? "run as root or add the user to the group owning /dev/kvm (kvm)"
			       : missing_hint,
		       "cannot open %s: %s", COCO_KVM_DEV_PATH, strerror(-fd));
}

void coco_kvm_probe_api_version(struct coco_probe_result *r, int kvm_fd)
{
	int version = 0;

	if (kvm_fd < 0) {
		coco_probe_add(r, "KVM API version", false, coco_kvm_fix_dev_first,
			       "not checked: /dev/kvm is not usable");
		return;
	}
	if (coco_kvm_check_api_version(kvm_fd, &version) == 0)
		coco_probe_add(r, "KVM API version", true, NULL, "KVM API %d", version);
	else
		coco_probe_add(r, "KVM API version", false,
			       "use the Linux KVM driver (API 12) on the host", "%s",
			       coco_last_error());
}

void coco_kvm_probe_vm_type(struct coco_probe_result *r, int kvm_fd,
			    const struct coco_kvm_type_check *t)
{
	uint64_t bit = 1ull << t->type;
	int types;

	if (kvm_fd < 0) {
		coco_probe_add(r, t->check, false, coco_kvm_fix_dev_first,
			       "not checked: /dev/kvm is not usable");
		return;
	}
	types = coco_kvm_check_extension(kvm_fd, KVM_CAP_VM_TYPES, "KVM_CAP_VM_TYPES");
	if (types < 0)
		coco_probe_add(r, t->check, false, t->kernel_hint, "%s", coco_last_error());
	else if (types == 0)
		coco_probe_add(r, t->check, false, t->kernel_hint,
			       "KVM has no KVM_CAP_VM_TYPES (%d): this kernel predates "
			       "confidential VM types", KVM_CAP_VM_TYPES);
	else
		coco_probe_add(r, t->check, ((uint64_t)types & bit) != 0, t->enable_hint,
			       "KVM_CAP_VM_TYPES = 0x%x: %s (%lu) %s", types, t->type_name, t->type,
			       (uint64_t)types & bit ? "offered" : "not offered");
}

void coco_kvm_probe_memory(struct coco_probe_result *r, int kvm_fd, const char *check,
			   unsigned int what, const char *hint)
{
	static const struct {
		unsigned int bit;
		long cap;
		const char *cap_name, *missing, *present;
	} caps[] = {
		{ COCO_KVM_PROBE_GUEST_MEMFD, KVM_CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD",
		  " KVM_CAP_GUEST_MEMFD", "guest_memfd" },
		{ COCO_KVM_PROBE_USER_MEMORY2, KVM_CAP_USER_MEMORY2, "KVM_CAP_USER_MEMORY2",
		  " KVM_CAP_USER_MEMORY2", "KVM_SET_USER_MEMORY_REGION2" },
		{ COCO_KVM_PROBE_PRIVATE_ATTR, KVM_CAP_MEMORY_ATTRIBUTES, "KVM_CAP_MEMORY_ATTRIBUTES",
		  " KVM_CAP_MEMORY_ATTRIBUTES(PRIVATE)", "private memory attributes" },
	};
	char missing[160] = "", present[160] = "";
	size_t nmissing = 0, npresent = 0;
	int attrs = 0;

	if (kvm_fd < 0) {
		coco_probe_add(r, check, false, coco_kvm_fix_dev_first,
			       "not checked: /dev/kvm is not usable");
		return;
	}
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		int value;
		bool ok;

		if (!(what & caps[i].bit))
			continue;
		value = coco_kvm_check_extension(kvm_fd, caps[i].cap, caps[i].cap_name);
		if (caps[i].bit == COCO_KVM_PROBE_PRIVATE_ATTR) {
			attrs = value;
			ok = value >= 0 && ((uint64_t)value & KVM_MEMORY_ATTRIBUTE_PRIVATE);
		} else {
			ok = value > 0;
		}
		if (!ok && nmissing < sizeof(missing))
			nmissing += (size_t)snprintf(missing + nmissing, sizeof(missing) - nmissing,
						     "%s", caps[i].missing);
		if (ok && npresent < sizeof(present))
			npresent += (size_t)snprintf(present + npresent, sizeof(present) - npresent,
						     "%s%s", npresent ? ", " : "", caps[i].present);
	}
	if (!missing[0] && (what & COCO_KVM_PROBE_PRIVATE_ATTR))
		coco_probe_add(r, check, true, NULL, "%s available (memory attributes 0x%x)", present,
			       attrs);
	else if (!missing[0])
		coco_probe_add(r, check, true, NULL, "%s available", present);
	else
		coco_probe_add(r, check, false, hint, "KVM lacks:%s", missing);
}

/* ------------------------------------------------------------------ */
/* The opened device                                                    */

static int dev_check(struct coco_kvm_dev *d, const char *vendor,
		     const struct coco_kvm_type_check *t, const char *open_hint)
{
	int fd = coco_kvm_open(COCO_KVM_DEV_PATH, O_RDWR);
	int ret;

	if (fd < 0)
		return coco_err(fd, "%s: open %s: %s; %s and run with access to %s", vendor,
				COCO_KVM_DEV_PATH, strerror(-fd), open_hint, COCO_KVM_DEV_PATH);
	d->fd = fd;
	ret = coco_kvm_check_api_version(fd, &d->api_version);
	if (ret)
		return coco_err_context(ret, "%s", vendor);
	ret = coco_kvm_check_extension(fd, KVM_CAP_VM_TYPES, "KVM_CAP_VM_TYPES");
	if (ret < 0)
		return coco_err_context(ret, "%s", vendor);
	d->vm_types = (uint64_t)ret;
	if (!(d->vm_types & (1ull << t->type)))
		return coco_err(-ENODEV, "%s: KVM offers VM types 0x%llx, without %s (%lu); %s",
				vendor, (unsigned long long)d->vm_types, t->type_name, t->type,
				t->enable_hint);
	if (coco_kvm_check_extension(fd, KVM_CAP_GUEST_MEMFD, "KVM_CAP_GUEST_MEMFD") <= 0 ||
	    coco_kvm_check_extension(fd, KVM_CAP_USER_MEMORY2, "KVM_CAP_USER_MEMORY2") <= 0)
		return coco_err(-ENODEV, "%s: KVM has no guest_memfd or "
				"KVM_SET_USER_MEMORY_REGION2; %s", vendor, t->kernel_hint);
	ret = coco_kvm_ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (ret <= 0)
		return coco_err(ret < 0 ? ret : -EIO, "%s: KVM_GET_VCPU_MMAP_SIZE: %s", vendor,
				ret < 0 ? strerror(-ret) : "KVM reported size 0");
	d->vcpu_mmap_size = ret;
	return 0;
}

int coco_kvm_dev_open(struct coco_kvm_dev *d, const char *vendor,
		      const struct coco_kvm_type_check *t, const char *open_hint)
{
	int ret;

	memset(d, 0, sizeof(*d));
	d->fd = -1;
	ret = dev_check(d, vendor, t, open_hint);
	if (ret)
		coco_kvm_dev_close(d);
	return ret;
}

void coco_kvm_dev_close(struct coco_kvm_dev *d)
{
	if (d->fd >= 0)
		coco_kvm_close(d->fd);
	d->fd = -1;
}

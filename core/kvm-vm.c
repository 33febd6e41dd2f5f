/* SPDX-License-Identifier: Apache-2.0 */
/* A confidential VM's fd, memory and vCPUs on Linux KVM, vendor-neutral (core/kvm-vm.h). */
#include "core/kvm-vm.h"

#include <errno.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/kvm-uapi.h"
#include "core/kvm.h"
#include "core/util.h"
#include "memory/mem-tracker.h"

/* The private side of a memory slot (coco_mem_slot.priv). */
struct coco_kvm_slot {
	int gmem_fd;
	uint32_t kvm_slot;
};

int coco_kvm_vm_open(struct coco_kvm_vm *k, const char *vendor, int kvm_fd, int vcpu_mmap_size,
		     unsigned long type, const char *type_name, const char *einval_hint)
{
	int ret;

	memset(k, 0, sizeof(*k));
	k->vendor = vendor;
	k->vm_fd = -1;
	k->vcpu_mmap_size = vcpu_mmap_size;
	ret = coco_kvm_ioctl(kvm_fd, KVM_CREATE_VM, (void *)(uintptr_t)type);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_VM(%s = %lu): %s (errno %d)%s%s", type_name, type,
				strerror(-ret), -ret, ret == -EINVAL && einval_hint ? "; " : "",
				ret == -EINVAL && einval_hint ? einval_hint : "");
	k->vm_fd = ret;
	return 0;
}

void coco_kvm_vm_close(struct coco_vm *vm, struct coco_kvm_vm *k)
{
	/* vCPUs and guest_memfds hold references to the VM: close them first. */
	for (uint32_t i = 0; i < k->nvcpus; i++) {
		if (k->vcpus[i].run)
			coco_kvm_munmap(k->vcpus[i].run, (size_t)k->vcpu_mmap_size);
		coco_kvm_close(k->vcpus[i].fd);
	}
	free(k->vcpus);
	k->vcpus = NULL;
	k->nvcpus = 0;
	for (size_t i = 0; i < vm->nslots; i++) {
		struct coco_kvm_slot *ks = vm->slots[i].priv;
		if (!ks)
			continue;
		coco_kvm_close(ks->gmem_fd);
		free(ks);
		vm->slots[i].priv = NULL;
	}
	if (k->vm_fd >= 0)
		coco_kvm_close(k->vm_fd);
	k->vm_fd = -1;
}

/* ------------------------------------------------------------------ */
/* Memory                                                               */

int coco_kvm_vm_set_private(struct coco_kvm_vm *k, uint64_t gpa, uint64_t size, bool private_)
{
	struct coco_kvm_memory_attributes attrs = {
		.address = gpa,
		.size = size,
		.attributes = private_ ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	int ret = coco_kvm_ioctl(k->vm_fd, KVM_SET_MEMORY_ATTRIBUTES, &attrs);

	if (ret < 0)
		return coco_err(ret, "KVM_SET_MEMORY_ATTRIBUTES([0x%llx, +0x%llx) -> %s): %s "
				"(errno %d)", (unsigned long long)gpa, (unsigned long long)size,
				private_ ? "private" : "shared", strerror(-ret), -ret);
	return 0;
}

static int set_region(struct coco_kvm_vm *k, const struct coco_mem_slot *slot,
		      const struct coco_kvm_slot *ks, bool remove)
{
	struct coco_kvm_memory_region2 region = {
		.slot = ks->kvm_slot,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = slot->gpa,
		.memory_size = remove ? 0 : slot->size,
		.userspace_addr = (uint64_t)(uintptr_t)slot->host,
		.guest_memfd_offset = 0,
		.guest_memfd = (uint32_t)ks->gmem_fd,
	};
	int ret = coco_kvm_ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION2, &region);

	if (ret < 0)
		return coco_err(ret, "KVM_SET_USER_MEMORY_REGION2(slot %u, '%s' [0x%llx, +0x%llx), "
				"guest_memfd %d): %s (errno %d)", ks->kvm_slot, slot->label,
				(unsigned long long)slot->gpa, (unsigned long long)slot->size,
				ks->gmem_fd, strerror(-ret), -ret);
	return 0;
}

/* Mark the private runs of [gpa, gpa + size) private in KVM, as the core's tracker has them. */
static int mark_private_runs(struct coco_vm *vm, struct coco_kvm_vm *k, uint64_t gpa,
			     uint64_t size)
{
	uint64_t pos = gpa, end = gpa + size;

	while (pos < end) {
		enum coco_mem_state state;
		uint64_t run;
		int ret = coco_mem_tracker_get(vm->mem, pos, &state, &run);

		if (ret)
			return coco_err_context(ret, "%s: memory state of GPA 0x%llx", k->vendor,
						(unsigned long long)pos);
		run = COCO_MIN(run, end - pos);
		if (state == COCO_MEM_PRIVATE) {
			ret = coco_kvm_vm_set_private(k, pos, run, true);
			if (ret)
				return ret;
		}
		pos += run;
	}
	return 0;
}

int coco_kvm_vm_mem_slot_add(struct coco_vm *vm, struct coco_kvm_vm *k,
			     struct coco_mem_slot *slot)
{
	struct coco_kvm_create_guest_memfd gmem = { .size = slot->size };
	struct coco_kvm_slot *ks;
	int ret;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return coco_err(-ENOMEM, "%s: out of memory", k->vendor);
	ret = coco_kvm_ioctl(k->vm_fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (ret < 0) {
		free(ks);
		return coco_err(ret, "KVM_CREATE_GUEST_MEMFD(size 0x%llx for '%s'): %s (errno %d)",
				(unsigned long long)slot->size, slot->label, strerror(-ret), -ret);
	}
	ks->gmem_fd = ret;
	ks->kvm_slot = k->next_kvm_slot;
	ret = set_region(k, slot, ks, false);
	if (ret)
		goto fail_close;
	/* Slots that start private (RAM, launch regions) are private before the launch adds pages. */
	ret = mark_private_runs(vm, k, slot->gpa, slot->size);
	if (ret)
		goto fail_remove;
	k->next_kvm_slot++;
	slot->priv = ks;
	return 0;

fail_remove:
	{
		/* Keep the first failure's message: it is what the caller needs. */
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", coco_last_error());
		if (set_region(k, slot, ks, true))
			coco_warn("%s: could not remove KVM memory slot %u after a failure: %s",
				  k->vendor, ks->kvm_slot, coco_last_error());
		coco_err(ret, "%s", msg);
	}
fail_close:
	coco_kvm_close(ks->gmem_fd);
	free(ks);
	return ret;
}

/* Free the private pages of [gpa, gpa + size) in every guest_memfd that backs part of it. */
static int punch_private(struct coco_vm *vm, uint64_t gpa, uint64_t size)
{
	uint64_t end = gpa + size;

	for (size_t i = 0; i < vm->nslots; i++) {
		struct coco_mem_slot *s = &vm->slots[i];
		struct coco_kvm_slot *ks = s->priv;
		uint64_t from = COCO_MAX(gpa, s->gpa), to = COCO_MIN(end, s->gpa + s->size);
		int ret;

		if (!ks || from >= to)
			continue;
		ret = coco_kvm_fallocate(ks->gmem_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					 (off_t)(from - s->gpa), (off_t)(to - from));
		if (ret < 0)
			return coco_err(ret, "fallocate(PUNCH_HOLE) of guest_memfd %d for [0x%llx, "
					"0x%llx): %s (errno %d)", ks->gmem_fd,
					(unsigned long long)from, (unsigned long long)to,
					strerror(-ret), -ret);
	}
	return 0;
}

int coco_kvm_vm_mem_convert(struct coco_vm *vm, struct coco_kvm_vm *k, uint64_t gpa,
			    uint64_t size, enum coco_mem_state to)
{
	bool private_ = to == COCO_MEM_PRIVATE;
	int ret = coco_kvm_vm_set_private(k, gpa, size, private_);

	if (ret)
		return coco_err_context(ret, "coco_vm_mem_convert");
	if (private_)
		return 0;
	/*
	 * Shared now: the private copies are garbage to the host and the guest
	 * gave them up, so free them.  If that fails, the conversion is undone
	 * (the range is private again; punched pages come back zeroed, which a
	 * guest converting them to shared did not expect to keep anyway).
	 */
	ret = punch_private(vm, gpa, size);
	if (ret) {
		int saved = ret;
		char msg[1024];

		snprintf(msg, sizeof(msg), "%s", coco_last_error());
		if (coco_kvm_vm_set_private(k, gpa, size, true))
			coco_warn("%s: could not make [0x%llx, +0x%llx) private again: %s",
				  k->vendor, (unsigned long long)gpa, (unsigned long long)size,
				  coco_last_error());
		return coco_err(saved, "coco_vm_mem_convert: %s; the range stays private", msg);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* vCPUs                                                                */

int coco_kvm_vm_add_vcpu(struct coco_kvm_vm *k, uint32_t index, struct coco_kvm_vcpu **out)
{
	struct coco_kvm_vcpu *vcpus, *v;
	int ret;

	vcpus = realloc(k->vcpus, (k->nvcpus + 1) * sizeof(*vcpus));
	if (!vcpus)
		return coco_err(-ENOMEM, "%s: out of memory", k->vendor);
	k->vcpus = vcpus;
	v = &vcpus[k->nvcpus];
	*v = (struct coco_kvm_vcpu){ .fd = -1, .index = index };

	ret = coco_kvm_ioctl(k->vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)index);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_VCPU(%u): %s (errno %d)", index, strerror(-ret),
				-ret);
	v->fd = ret;
	ret = coco_kvm_mmap(v->fd, (size_t)k->vcpu_mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, 0,
			    &v->run);
	if (ret < 0) {
		coco_kvm_close(v->fd);
		return coco_err(ret, "mmap of vCPU %u's kvm_run (%d bytes): %s (errno %d)", index,
				k->vcpu_mmap_size, strerror(-ret), -ret);
	}
	k->nvcpus++;
	*out = v;
	return 0;
}

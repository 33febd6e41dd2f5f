/* SPDX-License-Identifier: Apache-2.0 */
#include "memory/guest-mem.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "backends/backend.h"
#include "core/util.h"
#include "memory/mem-tracker.h"

struct coco_mem_slot *coco_vm_find_slot(struct coco_vm *vm, uint64_t gpa)
{
	for (size_t i = 0; i < vm->nslots; i++)
		if (gpa >= vm->slots[i].gpa && gpa - vm->slots[i].gpa < vm->slots[i].size)
			return &vm->slots[i];
	return NULL;
}

uint8_t *coco_vm_guest_ptr(struct coco_vm *vm, uint64_t gpa, uint64_t len)
{
	struct coco_mem_slot *s = coco_vm_find_slot(vm, gpa);

	if (!s || !s->host || len > s->size - (gpa - s->gpa))
		return NULL;
	return s->host + (gpa - s->gpa);
}

/* The core's own backing: a memfd mapped shared; untouched pages cost nothing. */
static int memfd_slot(uint64_t size, int *fd_out, void **host_out)
{
	void *host;
	int fd, ret;

	fd = memfd_create("coco-guest-mem", MFD_CLOEXEC);
	if (fd < 0)
		return coco_err(-errno, "guest memory: memfd_create failed: %s", strerror(errno));
	if (ftruncate(fd, (off_t)size) < 0) {
		ret = -errno;
		close(fd);
		return coco_err(ret, "guest memory: cannot size a %llu-byte memfd: %s",
				(unsigned long long)size, strerror(-ret));
	}
	/* MAP_NORESERVE: untouched guest RAM costs nothing until used. */
	host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (host == MAP_FAILED) {
		ret = -errno;
		close(fd);
		return coco_err(ret, "guest memory: cannot map %llu bytes: %s",
				(unsigned long long)size, strerror(-ret));
	}
	*fd_out = fd;
	*host_out = host;
	return 0;
}

int coco_guest_mem_add_slot(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			    enum coco_mem_state initial, const char *label)
{
	struct coco_mem_slot *slot;
	uint64_t end;
	void *host = NULL;
	int fd = -1, ret;

	if (!size || !COCO_ALIGNED(gpa, COCO_PAGE_SIZE) || !COCO_ALIGNED(size, COCO_PAGE_SIZE) ||
	    !coco_add_ok(gpa, size, &end))
		return coco_err(-EINVAL, "guest memory: slot [0x%llx, +0x%llx) is not a 4 KiB "
				"aligned range", (unsigned long long)gpa, (unsigned long long)size);
	if (vm->nslots == COCO_VM_MAX_SLOTS)
		return coco_err(-ENOSPC, "guest memory: VM '%s' already has %d memory slots",
				coco_vm_label(vm), COCO_VM_MAX_SLOTS);
	for (size_t i = 0; i < vm->nslots; i++)
		if (gpa < vm->slots[i].gpa + vm->slots[i].size && vm->slots[i].gpa < end)
			return coco_err(-EEXIST, "guest memory: [0x%llx, 0x%llx) overlaps slot '%s'",
					(unsigned long long)gpa, (unsigned long long)end,
					vm->slots[i].label);

	slot = &vm->slots[vm->nslots];
	*slot = (struct coco_mem_slot){ .gpa = gpa, .size = size, .fd = -1 };
	snprintf(slot->label, sizeof(slot->label), "%s", label ? label : "memory");
	if (vm->mem_provider.alloc) {
		ret = vm->mem_provider.alloc(vm->mem_provider.ctx, slot);
		if (ret)
			return ret;
		fd = slot->fd;
		host = slot->host;
		if (fd < 0 || !host)
			return coco_err(-EIO, "guest memory: the memory provider gave slot '%s' no "
					"memory", slot->label);
	} else {
		ret = memfd_slot(size, &fd, &host);
		if (ret)
			return ret;
	}
	slot->host = host;
	slot->fd = fd;
	ret = coco_mem_tracker_add(vm->mem, gpa, size, initial);
	if (ret)
		goto fail_unmap;
	if (vm->backend->mem_slot_add) {
		ret = vm->backend->mem_slot_add(vm, slot);
		if (ret) {
			coco_mem_tracker_remove(vm->mem, gpa, size);
			goto fail_unmap;
		}
	}
	vm->nslots++;
	return 0;

fail_unmap:
	munmap(host, size);
	close(fd);
	return ret;
}

int coco_guest_mem_cover(struct coco_vm *vm, uint64_t gpa, uint64_t size, const char *label)
{
	uint64_t pos = gpa, end = gpa + size;

	while (pos < end) {
		struct coco_mem_slot *s = coco_vm_find_slot(vm, pos);
		uint64_t hole_end = end;
		int ret;

		if (s) {
			pos = s->gpa + s->size;
			continue;
		}
		/* The uncovered piece ends where the next slot begins. */
		for (size_t i = 0; i < vm->nslots; i++)
			if (vm->slots[i].gpa > pos && vm->slots[i].gpa < hole_end)
				hole_end = vm->slots[i].gpa;
		ret = coco_guest_mem_add_slot(vm, pos, hole_end - pos, COCO_MEM_PRIVATE, label);
		if (ret)
			return ret;
		pos = hole_end;
	}
	return 0;
}

void coco_guest_mem_release(struct coco_vm *vm)
{
	while (vm->nslots) {
		struct coco_mem_slot *s = &vm->slots[--vm->nslots];
		if (vm->mem)
			coco_mem_tracker_remove(vm->mem, s->gpa, s->size);
		munmap(s->host, s->size);
		close(s->fd);
	}
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP VMs on Linux KVM: the VM (KVM_X86_SNP_VM + KVM_SEV_INIT2), its
 * memory (one guest_memfd per memory slot for the private side, the
 * core's mapping for the shared side, memory attributes for the state),
 * conversions, and the launch sink that turns the walker's steps into
 * KVM_SEV_SNP_LAUNCH_START / UPDATE / FINISH and vCPUs.
 *
 * Typical sequence (snp.md section 8): CREATE_VM(4) -> SEV_INIT2 ->
 * CREATE_GUEST_MEMFD + SET_USER_MEMORY_REGION2 -> SET_MEMORY_ATTRIBUTES
 * (PRIVATE) -> SNP_LAUNCH_START -> SNP_LAUNCH_UPDATE... -> CREATE_VCPU ->
 * SNP_LAUNCH_FINISH.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <coco/snp.h>

#include "core/kvm.h"
#include "core/util.h"
#include "memory/mem-tracker.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/sev-dev.h"
#include "sev-snp/snp-uapi.h"

/*
 * KVM may process a LAUNCH_UPDATE range in parts or ask for a retry
 * (-EAGAIN); give up after this many calls in a row that made no progress.
 */
#define LAUNCH_UPDATE_MAX_STALLS 1000
#define LAUNCH_UPDATE_RETRY_NS 1000000L	/* 1 ms between retries */

/* GHCB protocol version KVM needs for SNP (KVM_SEV_INIT2: SNP requires >= 2). */
#define SNP_GHCB_VERSION 2

/* The private side of a memory slot. */
struct snp_kvm_slot {
	int gmem_fd;
	uint32_t kvm_slot;
};

static struct snp_kvm_vm *kvm_vm_of(struct coco_vm *vm)
{
	return snp_vm_of(vm)->backend;
}

/* One KVM_MEMORY_ENCRYPT_OP; returns the ioctl result, the firmware status in *fw_error. */
static int sev_cmd(struct snp_kvm_vm *k, uint32_t id, void *data, uint32_t *fw_error)
{
	struct snp_kvm_sev_cmd cmd = {
		.id = id,
		.data = (uint64_t)(uintptr_t)data,
		.sev_fd = (uint32_t)k->host->sev_fd,
	};
	int ret = coco_kvm_ioctl(k->vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd);

	*fw_error = cmd.error;
	return ret;
}

static const char *vmm_type_name(enum coco_snp_vmm_type type)
{
	switch (type) {
	case COCO_SNP_VMM_QEMU:
		return "QEMU";
	case COCO_SNP_VMM_EC2:
		return "EC2";
	case COCO_SNP_VMM_GCE:
		return "GCE";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* VM                                                                   */

static int init2(struct snp_kvm_vm *k)
{
	struct snp_kvm_sev_init init = {
		.vmsa_features = k->init_vmsa_features,
		.ghcb_version = SNP_GHCB_VERSION,
	};
	uint32_t fw_error = 0;
	char ctx[96];
	int ret = sev_cmd(k, SNP_KVM_SEV_INIT2, &init, &fw_error);
	const char *hint;

	if (ret >= 0)
		return 0;
	snprintf(ctx, sizeof(ctx), "vmsa_features 0x%llx, ghcb_version %d",
		 (unsigned long long)init.vmsa_features, SNP_GHCB_VERSION);
	switch (ret) {
	case -EINVAL:
		hint = "KVM refused the VMSA features or the GHCB version (only features "
		       "KVM_X86_SEV_VMSA_FEATURES lists are accepted)";
		break;
	case -EBUSY:
	case -ENOSPC:
		hint = "no SNP ASID is free: destroy an SNP guest first";
		break;
	case -ENOTTY:
		hint = "kvm_amd has no SEV-SNP support enabled (sev_snp=1)";
		break;
	default:
		hint = NULL;
	}
	return snp_psp_call_err(ret, "KVM_SEV_INIT2", SNP_CMD_INIT, fw_error, hint, ctx);
}

int snp_kvm_vm_create(struct coco_vm *vm, struct snp_kvm_host *host, struct snp_kvm_vm **out)
{
	const struct coco_snp_policy *p = &vm->config.policy.u.snp;
	struct snp_kvm_vm *k;
	uint64_t features;
	int ret;

	if (p->vmm_type != COCO_SNP_VMM_QEMU)
		return coco_err(-ENOTSUP, "sev-snp: VMM type %s cannot launch on KVM: KVM builds "
				"each VMSA from the vCPU registers the way QEMU sets them, so "
				"guests measured for the %s VMM would not match; use the QEMU VMM "
				"type (the %s measurement is still available from "
				"coco_plan_expected_measurement)", vmm_type_name(p->vmm_type),
				vmm_type_name(p->vmm_type), vmm_type_name(p->vmm_type));
	/* KVM adds SNPActive to every SNP VMSA itself and refuses it as an input. */
	features = p->vmsa_features & ~COCO_SNP_FEATURE_SNP_ACTIVE;
	if (host->vmsa_features_known && (features & ~host->vmsa_features_supported))
		return coco_err(-ENOTSUP, "sev-snp: VMSA features 0x%llx ask for 0x%llx, which "
				"this KVM does not offer (KVM_X86_SEV_VMSA_FEATURES = 0x%llx); "
				"drop them from the policy's vmsa_features",
				(unsigned long long)p->vmsa_features,
				(unsigned long long)(features & ~host->vmsa_features_supported),
				(unsigned long long)host->vmsa_features_supported);

	k = calloc(1, sizeof(*k));
	if (!k)
		return coco_err(-ENOMEM, "sev-snp: out of memory");
	k->host = host;
	k->init_vmsa_features = features;
	k->vmsa_features = features | COCO_SNP_FEATURE_SNP_ACTIVE;
	ret = coco_kvm_ioctl(host->kvm_fd, KVM_CREATE_VM, (void *)(uintptr_t)KVM_X86_SNP_VM);
	if (ret < 0) {
		free(k);
		return coco_err(ret, "KVM_CREATE_VM(KVM_X86_SNP_VM = %d): %s (errno %d)%s",
				KVM_X86_SNP_VM, strerror(-ret), -ret,
				ret == -EINVAL ? "; KVM does not offer SNP VMs: load kvm_amd with "
						 "sev_snp=1 (Linux 6.11 or later)"
					       : "");
	}
	k->vm_fd = ret;
	ret = init2(k);
	if (ret) {
		coco_kvm_close(k->vm_fd);
		free(k);
		return ret;
	}
	*out = k;
	return 0;
}

void snp_kvm_vm_destroy(struct coco_vm *vm, struct snp_kvm_vm *k)
{
	if (!k)
		return;
	/* vCPUs and guest_memfds hold references to the VM: close them first. */
	for (uint32_t i = 0; i < k->nvcpus; i++) {
		if (k->vcpus[i].run)
			coco_kvm_munmap(k->vcpus[i].run, (size_t)k->host->vcpu_mmap_size);
		coco_kvm_close(k->vcpus[i].fd);
	}
	free(k->vcpus);
	for (size_t i = 0; i < vm->nslots; i++) {
		struct snp_kvm_slot *ks = vm->slots[i].priv;
		if (!ks)
			continue;
		coco_kvm_close(ks->gmem_fd);
		free(ks);
		vm->slots[i].priv = NULL;
	}
	coco_kvm_close(k->vm_fd);
	free(k);
}

/* ------------------------------------------------------------------ */
/* Memory                                                               */

static int set_attributes(struct snp_kvm_vm *k, uint64_t gpa, uint64_t size, bool private_)
{
	struct snp_kvm_memory_attributes attrs = {
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

static int set_region(struct snp_kvm_vm *k, const struct coco_mem_slot *slot,
		      const struct snp_kvm_slot *ks, bool remove)
{
	struct snp_kvm_memory_region2 region = {
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
static int mark_private_runs(struct coco_vm *vm, struct snp_kvm_vm *k, uint64_t gpa,
			     uint64_t size)
{
	uint64_t pos = gpa, end = gpa + size;

	while (pos < end) {
		enum coco_mem_state state;
		uint64_t run;
		int ret = coco_mem_tracker_get(vm->mem, pos, &state, &run);

		if (ret)
			return coco_err_context(ret, "sev-snp: memory state of GPA 0x%llx",
						(unsigned long long)pos);
		run = COCO_MIN(run, end - pos);
		if (state == COCO_MEM_PRIVATE) {
			ret = set_attributes(k, pos, run, true);
			if (ret)
				return ret;
		}
		pos += run;
	}
	return 0;
}

int snp_kvm_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot)
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	struct snp_kvm_create_guest_memfd gmem = { .size = slot->size };
	struct snp_kvm_slot *ks;
	int ret;

	ks = calloc(1, sizeof(*ks));
	if (!ks)
		return coco_err(-ENOMEM, "sev-snp: out of memory");
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
	/* Slots that start private (RAM, launch regions) are private before LAUNCH_UPDATE. */
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
			coco_warn("sev-snp: could not remove KVM memory slot %u after a failure: %s",
				  ks->kvm_slot, coco_last_error());
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
		struct snp_kvm_slot *ks = s->priv;
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

int snp_kvm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	bool private_ = to == COCO_MEM_PRIVATE;
	int ret = set_attributes(k, gpa, size, private_);

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
		if (set_attributes(k, gpa, size, true))
			coco_warn("sev-snp: could not make [0x%llx, +0x%llx) private again: %s",
				  (unsigned long long)gpa, (unsigned long long)size,
				  coco_last_error());
		return coco_err(saved, "coco_vm_mem_convert: %s; the range stays private", msg);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The launch sink                                                      */

static int sink_start(struct coco_vm *vm)
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	const struct coco_snp_policy *p = &vm->config.policy.u.snp;
	struct snp_kvm_launch_start start = { .policy = p->guest_policy };
	uint32_t fw_error = 0;
	char ctx[64];
	int ret;

	memcpy(start.gosvw, p->gosvw, sizeof(start.gosvw));
	ret = sev_cmd(k, SNP_KVM_SEV_SNP_LAUNCH_START, &start, &fw_error);
	if (ret >= 0)
		return 0;
	snprintf(ctx, sizeof(ctx), "policy 0x%llx", (unsigned long long)start.policy);
	return snp_psp_call_err(ret, "KVM_SEV_SNP_LAUNCH_START", SNP_CMD_LAUNCH_START, fw_error,
				ret == -EINVAL
					? "KVM refused the policy: bit 17 must be set, and KVM "
					  "rejects bits it does not support (Linux 6.11 accepts only "
					  "the ABI version, SMT, bit 17 and DEBUG; SINGLE_SOCKET is "
					  "refused)"
					: NULL,
				ctx);
}

static const char *page_type_name(uint8_t type)
{
	switch (type) {
	case SNP_PAGE_TYPE_NORMAL:
		return "NORMAL";
	case SNP_PAGE_TYPE_VMSA:
		return "VMSA";
	case SNP_PAGE_TYPE_ZERO:
		return "ZERO";
	case SNP_PAGE_TYPE_UNMEASURED:
		return "UNMEASURED";
	case SNP_PAGE_TYPE_SECRETS:
		return "SECRETS";
	case SNP_PAGE_TYPE_CPUID:
		return "CPUID";
	}
	return "unknown";
}

/* KVM's page type for a firmware page type (they are the same numbers, VMSA excepted). */
static int kvm_page_type(uint8_t type, uint8_t *out)
{
	switch (type) {
	case SNP_PAGE_TYPE_NORMAL:
		*out = SNP_KVM_PAGE_TYPE_NORMAL;
		return 0;
	case SNP_PAGE_TYPE_ZERO:
		*out = SNP_KVM_PAGE_TYPE_ZERO;
		return 0;
	case SNP_PAGE_TYPE_UNMEASURED:
		*out = SNP_KVM_PAGE_TYPE_UNMEASURED;
		return 0;
	case SNP_PAGE_TYPE_SECRETS:
		*out = SNP_KVM_PAGE_TYPE_SECRETS;
		return 0;
	case SNP_PAGE_TYPE_CPUID:
		*out = SNP_KVM_PAGE_TYPE_CPUID;
		return 0;
	case SNP_PAGE_TYPE_VMSA:
		return coco_err(-ENOTSUP, "KVM_SEV_SNP_LAUNCH_UPDATE: VMSA pages cannot be "
				"launched through KVM: KVM builds every vCPU's VMSA itself from "
				"the vCPU's registers and measures it at KVM_SEV_SNP_LAUNCH_FINISH; "
				"describe vCPUs with coco_vm_launch_add_vcpu instead of a "
				"vCPU-state region");
	}
	return coco_err(-EINVAL, "KVM_SEV_SNP_LAUNCH_UPDATE: unknown page type %u", type);
}

/* The firmware rejected a CPUID page and KVM copied its corrections to the source page. */
static int cpuid_rejected(int err, uint64_t gpa, const uint8_t *sent, const uint8_t *page)
{
	size_t differ = 0, first = 0;
	char diff[96];

	for (size_t i = SNP_PAGE_SIZE; i-- > 0;)
		if ((sent ? sent[i] : 0) != page[i]) {
			differ++;
			first = i;
		}
	if (differ)
		snprintf(diff, sizeof(diff), "%zu bytes differ from the table supplied, the first "
			 "at offset 0x%zx", differ, first);
	else
		snprintf(diff, sizeof(diff), "identical to the table supplied");
	return coco_err(err, "KVM_SEV_SNP_LAUNCH_UPDATE: CPUID page at GPA 0x%llx: %s (errno %d); "
			"firmware status 0x%x %s: the firmware refused CPUID values it does not "
			"allow and wrote the corrected table back to the page's host copy (%s); "
			"adopt the corrected values in the CPUID table and launch again",
			(unsigned long long)gpa, strerror(-err), -err, SNP_RET_INVALID_PARAM,
			snp_fw_status_name(SNP_RET_INVALID_PARAM), diff);
}

static void retry_pause(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = LAUNCH_UPDATE_RETRY_NS };

	nanosleep(&ts, NULL);
}

/*
 * KVM_SEV_SNP_LAUNCH_UPDATE of [gpa, gpa + len) from @uaddr (the page's
 * host copy), until KVM has done all of it.  @sent is what the walker
 * supplied (for the CPUID report), NULL for all zero.
 */
static int launch_update(struct snp_kvm_vm *k, uint64_t gpa, uint8_t *uaddr, uint64_t len,
			 uint8_t type, const uint8_t *sent)
{
	struct snp_kvm_launch_update u = {
		.gfn_start = gpa / SNP_PAGE_SIZE,
		.uaddr = (uint64_t)(uintptr_t)uaddr,
		.len = len,
	};
	const uint64_t end_gfn = (gpa + len) / SNP_PAGE_SIZE;
	unsigned int stalls = 0;
	int ret = kvm_page_type(type, &u.type);

	if (ret)
		return ret;
	while (u.len) {
		uint64_t before = u.len;
		uint32_t fw_error = 0;
		char ctx[128];

		ret = sev_cmd(k, SNP_KVM_SEV_SNP_LAUNCH_UPDATE, &u, &fw_error);
		if (ret == -EAGAIN || ret == -EINTR) {
			if (++stalls > LAUNCH_UPDATE_MAX_STALLS)
				return coco_err(ret, "KVM_SEV_SNP_LAUNCH_UPDATE: GPA 0x%llx: KVM "
						"asked for a retry %u times in a row (%s); giving up",
						(unsigned long long)(u.gfn_start * SNP_PAGE_SIZE),
						stalls - 1, strerror(-ret));
			retry_pause();
			continue;
		}
		if (ret < 0) {
			uint64_t at = u.gfn_start * SNP_PAGE_SIZE;
			if (type == SNP_PAGE_TYPE_CPUID && fw_error == SNP_RET_INVALID_PARAM)
				return cpuid_rejected(ret, at, sent ? sent + (at - gpa) : NULL,
						      uaddr + (at - gpa));
			snprintf(ctx, sizeof(ctx), "GPA 0x%llx, %llu pages, type %s",
				 (unsigned long long)at,
				 (unsigned long long)(u.len / SNP_PAGE_SIZE), page_type_name(type));
			return snp_psp_call_err(ret, "KVM_SEV_SNP_LAUNCH_UPDATE",
						SNP_CMD_LAUNCH_UPDATE, fw_error,
						ret == -EINVAL
							? "the pages must be private "
							  "(KVM_SET_MEMORY_ATTRIBUTES), in a guest_memfd "
							  "slot and not launched before; uaddr 4 KiB "
							  "aligned, len a 4 KiB multiple"
							: NULL,
						ctx);
		}
		/* Partial progress: KVM moved gfn_start, uaddr (not for ZERO) and len on. */
		if (u.len > before || u.len % SNP_PAGE_SIZE ||
		    u.gfn_start + u.len / SNP_PAGE_SIZE != end_gfn ||
		    (type != SNP_PAGE_TYPE_ZERO &&
		     u.uaddr != (uint64_t)(uintptr_t)uaddr + (len - u.len)))
			return coco_err(-EIO, "KVM_SEV_SNP_LAUNCH_UPDATE: KVM returned an inconsistent "
					"remaining range (gfn 0x%llx, uaddr 0x%llx, len 0x%llx) "
					"for [0x%llx, 0x%llx)", (unsigned long long)u.gfn_start,
					(unsigned long long)u.uaddr, (unsigned long long)u.len,
					(unsigned long long)gpa, (unsigned long long)(gpa + len));
		if (u.len == before) {
			if (++stalls > LAUNCH_UPDATE_MAX_STALLS)
				return coco_err(-EIO, "KVM_SEV_SNP_LAUNCH_UPDATE: GPA 0x%llx: KVM "
						"made no progress in %u calls",
						(unsigned long long)(u.gfn_start * SNP_PAGE_SIZE),
						stalls - 1);
		} else {
			stalls = 0;
		}
	}
	return 0;
}

static int sink_update(struct coco_vm *vm, uint64_t gpa, uint8_t type, const uint8_t *src,
		       uint64_t npages, bool large)
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	uint64_t pos = gpa, end = gpa + npages * SNP_PAGE_SIZE;
	uint8_t kvm_type;
	int ret = kvm_page_type(type, &kvm_type);

	/*
	 * @large does not reach KVM: its uAPI has no page size, guest_memfd
	 * picks the backing size and the firmware measures a 2 MiB page as
	 * its 512 4 KiB pages, so the digest is the same.
	 */
	(void)large;
	if (ret)
		return ret;
	if (type == SNP_PAGE_TYPE_CPUID && !src)
		coco_warn("KVM_SEV_SNP_LAUNCH_UPDATE: the CPUID page at GPA 0x%llx comes without a "
			  "table, so the guest gets an empty one (the firmware accepts it, the "
			  "measurement is the same, but guest firmware that looks leaves up in it "
			  "will not find them); pass the vCPU's CPUID table as the region's data",
			  (unsigned long long)gpa);
	/* A run may cross from one memory slot into the next. */
	while (pos < end) {
		struct coco_mem_slot *slot = coco_vm_find_slot(vm, pos);
		uint64_t n;
		uint8_t *host;

		if (!slot || !slot->priv)
			return coco_err(-EINVAL, "KVM_SEV_SNP_LAUNCH_UPDATE: GPA 0x%llx is not in a "
					"guest memory slot", (unsigned long long)pos);
		n = COCO_MIN(end - pos, slot->gpa + slot->size - pos);
		host = slot->host + (pos - slot->gpa);
		/*
		 * KVM copies the contents from userspace (uaddr): stage them in
		 * the slot's shared mapping at the GPA, where the page's host
		 * view lives anyway.  Pages without contents get zeros there.
		 */
		if (src)
			memcpy(host, src + (pos - gpa), n);
		else
			memset(host, 0, n);
		ret = launch_update(k, pos, host, n, type, src ? src + (pos - gpa) : NULL);
		if (ret)
			return ret;
		pos += n;
	}
	return 0;
}

static int sink_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *desc,
		     const uint8_t vmsa[SNP_PAGE_SIZE])
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	struct snp_kvm_vcpu *vcpus, *v;
	int ret;

	vcpus = realloc(k->vcpus, (k->nvcpus + 1) * sizeof(*vcpus));
	if (!vcpus)
		return coco_err(-ENOMEM, "sev-snp: out of memory");
	k->vcpus = vcpus;
	v = &vcpus[k->nvcpus];
	*v = (struct snp_kvm_vcpu){ .fd = -1, .index = desc->index };

	ret = coco_kvm_ioctl(k->vm_fd, KVM_CREATE_VCPU, (void *)(uintptr_t)desc->index);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_VCPU(%u): %s (errno %d)", desc->index,
				strerror(-ret), -ret);
	v->fd = ret;
	ret = coco_kvm_mmap(v->fd, (size_t)k->host->vcpu_mmap_size, PROT_READ | PROT_WRITE,
			    MAP_SHARED, 0, &v->run);
	if (ret < 0) {
		coco_kvm_close(v->fd);
		return coco_err(ret, "mmap of vCPU %u's kvm_run (%d bytes): %s (errno %d)",
				desc->index, k->host->vcpu_mmap_size, strerror(-ret), -ret);
	}
	k->nvcpus++;
	/* The vCPU stays (destroy closes it) even if its state cannot be set. */
	return snp_kvm_vcpu_load_vmsa(v->fd, vmsa, k->vmsa_features, desc->index);
}

static int sink_finish(struct coco_vm *vm, struct coco_measurement *measurement)
{
	struct snp_kvm_vm *k = kvm_vm_of(vm);
	const struct coco_snp_policy *p = &vm->config.policy.u.snp;
	struct snp_kvm_launch_finish finish = { .vcek_disabled = p->vcek_disabled };
	uint32_t fw_error = 0;
	int ret;

	/* The launch digest stays inside the firmware; the guest's report carries it. */
	(void)measurement;
	if (p->id_block) {
		finish.id_block_uaddr = (uint64_t)(uintptr_t)p->id_block;
		finish.id_auth_uaddr = (uint64_t)(uintptr_t)p->id_auth;
		finish.id_block_en = 1;
		finish.auth_key_en = p->author_key_en;
	}
	memcpy(finish.host_data, p->host_data, sizeof(finish.host_data));
	ret = sev_cmd(k, SNP_KVM_SEV_SNP_LAUNCH_FINISH, &finish, &fw_error);
	if (ret >= 0)
		return 0;
	return snp_psp_call_err(ret, "KVM_SEV_SNP_LAUNCH_FINISH", SNP_CMD_LAUNCH_FINISH, fw_error,
				ret == -EINVAL ? "KVM refused the parameters or could not build a "
						 "vCPU's VMSA (every vCPU needs DR7 = 0x400 and no "
						 "guest debugging)"
					       : NULL,
				p->id_block ? "with ID block" : "without ID block");
}

const struct snp_launch_sink_ops snp_kvm_sink = {
	.name = "kvm",
	.start = sink_start,
	.update = sink_update,
	.vcpu = sink_vcpu,
	.finish = sink_finish,
};

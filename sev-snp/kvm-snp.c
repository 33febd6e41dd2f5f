/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SEV-SNP VMs on Linux KVM: the VM (KVM_X86_SNP_VM + KVM_SEV_INIT2), and
 * the launch sink that turns the walker's steps into
 * KVM_SEV_SNP_LAUNCH_START / UPDATE / FINISH and vCPUs.  The VM fd, its
 * memory (guest_memfd, memslots, attributes, conversions) and its vCPUs
 * are the vendor-neutral core/kvm-vm.c.
 *
 * Typical sequence (snp.md section 8): CREATE_VM(4) -> SEV_INIT2 ->
 * CREATE_IRQCHIP -> CREATE_GUEST_MEMFD + SET_USER_MEMORY_REGION2 -> SET_MEMORY_ATTRIBUTES
 * (PRIVATE) -> SNP_LAUNCH_START -> SNP_LAUNCH_UPDATE... -> CREATE_VCPU ->
 * SNP_LAUNCH_FINISH.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <coco/snp.h>

#include "core/kvm.h"
#include "core/util.h"
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
	int ret = coco_kvm_ioctl(k->kvm.vm_fd, KVM_MEMORY_ENCRYPT_OP, &cmd);

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
	ret = coco_kvm_vm_open(&k->kvm, "sev-snp", host->dev.fd, host->dev.vcpu_mmap_size,
			       KVM_X86_SNP_VM, "KVM_X86_SNP_VM",
			       "KVM does not offer SNP VMs: load kvm_amd with sev_snp=1 (Linux 6.11 "
			       "or later)");
	if (ret) {
		free(k);
		return ret;
	}
	ret = init2(k);
	/*
	 * KVM's local APIC before any vCPU (KVM refuses it after): with it an
	 * AP waits in the kernel until the guest starts it (SNP AP creation),
	 * as QEMU's SNP guests do.
	 */
	if (!ret) {
		ret = coco_kvm_ioctl(k->kvm.vm_fd, KVM_CREATE_IRQCHIP, NULL);
		if (ret < 0)
			ret = coco_err(ret, "KVM_CREATE_IRQCHIP on the SNP VM: %s (errno %d); the "
				       "in-kernel irqchip must come before the vCPUs", strerror(-ret),
				       -ret);
	}
	if (ret) {
		coco_kvm_vm_close(vm, &k->kvm);
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
	coco_kvm_vm_close(vm, &k->kvm);
	free(k);
}

int snp_kvm_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot)
{
	return coco_kvm_vm_mem_slot_add(vm, &kvm_vm_of(vm)->kvm, slot);
}

int snp_kvm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	return coco_kvm_vm_mem_convert(vm, &kvm_vm_of(vm)->kvm, gpa, size, to);
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
	struct coco_kvm_vcpu *v;
	int ret = coco_kvm_vm_add_vcpu(&k->kvm, desc->index, &v);

	if (ret)
		return ret;
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

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm's engine (include/coco/vmm.h, core/vmm.h): one confidential VM
 * run on Linux KVM.
 *
 * Threads: the caller of coco_vmm_run waits for the outcome (and the
 * watchdog); each vCPU has a thread looping on KVM_RUN.  Exits are handled
 * under one lock (exit_lock), and the channels rely on it: the VM's state
 * tracker (which reallocates), the SNP channel's per-VM state and the
 * model's look-up-then-RMPUPDATE/PSMASH sequences have no locks of their
 * own.  Exits are rare next to guest execution, which stays parallel; the
 * price is that a slow exit (a guest request, a quote) stalls the other
 * vCPUs' exits meanwhile.  vCPU threads are kicked out of
 * KVM_RUN with SIGUSR1 plus kvm_run.immediate_exit (set before the signal,
 * so a kick that lands before the thread enters the guest is not lost).
 */
#include "core/vmm.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "backends/backend.h"
#include "core/error.h"
#include "core/internal.h"
#include "core/kvm-uapi.h"
#include "core/kvm-vm.h"
#include "core/kvm.h"
#include "core/util.h"

#define VMM_KICK_SIGNAL SIGUSR1
#define GUEST_MEMFD_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define CPUID_MAX_ENTRIES 256
#define MSR_FILTER_MAX 16

enum vcpu_state {
	VCPU_HELD = 0,		/* waits for coco_vmm_vcpu_start */
	VCPU_RUNNING = 1,
	VCPU_FINISHED = 2,
};

struct coco_vmm_vcpu {
	struct coco_vmm *vmm;
	struct coco_kvm_vcpu *kvm;
	struct kvm_run *run;
	pthread_t thread;
	bool thread_started;
	enum vcpu_state state;		/* under vmm->lock */
	bool load_pending;		/* under vmm->lock: load regs/sregs before running */
	struct kvm_regs load_regs;
	struct kvm_sregs load_sregs;
	bool ever_ran;
	uint64_t exits;			/* exits this vCPU took to the VMM */
};

struct coco_vmm {
	const struct coco_backend *backend;
	struct coco_host *host;
	struct coco_vm *vm;
	int kvm_fd;
	struct coco_kvm_vm own_kvm;	/* the model path's KVM VM */
	struct coco_kvm_vm *kvm;	/* own_kvm or the hardware backend's */
	bool own_kvm_open;
	bool memory_attributes;		/* KVM_CAP_MEMORY_ATTRIBUTES has PRIVATE */
	uint32_t nvcpus;
	struct coco_vmm_vcpu *vcpus;
	const struct coco_guest_channel *channel;
	void *channel_state;
	bool channel_open;
	struct coco_measurement measurement;
	struct coco_evidence *evidence;
	void (*console)(void *ctx, const char *bytes, size_t len);
	void *console_ctx;
	unsigned int timeout_ms;

	pthread_mutex_t exit_lock;	/* one exit handled at a time */
	pthread_mutex_t lock;		/* vCPU states, the outcome */
	pthread_cond_t cond;
	bool ended;
	bool run_called;
	struct coco_vmm_result result;
};

const char *coco_vmm_outcome_name(enum coco_vmm_outcome outcome)
{
	switch (outcome) {
	case COCO_VMM_EXITED: return "exited";
	case COCO_VMM_TERMINATED: return "terminated";
	case COCO_VMM_FAILED: return "failed";
	case COCO_VMM_TIMED_OUT: return "timed_out";
	case COCO_VMM_STOPPED: return "stopped";
	}
	return "unknown";
}

/* ------------------------------------------------------------------ */
/* Ending the run and kicking vCPUs                                     */

static void kick_handler(int sig)
{
	(void)sig;	/* the point is KVM_RUN returning EINTR */
}

static void kick_vcpu(struct coco_vmm_vcpu *v)
{
	if (!v->thread_started)
		return;
	__atomic_store_n(&v->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
	pthread_kill(v->thread, VMM_KICK_SIGNAL);
}

/* Under vmm->lock. */
static void end_locked(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, uint32_t status,
		       const char *reason)
{
	if (vmm->ended)
		return;
	vmm->ended = true;
	vmm->result.outcome = outcome;
	vmm->result.exit_status = status;
	snprintf(vmm->result.reason, sizeof(vmm->result.reason), "%s", reason ? reason : "");
	for (uint32_t i = 0; i < vmm->nvcpus; i++)
		kick_vcpu(&vmm->vcpus[i]);
	pthread_cond_broadcast(&vmm->cond);
}

static void end_run(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, uint32_t status,
		    const char *reason)
{
	pthread_mutex_lock(&vmm->lock);
	end_locked(vmm, outcome, status, reason);
	pthread_mutex_unlock(&vmm->lock);
}

int coco_vmm_end(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *fmt, ...)
{
	char reason[sizeof(vmm->result.reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	end_run(vmm, outcome, 0, reason);
	return COCO_VMM_DONE;
}

/* The run fails with the error message the failing call recorded. */
static int fail_with_error(struct coco_vmm *vmm, int err, const char *what)
{
	const char *msg = coco_last_error();
	char reason[sizeof(vmm->result.reason)];

	snprintf(reason, sizeof(reason), "%s: %s", what, msg && *msg ? msg : strerror(-err));
	end_run(vmm, COCO_VMM_FAILED, 0, reason);
	return COCO_VMM_DONE;
}

void coco_vmm_stop(struct coco_vmm *vmm)
{
	if (vmm)
		end_run(vmm, COCO_VMM_STOPPED, 0, "stopped by the host");
}

/* ------------------------------------------------------------------ */
/* Helpers for channel handlers                                         */

struct coco_vmm *coco_vmm_of(struct coco_vmm_vcpu *vcpu)
{
	return vcpu->vmm;
}

uint32_t coco_vmm_vcpu_index(const struct coco_vmm_vcpu *vcpu)
{
	return vcpu->kvm->index;
}

int coco_vmm_vcpu_get_regs(struct coco_vmm_vcpu *vcpu, struct kvm_regs *regs)
{
	int ret = coco_kvm_ioctl(vcpu->kvm->fd, KVM_GET_REGS, regs);

	return ret < 0 ? coco_err(ret, "KVM_GET_REGS(vCPU %u): %s (errno %d)", vcpu->kvm->index,
				  strerror(-ret), -ret) : 0;
}

int coco_vmm_vcpu_set_regs(struct coco_vmm_vcpu *vcpu, const struct kvm_regs *regs)
{
	int ret = coco_kvm_ioctl(vcpu->kvm->fd, KVM_SET_REGS, (void *)regs);

	return ret < 0 ? coco_err(ret, "KVM_SET_REGS(vCPU %u): %s (errno %d)", vcpu->kvm->index,
				  strerror(-ret), -ret) : 0;
}

int coco_vmm_vcpu_get_sregs(struct coco_vmm_vcpu *vcpu, struct kvm_sregs *sregs)
{
	int ret = coco_kvm_ioctl(vcpu->kvm->fd, KVM_GET_SREGS, sregs);

	return ret < 0 ? coco_err(ret, "KVM_GET_SREGS(vCPU %u): %s (errno %d)", vcpu->kvm->index,
				  strerror(-ret), -ret) : 0;
}

int coco_vmm_vcpu_translate(struct coco_vmm_vcpu *vcpu, uint64_t gva, uint64_t *gpa)
{
	struct kvm_translation t = { .linear_address = gva };
	int ret = coco_kvm_ioctl(vcpu->kvm->fd, KVM_TRANSLATE, &t);

	if (ret < 0)
		return coco_err(ret, "KVM_TRANSLATE(vCPU %u, 0x%llx): %s (errno %d)",
				vcpu->kvm->index, (unsigned long long)gva, strerror(-ret), -ret);
	if (!t.valid)
		return coco_err(-EFAULT, "vCPU %u: guest virtual address 0x%llx is not mapped by "
				"its page tables", vcpu->kvm->index, (unsigned long long)gva);
	*gpa = t.physical_address;
	return 0;
}

/*
 * Host pointer of [gpa, gpa + len) for the VMM's own access: every page
 * must be guest memory and shared.  @len may cross slots: @fn is called
 * per piece.
 */
static int access_shared(struct coco_vmm *vmm, uint64_t gpa, size_t len, const char *op,
			 void (*fn)(uint8_t *host, size_t off, size_t n, void *ctx), void *ctx)
{
	uint64_t end;
	size_t done = 0;

	if (!coco_add_ok(gpa, len, &end))
		return coco_err(-EFAULT, "%s: [0x%llx, +0x%zx) wraps around", op,
				(unsigned long long)gpa, len);
	/* Check every page first: nothing is copied from a range the VMM may not read. */
	for (uint64_t pos = gpa; pos < end;) {
		enum coco_mem_state st;
		uint64_t run;

		if (coco_vm_mem_get_state(vmm->vm, pos, &st, &run)) {
			coco_clear_error();
			return coco_err(-EFAULT, "%s: GPA 0x%llx is not guest memory", op,
					(unsigned long long)pos);
		}
		if (st != COCO_MEM_SHARED)
			return coco_err(-EPERM, "%s: GPA 0x%llx is private guest memory; the VMM "
					"reads and writes only pages the guest made shared (convert "
					"the page to shared first)", op, (unsigned long long)pos);
		pos += run;
	}
	while (done < len) {
		struct coco_mem_slot *slot = coco_vm_find_slot(vmm->vm, gpa + done);
		uint64_t in_slot;
		size_t n;

		if (!slot)
			return coco_err(-EFAULT, "%s: GPA 0x%llx has no memory slot", op,
					(unsigned long long)(gpa + done));
		in_slot = slot->gpa + slot->size - (gpa + done);
		n = len - done < in_slot ? len - done : (size_t)in_slot;
		fn(slot->host + (gpa + done - slot->gpa), done, n, ctx);
		done += n;
	}
	return 0;
}

static void copy_out(uint8_t *host, size_t off, size_t n, void *ctx)
{
	memcpy((uint8_t *)ctx + off, host, n);
}

static void copy_in(uint8_t *host, size_t off, size_t n, void *ctx)
{
	memcpy(host, (const uint8_t *)ctx + off, n);
}

int coco_vmm_read_shared(struct coco_vmm *vmm, uint64_t gpa, void *buf, size_t len)
{
	return access_shared(vmm, gpa, len, "VMM read of guest memory", copy_out, buf);
}

int coco_vmm_write_shared(struct coco_vmm *vmm, uint64_t gpa, const void *buf, size_t len)
{
	return access_shared(vmm, gpa, len, "VMM write of guest memory", copy_in, (void *)buf);
}

/*
 * A converted range loses its contents, as QEMU discards the side a page
 * leaves: the guest's private data must not show through as shared
 * memory (the models have no encryption to hide it), and shared data
 * does not become private contents.  Punching the guest_memfd frees the
 * pages too; they read back as zeros.
 */
static int discard_range(struct coco_vmm *vmm, uint64_t gpa, uint64_t size)
{
	for (uint64_t pos = gpa; pos < gpa + size;) {
		struct coco_mem_slot *slot = coco_vm_find_slot(vmm->vm, pos);
		uint64_t n;
		int ret;

		if (!slot)
			return coco_err(-EFAULT, "coco-vmm: GPA 0x%llx has no memory slot",
					(unsigned long long)pos);
		n = slot->gpa + slot->size - pos;
		if (n > gpa + size - pos)
			n = gpa + size - pos;
		ret = coco_kvm_fallocate(slot->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
					 (off_t)(pos - slot->gpa), (off_t)n);
		if (ret)
			return coco_err(ret, "coco-vmm: fallocate(PUNCH_HOLE) of %s [0x%llx, +0x%llx): "
					"%s (errno %d)", slot->label, (unsigned long long)pos,
					(unsigned long long)n, strerror(-ret), -ret);
		pos += n;
	}
	return 0;
}

/*
 * Changes to shared of ranges that are not guest memory succeed without
 * doing anything, as QEMU's kvm_convert_memory lets them: firmware (OVMF,
 * TDVF) converts its MMIO holes.  A change to private of such a range is
 * refused by the core.
 */
static int convert_shared_in_memory(struct coco_vmm *vmm, uint64_t gpa, uint64_t size)
{
	uint64_t end;

	if (!coco_add_ok(gpa, size, &end))
		return coco_err(-EINVAL, "coco-vmm: conversion of [0x%llx, +0x%llx) wraps around",
				(unsigned long long)gpa, (unsigned long long)size);
	for (uint64_t pos = gpa; pos < end;) {
		struct coco_mem_slot *slot = coco_vm_find_slot(vmm->vm, pos);
		uint64_t next = end;
		int ret;

		if (!slot) {
			/* Skip to the next slot that starts inside the range. */
			for (size_t i = 0; i < vmm->vm->nslots; i++)
				if (vmm->vm->slots[i].gpa > pos && vmm->vm->slots[i].gpa < next)
					next = vmm->vm->slots[i].gpa;
			pos = next;
			continue;
		}
		if (slot->gpa + slot->size < next)
			next = slot->gpa + slot->size;
		ret = coco_vm_mem_convert(vmm->vm, pos, next - pos, COCO_MEM_SHARED);
		if (ret)
			return ret;
		pos = next;
	}
	return 0;
}

int coco_vmm_convert(struct coco_vmm *vmm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	int ret = to == COCO_MEM_SHARED ? convert_shared_in_memory(vmm, gpa, size)
					: coco_vm_mem_convert(vmm->vm, gpa, size, to);

	if (ret || vmm->kvm != &vmm->own_kvm)
		return ret;	/* hardware backends do KVM's side in their mem_convert */
	for (size_t i = 0; i < vmm->vm->nslots; i++) {
		struct coco_mem_slot *slot = &vmm->vm->slots[i];
		uint64_t lo = gpa > slot->gpa ? gpa : slot->gpa;
		uint64_t hi = gpa + size < slot->gpa + slot->size ? gpa + size
								  : slot->gpa + slot->size;

		if (lo >= hi)
			continue;
		if (vmm->memory_attributes) {
			ret = coco_kvm_vm_set_private(vmm->kvm, lo, hi - lo, to == COCO_MEM_PRIVATE);
			if (ret)
				return ret;
		}
		ret = discard_range(vmm, lo, hi - lo);
		if (ret)
			return ret;
	}
	return 0;
}

int coco_vmm_vcpu_start(struct coco_vmm *vmm, uint32_t index, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs)
{
	struct coco_vmm_vcpu *v;

	if (index >= vmm->nvcpus)
		return coco_err(-EINVAL, "start of vCPU %u: the VM has %u vCPUs", index, vmm->nvcpus);
	v = &vmm->vcpus[index];
	pthread_mutex_lock(&vmm->lock);
	v->load_regs = *regs;
	v->load_sregs = *sregs;
	v->load_pending = true;
	if (v->state == VCPU_HELD) {
		v->state = VCPU_RUNNING;
		pthread_cond_broadcast(&vmm->cond);
	} else if (v->state == VCPU_RUNNING) {
		kick_vcpu(v);	/* reloaded at its next exit */
	}
	pthread_mutex_unlock(&vmm->lock);
	return 0;
}

int coco_vmm_vcpu_hold(struct coco_vmm *vmm, uint32_t index)
{
	struct coco_vmm_vcpu *v;

	if (index >= vmm->nvcpus)
		return coco_err(-EINVAL, "hold of vCPU %u: the VM has %u vCPUs", index, vmm->nvcpus);
	v = &vmm->vcpus[index];
	pthread_mutex_lock(&vmm->lock);
	if (v->state == VCPU_RUNNING) {
		/* wait_runnable parks it once KVM_RUN or its exit in progress returns. */
		v->state = VCPU_HELD;
		v->load_pending = false;
		kick_vcpu(v);
	}
	pthread_mutex_unlock(&vmm->lock);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Exits the core serves                                                */

static void console_out(struct coco_vmm *vmm, const uint8_t *bytes, size_t n)
{
	if (vmm->console && n)
		vmm->console(vmm->console_ctx, (const char *)bytes, n);
}

/* Port 0xf6: the guest hands over evidence it obtained. */
static int take_evidence(struct coco_vmm *vmm, uint32_t gpa)
{
	struct coco_guest_evidence_post post;
	struct coco_evidence *ev = NULL;
	uint8_t *data = NULL;
	int status, ret;

	ret = coco_vmm_read_shared(vmm, gpa, &post, sizeof(post));
	if (ret)
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "the guest handed over evidence at GPA "
				    "0x%x that the VMM cannot read: %s", gpa, coco_last_error());
	if (post.magic != COCO_GUEST_EVIDENCE_MAGIC || post.length == 0 ||
	    post.length > COCO_GUEST_EVIDENCE_MAX ||
	    (post.format != COCO_GUEST_EVIDENCE_SNP_REPORT &&
	     post.format != COCO_GUEST_EVIDENCE_TDX_QUOTE)) {
		status = -EINVAL;
		goto answer;
	}
	data = malloc(post.length);
	if (!data) {
		status = -ENOMEM;
		goto answer;
	}
	status = coco_vmm_read_shared(vmm, (uint64_t)gpa + sizeof(post), data, post.length);
	if (!status)
		status = coco_evidence_parse((enum coco_evidence_format)post.format, data,
					     post.length, &ev);
	if (!status && vmm->channel->evidence_complete)
		status = vmm->channel->evidence_complete(vmm->channel_state, ev);
	if (!status) {
		coco_evidence_free(vmm->evidence);
		vmm->evidence = ev;
		ev = NULL;
	}
answer:
	if (status)
		coco_warn("guest evidence at GPA 0x%x refused (%d): %s", gpa, status,
			 coco_last_error());
	coco_evidence_free(ev);
	free(data);
	post.status = status;
	ret = coco_vmm_write_shared(vmm, (uint64_t)gpa + offsetof(struct coco_guest_evidence_post,
								  status),
				    &post.status, sizeof(post.status));
	if (ret)
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "cannot answer the guest's evidence "
				    "hand-off at GPA 0x%x: %s", gpa, coco_last_error());
	return 0;
}

int coco_vmm_guest_port_io(struct coco_vmm_vcpu *v, uint16_t port, bool out, uint8_t size,
			   uint32_t *value)
{
	struct coco_vmm *vmm = v->vmm;
	uint8_t byte = (uint8_t)*value;

	if (size != 1 && size != 2 && size != 4)
		return coco_err(-EINVAL, "guest port I/O of %u bytes on port 0x%x: an I/O access "
				"is 1, 2 or 4 bytes", size, port);
	/* The ports handle_io serves, with the same sizes (core/guest-abi.h). */
	if (out && port == COCO_GUEST_CONSOLE_PORT && size == 1) {
		console_out(vmm, &byte, 1);
		return 0;
	}
	if (out && port == COCO_GUEST_EXIT_PORT && size == 4) {
		end_run(vmm, COCO_VMM_EXITED, *value, "");
		return COCO_VMM_DONE;
	}
	if (out && port == COCO_GUEST_EVIDENCE_PORT && size == 4)
		return take_evidence(vmm, *value);
	return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u asked its VMM for %s of %u byte(s) on "
			    "port 0x%x (the vendor's I/O call), which nothing serves "
			    "(docs/guest-abi.md lists the ports)", v->kvm->index,
			    out ? "OUT" : "IN", size, port);
}

static int handle_io(struct coco_vmm_vcpu *v)
{
	struct coco_vmm *vmm = v->vmm;
	struct kvm_run *run = v->run;
	uint64_t bytes = (uint64_t)run->io.size * run->io.count;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	int ret;

	if (run->io.data_offset + bytes > (uint64_t)vmm->kvm->vcpu_mmap_size)
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "KVM_EXIT_IO data [%llu, +%llu) lies "
				    "outside the kvm_run mapping",
				    (unsigned long long)run->io.data_offset,
				    (unsigned long long)bytes);
	if (out && run->io.port == COCO_GUEST_CONSOLE_PORT && run->io.size == 1) {
		console_out(vmm, data, (size_t)bytes);
		return 0;
	}
	if (out && run->io.port == COCO_GUEST_EXIT_PORT && run->io.size == 4 &&
	    run->io.count == 1) {
		uint32_t status;

		memcpy(&status, data, sizeof(status));
		end_run(vmm, COCO_VMM_EXITED, status, "");
		return COCO_VMM_DONE;
	}
	if (out && run->io.port == COCO_GUEST_EVIDENCE_PORT && run->io.size == 4 &&
	    run->io.count == 1) {
		uint32_t gpa;

		memcpy(&gpa, data, sizeof(gpa));
		return take_evidence(vmm, gpa);
	}
	if (vmm->channel->io) {
		ret = vmm->channel->io(vmm->channel_state, v, run->io.port, out, run->io.size,
				       run->io.count, data);
		if (ret != -ENODEV)
			return ret;
		coco_clear_error();
	}
	return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u did %s of %u byte(s) x %u on port 0x%x, "
			    "which nothing serves (docs/guest-abi.md lists the ports)",
			    v->kvm->index, out ? "OUT" : "IN", run->io.size, run->io.count,
			    run->io.port);
}

static int handle_msr(struct coco_vmm_vcpu *v, bool write)
{
	struct coco_vmm *vmm = v->vmm;
	struct kvm_run *run = v->run;
	uint64_t value = run->msr.data;
	int ret;

	if (!vmm->channel->msr)
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u: %s of MSR 0x%x reached the VMM, "
				    "which serves no MSRs", v->kvm->index, write ? "WRMSR" : "RDMSR",
				    run->msr.index);
	ret = vmm->channel->msr(vmm->channel_state, v, write, run->msr.index, &value);
	if (ret == 0 || ret == COCO_VMM_HOLD) {
		run->msr.error = 0;
		if (!write)
			run->msr.data = value;
	}
	return ret;
}

/*
 * KVM_HC_MAP_GPA_RANGE (hardware: SNP page state changes, TDX MapGPA).
 * args[0] the GPA, args[1] the number of 4 KiB pages (also for 2 MiB
 * requests: KVM's SNP PSC passes 512 per 2 MiB entry), args[2] the
 * attributes (core/kvm-uapi.h).  hypercall.ret: 0, or a negative errno
 * (KVM turns any non-zero value into the guest's PSC / MapGPA error).
 */
static int handle_hypercall(struct coco_vmm_vcpu *v)
{
	struct kvm_run *run = v->run;
	uint64_t gpa = run->hypercall.args[0], pages = run->hypercall.args[1];
	uint64_t attrs = run->hypercall.args[2];
	int ret;

	if (run->hypercall.nr != KVM_HC_MAP_GPA_RANGE)
		return coco_vmm_end(v->vmm, COCO_VMM_FAILED, "vCPU %u: hypercall %llu, which the "
				    "VMM does not serve", v->kvm->index,
				    (unsigned long long)run->hypercall.nr);
	if (!pages || pages > UINT64_MAX / COCO_PAGE_SIZE ||
	    (attrs & COCO_KVM_MAP_GPA_RANGE_RESERVED) ||
	    (attrs & COCO_KVM_MAP_GPA_RANGE_PAGE_SZ_MASK) > COCO_KVM_MAP_GPA_RANGE_PAGE_SZ_1G) {
		coco_warn("KVM_HC_MAP_GPA_RANGE(0x%llx, %llu pages, attributes 0x%llx) refused: "
			  "no pages, too many, or reserved attribute bits",
			  (unsigned long long)gpa, (unsigned long long)pages,
			  (unsigned long long)attrs);
		run->hypercall.ret = (uint64_t)-EINVAL;
		return 0;
	}
	ret = coco_vmm_convert(v->vmm, gpa, pages * COCO_PAGE_SIZE,
			       (attrs & COCO_KVM_MAP_GPA_RANGE_ENCRYPTED) ? COCO_MEM_PRIVATE
									  : COCO_MEM_SHARED);
	if (ret)
		coco_warn("KVM_HC_MAP_GPA_RANGE refused: %s", coco_last_error());
	run->hypercall.ret = ret ? (uint64_t)(int64_t)ret : 0;
	return 0;
}

static int handle_memory_fault(struct coco_vmm_vcpu *v)
{
	const struct coco_kvm_memory_fault *fault = COCO_KVM_RUN_MEMORY_FAULT(v->run);
	bool private_ = fault->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE;
	int ret = coco_vmm_convert(v->vmm, fault->gpa, fault->size,
				   private_ ? COCO_MEM_PRIVATE : COCO_MEM_SHARED);

	if (ret)
		return fail_with_error(v->vmm, ret, "implicit conversion on KVM_EXIT_MEMORY_FAULT");
	return 0;
}

static uint64_t vcpu_rip(struct coco_vmm_vcpu *v)
{
	struct kvm_regs regs;

	return coco_kvm_ioctl(v->kvm->fd, KVM_GET_REGS, &regs) < 0 ? ~0ull : regs.rip;
}

/* The data words of a system event, for the reason ("data 0x1 0x2 ..."). */
static void system_event_data(const struct kvm_run *run, char *out, size_t size)
{
	uint32_t n = run->system_event.ndata;
	size_t used = 0;

	out[0] = '\0';
	if (n > COCO_ARRAY_SIZE(run->system_event.data))
		n = COCO_ARRAY_SIZE(run->system_event.data);
	for (uint32_t i = 0; i < n && used < size; i++) {
		int w = snprintf(out + used, size - used, "%s0x%llx", i ? " " : ", data ",
				 (unsigned long long)run->system_event.data[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

static int handle_system_event(struct coco_vmm_vcpu *v)
{
	struct coco_vmm *vmm = v->vmm;
	struct kvm_run *run = v->run;
	uint32_t type = run->system_event.type;
	bool guest_asked = type == KVM_SYSTEM_EVENT_TDX_FATAL || type == KVM_SYSTEM_EVENT_SEV_TERM;
	char data[192];

	if (vmm->channel->vendor_exit) {
		int ret = vmm->channel->vendor_exit(vmm->channel_state, v, run);

		if (ret != -ENODEV)
			return ret;
	}
	system_event_data(run, data, sizeof(data));
	return coco_vmm_end(vmm, guest_asked ? COCO_VMM_TERMINATED : COCO_VMM_FAILED,
			    "vCPU %u: system event %u (%s)%s", v->kvm->index, type,
			    type == KVM_SYSTEM_EVENT_SHUTDOWN ? "shutdown" :
			    type == KVM_SYSTEM_EVENT_RESET ? "reset" :
			    type == KVM_SYSTEM_EVENT_SEV_TERM ? "SEV termination request" :
			    type == KVM_SYSTEM_EVENT_TDX_FATAL ? "TDX fatal error" : "other",
			    data);
}

/* A guest that fails before anything reached the VMM may be the other vendor's build. */
static const char *first_exit_hint(const struct coco_vmm_vcpu *v)
{
	if (v->exits > 1)
		return "";
	return v->vmm->backend->vendor == COCO_VENDOR_AMD_SEV_SNP ?
		       "; it failed before its first request to the VMM: is the image built for "
		       "SEV-SNP's reset state (real mode at 0xfffffff0), not TDX's?" :
		       "; it failed before its first request to the VMM: is the image built for "
		       "TDX's reset state (32-bit protected mode at 0xfffffff0), not SEV-SNP's?";
}

static int handle_exit(struct coco_vmm_vcpu *v)
{
	struct coco_vmm *vmm = v->vmm;
	struct kvm_run *run = v->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return handle_io(v);
	case KVM_EXIT_X86_RDMSR:
		return handle_msr(v, false);
	case KVM_EXIT_X86_WRMSR:
		return handle_msr(v, true);
	case KVM_EXIT_HYPERCALL:
		return handle_hypercall(v);
	case KVM_EXIT_MEMORY_FAULT:
		return handle_memory_fault(v);
	case KVM_EXIT_HLT:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u executed HLT at RIP 0x%llx with "
				    "nothing to wake it", v->kvm->index,
				    (unsigned long long)vcpu_rip(v));
	case KVM_EXIT_SHUTDOWN:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u shut down (a triple fault) near "
				    "RIP 0x%llx: it took an exception it could not handle%s",
				    v->kvm->index, (unsigned long long)vcpu_rip(v), first_exit_hint(v));
	case KVM_EXIT_FAIL_ENTRY:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "KVM could not enter vCPU %u "
				    "(KVM_EXIT_FAIL_ENTRY, hardware reason 0x%llx): its state is "
				    "invalid", v->kvm->index,
				    (unsigned long long)run->fail_entry
					    .hardware_entry_failure_reason);
	case KVM_EXIT_INTERNAL_ERROR:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "KVM_EXIT_INTERNAL_ERROR (suberror %u) on "
				    "vCPU %u at RIP 0x%llx: KVM could not handle what the guest did%s",
				    run->internal.suberror, v->kvm->index,
				    (unsigned long long)vcpu_rip(v), first_exit_hint(v));
	case KVM_EXIT_MMIO:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u %s GPA 0x%llx, which is not "
				    "guest memory (KVM_EXIT_MMIO) at RIP 0x%llx", v->kvm->index,
				    run->mmio.is_write ? "wrote" : "read",
				    (unsigned long long)run->mmio.phys_addr,
				    (unsigned long long)vcpu_rip(v));
	case KVM_EXIT_SYSTEM_EVENT:
		return handle_system_event(v);
	case KVM_EXIT_TDX:
		if (vmm->channel->vendor_exit) {
			int ret = vmm->channel->vendor_exit(vmm->channel_state, v, run);

			if (ret != -ENODEV)
				return ret;
		}
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u: KVM_EXIT_TDX (TDVMCALL 0x%llx), "
				    "which the %s guest channel does not serve", v->kvm->index,
				    (unsigned long long)COCO_KVM_RUN_TDX(run)->nr,
				    vmm->backend->name);
	default:
		return coco_vmm_end(vmm, COCO_VMM_FAILED, "vCPU %u: KVM exit reason %u, which the "
				    "VMM does not handle", v->kvm->index, run->exit_reason);
	}
}

/* ------------------------------------------------------------------ */
/* vCPU threads                                                         */

static int load_state(struct coco_vmm_vcpu *v, const struct kvm_regs *regs,
		      const struct kvm_sregs *sregs)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	int ret;

	/* With the in-kernel irqchip, APs wait for INIT/SIPI until made runnable. */
	ret = coco_kvm_ioctl(v->kvm->fd, KVM_SET_MP_STATE, &mp);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_MP_STATE(vCPU %u, RUNNABLE): %s (errno %d)",
				v->kvm->index, strerror(-ret), -ret);
	ret = coco_kvm_ioctl(v->kvm->fd, KVM_SET_SREGS, (void *)sregs);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_SREGS(vCPU %u): %s (errno %d)", v->kvm->index,
				strerror(-ret), -ret);
	return coco_vmm_vcpu_set_regs(v, regs);
}

/* Wait until the vCPU may run; false when the run ended.  Applies a pending state load. */
static bool wait_runnable(struct coco_vmm_vcpu *v)
{
	struct coco_vmm *vmm = v->vmm;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	bool load;
	int ret;

	pthread_mutex_lock(&vmm->lock);
	while (!vmm->ended && v->state == VCPU_HELD)
		pthread_cond_wait(&vmm->cond, &vmm->lock);
	if (vmm->ended) {
		pthread_mutex_unlock(&vmm->lock);
		return false;
	}
	load = v->load_pending;
	if (load) {
		regs = v->load_regs;
		sregs = v->load_sregs;
		v->load_pending = false;
	}
	if (!v->ever_ran) {
		v->ever_ran = true;
		vmm->result.vcpus_started++;
	}
	pthread_mutex_unlock(&vmm->lock);
	if (load) {
		ret = load_state(v, &regs, &sregs);
		if (ret) {
			fail_with_error(vmm, ret, "loading a vCPU's state");
			return false;
		}
	}
	return true;
}

static void *vcpu_thread(void *arg)
{
	struct coco_vmm_vcpu *v = arg;
	struct coco_vmm *vmm = v->vmm;
	sigset_t kick;

	sigemptyset(&kick);
	sigaddset(&kick, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (wait_runnable(v)) {
		int ret = coco_kvm_ioctl(v->kvm->fd, KVM_RUN, NULL);

		if (ret == -EINTR || ret == -EAGAIN) {
			__atomic_store_n(&v->run->immediate_exit, 0, __ATOMIC_SEQ_CST);
			continue;	/* kicked: wait_runnable looks at why */
		}
		if (ret < 0) {
			fail_with_error(vmm, coco_err(ret, "KVM_RUN(vCPU %u): %s (errno %d)",
						      v->kvm->index, strerror(-ret), -ret),
					"KVM_RUN");
			break;
		}
		pthread_mutex_lock(&vmm->exit_lock);
		vmm->result.exits++;
		v->exits++;
		ret = handle_exit(v);
		pthread_mutex_unlock(&vmm->exit_lock);
		if (ret == COCO_VMM_HOLD) {
			pthread_mutex_lock(&vmm->lock);
			if (!v->load_pending)	/* not already restarted by another vCPU */
				v->state = VCPU_HELD;
			pthread_mutex_unlock(&vmm->lock);
		} else if (ret < 0) {
			fail_with_error(vmm, ret, "guest exit handling");
			break;
		} else if (ret == COCO_VMM_DONE) {
			break;
		}
	}
	pthread_mutex_lock(&vmm->lock);
	v->state = VCPU_FINISHED;
	pthread_mutex_unlock(&vmm->lock);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Set-up                                                               */

/* The model path's slot memory: a guest_memfd the host can map, registered with KVM. */
static int provide_slot(void *ctx, struct coco_mem_slot *slot)
{
	struct coco_vmm *vmm = ctx;
	struct coco_kvm_create_guest_memfd gmem = { .size = slot->size, .flags = GUEST_MEMFD_FLAGS };
	struct coco_kvm_memory_region2 region;
	void *host;
	int fd, ret;

	ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_GUEST_MEMFD(%s, 0x%llx bytes, MMAP | INIT_SHARED): "
				"%s (errno %d)", slot->label, (unsigned long long)slot->size,
				strerror(-ret), -ret);
	fd = ret;
	ret = coco_kvm_mmap(fd, (size_t)slot->size, PROT_READ | PROT_WRITE, MAP_SHARED, 0, &host);
	if (ret < 0) {
		coco_kvm_close(fd);
		return coco_err(ret, "mmap of the guest_memfd of %s (0x%llx bytes): %s (errno %d)",
				slot->label, (unsigned long long)slot->size, strerror(-ret), -ret);
	}
	region = (struct coco_kvm_memory_region2){
		.slot = vmm->kvm->next_kvm_slot,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = slot->gpa,
		.memory_size = slot->size,
		.userspace_addr = (uint64_t)(uintptr_t)host,
		.guest_memfd_offset = 0,
		.guest_memfd = (uint32_t)fd,
	};
	ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_SET_USER_MEMORY_REGION2, &region);
	if (ret < 0) {
		coco_kvm_munmap(host, (size_t)slot->size);
		coco_kvm_close(fd);
		return coco_err(ret, "KVM_SET_USER_MEMORY_REGION2(slot %u, %s [0x%llx, +0x%llx)): %s "
				"(errno %d)", region.slot, slot->label,
				(unsigned long long)slot->gpa, (unsigned long long)slot->size,
				strerror(-ret), -ret);
	}
	vmm->kvm->next_kvm_slot++;
	slot->fd = fd;
	slot->host = host;
	return 0;
}

static int open_kvm(struct coco_vmm *vmm)
{
	int ret, mmap_size, flags;

	vmm->kvm_fd = coco_kvm_open(COCO_KVM_DEV_PATH, O_RDWR | O_CLOEXEC);
	if (vmm->kvm_fd < 0)
		return coco_err(vmm->kvm_fd, "coco-vmm: cannot open %s: %s (errno %d); guests run on "
				"Linux KVM: load kvm and give this user access to %s",
				COCO_KVM_DEV_PATH, strerror(-vmm->kvm_fd), -vmm->kvm_fd,
				COCO_KVM_DEV_PATH);
	mmap_size = coco_kvm_ioctl(vmm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, NULL);
	if (mmap_size < 0)
		return coco_err(mmap_size, "KVM_GET_VCPU_MMAP_SIZE: %s (errno %d)",
				strerror(-mmap_size), -mmap_size);
	if (vmm->backend->hardware)
		return 0;
	/*
	 * The models run the default VM type: the platform model, standing for
	 * the PSP or the TDX module, must read and write private pages (launch
	 * copies, guest requests), which KVM_X86_SW_PROTECTED_VM's private
	 * memory would hide from this process.
	 */
	ret = coco_kvm_vm_open(&vmm->own_kvm, vmm->backend->name, vmm->kvm_fd, mmap_size, 0,
			       "KVM_X86_DEFAULT_VM", NULL);
	if (ret)
		return ret;
	vmm->own_kvm_open = true;
	vmm->kvm = &vmm->own_kvm;
	flags = coco_kvm_ioctl(vmm->own_kvm.vm_fd, KVM_CHECK_EXTENSION,
			       (void *)(uintptr_t)KVM_CAP_GUEST_MEMFD_FLAGS);
	if (flags < 0 || ((unsigned int)flags & GUEST_MEMFD_FLAGS) != GUEST_MEMFD_FLAGS)
		return coco_err(-ENOTSUP, "coco-vmm: KVM's guest_memfd takes flags 0x%x; the model "
				"path needs MMAP | INIT_SHARED (0x%x), Linux 6.18 or newer",
				flags < 0 ? 0 : flags, (unsigned int)GUEST_MEMFD_FLAGS);
	ret = coco_kvm_ioctl(vmm->own_kvm.vm_fd, KVM_CHECK_EXTENSION,
			     (void *)(uintptr_t)KVM_CAP_MEMORY_ATTRIBUTES);
	vmm->memory_attributes = ret > 0 && (ret & KVM_MEMORY_ATTRIBUTE_PRIVATE);
	ret = coco_kvm_ioctl(vmm->own_kvm.vm_fd, KVM_CREATE_IRQCHIP, NULL);
	if (ret < 0)
		return coco_err(ret, "KVM_CREATE_IRQCHIP: %s (errno %d)", strerror(-ret), -ret);
	return 0;
}

/*
 * Hardware: conversions reach user space as KVM_EXIT_HYPERCALL only when
 * KVM_CAP_EXIT_HYPERCALL has the KVM_HC_MAP_GPA_RANGE bit; without it KVM
 * fails every SNP page state change and TDX MapGPA in the guest's face.
 */
static int enable_map_gpa_exits(struct coco_vmm *vmm)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args = { 1ull << KVM_HC_MAP_GPA_RANGE },
	};
	int ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_CHECK_EXTENSION,
				 (void *)(uintptr_t)KVM_CAP_EXIT_HYPERCALL);

	if (ret < 0 || !(ret & (1 << KVM_HC_MAP_GPA_RANGE)))
		return coco_err(-ENOTSUP, "coco-vmm: KVM_CAP_EXIT_HYPERCALL (%d) offers 0x%x, without "
				"KVM_HC_MAP_GPA_RANGE (bit %d): the guest's private/shared "
				"conversions could not reach the VMM; boot a kernel with %s "
				"support (Linux 6.11+ for SNP, 6.16+ for TDX)",
				KVM_CAP_EXIT_HYPERCALL, ret < 0 ? 0 : ret, KVM_HC_MAP_GPA_RANGE,
				vmm->backend->name);
	ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_ENABLE_CAP, &cap);
	if (ret < 0)
		return coco_err(ret, "KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL, 1 << "
				"KVM_HC_MAP_GPA_RANGE): %s (errno %d)", strerror(-ret), -ret);
	return 0;
}

static int set_msr_filter(struct coco_vmm *vmm)
{
	static uint8_t deny_bitmap[1];	/* bit 0 clear: the MSR is denied, so it exits */
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_USER_SPACE_MSR,
		.args = { KVM_MSR_EXIT_REASON_FILTER },
	};
	struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	const struct coco_guest_channel *ch = vmm->channel;
	int ret;

	if (!ch->nmsrs)
		return 0;
	if (ch->nmsrs > MSR_FILTER_MAX)
		return coco_err(-E2BIG, "coco-vmm: the %s guest channel asks for %zu MSRs; KVM's "
				"filter holds %d ranges", vmm->backend->name, ch->nmsrs,
				MSR_FILTER_MAX);
	ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_ENABLE_CAP, &cap);
	if (ret < 0)
		return coco_err(ret, "KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR, FILTER): %s "
				"(errno %d); the guest channel needs MSR exits", strerror(-ret),
				-ret);
	for (size_t i = 0; i < ch->nmsrs; i++)
		filter.ranges[i] = (struct kvm_msr_filter_range){
			.flags = KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE,
			.nmsrs = 1,
			.base = ch->msrs[i],
			.bitmap = deny_bitmap,
		};
	ret = coco_kvm_ioctl(vmm->kvm->vm_fd, KVM_X86_SET_MSR_FILTER, &filter);
	if (ret < 0)
		return coco_err(ret, "KVM_X86_SET_MSR_FILTER(%zu MSRs): %s (errno %d)", ch->nmsrs,
				strerror(-ret), -ret);
	return 0;
}

/* The CPUID KVM supports, with this vCPU's APIC ID where CPUID reports it. */
static int set_cpuid(struct coco_vmm *vmm, struct coco_vmm_vcpu *v)
{
	struct kvm_cpuid2 *cpuid;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) + CPUID_MAX_ENTRIES * sizeof(cpuid->entries[0]));
	if (!cpuid)
		return coco_err(-ENOMEM, "coco-vmm: out of memory");
	cpuid->nent = CPUID_MAX_ENTRIES;
	ret = coco_kvm_ioctl(vmm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (ret < 0) {
		coco_err(ret, "KVM_GET_SUPPORTED_CPUID: %s (errno %d)", strerror(-ret), -ret);
		goto out;
	}
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (v->kvm->index << 24);
		if (e->function == 0xb || e->function == 0x1f)
			e->edx = v->kvm->index;
	}
	ret = coco_kvm_ioctl(v->kvm->fd, KVM_SET_CPUID2, cpuid);
	if (ret < 0)
		coco_err(ret, "KVM_SET_CPUID2(vCPU %u): %s (errno %d)", v->kvm->index,
			 strerror(-ret), -ret);
out:
	free(cpuid);
	return ret < 0 ? ret : 0;
}

static int make_vcpus(struct coco_vmm *vmm)
{
	int ret;

	vmm->vcpus = calloc(vmm->nvcpus, sizeof(*vmm->vcpus));
	if (!vmm->vcpus)
		return coco_err(-ENOMEM, "coco-vmm: out of memory");
	/* Hardware backends made their vCPUs during the launch (VMSAs, TD vCPU init). */
	for (uint32_t i = vmm->kvm->nvcpus; i < vmm->nvcpus; i++) {
		struct coco_kvm_vcpu *unused;

		ret = coco_kvm_vm_add_vcpu(vmm->kvm, i, &unused);
		if (ret)
			return ret;
	}
	/* kvm->vcpus is final now (adding reallocates it). */
	for (uint32_t i = 0; i < vmm->nvcpus; i++) {
		struct coco_vmm_vcpu *v = &vmm->vcpus[i];
		struct kvm_regs regs;
		struct kvm_sregs sregs;

		v->vmm = vmm;
		v->kvm = &vmm->kvm->vcpus[i];
		v->run = v->kvm->run;
		/*
		 * A hardware vCPU's state is protected after the launch (KVM
		 * refuses KVM_GET_REGS with -EINVAL): its channel gets zeros and
		 * must not set a state (the VMSA or the TDX module holds it).
		 */
		memset(&regs, 0, sizeof(regs));
		memset(&sregs, 0, sizeof(sregs));
		ret = vmm->backend->hardware ? 0 : set_cpuid(vmm, v);
		if (!ret && !vmm->backend->hardware)
			ret = coco_vmm_vcpu_get_regs(v, &regs);
		if (!ret && !vmm->backend->hardware)
			ret = coco_vmm_vcpu_get_sregs(v, &sregs);
		if (ret)
			return ret;
		ret = vmm->channel->vcpu_boot_state(vmm->channel_state, i, &regs, &sregs);
		if (ret < 0)
			return coco_err_context(ret, "coco-vmm: initial state of vCPU %u", i);
		if (ret == COCO_VMM_HOLD) {
			v->state = VCPU_HELD;
			continue;
		}
		v->state = VCPU_RUNNING;
		v->load_regs = regs;
		v->load_sregs = sregs;
		/* Hardware vCPUs start from the state the launch measured or the module set. */
		v->load_pending = !vmm->backend->hardware;
	}
	return 0;
}

static int launch(struct coco_vmm *vmm, const struct coco_vmm_options *o)
{
	struct coco_guest_params params = {
		.magic = COCO_GUEST_PARAMS_MAGIC,
		.version = COCO_GUEST_PARAMS_VERSION,
		.vcpus = o->config.vcpus,
		.mode = o->guest_mode,
		.mem_size = o->config.memory_size,
		.arg0 = o->guest_arg0,
		.arg1 = o->guest_arg1,
	};
	struct coco_guest_image_spec spec = {
		.data = o->image,
		.len = o->image_len,
		.vcpus = o->config.vcpus,
		.params = &params,
		.params_len = sizeof(params),
	};
	struct coco_launch_plan *plan = NULL;
	int ret;

	memcpy(params.report_data, o->report_data, sizeof(params.report_data));
	ret = coco_plan_from_guest_image(vmm->backend->name, &spec, &o->config, &plan);
	if (ret)
		return ret;
	for (size_t i = 0; i < coco_plan_region_count(plan); i++) {
		const struct coco_region *r = coco_plan_region(plan, i);

		if (r->gpa < COCO_GUEST_FLASH_BASE && r->gpa + r->size > o->config.memory_size) {
			ret = coco_err(-ERANGE, "coco-vmm: the guest image's %s [0x%llx, +0x%llx) "
				       "lies beyond the guest's %llu MiB of memory; give it more",
				       r->label ? r->label : "region", (unsigned long long)r->gpa,
				       (unsigned long long)r->size,
				       (unsigned long long)(o->config.memory_size >> 20));
			goto out;
		}
	}
	ret = coco_plan_expected_measurement(vmm->backend->name, &o->config, plan,
					     &vmm->measurement);
	if (!ret)
		ret = coco_vm_launch_plan(vmm->vm, plan);
out:
	coco_plan_free(plan);
	return ret;
}

static int check_options(const struct coco_vmm_options *o)
{
	if (!o->image || !o->image_len)
		return coco_err(-EINVAL, "coco_vmm_create: no guest image (an ELF guest image, see "
				"docs/guest-abi.md)");
	if (!o->config.vcpus)
		return coco_err(-EINVAL, "coco_vmm_create: a guest needs at least one vCPU");
	if (!o->config.memory_size)
		return coco_err(-EINVAL, "coco_vmm_create: a guest needs memory; give it a size "
				"(a multiple of 2 MiB)");
	return 0;
}

int coco_vmm_create(const struct coco_vmm_options *o, struct coco_vmm **out)
{
	struct coco_host_options host_opts = { 0 };
	struct coco_mem_provider provider;
	struct coco_vmm *vmm;
	int ret;

	if (!o || !out)
		return coco_err(-EINVAL, "coco_vmm_create: options and vmm are required");
	ret = check_options(o);
	if (ret)
		return ret;
	vmm = calloc(1, sizeof(*vmm));
	if (!vmm)
		return coco_err(-ENOMEM, "coco_vmm_create: out of memory");
	vmm->kvm_fd = -1;
	pthread_mutex_init(&vmm->exit_lock, NULL);
	pthread_mutex_init(&vmm->lock, NULL);
	pthread_cond_init(&vmm->cond, NULL);
	vmm->console = o->console;
	vmm->console_ctx = o->console_ctx;
	vmm->timeout_ms = o->timeout_ms;

	host_opts.platform_path = o->platform_path;
	host_opts.private_platform = o->private_platform;
	ret = coco_host_open(o->backend, &host_opts, &vmm->host);
	if (ret)
		goto fail;
	vmm->backend = vmm->host->backend;
	vmm->channel = vmm->backend->guest_channel;
	if (!vmm->channel || !vmm->channel->vcpu_boot_state ||
	    (vmm->backend->hardware && !vmm->backend->vmm_kvm_vm)) {
		ret = coco_err(-ENOTSUP, "coco_vmm_create: backend '%s' cannot run guests yet (no "
			       "guest channel); the platform models sev-snp-model and tdx-model "
			       "can", vmm->backend->name);
		goto fail;
	}
	ret = open_kvm(vmm);
	if (ret)
		goto fail;
	provider = (struct coco_mem_provider){ .alloc = provide_slot, .ctx = vmm };
	ret = coco_vm_create_with_memory(vmm->host, &o->config,
					 vmm->backend->hardware ? NULL : &provider, &vmm->vm);
	if (ret)
		goto fail;
	if (vmm->backend->hardware) {
		vmm->kvm = vmm->backend->vmm_kvm_vm(vmm->vm);
		ret = vmm->kvm ? enable_map_gpa_exits(vmm)
			       : coco_err(-EINVAL, "coco_vmm_create: backend '%s' made no KVM VM",
					  vmm->backend->name);
		if (ret)
			goto fail;
	}
	ret = launch(vmm, o);
	if (ret)
		goto fail;
	ret = set_msr_filter(vmm);
	if (ret)
		goto fail;
	if (vmm->channel->open) {
		ret = vmm->channel->open(vmm, vmm->vm, &vmm->channel_state);
		if (ret)
			goto fail;
		vmm->channel_open = true;
	}
	vmm->nvcpus = o->config.vcpus;
	ret = make_vcpus(vmm);
	if (ret)
		goto fail;
	*out = vmm;
	return 0;
fail:
	coco_vmm_destroy(vmm);
	return ret;
}

/* ------------------------------------------------------------------ */
/* Running                                                              */

static int install_kick_handler(void)
{
	struct sigaction action = { .sa_handler = kick_handler };
	sigset_t kick;

	/* No SA_RESTART: KVM_RUN must come back with EINTR. */
	sigemptyset(&action.sa_mask);
	if (sigaction(VMM_KICK_SIGNAL, &action, NULL) < 0)
		return coco_err(-errno, "coco-vmm: sigaction(SIGUSR1): %s", strerror(errno));
	/* Only vCPU threads take the kick (they unblock it). */
	sigemptyset(&kick);
	sigaddset(&kick, VMM_KICK_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &kick, NULL);
	return 0;
}

static void wait_outcome(struct coco_vmm *vmm)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += vmm->timeout_ms / 1000;
	deadline.tv_nsec += (long)(vmm->timeout_ms % 1000) * 1000000L;
	if (deadline.tv_nsec >= 1000000000L) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&vmm->lock);
	while (!vmm->ended) {
		if (!vmm->timeout_ms) {
			pthread_cond_wait(&vmm->cond, &vmm->lock);
			continue;
		}
		if (pthread_cond_timedwait(&vmm->cond, &vmm->lock, &deadline) == ETIMEDOUT &&
		    !vmm->ended) {
			char reason[128];

			snprintf(reason, sizeof(reason), "the guest did not finish within %u ms "
				 "(it hangs, or needs a longer timeout)", vmm->timeout_ms);
			end_locked(vmm, COCO_VMM_TIMED_OUT, 0, reason);
		}
	}
	pthread_mutex_unlock(&vmm->lock);
}

int coco_vmm_run(struct coco_vmm *vmm, struct coco_vmm_result *res)
{
	int ret;

	if (!vmm || !res)
		return coco_err(-EINVAL, "coco_vmm_run: vmm and result are required");
	if (vmm->run_called)
		return coco_err(-EBUSY, "coco_vmm_run: this VM already ran; a VMM runs its VM once");
	vmm->run_called = true;
	ret = install_kick_handler();
	if (ret)
		return ret;
	for (uint32_t i = 0; i < vmm->nvcpus; i++) {
		struct coco_vmm_vcpu *v = &vmm->vcpus[i];

		ret = pthread_create(&v->thread, NULL, vcpu_thread, v);
		if (ret) {
			ret = coco_err(-ret, "coco-vmm: cannot start the thread of vCPU %u: %s", i,
				       strerror(ret));
			fail_with_error(vmm, ret, "starting vCPU threads");
			break;
		}
		pthread_mutex_lock(&vmm->lock);
		v->thread_started = true;
		if (vmm->ended)
			kick_vcpu(v);
		pthread_mutex_unlock(&vmm->lock);
	}
	wait_outcome(vmm);
	for (uint32_t i = 0; i < vmm->nvcpus; i++)
		if (vmm->vcpus[i].thread_started) {
			pthread_join(vmm->vcpus[i].thread, NULL);
			vmm->vcpus[i].thread_started = false;
		}
	pthread_mutex_lock(&vmm->lock);
	*res = vmm->result;
	pthread_mutex_unlock(&vmm->lock);
	return 0;
}

void coco_vmm_destroy(struct coco_vmm *vmm)
{
	if (!vmm)
		return;
	if (vmm->channel_open && vmm->channel->close)
		vmm->channel->close(vmm->channel_state);
	coco_evidence_free(vmm->evidence);
	if (vmm->own_kvm_open) {
		/* vCPUs first; the guest_memfds (slot fds) go with the VM's slots below. */
		for (uint32_t i = 0; i < vmm->own_kvm.nvcpus; i++) {
			if (vmm->own_kvm.vcpus[i].run)
				coco_kvm_munmap(vmm->own_kvm.vcpus[i].run,
						(size_t)vmm->own_kvm.vcpu_mmap_size);
			coco_kvm_close(vmm->own_kvm.vcpus[i].fd);
		}
		free(vmm->own_kvm.vcpus);
	}
	free(vmm->vcpus);
	coco_vm_destroy(vmm->vm);
	if (vmm->own_kvm_open && vmm->own_kvm.vm_fd >= 0)
		coco_kvm_close(vmm->own_kvm.vm_fd);
	coco_host_close(vmm->host);
	if (vmm->kvm_fd >= 0)
		coco_kvm_close(vmm->kvm_fd);
	pthread_cond_destroy(&vmm->cond);
	pthread_mutex_destroy(&vmm->lock);
	pthread_mutex_destroy(&vmm->exit_lock);
	free(vmm);
}

struct coco_vm *coco_vmm_vm(struct coco_vmm *vmm)
{
	return vmm->vm;
}

const char *coco_vmm_backend_name(const struct coco_vmm *vmm)
{
	return vmm->backend->name;
}

const struct coco_measurement *coco_vmm_measurement(const struct coco_vmm *vmm)
{
	return &vmm->measurement;
}

const struct coco_evidence *coco_vmm_evidence(const struct coco_vmm *vmm)
{
	return vmm->evidence;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDs on Linux KVM: the VM (KVM_X86_TDX_VM and the settings a TD needs
 * before its vCPUs), and the launch sink that turns the TDX walker's steps
 * into KVM_TDX_INIT_VM, vCPUs with KVM_TDX_INIT_VCPU, KVM_TDX_INIT_MEM_REGION
 * and KVM_TDX_FINALIZE_VM.  The VM fd, its memory (guest_memfd, memslots,
 * attributes, conversions) and its vCPUs are the vendor-neutral
 * core/kvm-vm.c.
 *
 * Sequence (tdx.md section 6, KVM's intel-tdx.rst, QEMU's order):
 * CREATE_VM(5) -> ENABLE_CAP(SPLIT_IRQCHIP, APIC_BUS_CYCLES_NS = 40) ->
 * [KVM_TDX_CAPABILITIES, at host open] -> ENABLE_CAP(MAX_VCPUS) ->
 * SET_TSC_KHZ -> KVM_TDX_INIT_VM -> per vCPU: CREATE_VCPU, SET_CPUID2,
 * KVM_TDX_INIT_VCPU -> memory slots private -> KVM_TDX_INIT_MEM_REGION... ->
 * KVM_TDX_FINALIZE_VM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kvm.h"
#include "core/util.h"
#include "tdx/kvm-tdx.h"
#include "tdx/seamcall.h"

/*
 * KVM adds a region's pages one at a time and stops with -EINTR when a
 * signal is pending (or -EAGAIN); give up after this many calls in a row
 * that made no progress.
 */
#define INIT_MEM_MAX_STALLS 1000
#define RETRY_PAUSE_NS 1000000L		/* 1 ms between retries */

/* Guest physical address width the TD gets: 48 (4-level EPT, shared bit = GPA bit 47). */
#define TDX_GUEST_PA_BITS 48u
#define CPUID_EXT_ADDR_SIZE 0x80000008u
#define CPUID_FEATURES 0x1u
#define CPUID_1_ECX_X2APIC (1u << 21)

static struct tdx_kvm_vm *kvm_vm_of(struct coco_vm *vm)
{
	return tdx_vm_of(vm)->backend;
}

/* One KVM_MEMORY_ENCRYPT_OP on @fd; the TDX module's status goes to *@hw_error. */
static int tdx_cmd(int fd, uint32_t id, uint32_t flags, uint64_t data, uint64_t *hw_error)
{
	struct tdx_kvm_cmd cmd = { .id = id, .flags = flags, .data = data };
	int ret = coco_kvm_ioctl(fd, KVM_MEMORY_ENCRYPT_OP, &cmd);

	*hw_error = cmd.hw_error;
	return ret;
}

static void retry_pause(void)
{
	struct timespec ts = { .tv_sec = 0, .tv_nsec = RETRY_PAUSE_NS };

	nanosleep(&ts, NULL);
}

static int enable_cap(struct tdx_kvm_vm *k, uint32_t cap, const char *cap_name, uint64_t arg,
		      const char *hint)
{
	struct kvm_enable_cap ec = { .cap = cap, .args = { arg } };
	int ret = coco_kvm_ioctl(k->kvm.vm_fd, KVM_ENABLE_CAP, &ec);

	if (ret < 0)
		return coco_err(ret, "KVM_ENABLE_CAP(%s = %u, %llu): %s (errno %d); %s", cap_name,
				cap, (unsigned long long)arg, strerror(-ret), -ret, hint);
	return 0;
}

/* ------------------------------------------------------------------ */
/* VM                                                                   */

int tdx_kvm_vm_create(struct coco_vm *vm, struct tdx_kvm_host *host, struct tdx_kvm_vm **out)
{
	struct tdx_kvm_vm *k = calloc(1, sizeof(*k));
	int ret;

	if (!k)
		return coco_err(-ENOMEM, "tdx: out of memory");
	k->host = host;
	ret = coco_kvm_vm_open(&k->kvm, "tdx", host->dev.fd, host->dev.vcpu_mmap_size,
			       KVM_X86_TDX_VM, "KVM_X86_TDX_VM", tdx_kvm_vm_type.enable_hint);
	if (ret) {
		free(k);
		return ret;
	}
	/* TDX vCPUs use x2APIC only, which needs KVM's local APIC: the split irqchip. */
	ret = enable_cap(k, KVM_CAP_SPLIT_IRQCHIP, "KVM_CAP_SPLIT_IRQCHIP", TDX_SPLIT_IRQCHIP_PINS,
			 "TDs need KVM's in-kernel local APIC");
	/* The TDX module runs the virtual APIC timer at 25 MHz: KVM must agree. */
	if (!ret && coco_kvm_check_extension(k->kvm.vm_fd, KVM_CAP_X86_APIC_BUS_CYCLES_NS,
					     "KVM_CAP_X86_APIC_BUS_CYCLES_NS") <= 0)
		ret = coco_err(-ENOTSUP, "tdx: KVM has no KVM_CAP_X86_APIC_BUS_CYCLES_NS (%d), so "
			       "the TD's APIC timer cannot run at the 25 MHz the TDX module "
			       "uses; boot Linux 6.16 or later", KVM_CAP_X86_APIC_BUS_CYCLES_NS);
	if (!ret)
		ret = enable_cap(k, KVM_CAP_X86_APIC_BUS_CYCLES_NS, "KVM_CAP_X86_APIC_BUS_CYCLES_NS",
				 TDX_APIC_BUS_CYCLE_NS, "TDs need a 25 MHz APIC bus (40 ns)");
	if (ret) {
		coco_kvm_vm_close(vm, &k->kvm);
		free(k);
		return ret;
	}
	*out = k;
	return 0;
}

void tdx_kvm_vm_destroy(struct coco_vm *vm, struct tdx_kvm_vm *k)
{
	if (!k)
		return;
	coco_kvm_vm_close(vm, &k->kvm);
	free(k);
}

int tdx_kvm_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot)
{
	return coco_kvm_vm_mem_slot_add(vm, &kvm_vm_of(vm)->kvm, slot);
}

int tdx_kvm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	return coco_kvm_vm_mem_convert(vm, &kvm_vm_of(vm)->kvm, gpa, size, to);
}

/* ------------------------------------------------------------------ */
/* KVM_TDX_INIT_VM                                                      */

/*
 * The TD's CPUID: for every leaf the TDX module lets userspace configure,
 * the host's value limited to the configurable bits (KVM refuses any other
 * bit), and the guest physical address width KVM derives the EPT depth
 * from (0x80000008 EAX[23:16], which KVM requires).  Not measured: MRTD
 * covers the pages added, not TD_PARAMS.
 */
static uint32_t build_td_cpuid(const struct tdx_kvm_capabilities *caps,
			       struct kvm_cpuid_entry2 *out)
{
	uint32_t n = 0;
	bool have_addr_size = false;

	for (uint32_t i = 0; i < caps->cpuid_nent; i++) {
		const struct kvm_cpuid_entry2 *c = &caps->cpuid_entries[i];
		struct kvm_cpuid_entry2 *e = &out[n++];
		uint32_t host[4];

		coco_kvm_cpuid(c->function, c->index, host);
		*e = (struct kvm_cpuid_entry2){
			.function = c->function,
			.index = c->index,
			.flags = c->flags,
			.eax = host[0] & c->eax,
			.ebx = host[1] & c->ebx,
			.ecx = host[2] & c->ecx,
			.edx = host[3] & c->edx,
		};
		if (c->function == CPUID_EXT_ADDR_SIZE) {
			e->eax = (e->eax & ~0x00ff0000u) | TDX_GUEST_PA_BITS << 16;
			have_addr_size = true;
		}
	}
	if (!have_addr_size)
		out[n++] = (struct kvm_cpuid_entry2){ .function = CPUID_EXT_ADDR_SIZE,
						      .eax = TDX_GUEST_PA_BITS << 16 };
	return n;
}

static int init_vm(struct tdx_kvm_vm *k, const struct tdx_td_config *cfg)
{
	const struct tdx_kvm_capabilities *caps = k->host->caps;
	struct tdx_kvm_init_vm *iv;
	uint64_t hw_error = 0;
	char ctx[96];
	const char *hint;
	int ret;

	/* +1: the address-size leaf when the module's list lacks it. */
	iv = calloc(1, sizeof(*iv) + (caps->cpuid_nent + 1) * sizeof(struct kvm_cpuid_entry2));
	if (!iv)
		return coco_err(-ENOMEM, "tdx: out of memory");
	iv->attributes = cfg->attributes;
	iv->xfam = cfg->xfam;
	memcpy(iv->mrconfigid, cfg->mrconfigid, TDX_MR_BYTES);
	memcpy(iv->mrowner, cfg->mrowner, TDX_MR_BYTES);
	memcpy(iv->mrownerconfig, cfg->mrownerconfig, TDX_MR_BYTES);
	iv->cpuid_nent = build_td_cpuid(caps, iv->cpuid_entries);
	ret = tdx_cmd(k->kvm.vm_fd, TDX_KVM_INIT_VM, 0, (uint64_t)(uintptr_t)iv, &hw_error);
	free(iv);
	if (ret >= 0) {
		k->initialized = true;
		return 0;
	}
	snprintf(ctx, sizeof(ctx), "attributes 0x%llx, xfam 0x%llx",
		 (unsigned long long)cfg->attributes, (unsigned long long)cfg->xfam);
	switch (ret) {
	case -EINVAL:
		hint = "KVM refused TD_PARAMS: ATTRIBUTES and XFAM within KVM_TDX_CAPABILITIES, "
		       "CPUID only in configurable bits, and KVM_TDX_INIT_VM only once";
		break;
	case -EBUSY:
		hint = "KVM_TDX_INIT_VM must come before any vCPU is created";
		break;
	case -EAGAIN:
		hint = "the TDX module had no entropy for the TD's keys (TDX_RND_NO_ENTROPY): "
		       "try again";
		break;
	case -ENOSPC:
		hint = "no TDX guest KeyID is free: destroy a TD first";
		break;
	default:
		hint = NULL;
	}
	return tdx_kvm_cmd_err(ret, "KVM_TDX_INIT_VM", TDH_MNG_INIT, hw_error, hint, ctx);
}

/* @value's bits must be among @supported, or KVM_TDX_INIT_VM refuses them. */
static int within_caps(const char *what, uint64_t value, const char *caps_field,
		       uint64_t supported, const char *policy_field)
{
	if (!(value & ~supported))
		return 0;
	return coco_err(-EINVAL, "tdx: %s 0x%llx ask for 0x%llx, which this KVM and TDX module "
			"do not offer (KVM_TDX_CAPABILITIES %s = 0x%llx); drop them from the "
			"policy's %s", what, (unsigned long long)value,
			(unsigned long long)(value & ~supported), caps_field,
			(unsigned long long)supported, policy_field);
}

/* What KVM would refuse with a bare -EINVAL, said plainly before asking it. */
static int check_td_config(const struct tdx_kvm_vm *k, const struct tdx_td_config *cfg)
{
	const struct tdx_kvm_capabilities *caps = k->host->caps;
	int ret = within_caps("TD ATTRIBUTES", cfg->attributes, "supported_attrs",
			      caps->supported_attrs, "attributes");

	return ret ? ret : within_caps("XFAM", cfg->xfam, "supported_xfam", caps->supported_xfam,
				       "xfam");
}

/* ------------------------------------------------------------------ */
/* vCPUs                                                                */

/*
 * KVM_SET_CPUID2 before KVM_TDX_INIT_VCPU: KVM puts the vCPU's APIC in
 * x2APIC mode there, which it refuses unless the vCPU's CPUID has x2APIC.
 */
static int set_vcpu_cpuid(struct tdx_kvm_vm *k, const struct coco_kvm_vcpu *v)
{
	const struct tdx_kvm_capabilities *caps = k->host->caps;
	struct kvm_cpuid2 *cpuid;
	struct kvm_cpuid_entry2 *e;
	bool have_leaf1 = false;
	int ret;

	cpuid = calloc(1, sizeof(*cpuid) + (caps->cpuid_nent + 2) * sizeof(*e));
	if (!cpuid)
		return coco_err(-ENOMEM, "tdx: out of memory");
	e = (struct kvm_cpuid_entry2 *)(cpuid + 1);
	cpuid->nent = build_td_cpuid(caps, e);
	for (uint32_t i = 0; i < cpuid->nent; i++)
		if (e[i].function == CPUID_FEATURES) {
			e[i].ecx |= CPUID_1_ECX_X2APIC;
			have_leaf1 = true;
		}
	if (!have_leaf1)
		e[cpuid->nent++] = (struct kvm_cpuid_entry2){ .function = CPUID_FEATURES,
							      .ecx = CPUID_1_ECX_X2APIC };
	ret = coco_kvm_ioctl(v->fd, KVM_SET_CPUID2, cpuid);
	free(cpuid);
	if (ret < 0)
		return coco_err(ret, "KVM_SET_CPUID2(vCPU %u): %s (errno %d)", v->index,
				strerror(-ret), -ret);
	return 0;
}

static int add_vcpu(struct tdx_kvm_vm *k, uint32_t index)
{
	struct coco_kvm_vcpu *v;
	uint64_t hw_error = 0;
	char ctx[32];
	int ret = coco_kvm_vm_add_vcpu(&k->kvm, index, &v);

	if (ret)
		return ret;
	ret = set_vcpu_cpuid(k, v);
	if (ret)
		return ret;
	/*
	 * The initial guest RCX.  TDVF finds its TD HOB through its own
	 * metadata, so 0 serves; QEMU passes the TD HOB's GPA here.
	 */
	ret = tdx_cmd(v->fd, TDX_KVM_INIT_VCPU, 0, 0, &hw_error);
	if (ret >= 0)
		return 0;
	snprintf(ctx, sizeof(ctx), "vCPU %u", index);
	return tdx_kvm_cmd_err(ret, "KVM_TDX_INIT_VCPU", TDH_VP_INIT, hw_error,
			       ret == -EINVAL ? "the vCPU needs x2APIC in its CPUID and may be "
						"initialised once, after KVM_TDX_INIT_VM"
					      : NULL,
			       ctx);
}

/* ------------------------------------------------------------------ */
/* The launch sink                                                      */

static int sink_start(struct coco_vm *vm, const struct tdx_td_config *cfg)
{
	struct tdx_kvm_vm *k = kvm_vm_of(vm);
	int ret = check_td_config(k, cfg);

	if (ret)
		return ret;
	if (cfg->max_vcpus) {
		ret = enable_cap(k, KVM_CAP_MAX_VCPUS, "KVM_CAP_MAX_VCPUS", cfg->max_vcpus,
				 "KVM limits a TD to the host's logical CPUs: lower max_vcpus");
		if (ret)
			return ret;
	}
	if (cfg->tsc_khz) {
		ret = coco_kvm_ioctl(k->kvm.vm_fd, KVM_SET_TSC_KHZ,
				     (void *)(uintptr_t)cfg->tsc_khz);
		if (ret < 0)
			return coco_err(ret, "KVM_SET_TSC_KHZ(%u) on the TD: %s (errno %d); KVM "
					"sets a TD's TSC frequency VM-wide (KVM_CAP_VM_TSC_CONTROL) "
					"or leave tsc_khz 0 for the host's", cfg->tsc_khz,
					strerror(-ret), -ret);
	}
	ret = init_vm(k, cfg);
	if (ret)
		return ret;
	for (uint32_t i = 0; i < vm->config.vcpus; i++) {
		ret = add_vcpu(k, i);
		if (ret)
			return ret;
	}
	k->vcpus_initialized = true;
	return 0;
}

/*
 * KVM_TDX_INIT_MEM_REGION of [gpa, +npages) from @source (host memory the
 * kernel reads), retried until KVM has added every page.
 */
static int init_mem_region(struct tdx_kvm_vm *k, uint64_t gpa, const uint8_t *source,
			   uint64_t npages, bool extend)
{
	struct tdx_kvm_init_mem_region r = {
		.source_addr = (uint64_t)(uintptr_t)source,
		.gpa = gpa,
		.nr_pages = npages,
	};
	const uint64_t end = gpa + npages * TDX_PAGE_SIZE;
	unsigned int stalls = 0;

	while (r.nr_pages) {
		uint64_t before = r.nr_pages, hw_error = 0;
		char ctx[96];
		int ret = tdx_cmd(k->kvm.vcpus[0].fd, TDX_KVM_INIT_MEM_REGION,
				  extend ? (uint32_t)KVM_TDX_MEASURE_MEMORY_REGION : 0,
				  (uint64_t)(uintptr_t)&r, &hw_error);

		if (ret < 0 && ret != -EINTR && ret != -EAGAIN) {
			snprintf(ctx, sizeof(ctx), "GPA 0x%llx, %llu pages, %s",
				 (unsigned long long)r.gpa, (unsigned long long)r.nr_pages,
				 extend ? "measured" : "not measured");
			return tdx_kvm_cmd_err(ret, "KVM_TDX_INIT_MEM_REGION", TDH_MEM_PAGE_ADD,
					       hw_error,
					       ret == -EINVAL
						       ? "the pages must be private "
							 "(KVM_SET_MEMORY_ATTRIBUTES) in a guest_memfd "
							 "slot, page-aligned, added once, after "
							 "KVM_TDX_INIT_VCPU and before "
							 "KVM_TDX_FINALIZE_VM"
						       : NULL,
					       ctx);
		}
		/* KVM moved all three fields on by the pages it added. */
		if (r.nr_pages > before || r.gpa + r.nr_pages * TDX_PAGE_SIZE != end ||
		    r.source_addr != (uint64_t)(uintptr_t)source + (r.gpa - gpa))
			return coco_err(-EIO, "KVM_TDX_INIT_MEM_REGION: KVM returned an "
					"inconsistent remaining range (gpa 0x%llx, source 0x%llx, "
					"%llu pages) for [0x%llx, 0x%llx)",
					(unsigned long long)r.gpa, (unsigned long long)r.source_addr,
					(unsigned long long)r.nr_pages, (unsigned long long)gpa,
					(unsigned long long)end);
		if (r.nr_pages == before) {
			if (++stalls > INIT_MEM_MAX_STALLS)
				return coco_err(ret < 0 ? ret : -EIO,
						"KVM_TDX_INIT_MEM_REGION: GPA 0x%llx: no progress "
						"in %u calls (%s); giving up",
						(unsigned long long)r.gpa, stalls - 1,
						ret < 0 ? strerror(-ret) : "KVM returned success");
			retry_pause();
		} else {
			stalls = 0;
		}
	}
	return 0;
}

static int sink_add_pages(struct coco_vm *vm, uint64_t gpa, const uint8_t *src, uint64_t npages,
			  bool extend)
{
	struct tdx_kvm_vm *k = kvm_vm_of(vm);
	uint64_t pos = gpa, end = gpa + npages * TDX_PAGE_SIZE;

	if (!k->vcpus_initialized || !k->kvm.nvcpus)
		return coco_err(-EINVAL, "KVM_TDX_INIT_MEM_REGION: the TD has no initialised vCPU "
				"yet (KVM adds initial pages through one)");
	/* A run may cross from one memory slot into the next. */
	while (pos < end) {
		struct coco_mem_slot *slot = coco_vm_find_slot(vm, pos);
		uint64_t n;
		uint8_t *host;
		int ret;

		if (!slot || !slot->priv)
			return coco_err(-EINVAL, "KVM_TDX_INIT_MEM_REGION: GPA 0x%llx is not in a "
					"guest memory slot", (unsigned long long)pos);
		n = COCO_MIN(end - pos, slot->gpa + slot->size - pos);
		host = slot->host + (pos - slot->gpa);
		/*
		 * KVM copies the contents from a user address: stage them in the
		 * slot's shared mapping at the GPA, the page's host view anyway.
		 */
		memcpy(host, src + (pos - gpa), n);
		/* The range must be private before KVM adds it (idempotent if it is). */
		ret = coco_kvm_vm_set_private(&k->kvm, pos, n, true);
		if (ret)
			return coco_err_context(ret, "KVM_TDX_INIT_MEM_REGION");
		ret = init_mem_region(k, pos, host, n / TDX_PAGE_SIZE, extend);
		if (ret)
			return ret;
		pos += n;
	}
	return 0;
}

static int sink_finish(struct coco_vm *vm, struct coco_measurement *measurement)
{
	struct tdx_kvm_vm *k = kvm_vm_of(vm);
	unsigned int busy = 0;

	/* MRTD stays inside the TDX module; the TD's reports carry it. */
	(void)measurement;
	for (;;) {
		uint64_t hw_error = 0;
		int ret = tdx_cmd(k->kvm.vm_fd, TDX_KVM_FINALIZE_VM, 0, 0, &hw_error);

		if (ret >= 0)
			return 0;
		/* TDX_OPERAND_BUSY: another SEAMCALL holds the TD; KVM says try again. */
		if (ret == -EAGAIN && ++busy <= INIT_MEM_MAX_STALLS) {
			retry_pause();
			continue;
		}
		return tdx_kvm_cmd_err(ret, "KVM_TDX_FINALIZE_VM", TDH_MR_FINALIZE, hw_error,
				       ret == -EINVAL ? "the TD must be initialised, not finalised "
							"already, and every page mapped must have "
							"been added with KVM_TDX_INIT_MEM_REGION"
				       : ret == -EAGAIN ? "the TDX module stayed busy"
							: NULL,
				       NULL);
	}
}

const struct tdx_launch_sink_ops tdx_kvm_sink = {
	.name = "kvm",
	.start = sink_start,
	.add_pages = sink_add_pages,
	.finish = sink_finish,
};

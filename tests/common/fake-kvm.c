/* SPDX-License-Identifier: Apache-2.0 */
/* A fake SEV-SNP host kernel behind the KVM seam (fake-kvm.h). */
#include "tests/common/fake-kvm.h"

#include <errno.h>
#include <linux/falloc.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/kvm-uapi.h"
#include "core/kvm.h"
#include "sev-snp/launch-digest.h"
#include "tdx/mrtd.h"

#define FD_BASE 1000
#define MAX_FDS 512
#define PAGE 4096ull
#define SNP_ACTIVE 1ull			/* SEV_FEATURES bit 0 */
#define POLICY_SMT (1ull << 16)		/* guest policy: SMT allowed */
#define POLICY_MBO (1ull << 17)		/* guest policy bit 17, must be one */
#define VMSA_RMP_GPA 0xFFFFFFFFF000ull	/* KVM's INITIAL_VMSA_GPA */

enum fd_kind { FD_FREE = 0, FD_SYS, FD_SEV, FD_VM, FD_VCPU, FD_GMEM };

static struct fake_kvm *F;
static enum fd_kind fds[MAX_FDS];
static int fd_index[MAX_FDS];		/* vCPU or guest_memfd number */
static struct snp_launch_digest digest;
static bool digest_ready;

static void record(enum fake_call call)
{
	if (F->ncalls < FAKE_MAX_CALLS)
		F->calls[F->ncalls++] = call;
}

static int new_fd(enum fd_kind kind, int index)
{
	for (int i = 0; i < MAX_FDS; i++)
		if (fds[i] == FD_FREE) {
			fds[i] = kind;
			fd_index[i] = index;
			F->open_fds++;
			return FD_BASE + i;
		}
	return -EMFILE;
}

static enum fd_kind kind_of(int fd)
{
	if (fd < FD_BASE || fd >= FD_BASE + MAX_FDS)
		return FD_FREE;
	return fds[fd - FD_BASE];
}

/* ------------------------------------------------------------------ */
/* Files, CPUID                                                         */

static int fake_open(const char *path, int flags)
{
	(void)flags;
	if (!strcmp(path, "/dev/kvm")) {
		record(FAKE_OPEN_KVM);
		return F->facts.dev_kvm_errno ? -F->facts.dev_kvm_errno : new_fd(FD_SYS, 0);
	}
	if (!strcmp(path, "/dev/sev")) {
		record(FAKE_OPEN_SEV);
		if (F->facts.dev_sev_errno)
			return -F->facts.dev_sev_errno;
		int fd = new_fd(FD_SEV, 0);
		F->sev_fd = fd;
		return fd;
	}
	return -ENOENT;
}

static int fake_close(int fd)
{
	record(FAKE_CLOSE);
	if (kind_of(fd) == FD_FREE)
		return -EBADF;
	fds[fd - FD_BASE] = FD_FREE;
	F->open_fds--;
	return 0;
}

static int copy_text(char *buf, size_t size, const char *text)
{
	snprintf(buf, size, "%s", text);
	return (int)strlen(buf);
}

static int fake_read_file(const char *path, char *buf, size_t size)
{
	if (!strcmp(path, "/sys/module/kvm_amd/parameters/sev_snp"))
		return F->facts.kvm_amd_sev_snp ? copy_text(buf, size, F->facts.kvm_amd_sev_snp)
						: -ENOENT;
	if (!strcmp(path, "/sys/module/kvm_amd/parameters/sev"))
		return F->facts.kvm_amd_loaded ? copy_text(buf, size, "Y\n") : -ENOENT;
	if (!strcmp(path, "/sys/module/kvm_intel/parameters/tdx"))
		return F->facts.kvm_intel_tdx ? copy_text(buf, size, F->facts.kvm_intel_tdx)
					      : -ENOENT;
	if (!strcmp(path, "/sys/fs/cgroup/misc.capacity"))
		return F->facts.misc_capacity ? copy_text(buf, size, F->facts.misc_capacity)
					      : -ENOENT;
	if (!strcmp(path, "/proc/cpuinfo")) {
		char text[1024];
		snprintf(text, sizeof(text),
			 "processor\t: 0\nvendor_id\t: %s\nmodel name\t: Fake EPYC\n"
			 "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic svm sme sev sev_es%s\n"
			 "bugs\t\t: sysret_ss_attrs\n\n"
			 "processor\t: 1\nvendor_id\t: %s\nflags\t\t: fpu vme\n",
			 F->facts.cpu_vendor, F->facts.cpuinfo_sev_snp ? " sev_snp" : "",
			 F->facts.cpu_vendor);
		return copy_text(buf, size, text);
	}
	return -ENOENT;
}

static void fake_cpuid(uint32_t leaf, uint32_t subleaf, uint32_t out[4])
{
	bool amd = !strcmp(F->facts.cpu_vendor, "AuthenticAMD");

	(void)subleaf;
	memset(out, 0, 4 * sizeof(out[0]));
	if (leaf == 0) {
		/* The vendor string is EBX, EDX, ECX. */
		out[0] = 0x10;
		memcpy(&out[1], F->facts.cpu_vendor, 4);
		memcpy(&out[3], F->facts.cpu_vendor + 4, 4);
		memcpy(&out[2], F->facts.cpu_vendor + 8, 4);
	} else if (leaf == 0x80000000u) {
		out[0] = amd ? 0x80000028u : 0x80000008u;
	} else if (leaf == 0x8000001Fu && amd) {
		/* SME (0), SEV (1), SEV-ES (3), SEV-SNP (4); ECX ASIDs; EDX min SEV ASID */
		out[0] = 1u | 2u | 8u | (F->facts.cpuid_snp ? 16u : 0u);
		out[2] = 1006;
		out[3] = F->facts.min_sev_asid;
	}
}

/* ------------------------------------------------------------------ */
/* /dev/kvm, /dev/sev                                                   */

static void mrtd_free(void);
static void mrtd_reset(void);

static void free_vm_records(void)
{
	mrtd_free();
	for (size_t i = 0; i < F->nupdates; i++) {
		free(F->updates[i].contents);
		F->updates[i].contents = NULL;
	}
	for (size_t i = 0; i < F->nvcpus; i++) {
		free(F->vcpus[i].run);
		F->vcpus[i].run = NULL;
	}
}

/* A new VM: forget the last one's launch (the call log and host facts stay). */
static void reset_vm_state(void)
{
	free_vm_records();
	F->vm_fd = -1;
	F->create_vm_type = 0;
	memset(&F->init2, 0, sizeof(F->init2));
	F->init2_sev_fd = 0;
	F->started = F->finished = false;
	memset(&F->start, 0, sizeof(F->start));
	memset(&F->finish, 0, sizeof(F->finish));
	F->ngmem = F->nregions = F->nattrs = F->nupdates = F->nfallocs = F->nvcpus = 0;
	F->npopulated = 0;
	if (digest_ready)
		snp_launch_digest_fini(&digest);
	digest_ready = snp_launch_digest_init(&digest) == 0;
	memset(F->digest, 0, sizeof(F->digest));
	F->split_irqchip = F->tdx_initialized = F->tdx_finalized = false;
	F->apic_bus_cycle_ns = 0;
	F->max_vcpus = F->tsc_khz = 0;
	memset(&F->tdx_init, 0, sizeof(F->tdx_init));
	F->tdx_init_ncpuid = 0;
	F->ntdx_mems = 0;
	mrtd_reset();
	/* The script is the test's; what happened to it is per VM. */
	F->irqchip = false;
	F->hypercall_exit_enabled = 0;
	memset(F->answers, 0, sizeof(F->answers));
	F->next_exit = 0;
	F->runs = 0;
}

static int sys_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_GET_API_VERSION:
		record(FAKE_GET_API_VERSION);
		return F->facts.api_version;
	case KVM_CHECK_EXTENSION:
		record(FAKE_CHECK_EXTENSION);
		switch ((long)(uintptr_t)arg) {
		case KVM_CAP_VM_TYPES:
			return (int)F->facts.vm_types;
		case KVM_CAP_GUEST_MEMFD:
			return F->facts.guest_memfd;
		case KVM_CAP_USER_MEMORY2:
			return F->facts.user_memory2;
		case KVM_CAP_MEMORY_ATTRIBUTES:
			return (int)F->facts.memory_attributes;
		case KVM_CAP_X86_APIC_BUS_CYCLES_NS:
			return F->facts.apic_bus_cycles_cap;
		case KVM_CAP_SPLIT_IRQCHIP:
		case KVM_CAP_VM_TSC_CONTROL:
			return 1;
		case KVM_CAP_MAX_VCPUS:
			return (int)F->facts.max_vcpus;
		case KVM_CAP_EXIT_HYPERCALL:
			return (int)F->facts.exit_hypercall_mask;
		default:
			return 0;
		}
	case KVM_GET_VCPU_MMAP_SIZE:
		record(FAKE_GET_VCPU_MMAP_SIZE);
		return F->facts.vcpu_mmap_size;
	case KVM_GET_DEVICE_ATTR: {
		struct kvm_device_attr *a = arg;
		record(FAKE_GET_DEVICE_ATTR);
		if (!F->facts.vmsa_features_attr || a->group != KVM_X86_GRP_SEV ||
		    a->attr != KVM_X86_SEV_VMSA_FEATURES)
			return -ENXIO;
		memcpy((void *)(uintptr_t)a->addr, &F->facts.vmsa_features, 8);
		return 0;
	}
	case KVM_CREATE_VM: {
		unsigned long type = (unsigned long)(uintptr_t)arg;
		record(FAKE_CREATE_VM);
		if (type >= 64 || !(F->facts.vm_types & (1ull << type)))
			return -EINVAL;
		/* One VM at a time: its records stay readable until the next one. */
		if (kind_of(F->vm_fd) == FD_VM)
			return -EBUSY;
		reset_vm_state();
		F->create_vm_type = type;
		F->vm_fd = new_fd(FD_VM, 0);
		return F->vm_fd;
	}
	}
	return -ENOTTY;
}

static int sev_ioctl(unsigned long req, void *arg)
{
	struct snp_sev_issue_cmd *cmd = arg;

	if (req != SEV_ISSUE_CMD)
		return -ENOTTY;
	record(FAKE_SNP_PLATFORM_STATUS);
	if (cmd->cmd != SNP_SEV_CMD_SNP_PLATFORM_STATUS)
		return -EINVAL;
	if (F->facts.status_errno) {
		cmd->error = F->facts.status_fw_error;
		return -F->facts.status_errno;
	}
	cmd->error = 0;
	memcpy((void *)(uintptr_t)cmd->data, F->facts.status, 32);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Guest memory as KVM sees it                                          */

static const struct coco_kvm_memory_region2 *region_of(uint64_t gpa)
{
	for (size_t i = F->nregions; i-- > 0;) {
		const struct coco_kvm_memory_region2 *r = &F->regions[i];
		if (gpa >= r->guest_phys_addr && gpa - r->guest_phys_addr < r->memory_size)
			return r;
	}
	return NULL;
}

static bool is_private(uint64_t gpa)
{
	for (size_t i = F->nattrs; i-- > 0;) {
		const struct coco_kvm_memory_attributes *a = &F->attrs[i];
		if (gpa >= a->address && gpa - a->address < a->size)
			return a->attributes == KVM_MEMORY_ATTRIBUTE_PRIVATE;
	}
	return false;
}

static bool is_populated(uint64_t gpa)
{
	for (size_t i = 0; i < F->npopulated; i++)
		if (F->populated[i] == gpa)
			return true;
	return false;
}

static int extend(uint8_t type, uint64_t gpa, const uint8_t *page)
{
	int ret = snp_launch_digest_extend_pages(&digest, type, gpa, page, 1);

	memcpy(F->digest, digest.ld, sizeof(F->digest));
	return ret;
}

/* ------------------------------------------------------------------ */
/* KVM's VMSA, built from the vCPU registers as sev_es_sync_vmsa does   */

static void put(uint8_t *p, uint32_t off, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_seg(uint8_t *vmsa, uint32_t off, const struct kvm_segment *s)
{
	uint32_t attrib = (s->type & 0xF) | (s->s & 1u) << 4 | (s->dpl & 3u) << 5 |
			  (uint32_t)((s->present & 1) && !s->unusable) << 7 | (s->avl & 1u) << 8 |
			  (s->l & 1u) << 9 | (s->db & 1u) << 10 | (s->g & 1u) << 11;

	put(vmsa, off, s->selector, 2);
	put(vmsa, off + 2, attrib, 2);
	put(vmsa, off + 4, s->limit, 4);
	put(vmsa, off + 8, s->base, 8);
}

static void build_vmsa(struct fake_vcpu *v)
{
	uint8_t *m = v->vmsa;
	const struct kvm_sregs *s = &v->sregs;
	const struct kvm_regs *r = &v->regs;

	memset(m, 0, sizeof(v->vmsa));
	put_seg(m, 0x00, &s->es);
	put_seg(m, 0x10, &s->cs);
	put_seg(m, 0x20, &s->ss);
	put_seg(m, 0x30, &s->ds);
	put_seg(m, 0x40, &s->fs);
	put_seg(m, 0x50, &s->gs);
	put(m, 0x64, s->gdt.limit, 4);
	put(m, 0x68, s->gdt.base, 8);
	put_seg(m, 0x70, &s->ldt);
	put(m, 0x84, s->idt.limit, 4);
	put(m, 0x88, s->idt.base, 8);
	put_seg(m, 0x90, &s->tr);
	put(m, 0xCB, s->ss.dpl, 1);
	put(m, 0xD0, s->efer | (1ull << 12), 8);		/* EFER.SVME */
	put(m, 0x148, s->cr4 | (1ull << 6), 8);			/* host CR4.MCE */
	put(m, 0x150, s->cr3, 8);
	put(m, 0x158, s->cr0 & ~((1ull << 29) | (1ull << 30)), 8);	/* CD_NW quirk */
	put(m, 0x160, v->debugregs.dr7, 8);
	put(m, 0x168, v->debugregs.dr6, 8);
	put(m, 0x170, r->rflags, 8);
	put(m, 0x178, r->rip, 8);
	put(m, 0x1D8, r->rsp, 8);
	put(m, 0x1F8, r->rax, 8);
	put(m, 0x268, v->pat, 8);
	put(m, 0x308, r->rcx, 8);
	put(m, 0x310, r->rdx, 8);
	put(m, 0x318, r->rbx, 8);
	put(m, 0x328, r->rbp, 8);
	put(m, 0x330, r->rsi, 8);
	put(m, 0x338, r->rdi, 8);
	put(m, 0x340, r->r8, 8);
	put(m, 0x348, r->r9, 8);
	put(m, 0x350, r->r10, 8);
	put(m, 0x358, r->r11, 8);
	put(m, 0x360, r->r12, 8);
	put(m, 0x368, r->r13, 8);
	put(m, 0x370, r->r14, 8);
	put(m, 0x378, r->r15, 8);
	put(m, 0x3B0, F->init2.vmsa_features | SNP_ACTIVE, 8);
	put(m, 0x3E8, v->xcr0, 8);
	put(m, 0x400, v->fpu.last_dp, 8);
	put(m, 0x408, v->fpu.mxcsr, 4);
	put(m, 0x40C, v->fpu.ftwx, 2);
	put(m, 0x40E, v->fpu.fsw, 2);
	put(m, 0x410, v->fpu.fcw, 2);
	put(m, 0x412, v->fpu.last_opcode, 2);
	put(m, 0x418, v->fpu.last_ip, 8);
}

/* ------------------------------------------------------------------ */
/* SEV commands                                                         */

static int launch_update(struct snp_kvm_sev_cmd *cmd)
{
	struct snp_kvm_launch_update *u = (void *)(uintptr_t)cmd->data;
	struct fake_update_record *rec = NULL;
	uint64_t npages, this_call;
	unsigned int call;

	if (F->nupdates < sizeof(F->updates) / sizeof(F->updates[0])) {
		rec = &F->updates[F->nupdates++];
		memset(rec, 0, sizeof(*rec));
		rec->sent = *u;
	}
	call = (unsigned int)F->nupdates;
#define FAIL(err, fw)                    \
	do {                             \
		cmd->error = (fw);       \
		if (rec) {               \
			rec->result = (err); \
			rec->fw_error = (fw); \
		}                        \
		return (err);            \
	} while (0)

	if (F->faults.update_eagain) {
		F->faults.update_eagain--;
		FAIL(-EAGAIN, 0);
	}
	if (F->faults.update_fail_call == call)
		FAIL(-F->faults.update_fail_errno, F->faults.update_fail_fw);
	if (!F->started || F->finished)
		FAIL(-EINVAL, 0);
	if (u->type != 1 && u->type != 3 && u->type != 4 && u->type != 5 && u->type != 6)
		FAIL(-EINVAL, 0);
	if (u->flags || u->pad0 || u->pad1 || !u->len || u->len % PAGE)
		FAIL(-EINVAL, 0);
	if (u->type != SNP_KVM_PAGE_TYPE_ZERO && (!u->uaddr || u->uaddr % PAGE))
		FAIL(-EINVAL, 0);
	npages = u->len / PAGE;
	this_call = F->faults.update_chunk_pages && F->faults.update_chunk_pages < npages
		       ? F->faults.update_chunk_pages
		       : npages;
	if (F->faults.update_no_progress)
		this_call = 0;
	if (rec && u->type != SNP_KVM_PAGE_TYPE_ZERO && this_call) {
		rec->contents = malloc(this_call * PAGE);
		rec->contents_len = this_call * PAGE;
		memcpy(rec->contents, (void *)(uintptr_t)u->uaddr, this_call * PAGE);
	}
	for (uint64_t i = 0; i < this_call; i++) {
		uint64_t gpa = (u->gfn_start + i) * PAGE;
		const struct coco_kvm_memory_region2 *r = region_of(gpa);
		uint8_t *page = u->type == SNP_KVM_PAGE_TYPE_ZERO
					? NULL
					: (uint8_t *)(uintptr_t)(u->uaddr + i * PAGE);

		if (!r || !(r->flags & KVM_MEM_GUEST_MEMFD) || !is_private(gpa) ||
		    is_populated(gpa) || F->npopulated == sizeof(F->populated) / 8)
			FAIL(-EINVAL, 0);
		if (u->type == SNP_KVM_PAGE_TYPE_CPUID && F->faults.reject_cpuid) {
			/* The firmware's corrections come back in the source page. */
			page[0x10] ^= 0x5a;
			page[0x11] = 0x01;
			FAIL(-EIO, 0x16);
		}
		F->populated[F->npopulated++] = gpa;
		/* KVM's page types are the firmware's: the digest is the firmware's. */
		extend(u->type, gpa, page);
	}
	u->gfn_start += this_call;
	u->len -= this_call * PAGE;
	if (u->type != SNP_KVM_PAGE_TYPE_ZERO)
		u->uaddr += this_call * PAGE;
	cmd->error = 0;
	if (rec)
		rec->result = 0;
	return 0;
#undef FAIL
}

static int launch_finish(struct snp_kvm_sev_cmd *cmd)
{
	struct snp_kvm_launch_finish *f = (void *)(uintptr_t)cmd->data;

	record(FAKE_SNP_LAUNCH_FINISH);
	F->finish = *f;
	if (F->faults.finish_errno) {
		cmd->error = F->faults.finish_fw;
		return -F->faults.finish_errno;
	}
	if (!F->started || F->finished || f->flags)
		return -EINVAL;
	if (f->id_block_en) {
		memcpy(F->id_block, (void *)(uintptr_t)f->id_block_uaddr, sizeof(F->id_block));
		memcpy(F->id_auth, (void *)(uintptr_t)f->id_auth_uaddr, sizeof(F->id_auth));
	}
	/* KVM measures every vCPU's VMSA first, in creation order. */
	for (size_t i = 0; i < F->nvcpus; i++) {
		struct fake_vcpu *v = &F->vcpus[i];
		if (v->debugregs.dr7 != 0x400)
			return -EINVAL;
		build_vmsa(v);
		extend(2, VMSA_RMP_GPA, v->vmsa);
	}
	F->finished = true;
	cmd->error = 0;
	return 0;
}

static int encrypt_op(struct snp_kvm_sev_cmd *cmd)
{
	if (kind_of((int)cmd->sev_fd) != FD_SEV)
		return -EBADF;
	switch (cmd->id) {
	case SNP_KVM_SEV_INIT2: {
		struct snp_kvm_sev_init *init = (void *)(uintptr_t)cmd->data;
		record(FAKE_SEV_INIT2);
		F->init2 = *init;
		F->init2_sev_fd = cmd->sev_fd;
		if (F->faults.init2_errno) {
			cmd->error = F->faults.init2_fw;
			return -F->faults.init2_errno;
		}
		/* KVM accepts only the features it lists; SNPActive it adds itself. */
		if (init->flags || init->ghcb_version < 2 ||
		    (init->vmsa_features & ~(F->facts.vmsa_features_attr ? F->facts.vmsa_features
									 : 0)))
			return -EINVAL;
		return 0;
	}
	case SNP_KVM_SEV_SNP_LAUNCH_START: {
		struct snp_kvm_launch_start *s = (void *)(uintptr_t)cmd->data;
		uint32_t abi = (uint32_t)(s->policy >> 8 & 0xff) << 8 | (uint32_t)(s->policy & 0xff);
		record(FAKE_SNP_LAUNCH_START);
		F->start = *s;
		/* KVM's checks (a KVM that knows every policy bit up to 25). */
		if (F->started || !(s->policy & POLICY_MBO) || s->policy >> 26 || s->flags)
			return -EINVAL;
		/* The firmware's: SMT allowed on an SMT platform, an ABI it implements. */
		if ((F->facts.smt_enabled && !(s->policy & POLICY_SMT)) ||
		    abi > ((uint32_t)F->facts.status[0] << 8 | F->facts.status[1])) {
			cmd->error = 0x07;	/* POLICY_FAILURE */
			return -EIO;
		}
		F->started = true;
		return 0;
	}
	case SNP_KVM_SEV_SNP_LAUNCH_UPDATE:
		record(FAKE_SNP_LAUNCH_UPDATE);
		return launch_update(cmd);
	case SNP_KVM_SEV_SNP_LAUNCH_FINISH:
		return launch_finish(cmd);
	}
	return -EINVAL;
}

/* ------------------------------------------------------------------ */
/* TDX: KVM_TDX_* as KVM 6.16 checks them, MRTD as the TDX module forms it */

#define TDX_VM_TYPE 5
#define TDX_OPERAND_BUSY 0x8000020000000000ull
#define TDX_NO_VCPUS 0xC000060900000000ull
#define X2APIC_BIT (1u << 21)

static struct tdx_mrtd *mrtd;

static bool is_tdx(void)
{
	return F->create_vm_type == TDX_VM_TYPE;
}

static void mrtd_free(void)
{
	tdx_mrtd_free(mrtd);
	mrtd = NULL;
}

static void mrtd_reset(void)
{
	mrtd_free();
	memset(F->mrtd, 0, sizeof(F->mrtd));
}

static const struct kvm_cpuid_entry2 *find_cpuid(const struct kvm_cpuid_entry2 *e, uint32_t n,
						 uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < n; i++)
		if (e[i].function == function &&
		    (!(e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) || e[i].index == index))
			return &e[i];
	return NULL;
}

static int tdx_capabilities(struct tdx_kvm_cmd *cmd)
{
	struct tdx_kvm_capabilities *caps = (void *)(uintptr_t)cmd->data;

	record(FAKE_TDX_CAPABILITIES);
	if (cmd->flags)
		return -EINVAL;
	/* KVM reads only nent and says -E2BIG without telling how many it needs. */
	if (caps->cpuid_nent < F->facts.tdx_ncpuid_configs)
		return -E2BIG;
	memset(caps, 0, sizeof(*caps));
	caps->supported_attrs = F->facts.tdx_supported_attrs;
	caps->supported_xfam = F->facts.tdx_supported_xfam;
	caps->cpuid_nent = F->facts.tdx_ncpuid_configs;
	memcpy(caps->cpuid_entries, F->facts.tdx_cpuid_configs,
	       F->facts.tdx_ncpuid_configs * sizeof(caps->cpuid_entries[0]));
	return 0;
}

static int tdx_init_vm(struct tdx_kvm_cmd *cmd)
{
	const struct tdx_kvm_init_vm *iv = (const void *)(uintptr_t)cmd->data;
	const struct kvm_cpuid_entry2 *e;
	uint32_t guest_pa;

	record(FAKE_TDX_INIT_VM);
	F->tdx_init.attributes = iv->attributes;
	F->tdx_init.xfam = iv->xfam;
	memcpy(F->tdx_init.mrconfigid, iv->mrconfigid, 48);
	memcpy(F->tdx_init.mrowner, iv->mrowner, 48);
	memcpy(F->tdx_init.mrownerconfig, iv->mrownerconfig, 48);
	if (iv->cpuid_nent > TDX_KVM_MAX_CPUID_ENTRIES)
		return -E2BIG;
	F->tdx_init_ncpuid = iv->cpuid_nent < 64 ? iv->cpuid_nent : 64;
	memcpy(F->tdx_init_cpuid, iv->cpuid_entries, F->tdx_init_ncpuid * sizeof(F->tdx_init_cpuid[0]));
	if (F->faults.tdx_init_vm_errno) {
		cmd->hw_error = F->faults.tdx_init_vm_hw_error;
		return -F->faults.tdx_init_vm_errno;
	}
	if (F->tdx_initialized || cmd->flags || iv->cpuid_padding)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(iv->reserved) / sizeof(iv->reserved[0]); i++)
		if (iv->reserved[i])
			return -EINVAL;
	if (F->nvcpus)
		return -EBUSY;
	if (iv->attributes & ~F->facts.tdx_supported_attrs ||
	    iv->xfam & ~F->facts.tdx_supported_xfam)
		return -EINVAL;
	/* The EPT depth comes from the guest physical address width. */
	e = find_cpuid(iv->cpuid_entries, iv->cpuid_nent, 0x80000008u, 0);
	guest_pa = e ? e->eax >> 16 & 0xff : 0;
	if (guest_pa != 48 && guest_pa != 52)
		return -EINVAL;
	/* Userspace may set only the bits the module lets it configure. */
	for (uint32_t i = 0; i < F->facts.tdx_ncpuid_configs; i++) {
		const struct kvm_cpuid_entry2 *c = &F->facts.tdx_cpuid_configs[i];

		e = find_cpuid(iv->cpuid_entries, iv->cpuid_nent, c->function, c->index);
		if (e && ((e->eax & ~c->eax) || (e->ebx & ~c->ebx) || (e->ecx & ~c->ecx) ||
			  (e->edx & ~c->edx)))
			return -EINVAL;
	}
	/* TDH.MNG.INIT starts the MRTD hash. */
	mrtd_reset();
	if (tdx_mrtd_new(&mrtd))
		return -ENOMEM;
	F->tdx_initialized = true;
	return 0;
}

static int tdx_finalize_vm(struct tdx_kvm_cmd *cmd)
{
	record(FAKE_TDX_FINALIZE_VM);
	if (!F->tdx_initialized || F->tdx_finalized)
		return -EINVAL;
	if (F->faults.tdx_finalize_busy) {
		F->faults.tdx_finalize_busy--;
		cmd->hw_error = TDX_OPERAND_BUSY;
		return -EAGAIN;
	}
	if (F->faults.tdx_finalize_errno) {
		cmd->hw_error = F->faults.tdx_finalize_hw_error;
		return -F->faults.tdx_finalize_errno;
	}
	if (!F->nvcpus) {
		cmd->hw_error = TDX_NO_VCPUS;
		return -EIO;
	}
	if (tdx_mrtd_final(mrtd, F->mrtd))
		return -EIO;
	F->tdx_finalized = true;
	return 0;
}

static int tdx_vm_op(struct tdx_kvm_cmd *cmd)
{
	/* Userspace never sets hw_error: KVM fills it. */
	if (cmd->hw_error)
		return -EINVAL;
	switch (cmd->id) {
	case TDX_KVM_CAPABILITIES:
		return tdx_capabilities(cmd);
	case TDX_KVM_INIT_VM:
		return tdx_init_vm(cmd);
	case TDX_KVM_FINALIZE_VM:
		return tdx_finalize_vm(cmd);
	}
	return -EINVAL;
}

static int tdx_init_mem_region(struct fake_vcpu *v, struct tdx_kvm_cmd *cmd)
{
	struct tdx_kvm_init_mem_region *r = (void *)(uintptr_t)cmd->data;
	struct fake_tdx_mem_record *rec = NULL;
	bool measure = cmd->flags & KVM_TDX_MEASURE_MEMORY_REGION;
	uint64_t added = 0;
	unsigned int call;

	record(FAKE_TDX_INIT_MEM_REGION);
	if (F->ntdx_mems < sizeof(F->tdx_mems) / sizeof(F->tdx_mems[0])) {
		rec = &F->tdx_mems[F->ntdx_mems++];
		memset(rec, 0, sizeof(*rec));
		rec->sent = *r;
		rec->flags = cmd->flags;
	}
	call = (unsigned int)F->ntdx_mems;
#define FAIL(err, hw)                         \
	do {                                  \
		cmd->hw_error = (hw);         \
		if (rec) {                    \
			rec->result = (err);  \
			rec->hw_error = (hw); \
		}                             \
		return (err);                 \
	} while (0)

	if (F->faults.tdx_mem_fail_call == call)
		FAIL(-F->faults.tdx_mem_fail_errno, F->faults.tdx_mem_fail_hw_error);
	if (!v->tdx_initialized || cmd->flags & ~(uint32_t)KVM_TDX_MEASURE_MEMORY_REGION)
		FAIL(-EINVAL, 0);
	if (r->source_addr % PAGE || r->gpa % PAGE || !r->nr_pages ||
	    r->gpa + r->nr_pages * PAGE <= r->gpa)
		FAIL(-EINVAL, 0);
	while (r->nr_pages) {
		const struct coco_kvm_memory_region2 *slot = region_of(r->gpa);

		if (F->faults.tdx_mem_chunk_pages && added == F->faults.tdx_mem_chunk_pages)
			FAIL(-EINTR, 0);	/* a signal: userspace calls again */
		if (!slot || !(slot->flags & KVM_MEM_GUEST_MEMFD) || !is_private(r->gpa) ||
		    F->npopulated == sizeof(F->populated) / 8)
			FAIL(-EINVAL, 0);
		if (is_populated(r->gpa))
			FAIL(-EEXIST, 0);
		F->populated_measured[F->npopulated] = measure;
		F->populated[F->npopulated++] = r->gpa;
		/* TDH.MEM.PAGE.ADD, then with the flag the page's 16 TDH.MR.EXTENDs. */
		if (tdx_mrtd_add_pages(mrtd, r->gpa, (const uint8_t *)(uintptr_t)r->source_addr, 1,
				       measure))
			FAIL(-EIO, 0);
		r->source_addr += PAGE;
		r->gpa += PAGE;
		r->nr_pages--;
		added++;
	}
	if (rec)
		rec->result = 0;
	return 0;
#undef FAIL
}

static int tdx_vcpu_op(struct fake_vcpu *v, struct tdx_kvm_cmd *cmd)
{
	if (!F->tdx_initialized || F->tdx_finalized || cmd->hw_error)
		return -EINVAL;
	switch (cmd->id) {
	case TDX_KVM_INIT_VCPU:
		record(FAKE_TDX_INIT_VCPU);
		/* x2APIC mode needs x2APIC in the vCPU's CPUID (KVM_SET_CPUID2 first). */
		if (cmd->flags || v->tdx_initialized || !v->cpuid_x2apic)
			return -EINVAL;
		v->tdx_initialized = true;
		v->tdx_rcx = cmd->data;
		return 0;
	case TDX_KVM_INIT_MEM_REGION:
		return tdx_init_mem_region(v, cmd);
	}
	return -EINVAL;
}

static int tdx_vcpu_ioctl(struct fake_vcpu *v, unsigned long req, void *arg)
{
	switch (req) {
	case KVM_MEMORY_ENCRYPT_OP:
		return tdx_vcpu_op(v, arg);
	case KVM_SET_CPUID2: {
		const struct kvm_cpuid2 *c = arg;
		const struct kvm_cpuid_entry2 *leaf1;

		record(FAKE_SET_CPUID2);
		if (c->nent > TDX_KVM_MAX_CPUID_ENTRIES || v->tdx_initialized)
			return -EINVAL;
		leaf1 = find_cpuid(c->entries, c->nent, 1, 0);
		v->cpuid_x2apic = leaf1 && (leaf1->ecx & X2APIC_BIT);
		return 0;
	}
	}
	record(FAKE_VCPU_REGS);
	/* A TD's registers belong to the TDX module. */
	return -EINVAL;
}

/* The VM-wide settings a TD needs before its vCPUs. */
static int enable_cap(const struct kvm_enable_cap *ec)
{
	record(FAKE_ENABLE_CAP);
	if (ec->flags)
		return -EINVAL;
	switch (ec->cap) {
	case KVM_CAP_SPLIT_IRQCHIP:
		if (F->irqchip)
			return -EEXIST;
		if (F->nvcpus || F->split_irqchip || ec->args[0] > 24)
			return -EINVAL;
		F->split_irqchip = true;
		return 0;
	case KVM_CAP_X86_APIC_BUS_CYCLES_NS:
		if (!F->facts.apic_bus_cycles_cap || F->nvcpus || !ec->args[0])
			return -EINVAL;
		F->apic_bus_cycle_ns = ec->args[0];
		return 0;
	case KVM_CAP_MAX_VCPUS:
		if (F->nvcpus || !ec->args[0] || ec->args[0] > F->facts.max_vcpus)
			return -EINVAL;
		F->max_vcpus = (uint32_t)ec->args[0];
		return 0;
	case KVM_CAP_EXIT_HYPERCALL:
		/* Any time; bits KVM cannot hand over are refused (KVM_EXIT_HYPERCALL_VALID_MASK). */
		if (ec->args[0] & ~F->facts.exit_hypercall_mask)
			return -EINVAL;
		F->hypercall_exit_enabled = ec->args[0];
		return 0;
	}
	return -EINVAL;
}

static int vm_ioctl(unsigned long req, void *arg)
{
	switch (req) {
	case KVM_MEMORY_ENCRYPT_OP:
		return is_tdx() ? tdx_vm_op(arg) : encrypt_op(arg);
	case KVM_CHECK_EXTENSION:
		return sys_ioctl(req, arg);
	case KVM_ENABLE_CAP:
		return enable_cap(arg);
	case KVM_CREATE_IRQCHIP:
		record(FAKE_CREATE_IRQCHIP);
		/* kvm_arch_vm_ioctl: once, and only before any vCPU. */
		if (F->irqchip || F->split_irqchip)
			return -EEXIST;
		if (F->nvcpus)
			return -EINVAL;
		F->irqchip = true;
		return 0;
	case KVM_SET_TSC_KHZ:
		record(FAKE_SET_TSC_KHZ);
		/* VM-wide: only before vCPUs (KVM_CAP_VM_TSC_CONTROL). */
		if (F->nvcpus)
			return -EBUSY;
		if (!arg || (uintptr_t)arg > UINT32_MAX)
			return -EINVAL;
		F->tsc_khz = (uint32_t)(uintptr_t)arg;
		return 0;
	case KVM_CREATE_GUEST_MEMFD: {
		struct coco_kvm_create_guest_memfd *g = arg;
		record(FAKE_CREATE_GUEST_MEMFD);
		if (!g->size || g->size % PAGE || g->flags || F->ngmem == FAKE_MAX_RECORDS)
			return -EINVAL;
		F->gmem[F->ngmem] = *g;
		F->gmem_fd[F->ngmem] = new_fd(FD_GMEM, (int)F->ngmem);
		return F->gmem_fd[F->ngmem++];
	}
	case KVM_SET_USER_MEMORY_REGION2: {
		struct coco_kvm_memory_region2 *r = arg;
		int fd = (int)r->guest_memfd;
		record(FAKE_SET_USER_MEMORY_REGION2);
		if (F->nregions == FAKE_MAX_RECORDS)
			return -ENOSPC;
		if (r->memory_size == 0) {	/* delete: keep a record, drop the slot */
			for (size_t i = 0; i < F->nregions; i++)
				if (F->regions[i].slot == r->slot)
					F->regions[i].memory_size = 0;
			return 0;
		}
		if (!(r->flags & KVM_MEM_GUEST_MEMFD) || kind_of(fd) != FD_GMEM ||
		    r->guest_phys_addr % PAGE || r->memory_size % PAGE || !r->userspace_addr ||
		    r->userspace_addr % PAGE ||
		    r->guest_memfd_offset + r->memory_size > F->gmem[fd_index[fd - FD_BASE]].size)
			return -EINVAL;
		for (size_t i = 0; i < F->nregions; i++)
			if (F->regions[i].slot == r->slot && F->regions[i].memory_size)
				return -EEXIST;
		F->regions[F->nregions++] = *r;
		return 0;
	}
	case KVM_SET_MEMORY_ATTRIBUTES: {
		struct coco_kvm_memory_attributes *a = arg;
		record(FAKE_SET_MEMORY_ATTRIBUTES);
		if (F->faults.attributes_fail_call &&
		    fake_kvm_count(F, FAKE_SET_MEMORY_ATTRIBUTES) == F->faults.attributes_fail_call)
			return -ENOMEM;
		if (a->flags || a->address % PAGE || !a->size || a->size % PAGE ||
		    (a->attributes && a->attributes != KVM_MEMORY_ATTRIBUTE_PRIVATE) ||
		    F->nattrs == FAKE_MAX_RECORDS)
			return -EINVAL;
		F->attrs[F->nattrs++] = *a;
		return 0;
	}
	case KVM_CREATE_VCPU: {
		unsigned long id = (unsigned long)(uintptr_t)arg;
		struct fake_vcpu *v;
		record(FAKE_CREATE_VCPU);
		if (id >= 8 || F->nvcpus == 8 || F->finished)
			return -EINVAL;
		/* A TD's vCPUs: after KVM_TDX_INIT_VM, with KVM's local APIC, within max_vcpus. */
		if (is_tdx() && !F->tdx_initialized)
			return -EIO;
		if (is_tdx() && (!F->split_irqchip || F->tdx_finalized ||
				 (F->max_vcpus && F->nvcpus >= F->max_vcpus)))
			return -EINVAL;
		for (size_t i = 0; i < F->nvcpus; i++)
			if (F->vcpus[i].id == id)
				return -EEXIST;
		v = &F->vcpus[F->nvcpus];
		memset(v, 0, sizeof(*v));
		v->id = (uint32_t)id;
		/* KVM's reset state, which userspace reads before it changes it. */
		v->sregs.cs.base = 0xffff0000;
		v->sregs.cs.selector = 0xf000;
		v->sregs.cs.limit = 0xffff;
		v->sregs.cs.type = 0xb;
		v->sregs.cs.present = 1;
		v->sregs.cs.s = 1;
		v->sregs.cr0 = 0x60000010;
		v->sregs.apic_base = 0xfee00900;
		v->regs.rip = 0xfff0;
		v->regs.rflags = 2;
		v->regs.rdx = 0x600;
		v->fpu.fcw = 0x37f;
		v->fpu.mxcsr = 0x1f80;
		v->debugregs.dr6 = 0xffff0ff0;
		v->debugregs.dr7 = 0x400;
		v->xcr0 = 1;
		v->pat = 0x0007040600070406ull;
		v->fd = new_fd(FD_VCPU, (int)F->nvcpus);
		F->nvcpus++;
		return v->fd;
	}
	}
	return -ENOTTY;
}

/* ------------------------------------------------------------------ */
/* KVM_RUN: the scripted guest                                          */

/* The host view of shared guest memory at @gpa (the slot's userspace_addr), or NULL. */
static uint8_t *shared_host(uint64_t gpa, uint64_t len)
{
	const struct coco_kvm_memory_region2 *r = region_of(gpa);

	if (!r || len > r->memory_size - (gpa - r->guest_phys_addr))
		return NULL;
	for (uint64_t off = 0; off < len; off += PAGE)
		if (is_private((gpa + off) & ~(PAGE - 1)))
			return NULL;
	return (uint8_t *)(uintptr_t)r->userspace_addr + (gpa - r->guest_phys_addr);
}

static void put_le(uint8_t *p, uint64_t v, int size)
{
	for (int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* The guest's GetQuote request: header {version 1, IN_FLIGHT, in_len 1024, out_len 0}, TDREPORT. */
static bool write_quote_request(uint64_t gpa)
{
	uint8_t *p = shared_host(gpa, 24 + 1024);

	if (!p)
		return false;
	put_le(p, 1, 8);
	put_le(p + 8, ~0ull, 8);
	put_le(p + 16, 1024, 4);
	put_le(p + 20, 0, 4);
	memset(p + 24, 0x5a, 1024);
	return true;
}

/* What user space answered to the last exit reported. */
static void collect_answer(struct kvm_run *run)
{
	struct fake_exit_answer *a;
	const struct fake_exit *e;
	const struct coco_kvm_tdx_exit *t;

	if (!F->next_exit || F->answers[F->next_exit - 1].answered ||
	    !F->answers[F->next_exit - 1].delivered)
		return;
	a = &F->answers[F->next_exit - 1];
	e = &F->script[F->next_exit - 1];
	a->answered = true;
	switch (e->kind) {
	case FAKE_EXIT_MAP_GPA:
		a->ret = run->hypercall.ret;
		break;
	case FAKE_EXIT_TDX:
		t = (const struct coco_kvm_tdx_exit *)(const void *)((const char *)run +
								       offsetof(struct kvm_run, hw));
		a->ret = t->unknown.ret;
		memcpy(a->words, t->unknown.data, sizeof(a->words));
		if (e->nr == 0x10002) {	/* GetQuote: the header the guest would now poll */
			const uint8_t *p = shared_host(e->words[0], sizeof(a->quote_header));

			if (p)
				memcpy(a->quote_header, p, sizeof(a->quote_header));
		}
		break;
	default:
		break;
	}
}

/* Fill @run with script entry @e; false if KVM would not hand it to user space. */
static bool report_exit(struct kvm_run *run, const struct fake_exit *e, struct fake_exit_answer *a)
{
	char *exit_union = (char *)run + offsetof(struct kvm_run, hw);

	memset(exit_union, 0, sizeof(run->padding));
	switch (e->kind) {
	case FAKE_EXIT_MAP_GPA:
		/* SNP PSC / TDX MapGPA: KVM fails it in the guest unless user space asked for it. */
		if (!(F->hypercall_exit_enabled & (1ull << KVM_HC_MAP_GPA_RANGE)))
			return false;
		run->exit_reason = KVM_EXIT_HYPERCALL;
		run->hypercall.nr = KVM_HC_MAP_GPA_RANGE;
		run->hypercall.args[0] = e->gpa;
		run->hypercall.args[1] = e->npages;
		run->hypercall.args[2] = e->attrs;
		run->hypercall.ret = (uint64_t)-38;	/* -KVM_ENOSYS: user space must answer */
		return true;
	case FAKE_EXIT_MEMORY_FAULT: {
		struct coco_kvm_memory_fault *f = (struct coco_kvm_memory_fault *)(void *)exit_union;

		run->exit_reason = KVM_EXIT_MEMORY_FAULT;
		f->flags = e->attrs;
		f->gpa = e->gpa;
		f->size = e->npages * PAGE;
		return true;
	}
	case FAKE_EXIT_IO_OUT:
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = KVM_EXIT_IO_OUT;
		run->io.port = e->port;
		run->io.size = e->size;
		run->io.count = e->count;
		run->io.data_offset = PAGE;	/* KVM_PIO_PAGE_OFFSET */
		memcpy((char *)run + PAGE, e->data, sizeof(e->data));
		return true;
	case FAKE_EXIT_TDX: {
		struct coco_kvm_tdx_exit *t = (struct coco_kvm_tdx_exit *)(void *)exit_union;

		if (e->write_quote_request)
			a->quote_request_written = write_quote_request(e->words[0]);
		run->exit_reason = KVM_EXIT_TDX;
		t->nr = e->nr;
		t->unknown.ret = 0x8000000000000003ull;	/* SUBFUNC_UNSUPPORTED until answered */
		memcpy(t->unknown.data, e->words, sizeof(t->unknown.data));
		return true;
	}
	case FAKE_EXIT_SYSTEM_EVENT:
		run->exit_reason = KVM_EXIT_SYSTEM_EVENT;
		run->system_event.type = e->event_type;
		run->system_event.ndata = e->ndata;
		memcpy(run->system_event.data, e->event_data, sizeof(run->system_event.data));
		return true;
	}
	return false;
}

/* Wait in the "kernel" until user space kicks the vCPU (immediate_exit + signal). */
static int wait_for_kick(struct kvm_run *run)
{
	const struct timespec pause = { .tv_sec = 0, .tv_nsec = 1000000L };

	while (!__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST))
		nanosleep(&pause, NULL);
	return -EINTR;
}

static int kvm_run(struct fake_vcpu *v)
{
	struct kvm_run *run = v->run;

	record(FAKE_RUN);
	/* A confidential vCPU runs only after the launch finished. */
	if (!run || (is_tdx() ? !F->tdx_finalized : !F->finished))
		return -EINVAL;
	if (__atomic_load_n(&run->immediate_exit, __ATOMIC_SEQ_CST))
		return -EINTR;
	if (v != &F->vcpus[0])
		return wait_for_kick(run);	/* an AP nobody started */
	F->runs++;
	collect_answer(run);
	while (F->next_exit < F->nscript) {
		size_t i = F->next_exit++;

		if (report_exit(run, &F->script[i], &F->answers[i])) {
			F->answers[i].delivered = true;
			return 0;
		}
	}
	run->exit_reason = KVM_EXIT_SHUTDOWN;	/* the guest ran off its script */
	return 0;
}

static int vcpu_ioctl(struct fake_vcpu *v, unsigned long req, void *arg)
{
	if (req == KVM_RUN)
		return kvm_run(v);
	if (is_tdx())
		return tdx_vcpu_ioctl(v, req, arg);
	record(FAKE_VCPU_REGS);
	/* After LAUNCH_FINISH the state is the guest's (guest_state_protected). */
	if (F->finished)
		return -EINVAL;
	switch (req) {
	case KVM_GET_SREGS:
		memcpy(arg, &v->sregs, sizeof(v->sregs));
		return 0;
	case KVM_SET_SREGS: {
		const struct kvm_sregs *s = arg;
		/* The guest has no CPUID with SVM or MCE: KVM refuses those bits. */
		if (s->efer & (1ull << 12) || s->cr4 & (1ull << 6))
			return -EINVAL;
		v->sregs = *s;
		v->sets++;
		return 0;
	}
	case KVM_GET_REGS:
		memcpy(arg, &v->regs, sizeof(v->regs));
		return 0;
	case KVM_SET_REGS:
		memcpy(&v->regs, arg, sizeof(v->regs));
		v->sets++;
		return 0;
	case KVM_GET_FPU:
		memcpy(arg, &v->fpu, sizeof(v->fpu));
		return 0;
	case KVM_SET_FPU:
		memcpy(&v->fpu, arg, sizeof(v->fpu));
		v->sets++;
		return 0;
	case KVM_GET_DEBUGREGS:
		memcpy(arg, &v->debugregs, sizeof(v->debugregs));
		return 0;
	case KVM_SET_DEBUGREGS: {
		const struct kvm_debugregs *d = arg;
		if (d->dr6 >> 32 || d->dr7 >> 32 || d->flags)
			return -EINVAL;
		v->debugregs = *d;
		v->sets++;
		return 0;
	}
	case KVM_SET_XCRS: {
		const struct kvm_xcrs *x = arg;
		if (x->nr_xcrs != 1 || x->xcrs[0].xcr != 0 || !(x->xcrs[0].value & 1))
			return -EINVAL;
		v->xcr0 = x->xcrs[0].value;
		v->sets++;
		return 0;
	}
	case KVM_SET_MSRS: {
		const struct kvm_msrs *m = arg;
		uint32_t n;
		for (n = 0; n < m->nmsrs; n++) {
			if (m->entries[n].index != 0x277)
				break;
			v->pat = m->entries[n].data;
		}
		v->sets++;
		return (int)n;
	}
	}
	return -ENOTTY;
}

static int fake_ioctl(int fd, unsigned long req, void *arg)
{
	switch (kind_of(fd)) {
	case FD_SYS:
		return sys_ioctl(req, arg);
	case FD_SEV:
		return sev_ioctl(req, arg);
	case FD_VM:
		return vm_ioctl(req, arg);
	case FD_VCPU:
		return vcpu_ioctl(&F->vcpus[fd_index[fd - FD_BASE]], req, arg);
	case FD_GMEM:
		return -ENOTTY;
	case FD_FREE:
		break;
	}
	return -EBADF;
}

static int fake_mmap(int fd, size_t len, int prot, int flags, off_t offset, void **addr)
{
	struct fake_vcpu *v;

	(void)prot;
	(void)flags;
	record(FAKE_MMAP);
	if (kind_of(fd) != FD_VCPU || offset || len != (size_t)F->facts.vcpu_mmap_size)
		return -EINVAL;
	v = &F->vcpus[fd_index[fd - FD_BASE]];
	v->run = calloc(1, len);
	if (!v->run)
		return -ENOMEM;
	F->mapped++;
	*addr = v->run;
	return 0;
}

static int fake_munmap(void *addr, size_t len)
{
	(void)len;
	record(FAKE_MUNMAP);
	for (size_t i = 0; i < F->nvcpus; i++)
		if (addr && F->vcpus[i].run == addr) {
			free(addr);
			F->vcpus[i].run = NULL;
			F->mapped--;
			return 0;
		}
	return -EINVAL;
}

static int fake_fallocate(int fd, int mode, off_t offset, off_t len)
{
	record(FAKE_FALLOCATE);
	if (kind_of(fd) != FD_GMEM || mode != (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE))
		return -EINVAL;
	if (F->faults.fallocate_errno)
		return -F->faults.fallocate_errno;
	if (F->nfallocs < FAKE_MAX_RECORDS) {
		F->fallocs[F->nfallocs].fd = fd;
		F->fallocs[F->nfallocs].mode = mode;
		F->fallocs[F->nfallocs].offset = offset;
		F->fallocs[F->nfallocs].len = len;
		F->nfallocs++;
	}
	return 0;
}

static const struct coco_kvm_ops fake_ops = {
	.open = fake_open,
	.close = fake_close,
	.ioctl = fake_ioctl,
	.mmap = fake_mmap,
	.munmap = fake_munmap,
	.fallocate = fake_fallocate,
	.read_file = fake_read_file,
	.cpuid = fake_cpuid,
};

/* ------------------------------------------------------------------ */

void fake_kvm_snp_host(struct fake_kvm_facts *f)
{
	memset(f, 0, sizeof(*f));
	f->api_version = 12;
	snprintf(f->cpu_vendor, sizeof(f->cpu_vendor), "AuthenticAMD");
	f->cpuid_snp = true;
	f->cpuinfo_sev_snp = true;
	f->kvm_amd_sev_snp = "Y\n";
	f->kvm_amd_loaded = true;
	f->vm_types = 1u << 0 | 1u << 2 | 1u << 3 | 1u << 4;	/* default, SEV, SEV-ES, SNP */
	f->guest_memfd = 1;
	f->user_memory2 = 1;
	f->memory_attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE;
	f->vmsa_features_attr = true;
	f->vmsa_features = 1u << 5;	/* DebugSwap */
	f->min_sev_asid = 101;		/* SEV-ES/SNP ASIDs 1..100 */
	f->vcpu_mmap_size = 3 * 4096;
	f->exit_hypercall_mask = 1ull << KVM_HC_MAP_GPA_RANGE;
	f->smt_enabled = true;
	/* SNP_PLATFORM_STATUS: API 1.55, INIT, RMP initialised, build 21, 0 guests. */
	f->status[0] = 1;
	f->status[1] = 55;
	f->status[2] = 1;
	f->status[3] = 1;
	f->status[4] = 21;
	f->status[0x10] = 0x03;	/* current TCB: BL 3 */
	f->status[0x16] = 0x14;	/* SNP 20 */
	f->status[0x17] = 0xd1;	/* microcode 0xd1 */
	memcpy(f->status + 0x18, f->status + 0x10, 8);
}

void fake_kvm_tdx_host(struct fake_kvm_facts *f)
{
	/* Leaves a TDX module 1.5 lets the host configure, with made-up configurable bits. */
	static const struct kvm_cpuid_entry2 configs[] = {
		{ .function = 0x1, .eax = 0x0fff3fff, .ebx = 0x00ff0000, .ecx = 0x31fa3203,
		  .edx = 0x1f8bfbff },
		{ .function = 0x7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .ebx = 0xd19f27eb, .ecx = 0x1a405f6e, .edx = 0x1c014418 },
		{ .function = 0x7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x00001c30 },
		{ .function = 0xd, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x000602e7 },
		{ .function = 0xd, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x0000001e, .ecx = 0x00011900 },
		{ .function = 0x14, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0xffffffff, .ebx = 0x000001ff },
		{ .function = 0x19, .ebx = 0x00000015 },
		{ .function = 0x1c, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x4000000b },
		{ .function = 0x24, .eax = 0xff },
		{ .function = 0x80000001, .ecx = 0x00000121, .edx = 0x2c100800 },
		{ .function = 0x80000007, .edx = 0x00000100 },
		/* KVM makes the guest physical address width (EAX[23:16]) configurable. */
		{ .function = 0x80000008, .eax = 0x00ff00ff, .ebx = 0x00000200 },
	};

	memset(f, 0, sizeof(*f));
	f->api_version = 12;
	snprintf(f->cpu_vendor, sizeof(f->cpu_vendor), "GenuineIntel");
	f->kvm_intel_tdx = "Y\n";
	f->misc_capacity = "sev 0\nsev_es 0\ntdx 48\n";
	f->vm_types = 1u << 0 | 1u << 1 | 1u << 5;	/* default, SW_PROTECTED, TDX */
	f->guest_memfd = 1;
	f->user_memory2 = 1;
	f->memory_attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE;
	f->apic_bus_cycles_cap = true;
	f->max_vcpus = 8;
	f->vcpu_mmap_size = 3 * 4096;
	f->exit_hypercall_mask = 1ull << KVM_HC_MAP_GPA_RANGE;
	/*
	 * KVM 6.16 itself offers SEPT_VE_DISABLE only; DEBUG too, as a KVM with
	 * debug TDs would (the conformance suite launches one).
	 */
	f->tdx_supported_attrs = 1ull << 28 | 1ull << 0;
	f->tdx_supported_xfam = 0x61ae7ull | 1ull << 8;	/* the default, and PT */
	memcpy(f->tdx_cpuid_configs, configs, sizeof(configs));
	f->tdx_ncpuid_configs = sizeof(configs) / sizeof(configs[0]);
}

void fake_kvm_free_records(struct fake_kvm *fake)
{
	struct fake_kvm *installed = F;

	F = fake;
	free_vm_records();
	F = installed;
}

void fake_kvm_reset_records(struct fake_kvm *fake)
{
	struct fake_kvm_facts facts = fake->facts;
	struct fake_kvm_faults faults = fake->faults;

	fake_kvm_free_records(fake);
	memset(fake, 0, sizeof(*fake));
	fake->facts = facts;
	fake->faults = faults;
	fake->vm_fd = fake->sev_fd = -1;
	memset(fds, 0, sizeof(fds));
	if (digest_ready)
		snp_launch_digest_fini(&digest);
	digest_ready = snp_launch_digest_init(&digest) == 0;
}

void fake_kvm_install(struct fake_kvm *fake)
{
	if (!fake) {
		mrtd_free();
		if (digest_ready)
			snp_launch_digest_fini(&digest);
		digest_ready = false;
		F = NULL;
		coco_kvm_set_ops(NULL);
		return;
	}
	F = fake;
	fake_kvm_reset_records(fake);
	coco_kvm_set_ops(&fake_ops);
}

size_t fake_kvm_count(const struct fake_kvm *fake, enum fake_call kind)
{
	size_t n = 0;

	for (size_t i = 0; i < fake->ncalls; i++)
		n += fake->calls[i] == kind;
	return n;
}

long fake_kvm_find(const struct fake_kvm *fake, enum fake_call kind, size_t from)
{
	for (size_t i = from; i < fake->ncalls; i++)
		if (fake->calls[i] == kind)
			return (long)i;
	return -1;
}

const char *fake_kvm_call_name(enum fake_call kind)
{
	static const char *const names[] = {
		[FAKE_OPEN_KVM] = "open(/dev/kvm)",
		[FAKE_OPEN_SEV] = "open(/dev/sev)",
		[FAKE_CLOSE] = "close",
		[FAKE_CHECK_EXTENSION] = "KVM_CHECK_EXTENSION",
		[FAKE_GET_API_VERSION] = "KVM_GET_API_VERSION",
		[FAKE_GET_VCPU_MMAP_SIZE] = "KVM_GET_VCPU_MMAP_SIZE",
		[FAKE_GET_DEVICE_ATTR] = "KVM_GET_DEVICE_ATTR",
		[FAKE_SNP_PLATFORM_STATUS] = "SNP_PLATFORM_STATUS",
		[FAKE_CREATE_VM] = "KVM_CREATE_VM",
		[FAKE_SEV_INIT2] = "KVM_SEV_INIT2",
		[FAKE_CREATE_GUEST_MEMFD] = "KVM_CREATE_GUEST_MEMFD",
		[FAKE_SET_USER_MEMORY_REGION2] = "KVM_SET_USER_MEMORY_REGION2",
		[FAKE_SET_MEMORY_ATTRIBUTES] = "KVM_SET_MEMORY_ATTRIBUTES",
		[FAKE_SNP_LAUNCH_START] = "KVM_SEV_SNP_LAUNCH_START",
		[FAKE_SNP_LAUNCH_UPDATE] = "KVM_SEV_SNP_LAUNCH_UPDATE",
		[FAKE_CREATE_VCPU] = "KVM_CREATE_VCPU",
		[FAKE_VCPU_REGS] = "vCPU register ioctl",
		[FAKE_SNP_LAUNCH_FINISH] = "KVM_SEV_SNP_LAUNCH_FINISH",
		[FAKE_FALLOCATE] = "fallocate",
		[FAKE_MMAP] = "mmap",
		[FAKE_MUNMAP] = "munmap",
		[FAKE_ENABLE_CAP] = "KVM_ENABLE_CAP",
		[FAKE_SET_TSC_KHZ] = "KVM_SET_TSC_KHZ",
		[FAKE_SET_CPUID2] = "KVM_SET_CPUID2",
		[FAKE_TDX_CAPABILITIES] = "KVM_TDX_CAPABILITIES",
		[FAKE_TDX_INIT_VM] = "KVM_TDX_INIT_VM",
		[FAKE_TDX_INIT_VCPU] = "KVM_TDX_INIT_VCPU",
		[FAKE_TDX_INIT_MEM_REGION] = "KVM_TDX_INIT_MEM_REGION",
		[FAKE_TDX_FINALIZE_VM] = "KVM_TDX_FINALIZE_VM",
		[FAKE_CREATE_IRQCHIP] = "KVM_CREATE_IRQCHIP",
		[FAKE_RUN] = "KVM_RUN",
	};

	return (size_t)kind < sizeof(names) / sizeof(names[0]) && names[kind] ? names[kind] : "?";
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vCPU reset state on KVM, so that the VMSA KVM measures is the VMSA the
 * launch walker measured.
 *
 * On KVM userspace never hands a VMSA page to the firmware.  Inside
 * KVM_SEV_SNP_LAUNCH_FINISH, KVM builds each vCPU's VMSA from that vCPU's
 * registers (arch/x86/kvm/svm/sev.c, sev_es_sync_vmsa) and measures it with
 * SNP_LAUNCH_UPDATE(VMSA) at GPA 0xFFFFFFFFF000.  What KVM derives from what:
 *
 *   VMSA field                    source in KVM
 *   ES..GS, LDTR, TR (0x00..0x9F) KVM_SET_SREGS segments (attrib packed from
 *                                 type, S, DPL, P, AVL, L, DB, G)
 *   GDTR, IDTR                    KVM_SET_SREGS gdt/idt (base, limit only)
 *   CPL (0xCB)                    SS.DPL
 *   EFER (0xD0)                   sregs.efer | EFER.SVME (KVM always sets SVME)
 *   CR4 (0x148)                   sregs.cr4 | host CR4.MCE (svm_set_cr4)
 *   CR3, CR0 (0x150, 0x158)       sregs.cr3; sregs.cr0 minus CD/NW (CD_NW quirk)
 *   DR7, DR6 (0x160, 0x168)       KVM_SET_DEBUGREGS; KVM refuses DR7 != 0x400
 *   RFLAGS, RIP, RSP, RAX, RCX..R15  KVM_SET_REGS
 *   G_PAT (0x268)                 MSR_IA32_CR_PAT (KVM_SET_MSRS)
 *   SEV_FEATURES (0x3B0)          KVM_SEV_INIT2 vmsa_features | SNPActive, per VM
 *   XCR0 (0x3E8)                  KVM_SET_XCRS
 *   x87/SSE control (0x400..0x41F) KVM_SET_FPU (last_dp, mxcsr, ftwx, fsw, fcw,
 *                                 last_opcode, last_ip)
 *
 * Every other byte of KVM's VMSA is zero for a freshly created vCPU, so a
 * walker VMSA with anything else in it cannot be reproduced and is refused
 * before the launch goes further.  Layout: AMD APM vol. 2, "VMSA layout"
 * (SEV-ES save area); Linux struct sev_es_save_area.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <linux/kvm.h>

#include <coco/snp.h>

#include "core/kvm.h"
#include "core/util.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/vmsa-decode.h"
#include "sev-snp/vmsa-layout.h"



#define EFER_SVME (1ull << 12)		/* APM vol. 2, EFER */
#define CR4_MCE (1ull << 6)		/* APM vol. 2, CR4 */
#define CR0_NW (1ull << 29)
#define CR0_CD (1ull << 30)
#define DR7_FIXED_1 0x400ull		/* DR7 bit 10 reads as one */
#define MSR_IA32_CR_PAT 0x277u		/* APM vol. 2, PAT MSR */

struct vcpu_state {
	struct kvm_segment es, cs, ss, ds, fs, gs, ldt, tr;
	struct kvm_dtable gdt, idt;
	uint64_t efer, cr0, cr3, cr4, dr6, dr7;
	uint64_t rflags, rip, rsp, rax, rcx, rdx, rbx, rbp, rsi, rdi, r[8];	/* r[0] = R8 */
	uint64_t pat, xcr0;
	uint64_t x87_dp, x87_rip;
	uint32_t mxcsr;
	uint16_t ftw, fsw, fcw, fop;
};

/* The bytes of the VMSA that KVM derives from vCPU state (the rest must be zero). */
struct coverage {
	bool byte[SNP_PAGE_SIZE];
};

static uint64_t take(const uint8_t *vmsa, struct coverage *cov, uint32_t off, uint32_t size)
{
	uint64_t v = 0;

	for (uint32_t i = 0; i < size; i++) {
		v |= (uint64_t)vmsa[off + i] << (8 * i);
		cov->byte[off + i] = true;
	}
	return v;
}

static int vmsa_refuse(uint32_t index, const char *why)
{
	return coco_err(-ENOTSUP, "KVM_CREATE_VCPU: vCPU %u: %s; KVM builds the VMSA it measures "
			"from the vCPU's registers and cannot reproduce this VMSA", index, why);
}

static int take_segment(const uint8_t *vmsa, struct coverage *cov, uint32_t off,
			struct kvm_segment *seg, uint32_t index, const char *name)
{
	uint32_t attrib = (uint32_t)take(vmsa, cov, off + 2, 2);
	char why[128];

	if (attrib & ~SEG_ATTR_VALID_MASK) {
		snprintf(why, sizeof(why), "%s attributes 0x%x use bits above 11", name, attrib);
		return vmsa_refuse(index, why);
	}
	{
		uint16_t selector = (uint16_t)take(vmsa, cov, off, 2);
		uint32_t limit = (uint32_t)take(vmsa, cov, off + 4, 4);

		snp_vmsa_segment(selector, (uint16_t)attrib, limit, take(vmsa, cov, off + 8, 8),
				 seg);
	}
	return 0;
}

static int take_dtable(const uint8_t *vmsa, struct coverage *cov, uint32_t off,
		       struct kvm_dtable *dt, uint32_t index, const char *name)
{
	uint16_t selector = (uint16_t)take(vmsa, cov, off, 2);
	uint16_t attrib = (uint16_t)take(vmsa, cov, off + 2, 2);
	uint32_t limit = (uint32_t)take(vmsa, cov, off + 4, 4);
	char why[128];

	if (selector || attrib || limit > 0xFFFF) {
		snprintf(why, sizeof(why), "%s has selector 0x%x, attributes 0x%x, limit 0x%x; "
			 "KVM sets only a base and a 16-bit limit", name, selector, attrib, limit);
		return vmsa_refuse(index, why);
	}
	dt->limit = (uint16_t)limit;
	dt->base = take(vmsa, cov, off + 8, 8);
	return 0;
}

static int decode_vmsa(const uint8_t *vmsa, uint64_t vm_features, uint32_t index,
		       struct vcpu_state *s)
{
	static struct {
		uint32_t off;
		const char *name;
	} const segs[] = {
		{ VMSA_ES, "ES" }, { VMSA_CS, "CS" }, { VMSA_SS, "SS" }, { VMSA_DS, "DS" },
		{ VMSA_FS, "FS" }, { VMSA_GS, "GS" }, { VMSA_LDTR, "LDTR" }, { VMSA_TR, "TR" },
	};
	struct kvm_segment *dst[] = { &s->es, &s->cs, &s->ss, &s->ds, &s->fs, &s->gs,
				      &s->ldt, &s->tr };
	struct coverage coverage;
	struct coverage *cov = &coverage;
	uint64_t efer, cr4, cr0, features;
	uint8_t cpl;
	char why[192];
	int ret;

	memset(cov, 0, sizeof(*cov));
	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < COCO_ARRAY_SIZE(segs); i++) {
		ret = take_segment(vmsa, cov, segs[i].off, dst[i], index, segs[i].name);
		if (ret)
			return ret;
	}
	ret = take_dtable(vmsa, cov, VMSA_GDTR, &s->gdt, index, "GDTR");
	if (!ret)
		ret = take_dtable(vmsa, cov, VMSA_IDTR, &s->idt, index, "IDTR");
	if (ret)
		return ret;

	cpl = (uint8_t)take(vmsa, cov, VMSA_CPL, 1);
	if (cpl != s->ss.dpl) {
		snprintf(why, sizeof(why), "CPL %u differs from SS.DPL %u (KVM derives CPL from SS)",
			 cpl, s->ss.dpl);
		return vmsa_refuse(index, why);
	}
	efer = take(vmsa, cov, VMSA_EFER, 8);
	if (!(efer & EFER_SVME)) {
		snprintf(why, sizeof(why), "EFER 0x%llx lacks SVME, which KVM always sets",
			 (unsigned long long)efer);
		return vmsa_refuse(index, why);
	}
	s->efer = efer & ~EFER_SVME;
	cr4 = take(vmsa, cov, VMSA_CR4, 8);
	if (!(cr4 & CR4_MCE)) {
		snprintf(why, sizeof(why), "CR4 0x%llx lacks MCE, which KVM copies from the host",
			 (unsigned long long)cr4);
		return vmsa_refuse(index, why);
	}
	s->cr4 = cr4 & ~CR4_MCE;
	s->cr3 = take(vmsa, cov, VMSA_CR3, 8);
	cr0 = take(vmsa, cov, VMSA_CR0, 8);
	if (cr0 & (CR0_CD | CR0_NW)) {
		snprintf(why, sizeof(why), "CR0 0x%llx has CD or NW, which KVM clears",
			 (unsigned long long)cr0);
		return vmsa_refuse(index, why);
	}
	s->cr0 = cr0;
	s->dr7 = take(vmsa, cov, VMSA_DR7, 8);
	if (s->dr7 != DR7_FIXED_1) {
		snprintf(why, sizeof(why), "DR7 0x%llx: KVM encrypts a VMSA only with DR7 = 0x400",
			 (unsigned long long)s->dr7);
		return vmsa_refuse(index, why);
	}
	s->dr6 = take(vmsa, cov, VMSA_DR6, 8);
	s->rflags = take(vmsa, cov, VMSA_RFLAGS, 8);
	s->rip = take(vmsa, cov, VMSA_RIP, 8);
	s->rsp = take(vmsa, cov, VMSA_RSP, 8);
	s->rax = take(vmsa, cov, VMSA_RAX, 8);
	s->pat = take(vmsa, cov, VMSA_G_PAT, 8);
	s->rcx = take(vmsa, cov, VMSA_RCX, 8);
	s->rdx = take(vmsa, cov, VMSA_RCX + 0x08, 8);
	s->rbx = take(vmsa, cov, VMSA_RCX + 0x10, 8);
	s->rbp = take(vmsa, cov, VMSA_RCX + 0x20, 8);
	s->rsi = take(vmsa, cov, VMSA_RCX + 0x28, 8);
	s->rdi = take(vmsa, cov, VMSA_RCX + 0x30, 8);
	for (uint32_t i = 0; i < 8; i++)
		s->r[i] = take(vmsa, cov, VMSA_RCX + 0x38 + 8 * i, 8);

	features = take(vmsa, cov, VMSA_SEV_FEATURES, 8);
	if (features != vm_features) {
		snprintf(why, sizeof(why), "SEV_FEATURES 0x%llx differ from the VM's 0x%llx "
			 "(KVM gives every VMSA the features of KVM_SEV_INIT2 plus SNPActive)",
			 (unsigned long long)features, (unsigned long long)vm_features);
		return vmsa_refuse(index, why);
	}
	s->xcr0 = take(vmsa, cov, VMSA_XCR0, 8);
	s->x87_dp = take(vmsa, cov, VMSA_X87_DP, 8);
	s->mxcsr = (uint32_t)take(vmsa, cov, VMSA_MXCSR, 4);
	s->ftw = (uint16_t)take(vmsa, cov, VMSA_X87_FTW, 2);
	s->fsw = (uint16_t)take(vmsa, cov, VMSA_X87_FSW, 2);
	s->fcw = (uint16_t)take(vmsa, cov, VMSA_X87_FCW, 2);
	s->fop = (uint16_t)take(vmsa, cov, VMSA_X87_FOP, 2);
	s->x87_rip = take(vmsa, cov, VMSA_X87_RIP, 8);
	if (s->ftw > 0xFF) {
		snprintf(why, sizeof(why), "x87 tag word 0x%x: KVM takes the abridged (8-bit) form",
			 s->ftw);
		return vmsa_refuse(index, why);
	}

	for (uint32_t off = 0; off < SNP_PAGE_SIZE; off++)
		if (!cov->byte[off] && vmsa[off]) {
			snprintf(why, sizeof(why), "VMSA byte 0x%x is 0x%02x, in state KVM does not "
				 "take from vCPU registers", off, vmsa[off]);
			return vmsa_refuse(index, why);
		}
	return 0;
}

static int vcpu_ioctl(int fd, unsigned long request, void *arg, const char *name,
		      uint32_t index)
{
	int ret = coco_kvm_ioctl(fd, request, arg);

	if (ret < 0)
		return coco_err(ret, "%s: vCPU %u: %s (errno %d); the vCPU's reset state cannot be "
				"set, so KVM's VMSA would not match the measured one", name, index,
				strerror(-ret), -ret);
	return ret;
}

static int load_sregs(int fd, const struct vcpu_state *s, uint32_t index)
{
	struct kvm_sregs sregs;
	int ret = vcpu_ioctl(fd, KVM_GET_SREGS, &sregs, "KVM_GET_SREGS", index);

	if (ret < 0)
		return ret;
	/* Read-modify-write: APIC base, CR2, CR8 and pending interrupts stay KVM's. */
	sregs.es = s->es;
	sregs.cs = s->cs;
	sregs.ss = s->ss;
	sregs.ds = s->ds;
	sregs.fs = s->fs;
	sregs.gs = s->gs;
	sregs.ldt = s->ldt;
	sregs.tr = s->tr;
	sregs.gdt = s->gdt;
	sregs.idt = s->idt;
	sregs.cr0 = s->cr0;
	sregs.cr3 = s->cr3;
	sregs.cr4 = s->cr4;
	sregs.efer = s->efer;
	ret = vcpu_ioctl(fd, KVM_SET_SREGS, &sregs, "KVM_SET_SREGS", index);
	return ret < 0 ? ret : 0;
}

static int load_regs(int fd, const struct vcpu_state *s, uint32_t index)
{
	struct kvm_regs regs;
	int ret = vcpu_ioctl(fd, KVM_GET_REGS, &regs, "KVM_GET_REGS", index);

	if (ret < 0)
		return ret;
	regs.rax = s->rax;
	regs.rbx = s->rbx;
	regs.rcx = s->rcx;
	regs.rdx = s->rdx;	/* CPUID(1).EAX at reset: the measured CPU signature */
	regs.rsi = s->rsi;
	regs.rdi = s->rdi;
	regs.rsp = s->rsp;
	regs.rbp = s->rbp;
	regs.r8 = s->r[0];
	regs.r9 = s->r[1];
	regs.r10 = s->r[2];
	regs.r11 = s->r[3];
	regs.r12 = s->r[4];
	regs.r13 = s->r[5];
	regs.r14 = s->r[6];
	regs.r15 = s->r[7];
	regs.rip = s->rip;
	regs.rflags = s->rflags;
	ret = vcpu_ioctl(fd, KVM_SET_REGS, &regs, "KVM_SET_REGS", index);
	return ret < 0 ? ret : 0;
}

static int load_fpu(int fd, const struct vcpu_state *s, uint32_t index)
{
	struct kvm_fpu fpu;
	int ret = vcpu_ioctl(fd, KVM_GET_FPU, &fpu, "KVM_GET_FPU", index);

	if (ret < 0)
		return ret;
	/* The walker's x87 and SSE registers are zero (checked): only control state differs. */
	memset(fpu.fpr, 0, sizeof(fpu.fpr));
	memset(fpu.xmm, 0, sizeof(fpu.xmm));
	fpu.fcw = s->fcw;
	fpu.fsw = s->fsw;
	fpu.ftwx = (uint8_t)s->ftw;
	fpu.last_opcode = s->fop;
	fpu.last_ip = s->x87_rip;
	fpu.last_dp = s->x87_dp;
	fpu.mxcsr = s->mxcsr;
	ret = vcpu_ioctl(fd, KVM_SET_FPU, &fpu, "KVM_SET_FPU", index);
	return ret < 0 ? ret : 0;
}

static int load_debugregs(int fd, const struct vcpu_state *s, uint32_t index)
{
	struct kvm_debugregs dbg;
	int ret = vcpu_ioctl(fd, KVM_GET_DEBUGREGS, &dbg, "KVM_GET_DEBUGREGS", index);

	if (ret < 0)
		return ret;
	memset(dbg.db, 0, sizeof(dbg.db));
	dbg.dr6 = s->dr6;
	dbg.dr7 = s->dr7;
	dbg.flags = 0;
	ret = vcpu_ioctl(fd, KVM_SET_DEBUGREGS, &dbg, "KVM_SET_DEBUGREGS", index);
	return ret < 0 ? ret : 0;
}

static int load_xcr0(int fd, const struct vcpu_state *s, uint32_t index)
{
	struct kvm_xcrs xcrs;
	int ret;

	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = s->xcr0;
	ret = vcpu_ioctl(fd, KVM_SET_XCRS, &xcrs, "KVM_SET_XCRS", index);
	return ret < 0 ? ret : 0;
}

static int load_pat(int fd, const struct vcpu_state *s, uint32_t index)
{
	/* struct kvm_msrs ends in a flexible array: the header, then one entry. */
	_Alignas(struct kvm_msr_entry) uint8_t buf[sizeof(struct kvm_msrs) +
						  sizeof(struct kvm_msr_entry)];
	struct kvm_msrs *msrs = (struct kvm_msrs *)buf;
	int ret;

	memset(buf, 0, sizeof(buf));
	msrs->nmsrs = 1;
	msrs->entries[0].index = MSR_IA32_CR_PAT;
	msrs->entries[0].data = s->pat;
	ret = vcpu_ioctl(fd, KVM_SET_MSRS, msrs, "KVM_SET_MSRS(IA32_PAT)", index);
	if (ret < 0)
		return ret;
	/* KVM_SET_MSRS returns how many MSRs it set; it stops at the first it refuses. */
	if (ret != 1)
		return coco_err(-EINVAL, "KVM_SET_MSRS(IA32_PAT): vCPU %u: KVM refused PAT "
				"0x%016llx", index, (unsigned long long)s->pat);
	return 0;
}

int snp_kvm_vcpu_load_vmsa(int vcpu_fd, const uint8_t vmsa[SNP_PAGE_SIZE],
			   uint64_t vm_vmsa_features, uint32_t index)
{
	struct vcpu_state s;
	int ret = decode_vmsa(vmsa, vm_vmsa_features, index, &s);

	if (!ret)
		ret = load_sregs(vcpu_fd, &s, index);
	if (!ret)
		ret = load_regs(vcpu_fd, &s, index);
	if (!ret)
		ret = load_xcr0(vcpu_fd, &s, index);
	if (!ret)
		ret = load_fpu(vcpu_fd, &s, index);
	if (!ret)
		ret = load_debugregs(vcpu_fd, &s, index);
	if (!ret)
		ret = load_pat(vcpu_fd, &s, index);
	return ret;
}

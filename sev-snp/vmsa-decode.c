/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/vmsa-decode.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/vmsa-layout.h"


#define EFER_SVME (1ull << 12)	/* APM vol. 2, EFER: KVM sets it in every SEV-ES VMSA */

void snp_vmsa_segment(uint16_t selector, uint16_t attrib, uint32_t limit, uint64_t base,
		      struct kvm_segment *seg)
{
	memset(seg, 0, sizeof(*seg));
	seg->selector = selector;
	seg->limit = limit;
	seg->base = base;
	seg->type = attrib & SEG_ATTR_TYPE_MASK;
	seg->s = !!(attrib & SEG_ATTR_S);
	seg->dpl = (attrib >> SEG_ATTR_DPL_SHIFT) & 3;
	seg->present = !!(attrib & SEG_ATTR_P);
	seg->avl = !!(attrib & SEG_ATTR_AVL);
	seg->l = !!(attrib & SEG_ATTR_L);
	seg->db = !!(attrib & SEG_ATTR_DB);
	seg->g = !!(attrib & SEG_ATTR_G);
	/* KVM's VMCB convention (it writes P = present && !unusable): not present is unusable. */
	seg->unusable = !seg->present;
}

static int decode_segment(const uint8_t *vmsa, uint32_t off, const char *name,
			  struct kvm_segment *seg)
{
	uint16_t attrib = coco_le16(vmsa + off + 2);

	if (attrib & ~SEG_ATTR_VALID_MASK)
		return coco_err(-EINVAL, "SNP VMSA: %s attributes 0x%x use bits above 11, which "
				"the packed VMCB segment form does not have", name, attrib);
	snp_vmsa_segment(coco_le16(vmsa + off), attrib, coco_le32(vmsa + off + 4),
			 coco_le64(vmsa + off + 8), seg);
	return 0;
}

static void decode_dtable(const uint8_t *vmsa, uint32_t off, struct kvm_dtable *dt)
{
	memset(dt, 0, sizeof(*dt));
	/* The limit field is 32 bits in the save area; descriptor-table limits are 16. */
	dt->limit = (uint16_t)coco_le32(vmsa + off + 4);
	dt->base = coco_le64(vmsa + off + 8);
}

int snp_vmsa_decode(const uint8_t vmsa[SNP_PAGE_SIZE], struct snp_vmsa_regs *out)
{
	static const struct {
		uint32_t off;
		const char *name;
		size_t field;
	} segs[] = {
		{ VMSA_ES, "ES", offsetof(struct kvm_sregs, es) },
		{ VMSA_CS, "CS", offsetof(struct kvm_sregs, cs) },
		{ VMSA_SS, "SS", offsetof(struct kvm_sregs, ss) },
		{ VMSA_DS, "DS", offsetof(struct kvm_sregs, ds) },
		{ VMSA_FS, "FS", offsetof(struct kvm_sregs, fs) },
		{ VMSA_GS, "GS", offsetof(struct kvm_sregs, gs) },
		{ VMSA_LDTR, "LDTR", offsetof(struct kvm_sregs, ldt) },
		{ VMSA_TR, "TR", offsetof(struct kvm_sregs, tr) },
	};
	struct kvm_regs *r = &out->regs;
	struct kvm_sregs *s = &out->sregs;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < COCO_ARRAY_SIZE(segs); i++) {
		int ret = decode_segment(vmsa, segs[i].off, segs[i].name,
					 (struct kvm_segment *)((uint8_t *)s + segs[i].field));
		if (ret)
			return ret;
	}
	decode_dtable(vmsa, VMSA_GDTR, &s->gdt);
	decode_dtable(vmsa, VMSA_IDTR, &s->idt);
	s->efer = coco_le64(vmsa + VMSA_EFER) & ~EFER_SVME;
	s->cr4 = coco_le64(vmsa + VMSA_CR4);
	s->cr3 = coco_le64(vmsa + VMSA_CR3);
	s->cr0 = coco_le64(vmsa + VMSA_CR0);

	r->rflags = coco_le64(vmsa + VMSA_RFLAGS);
	r->rip = coco_le64(vmsa + VMSA_RIP);
	r->rsp = coco_le64(vmsa + VMSA_RSP);
	r->rax = coco_le64(vmsa + VMSA_RAX);
	/* From RCX on the general registers follow in the x86 encoding order (RSP skipped). */
	r->rcx = coco_le64(vmsa + VMSA_RCX);
	r->rdx = coco_le64(vmsa + VMSA_RCX + 0x08);
	r->rbx = coco_le64(vmsa + VMSA_RCX + 0x10);
	r->rbp = coco_le64(vmsa + VMSA_RCX + 0x20);
	r->rsi = coco_le64(vmsa + VMSA_RCX + 0x28);
	r->rdi = coco_le64(vmsa + VMSA_RCX + 0x30);
	r->r8 = coco_le64(vmsa + VMSA_RCX + 0x38);
	r->r9 = coco_le64(vmsa + VMSA_RCX + 0x40);
	r->r10 = coco_le64(vmsa + VMSA_RCX + 0x48);
	r->r11 = coco_le64(vmsa + VMSA_RCX + 0x50);
	r->r12 = coco_le64(vmsa + VMSA_RCX + 0x58);
	r->r13 = coco_le64(vmsa + VMSA_RCX + 0x60);
	r->r14 = coco_le64(vmsa + VMSA_RCX + 0x68);
	r->r15 = coco_le64(vmsa + VMSA_RCX + 0x70);

	out->sev_features = coco_le64(vmsa + VMSA_SEV_FEATURES);
	out->xcr0 = coco_le64(vmsa + VMSA_XCR0);
	out->g_pat = coco_le64(vmsa + VMSA_G_PAT);
	out->dr6 = coco_le64(vmsa + VMSA_DR6);
	out->dr7 = coco_le64(vmsa + VMSA_DR7);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/vmsa.h"

#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/vmsa-layout.h"

/*
 * Segment attributes in the VMCB's packed form (APM vol. 2, 15.5.1): type
 * and S/DPL/P in bits 7:0.  0x93 = present writable data (accessed), 0x9B =
 * present code, readable (accessed), 0x82 = LDT, 0x8B = busy 32-bit TSS.
 * EC2 leaves the "accessed" bit clear (0x92, 0x9A; on the BSP's CS only)
 * and describes TR as a busy 16-bit TSS (0x83).
 */
#define SEG_DATA 0x93u
#define SEG_CODE 0x9Bu
#define SEG_LDT 0x82u
#define SEG_TSS_BUSY32 0x8Bu
#define SEG_DATA_NOT_ACCESSED 0x92u
#define SEG_CODE_NOT_ACCESSED 0x9Au
#define SEG_TSS_BUSY16 0x83u

/* Architectural reset state (APM vol. 2, 14.1.3 "Processor Initialization State"). */
#define RESET_SEG_LIMIT 0xFFFFu
#define RESET_CS_SELECTOR 0xF000u
#define RESET_CR0 0x10u			/* ET */
#define RESET_DR6 0xFFFF0FF0ull
#define RESET_DR7 0x400u
#define RESET_RFLAGS 0x2u
#define RESET_XCR0 0x1u			/* x87 */
#define RESET_G_PAT 0x0007040600070406ull	/* APM vol. 2, A.3: PAT MSR reset value */
#define RESET_MXCSR 0x1F80u		/* all SIMD exceptions masked */
#define RESET_X87_FCW 0x37Fu		/* FNINIT control word */

/* What KVM adds to the reset state of an SEV-ES/SNP vCPU (arch/x86/kvm/svm/svm.c init_vmcb). */
#define KVM_EFER_SVME 0x1000u
#define KVM_CR4_MCE 0x40u

/*
 * Values the other VMMs are known to set (sev-snp-measure 0.0.13 vmsa.py,
 * reproduced against its published digests): EC2 and GCE put 0x600 in
 * RDX whatever the CPU, leave MXCSR and FCW zero, and GCE programs its own
 * guest PAT.
 */
#define EC2_GCE_RDX 0x600u
#define GCE_G_PAT 0x00070106ull

static void put_seg(uint8_t *page, unsigned int off, uint16_t selector, uint16_t attrib,
		    uint32_t limit, uint64_t base)
{
	coco_put_le16(page + off, selector);
	coco_put_le16(page + off + 2, attrib);
	coco_put_le32(page + off + 4, limit);
	coco_put_le64(page + off + 8, base);
}

int snp_vmsa_build(uint8_t page[SNP_PAGE_SIZE], const struct snp_vmsa_params *p)
{
	uint32_t eip = p->boot_ip ? p->boot_ip : SNP_RESET_VECTOR;
	uint16_t cs_attr = SEG_CODE, ss_attr = SEG_DATA, tr_attr = SEG_TSS_BUSY32;
	uint64_t rdx = p->cpu_signature, g_pat = RESET_G_PAT;
	uint32_t mxcsr = RESET_MXCSR;
	uint16_t fcw = RESET_X87_FCW;

	switch (p->vmm_type) {
	case COCO_SNP_VMM_QEMU:
		/* KVM's reset state; RDX holds CPUID(1).EAX as after a real reset. */
		break;
	case COCO_SNP_VMM_EC2:
		cs_attr = eip == SNP_RESET_VECTOR ? SEG_CODE_NOT_ACCESSED : SEG_CODE;
		ss_attr = SEG_DATA_NOT_ACCESSED;
		tr_attr = SEG_TSS_BUSY16;
		rdx = EC2_GCE_RDX;
		mxcsr = 0;
		fcw = 0;
		break;
	case COCO_SNP_VMM_GCE:
		g_pat = GCE_G_PAT;
		rdx = EC2_GCE_RDX;
		mxcsr = 0;
		fcw = 0;
		break;
	default:
		return coco_err(-EINVAL, "SNP VMSA: unknown VMM type %d (known: qemu, ec2, gce)",
				(int)p->vmm_type);
	}

	memset(page, 0, SNP_PAGE_SIZE);
	put_seg(page, VMSA_ES, 0, SEG_DATA, RESET_SEG_LIMIT, 0);
	/* Real-mode reset convention: CS.base holds the top 16 bits of the entry point. */
	put_seg(page, VMSA_CS, RESET_CS_SELECTOR, cs_attr, RESET_SEG_LIMIT, eip & 0xFFFF0000u);
	put_seg(page, VMSA_SS, 0, ss_attr, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_DS, 0, SEG_DATA, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_FS, 0, SEG_DATA, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_GS, 0, SEG_DATA, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_GDTR, 0, 0, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_LDTR, 0, SEG_LDT, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_IDTR, 0, 0, RESET_SEG_LIMIT, 0);
	put_seg(page, VMSA_TR, 0, tr_attr, RESET_SEG_LIMIT, 0);
	coco_put_le64(page + VMSA_EFER, KVM_EFER_SVME);
	coco_put_le64(page + VMSA_CR4, KVM_CR4_MCE);
	coco_put_le64(page + VMSA_CR0, RESET_CR0);
	coco_put_le64(page + VMSA_DR7, RESET_DR7);
	coco_put_le64(page + VMSA_DR6, RESET_DR6);
	coco_put_le64(page + VMSA_RFLAGS, RESET_RFLAGS);
	coco_put_le64(page + VMSA_RIP, eip & 0xFFFFu);
	coco_put_le64(page + VMSA_G_PAT, g_pat);
	coco_put_le64(page + VMSA_RDX, rdx);
	coco_put_le64(page + VMSA_SEV_FEATURES, p->sev_features);
	coco_put_le64(page + VMSA_XCR0, RESET_XCR0);
	coco_put_le32(page + VMSA_MXCSR, mxcsr);
	coco_put_le16(page + VMSA_X87_FCW, fcw);
	return 0;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Offsets in a VMSA page (the SEV-ES/SNP state save area): AMD APM vol. 2,
 * table B-4 "VMSA Layout, State Save Area for SEV-ES"; Linux struct
 * sev_es_save_area.  Shared by the VMSA builder and the KVM path that
 * reproduces a VMSA from vCPU registers.
 */
#ifndef COCO_SNP_VMSA_LAYOUT_H
#define COCO_SNP_VMSA_LAYOUT_H

/* Segment attribute bits in the VMCB/VMSA packed form (APM vol. 2, VMCB segment attributes). */
#define SEG_ATTR_TYPE_MASK 0xFu
#define SEG_ATTR_S (1u << 4)
#define SEG_ATTR_DPL_SHIFT 5
#define SEG_ATTR_P (1u << 7)
#define SEG_ATTR_AVL (1u << 8)
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)
#define SEG_ATTR_G (1u << 11)
#define SEG_ATTR_VALID_MASK 0x0FFFu

#define VMSA_SEG_SIZE 0x10u
#define VMSA_ES 0x000u
#define VMSA_CS 0x010u
#define VMSA_SS 0x020u
#define VMSA_DS 0x030u
#define VMSA_FS 0x040u
#define VMSA_GS 0x050u
#define VMSA_GDTR 0x060u
#define VMSA_LDTR 0x070u
#define VMSA_IDTR 0x080u
#define VMSA_TR 0x090u
#define VMSA_CPL 0x0CBu
#define VMSA_EFER 0x0D0u
#define VMSA_CR4 0x148u
#define VMSA_CR3 0x150u
#define VMSA_CR0 0x158u
#define VMSA_DR7 0x160u
#define VMSA_DR6 0x168u
#define VMSA_RFLAGS 0x170u
#define VMSA_RIP 0x178u
#define VMSA_RSP 0x1D8u
#define VMSA_RAX 0x1F8u
#define VMSA_G_PAT 0x268u
#define VMSA_RCX 0x308u	/* then RDX, RBX, (reserved: RSP is at 0x1D8), RBP, RSI, RDI, R8..R15 */
#define VMSA_RDX 0x310u
#define VMSA_SEV_FEATURES 0x3B0u
#define VMSA_XCR0 0x3E8u
#define VMSA_X87_DP 0x400u
#define VMSA_MXCSR 0x408u
#define VMSA_X87_FTW 0x40Cu
#define VMSA_X87_FSW 0x40Eu
#define VMSA_X87_FCW 0x410u
#define VMSA_X87_FOP 0x412u
#define VMSA_X87_RIP 0x418u

#endif

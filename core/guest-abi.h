/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The contract between guests and coco-vmm (core/vmm.h) that is not a
 * vendor's: the test ports, the boot parameters page, the evidence hand-off
 * and the model doorbells.  docs/guest-abi.md is its prose version.  Shared
 * by the freestanding test guests (tests/guests/) and the host, so it
 * includes nothing and uses only plain C types.
 *
 * Test ports (port I/O exits to user space on every KVM):
 * - Console: every byte the guest writes with OUT (1 byte) to port 0x3f8
 *   (COM1's data register) is appended to the console.
 * - Exit: a 4-byte OUT to port 0xf4 ends the run; the value written is the
 *   guest's exit status.  Guests never HLT to stop (a HLT reaches user space
 *   only without an in-kernel irqchip, and then says nothing about success).
 * - Evidence: a 4-byte OUT to port 0xf6 hands the VMM evidence the guest
 *   obtained; the value is the GPA (below 4 GiB, 4 KiB aligned) of a
 *   struct coco_guest_evidence_post in SHARED memory (the VMM reads only
 *   shared pages, as a confidential VMM can).  The VMM answers through
 *   post->status (0 accepted, else a negative errno).
 *
 * Model doorbells (the platform models only, docs/guest-abi.md): this
 * machine's CPUs have neither SNP's nor TDX's guest instructions, so each
 * stands as an OUT of AL to an 8-bit port (the imm8 form, which changes no
 * register).  The VMM then performs the instruction on the vCPU's register
 * file exactly as the vendor defines it (inputs and outputs in the same
 * registers, RFLAGS included) and resumes after the OUT.
 * - 0xf5 TDCALL     (TDX model: RAX leaf, ... per the TDX module ABI)
 * - 0xf7 PVALIDATE  (SNP model: RAX VA, RCX page size, RDX validate;
 *                    out EAX return code, RFLAGS.CF "no update")
 * - 0xf8 RMPADJUST  (SNP model: RAX VA, RCX page size, RDX attributes;
 *                    out EAX return code)
 * SNP's VMGEXIT needs no doorbell: in the model a WRMSR to the GHCB MSR
 * (0xC0010130) is the VMGEXIT (KVM's MSR filter sends it to user space), and
 * a RDMSR of it reads the hypervisor's response.  A guest therefore writes
 * the MSR only to make a request, and its VMGEXIT instruction is omitted.
 */
#ifndef COCO_CORE_GUEST_ABI_H
#define COCO_CORE_GUEST_ABI_H

#define COCO_GUEST_CONSOLE_PORT 0x3f8
#define COCO_GUEST_EXIT_PORT 0xf4
#define COCO_GUEST_EVIDENCE_PORT 0xf6

#define COCO_MODEL_TDCALL_PORT 0xf5
#define COCO_MODEL_PVALIDATE_PORT 0xf7
#define COCO_MODEL_RMPADJUST_PORT 0xf8

/*
 * Guest images (ELF, core/guest-image.h) and what the launch adds to them.
 *
 * The image's PT_LOAD segments are measured; they lie in RAM at or above
 * COCO_GUEST_IMAGE_MIN_GPA or in the top 16 MiB below 4 GiB (as firmware
 * flash), where the reset vector 0xfffffff0 is.  Every vCPU starts at the
 * vendor's reset state: SEV-SNP real mode at 0xfffffff0 (the VMSA's
 * CS.base 0xffff0000, RIP 0xfff0); TDX 32-bit protected mode, paging off,
 * at 0xfffffff0.
 *
 * The launch adds, below the image:
 *   COCO_GUEST_PARAMS_GPA       the boot parameters page (unmeasured
 *                               contents, private, struct coco_guest_params)
 *   COCO_GUEST_SNP_SECRETS_GPA  SEV-SNP: the secrets page
 *   COCO_GUEST_SNP_CPUID_GPA    SEV-SNP: the CPUID page
 * Other RAM is not part of the launch: private but not accepted
 * (SNP: not validated; TDX: not added).  The guest accepts it before use.
 */
#define COCO_GUEST_IMAGE_MIN_GPA 0x100000ull
#define COCO_GUEST_FLASH_BASE 0xff000000ull
#define COCO_GUEST_FLASH_END 0x100000000ull
#define COCO_GUEST_PARAMS_GPA 0x5000ull
#define COCO_GUEST_SNP_SECRETS_GPA 0x6000ull
#define COCO_GUEST_SNP_CPUID_GPA 0x7000ull

#define COCO_GUEST_PARAMS_MAGIC 0x4d524150u	/* "PARM" */
#define COCO_GUEST_PARAMS_VERSION 1u

/* Test behaviours a guest may be asked for (coco_guest_params.mode). */
#define COCO_GUEST_MODE_NORMAL 0u		/* the full test: conversions, evidence, APs */
#define COCO_GUEST_MODE_BENCH_CONVERT 1u	/* convert as arg0 says, report, exit */
/* Misbehaviour: each must end in a guest-visible error or a clean termination. */
#define COCO_GUEST_MODE_BAD_PSC_ENTRY 16u	/* page-state entry the protocol refuses */
#define COCO_GUEST_MODE_CONVERT_FOREIGN 17u	/* convert memory it does not own */
#define COCO_GUEST_MODE_MALFORMED_GHCB 18u	/* SNP: GHCB with invalid usage / fields */
#define COCO_GUEST_MODE_BAD_SEQNO 19u		/* SNP: guest message with a wrong sequence number */
#define COCO_GUEST_MODE_TOUCH_PRIVATE 20u	/* hand the VMM a private page as shared */
#define COCO_GUEST_MODE_TERMINATE 21u		/* ask for termination with a reason */

#ifndef __ASSEMBLER__
/* The boot parameters page (little endian, at COCO_GUEST_PARAMS_GPA). */
struct coco_guest_params {
	unsigned int magic;			/* COCO_GUEST_PARAMS_MAGIC */
	unsigned int version;			/* COCO_GUEST_PARAMS_VERSION */
	unsigned int vcpus;			/* vCPUs the VM has */
	unsigned int mode;			/* COCO_GUEST_MODE_* */
	unsigned long long mem_size;		/* RAM from GPA 0 */
	unsigned long long arg0, arg1;		/* mode arguments */
	unsigned char report_data[64];		/* what the guest puts in its evidence */
};

#define COCO_GUEST_EVIDENCE_MAGIC 0x56454f43u	/* "COEV" */
/* coco_guest_evidence_post.format: enum coco_evidence_format's values. */
#define COCO_GUEST_EVIDENCE_SNP_REPORT 1u
#define COCO_GUEST_EVIDENCE_TDX_QUOTE 2u
#define COCO_GUEST_EVIDENCE_MAX (64u * 1024u)

/* Evidence handed to the VMM (port 0xf6): header, then length bytes. */
struct coco_guest_evidence_post {
	unsigned int magic;			/* COCO_GUEST_EVIDENCE_MAGIC */
	unsigned int format;			/* COCO_GUEST_EVIDENCE_* */
	unsigned int length;			/* bytes after the header, <= MAX */
	int status;				/* written by the VMM */
	unsigned char data[];
};
#endif /* __ASSEMBLER__ */

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/vmsa-decode.c.  Round trips with the VMSA builder
 * (sev-snp/vmsa.c) for reset states, and a hand-written long-mode VMSA
 * whose every register holds a different value, placed at the offsets of
 * AMD APM vol. 2 table B-4 written out here, so that a swapped or
 * misplaced field fails.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/vmsa-decode.h"
#include "sev-snp/vmsa.h"
#include "tests/common/test-main.h"

static void build(uint8_t *v, uint32_t boot_ip, uint32_t sig, uint64_t features)
{
	struct snp_vmsa_params p = {
		.vmm_type = COCO_SNP_VMM_QEMU, .boot_ip = boot_ip, .cpu_signature = sig,
		.sev_features = features,
	};

	CU_ASSERT_EQUAL_FATAL(snp_vmsa_build(v, &p), 0);
}

static void expect_real_mode_data(const struct kvm_segment *s)
{
	CU_ASSERT_EQUAL(s->selector, 0);
	CU_ASSERT_EQUAL(s->base, 0);
	CU_ASSERT_EQUAL(s->limit, 0xFFFF);
	CU_ASSERT_EQUAL(s->type, 3);	/* read/write data, accessed */
	CU_ASSERT_EQUAL(s->s, 1);
	CU_ASSERT_EQUAL(s->present, 1);
	CU_ASSERT_EQUAL(s->dpl, 0);
	CU_ASSERT_EQUAL(s->unusable, 0);
}

static void test_reset_vector_round_trip(void)
{
	uint8_t v[SNP_PAGE_SIZE];
	struct snp_vmsa_regs r;

	build(v, 0, 0x00A10F11, 0x1);
	CU_ASSERT_EQUAL_FATAL(snp_vmsa_decode(v, &r), 0);
	/* Real mode at 0xFFFFFFF0: CS.base 0xFFFF0000, selector 0xF000, IP 0xFFF0. */
	CU_ASSERT_EQUAL(r.sregs.cs.selector, 0xF000);
	CU_ASSERT_EQUAL(r.sregs.cs.base, 0xFFFF0000);
	CU_ASSERT_EQUAL(r.sregs.cs.limit, 0xFFFF);
	CU_ASSERT_EQUAL(r.sregs.cs.type, 0xB);
	CU_ASSERT_EQUAL(r.sregs.cs.s, 1);
	CU_ASSERT_EQUAL(r.sregs.cs.present, 1);
	CU_ASSERT_EQUAL(r.sregs.cs.l, 0);
	CU_ASSERT_EQUAL(r.sregs.cs.db, 0);
	CU_ASSERT_EQUAL(r.regs.rip, 0xFFF0);
	CU_ASSERT_EQUAL(r.sregs.cs.base + r.regs.rip, 0xFFFFFFF0);
	expect_real_mode_data(&r.sregs.ds);
	expect_real_mode_data(&r.sregs.es);
	expect_real_mode_data(&r.sregs.ss);
	expect_real_mode_data(&r.sregs.fs);
	expect_real_mode_data(&r.sregs.gs);
	CU_ASSERT_EQUAL(r.sregs.ldt.type, 2);
	CU_ASSERT_EQUAL(r.sregs.tr.type, 0xB);
	CU_ASSERT_EQUAL(r.sregs.gdt.limit, 0xFFFF);
	CU_ASSERT_EQUAL(r.sregs.idt.limit, 0xFFFF);
	/* The reset CPU: protected mode off, paging off; EFER without KVM's SVME. */
	CU_ASSERT_EQUAL(r.sregs.cr0, 0x10);
	CU_ASSERT_EQUAL(r.sregs.efer, 0);
	CU_ASSERT_EQUAL(r.regs.rflags, 0x2);
	CU_ASSERT_EQUAL(r.regs.rdx, 0x00A10F11);	/* CPUID(1).EAX at reset */
	CU_ASSERT_EQUAL(r.regs.rax, 0);
	CU_ASSERT_EQUAL(r.sev_features, 0x1);
	CU_ASSERT_EQUAL(r.dr7, 0x400);
	CU_ASSERT_EQUAL(r.xcr0, 0x1);
}

static void test_boot_ip_round_trip(void)
{
	static const uint32_t ips[] = { 0x0000F000, 0x12345678, 0xFFFFFFF0, 0x00100000 };
	uint8_t v[SNP_PAGE_SIZE];
	struct snp_vmsa_regs r;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(ips); i++) {
		build(v, ips[i], 0x800F12, 0x21);
		CU_ASSERT_EQUAL_FATAL(snp_vmsa_decode(v, &r), 0);
		CU_ASSERT_EQUAL(r.sregs.cs.base, ips[i] & 0xFFFF0000u);
		CU_ASSERT_EQUAL(r.regs.rip, ips[i] & 0xFFFFu);
		CU_ASSERT_EQUAL(r.sev_features, 0x21);
	}
}

static void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	put16(p, off, (uint16_t)v);
	put16(p, off + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	put32(p, off, (uint32_t)v);
	put32(p, off + 4, (uint32_t)(v >> 32));
}

static void put_seg(uint8_t *p, unsigned int off, uint16_t sel, uint16_t attr, uint32_t limit,
		    uint64_t base)
{
	put16(p, off, sel);
	put16(p, off + 2, attr);
	put32(p, off + 4, limit);
	put64(p, off + 8, base);
}

/* What an SNP guest writes for an AP entering 64-bit code. */
static void make_long_mode(uint8_t *v)
{
	memset(v, 0, SNP_PAGE_SIZE);
	put_seg(v, 0x10, 0x08, 0xA9B, 0xFFFFFFFF, 0);		/* CS: code, S, P, L, G */
	put_seg(v, 0x20, 0x10, 0xC93, 0xFFFFFFFF, 0);		/* SS: data, S, P, DB, G */
	put_seg(v, 0x30, 0x10, 0xC93, 0xFFFFFFFF, 0);		/* DS */
	put_seg(v, 0x50, 0, 0, 0, 0x7766554433221100ull);	/* GS: not present, a base */
	put_seg(v, 0x60, 0, 0, 0x27, 0x9000);			/* GDTR */
	put_seg(v, 0x80, 0, 0, 0xFFF, 0xA000);			/* IDTR */
	put_seg(v, 0x90, 0x18, 0x8B, 0x67, 0xB000);		/* TR */
	put64(v, 0xD0, 0x1000 | 0x500);				/* EFER: SVME, LME, LMA */
	put64(v, 0x148, 0x20 | 0x40);				/* CR4: PAE, MCE */
	put64(v, 0x150, 0x1000);				/* CR3 */
	put64(v, 0x158, 0x80000011);				/* CR0: PG, ET, PE */
	put64(v, 0x168, 0xFFFF0FF0);				/* DR6 */
	put64(v, 0x160, 0x400);					/* DR7 */
	put64(v, 0x170, 0x202);					/* RFLAGS */
	put64(v, 0x178, 0x401000);				/* RIP */
	put64(v, 0x1D8, 0x8000);				/* RSP */
	put64(v, 0x1F8, 0xA0);					/* RAX */
	put64(v, 0x268, 0x0007040600070406ull);			/* G_PAT */
	/* RCX, RDX, RBX, (RSP's hole), RBP, RSI, RDI, R8..R15 */
	static const unsigned int gpr[] = { 0x308, 0x310, 0x318, 0x328, 0x330, 0x338, 0x340,
					    0x348, 0x350, 0x358, 0x360, 0x368, 0x370, 0x378 };
	for (size_t i = 0; i < COCO_ARRAY_SIZE(gpr); i++)
		put64(v, gpr[i], 0xC1 + i);
	put64(v, 0x320, 0xBAD);					/* reserved: not a register */
	put64(v, 0x3B0, 0x1);					/* SEV_FEATURES */
	put64(v, 0x3E8, 0x7);					/* XCR0 */
}

static void test_long_mode_fields(void)
{
	uint8_t v[SNP_PAGE_SIZE];
	struct snp_vmsa_regs r;

	make_long_mode(v);
	CU_ASSERT_EQUAL_FATAL(snp_vmsa_decode(v, &r), 0);
	CU_ASSERT_EQUAL(r.sregs.cs.selector, 0x08);
	CU_ASSERT_EQUAL(r.sregs.cs.l, 1);
	CU_ASSERT_EQUAL(r.sregs.cs.db, 0);
	CU_ASSERT_EQUAL(r.sregs.cs.g, 1);
	CU_ASSERT_EQUAL(r.sregs.cs.type, 0xB);
	CU_ASSERT_EQUAL(r.sregs.cs.limit, 0xFFFFFFFF);
	CU_ASSERT_EQUAL(r.sregs.ss.db, 1);
	CU_ASSERT_EQUAL(r.sregs.ss.selector, 0x10);
	CU_ASSERT_EQUAL(r.sregs.gs.base, 0x7766554433221100ull);
	CU_ASSERT_EQUAL(r.sregs.gs.present, 0);
	CU_ASSERT_EQUAL(r.sregs.gs.unusable, 1);
	CU_ASSERT_EQUAL(r.sregs.gdt.base, 0x9000);
	CU_ASSERT_EQUAL(r.sregs.gdt.limit, 0x27);
	CU_ASSERT_EQUAL(r.sregs.idt.base, 0xA000);
	CU_ASSERT_EQUAL(r.sregs.idt.limit, 0xFFF);
	CU_ASSERT_EQUAL(r.sregs.tr.base, 0xB000);
	CU_ASSERT_EQUAL(r.sregs.tr.limit, 0x67);
	CU_ASSERT_EQUAL(r.sregs.efer, 0x500);
	CU_ASSERT_EQUAL(r.sregs.cr4, 0x60);
	CU_ASSERT_EQUAL(r.sregs.cr3, 0x1000);
	CU_ASSERT_EQUAL(r.sregs.cr0, 0x80000011);
	CU_ASSERT_EQUAL(r.regs.rflags, 0x202);
	CU_ASSERT_EQUAL(r.regs.rip, 0x401000);
	CU_ASSERT_EQUAL(r.regs.rsp, 0x8000);
	CU_ASSERT_EQUAL(r.regs.rax, 0xA0);
	CU_ASSERT_EQUAL(r.regs.rcx, 0xC1);
	CU_ASSERT_EQUAL(r.regs.rdx, 0xC2);
	CU_ASSERT_EQUAL(r.regs.rbx, 0xC3);
	CU_ASSERT_EQUAL(r.regs.rbp, 0xC4);
	CU_ASSERT_EQUAL(r.regs.rsi, 0xC5);
	CU_ASSERT_EQUAL(r.regs.rdi, 0xC6);
	CU_ASSERT_EQUAL(r.regs.r8, 0xC7);
	CU_ASSERT_EQUAL(r.regs.r9, 0xC8);
	CU_ASSERT_EQUAL(r.regs.r10, 0xC9);
	CU_ASSERT_EQUAL(r.regs.r11, 0xCA);
	CU_ASSERT_EQUAL(r.regs.r12, 0xCB);
	CU_ASSERT_EQUAL(r.regs.r13, 0xCC);
	CU_ASSERT_EQUAL(r.regs.r14, 0xCD);
	CU_ASSERT_EQUAL(r.regs.r15, 0xCE);
	CU_ASSERT_EQUAL(r.g_pat, 0x0007040600070406ull);
	CU_ASSERT_EQUAL(r.xcr0, 0x7);
	CU_ASSERT_EQUAL(r.dr6, 0xFFFF0FF0);
	/* Nothing the decoder does not own: APIC base, CR2, CR8 stay zero for the caller. */
	CU_ASSERT_EQUAL(r.sregs.apic_base, 0);
	CU_ASSERT_EQUAL(r.sregs.cr2, 0);
	CU_ASSERT_EQUAL(r.sregs.cr8, 0);
}

static void test_bad_attributes(void)
{
	static const struct { unsigned int off; const char *name; } segs[] = {
		{ 0x00, "ES" }, { 0x10, "CS" }, { 0x20, "SS" }, { 0x30, "DS" },
		{ 0x40, "FS" }, { 0x50, "GS" }, { 0x70, "LDTR" }, { 0x90, "TR" },
	};
	uint8_t v[SNP_PAGE_SIZE];
	struct snp_vmsa_regs r;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(segs); i++) {
		make_long_mode(v);
		put16(v, segs[i].off + 2, 0x1093);	/* bit 12: not a packed attribute */
		CU_ASSERT_EQUAL(snp_vmsa_decode(v, &r), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), segs[i].name));
	}
	/* An all-0xFF page (garbage) is refused, not decoded. */
	memset(v, 0xFF, sizeof(v));
	CU_ASSERT_EQUAL(snp_vmsa_decode(v, &r), -EINVAL);
}

static CU_TestInfo tests[] = {
	{ "reset-vector VMSA round trip", test_reset_vector_round_trip },
	{ "boot IPs round trip", test_boot_ip_round_trip },
	{ "long-mode VMSA: every field in place", test_long_mode_fields },
	{ "segment attributes beyond 12 bits refused", test_bad_attributes },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "vmsa-decode", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/ghcb-protocol.c, the GHCB protocol's parsing and
 * checks.  Field positions in the test pages are written from
 * ../shared/specs/snp.md section 7 directly (not through the code under
 * test), so a wrong offset or mask in ghcb.h fails here.
 */
#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/ghcb.h"
#include "tests/common/test-main.h"

#define GHCB_GPA 0x10000ull

static void put64(uint8_t *p, unsigned int off, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p, unsigned int off)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[off + i];
	return v;
}

/* §7.2: valid bitmap at 0x3F0, one bit per quadword of the save area. */
static void mark(uint8_t *p, unsigned int off)
{
	p[0x3F0 + off / 64] |= (uint8_t)(1u << ((off / 8) % 8));
}

static void unmark(uint8_t *p, unsigned int off)
{
	p[0x3F0 + off / 64] &= (uint8_t)~(1u << ((off / 8) % 8));
}

/* A well-formed GHCB asking for @exit_code (version 2, usage 0, exit fields valid). */
static void make_ghcb(uint8_t *p, uint64_t exit_code, uint64_t info1, uint64_t info2)
{
	memset(p, 0, GHCB_PAGE_SIZE);
	put64(p, 0x390, exit_code);
	put64(p, 0x398, info1);
	put64(p, 0x3A0, info2);
	mark(p, 0x390);
	mark(p, 0x398);
	mark(p, 0x3A0);
	p[0xFFA] = 2;	/* protocol version */
}

/* ---- MSR protocol ---- */

static void test_msr_decode(void)
{
	struct ghcb_msr_request r;

	ghcb_msr_decode(0x8000001Full << 32 | 1ull << 30 | 0x004, &r);
	CU_ASSERT_EQUAL(r.code, GHCB_MSR_CPUID_REQ);
	CU_ASSERT_EQUAL(r.cpuid_fn, 0x8000001F);
	CU_ASSERT_EQUAL(r.cpuid_reg, 1);

	/* PSC: [55:52] op, [51:12] GFN; bits above 55 are not part of either. */
	ghcb_msr_decode(0xFFull << 56 | 2ull << 52 | 0xABCDE12345ull << 12 | 0x014, &r);
	CU_ASSERT_EQUAL(r.code, GHCB_MSR_PSC_REQ);
	CU_ASSERT_EQUAL(r.psc_op, 2);
	CU_ASSERT_EQUAL(r.gfn, 0xABCDE12345ull);

	ghcb_msr_decode(0x12345ull << 12 | 0x012, &r);
	CU_ASSERT_EQUAL(r.code, GHCB_MSR_REG_GPA_REQ);
	CU_ASSERT_EQUAL(r.gfn, 0x12345);

	ghcb_msr_decode(0x7Eull << 16 | 0x3ull << 12 | 0x100, &r);
	CU_ASSERT_EQUAL(r.code, GHCB_MSR_TERM_REQ);
	CU_ASSERT_EQUAL(r.term_set, 3);
	CU_ASSERT_EQUAL(r.term_code, 0x7E);

	ghcb_msr_decode(0x123ull << 12 | 0x0AB, &r);
	CU_ASSERT_EQUAL(r.code, 0x0AB);
}

static void test_msr_responses(void)
{
	uint64_t v = ghcb_msr_sev_info(2, 1, 51);

	CU_ASSERT_EQUAL(v & 0xFFF, 0x001);
	CU_ASSERT_EQUAL(v >> 48, 2);
	CU_ASSERT_EQUAL((v >> 32) & 0xFFFF, 1);
	CU_ASSERT_EQUAL((v >> 24) & 0xFF, 51);
	CU_ASSERT_EQUAL((v >> 12) & 0xFFF, 0);

	v = ghcb_msr_cpuid_resp(0xDEADBEEF);
	CU_ASSERT_EQUAL(v & 0xFFF, 0x005);
	CU_ASSERT_EQUAL(v >> 32, 0xDEADBEEF);

	v = ghcb_msr_gfn_resp(0x013, 0x12345);
	CU_ASSERT_EQUAL(v, 0x12345ull << 12 | 0x013);
	/* "No preference" fills all 52 GFN bits (§7.1). */
	CU_ASSERT_EQUAL(ghcb_msr_gfn_resp(0x011, GHCB_MSR_PREF_GPA_NONE), ~0ull << 12 | 0x011);
	/* KVM's generic PSC failure: bit 63 with the response code. */
	CU_ASSERT_EQUAL(GHCB_MSR_PSC_RESP_ERROR >> 32, 0x80000000u);
	CU_ASSERT_EQUAL(GHCB_MSR_PSC_RESP_ERROR & 0xFFF, 0x015);
}

static void test_term_reasons(void)
{
	CU_ASSERT_PTR_NOT_NULL(ghcb_term_reason_name(0, 0));
	CU_ASSERT_PTR_NOT_NULL(ghcb_term_reason_name(0, 2));
	CU_ASSERT_PTR_NULL(ghcb_term_reason_name(0, 3));
	CU_ASSERT_PTR_NOT_NULL(ghcb_term_reason_name(1, 2));
	CU_ASSERT_PTR_NULL(ghcb_term_reason_name(7, 0));
}

/* ---- GHCB page ---- */

static void test_check_accepts(void)
{
	uint8_t p[GHCB_PAGE_SIZE];
	struct ghcb_request r;

	make_ghcb(p, SVM_VMGEXIT_PSC, 0, 0);
	put64(p, 0x3A8, GHCB_GPA + 0x800);
	mark(p, 0x3A8);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.exit_code, SVM_VMGEXIT_PSC);
	CU_ASSERT_EQUAL(r.scratch, GHCB_GPA + 0x800);
	CU_ASSERT(r.scratch_valid);
	CU_ASSERT_FALSE(r.rax_valid);

	make_ghcb(p, SVM_VMGEXIT_GUEST_REQUEST, 0x20000, 0x21000);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), 0);
	CU_ASSERT_EQUAL(r.info1, 0x20000);
	CU_ASSERT_EQUAL(r.info2, 0x21000);

	/* Version 1 is inside the offered range too. */
	p[0xFFA] = 1;
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), 0);

	make_ghcb(p, SVM_VMGEXIT_AP_CREATION, 1ull << 32 | GHCB_AP_CREATE, 0x30000);
	put64(p, 0x1F8, 0x1);
	mark(p, 0x1F8);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), 0);
	CU_ASSERT(r.rax_valid);
	CU_ASSERT_EQUAL(r.rax, 1);
}

static void test_check_refuses(void)
{
	uint8_t p[GHCB_PAGE_SIZE];
	struct ghcb_request r;
	char why[256];

	make_ghcb(p, SVM_VMGEXIT_GUEST_REQUEST, 0x20000, 0x21000);
	p[0xFFC] = 1;	/* usage */
	CU_ASSERT_EQUAL(ghcb_check(p, &r, why, sizeof(why)), GHCB_ERR_INVALID_USAGE);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "usage 1"));

	make_ghcb(p, SVM_VMGEXIT_GUEST_REQUEST, 0x20000, 0x21000);
	p[0xFFA] = 3;
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_INVALID_INPUT);
	p[0xFFA] = 0;
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_INVALID_INPUT);

	/* Each of the three exit fields must be marked valid. */
	static const unsigned int exit_fields[] = { 0x390, 0x398, 0x3A0 };
	for (size_t i = 0; i < 3; i++) {
		make_ghcb(p, SVM_VMGEXIT_GUEST_REQUEST, 0x20000, 0x21000);
		unmark(p, exit_fields[i]);
		CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_MISSING_INPUT);
	}

	/* PSC without SW_SCRATCH marked valid (the value alone is not enough). */
	make_ghcb(p, SVM_VMGEXIT_PSC, 0, 0);
	put64(p, 0x3A8, GHCB_GPA + 0x800);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_MISSING_INPUT);

	/* Guest request pages: aligned and distinct. */
	make_ghcb(p, SVM_VMGEXIT_GUEST_REQUEST, 0x20010, 0x21000);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_MISSING_INPUT);
	make_ghcb(p, SVM_VMGEXIT_EXT_GUEST_REQUEST, 0x20000, 0x20000);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_MISSING_INPUT);

	/* AP creation needs RAX, except for DESTROY. */
	make_ghcb(p, SVM_VMGEXIT_AP_CREATION, 1ull << 32 | GHCB_AP_CREATE, 0x30000);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), GHCB_ERR_MISSING_INPUT);
	make_ghcb(p, SVM_VMGEXIT_AP_CREATION, 1ull << 32 | GHCB_AP_DESTROY, 0);
	CU_ASSERT_EQUAL(ghcb_check(p, &r, NULL, 0), 0);

	/* Events the model does not serve: IOIO (0x7B), MMIO read, an invented one. */
	static const uint64_t unknown[] = { 0x7B, 0x80000001, 0x80000014, 0xFFFFFFFF00000000ull };
	for (size_t i = 0; i < 4; i++) {
		make_ghcb(p, unknown[i], 0, 0);
		CU_ASSERT_EQUAL(ghcb_check(p, &r, why, sizeof(why)), GHCB_ERR_INVALID_EVENT);
	}
}

static void test_set_error(void)
{
	uint8_t p[GHCB_PAGE_SIZE] = { 0 };

	ghcb_set_error(p, GHCB_ERR_INVALID_SCRATCH_AREA);
	CU_ASSERT_EQUAL(get64(p, 0x398), 2);
	CU_ASSERT_EQUAL(get64(p, 0x3A0), 3);
	CU_ASSERT(ghcb_is_valid(p, 0x398));
	CU_ASSERT(ghcb_is_valid(p, 0x3A0));
	CU_ASSERT_FALSE(ghcb_is_valid(p, 0x390));
	/* Offsets past the save area have no bit. */
	CU_ASSERT_FALSE(ghcb_is_valid(p, 0x800));
}

/* ---- page state change ---- */

static uint64_t entry(uint16_t cur_page, uint64_t gfn, unsigned int op, bool large)
{
	return cur_page | gfn << 12 | (uint64_t)op << 52 | (large ? 1ull << 56 : 0);
}

static void put_hdr(uint8_t *p, unsigned int off, uint16_t cur, uint16_t end)
{
	p[off] = (uint8_t)cur;
	p[off + 1] = (uint8_t)(cur >> 8);
	p[off + 2] = (uint8_t)end;
	p[off + 3] = (uint8_t)(end >> 8);
}

static void test_psc_entry_codec(void)
{
	struct ghcb_psc_entry e;
	uint64_t raw = entry(0x123, 0xFEDCBA987ull, GHCB_PSC_OP_SHARED, true);

	ghcb_psc_entry_decode(raw, &e);
	CU_ASSERT_EQUAL(e.cur_page, 0x123);
	CU_ASSERT_EQUAL(e.gfn, 0xFEDCBA987ull);
	CU_ASSERT_EQUAL(e.op, GHCB_PSC_OP_SHARED);
	CU_ASSERT(e.large);
	CU_ASSERT_EQUAL(ghcb_psc_entry_encode(&e), raw);

	/* Reserved bits 63:57 are dropped on the way back. */
	ghcb_psc_entry_decode(raw | 0xFEull << 56, &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_encode(&e), raw);
}

static void test_psc_entry_check(void)
{
	struct ghcb_psc_entry e;

	ghcb_psc_entry_decode(entry(0, 0x200, GHCB_PSC_OP_PRIVATE, true), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), 0);
	ghcb_psc_entry_decode(entry(512, 0x200, GHCB_PSC_OP_PRIVATE, true), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), 0);
	ghcb_psc_entry_decode(entry(513, 0x200, GHCB_PSC_OP_PRIVATE, true), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), GHCB_PSC_ERROR_INVALID_ENTRY);
	ghcb_psc_entry_decode(entry(0, 0x201, GHCB_PSC_OP_SHARED, true), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), GHCB_PSC_ERROR_INVALID_ENTRY);
	ghcb_psc_entry_decode(entry(0, 0x201, GHCB_PSC_OP_SHARED, false), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), 0);
	ghcb_psc_entry_decode(entry(2, 0x201, GHCB_PSC_OP_SHARED, false), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), GHCB_PSC_ERROR_INVALID_ENTRY);
	ghcb_psc_entry_decode(entry(0, 0x201, GHCB_PSC_OP_PSMASH, false), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), 0);
	ghcb_psc_entry_decode(entry(0, 0x201, 0, false), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), GHCB_PSC_ERROR_INVALID_ENTRY);
	ghcb_psc_entry_decode(entry(0, 0x201, 5, false), &e);
	CU_ASSERT_EQUAL(ghcb_psc_entry_check(&e), GHCB_PSC_ERROR_INVALID_ENTRY);
}

static void test_psc_locate(void)
{
	uint8_t p[GHCB_PAGE_SIZE] = { 0 };
	uint32_t off = 0, gerr;

	put_hdr(p, 0x800, 0, 252);
	CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, GHCB_GPA + 0x800, &off, &gerr), 0);
	CU_ASSERT_EQUAL(gerr, 0);
	CU_ASSERT_EQUAL(off, 0x800);

	/* 253 entries fill the shared buffer exactly; starting later they overflow it. */
	put_hdr(p, 0x808, 0, 252);
	CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, GHCB_GPA + 0x808, &off, &gerr),
			GHCB_PSC_ERROR_INVALID_HDR);
	put_hdr(p, 0x808, 0, 250);
	CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, GHCB_GPA + 0x808, &off, &gerr), 0);
	put_hdr(p, 0x800, 0, 253);
	CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, GHCB_GPA + 0x800, &off, &gerr),
			GHCB_PSC_ERROR_INVALID_HDR);
	put_hdr(p, 0x800, 0, 0xFFFF);
	CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, GHCB_GPA + 0x800, &off, &gerr),
			GHCB_PSC_ERROR_INVALID_HDR);

	/* Scratch areas outside the shared buffer. */
	static const uint64_t bad[] = { GHCB_GPA + 0x7F8, GHCB_GPA + 0xFEC, GHCB_GPA + 0x1800,
					0, GHCB_GPA - 0x800 };
	for (size_t i = 0; i < COCO_ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(ghcb_psc_locate(p, GHCB_GPA, bad[i], &off, &gerr), 0);
		CU_ASSERT_EQUAL(gerr, GHCB_ERR_INVALID_SCRATCH_AREA);
	}
}

/* A PSC buffer outside the GHCB page (KVM's scratch area read in and written back). */
static void test_psc_external(void)
{
	uint8_t hdr[GHCB_PSC_HDR_SIZE] = { 0 };
	uint32_t len = 1, gerr = 1;

	CU_ASSERT_TRUE(ghcb_scratch_in_ghcb(GHCB_GPA, GHCB_GPA + 0x800));
	CU_ASSERT_TRUE(ghcb_scratch_in_ghcb(GHCB_GPA, GHCB_GPA));
	CU_ASSERT_FALSE(ghcb_scratch_in_ghcb(GHCB_GPA, GHCB_GPA + GHCB_PAGE_SIZE));
	CU_ASSERT_FALSE(ghcb_scratch_in_ghcb(GHCB_GPA, GHCB_GPA - 8));

	/* END_ENTRY 2: the header and three entries; anywhere else in guest memory. */
	put_hdr(hdr, 0, 0, 2);
	CU_ASSERT_EQUAL(ghcb_psc_external_size(GHCB_GPA, 0x200010, hdr, &len, &gerr), 0);
	CU_ASSERT_EQUAL(gerr, 0);
	CU_ASSERT_EQUAL(len, 8 + 3 * 8);
	/* 253 entries: the largest buffer, far below the 16-page limit. */
	put_hdr(hdr, 0, 0, 252);
	CU_ASSERT_EQUAL(ghcb_psc_external_size(GHCB_GPA, 0x200000, hdr, &len, &gerr), 0);
	CU_ASSERT_EQUAL(len, GHCB_PSC_BUFFER_MAX);
	CU_ASSERT(GHCB_PSC_BUFFER_MAX <= GHCB_SCRATCH_AREA_LIMIT);
	put_hdr(hdr, 0, 0, 253);
	CU_ASSERT_EQUAL(ghcb_psc_external_size(GHCB_GPA, 0x200000, hdr, &len, &gerr),
			GHCB_PSC_ERROR_INVALID_HDR);
	CU_ASSERT_EQUAL(gerr, 0);

	/* No scratch GPA, a range that wraps, one that runs into or starts in the GHCB page. */
	put_hdr(hdr, 0, 0, 3);
	static const uint64_t bad[] = { 0, UINT64_MAX - 15, GHCB_GPA - 16, GHCB_GPA + 0x800 };
	for (size_t i = 0; i < COCO_ARRAY_SIZE(bad); i++) {
		gerr = 0;
		CU_ASSERT_EQUAL(ghcb_psc_external_size(GHCB_GPA, bad[i], hdr, &len, &gerr), 0);
		CU_ASSERT_EQUAL(gerr, GHCB_ERR_INVALID_SCRATCH_AREA);
		CU_ASSERT_EQUAL(len, 0);
	}
	/* Ending right where the GHCB page starts is fine. */
	CU_ASSERT_EQUAL(ghcb_psc_external_size(GHCB_GPA, GHCB_GPA - 40, hdr, &len, &gerr), 0);
	CU_ASSERT_EQUAL(gerr, 0);
	CU_ASSERT_EQUAL(len, 40);
}

/* The extended guest request's certificate table: entries, the zero entry, the data. */
static void test_cert_table(void)
{
	static const uint8_t a[] = { 1, 2, 3 }, b[] = { 9, 8, 7, 6, 5 };
	const struct ghcb_cert certs[] = { { GHCB_CERT_GUID_VCEK, a, sizeof(a) },
					   { GHCB_CERT_GUID_ARK, b, sizeof(b) } };
	static const uint8_t zero[GHCB_CERT_ENTRY_SIZE];
	uint8_t *t = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(ghcb_cert_table_build(certs, 2, &t, &len), 0);
	CU_ASSERT_EQUAL_FATAL(len, 3 * 24 + 3 + 5);
	/* snp.md 3.3: the VCEK GUID in the string's byte order. */
	CU_ASSERT_EQUAL(t[0], 0x63);
	CU_ASSERT_EQUAL(t[15], 0xcd);
	CU_ASSERT_EQUAL(memcmp(t, GHCB_CERT_GUID_VCEK, 16), 0);
	CU_ASSERT_EQUAL(t[16] | t[17] << 8 | t[18] << 16 | t[19] << 24, 72);
	CU_ASSERT_EQUAL(t[20] | t[21] << 8, 3);
	CU_ASSERT_EQUAL(memcmp(t + 24, GHCB_CERT_GUID_ARK, 16), 0);
	CU_ASSERT_EQUAL(t[24 + 16], 75);
	CU_ASSERT_EQUAL(t[24 + 20], 5);
	CU_ASSERT_EQUAL(memcmp(t + 48, zero, sizeof(zero)), 0);
	CU_ASSERT_EQUAL(memcmp(t + 72, a, 3), 0);
	CU_ASSERT_EQUAL(memcmp(t + 75, b, 5), 0);
	free(t);

	const struct ghcb_cert empty = { GHCB_CERT_GUID_ASK, a, 0 };
	CU_ASSERT_EQUAL(ghcb_cert_table_build(&empty, 1, &t, &len), -EINVAL);
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(ghcb_cert_table_build(certs, 0, &t, &len), -EINVAL);
}

struct conversion {
	uint64_t gpa, size;
	bool to_private;
};

struct recorder {
	struct conversion calls[8];
	unsigned int n;
	uint64_t fail_gpa;	/* refuse a conversion starting here */
};

static int record(void *ctx, uint64_t gpa, uint64_t size, bool to_private)
{
	struct recorder *r = ctx;

	if (r->n < 8)
		r->calls[r->n++] = (struct conversion){ gpa, size, to_private };
	return gpa == r->fail_gpa ? -EINVAL : 0;
}

static void test_psc_process(void)
{
	uint8_t p[GHCB_PAGE_SIZE] = { 0 };
	struct recorder r = { .fail_gpa = ~0ull };
	const unsigned int off = 0x800;

	put_hdr(p, off, 0, 3);
	put64(p, off + 8, entry(0, 0x200, GHCB_PSC_OP_SHARED, true));
	put64(p, off + 16, entry(510, 0x400, GHCB_PSC_OP_PRIVATE, true));	/* 2 pages left */
	put64(p, off + 24, entry(0, 0x1234, GHCB_PSC_OP_PSMASH, false));
	put64(p, off + 32, entry(1, 0x1235, GHCB_PSC_OP_SHARED, false));	/* already done */
	CU_ASSERT_EQUAL(ghcb_psc_process(p, off, record, &r), 0);
	CU_ASSERT_EQUAL_FATAL(r.n, 2);
	CU_ASSERT_EQUAL(r.calls[0].gpa, 0x200000);
	CU_ASSERT_EQUAL(r.calls[0].size, 0x200000);
	CU_ASSERT_FALSE(r.calls[0].to_private);
	CU_ASSERT_EQUAL(r.calls[1].gpa, 0x400000 + 510 * 4096);
	CU_ASSERT_EQUAL(r.calls[1].size, 2 * 4096);
	CU_ASSERT(r.calls[1].to_private);
	/* Progress: CUR_ENTRY past the end, every entry's CUR_PAGE complete. */
	CU_ASSERT_EQUAL(p[off] | p[off + 1] << 8, 4);
	CU_ASSERT_EQUAL(get64(p, off + 8) & 0xFFF, 512);
	CU_ASSERT_EQUAL(get64(p, off + 16) & 0xFFF, 512);
	CU_ASSERT_EQUAL(get64(p, off + 24) & 0xFFF, 1);

	/* A failed conversion stops at its entry, which stays as it was. */
	memset(p, 0, sizeof(p));
	r = (struct recorder){ .fail_gpa = 0x5000 };
	put_hdr(p, off, 0, 2);
	put64(p, off + 8, entry(0, 0x4, GHCB_PSC_OP_SHARED, false));
	put64(p, off + 16, entry(0, 0x5, GHCB_PSC_OP_SHARED, false));
	put64(p, off + 24, entry(0, 0x6, GHCB_PSC_OP_SHARED, false));
	CU_ASSERT_EQUAL(ghcb_psc_process(p, off, record, &r), GHCB_PSC_ERROR_GENERIC);
	CU_ASSERT_EQUAL(r.n, 2);
	CU_ASSERT_EQUAL(p[off], 1);
	CU_ASSERT_EQUAL(get64(p, off + 16) & 0xFFF, 0);

	/* A bad entry: nothing after it runs; CUR_ENTRY names it.  Start at CUR_ENTRY 1. */
	memset(p, 0, sizeof(p));
	r = (struct recorder){ .fail_gpa = ~0ull };
	put_hdr(p, off, 1, 2);
	put64(p, off + 8, entry(0, 0x4, GHCB_PSC_OP_SHARED, false));	/* before CUR_ENTRY */
	put64(p, off + 16, entry(0, 0x201, GHCB_PSC_OP_PRIVATE, true));
	put64(p, off + 24, entry(0, 0x6, GHCB_PSC_OP_SHARED, false));
	CU_ASSERT_EQUAL(ghcb_psc_process(p, off, record, &r), GHCB_PSC_ERROR_INVALID_ENTRY);
	CU_ASSERT_EQUAL(r.n, 0);
	CU_ASSERT_EQUAL(p[off], 1);

	/* CUR_ENTRY beyond END_ENTRY: nothing to do. */
	put_hdr(p, off, 3, 2);
	CU_ASSERT_EQUAL(ghcb_psc_process(p, off, record, &r), 0);
	CU_ASSERT_EQUAL(r.n, 0);
}

/* ---- AP creation ---- */

static void test_ap_create(void)
{
	struct ghcb_ap_create ap;
	const uint64_t mem_end = 1ull << 30;
	char why[256];

	CU_ASSERT_EQUAL(ghcb_ap_create_decode(3ull << 32 | GHCB_AP_CREATE, 0x301000, 0x1, 4, 0x1,
					      mem_end, &ap, why, sizeof(why)), 0);
	CU_ASSERT_EQUAL(ap.apic_id, 3);
	CU_ASSERT_EQUAL(ap.request, GHCB_AP_CREATE);
	CU_ASSERT_EQUAL(ap.vmsa_gpa, 0x301000);
	/* Features other than the injection modes may differ (KVM checks only those). */
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE_ON_INIT, 0x301000, 0x5,
					      4, 0x1, mem_end, &ap, NULL, 0), 0);

	/* Refusals. */
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(4ull << 32 | GHCB_AP_CREATE, 0x301000, 0x1, 4, 0x1,
					      mem_end, &ap, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "APIC ID 4"));
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | 3, 0x301000, 0x1, 4, 0x1, mem_end, &ap,
					      NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE, 0x301000, 0x1 | 1 << 3,
					      4, 0x1, mem_end, &ap, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE, 0x301000, 0x1,
					      4, 0x1 | 1 << 4, mem_end, &ap, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE, 0x301008, 0x1, 4, 0x1,
					      mem_end, &ap, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE, 0x400000, 0x1, 4, 0x1,
					      mem_end, &ap, why, sizeof(why)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "2 MiB"));
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_CREATE, mem_end + 0x1000, 0x1,
					      4, 0x1, mem_end, &ap, NULL, 0), -EINVAL);
	/* DESTROY needs no VMSA. */
	CU_ASSERT_EQUAL(ghcb_ap_create_decode(1ull << 32 | GHCB_AP_DESTROY, 0, 0, 4, 0x1, mem_end,
					      &ap, NULL, 0), 0);
}

static CU_TestInfo tests[] = {
	{ "MSR protocol requests decode", test_msr_decode },
	{ "MSR protocol responses encode", test_msr_responses },
	{ "termination reason names", test_term_reasons },
	{ "GHCB checks accept well-formed pages", test_check_accepts },
	{ "GHCB checks refuse malformed pages with KVM's errors", test_check_refuses },
	{ "malformed-input answer", test_set_error },
	{ "PSC entry encode/decode", test_psc_entry_codec },
	{ "PSC entry checks", test_psc_entry_check },
	{ "PSC buffer placement", test_psc_locate },
	{ "PSC processing and progress", test_psc_process },
	{ "PSC buffer outside the GHCB", test_psc_external },
	{ "extended request certificate table", test_cert_table },
	{ "AP creation requests", test_ap_create },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "ghcb-protocol", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

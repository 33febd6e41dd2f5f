/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP test guest (snp-guest.elf): what a confidential guest does on
 * an SNP host, against coco-vmm and the sev-snp-model.  The mode comes from
 * the boot parameters page (core/guest-abi.h); each step prints what it did
 * and what it saw, and any unexpected answer ends the run with a nonzero
 * status (guest_panic or a mode's own failure).
 *
 * Guest physical layout (below the image at 1 MiB; RAM here is private and
 * not validated until the guest says otherwise):
 *   0x5000 params, 0x6000 secrets, 0x7000 CPUID   (the launch's pages)
 *   0x8000 GHCB             shared (MSR page state change), registered
 *   0x9000 request page     shared (GHCB page state change)
 *   0xA000 response page    shared
 *   0xB000 evidence post    shared
 *   0xC000 4 KiB scratch    private: PVALIDATE and conversion tests
 *   0xD000 private page     TOUCH_PRIVATE: a response page left private
 *   4 MiB  2 MiB scratch    private: 2 MiB PVALIDATE and conversion tests
 */
#include "guest.h"

#include "aes-gcm.h"
#include "snp-guest.h"

#define GHCB_GPA 0x8000ull
#define REQ_GPA 0x9000ull
#define RSP_GPA 0xA000ull
#define EVIDENCE_GPA 0xB000ull
#define SCRATCH_4K_GPA 0xC000ull
#define PRIVATE_PAGE_GPA 0xD000ull
#define SCRATCH_2M_GPA 0x400000ull
#define MIN_MEMORY (SCRATCH_2M_GPA + SNP_2M_SIZE)

/* Misbehaviour modes exit with this when the expected error did not come. */
#define STATUS_EXPECTED_ERROR_MISSING 2u

/* The SEV features of every VMSA of the VM: the default (SNPActive), include/coco/snp.h. */
#define GUEST_SEV_FEATURES 0x1ull

static const struct coco_guest_params *params;

static void *gpa_ptr(uint64_t gpa)
{
	return (void *)(uintptr_t)gpa;	/* identity mapped (entry32.S) */
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ------------------------------------------------------------------ */
/* Validation and page state changes                                    */

static void pvalidate_or_panic(uint64_t gpa, unsigned int size, int validate)
{
	int no_update;
	uint32_t ret = snp_pvalidate(gpa, size, validate, &no_update);

	if (ret || no_update) {
		guest_printf("PVALIDATE %s 0x%llx (%s): EAX %u, CF %d\n",
			     validate ? "validate" : "rescind", (unsigned long long)gpa,
			     size == RMP_PG_SIZE_2M ? "2M" : "4K", ret, no_update);
		guest_panic("PVALIDATE failed");
	}
}

static void msr_psc_or_panic(uint64_t gpa, unsigned int op)
{
	int64_t err = ghcb_msr_psc(gpa, op);

	if (err) {
		guest_printf("MSR page state change of 0x%llx to %s: error 0x%llx\n",
			     (unsigned long long)gpa, op == SNP_PSC_OP_SHARED ? "shared" : "private",
			     (unsigned long long)err);
		guest_panic("MSR page state change failed");
	}
}

static void ghcb_psc_or_panic(const uint64_t *entries, unsigned int count, const char *what)
{
	uint64_t info1, info2 = ghcb_psc(entries, count, &info1);

	if (info1 || info2) {
		guest_printf("GHCB page state change (%s): SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
			     what, (unsigned long long)info1, (unsigned long long)info2);
		guest_panic("GHCB page state change failed");
	}
}

static void fill_check(uint64_t gpa, uint64_t len, uint8_t seed)
{
	volatile uint8_t *p = gpa_ptr(gpa);

	for (uint64_t i = 0; i < len; i += 509)
		p[i] = (uint8_t)(seed + i);
	for (uint64_t i = 0; i < len; i += 509)
		if (p[i] != (uint8_t)(seed + i))
			guest_panic("memory does not hold what was written");
}

/* The GHCB: made shared with the MSR protocol (no GHCB yet), then registered. */
static void setup_ghcb(void)
{
	unsigned int min_version, max_version, cbit;
	uint64_t features, status = sev_status();

	guest_printf("SEV_STATUS: 0x%llx\n", (unsigned long long)status);
	if (!(status & SEV_STATUS_SNP))
		guest_panic("SEV_STATUS says SNP is not active");
	if (ghcb_msr_sev_info(&min_version, &max_version, &cbit))
		guest_panic("SEV information request: no SEV information response");
	guest_printf("SEV info: GHCB protocol %u..%u, C-bit %u\n", min_version, max_version, cbit);
	if (min_version > GHCB_PROTOCOL_VERSION || max_version < GHCB_PROTOCOL_VERSION)
		guest_panic("the hypervisor does not speak GHCB protocol version 2");
	features = ghcb_msr_hv_features();
	guest_printf("hypervisor features: 0x%llx\n", (unsigned long long)features);
	if (!(features & GHCB_HV_FT_SNP))
		guest_panic("the hypervisor does not offer SEV-SNP (feature bit 0)");

	msr_psc_or_panic(GHCB_GPA, SNP_PSC_OP_SHARED);
	if (ghcb_msr_register(GHCB_GPA))
		guest_panic("GHCB GPA registration: the hypervisor did not echo the GFN");
	ghcb_use(gpa_ptr(GHCB_GPA));
	ghcb_clear();
	guest_printf("GHCB at 0x%llx: shared and registered\n", (unsigned long long)GHCB_GPA);
}

static void share_message_pages(void)
{
	uint64_t entries[] = {
		snp_psc_entry(REQ_GPA, SNP_PSC_OP_SHARED, 0),
		snp_psc_entry(RSP_GPA, SNP_PSC_OP_SHARED, 0),
		snp_psc_entry(EVIDENCE_GPA, SNP_PSC_OP_SHARED, 0),
	};

	ghcb_psc_or_panic(entries, 3, "request, response and evidence pages to shared");
	memset(gpa_ptr(REQ_GPA), 0, 3 * SNP_PAGE_SIZE);
	guest_printf("request/response/evidence pages shared\n");
}

/* PVALIDATE the RAM the guest uses beyond the launch: 4 KiB and 2 MiB. */
static void validate_ram(void)
{
	int no_update;
	uint32_t ret;

	pvalidate_or_panic(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 1);
	/* Validating a validated page changes nothing: EAX 0 with CF set (snp.md 5.3). */
	ret = snp_pvalidate(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 1, &no_update);
	if (ret || !no_update) {
		guest_printf("PVALIDATE again: EAX %u CF %d\n", ret, no_update);
		guest_panic("a second PVALIDATE did not report 'no update'");
	}
	fill_check(SCRATCH_4K_GPA, SNP_PAGE_SIZE, 0x11);
	pvalidate_or_panic(SCRATCH_2M_GPA, RMP_PG_SIZE_2M, 1);
	fill_check(SCRATCH_2M_GPA, SNP_2M_SIZE, 0x22);
	guest_printf("PVALIDATE: 4K at 0x%llx, 2M at 0x%llx\n", (unsigned long long)SCRATCH_4K_GPA,
		     (unsigned long long)SCRATCH_2M_GPA);
}

/* private -> shared -> private at 4 KiB, once with each protocol leading. */
static void convert_4k(void)
{
	uint64_t to_private = snp_psc_entry(SCRATCH_4K_GPA, SNP_PSC_OP_PRIVATE, 0);
	uint64_t to_shared = snp_psc_entry(SCRATCH_4K_GPA, SNP_PSC_OP_SHARED, 0);

	/* Round 1: MSR protocol to shared, GHCB to private. */
	pvalidate_or_panic(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 0);
	msr_psc_or_panic(SCRATCH_4K_GPA, SNP_PSC_OP_SHARED);
	fill_check(SCRATCH_4K_GPA, SNP_PAGE_SIZE, 0x33);
	ghcb_psc_or_panic(&to_private, 1, "4K to private");
	pvalidate_or_panic(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 1);
	fill_check(SCRATCH_4K_GPA, SNP_PAGE_SIZE, 0x44);
	guest_printf("convert 4K: private -> shared (MSR) -> private (GHCB)\n");

	/* Round 2: GHCB to shared, MSR protocol to private. */
	pvalidate_or_panic(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 0);
	ghcb_psc_or_panic(&to_shared, 1, "4K to shared");
	fill_check(SCRATCH_4K_GPA, SNP_PAGE_SIZE, 0x55);
	msr_psc_or_panic(SCRATCH_4K_GPA, SNP_PSC_OP_PRIVATE);
	pvalidate_or_panic(SCRATCH_4K_GPA, RMP_PG_SIZE_4K, 1);
	fill_check(SCRATCH_4K_GPA, SNP_PAGE_SIZE, 0x66);
	guest_printf("convert 4K: private -> shared (GHCB) -> private (MSR)\n");
}

static void convert_2m(void)
{
	uint64_t to_shared = snp_psc_entry(SCRATCH_2M_GPA, SNP_PSC_OP_SHARED, 1);
	uint64_t to_private = snp_psc_entry(SCRATCH_2M_GPA, SNP_PSC_OP_PRIVATE, 1);

	pvalidate_or_panic(SCRATCH_2M_GPA, RMP_PG_SIZE_2M, 0);
	ghcb_psc_or_panic(&to_shared, 1, "2M to shared");
	fill_check(SCRATCH_2M_GPA, SNP_2M_SIZE, 0x77);
	ghcb_psc_or_panic(&to_private, 1, "2M to private");
	pvalidate_or_panic(SCRATCH_2M_GPA, RMP_PG_SIZE_2M, 1);
	fill_check(SCRATCH_2M_GPA, SNP_2M_SIZE, 0x88);
	guest_printf("convert 2M: private -> shared -> private (GHCB, 2M entries)\n");
}

/* ------------------------------------------------------------------ */
/* Guest messages                                                       */

/* The last sequence number used on VMPCK0 (the firmware's starts at 0). */
static uint64_t msg_seqno;
static uint8_t response_copy[SNP_PAGE_SIZE];
static uint8_t response_payload[SNP_PAGE_SIZE];

static const uint8_t *vmpck0(void)
{
	return (const uint8_t *)gpa_ptr(COCO_GUEST_SNP_SECRETS_GPA) + GUEST_SECRETS_VMPCK0;
}

/*
 * Seal MSG_REPORT_REQ with sequence number @seqno into the request page
 * and send it with the response going to @rsp_gpa.  Returns SW_EXITINFO2;
 * *info1 gets SW_EXITINFO1.
 */
static uint64_t send_report_request(uint64_t seqno, uint64_t rsp_gpa, uint64_t *info1)
{
	uint8_t payload[GUEST_REPORT_REQ_SIZE];

	guest_report_req_payload(payload, params->report_data);
	guest_msg_seal(gpa_ptr(REQ_GPA), vmpck0(), 0, seqno, GMSG_REPORT_REQ, payload,
		     GUEST_REPORT_REQ_SIZE);
	return ghcb_guest_request(REQ_GPA, rsp_gpa, info1);
}

/* The whole exchange: returns the report (in response_payload) or panics. */
static const uint8_t *get_report(void)
{
	uint64_t seqno = msg_seqno + 1, info1, info2;
	enum guest_msg_error err;
	const uint8_t *report;
	uint16_t len;

	memset(gpa_ptr(RSP_GPA), 0, SNP_PAGE_SIZE);
	info2 = send_report_request(seqno, RSP_GPA, &info1);
	if (info1 || info2) {
		guest_printf("SNP_GUEST_REQUEST: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
			     (unsigned long long)info1, (unsigned long long)info2);
		guest_panic("the guest request failed");
	}
	/* Decrypt a private copy: the host can change the shared page at any time. */
	memcpy(response_copy, gpa_ptr(RSP_GPA), SNP_PAGE_SIZE);
	err = guest_msg_open(response_copy, SNP_PAGE_SIZE, vmpck0(), 0, seqno + 1, GMSG_REPORT_RSP,
			   response_payload, sizeof(response_payload), &len);
	if (err) {
		guest_printf("MSG_REPORT_RSP: %s\n", guest_msg_error_name(err));
		guest_panic("the report response does not open");
	}
	msg_seqno = seqno + 1;	/* both numbers are used */
	if (len < GUEST_REPORT_RSP_REPORT + GUEST_REPORT_SIZE)
		guest_panic("MSG_REPORT_RSP shorter than a report");
	if (le32(response_payload) != 0 || le32(response_payload + 4) != GUEST_REPORT_SIZE) {
		guest_printf("MSG_REPORT_RSP: STATUS 0x%x REPORT_SIZE 0x%x\n",
			     le32(response_payload), le32(response_payload + 4));
		guest_panic("the firmware refused the report request");
	}
	report = response_payload + GUEST_REPORT_RSP_REPORT;
	if (memcmp(report + GUEST_REPORT_REPORT_DATA, params->report_data, 64))
		guest_panic("the report does not carry the report data the guest asked for");
	if (le32(report + GUEST_REPORT_VMPL) != 0)
		guest_panic("the report is not for VMPL 0");
	guest_printf("report: %u bytes, seqno %llu/%llu, measurement ", GUEST_REPORT_SIZE,
		     (unsigned long long)seqno, (unsigned long long)(seqno + 1));
	for (unsigned int i = 0; i < 48; i++)
		guest_printf("%x%x", report[GUEST_REPORT_MEASUREMENT + i] >> 4,
			     report[GUEST_REPORT_MEASUREMENT + i] & 0xf);
	guest_printf("\n");
	return report;
}

static void report_and_post_evidence(void)
{
	const uint8_t *report = get_report();
	int status = guest_post_evidence(EVIDENCE_GPA, COCO_GUEST_EVIDENCE_SNP_REPORT, report,
					 GUEST_REPORT_SIZE);

	if (status) {
		guest_printf("evidence post: status %d\n", status);
		guest_panic("the VMM did not accept the report");
	}
	guest_printf("evidence: SNP report posted\n");
}

/* ------------------------------------------------------------------ */
/* AP creation                                                          */

/* One VMSA page per AP, in the image (so already private and validated). */
static uint8_t ap_vmsa[GUEST_MAX_VCPUS][SNP_PAGE_SIZE] __attribute__((aligned(4096)));
static volatile uint32_t ap_up;
extern char ap_entry64[];

/* VMSA offsets (APM vol. 2 table B-4; snp.md 7.2 uses the same save area). */
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
#define VMSA_EFER 0x0D0u
#define VMSA_CR4 0x148u
#define VMSA_CR3 0x150u
#define VMSA_CR0 0x158u
#define VMSA_DR7 0x160u
#define VMSA_DR6 0x168u
#define VMSA_RFLAGS 0x170u
#define VMSA_RIP 0x178u
#define VMSA_RSP 0x1D8u
#define VMSA_G_PAT 0x268u
#define VMSA_RSI 0x330u
#define VMSA_SEV_FEATURES 0x3B0u
#define VMSA_XCR0 0x3E8u
#define VMSA_MXCSR 0x408u
#define VMSA_X87_FCW 0x410u
/* Packed segment attributes (APM vol. 2 15.5.1): type, S, DPL, P in 7:0; AVL, L, D/B, G in 11:8. */
#define SEG_CODE64 0xA9Bu	/* present code, readable, accessed, L, G */
#define SEG_DATA 0xC93u		/* present data, writable, accessed, D/B, G */
#define SEG_LDT 0x82u
#define SEG_TSS_BUSY 0x8Bu
#define EFER_SVME 0x1000ull	/* an SEV-ES/SNP VMSA runs with EFER.SVME (as KVM's reset VMSA) */

static void put64(uint8_t *p, uint64_t v)
{
	for (unsigned int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_seg(uint8_t *vmsa, unsigned int off, uint16_t selector, uint16_t attrib,
		    uint32_t limit, uint64_t base)
{
	vmsa[off] = (uint8_t)selector;
	vmsa[off + 1] = (uint8_t)(selector >> 8);
	vmsa[off + 2] = (uint8_t)attrib;
	vmsa[off + 3] = (uint8_t)(attrib >> 8);
	for (unsigned int i = 0; i < 4; i++)
		vmsa[off + 4 + i] = (uint8_t)(limit >> (8 * i));
	put64(vmsa + off + 8, base);
}

static uint64_t read_cr(int n)
{
	uint64_t v = 0;

	switch (n) {
	case 0: __asm__ volatile("mov %%cr0, %0" : "=r"(v)); break;
	case 3: __asm__ volatile("mov %%cr3, %0" : "=r"(v)); break;
	case 4: __asm__ volatile("mov %%cr4, %0" : "=r"(v)); break;
	}
	return v;
}

static uint64_t read_efer(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(0xC0000080u));
	return ((uint64_t)hi << 32) | lo;
}

/* 64-bit state entering ap_entry64 with the BSP's paging and GDT (entry32.S). */
static void build_ap_vmsa(uint8_t *vmsa, uint32_t index)
{
	uint16_t gdt_limit;
	uint64_t gdt_base;

	memcpy(&gdt_limit, guest_gdt_desc, 2);
	memcpy(&gdt_base, guest_gdt_desc + 2, 8);
	memset(vmsa, 0, SNP_PAGE_SIZE);
	put_seg(vmsa, VMSA_CS, GUEST_CODE64_SEL, SEG_CODE64, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_ES, GUEST_DATA_SEL, SEG_DATA, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_SS, GUEST_DATA_SEL, SEG_DATA, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_DS, GUEST_DATA_SEL, SEG_DATA, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_FS, GUEST_DATA_SEL, SEG_DATA, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_GS, GUEST_DATA_SEL, SEG_DATA, 0xFFFFFFFFu, 0);
	put_seg(vmsa, VMSA_GDTR, 0, 0, gdt_limit, gdt_base);
	put_seg(vmsa, VMSA_IDTR, 0, 0, 0, 0);
	put_seg(vmsa, VMSA_LDTR, 0, SEG_LDT, 0xFFFF, 0);
	put_seg(vmsa, VMSA_TR, 0, SEG_TSS_BUSY, 0xFFFF, 0);
	put64(vmsa + VMSA_EFER, read_efer() | EFER_SVME);
	put64(vmsa + VMSA_CR0, read_cr(0));
	put64(vmsa + VMSA_CR3, read_cr(3));
	put64(vmsa + VMSA_CR4, read_cr(4));
	put64(vmsa + VMSA_DR7, 0x400);
	put64(vmsa + VMSA_DR6, 0xFFFF0FF0ull);
	put64(vmsa + VMSA_RFLAGS, 0x2);
	put64(vmsa + VMSA_RIP, (uint64_t)(uintptr_t)ap_entry64);
	put64(vmsa + VMSA_RSP, guest_stack_top(index));
	put64(vmsa + VMSA_RSI, index);
	put64(vmsa + VMSA_G_PAT, 0x0007040600070406ull);	/* the PAT reset value */
	put64(vmsa + VMSA_SEV_FEATURES, GUEST_SEV_FEATURES);
	put64(vmsa + VMSA_XCR0, 1);
	vmsa[VMSA_MXCSR] = 0x80;	/* 0x1F80 */
	vmsa[VMSA_MXCSR + 1] = 0x1F;
	vmsa[VMSA_X87_FCW] = 0x7F;	/* 0x037F */
	vmsa[VMSA_X87_FCW + 1] = 0x03;
}

void guest_ap_main(uint32_t vcpu_index)
{
	guest_printf("AP %u up\n", vcpu_index);
	guest_atomic_add(&ap_up, 1);
}

static void start_ap(uint32_t index)
{
	uint8_t *vmsa = ap_vmsa[index];
	uint64_t gpa = (uint64_t)(uintptr_t)vmsa, info1;
	uint32_t ret;

	if (!(gpa & (SNP_2M_SIZE - 1)))
		guest_panic("the VMSA page is 2 MiB aligned (refused for a CPU erratum, snp.md 5.4)");
	build_ap_vmsa(vmsa, index);
	/* Only VMPL0 may mark a VMSA, targeting VMPL1's permissions (snp.md 7.5). */
	ret = snp_rmpadjust(gpa, RMP_PG_SIZE_4K, RMPADJUST_VMSA_PAGE | 1);
	if (ret) {
		guest_printf("RMPADJUST(VMSA) of 0x%llx: EAX %u\n", (unsigned long long)gpa, ret);
		guest_panic("RMPADJUST refused the VMSA page");
	}
	info1 = ghcb_ap_create(index, gpa, GUEST_SEV_FEATURES);
	if (info1) {
		guest_printf("AP_CREATION: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
			     (unsigned long long)info1,
			     (unsigned long long)ghcb_get(GHCB_SW_EXIT_INFO_2));
		guest_panic("AP creation refused");
	}
	guest_printf("AP_CREATION: vCPU %u from the VMSA at 0x%llx\n", index,
		     (unsigned long long)gpa);
	for (uint64_t spins = 0; guest_atomic_load(&ap_up) < index; spins++)
		if (spins > (1ull << 32))
			guest_panic("the AP did not come up");
		else
			cpu_relax();
}

/* ------------------------------------------------------------------ */
/* Misbehaviour                                                         */

static int expect(const char *what, int ok)
{
	guest_printf("%s: %s\n", what, ok ? "refused as expected" : "NOT REFUSED");
	return ok;
}

static uint32_t mode_bad_psc_entry(void)
{
	uint64_t bad_op = (snp_psc_entry(SCRATCH_4K_GPA, 0, 0)) | (7ull << 52);
	uint64_t misaligned_2m = snp_psc_entry(SCRATCH_4K_GPA, SNP_PSC_OP_SHARED, 1);
	uint64_t good = snp_psc_entry(SCRATCH_4K_GPA, SNP_PSC_OP_SHARED, 0);
	uint64_t info1, info2;
	int ok = 1;

	info2 = ghcb_psc_raw(0, 0, &bad_op, 1, &info1);
	guest_printf("PSC entry with operation 7: SW_EXITINFO2 0x%llx\n", (unsigned long long)info2);
	ok &= expect("bad operation", info2 == SNP_PSC_ERROR_INVALID_ENTRY);
	info2 = ghcb_psc_raw(0, 0, &misaligned_2m, 1, &info1);
	guest_printf("PSC 2M entry at GFN 0xc: SW_EXITINFO2 0x%llx\n", (unsigned long long)info2);
	ok &= expect("2M entry not 2 MiB aligned", info2 == SNP_PSC_ERROR_INVALID_ENTRY);
	info2 = ghcb_psc_raw(0, SNP_PSC_MAX_ENTRIES, &good, 1, &info1);
	guest_printf("PSC header END_ENTRY 253: SW_EXITINFO2 0x%llx\n", (unsigned long long)info2);
	ok &= expect("END_ENTRY beyond 252", info2 == SNP_PSC_ERROR_INVALID_HDR);
	return ok ? 0 : STATUS_EXPECTED_ERROR_MISSING;
}

static uint32_t mode_convert_foreign(void)
{
	uint64_t beyond = (params->mem_size + SNP_2M_SIZE - 1) & ~(SNP_2M_SIZE - 1);
	/* To private: KVM + QEMU let a change to shared of non-RAM pass (firmware does it for MMIO). */
	uint64_t entry = snp_psc_entry(beyond + SNP_2M_SIZE, SNP_PSC_OP_PRIVATE, 0);
	uint64_t info1, info2;
	int64_t err;
	int ok = 1;

	err = ghcb_msr_psc(beyond, SNP_PSC_OP_PRIVATE);
	guest_printf("MSR PSC of 0x%llx (beyond RAM, 0x%llx bytes): error 0x%llx\n",
		     (unsigned long long)beyond, (unsigned long long)params->mem_size,
		     (unsigned long long)err);
	ok &= expect("MSR PSC outside guest memory", err != 0);
	info2 = ghcb_psc(&entry, 1, &info1);
	guest_printf("GHCB PSC of 0x%llx: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
		     (unsigned long long)(beyond + SNP_2M_SIZE), (unsigned long long)info1,
		     (unsigned long long)info2);
	ok &= expect("GHCB PSC outside guest memory", info1 != 0 || info2 != 0);
	return ok ? 0 : STATUS_EXPECTED_ERROR_MISSING;
}

static uint32_t mode_malformed_ghcb(void)
{
	uint64_t info1, info2;
	int ok = 1;

	/* SNP_GUEST_REQUEST without SW_EXITINFO2's valid bit. */
	ghcb_clear();
	ghcb_set(GHCB_SW_EXIT_CODE, SVM_VMGEXIT_GUEST_REQUEST);
	ghcb_set(GHCB_SW_EXIT_INFO_1, REQ_GPA);
	*(volatile uint64_t *)(ghcb_page() + GHCB_SW_EXIT_INFO_2) = RSP_GPA;
	info1 = ghcb_call_raw();
	info2 = ghcb_get(GHCB_SW_EXIT_INFO_2);
	guest_printf("missing valid bit: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
		     (unsigned long long)info1, (unsigned long long)info2);
	ok &= expect("missing input", info1 == GHCB_EXITINFO1_MALFORMED &&
		     info2 == GHCB_ERR_MISSING_INPUT);

	/* GHCB usage 1 (only 0, the standard GHCB, is defined for this protocol). */
	ghcb_clear();
	ghcb_set(GHCB_SW_EXIT_CODE, SVM_VMGEXIT_GUEST_REQUEST);
	ghcb_set(GHCB_SW_EXIT_INFO_1, REQ_GPA);
	ghcb_set(GHCB_SW_EXIT_INFO_2, RSP_GPA);
	*(volatile uint32_t *)(ghcb_page() + GHCB_USAGE_OFF) = 1;
	info1 = ghcb_call_raw();
	info2 = ghcb_get(GHCB_SW_EXIT_INFO_2);
	guest_printf("GHCB usage 1: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
		     (unsigned long long)info1, (unsigned long long)info2);
	ok &= expect("invalid usage", info1 == GHCB_EXITINFO1_MALFORMED &&
		     info2 == GHCB_ERR_INVALID_USAGE);

	/* An exit code no protocol defines. */
	ghcb_clear();
	info1 = ghcb_call(0x8000F00Dull, 0, 0);
	info2 = ghcb_get(GHCB_SW_EXIT_INFO_2);
	guest_printf("exit code 0x8000f00d: SW_EXITINFO1 0x%llx SW_EXITINFO2 0x%llx\n",
		     (unsigned long long)info1, (unsigned long long)info2);
	ok &= expect("invalid event", info1 == GHCB_EXITINFO1_MALFORMED &&
		     info2 == GHCB_ERR_INVALID_EVENT);

	/* The GHCB still works after the errors. */
	share_message_pages();
	return ok ? 0 : STATUS_EXPECTED_ERROR_MISSING;
}

static uint32_t mode_bad_seqno(void)
{
	uint64_t info1, info2;
	int ok;

	share_message_pages();
	info2 = send_report_request(msg_seqno + 1 + 6, RSP_GPA, &info1);
	guest_printf("MSG_REPORT_REQ with sequence number %llu (expected %llu): SW_EXITINFO1 "
		     "0x%llx SW_EXITINFO2 0x%llx (firmware status 0x%x)\n",
		     (unsigned long long)(msg_seqno + 7), (unsigned long long)(msg_seqno + 1),
		     (unsigned long long)info1, (unsigned long long)info2,
		     (unsigned int)(info2 & 0xFFFFFFFFu));
	ok = expect("wrong sequence number", (info2 & 0xFFFFFFFFu) != 0);
	/* The firmware did not advance: the right number still works. */
	get_report();
	return ok ? 0 : STATUS_EXPECTED_ERROR_MISSING;
}

/*
 * A guest request whose response page is private.  The VMM must not write
 * it: either the guest sees an error, or the VMM ends the run (KVM fails
 * KVM_RUN when it cannot write the response); it never returns success.
 */
static uint32_t mode_touch_private(void)
{
	volatile uint8_t *priv = gpa_ptr(PRIVATE_PAGE_GPA);
	uint64_t info1, info2;
	int untouched = 1, ok;

	share_message_pages();
	pvalidate_or_panic(PRIVATE_PAGE_GPA, RMP_PG_SIZE_4K, 1);
	for (unsigned int i = 0; i < SNP_PAGE_SIZE; i++)
		priv[i] = 0x5a;
	info2 = send_report_request(msg_seqno + 1, PRIVATE_PAGE_GPA, &info1);
	for (unsigned int i = 0; i < SNP_PAGE_SIZE; i++)
		if (priv[i] != 0x5a)
			untouched = 0;
	guest_printf("SNP_GUEST_REQUEST with the private page 0x%llx as response: SW_EXITINFO1 "
		     "0x%llx SW_EXITINFO2 0x%llx; private page %s\n",
		     (unsigned long long)PRIVATE_PAGE_GPA, (unsigned long long)info1,
		     (unsigned long long)info2, untouched ? "untouched" : "WRITTEN");
	ok = expect("private response page", (info1 != 0 || info2 != 0) && untouched);
	return ok ? 0 : STATUS_EXPECTED_ERROR_MISSING;
}

/* ------------------------------------------------------------------ */
/* BENCH_CONVERT                                                        */

static uint64_t bench_entries[SNP_PSC_MAX_ENTRIES];

static void pvalidate_range(uint64_t gpa, unsigned int n, uint64_t page_size, int validate)
{
	unsigned int size = page_size == SNP_2M_SIZE ? RMP_PG_SIZE_2M : RMP_PG_SIZE_4K;

	for (unsigned int i = 0; i < n; i++)
		pvalidate_or_panic(gpa + i * page_size, size, validate);
}

/*
 * [gpa, gpa + len) to shared and back in @page_size pages, as a guest
 * converts: rescind, page state change (253 entries per GHCB call), and
 * validate again once private.  Returns the pages converted each way.
 */
static uint64_t bench_pass(uint64_t gpa, uint64_t len, uint64_t page_size)
{
	int size_2m = page_size == SNP_2M_SIZE;
	uint64_t pages = 0;

	while (len) {
		unsigned int n = 0;

		while (n < SNP_PSC_MAX_ENTRIES && n * page_size < len)
			n++;
		pvalidate_range(gpa, n, page_size, 0);
		for (unsigned int i = 0; i < n; i++)
			bench_entries[i] = snp_psc_entry(gpa + i * page_size, SNP_PSC_OP_SHARED,
							 size_2m);
		ghcb_psc_or_panic(bench_entries, n, "benchmark conversion to shared");
		for (unsigned int i = 0; i < n; i++)
			bench_entries[i] = snp_psc_entry(gpa + i * page_size, SNP_PSC_OP_PRIVATE,
							 size_2m);
		ghcb_psc_or_panic(bench_entries, n, "benchmark conversion to private");
		pvalidate_range(gpa, n, page_size, 1);
		gpa += n * page_size;
		len -= n * page_size;
		pages += n;
	}
	return pages;
}

/*
 * BENCH_CONVERT: arg0 bytes from GPA arg1, both ways at 2 MiB, then at
 * 4 KiB.  The host times the passes from the "bench: phase" lines
 * (bench/bench-vmm.c).
 */
static uint32_t mode_bench_convert(void)
{
	uint64_t len = params->arg0, gpa = params->arg1;
	uint64_t image_end = (uint64_t)(uintptr_t)__image_end;
	uint64_t n2m, n4k;

	if (!len || (len | gpa) & (SNP_2M_SIZE - 1) || gpa < image_end ||
	    gpa > params->mem_size || len > params->mem_size - gpa)
		guest_panic("BENCH_CONVERT: arg0 bytes at GPA arg1 must be 2 MiB aligned, past "
			    "the image and inside RAM");
	for (uint64_t p = gpa; p < gpa + len; p += SNP_2M_SIZE)
		pvalidate_or_panic(p, RMP_PG_SIZE_2M, 1);
	guest_printf("bench: phase 2M\n");
	n2m = bench_pass(gpa, len, SNP_2M_SIZE);
	guest_printf("bench: phase 4K\n");
	n4k = bench_pass(gpa, len, SNP_PAGE_SIZE);
	guest_printf("bench: phase done\n");
	guest_printf("bench-convert: %llu bytes at 0x%llx: %llu 2M conversions, "
		     "%llu 4K conversions (each way)\n", (unsigned long long)len,
		     (unsigned long long)gpa, (unsigned long long)n2m, (unsigned long long)n4k);
	return 0;
}

/* ------------------------------------------------------------------ */

uint32_t guest_main(uint32_t vcpu_index)
{
	(void)vcpu_index;
	params = guest_params();
	guest_printf("snp-guest: mode %u, %u vCPUs, 0x%llx bytes of RAM\n", params->mode,
		     params->vcpus, (unsigned long long)params->mem_size);
	if (params->mem_size < MIN_MEMORY ||
	    (uint64_t)(uintptr_t)__image_end > SCRATCH_2M_GPA)
		guest_panic("the guest needs RAM up to 6 MiB and an image below 4 MiB");
	setup_ghcb();

	switch (params->mode) {
	case COCO_GUEST_MODE_NORMAL:
		validate_ram();
		convert_4k();
		convert_2m();
		share_message_pages();
		report_and_post_evidence();
		for (uint32_t i = 1; i < params->vcpus; i++)
			start_ap(i);
		guest_printf("snp-guest: done\n");
		return 0;
	case COCO_GUEST_MODE_BENCH_CONVERT:
		return mode_bench_convert();
	case COCO_GUEST_MODE_BAD_PSC_ENTRY:
		return mode_bad_psc_entry();
	case COCO_GUEST_MODE_CONVERT_FOREIGN:
		return mode_convert_foreign();
	case COCO_GUEST_MODE_MALFORMED_GHCB:
		return mode_malformed_ghcb();
	case COCO_GUEST_MODE_BAD_SEQNO:
		return mode_bad_seqno();
	case COCO_GUEST_MODE_TOUCH_PRIVATE:
		return mode_touch_private();
	case COCO_GUEST_MODE_TERMINATE:
		guest_printf("requesting termination: reason set 1, code 0x2a\n");
		ghcb_msr_terminate(1, 0x2a);
	}
	guest_printf("snp-guest: unknown mode %u\n", params->mode);
	return 1;
}

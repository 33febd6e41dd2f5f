/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The GHCB protocols, the guest's side (snp.md 7; GHCB spec 2.x), over the
 * platform model's VMGEXIT: a WRMSR to the GHCB MSR is the VMGEXIT and a
 * RDMSR reads the hypervisor's answer (core/guest-abi.h), so a real guest's
 * "WRMSR; VMGEXIT; RDMSR" is "WRMSR; RDMSR" here.  PVALIDATE and RMPADJUST
 * are the model doorbells with the instructions' registers.
 */
#include "snp-guest.h"

#include "core/guest-abi.h"

static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	return ((uint64_t)hi << 32) | lo;
}

/* SEV_STATUS (MSR 0xC0010131): bit 2 says SNP is active (snp.md §1). */
uint64_t sev_status(void)
{
	return rdmsr(0xC0010131u);
}

uint64_t ghcb_msr_call(uint64_t request)
{
	wrmsr(MSR_GHCB, request);
	return rdmsr(MSR_GHCB);
}

int ghcb_msr_sev_info(unsigned int *min_version, unsigned int *max_version, unsigned int *cbit)
{
	uint64_t resp = ghcb_msr_call(GHCB_MSR_SEV_INFO_REQ);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_SEV_INFO_RESP)
		return -1;
	*max_version = (unsigned int)(resp >> 48);
	*min_version = (unsigned int)((resp >> 32) & 0xFFFF);
	*cbit = (unsigned int)((resp >> 24) & 0xFF);
	return 0;
}

uint64_t ghcb_msr_hv_features(void)
{
	uint64_t resp = ghcb_msr_call(GHCB_MSR_HV_FT_REQ);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_HV_FT_RESP)
		return 0;
	return resp >> 12;
}

int ghcb_msr_register(uint64_t ghcb_gpa)
{
	uint64_t gfn = ghcb_gpa >> 12;
	uint64_t resp = ghcb_msr_call((gfn << 12) | GHCB_MSR_REG_GPA_REQ);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_REG_GPA_RESP || (resp >> 12) != gfn)
		return -1;
	return 0;
}

int64_t ghcb_msr_psc(uint64_t gpa, unsigned int op)
{
	uint64_t req = (gpa & 0x000FFFFFFFFFF000ull) | ((uint64_t)(op & 0xF) << 52) |
		       GHCB_MSR_PSC_REQ;
	uint64_t resp = ghcb_msr_call(req);

	if ((resp & GHCB_MSR_INFO_MASK) != GHCB_MSR_PSC_RESP)
		return -1;
	return (int64_t)(resp >> 32);
}

void ghcb_msr_terminate(unsigned int reason_set, unsigned int reason_code)
{
	ghcb_msr_call(GHCB_MSR_TERM_REQ | ((uint64_t)(reason_set & 0xF) << 12) |
		      ((uint64_t)(reason_code & 0xFF) << 16));
	/* The hypervisor does not resume a guest that asked to terminate. */
	for (;;)
		__asm__ volatile("pause");
}

/* ------------------------------------------------------------------ */
/* GHCB page protocol                                                   */

static volatile uint8_t *ghcb;

void ghcb_use(uint8_t *page)
{
	ghcb = page;
}

uint8_t *ghcb_page(void)
{
	return (uint8_t *)ghcb;
}

void ghcb_clear(void)
{
	for (unsigned int i = 0; i < SNP_PAGE_SIZE; i++)
		ghcb[i] = 0;
}

static volatile uint64_t *qword(unsigned int offset)
{
	return (volatile uint64_t *)(ghcb + offset);
}

void ghcb_set(unsigned int offset, uint64_t value)
{
	unsigned int bit = offset / 8;

	*qword(offset) = value;
	ghcb[GHCB_VALID_BITMAP + bit / 8] |= (uint8_t)(1u << (bit % 8));
}

uint64_t ghcb_get(unsigned int offset)
{
	return *qword(offset);
}

int ghcb_valid(unsigned int offset)
{
	unsigned int bit = offset / 8;

	return (ghcb[GHCB_VALID_BITMAP + bit / 8] >> (bit % 8)) & 1;
}

uint64_t ghcb_call_raw(void)
{
	*(volatile uint16_t *)(ghcb + GHCB_PROTOCOL_VERSION_OFF) = GHCB_PROTOCOL_VERSION;
	wrmsr(MSR_GHCB, (uint64_t)(uintptr_t)ghcb);	/* identity mapped: VA = GPA */
	return ghcb_get(GHCB_SW_EXIT_INFO_1);
}

uint64_t ghcb_call(uint64_t exit_code, uint64_t info1, uint64_t info2)
{
	ghcb_set(GHCB_SW_EXIT_CODE, exit_code);
	ghcb_set(GHCB_SW_EXIT_INFO_1, info1);
	ghcb_set(GHCB_SW_EXIT_INFO_2, info2);
	*(volatile uint32_t *)(ghcb + GHCB_USAGE_OFF) = GHCB_USAGE_DEFAULT;
	return ghcb_call_raw();
}

/* Shared buffer: {u16 CUR_ENTRY, u16 END_ENTRY, u32 reserved} then the entries (snp.md 7.3). */
#define PSC_HDR_CUR 0u
#define PSC_HDR_END 2u
#define PSC_ENTRIES 8u

static void psc_write(uint16_t cur_entry, uint16_t end_entry, const uint64_t *entries,
		      unsigned int count)
{
	volatile uint8_t *buf = ghcb + GHCB_SHARED_BUFFER;

	*(volatile uint16_t *)(buf + PSC_HDR_CUR) = cur_entry;
	*(volatile uint16_t *)(buf + PSC_HDR_END) = end_entry;
	*(volatile uint32_t *)(buf + 4) = 0;
	for (unsigned int i = 0; i < count; i++)
		*(volatile uint64_t *)(buf + PSC_ENTRIES + 8 * i) = entries[i];
}

static uint64_t psc_call(uint64_t *info1)
{
	uint64_t i1;

	/* A fresh valid bitmap; SW_SCRATCH = the shared buffer inside the GHCB (as Linux passes it). */
	for (unsigned int i = 0; i < 16; i++)
		ghcb[GHCB_VALID_BITMAP + i] = 0;
	ghcb_set(GHCB_SW_SCRATCH, (uint64_t)(uintptr_t)ghcb + GHCB_SHARED_BUFFER);
	i1 = ghcb_call(SVM_VMGEXIT_PSC, 0, 0);
	if (info1)
		*info1 = i1;
	return ghcb_get(GHCB_SW_EXIT_INFO_2);
}

uint64_t ghcb_psc_raw(uint16_t cur_entry, uint16_t end_entry, const uint64_t *entries,
		      unsigned int count, uint64_t *info1)
{
	psc_write(cur_entry, end_entry, entries, count);
	return psc_call(info1);
}

uint64_t ghcb_psc(const uint64_t *entries, unsigned int count, uint64_t *info1)
{
	if (info1)
		*info1 = 0;
	while (count) {
		unsigned int n = count < SNP_PSC_MAX_ENTRIES ? count : SNP_PSC_MAX_ENTRIES;
		volatile uint8_t *buf = ghcb + GHCB_SHARED_BUFFER;
		unsigned int calls = 0;

		psc_write(0, (uint16_t)(n - 1), entries, n);
		/* END_ENTRY is inclusive: done once CUR_ENTRY passes it. */
		while (*(volatile uint16_t *)(buf + PSC_HDR_CUR) <= n - 1) {
			uint64_t i1, info2 = psc_call(&i1);

			if (info1)
				*info1 = i1;
			if (i1 || info2)
				return info2 ? info2 : SNP_PSC_ERROR_GENERIC;
			/* A hypervisor that never advances would keep us here forever. */
			if (++calls > 2 * n + 1)
				return SNP_PSC_ERROR_GENERIC;
		}
		entries += n;
		count -= n;
	}
	return 0;
}

uint64_t ghcb_psc_external(uint8_t *buf, const uint64_t *entries, unsigned int count,
			   uint64_t *info1)
{
	volatile uint8_t *b = buf;
	unsigned int calls = 0;

	if (info1)
		*info1 = 0;
	if (!count || count > SNP_PSC_MAX_ENTRIES)
		return SNP_PSC_ERROR_INVALID_HDR;
	*(volatile uint16_t *)(b + PSC_HDR_CUR) = 0;
	*(volatile uint16_t *)(b + PSC_HDR_END) = (uint16_t)(count - 1);
	*(volatile uint32_t *)(b + 4) = 0;
	for (unsigned int i = 0; i < count; i++)
		*(volatile uint64_t *)(b + PSC_ENTRIES + 8 * i) = entries[i];
	while (*(volatile uint16_t *)(b + PSC_HDR_CUR) <= count - 1) {
		uint64_t i1, info2;

		ghcb_clear();
		ghcb_set(GHCB_SW_SCRATCH, (uint64_t)(uintptr_t)buf);	/* identity mapped */
		i1 = ghcb_call(SVM_VMGEXIT_PSC, 0, 0);
		info2 = ghcb_get(GHCB_SW_EXIT_INFO_2);
		if (info1)
			*info1 = i1;
		if (i1 || info2)
			return info2 ? info2 : SNP_PSC_ERROR_GENERIC;
		if (++calls > 2 * count + 1)
			return SNP_PSC_ERROR_GENERIC;
	}
	return 0;
}

uint64_t ghcb_ext_guest_request(uint64_t req_gpa, uint64_t rsp_gpa, uint64_t certs_gpa,
				uint64_t *pages, uint64_t *info1)
{
	uint64_t i1;

	ghcb_clear();
	ghcb_set(GHCB_RAX, certs_gpa);
	ghcb_set(GHCB_RBX, *pages);
	i1 = ghcb_call(SVM_VMGEXIT_EXT_GUEST_REQUEST, req_gpa, rsp_gpa);
	if (info1)
		*info1 = i1;
	if (ghcb_valid(GHCB_RBX))
		*pages = ghcb_get(GHCB_RBX);
	return ghcb_get(GHCB_SW_EXIT_INFO_2);
}

uint64_t ghcb_guest_request(uint64_t req_gpa, uint64_t rsp_gpa, uint64_t *info1)
{
	uint64_t i1;

	ghcb_clear();
	i1 = ghcb_call(SVM_VMGEXIT_GUEST_REQUEST, req_gpa, rsp_gpa);
	if (info1)
		*info1 = i1;
	return ghcb_get(GHCB_SW_EXIT_INFO_2);
}

uint64_t ghcb_ap_create(uint32_t apic_id, uint64_t vmsa_gpa, uint64_t sev_features)
{
	ghcb_clear();
	/* RAX = the new VMSA's SEV_FEATURES; INFO1 = APIC ID << 32 | VMPL 0 << 16 | CREATE (snp.md 7.5). */
	ghcb_set(GHCB_RAX, sev_features);
	return ghcb_call(SVM_VMGEXIT_AP_CREATION, ((uint64_t)apic_id << 32) | SVM_VMGEXIT_AP_CREATE,
			 vmsa_gpa);
}

uint64_t ghcb_ap_destroy(uint32_t apic_id)
{
	ghcb_clear();
	/* DESTROY needs no VMSA and no SEV features (snp.md 7.5). */
	return ghcb_call(SVM_VMGEXIT_AP_CREATION, ((uint64_t)apic_id << 32) | SVM_VMGEXIT_AP_DESTROY,
			 0);
}

/* ------------------------------------------------------------------ */
/* Doorbells                                                            */

uint32_t snp_pvalidate(uint64_t va, unsigned int page_size, int validate, int *no_update)
{
	uint64_t rax = va;
	uint8_t cf;

	/* PVALIDATE: RAX = VA, ECX = page size, EDX = validate; EAX and CF out (snp.md 5.3). */
	__asm__ volatile("outb %%al, %[port]\n\tsetc %[cf]"
			 : "+a"(rax), [cf] "=qm"(cf)
			 : [port] "i"(COCO_MODEL_PVALIDATE_PORT), "c"((uint64_t)page_size),
			   "d"((uint64_t)(validate ? 1 : 0))
			 : "memory", "cc");
	if (no_update)
		*no_update = cf;
	return (uint32_t)rax;
}

uint32_t snp_rmpadjust(uint64_t va, unsigned int page_size, uint64_t attrs)
{
	uint64_t rax = va;

	/* RMPADJUST: RAX = VA, RCX = page size, RDX = attributes; EAX out (snp.md 5.3). */
	__asm__ volatile("outb %%al, %[port]"
			 : "+a"(rax)
			 : [port] "i"(COCO_MODEL_RMPADJUST_PORT), "c"((uint64_t)page_size), "d"(attrs)
			 : "memory", "cc");
	return (uint32_t)rax;
}

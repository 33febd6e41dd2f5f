/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The TDX test guest (tests/guests/README.md): runs under coco-vmm with the
 * tdx-model backend and exercises the TDX guest ABI through the model's
 * TDCALL doorbell (core/guest-abi.h): TDG.VP.INFO, TDG.MEM.PAGE.ACCEPT,
 * MapGPA conversions, TDG.MR.REPORT, GetQuote and the evidence port, APs;
 * and, per boot-parameters mode, the misbehaviours the VMM must survive.
 */
#include "guest.h"
#include "tdx-guest.h"

#define SZ_4K 0x1000ull
#define SZ_2M 0x200000ull

/* Every GPR a TDCALL leaf reads or writes (the VMM writes back the leaf's outputs). */
struct tdcall_regs {
	uint64_t rax, rcx, rdx, rbx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15;
};

/*
 * TDCALL through the model doorbell: `out %al, $0xf5` with the leaf's
 * registers in place.  Every register is an input and an output, so no leaf
 * can change one the compiler still relies on.
 */
static void tdcall(struct tdcall_regs *r)
{
	register uint64_t r8 __asm__("r8") = r->r8;
	register uint64_t r9 __asm__("r9") = r->r9;
	register uint64_t r10 __asm__("r10") = r->r10;
	register uint64_t r11 __asm__("r11") = r->r11;
	register uint64_t r12 __asm__("r12") = r->r12;
	register uint64_t r13 __asm__("r13") = r->r13;
	register uint64_t r14 __asm__("r14") = r->r14;
	register uint64_t r15 __asm__("r15") = r->r15;

	__asm__ volatile("outb %%al, %[port]"
			 : "+a"(r->rax), "+c"(r->rcx), "+d"(r->rdx), "+b"(r->rbx), "+S"(r->rsi),
			   "+D"(r->rdi), "+r"(r8), "+r"(r9), "+r"(r10), "+r"(r11), "+r"(r12),
			   "+r"(r13), "+r"(r14), "+r"(r15)
			 : [port] "i"(COCO_MODEL_TDCALL_PORT)
			 : "memory", "cc");
	r->r8 = r8;
	r->r9 = r9;
	r->r10 = r10;
	r->r11 = r11;
	r->r12 = r12;
	r->r13 = r13;
	r->r14 = r14;
	r->r15 = r15;
}

static const char *tdx_status_name(uint64_t status)
{
	switch (status & TDX_STATUS_MASK) {
	case TDX_SUCCESS: return "TDX_SUCCESS";
	case TDX_OPERAND_INVALID: return "TDX_OPERAND_INVALID";
	case TDX_PAGE_ALREADY_ACCEPTED: return "TDX_PAGE_ALREADY_ACCEPTED";
	case TDX_PAGE_SIZE_MISMATCH: return "TDX_PAGE_SIZE_MISMATCH";
	case TDX_EPT_WALK_FAILED: return "TDX_EPT_WALK_FAILED";
	default: return "other TDX status";
	}
}

static const char *tdvmcall_status_name(uint64_t status)
{
	switch (status) {
	case TDVMCALL_SUCCESS: return "SUCCESS";
	case TDVMCALL_RETRY: return "RETRY";
	case TDVMCALL_INVALID_OPERAND: return "INVALID_OPERAND";
	case TDVMCALL_GPA_INUSE: return "GPA_INUSE";
	case TDVMCALL_ALIGN_ERROR: return "ALIGN_ERROR";
	default: return "unknown";
	}
}

/* TDG.VP.VMCALL with a GHCI subfunction; returns R10, *r11 = R11 (output of some). */
static uint64_t tdvmcall(uint64_t subfunction, uint64_t r12, uint64_t r13, uint64_t *r11)
{
	struct tdcall_regs r = {
		.rax = TDG_VP_VMCALL, .rcx = TDVMCALL_EXPOSE_R10_R15,
		.r10 = 0, .r11 = subfunction, .r12 = r12, .r13 = r13,
	};

	tdcall(&r);
	if (r.rax != TDX_SUCCESS) {
		/* The TDCALL itself failed (RCX or R10 refused): not a GHCI answer. */
		guest_printf("TDG.VP.VMCALL 0x%llx: TDCALL status 0x%llx (%s)\n",
			     (unsigned long long)subfunction, (unsigned long long)r.rax,
			     tdx_status_name(r.rax));
		guest_panic("TDG.VP.VMCALL failed as a TDCALL");
	}
	if (r11)
		*r11 = r.r11;
	return r.r10;
}

struct vp_info {
	uint64_t gpaw, attributes;
	uint32_t num_vcpus, max_vcpus, vcpu_index;
};

/* TDG.VP.INFO: RCX GPAW, RDX attributes, R8 NUM_VCPUS | MAX_VCPUS << 32, R9 VCPU_INDEX. */
static void vp_info(struct vp_info *info)
{
	struct tdcall_regs r = { .rax = TDG_VP_INFO };

	tdcall(&r);
	if (r.rax != TDX_SUCCESS) {
		guest_printf("TDG.VP.INFO: status 0x%llx (%s)\n", (unsigned long long)r.rax,
			     tdx_status_name(r.rax));
		guest_panic("TDG.VP.INFO failed");
	}
	info->gpaw = r.rcx & 0x3f;
	info->attributes = r.rdx;
	info->num_vcpus = (uint32_t)r.r8;
	info->max_vcpus = (uint32_t)(r.r8 >> 32);
	info->vcpu_index = (uint32_t)r.r9;
}

/* The GPA bit that marks a shared GPA in TDVMCALLs: bit GPAW-1 (47 or 51). */
static uint64_t shared_bit;

static void learn_shared_bit(void)
{
	struct vp_info info;

	vp_info(&info);
	guest_printf("TDG.VP.INFO: GPAW %u, attributes 0x%llx, vCPUs %u of max %u, index %u\n",
		     (unsigned)info.gpaw, (unsigned long long)info.attributes, info.num_vcpus,
		     info.max_vcpus, info.vcpu_index);
	if (info.gpaw != 48 && info.gpaw != 52)
		guest_panic("TDG.VP.INFO: GPAW is neither 48 nor 52");
	if (info.vcpu_index != 0)
		guest_panic("TDG.VP.INFO: the BSP's VCPU_INDEX is not 0");
	shared_bit = 1ull << (info.gpaw - 1);
}

static uint64_t accept_page(uint64_t gpa, uint64_t level)
{
	struct tdcall_regs r = { .rax = TDG_MEM_PAGE_ACCEPT, .rcx = gpa | level };

	tdcall(&r);
	return r.rax;
}

/* Accept [gpa, gpa + size) at 4 KiB; panics on a status other than success. */
static void accept_4k(uint64_t gpa, uint64_t size)
{
	for (uint64_t p = gpa; p < gpa + size; p += SZ_4K) {
		uint64_t status = accept_page(p, TDX_ACCEPT_LEVEL_4K);

		if (status != TDX_SUCCESS) {
			guest_printf("accept 4K 0x%llx: status 0x%llx (%s)\n", (unsigned long long)p,
				     (unsigned long long)status, tdx_status_name(status));
			guest_panic("TDG.MEM.PAGE.ACCEPT at 4 KiB failed");
		}
	}
}

/*
 * Accept a 2 MiB page at the 2 MiB level; where the platform maps it with
 * 4 KiB pages (TDX_PAGE_SIZE_MISMATCH, or a model without 2 MiB mappings),
 * fall back to 512 4 KiB accepts as a TD's kernel does.  Returns the
 * 2 MiB status.
 */
static uint64_t accept_2m(uint64_t gpa, int verbose)
{
	uint64_t status = accept_page(gpa, TDX_ACCEPT_LEVEL_2M);

	if (status == TDX_SUCCESS) {
		if (verbose)
			guest_printf("accept 2M 0x%llx: accepted at 2 MiB\n", (unsigned long long)gpa);
		return status;
	}
	if (verbose)
		guest_printf("accept 2M 0x%llx: status 0x%llx (%s), accepting 512 4 KiB pages\n",
			     (unsigned long long)gpa, (unsigned long long)status,
			     tdx_status_name(status));
	accept_4k(gpa, SZ_2M);
	return status;
}

/* MapGPA (GHCI): convert [gpa, gpa + size); follows RETRY (R11 = where to resume). */
static uint64_t map_gpa(uint64_t gpa, uint64_t size, int to_shared)
{
	uint64_t base = to_shared ? shared_bit : 0, start = gpa, end = gpa + size;

	for (unsigned retries = 0; retries < 1000000; retries++) {
		uint64_t next = 0;
		uint64_t status = tdvmcall(TDVMCALL_MAP_GPA, start | base, end - start, &next);

		if (status != TDVMCALL_RETRY)
			return status;
		next &= ~shared_bit;
		if (next < start || next >= end)
			guest_panic("MapGPA: RETRY with a resume GPA outside the request");
		start = next;
	}
	guest_panic("MapGPA: RETRY without progress");
}

static void convert_or_panic(uint64_t gpa, uint64_t size, int to_shared)
{
	uint64_t status = map_gpa(gpa, size, to_shared);

	if (status != TDVMCALL_SUCCESS) {
		guest_printf("MapGPA 0x%llx+0x%llx to %s: status 0x%llx (%s)\n",
			     (unsigned long long)gpa, (unsigned long long)size,
			     to_shared ? "shared" : "private", (unsigned long long)status,
			     tdvmcall_status_name(status));
		guest_panic("MapGPA failed");
	}
}

static int all_bytes(const void *p, uint64_t len, uint8_t value)
{
	const volatile uint8_t *b = p;

	for (uint64_t i = 0; i < len; i++)
		if (b[i] != value)
			return 0;
	return 1;
}

/*
 * The bytes of a conversion page the guest writes and checks: all of a
 * 4 KiB page; of a 2 MiB page the first and last 16 bytes of each 4 KiB
 * page.  Touching all of 2 MiB costs over 30 s on this machine's software
 * KVM (kvm_pvm, shadow paging); a page the platform did not zero is wrong
 * at both ends of every 4 KiB anyway.
 */
#define SAMPLE 16u

static void fill_page(uint8_t *page, uint64_t size, uint8_t value)
{
	if (size <= SZ_4K) {
		memset(page, value, size);
		return;
	}
	for (uint64_t off = 0; off < size; off += SZ_4K) {
		memset(page + off, value, SAMPLE);
		memset(page + off + SZ_4K - SAMPLE, value, SAMPLE);
	}
}

static int page_is(const uint8_t *page, uint64_t size, uint8_t value)
{
	if (size <= SZ_4K)
		return all_bytes(page, size, value);
	for (uint64_t off = 0; off < size; off += SZ_4K)
		if (!all_bytes(page + off, SAMPLE, value) ||
		    !all_bytes(page + off + SZ_4K - SAMPLE, SAMPLE, value))
			return 0;
	return 1;
}

/*
 * Private -> shared -> private at @size (4 KiB or 2 MiB), then re-accept.
 * TDG.MEM.PAGE.ACCEPT hands the TD a zeroed page, so neither the private
 * contents from before nor what was written while shared may come back.
 */
static void convert_round_trip(uint64_t gpa, uint64_t size)
{
	uint8_t *page = (uint8_t *)(uintptr_t)gpa;
	const char *name = size == SZ_2M ? "2M" : "4K";

	fill_page(page, size, 0x5a);
	if (!page_is(page, size, 0x5a))
		guest_panic("a private page does not keep what the guest wrote");
	convert_or_panic(gpa, size, 1);
	fill_page(page, size, 0xa5);		/* the host may read this while shared */
	convert_or_panic(gpa, size, 0);
	if (size == SZ_2M)
		accept_2m(gpa, 0);
	else
		accept_4k(gpa, size);
	if (!page_is(page, size, 0))
		guest_panic("a page converted to shared and back is not zero after accept");
	uint64_t again = accept_page(gpa, TDX_ACCEPT_LEVEL_4K);

	if ((again & TDX_STATUS_MASK) != TDX_PAGE_ALREADY_ACCEPTED) {
		guest_printf("second accept of 0x%llx: status 0x%llx (%s)\n",
			     (unsigned long long)gpa, (unsigned long long)again,
			     tdx_status_name(again));
		guest_panic("accepting an accepted page did not say TDX_PAGE_ALREADY_ACCEPTED");
	}
	guest_printf("convert %s 0x%llx: private->shared->private, zero after accept, "
		     "second accept: %s\n", name, (unsigned long long)gpa, tdx_status_name(again));
}

/* TDG.MR.REPORT into TDX_GUEST_TDREPORT_GPA with the parameters' report data. */
static void mr_report(const struct coco_guest_params *params)
{
	uint8_t *reportdata = (uint8_t *)(uintptr_t)TDX_GUEST_REPORTDATA_GPA;
	const uint8_t *report = (const uint8_t *)(uintptr_t)TDX_GUEST_TDREPORT_GPA;
	struct tdcall_regs r = {
		.rax = TDG_MR_REPORT, .rcx = TDX_GUEST_TDREPORT_GPA,
		.rdx = TDX_GUEST_REPORTDATA_GPA, .r8 = 0,
	};

	memcpy(reportdata, params->report_data, sizeof(params->report_data));
	tdcall(&r);
	if (r.rax != TDX_SUCCESS) {
		guest_printf("TDG.MR.REPORT: status 0x%llx (%s)\n", (unsigned long long)r.rax,
			     tdx_status_name(r.rax));
		guest_panic("TDG.MR.REPORT failed");
	}
	/* REPORTMACSTRUCT.REPORTDATA at offset 128 (tdx.md §5.1). */
	if (memcmp(report + 128, params->report_data, 64) != 0)
		guest_panic("TDREPORT: REPORTDATA differs from the parameters' report data");
	guest_printf("TDG.MR.REPORT: type 0x%x, report data matches\n", report[0]);
}

struct quote_buf {
	uint64_t version, status;
	uint32_t in_len, out_len;
	uint8_t data[];
};

/* GetQuote on the shared buffer at @gpa (TDREPORT already copied in); returns R10. */
static uint64_t get_quote(uint64_t gpa, uint64_t size)
{
	volatile struct quote_buf *buf = (volatile struct quote_buf *)(uintptr_t)gpa;

	buf->version = TDX_QUOTE_BUF_VERSION;
	buf->status = TDX_QUOTE_STATUS_SUCCESS;
	buf->in_len = TDX_TDREPORT_SIZE;
	buf->out_len = 0;
	return tdvmcall(TDVMCALL_GET_QUOTE, gpa | shared_bit, size, 0);
}

static uint32_t quote_and_post(void)
{
	volatile struct quote_buf *buf = (volatile struct quote_buf *)(uintptr_t)TDX_GUEST_QUOTE_BUF_GPA;

	memcpy((void *)buf->data, (const void *)(uintptr_t)TDX_GUEST_TDREPORT_GPA, TDX_TDREPORT_SIZE);
	uint64_t status = get_quote(TDX_GUEST_QUOTE_BUF_GPA, TDX_GUEST_QUOTE_BUF_SIZE);

	if (status != TDVMCALL_SUCCESS) {
		guest_printf("GetQuote: status 0x%llx (%s)\n", (unsigned long long)status,
			     tdvmcall_status_name(status));
		guest_panic("GetQuote refused");
	}
	/* The VMM may answer later (GHCI: the status stays IN_FLIGHT until then). */
	for (uint64_t spins = 0; buf->status == TDX_QUOTE_STATUS_IN_FLIGHT; spins++) {
		if (spins > 4000000000ull)
			guest_panic("GetQuote: the quote never came (status stayed IN_FLIGHT)");
		cpu_relax();
	}
	if (buf->status != TDX_QUOTE_STATUS_SUCCESS) {
		guest_printf("GetQuote: buffer status 0x%llx\n", (unsigned long long)buf->status);
		guest_panic("GetQuote: no quote");
	}
	uint32_t len = buf->out_len;

	if (len == 0 || len > TDX_GUEST_QUOTE_BUF_SIZE - TDX_QUOTE_BUF_HEADER ||
	    len > COCO_GUEST_EVIDENCE_MAX)
		guest_panic("GetQuote: quote length out of range");
	guest_printf("quote: %u bytes\n", len);
	int posted = guest_post_evidence(TDX_GUEST_EVIDENCE_GPA, COCO_GUEST_EVIDENCE_TDX_QUOTE,
					 (const void *)buf->data, len);

	if (posted != 0) {
		guest_printf("evidence: the VMM answered %d\n", posted);
		guest_panic("evidence refused");
	}
	guest_printf("evidence: quote posted\n");
	return len;
}

static volatile uint32_t aps_up;

void guest_ap_main(uint32_t vcpu_index)
{
	struct vp_info info;

	vp_info(&info);
	if (info.vcpu_index != vcpu_index)
		guest_printf("AP %u: TDG.VP.INFO says index %u\n", vcpu_index, info.vcpu_index);
	guest_printf("AP %u up\n", vcpu_index);
	guest_atomic_add(&aps_up, 1);
}

static uint32_t run_normal(const struct coco_guest_params *params)
{
	guest_printf("accepting work pages at 4 KiB\n");
	accept_4k(TDX_GUEST_REPORTDATA_GPA, SZ_4K);
	accept_4k(TDX_GUEST_TDREPORT_GPA, SZ_4K);
	accept_4k(TDX_GUEST_CONVERT_4K_GPA, SZ_4K);
	accept_4k(TDX_GUEST_QUOTE_BUF_GPA, TDX_GUEST_QUOTE_BUF_SIZE);
	accept_4k(TDX_GUEST_EVIDENCE_GPA, TDX_GUEST_EVIDENCE_SIZE);
	if (!all_bytes((const void *)(uintptr_t)TDX_GUEST_CONVERT_4K_GPA, SZ_4K, 0))
		guest_panic("a newly accepted page is not zero");
	accept_2m(TDX_GUEST_CONVERT_2M_GPA, 1);

	convert_round_trip(TDX_GUEST_CONVERT_4K_GPA, SZ_4K);
	convert_round_trip(TDX_GUEST_CONVERT_2M_GPA, SZ_2M);

	mr_report(params);
	convert_or_panic(TDX_GUEST_QUOTE_BUF_GPA, TDX_GUEST_QUOTE_BUF_SIZE, 1);
	convert_or_panic(TDX_GUEST_EVIDENCE_GPA, TDX_GUEST_EVIDENCE_SIZE, 1);
	quote_and_post();

	if (params->vcpus > 1) {
		for (uint64_t spins = 0; guest_atomic_load(&aps_up) < params->vcpus - 1; spins++) {
			if (spins > 4000000000ull)
				guest_panic("APs did not come up");
			cpu_relax();
		}
		guest_printf("APs up: %u\n", guest_atomic_load(&aps_up));
	}
	guest_printf("tdx guest: done\n");
	return 0;
}

/* BAD_PSC_ENTRY: MapGPA requests GHCI refuses (misaligned GPA, range past memory). */
static uint32_t run_bad_psc_entry(const struct coco_guest_params *params)
{
	uint64_t misaligned = map_gpa(TDX_GUEST_CONVERT_4K_GPA + 0x800, SZ_4K, 1);
	/* To private: a change to shared may run past memory (KVM + QEMU skip what is not RAM). */
	uint64_t too_long = map_gpa(TDX_GUEST_CONVERT_4K_GPA, params->mem_size, 0);

	guest_printf("MapGPA misaligned GPA: status 0x%llx (%s)\n", (unsigned long long)misaligned,
		     tdvmcall_status_name(misaligned));
	guest_printf("MapGPA beyond memory: status 0x%llx (%s)\n", (unsigned long long)too_long,
		     tdvmcall_status_name(too_long));
	if (misaligned == TDVMCALL_SUCCESS || too_long == TDVMCALL_SUCCESS) {
		guest_printf("bad MapGPA accepted\n");
		return 1;
	}
	guest_printf("bad MapGPA refused\n");
	return 0;
}

/* CONVERT_FOREIGN: MapGPA and accept of a GPA that is not this guest's memory. */
static uint32_t run_convert_foreign(const struct coco_guest_params *params)
{
	uint64_t foreign = (params->mem_size + 16 * SZ_2M) & ~(SZ_2M - 1);

	if (foreign >= COCO_GUEST_FLASH_BASE)
		guest_panic("CONVERT_FOREIGN: no foreign GPA below the flash for this memory size");
	/* To private: KVM + QEMU let MapGPA to shared of non-RAM pass (firmware maps MMIO holes). */
	uint64_t mapped = map_gpa(foreign, SZ_4K, 0);

	guest_printf("MapGPA foreign 0x%llx: status 0x%llx (%s)\n", (unsigned long long)foreign,
		     (unsigned long long)mapped, tdvmcall_status_name(mapped));
	uint64_t accepted = accept_page(foreign, TDX_ACCEPT_LEVEL_4K);

	guest_printf("accept foreign 0x%llx: status 0x%llx (%s)\n", (unsigned long long)foreign,
		     (unsigned long long)accepted, tdx_status_name(accepted));
	if (mapped == TDVMCALL_SUCCESS || accepted == TDX_SUCCESS) {
		guest_printf("foreign conversion accepted\n");
		return 1;
	}
	/* A change to shared of what is not RAM passes without effect (firmware's MMIO holes). */
	mapped = map_gpa(foreign, SZ_4K, 1);
	guest_printf("MapGPA foreign 0x%llx to shared: status 0x%llx (%s)\n",
		     (unsigned long long)foreign, (unsigned long long)mapped,
		     tdvmcall_status_name(mapped));
	if (mapped != TDVMCALL_SUCCESS) {
		guest_printf("MapGPA to shared of non-RAM refused\n");
		return 1;
	}
	guest_printf("foreign conversion refused\n");
	return 0;
}

/* TOUCH_PRIVATE: GetQuote on a buffer that is private (never converted). */
static uint32_t run_touch_private(void)
{
	accept_4k(TDX_GUEST_QUOTE_BUF_GPA, SZ_4K);
	uint64_t status = get_quote(TDX_GUEST_QUOTE_BUF_GPA, SZ_4K);
	uint64_t buffer_status = ((volatile struct quote_buf *)(uintptr_t)TDX_GUEST_QUOTE_BUF_GPA)->status;

	guest_printf("GetQuote on a private buffer: status 0x%llx (%s), buffer status 0x%llx\n",
		     (unsigned long long)status, tdvmcall_status_name(status),
		     (unsigned long long)buffer_status);
	if (status == TDVMCALL_SUCCESS && buffer_status == TDX_QUOTE_STATUS_SUCCESS) {
		guest_printf("GetQuote used private memory\n");
		return 1;
	}
	guest_printf("GetQuote on private memory refused\n");
	return 0;
}

/* TERMINATE: ReportFatalError (GHCI); the VMM ends the run as TERMINATED. */
static uint32_t run_terminate(void)
{
	guest_printf("ReportFatalError 0x%llx\n", (unsigned long long)TDX_GUEST_FATAL_ERROR_CODE);
	uint64_t status = tdvmcall(TDVMCALL_REPORT_FATAL_ERROR, TDX_GUEST_FATAL_ERROR_CODE, 0, 0);

	guest_printf("ReportFatalError returned 0x%llx (%s)\n", (unsigned long long)status,
		     tdvmcall_status_name(status));
	return 1;
}

/* BENCH_CONVERT: arg0 bytes from GPA arg1, both ways at 2 MiB, then at 4 KiB. */
static uint32_t run_bench_convert(const struct coco_guest_params *params)
{
	uint64_t size = params->arg0, gpa = params->arg1;
	uint64_t chunks = 0, pages = 0;

	if (size == 0 || (size | gpa) & (SZ_2M - 1) || gpa < TDX_GUEST_CONVERT_2M_GPA ||
	    gpa > params->mem_size || size > params->mem_size - gpa)
		guest_panic("BENCH_CONVERT: arg0 (size) and arg1 (GPA) must be 2 MiB aligned, "
			    "at or above 4 MiB and inside memory");
	for (uint64_t p = gpa; p < gpa + size; p += SZ_2M)
		accept_2m(p, p == gpa);
	/* The host times each pass from these lines (bench/bench-vmm.c). */
	guest_printf("bench: phase 2M\n");
	for (uint64_t p = gpa; p < gpa + size; p += SZ_2M, chunks++) {
		convert_or_panic(p, SZ_2M, 1);
		convert_or_panic(p, SZ_2M, 0);
		accept_2m(p, 0);
	}
	guest_printf("bench: phase 4K\n");
	for (uint64_t p = gpa; p < gpa + size; p += SZ_4K, pages++) {
		convert_or_panic(p, SZ_4K, 1);
		convert_or_panic(p, SZ_4K, 0);
		accept_4k(p, SZ_4K);
	}
	guest_printf("bench: phase done\n");
	guest_printf("bench: 2M conversions: %llu each way; 4K conversions: %llu each way\n",
		     (unsigned long long)chunks, (unsigned long long)pages);
	return 0;
}

uint32_t guest_main(uint32_t vcpu_index)
{
	const struct coco_guest_params *params = guest_params();

	guest_printf("tdx guest: vCPU %u, %u vCPUs, mode %u, memory 0x%llx\n", vcpu_index,
		     params->vcpus, params->mode, (unsigned long long)params->mem_size);
	if ((uintptr_t)__image_end > TDX_GUEST_WORK_BASE)
		guest_panic("the image overlaps the work pages at 2 MiB");
	if (params->mem_size < TDX_GUEST_MIN_MEM)
		guest_panic("the TDX test guest needs at least 8 MiB of memory");
	learn_shared_bit();
	switch (params->mode) {
	case COCO_GUEST_MODE_NORMAL:
		return run_normal(params);
	case COCO_GUEST_MODE_BENCH_CONVERT:
		return run_bench_convert(params);
	case COCO_GUEST_MODE_BAD_PSC_ENTRY:
		return run_bad_psc_entry(params);
	case COCO_GUEST_MODE_CONVERT_FOREIGN:
		return run_convert_foreign(params);
	case COCO_GUEST_MODE_TOUCH_PRIVATE:
		return run_touch_private();
	case COCO_GUEST_MODE_TERMINATE:
		return run_terminate();
	default:
		guest_printf("mode %u is not a TDX guest mode\n", params->mode);
		return 2;
	}
}

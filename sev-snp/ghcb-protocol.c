/* SPDX-License-Identifier: Apache-2.0 */
/*
 * GHCB protocol parsing and checks (sev-snp/ghcb.h).  Everything here reads
 * guest-controlled bytes: every field is range-checked before it is used,
 * and nothing indexes the page with a guest value that was not checked.
 */
#include "sev-snp/ghcb.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/error.h"

static void say(char *why, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!why || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ */
/* MSR protocol                                                         */

void ghcb_msr_decode(uint64_t value, struct ghcb_msr_request *req)
{
	memset(req, 0, sizeof(*req));
	req->code = (uint32_t)(value & GHCB_MSR_INFO_MASK);
	switch (req->code) {
	case GHCB_MSR_CPUID_REQ:
		req->cpuid_reg = (uint32_t)((value >> 30) & 3);
		req->cpuid_fn = (uint32_t)(value >> 32);
		break;
	case GHCB_MSR_REG_GPA_REQ:
		req->gfn = value >> 12;
		break;
	case GHCB_MSR_PSC_REQ:
		req->gfn = (value >> 12) & GHCB_PSC_ENTRY_GFN_MASK;
		req->psc_op = (uint32_t)((value >> 52) & 0xF);
		break;
	case GHCB_MSR_TERM_REQ:
		req->term_set = (uint32_t)((value >> 12) & 0xF);
		req->term_code = (uint32_t)((value >> 16) & 0xFF);
		break;
	default:
		break;
	}
}

uint64_t ghcb_msr_sev_info(uint16_t max_version, uint16_t min_version, uint8_t cbit)
{
	return (uint64_t)max_version << 48 | (uint64_t)min_version << 32 | (uint64_t)cbit << 24 |
	       GHCB_MSR_SEV_INFO_RESP;
}

uint64_t ghcb_msr_cpuid_resp(uint32_t value)
{
	return (uint64_t)value << 32 | GHCB_MSR_CPUID_RESP;
}

uint64_t ghcb_msr_gfn_resp(uint32_t code, uint64_t gfn)
{
	return (gfn & GHCB_MSR_PREF_GPA_NONE) << 12 | (code & GHCB_MSR_INFO_MASK);
}

const char *ghcb_term_reason_name(uint32_t set, uint32_t code)
{
	/* GHCB spec, "Termination request": reason set 0, the general codes. */
	static const char *const general[] = {
		"general termination request",
		"SEV-ES / GHCB protocol range is not supported",
		"SEV-SNP features are not supported",
	};
	/* Reason set 1 is the guest OS's own; Linux's codes (asm/sev-common.h). */
	static const char *const linux_codes[] = {
		"GHCB GPA registration failed",
		"page state change failed",
		"PVALIDATE failed",
		"not running at VMPL0",
		"CPUID page validation failed",
		"CPUID from the hypervisor failed",
		"secrets page missing",
		"no SVSM",
		"SVSM not at VMPL0",
		"SVSM calling area invalid",
		"Secure TSC not usable",
	};

	if (set == GHCB_TERM_SET_GENERAL && code < sizeof(general) / sizeof(general[0]))
		return general[code];
	if (set == 1 && code < sizeof(linux_codes) / sizeof(linux_codes[0]))
		return linux_codes[code];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* The GHCB page                                                        */

bool ghcb_is_valid(const uint8_t page[GHCB_PAGE_SIZE], uint32_t off)
{
	uint32_t bit = off / 8;

	if (bit >= GHCB_VALID_BITMAP_SIZE * 8)
		return false;
	return page[GHCB_OFF_VALID_BITMAP + bit / 8] & (1u << (bit % 8));
}

void ghcb_set_valid(uint8_t page[GHCB_PAGE_SIZE], uint32_t off)
{
	uint32_t bit = off / 8;

	if (bit < GHCB_VALID_BITMAP_SIZE * 8)
		page[GHCB_OFF_VALID_BITMAP + bit / 8] |= (uint8_t)(1u << (bit % 8));
}

void ghcb_set_exit_info(uint8_t page[GHCB_PAGE_SIZE], uint64_t info1, uint64_t info2)
{
	ghcb_put_u64(page, GHCB_OFF_SW_EXIT_INFO_1, info1);
	ghcb_put_u64(page, GHCB_OFF_SW_EXIT_INFO_2, info2);
	ghcb_set_valid(page, GHCB_OFF_SW_EXIT_INFO_1);
	ghcb_set_valid(page, GHCB_OFF_SW_EXIT_INFO_2);
}

void ghcb_set_error(uint8_t page[GHCB_PAGE_SIZE], uint32_t reason)
{
	ghcb_set_exit_info(page, GHCB_EXIT_INFO1_MALFORMED, reason);
}

static bool page_aligned(uint64_t gpa)
{
	return !(gpa & (GHCB_PAGE_SIZE - 1));
}

uint32_t ghcb_check(const uint8_t page[GHCB_PAGE_SIZE], struct ghcb_request *req, char *why,
		    size_t why_len)
{
	memset(req, 0, sizeof(*req));
	req->usage = (uint32_t)page[GHCB_OFF_USAGE] | (uint32_t)page[GHCB_OFF_USAGE + 1] << 8 |
		     (uint32_t)page[GHCB_OFF_USAGE + 2] << 16 |
		     (uint32_t)page[GHCB_OFF_USAGE + 3] << 24;
	req->version = (uint16_t)(page[GHCB_OFF_PROTOCOL_VERSION] |
				  page[GHCB_OFF_PROTOCOL_VERSION + 1] << 8);
	req->exit_code = ghcb_get_u64(page, GHCB_OFF_SW_EXIT_CODE);
	req->info1 = ghcb_get_u64(page, GHCB_OFF_SW_EXIT_INFO_1);
	req->info2 = ghcb_get_u64(page, GHCB_OFF_SW_EXIT_INFO_2);
	req->scratch = ghcb_get_u64(page, GHCB_OFF_SW_SCRATCH);
	req->rax = ghcb_get_u64(page, GHCB_OFF_RAX);
	req->rbx = ghcb_get_u64(page, GHCB_OFF_RBX);
	req->rax_valid = ghcb_is_valid(page, GHCB_OFF_RAX);
	req->rbx_valid = ghcb_is_valid(page, GHCB_OFF_RBX);
	req->scratch_valid = ghcb_is_valid(page, GHCB_OFF_SW_SCRATCH);

	if (req->usage != GHCB_USAGE_STANDARD) {
		say(why, why_len, "GHCB usage %u (only 0, the standard GHCB, exists)", req->usage);
		return GHCB_ERR_INVALID_USAGE;
	}
	if (req->version < GHCB_VERSION_MIN || req->version > GHCB_VERSION_MAX) {
		say(why, why_len, "GHCB protocol version %u; the hypervisor offers %u-%u",
		    req->version, GHCB_VERSION_MIN, GHCB_VERSION_MAX);
		return GHCB_ERR_INVALID_INPUT;
	}
	if (!ghcb_is_valid(page, GHCB_OFF_SW_EXIT_CODE) ||
	    !ghcb_is_valid(page, GHCB_OFF_SW_EXIT_INFO_1) ||
	    !ghcb_is_valid(page, GHCB_OFF_SW_EXIT_INFO_2)) {
		say(why, why_len, "SW_EXIT_CODE, SW_EXIT_INFO_1 or SW_EXIT_INFO_2 is not marked "
		    "valid in the GHCB's valid bitmap");
		return GHCB_ERR_MISSING_INPUT;
	}
	switch (req->exit_code) {
	case SVM_VMGEXIT_PSC:
		if (!req->scratch_valid) {
			say(why, why_len, "page state change without a valid SW_SCRATCH");
			return GHCB_ERR_MISSING_INPUT;
		}
		break;
	case SVM_VMGEXIT_GUEST_REQUEST:
	case SVM_VMGEXIT_EXT_GUEST_REQUEST:
		if (!page_aligned(req->info1) || !page_aligned(req->info2) ||
		    req->info1 == req->info2) {
			say(why, why_len, "guest request pages 0x%llx / 0x%llx must be two distinct "
			    "4 KiB-aligned GPAs", (unsigned long long)req->info1,
			    (unsigned long long)req->info2);
			return GHCB_ERR_MISSING_INPUT;
		}
		break;
	case SVM_VMGEXIT_AP_CREATION:
		if ((uint32_t)req->info1 != GHCB_AP_DESTROY && !req->rax_valid) {
			say(why, why_len, "AP creation without a valid RAX (the SEV features)");
			return GHCB_ERR_MISSING_INPUT;
		}
		break;
	case SVM_VMGEXIT_HV_FEATURES:
	case SVM_VMGEXIT_TERM_REQUEST:
	case SVM_VMGEXIT_UNSUPPORTED_EVENT:
		break;
	default:
		say(why, why_len, "NAE event 0x%llx is not one the SNP model serves (PSC 0x%x, "
		    "GUEST_REQUEST 0x%x, EXT_GUEST_REQUEST 0x%x, AP_CREATION 0x%x, HV_FEATURES "
		    "0x%x, TERM_REQUEST 0x%x)", (unsigned long long)req->exit_code,
		    SVM_VMGEXIT_PSC, SVM_VMGEXIT_GUEST_REQUEST, SVM_VMGEXIT_EXT_GUEST_REQUEST,
		    SVM_VMGEXIT_AP_CREATION, SVM_VMGEXIT_HV_FEATURES, SVM_VMGEXIT_TERM_REQUEST);
		return GHCB_ERR_INVALID_EVENT;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Page state change                                                    */

void ghcb_psc_entry_decode(uint64_t raw, struct ghcb_psc_entry *e)
{
	e->cur_page = (uint16_t)(raw & GHCB_PSC_ENTRY_CUR_PAGE_MASK);
	e->gfn = (raw >> GHCB_PSC_ENTRY_GFN_SHIFT) & GHCB_PSC_ENTRY_GFN_MASK;
	e->op = (uint8_t)((raw >> GHCB_PSC_ENTRY_OP_SHIFT) & 0xF);
	e->large = raw & GHCB_PSC_ENTRY_2M;
}

uint64_t ghcb_psc_entry_encode(const struct ghcb_psc_entry *e)
{
	return ((uint64_t)e->cur_page & GHCB_PSC_ENTRY_CUR_PAGE_MASK) |
	       (e->gfn & GHCB_PSC_ENTRY_GFN_MASK) << GHCB_PSC_ENTRY_GFN_SHIFT |
	       (uint64_t)(e->op & 0xF) << GHCB_PSC_ENTRY_OP_SHIFT |
	       (e->large ? GHCB_PSC_ENTRY_2M : 0);
}

uint64_t ghcb_psc_locate(const uint8_t page[GHCB_PAGE_SIZE], uint64_t ghcb_gpa, uint64_t scratch,
			 uint32_t *offset, uint32_t *ghcb_err)
{
	uint32_t off;
	uint16_t end_entry;

	*ghcb_err = 0;
	/*
	 * KVM also accepts a scratch area outside the GHCB (copied in and out);
	 * the model's guests keep their PSC buffer in the GHCB's shared buffer.
	 */
	if ((scratch & ~(uint64_t)(GHCB_PAGE_SIZE - 1)) != ghcb_gpa ||
	    (scratch & (GHCB_PAGE_SIZE - 1)) < GHCB_OFF_SHARED_BUFFER ||
	    (scratch & (GHCB_PAGE_SIZE - 1)) + GHCB_PSC_HDR_SIZE > GHCB_SHARED_BUFFER_END) {
		*ghcb_err = GHCB_ERR_INVALID_SCRATCH_AREA;
		return 0;
	}
	off = (uint32_t)(scratch & (GHCB_PAGE_SIZE - 1));
	end_entry = (uint16_t)(page[off + 2] | page[off + 3] << 8);
	if (end_entry >= GHCB_PSC_MAX_ENTRIES ||
	    off + GHCB_PSC_HDR_SIZE + ((uint32_t)end_entry + 1) * GHCB_PSC_ENTRY_SIZE >
		    GHCB_SHARED_BUFFER_END)
		return GHCB_PSC_ERROR_INVALID_HDR;
	*offset = off;
	return 0;
}

uint64_t ghcb_psc_entry_check(const struct ghcb_psc_entry *e)
{
	uint32_t npages = e->large ? 512u : 1u;

	if (e->cur_page > npages || (e->gfn & (npages - 1)))
		return GHCB_PSC_ERROR_INVALID_ENTRY;
	/* §7.3 knows operations 1-4; anything else is an entry the protocol refuses. */
	if (e->op < GHCB_PSC_OP_PRIVATE || e->op > GHCB_PSC_OP_UNSMASH)
		return GHCB_PSC_ERROR_INVALID_ENTRY;
	return 0;
}

uint64_t ghcb_psc_process(uint8_t page[GHCB_PAGE_SIZE], uint32_t offset,
			  ghcb_psc_convert_fn convert, void *ctx)
{
	uint16_t cur = (uint16_t)(page[offset] | page[offset + 1] << 8);
	uint16_t end = (uint16_t)(page[offset + 2] | page[offset + 3] << 8);

	/* ghcb_psc_locate bounded END_ENTRY by the shared buffer; re-check what we index by. */
	if (end >= GHCB_PSC_MAX_ENTRIES ||
	    offset + GHCB_PSC_HDR_SIZE + ((uint32_t)end + 1) * GHCB_PSC_ENTRY_SIZE > GHCB_PAGE_SIZE)
		return GHCB_PSC_ERROR_INVALID_HDR;
	for (uint32_t idx = cur; idx <= end; idx++) {
		uint32_t entry_off = offset + GHCB_PSC_HDR_SIZE + idx * GHCB_PSC_ENTRY_SIZE;
		struct ghcb_psc_entry e;
		uint64_t err;
		uint32_t npages;

		ghcb_psc_entry_decode(ghcb_get_u64(page, entry_off), &e);
		err = ghcb_psc_entry_check(&e);
		if (err)
			return err;
		npages = e.large ? 512u : 1u;
		if (e.cur_page < npages &&
		    (e.op == GHCB_PSC_OP_PRIVATE || e.op == GHCB_PSC_OP_SHARED) &&
		    convert(ctx, (e.gfn + e.cur_page) << 12,
			    (uint64_t)(npages - e.cur_page) * GHCB_PAGE_SIZE,
			    e.op == GHCB_PSC_OP_PRIVATE))
			return GHCB_PSC_ERROR_GENERIC;
		e.cur_page = (uint16_t)npages;
		ghcb_put_u64(page, entry_off, ghcb_psc_entry_encode(&e));
		page[offset] = (uint8_t)(idx + 1);
		page[offset + 1] = (uint8_t)((idx + 1) >> 8);
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* AP creation                                                          */

int ghcb_ap_create_decode(uint64_t info1, uint64_t info2, uint64_t rax, uint32_t vcpus,
			  uint64_t vm_features, uint64_t mem_end, struct ghcb_ap_create *ap,
			  char *why, size_t why_len)
{
	memset(ap, 0, sizeof(*ap));
	ap->request = (uint32_t)info1;
	ap->apic_id = (uint32_t)(info1 >> 32);
	ap->vmsa_gpa = info2;
	ap->sev_features = rax;

	if (ap->apic_id >= vcpus) {
		say(why, why_len, "APIC ID %u names no vCPU (the VM has %u)", ap->apic_id, vcpus);
		return -EINVAL;
	}
	if (ap->request > GHCB_AP_DESTROY) {
		say(why, why_len, "AP creation request %u (0 CREATE_ON_INIT, 1 CREATE, 2 DESTROY)",
		    ap->request);
		return -EINVAL;
	}
	if (ap->request == GHCB_AP_DESTROY)
		return 0;
	if ((rax ^ vm_features) & GHCB_SEV_FEAT_INT_INJ_MODES) {
		say(why, why_len, "SEV features 0x%llx change the VM's interrupt injection mode "
		    "(VM: 0x%llx)", (unsigned long long)rax, (unsigned long long)vm_features);
		return -EINVAL;
	}
	if (!page_aligned(info2) || info2 >= mem_end) {
		say(why, why_len, "VMSA GPA 0x%llx is not a 4 KiB-aligned guest page",
		    (unsigned long long)info2);
		return -EINVAL;
	}
	if (!(info2 & ((2ull << 20) - 1))) {
		say(why, why_len, "VMSA GPA 0x%llx is 2 MiB aligned, which the CPU erratum "
		    "forbids (KVM refuses it)", (unsigned long long)info2);
		return -EINVAL;
	}
	return 0;
}

const char *ghcb_err_name(uint32_t err)
{
	switch (err) {
	case GHCB_ERR_NOT_REGISTERED: return "GHCB_ERR_NOT_REGISTERED";
	case GHCB_ERR_INVALID_USAGE: return "GHCB_ERR_INVALID_USAGE";
	case GHCB_ERR_INVALID_SCRATCH_AREA: return "GHCB_ERR_INVALID_SCRATCH_AREA";
	case GHCB_ERR_MISSING_INPUT: return "GHCB_ERR_MISSING_INPUT";
	case GHCB_ERR_INVALID_INPUT: return "GHCB_ERR_INVALID_INPUT";
	case GHCB_ERR_INVALID_EVENT: return "GHCB_ERR_INVALID_EVENT";
	}
	return "GHCB_ERR_UNKNOWN";
}

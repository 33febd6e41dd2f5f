/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "tdx-model" guest channel (tdx/guest-channel.h).
 *
 * A TDCALL is `out %al, $0xf5` (core/guest-abi.h): the channel reads the
 * vCPU's registers, runs the leaf in RAX and writes the outputs back as the
 * TDX module does (RAX the completion status, the other registers per leaf):
 *
 *   TDG.VP.VMCALL (0)          served here, as KVM + a VMM serve it (GHCI)
 *   TDG.MEM.PAGE.ACCEPT (6)    the module model; a GPA with no Secure-EPT
 *                              entry is what KVM sees as an EPT violation:
 *                              TDH.MEM.PAGE.AUG at 4 KiB (KVM's TDX MMU maps
 *                              private memory at 4 KiB only), then the
 *                              ACCEPT again
 *   anything else              the module model (TDG.MR.REPORT,
 *                              TDG.MR.RTMR.EXTEND, TDG.VP.INFO, VEINFO.GET;
 *                              unknown leaves: TDX_OPERAND_INVALID(RAX))
 *
 * A TD's private pages are the guest's own memory (tdx/backend-model.c maps
 * the slots into model memory), so what the module writes (a TDREPORT, an
 * accepted page's zeros) is what the vCPU reads.
 *
 * Every vCPU thread may enter; one lock serialises the channel's work on
 * the TD (the module model has its own platform lock, the host-side flows
 * and the conversions do not).
 */
#include <cpuid.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "core/error.h"
#include "core/internal.h"
#include "core/util.h"
#include "tdx/backend-model.h"
#include "tdx/guest-channel.h"
#include "tdx/module-model.h"
#include "tdx/seamcall.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"
#include "tdx/tdx-host.h"

#define PAGE 4096ull
/* KVM converts MapGPA ranges in 2 MiB pieces (TDX_MAP_GPA_MAX_LEN, arch/x86/kvm/vmx/tdx.c). */
#define MAP_GPA_CHUNK (2ull << 20)
/* The host puts NO_RBP_MOD in every TD's CONFIG_FLAGS (tdx-host.c, as KVM does). */
#define TD_NO_RBP_MOD true

struct tdx_chan {
	const struct tdx_chan_vmm_ops *ops;
	struct coco_vmm *vmm;
	struct coco_vm *vm;
	struct tdx_host_td *td;
	struct tdx_module *module;
	unsigned int gpaw;
	uint64_t shared_bit;
	uint32_t nvcpus;
	pthread_mutex_t lock;
};

/* ------------------------------------------------------------------ */
/* Registers                                                            */

static void gprs_from_kvm(const struct kvm_regs *k, struct tdx_gprs *g)
{
	g->r[TDX_GPR_RAX] = k->rax; g->r[TDX_GPR_RCX] = k->rcx; g->r[TDX_GPR_RDX] = k->rdx;
	g->r[TDX_GPR_RBX] = k->rbx; g->r[TDX_GPR_RSP] = k->rsp; g->r[TDX_GPR_RBP] = k->rbp;
	g->r[TDX_GPR_RSI] = k->rsi; g->r[TDX_GPR_RDI] = k->rdi; g->r[TDX_GPR_R8] = k->r8;
	g->r[TDX_GPR_R9] = k->r9; g->r[TDX_GPR_R10] = k->r10; g->r[TDX_GPR_R11] = k->r11;
	g->r[TDX_GPR_R12] = k->r12; g->r[TDX_GPR_R13] = k->r13; g->r[TDX_GPR_R14] = k->r14;
	g->r[TDX_GPR_R15] = k->r15;
}

static void gprs_to_kvm(const struct tdx_gprs *g, struct kvm_regs *k)
{
	k->rax = g->r[TDX_GPR_RAX]; k->rcx = g->r[TDX_GPR_RCX]; k->rdx = g->r[TDX_GPR_RDX];
	k->rbx = g->r[TDX_GPR_RBX]; k->rsp = g->r[TDX_GPR_RSP]; k->rbp = g->r[TDX_GPR_RBP];
	k->rsi = g->r[TDX_GPR_RSI]; k->rdi = g->r[TDX_GPR_RDI]; k->r8 = g->r[TDX_GPR_R8];
	k->r9 = g->r[TDX_GPR_R9]; k->r10 = g->r[TDX_GPR_R10]; k->r11 = g->r[TDX_GPR_R11];
	k->r12 = g->r[TDX_GPR_R12]; k->r13 = g->r[TDX_GPR_R13]; k->r14 = g->r[TDX_GPR_R14];
	k->r15 = g->r[TDX_GPR_R15];
}

static void args_from_gprs(const struct tdx_gprs *g, struct tdx_module_args *a)
{
	*a = (struct tdx_module_args){ .rcx = g->r[TDX_GPR_RCX], .rdx = g->r[TDX_GPR_RDX],
				       .r8 = g->r[TDX_GPR_R8], .r9 = g->r[TDX_GPR_R9],
				       .r10 = g->r[TDX_GPR_R10], .r11 = g->r[TDX_GPR_R11],
				       .r12 = g->r[TDX_GPR_R12], .r13 = g->r[TDX_GPR_R13] };
}

static void args_to_gprs(const struct tdx_module_args *a, struct tdx_gprs *g)
{
	g->r[TDX_GPR_RCX] = a->rcx; g->r[TDX_GPR_RDX] = a->rdx; g->r[TDX_GPR_R8] = a->r8;
	g->r[TDX_GPR_R9] = a->r9; g->r[TDX_GPR_R10] = a->r10; g->r[TDX_GPR_R11] = a->r11;
	g->r[TDX_GPR_R12] = a->r12; g->r[TDX_GPR_R13] = a->r13;
}

/* ------------------------------------------------------------------ */
/* TDCALLs into the module                                              */

/* May the host give the TD a page at @gpa, as KVM does on the guest's first touch? */
static bool may_aug(struct tdx_chan *ch, uint64_t gpa)
{
	enum coco_mem_state state;
	uint64_t run;

	/* Guest RAM the guest holds as private; not a page it converted to shared. */
	return coco_vm_find_slot(ch->vm, gpa) &&
	       !coco_vm_mem_get_state(ch->vm, gpa, &state, &run) && state == COCO_MEM_PRIVATE;
}

static int page_accept(struct tdx_chan *ch, uint64_t tdvpr, struct tdx_module_args *a,
		       uint64_t *status)
{
	const struct tdx_module_args in = *a;
	uint64_t gpa = in.rcx & 0x000FFFFFFFFFF000ull, code;
	unsigned int level = (unsigned int)(in.rcx & 7);

	*status = tdx_module_tdcall(ch->module, tdvpr, TDG_MEM_PAGE_ACCEPT, a);
	code = tdx_status_code(*status);
	/* No Secure-EPT leaf: KVM's EPT violation handler adds the page (4 KiB) first. */
	if ((code == TDX_EPT_WALK_FAILED || code == TDX_EPT_ENTRY_FREE) && level == 0 &&
	    may_aug(ch, gpa)) {
		int ret = tdx_host_td_to_private(ch->td, gpa, false);

		if (ret)
			return coco_err_context(ret, "tdx-model guest channel: TDH.MEM.PAGE.AUG "
						"of GPA 0x%llx for the guest's TDG.MEM.PAGE.ACCEPT",
						(unsigned long long)gpa);
		*a = in;
		*status = tdx_module_tdcall(ch->module, tdvpr, TDG_MEM_PAGE_ACCEPT, a);
	}
	return 0;
}

static int module_call(struct tdx_chan *ch, uint64_t tdvpr, struct tdx_gprs *g)
{
	uint64_t rax = g->r[TDX_GPR_RAX], status;
	struct tdx_module_args a;
	int ret = 0;

	args_from_gprs(g, &a);
	if (rax == TDG_MEM_PAGE_ACCEPT)
		ret = page_accept(ch, tdvpr, &a, &status);
	else
		status = tdx_module_tdcall(ch->module, tdvpr, rax, &a);
	if (ret)
		return ret;
	if (tdx_status_is_error(status))
		coco_debug("tdx-model guest channel: %s (TDCALL 0x%llx): %s 0x%016llx: %s",
			   tdx_tdcall_leaf_name(rax & TDX_LEAF_MASK) ? tdx_tdcall_leaf_name(rax & TDX_LEAF_MASK)
								     : "unknown leaf",
			   (unsigned long long)rax,
			   tdx_status_name(status) ? tdx_status_name(status) : "status",
			   (unsigned long long)status, tdx_module_last_detail(ch->module));
	args_to_gprs(&a, g);
	g->r[TDX_GPR_RAX] = status;
	return 0;
}

/* ------------------------------------------------------------------ */
/* TDG.VP.VMCALL                                                        */

static void map_gpa(struct tdx_chan *ch, const struct tdvmcall_request *req, struct tdx_gprs *out)
{
	uint64_t r12 = req->in.r[TDX_GPR_R12], r13 = req->in.r[TDX_GPR_R13], gpa, done;
	bool to_shared = false;
	uint64_t st = tdvmcall_map_gpa_check(r12, r13, ch->shared_bit, &gpa, &to_shared);

	if (st != TDVMCALL_STATUS_SUCCESS) {
		out->r[TDX_GPR_R10] = st;
		out->r[TDX_GPR_R11] = r12;
		return;
	}
	for (done = 0; done < r13; done += MAP_GPA_CHUNK) {
		uint64_t n = COCO_MIN(MAP_GPA_CHUNK, r13 - done);
		int ret = ch->ops->convert(ch->vmm, gpa + done, n,
					   to_shared ? COCO_MEM_SHARED : COCO_MEM_PRIVATE);

		if (ret) {
			/* GHCI: R11 = the GPA (shared bit as given) the guest resumes from. */
			out->r[TDX_GPR_R10] = ret == -EAGAIN || ret == -EBUSY
						      ? TDVMCALL_STATUS_RETRY
						      : TDVMCALL_STATUS_INVALID_OPERAND;
			out->r[TDX_GPR_R11] = r12 + done;
			coco_info("tdx-model guest channel: MapGPA [0x%llx, +0x%llx) to %s stopped "
				  "at 0x%llx (%s): %s", (unsigned long long)r12,
				  (unsigned long long)r13, to_shared ? "shared" : "private",
				  (unsigned long long)(r12 + done),
				  tdvmcall_status_name(out->r[TDX_GPR_R10]), coco_last_error());
			return;
		}
	}
	out->r[TDX_GPR_R10] = TDVMCALL_STATUS_SUCCESS;
}

static void get_td_vm_call_info(const struct tdvmcall_request *req, struct tdx_gprs *out)
{
	uint64_t leaf = req->in.r[TDX_GPR_R12];

	if (leaf != TDVMCALL_INFO_LEAF_BASE && leaf != TDVMCALL_INFO_LEAF_OPTIONAL) {
		out->r[TDX_GPR_R10] = TDVMCALL_STATUS_INVALID_OPERAND;
		return;
	}
	/* Leaf 1: GetQuote is served (synchronously: no event-notify interrupt needed). */
	out->r[TDX_GPR_R11] = leaf == TDVMCALL_INFO_LEAF_OPTIONAL ? TDVMCALL_INFO_1_R11_GET_QUOTE : 0;
	out->r[TDX_GPR_R12] = out->r[TDX_GPR_R13] = out->r[TDX_GPR_R14] = 0;
	out->r[TDX_GPR_R10] = TDVMCALL_STATUS_SUCCESS;
}

/* The response header and quote into the shared buffer; false if the guest made that impossible. */
static bool quote_respond(struct tdx_chan *ch, uint64_t gpa, struct tdx_quote_buf_header *hdr,
			  uint64_t status, const uint8_t *quote, uint32_t len)
{
	uint8_t raw[TDX_QUOTE_BUF_HEADER_SIZE];

	hdr->status = status;
	hdr->out_len = len;
	if (len && ch->ops->write_shared(ch->vmm, gpa + TDX_QUOTE_BUF_HEADER_SIZE, quote, len))
		return false;
	tdx_quote_buf_encode(hdr, raw);
	return !ch->ops->write_shared(ch->vmm, gpa, raw, sizeof(raw));
}

static void get_quote(struct tdx_chan *ch, const struct tdvmcall_request *req, struct tdx_gprs *out)
{
	uint64_t r12 = req->in.r[TDX_GPR_R12], r13 = req->in.r[TDX_GPR_R13], gpa = 0;
	uint64_t st = tdvmcall_get_quote_check(r12, r13, ch->shared_bit, &gpa);
	uint8_t buf[TDX_QUOTE_BUF_HEADER_SIZE + TDX_TDREPORT_SIZE];
	size_t want = (size_t)COCO_MIN(r13, (uint64_t)sizeof(buf));
	struct tdx_quote_buf_header hdr;
	uint8_t *quote = NULL;
	size_t qlen = 0;
	bool written;

	if (st == TDVMCALL_STATUS_SUCCESS && r13 > TDX_QUOTE_BUF_MAX)
		st = TDVMCALL_STATUS_INVALID_OPERAND;
	/* Only through the VMM's shared-memory access: a private page is refused. */
	if (st == TDVMCALL_STATUS_SUCCESS && ch->ops->read_shared(ch->vmm, gpa, buf, want)) {
		coco_info("tdx-model guest channel: GetQuote buffer at 0x%llx: %s",
			  (unsigned long long)r12, coco_last_error());
		st = TDVMCALL_STATUS_INVALID_OPERAND;
	}
	if (st == TDVMCALL_STATUS_SUCCESS && tdx_quote_buf_parse(buf, want, r13, &hdr)) {
		coco_info("tdx-model guest channel: GetQuote: %s", coco_last_error());
		st = TDVMCALL_STATUS_INVALID_OPERAND;
	}
	if (st != TDVMCALL_STATUS_SUCCESS) {
		out->r[TDX_GPR_R10] = st;
		return;
	}
	/* The platform's QE checks the TDREPORT's MAC: a forged report gets GET_QUOTE_ERROR. */
	if (tdx_model_quote(ch->vm, buf + TDX_QUOTE_BUF_HEADER_SIZE, &quote, &qlen)) {
		coco_info("tdx-model guest channel: GetQuote: %s", coco_last_error());
		written = quote_respond(ch, gpa, &hdr, TDX_GET_QUOTE_ERROR, NULL, 0);
	} else if (qlen > r13 - TDX_QUOTE_BUF_HEADER_SIZE) {
		coco_info("tdx-model guest channel: GetQuote: the %zu-byte quote does not fit the "
			  "%llu-byte buffer", qlen, (unsigned long long)r13);
		written = quote_respond(ch, gpa, &hdr, TDX_GET_QUOTE_ERROR, NULL, 0);
	} else {
		written = quote_respond(ch, gpa, &hdr, TDX_GET_QUOTE_SUCCESS, quote, (uint32_t)qlen);
	}
	free(quote);
	out->r[TDX_GPR_R10] = written ? TDVMCALL_STATUS_SUCCESS : TDVMCALL_STATUS_INVALID_OPERAND;
}

/*
 * The text of ReportFatalError's message page (R12 bit 63, R13 its shared
 * GPA) for the reason, read only through the VMM's shared-memory access;
 * a bad or unreadable page is said so instead (the TD ends either way).
 */
static void fatal_page_text(struct tdx_chan *ch, uint64_t r13, char *out, size_t out_len)
{
	uint8_t bytes[TDVMCALL_FATAL_PAGE_TEXT_MAX];
	char text[TDVMCALL_FATAL_PAGE_TEXT_MAX + 1];
	uint64_t gpa;

	if (!tdvmcall_fatal_page_gpa(r13, ch->shared_bit, &gpa)) {
		snprintf(out, out_len, "; message page R13 0x%llx is not a 4 KiB-aligned shared "
			 "GPA (shared bit 0x%llx), not read", (unsigned long long)r13,
			 (unsigned long long)ch->shared_bit);
		return;
	}
	if (ch->ops->read_shared(ch->vmm, gpa, bytes, sizeof(bytes))) {
		snprintf(out, out_len, "; message page at 0x%llx unreadable: %s",
			 (unsigned long long)gpa, coco_last_error());
		return;
	}
	tdvmcall_fatal_text(bytes, sizeof(bytes), text);
	snprintf(out, out_len, "; message page at 0x%llx: \"%s\"", (unsigned long long)gpa, text);
}

static int report_fatal_error(struct tdx_chan *ch, const struct tdvmcall_request *req)
{
	char msg[TDVMCALL_FATAL_MESSAGE_MAX + 1], page[TDVMCALL_FATAL_PAGE_TEXT_MAX + 160];
	char reason[512];
	uint64_t code = req->in.r[TDX_GPR_R12];

	tdvmcall_fatal_message(req, msg);
	page[0] = '\0';
	if (code & TDVMCALL_FATAL_GPA_VALID)
		fatal_page_text(ch, req->in.r[TDX_GPR_R13], page, sizeof(page));
	snprintf(reason, sizeof(reason), "ReportFatalError: error code 0x%llx%s%s%s%s",
		 (unsigned long long)code, msg[0] ? ", message \"" : "", msg, msg[0] ? "\"" : "",
		 page);
	return ch->ops->end(ch->vmm, COCO_VMM_TERMINATED, reason);
}

/*
 * TDG.VP.VMCALL<Instruction.IO> (GHCI; KVM tdx_emulate_io): the port access
 * as the VMM serves an IN/OUT, R11 = the value an IN read.  The VMM's ports
 * never re-enter the channel (doorbells are not reachable this way), so the
 * channel's lock may stay held.
 */
static int instruction_io(struct tdx_chan *ch, struct coco_vmm_vcpu *vcpu,
			  const struct tdvmcall_request *req, struct tdx_gprs *out)
{
	unsigned int size;
	uint16_t port;
	uint32_t value;
	bool is_out;
	uint64_t st = tdvmcall_io_check(req, &size, &is_out, &port, &value);
	int ret;

	out->r[TDX_GPR_R10] = st;
	if (st != TDVMCALL_STATUS_SUCCESS)
		return 0;
	if (!is_out)
		value = 0;
	ret = ch->ops->port_io(vcpu, port, is_out, (uint8_t)size, &value);
	if (ret)
		return ret;
	if (!is_out)	/* an IN of 1 or 2 bytes leaves the rest of R11 zero, as KVM */
		out->r[TDX_GPR_R11] = size == 4 ? value : value & ((1u << (8 * size)) - 1);
	return 0;
}

static int vmcall(struct tdx_chan *ch, struct coco_vmm_vcpu *vcpu, struct tdx_gprs *g)
{
	struct tdvmcall_request req;
	struct tdx_gprs out;
	uint64_t st = tdvmcall_decode(g, TD_NO_RBP_MOD, &req);
	int ret = 0;

	if (st != TDX_SUCCESS) {
		g->r[TDX_GPR_RAX] = st;		/* the TDCALL itself fails */
		return 0;
	}
	out = req.in;
	if (!req.standard) {
		out.r[TDX_GPR_R10] = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;	/* no vendor calls */
	} else {
		switch (req.subfunction) {
		case TDVMCALL_MAP_GPA:
			map_gpa(ch, &req, &out);
			break;
		case TDVMCALL_GET_QUOTE:
			get_quote(ch, &req, &out);
			break;
		case TDVMCALL_GET_TD_VM_CALL_INFO:
			get_td_vm_call_info(&req, &out);
			break;
		case TDVMCALL_REPORT_FATAL_ERROR:
			ret = report_fatal_error(ch, &req);
			break;
		case TDVMCALL_INSTRUCTION_IO:
			ret = instruction_io(ch, vcpu, &req, &out);
			break;
		default:
			out.r[TDX_GPR_R10] = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
			break;
		}
	}
	if (ret)
		return ret;
	tdvmcall_complete(g, &req, &out);
	return 0;
}

/* ------------------------------------------------------------------ */
/* The channel's ops                                                    */

static int tdcall(struct tdx_chan *ch, struct coco_vmm_vcpu *vcpu)
{
	uint32_t index = ch->ops->vcpu_index(vcpu);
	uint64_t tdvpr = tdx_host_td_tdvpr(ch->td, index);
	struct kvm_regs regs;
	struct tdx_gprs g;
	int ret = ch->ops->get_regs(vcpu, &regs);

	if (ret)
		return ret;
	gprs_from_kvm(&regs, &g);
	pthread_mutex_lock(&ch->lock);
	if (g.r[TDX_GPR_RAX] == TDG_VP_VMCALL)
		ret = vmcall(ch, vcpu, &g);
	else
		ret = module_call(ch, tdvpr, &g);
	pthread_mutex_unlock(&ch->lock);
	if (ret)
		return ret;
	gprs_to_kvm(&g, &regs);
	return ch->ops->set_regs(vcpu, &regs);
}

static int chan_io(void *state, struct coco_vmm_vcpu *vcpu, uint16_t port, bool out,
		   uint8_t size, uint32_t count, void *data)
{
	struct tdx_chan *ch = state;
	char reason[160];

	(void)data;
	if (port == COCO_MODEL_TDCALL_PORT && out && size == 1 && count == 1)
		return tdcall(ch, vcpu);
	if (port == COCO_MODEL_TDCALL_PORT)
		snprintf(reason, sizeof(reason), "the TDCALL doorbell (port 0x%x) is a 1-byte OUT "
			 "(`out %%al, $0xf5`); the guest did a %u-byte %s x%u", port, size,
			 out ? "OUT" : "IN", count);
	else
		snprintf(reason, sizeof(reason), "the guest %s port 0x%x, which no device of the "
			 "tdx-model VMM serves (docs/guest-abi-tdx.md)", out ? "wrote to" : "read",
			 port);
	return ch->ops->end(ch->vmm, COCO_VMM_FAILED, reason);
}

static int chan_msr(void *state, struct coco_vmm_vcpu *vcpu, bool write, uint32_t index,
		    uint64_t *value)
{
	struct tdx_chan *ch = state;
	char reason[128];

	/* The channel filters no MSR: KVM should never hand one over. */
	(void)vcpu;
	(void)value;
	snprintf(reason, sizeof(reason), "unexpected %s of MSR 0x%x: the tdx-model channel "
		 "filters no MSR", write ? "WRMSR" : "RDMSR", index);
	return ch->ops->end(ch->vmm, COCO_VMM_FAILED, reason);
}

static void segment(struct kvm_segment *s, uint32_t limit, uint32_t ar)
{
	/* A VMX access-rights word: type 3:0, S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16. */
	*s = (struct kvm_segment){ .base = 0, .limit = limit, .selector = 0,
				   .type = ar & 0xF, .s = (ar >> 4) & 1, .dpl = (ar >> 5) & 3,
				   .present = (ar >> 7) & 1, .avl = (ar >> 12) & 1,
				   .l = (ar >> 13) & 1, .db = (ar >> 14) & 1, .g = (ar >> 15) & 1,
				   .unusable = (ar >> 16) & 1 };
}

static int chan_vcpu_boot_state(void *state, uint32_t index, struct kvm_regs *regs,
				struct kvm_sregs *sregs)
{
	struct tdx_chan *ch = state;
	unsigned int eax = 0, ebx, ecx, edx;

	if (index >= ch->nvcpus)
		return coco_err(-EINVAL, "tdx-model guest channel: vCPU %u: the TD has %u vCPUs",
				index, ch->nvcpus);
	/* TDH.VP.INIT's GPRs (tdx/tdcall.h): the module saved CPUID(1).EAX at TDH.SYS.INIT. */
	__get_cpuid(1, &eax, &ebx, &ecx, &edx);
	memset(regs, 0, sizeof(*regs));
	regs->rip = TDX_INIT_RIP;
	regs->rflags = TDX_INIT_RFLAGS;
	regs->rbx = ch->gpaw;
	regs->rcx = regs->r8 = TDX_HOST_VP_INIT_RCX;
	regs->rdx = eax;
	regs->rsi = index;
	/* The TD VMCS's initial guest state; the rest of @sregs (APIC base, ...) is KVM's. */
	segment(&sregs->cs, 0xFFFFFFFFu, TDX_INIT_CS_AR);
	segment(&sregs->ds, 0xFFFFFFFFu, TDX_INIT_DATA_AR);
	segment(&sregs->es, 0xFFFFFFFFu, TDX_INIT_DATA_AR);
	segment(&sregs->fs, 0xFFFFFFFFu, TDX_INIT_DATA_AR);
	segment(&sregs->gs, 0xFFFFFFFFu, TDX_INIT_DATA_AR);
	segment(&sregs->ss, 0xFFFFFFFFu, TDX_INIT_DATA_AR);
	segment(&sregs->tr, 0xFFFFu, TDX_INIT_TR_AR);
	segment(&sregs->ldt, 0xFFFFu, TDX_INIT_LDTR_AR);
	sregs->gdt = (struct kvm_dtable){ .base = 0, .limit = 0xFFFF };
	sregs->idt = (struct kvm_dtable){ .base = 0, .limit = 0 };
	sregs->cr0 = TDX_INIT_CR0;
	sregs->cr2 = sregs->cr3 = 0;
	sregs->cr4 = TDX_INIT_CR4;
	sregs->efer = TDX_INIT_EFER;
	return 0;	/* every TD vCPU starts with the VM */
}

/*
 * The quote carries its PCK chain (certification data type 5), but the
 * guest made those bytes: the host attaches the platform's own root, which
 * the carried chain must lead to (coco_trust_anchors_from_evidence trusts
 * only what the host attached).
 */
static int chan_evidence_complete(void *state, struct coco_evidence *evidence)
{
	struct tdx_chan *ch = state;

	return tdx_model_attach_root(ch->vm, evidence);
}

static void chan_close(void *state)
{
	struct tdx_chan *ch = state;

	if (!ch)
		return;
	pthread_mutex_destroy(&ch->lock);
	free(ch);
}

int tdx_chan_open_with(const struct tdx_chan_vmm_ops *ops, struct coco_vmm *vmm,
		       struct coco_vm *vm, void **state)
{
	static const char op[] = "tdx-model guest channel";
	struct tdx_module_args a = { 0 };
	struct tdx_chan *ch;
	uint64_t st;

	*state = NULL;
	if (!vm || vm->dry_run || !tdx_model_td(vm))
		return coco_err(-EINVAL, "%s: the VM is not a launched VM of tdx-model", op);
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	ch->ops = ops;
	ch->vmm = vmm;
	ch->vm = vm;
	ch->td = tdx_model_td(vm);
	ch->module = tdx_model_module(vm->host);
	/* The TD's GPA width and vCPU count, as the guest learns them (TDG.VP.INFO). */
	st = tdx_module_tdcall(ch->module, tdx_host_td_tdvpr(ch->td, 0), TDG_VP_INFO, &a);
	if (st != TDX_SUCCESS) {
		int ret = coco_err(-EINVAL, "%s: TDG.VP.INFO on vCPU 0: %s 0x%016llx (%s); the "
				   "TD runs only after TDH.MR.FINALIZE", op,
				   tdx_status_name(st) ? tdx_status_name(st) : "status",
				   (unsigned long long)st, tdx_module_last_detail(ch->module));
		free(ch);
		return ret;
	}
	ch->gpaw = (unsigned int)(a.rcx & 0x3F);
	ch->shared_bit = 1ull << (ch->gpaw - 1);
	ch->nvcpus = (uint32_t)a.r8;
	pthread_mutex_init(&ch->lock, NULL);
	*state = ch;
	return 0;
}

/* ------------------------------------------------------------------ */
/* coco-vmm's helpers                                                   */

static int vmm_end(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *reason)
{
	return coco_vmm_end(vmm, outcome, "%s", reason);
}

static const struct tdx_chan_vmm_ops vmm_ops = {
	.vcpu_index = coco_vmm_vcpu_index,
	.get_regs = coco_vmm_vcpu_get_regs,
	.set_regs = coco_vmm_vcpu_set_regs,
	.read_shared = coco_vmm_read_shared,
	.write_shared = coco_vmm_write_shared,
	.convert = coco_vmm_convert,
	.port_io = coco_vmm_guest_port_io,
	.end = vmm_end,
};

static int chan_open(struct coco_vmm *vmm, struct coco_vm *vm, void **state)
{
	return tdx_chan_open_with(&vmm_ops, vmm, vm, state);
}

const struct coco_guest_channel tdx_model_guest_channel = {
	.msrs = NULL,
	.nmsrs = 0,
	.open = chan_open,
	.close = chan_close,
	.vcpu_boot_state = chan_vcpu_boot_state,
	.msr = chan_msr,
	.io = chan_io,
	.evidence_complete = chan_evidence_complete,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The "tdx" hardware backend's side of coco-vmm (core/vmm.h): the KVM VM
 * its launch made, and the guest channel for the TDVMCALLs KVM hands to
 * user space (tdx.md section 6, Linux arch/x86/kvm/vmx/tdx.c):
 *
 *   MapGPA                    KVM_EXIT_HYPERCALL(KVM_HC_MAP_GPA_RANGE), 2 MiB
 *                             at a time: the core converts (memory
 *                             attributes, hole punching)
 *   GetQuote                  KVM_EXIT_TDX: the buffer is checked like
 *                             QEMU does (GHCI 1.5 Table 3-10/3-11) and
 *                             answered; quotes come from the host's Quote
 *                             Generation Service, which this VMM has no
 *                             client for yet, so every well-formed request
 *                             gets the buffer status SERVICE_UNAVAILABLE at
 *                             once (the guest never polls forever)
 *   GetTdVmCallInfo leaf 1    KVM_EXIT_TDX: R11 bit 0, GetQuote is served
 *   SetupEventNotifyInterrupt KVM_EXIT_TDX: SUBFUNC_UNSUPPORTED (GetQuote
 *                             completes before the TDVMCALL returns, so
 *                             there is nothing to notify)
 *   ReportFatalError          KVM_EXIT_SYSTEM_EVENT(KVM_SYSTEM_EVENT_TDX_FATAL)
 *                             with the 16 GPRs in data[] (KVM's order,
 *                             RAX..R15): the run ends TERMINATED with the
 *                             error code (R12) and the message (R14, R15,
 *                             RBX, RDI, RSI, R8, R9, RDX)
 *
 * The TD's vCPU state is the TDX module's (TDH.VP.INIT at
 * KVM_TDX_INIT_VCPU): vcpu_boot_state leaves it alone.  No MSR is filtered.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "core/error.h"
#include "core/kvm-uapi.h"
#include "core/util.h"
#include "core/vmm.h"
#include "tdx/kvm-tdx.h"
#include "tdx/launch.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"

#define PAGE 4096ull

struct tdx_hw_chan {
	struct coco_vmm *vmm;
	bool no_qgs_logged;
};

struct coco_kvm_vm *tdx_hw_vmm_kvm_vm(struct coco_vm *vm)
{
	struct tdx_vm *t = vm && !vm->dry_run ? tdx_vm_of(vm) : NULL;

	return t && t->backend ? &((struct tdx_kvm_vm *)t->backend)->kvm : NULL;
}

static int chan_open(struct coco_vmm *vmm, struct coco_vm *vm, void **state)
{
	struct tdx_hw_chan *ch = calloc(1, sizeof(*ch));

	(void)vm;
	if (!ch)
		return coco_err(-ENOMEM, "tdx guest channel: out of memory");
	ch->vmm = vmm;
	*state = ch;
	return 0;
}

static void chan_close(void *state)
{
	free(state);
}

static int chan_vcpu_boot_state(void *state, uint32_t index, struct kvm_regs *regs,
				struct kvm_sregs *sregs)
{
	(void)state;
	(void)index;
	(void)regs;
	(void)sregs;
	return 0;	/* the TDX module set it at TDH.VP.INIT */
}

/* The answer header into the guest's shared buffer; false if the VMM cannot write it. */
static bool quote_answer(struct tdx_hw_chan *ch, uint64_t gpa, struct tdx_quote_buf_header *hdr,
			 uint64_t status)
{
	uint8_t raw[TDX_QUOTE_BUF_HEADER_SIZE];

	hdr->status = status;
	hdr->out_len = 0;
	tdx_quote_buf_encode(hdr, raw);
	if (coco_vmm_write_shared(ch->vmm, gpa, raw, sizeof(raw))) {
		coco_info("tdx guest channel: GetQuote: cannot answer at GPA 0x%llx: %s",
			  (unsigned long long)gpa, coco_last_error());
		return false;
	}
	return true;
}

/* KVM_EXIT_TDX GetQuote: @gpa has the shared bit cleared already (KVM). */
static uint64_t get_quote(struct tdx_hw_chan *ch, uint64_t gpa, uint64_t size)
{
	uint8_t buf[TDX_QUOTE_BUF_HEADER_SIZE + TDX_TDREPORT_SIZE];
	size_t want = (size_t)COCO_MIN(size, (uint64_t)sizeof(buf));
	struct tdx_quote_buf_header hdr;

	/* GHCI GetQuote: a non-empty, 4 KiB aligned shared buffer (QEMU's checks too). */
	if (!size || size > TDX_QUOTE_BUF_MAX)
		return TDVMCALL_STATUS_INVALID_OPERAND;
	if ((gpa | size) & (PAGE - 1))
		return TDVMCALL_STATUS_ALIGN_ERROR;
	if (coco_vmm_read_shared(ch->vmm, gpa, buf, want)) {
		coco_info("tdx guest channel: GetQuote buffer at GPA 0x%llx: %s",
			  (unsigned long long)gpa, coco_last_error());
		return TDVMCALL_STATUS_INVALID_OPERAND;
	}
	if (tdx_quote_buf_parse(buf, want, size, &hdr)) {
		coco_info("tdx guest channel: GetQuote: %s", coco_last_error());
		return TDVMCALL_STATUS_INVALID_OPERAND;
	}
	/* No Quote Generation Service client: say so in the buffer, the guest stops waiting. */
	if (!ch->no_qgs_logged)
		coco_warn("tdx guest channel: the TD asked for a quote; this VMM has no Quote "
			  "Generation Service client, so GetQuote answers SERVICE_UNAVAILABLE "
			  "(0x%llx); the TD can still hand its TDREPORT over",
			  (unsigned long long)TDX_GET_QUOTE_SERVICE_UNAVAILABLE);
	ch->no_qgs_logged = true;
	return quote_answer(ch, gpa, &hdr, TDX_GET_QUOTE_SERVICE_UNAVAILABLE)
		       ? TDVMCALL_STATUS_SUCCESS
		       : TDVMCALL_STATUS_INVALID_OPERAND;
}

static int tdx_exit(struct tdx_hw_chan *ch, struct kvm_run *run)
{
	struct coco_kvm_tdx_exit *t = COCO_KVM_RUN_TDX(run);

	switch (t->nr) {
	case TDVMCALL_GET_QUOTE:
		t->get_quote.ret = get_quote(ch, t->get_quote.gpa, t->get_quote.size);
		break;
	case TDVMCALL_GET_TD_VM_CALL_INFO:
		/* KVM answers leaf 0 itself and hands over leaf 1: the optional TDVMCALLs served. */
		if (t->get_tdvmcall_info.leaf != TDVMCALL_INFO_LEAF_OPTIONAL) {
			t->get_tdvmcall_info.ret = TDVMCALL_STATUS_INVALID_OPERAND;
			break;
		}
		t->get_tdvmcall_info.r11 = TDVMCALL_INFO_1_R11_GET_QUOTE;
		t->get_tdvmcall_info.r12 = t->get_tdvmcall_info.r13 = 0;
		t->get_tdvmcall_info.r14 = 0;
		t->get_tdvmcall_info.ret = TDVMCALL_STATUS_SUCCESS;
		break;
	case TDVMCALL_SETUP_EVENT_NOTIFY_INTERRUPT:
		t->setup_event_notify.ret = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
		break;
	default:
		t->unknown.ret = TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED;
		break;
	}
	return 0;
}

/* KVM_SYSTEM_EVENT_TDX_FATAL: data[] holds the TDVMCALL's GPRs, RAX..R15. */
static int fatal_error(struct tdx_hw_chan *ch, struct coco_vmm_vcpu *vcpu,
		       const struct kvm_run *run)
{
	char msg[TDVMCALL_FATAL_MESSAGE_MAX + 1];
	struct tdvmcall_request req = { 0 };
	uint64_t code;

	if (run->system_event.ndata < TDX_NR_GPRS)
		return coco_vmm_end(ch->vmm, COCO_VMM_TERMINATED, "vCPU %u: TDX fatal error "
				    "(ReportFatalError) with %u data words, not the 16 GPRs KVM "
				    "passes", coco_vmm_vcpu_index(vcpu), run->system_event.ndata);
	for (unsigned int i = 0; i < TDX_NR_GPRS; i++)
		req.in.r[i] = run->system_event.data[i];
	/* RCX is the guest's register mask: the message is in the registers it exposed. */
	req.gpr_select = (uint16_t)req.in.r[TDX_GPR_RCX];
	code = req.in.r[TDX_GPR_R12];
	tdvmcall_fatal_message(&req, msg);
	if (code & TDVMCALL_FATAL_GPA_VALID)
		return coco_vmm_end(ch->vmm, COCO_VMM_TERMINATED, "vCPU %u: ReportFatalError: "
				    "error code 0x%llx, message \"%s\" (the message page at GPA "
				    "0x%llx is not read)", coco_vmm_vcpu_index(vcpu),
				    (unsigned long long)code, msg,
				    (unsigned long long)req.in.r[TDX_GPR_R13]);
	return coco_vmm_end(ch->vmm, COCO_VMM_TERMINATED, "vCPU %u: ReportFatalError: error code "
			    "0x%llx, message \"%s\"", coco_vmm_vcpu_index(vcpu),
			    (unsigned long long)code, msg);
}

static int chan_vendor_exit(void *state, struct coco_vmm_vcpu *vcpu, struct kvm_run *run)
{
	struct tdx_hw_chan *ch = state;

	if (run->exit_reason == KVM_EXIT_TDX)
		return tdx_exit(ch, run);
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	    run->system_event.type == KVM_SYSTEM_EVENT_TDX_FATAL)
		return fatal_error(ch, vcpu, run);
	return -ENODEV;
}

const struct coco_guest_channel tdx_hw_guest_channel = {
	.msrs = NULL,
	.nmsrs = 0,
	.open = chan_open,
	.close = chan_close,
	.vcpu_boot_state = chan_vcpu_boot_state,
	/* The quote carries its PCK certificate chain: nothing to add. */
	.evidence_complete = NULL,
	.vendor_exit = chan_vendor_exit,
};

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The sev-snp-model backend's guest channel: what KVM and the PSP do for an
 * SNP guest, served to a guest running on plain KVM under coco-vmm
 * (core/vmm.h), with the PSP + RMP model enforcing the rules.
 *
 * - The GHCB MSR (0xC0010130): a WRMSR is the VMGEXIT (docs/guest-abi.md).
 *   With GHCBInfo non-zero it is an MSR-protocol request (§7.1), answered
 *   in the vCPU's GHCB MSR value, which a RDMSR returns.  With GHCBInfo
 *   zero it names the GHCB page (§7.2): the registered, shared page is read
 *   through the VMM's shared-memory access, the NAE event served, the page
 *   written back.
 * - The model doorbells: port 0xf7 PVALIDATE, 0xf8 RMPADJUST, on the
 *   vCPU's registers as the instructions define them (snp.md §5.3).
 * - vCPU 0 starts from the VMSA the launch measured; the APs wait until
 *   the guest creates them (AP creation, §7.5).
 *
 * Guest mistakes get KVM's guest-visible answer (SW_EXIT_INFO_1 = 2 and a
 * GHCB_ERR_*, a PSC error, a firmware status, an instruction return code)
 * or, where KVM stops the guest, the end of the run with a reason.  Section
 * numbers: ../shared/specs/snp.md.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>

#include "core/kvm.h"
#include "core/util.h"
#include "core/vmm.h"
#include "sev-snp/ghcb.h"
#include "sev-snp/guest-msg.h"
#include "sev-snp/model-guest.h"
#include "sev-snp/rmp.h"
#include "sev-snp/snp-defs.h"
#include "sev-snp/vmsa-layout.h"
#include "sev-snp/vmsa-decode.h"

#define PAGE 4096ull
#define LARGE (2ull * 1024 * 1024)

/*
 * The C-bit position SEV information reports (CPUID 0x8000001F EBX[5:0]):
 * 51 on Milan and Genoa, the CPUs the model platform stands for.  The
 * model encrypts nothing; guests never set it (docs/guest-abi.md).
 */
#define SNP_MODEL_CBIT 51u

/* Local APIC base MSR at reset: 0xFEE00000, enabled (bit 11), BSP (bit 8) (APM vol. 2). */
#define APIC_BASE_DEFAULT 0xFEE00000ull
#define APIC_BASE_ENABLE (1ull << 11)
#define APIC_BASE_BSP (1ull << 8)

#define RFLAGS_CF (1ull << 0)

/* The model's PVALIDATE/RMPADJUST page-size operand (RCX): 0 4 KiB, 1 2 MiB (APM vol. 3). */
#define RMP_PG_SIZE_4K 0u
#define RMP_PG_SIZE_2M 1u

/* RMPADJUST's RDX (snp.md §5.3): bits 7:0 target VMPL, 15:8 permissions, bit 16 VMSA. */
#define RMPADJUST_VMSA (1ull << 16)

#define NO_GHCB UINT64_MAX

/* MSG_TYPE in a guest message header (snp.md §7.4: header byte 0x34). */
#define SNP_MSG_TYPE_OFFSET 0x34u

struct chan_vcpu {
	uint64_t msr;		/* the GHCB MSR as the guest reads it back */
	uint64_t ghcb_gpa;	/* registered GHCB (MSR 0x012), NO_GHCB until then */
	bool started;		/* running: vCPU 0 from boot, APs after AP creation */
	bool in_reset_hold;	/* parked by an AP reset hold request */
};

struct snp_chan {
	struct coco_vmm *vmm;
	struct coco_vm *vm;
	uint32_t nvcpus;
	uint64_t vm_features;	/* SEV_FEATURES of the launched VMSAs */
	uint64_t mem_end;	/* end of the highest guest memory slot */
	pthread_mutex_t lock;	/* vcpu[].started/in_reset_hold/msr of other vCPUs */
	pthread_mutex_t request_lock;	/* the model VM's guest request pages */
	struct kvm_cpuid2 *cpuid;	/* KVM_GET_SUPPORTED_CPUID, for MSR CPUID requests */
	struct chan_vcpu vcpu[];
};

/*
 * SEV_STATUS (0xC0010131) is read-only and reports the guest's SEV
 * features: bits 0 SEV, 1 SEV-ES, 2 SNP, and bit n + 2 for SEV_FEATURES
 * bit n (snp.md §1, Linux msr-index.h).  The hardware answers it; here the
 * channel does, since the CPU has no SEV.
 */
#define SEV_STATUS_MSR 0xC0010131u
#define SEV_STATUS_SEV_ES (1ull << 0 | 1ull << 1)

static const uint32_t channel_msrs[] = { GHCB_MSR, SEV_STATUS_MSR };

/* ------------------------------------------------------------------ */
/* Open / close                                                         */

#define CPUID_ENTRIES_MAX 256u

/* The CPUID values KVM offers guests (what KVM answers an MSR-protocol CPUID request from). */
static int load_supported_cpuid(struct snp_chan *c)
{
	int fd = coco_kvm_open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return coco_err(fd, "SNP guest channel: /dev/kvm: %s; CPUID requests need KVM's "
				"supported CPUID", strerror(-fd));
	c->cpuid = calloc(1, sizeof(*c->cpuid) + CPUID_ENTRIES_MAX * sizeof(c->cpuid->entries[0]));
	if (!c->cpuid) {
		coco_kvm_close(fd);
		return coco_err(-ENOMEM, "SNP guest channel: out of memory");
	}
	c->cpuid->nent = CPUID_ENTRIES_MAX;
	ret = coco_kvm_ioctl(fd, KVM_GET_SUPPORTED_CPUID, c->cpuid);
	coco_kvm_close(fd);
	if (ret < 0)
		return coco_err(ret, "SNP guest channel: KVM_GET_SUPPORTED_CPUID: %s (errno %d)",
				strerror(-ret), -ret);
	return 0;
}

static void chan_close(void *state)
{
	struct snp_chan *c = state;

	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	pthread_mutex_destroy(&c->request_lock);
	free(c->cpuid);
	free(c);
}

static int chan_open(struct coco_vmm *vmm, struct coco_vm *vm, void **state)
{
	const uint8_t *vmsa0;
	struct snp_chan *c;
	uint32_t n;
	int ret;

	if (!snp_model_vm_is_model(vm))
		return coco_err(-EINVAL, "SNP guest channel: the VM is not a launched "
				"sev-snp-model VM");
	vmsa0 = snp_model_vm_launch_vmsa(vm, 0);
	if (!vmsa0)
		return coco_err(-EINVAL, "SNP guest channel: the launch measured no VMSA for "
				"vCPU 0, so there is no state to start the guest from");
	n = vm->config.vcpus ? vm->config.vcpus : 1;
	c = calloc(1, sizeof(*c) + n * sizeof(c->vcpu[0]));
	if (!c)
		return coco_err(-ENOMEM, "SNP guest channel: out of memory");
	c->vmm = vmm;
	c->vm = vm;
	c->nvcpus = n;
	c->vm_features = coco_le64(vmsa0 + VMSA_SEV_FEATURES);
	for (size_t i = 0; i < vm->nslots; i++)
		c->mem_end = COCO_MAX(c->mem_end, vm->slots[i].gpa + vm->slots[i].size);
	for (uint32_t i = 0; i < n; i++)
		c->vcpu[i].ghcb_gpa = NO_GHCB;
	pthread_mutex_init(&c->lock, NULL);
	pthread_mutex_init(&c->request_lock, NULL);
	ret = load_supported_cpuid(c);
	if (ret) {
		chan_close(c);
		return ret;
	}
	*state = c;
	return 0;
}

/* ------------------------------------------------------------------ */
/* vCPU state                                                           */

/*
 * @regs/@sregs from the VMSA.  What a VMSA does not hold (the local APIC
 * base, CR2, CR8, pending interrupts) stays as the caller filled it.
 */
static int vmsa_to_kvm(const uint8_t *vmsa, struct kvm_regs *regs, struct kvm_sregs *sregs)
{
	struct snp_vmsa_regs st;
	struct kvm_sregs keep = *sregs;
	int ret = snp_vmsa_decode(vmsa, &st);

	if (ret)
		return ret;
	*regs = st.regs;
	*sregs = st.sregs;
	sregs->apic_base = keep.apic_base;
	sregs->cr2 = keep.cr2;
	sregs->cr8 = keep.cr8;
	memcpy(sregs->interrupt_bitmap, keep.interrupt_bitmap, sizeof(keep.interrupt_bitmap));
	return 0;
}

static int chan_vcpu_boot_state(void *state, uint32_t index, struct kvm_regs *regs,
				struct kvm_sregs *sregs)
{
	struct snp_chan *c = state;
	const uint8_t *vmsa;
	int ret;

	if (index != 0)
		return COCO_VMM_HOLD;	/* an AP runs once the guest creates it (§7.5) */
	vmsa = snp_model_vm_launch_vmsa(c->vm, 0);
	if (!vmsa)
		return coco_err(-EINVAL, "SNP guest channel: no launched VMSA for vCPU 0");
	ret = vmsa_to_kvm(vmsa, regs, sregs);
	if (ret)
		return coco_err_context(ret, "SNP guest channel: vCPU 0's measured VMSA");
	pthread_mutex_lock(&c->lock);
	c->vcpu[0].started = true;
	pthread_mutex_unlock(&c->lock);
	return 0;
}

/* ------------------------------------------------------------------ */
/* MSR protocol (§7.1)                                                  */

static uint32_t cpuid_value(const struct snp_chan *c, uint32_t fn, uint32_t reg)
{
	for (uint32_t i = 0; i < c->cpuid->nent; i++) {
		const struct kvm_cpuid_entry2 *e = &c->cpuid->entries[i];
		if (e->function != fn || e->index != 0)
			continue;
		return reg == 0 ? e->eax : reg == 1 ? e->ebx : reg == 2 ? e->ecx : e->edx;
	}
	return 0;	/* a leaf KVM does not offer reads as zeros */
}

static int terminate(struct snp_chan *c, const char *how, uint32_t set, uint32_t code)
{
	const char *meaning = ghcb_term_reason_name(set, code);

	return coco_vmm_end(c->vmm, COCO_VMM_TERMINATED, "the guest asked to terminate (%s): "
			    "reason set %u code %u (%s)", how, set, code,
			    meaning ? meaning : "no meaning the GHCB specification or Linux defines");
}

static bool is_guest_memory(const struct snp_chan *c, uint64_t gpa)
{
	return coco_vm_find_slot(c->vm, gpa) != NULL;
}

static int msr_protocol(struct snp_chan *c, struct coco_vmm_vcpu *vcpu, uint64_t value)
{
	uint32_t index = coco_vmm_vcpu_index(vcpu);
	struct chan_vcpu *v = &c->vcpu[index];
	struct ghcb_msr_request req;
	int ret;

	ghcb_msr_decode(value, &req);
	switch (req.code) {
	case GHCB_MSR_SEV_INFO_REQ:
		v->msr = ghcb_msr_sev_info(GHCB_VERSION_MAX, GHCB_VERSION_MIN, SNP_MODEL_CBIT);
		return 0;
	case GHCB_MSR_CPUID_REQ:
		v->msr = ghcb_msr_cpuid_resp(cpuid_value(c, req.cpuid_fn, req.cpuid_reg));
		return 0;
	case GHCB_MSR_AP_RESET_HOLD_REQ:
		/* Answered "not woken" now; AP creation sets a non-zero result when it starts us. */
		pthread_mutex_lock(&c->lock);
		v->msr = GHCB_MSR_AP_RESET_HOLD_RESP;
		v->in_reset_hold = true;
		v->started = false;
		pthread_mutex_unlock(&c->lock);
		return COCO_VMM_HOLD;
	case GHCB_MSR_PREF_GPA_REQ:
		v->msr = ghcb_msr_gfn_resp(GHCB_MSR_PREF_GPA_RESP, GHCB_MSR_PREF_GPA_NONE);
		return 0;
	case GHCB_MSR_REG_GPA_REQ:
		/*
		 * KVM records any GFN; the model refuses one that is not guest
		 * memory by answering another GFN (the guest sees the mismatch).
		 */
		if (!is_guest_memory(c, req.gfn << 12)) {
			v->msr = ghcb_msr_gfn_resp(GHCB_MSR_REG_GPA_RESP, GHCB_MSR_PREF_GPA_NONE);
			return 0;
		}
		v->ghcb_gpa = req.gfn << 12;
		v->msr = ghcb_msr_gfn_resp(GHCB_MSR_REG_GPA_RESP, req.gfn);
		return 0;
	case GHCB_MSR_PSC_REQ:
		if (req.psc_op != GHCB_PSC_OP_PRIVATE && req.psc_op != GHCB_PSC_OP_SHARED) {
			v->msr = GHCB_MSR_PSC_RESP_ERROR;
			return 0;
		}
		ret = coco_vmm_convert(c->vmm, req.gfn << 12, PAGE,
				       req.psc_op == GHCB_PSC_OP_PRIVATE ? COCO_MEM_PRIVATE
									 : COCO_MEM_SHARED);
		if (ret)
			coco_info("SNP guest channel: vCPU %u: page state change of GFN 0x%llx "
				  "refused: %s", index, (unsigned long long)req.gfn,
				  coco_last_error());
		v->msr = ret ? GHCB_MSR_PSC_RESP_ERROR : GHCB_MSR_PSC_RESP;
		return 0;
	case GHCB_MSR_HV_FT_REQ:
		v->msr = ghcb_msr_gfn_resp(GHCB_MSR_HV_FT_RESP,
					   GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION);
		return 0;
	case GHCB_MSR_TERM_REQ:
		return terminate(c, "GHCB MSR protocol", req.term_set, req.term_code);
	default:
		return coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u wrote GHCB MSR value 0x%llx: "
				    "MSR protocol request 0x%03x is not one the hypervisor serves "
				    "(0x002 SEV info, 0x004 CPUID, 0x006 AP reset hold, 0x010/0x012 "
				    "GHCB GPA, 0x014 page state change, 0x080 features, 0x100 "
				    "terminate)", index, (unsigned long long)value, req.code);
	}
}

/* ------------------------------------------------------------------ */
/* NAE events (§7.2 - §7.5)                                             */

struct psc_ctx {
	struct snp_chan *c;
	uint32_t index;
};

static int psc_convert(void *ctx, uint64_t gpa, uint64_t size, bool to_private)
{
	struct psc_ctx *p = ctx;
	int ret = coco_vmm_convert(p->c->vmm, gpa, size,
				   to_private ? COCO_MEM_PRIVATE : COCO_MEM_SHARED);

	if (ret)
		coco_info("SNP guest channel: vCPU %u: page state change of [0x%llx, +0x%llx) to "
			  "%s refused: %s", p->index, (unsigned long long)gpa,
			  (unsigned long long)size, to_private ? "private" : "shared",
			  coco_last_error());
	return ret;
}

/* Page state change (§7.3): entries from CUR_ENTRY to END_ENTRY, progress written back. */
static void nae_psc(struct snp_chan *c, uint32_t index, uint8_t *page, uint64_t ghcb_gpa,
		    const struct ghcb_request *req)
{
	struct psc_ctx ctx = { c, index };
	uint32_t off = 0, ghcb_err;
	uint64_t err = ghcb_psc_locate(page, ghcb_gpa, req->scratch, &off, &ghcb_err);

	if (ghcb_err)
		ghcb_set_error(page, ghcb_err);
	else
		ghcb_set_exit_info(page, 0, err ? err : ghcb_psc_process(page, off, psc_convert,
									 &ctx));
}

/* SNP_GUEST_REQUEST (§7.4): the firmware's status in SW_EXIT_INFO_2's lower half. */
static int nae_guest_request(struct snp_chan *c, uint32_t index, uint8_t *page,
			     const struct ghcb_request *req)
{
	uint8_t *msg = malloc(2 * PAGE);
	uint32_t fw_status = 0;
	int ret;

	if (!msg)
		return coco_err(-ENOMEM, "SNP guest channel: out of memory");
	ret = coco_vmm_read_shared(c->vmm, req->info1, msg, PAGE);
	if (ret) {
		ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: SNP guest request page at GPA "
				   "0x%llx cannot be read by the hypervisor (%s); request and "
				   "response pages must be shared", index,
				   (unsigned long long)req->info1, coco_last_error());
		goto out;
	}
	if (req->exit_code == SVM_VMGEXIT_EXT_GUEST_REQUEST &&
	    msg[SNP_MSG_TYPE_OFFSET] == SNP_MSG_REPORT_REQ) {
		/* KVM's extended request: an empty certificate table (24 zero bytes) at RAX. */
		static const uint8_t empty_table[24];
		if (!req->rax_valid || !req->rbx_valid || (req->rax & (PAGE - 1))) {
			ghcb_set_error(page, GHCB_ERR_INVALID_INPUT);
			ret = 0;
			goto out;
		}
		if (req->rbx && coco_vmm_write_shared(c->vmm, req->rax, empty_table,
						      sizeof(empty_table))) {
			ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: the certificate "
					   "buffer at GPA 0x%llx cannot be written (%s)", index,
					   (unsigned long long)req->rax, coco_last_error());
			goto out;
		}
	}
	pthread_mutex_lock(&c->request_lock);
	ret = snp_model_vm_guest_request(c->vm, msg, msg + PAGE, &fw_status);
	pthread_mutex_unlock(&c->request_lock);
	if (ret)
		goto out;	/* the firmware could not run it: a host failure */
	if (fw_status)
		coco_info("SNP guest channel: vCPU %u: SNP_GUEST_REQUEST firmware status 0x%x %s: "
			  "%s", index, fw_status, snp_fw_status_name(fw_status), coco_last_error());
	ret = coco_vmm_write_shared(c->vmm, req->info2, msg + PAGE, PAGE);
	if (ret) {
		ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: SNP guest response page at GPA "
				   "0x%llx cannot be written by the hypervisor (%s); request and "
				   "response pages must be shared", index,
				   (unsigned long long)req->info2, coco_last_error());
		goto out;
	}
	/* SNP_GUEST_ERR(vmm error 0, firmware error): upper 32 bits VMM, lower 32 firmware. */
	ghcb_set_exit_info(page, 0, fw_status);
out:
	free(msg);
	return ret;
}

/* AP creation (§7.5): the target vCPU starts from the guest's VMSA page. */
static int nae_ap_creation(struct snp_chan *c, uint32_t index, uint8_t *page,
			   const struct ghcb_request *req)
{
	struct ghcb_ap_create ap;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint8_t *vmsa = NULL;
	char why[256];
	bool running;
	int ret;

	if (ghcb_ap_create_decode(req->info1, req->info2, req->rax, c->nvcpus, c->vm_features,
				  c->mem_end, &ap, why, sizeof(why)))
		goto invalid;
	pthread_mutex_lock(&c->lock);
	running = c->vcpu[ap.apic_id].started;
	pthread_mutex_unlock(&c->lock);
	switch (ap.request) {
	case GHCB_AP_DESTROY:
		if (!running)
			return 0;	/* it is not running: nothing to take away */
		snprintf(why, sizeof(why), "AP_DESTROY of running vCPU %u: the model's VMM cannot "
			 "park a running vCPU", ap.apic_id);
		goto invalid;
	case GHCB_AP_CREATE_ON_INIT:
		/* The VMSA would be used at the next INIT, which the model never delivers. */
		return 0;
	default:
		break;
	}
	vmsa = malloc(PAGE);
	if (!vmsa)
		return coco_err(-ENOMEM, "SNP guest channel: out of memory");
	/* An AP's local APIC as after reset: enabled, not the BSP; nothing pending. */
	memset(&sregs, 0, sizeof(sregs));
	sregs.apic_base = APIC_BASE_DEFAULT | APIC_BASE_ENABLE | (ap.apic_id ? 0 : APIC_BASE_BSP);
	if (snp_model_vm_read_guest_vmsa(c->vm, ap.vmsa_gpa, vmsa) ||
	    vmsa_to_kvm(vmsa, &regs, &sregs)) {
		snprintf(why, sizeof(why), "%s", coco_last_error());
		goto invalid;
	}
	pthread_mutex_lock(&c->lock);
	c->vcpu[ap.apic_id].started = true;
	if (c->vcpu[ap.apic_id].in_reset_hold)
		c->vcpu[ap.apic_id].msr = GHCB_MSR_AP_RESET_HOLD_RESP | (1ull << 12);
	c->vcpu[ap.apic_id].in_reset_hold = false;
	pthread_mutex_unlock(&c->lock);
	ret = coco_vmm_vcpu_start(c->vmm, ap.apic_id, &regs, &sregs);
	if (ret == -EINVAL) {
		snprintf(why, sizeof(why), "%s", coco_last_error());
		goto invalid;
	}
	free(vmsa);
	return ret;

invalid:
	free(vmsa);
	coco_info("SNP guest channel: vCPU %u: AP creation refused with %s (%u): %s", index,
		  ghcb_err_name(GHCB_ERR_INVALID_INPUT), GHCB_ERR_INVALID_INPUT, why);
	ghcb_set_error(page, GHCB_ERR_INVALID_INPUT);
	return 0;
}

static int ghcb_protocol(struct snp_chan *c, struct coco_vmm_vcpu *vcpu, uint64_t gpa)
{
	uint32_t index = coco_vmm_vcpu_index(vcpu);
	struct chan_vcpu *v = &c->vcpu[index];
	struct ghcb_request req;
	uint8_t *page;
	char why[320];
	uint32_t err;
	int ret = 0;

	v->msr = gpa;	/* the MSR holds the GHCB's address while the protocol uses the page */
	if (!gpa)
		return 0;	/* KVM: without a GHCB, straight back to the guest */
	if (gpa != v->ghcb_gpa)
		return coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: VMGEXIT with GHCB GPA 0x%llx, "
				    "which is not the GHCB it registered (%s); SNP guests register "
				    "their GHCB first (MSR protocol 0x012)", index,
				    (unsigned long long)gpa,
				    v->ghcb_gpa == NO_GHCB ? "none registered" : "another one");
	page = malloc(PAGE);
	if (!page)
		return coco_err(-ENOMEM, "SNP guest channel: out of memory");
	if (coco_vmm_read_shared(c->vmm, gpa, page, PAGE)) {
		ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: the GHCB at GPA 0x%llx cannot "
				   "be read by the hypervisor (%s); a GHCB must be a shared page",
				   index, (unsigned long long)gpa, coco_last_error());
		goto out;
	}
	err = ghcb_check(page, &req, why, sizeof(why));
	if (err) {
		coco_info("SNP guest channel: vCPU %u: malformed GHCB, answered %s (%u): %s", index,
			  ghcb_err_name(err), err, why);
		ghcb_set_error(page, err);
		goto write_back;
	}
	ghcb_set_exit_info(page, 0, 0);
	switch (req.exit_code) {
	case SVM_VMGEXIT_PSC:
		nae_psc(c, index, page, gpa, &req);
		break;
	case SVM_VMGEXIT_GUEST_REQUEST:
	case SVM_VMGEXIT_EXT_GUEST_REQUEST:
		ret = nae_guest_request(c, index, page, &req);
		break;
	case SVM_VMGEXIT_AP_CREATION:
		ret = nae_ap_creation(c, index, page, &req);
		break;
	case SVM_VMGEXIT_HV_FEATURES:
		ghcb_set_exit_info(page, 0, GHCB_HV_FT_SNP | GHCB_HV_FT_SNP_AP_CREATION);
		break;
	case SVM_VMGEXIT_TERM_REQUEST:
		/* SW_EXIT_INFO_1: [3:0] reason set, [11:4] reason code (GHCB spec). */
		ret = terminate(c, "GHCB termination event", (uint32_t)(req.info1 & 0xF),
				(uint32_t)((req.info1 >> 4) & 0xFF));
		goto out;
	case SVM_VMGEXIT_UNSUPPORTED_EVENT:
		ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: the guest reported an event "
				   "it cannot handle (SW_EXIT_INFO_1 0x%llx, SW_EXIT_INFO_2 0x%llx)",
				   index, (unsigned long long)req.info1,
				   (unsigned long long)req.info2);
		goto out;
	}
	if (ret)
		goto out;
write_back:
	/* KVM clears the valid bitmap of the GHCB it consumed, then writes its answers. */
	{
		uint64_t info1 = ghcb_get_u64(page, GHCB_OFF_SW_EXIT_INFO_1);
		uint64_t info2 = ghcb_get_u64(page, GHCB_OFF_SW_EXIT_INFO_2);
		memset(page + GHCB_OFF_VALID_BITMAP, 0, GHCB_VALID_BITMAP_SIZE);
		ghcb_set_exit_info(page, info1, info2);
	}
	if (coco_vmm_write_shared(c->vmm, gpa, page, PAGE))
		ret = coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: the GHCB at GPA 0x%llx cannot "
				   "be written back (%s); it must stay shared during the VMGEXIT",
				   index, (unsigned long long)gpa, coco_last_error());
out:
	free(page);
	return ret;
}

static int chan_msr(void *state, struct coco_vmm_vcpu *vcpu, bool write, uint32_t index,
		    uint64_t *value)
{
	struct snp_chan *c = state;
	uint32_t vi = coco_vmm_vcpu_index(vcpu);

	if (index == SEV_STATUS_MSR && vi < c->nvcpus) {
		if (write)	/* read-only: the CPU raises #GP, which kills a guest without an IDT */
			return coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u wrote the read-only "
					    "SEV_STATUS MSR 0x%x (#GP)", vi, SEV_STATUS_MSR);
		*value = SEV_STATUS_SEV_ES | c->vm_features << 2;
		return 0;
	}
	if (index != GHCB_MSR || vi >= c->nvcpus)
		return coco_err(-EINVAL, "SNP guest channel: MSR 0x%x of vCPU %u is not the GHCB "
				"MSR this channel filters", index, vi);
	if (!write) {
		pthread_mutex_lock(&c->lock);
		*value = c->vcpu[vi].msr;
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	if (*value & GHCB_MSR_INFO_MASK)
		return msr_protocol(c, vcpu, *value);
	return ghcb_protocol(c, vcpu, *value);
}

/* ------------------------------------------------------------------ */
/* Doorbells: PVALIDATE and RMPADJUST on the vCPU's registers (§5.3)    */

static int doorbell(struct snp_chan *c, struct coco_vmm_vcpu *vcpu, uint16_t port)
{
	bool pvalidate = port == COCO_MODEL_PVALIDATE_PORT;
	const char *insn = pvalidate ? "PVALIDATE" : "RMPADJUST";
	uint32_t index = coco_vmm_vcpu_index(vcpu);
	struct kvm_regs regs;
	uint64_t gpa;
	bool unchanged = false;
	char why[320] = "";
	int ret;

	ret = coco_vmm_vcpu_get_regs(vcpu, &regs);
	if (ret)
		return ret;
	if (coco_vmm_vcpu_translate(vcpu, regs.rax, &gpa))
		return coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: %s of virtual address 0x%llx, "
				    "which the guest's page tables do not map (#PF)", index, insn,
				    (unsigned long long)regs.rax);
	if ((uint32_t)regs.rcx != RMP_PG_SIZE_4K && (uint32_t)regs.rcx != RMP_PG_SIZE_2M)
		ret = RMP_FAIL_INPUT;
	else if (pvalidate)
		ret = snp_model_vm_pvalidate(c->vm, gpa, (uint32_t)regs.rcx == RMP_PG_SIZE_2M,
					     regs.rdx & 1, &unchanged, why, sizeof(why));
	else
		ret = snp_model_vm_rmpadjust(c->vm, gpa, (uint32_t)regs.rcx == RMP_PG_SIZE_2M,
					     (uint32_t)(regs.rdx & 0xFF),
					     (uint8_t)((regs.rdx >> 8) & 0xFF),
					     regs.rdx & RMPADJUST_VMSA, why, sizeof(why));
	if (ret < 0)
		return ret;
	if (ret == RMP_FAULT_NPF)
		return coco_vmm_end(c->vmm, COCO_VMM_FAILED, "vCPU %u: %s", index, why);
	/* EAX = return code (a 32-bit write zero-extends RAX); PVALIDATE: CF = no update. */
	regs.rax = (uint32_t)ret;
	if (pvalidate)
		regs.rflags = unchanged ? regs.rflags | RFLAGS_CF : regs.rflags & ~RFLAGS_CF;
	return coco_vmm_vcpu_set_regs(vcpu, &regs);
}

static int chan_io(void *state, struct coco_vmm_vcpu *vcpu, uint16_t port, bool out,
		   uint8_t size, uint32_t count, void *data)
{
	struct snp_chan *c = state;

	(void)data;
	if (out && count == 1 && size == 1 &&
	    (port == COCO_MODEL_PVALIDATE_PORT || port == COCO_MODEL_RMPADJUST_PORT))
		return doorbell(c, vcpu, port);
	/* Not a doorbell (or not its 1-byte OUT form): the VMM's "nothing serves it". */
	return coco_err(-ENODEV, "port 0x%x is not an SNP model doorbell", port);
}

/* ------------------------------------------------------------------ */

static int chan_evidence_complete(void *state, struct coco_evidence *evidence)
{
	struct snp_chan *c = state;

	return snp_model_vm_add_certs(c->vm, evidence);
}

const struct coco_guest_channel snp_model_guest_channel = {
	.msrs = channel_msrs,
	.nmsrs = COCO_ARRAY_SIZE(channel_msrs),
	.open = chan_open,
	.close = chan_close,
	.vcpu_boot_state = chan_vcpu_boot_state,
	.msr = chan_msr,
	.io = chan_io,
	.evidence_complete = chan_evidence_complete,
};

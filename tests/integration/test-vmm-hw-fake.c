/* SPDX-License-Identifier: Apache-2.0 */
/*
 * coco-vmm on the hardware backends "sev-snp" and "tdx", over the fake
 * host kernel (tests/common/fake-kvm.h): the real launch path into the
 * fake KVM, then KVM_RUN returning a scripted guest's exits the way KVM
 * reports them on SNP and TDX hosts.  Checked: the run's outcome and exit
 * status, that conversions reached KVM (KVM_SET_MEMORY_ATTRIBUTES records,
 * guest_memfd hole punches, hypercall.ret answers), the console bytes, the
 * GetQuote answer in the guest's shared buffer, the other KVM_EXIT_TDX
 * answers, and that termination requests and ReportFatalError end the run
 * TERMINATED with their words.  No /dev/kvm needed: the fake stands in.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>
#include <coco/vmm.h>

#include "core/kvm-uapi.h"
#include "core/util.h"
#include "tests/common/fake-kvm.h"
#include "tests/common/test-main.h"

#define MiB (1024ull * 1024)
#define PAGE 4096ull
#define GUEST_MEMORY (32 * MiB)
#define IMAGE_GPA 0x100000ull
#define RESET_GPA 0xfffff000ull
#define TIMEOUT_MS 20000u

/* GHCI status codes as the guest would test them (tdx.md section 6, GHCI 1.5 Table 2-4 / 3-11). */
#define TDVMCALL_SUCCESS 0ull
#define TDVMCALL_INVALID_OPERAND 0x8000000000000000ull
#define TDVMCALL_SUBFUNC_UNSUPPORTED 0x8000000000000003ull
#define GET_QUOTE_SERVICE_UNAVAILABLE 0x8000000000000001ull
#define NR_GET_TD_VM_CALL_INFO 0x10000ull
#define NR_GET_QUOTE 0x10002ull
#define NR_SETUP_EVENT_NOTIFY 0x10004ull

static struct fake_kvm fake;

/* ------------------------------------------------------------------ */
/* The guest image: code at 1 MiB and the reset page (never executed)   */

static uint8_t image[3 * PAGE];
static size_t image_len;

static void craft_image(void)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)(void *)image;
	Elf64_Phdr *p = (Elf64_Phdr *)(void *)(image + sizeof(*e));
	const uint64_t gpas[2] = { IMAGE_GPA, RESET_GPA };

	memset(image, 0, sizeof(image));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = IMAGE_GPA;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = 2;
	for (unsigned int i = 0; i < 2; i++) {
		p[i].p_type = PT_LOAD;
		p[i].p_offset = PAGE * (i + 1);
		p[i].p_vaddr = p[i].p_paddr = gpas[i];
		p[i].p_filesz = p[i].p_memsz = PAGE;
		p[i].p_align = PAGE;
		memset(image + PAGE * (i + 1), 0x90, PAGE);
	}
	image_len = sizeof(image);
}

/* ------------------------------------------------------------------ */
/* Running a script                                                     */

struct run {
	int create_status;
	char create_error[512];
	struct coco_vmm_result result;
	char console[256];
	size_t console_len;
};

static void console_append(void *ctx, const char *bytes, size_t len)
{
	struct run *r = ctx;
	size_t room = sizeof(r->console) - 1 - r->console_len;

	len = len < room ? len : room;
	memcpy(r->console + r->console_len, bytes, len);
	r->console_len += len;
	r->console[r->console_len] = '\0';
}

static void install(bool tdx)
{
	memset(&fake, 0, sizeof(fake));
	if (tdx)
		fake_kvm_tdx_host(&fake.facts);
	else
		fake_kvm_snp_host(&fake.facts);
	fake_kvm_install(&fake);
}

static void uninstall(void)
{
	fake_kvm_free_records(&fake);
	fake_kvm_install(NULL);
}

static struct fake_exit *add_exit(enum fake_exit_kind kind)
{
	struct fake_exit *e;

	CU_ASSERT_FATAL(fake.nscript < FAKE_MAX_EXITS);
	e = &fake.script[fake.nscript++];
	memset(e, 0, sizeof(*e));
	e->kind = kind;
	return e;
}

static void add_map_gpa(uint64_t gpa, uint64_t npages, uint64_t attrs)
{
	struct fake_exit *e = add_exit(FAKE_EXIT_MAP_GPA);

	e->gpa = gpa;
	e->npages = npages;
	e->attrs = attrs;
}

static void add_out(uint16_t port, uint8_t size, const void *data, uint32_t count)
{
	struct fake_exit *e = add_exit(FAKE_EXIT_IO_OUT);

	e->port = port;
	e->size = size;
	e->count = count;
	memcpy(e->data, data, (size_t)size * count);
}

static void add_exit_status(uint32_t status)
{
	add_out(0xf4, 4, &status, 1);	/* COCO_GUEST_EXIT_PORT */
}

static struct fake_exit *add_tdx(uint64_t nr, uint64_t w0, uint64_t w1)
{
	struct fake_exit *e = add_exit(FAKE_EXIT_TDX);

	e->nr = nr;
	e->words[0] = w0;
	e->words[1] = w1;
	return e;
}

static void run_script(const char *backend, enum coco_vendor vendor, struct run *r)
{
	struct coco_vmm_options opts = {
		.backend = backend,
		.image = image,
		.image_len = image_len,
		.timeout_ms = TIMEOUT_MS,
		.console = console_append,
		.console_ctx = r,
	};
	struct coco_vmm *vmm = NULL;

	memset(r, 0, sizeof(*r));
	coco_vm_config_init(&opts.config, vendor);
	opts.config.memory_size = GUEST_MEMORY;
	opts.config.vcpus = 1;
	r->create_status = coco_vmm_create(&opts, &vmm);
	if (r->create_status) {
		snprintf(r->create_error, sizeof(r->create_error), "%s", coco_last_error());
		fprintf(stderr, "coco_vmm_create(%s): %s\n", backend, r->create_error);
		return;
	}
	CU_ASSERT_EQUAL(coco_vmm_run(vmm, &r->result), 0);
	if (r->result.outcome != COCO_VMM_EXITED)
		fprintf(stderr, "%s run: %s: %s\n", backend, coco_vmm_outcome_name(r->result.outcome),
			r->result.reason);
	coco_vmm_destroy(vmm);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	CU_ASSERT_EQUAL(fake.mapped, 0);
}

/* Index of the KVM_SET_MEMORY_ATTRIBUTES record of exactly this range and value after @from, or -1. */
static long find_attrs(size_t from, uint64_t gpa, uint64_t size, uint64_t attributes)
{
	for (size_t i = from; i < fake.nattrs; i++)
		if (fake.attrs[i].address == gpa && fake.attrs[i].size == size &&
		    fake.attrs[i].attributes == attributes)
			return (long)i;
	return -1;
}

/* A hole punched in the guest_memfd of the slot holding @gpa, exactly [gpa, +len). */
static bool punched(uint64_t gpa, uint64_t len)
{
	for (size_t i = 0; i < fake.nfallocs; i++)
		for (size_t r = 0; r < fake.nregions; r++) {
			const struct coco_kvm_memory_region2 *m = &fake.regions[r];

			if ((int)m->guest_memfd == fake.fallocs[i].fd && gpa >= m->guest_phys_addr &&
			    gpa - m->guest_phys_addr < m->memory_size &&
			    (uint64_t)fake.fallocs[i].offset ==
				    m->guest_memfd_offset + (gpa - m->guest_phys_addr) &&
			    (uint64_t)fake.fallocs[i].len == len)
				return true;
		}
	return false;
}

static uint64_t le(const uint8_t *p, int size)
{
	uint64_t v = 0;

	for (int i = size; i-- > 0;)
		v = v << 8 | p[i];
	return v;
}

/* ------------------------------------------------------------------ */
/* SEV-SNP                                                              */

static void test_snp_conversions_console_exit(void)
{
	struct run r;
	long at;

	install(false);
	/* PSC to shared (MSR protocol: one 4 KiB page), back to private, a 2 MiB one (512 pages). */
	add_map_gpa(0x200000, 1, 0);
	add_map_gpa(0x200000, 1, COCO_KVM_MAP_GPA_RANGE_ENCRYPTED);
	add_map_gpa(0x400000, 512, 1 /* 2 MiB */);
	/* Reserved attribute bits: refused with a guest-visible error, nothing converted. */
	add_map_gpa(0x600000, 1, 1ull << 5);
	add_out(0x3f8, 1, "hw!\n", 4);
	add_exit_status(42);
	run_script("sev-snp", COCO_VENDOR_AMD_SEV_SNP, &r);
	CU_ASSERT_EQUAL_FATAL(r.create_status, 0);

	CU_ASSERT_EQUAL(r.result.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(r.result.exit_status, 42);
	CU_ASSERT_STRING_EQUAL(r.console, "hw!\n");
	/* The in-kernel irqchip came before the vCPUs; the PSC exits were asked for. */
	CU_ASSERT(fake_kvm_find(&fake, FAKE_CREATE_IRQCHIP, 0) >= 0);
	CU_ASSERT(fake_kvm_find(&fake, FAKE_CREATE_IRQCHIP, 0) <
		  fake_kvm_find(&fake, FAKE_CREATE_VCPU, 0));
	CU_ASSERT(fake.hypercall_exit_enabled & (1ull << KVM_HC_MAP_GPA_RANGE));
	/* Every exit reached the VMM; all but the last (exit port) were answered by resuming. */
	for (size_t i = 0; i < fake.nscript; i++) {
		CU_ASSERT(fake.answers[i].delivered);
		CU_ASSERT(fake.answers[i].answered == (i + 1 < fake.nscript));
	}
	CU_ASSERT_EQUAL(fake.answers[0].ret, 0);
	CU_ASSERT_EQUAL(fake.answers[1].ret, 0);
	CU_ASSERT_EQUAL(fake.answers[2].ret, 0);
	CU_ASSERT_EQUAL(fake.answers[3].ret, (uint64_t)-EINVAL);
	/* Shared, then private again, in KVM's attributes; a 2 MiB run of 4 KiB pages. */
	at = find_attrs(0, 0x200000, PAGE, 0);
	CU_ASSERT(at >= 0);
	CU_ASSERT(find_attrs((size_t)at + 1, 0x200000, PAGE, KVM_MEMORY_ATTRIBUTE_PRIVATE) > at);
	CU_ASSERT(find_attrs(0, 0x400000, 2 * MiB, 0) >= 0);
	CU_ASSERT(find_attrs(0, 0x600000, PAGE, 0) < 0);
	/* The private copies of pages turned shared are freed. */
	CU_ASSERT(punched(0x200000, PAGE));
	CU_ASSERT(punched(0x400000, 2 * MiB));
	uninstall();
}

static void test_snp_termination_request(void)
{
	struct run r;
	struct fake_exit *e;

	install(false);
	add_out(0x3f8, 1, "x", 1);
	e = add_exit(FAKE_EXIT_SYSTEM_EVENT);
	e->event_type = KVM_SYSTEM_EVENT_SEV_TERM;
	e->ndata = 1;
	/* GHCB MSR termination request: reason set 1, reason code 0x3 (snp.md section 7). */
	e->event_data[0] = 0x100 | 1u << 12 | 0x3u << 16;
	add_exit_status(0);	/* never reached */
	run_script("sev-snp", COCO_VENDOR_AMD_SEV_SNP, &r);
	CU_ASSERT_EQUAL_FATAL(r.create_status, 0);
	CU_ASSERT_EQUAL(r.result.outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.result.reason, "reason set 1"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.result.reason, "reason code 0x3"));
	CU_ASSERT_FALSE(fake.answers[2].delivered);
	uninstall();
}

/* A kernel that cannot hand MAP_GPA_RANGE over: the guest could never convert. */
static void test_snp_without_hypercall_exits_refused(void)
{
	struct run r;

	install(false);
	fake.facts.exit_hypercall_mask = 0;
	add_exit_status(0);
	run_script("sev-snp", COCO_VENDOR_AMD_SEV_SNP, &r);
	CU_ASSERT_EQUAL(r.create_status, -ENOTSUP);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.create_error, "KVM_HC_MAP_GPA_RANGE"));
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_RUN), 0);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* ------------------------------------------------------------------ */
/* TDX                                                                  */

static void test_tdx_conversions_quote_console_exit(void)
{
	struct run r;
	const uint8_t *hdr;

	install(true);
	/* MapGPA of the quote buffer to shared (KVM passes the GPA without the shared bit). */
	add_map_gpa(0x300000, 1, 0);
	add_tdx(NR_GET_TD_VM_CALL_INFO, 1, 0);
	add_tdx(NR_GET_QUOTE, 0x300000, PAGE)->write_quote_request = true;
	add_tdx(NR_SETUP_EVENT_NOTIFY, 0x30, 0);
	/* GetQuote on a page still private: the VMM may not read it. */
	add_tdx(NR_GET_QUOTE, 0x301000, PAGE);
	/* A misaligned buffer, and a TDVMCALL KVM hands over that nobody defined. */
	add_tdx(NR_GET_QUOTE, 0x300800, PAGE);
	add_tdx(0x10099, 0, 0);
	add_out(0x3f8, 1, "td", 2);
	add_exit_status(7);
	run_script("tdx", COCO_VENDOR_INTEL_TDX, &r);
	CU_ASSERT_EQUAL_FATAL(r.create_status, 0);

	CU_ASSERT_EQUAL(r.result.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(r.result.exit_status, 7);
	CU_ASSERT_STRING_EQUAL(r.console, "td");
	CU_ASSERT(fake.split_irqchip);
	CU_ASSERT_FALSE(fake.irqchip);
	CU_ASSERT(fake.hypercall_exit_enabled & (1ull << KVM_HC_MAP_GPA_RANGE));
	for (size_t i = 0; i < fake.nscript; i++)
		CU_ASSERT(fake.answers[i].answered == (i + 1 < fake.nscript));
	/* MapGPA reached KVM. */
	CU_ASSERT_EQUAL(fake.answers[0].ret, 0);
	CU_ASSERT(find_attrs(0, 0x300000, PAGE, 0) >= 0);
	CU_ASSERT(punched(0x300000, PAGE));
	/* GetTdVmCallInfo leaf 1: GetQuote served (R11 bit 0), R12-R14 zero. */
	CU_ASSERT_EQUAL(fake.answers[1].ret, TDVMCALL_SUCCESS);
	CU_ASSERT_EQUAL(fake.answers[1].words[1], 1);
	CU_ASSERT_EQUAL(fake.answers[1].words[2] | fake.answers[1].words[3] |
				fake.answers[1].words[4], 0);
	/* GetQuote: the TDVMCALL succeeds and the buffer says no quote service, not IN_FLIGHT. */
	CU_ASSERT(fake.answers[2].quote_request_written);
	CU_ASSERT_EQUAL(fake.answers[2].ret, TDVMCALL_SUCCESS);
	hdr = fake.answers[2].quote_header;
	CU_ASSERT_EQUAL(le(hdr, 8), 1);				/* version kept */
	CU_ASSERT_EQUAL(le(hdr + 8, 8), GET_QUOTE_SERVICE_UNAVAILABLE);
	CU_ASSERT_EQUAL(le(hdr + 16, 4), 1024);			/* in_len kept */
	CU_ASSERT_EQUAL(le(hdr + 20, 4), 0);			/* no quote */
	CU_ASSERT_EQUAL(fake.answers[3].ret, TDVMCALL_SUBFUNC_UNSUPPORTED);
	CU_ASSERT_FALSE(fake.answers[4].quote_request_written);
	CU_ASSERT_EQUAL(fake.answers[4].ret, TDVMCALL_INVALID_OPERAND);
	CU_ASSERT_EQUAL(fake.answers[5].ret, 0x8000000000000002ull);	/* ALIGN_ERROR */
	CU_ASSERT_EQUAL(fake.answers[6].ret, TDVMCALL_SUBFUNC_UNSUPPORTED);
	uninstall();
}

static void test_tdx_report_fatal_error(void)
{
	struct run r;
	struct fake_exit *e;
	const char message[16] = "boom at stage 3";

	install(true);
	e = add_exit(FAKE_EXIT_SYSTEM_EVENT);
	e->event_type = KVM_SYSTEM_EVENT_TDX_FATAL;
	e->ndata = 16;
	/*
	 * KVM's order RAX..R15: RCX the guest's register mask (R10-R15 exposed), R10 0, R11
	 * the leaf, R12 the error code, message from R14 on.
	 */
	e->event_data[1] = 0xfc00;
	e->event_data[11] = 0x10003;
	e->event_data[12] = 0x1234;
	memcpy(&e->event_data[14], message, 8);
	memcpy(&e->event_data[15], message + 8, 8);
	add_exit_status(0);	/* never reached */
	run_script("tdx", COCO_VENDOR_INTEL_TDX, &r);
	CU_ASSERT_EQUAL_FATAL(r.create_status, 0);
	CU_ASSERT_EQUAL(r.result.outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.result.reason, "error code 0x1234"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.result.reason, "\"boom at stage 3\""));
	CU_ASSERT_FALSE(fake.answers[1].delivered);
	uninstall();
}

/* A run that goes wrong in the fake guest ends FAILED with KVM's words, not a hang. */
static void test_tdx_shutdown_fails_run(void)
{
	struct run r;

	install(true);
	add_out(0x3f8, 1, "a", 1);	/* then the script ends: KVM_EXIT_SHUTDOWN */
	run_script("tdx", COCO_VENDOR_INTEL_TDX, &r);
	CU_ASSERT_EQUAL_FATAL(r.create_status, 0);
	CU_ASSERT_EQUAL(r.result.outcome, COCO_VMM_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.result.reason, "shut down"));
	CU_ASSERT_STRING_EQUAL(r.console, "a");
	uninstall();
}

int main(void)
{
	static CU_TestInfo snp_tests[] = {
		{ "conversions, console, exit status", test_snp_conversions_console_exit },
		{ "GHCB termination request ends TERMINATED", test_snp_termination_request },
		{ "no MAP_GPA_RANGE exits: create refused", test_snp_without_hypercall_exits_refused },
		CU_TEST_INFO_NULL,
	};
	static CU_TestInfo tdx_tests[] = {
		{ "MapGPA, KVM_EXIT_TDX answers, console, exit",
		  test_tdx_conversions_quote_console_exit },
		{ "ReportFatalError ends TERMINATED", test_tdx_report_fatal_error },
		{ "a shutdown fails the run", test_tdx_shutdown_fails_run },
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{ "coco-vmm on sev-snp (fake kernel)", NULL, NULL, NULL, NULL, snp_tests },
		{ "coco-vmm on tdx (fake kernel)", NULL, NULL, NULL, NULL, tdx_tests },
		CU_SUITE_INFO_NULL,
	};

	craft_image();
	return coco_test_run(suites);
}

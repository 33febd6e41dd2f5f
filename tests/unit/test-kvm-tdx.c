/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the TDX hardware path (tdx/hw-probe.c, kvm-host.c, kvm-tdx.c)
 * against a fake TDX host kernel installed through the KVM seam
 * (tests/common/fake-kvm.h): the probe, check by check with its
 * remediation; the host and KVM_TDX_CAPABILITIES (with the -E2BIG retry);
 * the KVM launch sink step by step on a VM of the "tdx" backend, with the
 * fake's MRTD checked against the spec's vectors; the error paths, each naming the TDX module status; and a
 * whole launch of the synthetic TDVF image through the public API
 * (coco_host_open("tdx"), coco_vm_launch_plan), whose MRTD in the fake
 * module must equal the vector file's and the dry run's.  Also the probe
 * against this machine's real kernel.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coco/coco.h>

#include "backends/backend.h"
#include "core/kvm.h"
#include "core/util.h"
#include "tdx/kvm-tdx.h"
#include "tests/common/fake-kvm.h"
#include "tests/common/probe-asserts.h"
#include "tests/common/tdx-vectors.h"
#include "tests/common/test-main.h"

#define MiB (1024ull * 1024)
#define PAGE 4096u

static struct fake_kvm fake;

static void install_tdx_host(void)
{
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake_kvm_install(&fake);
}

static void uninstall(void)
{
	fake_kvm_free_records(&fake);
	fake_kvm_install(NULL);
}

static void hex(char *out, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", p[i]);
}

/* ------------------------------------------------------------------ */
/* Probe                                                                */

/* The registered backend's probe, as coco_backend_probe runs it. */
static void run_probe(struct coco_probe_result *r)
{
	probe_backend("tdx", COCO_VENDOR_INTEL_TDX, r);
}

static const char *const probe_names[] = {
	"/dev/kvm", "KVM API version", "Intel CPU", "kvm_intel tdx", "KVM TDX VM type",
	"guest_memfd", "private memory attributes",
};

static void test_probe_passes_on_tdx_host(void)
{
	struct coco_probe_result r;

	install_tdx_host();
	run_probe(&r);
	assert_probe_all_pass(&r, probe_names, COCO_ARRAY_SIZE(probe_names));
	ASSERT_CONTAINS(find_check(&r, "KVM TDX VM type")->detail, "KVM_X86_TDX_VM (5) offered");
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void no_dev_kvm(struct fake_kvm_facts *f) { f->dev_kvm_errno = ENOENT; }
static void dev_kvm_denied(struct fake_kvm_facts *f) { f->dev_kvm_errno = EACCES; }
static void api_11(struct fake_kvm_facts *f) { f->api_version = 11; }
static void amd_cpu(struct fake_kvm_facts *f) { snprintf(f->cpu_vendor, 13, "AuthenticAMD"); }
static void tdx_n(struct fake_kvm_facts *f) { f->kvm_intel_tdx = "N\n"; }
static void no_tdx_param(struct fake_kvm_facts *f) { f->kvm_intel_tdx = NULL; }
static void no_vm_types(struct fake_kvm_facts *f) { f->vm_types = 0; }
static void no_tdx_type(struct fake_kvm_facts *f) { f->vm_types = 0x3; }
static void no_guest_memfd(struct fake_kvm_facts *f) { f->guest_memfd = 0; }
static void no_memory2(struct fake_kvm_facts *f) { f->user_memory2 = 0; }
static void no_private_attr(struct fake_kvm_facts *f) { f->memory_attributes = 0; }

static const struct probe_case probe_cases[] = {
	{ "no /dev/kvm", no_dev_kvm, "/dev/kvm", "No such file", "modprobe kvm_intel tdx=1" },
	{ "/dev/kvm denied", dev_kvm_denied, "/dev/kvm", "Permission denied", "run as root" },
	{ "KVM API 11", api_11, "KVM API version", "API 11", "API 12" },
	{ "AMD CPU", amd_cpu, "Intel CPU", "AuthenticAMD", "Intel Xeon with TDX" },
	{ "tdx=N", tdx_n, "kvm_intel tdx", "tdx = N", "kvm.enable_virt_at_load=1" },
	{ "no tdx parameter", no_tdx_param, "kvm_intel tdx", "no tdx parameter", "Linux 6.16" },
	{ "no VM types", no_vm_types, "KVM TDX VM type", "no KVM_CAP_VM_TYPES", "Linux 6.16" },
	{ "no TDX VM type", no_tdx_type, "KVM TDX VM type", "KVM_X86_TDX_VM (5) not offered",
	  "load kvm_intel with tdx=1 (needs kvm.enable_virt_at_load=1 and a BIOS-enabled TDX "
	  "module" },
	{ "no guest_memfd", no_guest_memfd, "guest_memfd", "KVM_CAP_GUEST_MEMFD", "Linux 6.8" },
	{ "no memslots with guest_memfd", no_memory2, "guest_memfd", "KVM_CAP_USER_MEMORY2",
	  "Linux 6.8" },
	{ "no private attribute", no_private_attr, "private memory attributes",
	  "KVM_CAP_MEMORY_ATTRIBUTES(PRIVATE)", "CONFIG_KVM_GENERIC_MEMORY_ATTRIBUTES" },
};

static void test_probe_each_fact(void)
{
	run_probe_cases(&fake, fake_kvm_tdx_host, "tdx", COCO_VENDOR_INTEL_TDX, probe_cases,
			COCO_ARRAY_SIZE(probe_cases));
}

static void test_probe_without_kvm_checks_the_rest(void)
{
	struct coco_probe_result r;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.facts.dev_kvm_errno = ENOENT;
	fake_kvm_install(&fake);
	run_probe(&r);
	ASSERT_CONTAINS(find_check(&r, "KVM TDX VM type")->remediation, "/dev/kvm check first");
	ASSERT_CONTAINS(find_check(&r, "private memory attributes")->remediation,
			"/dev/kvm check first");
	CU_ASSERT_TRUE(find_check(&r, "kvm_intel tdx")->passed);
	CU_ASSERT_TRUE(find_check(&r, "Intel CPU")->passed);
	uninstall();
}

/* This machine's kernel, no fake: no development machine is a TDX host. */
static void test_probe_real_kernel(void)
{
	struct coco_probe_result r;

	run_probe(&r);
	CU_ASSERT_EQUAL(r.nchecks, COCO_ARRAY_SIZE(probe_names));
	if (access(TDX_KVM_INTEL_PARAM_PATH, F_OK) != 0) {
		CU_ASSERT_FALSE(r.available);
		CU_ASSERT_FALSE(find_check(&r, "kvm_intel tdx")->passed);
	}
	for (unsigned int i = 0; i < r.nchecks; i++) {
		const struct coco_probe_check *c = &r.checks[i];
		CU_ASSERT(c->detail[0] != '\0');
		CU_ASSERT_EQUAL(c->passed, c->remediation[0] == '\0');
		printf("\n    %-26s %s: %s%s%s", c->name, c->passed ? "ok  " : "FAIL", c->detail,
		       c->passed ? "" : " -> ", c->remediation);
	}
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* Host                                                                 */

static void test_host_open_and_caps(void)
{
	struct tdx_kvm_host *h = NULL;
	struct coco_caps caps;
	bool saw_attrs = false, saw_keyids = false;

	install_tdx_host();
	CU_ASSERT_EQUAL_FATAL(tdx_kvm_host_open(&h), 0);
	CU_ASSERT_EQUAL(h->dev.vcpu_mmap_size, 3 * 4096);
	CU_ASSERT_EQUAL(h->caps->supported_attrs, fake.facts.tdx_supported_attrs);
	CU_ASSERT_EQUAL(h->caps->cpuid_nent, 12);
	CU_ASSERT_EQUAL(h->caps->cpuid_entries[11].function, 0x80000008u);
	CU_ASSERT_EQUAL(h->keyids, 48);
	/* The scratch TD that answered is gone again. */
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_CREATE_VM), 1);
	CU_ASSERT_EQUAL(fake.open_fds, 1);
	memset(&caps, 0, sizeof(caps));
	CU_ASSERT_EQUAL(tdx_kvm_host_caps(h, &caps), 0);
	CU_ASSERT_EQUAL(caps.max_guests, 48);
	CU_ASSERT_EQUAL(caps.measurement_size, 48);
	CU_ASSERT_EQUAL(caps.page_types, TDX_LAUNCH_PAGE_TYPES);
	for (unsigned int i = 0; i < caps.ndetails; i++) {
		CU_ASSERT_EQUAL(strncmp(caps.details[i].key, "tdx.", 4), 0);
		if (!strcmp(caps.details[i].key, "tdx.supported_attributes")) {
			CU_ASSERT_STRING_EQUAL(caps.details[i].value, "0x0000000010000001");
			saw_attrs = true;
		}
		if (!strcmp(caps.details[i].key, "tdx.guest_keyids")) {
			CU_ASSERT_STRING_EQUAL(caps.details[i].value, "48");
			saw_keyids = true;
		}
	}
	CU_ASSERT_TRUE(saw_attrs && saw_keyids);
	tdx_kvm_host_close(h);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* More configurable leaves than the first guess: -E2BIG, then room for them. */
static void test_capabilities_e2big_retry(void)
{
	struct tdx_kvm_host *h = NULL;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	for (uint32_t i = 12; i < 20; i++)
		fake.facts.tdx_cpuid_configs[i] = (struct kvm_cpuid_entry2){ .function = 0x40 + i };
	fake.facts.tdx_ncpuid_configs = 20;
	fake_kvm_install(&fake);
	CU_ASSERT_EQUAL_FATAL(tdx_kvm_host_open(&h), 0);
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_TDX_CAPABILITIES), 2);
	CU_ASSERT_EQUAL(h->caps->cpuid_nent, 20);
	CU_ASSERT_EQUAL(h->caps->cpuid_entries[19].function, 0x40 + 19);
	tdx_kvm_host_close(h);
	uninstall();

	/* A module with more leaves than KVM_MAX_CPUID_ENTRIES: said plainly, not looped. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.facts.tdx_ncpuid_configs = 300;	/* the fake copies none: it refuses first */
	fake_kvm_install(&fake);
	CU_ASSERT_EQUAL(tdx_kvm_host_open(&h), -E2BIG);
	ASSERT_CONTAINS(coco_last_error(), "KVM_TDX_CAPABILITIES");
	ASSERT_CONTAINS(coco_last_error(), "KVM_MAX_CPUID_ENTRIES");
	CU_ASSERT(fake_kvm_count(&fake, FAKE_TDX_CAPABILITIES) <= 6);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void test_host_open_refuses_without_tdx_type(void)
{
	struct tdx_kvm_host *h = NULL;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.facts.vm_types = 0x3;
	fake_kvm_install(&fake);
	CU_ASSERT_EQUAL(tdx_kvm_host_open(&h), -ENODEV);
	ASSERT_CONTAINS(coco_last_error(), "without KVM_X86_TDX_VM (5)");
	ASSERT_CONTAINS(coco_last_error(), "tdx=1");
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* ------------------------------------------------------------------ */
/* The launch sink on a VM of a backend that drives it directly         */

static struct coco_host *sink_host;

static void td_config(struct tdx_td_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->attributes = 1ull << 28;	/* SEPT_VE_DISABLE */
	cfg->xfam = 0x61ae7;
	cfg->max_vcpus = 2;
	memset(cfg->mrconfigid, 0xC5, sizeof(cfg->mrconfigid));
	memset(cfg->mrowner, 0x0E, sizeof(cfg->mrowner));
	memset(cfg->mrownerconfig, 0x77, sizeof(cfg->mrownerconfig));
}

/* A TD of 4 MiB with 2 vCPUs of the "tdx" backend on the installed fake, not launched. */
static struct coco_vm *sink_vm(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;

	if (coco_host_open("tdx", NULL, &sink_host))
		return NULL;
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.name = "tdx-sink-test";
	c.memory_size = 4 * MiB;
	c.vcpus = 2;
	if (coco_vm_create(sink_host, &c, &vm)) {
		coco_host_close(sink_host);
		return NULL;
	}
	CU_ASSERT_PTR_EQUAL(tdx_vm_of(vm)->sink, &tdx_kvm_sink);
	return vm;
}

static void sink_vm_free(struct coco_vm *vm)
{
	coco_vm_destroy(vm);
	coco_host_close(sink_host);
}

static const struct tdx_launch_sink_ops *sink = &tdx_kvm_sink;

/* Order of the first call of each kind, from the fake's log. */
static long first(enum fake_call kind)
{
	return fake_kvm_find(&fake, kind, 0);
}

static void test_sink_whole_launch(void)
{
	struct tdx_td_config cfg;
	struct coco_measurement m = { 0 };
	uint8_t *pages = calloc(3, PAGE);
	struct coco_vm *vm;
	char got[97];

	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	/* VM settings before vCPUs: split irqchip, 25 MHz APIC bus. */
	CU_ASSERT_EQUAL(fake.create_vm_type, KVM_X86_TDX_VM);
	CU_ASSERT_TRUE(fake.split_irqchip);
	CU_ASSERT_EQUAL(fake.apic_bus_cycle_ns, 40);
	td_config(&cfg);
	cfg.tsc_khz = 2000000;
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL(fake.max_vcpus, 2);
	CU_ASSERT_EQUAL(fake.tsc_khz, 2000000);
	CU_ASSERT_TRUE(fake.tdx_initialized);
	CU_ASSERT_EQUAL(fake.tdx_init.attributes, cfg.attributes);
	CU_ASSERT_EQUAL(fake.tdx_init.xfam, cfg.xfam);
	CU_ASSERT_EQUAL(memcmp(fake.tdx_init.mrconfigid, cfg.mrconfigid, 48), 0);
	CU_ASSERT_EQUAL(memcmp(fake.tdx_init.mrowner, cfg.mrowner, 48), 0);
	CU_ASSERT_EQUAL(memcmp(fake.tdx_init.mrownerconfig, cfg.mrownerconfig, 48), 0);
	/* The CPUID sent: the module's leaves plus nothing else, with a 48-bit guest. */
	CU_ASSERT_EQUAL(fake.tdx_init_ncpuid, fake.facts.tdx_ncpuid_configs);
	CU_ASSERT_EQUAL(fake.tdx_init_cpuid[11].eax >> 16 & 0xff, 48);
	CU_ASSERT_EQUAL(fake.nvcpus, 2);
	CU_ASSERT_TRUE(fake.vcpus[0].tdx_initialized && fake.vcpus[1].tdx_initialized);
	/* Order: INIT_VM, then each vCPU with its CPUID before KVM_TDX_INIT_VCPU. */
	CU_ASSERT(first(FAKE_ENABLE_CAP) < first(FAKE_TDX_INIT_VM));
	CU_ASSERT(first(FAKE_SET_TSC_KHZ) < first(FAKE_TDX_INIT_VM));
	CU_ASSERT(first(FAKE_TDX_INIT_VM) < first(FAKE_CREATE_VCPU));
	CU_ASSERT(first(FAKE_SET_CPUID2) < first(FAKE_TDX_INIT_VCPU));

	/* Two measured pages and one added unmeasured, as the walker hands them. */
	for (unsigned int i = 0; i < 2 * PAGE; i++)
		pages[i] = (uint8_t)(7 * i + 3);
	CU_ASSERT_EQUAL_FATAL(sink->add_pages(vm, 0x100000, pages, 2, true), 0);
	CU_ASSERT_EQUAL_FATAL(sink->add_pages(vm, 0x200000, pages + 2 * PAGE, 1, false), 0);
	CU_ASSERT_EQUAL(fake.ntdx_mems, 2);
	CU_ASSERT_EQUAL(fake.tdx_mems[0].flags, KVM_TDX_MEASURE_MEMORY_REGION);
	CU_ASSERT_EQUAL(fake.tdx_mems[0].sent.gpa, 0x100000);
	CU_ASSERT_EQUAL(fake.tdx_mems[0].sent.nr_pages, 2);
	CU_ASSERT_EQUAL(fake.tdx_mems[1].flags, 0);
	CU_ASSERT_EQUAL(fake.npopulated, 3);
	CU_ASSERT_TRUE(fake.populated_measured[0] && fake.populated_measured[1]);
	CU_ASSERT_FALSE(fake.populated_measured[2]);
	CU_ASSERT(first(FAKE_SET_MEMORY_ATTRIBUTES) < first(FAKE_TDX_INIT_MEM_REGION));
	CU_ASSERT_EQUAL(sink->finish(vm, &m), 0);
	CU_ASSERT_TRUE(fake.tdx_finalized);
	/* The hardware keeps MRTD to itself: nothing comes back. */
	CU_ASSERT_EQUAL(m.size, 0);
	hex(got, fake.mrtd, 48);
	CU_ASSERT(strspn(got, "0") != 96);
	sink_vm_free(vm);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	CU_ASSERT_EQUAL(fake.mapped, 0);
	free(pages);
	uninstall();
}

/*
 * tdx.md 4.3 vector V3: PAGE.ADD at 0x1000 + 16 MR.EXTEND of a zero page.
 * The fake computes MRTD itself; through the sink it must come out as the
 * spec's, which checks both the sink's measure flag and the fake.
 */
static void test_sink_mrtd_vector(void)
{
	static const uint8_t zero[PAGE];
	struct tdx_td_config cfg;
	struct coco_measurement m = { 0 };
	struct coco_vm *vm;
	char got[97];

	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL_FATAL(sink->add_pages(vm, 0x1000, zero, 1, true), 0);
	CU_ASSERT_EQUAL_FATAL(sink->finish(vm, &m), 0);
	hex(got, fake.mrtd, 48);
	CU_ASSERT_STRING_EQUAL(got, "ca76d5541328afef8bc9364261c515aebef90412ebc56ca0c2260ec531a1"
				    "4462cfc0c11de61d84292ddf8ca871da1ff1");
	sink_vm_free(vm);
	uninstall();

	/* V1: one PAGE.ADD at GPA 0, unmeasured contents. */
	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL_FATAL(sink->add_pages(vm, 0, zero, 1, false), 0);
	CU_ASSERT_EQUAL_FATAL(sink->finish(vm, &m), 0);
	hex(got, fake.mrtd, 48);
	CU_ASSERT_STRING_EQUAL(got, "8f3e9a8aca6784eab874f7aa4dda5d49104a88047f1f86695ef2a88f5691"
				    "a90e34aac48ce45ffa1f5a23c7d62980d570");
	sink_vm_free(vm);
	uninstall();
}

/* KVM adds a few pages, is interrupted, and is called again for the rest. */
static void test_sink_mem_region_interrupted(void)
{
	static uint8_t pages[8 * PAGE];
	struct tdx_td_config cfg;
	struct coco_vm *vm;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.faults.tdx_mem_chunk_pages = 3;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	memset(pages, 0xA5, sizeof(pages));
	CU_ASSERT_EQUAL(sink->add_pages(vm, 0x10000, pages, 8, true), 0);
	/* 3 + 3 + 2 pages, each call continuing where KVM left off. */
	CU_ASSERT_EQUAL(fake.ntdx_mems, 3);
	CU_ASSERT_EQUAL(fake.tdx_mems[1].sent.gpa, 0x10000 + 3 * PAGE);
	CU_ASSERT_EQUAL(fake.tdx_mems[2].sent.nr_pages, 2);
	CU_ASSERT_EQUAL(fake.npopulated, 8);
	sink_vm_free(vm);
	uninstall();
}

static void test_sink_init_vm_errors(void)
{
	struct tdx_td_config cfg;
	struct coco_vm *vm;

	/* The TDX module's TDX_OPERAND_INVALID on CPUID_CONFIG (operand 69). */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.faults.tdx_init_vm_errno = EINVAL;
	fake.faults.tdx_init_vm_hw_error = 0xC000010000000045ull;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL(sink->start(vm, &cfg), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "KVM_TDX_INIT_VM (attributes 0x10000000, xfam 0x61ae7)");
	ASSERT_CONTAINS(coco_last_error(), "TDX module status TDX_OPERAND_INVALID "
					   "0xc000010000000045 (operand CPUID_CONFIG (69))");
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_CREATE_VCPU), 0);
	sink_vm_free(vm);
	uninstall();

	/* -EBUSY: a vCPU exists already (KVM says nothing else). */
	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	fake.tdx_initialized = true;	/* lets the fake create a vCPU ahead of INIT_VM */
	CU_ASSERT(coco_kvm_ioctl(((struct tdx_kvm_vm *)tdx_vm_of(vm)->backend)->kvm.vm_fd,
				 KVM_CREATE_VCPU, (void *)0) >= 0);
	fake.tdx_initialized = false;
	cfg.max_vcpus = 0;	/* KVM_CAP_MAX_VCPUS would be refused first */
	CU_ASSERT_EQUAL(sink->start(vm, &cfg), -EBUSY);
	ASSERT_CONTAINS(coco_last_error(), "no TDX module status: KVM refused the call");
	ASSERT_CONTAINS(coco_last_error(), "before any vCPU is created");
	sink_vm_free(vm);
	uninstall();

	/* What KVM would refuse with a bare -EINVAL is refused before asking it. */
	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	cfg.attributes |= 1ull << 31;	/* KL */
	CU_ASSERT_EQUAL(sink->start(vm, &cfg), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "ask for 0x80000000, which this KVM and TDX module do "
					   "not offer");
	td_config(&cfg);
	cfg.xfam |= 0x18;	/* MPX */
	CU_ASSERT_EQUAL(sink->start(vm, &cfg), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "XFAM 0x61aff ask for 0x18");
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_TDX_INIT_VM), 0);
	sink_vm_free(vm);
	uninstall();
}

static void test_sink_mem_region_errors(void)
{
	static uint8_t page[PAGE];
	struct tdx_td_config cfg;
	struct coco_vm *vm;

	/* Adding pages before the vCPUs exist: refused before KVM. */
	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink->add_pages(vm, 0x1000, page, 1, true), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "no initialised vCPU");
	sink_vm_free(vm);
	uninstall();

	/* The TDX module fails TDH.MEM.PAGE.ADD: KVM says -EIO with the status. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.faults.tdx_mem_fail_call = 2;
	fake.faults.tdx_mem_fail_errno = EIO;
	fake.faults.tdx_mem_fail_hw_error = 0xC0000B0100000000ull;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL(sink->add_pages(vm, 0x1000, page, 1, true), 0);
	CU_ASSERT_EQUAL(sink->add_pages(vm, 0x5000, page, 1, false), -EIO);
	ASSERT_CONTAINS(coco_last_error(), "KVM_TDX_INIT_MEM_REGION (GPA 0x5000, 1 pages, not "
					   "measured)");
	ASSERT_CONTAINS(coco_last_error(), "TDX module status TDX_EPT_ENTRY_FREE 0xc0000b0100000000");
	/* The same page again: KVM refuses a page added before. */
	CU_ASSERT_EQUAL(sink->add_pages(vm, 0x1000, page, 1, true), -EEXIST);
	sink_vm_free(vm);
	uninstall();

	/* A page outside guest memory. */
	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL(sink->add_pages(vm, 64 * MiB, page, 1, true), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "not in a guest memory slot");
	sink_vm_free(vm);
	uninstall();
}

static void test_sink_finalize(void)
{
	static uint8_t page[PAGE];
	struct tdx_td_config cfg;
	struct coco_measurement m = { 0 };
	struct coco_vm *vm;

	/* TDX_OPERAND_BUSY twice (-EAGAIN), then done. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.faults.tdx_finalize_busy = 2;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	td_config(&cfg);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL_FATAL(sink->add_pages(vm, 0, page, 1, true), 0);
	CU_ASSERT_EQUAL(sink->finish(vm, &m), 0);
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_TDX_FINALIZE_VM), 3);
	CU_ASSERT_TRUE(fake.tdx_finalized);
	/* Finalised: no more pages, and no second finalisation. */
	CU_ASSERT_NOT_EQUAL(sink->add_pages(vm, 0x1000, page, 1, true), 0);
	CU_ASSERT_EQUAL(sink->finish(vm, &m), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "KVM_TDX_FINALIZE_VM");
	ASSERT_CONTAINS(coco_last_error(), "not finalised already");
	sink_vm_free(vm);
	uninstall();

	/* TDH.MR.FINALIZE fails: KVM says -EIO, the status tells which way. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.faults.tdx_finalize_errno = EIO;
	fake.faults.tdx_finalize_hw_error = 0xC000060800000000ull;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL_FATAL(sink->start(vm, &cfg), 0);
	CU_ASSERT_EQUAL(sink->finish(vm, &m), -EIO);
	ASSERT_CONTAINS(coco_last_error(), "KVM_TDX_FINALIZE_VM: Input/output error (errno 5); "
					   "TDX module status TDX_OP_STATE_INCORRECT 0xc000060800000000");
	sink_vm_free(vm);
	uninstall();
}

/* Conversions after the launch: attributes, and punched private pages when shared. */
static void test_sink_convert(void)
{
	struct coco_vm *vm;

	install_tdx_host();
	vm = sink_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	fake.nfallocs = 0;
	CU_ASSERT_EQUAL(tdx_kvm_mem_convert(vm, 0x200000, 0x2000, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(fake.attrs[fake.nattrs - 1].attributes, 0);
	CU_ASSERT_EQUAL(fake.nfallocs, 1);
	CU_ASSERT_EQUAL(tdx_kvm_mem_convert(vm, 0x200000, 0x2000, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(fake.attrs[fake.nattrs - 1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	sink_vm_free(vm);
	uninstall();
}

static void test_vm_create_errors(void)
{
	struct coco_vm *vm;

	/* A KVM without KVM_CAP_X86_APIC_BUS_CYCLES_NS cannot give a TD its 25 MHz APIC. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.facts.apic_bus_cycles_cap = false;
	fake_kvm_install(&fake);
	vm = sink_vm();
	CU_ASSERT_PTR_NULL(vm);
	ASSERT_CONTAINS(coco_last_error(), "KVM_CAP_X86_APIC_BUS_CYCLES_NS (237)");
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* ------------------------------------------------------------------ */
/* The "tdx" backend through the public API                             */

static void test_public_api_launch(void)
{
	char path[4096];
	struct coco_firmware_spec spec = { .vcpus = 2 };
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement expected;
	struct coco_vm_config c;
	struct coco_host *host = NULL;
	struct coco_vm *vm = NULL;
	struct coco_evidence *ev = NULL;
	uint8_t vector[48], report_data[64] = { 0 };
	size_t measured = 0;

	snprintf(path, sizeof(path), "%s", coco_test_vector("tdx/measure/synthetic_tdvf.bin"));
	spec.firmware_path = path;
	CU_ASSERT_FATAL(tdx_vector_get("MRTD (tools/tdx_mrtd.py)", ":", vector));
	install_tdx_host();
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.name = "public-api";
	c.memory_size = 16 * MiB;
	c.vcpus = 2;
	CU_ASSERT_EQUAL_FATAL(coco_plan_from_firmware("tdx", &spec, &c, &plan), 0);
	CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("tdx", &c, plan, &expected), 0);

	CU_ASSERT_EQUAL_FATAL(coco_host_open("tdx", NULL, &host), 0);
	CU_ASSERT_STRING_EQUAL(coco_host_backend(host), "tdx");
	CU_ASSERT_TRUE(coco_host_is_hardware(host));
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(host, &c, &vm), 0);
	CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), 0);
	if (coco_vm_get_state(vm) != COCO_VM_LAUNCHED)
		fprintf(stderr, "\n  launch failed: %s\n", coco_last_error());
	CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHED);

	/* The module's MRTD of what reached KVM: the vector file's, and the dry run's. */
	CU_ASSERT_TRUE(fake.tdx_finalized);
	CU_ASSERT_EQUAL(memcmp(fake.mrtd, vector, 48), 0);
	CU_ASSERT_EQUAL(expected.size, 48);
	CU_ASSERT_EQUAL(memcmp(fake.mrtd, expected.value, 48), 0);
	/* BFV (2 pages) measured; CFV, TEMP_MEM, TD_HOB added only; PAGE_AUG memory not at all. */
	CU_ASSERT_EQUAL(fake.npopulated, 6);
	for (size_t i = 0; i < fake.npopulated; i++)
		measured += fake.populated_measured[i];
	CU_ASSERT_EQUAL(measured, 2);
	CU_ASSERT_EQUAL(fake.nvcpus, 2);
	CU_ASSERT_EQUAL(fake.tdx_init.attributes, COCO_TDX_ATTR_DEFAULT);
	CU_ASSERT_EQUAL(fake.tdx_init.xfam, COCO_TDX_XFAM_DEFAULT);

	/* Hardware evidence comes from inside the TD. */
	CU_ASSERT_EQUAL(coco_vm_get_evidence(vm, report_data, &ev), -ENOTSUP);
	coco_vm_destroy(vm);
	coco_host_close(host);
	coco_plan_free(plan);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	CU_ASSERT_EQUAL(fake.mapped, 0);
	uninstall();
}

/* "auto" takes the hardware backend when its probe passes, the model otherwise. */
static void test_selection(void)
{
	struct coco_probe_result r;
	struct coco_host *host = NULL;

	install_tdx_host();
	memset(&r, 0, sizeof(r));
	CU_ASSERT_EQUAL(coco_backend_probe("tdx", &r), 0);
	CU_ASSERT_TRUE(r.available);
	CU_ASSERT_TRUE(r.hardware);
	CU_ASSERT_EQUAL(r.vendor, COCO_VENDOR_INTEL_TDX);
	CU_ASSERT_EQUAL_FATAL(coco_host_open("auto", NULL, &host), 0);
	CU_ASSERT_STRING_EQUAL(coco_host_backend(host), "tdx");
	coco_host_close(host);
	uninstall();

	memset(&fake, 0, sizeof(fake));
	fake_kvm_tdx_host(&fake.facts);
	fake.facts.kvm_intel_tdx = "N\n";
	fake_kvm_install(&fake);
	CU_ASSERT_NOT_EQUAL(coco_host_open("tdx", NULL, &host), 0);
	ASSERT_CONTAINS(coco_last_error(), "kvm_intel tdx");
	uninstall();
}

static CU_TestInfo probe_tests[] = {
	{ "passes on a TDX host", test_probe_passes_on_tdx_host },
	{ "each missing fact fails its check", test_probe_each_fact },
	{ "without /dev/kvm the rest is still checked", test_probe_without_kvm_checks_the_rest },
	{ "this machine's kernel", test_probe_real_kernel },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo host_tests[] = {
	{ "open and caps", test_host_open_and_caps },
	{ "KVM_TDX_CAPABILITIES -E2BIG retry", test_capabilities_e2big_retry },
	{ "refused without the TDX VM type", test_host_open_refuses_without_tdx_type },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo sink_tests[] = {
	{ "whole launch, order and structures", test_sink_whole_launch },
	{ "MRTD of the spec's vectors", test_sink_mrtd_vector },
	{ "INIT_MEM_REGION interrupted and continued", test_sink_mem_region_interrupted },
	{ "INIT_VM errors", test_sink_init_vm_errors },
	{ "INIT_MEM_REGION errors", test_sink_mem_region_errors },
	{ "FINALIZE_VM busy and errors", test_sink_finalize },
	{ "conversions", test_sink_convert },
	{ "VM creation errors", test_vm_create_errors },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo api_tests[] = {
	{ "whole launch of a TDVF image", test_public_api_launch },
	{ "selection", test_selection },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "tdx-probe", NULL, NULL, NULL, NULL, probe_tests },
	{ "tdx-host", NULL, NULL, NULL, NULL, host_tests },
	{ "tdx-kvm-sink", NULL, NULL, NULL, NULL, sink_tests },
	{ "tdx-public-api", NULL, NULL, NULL, NULL, api_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return coco_test_run(suites);
}

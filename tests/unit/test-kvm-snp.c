/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the SEV-SNP hardware backend "sev-snp" (sev-snp/kvm-*.c,
 * hw-probe.c, sev-dev.c, backend-hw.c) against a fake SNP host kernel
 * installed through the KVM seam (tests/common/fake-kvm.h): the probe,
 * the host, the KVM launch sink step by step, and whole launches through
 * the public API (coco_host_open("sev-snp"), coco_vm_create,
 * coco_vm_launch_plan) whose firmware digest must equal sev-snp-measure's
 * published one.  Also the probe against this machine's real kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coco/coco.h>

#include "backends/backend.h"
#include "core/kvm.h"
#include "core/util.h"
#include "memory/guest-mem.h"
#include "sev-snp/kvm-snp.h"
#include "sev-snp/launch-digest.h"
#include "sev-snp/snp-defs.h"
#include "tests/common/fake-kvm.h"
#include "tests/common/probe-asserts.h"
#include "tests/common/test-main.h"

#define MiB (1024ull * 1024)
#define PAGE 4096u
#define VMSA_RMP_GPA 0xFFFFFFFFF000ull

static struct fake_kvm fake;

static void install_snp_host(void)
{
	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake_kvm_install(&fake);
}

static void uninstall(void)
{
	fake_kvm_free_records(&fake);
	fake_kvm_install(NULL);
}

/* ------------------------------------------------------------------ */
/* Probe                                                                */

/* The registered backend's probe, as coco_backend_probe runs it. */
static void run_probe(struct coco_probe_result *r)
{
	probe_backend("sev-snp", COCO_VENDOR_AMD_SEV_SNP, r);
}

static void test_probe_passes_on_snp_host(void)
{
	struct coco_probe_result r;
	static const char *const names[] = {
		"/dev/kvm", "KVM API version", "AMD SEV-SNP CPU", "kvm_amd sev_snp",
		"KVM SNP VM type", "guest_memfd", "/dev/sev", "SNP firmware",
	};

	install_snp_host();
	run_probe(&r);
	assert_probe_all_pass(&r, names, COCO_ARRAY_SIZE(names));
	ASSERT_CONTAINS(find_check(&r, "SNP firmware")->detail, "API 1.55 build 21, state INIT");
	/* The probe gives back every fd it opened. */
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void no_dev_kvm(struct fake_kvm_facts *f) { f->dev_kvm_errno = ENOENT; }
static void dev_kvm_denied(struct fake_kvm_facts *f) { f->dev_kvm_errno = EACCES; }
static void api_11(struct fake_kvm_facts *f) { f->api_version = 11; }
static void intel_cpu(struct fake_kvm_facts *f) { snprintf(f->cpu_vendor, 13, "GenuineIntel"); }
static void no_snp_cpu(struct fake_kvm_facts *f) { f->cpuid_snp = false; f->cpuinfo_sev_snp = false; }
static void sev_snp_n(struct fake_kvm_facts *f) { f->kvm_amd_sev_snp = "N\n"; }
static void no_kvm_amd(struct fake_kvm_facts *f) { f->kvm_amd_sev_snp = NULL; f->kvm_amd_loaded = false; }
static void old_kvm_amd(struct fake_kvm_facts *f) { f->kvm_amd_sev_snp = NULL; }
static void no_vm_types(struct fake_kvm_facts *f) { f->vm_types = 0; }
static void no_snp_type(struct fake_kvm_facts *f) { f->vm_types = 0xF; }
static void no_guest_memfd(struct fake_kvm_facts *f) { f->guest_memfd = 0; }
static void no_attributes(struct fake_kvm_facts *f) { f->memory_attributes = 0; }
static void no_dev_sev(struct fake_kvm_facts *f) { f->dev_sev_errno = ENOENT; }
static void snp_uninit(struct fake_kvm_facts *f) { f->status[2] = 0; }
static void old_sev_dev(struct fake_kvm_facts *f) { f->status_errno = EINVAL; f->status_fw_error = 0; }
static void status_fw_error(struct fake_kvm_facts *f)
{
	f->status_errno = EIO;
	f->status_fw_error = 0x1A;
}

static const struct probe_case probe_cases[] = {
	{ "no /dev/kvm", no_dev_kvm, "/dev/kvm", "No such file", "modprobe kvm_amd sev_snp=1" },
	{ "/dev/kvm denied", dev_kvm_denied, "/dev/kvm", "Permission denied", "run as root" },
	{ "KVM API 11", api_11, "KVM API version", "API 11", "API 12" },
	{ "Intel CPU", intel_cpu, "AMD SEV-SNP CPU", "GenuineIntel", "AMD EPYC" },
	{ "AMD without SNP", no_snp_cpu, "AMD SEV-SNP CPU", "no SEV-SNP", "firmware setup" },
	{ "sev_snp=N", sev_snp_n, "kvm_amd sev_snp", "sev_snp = N",
	  "kvm_amd sev_snp=N: enable SEV-SNP in firmware setup and load kvm_amd with sev_snp=1" },
	{ "kvm_amd missing", no_kvm_amd, "kvm_amd sev_snp", "kvm_amd is not loaded",
	  "modprobe kvm_amd sev_snp=1" },
	{ "kvm_amd without SNP", old_kvm_amd, "kvm_amd sev_snp", "no sev_snp parameter",
	  "Linux 6.11" },
	{ "no VM types", no_vm_types, "KVM SNP VM type", "no KVM_CAP_VM_TYPES", "Linux 6.11" },
	{ "no SNP VM type", no_snp_type, "KVM SNP VM type", "KVM_X86_SNP_VM (4) not offered",
	  "sev_snp=1" },
	{ "no guest_memfd", no_guest_memfd, "guest_memfd", "KVM_CAP_GUEST_MEMFD", "guest_memfd" },
	{ "no private attribute", no_attributes, "guest_memfd", "KVM_CAP_MEMORY_ATTRIBUTES(PRIVATE)",
	  "Linux 6.8" },
	{ "no /dev/sev", no_dev_sev, "/dev/sev", "No such file", "ccp" },
	{ "SNP not initialised", snp_uninit, "SNP firmware", "state UNINIT (0)", "SNP_INIT_EX" },
	{ "kernel without SNP_PLATFORM_STATUS", old_sev_dev, "SNP firmware", "Linux 6.9",
	  "Linux 6.9" },
	{ "firmware error", status_fw_error, "SNP firmware",
	  "firmware status 0x1a INVALID_PAGE_STATE", "SEV firmware" },
};

static void test_probe_each_fact(void)
{
	run_probe_cases(&fake, fake_kvm_snp_host, "sev-snp", COCO_VENDOR_AMD_SEV_SNP, probe_cases,
			COCO_ARRAY_SIZE(probe_cases));
}

static void test_probe_cpu_either_source(void)
{
	struct coco_probe_result r;

	/* The CPUID bit alone, and the cpuinfo flag alone, each suffice. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake.facts.cpuinfo_sev_snp = false;
	fake_kvm_install(&fake);
	run_probe(&r);
	CU_ASSERT_TRUE(find_check(&r, "AMD SEV-SNP CPU")->passed);
	uninstall();

	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake.facts.cpuid_snp = false;
	fake_kvm_install(&fake);
	run_probe(&r);
	CU_ASSERT_TRUE(find_check(&r, "AMD SEV-SNP CPU")->passed);
	ASSERT_CONTAINS(find_check(&r, "AMD SEV-SNP CPU")->detail, "sev_snp present");
	uninstall();
}

static void test_probe_without_kvm_checks_the_rest(void)
{
	struct coco_probe_result r;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake.facts.dev_kvm_errno = ENOENT;
	fake_kvm_install(&fake);
	run_probe(&r);
	/* Checks that need /dev/kvm say so; the others still look. */
	ASSERT_CONTAINS(find_check(&r, "KVM SNP VM type")->remediation, "/dev/kvm check first");
	CU_ASSERT_TRUE(find_check(&r, "kvm_amd sev_snp")->passed);
	CU_ASSERT_TRUE(find_check(&r, "SNP firmware")->passed);
	uninstall();
}

/*
 * This machine's kernel, no fake: the probe result is the behaviour under
 * test.  Without /dev/sev there is no SNP host, so the probe must say
 * "unavailable" and tell the user what to do about every failed check.
 */
static void test_probe_real_kernel(void)
{
	struct coco_probe_result r;
	char param[8] = "";
	int fd = open("/sys/module/kvm_amd/parameters/sev_snp", O_RDONLY);
	bool snp_host;

	if (fd >= 0) {
		ssize_t n = read(fd, param, sizeof(param) - 1);
		param[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	snp_host = access("/dev/sev", F_OK) == 0 && param[0] == 'Y';
	run_probe(&r);
	CU_ASSERT_EQUAL(r.nchecks, 8);
	if (!snp_host) {
		CU_ASSERT_FALSE(r.available);
		/* Whichever of the two facts is missing, its check says so. */
		CU_ASSERT_FALSE(find_check(&r, "/dev/sev")->passed &&
				find_check(&r, "kvm_amd sev_snp")->passed);
	}
	for (unsigned int i = 0; i < r.nchecks; i++) {
		const struct coco_probe_check *c = &r.checks[i];
		CU_ASSERT(c->detail[0] != '\0');
		CU_ASSERT_EQUAL(c->passed, c->remediation[0] == '\0');
		printf("\n    %-16s %s: %s%s%s", c->name, c->passed ? "ok  " : "FAIL", c->detail,
		       c->passed ? "" : " -> ", c->remediation);
	}
	printf("\n");
}

/* ------------------------------------------------------------------ */
/* Host                                                                 */

static void test_host_open_and_caps(void)
{
	struct snp_kvm_host *h = NULL;
	struct coco_caps caps;

	install_snp_host();
	CU_ASSERT_EQUAL_FATAL(snp_kvm_host_open(&h), 0);
	CU_ASSERT_TRUE(h->vmsa_features_known);
	CU_ASSERT_EQUAL(h->vmsa_features_supported, 1u << 5);
	CU_ASSERT_EQUAL(h->snp_asids, 100);
	CU_ASSERT_EQUAL(h->dev.vcpu_mmap_size, 3 * 4096);
	memset(&caps, 0, sizeof(caps));
	CU_ASSERT_EQUAL(snp_kvm_host_caps(h, &caps), 0);
	CU_ASSERT_STRING_EQUAL(caps.firmware_version, "1.55.21");
	CU_ASSERT_EQUAL(caps.max_guests, 100);
	CU_ASSERT_EQUAL(caps.measurement_size, 48);
	CU_ASSERT_FALSE(caps.page_types & (1u << COCO_PAGE_VCPU_STATE));
	CU_ASSERT_TRUE(caps.page_types & (1u << COCO_PAGE_CPUID));
	bool saw_tcb = false;
	for (unsigned int i = 0; i < caps.ndetails; i++) {
		CU_ASSERT_EQUAL(strncmp(caps.details[i].key, "snp.", 4), 0);
		if (!strcmp(caps.details[i].key, "snp.current_tcb")) {
			CU_ASSERT_STRING_EQUAL(caps.details[i].value, "0xd114000000000003");
			saw_tcb = true;
		}
	}
	CU_ASSERT_TRUE(saw_tcb);
	snp_kvm_host_close(h);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void test_host_open_refuses_uninitialised_snp(void)
{
	struct snp_kvm_host *h = NULL;

	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake.facts.status[2] = 0;
	fake_kvm_install(&fake);
	CU_ASSERT_EQUAL(snp_kvm_host_open(&h), -ENODEV);
	ASSERT_CONTAINS(coco_last_error(), "not initialised");
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* ------------------------------------------------------------------ */
/* VMs on the fake host                                                 */

static struct coco_host *test_host;

static void config_for_test(struct coco_vm_config *c)
{
	coco_vm_config_init(c, COCO_VENDOR_AMD_SEV_SNP);
	c->name = "kvm-test";
	c->memory_size = 4 * MiB;
	c->vcpus = 2;
	c->policy.u.snp.guest_policy = 0x30000;
	c->policy.u.snp.vmsa_features = COCO_SNP_FEATURE_SNP_ACTIVE | COCO_SNP_FEATURE_DEBUG_SWAP;
	for (int i = 0; i < 16; i++)
		c->policy.u.snp.gosvw[i] = (uint8_t)(0xA0 + i);
	for (int i = 0; i < 32; i++)
		c->policy.u.snp.host_data[i] = (uint8_t)i;
}

/* A host on the fake kernel and a VM on it, through the public API. */
static int open_vm(const struct coco_vm_config *c, struct coco_vm **vm)
{
	int ret = coco_host_open("sev-snp", NULL, &test_host);

	if (ret)
		return ret;
	ret = coco_vm_create(test_host, c, vm);
	if (ret) {
		coco_host_close(test_host);
		test_host = NULL;
	}
	return ret;
}

static void close_vm(struct coco_vm *vm)
{
	coco_vm_destroy(vm);
	coco_host_close(test_host);
	test_host = NULL;
}

static const struct snp_launch_sink_ops *sink_of(struct coco_vm *vm)
{
	return snp_vm_of(vm)->sink;
}

static void put64(uint8_t *p, uint32_t off, uint64_t v)
{
	memcpy(p + off, &v, 8);	/* x86: little endian */
}

static void put_seg(uint8_t *p, uint32_t off, uint16_t sel, uint16_t attrib, uint32_t limit,
		    uint64_t base)
{
	memcpy(p + off, &sel, 2);
	memcpy(p + off + 2, &attrib, 2);
	memcpy(p + off + 4, &limit, 4);
	memcpy(p + off + 8, &base, 8);
}

/* The QEMU-flavour initial VMSA, as snp.md section 1.3 lists its fields. */
static void qemu_vmsa(uint8_t vmsa[PAGE], uint32_t eip, uint64_t features, uint64_t signature)
{
	memset(vmsa, 0, PAGE);
	for (uint32_t off = 0x00; off <= 0x50; off += 0x10)
		put_seg(vmsa, off, 0, 0x93, 0xFFFF, 0);
	put_seg(vmsa, 0x10, 0xF000, 0x9B, 0xFFFF, eip & 0xFFFF0000u);
	put_seg(vmsa, 0x60, 0, 0, 0xFFFF, 0);
	put_seg(vmsa, 0x70, 0, 0x82, 0xFFFF, 0);
	put_seg(vmsa, 0x80, 0, 0, 0xFFFF, 0);
	put_seg(vmsa, 0x90, 0, 0x8B, 0xFFFF, 0);
	put64(vmsa, 0xD0, 0x1000);
	put64(vmsa, 0x148, 0x40);
	put64(vmsa, 0x158, 0x10);
	put64(vmsa, 0x160, 0x400);
	put64(vmsa, 0x168, 0xFFFF0FF0);
	put64(vmsa, 0x170, 0x2);
	put64(vmsa, 0x178, eip & 0xFFFF);
	put64(vmsa, 0x268, 0x0007040600070406ull);
	put64(vmsa, 0x310, signature);
	put64(vmsa, 0x3B0, features);
	put64(vmsa, 0x3E8, 1);
	uint32_t mxcsr = 0x1F80;
	uint16_t fcw = 0x37F;
	memcpy(vmsa + 0x408, &mxcsr, 4);
	memcpy(vmsa + 0x410, &fcw, 2);
}

static uint8_t *pattern(size_t len, uint8_t seed)
{
	uint8_t *p = malloc(len);

	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 7 + (i >> 12));
	return p;
}

#define FW_GPA 0xFFFF0000ull
#define FW_PAGES 16u

static void test_launch_through_sink(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;
	uint8_t *fw = pattern(FW_PAGES * PAGE, 0x11);
	uint8_t *cpuid = pattern(PAGE, 0x33);
	uint8_t *unmeasured = pattern(PAGE, 0x55);
	uint8_t vmsa0[PAGE], vmsa1[PAGE], id_block[96], id_auth[4096];
	struct snp_launch_digest expect;
	struct coco_vcpu_desc bsp = { .index = 0 }, ap = { .index = 1, .boot_ip = 0x0080B004 };
	const uint64_t features = COCO_SNP_FEATURE_SNP_ACTIVE | COCO_SNP_FEATURE_DEBUG_SWAP;

	install_snp_host();
	config_for_test(&c);
	memset(id_block, 0x61, sizeof(id_block));
	memset(id_auth, 0x62, sizeof(id_auth));
	c.policy.u.snp.id_block = id_block;
	c.policy.u.snp.id_auth = id_auth;
	c.policy.u.snp.author_key_en = true;
	CU_ASSERT_EQUAL_FATAL(open_vm(&c, &vm), 0);

	/* VM creation: SNP type, INIT2 without SNPActive (KVM adds it), /dev/sev handed over. */
	CU_ASSERT_EQUAL(fake.create_vm_type, 4);
	CU_ASSERT_EQUAL(fake.init2.vmsa_features, COCO_SNP_FEATURE_DEBUG_SWAP);
	CU_ASSERT_EQUAL(fake.init2.ghcb_version, 2);
	CU_ASSERT_EQUAL(fake.init2.flags, 0);
	CU_ASSERT_EQUAL(fake.init2_sev_fd, (uint32_t)fake.sev_fd);
	/* RAM: one guest_memfd + memslot, all private before the launch. */
	CU_ASSERT_EQUAL_FATAL(fake.ngmem, 1);
	CU_ASSERT_EQUAL(fake.gmem[0].size, 4 * MiB);
	CU_ASSERT_EQUAL(fake.gmem[0].flags, 0);
	CU_ASSERT_EQUAL_FATAL(fake.nregions, 1);
	CU_ASSERT_EQUAL(fake.regions[0].flags, KVM_MEM_GUEST_MEMFD);
	CU_ASSERT_EQUAL(fake.regions[0].guest_phys_addr, 0);
	CU_ASSERT_EQUAL(fake.regions[0].memory_size, 4 * MiB);
	CU_ASSERT_EQUAL(fake.regions[0].userspace_addr, (uint64_t)(uintptr_t)vm->slots[0].host);
	CU_ASSERT_EQUAL(fake.regions[0].guest_memfd, (uint32_t)fake.gmem_fd[0]);
	CU_ASSERT_EQUAL(fake.regions[0].guest_memfd_offset, 0);
	CU_ASSERT_EQUAL_FATAL(fake.nattrs, 1);
	CU_ASSERT_EQUAL(fake.attrs[0].address, 0);
	CU_ASSERT_EQUAL(fake.attrs[0].size, 4 * MiB);
	CU_ASSERT_EQUAL(fake.attrs[0].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);

	/* The launch, step by step as the walker would drive it. */
	CU_ASSERT_EQUAL_FATAL(sink_of(vm)->start(vm), 0);
	CU_ASSERT_EQUAL(fake.start.policy, 0x30000);
	CU_ASSERT_EQUAL(fake.start.gosvw[0], 0xA0);
	CU_ASSERT_EQUAL(fake.start.gosvw[15], 0xAF);
	CU_ASSERT_EQUAL(fake.start.flags, 0);

	/* Firmware outside RAM: the core covers it with a slot, as a VMM maps flash. */
	CU_ASSERT_EQUAL_FATAL(coco_guest_mem_cover(vm, FW_GPA, FW_PAGES * PAGE, "firmware"), 0);
	CU_ASSERT_EQUAL(fake.ngmem, 2);
	CU_ASSERT_EQUAL(fake.gmem[1].size, FW_PAGES * PAGE);
	CU_ASSERT_EQUAL(fake.regions[1].guest_phys_addr, FW_GPA);
	CU_ASSERT_NOT_EQUAL(fake.regions[1].slot, fake.regions[0].slot);
	CU_ASSERT_EQUAL(fake.attrs[1].address, FW_GPA);
	CU_ASSERT_EQUAL(fake.attrs[1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);

	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, FW_GPA, SNP_PAGE_TYPE_NORMAL, fw, FW_PAGES, false), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x100000, SNP_PAGE_TYPE_ZERO, NULL, 8, false), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x1000, SNP_PAGE_TYPE_SECRETS, NULL, 1, false), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x2000, SNP_PAGE_TYPE_CPUID, cpuid, 1, false), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x3000, SNP_PAGE_TYPE_UNMEASURED, unmeasured, 1,
					    false), 0);
	CU_ASSERT_EQUAL_FATAL(fake.nupdates, 5);

	/* Each LAUNCH_UPDATE: GFN, length, type, and uaddr at the page's host copy. */
	const struct {
		uint64_t gpa, pages;
		uint8_t type;
		const uint8_t *data;
	} want[] = {
		{ FW_GPA, FW_PAGES, 1, fw },
		{ 0x100000, 8, 3, NULL },
		{ 0x1000, 1, 5, NULL },
		{ 0x2000, 1, 6, cpuid },
		{ 0x3000, 1, 4, unmeasured },
	};
	for (size_t i = 0; i < COCO_ARRAY_SIZE(want); i++) {
		const struct fake_update_record *u = &fake.updates[i];
		CU_ASSERT_EQUAL(u->sent.gfn_start, want[i].gpa / PAGE);
		CU_ASSERT_EQUAL(u->sent.len, want[i].pages * PAGE);
		CU_ASSERT_EQUAL(u->sent.type, want[i].type);
		CU_ASSERT_EQUAL(u->sent.flags, 0);
		CU_ASSERT_EQUAL(u->sent.uaddr % PAGE, 0);
		CU_ASSERT_EQUAL(u->sent.uaddr,
				(uint64_t)(uintptr_t)coco_vm_guest_ptr(vm, want[i].gpa, PAGE));
		if (want[i].data) {
			CU_ASSERT_EQUAL_FATAL(u->contents_len, want[i].pages * PAGE);
			CU_ASSERT_EQUAL(memcmp(u->contents, want[i].data, u->contents_len), 0);
		} else if (want[i].type != 3) {
			/* SECRETS: KVM still reads a source page; it is all zero. */
			CU_ASSERT(coco_all_zero(u->contents, u->contents_len));
		}
	}

	/* vCPUs: KVM_CREATE_VCPU and the registers KVM builds the VMSA from. */
	qemu_vmsa(vmsa0, 0xFFFFFFF0u, features, 0x00A00F11);
	qemu_vmsa(vmsa1, ap.boot_ip, features, 0x00A00F11);
	CU_ASSERT_EQUAL_FATAL(sink_of(vm)->vcpu(vm, &bsp, vmsa0), 0);
	CU_ASSERT_EQUAL_FATAL(sink_of(vm)->vcpu(vm, &ap, vmsa1), 0);
	CU_ASSERT_EQUAL_FATAL(fake.nvcpus, 2);
	CU_ASSERT_EQUAL(fake.vcpus[0].id, 0);
	CU_ASSERT_EQUAL(fake.vcpus[1].id, 1);
	CU_ASSERT_EQUAL(fake.vcpus[0].regs.rip, 0xFFF0);
	CU_ASSERT_EQUAL(fake.vcpus[1].sregs.cs.base, 0x00800000);
	CU_ASSERT_EQUAL(fake.vcpus[1].regs.rip, 0xB004);
	CU_ASSERT_EQUAL(fake.vcpus[0].regs.rdx, 0x00A00F11);
	/* Read-modify-write kept what the VMSA does not say. */
	CU_ASSERT_EQUAL(fake.vcpus[0].sregs.apic_base, 0xfee00900);
	CU_ASSERT_PTR_NOT_NULL(fake.vcpus[0].run);

	CU_ASSERT_EQUAL_FATAL(sink_of(vm)->finish(vm, NULL), 0);
	/* KVM's VMSAs, built from those registers, are the walker's byte for byte. */
	CU_ASSERT_EQUAL(memcmp(fake.vcpus[0].vmsa, vmsa0, PAGE), 0);
	CU_ASSERT_EQUAL(memcmp(fake.vcpus[1].vmsa, vmsa1, PAGE), 0);
	CU_ASSERT_EQUAL(fake.finish.id_block_en, 1);
	CU_ASSERT_EQUAL(fake.finish.auth_key_en, 1);
	CU_ASSERT_EQUAL(fake.finish.vcek_disabled, 0);
	CU_ASSERT_EQUAL(fake.finish.flags, 0);
	CU_ASSERT_EQUAL(fake.finish.host_data[0], 0);
	CU_ASSERT_EQUAL(fake.finish.host_data[31], 31);
	CU_ASSERT_EQUAL(memcmp(fake.id_block, id_block, sizeof(id_block)), 0);
	CU_ASSERT_EQUAL(memcmp(fake.id_auth, id_auth, sizeof(id_auth)), 0);

	/* The firmware's digest is the digest of what was meant to be launched. */
	CU_ASSERT_EQUAL_FATAL(snp_launch_digest_init(&expect), 0);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_NORMAL, FW_GPA, fw, FW_PAGES);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_ZERO, 0x100000, NULL, 8);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_SECRETS, 0x1000, NULL, 1);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_CPUID, 0x2000, NULL, 1);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_UNMEASURED, 0x3000, NULL, 1);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_VMSA, VMSA_RMP_GPA, vmsa0, 1);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_VMSA, VMSA_RMP_GPA, vmsa1, 1);
	CU_ASSERT_EQUAL(memcmp(fake.digest, expect.ld, 48), 0);
	snp_launch_digest_fini(&expect);

	/* The order of the kernel calls (snp.md section 8, "typical SNP launch"). */
	long create = fake_kvm_find(&fake, FAKE_CREATE_VM, 0);
	long init = fake_kvm_find(&fake, FAKE_SEV_INIT2, 0);
	long gmem = fake_kvm_find(&fake, FAKE_CREATE_GUEST_MEMFD, 0);
	long region = fake_kvm_find(&fake, FAKE_SET_USER_MEMORY_REGION2, 0);
	long attrs = fake_kvm_find(&fake, FAKE_SET_MEMORY_ATTRIBUTES, 0);
	long start = fake_kvm_find(&fake, FAKE_SNP_LAUNCH_START, 0);
	long update = fake_kvm_find(&fake, FAKE_SNP_LAUNCH_UPDATE, 0);
	long vcpu = fake_kvm_find(&fake, FAKE_CREATE_VCPU, 0);
	long finish = fake_kvm_find(&fake, FAKE_SNP_LAUNCH_FINISH, 0);
	CU_ASSERT(create >= 0 && create < init && init < gmem && gmem < region && region < attrs &&
		  attrs < start && start < update && update < vcpu && vcpu < finish);

	close_vm(vm);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	CU_ASSERT_EQUAL(fake.mapped, 0);
	free(fw);
	free(cpuid);
	free(unmeasured);
	uninstall();
}

/* A fresh VM on the fake host with LAUNCH_START done; faults set by the caller first. */
static struct coco_vm *started_vm(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;

	config_for_test(&c);
	if (open_vm(&c, &vm))
		return NULL;
	if (sink_of(vm)->start(vm)) {
		close_vm(vm);
		return NULL;
	}
	return vm;
}

static void test_update_partial_progress_and_eagain(void)
{
	struct snp_launch_digest expect;
	uint8_t *data = pattern(10 * PAGE, 0x77);
	struct coco_vm *vm;

	install_snp_host();
	fake.faults.update_chunk_pages = 3;
	fake.faults.update_eagain = 2;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x200000, SNP_PAGE_TYPE_NORMAL, data, 10, false), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x300000, SNP_PAGE_TYPE_ZERO, NULL, 7, false), 0);
	/* 2 retries, then 3+3+3+1 pages; then 3+3+1 zero pages. */
	CU_ASSERT_EQUAL_FATAL(fake.nupdates, 2 + 4 + 3);
	CU_ASSERT_EQUAL(fake.updates[0].result, -EAGAIN);
	CU_ASSERT_EQUAL(fake.updates[2].sent.gfn_start, 0x200);
	CU_ASSERT_EQUAL(fake.updates[3].sent.gfn_start, 0x203);
	CU_ASSERT_EQUAL(fake.updates[3].sent.len, 7 * PAGE);
	CU_ASSERT_EQUAL(fake.updates[3].sent.uaddr, fake.updates[2].sent.uaddr + 3 * PAGE);
	CU_ASSERT_EQUAL(fake.updates[5].sent.len, PAGE);
	CU_ASSERT_EQUAL(memcmp(fake.updates[5].contents, data + 9 * PAGE, PAGE), 0);
	/* ZERO pages: KVM ignores uaddr and does not move it. */
	CU_ASSERT_EQUAL(fake.updates[7].sent.gfn_start, 0x303);
	CU_ASSERT_EQUAL(fake.updates[7].sent.uaddr, fake.updates[6].sent.uaddr);
	CU_ASSERT_EQUAL(fake.npopulated, 17);
	snp_launch_digest_init(&expect);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_NORMAL, 0x200000, data, 10);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_ZERO, 0x300000, NULL, 7);
	CU_ASSERT_EQUAL(memcmp(fake.digest, expect.ld, 48), 0);
	snp_launch_digest_fini(&expect);
	close_vm(vm);
	free(data);
	uninstall();
}

static void test_update_without_progress_gives_up(void)
{
	struct coco_vm *vm;

	install_snp_host();
	fake.faults.update_no_progress = true;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x200000, SNP_PAGE_TYPE_ZERO, NULL, 1, false), -EIO);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SEV_SNP_LAUNCH_UPDATE");
	ASSERT_CONTAINS(coco_last_error(), "no progress");
	close_vm(vm);
	uninstall();
}

static void test_update_firmware_error_message(void)
{
	uint8_t *data = pattern(PAGE, 1);
	struct coco_vm *vm;

	install_snp_host();
	fake.faults.update_fail_call = 1;
	fake.faults.update_fail_errno = EIO;
	fake.faults.update_fail_fw = 0x16;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x5000, SNP_PAGE_TYPE_NORMAL, data, 1, false), -EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SEV_SNP_LAUNCH_UPDATE: GPA 0x5000, 1 pages, type "
					   "NORMAL: Input/output error (errno 5); firmware status "
					   "0x16 INVALID_PARAM");
	close_vm(vm);

	/* A page-state error carries the firmware table's remedy. */
	fake_kvm_reset_records(&fake);
	fake.faults.update_fail_fw = 0x1A;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x5000, SNP_PAGE_TYPE_NORMAL, data, 1, false), -EBUSY);
	ASSERT_CONTAINS(coco_last_error(), "firmware status 0x1a INVALID_PAGE_STATE: the page is not "
					   "in the RMP state");
	close_vm(vm);

	/* KVM refusing without the firmware: said so, with KVM's requirements. */
	fake_kvm_reset_records(&fake);
	fake.faults.update_fail_call = 0;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x5000, PAGE, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x5000, SNP_PAGE_TYPE_NORMAL, data, 1, false),
			-EINVAL);
	ASSERT_CONTAINS(coco_last_error(), "no firmware status: the kernel refused the call");
	ASSERT_CONTAINS(coco_last_error(), "must be private");
	close_vm(vm);
	free(data);
	uninstall();
}

static void test_cpuid_rejected_reports_corrections(void)
{
	uint8_t *table = pattern(PAGE, 0x40);
	struct coco_vm *vm;
	uint8_t *host;

	install_snp_host();
	fake.faults.reject_cpuid = true;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x4000, SNP_PAGE_TYPE_CPUID, table, 1, false), -EIO);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SEV_SNP_LAUNCH_UPDATE: CPUID page at GPA 0x4000");
	ASSERT_CONTAINS(coco_last_error(), "firmware status 0x16 INVALID_PARAM");
	ASSERT_CONTAINS(coco_last_error(), "wrote the corrected table back");
	ASSERT_CONTAINS(coco_last_error(), "2 bytes differ from the table supplied, the first at "
					   "offset 0x10");
	/* The corrected table is in the page's host copy for the caller to read. */
	host = coco_vm_guest_ptr(vm, 0x4000, PAGE);
	CU_ASSERT_EQUAL(host[0x10], table[0x10] ^ 0x5a);
	CU_ASSERT_EQUAL(host[0x11], 0x01);
	close_vm(vm);
	free(table);
	uninstall();
}

static void test_vmsa_pages_refused(void)
{
	uint8_t page[PAGE] = { 0 };
	struct coco_vm *vm;

	install_snp_host();
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->update(vm, 0x6000, SNP_PAGE_TYPE_VMSA, page, 1, false),
			-ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "KVM builds every vCPU's VMSA itself");
	CU_ASSERT_EQUAL(fake.nupdates, 0);
	close_vm(vm);
	uninstall();
}

static void test_vmsa_kvm_cannot_reproduce(void)
{
	const uint64_t features = COCO_SNP_FEATURE_SNP_ACTIVE | COCO_SNP_FEATURE_DEBUG_SWAP;
	struct coco_vcpu_desc d = { .index = 0 };
	uint8_t vmsa[PAGE];
	struct coco_vm *vm;

	install_snp_host();
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	/* Features other than the VM's. */
	qemu_vmsa(vmsa, 0xFFFFFFF0u, COCO_SNP_FEATURE_SNP_ACTIVE, 0x800F12);
	CU_ASSERT_EQUAL(sink_of(vm)->vcpu(vm, &d, vmsa), -ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "SEV_FEATURES 0x1 differ from the VM's 0x21");
	/* State KVM does not derive from registers (here: a byte in the x87 registers). */
	qemu_vmsa(vmsa, 0xFFFFFFF0u, features, 0x800F12);
	vmsa[0x420] = 1;
	d.index = 1;
	CU_ASSERT_EQUAL(sink_of(vm)->vcpu(vm, &d, vmsa), -ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "VMSA byte 0x420 is 0x01");
	/* DR7 other than 0x400: KVM would refuse to encrypt it. */
	qemu_vmsa(vmsa, 0xFFFFFFF0u, features, 0x800F12);
	put64(vmsa, 0x160, 0x401);
	d.index = 2;
	CU_ASSERT_EQUAL(sink_of(vm)->vcpu(vm, &d, vmsa), -ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "DR7 0x401");
	close_vm(vm);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void test_finish_error_message(void)
{
	struct coco_vm *vm;

	install_snp_host();
	fake.faults.finish_errno = EIO;
	fake.faults.finish_fw = 0x0B;
	vm = started_vm();
	CU_ASSERT_PTR_NOT_NULL_FATAL(vm);
	CU_ASSERT_EQUAL(sink_of(vm)->finish(vm, NULL), -EKEYREJECTED);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SEV_SNP_LAUNCH_FINISH: without ID block: "
					   "Input/output error (errno 5); firmware status 0xb "
					   "BAD_MEASUREMENT");
	ASSERT_CONTAINS(coco_last_error(), "cococtl measure");
	close_vm(vm);
	uninstall();
}

static void test_vm_create_refusals(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;

	install_snp_host();
	/* Features KVM does not offer. */
	config_for_test(&c);
	c.policy.u.snp.vmsa_features |= COCO_SNP_FEATURE_SECURE_TSC;
	CU_ASSERT_EQUAL(open_vm(&c, &vm), -ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "ask for 0x200, which this KVM does not offer");
	CU_ASSERT_EQUAL(fake_kvm_count(&fake, FAKE_CREATE_VM), 0);
	/* VMSAs of other VMMs cannot come out of KVM. */
	config_for_test(&c);
	c.policy.u.snp.vmm_type = COCO_SNP_VMM_EC2;
	CU_ASSERT_EQUAL(open_vm(&c, &vm), -ENOTSUP);
	ASSERT_CONTAINS(coco_last_error(), "VMM type EC2 cannot launch on KVM");
	c.policy.u.snp.vmm_type = COCO_SNP_VMM_GCE;
	CU_ASSERT_EQUAL(open_vm(&c, &vm), -ENOTSUP);
	/* INIT2 failing in the firmware: named, with status and errno, the VM fd closed. */
	fake.faults.init2_errno = EIO;
	fake.faults.init2_fw = 0x01;
	config_for_test(&c);
	CU_ASSERT_EQUAL(open_vm(&c, &vm), -EBUSY);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SEV_INIT2: vmsa_features 0x20, ghcb_version 2: "
					   "Input/output error (errno 5); firmware status 0x1 "
					   "INVALID_PLATFORM_STATE");
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

static void test_mem_convert(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;
	enum coco_mem_state st;

	install_snp_host();
	config_for_test(&c);
	CU_ASSERT_EQUAL_FATAL(open_vm(&c, &vm), 0);
	size_t attrs0 = fake.nattrs;

	/* To shared: attributes cleared, the private pages punched out of the guest_memfd. */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x10000, 0x3000, COCO_MEM_SHARED), 0);
	CU_ASSERT_EQUAL_FATAL(fake.nattrs, attrs0 + 1);
	CU_ASSERT_EQUAL(fake.attrs[attrs0].address, 0x10000);
	CU_ASSERT_EQUAL(fake.attrs[attrs0].size, 0x3000);
	CU_ASSERT_EQUAL(fake.attrs[attrs0].attributes, 0);
	CU_ASSERT_EQUAL_FATAL(fake.nfallocs, 1);
	CU_ASSERT_EQUAL(fake.fallocs[0].fd, fake.gmem_fd[0]);
	CU_ASSERT_EQUAL(fake.fallocs[0].offset, 0x10000);
	CU_ASSERT_EQUAL(fake.fallocs[0].len, 0x3000);
	coco_vm_mem_get_state(vm, 0x11000, &st, NULL);
	CU_ASSERT_EQUAL(st, COCO_MEM_SHARED);

	/* Back to private: attributes only. */
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x10000, 0x1000, COCO_MEM_PRIVATE), 0);
	CU_ASSERT_EQUAL(fake.attrs[attrs0 + 1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	CU_ASSERT_EQUAL(fake.nfallocs, 1);

	/* A failed punch undoes the conversion. */
	fake.faults.fallocate_errno = EIO;
	CU_ASSERT_EQUAL(coco_vm_mem_convert(vm, 0x20000, 0x1000, COCO_MEM_SHARED), -EIO);
	ASSERT_CONTAINS(coco_last_error(), "fallocate(PUNCH_HOLE)");
	ASSERT_CONTAINS(coco_last_error(), "stays private");
	CU_ASSERT_EQUAL(fake.attrs[fake.nattrs - 1].address, 0x20000);
	CU_ASSERT_EQUAL(fake.attrs[fake.nattrs - 1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	coco_vm_mem_get_state(vm, 0x20000, &st, NULL);
	CU_ASSERT_EQUAL(st, COCO_MEM_PRIVATE);
	close_vm(vm);
	uninstall();
}

static void test_slot_add_failure_undone(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;

	install_snp_host();
	/* The RAM slot's SET_MEMORY_ATTRIBUTES fails: memslot removed, guest_memfd closed. */
	fake.faults.attributes_fail_call = 1;
	config_for_test(&c);
	CU_ASSERT_EQUAL(open_vm(&c, &vm), -ENOMEM);
	ASSERT_CONTAINS(coco_last_error(), "KVM_SET_MEMORY_ATTRIBUTES([0x0, +0x400000) -> private)");
	CU_ASSERT_EQUAL(fake.nregions, 1);
	CU_ASSERT_EQUAL(fake.regions[0].memory_size, 0);
	CU_ASSERT_EQUAL(fake.open_fds, 0);
	uninstall();
}

/* ------------------------------------------------------------------ */
/* The public API on the fake host                                      */

/* Lines of tests/vectors/snp/measure/expected.txt (sev-snp-measure 0.0.13) on the suffix fixture. */
static const struct measure_vector {
	const char *digest;
	uint32_t vcpus;
	const char *vcpu_type;
	const char *initrd;	/* relative to the vectors, or NULL */
	const char *cmdline;
	uint64_t features;
} vectors[] = {
	{ "c391396c2246aecc627b0094e77ca06129753f82b85f92003b5a637c93fd267b"
	  "f68bdcf4ddf3168a6a6a5db462640a1c",
	  2, "EPYC-Genoa", NULL, "root=/dev/vda quiet", COCO_SNP_FEATURES_DEFAULT },
	{ "b58de0df820a8945ef1d006f768e9597b92822773c4bf406f180090b4b607802"
	  "be6826ecb1ced39f5e4928fb39a4da09",
	  1, "EPYC-Milan", "snp/measure/initrd.bin", "",
	  COCO_SNP_FEATURE_SNP_ACTIVE | COCO_SNP_FEATURE_DEBUG_SWAP },
};

static char *vector_path(const char *relative)
{
	return strdup(coco_test_vector(relative));
}

static void test_public_api_launch(void)
{
	for (size_t v = 0; v < COCO_ARRAY_SIZE(vectors); v++) {
		const struct measure_vector *mv = &vectors[v];
		char *ovmf = vector_path("snp/measure/ovmf_AmdSev_suffix.bin");
		char *kernel = vector_path("snp/measure/kernel.bin");
		char *initrd = mv->initrd ? vector_path(mv->initrd) : NULL;
		struct coco_firmware_spec spec = {
			.firmware_path = ovmf,
			.kernel_path = kernel,
			.initrd_path = initrd,
			.cmdline = mv->cmdline,
			.vcpus = mv->vcpus,
		};
		struct coco_launch_plan *plan = NULL;
		struct coco_measurement expected;
		struct coco_vm_config c;
		struct coco_vm *vm = NULL;
		char hex[2 * 48 + 1];
		size_t first_update;

		install_snp_host();
		coco_vm_config_init(&c, COCO_VENDOR_AMD_SEV_SNP);
		c.name = "public-api";
		c.memory_size = 16 * MiB;
		c.vcpus = mv->vcpus;
		CU_ASSERT_EQUAL_FATAL(coco_snp_cpu_signature(mv->vcpu_type, &c.cpu_signature), 0);
		c.policy.u.snp.vmsa_features = mv->features;
		CU_ASSERT_EQUAL_FATAL(coco_plan_from_firmware("sev-snp", &spec, &c, &plan), 0);
		CU_ASSERT_EQUAL_FATAL(coco_plan_expected_measurement("sev-snp", &c, plan, &expected), 0);

		CU_ASSERT_EQUAL_FATAL(coco_host_open("sev-snp", NULL, &test_host), 0);
		CU_ASSERT_STRING_EQUAL(coco_host_backend(test_host), "sev-snp");
		CU_ASSERT_TRUE(coco_host_is_hardware(test_host));
		CU_ASSERT_EQUAL_FATAL(coco_vm_create(test_host, &c, &vm), 0);
		first_update = fake.nupdates;
		CU_ASSERT_EQUAL(coco_vm_launch_plan(vm, plan), 0);
		if (coco_vm_get_state(vm) != COCO_VM_LAUNCHED)
			fprintf(stderr, "\n  launch failed: %s\n", coco_last_error());
		CU_ASSERT_EQUAL(coco_vm_get_state(vm), COCO_VM_LAUNCHED);

		/* The firmware digest of what reached KVM is sev-snp-measure's, and ours. */
		coco_hex_encode(fake.digest, 48, hex);
		CU_ASSERT_STRING_EQUAL(hex, mv->digest);
		CU_ASSERT_EQUAL(expected.size, 48);
		CU_ASSERT_EQUAL(memcmp(fake.digest, expected.value, 48), 0);

		/* INIT2 got the plan's features minus SNPActive; one VMSA per vCPU. */
		CU_ASSERT_EQUAL(fake.init2.vmsa_features, mv->features & ~1ull);
		CU_ASSERT_EQUAL(fake.nvcpus, mv->vcpus);
		CU_ASSERT_EQUAL(fake.vcpus[0].regs.rdx, c.cpu_signature);

		/* Every region of the plan reached KVM, in order, with its type and contents. */
		size_t u = first_update;
		for (size_t i = 0; i < coco_plan_region_count(plan); i++) {
			const struct coco_region *r = coco_plan_region(plan, i);
			uint64_t done = 0;
			while (done < r->size && u < fake.nupdates) {
				const struct fake_update_record *rec = &fake.updates[u++];
				CU_ASSERT_EQUAL(rec->result, 0);
				CU_ASSERT_EQUAL(rec->sent.gfn_start, (r->gpa + done) / PAGE);
				CU_ASSERT_EQUAL(rec->sent.type, snp_page_type_of(r->type));
				CU_ASSERT_EQUAL(rec->sent.uaddr, (uint64_t)(uintptr_t)coco_vm_guest_ptr(
									 vm, r->gpa + done, PAGE));
				if (r->data && done < r->data_len) {
					uint64_t n = COCO_MIN(r->data_len - done, rec->contents_len);
					CU_ASSERT_EQUAL(memcmp(rec->contents,
							       (const uint8_t *)r->data + done, n), 0);
				}
				done += rec->sent.len;
			}
			CU_ASSERT_EQUAL(done, r->size);
		}
		CU_ASSERT_EQUAL(u, fake.nupdates);

		/* Hardware evidence comes from inside the guest. */
		struct coco_evidence *ev = NULL;
		uint8_t report_data[64] = { 0 };
		CU_ASSERT_EQUAL(coco_vm_get_evidence(vm, report_data, &ev), -ENOTSUP);

		coco_vm_destroy(vm);
		coco_host_close(test_host);
		test_host = NULL;
		CU_ASSERT_EQUAL(fake.open_fds, 0);
		CU_ASSERT_EQUAL(fake.mapped, 0);
		coco_plan_free(plan);
		free(ovmf);
		free(kernel);
		free(initrd);
		uninstall();
	}
}

static void test_public_api_caps(void)
{
	struct coco_caps caps;

	install_snp_host();
	CU_ASSERT_EQUAL_FATAL(coco_host_open("sev-snp", NULL, &test_host), 0);
	CU_ASSERT_EQUAL(coco_host_get_caps(test_host, &caps), 0);
	CU_ASSERT_STRING_EQUAL(caps.backend, "sev-snp");
	CU_ASSERT_TRUE(caps.hardware);
	CU_ASSERT_TRUE(caps.features & COCO_FEATURE_LAUNCH);
	CU_ASSERT_TRUE(caps.features & COCO_FEATURE_MEMORY_CONVERSION);
	CU_ASSERT_FALSE(caps.features & COCO_FEATURE_EVIDENCE);
	CU_ASSERT_STRING_EQUAL(caps.firmware_version, "1.55.21");
	CU_ASSERT_STRING_EQUAL(caps.measurement_alg, "sha384");
	coco_host_close(test_host);
	test_host = NULL;
	uninstall();
}

static void test_auto_selection(void)
{
	struct coco_probe_result r;
	const char *name = NULL;

	unsetenv("COCO_BACKEND");
	/* An SNP host: "auto" takes the hardware. */
	install_snp_host();
	CU_ASSERT_STRING_EQUAL(coco_backend_name(0), "sev-snp");
	CU_ASSERT_EQUAL(coco_backend_select("auto", &name, &r), 0);
	CU_ASSERT_STRING_EQUAL(name, "sev-snp");
	uninstall();

	/* Without SNP firmware: the model; asking for the hardware names the failed check. */
	memset(&fake, 0, sizeof(fake));
	fake_kvm_snp_host(&fake.facts);
	fake.facts.kvm_amd_sev_snp = "N\n";
	fake_kvm_install(&fake);
	CU_ASSERT_EQUAL(coco_backend_select("auto", &name, &r), 0);
	CU_ASSERT_STRING_EQUAL(name, "sev-snp-model");
	CU_ASSERT_EQUAL(coco_backend_select("sev-snp", &name, &r), -ENODEV);
	ASSERT_CONTAINS(coco_last_error(), "kvm_amd sev_snp: /sys/module/kvm_amd/parameters/sev_snp "
					   "= N (kvm_amd sev_snp=N: enable SEV-SNP in firmware setup");
	uninstall();
}

static CU_TestInfo probe_tests[] = {
	{ "probe passes on an SNP host", test_probe_passes_on_snp_host },
	{ "each missing fact fails its check with a remedy", test_probe_each_fact },
	{ "SNP CPU from CPUID or cpuinfo", test_probe_cpu_either_source },
	{ "no /dev/kvm: the other checks still run", test_probe_without_kvm_checks_the_rest },
	{ "this machine's kernel", test_probe_real_kernel },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo host_tests[] = {
	{ "open and capabilities", test_host_open_and_caps },
	{ "uninitialised SNP refused", test_host_open_refuses_uninitialised_snp },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo launch_tests[] = {
	{ "launch through the KVM sink", test_launch_through_sink },
	{ "partial progress and EAGAIN", test_update_partial_progress_and_eagain },
	{ "no progress gives up", test_update_without_progress_gives_up },
	{ "firmware errors named", test_update_firmware_error_message },
	{ "CPUID page corrected by firmware", test_cpuid_rejected_reports_corrections },
	{ "VMSA pages refused", test_vmsa_pages_refused },
	{ "VMSAs KVM cannot reproduce refused", test_vmsa_kvm_cannot_reproduce },
	{ "LAUNCH_FINISH errors named", test_finish_error_message },
	{ "VM creation refusals", test_vm_create_refusals },
	{ "memory conversion", test_mem_convert },
	{ "memory slot failure undone", test_slot_add_failure_undone },
	CU_TEST_INFO_NULL,
};

static CU_TestInfo api_tests[] = {
	{ "launch a firmware plan through the public API", test_public_api_launch },
	{ "capabilities", test_public_api_caps },
	{ "auto selection", test_auto_selection },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "kvm-snp probe", NULL, NULL, NULL, NULL, probe_tests },
	{ "kvm-snp host", NULL, NULL, NULL, NULL, host_tests },
	{ "kvm-snp launch", NULL, NULL, NULL, NULL, launch_tests },
	{ "kvm-snp public API", NULL, NULL, NULL, NULL, api_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return coco_test_run(suites);
}

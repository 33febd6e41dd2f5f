/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The coco-vmm engine's own behaviour (core/vmm.c), on /dev/kvm with the
 * tdx-model backend and guests of a few hand-assembled instructions at the
 * reset vector (the TD vCPU starts in 32-bit protected mode there): exit
 * status, console, the watchdog, coco_vmm_stop from another thread, and
 * guest misbehaviour the engine itself must end with a reason (unserved
 * ports, faults without an IDT, accesses outside memory, evidence in private
 * memory).  The vendor protocols are tested by test-vmm-snp / test-vmm-tdx.
 * Exits 77 without a usable /dev/kvm.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <coco/coco.h>

#include "tests/common/test-main.h"

#define RESET_PAGE 0xfffff000u
#define TIMEOUT_MS 20000u

/* A guest: @code at the start of the reset page, entered by a jump from the reset vector. */
struct tiny_guest {
	uint8_t elf[sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr) + 4096];
};

static void craft(struct tiny_guest *g, const uint8_t *code, size_t len)
{
	Elf64_Ehdr *e = (Elf64_Ehdr *)(void *)g->elf;
	Elf64_Phdr *p = (Elf64_Phdr *)(void *)(g->elf + sizeof(*e));
	uint8_t *page = g->elf + sizeof(*e) + sizeof(*p);
	int32_t rel = (int32_t)(RESET_PAGE - (0xfffffff0u + 5u));

	memset(g, 0, sizeof(*g));
	memcpy(e->e_ident, ELFMAG, SELFMAG);
	e->e_ident[EI_CLASS] = ELFCLASS64;
	e->e_ident[EI_DATA] = ELFDATA2LSB;
	e->e_ident[EI_VERSION] = EV_CURRENT;
	e->e_type = ET_EXEC;
	e->e_machine = EM_X86_64;
	e->e_version = EV_CURRENT;
	e->e_entry = 0xfffffff0u;
	e->e_phoff = sizeof(*e);
	e->e_ehsize = sizeof(*e);
	e->e_phentsize = sizeof(*p);
	e->e_phnum = 1;
	*p = (Elf64_Phdr){ .p_type = PT_LOAD, .p_offset = sizeof(*e) + sizeof(*p),
			   .p_vaddr = RESET_PAGE, .p_paddr = RESET_PAGE, .p_filesz = 4096,
			   .p_memsz = 4096, .p_align = 4096 };
	memcpy(page, code, len);
	page[0xff0] = 0xe9;	/* jmp rel32 to the start of the page */
	memcpy(page + 0xff1, &rel, sizeof(rel));
}

struct console {
	char text[256];
	size_t len;
};

static void console_sink(void *ctx, const char *bytes, size_t n)
{
	struct console *c = ctx;

	for (size_t i = 0; i < n && c->len + 1 < sizeof(c->text); i++)
		c->text[c->len++] = bytes[i];
}

static int run_guest(const struct tiny_guest *g, uint32_t vcpus, unsigned int timeout_ms,
		     struct console *con, struct coco_vmm_result *res)
{
	struct coco_vmm_options o = {
		.backend = "tdx-model",
		.private_platform = true,
		.image = g->elf,
		.image_len = sizeof(g->elf),
		.timeout_ms = timeout_ms,
		.console = console_sink,
		.console_ctx = con,
	};
	struct coco_vmm *vmm;
	int ret;

	coco_vm_config_init(&o.config, COCO_VENDOR_INTEL_TDX);
	o.config.memory_size = 16u << 20;
	o.config.vcpus = vcpus;
	memset(con, 0, sizeof(*con));
	ret = coco_vmm_create(&o, &vmm);
	if (ret)
		return ret;
	ret = coco_vmm_run(vmm, res);
	coco_vmm_destroy(vmm);
	return ret;
}

/* mov $imm32, %eax; out %eax, $0xf4; jmp . */
#define EXIT_WITH(b0, b1, b2, b3) 0xb8, b0, b1, b2, b3, 0xe7, 0xf4, 0xeb, 0xfe

static void test_exit_status_and_console(void)
{
	static const uint8_t code[] = {
		0x66, 0xba, 0xf8, 0x03,	/* mov $0x3f8, %dx */
		0xb0, 'o', 0xee,	/* mov $'o', %al; out %al, %dx */
		0xb0, 'k', 0xee,
		0xb0, '\n', 0xee,
		EXIT_WITH(0x2a, 0x01, 0x00, 0x00),
	};
	struct tiny_guest g;
	struct console con;
	struct coco_vmm_result res;

	craft(&g, code, sizeof(code));
	CU_ASSERT_EQUAL_FATAL(run_guest(&g, 1, TIMEOUT_MS, &con, &res), 0);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 0x12a);
	CU_ASSERT_STRING_EQUAL(con.text, "ok\n");
	CU_ASSERT(res.exits >= 4);
	CU_ASSERT_EQUAL(res.vcpus_started, 1);
}

/* Every TD vCPU runs from the reset vector: two vCPUs, the first to reach the port ends the run. */
static void test_two_vcpus(void)
{
	static const uint8_t code[] = { EXIT_WITH(0x05, 0, 0, 0) };
	struct tiny_guest g;
	struct console con;
	struct coco_vmm_result res;

	craft(&g, code, sizeof(code));
	CU_ASSERT_EQUAL_FATAL(run_guest(&g, 2, TIMEOUT_MS, &con, &res), 0);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_EXITED);
	CU_ASSERT_EQUAL(res.exit_status, 5);
	CU_ASSERT(res.vcpus_started >= 1);
}

static void expect_end(const uint8_t *code, size_t len, unsigned int timeout_ms,
		       enum coco_vmm_outcome outcome, const char *reason_part)
{
	struct tiny_guest g;
	struct console con;
	struct coco_vmm_result res;

	craft(&g, code, len);
	CU_ASSERT_EQUAL_FATAL(run_guest(&g, 1, timeout_ms, &con, &res), 0);
	if (res.outcome != outcome || !strstr(res.reason, reason_part))
		fprintf(stderr, "\noutcome %s, reason '%s'; expected %s with '%s'\n",
			coco_vmm_outcome_name(res.outcome), res.reason,
			coco_vmm_outcome_name(outcome), reason_part);
	CU_ASSERT_EQUAL(res.outcome, outcome);
	CU_ASSERT_PTR_NOT_NULL(strstr(res.reason, reason_part));
}

static void test_watchdog(void)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };
	static const uint8_t hlt[] = { 0xf4, 0xeb, 0xfe };

	expect_end(spin, sizeof(spin), 300, COCO_VMM_TIMED_OUT, "300 ms");
	/* With the in-kernel irqchip a HLT waits for an interrupt that never comes. */
	expect_end(hlt, sizeof(hlt), 300, COCO_VMM_TIMED_OUT, "did not finish");
}

static void test_misbehaviour(void)
{
	static const uint8_t unserved_in[] = { 0xe4, 0x80, 0xeb, 0xfe };	/* in $0x80, %al */
	static const uint8_t wide_console[] = { 0x66, 0xba, 0xf8, 0x03, 0xef };	/* out %eax, %dx */
	static const uint8_t ud2[] = { 0x0f, 0x0b };
	/* mov %eax, 0xe0000000: outside guest memory */
	static const uint8_t mmio[] = { 0xa3, 0x00, 0x00, 0x00, 0xe0, 0xeb, 0xfe };
	/* mov $0x5000, %eax; out %eax, $0xf6: evidence "posted" in the private params page */
	static const uint8_t private_post[] = { 0xb8, 0x00, 0x50, 0x00, 0x00, 0xe7, 0xf6,
						0xeb, 0xfe };

	expect_end(unserved_in, sizeof(unserved_in), TIMEOUT_MS, COCO_VMM_FAILED, "port 0x80");
	expect_end(wide_console, sizeof(wide_console), TIMEOUT_MS, COCO_VMM_FAILED, "port 0x3f8");
	expect_end(ud2, sizeof(ud2), TIMEOUT_MS, COCO_VMM_FAILED, "vCPU 0");
	expect_end(mmio, sizeof(mmio), TIMEOUT_MS, COCO_VMM_FAILED, "0xe0000000");
	expect_end(private_post, sizeof(private_post), TIMEOUT_MS, COCO_VMM_FAILED,
		   "private guest memory");
}

struct stopper {
	struct coco_vmm *vmm;
};

static void *stop_soon(void *arg)
{
	struct stopper *s = arg;

	usleep(200 * 1000);
	coco_vmm_stop(s->vmm);
	return NULL;
}

static void test_stop_from_another_thread(void)
{
	static const uint8_t spin[] = { 0xeb, 0xfe };
	struct tiny_guest g;
	struct console con = { 0 };
	struct coco_vmm_options o = {
		.backend = "tdx-model", .private_platform = true, .image = g.elf,
		.image_len = sizeof(g.elf), .console = console_sink, .console_ctx = &con,
	};
	struct coco_vmm_result res;
	struct stopper s;
	pthread_t t;

	craft(&g, spin, sizeof(spin));
	coco_vm_config_init(&o.config, COCO_VENDOR_INTEL_TDX);
	o.config.memory_size = 16u << 20;
	o.config.vcpus = 2;
	CU_ASSERT_EQUAL_FATAL(coco_vmm_create(&o, &s.vmm), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, stop_soon, &s), 0);
	CU_ASSERT_EQUAL(coco_vmm_run(s.vmm, &res), 0);
	pthread_join(t, NULL);
	CU_ASSERT_EQUAL(res.outcome, COCO_VMM_STOPPED);
	/* A VMM runs its VM once. */
	CU_ASSERT_EQUAL(coco_vmm_run(s.vmm, &res), -EBUSY);
	coco_vmm_destroy(s.vmm);
}

static void test_create_refusals(void)
{
	static const uint8_t code[] = { EXIT_WITH(0, 0, 0, 0) };
	struct tiny_guest g;
	struct coco_vmm_options o = {
		.backend = "tdx-model", .private_platform = true, .image = g.elf,
		.image_len = sizeof(g.elf),
	};
	struct coco_vmm *vmm = NULL;
	uint8_t garbage[64] = { 0x7f, 'E', 'L', 'F' };

	craft(&g, code, sizeof(code));
	coco_vm_config_init(&o.config, COCO_VENDOR_INTEL_TDX);
	o.config.memory_size = 16u << 20;
	o.config.vcpus = 0;
	CU_ASSERT_EQUAL(coco_vmm_create(&o, &vmm), -EINVAL);
	o.config.vcpus = 1;
	o.config.memory_size = 0;
	CU_ASSERT_EQUAL(coco_vmm_create(&o, &vmm), -EINVAL);
	o.config.memory_size = 16u << 20;
	o.image = garbage;
	o.image_len = sizeof(garbage);
	CU_ASSERT(coco_vmm_create(&o, &vmm) < 0);
	CU_ASSERT(strlen(coco_last_error()) > 0);
	o.image = NULL;
	CU_ASSERT_EQUAL(coco_vmm_create(&o, &vmm), -EINVAL);
	o.image = g.elf;
	o.backend = "no-such-backend";
	CU_ASSERT(coco_vmm_create(&o, &vmm) < 0);
	CU_ASSERT_PTR_NULL(vmm);
}

static CU_TestInfo tests[] = {
	{ "exit status and console", test_exit_status_and_console },
	{ "two vCPUs from the reset vector", test_two_vcpus },
	{ "the watchdog ends spinning and halted guests", test_watchdog },
	{ "misbehaviour ends the run with a reason", test_misbehaviour },
	{ "coco_vmm_stop from another thread", test_stop_from_another_thread },
	{ "coco_vmm_create refusals", test_create_refusals },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "vmm-engine", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "no usable /dev/kvm (%s): skipped\n", strerror(errno));
		return 77;
	}
	close(fd);
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: tdx/guest-channel.c, the tdx-model guest channel, over a TD of
 * the module model launched through the public API, with the VMM's helpers
 * replaced by a fake vCPU register file and shared-memory access that
 * refuses private pages (as coco-vmm's do).  No KVM.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coco/coco.h>

#include "core/error.h"
#include "core/internal.h"
#include "core/util.h"
#include "tdx/backend-model.h"
#include "tdx/guest-channel.h"
#include "tdx/seamcall.h"
#include "tdx/tdcall.h"
#include "tdx/tdreport.h"
#include "tdx/qe-model.h"
#include "tests/common/tdx-model-quote.h"
#include "tests/common/test-main.h"

#define PAGE 4096ull
#define MiB (1024ull * 1024ull)
#define IMAGE_GPA 0x100000ull
#define SHARED_BIT (1ull << 47)		/* the model's TDs: GPAW 48 */
#define RAM_PAGE 0x400000ull		/* guest RAM outside the launch */
#define QUOTE_OFF_REPORTDATA 568u	/* specs/tdx.md 10.9 */

struct fake_vcpu {
	uint32_t index;
	struct kvm_regs regs;
};

static struct coco_vm *the_vm;
static int ended;
static enum coco_vmm_outcome end_outcome;
static char end_reason[512];

static uint32_t f_index(const struct coco_vmm_vcpu *v)
{
	return ((const struct fake_vcpu *)(const void *)v)->index;
}

static int f_get_regs(struct coco_vmm_vcpu *v, struct kvm_regs *r)
{
	*r = ((struct fake_vcpu *)(void *)v)->regs;
	return 0;
}

static int f_set_regs(struct coco_vmm_vcpu *v, const struct kvm_regs *r)
{
	((struct fake_vcpu *)(void *)v)->regs = *r;
	return 0;
}

/* Shared pages only, like coco_vmm_read_shared. */
static uint8_t *shared_ptr(uint64_t gpa, size_t len)
{
	for (uint64_t p = gpa & ~(PAGE - 1); p < gpa + len; p += PAGE) {
		enum coco_mem_state st;
		uint64_t run;

		if (coco_vm_mem_get_state(the_vm, p, &st, &run) || st != COCO_MEM_SHARED)
			return NULL;
	}
	return coco_vm_guest_ptr(the_vm, gpa, len);
}

static int f_read_shared(struct coco_vmm *vmm, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *p = shared_ptr(gpa, len);

	(void)vmm;
	if (!p)
		return coco_err(-EPERM, "fake VMM: [0x%llx, +%zu) is not shared",
				(unsigned long long)gpa, len);
	memcpy(buf, p, len);
	return 0;
}

static int f_write_shared(struct coco_vmm *vmm, uint64_t gpa, const void *buf, size_t len)
{
	uint8_t *p = shared_ptr(gpa, len);

	(void)vmm;
	if (!p)
		return coco_err(-EPERM, "fake VMM: [0x%llx, +%zu) is not shared",
				(unsigned long long)gpa, len);
	memcpy(p, buf, len);
	return 0;
}

static int f_convert(struct coco_vmm *vmm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	(void)vmm;
	return coco_vm_mem_convert(the_vm, gpa, size, to);
}

/* Instruction.IO's port accesses: OUTs recorded, INs read 0xA5A5A5A5, port 0xf4 ends the run. */
static struct port_access {
	uint16_t port;
	bool out;
	uint8_t size;
	uint32_t value;
} port_log[8];
static unsigned int port_log_n;

static int f_port_io(struct coco_vmm_vcpu *v, uint16_t port, bool out, uint8_t size,
		     uint32_t *value)
{
	(void)v;
	if (port_log_n < 8)
		port_log[port_log_n++] = (struct port_access){ port, out, size, *value };
	if (!out)
		*value = 0xA5A5A5A5u;
	if (port == COCO_GUEST_EXIT_PORT) {
		ended++;
		return COCO_VMM_DONE;
	}
	return 0;
}

static int f_end(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *reason)
{
	(void)vmm;
	ended++;
	end_outcome = outcome;
	snprintf(end_reason, sizeof(end_reason), "%s", reason);
	return COCO_VMM_DONE;
}

static const struct tdx_chan_vmm_ops fake_ops = {
	.vcpu_index = f_index, .get_regs = f_get_regs, .set_regs = f_set_regs,
	.read_shared = f_read_shared, .write_shared = f_write_shared, .convert = f_convert,
	.port_io = f_port_io, .end = f_end,
};

static struct coco_host *host;
static void *chan;
static uint8_t image[2 * PAGE];

static int suite_init(void)
{
	struct coco_host_options o = { .private_platform = true };
	const struct coco_region r = { .gpa = IMAGE_GPA, .size = sizeof(image),
				       .type = COCO_PAGE_MEASURED, .data = image,
				       .data_len = sizeof(image), .label = "image" };
	struct coco_launch_plan *plan = NULL;
	struct coco_vm_config c;
	int ret;

	memset(image, 0x5A, sizeof(image));
	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.name = "chan";
	c.memory_size = 16 * MiB;
	c.vcpus = 2;
	ret = coco_host_open("tdx-model", &o, &host);
	if (!ret)
		ret = coco_vm_create(host, &c, &the_vm);
	if (!ret)
		ret = coco_plan_new(&plan);
	if (!ret)
		ret = coco_plan_add_region(plan, &r);
	for (uint32_t i = 0; !ret && i < 2; i++) {
		const struct coco_vcpu_desc v = { .index = i };
		ret = coco_plan_add_vcpu(plan, &v);
	}
	if (!ret)
		ret = coco_vm_launch_plan(the_vm, plan);
	coco_plan_free(plan);
	if (!ret)
		ret = tdx_chan_open_with(&fake_ops, NULL, the_vm, &chan);
	if (ret)
		fprintf(stderr, "\n  setting up the TD: %s\n", coco_last_error());
	return ret ? -1 : 0;
}

static int suite_clean(void)
{
	tdx_model_guest_channel.close(chan);
	if (the_vm)
		coco_vm_destroy(the_vm);
	coco_host_close(host);
	return 0;
}

/* `out %al, $0xf5` with RAX = @leaf on vCPU @v. */
static int doorbell(struct fake_vcpu *v, uint64_t leaf)
{
	uint8_t al = 0;

	v->regs.rax = leaf;
	return tdx_model_guest_channel.io(chan, (struct coco_vmm_vcpu *)(void *)v,
					  COCO_MODEL_TDCALL_PORT, true, 1, 1, &al);
}

/* TDG.VP.VMCALL with R10..R15 exposed. */
static int vmcall(struct fake_vcpu *v, uint64_t sub, uint64_t r12, uint64_t r13)
{
	v->regs.rcx = 0xFC00;
	v->regs.r10 = 0;
	v->regs.r11 = sub;
	v->regs.r12 = r12;
	v->regs.r13 = r13;
	return doorbell(v, TDG_VP_VMCALL);
}

static void test_vp_info(void)
{
	struct fake_vcpu v = { .index = 1 };

	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_VP_INFO), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_SUCCESS);
	CU_ASSERT_EQUAL(v.regs.rcx, 48);
	CU_ASSERT_EQUAL(v.regs.r8 & 0xFFFFFFFF, 2);	/* NUM_VCPUS */
	CU_ASSERT_EQUAL(v.regs.r8 >> 32, 2);		/* MAX_VCPUS */
	CU_ASSERT_EQUAL(v.regs.r9, 1);			/* VCPU_INDEX */
	v.index = 0;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_VP_INFO), 0);
	CU_ASSERT_EQUAL(v.regs.r9, 0);
}

static void test_veinfo_and_unknown_leaves(void)
{
	struct fake_vcpu v = { .index = 0 };

	v.regs.rcx = 0x1234;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_VP_VEINFO_GET), 0);
	CU_ASSERT_EQUAL(tdx_status_code(v.regs.rax), TDX_NO_VALID_VE_INFO);
	CU_ASSERT_EQUAL(v.regs.rcx, 0);
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, 99), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RAX);
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, 1ull << 40), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RAX);
	CU_ASSERT_EQUAL(ended, 0);
}

static void test_accept(void)
{
	struct fake_vcpu v = { .index = 0 };
	uint8_t *view = coco_vm_guest_ptr(the_vm, RAM_PAGE, PAGE);

	CU_ASSERT_PTR_NOT_NULL_FATAL(view);
	memset(view, 0xAA, PAGE);
	/* Never added: the channel AUGs it (KVM's EPT violation) and the ACCEPT succeeds. */
	v.regs.rcx = RAM_PAGE;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_SUCCESS);
	CU_ASSERT_EQUAL(view[0], 0);
	CU_ASSERT_EQUAL(view[PAGE - 1], 0);
	v.regs.rcx = RAM_PAGE;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_EQUAL(tdx_status_code(v.regs.rax), TDX_PAGE_ALREADY_ACCEPTED);
	/* 2 MiB: the model maps 4 KiB only (as KVM's TDX MMU): PAGE_SIZE_MISMATCH. */
	v.regs.rcx = 0x800000 | 1;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_EQUAL(tdx_status_code(v.regs.rax), TDX_PAGE_SIZE_MISMATCH);
	/* Outside guest RAM: no page is added; the module's status reaches the guest. */
	v.regs.rcx = 0x40000000;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_TRUE(tdx_status_is_error(v.regs.rax));
	/* Shared-bit GPA: an operand error. */
	v.regs.rcx = SHARED_BIT | RAM_PAGE;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
}

/* A TDREPORT through the doorbell into the guest's view of an accepted page. */
static void get_report(const uint8_t reportdata[64], uint8_t report[TDX_TDREPORT_SIZE])
{
	struct fake_vcpu v = { .index = 0 };
	const uint64_t page = RAM_PAGE + PAGE;
	uint8_t *view = coco_vm_guest_ptr(the_vm, page, PAGE);

	v.regs.rcx = page;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MEM_PAGE_ACCEPT), 0);
	CU_ASSERT_TRUE(v.regs.rax == TDX_SUCCESS ||
		       tdx_status_code(v.regs.rax) == TDX_PAGE_ALREADY_ACCEPTED);
	memset(view, 0, PAGE);
	memcpy(view + 2048, reportdata, 64);
	v.regs.rcx = page;
	v.regs.rdx = page + 2048;
	v.regs.r8 = 0;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_MR_REPORT), 0);
	CU_ASSERT_EQUAL_FATAL(v.regs.rax, TDX_SUCCESS);
	memcpy(report, view, TDX_TDREPORT_SIZE);
}

static void test_report_and_quote(void)
{
	static uint8_t report[TDX_TDREPORT_SIZE];
	const uint64_t buf_gpa = 0x600000, buf_size = 4 * PAGE;
	struct fake_vcpu v = { .index = 0 };
	uint8_t reportdata[64], *buf;

	for (unsigned int i = 0; i < 64; i++)
		reportdata[i] = (uint8_t)(i * 7 + 1);
	get_report(reportdata, report);
	CU_ASSERT_EQUAL(report[0], TDX_REPORT_TYPE_TDX);
	/* REPORTMACSTRUCT.REPORTDATA at offset 128 of the report. */
	CU_ASSERT_EQUAL(memcmp(report + 128, reportdata, 64), 0);

	/* The shared buffer: MapGPA to shared, then GetQuote. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, SHARED_BIT | buf_gpa, buf_size), 0);
	CU_ASSERT_EQUAL_FATAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	buf = coco_vm_guest_ptr(the_vm, buf_gpa, buf_size);
	memset(buf, 0, buf_size);
	coco_put_le64(buf, 1);
	coco_put_le32(buf + 16, TDX_TDREPORT_SIZE);
	memcpy(buf + 24, report, sizeof(report));
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | buf_gpa, buf_size), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(coco_le64(buf + 8), TDX_GET_QUOTE_SUCCESS);
	CU_ASSERT(coco_le32(buf + 20) > QUOTE_OFF_REPORTDATA + 64);
	CU_ASSERT(coco_le32(buf + 20) <= buf_size - 24);
	CU_ASSERT_EQUAL(coco_le16(buf + 24), 4);	/* quote version 4 */
	CU_ASSERT_EQUAL(memcmp(buf + 24 + QUOTE_OFF_REPORTDATA, reportdata, 64), 0);

	/* A forged report: the platform's QE refuses it; the call itself succeeds. */
	memset(buf, 0, buf_size);
	coco_put_le64(buf, 1);
	coco_put_le32(buf + 16, TDX_TDREPORT_SIZE);
	memcpy(buf + 24, report, sizeof(report));
	buf[24 + 128] ^= 1;
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | buf_gpa, buf_size), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(coco_le64(buf + 8), TDX_GET_QUOTE_ERROR);
	CU_ASSERT_EQUAL(coco_le32(buf + 20), 0);

	/* A buffer too small for the quote. */
	buf[24 + 128] ^= 1;
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | buf_gpa, PAGE), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(coco_le64(buf + 8), TDX_GET_QUOTE_ERROR);

	/* Bad version: INVALID_OPERAND, the buffer untouched. */
	coco_put_le64(buf, 2);
	coco_put_le64(buf + 8, 0x77);
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | buf_gpa, buf_size), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(coco_le64(buf + 8), 0x77);
	CU_ASSERT_EQUAL(ended, 0);
}

static void test_get_quote_private_buffer(void)
{
	struct fake_vcpu v = { .index = 0 };

	/* A private page named as shared: the VMM cannot read it. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | RAM_PAGE, PAGE), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	/* Without the shared bit. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, RAM_PAGE, PAGE), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	/* Unaligned size. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_QUOTE, SHARED_BIT | 0x600000, 100), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_ALIGN_ERROR);
}

static void test_map_gpa(void)
{
	struct fake_vcpu v = { .index = 0 };
	const uint64_t gpa = 0xA00000;
	enum coco_mem_state st;
	uint64_t run;

	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, SHARED_BIT | gpa, 2 * MiB), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(the_vm, gpa + MiB, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_SHARED);
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, gpa, 2 * MiB), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(coco_vm_mem_get_state(the_vm, gpa + MiB, &st, &run), 0);
	CU_ASSERT_EQUAL(st, COCO_MEM_PRIVATE);
	/* Misaligned: ALIGN_ERROR, R11 = the GPA. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, gpa + 8, PAGE), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_ALIGN_ERROR);
	CU_ASSERT_EQUAL(v.regs.r11, gpa + 8);
	/* Past guest RAM (16 MiB) in the second 2 MiB piece: stops there, R11 says where. */
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, SHARED_BIT | (14 * MiB), 4 * MiB), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(v.regs.r11, SHARED_BIT | (16 * MiB));
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, 14 * MiB, 2 * MiB), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
}

static void test_vmcall_misc(void)
{
	struct fake_vcpu v = { .index = 0 };

	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_TD_VM_CALL_INFO, 1, 0), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(v.regs.r11, TDVMCALL_INFO_1_R11_GET_QUOTE);
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_GET_TD_VM_CALL_INFO, 7, 0), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, 0x12345, 0, 0), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_SUCCESS);
	/* Instruction.IO: bad operands never reach the VMM's ports. */
	port_log_n = 0;
	v.regs.r14 = 0x3f8;
	v.regs.r15 = 'x';
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 3, 1), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(port_log_n, 0);
	CU_ASSERT_EQUAL(ended, 0);
	/* A control with RSP exposed: the TDCALL fails, R10 untouched. */
	v.regs.rcx = 0xFC10;
	v.regs.r10 = 0x55;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_VP_VMCALL), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_OPERAND_INVALID | TDX_OPERAND_ID_RCX);
	CU_ASSERT_EQUAL(v.regs.r10, 0x55);
	/* A vendor-specific call (R10 != 0). */
	v.regs.rcx = 0xFC00;
	v.regs.r10 = 1;
	CU_ASSERT_EQUAL_FATAL(doorbell(&v, TDG_VP_VMCALL), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUBFUNC_UNSUPPORTED);
	CU_ASSERT_EQUAL(ended, 0);
}

/* Instruction.IO reaches the VMM's ports as the IN/OUT would (GHCI; KVM tdx_emulate_io). */
static void test_instruction_io(void)
{
	struct fake_vcpu v = { .index = 1 };

	ended = 0;
	port_log_n = 0;
	/* OUT of one byte to the console: R15 is the value, masked to the size. */
	v.regs.r14 = COCO_GUEST_CONSOLE_PORT;
	v.regs.r15 = 0x1200 | 'x';
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 1, 1), 0);
	CU_ASSERT_EQUAL(v.regs.rax, TDX_SUCCESS);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL_FATAL(port_log_n, 1);
	CU_ASSERT_EQUAL(port_log[0].port, COCO_GUEST_CONSOLE_PORT);
	CU_ASSERT_TRUE(port_log[0].out);
	CU_ASSERT_EQUAL(port_log[0].size, 1);
	CU_ASSERT_EQUAL(port_log[0].value, 'x');
	/* IN of two bytes: R11 gets the value read, zero-extended from the size. */
	v.regs.r14 = 0x60;
	v.regs.r11 = ~0ull;
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 2, 0), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	CU_ASSERT_EQUAL(v.regs.r11, 0xA5A5);
	CU_ASSERT_EQUAL_FATAL(port_log_n, 2);
	CU_ASSERT_FALSE(port_log[1].out);
	CU_ASSERT_EQUAL(port_log[1].value, 0);	/* an IN sends nothing */
	/* OUT of four bytes to the exit port: the run ends there, no registers written back. */
	v.regs.r14 = COCO_GUEST_EXIT_PORT;
	v.regs.r15 = 7;
	v.regs.r10 = 0x55;
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 4, 1), COCO_VMM_DONE);
	CU_ASSERT_EQUAL(ended, 1);
	CU_ASSERT_EQUAL(port_log[2].value, 7);
	/* Port beyond 16 bits, direction 2: INVALID_OPERAND, not an access. */
	v.regs.r14 = 0x10000;
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 1, 1), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	v.regs.r14 = 0x3f8;
	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_INSTRUCTION_IO, 1, 2), 0);
	CU_ASSERT_EQUAL(v.regs.r10, TDVMCALL_STATUS_INVALID_OPERAND);
	CU_ASSERT_EQUAL(port_log_n, 3);
	ended = 0;
}

static void test_wrong_ports(void)
{
	struct fake_vcpu v = { .index = 0 };
	uint32_t four = 0;

	ended = 0;
	CU_ASSERT_EQUAL(tdx_model_guest_channel.io(chan, (struct coco_vmm_vcpu *)(void *)&v,
						   COCO_MODEL_TDCALL_PORT, true, 4, 1, &four),
			COCO_VMM_DONE);
	CU_ASSERT_EQUAL(end_outcome, COCO_VMM_FAILED);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "1-byte OUT"));
	CU_ASSERT_EQUAL(tdx_model_guest_channel.io(chan, (struct coco_vmm_vcpu *)(void *)&v, 0x80,
						   true, 1, 1, &four), COCO_VMM_DONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "0x80"));
	CU_ASSERT_EQUAL(ended, 2);
	ended = 0;
}

static void test_fatal_error(void)
{
	struct fake_vcpu v = { .index = 1 };
	uint8_t msg[16] = "guest gave up";

	ended = 0;
	v.regs.r14 = coco_le64(msg);
	v.regs.r15 = coco_le64(msg + 8);
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, 0x2a, 0), COCO_VMM_DONE);
	CU_ASSERT_EQUAL(ended, 1);
	CU_ASSERT_EQUAL(end_outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "ReportFatalError: error code 0x2a"));
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "guest gave up"));
	ended = 0;
}

/* ReportFatalError with R12 bit 63: the shared page at R13 is read into the reason. */
static void test_fatal_error_page(void)
{
	const uint64_t page_gpa = 0x700000;
	const uint64_t gpa_valid = 1ull << 63;
	struct fake_vcpu v = { .index = 0 };
	static const char text[] = "panic: out of memory\nin the TD's allocator";
	uint8_t *page;

	ended = 0;
	/* Private: the VMM may not read it; the TD still ends, the reason says so. */
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, gpa_valid | 0x2b,
			       SHARED_BIT | page_gpa), COCO_VMM_DONE);
	CU_ASSERT_EQUAL(end_outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "message page at 0x700000 unreadable"));
	CU_ASSERT_PTR_NULL(strstr(end_reason, "out of memory"));

	CU_ASSERT_EQUAL_FATAL(vmcall(&v, TDVMCALL_MAP_GPA, SHARED_BIT | page_gpa, PAGE), 0);
	CU_ASSERT_EQUAL_FATAL(v.regs.r10, TDVMCALL_STATUS_SUCCESS);
	page = coco_vm_guest_ptr(the_vm, page_gpa, PAGE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(page);
	memset(page, 0, PAGE);
	memcpy(page, text, sizeof(text));
	page[5] = 0x01;		/* a control byte the reason must not carry */
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, gpa_valid | 0x2b,
			       SHARED_BIT | page_gpa), COCO_VMM_DONE);
	CU_ASSERT_EQUAL(end_outcome, COCO_VMM_TERMINATED);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "error code 0x800000000000002b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason,
				      "\"panic? out of memory in the TD's allocator\""));

	/* Without bit 63 the page is not read, whatever R13 holds. */
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, 0x2b, SHARED_BIT | page_gpa),
			COCO_VMM_DONE);
	CU_ASSERT_PTR_NULL(strstr(end_reason, "message page"));
	/* R13 without the shared bit, or not page aligned: named, not read. */
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, gpa_valid, page_gpa),
			COCO_VMM_DONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "not a 4 KiB-aligned shared GPA"));
	CU_ASSERT_EQUAL(vmcall(&v, TDVMCALL_REPORT_FATAL_ERROR, gpa_valid,
			       SHARED_BIT | (page_gpa + 8)), COCO_VMM_DONE);
	CU_ASSERT_PTR_NOT_NULL(strstr(end_reason, "not a 4 KiB-aligned shared GPA"));
	CU_ASSERT_EQUAL(ended, 5);
	ended = 0;
}

static void test_boot_state(void)
{
	struct kvm_regs regs;
	struct kvm_sregs sregs;

	memset(&regs, 0x11, sizeof(regs));
	memset(&sregs, 0, sizeof(sregs));
	sregs.apic_base = 0xFEE00900;
	CU_ASSERT_EQUAL_FATAL(tdx_model_guest_channel.vcpu_boot_state(chan, 1, &regs, &sregs), 0);
	CU_ASSERT_EQUAL(regs.rip, 0xFFFFFFF0);
	CU_ASSERT_EQUAL(regs.rflags, 2);
	CU_ASSERT_EQUAL(regs.rbx, 48);
	CU_ASSERT_EQUAL(regs.rsi, 1);
	CU_ASSERT_EQUAL(regs.rcx, 0);
	CU_ASSERT_EQUAL(regs.rax, 0);
	CU_ASSERT_EQUAL(sregs.cr0, 0x21);
	CU_ASSERT_EQUAL(sregs.cr0 & (1u << 31), 0);		/* paging off */
	CU_ASSERT_EQUAL(sregs.cs.db, 1);			/* 32-bit */
	CU_ASSERT_EQUAL(sregs.cs.l, 0);
	CU_ASSERT_EQUAL(sregs.cs.limit, 0xFFFFFFFF);
	CU_ASSERT_EQUAL(sregs.cs.type, 0xB);
	CU_ASSERT_EQUAL(sregs.ds.type, 0x3);
	CU_ASSERT_EQUAL(sregs.ss.base, 0);
	CU_ASSERT_EQUAL(sregs.ldt.unusable, 1);
	CU_ASSERT_EQUAL(sregs.tr.present, 1);
	CU_ASSERT_EQUAL(sregs.apic_base, 0xFEE00900);	/* KVM's, untouched */
	CU_ASSERT_EQUAL(tdx_model_guest_channel.vcpu_boot_state(chan, 2, &regs, &sregs), -EINVAL);
	CU_ASSERT_EQUAL(tdx_model_guest_channel.nmsrs, 0);
}

/* Evidence the guest hands over: the host attaches the platform's root, the only anchor. */
static void test_evidence_complete(void)
{
	uint8_t rd[64] = { 7 };
	struct coco_evidence *host_made = NULL, *handed = NULL, *forged = NULL;
	struct coco_trust_anchors *anchors = NULL;
	struct tdx_qe_model *other;
	const uint8_t *bytes;
	uint8_t *quote = NULL;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(coco_vm_get_evidence(the_vm, rd, &host_made), 0);
	bytes = coco_evidence_bytes(host_made, &len);
	/* The same quote as a guest would hand it over: no anchor until the host adds one. */
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, bytes, len, &handed), 0);
	CU_ASSERT_EQUAL(coco_trust_anchors_from_evidence(handed, &anchors), -ENOENT);
	CU_ASSERT_EQUAL_FATAL(tdx_model_guest_channel.evidence_complete(chan, handed), 0);
	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_evidence(handed, &anchors), 0);
	CU_ASSERT_EQUAL(coco_evidence_verify(handed, anchors, NULL, NULL), 0);
	coco_trust_anchors_free(anchors);
	anchors = NULL;
	/* A quote under a chain of the guest's own making does not verify once completed. */
	CU_ASSERT_EQUAL_FATAL(tdx_qe_model_generate(&other), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_test_model_quote(other, 4, rd, &quote, &len), 0);
	CU_ASSERT_EQUAL_FATAL(coco_evidence_parse(COCO_EVIDENCE_TDX_QUOTE, quote, len, &forged), 0);
	CU_ASSERT_EQUAL_FATAL(tdx_model_guest_channel.evidence_complete(chan, forged), 0);
	CU_ASSERT_EQUAL_FATAL(coco_trust_anchors_from_evidence(forged, &anchors), 0);
	CU_ASSERT(coco_evidence_verify(forged, anchors, NULL, NULL) < 0);
	coco_trust_anchors_free(anchors);
	coco_evidence_free(forged);
	free(quote);
	tdx_qe_model_free(other);
	coco_evidence_free(handed);
	coco_evidence_free(host_made);
}

static void test_open_refuses_unlaunched(void)
{
	struct coco_vm_config c;
	struct coco_vm *vm = NULL;
	void *st = (void *)1;

	coco_vm_config_init(&c, COCO_VENDOR_INTEL_TDX);
	c.memory_size = 16 * MiB;
	c.vcpus = 1;
	CU_ASSERT_EQUAL_FATAL(coco_vm_create(host, &c, &vm), 0);
	CU_ASSERT_EQUAL(tdx_chan_open_with(&fake_ops, NULL, vm, &st), -EINVAL);
	CU_ASSERT_PTR_NULL(st);
	coco_vm_destroy(vm);
}

static CU_TestInfo tests[] = {
	{ "TDG.VP.INFO through the doorbell", test_vp_info },
	{ "VEINFO.GET and unknown leaves", test_veinfo_and_unknown_leaves },
	{ "ACCEPT adds the page first, zeroes the guest's view", test_accept },
	{ "TDREPORT in the guest's view and its quote through GetQuote", test_report_and_quote },
	{ "GetQuote refuses private and malformed buffers", test_get_quote_private_buffer },
	{ "MapGPA both ways, errors name the GPA", test_map_gpa },
	{ "GetTdVmCallInfo, unknown subfunctions, bad Instruction.IO, bad control", test_vmcall_misc },
	{ "Instruction.IO reaches the VMM's ports", test_instruction_io },
	{ "wrong doorbell use and unknown ports end the run", test_wrong_ports },
	{ "ReportFatalError terminates with the message", test_fatal_error },
	{ "ReportFatalError reads its message page", test_fatal_error_page },
	{ "TD vCPU reset state", test_boot_state },
	{ "guest evidence completed with the platform root", test_evidence_complete },
	{ "open refuses a TD that is not finalised", test_open_refuses_unlaunched },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "tdx-guest-channel", suite_init, suite_clean, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Stand-ins for the coco-vmm helpers (core/vmm.h) until core/vmm.c is in
 * the tree: the SNP guest channel links against them, and every call says
 * that no VMM runs the guest.  sev-snp/meson.build compiles this file only
 * when core/vmm.c does not exist.
 */
#include <errno.h>

#include "core/error.h"
#include "core/vmm.h"

static int no_vmm(const char *what)
{
	return coco_err(-ENOSYS, "%s: this build has no coco-vmm engine (core/vmm.c)", what);
}

int coco_vmm_convert(struct coco_vmm *vmm, uint64_t gpa, uint64_t size, enum coco_mem_state to)
{
	(void)vmm, (void)gpa, (void)size, (void)to;
	return no_vmm("coco_vmm_convert");
}

int coco_vmm_end(struct coco_vmm *vmm, enum coco_vmm_outcome outcome, const char *fmt, ...)
{
	(void)vmm, (void)outcome, (void)fmt;
	return no_vmm("coco_vmm_end");
}

int coco_vmm_read_shared(struct coco_vmm *vmm, uint64_t gpa, void *buf, size_t len)
{
	(void)vmm, (void)gpa, (void)buf, (void)len;
	return no_vmm("coco_vmm_read_shared");
}

int coco_vmm_write_shared(struct coco_vmm *vmm, uint64_t gpa, const void *buf, size_t len)
{
	(void)vmm, (void)gpa, (void)buf, (void)len;
	return no_vmm("coco_vmm_write_shared");
}

int coco_vmm_vcpu_start(struct coco_vmm *vmm, uint32_t index, const struct kvm_regs *regs,
			const struct kvm_sregs *sregs)
{
	(void)vmm, (void)index, (void)regs, (void)sregs;
	return no_vmm("coco_vmm_vcpu_start");
}

uint32_t coco_vmm_vcpu_index(const struct coco_vmm_vcpu *vcpu)
{
	(void)vcpu;
	return 0;
}

int coco_vmm_vcpu_get_regs(struct coco_vmm_vcpu *vcpu, struct kvm_regs *regs)
{
	(void)vcpu, (void)regs;
	return no_vmm("coco_vmm_vcpu_get_regs");
}

int coco_vmm_vcpu_set_regs(struct coco_vmm_vcpu *vcpu, const struct kvm_regs *regs)
{
	(void)vcpu, (void)regs;
	return no_vmm("coco_vmm_vcpu_set_regs");
}

int coco_vmm_vcpu_translate(struct coco_vmm_vcpu *vcpu, uint64_t gva, uint64_t *gpa)
{
	(void)vcpu, (void)gva, (void)gpa;
	return no_vmm("coco_vmm_vcpu_translate");
}

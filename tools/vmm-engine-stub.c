/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TEMPORARY, development only: the coco_vmm_* and coco_plan_from_guest_image
 * entry points until the engine (core/vmm.c, core/guest-image.c) is on main.
 * Linked into the tools only while core/vmm.c does not exist; every call fails.
 */
#include <errno.h>

#include <coco/coco.h>

const char *coco_vmm_outcome_name(enum coco_vmm_outcome outcome)
{
	switch (outcome) {
	case COCO_VMM_EXITED: return "exited";
	case COCO_VMM_TERMINATED: return "terminated";
	case COCO_VMM_FAILED: return "failed";
	case COCO_VMM_TIMED_OUT: return "timed_out";
	case COCO_VMM_STOPPED: return "stopped";
	}
	return "unknown";
}

int coco_vmm_create(const struct coco_vmm_options *opts, struct coco_vmm **vmm)
{
	(void)opts;
	(void)vmm;
	return -ENOSYS;
}

int coco_vmm_run(struct coco_vmm *vmm, struct coco_vmm_result *res)
{
	(void)vmm;
	(void)res;
	return -ENOSYS;
}

void coco_vmm_stop(struct coco_vmm *vmm) { (void)vmm; }
void coco_vmm_destroy(struct coco_vmm *vmm) { (void)vmm; }
struct coco_vm *coco_vmm_vm(struct coco_vmm *vmm) { (void)vmm; return NULL; }
const char *coco_vmm_backend_name(const struct coco_vmm *vmm) { (void)vmm; return "none"; }
const struct coco_measurement *coco_vmm_measurement(const struct coco_vmm *vmm)
{
	(void)vmm;
	return NULL;
}
const struct coco_evidence *coco_vmm_evidence(const struct coco_vmm *vmm)
{
	(void)vmm;
	return NULL;
}

int coco_plan_from_guest_image(const char *backend, const struct coco_guest_image_spec *spec,
			       const struct coco_vm_config *config,
			       struct coco_launch_plan **plan)
{
	(void)backend;
	(void)spec;
	(void)config;
	(void)plan;
	return -ENOSYS;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: running a confidential VM (coco-vmm's engine).
 *
 * coco_vmm_create opens the backend's host, makes the KVM VM (the vendor's
 * VM type on hardware; the default type with the platform models, which
 * enforce the confidential rules themselves), backs every guest memory slot
 * with a guest_memfd registered through KVM_SET_USER_MEMORY_REGION2,
 * launches the guest image through the backend's launch flow (so the
 * measurement is what coco_plan_expected_measurement computes for the same
 * image), and makes the vCPUs with the in-kernel irqchip.  coco_vmm_run
 * runs one thread per vCPU until the guest exits, terminates, misbehaves,
 * times out or is stopped.  The guest-facing ABI is docs/guest-abi.md.
 *
 * Needs /dev/kvm: without it coco_vmm_create fails with -ENOENT/-EACCES
 * and a message saying so.
 */
#ifndef COCO_VMM_H
#define COCO_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/evidence.h>
#include <coco/launch.h>
#include <coco/vm.h>

#ifdef __cplusplus
extern "C" {
#endif

struct coco_vmm;
struct coco_vmm_vcpu;

struct coco_vmm_options {
	const char *backend;		/* backend name, "auto" or NULL (= auto / COCO_BACKEND) */
	const char *platform_path;	/* model platform file; NULL = the default */
	bool private_platform;		/* model: an anonymous platform for this VM only */
	struct coco_vm_config config;	/* memory_size, vcpus, vendor policy */
	const void *image;		/* ELF guest image (coco_plan_from_guest_image) */
	size_t image_len;
	/* What the boot parameters page tells the guest (docs/guest-abi.md). */
	uint32_t guest_mode;		/* COCO_GUEST_MODE_*; 0 = the normal run */
	uint64_t guest_arg0, guest_arg1;
	uint8_t report_data[COCO_REPORT_DATA_SIZE];	/* for the guest's evidence */
	unsigned int timeout_ms;	/* 0: no watchdog */
	/* Console bytes as the guest writes them (from vCPU threads; serialised). */
	void (*console)(void *ctx, const char *bytes, size_t len);
	void *console_ctx;
};

enum coco_vmm_outcome {
	COCO_VMM_EXITED = 1,		/* the guest wrote the exit port: exit_status */
	COCO_VMM_TERMINATED = 2,	/* the guest asked to terminate: reason */
	COCO_VMM_FAILED = 3,		/* the guest misbehaved or KVM failed: reason */
	COCO_VMM_TIMED_OUT = 4,
	COCO_VMM_STOPPED = 5,		/* coco_vmm_stop */
};

const char *coco_vmm_outcome_name(enum coco_vmm_outcome outcome);

struct coco_vmm_result {
	enum coco_vmm_outcome outcome;
	uint32_t exit_status;
	char reason[512];		/* TERMINATED / FAILED / TIMED_OUT: what happened */
	uint64_t exits;			/* KVM_RUN returns handled, all vCPUs */
	uint32_t vcpus_started;
};

/* Everything up to a launched VM whose vCPUs are ready to run. */
int coco_vmm_create(const struct coco_vmm_options *opts, struct coco_vmm **vmm);

/* Run until the outcome; once per VMM.  Returns 0 with @res filled, or an error. */
int coco_vmm_run(struct coco_vmm *vmm, struct coco_vmm_result *res);

/* From any thread: end a run in progress (outcome STOPPED).  Async-signal-unsafe. */
void coco_vmm_stop(struct coco_vmm *vmm);

void coco_vmm_destroy(struct coco_vmm *vmm);

struct coco_vm *coco_vmm_vm(struct coco_vmm *vmm);
const char *coco_vmm_backend_name(const struct coco_vmm *vmm);
/* The measurement the launch produced (what the evidence must carry). */
const struct coco_measurement *coco_vmm_measurement(const struct coco_vmm *vmm);
/* The evidence the guest handed over (port 0xf6), completed with the platform's certificates; NULL if none. */
const struct coco_evidence *coco_vmm_evidence(const struct coco_vmm *vmm);

#ifdef __cplusplus
}
#endif

#endif /* COCO_VMM_H */

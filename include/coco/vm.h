/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: confidential VMs and their launch.
 *
 * Lifecycle (a state machine; calls out of order fail with -EBUSY or
 * -EINVAL and a message naming the state and the call expected):
 *
 *   coco_vm_create          -> CREATED
 *   coco_vm_launch_begin    CREATED   -> LAUNCHING
 *   coco_vm_launch_add_region / coco_vm_launch_add_vcpu   (LAUNCHING only;
 *                           every vCPU after every region)
 *   coco_vm_launch_finish   LAUNCHING -> LAUNCHED (measurement final)
 *   coco_vm_destroy         any state; releases the platform resources
 *
 * A failed launch step moves the VM to FAILED: only destroy is possible.
 */
#ifndef COCO_VM_H
#define COCO_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/host.h>
#include <coco/launch.h>
#include <coco/snp.h>
#include <coco/tdx.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The vendor half of a VM configuration. */
struct coco_vendor_policy {
	enum coco_vendor vendor;	/* must match the backend's vendor */
	union {
		struct coco_snp_policy snp;
		struct coco_tdx_policy tdx;
		uint8_t reserved[512];	/* room for other vendors, ABI stable */
	} u;
};

/* The vendor-neutral half. */
struct coco_vm_config {
	const char *name;		/* for messages; optional */
	uint64_t memory_size;		/* guest RAM in bytes, 2 MiB multiple; 0 = plan only */
	uint32_t vcpus;			/* >= 1 */
	/*
	 * CPUID(1).EAX the guest sees (family/model/stepping).  0 selects the
	 * backend default.  Measured on SEV-SNP (VMSA RDX); TDX takes it from the
	 * CPUID configuration of TD_PARAMS (not measured).
	 */
	uint32_t cpu_signature;
	struct coco_vendor_policy policy;
};

/* Fill @config with defaults for @vendor: 1 vCPU, no RAM, default policy. */
void coco_vm_config_init(struct coco_vm_config *config, enum coco_vendor vendor);

enum coco_vm_state {
	COCO_VM_CREATED = 0,
	COCO_VM_LAUNCHING = 1,
	COCO_VM_LAUNCHED = 2,
	COCO_VM_FAILED = 3,
};

const char *coco_vm_state_name(enum coco_vm_state state);

struct coco_vm;

/*
 * Create a VM on @host: validates the configuration (the vendor policy
 * included) and reserves the platform resources a guest needs (SNP: a guest
 * context and an ASID).  -EBUSY with a message when the platform is full.
 */
int coco_vm_create(struct coco_host *host, const struct coco_vm_config *config,
		   struct coco_vm **vm);

/* Release every platform resource of the VM and free it.  NULL is a no-op. */
void coco_vm_destroy(struct coco_vm *vm);

enum coco_vm_state coco_vm_get_state(const struct coco_vm *vm);
struct coco_host *coco_vm_host(const struct coco_vm *vm);

int coco_vm_launch_begin(struct coco_vm *vm);
int coco_vm_launch_add_region(struct coco_vm *vm, const struct coco_region *region);
int coco_vm_launch_add_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu);
int coco_vm_launch_finish(struct coco_vm *vm);

/* begin + every region + every vCPU + finish. */
int coco_vm_launch_plan(struct coco_vm *vm, const struct coco_launch_plan *plan);

/* ------------------------------------------------------------------ */
/* Memory state                                                         */

enum coco_mem_state {
	COCO_MEM_SHARED = 0,	/* host-accessible */
	COCO_MEM_PRIVATE = 1,	/* guest-private */
};

const char *coco_mem_state_name(enum coco_mem_state state);

/*
 * State of the page holding @gpa, and in @run_len (optional) how many bytes
 * from @gpa onwards share that state.  -ENOENT if @gpa is not guest memory.
 */
int coco_vm_mem_get_state(struct coco_vm *vm, uint64_t gpa,
			  enum coco_mem_state *state, uint64_t *run_len);

/*
 * Convert [gpa, gpa+size) to @to.  4 KiB aligned.  The backend performs the
 * platform transitions (SNP: RMP updates, splitting 2 MiB entries where a
 * range cuts one).  Converting a page to the state it is already in
 * succeeds.  On failure nothing of the range has changed state.
 */
int coco_vm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			enum coco_mem_state to);

#ifdef __cplusplus
}
#endif

#endif /* COCO_VM_H */

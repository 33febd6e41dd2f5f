/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend seam (architecture.md, seam 1).
 *
 * A backend implements one way of running confidential VMs.  The core owns
 * the objects and the rules (host, VM lifecycle, launch plan order, memory
 * state tracker, evidence container); a backend performs the vendor
 * operations behind them.  Optional features are NULL ops: the core turns
 * them into -ENOTSUP with a message, never a crash.
 *
 * Expected measurements are computed by running the plan through the same
 * launch ops on a *dry-run* VM (vm->dry_run, no host, no platform): the
 * backend routes its launch steps to a measuring sink instead of the
 * platform, so there is one launch code path and no second implementation
 * of the measurement rules.
 */
#ifndef COCO_BACKENDS_BACKEND_H
#define COCO_BACKENDS_BACKEND_H

#include <stdbool.h>
#include <stdint.h>

#include <coco/coco.h>

#include "core/internal.h"

struct coco_kvm_vm;
struct coco_guest_channel;

struct coco_backend {
	const char *name;		/* "sev-snp-model", "sev-snp", ... */
	enum coco_vendor vendor;
	bool hardware;
	const char *description;
	/* COCO_FEATURE_* that hold by the vendor's design, whatever the platform. */
	uint32_t design_features;

	/* Never opens anything it cannot close again; fills every check. */
	int (*probe)(struct coco_probe_result *result);

	int (*host_open)(struct coco_host *host, const struct coco_host_options *opts);
	void (*host_close)(struct coco_host *host);
	int (*caps)(struct coco_host *host, struct coco_caps *caps);

	/* Vendor policy checks of a VM configuration (no platform needed). */
	int (*config_validate)(const struct coco_vm_config *config);

	/* Launch plan from a firmware image, following the image's metadata. */
	int (*plan_firmware)(const struct coco_firmware_spec *spec,
			     const struct coco_vm_config *config,
			     struct coco_launch_plan **plan);

	/* vm->host is NULL and vm->dry_run true for expected measurements. */
	int (*vm_create)(struct coco_vm *vm);
	/*
	 * Release every platform resource of the VM, its memory slots'
	 * platform view included; the core unmaps the slots afterwards.
	 */
	void (*vm_destroy)(struct coco_vm *vm);

	int (*launch_begin)(struct coco_vm *vm);
	/* The region's GPA range is backed by guest memory (except dry runs). */
	int (*launch_region)(struct coco_vm *vm, const struct coco_region *region);
	int (*launch_vcpu)(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu);
	/* Dry runs write the expected measurement to @measurement. */
	int (*launch_finish)(struct coco_vm *vm, struct coco_measurement *measurement);

	/* Guest memory slot added (model: give it system physical addresses). */
	int (*mem_slot_add)(struct coco_vm *vm, struct coco_mem_slot *slot);

	/*
	 * Platform transitions for a conversion the core has validated.  On
	 * failure the backend has undone its partial work.  NULL: -ENOTSUP.
	 */
	int (*mem_convert)(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			   enum coco_mem_state to);

	/* NULL: -ENOTSUP ("evidence comes from inside the guest"). */
	int (*get_evidence)(struct coco_vm *vm, const uint8_t report_data[64],
			    struct coco_evidence **evidence);

	/*
	 * Guest images (core/guest-image.h): the vendor's pages after the
	 * image's segments and the boot parameters page (SNP: the secrets
	 * and CPUID pages at the guest-abi.h GPAs).  NULL: none.
	 */
	int (*plan_guest_image)(struct coco_launch_plan *plan,
				const struct coco_vm_config *config);

	/*
	 * Running the VM (core/vmm.h).  vmm_kvm_vm: the KVM VM a hardware
	 * backend made for @vm (the VMM adds vCPUs to it); NULL for the
	 * models, where the VMM makes a default-type KVM VM and backs the
	 * slots itself.  guest_channel: NULL when the backend cannot run
	 * guests.
	 */
	struct coco_kvm_vm *(*vmm_kvm_vm)(struct coco_vm *vm);
	const struct coco_guest_channel *guest_channel;
};

/* Registered backends, hardware first (auto selection order). */
size_t coco_backends_count(void);
const struct coco_backend *coco_backends_get(size_t index);
const struct coco_backend *coco_backends_find(const char *name);
/* First backend of @vendor_or_backend: a backend name or a vendor name. */
const struct coco_backend *coco_backends_for_measurement(const char *vendor_or_backend);

/* Probe helpers for backends. */
void coco_probe_init(struct coco_probe_result *result, const struct coco_backend *backend);
struct coco_probe_check *coco_probe_add(struct coco_probe_result *result, const char *name,
					bool passed, const char *remediation,
					const char *detail_fmt, ...) COCO_PRINTF(5, 6);
void coco_probe_finish(struct coco_probe_result *result);

/* Capability helper: append a vendor detail line. */
void coco_caps_add(struct coco_caps *caps, const char *key, const char *fmt, ...)
	COCO_PRINTF(3, 4);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: launch plans.
 *
 * A launch plan is the vendor-neutral description of a confidential VM's
 * initial image: an ordered list of guest-physical regions, each with a
 * neutral page type, and the initial state of the vCPUs.  The same plan is
 * both launched (coco_vm_launch_plan) and measured ahead of time
 * (coco_plan_expected_measurement); both go through the same backend code,
 * so the expected measurement is exactly what the platform will report.
 *
 * Order matters: measurements are hash chains over the regions in plan
 * order, and vCPU state comes after all regions.
 */
#ifndef COCO_LAUNCH_H
#define COCO_LAUNCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/host.h>

#ifdef __cplusplus
extern "C" {
#endif

#define COCO_PAGE_SIZE 4096u
#define COCO_LARGE_PAGE_SIZE (2u * 1024u * 1024u)

/* Neutral page types (how a region enters the guest and the measurement). */
enum coco_page_type {
	COCO_PAGE_MEASURED = 1,		/* contents copied in and measured */
	COCO_PAGE_ZERO = 2,		/* zero-filled private pages; the page's place is measured */
	COCO_PAGE_UNMEASURED = 3,	/* contents copied in, not measured */
	COCO_PAGE_SECRETS = 4,		/* platform writes its secrets page here */
	COCO_PAGE_CPUID = 5,		/* CPUID table checked by the platform */
	COCO_PAGE_VCPU_STATE = 6,	/* a vendor-format initial vCPU state page */
};

/* "measured", "zero", ...; NULL for an unknown type. */
const char *coco_page_type_name(enum coco_page_type type);

enum coco_region_flags {
	/* the backend may use 2 MiB pages where the region is 2 MiB aligned */
	COCO_REGION_LARGE_PAGES = 1u << 0,
};

struct coco_region {
	uint64_t gpa;			/* 4 KiB aligned */
	uint64_t size;			/* 4 KiB multiple, > 0 */
	enum coco_page_type type;
	/*
	 * Contents for MEASURED, UNMEASURED, CPUID and VCPU_STATE regions:
	 * data_len bytes (<= size), the rest of the region is zero.  NULL
	 * means all zero.  Ignored for ZERO and SECRETS regions.  The data is
	 * borrowed: it must stay valid while the plan (or the call) uses it.
	 */
	const void *data;
	uint64_t data_len;
	uint32_t flags;			/* enum coco_region_flags */
	const char *label;		/* optional, for messages ("firmware", "cpuid", ...) */
};

/*
 * One vCPU's initial state in neutral terms.  Backends whose vCPU state is
 * measured (SEV-SNP's VMSA) derive the vendor state from it; backends
 * whose state is architectural (TDX) only count it.
 */
struct coco_vcpu_desc {
	uint32_t index;			/* 0 = bootstrap processor */
	/*
	 * Reset entry point as a 32-bit linear address in the real-mode
	 * reset convention: CS.base = boot_ip & 0xffff0000, RIP = boot_ip &
	 * 0xffff.  0 selects the architectural reset vector 0xfffffff0.
	 */
	uint32_t boot_ip;
};

struct coco_launch_plan;

int coco_plan_new(struct coco_launch_plan **plan);
void coco_plan_free(struct coco_launch_plan *plan);

/*
 * Append a region.  Refuses misaligned, empty, overflowing or overlapping
 * regions, data longer than the region, and unknown page types.
 */
int coco_plan_add_region(struct coco_launch_plan *plan,
			 const struct coco_region *region);

/* Same, but the plan keeps its own copy of @region->data. */
int coco_plan_add_region_copy(struct coco_launch_plan *plan,
			      const struct coco_region *region);

/* Append the initial state of vCPU number count(plan) (BSP first). */
int coco_plan_add_vcpu(struct coco_launch_plan *plan,
		       const struct coco_vcpu_desc *vcpu);

/*
 * Measurement-only plans: start from the measurement that a launch prefix
 * left (e.g. the firmware image pages, precomputed elsewhere) instead of
 * the initial one.  Launches refuse such plans (the platform cannot skip
 * pages); backends whose measurement cannot resume from a value refuse
 * them with -ENOTSUP.
 */
int coco_plan_set_initial_measurement(struct coco_launch_plan *plan, const uint8_t *value,
				      size_t len);

size_t coco_plan_region_count(const struct coco_launch_plan *plan);
const struct coco_region *coco_plan_region(const struct coco_launch_plan *plan,
					   size_t index);
size_t coco_plan_vcpu_count(const struct coco_launch_plan *plan);
const struct coco_vcpu_desc *coco_plan_vcpu(const struct coco_launch_plan *plan,
					    size_t index);

/* ------------------------------------------------------------------ */
/* Plans built from a firmware image                                    */

enum coco_firmware_flags {
	/*
	 * Measure a firmware image that carries no confidential-computing
	 * metadata (no SEV metadata for SNP).  Such an image cannot boot a
	 * confidential guest correctly and its measurement misses the
	 * sections the guest needs, so this is refused unless asked for.
	 */
	COCO_FIRMWARE_ALLOW_NO_METADATA = 1u << 0,
	/* Measure only the firmware image itself (no metadata sections, no vCPUs). */
	COCO_FIRMWARE_IMAGE_ONLY = 1u << 1,
};

struct coco_firmware_spec {
	const char *firmware_path;	/* OVMF/TDVF image (or firmware_data) */
	const void *firmware_data;
	size_t firmware_len;
	/* Direct kernel boot: measured through the firmware's hashes table. */
	const char *kernel_path;	/* NULL: no direct kernel boot */
	const char *initrd_path;	/* NULL: empty initrd */
	const char *cmdline;		/* NULL: empty command line */
	uint32_t vcpus;			/* number of vCPUs (>= 1 unless IMAGE_ONLY) */
	/*
	 * Precomputed measurement of the firmware image pages (what
	 * IMAGE_ONLY yields; sev-snp-measure's --snp-ovmf-hash).  The image is
	 * still read for its metadata; the plan becomes measurement-only.
	 */
	const uint8_t *firmware_measurement;
	size_t firmware_measurement_len;
	uint32_t flags;			/* enum coco_firmware_flags */
};

struct coco_vm_config;

/*
 * Build the launch plan a backend would use for a firmware image (and
 * optional kernel/initrd/cmdline), following the image's own metadata.
 * @config supplies the vendor policy where it affects the plan (e.g. the
 * SNP VMM type); it may be NULL for defaults.  @backend is a backend name
 * or vendor name ("sev-snp"); no platform is opened.
 */
int coco_plan_from_firmware(const char *backend,
			    const struct coco_firmware_spec *spec,
			    const struct coco_vm_config *config,
			    struct coco_launch_plan **plan);

/* ------------------------------------------------------------------ */
/* Plans built from a guest image (ELF)                                 */

/*
 * A bare guest image: an ELF64 x86-64 executable whose PT_LOAD segments
 * are the guest's initial memory (coco-vmm runs such guests; the in-tree
 * test guests are built this way).  The segments are measured, in address
 * order; then comes the boot parameters page (unmeasured contents), the
 * vendor's own pages, and one vCPU per @vcpus, all starting at the
 * vendor's reset state.  docs/guest-abi.md describes the layout rules.
 */
struct coco_guest_image_spec {
	const char *path;		/* ELF file (or data/len) */
	const void *data;
	size_t len;
	uint32_t vcpus;			/* >= 1 */
	/* Contents of the boot parameters page (not measured); NULL = zeros. */
	const void *params;
	size_t params_len;		/* <= 4096 */
};

int coco_plan_from_guest_image(const char *backend, const struct coco_guest_image_spec *spec,
			       const struct coco_vm_config *config,
			       struct coco_launch_plan **plan);

/* ------------------------------------------------------------------ */
/* Expected measurement                                                 */

#define COCO_MEASUREMENT_MAX 64

struct coco_measurement {
	uint32_t size;				/* bytes used in value */
	uint8_t value[COCO_MEASUREMENT_MAX];
	char alg[16];				/* "sha384" */
};

/*
 * Measurement a launch of @plan under @config will produce on @backend's
 * vendor, computed by the very code that performs the launch.  No platform
 * is opened.
 */
int coco_plan_expected_measurement(const char *backend,
				   const struct coco_vm_config *config,
				   const struct coco_launch_plan *plan,
				   struct coco_measurement *measurement);

#ifdef __cplusplus
}
#endif

#endif /* COCO_LAUNCH_H */

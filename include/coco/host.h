/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocohost public API: backends, probes, hosts and capabilities.
 *
 * A *backend* is one way of running confidential VMs: AMD SEV-SNP on real
 * hardware ("sev-snp"), the SEV-SNP platform model ("sev-snp-model"), and
 * Intel TDX on real hardware ("tdx") and the TDX module model ("tdx-model").  Backends are chosen at run time:
 *
 *   - "auto" (or NULL): the first hardware backend whose probe passes, else
 *     the first model backend;
 *   - an explicit backend name;
 *   - the COCO_BACKEND environment variable, consulted when the caller
 *     passes NULL or "auto".
 *
 * A *host* is an opened backend: for a hardware backend the kernel
 * interfaces (/dev/kvm, /dev/sev, ...); for a model backend the platform
 * state file that stands in for the hardware.
 */
#ifndef COCO_HOST_H
#define COCO_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum coco_vendor {
	COCO_VENDOR_NONE = 0,
	COCO_VENDOR_AMD_SEV_SNP = 1,
	COCO_VENDOR_INTEL_TDX = 2,
};

/* "sev-snp", "tdx" or "none". */
const char *coco_vendor_name(enum coco_vendor vendor);

/* ------------------------------------------------------------------ */
/* Backend registry and probes                                          */

#define COCO_NAME_MAX 32
#define COCO_PROBE_MAX_CHECKS 16
#define COCO_PROBE_TEXT_MAX 256

/* One thing a probe looked at. */
struct coco_probe_check {
	char name[64];				/* e.g. "kvm_amd sev_snp" */
	bool passed;
	char detail[COCO_PROBE_TEXT_MAX];	/* what was found */
	char remediation[COCO_PROBE_TEXT_MAX];	/* what to do; "" if passed */
};

struct coco_probe_result {
	char backend[COCO_NAME_MAX];
	enum coco_vendor vendor;
	bool hardware;		/* drives real hardware (false: platform model) */
	bool available;		/* every check passed */
	unsigned int nchecks;
	struct coco_probe_check checks[COCO_PROBE_MAX_CHECKS];
};

/* Number of registered backends, and the name of the i-th (NULL if out of range). */
size_t coco_backend_count(void);
const char *coco_backend_name(size_t index);

/* Probe one backend by name.  Returns 0 (see ->available), -ENOENT for an unknown name. */
int coco_backend_probe(const char *name, struct coco_probe_result *result);

/*
 * Resolve a selection ("auto", NULL, or a name; NULL and "auto" honour
 * COCO_BACKEND) to a backend name.  Writes the probe of the chosen backend
 * to @result when non-NULL.  Fails with -ENODEV when the chosen backend's
 * probe does not pass (the message lists the failed checks and remedies).
 */
int coco_backend_select(const char *selection, const char **name,
			struct coco_probe_result *result);

/* ------------------------------------------------------------------ */
/* Hosts                                                                */

struct coco_host;

struct coco_host_options {
	/*
	 * Model backends: path of the platform state file that stands in for
	 * the hardware and outlives processes.  NULL: $COCO_PLATFORM_DIR or
	 * /run/cocohost (root) / $XDG_RUNTIME_DIR/cocohost, one file per
	 * backend.  Ignored by hardware backends.
	 */
	const char *platform_path;
	/*
	 * Model backends: use a private, anonymous platform that disappears
	 * with the host (tests, dry runs).
	 */
	bool private_platform;
	/*
	 * Model backends: the number of guests the platform can hold at once
	 * (SNP: ASIDs; TDX: private KeyIDs).  0 selects the model default.  Only used when the
	 * platform is created.
	 */
	uint32_t model_max_guests;
};

int coco_host_open(const char *selection, const struct coco_host_options *opts,
		   struct coco_host **host);

/*
 * Close the host.  VMs still alive keep it open until the last of them is
 * destroyed (nothing else may be done with @host after this call).
 */
void coco_host_close(struct coco_host *host);

const char *coco_host_backend(const struct coco_host *host);
enum coco_vendor coco_host_vendor(const struct coco_host *host);
bool coco_host_is_hardware(const struct coco_host *host);

/* ------------------------------------------------------------------ */
/* Capabilities                                                         */

enum coco_feature {
	COCO_FEATURE_LAUNCH = 1u << 0,
	COCO_FEATURE_MEMORY_CONVERSION = 1u << 1,
	COCO_FEATURE_EVIDENCE = 1u << 2,	/* host can obtain evidence for a VM */
	COCO_FEATURE_INTERRUPTS = 1u << 3,
	COCO_FEATURE_HANDOVER = 1u << 4,
	COCO_FEATURE_LARGE_PAGES = 1u << 5,	/* 2 MiB private pages */
	/*
	 * The vCPUs' initial state is part of the launch measurement (SEV-SNP
	 * VMSAs); without it the measurement does not depend on the vCPUs (TDX:
	 * the initial state is architectural).
	 */
	COCO_FEATURE_MEASURED_VCPU_STATE = 1u << 6,
};

#define COCO_CAPS_MAX_DETAILS 24

struct coco_caps_detail {
	char key[48];
	char value[160];
};

struct coco_caps {
	char backend[COCO_NAME_MAX];
	enum coco_vendor vendor;
	bool hardware;
	uint32_t features;		/* COCO_FEATURE_* */
	uint32_t max_guests;		/* guests the platform can hold at once */
	uint32_t active_guests;
	uint32_t page_types;		/* bit (1 << COCO_PAGE_*) per supported page type */
	char measurement_alg[16];	/* "sha384" */
	uint32_t measurement_size;	/* bytes */
	char firmware_version[32];	/* e.g. "1.55.21" */
	unsigned int ndetails;		/* vendor-specific facts, "snp.*" keys */
	struct coco_caps_detail details[COCO_CAPS_MAX_DETAILS];
};

int coco_host_get_caps(struct coco_host *host, struct coco_caps *caps);

#ifdef __cplusplus
}
#endif

#endif /* COCO_HOST_H */

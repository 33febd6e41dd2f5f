/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend conformance suite: one table of vendor-neutral cases run
 * against every backend whose probe passes.  Cases use only the public API.
 * What a case needs to know about a vendor (which policies are invalid, what
 * the evidence's roots are) comes from a small per-vendor profile, so the
 * cases themselves stay neutral: if a case needs a vendor word to pass, the
 * core interface is wrong.  Cases only one vendor has (the TDX module's
 * init order, KeyIDs, PAMT ownership) live beside this suite, not in it:
 * tdx-cases.c.
 */
#ifndef COCO_CONFORMANCE_H
#define COCO_CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/coco.h>

/* A configuration the vendor's rules refuse, and where the refusal comes. */
struct bad_config {
	const char *what;
	struct coco_vm_config config;
	bool refused_at_create;		/* else refused by the launch (coco_vm_launch_*) */
	int error;			/* the negative errno the refusal carries */
};

struct vendor_profile {
	enum coco_vendor vendor;
	/* Fill up to @max invalid configurations; returns how many. */
	size_t (*bad_configs)(struct bad_config *out, size_t max);
	/* Configurations that look unusual but are valid (must launch). */
	size_t (*good_configs)(struct coco_vm_config *out, size_t max);
};

const struct vendor_profile *vendor_profile_for(enum coco_vendor vendor);

/* The backend under test and its host (private platform). */
extern const char *conf_backend;
extern struct coco_host *conf_host;

#endif

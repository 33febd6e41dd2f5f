/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bare guest images (ELF, docs/guest-abi.md): what `cococtl run` boots and
 * `cococtl measure --image` measures.  Both build the VM configuration and
 * the plan here, so the two agree by construction.
 */
#ifndef COCOCTL_GUEST_IMAGE_H
#define COCOCTL_GUEST_IMAGE_H

#include "cococtl.h"

#define GUEST_IMAGE_MAX (256u << 20)
#define GUEST_DEFAULT_MEMORY (64ull << 20)
#define GUEST_MAX_VCPUS 256u

struct guest_image {
	const uint8_t *data;
	size_t len;
	const char *label;		/* the path, or "built-in sev-snp test guest" */
	uint8_t *owned;			/* freed by guest_image_release */
	char label_buf[64];
};

/*
 * @path's image, or the built-in test guest of @vendor when @path is NULL.
 * Returns 0, or 1 with the reason on stderr.
 */
int guest_image_load(const char *cmd, const char *path, enum coco_vendor vendor,
		     struct guest_image *image);
void guest_image_release(struct guest_image *image);

/* The configuration `cococtl run` creates the VM with. */
void guest_image_config(struct coco_vm_config *config, enum coco_vendor vendor, uint32_t vcpus,
			uint64_t memory);

/*
 * The measurement a launch of @image on @backend will produce, computed
 * from the image alone (coco_plan_from_guest_image +
 * coco_plan_expected_measurement).  Returns 0, or 1 with the reason.
 */
int guest_image_expected(const char *cmd, const char *backend, const struct guest_image *image,
			 const struct coco_vm_config *config, struct coco_measurement *expected);

/*
 * Resolve a backend selection ("auto", NULL or a name) without opening a
 * platform.  Returns 0, or 1 with the reason.
 */
int guest_backend_select(const char *cmd, const char *selection, const char **name,
			 struct coco_probe_result *probe);

#endif

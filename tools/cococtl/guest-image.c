/* SPDX-License-Identifier: Apache-2.0 */
#include "guest-image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin-guests.h"

int guest_image_load(const char *cmd, const char *path, enum coco_vendor vendor,
		     struct guest_image *image)
{
	const struct builtin_guest_file *builtin;
	size_t len;

	memset(image, 0, sizeof(*image));
	if (path) {
		if (cococtl_read_file(cmd, path, GUEST_IMAGE_MAX, &image->owned, &len))
			return 1;
		image->data = image->owned;
		image->len = len;
		image->label = path;
		return 0;
	}
	builtin = builtin_guest_for(vendor);
	if (!builtin) {
		fprintf(stderr, "cococtl %s: this build has no built-in %s test guest; give "
			"--image ELF\n", cmd, coco_vendor_name(vendor));
		return 1;
	}
	image->data = builtin->data;
	image->len = builtin->len;
	snprintf(image->label_buf, sizeof(image->label_buf), "built-in %s test guest",
		 coco_vendor_name(vendor));
	image->label = image->label_buf;
	return 0;
}

void guest_image_release(struct guest_image *image)
{
	free(image->owned);
	image->owned = NULL;
}

void guest_image_config(struct coco_vm_config *config, enum coco_vendor vendor, uint32_t vcpus,
			uint64_t memory)
{
	coco_vm_config_init(config, vendor);
	config->name = "cococtl";
	config->vcpus = vcpus;
	config->memory_size = memory;
}

int guest_image_expected(const char *cmd, const char *backend, const struct guest_image *image,
			 const struct coco_vm_config *config, struct coco_measurement *expected)
{
	struct coco_guest_image_spec spec = {
		.data = image->data,
		.len = image->len,
		.vcpus = config->vcpus,
	};
	struct coco_launch_plan *plan = NULL;
	int ret;

	if (coco_plan_from_guest_image(backend, &spec, config, &plan))
		return cococtl_fail(cmd, "cannot build the launch plan of the guest image");
	ret = coco_plan_expected_measurement(backend, config, plan, expected);
	coco_plan_free(plan);
	if (ret)
		return cococtl_fail(cmd, "cannot compute the expected measurement");
	return 0;
}

int guest_backend_select(const char *cmd, const char *selection, const char **name,
			 struct coco_probe_result *probe)
{
	if (coco_backend_select(selection, name, probe))
		return cococtl_fail(cmd, "cannot choose a backend");
	return 0;
}

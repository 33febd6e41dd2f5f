/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch plans from TDVF images, in the order QEMU builds a TD from one
 * (../shared/specs/tdx.md 4.3; QEMU target/i386/kvm/tdx.c): every TDVF
 * section in table order becomes one KVM_TDX_INIT_MEM_REGION, measured
 * (MR.EXTEND) iff the section says MR_EXTEND:
 *
 *   section with data (BFV, CFV, PAYLOAD...)   MEASURED if MR_EXTEND, else
 *                                              UNMEASURED (PAGE.ADD only)
 *   TD_HOB / TEMP_MEM / PERM_MEM, no data      ZERO (PAGE.ADD only, the
 *                                              place is measured); MEASURED
 *                                              zeros for an MR_EXTEND
 *                                              TEMP_MEM / PERM_MEM
 *   PAGE_AUG sections                          not part of the launch: the
 *                                              guest accepts them at run time
 *
 * then the vCPUs, whose state is architectural.  The MRTD is computed from
 * this plan by the launch walker, the code that launches it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/util.h"
#include "tdx/backend-common.h"
#include "tdx/tdvf.h"

/* Flash images are a few MiB; anything far larger is a wrong file. */
#define FIRMWARE_MAX_SIZE (64u << 20)
/* The most vCPUs a VM of this library has (core/vm.c checks the same bound). */
#define PLAN_MAX_VCPUS 512u

static const char op[] = "TDX launch plan";

static const char *const section_labels[TDX_TDVF_TYPE_COUNT] = {
	[TDX_TDVF_BFV] = "tdvf-bfv",
	[TDX_TDVF_CFV] = "tdvf-cfv",
	[TDX_TDVF_TD_HOB] = "tdvf-td-hob",
	[TDX_TDVF_TEMP_MEM] = "tdvf-temp-mem",
	[TDX_TDVF_PERM_MEM] = "tdvf-perm-mem",
	[TDX_TDVF_PAYLOAD] = "tdvf-payload",
	[TDX_TDVF_PAYLOAD_PARAM] = "tdvf-payload-param",
};

static int check_spec(const struct coco_firmware_spec *s)
{
	const uint32_t known = COCO_FIRMWARE_ALLOW_NO_METADATA | COCO_FIRMWARE_IMAGE_ONLY;

	if (s->flags & ~known)
		return coco_err(-EINVAL, "%s: unknown firmware flags 0x%x", op, s->flags & ~known);
	if (s->flags & COCO_FIRMWARE_IMAGE_ONLY)
		return coco_err(-ENOTSUP, "%s: TDX has no image-only measurement; MRTD covers every "
				"section of the TDVF metadata, so measure the whole plan", op);
	if (s->flags & COCO_FIRMWARE_ALLOW_NO_METADATA)
		return coco_err(-EINVAL, "%s: a TD is built from its firmware's TDVF metadata, which "
				"says where every part of the image goes; an image without it "
				"cannot be launched or measured, so ALLOW_NO_METADATA has no TDX "
				"meaning", op);
	if (s->firmware_measurement)
		return coco_err(-ENOTSUP, "%s: MRTD is one SHA-384 stream and cannot resume from a "
				"precomputed firmware measurement; give the whole TDVF image", op);
	if (s->kernel_path || s->initrd_path || (s->cmdline && *s->cmdline))
		return coco_err(-ENOTSUP, "%s: direct kernel boot is not supported for TDX yet: "
				"TDVF measures the kernel, initrd and command line into RTMRs at "
				"boot, not into MRTD, so MRTD alone cannot vouch for them; boot the "
				"kernel from the guest's disk, or check the RTMRs from the TD's "
				"event log", op);
	if (!s->firmware_path == !s->firmware_data)
		return coco_err(-EINVAL, "%s: give the firmware image as exactly one of "
				"firmware_path and firmware_data", op);
	if (s->vcpus == 0 || s->vcpus > PLAN_MAX_VCPUS)
		return coco_err(-EINVAL, "%s: %u vCPUs requested; a TD has 1 to %u", op, s->vcpus,
				PLAN_MAX_VCPUS);
	return 0;
}

/* Read or copy the image into a buffer the plan will own. */
static int load_image(const struct coco_firmware_spec *s, const char **name, uint8_t **image,
		      size_t *len)
{
	int ret;

	if (s->firmware_path) {
		*name = s->firmware_path;
		ret = coco_read_file(s->firmware_path, FIRMWARE_MAX_SIZE, "firmware image", image,
				     len);
		return ret ? coco_err_context(ret, "%s", op) : 0;
	}
	*name = "(firmware image in memory)";
	if (s->firmware_len > FIRMWARE_MAX_SIZE)
		return coco_err(-EFBIG, "%s: firmware image of %zu bytes is larger than the %u "
				"allowed", op, s->firmware_len, FIRMWARE_MAX_SIZE);
	*image = malloc(s->firmware_len ? s->firmware_len : 1);
	if (!*image)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	memcpy(*image, s->firmware_data, s->firmware_len);
	*len = s->firmware_len;
	return 0;
}

static int add_section(struct coco_launch_plan *plan, const char *image_name,
		       const uint8_t *image, const struct tdx_tdvf_section *s, size_t index)
{
	const char *type = tdx_tdvf_section_type_name(s->type);
	bool extend = s->attributes & TDX_TDVF_ATTR_MR_EXTEND;
	struct coco_region r = {
		.gpa = s->memory_address,
		.size = s->memory_data_size,
		.label = section_labels[s->type],
	};

	if (s->attributes & TDX_TDVF_ATTR_PAGE_AUG) {
		coco_debug("%s: '%s' section %zu (%s [0x%llx, +0x%llx)) is PAGE_AUG: the guest "
			   "accepts it at run time, it is not part of the launch", op, image_name,
			   index, type, (unsigned long long)s->memory_address,
			   (unsigned long long)s->memory_data_size);
		return 0;
	}
	if (s->raw_data_size) {
		r.type = extend ? COCO_PAGE_MEASURED : COCO_PAGE_UNMEASURED;
		r.data = image + s->data_offset;
		r.data_len = s->raw_data_size;
	} else if (s->type == TDX_TDVF_PAYLOAD || s->type == TDX_TDVF_PAYLOAD_PARAM) {
		return coco_err(-ENOTSUP, "%s: '%s' section %zu (%s) is filled by the VMM with a "
				"kernel or its command line, which TDX launch plans do not "
				"support yet; use a TDVF image whose payload is built in", op,
				image_name, index, type);
	} else if (s->type == TDX_TDVF_TD_HOB && extend) {
		return coco_err(-ENOTSUP, "%s: '%s' section %zu (TD_HOB) is MR_EXTEND, so MRTD "
				"covers the HOB list the VMM writes there, which these plans do "
				"not build; no known TDVF measures its HOB", op, image_name,
				index);
	} else {
		/* Memory the image does not fill: its place is measured, zeros with MR_EXTEND. */
		r.type = extend ? COCO_PAGE_MEASURED : COCO_PAGE_ZERO;
	}
	return coco_plan_add_region(plan, &r);
}

static int build(struct coco_launch_plan *plan, const struct coco_firmware_spec *spec,
		 const char *image_name, const uint8_t *image, size_t len)
{
	struct tdx_tdvf *tdvf = malloc(sizeof(*tdvf));
	int ret;

	if (!tdvf)
		return coco_err(-ENOMEM, "%s: out of memory", op);
	ret = tdx_tdvf_parse(image, len, tdvf);
	if (ret)
		ret = coco_err_context(ret, "%s: firmware image '%s'", op, image_name);
	for (size_t i = 0; !ret && i < tdvf->nsections; i++)
		ret = add_section(plan, image_name, image, &tdvf->sections[i], i);
	if (!ret && !plan->nregions)
		ret = coco_err(-EINVAL, "%s: every TDVF section of '%s' is PAGE_AUG, so the launch "
			       "would add no page at all", op, image_name);
	for (uint32_t i = 0; !ret && i < spec->vcpus; i++) {
		/* TD vCPUs start where the module puts them: no entry point to give. */
		struct coco_vcpu_desc v = { .index = i };
		ret = coco_plan_add_vcpu(plan, &v);
	}
	free(tdvf);
	return ret;
}

int tdx_plan_firmware(const struct coco_firmware_spec *spec, const struct coco_vm_config *config,
		      struct coco_launch_plan **out)
{
	struct coco_launch_plan *plan = NULL;
	const char *image_name = NULL;
	uint8_t *image = NULL;
	size_t len = 0;
	int ret;

	(void)config;	/* TD_PARAMS do not change the plan */
	if (!spec || !out)
		return coco_err(-EINVAL, "%s: spec and plan are required", op);
	ret = check_spec(spec);
	if (!ret)
		ret = load_image(spec, &image_name, &image, &len);
	if (!ret)
		ret = coco_plan_new(&plan);
	if (ret) {
		free(image);
		return ret;
	}
	/* The regions borrow the image: the plan owns it from here on. */
	ret = coco_plan_own_buffer(plan, image);
	if (ret)
		free(image);
	else
		ret = build(plan, spec, image_name, image, len);
	if (ret) {
		coco_plan_free(plan);
		return ret;
	}
	*out = plan;
	return 0;
}

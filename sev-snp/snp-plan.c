/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Launch plans from OVMF images, in the order QEMU launches them and
 * sev-snp-measure measures them (../shared/specs/snp.md sections 1.4, 1.5):
 *
 *   1. the image, measured, at 4 GiB - its size;
 *   2. the SEV metadata sections in table order: SNP_SEC_MEM zero pages
 *      (unmeasured on GCE), the secrets page, the CPUID page (EC2 adds its
 *      CPUID pages after every other section), SVSM_CAA zero pages, and the
 *      SNP_KERNEL_HASHES page: the SEV hashes table when a kernel is
 *      booted directly, else zero pages;
 *   3. one vCPU per guest CPU: the BSP at the reset vector, the APs at the
 *      entry point of the image's SEV-ES reset block.
 */
#include "sev-snp/snp-plan.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/guest-abi.h"
#include "core/internal.h"
#include "core/util.h"
#include "sev-snp/ovmf.h"
#include "sev-snp/sev-hashes.h"

#define FOUR_GIB 0x100000000ull
/* Flash images QEMU maps below 4 GiB are a few MiB; anything far larger is a wrong file. */
#define FIRMWARE_MAX_SIZE (64u << 20)
/* The most vCPUs a VM of this library has (core/vm.c checks the same bound). */
#define PLAN_MAX_VCPUS 512u

static const char op[] = "SNP launch plan";

struct plan_input {
	const struct coco_firmware_spec *spec;
	enum coco_snp_vmm_type vmm;
	const char *image_name;
	const uint8_t *image;
	size_t image_len;
	uint8_t *image_owned;		/* read from firmware_path; NULL if borrowed */
	struct snp_ovmf ovmf;
};

static int check_spec(const struct coco_firmware_spec *s)
{
	const uint32_t known = COCO_FIRMWARE_ALLOW_NO_METADATA | COCO_FIRMWARE_IMAGE_ONLY;
	bool image_only = s->flags & COCO_FIRMWARE_IMAGE_ONLY;

	if (s->flags & ~known)
		return coco_err(-EINVAL, "%s: unknown firmware flags 0x%x", op, s->flags & ~known);
	if (!s->firmware_path == !s->firmware_data)
		return coco_err(-EINVAL, "%s: give the firmware image as exactly one of "
				"firmware_path and firmware_data", op);
	if (image_only && (s->kernel_path || s->firmware_measurement))
		return coco_err(-EINVAL, "%s: an image-only plan measures the firmware image alone; "
				"it takes no kernel and no precomputed firmware measurement", op);
	if (!s->kernel_path && (s->initrd_path || (s->cmdline && *s->cmdline)))
		return coco_err(-EINVAL, "%s: an initrd or command line is given without a kernel; "
				"they are measured only for direct kernel boot", op);
	if (!image_only && (s->vcpus == 0 || s->vcpus > PLAN_MAX_VCPUS))
		return coco_err(-EINVAL, "%s: %u vCPUs requested; a guest has 1 to %u", op, s->vcpus,
				PLAN_MAX_VCPUS);
	if (s->firmware_measurement && s->firmware_measurement_len != SNP_DIGEST_SIZE)
		return coco_err(-EINVAL, "%s: the precomputed firmware measurement is %zu bytes; an "
				"SNP launch digest is %u bytes (SHA-384)", op,
				s->firmware_measurement_len, SNP_DIGEST_SIZE);
	return 0;
}

static int load_image(struct plan_input *in)
{
	const struct coco_firmware_spec *s = in->spec;
	int ret;

	if (s->firmware_path) {
		in->image_name = s->firmware_path;
		ret = coco_read_file(s->firmware_path, FIRMWARE_MAX_SIZE, "firmware image",
				     &in->image_owned, &in->image_len);
		if (ret)
			return coco_err_context(ret, "%s", op);
		in->image = in->image_owned;
	} else {
		in->image_name = "(firmware image in memory)";
		in->image = s->firmware_data;
		in->image_len = s->firmware_len;
		if (in->image_len > FIRMWARE_MAX_SIZE)
			return coco_err(-EFBIG, "%s: firmware image of %zu bytes is larger than the "
					"%u allowed", op, in->image_len, FIRMWARE_MAX_SIZE);
	}
	if (!in->image_len || !COCO_ALIGNED(in->image_len, SNP_PAGE_SIZE))
		return coco_err(-EINVAL, "%s: firmware image '%s' is %zu bytes; it is measured as "
				"whole 4 KiB pages below 4 GiB, so its size must be a non-zero "
				"multiple of 4096 (is it really an OVMF image?)", op, in->image_name,
				in->image_len);
	ret = snp_ovmf_parse(in->image, in->image_len, &in->ovmf);
	return ret ? coco_err_context(ret, "%s: firmware image '%s'", op, in->image_name) : 0;
}

static int refuse_no_metadata(const struct plan_input *in)
{
	return coco_err(-EINVAL,
			"%s: firmware image '%s' carries no SEV metadata (%s), so it is not an "
			"SEV-SNP build; Debian's OVMF_CODE_4M.fd is such an image. Measuring it "
			"is a trap: the digest would cover only the image and the vCPUs, while an "
			"SNP launch also needs the SEC memory, secrets and CPUID pages that the "
			"metadata declares, so no SNP guest ever reports that digest and "
			"attestation against it can only fail or, worse, vouch for firmware that "
			"cannot boot an SNP guest. Use an SNP-capable image (Debian's "
			"/usr/share/ovmf/OVMF.fd, or an AmdSevX64 build for measured direct kernel "
			"boot); to measure this one anyway, as sev-snp-measure does, set "
			"COCO_FIRMWARE_ALLOW_NO_METADATA (cococtl measure --allow-no-metadata)",
			op, in->image_name,
			in->ovmf.has_footer_table ? "its OVMF footer table has no SEV metadata entry"
						  : "it has no OVMF footer table at all");
}

static int add_image(struct coco_launch_plan *plan, struct plan_input *in)
{
	struct coco_region r = {
		.gpa = FOUR_GIB - in->image_len,
		.size = in->image_len,
		.type = COCO_PAGE_MEASURED,
		.data = in->image,
		.data_len = in->image_len,
		.flags = COCO_REGION_LARGE_PAGES,
		.label = "firmware",
	};
	int ret;

	if (!in->image_owned)
		return coco_plan_add_region_copy(plan, &r);
	ret = coco_plan_add_region(plan, &r);
	if (!ret) {
		ret = coco_plan_own_buffer(plan, in->image_owned);
		if (ret)
			plan->nregions--;	/* never leave a region pointing at freed memory */
		else
			in->image_owned = NULL;
	}
	return ret;
}

/* The measured page holding the SEV hashes table, for a SNP_KERNEL_HASHES section. */
static int add_kernel_hashes(struct coco_launch_plan *plan, const struct plan_input *in,
			     const struct snp_ovmf_section *sec,
			     const struct snp_sev_hashes *hashes)
{
	const struct snp_ovmf *o = &in->ovmf;
	uint8_t page[SNP_PAGE_SIZE];
	struct coco_region r = {
		.gpa = sec->gpa,
		.size = SNP_PAGE_SIZE,
		.type = COCO_PAGE_MEASURED,
		.data = page,
		.data_len = SNP_PAGE_SIZE,
		.label = "kernel-hashes",
	};
	int ret;

	if (sec->size != SNP_PAGE_SIZE)
		return coco_err(-EINVAL, "%s: the SNP_KERNEL_HASHES section of '%s' is 0x%x bytes; "
				"the SEV hashes table goes into exactly one 4 KiB page", op,
				in->image_name, sec->size);
	if (!o->has_hash_table || !o->hash_table_base)
		return coco_err(-EINVAL, "%s: '%s' declares a SNP_KERNEL_HASHES section but its "
				"footer table gives no SEV hash table address, so there is no place "
				"for the kernel hashes", op, in->image_name);
	if (o->hash_table_base < sec->gpa || o->hash_table_base - sec->gpa >= SNP_PAGE_SIZE)
		return coco_err(-EINVAL, "%s: '%s' puts the SEV hash table at 0x%x, outside its "
				"SNP_KERNEL_HASHES page 0x%x; the image is inconsistent", op,
				in->image_name, o->hash_table_base, sec->gpa);
	if (o->hash_table_size < SNP_SEV_HASHES_TABLE_PADDED_LEN)
		return coco_err(-EINVAL, "%s: the SEV hash table area of '%s' is %u bytes, too small "
				"for the %u-byte table", op, in->image_name, o->hash_table_size,
				SNP_SEV_HASHES_TABLE_PADDED_LEN);
	ret = snp_sev_hashes_page(hashes, o->hash_table_base & (SNP_PAGE_SIZE - 1), page);
	return ret ? ret : coco_plan_add_region_copy(plan, &r);
}

static int add_section(struct coco_launch_plan *plan, const struct plan_input *in,
		       const struct snp_ovmf_section *sec, const struct snp_sev_hashes *hashes)
{
	struct coco_region r = {
		.gpa = sec->gpa,
		.size = sec->size,
		.flags = COCO_REGION_LARGE_PAGES,
	};

	switch (sec->type) {
	case SNP_OVMF_SECTION_SNP_SEC_MEM:
		/* GCE hands its SEC memory over as unmeasured pages (contents zero). */
		r.type = in->vmm == COCO_SNP_VMM_GCE ? COCO_PAGE_UNMEASURED : COCO_PAGE_ZERO;
		r.label = "snp-sec-mem";
		break;
	case SNP_OVMF_SECTION_SNP_SECRETS:
		r.type = COCO_PAGE_SECRETS;
		r.flags = 0;
		r.label = "snp-secrets";
		break;
	case SNP_OVMF_SECTION_CPUID:
		r.type = COCO_PAGE_CPUID;
		r.flags = 0;
		r.label = "cpuid";
		break;
	case SNP_OVMF_SECTION_SVSM_CAA:
		r.type = COCO_PAGE_ZERO;
		r.label = "svsm-caa";
		break;
	case SNP_OVMF_SECTION_SNP_KERNEL_HASHES:
		if (hashes)
			return add_kernel_hashes(plan, in, sec, hashes);
		r.type = COCO_PAGE_ZERO;
		r.label = "kernel-hashes";
		break;
	default:	/* the parser admits no other type */
		return coco_err(-EINVAL, "%s: SEV metadata section type 0x%x", op, sec->type);
	}
	return coco_plan_add_region(plan, &r);
}

static int add_sections(struct coco_launch_plan *plan, const struct plan_input *in,
			const struct snp_sev_hashes *hashes)
{
	const struct snp_ovmf *o = &in->ovmf;
	bool defer_cpuid = in->vmm == COCO_SNP_VMM_EC2;
	int ret = 0;

	for (size_t i = 0; i < o->nsections && !ret; i++) {
		if (defer_cpuid && o->sections[i].type == SNP_OVMF_SECTION_CPUID)
			continue;
		ret = add_section(plan, in, &o->sections[i], hashes);
	}
	/* EC2 launches the CPUID page(s) after every other section. */
	for (size_t i = 0; defer_cpuid && i < o->nsections && !ret; i++)
		if (o->sections[i].type == SNP_OVMF_SECTION_CPUID)
			ret = add_section(plan, in, &o->sections[i], hashes);
	return ret;
}

static int add_vcpus(struct coco_launch_plan *plan, const struct plan_input *in)
{
	uint32_t n = in->spec->vcpus;
	int ret = 0;

	if (n > 1 && !in->ovmf.has_reset_block)
		return coco_err(-EINVAL, "%s: %u vCPUs requested but firmware image '%s' has no "
				"SEV-ES reset block, which tells where application processors "
				"start; without it only the BSP can run. Use 1 vCPU or an "
				"SEV-capable image", op, n, in->image_name);
	for (uint32_t i = 0; i < n && !ret; i++) {
		struct coco_vcpu_desc v = {
			.index = i,
			/* The BSP takes the reset vector; APs enter where OVMF parks them. */
			.boot_ip = i ? in->ovmf.ap_reset_eip : 0,
		};
		ret = coco_plan_add_vcpu(plan, &v);
	}
	return ret;
}

static int build(struct coco_launch_plan *plan, struct plan_input *in)
{
	const struct coco_firmware_spec *s = in->spec;
	struct snp_sev_hashes hashes;
	int ret;

	if (s->flags & COCO_FIRMWARE_IMAGE_ONLY)
		return add_image(plan, in);
	if (!in->ovmf.has_metadata && !(s->flags & COCO_FIRMWARE_ALLOW_NO_METADATA))
		return refuse_no_metadata(in);
	if (s->kernel_path) {
		if (!snp_ovmf_has_section(&in->ovmf, SNP_OVMF_SECTION_SNP_KERNEL_HASHES))
			return coco_err(-EINVAL, "%s: a kernel is given but the SEV metadata of '%s' "
					"has no SNP_KERNEL_HASHES section, so this firmware does "
					"not check a directly booted kernel, initrd and command line "
					"and they cannot be measured; use an AmdSevX64 OVMF build "
					"for measured direct kernel boot", op, in->image_name);
		ret = snp_sev_hashes_from_files(s->kernel_path, s->initrd_path, s->cmdline, &hashes);
		if (ret)
			return coco_err_context(ret, "%s", op);
	}
	if (s->firmware_measurement)
		ret = coco_plan_set_initial_measurement(plan, s->firmware_measurement,
							s->firmware_measurement_len);
	else
		ret = add_image(plan, in);
	if (!ret)
		ret = add_sections(plan, in, s->kernel_path ? &hashes : NULL);
	if (!ret)
		ret = add_vcpus(plan, in);
	return ret;
}

int snp_plan_firmware(const struct coco_firmware_spec *spec, const struct coco_vm_config *config,
		      struct coco_launch_plan **out)
{
	struct plan_input in = { .spec = spec, .vmm = COCO_SNP_VMM_QEMU };
	struct coco_launch_plan *plan = NULL;
	int ret;

	if (!spec || !out)
		return coco_err(-EINVAL, "%s: spec and plan are required", op);
	if (config && config->policy.vendor == COCO_VENDOR_AMD_SEV_SNP &&
	    config->policy.u.snp.vmm_type)
		in.vmm = config->policy.u.snp.vmm_type;
	if (in.vmm < COCO_SNP_VMM_QEMU || in.vmm > COCO_SNP_VMM_GCE)
		return coco_err(-EINVAL, "%s: unknown SNP VMM type %d", op, (int)in.vmm);
	ret = check_spec(spec);
	if (!ret)
		ret = load_image(&in);
	if (!ret)
		ret = coco_plan_new(&plan);
	if (!ret)
		ret = build(plan, &in);
	free(in.image_owned);
	if (ret) {
		coco_plan_free(plan);
		return ret;
	}
	*out = plan;
	return 0;
}

int snp_plan_guest_image(struct coco_launch_plan *plan, const struct coco_vm_config *config)
{
	/* The same page types and labels as OVMF's SNP_SECRETS and CPUID sections. */
	const struct coco_region secrets = {
		.gpa = COCO_GUEST_SNP_SECRETS_GPA,
		.size = SNP_PAGE_SIZE,
		.type = COCO_PAGE_SECRETS,
		.label = "snp-secrets",
	};
	const struct coco_region cpuid = {
		.gpa = COCO_GUEST_SNP_CPUID_GPA,
		.size = SNP_PAGE_SIZE,
		.type = COCO_PAGE_CPUID,
		.label = "cpuid",
	};
	int ret;

	(void)config;	/* the pages do not depend on it; the CPUID contents come at launch */
	ret = coco_plan_add_region(plan, &secrets);
	if (!ret)
		ret = coco_plan_add_region(plan, &cpuid);
	return ret ? coco_err_context(ret, "SNP guest image: secrets and CPUID pages") : 0;
}

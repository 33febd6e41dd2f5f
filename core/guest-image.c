/* SPDX-License-Identifier: Apache-2.0 */
/* Guest images (ELF64 PT_LOAD segments) and their launch plans (core/guest-image.h). */
#include "core/guest-image.h"

#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "core/error.h"
#include "core/guest-abi.h"
#include "core/internal.h"
#include "core/util.h"

#define RESET_VECTOR 0xfffffff0ull
#define GUEST_IMAGE_FILE_MAX (COCO_GUEST_IMAGE_MAX_BYTES + (1u << 20))

static const char parse_op[] = "guest image";

static int check_header(const Elf64_Ehdr *eh, size_t len)
{
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return coco_err(-EINVAL, "%s: not an ELF file (no \\x7fELF magic); guest images are "
				"ELF64 executables whose PT_LOAD segments are the guest's memory",
				parse_op);
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_ident[EI_VERSION] != EV_CURRENT)
		return coco_err(-EINVAL, "%s: ELF class %u, data %u, version %u; only ELF64 little "
				"endian version 1 images are guest images", parse_op,
				eh->e_ident[EI_CLASS], eh->e_ident[EI_DATA], eh->e_ident[EI_VERSION]);
	if (eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC)
		return coco_err(-EINVAL, "%s: ELF machine %u, type %u; guest images are x86-64 "
				"executables (EM_X86_64 %u, ET_EXEC %u)", parse_op, eh->e_machine,
				eh->e_type, EM_X86_64, ET_EXEC);
	if (eh->e_phentsize != sizeof(Elf64_Phdr))
		return coco_err(-EINVAL, "%s: program header entries of %u bytes; ELF64 has %zu",
				parse_op, eh->e_phentsize, sizeof(Elf64_Phdr));
	if (!eh->e_phnum || eh->e_phoff > len ||
	    (len - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return coco_err(-EINVAL, "%s: %u program headers at offset 0x%llx do not fit in the "
				"%zu-byte file", parse_op, eh->e_phnum,
				(unsigned long long)eh->e_phoff, len);
	return 0;
}

static int check_segment(const Elf64_Phdr *ph, unsigned int index, size_t len)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return coco_err(-EINVAL, "%s: segment %u has %llu file bytes but %llu memory bytes",
				parse_op, index, (unsigned long long)ph->p_filesz,
				(unsigned long long)ph->p_memsz);
	if (ph->p_offset > len || len - ph->p_offset < ph->p_filesz)
		return coco_err(-EINVAL, "%s: segment %u's bytes [0x%llx, +0x%llx) lie outside the "
				"%zu-byte file (truncated image?)", parse_op, index,
				(unsigned long long)ph->p_offset, (unsigned long long)ph->p_filesz,
				len);
	if (!COCO_ALIGNED(ph->p_paddr, COCO_PAGE_SIZE))
		return coco_err(-EINVAL, "%s: segment %u loads at 0x%llx; segments start on a 4 KiB "
				"boundary (align them in the linker script)", parse_op, index,
				(unsigned long long)ph->p_paddr);
	if (ph->p_memsz > COCO_GUEST_IMAGE_MAX_BYTES ||
	    !coco_add_ok(ph->p_paddr, ph->p_memsz, &end) || end > COCO_GUEST_FLASH_END ||
	    ph->p_paddr < COCO_GUEST_IMAGE_MIN_GPA)
		return coco_err(-ERANGE, "%s: segment %u [0x%llx, +0x%llx) is not within [0x%llx, "
				"4 GiB); below 1 MiB lie the pages the launch adds", parse_op, index,
				(unsigned long long)ph->p_paddr, (unsigned long long)ph->p_memsz,
				(unsigned long long)COCO_GUEST_IMAGE_MIN_GPA);
	return 0;
}

static int by_gpa(const void *a, const void *b)
{
	const struct coco_guest_segment *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

int coco_guest_image_parse(const void *data, size_t len, struct coco_guest_image *image)
{
	const uint8_t *bytes = data;
	Elf64_Ehdr eh;
	uint64_t total = 0;
	bool reset_vector = false;
	int ret;

	memset(image, 0, sizeof(*image));
	if (!data || len < sizeof(eh))
		return coco_err(-EINVAL, "%s: %zu bytes is too short for an ELF64 header (%zu bytes)",
				parse_op, len, sizeof(eh));
	memcpy(&eh, bytes, sizeof(eh));
	ret = check_header(&eh, len);
	if (ret)
		return ret;
	for (unsigned int i = 0; i < eh.e_phnum; i++) {
		struct coco_guest_segment *seg;
		Elf64_Phdr ph;

		memcpy(&ph, bytes + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || !ph.p_memsz)
			continue;
		ret = check_segment(&ph, i, len);
		if (ret)
			return ret;
		if (image->nsegments == COCO_GUEST_IMAGE_MAX_SEGMENTS)
			return coco_err(-E2BIG, "%s: more than %d PT_LOAD segments", parse_op,
					COCO_GUEST_IMAGE_MAX_SEGMENTS);
		seg = &image->segments[image->nsegments++];
		seg->gpa = ph.p_paddr;
		seg->size = (ph.p_memsz + COCO_PAGE_SIZE - 1) / COCO_PAGE_SIZE * COCO_PAGE_SIZE;
		seg->data = bytes + ph.p_offset;
		seg->data_len = ph.p_filesz;
		total += seg->size;
		if (total > COCO_GUEST_IMAGE_MAX_BYTES)
			return coco_err(-EFBIG, "%s: the segments hold more than %llu MiB", parse_op,
					(unsigned long long)(COCO_GUEST_IMAGE_MAX_BYTES >> 20));
		if (seg->gpa <= RESET_VECTOR && RESET_VECTOR < seg->gpa + seg->size)
			reset_vector = true;
	}
	if (!image->nsegments)
		return coco_err(-EINVAL, "%s: no PT_LOAD segment with memory", parse_op);
	qsort(image->segments, image->nsegments, sizeof(image->segments[0]), by_gpa);
	for (size_t i = 1; i < image->nsegments; i++)
		if (image->segments[i].gpa < image->segments[i - 1].gpa + image->segments[i - 1].size)
			return coco_err(-EINVAL, "%s: segments at 0x%llx and 0x%llx overlap (after "
					"rounding to 4 KiB pages)", parse_op,
					(unsigned long long)image->segments[i - 1].gpa,
					(unsigned long long)image->segments[i].gpa);
	if (!reset_vector)
		return coco_err(-EINVAL, "%s: no segment holds the reset vector 0x%llx, where every "
				"vCPU starts; map a reset page at 0x%llx", parse_op,
				(unsigned long long)RESET_VECTOR,
				(unsigned long long)(COCO_GUEST_FLASH_END - COCO_PAGE_SIZE));
	image->entry = eh.e_entry;
	return 0;
}

/* ------------------------------------------------------------------ */

static int build_plan(const struct coco_backend *b, const struct coco_guest_image *image,
		      const struct coco_guest_image_spec *spec, const struct coco_vm_config *config,
		      struct coco_launch_plan *plan)
{
	struct coco_region params = {
		.gpa = COCO_GUEST_PARAMS_GPA,
		.size = COCO_PAGE_SIZE,
		.type = COCO_PAGE_UNMEASURED,
		.data = spec->params,
		.data_len = spec->params ? spec->params_len : 0,
		.label = "boot parameters",
	};
	int ret;

	for (size_t i = 0; i < image->nsegments; i++) {
		const struct coco_guest_segment *seg = &image->segments[i];
		struct coco_region r = {
			.gpa = seg->gpa,
			.size = seg->size,
			.type = COCO_PAGE_MEASURED,
			.data = seg->data_len ? seg->data : NULL,
			.data_len = seg->data_len,
			.label = seg->gpa >= COCO_GUEST_FLASH_BASE ? "image (reset page)" : "image",
		};

		ret = coco_plan_add_region_copy(plan, &r);
		if (ret)
			return ret;
	}
	ret = coco_plan_add_region_copy(plan, &params);
	if (!ret && b->plan_guest_image)
		ret = b->plan_guest_image(plan, config);
	for (uint32_t i = 0; !ret && i < spec->vcpus; i++) {
		struct coco_vcpu_desc vcpu = { .index = i, .boot_ip = 0 };

		ret = coco_plan_add_vcpu(plan, &vcpu);
	}
	return ret;
}

int coco_plan_from_guest_image(const char *backend, const struct coco_guest_image_spec *spec,
			       const struct coco_vm_config *config, struct coco_launch_plan **out)
{
	static const char op[] = "coco_plan_from_guest_image";
	const struct coco_backend *b = coco_backends_for_measurement(backend);
	struct coco_launch_plan *plan = NULL;
	struct coco_guest_image image;
	struct coco_vm_config c;
	uint8_t *file = NULL;
	const void *data;
	size_t len;
	int ret;

	if (!spec || !out)
		return coco_err(-EINVAL, "%s: spec and plan are required", op);
	if (!b)
		return coco_err(-ENOENT, "%s: no backend or vendor named '%s'", op,
				backend ? backend : "(null)");
	if (!spec->vcpus)
		return coco_err(-EINVAL, "%s: a guest needs at least one vCPU", op);
	if (spec->params && spec->params_len > COCO_PAGE_SIZE)
		return coco_err(-EINVAL, "%s: %zu bytes of boot parameters; the page holds %u", op,
				spec->params_len, COCO_PAGE_SIZE);
	if (config)
		c = *config;
	else
		coco_vm_config_init(&c, b->vendor);
	if (c.policy.vendor != b->vendor)
		return coco_err(-EINVAL, "%s: the configuration carries a %s policy but backend '%s' "
				"is %s", op, coco_vendor_name(c.policy.vendor), b->name,
				coco_vendor_name(b->vendor));
	if (spec->path) {
		ret = coco_read_file(spec->path, GUEST_IMAGE_FILE_MAX, "guest image", &file, &len);
		if (ret)
			return ret;
		data = file;
	} else {
		data = spec->data;
		len = spec->len;
	}
	ret = coco_guest_image_parse(data, len, &image);
	if (ret) {
		if (spec->path)
			coco_err_context(ret, "%s '%s'", op, spec->path);
		goto out;
	}
	ret = coco_plan_new(&plan);
	if (!ret)
		ret = build_plan(b, &image, spec, &c, plan);
	if (ret) {
		coco_plan_free(plan);
		goto out;
	}
	*out = plan;
out:
	free(file);
	return ret;
}

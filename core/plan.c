/* SPDX-License-Identifier: Apache-2.0 */
/* Launch plans: ordered, validated regions and vCPUs (include/coco/launch.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "core/util.h"

struct coco_plan_buffer {
	void *data;
	struct coco_plan_buffer *next;
};

static const char *const page_type_names[] = {
	[COCO_PAGE_MEASURED] = "measured",
	[COCO_PAGE_ZERO] = "zero",
	[COCO_PAGE_UNMEASURED] = "unmeasured",
	[COCO_PAGE_SECRETS] = "secrets",
	[COCO_PAGE_CPUID] = "cpuid",
	[COCO_PAGE_VCPU_STATE] = "vcpu-state",
};

const char *coco_page_type_name(enum coco_page_type type)
{
	if ((unsigned)type >= COCO_ARRAY_SIZE(page_type_names))
		return NULL;
	return page_type_names[type];
}

int coco_region_validate(const struct coco_region *r, const char *op)
{
	uint64_t end;
	const char *label = r->label ? r->label : "region";

	if (!coco_page_type_name(r->type))
		return coco_err(-EINVAL, "%s: %s at 0x%llx has unknown page type %d", op, label,
				(unsigned long long)r->gpa, (int)r->type);
	if (r->size == 0)
		return coco_err(-EINVAL, "%s: %s at 0x%llx is empty", op, label,
				(unsigned long long)r->gpa);
	if (!COCO_ALIGNED(r->gpa, COCO_PAGE_SIZE) || !COCO_ALIGNED(r->size, COCO_PAGE_SIZE))
		return coco_err(-EINVAL,
				"%s: %s [0x%llx, +0x%llx) is not 4 KiB aligned; regions start "
				"and end on page boundaries",
				op, label, (unsigned long long)r->gpa, (unsigned long long)r->size);
	if (!coco_add_ok(r->gpa, r->size, &end) || end > (1ull << 52))
		return coco_err(-EINVAL,
				"%s: %s [0x%llx, +0x%llx) runs past the 52-bit guest physical "
				"address space",
				op, label, (unsigned long long)r->gpa, (unsigned long long)r->size);
	if (r->data_len > r->size)
		return coco_err(-EINVAL, "%s: %s has %llu bytes of data for a %llu-byte region",
				op, label, (unsigned long long)r->data_len,
				(unsigned long long)r->size);
	if (r->data_len && !r->data)
		return coco_err(-EINVAL, "%s: %s has data_len %llu but no data", op, label,
				(unsigned long long)r->data_len);
	if ((r->type == COCO_PAGE_SECRETS || r->type == COCO_PAGE_CPUID ||
	     r->type == COCO_PAGE_VCPU_STATE) && r->size != COCO_PAGE_SIZE)
		return coco_err(-EINVAL, "%s: %s is a %s region of %llu bytes; such regions are "
				"exactly one 4 KiB page",
				op, label, coco_page_type_name(r->type),
				(unsigned long long)r->size);
	if (r->flags & ~(uint32_t)COCO_REGION_LARGE_PAGES)
		return coco_err(-EINVAL, "%s: %s has unknown flags 0x%x", op, label,
				r->flags & ~(uint32_t)COCO_REGION_LARGE_PAGES);
	return 0;
}

int coco_plan_new(struct coco_launch_plan **plan)
{
	*plan = calloc(1, sizeof(**plan));
	if (!*plan)
		return coco_err(-ENOMEM, "coco_plan_new: out of memory");
	return 0;
}

void coco_plan_free(struct coco_launch_plan *plan)
{
	struct coco_plan_buffer *b, *next;

	if (!plan)
		return;
	for (b = plan->buffers; b; b = next) {
		next = b->next;
		free(b->data);
		free(b);
	}
	free(plan->regions);
	free(plan->vcpus);
	free(plan);
}

int coco_plan_own_buffer(struct coco_launch_plan *plan, void *buffer)
{
	struct coco_plan_buffer *b = malloc(sizeof(*b));

	if (!b)
		return coco_err(-ENOMEM, "launch plan: out of memory");
	b->data = buffer;
	b->next = plan->buffers;
	plan->buffers = b;
	return 0;
}

static int overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int coco_plan_add_region(struct coco_launch_plan *plan, const struct coco_region *region)
{
	int ret = coco_region_validate(region, "coco_plan_add_region");

	if (ret)
		return ret;
	for (size_t i = 0; i < plan->nregions; i++) {
		const struct coco_region *o = &plan->regions[i];
		if (overlaps(o->gpa, o->size, region->gpa, region->size))
			return coco_err(-EINVAL,
					"coco_plan_add_region: %s [0x%llx, 0x%llx) overlaps %s "
					"[0x%llx, 0x%llx) added before; a guest page enters the "
					"launch once",
					region->label ? region->label : "region",
					(unsigned long long)region->gpa,
					(unsigned long long)(region->gpa + region->size),
					o->label ? o->label : "region", (unsigned long long)o->gpa,
					(unsigned long long)(o->gpa + o->size));
	}
	if (plan->nregions == plan->cap_regions) {
		size_t cap = plan->cap_regions ? 2 * plan->cap_regions : 16;
		struct coco_region *n = realloc(plan->regions, cap * sizeof(*n));
		if (!n)
			return coco_err(-ENOMEM, "coco_plan_add_region: out of memory");
		plan->regions = n;
		plan->cap_regions = cap;
	}
	plan->regions[plan->nregions++] = *region;
	return 0;
}

int coco_plan_add_region_copy(struct coco_launch_plan *plan, const struct coco_region *region)
{
	struct coco_region copy = *region;
	void *data = NULL;
	int ret;

	ret = coco_region_validate(region, "coco_plan_add_region_copy");
	if (ret)
		return ret;
	if (region->data_len) {
		data = malloc(region->data_len);
		if (!data)
			return coco_err(-ENOMEM, "coco_plan_add_region_copy: out of memory");
		memcpy(data, region->data, region->data_len);
		copy.data = data;
	}
	ret = coco_plan_add_region(plan, &copy);
	if (!ret && data)
		ret = coco_plan_own_buffer(plan, data);
	if (ret && data) {
		/* Undo the append so the plan never points at freed memory. */
		if (plan->nregions && plan->regions[plan->nregions - 1].data == data)
			plan->nregions--;
		free(data);
	}
	return ret;
}

int coco_plan_add_vcpu(struct coco_launch_plan *plan, const struct coco_vcpu_desc *vcpu)
{
	if (vcpu->index != plan->nvcpus)
		return coco_err(-EINVAL,
				"coco_plan_add_vcpu: vCPU %u added as number %zu; vCPUs are "
				"added in order starting with the BSP (0)",
				vcpu->index, plan->nvcpus);
	if (plan->nvcpus == plan->cap_vcpus) {
		size_t cap = plan->cap_vcpus ? 2 * plan->cap_vcpus : 8;
		struct coco_vcpu_desc *n = realloc(plan->vcpus, cap * sizeof(*n));
		if (!n)
			return coco_err(-ENOMEM, "coco_plan_add_vcpu: out of memory");
		plan->vcpus = n;
		plan->cap_vcpus = cap;
	}
	plan->vcpus[plan->nvcpus++] = *vcpu;
	return 0;
}

int coco_plan_set_initial_measurement(struct coco_launch_plan *plan, const uint8_t *value,
				      size_t len)
{
	if (!value || !len || len > COCO_MEASUREMENT_MAX)
		return coco_err(-EINVAL, "coco_plan_set_initial_measurement: %zu bytes given; a "
				"measurement is 1 to %d bytes", len, COCO_MEASUREMENT_MAX);
	memset(&plan->initial, 0, sizeof(plan->initial));
	memcpy(plan->initial.value, value, len);
	plan->initial.size = (uint32_t)len;
	return 0;
}

size_t coco_plan_region_count(const struct coco_launch_plan *plan)
{
	return plan->nregions;
}

const struct coco_region *coco_plan_region(const struct coco_launch_plan *plan, size_t index)
{
	return index < plan->nregions ? &plan->regions[index] : NULL;
}

size_t coco_plan_vcpu_count(const struct coco_launch_plan *plan)
{
	return plan->nvcpus;
}

const struct coco_vcpu_desc *coco_plan_vcpu(const struct coco_launch_plan *plan, size_t index)
{
	return index < plan->nvcpus ? &plan->vcpus[index] : NULL;
}

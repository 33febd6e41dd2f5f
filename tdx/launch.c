/* SPDX-License-Identifier: Apache-2.0 */
#include "tdx/launch.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "tdx/mrtd.h"

/*
 * Regions go to the sink in runs of at most this many pages, so a large
 * region is streamed, never copied whole.  Pages past a region's data come
 * from this zero chunk (never written).
 */
#define RUN_PAGES 512u
static uint8_t zero_chunk[RUN_PAGES * TDX_PAGE_SIZE];

void tdx_td_config_from_vm(const struct coco_vm *vm, struct tdx_td_config *out)
{
	const struct coco_tdx_policy *p = &vm->config.policy.u.tdx;

	memset(out, 0, sizeof(*out));
	out->attributes = p->attributes ? p->attributes : COCO_TDX_ATTR_DEFAULT;
	out->xfam = p->xfam ? p->xfam : COCO_TDX_XFAM_DEFAULT;
	out->max_vcpus = (uint16_t)vm->config.vcpus;
	out->tsc_khz = p->tsc_khz;
	memcpy(out->mrconfigid, p->mrconfigid, TDX_MR_SIZE);
	memcpy(out->mrowner, p->mrowner, TDX_MR_SIZE);
	memcpy(out->mrownerconfig, p->mrownerconfig, TDX_MR_SIZE);
}

int tdx_vm_init_common(struct coco_vm *vm, const struct tdx_launch_sink_ops *sink,
		       void *backend_state)
{
	struct tdx_vm *t;

	if (!vm->dry_run && !sink)
		return coco_err(-EINVAL, "TDX: VM '%s' has no launch sink (backend bug)",
				coco_vm_label(vm));
	t = calloc(1, sizeof(*t));
	if (!t)
		return coco_err(-ENOMEM, "TDX: out of memory");
	t->sink = vm->dry_run ? &tdx_measure_sink : sink;
	t->backend = backend_state;
	vm->priv = t;
	return 0;
}

void tdx_vm_free_common(struct coco_vm *vm)
{
	struct tdx_vm *t = vm->priv;

	if (!t)
		return;
	tdx_mrtd_free(t->dry_mrtd);
	free(t);
	vm->priv = NULL;
}

int tdx_launch_begin(struct coco_vm *vm)
{
	struct tdx_vm *t = tdx_vm_of(vm);

	if (vm->initial_measurement.size)
		return coco_err(-ENOTSUP, "TDX launch: the plan starts from a precomputed "
				"measurement, but MRTD is a single SHA-384 stream that cannot be "
				"resumed from a digest; measure the whole plan instead");
	tdx_td_config_from_vm(vm, &t->td);
	return t->sink->start(vm, &t->td);
}

static const char *label_of(const struct coco_region *r)
{
	return r->label ? r->label : "region";
}

/*
 * Hand [offset, offset + npages pages) of @r to the sink.  Runs lie wholly
 * inside the data (passed by reference), wholly past it (zero chunk), or
 * are the single page holding the end of ragged data (zero-padded copy).
 */
static int emit(struct coco_vm *vm, const struct coco_region *r, bool contents, bool extend,
		uint64_t offset, uint64_t npages)
{
	const struct tdx_launch_sink_ops *sink = tdx_vm_of(vm)->sink;
	const uint8_t *data = r->data;
	uint64_t gpa = r->gpa + offset;
	uint64_t bytes = npages * TDX_PAGE_SIZE;
	uint64_t data_len = contents && data ? r->data_len : 0;
	uint8_t bounce[TDX_PAGE_SIZE];

	if (offset + bytes <= data_len)
		return sink->add_pages(vm, gpa, data + offset, npages, extend);
	if (offset >= data_len)
		return sink->add_pages(vm, gpa, zero_chunk, npages, extend);
	if (npages != 1)
		return coco_err(-EINVAL, "TDX launch: %s at 0x%llx: a run of %llu pages straddles "
				"the end of the region's data (walker bug)", label_of(r),
				(unsigned long long)gpa, (unsigned long long)npages);
	memset(bounce, 0, sizeof(bounce));
	memcpy(bounce, data + offset, data_len - offset);
	return sink->add_pages(vm, gpa, bounce, 1, extend);
}

int tdx_launch_region(struct coco_vm *vm, const struct coco_region *r)
{
	bool contents, extend;
	uint64_t data_len, whole_data_end, offset = 0;
	int ret = 0;

	switch (r->type) {
	case COCO_PAGE_MEASURED:
		contents = extend = true;	/* PAGE.ADD + 16 x MR.EXTEND per page */
		break;
	case COCO_PAGE_UNMEASURED:
		contents = true;		/* PAGE.ADD only: the place is measured */
		extend = false;
		break;
	case COCO_PAGE_ZERO:
		contents = extend = false;
		break;
	case COCO_PAGE_SECRETS:
	case COCO_PAGE_CPUID:
	case COCO_PAGE_VCPU_STATE:
		return coco_err(-ENOTSUP, "TDX launch: %s at 0x%llx is a %s region; TDX has no such "
				"pages (the TDX module keeps secrets, CPUID configuration and vCPU "
				"state itself), so a plan for TDX uses measured, unmeasured and "
				"zero regions only", label_of(r), (unsigned long long)r->gpa,
				coco_page_type_name(r->type));
	default:
		return coco_err(-EINVAL, "TDX launch: %s at 0x%llx has unknown page type %d",
				label_of(r), (unsigned long long)r->gpa, (int)r->type);
	}
	if (!COCO_ALIGNED(r->gpa, TDX_PAGE_SIZE) || !COCO_ALIGNED(r->size, TDX_PAGE_SIZE) ||
	    !r->size)
		return coco_err(-EINVAL, "TDX launch: %s [0x%llx, +0x%llx) is not a 4 KiB aligned "
				"range", label_of(r), (unsigned long long)r->gpa,
				(unsigned long long)r->size);
	data_len = contents && r->data ? COCO_MIN(r->data_len, r->size) : 0;
	whole_data_end = data_len & ~(uint64_t)(TDX_PAGE_SIZE - 1);

	while (offset < r->size && !ret) {
		uint64_t bytes = COCO_MIN(r->size - offset, (uint64_t)RUN_PAGES * TDX_PAGE_SIZE);

		if (offset == whole_data_end && data_len > whole_data_end)
			bytes = TDX_PAGE_SIZE;			/* the ragged last data page */
		else if (offset < whole_data_end && whole_data_end - offset < bytes)
			bytes = whole_data_end - offset;	/* stop where whole data pages end */
		ret = emit(vm, r, contents, extend, offset, bytes / TDX_PAGE_SIZE);
		offset += bytes;
	}
	return ret;
}

int tdx_launch_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu)
{
	const struct tdx_vm *t = tdx_vm_of(vm);

	if (vcpu->index >= t->td.max_vcpus)
		return coco_err(-EINVAL, "TDX launch: vCPU %u does not exist; the TD was created "
				"with %u vCPUs (TDH.VP.CREATE happens at launch begin)",
				vcpu->index, t->td.max_vcpus);
	if (vcpu->index != vm->vcpus_added)
		return coco_err(-EINVAL, "TDX launch: vCPU %u given as number %zu; vCPUs come in "
				"order from 0", vcpu->index, vm->vcpus_added);
	/*
	 * TDX vCPU state is architectural (every vCPU starts at the reset
	 * vector the module sets; TDVF parks the APs itself): boot_ip has no
	 * TDX meaning and nothing is measured or handed over.
	 */
	return 0;
}

int tdx_launch_finish(struct coco_vm *vm, struct coco_measurement *measurement)
{
	if (!vm->vcpus_added)
		return coco_err(-EINVAL, "TDX launch: TDH.MR.FINALIZE needs at least one vCPU "
				"(the module answers TDX_NO_VCPUS); add the vCPUs to the plan");
	return tdx_vm_of(vm)->sink->finish(vm, measurement);
}

/* ------------------------------------------------------------------ */
/* The measuring sink: MRTD without a platform.                         */

static int measure_start(struct coco_vm *vm, const struct tdx_td_config *cfg)
{
	struct tdx_vm *t = tdx_vm_of(vm);

	(void)cfg;	/* TD_PARAMS are reported in TDINFO, not measured into MRTD */
	tdx_mrtd_free(t->dry_mrtd);
	t->dry_mrtd = NULL;
	return tdx_mrtd_new(&t->dry_mrtd);
}

static int measure_add_pages(struct coco_vm *vm, uint64_t gpa, const uint8_t *src,
			     uint64_t npages, bool extend)
{
	return tdx_mrtd_add_pages(tdx_vm_of(vm)->dry_mrtd, gpa, src, npages, extend);
}

static int measure_finish(struct coco_vm *vm, struct coco_measurement *m)
{
	struct coco_measurement out = { .size = TDX_MR_SIZE };
	int ret = tdx_mrtd_final(tdx_vm_of(vm)->dry_mrtd, out.value);

	if (ret)
		return ret;
	snprintf(out.alg, sizeof(out.alg), "sha384");
	*m = out;
	return 0;
}

const struct tdx_launch_sink_ops tdx_measure_sink = {
	.name = "measure",
	.start = measure_start,
	.add_pages = measure_add_pages,
	.finish = measure_finish,
};

/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/launch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "sev-snp/vmsa.h"

/* Source of all-zero pages for region tails beyond their data; never written. */
static uint8_t zero_chunk[SNP_LARGE_PAGE_SIZE];

uint8_t snp_page_type_of(enum coco_page_type type)
{
	switch (type) {
	case COCO_PAGE_MEASURED:
		return SNP_PAGE_TYPE_NORMAL;
	case COCO_PAGE_ZERO:
		return SNP_PAGE_TYPE_ZERO;
	case COCO_PAGE_UNMEASURED:
		return SNP_PAGE_TYPE_UNMEASURED;
	case COCO_PAGE_SECRETS:
		return SNP_PAGE_TYPE_SECRETS;
	case COCO_PAGE_CPUID:
		return SNP_PAGE_TYPE_CPUID;
	case COCO_PAGE_VCPU_STATE:
		return SNP_PAGE_TYPE_VMSA;
	}
	return 0;
}

int snp_launch_begin(struct coco_vm *vm)
{
	return snp_vm_of(vm)->sink->start(vm);
}

/* Does this page type carry contents into the guest? */
static bool has_contents(uint8_t type, const struct coco_region *r)
{
	switch (type) {
	case SNP_PAGE_TYPE_NORMAL:
	case SNP_PAGE_TYPE_UNMEASURED:
	case SNP_PAGE_TYPE_VMSA:
		return true;
	case SNP_PAGE_TYPE_CPUID:
		return r->data != NULL;	/* else the backend supplies its CPUID table */
	default:
		return false;
	}
}

/*
 * Hand [gpa, gpa + npages pages) to the sink.  Pages fully covered by data
 * go by reference; the page holding the end of the data is copied into a
 * zero-padded bounce page; pages past the data come from the zero chunk.
 */
static int emit(struct coco_vm *vm, const struct coco_region *r, uint8_t type, uint64_t offset,
		uint64_t npages, bool large)
{
	const struct snp_launch_sink_ops *sink = snp_vm_of(vm)->sink;
	uint64_t gpa = r->gpa + offset;
	const uint8_t *data = r->data;
	uint64_t bytes = npages * SNP_PAGE_SIZE;

	if (!has_contents(type, r))
		return sink->update(vm, gpa, type, NULL, npages, large);
	if (offset + bytes <= r->data_len)
		return sink->update(vm, gpa, type, data + offset, npages, large);
	if (offset >= r->data_len)
		return sink->update(vm, gpa, type, zero_chunk, npages, large);

	/* The data ends inside this run: it is one page (runs are split there) */
	uint8_t bounce[SNP_PAGE_SIZE];
	if (npages != 1 || r->data_len - offset > SNP_PAGE_SIZE)
		return coco_err(-EINVAL, "SNP launch: %s at 0x%llx: a run of %llu pages straddles "
				"the end of the region's data (walker bug)",
				r->label ? r->label : "region", (unsigned long long)gpa,
				(unsigned long long)npages);
	memset(bounce, 0, sizeof(bounce));
	memcpy(bounce, data + offset, r->data_len - offset);
	return sink->update(vm, gpa, type, bounce, 1, false);
}

int snp_launch_region(struct coco_vm *vm, const struct coco_region *r)
{
	uint8_t type = snp_page_type_of(r->type);
	uint64_t offset = 0;
	/* Page index where data stops filling whole pages; runs break there. */
	uint64_t data_full_end = r->data_len & ~(uint64_t)(SNP_PAGE_SIZE - 1);
	bool ragged = r->data && (r->data_len % SNP_PAGE_SIZE) != 0;
	/*
	 * Data that ends before the region does splits the runs at its last
	 * whole page, ragged or not: emit() takes each run either from the
	 * data or from the zero chunk, never from both.
	 */
	bool split = has_contents(type, r) && r->data && data_full_end < r->size;
	int ret = 0;

	while (offset < r->size && !ret) {
		uint64_t gpa = r->gpa + offset;
		uint64_t left = r->size - offset;
		uint64_t npages;
		bool large = false;

		if (ragged && offset == data_full_end) {
			npages = 1;
		} else if ((r->flags & COCO_REGION_LARGE_PAGES) &&
			   COCO_ALIGNED(gpa, SNP_LARGE_PAGE_SIZE) && left >= SNP_LARGE_PAGE_SIZE &&
			   !(split && data_full_end > offset &&
			     data_full_end < offset + SNP_LARGE_PAGE_SIZE)) {
			npages = SNP_LARGE_PAGE_SIZE / SNP_PAGE_SIZE;
			large = true;
		} else {
			/* 4 KiB pages up to the next 2 MiB boundary or the end of the data. */
			uint64_t to_boundary = SNP_LARGE_PAGE_SIZE - (gpa % SNP_LARGE_PAGE_SIZE);
			uint64_t bytes = COCO_MIN(left, to_boundary);
			if (split && data_full_end > offset && data_full_end - offset < bytes)
				bytes = data_full_end - offset;
			npages = bytes / SNP_PAGE_SIZE;
		}
		ret = emit(vm, r, type, offset, npages, large);
		offset += npages * SNP_PAGE_SIZE;
	}
	return ret;
}

int snp_launch_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu)
{
	const struct coco_snp_policy *p = &vm->config.policy.u.snp;
	uint8_t vmsa[SNP_PAGE_SIZE];
	struct snp_vmsa_params params = {
		.vmm_type = p->vmm_type,
		.vcpu_index = vcpu->index,
		.boot_ip = vcpu->boot_ip,
		.cpu_signature = vm->config.cpu_signature ? vm->config.cpu_signature
							  : SNP_DEFAULT_CPU_SIGNATURE,
		.sev_features = p->vmsa_features,
	};
	int ret = snp_vmsa_build(vmsa, &params);

	if (ret)
		return ret;
	return snp_vm_of(vm)->sink->vcpu(vm, vcpu, vmsa);
}

int snp_launch_finish(struct coco_vm *vm, struct coco_measurement *measurement)
{
	return snp_vm_of(vm)->sink->finish(vm, measurement);
}

/* ------------------------------------------------------------------ */
/* The measuring sink: the launch digest without a platform.            */

static int measure_start(struct coco_vm *vm)
{
	struct snp_vm *s = snp_vm_of(vm);
	int ret = snp_launch_digest_init(&s->dry_digest);

	if (ret)
		return ret;
	if (vm->initial_measurement.size) {
		if (vm->initial_measurement.size != SNP_DIGEST_SIZE)
			return coco_err(-EINVAL, "SNP launch: a precomputed launch digest is %u "
					"bytes, not the %u of SHA-384",
					vm->initial_measurement.size, SNP_DIGEST_SIZE);
		memcpy(s->dry_digest.ld, vm->initial_measurement.value, SNP_DIGEST_SIZE);
	}
	return 0;
}

static int measure_update(struct coco_vm *vm, uint64_t gpa, uint8_t type, const uint8_t *src,
			  uint64_t npages, bool large)
{
	(void)large;	/* a 2 MiB update is measured as its 512 pages */
	return snp_launch_digest_extend_pages(&snp_vm_of(vm)->dry_digest, type, gpa, src, npages);
}

static int measure_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *desc,
			const uint8_t vmsa[SNP_PAGE_SIZE])
{
	(void)desc;
	/* KVM gives every initial VMSA the same RMP GPA, so it is measured there. */
	return snp_launch_digest_extend_pages(&snp_vm_of(vm)->dry_digest, SNP_PAGE_TYPE_VMSA,
					      SNP_INITIAL_VMSA_GPA, vmsa, 1);
}

static int measure_finish(struct coco_vm *vm, struct coco_measurement *m)
{
	struct snp_vm *s = snp_vm_of(vm);

	memset(m, 0, sizeof(*m));
	memcpy(m->value, s->dry_digest.ld, SNP_DIGEST_SIZE);
	m->size = SNP_DIGEST_SIZE;
	snprintf(m->alg, sizeof(m->alg), "sha384");
	return 0;
}

const struct snp_launch_sink_ops snp_measure_sink = {
	.name = "measure",
	.start = measure_start,
	.update = measure_update,
	.vcpu = measure_vcpu,
	.finish = measure_finish,
};

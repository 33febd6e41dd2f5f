/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The VM lifecycle state machine (include/coco/vm.h).  The core checks the
 * order of calls and the shape of the arguments; the backend performs the
 * vendor operations.  A backend failure during launch moves the VM to
 * FAILED, from which only destroy is possible.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "core/internal.h"
#include "core/util.h"
#include "memory/guest-mem.h"
#include "memory/mem-tracker.h"

/* q35's split of RAM around the 32-bit PCI hole: 2 GiB low when RAM >= 2.75 GiB. */
#define LOWMEM_SPLIT_THRESHOLD 0xb0000000ull
#define LOWMEM_LARGE 0x80000000ull
#define HIGHMEM_BASE 0x100000000ull
#define MAX_VCPUS 512u

static const char *const state_names[] = {
	[COCO_VM_CREATED] = "created",
	[COCO_VM_LAUNCHING] = "launching",
	[COCO_VM_LAUNCHED] = "launched",
	[COCO_VM_FAILED] = "failed",
};

const char *coco_vm_state_name(enum coco_vm_state state)
{
	if ((unsigned)state >= COCO_ARRAY_SIZE(state_names))
		return "unknown";
	return state_names[state];
}

const char *coco_mem_state_name(enum coco_mem_state state)
{
	return state == COCO_MEM_PRIVATE ? "private" : "shared";
}

void coco_vm_config_init(struct coco_vm_config *config, enum coco_vendor vendor)
{
	memset(config, 0, sizeof(*config));
	config->vcpus = 1;
	config->policy.vendor = vendor;
	if (vendor == COCO_VENDOR_AMD_SEV_SNP) {
		config->policy.u.snp.guest_policy = COCO_SNP_POLICY_DEFAULT;
		config->policy.u.snp.vmsa_features = COCO_SNP_FEATURES_DEFAULT;
		config->policy.u.snp.vmm_type = COCO_SNP_VMM_QEMU;
	} else if (vendor == COCO_VENDOR_INTEL_TDX) {
		config->policy.u.tdx.attributes = COCO_TDX_ATTR_DEFAULT;
		config->policy.u.tdx.xfam = COCO_TDX_XFAM_DEFAULT;
	}
}

enum coco_vm_state coco_vm_get_state(const struct coco_vm *vm)
{
	return vm->state;
}

struct coco_host *coco_vm_host(const struct coco_vm *vm)
{
	return vm->host;
}

/* Vendor defaults for zero fields, so callers may leave them out. */
static void apply_defaults(struct coco_vm_config *c, enum coco_vendor vendor)
{
	if (c->policy.vendor == COCO_VENDOR_NONE) {
		struct coco_vm_config d;
		coco_vm_config_init(&d, vendor);
		c->policy = d.policy;
	}
	if (c->policy.vendor == COCO_VENDOR_AMD_SEV_SNP) {
		struct coco_snp_policy *p = &c->policy.u.snp;
		if (!p->guest_policy)
			p->guest_policy = COCO_SNP_POLICY_DEFAULT;
		if (!p->vmsa_features)
			p->vmsa_features = COCO_SNP_FEATURES_DEFAULT;
		if (!p->vmm_type)
			p->vmm_type = COCO_SNP_VMM_QEMU;
	} else if (c->policy.vendor == COCO_VENDOR_INTEL_TDX) {
		struct coco_tdx_policy *p = &c->policy.u.tdx;
		if (!p->attributes)
			p->attributes = COCO_TDX_ATTR_DEFAULT;
		if (!p->xfam)
			p->xfam = COCO_TDX_XFAM_DEFAULT;
	}
}

static int check_config(const struct coco_backend *b, const struct coco_vm_config *c,
			bool dry_run)
{
	if (c->policy.vendor != b->vendor)
		return coco_err(-EINVAL,
				"coco_vm_create: the configuration carries a %s policy but backend "
				"'%s' is %s; set config.policy.vendor to match the backend",
				coco_vendor_name(c->policy.vendor), b->name,
				coco_vendor_name(b->vendor));
	if ((!dry_run && c->vcpus == 0) || c->vcpus > MAX_VCPUS)
		return coco_err(-EINVAL, "coco_vm_create: %u vCPUs requested; 1 to %u are supported",
				c->vcpus, MAX_VCPUS);
	if (!COCO_ALIGNED(c->memory_size, COCO_LARGE_PAGE_SIZE))
		return coco_err(-EINVAL,
				"coco_vm_create: memory size %llu bytes is not a multiple of 2 MiB; "
				"round it to whole 2 MiB pages (e.g. %llu MiB)",
				(unsigned long long)c->memory_size,
				(unsigned long long)((c->memory_size + COCO_LARGE_PAGE_SIZE - 1) /
						     COCO_LARGE_PAGE_SIZE * 2));
	if (c->memory_size > (1ull << 46))
		return coco_err(-EINVAL, "coco_vm_create: memory size %llu is above 64 TiB",
				(unsigned long long)c->memory_size);
	return b->config_validate ? b->config_validate(c) : 0;
}

static int copy_config(struct coco_vm *vm, const struct coco_vm_config *c)
{
	vm->config = *c;
	if (c->name) {
		vm->name = strdup(c->name);
		if (!vm->name)
			return coco_err(-ENOMEM, "coco_vm_create: out of memory");
		vm->config.name = vm->name;
	}
	if (c->policy.vendor == COCO_VENDOR_AMD_SEV_SNP) {
		struct coco_snp_policy *p = &vm->config.policy.u.snp;
		if (p->id_block) {
			vm->id_block = malloc(96);
			if (!vm->id_block)
				return coco_err(-ENOMEM, "coco_vm_create: out of memory");
			memcpy(vm->id_block, p->id_block, 96);
			p->id_block = vm->id_block;
		}
		if (p->id_auth) {
			vm->id_auth = malloc(4096);
			if (!vm->id_auth)
				return coco_err(-ENOMEM, "coco_vm_create: out of memory");
			memcpy(vm->id_auth, p->id_auth, 4096);
			p->id_auth = vm->id_auth;
		}
	}
	return 0;
}

static void vm_free(struct coco_vm *vm)
{
	if (!vm)
		return;
	coco_mem_tracker_free(vm->mem);
	coco_mem_tracker_free(vm->launched);
	free(vm->name);
	free(vm->id_block);
	free(vm->id_auth);
	free(vm);
}

static int add_ram(struct coco_vm *vm)
{
	uint64_t mem = vm->config.memory_size;
	uint64_t low = mem >= LOWMEM_SPLIT_THRESHOLD ? LOWMEM_LARGE : mem;
	int ret = 0;

	/* Guest RAM starts private, as a confidential VMM marks it at start-up. */
	if (low)
		ret = coco_guest_mem_add_slot(vm, 0, low, COCO_MEM_PRIVATE, "ram");
	if (!ret && mem > low)
		ret = coco_guest_mem_add_slot(vm, HIGHMEM_BASE, mem - low, COCO_MEM_PRIVATE,
					      "ram-high");
	return ret;
}

static int new_vm(const struct coco_backend *b, struct coco_host *host,
		  const struct coco_vm_config *config, bool dry_run,
		  const struct coco_mem_provider *provider, struct coco_vm **out)
{
	struct coco_vm_config c = *config;
	struct coco_vm *vm;
	int ret;

	apply_defaults(&c, b->vendor);
	ret = check_config(b, &c, dry_run);
	if (ret)
		return ret;
	vm = calloc(1, sizeof(*vm));
	if (!vm)
		return coco_err(-ENOMEM, "coco_vm_create: out of memory");
	vm->host = host;
	vm->backend = b;
	vm->dry_run = dry_run;
	vm->state = COCO_VM_CREATED;
	if (provider)
		vm->mem_provider = *provider;
	ret = copy_config(vm, &c);
	if (!ret)
		ret = coco_mem_tracker_new(&vm->mem);
	if (!ret)
		ret = coco_mem_tracker_new(&vm->launched);
	if (ret) {
		vm_free(vm);
		return ret;
	}
	if (host) {
		pthread_mutex_lock(&host->lock);
		if (host->closed) {
			pthread_mutex_unlock(&host->lock);
			vm_free(vm);
			return coco_err(-EBADF, "coco_vm_create: the host was closed");
		}
		host->nvms++;
		pthread_mutex_unlock(&host->lock);
	}
	ret = b->vm_create(vm);
	if (ret) {
		if (host)
			coco_host_vm_gone(host);
		vm_free(vm);
		return ret;
	}
	if (!dry_run) {
		ret = add_ram(vm);
		if (ret) {
			coco_vm_destroy(vm);
			return ret;
		}
	}
	*out = vm;
	return 0;
}

int coco_vm_new_internal(const struct coco_backend *b, struct coco_host *host,
			 const struct coco_vm_config *config, bool dry_run, struct coco_vm **out)
{
	return new_vm(b, host, config, dry_run, NULL, out);
}

int coco_vm_create(struct coco_host *host, const struct coco_vm_config *config,
		   struct coco_vm **vm)
{
	if (!host || !config || !vm)
		return coco_err(-EINVAL, "coco_vm_create: host, config and vm are required");
	return coco_vm_new_internal(host->backend, host, config, false, vm);
}

int coco_vm_create_with_memory(struct coco_host *host, const struct coco_vm_config *config,
			       const struct coco_mem_provider *provider, struct coco_vm **vm)
{
	if (!host || !config || !vm)
		return coco_err(-EINVAL, "coco_vm_create: host, config and vm are required");
	return new_vm(host->backend, host, config, false, provider, vm);
}

void coco_vm_destroy(struct coco_vm *vm)
{
	if (!vm)
		return;
	struct coco_host *host = vm->host;

	/* The platform lets go of the guest first (SNP: decommission, reclaim pages). */
	vm->backend->vm_destroy(vm);
	coco_guest_mem_release(vm);
	vm_free(vm);
	if (host)
		coco_host_vm_gone(host);
}

static int wrong_state(const struct coco_vm *vm, const char *op, const char *expected)
{
	return coco_err(vm->state == COCO_VM_FAILED ? -EIO : -EBUSY,
			"%s: VM '%s' is %s; %s", op, coco_vm_label(vm),
			coco_vm_state_name(vm->state), expected);
}

/* A backend step failed: the launch cannot continue. */
static int launch_failed(struct coco_vm *vm, int ret)
{
	vm->state = COCO_VM_FAILED;
	return ret;
}

int coco_vm_launch_begin(struct coco_vm *vm)
{
	int ret;

	if (vm->state != COCO_VM_CREATED)
		return wrong_state(vm, "coco_vm_launch_begin",
				   vm->state == COCO_VM_FAILED
					   ? "only coco_vm_destroy is possible after a failed launch"
					   : "a VM is launched once, right after coco_vm_create");
	ret = vm->backend->launch_begin(vm);
	if (ret)
		return launch_failed(vm, ret);
	vm->state = COCO_VM_LAUNCHING;
	return 0;
}

/*
 * Launched pages become guest-private: a region over memory the VM has made
 * shared is refused (convert it back first) rather than leaving the state
 * tracker and the platform disagreeing.
 */
static int launch_memory_private(struct coco_vm *vm, const struct coco_region *r, const char *op)
{
	for (uint64_t pos = r->gpa; pos < r->gpa + r->size;) {
		enum coco_mem_state st;
		uint64_t run;

		if (coco_mem_tracker_get(vm->mem, pos, &st, &run)) {
			/* Not guest memory yet: coco_guest_mem_cover adds it, private. */
			pos += COCO_PAGE_SIZE;
			continue;
		}
		if (st == COCO_MEM_SHARED) {
			coco_clear_error();
			return coco_err(-EINVAL, "%s: %s [0x%llx, +0x%llx) includes shared memory at "
					"0x%llx; launched pages are private: convert the range to "
					"private first", op, r->label ? r->label : "region",
					(unsigned long long)r->gpa, (unsigned long long)r->size,
					(unsigned long long)pos);
		}
		pos += run;
	}
	coco_clear_error();
	return 0;
}

int coco_vm_launch_add_region(struct coco_vm *vm, const struct coco_region *region)
{
	static const char op[] = "coco_vm_launch_add_region";
	int ret;

	if (vm->state != COCO_VM_LAUNCHING)
		return wrong_state(vm, op, "regions are added between coco_vm_launch_begin "
				   "and coco_vm_launch_finish");
	if (vm->vcpus_added)
		return coco_err(-EINVAL, "%s: VM '%s' already has %zu vCPUs; every region comes "
				"before the first vCPU", op, coco_vm_label(vm), vm->vcpus_added);
	ret = coco_region_validate(region, op);
	if (ret)
		return ret;
	/* A guest page enters the launch once; the set of launched pages refuses overlaps. */
	ret = coco_mem_tracker_add(vm->launched, region->gpa, region->size, COCO_MEM_PRIVATE);
	if (ret)
		return coco_err_context(ret, "%s: %s [0x%llx, +0x%llx) was already launched", op,
					region->label ? region->label : "region",
					(unsigned long long)region->gpa,
					(unsigned long long)region->size);
	if (!vm->dry_run) {
		ret = launch_memory_private(vm, region, op);
		if (ret) {
			coco_mem_tracker_remove(vm->launched, region->gpa, region->size);
			return ret;
		}
		ret = coco_guest_mem_cover(vm, region->gpa, region->size,
					   region->label ? region->label : "launch");
		if (ret)
			return launch_failed(vm, coco_err_context(ret, "%s", op));
	}
	ret = vm->backend->launch_region(vm, region);
	if (ret)
		return launch_failed(vm, ret);
	vm->regions_added++;
	return 0;
}

int coco_vm_launch_add_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *vcpu)
{
	static const char op[] = "coco_vm_launch_add_vcpu";
	int ret;

	if (vm->state != COCO_VM_LAUNCHING)
		return wrong_state(vm, op, "vCPUs are added between coco_vm_launch_begin and "
				   "coco_vm_launch_finish");
	if (vcpu->index != vm->vcpus_added)
		return coco_err(-EINVAL, "%s: vCPU %u added as number %zu; vCPUs are added in "
				"order from 0 (the BSP)", op, vcpu->index, vm->vcpus_added);
	if (vm->vcpus_added >= vm->config.vcpus)
		return coco_err(-EINVAL, "%s: VM '%s' is configured with %u vCPUs; vCPU %u is "
				"one too many", op, coco_vm_label(vm), vm->config.vcpus,
				vcpu->index);
	ret = vm->backend->launch_vcpu(vm, vcpu);
	if (ret)
		return launch_failed(vm, ret);
	vm->vcpus_added++;
	return 0;
}

int coco_vm_launch_finish(struct coco_vm *vm)
{
	static const char op[] = "coco_vm_launch_finish";
	int ret;

	if (vm->state != COCO_VM_LAUNCHING)
		return wrong_state(vm, op, "finish follows coco_vm_launch_begin and the regions "
				   "and vCPUs of the launch");
	if (vm->vcpus_added != vm->config.vcpus)
		return coco_err(-EINVAL, "%s: VM '%s' is configured with %u vCPUs but %zu were "
				"added; add the state of every vCPU before finishing", op,
				coco_vm_label(vm), vm->config.vcpus, vm->vcpus_added);
	ret = vm->backend->launch_finish(vm, &vm->dry_run_measurement);
	if (ret)
		return launch_failed(vm, ret);
	vm->state = COCO_VM_LAUNCHED;
	return 0;
}

int coco_vm_launch_plan(struct coco_vm *vm, const struct coco_launch_plan *plan)
{
	int ret;

	if (plan->initial.size) {
		if (!vm->dry_run)
			return coco_err(-EINVAL, "coco_vm_launch_plan: the plan starts from a "
					"precomputed measurement and can only be measured, not "
					"launched; build it without a precomputed firmware "
					"measurement");
		if (vm->state == COCO_VM_CREATED)
			vm->initial_measurement = plan->initial;
	}
	ret = coco_vm_launch_begin(vm);

	for (size_t i = 0; !ret && i < plan->nregions; i++)
		ret = coco_vm_launch_add_region(vm, &plan->regions[i]);
	for (size_t i = 0; !ret && i < plan->nvcpus; i++)
		ret = coco_vm_launch_add_vcpu(vm, &plan->vcpus[i]);
	if (!ret)
		ret = coco_vm_launch_finish(vm);
	return ret;
}

/* ------------------------------------------------------------------ */

int coco_vm_mem_get_state(struct coco_vm *vm, uint64_t gpa, enum coco_mem_state *state,
			  uint64_t *run_len)
{
	int ret = coco_mem_tracker_get(vm->mem, gpa, state, run_len);

	return ret ? coco_err_context(ret, "coco_vm_mem_get_state: VM '%s'", coco_vm_label(vm))
		   : 0;
}

int coco_vm_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			enum coco_mem_state to)
{
	static const char op[] = "coco_vm_mem_convert";
	uint64_t pos, end;
	int ret;

	if (vm->state != COCO_VM_CREATED && vm->state != COCO_VM_LAUNCHED)
		return wrong_state(vm, op, "memory is converted before or after a launch, not "
				   "during one");
	if (to != COCO_MEM_PRIVATE && to != COCO_MEM_SHARED)
		return coco_err(-EINVAL, "%s: unknown target state %d", op, (int)to);
	if (!size || !COCO_ALIGNED(gpa, COCO_PAGE_SIZE) || !COCO_ALIGNED(size, COCO_PAGE_SIZE) ||
	    !coco_add_ok(gpa, size, &end))
		return coco_err(-EINVAL, "%s: [0x%llx, +0x%llx) is not a 4 KiB aligned range", op,
				(unsigned long long)gpa, (unsigned long long)size);
	ret = coco_mem_tracker_covered(vm->mem, gpa, size);
	if (ret)
		return coco_err_context(ret, "%s: VM '%s'", op, coco_vm_label(vm));
	if (!vm->backend->mem_convert)
		return coco_err(-ENOTSUP, "%s: backend '%s' does not convert memory", op,
				vm->backend->name);

	/* Convert each run that is not in the target state yet; undo them all on failure. */
	for (pos = gpa; pos < end;) {
		enum coco_mem_state cur;
		uint64_t run;

		coco_mem_tracker_get(vm->mem, pos, &cur, &run);
		run = COCO_MIN(run, end - pos);
		if (cur != to) {
			ret = vm->backend->mem_convert(vm, pos, run, to);
			if (ret)
				break;
		}
		pos += run;
	}
	if (ret) {
		uint64_t failed_at = pos;
		for (pos = gpa; pos < failed_at;) {
			enum coco_mem_state cur;
			uint64_t run;
			coco_mem_tracker_get(vm->mem, pos, &cur, &run);
			run = COCO_MIN(run, failed_at - pos);
			if (cur != to && vm->backend->mem_convert(vm, pos, run, cur))
				coco_warn("%s: could not undo the conversion of [0x%llx, +0x%llx)",
					  op, (unsigned long long)pos, (unsigned long long)run);
			pos += run;
		}
		return ret;
	}
	return coco_mem_tracker_set(vm->mem, gpa, size, to);
}

/* ------------------------------------------------------------------ */

int coco_vm_get_evidence(struct coco_vm *vm, const uint8_t report_data[COCO_REPORT_DATA_SIZE],
			 struct coco_evidence **evidence)
{
	static const char op[] = "coco_vm_get_evidence";

	if (!report_data || !evidence)
		return coco_err(-EINVAL, "%s: report_data and evidence are required", op);
	if (vm->state != COCO_VM_LAUNCHED)
		return wrong_state(vm, op, "evidence exists once coco_vm_launch_finish succeeded");
	if (!vm->backend->get_evidence)
		return coco_err(-ENOTSUP, "%s: backend '%s' cannot obtain evidence from the host; "
				"the guest requests it itself", op, vm->backend->name);
	return vm->backend->get_evidence(vm, report_data, evidence);
}

/* ------------------------------------------------------------------ */

int coco_plan_expected_measurement(const char *backend, const struct coco_vm_config *config,
				   const struct coco_launch_plan *plan,
				   struct coco_measurement *measurement)
{
	const struct coco_backend *b = coco_backends_for_measurement(backend);
	struct coco_vm_config c;
	struct coco_vm *vm;
	int ret;

	if (!b)
		return coco_err(-ENOENT, "coco_plan_expected_measurement: no backend or vendor "
				"named '%s'", backend ? backend : "(null)");
	if (config)
		c = *config;
	else
		coco_vm_config_init(&c, b->vendor);
	/* The plan says how many vCPUs are launched. */
	c.vcpus = (uint32_t)plan->nvcpus;
	c.memory_size = 0;
	ret = coco_vm_new_internal(b, NULL, &c, true, &vm);
	if (ret)
		return ret;
	ret = coco_vm_launch_plan(vm, plan);
	if (!ret)
		*measurement = vm->dry_run_measurement;
	coco_vm_destroy(vm);
	return ret;
}

int coco_plan_from_firmware(const char *backend, const struct coco_firmware_spec *spec,
			    const struct coco_vm_config *config, struct coco_launch_plan **plan)
{
	const struct coco_backend *b = coco_backends_for_measurement(backend);
	struct coco_vm_config c;

	if (!b)
		return coco_err(-ENOENT, "coco_plan_from_firmware: no backend or vendor named '%s'",
				backend ? backend : "(null)");
	if (!b->plan_firmware)
		return coco_err(-ENOTSUP, "coco_plan_from_firmware: backend '%s' builds no plans "
				"from firmware images", b->name);
	if (config)
		c = *config;
	else
		coco_vm_config_init(&c, b->vendor);
	apply_defaults(&c, b->vendor);
	if (c.policy.vendor != b->vendor)
		return coco_err(-EINVAL, "coco_plan_from_firmware: the configuration carries a %s "
				"policy but backend '%s' is %s", coco_vendor_name(c.policy.vendor),
				b->name, coco_vendor_name(b->vendor));
	return b->plan_firmware(spec, &c, plan);
}

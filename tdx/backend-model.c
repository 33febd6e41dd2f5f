/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "tdx-model": Intel TDX on the TDX module + PAMT platform model.
 *
 * The host half does what Linux and KVM do on a real TDX host, through the
 * same vendor interface (tdx/tdx-host.h over the module model's SEAMCALL
 * entry point): the module comes up once per platform (tdx_enable: SYS.INIT,
 * LP.INIT on every LP, TDMRs/PAMTs, SYS.CONFIG, KEY.CONFIG per package,
 * TDMR.INIT); a VM is a TD whose KeyID, TDR, TDCS and keys are taken when the
 * VM is created, whose TD_PARAMS (TDH.MNG.INIT) and vCPUs come when its
 * launch begins, whose launch pages are TDH.MEM.PAGE.ADD (+ TDH.MR.EXTEND)
 * and which TDH.MR.FINALIZE seals; destroy runs the teardown sequence after
 * which the KeyID is free again.
 *
 * Guest memory: the VM's slots are the host's (shared) view; private pages
 * are the module's, taken from the host kernel's pool as guest_memfd pages
 * would be, and never reachable through the slots.  Converting a page to
 * shared removes it from the TD (RANGE.BLOCK, TRACK, PAGE.REMOVE: its
 * contents are gone, as on hardware); converting to private adds a fresh
 * page (PAGE.AUG) once the TD runs, which the guest accepts.
 *
 * Running guests (coco-vmm, tdx/guest-channel.c): a page given back to the
 * host reads as zeros (its private contents are gone); the VMM itself
 * reaches only shared pages (coco_vmm_read_shared).
 *
 * Evidence: until guests run (coco-vmm), an in-process agent plays the
 * guest's part (TDG.MR.REPORT on vCPU 0 through a private scratch page
 * outside guest RAM), and the model Quoting Enclave turns the TDREPORT into
 * a DCAP quote signed under the platform's model PCK hierarchy.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tdx/backend-common.h"
#include "tdx/backend-model.h"
#include "tdx/guest-channel.h"
#include "tdx/module-model.h"
#include "tdx/qe-model.h"
#include "tdx/tdx-host.h"
#include "tdx/verify.h"

#define PAGE 4096ull

/*
 * Where the evidence agent's TDREPORT page sits: the last private GPA of a
 * 4-level TD (GPAW 48: the shared bit is 47), far above any guest RAM.
 */
#define AGENT_SCRATCH_GPA ((1ull << 47) - PAGE)

/* Quote version the model QE produces (4: TD 1.0 body, what most verifiers expect). */
#define MODEL_QUOTE_VERSION 4u

struct model_host {
	struct tdx_module *module;
	struct tdx_host *host;
	struct tdx_host_env env;
};

struct model_vm {
	struct model_host *mh;
	struct tdx_host_td *td;
	bool initialised;		/* TDH.MNG.INIT done */
	bool finalised;			/* TDH.MR.FINALIZE done: the TD is runnable */
};

static struct model_host *mh_of(struct coco_host *host)
{
	return host->priv;
}

static struct model_vm *mv_of(struct coco_vm *vm)
{
	return tdx_vm_of(vm)->backend;
}

/* ------------------------------------------------------------------ */
/* Probe, host, caps                                                    */

static int model_probe(struct coco_probe_result *r)
{
	EVP_MD *sha384 = EVP_MD_fetch(NULL, "SHA384", NULL);
	EVP_MD *sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
	bool ok = sha384 && sha256;

	coco_probe_add(r, "crypto", ok, "install an OpenSSL 3 with the default provider", "%s",
		       ok ? "OpenSSL provides SHA-384, SHA-256 and ECDSA P-256"
			  : "OpenSSL lacks SHA-384 or SHA-256");
	EVP_MD_free(sha384);
	EVP_MD_free(sha256);
	return 0;
}

static void host_free(struct model_host *mh)
{
	if (!mh)
		return;
	tdx_host_close(mh->host);
	tdx_module_close(mh->module);
	free(mh);
}

static int model_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	struct tdx_module_config cfg = { 0 };
	struct model_host *mh = calloc(1, sizeof(*mh));
	int ret;

	if (!mh)
		return coco_err(-ENOMEM, "tdx-model: out of memory");
	/* The platform file every process of this host shares (a private one for tests). */
	cfg.path = host->private_platform ? NULL : host->platform_path;
	/* Guests need one private KeyID each; the module keeps one as its global KeyID. */
	if (opts->model_max_guests)
		cfg.keyids = opts->model_max_guests + 1;
	ret = tdx_module_open(&cfg, &mh->module);
	if (!ret) {
		tdx_host_env_model(mh->module, &mh->env);
		ret = tdx_host_open(&mh->env, &mh->host);
	}
	if (!ret) {
		tdx_host_reap(mh->host);
		ret = tdx_host_enable(mh->host);
		if (ret)
			ret = coco_err_context(ret, "tdx-model: bringing the TDX module up");
	}
	if (ret) {
		host_free(mh);
		return ret;
	}
	host->priv = mh;
	return 0;
}

static void model_host_close(struct coco_host *host)
{
	host_free(mh_of(host));
	host->priv = NULL;
}

/* TDH.SYS.RD of one global metadata field (LP 0), 0 if the module does not answer. */
static uint64_t sys_rd(struct model_host *mh, uint64_t field)
{
	struct tdx_module_args a = { .rdx = field };

	return tdx_module_seamcall(mh->module, 0, TDH_SYS_RD, &a) == TDX_SUCCESS ? a.r8 : 0;
}

static int model_caps(struct coco_host *host, struct coco_caps *caps)
{
	struct model_host *mh = mh_of(host);
	uint32_t first, count, tdmrs;
	unsigned int max_pa, packages, lps;
	uint64_t pamt_bytes;

	tdx_module_keyids(mh->module, &first, &count, &max_pa);
	tdx_module_topology(mh->module, &packages, &lps);
	tdx_host_enable_info(mh->host, &tdmrs, &pamt_bytes);
	caps->max_guests = count - 1;
	caps->active_guests = tdx_host_keyids_in_use(mh->host);
	caps->page_types = TDX_LAUNCH_PAGE_TYPES;
	snprintf(caps->measurement_alg, sizeof(caps->measurement_alg), "sha384");
	caps->measurement_size = TDX_MR_SIZE;
	snprintf(caps->firmware_version, sizeof(caps->firmware_version), "%llu.%llu.%llu",
		 (unsigned long long)sys_rd(mh, TDX_MD_MAJOR_VERSION),
		 (unsigned long long)sys_rd(mh, TDX_MD_MINOR_VERSION),
		 (unsigned long long)sys_rd(mh, TDX_MD_UPDATE_VERSION));
	coco_caps_add(caps, "tdx.private_keyids", "[%u, %u): %u for TDs, %u global", first,
		      first + count, count - 1, first);
	coco_caps_add(caps, "tdx.topology", "%u packages x %u logical processors", packages, lps);
	coco_caps_add(caps, "tdx.tdmrs", "%u", tdmrs);
	coco_caps_add(caps, "tdx.pamt", "%llu KB allocated for PAMT",
		      (unsigned long long)(pamt_bytes / 1024));
	coco_caps_add(caps, "tdx.attributes_fixed0", "0x%016llx",
		      (unsigned long long)sys_rd(mh, TDX_MD_ATTRIBUTES_FIXED0));
	coco_caps_add(caps, "tdx.xfam_fixed0", "0x%016llx",
		      (unsigned long long)sys_rd(mh, TDX_MD_XFAM_FIXED0));
	coco_caps_add(caps, "tdx.quote", "DCAP ECDSA P-256 version %u, model PCK hierarchy",
		      MODEL_QUOTE_VERSION);
	coco_caps_add(caps, "tdx.platform", "%s",
		      host->private_platform || !host->platform_path ? "private"
								     : host->platform_path);
	return 0;
}

/* ------------------------------------------------------------------ */
/* VMs                                                                  */

/* Model memory comes in chunks of 2 MiB (core/model-platform.h). */
#define MODEL_CHUNK (2ull << 20)

/*
 * Model memory chunks are 2 MiB: a slot takes the chunks that cover it, and
 * its GPA keeps its offset within a 2 MiB page so large pages line up.
 */
static void slot_chunks(const struct coco_mem_slot *slot, uint64_t *spa_base, uint64_t *bytes)
{
	uint64_t first = slot->gpa % MODEL_CHUNK;

	*bytes = (first + slot->size + MODEL_CHUNK - 1) / MODEL_CHUNK * MODEL_CHUNK;
	*spa_base = slot->platform_base - first;
}

/*
 * The slot's memory becomes model memory: the TD's private pages are the
 * guest's own pages (as KVM takes them from guest_memfd), so what the
 * module writes there (TDH.MEM.PAGE.ADD) is what the vCPUs run.
 */
static int model_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot)
{
	struct coco_model_platform *plat;
	uint64_t spa, bytes;
	int ret;

	if (vm->dry_run)
		return 0;
	plat = mv_of(vm)->mh->env.plat;
	bytes = (slot->gpa % MODEL_CHUNK + slot->size + MODEL_CHUNK - 1) / MODEL_CHUNK * MODEL_CHUNK;
	ret = coco_model_platform_alloc(plat, bytes, &spa);
	if (ret)
		return ret;
	slot->platform_base = spa + slot->gpa % MODEL_CHUNK;
	ret = coco_model_platform_map_local(plat, slot->platform_base, slot->size, slot->host);
	if (ret) {
		coco_model_platform_free(plat, spa, bytes);
		slot->platform_base = 0;
	}
	return ret;
}

/* tdx_host_td_set_page_source: the system physical address of guest page @gpa. */
static int guest_page_of(void *ctx, uint64_t gpa, uint64_t *spa)
{
	struct coco_vm *vm = ctx;
	struct coco_mem_slot *slot = coco_vm_find_slot(vm, gpa);

	if (!slot || !slot->platform_base)
		return -ENOENT;	/* not guest memory: the host's pool backs it */
	*spa = slot->platform_base + (gpa - slot->gpa);
	return 0;
}

static void release_slots(struct coco_vm *vm, struct model_vm *mv)
{
	struct coco_model_platform *plat = mv->mh->env.plat;

	for (size_t i = 0; i < vm->nslots; i++) {
		struct coco_mem_slot *s = &vm->slots[i];
		uint64_t base, bytes;

		if (!s->platform_base)
			continue;
		slot_chunks(s, &base, &bytes);
		coco_model_platform_unmap_local(plat, s->platform_base);
		coco_model_platform_free(plat, base, bytes);
		s->platform_base = 0;
	}
}

static const struct tdx_launch_sink_ops model_sink;

static void model_vm_destroy(struct coco_vm *vm)
{
	struct model_vm *mv;

	if (vm->dry_run || !vm->priv) {
		tdx_dry_vm_destroy(vm);
		return;
	}
	mv = mv_of(vm);
	if (mv->td && tdx_host_td_destroy(mv->td)) {
		/* The module may still own pages of the slots: their chunks stay allocated. */
		coco_warn("tdx-model: tearing down TD '%s': %s", coco_vm_label(vm),
			  coco_last_error());
	} else {
		release_slots(vm, mv);
	}
	free(mv);
	tdx_vm_free_common(vm);
}

static int model_vm_create(struct coco_vm *vm)
{
	struct model_vm *mv;
	int ret;

	if (vm->dry_run)
		return tdx_dry_vm_create(vm);
	mv = calloc(1, sizeof(*mv));
	if (!mv)
		return coco_err(-ENOMEM, "tdx-model: out of memory");
	mv->mh = mh_of(vm->host);
	ret = tdx_vm_init_common(vm, &model_sink, mv);
	if (ret) {
		free(mv);
		return ret;
	}
	ret = tdx_host_td_create_keyed(mv->mh->host, vm->config.vcpus, &mv->td);
	if (ret) {
		mv->td = NULL;
		model_vm_destroy(vm);
		return coco_err_context(ret, "coco_vm_create on tdx-model");
	}
	tdx_host_td_set_page_source(mv->td, guest_page_of, vm);
	return 0;
}


/* ------------------------------------------------------------------ */
/* The launch sink                                                      */

static int sink_start(struct coco_vm *vm, const struct tdx_td_config *cfg)
{
	struct model_vm *mv = mv_of(vm);
	int ret = tdx_host_td_init(mv->td, cfg);

	mv->initialised = !ret;
	return ret;
}

static int sink_add_pages(struct coco_vm *vm, uint64_t gpa, const uint8_t *src, uint64_t npages,
			  bool extend)
{
	struct model_vm *mv = mv_of(vm);

	for (uint64_t i = 0; i < npages; i++) {
		int ret = tdx_host_td_add_page(mv->td, gpa + i * PAGE, src + i * PAGE, extend);
		if (ret)
			return ret;
	}
	return 0;
}

static int sink_finish(struct coco_vm *vm, struct coco_measurement *measurement)
{
	struct model_vm *mv = mv_of(vm);
	int ret;

	(void)measurement;	/* the platform reports it, in the TD's evidence */
	ret = tdx_host_td_finalize(mv->td);
	mv->finalised = !ret;
	return ret;
}

static const struct tdx_launch_sink_ops model_sink = {
	.name = "TDX module model",
	.start = sink_start,
	.add_pages = sink_add_pages,
	.finish = sink_finish,
};

/* ------------------------------------------------------------------ */
/* Conversions                                                          */

/*
 * One page.  To shared: a page the TD holds (launched or added) is removed
 * from it; one it never held only changes attribute.  To private: a runnable
 * TD gets a fresh page (PAGE.AUG) for the guest to accept; before that the
 * page stays pending, as KVM leaves it until the guest first touches it.
 */
static int convert_page(struct coco_vm *vm, uint64_t gpa, enum coco_mem_state to)
{
	struct model_vm *mv = mv_of(vm);
	bool held = tdx_host_td_is_private(mv->td, gpa);

	if (to == COCO_MEM_SHARED) {
		uint8_t *view = coco_vm_guest_ptr(vm, gpa, PAGE);
		int ret = held ? tdx_host_td_to_shared(mv->td, gpa) : 0;

		/* The private contents are gone with the page: the host never sees them. */
		if (!ret && held && view)
			memset(view, 0, PAGE);
		return ret;
	}
	if (held || !mv->finalised)
		return 0;
	return tdx_host_td_to_private(mv->td, gpa, false);
}

static int model_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			     enum coco_mem_state to)
{
	enum coco_mem_state back = to == COCO_MEM_SHARED ? COCO_MEM_PRIVATE : COCO_MEM_SHARED;
	uint64_t done;
	int ret = 0;

	for (done = 0; done < size; done += PAGE) {
		ret = convert_page(vm, gpa + done, to);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	/* Undo what went through (a removed page comes back empty, as on hardware). */
	{
		char msg[1024];
		snprintf(msg, sizeof(msg), "%s", coco_last_error());
		while (done) {
			done -= PAGE;
			if (convert_page(vm, gpa + done, back))
				coco_warn("tdx-model: undoing the conversion of GPA 0x%llx: %s",
					  (unsigned long long)(gpa + done), coco_last_error());
		}
		return coco_err(ret, "%s", msg);
	}
}

/* ------------------------------------------------------------------ */
/* Evidence                                                             */

int tdx_model_quote(struct coco_vm *vm, const uint8_t report[TDX_TDREPORT_SIZE], uint8_t **quote,
		    size_t *len)
{
	struct tdx_module *m = tdx_model_module(vm ? vm->host : NULL);
	struct tdx_qe_model *qe;
	int ret;

	if (!m || vm->dry_run)
		return coco_err(-EINVAL, "tdx_model_quote: not a VM of the tdx-model backend");
	/* The platform's Quoting Enclave: its keys live with the platform (made on first use). */
	ret = tdx_module_qe_get(m, &qe);
	if (!ret)
		ret = tdx_qe_model_quote(qe, report, tdx_module_verify_report_fn, m,
					 MODEL_QUOTE_VERSION, quote, len);
	return ret;
}

int tdx_model_attach_root(struct coco_vm *vm, struct coco_evidence *evidence)
{
	struct tdx_module *m = tdx_model_module(vm ? vm->host : NULL);
	struct tdx_qe_model *qe;
	char *pem = NULL;
	int ret;

	if (!m || vm->dry_run)
		return coco_err(-EINVAL, "tdx_model_attach_root: not a VM of the tdx-model backend");
	ret = tdx_module_qe_get(m, &qe);
	if (!ret)
		ret = tdx_qe_model_root_pem(qe, &pem);
	/* Replaces the root the quote carries: the chain must lead to the platform's own. */
	if (!ret)
		ret = coco_evidence_add_cert(evidence, COCO_CERT_TDX_ROOT, pem, strlen(pem));
	free(pem);
	return ret;
}

static int model_get_evidence(struct coco_vm *vm, const uint8_t report_data[64],
			      struct coco_evidence **evidence)
{
	struct model_vm *mv;
	uint8_t report[TDX_TDREPORT_SIZE];
	uint8_t *quote = NULL;
	size_t len = 0;
	int ret;

	if (vm->dry_run)
		return coco_err(-ENOTSUP, "coco_vm_get_evidence: a dry run has no platform");
	mv = mv_of(vm);
	if (!mv->finalised)
		return coco_err(-EBUSY, "coco_vm_get_evidence: TD '%s' is not finalised (TDH.MR."
				"FINALIZE ends its launch); finish the launch first",
				coco_vm_label(vm));
	ret = tdx_host_td_report(mv->td, 0, AGENT_SCRATCH_GPA, report_data, report);
	if (!ret)
		ret = tdx_model_quote(vm, report, &quote, &len);
	if (!ret)
		ret = coco_evidence_new(&tdx_quote_evidence_ops, quote, len, evidence);
	free(quote);
	if (!ret) {
		ret = tdx_model_attach_root(vm, *evidence);
		if (ret) {
			coco_evidence_free(*evidence);
			*evidence = NULL;
		}
	}
	return ret ? coco_err_context(ret, "coco_vm_get_evidence on tdx-model") : 0;
}

const struct coco_backend tdx_model_backend = {
	.name = "tdx-model",
	.vendor = COCO_VENDOR_INTEL_TDX,
	.hardware = false,
	.description = "Intel TDX on the TDX module and PAMT platform model",
	.design_features = 0,
	.probe = model_probe,
	.host_open = model_host_open,
	.host_close = model_host_close,
	.caps = model_caps,
	.config_validate = tdx_config_validate,
	.plan_firmware = tdx_plan_firmware,
	.vm_create = model_vm_create,
	.vm_destroy = model_vm_destroy,
	.launch_begin = tdx_launch_begin,
	.launch_region = tdx_launch_region,
	.launch_vcpu = tdx_launch_vcpu,
	.launch_finish = tdx_launch_finish,
	.mem_slot_add = model_mem_slot_add,
	.mem_convert = model_mem_convert,
	.get_evidence = model_get_evidence,
	.guest_channel = &tdx_model_guest_channel,
};

/* ------------------------------------------------------------------ */
/* Accessors for tests (tdx/backend-model.h)                            */

struct tdx_module *tdx_model_module(struct coco_host *host)
{
	return host && host->backend == &tdx_model_backend && host->priv ? mh_of(host)->module
									 : NULL;
}

struct tdx_host *tdx_model_host(struct coco_host *host)
{
	return host && host->backend == &tdx_model_backend && host->priv ? mh_of(host)->host
									 : NULL;
}

struct tdx_host_td *tdx_model_td(struct coco_vm *vm)
{
	if (!vm || vm->backend != &tdx_model_backend || vm->dry_run || !vm->priv)
		return NULL;
	return mv_of(vm)->td;
}

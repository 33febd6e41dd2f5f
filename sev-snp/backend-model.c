/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Backend "sev-snp-model": SEV-SNP on the PSP firmware + RMP platform model.
 *
 * The host half does what the Linux ccp driver and KVM do on a real SNP
 * host, through the same vendor interface: SNP_INIT_EX + WBINVD +
 * SNP_DF_FLUSH when the platform comes up; per VM an ASID, a Firmware page
 * turned into a guest context (SNP_GCTX_CREATE), SNP_LAUNCH_START +
 * SNP_ACTIVATE, RMPUPDATE to Pre-Guest and SNP_LAUNCH_UPDATE per launched
 * page, SNP_LAUNCH_FINISH; on destroy SNP_DECOMMISSION and the reclaim of
 * every page (SNP_PAGE_RECLAIM, RMPUPDATE back to Hypervisor).
 *
 * Evidence: until guests run (coco-vmm), an in-process agent plays the
 * guest's part of SNP_GUEST_REQUEST with VMPCK0 from the secrets page.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "core/util.h"
#include "memory/mem-tracker.h"
#include "sev-snp/certs.h"
#include "sev-snp/cpuid-table.h"
#include "sev-snp/guest-msg.h"
#include "sev-snp/model-guest.h"
#include "sev-snp/psp-cmdbuf.h"
#include "sev-snp/psp-model.h"
#include "sev-snp/secrets-page.h"
#include "sev-snp/snp-backend.h"
#include "sev-snp/snp-plan.h"

/* The SNP report evidence format (sev-snp/verify.c). */
extern const struct coco_evidence_ops snp_report_evidence_ops;

#define PAGE 4096ull
#define LARGE (2ull * 1024 * 1024)

/* Host ASID bookkeeping values (KVM keeps the same three sets). */
enum { HOST_ASID_FREE = 0, HOST_ASID_USED = 1, HOST_ASID_NEEDS_FLUSH = 2 };

/* Pages of a VM's scratch area: host-side pages the firmware commands use. */
enum {
	SCRATCH_GCTX = 0,
	SCRATCH_STATUS = 1,
	SCRATCH_REQUEST = 2,
	SCRATCH_RESPONSE = 3,
	SCRATCH_ID_BLOCK = 4,
	SCRATCH_ID_AUTH = 5,
	SCRATCH_VMSA0 = 6,
};

struct model_host {
	struct snp_platform *plat;
	struct psp psp;
};

struct model_vm {
	struct model_host *mh;
	int host_slot;			/* index in sh->host_vm, -1 if none */
	uint32_t asid;
	uint64_t scratch_spa, scratch_size;
	uint8_t *scratch;
	int scratch_fd;
	bool gctx_created;
	bool activated;			/* SNP_ACTIVATE done: the RMP may hold the guest's pages */
	bool have_secrets;
	uint64_t secrets_gpa;
};

static struct model_host *mh_of(struct coco_host *host)
{
	return host->priv;
}

static struct model_vm *mv_of(struct coco_vm *vm)
{
	return snp_vm_of(vm)->backend;
}

/* ------------------------------------------------------------------ */
/* Page helpers (Linux arch/x86/virt/svm/sev.c equivalents)             */

static int rmp_make_firmware(struct snp_platform *p, uint64_t spa)
{
	struct rmp_update_state st = { .assigned = true, .immutable = true };

	return snp_model_rmpupdate(p, spa, &st);
}

static int rmp_make_shared(struct snp_platform *p, uint64_t spa, bool large)
{
	struct rmp_update_state st = { .large = large };

	return snp_model_rmpupdate(p, spa, &st);
}

static int page_reclaim(struct model_host *mh, uint64_t spa, bool large)
{
	struct snp_cmd_page_reclaim cmd = { .paddr = spa | (large ? 1 : 0) };

	return psp_cmd(&mh->psp, SNP_CMD_PAGE_RECLAIM, &cmd, sizeof(cmd), NULL);
}

/*
 * Give every page of [spa, spa+size) back to the hypervisor: reclaim the
 * immutable ones, then make them shared.  Returns the number of pages that
 * could not be returned (they stay out of use, as Linux leaks such pages).
 */
static unsigned long release_range(struct model_host *mh, uint64_t spa, uint64_t size)
{
	unsigned long leaked = 0;

	for (uint64_t pos = spa; pos < spa + size;) {
		struct rmp_view v;
		snp_model_rmp_lookup(mh->plat, pos, &v);
		bool large = v.large && !(pos & (LARGE - 1));
		uint64_t step = large ? LARGE : PAGE;

		if (v.assigned || v.immutable) {
			if ((v.immutable && v.assigned && page_reclaim(mh, pos, large)) ||
			    rmp_make_shared(mh->plat, pos, large)) {
				coco_warn("sev-snp-model: page 0x%llx (%s) could not be returned to "
					  "the hypervisor: %s", (unsigned long long)pos,
					  rmp_state_name(v.state), coco_last_error());
				leaked += step / PAGE;
			}
		}
		pos += step;
	}
	return leaked;
}

/* ------------------------------------------------------------------ */
/* Host bring-up, ownership and clean-up                                */

static int platform_init(struct model_host *mh)
{
	struct snp_cmd_init_ex init = { .flags = SNP_INIT_EX_INIT_RMP };
	int ret;

	if (mh->plat->sh->snp_state == SNP_PLATFORM_INIT)
		return 0;
	if (mh->plat->sh->rmp_initialized)
		init.flags = 0;
	/* The ccp driver's order: WBINVD, SNP_INIT_EX, WBINVD, SNP_DF_FLUSH. */
	snp_model_wbinvd(mh->plat);
	ret = psp_cmd(&mh->psp, SNP_CMD_INIT_EX, &init, sizeof(init), NULL);
	if (ret == -EBUSY && mh->plat->sh->snp_state == SNP_PLATFORM_INIT)
		ret = 0;	/* another process initialised it meanwhile */
	if (ret)
		return ret;
	snp_model_wbinvd(mh->plat);
	return psp_cmd(&mh->psp, SNP_CMD_DF_FLUSH, NULL, 0, NULL);
}

static void decommission(struct model_host *mh, uint64_t gctx)
{
	struct snp_cmd_gctx cmd = { .gctx_paddr = gctx };

	if (psp_cmd(&mh->psp, SNP_CMD_DECOMMISSION, &cmd, sizeof(cmd), NULL))
		coco_warn("sev-snp-model: %s", coco_last_error());
	release_range(mh, gctx, PAGE);
}

/* A dead owner's chunk: its pages go back to the hypervisor before the chunk is freed. */
static int release_dead_chunk(void *mh, uint64_t spa, uint64_t size)
{
	return release_range(mh, spa, size) ? -EBUSY : 0;
}

/*
 * Clean up after processes that died with VMs or memory (as the kernel
 * does when a VMM's file descriptors close): decommission their guests,
 * return their pages, free their memory and ASIDs.
 */
static void reap_dead_owners(struct model_host *mh)
{
	struct snp_platform *p = mh->plat;
	struct snp_platform_shared *sh = p->sh;

	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++) {
		struct snp_model_host_vm *hv = &sh->host_vm[i];
		uint32_t dead = hv->owner_pid;

		if (!coco_model_platform_claim_dead(p->core, &hv->owner_pid, &hv->owner_start))
			continue;
		coco_info("sev-snp-model: cleaning up the guest of dead process %u", dead);
		if (hv->gctx_paddr)
			decommission(mh, hv->gctx_paddr);
		snp_platform_lock(p);
		if (hv->asid)
			sh->host_asid_used[hv->asid] = HOST_ASID_NEEDS_FLUSH;
		memset(hv, 0, sizeof(*hv));
		snp_platform_unlock(p);
	}
	/* Pages that cannot be returned keep their chunk out of use (owned by us now). */
	coco_model_platform_reclaim_dead(p->core, release_dead_chunk, mh);
}

/*
 * Hand out an ASID.  When none is free, clean up after dead processes, then
 * recycle released ones: WBINVD + SNP_DF_FLUSH, and only the ASIDs released
 * before that flush become free (one released meanwhile may be dirty again).
 */
static int asid_alloc(struct model_host *mh, uint32_t *asid)
{
	struct snp_platform_shared *sh = mh->plat->sh;
	bool reaped = false;

	for (int attempt = 0; attempt < 4; attempt++) {
		bool flush_set[SNP_MODEL_MAX_ASIDS + 1] = { false };
		bool any = false;

		snp_platform_lock(mh->plat);
		for (uint32_t a = 1; a <= sh->max_snp_asid; a++) {
			if (sh->host_asid_used[a] == HOST_ASID_FREE) {
				sh->host_asid_used[a] = HOST_ASID_USED;
				snp_platform_unlock(mh->plat);
				*asid = a;
				return 0;
			}
			flush_set[a] = sh->host_asid_used[a] == HOST_ASID_NEEDS_FLUSH;
			any |= flush_set[a];
		}
		snp_platform_unlock(mh->plat);
		if (!reaped) {
			reap_dead_owners(mh);
			reaped = true;
			continue;
		}
		if (!any)
			break;
		snp_model_wbinvd(mh->plat);
		if (psp_cmd(&mh->psp, SNP_CMD_DF_FLUSH, NULL, 0, NULL))
			continue;	/* a guest went away meanwhile: flush again */
		snp_platform_lock(mh->plat);
		for (uint32_t a = 1; a <= sh->max_snp_asid; a++)
			if (flush_set[a] && sh->host_asid_used[a] == HOST_ASID_NEEDS_FLUSH)
				sh->host_asid_used[a] = HOST_ASID_FREE;
		snp_platform_unlock(mh->plat);
	}
	return coco_err(-EBUSY, "coco_vm_create: all %u SNP ASIDs of the platform are in use; "
			"destroy a guest first (the model's ASID count is set when its platform "
			"is created: COCO_SNP_MODEL_ASIDS)", sh->max_snp_asid);
}

static void asid_release(struct model_host *mh, uint32_t asid)
{
	snp_platform_lock(mh->plat);
	mh->plat->sh->host_asid_used[asid] = HOST_ASID_NEEDS_FLUSH;
	snp_platform_unlock(mh->plat);
}

/* ------------------------------------------------------------------ */
/* Backend ops: probe, host, caps                                       */

static int model_probe(struct coco_probe_result *r)
{
	EVP_CIPHER *gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
	EVP_MD *sha = EVP_MD_fetch(NULL, "SHA384", NULL);

	coco_probe_add(r, "crypto", gcm && sha, "install an OpenSSL 3 with the default provider",
		       "%s", gcm && sha ? "OpenSSL provides SHA-384 and AES-256-GCM"
				       : "OpenSSL lacks SHA-384 or AES-256-GCM");
	EVP_CIPHER_free(gcm);
	EVP_MD_free(sha);
	return 0;
}

static int model_host_open(struct coco_host *host, const struct coco_host_options *opts)
{
	struct snp_platform_config cfg = { .max_asids = opts->model_max_guests };
	struct model_host *mh = calloc(1, sizeof(*mh));
	int ret;

	if (!mh)
		return coco_err(-ENOMEM, "sev-snp-model: out of memory");
	ret = snp_platform_open(host->private_platform ? NULL : host->platform_path, &cfg,
				&mh->plat);
	if (ret) {
		free(mh);
		return ret;
	}
	mh->psp = (struct psp){ &psp_model_transport, mh->plat };
	if (!host->private_platform)
		reap_dead_owners(mh);
	ret = platform_init(mh);
	if (ret) {
		snp_platform_close(mh->plat);
		free(mh);
		return coco_err_context(ret, "sev-snp-model: bringing up SNP on the platform");
	}
	host->priv = mh;
	return 0;
}

static void model_host_close(struct coco_host *host)
{
	struct model_host *mh = mh_of(host);

	if (!mh)
		return;
	snp_platform_close(mh->plat);
	free(mh);
	host->priv = NULL;
}

static int model_caps(struct coco_host *host, struct coco_caps *caps)
{
	struct model_host *mh = mh_of(host);
	struct snp_cmd_platform_status cmd;
	struct snp_platform_status st;
	struct snp_platform_shared *sh = mh->plat->sh;
	uint8_t *page;
	uint64_t spa;
	uint32_t active = 0, free_asids = 0;
	uint64_t chunks_used = 0;
	struct snp_tcb tcb;
	int fd, ret;

	/* Ask the firmware, as a host would: SNP_PLATFORM_STATUS into a Firmware page. */
	ret = snp_platform_alloc(mh->plat, LARGE, &spa);
	if (ret)
		return ret;
	fd = memfd_create("coco-snp-status", MFD_CLOEXEC);
	page = fd >= 0 && ftruncate(fd, LARGE) == 0
		       ? mmap(NULL, LARGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
		       : MAP_FAILED;
	if (page == MAP_FAILED) {
		ret = coco_err(-errno, "sev-snp-model: cannot map a status page");
		goto out_free;
	}
	snp_platform_map_local(mh->plat, spa, LARGE, page);
	ret = rmp_make_firmware(mh->plat, spa);
	if (!ret) {
		cmd.status_paddr = spa;
		ret = psp_cmd(&mh->psp, SNP_CMD_PLATFORM_STATUS, &cmd, sizeof(cmd), NULL);
		snp_platform_status_decode(page, &st);
	}
	release_range(mh, spa, LARGE);
	snp_platform_unmap_local(mh->plat, spa);
	munmap(page, LARGE);
out_free:
	if (fd >= 0)
		close(fd);
	snp_platform_free(mh->plat, spa, LARGE);
	if (ret)
		return ret;

	chunks_used = coco_model_platform_chunks_in_use(mh->plat->core);
	snp_platform_lock(mh->plat);
	for (uint32_t a = 1; a <= sh->max_snp_asid; a++)
		free_asids += sh->host_asid_used[a] != HOST_ASID_USED;
	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++)
		active += sh->host_vm[i].owner_pid != 0;
	snp_platform_unlock(mh->plat);

	caps->features |= COCO_FEATURE_LARGE_PAGES;
	caps->max_guests = sh->max_snp_asid;
	caps->active_guests = active;
	caps->page_types = 1u << COCO_PAGE_MEASURED | 1u << COCO_PAGE_ZERO |
			   1u << COCO_PAGE_UNMEASURED | 1u << COCO_PAGE_SECRETS |
			   1u << COCO_PAGE_CPUID | 1u << COCO_PAGE_VCPU_STATE;
	snprintf(caps->measurement_alg, sizeof(caps->measurement_alg), "sha384");
	caps->measurement_size = SNP_DIGEST_SIZE;
	snprintf(caps->firmware_version, sizeof(caps->firmware_version), "%u.%u.%u",
		 st.api_major, st.api_minor, st.build_id);
	snp_tcb_decode(sh->product, st.reported_tcb, &tcb);
	coco_caps_add(caps, "snp.platform_state", "%s", st.state == SNP_PLATFORM_INIT ? "INIT" : "UNINIT");
	coco_caps_add(caps, "snp.product", "%s", snp_product_name(sh->product));
	coco_caps_add(caps, "snp.guest_count", "%u", st.guest_count);
	coco_caps_add(caps, "snp.asids", "1-%u (%u free)", sh->max_snp_asid, free_asids);
	char fmc[16] = "";
	if (sh->product == SNP_PRODUCT_TURIN)
		snprintf(fmc, sizeof(fmc), "fmc %u, ", tcb.fmc);
	coco_caps_add(caps, "snp.reported_tcb", "0x%016llx (%sbootloader %u, tee %u, snp %u, "
		      "microcode 0x%02x)", (unsigned long long)st.reported_tcb, fmc, tcb.bootloader,
		      tcb.tee, tcb.snp, tcb.microcode);
	coco_caps_add(caps, "snp.report_version", "%u", sh->report_version);
	coco_caps_add(caps, "snp.policy_bits", "0x%llx", (unsigned long long)SNP_MODEL_POLICY_KNOWN);
	coco_caps_add(caps, "snp.rmp_initialized", "%s", st.is_rmp_initialized ? "yes" : "no");
	coco_caps_add(caps, "snp.model_memory", "%llu GiB",
		      (unsigned long long)(mh->plat->core->dram_size >> 30));
	/* The status page this call borrowed is back already: what guests and hosts hold. */
	coco_caps_add(caps, "snp.model_memory_in_use", "%llu MiB",
		      (unsigned long long)(chunks_used * (SNP_MODEL_CHUNK_SIZE >> 20)));
	coco_caps_add(caps, "snp.platform_file", "%s",
		      mh->plat->core->path ? mh->plat->core->path : "(private, anonymous)");
	return 0;
}

/* ------------------------------------------------------------------ */
/* VMs                                                                  */

static int scratch_setup(struct model_vm *mv, uint32_t vcpus)
{
	uint64_t pages = SCRATCH_VMSA0 + vcpus;
	int ret;

	mv->scratch_size = (pages * PAGE + LARGE - 1) & ~(LARGE - 1);
	ret = snp_platform_alloc(mv->mh->plat, mv->scratch_size, &mv->scratch_spa);
	if (ret)
		return ret;
	mv->scratch_fd = memfd_create("coco-snp-scratch", MFD_CLOEXEC);
	if (mv->scratch_fd < 0 || ftruncate(mv->scratch_fd, (off_t)mv->scratch_size) < 0)
		return coco_err(-errno, "sev-snp-model: cannot create the VM's host pages");
	mv->scratch = mmap(NULL, mv->scratch_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			   mv->scratch_fd, 0);
	if (mv->scratch == MAP_FAILED) {
		mv->scratch = NULL;
		return coco_err(-errno, "sev-snp-model: cannot map the VM's host pages");
	}
	return snp_platform_map_local(mv->mh->plat, mv->scratch_spa, mv->scratch_size, mv->scratch);
}

static uint64_t scratch_spa(const struct model_vm *mv, unsigned int page)
{
	return mv->scratch_spa + page * PAGE;
}

static uint8_t *scratch_ptr(const struct model_vm *mv, unsigned int page)
{
	return mv->scratch + page * PAGE;
}

static void model_vm_destroy(struct coco_vm *vm);

/*
 * The 2 MiB chunks of model memory behind a slot.  Guest and physical
 * addresses agree modulo 2 MiB, so 2 MiB RMP pages line up with guest 2 MiB
 * pages; a slot starting inside a 2 MiB page starts as far into its first
 * chunk.
 */
static uint64_t slot_chunk_bytes(const struct coco_mem_slot *slot)
{
	return (slot->gpa % LARGE + slot->size + LARGE - 1) & ~(LARGE - 1);
}

/* First chunk and total size of a slot's model memory. */
static void slot_chunks(const struct coco_mem_slot *slot, uint64_t *base, uint64_t *size)
{
	*base = slot->platform_base - slot->gpa % LARGE;
	*size = slot_chunk_bytes(slot);
}

static const struct snp_launch_sink_ops model_sink;

static int model_vm_create(struct coco_vm *vm)
{
	struct model_vm *mv;
	struct snp_cmd_gctx gctx;
	struct snp_platform_shared *sh;
	uint32_t pid;
	uint64_t start;
	int ret;

	if (vm->dry_run)
		return snp_vm_init(vm, NULL, NULL);
	mv = calloc(1, sizeof(*mv));
	if (!mv)
		return coco_err(-ENOMEM, "sev-snp-model: out of memory");
	mv->mh = mh_of(vm->host);
	mv->host_slot = -1;
	mv->scratch_fd = -1;
	ret = snp_vm_init(vm, &model_sink, mv);
	if (ret) {
		free(mv);
		return ret;
	}
	sh = mv->mh->plat->sh;

	ret = asid_alloc(mv->mh, &mv->asid);
	if (ret)
		goto fail;
	coco_model_platform_self(&pid, &start);
	snp_platform_lock(mv->mh->plat);
	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++)
		if (!sh->host_vm[i].owner_pid) {
			sh->host_vm[i] = (struct snp_model_host_vm){ .owner_pid = pid,
								     .owner_start = start,
								     .asid = mv->asid };
			mv->host_slot = (int)i;
			break;
		}
	snp_platform_unlock(mv->mh->plat);
	if (mv->host_slot < 0) {
		ret = coco_err(-EBUSY, "sev-snp-model: the platform holds %u VMs already",
			       SNP_MODEL_MAX_ASIDS);
		goto fail;
	}

	ret = scratch_setup(mv, vm->config.vcpus);
	if (ret)
		goto fail;
	/* The guest context: a Firmware page the firmware turns into a Context page. */
	ret = rmp_make_firmware(mv->mh->plat, scratch_spa(mv, SCRATCH_GCTX));
	if (ret)
		goto fail;
	gctx.gctx_paddr = scratch_spa(mv, SCRATCH_GCTX);
	ret = psp_cmd(&mv->mh->psp, SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx), NULL);
	if (ret)
		goto fail;
	mv->gctx_created = true;
	snp_platform_lock(mv->mh->plat);
	sh->host_vm[mv->host_slot].gctx_paddr = gctx.gctx_paddr;
	snp_platform_unlock(mv->mh->plat);
	return 0;

fail:
	model_vm_destroy(vm);
	return coco_err_context(ret, "coco_vm_create on sev-snp-model");
}

static void model_vm_destroy(struct coco_vm *vm)
{
	struct model_vm *mv = vm->priv ? mv_of(vm) : NULL;
	struct snp_platform *p;

	if (!mv) {
		snp_vm_fini(vm);
		return;
	}
	p = mv->mh->plat;
	if (mv->gctx_created)
		decommission(mv->mh, scratch_spa(mv, SCRATCH_GCTX));
	/* Every page of the guest goes back to the hypervisor, then the memory itself. */
	for (size_t i = 0; i < vm->nslots; i++) {
		struct coco_mem_slot *s = &vm->slots[i];
		uint64_t base, size;
		if (!s->platform_base)
			continue;
		slot_chunks(s, &base, &size);
		unsigned long leaked = release_range(mv->mh, base, size);
		snp_platform_unmap_local(p, s->platform_base);
		if (!leaked)
			snp_platform_free(p, base, size);
		s->platform_base = 0;
	}
	if (mv->scratch) {
		unsigned long leaked = release_range(mv->mh, mv->scratch_spa, mv->scratch_size);
		snp_platform_unmap_local(p, mv->scratch_spa);
		munmap(mv->scratch, mv->scratch_size);
		if (!leaked)
			snp_platform_free(p, mv->scratch_spa, mv->scratch_size);
	} else if (mv->scratch_spa) {
		snp_platform_free(p, mv->scratch_spa, mv->scratch_size);
	}
	if (mv->scratch_fd >= 0)
		close(mv->scratch_fd);
	if (mv->asid)
		asid_release(mv->mh, mv->asid);
	if (mv->host_slot >= 0) {
		snp_platform_lock(p);
		memset(&p->sh->host_vm[mv->host_slot], 0, sizeof(p->sh->host_vm[0]));
		snp_platform_unlock(p);
	}
	free(mv);
	snp_vm_fini(vm);
}

static int model_mem_slot_add(struct coco_vm *vm, struct coco_mem_slot *slot)
{
	struct model_vm *mv;
	uint64_t size, spa;
	int ret;

	if (vm->dry_run)
		return 0;
	mv = mv_of(vm);
	size = slot_chunk_bytes(slot);
	ret = snp_platform_alloc(mv->mh->plat, size, &spa);
	if (ret)
		return ret;
	slot->platform_base = spa + (slot->gpa % LARGE);
	ret = snp_platform_map_local(mv->mh->plat, slot->platform_base, slot->size, slot->host);
	if (ret) {
		snp_platform_free(mv->mh->plat, spa, size);
		slot->platform_base = 0;
	}
	return ret;
}

/* System physical address of @gpa, or 0 when @gpa is not guest memory. */
static uint64_t gpa_to_spa(struct coco_vm *vm, uint64_t gpa, uint8_t **host)
{
	struct coco_mem_slot *s = coco_vm_find_slot(vm, gpa);

	if (!s || !s->platform_base)
		return 0;
	if (host)
		*host = s->host + (gpa - s->gpa);
	return s->platform_base + (gpa - s->gpa);
}

/* ------------------------------------------------------------------ */
/* The launch sink                                                      */

static int sink_start(struct coco_vm *vm)
{
	struct model_vm *mv = mv_of(vm);
	const struct coco_snp_policy *pol = &vm->config.policy.u.snp;
	struct snp_cmd_launch_start start = {
		.gctx_paddr = scratch_spa(mv, SCRATCH_GCTX),
		.policy = pol->guest_policy,
	};
	struct snp_cmd_activate act = { .gctx_paddr = start.gctx_paddr, .asid = mv->asid };
	int ret;

	memcpy(start.gosvw, pol->gosvw, sizeof(start.gosvw));
	/* KVM_SEV_SNP_LAUNCH_START's order: LAUNCH_START, then ACTIVATE. */
	ret = psp_cmd(&mv->mh->psp, SNP_CMD_LAUNCH_START, &start, sizeof(start), NULL);
	if (!ret)
		ret = psp_cmd(&mv->mh->psp, SNP_CMD_ACTIVATE, &act, sizeof(act), NULL);
	mv->activated = !ret;
	return ret;
}

/* RMPUPDATE a guest page to Pre-Guest and SNP_LAUNCH_UPDATE it. */
static int launch_page(struct model_vm *mv, uint64_t spa, uint64_t rmp_gpa, uint8_t type,
		       bool large)
{
	struct rmp_update_state st = { .gpa = rmp_gpa, .assigned = true, .large = large,
				       .immutable = true, .asid = mv->asid };
	struct snp_cmd_launch_update up = {
		.gctx_paddr = scratch_spa(mv, SCRATCH_GCTX),
		.page_info = (large ? SNP_LAUNCH_UPDATE_PAGE_SIZE : 0) |
			     ((uint32_t)type << SNP_LAUNCH_UPDATE_TYPE_SHIFT),
		.page_paddr = spa,
	};
	int ret = snp_model_rmpupdate(mv->mh->plat, spa, &st);

	if (!ret)
		ret = psp_cmd(&mv->mh->psp, SNP_CMD_LAUNCH_UPDATE, &up, sizeof(up), NULL);
	return ret;
}

static int sink_update(struct coco_vm *vm, uint64_t gpa, uint8_t type, const uint8_t *src,
		       uint64_t npages, bool large)
{
	struct model_vm *mv = mv_of(vm);
	uint64_t step = large ? LARGE : PAGE;

	for (uint64_t off = 0; off < npages * PAGE; off += step) {
		uint8_t *host;
		uint64_t spa = gpa_to_spa(vm, gpa + off, &host);
		int ret;

		if (!spa || (large && (spa % LARGE)))
			return coco_err(-EINVAL, "sev-snp-model: GPA 0x%llx has no %s-aligned "
					"backing", (unsigned long long)(gpa + off),
					large ? "2 MiB" : "4 KiB");
		/* The host writes the plaintext; the firmware encrypts it in place. */
		if (src)
			memcpy(host, src + off, step);
		else if (type == SNP_PAGE_TYPE_CPUID)
			snp_cpuid_page_build(host, vm->config.cpu_signature
							   ? vm->config.cpu_signature
							   : mv->mh->plat->sh->cpuid_signature);
		ret = launch_page(mv, spa, gpa + off, type, large);
		if (ret)
			return coco_err_context(ret, "launching GPA 0x%llx",
						(unsigned long long)(gpa + off));
		if (type == SNP_PAGE_TYPE_SECRETS) {
			mv->have_secrets = true;
			mv->secrets_gpa = gpa + off;
		}
	}
	return 0;
}

static int sink_vcpu(struct coco_vm *vm, const struct coco_vcpu_desc *desc,
		     const uint8_t vmsa[SNP_PAGE_SIZE])
{
	struct model_vm *mv = mv_of(vm);
	unsigned int page = SCRATCH_VMSA0 + desc->index;

	if ((uint64_t)(page + 1) * PAGE > mv->scratch_size)
		return coco_err(-EINVAL, "sev-snp-model: no VMSA page for vCPU %u", desc->index);
	memcpy(scratch_ptr(mv, page), vmsa, PAGE);
	/* KVM places every initial VMSA at the same RMP GPA; so does the model host. */
	int ret = launch_page(mv, scratch_spa(mv, page), SNP_INITIAL_VMSA_GPA, SNP_PAGE_TYPE_VMSA,
			      false);
	return ret ? coco_err_context(ret, "VMSA of vCPU %u", desc->index) : 0;
}

static int sink_finish(struct coco_vm *vm, struct coco_measurement *m)
{
	struct model_vm *mv = mv_of(vm);
	const struct coco_snp_policy *pol = &vm->config.policy.u.snp;
	struct snp_cmd_launch_finish fin = { .gctx_paddr = scratch_spa(mv, SCRATCH_GCTX) };

	(void)m;	/* the measurement is the platform's; it shows in the evidence */
	memcpy(fin.host_data, pol->host_data, sizeof(fin.host_data));
	if (pol->id_block) {
		memcpy(scratch_ptr(mv, SCRATCH_ID_BLOCK), pol->id_block, sizeof(struct snp_id_block));
		memcpy(scratch_ptr(mv, SCRATCH_ID_AUTH), pol->id_auth, sizeof(struct snp_id_auth));
		fin.id_block_paddr = scratch_spa(mv, SCRATCH_ID_BLOCK);
		fin.id_auth_paddr = scratch_spa(mv, SCRATCH_ID_AUTH);
		fin.flags |= SNP_LAUNCH_FINISH_ID_BLOCK_EN;
		if (pol->author_key_en)
			fin.flags |= SNP_LAUNCH_FINISH_AUTH_KEY_EN;
	}
	if (pol->vcek_disabled)
		fin.flags |= SNP_LAUNCH_FINISH_VCEK_DISABLED;
	return psp_cmd(&mv->mh->psp, SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin), NULL);
}

static const struct snp_launch_sink_ops model_sink = {
	.name = "sev-snp-model",
	.start = sink_start,
	.update = sink_update,
	.vcpu = sink_vcpu,
	.finish = sink_finish,
};

/* ------------------------------------------------------------------ */
/* Memory conversion                                                    */

/* Split the 2 MiB RMP page around @spa if it is one. */
static int split_if_large(struct model_vm *mv, uint64_t spa)
{
	struct rmp_view v;

	snp_model_rmp_lookup(mv->mh->plat, spa, &v);
	if (!v.large)
		return 0;
	return snp_model_psmash(mv->mh->plat, spa & ~(LARGE - 1));
}

static int convert_unit(struct coco_vm *vm, uint64_t gpa, bool large, enum coco_mem_state to)
{
	struct model_vm *mv = mv_of(vm);
	uint8_t *host = NULL;
	uint64_t spa = gpa_to_spa(vm, gpa, &host);
	struct rmp_view v;
	int ret;

	if (!spa)
		return coco_err(-ENOENT, "coco_vm_mem_convert: GPA 0x%llx has no model memory",
				(unsigned long long)gpa);
	if (!large) {
		ret = split_if_large(mv, spa);
		if (ret)
			return ret;
	}
	snp_model_rmp_lookup(mv->mh->plat, spa, &v);
	if (to == COCO_MEM_PRIVATE) {
		/* Assigned to the guest, not yet validated: the guest PVALIDATEs it. */
		struct rmp_update_state st = { .gpa = gpa, .assigned = true, .large = large,
					       .asid = mv->asid };
		return snp_model_rmpupdate(mv->mh->plat, spa, &st);
	}
	if (!v.assigned)
		return 0;
	ret = rmp_make_shared(mv->mh->plat, spa, large);
	/* The private page is gone (a guest_memfd hole); its shared successor starts zeroed. */
	if (!ret)
		memset(host, 0, large ? LARGE : PAGE);
	return ret;
}

static int model_mem_convert(struct coco_vm *vm, uint64_t gpa, uint64_t size,
			     enum coco_mem_state to)
{
	uint64_t pos = gpa, end = gpa + size;
	int ret = 0;

	if (vm->dry_run)
		return coco_err(-EINVAL, "sev-snp-model: a dry run has no memory to convert");
	/*
	 * Before the guest has an ASID its private pages are not in the RMP yet
	 * (as with KVM, where memory attributes change and pages are assigned
	 * when first used): the conversion is the core's record alone.
	 */
	if (!mv_of(vm)->activated)
		return 0;
	while (pos < end) {
		struct coco_mem_slot *s = coco_vm_find_slot(vm, pos);
		uint64_t spa = gpa_to_spa(vm, pos, NULL);
		bool large = !(pos % LARGE) && end - pos >= LARGE && !(spa % LARGE) &&
			     s->gpa + s->size - pos >= LARGE;

		ret = convert_unit(vm, pos, large, to);
		if (ret)
			break;
		pos += large ? LARGE : PAGE;
	}
	if (ret) {
		int err = ret;
		/* Put back what this call already converted (4 KiB at a time is always possible). */
		for (uint64_t back = gpa; back < pos; back += PAGE)
			convert_unit(vm, back, false,
				     to == COCO_MEM_PRIVATE ? COCO_MEM_SHARED : COCO_MEM_PRIVATE);
		return coco_err_context(err, "coco_vm_mem_convert: GPA 0x%llx to %s",
					(unsigned long long)pos, coco_mem_state_name(to));
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Evidence: the guest's side of SNP_GUEST_REQUEST, played in-process   */

static int guest_request_report(struct coco_vm *vm, const uint8_t report_data[64],
				uint8_t report[SNP_REPORT_SIZE])
{
	struct model_vm *mv = mv_of(vm);
	uint8_t req[SNP_REPORT_REQ_SIZE] = { 0 };
	uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
	struct snp_cmd_guest_request cmd;
	struct snp_msg_hdr hdr = {
		.algo = SNP_MSG_ALGO_AES_256_GCM, .hdr_version = SNP_MSG_HDR_VERSION,
		.hdr_size = SNP_MSG_HDR_SIZE, .type = SNP_MSG_REPORT_REQ, .version = 1,
		.size = SNP_REPORT_REQ_SIZE, .vmpck = 0,
	}, got;
	uint8_t *secrets = NULL;
	uint32_t seq;
	int ret;

	if (!mv->have_secrets)
		return coco_err(-ENOTSUP, "coco_vm_get_evidence: the launch had no secrets page, "
				"so the guest holds no VMPCK to ask the firmware with");
	if (!gpa_to_spa(vm, mv->secrets_gpa, &secrets))
		return coco_err(-EIO, "coco_vm_get_evidence: the secrets page at GPA 0x%llx is "
				"no longer guest memory", (unsigned long long)mv->secrets_gpa);
	seq = coco_le32(secrets + SNP_SECRETS_OS_SEQNO(0));
	hdr.seqno = (uint64_t)seq + 1;
	memcpy(req, report_data, 64);	/* VMPL 0, either key */
	ret = snp_msg_seal(scratch_ptr(mv, SCRATCH_REQUEST), PAGE, secrets + SNP_SECRETS_VMPCK(0), &hdr,
			   req, sizeof(req));
	if (ret)
		return ret;

	/* The response goes to a Firmware page, which the host reclaims afterwards. */
	ret = rmp_make_firmware(mv->mh->plat, scratch_spa(mv, SCRATCH_RESPONSE));
	if (ret)
		return ret;
	cmd = (struct snp_cmd_guest_request){
		.gctx_paddr = scratch_spa(mv, SCRATCH_GCTX),
		.request_paddr = scratch_spa(mv, SCRATCH_REQUEST),
		.response_paddr = scratch_spa(mv, SCRATCH_RESPONSE),
	};
	ret = psp_cmd(&mv->mh->psp, SNP_CMD_GUEST_REQUEST, &cmd, sizeof(cmd), NULL);
	if (release_range(mv->mh, scratch_spa(mv, SCRATCH_RESPONSE), PAGE) && !ret)
		ret = coco_err(-EIO, "coco_vm_get_evidence: the response page could not be "
			       "reclaimed");
	if (ret)
		return ret;
	ret = snp_msg_open(scratch_ptr(mv, SCRATCH_RESPONSE), PAGE, secrets + SNP_SECRETS_VMPCK(0), &got,
			   rsp, sizeof(rsp));
	if (ret)
		return coco_err_context(ret, "coco_vm_get_evidence: firmware response");
	if (got.seqno != hdr.seqno + 1 || got.type != SNP_MSG_REPORT_RSP || got.vmpck != 0)
		return coco_err(-EBADMSG, "coco_vm_get_evidence: response has sequence number "
				"%llu and type %u; expected %llu and MSG_REPORT_RSP",
				(unsigned long long)got.seqno, got.type,
				(unsigned long long)(hdr.seqno + 1));
	/* The guest advances its counter past the request and the response. */
	coco_put_le32(secrets + SNP_SECRETS_OS_SEQNO(0), seq + 2);
	if (coco_le32(rsp) != SNP_RET_SUCCESS)
		return coco_err(-EIO, "coco_vm_get_evidence: MSG_REPORT_RSP status 0x%x %s",
				coco_le32(rsp), snp_fw_status_name(coco_le32(rsp)));
	if (got.size != SNP_REPORT_RSP_HDR_SIZE + SNP_REPORT_SIZE ||
	    coco_le32(rsp + 4) != SNP_REPORT_SIZE)
		return coco_err(-EBADMSG, "coco_vm_get_evidence: report of %u bytes in a %u-byte "
				"response", coco_le32(rsp + 4), got.size);
	memcpy(report, rsp + SNP_REPORT_RSP_HDR_SIZE, SNP_REPORT_SIZE);
	return 0;
}

/* The certificates a host hands out with extended guest requests (as KDS would). */
static int add_certs(struct model_vm *mv, struct coco_evidence *ev)
{
	const struct snp_model_roots *roots;
	uint8_t *vcek = NULL;
	char *ask = NULL, *ark = NULL;
	size_t vcek_len;
	int ret;

	ret = snp_model_vcek_cert(mv->mh->plat, &vcek, &vcek_len);
	if (!ret)
		ret = coco_evidence_add_cert(ev, COCO_CERT_VCEK, vcek, vcek_len);
	if (!ret)
		ret = snp_model_roots_get(mv->mh->plat, &roots);
	if (!ret)
		ret = snp_model_roots_ask_pem(roots, &ask);
	if (!ret)
		ret = coco_evidence_add_cert(ev, COCO_CERT_ASK, ask, strlen(ask));
	if (!ret)
		ret = snp_model_roots_ark_pem(roots, &ark);
	if (!ret)
		ret = coco_evidence_add_cert(ev, COCO_CERT_ARK, ark, strlen(ark));
	free(vcek);
	free(ask);
	free(ark);
	return ret;
}

/* DER of the one certificate in @pem (malloc'd). */
static int pem_cert_to_der(const char *pem, const char *what, uint8_t **der, size_t *len)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
	unsigned char *out = NULL;
	int n = x ? i2d_X509(x, &out) : -1;

	X509_free(x);
	BIO_free(bio);
	if (n <= 0)
		return coco_err(-EINVAL, "SNP model: the %s certificate does not convert to DER "
				"(OpenSSL)", what);
	*der = malloc((size_t)n);
	if (*der)
		memcpy(*der, out, (size_t)n);
	OPENSSL_free(out);
	if (!*der)
		return coco_err(-ENOMEM, "SNP model: out of memory");
	*len = (size_t)n;
	return 0;
}

int snp_model_vm_cert_ders(struct coco_vm *vm, uint8_t *der[SNP_MODEL_CERTS],
			   size_t len[SNP_MODEL_CERTS])
{
	struct model_vm *mv = mv_of(vm);
	const struct snp_model_roots *roots;
	char *ask = NULL, *ark = NULL;
	int ret;

	for (int i = 0; i < SNP_MODEL_CERTS; i++) {
		der[i] = NULL;
		len[i] = 0;
	}
	ret = snp_model_vcek_cert(mv->mh->plat, &der[SNP_MODEL_CERT_VCEK],
				  &len[SNP_MODEL_CERT_VCEK]);
	if (!ret)
		ret = snp_model_roots_get(mv->mh->plat, &roots);
	if (!ret)
		ret = snp_model_roots_ask_pem(roots, &ask);
	if (!ret)
		ret = snp_model_roots_ark_pem(roots, &ark);
	if (!ret)
		ret = pem_cert_to_der(ask, "ASK", &der[SNP_MODEL_CERT_ASK], &len[SNP_MODEL_CERT_ASK]);
	if (!ret)
		ret = pem_cert_to_der(ark, "ARK", &der[SNP_MODEL_CERT_ARK], &len[SNP_MODEL_CERT_ARK]);
	free(ask);
	free(ark);
	if (ret)
		for (int i = 0; i < SNP_MODEL_CERTS; i++) {
			free(der[i]);
			der[i] = NULL;
		}
	return ret;
}

static int model_get_evidence(struct coco_vm *vm, const uint8_t report_data[64],
			      struct coco_evidence **out)
{
	uint8_t report[SNP_REPORT_SIZE];
	struct coco_evidence *ev = NULL;
	int ret;

	ret = guest_request_report(vm, report_data, report);
	if (!ret)
		ret = coco_evidence_new(&snp_report_evidence_ops, report, sizeof(report), &ev);
	if (!ret)
		ret = add_certs(mv_of(vm), ev);
	if (ret) {
		coco_evidence_free(ev);
		return ret;
	}
	*out = ev;
	return 0;
}

/* ------------------------------------------------------------------ */
/* What the guest channel asks of the model VM (sev-snp/model-guest.h)  */

extern const struct coco_backend snp_model_backend;

bool snp_model_vm_is_model(const struct coco_vm *vm)
{
	return vm && vm->backend == &snp_model_backend && !vm->dry_run && vm->priv &&
	       ((struct snp_vm *)vm->priv)->backend;
}

const uint8_t *snp_model_vm_launch_vmsa(struct coco_vm *vm, uint32_t index)
{
	struct model_vm *mv = mv_of(vm);
	uint64_t page = (uint64_t)SCRATCH_VMSA0 + index;

	if (index >= vm->vcpus_added || (page + 1) * PAGE > mv->scratch_size)
		return NULL;
	return scratch_ptr(mv, (unsigned int)page);
}

/* Is all of [gpa, gpa + size) private in the core's record? */
static bool tracked_private(struct coco_vm *vm, uint64_t gpa, uint64_t size)
{
	enum coco_mem_state state;
	uint64_t run;

	if (coco_mem_tracker_get(vm->mem, gpa, &state, &run))
		return false;
	return state == COCO_MEM_PRIVATE && run >= size;
}

/*
 * Before a guest instruction touches the page at @gpa: what KVM's fault
 * path does.  A private page the RMP does not assign yet (guest memory
 * outside the launch, or memory converted to private since) is assigned
 * to the guest, as a 2 MiB page when the whole 2 MiB is private and
 * aligned (sev_gmem_prepare); a 4 KiB access inside a 2 MiB RMP entry
 * splits it (the SIZEM fault's PSMASH).
 */
static int prepare_guest_page(struct coco_vm *vm, uint64_t gpa, uint64_t spa, bool large)
{
	struct model_vm *mv = mv_of(vm);
	struct rmp_view v;
	int ret;

	snp_model_rmp_lookup(mv->mh->plat, spa, &v);
	if (!v.assigned && !v.immutable && tracked_private(vm, gpa, PAGE)) {
		uint64_t gpa2m = gpa & ~(LARGE - 1), spa2m = spa & ~(LARGE - 1);
		struct coco_mem_slot *s = coco_vm_find_slot(vm, gpa2m);
		struct rmp_update_state st = { .gpa = gpa2m, .assigned = true, .large = true,
					       .asid = mv->asid };

		ret = -EINVAL;
		if (large && s && s->gpa + s->size - gpa2m >= LARGE && gpa2m >= s->gpa &&
		    (spa - spa2m) == (gpa - gpa2m) && tracked_private(vm, gpa2m, LARGE)) {
			snp_platform_lock(mv->mh->plat);
			ret = rmp_update(&mv->mh->plat->rmp, spa2m, &st);
			snp_platform_unlock(mv->mh->plat);
		}
		if (ret) {
			st.gpa = gpa & ~(PAGE - 1);
			st.large = false;
			ret = snp_model_rmpupdate(mv->mh->plat, spa & ~(PAGE - 1), &st);
			if (ret)
				return ret;
		}
		return 0;
	}
	if (!large && v.large && v.assigned && v.asid == mv->asid)
		return snp_model_psmash(mv->mh->plat, spa & ~(LARGE - 1));
	return 0;
}

static void explain_fault(struct coco_vm *vm, uint64_t gpa, uint64_t spa, const char *insn,
			  char *why, size_t why_len)
{
	struct model_vm *mv = mv_of(vm);
	struct rmp_view v;

	if (!spa) {
		snprintf(why, why_len, "%s: GPA 0x%llx is not guest memory", insn,
			 (unsigned long long)gpa);
		return;
	}
	snp_model_rmp_lookup(mv->mh->plat, spa, &v);
	snprintf(why, why_len, "%s: GPA 0x%llx is not a private page of this guest (RMP: %s, "
		 "ASID %u, GPA 0x%llx; the guest's ASID is %u): the access takes a nested page "
		 "fault", insn, (unsigned long long)gpa, rmp_state_name(v.state), v.asid,
		 (unsigned long long)v.gpa, mv->asid);
}

int snp_model_vm_pvalidate(struct coco_vm *vm, uint64_t gpa, bool large, bool validate,
			   bool *unchanged, char *why, size_t why_len)
{
	struct model_vm *mv = mv_of(vm);
	uint64_t spa = gpa_to_spa(vm, gpa, NULL);
	int ret;

	*unchanged = false;
	if (gpa & ((large ? LARGE : PAGE) - 1))
		return RMP_FAIL_INPUT;
	if (!spa) {
		explain_fault(vm, gpa, spa, "PVALIDATE", why, why_len);
		return RMP_FAULT_NPF;
	}
	ret = prepare_guest_page(vm, gpa, spa, large);
	if (ret)
		return ret;
	snp_platform_lock(mv->mh->plat);
	ret = rmp_pvalidate(&mv->mh->plat->rmp, mv->asid, gpa, spa, large, validate, unchanged);
	snp_platform_unlock(mv->mh->plat);
	if (ret == RMP_FAULT_NPF)
		explain_fault(vm, gpa, spa, "PVALIDATE", why, why_len);
	return ret;
}

int snp_model_vm_rmpadjust(struct coco_vm *vm, uint64_t gpa, bool large, uint32_t target_vmpl,
			   uint8_t perms, bool vmsa, char *why, size_t why_len)
{
	struct model_vm *mv = mv_of(vm);
	uint64_t spa = gpa_to_spa(vm, gpa, NULL);
	struct rmp_view v;
	int ret;

	if (gpa & ((large ? LARGE : PAGE) - 1))
		return RMP_FAIL_INPUT;
	if (!spa) {
		explain_fault(vm, gpa, spa, "RMPADJUST", why, why_len);
		return RMP_FAULT_NPF;
	}
	/* Only the SIZEM split: RMPADJUST needs a validated page, which PVALIDATE assigned. */
	snp_model_rmp_lookup(mv->mh->plat, spa, &v);
	if (!large && v.large && v.assigned && v.asid == mv->asid) {
		ret = snp_model_psmash(mv->mh->plat, spa & ~(LARGE - 1));
		if (ret)
			return ret;
	}
	snp_platform_lock(mv->mh->plat);
	ret = rmp_adjust(&mv->mh->plat->rmp, mv->asid, 0, gpa, spa, large, target_vmpl, perms,
			 vmsa);
	snp_platform_unlock(mv->mh->plat);
	if (ret == RMP_FAULT_NPF)
		explain_fault(vm, gpa, spa, "RMPADJUST", why, why_len);
	return ret;
}

int snp_model_vm_read_guest_vmsa(struct coco_vm *vm, uint64_t gpa, uint8_t vmsa[SNP_PAGE_SIZE])
{
	struct model_vm *mv = mv_of(vm);
	uint8_t *host = NULL;
	uint64_t spa = gpa_to_spa(vm, gpa, &host);
	struct rmp_view v;

	if (!spa || (gpa & (PAGE - 1)))
		return coco_err(-EINVAL, "AP creation: VMSA GPA 0x%llx is not a guest page",
				(unsigned long long)gpa);
	snp_platform_lock(mv->mh->plat);
	rmp_lookup(&mv->mh->plat->rmp, spa, &v);
	if (v.assigned && v.asid == mv->asid && v.gpa == gpa && v.validated && v.vmsa &&
	    !v.immutable)
		memcpy(vmsa, host, PAGE);
	snp_platform_unlock(mv->mh->plat);
	if (!(v.assigned && v.asid == mv->asid && v.gpa == gpa && v.validated && v.vmsa &&
	      !v.immutable))
		return coco_err(-EINVAL, "AP creation: the page at GPA 0x%llx is not a VMSA page of "
				"the guest (RMP: %s, ASID %u, validated %s, VMSA bit %s); the guest "
				"makes it one with PVALIDATE, then RMPADJUST with the VMSA bit",
				(unsigned long long)gpa, rmp_state_name(v.state), v.asid,
				v.validated ? "yes" : "no", v.vmsa ? "yes" : "no");
	return 0;
}

int snp_model_vm_guest_request(struct coco_vm *vm, const uint8_t req[SNP_PAGE_SIZE],
			       uint8_t rsp[SNP_PAGE_SIZE], uint32_t *fw_status)
{
	struct model_vm *mv = mv_of(vm);
	struct snp_cmd_guest_request cmd = {
		.gctx_paddr = scratch_spa(mv, SCRATCH_GCTX),
		.request_paddr = scratch_spa(mv, SCRATCH_REQUEST),
		.response_paddr = scratch_spa(mv, SCRATCH_RESPONSE),
	};
	int ret;

	*fw_status = 0;
	memcpy(scratch_ptr(mv, SCRATCH_REQUEST), req, PAGE);
	memset(scratch_ptr(mv, SCRATCH_RESPONSE), 0, PAGE);
	ret = rmp_make_firmware(mv->mh->plat, cmd.response_paddr);
	if (ret)
		return ret;
	ret = psp_cmd(&mv->mh->psp, SNP_CMD_GUEST_REQUEST, &cmd, sizeof(cmd), fw_status);
	if (release_range(mv->mh, cmd.response_paddr, PAGE))
		return coco_err(-EIO, "SNP_GUEST_REQUEST: the response page could not be "
				"reclaimed");
	/* A firmware error is the guest's answer; only a command that did not run fails here. */
	if (ret && !*fw_status)
		return ret;
	memcpy(rsp, scratch_ptr(mv, SCRATCH_RESPONSE), PAGE);
	return 0;
}

int snp_model_vm_add_certs(struct coco_vm *vm, struct coco_evidence *evidence)
{
	return add_certs(mv_of(vm), evidence);
}

const struct coco_backend snp_model_backend = {
	.name = "sev-snp-model",
	.vendor = COCO_VENDOR_AMD_SEV_SNP,
	.hardware = false,
	.description = "AMD SEV-SNP on the PSP firmware and RMP platform model",
	.design_features = COCO_FEATURE_MEASURED_VCPU_STATE,
	.probe = model_probe,
	.host_open = model_host_open,
	.host_close = model_host_close,
	.caps = model_caps,
	.config_validate = snp_config_validate,
	.plan_firmware = snp_plan_firmware,
	.vm_create = model_vm_create,
	.vm_destroy = model_vm_destroy,
	.launch_begin = snp_launch_begin,
	.launch_region = snp_launch_region,
	.launch_vcpu = snp_launch_vcpu,
	.launch_finish = snp_launch_finish,
	.mem_slot_add = model_mem_slot_add,
	.mem_convert = model_mem_convert,
	.get_evidence = model_get_evidence,
	.plan_guest_image = snp_plan_guest_image,
	.guest_channel = &snp_model_guest_channel,
};

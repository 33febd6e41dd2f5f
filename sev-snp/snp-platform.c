/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/snp-platform.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/snp-defs.h"

#define GIB (1ull << 30)

static enum snp_product env_product(enum snp_product fallback)
{
	const char *v = getenv("COCO_SNP_MODEL_PRODUCT");

	if (!v || !*v)
		return fallback;
	if (!strcasecmp(v, "milan"))
		return SNP_PRODUCT_MILAN;
	if (!strcasecmp(v, "genoa"))
		return SNP_PRODUCT_GENOA;
	if (!strcasecmp(v, "turin"))
		return SNP_PRODUCT_TURIN;
	coco_warn("COCO_SNP_MODEL_PRODUCT=%s is not milan, genoa or turin; using the default", v);
	return fallback;
}

/* Resolve the creation parameters: explicit config, then environment, then defaults. */
static int resolve_config(const struct snp_platform_config *in, struct snp_platform_config *out)
{
	struct snp_platform_config c = in ? *in : (struct snp_platform_config){ 0 };

	if (!c.max_asids)
		c.max_asids = coco_model_platform_env_u32("COCO_SNP_MODEL_ASIDS",
							  SNP_MODEL_DEFAULT_ASIDS);
	if (!c.dram_gib)
		c.dram_gib = coco_model_platform_env_u32("COCO_SNP_MODEL_DRAM_GIB",
							 SNP_MODEL_DEFAULT_DRAM_GIB);
	if (!c.product)
		c.product = env_product(SNP_PRODUCT_GENOA);
	if (!c.report_version)
		c.report_version = coco_model_platform_env_u32("COCO_SNP_MODEL_REPORT_VERSION", 5);
	if (c.max_asids < 1 || c.max_asids > SNP_MODEL_MAX_ASIDS)
		return coco_err(-EINVAL, "SNP platform model: %u ASIDs requested; 1 to %u are "
				"possible", c.max_asids, SNP_MODEL_MAX_ASIDS);
	if (c.dram_gib < 1 || c.dram_gib > SNP_MODEL_MAX_DRAM_GIB)
		return coco_err(-EINVAL, "SNP platform model: %u GiB of model memory requested; 1 "
				"to %u are possible", c.dram_gib, SNP_MODEL_MAX_DRAM_GIB);
	if (c.report_version != 2 && c.report_version != 3 && c.report_version != 5)
		return coco_err(-EINVAL, "SNP platform model: report version %u requested; the "
				"model produces versions 2, 3 and 5", c.report_version);
	if (c.product < SNP_PRODUCT_MILAN || c.product > SNP_PRODUCT_TURIN)
		return coco_err(-EINVAL, "SNP platform model: unknown product %d", (int)c.product);
	*out = c;
	return 0;
}

/*
 * Identity and firmware version of a fresh model chip.  TCB and CPUID
 * values are plausible for each product line (TCB layout: report.h).
 */
static int init_identity(struct snp_platform_shared *sh, const struct snp_platform_config *c)
{
	struct snp_tcb tcb = { 0 };

	if (RAND_bytes(sh->chip_secret, sizeof(sh->chip_secret)) != 1 ||
	    RAND_bytes(sh->chip_id, sizeof(sh->chip_id)) != 1)
		return coco_err(-EIO, "SNP platform model: no randomness for the chip identity");
	sh->product = c->product;
	sh->report_version = c->report_version;
	sh->api_major = 1;
	sh->api_minor = 55;
	sh->build_id = 21;
	sh->smt_enabled = 1;
	switch (c->product) {
	case SNP_PRODUCT_MILAN:
		sh->cpuid_signature = 0x00A00F11;	/* family 19h, model 01h, stepping 1 */
		tcb = (struct snp_tcb){ .bootloader = 3, .tee = 0, .snp = 22, .microcode = 0xD5 };
		break;
	case SNP_PRODUCT_TURIN:
		sh->cpuid_signature = 0x00B00F21;	/* family 1Ah, model 02h, stepping 1 */
		tcb = (struct snp_tcb){ .fmc = 1, .bootloader = 1, .tee = 1, .snp = 3,
					.microcode = 0x4E };
		/* Turin chip IDs are 8 bytes; the rest of the field is zero. */
		memset(sh->chip_id + 8, 0, sizeof(sh->chip_id) - 8);
		break;
	default:
		sh->cpuid_signature = 0x00A10F11;	/* family 19h, model 11h, stepping 1 */
		tcb = (struct snp_tcb){ .bootloader = 9, .tee = 0, .snp = 23, .microcode = 0x48 };
		break;
	}
	sh->current_tcb = snp_tcb_encode(c->product, &tcb);
	sh->reported_tcb = sh->current_tcb;
	sh->committed_tcb = sh->current_tcb;
	return 0;
}

/* The SNP state of a new chip (spec init callback; @arg: the resolved config). */
static int init_vendor(struct coco_model_platform *core, void *vendor, void *arg)
{
	const struct snp_platform_config *c = arg;
	struct snp_platform_shared *sh = vendor;

	sh->max_snp_asid = c->max_asids;
	sh->snp_state = SNP_PLATFORM_UNINIT;
	/* The model ARK/ASK are made when the first certificate chain is needed. */
	sh->private_roots = core->path == NULL;
	return init_identity(sh, c);
}

/* Every index and size the processes of the host rely on, in range (spec validate callback). */
static int validate_vendor(struct coco_model_platform *core, void *vendor, void *arg)
{
	const struct snp_platform_shared *sh = vendor;
	bool ok;

	(void)arg;
	ok = !(core->dram_size % GIB) && sh->roots_len <= SNP_MODEL_ROOTS_MAX &&
	     sh->max_snp_asid >= 1 && sh->max_snp_asid <= SNP_MODEL_MAX_ASIDS &&
	     sh->snp_state <= SNP_PLATFORM_INIT && sh->product >= SNP_PRODUCT_MILAN &&
	     sh->product <= SNP_PRODUCT_TURIN;
	for (uint32_t a = 0; ok && a <= SNP_MODEL_MAX_ASIDS; a++)
		ok = sh->asid_state[a] <= SNP_ASID_DIRTY && sh->host_asid_used[a] <= 2;
	for (uint32_t i = 0; ok && i < SNP_MODEL_MAX_ASIDS; i++)
		ok = sh->gctx[i].asid <= sh->max_snp_asid && sh->host_vm[i].asid <= sh->max_snp_asid &&
		     sh->gctx[i].state <= SNP_GSTATE_RUNNING;
	if (!ok)
		return coco_err(-EPROTO, "SNP platform model: '%s' is damaged (sizes or indexes "
				"out of range); stop the VMs using it and remove it to start a new "
				"platform", core->path);
	return 0;
}

int snp_platform_open(const char *path, const struct snp_platform_config *config,
		      struct snp_platform **out)
{
	struct snp_platform_config c;
	struct coco_model_platform_spec spec = {
		.name = "SNP platform model",
		.magic = SNP_MODEL_MAGIC,
		.layout_version = SNP_MODEL_LAYOUT_VERSION,
		.vendor_size = sizeof(struct snp_platform_shared),
		/* The RMP: its bookkeeping area (per-ASID counters), then one entry per page. */
		.table_header_size = RMP_BOOKKEEPING_SIZE,
		.table_entry_size = RMP_ENTRY_SIZE,
		.dram_base = SNP_MODEL_DRAM_BASE,
		.max_dram_size = SNP_MODEL_MAX_DRAM_GIB * GIB,
		.chunk_size = SNP_MODEL_CHUNK_SIZE,
		.dram_setting = "COCO_SNP_MODEL_DRAM_GIB",
		.init = init_vendor,
		.validate = validate_vendor,
		.arg = &c,
	};
	struct snp_platform *p;
	uint8_t *rmp;
	int ret = resolve_config(config, &c);

	if (ret)
		return ret;
	spec.dram_size = c.dram_gib * GIB;
	p = calloc(1, sizeof(*p));
	if (!p)
		return coco_err(-ENOMEM, "SNP platform model: out of memory");
	ret = coco_model_platform_open(path, &spec, &p->core);
	if (!ret)
		ret = coco_hasher_new(COCO_HASH_SHA384, &p->hasher);
	if (ret) {
		coco_model_platform_close(p->core);
		free(p);
		return ret;
	}
	p->sh = coco_model_platform_vendor(p->core);
	rmp = coco_model_platform_tables(p->core, NULL);
	p->rmp.asid_pages = (uint64_t *)rmp;
	p->rmp.entries = (struct rmp_entry *)(rmp + RMP_BOOKKEEPING_SIZE);
	p->rmp.base = p->core->dram_base;
	p->rmp.npages = p->core->dram_size / 4096;
	*out = p;
	return 0;
}

void snp_platform_close(struct snp_platform *p)
{
	if (!p)
		return;
	if (p->release_caches)
		p->release_caches(p);
	coco_hasher_free(p->hasher);
	EVP_PKEY_free(p->vcek);
	coco_model_platform_close(p->core);
	free(p);
}

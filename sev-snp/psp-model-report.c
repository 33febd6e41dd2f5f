/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The firmware model's attestation report: fields filled as the SNP
 * Firmware ABI describes for MSG_REPORT_REQ, signed with the chip's VCEK
 * (derived from the fused chip secret and the reported TCB).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "sev-snp/certs.h"
#include "sev-snp/psp-model.h"
#include "sev-snp/snp-defs.h"

/* PLATFORM_INFO bits (report offset 0x40). */
#define PLATFORM_INFO_SMT_EN (1ull << 0)

static void release_roots(struct snp_platform *p)
{
	snp_model_roots_free(p->roots);
	p->roots = NULL;
}

/*
 * The platform's model ARK and ASK, made on first use (two RSA-4096 keys
 * take a second or two) and kept in the platform so every process of the
 * host signs with the same chain.  A private platform uses the process-wide
 * roots.  The caller holds the platform lock.
 */
static int roots_locked(struct snp_platform *p)
{
	struct snp_platform_shared *sh = p->sh;
	size_t len;
	int ret = 0;

	if (p->roots)
		return 0;
	if (!sh->roots_len) {
		if (sh->private_roots) {
			const struct snp_model_roots *shared;
			ret = snp_model_roots_shared(sh->product, &shared);
			if (!ret)
				ret = snp_model_roots_save(shared, sh->roots, sizeof(sh->roots), &len);
		} else {
			struct snp_model_roots *fresh;
			coco_info("SNP platform model: generating the model ARK and ASK (RSA-4096)");
			ret = snp_model_roots_generate(sh->product, &fresh);
			if (!ret) {
				ret = snp_model_roots_save(fresh, sh->roots, sizeof(sh->roots), &len);
				snp_model_roots_free(fresh);
			}
		}
		if (ret)
			return coco_err_context(ret, "SNP platform model: model ARK/ASK");
		sh->roots_len = (uint32_t)len;
	}
	ret = snp_model_roots_load(sh->roots, sh->roots_len, &p->roots);
	if (ret)
		return coco_err_context(ret, "SNP platform model: the platform's model ARK/ASK "
					"are unreadable");
	p->release_caches = release_roots;
	return 0;
}

int snp_model_roots_get(struct snp_platform *p, const struct snp_model_roots **roots)
{
	int ret;

	snp_platform_lock(p);
	ret = roots_locked(p);
	snp_platform_unlock(p);
	if (!ret)
		*roots = p->roots;
	return ret;
}

/* The VCEK for the current reported TCB; the caller holds the platform lock. */
static EVP_PKEY *vcek_for(struct snp_platform *p)
{
	EVP_PKEY *key;

	if (p->vcek && p->vcek_tcb == p->sh->reported_tcb)
		return p->vcek;
	if (snp_vcek_derive(p->sh->chip_secret, p->sh->reported_tcb, &key))
		return NULL;
	EVP_PKEY_free(p->vcek);
	p->vcek = key;
	p->vcek_tcb = p->sh->reported_tcb;
	return key;
}

uint32_t snp_model_make_report(struct snp_platform *p, const struct snp_model_gctx *g,
			       const uint8_t report_data[64], uint32_t vmpl, bool sign_with_vcek,
			       uint8_t out[SNP_REPORT_SIZE], char *detail, size_t detail_len)
{
	const struct snp_platform_shared *sh = p->sh;
	uint32_t sig = sh->cpuid_signature;
	struct snp_report r;
	EVP_PKEY *vcek;

	memset(&r, 0, sizeof(r));
	r.version = sh->report_version;
	r.guest_svn = g->guest_svn;
	r.policy = g->policy;
	memcpy(r.family_id, g->family_id, sizeof(r.family_id));
	memcpy(r.image_id, g->image_id, sizeof(r.image_id));
	r.vmpl = vmpl;
	r.signature_algo = SNP_SIG_ALGO_ECDSA_P384_SHA384;
	r.current_tcb = sh->current_tcb;
	/* The model CPU has SMT on and no TSME. */
	r.platform_info = sh->smt_enabled ? PLATFORM_INFO_SMT_EN : 0;
	r.signer_info = (g->author_key_en ? SNP_SIGNER_AUTHOR_KEY_EN : 0) |
			(sh->mask_chip_key ? SNP_SIGNER_MASK_CHIP_KEY : 0) |
			((sign_with_vcek ? SNP_SIGNING_KEY_VCEK : SNP_SIGNING_KEY_NONE)
			 << SNP_SIGNER_KEY_SHIFT);
	memcpy(r.report_data, report_data, sizeof(r.report_data));
	memcpy(r.measurement, g->ld, sizeof(r.measurement));
	memcpy(r.host_data, g->host_data, sizeof(r.host_data));
	memcpy(r.id_key_digest, g->id_key_digest, sizeof(r.id_key_digest));
	if (g->author_key_en)
		memcpy(r.author_key_digest, g->author_key_digest, sizeof(r.author_key_digest));
	memcpy(r.report_id, g->report_id, sizeof(r.report_id));
	memcpy(r.report_id_ma, g->report_id_ma, sizeof(r.report_id_ma));
	r.reported_tcb = sh->reported_tcb;
	if (r.version >= 3) {
		/* CPUID(1).EAX: family = base + extended, model = extended:base. */
		r.cpuid_fam_id = (uint8_t)(((sig >> 8) & 0xf) + ((sig >> 20) & 0xff));
		r.cpuid_mod_id = (uint8_t)((((sig >> 16) & 0xf) << 4) | ((sig >> 4) & 0xf));
		r.cpuid_step = (uint8_t)(sig & 0xf);
	}
	if (!sh->mask_chip_id)
		memcpy(r.chip_id, sh->chip_id, sizeof(r.chip_id));
	r.committed_tcb = sh->committed_tcb;
	r.current_build = sh->build_id;
	r.current_minor = sh->api_minor;
	r.current_major = sh->api_major;
	r.committed_build = sh->build_id;
	r.committed_minor = sh->api_minor;
	r.committed_major = sh->api_major;
	r.launch_tcb = g->launch_tcb;

	if (snp_report_encode(&r, out)) {
		snprintf(detail, detail_len, "report encoding failed: %s", coco_last_error());
		return SNP_RET_HWERROR_PLATFORM;
	}
	if (!sign_with_vcek)
		return SNP_RET_SUCCESS;		/* signature stays zero */
	vcek = vcek_for(p);
	if (!vcek || snp_report_sign(out, vcek)) {
		snprintf(detail, detail_len, "signing with the VCEK failed: %s", coco_last_error());
		return SNP_RET_HWERROR_PLATFORM;
	}
	return SNP_RET_SUCCESS;
}

int snp_model_vcek_cert(struct snp_platform *p, uint8_t **der, size_t *len)
{
	EVP_PKEY *vcek;
	int ret;

	snp_platform_lock(p);
	ret = roots_locked(p);
	if (ret) {
		snp_platform_unlock(p);
		return ret;
	}
	vcek = vcek_for(p);
	ret = vcek ? snp_vcek_cert_issue(p->roots, vcek, p->sh->reported_tcb, p->sh->chip_id, der,
					 len)
		   : -EIO;
	snp_platform_unlock(p);
	if (ret)
		return coco_err_context(ret, "SNP platform model: VCEK certificate");
	return 0;
}

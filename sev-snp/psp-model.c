/* SPDX-License-Identifier: Apache-2.0 */
/*
 * SNP firmware commands on the platform model.  Sources for the checks and
 * their order: SNP Firmware ABI (56860) command descriptions as summarised
 * in ../shared/specs/snp.md section 4, and AMD's published firmware source
 * (AMD-ASPFW sev_mcmd.c) for the order of checks.  Each handler returns a
 * firmware status and, on failure, says why in @detail (real firmware is
 * silent; the model explains).
 */
#include "sev-snp/psp-model.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/rand.h>

#include <coco/snp.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/cpuid-table.h"
#include "sev-snp/guest-msg.h"
#include "sev-snp/id-block.h"
#include "sev-snp/launch-digest.h"
#include "sev-snp/psp-cmdbuf.h"
#include "sev-snp/secrets-page.h"
#include "sev-snp/snp-defs.h"

#define PAGE 4096ull
#define LARGE (2ull * 1024 * 1024)

struct fw_ctx {
	struct snp_platform *p;
	struct snp_platform_shared *sh;
	char *detail;
	size_t detail_len;
};

static uint32_t fail(struct fw_ctx *c, uint32_t status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static uint32_t fail(struct fw_ctx *c, uint32_t status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->detail, c->detail_len, fmt, ap);
	va_end(ap);
	return status;
}

static struct rmp_view lookup(struct fw_ctx *c, uint64_t spa)
{
	struct rmp_view v;

	rmp_lookup(&c->p->rmp, spa, &v);
	return v;
}

/* Firmware writes to an RMP entry keep the other fields as they are. */
static void set_state(struct fw_ctx *c, uint64_t spa, const struct rmp_view *v)
{
	rmp_fw_write(&c->p->rmp, spa, v);
}

/* Memory the firmware reads or writes at a physical address. */
static uint8_t *fw_mem(struct fw_ctx *c, uint64_t spa, uint64_t len)
{
	return snp_platform_ptr(c->p, spa, len);
}

static bool platform_ready(struct fw_ctx *c)
{
	return c->sh->snp_state == SNP_PLATFORM_INIT;
}

static uint32_t need_init(struct fw_ctx *c)
{
	return fail(c, SNP_RET_INVALID_PLATFORM_STATE,
		    "the SNP platform is not initialised (state UNINIT)");
}

static const char *gstate_name(uint32_t s)
{
	switch (s) {
	case SNP_GSTATE_INIT:
		return "GSTATE_INIT";
	case SNP_GSTATE_LAUNCH:
		return "GSTATE_LAUNCH";
	case SNP_GSTATE_RUNNING:
		return "GSTATE_RUNNING";
	default:
		return "invalid";
	}
}

static uint32_t wrong_gstate(struct fw_ctx *c, const struct snp_model_gctx *g, const char *need)
{
	return fail(c, SNP_RET_INVALID_GUEST_STATE, "the guest is in %s; the command needs %s",
		    gstate_name(g->state), need);
}

/* ------------------------------------------------------------------ */
/* Address checks every SNP command makes first                         */

/* Bits 11:0 of a page address are reserved (SNP_ADDR_RESERVED_MASK). */
static bool page_addr_ok(uint64_t spa)
{
	return !(spa & (PAGE - 1));
}

/* The guest context behind a GCTX page: the page must be in the Context state. */
static uint32_t find_guest(struct fw_ctx *c, uint64_t gctx_paddr, struct snp_model_gctx **out)
{
	struct rmp_view v = lookup(c, gctx_paddr);

	if (v.state == RMP_STATE_CONTEXT)
		for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS; i++)
			if (c->sh->gctx[i].gctx_paddr == gctx_paddr) {
				*out = &c->sh->gctx[i];
				return SNP_RET_SUCCESS;
			}
	return fail(c, SNP_RET_INVALID_GUEST, "page 0x%llx is %s, not a guest context",
		    (unsigned long long)gctx_paddr, rmp_state_name(v.state));
}

/*
 * The checks every guest-context command starts with, in the firmware's
 * order: the GCTX address's reserved bits, the command's other reserved
 * fields (@bad_params says which, or NULL), the platform state, the context.
 */
static uint32_t enter_guest_command(struct fw_ctx *c, uint64_t gctx_paddr, const char *bad_params,
				    struct snp_model_gctx **g)
{
	if (!page_addr_ok(gctx_paddr))
		return fail(c, SNP_RET_INVALID_PARAM, "GCTX address 0x%llx has bits 11:0 set",
			    (unsigned long long)gctx_paddr);
	if (bad_params)
		return fail(c, SNP_RET_INVALID_PARAM, "%s", bad_params);
	if (!platform_ready(c))
		return need_init(c);
	return find_guest(c, gctx_paddr, g);
}

static bool guest_has_asid(const struct snp_model_gctx *g)
{
	return g->asid != 0;
}

/* Output buffers: inside one page, and a Firmware (or Default) page once SNP is up. */
static uint32_t output_buffer(struct fw_ctx *c, uint64_t spa, size_t len, uint8_t **out)
{
	if ((spa & (PAGE - 1)) + len > PAGE)
		return fail(c, SNP_RET_INVALID_PARAM, "the %zu-byte output at 0x%llx crosses a page",
			    len, (unsigned long long)spa);
	if (platform_ready(c)) {
		struct rmp_view v = lookup(c, spa);
		if (v.state != RMP_STATE_FIRMWARE && v.state != RMP_STATE_DEFAULT)
			return fail(c, SNP_RET_INVALID_PAGE_STATE, "output page 0x%llx is %s; with "
				    "SNP initialised the firmware writes only Firmware pages",
				    (unsigned long long)spa, rmp_state_name(v.state));
	}
	*out = fw_mem(c, spa, len);
	if (!*out)
		return fail(c, SNP_RET_INVALID_ADDRESS, "output 0x%llx is not memory the firmware "
			    "can reach", (unsigned long long)spa);
	return SNP_RET_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Platform commands                                                    */

static uint32_t cmd_init_ex(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_init_ex *cmd = buf;
	const uint32_t known = SNP_INIT_EX_INIT_RMP | SNP_INIT_EX_LIST_PADDR_EN;
	bool init_rmp = cmd->flags & SNP_INIT_EX_INIT_RMP;

	/*
	 * The model is a firmware without RAPL disabling, ciphertext hiding or
	 * SEV-TIO: those flag bits and MAX_SNP_ASID are reserved for it.
	 */
	if ((cmd->flags & ~known) || cmd->reserved || cmd->max_snp_asid ||
	    !coco_all_zero(cmd->reserved2, sizeof(cmd->reserved2)))
		return fail(c, SNP_RET_INVALID_PARAM, "reserved flags (0x%x) or fields are set; "
			    "this firmware knows INIT_RMP and LIST_PADDR_EN", cmd->flags & ~known);
	if (c->sh->snp_state != SNP_PLATFORM_UNINIT)
		return fail(c, SNP_RET_INVALID_PLATFORM_STATE, "SNP is already initialised");
	if (!init_rmp && !c->sh->rmp_initialized)
		return fail(c, SNP_RET_RMP_INIT_REQUIRED, "the RMP is not initialised; set INIT_RMP");
	if (!init_rmp && (cmd->flags & SNP_INIT_EX_LIST_PADDR_EN))
		return fail(c, SNP_RET_INVALID_PARAM, "a range list needs INIT_RMP");

	if (init_rmp) {
		/* A fresh RMP: every page hypervisor-owned, no guest context survives. */
		snp_platform_zero(c->p, c->p->rmp.asid_pages,
				  RMP_BOOKKEEPING_SIZE + c->p->rmp.npages * sizeof(struct rmp_entry));
		memset(c->sh->gctx, 0, sizeof(c->sh->gctx));
		c->sh->rmp_initialized = 1;
	}
	if (cmd->flags & SNP_INIT_EX_LIST_PADDR_EN) {
		/*
		 * Ranges become HV-Fixed.  The firmware ignores what it cannot walk (an
		 * unreachable list, a bad entry) rather than failing; so does the model.
		 */
		uint64_t in_page = cmd->list_paddr & (PAGE - 1);
		const uint8_t *page = fw_mem(c, cmd->list_paddr - in_page, PAGE);
		const uint8_t *list = page ? page + in_page : NULL;
		uint64_t room = PAGE - in_page;	/* the list must fit in LIST_PADDR's page */
		uint32_t n = list && room >= 8 ? coco_le32(list) : 0;
		for (uint32_t i = 0; list && i < n && 8 + 16ull * (i + 1) <= room &&
				     !coco_le32(list + 4);
		     i++) {
			const uint8_t *e = list + 8 + 16 * i;
			uint64_t base = coco_le64(e);
			if ((base & (PAGE - 1)) || coco_le32(e + 12))
				break;
			for (uint32_t k = 0; k < coco_le32(e + 8); k++) {
				struct rmp_view v = lookup(c, base + k * PAGE);
				if (!v.covered)
					break;
				memset(&v, 0, sizeof(v));
				v.immutable = true;	/* HV-Fixed */
				set_state(c, base + k * PAGE, &v);
			}
		}
	}
	/* Every ASID starts dirty: WBINVD, then SNP_DF_FLUSH before the first ACTIVATE. */
	for (uint32_t a = 1; a <= SNP_MODEL_MAX_ASIDS; a++)
		c->sh->asid_state[a] = SNP_ASID_DIRTY;
	c->sh->wbinvd_done = 0;
	c->sh->snp_state = SNP_PLATFORM_INIT;
	c->sh->guest_count = 0;
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_shutdown_ex(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_shutdown_ex *cmd = buf;

	if (!platform_ready(c))
		return SNP_RET_SUCCESS;	/* already down; the buffer is not even looked at */
	/* Guests do not block a shutdown; ASIDs that are not clean on every CCX do. */
	for (uint32_t a = 1; a <= SNP_MODEL_MAX_ASIDS; a++)
		if (c->sh->asid_state[a] != SNP_ASID_CLEAN)
			return fail(c, SNP_RET_DFFLUSH_REQUIRED, "ASID %u is %s; run WBINVD and "
				    "SNP_DF_FLUSH (and stop running guests) first", a,
				    c->sh->asid_state[a] == SNP_ASID_DIRTY ? "dirty" : "in use");
	if (cmd->length != sizeof(*cmd))
		return fail(c, SNP_RET_INVALID_PARAM, "LENGTH is %u; the buffer is %zu bytes",
			    cmd->length, sizeof(*cmd));
	if (cmd->flags & ~(SNP_SHUTDOWN_EX_IOMMU | SNP_SHUTDOWN_EX_X86))
		return fail(c, SNP_RET_INVALID_PARAM, "reserved flag bits 0x%x",
			    cmd->flags & ~(SNP_SHUTDOWN_EX_IOMMU | SNP_SHUTDOWN_EX_X86));
	if ((cmd->flags & SNP_SHUTDOWN_EX_X86) && !(cmd->flags & SNP_SHUTDOWN_EX_IOMMU))
		return fail(c, SNP_RET_INVALID_PARAM, "X86_SNP_SHUTDOWN needs IOMMU_SNP_SHUTDOWN");
	c->sh->snp_state = SNP_PLATFORM_UNINIT;
	/* With the IOMMU shut down too the RMP is no longer initialised. */
	if (cmd->flags & SNP_SHUTDOWN_EX_IOMMU)
		c->sh->rmp_initialized = 0;
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_platform_status(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_platform_status *cmd = buf;
	struct snp_platform_shared *sh = c->sh;
	struct snp_platform_status st = {
		.api_major = sh->api_major,
		.api_minor = sh->api_minor,
		.state = (uint8_t)sh->snp_state,
		.is_rmp_initialized = (uint8_t)sh->rmp_initialized,
		.build_id = sh->build_id,
		.mask_chip_id = sh->mask_chip_id,
		.mask_chip_key = sh->mask_chip_key,
		.feature_info = 1,	/* SNP_FEATURE_INFO is available */
		.guest_count = sh->guest_count,
		.current_tcb = sh->current_tcb,
		.reported_tcb = sh->reported_tcb,
	};
	uint8_t *out;
	uint32_t ret = output_buffer(c, cmd->status_paddr, SNP_PLATFORM_STATUS_SIZE, &out);

	if (ret)
		return ret;
	snp_platform_status_encode(&st, out);
	return SNP_RET_SUCCESS;
}

/*
 * SNP_FEATURE_INFO: CPUID-like words of optional firmware features.  The
 * model offers none of them (X86_SNP_SHUTDOWN, RAPL_DISABLE, ciphertext
 * hiding, AES-256-XTS, CXL_ALLOW in ECX; SEV-TIO in EBX), so all are zero.
 */
static uint32_t cmd_feature_info(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_feature_info *cmd = buf;
	uint8_t *out;
	uint32_t ret;

	if (cmd->length != sizeof(*cmd))
		return fail(c, SNP_RET_INVALID_PARAM, "LENGTH is %u; the buffer is %zu bytes",
			    cmd->length, sizeof(*cmd));
	if (cmd->ecx_in != 0)
		return fail(c, SNP_RET_INVALID_PARAM, "ECX_IN %u: only subfunction 0 exists",
			    cmd->ecx_in);
	ret = output_buffer(c, cmd->feature_info_paddr, SNP_FEATURE_INFO_SIZE, &out);
	if (ret)
		return ret;
	memset(out, 0, SNP_FEATURE_INFO_SIZE);	/* EAX (highest ECX_IN) 0, no features */
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_df_flush(struct fw_ctx *c, void *buf)
{
	(void)buf;
	/* No platform-state check: the flush is about caches, not SNP. */
	if (!c->sh->wbinvd_done)
		return fail(c, SNP_RET_WBINVD_REQUIRED, "WBINVD has not run on every core since "
			    "ASIDs were last deactivated");
	for (uint32_t a = 1; a <= SNP_MODEL_MAX_ASIDS; a++)
		if (c->sh->asid_state[a] == SNP_ASID_DIRTY)
			c->sh->asid_state[a] = SNP_ASID_CLEAN;
	return SNP_RET_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Guest context commands                                               */

static uint32_t cmd_gctx_create(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_gctx *cmd = buf;
	struct snp_model_gctx *slot = NULL;
	struct rmp_view v;

	if (!page_addr_ok(cmd->gctx_paddr))
		return fail(c, SNP_RET_INVALID_PARAM, "GCTX address 0x%llx has bits 11:0 set",
			    (unsigned long long)cmd->gctx_paddr);
	if (!platform_ready(c))
		return need_init(c);
	v = lookup(c, cmd->gctx_paddr);
	if (v.state != RMP_STATE_FIRMWARE)
		return fail(c, SNP_RET_INVALID_PAGE_STATE, "GCTX page 0x%llx is %s; it must be a "
			    "Firmware page (RMPUPDATE: assigned, ASID 0, immutable)",
			    (unsigned long long)cmd->gctx_paddr, rmp_state_name(v.state));
	if (v.large)
		return fail(c, SNP_RET_INVALID_PAGE_SIZE, "GCTX page 0x%llx is part of a 2 MiB RMP "
			    "page", (unsigned long long)cmd->gctx_paddr);
	if (!fw_mem(c, cmd->gctx_paddr, PAGE))
		return fail(c, SNP_RET_INVALID_CONFIG, "GCTX page 0x%llx is not in DRAM the "
			    "firmware knows", (unsigned long long)cmd->gctx_paddr);
	for (unsigned int i = 0; i < SNP_MODEL_MAX_ASIDS && !slot; i++)
		if (!c->sh->gctx[i].gctx_paddr)
			slot = &c->sh->gctx[i];
	if (!slot)
		return fail(c, SNP_RET_RESOURCE_LIMIT, "the model holds %u guest contexts already",
			    SNP_MODEL_MAX_ASIDS);
	memset(slot, 0, sizeof(*slot));
	slot->gctx_paddr = cmd->gctx_paddr;
	slot->state = SNP_GSTATE_INIT;
	slot->launch_tcb = c->sh->committed_tcb;
	slot->ma_paddr = 0;	/* set at LAUNCH_START: the agent, or all ones for none */
	v.vmsa = true;		/* Firmware -> Context */
	set_state(c, cmd->gctx_paddr, &v);
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_decommission(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_gctx *cmd = buf;
	struct snp_model_gctx *g;
	struct rmp_view v;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr, NULL, &g);
	if (ret)
		return ret;
	if (guest_has_asid(g)) {
		/*
		 * Deactivation: an ASID that ran guest code may have its lines in the
		 * caches (dirty until WBINVD + DF_FLUSH); one still pending was never
		 * used and is clean again.
		 */
		if (c->sh->asid_state[g->asid] == SNP_ASID_IN_USE) {
			c->sh->asid_state[g->asid] = SNP_ASID_DIRTY;
			c->sh->wbinvd_done = 0;
		} else {
			c->sh->asid_state[g->asid] = SNP_ASID_CLEAN;
		}
	}
	if (g->state != SNP_GSTATE_INIT && c->sh->guest_count)
		c->sh->guest_count--;
	coco_wipe(g, sizeof(*g));
	/* Context -> Firmware: the host takes the page back with SNP_PAGE_RECLAIM. */
	v = lookup(c, cmd->gctx_paddr);
	v.vmsa = false;
	set_state(c, cmd->gctx_paddr, &v);
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_activate(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_activate *cmd = buf;
	struct snp_model_gctx *g;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr, NULL, &g);
	if (ret)
		return ret;
	if (g->state != SNP_GSTATE_LAUNCH && g->state != SNP_GSTATE_RUNNING)
		return wrong_gstate(c, g, "GSTATE_LAUNCH or GSTATE_RUNNING");
	/* The firmware's order (AMD-ASPFW): RMP counter, range, owner, guest, flush, SNP range. */
	if (cmd->asid >= RMP_ASID_COUNTERS)
		return fail(c, SNP_RET_INVALID_ASID, "ASID %u is beyond the RMP's counters",
			    cmd->asid);
	if (rmp_asid_pages(&c->p->rmp, cmd->asid))
		return fail(c, SNP_RET_INVALID_CONFIG, "%llu pages are still assigned to ASID %u "
			    "in the RMP; reclaim the previous guest's pages first",
			    (unsigned long long)rmp_asid_pages(&c->p->rmp, cmd->asid), cmd->asid);
	if (cmd->asid == 0 || cmd->asid > SNP_MODEL_MAX_ASIDS)
		return fail(c, SNP_RET_INVALID_ASID, "ASID %u is outside 1..%u", cmd->asid,
			    SNP_MODEL_MAX_ASIDS);
	if (c->sh->asid_state[cmd->asid] == SNP_ASID_IN_USE ||
	    c->sh->asid_state[cmd->asid] == SNP_ASID_ALLOCATED)
		return fail(c, SNP_RET_ASID_OWNED, "ASID %u belongs to a guest", cmd->asid);
	if (guest_has_asid(g))
		return fail(c, SNP_RET_ACTIVE, "the guest is already active on ASID %u", g->asid);
	if (c->sh->asid_state[cmd->asid] == SNP_ASID_DIRTY)
		return fail(c, SNP_RET_DFFLUSH_REQUIRED, "ASID %u has not been flushed since its "
			    "last guest (WBINVD, then SNP_DF_FLUSH)", cmd->asid);
	/* SNP (SEV-ES) ASIDs lie below the minimum SEV ASID: the model's max_snp_asid. */
	if (cmd->asid > c->sh->max_snp_asid)
		return fail(c, SNP_RET_INVALID_ASID, "ASID %u is outside the SNP range 1..%u",
			    cmd->asid, c->sh->max_snp_asid);
	/* A running guest becomes active at once; a launching one stays pending. */
	c->sh->asid_state[cmd->asid] =
		g->state == SNP_GSTATE_RUNNING ? SNP_ASID_IN_USE : SNP_ASID_ALLOCATED;
	g->asid = cmd->asid;
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_guest_status(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_guest_status *cmd = buf;
	struct snp_model_gctx *g;
	struct snp_guest_status st;
	uint8_t *out;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr,
				  (cmd->status_paddr & (PAGE - 1)) + sizeof(st) > PAGE
					  ? "the status output crosses a page" : NULL, &g);
	if (!ret)
		ret = output_buffer(c, cmd->status_paddr, sizeof(st), &out);
	if (ret)
		return ret;
	memset(&st, 0, sizeof(st));
	st.policy = g->policy;
	st.asid = g->asid;
	st.state = (uint8_t)g->state;
	st.flags = g->vcek_disabled ? 1 : 0;
	memcpy(out, &st, sizeof(st));
	return SNP_RET_SUCCESS;
}

/*
 * The guest policy against this platform (one combined check in the
 * firmware).  This firmware (API 1.55, as AMD-ASPFW) knows policy bits
 * 0-20; bits 21-63 are reserved and fail the check.
 */
static uint32_t check_policy(struct fw_ctx *c, uint64_t policy, bool ma_en,
			     const struct snp_model_gctx *ma)
{
	unsigned int major = (unsigned int)((policy >> 8) & 0xff);
	unsigned int minor = (unsigned int)(policy & 0xff);

	if (ma_en && !(policy & COCO_SNP_POLICY_MIGRATE_MA))
		return fail(c, SNP_RET_POLICY_FAILURE, "a migration agent is given but the policy "
			    "does not allow one (bit 18)");
	if (ma_en && ma->ma_paddr != ~0ull)
		return fail(c, SNP_RET_POLICY_FAILURE, "the migration agent has a migration agent "
			    "itself");
	if (!(policy & COCO_SNP_POLICY_RESERVED_MBO))
		return fail(c, SNP_RET_POLICY_FAILURE, "policy 0x%llx: bit 17 must be one",
			    (unsigned long long)policy);
	if (!(policy & COCO_SNP_POLICY_SMT) && c->sh->smt_enabled)
		return fail(c, SNP_RET_POLICY_FAILURE, "the policy forbids SMT (bit 16 clear) but "
			    "SMT is enabled on this platform");
	if (major > c->sh->api_major || (major == c->sh->api_major && minor > c->sh->api_minor))
		return fail(c, SNP_RET_POLICY_FAILURE, "the policy asks for firmware ABI %u.%u; "
			    "this firmware is %u.%u", major, minor, c->sh->api_major,
			    c->sh->api_minor);
	if (policy & ~SNP_MODEL_POLICY_KNOWN)
		return fail(c, SNP_RET_POLICY_FAILURE, "policy 0x%llx: bits 0x%llx are reserved "
			    "for this firmware (API %u.%u knows bits 0-20: no CXL_ALLOW, AES-256-XTS, "
			    "RAPL_DIS, ciphertext hiding or PAGE_SWAP_DISABLE)",
			    (unsigned long long)policy,
			    (unsigned long long)(policy & ~SNP_MODEL_POLICY_KNOWN), c->sh->api_major,
			    c->sh->api_minor);
	if (ma_en && (policy & COCO_SNP_POLICY_SINGLE_SOCKET) &&
	    !(ma->policy & COCO_SNP_POLICY_SINGLE_SOCKET))
		return fail(c, SNP_RET_POLICY_FAILURE, "a single-socket guest needs a single-socket "
			    "migration agent");
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_launch_start(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_launch_start *cmd = buf;
	bool ma_en = cmd->flags & SNP_LAUNCH_START_MA_EN;
	struct snp_model_gctx *g, *ma = NULL;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr,
				  !page_addr_ok(cmd->ma_gctx_paddr)
					  ? "MA_GCTX address has bits 11:0 set"
				  : (cmd->flags & ~(SNP_LAUNCH_START_MA_EN | SNP_LAUNCH_START_IMI_EN))
					  ? "reserved flag bits are set" : NULL, &g);
	if (ret)
		return ret;
	if (g->state != SNP_GSTATE_INIT)
		return wrong_gstate(c, g, "GSTATE_INIT (SNP_LAUNCH_START runs once per context)");
	if (ma_en) {
		ret = find_guest(c, cmd->ma_gctx_paddr, &ma);
		if (ret) {
			char why[256];
			snprintf(why, sizeof(why), "%s", c->detail);
			return fail(c, SNP_RET_INVALID_GUEST, "migration agent: %s", why);
		}
	}
	ret = check_policy(c, cmd->policy, ma_en, ma);
	if (ret)
		return ret;
	if (RAND_bytes(g->report_id, sizeof(g->report_id)) != 1 ||
	    RAND_bytes((uint8_t *)g->vmpck, sizeof(g->vmpck)) != 1)
		return fail(c, SNP_RET_HWERROR_PLATFORM, "no randomness for the guest's keys");
	if (ma) {
		memcpy(g->report_id_ma, ma->report_id, sizeof(g->report_id_ma));
		g->ma_paddr = cmd->ma_gctx_paddr;
	} else {
		memset(g->report_id_ma, 0xff, sizeof(g->report_id_ma));
		g->ma_paddr = ~0ull;
	}
	memset(g->ld, 0, sizeof(g->ld));
	memset(g->msg_seqno, 0, sizeof(g->msg_seqno));
	memcpy(g->gosvw, cmd->gosvw, sizeof(g->gosvw));
	g->policy = cmd->policy;
	g->imi_en = (cmd->flags & SNP_LAUNCH_START_IMI_EN) ? 1 : 0;
	g->desired_tsc_khz = cmd->desired_tsc_freq;
	g->state = SNP_GSTATE_LAUNCH;
	c->sh->guest_count++;
	return SNP_RET_SUCCESS;
}

/* Quadwords of a VMSA the VMSA register protection tweak covers (one bit per quadword). */
static const uint8_t vmsa_tweak_bitmap[64] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x88, 0x00, 0x00, 0x00, 0x00, 0xEE, 0xFF, 0x00, 0x00,
	0xF0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
	0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00,
};

#define PSP_REF_CLOCK_KHZ 99800u	/* TSC_INFO / SecureTSC reference (AMD-ASPFW) */
#define SECRETS_TSC_FACTOR 200u		/* (100000 - 99600) / 2 */
#define VMSA_SEV_FEATURES 0x3B0u
#define VMSA_TWEAK 0x300u

static void write_secrets(struct fw_ctx *c, const struct snp_model_gctx *g, uint8_t *page)
{
	memset(page, 0, PAGE);
	coco_put_le32(page + SNP_SECRETS_VERSION, SNP_SECRETS_PAGE_VERSION);
	coco_put_le32(page + SNP_SECRETS_IMIEN, g->imi_en);
	coco_put_le32(page + SNP_SECRETS_FMS, c->sh->cpuid_signature);
	memcpy(page + SNP_SECRETS_GOSVW, g->gosvw, sizeof(g->gosvw));
	for (int n = 0; n < 4; n++)
		memcpy(page + SNP_SECRETS_VMPCK(n), g->vmpck[n], SNP_VMPCK_SIZE);
	memcpy(page + SNP_SECRETS_VMSA_TWEAK, vmsa_tweak_bitmap, sizeof(vmsa_tweak_bitmap));
	coco_put_le32(page + SNP_SECRETS_TSC_FACTOR, SECRETS_TSC_FACTOR);
}

/* 8.32 fixed-point ratio of the desired TSC frequency to the reference clock. */
static uint64_t tsc_scale(uint32_t desired_khz, uint32_t ref_khz)
{
	uint64_t integer = desired_khz / ref_khz;
	uint64_t frac = desired_khz - integer * ref_khz;

	frac = ((frac << 32) + ref_khz - 1) / ref_khz;
	return ((integer & 0xff) << 32) | (frac & 0xffffffffull);
}

/* What the firmware does to a VMSA page after measuring it. */
static void finish_vmsa(const struct snp_model_gctx *g, uint8_t *vmsa)
{
	uint64_t features = coco_le64(vmsa + VMSA_SEV_FEATURES);

	if (features & COCO_SNP_FEATURE_VMSA_REG_PROT) {
		uint8_t tweak[8];
		RAND_bytes(tweak, sizeof(tweak));
		memcpy(vmsa + VMSA_TWEAK, tweak, sizeof(tweak));
		for (unsigned int q = 0; q < PAGE / 8; q++)
			if (vmsa_tweak_bitmap[q / 8] & (1u << (q % 8)))
				for (int b = 0; b < 8; b++)
					vmsa[8 * q + b] ^= tweak[b];
	}
	if (features & COCO_SNP_FEATURE_SECURE_TSC) {
		coco_put_le64(vmsa + SNP_VMSA_TSC_SCALE, tsc_scale(g->desired_tsc_khz,
								   PSP_REF_CLOCK_KHZ));
		coco_put_le64(vmsa + SNP_VMSA_TSC_OFFSET, 0);
	}
	coco_put_le64(vmsa + 0x380, 0);
	coco_put_le64(vmsa + 0x388, ~0ull);
}

static uint32_t cmd_launch_update(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_launch_update *cmd = buf;
	bool large = cmd->page_info & SNP_LAUNCH_UPDATE_PAGE_SIZE;
	uint8_t type = (uint8_t)((cmd->page_info & SNP_LAUNCH_UPDATE_TYPE_MASK) >>
				 SNP_LAUNCH_UPDATE_TYPE_SHIFT);
	uint64_t size = large ? LARGE : PAGE;
	uint8_t perms[3] = { (uint8_t)(cmd->vmpl_perms >> 8), (uint8_t)(cmd->vmpl_perms >> 16),
			     (uint8_t)(cmd->vmpl_perms >> 24) };
	struct snp_launch_digest digest;
	struct snp_model_gctx *g;
	struct rmp_view v;
	uint8_t *mem;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr,
				  !page_addr_ok(cmd->page_paddr) ? "PAGE_PADDR has bits 11:0 set"
				  : (cmd->page_info & ~(uint32_t)0x1f) || cmd->reserved ||
						  cmd->reserved2 || (cmd->vmpl_perms & 0xff)
					  ? "a reserved field is not zero" : NULL, &g);
	if (ret)
		return ret;
	v = lookup(c, cmd->page_paddr);
	if (v.state != RMP_STATE_PRE_GUEST)
		return fail(c, SNP_RET_INVALID_PAGE_STATE, "page 0x%llx is %s, not Pre-Guest",
			    (unsigned long long)cmd->page_paddr, rmp_state_name(v.state));
	if (v.large != large)
		return fail(c, SNP_RET_INVALID_PAGE_SIZE, "page 0x%llx is a %s RMP page; the "
			    "command says %s", (unsigned long long)cmd->page_paddr,
			    v.large ? "2 MiB" : "4 KiB", large ? "2 MiB" : "4 KiB");
	if (cmd->page_paddr & (size - 1))
		return fail(c, SNP_RET_INVALID_ADDRESS, "2 MiB page 0x%llx is not 2 MiB aligned",
			    (unsigned long long)cmd->page_paddr);
	if (large && (type == SNP_PAGE_TYPE_VMSA || type == SNP_PAGE_TYPE_SECRETS ||
		      type == SNP_PAGE_TYPE_CPUID))
		return fail(c, SNP_RET_INVALID_PAGE_SIZE, "page type %u is a 4 KiB page only", type);
	if (type < SNP_PAGE_TYPE_NORMAL || type > SNP_PAGE_TYPE_CPUID)
		return fail(c, SNP_RET_INVALID_PARAM, "page type %u is not a launch page type", type);
	if (g->state != SNP_GSTATE_LAUNCH)
		return wrong_gstate(c, g, "GSTATE_LAUNCH");
	if (!guest_has_asid(g))
		return fail(c, SNP_RET_INACTIVE, "the guest has no ASID yet (SNP_ACTIVATE first)");
	if (v.asid != g->asid)
		return fail(c, SNP_RET_INVALID_PAGE_OWNER, "page 0x%llx is assigned to ASID %u; "
			    "the guest runs on ASID %u", (unsigned long long)cmd->page_paddr,
			    v.asid, g->asid);
	if (g->imi_en && !(cmd->page_info & SNP_LAUNCH_UPDATE_IMI_PAGE))
		return fail(c, SNP_RET_INVALID_PARAM, "an IMI launch takes IMI pages only");
	mem = fw_mem(c, cmd->page_paddr, size);
	if (!mem)
		return fail(c, SNP_RET_INVALID_ADDRESS, "page 0x%llx is not memory the firmware "
			    "can reach", (unsigned long long)cmd->page_paddr);

	if (type == SNP_PAGE_TYPE_CPUID) {
		char why[200];
		int check = snp_cpuid_page_check(mem, c->sh->cpuid_signature, why, sizeof(why));
		if (check != SNP_CPUID_OK)
			return fail(c, SNP_RET_INVALID_PARAM, "CPUID page rejected: %s%s", why,
				    check == SNP_CPUID_CORRECTED
					    ? "; the corrected table was written back to the page"
					    : "");
	}

	/* 4 KiB at a time, each measured with the GPA of the RMP entry (one engine, no workers). */
	memset(&digest, 0, sizeof(digest));
	memcpy(digest.ld, g->ld, sizeof(digest.ld));
	digest.hasher = c->p->hasher;
	digest.max_threads = 1;
	for (uint64_t off = 0; off < size; off += PAGE) {
		uint8_t contents[SNP_DIGEST_SIZE];
		uint8_t *pg = mem + off;
		bool hashed = false;

		switch (type) {
		case SNP_PAGE_TYPE_ZERO:
			memset(pg, 0, PAGE);
			break;
		case SNP_PAGE_TYPE_SECRETS:
			write_secrets(c, g, pg);
			break;
		case SNP_PAGE_TYPE_NORMAL:
			hashed = true;
			if (coco_hasher_digest(c->p->hasher, pg, PAGE, contents))
				return fail(c, SNP_RET_HWERROR_PLATFORM, "SHA-384 engine failure");
			break;
		case SNP_PAGE_TYPE_VMSA: {
			/* Measured with TSC_SCALE and TSC_OFFSET zeroed. */
			uint8_t vmsa[PAGE];
			memcpy(vmsa, pg, PAGE);
			memset(vmsa + SNP_VMSA_TSC_SCALE, 0, 8);
			memset(vmsa + SNP_VMSA_TSC_OFFSET, 0, 8);
			hashed = true;
			if (coco_hasher_digest(c->p->hasher, vmsa, PAGE, contents))
				return fail(c, SNP_RET_HWERROR_PLATFORM, "SHA-384 engine failure");
			finish_vmsa(g, pg);
			break;
		}
		default:
			break;	/* UNMEASURED, CPUID: contents kept, not hashed */
		}
		if (snp_launch_digest_extend_imi(&digest, type,
						 cmd->page_info & SNP_LAUNCH_UPDATE_IMI_PAGE,
						 v.gpa + off, hashed ? contents : NULL, perms))
			return fail(c, SNP_RET_HWERROR_PLATFORM, "SHA-384 engine failure");
	}
	memcpy(g->ld, digest.ld, sizeof(g->ld));

	/* Pre-Guest -> Guest-Valid; VMPL1-3 get the command's permissions, VMPL0 keeps its own. */
	v = lookup(c, cmd->page_paddr);
	v.gpa &= ~(size - 1);
	v.validated = true;
	v.immutable = false;
	v.locked = false;
	v.vmsa = type == SNP_PAGE_TYPE_VMSA;
	v.perms[1] = perms[0];
	v.perms[2] = perms[1];
	v.perms[3] = perms[2];
	set_state(c, cmd->page_paddr, &v);
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_launch_finish(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_launch_finish *cmd = buf;
	const uint64_t known = SNP_LAUNCH_FINISH_ID_BLOCK_EN | SNP_LAUNCH_FINISH_AUTH_KEY_EN |
			       SNP_LAUNCH_FINISH_VCEK_DISABLED;
	bool author_key_en = cmd->flags & SNP_LAUNCH_FINISH_AUTH_KEY_EN;
	struct snp_id_check id = { 0 };
	struct snp_model_gctx *g;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr,
				  (cmd->flags & ~known) ? "reserved flag bits are set" : NULL, &g);
	if (ret)
		return ret;
	if (g->state != SNP_GSTATE_LAUNCH || g->imi_en)
		return wrong_gstate(c, g, "GSTATE_LAUNCH of a launch without IMI");
	if (!guest_has_asid(g))
		return fail(c, SNP_RET_INACTIVE, "the guest has no ASID yet (SNP_ACTIVATE first)");
	if (cmd->flags & SNP_LAUNCH_FINISH_ID_BLOCK_EN) {
		const uint8_t *block = fw_mem(c, cmd->id_block_paddr, sizeof(struct snp_id_block));
		const uint8_t *auth = fw_mem(c, cmd->id_auth_paddr, sizeof(struct snp_id_auth));
		uint8_t block_copy[sizeof(struct snp_id_block)], auth_copy[sizeof(struct snp_id_auth)];
		if (!block || !auth)
			return fail(c, SNP_RET_INVALID_ADDRESS, "ID block 0x%llx or ID auth 0x%llx is "
				    "not reachable", (unsigned long long)cmd->id_block_paddr,
				    (unsigned long long)cmd->id_auth_paddr);
		/* Read once: what is checked is what is signed and recorded. */
		memcpy(block_copy, block, sizeof(block_copy));
		memcpy(auth_copy, auth, sizeof(auth_copy));
		ret = snp_id_block_check(block_copy, auth_copy, author_key_en, g->ld, g->policy, &id,
					 c->detail, c->detail_len);
		if (ret)
			return ret;
		memcpy(g->family_id, id.family_id, sizeof(g->family_id));
		memcpy(g->image_id, id.image_id, sizeof(g->image_id));
		g->guest_svn = id.guest_svn;
		memcpy(g->id_key_digest, id.id_key_digest, sizeof(g->id_key_digest));
		memcpy(g->author_key_digest, id.author_key_digest, sizeof(g->author_key_digest));
		g->id_block_en = 1;
	}
	/* As in the firmware, AUTH_KEY_EN is recorded even without an ID block. */
	g->author_key_en = author_key_en;
	g->vcek_disabled = (cmd->flags & SNP_LAUNCH_FINISH_VCEK_DISABLED) ? 1 : 0;
	memcpy(g->host_data, cmd->host_data, sizeof(g->host_data));
	/* A pending activation becomes active now that the guest runs. */
	if (c->sh->asid_state[g->asid] == SNP_ASID_ALLOCATED)
		c->sh->asid_state[g->asid] = SNP_ASID_IN_USE;
	g->state = SNP_GSTATE_RUNNING;
	return SNP_RET_SUCCESS;
}

static uint32_t cmd_page_reclaim(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_page_reclaim *cmd = buf;
	bool large = cmd->paddr & 1;
	uint64_t spa = cmd->paddr & ~(PAGE - 1);
	struct rmp_view v;

	if (cmd->paddr & 0xFFE)
		return fail(c, SNP_RET_INVALID_PARAM, "bits 11:1 of 0x%llx are set",
			    (unsigned long long)cmd->paddr);
	if (!platform_ready(c))
		return need_init(c);
	v = lookup(c, spa);
	/*
	 * Only the RMP changes, so the page need not be mapped here: a dead
	 * process's pages are reclaimed by whoever cleans up after it.
	 */
	if (!v.covered)
		return fail(c, SNP_RET_INVALID_ADDRESS, "0x%llx is not memory the firmware knows",
			    (unsigned long long)spa);
	if (v.large != large)
		return fail(c, SNP_RET_INVALID_PAGE_SIZE, "page 0x%llx is a %s RMP page",
			    (unsigned long long)spa, v.large ? "2 MiB" : "4 KiB");
	if (large && (spa & (LARGE - 1)))
		return fail(c, SNP_RET_INVALID_ADDRESS, "2 MiB page 0x%llx is not 2 MiB aligned",
			    (unsigned long long)spa);
	if (!v.immutable)
		return SNP_RET_SUCCESS;		/* nothing to reclaim */
	switch (v.state) {
	case RMP_STATE_FIRMWARE:	/* -> Reclaim */
	case RMP_STATE_PRE_GUEST:	/* -> Guest-Invalid */
	case RMP_STATE_PRE_SWAP:	/* -> Guest-Valid */
		v.immutable = false;
		v.locked = false;
		v.gpa &= ~((large ? LARGE : PAGE) - 1);
		set_state(c, spa, &v);
		return SNP_RET_SUCCESS;
	default:
		return fail(c, SNP_RET_INVALID_PAGE_STATE, "page 0x%llx is %s, which cannot be "
			    "reclaimed%s", (unsigned long long)spa, rmp_state_name(v.state),
			    v.state == RMP_STATE_CONTEXT ? " (decommission the guest first)" : "");
	}
}

/* ------------------------------------------------------------------ */
/* SNP_GUEST_REQUEST                                                    */

/* MSG_REPORT_REQ: per-message errors go in the response's STATUS. */
static void report_request(struct fw_ctx *c, struct snp_model_gctx *g, uint8_t vmpck,
			   const uint8_t *req, uint8_t *rsp)
{
	uint32_t vmpl = coco_le32(req + 0x40);
	uint32_t sel = coco_le32(req + 0x44);
	uint32_t key_sel = sel & 3;
	bool vcek_usable = !c->sh->mask_chip_key && !g->vcek_disabled;
	uint32_t status = SNP_RET_SUCCESS;

	memset(rsp, 0, SNP_REPORT_RSP_HDR_SIZE + SNP_REPORT_SIZE);
	if ((sel & ~3u) || !coco_all_zero(req + 0x48, SNP_REPORT_REQ_SIZE - 0x48))
		status = SNP_RET_INVALID_PARAM;
	/* The model platform has no VLEK loaded. */
	else if (key_sel == 3 || key_sel == SNP_REPORT_KEY_SEL_VLEK ||
		 (g->vcek_disabled && key_sel != SNP_REPORT_KEY_SEL_VLEK))
		status = SNP_RET_INVALID_KEY;
	/* A guest holding VMPCK n reports for VMPL n or a less privileged one. */
	else if (vmpl < vmpck)
		status = SNP_RET_INVALID_PARAM;
	else
		status = snp_model_make_report(c->p, g, req, vmpl, vcek_usable,
					       rsp + SNP_REPORT_RSP_HDR_SIZE, c->detail,
					       c->detail_len);
	coco_put_le32(rsp, status);
	coco_put_le32(rsp + 4, SNP_REPORT_SIZE);
}

static uint32_t cmd_guest_request(struct fw_ctx *c, void *buf)
{
	struct snp_cmd_guest_request *cmd = buf;
	uint8_t payload[SNP_MSG_PAYLOAD_MAX], rsp[SNP_MSG_PAYLOAD_MAX], msg[PAGE];
	uint64_t req_off = cmd->request_paddr & (PAGE - 1);
	uint64_t rsp_off = cmd->response_paddr & (PAGE - 1);
	struct snp_msg_hdr hdr, out;
	struct snp_model_gctx *g;
	struct rmp_view v;
	uint8_t *req_page, *rsp_page;
	uint16_t rsp_size;
	uint32_t ret;

	ret = enter_guest_command(c, cmd->gctx_paddr, NULL, &g);
	if (ret)
		return ret;
	v = lookup(c, cmd->response_paddr);
	if (v.state != RMP_STATE_FIRMWARE)
		return fail(c, SNP_RET_INVALID_PAGE_STATE, "response page 0x%llx is %s; it must be "
			    "a Firmware page", (unsigned long long)cmd->response_paddr,
			    rmp_state_name(v.state));
	if (v.large || lookup(c, cmd->request_paddr).large)
		return fail(c, SNP_RET_INVALID_PAGE_SIZE, "request and response are 4 KiB pages");
	if (g->state != SNP_GSTATE_RUNNING)
		return wrong_gstate(c, g, "GSTATE_RUNNING");
	if (req_off > PAGE - SNP_MSG_HDR_SIZE)
		return fail(c, SNP_RET_INVALID_PARAM, "the request header would cross its page");
	req_page = fw_mem(c, cmd->request_paddr - req_off, PAGE);
	rsp_page = fw_mem(c, cmd->response_paddr - rsp_off, PAGE);
	if (!req_page || !rsp_page)
		return fail(c, SNP_RET_INVALID_ADDRESS, "request or response page is not reachable");

	/*
	 * The request sits in a page the host (and the guest) can still write:
	 * the firmware reads it once, and every check and the decryption use
	 * that copy.
	 */
	memcpy(msg, req_page + req_off, PAGE - req_off);

	/* Header: one combined check, then the size against the page and the VMPCK index. */
	memset(&hdr, 0, sizeof(hdr));
	snp_msg_peek(msg, PAGE - req_off, &hdr);
	if (hdr.hdr_version != SNP_MSG_HDR_VERSION || hdr.hdr_size != SNP_MSG_HDR_SIZE ||
	    hdr.algo != SNP_MSG_ALGO_AES_256_GCM || hdr.size == 0 || hdr.size % 16)
		return fail(c, SNP_RET_INVALID_PARAM, "request header: version %u, size 0x%x, "
			    "algorithm %u, message size %u (expected 1, 0x60, 1, a non-zero "
			    "multiple of 16)", hdr.hdr_version, hdr.hdr_size, hdr.algo, hdr.size);
	if (req_off + SNP_MSG_HDR_SIZE + hdr.size > PAGE)
		return fail(c, SNP_RET_INVALID_PARAM, "the %u-byte message crosses its page",
			    hdr.size);
	if (hdr.vmpck > 3)
		return fail(c, SNP_RET_INVALID_PARAM, "VMPCK index %u (0-3 exist)", hdr.vmpck);
	if (snp_msg_open(msg, PAGE - req_off, g->vmpck[hdr.vmpck], &hdr, payload, sizeof(payload)))
		return fail(c, SNP_RET_BAD_MEASUREMENT, "the request does not authenticate with "
			    "VMPCK%u (AES-GCM tag mismatch)", hdr.vmpck);
	if (g->msg_seqno[hdr.vmpck] == 0xFFFFFFFFFFFFFFFEull ||
	    hdr.seqno != g->msg_seqno[hdr.vmpck] + 1)
		return fail(c, SNP_RET_AEAD_OFLOW, "message sequence number %llu; the next expected "
			    "on VMPCK%u is %llu", (unsigned long long)hdr.seqno, hdr.vmpck,
			    (unsigned long long)(g->msg_seqno[hdr.vmpck] + 1));
	if (hdr.version != 1)
		return fail(c, SNP_RET_INVALID_PARAM, "message version %u (1 is known)", hdr.version);
	switch (hdr.type) {
	case SNP_MSG_REPORT_REQ:
		if (hdr.size < SNP_REPORT_REQ_SIZE)
			memset(payload + hdr.size, 0, SNP_REPORT_REQ_SIZE - hdr.size);
		report_request(c, g, hdr.vmpck, payload, rsp);
		rsp_size = SNP_REPORT_RSP_HDR_SIZE + SNP_REPORT_SIZE;
		break;
	default:
		return fail(c, SNP_RET_INVALID_PARAM, "message type %u is not one the model "
			    "implements (MSG_REPORT_REQ is)", hdr.type);
	}
	if (rsp_off + SNP_MSG_HDR_SIZE + rsp_size > PAGE)
		return fail(c, SNP_RET_INVALID_PARAM, "the response would cross its page");
	out = hdr;
	out.seqno = hdr.seqno + 1;
	out.type = (uint8_t)(hdr.type + 1);
	out.version = 1;
	out.size = rsp_size;
	/* Both sequence numbers are used: the next request must carry response + 1. */
	g->msg_seqno[hdr.vmpck] += 2;
	if (snp_msg_seal(msg, PAGE - rsp_off, g->vmpck[hdr.vmpck], &out, rsp, rsp_size))
		return fail(c, SNP_RET_HWERROR_PLATFORM, "AES engine failure");
	memcpy(rsp_page + rsp_off, msg, SNP_MSG_HDR_SIZE + rsp_size);
	return SNP_RET_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* The transport                                                        */

struct fw_command {
	uint32_t id;
	size_t len;
	uint32_t (*run)(struct fw_ctx *c, void *buf);
};

static const struct fw_command commands[] = {
	{ SNP_CMD_INIT_EX, sizeof(struct snp_cmd_init_ex), cmd_init_ex },
	{ SNP_CMD_SHUTDOWN_EX, sizeof(struct snp_cmd_shutdown_ex), cmd_shutdown_ex },
	{ SNP_CMD_PLATFORM_STATUS, sizeof(struct snp_cmd_platform_status), cmd_platform_status },
	{ SNP_CMD_DF_FLUSH, 0, cmd_df_flush },
	{ SNP_CMD_GCTX_CREATE, sizeof(struct snp_cmd_gctx), cmd_gctx_create },
	{ SNP_CMD_DECOMMISSION, sizeof(struct snp_cmd_gctx), cmd_decommission },
	{ SNP_CMD_ACTIVATE, sizeof(struct snp_cmd_activate), cmd_activate },
	{ SNP_CMD_GUEST_STATUS, sizeof(struct snp_cmd_guest_status), cmd_guest_status },
	{ SNP_CMD_LAUNCH_START, sizeof(struct snp_cmd_launch_start), cmd_launch_start },
	{ SNP_CMD_LAUNCH_UPDATE, sizeof(struct snp_cmd_launch_update), cmd_launch_update },
	{ SNP_CMD_LAUNCH_FINISH, sizeof(struct snp_cmd_launch_finish), cmd_launch_finish },
	{ SNP_CMD_GUEST_REQUEST, sizeof(struct snp_cmd_guest_request), cmd_guest_request },
	{ SNP_CMD_PAGE_RECLAIM, sizeof(struct snp_cmd_page_reclaim), cmd_page_reclaim },
	{ SNP_CMD_FEATURE_INFO, sizeof(struct snp_cmd_feature_info), cmd_feature_info },
};

static int model_issue(void *ctx, uint32_t cmd, void *buf, size_t len, uint32_t *status,
		       char *detail, size_t detail_len)
{
	struct snp_platform *p = ctx;
	struct fw_ctx c = { .p = p, .sh = p->sh, .detail = detail, .detail_len = detail_len };

	for (size_t i = 0; i < COCO_ARRAY_SIZE(commands); i++) {
		if (commands[i].id != cmd)
			continue;
		if (len != commands[i].len || (len && !buf))
			return coco_err(-EINVAL, "command buffer of %zu bytes; %s takes %zu",
					len, snp_cmd_name(cmd), commands[i].len);
		snp_platform_lock(p);
		*status = commands[i].run(&c, buf);
		snp_platform_unlock(p);
		return 0;
	}
	/* Commands outside the model's set get the firmware's answer to unknown ones. */
	*status = SNP_RET_INVALID_COMMAND;
	snprintf(detail, detail_len, "the model firmware has no command 0x%x "
		 "(docs/platform-model.md lists the commands it has)", cmd);
	return 0;
}

const struct psp_transport psp_model_transport = {
	.name = "the SNP firmware model",
	.issue = model_issue,
};

/* ------------------------------------------------------------------ */
/* Host instructions                                                    */

int snp_model_rmpupdate(struct snp_platform *p, uint64_t spa, const struct rmp_update_state *st)
{
	int ret;

	snp_platform_lock(p);
	ret = rmp_update(&p->rmp, spa, st);
	snp_platform_unlock(p);
	if (ret)
		return coco_err(ret == RMP_FAIL_PERMISSION || ret == RMP_FAIL_INUSE ? -EBUSY : -EINVAL,
				"RMPUPDATE 0x%llx (%s, ASID %u, GPA 0x%llx, %s): %s (%d)",
				(unsigned long long)spa, st->assigned ? "assign" : "make shared",
				st->asid, (unsigned long long)st->gpa, st->large ? "2 MiB" : "4 KiB",
				rmp_ret_name(ret), ret);
	return 0;
}

int snp_model_psmash(struct snp_platform *p, uint64_t spa)
{
	int ret;

	snp_platform_lock(p);
	ret = rmp_psmash(&p->rmp, spa);
	snp_platform_unlock(p);
	if (ret)
		return coco_err(-EINVAL, "PSMASH 0x%llx: %s (%d)", (unsigned long long)spa,
				rmp_ret_name(ret), ret);
	return 0;
}

void snp_model_wbinvd(struct snp_platform *p)
{
	snp_platform_lock(p);
	p->sh->wbinvd_done = 1;
	snp_platform_unlock(p);
}

void snp_model_rmp_lookup(struct snp_platform *p, uint64_t spa, struct rmp_view *view)
{
	snp_platform_lock(p);
	rmp_lookup(&p->rmp, spa, view);
	snp_platform_unlock(p);
}

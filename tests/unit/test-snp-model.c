/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: the SEV-SNP platform model (sev-snp/psp-model.c,
 * snp-platform.c), driven through the PSP command interface the way a host
 * drives a real PSP: command buffers, platform and guest state machines,
 * firmware status codes, RMP transitions, ASID rules, guest requests.
 * Expected behaviour: SNP Firmware ABI as summarised in specs/snp.md
 * section 4 and AMD's published firmware (order of checks).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <coco/snp.h>
#include <openssl/ec.h>
#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"
#include "sev-snp/guest-msg.h"
#include "sev-snp/id-block.h"
#include "sev-snp/launch-digest.h"
#include "sev-snp/psp-cmdbuf.h"
#include "sev-snp/psp-model.h"
#include "sev-snp/secrets-page.h"
#include "sev-snp/snp-defs.h"
#include "tests/common/test-main.h"

#define PAGE 0x1000ull
#define LARGE 0x200000ull
#define MEM_SIZE (8 * LARGE)

static struct snp_platform *plat;
static struct psp psp;
static uint64_t mem_spa;	/* 16 MiB of model memory this process backs */
static uint8_t *mem;

static uint64_t spa(unsigned int page)
{
	return mem_spa + page * PAGE;
}

static uint8_t *host(unsigned int page)
{
	return mem + page * PAGE;
}

/* Issue a command, return the firmware status (transport errors fail the test). */
static uint32_t fw(uint32_t cmd, void *buf, size_t len)
{
	uint32_t status = 0xffff;
	int ret = psp_cmd(&psp, cmd, buf, len, &status);

	if (ret && status == SNP_RET_SUCCESS)
		CU_FAIL("transport error");
	return status;
}

static void setup(void)
{
	struct snp_platform_config cfg = { .max_asids = 4, .dram_gib = 1 };

	if (snp_platform_open(NULL, &cfg, &plat)) {
		plat = NULL;
		return;
	}
	psp = (struct psp){ &psp_model_transport, plat };
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (snp_platform_alloc(plat, MEM_SIZE, &mem_spa) ||
	    snp_platform_map_local(plat, mem_spa, MEM_SIZE, mem))
		CU_FAIL("cannot set up model memory");
}

static void teardown(void)
{
	if (!plat)
		return;
	snp_platform_close(plat);
	munmap(mem, MEM_SIZE);
	plat = NULL;
}

static void make_firmware(uint64_t page_spa)
{
	struct rmp_update_state st = { .assigned = true, .immutable = true };
	CU_ASSERT_EQUAL_FATAL(snp_model_rmpupdate(plat, page_spa, &st), 0);
}

static void make_pre_guest(uint64_t page_spa, uint64_t gpa, uint32_t asid, bool large)
{
	struct rmp_update_state st = { .gpa = gpa, .assigned = true, .immutable = true,
				       .asid = asid, .large = large };
	CU_ASSERT_EQUAL_FATAL(snp_model_rmpupdate(plat, page_spa, &st), 0);
}

static enum rmp_page_state state_of(uint64_t page_spa)
{
	struct rmp_view v;
	snp_model_rmp_lookup(plat, page_spa, &v);
	return v.state;
}

/* SNP_INIT_EX + WBINVD + SNP_DF_FLUSH, the ccp driver's bring-up. */
static void bring_up(void)
{
	struct snp_cmd_init_ex init = { .flags = SNP_INIT_EX_INIT_RMP };

	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_SUCCESS);
	snp_model_wbinvd(plat);
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_SUCCESS);
}

/* A guest context in page @gctx_page, launch started and activated on @asid. */
static void start_guest(unsigned int gctx_page, uint32_t asid, uint64_t policy)
{
	struct snp_cmd_gctx gctx = { spa(gctx_page) };
	struct snp_cmd_launch_start start = { .gctx_paddr = spa(gctx_page), .policy = policy };
	struct snp_cmd_activate act = { spa(gctx_page), asid };

	make_firmware(spa(gctx_page));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(state_of(spa(gctx_page)), RMP_STATE_CONTEXT);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_SUCCESS);
}

static uint32_t launch_update(unsigned int gctx_page, uint64_t page_spa, uint8_t type, bool large)
{
	struct snp_cmd_launch_update up = {
		.gctx_paddr = spa(gctx_page),
		.page_info = (large ? 1u : 0u) | ((uint32_t)type << 1),
		.page_paddr = page_spa,
	};
	return fw(SNP_CMD_LAUNCH_UPDATE, &up, sizeof(up));
}

static uint32_t launch_finish(unsigned int gctx_page)
{
	struct snp_cmd_launch_finish fin = { .gctx_paddr = spa(gctx_page) };
	return fw(SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin));
}

/* ------------------------------------------------------------------ */

static void test_platform_state_machine(void)
{
	struct snp_cmd_init_ex init = { .flags = 0 };
	struct snp_cmd_gctx gctx = { spa(0) };
	struct snp_cmd_shutdown_ex down = { .length = sizeof(down) };
	uint8_t *status_page = host(1);
	struct snp_cmd_platform_status ps = { spa(1) };
	struct snp_platform_status st;

	/* Nothing works before INIT, except status, INIT itself and the cache flush. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_INVALID_PLATFORM_STATE);
	CU_ASSERT_EQUAL(fw(SNP_CMD_PLATFORM_STATUS, &ps, sizeof(ps)), SNP_RET_SUCCESS);
	snp_platform_status_decode(status_page, &st);
	CU_ASSERT_EQUAL(st.state, SNP_PLATFORM_UNINIT);
	CU_ASSERT_EQUAL(st.is_rmp_initialized, 0);
	CU_ASSERT_EQUAL(st.api_major, 1);

	/* INIT without INIT_RMP on a never-initialised RMP; reserved bits; unknown flags. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_RMP_INIT_REQUIRED);
	init.flags = SNP_INIT_EX_INIT_RMP;
	init.reserved = 1;
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_INVALID_PARAM);
	init.reserved = 0;
	init.flags |= 1u << 7;
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_INVALID_PARAM);
	init.flags = SNP_INIT_EX_INIT_RMP;
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_INVALID_PLATFORM_STATE);

	/* With SNP up, the firmware writes status only into Firmware pages. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_PLATFORM_STATUS, &ps, sizeof(ps)), SNP_RET_INVALID_PAGE_STATE);
	make_firmware(spa(1));
	CU_ASSERT_EQUAL(fw(SNP_CMD_PLATFORM_STATUS, &ps, sizeof(ps)), SNP_RET_SUCCESS);
	snp_platform_status_decode(status_page, &st);
	CU_ASSERT_EQUAL(st.state, SNP_PLATFORM_INIT);
	CU_ASSERT_EQUAL(st.is_rmp_initialized, 1);
	ps.status_paddr = spa(1) + PAGE - 0x10;	/* output would cross the page */
	CU_ASSERT_EQUAL(fw(SNP_CMD_PLATFORM_STATUS, &ps, sizeof(ps)), SNP_RET_INVALID_PARAM);

	/* All ASIDs are dirty after INIT: SHUTDOWN needs WBINVD + DF_FLUSH first. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_SHUTDOWN_EX, &down, sizeof(down)), SNP_RET_DFFLUSH_REQUIRED);
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_WBINVD_REQUIRED);
	snp_model_wbinvd(plat);
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_SUCCESS);
	down.length = 12;
	CU_ASSERT_EQUAL(fw(SNP_CMD_SHUTDOWN_EX, &down, sizeof(down)), SNP_RET_INVALID_PARAM);
	down.length = sizeof(down);
	down.flags = SNP_SHUTDOWN_EX_X86;	/* x86 shutdown needs the IOMMU one too */
	CU_ASSERT_EQUAL(fw(SNP_CMD_SHUTDOWN_EX, &down, sizeof(down)), SNP_RET_INVALID_PARAM);
	down.flags = 0;
	CU_ASSERT_EQUAL(fw(SNP_CMD_SHUTDOWN_EX, &down, sizeof(down)), SNP_RET_SUCCESS);
	/* Already down: success without looking at the buffer. */
	down.length = 99;
	CU_ASSERT_EQUAL(fw(SNP_CMD_SHUTDOWN_EX, &down, sizeof(down)), SNP_RET_SUCCESS);
	/* The RMP stays initialised: INIT without INIT_RMP now works. */
	init.flags = 0;
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_SUCCESS);
	/* Commands the model lacks answer as firmware answers unknown commands. */
	uint32_t status;
	CU_ASSERT_EQUAL(psp_cmd(&psp, SNP_CMD_PAGE_UNSMASH, NULL, 0, &status), -EINVAL);
	CU_ASSERT_EQUAL(status, SNP_RET_INVALID_COMMAND);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "SNP_PAGE_UNSMASH"));
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "INVALID_COMMAND"));
}

/* Guest requests: AEAD with the VMPCK from the secrets page, sequence numbers. */
static uint32_t report_request(uint64_t seqno, uint8_t vmpck, const uint8_t *key, uint32_t vmpl,
			       uint8_t *rsp, struct snp_msg_hdr *rsp_hdr)
{
	uint8_t req[SNP_REPORT_REQ_SIZE] = { 0 };
	struct snp_msg_hdr hdr = { .seqno = seqno, .algo = 1, .hdr_version = 1, .hdr_size = 0x60,
				   .type = SNP_MSG_REPORT_REQ, .version = 1,
				   .size = SNP_REPORT_REQ_SIZE, .vmpck = vmpck };
	struct snp_cmd_guest_request cmd = { spa(0), spa(30), spa(31) };
	struct rmp_update_state shared = { 0 };
	uint32_t status;

	memset(req, 0xab, 64);
	coco_put_le32(req + 64, vmpl);
	CU_ASSERT_EQUAL(snp_msg_seal(host(30), PAGE, key, &hdr, req, sizeof(req)), 0);
	make_firmware(spa(31));
	status = fw(SNP_CMD_GUEST_REQUEST, &cmd, sizeof(cmd));
	struct snp_cmd_page_reclaim rc = { spa(31) };
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(snp_model_rmpupdate(plat, spa(31), &shared), 0);
	if (status == SNP_RET_SUCCESS && rsp)
		CU_ASSERT_EQUAL(snp_msg_open(host(31), PAGE, key, rsp_hdr, rsp, SNP_MSG_PAYLOAD_MAX), 0);
	return status;
}

static void test_guest_lifecycle_and_measurement(void)
{
	struct snp_cmd_gctx gctx = { spa(0) };
	struct snp_cmd_launch_start start = { .gctx_paddr = spa(0), .policy = 0x30000 };
	struct snp_cmd_activate act = { spa(0), 1 };
	struct snp_cmd_guest_status gs = { spa(0), spa(1) };
	struct snp_launch_digest expect;
	struct snp_guest_status out;

	bring_up();
	/* GCTX page must be a Firmware page, page aligned. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_INVALID_PAGE_STATE);
	gctx.gctx_paddr = spa(0) + 8;
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_INVALID_PARAM);
	gctx.gctx_paddr = spa(0);
	make_firmware(spa(0));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_INVALID_PAGE_STATE);

	/* Out of order: update, activate and finish need LAUNCH; status says INIT. */
	make_firmware(spa(1));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GUEST_STATUS, &gs, sizeof(gs)), SNP_RET_SUCCESS);
	memcpy(&out, host(1), sizeof(out));
	CU_ASSERT_EQUAL(out.state, SNP_GSTATE_INIT);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_INVALID_GUEST_STATE);
	CU_ASSERT_EQUAL(launch_finish(0), SNP_RET_INVALID_GUEST_STATE);

	/* Policy: bit 17 must be one; SMT must be allowed on an SMT platform; ABI version. */
	start.policy = 0x10000;
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	start.policy = 0x20000;
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	start.policy = 0x30000 | (2ull << 8);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	start.policy = 0x30000 | (1ull << 30);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	start.policy = 0x30000 | (1ull << 19);	/* debug is allowed by this platform */
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_INVALID_GUEST_STATE);

	/* LAUNCH_UPDATE before ACTIVATE: the guest is inactive. */
	make_pre_guest(spa(12), 0xC000, 3, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(12), SNP_PAGE_TYPE_NORMAL, false), SNP_RET_INACTIVE);
	/* ASIDs outside the platform's SNP range. */
	act.asid = 0;
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_INVALID_ASID);
	act.asid = 5;
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_INVALID_ASID);
	/* Pages still assigned to an ASID in the RMP keep it from a new guest. */
	act.asid = 3;
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_INVALID_CONFIG);
	struct snp_cmd_page_reclaim rc = { spa(12) };
	struct rmp_update_state shared = { 0 };
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(snp_model_rmpupdate(plat, spa(12), &shared), 0);
	act.asid = 1;
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_ASID_OWNED);
	memset(host(8), 0x5a, PAGE);
	make_pre_guest(spa(8), 0x8000, 1, false);

	/* Page state rules: Pre-Guest, same ASID, matching size, 4 KiB-only types. */
	make_pre_guest(spa(9), 0x9000, 2, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(9), SNP_PAGE_TYPE_NORMAL, false),
			SNP_RET_INVALID_PAGE_OWNER);
	CU_ASSERT_EQUAL(launch_update(0, spa(10), SNP_PAGE_TYPE_NORMAL, false),
			SNP_RET_INVALID_PAGE_STATE);
	CU_ASSERT_EQUAL(launch_update(0, spa(8), SNP_PAGE_TYPE_NORMAL, true),
			SNP_RET_INVALID_PAGE_SIZE);
	CU_ASSERT_EQUAL(launch_update(0, spa(8), 7, false), SNP_RET_INVALID_PARAM);

	/* A measured page, a 2 MiB zero page, a secrets page: the digest follows the chain. */
	CU_ASSERT_FATAL(snp_launch_digest_init(&expect) == 0);
	CU_ASSERT_EQUAL(launch_update(0, spa(8), SNP_PAGE_TYPE_NORMAL, false), SNP_RET_SUCCESS);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_NORMAL, 0x8000, host(8), 1);
	CU_ASSERT_EQUAL(state_of(spa(8)), RMP_STATE_GUEST_VALID);
	CU_ASSERT_EQUAL(launch_update(0, spa(8), SNP_PAGE_TYPE_NORMAL, false),
			SNP_RET_INVALID_PAGE_STATE);	/* each page enters the launch once */
	memset(host(512), 0x77, LARGE);
	make_pre_guest(spa(512), 0x200000, 1, true);
	CU_ASSERT_EQUAL(launch_update(0, spa(512), SNP_PAGE_TYPE_ZERO, true), SNP_RET_SUCCESS);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_ZERO, 0x200000, NULL, 512);
	CU_ASSERT(coco_all_zero(host(512), LARGE));	/* ZERO pages are zero-filled */
	make_pre_guest(spa(11), 0xB000, 1, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(11), SNP_PAGE_TYPE_SECRETS, false), SNP_RET_SUCCESS);
	snp_launch_digest_extend_pages(&expect, SNP_PAGE_TYPE_SECRETS, 0xB000, NULL, 1);
	CU_ASSERT_EQUAL(coco_le32(host(11) + SNP_SECRETS_VERSION), SNP_SECRETS_PAGE_VERSION);
	CU_ASSERT_FALSE(coco_all_zero(host(11) + SNP_SECRETS_VMPCK(0), 32));
	CU_ASSERT_EQUAL(coco_le32(host(11) + SNP_SECRETS_TSC_FACTOR), 200);

	/* The guest runs after FINISH; its status shows policy, ASID and state. */
	CU_ASSERT_EQUAL(launch_finish(0), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_GUEST_STATUS, &gs, sizeof(gs)), SNP_RET_SUCCESS);
	memcpy(&out, host(1), sizeof(out));
	CU_ASSERT_EQUAL(out.state, SNP_GSTATE_RUNNING);
	CU_ASSERT_EQUAL(out.asid, 1);
	CU_ASSERT_EQUAL(out.policy, 0x30000 | (1ull << 19));
	CU_ASSERT_EQUAL(launch_update(0, spa(8), SNP_PAGE_TYPE_NORMAL, false),
			SNP_RET_INVALID_PAGE_STATE);

	/* The digest the firmware kept is the one the chain gives: see it in a report. */
	uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
	struct snp_msg_hdr rh;
	CU_ASSERT_EQUAL(report_request(1, 0, host(11) + SNP_SECRETS_VMPCK(0), 0, rsp, &rh),
			SNP_RET_SUCCESS);
	CU_ASSERT(memcmp(rsp + SNP_REPORT_RSP_HDR_SIZE + 0x90, expect.ld, 48) == 0);
	snp_launch_digest_fini(&expect);
}

static void test_asid_reuse_needs_flush(void)
{
	struct snp_cmd_gctx dec = { spa(0) };
	struct snp_cmd_gctx g2 = { spa(2) };
	struct snp_cmd_launch_start start = { .gctx_paddr = spa(2), .policy = 0x30000 };
	struct snp_cmd_activate act = { spa(2), 1 };

	bring_up();
	start_guest(0, 1, 0x30000);
	CU_ASSERT_EQUAL(launch_finish(0), SNP_RET_SUCCESS);	/* ASID 1 now in use */
	CU_ASSERT_EQUAL(fw(SNP_CMD_DECOMMISSION, &dec, sizeof(dec)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(state_of(spa(0)), RMP_STATE_FIRMWARE);	/* Context -> Firmware */

	make_firmware(spa(2));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &g2, sizeof(g2)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	/* ASID 1 ran a guest: it may hold its lines in the caches. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_DFFLUSH_REQUIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "DFFLUSH_REQUIRED"));
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_WBINVD_REQUIRED);
	snp_model_wbinvd(plat);
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_SUCCESS);

	/* A guest decommissioned while still launching leaves its ASID clean. */
	struct snp_cmd_gctx dec2 = { spa(2) };
	CU_ASSERT_EQUAL(fw(SNP_CMD_DECOMMISSION, &dec2, sizeof(dec2)), SNP_RET_SUCCESS);
	start_guest(3, 1, 0x30000);
}

static void test_page_reclaim(void)
{
	struct snp_cmd_page_reclaim rc;
	struct snp_cmd_gctx gctx = { spa(0) };

	bring_up();
	make_firmware(spa(4));
	rc.paddr = spa(4);
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(state_of(spa(4)), RMP_STATE_RECLAIM);
	rc.paddr = spa(4) | 1;	/* wrong size */
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_INVALID_PAGE_SIZE);
	rc.paddr = spa(4) | 2;
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_INVALID_PARAM);
	/* Pre-Guest -> Guest-Invalid; a context page cannot be reclaimed. */
	make_pre_guest(spa(5), 0x5000, 3, false);
	rc.paddr = spa(5);
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(state_of(spa(5)), RMP_STATE_GUEST_INVALID);
	make_firmware(spa(0));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_SUCCESS);
	rc.paddr = spa(0);
	CU_ASSERT_EQUAL(fw(SNP_CMD_PAGE_RECLAIM, &rc, sizeof(rc)), SNP_RET_INVALID_PAGE_STATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "Context"));
	/* The host cannot RMPUPDATE an immutable page. */
	struct rmp_update_state shared = { 0 };
	CU_ASSERT_EQUAL(snp_model_rmpupdate(plat, spa(0), &shared), -EBUSY);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "FAIL_PERMISSION"));
}

static void test_cpuid_page(void)
{
	uint8_t *page = host(6);

	bring_up();
	start_guest(0, 1, 0x30000);
	/* One entry: leaf 1 claiming a newer processor than the platform's. */
	memset(page, 0, PAGE);
	coco_put_le32(page, 1);
	coco_put_le32(page + 16, 1);			/* EAX_IN */
	coco_put_le32(page + 16 + 24, 0x00FF0F00);	/* EAX: family 0xFF */
	make_pre_guest(spa(6), 0x6000, 1, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(6), SNP_PAGE_TYPE_CPUID, false), SNP_RET_INVALID_PARAM);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "written back"));
	/* The corrected table is in the page now; it passes, and the page stays Pre-Guest until then. */
	CU_ASSERT_EQUAL(state_of(spa(6)), RMP_STATE_PRE_GUEST);
	CU_ASSERT_EQUAL(coco_le32(page + 16 + 24), plat->sh->cpuid_signature);
	CU_ASSERT_EQUAL(launch_update(0, spa(6), SNP_PAGE_TYPE_CPUID, false), SNP_RET_SUCCESS);
	/* Too many entries: rejected outright. */
	memset(host(7), 0, PAGE);
	coco_put_le32(host(7), 65);
	make_pre_guest(spa(7), 0x7000, 1, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(7), SNP_PAGE_TYPE_CPUID, false), SNP_RET_INVALID_PARAM);
	CU_ASSERT_EQUAL(coco_le32(host(7)), 65);	/* nothing written back */
}

/* ID block: signed digest and policy the firmware compares at LAUNCH_FINISH. */
static void test_id_block(void)
{
	EVP_PKEY *id_key = EVP_EC_gen("P-384"), *author = EVP_EC_gen("P-384");
	struct snp_id_block blk = { .version = 1, .guest_svn = 7, .policy = 0x30000 };
	struct snp_cmd_launch_finish fin = {
		.gctx_paddr = spa(0), .id_block_paddr = spa(20), .id_auth_paddr = spa(21),
		.flags = SNP_LAUNCH_FINISH_ID_BLOCK_EN | SNP_LAUNCH_FINISH_AUTH_KEY_EN,
	};
	struct snp_launch_digest d;

	CU_ASSERT_FATAL(id_key && author);
	bring_up();
	start_guest(0, 1, 0x30000);
	memset(host(8), 0x42, PAGE);
	make_pre_guest(spa(8), 0x8000, 1, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(8), SNP_PAGE_TYPE_NORMAL, false), SNP_RET_SUCCESS);
	CU_ASSERT_FATAL(snp_launch_digest_init(&d) == 0);
	snp_launch_digest_extend_pages(&d, SNP_PAGE_TYPE_NORMAL, 0x8000, host(8), 1);

	/* Wrong digest in the block: BAD_MEASUREMENT, the guest stays in LAUNCH. */
	memset(blk.ld, 0xee, sizeof(blk.ld));
	memcpy(host(20), &blk, sizeof(blk));
	CU_ASSERT_EQUAL_FATAL(snp_id_auth_sign(host(20), id_key, author, host(21)), 0);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin)), SNP_RET_BAD_MEASUREMENT);
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), "BAD_MEASUREMENT"));
	/* Right digest, other policy: POLICY_FAILURE. */
	memcpy(blk.ld, d.ld, sizeof(blk.ld));
	blk.policy = 0x30001;
	memcpy(host(20), &blk, sizeof(blk));
	snp_id_auth_sign(host(20), id_key, author, host(21));
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin)), SNP_RET_POLICY_FAILURE);
	/* A signature made before the block changed: BAD_SIGNATURE. */
	blk.policy = 0x30000;
	memcpy(host(20), &blk, sizeof(blk));
	host(20)[0x50] ^= 1;	/* version field: signed, but not compared */
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin)), SNP_RET_BAD_SIGNATURE);
	/* Everything right: RUNNING. */
	memcpy(host(20), &blk, sizeof(blk));
	snp_id_auth_sign(host(20), id_key, author, host(21));
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_FINISH, &fin, sizeof(fin)), SNP_RET_SUCCESS);
	snp_launch_digest_fini(&d);
	EVP_PKEY_free(id_key);
	EVP_PKEY_free(author);
}

static void test_guest_request(void)
{
	uint8_t rsp[SNP_MSG_PAYLOAD_MAX];
	struct snp_msg_hdr rh;
	uint8_t vmpck0[32], vmpck1[32];
	struct snp_cmd_guest_request cmd = { spa(0), spa(30), spa(31) };

	bring_up();
	start_guest(0, 1, 0x30000);
	make_pre_guest(spa(11), 0xB000, 1, false);
	CU_ASSERT_EQUAL(launch_update(0, spa(11), SNP_PAGE_TYPE_SECRETS, false), SNP_RET_SUCCESS);
	memcpy(vmpck0, host(11) + SNP_SECRETS_VMPCK(0), 32);
	memcpy(vmpck1, host(11) + SNP_SECRETS_VMPCK(1), 32);

	/* Not running yet. */
	CU_ASSERT_EQUAL(report_request(1, 0, vmpck0, 0, NULL, NULL), SNP_RET_INVALID_GUEST_STATE);
	CU_ASSERT_EQUAL(launch_finish(0), SNP_RET_SUCCESS);
	/* The response page must be a Firmware page. */
	CU_ASSERT_EQUAL(fw(SNP_CMD_GUEST_REQUEST, &cmd, sizeof(cmd)), SNP_RET_INVALID_PAGE_STATE);

	/* First request: sequence 1; response carries 2 and MSG_REPORT_RSP. */
	CU_ASSERT_EQUAL(report_request(1, 0, vmpck0, 0, rsp, &rh), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(rh.seqno, 2);
	CU_ASSERT_EQUAL(rh.type, SNP_MSG_REPORT_RSP);
	CU_ASSERT_EQUAL(rh.size, SNP_REPORT_RSP_HDR_SIZE + SNP_REPORT_SIZE);
	CU_ASSERT_EQUAL(coco_le32(rsp), 0);
	CU_ASSERT_EQUAL(coco_le32(rsp + 4), SNP_REPORT_SIZE);
	const uint8_t *report = rsp + SNP_REPORT_RSP_HDR_SIZE;
	CU_ASSERT_EQUAL(report[0x50], 0xab);	/* report data echoed */
	CU_ASSERT_EQUAL(coco_le64(report + 8), 0x30000);

	/* Replay (sequence 1 again) authenticates but fails the sequence check. */
	CU_ASSERT_EQUAL(report_request(1, 0, vmpck0, 0, NULL, NULL), SNP_RET_AEAD_OFLOW);
	/* Next valid sequence is 3 (request and response each took one). */
	CU_ASSERT_EQUAL(report_request(2, 0, vmpck0, 0, NULL, NULL), SNP_RET_AEAD_OFLOW);
	CU_ASSERT_EQUAL(report_request(3, 0, vmpck0, 0, rsp, &rh), SNP_RET_SUCCESS);
	/* A wrong key: the tag does not verify. */
	CU_ASSERT_EQUAL(report_request(5, 0, vmpck1, 0, NULL, NULL), SNP_RET_BAD_MEASUREMENT);
	/* VMPCK1 has its own counter and may not ask for a VMPL0 report. */
	CU_ASSERT_EQUAL(report_request(1, 1, vmpck1, 0, rsp, &rh), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(coco_le32(rsp), SNP_RET_INVALID_PARAM);	/* status in the response */
	CU_ASSERT_EQUAL(report_request(3, 1, vmpck1, 1, rsp, &rh), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(coco_le32(rsp), 0);
	CU_ASSERT_EQUAL(coco_le32(rsp + SNP_REPORT_RSP_HDR_SIZE + 0x30), 1);	/* VMPL */
}

/* Details of the firmware's behaviour the review of the model pinned down. */
static void test_firmware_details(void)
{
	struct snp_cmd_init_ex init = { .flags = SNP_INIT_EX_INIT_RMP | SNP_INIT_EX_LIST_PADDR_EN,
					.list_paddr = spa(2) + 0x100 };
	struct snp_cmd_gctx gctx = { spa(0) };
	struct snp_cmd_activate act = { spa(0), 4 };
	struct snp_cmd_launch_start start = { .gctx_paddr = spa(0), .policy = 0x30000 };
	struct snp_cmd_feature_info fi = { .length = sizeof(fi), .feature_info_paddr = spa(5) };
	struct snp_cmd_platform_status ps = { spa(5) };
	struct snp_platform_status st;

	/* The range list starts at LIST_PADDR, inside its page: one range, page 40. */
	coco_put_le32(host(2) + 0x100, 1);
	coco_put_le64(host(2) + 0x108, spa(40));
	coco_put_le32(host(2) + 0x110, 1);
	CU_ASSERT_EQUAL(fw(SNP_CMD_INIT_EX, &init, sizeof(init)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(state_of(spa(40)), RMP_STATE_HV_FIXED);
	CU_ASSERT_EQUAL(state_of(spa(41)), RMP_STATE_HYPERVISOR);

	/* Every ASID is dirty after INIT, even one the SNP range does not include. */
	make_firmware(spa(0));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	act.asid = 5;
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_DFFLUSH_REQUIRED);
	snp_model_wbinvd(plat);
	CU_ASSERT_EQUAL(fw(SNP_CMD_DF_FLUSH, NULL, 0), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_INVALID_ASID);

	/* This firmware knows policy bits 0-20 only. */
	struct snp_cmd_gctx g2 = { spa(1) };
	make_firmware(spa(1));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &g2, sizeof(g2)), SNP_RET_SUCCESS);
	start.gctx_paddr = spa(1);
	start.policy = 0x30000 | COCO_SNP_POLICY_CXL_ALLOW;
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	/* A migration agent must itself have launched without one. */
	start.policy = 0x30000 | COCO_SNP_POLICY_MIGRATE_MA;
	start.flags = SNP_LAUNCH_START_MA_EN;
	start.ma_gctx_paddr = spa(1);	/* itself, fresh */
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_POLICY_FAILURE);
	start.ma_gctx_paddr = spa(0);	/* launched without an agent */
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	start.ma_gctx_paddr = spa(3);	/* not a context */
	start.gctx_paddr = spa(0);

	/* SNP_FEATURE_INFO exists (status says so) and reports no optional feature. */
	make_firmware(spa(5));
	CU_ASSERT_EQUAL(fw(SNP_CMD_PLATFORM_STATUS, &ps, sizeof(ps)), SNP_RET_SUCCESS);
	snp_platform_status_decode(host(5), &st);
	CU_ASSERT_EQUAL(st.feature_info, 1);
	memset(host(5), 0xff, 16);
	CU_ASSERT_EQUAL(fw(SNP_CMD_FEATURE_INFO, &fi, sizeof(fi)), SNP_RET_SUCCESS);
	CU_ASSERT(coco_all_zero(host(5), 16));
	fi.ecx_in = 1;
	CU_ASSERT_EQUAL(fw(SNP_CMD_FEATURE_INFO, &fi, sizeof(fi)), SNP_RET_INVALID_PARAM);
}

/* IMI pages: PAGE_INFO carries the IMI_PAGE bit. */
static void test_imi_pages_measured(void)
{
	struct snp_cmd_gctx gctx = { spa(0) };
	struct snp_cmd_launch_start start = { .gctx_paddr = spa(0), .policy = 0x30000,
					      .flags = SNP_LAUNCH_START_IMI_EN };
	struct snp_cmd_activate act = { spa(0), 1 };
	struct snp_cmd_launch_update up = {
		.gctx_paddr = spa(0),
		.page_info = SNP_LAUNCH_UPDATE_IMI_PAGE | (SNP_PAGE_TYPE_ZERO << 1),
		.page_paddr = spa(8),
	};
	struct snp_launch_digest plain, imi;

	bring_up();
	make_firmware(spa(0));
	CU_ASSERT_EQUAL(fw(SNP_CMD_GCTX_CREATE, &gctx, sizeof(gctx)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_START, &start, sizeof(start)), SNP_RET_SUCCESS);
	CU_ASSERT_EQUAL(fw(SNP_CMD_ACTIVATE, &act, sizeof(act)), SNP_RET_SUCCESS);
	make_pre_guest(spa(8), 0x8000, 1, false);
	up.page_info = SNP_PAGE_TYPE_ZERO << 1;	/* an IMI launch takes IMI pages only */
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_UPDATE, &up, sizeof(up)), SNP_RET_INVALID_PARAM);
	up.page_info |= SNP_LAUNCH_UPDATE_IMI_PAGE;
	CU_ASSERT_EQUAL(fw(SNP_CMD_LAUNCH_UPDATE, &up, sizeof(up)), SNP_RET_SUCCESS);
	CU_ASSERT_FATAL(snp_launch_digest_init(&plain) == 0);
	CU_ASSERT_FATAL(snp_launch_digest_init(&imi) == 0);
	snp_launch_digest_extend(&plain, SNP_PAGE_TYPE_ZERO, 0x8000, NULL, NULL);
	snp_launch_digest_extend_imi(&imi, SNP_PAGE_TYPE_ZERO, true, 0x8000, NULL, NULL);
	CU_ASSERT(memcmp(plain.ld, imi.ld, 48) != 0);
	CU_ASSERT(memcmp(plat->sh->gctx[0].ld, imi.ld, 48) == 0);
	snp_launch_digest_fini(&plain);
	snp_launch_digest_fini(&imi);
}

static CU_TestInfo tests[] = {
	{ "firmware details", test_firmware_details },
	{ "IMI pages are measured as such", test_imi_pages_measured },
	{ "platform state machine", test_platform_state_machine },
	{ "guest lifecycle and measurement", test_guest_lifecycle_and_measurement },
	{ "ASID reuse needs WBINVD + DF_FLUSH", test_asid_reuse_needs_flush },
	{ "page reclaim", test_page_reclaim },
	{ "CPUID page check", test_cpuid_page },
	{ "ID block", test_id_block },
	{ "guest request", test_guest_request },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "snp-model", NULL, NULL, setup, teardown, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: sev-snp/rmp.c, the RMP model: host instructions (RMPUPDATE,
 * PSMASH), guest instructions (PVALIDATE, RMPADJUST), page states and
 * return codes (APM vol. 3; specs/snp.md section 5).
 */
#include <stdlib.h>

#include "sev-snp/rmp.h"
#include "tests/common/test-main.h"

#define BASE 0x100000000ull
#define PAGE 0x1000ull
#define LARGE 0x200000ull
#define NPAGES 4096u	/* 16 MiB of model memory */

static struct rmp rmp;

static void setup(void)
{
	rmp.asid_pages = calloc(RMP_ASID_COUNTERS, sizeof(uint64_t));
	rmp.entries = calloc(NPAGES, sizeof(struct rmp_entry));
	rmp.base = BASE;
	rmp.npages = NPAGES;
}

static void teardown(void)
{
	free(rmp.entries);
	free(rmp.asid_pages);
}

static enum rmp_page_state state_of(uint64_t spa)
{
	struct rmp_view v;
	rmp_lookup(&rmp, spa, &v);
	return v.state;
}

static int assign(uint64_t spa, uint64_t gpa, uint32_t asid, bool large, bool immutable)
{
	struct rmp_update_state st = { .gpa = gpa, .assigned = true, .large = large,
				       .immutable = immutable, .asid = asid };
	return rmp_update(&rmp, spa, &st);
}

static int make_shared(uint64_t spa, bool large)
{
	struct rmp_update_state st = { .large = large };
	return rmp_update(&rmp, spa, &st);
}

static void test_states(void)
{
	CU_ASSERT_EQUAL(state_of(BASE), RMP_STATE_HYPERVISOR);
	CU_ASSERT_EQUAL(state_of(BASE - PAGE), RMP_STATE_DEFAULT);
	CU_ASSERT_EQUAL(state_of(BASE + NPAGES * PAGE), RMP_STATE_DEFAULT);
	CU_ASSERT_EQUAL(assign(BASE, 0x1000, 5, false, true), RMP_OK);
	CU_ASSERT_EQUAL(state_of(BASE), RMP_STATE_PRE_GUEST);
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0x2000, 5, false, false), RMP_OK);
	CU_ASSERT_EQUAL(state_of(BASE + PAGE), RMP_STATE_GUEST_INVALID);
	/* Firmware page: assigned, ASID 0, immutable. */
	CU_ASSERT_EQUAL(assign(BASE + 2 * PAGE, 0, 0, false, true), RMP_OK);
	CU_ASSERT_EQUAL(state_of(BASE + 2 * PAGE), RMP_STATE_FIRMWARE);
	/* The firmware's own transition to Context (VMSA bit on a firmware page). */
	struct rmp_view v;
	rmp_lookup(&rmp, BASE + 2 * PAGE, &v);
	v.vmsa = true;
	rmp_fw_write(&rmp, BASE + 2 * PAGE, &v);
	CU_ASSERT_EQUAL(state_of(BASE + 2 * PAGE), RMP_STATE_CONTEXT);
}

static void test_update_rules(void)
{
	struct rmp_view v;

	/* Misaligned, out of range, bad ASID. */
	CU_ASSERT_EQUAL(assign(BASE + 0x800, 0, 1, false, false), RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0, 1, true, false), RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(assign(BASE + NPAGES * PAGE, 0, 1, false, false), RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(assign(BASE, 0, RMP_MAX_ASID + 1, false, false), RMP_FAIL_INPUT);
	/* An immutable page cannot be changed by the host. */
	CU_ASSERT_EQUAL(assign(BASE, 0x5000, 3, false, true), RMP_OK);
	CU_ASSERT_EQUAL(make_shared(BASE, false), RMP_FAIL_PERMISSION);
	CU_ASSERT_EQUAL(state_of(BASE), RMP_STATE_PRE_GUEST);
	/* RMPUPDATE clears VALIDATED and gives VMPL0 full rights on guest pages. */
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0x6000, 3, false, false), RMP_OK);
	bool unchanged;
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 3, 0x6000, BASE + PAGE, false, true, &unchanged), RMP_OK);
	CU_ASSERT_EQUAL(state_of(BASE + PAGE), RMP_STATE_GUEST_VALID);
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0x6000, 3, false, false), RMP_OK);
	rmp_lookup(&rmp, BASE + PAGE, &v);
	CU_ASSERT_FALSE(v.validated);
	CU_ASSERT_EQUAL(v.perms[0], RMP_PERM_ALL);
	CU_ASSERT_EQUAL(v.perms[1], 0);
	CU_ASSERT_EQUAL(v.gpa, 0x6000);
	CU_ASSERT_EQUAL(v.asid, 3);
	/* Locked entries are in use. */
	rmp.entries[2].lo |= RMP_LOCK;
	CU_ASSERT_EQUAL(make_shared(BASE + 2 * PAGE, false), RMP_FAIL_INUSE);
}

static void test_large_pages_and_psmash(void)
{
	uint64_t big = BASE + LARGE;
	struct rmp_view v;

	/* A 2 MiB update over an assigned 4 KiB page overlaps. */
	CU_ASSERT_EQUAL(assign(big + 7 * PAGE, 0x7000, 9, false, false), RMP_OK);
	CU_ASSERT_EQUAL(assign(big, 0x200000, 9, true, false), RMP_FAIL_OVERLAP);
	CU_ASSERT_EQUAL(make_shared(big + 7 * PAGE, false), RMP_OK);
	CU_ASSERT_EQUAL(assign(big, 0x200000, 9, true, false), RMP_OK);
	rmp_lookup(&rmp, big + 5 * PAGE, &v);
	CU_ASSERT_TRUE(v.large);
	CU_ASSERT_EQUAL(v.gpa, 0x205000);
	CU_ASSERT_EQUAL(v.state, RMP_STATE_GUEST_INVALID);
	/* A 4 KiB update inside an assigned 2 MiB page overlaps: PSMASH first. */
	CU_ASSERT_EQUAL(make_shared(big + 5 * PAGE, false), RMP_FAIL_OVERLAP);
	/* Validate at 2 MiB, then PSMASH keeps VALIDATED on all 512 pages. */
	bool unchanged;
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 9, 0x200000, big, false, true, &unchanged),
			RMP_FAIL_SIZEMISMATCH);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 9, 0x200000, big, true, true, &unchanged), RMP_OK);
	CU_ASSERT_EQUAL(rmp_psmash(&rmp, big + PAGE), RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(rmp_psmash(&rmp, big), RMP_OK);
	for (unsigned int i = 0; i < 512; i += 73) {
		rmp_lookup(&rmp, big + i * PAGE, &v);
		CU_ASSERT_FALSE(v.large);
		CU_ASSERT_TRUE(v.validated);
		CU_ASSERT_EQUAL(v.gpa, 0x200000 + i * PAGE);
		CU_ASSERT_EQUAL(v.asid, 9);
	}
	/* A 4 KiB entry is not a 2 MiB page: PSMASH again fails, 2M PVALIDATE mismatches. */
	CU_ASSERT_EQUAL(rmp_psmash(&rmp, big), RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 9, 0x200000, big, true, false, &unchanged),
			RMP_FAIL_SIZEMISMATCH);
	CU_ASSERT_EQUAL(make_shared(big + 5 * PAGE, false), RMP_OK);
	CU_ASSERT_EQUAL(state_of(big + 5 * PAGE), RMP_STATE_HYPERVISOR);
	CU_ASSERT_EQUAL(state_of(big + 6 * PAGE), RMP_STATE_GUEST_VALID);
}

static void test_pvalidate(void)
{
	bool unchanged;

	CU_ASSERT_EQUAL(assign(BASE, 0x10000, 4, false, false), RMP_OK);
	/* Other guest, other GPA, shared page: nested page fault. */
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 5, 0x10000, BASE, false, true, &unchanged),
			RMP_FAULT_NPF);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x11000, BASE, false, true, &unchanged),
			RMP_FAULT_NPF);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x20000, BASE + PAGE, false, true, &unchanged),
			RMP_FAULT_NPF);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x10800, BASE, false, true, &unchanged),
			RMP_FAIL_INPUT);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x10000, BASE, false, true, &unchanged), RMP_OK);
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x10000, BASE, false, true, &unchanged), RMP_OK);
	CU_ASSERT_TRUE(unchanged);	/* CF = 1 */
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x10000, BASE, false, false, &unchanged), RMP_OK);
	CU_ASSERT_FALSE(unchanged);
	CU_ASSERT_EQUAL(state_of(BASE), RMP_STATE_GUEST_INVALID);
	/* Pre-Guest (immutable) pages are not the guest's to validate yet. */
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0x11000, 4, false, true), RMP_OK);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 4, 0x11000, BASE + PAGE, false, true, &unchanged),
			RMP_FAULT_NPF);
}

static void test_rmpadjust(void)
{
	bool unchanged;
	struct rmp_view v;

	CU_ASSERT_EQUAL(assign(BASE, 0x30000, 2, false, false), RMP_OK);
	/* Not validated yet. */
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 0, 0x30000, BASE, false, 1, RMP_PERM_READ, false),
			RMP_FAULT_NPF);
	CU_ASSERT_EQUAL(rmp_pvalidate(&rmp, 2, 0x30000, BASE, false, true, &unchanged), RMP_OK);
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 0, 0x30000, BASE, false, 1,
				   RMP_PERM_READ | RMP_PERM_WRITE, false), RMP_OK);
	rmp_lookup(&rmp, BASE, &v);
	CU_ASSERT_EQUAL(v.perms[1], RMP_PERM_READ | RMP_PERM_WRITE);
	/* VMPL1 cannot raise VMPL1 or VMPL0, nor grant what it lacks. */
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 1, 0x30000, BASE, false, 1, RMP_PERM_READ, false),
			RMP_FAIL_PERMISSION);
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 1, 0x30000, BASE, false, 2, RMP_PERM_EXEC_USER, false),
			RMP_FAIL_PERMISSION);
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 1, 0x30000, BASE, false, 2, RMP_PERM_READ, false),
			RMP_OK);
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 0, 0x30000, BASE, false, 1, 0x20, false),
			RMP_FAIL_INPUT);
	/* The VMSA bit (for an AP's VMSA page) */
	CU_ASSERT_EQUAL(rmp_adjust(&rmp, 2, 0, 0x30000, BASE, false, 1, 0, true), RMP_OK);
	rmp_lookup(&rmp, BASE, &v);
	CU_ASSERT_TRUE(v.vmsa);
	CU_ASSERT_EQUAL(v.perms[1], 0);
}

static void test_asid_counters(void)
{
	/* The bookkeeping counts every 4 KiB page assigned to each guest ASID. */
	CU_ASSERT_EQUAL(assign(BASE, 0x1000, 7, false, false), RMP_OK);
	CU_ASSERT_EQUAL(assign(BASE + PAGE, 0x2000, 7, false, true), RMP_OK);
	CU_ASSERT_EQUAL(assign(BASE + LARGE, 0x200000, 7, true, false), RMP_OK);
	CU_ASSERT_EQUAL(assign(BASE + 2 * PAGE, 0, 0, false, true), RMP_OK);	/* firmware page */
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 7), 2 + 512);
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 0), 0);
	CU_ASSERT_EQUAL(rmp_psmash(&rmp, BASE + LARGE), RMP_OK);	/* same pages, now 512 entries */
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 7), 2 + 512);
	CU_ASSERT_EQUAL(make_shared(BASE + LARGE + 3 * PAGE, false), RMP_OK);
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 7), 2 + 511);
	CU_ASSERT_EQUAL(assign(BASE, 0x1000, 8, false, false), RMP_OK);	/* moved to ASID 8 */
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 7), 1 + 511);
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 8), 1);
	CU_ASSERT_EQUAL(make_shared(BASE + PAGE, false), RMP_FAIL_PERMISSION);	/* immutable */
	CU_ASSERT_EQUAL(rmp_asid_pages(&rmp, 7), 1 + 511);
}

static CU_TestInfo tests[] = {
	{ "ASID page counters", test_asid_counters },
	{ "page states", test_states },
	{ "RMPUPDATE rules", test_update_rules },
	{ "2 MiB pages and PSMASH", test_large_pages_and_psmash },
	{ "PVALIDATE", test_pvalidate },
	{ "RMPADJUST", test_rmpadjust },
	CU_TEST_INFO_NULL,
};

int main(void)
{
	CU_SuiteInfo suites[] = {
		{ "rmp", NULL, NULL, setup, teardown, tests },
		CU_SUITE_INFO_NULL,
	};
	return coco_test_run(suites);
}

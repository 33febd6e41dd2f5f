/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Reverse Map Table model.  One 16-byte entry per 4 KiB page of the
 * model's physical memory, in the non-architectural Fam19h format the
 * firmware and Linux use (PPR Fam19h; Linux `struct rmpentry_raw`;
 * ../shared/specs/snp.md section 5.2):
 *
 *   quadword 0: bit 0 ASSIGNED, bit 1 PAGE_SIZE (2 MiB), bit 2 IMMUTABLE,
 *               bits 50:12 GPA >> 12, bits 60:51 ASID, bit 61 VMSA,
 *               bit 62 VALIDATED, bit 63 LOCK
 *   quadword 1: bytes 0-3 VMPL0..VMPL3 permission masks
 *
 * A 2 MiB page is described by the entry of its first 4 KiB page (the head);
 * the other 511 entries of an assigned 2 MiB page are kept clear.  Every
 * page transition of the model goes through the functions here: the host
 * instructions (RMPUPDATE, PSMASH), the guest instructions (PVALIDATE,
 * RMPADJUST) and the firmware's own transitions.
 *
 * The table covers only the model's physical memory (from a base system
 * physical address).  Like a real RMP it starts with a 16 KiB bookkeeping
 * area: 2048 counters of the pages assigned to each ASID, which the
 * firmware consults before binding an ASID to a new guest.
 */
#ifndef COCO_SNP_RMP_H
#define COCO_SNP_RMP_H

#include <stdbool.h>
#include <stdint.h>

#define RMP_ENTRY_SIZE 16u
#define RMP_BOOKKEEPING_SIZE 0x4000u	/* before the first entry (Linux RMPTABLE_CPU_BOOKKEEPING_SZ) */
#define RMP_ASID_COUNTERS 2048u		/* u64 per ASID in the bookkeeping area (AMD-ASPFW) */

/* Quadword 0 fields (Linux arch/x86/virt/svm/sev.c rmpentry_raw; AMD-ASPFW rmp_entry_t). */
#define RMP_ASSIGNED (1ull << 0)
#define RMP_PAGESIZE_2M (1ull << 1)
#define RMP_IMMUTABLE (1ull << 2)
#define RMP_GPA_SHIFT 12
#define RMP_GPA_MASK (((1ull << 39) - 1) << 12)		/* bits 50:12 */
#define RMP_ASID_SHIFT 51
#define RMP_ASID_MASK (((1ull << 10) - 1) << 51)	/* bits 60:51 */
#define RMP_VMSA (1ull << 61)
#define RMP_VALIDATED (1ull << 62)
#define RMP_LOCK (1ull << 63)
#define RMP_MAX_ASID 1023u

/* VMPL permission bits (APM vol. 2, RMPADJUST). */
#define RMP_PERM_READ (1u << 0)
#define RMP_PERM_WRITE (1u << 1)
#define RMP_PERM_EXEC_USER (1u << 2)
#define RMP_PERM_EXEC_SUPER (1u << 3)
#define RMP_PERM_SSS (1u << 4)
#define RMP_PERM_ALL 0x1fu

struct rmp_entry {
	uint64_t lo;
	uint64_t hi;
};

/* Return codes of RMPUPDATE / PSMASH / PVALIDATE / RMPADJUST (APM vol. 3). */
enum rmp_ret {
	RMP_OK = 0,
	RMP_FAIL_INPUT = 1,
	RMP_FAIL_PERMISSION = 2,
	RMP_FAIL_INUSE = 3,
	RMP_FAIL_OVERLAP = 4,
	RMP_FAIL_SIZEMISMATCH = 6,
	/*
	 * Not a return code: the access would take a nested page fault with
	 * the RMP bit set (#NPF), as the hardware does for a guest touching a
	 * page not assigned to it.  The VMM sees it as an exit.
	 */
	RMP_FAULT_NPF = 0x100,
};

const char *rmp_ret_name(int ret);

/* Page states the firmware distinguishes (SNP Firmware ABI, page states). */
enum rmp_page_state {
	RMP_STATE_HYPERVISOR,	/* assigned 0, immutable 0 */
	RMP_STATE_HV_FIXED,	/* assigned 0, immutable 1 */
	RMP_STATE_FIRMWARE,	/* assigned 1, ASID 0, immutable 1, GPA 0, VMSA 0 */
	RMP_STATE_RECLAIM,	/* assigned 1, ASID 0, immutable 0 */
	RMP_STATE_CONTEXT,	/* assigned 1, ASID 0, immutable 1, VMSA 1 */
	RMP_STATE_PRE_GUEST,	/* ASID > 0, validated 0, immutable 1 */
	RMP_STATE_PRE_SWAP,	/* ASID > 0, validated 1, immutable 1 */
	RMP_STATE_GUEST_INVALID,	/* ASID > 0, validated 0, immutable 0 */
	RMP_STATE_GUEST_VALID,	/* ASID > 0, validated 1, immutable 0 */
	RMP_STATE_DEFAULT,	/* address not covered by the RMP */
};

const char *rmp_state_name(enum rmp_page_state state);

struct rmp {
	uint64_t *asid_pages;		/* RMP_ASID_COUNTERS: 4 KiB pages assigned per ASID */
	struct rmp_entry *entries;	/* in the platform's shared memory */
	uint64_t base;			/* system physical address of entry 0 */
	uint64_t npages;
};

/* Decoded effective entry of a 4 KiB page (from its 2 MiB head if it has one). */
struct rmp_view {
	bool covered;
	bool assigned;
	bool large;		/* part of a 2 MiB RMP page */
	bool immutable;
	bool validated;
	bool vmsa;
	bool locked;
	uint32_t asid;
	uint64_t gpa;		/* of this 4 KiB page */
	uint8_t perms[4];	/* VMPL0..3 */
	enum rmp_page_state state;
};

int rmp_lookup(const struct rmp *rmp, uint64_t spa, struct rmp_view *view);

/* RMPUPDATE's new-state operand (APM vol. 3 RMPUPDATE: RCX points at it). */
struct rmp_update_state {
	uint64_t gpa;
	bool assigned;
	bool large;
	bool immutable;
	uint32_t asid;
};

/* RMPUPDATE (host, CPL0).  Clears VALIDATED and VMSA; VMPL0 gets full permissions. */
int rmp_update(struct rmp *rmp, uint64_t spa, const struct rmp_update_state *state);

/* PSMASH (host): split an assigned 2 MiB entry into 512 4 KiB entries. */
int rmp_psmash(struct rmp *rmp, uint64_t spa);

/*
 * PVALIDATE (guest at VMPL0): set or clear VALIDATED on the page mapped at
 * @gpa (@spa through the guest's nested page table).  *@unchanged is the
 * CF result: the page already was in the requested state.
 */
int rmp_pvalidate(struct rmp *rmp, uint32_t asid, uint64_t gpa, uint64_t spa, bool large,
		  bool validate, bool *unchanged);

/*
 * RMPADJUST (guest at @vmpl): set @target_vmpl's permissions (and the VMSA
 * bit) on a validated page of the guest.
 */
int rmp_adjust(struct rmp *rmp, uint32_t asid, uint32_t vmpl, uint64_t gpa, uint64_t spa,
	       bool large, uint32_t target_vmpl, uint8_t perms, bool vmsa);

/* ---- the firmware's own transitions (no instruction; firmware writes entries) ---- */

/* Set the state bits of one entry (a 4 KiB page or a 2 MiB head) directly. */
void rmp_fw_write(struct rmp *rmp, uint64_t spa, const struct rmp_view *view);

/* 4 KiB pages the RMP assigns to @asid (the firmware's per-ASID counter). */
uint64_t rmp_asid_pages(const struct rmp *rmp, uint32_t asid);

/* Does [spa, spa + 4 KiB) lie inside the table? */
bool rmp_covers(const struct rmp *rmp, uint64_t spa);

#endif

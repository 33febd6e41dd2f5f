/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/rmp.h"

#include <string.h>

#include "core/util.h"

#define PAGE 4096ull
#define LARGE (2ull * 1024 * 1024)
#define PAGES_PER_LARGE 512u

const char *rmp_ret_name(int ret)
{
	switch (ret) {
	case RMP_OK:
		return "SUCCESS";
	case RMP_FAIL_INPUT:
		return "FAIL_INPUT";
	case RMP_FAIL_PERMISSION:
		return "FAIL_PERMISSION";
	case RMP_FAIL_INUSE:
		return "FAIL_INUSE";
	case RMP_FAIL_OVERLAP:
		return "FAIL_OVERLAP";
	case RMP_FAIL_SIZEMISMATCH:
		return "FAIL_SIZEMISMATCH";
	case RMP_FAULT_NPF:
		return "nested page fault (RMP)";
	default:
		return "UNKNOWN";
	}
}

const char *rmp_state_name(enum rmp_page_state state)
{
	static const char *const names[] = {
		[RMP_STATE_HYPERVISOR] = "Hypervisor",
		[RMP_STATE_HV_FIXED] = "HV-Fixed",
		[RMP_STATE_FIRMWARE] = "Firmware",
		[RMP_STATE_RECLAIM] = "Reclaim",
		[RMP_STATE_CONTEXT] = "Context",
		[RMP_STATE_PRE_GUEST] = "Pre-Guest",
		[RMP_STATE_PRE_SWAP] = "Pre-Swap",
		[RMP_STATE_GUEST_INVALID] = "Guest-Invalid",
		[RMP_STATE_GUEST_VALID] = "Guest-Valid",
		[RMP_STATE_DEFAULT] = "Default",
	};
	return (unsigned)state < COCO_ARRAY_SIZE(names) ? names[state] : "unknown";
}

bool rmp_covers(const struct rmp *rmp, uint64_t spa)
{
	return spa >= rmp->base && (spa - rmp->base) / PAGE < rmp->npages;
}

static struct rmp_entry *entry_of(const struct rmp *rmp, uint64_t spa)
{
	return &rmp->entries[(spa - rmp->base) / PAGE];
}

/* Pages an entry assigns to a guest ASID (a 2 MiB head stands for 512). */
static void account(struct rmp *rmp, uint64_t lo, int sign)
{
	uint32_t asid = (uint32_t)((lo & RMP_ASID_MASK) >> RMP_ASID_SHIFT);
	uint64_t pages = (lo & RMP_PAGESIZE_2M) ? PAGES_PER_LARGE : 1;

	if (!(lo & RMP_ASSIGNED) || !asid)
		return;
	if (sign > 0)
		rmp->asid_pages[asid] += pages;
	else
		rmp->asid_pages[asid] -= pages;
}

/* Every write of an entry's ownership goes through here, keeping the counters right. */
static void put_entry(struct rmp *rmp, struct rmp_entry *e, uint64_t lo, uint64_t hi)
{
	account(rmp, e->lo, -1);
	e->lo = lo;
	e->hi = hi;
	account(rmp, lo, +1);
}

uint64_t rmp_asid_pages(const struct rmp *rmp, uint32_t asid)
{
	return asid < RMP_ASID_COUNTERS ? rmp->asid_pages[asid] : 0;
}

/* The 2 MiB head entry covering @spa, if it exists inside the table. */
static struct rmp_entry *head_of(const struct rmp *rmp, uint64_t spa)
{
	uint64_t head = spa & ~(LARGE - 1);

	return rmp_covers(rmp, head) ? entry_of(rmp, head) : NULL;
}

static bool is_large_head(const struct rmp_entry *e)
{
	return (e->lo & RMP_ASSIGNED) && (e->lo & RMP_PAGESIZE_2M);
}

static enum rmp_page_state classify(const struct rmp_view *v)
{
	if (!v->covered)
		return RMP_STATE_DEFAULT;
	if (!v->assigned)
		return v->immutable ? RMP_STATE_HV_FIXED : RMP_STATE_HYPERVISOR;
	if (v->asid == 0) {
		if (!v->immutable)
			return RMP_STATE_RECLAIM;
		return v->vmsa ? RMP_STATE_CONTEXT : RMP_STATE_FIRMWARE;
	}
	if (v->immutable)
		return v->validated ? RMP_STATE_PRE_SWAP : RMP_STATE_PRE_GUEST;
	return v->validated ? RMP_STATE_GUEST_VALID : RMP_STATE_GUEST_INVALID;
}

static void decode(const struct rmp_entry *e, struct rmp_view *v)
{
	v->assigned = e->lo & RMP_ASSIGNED;
	v->large = e->lo & RMP_PAGESIZE_2M;
	v->immutable = e->lo & RMP_IMMUTABLE;
	v->validated = e->lo & RMP_VALIDATED;
	v->vmsa = e->lo & RMP_VMSA;
	v->locked = e->lo & RMP_LOCK;
	v->asid = (uint32_t)((e->lo & RMP_ASID_MASK) >> RMP_ASID_SHIFT);
	v->gpa = e->lo & RMP_GPA_MASK;
	for (int i = 0; i < 4; i++)
		v->perms[i] = (uint8_t)(e->hi >> (8 * i));
}

static uint64_t encode_lo(const struct rmp_view *v)
{
	return (v->assigned ? RMP_ASSIGNED : 0) | (v->large ? RMP_PAGESIZE_2M : 0) |
	       (v->immutable ? RMP_IMMUTABLE : 0) | (v->gpa & RMP_GPA_MASK) |
	       (((uint64_t)v->asid << RMP_ASID_SHIFT) & RMP_ASID_MASK) |
	       (v->vmsa ? RMP_VMSA : 0) | (v->validated ? RMP_VALIDATED : 0) |
	       (v->locked ? RMP_LOCK : 0);
}

static uint64_t encode_hi(const uint8_t perms[4])
{
	return (uint64_t)perms[0] | (uint64_t)perms[1] << 8 | (uint64_t)perms[2] << 16 |
	       (uint64_t)perms[3] << 24;
}

int rmp_lookup(const struct rmp *rmp, uint64_t spa, struct rmp_view *v)
{
	const struct rmp_entry *head, *e;

	memset(v, 0, sizeof(*v));
	spa &= ~(PAGE - 1);
	if (!rmp_covers(rmp, spa)) {
		v->state = RMP_STATE_DEFAULT;
		return 0;
	}
	v->covered = true;
	head = head_of(rmp, spa);
	if (head && is_large_head(head)) {
		decode(head, v);
		/* GPA of this 4 KiB page inside the 2 MiB guest page. */
		v->gpa += spa & (LARGE - 1);
	} else {
		e = entry_of(rmp, spa);
		decode(e, v);
		v->large = false;
	}
	v->state = classify(v);
	return 0;
}

void rmp_fw_write(struct rmp *rmp, uint64_t spa, const struct rmp_view *v)
{
	struct rmp_entry *e = entry_of(rmp, spa);

	put_entry(rmp, e, encode_lo(v), encode_hi(v->perms));
	if (v->large)
		for (unsigned int i = 1; i < PAGES_PER_LARGE; i++)
			put_entry(rmp, &e[i], 0, 0);
}

int rmp_update(struct rmp *rmp, uint64_t spa, const struct rmp_update_state *st)
{
	uint64_t align = st->large ? LARGE : PAGE;
	struct rmp_entry *head;
	struct rmp_view cur, next;

	if ((spa & (align - 1)) || !rmp_covers(rmp, spa) ||
	    (st->large && !rmp_covers(rmp, spa + LARGE - PAGE)))
		return RMP_FAIL_INPUT;
	if (st->asid > RMP_MAX_ASID || (st->gpa & (align - 1)) ||
	    (st->assigned && st->asid == 0 && st->gpa))
		return RMP_FAIL_INPUT;

	/* The entry being replaced: a 2 MiB page, or this 4 KiB page. */
	head = head_of(rmp, spa);
	if (head && is_large_head(head) && !st->large)
		return RMP_FAIL_OVERLAP;	/* 4 KiB update inside an assigned 2 MiB page */
	rmp_lookup(rmp, spa, &cur);
	if (cur.locked)
		return RMP_FAIL_INUSE;
	if (cur.immutable)
		return RMP_FAIL_PERMISSION;
	if (st->large) {
		/* Every 4 KiB entry the 2 MiB page would cover must be unassigned and mutable. */
		struct rmp_entry *e = entry_of(rmp, spa);
		if (!is_large_head(e))
			for (unsigned int i = 0; i < PAGES_PER_LARGE; i++)
				if (e[i].lo & (RMP_ASSIGNED | RMP_IMMUTABLE | RMP_LOCK))
					return RMP_FAIL_OVERLAP;
	}

	memset(&next, 0, sizeof(next));
	next.assigned = st->assigned;
	next.large = st->large;
	next.immutable = st->immutable;
	next.asid = st->assigned ? st->asid : 0;
	next.gpa = st->assigned ? st->gpa : 0;
	/* RMPUPDATE grants VMPL0 full access to guest pages and clears the lower VMPLs. */
	if (st->assigned && st->asid)
		next.perms[0] = RMP_PERM_ALL;
	if (!st->large)
		put_entry(rmp, entry_of(rmp, spa), encode_lo(&next), encode_hi(next.perms));
	else
		rmp_fw_write(rmp, spa, &next);
	return RMP_OK;
}

int rmp_psmash(struct rmp *rmp, uint64_t spa)
{
	struct rmp_entry *e;
	struct rmp_view head;

	if ((spa & (LARGE - 1)) || !rmp_covers(rmp, spa))
		return RMP_FAIL_INPUT;
	e = entry_of(rmp, spa);
	if (!is_large_head(e))
		return RMP_FAIL_INPUT;
	decode(e, &head);
	if (head.locked)
		return RMP_FAIL_INUSE;
	/* 512 entries with the head's attributes; VALIDATED is preserved. */
	for (unsigned int i = 0; i < PAGES_PER_LARGE; i++) {
		struct rmp_view small = head;
		small.large = false;
		small.gpa = head.gpa + (uint64_t)i * PAGE;
		small.vmsa = false;
		put_entry(rmp, &e[i], encode_lo(&small), encode_hi(small.perms));
	}
	return RMP_OK;
}

/* The guest-side checks PVALIDATE and RMPADJUST share. */
static int guest_access(struct rmp *rmp, uint32_t asid, uint64_t gpa, uint64_t spa, bool large,
			struct rmp_view *v)
{
	uint64_t align = large ? LARGE : PAGE;

	if ((gpa & (align - 1)) || (spa & (align - 1)))
		return RMP_FAIL_INPUT;
	rmp_lookup(rmp, spa, v);
	/* Not the guest's page (or not at this GPA): the access faults (#NPF, RMP bit). */
	if (!v->assigned || v->asid != asid || v->gpa != gpa || v->immutable)
		return RMP_FAULT_NPF;
	if (v->large != large)
		return RMP_FAIL_SIZEMISMATCH;
	if (v->locked)
		return RMP_FAIL_INUSE;
	return RMP_OK;
}

int rmp_pvalidate(struct rmp *rmp, uint32_t asid, uint64_t gpa, uint64_t spa, bool large,
		  bool validate, bool *unchanged)
{
	struct rmp_view v;
	int ret = guest_access(rmp, asid, gpa, spa, large, &v);

	*unchanged = false;
	if (ret)
		return ret;
	if (v.validated == validate) {
		*unchanged = true;	/* CF = 1 */
		return RMP_OK;
	}
	entry_of(rmp, spa)->lo ^= RMP_VALIDATED;
	return RMP_OK;
}

int rmp_adjust(struct rmp *rmp, uint32_t asid, uint32_t vmpl, uint64_t gpa, uint64_t spa,
	       bool large, uint32_t target_vmpl, uint8_t perms, bool vmsa)
{
	struct rmp_view v;
	struct rmp_entry *e;
	int ret;

	if (vmpl > 3 || target_vmpl > 3 || (perms & ~RMP_PERM_ALL))
		return RMP_FAIL_INPUT;
	ret = guest_access(rmp, asid, gpa, spa, large, &v);
	if (ret)
		return ret;
	if (!v.validated)
		return RMP_FAULT_NPF;
	/* Only a more privileged VMPL adjusts a less privileged one, within its own rights. */
	if (target_vmpl <= vmpl || (perms & ~v.perms[vmpl]))
		return RMP_FAIL_PERMISSION;
	e = entry_of(rmp, spa);
	e->hi &= ~(0xffull << (8 * target_vmpl));
	e->hi |= (uint64_t)perms << (8 * target_vmpl);
	if (vmsa)
		e->lo |= RMP_VMSA;
	else
		e->lo &= ~RMP_VMSA;
	return RMP_OK;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The model's PAMT and Secure-EPT index.
 *
 * The PAMT is one struct tdx_model_pamt_entry per 4 KiB page of model
 * memory, in the platform's tables; a zero entry is PT_NDA.  Like the
 * module's pamt_init, TDH.SYS.TDMR.INIT makes pages usable 1 GiB block by
 * block; pages of a TDMR's reserved areas read as PT_RSVD (derived from the
 * TDMR table instead of written, so initialising a 64 GiB TDMR costs no
 * memory).  The host-provided PAMT areas are checked by TDH.SYS.CONFIG and
 * then left alone: the model keeps its PAMT in its own tables.
 *
 * The SEPT index maps (TD, level, GPA) to the page backing it: an
 * open-addressing hash table of u32 page numbers whose keys are read back
 * from the pages' PAMT entries (owner, level, GPA), so it needs 4 bytes per
 * slot; two slots per page of model memory (the size follows from the
 * memory alone, so a platform file's layout does too).  Linear probing with
 * backward-shift deletion keeps it tombstone-free.
 */
#include <string.h>

#include "tdx/module-model-internal.h"

const char *tdx_page_type_name(unsigned int pt)
{
	switch (pt) {
	case TDX_PT_NDA:
		return "PT_NDA";
	case TDX_PT_RSVD:
		return "PT_RSVD";
	case TDX_PT_REG:
		return "PT_REG";
	case TDX_PT_TDR:
		return "PT_TDR";
	case TDX_PT_TDCX:
		return "PT_TDCX";
	case TDX_PT_TDVPR:
		return "PT_TDVPR";
	case TDX_PT_EPT:
		return "PT_EPT";
	default:
		return "PT_unknown";
	}
}

bool tdx_pamt_pa_in_tdmr(const struct tdx_model_state *st, uint64_t pa, bool *initialised,
			 bool *reserved)
{
	for (uint32_t i = 0; i < st->num_tdmrs; i++) {
		const struct tdx_model_tdmr *t = &st->tdmr[i];
		uint64_t off;

		if (pa < t->base || pa - t->base >= t->size)
			continue;
		off = pa - t->base;
		/* A 1 GiB block is usable once its PAMT is fully initialised. */
		*initialised = (off & ~(MODEL_1G - 1)) + MODEL_1G <= t->last_initialized - t->base;
		*reserved = false;
		for (uint32_t r = 0; r < t->nr_rsvd; r++)
			if (off >= t->rsvd[r].offset && off - t->rsvd[r].offset < t->rsvd[r].size)
				*reserved = true;
		return true;
	}
	*initialised = false;
	*reserved = false;
	return false;
}

struct tdx_model_pamt_entry *tdx_pamt_get(struct tdx_module *m, uint64_t pa)
{
	const struct tdx_model_state *st = m->st;
	bool init, rsvd;

	if (!tdx_pamt_pa_in_tdmr(st, pa, &init, &rsvd) || !init)
		return NULL;
	if (pa < st->dram_base || (pa - st->dram_base) / MODEL_PAGE >= st->dram_pages)
		return NULL;	/* TDX memory without model memory behind it (the low CMR) */
	return &m->pamt[(pa - st->dram_base) / MODEL_PAGE];
}

unsigned int tdx_pamt_type(struct tdx_module *m, uint64_t pa, const struct tdx_model_pamt_entry *e)
{
	bool init, rsvd;

	if (e->pt == TDX_PT_NDA && tdx_pamt_pa_in_tdmr(m->st, pa, &init, &rsvd) && rsvd)
		return TDX_PT_RSVD;
	return e->pt;
}

uint64_t tdx_pamt_owner_tdr(struct tdx_module *m, const struct tdx_model_pamt_entry *e)
{
	if (e->pt == TDX_PT_NDA || e->pt == TDX_PT_TDR || !e->owner_slot ||
	    e->owner_slot > TDX_MODEL_MAX_TDS)
		return 0;
	return m->st->td[e->owner_slot - 1].tdr_pa;
}

uint64_t tdx_pamt_check_page(struct tdx_module *m, uint64_t pa, unsigned int pt, uint32_t operand,
			     const char *what, struct tdx_model_pamt_entry **out)
{
	struct tdx_model_pamt_entry *e;
	unsigned int have;

	if (!tdx_model_pa_ok(m->st, pa, MODEL_PAGE))
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_INVALID, operand),
				      "%s 0x%llx is not a 4 KiB aligned physical address below "
				      "MAXPA with KeyID 0", what, (unsigned long long)pa);
	e = tdx_pamt_get(m, pa);
	if (!e)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_OPERAND_ADDR_RANGE_ERROR,
								 operand),
				      "%s 0x%llx is not in TDX memory whose PAMT is initialised",
				      what, (unsigned long long)pa);
	have = tdx_pamt_type(m, pa, e);
	if (have != pt)
		return tdx_model_fail(m, tdx_status_with_operand(TDX_PAGE_METADATA_INCORRECT,
								 operand),
				      "%s 0x%llx is %s%s, not %s", what, (unsigned long long)pa,
				      tdx_page_type_name(have),
				      have != TDX_PT_NDA && have != TDX_PT_RSVD && have != TDX_PT_TDR
					      ? " of another TD or role"
					      : "",
				      tdx_page_type_name(pt));
	*out = e;
	return TDX_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* SEPT index                                                           */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x7fb5d329728ea185ull;
	x ^= x >> 27;
	x *= 0x81dadef4bc2dd44dull;
	x ^= x >> 33;
	return x;
}

static uint64_t key_gpa(unsigned int level, uint64_t gpa)
{
	return gpa & ~((MODEL_PAGE << (9 * level)) - 1);
}

static uint64_t home(const struct tdx_module *m, uint32_t td_slot, unsigned int level, uint64_t gpa)
{
	return mix(((uint64_t)td_slot << 3 | level) * 0x9E3779B97F4A7C15ull ^ key_gpa(level, gpa)) %
	       m->st->sept_index_slots;
}

/* The slot after @i, wrapping around. */
static uint64_t next_slot(const struct tdx_module *m, uint64_t i)
{
	return i + 1 == m->st->sept_index_slots ? 0 : i + 1;
}

static const struct tdx_model_pamt_entry *entry_of_slot(const struct tdx_module *m, uint32_t v)
{
	static const struct tdx_model_pamt_entry none;

	/* An index value past the PAMT (a damaged platform file) matches nothing. */
	return v && v <= m->st->dram_pages ? &m->pamt[v - 1] : &none;
}

static unsigned int entry_level(const struct tdx_model_pamt_entry *e)
{
	return e->pt == TDX_PT_EPT ? e->level : 0;
}

static uint64_t home_of_slot(const struct tdx_module *m, uint32_t v)
{
	const struct tdx_model_pamt_entry *e = entry_of_slot(m, v);

	return home(m, e->owner_slot, entry_level(e), e->aux);
}

uint64_t tdx_sept_lookup(struct tdx_module *m, uint32_t td_slot, unsigned int level, uint64_t gpa)
{
	uint64_t want = key_gpa(level, gpa);

	for (uint64_t i = home(m, td_slot + 1, level, gpa);; i = next_slot(m, i)) {
		uint32_t v = m->sept_index[i];
		const struct tdx_model_pamt_entry *e;

		if (!v)
			return 0;
		e = entry_of_slot(m, v);
		if (e->owner_slot == td_slot + 1 && entry_level(e) == level &&
		    (e->pt == TDX_PT_REG || e->pt == TDX_PT_EPT) && e->aux == want)
			return m->st->dram_base + (uint64_t)(v - 1) * MODEL_PAGE;
	}
}

bool tdx_sept_insert(struct tdx_module *m, uint64_t pa)
{
	uint32_t v = (uint32_t)((pa - m->st->dram_base) / MODEL_PAGE) + 1;

	for (uint64_t i = home_of_slot(m, v), n = 0; n < m->st->sept_index_slots;
	     i = next_slot(m, i), n++)
		if (!m->sept_index[i]) {
			m->sept_index[i] = v;
			return true;
		}
	return false;	/* cannot happen: twice as many slots as pages */
}

void tdx_sept_remove(struct tdx_module *m, uint64_t pa)
{
	uint32_t v = (uint32_t)((pa - m->st->dram_base) / MODEL_PAGE) + 1;
	uint64_t i = home_of_slot(m, v), n;

	for (n = 0; n < m->st->sept_index_slots && m->sept_index[i] != v; n++) {
		if (!m->sept_index[i])
			return;
		i = next_slot(m, i);
	}
	if (m->sept_index[i] != v)
		return;
	/* Backward shift: move later entries of the run into the hole when allowed. */
	for (uint64_t j = next_slot(m, i); m->sept_index[j]; j = next_slot(m, j)) {
		uint64_t k = home_of_slot(m, m->sept_index[j]);
		bool movable = i <= j ? (k <= i || k > j) : (k <= i && k > j);

		if (movable) {
			m->sept_index[i] = m->sept_index[j];
			i = j;
		}
	}
	m->sept_index[i] = 0;
}

uint64_t tdx_sept_count(struct tdx_module *m)
{
	uint64_t n = 0;

	for (uint64_t i = 0; i < m->st->sept_index_slots; i++)
		n += m->sept_index[i] != 0;
	return n;
}

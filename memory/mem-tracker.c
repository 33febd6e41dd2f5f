/* SPDX-License-Identifier: Apache-2.0 */
#include "memory/mem-tracker.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/error.h"

struct extent {
	uint64_t start, end;	/* [start, end) */
	enum coco_mem_state state;
};

struct coco_mem_tracker {
	struct extent *ext;	/* sorted by start, non-overlapping */
	size_t n, cap;
};

int coco_mem_tracker_new(struct coco_mem_tracker **tracker)
{
	*tracker = calloc(1, sizeof(**tracker));
	return *tracker ? 0 : coco_err(-ENOMEM, "memory tracker: out of memory");
}

void coco_mem_tracker_free(struct coco_mem_tracker *t)
{
	if (!t)
		return;
	free(t->ext);
	free(t);
}

size_t coco_mem_tracker_extents(const struct coco_mem_tracker *t)
{
	return t->n;
}

/* Index of the first extent whose end is above @gpa (n if none). */
static size_t first_ending_after(const struct coco_mem_tracker *t, uint64_t gpa)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ext[mid].end <= gpa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int reserve(struct coco_mem_tracker *t, size_t extra)
{
	if (t->n + extra <= t->cap)
		return 0;
	size_t cap = t->cap ? t->cap : 16;
	while (cap < t->n + extra)
		cap *= 2;
	struct extent *e = realloc(t->ext, cap * sizeof(*e));
	if (!e)
		return coco_err(-ENOMEM, "memory tracker: out of memory");
	t->ext = e;
	t->cap = cap;
	return 0;
}

static void insert_at(struct coco_mem_tracker *t, size_t i, struct extent e)
{
	memmove(&t->ext[i + 1], &t->ext[i], (t->n - i) * sizeof(e));
	t->ext[i] = e;
	t->n++;
}

static void remove_at(struct coco_mem_tracker *t, size_t i, size_t count)
{
	memmove(&t->ext[i], &t->ext[i + count], (t->n - i - count) * sizeof(t->ext[0]));
	t->n -= count;
}

/* Merge extent i with touching neighbours of the same state. */
static void merge_around(struct coco_mem_tracker *t, size_t i)
{
	if (i + 1 < t->n && t->ext[i].end == t->ext[i + 1].start &&
	    t->ext[i].state == t->ext[i + 1].state) {
		t->ext[i].end = t->ext[i + 1].end;
		remove_at(t, i + 1, 1);
	}
	if (i > 0 && t->ext[i - 1].end == t->ext[i].start &&
	    t->ext[i - 1].state == t->ext[i].state) {
		t->ext[i - 1].end = t->ext[i].end;
		remove_at(t, i, 1);
	}
}

int coco_mem_tracker_add(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size,
			 enum coco_mem_state state)
{
	size_t i;
	int ret;

	if (!size || gpa + size < gpa)
		return coco_err(-EINVAL, "memory tracker: bad range [0x%llx, +0x%llx)",
				(unsigned long long)gpa, (unsigned long long)size);
	i = first_ending_after(t, gpa);
	if (i < t->n && t->ext[i].start < gpa + size)
		return coco_err(-EEXIST,
				"memory tracker: [0x%llx, 0x%llx) overlaps guest memory already "
				"present at [0x%llx, 0x%llx)",
				(unsigned long long)gpa, (unsigned long long)(gpa + size),
				(unsigned long long)t->ext[i].start,
				(unsigned long long)t->ext[i].end);
	ret = reserve(t, 1);
	if (ret)
		return ret;
	insert_at(t, i, (struct extent){ gpa, gpa + size, state });
	merge_around(t, i);
	return 0;
}

int coco_mem_tracker_remove(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size)
{
	/* Set the range to one state first: it then is exactly one extent to cut out. */
	enum coco_mem_state state;
	int ret = coco_mem_tracker_get(t, gpa, &state, NULL);

	if (!ret)
		ret = coco_mem_tracker_set(t, gpa, size, state);
	if (ret)
		return ret;
	size_t i = first_ending_after(t, gpa);
	struct extent e = t->ext[i];
	if (e.start < gpa && e.end > gpa + size) {
		/* Hole in the middle of one extent. */
		ret = reserve(t, 1);
		if (ret)
			return ret;
		t->ext[i].end = gpa;
		insert_at(t, i + 1, (struct extent){ gpa + size, e.end, e.state });
	} else if (e.start < gpa) {
		t->ext[i].end = gpa;
	} else if (e.end > gpa + size) {
		t->ext[i].start = gpa + size;
	} else {
		remove_at(t, i, 1);
	}
	return 0;
}

int coco_mem_tracker_covered(const struct coco_mem_tracker *t, uint64_t gpa, uint64_t size)
{
	uint64_t pos = gpa, end = gpa + size;
	size_t i = first_ending_after(t, gpa);

	if (end < gpa)
		return coco_err(-EINVAL, "memory range [0x%llx, +0x%llx) wraps around",
				(unsigned long long)gpa, (unsigned long long)size);
	for (; pos < end; i++) {
		if (i >= t->n || t->ext[i].start > pos)
			return coco_err(-ENOENT,
					"0x%llx is not guest memory (range [0x%llx, 0x%llx))",
					(unsigned long long)pos, (unsigned long long)gpa,
					(unsigned long long)end);
		pos = t->ext[i].end;
	}
	return 0;
}

int coco_mem_tracker_get(const struct coco_mem_tracker *t, uint64_t gpa,
			 enum coco_mem_state *state, uint64_t *run_len)
{
	size_t i = first_ending_after(t, gpa);

	if (i >= t->n || t->ext[i].start > gpa)
		return coco_err(-ENOENT, "0x%llx is not guest memory", (unsigned long long)gpa);
	*state = t->ext[i].state;
	if (run_len) {
		/* Extents of one state are merged only when they touch. */
		uint64_t end = t->ext[i].end;
		*run_len = end - gpa;
	}
	return 0;
}

int coco_mem_tracker_set(struct coco_mem_tracker *t, uint64_t gpa, uint64_t size,
			 enum coco_mem_state state)
{
	uint64_t end = gpa + size;
	size_t i;
	int ret;

	ret = coco_mem_tracker_covered(t, gpa, size);
	if (ret)
		return ret;
	/* At most two splits (at gpa and at end). */
	ret = reserve(t, 2);
	if (ret)
		return ret;
	i = first_ending_after(t, gpa);
	if (t->ext[i].start < gpa) {
		struct extent right = t->ext[i];
		right.start = gpa;
		t->ext[i].end = gpa;
		insert_at(t, ++i, right);
	}
	size_t j = first_ending_after(t, end - 1);
	if (t->ext[j].end > end) {
		struct extent right = t->ext[j];
		right.start = end;
		t->ext[j].end = end;
		insert_at(t, j + 1, right);
	}
	/* Extents i..j now tile [gpa, end) exactly: collapse them into one. */
	t->ext[i].end = end;
	t->ext[i].state = state;
	if (j > i)
		remove_at(t, i + 1, j - i);
	merge_around(t, i);
	return 0;
}

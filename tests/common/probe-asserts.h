/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Assertions the hardware-path tests share: a message contains a phrase
 * (printing the message when it does not), a probe check by name, and the
 * probe's checks on a healthy fake host and on hosts lacking one fact.
 */
#ifndef COCO_TEST_PROBE_ASSERTS_H
#define COCO_TEST_PROBE_ASSERTS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <coco/coco.h>

#include "backends/backend.h"
#include "tests/common/fake-kvm.h"

static inline bool contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

#define ASSERT_CONTAINS(text, needle)                                                   \
	do {                                                                            \
		const char *text_ = (text);                                             \
		if (!contains(text_, needle))                                           \
			fprintf(stderr, "\n  expected \"%s\" in: %s\n", needle,         \
				text_ ? text_ : "(null)");                              \
		CU_ASSERT(contains(text_, needle));                                     \
	} while (0)

static inline const struct coco_probe_check *find_check(const struct coco_probe_result *r,
							const char *name)
{
	for (unsigned int i = 0; i < r->nchecks; i++)
		if (!strcmp(r->checks[i].name, name))
			return &r->checks[i];
	return NULL;
}

/* The registered backend @name's probe on the installed kernel, as coco_backend_probe runs it. */
static inline void probe_backend(const char *name, enum coco_vendor vendor,
				 struct coco_probe_result *r)
{
	memset(r, 0, sizeof(*r));
	CU_ASSERT_EQUAL(coco_backend_probe(name, r), 0);
	CU_ASSERT_TRUE(r->hardware);
	CU_ASSERT_EQUAL(r->vendor, vendor);
}

/* Every check of @names passed, said what it found, and has no remediation. */
static inline void assert_probe_all_pass(const struct coco_probe_result *r,
					 const char *const *names, size_t n)
{
	CU_ASSERT_TRUE(r->available);
	CU_ASSERT_EQUAL(r->nchecks, n);
	for (size_t i = 0; i < n; i++) {
		const struct coco_probe_check *c = find_check(r, names[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_TRUE(c->passed);
		CU_ASSERT_STRING_EQUAL(c->remediation, "");
		CU_ASSERT(c->detail[0] != '\0');
	}
}

/* One missing fact: which check fails, and what its detail and remediation say. */
struct probe_case {
	const char *what;
	void (*mutate)(struct fake_kvm_facts *f);
	const char *check;
	const char *detail;
	const char *remediation;
};

/*
 * Each case on @fake: a healthy host (@healthy) with the case's fact
 * changed fails the case's check, says so, and says what to do; every
 * failed check has a remediation, and the probe closes what it opened.
 */
static inline void run_probe_cases(struct fake_kvm *fake,
				   void (*healthy)(struct fake_kvm_facts *f), const char *backend,
				   enum coco_vendor vendor, const struct probe_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct probe_case *pc = &cases[i];
		struct coco_probe_result r;
		const struct coco_probe_check *c;

		memset(fake, 0, sizeof(*fake));
		healthy(&fake->facts);
		pc->mutate(&fake->facts);
		fake_kvm_install(fake);
		probe_backend(backend, vendor, &r);
		c = find_check(&r, pc->check);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		if (c->passed)
			fprintf(stderr, "\n  case '%s': check '%s' passed\n", pc->what, pc->check);
		CU_ASSERT_FALSE(c->passed);
		CU_ASSERT_FALSE(r.available);
		ASSERT_CONTAINS(c->detail, pc->detail);
		ASSERT_CONTAINS(c->remediation, pc->remediation);
		for (unsigned int k = 0; k < r.nchecks; k++)
			if (!r.checks[k].passed)
				CU_ASSERT(r.checks[k].remediation[0] != '\0');
		CU_ASSERT_EQUAL(fake->open_fds, 0);
		fake_kvm_free_records(fake);
		fake_kvm_install(NULL);
	}
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Assertions the hardware-path tests share: a message contains a phrase
 * (printing the message when it does not), and a probe check by name.
 */
#ifndef COCO_TEST_PROBE_ASSERTS_H
#define COCO_TEST_PROBE_ASSERTS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <coco/coco.h>

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

#endif

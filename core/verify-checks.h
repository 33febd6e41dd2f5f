/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bookkeeping of one evidence verification, shared by the formats
 * (sev-snp/verify.c, tdx/verify.c): every check runs and records its first
 * failure; the reason reported is that of the first failing check in the
 * format's order.  Also the check of the verifier's expectations, which
 * is the same for every format but for its words.
 */
#ifndef COCO_CORE_VERIFY_CHECKS_H
#define COCO_CORE_VERIFY_CHECKS_H

#include <stddef.h>
#include <stdint.h>

#include <coco/evidence.h>

#include "core/error.h"

/* More than any format has checks. */
#define COCO_VERIFY_MAX_CHECKS 8

struct coco_verify_checks {
	int err[COCO_VERIFY_MAX_CHECKS];	/* first failure of each check, 0 if none */
	char reason[COCO_VERIFY_MAX_CHECKS][sizeof(((struct coco_verify_result *)0)->reason)];
};

/* Record the first failure of @check (< COCO_VERIFY_MAX_CHECKS); later ones are dropped. */
void coco_verify_fail(struct coco_verify_checks *checks, unsigned int check, int err,
		      const char *fmt, ...) COCO_PRINTF(4, 5);

/* What the expectations are checked against, and the words for it. */
struct coco_verify_subject {
	const char *noun;		/* "report", "quote": "the report has ..." */
	const uint8_t *report_data;	/* 64 bytes */
	const uint8_t *measurement;	/* at most 64 bytes */
	size_t measurement_len;
	const char *measurement_name;	/* "measurement", "MRTD": "MRTD mismatch" */
	const char *measurement_rule;	/* "MRTD is 48 (SHA-384)", after a wrong length */
};

/*
 * The verifier's expectations (report data, measurement) against @subject:
 * sets @res->report_data_ok and measurement_ok, failures go to @check.
 */
void coco_verify_expectations(struct coco_verify_checks *checks, unsigned int check,
			      const struct coco_verify_expect *expect,
			      const struct coco_verify_subject *subject,
			      struct coco_verify_result *res);

/*
 * The outcome: 0 with @res->reason empty when no check failed; else the
 * first failure's error, its reason in @res->reason and the error message
 * "coco_evidence_verify: @what not verified: <reason>".
 */
int coco_verify_conclude(const struct coco_verify_checks *checks, const char *what,
			 struct coco_verify_result *res);

#endif

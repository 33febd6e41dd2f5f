/* SPDX-License-Identifier: Apache-2.0 */
#include "core/verify-checks.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

void coco_verify_fail(struct coco_verify_checks *checks, unsigned int check, int err,
		      const char *fmt, ...)
{
	va_list ap;

	if (check >= COCO_VERIFY_MAX_CHECKS || checks->err[check])
		return;
	checks->err[check] = err;
	va_start(ap, fmt);
	vsnprintf(checks->reason[check], sizeof(checks->reason[check]), fmt, ap);
	va_end(ap);
}

void coco_verify_expectations(struct coco_verify_checks *checks, unsigned int check,
			      const struct coco_verify_expect *expect,
			      const struct coco_verify_subject *s, struct coco_verify_result *res)
{
	char got[2 * 64 + 1], want[2 * 64 + 1];
	size_t len = s->measurement_len;

	res->report_data_ok = !expect->report_data ||
			      !memcmp(expect->report_data, s->report_data, 64);
	if (!res->report_data_ok) {
		coco_hex_encode(s->report_data, 64, got);
		coco_hex_encode(expect->report_data, 64, want);
		coco_verify_fail(checks, check, -EBADMSG, "report_data mismatch: the %s has %s, "
				 "expected %s", s->noun, got, want);
	}
	if (!expect->measurement) {
		res->measurement_ok = true;
		return;
	}
	if (expect->measurement_len != len) {
		coco_verify_fail(checks, check, -EBADMSG, "expected measurement has %zu bytes; %s",
				 expect->measurement_len, s->measurement_rule);
		return;
	}
	res->measurement_ok = !memcmp(expect->measurement, s->measurement, len);
	if (!res->measurement_ok) {
		coco_hex_encode(s->measurement, len, got);
		coco_hex_encode(expect->measurement, len, want);
		coco_verify_fail(checks, check, -EBADMSG, "%s mismatch: the %s has %s, expected %s",
				 s->measurement_name, s->noun, got, want);
	}
}

int coco_verify_conclude(const struct coco_verify_checks *checks, const char *what,
			 struct coco_verify_result *res)
{
	for (unsigned int c = 0; c < COCO_VERIFY_MAX_CHECKS; c++) {
		if (!checks->err[c])
			continue;
		snprintf(res->reason, sizeof(res->reason), "%s", checks->reason[c]);
		return coco_err(checks->err[c], "coco_evidence_verify: %s not verified: %s", what,
				res->reason);
	}
	res->reason[0] = '\0';
	return 0;
}

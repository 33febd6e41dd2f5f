/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The backend table, selection ("auto", a name, COCO_BACKEND) and the
 * evidence formats.  Hardware backends come first: "auto" takes the first
 * backend whose probe passes, so real hardware wins over a model.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backend.h"
#include "backends/generated/list.h"
#include "core/util.h"

/* NULL-terminated so a build with no backend of some kind is still valid C. */
static const struct coco_backend *const backend_table[] = { COCO_BACKEND_LIST NULL };
static const struct coco_evidence_ops *const format_table[] = { COCO_EVIDENCE_FORMAT_LIST NULL };


size_t coco_backends_count(void)
{
	size_t n = 0;

	while (backend_table[n])
		n++;
	return n;
}

const struct coco_backend *coco_backends_get(size_t index)
{
	return index < coco_backends_count() ? backend_table[index] : NULL;
}

const struct coco_backend *coco_backends_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; backend_table[i]; i++)
		if (!strcmp(backend_table[i]->name, name))
			return backend_table[i];
	return NULL;
}

const struct coco_backend *coco_backends_for_measurement(const char *which)
{
	const struct coco_backend *b = coco_backends_find(which);

	if (b || !which)
		return b;
	/* A vendor name: any backend of that vendor measures the same way. */
	for (size_t i = 0; backend_table[i]; i++)
		if (!strcmp(coco_vendor_name(backend_table[i]->vendor), which))
			return backend_table[i];
	return NULL;
}

size_t coco_backend_count(void)
{
	return coco_backends_count();
}

const char *coco_backend_name(size_t index)
{
	const struct coco_backend *b = coco_backends_get(index);

	return b ? b->name : NULL;
}

static void list_names(char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; backend_table[i] && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
					 backend_table[i]->name);
}

int coco_backend_probe(const char *name, struct coco_probe_result *result)
{
	const struct coco_backend *b = coco_backends_find(name);
	char names[256];

	if (!b) {
		list_names(names, sizeof(names));
		return coco_err(-ENOENT, "no backend named '%s'; known backends: %s",
				name ? name : "(null)", names);
	}
	coco_probe_init(result, b);
	b->probe(result);
	coco_probe_finish(result);
	return 0;
}

/* "check: detail (remediation)" for every failed check. */
static void describe_failures(const struct coco_probe_result *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < r->nchecks && used < len; i++) {
		const struct coco_probe_check *c = &r->checks[i];
		if (c->passed)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s: %s%s%s%s",
					 used ? "; " : "", c->name, c->detail,
					 c->remediation[0] ? " (" : "", c->remediation,
					 c->remediation[0] ? ")" : "");
	}
}

int coco_backend_select(const char *selection, const char **name,
			struct coco_probe_result *result)
{
	struct coco_probe_result local;
	char why[1024];
	int ret;

	if (!result)
		result = &local;
	if (!selection || !strcmp(selection, "auto")) {
		const char *env = getenv("COCO_BACKEND");
		if (env && *env && strcmp(env, "auto"))
			selection = env;
	}
	if (selection && strcmp(selection, "auto")) {
		ret = coco_backend_probe(selection, result);
		if (ret)
			return ret;
		if (!result->available) {
			describe_failures(result, why, sizeof(why));
			return coco_err(-ENODEV, "backend '%s' is not available here: %s",
					selection, why);
		}
		*name = coco_backends_find(selection)->name;
		return 0;
	}
	for (size_t i = 0; backend_table[i]; i++) {
		coco_probe_init(result, backend_table[i]);
		backend_table[i]->probe(result);
		coco_probe_finish(result);
		if (result->available) {
			*name = backend_table[i]->name;
			return 0;
		}
		describe_failures(result, why, sizeof(why));
		coco_info("auto selection: backend '%s' not available: %s", backend_table[i]->name, why);
	}
	return coco_err(-ENODEV, "no backend is available on this host (run 'cococtl caps' "
			"for each backend's checks and remedies)");
}

/* ------------------------------------------------------------------ */

void coco_probe_init(struct coco_probe_result *r, const struct coco_backend *b)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->backend, sizeof(r->backend), "%s", b->name);
	r->vendor = b->vendor;
	r->hardware = b->hardware;
}

struct coco_probe_check *coco_probe_add(struct coco_probe_result *r, const char *name,
					bool passed, const char *remediation,
					const char *detail_fmt, ...)
{
	struct coco_probe_check *c;
	va_list ap;

	if (r->nchecks >= COCO_PROBE_MAX_CHECKS)
		return NULL;
	c = &r->checks[r->nchecks++];
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->passed = passed;
	va_start(ap, detail_fmt);
	vsnprintf(c->detail, sizeof(c->detail), detail_fmt, ap);
	va_end(ap);
	snprintf(c->remediation, sizeof(c->remediation), "%s",
		 passed || !remediation ? "" : remediation);
	return c;
}

void coco_probe_finish(struct coco_probe_result *r)
{
	r->available = r->nchecks > 0;
	for (unsigned int i = 0; i < r->nchecks; i++)
		if (!r->checks[i].passed)
			r->available = false;
}

/* ------------------------------------------------------------------ */

const struct coco_evidence_ops *coco_evidence_formats_find(enum coco_evidence_format format)
{
	for (size_t i = 0; format_table[i]; i++)
		if (format_table[i]->format == format)
			return format_table[i];
	return NULL;
}

size_t coco_evidence_formats_count(void)
{
	size_t n = 0;

	while (format_table[n])
		n++;
	return n;
}

const struct coco_evidence_ops *coco_evidence_formats_get(size_t index)
{
	return index < coco_evidence_formats_count() ? format_table[index] : NULL;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Domain XML (libvirt vocabulary) for confidential domains: parse, write,
 * compare, and map to struct coco_vm_config.  Element and attribute names,
 * value formats and units are libvirt's (formatdomain); anything outside the
 * documented subset (docs/domain-xml.md) is refused by name rather than
 * ignored, so a definition never silently loses a setting.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/rand.h>

#include "core/error.h"
#include "core/util.h"
#include "libvirt/domain-xml.h"

struct parse_state {
	struct domxml_error *err;
};

/* Fill @err (libvirt's "<prefix>: <detail>" text) and record the coco error. */
static int COCO_PRINTF(4, 5) fail(struct domxml_error *err, int code, int errnum,
				  const char *fmt, ...)
{
	char detail[sizeof(err->message) - 32];
	const char *prefix = code == DOMXML_VIR_ERR_XML_ERROR ? "XML error" :
			     code == DOMXML_VIR_ERR_CONFIG_UNSUPPORTED ? "unsupported configuration" :
									 "internal error";
	char message[sizeof(err->message)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	/* detail is sized so that the prefix always fits: never truncated. */
	snprintf(message, sizeof(message), "%s: %s", prefix, detail);
	if (err) {
		err->code = code;
		err->domain = DOMXML_VIR_FROM_DOMAIN;
		memcpy(err->message, message, sizeof(message));
	}
	return coco_err(errnum, "domain XML: %s", message);
}

#define XML_FAIL(err, ...) fail(err, DOMXML_VIR_ERR_XML_ERROR, -EINVAL, __VA_ARGS__)
#define UNSUPPORTED(err, ...) fail(err, DOMXML_VIR_ERR_CONFIG_UNSUPPORTED, -ENOTSUP, __VA_ARGS__)
#define NOMEM(err) fail(err, DOMXML_VIR_ERR_INTERNAL_ERROR, -ENOMEM, "out of memory")

static const char *node_name(const xmlNode *n)
{
	return (const char *)n->name;
}

static bool is_named(const xmlNode *n, const char *name)
{
	return strcmp(node_name(n), name) == 0;
}

/*
 * Children that matter: elements.  Text between elements must be blank;
 * comments are skipped; anything else (PIs, entity references, CDATA
 * between elements) is refused.
 */
static int check_node_kind(const xmlNode *n, const xmlNode *parent, struct domxml_error *err)
{
	if (n->type == XML_ELEMENT_NODE) {
		if (n->ns)
			return UNSUPPORTED(err, "element <%s:%s> (line %ld): namespaced "
					   "elements (metadata, hypervisor namespaces) are not supported",
					   n->ns->prefix ? (const char *)n->ns->prefix : "",
					   node_name(n), xmlGetLineNo(n));
		return 0;
	}
	if (n->type == XML_COMMENT_NODE)
		return 0;
	if (n->type == XML_TEXT_NODE) {
		for (const xmlChar *c = n->content; c && *c; c++)
			if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
				return XML_FAIL(err, "unexpected text inside <%s> (line %ld)",
						node_name(parent), xmlGetLineNo(n));
		return 0;
	}
	return XML_FAIL(err, "unexpected XML node type %d inside <%s> (line %ld)", (int)n->type,
			node_name(parent), xmlGetLineNo(n));
}

/* Refuse attributes of @n not in the NULL-terminated @allowed list. */
static int check_attrs(const xmlNode *n, const char *const *allowed, struct domxml_error *err)
{
	for (const xmlAttr *a = n->properties; a; a = a->next) {
		bool ok = false;

		for (size_t i = 0; allowed && allowed[i]; i++)
			if (!a->ns && strcmp((const char *)a->name, allowed[i]) == 0)
				ok = true;
		if (!ok)
			return UNSUPPORTED(err, "attribute '%s' of element <%s> (line %ld) is not "
					   "supported by the coco driver",
					   (const char *)a->name, node_name(n), xmlGetLineNo(n));
	}
	return 0;
}

/* An element that takes text only: no child elements. */
static int text_of(const xmlNode *n, char **out, struct domxml_error *err)
{
	xmlChar *content;

	for (const xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_ELEMENT_NODE)
			return UNSUPPORTED(err, "element <%s> inside <%s> (line %ld) is not supported",
					   node_name(c), node_name(n), xmlGetLineNo(c));
		if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE &&
		    c->type != XML_COMMENT_NODE)
			return XML_FAIL(err, "unexpected content inside <%s> (line %ld)",
					node_name(n), xmlGetLineNo(c));
	}
	content = xmlNodeGetContent(n);
	if (!content)
		return NOMEM(err);
	*out = strdup((const char *)content);
	xmlFree(content);
	return *out ? 0 : NOMEM(err);
}

static char *trim(char *s)
{
	size_t len;

	while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
		s++;
	len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\n' ||
		       s[len - 1] == '\r'))
		s[--len] = '\0';
	return s;
}

static int attr_dup(const xmlNode *n, const char *name, char **out, struct domxml_error *err)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);

	*out = NULL;
	if (!v)
		return 0;
	*out = strdup((const char *)v);
	xmlFree(v);
	return *out ? 0 : NOMEM(err);
}

static int attr_yesno(const xmlNode *n, const char *name, enum domxml_tristate *out,
		      struct domxml_error *err)
{
	char *v;
	int ret = attr_dup(n, name, &v, err);

	if (ret)
		return ret;
	*out = DOMXML_UNSET;
	if (!v)
		return 0;
	if (strcmp(v, "yes") == 0)
		*out = DOMXML_YES;
	else if (strcmp(v, "no") == 0)
		*out = DOMXML_NO;
	else
		ret = XML_FAIL(err, "attribute %s='%s' of <%s> (line %ld) must be 'yes' or 'no'",
			       name, v, node_name(n), xmlGetLineNo(n));
	free(v);
	return ret;
}

/* Decimal without sign, whitespace-trimmed, at most @max. */
static int parse_uint(const xmlNode *n, const char *what, const char *text, uint64_t max,
		      uint64_t *out, struct domxml_error *err)
{
	uint64_t v = 0;

	if (!*text)
		return XML_FAIL(err, "%s (line %ld) is empty", what, xmlGetLineNo(n));
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return XML_FAIL(err, "%s '%s' (line %ld) is not a decimal number", what,
					text, xmlGetLineNo(n));
		if (v > (UINT64_MAX - (uint64_t)(*c - '0')) / 10)
			return XML_FAIL(err, "%s '%s' (line %ld) is too large", what, text,
					xmlGetLineNo(n));
		v = v * 10 + (uint64_t)(*c - '0');
	}
	if (v > max)
		return XML_FAIL(err, "%s %" PRIu64 " (line %ld) is above the maximum %" PRIu64, what,
				v, xmlGetLineNo(n), max);
	*out = v;
	return 0;
}

/* libvirt's policy values are hexadecimal, "0x" optional (strtoull base 16). */
static int parse_hex64(const xmlNode *n, const char *what, const char *text, uint64_t *out,
		       struct domxml_error *err)
{
	const char *c = text;
	uint64_t v = 0;

	if (c[0] == '0' && (c[1] == 'x' || c[1] == 'X'))
		c += 2;
	if (!*c || strlen(c) > 16)
		return XML_FAIL(err, "%s '%s' (line %ld) is not a 64-bit hexadecimal number", what,
				text, xmlGetLineNo(n));
	for (; *c; c++) {
		int d = *c >= '0' && *c <= '9' ? *c - '0' :
			*c >= 'a' && *c <= 'f' ? *c - 'a' + 10 :
			*c >= 'A' && *c <= 'F' ? *c - 'A' + 10 : -1;
		if (d < 0)
			return XML_FAIL(err, "%s '%s' (line %ld) is not a 64-bit hexadecimal number",
					what, text, xmlGetLineNo(n));
		v = v << 4 | (uint64_t)d;
	}
	*out = v;
	return 0;
}

static int b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Strict base64 (standard alphabet, '=' padding, whitespace ignored as in
 * wrapped text) of exactly @len bytes.
 */
static int parse_base64_exact(const xmlNode *n, const char *what, const char *text,
			      uint8_t *out, size_t len, struct domxml_error *err)
{
	uint32_t acc = 0;
	size_t bits = 0, produced = 0, pad = 0, chars = 0;

	for (const char *c = text; *c; c++) {
		int v;

		if (*c == ' ' || *c == '\t' || *c == '\n' || *c == '\r')
			continue;
		chars++;
		if (*c == '=') {
			pad++;
			continue;
		}
		v = b64_value(*c);
		if (v < 0 || pad)
			return XML_FAIL(err, "%s (line %ld) is not valid base64", what,
					xmlGetLineNo(n));
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (produced == len)
				return XML_FAIL(err, "%s (line %ld) decodes to more than %zu bytes",
						what, xmlGetLineNo(n), len);
			out[produced++] = (uint8_t)(acc >> bits);
		}
	}
	if (chars % 4 || pad > 2 || (acc & ((1u << bits) - 1)))
		return XML_FAIL(err, "%s (line %ld) is not valid base64", what, xmlGetLineNo(n));
	if (produced != len)
		return XML_FAIL(err, "%s (line %ld) decodes to %zu bytes, expected %zu", what,
				xmlGetLineNo(n), produced, len);
	return 0;
}

/* 8-4-4-4-12 or 32 hex digits (what libvirt's own dumpxml and users write). */
static int parse_uuid(const xmlNode *n, const char *text, uint8_t uuid[16],
		      struct domxml_error *err)
{
	size_t digits = 0, len = strlen(text);
	bool dashed = len == 36;

	if (len != 36 && len != 32)
		goto bad;
	for (size_t i = 0; i < len; i++) {
		int d;
		char c = text[i];

		if (dashed && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (c != '-')
				goto bad;
			continue;
		}
		d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
			c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			goto bad;
		if (digits % 2 == 0)
			uuid[digits / 2] = (uint8_t)(d << 4);
		else
			uuid[digits / 2] |= (uint8_t)d;
		digits++;
	}
	return 0;
bad:
	return XML_FAIL(err, "malformed uuid element '%s' (line %ld): expected "
			"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", text, xmlGetLineNo(n));
}

void domxml_uuid_format(const uint8_t uuid[16], char out[37])
{
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8],
		 uuid[9], uuid[10], uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]);
}

/* A random (version 4) UUID, as libvirt generates for definitions without one. */
static int generate_uuid(uint8_t uuid[16], struct domxml_error *err)
{
	if (RAND_bytes(uuid, 16) != 1)
		return fail(err, DOMXML_VIR_ERR_INTERNAL_ERROR, -EIO,
			    "cannot generate a domain UUID: the OpenSSL random generator failed");
	uuid[6] = (uint8_t)((uuid[6] & 0x0f) | 0x40);
	uuid[8] = (uint8_t)((uuid[8] & 0x3f) | 0x80);
	return 0;
}

/*
 * libvirt's scaled integers (virScaleInteger): no unit = KiB; b/byte/bytes;
 * k/KiB, M/MiB, ... powers of 1024; KB, MB, ... powers of 1000; the letter
 * is case-insensitive.  The result is rounded up to whole KiB, as libvirt does.
 */
static int parse_memory(const xmlNode *n, const char *what, uint64_t *kib,
			struct domxml_error *err)
{
	static const char *const attrs[] = { "unit", NULL };
	static const char prefixes[] = "kmgtpe";
	char *unit = NULL, *raw = NULL, *text;
	uint64_t value, scale = 1024, bytes;
	int ret;

	if ((ret = check_attrs(n, attrs, err)) || (ret = attr_dup(n, "unit", &unit, err)) ||
	    (ret = text_of(n, &raw, err)))
		goto out;
	text = trim(raw);
	if ((ret = parse_uint(n, what, text, UINT64_MAX, &value, err)))
		goto out;
	if (unit) {
		const char *p = strchr(prefixes, unit[0] >= 'A' && unit[0] <= 'Z' ?
						       unit[0] - 'A' + 'a' : unit[0]);
		if (!strcmp(unit, "b") || !strcmp(unit, "byte") || !strcmp(unit, "bytes")) {
			scale = 1;
		} else if (unit[0] && p) {
			uint64_t base = strcasecmp(unit + 1, "b") == 0 ? 1000 :
					(!unit[1] || strcasecmp(unit + 1, "ib") == 0) ? 1024 : 0;
			if (!base)
				goto bad_unit;
			scale = 1;
			for (const char *q = prefixes; q <= p; q++)
				scale *= base;
		} else {
			goto bad_unit;
		}
	}
	if (__builtin_mul_overflow(value, scale, &bytes)) {
		ret = XML_FAIL(err, "%s %s %s (line %ld) is too large", what, text,
			       unit ? unit : "KiB", xmlGetLineNo(n));
		goto out;
	}
	*kib = bytes / 1024 + (bytes % 1024 != 0);
	if (!*kib)
		ret = XML_FAIL(err, "%s (line %ld) must be greater than zero", what,
			       xmlGetLineNo(n));
	goto out;
bad_unit:
	ret = XML_FAIL(err, "unknown unit '%s' of <%s> (line %ld): use b, KiB, MiB, GiB, TiB "
		       "(or KB, MB, ... for powers of 1000)", unit, node_name(n), xmlGetLineNo(n));
out:
	free(unit);
	free(raw);
	return ret;
}

/* Text of a leaf element with no attributes, whitespace-trimmed, in a malloc'd copy. */
static int leaf_text(const xmlNode *n, char **out, bool trimmed, struct domxml_error *err)
{
	char *raw;
	int ret;

	if ((ret = check_attrs(n, NULL, err)) || (ret = text_of(n, &raw, err)))
		return ret;
	if (!trimmed) {
		*out = raw;
		return 0;
	}
	*out = strdup(trim(raw));
	free(raw);
	return *out ? 0 : NOMEM(err);
}

static int leaf_uint(const xmlNode *n, uint64_t max, uint64_t *out, struct domxml_error *err)
{
	char *text;
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "<%s>", node_name(n));
	if ((ret = leaf_text(n, &text, true, err)))
		return ret;
	ret = parse_uint(n, what, text, max, out, err);
	free(text);
	return ret;
}

static int leaf_hex64(const xmlNode *n, uint64_t *out, struct domxml_error *err)
{
	char *text;
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "<%s>", node_name(n));
	if ((ret = leaf_text(n, &text, true, err)))
		return ret;
	ret = parse_hex64(n, what, text, out, err);
	free(text);
	return ret;
}

static int leaf_base64(const xmlNode *n, uint8_t *out, size_t len, struct domxml_error *err)
{
	char *text;
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "<%s>", node_name(n));
	if ((ret = leaf_text(n, &text, false, err)))
		return ret;
	ret = parse_base64_exact(n, what, text, out, len, err);
	free(text);
	return ret;
}

/* An element given twice would silently override the first: refused. */
static int once(const xmlNode *n, bool *seen, struct domxml_error *err)
{
	if (*seen)
		return XML_FAIL(err, "element <%s> (line %ld) appears more than once", node_name(n),
				xmlGetLineNo(n));
	*seen = true;
	return 0;
}

static int unsupported_child(const xmlNode *n, const xmlNode *parent, struct domxml_error *err)
{
	return UNSUPPORTED(err, "element <%s> in <%s> (line %ld) is not supported by the coco "
			   "driver (see docs/domain-xml.md)", node_name(n), node_name(parent),
			   xmlGetLineNo(n));
}

#define FOR_EACH_ELEMENT(child, parent)                                               \
	for (const xmlNode *child = (parent)->children; child; child = child->next) \
		if ((ret = check_node_kind(child, parent, err)) != 0)                 \
			return ret;                                                   \
		else if (child->type == XML_ELEMENT_NODE)

static int parse_os(const xmlNode *os, struct domxml_domain *d, struct domxml_error *err)
{
	static const char *const type_attrs[] = { "arch", "machine", NULL };
	static const char *const loader_attrs[] = { "readonly", "secure", "type", "stateless",
						    "format", NULL };
	bool seen_type = false;
	int ret;

	if ((ret = check_attrs(os, NULL, err)))
		return ret;
	FOR_EACH_ELEMENT(c, os) {
		if (is_named(c, "type")) {
			char *text;

			if ((ret = once(c, &seen_type, err)) || (ret = check_attrs(c, type_attrs, err)) ||
			    (ret = attr_dup(c, "arch", &d->os_arch, err)) ||
			    (ret = attr_dup(c, "machine", &d->os_machine, err)) ||
			    (ret = text_of(c, &text, err)))
				return ret;
			ret = strcmp(trim(text), "hvm") ?
				UNSUPPORTED(err, "os type '%s' (line %ld): the coco driver runs "
					    "'hvm' guests only", trim(text), xmlGetLineNo(c)) : 0;
			free(text);
			if (ret)
				return ret;
			if (d->os_arch && strcmp(d->os_arch, "x86_64"))
				return UNSUPPORTED(err, "architecture '%s' (line %ld): confidential "
						   "domains are x86_64 only", d->os_arch,
						   xmlGetLineNo(c));
		} else if (is_named(c, "loader")) {
			struct domxml_loader *l = &d->loader;

			if (l->path)
				return once(c, &(bool){ true }, err);
			if ((ret = check_attrs(c, loader_attrs, err)) ||
			    (ret = attr_yesno(c, "readonly", &l->readonly, err)) ||
			    (ret = attr_yesno(c, "secure", &l->secure, err)) ||
			    (ret = attr_yesno(c, "stateless", &l->stateless, err)) ||
			    (ret = attr_dup(c, "type", &l->type, err)) ||
			    (ret = attr_dup(c, "format", &l->format, err)) ||
			    (ret = text_of(c, &l->path, err)))
				return ret;
			if (l->secure == DOMXML_YES)
				return UNSUPPORTED(err, "loader secure='yes' (line %ld): the coco "
						   "driver has no SMM-protected firmware variables",
						   xmlGetLineNo(c));
			if (l->type && strcmp(l->type, "rom") && strcmp(l->type, "pflash"))
				return XML_FAIL(err, "loader type '%s' (line %ld) must be 'rom' or "
						"'pflash'", l->type, xmlGetLineNo(c));
			if (l->format && strcmp(l->format, "raw"))
				return UNSUPPORTED(err, "loader format '%s' (line %ld): only 'raw' "
						   "firmware images are supported", l->format,
						   xmlGetLineNo(c));
			if (!*l->path)
				return XML_FAIL(err, "<loader> (line %ld) needs a firmware path",
						xmlGetLineNo(c));
		} else if (is_named(c, "kernel") || is_named(c, "initrd") ||
			   is_named(c, "cmdline")) {
			char **slot = is_named(c, "kernel") ? &d->kernel :
				      is_named(c, "initrd") ? &d->initrd : &d->cmdline;
			if (*slot)
				return once(c, &(bool){ true }, err);
			if ((ret = leaf_text(c, slot, false, err)))
				return ret;
		} else {
			return unsupported_child(c, os, err);
		}
	}
	if (!seen_type)
		return XML_FAIL(err, "<os> needs <type>hvm</type>");
	if (!d->os_arch && !(d->os_arch = strdup("x86_64")))
		return NOMEM(err);
	if ((d->initrd || d->cmdline) && !d->kernel)
		return XML_FAIL(err, "<initrd> and <cmdline> need <kernel> (direct kernel boot)");
	return 0;
}

static int parse_features(const xmlNode *features, struct domxml_domain *d,
			  struct domxml_error *err)
{
	int ret;

	if ((ret = check_attrs(features, NULL, err)))
		return ret;
	FOR_EACH_ELEMENT(c, features) {
		bool *flag = is_named(c, "acpi") ? &d->feature_acpi :
			     is_named(c, "apic") ? &d->feature_apic : NULL;
		char *text;

		if (!flag)
			return UNSUPPORTED(err, "feature <%s> (line %ld) is not supported by the "
					   "coco driver (supported: acpi, apic)", node_name(c),
					   xmlGetLineNo(c));
		if ((ret = once(c, flag, err)) || (ret = leaf_text(c, &text, true, err)))
			return ret;
		ret = *text ? XML_FAIL(err, "<%s> (line %ld) takes no value", node_name(c),
				       xmlGetLineNo(c)) : 0;
		free(text);
		if (ret)
			return ret;
	}
	return 0;
}

/* <target> of a serial port or console: only port 0 of the one serial port. */
static int parse_char_target(const xmlNode *t, const char *device, const char *target_type,
			     struct domxml_error *err)
{
	static const char *const attrs[] = { "type", "port", NULL };
	char *type = NULL, *port = NULL, *text = NULL;
	int ret;

	if ((ret = check_attrs(t, attrs, err)) || (ret = attr_dup(t, "type", &type, err)) ||
	    (ret = attr_dup(t, "port", &port, err)) || (ret = text_of(t, &text, err)))
		goto out;
	if (type && strcmp(type, target_type))
		ret = UNSUPPORTED(err, "%s target type '%s' (line %ld): only '%s' is supported",
				  device, type, xmlGetLineNo(t), target_type);
	else if (port && strcmp(port, "0"))
		ret = UNSUPPORTED(err, "%s target port '%s' (line %ld): only port 0 is supported",
				  device, port, xmlGetLineNo(t));
	else if (*trim(text))
		ret = XML_FAIL(err, "<target> (line %ld) takes no value", xmlGetLineNo(t));
out:
	free(type);
	free(port);
	free(text);
	return ret;
}

static int parse_char_device(const xmlNode *n, bool *present, const char *target_type,
			     struct domxml_error *err)
{
	static const char *const attrs[] = { "type", NULL };
	bool seen_target = false;
	char *type;
	int ret;

	if ((ret = once(n, present, err)) || (ret = check_attrs(n, attrs, err)) ||
	    (ret = attr_dup(n, "type", &type, err)))
		return ret;
	ret = !type || strcmp(type, "pty") ?
		UNSUPPORTED(err, "%s type '%s' (line %ld): only type='pty' is supported",
			    node_name(n), type ? type : "(none)", xmlGetLineNo(n)) : 0;
	free(type);
	if (ret)
		return ret;
	FOR_EACH_ELEMENT(c, n) {
		if (!is_named(c, "target"))
			return unsupported_child(c, n, err);
		if ((ret = once(c, &seen_target, err)) ||
		    (ret = parse_char_target(c, node_name(n), target_type, err)))
			return ret;
	}
	return 0;
}

static int parse_devices(const xmlNode *devices, struct domxml_domain *d,
			 struct domxml_error *err)
{
	int ret;

	if ((ret = check_attrs(devices, NULL, err)))
		return ret;
	FOR_EACH_ELEMENT(c, devices) {
		if (is_named(c, "serial"))
			ret = parse_char_device(c, &d->serial_pty, "isa-serial", err);
		else if (is_named(c, "console"))
			ret = parse_char_device(c, &d->console_pty, "serial", err);
		else
			ret = UNSUPPORTED(err, "device <%s> (line %ld) is not supported by the coco "
					  "driver (supported: one pty <serial> and one pty <console>)",
					  node_name(c), xmlGetLineNo(c));
		if (ret)
			return ret;
	}
	return 0;
}

static int parse_sev_snp(const xmlNode *ls, struct domxml_domain *d, struct domxml_error *err)
{
	static const char *const attrs[] = { "type", "kernelHashes", "authorKey", "vcek", NULL };
	struct domxml_sev_snp *s = &d->sec.snp;
	bool seen_policy = false;
	int ret;

	s->policy = COCO_SNP_POLICY_DEFAULT;
	if ((ret = check_attrs(ls, attrs, err)) ||
	    (ret = attr_yesno(ls, "kernelHashes", &s->kernel_hashes, err)) ||
	    (ret = attr_yesno(ls, "authorKey", &s->author_key, err)) ||
	    (ret = attr_yesno(ls, "vcek", &s->vcek, err)))
		return ret;
	FOR_EACH_ELEMENT(c, ls) {
		uint64_t v;

		if (is_named(c, "cbitpos") || is_named(c, "reducedPhysBits")) {
			bool cbit = is_named(c, "cbitpos");

			/* Physical address bit numbers: below 64. */
			if ((ret = once(c, cbit ? &s->has_cbitpos : &s->has_reduced_phys_bits, err)) ||
			    (ret = leaf_uint(c, 63, &v, err)))
				return ret;
			*(cbit ? &s->cbitpos : &s->reduced_phys_bits) = (unsigned)v;
		} else if (is_named(c, "policy")) {
			if ((ret = once(c, &seen_policy, err)) || (ret = leaf_hex64(c, &s->policy, err)))
				return ret;
		} else if (is_named(c, "guestVisibleWorkarounds")) {
			if ((ret = once(c, &s->has_gosvw, err)) ||
			    (ret = leaf_base64(c, s->gosvw, sizeof(s->gosvw), err)))
				return ret;
		} else if (is_named(c, "idBlock")) {
			if ((ret = once(c, &s->has_id_block, err)) ||
			    (ret = leaf_base64(c, s->id_block, sizeof(s->id_block), err)))
				return ret;
		} else if (is_named(c, "idAuth")) {
			if ((ret = once(c, &s->has_id_auth, err)) ||
			    (ret = leaf_base64(c, s->id_auth, sizeof(s->id_auth), err)))
				return ret;
		} else if (is_named(c, "hostData")) {
			if ((ret = once(c, &s->has_host_data, err)) ||
			    (ret = leaf_base64(c, s->host_data, sizeof(s->host_data), err)))
				return ret;
		} else {
			return unsupported_child(c, ls, err);
		}
	}
	/* SNP_LAUNCH_FINISH: the ID auth structure signs an ID block. */
	if (s->has_id_auth != s->has_id_block)
		return XML_FAIL(err, "launchSecurity sev-snp: <idBlock> and <idAuth> go together "
				"(the ID authentication structure signs the ID block)");
	if (s->author_key == DOMXML_YES && !s->has_id_auth)
		return XML_FAIL(err, "launchSecurity sev-snp: authorKey='yes' needs <idAuth> "
				"carrying the author key");
	if (s->kernel_hashes == DOMXML_YES && !d->kernel)
		return XML_FAIL(err, "launchSecurity sev-snp: kernelHashes='yes' needs direct "
				"kernel boot (<os><kernel>)");
	return 0;
}

static int parse_tdx(const xmlNode *ls, struct domxml_domain *d, struct domxml_error *err)
{
	static const char *const attrs[] = { "type", NULL };
	static const char *const qgs_attrs[] = { "path", NULL };
	struct domxml_tdx *t = &d->sec.tdx;
	bool seen_policy = false;
	int ret;

	t->policy = COCO_TDX_ATTR_DEFAULT;
	if ((ret = check_attrs(ls, attrs, err)))
		return ret;
	FOR_EACH_ELEMENT(c, ls) {
		if (is_named(c, "policy")) {
			if ((ret = once(c, &seen_policy, err)) || (ret = leaf_hex64(c, &t->policy, err)))
				return ret;
		} else if (is_named(c, "mrConfigId")) {
			if ((ret = once(c, &t->has_mrconfigid, err)) ||
			    (ret = leaf_base64(c, t->mrconfigid, COCO_TDX_MR_SIZE, err)))
				return ret;
		} else if (is_named(c, "mrOwner")) {
			if ((ret = once(c, &t->has_mrowner, err)) ||
			    (ret = leaf_base64(c, t->mrowner, COCO_TDX_MR_SIZE, err)))
				return ret;
		} else if (is_named(c, "mrOwnerConfig")) {
			if ((ret = once(c, &t->has_mrownerconfig, err)) ||
			    (ret = leaf_base64(c, t->mrownerconfig, COCO_TDX_MR_SIZE, err)))
				return ret;
		} else if (is_named(c, "quoteGenerationService")) {
			char *text;

			if ((ret = once(c, &t->has_qgs, err)) || (ret = check_attrs(c, qgs_attrs, err)) ||
			    (ret = attr_dup(c, "path", &t->qgs_path, err)) ||
			    (ret = text_of(c, &text, err)))
				return ret;
			ret = *trim(text) ? XML_FAIL(err, "<quoteGenerationService> (line %ld) takes "
						     "its socket as path='...', not as text",
						     xmlGetLineNo(c)) : 0;
			free(text);
			if (ret)
				return ret;
			if (t->qgs_path && t->qgs_path[0] != '/')
				return XML_FAIL(err, "quoteGenerationService path '%s' (line %ld) must "
						"be absolute", t->qgs_path, xmlGetLineNo(c));
		} else {
			return unsupported_child(c, ls, err);
		}
	}
	return 0;
}

static int parse_launch_security(const xmlNode *ls, struct domxml_domain *d,
				 struct domxml_error *err)
{
	char *type;
	int ret;

	if ((ret = attr_dup(ls, "type", &type, err)))
		return ret;
	if (!type)
		ret = XML_FAIL(err, "<launchSecurity> (line %ld) needs a type", xmlGetLineNo(ls));
	else if (!strcmp(type, "sev-snp"))
		d->sectype = DOMXML_SEC_SEV_SNP;
	else if (!strcmp(type, "tdx"))
		d->sectype = DOMXML_SEC_TDX;
	else
		ret = UNSUPPORTED(err, "launchSecurity type '%s' (line %ld) is not supported by the "
				  "coco driver (supported: sev-snp, tdx)", type, xmlGetLineNo(ls));
	free(type);
	if (ret)
		return ret;
	return d->sectype == DOMXML_SEC_SEV_SNP ? parse_sev_snp(ls, d, err) : parse_tdx(ls, d, err);
}

/* on_poweroff / on_reboot / on_crash: a coco-vmm guest that stops is gone. */
static int parse_lifecycle_action(const xmlNode *n, struct domxml_error *err)
{
	char *text;
	int ret = leaf_text(n, &text, true, err);

	if (ret)
		return ret;
	if (strcmp(text, "destroy"))
		ret = UNSUPPORTED(err, "<%s>%s</%s> (line %ld): the coco driver only supports "
				  "'destroy'", node_name(n), text, node_name(n), xmlGetLineNo(n));
	free(text);
	return ret;
}

static int parse_name(const xmlNode *n, struct domxml_domain *d, struct domxml_error *err)
{
	int ret = leaf_text(n, &d->name, false, err);

	if (ret)
		return ret;
	if (!*d->name)
		return XML_FAIL(err, "missing name information (line %ld)", xmlGetLineNo(n));
	if (strlen(d->name) > DOMXML_MAX_NAME)
		return XML_FAIL(err, "domain name (line %ld) is longer than %d bytes",
				xmlGetLineNo(n), DOMXML_MAX_NAME);
	for (const unsigned char *c = (const unsigned char *)d->name; *c; c++)
		if (*c == '/' || *c < 0x20 || *c == 0x7f)
			return XML_FAIL(err, "name '%s' (line %ld) cannot contain '/' or control "
					"characters", d->name, xmlGetLineNo(n));
	return 0;
}

static int parse_domain(const xmlNode *root, struct domxml_domain *d, struct domxml_error *err)
{
	static const char *const attrs[] = { "type", NULL };
	static const char *const vcpu_attrs[] = { "placement", NULL };
	bool seen_uuid = false, seen_memory = false, seen_current = false, seen_vcpu = false;
	bool seen_os = false, seen_features = false, seen_devices = false, seen_ls = false;
	bool seen_poweroff = false, seen_reboot = false, seen_crash = false, seen_name = false;
	int ret;

	if (root->ns)
		return XML_FAIL(err, "the root element must be <domain> without a namespace");
	if (!is_named(root, "domain"))
		return XML_FAIL(err, "expected root element <domain>, not <%s>", node_name(root));
	if ((ret = check_attrs(root, attrs, err)) || (ret = attr_dup(root, "type", &d->type, err)))
		return ret;
	if (!d->type)
		return XML_FAIL(err, "missing domain type attribute (<domain type='kvm'>)");
	if (strcmp(d->type, "kvm"))
		return UNSUPPORTED(err, "domain type '%s': the coco driver runs 'kvm' domains",
				   d->type);

	FOR_EACH_ELEMENT(c, root) {
		if (is_named(c, "name")) {
			if ((ret = once(c, &seen_name, err)) || (ret = parse_name(c, d, err)))
				return ret;
		} else if (is_named(c, "uuid")) {
			char *text;

			if ((ret = once(c, &seen_uuid, err)) || (ret = leaf_text(c, &text, true, err)))
				return ret;
			ret = parse_uuid(c, text, d->uuid, err);
			free(text);
			if (ret)
				return ret;
		} else if (is_named(c, "memory")) {
			if ((ret = once(c, &seen_memory, err)) ||
			    (ret = parse_memory(c, "<memory>", &d->memory_kib, err)))
				return ret;
		} else if (is_named(c, "currentMemory")) {
			if ((ret = once(c, &seen_current, err)) ||
			    (ret = parse_memory(c, "<currentMemory>", &d->current_memory_kib, err)))
				return ret;
		} else if (is_named(c, "vcpu")) {
			char *placement;
			char *text;
			uint64_t v;

			if ((ret = once(c, &seen_vcpu, err)) || (ret = check_attrs(c, vcpu_attrs, err)) ||
			    (ret = attr_dup(c, "placement", &placement, err)))
				return ret;
			ret = placement && strcmp(placement, "static") ?
				UNSUPPORTED(err, "vcpu placement '%s' (line %ld): only 'static' is "
					    "supported", placement, xmlGetLineNo(c)) : 0;
			free(placement);
			if (ret || (ret = text_of(c, &text, err)))
				return ret;
			ret = parse_uint(c, "<vcpu>", trim(text), DOMXML_MAX_VCPUS, &v, err);
			free(text);
			if (ret)
				return ret;
			if (!v)
				return XML_FAIL(err, "<vcpu> (line %ld) must be at least 1",
						xmlGetLineNo(c));
			d->vcpus = (unsigned)v;
		} else if (is_named(c, "os")) {
			if ((ret = once(c, &seen_os, err)) || (ret = parse_os(c, d, err)))
				return ret;
		} else if (is_named(c, "features")) {
			if ((ret = once(c, &seen_features, err)) || (ret = parse_features(c, d, err)))
				return ret;
		} else if (is_named(c, "devices")) {
			if ((ret = once(c, &seen_devices, err)) || (ret = parse_devices(c, d, err)))
				return ret;
		} else if (is_named(c, "launchSecurity")) {
			/* After <os>: kernelHashes is checked against <kernel> below. */
			if ((ret = once(c, &seen_ls, err)))
				return ret;
		} else if (is_named(c, "on_poweroff") || is_named(c, "on_reboot") ||
			   is_named(c, "on_crash")) {
			bool *seen = is_named(c, "on_poweroff") ? &seen_poweroff :
				     is_named(c, "on_reboot") ? &seen_reboot : &seen_crash;
			if ((ret = once(c, seen, err)) || (ret = parse_lifecycle_action(c, err)))
				return ret;
		} else {
			return unsupported_child(c, root, err);
		}
	}
	if (!seen_name)
		return XML_FAIL(err, "missing name information");
	if (!seen_memory)
		return XML_FAIL(err, "missing <memory>: a confidential domain needs its RAM size");
	if (!seen_os)
		return XML_FAIL(err, "missing <os> (<os><type arch='x86_64'>hvm</type></os>)");
	if (!seen_ls)
		return UNSUPPORTED(err, "the coco driver runs confidential domains only: add "
				   "<launchSecurity type='sev-snp'> or <launchSecurity type='tdx'>");
	if (!seen_uuid && (ret = generate_uuid(d->uuid, err)))
		return ret;
	if (!seen_vcpu)
		d->vcpus = 1;
	if (!seen_current)
		d->current_memory_kib = d->memory_kib;
	if (d->current_memory_kib > d->memory_kib)
		return XML_FAIL(err, "currentMemory (%" PRIu64 " KiB) is larger than memory (%" PRIu64
				" KiB)", d->current_memory_kib, d->memory_kib);
	for (const xmlNode *c = root->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE && is_named(c, "launchSecurity"))
			return parse_launch_security(c, d, err);
	return 0;
}

/* libxml2's encoding layer reports through the (per-thread) generic handler. */
static void COCO_PRINTF(2, 3) discard_libxml2_message(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

int domxml_parse(const char *xml, size_t len, struct domxml_domain **out,
		 struct domxml_error *err)
{
	/*
	 * NONET: no network fetches.  No NOENT/DTDLOAD/DTDATTR: entities are
	 * never substituted and no external DTD is read; a DOCTYPE is refused
	 * below.  NOERROR/NOWARNING: no output on stderr, errors come back here.
	 */
	const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	struct domxml_domain *d;
	xmlParserCtxtPtr ctxt;
	xmlDocPtr doc;
	int ret;

	*out = NULL;
	if (!xml || !len)
		return XML_FAIL(err, "empty domain definition");
	if (len > DOMXML_MAX_SIZE)
		return XML_FAIL(err, "domain definition of %zu bytes is larger than the %u bytes "
				"allowed", len, DOMXML_MAX_SIZE);
	xmlSetGenericErrorFunc(NULL, discard_libxml2_message);
	ctxt = xmlNewParserCtxt();
	if (!ctxt)
		return NOMEM(err);
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "domain.xml", NULL, options);
	if (!doc || !ctxt->wellFormed) {
		const xmlError *e = xmlCtxtGetLastError(ctxt);
		char msg[256];

		snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "not well-formed");
		msg[strcspn(msg, "\n")] = '\0';
		ret = XML_FAIL(err, "malformed XML at line %d: %s", e ? e->line : 0, msg);
		goto out_doc;
	}
	if (doc->intSubset || doc->extSubset) {
		ret = XML_FAIL(err, "a DOCTYPE is not allowed in a domain definition (entities and "
			       "DTDs are not processed)");
		goto out_doc;
	}
	d = calloc(1, sizeof(*d));
	if (!d) {
		ret = NOMEM(err);
		goto out_doc;
	}
	ret = parse_domain(xmlDocGetRootElement(doc), d, err);
	if (ret)
		domxml_free(d);
	else
		*out = d;
out_doc:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	return ret;
}

void domxml_free(struct domxml_domain *dom)
{
	if (!dom)
		return;
	free(dom->type);
	free(dom->name);
	free(dom->os_arch);
	free(dom->os_machine);
	free(dom->loader.path);
	free(dom->loader.type);
	free(dom->loader.format);
	free(dom->kernel);
	free(dom->initrd);
	free(dom->cmdline);
	if (dom->sectype == DOMXML_SEC_TDX)
		free(dom->sec.tdx.qgs_path);
	else if (dom->sectype == DOMXML_SEC_SEV_SNP)
		coco_wipe(&dom->sec.snp, sizeof(dom->sec.snp));
	free(dom);
}

/* ------------------------------------------------------------------ */
/* Writer                                                               */

struct buf {
	char *data;
	size_t len, cap;
	bool failed;
};

static void COCO_PRINTF(2, 3) put(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(b->data ? b->data + b->len : NULL, b->data ? b->cap - b->len : 0, fmt,
			      ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if (b->data && (size_t)n < b->cap - b->len) {
			b->len += (size_t)n;
			return;
		}
		size_t cap = b->cap ? b->cap : 1024;
		while (cap <= b->len + (size_t)n)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p) {
			b->failed = true;
			return;
		}
		b->data = p;
		b->cap = cap;
	}
}

/*
 * Text or attribute value with XML's special characters escaped; tab, CR
 * and LF as character references, since a parser normalises them inside
 * attribute values (and CR everywhere), which would break the round trip.
 */
static void put_escaped(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': put(b, "&lt;"); break;
		case '>': put(b, "&gt;"); break;
		case '&': put(b, "&amp;"); break;
		case '\'': put(b, "&apos;"); break;
		case '"': put(b, "&quot;"); break;
		case '\t': put(b, "&#9;"); break;
		case '\n': put(b, "&#10;"); break;
		case '\r': put(b, "&#13;"); break;
		default: put(b, "%c", *s); break;
		}
	}
}

static void put_leaf(struct buf *b, const char *indent, const char *name, const char *text)
{
	put(b, "%s<%s>", indent, name);
	put_escaped(b, text);
	put(b, "</%s>\n", name);
}

static void put_yesno(struct buf *b, const char *name, enum domxml_tristate v)
{
	if (v != DOMXML_UNSET)
		put(b, " %s='%s'", name, v == DOMXML_YES ? "yes" : "no");
}

static void put_base64(struct buf *b, const char *name, const uint8_t *data, size_t len)
{
	char *text = coco_base64_encode(data, len);

	if (!text) {
		b->failed = true;
		return;
	}
	put_leaf(b, "    ", name, text);
	free(text);
}

static void format_os(struct buf *b, const struct domxml_domain *d)
{
	const struct domxml_loader *l = &d->loader;

	put(b, "  <os>\n    <type arch='");
	put_escaped(b, d->os_arch);
	put(b, "'");
	if (d->os_machine) {
		put(b, " machine='");
		put_escaped(b, d->os_machine);
		put(b, "'");
	}
	put(b, ">hvm</type>\n");
	if (l->path) {
		put(b, "    <loader");
		put_yesno(b, "readonly", l->readonly);
		put_yesno(b, "secure", l->secure);
		if (l->type)
			put(b, " type='%s'", l->type);
		if (l->format)
			put(b, " format='%s'", l->format);
		put_yesno(b, "stateless", l->stateless);
		put(b, ">");
		put_escaped(b, l->path);
		put(b, "</loader>\n");
	}
	if (d->kernel)
		put_leaf(b, "    ", "kernel", d->kernel);
	if (d->initrd)
		put_leaf(b, "    ", "initrd", d->initrd);
	if (d->cmdline)
		put_leaf(b, "    ", "cmdline", d->cmdline);
	put(b, "  </os>\n");
}

static void format_launch_security(struct buf *b, const struct domxml_domain *d)
{
	if (d->sectype == DOMXML_SEC_SEV_SNP) {
		const struct domxml_sev_snp *s = &d->sec.snp;

		put(b, "  <launchSecurity type='sev-snp'");
		put_yesno(b, "kernelHashes", s->kernel_hashes);
		put_yesno(b, "authorKey", s->author_key);
		put_yesno(b, "vcek", s->vcek);
		put(b, ">\n");
		if (s->has_cbitpos)
			put(b, "    <cbitpos>%u</cbitpos>\n", s->cbitpos);
		if (s->has_reduced_phys_bits)
			put(b, "    <reducedPhysBits>%u</reducedPhysBits>\n", s->reduced_phys_bits);
		put(b, "    <policy>0x%05" PRIx64 "</policy>\n", s->policy);
		if (s->has_gosvw)
			put_base64(b, "guestVisibleWorkarounds", s->gosvw, sizeof(s->gosvw));
		if (s->has_id_block)
			put_base64(b, "idBlock", s->id_block, sizeof(s->id_block));
		if (s->has_id_auth)
			put_base64(b, "idAuth", s->id_auth, sizeof(s->id_auth));
		if (s->has_host_data)
			put_base64(b, "hostData", s->host_data, sizeof(s->host_data));
	} else {
		const struct domxml_tdx *t = &d->sec.tdx;

		put(b, "  <launchSecurity type='tdx'>\n");
		put(b, "    <policy>0x%08" PRIx64 "</policy>\n", t->policy);
		if (t->has_mrconfigid)
			put_base64(b, "mrConfigId", t->mrconfigid, COCO_TDX_MR_SIZE);
		if (t->has_mrowner)
			put_base64(b, "mrOwner", t->mrowner, COCO_TDX_MR_SIZE);
		if (t->has_mrownerconfig)
			put_base64(b, "mrOwnerConfig", t->mrownerconfig, COCO_TDX_MR_SIZE);
		if (t->has_qgs) {
			put(b, "    <quoteGenerationService");
			if (t->qgs_path) {
				put(b, " path='");
				put_escaped(b, t->qgs_path);
				put(b, "'");
			}
			put(b, "/>\n");
		}
	}
	put(b, "  </launchSecurity>\n");
}

char *domxml_format(const struct domxml_domain *d)
{
	struct buf b = { 0 };
	char uuid[37];

	domxml_uuid_format(d->uuid, uuid);
	put(&b, "<domain type='");
	put_escaped(&b, d->type);
	put(&b, "'>\n");
	put_leaf(&b, "  ", "name", d->name);
	put(&b, "  <uuid>%s</uuid>\n", uuid);
	put(&b, "  <memory unit='KiB'>%" PRIu64 "</memory>\n", d->memory_kib);
	put(&b, "  <currentMemory unit='KiB'>%" PRIu64 "</currentMemory>\n",
	    d->current_memory_kib);
	put(&b, "  <vcpu placement='static'>%u</vcpu>\n", d->vcpus);
	format_os(&b, d);
	if (d->feature_acpi || d->feature_apic)
		put(&b, "  <features>\n%s%s  </features>\n", d->feature_acpi ? "    <acpi/>\n" : "",
		    d->feature_apic ? "    <apic/>\n" : "");
	put(&b, "  <on_poweroff>destroy</on_poweroff>\n  <on_reboot>destroy</on_reboot>\n"
		"  <on_crash>destroy</on_crash>\n");
	if (d->serial_pty || d->console_pty) {
		put(&b, "  <devices>\n");
		if (d->serial_pty)
			put(&b, "    <serial type='pty'>\n      <target type='isa-serial' port='0'/>\n"
				"    </serial>\n");
		if (d->console_pty)
			put(&b, "    <console type='pty'>\n      <target type='serial' port='0'/>\n"
				"    </console>\n");
		put(&b, "  </devices>\n");
	}
	format_launch_security(&b, d);
	put(&b, "</domain>\n");
	if (b.failed) {
		free(b.data);
		coco_err(-ENOMEM, "domxml_format: out of memory");
		return NULL;
	}
	return b.data;
}

/* ------------------------------------------------------------------ */
/* Comparison and mapping                                               */

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

bool domxml_equal(const struct domxml_domain *a, const struct domxml_domain *b)
{
	const struct domxml_loader *la = &a->loader, *lb = &b->loader;

	if (!str_eq(a->type, b->type) || !str_eq(a->name, b->name) ||
	    memcmp(a->uuid, b->uuid, 16) || a->memory_kib != b->memory_kib ||
	    a->current_memory_kib != b->current_memory_kib || a->vcpus != b->vcpus ||
	    !str_eq(a->os_arch, b->os_arch) || !str_eq(a->os_machine, b->os_machine) ||
	    !str_eq(la->path, lb->path) || la->readonly != lb->readonly ||
	    la->secure != lb->secure || la->stateless != lb->stateless ||
	    !str_eq(la->type, lb->type) || !str_eq(la->format, lb->format) ||
	    !str_eq(a->kernel, b->kernel) || !str_eq(a->initrd, b->initrd) ||
	    !str_eq(a->cmdline, b->cmdline) || a->feature_acpi != b->feature_acpi ||
	    a->feature_apic != b->feature_apic || a->serial_pty != b->serial_pty ||
	    a->console_pty != b->console_pty || a->sectype != b->sectype)
		return false;
	if (a->sectype == DOMXML_SEC_SEV_SNP) {
		const struct domxml_sev_snp *x = &a->sec.snp, *y = &b->sec.snp;

		return x->kernel_hashes == y->kernel_hashes && x->author_key == y->author_key &&
		       x->vcek == y->vcek && x->has_cbitpos == y->has_cbitpos &&
		       (!x->has_cbitpos || x->cbitpos == y->cbitpos) &&
		       x->has_reduced_phys_bits == y->has_reduced_phys_bits &&
		       (!x->has_reduced_phys_bits || x->reduced_phys_bits == y->reduced_phys_bits) &&
		       x->policy == y->policy && x->has_gosvw == y->has_gosvw &&
		       !memcmp(x->gosvw, y->gosvw, sizeof(x->gosvw)) &&
		       x->has_id_block == y->has_id_block &&
		       !memcmp(x->id_block, y->id_block, sizeof(x->id_block)) &&
		       x->has_id_auth == y->has_id_auth &&
		       !memcmp(x->id_auth, y->id_auth, sizeof(x->id_auth)) &&
		       x->has_host_data == y->has_host_data &&
		       !memcmp(x->host_data, y->host_data, sizeof(x->host_data));
	}
	const struct domxml_tdx *x = &a->sec.tdx, *y = &b->sec.tdx;

	return x->policy == y->policy && x->has_mrconfigid == y->has_mrconfigid &&
	       !memcmp(x->mrconfigid, y->mrconfigid, COCO_TDX_MR_SIZE) &&
	       x->has_mrowner == y->has_mrowner &&
	       !memcmp(x->mrowner, y->mrowner, COCO_TDX_MR_SIZE) &&
	       x->has_mrownerconfig == y->has_mrownerconfig &&
	       !memcmp(x->mrownerconfig, y->mrownerconfig, COCO_TDX_MR_SIZE) &&
	       x->has_qgs == y->has_qgs && str_eq(x->qgs_path, y->qgs_path);
}

int domxml_to_vm_config(const struct domxml_domain *d, struct coco_vm_config *config,
			struct domxml_error *err)
{
	const uint64_t two_mib_kib = 2048;
	int ret;

	if (d->memory_kib % two_mib_kib)
		return UNSUPPORTED(err, "memory of %" PRIu64 " KiB is not a multiple of 2 MiB "
				   "(2048 KiB), which coco guests need; round it up", d->memory_kib);
	if (d->current_memory_kib != d->memory_kib)
		return UNSUPPORTED(err, "currentMemory (%" PRIu64 " KiB) below memory (%" PRIu64
				   " KiB): confidential guests have no balloon; set them equal",
				   d->current_memory_kib, d->memory_kib);
	if (d->memory_kib > UINT64_MAX / 1024)
		return XML_FAIL(err, "memory of %" PRIu64 " KiB does not fit in 64 bits of bytes",
				d->memory_kib);
	if (d->sectype == DOMXML_SEC_SEV_SNP) {
		const struct domxml_sev_snp *s = &d->sec.snp;
		struct coco_snp_policy *p = &config->policy.u.snp;

		coco_vm_config_init(config, COCO_VENDOR_AMD_SEV_SNP);
		if ((ret = coco_snp_policy_validate(s->policy)))
			return UNSUPPORTED(err, "launchSecurity sev-snp policy 0x%" PRIx64 ": %s",
					   s->policy, coco_last_error());
		p->guest_policy = s->policy;
		if (s->has_gosvw)
			memcpy(p->gosvw, s->gosvw, sizeof(p->gosvw));
		if (s->has_host_data)
			memcpy(p->host_data, s->host_data, sizeof(p->host_data));
		p->id_block = s->has_id_block ? s->id_block : NULL;
		p->id_auth = s->has_id_auth ? s->id_auth : NULL;
		p->author_key_en = s->author_key == DOMXML_YES;
		p->vcek_disabled = s->vcek == DOMXML_NO;
	} else {
		const struct domxml_tdx *t = &d->sec.tdx;
		struct coco_tdx_policy *p = &config->policy.u.tdx;

		coco_vm_config_init(config, COCO_VENDOR_INTEL_TDX);
		if ((ret = coco_tdx_policy_validate(t->policy, COCO_TDX_XFAM_DEFAULT)))
			return UNSUPPORTED(err, "launchSecurity tdx policy 0x%" PRIx64 ": %s",
					   t->policy, coco_last_error());
		p->attributes = t->policy;
		if (t->has_mrconfigid)
			memcpy(p->mrconfigid, t->mrconfigid, COCO_TDX_MR_SIZE);
		if (t->has_mrowner)
			memcpy(p->mrowner, t->mrowner, COCO_TDX_MR_SIZE);
		if (t->has_mrownerconfig)
			memcpy(p->mrownerconfig, t->mrownerconfig, COCO_TDX_MR_SIZE);
	}
	config->name = d->name;
	config->memory_size = d->memory_kib * 1024;
	config->vcpus = d->vcpus;
	return 0;
}

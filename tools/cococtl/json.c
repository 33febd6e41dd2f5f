/* SPDX-License-Identifier: Apache-2.0 */
#include "json.h"

static void separator(struct json *j, const char *key)
{
	if (j->need_comma[j->depth])
		fputc(',', j->out);
	j->need_comma[j->depth] = true;
	if (key) {
		fputc('"', j->out);
		for (const char *p = key; *p; p++)
			fputc(*p, j->out);
		fputs("\":", j->out);
	}
}

static void quoted(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", out);
			break;
		case '\\':
			fputs("\\\\", out);
			break;
		case '\n':
			fputs("\\n", out);
			break;
		case '\t':
			fputs("\\t", out);
			break;
		default:
			if (*p < 0x20)
				fprintf(out, "\\u%04x", *p);
			else
				fputc(*p, out);
		}
	}
	fputc('"', out);
}

void json_begin(struct json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	for (int i = 0; i < 32; i++)
		j->need_comma[i] = false;
}

void json_end(struct json *j)
{
	fputc('\n', j->out);
}

static void open_scope(struct json *j, const char *key, char c)
{
	separator(j, key);
	fputc(c, j->out);
	if (j->depth < 31)
		j->depth++;
	j->need_comma[j->depth] = false;
}

static void close_scope(struct json *j, char c)
{
	if (j->depth > 0)
		j->depth--;
	fputc(c, j->out);
}

void json_object_open(struct json *j, const char *key)
{
	open_scope(j, key, '{');
}

void json_object_close(struct json *j)
{
	close_scope(j, '}');
}

void json_array_open(struct json *j, const char *key)
{
	open_scope(j, key, '[');
}

void json_array_close(struct json *j)
{
	close_scope(j, ']');
}

void json_string(struct json *j, const char *key, const char *value)
{
	separator(j, key);
	quoted(j->out, value);
}

void json_bool(struct json *j, const char *key, bool value)
{
	separator(j, key);
	fputs(value ? "true" : "false", j->out);
}

void json_uint(struct json *j, const char *key, uint64_t value)
{
	separator(j, key);
	fprintf(j->out, "%llu", (unsigned long long)value);
}

void json_null(struct json *j, const char *key)
{
	separator(j, key);
	fputs("null", j->out);
}

/* SPDX-License-Identifier: Apache-2.0 */
/* A minimal streaming JSON writer for cococtl's --json output. */
#ifndef COCOCTL_JSON_H
#define COCOCTL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *out;
	int depth;
	bool need_comma[32];
};

void json_begin(struct json *j, FILE *out);
void json_end(struct json *j);		/* final newline */
void json_object_open(struct json *j, const char *key);	/* key NULL inside arrays/top */
void json_object_close(struct json *j);
void json_array_open(struct json *j, const char *key);
void json_array_close(struct json *j);
void json_string(struct json *j, const char *key, const char *value);
void json_bool(struct json *j, const char *key, bool value);
void json_uint(struct json *j, const char *key, uint64_t value);
void json_null(struct json *j, const char *key);

#endif

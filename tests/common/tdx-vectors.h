/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Reading tests/vectors/tdx/measure/mrtd_vectors.txt: lines "V1 ... -> HEX"
 * for the primitive vectors and "MRTD (tools/tdx_mrtd.py) : HEX" for the
 * synthetic image.  Tests take expected values from the file, never from
 * their own source.
 */
#ifndef COCO_TEST_TDX_VECTORS_H
#define COCO_TEST_TDX_VECTORS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "tests/common/test-main.h"

/*
 * The 48-byte value on the first line that starts with @prefix, after
 * @separator ("->" or ":").  false if there is no such line.
 */
static inline bool tdx_vector_get(const char *prefix, const char *separator, uint8_t out[48])
{
	FILE *f = fopen(coco_test_vector("tdx/measure/mrtd_vectors.txt"), "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *sep, *hex, *end;
		if (strncmp(line, prefix, strlen(prefix)) || !(sep = strstr(line, separator)))
			continue;
		hex = sep + strlen(separator);
		while (*hex == ' ')
			hex++;
		for (end = hex; *end && *end != '\n' && *end != ' '; end++)
			;
		*end = '\0';
		found = strlen(hex) == 96 && !coco_hex_decode_exact(hex, out, 48, "vector");
	}
	fclose(f);
	return found;
}

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Fuzz target: the domain store's record loader (libvirt/domain-store.c).
 * Any input must parse or be refused with a message; what parses must
 * format back to the very same bytes (the loader accepts only what the
 * writer writes), and nothing may crash or leak.  Each input is tried as
 * a whole record and, so that mutations get past the digest to the header
 * parser, as the body of a record sealed with its correct digest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "libvirt/domain-store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void parse_and_round_trip(const uint8_t *data, size_t size)
{
	struct domain_record r = { 0 };
	char *again;
	size_t len;

	if (domain_record_parse(data, size, &r) == 0) {
		if (domain_record_format(&r, &again, &len))
			abort();
		if (len != size || memcmp(again, data, size))
			abort();
		free(again);
		domain_record_clear(&r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char head[] = "coco-domain-record 1\nsha384 ";
	uint8_t digest[COCO_SHA384_SIZE];
	size_t prefix = sizeof(head) - 1 + 2 * COCO_SHA384_SIZE + 1;
	uint8_t *sealed;

	parse_and_round_trip(data, size);
	sealed = malloc(prefix + size + 1);
	if (sealed && !coco_sha384(data, size, digest)) {
		char hex[2 * COCO_SHA384_SIZE + 1];

		coco_hex_encode(digest, sizeof(digest), hex);
		memcpy(sealed, head, sizeof(head) - 1);
		memcpy(sealed + sizeof(head) - 1, hex, 2 * COCO_SHA384_SIZE);
		sealed[prefix - 1] = '\n';
		if (size)
			memcpy(sealed + prefix, data, size);
		parse_and_round_trip(sealed, prefix + size);
	}
	free(sealed);
	coco_clear_error();
	return 0;
}

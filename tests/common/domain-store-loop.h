/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared by the domain store crash test and its driver
 * (tests/tools/domain-store-loop.c): domain identities, the XML a given
 * generation of a domain holds, and the report lines on the pipe.
 *
 * Report lines (one write(2) each, well under PIPE_BUF, so never split):
 *   "R"               the store is open (loaded)
 *   "I D i gen"       about to define domain i with generation gen
 *   "I U i"           about to undefine domain i
 *   "I S i 0|1"       about to set domain i's autostart
 *   "A ..."           the same operation returned success (acknowledged)
 */
#ifndef COCO_TESTS_DOMAIN_STORE_LOOP_H
#define COCO_TESTS_DOMAIN_STORE_LOOP_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static inline uint64_t loop_mix(uint64_t x)
{
	/* splitmix64 finaliser: a well-spread hash of small integers. */
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static inline void loop_uuid(unsigned int i, uint8_t uuid[16])
{
	for (int b = 0; b < 16; b++)
		uuid[b] = (uint8_t)(0x5a + b);
	uuid[14] = (uint8_t)(i >> 8);
	uuid[15] = (uint8_t)i;
}

static inline void loop_name(unsigned int i, char *out, size_t size)
{
	snprintf(out, size, "loop-%u", i);
}

/*
 * The XML of generation @gen of domain @i (malloc'd, NUL-terminated).
 * Sizes range from a few hundred bytes to 192 KiB, so a torn write would
 * span many pages; the filler depends on both numbers, so two generations
 * never share a prefix past the description.
 */
static inline char *loop_xml(unsigned int i, uint64_t gen, size_t *len)
{
	uint64_t h = loop_mix(((uint64_t)i << 48) ^ gen);
	static const size_t sizes[] = { 200, 3000, 20000, 196608 };
	size_t filler = sizes[h % 4] + (size_t)((h >> 8) % 1024), n;
	char *xml = malloc(filler + 256);

	if (!xml)
		return NULL;
	n = (size_t)sprintf(xml, "<domain type='kvm'><name>loop-%u</name><description>gen %llu"
			    "</description><metadata>", i, (unsigned long long)gen);
	for (size_t k = 0; k < filler; k++) {
		if (k % 8 == 0)
			h = loop_mix(h);
		xml[n++] = (char)('a' + (h >> (8 * (k % 8))) % 26);
	}
	n += (size_t)sprintf(xml + n, "</metadata></domain>\n");
	*len = n;
	return xml;
}

#endif

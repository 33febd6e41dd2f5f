/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Driver for the domain store crash test: opens the store in DIR and loops
 * define / redefine / set-autostart / undefine over N domains with changing
 * XML until killed, reporting each operation on stdout before the store
 * call ("I ...") and after it returned success ("A ...").
 *
 *   domain-store-loop DIR N SEED GEN_BASE
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/error.h"
#include "libvirt/domain-store.h"
#include "tests/common/domain-store-loop.h"

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void report(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* Unbuffered: what the parent reads is exactly what happened before the kill. */
	if (write(STDOUT_FILENO, line, (size_t)n) != n)
		exit(3);
}

int main(int argc, char **argv)
{
	struct domain_store *store;
	unsigned int n;
	uint64_t rng, gen;
	int err;

	if (argc != 5) {
		fprintf(stderr, "usage: %s DIR N SEED GEN_BASE\n", argv[0]);
		return 2;
	}
	n = (unsigned int)strtoul(argv[2], NULL, 0);
	rng = strtoull(argv[3], NULL, 0);
	gen = strtoull(argv[4], NULL, 0);
	if (n == 0 || n > 1000) {
		fprintf(stderr, "N must be 1..1000\n");
		return 2;
	}
	err = domain_store_open(argv[1], DOMAIN_STORE_CREATE, &store);
	if (err) {
		fprintf(stderr, "%s\n", coco_last_error());
		return 1;
	}
	report("R\n");
	for (;;) {
		uint8_t uuid[16];
		char name[32];
		const struct domain_record *r;
		unsigned int i, op;

		rng = loop_mix(rng);
		i = (unsigned int)(rng % n);
		op = (unsigned int)((rng >> 32) % 10);
		loop_uuid(i, uuid);
		loop_name(i, name, sizeof(name));
		r = domain_store_find_uuid(store, uuid);
		if (!r || op < 6) {
			size_t len;
			char *xml = loop_xml(i, ++gen, &len);

			if (!xml)
				return 1;
			report("I D %u %" PRIu64 "\n", i, gen);
			err = domain_store_define(store, uuid, name, xml, len, NULL);
			free(xml);
			if (err)
				break;
			report("A D %u %" PRIu64 "\n", i, gen);
		} else if (op < 8) {
			report("I U %u\n", i);
			if ((err = domain_store_undefine(store, uuid)))
				break;
			report("A U %u\n", i);
		} else {
			bool autostart = !r->autostart;

			report("I S %u %d\n", i, autostart);
			if ((err = domain_store_set_autostart(store, uuid, autostart)))
				break;
			report("A S %u %d\n", i, autostart);
		}
	}
	fprintf(stderr, "%s\n", coco_last_error());
	domain_store_close(store);
	return 1;
}

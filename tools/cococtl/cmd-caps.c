/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl caps [--backend NAME] [--json]
 *
 * Every backend's probe (what it checked, what it found, what to do about
 * what failed) and, for those available, the capabilities of the opened
 * host.  Exit 0 when at least one shown backend is available, 1 otherwise.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cococtl.h"
#include "json.h"

static const char usage_text[] =
	"usage: cococtl caps [--backend NAME] [--json]\n"
	"  Show each backend's probe and, where available, its capabilities.\n"
	"  --backend NAME  only this backend (see the list without it)\n"
	"  --json          machine-readable output\n";

static const char *feature_names[] = { "launch", "memory-conversion", "evidence", "interrupts",
				       "handover", "large-pages" };

static void print_caps_text(const struct coco_caps *c)
{
	printf("  capabilities:\n");
	printf("    firmware version   %s\n", c->firmware_version);
	printf("    guests             %u of %u in use\n", c->active_guests, c->max_guests);
	printf("    measurement        %s, %u bytes\n", c->measurement_alg, c->measurement_size);
	printf("    features          ");
	for (unsigned int i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (c->features & (1u << i))
			printf(" %s", feature_names[i]);
	printf("\n    page types        ");
	for (int t = COCO_PAGE_MEASURED; t <= COCO_PAGE_VCPU_STATE; t++)
		if (c->page_types & (1u << t))
			printf(" %s", coco_page_type_name(t));
	printf("\n");
	for (unsigned int i = 0; i < c->ndetails; i++)
		printf("    %-18s %s\n", c->details[i].key, c->details[i].value);
}

static void print_caps_json(struct json *j, const struct coco_caps *c)
{
	json_object_open(j, "caps");
	json_string(j, "firmware_version", c->firmware_version);
	json_uint(j, "max_guests", c->max_guests);
	json_uint(j, "active_guests", c->active_guests);
	json_string(j, "measurement_alg", c->measurement_alg);
	json_uint(j, "measurement_size", c->measurement_size);
	json_array_open(j, "features");
	for (unsigned int i = 0; i < sizeof(feature_names) / sizeof(feature_names[0]); i++)
		if (c->features & (1u << i))
			json_string(j, NULL, feature_names[i]);
	json_array_close(j);
	json_array_open(j, "page_types");
	for (int t = COCO_PAGE_MEASURED; t <= COCO_PAGE_VCPU_STATE; t++)
		if (c->page_types & (1u << t))
			json_string(j, NULL, coco_page_type_name(t));
	json_array_close(j);
	json_object_open(j, "details");
	for (unsigned int i = 0; i < c->ndetails; i++)
		json_string(j, c->details[i].key, c->details[i].value);
	json_object_close(j);
	json_object_close(j);
}

int cmd_caps(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *selected = NULL;
	bool as_json = false, any = false, found = false;
	struct json j;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "b:jh", opts, NULL)) != -1) {
		switch (c) {
		case 'b':
			only = optarg;
			break;
		case 'j':
			as_json = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cococtl_usage_error("caps", "unexpected argument '%s'", argv[optind]);
	if (only && !strcmp(only, "auto"))
		only = NULL;
	if (coco_backend_select(NULL, &selected, NULL))
		selected = NULL;

	if (as_json) {
		json_begin(&j, stdout);
		json_object_open(&j, NULL);
		if (selected)
			json_string(&j, "auto_selects", selected);
		else
			json_null(&j, "auto_selects");
		json_array_open(&j, "backends");
	}
	for (size_t i = 0; i < coco_backend_count(); i++) {
		const char *name = coco_backend_name(i);
		struct coco_probe_result probe;
		struct coco_caps caps;
		struct coco_host *host = NULL;
		bool have_caps = false;

		if (only && strcmp(only, name))
			continue;
		found = true;
		if (coco_backend_probe(name, &probe))
			return cococtl_fail("caps", "probe");
		if (probe.available) {
			any = true;
			if (coco_host_open(name, NULL, &host) == 0) {
				have_caps = coco_host_get_caps(host, &caps) == 0;
				coco_host_close(host);
			}
			if (!have_caps)
				fprintf(stderr, "cococtl caps: %s: %s\n", name, coco_last_error());
		}
		if (as_json) {
			json_object_open(&j, NULL);
			json_string(&j, "name", name);
			json_string(&j, "vendor", coco_vendor_name(probe.vendor));
			json_bool(&j, "hardware", probe.hardware);
			json_bool(&j, "available", probe.available);
			json_array_open(&j, "checks");
			for (unsigned int k = 0; k < probe.nchecks; k++) {
				json_object_open(&j, NULL);
				json_string(&j, "name", probe.checks[k].name);
				json_bool(&j, "passed", probe.checks[k].passed);
				json_string(&j, "detail", probe.checks[k].detail);
				json_string(&j, "remediation", probe.checks[k].remediation);
				json_object_close(&j);
			}
			json_array_close(&j);
			if (have_caps)
				print_caps_json(&j, &caps);
			else
				json_null(&j, "caps");
			json_object_close(&j);
			continue;
		}
		printf("%s (%s, %s): %s%s\n", name, coco_vendor_name(probe.vendor),
		       probe.hardware ? "hardware" : "platform model",
		       probe.available ? "available" : "not available",
		       selected && !strcmp(selected, name) ? " [auto]" : "");
		for (unsigned int k = 0; k < probe.nchecks; k++) {
			const struct coco_probe_check *ck = &probe.checks[k];
			printf("  [%s] %s: %s\n", ck->passed ? "ok" : "FAIL", ck->name, ck->detail);
			if (!ck->passed && ck->remediation[0])
				printf("         fix: %s\n", ck->remediation);
		}
		if (have_caps)
			print_caps_text(&caps);
	}
	if (as_json) {
		json_array_close(&j);
		json_object_close(&j);
		json_end(&j);
	}
	if (!found)
		return cococtl_usage_error("caps", "no backend named '%s'", only);
	return any ? 0 : 1;
}

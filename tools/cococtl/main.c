/* SPDX-License-Identifier: Apache-2.0 */
/* cococtl: dispatch to the sub-commands. */
#include <stdio.h>
#include <string.h>

#include "cococtl.h"

static const struct cococtl_command commands[] = {
	{ "run", cmd_run, "run a confidential guest end to end and verify its evidence" },
	{ "launch", cmd_launch, "launch a confidential guest and verify its evidence" },
	{ "caps", cmd_caps, "backends, their probes and capabilities" },
	{ "measure", cmd_measure, "expected launch measurement of a firmware or guest image" },
	{ "evidence", cmd_evidence, "launch a guest and write its evidence and certificates" },
	{ "verify", cmd_verify, "verify attestation evidence (SEV-SNP report)" },
	{ "tdx-plan", cmd_tdx_plan, "TDX memory regions and PAMTs for a memory map" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: cococtl COMMAND [OPTIONS]\n\ncommands:\n");
	for (const struct cococtl_command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out, "\n'cococtl COMMAND --help' describes a command's options.\n"
		     "Environment: COCO_BACKEND selects the backend for 'auto'; COCO_LOG=debug\n"
		     "shows libcoco's log.  cocohost %s\n", coco_version());
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("cococtl %s\n", coco_version());
		return 0;
	}
	for (const struct cococtl_command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "cococtl: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "options.h"

#include "../common/hex-digit.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void vmm_cli_usage(FILE *out)
{
	fprintf(out,
"NAME\n"
"    coco-vmm - run one confidential VM, controlled over a unix socket\n"
"\n"
"SYNOPSIS\n"
"    coco-vmm --backend NAME --control PATH [--image ELF] [--memory SIZE]\n"
"             [--vcpus N] [--report-data HEX] [--mode N] [--timeout SEC]\n"
"             [--console FILE] [--detach] [--pidfile FILE]\n"
"\n"
"DESCRIPTION\n"
"    coco-vmm creates one VM on KVM and launches the guest image through the\n"
"    backend's measured launch flow at start-up; the vCPUs run when a client\n"
"    sends `start` on the control socket.  The platform models (sev-snp-model,\n"
"    tdx-model) enforce the confidential rules on the default KVM VM type.\n"
"\n"
"OPTIONS\n"
"    --backend NAME     sev-snp, sev-snp-model, tdx, tdx-model, or auto\n"
"    --control PATH     control socket to create (mode 0600)\n"
"    --image ELF        bare guest image (ELF64 PT_LOAD segments, docs/guest-abi.md);\n"
"                       default: the backend's built-in test guest\n"
"    --memory SIZE      guest RAM, bytes or with K/M/G (default 64M)\n"
"    --vcpus N          vCPUs, 1..%u (default 1)\n"
"    --report-data HEX  up to 64 bytes the guest puts in its evidence (zero-padded;\n"
"                       default all zero)\n"
"    --mode N           guest test mode of the boot parameters page (default 0)\n"
"    --timeout SEC      end the run as failed after SEC seconds (default: none)\n"
"    --console FILE     append the guest's console to FILE (default: stdout; nowhere\n"
"                       with --detach)\n"
"    --detach           run in the background: returns once the control socket\n"
"                       accepts requests, survives the caller's exit\n"
"    --pidfile FILE     write the VMM's pid to FILE (atomically); removed on exit\n"
"    --help             this text\n"
"\n"
"CONTROL PROTOCOL\n"
"    One request line per connection, one JSON reply line:\n"
"    start     run the vCPUs                   {\"ok\":true,\"state\":\"running\"}\n"
"    stop      end the run and exit            {\"ok\":true,\"state\":\"stopped\"}\n"
"    status    {\"state\":\"created|running|exited|terminated|failed|stopped\",\n"
"               \"outcome\":..,\"exit_status\":..,\"reason\":\"..\"}\n"
"    info      {\"backend\":..,\"vcpus\":..,\"memory\":..,\"measurement\":\"hex\",..,\"pid\":..}\n"
"    evidence  {\"format\":\"sev-snp-report|tdx-quote\",\"length\":..,\"evidence\":\"hex\"}\n"
"    A refused or malformed request gets {\"error\":\"...\"}.  SIGTERM and SIGINT\n"
"    act as `stop`; SIGHUP and SIGPIPE are ignored.\n"
"\n"
"EXIT STATUS\n"
"    0   stopped after a run that ended with exit status 0, or before any run\n"
"    1   the run did not end with exit status 0, or a failure (reason on stderr)\n"
"    2   usage error\n"
"    3   no usable /dev/kvm\n"
"    With --detach the caller's exit status says whether start-up succeeded.\n"
"\n"
"SEE ALSO\n"
"    cococtl run, docs/coco-vmm.md, docs/guest-abi.md\n", VMM_MAX_VCPUS);
}

int vmm_parse_size(const char *text, uint64_t *bytes)
{
	unsigned long long n;
	unsigned int shift = 0;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	n = strtoull(text, &end, 0);
	if (errno || end == text)
		return -1;
	switch (*end) {
	case '\0': break;
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	default: return -1;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		return -1;
	if (n > (UINT64_MAX >> shift))
		return -1;
	*bytes = (uint64_t)n << shift;
	return 0;
}


int vmm_parse_hex(const char *text, uint8_t *out, size_t max, size_t *len)
{
	size_t n;

	if (text[0] == '0' && (text[1] == 'x' || text[1] == 'X'))
		text += 2;
	n = strlen(text);
	if (n % 2 || n / 2 > max)
		return -1;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hex_digit_value(text[2 * i]), lo = hex_digit_value(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

/* A decimal (or 0x) number within [min, max]. */
static int parse_number(const char *text, uint64_t min, uint64_t max, uint64_t *value)
{
	unsigned long long n;
	char *end;

	if (!text || *text < '0' || *text > '9')
		return -1;
	errno = 0;
	n = strtoull(text, &end, 0);
	if (errno || *end || n < min || n > max)
		return -1;
	*value = n;
	return 0;
}

enum {
	OPT_BACKEND = 256, OPT_IMAGE, OPT_MEMORY, OPT_VCPUS, OPT_REPORT_DATA, OPT_MODE,
	OPT_TIMEOUT, OPT_CONTROL, OPT_CONSOLE, OPT_DETACH, OPT_PIDFILE, OPT_HELP,
};

static const struct option long_options[] = {
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "image", required_argument, NULL, OPT_IMAGE },
	{ "memory", required_argument, NULL, OPT_MEMORY },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "report-data", required_argument, NULL, OPT_REPORT_DATA },
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "timeout", required_argument, NULL, OPT_TIMEOUT },
	{ "control", required_argument, NULL, OPT_CONTROL },
	{ "console", required_argument, NULL, OPT_CONSOLE },
	{ "detach", no_argument, NULL, OPT_DETACH },
	{ "pidfile", required_argument, NULL, OPT_PIDFILE },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

int vmm_cli_parse(int argc, char **argv, struct vmm_cli *cli, char *error, size_t size)
{
	bool seen[OPT_HELP - OPT_BACKEND + 1] = { false };
	uint64_t value;
	int c;

	memset(cli, 0, sizeof(*cli));
	cli->memory = VMM_DEFAULT_MEMORY;
	cli->vcpus = 1;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", long_options, NULL)) != -1) {
		const char *arg = optarg;

		if (c < OPT_BACKEND || c > OPT_HELP) {
			snprintf(error, size, "unknown option or missing value: '%s'",
				 argv[optind - 1]);
			return -EINVAL;
		}
		/* A repeated option is more likely a mistake than a wish to override. */
		if (seen[c - OPT_BACKEND]) {
			snprintf(error, size, "option '%s' given twice", argv[optind - 1]);
			return -EINVAL;
		}
		seen[c - OPT_BACKEND] = true;
		switch (c) {
		case OPT_BACKEND: cli->backend = arg; break;
		case OPT_IMAGE: cli->image = arg; break;
		case OPT_CONTROL: cli->control = arg; break;
		case OPT_CONSOLE: cli->console = arg; break;
		case OPT_PIDFILE: cli->pidfile = arg; break;
		case OPT_DETACH: cli->detach = true; break;
		case OPT_HELP: cli->help = true; return 0;
		case OPT_MEMORY:
			if (vmm_parse_size(arg, &cli->memory) || cli->memory == 0) {
				snprintf(error, size, "--memory '%s' is not a size (bytes, or with K, "
					 "M, G)", arg);
				return -EINVAL;
			}
			break;
		case OPT_VCPUS:
			if (parse_number(arg, 1, VMM_MAX_VCPUS, &value)) {
				snprintf(error, size, "--vcpus '%s' is not a number from 1 to %u", arg,
					 VMM_MAX_VCPUS);
				return -EINVAL;
			}
			cli->vcpus = (uint32_t)value;
			break;
		case OPT_REPORT_DATA:
			if (vmm_parse_hex(arg, cli->report_data, sizeof(cli->report_data),
					  &cli->report_data_len)) {
				snprintf(error, size, "--report-data must be up to 64 bytes of hex "
					 "digits (no separators), not '%s'", arg);
				return -EINVAL;
			}
			break;
		case OPT_MODE:
			if (parse_number(arg, 0, UINT32_MAX, &value)) {
				snprintf(error, size, "--mode '%s' is not a number", arg);
				return -EINVAL;
			}
			cli->mode = (uint32_t)value;
			break;
		case OPT_TIMEOUT:
			if (parse_number(arg, 1, VMM_MAX_TIMEOUT_S, &value)) {
				snprintf(error, size, "--timeout '%s' is not a number of seconds from "
					 "1 to %u", arg, VMM_MAX_TIMEOUT_S);
				return -EINVAL;
			}
			cli->timeout_s = (unsigned int)value;
			break;
		}
	}
	if (optind < argc) {
		snprintf(error, size, "unexpected argument '%s'", argv[optind]);
		return -EINVAL;
	}
	if (!cli->backend) {
		snprintf(error, size, "--backend is required (sev-snp, sev-snp-model, tdx, "
			 "tdx-model or auto)");
		return -EINVAL;
	}
	if (!cli->control) {
		snprintf(error, size, "--control PATH is required (the socket clients talk to)");
		return -EINVAL;
	}
	return 0;
}

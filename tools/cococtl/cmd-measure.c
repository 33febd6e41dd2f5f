/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl measure: the expected launch measurement of a firmware image (and
 * optional direct-boot kernel), with sev-snp-measure's options where they
 * overlap.  Prints only the digest.  Public API only: the plan comes from
 * coco_plan_from_firmware and its digest from coco_plan_expected_measurement,
 * the code path that launches.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cococtl.h"

static const char cmd[] = "measure";

/* Largest family / model / stepping the CPUID(1).EAX encoding can carry. */
#define FAMILY_MAX (0xFu + 0xFFu)
#define MODEL_MAX 0xFFu
#define STEPPING_MAX 0xFu

struct measure_options {
	const char *mode;
	const char *vcpus;
	const char *vcpu_type, *vcpu_sig, *vcpu_family, *vcpu_model, *vcpu_stepping;
	const char *vmm_type;
	const char *ovmf, *kernel, *initrd, *append;
	const char *guest_features;
	const char *output_format;
	const char *snp_ovmf_hash;
	const char *backend;
	bool allow_no_metadata;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl measure --mode snp|snp:ovmf-hash --ovmf PATH [OPTIONS]\n"
		"\n"
		"Print the launch measurement a confidential VM started from the firmware\n"
		"image PATH will report (hex, or base64 with --output-format base64).\n"
		"Options follow sev-snp-measure 0.0.13 where they overlap:\n"
		"  --mode snp|snp:ovmf-hash  snp: full launch digest; snp:ovmf-hash: digest of\n"
		"                            the image pages only (always printed in hex)\n"
		"  --vcpus N                 number of vCPUs (required for --mode snp)\n"
		"  --vcpu-type NAME          EPYC, EPYC-v1..v4, EPYC-IBPB, EPYC-Rome[-v1..v3],\n"
		"                            EPYC-Milan[-v1,-v2], EPYC-Genoa[-v1], EPYC-Turin\n"
		"  --vcpu-sig VALUE          CPUID(1).EAX signature instead of a type\n"
		"  --vcpu-family F --vcpu-model M --vcpu-stepping S\n"
		"                            signature from family, model, stepping (decimal)\n"
		"                            (precedence: family > sig > type; one is required\n"
		"                            for --vmm-type qemu)\n"
		"  --vmm-type qemu|ec2|gce   whose vCPU reset state to measure (default qemu;\n"
		"                            coco-vmm measures as qemu)\n"
		"  --ovmf PATH               firmware image (OVMF.fd, not a split CODE file)\n"
		"  --kernel PATH             direct kernel boot (needs a SNP_KERNEL_HASHES section)\n"
		"  --initrd PATH             initrd for --kernel (default: none)\n"
		"  --append CMDLINE          kernel command line for --kernel (default: empty)\n"
		"  --guest-features VALUE    VMSA SEV_FEATURES (default 0x1; Linux >= 6.6 hosts\n"
		"                            enable DebugSwap: 0x21)\n"
		"  --snp-ovmf-hash HEX       precomputed --mode snp:ovmf-hash digest of the image\n"
		"  --output-format hex|base64\n"
		"cocohost additions:\n"
		"  --backend NAME            backend or vendor whose measurement to compute\n"
		"                            (default sev-snp)\n"
		"  --allow-no-metadata       measure an image without SEV metadata (e.g. Debian's\n"
		"                            OVMF_CODE_4M.fd); such a digest matches no SNP guest\n"
		"Exit status: 0 digest printed, 1 error (reason on stderr), 2 usage error.\n");
}

enum {
	OPT_MODE = 256, OPT_VCPUS, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING, OPT_VMM_TYPE, OPT_OVMF, OPT_KERNEL, OPT_INITRD, OPT_APPEND,
	OPT_GUEST_FEATURES, OPT_OUTPUT_FORMAT, OPT_SNP_OVMF_HASH, OPT_BACKEND,
	OPT_ALLOW_NO_METADATA,
};

static const struct option long_options[] = {
	{ "mode", required_argument, NULL, OPT_MODE },
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
	{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
	{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
	{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
	{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
	{ "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
	{ "ovmf", required_argument, NULL, OPT_OVMF },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
	{ "output-format", required_argument, NULL, OPT_OUTPUT_FORMAT },
	{ "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
	{ "backend", required_argument, NULL, OPT_BACKEND },
	{ "allow-no-metadata", no_argument, NULL, OPT_ALLOW_NO_METADATA },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* 1 if parsed, 0 on usage error (message printed). */
static int parse_options(int argc, char **argv, struct measure_options *o, int *exit_code)
{
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_options, NULL)) != -1) {
		switch (c) {
		case OPT_MODE: o->mode = optarg; break;
		case OPT_VCPUS: o->vcpus = optarg; break;
		case OPT_VCPU_TYPE: o->vcpu_type = optarg; break;
		case OPT_VCPU_SIG: o->vcpu_sig = optarg; break;
		case OPT_VCPU_FAMILY: o->vcpu_family = optarg; break;
		case OPT_VCPU_MODEL: o->vcpu_model = optarg; break;
		case OPT_VCPU_STEPPING: o->vcpu_stepping = optarg; break;
		case OPT_VMM_TYPE: o->vmm_type = optarg; break;
		case OPT_OVMF: o->ovmf = optarg; break;
		case OPT_KERNEL: o->kernel = optarg; break;
		case OPT_INITRD: o->initrd = optarg; break;
		case OPT_APPEND: o->append = optarg; break;
		case OPT_GUEST_FEATURES: o->guest_features = optarg; break;
		case OPT_OUTPUT_FORMAT: o->output_format = optarg; break;
		case OPT_SNP_OVMF_HASH: o->snp_ovmf_hash = optarg; break;
		case OPT_BACKEND: o->backend = optarg; break;
		case OPT_ALLOW_NO_METADATA: o->allow_no_metadata = true; break;
		case 'h':
			usage(stdout);
			*exit_code = 0;
			return 0;
		default:
			*exit_code = cococtl_usage_error(cmd, "unknown or incomplete option '%s'",
							 argv[optind - 1]);
			return 0;
		}
	}
	if (optind < argc) {
		*exit_code = cococtl_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
		return 0;
	}
	return 1;
}

/* Unsigned number (decimal or 0x hex) no larger than @max; usage error otherwise. */
static int parse_bounded(const char *option, const char *text, uint64_t max, uint64_t *value)
{
	if (cococtl_parse_u64(text, value) || *value > max) {
		cococtl_usage_error(cmd, "%s '%s' is not a number from 0 to %llu", option, text,
				    (unsigned long long)max);
		return -1;
	}
	return 0;
}

/*
 * The CPUID signature the options ask for, with sev-snp-measure's
 * precedence (family/model/stepping, then --vcpu-sig, then --vcpu-type).
 * 0 (backend default) when none is given, which only the fixed-RDX VMM
 * types allow.  Returns 0, or the exit code of a usage error.
 */
static int cpu_signature(const struct measure_options *o, enum coco_snp_vmm_type vmm,
			 uint32_t *sig)
{
	uint64_t f, m, s, v;

	*sig = 0;
	if (o->vcpu_family) {
		if (!o->vcpu_model || !o->vcpu_stepping)
			return cococtl_usage_error(cmd, "--vcpu-family needs --vcpu-model and "
						   "--vcpu-stepping");
		if (parse_bounded("--vcpu-family", o->vcpu_family, FAMILY_MAX, &f) ||
		    parse_bounded("--vcpu-model", o->vcpu_model, MODEL_MAX, &m) ||
		    parse_bounded("--vcpu-stepping", o->vcpu_stepping, STEPPING_MAX, &s))
			return EXIT_USAGE;
		*sig = coco_snp_cpu_signature_from_fms((uint32_t)f, (uint32_t)m, (uint32_t)s);
	} else if (o->vcpu_sig) {
		if (parse_bounded("--vcpu-sig", o->vcpu_sig, UINT32_MAX, &v))
			return EXIT_USAGE;
		*sig = (uint32_t)v;
	} else if (o->vcpu_type) {
		if (coco_snp_cpu_signature(o->vcpu_type, sig))
			return cococtl_usage_error(cmd, "--vcpu-type: %s", coco_last_error());
	} else if (vmm == COCO_SNP_VMM_QEMU) {
		return cococtl_usage_error(cmd, "missing --vcpu-type or --vcpu-sig or --vcpu-family "
					   "in guest mode 'snp' (QEMU puts the CPU signature "
					   "into the measured vCPU state)");
	} else {
		return 0;	/* EC2 and GCE measure a fixed RDX */
	}
	if (!*sig)
		return cococtl_usage_error(cmd, "a CPUID signature of 0 describes no CPU; the "
					   "library would read 0 as 'default'");
	return 0;
}

static char *base64(const uint8_t *data, size_t len)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((len + 2) / 3) + 1), *p = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < len; i += 3) {
		uint32_t n = (uint32_t)data[i] << 16;
		if (i + 1 < len)
			n |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			n |= data[i + 2];
		*p++ = alphabet[(n >> 18) & 63];
		*p++ = alphabet[(n >> 12) & 63];
		*p++ = i + 1 < len ? alphabet[(n >> 6) & 63] : '=';
		*p++ = i + 2 < len ? alphabet[n & 63] : '=';
	}
	*p = '\0';
	return out;
}

static int print_digest(const struct coco_measurement *m, bool as_base64)
{
	if (as_base64) {
		char *text = base64(m->value, m->size);
		if (!text) {
			fprintf(stderr, "cococtl %s: out of memory\n", cmd);
			return 1;
		}
		printf("%s\n", text);
		free(text);
	} else {
		cococtl_hex_print(m->value, m->size);
		printf("\n");
	}
	return fflush(stdout) ? 1 : 0;
}

/* Settings the options imply, checked; 0 or an exit code. */
static int check_options(struct measure_options *o, bool *image_only, bool *as_base64)
{
	if (!o->mode)
		return cococtl_usage_error(cmd, "--mode is required (snp or snp:ovmf-hash)");
	if (!strcmp(o->mode, "snp:ovmf-hash"))
		*image_only = true;
	else if (strcmp(o->mode, "snp"))
		return cococtl_usage_error(cmd, "mode '%s' is not supported; use snp or "
					   "snp:ovmf-hash (sev and seves have no SNP launch digest, "
					   "snp:svsm is not implemented)", o->mode);
	if (!o->ovmf)
		return cococtl_usage_error(cmd, "--ovmf is required");
	if (o->output_format && strcmp(o->output_format, "hex") &&
	    strcmp(o->output_format, "base64"))
		return cococtl_usage_error(cmd, "--output-format must be hex or base64, not '%s'",
					   o->output_format);
	*as_base64 = o->output_format && !strcmp(o->output_format, "base64");
	if (*image_only)
		return 0;	/* as sev-snp-measure, the other options do not matter here */
	/* An empty path means "none", as sev-snp-measure's truthiness tests read it. */
	if (o->kernel && !*o->kernel)
		o->kernel = NULL;
	if (o->initrd && !*o->initrd)
		o->initrd = NULL;
	if (o->initrd && !o->kernel)
		return cococtl_usage_error(cmd, "--kernel required when using --initrd");
	if (o->append && *o->append && !o->kernel)
		return cococtl_usage_error(cmd, "--kernel required when using --append");
	if (!o->kernel)
		o->append = NULL;
	if (!o->vcpus)
		return cococtl_usage_error(cmd, "missing --vcpus N in guest mode 'snp'");
	return 0;
}

int cmd_measure(int argc, char **argv)
{
	struct measure_options o = { 0 };
	struct coco_firmware_spec spec = { 0 };
	struct coco_launch_plan *plan = NULL;
	struct coco_measurement m;
	struct coco_vm_config config;
	enum coco_snp_vmm_type vmm = COCO_SNP_VMM_QEMU;
	uint8_t ovmf_hash[COCO_MEASUREMENT_MAX];
	bool image_only = false, as_base64 = false;
	const char *backend;
	uint64_t vcpus = 0, features = COCO_SNP_FEATURES_DEFAULT;
	uint32_t sig = 0;
	int code = 0, ret;

	if (!parse_options(argc, argv, &o, &code))
		return code;
	code = check_options(&o, &image_only, &as_base64);
	if (code)
		return code;
	backend = o.backend ? o.backend : "sev-snp";
	coco_vm_config_init(&config, COCO_VENDOR_AMD_SEV_SNP);
	spec.firmware_path = o.ovmf;

	if (image_only) {
		spec.flags = COCO_FIRMWARE_IMAGE_ONLY;
	} else {
		if (parse_bounded("--vcpus", o.vcpus, UINT32_MAX, &vcpus))
			return EXIT_USAGE;
		if (o.vmm_type && coco_snp_vmm_type_from_name(o.vmm_type, &vmm))
			return cococtl_usage_error(cmd, "--vmm-type: %s", coco_last_error());
		code = cpu_signature(&o, vmm, &sig);
		if (code)
			return code;
		if (o.guest_features &&
		    parse_bounded("--guest-features", o.guest_features, UINT64_MAX, &features))
			return EXIT_USAGE;
		if (!(features & COCO_SNP_FEATURE_SNP_ACTIVE))
			return cococtl_usage_error(cmd, "--guest-features 0x%llx lacks bit 0 "
						   "(SNPActive), which KVM sets in every SNP "
						   "guest's VMSA", (unsigned long long)features);
		if (o.snp_ovmf_hash) {
			if (cococtl_hex_decode(cmd, "--snp-ovmf-hash", o.snp_ovmf_hash, ovmf_hash,
					       sizeof(ovmf_hash), &spec.firmware_measurement_len))
				return EXIT_USAGE;
			spec.firmware_measurement = ovmf_hash;
		}
		spec.kernel_path = o.kernel;
		spec.initrd_path = o.initrd;
		spec.cmdline = o.append;
		spec.vcpus = (uint32_t)vcpus;
		if (o.allow_no_metadata)
			spec.flags |= COCO_FIRMWARE_ALLOW_NO_METADATA;
		config.cpu_signature = sig;
		config.policy.u.snp.vmm_type = vmm;
		config.policy.u.snp.vmsa_features = features;
	}

	ret = coco_plan_from_firmware(backend, &spec, &config, &plan);
	if (ret)
		return cococtl_fail(cmd, "cannot build the launch plan");
	ret = coco_plan_expected_measurement(backend, &config, plan, &m);
	coco_plan_free(plan);
	if (ret)
		return cococtl_fail(cmd, "cannot compute the measurement");
	/* sev-snp-measure prints the image-only digest in hex, the form --snp-ovmf-hash takes. */
	return print_digest(&m, as_base64 && !image_only);
}

/* SPDX-License-Identifier: Apache-2.0 */
#include "image-options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Largest family / model / stepping the CPUID(1).EAX encoding can carry. */
#define FAMILY_MAX (0xFu + 0xFFu)
#define MODEL_MAX 0xFFu
#define STEPPING_MAX 0xFu

enum {
	OPT_VCPUS = IMAGE_OPT_BASE, OPT_VCPU_TYPE, OPT_VCPU_SIG, OPT_VCPU_FAMILY, OPT_VCPU_MODEL,
	OPT_VCPU_STEPPING, OPT_VMM_TYPE, OPT_OVMF, OPT_KERNEL, OPT_INITRD, OPT_APPEND,
	OPT_GUEST_FEATURES, OPT_SNP_OVMF_HASH, OPT_ALLOW_NO_METADATA, OPT_TDVF,
};

const struct option image_long_options[] = {
	{ "vcpus", required_argument, NULL, OPT_VCPUS },
	{ "vcpu-type", required_argument, NULL, OPT_VCPU_TYPE },
	{ "vcpu-sig", required_argument, NULL, OPT_VCPU_SIG },
	{ "vcpu-family", required_argument, NULL, OPT_VCPU_FAMILY },
	{ "vcpu-model", required_argument, NULL, OPT_VCPU_MODEL },
	{ "vcpu-stepping", required_argument, NULL, OPT_VCPU_STEPPING },
	{ "vmm-type", required_argument, NULL, OPT_VMM_TYPE },
	{ "ovmf", required_argument, NULL, OPT_OVMF },
	{ "tdvf", required_argument, NULL, OPT_TDVF },
	{ "kernel", required_argument, NULL, OPT_KERNEL },
	{ "initrd", required_argument, NULL, OPT_INITRD },
	{ "append", required_argument, NULL, OPT_APPEND },
	{ "guest-features", required_argument, NULL, OPT_GUEST_FEATURES },
	{ "snp-ovmf-hash", required_argument, NULL, OPT_SNP_OVMF_HASH },
	{ "allow-no-metadata", no_argument, NULL, OPT_ALLOW_NO_METADATA },
};
const size_t image_long_options_count = sizeof(image_long_options) / sizeof(image_long_options[0]);

void image_options_append(struct option *opts, size_t n)
{
	for (size_t i = 0; i < image_long_options_count; i++)
		opts[n++] = image_long_options[i];
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
}

bool image_option_set(struct image_options *o, int code, const char *arg)
{
	switch (code) {
	case OPT_VCPUS: o->vcpus = arg; break;
	case OPT_VCPU_TYPE: o->vcpu_type = arg; break;
	case OPT_VCPU_SIG: o->vcpu_sig = arg; break;
	case OPT_VCPU_FAMILY: o->vcpu_family = arg; break;
	case OPT_VCPU_MODEL: o->vcpu_model = arg; break;
	case OPT_VCPU_STEPPING: o->vcpu_stepping = arg; break;
	case OPT_VMM_TYPE: o->vmm_type = arg; break;
	case OPT_OVMF: o->ovmf = arg; break;
	case OPT_TDVF: o->tdvf = arg; break;
	case OPT_KERNEL: o->kernel = arg; break;
	case OPT_INITRD: o->initrd = arg; break;
	case OPT_APPEND: o->append = arg; break;
	case OPT_GUEST_FEATURES: o->guest_features = arg; break;
	case OPT_SNP_OVMF_HASH: o->snp_ovmf_hash = arg; break;
	case OPT_ALLOW_NO_METADATA: o->allow_no_metadata = true; break;
	default: return false;
	}
	return true;
}

void image_options_usage(FILE *out)
{
	fprintf(out,
		"  --vcpus N                 number of vCPUs\n"
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
		"  --tdvf PATH               TDX: TDVF firmware image (OVMF built for TDX,\n"
		"                            td-shim); its TDX metadata says what is measured\n"
		"  --kernel PATH             direct kernel boot (needs a SNP_KERNEL_HASHES section)\n"
		"  --initrd PATH             initrd for --kernel (default: none)\n"
		"  --append CMDLINE          kernel command line for --kernel (default: empty)\n"
		"  --guest-features VALUE    VMSA SEV_FEATURES (default 0x1; Linux >= 6.6 hosts\n"
		"                            enable DebugSwap: 0x21)\n"
		"  --snp-ovmf-hash HEX       precomputed --mode snp:ovmf-hash digest of the image\n"
		"  --allow-no-metadata       accept an image without SEV metadata (e.g. Debian's\n"
		"                            OVMF_CODE_4M.fd); such a digest matches no SNP guest\n");
}

int image_parse_bounded(const char *cmd, const char *option, const char *text, uint64_t max,
			uint64_t *value)
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
static int cpu_signature(const char *cmd, const struct image_options *o, enum coco_snp_vmm_type vmm,
			 uint32_t *sig)
{
	uint64_t f, m, s, v;

	*sig = 0;
	if (o->vcpu_family) {
		if (!o->vcpu_model || !o->vcpu_stepping)
			return cococtl_usage_error(cmd, "--vcpu-family needs --vcpu-model and "
						   "--vcpu-stepping");
		if (image_parse_bounded(cmd, "--vcpu-family", o->vcpu_family, FAMILY_MAX, &f) ||
		    image_parse_bounded(cmd, "--vcpu-model", o->vcpu_model, MODEL_MAX, &m) ||
		    image_parse_bounded(cmd, "--vcpu-stepping", o->vcpu_stepping, STEPPING_MAX, &s))
			return EXIT_USAGE;
		*sig = coco_snp_cpu_signature_from_fms((uint32_t)f, (uint32_t)m, (uint32_t)s);
	} else if (o->vcpu_sig) {
		if (image_parse_bounded(cmd, "--vcpu-sig", o->vcpu_sig, UINT32_MAX, &v))
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

const char *image_snp_only_option(const struct image_options *o)
{
	if (o->vcpu_type)
		return "--vcpu-type";
	if (o->vcpu_sig)
		return "--vcpu-sig";
	if (o->vcpu_family || o->vcpu_model || o->vcpu_stepping)
		return "--vcpu-family/--vcpu-model/--vcpu-stepping";
	if (o->vmm_type)
		return "--vmm-type";
	if (o->guest_features)
		return "--guest-features";
	if (o->snp_ovmf_hash)
		return "--snp-ovmf-hash";
	if (o->allow_no_metadata)
		return "--allow-no-metadata";
	return NULL;
}

/*
 * TDX: a TDVF image and the vCPU count; a kernel, initrd or command line
 * goes to the library, which says why TDX plans do not take them yet.
 */
static int resolve_tdx(const char *cmd, const struct image_options *o,
		       struct coco_firmware_spec *spec, struct coco_vm_config *config)
{
	const char *snp_option = image_snp_only_option(o);
	uint64_t vcpus = 1;

	coco_vm_config_init(config, COCO_VENDOR_INTEL_TDX);
	if (snp_option)
		return cococtl_usage_error(cmd, "%s is an SEV-SNP option; a TD takes its TDVF "
					   "image with --tdvf (or --ovmf) and --vcpus", snp_option);
	if (o->tdvf && o->ovmf && strcmp(o->tdvf, o->ovmf))
		return cococtl_usage_error(cmd, "give the TDVF image once: --tdvf or --ovmf");
	spec->firmware_path = o->tdvf ? o->tdvf : o->ovmf;
	if (!spec->firmware_path)
		return cococtl_usage_error(cmd, "--tdvf is required for a TD");
	if (o->vcpus && image_parse_bounded(cmd, "--vcpus", o->vcpus, UINT32_MAX, &vcpus))
		return EXIT_USAGE;
	spec->vcpus = (uint32_t)vcpus;
	spec->kernel_path = o->kernel && *o->kernel ? o->kernel : NULL;
	spec->initrd_path = o->initrd && *o->initrd ? o->initrd : NULL;
	spec->cmdline = o->append;
	config->vcpus = spec->vcpus;
	return 0;
}

int image_options_resolve(const char *cmd, struct image_options *o, enum coco_vendor vendor,
			  bool image_only, struct coco_firmware_spec *spec,
			  struct coco_vm_config *config, uint8_t hash_buf[COCO_MEASUREMENT_MAX])
{
	enum coco_snp_vmm_type vmm = COCO_SNP_VMM_QEMU;
	uint64_t vcpus = 0, features = COCO_SNP_FEATURES_DEFAULT;
	uint32_t sig = 0;
	int code;

	memset(spec, 0, sizeof(*spec));
	if (vendor == COCO_VENDOR_INTEL_TDX)
		return resolve_tdx(cmd, o, spec, config);
	coco_vm_config_init(config, COCO_VENDOR_AMD_SEV_SNP);
	if (o->tdvf)
		return cococtl_usage_error(cmd, "--tdvf is the TDX firmware option; SEV-SNP takes "
					   "its image with --ovmf (or choose a TDX backend)");
	if (!o->ovmf)
		return cococtl_usage_error(cmd, "--ovmf is required");
	spec->firmware_path = o->ovmf;
	if (image_only) {
		spec->flags = COCO_FIRMWARE_IMAGE_ONLY;
		return 0;	/* as sev-snp-measure, the other options do not matter here */
	}
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
	if (image_parse_bounded(cmd, "--vcpus", o->vcpus, UINT32_MAX, &vcpus))
		return EXIT_USAGE;
	if (o->vmm_type && coco_snp_vmm_type_from_name(o->vmm_type, &vmm))
		return cococtl_usage_error(cmd, "--vmm-type: %s", coco_last_error());
	code = cpu_signature(cmd, o, vmm, &sig);
	if (code)
		return code;
	if (o->guest_features &&
	    image_parse_bounded(cmd, "--guest-features", o->guest_features, UINT64_MAX, &features))
		return EXIT_USAGE;
	if (!(features & COCO_SNP_FEATURE_SNP_ACTIVE))
		return cococtl_usage_error(cmd, "--guest-features 0x%llx lacks bit 0 (SNPActive), "
					   "which KVM sets in every SNP guest's VMSA",
					   (unsigned long long)features);
	if (o->snp_ovmf_hash) {
		if (cococtl_hex_decode(cmd, "--snp-ovmf-hash", o->snp_ovmf_hash, hash_buf,
				       COCO_MEASUREMENT_MAX, &spec->firmware_measurement_len))
			return EXIT_USAGE;
		spec->firmware_measurement = hash_buf;
	}
	spec->kernel_path = o->kernel;
	spec->initrd_path = o->initrd;
	spec->cmdline = o->append;
	spec->vcpus = (uint32_t)vcpus;
	if (o->allow_no_metadata)
		spec->flags |= COCO_FIRMWARE_ALLOW_NO_METADATA;
	config->cpu_signature = sig;
	config->vcpus = (uint32_t)vcpus;
	config->policy.u.snp.vmm_type = vmm;
	config->policy.u.snp.vmsa_features = features;
	return 0;
}

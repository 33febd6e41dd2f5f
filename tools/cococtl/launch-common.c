/* SPDX-License-Identifier: Apache-2.0 */
#include "launch-common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void launch_image_defaults(struct image_options *o, enum coco_vendor vendor)
{
	if (!o->ovmf && !o->tdvf)
		o->ovmf = DEFAULT_OVMF;	/* Debian's carries both SEV and TDX metadata */
	if (!o->vcpus)
		o->vcpus = "1";
	if (vendor == COCO_VENDOR_AMD_SEV_SNP && !o->vcpu_type && !o->vcpu_sig &&
	    !o->vcpu_family)
		o->vcpu_type = DEFAULT_VCPU_TYPE;
}

int parse_memory_size(const char *cmd, const char *text, uint64_t *bytes)
{
	char *end;
	unsigned long long n;
	uint64_t shift = 0;

	errno = 0;
	n = strtoull(text, &end, 0);
	if (errno || end == text || *text == '-')
		goto bad;
	switch (*end) {
	case '\0':
		break;
	case 'k': case 'K':
		shift = 10;
		break;
	case 'm': case 'M':
		shift = 20;
		break;
	case 'g': case 'G':
		shift = 30;
		break;
	default:
		goto bad;
	}
	if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
		goto bad;
	if (n > (UINT64_MAX >> shift))
		goto bad;
	*bytes = (uint64_t)n << shift;
	return 0;
bad:
	return cococtl_usage_error(cmd, "--memory '%s' is not a size (bytes, or with K, M, G)",
				   text);
}

int launch_and_attest(const char *cmd, const char *selection, struct image_options *image,
		      uint64_t memory, const uint8_t report_data[COCO_REPORT_DATA_SIZE],
		      bool verbose, struct launch_result *r)
{
	struct coco_firmware_spec spec;
	struct coco_vm_config config;
	struct coco_launch_plan *plan = NULL;
	struct coco_host *host = NULL;
	struct coco_vm *vm = NULL;
	struct coco_caps caps;
	uint8_t hash[COCO_MEASUREMENT_MAX];
	int code, ret = 1;

	memset(r, 0, sizeof(*r));
	if (coco_host_open(selection, NULL, &host))
		return cococtl_fail(cmd, "cannot open a backend");
	/* The image options mean what the chosen backend's vendor makes of them. */
	launch_image_defaults(image, coco_host_vendor(host));
	code = image_options_resolve(cmd, image, coco_host_vendor(host), false, &spec, &config,
				     hash);
	if (!code && spec.firmware_measurement)
		code = cococtl_usage_error(cmd, "--snp-ovmf-hash describes a measurement, not an "
					   "image to launch");
	if (code) {
		coco_host_close(host);
		return code;
	}
	config.name = "cococtl";
	config.memory_size = memory;
	snprintf(r->backend, sizeof(r->backend), "%s", coco_host_backend(host));
	r->hardware = coco_host_is_hardware(host);
	if (coco_host_get_caps(host, &caps)) {
		cococtl_fail(cmd, "cannot read the backend's capabilities");
		goto out;
	}
	if (verbose)
		fprintf(stderr, "backend: %s (%s, firmware %s)\n", r->backend,
			r->hardware ? "hardware" : "platform model", caps.firmware_version);
	if (coco_plan_from_firmware(r->backend, &spec, &config, &plan)) {
		cococtl_fail(cmd, "cannot build the launch plan");
		goto out;
	}
	if (coco_plan_expected_measurement(r->backend, &config, plan, &r->expected)) {
		cococtl_fail(cmd, "cannot compute the expected measurement");
		goto out;
	}
	if (verbose)
		fprintf(stderr, "image: %s, %u vCPU%s, %llu MiB; plan of %zu regions\n",
			spec.firmware_path, spec.vcpus, spec.vcpus == 1 ? "" : "s",
			(unsigned long long)(memory >> 20), coco_plan_region_count(plan));
	if (coco_vm_create(host, &config, &vm)) {
		cococtl_fail(cmd, "cannot create the VM");
		goto out;
	}
	if (coco_vm_launch_plan(vm, plan)) {
		cococtl_fail(cmd, "the measured launch failed");
		goto out;
	}
	if (verbose)
		fprintf(stderr, "launched: pages measured, launch finished\n");
	if (!(caps.features & COCO_FEATURE_EVIDENCE)) {
		fprintf(stderr, "cococtl %s: backend %s gives no evidence to the host; on this "
			"backend the guest requests it itself\n", cmd, r->backend);
		ret = 0;
		goto out;
	}
	if (coco_vm_get_evidence(vm, report_data, &r->evidence)) {
		cococtl_fail(cmd, "cannot obtain evidence");
		goto out;
	}
	ret = 0;
out:
	coco_vm_destroy(vm);
	coco_plan_free(plan);
	coco_host_close(host);
	return ret;
}

int verify_launch_evidence(const char *cmd, const struct launch_result *r,
			   const uint8_t report_data[COCO_REPORT_DATA_SIZE])
{
	struct coco_verify_expect expect = {
		.report_data = report_data,
		.measurement = r->expected.value,
		.measurement_len = r->expected.size,
	};
	struct coco_trust_anchors *anchors = NULL;
	struct coco_verify_result res;
	int ret;

	/*
	 * A platform model signs with its own root, which stands for the
	 * vendor's; on hardware the vendor roots built into libcoco decide.
	 */
	if (!r->hardware) {
		if (coco_trust_anchors_from_evidence(r->evidence, &anchors))
			return cococtl_fail(cmd, "cannot use the platform's root certificate");
		fprintf(stderr, "trust anchor: the %s platform's own root certificate (a model "
			"root, not the vendor's)\n", r->backend);
	}
	ret = coco_evidence_verify(r->evidence, anchors, &expect, &res);
	coco_trust_anchors_free(anchors);
	if (ret) {
		fprintf(stderr, "cococtl %s: evidence NOT verified: %s\n", cmd,
			res.reason[0] ? res.reason : coco_last_error());
		return 1;
	}
	fprintf(stderr, "signature by %s (%s), certificate chain, report data and measurement "
		"hold\n", res.signer, res.product);
	return 0;
}

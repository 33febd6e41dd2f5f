/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Names users know from QEMU's -cpu and sev-snp-measure's --vcpu-type and
 * --vmm-type, mapped to what the SNP measurement needs: the CPUID(1).EAX
 * signature (VMSA RDX on QEMU/KVM) and the VMM flavour of the VMSA.
 */
#include <errno.h>
#include <stdio.h>
#include <strings.h>

#include <coco/snp.h>

#include "core/error.h"
#include "core/util.h"

/*
 * CPUID Fn0000_0001_EAX (AMD CPUID Specification #25481): stepping 3:0,
 * base model 7:4, base family 11:8, extended model 19:16, extended family
 * 27:20.  Families above 0xF are encoded as base 0xF plus the excess in
 * the extended family; the extended model holds the model's high nibble.
 */
uint32_t coco_snp_cpu_signature_from_fms(uint32_t family, uint32_t model, uint32_t stepping)
{
	uint32_t base_family = family > 0xF ? 0xF : family;
	uint32_t ext_family = family > 0xF ? (family - 0xF) & 0xFF : 0;

	return ext_family << 20 | ((model >> 4) & 0xF) << 16 | (base_family & 0xF) << 8 |
	       (model & 0xF) << 4 | (stepping & 0xF);
}

/*
 * The EPYC models of QEMU's builtin_x86_defs (target/i386/cpu.c) with the
 * family, model and stepping QEMU reports for them; the same list as
 * sev-snp-measure 0.0.13 vcpu_types.py, in its order.
 */
static const struct {
	const char *name;
	uint8_t family, model, stepping;
} cpu_types[] = {
	{ "EPYC", 23, 1, 2 },
	{ "EPYC-v1", 23, 1, 2 },
	{ "EPYC-v2", 23, 1, 2 },
	{ "EPYC-IBPB", 23, 1, 2 },
	{ "EPYC-v3", 23, 1, 2 },
	{ "EPYC-v4", 23, 1, 2 },
	{ "EPYC-Rome", 23, 49, 0 },
	{ "EPYC-Rome-v1", 23, 49, 0 },
	{ "EPYC-Rome-v2", 23, 49, 0 },
	{ "EPYC-Rome-v3", 23, 49, 0 },
	{ "EPYC-Milan", 25, 1, 1 },
	{ "EPYC-Milan-v1", 25, 1, 1 },
	{ "EPYC-Milan-v2", 25, 1, 1 },
	{ "EPYC-Genoa", 25, 17, 0 },
	{ "EPYC-Genoa-v1", 25, 17, 0 },
	{ "EPYC-Turin", 26, 0, 0 },
};

int coco_snp_cpu_signature(const char *vcpu_type, uint32_t *signature)
{
	char known[512];
	size_t used = 0;

	if (!vcpu_type || !signature)
		return coco_err(-EINVAL, "coco_snp_cpu_signature: vcpu_type and signature are "
				"required");
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cpu_types); i++) {
		if (!strcasecmp(vcpu_type, cpu_types[i].name)) {
			*signature = coco_snp_cpu_signature_from_fms(cpu_types[i].family,
								     cpu_types[i].model,
								     cpu_types[i].stepping);
			return 0;
		}
	}
	known[0] = '\0';
	for (size_t i = 0; i < COCO_ARRAY_SIZE(cpu_types) && used < sizeof(known); i++)
		used += (size_t)snprintf(known + used, sizeof(known) - used, "%s%s", i ? ", " : "",
					 cpu_types[i].name);
	return coco_err(-ENOENT, "unknown vCPU type '%s'; known types: %s (or give the CPUID "
			"signature or family, model and stepping instead)", vcpu_type, known);
}

int coco_snp_vmm_type_from_name(const char *name, enum coco_snp_vmm_type *type)
{
	static const struct {
		const char *name;
		enum coco_snp_vmm_type type;
	} names[] = {
		{ "qemu", COCO_SNP_VMM_QEMU },
		{ "coco-vmm", COCO_SNP_VMM_QEMU },	/* coco-vmm initialises VMSAs as QEMU/KVM do */
		{ "ec2", COCO_SNP_VMM_EC2 },
		{ "gce", COCO_SNP_VMM_GCE },
	};

	if (!name || !type)
		return coco_err(-EINVAL, "coco_snp_vmm_type_from_name: name and type are required");
	for (size_t i = 0; i < COCO_ARRAY_SIZE(names); i++) {
		if (!strcasecmp(name, names[i].name)) {
			*type = names[i].type;
			return 0;
		}
	}
	return coco_err(-ENOENT, "unknown VMM type '%s'; known types: qemu (also coco-vmm), "
			"ec2, gce", name);
}

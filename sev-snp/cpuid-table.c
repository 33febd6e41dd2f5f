/* SPDX-License-Identifier: Apache-2.0 */
#include "sev-snp/cpuid-table.h"

#include <cpuid.h>
#include <stdio.h>
#include <string.h>

#include "core/util.h"

static void get_func(const uint8_t *page, unsigned int i, struct snp_cpuid_func *f)
{
	const uint8_t *p = page + SNP_CPUID_HDR_SIZE + i * SNP_CPUID_FUNC_SIZE;

	f->eax_in = coco_le32(p);
	f->ecx_in = coco_le32(p + 4);
	f->xcr0_in = coco_le64(p + 8);
	f->xss_in = coco_le64(p + 16);
	f->eax = coco_le32(p + 24);
	f->ebx = coco_le32(p + 28);
	f->ecx = coco_le32(p + 32);
	f->edx = coco_le32(p + 36);
	f->reserved = coco_le64(p + 40);
}

static void put_func(uint8_t *page, unsigned int i, const struct snp_cpuid_func *f)
{
	uint8_t *p = page + SNP_CPUID_HDR_SIZE + i * SNP_CPUID_FUNC_SIZE;

	coco_put_le32(p, f->eax_in);
	coco_put_le32(p + 4, f->ecx_in);
	coco_put_le64(p + 8, f->xcr0_in);
	coco_put_le64(p + 16, f->xss_in);
	coco_put_le32(p + 24, f->eax);
	coco_put_le32(p + 28, f->ebx);
	coco_put_le32(p + 32, f->ecx);
	coco_put_le32(p + 36, f->edx);
	coco_put_le64(p + 40, f->reserved);
}

static bool leaf_checked(uint32_t leaf)
{
	return leaf <= 0xFFFFu || (leaf >= 0x80000000u && leaf <= 0x8000FFFFu);
}

static uint32_t family_of(uint32_t sig)
{
	return ((sig >> 8) & 0xf) + ((sig >> 20) & 0xff);
}

static uint32_t model_of(uint32_t sig)
{
	return (((sig >> 16) & 0xf) << 4) | ((sig >> 4) & 0xf);
}

/* Is signature @a newer than @b (family, then model, then stepping)? */
static bool newer_than(uint32_t a, uint32_t b)
{
	if (family_of(a) != family_of(b))
		return family_of(a) > family_of(b);
	if (model_of(a) != model_of(b))
		return model_of(a) > model_of(b);
	return (a & 0xf) > (b & 0xf);
}

enum snp_cpuid_check snp_cpuid_page_check(uint8_t page[4096], uint32_t cpu_signature, char *why,
					  size_t why_len)
{
	uint32_t count = coco_le32(page);
	bool corrected = false;

	why[0] = '\0';
	if (!coco_all_zero(page + 4, SNP_CPUID_HDR_SIZE - 4)) {
		snprintf(why, why_len, "reserved header fields are not zero");
		return SNP_CPUID_REJECTED;
	}
	if (count > SNP_CPUID_MAX_FUNCS) {
		snprintf(why, why_len, "count %u exceeds the %u functions a CPUID page holds",
			 count, SNP_CPUID_MAX_FUNCS);
		return SNP_CPUID_REJECTED;
	}
	for (unsigned int i = 0; i < count; i++) {
		struct snp_cpuid_func f;

		get_func(page, i, &f);
		if (!leaf_checked(f.eax_in))
			continue;
		if (f.reserved) {
			/* Marked failed, left as it is. */
			snprintf(why, why_len, "function 0x%x: reserved field is not zero", f.eax_in);
			corrected = true;
		}
		if (f.eax_in == 1 && newer_than(f.eax & 0x0fff3fff, cpu_signature)) {
			snprintf(why, why_len, "function 1: signature 0x%x claims a newer processor "
				 "than this one (0x%x)", f.eax, cpu_signature);
			f.eax = (f.eax & ~0x0fff3fffu) | cpu_signature;
			corrected = true;
		}
		put_func(page, i, &f);
	}
	return corrected ? SNP_CPUID_CORRECTED : SNP_CPUID_OK;
}

void snp_cpuid_page_build(uint8_t page[4096], uint32_t cpu_signature)
{
	static const struct {
		uint32_t leaf, subleaf;
	} wanted[] = {
		{ 0x0, 0 },  { 0x1, 0 },  { 0x7, 0 },  { 0xD, 0 },  { 0xD, 1 },
		{ 0x80000000u, 0 }, { 0x80000001u, 0 }, { 0x80000007u, 0 },
		{ 0x80000008u, 0 }, { 0x8000001Fu, 0 },
	};
	unsigned int n = 0;

	memset(page, 0, 4096);
	for (size_t i = 0; i < COCO_ARRAY_SIZE(wanted); i++) {
		struct snp_cpuid_func f = { .eax_in = wanted[i].leaf, .ecx_in = wanted[i].subleaf };
		unsigned int a = 0, b = 0, c = 0, d = 0;

		__cpuid_count(wanted[i].leaf, wanted[i].subleaf, a, b, c, d);
		f.eax = a;
		f.ebx = b;
		f.ecx = c;
		f.edx = d;
		if (f.eax_in == 1)
			f.eax = cpu_signature;
		if (f.eax_in == 0xD)
			f.xcr0_in = 1;	/* x87 state: what the reset XCR0 enables */
		put_func(page, n++, &f);
	}
	coco_put_le32(page, n);
}

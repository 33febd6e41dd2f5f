/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP CPUID page: the table of CPUID results a guest trusts, checked
 * by the firmware at SNP_LAUNCH_UPDATE(CPUID) (SNP Firmware ABI, CPUID
 * page; Linux `struct snp_cpuid_table`: u32 count, 12 reserved bytes, then
 * up to 64 functions of 48 bytes).
 */
#ifndef COCO_SNP_CPUID_TABLE_H
#define COCO_SNP_CPUID_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SNP_CPUID_MAX_FUNCS 64u
#define SNP_CPUID_FUNC_SIZE 48u
#define SNP_CPUID_HDR_SIZE 16u

struct snp_cpuid_func {
	uint32_t eax_in, ecx_in;
	uint64_t xcr0_in, xss_in;
	uint32_t eax, ebx, ecx, edx;
	uint64_t reserved;
};

enum snp_cpuid_check {
	SNP_CPUID_OK = 0,
	SNP_CPUID_REJECTED = 1,		/* malformed table: nothing written back */
	SNP_CPUID_CORRECTED = 2,	/* values out of bounds: corrected table written back */
};

/*
 * Check a CPUID page as the firmware does (AMD-ASPFW sanitize_cpuid_list):
 * the header's reserved fields and a count above 64 reject the page;
 * entries of the standard (0-0xFFFF) and extended (0x80000000-0x8000FFFF)
 * ranges are checked — reserved field zero, and leaf 1's family, model and
 * stepping no newer than the processor's (@cpu_signature) — and corrected
 * in place.  The firmware also bounds many registers against per-leaf
 * tables of the silicon; the model applies the rules above only.
 */
enum snp_cpuid_check snp_cpuid_page_check(uint8_t page[4096], uint32_t cpu_signature, char *why,
					  size_t why_len);

/*
 * Fill @page with a CPUID table for the model guest: the leaves a Linux or
 * OVMF guest asks for, taken from this host's CPUID where the model CPU
 * allows them.
 */
void snp_cpuid_page_build(uint8_t page[4096], uint32_t cpu_signature);

#endif

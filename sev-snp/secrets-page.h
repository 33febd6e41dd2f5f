/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SNP secrets page the firmware writes at SNP_LAUNCH_UPDATE(SECRETS)
 * (SNP Firmware ABI, secrets page format; Linux `struct snp_secrets_page`).
 */
#ifndef COCO_SNP_SECRETS_PAGE_H
#define COCO_SNP_SECRETS_PAGE_H

#define SNP_SECRETS_VERSION 0x000	/* u32: 3 with the TSC factor field */
#define SNP_SECRETS_IMIEN 0x004		/* u32 bit 0 */
#define SNP_SECRETS_FMS 0x008		/* u32: family/model/stepping (CPUID(1).EAX) */
#define SNP_SECRETS_GOSVW 0x010		/* 16 bytes */
#define SNP_SECRETS_VMPCK0 0x020	/* 32 bytes each, VMPCK0..3 */
#define SNP_SECRETS_VMPCK(n) (0x020 + 0x20 * (n))
#define SNP_SECRETS_OS_AREA 0x0A0	/* 96 bytes the guest OS owns */
#define SNP_SECRETS_OS_SEQNO(n) (0x0A0 + 4 * (n))	/* Linux: msg_seqno_0..3 (u32) */
#define SNP_SECRETS_VMSA_TWEAK 0x100	/* 64 bytes */
#define SNP_SECRETS_TSC_FACTOR 0x160	/* u32 */
#define SNP_SECRETS_PAGE_VERSION 3u

#endif

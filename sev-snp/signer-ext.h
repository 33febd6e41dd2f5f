/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD's X.509 extensions of VCEK and VLEK certificates (prefix
 * 1.3.6.1.4.1.3704.1; AMD "VCEK Certificate and KDS Interface
 * Specification" 57230, ../shared/specs/snp.md 3.2): what the chip's TCB
 * and identity were when the key was issued.  Written for model VCEKs,
 * read back by the verifier to bind a certificate to a report.
 */
#ifndef COCO_SNP_SIGNER_EXT_H
#define COCO_SNP_SIGNER_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "sev-snp/report.h"

/* Value of an SPL extension that is absent. */
#define SNP_SPL_ABSENT (-1)

/* The extensions as found in a certificate. */
struct snp_signer_ext {
	int struct_version;		/* .1, or SNP_SPL_ABSENT */
	char product_name[32];		/* .2 ("Milan-B0", "Genoa", "Turin"), "" if absent */
	int bl_spl, tee_spl, snp_spl;	/* .3.1, .3.2, .3.3 */
	int ucode_spl;			/* .3.8 */
	int fmc_spl;			/* .3.9 (Turin) */
	uint8_t hwid[64];		/* .4: raw bytes (VCEK only) */
	size_t hwid_len;		/* 0 if absent */
	char csp_id[128];		/* .5 (VLEK only), "" if absent */
};

/*
 * Read the AMD extensions of @cert.  -EBADMSG naming the OID when one is
 * malformed (not a DER INTEGER 0..255 for SPLs, not an IA5String for names,
 * a hwID longer than 64 bytes) or repeated; absent ones are reported as
 * absent, the caller decides which it needs.
 */
int snp_signer_ext_read(X509 *cert, struct snp_signer_ext *ext);

/*
 * Add a VCEK's extensions to @cert, in the order and encoding of real
 * VCEKs: structVersion (0; Turin 1), productName, the SPLs of @tcb (with
 * the reserved spl_4..spl_7 as 0; Turin omits spl_4 and adds fmcSPL),
 * hwID = the product's CHIP_ID bytes of @chip_id.
 */
int snp_signer_ext_add_vcek(X509 *cert, enum snp_product product, uint64_t tcb,
			    const uint8_t chip_id[64]);

/* productName a model VCEK carries for @product (as real VCEKs: "Milan-B0", ...). */
const char *snp_vcek_product_name(enum snp_product product);

#endif

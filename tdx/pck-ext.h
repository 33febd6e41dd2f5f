/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SGX extensions of Intel PCK certificates (OID 1.2.840.113741.1.13.1,
 * "Intel SGX PCK Certificate and Certificate Revocation List Profile";
 * ../shared/specs/tdx.md 5.3): the platform's identity and TCB at
 * issuance.  Shape, from `openssl asn1parse` of the PCK certificate in
 * tests/vectors/tdx/tdx_prod_quote_SPR_E4.dat:
 *
 *   SEQUENCE {
 *     SEQUENCE { OID .1 PPID,   OCTET STRING (16) }
 *     SEQUENCE { OID .2 TCB,    SEQUENCE { SEQUENCE { OID .2.1 .. .2.16, INTEGER comp SVN },
 *                                          SEQUENCE { OID .2.17, INTEGER PCESVN },
 *                                          SEQUENCE { OID .2.18, OCTET STRING (16) CPUSVN } } }
 *     SEQUENCE { OID .3 PCE-ID, OCTET STRING (2) }
 *     SEQUENCE { OID .4 FMSPC,  OCTET STRING (6) }
 *     SEQUENCE { OID .5 SGX type, ENUMERATED (0 standard, 1 scalable, 2 scalable+integrity) }
 *     platform CA issued only:
 *     SEQUENCE { OID .6 PlatformInstanceID, OCTET STRING (16) }
 *     SEQUENCE { OID .7 Configuration, SEQUENCE { SEQUENCE { OID .7.1 dynamicPlatform, BOOLEAN },
 *                                                 SEQUENCE { OID .7.2 cachedKeys, BOOLEAN },
 *                                                 SEQUENCE { OID .7.3 SMTEnabled, BOOLEAN } } }
 *   }
 */
#ifndef COCO_TDX_PCK_EXT_H
#define COCO_TDX_PCK_EXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#define TDX_PCK_EXT_OID "1.2.840.113741.1.13.1"
#define TDX_FMSPC_SIZE 6u

struct tdx_pck_ext {
	uint8_t ppid[16];
	uint8_t tcb_comp_svn[16];	/* .2.1 .. .2.16 */
	uint16_t pcesvn;		/* .2.17 */
	uint8_t cpusvn[16];		/* .2.18 */
	uint8_t pceid[2];
	uint8_t fmspc[TDX_FMSPC_SIZE];
	uint8_t sgx_type;
	bool has_platform;		/* .6 and .7 present (issued by the Platform CA) */
	uint8_t platform_instance_id[16];
	bool dynamic_platform, cached_keys, smt_enabled;
};

/*
 * Read the SGX extension of @cert.  -ENOENT when the certificate has none;
 * -EBADMSG naming the element when it is malformed or lacks one of PPID,
 * TCB (all 18 components), PCE-ID, FMSPC, SGX type.
 */
int tdx_pck_ext_read(X509 *cert, struct tdx_pck_ext *ext);

/* Decode the extension's value (the DER inside the extnValue OCTET STRING). */
int tdx_pck_ext_decode(const uint8_t *der, size_t len, struct tdx_pck_ext *ext);

/*
 * DER of the extension value for @ext in the real shape and order (.6/.7
 * only with has_platform), malloc'd.
 */
int tdx_pck_ext_encode(const struct tdx_pck_ext *ext, uint8_t **der, size_t *len);

/* Add it to @cert as the non-critical extension 1.2.840.113741.1.13.1. */
int tdx_pck_ext_add(X509 *cert, const struct tdx_pck_ext *ext);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * AMD's VCEK/VLEK certificate extensions (sev-snp/signer-ext.h).  Encoding
 * facts come from `openssl asn1parse` of real certificates
 * (tests/vectors/snp/milan-v2/vcek_milan.der and the Genoa VCEK and Milan
 * VLEK vectors): every extension is non-critical; SPLs and structVersion
 * are a DER INTEGER inside the extnValue OCTET STRING, productName and
 * cspID a DER IA5String, hwID the raw chip-ID bytes with no inner DER.
 */
#include "sev-snp/signer-ext.h"

#include <errno.h>
#include <string.h>

#include <openssl/asn1.h>
#include <openssl/objects.h>

#include "core/error.h"
#include "core/util.h"

/* OIDs (snp.md 3.2; go-sev-guest kds.go; real certificates). */
#define AMD_OID_PREFIX "1.3.6.1.4.1.3704.1."

enum ext_kind { EXT_INTEGER, EXT_IA5STRING, EXT_RAW };

enum ext_id {
	EXT_STRUCT_VERSION,
	EXT_PRODUCT_NAME,
	EXT_BL_SPL,
	EXT_TEE_SPL,
	EXT_SNP_SPL,
	EXT_SPL_4,
	EXT_SPL_5,
	EXT_SPL_6,
	EXT_SPL_7,
	EXT_UCODE_SPL,
	EXT_FMC_SPL,
	EXT_HWID,
	EXT_CSP_ID,
	EXT_COUNT,
};

static const struct {
	const char *oid;
	const char *name;
	enum ext_kind kind;
} ext_table[EXT_COUNT] = {
	[EXT_STRUCT_VERSION] = { AMD_OID_PREFIX "1", "structVersion", EXT_INTEGER },
	[EXT_PRODUCT_NAME] = { AMD_OID_PREFIX "2", "productName", EXT_IA5STRING },
	[EXT_BL_SPL] = { AMD_OID_PREFIX "3.1", "blSPL", EXT_INTEGER },
	[EXT_TEE_SPL] = { AMD_OID_PREFIX "3.2", "teeSPL", EXT_INTEGER },
	[EXT_SNP_SPL] = { AMD_OID_PREFIX "3.3", "snpSPL", EXT_INTEGER },
	[EXT_SPL_4] = { AMD_OID_PREFIX "3.4", "spl_4", EXT_INTEGER },
	[EXT_SPL_5] = { AMD_OID_PREFIX "3.5", "spl_5", EXT_INTEGER },
	[EXT_SPL_6] = { AMD_OID_PREFIX "3.6", "spl_6", EXT_INTEGER },
	[EXT_SPL_7] = { AMD_OID_PREFIX "3.7", "spl_7", EXT_INTEGER },
	[EXT_UCODE_SPL] = { AMD_OID_PREFIX "3.8", "ucodeSPL", EXT_INTEGER },
	[EXT_FMC_SPL] = { AMD_OID_PREFIX "3.9", "fmcSPL", EXT_INTEGER },
	[EXT_HWID] = { AMD_OID_PREFIX "4", "hwID", EXT_RAW },
	[EXT_CSP_ID] = { AMD_OID_PREFIX "5", "cspID", EXT_IA5STRING },
};

const char *snp_vcek_product_name(enum snp_product product)
{
	/* Values seen in real VCEKs (snp.md 3.2; go-sev-guest's product table). */
	switch (product) {
	case SNP_PRODUCT_MILAN:
		return "Milan-B0";
	case SNP_PRODUCT_GENOA:
		return "Genoa";
	case SNP_PRODUCT_TURIN:
		return "Turin";
	default:
		return NULL;
	}
}

static int find_ext_id(const ASN1_OBJECT *obj)
{
	char oid[64];
	int n = OBJ_obj2txt(oid, sizeof(oid), obj, 1);

	if (n <= 0 || (size_t)n >= sizeof(oid) || strncmp(oid, AMD_OID_PREFIX,
							   strlen(AMD_OID_PREFIX)))
		return -1;
	for (int i = 0; i < EXT_COUNT; i++)
		if (!strcmp(oid, ext_table[i].oid))
			return i;
	return -1;
}

static int read_integer(const unsigned char *p, long len, int id, int *out)
{
	const unsigned char *q = p;
	ASN1_INTEGER *v = d2i_ASN1_INTEGER(NULL, &q, len);
	int64_t value;
	int ok = v && q == p + len && ASN1_INTEGER_get_int64(&value, v) == 1 && value >= 0 &&
		 value <= 255;

	ASN1_INTEGER_free(v);
	if (!ok)
		return coco_err(-EBADMSG, "VCEK/VLEK extension %s (%s): not a DER INTEGER in "
				"0..255", ext_table[id].name, ext_table[id].oid);
	*out = (int)value;
	return 0;
}

static int read_ia5(const unsigned char *p, long len, int id, char *out, size_t cap)
{
	const unsigned char *q = p;
	ASN1_IA5STRING *s = d2i_ASN1_IA5STRING(NULL, &q, len);
	int ok = s && q == p + len && (size_t)ASN1_STRING_length(s) < cap &&
		 !memchr(ASN1_STRING_get0_data(s), 0, (size_t)ASN1_STRING_length(s));

	if (ok) {
		memcpy(out, ASN1_STRING_get0_data(s), (size_t)ASN1_STRING_length(s));
		out[ASN1_STRING_length(s)] = '\0';
	}
	ASN1_IA5STRING_free(s);
	if (!ok)
		return coco_err(-EBADMSG, "VCEK/VLEK extension %s (%s): not a DER IA5String of "
				"at most %zu characters", ext_table[id].name, ext_table[id].oid,
				cap - 1);
	return 0;
}

int snp_signer_ext_read(X509 *cert, struct snp_signer_ext *ext)
{
	bool seen[EXT_COUNT] = { false };
	int *spl[EXT_COUNT] = {
		[EXT_STRUCT_VERSION] = &ext->struct_version,
		[EXT_BL_SPL] = &ext->bl_spl,
		[EXT_TEE_SPL] = &ext->tee_spl,
		[EXT_SNP_SPL] = &ext->snp_spl,
		[EXT_UCODE_SPL] = &ext->ucode_spl,
		[EXT_FMC_SPL] = &ext->fmc_spl,
	};
	int reserved_spl, ret = 0;

	memset(ext, 0, sizeof(*ext));
	ext->struct_version = ext->bl_spl = ext->tee_spl = ext->snp_spl = SNP_SPL_ABSENT;
	ext->ucode_spl = ext->fmc_spl = SNP_SPL_ABSENT;

	for (int i = 0; i < X509_get_ext_count(cert) && !ret; i++) {
		X509_EXTENSION *x = X509_get_ext(cert, i);
		int id = find_ext_id(X509_EXTENSION_get_object(x));
		const ASN1_OCTET_STRING *value = X509_EXTENSION_get_data(x);
		const unsigned char *p = ASN1_STRING_get0_data(value);
		long len = ASN1_STRING_length(value);

		if (id < 0)
			continue;
		if (seen[id])
			return coco_err(-EBADMSG, "VCEK/VLEK extension %s (%s) appears twice",
					ext_table[id].name, ext_table[id].oid);
		seen[id] = true;
		switch (ext_table[id].kind) {
		case EXT_INTEGER:
			ret = read_integer(p, len, id, spl[id] ? spl[id] : &reserved_spl);
			break;
		case EXT_IA5STRING:
			if (id == EXT_PRODUCT_NAME)
				ret = read_ia5(p, len, id, ext->product_name,
					       sizeof(ext->product_name));
			else
				ret = read_ia5(p, len, id, ext->csp_id, sizeof(ext->csp_id));
			break;
		case EXT_RAW:
			if (len <= 0 || (size_t)len > sizeof(ext->hwid))
				return coco_err(-EBADMSG, "VCEK extension %s (%s): %ld bytes; a "
						"chip ID has 64 (Turin 8)", ext_table[id].name,
						ext_table[id].oid, len);
			memcpy(ext->hwid, p, (size_t)len);
			ext->hwid_len = (size_t)len;
			break;
		}
	}
	return ret;
}

/* ------------------------------------------------------------------ */

static int add_ext_der(X509 *cert, int id, const unsigned char *der, int len)
{
	ASN1_OBJECT *obj = OBJ_txt2obj(ext_table[id].oid, 1);
	ASN1_OCTET_STRING *value = ASN1_OCTET_STRING_new();
	X509_EXTENSION *x = NULL;
	int ok = obj && value && ASN1_OCTET_STRING_set(value, der, len) &&
		 (x = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, value)) &&
		 X509_add_ext(cert, x, -1);

	X509_EXTENSION_free(x);
	ASN1_OCTET_STRING_free(value);
	ASN1_OBJECT_free(obj);
	if (!ok)
		return coco_err(-ENOMEM, "VCEK certificate: cannot add extension %s (%s)",
				ext_table[id].name, ext_table[id].oid);
	return 0;
}

static int add_ext_integer(X509 *cert, int id, int value)
{
	ASN1_INTEGER *v = ASN1_INTEGER_new();
	unsigned char *der = NULL;
	int len = -1, ret;

	if (v && ASN1_INTEGER_set_int64(v, value))
		len = i2d_ASN1_INTEGER(v, &der);
	ASN1_INTEGER_free(v);
	if (len <= 0)
		return coco_err(-ENOMEM, "VCEK certificate: cannot encode %s", ext_table[id].name);
	ret = add_ext_der(cert, id, der, len);
	OPENSSL_free(der);
	return ret;
}

static int add_ext_ia5(X509 *cert, int id, const char *text)
{
	ASN1_IA5STRING *s = ASN1_IA5STRING_new();
	unsigned char *der = NULL;
	int len = -1, ret;

	if (s && ASN1_STRING_set(s, text, (int)strlen(text)))
		len = i2d_ASN1_IA5STRING(s, &der);
	ASN1_IA5STRING_free(s);
	if (len <= 0)
		return coco_err(-ENOMEM, "VCEK certificate: cannot encode %s", ext_table[id].name);
	ret = add_ext_der(cert, id, der, len);
	OPENSSL_free(der);
	return ret;
}

/*
 * Order as in real Milan/Genoa VCEKs: .1 .2 .3.1 .3.2 .3.4-.3.7 .3.3 .3.8 .4.
 * Turin VCEKs have no .3.4 and add .3.9 (placed after .3.8 here: no Turin
 * VCEK was available to check its position).
 */
static const enum ext_id vcek_order[] = {
	EXT_STRUCT_VERSION, EXT_PRODUCT_NAME, EXT_BL_SPL, EXT_TEE_SPL, EXT_SPL_4, EXT_SPL_5,
	EXT_SPL_6, EXT_SPL_7, EXT_SNP_SPL, EXT_UCODE_SPL, EXT_FMC_SPL, EXT_HWID,
};

int snp_signer_ext_add_vcek(X509 *cert, enum snp_product product, uint64_t tcb_raw,
			    const uint8_t chip_id[64])
{
	const char *name = snp_vcek_product_name(product);
	bool turin = product == SNP_PRODUCT_TURIN;
	struct snp_tcb tcb;
	int ret = 0;

	if (!name)
		return coco_err(-EINVAL, "VCEK certificate: product %d is not Milan, Genoa or "
				"Turin", (int)product);
	snp_tcb_decode(product, tcb_raw, &tcb);
	for (size_t i = 0; i < COCO_ARRAY_SIZE(vcek_order) && !ret; i++) {
		enum ext_id id = vcek_order[i];

		if ((turin && id == EXT_SPL_4) || (!turin && id == EXT_FMC_SPL))
			continue;
		switch (id) {
		case EXT_STRUCT_VERSION:
			ret = add_ext_integer(cert, id, turin ? 1 : 0);
			break;
		case EXT_PRODUCT_NAME:
			ret = add_ext_ia5(cert, id, name);
			break;
		case EXT_BL_SPL:
			ret = add_ext_integer(cert, id, tcb.bootloader);
			break;
		case EXT_TEE_SPL:
			ret = add_ext_integer(cert, id, tcb.tee);
			break;
		case EXT_SNP_SPL:
			ret = add_ext_integer(cert, id, tcb.snp);
			break;
		case EXT_UCODE_SPL:
			ret = add_ext_integer(cert, id, tcb.microcode);
			break;
		case EXT_FMC_SPL:
			ret = add_ext_integer(cert, id, tcb.fmc);
			break;
		case EXT_HWID:
			ret = add_ext_der(cert, id, chip_id, (int)snp_chip_id_size(product));
			break;
		default:	/* reserved spl_4..spl_7 */
			ret = add_ext_integer(cert, id, 0);
			break;
		}
	}
	return ret;
}

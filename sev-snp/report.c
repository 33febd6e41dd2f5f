/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ATTESTATION_REPORT codec (sev-snp/report.h).  Offsets: SNP Firmware ABI
 * ATTESTATION_REPORT structure, as tabulated in ../shared/specs/snp.md 2.1
 * (cross-checked there against AMD-ASPFW, go-sev-guest, virtee/sev and
 * decoded real reports).  Every byte of the report is either a field or a
 * reserved range checked for zero, so decode(encode(r)) == r and
 * encode(decode(b)) == b for every accepted b.
 */
#include "sev-snp/report.h"

#include <errno.h>
#include <string.h>

#include "core/error.h"
#include "core/util.h"

/* Field offsets (snp.md 2.1). */
enum {
	OFF_VERSION = 0x000,
	OFF_GUEST_SVN = 0x004,
	OFF_POLICY = 0x008,
	OFF_FAMILY_ID = 0x010,
	OFF_IMAGE_ID = 0x020,
	OFF_VMPL = 0x030,
	OFF_SIGNATURE_ALGO = 0x034,
	OFF_CURRENT_TCB = 0x038,
	OFF_PLATFORM_INFO = 0x040,
	OFF_SIGNER_INFO = 0x048,
	OFF_REPORT_DATA = 0x050,
	OFF_MEASUREMENT = 0x090,
	OFF_HOST_DATA = 0x0C0,
	OFF_ID_KEY_DIGEST = 0x0E0,
	OFF_AUTHOR_KEY_DIGEST = 0x110,
	OFF_REPORT_ID = 0x140,
	OFF_REPORT_ID_MA = 0x160,
	OFF_REPORTED_TCB = 0x180,
	OFF_CPUID_FAM_ID = 0x188,	/* version >= 3 */
	OFF_CPUID_MOD_ID = 0x189,
	OFF_CPUID_STEP = 0x18A,
	OFF_CHIP_ID = 0x1A0,
	OFF_COMMITTED_TCB = 0x1E0,
	OFF_CURRENT_BUILD = 0x1E8,
	OFF_CURRENT_MINOR = 0x1E9,
	OFF_CURRENT_MAJOR = 0x1EA,
	OFF_COMMITTED_BUILD = 0x1EC,
	OFF_COMMITTED_MINOR = 0x1ED,
	OFF_COMMITTED_MAJOR = 0x1EE,
	OFF_LAUNCH_TCB = 0x1F0,
	OFF_LAUNCH_MIT_VECTOR = 0x1F8,	/* version >= 5 */
	OFF_CURRENT_MIT_VECTOR = 0x200,
};

/* Signer info bits 31:5 are MBZ (snp.md 2.1, offset 0x48). */
#define SIGNER_INFO_MBZ_MASK 0xFFFFFFE0u

struct reserved_range {
	uint32_t start, end;		/* [start, end) */
	const char *what;
};

/*
 * Reserved (must-be-zero) ranges of each version: everything that is not a
 * field.  Versions 2..4 keep the mitigation vectors reserved; version 2
 * also the CPUID identification bytes.
 */
static const struct reserved_range reserved_common[] = {
	{ 0x04C, 0x050, "reserved after signer info" },
	{ 0x1EB, 0x1EC, "reserved after CURRENT_MAJOR" },
	{ 0x1EF, 0x1F0, "reserved after COMMITTED_MAJOR" },
	/* P-384 values take 48 of the 72 little-endian bytes of R and S. */
	{ 0x2D0, 0x2E8, "SIGNATURE.R bytes above the 48-byte P-384 value" },
	{ 0x318, 0x330, "SIGNATURE.S bytes above the 48-byte P-384 value" },
	{ 0x330, 0x4A0, "reserved rest of SIGNATURE" },
};
static const struct reserved_range reserved_v2_cpuid = { 0x188, 0x1A0,
	"reserved after REPORTED_TCB (version 2 has no CPUID_FAM_ID/MOD_ID/STEP)" };
static const struct reserved_range reserved_v3_cpuid = { 0x18B, 0x1A0,
	"reserved after CPUID_STEP" };
static const struct reserved_range reserved_pre_v5_tail = { 0x1F8, 0x2A0,
	"reserved after LAUNCH_TCB (LAUNCH_MIT_VECTOR/CURRENT_MIT_VECTOR exist from version 5)" };
static const struct reserved_range reserved_v5_tail = { 0x208, 0x2A0,
	"reserved after CURRENT_MIT_VECTOR" };

const char *snp_product_name(enum snp_product product)
{
	switch (product) {
	case SNP_PRODUCT_MILAN:
		return "Milan";
	case SNP_PRODUCT_GENOA:
		return "Genoa";
	case SNP_PRODUCT_TURIN:
		return "Turin";
	default:
		return "unknown";
	}
}

enum snp_product snp_product_from_name(const char *name, size_t len)
{
	static const enum snp_product products[] = { SNP_PRODUCT_MILAN, SNP_PRODUCT_GENOA,
						     SNP_PRODUCT_TURIN };

	for (size_t i = 0; i < COCO_ARRAY_SIZE(products); i++) {
		const char *p = snp_product_name(products[i]);
		size_t n = strlen(p);
		/* "Milan" alone or followed by a stepping suffix ("-B0"). */
		if (len >= n && !memcmp(name, p, n) && (len == n || name[n] == '-'))
			return products[i];
	}
	return SNP_PRODUCT_UNKNOWN;
}

size_t snp_chip_id_size(enum snp_product product)
{
	return product == SNP_PRODUCT_TURIN ? 8 : 64;
}

uint64_t snp_tcb_encode(enum snp_product product, const struct snp_tcb *tcb)
{
	uint8_t b[8] = { 0 };

	if (product == SNP_PRODUCT_TURIN) {
		b[0] = tcb->fmc;
		b[1] = tcb->bootloader;
		b[2] = tcb->tee;
		b[3] = tcb->snp;
	} else {
		b[0] = tcb->bootloader;
		b[1] = tcb->tee;
		b[6] = tcb->snp;
	}
	b[7] = tcb->microcode;
	return coco_le64(b);
}

void snp_tcb_decode(enum snp_product product, uint64_t raw, struct snp_tcb *tcb)
{
	uint8_t b[8];

	coco_put_le64(b, raw);
	memset(tcb, 0, sizeof(*tcb));
	if (product == SNP_PRODUCT_TURIN) {
		tcb->fmc = b[0];
		tcb->bootloader = b[1];
		tcb->tee = b[2];
		tcb->snp = b[3];
	} else {
		tcb->bootloader = b[0];
		tcb->tee = b[1];
		tcb->snp = b[6];
	}
	tcb->microcode = b[7];
}

enum snp_signing_key snp_report_signing_key(const struct snp_report *report)
{
	return (enum snp_signing_key)((report->signer_info & SNP_SIGNER_KEY_MASK) >>
				      SNP_SIGNER_KEY_SHIFT);
}

enum snp_product snp_report_product(const struct snp_report *r)
{
	if (r->version >= 3) {
		/* CPUID_FAM_ID/MOD_ID ranges: snp.md 2.1 (snpguest's mapping). */
		if (r->cpuid_fam_id == 0x19) {
			if (r->cpuid_mod_id <= 0x0F)
				return SNP_PRODUCT_MILAN;
			if ((r->cpuid_mod_id >= 0x10 && r->cpuid_mod_id <= 0x1F) ||
			    (r->cpuid_mod_id >= 0xA0 && r->cpuid_mod_id <= 0xAF))
				return SNP_PRODUCT_GENOA;
		} else if (r->cpuid_fam_id == 0x1A && r->cpuid_mod_id <= 0x11) {
			return SNP_PRODUCT_TURIN;
		}
		return SNP_PRODUCT_UNKNOWN;
	}
	/* Turin chip IDs use 8 bytes (snp.md 2.3: virtee/snpguest heuristic). */
	if (!coco_all_zero(r->chip_id, 8) && coco_all_zero(r->chip_id + 8, 56))
		return SNP_PRODUCT_TURIN;
	return SNP_PRODUCT_UNKNOWN;
}

/* ------------------------------------------------------------------ */

static bool version_known(uint32_t version)
{
	return version >= SNP_REPORT_VERSION_MIN && version <= SNP_REPORT_VERSION_MAX;
}

/* Check the reserved ranges of @version in @buf; @err is -EBADMSG or -EINVAL. */
static int check_reserved(const uint8_t *buf, uint32_t version, int err, const char *op)
{
	const struct reserved_range *ranges[COCO_ARRAY_SIZE(reserved_common) + 2];
	size_t n = 0;

	for (size_t i = 0; i < COCO_ARRAY_SIZE(reserved_common); i++)
		ranges[n++] = &reserved_common[i];
	ranges[n++] = version >= 3 ? &reserved_v3_cpuid : &reserved_v2_cpuid;
	ranges[n++] = version >= 5 ? &reserved_v5_tail : &reserved_pre_v5_tail;
	for (size_t i = 0; i < n; i++) {
		const struct reserved_range *r = ranges[i];
		for (uint32_t off = r->start; off < r->end; off++)
			if (buf[off])
				return coco_err(err, "%s: %s [0x%03X, 0x%03X) must be zero in a "
						"version %u report, but byte 0x%03X is 0x%02X",
						op, r->what, r->start, r->end, version, off,
						buf[off]);
	}
	return 0;
}

/* Header rules shared by decode and encode: version, algorithm, signer info. */
static int check_header(uint32_t version, uint32_t algo, uint32_t signer_info, int err,
			const char *op)
{
	uint32_t key = (signer_info & SNP_SIGNER_KEY_MASK) >> SNP_SIGNER_KEY_SHIFT;

	if (!version_known(version))
		return coco_err(err, "%s: VERSION (offset 0x000) is %u; this codec knows "
				"versions %u to %u", op, version, SNP_REPORT_VERSION_MIN,
				SNP_REPORT_VERSION_MAX);
	if (algo != SNP_SIG_ALGO_ECDSA_P384_SHA384)
		return coco_err(err, "%s: SIGNATURE_ALGO (offset 0x034) is %u; SNP reports are "
				"signed with ECDSA P-384/SHA-384 (1)", op, algo);
	if (signer_info & SIGNER_INFO_MBZ_MASK)
		return coco_err(err, "%s: signer info (offset 0x048) is 0x%08X; bits 31:5 must "
				"be zero", op, signer_info);
	if (key != SNP_SIGNING_KEY_VCEK && key != SNP_SIGNING_KEY_VLEK &&
	    key != SNP_SIGNING_KEY_NONE)
		return coco_err(err, "%s: SIGNING_KEY (offset 0x048 bits 4:2) is %u, a reserved "
				"value (0 VCEK, 1 VLEK, 7 none)", op, key);
	return 0;
}

int snp_report_decode(const uint8_t *buf, size_t len, struct snp_report *r)
{
	static const char op[] = "SNP attestation report";
	int ret;

	if (!buf || !r)
		return coco_err(-EINVAL, "%s: buffer and report are required", op);
	if (len != SNP_REPORT_SIZE)
		return coco_err(-EBADMSG, "%s: %zu bytes; an ATTESTATION_REPORT is exactly %u "
				"(0x%X) bytes%s", op, len, SNP_REPORT_SIZE, SNP_REPORT_SIZE,
				len > SNP_REPORT_SIZE ? " (a response with a header? strip "
				"it: the report starts at offset 0x20 of MSG_REPORT_RSP)" : "");
	ret = check_header(coco_le32(buf + OFF_VERSION), coco_le32(buf + OFF_SIGNATURE_ALGO),
			   coco_le32(buf + OFF_SIGNER_INFO), -EBADMSG, op);
	if (ret)
		return ret;
	ret = check_reserved(buf, coco_le32(buf + OFF_VERSION), -EBADMSG, op);
	if (ret)
		return ret;

	memset(r, 0, sizeof(*r));
	r->version = coco_le32(buf + OFF_VERSION);
	r->guest_svn = coco_le32(buf + OFF_GUEST_SVN);
	r->policy = coco_le64(buf + OFF_POLICY);
	memcpy(r->family_id, buf + OFF_FAMILY_ID, sizeof(r->family_id));
	memcpy(r->image_id, buf + OFF_IMAGE_ID, sizeof(r->image_id));
	r->vmpl = coco_le32(buf + OFF_VMPL);
	r->signature_algo = coco_le32(buf + OFF_SIGNATURE_ALGO);
	r->current_tcb = coco_le64(buf + OFF_CURRENT_TCB);
	r->platform_info = coco_le64(buf + OFF_PLATFORM_INFO);
	r->signer_info = coco_le32(buf + OFF_SIGNER_INFO);
	memcpy(r->report_data, buf + OFF_REPORT_DATA, sizeof(r->report_data));
	memcpy(r->measurement, buf + OFF_MEASUREMENT, sizeof(r->measurement));
	memcpy(r->host_data, buf + OFF_HOST_DATA, sizeof(r->host_data));
	memcpy(r->id_key_digest, buf + OFF_ID_KEY_DIGEST, sizeof(r->id_key_digest));
	memcpy(r->author_key_digest, buf + OFF_AUTHOR_KEY_DIGEST, sizeof(r->author_key_digest));
	memcpy(r->report_id, buf + OFF_REPORT_ID, sizeof(r->report_id));
	memcpy(r->report_id_ma, buf + OFF_REPORT_ID_MA, sizeof(r->report_id_ma));
	r->reported_tcb = coco_le64(buf + OFF_REPORTED_TCB);
	if (r->version >= 3) {
		r->cpuid_fam_id = buf[OFF_CPUID_FAM_ID];
		r->cpuid_mod_id = buf[OFF_CPUID_MOD_ID];
		r->cpuid_step = buf[OFF_CPUID_STEP];
	}
	memcpy(r->chip_id, buf + OFF_CHIP_ID, sizeof(r->chip_id));
	r->committed_tcb = coco_le64(buf + OFF_COMMITTED_TCB);
	r->current_build = buf[OFF_CURRENT_BUILD];
	r->current_minor = buf[OFF_CURRENT_MINOR];
	r->current_major = buf[OFF_CURRENT_MAJOR];
	r->committed_build = buf[OFF_COMMITTED_BUILD];
	r->committed_minor = buf[OFF_COMMITTED_MINOR];
	r->committed_major = buf[OFF_COMMITTED_MAJOR];
	r->launch_tcb = coco_le64(buf + OFF_LAUNCH_TCB);
	if (r->version >= 5) {
		r->launch_mit_vector = coco_le64(buf + OFF_LAUNCH_MIT_VECTOR);
		r->current_mit_vector = coco_le64(buf + OFF_CURRENT_MIT_VECTOR);
	}
	memcpy(r->signature_r, buf + SNP_REPORT_SIG_R, sizeof(r->signature_r));
	memcpy(r->signature_s, buf + SNP_REPORT_SIG_S, sizeof(r->signature_s));
	return 0;
}

int snp_report_encode(const struct snp_report *r, uint8_t out[SNP_REPORT_SIZE])
{
	static const char op[] = "snp_report_encode";
	int ret;

	if (!r || !out)
		return coco_err(-EINVAL, "%s: report and output buffer are required", op);
	ret = check_header(r->version, r->signature_algo, r->signer_info, -EINVAL, op);
	if (ret)
		return ret;
	if (r->version < 3 && (r->cpuid_fam_id || r->cpuid_mod_id || r->cpuid_step))
		return coco_err(-EINVAL, "%s: cpuid_fam_id/mod_id/step are set but a version %u "
				"report has no such fields (they exist from version 3)", op,
				r->version);
	if (r->version < 5 && (r->launch_mit_vector || r->current_mit_vector))
		return coco_err(-EINVAL, "%s: launch/current_mit_vector are set but a version %u "
				"report has no such fields (they exist from version 5)", op,
				r->version);

	memset(out, 0, SNP_REPORT_SIZE);
	coco_put_le32(out + OFF_VERSION, r->version);
	coco_put_le32(out + OFF_GUEST_SVN, r->guest_svn);
	coco_put_le64(out + OFF_POLICY, r->policy);
	memcpy(out + OFF_FAMILY_ID, r->family_id, sizeof(r->family_id));
	memcpy(out + OFF_IMAGE_ID, r->image_id, sizeof(r->image_id));
	coco_put_le32(out + OFF_VMPL, r->vmpl);
	coco_put_le32(out + OFF_SIGNATURE_ALGO, r->signature_algo);
	coco_put_le64(out + OFF_CURRENT_TCB, r->current_tcb);
	coco_put_le64(out + OFF_PLATFORM_INFO, r->platform_info);
	coco_put_le32(out + OFF_SIGNER_INFO, r->signer_info);
	memcpy(out + OFF_REPORT_DATA, r->report_data, sizeof(r->report_data));
	memcpy(out + OFF_MEASUREMENT, r->measurement, sizeof(r->measurement));
	memcpy(out + OFF_HOST_DATA, r->host_data, sizeof(r->host_data));
	memcpy(out + OFF_ID_KEY_DIGEST, r->id_key_digest, sizeof(r->id_key_digest));
	memcpy(out + OFF_AUTHOR_KEY_DIGEST, r->author_key_digest, sizeof(r->author_key_digest));
	memcpy(out + OFF_REPORT_ID, r->report_id, sizeof(r->report_id));
	memcpy(out + OFF_REPORT_ID_MA, r->report_id_ma, sizeof(r->report_id_ma));
	coco_put_le64(out + OFF_REPORTED_TCB, r->reported_tcb);
	out[OFF_CPUID_FAM_ID] = r->cpuid_fam_id;
	out[OFF_CPUID_MOD_ID] = r->cpuid_mod_id;
	out[OFF_CPUID_STEP] = r->cpuid_step;
	memcpy(out + OFF_CHIP_ID, r->chip_id, sizeof(r->chip_id));
	coco_put_le64(out + OFF_COMMITTED_TCB, r->committed_tcb);
	out[OFF_CURRENT_BUILD] = r->current_build;
	out[OFF_CURRENT_MINOR] = r->current_minor;
	out[OFF_CURRENT_MAJOR] = r->current_major;
	out[OFF_COMMITTED_BUILD] = r->committed_build;
	out[OFF_COMMITTED_MINOR] = r->committed_minor;
	out[OFF_COMMITTED_MAJOR] = r->committed_major;
	coco_put_le64(out + OFF_LAUNCH_TCB, r->launch_tcb);
	coco_put_le64(out + OFF_LAUNCH_MIT_VECTOR, r->launch_mit_vector);
	coco_put_le64(out + OFF_CURRENT_MIT_VECTOR, r->current_mit_vector);
	memcpy(out + SNP_REPORT_SIG_R, r->signature_r, sizeof(r->signature_r));
	memcpy(out + SNP_REPORT_SIG_S, r->signature_s, sizeof(r->signature_s));
	/* The signature components' upper bytes are reserved like any other. */
	return check_reserved(out, r->version, -EINVAL, op);
}

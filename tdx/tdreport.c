/* SPDX-License-Identifier: Apache-2.0 */
/*
 * TDREPORT_STRUCT codec (tdx/tdreport.h).  Offsets: TDX module 1.5
 * `td_report_t`, `tee_tcb_info_t`, `td_info_t` as tabulated in
 * ../shared/specs/tdx.md 5.1.
 */
#include "tdx/tdreport.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"

/* REPORTMACSTRUCT */
enum {
	OFF_REPORT_TYPE = 0,
	OFF_REPORT_SUBTYPE = 1,
	OFF_REPORT_VERSION = 2,
	OFF_CPUSVN = 16,
	OFF_TEE_TCB_INFO_HASH = 32,
	OFF_TEE_INFO_HASH = 80,
	OFF_REPORT_DATA = TDX_TDREPORT_REPORT_DATA_OFFSET,
	OFF_MAC = TDX_TDREPORT_MAC_OFFSET,
};

/* TEE_TCB_INFO, relative to its start */
enum {
	TCB_VALID = 0,
	TCB_TEE_TCB_SVN = 8,
	TCB_MRSEAM = 24,
	TCB_MRSIGNERSEAM = 72,
	TCB_ATTRIBUTES = 120,
	TCB_TEE_TCB_SVN2 = 128,
	TCB_RESERVED = 144,
};

/* TDINFO, relative to its start */
enum {
	TDI_ATTRIBUTES = 0,
	TDI_XFAM = 8,
	TDI_MRTD = 16,
	TDI_MRCONFIGID = 64,
	TDI_MROWNER = 112,
	TDI_MROWNERCONFIG = 160,
	TDI_RTMR0 = 208,
	TDI_SERVTD_HASH = 400,
	TDI_RESERVED = 448,
};

static const struct {
	uint32_t start, end;
	const char *what;
} reserved_ranges[] = {
	{ 3, 4, "REPORTTYPE reserved byte" },
	{ 4, 16, "reserved after REPORTTYPE" },
	{ 192, 224, "reserved after REPORTDATA" },
	{ TDX_TDREPORT_TEE_TCB_INFO_OFFSET + TCB_RESERVED,
	  TDX_TDREPORT_TEE_TCB_INFO_OFFSET + TDX_TEE_TCB_INFO_SIZE,
	  "TEE_TCB_INFO reserved tail" },
	{ TDX_TDREPORT_TEE_TCB_INFO_OFFSET + TDX_TEE_TCB_INFO_SIZE, TDX_TDREPORT_TDINFO_OFFSET,
	  "reserved after TEE_TCB_INFO" },
	{ TDX_TDREPORT_TDINFO_OFFSET + TDI_RESERVED, TDX_TDREPORT_SIZE, "TDINFO reserved tail" },
};

static int check_type(uint8_t type, uint8_t subtype, uint8_t version, int err, const char *op)
{
	if (type != TDX_REPORT_TYPE_TDX)
		return coco_err(err, "%s: REPORTTYPE.TYPE (offset 0) is 0x%02X; a TDREPORT has "
				"0x%02X (TDX)%s", op, type, TDX_REPORT_TYPE_TDX,
				type == 0 ? " - 0x00 is an SGX report" : "");
	if (subtype != TDX_REPORT_SUBTYPE_TD)
		return coco_err(err, "%s: REPORTTYPE.SUBTYPE (offset 1) is %u; TDG.MR.REPORT "
				"produces subtype %u", op, subtype, TDX_REPORT_SUBTYPE_TD);
	if (version > TDX_REPORT_VERSION_MAX)
		return coco_err(err, "%s: REPORTTYPE.VERSION (offset 2) is %u; this codec knows "
				"versions 0 and 1", op, version);
	return 0;
}

static int check_reserved(const uint8_t *buf, int err, const char *op)
{
	for (size_t i = 0; i < COCO_ARRAY_SIZE(reserved_ranges); i++)
		for (uint32_t off = reserved_ranges[i].start; off < reserved_ranges[i].end; off++)
			if (buf[off])
				return coco_err(err, "%s: %s [%u, %u) must be zero, but byte %u "
						"is 0x%02X", op, reserved_ranges[i].what,
						reserved_ranges[i].start, reserved_ranges[i].end,
						off, buf[off]);
	return 0;
}

int tdx_tdreport_decode(const uint8_t *buf, size_t len, struct tdx_tdreport *r)
{
	static const char op[] = "TDREPORT";
	const uint8_t *tcb = buf + TDX_TDREPORT_TEE_TCB_INFO_OFFSET;
	const uint8_t *tdi = buf + TDX_TDREPORT_TDINFO_OFFSET;
	int ret;

	if (!buf || !r)
		return coco_err(-EINVAL, "%s: buffer and report are required", op);
	if (len != TDX_TDREPORT_SIZE)
		return coco_err(-EBADMSG, "%s: %zu bytes; TDREPORT_STRUCT is exactly %u bytes",
				op, len, TDX_TDREPORT_SIZE);
	ret = check_type(buf[OFF_REPORT_TYPE], buf[OFF_REPORT_SUBTYPE], buf[OFF_REPORT_VERSION],
			 -EBADMSG, op);
	if (!ret)
		ret = check_reserved(buf, -EBADMSG, op);
	if (ret)
		return ret;

	memset(r, 0, sizeof(*r));
	r->report_type = buf[OFF_REPORT_TYPE];
	r->report_subtype = buf[OFF_REPORT_SUBTYPE];
	r->report_version = buf[OFF_REPORT_VERSION];
	memcpy(r->cpusvn, buf + OFF_CPUSVN, sizeof(r->cpusvn));
	memcpy(r->tee_tcb_info_hash, buf + OFF_TEE_TCB_INFO_HASH, sizeof(r->tee_tcb_info_hash));
	memcpy(r->tee_info_hash, buf + OFF_TEE_INFO_HASH, sizeof(r->tee_info_hash));
	memcpy(r->report_data, buf + OFF_REPORT_DATA, sizeof(r->report_data));
	memcpy(r->mac, buf + OFF_MAC, sizeof(r->mac));

	r->tee_tcb_info.valid = coco_le64(tcb + TCB_VALID);
	memcpy(r->tee_tcb_info.tee_tcb_svn, tcb + TCB_TEE_TCB_SVN, TDX_TEE_TCB_SVN_SIZE);
	memcpy(r->tee_tcb_info.mrseam, tcb + TCB_MRSEAM, TDX_MEASUREMENT_SIZE);
	memcpy(r->tee_tcb_info.mrsignerseam, tcb + TCB_MRSIGNERSEAM, TDX_MEASUREMENT_SIZE);
	r->tee_tcb_info.attributes = coco_le64(tcb + TCB_ATTRIBUTES);
	memcpy(r->tee_tcb_info.tee_tcb_svn2, tcb + TCB_TEE_TCB_SVN2, TDX_TEE_TCB_SVN_SIZE);

	r->tdinfo.attributes = coco_le64(tdi + TDI_ATTRIBUTES);
	r->tdinfo.xfam = coco_le64(tdi + TDI_XFAM);
	memcpy(r->tdinfo.mrtd, tdi + TDI_MRTD, TDX_MEASUREMENT_SIZE);
	memcpy(r->tdinfo.mrconfigid, tdi + TDI_MRCONFIGID, TDX_MEASUREMENT_SIZE);
	memcpy(r->tdinfo.mrowner, tdi + TDI_MROWNER, TDX_MEASUREMENT_SIZE);
	memcpy(r->tdinfo.mrownerconfig, tdi + TDI_MROWNERCONFIG, TDX_MEASUREMENT_SIZE);
	memcpy(r->tdinfo.rtmr, tdi + TDI_RTMR0, sizeof(r->tdinfo.rtmr));
	memcpy(r->tdinfo.servtd_hash, tdi + TDI_SERVTD_HASH, TDX_MEASUREMENT_SIZE);
	return 0;
}

void tdx_tee_tcb_info_encode(const struct tdx_tee_tcb_info *info,
			     uint8_t out[TDX_TEE_TCB_INFO_SIZE])
{
	memset(out, 0, TDX_TEE_TCB_INFO_SIZE);
	coco_put_le64(out + TCB_VALID, info->valid);
	memcpy(out + TCB_TEE_TCB_SVN, info->tee_tcb_svn, TDX_TEE_TCB_SVN_SIZE);
	memcpy(out + TCB_MRSEAM, info->mrseam, TDX_MEASUREMENT_SIZE);
	memcpy(out + TCB_MRSIGNERSEAM, info->mrsignerseam, TDX_MEASUREMENT_SIZE);
	coco_put_le64(out + TCB_ATTRIBUTES, info->attributes);
	memcpy(out + TCB_TEE_TCB_SVN2, info->tee_tcb_svn2, TDX_TEE_TCB_SVN_SIZE);
}

void tdx_tdinfo_encode(const struct tdx_tdinfo *info, uint8_t out[TDX_TDINFO_SIZE])
{
	memset(out, 0, TDX_TDINFO_SIZE);
	coco_put_le64(out + TDI_ATTRIBUTES, info->attributes);
	coco_put_le64(out + TDI_XFAM, info->xfam);
	memcpy(out + TDI_MRTD, info->mrtd, TDX_MEASUREMENT_SIZE);
	memcpy(out + TDI_MRCONFIGID, info->mrconfigid, TDX_MEASUREMENT_SIZE);
	memcpy(out + TDI_MROWNER, info->mrowner, TDX_MEASUREMENT_SIZE);
	memcpy(out + TDI_MROWNERCONFIG, info->mrownerconfig, TDX_MEASUREMENT_SIZE);
	memcpy(out + TDI_RTMR0, info->rtmr, sizeof(info->rtmr));
	memcpy(out + TDI_SERVTD_HASH, info->servtd_hash, TDX_MEASUREMENT_SIZE);
}

int tdx_tdreport_encode(const struct tdx_tdreport *r, uint8_t out[TDX_TDREPORT_SIZE])
{
	int ret;

	if (!r || !out)
		return coco_err(-EINVAL, "tdx_tdreport_encode: report and output are required");
	ret = check_type(r->report_type, r->report_subtype, r->report_version, -EINVAL,
			 "tdx_tdreport_encode");
	if (ret)
		return ret;
	memset(out, 0, TDX_TDREPORT_SIZE);
	out[OFF_REPORT_TYPE] = r->report_type;
	out[OFF_REPORT_SUBTYPE] = r->report_subtype;
	out[OFF_REPORT_VERSION] = r->report_version;
	memcpy(out + OFF_CPUSVN, r->cpusvn, sizeof(r->cpusvn));
	memcpy(out + OFF_TEE_TCB_INFO_HASH, r->tee_tcb_info_hash, sizeof(r->tee_tcb_info_hash));
	memcpy(out + OFF_TEE_INFO_HASH, r->tee_info_hash, sizeof(r->tee_info_hash));
	memcpy(out + OFF_REPORT_DATA, r->report_data, sizeof(r->report_data));
	memcpy(out + OFF_MAC, r->mac, sizeof(r->mac));
	tdx_tee_tcb_info_encode(&r->tee_tcb_info, out + TDX_TDREPORT_TEE_TCB_INFO_OFFSET);
	tdx_tdinfo_encode(&r->tdinfo, out + TDX_TDREPORT_TDINFO_OFFSET);
	return 0;
}

int tdx_tdreport_compute_hashes(struct tdx_tdreport *r)
{
	uint8_t tcb[TDX_TEE_TCB_INFO_SIZE], tdinfo[TDX_TDINFO_SIZE];
	int ret;

	tdx_tee_tcb_info_encode(&r->tee_tcb_info, tcb);
	tdx_tdinfo_encode(&r->tdinfo, tdinfo);
	ret = coco_sha384(tcb, sizeof(tcb), r->tee_tcb_info_hash);
	return ret ? ret : coco_sha384(tdinfo, sizeof(tdinfo), r->tee_info_hash);
}

int tdx_tdreport_check_hashes(const uint8_t buf[TDX_TDREPORT_SIZE])
{
	uint8_t digest[COCO_SHA384_SIZE];
	int ret;

	ret = coco_sha384(buf + TDX_TDREPORT_TEE_TCB_INFO_OFFSET, TDX_TEE_TCB_INFO_SIZE, digest);
	if (ret)
		return ret;
	if (memcmp(digest, buf + OFF_TEE_TCB_INFO_HASH, sizeof(digest)))
		return coco_err(-EBADMSG, "TDREPORT: TEE_TCB_INFO_HASH (offset %u) is not the "
				"SHA-384 of TEE_TCB_INFO [%u, %u): the report was altered after "
				"the module produced it", OFF_TEE_TCB_INFO_HASH,
				TDX_TDREPORT_TEE_TCB_INFO_OFFSET,
				TDX_TDREPORT_TEE_TCB_INFO_OFFSET + TDX_TEE_TCB_INFO_SIZE);
	ret = coco_sha384(buf + TDX_TDREPORT_TDINFO_OFFSET, TDX_TDINFO_SIZE, digest);
	if (ret)
		return ret;
	if (memcmp(digest, buf + OFF_TEE_INFO_HASH, sizeof(digest)))
		return coco_err(-EBADMSG, "TDREPORT: TEE_INFO_HASH (offset %u) is not the SHA-384 "
				"of TDINFO [%u, %u): the report was altered after the module "
				"produced it", OFF_TEE_INFO_HASH, TDX_TDREPORT_TDINFO_OFFSET,
				TDX_TDREPORT_SIZE);
	return 0;
}

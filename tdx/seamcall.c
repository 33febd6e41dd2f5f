/* SPDX-License-Identifier: Apache-2.0 */
/* SEAMCALL status names, classification and errors (seamcall.h). */
#include "tdx/seamcall.h"

#include <errno.h>
#include <stdio.h>

#include "core/error.h"
#include "core/util.h"

struct name_entry {
	uint64_t value;
	const char *name;
};

#define N(x) { x, #x }

static const struct name_entry status_names[] = {
	N(TDX_SUCCESS),
	N(TDX_NON_RECOVERABLE_VCPU),
	N(TDX_NON_RECOVERABLE_TD),
	N(TDX_INTERRUPTED_RESUMABLE),
	N(TDX_INTERRUPTED_RESTARTABLE),
	N(TDX_NON_RECOVERABLE_TD_NON_ACCESSIBLE),
	N(TDX_INVALID_RESUMPTION),
	N(TDX_NON_RECOVERABLE_TD_WRONG_APIC_MODE),
	N(TDX_OPERAND_INVALID),
	N(TDX_OPERAND_ADDR_RANGE_ERROR),
	N(TDX_OPERAND_BUSY),
	N(TDX_PREVIOUS_TLB_EPOCH_BUSY),
	N(TDX_SYS_BUSY),
	N(TDX_RND_NO_ENTROPY),
	N(TDX_OPERAND_BUSY_HOST_PRIORITY),
	N(TDX_PAGE_METADATA_INCORRECT),
	N(TDX_PAGE_ALREADY_FREE),
	N(TDX_PAGE_NOT_OWNED_BY_TD),
	N(TDX_PAGE_NOT_FREE),
	N(TDX_TD_ASSOCIATED_PAGES_EXIST),
	N(TDX_SYS_INIT_NOT_PENDING),
	N(TDX_SYS_LP_INIT_NOT_DONE),
	N(TDX_SYS_LP_INIT_DONE),
	N(TDX_SYS_NOT_READY),
	N(TDX_SYS_SHUTDOWN),
	N(TDX_SYS_KEY_CONFIG_NOT_PENDING),
	N(TDX_SYS_STATE_INCORRECT),
	N(TDX_SYS_LP_INIT_NOT_PENDING),
	N(TDX_SYS_CONFIG_NOT_PENDING),
	N(TDX_INCOMPATIBLE_SEAM_CAPABILITIES),
	N(TDX_TD_FATAL),
	N(TDX_TD_NON_DEBUG),
	N(TDX_TDCS_NOT_ALLOCATED),
	N(TDX_LIFECYCLE_STATE_INCORRECT),
	N(TDX_OP_STATE_INCORRECT),
	N(TDX_NO_VCPUS),
	N(TDX_TDCX_NUM_INCORRECT),
	N(TDX_X2APIC_ID_NOT_UNIQUE),
	N(TDX_VCPU_STATE_INCORRECT),
	N(TDX_VCPU_ASSOCIATED),
	N(TDX_VCPU_NOT_ASSOCIATED),
	N(TDX_NO_VALID_VE_INFO),
	N(TDX_MAX_VCPUS_EXCEEDED),
	N(TDX_KEY_GENERATION_FAILED),
	N(TDX_TD_KEYS_NOT_CONFIGURED),
	N(TDX_KEY_STATE_INCORRECT),
	N(TDX_KEY_CONFIGURED),
	N(TDX_WBCACHE_NOT_COMPLETE),
	N(TDX_HKID_NOT_FREE),
	N(TDX_NO_HKID_READY_TO_WBCACHE),
	N(TDX_WBCACHE_RESUME_ERROR),
	N(TDX_FLUSHVP_NOT_DONE),
	N(TDX_INCORRECT_CPUID_VALUE),
	N(TDX_LIMIT_CPUID_MAXVAL_SET),
	N(TDX_INCONSISTENT_CPUID_FIELD),
	N(TDX_INCONSISTENT_MSR),
	N(TDX_INCORRECT_MSR_VALUE),
	N(TDX_INVALID_TDMR),
	N(TDX_NON_ORDERED_TDMR),
	N(TDX_TDMR_OUTSIDE_CMRS),
	N(TDX_TDMR_ALREADY_INITIALIZED),
	N(TDX_INVALID_PAMT),
	N(TDX_PAMT_OUTSIDE_CMRS),
	N(TDX_PAMT_OVERLAP),
	N(TDX_INVALID_RESERVED_IN_TDMR),
	N(TDX_NON_ORDERED_RESERVED_IN_TDMR),
	N(TDX_CMR_LIST_INVALID),
	N(TDX_EPT_WALK_FAILED),
	N(TDX_EPT_ENTRY_FREE),
	N(TDX_EPT_ENTRY_NOT_FREE),
	N(TDX_EPT_ENTRY_NOT_PRESENT),
	N(TDX_EPT_ENTRY_NOT_LEAF),
	N(TDX_EPT_ENTRY_LEAF),
	N(TDX_GPA_RANGE_NOT_BLOCKED),
	N(TDX_GPA_RANGE_ALREADY_BLOCKED),
	N(TDX_TLB_TRACKING_NOT_DONE),
	N(TDX_PAGE_ALREADY_ACCEPTED),
	N(TDX_PAGE_SIZE_MISMATCH),
	N(TDX_GPA_RANGE_BLOCKED),
	N(TDX_EPT_ENTRY_STATE_INCORRECT),
	N(TDX_EPT_PAGE_NOT_FREE),
	N(TDX_METADATA_FIELD_ID_INCORRECT),
	N(TDX_METADATA_FIELD_NOT_WRITABLE),
	N(TDX_METADATA_FIELD_NOT_READABLE),
	N(TDX_METADATA_LIST_OVERFLOW),
	N(TDX_METADATA_FIRST_FIELD_ID_IN_CONTEXT),
	N(TDX_INVALID_CPUSVN),
	N(TDX_INVALID_REPORTMACSTRUCT),
};

/* Linux's software codes are whole values (the low part is the code). */
static const struct name_entry sw_names[] = {
	N(TDX_SEAMCALL_VMFAILINVALID),
	N(TDX_SEAMCALL_GP),
	N(TDX_SEAMCALL_UD),
	N(TDX_SW_ERROR),
};
#undef N

static const struct name_entry operand_names[] = {
	{ TDX_OPERAND_ID_RAX, "RAX" },
	{ TDX_OPERAND_ID_RCX, "RCX" },
	{ TDX_OPERAND_ID_RDX, "RDX" },
	{ TDX_OPERAND_ID_RBX, "RBX" },
	{ TDX_OPERAND_ID_RBP, "RBP" },
	{ TDX_OPERAND_ID_RSI, "RSI" },
	{ TDX_OPERAND_ID_RDI, "RDI" },
	{ TDX_OPERAND_ID_R8, "R8" },
	{ TDX_OPERAND_ID_R9, "R9" },
	{ TDX_OPERAND_ID_R10, "R10" },
	{ TDX_OPERAND_ID_R11, "R11" },
	{ TDX_OPERAND_ID_R12, "R12" },
	{ TDX_OPERAND_ID_R13, "R13" },
	{ TDX_OPERAND_ID_R14, "R14" },
	{ TDX_OPERAND_ID_R15, "R15" },
	{ TDX_OPERAND_ID_ATTRIBUTES, "ATTRIBUTES" },
	{ TDX_OPERAND_ID_XFAM, "XFAM" },
	{ TDX_OPERAND_ID_EXEC_CONTROLS, "EXEC_CONTROLS" },
	{ TDX_OPERAND_ID_EPTP_CONTROLS, "EPTP_CONTROLS" },
	{ TDX_OPERAND_ID_MAX_VCPUS, "MAX_VCPUS" },
	{ TDX_OPERAND_ID_CPUID_CONFIG, "CPUID_CONFIG" },
	{ TDX_OPERAND_ID_TSC_FREQUENCY, "TSC_FREQUENCY" },
	{ TDX_OPERAND_ID_NUM_L2_VMS, "NUM_L2_VMS" },
	{ TDX_OPERAND_ID_IA32_ARCH_CAPABILITIES_CONFIG, "IA32_ARCH_CAPABILITIES_CONFIG" },
	{ TDX_OPERAND_ID_PAGE, "PAGE" },
	{ TDX_OPERAND_ID_TDMR_INFO_PA, "TDMR_INFO_PA" },
	{ TDX_OPERAND_ID_TDR, "TDR" },
	{ TDX_OPERAND_ID_TDCX, "TDCX" },
	{ TDX_OPERAND_ID_TDVPR, "TDVPR" },
	{ TDX_OPERAND_ID_REG_PAGE, "REG_PAGE" },
	{ TDX_OPERAND_ID_TDCS, "TDCS" },
	{ TDX_OPERAND_ID_TDVPS, "TDVPS" },
	{ TDX_OPERAND_ID_SEPT_TREE, "SEPT_TREE" },
	{ TDX_OPERAND_ID_SEPT_ENTRY, "SEPT_ENTRY" },
	{ TDX_OPERAND_ID_RTMR, "RTMR" },
	{ TDX_OPERAND_ID_TD_EPOCH, "TD_EPOCH" },
	{ TDX_OPERAND_ID_OP_STATE, "OP_STATE" },
	{ TDX_OPERAND_ID_METADATA_FIELD, "METADATA_FIELD" },
	{ TDX_OPERAND_ID_SYS, "SYS" },
	{ TDX_OPERAND_ID_TDMR, "TDMR" },
	{ TDX_OPERAND_ID_KOT, "KOT" },
	{ TDX_OPERAND_ID_KET, "KET" },
	{ TDX_OPERAND_ID_WBCACHE, "WBCACHE" },
};

static const char *const seamcall_leaf_names[] = {
	[TDH_VP_ENTER] = "TDH.VP.ENTER",
	[TDH_MNG_ADDCX] = "TDH.MNG.ADDCX",
	[TDH_MEM_PAGE_ADD] = "TDH.MEM.PAGE.ADD",
	[TDH_MEM_SEPT_ADD] = "TDH.MEM.SEPT.ADD",
	[TDH_VP_ADDCX] = "TDH.VP.ADDCX",
	[TDH_MEM_PAGE_RELOCATE] = "TDH.MEM.PAGE.RELOCATE",
	[TDH_MEM_PAGE_AUG] = "TDH.MEM.PAGE.AUG",
	[TDH_MEM_RANGE_BLOCK] = "TDH.MEM.RANGE.BLOCK",
	[TDH_MNG_KEY_CONFIG] = "TDH.MNG.KEY.CONFIG",
	[TDH_MNG_CREATE] = "TDH.MNG.CREATE",
	[TDH_VP_CREATE] = "TDH.VP.CREATE",
	[TDH_MNG_RD] = "TDH.MNG.RD",
	[TDH_MEM_RD] = "TDH.MEM.RD",
	[TDH_MNG_WR] = "TDH.MNG.WR",
	[TDH_MEM_WR] = "TDH.MEM.WR",
	[TDH_MEM_PAGE_DEMOTE] = "TDH.MEM.PAGE.DEMOTE",
	[TDH_MR_EXTEND] = "TDH.MR.EXTEND",
	[TDH_MR_FINALIZE] = "TDH.MR.FINALIZE",
	[TDH_VP_FLUSH] = "TDH.VP.FLUSH",
	[TDH_MNG_VPFLUSHDONE] = "TDH.MNG.VPFLUSHDONE",
	[TDH_MNG_KEY_FREEID] = "TDH.MNG.KEY.FREEID",
	[TDH_MNG_INIT] = "TDH.MNG.INIT",
	[TDH_VP_INIT] = "TDH.VP.INIT",
	[TDH_MEM_PAGE_PROMOTE] = "TDH.MEM.PAGE.PROMOTE",
	[TDH_PHYMEM_PAGE_RDMD] = "TDH.PHYMEM.PAGE.RDMD",
	[TDH_MEM_SEPT_RD] = "TDH.MEM.SEPT.RD",
	[TDH_VP_RD] = "TDH.VP.RD",
	[TDH_MNG_KEY_RECLAIMID] = "TDH.MNG.KEY.RECLAIMID",
	[TDH_PHYMEM_PAGE_RECLAIM] = "TDH.PHYMEM.PAGE.RECLAIM",
	[TDH_MEM_PAGE_REMOVE] = "TDH.MEM.PAGE.REMOVE",
	[TDH_MEM_SEPT_REMOVE] = "TDH.MEM.SEPT.REMOVE",
	[TDH_SYS_KEY_CONFIG] = "TDH.SYS.KEY.CONFIG",
	[TDH_SYS_INFO] = "TDH.SYS.INFO",
	[TDH_SYS_INIT] = "TDH.SYS.INIT",
	[TDH_SYS_RD] = "TDH.SYS.RD",
	[TDH_SYS_LP_INIT] = "TDH.SYS.LP.INIT",
	[TDH_SYS_TDMR_INIT] = "TDH.SYS.TDMR.INIT",
	[TDH_SYS_RDALL] = "TDH.SYS.RDALL",
	[TDH_MEM_TRACK] = "TDH.MEM.TRACK",
	[TDH_MEM_RANGE_UNBLOCK] = "TDH.MEM.RANGE.UNBLOCK",
	[TDH_PHYMEM_CACHE_WB] = "TDH.PHYMEM.CACHE.WB",
	[TDH_PHYMEM_PAGE_WBINVD] = "TDH.PHYMEM.PAGE.WBINVD",
	[TDH_MEM_SEPT_WR] = "TDH.MEM.SEPT.WR",
	[TDH_VP_WR] = "TDH.VP.WR",
	[TDH_SYS_LP_SHUTDOWN] = "TDH.SYS.LP.SHUTDOWN",
	[TDH_SYS_CONFIG] = "TDH.SYS.CONFIG",
	[TDH_SERVTD_BIND] = "TDH.SERVTD.BIND",
	[TDH_SERVTD_PREBIND] = "TDH.SERVTD.PREBIND",
	[TDH_SYS_SHUTDOWN] = "TDH.SYS.SHUTDOWN",
	[TDH_SYS_UPDATE] = "TDH.SYS.UPDATE",
};

static const char *const tdcall_leaf_names[] = {
	[TDG_VP_VMCALL] = "TDG.VP.VMCALL",
	[TDG_VP_INFO] = "TDG.VP.INFO",
	[TDG_MR_RTMR_EXTEND] = "TDG.MR.RTMR.EXTEND",
	[TDG_VP_VEINFO_GET] = "TDG.VP.VEINFO.GET",
	[TDG_MR_REPORT] = "TDG.MR.REPORT",
	[TDG_VP_CPUIDVE_SET] = "TDG.VP.CPUIDVE.SET",
	[TDG_MEM_PAGE_ACCEPT] = "TDG.MEM.PAGE.ACCEPT",
	[TDG_VM_RD] = "TDG.VM.RD",
	[TDG_VM_WR] = "TDG.VM.WR",
	[TDG_VP_RD] = "TDG.VP.RD",
	[TDG_VP_WR] = "TDG.VP.WR",
	[TDG_SYS_RD] = "TDG.SYS.RD",
	[TDG_SYS_RDALL] = "TDG.SYS.RDALL",
	[TDG_MR_VERIFYREPORT] = "TDG.MR.VERIFYREPORT",
};

static const char *lookup(const struct name_entry *t, size_t n, uint64_t value)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return NULL;
}

const char *tdx_status_name(uint64_t status)
{
	if (tdx_status_class(status) == TDX_CLASS_LINUX_SW) {
		const char *n = lookup(sw_names, COCO_ARRAY_SIZE(sw_names), status);
		return n ? n : "TDX_SW_ERROR";
	}
	return lookup(status_names, COCO_ARRAY_SIZE(status_names), tdx_status_code(status));
}

const char *tdx_operand_name(uint32_t operand)
{
	return lookup(operand_names, COCO_ARRAY_SIZE(operand_names), operand);
}

const char *tdx_seamcall_leaf_name(uint64_t leaf)
{
	leaf &= TDX_LEAF_MASK;
	return leaf < COCO_ARRAY_SIZE(seamcall_leaf_names) ? seamcall_leaf_names[leaf] : NULL;
}

const char *tdx_tdcall_leaf_name(uint64_t leaf)
{
	leaf &= TDX_LEAF_MASK;
	return leaf < COCO_ARRAY_SIZE(tdcall_leaf_names) ? tdcall_leaf_names[leaf] : NULL;
}

bool tdx_status_has_operand(uint64_t status)
{
	unsigned int cls = tdx_status_class(status);

	return tdx_status_is_error(status) &&
	       (cls == TDX_CLASS_OPERAND || cls == TDX_CLASS_BUSY || cls == TDX_CLASS_PAGE_METADATA);
}

enum tdx_status_kind tdx_status_kind(uint64_t status)
{
	if (status == TDX_SUCCESS)
		return TDX_KIND_SUCCESS;
	if (tdx_status_class(status) == TDX_CLASS_LINUX_SW)
		return TDX_KIND_NO_MODULE;
	/* Bit 61, or bit 62 without bit 63 (a TD exit): the TD / vCPU is unusable. */
	if (tdx_status_fatal(status) ||
	    (tdx_status_non_recoverable(status) && !tdx_status_is_error(status)))
		return TDX_KIND_TD_UNUSABLE;
	if (!tdx_status_is_error(status))
		return TDX_KIND_WARNING;
	if (tdx_status_non_recoverable(status))
		return TDX_KIND_CALLER;
	return TDX_KIND_RETRY;
}

int tdx_status_errno(uint64_t status)
{
	uint64_t code = tdx_status_code(status);

	switch (tdx_status_kind(status)) {
	case TDX_KIND_SUCCESS:
	case TDX_KIND_WARNING:
		return 0;
	case TDX_KIND_NO_MODULE:
		if (status == TDX_SEAMCALL_VMFAILINVALID)
			return -ENODEV;
		if (status == TDX_SEAMCALL_GP)
			return -EOPNOTSUPP;
		if (status == TDX_SEAMCALL_UD)
			return -EACCES;
		return -EIO;
	case TDX_KIND_TD_UNUSABLE:
		return -EIO;
	case TDX_KIND_RETRY:
		/* Waiting on a step the host must take first, not on time. */
		if (code == TDX_TD_KEYS_NOT_CONFIGURED || code == TDX_WBCACHE_NOT_COMPLETE ||
		    code == TDX_FLUSHVP_NOT_DONE || code == TDX_VCPU_ASSOCIATED ||
		    code == TDX_VCPU_NOT_ASSOCIATED)
			return -EBUSY;
		return -EAGAIN;
	case TDX_KIND_CALLER:
		break;
	}
	switch (tdx_status_class(status)) {
	case TDX_CLASS_OPERAND:
	case TDX_CLASS_TDMR:
	case TDX_CLASS_METADATA:
	case TDX_CLASS_PLATFORM_CONFIG:
		return -EINVAL;
	case TDX_CLASS_SYS_STATE:
	case TDX_CLASS_KEY_MGMT:
	case TDX_CLASS_PAGE_METADATA:
	case TDX_CLASS_TD_PAGES:
		return -EBUSY;
	case TDX_CLASS_TD_STATE:
	case TDX_CLASS_VCPU_STATE:
	case TDX_CLASS_EPT:
		return -EPERM;
	default:
		return -EIO;
	}
}

static const char *operand_hint(uint32_t operand)
{
	switch (operand) {
	case TDX_OPERAND_ID_ATTRIBUTES:
		return "ATTRIBUTES sets a bit outside the module's ATTRIBUTES_FIXED0 or lacks one "
		       "of ATTRIBUTES_FIXED1 (TDH.SYS.RD shows both); drop the unsupported attribute";
	case TDX_OPERAND_ID_XFAM:
		return "XFAM sets a feature outside XFAM_FIXED0 or lacks one of XFAM_FIXED1 "
		       "(x87, SSE); choose XFAM within what the platform supports";
	case TDX_OPERAND_ID_MAX_VCPUS:
		return "MAX_VCPUS must be 1 to the module's MAX_VCPUS_PER_TD";
	case TDX_OPERAND_ID_EPTP_CONTROLS:
		return "EPTP_CONTROLS must be write-back with a 4-level (0x1E) or, with GPAW, "
		       "5-level (0x26) walk";
	case TDX_OPERAND_ID_TSC_FREQUENCY:
		return "the TSC frequency is in 25 MHz units and must be 100 MHz to 10 GHz";
	case TDX_OPERAND_ID_CPUID_CONFIG:
		return "a CPUID configuration sets bits the platform cannot virtualise "
		       "(RCX names the leaf)";
	case TDX_OPERAND_ID_EXEC_CONTROLS:
		return "CONFIG_FLAGS sets a reserved bit (known: GPAW, FLEXIBLE_PENDING_VE, "
		       "NO_RBP_MOD)";
	case TDX_OPERAND_ID_NUM_L2_VMS:
		return "this module does not support TD partitioning: NUM_L2_VMS must be 0";
	default:
		return NULL;
	}
}

const char *tdx_status_hint(uint64_t leaf, uint64_t status)
{
	uint64_t code = tdx_status_code(status);

	leaf &= TDX_LEAF_MASK;
	if (status == TDX_SEAMCALL_VMFAILINVALID)
		return "no TDX module is loaded: enable TDX in the BIOS and load the module";
	switch (code) {
	case TDX_OPERAND_INVALID:
		return operand_hint(tdx_status_operand(status));
	case TDX_OPERAND_BUSY:
	case TDX_OPERAND_BUSY_HOST_PRIORITY:
	case TDX_SYS_BUSY:
		return "another SEAMCALL holds the resource; retry";
	case TDX_RND_NO_ENTROPY:
	case TDX_KEY_GENERATION_FAILED:
		return "the CPU's random number generator ran dry; retry";
	case TDX_SYS_NOT_READY:
		return "the TDX module is not initialised: bring it up first (TDH.SYS.CONFIG, "
		       "then TDH.SYS.KEY.CONFIG on every package)";
	case TDX_SYS_INIT_NOT_PENDING:
		return "TDH.SYS.INIT runs once per boot; the module is initialised already";
	case TDX_SYS_LP_INIT_NOT_DONE:
		return "run TDH.SYS.LP.INIT on this logical processor first";
	case TDX_SYS_LP_INIT_DONE:
		return "this logical processor ran TDH.SYS.LP.INIT already";
	case TDX_SYS_LP_INIT_NOT_PENDING:
		return "TDH.SYS.LP.INIT is only possible between TDH.SYS.INIT and TDH.SYS.CONFIG";
	case TDX_SYS_CONFIG_NOT_PENDING:
		return "TDH.SYS.CONFIG runs once, after TDH.SYS.LP.INIT on every logical "
		       "processor; keep every CPU online";
	case TDX_SYS_KEY_CONFIG_NOT_PENDING:
		return "TDH.SYS.KEY.CONFIG needs a successful TDH.SYS.CONFIG first";
	case TDX_KEY_CONFIGURED:
		return "this package's key is configured already";
	case TDX_HKID_NOT_FREE:
		return "the KeyID is in use or is the global KeyID; a released KeyID is free "
		       "only after TDH.MNG.VPFLUSHDONE, TDH.PHYMEM.CACHE.WB on every package "
		       "and TDH.MNG.KEY.FREEID";
	case TDX_TD_KEYS_NOT_CONFIGURED:
		return "run TDH.MNG.KEY.CONFIG on every package first";
	case TDX_TDCS_NOT_ALLOCATED:
		return "add every TDCS page (TDH.MNG.ADDCX) before TDH.MNG.INIT";
	case TDX_TDCX_NUM_INCORRECT:
		return "the TD or vCPU has the wrong number of control pages (TDCS_BASE_SIZE / "
		       "TDVPS_BASE_SIZE say how many)";
	case TDX_OP_STATE_INCORRECT:
		return "the TD is not in the build phase this leaf needs (after TDH.MNG.INIT, "
		       "before TDH.MR.FINALIZE for build leaves)";
	case TDX_LIFECYCLE_STATE_INCORRECT:
		if (leaf == TDH_PHYMEM_PAGE_RECLAIM)
			return "a TD's pages are reclaimed only after teardown (TDH.MNG.VPFLUSHDONE, "
			       "TDH.PHYMEM.CACHE.WB, TDH.MNG.KEY.FREEID)";
		return "the TD is not in the lifecycle state this leaf needs";
	case TDX_TD_ASSOCIATED_PAGES_EXIST:
		return "reclaim every other page of the TD before its TDR";
	case TDX_NO_VCPUS:
		return "create and initialise at least one vCPU before TDH.MR.FINALIZE";
	case TDX_FLUSHVP_NOT_DONE:
		return "flush every vCPU (TDH.VP.FLUSH on its logical processor) first";
	case TDX_WBCACHE_NOT_COMPLETE:
		return "run TDH.PHYMEM.CACHE.WB on every package first";
	case TDX_VCPU_NOT_ASSOCIATED:
	case TDX_VCPU_ASSOCIATED:
		return "issue the call on the logical processor the vCPU is associated with";
	case TDX_PAGE_METADATA_INCORRECT:
		return "the page is not of the type this leaf needs, or belongs to another TD "
		       "(TDH.PHYMEM.PAGE.RDMD shows type and owner)";
	case TDX_OPERAND_ADDR_RANGE_ERROR:
		return "the address is not in initialised TDX memory (a TDMR whose PAMT "
		       "TDH.SYS.TDMR.INIT has covered)";
	case TDX_TLB_TRACKING_NOT_DONE:
		return "run TDH.MEM.TRACK (and kick the vCPUs) after TDH.MEM.RANGE.BLOCK";
	case TDX_GPA_RANGE_NOT_BLOCKED:
		return "block the range with TDH.MEM.RANGE.BLOCK first";
	case TDX_EPT_WALK_FAILED:
		return "add the missing Secure-EPT levels with TDH.MEM.SEPT.ADD first";
	case TDX_EPT_ENTRY_NOT_FREE:
		return "the GPA is mapped already";
	case TDX_EPT_ENTRY_FREE:
		return "nothing is mapped at that GPA";
	case TDX_METADATA_FIELD_ID_INCORRECT:
		return "the module does not have this metadata field";
	case TDX_INVALID_TDMR:
	case TDX_NON_ORDERED_TDMR:
	case TDX_TDMR_OUTSIDE_CMRS:
	case TDX_INVALID_PAMT:
	case TDX_PAMT_OUTSIDE_CMRS:
	case TDX_PAMT_OVERLAP:
	case TDX_INVALID_RESERVED_IN_TDMR:
	case TDX_NON_ORDERED_RESERVED_IN_TDMR:
		return "the TDMR/PAMT layout breaks the module's rules (specs/tdx.md 3.1); the "
		       "low bytes give the TDMR index, page size or area, other TDMR";
	default:
		return NULL;
	}
}

int tdx_seamcall_error(const char *op, uint64_t leaf, uint64_t status)
{
	int err = tdx_status_errno(status);
	const char *name = tdx_status_name(status);
	const char *leaf_name = tdx_seamcall_leaf_name(leaf);
	const char *hint = tdx_status_hint(leaf, status);
	char operand[80] = "";
	char leaf_buf[32];

	if (!err && tdx_status_kind(status) != TDX_KIND_TD_UNUSABLE)
		return 0;
	if (!err)
		err = -EIO;
	if (!leaf_name) {
		snprintf(leaf_buf, sizeof(leaf_buf), "SEAMCALL leaf %llu",
			 (unsigned long long)(leaf & TDX_LEAF_MASK));
		leaf_name = leaf_buf;
	}
	if (tdx_status_has_operand(status)) {
		uint32_t id = tdx_status_operand(status);
		const char *on = tdx_operand_name(id);
		snprintf(operand, sizeof(operand), " (operand %s (%u))", on ? on : "unknown", id);
	} else if (tdx_status_class(status) == TDX_CLASS_TDMR && tdx_status_operand(status)) {
		uint32_t d = tdx_status_operand(status);
		snprintf(operand, sizeof(operand), " (TDMR %u, detail %u, other %u)", d & 0xFF,
			 (d >> 8) & 0xFF, (d >> 16) & 0xFF);
	}
	if (op && *op)
		return coco_err(err, "%s: %s: %s 0x%016llX%s%s%s", op, leaf_name,
				name ? name : "unknown status", (unsigned long long)status, operand,
				hint ? "; " : "", hint ? hint : "");
	return coco_err(err, "%s: %s 0x%016llX%s%s%s", leaf_name, name ? name : "unknown status",
			(unsigned long long)status, operand, hint ? "; " : "", hint ? hint : "");
}

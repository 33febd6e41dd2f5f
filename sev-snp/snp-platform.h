/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The SEV-SNP platform model's state: what the hardware (PSP firmware,
 * RMP, fused chip identity) keeps, in shared memory that outlives processes
 * (architecture.md seam 3).  A file under the run directory for a host's
 * platform — every VMM process of the host maps the same one — or an
 * anonymous mapping for a private platform (tests, dry runs).
 *
 * The state is reached only through the vendor interface: PSP commands
 * (psp-model.c), the RMP instructions (rmp.h), and the host-kernel
 * bookkeeping KVM would keep (ASID bitmap, which process owns which
 * memory), which lives in its own section of the same mapping so that
 * every process of the host sees it.
 *
 * The mechanics (the file, its header and lock, the model's physical
 * memory handed out in 2 MiB chunks to the processes that back them, their
 * local maps) are core/model-platform.h's; this is the SNP state in it:
 * the vendor state is struct snp_platform_shared, the extra table the RMP.
 */
#ifndef COCO_SNP_PLATFORM_H
#define COCO_SNP_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "core/digest.h"
#include "core/model-platform.h"
#include "sev-snp/report.h"
#include "sev-snp/rmp.h"

#define SNP_MODEL_MAGIC "COCOSNP\0"
#define SNP_MODEL_LAYOUT_VERSION 3u		/* 3: the generic header of core/model-platform.h */
#define SNP_MODEL_DRAM_BASE 0x100000000ull		/* 4 GiB: physical 0 is never valid */
#define SNP_MODEL_CHUNK_SIZE (2ull * 1024 * 1024)
#define SNP_MODEL_DEFAULT_DRAM_GIB 64u
#define SNP_MODEL_MAX_DRAM_GIB 1024u
#define SNP_MODEL_MAX_ASIDS 1006u			/* most SNP ASIDs a platform offers */
#define SNP_MODEL_DEFAULT_ASIDS 64u
#define SNP_MODEL_ROOTS_MAX 16384u

/* Guest context states (SNP Firmware ABI: GSTATE_*). */
enum snp_guest_state {
	SNP_GSTATE_INIT = 0,
	SNP_GSTATE_LAUNCH = 1,
	SNP_GSTATE_RUNNING = 2,
};

/*
 * ASID bookkeeping of the firmware, one CCX in the model (AMD-ASPFW keeps
 * dirty/clean/allocated/in-use masks per CCX).
 */
enum snp_asid_state {
	SNP_ASID_CLEAN = 0,	/* caches flushed: may be activated */
	SNP_ASID_ALLOCATED = 1,	/* activated for a guest still launching (pending) */
	SNP_ASID_IN_USE = 2,	/* the guest runs (LAUNCH_FINISH done, or activated running) */
	SNP_ASID_DIRTY = 3,	/* the guest ran and is gone: WBINVD + SNP_DF_FLUSH needed */
};

/* A guest context: firmware-private state the GCTX page stands for. */
struct snp_model_gctx {
	uint64_t gctx_paddr;		/* 0: slot free */
	uint32_t state;			/* enum snp_guest_state */
	uint32_t asid;			/* 0 until ACTIVATE */
	uint64_t policy;
	uint8_t ld[48];			/* launch digest */
	uint8_t report_id[32];
	uint8_t report_id_ma[32];
	uint8_t vmpck[4][32];
	uint64_t msg_seqno[4];		/* last sequence number used per VMPCK */
	uint8_t gosvw[16];
	uint8_t host_data[32];
	uint8_t family_id[16];
	uint8_t image_id[16];
	uint32_t guest_svn;
	uint8_t id_key_digest[48];
	uint8_t author_key_digest[48];
	uint8_t id_block_en;
	uint8_t author_key_en;
	uint8_t vcek_disabled;
	uint8_t imi_en;
	uint64_t ma_paddr;		/* migration agent's GCTX, all ones if none */
	uint64_t launch_tcb;
	uint32_t desired_tsc_khz;
	uint32_t reserved;
};

/* What the host kernel (KVM) keeps per VM: who owns it, its GCTX and ASID. */
struct snp_model_host_vm {
	uint32_t owner_pid;		/* 0: slot free */
	uint32_t reserved;
	uint64_t owner_start;		/* process start time, so a reused PID is not the owner */
	uint64_t gctx_paddr;
	uint32_t asid;			/* ASID the host allocated (0: none yet) */
	uint32_t reserved2;
};

/* The vendor state in the platform mapping (coco_model_platform_vendor). */
struct snp_platform_shared {
	/* Fused identity and firmware version */
	uint8_t chip_secret[32];	/* VCEK derivation secret */
	uint8_t chip_id[64];
	uint32_t product;		/* enum snp_product */
	uint32_t report_version;
	uint8_t api_major, api_minor, build_id, smt_enabled;
	uint32_t cpuid_signature;	/* CPUID(1).EAX of the model CPU */
	uint64_t current_tcb;
	uint64_t reported_tcb;
	uint64_t committed_tcb;
	uint8_t mask_chip_id, mask_chip_key, reserved_flags[6];

	/* PSP firmware state */
	uint32_t snp_state;		/* enum snp_platform_state */
	uint32_t rmp_initialized;
	uint32_t guest_count;		/* launched guests (LAUNCH_START done) */
	uint32_t max_snp_asid;
	uint32_t wbinvd_done;		/* WBINVD_DONE on every core (cleared by INIT and by
					 * the deactivation in DECOMMISSION) */
	uint32_t reserved_state;
	uint8_t asid_state[SNP_MODEL_MAX_ASIDS + 1];	/* enum snp_asid_state, index = ASID */
	struct snp_model_gctx gctx[SNP_MODEL_MAX_ASIDS];

	/* Host (KVM-equivalent) bookkeeping */
	struct snp_model_host_vm host_vm[SNP_MODEL_MAX_ASIDS];
	uint8_t host_asid_used[SNP_MODEL_MAX_ASIDS + 1];	/* ASIDs the host handed out */

	/* Model ARK/ASK (serialised keys and certificates), made on first use */
	uint32_t private_roots;		/* private platform: the process-wide roots */
	uint32_t roots_len;
	uint8_t roots[SNP_MODEL_ROOTS_MAX];
};

/* A process's handle on a platform. */
struct snp_platform {
	struct coco_model_platform *core;	/* file, lock, model memory, local maps */
	struct snp_platform_shared *sh;	/* the vendor state in core's mapping */
	struct rmp rmp;			/* over core's extra table */
	struct snp_model_roots *roots;	/* loaded from sh->roots (snp_model_roots_get) */
	void (*release_caches)(struct snp_platform *p);	/* set by whoever filled roots */
	struct coco_hasher *hasher;	/* the firmware's SHA-384 engine (under the lock) */
	void *vcek;			/* EVP_PKEY derived for vcek_tcb, cached */
	uint64_t vcek_tcb;
};

struct snp_platform_config {
	uint32_t max_asids;		/* 0: SNP_MODEL_DEFAULT_ASIDS */
	uint32_t dram_gib;		/* 0: SNP_MODEL_DEFAULT_DRAM_GIB */
	enum snp_product product;	/* 0: Genoa */
	uint32_t report_version;	/* 0: 5 */
};

/*
 * Open the platform at @path, creating and initialising it (new chip
 * identity, new model ARK/ASK) when it does not exist.  @path NULL: a
 * private anonymous platform (roots shared per process for speed).
 * @config applies only when the platform is created; values come from
 * the COCO_SNP_MODEL_* environment otherwise (see docs).
 */
int snp_platform_open(const char *path, const struct snp_platform_config *config,
		      struct snp_platform **platform);
void snp_platform_close(struct snp_platform *platform);

/*
 * The generic operations on the SNP platform (core/model-platform.h); every
 * PSP command and RMP instruction runs under the platform lock.
 */
static inline void snp_platform_lock(struct snp_platform *p)
{
	coco_model_platform_lock(p->core);
}

static inline void snp_platform_unlock(struct snp_platform *p)
{
	coco_model_platform_unlock(p->core);
}

static inline int snp_platform_alloc(struct snp_platform *p, uint64_t size, uint64_t *spa)
{
	return coco_model_platform_alloc(p->core, size, spa);
}

/* Its pages must be in the Hypervisor state. */
static inline void snp_platform_free(struct snp_platform *p, uint64_t spa, uint64_t size)
{
	coco_model_platform_free(p->core, spa, size);
}

static inline int snp_platform_map_local(struct snp_platform *p, uint64_t spa, uint64_t size,
					 uint8_t *host)
{
	return coco_model_platform_map_local(p->core, spa, size, host);
}

static inline void snp_platform_unmap_local(struct snp_platform *p, uint64_t spa)
{
	coco_model_platform_unmap_local(p->core, spa);
}

static inline uint8_t *snp_platform_ptr(struct snp_platform *p, uint64_t spa, uint64_t len)
{
	return coco_model_platform_ptr(p->core, spa, len);
}

static inline void snp_platform_zero(struct snp_platform *p, void *start, size_t len)
{
	coco_model_platform_zero(p->core, start, len);
}

#endif

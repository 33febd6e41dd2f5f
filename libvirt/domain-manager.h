/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocod's domain manager: the defined domains (domain store + domain XML)
 * and the running ones (one coco-vmm process each).  The RPC dispatch calls
 * these; nothing here knows about packets.  Every function is safe to call
 * from several threads at once: a long operation on one domain (start,
 * destroy) does not hold up calls about other domains.
 *
 * Domains are keyed by UUID.  A running domain has an id >= 1 (ids count up
 * for the daemon's life and are kept across a cocod restart); -1 when it is
 * not running.  Running domains outlive cocod: dommgr_close leaves their
 * coco-vmm processes alone and the next dommgr_open reconnects to them.
 *
 * Errors: negative errno, and @err (when not NULL) filled with the libvirt
 * error code, error domain and the DETAIL text; the RPC layer adds
 * libvirt's prefix for the code ("Domain not found: ", ...) when it sends it.
 */
#ifndef COCO_LIBVIRT_DOMAIN_MANAGER_H
#define COCO_LIBVIRT_DOMAIN_MANAGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "libvirt/domain-store.h"
#include "libvirt/domain-xml.h"

/* libvirt's virErrorNumber values the manager reports (virerror.h). */
#define DOMMGR_VIR_ERR_INTERNAL_ERROR 1
#define DOMMGR_VIR_ERR_NO_SUPPORT 3
#define DOMMGR_VIR_ERR_INVALID_ARG 8
#define DOMMGR_VIR_ERR_OPERATION_FAILED 9
#define DOMMGR_VIR_ERR_XML_ERROR 27
#define DOMMGR_VIR_ERR_DOM_EXIST 28
#define DOMMGR_VIR_ERR_NO_DOMAIN 42
#define DOMMGR_VIR_ERR_OPERATION_INVALID 55
#define DOMMGR_VIR_ERR_CONFIG_UNSUPPORTED 67
#define DOMMGR_VIR_ERR_OPERATION_UNSUPPORTED 84
/* virErrorDomain */
#define DOMMGR_VIR_FROM_DOMAIN 20

struct dommgr_error {
	int code;		/* DOMMGR_VIR_ERR_* */
	int domain;		/* DOMMGR_VIR_FROM_* */
	char message[512];	/* detail only, e.g. "no domain with matching uuid '…' (cvm1)" */
};

/* virDomainState and the reasons we use. */
enum dommgr_state {
	DOMMGR_STATE_NOSTATE = 0,
	DOMMGR_STATE_RUNNING = 1,
	DOMMGR_STATE_SHUTOFF = 5,
	DOMMGR_STATE_CRASHED = 6,
};
#define DOMMGR_REASON_RUNNING_BOOTED 1
#define DOMMGR_REASON_SHUTOFF_UNKNOWN 0
#define DOMMGR_REASON_SHUTOFF_SHUTDOWN 1	/* the guest exited by itself */
#define DOMMGR_REASON_SHUTOFF_DESTROYED 2
#define DOMMGR_REASON_SHUTOFF_CRASHED 3	/* the guest failed or asked to terminate */
#define DOMMGR_REASON_SHUTOFF_FAILED 6		/* the VMM could not start */

/* virConnectListAllDomainsFlags (libvirt-domain.h) the manager filters on. */
#define DOMMGR_LIST_ACTIVE (1u << 0)
#define DOMMGR_LIST_INACTIVE (1u << 1)
#define DOMMGR_LIST_PERSISTENT (1u << 2)
#define DOMMGR_LIST_TRANSIENT (1u << 3)
#define DOMMGR_LIST_RUNNING (1u << 4)
#define DOMMGR_LIST_PAUSED (1u << 5)
#define DOMMGR_LIST_SHUTOFF (1u << 6)
#define DOMMGR_LIST_OTHER (1u << 7)
#define DOMMGR_LIST_MANAGEDSAVE (1u << 8)
#define DOMMGR_LIST_NO_MANAGEDSAVE (1u << 9)
#define DOMMGR_LIST_AUTOSTART (1u << 10)
#define DOMMGR_LIST_NO_AUTOSTART (1u << 11)
#define DOMMGR_LIST_HAS_SNAPSHOT (1u << 12)
#define DOMMGR_LIST_NO_SNAPSHOT (1u << 13)
#define DOMMGR_LIST_HAS_CHECKPOINT (1u << 14)
#define DOMMGR_LIST_NO_CHECKPOINT (1u << 15)

/* A snapshot of one domain, copied out under the manager's lock. */
struct dommgr_domain_info {
	uint8_t uuid[DOMAIN_UUID_SIZE];
	char name[DOMAIN_NAME_MAX + 1];
	int id;				/* -1 when not running */
	int state, reason;		/* enum dommgr_state, DOMMGR_REASON_* */
	bool persistent;		/* false: undefined while running (transient) */
	bool autostart;
	uint64_t max_mem_kib, memory_kib;
	unsigned int vcpus;
	uint64_t cpu_time_ns;		/* of the coco-vmm process; 0 when not running */
	enum domxml_sectype sectype;
	char backend[32];		/* backend it runs on ("" when not running) */
};

struct dommgr_config {
	const char *domains_dir;	/* the domain store (created if missing) */
	const char *vm_run_dir;		/* coco-vmm sockets, pid files, runtime records */
	const char *log_dir;		/* guest consoles: <name>.log */
	const char *vmm_path;		/* the coco-vmm binary */
	/*
	 * Backend per vendor: NULL or "auto" picks the hardware backend when its
	 * probe passes, else the vendor's platform model.
	 */
	const char *snp_backend;
	const char *tdx_backend;
};

struct dommgr;

/*
 * Open the store, then look at every runtime record in vm_run_dir: a live
 * coco-vmm is adopted (its domain is running again, same id); a dead one is
 * cleaned up and its domain is shut off.  -EBUSY when another cocod holds
 * the store.
 */
int dommgr_open(const struct dommgr_config *config, struct dommgr **mgr,
		struct dommgr_error *err);
/* Start every autostart domain that is not running; returns how many started. */
int dommgr_autostart(struct dommgr *mgr);
/* Forget everything in memory; running domains keep running. */
void dommgr_close(struct dommgr *mgr);

/* DEFINE_XML(_FLAGS): flags may hold VIR_DOMAIN_DEFINE_VALIDATE (1). */
int dommgr_define(struct dommgr *mgr, const char *xml, size_t len, unsigned int flags,
		  struct dommgr_domain_info *info, struct dommgr_error *err);
/* UNDEFINE(_FLAGS): a running domain becomes transient and vanishes when it stops. */
int dommgr_undefine(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE], unsigned int flags,
		    struct dommgr_error *err);

int dommgr_lookup_uuid(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE],
		       struct dommgr_domain_info *info, struct dommgr_error *err);
int dommgr_lookup_name(struct dommgr *mgr, const char *name, struct dommgr_domain_info *info,
		       struct dommgr_error *err);
int dommgr_lookup_id(struct dommgr *mgr, int id, struct dommgr_domain_info *info,
		     struct dommgr_error *err);

/* All domains matching DOMMGR_LIST_* @flags (0: all), malloc'd array (free()). */
int dommgr_list(struct dommgr *mgr, unsigned int flags, struct dommgr_domain_info **domains,
		size_t *count, struct dommgr_error *err);

/* CREATE(_WITH_FLAGS): start a coco-vmm and its vCPUs; *info has the new id. */
int dommgr_start(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE], unsigned int flags,
		 struct dommgr_domain_info *info, struct dommgr_error *err);
int dommgr_destroy(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE], unsigned int flags,
		   struct dommgr_error *err);
int dommgr_shutdown(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE],
		    unsigned int flags, struct dommgr_error *err);

/* GET_XML_DESC: malloc'd XML (free()); flags VIR_DOMAIN_XML_SECURE 1 / INACTIVE 2. */
int dommgr_get_xml(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE], unsigned int flags,
		   char **xml, struct dommgr_error *err);
int dommgr_set_autostart(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE],
			 bool autostart, struct dommgr_error *err);

/* A typed parameter (virTypedParameter), as GET_LAUNCH_SECURITY_INFO and NODE_GET_SEV_INFO return. */
enum dommgr_param_type {
	DOMMGR_PARAM_INT = 1,
	DOMMGR_PARAM_UINT = 2,
	DOMMGR_PARAM_LLONG = 3,
	DOMMGR_PARAM_ULLONG = 4,
	DOMMGR_PARAM_BOOLEAN = 6,
	DOMMGR_PARAM_STRING = 7,
};
struct dommgr_param {
	char field[80];			/* VIR_TYPED_PARAM_FIELD_LENGTH */
	enum dommgr_param_type type;
	union {
		int32_t i;
		uint32_t ui;
		int64_t l;
		uint64_t ul;
		char *s;		/* malloc'd */
	} value;
};
void dommgr_params_free(struct dommgr_param *params, size_t count);

/*
 * GET_LAUNCH_SECURITY_INFO of a running domain (VIR_ERR_OPERATION_INVALID
 * "domain is not running" otherwise): libvirt's names for SEV-SNP
 * (sev-measurement base64, sev-api-major, sev-api-minor, sev-build-id,
 * sev-snp-policy) and our documented tdx-* names for TDX.
 */
int dommgr_launch_security_info(struct dommgr *mgr, const uint8_t uuid[DOMAIN_UUID_SIZE],
				struct dommgr_param **params, size_t *count,
				struct dommgr_error *err);
/* NODE_GET_SEV_INFO: cbitpos, reduced-phys-bits, max-guests, max-es-guests (, cpu0-id). */
int dommgr_node_sev_info(struct dommgr *mgr, struct dommgr_param **params, size_t *count,
			 struct dommgr_error *err);

/* CONNECT_GET_CAPABILITIES and CONNECT_GET_DOMAIN_CAPABILITIES documents (malloc'd). */
int dommgr_capabilities(struct dommgr *mgr, char **xml, struct dommgr_error *err);
int dommgr_domain_capabilities(struct dommgr *mgr, const char *emulatorbin, const char *arch,
			       const char *machine, const char *virttype, unsigned int flags,
			       char **xml, struct dommgr_error *err);

#endif

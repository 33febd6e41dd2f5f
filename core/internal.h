/* SPDX-License-Identifier: Apache-2.0 */
/* Core object layouts shared by core/, memory/, backends/ and vendor folders. */
#ifndef COCO_CORE_INTERNAL_H
#define COCO_CORE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>

#include <coco/coco.h>

#include "core/error.h"

struct coco_backend;
struct coco_mem_tracker;

struct coco_host {
	const struct coco_backend *backend;
	/*
	 * VMs keep their host alive: coco_host_close with VMs left only marks
	 * the host closed, and the last coco_vm_destroy finishes the close.
	 */
	pthread_mutex_t lock;
	unsigned int nvms;
	bool closed;
	char *platform_path;		/* model backends: resolved state file */
	bool private_platform;
	uint32_t model_max_guests;
	void *priv;			/* backend state */
};

/*
 * A guest memory slot: a GPA range backed by host memory.  The core creates
 * slots for RAM and for launch regions outside RAM (firmware at the top of
 * 4 GiB, as a VMM maps its flash); backends attach their platform view.
 */
struct coco_mem_slot {
	uint64_t gpa;
	uint64_t size;
	uint8_t *host;			/* mapping of the backing memory */
	int fd;				/* memfd / guest_memfd backing, -1 if none */
	uint64_t platform_base;		/* model: system physical address of gpa */
	void *priv;			/* backend data */
	char label[32];
};

#define COCO_VM_MAX_SLOTS 16

/*
 * Where a VM's slot memory comes from when not from the core's memfds:
 * coco-vmm backs slots with guest_memfd and registers them with KVM as
 * they are added (core/vmm.c).  alloc fills slot->fd and slot->host
 * (mapped size bytes, released by the core with munmap + close).
 */
struct coco_mem_provider {
	int (*alloc)(void *ctx, struct coco_mem_slot *slot);
	void *ctx;
};

struct coco_vm {
	struct coco_host *host;		/* NULL for dry runs */
	const struct coco_backend *backend;
	bool dry_run;
	enum coco_vm_state state;
	struct coco_vm_config config;	/* deep copy: name, id block and id auth owned */
	char *name;
	uint8_t *id_block;
	uint8_t *id_auth;
	size_t regions_added;
	size_t vcpus_added;
	uint64_t last_region_end;
	struct coco_mem_slot slots[COCO_VM_MAX_SLOTS];
	size_t nslots;
	struct coco_mem_tracker *mem;	/* private/shared state per page */
	struct coco_mem_tracker *launched;	/* pages that entered the launch */
	struct coco_measurement dry_run_measurement;
	struct coco_measurement initial_measurement;	/* dry runs of measurement-only plans */
	void *priv;			/* backend state */
	struct coco_mem_provider mem_provider;	/* alloc NULL: the core's memfds */
};

/* A VM of @host is going away: finish a pending coco_host_close when it was the last. */
void coco_host_vm_gone(struct coco_host *host);

/* Create a VM object for @b (dry runs: @host NULL, no guest memory). */
int coco_vm_new_internal(const struct coco_backend *b, struct coco_host *host,
			 const struct coco_vm_config *config, bool dry_run, struct coco_vm **vm);

/* coco_vm_create with the slots' memory from @provider (NULL: the core's memfds). */
int coco_vm_create_with_memory(struct coco_host *host, const struct coco_vm_config *config,
			       const struct coco_mem_provider *provider, struct coco_vm **vm);

/* Name used in messages: the configured name or "(unnamed)". */
static inline const char *coco_vm_label(const struct coco_vm *vm)
{
	return vm->name ? vm->name : "(unnamed)";
}

/* Slot holding @gpa, or NULL. */
struct coco_mem_slot *coco_vm_find_slot(struct coco_vm *vm, uint64_t gpa);

/*
 * Host pointer to [gpa, gpa+len) if it lies within one slot, else NULL.
 * Used by model backends (the platform model reads and writes guest pages
 * the way firmware does) — never by code that stands for the host.
 */
uint8_t *coco_vm_guest_ptr(struct coco_vm *vm, uint64_t gpa, uint64_t len);

/* ------------------------------------------------------------------ */
/* Launch plan                                                          */

struct coco_plan_buffer;

struct coco_launch_plan {
	struct coco_region *regions;
	size_t nregions, cap_regions;
	struct coco_vcpu_desc *vcpus;
	size_t nvcpus, cap_vcpus;
	struct coco_plan_buffer *buffers;	/* data the plan owns */
	struct coco_measurement initial;	/* size 0: launch from the start */
};

/* Give the plan ownership of a malloc'd buffer (freed with the plan). */
int coco_plan_own_buffer(struct coco_launch_plan *plan, void *buffer);

/* Region checks shared by plans and VM launches. */
int coco_region_validate(const struct coco_region *region, const char *op);

/* ------------------------------------------------------------------ */
/* Evidence                                                             */

#define COCO_EVIDENCE_MAX_CERTS 8
#define COCO_EVIDENCE_MAX_FIELDS 48

struct coco_evidence_cert {
	enum coco_cert_role role;
	uint8_t *der;
	size_t len;
	/*
	 * Parsed out of the evidence bytes (a TDX quote's PCK chain), so chosen
	 * by whoever produced them, possibly the guest: never a trust anchor.
	 * Certificates the host attaches (coco_evidence_add_cert) are not.
	 */
	bool carried;
};

struct coco_evidence_ops {
	enum coco_evidence_format format;
	const char *name;			/* "sev-snp report" */
	/* Does @data look like this format (used by AUTO detection)? */
	bool (*detect)(const uint8_t *data, size_t len);
	/* Parse ev->bytes; fill ev->fields and ev->parsed. */
	int (*parse)(struct coco_evidence *ev);
	void (*free_parsed)(void *parsed);
	int (*measurement)(const struct coco_evidence *ev, struct coco_measurement *m);
	int (*report_data)(const struct coco_evidence *ev, uint8_t out[64]);
	/* Role of a certificate from its subject; 0 if unknown. */
	enum coco_cert_role (*infer_role)(const uint8_t *der, size_t len);
	/* Add this vendor's built-in roots and intermediates. */
	int (*builtin_anchors)(struct coco_trust_anchors *anchors);
	int (*verify)(const struct coco_evidence *ev, const struct coco_trust_anchors *anchors,
		      const struct coco_verify_expect *expect, struct coco_verify_result *result);
};

struct coco_evidence {
	const struct coco_evidence_ops *ops;
	uint8_t *bytes;
	size_t len;
	void *parsed;
	struct coco_evidence_cert certs[COCO_EVIDENCE_MAX_CERTS];
	size_t ncerts;
	const char *field_names[COCO_EVIDENCE_MAX_FIELDS];
	char *field_values[COCO_EVIDENCE_MAX_FIELDS];
	size_t nfields;
};

/* Evidence formats known to the library (registered in backends/registry.c). */
const struct coco_evidence_ops *coco_evidence_formats_find(enum coco_evidence_format format);
size_t coco_evidence_formats_count(void);
const struct coco_evidence_ops *coco_evidence_formats_get(size_t index);

/* Build evidence from bytes of a known format (copies @data) and parse it. */
int coco_evidence_new(const struct coco_evidence_ops *ops, const void *data, size_t len,
		      struct coco_evidence **evidence);

/* Append a display field (value copied); for ops->parse. */
int coco_evidence_add_field(struct coco_evidence *ev, const char *name, const char *fmt, ...)
	COCO_PRINTF(3, 4);
int coco_evidence_add_hex_field(struct coco_evidence *ev, const char *name,
				const uint8_t *data, size_t len);

/* Trust anchors: OpenSSL certificate stacks. */
struct coco_trust_anchors {
	void *roots;		/* STACK_OF(X509): trusted, self-signed */
	void *intermediates;	/* STACK_OF(X509): used to build chains */
};

#endif

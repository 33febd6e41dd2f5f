/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Confidential domain definitions in libvirt's domain XML vocabulary: the
 * model, a parser (libxml2, no network, no DTD, size-limited) and the
 * dumpxml writer.  The supported vocabulary and every refusal are listed
 * in docs/domain-xml.md.  Errors carry the libvirt error code and domain
 * numbers a libvirt client expects (virerror.h), so an RPC layer can pass
 * them on unchanged.
 */
#ifndef COCO_LIBVIRT_DOMAIN_XML_H
#define COCO_LIBVIRT_DOMAIN_XML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <coco/snp.h>
#include <coco/tdx.h>
#include <coco/vm.h>

/* libvirt's virErrorNumber / virErrorDomain values (virerror.h). */
#define DOMXML_VIR_ERR_INTERNAL_ERROR 1
#define DOMXML_VIR_ERR_XML_ERROR 27
#define DOMXML_VIR_ERR_CONFIG_UNSUPPORTED 67
#define DOMXML_VIR_FROM_DOMAIN 20

/* Documents larger than this are refused before parsing. */
#define DOMXML_MAX_SIZE (1u << 20)
#define DOMXML_MAX_NAME 200
#define DOMXML_MAX_VCPUS 512

#define DOMXML_SNP_GOSVW_SIZE 16
#define DOMXML_SNP_ID_BLOCK_SIZE 96
#define DOMXML_SNP_ID_AUTH_SIZE 4096
#define DOMXML_SNP_HOST_DATA_SIZE 32

/* A libvirt-style error: code + domain + the message text libvirt would print. */
struct domxml_error {
	int code;	/* DOMXML_VIR_ERR_* */
	int domain;	/* DOMXML_VIR_FROM_* */
	char message[512];
};

/* yes/no attributes: unset ones are not written back. */
enum domxml_tristate {
	DOMXML_UNSET = 0,
	DOMXML_YES = 1,
	DOMXML_NO = 2,
};

enum domxml_sectype {
	DOMXML_SEC_SEV_SNP = 1,
	DOMXML_SEC_TDX = 2,
};

struct domxml_loader {
	char *path;			/* NULL: no <loader> */
	enum domxml_tristate readonly;
	enum domxml_tristate secure;	/* only "no" is accepted */
	enum domxml_tristate stateless;
	char *type;			/* "rom" | "pflash" | NULL */
	char *format;			/* "raw" | NULL */
};

struct domxml_sev_snp {
	enum domxml_tristate kernel_hashes;
	enum domxml_tristate author_key;
	enum domxml_tristate vcek;
	bool has_cbitpos, has_reduced_phys_bits;
	unsigned cbitpos, reduced_phys_bits;
	uint64_t policy;		/* COCO_SNP_POLICY_DEFAULT when absent */
	bool has_gosvw, has_id_block, has_id_auth, has_host_data;
	uint8_t gosvw[DOMXML_SNP_GOSVW_SIZE];
	uint8_t id_block[DOMXML_SNP_ID_BLOCK_SIZE];
	uint8_t id_auth[DOMXML_SNP_ID_AUTH_SIZE];
	uint8_t host_data[DOMXML_SNP_HOST_DATA_SIZE];
};

struct domxml_tdx {
	uint64_t policy;		/* TD ATTRIBUTES; COCO_TDX_ATTR_DEFAULT when absent */
	bool has_mrconfigid, has_mrowner, has_mrownerconfig;
	uint8_t mrconfigid[COCO_TDX_MR_SIZE];
	uint8_t mrowner[COCO_TDX_MR_SIZE];
	uint8_t mrownerconfig[COCO_TDX_MR_SIZE];
	bool has_qgs;			/* <quoteGenerationService> present */
	char *qgs_path;			/* its path attribute, optional */
};

struct domxml_domain {
	char *type;			/* <domain type=>: "kvm" */
	char *name;
	uint8_t uuid[16];		/* generated (version 4) when absent */
	uint64_t memory_kib;		/* libvirt keeps KiB */
	uint64_t current_memory_kib;	/* = memory_kib when absent */
	unsigned vcpus;
	/* <os> */
	char *os_arch;			/* "x86_64" */
	char *os_machine;		/* optional, kept verbatim */
	struct domxml_loader loader;
	char *kernel, *initrd, *cmdline;
	/* <features> */
	bool feature_acpi, feature_apic;
	/* <devices>: a pty serial port and a pty console on it, nothing else. */
	bool serial_pty, console_pty;
	enum domxml_sectype sectype;
	union {
		struct domxml_sev_snp snp;
		struct domxml_tdx tdx;
	} sec;
};

/*
 * Parse @len bytes of domain XML.  On success *@out is a new definition
 * (domxml_free).  On failure returns a negative errno, records a coco error
 * and, when @err is not NULL, fills it with the libvirt code, domain and
 * message (malformed XML: VIR_ERR_XML_ERROR with the line; valid XML using
 * something we do not support: VIR_ERR_CONFIG_UNSUPPORTED naming it).
 */
int domxml_parse(const char *xml, size_t len, struct domxml_domain **out,
		 struct domxml_error *err);

/* dumpxml: a malloc'd NUL-terminated document in libvirt's layout, or NULL (ENOMEM). */
char *domxml_format(const struct domxml_domain *dom);

void domxml_free(struct domxml_domain *dom);

/* Field-by-field equality (what a round trip must preserve). */
bool domxml_equal(const struct domxml_domain *a, const struct domxml_domain *b);

/* Canonical 8-4-4-4-12 lower-case text of @uuid into @out (37 bytes). */
void domxml_uuid_format(const uint8_t uuid[16], char out[37]);

/*
 * The coco VM configuration of @dom, checked by the library's policy
 * checks (coco_snp_policy_validate / coco_tdx_policy_validate) and the
 * memory rules (2 MiB multiple).  SNP's id_block/id_auth pointers point
 * into @dom: keep it alive as long as @config.  Errors as domxml_parse.
 */
int domxml_to_vm_config(const struct domxml_domain *dom, struct coco_vm_config *config,
			struct domxml_error *err);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocod's persistent domain store: the state directory of defined domains.
 *
 * One record file per domain, named by its UUID ("<uuid>.domain"), holding
 * the name, the autostart flag and the domain XML (opaque text here).  A
 * UUID keeps its name for life (libvirt refuses to redefine a UUID under
 * another name), so every change is a single-file operation: define and
 * set-autostart replace the file with coco_write_file_atomic (temporary
 * file, fsync, rename, directory fsync); undefine unlinks it and fsyncs the
 * directory.  A crash leaves each record old or new, never torn; leftover
 * temporary files are removed by the next open.  The directory is locked
 * (flock on ".lock") while a store is open, so two daemons never share it.
 *
 * Not thread-safe: the caller serialises access to one store.
 */
#ifndef COCO_LIBVIRT_DOMAIN_STORE_H
#define COCO_LIBVIRT_DOMAIN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DOMAIN_UUID_SIZE 16
#define DOMAIN_UUID_STRING_SIZE 37   /* 36 characters and the NUL */
/* Longest name: one path component's worth, as file-backed drivers allow. */
#define DOMAIN_NAME_MAX 255
/* Largest XML text: libvirt's RPC caps a string at 4 MiB (REMOTE_STRING_MAX). */
#define DOMAIN_XML_MAX (4u << 20)

/* One defined domain, as stored. */
struct domain_record {
	uint8_t uuid[DOMAIN_UUID_SIZE];
	char *name;
	char *xml;        /* NUL-terminated; xml_len bytes without the NUL */
	size_t xml_len;
	bool autostart;
};

struct domain_store;

/* domain_store_open flags */
#define DOMAIN_STORE_CREATE 0x1u   /* create the directory (mode 0700) if missing */

/*
 * Lock and load the state directory @dir: every valid record; leftovers of
 * interrupted writes removed; corrupt records reported (coco_warn, and
 * domain_store_skipped) and skipped.  -EBUSY when another process holds
 * the directory, -ENOENT when it is missing (without DOMAIN_STORE_CREATE),
 * -EACCES when it is not writable.
 */
int domain_store_open(const char *dir, unsigned int flags, struct domain_store **store);
/* Unlock and free (NULL is fine).  Records stay on disk. */
void domain_store_close(struct domain_store *store);

size_t domain_store_count(const struct domain_store *store);
/* The @index-th record (0 .. count-1), in no particular order; valid until the next change. */
const struct domain_record *domain_store_at(const struct domain_store *store, size_t index);
const struct domain_record *domain_store_find_uuid(const struct domain_store *store,
						   const uint8_t uuid[DOMAIN_UUID_SIZE]);
const struct domain_record *domain_store_find_name(const struct domain_store *store,
						   const char *name);

/*
 * Define (create, or replace the XML of) the domain @uuid named @name.
 * A UUID defined under another name, or a name held by another UUID, is
 * refused with -EEXIST naming the other domain (libvirt's wording); a
 * replaced domain keeps its autostart flag.  On success *@created (may be
 * NULL) tells whether the domain is new.  On failure nothing changed, on
 * disk or in memory.
 */
int domain_store_define(struct domain_store *store, const uint8_t uuid[DOMAIN_UUID_SIZE],
			const char *name, const char *xml, size_t xml_len, bool *created);
/* Remove the domain @uuid; -ENOENT when it is not defined. */
int domain_store_undefine(struct domain_store *store, const uint8_t uuid[DOMAIN_UUID_SIZE]);
int domain_store_set_autostart(struct domain_store *store,
			       const uint8_t uuid[DOMAIN_UUID_SIZE], bool autostart);

/* Records the last open skipped as corrupt: count, and each one's file name. */
size_t domain_store_skipped(const struct domain_store *store);
const char *domain_store_skipped_file(const struct domain_store *store, size_t index);
/* The directory the store was opened on. */
const char *domain_store_dir(const struct domain_store *store);

/* -EINVAL with a message when @name cannot be a domain name. */
int domain_name_check(const char *name);

/* Canonical UUID text (lower-case 8-4-4-4-12) and its parser (either case). */
void domain_uuid_format(const uint8_t uuid[DOMAIN_UUID_SIZE], char out[DOMAIN_UUID_STRING_SIZE]);
int domain_uuid_parse(const char *text, uint8_t uuid[DOMAIN_UUID_SIZE]);

/*
 * The record file codec (exposed for tests and the fuzz target).  parse
 * accepts exactly what format writes and refuses anything else with a
 * message; on success @record owns malloc'd strings (domain_record_clear).
 */
int domain_record_parse(const uint8_t *data, size_t len, struct domain_record *record);
int domain_record_format(const struct domain_record *record, char **data, size_t *len);
void domain_record_clear(struct domain_record *record);

#endif

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cocod's persistent domain store (see domain-store.h for the guarantees).
 *
 * Record file "<uuid>.domain", text header then the XML:
 *
 *   coco-domain-record 1
 *   sha384 <96 hex digits: SHA-384 of everything after this line>
 *   uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f
 *   name web-1
 *   autostart no
 *   xml-bytes 1234
 *   <empty line>
 *   <xml-bytes bytes of XML>
 *
 * The rename makes a record atomic against crashes; the digest and length
 * catch what the rename cannot (a damaged disk, a hand-edited or truncated
 * copy), so such a record is reported and skipped instead of half-loaded.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "libvirt/domain-store.h"

#define RECORD_MAGIC "coco-domain-record 1"
#define RECORD_SUFFIX ".domain"
/* coco_write_file_atomic's temporary files: "<target>.tmp.XXXXXX". */
#define TEMP_MARKER RECORD_SUFFIX ".tmp."
#define LOCK_FILE ".lock"
/* Header lines are short; the whole header fits well within this. */
#define RECORD_HEADER_MAX (DOMAIN_NAME_MAX + 512)
#define RECORD_FILE_MAX (DOMAIN_XML_MAX + RECORD_HEADER_MAX)

struct domain_store {
	char *dir;
	int dir_fd;
	int lock_fd;
	struct domain_record *records;
	size_t count, cap;
	char **skipped;
	size_t nskipped;
};

/* ------------------------------------------------------------------ */
/* Names and UUIDs                                                      */

int domain_name_check(const char *name)
{
	size_t len;

	if (!name || !*name)
		return coco_err(-EINVAL, "domain name: empty; give the domain a <name>");
	len = strlen(name);
	if (len > DOMAIN_NAME_MAX)
		return coco_err(-EINVAL, "domain name: %zu bytes, longer than the %d allowed",
				len, DOMAIN_NAME_MAX);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return coco_err(-EINVAL, "domain name '%s': a path component, not a name", name);
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		/* '/' would turn the name into a path wherever cocod derives a file from it. */
		if (*p == '/')
			return coco_err(-EINVAL, "domain name '%s': contains '/'; choose a name "
					"without path separators", name);
		if (*p < 0x20 || *p == 0x7f)
			return coco_err(-EINVAL, "domain name: contains control character 0x%02x at "
					"byte %zu", *p, (size_t)((const char *)p - name));
	}
	return 0;
}

void domain_uuid_format(const uint8_t uuid[DOMAIN_UUID_SIZE], char out[DOMAIN_UUID_STRING_SIZE])
{
	char hex[2 * DOMAIN_UUID_SIZE + 1];
	size_t o = 0;

	coco_hex_encode(uuid, DOMAIN_UUID_SIZE, hex);
	for (size_t i = 0; i < 2 * DOMAIN_UUID_SIZE; i++) {
		if (i == 8 || i == 12 || i == 16 || i == 20)
			out[o++] = '-';
		out[o++] = hex[i];
	}
	out[o] = '\0';
}

int domain_uuid_parse(const char *text, uint8_t uuid[DOMAIN_UUID_SIZE])
{
	char hex[2 * DOMAIN_UUID_SIZE + 1];
	size_t h = 0;

	if (strlen(text) != DOMAIN_UUID_STRING_SIZE - 1)
		return coco_err(-EINVAL, "domain uuid '%.64s': not of the form "
				"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", text);
	for (size_t i = 0; text[i]; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash != (text[i] == '-') || (!dash && !isxdigit((unsigned char)text[i])))
			return coco_err(-EINVAL, "domain uuid '%s': not of the form "
					"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx", text);
		if (!dash)
			hex[h++] = text[i];
	}
	hex[h] = '\0';
	return coco_hex_decode_exact(hex, uuid, DOMAIN_UUID_SIZE, "domain uuid");
}

/* ------------------------------------------------------------------ */
/* Record codec                                                         */

void domain_record_clear(struct domain_record *record)
{
	free(record->name);
	free(record->xml);
	memset(record, 0, sizeof(*record));
}

static int xml_check(const char *xml, size_t len)
{
	if (len == 0)
		return coco_err(-EINVAL, "domain XML: empty");
	if (len > DOMAIN_XML_MAX)
		return coco_err(-EFBIG, "domain XML: %zu bytes, larger than the %u allowed",
				len, DOMAIN_XML_MAX);
	if (memchr(xml, '\0', len))
		return coco_err(-EINVAL, "domain XML: contains a NUL byte at offset %zu",
				(size_t)((const char *)memchr(xml, '\0', len) - xml));
	return 0;
}

int domain_record_format(const struct domain_record *record, char **data, size_t *len)
{
	char uuid[DOMAIN_UUID_STRING_SIZE];
	uint8_t digest[COCO_SHA384_SIZE];
	char digest_hex[2 * COCO_SHA384_SIZE + 1];
	size_t prefix_len = sizeof(RECORD_MAGIC "\nsha384 \n") - 1 + 2 * COCO_SHA384_SIZE;
	char *buf, *body;
	int n, err;

	if ((err = domain_name_check(record->name)) || (err = xml_check(record->xml, record->xml_len)))
		return coco_err_context(err, "domain record");
	domain_uuid_format(record->uuid, uuid);
	buf = malloc(prefix_len + RECORD_HEADER_MAX + record->xml_len);
	if (!buf)
		return coco_err(-ENOMEM, "domain record: out of memory");
	body = buf + prefix_len;
	n = snprintf(body, RECORD_HEADER_MAX, "uuid %s\nname %s\nautostart %s\nxml-bytes %zu\n\n",
		     uuid, record->name, record->autostart ? "yes" : "no", record->xml_len);
	if (n < 0 || n >= RECORD_HEADER_MAX) {
		free(buf);
		return coco_err(-EOVERFLOW, "domain record: header too long");
	}
	memcpy(body + n, record->xml, record->xml_len);
	if ((err = coco_sha384(body, (size_t)n + record->xml_len, digest))) {
		free(buf);
		return coco_err_context(err, "domain record: hashing");
	}
	coco_hex_encode(digest, sizeof(digest), digest_hex);
	memcpy(buf, RECORD_MAGIC "\nsha384 ", sizeof(RECORD_MAGIC "\nsha384 ") - 1);
	memcpy(buf + sizeof(RECORD_MAGIC "\nsha384 ") - 1, digest_hex, 2 * COCO_SHA384_SIZE);
	buf[prefix_len - 1] = '\n';
	*data = buf;
	*len = prefix_len + (size_t)n + record->xml_len;
	return 0;
}

/*
 * Take the next header line "KEY VALUE\n" from [*p, end): the value as a
 * malloc'd string (refused when it holds a NUL byte).
 */
static int take_line(const uint8_t **p, const uint8_t *end, const char *key, char **value)
{
	size_t keylen = strlen(key), avail = (size_t)(end - *p);
	const uint8_t *nl;
	size_t vlen;
	char *v;

	nl = memchr(*p, '\n', COCO_MIN(avail, (size_t)RECORD_HEADER_MAX));
	if (!nl)
		return coco_err(-EINVAL, "domain record: line '%s' missing or not terminated", key);
	if ((size_t)(nl - *p) < keylen + 1 || memcmp(*p, key, keylen) || (*p)[keylen] != ' ')
		return coco_err(-EINVAL, "domain record: expected line '%s ...'", key);
	vlen = (size_t)(nl - *p) - keylen - 1;
	if (memchr(*p + keylen + 1, '\0', vlen))
		return coco_err(-EINVAL, "domain record: line '%s' contains a NUL byte", key);
	v = malloc(vlen + 1);
	if (!v)
		return coco_err(-ENOMEM, "domain record: out of memory");
	memcpy(v, *p + keylen + 1, vlen);
	v[vlen] = '\0';
	*value = v;
	*p = nl + 1;
	return 0;
}

/* Strict decimal: digits only, no sign, no leading zero, at most @max. */
static int parse_size(const char *text, size_t max, size_t *out)
{
	size_t v = 0;

	if (!*text || (text[0] == '0' && text[1]))
		return -EINVAL;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return -EINVAL;
		v = v * 10 + (size_t)(*c - '0');
		if (v > max)
			return -ERANGE;
	}
	*out = v;
	return 0;
}

int domain_record_parse(const uint8_t *data, size_t len, struct domain_record *record)
{
	static const char magic[] = RECORD_MAGIC "\n";
	const uint8_t *p = data, *end = data + len;
	char *uuid = NULL, *autostart = NULL, *bytes = NULL, *digest_hex = NULL;
	uint8_t digest[COCO_SHA384_SIZE], want[COCO_SHA384_SIZE];
	char canonical[DOMAIN_UUID_STRING_SIZE];
	struct domain_record r = { 0 };
	int err;

	if (len < sizeof(magic) - 1 || memcmp(data, magic, sizeof(magic) - 1)) {
		err = coco_err(-EINVAL, "domain record: does not start with '" RECORD_MAGIC "'");
		goto out;
	}
	p += sizeof(magic) - 1;
	if ((err = take_line(&p, end, "sha384", &digest_hex)))
		goto out;
	if (strlen(digest_hex) != 2 * COCO_SHA384_SIZE ||
	    strspn(digest_hex, "0123456789abcdef") != 2 * COCO_SHA384_SIZE ||
	    coco_hex_decode_exact(digest_hex, want, sizeof(want), "domain record sha384")) {
		err = coco_err(-EINVAL, "domain record: sha384 is not %d lower-case hex digits",
			       2 * COCO_SHA384_SIZE);
		goto out;
	}
	/* Everything after the digest line is covered: a damaged byte anywhere is caught here. */
	if ((err = coco_sha384(p, (size_t)(end - p), digest)))
		goto out;
	if (memcmp(digest, want, sizeof(want))) {
		err = coco_err(-EINVAL, "domain record: contents do not match its sha384 (truncated "
			       "or damaged)");
		goto out;
	}
	if ((err = take_line(&p, end, "uuid", &uuid)) || (err = take_line(&p, end, "name", &r.name)) ||
	    (err = take_line(&p, end, "autostart", &autostart)) ||
	    (err = take_line(&p, end, "xml-bytes", &bytes)))
		goto out;
	if ((err = domain_uuid_parse(uuid, r.uuid))) {
		err = coco_err_context(err, "domain record");
		goto out;
	}
	domain_uuid_format(r.uuid, canonical);
	if (strcmp(uuid, canonical)) {
		/* The writer uses lower case; anything else was not written by us. */
		err = coco_err(-EINVAL, "domain record: uuid '%s' is not in lower case", uuid);
		goto out;
	}
	if ((err = domain_name_check(r.name))) {
		err = coco_err_context(err, "domain record");
		goto out;
	}
	if (!strcmp(autostart, "yes") || !strcmp(autostart, "no")) {
		r.autostart = autostart[0] == 'y';
	} else {
		err = coco_err(-EINVAL, "domain record: autostart '%.16s' is neither 'yes' nor 'no'",
			       autostart);
		goto out;
	}
	if (parse_size(bytes, DOMAIN_XML_MAX, &r.xml_len) || r.xml_len == 0) {
		err = coco_err(-EINVAL, "domain record: xml-bytes '%.24s' is not a length from 1 "
			       "to %u", bytes, DOMAIN_XML_MAX);
		goto out;
	}
	if (p == end || *p != '\n') {
		err = coco_err(-EINVAL, "domain record: no empty line after the header");
		goto out;
	}
	p++;
	if ((size_t)(end - p) != r.xml_len) {
		err = coco_err(-EINVAL, "domain record: %zu bytes of XML where the header says %zu",
			       (size_t)(end - p), r.xml_len);
		goto out;
	}
	if ((err = xml_check((const char *)p, r.xml_len))) {
		err = coco_err_context(err, "domain record");
		goto out;
	}
	r.xml = malloc(r.xml_len + 1);
	if (!r.xml) {
		err = coco_err(-ENOMEM, "domain record: out of memory");
		goto out;
	}
	memcpy(r.xml, p, r.xml_len);
	r.xml[r.xml_len] = '\0';
	*record = r;
	r = (struct domain_record){ 0 };
	err = 0;
out:
	domain_record_clear(&r);
	free(uuid);
	free(autostart);
	free(bytes);
	free(digest_hex);
	return err;
}

/* ------------------------------------------------------------------ */
/* The store                                                            */

static void record_file_name(const uint8_t uuid[DOMAIN_UUID_SIZE],
			     char out[DOMAIN_UUID_STRING_SIZE + sizeof(RECORD_SUFFIX)])
{
	domain_uuid_format(uuid, out);
	strcat(out, RECORD_SUFFIX);
}

static int record_path(const struct domain_store *store, const uint8_t uuid[DOMAIN_UUID_SIZE],
		       char *out, size_t size)
{
	char file[DOMAIN_UUID_STRING_SIZE + sizeof(RECORD_SUFFIX)];

	record_file_name(uuid, file);
	if (snprintf(out, size, "%s/%s", store->dir, file) >= (int)size)
		return coco_err(-ENAMETOOLONG, "domain store: path under '%s' too long", store->dir);
	return 0;
}

static ssize_t find_uuid_index(const struct domain_store *store, const uint8_t *uuid)
{
	for (size_t i = 0; i < store->count; i++)
		if (!memcmp(store->records[i].uuid, uuid, DOMAIN_UUID_SIZE))
			return (ssize_t)i;
	return -1;
}

static ssize_t find_name_index(const struct domain_store *store, const char *name)
{
	for (size_t i = 0; i < store->count; i++)
		if (!strcmp(store->records[i].name, name))
			return (ssize_t)i;
	return -1;
}

size_t domain_store_count(const struct domain_store *store)
{
	return store->count;
}

const struct domain_record *domain_store_at(const struct domain_store *store, size_t index)
{
	return index < store->count ? &store->records[index] : NULL;
}

const struct domain_record *domain_store_find_uuid(const struct domain_store *store,
						   const uint8_t uuid[DOMAIN_UUID_SIZE])
{
	ssize_t i = find_uuid_index(store, uuid);

	return i < 0 ? NULL : &store->records[i];
}

const struct domain_record *domain_store_find_name(const struct domain_store *store,
						   const char *name)
{
	ssize_t i = find_name_index(store, name);

	return i < 0 ? NULL : &store->records[i];
}

size_t domain_store_skipped(const struct domain_store *store)
{
	return store->nskipped;
}

const char *domain_store_skipped_file(const struct domain_store *store, size_t index)
{
	return index < store->nskipped ? store->skipped[index] : NULL;
}

const char *domain_store_dir(const struct domain_store *store)
{
	return store->dir;
}

static int reserve_one(struct domain_store *store)
{
	struct domain_record *grown;
	size_t cap;

	if (store->count < store->cap)
		return 0;
	cap = store->cap ? 2 * store->cap : 16;
	grown = realloc(store->records, cap * sizeof(*grown));
	if (!grown)
		return coco_err(-ENOMEM, "domain store: out of memory");
	store->records = grown;
	store->cap = cap;
	return 0;
}

static int dir_sync(struct domain_store *store, const char *op)
{
	if (fsync(store->dir_fd) < 0)
		return coco_err(-errno, "domain store: %s: fsync of '%s' failed: %s", op, store->dir,
				strerror(errno));
	return 0;
}

/* Note a corrupt record: warn now, keep its name for domain_store_skipped. */
static void skip_record(struct domain_store *store, const char *file)
{
	char **grown = realloc(store->skipped, (store->nskipped + 1) * sizeof(*grown));
	char *copy = strdup(file);

	coco_warn("domain store '%s': skipping record '%s': %s", store->dir, file,
		  coco_last_error());
	if (grown)
		store->skipped = grown;
	if (!grown || !copy) {
		free(copy);
		return;
	}
	store->skipped[store->nskipped++] = copy;
}

static void load_record(struct domain_store *store, const char *file)
{
	char path[PATH_MAX], stem[DOMAIN_UUID_STRING_SIZE + sizeof(RECORD_SUFFIX)];
	struct domain_record r = { 0 };
	uint8_t *data = NULL;
	size_t len;
	ssize_t other;
	int err;

	if (snprintf(path, sizeof(path), "%s/%s", store->dir, file) >= (int)sizeof(path)) {
		coco_err(-ENAMETOOLONG, "path too long");
		skip_record(store, file);
		return;
	}
	err = coco_read_file(path, RECORD_FILE_MAX, "domain record", &data, &len);
	if (!err)
		err = domain_record_parse(data, len, &r);
	free(data);
	if (err) {
		skip_record(store, file);
		return;
	}
	record_file_name(r.uuid, stem);
	if (strcmp(stem, file)) {
		char uuid[DOMAIN_UUID_STRING_SIZE];

		domain_uuid_format(r.uuid, uuid);
		coco_err(-EINVAL, "holds domain '%s' with uuid %s, not the uuid of its file name",
			 r.name, uuid);
		goto skip;
	}
	other = find_name_index(store, r.name);
	if (other >= 0) {
		char uuid[DOMAIN_UUID_STRING_SIZE];

		domain_uuid_format(store->records[other].uuid, uuid);
		coco_err(-EEXIST, "domain '%s' already exists with uuid %s; remove one of the two "
			 "records", r.name, uuid);
		goto skip;
	}
	if (reserve_one(store))
		goto skip;
	store->records[store->count++] = r;
	return;
skip:
	domain_record_clear(&r);
	skip_record(store, file);
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

static int load(struct domain_store *store)
{
	struct dirent *e;
	size_t removed = 0;
	DIR *d;
	int fd;

	fd = dup(store->dir_fd);
	if (fd < 0 || !(d = fdopendir(fd))) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return coco_err(err, "domain store: cannot list '%s': %s", store->dir,
				strerror(-err));
	}
	rewinddir(d);
	while ((errno = 0, e = readdir(d))) {
		if (strstr(e->d_name, TEMP_MARKER)) {
			/* A define or set-autostart interrupted before its rename: the old record stands. */
			if (unlinkat(store->dir_fd, e->d_name, 0) == 0)
				removed++;
			else
				coco_warn("domain store '%s': cannot remove leftover '%s': %s",
					  store->dir, e->d_name, strerror(errno));
		} else if (has_suffix(e->d_name, RECORD_SUFFIX)) {
			load_record(store, e->d_name);
		}
		/* Anything else (".", "..", the lock, foreign files) is not ours to judge. */
	}
	if (errno) {
		int err = -errno;

		closedir(d);
		return coco_err(err, "domain store: listing '%s' failed: %s", store->dir,
				strerror(-err));
	}
	closedir(d);
	if (removed)
		return dir_sync(store, "removing leftovers of interrupted writes");
	return 0;
}

static int lock_dir(struct domain_store *store)
{
	char pid[32];
	ssize_t n;
	int len;

	store->lock_fd = openat(store->dir_fd, LOCK_FILE, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
				0600);
	if (store->lock_fd < 0)
		return coco_err(-errno, "domain store: cannot open lock file '%s/" LOCK_FILE "': %s",
				store->dir, strerror(errno));
	if (flock(store->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		if (err != EWOULDBLOCK)
			return coco_err(-err, "domain store: cannot lock '%s/" LOCK_FILE "': %s",
					store->dir, strerror(err));
		n = pread(store->lock_fd, pid, sizeof(pid) - 1, 0);
		pid[n > 0 ? n : 0] = '\0';
		pid[strcspn(pid, "\n")] = '\0';
		return coco_err(-EBUSY, "domain store: state directory '%s' is in use by another "
				"cocod (pid %s); stop it, or give this one its own --state-dir",
				store->dir, pid[0] ? pid : "unknown");
	}
	/* The holder's pid, for the message above; the lock itself is what counts. */
	len = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(store->lock_fd, 0) < 0 || pwrite(store->lock_fd, pid, (size_t)len, 0) != len)
		coco_warn("domain store '%s': cannot record the pid in the lock file: %s",
			  store->dir, strerror(errno));
	return 0;
}

void domain_store_close(struct domain_store *store)
{
	if (!store)
		return;
	for (size_t i = 0; i < store->count; i++)
		domain_record_clear(&store->records[i]);
	free(store->records);
	for (size_t i = 0; i < store->nskipped; i++)
		free(store->skipped[i]);
	free(store->skipped);
	if (store->lock_fd >= 0)
		close(store->lock_fd);   /* releases the flock */
	if (store->dir_fd >= 0)
		close(store->dir_fd);
	free(store->dir);
	free(store);
}

int domain_store_open(const char *dir, unsigned int flags, struct domain_store **out)
{
	struct domain_store *store;
	int err;

	*out = NULL;
	if (!dir || !*dir)
		return coco_err(-EINVAL, "domain store: no state directory given");
	if (strlen(dir) > PATH_MAX - 64)
		return coco_err(-ENAMETOOLONG, "domain store: state directory path too long");
	if ((flags & DOMAIN_STORE_CREATE) && (err = coco_mkdir_p(dir, 0700)))
		return coco_err_context(err, "domain store: creating the state directory");
	store = calloc(1, sizeof(*store));
	if (!store || !(store->dir = strdup(dir))) {
		free(store);
		return coco_err(-ENOMEM, "domain store: out of memory");
	}
	store->lock_fd = -1;
	store->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (store->dir_fd < 0) {
		err = errno;
		if (err == ENOENT)
			err = coco_err(-ENOENT, "domain store: state directory '%s' does not exist; "
				       "create it, or point --state-dir at an existing one", dir);
		else if (err == EACCES)
			err = coco_err(-EACCES, "domain store: state directory '%s' is not accessible "
				       "by uid %u; fix its owner or mode, or choose another "
				       "--state-dir", dir, (unsigned)geteuid());
		else if (err == ENOTDIR)
			err = coco_err(-ENOTDIR, "domain store: state directory '%s' is not a "
				       "directory", dir);
		else
			err = coco_err(-err, "domain store: cannot open state directory '%s': %s",
				       dir, strerror(err));
		goto fail;
	}
	/* Checked up front: otherwise an existing lock file would let us open and fail every define. */
	if (faccessat(store->dir_fd, ".", W_OK | X_OK, AT_EACCESS) < 0) {
		err = coco_err(-errno, "domain store: state directory '%s' is not writable by uid "
			       "%u: %s; fix its owner or mode, or choose another --state-dir", dir,
			       (unsigned)geteuid(), strerror(errno));
		goto fail;
	}
	if ((err = lock_dir(store)) || (err = load(store)))
		goto fail;
	*out = store;
	return 0;
fail:
	domain_store_close(store);
	return err;
}

/* Write @record to its file (replacing any older one) atomically. */
static int write_record(struct domain_store *store, const struct domain_record *record)
{
	char path[PATH_MAX];
	char *data;
	size_t len;
	int err;

	if ((err = record_path(store, record->uuid, path, sizeof(path))) ||
	    (err = domain_record_format(record, &data, &len)))
		return err;
	err = coco_write_file_atomic(path, data, len, 0600);
	free(data);
	return err;
}

int domain_store_define(struct domain_store *store, const uint8_t uuid[DOMAIN_UUID_SIZE],
			const char *name, const char *xml, size_t xml_len, bool *created)
{
	char uuid_text[DOMAIN_UUID_STRING_SIZE];
	struct domain_record r = { 0 };
	ssize_t index, other;
	int err;

	if ((err = domain_name_check(name)) || (err = xml_check(xml, xml_len)))
		return coco_err_context(err, "define domain");
	index = find_uuid_index(store, uuid);
	if (index >= 0 && strcmp(store->records[index].name, name)) {
		/* libvirt (virDomainObjListAdd) refuses renaming through define the same way. */
		domain_uuid_format(uuid, uuid_text);
		return coco_err(-EEXIST, "define domain '%s': domain '%s' is already defined with "
				"uuid %s; undefine it first or give the new domain another uuid",
				name, store->records[index].name, uuid_text);
	}
	if (index < 0 && (other = find_name_index(store, name)) >= 0) {
		domain_uuid_format(store->records[other].uuid, uuid_text);
		return coco_err(-EEXIST, "define domain '%s': domain '%s' already exists with uuid "
				"%s; choose another name or redefine with that uuid", name, name,
				uuid_text);
	}
	if (index < 0 && (err = reserve_one(store)))
		return err;
	memcpy(r.uuid, uuid, DOMAIN_UUID_SIZE);
	r.name = strdup(name);
	r.xml = malloc(xml_len + 1);
	if (!r.name || !r.xml) {
		domain_record_clear(&r);
		return coco_err(-ENOMEM, "define domain '%s': out of memory", name);
	}
	memcpy(r.xml, xml, xml_len);
	r.xml[xml_len] = '\0';
	r.xml_len = xml_len;
	r.autostart = index >= 0 && store->records[index].autostart;
	if ((err = write_record(store, &r))) {
		domain_record_clear(&r);
		return coco_err_context(err, "define domain '%s'", name);
	}
	/* Durable: only now does memory follow (nothing below can fail). */
	if (index >= 0) {
		domain_record_clear(&store->records[index]);
		store->records[index] = r;
	} else {
		store->records[store->count++] = r;
	}
	if (created)
		*created = index < 0;
	return 0;
}

static int unknown_uuid(const char *op, const uint8_t uuid[DOMAIN_UUID_SIZE])
{
	char uuid_text[DOMAIN_UUID_STRING_SIZE];

	domain_uuid_format(uuid, uuid_text);
	return coco_err(-ENOENT, "%s: no domain with matching uuid '%s'", op, uuid_text);
}

int domain_store_set_autostart(struct domain_store *store,
			       const uint8_t uuid[DOMAIN_UUID_SIZE], bool autostart)
{
	ssize_t index = find_uuid_index(store, uuid);
	struct domain_record r;
	int err;

	if (index < 0)
		return unknown_uuid("set autostart", uuid);
	if (store->records[index].autostart == autostart)
		return 0;
	r = store->records[index];
	r.autostart = autostart;
	if ((err = write_record(store, &r)))
		return coco_err_context(err, "set autostart of domain '%s'", r.name);
	store->records[index].autostart = autostart;
	return 0;
}

int domain_store_undefine(struct domain_store *store, const uint8_t uuid[DOMAIN_UUID_SIZE])
{
	char file[DOMAIN_UUID_STRING_SIZE + sizeof(RECORD_SUFFIX)];
	ssize_t index = find_uuid_index(store, uuid);
	int err;

	if (index < 0)
		return unknown_uuid("undefine domain", uuid);
	record_file_name(uuid, file);
	if (unlinkat(store->dir_fd, file, 0) < 0 && errno != ENOENT)
		return coco_err(-errno, "undefine domain '%s': cannot remove '%s/%s': %s",
				store->records[index].name, store->dir, file, strerror(errno));
	/* The record is gone from the directory: memory follows whatever the fsync says. */
	err = dir_sync(store, "undefine");
	domain_record_clear(&store->records[index]);
	store->records[index] = store->records[--store->count];
	return err;
}

/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: libvirt/domain-store.c, cocod's persistent domain store.
 * Each test works in its own temporary state directory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/digest.h"
#include "core/error.h"
#include "core/util.h"
#include "libvirt/domain-store.h"
#include "tests/common/test-main.h"

static const uint8_t uuid_a[16] = { 0x0f, 0x2c, 0x9a, 0x4e, 0x8d, 0x1b, 0x4c, 0x3a,
				    0x9e, 0x57, 0x1b, 0x2d, 0x3c, 0x4d, 0x5e, 0x6f };
static const uint8_t uuid_b[16] = { 0xa1, 0xb2, 0xc3, 0xd4, 0xe5, 0xf6, 0x47, 0x18,
				    0x89, 0x9a, 0xab, 0xbc, 0xcd, 0xde, 0xef, 0xf0 };
static const char xml_a[] = "<domain type='kvm'><name>alpha</name></domain>";
static const char xml_a2[] = "<domain type='kvm'><name>alpha</name><vcpu>4</vcpu></domain>";
static const char xml_b[] = "<domain type='kvm'><name>beta</name></domain>";

static char tmpdir[256];

static const char *make_dir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test-domain-store.XXXXXX");
	return mkdtemp(tmpdir);
}

static void remove_dir(const char *dir)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
}

static char *path_in(const char *dir, const char *file)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", dir, file);
	return buf;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT(fwrite(data, 1, len, f) == len);
	fclose(f);
}

static size_t count_files(const char *dir)
{
	char cmd[512];
	FILE *p;
	size_t n = 0;
	int c;

	snprintf(cmd, sizeof(cmd), "ls -A '%s'", dir);
	p = popen(cmd, "r");
	if (!p)
		return (size_t)-1;
	while ((c = fgetc(p)) != EOF)
		n += c == '\n';
	pclose(p);
	return n;
}

static void test_uuid_text(void)
{
	char text[DOMAIN_UUID_STRING_SIZE];
	uint8_t back[16];

	domain_uuid_format(uuid_a, text);
	CU_ASSERT_STRING_EQUAL(text, "0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f");
	CU_ASSERT_EQUAL(domain_uuid_parse("0F2C9A4E-8D1B-4C3A-9E57-1B2D3C4D5E6F", back), 0);
	CU_ASSERT(memcmp(back, uuid_a, 16) == 0);
	CU_ASSERT_EQUAL(domain_uuid_parse("0f2c9a4e8d1b4c3a9e571b2d3c4d5e6f", back), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_parse("0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6", back), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_parse("0f2c9a4e-8d1b-4c3a-9e57+1b2d3c4d5e6f", back), -EINVAL);
	CU_ASSERT_EQUAL(domain_uuid_parse("0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6g", back), -EINVAL);
}

static void test_names(void)
{
	char longname[DOMAIN_NAME_MAX + 2];

	CU_ASSERT_EQUAL(domain_name_check("web-1.example_vm"), 0);
	CU_ASSERT_EQUAL(domain_name_check("été"), 0);
	CU_ASSERT_EQUAL(domain_name_check(""), -EINVAL);
	CU_ASSERT_EQUAL(domain_name_check("../etc"), -EINVAL);
	CU_ASSERT(strstr(coco_last_error(), "'/'") != NULL);
	CU_ASSERT_EQUAL(domain_name_check("a/b"), -EINVAL);
	CU_ASSERT_EQUAL(domain_name_check("."), -EINVAL);
	CU_ASSERT_EQUAL(domain_name_check(".."), -EINVAL);
	CU_ASSERT_EQUAL(domain_name_check("two\nlines"), -EINVAL);
	CU_ASSERT_EQUAL(domain_name_check("tab\there"), -EINVAL);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CU_ASSERT_EQUAL(domain_name_check(longname), -EINVAL);
	longname[DOMAIN_NAME_MAX] = '\0';
	CU_ASSERT_EQUAL(domain_name_check(longname), 0);
}

static void test_record_round_trip(void)
{
	struct domain_record in = { .name = "alpha", .xml = (char *)xml_a,
				    .xml_len = sizeof(xml_a) - 1, .autostart = true };
	struct domain_record out = { 0 };
	char *data;
	size_t len;

	memcpy(in.uuid, uuid_a, 16);
	CU_ASSERT_EQUAL_FATAL(domain_record_format(&in, &data, &len), 0);
	CU_ASSERT_EQUAL_FATAL(domain_record_parse((uint8_t *)data, len, &out), 0);
	CU_ASSERT(memcmp(out.uuid, uuid_a, 16) == 0);
	CU_ASSERT_STRING_EQUAL(out.name, "alpha");
	CU_ASSERT_EQUAL(out.xml_len, sizeof(xml_a) - 1);
	CU_ASSERT_STRING_EQUAL(out.xml, xml_a);
	CU_ASSERT(out.autostart);
	domain_record_clear(&out);

	/* Every truncation is refused: a torn record can never load. */
	for (size_t cut = 0; cut < len; cut++) {
		CU_ASSERT_NOT_EQUAL(domain_record_parse((uint8_t *)data, cut, &out), 0);
		CU_ASSERT_PTR_NULL(out.name);
	}
	/* So is any single flipped bit: the digest line covers everything after it. */
	for (size_t i = 0; i < len; i++) {
		data[i] ^= 0x01;
		if (domain_record_parse((uint8_t *)data, len, &out) == 0) {
			CU_FAIL("a damaged record was accepted");
			fprintf(stderr, "accepted flip at %zu\n", i);
			domain_record_clear(&out);
		}
		data[i] ^= 0x01;
	}
	free(data);
}

/* A record file around @body: the magic line and the digest line over @body. */
static uint8_t *seal(const char *body, size_t *len)
{
	uint8_t digest[COCO_SHA384_SIZE];
	char hex[2 * COCO_SHA384_SIZE + 1];
	size_t blen = strlen(body);
	char *out;

	if (coco_sha384(body, blen, digest))
		return NULL;
	coco_hex_encode(digest, sizeof(digest), hex);
	out = malloc(64 + sizeof(hex) + blen);
	if (!out)
		return NULL;
	*len = (size_t)sprintf(out, "coco-domain-record 1\nsha384 %s\n%s", hex, body);
	return (uint8_t *)out;
}

static void test_record_refusals(void)
{
	struct domain_record out = { 0 };
	const char *bad[] = {
		"",
		"coco-domain-record 2\n",
		"coco-domain-record 1\nsha384 00\n",
		"coco-domain-record 1\nuuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\n",
	};

	/* Bodies under a correct digest: the header itself must be refused. */
	const char *bad_bodies[] = {
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a/b\nautostart no\nxml-bytes 1\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart maybe\nxml-bytes 1\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\nxml-bytes 01\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\nxml-bytes 2\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\nxml-bytes 0\n\n",
		("uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\n"
		 "xml-bytes 99999999999999999999999\n\nx"),
		"uuid 0f2c9a4e-8d1b-4c3a-9e57\nname a\nautostart no\nxml-bytes 1\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nxml-bytes 1\n\nx",
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\nxml-bytes 1\nx",
	};
	/* The same shape with a valid header is accepted: the refusals above are the defects. */
	const char *good_body =
		"uuid 0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f\nname a\nautostart no\nxml-bytes 1\n\nx";

	for (size_t i = 0; i < COCO_ARRAY_SIZE(bad); i++) {
		CU_ASSERT_EQUAL(domain_record_parse((const uint8_t *)bad[i], strlen(bad[i]), &out),
				-EINVAL);
		CU_ASSERT(coco_last_error()[0] != '\0');
	}
	for (size_t i = 0; i < COCO_ARRAY_SIZE(bad_bodies); i++) {
		size_t len;
		uint8_t *rec = seal(bad_bodies[i], &len);

		CU_ASSERT_FATAL(rec != NULL);
		if (domain_record_parse(rec, len, &out) != -EINVAL) {
			CU_FAIL("a bad header was accepted");
			fprintf(stderr, "accepted body %zu\n", i);
			domain_record_clear(&out);
		}
		free(rec);
	}
	size_t len;
	uint8_t *rec = seal(good_body, &len);
	CU_ASSERT_FATAL(rec != NULL);
	CU_ASSERT_EQUAL(domain_record_parse(rec, len, &out), 0);
	CU_ASSERT_STRING_EQUAL(out.xml, "x");
	domain_record_clear(&out);
	free(rec);
}

static void test_define_lookup_reload(void)
{
	const char *dir = make_dir();
	struct domain_store *s;
	const struct domain_record *r;
	bool created = false;

	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_count(s), 0);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_a, "alpha", xml_a, sizeof(xml_a) - 1, &created), 0);
	CU_ASSERT(created);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "beta", xml_b, sizeof(xml_b) - 1, &created), 0);
	CU_ASSERT_EQUAL(domain_store_set_autostart(s, uuid_b, true), 0);
	/* Redefinition replaces the XML and keeps autostart. */
	CU_ASSERT_EQUAL(domain_store_set_autostart(s, uuid_a, true), 0);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_a, "alpha", xml_a2, sizeof(xml_a2) - 1, &created), 0);
	CU_ASSERT(!created);
	CU_ASSERT_EQUAL(domain_store_count(s), 2);
	r = domain_store_find_name(s, "alpha");
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(r->xml, xml_a2);
	CU_ASSERT(r->autostart);
	CU_ASSERT_EQUAL(domain_store_set_autostart(s, uuid_a, false), 0);
	domain_store_close(s);

	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_count(s), 2);
	CU_ASSERT_EQUAL(domain_store_skipped(s), 0);
	r = domain_store_find_uuid(s, uuid_a);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(r->name, "alpha");
	CU_ASSERT_STRING_EQUAL(r->xml, xml_a2);
	CU_ASSERT(!r->autostart);
	r = domain_store_find_uuid(s, uuid_b);
	CU_ASSERT_FATAL(r != NULL);
	CU_ASSERT_STRING_EQUAL(r->xml, xml_b);
	CU_ASSERT(r->autostart);

	CU_ASSERT_EQUAL(domain_store_undefine(s, uuid_a), 0);
	CU_ASSERT_PTR_NULL(domain_store_find_name(s, "alpha"));
	CU_ASSERT_EQUAL(domain_store_undefine(s, uuid_a), -ENOENT);
	CU_ASSERT(strstr(coco_last_error(), "0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f") != NULL);
	CU_ASSERT_EQUAL(domain_store_set_autostart(s, uuid_a, true), -ENOENT);
	domain_store_close(s);

	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_count(s), 1);
	CU_ASSERT_PTR_NULL(domain_store_find_uuid(s, uuid_a));
	CU_ASSERT_PTR_NOT_NULL(domain_store_find_name(s, "beta"));
	domain_store_close(s);
	/* The lock file and beta's record: nothing else left behind. */
	CU_ASSERT_EQUAL(count_files(dir), 2);
	remove_dir(dir);
}

static void test_duplicates(void)
{
	const char *dir = make_dir();
	struct domain_store *s;

	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_a, "alpha", xml_a, sizeof(xml_a) - 1, NULL), 0);
	/* Another UUID under a taken name. */
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "alpha", xml_b, sizeof(xml_b) - 1, NULL),
			-EEXIST);
	CU_ASSERT(strstr(coco_last_error(), "domain 'alpha' already exists with uuid "
		  "0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f") != NULL);
	/* A taken UUID under another name: refused as libvirt does, not a rename. */
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_a, "gamma", xml_b, sizeof(xml_b) - 1, NULL),
			-EEXIST);
	CU_ASSERT(strstr(coco_last_error(), "domain 'alpha' is already defined with uuid "
		  "0f2c9a4e-8d1b-4c3a-9e57-1b2d3c4d5e6f") != NULL);
	CU_ASSERT_EQUAL(domain_store_count(s), 1);
	CU_ASSERT_STRING_EQUAL(domain_store_find_uuid(s, uuid_a)->xml, xml_a);
	CU_ASSERT_PTR_NULL(domain_store_find_name(s, "gamma"));
	/* Bad input changes nothing either. */
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "b/../x", xml_b, sizeof(xml_b) - 1, NULL),
			-EINVAL);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "beta", xml_b, 0, NULL), -EINVAL);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "beta", "a\0b", 3, NULL), -EINVAL);
	CU_ASSERT_EQUAL(domain_store_count(s), 1);
	domain_store_close(s);
	CU_ASSERT_EQUAL(count_files(dir), 2);
	remove_dir(dir);
}

static void test_lock(void)
{
	const char *dir = make_dir();
	struct domain_store *s, *t = NULL;
	char pid[32];

	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_open(dir, 0, &t), -EBUSY);
	CU_ASSERT_PTR_NULL(t);
	snprintf(pid, sizeof(pid), "pid %ld", (long)getpid());
	CU_ASSERT(strstr(coco_last_error(), pid) != NULL);
	CU_ASSERT(strstr(coco_last_error(), dir) != NULL);
	/* Another process is refused too (flock is per open file, across processes). */
	pid_t child = fork();
	if (child == 0) {
		struct domain_store *u;
		_exit(domain_store_open(dir, 0, &u) == -EBUSY ? 0 : 1);
	}
	int status;
	CU_ASSERT_FATAL(waitpid(child, &status, 0) == child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	domain_store_close(s);
	CU_ASSERT_EQUAL(domain_store_open(dir, 0, &t), 0);
	domain_store_close(t);
	remove_dir(dir);
}

static void test_missing_and_unwritable(void)
{
	const char *dir = make_dir();
	struct domain_store *s = NULL;
	char sub[512];

	CU_ASSERT_FATAL(dir != NULL);
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	CU_ASSERT_EQUAL(domain_store_open(sub, 0, &s), -ENOENT);
	CU_ASSERT(strstr(coco_last_error(), "does not exist") != NULL);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(sub, DOMAIN_STORE_CREATE, &s), 0);
	domain_store_close(s);

	write_file(path_in(dir, "plain"), "x", 1);
	CU_ASSERT_EQUAL(domain_store_open(path_in(dir, "plain"), 0, &s), -ENOTDIR);
	CU_ASSERT(strstr(coco_last_error(), "not a directory") != NULL);
	CU_ASSERT_EQUAL(domain_store_open("", 0, &s), -EINVAL);

	/* Unwritable: as an unprivileged uid (root's permission bypass would hide it). */
	CU_ASSERT_FATAL(chmod(sub, 0555) == 0);
	CU_ASSERT_FATAL(chmod(dir, 0755) == 0);
	CU_ASSERT_FATAL(chmod(path_in(dir, "a"), 0755) == 0);
	pid_t child = fork();
	if (child == 0) {
		struct domain_store *u;
		int err;

		if (geteuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		err = domain_store_open(sub, 0, &u);
		if (err != -EACCES)
			_exit(3);
		_exit(strstr(coco_last_error(), "not writable") ? 0 : 4);
	}
	int status;
	CU_ASSERT_FATAL(waitpid(child, &status, 0) == child);
	CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	chmod(sub, 0700);
	remove_dir(dir);
}

static void test_corrupt_and_leftovers(void)
{
	const char *dir = make_dir();
	struct domain_store *s;
	char file_a[64], file_b[64], tmp[96], text[DOMAIN_UUID_STRING_SIZE];
	uint8_t *data;
	size_t len;
	struct stat st;

	CU_ASSERT_FATAL(dir != NULL);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_a, "alpha", xml_a, sizeof(xml_a) - 1, NULL), 0);
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "beta", xml_b, sizeof(xml_b) - 1, NULL), 0);
	domain_store_close(s);
	domain_uuid_format(uuid_a, text);
	snprintf(file_a, sizeof(file_a), "%s.domain", text);
	domain_uuid_format(uuid_b, text);
	snprintf(file_b, sizeof(file_b), "%s.domain", text);

	/* beta's record damaged (its last byte cut), a leftover temp file, a foreign file. */
	CU_ASSERT_EQUAL_FATAL(coco_read_file(path_in(dir, file_b), 1 << 20, "t", &data, &len), 0);
	write_file(path_in(dir, file_b), data, len - 1);
	free(data);
	snprintf(tmp, sizeof(tmp), "%s.tmp.Ab12Cd", file_a);
	write_file(path_in(dir, tmp), "coco-domain-record 1\nuu", 23);
	write_file(path_in(dir, "README"), "not ours", 8);
	/* An empty record, and a record copied under another UUID's file name. */
	write_file(path_in(dir, "11111111-2222-3333-4444-555555555555.domain"), "", 0);
	CU_ASSERT_EQUAL_FATAL(coco_read_file(path_in(dir, file_a), 1 << 20, "t", &data, &len), 0);
	write_file(path_in(dir, "66666666-2222-3333-4444-555555555555.domain"), data, len);
	free(data);

	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_EQUAL(domain_store_count(s), 1);
	CU_ASSERT_PTR_NOT_NULL(domain_store_find_name(s, "alpha"));
	CU_ASSERT_PTR_NULL(domain_store_find_name(s, "beta"));
	CU_ASSERT_EQUAL(domain_store_skipped(s), 3);
	bool saw_b = false, saw_empty = false, saw_copy = false;
	for (size_t i = 0; i < domain_store_skipped(s); i++) {
		const char *f = domain_store_skipped_file(s, i);
		saw_b |= !strcmp(f, file_b);
		saw_empty |= !strcmp(f, "11111111-2222-3333-4444-555555555555.domain");
		saw_copy |= !strcmp(f, "66666666-2222-3333-4444-555555555555.domain");
	}
	CU_ASSERT(saw_b && saw_empty && saw_copy);
	CU_ASSERT(stat(path_in(dir, tmp), &st) < 0 && errno == ENOENT);
	CU_ASSERT(stat(path_in(dir, "README"), &st) == 0);
	/* The damaged domain can be defined again, replacing the bad record. */
	CU_ASSERT_EQUAL(domain_store_define(s, uuid_b, "beta", xml_b, sizeof(xml_b) - 1, NULL), 0);
	domain_store_close(s);
	CU_ASSERT_EQUAL_FATAL(domain_store_open(dir, 0, &s), 0);
	CU_ASSERT_PTR_NOT_NULL(domain_store_find_name(s, "beta"));
	CU_ASSERT_EQUAL(domain_store_skipped(s), 2);
	domain_store_close(s);
	remove_dir(dir);
}

static CU_TestInfo store_tests[] = {
	{ "uuid text", test_uuid_text },
	{ "names", test_names },
	{ "record round trip, truncation, damage", test_record_round_trip },
	{ "record refusals", test_record_refusals },
	{ "define, lookup, reload, undefine", test_define_lookup_reload },
	{ "duplicate names and uuids", test_duplicates },
	{ "lock", test_lock },
	{ "missing and unwritable directories", test_missing_and_unwritable },
	{ "corrupt records and leftovers", test_corrupt_and_leftovers },
	CU_TEST_INFO_NULL,
};

static CU_SuiteInfo suites[] = {
	{ "domain-store", NULL, NULL, NULL, NULL, store_tests },
	CU_SUITE_INFO_NULL,
};

int main(void)
{
	return coco_test_run(suites);
}

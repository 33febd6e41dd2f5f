/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests: libvirt/domain-xml.c, confidential domain definitions in
 * libvirt's vocabulary.  Every supported element and attribute is parsed
 * and compared with the value written in the XML; every refusal is checked
 * for its libvirt error code and for naming what it refuses; round trips
 * (parse, write, parse) must give equal definitions and identical text.
 * The shipped examples (argument 1: the examples directory) are covered too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/error.h"
#include "core/util.h"
#include "libvirt/domain-xml.h"
#include "tests/common/test-main.h"

static const char *examples_dir = "examples";

#define SNP_LS "<launchSecurity type='sev-snp'/>"
#define TDX_LS "<launchSecurity type='tdx'/>"

/* A minimal valid domain with @os_extra inside <os>, @body after it and @ls. */
static char *doc(const char *os_extra, const char *body, const char *ls)
{
	static char buf[16384];

	snprintf(buf, sizeof(buf),
		 "<domain type='kvm'>\n<name>t</name>\n<memory unit='MiB'>64</memory>\n"
		 "<os><type arch='x86_64'>hvm</type>%s</os>\n%s\n%s\n</domain>\n",
		 os_extra, body, ls);
	return buf;
}

static struct domxml_domain *parse_ok(const char *xml)
{
	struct domxml_domain *d = NULL;
	struct domxml_error err = { 0 };

	if (domxml_parse(xml, strlen(xml), &d, &err)) {
		fprintf(stderr, "\nunexpected refusal: %s\n%s\n", err.message, xml);
		return NULL;
	}
	return d;
}

/* Parsing must fail with @code, and the message must contain @needle. */
static void expect_refusal(const char *xml, int code, const char *needle)
{
	struct domxml_domain *d = (struct domxml_domain *)1;
	struct domxml_error err = { 0 };
	int ret = domxml_parse(xml, strlen(xml), &d, &err);

	CU_ASSERT(ret < 0);
	CU_ASSERT_PTR_NULL(d);
	CU_ASSERT_EQUAL(err.code, code);
	CU_ASSERT_EQUAL(err.domain, DOMXML_VIR_FROM_DOMAIN);
	if (!strstr(err.message, needle)) {
		fprintf(stderr, "\nmessage '%s' does not contain '%s'\n", err.message, needle);
		CU_FAIL("refusal message does not name the problem");
	}
	if (code == DOMXML_VIR_ERR_XML_ERROR)
		CU_ASSERT(strncmp(err.message, "XML error: ", 11) == 0);
	if (code == DOMXML_VIR_ERR_CONFIG_UNSUPPORTED)
		CU_ASSERT(strncmp(err.message, "unsupported configuration: ", 27) == 0);
	/* The coco error carries the same text. */
	CU_ASSERT_PTR_NOT_NULL(strstr(coco_last_error(), err.message));
}

/* parse(write(d)) equals d, and writing that again gives the same text. */
static void check_round_trip(const struct domxml_domain *d)
{
	char *xml = domxml_format(d), *xml2;
	struct domxml_domain *again;

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	again = parse_ok(xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT(domxml_equal(d, again));
	xml2 = domxml_format(again);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xml2);
	CU_ASSERT_STRING_EQUAL(xml, xml2);
	free(xml);
	free(xml2);
	domxml_free(again);
}

/* Independent base64 decode (OpenSSL) of @text, for comparing parsed bytes. */
static size_t b64(const char *text, uint8_t *out)
{
	int n = EVP_DecodeBlock(out, (const unsigned char *)text, (int)strlen(text));
	size_t len = strlen(text);

	CU_ASSERT_FATAL(n >= 0);
	return (size_t)n - (len > 0 && text[len - 1] == '=') - (len > 1 && text[len - 2] == '=');
}

static char *read_example(const char *name)
{
	char path[4096];
	uint8_t *data = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", examples_dir, name);
	if (coco_read_file(path, 1 << 20, "example", &data, &len)) {
		fprintf(stderr, "\n%s\n", coco_last_error());
		return NULL;
	}
	char *text = realloc(data, len + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(text);
	text[len] = '\0';
	return text;
}

/* The text between <tag> and </tag> in @xml (first occurrence), into @out. */
static void element_text(const char *xml, const char *tag, char *out, size_t size)
{
	char open[64], close[64];
	const char *s, *e;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	s = strstr(xml, open);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	s += strlen(open);
	e = strstr(s, close);
	CU_ASSERT_FATAL(e && (size_t)(e - s) < size);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
}

static void test_example_snp(void)
{
	char *xml = read_example("sev-snp-domain.xml");
	struct domxml_domain *d;
	struct coco_vm_config config;
	struct domxml_error err;
	char text[256];
	uint8_t bytes[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	d = parse_ok(xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->name, "cvm-snp");
	CU_ASSERT_EQUAL(d->memory_kib, 64 * 1024);
	CU_ASSERT_EQUAL(d->vcpus, 2);
	CU_ASSERT_EQUAL(d->sectype, DOMXML_SEC_SEV_SNP);
	CU_ASSERT(d->serial_pty && d->console_pty);
	CU_ASSERT_EQUAL(d->sec.snp.policy, 0x30000);
	CU_ASSERT(d->sec.snp.has_cbitpos && d->sec.snp.cbitpos == 51);
	CU_ASSERT(d->sec.snp.has_reduced_phys_bits && d->sec.snp.reduced_phys_bits == 1);
	CU_ASSERT_EQUAL(d->sec.snp.kernel_hashes, DOMXML_NO);
	CU_ASSERT_EQUAL(d->sec.snp.vcek, DOMXML_YES);
	element_text(xml, "hostData", text, sizeof(text));
	CU_ASSERT_EQUAL_FATAL(b64(text, bytes), 32);
	CU_ASSERT(d->sec.snp.has_host_data && !memcmp(d->sec.snp.host_data, bytes, 32));
	element_text(xml, "guestVisibleWorkarounds", text, sizeof(text));
	CU_ASSERT_EQUAL_FATAL(b64(text, bytes), 16);
	CU_ASSERT(d->sec.snp.has_gosvw && !memcmp(d->sec.snp.gosvw, bytes, 16));
	check_round_trip(d);

	CU_ASSERT_EQUAL_FATAL(domxml_to_vm_config(d, &config, &err), 0);
	CU_ASSERT_EQUAL(config.policy.vendor, COCO_VENDOR_AMD_SEV_SNP);
	CU_ASSERT_EQUAL(config.memory_size, 64ull << 20);
	CU_ASSERT_EQUAL(config.vcpus, 2);
	CU_ASSERT_EQUAL(config.policy.u.snp.guest_policy, 0x30000);
	CU_ASSERT(!memcmp(config.policy.u.snp.host_data, d->sec.snp.host_data, 32));
	CU_ASSERT_FALSE(config.policy.u.snp.vcek_disabled);
	CU_ASSERT_PTR_NULL(config.policy.u.snp.id_block);
	domxml_free(d);
	free(xml);
}

static void test_example_tdx(void)
{
	char *xml = read_example("tdx-domain.xml");
	struct domxml_domain *d;
	struct coco_vm_config config;
	struct domxml_error err;
	char text[256];
	uint8_t bytes[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(xml);
	d = parse_ok(xml);
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->name, "cvm-tdx");
	CU_ASSERT_EQUAL(d->sectype, DOMXML_SEC_TDX);
	CU_ASSERT_EQUAL(d->sec.tdx.policy, 0x10000000);
	CU_ASSERT(d->sec.tdx.has_qgs);
	CU_ASSERT_STRING_EQUAL(d->sec.tdx.qgs_path, "/var/run/tdx-qgs/qgs.socket");
	element_text(xml, "mrConfigId", text, sizeof(text));
	CU_ASSERT_EQUAL_FATAL(b64(text, bytes), 48);
	CU_ASSERT(!memcmp(d->sec.tdx.mrconfigid, bytes, 48));
	element_text(xml, "mrOwner", text, sizeof(text));
	CU_ASSERT_EQUAL_FATAL(b64(text, bytes), 48);
	CU_ASSERT(!memcmp(d->sec.tdx.mrowner, bytes, 48));
	element_text(xml, "mrOwnerConfig", text, sizeof(text));
	CU_ASSERT_EQUAL_FATAL(b64(text, bytes), 48);
	CU_ASSERT(!memcmp(d->sec.tdx.mrownerconfig, bytes, 48));
	check_round_trip(d);

	CU_ASSERT_EQUAL_FATAL(domxml_to_vm_config(d, &config, &err), 0);
	CU_ASSERT_EQUAL(config.policy.vendor, COCO_VENDOR_INTEL_TDX);
	CU_ASSERT_EQUAL(config.policy.u.tdx.attributes, COCO_TDX_ATTR_SEPT_VE_DISABLE);
	CU_ASSERT(!memcmp(config.policy.u.tdx.mrowner, d->sec.tdx.mrowner, 48));
	CU_ASSERT(!memcmp(config.policy.u.tdx.mrownerconfig, d->sec.tdx.mrownerconfig, 48));
	CU_ASSERT(!memcmp(config.policy.u.tdx.mrconfigid, d->sec.tdx.mrconfigid, 48));
	domxml_free(d);
	free(xml);
}

/* Every os/loader/feature/device/SNP attribute, with values checked one by one. */
static void test_full_snp_vocabulary(void)
{
	char idblock[200], idauth[6000], ls[7000];
	uint8_t block[96], auth[4096];
	struct domxml_domain *d;
	struct coco_vm_config config;
	struct domxml_error err;
	char *b;

	for (size_t i = 0; i < sizeof(block); i++)
		block[i] = (uint8_t)(i * 7);
	for (size_t i = 0; i < sizeof(auth); i++)
		auth[i] = (uint8_t)(i ^ (i >> 8));
	b = coco_base64_encode(block, sizeof(block));
	snprintf(idblock, sizeof(idblock), "%s", b);
	free(b);
	b = coco_base64_encode(auth, sizeof(auth));
	snprintf(idauth, sizeof(idauth), "%s", b);
	free(b);
	snprintf(ls, sizeof(ls),
		 "<launchSecurity type='sev-snp' kernelHashes='yes' authorKey='yes' vcek='no'>"
		 "<policy>0x30003</policy><idBlock>%s</idBlock><idAuth>\n%.3000s\n%s</idAuth>"
		 "</launchSecurity>", idblock, idauth, idauth + 3000);
	d = parse_ok(doc("<loader readonly='yes' secure='no' type='pflash' format='raw' "
			 "stateless='yes'>/usr/share/ovmf/OVMF.fd</loader>"
			 "<kernel>/boot/vmlinuz</kernel><initrd>/boot/initrd.img</initrd>"
			 "<cmdline>console=ttyS0 a&amp;b &lt;x&gt;</cmdline>",
			 "<uuid>0123456789ABCDEF0123456789abcdef</uuid><vcpu>3</vcpu>"
			 "<features><acpi/><apic/></features>", ls));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->loader.path, "/usr/share/ovmf/OVMF.fd");
	CU_ASSERT_EQUAL(d->loader.readonly, DOMXML_YES);
	CU_ASSERT_EQUAL(d->loader.secure, DOMXML_NO);
	CU_ASSERT_EQUAL(d->loader.stateless, DOMXML_YES);
	CU_ASSERT_STRING_EQUAL(d->loader.type, "pflash");
	CU_ASSERT_STRING_EQUAL(d->loader.format, "raw");
	CU_ASSERT_STRING_EQUAL(d->kernel, "/boot/vmlinuz");
	CU_ASSERT_STRING_EQUAL(d->initrd, "/boot/initrd.img");
	CU_ASSERT_STRING_EQUAL(d->cmdline, "console=ttyS0 a&b <x>");
	CU_ASSERT(d->feature_acpi && d->feature_apic);
	CU_ASSERT_FALSE(d->serial_pty || d->console_pty);
	CU_ASSERT_EQUAL(d->vcpus, 3);
	CU_ASSERT_EQUAL(d->uuid[0], 0x01);
	CU_ASSERT_EQUAL(d->uuid[7], 0xef);
	CU_ASSERT_EQUAL(d->uuid[15], 0xef);
	CU_ASSERT_EQUAL(d->current_memory_kib, d->memory_kib);
	CU_ASSERT_EQUAL(d->sec.snp.policy, 0x30003);
	CU_ASSERT_EQUAL(d->sec.snp.kernel_hashes, DOMXML_YES);
	CU_ASSERT_EQUAL(d->sec.snp.author_key, DOMXML_YES);
	CU_ASSERT_EQUAL(d->sec.snp.vcek, DOMXML_NO);
	CU_ASSERT_FALSE(d->sec.snp.has_cbitpos);
	CU_ASSERT(!memcmp(d->sec.snp.id_block, block, sizeof(block)));
	CU_ASSERT(!memcmp(d->sec.snp.id_auth, auth, sizeof(auth)));
	check_round_trip(d);

	CU_ASSERT_EQUAL_FATAL(domxml_to_vm_config(d, &config, &err), 0);
	CU_ASSERT(config.policy.u.snp.author_key_en);
	CU_ASSERT(config.policy.u.snp.vcek_disabled);
	CU_ASSERT(config.policy.u.snp.id_block && !memcmp(config.policy.u.snp.id_block, block, 96));
	CU_ASSERT(config.policy.u.snp.id_auth && !memcmp(config.policy.u.snp.id_auth, auth, 4096));
	domxml_free(d);
}

/* libvirt's units; the result in KiB, rounded up. */
static void test_memory_units(void)
{
	static const struct {
		const char *unit, *value;
		uint64_t kib;
	} cases[] = {
		{ NULL, "4096", 4096 },		{ "KiB", "4096", 4096 },
		{ "k", "7", 7 },		{ "b", "1025", 2 },
		{ "bytes", "2048", 2 },		{ "byte", "1", 1 },
		{ "KB", "1024", 1000 },		{ "MiB", "3", 3072 },
		{ "M", "3", 3072 },		{ "MB", "1", 977 },
		{ "GiB", "2", 2097152 },	{ "g", "1", 1048576 },
		{ "GB", "1", 976563 },		{ "TiB", "1", 1ull << 30 },
		{ "mib", "1", 1024 },		{ "PiB", "1", 1ull << 40 },
		{ "EiB", "1", 1ull << 50 },	{ "KB", "3", 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char body[256], xml[1024];
		struct domxml_domain *d;

		if (cases[i].unit)
			snprintf(body, sizeof(body), "<memory unit='%s'>%s</memory>", cases[i].unit,
				 cases[i].value);
		else
			snprintf(body, sizeof(body), "<memory>%s</memory>", cases[i].value);
		snprintf(xml, sizeof(xml), "<domain type='kvm'><name>m</name>%s<currentMemory "
			 "unit='KiB'>1</currentMemory><os><type>hvm</type></os>" TDX_LS "</domain>",
			 body);
		d = parse_ok(xml);
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		if (d->memory_kib != cases[i].kib)
			fprintf(stderr, "\n%s %s: %llu KiB\n", cases[i].value,
				cases[i].unit ? cases[i].unit : "", (unsigned long long)d->memory_kib);
		CU_ASSERT_EQUAL(d->memory_kib, cases[i].kib);
		CU_ASSERT_EQUAL(d->current_memory_kib, 1);
		CU_ASSERT_STRING_EQUAL(d->os_arch, "x86_64");	/* filled in */
		check_round_trip(d);
		domxml_free(d);
	}
}

static void test_uuid_generated(void)
{
	struct domxml_domain *a = parse_ok(doc("", "", TDX_LS));
	struct domxml_domain *b = parse_ok(doc("", "", TDX_LS));

	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT(memcmp(a->uuid, b->uuid, 16) != 0);
	CU_ASSERT_EQUAL(a->uuid[6] >> 4, 4);		/* version 4 */
	CU_ASSERT_EQUAL(a->uuid[8] & 0xc0, 0x80);	/* RFC 4122 variant */
	CU_ASSERT_EQUAL(a->vcpus, 1);
	check_round_trip(a);	/* the generated UUID is written and kept */
	domxml_free(a);
	domxml_free(b);
}

static void test_tdx_fields(void)
{
	struct domxml_domain *d = parse_ok(doc("", "",
		"<launchSecurity type='tdx'><policy>10000001</policy>"
		"<quoteGenerationService/></launchSecurity>"));
	struct coco_vm_config config;
	struct domxml_error err;

	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->sec.tdx.policy, 0x10000001);		/* hex without 0x */
	CU_ASSERT(d->sec.tdx.has_qgs);
	CU_ASSERT_PTR_NULL(d->sec.tdx.qgs_path);
	CU_ASSERT_FALSE(d->sec.tdx.has_mrowner);
	check_round_trip(d);
	CU_ASSERT_EQUAL_FATAL(domxml_to_vm_config(d, &config, &err), 0);
	CU_ASSERT(config.policy.u.tdx.attributes & COCO_TDX_ATTR_DEBUG);
	domxml_free(d);

	/* No policy: QEMU's and libvirt's default, SEPT_VE_DISABLE. */
	d = parse_ok(doc("", "", TDX_LS));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->sec.tdx.policy, COCO_TDX_ATTR_SEPT_VE_DISABLE);
	domxml_free(d);
	d = parse_ok(doc("", "", SNP_LS));
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->sec.snp.policy, COCO_SNP_POLICY_DEFAULT);
	domxml_free(d);
}

#define XMLE DOMXML_VIR_ERR_XML_ERROR
#define UNSUP DOMXML_VIR_ERR_CONFIG_UNSUPPORTED

static void test_refusals(void)
{
	static const char *const b64_16 = "AAAAAAAAAAAAAAAAAAAAAA==";
	char ls[512];

	/* Elements and attributes outside the vocabulary, named. */
	expect_refusal(doc("", "<devices><disk type='file'/></devices>", SNP_LS), UNSUP, "<disk>");
	expect_refusal(doc("", "<devices><interface type='network'/></devices>", SNP_LS), UNSUP,
		       "<interface>");
	expect_refusal(doc("", "<cpu mode='host-passthrough'/>", SNP_LS), UNSUP, "<cpu>");
	expect_refusal(doc("", "<metadata/>", SNP_LS), UNSUP, "<metadata>");
	expect_refusal(doc("<boot dev='hd'/>", "", SNP_LS), UNSUP, "<boot>");
	expect_refusal(doc("<nvram>/x</nvram>", "", SNP_LS), UNSUP, "<nvram>");
	expect_refusal(doc("", "<features><smm/></features>", SNP_LS), UNSUP, "<smm>");
	expect_refusal(doc("", "<features><acpi/><acpi/></features>", SNP_LS), XMLE,
		       "more than once");
	expect_refusal(doc("", "<vcpu current='1'>2</vcpu>", SNP_LS), UNSUP, "'current'");
	expect_refusal(doc("", "<vcpu placement='auto'>2</vcpu>", SNP_LS), UNSUP, "'auto'");
	expect_refusal(doc("", "<devices><serial type='file'/></devices>", SNP_LS), UNSUP,
		       "type='pty'");
	expect_refusal(doc("", "<devices><serial type='pty'><source path='/x'/></serial>"
			   "</devices>", SNP_LS), UNSUP, "<source>");
	expect_refusal(doc("", "<devices><console type='pty'><target type='virtio'/>"
			   "</console></devices>", SNP_LS), UNSUP, "'virtio'");
	expect_refusal(doc("", "<devices><serial type='pty'><target port='1'/></serial>"
			   "</devices>", SNP_LS), UNSUP, "port '1'");
	expect_refusal(doc("", "<devices><serial type='pty'/><serial type='pty'/></devices>",
			   SNP_LS), XMLE, "<serial>");
	expect_refusal(doc("", "<on_reboot>restart</on_reboot>", SNP_LS), UNSUP, "restart");
	expect_refusal(doc("", "<x:foo xmlns:x='urn:x'/>", SNP_LS), UNSUP, "x:foo");
	expect_refusal("<domain type='qemu'><name>a</name></domain>", UNSUP, "'qemu'");
	expect_refusal("<domain><name>a</name></domain>", XMLE, "type");
	expect_refusal("<domain type='kvm' id='3'><name>a</name></domain>", UNSUP, "'id'");
	expect_refusal("<vm type='kvm'/>", XMLE, "<vm>");
	expect_refusal(doc("", "", ""), UNSUP, "confidential domains only");
	expect_refusal(doc("", "", "<launchSecurity type='sev'/>"), UNSUP, "'sev'");
	expect_refusal(doc("", "", "<launchSecurity type='s390-pv'/>"), UNSUP, "'s390-pv'");
	expect_refusal(doc("", "", "<launchSecurity/>"), XMLE, "type");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><dhCert>AA==</dhCert>"
			   "</launchSecurity>"), UNSUP, "<dhCert>");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp' foo='1'/>"), UNSUP, "'foo'");
	expect_refusal(doc("", "", "<launchSecurity type='tdx' vcek='yes'/>"), UNSUP, "'vcek'");
	expect_refusal(doc("", "", "<launchSecurity type='tdx'><mrSeam/></launchSecurity>"),
		       UNSUP, "<mrSeam>");
	expect_refusal(doc("", "", "<launchSecurity type='tdx'><quoteGenerationSocket "
			   "path='/x'/></launchSecurity>"), UNSUP, "quoteGenerationSocket");
	expect_refusal(doc("<loader secure='yes'>/x</loader>", "", SNP_LS), UNSUP, "secure='yes'");
	expect_refusal(doc("<loader format='qcow2'>/x</loader>", "", SNP_LS), UNSUP, "'qcow2'");
	expect_refusal(doc("<loader type='disk'>/x</loader>", "", SNP_LS), XMLE, "'disk'");
	expect_refusal(doc("<loader readonly='maybe'>/x</loader>", "", SNP_LS), XMLE, "'maybe'");
	expect_refusal(doc("<loader/>", "", SNP_LS), XMLE, "firmware path");

	/* Values. */
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><policy>0xzz</policy>"
			   "</launchSecurity>"), XMLE, "<policy>");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><policy>0x10000000000000000"
			   "</policy></launchSecurity>"), XMLE, "64-bit");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><cbitpos>64</cbitpos>"
			   "</launchSecurity>"), XMLE, "<cbitpos>");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><reducedPhysBits>-1"
			   "</reducedPhysBits></launchSecurity>"), XMLE, "<reducedPhysBits>");
	snprintf(ls, sizeof(ls), "<launchSecurity type='sev-snp'><hostData>%s</hostData>"
		 "</launchSecurity>", b64_16);
	expect_refusal(doc("", "", ls), XMLE, "16 bytes, expected 32");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><guestVisibleWorkarounds>"
			   "AAAA*AAAAAAAAAAAAAAAAA==</guestVisibleWorkarounds></launchSecurity>"),
		       XMLE, "base64");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp'><guestVisibleWorkarounds>"
			   "AAAAAAAAAAAAAAAAAAAAAA=</guestVisibleWorkarounds></launchSecurity>"),
		       XMLE, "base64");
	expect_refusal(doc("", "", "<launchSecurity type='tdx'><mrOwner>AAAA</mrOwner>"
			   "</launchSecurity>"), XMLE, "expected 48");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp' authorKey='yes'/>"), XMLE,
		       "authorKey");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp' kernelHashes='yes'/>"), XMLE,
		       "kernelHashes");
	expect_refusal(doc("", "", "<launchSecurity type='sev-snp' vcek='true'/>"), XMLE, "'true'");
	expect_refusal(doc("", "", "<launchSecurity type='tdx'><quoteGenerationService "
			   "path='qgs'/></launchSecurity>"), XMLE, "absolute");
	expect_refusal(doc("<initrd>/i</initrd>", "", SNP_LS), XMLE, "<kernel>");
	expect_refusal("<domain type='kvm'><name>a/b</name><memory>1</memory><os><type>hvm</type>"
		       "</os>" SNP_LS "</domain>", XMLE, "'/'");
	expect_refusal("<domain type='kvm'><name></name><memory>1</memory><os><type>hvm</type>"
		       "</os>" SNP_LS "</domain>", XMLE, "name");
	expect_refusal("<domain type='kvm'><memory>1</memory><os><type>hvm</type></os>" SNP_LS
		       "</domain>", XMLE, "name");
	expect_refusal("<domain type='kvm'><name>a</name><os><type>hvm</type></os>" SNP_LS
		       "</domain>", XMLE, "<memory>");
	expect_refusal("<domain type='kvm'><name>a</name><memory>1</memory>" SNP_LS "</domain>",
		       XMLE, "<os>");
	expect_refusal("<domain type='kvm'><name>a</name><memory>1</memory><os><type>xen</type>"
		       "</os>" SNP_LS "</domain>", UNSUP, "'xen'");
	expect_refusal("<domain type='kvm'><name>a</name><memory>1</memory><os><type "
		       "arch='aarch64'>hvm</type></os>" SNP_LS "</domain>", UNSUP, "'aarch64'");
	expect_refusal(doc("", "<name>b</name>", SNP_LS), XMLE, "<name>");
	expect_refusal(doc("", "<uuid>1234</uuid>", SNP_LS), XMLE, "uuid");
	expect_refusal(doc("", "<uuid>0123456789abcdef0123456789abcdeg</uuid>", SNP_LS), XMLE,
		       "uuid");
	expect_refusal(doc("", "<vcpu>0</vcpu>", SNP_LS), XMLE, "<vcpu>");
	expect_refusal(doc("", "<vcpu>100000</vcpu>", SNP_LS), XMLE, "maximum");
	expect_refusal(doc("", "<vcpu>two</vcpu>", SNP_LS), XMLE, "decimal");
	expect_refusal(doc("", "<currentMemory unit='GiB'>1</currentMemory>", SNP_LS), XMLE,
		       "currentMemory");
	expect_refusal("<domain type='kvm'><name>a</name><memory unit='parsec'>1</memory><os>"
		       "<type>hvm</type></os>" SNP_LS "</domain>", XMLE, "'parsec'");
	expect_refusal("<domain type='kvm'><name>a</name><memory unit='EiB'>16</memory><os>"
		       "<type>hvm</type></os>" SNP_LS "</domain>", XMLE, "too large");
	expect_refusal("<domain type='kvm'><name>a</name><memory>0</memory><os>"
		       "<type>hvm</type></os>" SNP_LS "</domain>", XMLE, "greater than zero");
	expect_refusal(doc("", "stray text", SNP_LS), XMLE, "text");
}

static void test_malformed(void)
{
	struct domxml_domain *d = NULL;
	struct domxml_error err;
	static const char big_prefix[] = "<domain type='kvm'><name>";
	char *big;

	expect_refusal("<domain type='kvm'>\n<name>x</name>\n<memory>1</memory\n</domain>", XMLE,
		       "line 4");
	expect_refusal("<domain type='kvm'><name>x</nam></domain>", XMLE, "line 1");
	expect_refusal("not xml", XMLE, "malformed XML");
	expect_refusal("<domain type='kvm'><name>&undefined;</name></domain>", XMLE,
		       "malformed XML");
	/* Entity expansion and external entities: no DOCTYPE at all. */
	expect_refusal("<!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;'>]>"
		       "<domain type='kvm'><name>&b;</name></domain>", XMLE, "DOCTYPE");
	expect_refusal("<!DOCTYPE domain SYSTEM 'http://example.invalid/x.dtd'>"
		       "<domain type='kvm'><name>a</name></domain>", XMLE, "DOCTYPE");
	expect_refusal("<?xml-stylesheet href='x'?><domain type='kvm'><name>a</name>"
		       "<?pi x?></domain>", XMLE, "node type");
	CU_ASSERT(domxml_parse("", 0, &d, &err) < 0);
	CU_ASSERT_EQUAL(err.code, XMLE);

	/* Size limit before parsing. */
	big = calloc(1, DOMXML_MAX_SIZE + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'a', DOMXML_MAX_SIZE + 1);
	memcpy(big, big_prefix, sizeof(big_prefix) - 1);
	CU_ASSERT(domxml_parse(big, strlen(big), &d, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "larger than"));
	free(big);
}

/* Mapping refusals: the library's policy checks and the memory rules. */
static void test_vm_config_refusals(void)
{
	static const struct {
		const char *body, *ls, *needle;
	} cases[] = {
		{ "", "<launchSecurity type='sev-snp'><policy>0x10000</policy></launchSecurity>",
		  "bit 17" },
		{ "", "<launchSecurity type='sev-snp'><policy>0x4030000</policy></launchSecurity>",
		  "0x4030000" },
		{ "", "<launchSecurity type='tdx'><policy>0x10000002</policy></launchSecurity>",
		  "0x10000002" },
		{ "<currentMemory unit='MiB'>32</currentMemory>", TDX_LS, "balloon" },
	};
	struct coco_vm_config config;
	struct domxml_error err;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domxml_domain *d = parse_ok(doc("", cases[i].body, cases[i].ls));

		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		memset(&err, 0, sizeof(err));
		CU_ASSERT(domxml_to_vm_config(d, &config, &err) < 0);
		CU_ASSERT_EQUAL(err.code, UNSUP);
		if (!strstr(err.message, cases[i].needle)) {
			fprintf(stderr, "\n'%s' lacks '%s'\n", err.message, cases[i].needle);
			CU_FAIL("mapping refusal does not name the problem");
		}
		domxml_free(d);
	}
	/* 3 MiB is not a 2 MiB multiple. */
	struct domxml_domain *d = parse_ok("<domain type='kvm'><name>a</name><memory unit='MiB'>3"
					   "</memory><os><type>hvm</type></os>" TDX_LS "</domain>");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT(domxml_to_vm_config(d, &config, &err) < 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "2 MiB"));
	domxml_free(d);
}

/* Special characters survive the writer; equality notices each field. */
static void test_escaping_and_equality(void)
{
	static const char escaped[] =
		"<domain type='kvm'><name>a&lt;b&amp;'c\"</name><memory>2048</memory>"
		"<os><type machine='pc&amp;q35&#10;x'>hvm</type><kernel>/k'\"&amp;</kernel>"
		"<cmdline>a&#13;b\nc\td</cmdline></os>"
		"<launchSecurity type='tdx'><quoteGenerationService path=\"/q'&amp;\"/>"
		"</launchSecurity></domain>";
	struct domxml_domain *a, *b;

	a = parse_ok(escaped);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a->cmdline, "a\rb\nc\td");
	CU_ASSERT_STRING_EQUAL(a->name, "a<b&'c\"");
	CU_ASSERT_STRING_EQUAL(a->os_machine, "pc&q35\nx");
	CU_ASSERT_STRING_EQUAL(a->kernel, "/k'\"&");
	CU_ASSERT_STRING_EQUAL(a->sec.tdx.qgs_path, "/q'&");
	check_round_trip(a);

	b = parse_ok(escaped);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_FALSE(domxml_equal(a, b));	/* different generated UUIDs */
	memcpy(b->uuid, a->uuid, 16);
	CU_ASSERT(domxml_equal(a, b));
	b->sec.tdx.has_mrowner = true;
	CU_ASSERT_FALSE(domxml_equal(a, b));
	b->sec.tdx.has_mrowner = false;
	b->vcpus++;
	CU_ASSERT_FALSE(domxml_equal(a, b));
	domxml_free(a);
	domxml_free(b);
}

int main(int argc, char **argv)
{
	static CU_TestInfo tests[] = {
		{ "examples/sev-snp-domain.xml", test_example_snp },
		{ "examples/tdx-domain.xml", test_example_tdx },
		{ "every SNP, os and feature field", test_full_snp_vocabulary },
		{ "memory units", test_memory_units },
		{ "generated UUID", test_uuid_generated },
		{ "TDX fields and defaults", test_tdx_fields },
		{ "refusals name what they refuse", test_refusals },
		{ "malformed XML, DOCTYPE, size limit", test_malformed },
		{ "VM configuration refusals", test_vm_config_refusals },
		{ "escaping and equality", test_escaping_and_equality },
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{ "domain-xml", NULL, NULL, NULL, NULL, tests },
		CU_SUITE_INFO_NULL,
	};

	if (argc > 1)
		examples_dir = argv[1];
	return coco_test_run(suites);
}

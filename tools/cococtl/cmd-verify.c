/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cococtl verify: check attestation evidence (an SEV-SNP report or a TDX
 * quote) against its signer's certificate, trust anchors and the
 * verifier's expectations.
 *
 *   cococtl verify --report FILE [--cert VCEK_OR_VLEK.der|pem]
 *                  [--chain ASK_ARK.pem]... [--report-data HEX]
 *                  [--measurement HEX] [--attime UNIX_SECONDS]
 *   cococtl verify --quote FILE [--root PEM] [--report-data HEX]
 *                  [--mrtd HEX] [--attime UNIX_SECONDS]
 *
 * Exit 0 and "verified" on stdout when everything holds; 1 with the reason
 * on stderr otherwise; 2 on usage errors.  A short summary goes to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cococtl.h"

#define CMD "verify"
#define MAX_FILE_SIZE (1u << 20)
#define MAX_CHAIN_FILES 8

static void usage(FILE *out)
{
	fprintf(out,
		"usage: cococtl verify --report FILE [--cert CERT] [--chain PEM]...\n"
		"                      [--report-data HEX] [--measurement HEX] [--attime SECONDS]\n"
		"       cococtl verify --quote FILE [--root PEM] [--report-data HEX] [--mrtd HEX]\n"
		"                      [--attime SECONDS]\n"
		"\n"
		"Verify an SEV-SNP attestation report: the signer's certificate chains to a\n"
		"trusted AMD root, matches the report (product, TCB, chip ID), the report's\n"
		"signature holds, and the expectations given hold.  Prints \"verified\" and\n"
		"exits 0; otherwise prints the reason on stderr and exits 1.\n"
		"\n"
		"  --report FILE       the 1184-byte report\n"
		"  --cert FILE         the VCEK or VLEK certificate (DER or PEM); without it\n"
		"                      the reason names the KDS URL to fetch the VCEK from\n"
		"  --chain FILE        trust anchors instead of the built-in AMD roots: PEM or\n"
		"                      DER certificates (AMD's cert_chain, or ask.pem and ark.pem\n"
		"                      given twice); self-signed ones are trusted, others are\n"
		"                      intermediates.  Without --chain the built-in ARK, ASK and\n"
		"                      ASVK of Milan, Genoa and Turin are used.\n"
		"  --report-data HEX   expected REPORT_DATA, up to 64 bytes; shorter values are\n"
		"                      zero-padded on the right\n"
		"  --measurement HEX   expected launch measurement (48 bytes)\n"
		"  --attime SECONDS    check certificate validity at this UNIX time (default:\n"
		"                      now)\n"
		"\n"
		"Verify a TDX quote (DCAP version 4 or 5): the PCK certificate chain it carries\n"
		"ends at a trusted root (byte for byte), the QE report is signed by the PCK key\n"
		"and binds the attestation key, the quote is signed by that key, and the\n"
		"expectations given hold.  TCB info, QE identity and CRLs are not checked.\n"
		"\n"
		"  --quote FILE        the quote (bytes after its end are reported, not verified)\n"
		"  --root PEM          the trusted root instead of Intel's SGX Root CA built\n"
		"                      into libcoco (a platform model's root: its root.pem)\n"
		"  --report-data HEX   expected REPORTDATA, as above\n"
		"  --mrtd HEX          expected MRTD (48 bytes)\n");
}

static int read_input(const char *path, uint8_t **data, size_t *len)
{
	return cococtl_read_file(CMD, path, MAX_FILE_SIZE, data, len);
}

static void print_summary(const struct coco_evidence *ev, const struct coco_verify_result *res,
			  const struct coco_verify_expect *expect, bool builtin)
{
	const char *name, *value, *version = "?";

	for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
		if (!strcmp(name, "version"))
			version = value;
	if (coco_evidence_get_format(ev) == COCO_EVIDENCE_TDX_QUOTE) {
		for (size_t i = 0; coco_evidence_field(ev, i, &name, &value) == 0; i++)
			if (!strcmp(name, "trailing_bytes"))
				fprintf(stderr, "cococtl verify: note: %s\n", value);
		fprintf(stderr, "cococtl verify: TDX quote version %s, QE report signed by the "
			"%s key; chain to %s%s%s\n", version, res->signer,
			builtin ? "Intel's built-in SGX Root CA" : "the given root",
			expect->report_data ? "; report data as expected" : "",
			expect->measurement ? "; MRTD as expected" : "");
		return;
	}
	fprintf(stderr, "cococtl verify: SEV-SNP report version %s from %s, signed by its %s; "
		"chain to %s ARK-%s%s%s\n", version, res->product, res->signer,
		builtin ? "AMD's built-in" : "the given", res->product,
		expect->report_data ? "; report data as expected" : "",
		expect->measurement ? "; measurement as expected" : "");
}

static int given_twice(const char *option)
{
	return cococtl_usage_error(CMD, "%s given twice; give each file or expectation once",
				   option);
}

/*
 * A trust anchor file holds certificates and nothing else: PEM text, or one
 * DER certificate.  Anything else (a quote, which carries its own root among
 * other bytes) would let the evidence choose its own anchor.
 */
static bool certificate_file(const uint8_t *data, size_t len)
{
	bool text = len > 0;

	for (size_t i = 0; i < len && text; i++)
		text = (data[i] >= 0x20 && data[i] < 0x7f) || data[i] == '\n' ||
		       data[i] == '\r' || data[i] == '\t';
	if (text)
		return memmem(data, len, "-----BEGIN CERTIFICATE-----", 27) != NULL;
	/* DER: one SEQUENCE with a two-byte long-form length spanning the whole file. */
	return len > 4 && data[0] == 0x30 && data[1] == 0x82 &&
	       ((size_t)data[2] << 8 | data[3]) + 4 == len;
}

int cmd_verify(int argc, char **argv)
{
	static const struct option options[] = {
		{ "report", required_argument, NULL, 'r' },
		{ "cert", required_argument, NULL, 'c' },
		{ "chain", required_argument, NULL, 'a' },
		{ "report-data", required_argument, NULL, 'd' },
		{ "measurement", required_argument, NULL, 'm' },
		{ "attime", required_argument, NULL, 't' },
		{ "quote", required_argument, NULL, 'q' },
		{ "root", required_argument, NULL, 'o' },
		{ "mrtd", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *report_path = NULL, *cert_path = NULL, *chain_paths[MAX_CHAIN_FILES];
	const char *report_data_hex = NULL, *measurement_hex = NULL;
	const char *quote_path = NULL, *root_path = NULL, *mrtd_hex = NULL;
	uint8_t report_data[COCO_REPORT_DATA_SIZE] = { 0 }, measurement[COCO_MEASUREMENT_MAX];
	size_t nchain = 0, report_data_len = 0, measurement_len = 0, len;
	struct coco_verify_expect expect = { 0 };
	struct coco_verify_result res;
	struct coco_trust_anchors *anchors = NULL;
	struct coco_evidence *ev = NULL;
	uint8_t *data = NULL;
	uint64_t attime;
	int opt, rc = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		switch (opt) {
		case 'r':
			if (report_path)
				return given_twice("--report");
			report_path = optarg;
			break;
		case 'c':
			if (cert_path)
				return given_twice("--cert");
			cert_path = optarg;
			break;
		case 'a':
			if (nchain == MAX_CHAIN_FILES)
				return cococtl_usage_error(CMD, "--chain given more than %d times",
							   MAX_CHAIN_FILES);
			chain_paths[nchain++] = optarg;
			break;
		case 'd':
			if (report_data_hex)
				return given_twice("--report-data");
			report_data_hex = optarg;
			break;
		case 'm':
			if (measurement_hex)
				return given_twice("--measurement");
			measurement_hex = optarg;
			break;
		case 'q':
			if (quote_path)
				return given_twice("--quote");
			quote_path = optarg;
			break;
		case 'o':
			if (root_path)
				return given_twice("--root");
			root_path = optarg;
			break;
		case 'M':
			if (mrtd_hex)
				return given_twice("--mrtd");
			mrtd_hex = optarg;
			break;
		case 't':
			if (cococtl_parse_u64(optarg, &attime) || attime == 0 ||
			    attime > (uint64_t)INT64_MAX)
				return cococtl_usage_error(CMD, "--attime: '%s' is not a positive "
							   "number of seconds since 1970", optarg);
			expect.at_time = (time_t)attime;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind < argc)
		return cococtl_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (!report_path == !quote_path)
		return cococtl_usage_error(CMD, "give either --report FILE (SEV-SNP) or --quote FILE "
					   "(TDX)");
	if (quote_path && (cert_path || nchain || measurement_hex))
		return cococtl_usage_error(CMD, "--quote takes --root and --mrtd, not --cert, "
					   "--chain or --measurement (the quote carries its chain)");
	if (report_path && (root_path || mrtd_hex))
		return cococtl_usage_error(CMD, "--root and --mrtd go with --quote; an SEV-SNP "
					   "report takes --chain and --measurement");
	if (root_path)
		chain_paths[nchain++] = root_path;
	if (mrtd_hex) {
		/* The contract for --quote: not verified is exit 1, whatever the reason. */
		if (cococtl_hex_decode(CMD, "--mrtd", mrtd_hex, measurement, sizeof(measurement),
				       &measurement_len))
			return 1;
		if (measurement_len != 48) {
			cococtl_usage_error(CMD, "--mrtd: %zu bytes; MRTD is 48 (SHA-384)",
					    measurement_len);
			return 1;
		}
		expect.measurement = measurement;
		expect.measurement_len = measurement_len;
	}
	if (report_data_hex) {
		if (cococtl_hex_decode(CMD, "--report-data", report_data_hex, report_data,
				       sizeof(report_data), &report_data_len))
			return quote_path ? 1 : EXIT_USAGE;
		expect.report_data = report_data;
	}
	if (measurement_hex) {
		if (cococtl_hex_decode(CMD, "--measurement", measurement_hex, measurement,
				       sizeof(measurement), &measurement_len))
			return EXIT_USAGE;
		expect.measurement = measurement;
		expect.measurement_len = measurement_len;
	}

	if (read_input(quote_path ? quote_path : report_path, &data, &len))
		goto out;
	if (coco_evidence_parse(quote_path ? COCO_EVIDENCE_TDX_QUOTE : COCO_EVIDENCE_AUTO, data,
				len, &ev)) {
		rc = cococtl_fail(CMD, quote_path ? quote_path : report_path);
		goto out;
	}
	free(data);
	data = NULL;
	if (cert_path) {
		if (read_input(cert_path, &data, &len))
			goto out;
		if (coco_evidence_add_cert(ev, 0, data, len)) {
			rc = cococtl_fail(CMD, cert_path);
			goto out;
		}
		free(data);
		data = NULL;
	}
	for (size_t i = 0; i < nchain; i++) {
		int ret;
		if (read_input(chain_paths[i], &data, &len))
			goto out;
		if (!certificate_file(data, len)) {
			fprintf(stderr, "cococtl %s: %s is not a certificate file (PEM text or one "
				"DER certificate): a trust anchor must come from you, not from "
				"evidence, which carries its own root\n", CMD, chain_paths[i]);
			goto out;
		}
		ret = anchors ? coco_trust_anchors_add(anchors, data, len)
			      : coco_trust_anchors_from_data(data, len, &anchors);
		if (ret) {
			rc = cococtl_fail(CMD, chain_paths[i]);
			goto out;
		}
		free(data);
		data = NULL;
	}

	if (coco_evidence_verify(ev, anchors, &expect, &res)) {
		fprintf(stderr, "cococtl verify: not verified: %s\n",
			res.reason[0] ? res.reason : coco_last_error());
		goto out;
	}
	printf("verified\n");
	print_summary(ev, &res, &expect, !anchors);
	rc = 0;
out:
	free(data);
	coco_evidence_free(ev);
	coco_trust_anchors_free(anchors);
	return rc;
}

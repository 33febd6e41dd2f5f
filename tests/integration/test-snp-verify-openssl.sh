#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Integration test: the documented openssl-only verification
# (docs/attestation-openssl.md, run by snp-verify-openssl.sh) accepts a model
# report and AMD's Milan vector and rejects tampered copies; cococtl verify
# agrees on the same directories.
#
#   test-snp-verify-openssl.sh COCOCTL DOC VECTORS_DIR
set -eu

cococtl=$1
doc=$2
vectors=$3
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/lib/verify-openssl.sh"

# Run the documented commands in $1; succeed only on "Verified OK".
openssl_accepts() {
	out=$("$here/snp-verify-openssl.sh" --doc "$doc" "$1" 2>&1) || { echo "$out" >&2; return 1; }
	echo "$out"
	echo "$out" | tail -n 1 | grep -qx "Verified OK"
}

# Copy directory $1 to $2 with one byte of the signed body ($3) inverted.
tamper() {
	tamper_copy "$1" "$2" report.bin "$3"
}

# --- A model report, as `cococtl evidence` writes it (a platform of its own). ---
COCO_PLATFORM_DIR="$work/platform" "$cococtl" evidence --backend sev-snp-model \
	--report-data c0c0 --out "$work/model" >/dev/null || fail "cococtl evidence failed"
openssl_accepts "$work/model" || fail "openssl rejects the model report"
"$cococtl" verify --report "$work/model/report.bin" --cert "$work/model/vcek.der" \
	--chain "$work/model/ask.pem" --chain "$work/model/ark.pem" | grep -qx verified ||
	fail "cococtl verify rejects the model report"
# The model report is not AMD's.
if "$cococtl" verify --report "$work/model/report.bin" --cert "$work/model/vcek.der" \
	>/dev/null 2>&1; then
	fail "the model report verified against AMD's built-in roots"
fi

# --- AMD's Milan vector, with the KDS cert_chain as given by KDS. ---
mkdir "$work/milan"
cp "$vectors/snp/milan-v2/report_milan.bin" "$work/milan/report.bin"
cp "$vectors/snp/milan-v2/vcek_milan.der" "$work/milan/vcek.der"
cp "$vectors/snp/milan-v2/cert_chain_milan" "$work/milan/cert_chain"
ATTIME=1735689600
export ATTIME
openssl_accepts "$work/milan" || fail "openssl rejects the Milan vector"
"$cococtl" verify --report "$work/milan/report.bin" --cert "$work/milan/vcek.der" \
	--attime "$ATTIME" | grep -qx verified || fail "cococtl verify rejects the Milan vector"
unset ATTIME

# --- Tampered copies fail, in openssl and in cococtl. ---
for offset in 0 80 144 384 671; do
	for dir in model milan; do
		attime=$(date +%s)
		[ "$dir" = milan ] && attime=1735689600
		bad="$work/$dir-tampered-$offset"
		tamper "$work/$dir" "$bad" "$offset"
		if out=$("$here/snp-verify-openssl.sh" --doc "$doc" "$bad" 2>&1); then
			echo "$out" >&2
			fail "openssl accepted $dir report with byte $offset inverted"
		fi
		echo "$dir, byte $offset inverted: $(echo "$out" | tail -n 1)"
		if "$cococtl" verify --report "$bad/report.bin" --cert "$bad/vcek.der" \
			--chain "$bad/ask.pem" --chain "$bad/ark.pem" --attime "$attime" \
			>/dev/null 2>&1; then
			fail "cococtl verify accepted $dir report with byte $offset inverted"
		fi
	done
done
echo "openssl-only verification: model and Milan reports verified, tampered copies rejected"

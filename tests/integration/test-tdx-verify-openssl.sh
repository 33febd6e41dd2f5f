#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Integration test: the documented openssl-only quote verification
# (docs/attestation-tdx.md, run by tdx-verify-openssl.sh) accepts model
# quotes (versions 4 and 5, written as `cococtl evidence --out` writes TDX
# evidence) and the real SPR quote, and rejects tampered copies and foreign
# roots; cococtl verify --quote agrees on the same directories.
#
#   test-tdx-verify-openssl.sh COCOCTL MODEL_EVIDENCE_TOOL DOC VECTORS_DIR
set -eu

cococtl=$1
model_tool=$2
doc=$3
vectors=$4
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. "$here/lib/verify-openssl.sh"

# Run the documented commands in $1; succeed only on "Verified OK" last.
openssl_accepts() {
	out=$("$here/tdx-verify-openssl.sh" --doc "$doc" "$1" 2>&1) || { echo "$out" >&2; return 1; }
	echo "$out" | tail -n 1 | grep -qx "Verified OK"
}

# cococtl verify --quote on directory $1 (extra arguments follow).
cococtl_accepts() {
	qdir=$1
	shift
	"$cococtl" verify --quote "$qdir/quote.dat" --root "$qdir/trusted_root.pem" "$@" \
		2>/dev/null | grep -qx verified
}

# Copy directory $1 to $2 with the byte at offset $3 of quote.dat inverted.
tamper() {
	tamper_copy "$1" "$2" quote.dat "$3"
}

# --- Model quotes, as `cococtl evidence --out` writes them. ---
for version in 4 5; do
	dir="$work/model-v$version"
	"$model_tool" "$dir" "$version" c0ffee >/dev/null || fail "no model v$version quote"
	cp "$dir/root.pem" "$dir/trusted_root.pem"
	openssl_accepts "$dir" || fail "openssl rejects the model v$version quote"
	cococtl_accepts "$dir" --mrtd "$(cat "$dir/mrtd")" --report-data c0ffee ||
		fail "cococtl verify rejects the model v$version quote"
	# The model is not Intel: its quotes fail against Intel's root, in both.
	mkdir "$dir-intel"
	cp "$dir/quote.dat" "$dir-intel/"
	cp "$vectors/tdx/trusted_root.pem" "$dir-intel/"
	openssl_accepts "$dir-intel" && fail "openssl accepted a model quote with Intel's root"
	"$cococtl" verify --quote "$dir/quote.dat" >/dev/null 2>&1 &&
		fail "cococtl verified a model quote against Intel's built-in root"
	echo "model v$version: verified by openssl and cococtl; refused with Intel's root"
done

# --- The tdx-model backend itself: a TD launched from a TDVF image, its quote. ---
dir="$work/backend"
rd=$(printf '5a%.0s' $(seq 64))
COCO_PLATFORM_DIR="$work/platform" "$cococtl" evidence --backend tdx-model --report-data "$rd" \
	--out "$dir" --measurement-of --tdvf "$vectors/tdx/measure/synthetic_tdvf.bin" \
	>/dev/null || fail "cococtl evidence --backend tdx-model wrote no quote"
[ -s "$dir/quote.dat" ] && [ -s "$dir/root.pem" ] || fail "quote.dat or root.pem missing"
cp "$dir/root.pem" "$dir/trusted_root.pem"
openssl_accepts "$dir" || fail "openssl rejects the tdx-model backend's quote"
mrtd=$(sed -n 's/^MRTD (tools\/tdx_mrtd.py) *: //p' "$vectors/tdx/measure/mrtd_vectors.txt")
[ ${#mrtd} -eq 96 ] || fail "no MRTD in the vector file"
cococtl_accepts "$dir" --mrtd "$mrtd" --report-data "$rd" ||
	fail "the backend's quote does not carry the synthetic image's MRTD and the report data"
echo "tdx-model backend: quote of the synthetic TDVF image verified (MRTD = vector)"

# --- The real SPR quote (4935 bytes; the file ships with 39 bytes of text after it). ---
dir="$work/spr"
mkdir "$dir"
head -c 4935 "$vectors/tdx/tdx_prod_quote_SPR_E4.dat" > "$dir/quote.dat"
cp "$vectors/tdx/trusted_root.pem" "$dir/"
ATTIME=1704067200
export ATTIME
openssl_accepts "$dir" || fail "openssl rejects the real SPR quote"
cococtl_accepts "$dir" --attime "$ATTIME" || fail "cococtl verify rejects the real SPR quote"
"$cococtl" verify --quote "$dir/quote.dat" --attime "$ATTIME" | grep -qx verified ||
	fail "cococtl verify rejects the real SPR quote with the built-in root"
# A quote is no trust anchor (it carries its own root); bad expectations are "not verified" (1).
"$cococtl" verify --quote "$dir/quote.dat" --root "$dir/quote.dat" >/dev/null 2>&1 &&
	fail "cococtl took a quote's own root as the trust anchor"
set +e
"$cococtl" verify --quote "$dir/quote.dat" --attime "$ATTIME" --mrtd abc >/dev/null 2>&1
[ $? -eq 1 ] || fail "a malformed --mrtd did not exit 1"
set -e
# The file as shipped: the quote, then 39 bytes of text that are reported, not verified.
"$cococtl" verify --quote "$vectors/tdx/tdx_prod_quote_SPR_E4.dat" --attime "$ATTIME" \
	>"$dir/shipped.out" 2>&1 || fail "cococtl rejects the SPR vector file as shipped"
grep -q "39 bytes after the quote's end at offset 4935" "$dir/shipped.out" ||
	fail "cococtl does not report the bytes after the quote"
unset ATTIME
echo "real SPR quote: verified by openssl and cococtl"

# --- Tampered copies fail in both: header, MRTD, REPORTDATA, signature, key, QE report, auth. ---
for dir in model-v4 spr; do
	for offset in 10 200 600 640 720 800 1100 1230; do
		bad="$work/$dir-tampered-$offset"
		tamper "$work/$dir" "$bad" "$offset"
		attime=$(date +%s)
		[ "$dir" = spr ] && attime=1704067200
		if ATTIME=$attime "$here/tdx-verify-openssl.sh" --doc "$doc" "$bad" >/dev/null 2>&1; then
			fail "openssl accepted $dir with byte $offset inverted"
		fi
		cococtl_accepts "$bad" --attime "$attime" &&
			fail "cococtl verify accepted $dir with byte $offset inverted"
	done
	echo "$dir: 8 tampered copies refused by openssl and cococtl"
done
echo "openssl-only TDX quote verification: model and real quotes verified, tampering refused"

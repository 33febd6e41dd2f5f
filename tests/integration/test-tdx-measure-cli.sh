#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cococtl measure --backend tdx: the MRTD of the synthetic TDVF vector equals the
# value in mrtd_vectors.txt (read from the file), in hex and base64, through the
# vendor name and the model backend's name; SNP-only options and a missing
# --tdvf are usage errors; kernels and non-TDVF files are refused with a reason.
#
#   test-tdx-measure-cli.sh COCOCTL VECTORS_DIR
set -eu

cococtl=$1
vectors=$2/tdx/measure
image=$vectors/synthetic_tdvf.bin
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

expected=$(sed -n 's/^MRTD (tools\/tdx_mrtd.py) *: *\([0-9a-f]\{96\}\)$/\1/p' "$vectors/mrtd_vectors.txt")
[ ${#expected} -eq 96 ] || fail "no MRTD line in $vectors/mrtd_vectors.txt"

# Exit status and outputs of one run: "$status" "$work/out" "$work/err".
run() {
	set +e
	"$cococtl" measure "$@" > "$work/out" 2> "$work/err"
	status=$?
	set -e
}

for backend in tdx tdx-model; do
	run --backend "$backend" --tdvf "$image"
	[ "$status" -eq 0 ] || fail "--backend $backend exited $status: $(cat "$work/err")"
	[ "$(cat "$work/out")" = "$expected" ] || fail "--backend $backend printed $(cat "$work/out"), want $expected"
	[ "$(wc -l < "$work/out")" -eq 1 ] || fail "more than the MRTD line printed"
done

# vCPUs are not part of MRTD.
run --backend tdx --tdvf "$image" --vcpus 4 --output-format hex
[ "$status" -eq 0 ] && [ "$(cat "$work/out")" = "$expected" ] || fail "--vcpus 4 changed the MRTD"

# base64 of the same 48 bytes.
run --backend tdx --tdvf "$image" --output-format base64
want64=$(python3 -c 'import base64,sys; print(base64.b64encode(bytes.fromhex(sys.argv[1])).decode())' "$expected")
[ "$status" -eq 0 ] && [ "$(cat "$work/out")" = "$want64" ] || fail "base64 output $(cat "$work/out"), want $want64"

# Usage errors (exit 2), each naming the offending option.
for opt in "--ovmf $image" "--mode snp" "--vcpu-type EPYC-v4" "--vmm-type qemu" \
	   "--guest-features 0x1" "--snp-ovmf-hash 00" "--allow-no-metadata"; do
	# shellcheck disable=SC2086
	run --backend tdx --tdvf "$image" $opt
	[ "$status" -eq 2 ] || fail "'$opt' with --backend tdx exited $status, want 2"
	name=${opt%% *}
	grep -q -- "$name is an SEV-SNP option" "$work/err" || fail "'$opt' refused without naming it: $(cat "$work/err")"
	[ ! -s "$work/out" ] || fail "'$opt': something printed on stdout"
done
run --backend tdx
[ "$status" -eq 2 ] && grep -q -- "--tdvf is required" "$work/err" || fail "missing --tdvf not reported"
run --tdvf "$image"
[ "$status" -eq 2 ] && grep -q -- "--backend tdx" "$work/err" || fail "--tdvf without --backend tdx not reported"
run --backend tdx --tdvf "$image" --vcpus many
[ "$status" -eq 2 ] || fail "a bad --vcpus was accepted"

# Refusals with the library's reason (exit 1).
run --backend tdx --tdvf "$image" --kernel "$image"
[ "$status" -eq 1 ] && grep -q "not supported for TDX" "$work/err" || fail "--kernel not refused: $(cat "$work/err")"
head -c 4096 "$image" > "$work/not-tdvf.bin"
run --backend tdx --tdvf "$work/not-tdvf.bin"
[ "$status" -eq 1 ] && grep -q "TDVF metadata" "$work/err" || fail "a non-TDVF file was not refused: $(cat "$work/err")"
[ ! -s "$work/out" ] || fail "a refused image printed a digest"
echo "cococtl measure --backend tdx ok"

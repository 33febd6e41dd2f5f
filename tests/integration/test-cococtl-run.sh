#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cococtl run end to end on both platform models: the built-in test guest and the same
# ELF given with --image exit 0, print "verified", echo the requested report data, and
# report the measurement `cococtl measure --image` prints for that image (which depends
# on the vCPU count, so the comparison can fail).  Refusals: --ovmf on a model, too much
# report data, --image with --ovmf.
#
#   test-cococtl-run.sh COCOCTL SNP_GUEST_ELF TDX_GUEST_ELF
# Skips (77) without a usable /dev/kvm.
set -eu

cococtl=$1
snp_elf=$2
tdx_elf=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	[ -f "$work/out" ] && sed 's/^/  out: /' "$work/out" >&2
	[ -f "$work/err" ] && sed 's/^/  err: /' "$work/err" >&2
	exit 1
}

if ! (exec 3<>/dev/kvm) 2>/dev/null; then
	echo "skip: /dev/kvm is not usable" >&2
	exit 77
fi

# Exit status and outputs of one command: "$status" "$work/out" "$work/err".
run() {
	set +e
	"$cococtl" "$@" > "$work/out" 2> "$work/err"
	status=$?
	set -e
}

# The value of a "label   hex" line of cococtl run's output.
field() {
	sed -n "s/^$1  *\([0-9a-f]*\).*/\1/p" "$work/out" | head -n 1
}

rd=5eed0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001
for case in "sev-snp-model $snp_elf 1" "tdx-model $tdx_elf 2"; do
	set -- $case
	backend=$1 elf=$2 vcpus=$3
	run measure --image "$elf" --backend "$backend" --vcpus "$vcpus"
	[ "$status" -eq 0 ] || fail "$backend: measure --image exited $status"
	measured=$(cat "$work/out")
	[ ${#measured} -eq 96 ] || fail "$backend: measure printed '$measured'"

	for image in builtin "$elf"; do
		if [ "$image" = builtin ]; then set -- ; else set -- --image "$image"; fi
		run run --backend "$backend" --vcpus "$vcpus" --report-data "$rd" "$@"
		[ "$status" -eq 0 ] || fail "$backend ($image): run exited $status"
		[ "$(tail -n 1 "$work/out")" = verified ] || fail "$backend ($image): no 'verified'"
		grep -q '^outcome  *exited, exit status 0$' "$work/out" ||
			fail "$backend ($image): outcome line"
		[ "$(field measurement)" = "$measured" ] ||
			fail "$backend ($image): evidence measurement != cococtl measure --image"
		[ "$(field expected)" = "$measured" ] || fail "$backend ($image): expected"
		[ "$(field 'report data')" = "$rd" ] || fail "$backend ($image): report data"
		grep -q '^== guest console ==$' "$work/out" || fail "$backend: no console section"
	done
done

# The vCPU count is measured on SEV-SNP (one VMSA each): the comparison above can fail.
one=$("$cococtl" measure --image "$snp_elf" --backend sev-snp-model --vcpus 1)
two=$("$cococtl" measure --image "$snp_elf" --backend sev-snp-model --vcpus 2)
[ "$one" != "$two" ] || fail "SNP measurement does not depend on the vCPUs"
# The vendor's hardware backend measures the same as its model (no platform opened).
[ "$("$cococtl" measure --image "$snp_elf" --backend sev-snp)" = "$one" ] ||
	fail "measure --backend sev-snp differs from sev-snp-model"

# Random report data by default: printed, and two runs differ.
run run --backend sev-snp-model
[ "$status" -eq 0 ] || fail "default run exited $status"
first=$(field 'report data')
run run --backend sev-snp-model
[ ${#first} -eq 128 ] && [ "$(field 'report data')" != "$first" ] ||
	fail "default report data not random"

run run --backend sev-snp-model --ovmf /usr/share/ovmf/OVMF.fd
[ "$status" -eq 1 ] && grep -q 'platform models run only bare guest images' "$work/err" ||
	fail "--ovmf on a model not refused with the reason"
run run --backend sev-snp-model --report-data "${rd}00"
[ "$status" -eq 2 ] || fail "65 bytes of report data accepted"
run run --backend sev-snp-model --image "$snp_elf" --ovmf /usr/share/ovmf/OVMF.fd
[ "$status" -eq 2 ] || fail "--image with --ovmf accepted"
run measure --image "$snp_elf" --ovmf /usr/share/ovmf/OVMF.fd
[ "$status" -eq 2 ] || fail "measure --image with --ovmf accepted"
echo "ok"

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# A VMM killed with SIGKILL mid-run leaves its guest on the shared model platform; the
# next process that opens the platform cleans up after it (decommission, page reclaim,
# memory freed), with no page left behind (no warning but the note that the VMM died
# holding the platform lock, when the kill lands there), and the platform runs the next
# guest.  For each model: kill `cococtl run` once its guest has printed, then
# `cococtl caps` must show no guest active and print no warning, and a full run must
# verify.
#
#   test-vmm-kill-reap.sh COCOCTL
# Skips (77) without a usable /dev/kvm.
set -eu

cococtl=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COCO_PLATFORM_DIR="$work/platform"
export COCO_LOG=warn
mkdir -p "$COCO_PLATFORM_DIR"

fail() {
	echo "FAIL: $*" >&2
	for f in run.out caps.out caps.err again.out again.err; do
		[ -f "$work/$f" ] && sed "s/^/  $f: /" "$work/$f" >&2
	done
	exit 1
}

if ! (exec 3<>/dev/kvm) 2>/dev/null; then
	echo "skip: /dev/kvm is not usable" >&2
	exit 77
fi

for backend in sev-snp-model tdx-model; do
	: >"$work/run.out"
	"$cococtl" run --backend "$backend" --vcpus 2 >"$work/run.out" 2>&1 &
	pid=$!
	# Kill it while its guest runs: after the console has started, before the evidence.
	tries=0
	while ! grep -q "== guest console ==" "$work/run.out"; do
		tries=$((tries + 1))
		[ "$tries" -lt 600 ] || fail "$backend: the guest never started"
		kill -0 "$pid" 2>/dev/null || fail "$backend: cococtl run ended before the kill"
		sleep 0.05
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null || true

	"$cococtl" caps --backend "$backend" >"$work/caps.out" 2>"$work/caps.err" ||
		fail "$backend: caps after the kill"
	# A kill can land while the VMM holds the platform lock: the next process says so
	# (robust lock, owner died) and goes on; any other warning is a page left behind.
	if grep -i "warning" "$work/caps.err" | grep -v "died holding the platform lock"; then
		fail "$backend: cleaning up after the killed VMM warned"
	fi
	grep -Eq "guests +0 of" "$work/caps.out" ||
		fail "$backend: a guest is still active after the clean-up"
	"$cococtl" run --backend "$backend" >"$work/again.out" 2>"$work/again.err" ||
		fail "$backend: the next run after the clean-up"
	grep -qx verified "$work/again.out" || fail "$backend: the next run did not verify"
	if grep -i "warning" "$work/again.err"; then
		fail "$backend: the next run warned"
	fi
	echo "$backend: killed mid-run, cleaned up, next run verified"
done

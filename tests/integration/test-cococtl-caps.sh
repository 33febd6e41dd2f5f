#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cococtl caps: human-readable and --json output name every backend, its
# checks (with fixes for failed ones) and the capabilities of available ones.
#
#   test-cococtl-caps.sh COCOCTL
set -eu

cococtl=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export COCO_PLATFORM_DIR="$work/platform"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

"$cococtl" caps > "$work/caps.txt" || fail "cococtl caps failed"
grep -q '^sev-snp-model (sev-snp, platform model): available' "$work/caps.txt" ||
	fail "model backend not listed as available"
grep -q '^sev-snp (sev-snp, hardware)' "$work/caps.txt" || fail "hardware backend not listed"
grep -q 'snp.platform_file' "$work/caps.txt" || fail "no capabilities shown"
if grep -q '\[FAIL\]' "$work/caps.txt"; then
	grep -A1 '\[FAIL\]' "$work/caps.txt" | grep -q 'fix:' || fail "a failed check has no fix"
fi

"$cococtl" caps --json > "$work/caps.json" || fail "cococtl caps --json failed"
python3 - "$work/caps.json" <<'PY' || fail "caps --json is not what it should be"
import json, sys
doc = json.load(open(sys.argv[1]))
names = [b["name"] for b in doc["backends"]]
assert "sev-snp" in names and "sev-snp-model" in names, names
assert names.index("sev-snp") < names.index("sev-snp-model"), "hardware first"
for b in doc["backends"]:
    assert b["checks"], b
    assert b["available"] == all(c["passed"] for c in b["checks"]), b
    for c in b["checks"]:
        assert c["passed"] or c["remediation"], c
    if b["available"]:
        assert b["caps"]["max_guests"] > 0 and b["caps"]["measurement_size"] == 48, b
        assert "launch" in b["caps"]["features"], b
    else:
        assert b["caps"] is None, b
assert doc["auto_selects"] in names
PY

"$cococtl" caps --backend sev-snp-model --json | python3 -c 'import json,sys; d=json.load(sys.stdin); assert [b["name"] for b in d["backends"]] == ["sev-snp-model"]' ||
	fail "--backend does not filter"
if "$cococtl" caps --backend nope > /dev/null 2>&1; then
	fail "an unknown backend was accepted"
fi
echo "caps text and json ok"

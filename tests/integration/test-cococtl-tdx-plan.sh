#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# cococtl tdx-plan against the TDMR/PAMT vectors (tdx/tdmr/tdmr_examples.txt):
# for each example the memmap file holds the vector's "TDX memblock" ranges;
# the memblock, TDMR, pamt and reserved-area lines must equal the vector's
# line for line and the PAMT total its "=> 'N KB allocated for PAMT'".
# Example (c) compares only the TDMR line and the error: its vector places
# the PAMT at 0x100000000, outside that map, where the placement rule
# cannot (docs/tdx-memmap.md).  Also: --json, /proc/iomem input, errors.
#
#   test-cococtl-tdx-plan.sh COCOCTL VECTORS_DIR
set -eu

cococtl=$1
vectors=$2/tdx/tdmr
iomem=$2/tdx/iomem
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# The lines of the section titled $1 in the vector file.
section() {
	awk -v title="===== $1" '$0 == title { on = 1; next } /^=====/ { on = 0 } on' \
		"$vectors/tdmr_examples.txt"
}

# Plan lines of a kernel-log text: memblocks, TDMRs, PAMTs, reserved areas.
plan_lines() {
	grep -E '^  TDX memblock |^  TDMR[0-9]+(:| reserved areas )|^     pamt_4k ' "$1" || true
}

check_example() {
	title=$1
	name=$2
	section "$title" > "$work/$name.vector"
	[ -s "$work/$name.vector" ] || fail "no section '$title' in the vector file"
	"$cococtl" tdx-plan --memmap "$vectors/$name.memmap" > "$work/$name.out" ||
		fail "$name: cococtl tdx-plan failed"
	plan_lines "$work/$name.vector" > "$work/$name.expected"
	plan_lines "$work/$name.out" > "$work/$name.actual"
	[ "$(wc -l < "$work/$name.expected")" -ge 4 ] || fail "$name: vector lines not found"
	diff -u "$work/$name.expected" "$work/$name.actual" || fail "$name: plan differs from vector"
	kb=$(sed -n "s/^  => '\([0-9]*\) KB allocated for PAMT'.*/\1/p" "$work/$name.vector")
	[ -n "$kb" ] || fail "$name: no PAMT total in the vector"
	tail -n 1 "$work/$name.out" | grep -qx "$kb KB allocated for PAMT" ||
		fail "$name: last line is not '$kb KB allocated for PAMT'"
	echo "ok: $title ($(wc -l < "$work/$name.expected") lines, $kb KB)"
}

check_example 'example (a)' example-a
check_example 'example (b)' example-b
check_example 'real (canonical/tdx#135)' real-canonical-tdx-135

# (c): the TDMR line, then the kernel's error; exit status 1.
section 'example (c) too many holes' > "$work/c.vector"
status=0
"$cococtl" tdx-plan --memmap "$vectors/example-c.memmap" > "$work/c.out" 2> "$work/c.err" ||
	status=$?
[ "$status" -eq 1 ] || fail "example (c): exit status $status, expected 1"
grep -E '^  TDMR[0-9]+: ' "$work/c.vector" > "$work/c.expected"
grep -E '^  TDMR[0-9]+: ' "$work/c.out" > "$work/c.actual" || true
[ -s "$work/c.expected" ] || fail "example (c): no TDMR line in the vector"
diff -u "$work/c.expected" "$work/c.actual" || fail "example (c): TDMR line differs"
reason=$(sed -n 's/.*initialization failed: \(.*\) (-ENOSPC)$/\1/p' "$work/c.vector")
[ -n "$reason" ] || fail "example (c): no error in the vector"
grep -qF "initialization failed: $reason" "$work/c.err" ||
	fail "example (c): stderr lacks '$reason': $(cat "$work/c.err")"
echo "ok: example (c) fails with '$reason'"

# --json carries the same plan as the text.
"$cococtl" tdx-plan --memmap "$vectors/example-b.memmap" --json > "$work/b.json" ||
	fail "--json failed"
python3 - "$work/b.json" "$work/example-b.out" <<'PY' || fail "--json does not match the text plan"
import json, re, sys
plan = json.load(open(sys.argv[1]))
text = open(sys.argv[2]).read()
assert list(plan) == ["tdmrs", "pamt_kb"], list(plan)
tdmrs = re.findall(r"TDMR(\d+): base (0x[0-9a-f]+) size (0x[0-9a-f]+) .*PAMT node (\d+)", text)
pamts = re.findall(r"pamt_4k (0x[0-9a-f]+)\+(0x[0-9a-f]+)  pamt_2m 0x[0-9a-f]+\+(0x[0-9a-f]+)"
                   r"  pamt_1g 0x[0-9a-f]+\+(0x[0-9a-f]+)", text)
rsvd = re.findall(r"TDMR(\d+) reserved areas \(\d+\):(.*)", text)
assert len(plan["tdmrs"]) == len(tdmrs) == len(pamts) == len(rsvd) == 3
for t, (_, base, size, node), pamt, (_, areas) in zip(plan["tdmrs"], tdmrs, pamts, rsvd):
    assert list(t) == ["base", "size", "node", "pamt", "reserved"], list(t)
    assert (t["base"], t["size"], t["node"]) == (int(base, 16), int(size, 16), int(node))
    assert list(t["pamt"]) == ["base", "size_4k", "size_2m", "size_1g"]
    assert [t["pamt"][k] for k in ("base", "size_4k", "size_2m", "size_1g")] == \
        [int(x, 16) for x in pamt]
    pairs = [(int(o, 16), int(s, 16)) for o, s in re.findall(r"off (0x[0-9a-f]+), size (0x[0-9a-f]+)", areas)]
    assert [(r["offset"], r["size"]) for r in t["reserved"]] == pairs
assert plan["pamt_kb"] == int(re.search(r"^(\d+) KB allocated for PAMT$", text, re.M).group(1))
print("ok: --json matches the text plan")
PY

# A host's /proc/iomem (example (b)'s e820 map) with its sysfs NUMA nodes:
# the same plan as the memmap file.
"$cococtl" tdx-plan --iomem "$iomem/example-b.iomem" --sysfs "$iomem/sysfs-example-b" \
	> "$work/iomem.out" || fail "--iomem failed"
diff -u "$work/example-b.out" "$work/iomem.out" || fail "--iomem plan differs from example (b)"
"$cococtl" tdx-plan --iomem="$iomem/example-b.iomem" --sysfs none > "$work/iomem0.out" ||
	fail "--iomem= --sysfs none failed"
grep -q 'TDMR2: .*PAMT node 0$' "$work/iomem0.out" || fail "--sysfs none: TDMR2 not on node 0"
echo "ok: --iomem"

# Refusals: exit 1 with the reason, or 2 for usage errors.
expect_status() {
	want=$1
	shift
	status=0
	"$cococtl" tdx-plan "$@" > "$work/out" 2> "$work/err" || status=$?
	[ "$status" -eq "$want" ] || fail "tdx-plan $*: exit $status, expected $want"
}
expect_status 1 --memmap "$vectors/real-canonical-tdx-135.memmap" --max-tdmrs 4
grep -q 'TDMRs exhausted' "$work/err" || fail "--max-tdmrs 4: no 'TDMRs exhausted'"
expect_status 0 --memmap "$vectors/real-canonical-tdx-135.memmap" --max-tdmrs 5
expect_status 1 --memmap "$vectors/example-b.memmap" --max-reserved 3
grep -q 'TDMR \[0x0, 0x80000000): reserved areas exhausted' "$work/err" ||
	fail "--max-reserved 3: no 'reserved areas exhausted'"
printf '0x100000 0x200000 0\n0x100000 0x300000 0\n' > "$work/overlap.memmap"
expect_status 1 --memmap "$work/overlap.memmap"
grep -q 'memmap line 2: .*overlaps the range on line 1' "$work/err" || fail "overlap not named"
expect_status 1 --memmap "$work/does-not-exist"
expect_status 2
expect_status 2 --memmap "$vectors/example-a.memmap" --iomem
expect_status 2 --memmap "$vectors/example-a.memmap" --max-tdmrs 0
expect_status 2 --memmap "$vectors/example-a.memmap" stray
expect_status 0 --help
echo "ok: refusals"

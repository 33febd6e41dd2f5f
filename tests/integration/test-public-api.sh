#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# libcoco exports exactly its public API: every function declared in
# include/coco/*.h is a defined dynamic symbol, and nothing else is; the
# SONAME is versioned and the pkg-config file names the library.
#
#   test-public-api.sh LIBCOCO_SO INCLUDE_DIR PKGCONFIG_DIR
set -eu

lib=$1
include=$2
pcdir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Functions the headers declare (comments and typedefs stripped).
cat "$include"/coco/*.h | sed -e 's|/\*.*\*/||' -e '/^[[:space:]]*\*/d' -e '/^\/\*/d' |
	grep -v typedef | grep -o '\bcoco_[a-z0-9_]*(' | tr -d '(' | sort -u > "$work/declared"
nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | sed 's/@.*//' | sort -u > "$work/exported"

[ -s "$work/declared" ] || fail "no declarations found in $include"
missing=$(comm -23 "$work/declared" "$work/exported")
extra=$(comm -13 "$work/declared" "$work/exported")
[ -z "$missing" ] || fail "declared in include/coco but not exported: $missing"
[ -z "$extra" ] || fail "exported but not part of include/coco: $extra"
echo "$(wc -l < "$work/declared") public functions, all exported, nothing else"

soname=$(objdump -p "$lib" | awk '/SONAME/ { print $2 }')
case "$soname" in
libcoco.so.[0-9]*) echo "SONAME $soname" ;;
*) fail "SONAME '$soname' is not versioned" ;;
esac

grep -q '^Libs:.*-lcoco' "$pcdir/libcoco.pc" || fail "libcoco.pc does not link -lcoco"
grep -q '^Cflags:' "$pcdir/libcoco.pc" || fail "libcoco.pc has no Cflags"
echo "pkg-config file ok"

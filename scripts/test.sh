#!/bin/sh
# The whole test suite: installs what it needs, builds, runs every test,
# then builds and runs it again under AddressSanitizer + UndefinedBehaviorSanitizer.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh

jobs=$(nproc 2>/dev/null || echo 2)

run_suite() {
	dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@"
	else
		meson configure "$dir" "$@" >/dev/null
	fi
	ninja -C "$dir"
	meson test -C "$dir" --num-processes "$jobs" --print-errorlogs
}

echo "== tests (release build) =="
run_suite build
echo "== tests under ASan + UBSan =="
run_suite build-sanitize -Db_sanitize=address,undefined -Db_lundef=false -Dbenchmarks=false
echo "== fuzz targets under libFuzzer (clang, ASan + UBSan) =="
if [ ! -f build-fuzz/build.ninja ]; then
	CC=clang meson setup build-fuzz -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbenchmarks=false
fi
ninja -C build-fuzz
meson test -C build-fuzz --suite libfuzzer --num-processes "$jobs" --print-errorlogs
echo "== all tests passed =="

#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Run a libFuzzer target for a while over a copy of its seed corpus (libFuzzer
# writes new inputs into its first corpus directory; the source tree stays
# untouched).  A crash or an invariant violation fails the test; the input
# that caused it is kept in the build directory.
#
#   run-libfuzzer.sh FUZZER SECONDS CORPUS_DIR
set -eu
fuzzer=$1
seconds=$2
corpus=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
cp "$corpus"/* "$work/corpus/"
artifacts="$(pwd)/fuzz-artifacts-$(basename "$fuzzer")-"
exec "$fuzzer" -max_total_time="$seconds" -print_final_stats=1 \
	-artifact_prefix="$artifacts" "$work/corpus"

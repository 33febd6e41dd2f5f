#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# rpcgen.sh RPCGEN -h|-c INPUT.x OUTPUT
# rpcgen derives the header guard and the generated file's #include from
# the input's path as given: a hyphenated name yields an invalid guard and
# an absolute path an absolute #include.  So rpcgen reads a copy named
# coco_remote_protocol.x in a private directory beside OUTPUT (one per
# output, so the -h and -c runs do not race).
set -eu
rpcgen=$1 mode=$2 input=$3 output=$4
outdir=$(dirname "$output")
work=$(mktemp -d "$outdir/rpcgen.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp "$input" "$work/coco_remote_protocol.x"
name=$(basename "$output")
(cd "$work" && "$rpcgen" "$mode" -o "$name" coco_remote_protocol.x)
mv "$work/$name" "$output"

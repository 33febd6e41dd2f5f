#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Verify the TDX quote in DIR with the openssl CLI alone, by running exactly
# the commands documented in docs/attestation-tdx.md (the block between its
# verify-commands markers) inside DIR.
#
#   tdx-verify-openssl.sh [--doc FILE] DIR
#
# DIR holds quote.dat and trusted_root.pem.  Exit status and output are
# those of the commands: "Verified OK" last.
set -eu
. "$(dirname "$0")/lib/verify-openssl.sh"

doc="$(dirname "$0")/../../docs/attestation-tdx.md"
if [ "${1:-}" = "--doc" ]; then
	doc=$2
	shift 2
fi
if [ $# -ne 1 ] || [ ! -d "$1" ]; then
	echo "usage: $0 [--doc FILE] DIR" >&2
	exit 2
fi

run_doc_commands "$doc" "$1"

# SPDX-License-Identifier: Apache-2.0
# Shell functions shared by the openssl-only verification scripts
# ({snp,tdx}-verify-openssl.sh) and their integration tests.  Sourced, not run.

# Print FAIL: <message> and exit 1.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# Run, inside directory $2, exactly the commands of the block between the
# verify-commands markers of the document $1.  Exit status and output are
# those of the commands; 2 when the document has no such block.
run_doc_commands() {
	commands=$(awk '
		/<!-- verify-commands:begin -->/ { inside = 1; next }
		/<!-- verify-commands:end -->/ { inside = 0 }
		inside && !/^```/ { print }' "$1")
	if [ -z "$commands" ]; then
		echo "$0: no verify-commands block in $1" >&2
		exit 2
	fi
	cd "$2" || exit 2
	sh -eu -c "$commands"
}

# Copy directory $1 to $2 with the byte at offset $4 of file $3 inverted.
tamper_copy() {
	cp -r "$1" "$2"
	printf "$(printf '\\%03o' $(( 255 - $(od -An -tu1 -j "$4" -N 1 "$1/$3") )))" |
		dd of="$2/$3" bs=1 seek="$4" conv=notrunc status=none
	cmp -s "$1/$3" "$2/$3" && fail "tampering did not change $2/$3"
	return 0
}

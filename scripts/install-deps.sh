#!/bin/sh
# Install the Debian 12 packages cocohost builds and tests with (root).
# Runs apt only when something is missing, so repeated runs are quick.
set -eu

packages="build-essential meson ninja-build pkg-config libssl-dev openssl libcunit1-dev libxml2-dev ovmf clang libclang-rt-14-dev libtirpc-dev rpcsvc-proto libvirt-clients python3-libvirt"

missing=""
for p in $packages; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing; run as root or install them" >&2
	exit 1
fi
echo "install-deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing

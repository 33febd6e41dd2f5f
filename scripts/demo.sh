#!/bin/sh
# The main job: install what is needed, build, and launch a confidential guest
# on the best available backend (SEV-SNP or TDX hardware when a probe passes,
# the SEV-SNP platform model otherwise), then verify its signed evidence
# against the expected measurement.  Extra arguments go to `cococtl launch`,
# e.g. `--backend tdx-model` for the TDX module model.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build

echo "== backends on this host =="
./build/tools/cococtl caps || true
echo "== measured launch and attestation =="
exec ./build/tools/cococtl launch "$@"

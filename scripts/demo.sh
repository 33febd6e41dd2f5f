#!/bin/sh
# The main job: install what is needed, build, and run a confidential guest end
# to end on the best available backend (SEV-SNP or TDX hardware when a probe
# passes, the SEV-SNP platform model otherwise): measured launch, vCPUs on KVM
# with the console streamed, then the guest's signed evidence verified against
# the measurement cococtl computes from the image.  Extra arguments go to
# `cococtl run`, e.g. `--backend tdx-model` for the TDX module model.
set -eu
cd "$(dirname "$0")/.."

./scripts/install-deps.sh
if [ ! -f build/build.ninja ]; then
	meson setup build
fi
ninja -C build

echo "== backends on this host =="
./build/tools/cococtl caps || true
echo "== confidential guest: launch, run, attest =="
exec ./build/tools/cococtl run "$@"

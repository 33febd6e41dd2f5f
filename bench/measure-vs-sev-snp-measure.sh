#!/bin/sh
# Whole-command time of 'cococtl measure' against sev-snp-measure on the same
# inputs (Debian's OVMF.fd, 4 vCPUs), and the factor between them.
#
#   SEV_SNP_MEASURE=/path/to/sev-snp-measure[.py] bench/measure-vs-sev-snp-measure.sh [BUILD_DIR]
#
# SEV_SNP_MEASURE is a command (a .py file is run with python3).  Without it,
# or when it does not run, the benchmark says so and exits 0.  Prints one JSON
# line like the C benchmarks (bench/bench-common.h); both tools must print the
# same digest or the run fails.
set -eu

build=${1:-build}
cococtl="$build/tools/cococtl"
ovmf=${OVMF:-/usr/share/ovmf/OVMF.fd}
runs=${RUNS:-20}
args="--mode snp --vcpus 4 --vcpu-type EPYC-Milan --ovmf $ovmf"

if [ -z "${SEV_SNP_MEASURE:-}" ]; then
	echo "measure-vs-sev-snp-measure: SEV_SNP_MEASURE is not set; nothing to compare against (skipped)"
	exit 0
fi
case "$SEV_SNP_MEASURE" in
*.py) ssm="python3 $SEV_SNP_MEASURE" ;;
*) ssm="$SEV_SNP_MEASURE" ;;
esac
if [ ! -x "$cococtl" ]; then
	echo "measure-vs-sev-snp-measure: $cococtl not built (run ninja -C $build)" >&2
	exit 1
fi
if [ ! -r "$ovmf" ]; then
	echo "measure-vs-sev-snp-measure: $ovmf missing (Debian package ovmf); skipped"
	exit 0
fi
# shellcheck disable=SC2086
if ! theirs=$($ssm $args 2>/dev/null); then
	echo "measure-vs-sev-snp-measure: '$ssm' does not run here; skipped"
	exit 0
fi
# shellcheck disable=SC2086
ours=$("$cococtl" measure $args)
if [ "$ours" != "$theirs" ]; then
	echo "measure-vs-sev-snp-measure: digests differ: cococtl $ours, sev-snp-measure $theirs" >&2
	exit 1
fi

now() { date +%s.%N; }

# Seconds for $runs runs of a command (best of 3 rounds: the machine is shared).
time_runs() {
	best=""
	for round in 1 2 3; do
		start=$(now)
		i=0
		while [ "$i" -lt "$runs" ]; do
			# shellcheck disable=SC2086
			"$@" >/dev/null
			i=$((i + 1))
		done
		t=$(awk -v a="$(now)" -v b="$start" 'BEGIN { printf "%.6f", a - b }')
		if [ -z "$best" ] || awk -v t="$t" -v b="$best" 'BEGIN { exit !(t < b) }'; then
			best=$t
		fi
	done
	echo "$best"
}

# shellcheck disable=SC2086
t_ours=$(time_runs "$cococtl" measure $args)
# shellcheck disable=SC2086
t_theirs=$(time_runs $ssm $args)
awk -v o="$t_ours" -v t="$t_theirs" -v n="$runs" 'BEGIN {
	printf "{\"bench\":\"measure-vs-sev-snp-measure\",\"metric\":\"speedup\",\"subject\":%.6f,\"reference\":%.6f,\"unit\":\"s/run\",\"ratio\":%.2f,\"goal\":\"> 1\"}\n", o / n, t / n, t / o
	printf "cococtl measure is %.1fx faster than sev-snp-measure (%.4f s vs %.4f s per run)\n", t / o, o / n, t / n
}'

#!/bin/sh
# Coverage-guided fuzzing of every parser with libFuzzer under ASan+UBSan.
# Not part of `make check` (that runs the seeds with fixed mutations); this is
# the long run the team reports in its notes.
# Usage: tests/fuzz/run-libfuzzer.sh [SECONDS_PER_TARGET] [TARGET...]
set -eu
SECONDS_PER_TARGET=${1:-600}
[ $# -gt 0 ] && shift
BUILD=${FUZZ_BUILDDIR:-build-fuzz}
if [ ! -f "$BUILD/build.ninja" ]; then
	CC=clang meson setup "$BUILD" -Dfuzzing=true -Dgui=disabled \
		-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized
fi
[ -n "${FUZZ_NO_BUILD:-}" ] || meson compile -C "$BUILD"
targets="$*"
[ -n "$targets" ] || targets=$(sed -n 's/=.*//p' "$BUILD/tests/fuzz/fuzz-seeds.txt")
mkdir -p "$BUILD/fuzz-corpus" "$BUILD/fuzz-logs"
for t in $targets; do
	seeds=$(sed -n "s/^$t=//p" "$BUILD/tests/fuzz/fuzz-seeds.txt" | tr ':' ' ')
	corpus="$BUILD/fuzz-corpus/$t"
	mkdir -p "$corpus"
	# directories are read as corpora, single files copied in
	dirs=""
	for s in $seeds; do
		if [ -d "$s" ]; then dirs="$dirs $s"; elif [ -f "$s" ]; then cp "$s" "$corpus/"; fi
	done
	echo "== $t: ${SECONDS_PER_TARGET}s"
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 G_DEBUG=fatal-criticals \
		"$BUILD/tests/fuzz/ub-fuzz-$t" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 \
		-timeout=25 -print_final_stats=1 -artifact_prefix="$BUILD/fuzz-logs/$t-" \
		"$corpus" $dirs >"$BUILD/fuzz-logs/$t.log" 2>&1 && rc=0 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$BUILD/fuzz-logs/$t.log" | tail -1)
	cov=$(grep -o 'cov: [0-9]*' "$BUILD/fuzz-logs/$t.log" | tail -1)
	echo "   exit $rc, $execs executions, $cov, log $BUILD/fuzz-logs/$t.log"
done

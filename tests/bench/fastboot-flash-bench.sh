#!/bin/sh
# Flash throughput of unbrick-cli against Debian's AOSP fastboot client, both
# flashing the same image into the same unbrick-sim over TCP loopback. Not a
# test: it prints numbers for the team's notes.
# Usage: tests/bench/fastboot-flash-bench.sh [BUILDDIR] [MIB]
set -eu
BUILD=${1:-build}
MIB=${2:-192}
SIM="$BUILD/src/sim/unbrick-sim"
CLI="$BUILD/src/cli/unbrick-cli"
TMP=$(mktemp -d)
trap 'kill $SIMPID 2>/dev/null; rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/data"
command -v fastboot >/dev/null || { echo "needs Debian's fastboot package"; exit 1; }

head -c $((MIB * 1024 * 1024)) /dev/urandom >"$TMP/super.img"
"$SIM" --kind fastboot --storage "$TMP/phone" --emmc 64G --listen tcp:0 >"$TMP/sim.out" 2>/dev/null &
SIMPID=$!
# a complete ready line: the port may still be on its way
	while ! { grep -q '^tcp: .*:[0-9][0-9]*$' "$TMP/sim.out" 2>/dev/null && [ -z "$(tail -c1 "$TMP/sim.out")" ]; }; do sleep 0.05; done
PORT=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' "$TMP/sim.out")

now() { date +%s.%N; }
rate() { echo "$MIB $1 $2" | awk '{printf "%.1f MiB/s (%.2f s)", $1 / ($3 - $2), $3 - $2}'; }

echo "image: $MIB MiB, unbrick-sim on tcp:127.0.0.1:$PORT (max-download-size 256 MiB)"
for run in 1 2 3; do
	t0=$(now)
	fastboot -s "tcp:127.0.0.1:$PORT" flash super "$TMP/super.img" >/dev/null 2>&1
	t1=$(now)
	"$CLI" download -q --no-verify --device "tcp:127.0.0.1:$PORT" super="$TMP/super.img" >/dev/null 2>&1
	t2=$(now)
	"$CLI" download -q --device "tcp:127.0.0.1:$PORT" super="$TMP/super.img" >/dev/null 2>&1
	t3=$(now)
	echo "run $run: AOSP fastboot $(rate $t0 $t1) | unbrick-cli $(rate $t1 $t2) | unbrick-cli + verify $(rate $t2 $t3)"
done
echo "peak RSS of unbrick-cli for this image:"
/usr/bin/time -f "  %M KiB" "$CLI" download -q --no-verify --device "tcp:127.0.0.1:$PORT" super="$TMP/super.img" 2>&1 >/dev/null | tail -1

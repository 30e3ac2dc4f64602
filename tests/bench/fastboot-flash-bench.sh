#!/bin/sh
# Flash throughput and client CPU of unbrick-cli against Debian's AOSP fastboot,
# both flashing the same images into the same unbrick-sim over TCP loopback:
# a raw image and a mostly-empty sparse image, both above max-download-size so
# both clients split them. Not a test: it prints numbers for the team's notes.
# Usage: tests/bench/fastboot-flash-bench.sh [BUILDDIR] [RAW_MIB] [SPARSE_MIB] [RUNS]
set -eu
BUILD=${1:-build}
RAW_MIB=${2:-1024}
SPARSE_MIB=${3:-2048}
RUNS=${4:-2}
SIM="$BUILD/src/sim/unbrick-sim"
CLI="$BUILD/src/cli/unbrick-cli"
TMP=$(mktemp -d)
SIMPID=""
trap '[ -n "$SIMPID" ] && kill $SIMPID 2>/dev/null; rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/data"
command -v fastboot >/dev/null || { echo "needs Debian's fastboot package"; exit 1; }
command -v img2simg >/dev/null || { echo "needs android-sdk-libsparse-utils"; exit 1; }

# raw: random data; sparse: 2 GiB with 64 MiB of data spread over it
head -c $((RAW_MIB * 1024 * 1024)) /dev/urandom >"$TMP/raw.img"
truncate -s $((SPARSE_MIB * 1024 * 1024)) "$TMP/big.img"
for i in 0 1 2 3 4 5 6 7; do
	head -c $((8 * 1024 * 1024)) /dev/urandom |
		dd of="$TMP/big.img" bs=1M seek=$((i * SPARSE_MIB / 8)) conv=notrunc status=none
done
img2simg "$TMP/big.img" "$TMP/big.simg"
rm "$TMP/big.img"

"$SIM" --kind fastboot --storage "$TMP/phone" --emmc 64G --listen tcp:0 >"$TMP/sim.out" 2>/dev/null &
SIMPID=$!
# a complete ready line: the port may still be on its way
while ! { grep -q '^tcp: .*:[0-9][0-9]*$' "$TMP/sim.out" 2>/dev/null && [ -z "$(tail -c1 "$TMP/sim.out")" ]; }; do sleep 0.05; done
PORT=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' "$TMP/sim.out")
DEV="tcp:127.0.0.1:$PORT"
MDS=$(fastboot -s "$DEV" getvar max-download-size 2>&1 | sed -n 's/^max-download-size: *//p')

measure() { # label, MiB, command...
	label="$1"; mib="$2"; shift 2
	/usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$@" >/dev/null 2>&1 || { echo "  $label: FAILED"; return; }
	read -r wall user sys rss <"$TMP/time"
	printf '  %-38s' "$label"
	echo "$mib $wall $user $sys $rss" | awk '{printf "%7.2f s wall %7.2f s CPU %7.1f MiB/s  RSS %6.1f MiB\n", $2, $3 + $4, $1 / $2, $5 / 1024}'
}

echo "raw ${RAW_MIB} MiB random, sparse ${SPARSE_MIB} MiB ($(du -m "$TMP/big.simg" | cut -f1) MiB on disk); max-download-size $MDS"
for run in $(seq 1 "$RUNS"); do
	echo "run $run"
	measure "AOSP fastboot flash super raw" "$RAW_MIB" fastboot -s "$DEV" flash super "$TMP/raw.img"
	measure "unbrick-cli download super raw" "$RAW_MIB" "$CLI" download -q --no-verify --device "$DEV" super="$TMP/raw.img"
	measure "AOSP fastboot flash userdata sparse" "$SPARSE_MIB" fastboot -s "$DEV" flash userdata "$TMP/big.simg"
	measure "unbrick-cli download userdata sparse" "$SPARSE_MIB" "$CLI" download -q --no-verify --device "$DEV" userdata="$TMP/big.simg"
done

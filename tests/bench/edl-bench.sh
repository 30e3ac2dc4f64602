#!/bin/sh
# EDL throughput: 1 GiB written and read back through the EDL engine over
# umockdev USB (the real libusb code path) and over a pty (the serial path),
# MB/s and CPU seconds per GiB; then Debian's qdl (2022, usbdevfs + libudev)
# pointed at the same simulated 9008 phone on the umockdev bus, writing the
# same 1 GiB from a flat build. Not a test: it prints numbers for the notes.
# Usage: edl-bench.sh path/to/ub-bench-edl [MIB]
set -u
BENCH=$(readlink -f "$1")
MIB=${2:-1024}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== unbrick, umockdev USB, $MIB MiB"
ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$BENCH" usb "$MIB"
echo "== unbrick, pty, $MIB MiB"
"$BENCH" pty "$MIB"

QDL_MIB=${QDL_MIB:-$MIB}
echo "== Debian qdl against the same simulated phone (umockdev), $QDL_MIB MiB"
if ! command -v qdl >/dev/null 2>&1; then
	echo "qdl is not installed (apt-get install qdl)"
	exit 0
fi
# qdl 2022 sends every USB write as one USBDEVFS_BULK ioctl of wMaxPacketSize
# (512) bytes, so 2048 ioctls per MiB, each a round trip over umockdev's
# socket here: its rate measures that per-ioctl cost more than qdl itself.
# QDL_MIB=64 keeps the run short.
"$BENCH" programmer "$TMP" >/dev/null || exit 1
head -c $((QDL_MIB * 1024 * 1024)) /dev/urandom >"$TMP/big.img"
cat >"$TMP/rawprogram0.xml" <<XML
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="big.img" label="big" num_partition_sectors="$((QDL_MIB * 2048))" physical_partition_number="0" size_in_KB="$((QDL_MIB * 1024)).0" sparse="false" start_sector="131072"/>
</data>
XML
cd "$TMP" || exit 1
ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$BENCH" launch -- \
	timeout 3000 qdl --storage emmc prog_firehose_ddr.elf rawprogram0.xml >"$TMP/qdl.out" 2>&1
grep -E '^launch:|flashed|ERROR|timed out' "$TMP/qdl.out"
# the launch line: wall time, qdl's CPU, the simulator's CPU; qdl waits 5 s for
# a <configure> answer it never needs and 1 s after the reset, both included
awk -v mib="$QDL_MIB" '
/\[PROGRAM\] flashed .* at [0-9]+kB\/s/ { match($0, /at [0-9]+kB/); kbs = substr($0, RSTART + 3, RLENGTH - 5) }
/^launch:/ { wall = $(NF - 9); cpu = $(NF - 5); sim = $(NF - 1) }
END {
	if (wall == "") { print "qdl did not run"; exit 1 }
	gib = mib / 1024
	printf "qdl write: %d MiB in %.2f s (whole run) = %.1f MB/s; qdl says %.1f MB/s for the data phase\n",
		mib, wall, mib * 1048576 / wall / 1e6, kbs * 1024 / 1e6
	printf "qdl CPU %.2f s/GiB, simulator CPU %.2f s/GiB, together %.2f s/GiB\n",
		cpu / gib, sim / gib, (cpu + sim) / gib
}' "$TMP/qdl.out"

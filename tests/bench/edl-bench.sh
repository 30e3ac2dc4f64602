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

echo "== Debian qdl against the same simulated phone (umockdev), $MIB MiB"
if ! command -v qdl >/dev/null 2>&1; then
	echo "qdl is not installed (apt-get install qdl)"
	exit 0
fi
cp /bin/true "$TMP/prog_firehose.elf"
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$TMP/big.img"
cat >"$TMP/rawprogram0.xml" <<XML
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="big.img" label="big" num_partition_sectors="$((MIB * 2048))" physical_partition_number="0" size_in_KB="$((MIB * 1024)).0" sparse="false" start_sector="131072"/>
</data>
XML
cd "$TMP" || exit 1
ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$BENCH" launch -- \
	/usr/bin/time -f "qdl: %e s wall, %U s user, %S s system" \
	timeout 300 qdl --storage emmc prog_firehose.elf rawprogram0.xml 2>&1 | tail -15

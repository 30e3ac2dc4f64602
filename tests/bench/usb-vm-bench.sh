#!/bin/sh
# Throughput on the real stack: BENCH_MIB (default 1024) MiB written and read
# with each engine (fastboot, EDL, MediaTek) and with raw bulk transfers,
# through the usb-vm guest's kernel (xHCI, usbfs) to the simulated phones on
# the host (QEMU usb-redir, tests/usb-vm), and Debian's AOSP fastboot and qdl
# against the same phones. Not a test (not in make check): `make bench-usb-vm`.
# Prints a Markdown table: MB/s (10^6 bytes per second) and each row's ratio to
# the raw bulk rate of the same direction.
#
# usage: usb-vm-bench.sh BUILDDIR
# environment: BENCH_MIB (1024), BENCH_QDL_MIB (BENCH_MIB), BENCH_SCENARIOS
# (raw fastboot edl mtk qdl), UBVM_MEM (4096: the image and its read back are
# in the guest's tmpfs), BENCH_KEEP=1 keeps the image and the logs.
#
# Timing: each engine row is one unbrick-cli process in the guest, from its
# start to its exit (guest clock): session setup (EDL: Sahara and the
# programmer upload; MediaTek: BootROM handshake, DA upload at full speed, the
# switch to 0e8d:2001) is included; the "info" rows show that setup alone.
# Writes are download --no-verify; reads are readback of the same partition.
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:?usage: usb-vm-bench.sh BUILDDIR}" && pwd)
RUN=$HERE/../usb-vm/run-scenario.sh
BENCH_MIB=${BENCH_MIB:-1024}
BENCH_QDL_MIB=${BENCH_QDL_MIB:-$BENCH_MIB}
SCENARIOS=${BENCH_SCENARIOS:-raw fastboot edl mtk qdl}
DIR=$BUILD/bench-usb-vm
export UBVM_MEM=${UBVM_MEM:-4096}
# the slowest row (qdl, 512-byte ioctls) takes about 1 s per MiB
export UBVM_TIMEOUT=${UBVM_TIMEOUT:-$((600 + BENCH_MIB * 3))}

for exe in tests/ub-bench-usbredir-sink tests/ub-bench-usb-raw src/sim/unbrick-sim src/cli/unbrick-cli \
	tests/ub-sim-storage-dump; do
	[ -x "$BUILD/$exe" ] || { echo "usb-vm-bench: build $BUILD/$exe first"; exit 1; }
done
command -v sgdisk > /dev/null || { echo "usb-vm-bench: sgdisk is missing (apt-get install gdisk)"; exit 1; }
mkdir -p "$DIR"
cleanup() {
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT
printf 'BENCH_MIB=%s\nBENCH_QDL_MIB=%s\n' "$BENCH_MIB" "$BENCH_QDL_MIB" > "$DIR/bench.conf"
# random data: nothing on the way can shortcut it
head -c $((BENCH_MIB * 1024 * 1024)) /dev/urandom > "$DIR/bench.img"

LOAD0=$(uptime | sed 's/.*load average: //')
T0=$(date +%s)
: > "$DIR/results"
for s in $SCENARIOS; do
	echo "usb-vm-bench: $s (load $(uptime | sed 's/.*load average: //'))" >&2
	if sh "$RUN" "$BUILD" "bench-$s" > "$DIR/$s.log" 2>&1; then
		grep -h 'UBVM: BENCH' "$DIR/$s.log" | sed 's/^.*UBVM: //' >> "$DIR/results"
		grep -h '  sink:' "$DIR/$s.log" >&2
	else
		echo "FAILED $s" >> "$DIR/results"
		tail -40 "$DIR/$s.log" >&2
	fi
done
LOAD1=$(uptime | sed 's/.*load average: //')

# the table
awk -v load0="$LOAD0" -v load1="$LOAD1" -v wall=$(($(date +%s) - T0)) '
function rate(b, s) { return s > 0 ? b / s / 1e6 : 0 }
$1 == "BENCH" && $2 == "9p-read" { r9 = rate($3, $4); n9++; s9 += r9; if (n9 == 1 || r9 < min9) min9 = r9; if (r9 > max9) max9 = r9; next }
$1 == "BENCH" { bytes[$2] = $3; secs[$2] = $4 }
$1 == "BENCH-NOTE" { k = $2; $1 = ""; $2 = ""; sub(/^  */, ""); note[k] = $0 }
$1 == "FAILED" { failed = failed " " $2 }
function row(label, key, dir, extra,   r, raw, ratio) {
	if (!(key in secs)) { printf "| %s | %s | - | - | - | - | not measured%s |\n", label, dir, extra; return }
	raw = secs["raw-" dir] > 0 ? rate(bytes["raw-" dir], secs["raw-" dir]) : 0
	r = rate(bytes[key], secs[key])
	ratio = "-"
	if (raw > 0 && r > 0)
		ratio = sprintf("%.2f", r / raw)
	printf "| %s | %s | %.0f | %.1f | %.1f | %s | %s |\n", label, dir, bytes[key] / 1048576, secs[key], r,
		ratio, extra
}
END {
	print "| client | direction | MiB | s | MB/s | ratio to raw | notes |"
	print "|---|---|---|---|---|---|---|"
	row("raw bulk (libusb, 4 x 1 MiB in flight)", "raw-write", "write", "")
	row("raw bulk (libusb, 4 x 1 MiB in flight)", "raw-read", "read", "")
	row("raw bulk (libusb, 1 x 1 MiB in flight)", "raw1-write", "write", "")
	row("raw bulk (libusb, 1 x 1 MiB in flight)", "raw1-read", "read", " as UbUsbTransport reads")
	row("unbrick fastboot", "fastboot-write", "write", " download --no-verify; " note["fastboot"])
	row("unbrick fastboot", "fastboot-read", "read", " readback (fetch)")
	row("unbrick EDL", "edl-write", "write", " download --no-verify, incl. Sahara + programmer")
	row("unbrick EDL", "edl-read", "read", " readback, incl. Sahara check + configure")
	row("unbrick MediaTek", "mtk-write", "write", " download --no-verify, incl. BROM, DA upload, re-enumeration")
	row("unbrick MediaTek", "mtk-read", "read", " readback, DA already running")
	row("AOSP fastboot 29 (Debian)", "aosp-fastboot-write", "write", " flash; " note["aosp-fastboot"])
	row("qdl 2022 (Debian)", "qdl-write", "write", " " note["qdl"])
	print ""
	if (n9 > 0)
		printf "9p read of the image into the guest'"'"'s tmpfs (host root, cache=loose, msize 256 KiB): %.1f MB/s (%.1f-%.1f, %d copies)\n",
			s9 / n9, min9, max9, n9
	s = ""
	for (k in secs) if (k ~ /-info$/) s = s sprintf(" %s %.1f s;", k, secs[k])
	if (s != "") print "session setup alone (unbrick-cli info):" s
	printf "load average before: %s; after: %s; %d s in all\n", load0, load1, wall
	if (failed != "") print "FAILED:" failed
}' "$DIR/results"
! grep -q '^FAILED' "$DIR/results"

#!/bin/sh
# The serial path of the EDL engine (a 9008 phone on /dev/ttyUSBn through
# qcserial): unbrick-sim --kind edl on a pty, unbrick-cli on the other end with
# --device serial:/dev/pts/N: chip info, a small flat-build download, read back
# and compare. The stream loses message boundaries, so both sides must split
# and glue Sahara packets and Firehose documents themselves.
# Usage: edl-pty-test.sh path/to/unbrick-sim path/to/unbrick-cli
set -u
SIM="$1"
CLI="$2"
TMP=$(mktemp -d)
SIMPID=""
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
export XDG_DATA_HOME="$TMP/data"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }

starts=0
start_sim() { # extra args...
	# a new file each time: the old one may still hold the last run's pty
	starts=$((starts+1))
	OUT="$TMP/sim.$starts.out"
	"$SIM" --kind edl --storage "$TMP/phone" --emmc 8G --listen pty "$@" >"$OUT" 2>"$TMP/sim.$starts.err" &
	SIMPID=$!
	i=0
	while ! { grep -q '^pty: /dev/' "$OUT" 2>/dev/null && [ -z "$(tail -c1 "$OUT")" ]; }; do
		i=$((i+1)); [ $i -gt 100 ] && { echo "# simulator did not start"; sed "s/^/# /" "$TMP/sim.$starts.err"; return 1; }
		sleep 0.05
	done
	PTS=$(sed -n 's/^pty: \(.*\)$/\1/p' "$OUT")
}
stop_sim() {
	kill -TERM "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=""
}

# any ELF will do as the programmer: the simulated PBL loads its segments
cp /bin/true "$TMP/prog_firehose.elf"
PROG="$TMP/prog_firehose.elf"

# a small flat build: two images at fixed sectors of the user area, one
# ending in a partial sector
mkdir -p "$TMP/build"
head -c 1048576 /dev/urandom >"$TMP/build/boot.img"
head -c 700001 /dev/urandom >"$TMP/build/dtbo.img"
cat >"$TMP/build/rawprogram0.xml" <<'XML'
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="boot.img" label="boot_x" num_partition_sectors="4096" physical_partition_number="0" size_in_KB="2048.0" sparse="false" start_sector="3000000"/>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="dtbo.img" label="dtbo_x" num_partition_sectors="2048" physical_partition_number="0" size_in_KB="1024.0" sparse="false" start_sector="3010000"/>
</data>
XML

start_sim || exit 1
ok "unbrick-sim --kind edl prints its pty ($PTS)"

timeout 30 "$CLI" info --device "serial:$PTS" --loader "$PROG" >"$TMP/info.out" 2>"$TMP/info.err" \
	&& ok "unbrick-cli info over the pty" || { nok "info over the pty"; sed "s/^/# /" "$TMP/info.err"; }
grep -qi "serial" "$TMP/info.out" && ok "info shows the chip serial" \
	|| { nok "info shows the chip serial"; sed "s/^/# /" "$TMP/info.out"; }

timeout 60 "$CLI" download "$TMP/build/rawprogram0.xml" --device "serial:$PTS" --loader "$PROG" --storage emmc \
	>"$TMP/dl.out" 2>"$TMP/dl.err" \
	&& ok "unbrick-cli download of a flat build over the pty" || { nok "download over the pty"; sed "s/^/# /" "$TMP/dl.err"; }

timeout 60 "$CLI" readback --device "serial:$PTS" --loader "$PROG" --lun 0 --start 3000000 --count 2048 \
	-o "$TMP/boot.back" >/dev/null 2>"$TMP/rb.err" \
	|| sed "s/^/# /" "$TMP/rb.err"
cmp -s "$TMP/boot.back" "$TMP/build/boot.img" \
	&& ok "boot read back over the pty is what was flashed" || nok "boot read back differs"

timeout 60 "$CLI" readback --device "serial:$PTS" --loader "$PROG" --lun 0 --start 3010000 --count 1368 \
	-o "$TMP/dtbo.back" >/dev/null 2>"$TMP/rb2.err" \
	|| sed "s/^/# /" "$TMP/rb2.err"
# the last sector was padded with zeros
head -c 700001 "$TMP/dtbo.back" | cmp -s - "$TMP/build/dtbo.img" \
	&& ok "dtbo (a partial last sector) reads back" || nok "dtbo read back differs"
[ "$(tail -c 415 "$TMP/dtbo.back" | tr -d '\000' | wc -c)" -eq 0 ] \
	&& ok "the partial sector was padded with zeros" || nok "the partial sector was not zero padded"
stop_sim

# the storage folder keeps the data: a new phone process reads back the same
start_sim || exit 1
timeout 60 "$CLI" readback --device "serial:$PTS" --loader "$PROG" --lun 0 --start 3000000 --count 2048 \
	-o "$TMP/boot.back2" >/dev/null 2>"$TMP/rb3.err" \
	|| sed "s/^/# /" "$TMP/rb3.err"
cmp -s "$TMP/boot.back2" "$TMP/build/boot.img" \
	&& ok "a restarted phone (a new HELLO) reads back the same over the pty" || nok "read back after restart differs"
stop_sim
echo "1..$n"
exit $fail

#!/bin/sh
# The serial path of the MediaTek engine (a phone on /dev/ttyACMn through
# cdc_acm): unbrick-sim --kind mtk on a pty, unbrick-cli on the other end with
# --device serial:PATH. The first run names the pty itself (a port given with a
# Download Agent is a MediaTek phone); the others a link named ttyACM0, as udev
# names a MediaTek port (without --da the engine picks MediaTek for it). Each
# unbrick-cli run is a new connection of a freshly plugged phone (the simulator
# restarts on the same storage folder); the DA an earlier run left running is
# recognised. BootROM mode: identification with the DA, Firmware Upgrade refused
# on another layout, Format All + Download with consent, calibration data kept
# by a Firmware Upgrade, partitions read back and compared, Format whole flash
# except bootloader keeping nvram. Preloader mode: the port is full of "READY"
# before the handshake, at several points of the preloader's 3 s window.
# Usage: mtk-pty-test.sh path/to/unbrick-sim path/to/unbrick-cli
set -u
SIM="$1"
CLI="$2"
TMP=$(mktemp -d)
SIMPID=""
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
trap 'exit 1' INT TERM HUP
export XDG_DATA_HOME="$TMP/data"
export XDG_CACHE_HOME="$TMP/cache"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
show() { sed 's/^/# /' "$1"; }
# expect_fail NAME PATTERN OUTPUT RC -- a failure (exit 1) whose message has PATTERN
expect_fail() {
	if [ "$4" -eq 1 ] && grep -q -- "$2" "$3"; then ok "$1"; else nok "$1 (exit $4)"; show "$3"; fi
}

PORT="$TMP/ttyACM0"
starts=0
start_sim() { # extra args...
	starts=$((starts+1))
	OUT="$TMP/sim.$starts.out"
	"$SIM" --kind mtk --storage "$TMP/phone" --emmc 256M --listen pty "$@" >"$OUT" 2>"$TMP/sim.$starts.err" &
	SIMPID=$!
	i=0
	while ! { grep -q '^pty: /dev/' "$OUT" 2>/dev/null && [ -z "$(tail -c1 "$OUT")" ]; }; do
		i=$((i+1)); [ $i -gt 100 ] && { echo "# simulator did not start"; show "$TMP/sim.$starts.err"; return 1; }
		sleep 0.05
	done
	PTS=$(sed -n 's/^pty: \(.*\)$/\1/p' "$OUT")
	ln -sf "$PTS" "$PORT"
}
stop_sim() {
	kill -TERM "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=""
}
# a freshly plugged phone for each connection
replug() { stop_sim; start_sim "$@"; }

# the demo scatter package (written by the demo, which flashes sim:mtk in process)
timeout 60 "$CLI" demo --kind mtk >"$TMP/demo.out" 2>&1 || { echo "Bail out! unbrick-cli demo --kind mtk failed"; show "$TMP/demo.out"; exit 1; }
PKG="$XDG_CACHE_HOME/unbrick/demo/demo_scatter"
SCATTER="$PKG/MT6765_Android_scatter.txt"
DA="$PKG/MTK_AllInOne_DA_demo.bin"
PL="$PKG/preloader_unbrick_demo.bin"
[ -f "$SCATTER" ] && [ -f "$DA" ] && [ -f "$PL" ] || { echo "Bail out! no demo scatter package"; exit 1; }
DEV="serial:$PORT"

# 1. BootROM: identification with the DA, DRAM set up from the preloader's EMI settings
start_sim || exit 1
ok "unbrick-sim --kind mtk prints its pty"
# (the pty's own name: a port given with a Download Agent is a MediaTek phone)
timeout 30 "$CLI" info --device "serial:$PTS" --da "$DA" --preloader "$PL" >"$TMP/info.out" 2>"$TMP/info.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "^Chip: MT6765" "$TMP/info.out" && grep -q "^Mode: mtk-brom" "$TMP/info.out" &&
	grep -q "^Storage: emmc" "$TMP/info.out" && grep -q "da-connection-agent *brom" "$TMP/info.out" &&
	grep -q "nvram .*\[calibration\]" "$TMP/info.out"; then
	ok "info over the serial line: chip, BootROM mode, eMMC, the DA and the partition table"
else
	nok "info over the serial line (exit $rc)"; show "$TMP/info.out"; show "$TMP/info.err"
fi

# 2. the same phone again: its DA still runs and answers with frames, not the handshake
start=$(date +%s)
timeout 30 "$CLI" info --device "$DEV" --da "$DA" --preloader "$PL" >"$TMP/again.out" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
expect_fail "a DA left running by the last connection is recognised" \
	"still running the Download Agent of an earlier connection.*Unplug it" "$TMP/again.out" $rc
[ $secs -lt 5 ] && ok "... without waiting for the handshake budget (${secs} s)" \
	|| nok "recognising the running DA took ${secs} s"

# 3. the phone's own layout: Firmware Upgrade refuses what it could not restore
replug || exit 1
timeout 60 "$CLI" download --device "$DEV" --da "$DA" --mode firmware-upgrade --backup-dir "$TMP/bk0" \
	"$SCATTER" >"$TMP/fu0.out" 2>&1
expect_fail "Firmware Upgrade refused: nvcfg would shrink" "nvcfg holds 0x.* nothing was written" "$TMP/fu0.out" $?

# 4. Format All + Download with consent: the package's layout, calibration backed up first
replug || exit 1
if timeout 120 "$CLI" download --device "$DEV" --da "$DA" --mode format-all-download --allow-calibration \
	--backup-dir "$TMP/bk1" "$SCATTER" >"$TMP/fa.out" 2>&1 &&
	grep -q "backed up nvram" "$TMP/fa.out" && [ -f "$TMP/bk1/backup.json" ] && [ -f "$TMP/bk1/nvram.img" ]; then
	ok "Format All + Download over the serial line backs up the calibration first"
else
	nok "Format All + Download over the serial line"; show "$TMP/fa.out"
fi

# 5. this phone's calibration data
head -c 1048576 /dev/urandom >"$TMP/nvram-before.img"
replug || exit 1
timeout 60 "$CLI" download --device "$DEV" --da "$DA" --preloader "$PL" --allow-calibration \
	--backup-dir "$TMP/bk2" nvram="$TMP/nvram-before.img" >"$TMP/nv.out" 2>&1 \
	&& ok "nvram written with consent" || { nok "writing nvram with consent"; show "$TMP/nv.out"; }

# 6. Firmware Upgrade of the demo scatter keeps it
replug || exit 1
if timeout 120 "$CLI" download --device "$DEV" --da "$DA" --mode firmware-upgrade --backup-dir "$TMP/bk3" \
	"$SCATTER" >"$TMP/fu.out" 2>&1 &&
	grep -q "wrote boot" "$TMP/fu.out" && grep -q "nvram stayed where it was and is unchanged" "$TMP/fu.out"; then
	ok "Firmware Upgrade of the demo scatter over the serial line"
else
	nok "Firmware Upgrade over the serial line"; show "$TMP/fu.out"
fi

# 7. read back by partition: boot is the package's image, nvram the phone's data
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
replug || exit 1
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition boot -o "$TMP/boot.back" \
	>"$TMP/rb1.out" 2>&1
rc=$?
bsize=$(size_of "$PKG/boot.img")
if [ $rc -eq 0 ] && [ "$bsize" -gt 0 ] && [ "$(size_of "$TMP/boot.back")" -ge "$bsize" ] &&
	cmp -n "$bsize" "$PKG/boot.img" "$TMP/boot.back" >/dev/null 2>&1; then
	ok "boot read back over the serial line is boot.img ($bsize bytes)"
else
	nok "boot read back (exit $rc)"; show "$TMP/rb1.out"
fi
replug || exit 1
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition nvram -o "$TMP/nvram-fu.img" \
	>"$TMP/rb2.out" 2>&1
if cmp -n 1048576 "$TMP/nvram-before.img" "$TMP/nvram-fu.img" >/dev/null 2>&1; then
	ok "nvram is byte-identical after the Firmware Upgrade"
else
	nok "nvram after the Firmware Upgrade"; show "$TMP/rb2.out"
fi

# 8. Format whole flash except bootloader: boot erased, nvram kept
replug || exit 1
timeout 60 "$CLI" format --device "$DEV" --da "$DA" --preloader "$PL" --all-except-bootloader \
	>"$TMP/fmt.out" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "format --all-except-bootloader over the serial line" \
	|| { nok "format --all-except-bootloader (exit $rc)"; show "$TMP/fmt.out"; }
replug || exit 1
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition nvram -o "$TMP/nvram-fmt.img" \
	>"$TMP/rb3.out" 2>&1
cmp -n 1048576 "$TMP/nvram-before.img" "$TMP/nvram-fmt.img" >/dev/null 2>&1 \
	&& ok "format kept nvram byte for byte" || { nok "nvram after the format"; show "$TMP/rb3.out"; }
replug || exit 1
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition boot -o "$TMP/boot.fmt" \
	>"$TMP/rb4.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(size_of "$TMP/boot.fmt")" -ge "$bsize" ] &&
	! cmp -n "$bsize" "$PKG/boot.img" "$TMP/boot.fmt" >/dev/null 2>&1; then
	ok "format erased boot"
else
	nok "boot after the format (exit $rc)"; show "$TMP/rb4.out"
fi
stop_sim

# 9. preloader mode: "READY" fills the port until the handshake; connect early,
# in the middle and near the end of the 3 s window (the phone boots on after it
# and comes back as a new preloader on the pty)
for delay in 0 1 2.6; do
	start_sim --mtk-mode preloader || exit 1
	sleep "$delay"
	timeout 30 "$CLI" info --device "$DEV" --da "$DA" >"$TMP/pl.out" 2>&1
	rc=$?
	if [ $rc -eq 0 ] && grep -q "^Mode: mtk-preloader" "$TMP/pl.out" && grep -q "da-connection-agent *preloader" "$TMP/pl.out"; then
		ok "preloader mode after ${delay} s of READY: info with the DA"
	else
		nok "preloader mode after ${delay} s of READY (exit $rc)"; show "$TMP/pl.out"
	fi
	stop_sim
done
# a preloader needs no --preloader: its DRAM is up
start_sim --mtk-mode preloader || exit 1
sleep 0.5
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --partition nvram -o "$TMP/nvram-pl.img" >"$TMP/rb5.out" 2>&1
cmp -n 1048576 "$TMP/nvram-before.img" "$TMP/nvram-pl.img" >/dev/null 2>&1 \
	&& ok "nvram read back from a preloader over the serial line" || { nok "read back from a preloader"; show "$TMP/rb5.out"; }
stop_sim

echo "1..$n"
exit $fail

#!/bin/sh
# unbrick-cli against the simulated MediaTek phone (sim:mtk, in process, its
# storage kept in a folder between runs): the demo, identification without a
# DA, the DA asked for, Download Only refused on another layout, Firmware
# Upgrade keeping the calibration data, Download Only then accepted, Read back
# and Format rows by region, Format All refused without consent, a Checksum.ini
# mismatch refused before any write, MediaTek options on a fastboot phone.
# Usage: cli-mtk-test.sh path/to/unbrick-cli
set -u
CLI="$1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_DATA_HOME="$TMP/data"
export XDG_CACHE_HOME="$TMP/cache"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
show() { sed 's/^/# /' "$1"; }
# expect_fail NAME PATTERN OUTPUT -- a failure (exit 1) whose message has PATTERN
expect_fail() {
	if [ "$4" -eq 1 ] && grep -q -- "$2" "$3"; then ok "$1"; else nok "$1 (exit $4)"; show "$3"; fi
}

PKG="$XDG_CACHE_HOME/unbrick/demo/demo_scatter"
SCATTER="$PKG/MT6765_Android_scatter.txt"
DA="$PKG/MTK_AllInOne_DA_demo.bin"
PL="$PKG/preloader_unbrick_demo.bin"
DEV="sim:mtk:$TMP/phone"
BK="$TMP/backups"

# 1. the demo writes the scatter package and flashes it in Firmware Upgrade mode
if timeout 60 "$CLI" demo --kind mtk >"$TMP/demo.out" 2>&1 &&
	grep -q "restored nvram at 0x8000 of user (it was at 0x88000)" "$TMP/demo.out"; then
	ok "unbrick-cli demo --kind mtk"
else
	nok "unbrick-cli demo --kind mtk"; show "$TMP/demo.out"
fi
[ -f "$SCATTER" ] && [ -f "$DA" ] || { echo "Bail out! no demo scatter package"; exit 1; }

# 2. without a DA the phone is identified from its BootROM
timeout 30 "$CLI" info --device "$DEV" >"$TMP/info.out" 2>&1
rc=$?
if [ $rc -eq 0 ] && grep -q "MT6765" "$TMP/info.out" && grep -q -- "--da" "$TMP/info.out"; then
	ok "info without --da identifies the chip"
else
	nok "info without --da (exit $rc)"; show "$TMP/info.out"
fi

# 3. a download without the DA says which file it needs
timeout 30 "$CLI" download --device "$DEV" "$SCATTER" >"$TMP/noda.out" 2>&1
expect_fail "download without --da asks for MTK_AllInOne_DA.bin" "give it with --da MTK_AllInOne_DA.bin" "$TMP/noda.out" $?

# 4. the phone's own layout is not the package's: Download Only refuses, nothing written
timeout 60 "$CLI" download --device "$DEV" --da "$DA" "$SCATTER" >"$TMP/dl1.out" 2>&1
expect_fail "Download Only refused on another layout" "layout on the phone differs from the scatter (.*); use Firmware Upgrade" "$TMP/dl1.out" $?

# 5. Firmware Upgrade refuses when a calibration partition would not fit its new place
timeout 120 "$CLI" download --device "$DEV" --da "$DA" --mode firmware-upgrade "$SCATTER" >"$TMP/fu0.out" 2>&1
expect_fail "Firmware Upgrade refused: nvcfg would shrink" "nvcfg holds 0x2000000 bytes .* nothing was written" "$TMP/fu0.out" $?

# 6. Format All + Download with consent: the package's layout, calibration backed up first
if timeout 120 "$CLI" download --device "$DEV" --da "$DA" --mode format-all-download --allow-calibration --backup-dir "$BK" "$SCATTER" >"$TMP/fa1.out" 2>&1 &&
	grep -q "backed up nvram" "$TMP/fa1.out" && [ -f "$BK/backup.json" ] && [ -f "$BK/nvram.img" ]; then
	ok "Format All + Download with --allow-calibration backs up first"
else
	nok "Format All + Download with consent"; show "$TMP/fa1.out"
fi

# 7. this phone's calibration data, then a Firmware Upgrade keeps it byte for byte
head -c 1048576 /dev/urandom >"$TMP/nvram-before.img"
timeout 60 "$CLI" download --device "$DEV" --da "$DA" --preloader "$PL" --allow-calibration --backup-dir "$TMP/bk2" nvram="$TMP/nvram-before.img" >"$TMP/nv.out" 2>&1 ||
	{ nok "writing nvram with consent"; show "$TMP/nv.out"; }
if timeout 120 "$CLI" download --device "$DEV" --da "$DA" --mode firmware-upgrade --backup-dir "$TMP/bk3" "$SCATTER" >"$TMP/fu.out" 2>&1 &&
	grep -q "nvram stayed where it was and is unchanged" "$TMP/fu.out"; then
	ok "Firmware Upgrade keeps the calibration partitions"
else
	nok "Firmware Upgrade"; show "$TMP/fu.out"
fi
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition nvram -o "$TMP/nvram-after.img" >"$TMP/rb1.out" 2>&1
size=$(stat -c %s "$TMP/nvram-before.img" 2>/dev/null || echo 0)
if [ "$size" -gt 0 ] && cmp -n "$size" "$TMP/nvram-before.img" "$TMP/nvram-after.img" >/dev/null 2>&1; then
	ok "nvram is byte-identical after the upgrade ($size bytes)"
else
	nok "nvram after the upgrade"; show "$TMP/rb1.out"
fi

# 8. now the layouts match: Download Only runs, only boot with --only
if timeout 60 "$CLI" download --device "$DEV" --da "$DA" --only boot "$SCATTER" >"$TMP/dl2.out" 2>&1 &&
	grep -q "wrote boot" "$TMP/dl2.out" && ! grep -q "wrote lk" "$TMP/dl2.out"; then
	ok "Download Only --only boot on the package's layout"
else
	nok "Download Only --only boot"; show "$TMP/dl2.out"
fi

# 9. Read back a row by region + address: the primary GPT
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --region EMMC_USER --start 0 --length 0x8000 -o "$TMP/pgpt.bin" >"$TMP/rb2.out" 2>&1
if [ "$(stat -c %s "$TMP/pgpt.bin" 2>/dev/null)" = 32768 ] &&
	[ "$(dd if="$TMP/pgpt.bin" bs=1 skip=512 count=8 2>/dev/null)" = "EFI PART" ]; then
	ok "readback --region --start --length"
else
	nok "readback by region"; show "$TMP/rb2.out"
fi

# 10. Format whole flash except bootloader keeps calibration data
timeout 60 "$CLI" format --device "$DEV" --da "$DA" --preloader "$PL" --all-except-bootloader >"$TMP/fmt.out" 2>&1
rc=$?
timeout 60 "$CLI" readback --device "$DEV" --da "$DA" --preloader "$PL" --partition nvram -o "$TMP/nvram-fmt.img" >"$TMP/rb3.out" 2>&1
if [ $rc -eq 0 ] && cmp -n "$size" "$TMP/nvram-before.img" "$TMP/nvram-fmt.img" >/dev/null 2>&1; then
	ok "format --all-except-bootloader keeps nvram"
else
	nok "format --all-except-bootloader (exit $rc)"; show "$TMP/fmt.out"; show "$TMP/rb3.out"
fi

# 11. Format All + Download needs consent
timeout 60 "$CLI" download --device "$DEV" --da "$DA" --mode format-all-download "$SCATTER" >"$TMP/fa.out" 2>&1
expect_fail "Format All + Download refused without --allow-calibration" "allow-calibration" "$TMP/fa.out" $?

# 12. a damaged image fails its Checksum.ini line before anything is written
cp -r "$PKG" "$TMP/bad"
printf 'X' | dd of="$TMP/bad/boot.img" bs=1 seek=100 conv=notrunc 2>/dev/null
timeout 60 "$CLI" download --device "$DEV" --da "$DA" --only boot "$TMP/bad/MT6765_Android_scatter.txt" >"$TMP/sum.out" 2>&1
expect_fail "Checksum.ini mismatch refused" "boot.img does not match .*Checksum.ini" "$TMP/sum.out" $?

# 13. MediaTek options on another phone are errors
timeout 30 "$CLI" info --device sim:fastboot --da "$DA" >"$TMP/fb.out" 2>&1
expect_fail "--da on a fastboot phone" "is for MediaTek phones" "$TMP/fb.out" $?

echo "1..$n"
exit $fail

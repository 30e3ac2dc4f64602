#!/bin/sh
# unbrick-cli download PACKAGE and unbrick-cli fastboot COMMAND against the
# in-process simulated phone. Usage: cli-fastboot-test.sh path/to/unbrick-cli
set -u
CLI="$1"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_CACHE_HOME="$TMP/cache" XDG_DATA_HOME="$TMP/data"
fail=0
check() { # description, expected exit code, command...
	desc="$1"; want="$2"; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "not ok - $desc: exit $rc, wanted $want"; sed 's/^/# /' "$TMP/err" "$TMP/out"; fail=1
	else
		echo "ok - $desc"
	fi
}
contains() { # description, file, text
	if grep -q -- "$3" "$2"; then echo "ok - $1"; else echo "not ok - $1: no '$3' in"; sed 's/^/# /' "$2"; fail=1; fi
}
same() { # description, file, file (the first's length)
	n=$(wc -c <"$2")
	if head -c "$n" "$3" | cmp -s - "$2"; then echo "ok - $1"; else echo "not ok - $1"; fail=1; fi
}

# the demo writes the MiFlash-style package this test flashes
check "demo" 0 "$CLI" demo
PKG="$TMP/cache/unbrick/demo/demo_rom"
[ -f "$PKG/flash_all_except_storage.sh" ] && echo "ok - demo package written" || { echo "not ok - no demo package"; fail=1; }
PHONE="sim:fastboot:$TMP/phone"

check "download PACKAGE, keep-data by default" 0 "$CLI" download --device "$PHONE" "$PKG"
contains "the product is checked" "$TMP/err" "product is unbrick_sim"
contains "the slot is said" "$TMP/err" "boot has A/B slots: using boot_a"
contains "images verified" "$TMP/err" "verified boot_a"
contains "mode shown" "$TMP/out" "keep-data (flash_all_except_storage)"
check "read back boot_a" 0 "$CLI" readback --device "$PHONE" -o "$TMP/back" boot_a
same "boot_a holds the package's boot.img" "$PKG/images/boot.img" "$TMP/back/boot_a.img"

check "--mode clean-all" 0 "$CLI" download --device "$PHONE" --mode clean-all "$PKG"
contains "clean-all writes metadata" "$TMP/err" "wrote metadata"
contains "clean-all erases userdata" "$TMP/err" "erased userdata"
check "--mode clean-all-lock without --allow-lock" 1 "$CLI" download --device "$PHONE" --mode clean-all-lock "$PKG"
contains "lock refused with the reason" "$TMP/err" "locking with a modified image bricks the phone"
check "--mode clean-all-lock --allow-lock" 0 "$CLI" download --device "$PHONE" --mode clean-all-lock --allow-lock "$PKG"
contains "the lock ran" "$TMP/err" "oem lock: OKAY"
check "--mode bogus" 2 "$CLI" download --device "$PHONE" --mode bogus "$PKG"
check "--slot c" 2 "$CLI" download --device "$PHONE" --slot c "$PKG"
check "--slot b" 0 "$CLI" download --device "$PHONE" --slot b --no-verify "$PKG"
contains "--slot b writes boot_b" "$TMP/err" "using boot_b (the slot asked for)"
head -c 4096 /dev/urandom >"$TMP/x.img"
check "--mode with PARTITION=FILE" 2 "$CLI" download --device "$PHONE" --mode keep-data boot_a="$TMP/x.img"

# a package for another phone: refused before anything is written
cp -r "$PKG" "$TMP/other"
sed -i 's/unbrick_sim/raphaelin/' "$TMP/other"/*.sh "$TMP/other/misc.txt"
check "another product's package" 1 "$CLI" download --device "$PHONE" --mode clean-all "$TMP/other"
contains "product refusal names both" "$TMP/err" "this package is for raphaelin, the phone is unbrick_sim"
check "read back boot_a again" 0 "$CLI" readback --device "$PHONE" -o "$TMP/back2" boot_a
same "boot_a unchanged by the refused package" "$PKG/images/boot.img" "$TMP/back2/boot_a.img"

# the fastboot vocabulary
check "fastboot getvar all" 0 "$CLI" fastboot --device "$PHONE" getvar all
contains "getvar all lists max-download-size" "$TMP/out" "max-download-size"
check "fastboot flash on A/B" 0 "$CLI" fastboot --device "$PHONE" flash dtbo "$TMP/x.img"
contains "flash says which slot" "$TMP/err" "dtbo has A/B slots: using dtbo_a (the current slot)"
check "fastboot flash --slot b" 0 "$CLI" fastboot --device "$PHONE" --slot b flash dtbo "$TMP/x.img"
contains "flash --slot b" "$TMP/err" "using dtbo_b"
check "fastboot fetch" 0 "$CLI" fastboot --device "$PHONE" fetch dtbo_b "$TMP/dtbo_b.img"
same "fetch returns what flash wrote" "$TMP/x.img" "$TMP/dtbo_b.img"
check "fastboot erase" 0 "$CLI" fastboot --device "$PHONE" erase dtbo_b
check "fastboot flash without FILE" 2 "$CLI" fastboot --device "$PHONE" flash dtbo
check "fastboot set_active b" 0 "$CLI" fastboot --device "$PHONE" set_active b
check "fastboot getvar current-slot" 0 "$CLI" fastboot --device "$PHONE" getvar current-slot
contains "slot b is active" "$TMP/out" "current-slot: b"
check "fastboot set_active a" 0 "$CLI" fastboot --device "$PHONE" set_active a
check "fastboot oem lock without --allow-lock" 1 "$CLI" fastboot --device "$PHONE" oem lock
contains "oem lock refused" "$TMP/err" "bricks the phone"
check "fastboot flashing lock --allow-lock" 0 "$CLI" fastboot --device "$PHONE" --allow-lock flashing lock
check "fastboot flashing unlock" 0 "$CLI" fastboot --device "$PHONE" flashing unlock
check "fastboot reboot bogus" 2 "$CLI" fastboot --device "$PHONE" reboot bogus
check "fastboot reboot bootloader" 0 "$CLI" fastboot --device "$PHONE" reboot bootloader
check "fastboot boot" 0 "$CLI" fastboot --device "$PHONE" boot "$TMP/x.img"
check "fastboot flashall PACKAGE" 0 "$CLI" fastboot --device "$PHONE" flashall "$PKG"
contains "flashall keeps data" "$TMP/out" "keep-data"
check "fastboot -w flashall PACKAGE" 0 "$CLI" fastboot --device "$PHONE" -w flashall "$PKG"
contains "-w flashall wipes" "$TMP/out" "clean-all"

exit $fail

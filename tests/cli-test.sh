#!/bin/sh
# unbrick-cli as a user meets it: help texts, exit codes, JSON, the in-process
# simulated phone. Usage: cli-test.sh path/to/unbrick-cli
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

check "no arguments is a usage error" 2 "$CLI"
check "--help" 0 "$CLI" --help
contains "--help lists the commands" "$TMP/out" "readback"
contains "--help shows an example" "$TMP/out" "unbrick-cli info --device sim:fastboot"
for cmd in devices info inspect download readback format fastboot demo; do
	check "$cmd --help" 0 "$CLI" "$cmd" --help
	contains "$cmd --help has an example" "$TMP/out" "Example:"
	contains "$cmd --help has --device" "$TMP/out" "--device"
done
check "unknown command" 2 "$CLI" frobnicate
contains "unknown command is named" "$TMP/err" "frobnicate"
check "bad device spec" 1 "$CLI" info --device usb:zz
contains "bad spec explains the forms" "$TMP/err" "usb:VID:PID"
check "inspect with a bad --disk-size" 1 "$CLI" inspect --disk-size 12x "$TMP"
contains "bad --disk-size explains the form" "$TMP/err" "size in bytes"
check "download without arguments" 2 "$CLI" download --device sim:fastboot
check "download of a missing file fails before connecting" 1 "$CLI" download --device sim:fastboot boot_a="$TMP/missing.img"
contains "missing file is named" "$TMP/err" "missing.img"

check "info on the simulated phone" 0 "$CLI" info --device sim:fastboot --json
python3 - "$TMP/out" <<'PY' && echo "ok - info --json is valid and complete" || { echo "not ok - info --json"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == "ok"
assert d["device"]["protocol"] == "fastboot" and d["device"]["simulated"] is True
assert d["device"]["serial"]
names = {p["name"] for p in d["partitions"]}
assert {"boot_a", "boot_b", "userdata"} <= names, names
assert any(p["calibration"] for p in d["partitions"])
PY

head -c 1048576 /dev/urandom > "$TMP/boot.img"
check "download with verify into a persistent phone" 0 "$CLI" download --device "sim:fastboot:$TMP/phone" boot_a="$TMP/boot.img"
contains "download verified" "$TMP/err" "verified boot_a"
check "read back from the same phone folder" 0 "$CLI" readback --device "sim:fastboot:$TMP/phone" -o "$TMP/back" boot_a
head -c 1048576 "$TMP/back/boot_a.img" | cmp -s - "$TMP/boot.img" && echo "ok - read back equals what was written" || { echo "not ok - read back differs"; fail=1; }
check "slotless name on an A/B phone goes to the current slot" 0 "$CLI" download --device "sim:fastboot:$TMP/phone" boot="$TMP/boot.img"
contains "and says so" "$TMP/err" "boot has A/B slots: using boot_a (the current slot)"
check "a named slot" 0 "$CLI" download --device "sim:fastboot:$TMP/phone" --slot b dtbo="$TMP/boot.img"
contains "the named slot is used" "$TMP/err" "using dtbo_b (the slot asked for)"
check "calibration erase refused" 1 "$CLI" format --device sim:fastboot nvdata --json
python3 - "$TMP/out" <<'PY' && echo "ok - failure --json has a code" || { echo "not ok - failure json"; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == "failed" and d["error"]["code"] == "refused", d
PY
# a logical partition on a Pixel-like phone: the bootloader does not list it,
# the job switches to fastbootd by itself, writes the current slot, verifies
UB_SIM_LAYOUT=pixel check "logical system on a Pixel-like phone" 0 "$CLI" download --device sim:fastboot system="$TMP/boot.img"
contains "it says which slot" "$TMP/err" "system is a logical partition in super: using system_a (the current slot)"
contains "and that it went to fastbootd" "$TMP/err" "rebooting into fastbootd"
contains "and verified it" "$TMP/err" "verified system_a"
check "fastboot getvar" 0 "$CLI" fastboot --device sim:fastboot getvar product
contains "getvar prints the value" "$TMP/out" "product: "
check "demo" 0 "$CLI" demo
contains "demo ends verified" "$TMP/out" "fastboot package and verified"
contains "demo refuses to lock" "$TMP/out" "bricks the phone"
contains "demo checks the product" "$TMP/err" "product is unbrick_sim"
exit $fail

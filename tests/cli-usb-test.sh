#!/bin/sh
# unbrick-cli over the real libusb code path, no phone needed: the launcher
# plugs a simulated fastboot phone (18d1:4ee0 at usb:1-1) and, with --edl, a
# Qualcomm EDL device (05c6:9008 at usb:1-2) into a umockdev test bed and runs
# the unmodified CLI under the umockdev preload.
# Usage: cli-usb-test.sh path/to/ub-umockdev-launcher path/to/unbrick-cli
set -u
LAUNCHER="$1"
CLI="$2"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_CACHE_HOME="$TMP/cache" XDG_DATA_HOME="$TMP/data"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
run() { # expected exit code, launcher args... -- cli args...
	want="$1"; shift
	timeout 60 "$LAUNCHER" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	[ "$rc" = 77 ] && { echo "# umockdev cannot be used here"; cat "$TMP/err"; exit 77; }
	if [ "$rc" != "$want" ]; then
		echo "# exit $rc, wanted $want"; sed 's/^/# /' "$TMP/err" "$TMP/out"; return 1
	fi
	return 0
}

run 0 --edl 1-2 -- "$CLI" devices --json && ok "devices --json runs" || nok "devices --json"
python3 - "$TMP/out" <<'PY' && ok "devices lists both phones with their modes" || { nok "devices --json content"; sed 's/^/# /' "$TMP/out"; }
import json, sys
d = json.load(open(sys.argv[1]))
got = {x["device"]: (x["mode"], x["protocol"], x["vid"], x["pid"]) for x in d["devices"]}
assert got == {"usb:1-1": ("fastboot", "fastboot", 0x18d1, 0x4ee0),
               "usb:1-2": ("edl", "edl", 0x05c6, 0x9008)}, got
PY

run 1 --edl 1-2 -- "$CLI" info --device auto && ok "info --device auto fails with two phones" || nok "info --device auto with two phones"
grep -q "choose one with --device" "$TMP/err" && grep -q "usb:1-1" "$TMP/err" && grep -q "usb:1-2" "$TMP/err" \
	&& ok "and says which phones and how to choose" || { nok "auto error text"; sed 's/^/# /' "$TMP/err"; }

run 0 -- "$CLI" info --device usb:18d1:4ee0 --json && ok "info --device usb:18d1:4ee0 over libusb" || nok "info --device usb:18d1:4ee0"
python3 - "$TMP/out" <<'PY' && ok "info identifies the simulated bootloader" || { nok "info --json content"; sed 's/^/# /' "$TMP/out"; }
import json, sys
d = json.load(open(sys.argv[1]))
assert d["result"] == "ok", d
dev = d["device"]
assert dev["protocol"] == "fastboot" and dev["mode"] == "fastboot", dev
assert dev["serial"] == "UBSIM0001" and dev["product"] == "unbrick_sim", dev
assert dev["simulated"] is False, dev  # as far as the app knows, a real USB phone
names = {p["name"] for p in d["partitions"]}
assert {"boot_a", "boot_b", "userdata"} <= names, names
PY

run 0 -- "$CLI" info --device auto && ok "info --device auto with one phone" || nok "info --device auto with one phone"
grep -q "UBSIM0001" "$TMP/out" && ok "auto found the fastboot phone" || { nok "auto found the phone"; sed 's/^/# /' "$TMP/out"; }

head -c 3000000 /dev/urandom >"$TMP/boot.img"
run 0 --storage "$TMP/phone" -- "$CLI" download --device usb:1-1 boot_a="$TMP/boot.img" \
	&& ok "download --device usb:1-1 flashes" || nok "download --device usb:1-1"
grep -q "verified boot_a" "$TMP/err" && ok "and verifies" || { nok "download verified"; sed 's/^/# /' "$TMP/err"; }
run 0 --storage "$TMP/phone" -- "$CLI" readback --device usb:1-1 -o "$TMP/back" boot_a \
	&& ok "readback --device usb:1-1" || nok "readback --device usb:1-1"
head -c 3000000 "$TMP/back/boot_a.img" 2>/dev/null | cmp -s - "$TMP/boot.img" \
	&& ok "the phone kept what was flashed" || nok "read back differs"

run 0 -- "$CLI" download --device usb:1-1 boot="$TMP/boot.img" && ok "a slotless name goes to the current slot" || nok "slotless download"
grep -q "using boot_a (the current slot)" "$TMP/err" && ok "and says so" || { nok "slotless text"; sed 's/^/# /' "$TMP/err"; }

run 1 -- "$CLI" info --device usb:1-7 && ok "an empty port fails" || nok "empty port"
grep -q "1-7" "$TMP/err" && ok "and names the port" || { nok "empty port text"; sed 's/^/# /' "$TMP/err"; }
echo "1..$n"
exit $fail

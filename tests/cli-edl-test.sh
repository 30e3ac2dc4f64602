#!/bin/sh
# unbrick-cli against the simulated Qualcomm phone in EDL (9008) mode: the demo
# flat build downloaded, read back by partition, read back whole and flashed
# back identical, slot switching, the calibration refusal, the backup made
# with consent restored byte-identical, and the serial path (a pty).
# Usage: cli-edl-test.sh path/to/unbrick-cli path/to/unbrick-sim
set -u
CLI="$1"
SIM="$2"
TMP=$(mktemp -d)
SIMPID=""
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
export XDG_DATA_HOME="$TMP/data"
export XDG_CACHE_HOME="$TMP/cache"
# the phone keeps the partition tables on its storage (none, at first)
export UB_SIM_LAYOUT=gpt
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
show() { sed 's/^/# /' "$1"; }

PHONE="$TMP/phone"
FB="$XDG_CACHE_HOME/unbrick/demo/demo_flat_build"
PROG="$FB/prog_firehose_demo.elf"
DEV="sim:edl:$PHONE"

# 1. the demo writes the flat build and flashes it into its own phone
if timeout 60 "$CLI" demo --kind edl >"$TMP/demo.out" 2>&1; then
	ok "unbrick-cli demo --kind edl"
else
	nok "unbrick-cli demo --kind edl"; show "$TMP/demo.out"
fi
[ -f "$FB/rawprogram0.xml" ] && [ -f "$PROG" ] || { echo "Bail out! no demo flat build"; exit 1; }

# 2. a UFS phone with three LUNs and no partition tables
"$SIM" --kind edl --storage "$PHONE" --ufs 3:16M --listen pty >"$TMP/sim0.out" 2>&1 &
SIMPID=$!
i=0
while ! grep -q '^pty: ' "$TMP/sim0.out" 2>/dev/null; do
	i=$((i+1)); [ $i -gt 100 ] && { echo "Bail out! simulator did not start"; show "$TMP/sim0.out"; exit 1; }
	sleep 0.05
done
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=""
for f in "$PHONE"/lun*.img; do
	size=$(stat -c %s "$f")
	dd if=/dev/zero of="$f" bs=4096 count=16 conv=notrunc 2>/dev/null
	dd if=/dev/zero of="$f" bs=4096 seek=$((size / 4096 - 16)) count=16 conv=notrunc 2>/dev/null
done

# 3. identity without a programmer, storage with it
if timeout 30 "$CLI" info --device "$DEV" >"$TMP/info0.out" 2>&1 &&
	grep -q 'Sahara version' "$TMP/info0.out" && grep -q 'SM8150' "$TMP/info0.out"; then
	ok "info without --loader shows the Sahara identity"
else
	nok "info without --loader"; show "$TMP/info0.out"
fi
if timeout 30 "$CLI" readback --device "$DEV" --partition boot_a -o "$TMP/x.img" >"$TMP/noloader.out" 2>&1; then
	nok "readback without --loader must fail"
elif grep -q 'prog_firehose' "$TMP/noloader.out"; then
	ok "without --loader the error names the programmer file"
else
	nok "error without --loader"; show "$TMP/noloader.out"
fi
if timeout 30 "$CLI" info --device sim:fastboot --loader "$PROG" >"$TMP/fbloader.out" 2>&1; then
	nok "--loader on a fastboot phone must fail"
elif grep -q 'EDL' "$TMP/fbloader.out"; then
	ok "--loader on a fastboot phone says it is for EDL"
else
	nok "--loader on a fastboot phone"; show "$TMP/fbloader.out"
fi

# 4. the flat build: every LUN, patches, bootable LUN
if timeout 60 "$CLI" download "$FB/rawprogram0.xml" --device "$DEV" --loader "$PROG" >"$TMP/dl.out" 2>&1; then
	ok "download rawprogram0.xml"
else
	nok "download rawprogram0.xml"; show "$TMP/dl.out"
fi
if timeout 30 "$CLI" info --device "$DEV" --loader "$PROG" --json >"$TMP/info.json" 2>"$TMP/info.err" &&
	grep -q '"modemst1"' "$TMP/info.json" && grep -q '"boot_b"' "$TMP/info.json"; then
	ok "info --loader lists the LUNs and the flashed partitions"
else
	nok "info --loader"; show "$TMP/info.err"
fi

# 5. read back by partition name
if timeout 30 "$CLI" readback --device "$DEV" --loader "$PROG" --partition boot_b -o "$TMP/boot_b.img" >"$TMP/rb.out" 2>&1 &&
	size=$(stat -c %s "$FB/boot.img") && head -c "$size" "$TMP/boot_b.img" | cmp -s - "$FB/boot.img"; then
	ok "readback --partition boot_b equals boot.img"
else
	nok "readback --partition boot_b"; show "$TMP/rb.out"
fi
if timeout 30 "$CLI" readback --device "$DEV" --loader "$PROG" --lun 2 --start 6 --count 4 -o "$TMP/range.img" >"$TMP/range.out" 2>&1 &&
	[ "$(stat -c %s "$TMP/range.img")" = 16384 ] &&
	dd if="$PHONE/lun2.img" bs=4096 skip=6 count=4 2>/dev/null | cmp -s - "$TMP/range.img"; then
	ok "readback --lun 2 --start 6 --count 4"
else
	nok "readback --lun --start --count"; show "$TMP/range.out"
fi

# 6. everything read back, the LUNs wiped, flashed back: identical storage
mkdir -p "$TMP/before"
cp "$PHONE"/lun*.img "$TMP/before/"
if timeout 120 "$CLI" readback --device "$DEV" --loader "$PROG" --all "$TMP/all" >"$TMP/all.out" 2>&1 &&
	[ -f "$TMP/all/rawprogram0.xml" ]; then
	ok "readback --all writes a flat build"
else
	nok "readback --all"; show "$TMP/all.out"
fi
for f in "$PHONE"/lun*.img; do
	dd if=/dev/zero of="$f" bs=4096 count=64 conv=notrunc 2>/dev/null
done
if timeout 120 "$CLI" download "$TMP/all/rawprogram0.xml" --device "$DEV" --loader "$PROG" \
	--allow-calibration >"$TMP/back.out" 2>&1; then
	ok "the read-back flat build flashes back"
else
	nok "flashing back"; show "$TMP/back.out"
fi
same=1
for f in "$TMP"/before/lun*.img; do
	cmp -s "$f" "$PHONE/$(basename "$f")" || { echo "# $(basename "$f") differs"; same=0; }
done
[ $same = 1 ] && ok "storage after flashing back is identical" || nok "storage after flashing back differs"

# 7. slots
if timeout 30 "$CLI" edl slot --device "$DEV" --loader "$PROG" >"$TMP/slot0.out" 2>&1 &&
	grep -q 'Current slot: a' "$TMP/slot0.out"; then
	ok "edl slot shows slot a"
else
	nok "edl slot"; show "$TMP/slot0.out"
fi
if timeout 30 "$CLI" edl slot --device "$DEV" --loader "$PROG" --set b >"$TMP/slot1.out" 2>&1 &&
	timeout 30 "$CLI" edl slot --device "$DEV" --loader "$PROG" >"$TMP/slot2.out" 2>&1 &&
	grep -q 'Current slot: b' "$TMP/slot2.out"; then
	ok "edl slot --set b, and the next session finds slot b"
else
	nok "edl slot --set b"; show "$TMP/slot1.out"; show "$TMP/slot2.out"
fi

# 8. a package entry (not named as calibration) whose range covers modemst1
start=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
for lun in d["luns"]:
    for p in lun["partitions"]:
        if p["name"] == "modemst1":
            print(p["offset"] // lun["sector-size"])
' "$TMP/info.json")
mkdir -p "$TMP/evil"
head -c 8192 /dev/urandom >"$TMP/evil/radio.bin"
cat >"$TMP/evil/rawprogram0.xml" <<EOF
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="4096" file_sector_offset="0" filename="radio.bin" label="radio" num_partition_sectors="2" physical_partition_number="0" sparse="false" start_sector="$((start - 1))"/>
</data>
EOF
cp "$PHONE/lun0.img" "$TMP/lun0.before"
if timeout 60 "$CLI" download "$TMP/evil/rawprogram0.xml" --device "$DEV" --loader "$PROG" >"$TMP/evil.out" 2>&1; then
	nok "overwriting modemst1 without --allow-calibration must be refused"
elif grep -q 'modemst1' "$TMP/evil.out" && grep -q -- '--allow-calibration' "$TMP/evil.out" &&
	cmp -s "$PHONE/lun0.img" "$TMP/lun0.before"; then
	ok "overwriting modemst1 without --allow-calibration is refused, nothing written"
else
	nok "refusal"; show "$TMP/evil.out"
fi
if timeout 60 "$CLI" download "$TMP/evil/rawprogram0.xml" --device "$DEV" --loader "$PROG" \
	--allow-calibration >"$TMP/evil2.out" 2>&1 && ! cmp -s "$PHONE/lun0.img" "$TMP/lun0.before"; then
	ok "with --allow-calibration it is written"
else
	nok "write with --allow-calibration"; show "$TMP/evil2.out"
fi
if timeout 30 "$CLI" backups list --json >"$TMP/list.json" 2>"$TMP/list.err" && grep -q '"modemst1"' "$TMP/list.json"; then
	ok "backups list shows the modemst1 backup"
else
	nok "backups list"; show "$TMP/list.err"
fi
BACKUP=$(python3 -c '
import json, sys
for b in json.load(open(sys.argv[1]))["backups"]:
    if any(i["partition"] == "modemst1" for i in b["images"]):
        print(b["dir"]); break
' "$TMP/list.json")
# the entry also covered the sector before modemst1: put it back by hand
dd if="$TMP/lun0.before" of="$PHONE/lun0.img" bs=4096 skip=$((start - 1)) seek=$((start - 1)) count=1 conv=notrunc 2>/dev/null
if [ -n "$BACKUP" ] && timeout 60 "$CLI" backups restore "$BACKUP" --device "$DEV" --loader "$PROG" >"$TMP/restore.out" 2>&1 &&
	cmp -s "$PHONE/lun0.img" "$TMP/lun0.before"; then
	ok "backups restore gives modemst1 back byte for byte"
else
	nok "backups restore"; show "$TMP/restore.out"
fi

# 9. the serial path: the same phone behind a pty
"$SIM" --kind edl --storage "$PHONE" --listen pty >"$TMP/sim1.out" 2>&1 &
SIMPID=$!
i=0
while ! grep -q '^pty: ' "$TMP/sim1.out" 2>/dev/null; do
	i=$((i+1)); [ $i -gt 100 ] && break
	sleep 0.05
done
PTY=$(sed -n 's/^pty: //p' "$TMP/sim1.out")
if [ -n "$PTY" ] && timeout 60 "$CLI" readback --device "serial:$PTY" --loader "$PROG" --partition boot_a \
	-o "$TMP/serial.img" >"$TMP/serial.out" 2>&1 &&
	size=$(stat -c %s "$FB/boot.img") && head -c "$size" "$TMP/serial.img" | cmp -s - "$FB/boot.img"; then
	ok "readback over serial:$PTY"
else
	nok "readback over the serial path"; show "$TMP/serial.out"
fi
kill "$SIMPID" 2>/dev/null; wait "$SIMPID" 2>/dev/null; SIMPID=""

echo "1..$n"
exit $fail

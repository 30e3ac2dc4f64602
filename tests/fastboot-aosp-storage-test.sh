#!/bin/sh
# The simulated phone checked against AOSP's own client, byte for byte, and our
# CLI checked against AOSP's: Debian's fastboot 29 runs a sequence over TCP
# against unbrick-sim (getvar all, flash boot_a, flash system_a with a sparse
# image it has to split for a 4 MiB max-download-size, erase, set_active b,
# reboot bootloader), the storage is compared with simg2img's output, then
# unbrick-cli runs the same sequence against a fresh phone and both phones'
# storage files must be identical.
# Usage: fastboot-aosp-storage-test.sh path/to/unbrick-sim path/to/unbrick-cli
set -u
SIM="$1"
CLI="$2"
for tool in fastboot simg2img img2simg python3 timeout cmp; do
	command -v "$tool" >/dev/null 2>&1 || { echo "1..0 # SKIP $tool not installed"; exit 77; }
done
TMP=$(mktemp -d)
SIMPID=""
cleanup() { [ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
export XDG_DATA_HOME="$TMP/data"
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
todo() { n=$((n+1)); echo "not ok $n - $1 # TODO $2"; }

start_sim() { # DIR
	[ -n "$SIMPID" ] && { kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; }
	OUT="$1.out"
	"$SIM" --kind fastboot --storage "$1" --emmc 4G --layout xiaomi --max-download-size 4M \
		--no-text --listen tcp:0 >"$OUT" 2>"$1.err" &
	SIMPID=$!
	i=0
	while ! { grep -q '^tcp: .*:[0-9][0-9]*$' "$OUT" 2>/dev/null && [ -z "$(tail -c1 "$OUT")" ]; }; do
		i=$((i+1)); [ $i -gt 100 ] && { echo "# simulator did not start"; cat "$1.err"; return 1; }
		sleep 0.05
	done
	PORT=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' "$OUT")
}

# OFFSET SIZE of a partition in the GPT of DIR/user.img (512-byte sectors)
part() { # DIR NAME
	python3 - "$1/user.img" "$2" <<'EOF'
import struct, sys
with open(sys.argv[1], "rb") as f:
    f.seek(512)
    hdr = f.read(92)
    lba, num, size = struct.unpack_from("<QII", hdr, 72)
    f.seek(lba * 512)
    table = f.read(num * size)
for i in range(num):
    e = table[i * size:(i + 1) * size]
    first, last = struct.unpack_from("<QQ", e, 32)
    name = e[56:128].decode("utf-16-le").rstrip("\0")
    if name == sys.argv[2]:
        print(first * 512, (last - first + 1) * 512)
        sys.exit(0)
sys.exit(1)
EOF
}

# the first SIZE bytes of partition NAME of phone DIR on stdout
extract() { # DIR NAME SIZE
	set -- "$1" "$2" "$3" $(part "$1" "$2")
	python3 -c "
import sys
f = open('$1/user.img', 'rb'); f.seek($4)
left = $3
while left > 0:
    b = f.read(min(left, 1 << 20))
    if not b: break
    sys.stdout.buffer.write(b); left -= len(b)
"
}

# images: a raw boot, and a sparse system bigger than four downloads, with
# random data, a zero run (FILL), a pattern run (FILL) and random again
head -c 300000 /dev/urandom >"$TMP/boot.img"
head -c 65536 /dev/urandom >"$TMP/cust.img"
{ head -c 6000000 /dev/urandom; head -c 8003584 /dev/zero; head -c 5000000 /dev/urandom;
  i=0; while [ $i -lt 1024 ]; do printf 'UbSm'; i=$((i+1)); done; } >"$TMP/system.raw"
img2simg "$TMP/system.raw" "$TMP/big-sparse.img" || { echo "Bail out! img2simg failed"; exit 1; }
simg2img "$TMP/big-sparse.img" "$TMP/system.expanded" || { echo "Bail out! simg2img failed"; exit 1; }
SYSSIZE=$(wc -c <"$TMP/system.expanded")

# --- AOSP fastboot -----------------------------------------------------------
start_sim "$TMP/aosp" || exit 1
FB="timeout 60 fastboot -s tcp:127.0.0.1:$PORT"
$FB getvar all >"$TMP/all.txt" 2>&1 && grep -q '^all:' "$TMP/all.txt" \
	&& grep -q '(bootloader) max-download-size:0x00400000' "$TMP/all.txt" \
	&& ok "fastboot getvar all" || { nok "fastboot getvar all"; cat "$TMP/all.txt"; }
$FB flash boot_a "$TMP/boot.img" >"$TMP/fb1.txt" 2>&1 \
	&& ok "fastboot flash boot_a" || { nok "fastboot flash boot_a"; cat "$TMP/fb1.txt"; }
$FB flash system_a "$TMP/big-sparse.img" >"$TMP/fb2.txt" 2>&1 \
	&& ok "fastboot flash system_a big-sparse.img" || { nok "fastboot flash system_a"; cat "$TMP/fb2.txt"; }
pieces=$(grep -c "Sending sparse 'system_a'" "$TMP/fb2.txt")
[ "$pieces" -ge 3 ] && ok "fastboot split it for max-download-size 4 MiB ($pieces pieces)" \
	|| nok "fastboot sent $pieces pieces"
$FB flash cust "$TMP/cust.img" >"$TMP/fb3.txt" 2>&1 && $FB erase cust >>"$TMP/fb3.txt" 2>&1 \
	&& ok "fastboot flash cust, erase cust" || { nok "fastboot erase cust"; cat "$TMP/fb3.txt"; }
$FB set_active b >"$TMP/fb4.txt" 2>&1 && ok "fastboot set_active b" || { nok "fastboot set_active b"; cat "$TMP/fb4.txt"; }
$FB reboot bootloader >"$TMP/fb5.txt" 2>&1 && ok "fastboot reboot bootloader" \
	|| { nok "fastboot reboot bootloader"; cat "$TMP/fb5.txt"; }
v=$($FB getvar current-slot 2>&1 | sed -n 's/^current-slot: //p')
[ "$v" = "b" ] && ok "the phone came back in the bootloader with slot b" || nok "current-slot after reboot: '$v'"
out=$($FB flash system "$TMP/boot.img" 2>&1)
echo "$out" | grep -q "'system_b'" && ok "fastboot flash system goes to system_b (client-side slot)" \
	|| nok "flash system: $out"

# re-enumeration as AOSP checks it: reconnect, then is-userspace must be yes
out=$($FB reboot fastboot 2>&1) && v=$($FB getvar is-userspace 2>&1 | sed -n 's/^is-userspace: //p') \
	&& [ "$v" = "yes" ] && ok "fastboot reboot fastboot finds fastbootd on the same port" \
	|| nok "reboot fastboot: $out / is-userspace '$v'"
$FB reboot bootloader >/dev/null 2>&1
v=$($FB getvar is-userspace 2>&1 | sed -n 's/^is-userspace: //p')
[ "$v" = "no" ] && ok "and reboot bootloader goes back" || nok "is-userspace after reboot bootloader: '$v'"

extract "$TMP/aosp" system_a "$SYSSIZE" | cmp -s - "$TMP/system.expanded" \
	&& ok "system_a holds exactly what simg2img expands" || nok "system_a differs from simg2img output"
extract "$TMP/aosp" boot_a 300000 | cmp -s - "$TMP/boot.img" \
	&& ok "boot_a holds boot.img" || nok "boot_a differs"
extract "$TMP/aosp" cust 65536 | cmp -s -n 65536 - /dev/zero \
	&& ok "cust is erased" || nok "cust is not zero"

# --- unbrick-cli, same sequence, fresh phone ----------------------------------
cli_todo=""
start_sim "$TMP/cli" || exit 1
DEV="tcp:127.0.0.1:$PORT"
timeout 60 "$CLI" fastboot --device "$DEV" getvar all >"$TMP/c0.txt" 2>&1 \
	&& ok "unbrick-cli fastboot getvar all" || todo "unbrick-cli fastboot getvar all" "$(tail -1 "$TMP/c0.txt")"
timeout 60 "$CLI" download --device "$DEV" boot_a="$TMP/boot.img" >"$TMP/c1.txt" 2>&1 \
	&& ok "unbrick-cli download boot_a" || nok "unbrick-cli download boot_a: $(tail -1 "$TMP/c1.txt")"
if timeout 60 "$CLI" download --device "$DEV" system_a="$TMP/big-sparse.img" >"$TMP/c2.txt" 2>&1; then
	ok "unbrick-cli download system_a=big-sparse.img"
elif grep -q "needs sparse splitting" "$TMP/c2.txt"; then
	# the engine refuses cleanly instead of splitting: issue 4 item 3, not done yet
	cli_todo="split a sparse image by max-download-size"
	todo "unbrick-cli download system_a=big-sparse.img" "$(tail -1 "$TMP/c2.txt")"
else
	nok "unbrick-cli download system_a: $(tail -1 "$TMP/c2.txt")"
fi
timeout 60 "$CLI" download --device "$DEV" cust="$TMP/cust.img" >"$TMP/c3.txt" 2>&1 \
	&& timeout 60 "$CLI" fastboot --device "$DEV" erase cust >>"$TMP/c3.txt" 2>&1 \
	&& ok "unbrick-cli download cust, fastboot erase cust" \
	|| nok "unbrick-cli erase cust: $(tail -1 "$TMP/c3.txt")"
timeout 60 "$CLI" fastboot --device "$DEV" set_active b >"$TMP/c4.txt" 2>&1 \
	&& ok "unbrick-cli fastboot set_active b" || nok "unbrick-cli fastboot set_active b: $(tail -1 "$TMP/c4.txt")"
timeout 60 "$CLI" fastboot --device "$DEV" reboot bootloader >"$TMP/c5.txt" 2>&1 \
	|| timeout 60 "$CLI" fastboot --device "$DEV" reboot-bootloader >"$TMP/c5.txt" 2>&1 \
	&& ok "unbrick-cli fastboot reboot bootloader" \
	|| nok "unbrick-cli fastboot reboot bootloader: $(tail -1 "$TMP/c5.txt")"
timeout 60 "$CLI" download --device "$DEV" system="$TMP/boot.img" >"$TMP/c6.txt" 2>&1 \
	&& grep -q "system_b" "$TMP/c6.txt" && ok "unbrick-cli download system= goes to system_b and says so" \
	|| nok "unbrick-cli download system=: $(tail -1 "$TMP/c6.txt")"
kill "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=""

same=1
for f in "$TMP"/aosp/*.img; do
	b=$(basename "$f")
	cmp -s "$f" "$TMP/cli/$b" || { same=0; echo "# $b differs: $(cmp "$f" "$TMP/cli/$b" 2>&1 | head -1)"; }
done
if [ $same -eq 1 ]; then
	ok "AOSP fastboot and unbrick-cli leave identical storage"
elif [ -n "$cli_todo" ]; then
	todo "AOSP fastboot and unbrick-cli leave identical storage" "unbrick-cli cannot $cli_todo yet"
else
	nok "AOSP fastboot and unbrick-cli leave identical storage"
fi
echo "1..$n"
exit $fail

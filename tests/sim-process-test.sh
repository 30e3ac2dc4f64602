#!/bin/sh
# unbrick-sim in its own process, as the README shows it: our CLI and Debian's
# AOSP fastboot client both talk to it over TCP, it keeps its storage between
# runs, and it stops cleanly on SIGTERM.
# Usage: sim-process-test.sh path/to/unbrick-sim path/to/unbrick-cli
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
	# a new file each time: the old one may still hold the last run's port
	starts=$((starts+1))
	OUT="$TMP/sim.$starts.out"
	"$SIM" --kind fastboot --storage "$TMP/phone" --emmc 8G --listen tcp:0 "$@" >"$OUT" 2>"$TMP/sim.err" &
	SIMPID=$!
	i=0
	# a complete ready line: the port may still be on its way
	while ! { grep -q '^tcp: .*:[0-9][0-9]*$' "$OUT" 2>/dev/null && [ -z "$(tail -c1 "$OUT")" ]; }; do
		i=$((i+1)); [ $i -gt 100 ] && { echo "# simulator did not start"; cat "$TMP/sim.err"; return 1; }
		sleep 0.05
	done
	PORT=$(sed -n 's/^tcp: .*:\([0-9]*\)$/\1/p' "$OUT")
}

start_sim || exit 1
ok "unbrick-sim prints its ready line (port $PORT)"

timeout 20 "$CLI" info --device "tcp:127.0.0.1:$PORT" --json >"$TMP/info.json" 2>"$TMP/info.err" \
	&& ok "unbrick-cli identifies it over TCP" || { nok "unbrick-cli info over TCP"; cat "$TMP/info.err"; }
grep -q '"serial"' "$TMP/info.json" && ok "info has a serial" || nok "info has a serial"

head -c 300000 /dev/urandom >"$TMP/boot.img"
timeout 20 "$CLI" download --device "tcp:127.0.0.1:$PORT" boot_a="$TMP/boot.img" >/dev/null 2>"$TMP/dl.err" \
	&& ok "unbrick-cli flashes and verifies over TCP" || { nok "download over TCP"; cat "$TMP/dl.err"; }

if command -v fastboot >/dev/null 2>&1; then
	v=$(timeout 20 fastboot -s "tcp:127.0.0.1:$PORT" getvar product 2>&1 | sed -n 's/^product: //p')
	[ "$v" = "unbrick_sim" ] && ok "AOSP fastboot getvar product" || nok "AOSP fastboot getvar product: '$v'"
	head -c 4096 /dev/urandom >"$TMP/dtbo.img"
	timeout 20 fastboot -s "tcp:127.0.0.1:$PORT" flash dtbo_b "$TMP/dtbo.img" >/dev/null 2>&1 \
		&& ok "AOSP fastboot flash dtbo_b" || nok "AOSP fastboot flash dtbo_b"
	timeout 20 "$CLI" readback --device "tcp:127.0.0.1:$PORT" -o "$TMP/back" dtbo_b >/dev/null 2>&1
	head -c 4096 "$TMP/back/dtbo_b.img" | cmp -s - "$TMP/dtbo.img" \
		&& ok "what AOSP fastboot wrote reads back through unbrick-cli" || nok "dtbo_b read back differs"
else
	echo "# fastboot not installed: AOSP client checks not run"
	exit 77
fi

kill -TERM "$SIMPID"
i=0
while kill -0 "$SIMPID" 2>/dev/null; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.05; done
kill -0 "$SIMPID" 2>/dev/null && nok "unbrick-sim stops on SIGTERM" || ok "unbrick-sim stops on SIGTERM"
SIMPID=""

# the storage folder keeps the data: a new process sees what was flashed
start_sim --fault nak=1 || exit 1
timeout 20 "$CLI" fastboot --device "tcp:127.0.0.1:$PORT" getvar product >/dev/null 2>"$TMP/nak.err"
rc=$?
# the first command of the session is refused with the injected FAIL
[ $rc -eq 1 ] && grep -q "simulated failure" "$TMP/nak.err" && ok "injected NAK fails the command (exit $rc)" \
	|| { nok "injected NAK: exit $rc: $(tr "\n" " " < "$TMP/nak.err")"; }
kill -TERM "$SIMPID"; wait "$SIMPID" 2>/dev/null; SIMPID=""
start_sim || exit 1
timeout 20 "$CLI" readback --device "tcp:127.0.0.1:$PORT" -o "$TMP/back3" boot_a >/dev/null 2>"$TMP/rb3.err" || sed "s/^/# /" "$TMP/rb3.err"
head -c 300000 "$TMP/back3/boot_a.img" | cmp -s - "$TMP/boot.img" \
	&& ok "storage survives a restart of the simulator" || nok "storage lost across restart"
echo "1..$n"
exit $fail

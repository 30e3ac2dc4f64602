#!/bin/sh
# Runs one usb-vm scenario: the simulated phone runs on the host (unbrick-sim
# --listen usbredir:SOCKET) and QEMU (TCG, Debian's kernel, the host's / over
# 9p read-only) plugs it into the guest's xHCI as a real USB device; the guest
# runs the scenario with the binaries of the host's build tree.
#
# usage: run-scenario.sh BUILDDIR NAME
# A scenario is scenarios/NAME.sh, sourced on the host and in the guest; it sets
# SIM_ARGS (unbrick-sim options besides --storage and --listen) and defines
#   host_prepare  (optional) on the host before the boot, e.g. a package
#   guest         in the guest; fails with a message
#   host_check    (optional) on the host after the guest: the phone's storage
# Exit 0 on pass, 1 on failure (also when the VM cannot start: the reason is printed).
set -u
HERE=$(cd "$(dirname "$0")" && pwd)
BUILD=$(cd "${1:?usage: run-scenario.sh BUILDDIR NAME}" && pwd)
NAME=${2:?usage: run-scenario.sh BUILDDIR NAME}
SCEN=$HERE/scenarios/$NAME.sh
T0=$(date +%s.%N)
since() { echo "$(date +%s.%N) $T0" | awk '{printf "%.1f", $1 - $2}'; }
fail() { echo "usb-vm: $NAME: FAIL: $*"; exit 1; }
[ -f "$SCEN" ] || fail "no scenario $SCEN"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
SIM=$BUILD/src/sim/unbrick-sim
CLI=$BUILD/src/cli/unbrick-cli
[ -x "$SIM" ] && [ -x "$CLI" ] || fail "build $SIM and $CLI first"
"$SIM" --help 2>&1 | grep -q usbredir || fail "unbrick-sim was built without usbredir (apt-get install libusbredirparser-dev, reconfigure)"

KDIR=$("$HERE/fetch-kernel.sh") || fail "cannot get Debian's kernel"
INITRD=$KDIR/initrd-unbrick.gz
if [ ! -e "$INITRD" ] || [ "$HERE/mkinitramfs.sh" -nt "$INITRD" ]; then
	"$HERE/mkinitramfs.sh" "$KDIR" "$INITRD" || fail "cannot build the initramfs"
fi

WORK=$(mktemp -d "$BUILD/usb-vm-$NAME-XXXXXX")
SIMPID=
WATCHPID=
cleanup() {
	[ -n "$WATCHPID" ] && kill "$WATCHPID" 2>/dev/null && wait "$WATCHPID" 2>/dev/null
	[ -n "$SIMPID" ] && kill "$SIMPID" 2>/dev/null && wait "$SIMPID" 2>/dev/null
	[ -n "${UBVM_KEEP:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT
export UBVM_WORK=$WORK UB_BUILD_DIR=$BUILD UBVM_SCENARIO=$SCEN UBVM_LIB=$HERE/scenarios/lib.sh
export XDG_CACHE_HOME=$WORK/cache XDG_DATA_HOME=$WORK/data XDG_CONFIG_HOME=$WORK/config
. "$HERE/scenarios/lib.sh"
. "$SCEN"
if command -v host_prepare >/dev/null; then
	host_prepare || fail "host_prepare failed"
fi

# the simulator listens before QEMU starts
# shellcheck disable=SC2086
"$SIM" $SIM_ARGS --storage "$WORK/phone" --listen "usbredir:$WORK/redir.sock" \
	> "$WORK/sim.out" 2> "$WORK/sim.log" &
SIMPID=$!
i=0
until grep -q '^usbredir:' "$WORK/sim.out" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] && kill -0 $SIMPID 2>/dev/null || { cat "$WORK/sim.log"; fail "unbrick-sim did not start"; }
	sleep 0.05
done
echo "$SIMPID" > "$WORK/sim.pid"

# the guest's cable: the guest cannot signal host processes, so it appends
# "in" or "out" to plug.req in the work folder (lib.sh: plug_in, pull_cable);
# this watcher polls it every 20 ms, sends unbrick-sim SIGUSR2 (plug in) or
# SIGUSR1 (pull), and appends "N in|out LATENCY_MS" to plug.ack, the latency
# from the request file's write (its mtime, the host's clock) to the signal.
# It ends with unbrick-sim or when the scenario is over (cleanup kills it).
plug_watcher() {
	done_n=0
	while kill -0 "$SIMPID" 2>/dev/null; do
		if [ -s "$WORK/plug.req" ]; then
			total=$(wc -l < "$WORK/plug.req")
			while [ "$done_n" -lt "$total" ]; do
				done_n=$((done_n + 1))
				req=$(sed -n "${done_n}p" "$WORK/plug.req")
				case $req in
				in) sig=USR2 ;;
				out) sig=USR1 ;;
				*) echo "$done_n $req ignored" >> "$WORK/plug.ack"; continue ;;
				esac
				kill -s "$sig" "$SIMPID" 2>/dev/null
				t_sig=$(date +%s.%N)
				t_req=$(stat -c %.9Y "$WORK/plug.req")
				echo "$done_n $req $(echo "$t_sig $t_req" | awk '{printf "%.1f", ($1 - $2) * 1000}')" \
					>> "$WORK/plug.ack"
			done
		fi
		sleep 0.02
	done
}
plug_watcher &
WATCHPID=$!

cat > "$WORK/guest.sh" <<EOG
export UBVM_WORK='$WORK' UB_BUILD_DIR='$BUILD' UBVM_SCENARIO='$SCEN' UBVM_LIB='$HERE/scenarios/lib.sh'
export XDG_CACHE_HOME='$WORK/cache' XDG_DATA_HOME='$WORK/data' XDG_CONFIG_HOME='$WORK/config'
UBVM_TRACE='${UBVM_TRACE:-}'
. "\$UBVM_LIB"
. "\$UBVM_SCENARIO"
echo "UBVM: guest ready at \$(cut -d' ' -f1 /proc/uptime) s of guest time"
set -e
[ -z "${UBVM_TRACE:-}" ] || set -x
guest
EOG

TBOOT=$(date +%s.%N)
timeout "${UBVM_TIMEOUT:-180}" qemu-system-x86_64 -M q35,accel=tcg -cpu max -m "${UBVM_MEM:-1024}" -smp 2 \
	-nodefaults -no-user-config -display none -serial stdio -no-reboot \
	-kernel "$KDIR/vmlinux" -initrd "$INITRD" \
	-append "console=ttyS0 quiet panic=-1 UBVM_WORK=$WORK" \
	-virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap \
	-virtfs "local,path=$WORK,mount_tag=work,security_model=none,multidevs=remap" \
	-device qemu-xhci,id=xhci -chardev "socket,id=ur,path=$WORK/redir.sock" \
	-device usb-redir,chardev=ur,bus=xhci.0 \
	< /dev/null > "$WORK/console.log" 2>&1
QRC=$?
echo "usb-vm: $NAME: QEMU ran $(echo "$(date +%s.%N) $TBOOT" | awk '{printf "%.1f", $1 - $2}') s (exit $QRC)"
sed -n 's/^.*\(UBVM: .*\)$/  \1/p' "$WORK/console.log"
grep -h '^UBVM' "$WORK/guest.log" 2>/dev/null | sed 's/^/  /'
if [ -s "$WORK/plug.ack" ]; then
	awk '{ n++; s += $3; if ($3 > m) m = $3 } END {
		printf "usb-vm: cable requests from the guest: %d, request -> signal mean %.1f ms, max %.1f ms\n", n, s / n, m }' \
		"$WORK/plug.ack"
fi
echo "usb-vm: $NAME: guest kernel, USB:"
grep -E 'usb [0-9-]+: (New USB device found|Product:)|qcserial|cdc_acm|ttyUSB|ttyACM|usbfs|disconnect|USB disconnect' \
	"$WORK/dmesg.txt" 2>/dev/null | sed 's/^/  /'
rc=1
if [ "$QRC" = 124 ]; then
	echo "usb-vm: $NAME: the VM timed out"
elif [ ! -e "$WORK/guest-rc" ]; then
	echo "usb-vm: $NAME: the guest did not run the scenario; console:"
	tail -40 "$WORK/console.log"
elif [ "$(cat "$WORK/guest-rc")" != 0 ]; then
	echo "usb-vm: $NAME: the guest part failed (exit $(cat "$WORK/guest-rc"))"
else
	rc=0
fi
if [ $rc = 0 ] && command -v host_check >/dev/null; then
	host_check || { echo "usb-vm: $NAME: host_check failed"; rc=1; }
fi
if [ $rc != 0 ]; then
	echo "--- guest.log"; tail -60 "$WORK/guest.log" 2>/dev/null
	echo "--- sim.log"; tail -40 "$WORK/sim.log"
	echo "--- console"; tail -15 "$WORK/console.log"
else
	grep -h 'usbredir' "$WORK/sim.log" | sed 's/^/  sim: /'
fi
echo "usb-vm: $NAME: $( [ $rc = 0 ] && echo PASS || echo FAIL ) in $(since) s"
exit $rc

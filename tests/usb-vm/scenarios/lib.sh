# Helpers for usb-vm scenarios (sourced on the host and in the guest).
CLI=$UB_BUILD_DIR/src/cli/unbrick-cli
DUMP=$UB_BUILD_DIR/tests/ub-sim-storage-dump

uptime_s() { read -r _up _idle < /proc/uptime && echo "$_up"; }
step() { echo "UBVM: $* [$(uptime_s) s]"; }
die() { echo "FAIL: $*"; exit 1; }

# usb_present VID PID: a device with these ids is on the bus
usb_present() {
	for d in /sys/bus/usb/devices/*; do
		[ "$(cat "$d/idVendor" 2>/dev/null)" = "$1" ] &&
			[ "$(cat "$d/idProduct" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# past SECONDS: TRUE once the guest's clock passed the deadline (TCG: processes are slow,
# so loops count time rather than rounds)
# (whole seconds, shell arithmetic only: every process costs in the guest)
deadline() { _now=$(uptime_s); echo $((${_now%.*} + $1)); }
past() { _now=$(uptime_s); [ "${_now%.*}" -ge "$1" ]; }

# wait_usb VID PID [SECONDS]
wait_usb() {
	end=$(deadline "${3:-20}")
	until usb_present "$1" "$2"; do
		past "$end" && die "$1:$2 did not appear on the bus"
		sleep 0.1
	done
}

# wait_usb_gone VID PID [SECONDS]
wait_usb_gone() {
	end=$(deadline "${3:-20}")
	while usb_present "$1" "$2"; do
		past "$end" && die "$1:$2 did not leave the bus"
		sleep 0.1
	done
}

# wait_dmesg PATTERN [SECONDS]: the kernel logged a line matching PATTERN (grep -E)
wait_dmesg() {
	end=$(deadline "${2:-10}")
	until dmesg | grep -qE "$1"; do
		past "$end" && die "no kernel line like '$1'"
		sleep 0.2
	done
	dmesg | grep -E "$1" | tail -1 | sed 's/^/UBVM:   dmesg: /'
}

# run_cli NAME ARGS...: the CLI, output in $UBVM_WORK/NAME.log, timed
run_cli() {
	name=$1
	shift
	t0=$(uptime_s)
	if ! "$CLI" "$@" > "$UBVM_WORK/$name.log" 2>&1; then
		tail -30 "$UBVM_WORK/$name.log"
		die "unbrick-cli $name failed"
	fi
	echo "UBVM: cli $name took $(echo "$(uptime_s) $t0" | awk '{printf "%.1f", $1 - $2}') s"
}

# same_prefix FILE1 FILE2: FILE2 starts with all of FILE1
same_prefix() {
	n=$(wc -c < "$1")
	head -c "$n" "$2" | cmp -s - "$1"
}

# start_udevd: libusb's hotplug (Debian's libusb uses udev) sees devices that
# arrive later, e.g. a phone re-enumerating, only with udevd running
start_udevd() {
	[ -x /lib/systemd/systemd-udevd ] || die "systemd-udevd is missing (apt-get install udev)"
	/lib/systemd/systemd-udevd --daemon || die "systemd-udevd did not start"
	step "systemd-udevd running"
}

# demo_matches KIND PARTITION FILE: FILE starts with the demo package's image for PARTITION
demo_matches() {
	set -- "$3" $("$DUMP" demo "$1" "$2") "" ""
	[ -n "$3" ] || return 1
	[ "$(head -c "$2" "$1" | sha256sum | cut -d' ' -f1)" = "$3" ]
}

# storage_matches KIND PARTITION: the simulated phone's PARTITION holds the demo image (host)
storage_matches() {
	set -- "$2" $("$DUMP" demo "$1" "$2") "" ""
	[ -n "$3" ] || { echo "  host: no demo image for $1"; return 1; }
	got=$("$DUMP" sha256 "$UBVM_WORK/phone" "$1" "$2" | cut -d' ' -f1)
	[ "$got" = "$3" ] || { echo "  host: storage $1: $got, wanted $3"; return 1; }
}

# storage_has PARTITION FILE: the simulated phone's PARTITION starts with FILE (host)
storage_has() {
	want=$(sha256sum < "$2" | cut -d' ' -f1)
	got=$("$DUMP" sha256 "$UBVM_WORK/phone" "$1" "$(wc -c < "$2")" | cut -d' ' -f1)
	[ "$got" = "$want" ] || { echo "  host: storage $1: $got, wanted $want ($2)"; return 1; }
}

# MediaTek preloader caught within its window: two rounds without udevd (libusb
# hears of no arrival: our monitor polls), then with udevd running in the guest
# for libusb's hotplug. The phone starts with the cable out (--plug signal). Each round:
# `unbrick-cli info --device wait` is started first, then 0-500 ms after it says
# it waits the phone is plugged in in preloader mode (0e8d:2000, CDC ACM:
# cdc_acm binds it as ttyACM0 first); a preloader nobody handshakes with leaves
# the bus after 3 s. The CLI must detach cdc_acm, handshake and identify the
# chip every time; then the cable is pulled for the next round. The simulator
# logs the plug and the first byte from the host, so host_check reports the
# time from arrival to the first handshake byte of every round.
SIM_ARGS="--kind mtk --emmc 256M --mtk-mode preloader --plug signal"
CATCHES=${UBVM_CATCHES:-5}
NO_UDEVD_CATCHES=2

# catch_round N: one catch; the CLI's answer in catchN.log
catch_round() {
	log=$UBVM_WORK/catch$1.log
	# (the engine's debug lines say how many handshake attempts it took)
	G_MESSAGES_DEBUG=UbMtk "$CLI" info --device wait > "$log" 2>&1 &
	cli=$!
	end=$(deadline 20)
	until grep -q "Waiting for a MediaTek phone" "$log"; do
		past "$end" && { cat "$log"; die "round $1: the CLI did not say it waits"; }
		sleep 0.05
	done
	# the phone arrives 0-500 ms after the CLI began to wait
	ms=$(($(od -An -N2 -tu2 /dev/urandom) % 501))
	sleep "$((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
	plug_in
	wait "$cli" || { cat "$log"; die "round $1: unbrick-cli info --device wait failed"; }
	grep -q "connected-to *preloader" "$log" || { cat "$log"; die "round $1: not caught in preloader mode"; }
	grep -q "^Chip: MT6765" "$log" && grep -q "hw-code *0x0766" "$log" ||
		{ cat "$log"; die "round $1: wrong chip"; }
	step "round $1: plugged in ${ms} ms after the wait began; cli: $(sed -n 's/^Chip: //p' "$log"), hw code $(sed -n 's/^ *hw-code *//p' "$log"), $(grep -o 'handshake done after .*' "$log")"
	pull_cable
	wait_usb_gone 0e8d 2000 10
}

guest() {
	[ -e /run/udev/control ] && die "udevd is running"
	# the kernel's bind/unbind events: cdc_acm, then usbfs (our CLI), then cdc_acm again
	# (udevadm refuses to run in a chroot unless told it is fine)
	SYSTEMD_IGNORE_CHROOT=1 udevadm monitor --kernel --property --subsystem-match=usb \
		> "$UBVM_WORK/uevents.log" 2>&1 &
	mon=$!
	sleep 0.5
	usb_present 0e8d 2000 && die "the phone is on the bus before it was plugged in"
	i=0
	while [ $i -lt "$CATCHES" ]; do
		i=$((i + 1))
		# the first rounds without udevd (containers, minimal systems): libusb hears
		# of no arrival, our monitor polls; the rest with udevd: libusb's hotplug
		if [ $i = $((NO_UDEVD_CATCHES + 1)) ]; then
			start_udevd
		elif [ $i = 1 ]; then
			step "no udevd: libusb gets no hotplug events, our monitor polls"
		fi
		catch_round $i
	done
	kill "$mon" 2>/dev/null || true
	step "caught $i of $CATCHES"

	# the kernel side: cdc_acm bound the preloader first, usbfs took it over for our CLI
	n_acm=$(dmesg | grep -cE 'cdc_acm [0-9-]+:1\.0: ttyACM0: USB ACM device')
	n_usbfs=$(dmesg | grep -cE 'cdc_acm [0-9-]+:1\.[01]: disconnect by usbfs')
	dmesg | grep -E 'ttyACM0: USB ACM device|disconnect by usbfs' | head -3 | sed 's/^/UBVM:   dmesg: /'
	step "dmesg: cdc_acm bound ttyACM0 $n_acm times, was detached by usbfs $n_usbfs times"
	[ "$n_acm" -ge "$CATCHES" ] || die "cdc_acm did not bind every arrival"
	[ "$n_usbfs" -ge "$CATCHES" ] || die "no 'disconnect by usbfs' for every catch"
	# the kernel's uevents of the two interfaces: bind cdc_acm at the arrival, unbind
	# while the device stays on the bus (our CLI took it: usbfs claims send no uevent),
	# remove when the cable is pulled
	awk 'function out() { if (ev != "" && dev ~ /:1\.[01]$/) print ts, ev, dev, drv }
		/^KERNEL\[/ { out(); ts = $1; ev = $2; n = split($3, p, "/"); dev = p[n]; drv = "" }
		/^DRIVER=/ { drv = $0 } END { out() }' "$UBVM_WORK/uevents.log" > "$UBVM_WORK/drivers.log"
	grep -E ' (bind|unbind|remove) ' "$UBVM_WORK/drivers.log" | head -6 | sed 's/^/UBVM:   uevent: /'
	n_unbind=$(grep -c ' unbind [0-9-]*:1\.0' "$UBVM_WORK/drivers.log")
	step "uevents: interface 0 of the preloader unbound from cdc_acm $n_unbind times"
	[ "$n_unbind" -ge "$CATCHES" ] || die "cdc_acm was not unbound at every catch"
}

host_check() {
	# arrival (the plug, as QEMU is told) -> first byte from the host, per round
	grep -o 'first data from the host [0-9.]* ms after the plug (0x[0-9a-f]*' "$UBVM_WORK/sim.log" |
		awk '{ print $6, $NF }' > "$UBVM_WORK/latency"
	n=$(grep -c 'plugged in as 0e8d:2000' "$UBVM_WORK/sim.log")
	echo "  host: $n plugs; plug -> first handshake byte (ms):" $(cut -d' ' -f1 "$UBVM_WORK/latency")
	[ "$(wc -l < "$UBVM_WORK/latency")" = "$CATCHES" ] || { echo "  host: not every plug got a byte"; return 1; }
	grep -qv '(0xa0$' "$UBVM_WORK/latency" && { echo "  host: a first byte was not 0xA0"; return 1; }
	booted=$(grep -c 'booted on and left the bus' "$UBVM_WORK/sim.log")
	[ "$booted" = 0 ] || { echo "  host: a preloader booted on (missed) $booted times"; return 1; }
	sort -n "$UBVM_WORK/latency" | awk '{ v[NR] = $1 } END {
		printf "  host: arrival -> first handshake byte min/median/max %.0f/%.0f/%.0f ms (window 3000 ms)\n",
			v[1], v[int((NR + 1) / 2)], v[NR] }'
}

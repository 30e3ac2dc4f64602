# The cable pulled in the middle of a write: the simulated fastboot phone leaves
# the bus after 3 MB of an 8 MB download (--fault disconnect-after). unbrick-cli
# must fail with a clear message, at once, and not hang.
SIM_ARGS="--kind fastboot --no-text --fault disconnect-after=3000000"

host_prepare() {
	head -c 8000000 /dev/urandom > "$UBVM_WORK/big.img"
}

guest() {
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	t0=$(uptime_s)
	rc=0
	timeout 60 "$CLI" download --device usb:18d1:4ee0 boot_a="$UBVM_WORK/big.img" \
		> "$UBVM_WORK/download.log" 2>&1 || rc=$?
	step "unbrick-cli ended with exit $rc after $(echo "$(uptime_s) $t0" | awk '{printf "%.1f", $1 - $2}') s"
	[ $rc != 124 ] || die "unbrick-cli hung after the unplug"
	[ $rc != 0 ] || die "unbrick-cli succeeded without the phone"
	grep "^Error" "$UBVM_WORK/download.log" | sed 's/^/UBVM:   cli: /'
	grep -qiE "gone|unplugged|disconnected|no device" "$UBVM_WORK/download.log" ||
		{ tail "$UBVM_WORK/download.log"; die "the error does not say the phone went away"; }
	wait_dmesg 'USB disconnect' 2
	usb_present 18d1 4ee0 && die "the phone is still on the bus"
	step "the phone left the bus and the CLI said so"
}

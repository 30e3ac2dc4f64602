# The factory image of fastboot-flashall.sh, flashed by Debian's AOSP fastboot
# (`fastboot update --skip-reboot image-*.zip`, then `reboot bootloader`) into a
# fresh Pixel-like phone over real USB: it flashes the bootloader partitions,
# reboots into fastbootd itself (the phone enumerates again), sends
# super_empty.img (update-super), resizes and writes the logical partitions;
# then back to the bootloader. The host checks the storage like
# fastboot-flashall.sh and compares it with a third phone that unbrick-cli
# flashes from the same package on the host (in-process simulator): every
# bootloader partition byte for byte, the logical partitions' data.
# --no-text: Debian's fastboot 29 aborts on TEXT replies.
SIM_ARGS="--kind fastboot --layout pixel --no-text"
PKG_REL=factory

host_prepare() {
	flashall_package "$UBVM_WORK/$PKG_REL" unbrick_sim || return 1
	[ -e "$UBVM_WORK/$PKG_REL-out/super_empty.img" ]
}

enumerations() { dmesg | grep -c 'New USB device found, idVendor=18d1, idProduct=4ee0'; }

# fb NAME ARGS...: Debian's fastboot, output in $UBVM_WORK/NAME.log, timed
fb() {
	_name=$1
	shift
	_t0=$(uptime_s)
	fastboot -s UBSIM0001 "$@" > "$UBVM_WORK/$_name.log" 2>&1 ||
		{ tail -20 "$UBVM_WORK/$_name.log"; die "fastboot $* failed"; }
	echo "UBVM: fastboot $_name took $(echo "$(uptime_s) $_t0" | awk '{printf "%.1f", $1 - $2}') s"
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	command -v fastboot > /dev/null || die "Debian's fastboot is missing (apt-get install fastboot)"
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	fb before getvar is-userspace
	grep -q "is-userspace: *no" "$UBVM_WORK/before.log" || die "not in the bootloader at the start"
	fb update update --skip-reboot "$PKG"/image-unbrick_sim-*.zip
	for line in "Writing 'boot_a'" "Writing 'dtbo_a'" "Writing 'vbmeta_a'" "Writing 'vendor_boot_a'" \
		"Rebooting into fastboot" "Updating super partition" "Writing 'system_a'" \
		"Writing 'vendor_a'" "Writing 'product_a'"; do
		log_has update "$line"
	done
	grep -E "Rebooting|Updating super|Writing|Resizing" "$UBVM_WORK/update.log" |
		sed 's/  */ /g; s/^/UBVM:   fastboot: /'
	fb userspace getvar is-userspace
	grep -q "is-userspace: *yes" "$UBVM_WORK/userspace.log" || die "not in fastbootd after the update"
	fb reboot reboot bootloader
	wait_usb 18d1 4ee0 20
	fb after getvar is-userspace
	grep -q "is-userspace: *no" "$UBVM_WORK/after.log" || die "not back in the bootloader"
	n=$(enumerations)
	echo "UBVM:   enumerations of 18d1:4ee0: $n (bootloader, fastbootd, bootloader)"
	[ "$n" = 3 ] || die "18d1:4ee0 enumerated $n times, wanted 3"
	step "AOSP fastboot: update through fastbootd, back in the bootloader"
}

host_check() {
	OUT=$UBVM_WORK/$PKG_REL-out
	flashall_check_storage "$UBVM_WORK/phone" "$OUT" || return 1
	# a third phone, fresh, flashed by unbrick-cli in-process from the same package
	UB_SIM_LAYOUT=pixel "$CLI" fastboot --device "sim:fastboot:$UBVM_WORK/phone-ours" flashall \
		"$UBVM_WORK/$PKG_REL" > "$UBVM_WORK/ours.log" 2>&1 || { tail "$UBVM_WORK/ours.log"; return 1; }
	for p in boot_a dtbo_a vbmeta_a vendor_boot_a boot_b dtbo_b vbmeta_b; do
		a=$("$DUMP" sha256 "$UBVM_WORK/phone" "$p")
		b=$("$DUMP" sha256 "$UBVM_WORK/phone-ours" "$p")
		[ "$a" = "$b" ] || { echo "  host: $p differs: AOSP $a, unbrick $b"; return 1; }
	done
	for p in system vendor product; do
		n=$(wc -c < "$OUT/$p.img")
		a=$(logical_sha256 "$UBVM_WORK/phone" "${p}_a" "$n")
		b=$(logical_sha256 "$UBVM_WORK/phone-ours" "${p}_a" "$n")
		[ "$a" = "$b" ] || { echo "  host: logical ${p}_a differs: AOSP $a, unbrick $b"; return 1; }
	done
	echo "  host: AOSP fastboot's phone equals unbrick-cli's: boot, dtbo, vbmeta (both slots),"
	echo "  host:   vendor_boot_a byte for byte; system_a, vendor_a, product_a (data in super)"
	# the one difference: AOSP fastboot resizes every logical partition of the
	# images to 0 before writing, the other slot's too (system_b, vendor_b)
	for p in system_b vendor_b; do
		a=$(sed -n "/^\[logical $p\]/,/^\[/s/^extents=//p" "$UBVM_WORK/phone/super-lp.ini")
		b=$(sed -n "/^\[logical $p\]/,/^\[/s/^extents=//p" "$UBVM_WORK/phone-ours/super-lp.ini")
		echo "  host: $p extents: AOSP '${a}', unbrick '${b}'"
	done
	return 0
}

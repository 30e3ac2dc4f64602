# fastboot flashall over real USB with unbrick-cli, through fastbootd and back:
# a Google-style factory image (lib.sh flashall_package: boot, dtbo, vbmeta,
# vendor_boot for the bootloader; super_empty.img; system, vendor, product,
# logical partitions in super) into a Pixel-like phone (--layout pixel).
# The bootloader does not list the logical partitions, so the job reboots the
# phone into fastbootd by itself (it leaves the bus and enumerates again),
# updates super from super_empty.img, writes and verifies system/vendor/product
# of the current slot, and the package's reboot-bootloader brings it back (a
# third enumeration). is-userspace is "no" before and after. The host reads
# the logical partitions out of super and the bootloader partitions.
# fastboot-flashall-aosp.sh flashes the same package with Debian's fastboot.
SIM_ARGS="--kind fastboot --layout pixel"
PKG_REL=factory

host_prepare() {
	flashall_package "$UBVM_WORK/$PKG_REL" unbrick_sim || return 1
	[ -e "$UBVM_WORK/$PKG_REL-out/super_empty.img" ]
}

# enumerations: how often 18d1:4ee0 enumerated in the guest
enumerations() { dmesg | grep -c 'New USB device found, idVendor=18d1, idProduct=4ee0'; }

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	# the phone re-enumerates during the job; no udevd here (libusb gets no
	# hotplug events, as in a container): each reconnect lists the bus through a
	# fresh libusb context (the MediaTek scenarios run with udevd)
	[ -e /run/udev/control ] && die "udevd is running"
	run_cli before fastboot --device usb:18d1:4ee0 getvar is-userspace
	grep -q "is-userspace: no" "$UBVM_WORK/before.log" ||
		{ cat "$UBVM_WORK/before.log"; die "not in the bootloader at the start"; }
	[ "$(enumerations)" = 1 ] || die "18d1:4ee0 enumerated $(enumerations) times before the job"
	step "bootloader: is-userspace: no"

	run_cli flashall fastboot --device usb:18d1:4ee0 flashall "$PKG"
	for line in "product is unbrick_sim: the package is for this phone" \
		"verified boot_a" "verified dtbo_a" "verified vbmeta_a" "verified vendor_boot_a" \
		"rebooted to fastboot" "updated the layout of super from" \
		"system is a logical partition in super: using system_a (the current slot)" \
		"verified system_a" "verified vendor_a" "verified product_a" "rebooted to bootloader"; do
		log_has flashall "$line"
	done
	grep -E "rebooted|updated the layout|verified" "$UBVM_WORK/flashall.log" | sed 's/^ */UBVM:   cli: /'

	wait_usb 18d1 4ee0 20
	run_cli after fastboot --device usb:18d1:4ee0 getvar is-userspace
	grep -q "is-userspace: no" "$UBVM_WORK/after.log" ||
		{ cat "$UBVM_WORK/after.log"; die "not back in the bootloader"; }
	n=$(enumerations)
	echo "UBVM:   enumerations of 18d1:4ee0: $n (bootloader, fastbootd, bootloader)"
	[ "$n" = 3 ] || die "18d1:4ee0 enumerated $n times, wanted 3"
	step "back in the bootloader: is-userspace: no"
}

host_check() {
	flashall_check_storage "$UBVM_WORK/phone" "$UBVM_WORK/$PKG_REL-out" || return 1
	n=$(grep -c 'plugged in as 18d1:4ee0' "$UBVM_WORK/sim.log")
	[ "$n" = 3 ] || { echo "  host: the simulator plugged in $n times, wanted 3"; return 1; }
	echo "  host: boot_a, dtbo_a, vbmeta_a, vendor_boot_a and, inside super, system_a,"
	echo "  host:   vendor_a, product_a hold the package; the phone plugged in 3 times"
}

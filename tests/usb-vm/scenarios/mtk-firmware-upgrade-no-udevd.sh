# The MediaTek Firmware Upgrade of mtk-firmware-upgrade.sh without udevd in the
# guest (some containers, minimal systems; the Flatpak sandbox gets no udev
# events either): libusb hears of no device arriving, so a libusb context knows
# only the devices present when it was created. After the DA's speed switch the
# phone re-enumerates as 0e8d:2001: the CLI must find it by listing the bus
# through a new context and run the transfers on that context, or it reports
# "no MediaTek phone in mtk-da mode appeared within 15 s".
. "${UBVM_SCENARIO%/*}/mtk-firmware-upgrade.sh"

# the guest of mtk-firmware-upgrade.sh, with udevd kept out
start_udevd() {
	[ -e /run/udev/control ] && die "udevd is running"
	step "no udevd: libusb gets no hotplug events"
}

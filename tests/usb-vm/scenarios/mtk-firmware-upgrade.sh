# MediaTek: a phone in BootROM mode (0e8d:0003, USB full speed, CDC ACM), the
# demo's older layout and its own calibration data. cdc_acm binds first;
# unbrick-cli detaches it, handshakes, uploads the DA, which switches to high
# speed: the phone re-enumerates as 0e8d:2001 and the CLI follows it, then runs
# Firmware Upgrade of the demo scatter (calibration backed up, restored, compared).
SIM_ARGS="--kind mtk --full-speed"
PKG_REL=cache/unbrick/demo/demo_scatter

host_prepare() {
	host_demo mtk || return 1
	[ -e "$UBVM_WORK/$PKG_REL/MT6765_Android_scatter.txt" ] || return 1
	"$UB_BUILD_DIR/tests/ub-usb-vm-prepare" mtk "$UBVM_WORK/phone" || return 1
	"$DUMP" sha256 "$UBVM_WORK/phone" nvram > "$UBVM_WORK/nvram.before"
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 0e8d 0003 20
	step "0e8d:0003 on the bus"
	wait_dmesg 'cdc_acm .*ttyACM0: USB ACM device'
	start_udevd
	run_cli download download --device usb:0e8d:0003 --da "$PKG/MTK_AllInOne_DA_demo.bin" \
		--mode firmware-upgrade "$PKG/MT6765_Android_scatter.txt"
	grep -E "2001|re-enumerat|high speed|USB speed" "$UBVM_WORK/download.log" | head -3 | sed 's/^/UBVM:   cli: /'
	# libusb took the data interface from cdc_acm (usbfs says so) to claim it
	wait_dmesg 'cdc_acm [0-9-]+:1.1: disconnect by usbfs' 2
	wait_dmesg 'idProduct=2001' 2
	step "Firmware Upgrade done"
}

host_check() {
	for p in lk boot vbmeta; do
		storage_matches mtk "$p" || return 1
	done
	# the calibration data came through the layout change unchanged
	before=$(cut -d' ' -f1 "$UBVM_WORK/nvram.before")
	after=$("$DUMP" sha256 "$UBVM_WORK/phone" nvram | cut -d' ' -f1)
	[ "$before" = "$after" ] || { echo "  host: nvram changed: $before -> $after"; return 1; }
	echo "  host: lk, boot, vbmeta hold the scatter's images; nvram kept its data at its new place"
}

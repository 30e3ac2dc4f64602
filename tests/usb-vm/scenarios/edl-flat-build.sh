# Qualcomm EDL: the demo UFS flat build over real USB. qcserial binds 05c6:9008
# first; unbrick-cli detaches it, runs Sahara + Firehose, flashes and verifies;
# a second session reads back; the host checks the phone's storage.
SIM_ARGS="--kind edl --ufs 3:64M"
PKG_REL=cache/unbrick/demo/demo_flat_build

host_prepare() {
	# the CLI's own demo writes the flat build to the cache (and checks it in-process)
	host_demo edl || return 1
	[ -e "$UBVM_WORK/$PKG_REL/rawprogram0.xml" ] || return 1
	# a phone with wiped flash, as in the demo: the flat build brings the partition tables
	host_wiped_phone
	[ -e "$UBVM_WORK/phone/lun2.img" ]
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 05c6 9008 20
	step "05c6:9008 on the bus"
	wait_dmesg 'qcserial .*converter detected'
	wait_dmesg 'converter now attached to ttyUSB'
	run_cli download download --device usb:05c6:9008 --loader "$PKG/prog_firehose_demo.elf" \
		"$PKG/rawprogram0.xml"
	grep -q "verified\|Verified\|verify" "$UBVM_WORK/download.log" || die "download did not verify"
	# libusb took the interface from qcserial (usbfs says so) to claim it
	wait_dmesg 'qcserial [0-9-]+:1.0: disconnect by usbfs' 2
	wait_dmesg 'converter now disconnected from ttyUSB0' 2
	run_cli readback readback --device usb:05c6:9008 --loader "$PKG/prog_firehose_demo.elf" \
		-o "$UBVM_WORK/back" boot_a system
	for p in boot_a system; do
		demo_matches edl "$p" "$UBVM_WORK/back/$p.img" || die "$p read back differs from the package"
	done
	step "read back boot_a and system (sparse in the package): equal to the package"
}

host_check() {
	PKG=$UBVM_WORK/$PKG_REL
	for p in boot_a boot_b vbmeta_a vbmeta_b system xbl xbl_config; do
		storage_matches edl "$p" || return 1
	done
	echo "  host: the phone's storage holds boot_a/b, vbmeta_a/b, system, xbl, xbl_config of the package"
}

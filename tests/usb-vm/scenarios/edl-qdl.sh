# An outside client over real USB: Debian's qdl (usbfs ioctls and libudev, no
# libusb) flashes the demo flat build into the simulated 9008 phone; the
# storage it leaves must hold what unbrick-cli leaves (edl-flat-build checks the
# same partitions). qdl 2022 cannot unpack sparse images: system.img is expanded.
SIM_ARGS="--kind edl --ufs 3:64M"
FLAT_REL=qdl-flat

host_prepare() {
	host_demo edl || return 1
	fb=$UBVM_WORK/cache/unbrick/demo/demo_flat_build
	mkdir "$UBVM_WORK/$FLAT_REL"
	cp "$fb"/*.xml "$fb"/*.bin "$fb"/*.img "$fb"/*.elf "$UBVM_WORK/$FLAT_REL/"
	simg2img "$fb/system.img" "$UBVM_WORK/$FLAT_REL/system.img" || return 1
	sed -i 's/\(filename="system.img"[^>]*\)sparse="true"/\1sparse="false"/' \
		"$UBVM_WORK/$FLAT_REL/rawprogram0.xml"
	# wiped flash, as in edl-flat-build
	host_wiped_phone
}

guest() {
	wait_usb 05c6 9008 20
	step "05c6:9008 on the bus"
	wait_dmesg 'converter now attached to ttyUSB'
	command -v qdl > /dev/null || die "Debian's qdl is missing (apt-get install qdl)"
	cd "$UBVM_WORK/$FLAT_REL"
	t0=$(uptime_s)
	timeout 120 qdl --storage ufs prog_firehose_demo.elf rawprogram0.xml rawprogram1.xml \
		rawprogram2.xml patch0.xml patch1.xml patch2.xml > "$UBVM_WORK/qdl.log" 2>&1 ||
		{ tail -20 "$UBVM_WORK/qdl.log"; die "qdl failed"; }
	step "qdl flashed the flat build (since $t0 s)"
	# qdl unbinds qcserial through usbfs (USBDEVFS_DISCONNECT_CLAIM or IOCTL_DISCONNECT)
	dmesg | grep -E 'converter now disconnected|usbfs' | tail -2 | sed 's/^/UBVM:   dmesg: /'
}

host_check() {
	for p in boot_a boot_b vbmeta_a vbmeta_b system xbl xbl_config; do
		storage_matches edl "$p" || return 1
	done
	echo "  host: qdl left boot_a/b, vbmeta_a/b, system, xbl, xbl_config as unbrick-cli does"
}

# Benchmark (not a test): MediaTek over the guest kernel's xHCI: the BootROM
# (0e8d:0003, full speed), the demo DA uploaded, the switch to high speed
# (0e8d:2001), then XFlash. The phone (eMMC) has a "bench" partition of exactly
# BENCH_MIB MiB in place of userdata; unbrick-cli writes the image to it
# without verify, reads it back, the guest compares. The image is in tmpfs.
SIM_ARGS="--kind mtk --full-speed --emmc 4G"
PKG_REL=cache/unbrick/demo/demo_scatter

host_prepare() {
	host_demo mtk || return 1
	[ -e "$UBVM_WORK/$PKG_REL/MTK_AllInOne_DA_demo.bin" ] || return 1
	[ -e "$UBVM_WORK/$PKG_REL/preloader_unbrick_demo.bin" ] || return 1
	"$UB_BUILD_DIR/src/sim/unbrick-sim" $SIM_ARGS --storage "$UBVM_WORK/phone" --listen none \
		> /dev/null 2>&1
	bench_gpt "$UBVM_WORK/phone/user.img"
}

guest() {
	DA=$UBVM_WORK/$PKG_REL/MTK_AllInOne_DA_demo.bin
	# caught in BootROM mode: the DA sets up DRAM with the preloader's EMI settings
	PL=$UBVM_WORK/$PKG_REL/preloader_unbrick_demo.bin
	wait_usb 0e8d 0003 20
	step "0e8d:0003 on the bus"
	wait_dmesg 'cdc_acm .*ttyACM0: USB ACM device'
	start_udevd
	bench_image_to_tmpfs
	bytes=$(wc -c < /tmp/bench.img)
	bench_cli mtk-write "$bytes" download --no-verify --device usb:0e8d:0003 --da "$DA" \
		--preloader "$PL" bench=/tmp/bench.img
	wait_usb 0e8d 2001 20
	bench_cli mtk-read "$bytes" readback --device usb:0e8d:2001 --da "$DA" --preloader "$PL" -o /tmp/back bench
	cmp -s /tmp/bench.img /tmp/back/bench.img || die "the read back differs from the image"
	rm -rf /tmp/back
	step "unbrick-cli wrote and read back $bytes bytes: equal"
}

host_check() {
	storage_has bench "$BENCH_IMG" || return 1
	echo "  host: the bench partition holds the image"
}

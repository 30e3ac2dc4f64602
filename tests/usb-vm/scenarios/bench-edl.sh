# Benchmark (not a test): Qualcomm EDL (Sahara + Firehose) over the guest
# kernel's xHCI. The phone (eMMC) has a "bench" partition of exactly BENCH_MIB
# MiB in place of userdata; unbrick-cli writes the image to it without verify,
# reads it back, the guest compares. The image is in the guest's tmpfs.
SIM_ARGS="--kind edl --emmc 2G"
PKG_REL=cache/unbrick/demo/demo_flat_build

host_prepare() {
	# the demo's Firehose programmer
	host_demo edl || return 1
	[ -e "$UBVM_WORK/$PKG_REL/prog_firehose_demo.elf" ] || return 1
	"$UB_BUILD_DIR/src/sim/unbrick-sim" $SIM_ARGS --storage "$UBVM_WORK/phone" --listen none \
		> /dev/null 2>&1
	bench_gpt "$UBVM_WORK/phone/user.img"
}

guest() {
	PROG=$UBVM_WORK/$PKG_REL/prog_firehose_demo.elf
	wait_usb 05c6 9008 20
	step "05c6:9008 on the bus"
	wait_dmesg 'converter now attached to ttyUSB'
	bench_image_to_tmpfs
	bytes=$(wc -c < /tmp/bench.img)
	bench_cli edl-info 0 info --device usb:05c6:9008 --loader "$PROG" --storage emmc
	bench_cli edl-write "$bytes" download --no-verify --device usb:05c6:9008 --loader "$PROG" \
		--storage emmc bench=/tmp/bench.img
	bench_cli edl-read "$bytes" readback --device usb:05c6:9008 --loader "$PROG" --storage emmc \
		-o /tmp/back bench
	cmp -s /tmp/bench.img /tmp/back/bench.img || die "the read back differs from the image"
	rm -rf /tmp/back
	step "unbrick-cli wrote and read back $bytes bytes: equal"
}

host_check() {
	storage_has bench "$BENCH_IMG" || return 1
	echo "  host: the bench partition holds the image"
}

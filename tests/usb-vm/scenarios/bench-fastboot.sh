# Benchmark (not a test): fastboot over the guest kernel's xHCI. The phone's
# userdata is replaced by a "bench" partition of exactly BENCH_MIB MiB;
# unbrick-cli writes the image to it without verify (download --no-verify),
# reads it back (readback: fetch in max-fetch-size pieces), the guest compares;
# then Debian's AOSP fastboot flashes the same image (it splits it by
# max-download-size, 256 MiB). The image is in the guest's tmpfs, not on 9p.
SIM_ARGS="--kind fastboot --no-text --emmc 2G"

host_prepare() {
	"$UB_BUILD_DIR/src/sim/unbrick-sim" $SIM_ARGS --storage "$UBVM_WORK/phone" --listen none \
		> /dev/null 2>&1
	bench_gpt "$UBVM_WORK/phone/user.img"
}

guest() {
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	bench_image_to_tmpfs
	bytes=$(wc -c < /tmp/bench.img)
	bench_cli fastboot-info 0 info --device usb:18d1:4ee0
	bench_cli fastboot-write "$bytes" download --no-verify --device usb:18d1:4ee0 bench=/tmp/bench.img
	bench_cli fastboot-read "$bytes" readback --device usb:18d1:4ee0 -o /tmp/back bench
	cmp -s /tmp/bench.img /tmp/back/bench.img || die "the read back differs from the image"
	rm -rf /tmp/back
	step "unbrick-cli wrote and read back $bytes bytes: equal"
	bench_note fastboot "$(grep -ciE 'sparse|piece|split' "$UBVM_WORK/fastboot-write.log") lines of the CLI mention sparse pieces"

	command -v fastboot > /dev/null || die "Debian's fastboot is missing (apt-get install fastboot)"
	_t0=$(uptime_s)
	fastboot -s UBSIM0001 flash bench /tmp/bench.img > "$UBVM_WORK/aosp.log" 2>&1 ||
		{ cat "$UBVM_WORK/aosp.log"; die "AOSP fastboot flash failed"; }
	bench_result aosp-fastboot-write "$bytes" "$(bench_secs "$_t0")"
	bench_note aosp-fastboot "$(grep -c "^Sending sparse" "$UBVM_WORK/aosp.log") sparse pieces: $(grep -m1 "^Sending" "$UBVM_WORK/aosp.log")"
}

host_check() {
	storage_has bench "$BENCH_IMG" || return 1
	echo "  host: the bench partition holds the image"
}

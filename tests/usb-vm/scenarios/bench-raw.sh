# Benchmark (not a test): raw bulk throughput of the guest kernel's xHCI, usbfs
# and QEMU's usb-redir, no protocol on top. The device is not unbrick-sim but
# tests/bench/ub-bench-usbredir-sink (1209:0001, pid.codes' test id, one
# ff/ff/ff interface, bulk 0x01/0x81, 512-byte packets), started by
# run-scenario.sh in the simulator's place (it takes the same --storage and
# --listen). The guest's ub-bench-usb-raw writes and reads BENCH_MIB MiB with
# four 1 MiB transfers in flight, then with one; every byte is counted and
# every 4 KiB block's tag checked by the receiver. The 9p read rate of the
# image is measured here too.
SIM=$UB_BUILD_DIR/tests/ub-bench-usbredir-sink
SIM_ARGS=""

guest() {
	wait_usb 1209 0001 20
	step "1209:0001 on the bus"
	bench_image_to_tmpfs
	rm -f /tmp/bench.img
	"$UB_BUILD_DIR/tests/ub-bench-usb-raw" "$BENCH_MIB" 4 > "$UBVM_WORK/raw.log" 2>&1 ||
		{ cat "$UBVM_WORK/raw.log"; die "ub-bench-usb-raw failed"; }
	# "raw write BYTES SECONDS MB/s"
	while read -r _raw dir bytes secs _rate; do
		bench_result "raw-$dir" "$bytes" "$secs"
	done < "$UBVM_WORK/raw.log"
	# one transfer at a time, as UbUsbTransport reads (a read is one 1 MiB transfer)
	"$UB_BUILD_DIR/tests/ub-bench-usb-raw" "$BENCH_MIB" 1 > "$UBVM_WORK/raw1.log" 2>&1 ||
		{ cat "$UBVM_WORK/raw1.log"; die "ub-bench-usb-raw with one transfer failed"; }
	while read -r _raw dir bytes secs _rate; do
		bench_result "raw1-$dir" "$bytes" "$secs"
	done < "$UBVM_WORK/raw1.log"
}

host_check() {
	grep -h 'sink:' "$UBVM_WORK/sim.log" | sed 's/^.*sink:/  sink:/'
	grep -q 'sink: took' "$UBVM_WORK/sim.log"
}

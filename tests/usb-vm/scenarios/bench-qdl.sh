# Benchmark (not a test): Debian's qdl (2022: usbfs ioctls, one USBDEVFS_BULK
# per 512-byte packet, no libusb) programs one BENCH_QDL_MIB MiB file at sector
# 131072 of the simulated 9008 phone's eMMC, with the demo's Firehose
# programmer. The flat build is in the guest's tmpfs.
SIM_ARGS="--kind edl --emmc 2G"
PKG_REL=cache/unbrick/demo/demo_flat_build

host_prepare() {
	host_demo edl || return 1
	[ -e "$UBVM_WORK/$PKG_REL/prog_firehose_demo.elf" ] || return 1
}

guest() {
	wait_usb 05c6 9008 20
	step "05c6:9008 on the bus"
	wait_dmesg 'converter now attached to ttyUSB'
	command -v qdl > /dev/null || die "Debian's qdl is missing (apt-get install qdl)"
	mkdir /tmp/flat
	cp "$UBVM_WORK/$PKG_REL/prog_firehose_demo.elf" /tmp/flat/
	head -c $((BENCH_QDL_MIB * 1024 * 1024)) "$BENCH_IMG" > /tmp/flat/bench.img
	cat > /tmp/flat/rawprogram0.xml <<XML
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="bench.img" label="bench" num_partition_sectors="$((BENCH_QDL_MIB * 2048))" physical_partition_number="0" size_in_KB="$((BENCH_QDL_MIB * 1024)).0" sparse="false" start_sector="131072"/>
</data>
XML
	cd /tmp/flat
	_t0=$(uptime_s)
	timeout 3000 qdl --storage emmc prog_firehose_demo.elf rawprogram0.xml > "$UBVM_WORK/qdl.log" 2>&1 ||
		{ tail -20 "$UBVM_WORK/qdl.log"; die "qdl failed"; }
	bench_result qdl-write $((BENCH_QDL_MIB * 1024 * 1024)) "$(bench_secs "$_t0")"
	bench_note qdl "$(grep -m1 -o 'flashed .*' "$UBVM_WORK/qdl.log")"
}

host_check() {
	n=$((BENCH_QDL_MIB * 1024 * 1024))
	want=$(head -c "$n" "$BENCH_IMG" | sha256sum | cut -d' ' -f1)
	got=$(dd if="$UBVM_WORK/phone/user.img" bs=1M skip=64 count="$BENCH_QDL_MIB" status=none | sha256sum | cut -d' ' -f1)
	[ "$want" = "$got" ] || { echo "  host: the eMMC at sector 131072 does not hold the image"; return 1; }
	echo "  host: qdl left the image at sector 131072"
}

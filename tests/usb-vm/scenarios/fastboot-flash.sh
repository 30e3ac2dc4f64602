# fastboot: the demo ROM folder flashed by unbrick-cli over real USB (18d1:4ee0,
# interface ff/42/03, no kernel driver), then Debian's AOSP fastboot talks to the
# same simulated phone: getvar, flash boot_b, erase, set_active, reboot into
# fastbootd and back to the bootloader (the phone leaves the bus and comes back);
# the host checks both slots.
# --no-text: Debian's fastboot 29 aborts on TEXT replies.
SIM_ARGS="--kind fastboot --no-text"
PKG_REL=cache/unbrick/demo/demo_rom

host_prepare() {
	host_demo fastboot || return 1
	[ -e "$UBVM_WORK/$PKG_REL/images/boot.img" ]
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	run_cli download download --device usb:18d1:4ee0 "$PKG"
	grep -qi "verified" "$UBVM_WORK/download.log" || { tail "$UBVM_WORK/download.log"; die "download did not verify"; }
	step "unbrick-cli flashed the demo ROM"

	command -v fastboot > /dev/null || die "Debian's fastboot is missing (apt-get install fastboot)"
	fastboot devices > "$UBVM_WORK/fb-devices.log" 2>&1
	grep -q "UBSIM0001" "$UBVM_WORK/fb-devices.log" || { cat "$UBVM_WORK/fb-devices.log"; die "fastboot devices does not list UBSIM0001"; }
	fastboot -s UBSIM0001 getvar product > "$UBVM_WORK/fb-getvar.log" 2>&1 || { cat "$UBVM_WORK/fb-getvar.log"; die "fastboot getvar failed"; }
	grep -q "^product: *unbrick_sim" "$UBVM_WORK/fb-getvar.log" || { cat "$UBVM_WORK/fb-getvar.log"; die "getvar product"; }
	step "AOSP fastboot: getvar product: unbrick_sim"
	t0=$(uptime_s)
	fastboot -s UBSIM0001 flash boot_b "$PKG/images/boot.img" > "$UBVM_WORK/fb-flash.log" 2>&1 || { cat "$UBVM_WORK/fb-flash.log"; die "fastboot flash failed"; }
	grep -q "Finished\|OKAY" "$UBVM_WORK/fb-flash.log" || { cat "$UBVM_WORK/fb-flash.log"; die "fastboot flash output"; }
	step "AOSP fastboot flashed boot_b (since $t0 s)"
	fastboot -s UBSIM0001 erase misc > "$UBVM_WORK/fb-erase.log" 2>&1 || { cat "$UBVM_WORK/fb-erase.log"; die "fastboot erase"; }
	fastboot -s UBSIM0001 set_active b > "$UBVM_WORK/fb-active.log" 2>&1 || { cat "$UBVM_WORK/fb-active.log"; die "fastboot set_active"; }
	fastboot -s UBSIM0001 getvar current-slot 2>&1 | grep -q "current-slot: *b" || die "current-slot is not b"
	step "AOSP fastboot: erase misc, set_active b"

	# reboot into fastbootd: the phone re-enumerates; AOSP fastboot waits for it
	fastboot -s UBSIM0001 reboot fastboot > "$UBVM_WORK/fb-reboot.log" 2>&1 || { cat "$UBVM_WORK/fb-reboot.log"; die "fastboot reboot fastboot"; }
	wait_usb 18d1 4ee0 20
	fastboot -s UBSIM0001 getvar is-userspace 2>&1 | grep -q "is-userspace: *yes" || die "not in fastbootd after reboot fastboot"
	step "AOSP fastboot: reboot fastboot -> fastbootd (is-userspace: yes)"
	fastboot -s UBSIM0001 reboot bootloader > "$UBVM_WORK/fb-reboot2.log" 2>&1 || { cat "$UBVM_WORK/fb-reboot2.log"; die "fastboot reboot bootloader"; }
	wait_usb 18d1 4ee0 20
	fastboot -s UBSIM0001 getvar is-userspace 2>&1 | grep -q "is-userspace: *no" || die "not back in the bootloader"
	fastboot -s UBSIM0001 set_active a > /dev/null 2>&1 || die "fastboot set_active a"
	step "AOSP fastboot: reboot bootloader -> back (is-userspace: no)"
	dmesg | grep -c 'idProduct=4ee0' | sed 's/^/UBVM:   enumerations of 18d1:4ee0: /'
}

host_check() {
	PKG=$UBVM_WORK/$PKG_REL
	for p in boot dtbo vbmeta; do
		storage_has ${p}_a "$PKG/images/$p.img" || return 1
	done
	storage_has boot_b "$PKG/images/boot.img" || return 1
	# what AOSP fastboot wrote to boot_b equals what we wrote to boot_a
	a=$("$DUMP" sha256 "$UBVM_WORK/phone" boot_a)
	b=$("$DUMP" sha256 "$UBVM_WORK/phone" boot_b)
	[ "$a" = "$b" ] || { echo "  host: boot_a $a != boot_b $b"; return 1; }
	echo "  host: boot_a (unbrick-cli) and boot_b (AOSP fastboot) are equal; dtbo_a, vbmeta_a hold the package"
}

# Helpers for usb-vm scenarios (sourced on the host and in the guest).
CLI=$UB_BUILD_DIR/src/cli/unbrick-cli
DUMP=$UB_BUILD_DIR/tests/ub-sim-storage-dump

uptime_s() { read -r _up _idle < /proc/uptime && echo "$_up"; }
step() { echo "UBVM: $* [$(uptime_s) s]"; }
die() { echo "FAIL: $*"; exit 1; }

# usb_present VID PID: a device with these ids is on the bus
usb_present() {
	for d in /sys/bus/usb/devices/*; do
		[ "$(cat "$d/idVendor" 2>/dev/null)" = "$1" ] &&
			[ "$(cat "$d/idProduct" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# past SECONDS: TRUE once the guest's clock passed the deadline (TCG: processes are slow,
# so loops count time rather than rounds)
# (whole seconds, shell arithmetic only: every process costs in the guest)
deadline() { _now=$(uptime_s); echo $((${_now%.*} + $1)); }
past() { _now=$(uptime_s); [ "${_now%.*}" -ge "$1" ]; }

# wait_usb VID PID [SECONDS]
wait_usb() {
	end=$(deadline "${3:-20}")
	until usb_present "$1" "$2"; do
		past "$end" && die "$1:$2 did not appear on the bus"
		sleep 0.1
	done
}

# wait_usb_gone VID PID [SECONDS]
wait_usb_gone() {
	end=$(deadline "${3:-20}")
	while usb_present "$1" "$2"; do
		past "$end" && die "$1:$2 did not leave the bus"
		sleep 0.1
	done
}

# wait_dmesg PATTERN [SECONDS]: the kernel logged a line matching PATTERN (grep -E)
wait_dmesg() {
	end=$(deadline "${2:-10}")
	until dmesg | grep -qE "$1"; do
		past "$end" && die "no kernel line like '$1'"
		sleep 0.2
	done
	dmesg | grep -E "$1" | tail -1 | sed 's/^/UBVM:   dmesg: /'
}

# run_cli NAME ARGS...: the CLI, output in $UBVM_WORK/NAME.log, timed
run_cli() {
	name=$1
	shift
	t0=$(uptime_s)
	if ! "$CLI" "$@" > "$UBVM_WORK/$name.log" 2>&1; then
		tail -30 "$UBVM_WORK/$name.log"
		die "unbrick-cli $name failed"
	fi
	echo "UBVM: cli $name took $(echo "$(uptime_s) $t0" | awk '{printf "%.1f", $1 - $2}') s"
}

# same_prefix FILE1 FILE2: FILE2 starts with all of FILE1
same_prefix() {
	n=$(wc -c < "$1")
	head -c "$n" "$2" | cmp -s - "$1"
}

# start_udevd: libusb's hotplug (Debian's libusb uses udev) sees devices that
# arrive later, e.g. a phone re-enumerating, only with udevd running
start_udevd() {
	[ -x /lib/systemd/systemd-udevd ] || die "systemd-udevd is missing (apt-get install udev)"
	/lib/systemd/systemd-udevd --daemon || die "systemd-udevd did not start"
	step "systemd-udevd running"
}

# host_demo KIND: the CLI's own demo writes KIND's demo package into the cache
# (and checks it in-process); fails with the end of its log (host)
host_demo() {
	"$CLI" demo --kind "$1" > "$UBVM_WORK/demo.log" 2>&1 || { tail "$UBVM_WORK/demo.log"; return 1; }
}

# host_wiped_phone: creates the phone of SIM_ARGS and wipes both ends of each
# LUN/user area, as a phone whose partition tables are gone (host)
host_wiped_phone() {
	"$UB_BUILD_DIR/src/sim/unbrick-sim" $SIM_ARGS --storage "$UBVM_WORK/phone" --listen none \
		> /dev/null 2>&1
	for lun in "$UBVM_WORK"/phone/lun*.img; do
		size=$(wc -c < "$lun")
		dd if=/dev/zero of="$lun" bs=65536 count=1 conv=notrunc status=none
		dd if=/dev/zero of="$lun" bs=65536 count=1 seek=$((size / 65536 - 1)) conv=notrunc status=none
	done
	[ -e "$UBVM_WORK/phone/lun0.img" ]
}

# demo_matches KIND PARTITION FILE: FILE starts with the demo package's image for PARTITION
demo_matches() {
	set -- "$3" $("$DUMP" demo "$1" "$2") "" ""
	[ -n "$3" ] || return 1
	[ "$(head -c "$2" "$1" | sha256sum | cut -d' ' -f1)" = "$3" ]
}

# storage_matches KIND PARTITION: the simulated phone's PARTITION holds the demo image (host)
storage_matches() {
	set -- "$2" $("$DUMP" demo "$1" "$2") "" ""
	[ -n "$3" ] || { echo "  host: no demo image for $1"; return 1; }
	got=$("$DUMP" sha256 "$UBVM_WORK/phone" "$1" "$2" | cut -d' ' -f1)
	[ "$got" = "$3" ] || { echo "  host: storage $1: $got, wanted $3"; return 1; }
}

# storage_has PARTITION FILE: the simulated phone's PARTITION starts with FILE (host)
storage_has() {
	want=$(sha256sum < "$2" | cut -d' ' -f1)
	got=$("$DUMP" sha256 "$UBVM_WORK/phone" "$1" "$(wc -c < "$2")" | cut -d' ' -f1)
	[ "$got" = "$want" ] || { echo "  host: storage $1: $got, wanted $want ($2)"; return 1; }
}

# ---- h-bench: the usb-vm throughput benchmark (tests/bench/usb-vm-bench.sh) ----
# The runner writes $UB_BUILD_DIR/bench-usb-vm/bench.conf (BENCH_MIB, BENCH_QDL_MIB) and the image
# bench.img there; the guest reads it over the host root's 9p mount. Results are
# "UBVM: BENCH NAME BYTES SECONDS" lines, which run-scenario.sh prints.
BENCH_DIR=$UB_BUILD_DIR/bench-usb-vm
BENCH_IMG=$BENCH_DIR/bench.img
BENCH_MIB=1024
BENCH_QDL_MIB=1024
[ ! -f "$BENCH_DIR/bench.conf" ] || . "$BENCH_DIR/bench.conf"

# bench_result NAME BYTES SECONDS
bench_result() { echo "UBVM: BENCH $1 $2 $3"; }

# bench_note NAME TEXT...: a line for the table's notes
bench_note() { _n=$1; shift; echo "UBVM: BENCH-NOTE $_n $*"; }

# bench_secs T0: guest seconds since T0 (an uptime_s value)
bench_secs() { echo "$(uptime_s) $1" | awk '{printf "%.2f", $1 - $2}'; }

# bench_image_to_tmpfs: the image into the guest's /tmp, so the engines do not
# read it over 9p while they are timed; the copy's time is the 9p read rate.
# /tmp (half the RAM by default) grows to hold the image and its read back.
bench_image_to_tmpfs() {
	[ -f "$BENCH_IMG" ] || die "no $BENCH_IMG (run tests/bench/usb-vm-bench.sh)"
	mount -o remount,size=80% /tmp || die "cannot grow the guest's /tmp"
	_t0=$(uptime_s)
	cat "$BENCH_IMG" > /tmp/bench.img || die "cannot copy the image into the guest's tmpfs"
	bench_result 9p-read "$(wc -c < /tmp/bench.img)" "$(bench_secs "$_t0")"
}

# bench_cli NAME BYTES ARGS...: unbrick-cli timed (process start to exit)
bench_cli() {
	_name=$1
	_bytes=$2
	shift 2
	_t0=$(uptime_s)
	if ! "$CLI" "$@" > "$UBVM_WORK/$_name.log" 2>&1; then
		tail -30 "$UBVM_WORK/$_name.log"
		die "unbrick-cli $_name failed"
	fi
	bench_result "$_name" "$_bytes" "$(bench_secs "$_t0")"
}

# bench_gpt STORAGEFILE: the userdata partition (the last one) becomes "bench",
# exactly $BENCH_MIB MiB, so a read back of the partition moves as much as the write (host)
bench_gpt() {
	_last=$(sgdisk -p "$1" | awk '$NF == "userdata" {print $1}')
	_start=$(sgdisk -i "$_last" "$1" | sed -n 's/^First sector: \([0-9]*\).*/\1/p')
	[ -n "$_last" ] && [ -n "$_start" ] || { echo "  host: no userdata partition in $1"; return 1; }
	sgdisk -d "$_last" -n "$_last:$_start:+${BENCH_MIB}M" -c "$_last:bench" "$1" > /dev/null ||
		{ echo "  host: sgdisk failed on $1"; return 1; }
}
# ---- end h-bench ----

# --- h-catch: the USB cable, pulled and plugged in from the guest ---
# The guest cannot signal host processes: each request is a line in plug.req
# in the work folder; run-scenario.sh's watcher sends unbrick-sim SIGUSR2 ("in":
# a phone off the bus arrives, freshly powered on) or SIGUSR1 ("out": the cable
# is pulled) and acknowledges it with a line in plug.ack.
UBVM_CABLE_N=0

# cable_acked N: the host acted on N requests (shell built-ins only)
cable_acked() {
	_n=0
	[ -e "$UBVM_WORK/plug.ack" ] || return 1
	while read -r _l; do _n=$((_n + 1)); done < "$UBVM_WORK/plug.ack"
	[ "$_n" -ge "$1" ]
}

# cable_request in|out: asks the host and waits (5 s at most) until it sent the signal
cable_request() {
	UBVM_CABLE_N=$((UBVM_CABLE_N + 1))
	echo "$1" >> "$UBVM_WORK/plug.req"
	_end=$(deadline 5)
	until cable_acked "$UBVM_CABLE_N"; do
		past "$_end" && die "the host did not act on cable request $UBVM_CABLE_N ($1)"
		sleep 0.02
	done
}

# plug_in: the phone is plugged in (unbrick-sim --plug signal starts with the cable out)
plug_in() { cable_request in; }

# pull_cable: the phone is unplugged at once
pull_cable() { cable_request out; }
# --- end h-catch ---

# ---- h-perm: a user without root, udev's uaccess, factory images ----
# The guest has no logind; udevd's uaccess builtin only needs logind's state
# files: /run/systemd/seats/ existing means "logind runs" (logind_running()),
# /run/systemd/seats/seat0's ACTIVE_UID is the user at the seat
# (sd_seat_get_active()). The ACL goes on the device node for that uid.

# seat_user UID: UID is the user of the active session on seat0
seat_user() {
	mkdir -p /run/systemd/seats /run/systemd/sessions /run/systemd/users
	printf 'IS_SEAT0=1\nCAN_MULTI_SESSION=1\nCAN_TTY=1\nCAN_GRAPHICAL=1\nACTIVE=c1\nACTIVE_UID=%s\nSESSIONS=c1\nUIDS=%s\n' \
		"$1" "$1" > /run/systemd/seats/seat0
}

# udev_rule_mask: udev skips 71-unbrick.rules (the host may have one in /lib,
# a CI machine has none): a link to /dev/null in /run overrides /lib's
udev_rule_mask() {
	mkdir -p /run/udev/rules.d
	ln -sf /dev/null /run/udev/rules.d/71-unbrick.rules
}

# udev_replay: udevd runs the rules again for the devices already there
# (the guest script runs in a chroot, where udevadm control, trigger and settle
# do nothing unless SYSTEMD_IGNORE_CHROOT is set)
udev_replay() {
	SYSTEMD_IGNORE_CHROOT=1 udevadm control --reload || die "udevadm control --reload failed"
	SYSTEMD_IGNORE_CHROOT=1 udevadm trigger --action=add --subsystem-match=usb \
		--subsystem-match=tty || die "udevadm trigger failed"
	SYSTEMD_IGNORE_CHROOT=1 udevadm settle --timeout=30 || die "udevadm settle timed out"
}

# usb_node VID PID: the usbfs node of the device, /dev/bus/usb/BBB/DDD
usb_node() {
	for d in /sys/bus/usb/devices/*; do
		if [ "$(cat "$d/idVendor" 2>/dev/null)" = "$1" ] &&
			[ "$(cat "$d/idProduct" 2>/dev/null)" = "$2" ]; then
			printf '/dev/bus/usb/%03d/%03d\n' "$(cat "$d/busnum")" "$(cat "$d/devnum")"
			return 0
		fi
	done
	return 1
}

# node_has_acl NODE: ls marks a node with an ACL with '+' after its mode
node_has_acl() {
	case $(ls -ld "$1") in
	??????????+*) return 0 ;;
	*) return 1 ;;
	esac
}

# as_user UID NAME ARGS...: unbrick-cli as UID (no groups, no capabilities),
# its own HOME and XDG folders in /tmp; output in $UBVM_WORK/NAME.log (written
# by root), exit code in $UBVM_RC, time in $UBVM_SECS
as_user() {
	_uid=$1
	_name=$2
	shift 2
	_home=/tmp/user-$_uid
	mkdir -p "$_home" && chown "$_uid:$_uid" "$_home" && chmod 700 "$_home"
	_t0=$(uptime_s)
	UBVM_RC=0
	setpriv --reuid="$_uid" --regid="$_uid" --clear-groups --inh-caps=-all \
		env HOME="$_home" XDG_CACHE_HOME="$_home/cache" XDG_DATA_HOME="$_home/data" \
		XDG_CONFIG_HOME="$_home/config" "$CLI" "$@" > "$UBVM_WORK/$_name.log" 2>&1 || UBVM_RC=$?
	UBVM_SECS=$(echo "$(uptime_s) $_t0" | awk '{printf "%.1f", $1 - $2}')
	echo "UBVM: cli $_name as uid $_uid: exit $UBVM_RC after $UBVM_SECS s"
}

# log_has NAME TEXT: $UBVM_WORK/NAME.log contains TEXT (fixed string)
log_has() {
	grep -qF -- "$2" "$UBVM_WORK/$1.log" || { tail -20 "$UBVM_WORK/$1.log"; die "$1.log lacks '$2'"; }
}

# flashall_package DIR PRODUCT: a Google-style factory image for the Pixel-like
# simulated phone (host, python3): DIR/flash-all.sh and DIR/image-PRODUCT-*.zip
# with android-info.txt, boot/dtbo/vbmeta/vendor_boot (bootloader partitions),
# super_empty.img (liblp 10.0 metadata: system, vendor, product of both slots)
# and system/vendor/product (logical in super); the same images unpacked in
# DIR-out for the checks. flash-all.sh: update --skip-reboot, reboot-bootloader.
flashall_package() {
	python3 - "$1" "$2" <<'PY'
import hashlib, os, struct, sys, zipfile

def super_empty(names, super_size):
    # liblp: the geometry (4 KiB, its 52 bytes checksummed), then the metadata
    # header (10.0: 128 bytes) and its tables, as lpmake's WriteToImageFile
    geo = struct.pack('<II32sIII', 0x616c4467, 52, b'\0' * 32, 65536, 2, 4096)
    geo = geo[:8] + hashlib.sha256(geo).digest() + geo[40:]
    groups = [('default', 0, 0)] + [('google_dynamic_partitions' + s, 0, super_size // 2 - (1 << 20))
                                    for s in ('_a', '_b')]
    parts = b''.join(struct.pack('<36sIIII', n.encode(), 1, 0, 0, 1 if n.endswith('_a') else 2)
                     for n in names)
    grp = b''.join(struct.pack('<36sIQ', n.encode(), f, m) for n, f, m in groups)
    dev = struct.pack('<QIIQ36sI', 2048, 1 << 20, 0, super_size, b'super', 0)
    tables = parts + grp + dev
    desc = struct.pack('<12I', 0, len(names), 52, len(parts), 0, 24, len(parts), len(groups), 48,
                       len(parts) + len(grp), 1, 64)
    hdr = struct.pack('<IHHI32sI32s', 0x414c5030, 10, 0, 128, b'\0' * 32, len(tables),
                      hashlib.sha256(tables).digest()) + desc
    hdr = hdr[:12] + hashlib.sha256(hdr).digest() + hdr[44:]
    return geo + b'\0' * (4096 - len(geo)) + hdr + tables

def image(name, size):
    out = bytearray()
    while len(out) < size:
        out += hashlib.sha256(('%s-%d' % (name, len(out))).encode()).digest()
    return bytes(out[:size])

out, product = sys.argv[1], sys.argv[2]
unpacked = out.rstrip('/') + '-out'
os.makedirs(out)
os.makedirs(unpacked)
zipname = 'image-%s-ub1a.240101.001.zip' % product
sizes = [('boot', 2 << 20), ('dtbo', 256 << 10), ('vbmeta', 8 << 10), ('vendor_boot', 1 << 20),
         ('system', 3 << 20), ('vendor', 2 << 20), ('product', 1 << 20)]
files = [('android-info.txt', ('require board=%s\n' % product).encode()),
         ('super_empty.img', super_empty([p + s for p in ('system', 'vendor', 'product')
                                          for s in ('_a', '_b')], 2 << 30))]
files += [(n + '.img', image(n, s)) for n, s in sizes]
with zipfile.ZipFile(os.path.join(out, zipname), 'w', zipfile.ZIP_STORED) as z:
    for n, data in files:
        z.writestr(n, data)
        with open(os.path.join(unpacked, n), 'wb') as f:
            f.write(data)
with open(os.path.join(out, 'flash-all.sh'), 'w') as f:
    f.write('#!/bin/sh\n# a factory image as Google ships them, for a Pixel-like phone\n'
            'fastboot update --skip-reboot %s\nfastboot reboot-bootloader\n' % zipname)
os.chmod(os.path.join(out, 'flash-all.sh'), 0o755)
PY
}

# logical_sha256 PHONE NAME LENGTH: sha256 of the first LENGTH bytes of the
# logical partition NAME in super (host): its extents from the simulator's
# super-lp.ini, read from super's region file
logical_sha256() {
	_ext=$(sed -n "/^\[logical $2\]/,/^\[/s/^extents=//p" "$1/super-lp.ini")
	set -- "$1" "$2" "$3" $("$DUMP" list "$1" | awk '$1 == "super" { print $2, $3 }')
	[ -n "${5:-}" ] || { echo "no super in $1" >&2; return 1; }
	_file=$1/$4.img
	_super=$5
	_left=$3
	echo "$_ext" | tr ';' '\n' | while IFS=+ read -r _off _len; do
		[ -n "$_off" ] || continue
		[ "$_left" -gt 0 ] || break
		[ "$_len" -le "$_left" ] || _len=$_left
		# 1 MiB aligned extents: whole MiB blocks, the tail in bytes
		dd if="$_file" bs=1M iflag=skip_bytes,count_bytes skip=$((_super + _off)) count="$_len" \
			status=none
		_left=$((_left - _len))
	done | sha256sum | cut -d' ' -f1
}

# flashall_check_storage PHONE OUT: PHONE holds the images of OUT (host): the
# bootloader partitions of slot a, and the logical partitions inside super
flashall_check_storage() {
	for p in boot dtbo vbmeta vendor_boot; do
		want=$(sha256sum < "$2/$p.img" | cut -d' ' -f1)
		got=$("$DUMP" sha256 "$1" "${p}_a" "$(wc -c < "$2/$p.img")" | cut -d' ' -f1)
		[ "$got" = "$want" ] || { echo "  host: ${p}_a: $got, wanted $want"; return 1; }
	done
	for p in system vendor product; do
		want=$(sha256sum < "$2/$p.img" | cut -d' ' -f1)
		got=$(logical_sha256 "$1" "${p}_a" "$(wc -c < "$2/$p.img")")
		[ "$got" = "$want" ] || { echo "  host: logical ${p}_a: $got, wanted $want"; return 1; }
	done
}
# --- end h-perm ---

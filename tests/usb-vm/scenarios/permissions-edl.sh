# Permissions, Qualcomm EDL (05c6:9008, qcserial holds the interface): as
# permissions.sh, a user without root and without our udev rule is told what to
# do; with the rules `unbrick-cli udev-rules` prints, the user at the seat
# (uid 65534, no groups, no capabilities) gets an ACL on the usbfs node, and
# unbrick-cli running as that user takes the interface from qcserial (usbfs
# needs write access to the node, not root, for that) and writes one partition
# over Sahara + Firehose; the host checks the storage.
SIM_ARGS="--kind edl --ufs 3:64M"
PKG_REL=cache/unbrick/demo/demo_flat_build
SEAT_UID=65534

host_prepare() {
	host_demo edl || return 1
	[ -e "$UBVM_WORK/$PKG_REL/prog_firehose_demo.elf" ] || return 1
	chmod -R a+rX "$UBVM_WORK"
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 05c6 9008 20
	step "05c6:9008 on the bus"
	wait_dmesg 'converter now attached to ttyUSB'
	command -v setpriv > /dev/null || die "setpriv is missing (util-linux)"
	seat_user $SEAT_UID
	udev_rule_mask
	start_udevd
	udev_replay
	node=$(usb_node 05c6 9008) || die "no usbfs node for 05c6:9008"
	step "without our rule: $(ls -ln "$node" | cut -d' ' -f1,3,4) $node"
	node_has_acl "$node" && die "$node has an ACL without our rule"

	as_user $SEAT_UID norule download --device usb:05c6:9008 --loader "$PKG/prog_firehose_demo.elf" \
		misc="$PKG/boot.img"
	[ "$UBVM_RC" = 1 ] || { tail "$UBVM_WORK/norule.log"; die "without the rule: exit $UBVM_RC, wanted 1"; }
	log_has norule "the udev rule 71-unbrick.rules is missing"
	log_has norule "'unbrick-cli udev-rules | sudo tee /etc/udev/rules.d/71-unbrick.rules && sudo udevadm control --reload'"
	grep -F "71-unbrick" "$UBVM_WORK/norule.log" | head -2 | sed 's/^/UBVM:   user sees: /'
	# qcserial still has the interface: nothing was taken from it
	dmesg | grep -q 'converter now disconnected from ttyUSB0' && die "qcserial lost the interface to a user without access"

	rm -f /run/udev/rules.d/71-unbrick.rules
	"$CLI" udev-rules > /run/udev/rules.d/71-unbrick.rules || die "unbrick-cli udev-rules failed"
	udev_replay
	node=$(usb_node 05c6 9008) || die "no usbfs node for 05c6:9008"
	node_has_acl "$node" || { ls -l "$node"; die "uaccess put no ACL on $node"; }
	step "with our rule: $(ls -ln "$node" | cut -d' ' -f1,3,4) $node (ACL for uid $SEAT_UID)"

	as_user $SEAT_UID flash download --device usb:05c6:9008 --loader "$PKG/prog_firehose_demo.elf" \
		misc="$PKG/boot.img"
	[ "$UBVM_RC" = 0 ] || { tail -30 "$UBVM_WORK/flash.log"; die "the user at the seat could not flash"; }
	log_has flash "verified misc"
	# the user's libusb took the interface from qcserial
	wait_dmesg 'converter now disconnected from ttyUSB0' 2
	step "uid $SEAT_UID took 05c6:9008 from qcserial, wrote misc and verified it ($UBVM_SECS s)"
}

host_check() {
	storage_has misc "$UBVM_WORK/$PKG_REL/boot.img" || return 1
	echo "  host: misc holds the image the user without root wrote over EDL"
}

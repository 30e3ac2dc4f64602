# Permissions, fastboot (18d1:4ee0, no kernel driver): a user without root and
# without our udev rule cannot open the phone and unbrick-cli says so (the rule
# by name and the one command that installs it, exit 1); with the rules that
# `unbrick-cli udev-rules` prints, udevd's uaccess builtin puts an ACL for the
# user at the seat on the usbfs node, and that user (uid 65534, no groups, no
# capabilities) flashes the demo ROM; another user (not at the seat) is told
# that the rule is there but is only for the user at the seat. The host checks
# the storage. The guest has no logind: lib.sh's seat_user writes its state.
# permissions-edl.sh does the same for EDL, where qcserial holds the interface.
SIM_ARGS="--kind fastboot"
PKG_REL=cache/unbrick/demo/demo_rom
SEAT_UID=65534
OTHER_UID=65533

host_prepare() {
	host_demo fastboot || return 1
	[ -e "$UBVM_WORK/$PKG_REL/images/boot.img" ] || return 1
	# the guest's users read the package over 9p, which shows the host's modes
	chmod -R a+rX "$UBVM_WORK"
}

guest() {
	PKG=$UBVM_WORK/$PKG_REL
	wait_usb 18d1 4ee0 20
	step "18d1:4ee0 on the bus"
	command -v setpriv > /dev/null || die "setpriv is missing (util-linux)"
	seat_user $SEAT_UID
	udev_rule_mask
	start_udevd
	udev_replay
	node=$(usb_node 18d1 4ee0) || die "no usbfs node for 18d1:4ee0"
	step "without our rule: $(ls -ln "$node" | cut -d' ' -f1,3,4) $node"
	node_has_acl "$node" && die "$node has an ACL without our rule"

	# 1. no rule: the permission message, with what to do
	as_user $SEAT_UID norule download --device usb:18d1:4ee0 "$PKG"
	[ "$UBVM_RC" = 1 ] || { tail "$UBVM_WORK/norule.log"; die "without the rule: exit $UBVM_RC, wanted 1"; }
	log_has norule "Access denied (insufficient permissions)"
	log_has norule "the udev rule 71-unbrick.rules is missing"
	log_has norule "'unbrick-cli udev-rules | sudo tee /etc/udev/rules.d/71-unbrick.rules && sudo udevadm control --reload'"
	log_has norule "replug the phone"
	grep -F "71-unbrick" "$UBVM_WORK/norule.log" | head -2 | sed 's/^/UBVM:   user sees: /'

	# 2. the rules the CLI prints, in udev's runtime folder (over the mask)
	rm -f /run/udev/rules.d/71-unbrick.rules
	"$CLI" udev-rules > /run/udev/rules.d/71-unbrick.rules || die "unbrick-cli udev-rules failed"
	grep -q 'TAG+="uaccess"' /run/udev/rules.d/71-unbrick.rules || die "the printed rules have no uaccess"
	udev_replay
	node=$(usb_node 18d1 4ee0) || die "no usbfs node for 18d1:4ee0"
	node_has_acl "$node" || { ls -l "$node"; die "uaccess put no ACL on $node"; }
	step "with our rule: $(ls -ln "$node" | cut -d' ' -f1,3,4) $node (ACL for uid $SEAT_UID)"
	udevadm info -q property "$node" | grep -q '^TAGS=.*:uaccess:' || die "udev did not tag $node uaccess"

	# 3. a user who is not at the seat: the rule is there, but not for them
	as_user $OTHER_UID otheruser download --device usb:18d1:4ee0 "$PKG"
	[ "$UBVM_RC" = 1 ] || { tail "$UBVM_WORK/otheruser.log"; die "not at the seat: exit $UBVM_RC, wanted 1"; }
	log_has otheruser "71-unbrick.rules is installed but did not apply to this user"
	log_has otheruser "logged in at this computer's seat (uid $SEAT_UID), not to you (uid $OTHER_UID): run unbrick from that session, or as root"
	grep -F "71-unbrick" "$UBVM_WORK/otheruser.log" | head -2 | sed 's/^/UBVM:   user sees: /'

	# 4. the user at the seat flashes, without root
	as_user $SEAT_UID flash download --device usb:18d1:4ee0 "$PKG"
	[ "$UBVM_RC" = 0 ] || { tail -30 "$UBVM_WORK/flash.log"; die "the user at the seat could not flash"; }
	log_has flash "verified boot_a"
	step "uid $SEAT_UID flashed the demo ROM and verified it ($UBVM_SECS s)"
}

host_check() {
	PKG=$UBVM_WORK/$PKG_REL
	for p in boot dtbo vbmeta; do
		storage_has ${p}_a "$PKG/images/$p.img" || return 1
	done
	echo "  host: boot_a, dtbo_a, vbmeta_a hold the demo ROM the user without root flashed"
}

#!/bin/sh
# A small initramfs for the usb-vm guest: static busybox plus the kernel modules
# for xHCI, the USB serial drivers (qcserial, cdc_acm) and 9p. Its /init mounts
# the host's / read-only over 9p, the work folder read-write at the same path,
# and runs $UBVM_WORK/guest.sh there as root (output in guest.log, exit code in
# guest-rc, the kernel log in dmesg.txt).
# usage: mkinitramfs.sh KERNELDIR OUT.cpio.gz
set -eu
MODDIR=$1/modules
OUT=$2
BUSYBOX=$(command -v busybox || true)
[ -x /bin/busybox ] && BUSYBOX=/bin/busybox
[ -n "$BUSYBOX" ] || { echo "mkinitramfs: busybox not found (apt-get install busybox-static)" >&2; exit 1; }
if ldd "$BUSYBOX" >/dev/null 2>&1; then
	echo "mkinitramfs: $BUSYBOX is not static (apt-get install busybox-static)" >&2; exit 1
fi
# in dependency order (insmod, the .deb has no modules.dep)
MODS="virtio_ring virtio_pci_modern_dev virtio_pci_legacy_dev virtio virtio_pci
 netfs fscache 9pnet 9pnet_virtio 9p
 usb-common usbcore xhci-hcd xhci-pci usbserial usb_wwan qcserial cdc-acm"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T"/bin "$T"/mods "$T"/proc "$T"/sys "$T"/dev "$T"/host
cp "$BUSYBOX" "$T"/bin/busybox
for m in $MODS; do
	cp "$MODDIR/$m.ko" "$T"/mods/ || { echo "mkinitramfs: module $m missing" >&2; exit 1; }
	echo "$m.ko" >> "$T"/mods/order
done
cat > "$T"/init <<'EOI'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev
for m in $(cat /mods/order); do insmod /mods/$m || echo "UBVM: insmod $m failed"; done
# usbfs says when a process takes an interface from its kernel driver
# ("qcserial 1-1:1.0: disconnect by usbfs"): its dev_dbg lines into dmesg
mount -t debugfs debugfs /sys/kernel/debug &&
	echo 'module usbcore file devio.c +p' > /sys/kernel/debug/dynamic_debug/control ||
	echo "UBVM: usbfs debug lines not enabled"
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose hostroot /host ||
	{ echo "UBVM: 9p root mount failed"; poweroff -f; }
mount -t proc proc /host/proc; mount -t sysfs sys /host/sys; mount -t devtmpfs dev /host/dev
mkdir -p /host/dev/pts 2>/dev/null; mount -t devpts devpts /host/dev/pts 2>/dev/null
mount -t tmpfs tmp /host/tmp; mount -t tmpfs run /host/run
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 work /host$UBVM_WORK ||
	{ echo "UBVM: 9p work mount failed"; poweroff -f; }
echo "UBVM: up $(cut -d' ' -f1 /proc/uptime)"
chroot /host /bin/sh -c "cd $UBVM_WORK && PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp sh ./guest.sh > guest.log 2>&1; echo \$? > guest-rc"
dmesg > /host$UBVM_WORK/dmesg.txt
echo "UBVM: done $(cut -d' ' -f1 /proc/uptime) rc $(cat /host$UBVM_WORK/guest-rc)"
umount /host$UBVM_WORK
sync; poweroff -f
EOI
chmod +x "$T"/init
# several runs may build it at once: each writes its own file, the last rename wins
( cd "$T" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -1 ) > "$OUT.$$.tmp"
mv "$OUT.$$.tmp" "$OUT"

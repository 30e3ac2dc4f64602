#!/bin/sh
# Debian's current kernel for the usb-vm guest, cached between runs.
# usage: fetch-kernel.sh [CACHEDIR]  (default: ${XDG_CACHE_HOME:-~/.cache}/unbrick-usb-vm)
# Prints the folder holding vmlinux (uncompressed, boots through PVH, which skips the
# XZ decompressor that is slow under TCG) and modules/*.ko.
set -eu
CACHE=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/unbrick-usb-vm}
kernel_pkg() { apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
PKG=$(kernel_pkg)
if [ -z "$PKG" ]; then
	# a fresh machine without package lists: a kernel fetched earlier still does
	OLD=$(ls -d "$CACHE"/linux-image-*/stamp 2>/dev/null | tail -1)
	if [ -n "$OLD" ]; then dirname "$OLD"; exit 0; fi
	if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
	$SUDO apt-get update -q >&2 || true
	PKG=$(kernel_pkg)
fi
[ -n "$PKG" ] || { echo "fetch-kernel: apt-cache knows no linux-image-amd64 even after apt-get update: is Debian's archive reachable?" >&2; exit 1; }
OUT=$CACHE/$PKG
if [ -e "$OUT/stamp" ]; then echo "$OUT"; exit 0; fi
mkdir -p "$OUT"
T=$(mktemp -d "$CACHE/tmp.XXXXXX")
trap 'rm -rf "$T"' EXIT
( cd "$T" && apt-get download "$PKG" >/dev/null 2>&1 ) || { echo "fetch-kernel: apt-get download $PKG failed" >&2; exit 1; }
mkdir "$T/x"
dpkg-deb --fsys-tarfile "$T"/"$PKG"_*.deb | tar -x -C "$T/x" --wildcards './boot/vmlinuz-*' \
	'./lib/modules/*/kernel/drivers/usb/*' './lib/modules/*/kernel/drivers/virtio/*' \
	'./lib/modules/*/kernel/net/9p/*' './lib/modules/*/kernel/fs/9p/*' \
	'./lib/modules/*/kernel/fs/netfs/*' './lib/modules/*/kernel/fs/fscache/*'
V=$(ls "$T"/x/boot/vmlinuz-*)
OFF=$(LC_ALL=C grep -abo "$(printf '\3757zXZ')" "$V" | head -1 | cut -d: -f1)
tail -c +$((OFF + 1)) "$V" | xz -dc > "$OUT/vmlinux" 2>/dev/null || true
head -c 4 "$OUT/vmlinux" | grep -q ELF || { echo "fetch-kernel: vmlinux extraction failed" >&2; exit 1; }
rm -rf "$OUT/modules"; mkdir "$OUT/modules"
find "$T/x" -name '*.ko' -exec cp {} "$OUT/modules/" \;
touch "$OUT/stamp"
echo "$OUT"

#!/bin/sh
# MediaTek throughput: 1 GiB written and read back through the MediaTek engine
# and the simulated XFlash DA, over umockdev USB (the real libusb code path:
# BootROM at full speed, DA upload, re-enumeration as 0e8d:2001) and over a
# pty (the serial path, a preloader), MB/s and CPU seconds per GiB. mtkclient
# writes 512 bytes per USB transfer (~3 MB/s on a real phone). Not a test: it
# prints numbers for the notes.
# Usage: mtk-bench.sh path/to/ub-bench-mtk [MIB]
set -u
BENCH=$(readlink -f "$1")
MIB=${2:-1024}

echo "== unbrick MediaTek, umockdev USB, $MIB MiB"
ASAN_OPTIONS=verify_asan_link_order=0 umockdev-wrapper "$BENCH" usb "$MIB" || exit 1
echo "== unbrick MediaTek, pty, $MIB MiB"
"$BENCH" pty "$MIB"

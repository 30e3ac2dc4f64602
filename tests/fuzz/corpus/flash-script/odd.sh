#!/bin/sh
IMG=$(dirname "$0")/images
fastboot $* getvar product 2>&1 | grep "^product: *vayu$"
fastboot $* flash boot ${IMG}/boot.img
fastboot $* flash recovery ../../etc/passwd
fastboot $* flash vendor $HOME/vendor.img
rm -rf /
fastboot $* --disable-verity --disable-verification flash vbmeta ${IMG}/vbmeta.img
fastboot $* --slot=all flash dtbo ${IMG}/dtbo.img
fastboot $* boot ${IMG}/twrp.img
fastboot $* flashing lock
fastboot $* format:ext4 userdata
fastboot -w
for p in a b; do fastboot flash boot_$p x.img; done
fastboot $* reboot \
  bootloader

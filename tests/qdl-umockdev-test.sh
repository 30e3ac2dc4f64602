#!/bin/sh
# An outside client against the simulated Qualcomm 9008 phone: Debian's qdl
# (2022, usbfs ioctls + libudev, no libusb) flashes flat builds into a phone
# that ub-umockdev-launcher plugs into a umockdev test bed, and the storage it
# leaves must equal what unbrick-cli download leaves on a second phone that
# started identical. qdl 2022 cannot unpack Android sparse images, so it gets
# the build with system.img expanded by simg2img (or ub-sparse-tool), and once
# the original build, to show it writes the sparse file as it is.
# Usage: qdl-umockdev-test.sh path/to/ub-umockdev-launcher path/to/unbrick-cli path/to/ub-sparse-tool
set -u
LAUNCHER=$(readlink -f "$1")
CLI=$(readlink -f "$2")
SPARSE_TOOL=$(readlink -f "$3")
if ! command -v qdl >/dev/null 2>&1; then
	echo "1..0 # SKIP qdl is not installed (apt-get install qdl)"
	exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
export XDG_CACHE_HOME="$TMP/cache" XDG_DATA_HOME="$TMP/data"
# the phone keeps its partition tables on its storage
export UB_SIM_LAYOUT=gpt
n=0
fail=0
ok() { n=$((n+1)); echo "ok $n - $1"; }
nok() { n=$((n+1)); echo "not ok $n - $1"; fail=1; }
show() { sed 's/^/# /' "$1"; }
# a phone whose storage starts as a copy of $1: launcher args... -- command
phone() { # name, template storage, command...
	name="$1"; tmpl="$2"; shift 2
	cp -a "$tmpl" "$TMP/$name"
	timeout 120 "$LAUNCHER" --no-fastboot --edl-phone 1-2 --storage "$TMP/$name" -- "$@" \
		>"$TMP/$name.out" 2>&1
	echo $? >"$TMP/$name.rc"
}
rc() { cat "$TMP/$1.rc"; }

FB="$XDG_CACHE_HOME/unbrick/demo/demo_flat_build"
if timeout 60 "$CLI" demo --kind edl >"$TMP/demo.out" 2>&1 && [ -f "$FB/rawprogram0.xml" ]; then
	ok "the demo flat build (UFS, three LUNs, a sparse system.img)"
else
	nok "unbrick-cli demo --kind edl"; show "$TMP/demo.out"; echo "1..$n"; exit 1
fi
PROG=prog_firehose_demo.elf

# the same build with system.img expanded, for qdl
mkdir "$TMP/flat"
cp "$FB"/*.xml "$FB"/*.bin "$FB"/*.img "$FB"/*.elf "$TMP/flat/"
if command -v simg2img >/dev/null 2>&1; then
	simg2img "$FB/system.img" "$TMP/flat/system.img"
else
	"$SPARSE_TOOL" decode "$FB/system.img" "$TMP/flat/system.img" 2>/dev/null
fi
sed -i 's/\(filename="system.img"[^>]*\)sparse="true"/\1sparse="false"/' "$TMP/flat/rawprogram0.xml"
grep -q 'filename="system.img".*sparse="false"' "$TMP/flat/rawprogram0.xml" &&
	[ "$(stat -c %s "$TMP/flat/system.img")" = 1048576 ] &&
	ok "system.img expanded for qdl" || nok "expanding system.img"

# an eMMC build: 512-byte sectors, an image of several payloads and odd
# size, NUM_DISK_SECTORS, file_sector_offset, a placeholder, DISK patches
# (a value and a CRC32) and a file patch qdl and we skip
mkdir "$TMP/emmc"
head -c 3000001 /dev/urandom >"$TMP/emmc/big.bin"
head -c 70000 /dev/urandom >"$TMP/emmc/sbl1.bin"
head -c 4096 /dev/urandom >"$TMP/emmc/tail.bin"
cp "$FB/$PROG" "$TMP/emmc/"
cat >"$TMP/emmc/rawprogram0.xml" <<'EOF'
<?xml version="1.0" ?>
<data>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="sbl1.bin" label="sbl1" num_partition_sectors="1024" physical_partition_number="0" size_in_KB="512.0" sparse="false" start_sector="16384"/>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="big.bin" label="big" num_partition_sectors="8192" physical_partition_number="0" size_in_KB="4096.0" sparse="false" start_sector="20480"/>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="2" filename="tail.bin" label="tail" num_partition_sectors="6" physical_partition_number="0" size_in_KB="3.0" sparse="false" start_sector="NUM_DISK_SECTORS-64."/>
  <program SECTOR_SIZE_IN_BYTES="512" file_sector_offset="0" filename="" label="empty" num_partition_sectors="8" physical_partition_number="0" size_in_KB="4.0" sparse="false" start_sector="40000"/>
</data>
EOF
cat >"$TMP/emmc/patch0.xml" <<'EOF'
<?xml version="1.0" ?>
<patches>
  <patch SECTOR_SIZE_IN_BYTES="512" byte_offset="16" filename="DISK" physical_partition_number="0" size_in_bytes="8" start_sector="16384" value="NUM_DISK_SECTORS-1." what="last sector into sbl1"/>
  <patch SECTOR_SIZE_IN_BYTES="512" byte_offset="32" filename="DISK" physical_partition_number="0" size_in_bytes="4" start_sector="16384" value="CRC32(20480,4096)" what="CRC32 of big"/>
  <patch SECTOR_SIZE_IN_BYTES="512" byte_offset="0" filename="sbl1.bin" physical_partition_number="0" size_in_bytes="4" start_sector="0" value="0" what="a file patch"/>
</patches>
EOF

# fresh phones (a new storage gets GPTs with random GUIDs: copy one)
"$LAUNCHER" --no-fastboot --storage "$TMP/ufs0" --geometry ufs:3:16M -- true &&
	"$LAUNCHER" --no-fastboot --storage "$TMP/emmc0" --geometry emmc:64M -- true ||
	{ echo "Bail out! cannot create the phones' storage"; exit 1; }

# qdl's runs wait 5 s for an answer to nothing before <configure>: in parallel
(cd "$TMP/flat" && phone qdl-ufs "$TMP/ufs0" qdl --storage ufs "$PROG" \
	rawprogram0.xml rawprogram1.xml rawprogram2.xml patch0.xml patch1.xml patch2.xml) &
(cd "$FB" && phone qdl-sparse "$TMP/ufs0" qdl --storage ufs "$PROG" \
	rawprogram0.xml rawprogram1.xml rawprogram2.xml patch0.xml patch1.xml patch2.xml) &
(cd "$TMP/emmc" && phone qdl-emmc "$TMP/emmc0" qdl --storage emmc "$PROG" rawprogram0.xml patch0.xml) &
phone ub-ufs "$TMP/ufs0" "$CLI" download "$FB/rawprogram0.xml" --device usb:1-2 --loader "$FB/$PROG"
(cd "$TMP/emmc" && phone ub-emmc "$TMP/emmc0" "$CLI" download rawprogram0.xml --device usb:1-2 --loader "$PROG")
wait

for run in qdl-ufs qdl-sparse qdl-emmc; do
	if [ "$(rc $run)" = 0 ] && grep -q 'DONE status: 1' "$TMP/$run.out" &&
		grep -q 'is now bootable' "$TMP/$run.out" && ! grep -q 'failed' "$TMP/$run.out"; then
		ok "$run: qdl uploads the programmer over Sahara and flashes over Firehose"
	else
		nok "$run: qdl exited $(rc $run)"; show "$TMP/$run.out"
	fi
done
for run in ub-ufs ub-emmc; do
	[ "$(rc $run)" = 0 ] && ok "$run: unbrick-cli download" || { nok "$run: unbrick-cli exited $(rc $run)"; show "$TMP/$run.out"; }
done
grep -q 'partition 1 is now bootable' "$TMP/qdl-ufs.out" && grep -q 'partition 0 is now bootable' "$TMP/qdl-emmc.out" &&
	ok "qdl marks the LUN of xbl (UFS) and sbl1 (eMMC) bootable" || nok "bootable LUN"

for lun in lun0 lun1 lun2; do
	cmp -s "$TMP/qdl-ufs/$lun.img" "$TMP/ub-ufs/$lun.img" &&
		ok "UFS $lun: qdl and unbrick-cli leave identical storage" ||
		{ nok "UFS $lun differs"; cmp "$TMP/qdl-ufs/$lun.img" "$TMP/ub-ufs/$lun.img" | sed 's/^/# /'; }
done
cmp -s "$TMP/ufs0/lun0.img" "$TMP/ub-ufs/lun0.img" && nok "the UFS download changed nothing" || ok "the UFS download changed the storage"
for r in user boot1 boot2 rpmb; do
	cmp -s "$TMP/qdl-emmc/$r.img" "$TMP/ub-emmc/$r.img" &&
		ok "eMMC $r: qdl and unbrick-cli leave identical storage" ||
		{ nok "eMMC $r differs"; cmp "$TMP/qdl-emmc/$r.img" "$TMP/ub-emmc/$r.img" | sed 's/^/# /'; }
done
cmp -s "$TMP/emmc0/user.img" "$TMP/ub-emmc/user.img" && nok "the eMMC download changed nothing" || ok "the eMMC download changed the storage"
# the patches landed: NUM_DISK_SECTORS-1 of 64 MiB and the CRC32 of the first 4096 bytes of big.bin
v=$(od -An -tu8 -j $((16384 * 512 + 16)) -N8 "$TMP/qdl-emmc/user.img" | tr -d ' ')
[ "$v" = 131071 ] && ok "the NUM_DISK_SECTORS patch landed" || nok "NUM_DISK_SECTORS patch: $v"
crc=$(od -An -tx4 -j $((16384 * 512 + 32)) -N4 "$TMP/qdl-emmc/user.img" | tr -d ' ')
want=$(python3 -c 'import sys, zlib; print("%08x" % zlib.crc32(open(sys.argv[1], "rb").read()[:4096]))' "$TMP/emmc/big.bin")
[ "$crc" = "$want" ] && ok "the CRC32 patch landed" || nok "CRC32 patch: $crc, wanted $want"
dd if="$TMP/qdl-emmc/user.img" bs=512 skip=20480 count=5860 2>/dev/null | head -c 3000001 | cmp -s - "$TMP/emmc/big.bin" &&
	ok "big.bin is on the phone" || nok "big.bin on the phone"

# qdl 2022 writes a sparse image as it is: only the system partition differs
# (LUN 0 sectors 62..317), and there the phone holds the sparse file's bytes
cmp -s "$TMP/qdl-sparse/lun1.img" "$TMP/ub-ufs/lun1.img" && cmp -s "$TMP/qdl-sparse/lun2.img" "$TMP/ub-ufs/lun2.img" &&
	ok "sparse build: LUNs 1 and 2 identical" || nok "sparse build: LUNs 1 and 2"
range=$(cmp -l "$TMP/qdl-sparse/lun0.img" "$TMP/ub-ufs/lun0.img" | awk 'NR == 1 { f = $1 } { l = $1 } END { print int((f - 1) / 4096), int((l - 1) / 4096) }')
set -- $range
[ "${1:-0}" -ge 62 ] && [ "${2:-999}" -le 317 ] && ok "sparse build: LUN 0 differs only inside system ($range)" || nok "sparse build: LUN 0 differs at sectors $range"
dd if="$TMP/qdl-sparse/lun0.img" bs=4096 skip=62 count=71 2>/dev/null | head -c "$(stat -c %s "$FB/system.img")" | cmp -s - "$FB/system.img" &&
	ok "sparse build: qdl 2022 wrote the sparse container raw" || nok "sparse build: system partition content"
echo "1..$n"
exit $fail

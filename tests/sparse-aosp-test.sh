#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Our sparse streams against AOSP's tools (Debian: android-sdk-libsparse-utils):
#  1. our encoder's output is accepted by simg2img and decodes byte-identically
#     (raw size not a multiple of 4096: the image is padded to a whole block)
#  2. img2simg output decoded by our reader is byte-identical
#  3. split pieces: each accepted by simg2img alone, together reassembled equal,
#     and byte-identical to simg2simg's pieces (same count, same bytes)
#  4. a 4 GiB mostly-empty image round-trips with a bounded peak RSS
# usage: sparse-aosp-test.sh PATH/TO/ub-sparse-tool
set -eu

tool="$1"
case "$tool" in
/*) ;;
*) tool="$PWD/$tool" ;;
esac
for t in img2simg simg2img simg2simg; do
	if ! command -v "$t" >/dev/null 2>&1; then
		echo "SKIP: $t not found (apt-get install android-sdk-libsparse-utils)"
		exit 77
	fi
done

dir=$(mktemp -d "${TMPDIR:-/tmp}/ub-sparse-aosp.XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
cd "$dir"

fail() {
	echo "FAIL: $*"
	exit 1
}

# the peak RSS bound: an encoder or decoder that buffers the image blows it
rss_limit_kib=65536
check_rss() {
	# $1: stderr file of the tool
	rss=$(sed -n 's/.*peak-rss-kib: \([0-9]*\).*/\1/p' "$1" | tail -n 1)
	[ -n "$rss" ] || fail "no peak RSS reported"
	[ "$rss" -lt "$rss_limit_kib" ] || fail "peak RSS $rss KiB >= $rss_limit_kib KiB"
}

# 1. ours -> simg2img; 8 MiB + 1000 bytes: not a multiple of 4096
"$tool" gen raw.img 8389608 7
cp raw.img expected.img
truncate -s 8392704 expected.img
for flags in "" "-z" "-c" "-z -c"; do
	# shellcheck disable=SC2086
	"$tool" encode $flags raw.img ours.simg >/dev/null 2>encode.err || { cat encode.err; fail "encode $flags"; }
	simg2img ours.simg ours.raw || fail "simg2img rejected our output ($flags)"
	cmp expected.img ours.raw || fail "simg2img of our output ($flags) differs"
	# and our own decoder agrees
	# shellcheck disable=SC2086
	"$tool" decode $flags ours.simg ours.dec 2>/dev/null || fail "decode of our output ($flags)"
	cmp expected.img ours.dec || fail "our decode of our output ($flags) differs"
done
echo "ok 1 - our encoder's output accepted by simg2img, byte-identical"

# 2. img2simg -> ours
img2simg raw.img aosp.simg
"$tool" decode aosp.simg aosp.raw 2>/dev/null || fail "decode of img2simg output"
cmp expected.img aosp.raw || fail "our decode of img2simg output differs"
# img2simg with another block size
img2simg raw.img aosp1k.simg 1024
"$tool" decode -c aosp1k.simg aosp1k.raw 2>/dev/null || fail "decode of img2simg 1024 output"
cmp raw.img aosp1k.raw 2>/dev/null || {
	# 1024-byte blocks: padded to 1024, not 4096
	cp raw.img expected1k.img
	truncate -s 8389632 expected1k.img
	cmp expected1k.img aosp1k.raw || fail "our decode of img2simg 1024 output differs"
}
# our encoder and img2simg classify blocks the same: same bytes
"$tool" encode raw.img ours.simg >/dev/null 2>&1
cmp aosp.simg ours.simg || fail "our encoding differs from img2simg's"
echo "ok 2 - img2simg output decoded byte-identically; our encoding equals img2simg's"

# 3. split, compared with simg2simg piece for piece
for max in 1048576 3000000 65536; do
	"$tool" split aosp.simg "$max" ours.piece >split.out 2>/dev/null || fail "split $max"
	n=$(sed -n 's/^pieces: //p' split.out)
	rm -f ref.piece.*
	simg2simg aosp.simg ref.piece "$max"
	nref=$(ls ref.piece.* | wc -l)
	[ "$n" -eq "$nref" ] || fail "max $max: $n pieces, simg2simg made $nref"
	i=0
	list=""
	while [ "$i" -lt "$n" ]; do
		size=$(stat -c %s "ours.piece.$i")
		[ "$size" -le "$max" ] || fail "piece $i is $size bytes > $max"
		cmp "ours.piece.$i" "ref.piece.$i" || fail "max $max: piece $i differs from simg2simg's"
		simg2img "ours.piece.$i" alone.raw || fail "simg2img rejected piece $i"
		list="$list ours.piece.$i"
		i=$((i + 1))
	done
	# shellcheck disable=SC2086
	simg2img $list joined.raw || fail "simg2img of all pieces"
	cmp expected.img joined.raw || fail "max $max: pieces reassembled differ"
	rm -f ours.piece.* joined.raw alone.raw
	echo "ok 3.$max - $n pieces, each valid, identical to simg2simg's, reassembled equal"
done
# a raw input split directly (the fastboot path for a raw image > max-download-size)
"$tool" split raw.img 1048576 rawsplit >split.out 2>/dev/null || fail "split of raw input"
# shellcheck disable=SC2046
simg2img $(ls rawsplit.* | sort -t. -k2 -n) joined.raw || fail "simg2img of raw-split pieces"
cmp expected.img joined.raw || fail "raw-split pieces reassembled differ"
echo "ok 4 - unaligned raw input split, pieces valid and reassembled equal"

# 4. 4 GiB, mostly holes: a few written blocks at the start, the middle and the end
rm -f ./*.img ./*.raw ./*.simg ./*.dec rawsplit.*
truncate -s 4G big.img
"$tool" gen blob.bin 262144 3
dd if=blob.bin of=big.img bs=4096 seek=0 conv=notrunc status=none
dd if=blob.bin of=big.img bs=4096 seek=524289 conv=notrunc status=none
dd if=blob.bin of=big.img bs=4096 seek=1048512 conv=notrunc status=none
"$tool" encode -z big.img big.simg >/dev/null 2>encode.err || { cat encode.err; fail "encode 4 GiB"; }
cat encode.err
check_rss encode.err
"$tool" decode big.simg big.dec 2>decode.err || { cat decode.err; fail "decode 4 GiB"; }
cat decode.err
check_rss decode.err
[ "$(stat -c %s big.dec)" -eq 4294967296 ] || fail "decoded 4 GiB image has the wrong size"
simg2img big.simg big.aosp || fail "simg2img rejected the 4 GiB sparse image"
# compare the written regions and the sizes; the rest are holes on both sides
for off in 0 524289 1048512; do
	cmp -n 262144 -i "$((off * 4096))" big.img big.dec || fail "4 GiB: block $off differs (ours)"
	cmp -n 262144 -i "$((off * 4096))" big.img big.aosp || fail "4 GiB: block $off differs (simg2img)"
done
# whole-image equality without reading 8 GiB of holes: the encoding is exact, so equal
# encodings mean equal images
"$tool" encode -z big.dec big.dec.simg >/dev/null 2>&1 || fail "re-encode of our decode"
cmp big.simg big.dec.simg || fail "4 GiB: our decode differs"
"$tool" encode -z big.aosp big.aosp.simg >/dev/null 2>&1 || fail "re-encode of simg2img's decode"
cmp big.simg big.aosp.simg || fail "4 GiB: simg2img's decode differs"
echo "ok 5 - 4 GiB mostly-empty image round-tripped, peak RSS < $rss_limit_kib KiB"
exit 0

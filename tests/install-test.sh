#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# meson install --destdir into a temporary folder puts everything in the
# standard places: binaries, udev rules, icons, desktop file, metainfo, man pages.
#
# usage: install-test.sh BUILDDIR SOURCEDIR PREFIX BINDIR DATADIR MANDIR GUI(yes|no) MAN(yes|no)

set -u
builddir=$1
srcdir=$2
prefix=$3
bindir=$4
datadir=$5
mandir=$6
gui=$7
man=$8
app_id=io.github.unbrick.Unbrick
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
n=0
failed=0

check() {
	n=$((n + 1))
	if [ -e "$1" ]; then
		echo "ok $n ${1#$dest}"
	else
		failed=1
		echo "not ok $n ${1#$dest} is not installed"
	fi
}

case "$bindir" in /*) ;; *) bindir=$prefix/$bindir ;; esac
case "$datadir" in /*) ;; *) datadir=$prefix/$datadir ;; esac
case "$mandir" in /*) ;; *) mandir=$prefix/$mandir ;; esac

if ! meson install -C "$builddir" --destdir "$dest" --no-rebuild --quiet > "$dest.log" 2>&1; then
	cat "$dest.log" | sed 's/^/# /'
	rm -f "$dest.log"
	echo "not ok 1 meson install"
	echo "1..1"
	exit 1
fi
rm -f "$dest.log"
n=$((n + 1))
echo "ok $n meson install --destdir"

check "$dest$bindir/unbrick-cli"
check "$dest$bindir/unbrick-sim"
if [ "$gui" = yes ]; then
	check "$dest$bindir/unbrick"
fi

# udev reads only its own folders: under udev.pc's udevdir or PREFIX/lib/udev
rules=$(find "$dest" -path '*/udev/rules.d/71-unbrick.rules' | head -n 1)
check "${rules:-$dest/lib/udev/rules.d/71-unbrick.rules}"
n=$((n + 1))
if [ -n "$rules" ] && cmp -s "$rules" "$srcdir/data/udev/71-unbrick.rules"; then
	echo "ok $n the installed rules are the committed ones"
else
	failed=1
	echo "not ok $n the installed rules differ from data/udev/71-unbrick.rules"
fi

check "$dest$datadir/applications/$app_id.desktop"
check "$dest$datadir/metainfo/$app_id.metainfo.xml"
check "$dest$datadir/glib-2.0/schemas/$app_id.gschema.xml"
for lang in de zh_CN; do
	check "$dest$datadir/locale/$lang/LC_MESSAGES/unbrick.mo"
done
n=$((n + 1))
if grep -q '^Comment\[de\]=' "$dest$datadir/applications/$app_id.desktop" &&
	grep -q 'xml:lang="de"' "$dest$datadir/metainfo/$app_id.metainfo.xml"; then
	echo "ok $n desktop file and metainfo carry the translations"
else
	failed=1
	echo "not ok $n desktop file or metainfo is not translated"
fi
check "$dest$datadir/icons/hicolor/scalable/apps/$app_id.svg"
check "$dest$datadir/icons/hicolor/symbolic/apps/$app_id-symbolic.svg"
if [ "$man" = yes ]; then
	for page in unbrick unbrick-cli unbrick-sim; do
		check "$dest$mandir/man1/$page.1"
	done
	n=$((n + 1))
	if grep -q '^\.TH "unbrick-cli" "1"' "$dest$mandir/man1/unbrick-cli.1" 2>/dev/null; then
		echo "ok $n unbrick-cli.1 is roff"
	else
		failed=1
		echo "not ok $n unbrick-cli.1 is not roff built by scdoc"
	fi
fi

# nothing lands outside the prefix except the udev rules
stray=$(cd "$dest" && find . -type f | sed 's|^\.||' | grep -v "^$prefix/" | grep -v '/udev/rules.d/')
n=$((n + 1))
if [ -z "$stray" ]; then
	echo "ok $n nothing outside $prefix but the udev rules"
else
	failed=1
	echo "not ok $n installed outside $prefix: $stray"
fi

echo "# installed:"
(cd "$dest" && find . -type f | sort | sed 's/^\./#   /')
echo "1..$n"
exit $failed

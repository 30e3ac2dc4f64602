#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The man pages cannot drift from the programs: every command of unbrick-cli and
# every option any --help prints is in the page, and every option the page
# documents is one some --help prints.
#
# usage: man-test.sh MANDIR UNBRICK-CLI UNBRICK-SIM [UNBRICK]

set -u
mandir=$1
cli=$2
sim=$3
gui=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
}

# the options of a --help text, one per line: --long and -s
options_of() {
	sed -n 's/^  \(-[a-zA-Z]\), \(--[a-z][a-z0-9-]*\).*/\1\n\2/p; s/^  \(--[a-z][a-z0-9-]*\).*/\1/p' "$1"
}

# the options a man page documents: *--long* and *-s*
documented() {
	grep -o '\*--\?[a-zA-Z][a-z0-9-]*\*' "$1" | tr -d '*' | sort -u
}

check_page() {
	page=$1
	helps=$2
	name=$(basename "$page" .1.scd)
	sort -u "$helps" > "$tmp/printed"
	missing=""
	for opt in $(cat "$tmp/printed"); do
		grep -q -F -- "*$opt*" "$page" || missing="$missing $opt"
	done
	if [ -z "$missing" ]; then
		ok "$name: every option --help prints is documented ($(wc -l < "$tmp/printed"))"
	else
		not_ok "$name: undocumented options:$missing"
	fi
	stale=""
	for opt in $(documented "$page"); do
		grep -q -x -F -- "$opt" "$tmp/printed" || stale="$stale $opt"
	done
	if [ -z "$stale" ]; then
		ok "$name: every documented option exists"
	else
		not_ok "$name: documented options no --help prints:$stale"
	fi
}

# unbrick-cli: the commands, then each command's options
"$cli" --help > "$tmp/cli-help" 2>&1
commands=$(sed -n '/^Commands:/,/^$/s/^  \([a-z][a-z0-9-]*\) .*/\1/p' "$tmp/cli-help")
if [ -z "$commands" ]; then
	not_ok "unbrick-cli --help lists no commands"
fi
: > "$tmp/cli-options"
missing=""
for cmd in $commands; do
	grep -q "^\*$cmd\*" "$mandir/unbrick-cli.1.scd" || missing="$missing $cmd"
	"$cli" "$cmd" --help > "$tmp/help-$cmd" 2>&1
	options_of "$tmp/help-$cmd" >> "$tmp/cli-options"
done
if [ -z "$missing" ]; then
	ok "unbrick-cli: every command is documented ($(echo $commands | wc -w))"
else
	not_ok "unbrick-cli: undocumented commands:$missing"
fi
# the top-level switches
printf -- '--help\n--version\n' >> "$tmp/cli-options"
check_page "$mandir/unbrick-cli.1.scd" "$tmp/cli-options"

"$sim" --help > "$tmp/sim-help" 2>&1
options_of "$tmp/sim-help" > "$tmp/sim-options"
check_page "$mandir/unbrick-sim.1.scd" "$tmp/sim-options"

if [ -n "$gui" ]; then
	# the application's own options, not GTK's and GApplication's
	"$gui" --help > "$tmp/gui-help" 2>&1
	sed -n '/^Application Options:/,/^$/p; /^Help Options:/,/^$/p' "$tmp/gui-help" > "$tmp/gui-own"
	options_of "$tmp/gui-own" > "$tmp/gui-options"
	check_page "$mandir/unbrick.1.scd" "$tmp/gui-options"
fi

# a page that lost an option is caught
sed 's/\*--watch\*/*--wotch*/' "$mandir/unbrick-cli.1.scd" > "$tmp/unbrick-cli.1.scd"
out=$(check_page "$tmp/unbrick-cli.1.scd" "$tmp/cli-options")
failed_before=$failed
case "$out" in
*"not ok"*"--watch"*) ok "a page missing --watch is caught" ;;
*) not_ok "a page missing --watch is not caught" ;;
esac
failed=$failed_before

echo "1..$n"
exit $failed

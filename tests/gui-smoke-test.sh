#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Runs the GTK application on a virtual X server against the simulated phone.
#   gui-smoke-test.sh demo UNBRICK   --demo succeeds (exit 0, the window shows the
#                                    flashed phone) and fails with exit 1 when
#                                    the phone unplugs halfway
#   gui-smoke-test.sh stop UNBRICK   an error shows a dialog; Stop (Escape) ends
#                                    the demo as stopped, with no dialog
# Exits 77 when xvfb-run (or, for "stop", xdotool) is missing.
set -u

mode=$1
unbrick=$2

if ! command -v xvfb-run >/dev/null 2>&1; then
	echo "SKIP: xvfb-run is missing"
	exit 77
fi
if [ "$mode" = stop ] && ! command -v xdotool >/dev/null 2>&1; then
	echo "SKIP: xdotool is missing"
	exit 77
fi
if [ -z "${UB_GUI_TEST_XVFB:-}" ]; then
	UB_GUI_TEST_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24 -noreset" sh "$0" "$@"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# our own cache folder for the images, and no session bus: never talk to an
# unbrick the user has open
export XDG_CACHE_HOME="$tmp/cache"
unset DBUS_SESSION_BUS_ADDRESS
export NO_AT_BRIDGE=1
export GSETTINGS_BACKEND=memory
unset UB_GUI_DEMO_QUIT UB_SIM_FAULTS

fail() {
	echo "FAIL: $*"
	echo "--- stdout"; cat "$tmp/out" 2>/dev/null
	echo "--- stderr"; cat "$tmp/err" 2>/dev/null
	exit 1
}

# run_demo EXPECTED_STATUS [ARGS...]: a whole --demo that quits by itself
run_demo() {
	expected=$1
	shift
	timeout 60 "$unbrick" --demo "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ "$rc" = "$expected" ] || fail "unbrick --demo $* exited with $rc, expected $expected"
}

# visible_windows PID: how many windows of the process are mapped
visible_windows() {
	xdotool search --onlyvisible --pid "$1" 2>/dev/null | wc -l
}

# wait_for_line PATTERN: until the demo printed its summary
wait_for_line() {
	i=0
	while ! grep -q "$1" "$tmp/out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -lt 300 ] || fail "no line matching '$1' after 30 s"
		sleep 0.1
	done
}

case "$mode" in
demo)
	# identify, flash boot_a and dtbo_a, verify; the window shows the result
	run_demo 0 --quit-after-demo
	grep -q '^phone: unbrick_sim (Simulated Fastboot); job: Flashed and verified.*; partitions: [1-9]' \
		"$tmp/out" || fail "the window does not show the flashed phone"

	# the same through the environment variable
	UB_GUI_DEMO_QUIT=1 run_demo 0
	grep -q 'job: Flashed and verified' "$tmp/out" || fail "UB_GUI_DEMO_QUIT=1 did not run the demo"

	# the phone unplugs after 4 MiB of boot_a: exit 1 and the error
	UB_SIM_FAULTS=disconnect-after=4M run_demo 1 --quit-after-demo
	grep -q 'job: Failed' "$tmp/out" || fail "the window does not show the failed job"
	grep -q 'failed to flash boot_a' "$tmp/err" || fail "the error was not reported"

	# a typo is refused before any window
	timeout 20 "$unbrick" --quit-after-demo >"$tmp/out" 2>"$tmp/err"
	[ $? = 1 ] || fail "--quit-after-demo without --demo was accepted"
	;;
stop)
	# an error shows one dialog besides the main window
	UB_SIM_FAULTS=disconnect-after=4M "$unbrick" --demo >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	wait_for_line '^phone:'
	i=0
	while [ "$(visible_windows $pid)" -lt 2 ]; do
		i=$((i + 1))
		[ $i -lt 50 ] || { kill $pid; fail "no error dialog after a failed demo"; }
		sleep 0.1
	done
	kill $pid
	wait $pid 2>/dev/null

	# Stop (its accelerator Escape) while the slowed-down phone is being
	# identified or flashed: the demo ends as stopped and no dialog opens
	UB_SIM_FAULTS=delay=50 "$unbrick" --demo >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	# xdotool can miss a window while the X server is busy: ask again
	win=""
	for try in 1 2 3; do
		win=$(timeout 20 xdotool search --sync --onlyvisible --pid $pid 2>/dev/null | head -n 1)
		[ -n "$win" ] && break
		sleep 0.5
	done
	[ -n "$win" ] || { kill $pid; fail "the main window did not appear"; }
	xdotool windowfocus --sync "$win" key Escape
	wait_for_line '^phone:'
	grep -q 'job: Stopped' "$tmp/out" || { kill $pid; fail "the job was not stopped"; }
	grep -q 'The demo was stopped' "$tmp/err" || { kill $pid; fail "not reported as stopped"; }
	sleep 1
	n=$(visible_windows $pid)
	[ "$n" = 1 ] || { kill $pid; fail "$n windows after Stop: a dialog was shown"; }
	# Ctrl+Q quits; the demo did not succeed, so the exit status is 1
	xdotool windowfocus --sync "$win" key ctrl+q
	wait $pid
	rc=$?
	[ $rc = 1 ] || fail "exit status $rc after a stopped demo, expected 1"
	;;
*)
	echo "usage: $0 demo|stop UNBRICK"
	exit 2
	;;
esac
echo "PASS: $mode"

#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Drives the real application through the accessibility tree (AT-SPI) on a
# virtual X server, with its own D-Bus session (the accessibility bus and its
# registry are started on demand by that session), against simulated phones:
#   gui-atspi-test.sh UNBRICK UB-SIM-STORAGE-DUMP GUI-ATSPI-TEST.PY [ARGS...]
# ARGS go to the python driver (default: "flow", see gui-atspi-test.py).
# Exits 77 when xvfb-run, dbus-run-session, the AT-SPI bus or python3 with
# the Atspi typelib (python3-gi, gir1.2-atspi-2.0) is missing.
set -u

unbrick=$1
dump=$2
driver=$3
shift 3
[ $# -gt 0 ] || set -- flow

skip() {
	echo "SKIP: $*"
	exit 77
}

# python3 that can import gi's Atspi: a python from pyenv or a venv often
# cannot, Debian's can
if [ -z "${UB_GUI_PYTHON:-}" ]; then
	for py in /usr/bin/python3 python3; do
		if "$py" -c "import gi; gi.require_version('Atspi', '2.0'); from gi.repository import Atspi" \
			>/dev/null 2>&1; then
			UB_GUI_PYTHON=$py
			break
		fi
	done
	[ -n "${UB_GUI_PYTHON:-}" ] || skip "python3 with gi and the Atspi typelib (python3-gi, gir1.2-atspi-2.0) is missing"
	export UB_GUI_PYTHON
fi
command -v xvfb-run >/dev/null 2>&1 || skip "xvfb-run is missing"
command -v dbus-run-session >/dev/null 2>&1 || skip "dbus-run-session is missing"
command -v dbus-send >/dev/null 2>&1 || skip "dbus-send is missing"
ls /usr/share/dbus-1/services/org.a11y.Bus.service >/dev/null 2>&1 ||
	skip "the accessibility bus (at-spi2-core) is missing"

# 1: a virtual X server; 2: a private D-Bus session on it
if [ -z "${UB_GUI_TEST_XVFB:-}" ]; then
	UB_GUI_TEST_XVFB=1 exec xvfb-run -a -s "-screen 0 1280x800x24 -noreset" sh "$0" "$unbrick" "$dump" "$driver" "$@"
fi
if [ -z "${UB_GUI_TEST_DBUS:-}" ]; then
	UB_GUI_TEST_DBUS=1 exec dbus-run-session -- sh "$0" "$unbrick" "$dump" "$driver" "$@"
fi

tmp=$(mktemp -d)
cleanup() {
	rm -rf "$tmp"
}
trap cleanup EXIT
export HOME="$tmp/home"
export XDG_CACHE_HOME="$tmp/cache"
export XDG_DATA_HOME="$tmp/data"
export XDG_CONFIG_HOME="$tmp/config"
export XDG_RUNTIME_DIR="$tmp/run"
mkdir -p "$HOME" "$XDG_CACHE_HOME" "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
export GSETTINGS_BACKEND=memory
[ -n "${UB_GUI_BUILDDIR:-}" ] && [ -d "$UB_GUI_BUILDDIR/data" ] && export GSETTINGS_SCHEMA_DIR="$UB_GUI_BUILDDIR/data"
# the bridge must load: no NO_AT_BRIDGE, and toolkits told that an AT is there
unset NO_AT_BRIDGE UB_SIM_FAULTS UB_GUI_DEMO_QUIT
export GTK_A11Y=atk
export GTK_THEME=Adwaita
export GDK_BACKEND=x11
export LC_ALL=C.UTF-8
export LANGUAGE=

# the accessibility bus (at-spi-bus-launcher, which starts the registry):
# activated by the session now rather than on the first call, so that the
# application and the driver find the same one at once
i=0
while ! dbus-send --session --print-reply --dest=org.a11y.Bus /org/a11y/bus org.a11y.Bus.GetAddress \
	>"$tmp/bus.log" 2>&1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$tmp/bus.log"; echo "FAIL: the accessibility bus did not start"; exit 1; }
	sleep 0.05
done

"$UB_GUI_PYTHON" "$driver" --unbrick "$unbrick" --dump "$dump" --tmp "$tmp" "$@"

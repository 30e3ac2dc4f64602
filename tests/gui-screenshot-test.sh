#!/bin/sh
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# PNG screenshots of each tab of the application (light theme) at 1280x800 and
# 1024x600, with a simulated MediaTek phone and its demo package loaded:
#   gui-screenshot-test.sh UNBRICK GUI-ATSPI-TEST.PY OUTDIR
# Fails when the window does not fit 1024x600. Exits 77 like gui-atspi-test.sh.
set -u
here=$(dirname "$0")
unbrick=$1
driver=$2
out=$3
command -v xwd >/dev/null 2>&1 || { echo "SKIP: xwd (x11-apps) is missing"; exit 77; }
command -v xdotool >/dev/null 2>&1 || { echo "SKIP: xdotool is missing"; exit 77; }
mkdir -p "$out" || exit 1
exec sh "$here/gui-atspi-test.sh" "$unbrick" /bin/true "$driver" screenshots --out "$out"

#!/usr/bin/env python3
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Drives the unbrick GTK application through the accessibility tree (AT-SPI,
# libatspi through gi) the way a user with a screen reader or a keyboard
# would: run by gui-atspi-test.sh / gui-screenshot-test.sh, which provide the X
# server, the D-Bus session with the accessibility bus, and a temporary HOME.
#
#   flow          for MediaTek and fastboot: add a simulated phone,
#                 open the demo package, untick one partition, Download; read
#                 a partition back; Format keeping calibration; each checked
#                 on the simulated storage with ub-sim-storage-dump
#   latency       a 2 GiB fastboot download with UB_GUI_LATENCY_REPORT: the
#                 window's main loop stays responsive (target max < 50 ms;
#                 max < 100 ms asserted, the margin for a loaded CI machine;
#                 one retry, as a stall of the machine does not repeat)
#   screenshots   PNGs of each tab at 1280x800 and 1024x600 into --out
#   dump          print the accessibility tree of the window (debugging)

import argparse
import faulthandler
import glob
import os
import struct
import subprocess
import sys
import time
import warnings
import zlib

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

warnings.filterwarnings("ignore", category=DeprecationWarning)

VERBOSE = bool(os.environ.get("UB_GUI_TEST_VERBOSE"))


class TestFailure(Exception):
    pass


def log(msg):
    print(msg, flush=True)


def debug(msg):
    if VERBOSE:
        print("  " + msg, flush=True)


def fail(msg):
    raise TestFailure(msg)


# --- the accessibility tree ---------------------------------------------------


def acc_name(acc):
    try:
        return acc.get_name() or ""
    except Exception:
        return ""


def acc_role(acc):
    try:
        return acc.get_role_name() or ""
    except Exception:
        return ""


def acc_children(acc):
    try:
        n = acc.get_child_count()
    except Exception:
        return []
    out = []
    for i in range(n):
        try:
            child = acc.get_child_at_index(i)
        except Exception:
            child = None
        if child is not None:
            out.append(child)
    return out


def has_state(acc, state):
    try:
        return acc.get_state_set().contains(state)
    except Exception:
        return False


def visible(acc):
    return has_state(acc, Atspi.StateType.VISIBLE)


def showing(acc):
    return has_state(acc, Atspi.StateType.SHOWING)


def sensitive(acc):
    return has_state(acc, Atspi.StateType.SENSITIVE)


def checked(acc):
    return has_state(acc, Atspi.StateType.CHECKED) or has_state(acc, Atspi.StateType.PRESSED)


def walk(root, max_depth=60):
    """depth-first, children of hidden containers skipped"""
    stack = [(root, 0)]
    while stack:
        acc, depth = stack.pop()
        yield acc, depth
        if depth >= max_depth:
            continue
        kids = acc_children(acc)
        for child in reversed(kids):
            stack.append((child, depth + 1))


def find_all(root, name=None, role=None, only_showing=True, pred=None):
    out = []
    for acc, _depth in walk(root):
        if acc is root:
            continue
        if name is not None and acc_name(acc) != name:
            continue
        if role is not None and acc_role(acc) not in (role if isinstance(role, tuple) else (role,)):
            continue
        if only_showing and not showing(acc):
            continue
        if pred is not None and not pred(acc):
            continue
        out.append(acc)
    return out


def find(root, name, role=None, timeout=10.0, only_showing=True, pred=None):
    deadline = time.monotonic() + timeout
    while True:
        hits = find_all(root, name=name, role=role, only_showing=only_showing, pred=pred)
        if hits:
            return hits[0]
        if time.monotonic() > deadline:
            fail("no accessible %r (role %r) under %r" % (name, role, acc_name(root)))
        time.sleep(0.1)


def dump_tree(root, out=sys.stdout):
    for acc, depth in walk(root):
        states = []
        for st, tag in ((Atspi.StateType.SHOWING, "showing"), (Atspi.StateType.SENSITIVE, "sensitive"),
                        (Atspi.StateType.CHECKED, "checked"), (Atspi.StateType.FOCUSABLE, "focusable")):
            if has_state(acc, st):
                states.append(tag)
        out.write("%s[%s] %r %s\n" % ("  " * depth, acc_role(acc), acc_name(acc), " ".join(states)))


def do_action(acc, wanted=("click", "press", "activate", "toggle")):
    try:
        action = acc.get_action_iface()
    except Exception:
        action = None
    if action is None:
        fail("%r (%s) has no action" % (acc_name(acc), acc_role(acc)))
    names = [action.get_action_name(i) for i in range(action.get_n_actions())]
    for want in wanted:
        if want in names:
            debug("%s %r (%s)" % (want, acc_name(acc), acc_role(acc)))
            action.do_action(names.index(want))
            return
    fail("%r (%s) has no action of %r, only %r" % (acc_name(acc), acc_role(acc), wanted, names))


def text_of(acc):
    try:
        txt = acc.get_text_iface()
        if txt is not None:
            return txt.get_text(0, txt.get_character_count())
    except Exception:
        pass
    return acc_name(acc)


def set_text(acc, value):
    try:
        editable = acc.get_editable_text_iface()
    except Exception:
        editable = None
    if editable is None:
        fail("%r is not editable" % acc_name(acc))
    editable.set_text_contents(value)


def wait_until(what, cond, timeout=30.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > deadline:
            fail("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(interval)


# --- the application ----------------------------------------------------------


class App:
    def __init__(self, args, extra_env=None, argv=()):
        self.args = args
        env = dict(os.environ)
        if extra_env:
            env.update(extra_env)
        self.out = open(os.path.join(args.tmp, "unbrick.out"), "w")
        self.err_path = os.path.join(args.tmp, "unbrick.err")
        self.err = open(self.err_path, "w")
        self.proc = subprocess.Popen([args.unbrick] + list(argv), env=env, stdout=self.out,
                                     stderr=self.err)
        self.app = wait_until("the application on the accessibility bus", self._find_app, timeout=20)
        try:
            pass  # self.app.set_cache_mask(Atspi.Cache.NONE)
        except Exception:
            pass
        self.window = wait_until("the window 'Unbrick'", self._find_window, timeout=20)

    def _find_app(self):
        if self.proc.poll() is not None:
            fail("unbrick exited with %d: %s" % (self.proc.returncode, self.stderr()))
        desktop = Atspi.get_desktop(0)
        for app in acc_children(desktop):
            try:
                if app.get_process_id() == self.proc.pid:
                    return app
            except Exception:
                continue
        return None

    def _find_window(self):
        for win in acc_children(self.app):
            if acc_name(win) == "Unbrick" and acc_role(win) == "frame":
                return win
        return None

    def windows(self):
        return acc_children(self.app)

    def dialogs(self):
        return [w for w in self.windows() if w is not None and acc_role(w) in ("dialog", "alert")
                and showing(w)]

    def stderr(self):
        self.err.flush()
        with open(self.err_path) as f:
            return f.read()[-4000:]

    def quit(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()
        self.err.close()



# --- the simulated storage ----------------------------------------------------


class Storage:
    """a simulated phone's storage folder, read with ub-sim-storage-dump"""

    def __init__(self, dump, path):
        self.dump = dump
        self.path = path

    def _run(self, *argv, check=True):
        res = subprocess.run([self.dump] + list(argv), capture_output=True, text=True)
        if check and res.returncode != 0:
            fail("ub-sim-storage-dump %s: %s" % (" ".join(argv), res.stderr.strip()))
        return res

    def partitions(self):
        out = {}
        for line in self._run("list", self.path).stdout.splitlines():
            name, _region, _offset, size = line.split()
            out[name] = int(size)
        return out

    def sha256(self, name, length=None):
        argv = ["sha256", self.path, name] + ([str(length)] if length is not None else [])
        return self._run(*argv).stdout.split()[0]

    def erased(self, name):
        res = self._run("erased", self.path, name, check=False)
        if res.returncode not in (0, 1):
            fail("ub-sim-storage-dump erased %s: %s" % (name, res.stderr.strip()))
        return res.returncode == 0

    def fill(self, name, seed, length=65536):
        self._run("fill", self.path, name, str(seed), str(length))

    def holds_demo(self, kind, row, part):
        size, digest = self._run("demo", kind, row).stdout.split()
        return self.sha256(part, int(size)) == digest


# what each kind's demo package and phone look like to the test: the row to
# untick, rows that must be written, the storage partition of a row, the
# calibration partitions the Format must keep, and what it must erase
KINDS = {
    "mtk": {
        "menu": "Simulated MediaTek phone",
        # a new simulated phone is in the state a user's is in: the older
        # layout of the demo scatter with calibration data of its own, which
        # Firmware Upgrade moves to the new layout and keeps byte for byte
        "mode": "Firmware Upgrade",
        "keep": ["nvram", "nvdata"],
        "untick": "vbmeta",
        "written": ["lk", "boot", "system"],
        "calibration": ["nvram", "nvdata"],
        "readback": "boot",
        "slot": "",
    },
    "fastboot": {
        "menu": "Simulated fastboot phone",
        "untick": "dtbo",
        "written": ["boot", "vbmeta"],
        "calibration": ["persist", "modemst1"],
        "readback": "boot_a",
        "slot": "_a",
    },
}


# --- steps through the window -------------------------------------------------


def check_no_error_dialog(app):
    for dlg in app.dialogs():
        texts = [text_of(a) for a, _d in walk(dlg) if acc_role(a) == "label"]
        fail("a dialog is open: %s" % " / ".join(t for t in texts if t))


def open_menu_item(app, button_name, item_name):
    """a menu button and one of its items, as a user would: open, then pick"""
    button = find(app.window, button_name, role="toggle button")
    item = None
    for _try in range(3):
        if not checked(button):
            do_action(button)
        try:
            item = find(app.app, item_name, role=("push button", "menu item", "check box"),
                        timeout=3)
            break
        except TestFailure:
            continue
    if item is None:
        fail("the menu %r has no item %r" % (button_name, item_name))
    do_action(item)


def select_combo(combo, item_name):
    items = [a for a, _d in walk(combo) if acc_role(a) == "menu item"]
    names = [acc_name(a) for a in items]
    if item_name not in names:
        fail("%r offers no %r, only %r" % (acc_name(combo), item_name, names))
    sel = combo.get_selection_iface()
    if sel is not None:
        sel.select_child(names.index(item_name))
    else:
        do_action(items[names.index(item_name)])
    if sel is not None:
        wait_until("%r set to %r" % (acc_name(combo), item_name),
                   lambda: sel.is_child_selected(names.index(item_name)), timeout=5)


def select_tab(app, name):
    tab = find(app.window, name, role=("radio button", "toggle button"))
    if not checked(tab):
        do_action(tab)
    wait_until("the %s tab" % name, lambda: checked(tab), timeout=5)


def add_phone(app, kind, cache):
    before = set(glob.glob(os.path.join(cache, "unbrick", "sim", "*")))
    open_menu_item(app, "Add simulated phone", KINDS[kind]["menu"])

    def new_dir():
        now = set(glob.glob(os.path.join(cache, "unbrick", "sim", kind + "-*")))
        fresh = [d for d in now - before if os.path.exists(os.path.join(d, "storage.ini"))]
        return fresh[0] if fresh else None

    path = wait_until("the storage folder of the simulated %s phone" % kind, new_dir, timeout=15)
    phones = find(app.window, "Phones", role="list box")
    wait_until("a row in Phones", lambda: len(acc_children(phones)) > 0, timeout=10)
    return path


def wait_job_done(app, what, timeout=60.0):
    stop = find(app.window, "Stop", role="push button", only_showing=False)

    def done():
        check_no_error_dialog(app)
        return not sensitive(stop)

    wait_until("the end of %s" % what, done, timeout=timeout, interval=0.2)


def run_job(app, what, button, storage_ok, timeout=60.0):
    """press BUTTON, wait until STORAGE_OK() holds and the job ended"""
    wait_until("%s to be ready" % acc_name(button), lambda: sensitive(button), timeout=20)
    t0 = time.monotonic()
    do_action(button)
    wait_until(what, lambda: (check_no_error_dialog(app) or storage_ok()), timeout=timeout,
               interval=0.25)
    wait_job_done(app, what, timeout=timeout)
    return time.monotonic() - t0


def summary_text(app):
    acc = find_all(app.window, name="Summary", role="label", only_showing=False)
    return text_of(acc[0]) if acc else ""


def step_download(app, kind, storage):
    info = KINDS[kind]
    slot = info["slot"]
    parts = storage.partitions()
    # the partition the user unticks holds data of its own that must survive
    untick_part = info["untick"] + slot
    storage.fill(untick_part, 0x3c, 1024 * 1024)
    untick_before = storage.sha256(untick_part, 1024 * 1024)
    keep_before = {name: storage.sha256(name) for name in info.get("keep", [])}
    for name in keep_before:
        if storage.erased(name):
            fail("%s of the new simulated phone is empty: it has no calibration data of its own"
                 % name)

    open_menu_item(app, "Recent packages", "Open demo package")
    select_tab(app, "Download")
    if info.get("mode"):
        select_combo(find(app.window, "Mode", role="combo box", timeout=20), info["mode"])
    # rows scrolled out of the view are not "showing", only visible
    check = find(app.window, "Write " + info["untick"], role="check box", timeout=20,
                 only_showing=False, pred=visible)
    if checked(check):
        do_action(check)
    wait_until("'Write %s' unticked" % info["untick"], lambda: not checked(check), timeout=5)
    for row in info["written"]:
        box = find(app.window, "Write " + row, role="check box", only_showing=False, pred=visible)
        if not checked(box):
            fail("'Write %s' is not ticked in the demo package" % row)

    def written():
        return all(storage.holds_demo(kind, row, row + slot) for row in info["written"])

    button = find(app.window, "Download", role="push button")
    secs = run_job(app, "the download", button, written)
    if not written():
        fail("the demo images are not on the phone after the download")
    if info.get("mode") == "Format All + Download":
        # the whole flash was formatted first: the unticked one is empty
        if not storage.erased(untick_part):
            fail("%s is not empty after Format All + Download" % untick_part)
    elif info.get("mode") == "Firmware Upgrade":
        # every partition moved to the new layout: the unticked one is where
        # another was, so only "not the demo image" (below) holds
        pass
    elif storage.sha256(untick_part, 1024 * 1024) != untick_before:
        fail("%s was written although 'Write %s' was unticked" % (untick_part, info["untick"]))
    if storage.holds_demo(kind, info["untick"], untick_part):
        fail("the unticked %s holds the demo image" % untick_part)
    for name, digest in keep_before.items():
        if storage.sha256(name) != digest:
            fail("%s changed in the %s: the calibration data was not kept"
                 % (name, info.get("mode", "download")))
    log("ok %s download (%s): %s written, unticked %s not (%.1f s); summary: %s"
        % (kind, info.get("mode", "default mode"), ", ".join(info["written"]), untick_part, secs,
           " / ".join(summary_text(app).splitlines())[:160]))
    if untick_part not in parts:
        fail("no partition %s on the simulated phone" % untick_part)


def step_readback(app, kind, storage, home):
    info = KINDS[kind]
    name = info["readback"]
    select_tab(app, "Read back")
    add = find(app.window, "Add partitions from phone", role="toggle button", timeout=20)
    wait_until("'Add partitions from phone' enabled", lambda: sensitive(add), timeout=20)
    if not checked(add):
        do_action(add)
    try:
        search = find(app.app, "Search partitions", role="text", timeout=5)
    except TestFailure:
        fail("the 'Add partitions from phone' popover did not open")
    # type the name, as a user would in a long list
    set_text(search, name)
    box = find(app.app, name, role="check box", timeout=5)
    if not checked(box):
        do_action(box)
    add_button = find(app.app, "Add", role="push button")
    do_action(add_button)
    row_check = find(app.window, "Read back " + name, role="check box", timeout=10,
                     only_showing=False, pred=visible)
    if not checked(row_check):
        do_action(row_check)
    # only this row
    for other in find_all(app.window, role="check box", only_showing=False,
                          pred=lambda a: visible(a) and acc_name(a).startswith("Read back ") and
                          acc_name(a) != "Read back " + name):
        if checked(other):
            do_action(other)
    expected = storage.sha256(name)

    def read_back():
        hits = glob.glob(os.path.join(home, "Unbrick", "*", "*", name + ".img"))
        return hits[0] if hits else None

    def file_ok():
        path = read_back()
        if path is None:
            return False
        res = subprocess.run(["sha256sum", path], capture_output=True, text=True)
        return res.stdout.split()[0] == expected.split()[0] if res.returncode == 0 else False

    button = find(app.window, "Read back", role="push button")
    secs = run_job(app, "the read back", button, file_ok)
    path = read_back()
    size = os.path.getsize(path)
    if size != storage.partitions()[name]:
        fail("%s is %d bytes, the partition %d" % (path, size, storage.partitions()[name]))
    log("ok %s read back: %s -> %s equals the storage (%.1f s)"
        % (kind, name, os.path.relpath(path, home), secs))


def step_format(app, kind, storage):
    info = KINDS[kind]
    slot = info["slot"]
    cal = {}
    for i, name in enumerate(info["calibration"]):
        storage.fill(name, 0x51 + i, 256 * 1024)
        cal[name] = storage.sha256(name)
    erase = [row + slot for row in info["written"]] + [info["untick"] + slot]
    # user data of its own on the partition the download left out
    storage.fill(info["untick"] + slot, 0x77, 256 * 1024)
    for name in erase:
        if storage.erased(name):
            fail("%s is already empty before the format: the test could not see an erase" % name)

    select_tab(app, "Format")
    auto = find(app.window, "Auto", role="radio button")
    if not checked(auto):
        do_action(auto)
    keep = find(app.window, "Keep calibration data", role="check box", only_showing=False,
                pred=visible)
    if not checked(keep):
        fail("'Keep calibration data' is not on by default")
    button = find(app.window, "Format", role="push button")
    wait_until("Format to be ready", lambda: sensitive(button), timeout=20)
    # the confirmation is modal without a nested main loop: the action
    # returns and the dialog is reachable through the accessibility tree
    do_action(button)

    def dialog():
        for dlg in app.dialogs():
            hits = find_all(dlg, name="Format", role="push button")
            if hits:
                return dlg, hits[0]
        return None

    dlg, confirm = wait_until("the confirmation dialog", dialog, timeout=10)
    text = " ".join(text_of(a) for a, _d in walk(dlg) if acc_role(a) == "label")
    for name in info["calibration"]:
        if name not in text:
            debug("the confirmation does not name %s: %s" % (name, text))
    t0 = time.monotonic()
    do_action(confirm)
    wait_until("the format", lambda: (check_no_error_dialog(app) or
                                      all(storage.erased(n) for n in erase)), timeout=60,
               interval=0.25)
    wait_job_done(app, "the format")
    for name in erase:
        if not storage.erased(name):
            fail("%s was not erased by the format" % name)
    for name, digest in cal.items():
        if storage.sha256(name) != digest:
            fail("the calibration partition %s changed although 'Keep calibration data' was on"
                 % name)
    log("ok %s format: %s erased, %s kept byte for byte (%.1f s)"
        % (kind, ", ".join(erase), ", ".join(cal), time.monotonic() - t0))


def mode_flow(args):
    kinds = [k for k in args.kinds.split(",") if k]
    t0 = time.monotonic()
    for kind in kinds:
        cache = os.path.join(args.tmp, "cache-" + kind)
        home = os.path.join(args.tmp, "home-" + kind)
        os.makedirs(home, exist_ok=True)
        app = App(args, extra_env={"XDG_CACHE_HOME": cache, "HOME": home})
        try:
            path = add_phone(app, kind, cache)
            storage = Storage(args.dump, path)
            steps = args.steps.split(",")
            if "download" in steps:
                step_download(app, kind, storage)
            if "readback" in steps:
                step_readback(app, kind, storage, home)
            if "format" in steps:
                step_format(app, kind, storage)
        except TestFailure:
            log("--- unbrick stderr\n" + app.stderr())
            if VERBOSE:
                for win in app.windows():
                    dump_tree(win)
            raise
        finally:
            app.quit()
    log("PASS: flow %s in %.1f s" % (",".join(kinds), time.monotonic() - t0))
    return 0



def make_big_rom(root, size, data_mib):
    """a fastboot ROM folder (flash_all.sh + images/) flashing a raw super.img
    of SIZE bytes: a sparse file with DATA_MIB MiB of non-zero data spread over
    it, the rest holes"""
    images = os.path.join(root, "images")
    os.makedirs(images, exist_ok=True)
    with open(os.path.join(root, "flash_all.sh"), "w") as f:
        f.write("fastboot $* flash super `dirname $0`/images/super.img\n"
                "if [ $? -ne 0 ] ; then echo \"Flash super error\"; exit 1; fi\n")
    path = os.path.join(images, "super.img")
    chunk = 4 * 1024 * 1024
    n = max(1, data_mib // 4)
    block = bytes((i * 131 + 7) & 0xff or 1 for i in range(65536)) * (chunk // 65536)
    with open(path, "wb") as f:
        f.truncate(size)
        for i in range(n):
            f.seek((size // n) * i)
            f.write(block)
    return root


def mode_latency(args):
    tries = []
    for attempt in range(2):
        res = latency_once(args, attempt)
        tries.append(res)
        if res["max_ms"] < args.max_latency:
            break
        log("the main loop was blocked for %.1f ms (limit %d ms): once more, in case the "
            "machine stalled" % (res["max_ms"], args.max_latency))
    else:
        fail("the main loop was blocked for %s ms during the download (limit %d ms, target 50 ms)"
             % (" and ".join("%.1f" % r["max_ms"] for r in tries), args.max_latency))
    if res["max_ms"] >= 50:
        log("note: max %.1f ms is above the 50 ms target (within the CI margin)" % res["max_ms"])
    log("PASS: latency")
    return 0


def latency_once(args, attempt):
    size = 2 * 1024 * 1024 * 1024
    rom = make_big_rom(os.path.join(args.tmp, "big_rom"), size, args.data_mib)
    report = os.path.join(args.tmp, "latency-%d.json" % attempt)
    cache = os.path.join(args.tmp, "cache-latency-%d" % attempt)
    app = App(args, extra_env={"XDG_CACHE_HOME": cache, "UB_GUI_LATENCY_REPORT": report},
              argv=["--sim", "fastboot", "--package", rom])
    try:
        path = wait_until("the simulated phone's storage",
                          lambda: ([d for d in glob.glob(os.path.join(cache, "unbrick", "sim", "*"))
                                    if os.path.exists(os.path.join(d, "storage.ini"))] or [None])[0],
                          timeout=20)
        storage = Storage(args.dump, path)
        select_tab(app, "Download")
        find(app.window, "Write super", role="check box", only_showing=False, pred=visible,
             timeout=20)
        button = find(app.window, "Download", role="push button")
        wait_until("Download to be ready", lambda: sensitive(button), timeout=20)
        t0 = time.monotonic()
        do_action(button)
        wait_until("the latency report", lambda: (check_no_error_dialog(app) or
                                                  os.path.exists(report)), timeout=120,
                   interval=0.25)
        secs = time.monotonic() - t0
        wait_job_done(app, "the 2 GiB download")
        import json
        with open(report) as f:
            res = json.load(f)
        log("2 GiB download (%d MiB of data) in %.1f s: main-loop latency max %.1f ms, p99 %.1f ms "
            "(%d samples every %d ms), %s"
            % (args.data_mib, secs, res["max_ms"], res["p99_ms"], res["samples"],
               res["period_ms"], res["result"]))
        if res["samples"] < 10:
            fail("only %d latency samples: the job did not run long enough to measure"
                 % res["samples"])
        # the data really is on the phone: the first chunk of super
        digest = storage.sha256("super", 4 * 1024 * 1024)
        with open(os.path.join(rom, "images", "super.img"), "rb") as f:
            import hashlib
            want = hashlib.sha256(f.read(4 * 1024 * 1024)).hexdigest()
        if digest != want:
            fail("super does not hold the image after the download")
    except TestFailure:
        log("--- unbrick stderr\n" + app.stderr())
        raise
    finally:
        app.quit()
    return res



# --- screenshots --------------------------------------------------------------


def xwd_to_png(xwd, png, box):
    """the BOX (x, y, w, h) of an xwd dump of the root window (24/32 bpp ZPixmap)
    as an RGB PNG"""
    with open(xwd, "rb") as f:
        d = f.read()
    h = struct.unpack(">25I", d[:100])
    header_size, width, height = h[0], h[4], h[5]
    byte_order, bpp, bpl, ncolors = h[7], h[11], h[12], h[19]
    # 32 when one visual covers the screen; 24 (packed) when xwd merges
    # several, e.g. the window's RGBA visual over a part of the root window
    if bpp not in (24, 32):
        fail("xwd: %d bits per pixel, expected 24 or 32" % bpp)
    px = bpp // 8
    off = header_size + ncolors * 12
    x0, y0, w, hgt = box
    x0 = max(0, min(x0, width - 1))
    y0 = max(0, min(y0, height - 1))
    w = min(w, width - x0)
    hgt = min(hgt, height - y0)
    rows = []
    for y in range(y0, y0 + hgt):
        line = d[off + y * bpl + x0 * px:off + y * bpl + (x0 + w) * px]
        out = bytearray(w * 3)
        if byte_order == 0:  # LSBFirst: B G R [X]
            out[0::3] = line[2::px]
            out[1::3] = line[1::px]
            out[2::3] = line[0::px]
        else:  # MSBFirst: [X] R G B
            out[0::3] = line[px - 3::px]
            out[1::3] = line[px - 2::px]
            out[2::3] = line[px - 1::px]
        rows.append(b"\0" + bytes(out))

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data +
                struct.pack(">I", zlib.crc32(tag + data) & 0xffffffff))

    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", w, hgt, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))


def window_box(app):
    comp = app.window.get_component_iface()
    ext = comp.get_extents(Atspi.CoordType.SCREEN)
    return ext.x, ext.y, ext.width, ext.height


def x_window_of(pid):
    res = subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--pid", str(pid)],
                         capture_output=True, text=True, timeout=20)
    ids = res.stdout.split()
    if not ids:
        fail("no X window for pid %d" % pid)
    return ids[0]


def mode_screenshots(args):
    os.makedirs(args.out, exist_ok=True)
    cache = os.path.join(args.tmp, "cache-shots")
    app = App(args, extra_env={"XDG_CACHE_HOME": cache}, argv=["--sim", "mtk"])
    written = []
    try:
        # the phone identified and the demo package in the table
        find(app.window, "Write boot", role="check box", only_showing=False, pred=visible,
             timeout=30)
        phones = find(app.window, "Phones", role="list box")
        wait_until("the phone in the list", lambda: len(acc_children(phones)) > 0, timeout=20)
        xid = x_window_of(app.proc.pid)
        for (w, h) in ((1280, 800), (1024, 600)):
            subprocess.run(["xdotool", "windowmove", xid, "0", "0"], check=True)
            subprocess.run(["xdotool", "windowsize", xid, str(w), str(h)], check=True)

            def sized():
                _x, _y, ww, hh = window_box(app)
                return (ww, hh) == (w, h)

            try:
                wait_until("the window at %dx%d" % (w, h), sized, timeout=5)
            except TestFailure:
                fail("the window does not fit %dx%d: it is %dx%d (its minimum size is larger)"
                     % ((w, h) + window_box(app)[2:]))
            for tab, slug in (("Download", "download"), ("Read back", "read-back"),
                              ("Format", "format")):
                select_tab(app, tab)
                time.sleep(0.8)  # let it draw
                xwd = os.path.join(args.tmp, "shot.xwd")
                with open(xwd, "wb") as f:
                    subprocess.run(["xwd", "-root", "-silent"], stdout=f, check=True)
                png = os.path.join(args.out, "unbrick-%s-%dx%d.png" % (slug, w, h))
                xwd_to_png(xwd, png, window_box(app))
                written.append(png)
                log("ok %s" % png)
    except TestFailure:
        log("--- unbrick stderr\n" + app.stderr())
        raise
    finally:
        app.quit()
    log("PASS: %d screenshots in %s" % (len(written), args.out))
    return 0


# --- modes --------------------------------------------------------------------


def mode_dump(args):
    app = App(args, argv=args.app_args)
    try:
        time.sleep(1)
        for win in app.windows():
            dump_tree(win)
    finally:
        app.quit()
    return 0


def main():
    faulthandler.dump_traceback_later(int(os.environ.get("UB_GUI_TEST_TRACEBACK", "0")) or 1e6, exit=False)
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["flow", "latency", "screenshots", "dump"])
    parser.add_argument("--unbrick", required=True)
    parser.add_argument("--dump")
    parser.add_argument("--tmp", required=True)
    parser.add_argument("--out")
    parser.add_argument("--kinds", default="mtk,fastboot")
    parser.add_argument("--steps", default="download,readback,format")
    parser.add_argument("--data-mib", type=int, default=512)
    parser.add_argument("--max-latency", type=int, default=100)
    parser.add_argument("app_args", nargs="*")
    args = parser.parse_args()
    modes = {"dump": mode_dump, "flow": mode_flow, "latency": mode_latency,
             "screenshots": mode_screenshots}
    try:
        return modes[args.mode](args)
    except TestFailure as e:
        log("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# Cheap source rules from STYLE.md section 9, run as a test: each failure names
# the file and line. Usage: check-source.py SRCDIR
import os
import re
import sys

root = sys.argv[1]
problems = []


def files(sub, exts=(".c", ".h")):
    for dirpath, _, names in os.walk(os.path.join(root, sub)):
        for name in sorted(names):
            if name.endswith(exts):
                yield os.path.join(dirpath, name)


def strings_of_call(text, func):
    """(line, first string literal argument after the error argument) of each call"""
    for m in re.finditer(r"\b" + func + r"\s*\(", text):
        depth, i = 1, m.end()
        while i < len(text) and depth > 0:
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        call = text[m.end():i - 1]
        # the format: the first run of adjacent literals, not later arguments
        group = re.search(r'("(?:[^"\\]|\\.)*"(?:\s*(?:"(?:[^"\\]|\\.)*"|[A-Z][A-Z0-9_]*\b))*)', call)
        lits = re.findall(r'"((?:[^"\\]|\\.)*)"', group.group(1)) if group else []
        yield text.count("\n", 0, m.start()) + 1, lits


for path in files("src"):
    rel = os.path.relpath(path, root)
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    if "SPDX-License-Identifier" not in "\n".join(lines[:5]):
        problems.append(f"{rel}:1: no SPDX-License-Identifier in the header")
    for n, line in enumerate(lines, 1):
        code = line.split("//")[0]
        if re.search(r"\bgoto\b", code) and not code.strip().startswith(("*", "/*")):
            problems.append(f"{rel}:{n}: goto (use g_autoptr and early returns)")
    # context is added as "failed to X: " and always ends in ": "
    for n, lits in strings_of_call(text, "g_prefix_error"):
        if lits and not "".join(lits).endswith(": "):
            problems.append(f"{rel}:{n}: g_prefix_error text must end with ': '")
    for func in ("g_set_error", "g_set_error_literal"):
        for n, lits in strings_of_call(text, func):
            if lits and "".join(lits).endswith((": ", ":")):
                problems.append(f"{rel}:{n}: {func} text must not end with ':'")
    core = rel.startswith(os.path.join("src", "core"))
    sim = rel.startswith(os.path.join("src", "sim"))
    if (core or sim) and re.search(r"#include\s*<gtk/", text):
        problems.append(f"{rel}: GTK included outside the front-ends")
    if core:
        for n, line in enumerate(lines, 1):
            if re.search(r"\b(g_print|g_printerr|printf|fprintf|puts|exit)\s*\(", line):
                problems.append(f"{rel}:{n}: the core never prints or exits")
            if re.search(r'\b_\("|\bN_\("', line):
                problems.append(f"{rel}:{n}: the core has no translated text (front-ends translate)")

for p in problems:
    print(p)
print(f"{len(problems)} problem(s)")
sys.exit(1 if problems else 0)

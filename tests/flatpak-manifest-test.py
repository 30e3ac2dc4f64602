#!/usr/bin/env python3
# Copyright (C) 2026 The Unbrick developers
# SPDX-License-Identifier: GPL-2.0-or-later
#
# flatpak-builder cannot reach its runtime here: check the manifest instead. It
# parses, names the app, the command and the runtime, asks for USB and display
# access only, builds unbrick with meson and options that exist, and pins every
# downloaded source by sha256. Also checks that a broken manifest is caught.

import copy
import json
import os
import re
import sys

APP_ID = 'io.github.unbrick.Unbrick'


def meson_options(root):
    with open(os.path.join(root, 'meson_options.txt'), encoding='utf-8') as f:
        return set(re.findall(r"option\('([^']+)'", f.read()))


def check(manifest, root, manifest_dir):
    errors = []
    if manifest.get('id', manifest.get('app-id')) != APP_ID:
        errors.append('app id is not ' + APP_ID)
    if manifest.get('runtime') != 'org.gnome.Platform' or manifest.get('sdk') != 'org.gnome.Sdk':
        errors.append('runtime/sdk are not org.gnome.Platform/org.gnome.Sdk')
    version = str(manifest.get('runtime-version', ''))
    if not version.isdigit() or int(version) < 49:
        errors.append('runtime-version %r is not a supported GNOME runtime (49 or later)' % version)
    if manifest.get('command') != 'unbrick':
        errors.append('command is not unbrick')

    args = manifest.get('finish-args', [])
    for needed in ['--share=ipc', '--socket=wayland', '--socket=fallback-x11']:
        if needed not in args:
            errors.append('finish-args lack ' + needed)
    if '--device=all' not in args and '--device=usb' not in args:
        errors.append('finish-args give no USB access (--device=all or --device=usb)')
    for bad in ['--filesystem=host', '--filesystem=home', '--socket=x11', '--share=network']:
        if bad in args:
            errors.append('finish-args ask for ' + bad)

    modules = manifest.get('modules', [])
    names = [m.get('name') if isinstance(m, dict) else m for m in modules]
    if 'libusb' not in names:
        errors.append('no libusb module (the GNOME runtime lacks it)')
    if not names or names[-1] != 'unbrick':
        errors.append('the last module is not unbrick')
    else:
        app = modules[-1]
        if app.get('buildsystem') != 'meson':
            errors.append('unbrick is not built with meson')
        options = meson_options(root)
        opts = app.get('config-opts', [])
        for opt in opts:
            m = re.match(r'^-D([a-z_]+)=(.+)$', opt)
            if m is None:
                errors.append('config-opt %r is not -Dname=value' % opt)
            elif m.group(1) not in options and m.group(1) not in ('buildtype', 'b_lto'):
                errors.append('config-opt %r names no option of meson_options.txt' % opt)
        if '-Dgui=enabled' not in opts:
            errors.append('unbrick is built without -Dgui=enabled')
        if '-Dtests=false' not in opts:
            errors.append('unbrick builds its tests in the sandbox (-Dtests=false)')
        dirs = [s for s in app.get('sources', []) if s.get('type') == 'dir']
        if len(dirs) != 1:
            errors.append('unbrick has no single dir source')
        else:
            path = os.path.normpath(os.path.join(manifest_dir, dirs[0].get('path', '')))
            if os.path.realpath(path) != os.path.realpath(root):
                errors.append('the dir source %s is not the project root' % path)

    for module in modules:
        if not isinstance(module, dict):
            errors.append('module %r is an external file' % module)
            continue
        for source in module.get('sources', []):
            if source.get('type') in ('archive', 'file'):
                if not re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')):
                    errors.append('%s: source %s has no sha256'
                                  % (module.get('name'), source.get('url', source.get('path'))))
                if not source.get('url', '').startswith('https://'):
                    errors.append('%s: source is not fetched over https' % module.get('name'))
            elif source.get('type') == 'git':
                if not re.fullmatch(r'[0-9a-f]{40}', source.get('commit', '')):
                    errors.append('%s: git source has no commit' % module.get('name'))
            elif source.get('type') != 'dir':
                errors.append('%s: source type %s' % (module.get('name'), source.get('type')))
    return errors


def main():
    root = os.path.realpath(sys.argv[1] if len(sys.argv) > 1 else
                            os.path.join(os.path.dirname(__file__), '..'))
    path = os.path.join(root, 'flatpak', APP_ID + '.json')
    with open(path, encoding='utf-8') as f:
        manifest = json.load(f)
    manifest_dir = os.path.dirname(path)

    # the checker catches what it is there to catch
    mutations = [
        lambda m: m.update({'id': 'org.example.App'}),
        lambda m: m.update({'runtime-version': '47'}),
        lambda m: m['finish-args'].remove('--device=all'),
        lambda m: m['modules'][0]['sources'][0].pop('sha256'),
        lambda m: m['modules'][-1].update({'buildsystem': 'cmake'}),
        lambda m: m['modules'][-1]['config-opts'].append('-Dno_such_option=true'),
        lambda m: m['modules'].pop(0),
    ]
    print('1..%d' % (len(mutations) + 1))
    ok = True
    errors = check(manifest, root, manifest_dir)
    for e in errors:
        print('# ' + e)
    print(('ok' if not errors else 'not ok') + ' 1 manifest ' + os.path.relpath(path, root))
    ok = ok and not errors
    for i, mutate in enumerate(mutations):
        broken = copy.deepcopy(manifest)
        mutate(broken)
        caught = check(broken, root, manifest_dir)
        print(('ok' if caught else 'not ok') + ' %d a broken manifest is caught (%s)'
              % (i + 2, caught[0] if caught else 'missed'))
        ok = ok and bool(caught)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())

#!/usr/bin/python3
# check-flatpak.py
#
# Copyright 2026 The Mailshot authors
#
# This program is free software: you can redistribute it and/or modify
# it under the terms of the GNU General Public License as published by
# the Free Software Foundation, either version 3 of the License, or
# (at your option) any later version.
#
# This program is distributed in the hope that it will be useful,
# but WITHOUT ANY WARRANTY; without even the implied warranty of
# MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
# GNU General Public License for more details.
#
# You should have received a copy of the GNU General Public License
# along with this program.  If not, see <http://www.gnu.org/licenses/>.
#
# SPDX-License-Identifier: GPL-3.0-or-later

"""Check the Flatpak manifests against the meson build.

The manifests cannot be built here (no network, no flatpak-builder), so this checks
what can be checked offline:

  * both manifests are valid JSON with the expected ids, runtime and command;
  * every dependency('NAME', version: ...) declared by a meson.build of the project is
    provided, in a version that satisfies the constraint, either by the runtime (table
    below) or by a module of the manifest;
  * no module rebuilds something the runtime already ships;
  * finish-args are exactly the allowed set (STYLE.md section 11);
  * release sources are pinned (archive + sha256, git + tag/commit); the Devel manifest
    builds the work tree with tests and -Ddevelopment=true.

Usage: check-flatpak.py [--source-root DIR]        check the project's manifests
       check-flatpak.py --self-test [--source-root DIR]
                                                   break copies on purpose, expect failures
"""

import argparse
import copy
import json
import os
import re
import sys

APP_ID = 'io.github.mailshot.Mailshot'
RUNTIME = 'org.gnome.Platform'
SDK = 'org.gnome.Sdk'
COMMAND = 'mailshot'

ALLOWED_FINISH_ARGS = {
    '--share=network',
    '--share=ipc',
    '--socket=fallback-x11',
    '--socket=wayland',
    '--device=dri',
    '--talk-name=org.freedesktop.secrets',
}

# pkg-config names and versions org.gnome.Platform ships, per runtime version.
# Only runtimes that carry WebKitGTK 6.0 (44 and later) are listed.
RUNTIME_PROVIDES = {
    '44': {
        'glib-2.0': '2.76', 'gio-2.0': '2.76', 'gio-unix-2.0': '2.76', 'gobject-2.0': '2.76',
        'gtk4': '4.10', 'libadwaita-1': '1.3', 'gtksourceview-5': '5.8',
        'webkitgtk-6.0': '2.40', 'libsoup-3.0': '3.4', 'libsecret-1': '0.20',
        'sqlite3': '3.40', 'openssl': '3.0',
    },
    '45': {
        'glib-2.0': '2.78', 'gio-2.0': '2.78', 'gio-unix-2.0': '2.78', 'gobject-2.0': '2.78',
        'gtk4': '4.12', 'libadwaita-1': '1.4', 'gtksourceview-5': '5.10',
        'webkitgtk-6.0': '2.42', 'libsoup-3.0': '3.4', 'libsecret-1': '0.21',
        'sqlite3': '3.43', 'openssl': '3.0',
    },
    '46': {
        'glib-2.0': '2.80', 'gio-2.0': '2.80', 'gio-unix-2.0': '2.80', 'gobject-2.0': '2.80',
        'gtk4': '4.14', 'libadwaita-1': '1.5', 'gtksourceview-5': '5.12',
        'webkitgtk-6.0': '2.44', 'libsoup-3.0': '3.4', 'libsecret-1': '0.21',
        'sqlite3': '3.45', 'openssl': '3.0',
    },
}

# What a manifest module installs: module name -> (pkg-config name, regex that takes the
# version from the module's first source URL or tag).
MODULE_PROVIDES = {
    'gmime': ('gmime-3.0', r'gmime-(\d+(?:\.\d+)+)\.tar'),
    'cmark': ('libcmark', r'/(\d+(?:\.\d+)+)\.tar'),
    # The runtime ships these; they are listed so that rebuilding them is caught.
    'libsoup': ('libsoup-3.0', r'libsoup-(\d+(?:\.\d+)+)\.tar'),
    'libsecret': ('libsecret-1', r'libsecret-(\d+(?:\.\d+)+)\.tar'),
    'gtksourceview': ('gtksourceview-5', r'gtksourceview-(\d+(?:\.\d+)+)\.tar'),
}

# dependency() names meson resolves itself, not through pkg-config.
MESON_SPECIAL_DEPENDENCIES = {'threads', 'dl', 'intl', 'iconv', 'openmp'}

SKIP_DIRS = {'.git', '.flatpak-builder', 'subprojects', 'node_modules'}


class CheckError(Exception):
    pass


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r'\d+', text))


def satisfies(have, constraint):
    match = re.fullmatch(r'\s*(>=|<=|==|!=|>|<|=)?\s*([\d.]+)\s*', constraint)
    if not match:
        raise CheckError('cannot understand version constraint %r' % constraint)
    op = match.group(1) or '=='
    a, b = version_tuple(have), version_tuple(match.group(2))
    width = max(len(a), len(b))
    a += (0,) * (width - len(a))
    b += (0,) * (width - len(b))
    return {'>=': a >= b, '<=': a <= b, '==': a == b, '=': a == b, '!=': a != b,
            '>': a > b, '<': a < b}[op]


def strip_meson_comments(text):
    out = []
    for line in text.splitlines():
        in_string = False
        for i, ch in enumerate(line):
            if ch == "'":
                in_string = not in_string
            elif ch == '#' and not in_string:
                line = line[:i]
                break
        out.append(line)
    return '\n'.join(out)


DEPENDENCY_RE = re.compile(r"\bdependency\(\s*'([^']+)'((?:[^()]|\([^()]*\))*)\)", re.S)
VERSION_RE = re.compile(r"\bversion\s*:\s*(\[[^\]]*\]|'[^']*')")


def meson_dependencies(meson_files):
    """Return {pkg-config name: [constraints]} from dependency('NAME', ...) calls."""
    deps = {}
    for path, text in meson_files:
        for match in DEPENDENCY_RE.finditer(strip_meson_comments(text)):
            name, rest = match.group(1), match.group(2)
            if name in MESON_SPECIAL_DEPENDENCIES:
                continue
            constraints = deps.setdefault(name, [])
            version = VERSION_RE.search(rest)
            if version:
                constraints.extend(re.findall(r"'([^']*)'", version.group(1)))
    return deps


def find_meson_files(source_root):
    found = []
    for dirpath, dirnames, filenames in os.walk(source_root):
        rel = os.path.relpath(dirpath, source_root)
        dirnames[:] = sorted(d for d in dirnames
                             if d not in SKIP_DIRS and not (rel == '.' and (d.startswith('build') or d.startswith('_build'))))
        if 'meson.build' in filenames:
            path = os.path.join(dirpath, 'meson.build')
            with open(path, encoding='utf-8') as f:
                found.append((os.path.relpath(path, source_root), f.read()))
    return found


def module_version(module, pattern):
    for source in module.get('sources', []):
        if not isinstance(source, dict):
            continue
        for key in ('url', 'tag'):
            match = re.search(pattern, source.get(key, '')) if key == 'url' else \
                re.fullmatch(r'v?(\d+(?:\.\d+)+)', source.get(key, ''))
            if match:
                return match.group(1)
    return None


def check_sources(name, module, errors, release):
    sources = module.get('sources')
    if not isinstance(sources, list) or not sources:
        errors.append('%s: module %s has no sources' % (name, module.get('name')))
        return
    for source in sources:
        kind = source.get('type')
        if kind in ('archive', 'file'):
            if not re.fullmatch(r'https://\S+', source.get('url', '')):
                errors.append('%s: module %s: %s source needs an https url' % (name, module['name'], kind))
            if not re.fullmatch(r'[0-9a-f]{64}', source.get('sha256', '')):
                errors.append('%s: module %s: %s source needs a sha256' % (name, module['name'], kind))
        elif kind == 'git':
            if release and not (source.get('tag') or source.get('commit')):
                errors.append('%s: module %s: git source is not pinned to a tag or commit' % (name, module['name']))
        elif kind == 'dir':
            if release:
                errors.append('%s: module %s: a release manifest must not build a local dir' % (name, module['name']))
        else:
            errors.append('%s: module %s: unexpected source type %r' % (name, module['name'], kind))


def check_manifest(name, manifest, deps, devel):
    errors = []
    expected_id = APP_ID + '.Devel' if devel else APP_ID
    if manifest.get('id', manifest.get('app-id')) != expected_id:
        errors.append('%s: id is %r, expected %r' % (name, manifest.get('id'), expected_id))
    if manifest.get('runtime') != RUNTIME or manifest.get('sdk') != SDK:
        errors.append('%s: runtime/sdk must be %s/%s' % (name, RUNTIME, SDK))
    if manifest.get('command') != COMMAND:
        errors.append('%s: command must be %r' % (name, COMMAND))

    finish_args = manifest.get('finish-args', [])
    if len(finish_args) != len(set(finish_args)):
        errors.append('%s: finish-args has duplicates' % name)
    extra = sorted(set(finish_args) - ALLOWED_FINISH_ARGS)
    missing = sorted(ALLOWED_FINISH_ARGS - set(finish_args))
    if extra:
        errors.append('%s: finish-args not allowed: %s' % (name, ', '.join(extra)))
    if missing:
        errors.append('%s: finish-args missing: %s' % (name, ', '.join(missing)))

    runtime_version = str(manifest.get('runtime-version', ''))
    runtime = RUNTIME_PROVIDES.get(runtime_version)
    if runtime is None:
        errors.append('%s: runtime-version %r is not one known to ship WebKitGTK 6.0 (%s)'
                      % (name, runtime_version, ', '.join(sorted(RUNTIME_PROVIDES))))
        runtime = {}

    modules = manifest.get('modules', [])
    if not isinstance(modules, list) or not modules or not all(isinstance(m, dict) for m in modules):
        errors.append('%s: modules must be a list of inline module objects' % name)
        return errors

    provided = dict(runtime)
    for module in modules[:-1]:
        mod_name = module.get('name')
        check_sources(name, module, errors, release=True)
        if mod_name not in MODULE_PROVIDES:
            errors.append('%s: module %r is not known to this check; add it to MODULE_PROVIDES'
                          % (name, mod_name))
            continue
        pkg, pattern = MODULE_PROVIDES[mod_name]
        if pkg in runtime:
            errors.append('%s: module %s rebuilds %s, which the runtime already ships'
                          % (name, mod_name, pkg))
        version = module_version(module, pattern)
        if version is None:
            errors.append('%s: cannot tell the version module %s builds' % (name, mod_name))
            continue
        provided[pkg] = version

    app = modules[-1]
    if app.get('name') != 'mailshot' or app.get('buildsystem') != 'meson':
        errors.append('%s: the last module must be mailshot built with meson' % name)
    opts = app.get('config-opts', [])
    check_sources(name, app, errors, release=not devel)
    if devel:
        if '-Ddevelopment=true' not in opts:
            errors.append('%s: the Devel build needs -Ddevelopment=true' % name)
        if app.get('run-tests') is not True:
            errors.append('%s: the Devel build must run the tests (run-tests: true)' % name)
        if not app.get('test-args'):
            errors.append('%s: the Devel build needs test-args' % name)
        if [s.get('type') for s in app.get('sources', [])] != ['dir'] or \
           app['sources'][0].get('path') != '..':
            errors.append('%s: the Devel build must build the work tree (type dir, path "..")' % name)
    elif '-Ddevelopment=true' in opts:
        errors.append('%s: the release build must not enable development' % name)

    for pkg, constraints in sorted(deps.items()):
        if pkg not in provided:
            errors.append('%s: meson needs %s, which neither runtime %s nor a module provides'
                          % (name, pkg, runtime_version))
            continue
        for constraint in constraints:
            if not satisfies(provided[pkg], constraint):
                errors.append('%s: meson needs %s %s, the manifest provides %s'
                              % (name, pkg, constraint, provided[pkg]))
    return errors


def check_all(manifests, meson_files):
    deps = meson_dependencies(meson_files)
    if not deps:
        return ['no dependency() found in the meson build']
    errors = []
    for name, text in manifests:
        try:
            manifest = json.loads(text)
        except json.JSONDecodeError as e:
            errors.append('%s: not valid JSON: %s' % (name, e))
            continue
        if not isinstance(manifest, dict):
            errors.append('%s: not a JSON object' % name)
            continue
        errors += check_manifest(name, manifest, deps, devel=name.endswith('.Devel.json'))

    parsed = []
    for name, text in manifests:
        try:
            parsed.append(json.loads(text))
        except json.JSONDecodeError:
            pass
    if len(parsed) == 2:
        release, devel = parsed
        if [m for m in release.get('modules', [])[:-1]] != [m for m in devel.get('modules', [])[:-1]]:
            errors.append('the release and Devel manifests build different dependency modules')
        for key in ('runtime', 'runtime-version', 'sdk', 'command', 'finish-args'):
            if release.get(key) != devel.get(key):
                errors.append('the release and Devel manifests differ in %s' % key)
    return errors


def load(source_root):
    manifests = []
    for suffix in ('.json', '.Devel.json'):
        path = os.path.join(source_root, 'flatpak', APP_ID + suffix)
        with open(path, encoding='utf-8') as f:
            manifests.append((os.path.basename(path), f.read()))
    return manifests, find_meson_files(source_root)


def self_test(manifests, meson_files):
    """Each mutation must make the check fail; the unmodified input must pass."""
    failures = 0
    count = 0

    def expect(label, mutated_manifests, mutated_meson, want):
        """want: None if the check must pass, else a text one error must contain."""
        nonlocal failures, count
        count += 1
        errors = check_all(mutated_manifests, mutated_meson)
        if want is None:
            ok = not errors
        else:
            ok = any(want in e for e in errors)
        print('%s %d - %s' % ('ok' if ok else 'not ok', count, label))
        if not ok:
            failures += 1
            print('#   expected %s' % ('no error' if want is None else 'an error with %r' % want))
        for e in errors:
            print('#   ' + e)

    def mutate(index, change):
        out = []
        for i, (name, text) in enumerate(manifests):
            if i == index:
                data = json.loads(text)
                change(data)
                text = json.dumps(data)
            out.append((name, text))
        return out

    soup = {'name': 'libsoup', 'buildsystem': 'meson', 'sources': [{
        'type': 'archive', 'sha256': 64 * 'a',
        'url': 'https://download.gnome.org/sources/libsoup/3.4/libsoup-3.4.4.tar.xz'}]}
    extra_dep = [('extra/meson.build', "foo_dep = dependency('libfoo-1.0')\n")]
    new_gtk = [('extra/meson.build', "x = dependency('gtk4', version: '>= 9.0')\n")]
    commented = [('extra/meson.build', "# x = dependency('libfoo-1.0')\n")]

    expect('unmodified manifests pass', manifests, meson_files, None)
    expect('invalid JSON fails', [(manifests[0][0], manifests[0][1][:-20])] + manifests[1:],
           meson_files, 'not valid JSON')
    expect('missing gmime module fails',
           mutate(0, lambda d: d['modules'].pop(0)), meson_files, 'meson needs gmime-3.0')
    expect('extra finish-arg fails',
           mutate(1, lambda d: d['finish-args'].append('--filesystem=home')), meson_files,
           'finish-args not allowed: --filesystem=home')
    expect('missing finish-arg fails',
           mutate(0, lambda d: d['finish-args'].remove('--device=dri')), meson_files,
           'finish-args missing: --device=dri')
    expect('runtime without WebKitGTK 6.0 fails',
           mutate(0, lambda d: d.update({'runtime-version': '43'})), meson_files,
           "runtime-version '43'")
    expect('unpinned archive fails',
           mutate(0, lambda d: d['modules'][0]['sources'][0].pop('sha256')), meson_files,
           'needs a sha256')
    expect('unpinned git source fails',
           mutate(0, lambda d: d['modules'][-1]['sources'][0].pop('tag')), meson_files,
           'not pinned')
    expect('Devel without tests fails',
           mutate(1, lambda d: d['modules'][-1].update({'run-tests': False})), meson_files,
           'run-tests')
    expect('Devel without -Ddevelopment=true fails',
           mutate(1, lambda d: d['modules'][-1].update({'config-opts': []})), meson_files,
           '-Ddevelopment=true')
    expect('module rebuilding a runtime library fails',
           mutate(0, lambda d: d['modules'].insert(0, soup)), meson_files,
           'which the runtime already ships')
    expect('unknown meson dependency fails', manifests, meson_files + extra_dep,
           'meson needs libfoo-1.0')
    expect('too new a version constraint fails', manifests, meson_files + new_gtk,
           'meson needs gtk4 >= 9.0')
    expect('commented-out dependency is ignored', manifests, meson_files + commented, None)
    print('1..%d' % count)
    return failures == 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source-root', default=os.path.dirname(here))
    parser.add_argument('--self-test', action='store_true')
    args = parser.parse_args()

    manifests, meson_files = load(args.source_root)
    if args.self_test:
        return 0 if self_test(manifests, meson_files) else 1

    errors = check_all(manifests, meson_files)
    for error in errors:
        print('error: ' + error, file=sys.stderr)
    if errors:
        return 1
    deps = meson_dependencies(meson_files)
    print('flatpak manifests provide all %d meson dependencies: %s'
          % (len(deps), ', '.join(sorted(deps))))
    return 0


if __name__ == '__main__':
    sys.exit(main())

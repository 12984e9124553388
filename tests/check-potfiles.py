#!/usr/bin/python3
# check-potfiles.py
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

"""Check po/POTFILES.in against the sources.

  * every listed file exists, and the list is sorted without duplicates;
  * every .c/.h under src/ that marks strings with _(), N_(), C_(), NC_(), ngettext()
    or g_d*gettext(), and every .ui under ui/ with translatable="yes", is listed;
  * the .desktop.in.in, .metainfo.xml.in.in and .gschema.xml files of data/ are listed.

Usage: check-potfiles.py [--source-root DIR] [--self-test | --write]
       --write adds what is missing to po/POTFILES.in and drops files that no longer
       exist, keeping its header comments and any other listed file
"""

import argparse
import os
import re
import shutil
import sys
import tempfile

C_MARKERS = re.compile(r'(?<![A-Za-z0-9_])(?:(?:_|N_|C_|NC_|ngettext)\s*\(\s*"'
                       r'|g_d(?:n|c|p)?gettext2?\s*\()')
UI_MARKERS = re.compile(r'translatable\s*=\s*"(?:yes|true|1)"')
DATA_SUFFIXES = ('.desktop.in.in', '.metainfo.xml.in.in', '.gschema.xml')


def listed_files(source_root):
    entries = []
    with open(os.path.join(source_root, 'po', 'POTFILES.in'), encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith('#'):
                entries.append(line)
    return entries


def needs_translation(source_root):
    wanted = set()
    for top, exts, pattern in (('src', ('.c', '.h'), C_MARKERS), ('ui', ('.ui',), UI_MARKERS)):
        for dirpath, dirnames, filenames in os.walk(os.path.join(source_root, top)):
            dirnames.sort()
            for name in filenames:
                if not name.endswith(exts):
                    continue
                path = os.path.join(dirpath, name)
                with open(path, encoding='utf-8', errors='replace') as f:
                    if pattern.search(f.read()):
                        wanted.add(os.path.relpath(path, source_root))
    data = os.path.join(source_root, 'data')
    if os.path.isdir(data):
        for name in os.listdir(data):
            if name.endswith(DATA_SUFFIXES):
                wanted.add('data/' + name)
    return wanted


def check(source_root):
    errors = []
    entries = listed_files(source_root)
    if entries != sorted(entries):
        errors.append('POTFILES.in is not sorted')
    if len(entries) != len(set(entries)):
        errors.append('POTFILES.in lists a file twice')
    for entry in entries:
        if not os.path.isfile(os.path.join(source_root, entry)):
            errors.append('POTFILES.in lists %s, which does not exist' % entry)
    for path in sorted(needs_translation(source_root) - set(entries)):
        errors.append('%s has translatable strings but is not in po/POTFILES.in' % path)
    return errors


def write(source_root):
    path = os.path.join(source_root, 'po', 'POTFILES.in')
    with open(path, encoding='utf-8') as f:
        header = [line for line in f if line.startswith('#')]
    kept = {e for e in listed_files(source_root) if os.path.isfile(os.path.join(source_root, e))}
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(header)
        for entry in sorted(kept | needs_translation(source_root)):
            f.write(entry + '\n')


def self_test():
    results = []
    with tempfile.TemporaryDirectory() as root:
        def write(rel, text):
            os.makedirs(os.path.dirname(os.path.join(root, rel)), exist_ok=True)
            with open(os.path.join(root, rel), 'w', encoding='utf-8') as f:
                f.write(text)

        write('data/x.desktop.in.in', '[Desktop Entry]\nName=X\n')
        write('src/app/a.c', 'x = _("Hello");\n')
        write('src/core/b.c', 'static int underscore_(void);\n')   # no marker
        write('ui/w.ui', '<property name="label" translatable="yes">Hi</property>\n')
        write('po/POTFILES.in', 'data/x.desktop.in.in\nsrc/app/a.c\nui/w.ui\n')
        results.append(('complete list passes', check(root) == []))

        write('src/core/c.c', 'g_set_error (e, D, 1, _("Bad"));\n')
        results.append(('unlisted source fails',
                        any('src/core/c.c' in e for e in check(root))))
        os.remove(os.path.join(root, 'src/core/c.c'))

        write('src/core/d.c', 'g_dngettext (GETTEXT_PACKAGE, "%d row", "%d rows", n);\n')
        results.append(('unlisted g_dngettext() user fails',
                        any('src/core/d.c' in e for e in check(root))))
        os.remove(os.path.join(root, 'src/core/d.c'))

        write('po/POTFILES.in', 'data/x.desktop.in.in\nsrc/app/a.c\nsrc/app/gone.c\nui/w.ui\n')
        results.append(('missing file fails', any('gone.c' in e for e in check(root))))

        write('po/POTFILES.in', 'src/app/a.c\ndata/x.desktop.in.in\nui/w.ui\n')
        results.append(('unsorted list fails', 'POTFILES.in is not sorted' in check(root)))
        shutil.rmtree(os.path.join(root, 'ui'))
        write('po/POTFILES.in', 'data/x.desktop.in.in\nsrc/app/a.c\n')
        results.append(('tree without ui/ passes', check(root) == []))

    failed = 0
    for i, (label, ok) in enumerate(results, 1):
        print('%s %d - %s' % ('ok' if ok else 'not ok', i, label))
        failed += not ok
    print('1..%d' % len(results))
    return failed == 0


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--source-root', default=os.path.dirname(here))
    parser.add_argument('--self-test', action='store_true')
    parser.add_argument('--write', action='store_true')
    args = parser.parse_args()

    if args.self_test:
        return 0 if self_test() else 1
    if args.write:
        write(args.source_root)
    errors = check(args.source_root)
    for error in errors:
        print('error: ' + error, file=sys.stderr)
    if not errors:
        print('po/POTFILES.in lists all %d files with translatable strings'
              % len(listed_files(args.source_root)))
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())

#!/bin/sh
# run-libfuzzer.sh
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
# along with this program.  If not, see <https://www.gnu.org/licenses/>.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Builds a fuzz target with clang's libFuzzer (plus ASan and UBSan) and runs it.
#
#   run-libfuzzer.sh SOURCE_ROOT BUILD_ROOT TARGET [SECONDS] [WORK_DIR]
#
# TARGET is a name of tests/fuzz (imap, ...): tests/fuzz/fuzz-TARGET.c is the
# target, tests/fuzz/corpus-TARGET/ its seeds; the core sources and pkg-config
# packages it needs are listed below.  The run lasts SECONDS (default 30); new
# inputs go to WORK_DIR/corpus (default: a folder under BUILD_ROOT), crashes to
# WORK_DIR as crash-*.  Exits 77 (skipped) when clang or libFuzzer is missing.

set -eu

if [ $# -lt 3 ]; then
  echo "usage: $0 SOURCE_ROOT BUILD_ROOT TARGET [SECONDS] [WORK_DIR]" >&2
  exit 2
fi

src="$1"
build="$2"
target="$3"
seconds="${4:-30}"
work="${5:-$build/tests/fuzz/libfuzzer-$target}"

case "$target" in
  imap)
    sources="src/core/ms-imap-parser.c"
    packages="glib-2.0 gio-2.0"
    ;;
  bounce)
    sources="src/core/ms-bounce.c src/core/ms-bounce-text.c src/core/ms-bounce-reports.c src/core/ms-bounce-rules.c"
    packages="glib-2.0 gio-2.0 gmime-3.0"
    # More seeds: the bounce corpus beside the source tree, copied at run time
    # (never into the repository).
    shared="${MS_SHARED_DIR:-$src/../shared}/bounces/dev"
    ;;
  *)
    echo "unknown fuzz target: $target" >&2
    exit 2
    ;;
esac

clang="${CLANG:-clang}"
if ! command -v "$clang" >/dev/null 2>&1; then
  echo "SKIP: $clang is not installed"
  exit 77
fi
mkdir -p "$work/corpus"
probe="$work/probe.c"
echo 'int LLVMFuzzerTestOneInput (const char *d, unsigned long n) { return 0; }' > "$probe"
if ! "$clang" -fsanitize=fuzzer "$probe" -o "$work/probe" >/dev/null 2>&1; then
  echo "SKIP: $clang cannot build with -fsanitize=fuzzer"
  exit 77
fi

files="$src/tests/fuzz/fuzz-$target.c"
for f in $sources; do
  files="$files $src/$f"
done

# shellcheck disable=SC2046,SC2086
"$clang" -g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined -I"$build" -I"$src/src/core" \
  $files $(pkg-config --cflags --libs $packages) -o "$work/fuzz-$target"

set -- corpus "$src/tests/fuzz/corpus-$target"
if [ -n "${shared:-}" ] && [ -d "$shared" ]; then
  mkdir -p "$work/seeds"
  cp "$shared"/*.eml "$work/seeds/" 2>/dev/null || true
  set -- "$@" "$work/seeds"
fi

cd "$work"
ASAN_OPTIONS="detect_leaks=1:allocator_may_return_null=1" \
  "./fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -print_final_stats=1 "$@"

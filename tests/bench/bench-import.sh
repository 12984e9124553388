#!/bin/bash
# bench-import.sh
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
# Times the import of a generated CSV of BENCH_ROWS rows (default 1,000,000)
# three ways in one run, and prints the times and the ratios:
#   - `sqlite3 DB ".import --csv FILE t"` into a plain table (the reference),
#   - `mailshot-cli --db DB contacts import FILE --list Benchmark`,
#   - bench-import, which calls ms_import_csv_sync() directly.
# The goal is at most 2.0x the sqlite3 time.  BENCH_STRICT=1 makes a missed
# goal fail.
#
# Usage: bench-import.sh BENCH_IMPORT [MAILSHOT_CLI]
# (meson: `meson test -C BUILD --benchmark import-1m`)

set -eu

bench=${1:?usage: bench-import.sh BENCH_IMPORT [MAILSHOT_CLI]}
cli=${2:-}
rows=${BENCH_ROWS:-1000000}
dir=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bench-import.XXXXXX")
trap 'rm -rf "$dir"' EXIT

csv=$dir/contacts.csv
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed" >&2; exit 77; }

# seconds and peak RSS (KiB) of a command, on stdout as "SECONDS KIB"
measure () {
  local out=$dir/time.txt
  /usr/bin/time -f '%e %M' -o "$out" "$@" >"$dir/stdout.txt" 2>"$dir/stderr.txt" || {
    echo "failed: $*" >&2
    cat "$dir/stderr.txt" >&2
    exit 1
  }
  cat "$out"
}

ratio () {
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'
}

"$bench" generate "$csv" "$rows"
size=$(stat -c %s "$csv")
echo "CSV: $rows rows, $size bytes ($(awk -v s="$size" -v r="$rows" 'BEGIN { printf "%.1f", s / r }') bytes a row)"
# have the file in the page cache for every contender
cat "$csv" >/dev/null

read -r sqlite_s sqlite_kb < <(measure sqlite3 "$dir/plain.db" ".import --csv $csv t")
sqlite_rows=$(sqlite3 "$dir/plain.db" "SELECT count(*) FROM t")
echo "sqlite3 .import:        ${sqlite_s} s  (${sqlite_rows} rows, peak RSS ${sqlite_kb} KiB)"

read -r lib_s lib_kb < <(measure "$bench" import "$csv" "$dir/lib.db")
echo "ms_import_csv_sync:     ${lib_s} s  ($(cat "$dir/stdout.txt"), peak RSS ${lib_kb} KiB)  ratio $(ratio "$lib_s" "$sqlite_s")x"

status=0
if [ -n "$cli" ] && [ -x "$cli" ]; then
  read -r cli_s cli_kb < <(measure "$cli" --db "$dir/cli.db" contacts import "$csv" --list Benchmark)
  cli_ratio=$(ratio "$cli_s" "$sqlite_s")
  echo "mailshot-cli import:    ${cli_s} s  ($(tr '\n' ' ' < "$dir/stdout.txt")peak RSS ${cli_kb} KiB)  ratio ${cli_ratio}x"
else
  cli_ratio=$(ratio "$lib_s" "$sqlite_s")
  echo "mailshot-cli not given: the goal is judged on ms_import_csv_sync"
fi

if awk -v r="$cli_ratio" 'BEGIN { exit !(r <= 2.0) }'; then
  echo "goal (<= 2.0x sqlite3): met (${cli_ratio}x)"
else
  echo "goal (<= 2.0x sqlite3): MISSED (${cli_ratio}x)"
  [ "${BENCH_STRICT:-0}" = 1 ] && status=1
fi
exit $status

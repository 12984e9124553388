#!/bin/bash
# bench-contacts-view.sh
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
# Opens the Contacts view of the real window on a database of BENCH_ROWS
# contacts (default 1,000,000) and prints the time to the first frame with
# rows, the time to show rows after jumping to the middle and to the end, the
# frame times of a continuous scroll, and the peak RSS.  Goals: first frame
# under 1 s, peak RSS under 200 MB.  BENCH_STRICT=1 makes a missed goal fail.
#
# The database is generated once with sqlite3 into BENCH_DIR (or given as
# BENCH_DB, e.g. the one the import benchmark filled).  Without a display the
# program runs under xvfb-run.
#
# Usage: bench-contacts-view.sh BENCH_CONTACTS_VIEW
# (meson: `meson test -C BUILD --benchmark contacts-view-1m`)

set -eu

bench=${1:?usage: bench-contacts-view.sh BENCH_CONTACTS_VIEW}
rows=${BENCH_ROWS:-1000000}
db=${BENCH_DB:-${BENCH_DIR:-${TMPDIR:-/tmp}}/bench-contacts-$rows.db}
command -v sqlite3 >/dev/null || { echo "sqlite3 is not installed" >&2; exit 77; }

count=$(sqlite3 "$db" 'SELECT count(*) FROM contacts' 2>/dev/null || echo 0)
if [ -z "${BENCH_DB:-}" ] && [ "$count" != "$rows" ]; then
  echo "Generating $rows contacts in $db"
  rm -f "$db" "$db-wal" "$db-shm"
  "$bench" --create-only --db "$db"
  start=$(date +%s.%N)
  sqlite3 "$db" <<SQL
PRAGMA synchronous = OFF;
BEGIN;
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $rows),
people AS (
  SELECT i,
         json_extract ('["Anna","Boris","Chloé","David","Elena","Farid","Greta","Hugo","Irina","Jonas",
                         "Katya","Lukas","Maria","Nikolai","Olga","Pavel","Quentin","Rosa","Sergei",
                         "Tanja","Ulrich","Vera","Wei","Yusuf"]', '\$[' || (i % 24) || ']') AS first,
         json_extract ('["Schmidt","Ivanova","Martin","Müller","Petrov","García","Rossi","Novak",
                         "Smirnova","Dubois","Kowalski","Jensen","Horvat","Silva","Yilmaz","Nagy",
                         "Fischer","Popescu","Lindqvist","Costa","Moreau","Kuznetsov","Weber",
                         "Bianchi","Nowak","Hansen","Papadopoulos","Janssen","Kovač","Meyer"]',
                       '\$[' || ((i / 24) % 30) || ']') AS last,
         json_extract ('["example.org","example.com","example.net","mail.example",
                         "post.example","пример.рф","bücher.example","corp.example"]',
                       '\$[' || (i % 8) || ']') AS domain
  FROM n
)
INSERT INTO contacts (email, name, first_name, last_name, status, status_reason, status_time,
                      created_at)
SELECT lower (first) || '.' || lower (last) || '.' || i || '@' || domain,
       first || ' ' || last, first, last,
       CASE WHEN i % 97 = 0 THEN 'bounced' WHEN i % 41 = 0 THEN 'unsubscribed'
            WHEN i % 1009 = 0 THEN 'complained' ELSE 'active' END,
       CASE WHEN i % 97 = 0 THEN '550 5.1.1 user unknown' WHEN i % 41 = 0 THEN 'List-Unsubscribe'
            WHEN i % 1009 = 0 THEN 'feedback loop' END,
       CASE WHEN i % 97 = 0 OR i % 41 = 0 OR i % 1009 = 0 THEN 1760000000 + i END,
       1700000000 + i * 37
FROM people;
INSERT INTO lists (name) VALUES ('Newsletter');
INSERT INTO list_members (list_id, contact_id)
  SELECT (SELECT id FROM lists WHERE name = 'Newsletter'), id FROM contacts WHERE id % 10 = 0;
COMMIT;
SQL
  sqlite3 "$db" 'PRAGMA wal_checkpoint (TRUNCATE)' >/dev/null
  echo "Generated in $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }') s"
fi

run=()
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "no display and no xvfb-run" >&2; exit 77; }
  run=(xvfb-run -a -s "-screen 0 1280x800x24")
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/out.txt

# The same window on an empty database: what GTK and the renderer cost by themselves
# (software GL under Xvfb alone takes some 80 MB).
"$bench" --create-only --db "$tmp/empty.db"
base=$("${run[@]}" env GTK_A11Y="${GTK_A11Y:-none}" "$bench" --db "$tmp/empty.db" --empty \
       | sed -n 's/^peak RSS (VmHWM): \([0-9.]*\) MiB/\1/p')
echo "renderer: ${GSK_RENDERER:-default}; baseline, empty database: peak RSS $base MiB"

"${run[@]}" env GTK_A11Y="${GTK_A11Y:-none}" "$bench" --db "$db" | tee "$out"

first=$(sed -n 's/^first frame with rows: \([0-9]*\) ms after exec.*/\1/p' "$out")
peak=$(sed -n 's/^peak RSS (VmHWM): \([0-9.]*\) MiB/\1/p' "$out")
verdict=ok
if [ -z "$first" ] || [ "$first" -ge 1000 ]; then verdict=missed; fi
if [ -z "$peak" ] || awk -v p="$peak" 'BEGIN { exit !(p >= 200 * 1000 * 1000 / 1048576) }'; then
  verdict=missed
fi
echo "the rows cost $(awk -v p="$peak" -v b="$base" 'BEGIN { printf "%.1f", p - b }') MiB over the empty window"
echo "goals (first frame < 1000 ms, peak RSS < 200 MB): $verdict"
if [ "${BENCH_STRICT:-0}" = 1 ] && [ "$verdict" != ok ]; then
  exit 1
fi

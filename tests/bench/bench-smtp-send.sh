#!/bin/bash
# bench-smtp-send.sh
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
# Send throughput over one SMTP connection into Postfix's smtp-sink, in one run:
#   - Postfix's smtp-source, one session that keeps its connection (-s 1 -d),
#   - bench-smtp-send, our client (MsSmtpClient) with the engine's steps.
# BENCH_MESSAGES messages (default 20000) of BENCH_SIZE bytes (default 5000).
# The goal is at least 1.0x smtp-source's rate.  BENCH_STRICT=1 makes a missed
# goal fail.  (Rendering is not part of this figure: the message is built once.)
#
# Usage: bench-smtp-send.sh BENCH_SMTP_SEND
# (meson: `meson test -C BUILD --benchmark smtp-send-20k`)

set -eu

bench=${1:?usage: bench-smtp-send.sh BENCH_SMTP_SEND}
messages=${BENCH_MESSAGES:-20000}
size=${BENCH_SIZE:-5000}
sink=/usr/sbin/smtp-sink
source=/usr/sbin/smtp-source

for program in "$sink" "$source"; do
  [ -x "$program" ] || { echo "$program is not installed (Debian package postfix)" >&2; exit 77; }
done

port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
user_args=()
[ "$(id -u)" = 0 ] && user_args=(-u nobody)

"$sink" "${user_args[@]}" "127.0.0.1:$port" 64 &
sink_pid=$!
trap 'kill "$sink_pid" 2>/dev/null || true' EXIT

for _ in $(seq 100); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.05
done

seconds () {
  local start end
  start=$(date +%s.%N)
  "$@" > /dev/null
  end=$(date +%s.%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

# smtp-source's -l counts the body only; its headers are small.
source_s=$(seconds "$source" -s 1 -d -m "$messages" -l "$size" \
  -f bench@example.org -t rcpt@example.org "127.0.0.1:$port")
source_rate=$(awk -v n="$messages" -v s="$source_s" 'BEGIN { printf "%.0f", n / s }')
echo "smtp-source (1 session): $messages messages in ${source_s} s, ${source_rate} msg/s"

# about the same total size as smtp-source's messages with their headers
ours=$("$bench" 127.0.0.1 "$port" "$messages" "$((size + 250))")
ours_s=$(echo "$ours" | awk '{ print $(NF-3) }')
ours_rate=$(awk -v n="$messages" -v s="$ours_s" 'BEGIN { printf "%.0f", n / s }')
ratio=$(awk -v a="$ours_rate" -v b="$source_rate" 'BEGIN { printf "%.2f", a / b }')
echo "MsSmtpClient (1 conn.):  $ours"
echo "ratio to smtp-source:    ${ratio}x (goal >= 1.0x)"

if [ "${BENCH_STRICT:-0}" = 1 ] && awk -v r="$ratio" 'BEGIN { exit !(r < 1.0) }'; then
  echo "goal missed" >&2
  exit 1
fi

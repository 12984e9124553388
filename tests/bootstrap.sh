#!/bin/bash
# bootstrap.sh
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
#
# Set up a Debian 12 machine for Mailshot, then build and start it or test it.
#
#   tests/bootstrap.sh run [ARGS...]   install what is missing, build build/, start Mailshot
#   tests/bootstrap.sh test            install what is missing, build and run every test in
#                                      build/ (under Xvfb), then the non-UI suites again
#                                      with ASan+UBSan in build-asan/; the last line is
#                                      "N passed, N failed, N skipped"
#   tests/bootstrap.sh deps            only install the missing Debian packages
#
# Packages are installed with apt-get, as root or through sudo. Nothing is started as a
# daemon: the mail servers the tests need are started by the tests themselves.

set -euo pipefail

SOURCE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$SOURCE_ROOT"

# Everything the whole product and its tests need, present and future issues alike.
PACKAGES=(
  # build tools
  meson ninja-build pkg-config gcc libc6-dev gettext itstool
  # fuzz targets (libFuzzer) and the style check of changed hunks
  clang libclang-rt-14-dev clang-format
  # desktop integration and its validators
  desktop-file-utils appstream libglib2.0-bin shared-mime-info gsettings-desktop-schemas
  # libraries
  libglib2.0-dev libglib2.0-dev-bin libgtk-4-dev libadwaita-1-dev libgtksourceview-5-dev
  libwebkitgtk-6.0-dev libgmime-3.0-dev libcmark-dev libsoup-3.0-dev libssl-dev openssl
  libsqlite3-dev sqlite3 libsecret-1-dev
  # running the UI headless, a session bus, a Secret Service
  xvfb xauth dbus dbus-x11 gnome-keyring
  # the mail servers the integration tests start on loopback, DKIM verification
  postfix dovecot-imapd dovecot-pop3d python3 python3-dkim ca-certificates
  # what the window looks like (screenshots)
  fonts-cantarell adwaita-icon-theme hicolor-icon-theme librsvg2-common
  # benchmarks: peak RSS
  time
)

BUILD_DIR=build
ASAN_DIR=build-asan
XVFB_SCREEN="-screen 0 1280x800x24"

note ()
{
  printf '==> %s\n' "$*" >&2
}

die ()
{
  printf 'bootstrap.sh: %s\n' "$*" >&2
  exit 1
}

as_root ()
{
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "installing packages needs root: run as root or install sudo"
  fi
}

is_installed ()
{
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

POLICY_RC_CREATED=0

remove_policy_rc ()
{
  if [ "$POLICY_RC_CREATED" -eq 1 ]; then
    as_root rm -f /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=0
  fi
}

install_packages ()
{
  local missing=() pkg

  command -v dpkg-query >/dev/null 2>&1 || die "this script expects Debian 12 (dpkg not found)"

  for pkg in "${PACKAGES[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done
  if [ "${#missing[@]}" -eq 0 ]; then
    note "all ${#PACKAGES[@]} Debian packages are installed"
    return 0
  fi

  note "installing ${#missing[@]} Debian packages: ${missing[*]}"

  # Postfix asks how to configure itself: it is only a binary for the tests here.
  printf '%s\n' \
    'postfix postfix/main_mailer_type select No configuration' \
    'postfix postfix/mailname string localhost' \
    | as_root debconf-set-selections

  # Keep maintainer scripts from starting postfix, dovecot, dbus... (invoke-rc.d and
  # deb-systemd-invoke both obey policy-rc.d; 101 means "action forbidden").
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | as_root tee /usr/sbin/policy-rc.d >/dev/null
    as_root chmod 755 /usr/sbin/policy-rc.d
    POLICY_RC_CREATED=1
    trap remove_policy_rc EXIT
  fi

  as_root env DEBIAN_FRONTEND=noninteractive apt-get update
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    "${missing[@]}"

  remove_policy_rc

  # The servers are for the tests, which start their own instances: do not let a
  # freshly installed one start at the next boot either.
  if [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1; then
    for pkg in postfix dovecot-imapd; do
      case " ${missing[*]} " in
        *" $pkg "*)
          as_root systemctl disable "${pkg%-imapd}.service" >/dev/null 2>&1 || true
          ;;
      esac
    done
  fi
}

configure ()   # configure DIR [meson options...]: set up once, reuse afterwards
{
  local dir="$1"
  shift
  if [ -f "$dir/meson-private/coredata.dat" ] && [ -f "$dir/build.ninja" ]; then
    note "reusing $dir/"
  else
    note "configuring $dir/"
    meson setup "$dir" "$@"
  fi
}

build ()
{
  note "building $1/"
  meson compile -C "$1"
}

cmd_run ()
{
  install_packages
  configure "$BUILD_DIR"
  build "$BUILD_DIR"

  [ -x "$BUILD_DIR/src/app/mailshot" ] || die "$BUILD_DIR/src/app/mailshot was not built"
  note "starting Mailshot (uninstalled)"
  export GSETTINGS_SCHEMA_DIR="$SOURCE_ROOT/$BUILD_DIR/data"
  exec "$BUILD_DIR/src/app/mailshot" "$@"
}

# count_results DIR...: print "passed failed skipped" summed over DIR/meson-logs/testlog.json
count_results ()
{
  /usr/bin/python3 - "$@" <<'EOF'
import json, os, sys
passed = failed = skipped = 0
for d in sys.argv[1:]:
    path = os.path.join(d, 'meson-logs', 'testlog.json')
    if not os.path.exists(path):
        continue
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            result = json.loads(line).get('result')
            if result in ('OK', 'EXPECTEDFAIL'):
                passed += 1
            elif result == 'SKIP':
                skipped += 1
            else:   # FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS
                failed += 1
print(passed, failed, skipped)
EOF
}

cmd_test ()
{
  local start=$SECONDS status=0 stage_failures=0
  local passed failed skipped

  install_packages

  # 1. Everything, UI included, under Xvfb and a private session bus.
  rm -f "$BUILD_DIR/meson-logs/testlog.json"
  if configure "$BUILD_DIR" && build "$BUILD_DIR"; then
    note "running the test suite in $BUILD_DIR/"
    dbus-run-session -- xvfb-run -a -s "$XVFB_SCREEN" \
      meson test -C "$BUILD_DIR" --print-errorlogs || status=1
  else
    note "FAILED to build $BUILD_DIR/"
    stage_failures=$((stage_failures + 1))
  fi

  # 2. The non-UI suites again with AddressSanitizer and UndefinedBehaviorSanitizer.
  rm -f "$ASAN_DIR/meson-logs/testlog.json"
  if configure "$ASAN_DIR" -Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false \
       -Dc_args=-fno-omit-frame-pointer \
       -Dui_tests=false && build "$ASAN_DIR"; then
    note "running the test suite with ASan+UBSan in $ASAN_DIR/"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    LSAN_OPTIONS="suppressions=$SOURCE_ROOT/tests/lsan.supp:print_suppressions=0" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    G_SLICE=always-malloc \
      dbus-run-session -- \
      meson test -C "$ASAN_DIR" --print-errorlogs --no-suite ui --no-suite bench || status=1
  else
    note "FAILED to build $ASAN_DIR/"
    stage_failures=$((stage_failures + 1))
  fi

  read -r passed failed skipped < <(count_results "$BUILD_DIR" "$ASAN_DIR")
  failed=$((failed + stage_failures))
  if [ "$failed" -eq 0 ] && [ "$status" -ne 0 ]; then
    failed=1   # meson test failed without a result line (e.g. a test did not build)
  fi
  note "tests took $(( (SECONDS - start) / 60 )) min $(( (SECONDS - start) % 60 )) s"
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}

usage ()
{
  cat <<EOF
Usage: tests/bootstrap.sh run [ARGS...]   set up, build and start Mailshot
       tests/bootstrap.sh test            set up, build and run the whole test suite
       tests/bootstrap.sh deps            only install the missing Debian packages
EOF
}

case "${1:-}" in
  run)
    shift
    cmd_run "$@"
    ;;
  test)
    cmd_test
    ;;
  deps)
    install_packages
    ;;
  -h|--help|help)
    usage
    ;;
  *)
    usage >&2
    exit 2
    ;;
esac

#!/bin/sh
# ms-make-test-certs.sh
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
# Makes the certificates of the TLS tests in DIR (created, emptied first):
#   ca.pem            a test CA (trusted by the tests through a CA file only)
#   server.key        the key of every server certificate below
#   good.pem          signed by the CA for localhost, 127.0.0.1 and ::1
#   wronghost.pem     signed by the CA for wrong.example.org only
#   expired.pem       signed by the CA for localhost, valid 2020-01-01 to 2020-01-02
#   selfsigned.pem    self-signed for localhost, 127.0.0.1 and ::1
#   other.pem         signed by the CA for localhost, with another key (other.key)
#
# Usage: ms-make-test-certs.sh DIR

set -eu

if [ $# -ne 1 ]; then
  echo "usage: $0 DIR" >&2
  exit 2
fi

dir="$1"
rm -rf "$dir"
mkdir -p "$dir/newcerts"
cd "$dir"

ec="-newkey ec -pkeyopt ec_paramgen_curve:prime256v1"

# shellcheck disable=SC2086
openssl req -x509 -new $ec -nodes -keyout ca.key -out ca.pem -days 3650 -sha256 \
  -subj "/CN=Mailshot Test CA" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out server.key 2>/dev/null
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out other.key 2>/dev/null
openssl req -new -key server.key -subj "/CN=localhost" -out localhost.csr
openssl req -new -key server.key -subj "/CN=wrong.example.org" -out wrong.csr
openssl req -new -key other.key -subj "/CN=localhost" -out other.csr

: > index.txt
echo 1000 > serial
cat > ca.cnf <<'EOF'
[ca]
default_ca = test_ca

[test_ca]
dir = .
database = index.txt
new_certs_dir = newcerts
serial = serial
certificate = ca.pem
private_key = ca.key
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none

[any_name]
commonName = supplied

[localhost]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1,IP:::1

[wronghost]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:wrong.example.org
EOF

sign () {
  openssl ca -batch -notext -config ca.cnf "$@" 2>/dev/null
}

sign -extensions localhost -days 3650 -in localhost.csr -out good.pem
sign -extensions wronghost -days 3650 -in wrong.csr -out wronghost.pem
sign -extensions localhost -startdate 20200101000000Z -enddate 20200102000000Z \
  -in localhost.csr -out expired.pem
sign -extensions localhost -days 3650 -in other.csr -out other.pem

openssl req -x509 -new -key server.key -subj "/CN=localhost" -days 3650 -sha256 \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" -out selfsigned.pem

for f in ca.pem good.pem wronghost.pem expired.pem selfsigned.pem other.pem; do
  test -s "$f"
done

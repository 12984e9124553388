#!/usr/bin/python3
# verify-dkim.py
#
# Copyright 2026 The Mailshot authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Verifies every DKIM-Signature of a message with python3-dkim (not with
# Mailshot's own code), answering the key lookups from the command line
# instead of DNS.
#
#   verify-dkim.py MESSAGE.eml NAME=TXT [NAME=TXT ...]
#
# NAME is "selector._domainkey.domain", TXT the record ("v=DKIM1; k=rsa; p=...").
# Prints one line per signature; exit status 0 when there is at least one
# signature and all verify, 1 when any fails, 2 on a usage error (another status
# means the script itself broke).

import sys

import dkim

USAGE = "usage: verify-dkim.py MESSAGE.eml NAME=TXT [NAME=TXT ...]"


def main(argv):
    if len(argv) < 3:
        print(USAGE, file=sys.stderr)
        return 2
    with open(argv[1], "rb") as f:
        message = f.read()
    records = {}
    for arg in argv[2:]:
        name, _, txt = arg.partition("=")
        records[name.lower().rstrip(".")] = txt.encode()

    looked_up = []

    def dnsfunc(name, timeout=5):
        key = name.decode() if isinstance(name, bytes) else name
        key = key.lower().rstrip(".")
        looked_up.append(key)
        return records.get(key)

    d = dkim.DKIM(message)
    # Each DKIM-Signature header, in order.
    count = sum(1 for name, _ in d.headers if name.lower() == b"dkim-signature")
    if count == 0:
        print("no DKIM-Signature")
        return 1
    ok = True
    for idx in range(count):
        try:
            result = dkim.DKIM(message).verify(idx=idx, dnsfunc=dnsfunc)
            reason = ""
        except (dkim.DKIMException, ValueError) as e:
            # python3-dkim reports some failures (a key of another kind) as ValueError.
            result = False
            reason = " (%s)" % e
        print("signature %d: %s%s" % (idx, "pass" if result else "fail", reason))
        ok = ok and bool(result)
    print("looked up: " + " ".join(looked_up))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))

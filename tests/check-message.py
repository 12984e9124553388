#!/usr/bin/python3
# check-message.py
#
# Copyright 2026 The Mailshot authors
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Parses messages rendered by Mailshot with Python's email package (an
# independent MIME implementation) and compares them with what test-message
# expected.
#
#   check-message.py DIR      reads DIR/expect.json: a list of cases, each
#                             {"file": ..., and the checks below}
#
# Exit status 0 when every check of every case holds, 1 otherwise; each
# failure is printed.

import email
import email.policy
import hashlib
import json
import os
import sys


def utf8(text):
    """Python's parser keeps raw 8-bit header octets (RFC 6532, SMTPUTF8) as
    surrogates; turn them back into the UTF-8 text they are."""
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8")
    except UnicodeError:
        return text


class Checker:
    def __init__(self):
        self.failures = []

    def check(self, case, condition, what):
        if not condition:
            self.failures.append("%s: %s" % (case, what))

    def raw(self, name, raw, case):
        self.check(name, raw.endswith(b"\r\n"), "does not end with CRLF")
        for number, line in enumerate(raw.split(b"\r\n"), 1):
            self.check(name, b"\n" not in line and b"\r" not in line,
                       "line %d has a bare CR or LF" % number)
            self.check(name, len(line) < 998,
                       "line %d has %d octets (limit 998)" % (number, len(line)))
            if not case.get("allow_8bit"):
                self.check(name, all(b < 128 for b in line),
                           "line %d has 8-bit octets" % number)
        head = raw.split(b"\r\n\r\n", 1)[0]
        for forbidden in case.get("absent_headers", []):
            for line in head.split(b"\r\n"):
                self.check(name, not line.lower().startswith(forbidden.lower().encode() + b":"),
                           "the header has a %s field" % forbidden)

    def message(self, name, msg, case):
        for part in msg.walk():
            self.check(name, not part.defects,
                       "defects in %s: %s" % (part.get_content_type(), part.defects))
        if "subject" in case:
            self.check(name, str(msg["subject"]) == case["subject"],
                       "subject %r != %r" % (str(msg["subject"]), case["subject"]))
        for field in ("from", "to", "reply-to"):
            if field in case:
                header = msg[field]
                if case[field] is None:
                    self.check(name, header is None, "unexpected %s" % field)
                    continue
                self.check(name, header is not None and len(header.addresses) == 1,
                           "%s is not one mailbox" % field)
                if header is None or len(header.addresses) != 1:
                    continue
                address = header.addresses[0]
                display, addr_spec = case[field]
                found_display = utf8(address.display_name)
                found_addr = utf8(address.addr_spec)
                self.check(name, found_display == display,
                           "%s name %r != %r" % (field, found_display, display))
                self.check(name, found_addr == addr_spec,
                           "%s address %r != %r" % (field, found_addr, addr_spec))
        if "message_id" in case:
            self.check(name, str(msg["message-id"]) == case["message_id"],
                       "Message-ID %r != %r" % (str(msg["message-id"]), case["message_id"]))
        for field, value in case.get("headers", {}).items():
            self.check(name, str(msg[field]) == value,
                       "%s %r != %r" % (field, str(msg[field]), value))
        self.check(name, msg["mime-version"] == "1.0", "no MIME-Version: 1.0")
        self.check(name, msg["date"] is not None and msg["date"].datetime is not None,
                   "no valid Date")

        if "structure" in case:
            structure = [p.get_content_type() for p in msg.walk()]
            self.check(name, structure == case["structure"],
                       "structure %r != %r" % (structure, case["structure"]))
        texts = [p for p in msg.walk() if p.get_content_type() == "text/plain"
                 and p.get_content_disposition() != "attachment"]
        htmls = [p for p in msg.walk() if p.get_content_type() == "text/html"
                 and p.get_content_disposition() != "attachment"]
        if "text" in case:
            self.check(name, len(texts) == 1, "%d text parts" % len(texts))
            if texts:
                text = texts[0].get_content().replace("\r\n", "\n")
                self.check(name, text == case["text"], "text %r != %r" % (text, case["text"]))
        for needle in case.get("text_contains", []):
            self.check(name, texts and needle in texts[0].get_content(),
                       "text lacks %r" % needle)
        for needle in case.get("html_contains", []):
            self.check(name, htmls and needle in htmls[0].get_content(),
                       "HTML lacks %r" % needle)
        for needle in case.get("html_lacks", []):
            self.check(name, htmls and needle not in htmls[0].get_content(),
                       "HTML has %r" % needle)
        if "encodings" in case:
            encodings = [p["content-transfer-encoding"] for p in msg.walk()
                         if not p.is_multipart()]
            self.check(name, encodings == case["encodings"],
                       "encodings %r != %r" % (encodings, case["encodings"]))
        if "attachments" in case:
            found = [(p.get_filename(), hashlib.sha256(p.get_payload(decode=True)).hexdigest())
                     for p in msg.walk() if p.get_content_disposition() == "attachment"]
            expected = [(a["filename"], a["sha256"]) for a in case["attachments"]]
            self.check(name, found == expected, "attachments %r != %r" % (found, expected))


def main(argv):
    if len(argv) != 2:
        print("usage: check-message.py DIR", file=sys.stderr)
        return 2
    with open(os.path.join(argv[1], "expect.json"), encoding="utf-8") as f:
        cases = json.load(f)
    checker = Checker()
    for case in cases:
        with open(os.path.join(argv[1], case["file"]), "rb") as f:
            raw = f.read()
        checker.raw(case["file"], raw, case)
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        checker.message(case["file"], msg, case)
    for failure in checker.failures:
        print("FAIL " + failure)
    print("%d messages, %d failures" % (len(cases), len(checker.failures)))
    return 1 if checker.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

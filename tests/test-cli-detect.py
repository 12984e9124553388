#!/usr/bin/python3
# test-cli-detect.py
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


"""Tests of mailshot-cli's "server detect" and "server check-domain" commands.
Only what needs no network at all: the preset step of detection (which stops
there), usage errors, and unknown profiles.  The DNS, autoconfig and probing
steps are tested in tests/test-autodetect.c with a table resolver and loopback
servers.

Usage: test-cli-detect.py PATH-TO-mailshot-cli [unittest arguments]
"""

import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI = None


class DetectTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "test.db")
        self.env = dict(os.environ, MAILSHOT_SECRETS="file", LC_ALL="C.UTF-8",
                        MAILSHOT_AUTOCONFIG_BASE="http://127.0.0.1:1")

    def tearDown(self):
        self.tmp.cleanup()

    def run_cli(self, *args):
        return subprocess.run([CLI, "--db", self.db, *args], capture_output=True,
                              text=True, env=self.env, timeout=60)

    def test_detect_preset_json(self):
        r = self.run_cli("--json", "server", "detect", "Anna@Mail.ru")
        self.assertEqual(r.returncode, 0, r.stderr)
        data = json.loads(r.stdout)
        self.assertEqual(data["smtp"]["host"], "smtp.mail.ru")
        self.assertEqual(data["smtp"]["security"], "tls")
        self.assertEqual(data["smtp"]["source"], "preset")
        self.assertIn("preset", data["smtp"]["source_text"])
        self.assertEqual(len(data["tried"]), 1)

    def test_detect_preset_text(self):
        r = self.run_cli("server", "detect", "anna@gmail.com")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("smtp.gmail.com:465", r.stdout)
        self.assertIn("Tried:", r.stdout)

    def test_detect_usage(self):
        self.assertEqual(self.run_cli("server", "detect").returncode, 2)
        self.assertEqual(self.run_cli("server", "detect", "no-at-sign").returncode, 2)
        r = self.run_cli("server", "detect", "a@gmail.com", "--timeout", "0")
        self.assertEqual(r.returncode, 2)
        self.assertIn("--timeout", r.stderr)

    def test_check_domain_unknown_profile(self):
        r = self.run_cli("server", "check-domain", "nope")
        self.assertEqual(r.returncode, 1)
        self.assertIn("nope", r.stderr)


if __name__ == "__main__":
    CLI = os.path.abspath(sys.argv.pop(1))
    unittest.main()

#!/usr/bin/python3
# test-cli-bounces.py
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

"""Tests of "mailshot-cli bounces parse".

Usage: test-cli-bounces.py PATH-TO-mailshot-cli [unittest arguments]

The messages are our own; the bounce corpus (MS_SHARED_DIR/bounces/dev) is read
when it is there, for a few checks against its expected answers.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import unittest

CLI = None

REPORT_KEYS = ['kind', 'recipients', 'original_message_id']
RECIPIENT_KEYS = ['address', 'status', 'replycode', 'reason', 'hard', 'diagnostic']

POSTFIX_DSN = """\
Return-Path: <>
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
Subject: Undelivered Mail Returned to Sender
To: news@example.org
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="B1"

--B1
Content-Type: text/plain; charset=us-ascii

<anna@example.net>: host mx.example.net[192.0.2.10] said: 550 5.1.1
    <anna@example.net>: Recipient address rejected: User unknown in local
    recipient table (in reply to RCPT TO command)

<bob@example.com>: host mx.example.com[192.0.2.20] said: 452 4.2.2 Mailbox
    full (in reply to RCPT TO command)

--B1
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; anna@example.net
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <anna@example.net>: Recipient address rejected:
    User unknown in local recipient table

Final-Recipient: rfc822; bob@example.com
Action: failed
Status: 4.2.2
Diagnostic-Code: smtp; 452 4.2.2 Mailbox full

--B1
Content-Type: text/rfc822-headers

From: news@example.org
To: anna@example.net
Subject: Spring sale
Message-ID: <0123456789abcdef@example.org>
X-Mailshot-Campaign: spring-sale

--B1--
"""

VACATION = """\
From: Pierre <pierre@example.fr>
To: news@example.org
Subject: Out of office
Auto-Submitted: auto-replied

Back on Monday.
"""

UNSUBSCRIBE = """\
From: Anna <anna@example.net>
To: unsubscribe@example.org
Subject: unsubscribe spring-sale.abcdefghijklmnopqrstuvwxyz

"""

PLAIN = """\
From: Anna <anna@example.net>
To: news@example.org
Subject: Re: Spring sale

Thanks!
"""


class BouncesParseTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='mailshot-cli-bounces-')
        self.dir = self.tmp.name
        self.env = dict(os.environ)
        self.env['LC_ALL'] = 'C.UTF-8'
        self.env['LANGUAGE'] = ''
        self.env['HOME'] = self.dir
        self.env['XDG_DATA_HOME'] = os.path.join(self.dir, 'xdg-data')
        self.env['MAILSHOT_DB'] = os.path.join(self.dir, 'unused.db')

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, name, text, newline='\n'):
        path = os.path.join(self.dir, name)
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write(text.replace('\n', newline))
        return path

    def run_cli(self, *args, stdin=None):
        proc = subprocess.run([CLI] + list(args), capture_output=True, env=self.env,
                              input=stdin, timeout=60)
        return proc.returncode, proc.stdout.decode('utf-8'), proc.stderr.decode('utf-8')

    def parse_json(self, path, stdin=None):
        code, out, err = self.run_cli('bounces', 'parse', '--json', path, stdin=stdin)
        self.assertEqual(code, 0, err)
        self.assertEqual(err, '')
        data = json.loads(out)
        self.assertEqual(list(data.keys()), REPORT_KEYS)
        for recipient in data['recipients']:
            self.assertEqual(list(recipient.keys()), RECIPIENT_KEYS)
        return data

    def test_dsn_json(self):
        data = self.parse_json(self.write('dsn.eml', POSTFIX_DSN))
        self.assertEqual(data, {
            'kind': 'bounce',
            'recipients': [
                {'address': 'anna@example.net', 'status': '5.1.1', 'replycode': 550,
                 'reason': 'userunknown', 'hard': True,
                 'diagnostic': '550 5.1.1 <anna@example.net>: Recipient address rejected: '
                               'User unknown in local recipient table'},
                {'address': 'bob@example.com', 'status': '4.2.2', 'replycode': 452,
                 'reason': 'mailboxfull', 'hard': False,
                 'diagnostic': '452 4.2.2 Mailbox full'},
            ],
            'original_message_id': '0123456789abcdef@example.org',
        })

    def test_crlf_mbox_and_stdin(self):
        expected = self.parse_json(self.write('dsn.eml', POSTFIX_DSN))
        crlf = self.write('crlf.eml', 'From MAILER-DAEMON  Tue Apr 14 10:00:02 2026\n' + POSTFIX_DSN,
                          newline='\r\n')
        self.assertEqual(self.parse_json(crlf), expected)
        self.assertEqual(self.parse_json('-', stdin=POSTFIX_DSN.encode('utf-8')), expected)

    def test_dsn_text(self):
        path = self.write('dsn.eml', POSTFIX_DSN)
        code, out, err = self.run_cli('bounces', 'parse', path)
        self.assertEqual(code, 0, err)
        self.assertIn('Bounce: the message could not be delivered', out)
        self.assertIn('Original message: 0123456789abcdef@example.org', out)
        self.assertIn('Campaign: spring-sale', out)
        self.assertIn('anna@example.net\n  Reason: The address does not exist (userunknown)', out)
        self.assertIn('Hard bounce', out)
        self.assertIn('bob@example.com\n  Reason: The mailbox is full (mailboxfull)', out)
        self.assertIn('Soft bounce', out)
        self.assertIn('  Status: 4.2.2\n  SMTP reply: 452\n', out)

    def test_kinds(self):
        data = self.parse_json(self.write('vacation.eml', VACATION))
        self.assertEqual(data['kind'], 'autoreply')
        self.assertEqual(data['recipients'], [
            {'address': 'pierre@example.fr', 'status': None, 'replycode': None,
             'reason': 'vacation', 'hard': False, 'diagnostic': None}])

        data = self.parse_json(self.write('unsubscribe.eml', UNSUBSCRIBE))
        self.assertEqual(data['kind'], 'unsubscribe')
        self.assertEqual(data['recipients'], [
            {'address': 'anna@example.net', 'status': None, 'replycode': None,
             'reason': None, 'hard': False, 'diagnostic': None}])
        code, out, err = self.run_cli('bounces', 'parse', self.write('u.eml', UNSUBSCRIBE))
        self.assertEqual(code, 0, err)
        self.assertIn('Unsubscribe token: spring-sale.abcdefghijklmnopqrstuvwxyz', out)

        data = self.parse_json(self.write('plain.eml', PLAIN))
        self.assertEqual(data, {'kind': 'other', 'recipients': [], 'original_message_id': None})

    def test_errors(self):
        code, out, err = self.run_cli('bounces', 'parse')
        self.assertEqual(code, 2)
        self.assertIn('Missing argument', err)
        code, out, err = self.run_cli('bounces', 'parse', 'a.eml', 'b.eml')
        self.assertEqual(code, 2)
        code, out, err = self.run_cli('bounces', 'parse', os.path.join(self.dir, 'none.eml'))
        self.assertEqual(code, 1)
        self.assertIn('none.eml', err)
        self.assertEqual(out, '')
        code, out, err = self.run_cli('bounces', 'parse', self.dir)
        self.assertEqual(code, 1)
        self.assertIn('folder', err)
        code, out, err = self.run_cli('bounces', 'parse', self.write('empty.eml', ''))
        self.assertEqual(code, 1)
        self.assertIn('empty', err)
        code, out, err = self.run_cli('bounces', 'nonsense')
        self.assertEqual(code, 2)
        code, out, err = self.run_cli('bounces', '--help')
        self.assertEqual(code, 0)
        self.assertIn('parse', out)

    def test_binary_garbage(self):
        path = os.path.join(self.dir, 'garbage.eml')
        with open(path, 'wb') as f:
            f.write(bytes(range(256)) * 64)
        code, out, err = self.run_cli('bounces', 'parse', '--json', path)
        self.assertEqual(code, 1)
        self.assertIn('holds no e-mail message', err)
        self.assertEqual(out, '')
        code, out, err = self.run_cli('bounces', 'parse',
                                      self.write('text.eml', 'no headers here\n\njust text\n'))
        self.assertEqual(code, 1)
        self.assertIn('holds no e-mail message', err)
        data = self.parse_json(self.write('subject.eml', 'Subject: hello\n\njust text\n'))
        self.assertEqual(data, {'kind': 'other', 'recipients': [], 'original_message_id': None})

    def test_corpus(self):
        shared = os.environ.get('MS_SHARED_DIR')
        corpus = os.path.join(shared, 'bounces', 'dev') if shared else None
        if not corpus or not os.path.exists(os.path.join(corpus, 'expected.tsv')):
            self.skipTest('the bounce corpus (MS_SHARED_DIR/bounces/dev) is not there')
        with open(os.path.join(corpus, 'expected.tsv'), encoding='utf-8') as f:
            rows = list(csv.DictReader(f, delimiter='\t', quoting=csv.QUOTE_NONE))
        kinds = {'feedback': 'complaint', 'vacation': 'autoreply'}
        checked = 0
        seen = set()
        for row in rows:
            name = row['file']
            if name in seen or not row['recipient']:
                continue
            seen.add(name)
            if row['reason'] not in ('feedback', 'vacation', 'userunknown'):
                continue
            data = self.parse_json(os.path.join(corpus, name))
            self.assertEqual(data['kind'], kinds.get(row['reason'], 'bounce'), name)
            addresses = [r['address'] for r in data['recipients']]
            self.assertIn(row['recipient'], addresses, name)
            checked += 1
        self.assertGreater(checked, 50)


def main():
    global CLI
    if len(sys.argv) < 2:
        sys.exit('usage: test-cli-bounces.py PATH-TO-mailshot-cli [unittest arguments]')
    CLI = os.path.abspath(sys.argv.pop(1))
    if not os.access(CLI, os.X_OK):
        sys.exit(f'{CLI} is not an executable')
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()

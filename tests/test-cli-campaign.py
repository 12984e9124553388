#!/usr/bin/python3
# test-cli-campaign.py
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

"""The campaign commands of mailshot-cli against real SMTP servers on loopback
(tests/servers/ms-test-smtp-server.py): rotation and quotas over three servers,
the send exit codes, faults and how each is handled, the engine lock, pause,
resume, cancel and retry.

Usage: test-cli-campaign.py PATH-TO-mailshot-cli [unittest arguments]
"""

import datetime
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campaign_helpers import Scratch, all_messages, max_in_window  # noqa: E402

CLI = None

STATUS_KEYS = {'name', 'state', 'total', 'counts', 'servers', 'eta'}
COUNT_KEYS = {'queued', 'sending', 'sent', 'failed', 'uncertain', 'suppressed', 'bounced',
              'cancelled'}
SERVER_KEYS = {'name', 'state', 'cooldown_until', 'reason', 'windows'}
WINDOW_KEYS = {'limit', 'seconds', 'used', 'remaining', 'reopens_at'}


def addresses(n, prefix='r'):
    return ['%s%03d@example.org' % (prefix, i) for i in range(n)]


def parse_iso(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


class CampaignTestCase(unittest.TestCase):
    def setUp(self):
        self.s = Scratch(CLI)

    def tearDown(self):
        self.s.close()

    def status(self, name):
        return self.s.json('campaign', 'status', name)

    def assert_status_shape(self, status):
        self.assertEqual(set(status), STATUS_KEYS)
        self.assertEqual(set(status['counts']), COUNT_KEYS)
        for value in status['counts'].values():
            self.assertIsInstance(value, int)
        self.assertEqual(status['total'], sum(status['counts'].values()))
        for server in status['servers']:
            self.assertEqual(set(server), SERVER_KEYS)
            for window in server['windows']:
                self.assertEqual(set(window), WINDOW_KEYS)
                if window['reopens_at'] is not None:
                    parse_iso(window['reopens_at'])
        if status['eta'] is not None:
            parse_iso(status['eta'])

    def assert_one_each(self, campaign, messages, expect_sent=None):
        """Every sent delivery arrived exactly once, under its own Message-ID."""
        rows = self.s.deliveries(campaign)
        by_id = {}
        for m in messages:
            by_id.setdefault(m['message_id'], []).append(m)
        for email_, state, message_id, _, _, _ in rows:
            got = by_id.get(message_id, [])
            if state == 'sent':
                self.assertEqual(len(got), 1, '%s: %d copies' % (email_, len(got)))
                self.assertEqual(got[0]['rcpt'], [email_])
            elif state in ('queued', 'failed', 'suppressed', 'cancelled'):
                self.assertEqual(got, [], '%s is %s but arrived' % (email_, state))
        known = {row[2] for row in rows}
        for m in messages:
            self.assertIn(m['message_id'], known)
        if expect_sent is not None:
            self.assertEqual(sum(1 for r in rows if r[1] == 'sent'), expect_sent)


class RotationTest(CampaignTestCase):
    def test_rotation_and_quotas(self):
        """Three servers with different windows: exact counts per server at each
        stage, exit 75 while every server waits, never over a limit."""
        s = self.s
        recipients = addresses(20)
        s.contacts('L', recipients)
        s.template()
        a = s.server('A', '3/5s')
        b = s.server('B', '2/4s', '5/1m')
        c = s.server('C', '4/10s', connections=2)
        s.ok('campaign', 'create', 'Spring', '--template', 'T', '--list', 'L',
             '--server', 'A', '--server', 'B', '--server', 'C')

        plan = s.json('campaign', 'plan', 'Spring')
        self.assertEqual(plan['remaining'], 20)
        self.assertEqual([p['now'] for p in plan['servers']], [3, 2, 4])
        self.assertIsNotNone(plan['eta'])

        # Stage 1: each server fills its windows in order, then all wait.
        code, out, err = s.run('campaign', 'send', 'Spring')
        self.assertEqual(code, 75, out + err)
        self.assertIn('can continue at', err)
        self.assertEqual([len(x.messages()) for x in (a, b, c)], [3, 2, 4])
        status = self.status('Spring')
        self.assert_status_shape(status)
        self.assertEqual(status['state'], 'waiting')
        self.assertEqual(status['counts']['sent'], 9)
        self.assertEqual(status['counts']['queued'], 11)
        self.assertEqual([srv['state'] for srv in status['servers']], ['quota-full'] * 3)
        self.assertEqual(status['servers'][1]['windows'][0]['used'], 2)
        self.assertEqual(status['servers'][1]['windows'][1]['remaining'], 3)
        for server in status['servers']:
            self.assertIsNotNone(server['windows'][0]['reopens_at'])
        self.assertIsNotNone(status['eta'])

        # Stage 2, once every short window reopened: the same again; B's minute
        # window has 3 left, so it takes 2 again.
        last = max(m['time'] for m in all_messages([a, b, c]))
        time.sleep(max(0, last + 10.2 - time.time()))
        code, out, err = s.run('campaign', 'send', 'Spring')
        self.assertEqual(code, 75, out + err)
        self.assertEqual([len(x.messages()) for x in (a, b, c)], [6, 4, 8])

        # Stage 3: keep going; B reopens first (4 s) but its minute window has 1
        # left, then A (5 s) takes the last one.
        code, out, err = s.run('campaign', 'send', 'Spring', '--wait', timeout=90)
        self.assertEqual(code, 0, out + err)
        self.assertEqual([len(x.messages()) for x in (a, b, c)], [7, 5, 8])
        status = self.status('Spring')
        self.assertEqual(status['state'], 'finished')
        self.assertEqual(status['counts']['sent'], 20)
        self.assertIsNone(status['eta'])

        # Never over a limit, by the servers' own clocks.
        for server, quotas in ((a, [(3, 5)]), (b, [(2, 4), (5, 60)]), (c, [(4, 10)])):
            times = [m['time'] for m in server.messages()]
            for limit, seconds in quotas:
                self.assertLessEqual(max_in_window(times, seconds), limit)
        self.assert_one_each('Spring', all_messages([a, b, c]), expect_sent=20)
        self.assertEqual(sorted(m['rcpt'][0] for m in all_messages([a, b, c])), recipients)

    def test_suppression_and_duplicates(self):
        s = self.s
        s.contacts('L1', addresses(6))
        s.contacts('L2', addresses(3) + ['extra@example.org'])
        s.contacts('No', ['r005@example.org'])
        s.ok('contacts', 'set-status', 'r004@example.org', 'unsubscribed')
        s.ok('contacts', 'set-status', 'r003@example.org', 'bounced')
        s.template()
        srv = s.server('A')
        s.ok('campaign', 'create', 'D', '--template', 'T', '--list', 'L1', '--list', 'L2',
             '--exclude-list', 'No', '--server', 'A')
        status = self.status('D')
        self.assertEqual(status['state'], 'draft')
        self.assertEqual(status['total'], 7)
        self.assertEqual(status['counts']['suppressed'], 3)
        self.assertEqual(status['counts']['queued'], 4)
        s.ok('campaign', 'send', 'D')
        status = self.status('D')
        self.assertEqual(status['state'], 'finished')
        self.assertEqual(status['counts']['sent'], 4)
        self.assertEqual(status['counts']['suppressed'], 3)
        got = sorted(m['rcpt'][0] for m in srv.messages())
        self.assertEqual(got, ['extra@example.org', 'r000@example.org', 'r001@example.org',
                               'r002@example.org'])
        self.assert_one_each('D', srv.messages(), expect_sent=4)
        # The From is the template's (the server allows substitution).
        with open(os.path.join(srv.record, '0001.eml'), encoding='utf-8') as f:
            self.assertIn('news@example.org', f.read())


class FaultTest(CampaignTestCase):
    def run_campaign(self, name, n, faults=None, expect=0, options=(), server_extra=(), env=None,
                     send_args=('--wait',)):
        s = self.s
        s.contacts('L', addresses(n))
        s.template()
        srv = s.server('A', options=options, faults=faults, extra=server_extra, env=env)
        s.ok('campaign', 'create', name, '--template', 'T', '--list', 'L', '--server', 'A')
        code, out, err = s.run('campaign', 'send', name, *send_args, timeout=90)
        self.assertEqual(code, expect, out + err)
        return srv, out, err

    def test_temporary_failures_are_retried(self):
        srv, _, _ = self.run_campaign('Tmp', 4, faults=[
            {'stage': 'rcpt', 'recipient': 'r001@example.org', 'times': 1,
             'reply': '450 4.2.1 Mailbox unavailable'},
            {'stage': 'data', 'message': 3, 'times': 1,
             'reply': '451 4.3.0 Local problem'},
        ])
        status = self.status('Tmp')
        self.assertEqual(status['counts']['sent'], 4)
        self.assertEqual(status['counts']['failed'], 0)
        rows = {r[0]: r for r in self.s.deliveries('Tmp')}
        self.assertEqual(rows['r001@example.org'][3], 1)   # one temporary failure
        self.assertEqual(sum(r[3] for r in rows.values()), 2)
        self.assert_one_each('Tmp', srv.messages(), expect_sent=4)

    def test_temporary_failures_give_up(self):
        self.s.env['MAILSHOT_MAX_ATTEMPTS'] = '2'
        srv, _, _ = self.run_campaign('Give', 2, faults=[
            {'stage': 'rcpt', 'recipient': 'r000@example.org', 'reply': '450 4.2.1 Busy'},
        ])
        rows = {r[0]: r for r in self.s.deliveries('Give')}
        self.assertEqual(rows['r000@example.org'][1], 'failed')
        self.assertEqual(rows['r000@example.org'][3], 2)
        self.assertEqual(rows['r000@example.org'][4], 450)
        self.assertEqual(rows['r001@example.org'][1], 'sent')

    def test_421_mid_run_reconnects(self):
        srv, _, _ = self.run_campaign('Shut', 6, faults=[
            {'stage': 'mail', 'message': 3, 'times': 1,
             'reply': '421 4.3.2 Service shutting down', 'close': True},
        ])
        status = self.status('Shut')
        self.assertEqual(status['counts']['sent'], 6)
        self.assertEqual(status['counts']['failed'], 0)
        self.assertGreaterEqual(srv.connections(), 2)
        self.assert_one_each('Shut', srv.messages(), expect_sent=6)
        # The server was cooled down once with the server's words, then recovered.
        health = self.s.sql('SELECT consecutive_failures, reason FROM server_state')
        self.assertEqual(health, [(0, None)])

    def test_rate_limits_cool_down_and_requeue(self):
        srv, out, _ = self.run_campaign('Rate', 5, faults=[
            {'stage': 'mail', 'message': 2, 'times': 1,
             'reply': '550 5.7.1 Too many messages, slow down'},
            {'stage': 'rcpt', 'message': 4, 'times': 1,
             'reply': '553 5.7.1 Sorry, too many messages from this account'},
        ])
        status = self.status('Rate')
        self.assertEqual(status['counts']['sent'], 5)
        self.assertEqual(status['counts']['failed'], 0)
        rows = self.s.deliveries('Rate')
        self.assertTrue(all(r[3] == 0 for r in rows), rows)   # not counted as attempts
        self.assertIn('cooling down', out)
        self.assert_one_each('Rate', srv.messages(), expect_sent=5)

    def test_rate_limit_waits_without_wait(self):
        srv, out, err = self.run_campaign('Cool', 3, faults=[
            {'stage': 'rcpt', 'message': 2, 'times': 1,
             'reply': '550 5.7.1 Too many messages'},
        ], env=None, send_args=())
        # The base cool-down is 1 s: short enough to go through (exit 0) ...
        status = self.status('Cool')
        self.assertEqual(status['counts']['sent'], 3)

    def test_long_cool_down_exits_75(self):
        self.s.env['MAILSHOT_COOLDOWN_SECONDS'] = '30'
        srv, out, err = self.run_campaign('Long', 3, faults=[
            {'stage': 'rcpt', 'message': 2, 'times': 1,
             'reply': '550 5.7.1 Too many messages'},
        ], expect=75, send_args=())
        status = self.status('Long')
        self.assertEqual(status['state'], 'waiting')
        self.assertEqual(status['counts']['sent'], 1)
        self.assertEqual(status['counts']['queued'], 2)
        self.assertEqual(status['counts']['failed'], 0)
        server = status['servers'][0]
        self.assertEqual(server['state'], 'cooling-down')
        self.assertIn('Too many messages', server['reason'])
        until = parse_iso(server['cooldown_until'])
        left = (until - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        self.assertGreater(left, 20)
        self.assertIn('can continue at', err)

    def test_drop_after_final_dot_is_uncertain(self):
        srv, _, _ = self.run_campaign('Drop', 4, faults=[
            {'stage': 'data-end', 'message': 2, 'times': 1, 'disconnect': True},
        ])
        status = self.status('Drop')
        self.assertEqual(status['counts']['uncertain'], 1)
        self.assertEqual(status['counts']['sent'], 3)
        self.assertEqual(status['state'], 'finished')
        rows = self.s.deliveries('Drop')
        uncertain = [r for r in rows if r[1] == 'uncertain']
        self.assert_one_each('Drop', srv.messages(), expect_sent=3)

        # Only on request, and with the same Message-ID.
        self.s.ok('campaign', 'retry', 'Drop', '--uncertain')
        self.assertEqual(self.status('Drop')['state'], 'paused')
        self.s.ok('campaign', 'send', 'Drop')
        again = [m for m in srv.messages() if m['message_id'] == uncertain[0][2]]
        self.assertEqual(len(again), 1)
        self.assertEqual(self.status('Drop')['counts']['sent'], 4)

    def test_unknown_user_fails_and_bounces(self):
        srv, _, _ = self.run_campaign('Gone', 3, faults=[
            {'stage': 'rcpt', 'recipient': 'r002@example.org',
             'reply': '550 5.1.1 <r002@example.org>: Recipient address rejected: User unknown'},
        ])
        status = self.status('Gone')
        self.assertEqual(status['counts']['failed'], 1)
        self.assertEqual(status['counts']['sent'], 2)
        rows = {r[0]: r for r in self.s.deliveries('Gone')}
        self.assertEqual(rows['r002@example.org'][1], 'failed')
        self.assertEqual(rows['r002@example.org'][4], 550)
        self.assertIn('User unknown', rows['r002@example.org'][5])
        contact = self.s.json('contacts', 'show', 'r002@example.org')
        self.assertEqual(contact['status'], 'bounced')
        self.assertEqual(self.s.json('contacts', 'show', 'r001@example.org')['status'], 'active')

        # A retry of failed deliveries does not write to a bounced contact.
        self.s.ok('campaign', 'retry', 'Gone', '--failed')
        self.s.ok('campaign', 'send', 'Gone')
        status = self.status('Gone')
        self.assertEqual(status['counts']['suppressed'], 1)
        self.assertEqual(len(srv.messages()), 2)

    def test_wrong_password_stops_the_server(self):
        env = {'PW': 'wrong'}
        srv, out, err = self.run_campaign(
            'Auth', 2, options=('--auth', 'user:secret'),
            server_extra=('--login', 'user', '--password-env', 'PW'), env=env, expect=1,
            send_args=())
        self.assertIn('No server can send this campaign', err)
        self.assertIn('“A”', err)
        self.assertIn('535', err)
        status = self.status('Auth')
        self.assertEqual(status['state'], 'paused')
        self.assertEqual(status['counts']['queued'], 2)
        self.assertEqual(status['counts']['failed'], 0)
        self.assertEqual(status['servers'][0]['state'], 'stopped')
        self.assertIn('535', status['servers'][0]['reason'])
        self.assertEqual(srv.messages(), [])

        # Fixed: the right password, then resume lets the server try again.
        self.s.env['PW'] = 'secret'
        self.s.ok('server', 'set-password', 'A', '--password-env', 'PW')
        self.s.ok('campaign', 'resume', 'Auth')
        self.s.ok('campaign', 'send', 'Auth')
        self.assertEqual(self.status('Auth')['counts']['sent'], 2)
        self.assert_one_each('Auth', srv.messages(), expect_sent=2)


class ControlTest(CampaignTestCase):
    def make(self, n=6, quotas=('2/30s',)):
        s = self.s
        s.contacts('L', addresses(n))
        s.template()
        srv = s.server('A', *quotas)
        s.ok('campaign', 'create', 'C', '--template', 'T', '--list', 'L', '--server', 'A')
        return srv

    def wait_for_state(self, name, wanted, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            state = self.status(name)['state']
            if state == wanted:
                return
            time.sleep(0.1)
        self.fail('%s never became %s' % (name, wanted))

    def test_second_process_is_refused(self):
        self.make()
        first = self.s.popen('campaign', 'send', 'C', '--wait')
        try:
            self.wait_for_state('C', 'waiting')
            # While it waits for the quota, nothing claimed ahead shows as sending.
            counts = self.status('C')['counts']
            self.assertEqual((counts['sent'], counts['sending'], counts['queued']), (2, 0, 4))
            code, out, err = self.s.run('campaign', 'send', 'C')
            self.assertEqual(code, 1)
            self.assertIn('Another program is sending from this database', err)
            self.assertIn('mailshot-cli (process %d)' % first.pid, err)
        finally:
            first.send_signal(signal.SIGINT)
            first.communicate(timeout=30)
        self.assertEqual(first.returncode, 130)
        self.assertEqual(self.status('C')['state'], 'paused')

    def test_pause_resume_cancel(self):
        srv = self.make()
        first = self.s.popen('campaign', 'send', 'C', '--wait')
        self.wait_for_state('C', 'waiting')
        self.s.ok('campaign', 'pause', 'C')
        out, err = first.communicate(timeout=30)
        self.assertEqual(first.returncode, 1, err)
        self.assertIn('paused', err.decode())
        status = self.status('C')
        self.assertEqual(status['state'], 'paused')
        self.assertEqual(status['counts']['sent'], 2)
        self.assertEqual(status['counts']['queued'], 4)

        self.s.ok('campaign', 'resume', 'C')
        self.assertEqual(self.status('C')['state'], 'running')
        code, _, _ = self.s.run('campaign', 'send', 'C')
        self.assertEqual(code, 75)

        self.s.ok('campaign', 'cancel', 'C')
        status = self.status('C')
        self.assertEqual(status['state'], 'cancelled')
        self.assertEqual(status['counts']['cancelled'], 4)
        self.assertEqual(status['counts']['sent'], 2)
        code, _, err = self.s.run('campaign', 'send', 'C')
        self.assertEqual(code, 1)
        self.assertIn('cancelled', err)
        code, _, err = self.s.run('campaign', 'resume', 'C')
        self.assertEqual(code, 1)
        self.assertEqual(len(srv.messages()), 2)

    def test_ctrl_c_pauses(self):
        self.make(quotas=())
        self.s.servers[0].stop()
        # A server that answers slowly: Ctrl-C lands while messages are in flight.
        slow = self.s.server('Slow', faults=[{'stage': 'data-end', 'delay': 0.3}])
        self.s.ok('campaign', 'create', 'S', '--template', 'T', '--list', 'L', '--server', 'Slow')
        proc = self.s.popen('campaign', 'send', 'S', '--wait')
        time.sleep(1.0)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        self.assertEqual(proc.returncode, 130, err)
        status = self.status('S')
        self.assertEqual(status['state'], 'paused')
        self.assertEqual(status['counts']['sending'], 0)
        self.assertEqual(status['counts']['uncertain'], 0)
        self.assertGreater(status['counts']['queued'], 0)
        self.assert_one_each('S', slow.messages(), expect_sent=status['counts']['sent'])
        self.s.ok('campaign', 'send', 'S')
        self.assertEqual(self.status('S')['counts']['sent'], 6)

    def test_schedule_and_window(self):
        s = self.s
        s.contacts('L', addresses(2))
        s.template()
        s.server('A')
        later = (datetime.datetime.now() + datetime.timedelta(hours=2)).strftime('%Y-%m-%dT%H:%M')
        s.ok('campaign', 'create', 'Later', '--template', 'T', '--list', 'L', '--server', 'A',
             '--start-at', later)
        self.assertEqual(self.status('Later')['state'], 'scheduled')
        code, out, err = s.run('campaign', 'send', 'Later')
        self.assertEqual(code, 75, out + err)
        self.assertEqual(self.status('Later')['state'], 'scheduled')
        self.assertEqual(self.status('Later')['counts']['sent'], 0)
        plan = s.json('campaign', 'plan', 'Later')
        self.assertEqual(plan['servers'][0]['now'], 0)
        self.assertEqual(plan['servers'][0]['later'], 2)

        # A window that is closed now: from in two hours, for one hour.
        now = datetime.datetime.now()
        start = (now + datetime.timedelta(hours=2)).strftime('%H:%M')
        end = (now + datetime.timedelta(hours=3)).strftime('%H:%M')
        s.ok('campaign', 'create', 'Window', '--template', 'T', '--list', 'L', '--server', 'A',
             '--window', '%s-%s' % (start, end))
        code, out, err = s.run('campaign', 'send', 'Window')
        self.assertEqual(code, 75, out + err)
        status = self.status('Window')
        self.assertEqual(status['state'], 'waiting')
        self.assertEqual(status['counts']['sent'], 0)

        # A window open now, on today's weekday only.
        today = now.strftime('%a').lower()
        s.ok('campaign', 'create', 'Open', '--template', 'T', '--list', 'L', '--server', 'A',
             '--window', '00:00-24:00', '--days', today)
        s.ok('campaign', 'send', 'Open')
        self.assertEqual(self.status('Open')['counts']['sent'], 2)

    def test_usage_and_list(self):
        s = self.s
        s.contacts('L', addresses(1))
        s.template()
        s.server('A')
        self.assertEqual(s.run('campaign', 'create', 'X', '--list', 'L', '--server', 'A')[0], 2)
        self.assertEqual(s.run('campaign', 'create', 'X', '--template', 'T', '--list', 'L',
                               '--server', 'A', '--window', '9-17')[0], 2)
        self.assertEqual(s.run('campaign', 'create', 'X', '--template', 'T', '--list', 'L',
                               '--server', 'A', '--days', 'funday')[0], 2)
        self.assertEqual(s.run('campaign', 'create', 'X', '--template', 'T', '--list', 'L',
                               '--server', 'A', '--start-at', 'tomorrow')[0], 2)
        self.assertEqual(s.run('campaign', 'create', 'X', '--template', 'T', '--list', 'Nope',
                               '--server', 'A')[0], 1)
        self.assertEqual(s.run('campaign', 'retry', 'X')[0], 2)
        self.assertEqual(s.run('campaign', 'status', 'Nope')[0], 1)
        s.ok('campaign', 'create', 'X', '--template', 'T', '--list', 'L', '--server', 'A')
        code, _, err = s.run('campaign', 'create', 'X', '--template', 'T', '--list', 'L',
                             '--server', 'A')
        self.assertEqual(code, 1)
        self.assertIn('exists', err)
        listing = s.json('campaign', 'list')
        self.assertEqual([c['name'] for c in listing], ['X'])
        self.assertEqual(listing[0]['state'], 'draft')
        self.assertIn('X\tdraft\t0/1', s.ok('campaign', 'list'))
        code, _, err = s.run('campaign', 'pause', 'X')
        self.assertEqual(code, 1)
        self.assertIn('not started', err)


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CLI = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

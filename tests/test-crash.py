#!/usr/bin/python3
# test-crash.py
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

"""kill -9 of `mailshot-cli campaign send` at random moments, again and again,
restarting it each time; at the end every contact got exactly one message,
except deliveries shown as uncertain (at most one), and none was lost: the
server's received Message-IDs are compared with the deliveries.

Usage: test-crash.py PATH-TO-mailshot-cli [unittest arguments]
Environment: CRASH_SEED (default 4), CRASH_ROUNDS (default 15).
"""

import os
import random
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from campaign_helpers import Scratch  # noqa: E402

CLI = None


class CrashTest(unittest.TestCase):
    def setUp(self):
        self.s = Scratch(CLI)

    def tearDown(self):
        self.s.close()

    def check_outcome(self, campaign, server):
        rows = self.s.deliveries(campaign)
        received = {}
        for m in server.messages():
            received.setdefault(m['message_id'], []).append(m)
        states = {}
        for email_, state, message_id, _, _, _ in rows:
            states[state] = states.get(state, 0) + 1
            copies = received.get(message_id, [])
            if state == 'sent':
                self.assertEqual(len(copies), 1, '%s is sent but arrived %d times' % (email_, len(copies)))
                self.assertEqual(copies[0]['rcpt'], [email_])
            elif state == 'uncertain':
                self.assertLessEqual(len(copies), 1, '%s arrived %d times' % (email_, len(copies)))
            else:
                self.fail('%s ended %s' % (email_, state))
        known = {row[2] for row in rows}
        unknown = [mid for mid in received if mid not in known]
        self.assertEqual(unknown, [], 'messages that belong to no delivery')
        return states, sum(len(v) for v in received.values())

    def test_kill_9_recording_before_each_dot(self):
        """Each data-sent recorded between the body and the final dot: a kill leaves
        at most the message in flight uncertain, per connection."""
        self.kill_9_at_random_moments(ahead=0, per_kill=2)

    def test_kill_9_recording_ahead(self):
        """The default: deliveries recorded ahead in groups (one fsync for several);
        a kill may leave each connection's recorded ones uncertain."""
        self.kill_9_at_random_moments(ahead=None, per_kill=17)

    def kill_9_at_random_moments(self, ahead, per_kill):
        seed = int(os.environ.get('CRASH_SEED', '4'))
        rounds = int(os.environ.get('CRASH_ROUNDS', '15'))
        rng = random.Random(seed)
        s = self.s
        if ahead is not None:
            s.env['MAILSHOT_COMMIT_AHEAD'] = str(ahead)
        n = 240
        s.contacts('L', ['c%04d@example.org' % i for i in range(n)])
        s.template()
        # Three connections, and a server slow enough at the final dot that kills
        # land in every step of the delivery.
        server = s.server('A', connections=3, faults=[{'stage': 'data-end', 'delay': 0.04}])
        s.ok('campaign', 'create', 'Crash', '--template', 'T', '--list', 'L', '--server', 'A')

        kills = 0
        deadline = time.time() + 120
        for i in range(rounds):
            if time.time() > deadline:
                break
            proc = s.popen('campaign', 'send', 'Crash', '--wait')
            time.sleep(rng.uniform(0.02, 0.4))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            proc.communicate(timeout=60)
            if proc.returncode == 0:
                break
            self.assertIn(proc.returncode, (-signal.SIGKILL, 0), 'round %d' % i)

            # Between crashes: the database is consistent at every moment.
            states, arrived = self.check_outcome_partial('Crash', server)

        code, out, err = s.run('campaign', 'send', 'Crash', '--wait', timeout=120)
        self.assertEqual(code, 0, out + err)
        states, arrived = self.check_outcome('Crash', server)
        uncertain = states.get('uncertain', 0)
        sys.stderr.write('%d kills: %s, %d messages arrived\n' % (kills, states, arrived))
        self.assertGreaterEqual(kills, 5)
        self.assertEqual(states.get('sent', 0) + uncertain, n)
        self.assertGreaterEqual(arrived, states['sent'])
        self.assertLessEqual(arrived, n)
        self.assertLessEqual(uncertain, kills * 3 * per_kill)

    def check_outcome_partial(self, campaign, server):
        """After a crash, before recovery: nothing sent twice, every arrival known."""
        rows = self.s.deliveries(campaign)
        received = {}
        for m in server.messages():
            received.setdefault(m['message_id'], []).append(m)
        by_id = {row[2]: row for row in rows}
        for mid, copies in received.items():
            self.assertEqual(len(copies), 1, '%s arrived twice' % mid)
            self.assertIn(mid, by_id)
            # Handed over means recorded first: never still queued.
            self.assertIn(by_id[mid][1], ('sent', 'data-sent', 'uncertain'), by_id[mid])
        for email_, state, message_id, _, _, _ in rows:
            if state == 'sent':
                self.assertEqual(len(received.get(message_id, [])), 1, email_)
        states = {}
        for row in rows:
            states[row[1]] = states.get(row[1], 0) + 1
        return states, len(received)


if __name__ == '__main__':
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    CLI = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

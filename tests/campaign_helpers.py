# campaign_helpers.py
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

"""Shared pieces of the campaign tests: a scratch database driven through
mailshot-cli, and our scriptable SMTP test servers on loopback with what they
recorded."""

import email
import email.policy
import glob
import json
import os
import sqlite3
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
SERVER_SCRIPT = os.path.join(HERE, 'servers', 'ms-test-smtp-server.py')
PYTHON = '/usr/bin/python3'


class TestServer:
    """One ms-test-smtp-server.py process recording into its own folder."""

    def __init__(self, workdir, name, *options, faults=None):
        self.record = os.path.join(workdir, 'rec-' + name)
        argv = [PYTHON, SERVER_SCRIPT, '--security', 'none', '--record', self.record,
                '--watch-stdin'] + list(options)
        for fault in faults or []:
            argv += ['--fault', json.dumps(fault)]
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        line = self.proc.stdout.readline().decode().strip()
        if not line.isdigit():
            raise RuntimeError('the test server did not start: %r' % line)
        self.port = int(line)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()

    def messages(self):
        """What the server accepted: dicts with n, time, rcpt, message_id."""
        path = os.path.join(self.record, 'messages.jsonl')
        result = []
        if not os.path.exists(path):
            return result
        with open(path, encoding='utf-8') as f:
            for line in f:
                record = json.loads(line)
                with open(os.path.join(self.record, '%04d.eml' % record['n']), 'rb') as m:
                    parsed = email.message_from_binary_file(m, policy=email.policy.default)
                record['message_id'] = (parsed['Message-ID'] or '').strip().strip('<>')
                record['to'] = str(parsed['To'] or '')
                result.append(record)
        return result

    def connections(self):
        path = os.path.join(self.record, 'transcript.log')
        if not os.path.exists(path):
            return 0
        seen = set()
        with open(path, encoding='utf-8', errors='replace') as f:
            for line in f:
                seen.add(line.split(' ', 1)[0])
        return len(seen)


def max_in_window(times, seconds):
    """The largest number of times in any window (t - seconds, t]."""
    times = sorted(times)
    best = 0
    for i, t in enumerate(times):
        count = sum(1 for u in times[:i + 1] if u > t - seconds)
        best = max(best, count)
    return best


class Scratch:
    """A temporary database with contacts, lists, a template and servers."""

    def __init__(self, cli, env_extra=None):
        self.cli = cli
        self.tmp = tempfile.TemporaryDirectory(prefix='mailshot-campaign-test-')
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, 'test.db')
        self.env = dict(os.environ)
        self.env.pop('MAILSHOT_DB', None)
        self.env.update({'LC_ALL': 'C.UTF-8', 'LANGUAGE': '', 'HOME': self.dir,
                         'XDG_DATA_HOME': os.path.join(self.dir, 'xdg'),
                         'MAILSHOT_SECRETS': 'file',
                         'MAILSHOT_RETRY_SECONDS': '1', 'MAILSHOT_COOLDOWN_SECONDS': '1',
                         'MAILSHOT_IDLE_CLOSE_MS': '2000'})
        self.env.update(env_extra or {})
        self.servers = []

    def close(self):
        for server in self.servers:
            server.stop()
        self.tmp.cleanup()

    def run(self, *args, timeout=60, check=None):
        argv = [self.cli, '--db', self.db] + [str(a) for a in args]
        proc = subprocess.run(argv, capture_output=True, env=self.env, timeout=timeout)
        out, err = proc.stdout.decode(), proc.stderr.decode()
        if check is not None and proc.returncode != check:
            raise AssertionError('%s exited %d, not %d:\n%s%s' % (args, proc.returncode, check, out, err))
        return proc.returncode, out, err

    def ok(self, *args, **kwargs):
        return self.run(*args, check=0, **kwargs)[1]

    def json(self, *args):
        return json.loads(self.run('--json', *args, check=0)[1])

    def popen(self, *args):
        argv = [self.cli, '--db', self.db] + [str(a) for a in args]
        return subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)

    def contacts(self, list_name, addresses):
        self.ok('lists', 'create', list_name)
        for i in range(0, len(addresses), 200):
            self.ok('lists', 'add', list_name, *addresses[i:i + 200])

    def template(self, name='T', body='Hello {{email}}\n', sender='news@example.org'):
        path = os.path.join(self.dir, name + '.txt')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(body)
        self.ok('template', 'add', name, '--subject', 'Hello', '--text', path, '--from', sender,
                '--from-name', 'News')

    def server(self, name, *quotas, options=(), faults=None, connections=1, extra=(), env=None):
        server = TestServer(self.dir, name, *options, faults=faults)
        self.servers.append(server)
        args = ['server', 'add', name, '--host', '127.0.0.1', '--port', server.port,
                '--security', 'none', '--from', name.lower() + '@example.org',
                '--allow-sender-substitution', '--connections', connections] + list(extra)
        for quota in quotas:
            args += ['--quota', quota]
        if env is not None:
            saved = self.env
            self.env = dict(self.env, **env)
            try:
                self.ok(*args)
            finally:
                self.env = saved
        else:
            self.ok(*args)
        return server

    def sql(self, query, *params):
        con = sqlite3.connect(self.db, timeout=30)
        try:
            return con.execute(query, params).fetchall()
        finally:
            con.close()

    def deliveries(self, campaign):
        return self.sql('SELECT d.email, d.state, d.message_id, d.attempts, d.reply_code, d.reply_text'
                        ' FROM deliveries d JOIN campaigns c ON c.id = d.campaign_id'
                        ' WHERE c.name = ? ORDER BY d.id', campaign)


def all_messages(servers):
    result = []
    for server in servers:
        result += server.messages()
    return result


def eml_files(server):
    return sorted(glob.glob(os.path.join(server.record, '*.eml')))

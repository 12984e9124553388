#!/usr/bin/python3
# test-cli-server.py
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

"""Tests of mailshot-cli's "server" and "template" commands, against temporary
databases, the file secret store, and the scriptable SMTP test server on loopback
(tests/servers/ms-test-smtp-server.py) with certificates made for the run.

Usage: test-cli-server.py PATH-TO-mailshot-cli [unittest arguments]
"""

import email
import email.policy
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import unittest

CLI = None
HERE = os.path.dirname(os.path.abspath(__file__))
SMTP_SERVER = os.path.join(HERE, 'servers', 'ms-test-smtp-server.py')
MAKE_CERTS = os.path.join(HERE, 'servers', 'ms-make-test-certs.sh')
CERTS = None
PASSWORD = 'Pw-7f3k-Secret'     # searched for wherever it must not be

SERVER_KEYS = {'id', 'name', 'transport', 'host', 'port', 'security', 'login', 'from',
               'from_name', 'allow_sender_substitution', 'priority', 'enabled', 'connections',
               'pause_ms', 'max_size', 'max_recipients', 'quotas', 'folder', 'ca_file',
               'pinned_fingerprint', 'incoming', 'dkim', 'created_at', 'updated_at'}


class SmtpServer:
    """The scriptable test server; it exits when our end of its stdin closes."""

    def __init__(self, workdir, *args):
        self.dir = tempfile.mkdtemp(prefix='smtp-', dir=workdir)
        self.proc = subprocess.Popen(['/usr/bin/python3', SMTP_SERVER, '--record', self.dir,
                                      '--watch-stdin'] + list(args),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdin.close()
        self.proc.stdout.close()

    def file(self, name):
        path = os.path.join(self.dir, name)
        if not os.path.exists(path):
            return None
        with open(path, 'rb') as f:
            return f.read()

    def transcript(self):
        return (self.file('transcript.log') or b'').decode('utf-8', 'replace')


class CliTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='mailshot-cli-server-test-')
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, 'test.db')
        self.secrets = os.path.join(self.dir, 'secrets.keyfile')
        self.env = dict(os.environ)
        self.env.pop('MAILSHOT_DB', None)
        self.env['MAILSHOT_SECRETS'] = 'file'
        self.env['LC_ALL'] = 'C.UTF-8'
        self.env['LANGUAGE'] = ''
        self.env['HOME'] = self.dir
        self.env['XDG_DATA_HOME'] = os.path.join(self.dir, 'xdg-data')
        self.env['PW'] = PASSWORD
        self.servers = []

    def tearDown(self):
        for server in self.servers:
            server.stop()
        self.tmp.cleanup()

    def smtp_server(self, *args):
        server = SmtpServer(self.dir, *args)
        self.servers.append(server)
        return server

    def tls_server(self, *args, cert='good.pem'):
        return self.smtp_server('--security', 'tls', '--cert', os.path.join(CERTS, cert),
                                '--key', os.path.join(CERTS, 'server.key'), *args)

    # helpers

    def run_cli(self, *args, db=True, env=None, timeout=90):
        argv = [CLI] + (['--db', self.db] if db else []) + list(args)
        # The password must never be an argument.
        self.assertNotIn(PASSWORD, ' '.join(argv))
        proc = subprocess.run(argv, capture_output=True, env=env or self.env, timeout=timeout,
                              stdin=subprocess.DEVNULL)
        out = proc.stdout.decode('utf-8')
        err = proc.stderr.decode('utf-8')
        self.assertNotIn(PASSWORD, out)
        self.assertNotIn(PASSWORD, err)
        return proc.returncode, out, err

    def ok(self, *args, **kwargs):
        code, out, err = self.run_cli(*args, **kwargs)
        self.assertEqual(code, 0, f'{args} failed ({code}): {out} {err}')
        return out, err

    def json_ok(self, *args, **kwargs):
        out, err = self.ok('--json', *args, **kwargs)
        return json.loads(out), err

    def usage_error(self, *args, **kwargs):
        code, out, err = self.run_cli(*args, **kwargs)
        self.assertEqual(code, 2, f'{args}: expected a usage error, got {code}: {out} {err}')
        self.assertTrue(err.startswith('mailshot-cli: '), err)
        self.assertIn('--help', err)
        return err

    def error(self, *args, **kwargs):
        code, out, err = self.run_cli(*args, **kwargs)
        self.assertEqual(code, 1, f'{args}: expected an error, got {code}: {out} {err}')
        self.assertTrue(err.startswith('mailshot-cli: '), err)
        self.assertNotIn('--help', err)
        return out, err

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, 'wb' if isinstance(data, bytes) else 'w') as f:
            f.write(data)
        return path

    def db_bytes(self):
        data = b''
        for suffix in ('', '-wal', '-journal'):
            path = self.db + suffix
            if os.path.exists(path):
                with open(path, 'rb') as f:
                    data += f.read()
        return data

    def secrets_text(self):
        with open(self.secrets, encoding='utf-8') as f:
            return f.read()

    def add_loopback(self, name, server, *extra, sender='anna@example.org', security='tls',
                     password=True):
        args = ['server', 'add', name, '--host', '127.0.0.1', '--port', str(server.port),
                '--security', security, '--from', sender,
                '--ca-file', os.path.join(CERTS, 'ca.pem'), '--login', 'anna']
        if password:
            args += ['--password-env', 'PW']
        return self.json_ok(*args, *extra)[0]


class TestServerCommands(CliTestCase):
    def test_help(self):
        out, _ = self.ok('server', '--help', db=False)
        for word in ('add', 'list', 'show', 'test', 'set-password', 'remove', 'preset'):
            self.assertIn(word, out)
        out, _ = self.ok('server', 'add', '--help', db=False)
        for word in ('--password-env', '--quota', '--transport', '--dkim-key-file',
                     '--pinned-fingerprint', '--incoming', '--incoming-host'):
            self.assertIn(word, out)
        self.assertFalse(os.path.exists(self.db))

    def test_preset(self):
        data, _ = self.json_ok('server', 'preset', 'Anna@GMAIL.com')
        self.assertEqual(data['id'], 'gmail')
        self.assertEqual(data['smtp'], {'host': 'smtp.gmail.com', 'port': 465,
                                        'security': 'tls'})
        self.assertEqual(data['imap']['port'], 993)
        self.assertEqual(data['login'], 'Anna@gmail.com')
        self.assertIn('app-password', [q['id'] for q in data['quirks']])
        self.assertTrue(all(q['text'] for q in data['quirks']))
        self.assertGreaterEqual(len(data['quotas']), 2)

        for address, provider in (('x@inbox.ru', 'mailru'), ('x@ya.ru', 'yandex'),
                                  ('x@autorambler.ru', 'rambler'), ('x@web.de', 'webde'),
                                  ('x@t-online.de', 'tonline'), ('x@hotmail.de', 'outlook'),
                                  ('x@ymail.com', 'yahoo'), ('x@mac.com', 'icloud'),
                                  ('x@gmx.ch', 'gmx')):
            self.assertEqual(self.json_ok('server', 'preset', address)[0]['id'], provider)

        out, _ = self.ok('server', 'preset', 'ivan@yandex.ru')
        self.assertIn('smtp.yandex.ru:465', out)
        self.assertIn('conservative', out)
        self.assertIn('sender address must be the address you log in with', out)

        _, err = self.error('server', 'preset', 'a@example.org')
        self.assertIn('example.org', err)
        self.usage_error('server', 'preset', 'not an address')
        self.assertFalse(os.path.exists(self.secrets))

    def test_add_list_show_remove(self):
        data = self.json_ok('server', 'add', 'Main', '--host', 'smtp.example.org', '--port', '587',
                            '--security', 'starttls', '--login', 'anna@example.org',
                            '--password-env', 'PW', '--from', 'Anna@Example.ORG',
                            '--from-name', 'Анна Müller', '--allow-sender-substitution',
                            '--quota', '60/1h', '--quota', '500/1d', '--quota', '2/1s',
                            '--connections', '3', '--pause-ms', '250', '--max-size', '10485760',
                            '--max-recipients', '50', '--priority', '5',
                            '--pinned-fingerprint', 'AB' * 32,
                            '--incoming', 'pop3', '--incoming-host', 'pop.example.org',
                            '--incoming-delete')[0]
        server = data['server']
        self.assertEqual(set(server), SERVER_KEYS | {'password_stored'})
        self.assertEqual(server['from'], 'Anna@example.org')
        self.assertEqual(server['from_name'], 'Анна Müller')
        self.assertTrue(server['password_stored'])
        self.assertEqual([q['text'] for q in server['quotas']], ['2/1s', '60/1h', '500/1d'])
        self.assertEqual(server['pinned_fingerprint'], 'ab' * 32)
        self.assertEqual(server['incoming'], {'protocol': 'pop3', 'host': 'pop.example.org',
                                              'port': 995, 'security': 'tls',
                                              'login': 'anna@example.org', 'folder': None,
                                              'keep': False, 'move_to': None})
        self.assertIsNone(data['preset'])
        self.assertEqual(data['secrets']['store'], 'file')
        self.assertEqual(data['secrets']['file'], self.secrets)

        # The password: in the 0600 secrets file, never in the database.
        self.assertEqual(stat.S_IMODE(os.stat(self.secrets).st_mode), 0o600)
        self.assertIn(PASSWORD, self.secrets_text())
        self.assertNotIn(PASSWORD.encode(), self.db_bytes())
        self.assertIn(b'smtp.example.org', self.db_bytes())

        self.json_ok('server', 'add', 'Backup', '--host', 'mail.example.net', '--port', '465',
                     '--security', 'tls', '--from', 'b@example.net', '--priority', '1',
                     '--disabled')
        self.ok('server', 'add', 'Local', '--transport', 'sendmail', '--from', 'c@example.com',
                '--priority', '1')

        # --json before or after the command.
        listing = json.loads(self.ok('server', 'list', '--json')[0])
        self.assertEqual([s['name'] for s in listing], ['Backup', 'Local', 'Main'])
        self.assertEqual(listing, json.loads(self.ok('--json', 'server')[0]))
        self.assertNotIn('password_stored', listing[0])
        out, _ = self.ok('server', 'list')
        self.assertEqual(out.splitlines()[0],
                         'Backup\tsmtp\tmail.example.net:465\ttls\tb@example.net\t1\tdisabled')

        shown = self.json_ok('server', 'show', 'Main')[0]
        self.assertEqual(shown['server'], dict(server, updated_at=shown['server']['updated_at']))
        self.assertFalse(self.json_ok('server', 'show', 'Backup')[0]['server']['password_stored'])
        out, _ = self.ok('server', 'show', 'Main')
        self.assertIn('STARTTLS', out)
        self.assertIn('60 per hour', out)
        self.assertIn('stored', out)
        self.assertIn('AB:AB:AB', out)
        self.error('server', 'show', 'Nothing')

        # Removing takes the secrets only this profile used.
        data, _ = self.json_ok('server', 'remove', 'Main')
        self.assertEqual(data, {'removed': 'Main', 'secrets_cleared': 2})
        self.assertNotIn(PASSWORD, self.secrets_text())
        self.error('server', 'remove', 'Main')
        self.assertEqual([s['name'] for s in self.json_ok('server', 'list')[0]],
                         ['Backup', 'Local'])

    def test_add_from_preset(self):
        data = self.json_ok('server', 'add', 'Yandex', '--from', 'ivan@yandex.ru',
                            '--password-env', 'PW')[0]
        server = data['server']
        self.assertEqual(data['preset'], 'yandex')
        self.assertEqual((server['host'], server['port'], server['security'], server['login']),
                         ('smtp.yandex.ru', 465, 'tls', 'ivan@yandex.ru'))
        self.assertEqual([q['text'] for q in server['quotas']], ['50/1h', '300/1d'])
        self.assertEqual(server['incoming']['host'], 'imap.yandex.ru')
        self.assertTrue(server['password_stored'])
        # The mailbox of the same account gets the same password.
        self.assertEqual(self.secrets_text().count(PASSWORD), 2)

        out, _ = self.ok('server', 'add', 'Mail.ru', '--from', 'ivan@bk.ru', '--quota', '10/1h')
        self.assertIn('Mail.ru preset', out)
        self.assertIn('пароль для внешних приложений', out)
        self.assertIn('server set-password', out)
        server = self.json_ok('server', 'show', 'Mail.ru')[0]['server']
        self.assertEqual([q['text'] for q in server['quotas']], ['10/1h'])
        self.assertFalse(server['password_stored'])

        self.usage_error('server', 'set-password', 'Mail.ru')
        self.usage_error('server', 'set-password', 'Mail.ru', '--password-env', 'UNSET_VAR_X')
        self.error('server', 'set-password', 'Nothing', '--password-env', 'PW')
        data, _ = self.json_ok('server', 'set-password', 'Mail.ru', '--password-env', 'PW')
        self.assertEqual((data['server'], data['kind']), ('Mail.ru', 'smtp'))
        self.assertTrue(self.json_ok('server', 'show', 'Mail.ru')[0]['server']['password_stored'])
        self.ok('server', 'set-password', 'Mail.ru', '--password-env', 'PW', '--incoming')
        self.assertEqual(self.secrets_text().count(PASSWORD), 4)
        self.assertNotIn(PASSWORD.encode(), self.db_bytes())

        # Another host than the provider's: the preset does not apply.
        server = self.json_ok('server', 'add', 'Relay', '--from', 'ivan@gmail.com', '--host',
                              'relay.example.org', '--port', '587', '--security', 'starttls')[0]
        self.assertIsNone(server['preset'])
        self.assertEqual(server['server']['quotas'], [])
        self.assertIsNone(server['server']['login'])
        self.assertIsNone(server['server']['incoming'])

        server = self.json_ok('server', 'add', 'Plain', '--from', 'ivan@gmail.com',
                              '--no-preset', '--host', 'h.example.org', '--security', 'tls')[0]
        self.assertEqual(server['server']['port'], 465)

    def test_add_errors(self):
        self.usage_error('server', 'add', 'X', '--host', 'h.example.org')              # no --from
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org')              # no host
        self.usage_error('server', 'add', 'X', '--from', 'Anna <x@example.org>', '--host', 'h')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--security', 'plain')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--port', '70000')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--quota', '60/1y')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--login', 'x', '--password-env', 'NO_SUCH_VARIABLE_HERE')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--password-env', 'PW')                                       # no login
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--transport', 'folder')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--transport', 'pigeon')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--dkim-domain', 'example.org')
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h',
                         '--pinned-fingerprint', 'abcd')
        self.usage_error('server', 'add', '--from', 'x@example.org')                   # no NAME
        self.usage_error('server', 'add', 'X', '--from', 'x@example.org', '--password', 'x')
        self.assertFalse(os.path.exists(self.secrets))

        self.ok('server', 'add', 'X', '--from', 'x@example.org', '--host', 'h.example.org')
        self.error('server', 'add', 'X', '--from', 'y@example.org', '--host', 'h.example.org',
                   '--login', 'y', '--password-env', 'PW')
        # A refused profile leaves no password behind.
        self.assertFalse(os.path.exists(self.secrets) and PASSWORD in self.secrets_text())
        _, err = self.error('server', 'add', 'Y', '--from', 'y@example.org', '--host',
                            'h.example.org', '--ca-file', os.path.join(self.dir, 'missing.pem'))
        self.assertIn('missing.pem', err)

    def test_dkim_key(self):
        key = os.path.join(self.dir, 'dkim.pem')
        subprocess.run(['openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt',
                        'rsa_keygen_bits:2048', '-out', key], check=True, capture_output=True)
        with open(key) as f:
            pem = f.read()
        body = pem.splitlines()[1]
        data = self.json_ok('server', 'add', 'Signed', '--transport', 'folder', '--folder',
                            os.path.join(self.dir, 'out'), '--from', 'news@example.org',
                            '--dkim-domain', 'example.org', '--dkim-selector', 'mail2026',
                            '--dkim-key-file', key)[0]
        self.assertEqual(data['server']['dkim'], {'domain': 'example.org', 'selector': 'mail2026',
                                                  'key_ref': 'mail2026._domainkey.example.org'})
        self.assertIn(body, self.secrets_text())
        self.assertNotIn(body.encode(), self.db_bytes())

        # A rendered message through it is signed.
        self.write('c.csv', 'email,first_name\nivan@example.ru,Ivan\n')
        self.ok('contacts', 'import', os.path.join(self.dir, 'c.csv'))
        self.ok('template', 'add', 'T', '--subject', 'Hi {{first_name}}', '--text',
                self.write('t.txt', 'Hello {{first_name}}\n'))
        out, _ = self.ok('template', 'render', 'T', '--contact', 'ivan@example.ru',
                         '--server', 'Signed')
        self.assertIn('DKIM-Signature:', out)
        self.assertIn('d=example.org', out)
        self.assertIn('s=mail2026', out)

        bad = self.write('bad.pem', 'not a key\n')
        self.error('server', 'add', 'Bad', '--transport', 'sendmail', '--from', 'a@example.org',
                   '--dkim-domain', 'example.org', '--dkim-selector', 's', '--dkim-key-file', bad)

    def test_server_test_ok(self):
        smtp = self.tls_server('--auth', 'anna:' + PASSWORD, '--size', '2000000')
        self.add_loopback('Loop', smtp)
        data, _ = self.json_ok('server', 'test', 'Loop')
        self.assertTrue(data['success'])
        self.assertIsNone(data['failed_step'])
        self.assertEqual(data['max_size'], 2000000)
        self.assertEqual(data['auth_mechanisms'], ['PLAIN', 'LOGIN'])
        self.assertTrue(data['tls_version'].startswith('TLSv1.'))
        self.assertEqual(len(data['certificate_sha256']), 64)
        steps = {(s['step'], s['status']) for s in data['steps']}
        for step in ('connect', 'tls', 'greeting', 'capabilities', 'auth', 'sender'):
            self.assertIn((step, 'ok'), steps)
        self.assertTrue(any(line.startswith('C: AUTH PLAIN') for line in data['log']))
        self.assertNotIn('DATA', self.ok('server', 'test', 'Loop')[0])

        out, _ = self.ok('server', 'test', 'Loop', '--verbose')
        self.assertIn('✓', out)
        self.assertIn('C: EHLO', out)
        self.assertIn('“Loop” works', out)
        # Nothing was sent: the sender check ended with RSET.
        self.assertIn('RSET', smtp.transcript())
        self.assertIsNone(smtp.file('0001.eml'))

    def test_server_test_wrong_password(self):
        smtp = self.tls_server('--auth', 'anna:right-one')
        self.add_loopback('Loop', smtp)
        out, err = self.error('server', 'test', 'Loop')
        self.assertIn('refused the login or the password', err)
        self.assertIn('✓', out)                  # the steps before AUTH worked
        data = json.loads(self.error('--json', 'server', 'test', 'Loop')[0])
        self.assertFalse(data['success'])
        self.assertEqual(data['failed_step'], 'auth')
        self.assertEqual(data['explanation_id'], 'auth-failed')
        self.assertTrue(data['reply'].startswith('535'))
        # With the right password from the environment, it passes.
        env = dict(self.env, OTHER='right-one')
        self.ok('server', 'test', 'Loop', '--password-env', 'OTHER', env=env)

    def test_server_test_explains_provider_errors(self):
        gmail = self.tls_server('--auth', 'anna:x', '--fault', json.dumps(
            {'stage': 'auth', 'reply': ['535-5.7.8 Username and Password not accepted. For more '
                                        'information, go to',
                                        '535 5.7.8  https://support.google.com/mail/'
                                        '?p=BadCredentials'] }))
        self.add_loopback('Gmail', gmail, sender='anna@gmail.com')
        _, err = self.error('server', 'test', 'Gmail')
        self.assertIn('Gmail needs an app password', err)

        yandex = self.tls_server('--auth', 'anna:' + PASSWORD, '--fault', json.dumps(
            {'stage': 'rcpt', 'reply': '553 5.7.1 <ivan@yandex.ru>: Sender address rejected: '
                                       'not owned by auth user.'}))
        self.add_loopback('Yandex', yandex, sender='ivan@yandex.ru')
        data = json.loads(self.error('--json', 'server', 'test', 'Yandex')[0])
        self.assertEqual(data['failed_step'], 'sender')
        self.assertEqual(data['explanation_id'], 'from-must-be-login')

    def test_server_test_network_and_tls(self):
        # A port nothing listens on.
        sock = socket.socket()
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
        sock.close()
        self.ok('server', 'add', 'Closed', '--host', '127.0.0.1', '--port', str(port),
                '--security', 'tls', '--from', 'a@example.org')
        _, err = self.error('server', 'test', 'Closed', '--timeout', '5')
        for advice in ('587', '465', '2525'):
            self.assertIn(advice, err)

        # A self-signed certificate: refused, its fingerprint shown for pinning.
        smtp = self.tls_server(cert='selfsigned.pem')
        self.ok('server', 'add', 'Self', '--host', '127.0.0.1', '--port', str(smtp.port),
                '--security', 'tls', '--from', 'a@example.org')
        data = json.loads(self.error('--json', 'server', 'test', 'Self')[0])
        self.assertEqual(data['failed_step'], 'tls')
        fingerprint = data['certificate_sha256']
        _, err = self.error('server', 'test', 'Self')
        self.assertIn('--pinned-fingerprint', err)
        self.ok('server', 'add', 'Pinned', '--host', '127.0.0.1', '--port', str(smtp.port),
                '--security', 'tls', '--from', 'a@example.org', '--pinned-fingerprint',
                fingerprint)
        self.ok('server', 'test', 'Pinned')

        # STARTTLS chosen but not offered.
        plain = self.smtp_server('--auth', 'anna:x', '--auth-before-tls')
        self.ok('server', 'add', 'NoTLS', '--host', '127.0.0.1', '--port', str(plain.port),
                '--security', 'starttls', '--from', 'a@example.org', '--login', 'anna',
                '--password-env', 'PW')
        data = json.loads(self.error('--json', 'server', 'test', 'NoTLS')[0])
        self.assertEqual(data['explanation_id'], 'starttls-unavailable')
        self.assertNotIn('C: AUTH', plain.transcript())
        self.assertNotIn('C: MAIL', plain.transcript())

    def test_server_test_local_transports(self):
        out_dir = os.path.join(self.dir, 'dry', 'run')
        self.ok('server', 'add', 'Dry', '--transport', 'folder', '--folder', out_dir,
                '--from', 'a@example.org')
        self.ok('server', 'test', 'Dry')
        self.assertTrue(os.path.isdir(out_dir))
        self.ok('server', 'add', 'Local', '--transport', 'sendmail', '--from', 'a@example.org')
        env = dict(self.env, MAILSHOT_SENDMAIL=os.path.join(self.dir, 'no-sendmail'))
        _, err = self.error('server', 'test', 'Local', env=env)
        self.assertIn('no-sendmail', err)


class TestSecretService(CliTestCase):
    """The Secret Service store, with a GNOME Keyring of its own on a private bus."""

    @unittest.skipUnless(shutil.which('dbus-run-session') and
                         shutil.which('gnome-keyring-daemon'),
                         'dbus-run-session and gnome-keyring-daemon are needed')
    def test_secret_service(self):
        script = self.write('session.sh', f"""#!/bin/sh
set -e
export XDG_RUNTIME_DIR="{self.dir}/run" XDG_DATA_HOME="{self.dir}/data"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
printf keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
unset MAILSHOT_SECRETS
cli() {{ "{CLI}" --db "{self.db}" "$@"; }}
cli --json server add S --from a@example.org --host h.example.org --login a \\
    --password-env PW > "{self.dir}/added.json"
cli --json server show S > "{self.dir}/shown.json"
cli server remove S
cli --json server add S --from a@example.org --host h.example.org --login a \\
    > "{self.dir}/again.json"
""")
        env = dict(self.env)
        env.pop('DBUS_SESSION_BUS_ADDRESS', None)
        if 'ASAN_OPTIONS' in env:
            # Full stacks, so tests/lsan.supp can recognise GDBus's own exit-time leak.
            env['ASAN_OPTIONS'] += ':fast_unwind_on_malloc=0'
        proc = subprocess.run(['dbus-run-session', '--', '/bin/sh', script], env=env,
                              capture_output=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        with open(os.path.join(self.dir, 'added.json')) as f:
            added = json.load(f)
        self.assertEqual(added['secrets']['store'], 'secret-service')
        self.assertIsNone(added['secrets']['file'])
        with open(os.path.join(self.dir, 'shown.json')) as f:
            self.assertTrue(json.load(f)['server']['password_stored'])
        # Removing the profile removed its password from the keyring.
        with open(os.path.join(self.dir, 'again.json')) as f:
            self.assertFalse(json.load(f)['server']['password_stored'])
        self.assertFalse(os.path.exists(self.secrets))
        for top, _, files in os.walk(self.dir):
            for name in files:
                path = os.path.join(top, name)
                # the keyring's control socket is not a file to read
                if name == 'session.sh' or not stat.S_ISREG(os.lstat(path).st_mode):
                    continue
                with open(path, 'rb') as f:
                    self.assertNotIn(PASSWORD.encode(), f.read(), name)


class TestTemplateCommands(CliTestCase):
    def setUp(self):
        super().setUp()
        self.write('people.csv', 'email,first_name,last_name,company\n'
                                 'ivan@example.ru,Иван,Петров,ООО Ромашка\n'
                                 'jan@example.de,Jürgen,Müller,\n')
        self.ok('contacts', 'import', os.path.join(self.dir, 'people.csv'))
        self.body = self.write('body.md', '# Hello {{first_name}}\n\n'
                                          'Welcome to **{{company | "our club"}}**.\n')
        self.attachment = self.write('terms.pdf', b'%PDF-1.4 test\n')

    def parse(self, data):
        if isinstance(data, str):
            data = data.encode('utf-8')
        self.assertNotIn(b'\n', data.replace(b'\r\n', b''))      # CR LF only
        return email.message_from_bytes(data, policy=email.policy.default)

    def test_add_list_render(self):
        data, _ = self.json_ok('template', 'add', 'Welcome', '--subject',
                               'Привет, {{first_name}}!', '--markdown', self.body,
                               '--from', 'news@example.org', '--from-name', 'Anna Müller',
                               '--reply-to', 'help@example.org', '--attach', self.attachment,
                               '--attach', self.body)
        self.assertEqual(data['name'], 'Welcome')
        self.assertEqual(data['body_format'], 'markdown')
        self.assertEqual([a['filename'] for a in data['attachments']], ['terms.pdf', 'body.md'])
        self.assertEqual(data['from'], 'news@example.org')
        listing = self.json_ok('template', 'list')[0]
        self.assertEqual([t['name'] for t in listing], ['Welcome'])
        self.assertEqual(self.ok('template')[0], 'Welcome\tmarkdown\tПривет, {{first_name}}!\n')

        proc = subprocess.run([CLI, '--db', self.db, 'template', 'render', 'Welcome',
                               '--contact', 'IVAN@example.ru'], capture_output=True, env=self.env,
                              timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        msg = self.parse(proc.stdout)
        self.assertEqual(msg['Subject'], 'Привет, Иван!')
        self.assertEqual(msg['From'].addresses[0].display_name, 'Anna Müller')
        self.assertEqual(msg['From'].addresses[0].addr_spec, 'news@example.org')
        self.assertEqual(msg['To'].addresses[0].addr_spec, 'ivan@example.ru')
        self.assertEqual(msg['Reply-To'].addresses[0].addr_spec, 'help@example.org')
        self.assertTrue(msg['Message-ID'].endswith('@example.org>'))
        html = msg.get_body(('html',)).get_content()
        self.assertIn('<strong>ООО Ромашка</strong>', html)
        text = msg.get_body(('plain',)).get_content()
        self.assertIn('# Hello Иван', text)
        names = [part.get_filename() for part in msg.iter_attachments()]
        self.assertEqual(names, ['terms.pdf', 'body.md'])

        # A default fills the gap; JSON wraps the same message.
        data, _ = self.json_ok('template', 'render', 'Welcome', '--contact', 'jan@example.de')
        msg = self.parse(data['message'])
        self.assertIn('our club', msg.get_body(('html',)).get_content())
        self.assertEqual(data['size'], len(data['message'].encode('utf-8')))
        self.assertIsNone(data['server'])

    def test_add_errors(self):
        self.usage_error('template', 'add', 'T', '--markdown', self.body)            # no subject
        self.usage_error('template', 'add', 'T', '--subject', 'S')                   # no body
        self.usage_error('template', 'add', 'T', '--subject', 'S', '--markdown', self.body,
                         '--text', self.body)
        self.usage_error('template', 'add', 'T', '--subject', 'S', '--markdown', self.body,
                         '--text-alt', self.body)
        self.usage_error('template', 'add', 'T', '--subject', 'S', '--text', self.body,
                         '--from', 'not an address')
        self.error('template', 'add', 'T', '--subject', 'S', '--text',
                   os.path.join(self.dir, 'missing.txt'))
        self.error('template', 'add', 'T', '--subject', 'S', '--text',
                   self.write('latin1.txt', b'Gr\xfc\xdfe\n'))
        _, err = self.error('template', 'add', 'T', '--subject', 'Hi {{first_name',
                            '--text', self.body)
        self.assertIn('1', err)
        self.error('template', 'add', 'T', '--subject', 'S', '--text', self.body, '--attach',
                   os.path.join(self.dir, 'missing.pdf'))
        self.assertEqual(self.json_ok('template', 'list')[0], [])
        self.ok('template', 'add', 'T', '--subject', 'S', '--text', self.body)
        self.error('template', 'add', 'T', '--subject', 'S', '--text', self.body)
        self.ok('template', 'remove', 'T')
        self.error('template', 'remove', 'T')

    def test_render_errors(self):
        self.ok('template', 'add', 'Strict', '--subject', 'For {{company}}', '--text', self.body)
        self.usage_error('template', 'render', 'Strict')
        self.usage_error('template', 'render', 'Strict', '--contact', 'nonsense')
        self.error('template', 'render', 'Strict', '--contact', 'nobody@example.org')
        self.error('template', 'render', 'Nothing', '--contact', 'ivan@example.ru')
        # No server and no From in the template: nothing to put in From.
        _, err = self.error('template', 'render', 'Strict', '--contact', 'ivan@example.ru')
        self.assertIn('sender', err)
        self.ok('server', 'add', 'Relay', '--host', 'relay.example.org', '--from',
                'relay@example.org')
        out, _ = self.ok('template', 'render', 'Strict', '--contact', 'ivan@example.ru')
        self.assertEqual(self.parse(out)['From'].addresses[0].addr_spec, 'relay@example.org')
        # Jürgen has no company and the subject gives no default.
        _, err = self.error('template', 'render', 'Strict', '--contact', 'jan@example.de')
        self.assertIn('company', err)
        self.assertIn('jan@example.de', err)
        self.error('template', 'render', 'Strict', '--contact', 'ivan@example.ru', '--server',
                   'Nothing')

        # An unknown merge field is named.
        self.ok('template', 'add', 'Typo', '--subject', 'Hi {{frist_name}}', '--text', self.body)
        _, err = self.error('template', 'render', 'Typo', '--contact', 'ivan@example.ru')
        self.assertIn('frist_name', err)

    def test_send_test_smtp(self):
        smtp = self.tls_server('--auth', 'anna:' + PASSWORD)
        self.add_loopback('Loop', smtp, sender='anna@example.org')
        self.ok('template', 'add', 'Welcome', '--subject', 'Привет, {{first_name}}!',
                '--markdown', self.body, '--attach', self.attachment)
        data, _ = self.json_ok('template', 'send-test', 'Welcome', '--server', 'Loop', '--to',
                               'Me@Example.NET', '--contact', 'ivan@example.ru')
        self.assertTrue(data['sent'])
        self.assertEqual(data['to'], 'Me@example.net')
        self.assertTrue(data['response'].startswith('250'))
        envelope = smtp.file('0001.env').decode()
        self.assertIn('MAIL FROM:<anna@example.org>', envelope)
        self.assertIn('RCPT TO:<Me@example.net>', envelope)
        msg = self.parse(smtp.file('0001.eml'))
        self.assertEqual(msg['Subject'], 'Привет, Иван!')
        self.assertEqual(msg['Message-ID'], '<' + data['message_id'] + '>')
        self.assertEqual([p.get_filename() for p in msg.iter_attachments()], ['terms.pdf'])

        # Without --contact only the address is known: a field without default fails.
        self.ok('template', 'add', 'Plain', '--subject', 'Hello', '--text',
                self.write('plain.txt', 'Hi {{first_name | "there"}}\n'))
        out, _ = self.ok('template', 'send-test', 'Plain', '--server', 'Loop', '--to',
                         'me@example.net')
        self.assertIn('250', out)
        self.assertIn('Hi there', smtp.file('0002.eml').decode())
        self.error('template', 'send-test', 'Welcome', '--server', 'Loop', '--to',
                   'me@example.net')

        self.usage_error('template', 'send-test', 'Plain', '--server', 'Loop')
        self.usage_error('template', 'send-test', 'Plain', '--to', 'me@example.net')
        self.usage_error('template', 'send-test', 'Plain', '--server', 'Loop', '--to', 'x y')
        self.error('template', 'send-test', 'Plain', '--server', 'Nothing', '--to',
                   'me@example.net')

    def test_send_test_refused(self):
        smtp = self.tls_server('--auth', 'anna:another')
        self.add_loopback('Loop', smtp)
        self.ok('template', 'add', 'Plain', '--subject', 'Hello', '--text', self.body)
        _, err = self.error('template', 'send-test', 'Plain', '--server', 'Loop', '--to',
                            'me@example.net', '--contact', 'ivan@example.ru')
        self.assertIn('not sent', err)
        self.assertIn('refused the login or the password', err)
        self.assertIsNone(smtp.file('0001.eml'))

        # Too big for the server's announced limit: stopped before sending.
        big = self.tls_server('--auth', 'anna:' + PASSWORD)
        self.add_loopback('Small', big, '--max-size', '1000')
        self.ok('template', 'add', 'Big', '--subject', 'Big', '--text', self.body, '--attach',
                self.write('big.bin', os.urandom(5000)))
        self.error('template', 'send-test', 'Big', '--server', 'Small', '--to', 'me@example.net',
                   '--contact', 'ivan@example.ru')
        self.assertIsNone(big.file('0001.eml'))

    def test_send_test_folder(self):
        out_dir = os.path.join(self.dir, 'outbox')
        self.ok('server', 'add', 'Dry', '--transport', 'folder', '--folder', out_dir,
                '--from', 'dry@example.org')
        self.ok('template', 'add', 'Plain', '--subject', 'Hello {{first_name}}', '--text',
                self.body)
        data, _ = self.json_ok('template', 'send-test', 'Plain', '--server', 'Dry', '--to',
                               'me@example.net', '--contact', 'ivan@example.ru')
        path = data['response']
        self.assertEqual(os.path.dirname(path), out_dir)
        self.assertEqual(os.path.basename(path), data['message_id'] + '.eml')
        with open(path, 'rb') as f:
            msg = self.parse(f.read())
        self.assertEqual(msg['Subject'], 'Hello Иван')
        self.assertEqual(msg['From'].addresses[0].addr_spec, 'dry@example.org')


def main():
    global CLI, CERTS
    if len(sys.argv) < 2:
        sys.exit('usage: test-cli-server.py PATH-TO-mailshot-cli [unittest arguments]')
    CLI = os.path.abspath(sys.argv.pop(1))
    if not os.access(CLI, os.X_OK):
        sys.exit(f'{CLI} is not an executable')
    certs_parent = tempfile.mkdtemp(prefix='mailshot-certs-')
    CERTS = os.path.join(certs_parent, 'certs')
    try:
        subprocess.run(['/bin/sh', MAKE_CERTS, CERTS], check=True, capture_output=True)
        unittest.main(verbosity=2)
    finally:
        shutil.rmtree(certs_parent, ignore_errors=True)


if __name__ == '__main__':
    main()

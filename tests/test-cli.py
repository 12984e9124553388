#!/usr/bin/python3
# test-cli.py
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

"""Tests of mailshot-cli, run against temporary databases.

Usage: test-cli.py PATH-TO-mailshot-cli [unittest arguments]
"""

import csv
import datetime
import hashlib
import io
import json
import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

CLI = None

# The importer commits every BATCH_ROWS rows (src/core/ms-importer.c).
BATCH_ROWS = 5000

CONTACT_KEYS = {'id', 'email', 'name', 'first_name', 'last_name', 'status',
                'status_reason', 'status_time', 'fields'}
IMPORT_KEYS = {'imported', 'updated', 'skipped', 'rejected', 'encoding', 'delimiter',
               'list', 'rejections'}
LIST_KEYS = {'id', 'name', 'member_count'}


class CliTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix='mailshot-cli-test-')
        self.dir = self.tmp.name
        self.db = os.path.join(self.dir, 'test.db')
        self.env = dict(os.environ)
        self.env.pop('MAILSHOT_DB', None)
        self.env['LC_ALL'] = 'C.UTF-8'
        self.env['LANGUAGE'] = ''
        self.env['HOME'] = self.dir
        self.env['XDG_DATA_HOME'] = os.path.join(self.dir, 'xdg-data')

    def tearDown(self):
        self.tmp.cleanup()

    # helpers

    def run_cli(self, *args, db=True, env=None, stdin=None, timeout=60):
        argv = [CLI] + (['--db', self.db] if db else []) + list(args)
        proc = subprocess.run(argv, capture_output=True, env=env or self.env, timeout=timeout,
                              stdin=stdin if stdin is not None else subprocess.DEVNULL)
        return proc.returncode, proc.stdout.decode('utf-8'), proc.stderr.decode('utf-8')

    def ok(self, *args, **kwargs):
        code, out, err = self.run_cli(*args, **kwargs)
        self.assertEqual(code, 0, f'{args} failed ({code}): {err}')
        return out, err

    def json_ok(self, *args, **kwargs):
        out, err = self.ok('--json', *args, **kwargs)
        return json.loads(out), err

    def usage_error(self, *args, **kwargs):
        code, out, err = self.run_cli(*args, **kwargs)
        self.assertEqual(code, 2, f'{args}: expected a usage error, got {code}: {out} {err}')
        self.assertEqual(out, '')
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
        mode = 'wb' if isinstance(data, bytes) else 'w'
        with open(path, mode) as f:
            f.write(data)
        return path

    def contacts(self, *args):
        data, _ = self.json_ok('contacts', 'list', *args)
        return {c['email']: c for c in data}

    def import_json(self, path, *args):
        data, err = self.json_ok('contacts', 'import', path, *args)
        self.assertEqual(set(data), IMPORT_KEYS)
        return data, err


class TestCommandLine(CliTestCase):
    def test_help_at_every_level(self):
        for args, words in ((['--help'], ['contacts', 'lists', '--db', '--json']),
                            (['-h'], ['contacts']),
                            (['contacts', '--help'], ['import', 'export', 'list', 'show',
                                                      'set-status', 'delete']),
                            (['contacts', 'import', '-h'], ['--list', '--encoding',
                                                            '--delimiter', '--on-duplicate',
                                                            'update']),
                            (['contacts', 'export', '--help'], ['--list', '--status']),
                            (['contacts', 'list', '--help'], ['--search', '--limit']),
                            (['lists', '--help'], ['create', 'rename', 'delete', 'add',
                                                   'remove']),
                            (['lists', 'add', '--help'], ['NAME EMAIL'])):
            out, err = self.ok(*args, db=False)
            self.assertTrue(out.startswith('Usage:'), out)
            for word in words:
                self.assertIn(word, out, args)
        # help goes before missing arguments
        out, _ = self.ok('contacts', 'import', '--help', db=False)
        self.assertIn('import FILE', out)
        self.assertFalse(os.path.exists(self.db))

    def test_version(self):
        out, _ = self.ok('--version', db=False)
        self.assertRegex(out, r'^mailshot-cli \d+\.\d+\.\d+\n$')

    def test_usage_errors(self):
        err = self.usage_error(db=False)
        self.assertIn('No command', err)
        err = self.usage_error('frobnicate')
        self.assertIn('“frobnicate”', err)
        self.usage_error('contacts', 'frobnicate')
        self.usage_error('contacts')
        err = self.usage_error('--bogus', 'lists')
        self.assertIn('--bogus', err)
        self.usage_error('contacts', 'list', '--bogus')
        self.usage_error('contacts', 'list', '--reason', 'x')     # another command's option
        self.usage_error('contacts', 'list', '-x')
        self.usage_error('contacts', 'list', 'extra')
        err = self.usage_error('contacts', 'import')
        self.assertIn('Missing argument', err)
        self.usage_error('contacts', 'show')
        self.usage_error('contacts', 'set-status', 'a@example.com')
        self.usage_error('contacts', 'delete')
        self.usage_error('lists', 'create')
        self.usage_error('lists', 'rename', 'a')
        self.usage_error('lists', 'add', 'a')
        self.usage_error('lists', 'create', 'a', 'b')
        self.usage_error('contacts', 'list', '--list')               # option without its value
        self.usage_error('contacts', 'list', '--json=1')
        self.usage_error('--db', db=False)
        self.usage_error('lists', '--db=', db=False)
        self.usage_error('contacts', 'list', '--status', 'sleeping')
        self.usage_error('contacts', 'list', '--limit', 'ten')
        self.usage_error('contacts', 'list', '--limit=-1')
        self.usage_error('contacts', 'export', 'x.csv', '--status', 'gone')
        self.usage_error('contacts', 'set-status', 'a@example.com', 'sleeping')
        csv_path = self.write('a.csv', 'email\na@example.com\n')
        self.usage_error('contacts', 'import', csv_path, '--delimiter', 'x')
        self.usage_error('contacts', 'import', csv_path, '--on-duplicate', 'merge')
        self.usage_error('contacts', 'import', csv_path, '--encoding', 'NO-SUCH-CHARSET')
        # A usage error never creates a database.
        self.assertFalse(os.path.exists(self.db))

    def test_global_options_anywhere(self):
        self.ok('lists', 'create', 'Friends')
        expected = [{'id': 1, 'name': 'Friends', 'member_count': 0}]
        for argv in (['--db', self.db, '--json', 'lists'],
                     ['--json', 'lists', '--db', self.db],
                     ['lists', '--json', '--db=' + self.db],
                     ['lists', 'list', '--db', self.db, '--json'],
                     ['--db=' + self.db, 'lists', 'list', '--json']):
            proc = subprocess.run([CLI] + argv, capture_output=True, env=self.env)
            self.assertEqual(proc.returncode, 0, argv)
            self.assertEqual(json.loads(proc.stdout), expected, argv)
        # between and after the words of a nested command, with command options around them
        csv_path = self.write('a.csv', 'email\na@example.com\nb@example.com\n')
        proc = subprocess.run([CLI, 'contacts', '--json', 'import', '--db', self.db, csv_path,
                               '--list', 'Friends'], capture_output=True, env=self.env)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(json.loads(proc.stdout)['imported'], 2)
        proc = subprocess.run([CLI, 'contacts', 'list', '--limit', '1', '--json',
                               '--db', self.db], capture_output=True, env=self.env)
        self.assertEqual(len(json.loads(proc.stdout)), 1)
        # "--" ends the options
        out, _ = self.ok('lists', 'create', '--', '--json')
        self.assertIn('“--json”', out)

    def test_database_path(self):
        env_db = os.path.join(self.dir, 'env.db')
        env = dict(self.env, MAILSHOT_DB=env_db)
        self.ok('lists', 'create', 'FromEnv', db=False, env=env)
        self.assertTrue(os.path.exists(env_db))
        # --db wins over MAILSHOT_DB
        self.ok('lists', 'create', 'FromOption', env=env)
        out, _ = self.ok('lists', db=False, env=env)
        self.assertEqual(out, 'FromEnv\t0\n')
        out, _ = self.ok('lists', env=env)
        self.assertEqual(out, 'FromOption\t0\n')
        # neither: the default path in the user's data folder
        self.ok('lists', 'create', 'Default', db=False)
        default = os.path.join(self.env['XDG_DATA_HOME'], 'mailshot', 'mailshot.db')
        self.assertTrue(os.path.exists(default))

    def test_errors(self):
        out, err = self.error('contacts', 'import', os.path.join(self.dir, 'missing.csv'))
        self.assertIn('missing.csv', err)
        self.error('contacts', 'show', 'nobody@example.com')
        _, err = self.error('contacts', 'show', 'not-an-address')
        self.assertIn('not a valid address', err)
        self.error('contacts', 'list', '--list', 'No such list')
        self.error('lists', 'delete', 'No such list')
        self.error('lists', 'add', 'No such list', 'a@example.com')
        # In JSON mode errors stay text on stderr and stdout stays empty.
        code, out, err = self.run_cli('--json', 'contacts', 'show', 'nobody@example.com')
        self.assertEqual((code, out), (1, ''))
        self.assertIn('nobody@example.com', err)
        self.assertRaises(json.JSONDecodeError, json.loads, err)

    def test_newer_schema_is_refused_untouched(self):
        con = sqlite3.connect(self.db)
        con.execute('CREATE TABLE future (x)')
        con.execute('PRAGMA user_version = 9999')
        con.commit()
        con.close()
        with open(self.db, 'rb') as f:
            digest = hashlib.sha256(f.read()).hexdigest()
        for args in (['lists'], ['contacts', 'list'], ['--json', 'lists', 'create', 'x']):
            _, err = self.error(*args)
            self.assertIn('newer version of Mailshot', err)
            self.assertIn(self.db, err)
        with open(self.db, 'rb') as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(), digest)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute('PRAGMA user_version').fetchone()[0], 9999)
        con.close()

    def test_not_a_database(self):
        self.write('test.db', b'this is not SQLite' * 100)
        self.error('lists')

    def test_closed_pipe_is_quiet(self):
        rows = ''.join(f'user{i}@example.com,User {i}\n' for i in range(20000))
        self.ok('contacts', 'import', self.write('many.csv', 'email,name\n' + rows))
        for args in (['contacts', 'list'], ['--json', 'contacts', 'list'],
                     ['contacts', 'export', '-']):
            with subprocess.Popen([CLI, '--db', self.db] + args, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, env=self.env) as proc:
                first = proc.stdout.readline()
                self.assertTrue(first)
                proc.stdout.close()
                err = proc.stderr.read()
                self.assertEqual(proc.wait(timeout=30), 0, args)
            self.assertEqual(err, b'', args)


class TestImport(CliTestCase):
    def test_import_text_output_and_rejections(self):
        path = self.write('people.csv',
                          'email,name\n'
                          'anna@example.com,Anna\n'
                          'not an address,Bob\n'
                          'carl@example.com,Carl\n'
                          ',Nobody\n'
                          'dora@EXAMPLE.org,Dora\n')
        out, err = self.ok('contacts', 'import', path)
        lines = out.splitlines()
        self.assertEqual(lines[0], 'Imported 3, updated 0, skipped 0, rejected 2')
        self.assertEqual(lines[1], 'Encoding: UTF-8, delimiter: “,”')
        rejected = [l for l in err.splitlines() if l]
        self.assertEqual(len(rejected), 2, err)
        self.assertRegex(rejected[0], r'^line 3: .+')
        self.assertRegex(rejected[1], r'^line 5: .+')
        self.assertNotIn('\r', err)          # no progress line when stderr is not a terminal
        self.assertEqual(set(self.contacts()),
                         {'anna@example.com', 'carl@example.com', 'dora@example.org'})

    def test_import_json(self):
        path = self.write('people.csv',
                          'Email;First name;Last name;Company\n'
                          'anna@example.com;Anna;Berg;ACME\n'
                          'broken@;B;C;D\n')
        data, err = self.import_json(path, '--list', 'Customers')
        self.assertEqual(data, {'imported': 1, 'updated': 0, 'skipped': 0, 'rejected': 1,
                                'encoding': 'UTF-8', 'delimiter': ';', 'list': 'Customers',
                                'rejections': [data['rejections'][0]]})
        self.assertEqual(set(data['rejections'][0]), {'line', 'reason'})
        self.assertEqual(data['rejections'][0]['line'], 3)
        self.assertTrue(data['rejections'][0]['reason'])
        # the rejected rows are on stderr in JSON mode too
        self.assertRegex(err, r'(?m)^line 3: ')
        contact = self.contacts()['anna@example.com']
        self.assertEqual((contact['first_name'], contact['last_name'], contact['fields']),
                         ('Anna', 'Berg', {'Company': 'ACME'}))
        data, _ = self.json_ok('lists')
        self.assertEqual(data, [{'id': data[0]['id'], 'name': 'Customers', 'member_count': 1}])
        data, _ = self.import_json(path)
        self.assertIsNone(data['list'])

    def test_duplicates_skip_and_update(self):
        first = self.write('first.csv', 'email,name\na@example.com,A1\nb@example.com,B1\n'
                                        'c@example.com,C1\n')
        second = self.write('second.csv', 'email,name\na@example.com,A2\nb@example.com,B2\n'
                                          'd@example.com,D2\n')
        data, _ = self.import_json(first)
        self.assertEqual((data['imported'], data['updated'], data['skipped']), (3, 0, 0))

        data, _ = self.import_json(second, '--on-duplicate', 'skip')
        self.assertEqual((data['imported'], data['updated'], data['skipped'], data['rejected']),
                         (1, 0, 2, 0))
        names = {e: c['name'] for e, c in self.contacts().items()}
        self.assertEqual(names, {'a@example.com': 'A1', 'b@example.com': 'B1',
                                 'c@example.com': 'C1', 'd@example.com': 'D2'})

        data, _ = self.import_json(second, '--on-duplicate=update')
        self.assertEqual((data['imported'], data['updated'], data['skipped']), (0, 3, 0))
        names = {e: c['name'] for e, c in self.contacts().items()}
        self.assertEqual(names['a@example.com'], 'A2')
        self.assertEqual(names['b@example.com'], 'B2')

        # the default is update
        third = self.write('third.csv', 'email,name\nc@example.com,C3\n')
        out, _ = self.ok('contacts', 'import', third)
        self.assertTrue(out.startswith('Imported 0, updated 1, skipped 0, rejected 0\n'), out)
        self.assertEqual(self.contacts()['c@example.com']['name'], 'C3')

        # duplicates inside one file
        dup = self.write('dup.csv', 'email,name\ne@example.com,E1\nE@Example.COM,E2\n')
        data, _ = self.import_json(dup, '--on-duplicate', 'skip')
        self.assertEqual((data['imported'], data['skipped']), (1, 1))
        self.assertEqual(self.contacts()['e@example.com']['name'], 'E1')

    def test_delimiters(self):
        rows = [['email', 'name', 'city'], ['a@example.com', 'Anna', 'Oslo'],
                ['b@example.com', 'Ben', 'Rome']]
        for option, char, reported in ((',', ',', ','), (';', ';', ';'), ('tab', '\t', '\t'),
                                       ('\\t', '\t', '\t'), ('\t', '\t', '\t'),
                                       ('|', '|', '|'), ('auto', '\t', '\t')):
            with self.subTest(delimiter=option):
                path = self.write('d.csv', ''.join(char.join(r) + '\n' for r in rows))
                data, _ = self.import_json(path, '--delimiter', option)
                self.assertEqual(data['delimiter'], reported)
                self.assertEqual(data['rejected'], 0)
                self.assertEqual(self.contacts()['a@example.com']['fields'], {'city': 'Oslo'})
        out, _ = self.ok('contacts', 'import', path, '--delimiter', 'tab')
        self.assertIn('delimiter: tab', out)

    def test_german_windows_1252(self):
        text = ('E-Mail;Vorname;Nachname;Straße\r\n'
                'jürgen.müller@example.de;Jürgen;Müller;Königstraße 5\r\n'
                '"renée@example.fr";"Renée";"D’Arc";"Rue de l’Église; 3"\r\n')
        path = self.write('de.csv', text.encode('cp1252'))
        data, err = self.import_json(path, '--list', 'Kunden')
        self.assertEqual((data['imported'], data['rejected']), (2, 0), err)
        self.assertEqual(data['encoding'].upper().replace('_', '-'), 'WINDOWS-1252')
        self.assertEqual(data['delimiter'], ';')
        contacts = self.contacts('--list', 'Kunden')
        juergen = contacts['jürgen.müller@example.de']
        self.assertEqual((juergen['first_name'], juergen['last_name']), ('Jürgen', 'Müller'))
        self.assertEqual(juergen['fields'], {'Straße': 'Königstraße 5'})
        renee = contacts['renée@example.fr']
        self.assertEqual(renee['last_name'], 'D’Arc')
        self.assertEqual(renee['fields'], {'Straße': 'Rue de l’Église; 3'})
        out, _ = self.ok('contacts', 'show', 'jürgen.müller@example.de')
        self.assertIn('Königstraße 5', out)
        self.assertIn('Müller', out)

    def test_russian_windows_1251(self):
        text = ('email,Имя,Фамилия,Город\r\n'
                'ivan@пример.рф,Иван,Петров,Москва\r\n'
                'olga@example.ru,Ольга,Смирнова,Санкт-Петербург\r\n')
        path = self.write('ru.csv', text.encode('cp1251'))
        for encoding in ('auto', 'WINDOWS-1251'):
            with self.subTest(encoding=encoding):
                data, err = self.import_json(path, '--encoding', encoding)
                self.assertEqual(data['rejected'], 0, err)
                self.assertEqual(data['encoding'].upper(), 'WINDOWS-1251')
                contacts = self.contacts()
                ivan = contacts['ivan@пример.рф']
                self.assertEqual((ivan['first_name'], ivan['last_name']), ('Иван', 'Петров'))
                self.assertEqual(ivan['fields'], {'Город': 'Москва'})
                self.assertEqual(contacts['olga@example.ru']['fields'],
                                 {'Город': 'Санкт-Петербург'})

    def test_progress_only_on_a_terminal(self):
        rows = ''.join(f'p{i}@example.com\n' for i in range(3000))
        path = self.write('p.csv', 'email\n' + rows)
        master, slave = pty.openpty()
        try:
            proc = subprocess.Popen([CLI, '--db', self.db, 'contacts', 'import', path],
                                    stdout=subprocess.PIPE, stderr=slave, env=self.env)
            self.addCleanup(proc.stdout.close)
            os.close(slave)
            slave = None
            seen = b''
            while True:
                ready, _, _ = select.select([master], [], [], 30)
                if not ready:
                    break
                try:
                    chunk = os.read(master, 4096)
                except OSError:
                    break
                if not chunk:
                    break
                seen += chunk
            out = proc.stdout.read().decode()
            self.assertEqual(proc.wait(timeout=30), 0)
        finally:
            os.close(master)
            if slave is not None:
                os.close(slave)
        text = seen.decode('utf-8', 'replace')
        self.assertIn('\r', text)
        self.assertRegex(text, r'\d+ %')
        self.assertIn('p.csv', text)
        self.assertTrue(out.startswith('Imported 3000,'), out)

    def test_sigint_keeps_whole_batches(self):
        n_rows = 300000
        path = os.path.join(self.dir, 'big.csv')
        with open(path, 'w') as f:
            f.write('email,first_name,last_name,city\n')
            f.writelines(f'user{i}@example{i % 97}.com,First{i},Last{i},City{i % 500}\n'
                         for i in range(n_rows))
        self.ok('lists')       # create the database before the clock starts
        proc = subprocess.Popen([CLI, '--db', self.db, 'contacts', 'import', path],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env)
        # Wait until the first batch is committed, then interrupt.
        con = sqlite3.connect(self.db, timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and proc.poll() is None:
            if con.execute('SELECT count(*) FROM contacts').fetchone()[0] > 0:
                break
            time.sleep(0.01)
        con.close()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=30)
        err = err.decode()
        self.assertEqual(proc.returncode, 130, err)
        self.assertEqual(out, b'')

        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute('PRAGMA integrity_check').fetchone()[0], 'ok')
        count = con.execute('SELECT count(*) FROM contacts').fetchone()[0]
        con.close()
        self.assertGreater(count, 0)
        self.assertLess(count, n_rows, 'the import ended before the signal')
        self.assertEqual(count % BATCH_ROWS, 0, count)
        self.assertIn(f' {count} ', err)
        self.assertIn('interrupted', err)
        # what the committed batches did, as the importer counted it
        self.assertIn(f'Imported {count}, updated 0, skipped 0, rejected 0', err)
        # the database opens fine and the import can be finished
        data, _ = self.json_ok('contacts', 'import', path, '--on-duplicate', 'skip')
        self.assertEqual((data['imported'], data['skipped']), (n_rows - count, count))


class TestContacts(CliTestCase):
    def setUp(self):
        super().setUp()
        self.ok('contacts', 'import', self.write('people.csv',
                'email,name,first_name,last_name,company\n'
                'anna@example.com,Anna Berg,Anna,Berg,ACME\n'
                'ben@example.org,"Ben ""the\tBuilder""",Ben,,\n'
                'cleo@example.net,Cleo,,,Initech\n'), '--list', 'All')

    def test_list_text_and_filters(self):
        out, _ = self.ok('contacts', 'list')
        self.assertEqual(out, 'anna@example.com\tAnna Berg\tactive\n'
                              'ben@example.org\tBen "the Builder"\tactive\n'
                              'cleo@example.net\tCleo\tactive\n')
        self.ok('contacts', 'set-status', 'ben@example.org', 'bounced')
        self.ok('lists', 'create', 'Few')
        self.ok('lists', 'add', 'Few', 'cleo@example.net')
        self.assertEqual(list(self.contacts('--status', 'bounced')), ['ben@example.org'])
        self.assertEqual(list(self.contacts('--status', 'active', '--list', 'All')),
                         ['anna@example.com', 'cleo@example.net'])
        self.assertEqual(list(self.contacts('--list', 'Few')), ['cleo@example.net'])
        self.assertEqual(list(self.contacts('--search', 'BERG')), ['anna@example.com'])
        self.assertEqual(list(self.contacts('--search', 'example.org')), ['ben@example.org'])
        self.assertEqual(len(self.contacts('--limit', '2')), 2)
        self.assertEqual(self.contacts('--limit', '0'), {})
        out, _ = self.ok('contacts', 'list', '--limit=1')
        self.assertEqual(out.count('\n'), 1)

    def test_list_json(self):
        out, _ = self.ok('--json', 'contacts', 'list')
        data = json.loads(out)
        self.assertEqual(len(data), 3)
        for contact in data:
            self.assertEqual(set(contact), CONTACT_KEYS)
        anna = data[0]
        self.assertIsInstance(anna['id'], int)
        self.assertEqual(anna['email'], 'anna@example.com')
        self.assertEqual(anna['name'], 'Anna Berg')
        self.assertEqual(anna['status'], 'active')
        self.assertIsNone(anna['status_time'])
        self.assertEqual(anna['fields'], {'company': 'ACME'})
        self.assertEqual(data[1]['name'], 'Ben "the\tBuilder"')
        # an empty result is an empty array
        out, _ = self.ok('--json', 'contacts', 'list', '--search', 'nobody')
        self.assertEqual(json.loads(out), [])

    def test_show(self):
        out, _ = self.ok('contacts', 'show', 'anna@Example.COM')
        self.assertIn('anna@example.com', out)
        self.assertIn('Anna Berg', out)
        self.assertIn('ACME', out)
        data, _ = self.json_ok('contacts', 'show', '<anna@EXAMPLE.com>')
        self.assertEqual(set(data), CONTACT_KEYS)
        self.assertEqual(data['fields'], {'company': 'ACME'})

    def test_set_status(self):
        before = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        data, _ = self.json_ok('contacts', 'set-status', 'anna@example.com', 'unsubscribed',
                               '--reason', 'asked by mail')
        self.assertEqual(set(data), CONTACT_KEYS)
        self.assertEqual((data['status'], data['status_reason']),
                         ('unsubscribed', 'asked by mail'))
        when = datetime.datetime.fromisoformat(data['status_time'].replace('Z', '+00:00'))
        self.assertIsNotNone(when.tzinfo)
        self.assertGreaterEqual(when, before - datetime.timedelta(seconds=2))
        out, _ = self.ok('contacts', 'show', 'anna@example.com')
        self.assertIn('asked by mail', out)
        self.assertIn('Unsubscribed', out)
        for status in ('complained', 'bounced', 'active'):
            out, _ = self.ok('contacts', 'set-status', 'anna@example.com', status)
            self.assertIn('anna@example.com', out)
            self.assertEqual(self.contacts()['anna@example.com']['status'], status)
        self.error('contacts', 'set-status', 'zed@example.com', 'active')

    def test_delete(self):
        # an unknown address deletes nothing
        self.error('contacts', 'delete', 'anna@example.com', 'zed@example.com')
        self.assertEqual(len(self.contacts()), 3)
        out, _ = self.ok('contacts', 'delete', 'anna@example.com', 'ben@EXAMPLE.org',
                         'anna@example.com')
        self.assertEqual(out, 'Deleted 2 contacts.\n')
        self.assertEqual(list(self.contacts()), ['cleo@example.net'])
        data, _ = self.json_ok('contacts', 'delete', 'cleo@example.net')
        self.assertEqual(data, {'deleted': 1})
        data, _ = self.json_ok('lists')
        self.assertEqual(data[0]['member_count'], 0)

    def test_export_and_round_trip(self):
        self.ok('contacts', 'set-status', 'cleo@example.net', 'complained', '--reason', 'spam')
        target = os.path.join(self.dir, 'out.csv')
        out, _ = self.ok('contacts', 'export', target)
        self.assertEqual(out, f'Exported 3 contacts to “{target}”.\n')
        with open(target, newline='', encoding='utf-8') as f:
            rows = list(csv.DictReader(f))
        self.assertEqual([r['email'] for r in rows],
                         ['anna@example.com', 'ben@example.org', 'cleo@example.net'])
        self.assertEqual(rows[2]['status'], 'complained')
        self.assertEqual(rows[2]['status_reason'], 'spam')
        self.assertEqual(rows[1]['name'], 'Ben "the\tBuilder"')

        data, _ = self.json_ok('contacts', 'export', target, '--status', 'complained')
        self.assertEqual(data, {'exported': 1, 'file': target})

        # round trip into a fresh database
        original = self.contacts()
        self.ok('contacts', 'export', target)
        self.db = os.path.join(self.dir, 'copy.db')
        data, _ = self.import_json(target)
        self.assertEqual((data['imported'], data['rejected']), (3, 0))
        copy = self.contacts()
        self.assertEqual(set(copy), set(original))
        for email, contact in original.items():
            for key in ('name', 'first_name', 'last_name', 'fields'):
                self.assertEqual(copy[email][key], contact[key], (email, key))

    def test_export_to_stdout_and_filters(self):
        code, out, err = self.run_cli('contacts', 'export', '-', '--list', 'All')
        self.assertEqual(code, 0, err)
        rows = list(csv.DictReader(io.StringIO(out, newline='')))
        self.assertEqual(len(rows), 3)
        self.assertEqual(err, 'Exported 3 contacts.\n')
        self.ok('contacts', 'set-status', 'anna@example.com', 'bounced')
        code, out, err = self.run_cli('--json', 'contacts', 'export', '-', '--status', 'bounced')
        self.assertEqual(code, 0, err)
        rows = list(csv.DictReader(io.StringIO(out, newline='')))
        self.assertEqual([r['email'] for r in rows], ['anna@example.com'])
        self.error('contacts', 'export', os.path.join(self.dir, 'no', 'such', 'dir.csv'))


class TestLists(CliTestCase):
    def test_lists_commands(self):
        out, _ = self.ok('lists')
        self.assertEqual(out, '')
        data, _ = self.json_ok('lists')
        self.assertEqual(data, [])

        data, _ = self.json_ok('lists', 'create', 'Newsletter')
        self.assertEqual(set(data), LIST_KEYS)
        self.assertEqual((data['name'], data['member_count']), ('Newsletter', 0))
        out, _ = self.ok('lists', 'create', 'Zeta')
        self.assertIn('“Zeta”', out)
        _, err = self.error('lists', 'create', 'Zeta')
        self.assertIn('already exists', err)
        self.error('lists', 'create', '   ')

        out, _ = self.ok('lists', 'add', 'Newsletter', 'a@example.com', 'B@EXAMPLE.COM',
                         'mailto:c@Example.com')
        self.assertIn('3', out)
        contacts = self.contacts('--list', 'Newsletter')
        # the domain is lowercased, the local part kept as given
        self.assertEqual(set(contacts), {'a@example.com', 'B@example.com', 'c@example.com'})
        data, _ = self.json_ok('lists', 'add', 'Newsletter', 'a@example.com', 'd@example.com')
        self.assertEqual(data, {'list': 'Newsletter', 'added': 1, 'created_contacts': 1,
                                'member_count': 4})
        _, err = self.error('lists', 'add', 'Newsletter', 'e@example.com', 'not valid')
        self.assertIn('not valid', err)
        self.assertNotIn('e@example.com', self.contacts())

        data, _ = self.json_ok('lists', 'remove', 'Newsletter', 'a@example.com',
                               'd@EXAMPLE.com')
        self.assertEqual(data, {'list': 'Newsletter', 'removed': 2, 'member_count': 2})
        self.error('lists', 'remove', 'Newsletter', 'nobody@example.com')
        self.assertIn('a@example.com', self.contacts())          # the contact stays

        out, _ = self.ok('lists', 'list')
        self.assertEqual(out, 'Newsletter\t2\nZeta\t0\n')

        data, _ = self.json_ok('lists', 'rename', 'Newsletter', 'Monthly')
        self.assertEqual((data['name'], data['member_count']), ('Monthly', 2))
        self.error('lists', 'rename', 'Monthly', 'Zeta')
        self.error('lists', 'rename', 'Nothing', 'Other')

        data, _ = self.json_ok('lists', 'delete', 'Monthly')
        self.assertEqual(set(data), LIST_KEYS)
        out, _ = self.ok('lists', 'delete', 'Zeta')
        self.assertIn('Zeta', out)
        data, _ = self.json_ok('lists')
        self.assertEqual(data, [])
        self.assertEqual(len(self.contacts()), 4)                 # contacts are kept


def main():
    global CLI
    if len(sys.argv) < 2:
        sys.exit('usage: test-cli.py PATH-TO-mailshot-cli [unittest arguments]')
    CLI = os.path.abspath(sys.argv.pop(1))
    if not os.access(CLI, os.X_OK):
        sys.exit(f'{CLI} is not an executable')
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()

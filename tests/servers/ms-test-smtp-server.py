#!/usr/bin/python3
# ms-test-smtp-server.py
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

"""A scriptable SMTP server for Mailshot's tests (standard library only).

It listens on 127.0.0.1, on a port the kernel chooses, and prints that port as the
first line of its standard output; nothing else is ever printed there.  Each
connection is served by its own thread until the test kills the process.

Options:
  --security none|starttls|tls   plain, STARTTLS offered, or TLS from the first byte
  --cert PEM --key PEM           the server certificate (starttls and tls)
  --auth USER:PASSWORD           offer AUTH PLAIN LOGIN and accept these credentials
  --auth-mechanisms "PLAIN LOGIN"
  --auth-before-tls              offer AUTH before STARTTLS too
  --require-auth                 MAIL before AUTH gets 530 5.7.0
  --no-pipelining --no-8bitmime --no-smtputf8 --no-enhanced --no-starttls --no-ehlo
  --size N                       announce SIZE N and refuse larger messages
  --hostname NAME                the name in the greeting
  --record DIR                   record into DIR (see below)
  --fault JSON                   a fault rule (repeatable)
  --faults FILE                  a JSON array of fault rules
  --watch-stdin                  exit when standard input closes (the test that started
                                 the server died)

A fault rule is an object:
  "stage"       greeting ehlo helo starttls auth mail rcpt data body data-end rset noop quit
  "message"     only for the Nth MAIL command the server received (1-based, all connections)
  "recipient"   only for RCPT TO this address
  "connection"  only on the Nth connection (1-based)
  "times"       apply at most this many times
  "delay"       seconds to wait before answering (the normal answer unless "reply" is given)
  "reply"       a reply sent instead of the normal one: a string, or a list of lines
  "disconnect"  true: close the connection instead of answering ("body": after the first
                line of the message)
  "close"       true: close the connection after sending "reply"
  "inject"      (starttls) a line sent in the same packet right after the 220 reply

Recording, in DIR:
  transcript.log  every line, "N C: EHLO x" / "N S: 250 ok" (N the connection); a command
                  read while another complete command already waited is written "N C+: ...";
                  "N !: ..." marks events (TLS started, handshake failed, closed)
  NNNN.eml        each accepted message exactly as received, dots unstuffed (1-based)
  NNNN.env        its envelope: the MAIL FROM line, then one RCPT TO line per recipient
  messages.jsonl  one JSON object per accepted message: n, conn, time, from, rcpt, size, params
"""

import argparse
import base64
import json
import os
import re
import socket
import ssl
import sys
import threading
import time

MAX_LINE = 65536


class Closed(Exception):
    pass


class Rule:
    def __init__(self, spec):
        self.stage = spec['stage']
        self.message = spec.get('message')
        self.recipient = spec.get('recipient')
        self.connection = spec.get('connection')
        self.times = spec.get('times')
        self.delay = float(spec.get('delay', 0))
        reply = spec.get('reply')
        if isinstance(reply, list):
            reply = '\r\n'.join(reply)
        self.reply = reply
        self.disconnect = bool(spec.get('disconnect', False))
        self.close = bool(spec.get('close', False))
        self.inject = spec.get('inject')

    def matches(self, stage, conn, message, recipient):
        if stage != self.stage:
            return False
        if self.connection is not None and self.connection != conn:
            return False
        if self.message is not None and self.message != message:
            return False
        if self.recipient is not None and (recipient or '').lower() != self.recipient.lower():
            return False
        return self.times is None or self.times > 0


class Server:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.connections = 0
        self.mail_commands = 0
        self.accepted = 0
        self.rules = []
        for text in args.fault or []:
            self.rules.append(Rule(json.loads(text)))
        if args.faults:
            with open(args.faults, encoding='utf-8') as f:
                for spec in json.load(f):
                    self.rules.append(Rule(spec))
        self.context = None
        if args.security in ('starttls', 'tls'):
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(args.cert, args.key)
        self.record = args.record
        if self.record:
            os.makedirs(self.record, exist_ok=True)
            self.transcript = open(os.path.join(self.record, 'transcript.log'), 'a', encoding='utf-8')
        else:
            self.transcript = None
        self.auth_user, self.auth_password = None, None
        if args.auth:
            self.auth_user, _, self.auth_password = args.auth.partition(':')

    def fault(self, stage, conn, message=None, recipient=None):
        with self.lock:
            for rule in self.rules:
                if rule.matches(stage, conn, message, recipient):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule
        return None

    def log(self, conn, kind, text):
        if self.transcript is None:
            return
        with self.lock:
            self.transcript.write('%d %s: %s\n' % (conn, kind, text))
            self.transcript.flush()

    def next_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections

    def next_mail(self):
        with self.lock:
            self.mail_commands += 1
            return self.mail_commands

    def store(self, conn, mail_line, mail_from, params, rcpts, data):
        with self.lock:
            self.accepted += 1
            n = self.accepted
            if self.record:
                base = os.path.join(self.record, '%04d' % n)
                with open(base + '.eml', 'wb') as f:
                    f.write(data)
                with open(base + '.env', 'w', encoding='utf-8') as f:
                    f.write(mail_line + '\n')
                    for r in rcpts:
                        f.write('RCPT TO:<%s>\n' % r)
                with open(os.path.join(self.record, 'messages.jsonl'), 'a', encoding='utf-8') as f:
                    f.write(json.dumps({'n': n, 'conn': conn, 'time': time.time(),
                                        'from': mail_from, 'rcpt': rcpts, 'size': len(data),
                                        'params': params}, ensure_ascii=False) + '\n')
        return n


class Session:
    def __init__(self, server, sock, conn):
        self.server = server
        self.sock = sock
        self.conn = conn
        self.buffer = b''
        self.tls = False
        self.authed = False
        self.reset()

    def reset(self):
        self.mail_from = None
        self.mail_line = None
        self.mail_params = ''
        self.mail_number = None
        self.rcpts = []
        self.smtputf8 = False
        self.body8 = False

    # I/O

    def read_line(self):
        while b'\n' not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise Closed('line too long')
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed('client closed')
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b'\n')
        return line + b'\n'

    def read_command(self):
        line = self.read_line()
        text = line.rstrip(b'\r\n').decode('utf-8', 'replace')
        waiting = b'\n' in self.buffer
        self.server.log(self.conn, 'C+' if waiting else 'C', text)
        return text

    def send(self, text):
        for line in text.split('\r\n'):
            self.server.log(self.conn, 'S', line)
        self.sock.sendall(text.encode('utf-8') + b'\r\n')

    def code(self, enhanced):
        return '' if self.server.args.no_enhanced else enhanced + ' '

    def reply(self, code, enhanced, text):
        self.send('%d %s%s' % (code, self.code(enhanced), text))

    def apply(self, stage, normal, message=None, recipient=None):
        """Runs a fault rule for @stage if one matches; returns True when the rule
        answered instead of @normal."""
        rule = self.server.fault(stage, self.conn, message, recipient)
        if rule is None:
            return False
        if rule.delay:
            time.sleep(rule.delay)
        if rule.disconnect:
            self.server.log(self.conn, '!', 'fault: disconnect at ' + stage)
            raise Closed('fault')
        if rule.reply is not None:
            self.send(rule.reply)
            if rule.close:
                raise Closed('fault')
            return True
        return False

    # Commands

    def ehlo_lines(self, name):
        args = self.server.args
        lines = ['%s greets %s' % (args.hostname, name)]
        if not args.no_pipelining:
            lines.append('PIPELINING')
        if args.size:
            lines.append('SIZE %d' % args.size)
        if not args.no_8bitmime:
            lines.append('8BITMIME')
        if not args.no_smtputf8:
            lines.append('SMTPUTF8')
        if not args.no_enhanced:
            lines.append('ENHANCEDSTATUSCODES')
        if self.starttls_offered():
            lines.append('STARTTLS')
        if self.auth_offered():
            lines.append('AUTH ' + args.auth_mechanisms)
        lines.append('HELP')
        return lines

    def starttls_offered(self):
        args = self.server.args
        return args.security == 'starttls' and not self.tls and not args.no_starttls

    def auth_offered(self):
        args = self.server.args
        if not args.auth:
            return False
        return self.tls or args.security == 'none' or args.auth_before_tls

    def do_ehlo(self, arg):
        if self.apply('ehlo', None):
            return
        if self.server.args.no_ehlo:
            self.send('502 5.5.2 EHLO not supported')
            return
        self.reset()
        lines = self.ehlo_lines(arg)
        out = ['250-' + l for l in lines[:-1]] + ['250 ' + lines[-1]]
        self.send('\r\n'.join(out))

    def do_helo(self, arg):
        if self.apply('helo', None):
            return
        self.reset()
        self.send('250 %s' % self.server.args.hostname)

    def do_starttls(self):
        rule = self.server.fault('starttls', self.conn)
        if rule is not None and rule.inject is None:
            if rule.delay:
                time.sleep(rule.delay)
            if rule.disconnect:
                raise Closed('fault')
            if rule.reply is not None:
                self.send(rule.reply)
                return
        if not self.starttls_offered():
            self.reply(502, '5.5.1', 'STARTTLS not available')
            return
        ready = '220 %sReady to start TLS' % self.code('2.0.0')
        if rule is not None and rule.inject is not None:
            self.server.log(self.conn, 'S', ready)
            self.server.log(self.conn, 'S', rule.inject)
            self.server.log(self.conn, '!', 'injected after STARTTLS')
            self.sock.sendall(ready.encode() + b'\r\n' + rule.inject.encode() + b'\r\n')
        else:
            self.send(ready)
        self.buffer = b''
        self.start_tls()
        self.reset()
        self.authed = False

    def start_tls(self):
        try:
            self.sock = self.server.context.wrap_socket(self.sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            self.server.log(self.conn, '!', 'TLS handshake failed: %s' % e)
            raise Closed('handshake')
        self.tls = True
        self.server.log(self.conn, '!', 'TLS started: %s' % self.sock.version())

    def read_auth_line(self):
        line = self.read_line().rstrip(b'\r\n').decode('ascii', 'replace')
        self.server.log(self.conn, 'C', line)
        if line == '*':
            raise ValueError('cancelled')
        return line

    def do_auth(self, arg):
        if self.apply('auth', None):
            return
        if not self.auth_offered():
            self.reply(503, '5.5.1', 'AUTH not available')
            return
        parts = arg.split()
        mech = parts[0].upper() if parts else ''
        mechs = self.server.args.auth_mechanisms.upper().split()
        try:
            if mech == 'PLAIN' and mech in mechs:
                if len(parts) > 1:
                    response = parts[1]
                else:
                    self.send('334 ')
                    response = self.read_auth_line()
                fields = base64.b64decode(response, validate=True).split(b'\0')
                if len(fields) != 3:
                    raise ValueError('bad PLAIN response')
                user, password = fields[1].decode('utf-8'), fields[2].decode('utf-8')
            elif mech == 'LOGIN' and mech in mechs:
                self.send('334 VXNlcm5hbWU6')
                user = base64.b64decode(self.read_auth_line(), validate=True).decode('utf-8')
                self.send('334 UGFzc3dvcmQ6')
                password = base64.b64decode(self.read_auth_line(), validate=True).decode('utf-8')
            else:
                self.reply(504, '5.5.4', 'Unrecognized authentication type')
                return
        except ValueError as e:
            self.reply(501, '5.5.2', 'Cannot decode response (%s)' % e)
            return
        if user == self.server.auth_user and password == self.server.auth_password:
            self.authed = True
            self.reply(235, '2.7.0', 'Authentication successful')
        else:
            self.reply(535, '5.7.8', 'Authentication credentials invalid')

    def do_mail(self, line):
        number = self.server.next_mail()
        if self.apply('mail', None, message=number):
            return
        m = re.match(r'(?i)^MAIL FROM:\s*<([^<>]*)>(.*)$', line)
        if not m:
            self.reply(501, '5.5.4', 'Syntax: MAIL FROM:<address>')
            return
        if self.mail_from is not None:
            self.reply(503, '5.5.1', 'Error: nested MAIL command')
            return
        if self.server.args.require_auth and not self.authed:
            self.reply(530, '5.7.0', 'Authentication required')
            return
        address, params = m.group(1), m.group(2).strip()
        smtputf8, body8 = False, False
        for param in params.split():
            key, _, value = param.partition('=')
            key = key.upper()
            if key == 'SIZE':
                if not value.isdigit():
                    self.reply(501, '5.5.4', 'Bad SIZE parameter')
                    return
                if self.server.args.size and int(value) > self.server.args.size:
                    self.reply(552, '5.3.4', 'Message size exceeds fixed limit')
                    return
            elif key == 'BODY' and value.upper() == '8BITMIME' and not self.server.args.no_8bitmime:
                body8 = True
            elif key == 'SMTPUTF8' and not self.server.args.no_smtputf8:
                smtputf8 = True
            elif key == 'BODY' and value.upper() == '7BIT':
                pass
            else:
                self.reply(555, '5.5.4', 'Unsupported option: %s' % param)
                return
        if not address.isascii() and not smtputf8:
            self.reply(553, '5.6.7', 'Must declare SMTPUTF8 to send a non-ASCII address')
            return
        self.mail_from, self.mail_line, self.mail_params = address, line, params
        self.mail_number, self.smtputf8, self.body8 = number, smtputf8, body8
        self.reply(250, '2.1.0', 'Ok')

    def do_rcpt(self, line):
        m = re.match(r'(?i)^RCPT TO:\s*<([^<>]*)>(.*)$', line)
        address = m.group(1) if m else None
        if self.apply('rcpt', None, message=self.mail_number, recipient=address):
            return
        if self.mail_from is None:
            self.reply(503, '5.5.1', 'Error: need MAIL command')
            return
        if not m:
            self.reply(501, '5.5.4', 'Syntax: RCPT TO:<address>')
            return
        if not address.isascii() and not self.smtputf8:
            self.reply(553, '5.6.7', 'Must declare SMTPUTF8 to send a non-ASCII address')
            return
        self.rcpts.append(address)
        self.reply(250, '2.1.5', 'Ok')

    def do_data(self):
        if self.apply('data', None, message=self.mail_number):
            return
        if self.mail_from is None:
            self.reply(503, '5.5.1', 'Error: need MAIL command')
            return
        if not self.rcpts:
            self.reply(554, '5.5.1', 'Error: no valid recipients')
            return
        self.send('354 End data with <CR><LF>.<CR><LF>')
        data = self.read_body()
        if data is None:
            return
        if self.apply('data-end', None, message=self.mail_number):
            self.reset()
            return
        if self.server.args.size and len(data) > self.server.args.size:
            self.reply(552, '5.3.4', 'Message size exceeds fixed limit')
            self.reset()
            return
        if any(b > 127 for b in data) and not self.body8:
            self.server.log(self.conn, '!', '8-bit data without BODY=8BITMIME')
        n = self.server.store(self.conn, self.mail_line, self.mail_from, self.mail_params,
                              self.rcpts, data)
        self.reply(250, '2.0.0', 'Ok: queued as %d' % n)
        self.reset()

    def read_body(self):
        chunks = []
        first = True
        while True:
            line = self.read_line()
            if first:
                first = False
                rule = self.server.fault('body', self.conn, self.mail_number)
                if rule is not None and rule.disconnect:
                    self.server.log(self.conn, '!', 'fault: disconnect during the message')
                    raise Closed('fault')
            if line == b'.\r\n' or line == b'.\n':
                break
            if line.startswith(b'.'):
                line = line[1:]
            chunks.append(line)
        data = b''.join(chunks)
        self.server.log(self.conn, 'C', '[%d bytes of message]' % len(data))
        return data

    def serve(self):
        if self.server.args.security == 'tls':
            self.start_tls()
        if not self.apply('greeting', None):
            self.send('220 %s ESMTP Mailshot test server' % self.server.args.hostname)
        while True:
            line = self.read_command()
            verb, _, arg = line.partition(' ')
            verb = verb.upper()
            if verb == 'EHLO':
                self.do_ehlo(arg)
            elif verb == 'HELO':
                self.do_helo(arg)
            elif verb == 'STARTTLS':
                self.do_starttls()
            elif verb == 'AUTH':
                self.do_auth(arg)
            elif verb == 'MAIL':
                self.do_mail(line)
            elif verb == 'RCPT':
                self.do_rcpt(line)
            elif verb == 'DATA':
                self.do_data()
            elif verb == 'RSET':
                if not self.apply('rset', None):
                    self.reset()
                    self.reply(250, '2.0.0', 'Ok')
            elif verb == 'NOOP':
                if not self.apply('noop', None):
                    self.reply(250, '2.0.0', 'Ok')
            elif verb == 'QUIT':
                if not self.apply('quit', None):
                    self.reply(221, '2.0.0', 'Bye')
                return
            else:
                self.reply(502, '5.5.2', 'Error: command not recognized')


def handle(server, sock):
    conn = server.next_connection()
    server.log(conn, '!', 'connected')
    session = Session(server, sock, conn)
    try:
        session.serve()
        server.log(conn, '!', 'closed (quit)')
    except Closed as e:
        server.log(conn, '!', 'closed (%s)' % e)
    except (OSError, ssl.SSLError, UnicodeError) as e:
        server.log(conn, '!', 'closed (%s)' % e)
    finally:
        try:
            session.sock.close()
        except OSError:
            pass


def watch_stdin():
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--listen', default='127.0.0.1')
    parser.add_argument('--security', choices=('none', 'starttls', 'tls'), default='none')
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--auth')
    parser.add_argument('--auth-mechanisms', default='PLAIN LOGIN')
    parser.add_argument('--auth-before-tls', action='store_true')
    parser.add_argument('--require-auth', action='store_true')
    parser.add_argument('--no-pipelining', action='store_true')
    parser.add_argument('--no-8bitmime', action='store_true')
    parser.add_argument('--no-smtputf8', action='store_true')
    parser.add_argument('--no-enhanced', action='store_true')
    parser.add_argument('--no-starttls', action='store_true')
    parser.add_argument('--no-ehlo', action='store_true')
    parser.add_argument('--size', type=int, default=0)
    parser.add_argument('--hostname', default='test.mailshot.invalid')
    parser.add_argument('--record')
    parser.add_argument('--fault', action='append')
    parser.add_argument('--faults')
    parser.add_argument('--watch-stdin', action='store_true')
    args = parser.parse_args()

    if args.security != 'none' and not (args.cert and args.key):
        parser.error('--cert and --key are needed for --security ' + args.security)

    if args.watch_stdin:
        threading.Thread(target=watch_stdin, daemon=True).start()

    server = Server(args)
    family = socket.AF_INET6 if ':' in args.listen else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((args.listen, 0))
    listener.listen(64)
    sys.stdout.write('%d\n' % listener.getsockname()[1])
    sys.stdout.flush()

    while True:
        sock, _ = listener.accept()
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handle, args=(server, sock), daemon=True).start()


if __name__ == '__main__':
    try:
        main()
    except KeyboardInterrupt:
        pass

#!/usr/bin/python3
# ms-test-mail-server.py
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

"""A small, scriptable IMAP or POP3 server for Mailshot's tests (standard library only).

It serves one mailbox of the messages given with --message, listens on 127.0.0.1 on a
port the kernel chooses and prints that port as the first line of its standard output.
Each connection gets its own thread.  Faults (--fault NAME, repeatable) make it
misbehave the way hostile or broken servers do:

IMAP:
  inject-after-starttls  a plaintext line in the same packet as the STARTTLS OK
  untagged-before-tls    X-BEFORE-TLS in the plaintext capabilities and an untagged
                         [CAPABILITY ... X-INJECTED] around the STARTTLS reply
  no-starttls            STARTTLS is not offered
  preauth                the greeting is PREAUTH
  huge-literal           FETCH answers with a literal of 999999999 bytes
  disconnect-mid-fetch   FETCH announces 5000 bytes, sends 100 and closes
  stall-mid-fetch        FETCH announces 5000 bytes, sends 100 and waits
  bye-on-fetch           FETCH gets "* BYE" and the connection closes
  garbage                SELECT gets a line of garbage
  overlong-line          SELECT gets 3 MB without a line end
  wrong-tag              SELECT is answered with another tag
  deep-nesting           FETCH gets 100000 nested parentheses
  many-literals          FETCH gets a response of 5000 tiny literals
POP3:
  inject-after-stls      a plaintext line in the same packet as the STLS +OK
  capa-before-tls        X-BEFORE-TLS in the plaintext CAPA
  no-stls                STLS is not offered
  huge-message           RETR streams 40 MB of lines
  disconnect-mid-retr    RETR sends a few lines and closes
  garbage                UIDL gets a line of garbage
  overlong-line          UIDL gets 3 MB without a line end
  no-uidl                UIDL is refused

Options:
  --protocol imap|pop3   --security none|starttls|tls   --cert PEM --key PEM
  --user NAME --password PW   --message FILE (repeatable)   --record DIR
  --watch-stdin          exit when standard input closes

In --record DIR, transcript.log gets every line ("N C: ..." / "N S: ..." / "N !: ...")
and actions.log one line per change a client asked for: "store UID FLAGS",
"copy UID FOLDER", "move UID FOLDER", "append FOLDER SIZE", "dele UID".
"""

import argparse
import base64
import os
import re
import socket
import ssl
import sys
import threading

MAX_LINE = 1 << 20


class Closed(Exception):
    pass


class Server:
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.connections = 0
        self.messages = []
        for path in args.message or []:
            with open(path, 'rb') as f:
                data = f.read()
            data = re.sub(rb'\r?\n', b'\r\n', data)
            self.messages.append(data)
        self.context = None
        if args.security in ('starttls', 'tls'):
            self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self.context.load_cert_chain(args.cert, args.key)
        self.transcript = None
        self.actions = None
        if args.record:
            os.makedirs(args.record, exist_ok=True)
            self.transcript = open(os.path.join(args.record, 'transcript.log'), 'a',
                                   encoding='utf-8')
            self.actions = open(os.path.join(args.record, 'actions.log'), 'a', encoding='utf-8')

    def fault(self, name):
        return name in (self.args.fault or [])

    def log(self, conn, kind, text):
        if self.transcript is None:
            return
        with self.lock:
            self.transcript.write('%d %s: %s\n' % (conn, kind, text))
            self.transcript.flush()

    def action(self, text):
        if self.actions is None:
            return
        with self.lock:
            self.actions.write(text + '\n')
            self.actions.flush()

    def next_connection(self):
        with self.lock:
            self.connections += 1
            return self.connections


class Session:
    def __init__(self, server, sock, conn):
        self.server = server
        self.sock = sock
        self.conn = conn
        self.buffer = b''
        self.tls = False

    def read_line(self):
        while b'\n' not in self.buffer:
            if len(self.buffer) > MAX_LINE:
                raise Closed('line too long')
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed('client closed')
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b'\n')
        text = line.rstrip(b'\r').decode('utf-8', 'replace')
        self.server.log(self.conn, 'C', text)
        return text

    def read_bytes(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Closed('client closed')
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def send(self, text):
        for line in text.split('\r\n'):
            self.server.log(self.conn, 'S', line)
        self.sock.sendall(text.encode('utf-8') + b'\r\n')

    def send_raw(self, data, note):
        self.server.log(self.conn, '!', note)
        self.sock.sendall(data)

    def start_tls(self):
        self.buffer = b''
        self.sock = self.server.context.wrap_socket(self.sock, server_side=True)
        self.tls = True
        self.server.log(self.conn, '!', 'TLS started')

    def fault(self, name):
        return self.server.fault(name)


class ImapSession(Session):
    def capabilities(self):
        caps = ['IMAP4rev1', 'SASL-IR', 'AUTH=PLAIN', 'MOVE', 'UIDPLUS']
        if self.server.args.security == 'starttls' and not self.tls \
                and not self.fault('no-starttls'):
            caps.append('STARTTLS')
        if self.fault('untagged-before-tls') and not self.tls:
            caps.append('X-BEFORE-TLS')
        return ' '.join(caps)

    def run(self):
        if self.fault('preauth'):
            self.send('* PREAUTH [CAPABILITY %s] Test server logged you in' % self.capabilities())
        else:
            self.send('* OK [CAPABILITY %s] Test server ready' % self.capabilities())
        self.selected = False
        self.authed = self.fault('preauth')
        while True:
            line = self.read_line()
            tag, _, rest = line.partition(' ')
            command, _, args = rest.partition(' ')
            command = command.upper()
            if command == 'UID':
                sub, _, args = args.partition(' ')
                command = 'UID ' + sub.upper()
            handler = getattr(self, 'do_' + command.replace(' ', '_').lower(), None)
            if handler is None:
                self.send('%s BAD Unknown command' % tag)
                continue
            if handler(tag, args) == 'logout':
                return

    def do_capability(self, tag, args):
        self.send('* CAPABILITY %s' % self.capabilities())
        self.send('%s OK Capability completed' % tag)

    def do_noop(self, tag, args):
        self.send('%s OK NOOP completed' % tag)

    def do_logout(self, tag, args):
        self.send('* BYE Logging out')
        self.send('%s OK Logout completed' % tag)
        return 'logout'

    def do_starttls(self, tag, args):
        if 'STARTTLS' not in self.capabilities().split():
            self.send('%s BAD STARTTLS not available' % tag)
            return
        if self.fault('untagged-before-tls'):
            self.send('* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN X-INJECTED] Believe me')
        ready = '%s OK Begin TLS negotiation now' % tag
        if self.fault('inject-after-starttls'):
            self.send_raw(ready.encode() + b'\r\n* OK [CAPABILITY IMAP4rev1 X-INJECTED]\r\n',
                          'injected after STARTTLS')
        else:
            self.send(ready)
        self.start_tls()

    def check_password(self, user, password):
        return user == self.server.args.user and password == self.server.args.password

    def do_login(self, tag, args):
        m = re.match(r'"((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)"$', args)
        if m is None:
            self.send('%s BAD Malformed LOGIN' % tag)
            return
        unquote = lambda s: re.sub(r'\\(.)', r'\1', s)
        self.finish_login(tag, unquote(m.group(1)), unquote(m.group(2)))

    def do_authenticate(self, tag, args):
        mech, _, initial = args.partition(' ')
        if mech.upper() != 'PLAIN':
            self.send('%s NO Unsupported mechanism' % tag)
            return
        if not initial:
            self.send('+ ')
            initial = self.read_line()
        try:
            _, user, password = base64.b64decode(initial).decode('utf-8').split('\0')
        except ValueError:
            self.send('%s BAD Malformed response' % tag)
            return
        self.finish_login(tag, user, password)

    def finish_login(self, tag, user, password):
        if not self.check_password(user, password):
            self.send('%s NO [AUTHENTICATIONFAILED] Authentication failed.' % tag)
            return
        self.authed = True
        self.send('%s OK Logged in' % tag)

    def do_select(self, tag, args):
        if self.fault('garbage'):
            self.send_raw(b'\x01\x02)))((( garbage \xff\xfe\r\n', 'garbage')
            return
        if self.fault('overlong-line'):
            self.send_raw(b'* ' + b'x' * (3 << 20), 'overlong line')
            return
        if self.fault('wrong-tag'):
            self.send('ZZZ9 OK Select completed')
            return
        self.selected = True
        self.send('* %d EXISTS' % len(self.server.messages))
        self.send('* OK [UIDVALIDITY 42] UIDs valid')
        self.send('* OK [UIDNEXT %d] Predicted next UID' % (len(self.server.messages) + 1))
        self.send('%s OK [READ-WRITE] Select completed' % tag)

    def do_uid_search(self, tag, args):
        uids = list(range(1, len(self.server.messages) + 1))
        m = re.match(r'UID (\d+):\*$', args, re.I)
        if m:
            low = int(m.group(1))
            found = [u for u in uids if u >= low] or uids[-1:]
        else:
            found = uids
        self.send('* SEARCH' + ''.join(' %d' % u for u in found))
        self.send('%s OK Search completed' % tag)

    def do_uid_fetch(self, tag, args):
        m = re.match(r'(\d+) \(UID BODY\.PEEK\[\](?:<0\.(\d+)>)?\)$', args)
        if m is None:
            self.send('%s BAD Unsupported FETCH' % tag)
            return
        uid = int(m.group(1))
        if self.fault('huge-literal'):
            self.send_raw(b'* 1 FETCH (UID %d BODY[]<0> {999999999}\r\n' % uid, 'huge literal')
            self.read_line()
            return
        if self.fault('disconnect-mid-fetch'):
            self.send_raw(b'* 1 FETCH (UID %d BODY[]<0> {5000}\r\n' % uid + b'x' * 100,
                          'disconnect mid-fetch')
            raise Closed('fault')
        if self.fault('stall-mid-fetch'):
            self.send_raw(b'* 1 FETCH (UID %d BODY[]<0> {5000}\r\n' % uid + b'x' * 100,
                          'stall mid-fetch')
            self.read_line()
            return
        if self.fault('bye-on-fetch'):
            self.send('* BYE Server shutting down')
            raise Closed('fault')
        if self.fault('deep-nesting'):
            self.send_raw(b'* 1 FETCH ' + b'(' * 100000 + b'\r\n', 'deep nesting')
            self.read_line()
            return
        if self.fault('many-literals'):
            self.send_raw(b'* 1 FETCH (UID 1' + b' X {1}\r\nx' * 5000 + b')\r\n', 'many literals')
            self.read_line()
            return
        if uid < 1 or uid > len(self.server.messages):
            self.send('%s OK Fetch completed' % tag)
            return
        data = self.server.messages[uid - 1]
        if m.group(2):
            data = data[:int(m.group(2))]
        self.server.log(self.conn, 'S', '* %d FETCH (UID %d BODY[]<0> {%d}' % (uid, uid, len(data)))
        self.sock.sendall(b'* %d FETCH (UID %d BODY[]<0> {%d}\r\n' % (uid, uid, len(data))
                          + data + b')\r\n')
        self.send('%s OK Fetch completed' % tag)

    def do_uid_store(self, tag, args):
        m = re.match(r'(\d+) \+FLAGS\.SILENT \((.*)\)$', args)
        if m is None:
            self.send('%s BAD Unsupported STORE' % tag)
            return
        self.server.action('store %s %s' % (m.group(1), m.group(2)))
        self.send('%s OK Store completed' % tag)

    def copy_or_move(self, tag, args, what):
        uid, _, folder = args.partition(' ')
        self.server.action('%s %s %s' % (what, uid, folder.strip('"')))
        self.send('%s OK %s completed' % (tag, what.capitalize()))

    def do_uid_copy(self, tag, args):
        self.copy_or_move(tag, args, 'copy')

    def do_uid_move(self, tag, args):
        self.copy_or_move(tag, args, 'move')

    def do_append(self, tag, args):
        m = re.search(r'\{(\d+)\}$', args)
        if m is None:
            self.send('%s BAD Literal expected' % tag)
            return
        self.send('+ Ready for literal data')
        data = self.read_bytes(int(m.group(1)))
        self.read_line()
        folder = args.split(' ')[0].strip('"')
        self.server.action('append %s %d' % (folder, len(data)))
        self.send('%s OK [APPENDUID 42 %d] Append completed' % (tag, len(self.server.messages) + 1))


class Pop3Session(Session):
    def capa(self):
        caps = ['USER', 'UIDL', 'TOP']
        if self.server.args.security == 'starttls' and not self.tls and not self.fault('no-stls'):
            caps.append('STLS')
        if self.fault('capa-before-tls') and not self.tls:
            caps.append('X-BEFORE-TLS')
        return caps

    def run(self):
        self.send('+OK Test POP3 server ready')
        self.user = None
        self.authed = False
        while True:
            line = self.read_line()
            command, _, args = line.partition(' ')
            handler = getattr(self, 'do_' + command.lower(), None)
            if handler is None:
                self.send('-ERR Unknown command')
                continue
            if handler(args) == 'quit':
                return

    def do_capa(self, args):
        self.send('+OK Capability list follows')
        for cap in self.capa():
            self.send(cap)
        self.send('.')

    def do_stls(self, args):
        if 'STLS' not in self.capa():
            self.send('-ERR STLS not available')
            return
        if self.fault('inject-after-stls'):
            self.send_raw(b'+OK Begin TLS\r\n+OK injected\r\n', 'injected after STLS')
        else:
            self.send('+OK Begin TLS')
        self.start_tls()

    def do_user(self, args):
        self.user = args
        self.send('+OK')

    def do_pass(self, args):
        if self.user == self.server.args.user and args == self.server.args.password:
            self.authed = True
            self.send('+OK Logged in')
        else:
            self.send('-ERR [AUTH] Authentication failed.')

    def do_noop(self, args):
        self.send('+OK')

    def do_uidl(self, args):
        if self.fault('no-uidl'):
            self.send('-ERR UIDL not supported')
            return
        if self.fault('garbage'):
            self.send_raw(b'+OK\r\n\x01\x02 garbage here\r\n.\r\n', 'garbage')
            return
        if self.fault('overlong-line'):
            self.send_raw(b'+OK\r\n1 ' + b'x' * (3 << 20), 'overlong line')
            return
        self.send('+OK')
        for i in range(len(self.server.messages)):
            self.send('%d uid-%04d' % (i + 1, i + 1))
        self.send('.')

    def do_list(self, args):
        self.send('+OK')
        for i, data in enumerate(self.server.messages):
            self.send('%d %d' % (i + 1, len(data)))
        self.send('.')

    def send_message(self, data):
        out = []
        for line in data.split(b'\r\n'):
            out.append(b'.' + line if line.startswith(b'.') else line)
        if out and out[-1] == b'':
            out.pop()
        self.sock.sendall(b'\r\n'.join(out) + b'\r\n.\r\n')

    def do_retr(self, args):
        n = int(args)
        if self.fault('huge-message'):
            self.send('+OK')
            chunk = (b'y' * 998 + b'\r\n') * 1000
            try:
                for _ in range(40):
                    self.sock.sendall(chunk)
                self.sock.sendall(b'.\r\n')
            except OSError:
                raise Closed('client left')
            return
        if self.fault('disconnect-mid-retr'):
            self.send_raw(b'+OK\r\nFrom: a@example.org\r\nSubject: cut\r\n', 'disconnect mid-retr')
            raise Closed('fault')
        if n < 1 or n > len(self.server.messages):
            self.send('-ERR No such message')
            return
        self.send('+OK %d octets' % len(self.server.messages[n - 1]))
        self.send_message(self.server.messages[n - 1])

    def do_top(self, args):
        n, _, lines = args.partition(' ')
        data = self.server.messages[int(n) - 1]
        head, _, body = data.partition(b'\r\n\r\n')
        self.send('+OK')
        self.send_message(head + b'\r\n\r\n' + b'\r\n'.join(body.split(b'\r\n')[:int(lines)]))

    def do_dele(self, args):
        self.server.action('dele uid-%04d' % int(args))
        self.send('+OK Marked')

    def do_quit(self, args):
        self.server.action('quit')
        self.send('+OK Bye')
        return 'quit'


def serve(server, sock):
    conn = server.next_connection()
    server.log(conn, '!', 'connected')
    session_class = ImapSession if server.args.protocol == 'imap' else Pop3Session
    session = session_class(server, sock, conn)
    try:
        if server.args.security == 'tls':
            session.start_tls()
        session.run()
    except (Closed, OSError, ssl.SSLError, ValueError, IndexError) as e:
        server.log(conn, '!', 'closed: %s' % e)
    finally:
        try:
            session.sock.close()
        except OSError:
            pass
        server.log(conn, '!', 'closed')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--protocol', choices=['imap', 'pop3'], required=True)
    parser.add_argument('--security', choices=['none', 'starttls', 'tls'], default='none')
    parser.add_argument('--cert')
    parser.add_argument('--key')
    parser.add_argument('--user', default='test')
    parser.add_argument('--password', default='secret')
    parser.add_argument('--message', action='append')
    parser.add_argument('--fault', action='append')
    parser.add_argument('--record')
    parser.add_argument('--watch-stdin', action='store_true')
    args = parser.parse_args()

    server = Server(args)
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(('127.0.0.1', 0))
    listener.listen(16)
    print(listener.getsockname()[1], flush=True)

    if args.watch_stdin:
        def watch():
            sys.stdin.buffer.read()
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()

    while True:
        sock, _ = listener.accept()
        threading.Thread(target=serve, args=(server, sock), daemon=True).start()


if __name__ == '__main__':
    main()

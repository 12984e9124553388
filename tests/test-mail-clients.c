/* test-mail-clients.c
 *
 * Copyright 2026 The Mailshot authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <https://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "test-mail-clients"

#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/resource.h>

#include <gio/gio.h>

#include "ms-connection.h"
#include "ms-imap-client.h"
#include "ms-pop3-client.h"

#include "ms-test-utils.h"

/* The IMAP and POP3 clients against a scriptable server on loopback
 * (tests/servers/ms-test-mail-server.py): the normal conversation over plain
 * text, STARTTLS and TLS, and hostile servers — plaintext injected after the
 * STARTTLS reply, capabilities offered before TLS, huge literals, garbage,
 * disconnects in the middle of a message, over-long lines.  Each must end in a
 * clear error, quickly, with bounded memory. */

#define SHORT_TIMEOUT_MS 10000
/* A hostile server may not make the client take more than this. */
#define MAX_RSS_GROWTH_KB (64 * 1024)

static char *work_dir;
static char *certs_dir;
static char *message_path;
static guint server_counter;

/* Starts the server: @protocol "imap" or "pop3", @security "none", "starttls" or
 * "tls", then NULL-terminated extra arguments (faults). */
static MsTestServer *
test_server_start (const char *protocol,
                   const char *security,
                   ...) G_GNUC_NULL_TERMINATED;

static MsTestServer *
test_server_start (const char *protocol,
                   const char *security,
                   ...)
{
  g_autofree char *dir = g_strdup_printf ("%s/server-%u", work_dir, ++server_counter);
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  MsTestServer *srv;
  va_list ap;

  g_ptr_array_add (args, g_strdup ("--protocol"));
  g_ptr_array_add (args, g_strdup (protocol));
  g_ptr_array_add (args, g_strdup ("--security"));
  g_ptr_array_add (args, g_strdup (security));
  g_ptr_array_add (args, g_strconcat ("--cert=", certs_dir, "/good.pem", NULL));
  g_ptr_array_add (args, g_strconcat ("--key=", certs_dir, "/server.key", NULL));
  g_ptr_array_add (args, g_strconcat ("--message=", message_path, NULL));
  g_ptr_array_add (args, g_strconcat ("--message=", message_path, NULL));
  va_start (ap, security);
  for (const char *fault = va_arg (ap, const char *); fault != NULL; fault = va_arg (ap, const char *))
    g_ptr_array_add (args, g_strconcat ("--fault=", fault, NULL));
  va_end (ap);
  g_ptr_array_add (args, NULL);

  srv = ms_test_server_startv ("ms-test-mail-server.py", dir, (const char * const *) args->pdata);
  g_assert_cmpuint (srv->port, >, 0);
  return srv;
}

static char *
test_server_file (MsTestServer *srv,
                  const char   *name)
{
  char *contents = ms_test_server_dup_file (srv, name, NULL);

  return contents != NULL ? contents : g_strdup ("");
}

/* Waits until the server logged @needle. */
static void
test_server_wait_for (MsTestServer *srv,
                      const char   *name,
                      const char   *needle)
{
  for (guint i = 0; i < 500; i++)
    {
      g_autofree char *text = test_server_file (srv, name);

      if (strstr (text, needle) != NULL)
        return;
      g_usleep (10 * 1000);
    }
  g_error ("the test server never logged “%s” in %s", needle, name);
}

static gboolean
need_servers (void)
{
  if (certs_dir != NULL && g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    return TRUE;
  g_test_skip ("needs " MS_TEST_PYTHON " and the openssl command");
  return FALSE;
}

/* The peak memory of the test, in KB.  AddressSanitizer keeps freed memory in
 * quarantine, which makes the figure meaningless there: 0 under ASan. */
static glong
max_rss_kb (void)
{
#if defined(__SANITIZE_ADDRESS__)
  return 0;
#else
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
#endif
}

/* Clients */

static MsImapClient *
imap_client (MsTestServer *srv,
             MsSecurity    security)
{
  g_autofree char *ca = g_build_filename (certs_dir, "ca.pem", NULL);
  MsImapClient *client = ms_imap_client_new ("127.0.0.1", srv->port, security);

  ms_imap_client_set_ca_file (client, ca);
  ms_imap_client_set_timeout (client, SHORT_TIMEOUT_MS);
  ms_imap_client_set_max_message_size (client, 1024 * 1024);
  return client;
}

static MsImapClient *
imap_logged_in (MsTestServer *srv,
                MsSecurity    security)
{
  g_autoptr(GError) error = NULL;
  MsImapClient *client = imap_client (srv, security);

  ms_imap_client_set_allow_plaintext_auth (client, security == MS_SECURITY_NONE);
  ms_imap_client_connect (client, NULL, &error);
  g_assert_no_error (error);
  ms_imap_client_login (client, "test", "secret", NULL, &error);
  g_assert_no_error (error);
  return client;
}

static MsPop3Client *
pop3_client (MsTestServer *srv,
             MsSecurity    security)
{
  g_autofree char *ca = g_build_filename (certs_dir, "ca.pem", NULL);
  MsPop3Client *client = ms_pop3_client_new ("127.0.0.1", srv->port, security);

  ms_pop3_client_set_ca_file (client, ca);
  ms_pop3_client_set_timeout (client, SHORT_TIMEOUT_MS);
  ms_pop3_client_set_max_message_size (client, 1024 * 1024);
  return client;
}

static MsPop3Client *
pop3_logged_in (MsTestServer *srv,
                MsSecurity    security)
{
  g_autoptr(GError) error = NULL;
  MsPop3Client *client = pop3_client (srv, security);

  ms_pop3_client_set_allow_plaintext_auth (client, security == MS_SECURITY_NONE);
  ms_pop3_client_connect (client, NULL, &error);
  g_assert_no_error (error);
  ms_pop3_client_login (client, "test", "secret", NULL, &error);
  g_assert_no_error (error);
  return client;
}

static GBytes *
expected_message (void)
{
  g_autofree char *contents = NULL;
  g_autofree char *crlf = NULL;
  g_auto(GStrv) lines = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (message_path, &contents, &length, NULL));
  lines = g_strsplit (contents, "\n", -1);
  crlf = g_strjoinv ("\r\n", lines);
  return g_bytes_new (crlf, strlen (crlf));
}

/* IMAP: the normal conversation */

static void
imap_session (MsSecurity  security,
              const char *security_name)
{
  g_autoptr(MsTestServer) srv = test_server_start ("imap", security_name, NULL);
  g_autoptr(MsImapClient) client = imap_logged_in (srv, security);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) expected = expected_message ();
  g_autoptr(GBytes) appended = g_bytes_new_static ("Subject: sent\r\n\r\nHello\r\n", 24);
  g_autofree char *actions = NULL;
  g_autofree char *transcript = NULL;
  MsImapMailbox mailbox = { 0 };
  gboolean truncated = TRUE;

  g_assert_cmpint (ms_imap_client_is_encrypted (client), ==, security != MS_SECURITY_NONE);
  g_assert_true (ms_imap_client_has_capability (client, "MOVE"));
  g_assert_false (ms_imap_client_has_capability (client, "STARTTLS"));

  g_assert_true (ms_imap_client_select (client, NULL, &mailbox, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (mailbox.uidvalidity, ==, 42);
  g_assert_cmpuint (mailbox.uidnext, ==, 3);
  g_assert_cmpuint (mailbox.exists, ==, 2);

  uids = ms_imap_client_uid_search (client, "UID 2:*", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (uids->len, ==, 1);
  g_assert_cmpuint (g_array_index (uids, guint32, 0), ==, 2);

  raw = ms_imap_client_uid_fetch (client, 2, &truncated, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (truncated);
  g_assert_true (g_bytes_equal (raw, expected));
  g_clear_pointer (&raw, g_bytes_unref);

  /* A UID that is gone is a refusal, and the session carries on. */
  raw = ms_imap_client_uid_fetch (client, 9, NULL, NULL, &error);
  g_assert_null (raw);
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_true (ms_imap_client_is_connected (client));

  g_assert_true (ms_imap_client_uid_add_flags (client, 1, "\\Seen", NULL, &error));
  g_assert_true (ms_imap_client_uid_move (client, 2, "Bounces/Обработано", NULL, &error));
  g_assert_true (ms_imap_client_append (client, "Sent", "\\Seen", appended, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_imap_client_logout (client, NULL, NULL));
  g_assert_false (ms_imap_client_is_connected (client));

  test_server_wait_for (srv, "actions.log", "append");
  actions = test_server_file (srv, "actions.log");
  g_assert_cmpstr (actions, ==,
                   "store 1 \\Seen\n"
                   "move 2 Bounces/&BB4EMQRABDAEMQQ+BEIEMAQ9BD4-\n"
                   "append Sent 24\n");
  transcript = test_server_file (srv, "transcript.log");
  g_assert_null (strstr (transcript, "secret"));
}

static void
test_imap_plain (void)
{
  if (need_servers ())
    imap_session (MS_SECURITY_NONE, "none");
}

static void
test_imap_starttls (void)
{
  if (need_servers ())
    imap_session (MS_SECURITY_STARTTLS, "starttls");
}

static void
test_imap_tls (void)
{
  if (need_servers ())
    imap_session (MS_SECURITY_TLS, "tls");
}

static void
test_imap_truncated (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  gboolean truncated = FALSE;

  if (!need_servers ())
    return;
  srv = test_server_start ("imap", "tls", NULL);
  client = imap_client (srv, MS_SECURITY_TLS);
  ms_imap_client_set_max_message_size (client, 20);
  ms_imap_client_connect (client, NULL, &error);
  ms_imap_client_login (client, "test", "secret", NULL, &error);
  ms_imap_client_select (client, "INBOX", NULL, NULL, &error);
  raw = ms_imap_client_uid_fetch (client, 1, &truncated, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (truncated);
  g_assert_cmpuint (g_bytes_get_size (raw), ==, 20);
}

static void
test_imap_refusals (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) plain = NULL;
  g_autoptr(MsImapClient) wrong = NULL;
  g_autoptr(MsImapClient) no_tls = NULL;
  g_autoptr(MsImapClient) preauth = NULL;
  g_autoptr(MsTestServer) srv_no_tls = NULL;
  g_autoptr(MsTestServer) srv_preauth = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("imap", "starttls", NULL);

  /* No password over plain text unless the person chose no encryption. */
  plain = imap_client (srv, MS_SECURITY_NONE);
  g_assert_true (ms_imap_client_connect (plain, NULL, &error));
  g_assert_false (ms_imap_client_login (plain, "test", "secret", NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PLAINTEXT_AUTH);
  g_clear_error (&error);

  wrong = imap_client (srv, MS_SECURITY_STARTTLS);
  g_assert_true (ms_imap_client_connect (wrong, NULL, &error));
  g_assert_false (ms_imap_client_login (wrong, "test", "wrong", NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
  g_clear_error (&error);

  transcript = test_server_file (srv, "transcript.log");
  g_assert_null (strstr (transcript, "secret"));

  srv_no_tls = test_server_start ("imap", "starttls", "no-starttls", NULL);
  no_tls = imap_client (srv_no_tls, MS_SECURITY_STARTTLS);
  g_assert_false (ms_imap_client_connect (no_tls, NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_UNAVAILABLE);
  g_clear_error (&error);

  srv_preauth = test_server_start ("imap", "starttls", "preauth", NULL);
  preauth = imap_client (srv_preauth, MS_SECURITY_STARTTLS);
  g_assert_false (ms_imap_client_connect (preauth, NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_UNAVAILABLE);
}

/* IMAP: hostile servers */

static void
test_imap_starttls_injection (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("imap", "starttls", "inject-after-starttls", NULL);
  client = imap_client (srv, MS_SECURITY_STARTTLS);
  g_assert_false (ms_imap_client_connect (client, NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_INJECTION);
  g_assert_false (ms_imap_client_is_connected (client));

  test_server_wait_for (srv, "transcript.log", "closed");
  transcript = test_server_file (srv, "transcript.log");
  g_assert_null (strstr (transcript, "LOGIN \""));
  g_assert_null (strstr (transcript, "AUTHENTICATE"));
}

static void
test_imap_untagged_before_tls (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("imap", "starttls", "untagged-before-tls", NULL);
  client = imap_client (srv, MS_SECURITY_STARTTLS);
  g_assert_true (ms_imap_client_connect (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_imap_client_is_encrypted (client));
  /* What was said before TLS, or slipped in with the STARTTLS reply, is gone. */
  g_assert_false (ms_imap_client_has_capability (client, "X-BEFORE-TLS"));
  g_assert_false (ms_imap_client_has_capability (client, "X-INJECTED"));
  g_assert_true (ms_imap_client_has_capability (client, "AUTH=PLAIN"));
  g_assert_true (ms_imap_client_login (client, "test", "secret", NULL, &error));
}

typedef struct
{
  const char *fault;
  const char *stage;      /* IMAP: "select" or "fetch"; POP3: "list" or "retr" */
  gboolean    net_error;  /* MS_NET_ERROR, else MS_IMAP_ERROR or MS_POP3_ERROR */
  int         code;
} HostileCase;

static void
run_hostile_imap (gconstpointer data)
{
  const HostileCase *c = data;
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = NULL;
  glong rss_before = max_rss_kb ();
  GQuark domain;
  gint64 start;
  gboolean ok;

  if (!need_servers ())
    return;
  srv = test_server_start ("imap", "tls", c->fault, NULL);
  client = imap_logged_in (srv, MS_SECURITY_TLS);
  start = g_get_monotonic_time ();
  ok = ms_imap_client_select (client, "INBOX", NULL, NULL, &error);
  if (strcmp (c->stage, "fetch") == 0)
    {
      g_assert_no_error (error);
      raw = ms_imap_client_uid_fetch (client, 1, NULL, NULL, &error);
      ok = raw != NULL;
    }
  g_assert_false (ok);
  domain = c->net_error ? MS_NET_ERROR : MS_IMAP_ERROR;
  g_assert_error (error, domain, c->code);
  g_test_message ("%s: %s", c->fault, error->message);
  g_assert_false (ms_imap_client_is_connected (client));
  /* No waiting for a timeout, and no buffer the size the server announced. */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (max_rss_kb () - rss_before, <, MAX_RSS_GROWTH_KB);
}

/* POP3: the normal conversation */

static void
pop3_session (MsSecurity  security,
              const char *security_name)
{
  g_autoptr(MsTestServer) srv = test_server_start ("pop3", security_name, NULL);
  g_autoptr(MsPop3Client) client = pop3_logged_in (srv, security);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GBytes) raw = NULL;
  g_autoptr(GBytes) top = NULL;
  g_autoptr(GBytes) expected = expected_message ();
  g_autofree char *actions = NULL;
  MsPop3Message *message;
  gboolean truncated = TRUE;

  g_assert_cmpint (ms_pop3_client_is_encrypted (client), ==, security != MS_SECURITY_NONE);
  g_assert_true (ms_pop3_client_has_capability (client, "UIDL"));
  g_assert_false (ms_pop3_client_has_capability (client, "STLS"));

  messages = ms_pop3_client_list (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (messages->len, ==, 2);
  message = g_ptr_array_index (messages, 1);
  g_assert_cmpuint (message->number, ==, 2);
  g_assert_cmpstr (message->uid, ==, "uid-0002");
  g_assert_cmpuint (message->size, ==, g_bytes_get_size (expected));

  raw = ms_pop3_client_retr (client, 2, &truncated, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (truncated);
  /* Dot-stuffing undone: the message has a line that starts with a dot. */
  g_assert_true (g_bytes_equal (raw, expected));

  top = ms_pop3_client_top (client, 1, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (top), <, g_bytes_get_size (expected));

  g_assert_true (ms_pop3_client_dele (client, 2, NULL, &error));
  g_assert_true (ms_pop3_client_quit (client, NULL, &error));
  g_assert_no_error (error);
  test_server_wait_for (srv, "actions.log", "quit");
  actions = test_server_file (srv, "actions.log");
  g_assert_cmpstr (actions, ==, "dele uid-0002\nquit\n");
}

static void
test_pop3_plain (void)
{
  if (need_servers ())
    pop3_session (MS_SECURITY_NONE, "none");
}

static void
test_pop3_stls (void)
{
  if (need_servers ())
    pop3_session (MS_SECURITY_STARTTLS, "starttls");
}

static void
test_pop3_tls (void)
{
  if (need_servers ())
    pop3_session (MS_SECURITY_TLS, "tls");
}

static void
test_pop3_refusals (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsTestServer) srv_no_tls = NULL;
  g_autoptr(MsTestServer) srv_no_uidl = NULL;
  g_autoptr(MsPop3Client) plain = NULL;
  g_autoptr(MsPop3Client) wrong = NULL;
  g_autoptr(MsPop3Client) no_tls = NULL;
  g_autoptr(MsPop3Client) no_uidl = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("pop3", "starttls", NULL);
  plain = pop3_client (srv, MS_SECURITY_NONE);
  g_assert_true (ms_pop3_client_connect (plain, NULL, &error));
  g_assert_false (ms_pop3_client_login (plain, "test", "secret", NULL, &error));
  g_assert_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PLAINTEXT_AUTH);
  g_clear_error (&error);

  wrong = pop3_client (srv, MS_SECURITY_STARTTLS);
  g_assert_true (ms_pop3_client_connect (wrong, NULL, &error));
  g_assert_false (ms_pop3_client_login (wrong, "test", "nope", NULL, &error));
  g_assert_error (error, MS_POP3_ERROR, MS_POP3_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "Authentication failed"));
  g_clear_error (&error);

  srv_no_tls = test_server_start ("pop3", "starttls", "no-stls", NULL);
  no_tls = pop3_client (srv_no_tls, MS_SECURITY_STARTTLS);
  g_assert_false (ms_pop3_client_connect (no_tls, NULL, &error));
  g_assert_error (error, MS_POP3_ERROR, MS_POP3_ERROR_STARTTLS_UNAVAILABLE);
  g_clear_error (&error);

  srv_no_uidl = test_server_start ("pop3", "tls", "no-uidl", NULL);
  no_uidl = pop3_logged_in (srv_no_uidl, MS_SECURITY_TLS);
  g_assert_null (ms_pop3_client_list (no_uidl, NULL, &error));
  g_assert_error (error, MS_POP3_ERROR, MS_POP3_ERROR_NO_UIDL);
}

/* POP3: hostile servers */

static void
test_pop3_stls_injection (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsPop3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("pop3", "starttls", "inject-after-stls", NULL);
  client = pop3_client (srv, MS_SECURITY_STARTTLS);
  g_assert_false (ms_pop3_client_connect (client, NULL, &error));
  g_assert_error (error, MS_POP3_ERROR, MS_POP3_ERROR_STARTTLS_INJECTION);
  test_server_wait_for (srv, "transcript.log", "closed");
  transcript = test_server_file (srv, "transcript.log");
  g_assert_null (strstr (transcript, "C: USER"));
}

static void
test_pop3_capa_before_tls (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsPop3Client) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_servers ())
    return;
  srv = test_server_start ("pop3", "starttls", "capa-before-tls", NULL);
  client = pop3_client (srv, MS_SECURITY_STARTTLS);
  g_assert_true (ms_pop3_client_connect (client, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (ms_pop3_client_has_capability (client, "X-BEFORE-TLS"));
  g_assert_true (ms_pop3_client_has_capability (client, "UIDL"));
}

static void
run_hostile_pop3 (gconstpointer data)
{
  const HostileCase *c = data;
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsPop3Client) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GBytes) raw = NULL;
  glong rss_before = max_rss_kb ();
  GQuark domain;
  gint64 start;
  gboolean ok;

  if (!need_servers ())
    return;
  srv = test_server_start ("pop3", "tls", c->fault, NULL);
  client = pop3_logged_in (srv, MS_SECURITY_TLS);
  start = g_get_monotonic_time ();
  if (strcmp (c->stage, "retr") == 0)
    {
      raw = ms_pop3_client_retr (client, 1, NULL, NULL, &error);
      ok = raw != NULL;
    }
  else
    {
      messages = ms_pop3_client_list (client, NULL, &error);
      ok = messages != NULL;
    }
  g_assert_false (ok);
  domain = c->net_error ? MS_NET_ERROR : MS_POP3_ERROR;
  g_assert_error (error, domain, c->code);
  g_test_message ("%s: %s", c->fault, error->message);
  g_assert_false (ms_pop3_client_is_connected (client));
  g_assert_cmpint (g_get_monotonic_time () - start, <, 8 * G_USEC_PER_SEC);
  g_assert_cmpint (max_rss_kb () - rss_before, <, MAX_RSS_GROWTH_KB);
}

/* Cancellation */

static void
cancel_soon (GCancellable *cancellable)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (cancellable);
}

static void
test_cancel (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GThread) thread = NULL;
  g_autoptr(GBytes) raw = NULL;
  gint64 start;

  if (!need_servers ())
    return;
  /* The server announces a literal, sends part of it and waits. */
  srv = test_server_start ("imap", "tls", "stall-mid-fetch", NULL);
  client = imap_logged_in (srv, MS_SECURITY_TLS);
  g_assert_true (ms_imap_client_select (client, NULL, NULL, NULL, &error));
  ms_imap_client_set_timeout (client, 60000);
  start = g_get_monotonic_time ();
  thread = g_thread_new ("cancel", (GThreadFunc) cancel_soon, cancellable);
  raw = ms_imap_client_uid_fetch (client, 1, NULL, cancellable, &error);
  g_assert_null (raw);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
  g_assert_false (ms_imap_client_is_connected (client));
  g_thread_join (g_steal_pointer (&thread));
}

/* Setup */

static void
write_message (void)
{
  static const char text[] =
    "From: MAILER-DAEMON@example.org\n"
    "To: news@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Message-ID: <bounce-1@example.org>\n"
    "\n"
    "This is the mail system at host example.org.\n"
    ".A line that starts with a dot\n"
    "..and one with two\n"
    "\n"
    "<gone@example.net>: host mx.example.net said: 550 5.1.1 User unknown\n";

  message_path = g_build_filename (work_dir, "message.eml", NULL);
  g_assert_true (g_file_set_contents (message_path, text, -1, NULL));
}

int
main (int   argc,
      char *argv[])
{
  static const HostileCase imap_cases[] = {
    { "huge-literal", "fetch", FALSE, MS_IMAP_ERROR_TOO_LARGE },
    { "disconnect-mid-fetch", "fetch", TRUE, MS_NET_ERROR_CLOSED },
    { "bye-on-fetch", "fetch", FALSE, MS_IMAP_ERROR_BYE },
    { "deep-nesting", "fetch", FALSE, MS_IMAP_ERROR_PARSE },
    { "many-literals", "fetch", FALSE, MS_IMAP_ERROR_TOO_LARGE },
    { "garbage", "select", FALSE, MS_IMAP_ERROR_PARSE },
    { "overlong-line", "select", TRUE, MS_NET_ERROR_PROTOCOL },
    { "wrong-tag", "select", FALSE, MS_IMAP_ERROR_PARSE },
  };
  static const HostileCase pop3_cases[] = {
    { "huge-message", "retr", FALSE, MS_POP3_ERROR_TOO_LARGE },
    { "disconnect-mid-retr", "retr", TRUE, MS_NET_ERROR_CLOSED },
    { "garbage", "list", FALSE, MS_POP3_ERROR_PARSE },
    { "overlong-line", "list", TRUE, MS_NET_ERROR_PROTOCOL },
  };
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  ms_test_hide_debug ("ms-imap", "ms-pop3", "ms-connection", NULL);

  work_dir = ms_test_make_built_dir ("test-mail-clients-XXXXXX");
  certs_dir = ms_test_make_certificates (work_dir);
  write_message ();

  g_test_add_func ("/mail-clients/imap/plain", test_imap_plain);
  g_test_add_func ("/mail-clients/imap/starttls", test_imap_starttls);
  g_test_add_func ("/mail-clients/imap/tls", test_imap_tls);
  g_test_add_func ("/mail-clients/imap/truncated", test_imap_truncated);
  g_test_add_func ("/mail-clients/imap/refusals", test_imap_refusals);
  g_test_add_func ("/mail-clients/imap/starttls-injection", test_imap_starttls_injection);
  g_test_add_func ("/mail-clients/imap/untagged-before-tls", test_imap_untagged_before_tls);
  for (guint i = 0; i < G_N_ELEMENTS (imap_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mail-clients/imap/hostile/%s", imap_cases[i].fault);

      g_test_add_data_func (path, &imap_cases[i], run_hostile_imap);
    }
  g_test_add_func ("/mail-clients/pop3/plain", test_pop3_plain);
  g_test_add_func ("/mail-clients/pop3/stls", test_pop3_stls);
  g_test_add_func ("/mail-clients/pop3/tls", test_pop3_tls);
  g_test_add_func ("/mail-clients/pop3/refusals", test_pop3_refusals);
  g_test_add_func ("/mail-clients/pop3/stls-injection", test_pop3_stls_injection);
  g_test_add_func ("/mail-clients/pop3/capa-before-tls", test_pop3_capa_before_tls);
  for (guint i = 0; i < G_N_ELEMENTS (pop3_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/mail-clients/pop3/hostile/%s", pop3_cases[i].fault);

      g_test_add_data_func (path, &pop3_cases[i], run_hostile_pop3);
    }
  g_test_add_func ("/mail-clients/cancel", test_cancel);

  result = g_test_run ();
  ms_test_remove_tmp_dir (work_dir);
  return result;
}

/* test-smtp.c
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

#define G_LOG_DOMAIN "test-smtp"

#include "config.h"

#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ms-connection.h"
#include "ms-smtp-client.h"
#include "ms-smtp-reply.h"

#include "ms-test-utils.h"

/* The SMTP client against real servers on loopback: our scriptable server
 * (tests/servers/ms-test-smtp-server.py, which records what it receives) and
 * Postfix's smtp-sink.  Certificates are made for each run by
 * tests/servers/ms-make-test-certs.sh. */

#define SMTP_SINK "/usr/sbin/smtp-sink"
#define SHORT_TIMEOUT_MS 10000

static char *work_dir;
static char *certs_dir;
static guint server_counter;

/* Test servers */

/* The SMTP test server, recording into a folder of its own */
static MsTestServer *
test_server_startv (const char * const *extra)
{
  g_autofree char *dir = g_strdup_printf ("%s/server-%u", work_dir, ++server_counter);

  return ms_test_server_startv ("ms-test-smtp-server.py", dir, extra);
}

static MsTestServer *
test_server_start (const char *first,
                   ...) G_GNUC_NULL_TERMINATED;

static MsTestServer *
test_server_start (const char *first,
                   ...)
{
  g_autofree char *dir = g_strdup_printf ("%s/server-%u", work_dir, ++server_counter);
  MsTestServer *srv;
  va_list ap;

  va_start (ap, first);
  srv = ms_test_server_start_valist ("ms-test-smtp-server.py", dir, first, ap);
  va_end (ap);
  return srv;
}

static MsTestServer *
plain_server_start (void)
{
  MsTestServer *srv = test_server_startv (NULL);

  g_assert_cmpuint (srv->port, >, 0);
  return srv;
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static guint
test_server_count (MsTestServer *srv,
                   const char   *needle)
{
  g_autofree char *transcript = ms_test_server_dup_transcript (srv);

  return count_occurrences (transcript, needle);
}

/* Waits until the server logged @needle (e.g. that a connection closed), so the
 * transcript is complete before asserting what it lacks. */
static void
test_server_wait_for (MsTestServer *srv,
                      const char   *needle)
{
  for (guint i = 0; i < 500; i++)
    {
      if (test_server_count (srv, needle) > 0)
        return;
      g_usleep (10 * 1000);
    }
  g_error ("the test server never logged “%s”", needle);
}

static char *
test_server_message (MsTestServer *srv,
                     guint         n,
                     gsize        *length)
{
  g_autofree char *name = g_strdup_printf ("%04u.eml", n);

  return ms_test_server_dup_file (srv, name, length);
}

static char *
test_server_envelope (MsTestServer *srv,
                      guint         n)
{
  g_autofree char *name = g_strdup_printf ("%04u.env", n);

  return ms_test_server_dup_file (srv, name, NULL);
}

static guint
test_server_messages (MsTestServer *srv)
{
  g_autofree char *jsonl = ms_test_server_dup_file (srv, "messages.jsonl", NULL);

  return jsonl != NULL ? count_occurrences (jsonl, "\n") : 0;
}

static char *
cert_path (const char *name)
{
  return g_build_filename (certs_dir, name, NULL);
}

/* Starts a TLS server (@security "tls" or "starttls") with the certificate @cert. */
static MsTestServer *
tls_server_start (const char *security,
                  const char *cert,
                  ...) G_GNUC_NULL_TERMINATED;

static MsTestServer *
tls_server_start (const char *security,
                  const char *cert,
                  ...)
{
  g_autofree char *cert_file = cert_path (cert);
  g_autofree char *key_file = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  MsTestServer *srv;
  va_list ap;

  key_file = cert_path (g_str_equal (cert, "other.pem") ? "other.key" : "server.key");
  g_ptr_array_add (args, (char *) "--security");
  g_ptr_array_add (args, (char *) security);
  g_ptr_array_add (args, (char *) "--cert");
  g_ptr_array_add (args, cert_file);
  g_ptr_array_add (args, (char *) "--key");
  g_ptr_array_add (args, key_file);
  va_start (ap, cert);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) arg);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  srv = test_server_startv ((const char * const *) args->pdata);
  g_assert_cmpuint (srv->port, >, 0);
  return srv;
}

static gboolean
need_certs (void)
{
  if (certs_dir != NULL)
    return TRUE;
  g_test_skip ("the openssl command could not make the test certificates");
  return FALSE;
}

/* Clients */

static void
short_timeouts (MsSmtpTimeouts *t,
                guint           ms)
{
  t->connect = ms;
  t->greeting = ms;
  t->command = ms;
  t->mail = ms;
  t->rcpt = ms;
  t->data_init = ms;
  t->data_block = ms;
  t->data_end = ms;
}

static MsSmtpClient *
make_client (const char *host,
             guint16     port,
             MsSecurity  security)
{
  MsSmtpClient *client = ms_smtp_client_new (host, port, security);
  MsSmtpTimeouts t;

  short_timeouts (&t, SHORT_TIMEOUT_MS);
  ms_smtp_client_set_timeouts (client, &t);
  ms_smtp_client_set_helo_name (client, "client.test");
  return client;
}

static MsSmtpClient *
connect_client (MsTestServer *srv,
                MsSecurity    security)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = certs_dir != NULL ? cert_path ("ca.pem") : NULL;
  MsSmtpClient *client = make_client ("127.0.0.1", srv->port, security);

  ms_smtp_client_set_ca_file (client, ca);
  ms_smtp_client_connect (client, NULL, &error);
  g_assert_no_error (error);
  return client;
}

static GBytes *
make_message (const char *subject,
              const char *body)
{
  g_autofree char *text = g_strdup_printf ("From: Sender <sender@example.org>\r\n"
                                           "To: rcpt@example.org\r\n"
                                           "Subject: %s\r\n"
                                           "Message-ID: <%s@test.mailshot>\r\n"
                                           "\r\n"
                                           "%s",
                                           subject, subject, body);

  return g_bytes_new (text, strlen (text));
}

static void
send_ok (MsSmtpClient       *client,
         const char * const *recipients,
         GBytes             *message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) replies = NULL;

  ms_smtp_client_send_sync (client, "sender@example.org", recipients, message, &replies,
                            NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (replies);
  g_assert_cmpuint (replies->len, ==, g_strv_length ((char **) recipients));
}

static void
assert_message (MsTestServer *srv,
                guint         n,
                GBytes       *expected)
{
  gsize length = 0;
  g_autofree char *data = test_server_message (srv, n, &length);

  g_assert_nonnull (data);
  g_assert_cmpmem (data, length, g_bytes_get_data (expected, NULL), g_bytes_get_size (expected));
}

static const char * const one_rcpt[] = { "rcpt@example.org", NULL };

/* Reply parsing */

typedef struct
{
  const char *input;
  gboolean    enhanced;
  guint       code;
  const char *enhanced_code;
  const char *text;
} ParseCase;

static const ParseCase parse_cases[] = {
  { "250 OK\r\n", TRUE, 250, NULL, "OK" },
  { "250 OK\n", TRUE, 250, NULL, "OK" },
  { "250\r\n", TRUE, 250, NULL, "" },
  { "250 \r\n", TRUE, 250, NULL, "" },
  { "250-mx.example.org greets you\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250 8BITMIME\r\n",
    FALSE, 250, NULL, "mx.example.org greets you\nPIPELINING\nSIZE 35882577\n8BITMIME" },
  { "550 5.1.1 No such user\r\n", TRUE, 550, "5.1.1", "No such user" },
  { "550 5.1.1 No such user\r\n", FALSE, 550, NULL, "5.1.1 No such user" },
  { "550-5.1.1 The email account that you tried to reach does not exist.\r\n"
    "550-5.1.1 Please try double-checking the recipient's email address.\r\n"
    "550 5.1.1 https://support.example.com/mail/?p=NoSuchUser\r\n",
    TRUE, 550, "5.1.1",
    "The email account that you tried to reach does not exist.\n"
    "Please try double-checking the recipient's email address.\n"
    "https://support.example.com/mail/?p=NoSuchUser" },
  { "250 2.0.0\r\n", TRUE, 250, "2.0.0", "" },
  { "451 4.7.650 The mail server has been temporarily rate limited\r\n", TRUE, 451, "4.7.650",
    "The mail server has been temporarily rate limited" },
  { "550 4.1.1 class differs\r\n", TRUE, 550, NULL, "4.1.1 class differs" },
  { "550 5.1234.1 too many digits\r\n", TRUE, 550, NULL, "5.1234.1 too many digits" },
  { "550 5.1.1nospace\r\n", TRUE, 550, NULL, "5.1.1nospace" },
  { "354 End data with <CR><LF>.<CR><LF>\r\n", TRUE, 354, NULL, "End data with <CR><LF>.<CR><LF>" },
  { "535-5.7.8 Username and Password not accepted.\r\n535 5.7.8 Learn more\r\n", TRUE, 535,
    "5.7.8", "Username and Password not accepted.\nLearn more" },
  { "220 mx.example.org ESMTP \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n", FALSE, 220, NULL,
    "mx.example.org ESMTP Привет" },
};

static const char * const malformed_replies[] = {
  "",
  "\r\n",
  "hello\r\n",
  "25O OK\r\n",
  "2500 OK\r\n",
  "250_OK\r\n",
  "25\r\n",
  "150 continue\r\n",
  "600 unknown\r\n",
  "250-first\r\n251 second\r\n",
  "250-first\r\n",
  "250 OK",
  "250 OK\r\nextra\r\n",
  "250-a\r\n\r\n250 b\r\n",
  "250 NUL\0byte\r\n",
};

static void
test_reply_parse (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (parse_cases); i++)
    {
      const ParseCase *c = &parse_cases[i];
      g_autoptr(GError) error = NULL;
      g_autoptr(MsSmtpReply) reply = NULL;

      reply = ms_smtp_reply_parse (c->input, strlen (c->input), c->enhanced, &error);
      g_assert_no_error (error);
      g_assert_nonnull (reply);
      g_assert_cmpuint (reply->code, ==, c->code);
      g_assert_cmpstr (reply->enhanced, ==, c->enhanced_code);
      g_assert_cmpstr (reply->text, ==, c->text);
      g_assert_cmpuint (g_strv_length (reply->lines), ==, count_occurrences (c->input, "\n"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (malformed_replies); i++)
    {
      const char *input = malformed_replies[i];
      gsize length = strlen (input);
      g_autoptr(GError) error = NULL;
      g_autoptr(MsSmtpReply) reply = NULL;

      if (g_str_has_prefix (input, "250 NUL"))
        length = sizeof "250 NUL\0byte\r\n" - 1;
      reply = ms_smtp_reply_parse (input, length, TRUE, &error);
      g_test_message ("malformed %u: %s", i, error ? error->message : "(parsed)");
      g_assert_null (reply);
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE);
    }
}

static void
test_reply_helpers (void)
{
  g_autoptr(MsSmtpReply) reply = NULL;
  g_autoptr(MsSmtpReply) copy = NULL;
  g_autofree char *shown = NULL;
  const char *text = "550-5.1.1 first\r\n550 5.1.1 second\r\n";

  reply = ms_smtp_reply_parse (text, strlen (text), TRUE, NULL);
  g_assert_nonnull (reply);
  shown = ms_smtp_reply_to_string (reply);
  g_assert_cmpstr (shown, ==, "550 5.1.1 first second");
  g_assert_true (ms_smtp_reply_is_permanent (reply));
  g_assert_false (ms_smtp_reply_is_transient (reply));
  g_assert_false (ms_smtp_reply_is_positive (reply));
  copy = ms_smtp_reply_copy (reply);
  g_assert_cmpuint (copy->code, ==, 550);
  g_assert_cmpstr (copy->enhanced, ==, "5.1.1");
  g_assert_cmpstr (copy->lines[1], ==, "second");

  /* The incremental parser gives the same result and is reusable. */
  {
    g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
    g_autoptr(MsSmtpReply) a = NULL;
    g_autoptr(MsSmtpReply) b = NULL;
    gboolean done = TRUE;

    g_assert_true (ms_smtp_reply_parser_add_line (parser, "250-one", 7, &done, NULL));
    g_assert_false (done);
    g_assert_true (ms_smtp_reply_parser_add_line (parser, "250 two", 7, &done, NULL));
    g_assert_true (done);
    a = ms_smtp_reply_parser_finish (parser, TRUE);
    g_assert_cmpstr (a->text, ==, "one\ntwo");
    g_assert_true (ms_smtp_reply_parser_add_line (parser, "421 4.7.0 bye", 13, &done, NULL));
    g_assert_true (done);
    b = ms_smtp_reply_parser_finish (parser, TRUE);
    g_assert_cmpuint (b->code, ==, 421);
    g_assert_cmpstr (b->enhanced, ==, "4.7.0");
  }
}

typedef struct
{
  guint          code;
  const char    *enhanced;
  const char    *text;
  MsSmtpStage    stage;
  MsSmtpFailure  expected;
} ClassifyCase;

static const ClassifyCase classify_cases[] = {
  { 250, "2.0.0", "Ok", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_NONE },
  { 354, NULL, "Go ahead", MS_SMTP_STAGE_DATA, MS_SMTP_FAILURE_NONE },
  /* recipients */
  { 550, "5.1.1", "No such user", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  { 550, NULL, "Requested action not taken: mailbox unavailable", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  { 553, "5.1.3", "Bad recipient address syntax", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  { 551, NULL, "User not local", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  { 552, "5.2.2", "Mailbox full", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  { 550, "5.1.1", "Recipient rejected after data", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_RECIPIENT },
  { 550, "5.7.1", "Recipient address rejected: Access denied", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_RECIPIENT },
  /* temporary */
  { 450, "4.2.0", "Recipient address rejected: Greylisted, try again later", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_TEMPORARY },
  { 452, "4.2.2", "The email account that you tried to reach is over quota", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_TEMPORARY },
  { 452, "4.5.3", "Too many recipients", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_TEMPORARY },
  { 451, "4.3.0", "Local error in processing", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_TEMPORARY },
  { 450, NULL, "Requested mail action not taken", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_TEMPORARY },
  /* messages */
  { 552, "5.3.4", "Message size exceeds fixed limit", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_MESSAGE },
  { 552, NULL, "Message size exceeds fixed maximum message size", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_MESSAGE },
  { 554, "5.6.0", "Message content rejected", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_MESSAGE },
  { 554, "5.5.1", "No valid recipients", MS_SMTP_STAGE_DATA, MS_SMTP_FAILURE_MESSAGE },
  { 555, "5.5.4", "Unsupported option: SMTPUTF8", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_MESSAGE },
  /* account: rate limits, policy, closing, sender */
  { 421, "4.7.0", "Try again later, closing connection", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_ACCOUNT },
  { 421, NULL, "Service not available", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_ACCOUNT },
  { 451, "4.7.1", "Ratelimit exceeded for user", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_ACCOUNT },
  { 450, NULL, "Too many messages sent, try again later", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_ACCOUNT },
  { 550, "5.4.5", "Daily user sending quota exceeded", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_ACCOUNT },
  { 554, "5.7.1", "Message rejected under suspicion of SPAM", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_ACCOUNT },
  { 550, "5.7.1", "spam message rejected", MS_SMTP_STAGE_DATA_END, MS_SMTP_FAILURE_ACCOUNT },
  { 553, "5.7.1", "Sender address rejected: not owned by auth user", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_ACCOUNT },
  { 550, "5.7.1", "Relaying denied", MS_SMTP_STAGE_RCPT, MS_SMTP_FAILURE_ACCOUNT },
  { 554, "5.7.1", "Client host rejected", MS_SMTP_STAGE_GREETING, MS_SMTP_FAILURE_ACCOUNT },
  { 550, "5.1.8", "Bad sender address", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_ACCOUNT },
  { 451, NULL, "Too many connections from your host", MS_SMTP_STAGE_GREETING, MS_SMTP_FAILURE_ACCOUNT },
  /* authentication */
  { 535, "5.7.8", "Username and Password not accepted", MS_SMTP_STAGE_AUTH, MS_SMTP_FAILURE_AUTH },
  { 534, "5.7.9", "Application-specific password required", MS_SMTP_STAGE_AUTH, MS_SMTP_FAILURE_AUTH },
  { 454, "4.7.0", "Temporary authentication failure", MS_SMTP_STAGE_AUTH, MS_SMTP_FAILURE_ACCOUNT },
  { 530, "5.7.0", "Authentication required", MS_SMTP_STAGE_MAIL, MS_SMTP_FAILURE_AUTH },
  /* TLS */
  { 454, "4.7.0", "TLS not available due to local problem", MS_SMTP_STAGE_STARTTLS, MS_SMTP_FAILURE_TLS },
};

static void
test_reply_classify (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (classify_cases); i++)
    {
      const ClassifyCase *c = &classify_cases[i];
      g_autoptr(MsSmtpReply) reply = ms_smtp_reply_new (c->code, c->enhanced, c->text);
      MsSmtpFailure got = ms_smtp_reply_classify (reply, c->stage);

      if (got != c->expected)
        g_error ("%u %s %s at %s: %s, expected %s", c->code, c->enhanced ? c->enhanced : "",
                 c->text, ms_smtp_stage_to_string (c->stage), ms_smtp_failure_to_string (got),
                 ms_smtp_failure_to_string (c->expected));
    }
}

static void
test_error_classify (void)
{
  g_autoptr(MsSmtpReply) rcpt = ms_smtp_reply_new (550, "5.1.1", "No such user");
  struct
  {
    GQuark        domain;
    int           code;
    MsSmtpFailure expected;
  } cases[] = {
    { MS_NET_ERROR, MS_NET_ERROR_CONNECT, MS_SMTP_FAILURE_NETWORK },
    { MS_NET_ERROR, MS_NET_ERROR_TIMEOUT, MS_SMTP_FAILURE_NETWORK },
    { MS_NET_ERROR, MS_NET_ERROR_CLOSED, MS_SMTP_FAILURE_NETWORK },
    { MS_NET_ERROR, MS_NET_ERROR_CERT_EXPIRED, MS_SMTP_FAILURE_TLS },
    { MS_NET_ERROR, MS_NET_ERROR_CERT_PIN_MISMATCH, MS_SMTP_FAILURE_TLS },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_UNAVAILABLE, MS_SMTP_FAILURE_TLS },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_INJECTION, MS_SMTP_FAILURE_TLS },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_PLAINTEXT, MS_SMTP_FAILURE_AUTH },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_TOO_BIG, MS_SMTP_FAILURE_MESSAGE },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED, MS_SMTP_FAILURE_RECIPIENT },
    { MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE, MS_SMTP_FAILURE_NETWORK },
  };

  g_assert_cmpint (ms_smtp_failure_from_error (NULL, NULL, MS_SMTP_STAGE_MAIL), ==, MS_SMTP_FAILURE_NONE);

  /* A refused login is an authentication failure, a passing one is not. */
  {
    g_autoptr(GError) error = g_error_new_literal (MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED, "x");
    g_autoptr(MsSmtpReply) refused = ms_smtp_reply_new (535, "5.7.8", "Authentication failed");
    g_autoptr(MsSmtpReply) later = ms_smtp_reply_new (454, "4.7.0", "Temporary authentication failure");

    g_assert_cmpint (ms_smtp_failure_from_error (error, refused, MS_SMTP_STAGE_AUTH), ==, MS_SMTP_FAILURE_AUTH);
    g_assert_cmpint (ms_smtp_failure_from_error (error, later, MS_SMTP_STAGE_AUTH), ==, MS_SMTP_FAILURE_ACCOUNT);
    g_assert_cmpint (ms_smtp_failure_from_error (error, NULL, MS_SMTP_STAGE_AUTH), ==, MS_SMTP_FAILURE_AUTH);
  }
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = g_error_new_literal (cases[i].domain, cases[i].code, "x");

      g_assert_cmpint (ms_smtp_failure_from_error (error, rcpt, MS_SMTP_STAGE_RCPT), ==, cases[i].expected);
    }
}

static void
test_fingerprint (void)
{
  const char *hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const char *inputs[] = {
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
    "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF",
    "  sha256:01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef\n",
    "SHA256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
  };
  const char *bad[] = {
    "",
    "0123",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg",
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef00",
    "md5:0123456789abcdef0123456789abcdef",
  };
  g_autofree char *pretty = ms_fingerprint_format (hex);

  for (guint i = 0; i < G_N_ELEMENTS (inputs); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = ms_fingerprint_normalize (inputs[i], &error);

      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, hex);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = ms_fingerprint_normalize (bad[i], &error);

      g_assert_null (normalized);
      g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CONFIG);
    }
  g_assert_cmpstr (pretty, ==, "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:"
                               "01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF");
}

/* Plain SMTP */

static void
test_plain_happy (void)
{
  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  g_autoptr(GBytes) message = make_message ("happy", "Hello,\r\nthis is a test.\r\n");
  const char * const rcpts[] = { "one@example.org", "two@example.net", NULL };
  g_autofree char *envelope = NULL;
  g_autoptr(GError) error = NULL;
  MsSmtpCapabilities caps = ms_smtp_client_get_capabilities (client);
  const MsSmtpReply *last;

  g_assert_true (caps & MS_SMTP_CAP_ESMTP);
  g_assert_true (caps & MS_SMTP_CAP_PIPELINING);
  g_assert_true (caps & MS_SMTP_CAP_8BITMIME);
  g_assert_true (caps & MS_SMTP_CAP_SMTPUTF8);
  g_assert_true (caps & MS_SMTP_CAP_ENHANCEDSTATUSCODES);
  g_assert_false (caps & MS_SMTP_CAP_STARTTLS);
  g_assert_false (caps & MS_SMTP_CAP_AUTH);
  g_assert_false (caps & MS_SMTP_CAP_SIZE);
  g_assert_false (ms_smtp_client_is_encrypted (client));
  g_assert_cmpuint (ms_smtp_client_get_greeting (client)->code, ==, 220);

  send_ok (client, rcpts, message);
  last = ms_smtp_client_get_last_reply (client);
  g_assert_cmpuint (last->code, ==, 250);
  g_assert_cmpstr (last->enhanced, ==, "2.0.0");
  g_assert_cmpstr (last->text, ==, "Ok: queued as 1");

  ms_smtp_client_quit (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ms_smtp_client_is_connected (client));

  assert_message (srv, 1, message);
  envelope = test_server_envelope (srv, 1);
  g_assert_cmpstr (envelope, ==, "MAIL FROM:<sender@example.org>\n"
                                 "RCPT TO:<one@example.org>\n"
                                 "RCPT TO:<two@example.net>\n");
  g_assert_cmpuint (test_server_count (srv, "C: EHLO client.test"), ==, 1);
  g_assert_cmpuint (test_server_count (srv, "C: QUIT"), ==, 1);
}

static void
test_default_helo_and_reconnect (void)
{
  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = ms_smtp_client_new ("127.0.0.1", srv->port, MS_SECURITY_NONE);
  g_autoptr(GBytes) message = make_message ("again", "Reconnected.\r\n");

  /* The same client connects again after QUIT, with fresh state. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;

      ms_smtp_client_connect (client, NULL, &error);
      g_assert_no_error (error);
      send_ok (client, one_rcpt, message);
      ms_smtp_client_quit (client, NULL, &error);
      g_assert_no_error (error);
      g_assert_false (ms_smtp_client_is_connected (client));
    }
  g_assert_cmpuint (test_server_messages (srv), ==, 2);
  /* Without a name set, EHLO gives the local address as a literal. */
  g_assert_cmpuint (test_server_count (srv, "C: EHLO [127.0.0.1]\n"), ==, 2);
}

static void
test_connect_refused (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  guint16 port;

  /* A port that was free a moment ago and has no listener. */
  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  client = make_client ("127.0.0.1", port, MS_SECURITY_NONE);
  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CONNECT);
  g_assert_nonnull (strstr (error->message, "refused"));
  g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_NETWORK);

  /* (Name resolution failures are not tested: without a network a DNS query can
   * take many seconds before it fails.) */
}

static void
test_helo_fallback (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--no-ehlo", NULL);
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  g_autoptr(GBytes) message = make_message ("helo", "Plain 7-bit text.\r\n");

  g_assert_cmpuint (ms_smtp_client_get_capabilities (client), ==, MS_SMTP_CAP_NONE);
  send_ok (client, one_rcpt, message);
  assert_message (srv, 1, message);
  g_assert_cmpuint (test_server_count (srv, "C: HELO client.test"), ==, 1);
  /* Without ESMTP there is no SIZE= or BODY= parameter. */
  g_assert_cmpuint (test_server_count (srv, "C: MAIL FROM:<sender@example.org>\n"), ==, 1);
}

/* TLS */

static void
test_tls_implicit (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  const char *hosts[] = { "127.0.0.1", "localhost" };

  if (!need_certs ())
    return;
  srv = tls_server_start ("tls", "good.pem", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr(MsSmtpClient) client = make_client (hosts[i], srv->port, MS_SECURITY_TLS);
      g_autofree char *ca = cert_path ("ca.pem");
      g_autoptr(GBytes) message = make_message (hosts[i], "Over TLS.\r\n");
      g_autoptr(GError) error = NULL;
      MsConnection *conn;

      ms_smtp_client_set_ca_file (client, ca);
      ms_smtp_client_connect (client, NULL, &error);
      g_assert_no_error (error);
      g_assert_true (ms_smtp_client_is_encrypted (client));
      conn = ms_smtp_client_get_connection (client);
      g_assert_true (g_str_has_prefix (ms_connection_get_tls_version (conn), "TLSv1."));
      g_assert_cmpstr (ms_connection_get_tls_version (conn), !=, "TLSv1.1");
      g_assert_nonnull (ms_connection_get_tls_cipher (conn));
      g_assert_cmpuint (strlen (ms_connection_get_peer_sha256 (conn)), ==, 64);
      send_ok (client, one_rcpt, message);
      ms_smtp_client_quit (client, NULL, NULL);
      assert_message (srv, i + 1, message);
    }
  g_assert_cmpuint (test_server_count (srv, "TLS started"), ==, 2);
}

static void
test_tls_starttls (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GBytes) message = make_message ("starttls", "Upgraded.\r\n");
  g_autoptr(GError) error = NULL;
  g_autofree char *transcript = NULL;
  const char *tls_at, *auth_at;

  if (!need_certs ())
    return;
  srv = tls_server_start ("starttls", "good.pem", "--auth", "user:secret", "--require-auth", NULL);
  client = connect_client (srv, MS_SECURITY_STARTTLS);

  g_assert_true (ms_smtp_client_is_encrypted (client));
  /* Capabilities are those announced after TLS: AUTH appears, STARTTLS is gone. */
  g_assert_false (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_STARTTLS);
  g_assert_true (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_AUTH);

  ms_smtp_client_authenticate (client, "user", "secret", NULL, &error);
  g_assert_no_error (error);
  send_ok (client, one_rcpt, message);
  ms_smtp_client_quit (client, NULL, NULL);
  assert_message (srv, 1, message);

  transcript = ms_test_server_dup_transcript (srv);
  g_assert_cmpuint (count_occurrences (transcript, "C: EHLO client.test"), ==, 2);
  tls_at = strstr (transcript, "TLS started");
  auth_at = strstr (transcript, "C: AUTH");
  g_assert_nonnull (tls_at);
  g_assert_nonnull (auth_at);
  g_assert_true (auth_at > tls_at);
}

static void
test_tls_verify_ip_and_localhost_v6 (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  const char *args[10];

  if (!need_certs ())
    return;
  cert_file = cert_path ("good.pem");
  key_file = cert_path ("server.key");
  args[0] = "--listen";
  args[1] = "::1";
  args[2] = "--security";
  args[3] = "tls";
  args[4] = "--cert";
  args[5] = cert_file;
  args[6] = "--key";
  args[7] = key_file;
  args[8] = NULL;
  srv = test_server_startv (args);
  if (srv->port == 0)
    {
      g_test_skip ("IPv6 loopback is not available");
      return;
    }

  /* An IPv6 literal, checked against the certificate's IP:::1 entry. */
  client = make_client ("::1", srv->port, MS_SECURITY_TLS);
  {
    g_autofree char *ca = cert_path ("ca.pem");

    ms_smtp_client_set_ca_file (client, ca);
  }
  ms_smtp_client_connect (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (ms_smtp_client_is_encrypted (client));
  ms_smtp_client_quit (client, NULL, NULL);
}

typedef struct
{
  const char *cert;
  const char *host;
  gboolean    with_ca;
  int         code;
  const char *message_part;
} BadCertCase;

static const BadCertCase bad_cert_cases[] = {
  { "wronghost.pem", "127.0.0.1", TRUE, MS_NET_ERROR_CERT_HOSTNAME, "wrong.example.org" },
  { "wronghost.pem", "localhost", TRUE, MS_NET_ERROR_CERT_HOSTNAME, "not for localhost" },
  { "expired.pem", "localhost", TRUE, MS_NET_ERROR_CERT_EXPIRED, "2020-01-02" },
  { "selfsigned.pem", "localhost", TRUE, MS_NET_ERROR_CERT_UNTRUSTED, "self-signed" },
  { "good.pem", "localhost", FALSE, MS_NET_ERROR_CERT_UNTRUSTED, "fingerprint" },
};

static void
test_tls_bad_certificates (void)
{
  if (!need_certs ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bad_cert_cases); i++)
    {
      const BadCertCase *c = &bad_cert_cases[i];
      const char *modes[] = { "tls", "starttls" };

      for (guint m = 0; m < G_N_ELEMENTS (modes); m++)
        {
          g_autoptr(MsTestServer) srv = tls_server_start (modes[m], c->cert, "--auth", "u:p",
                                                        "--auth-before-tls", NULL);
          MsSecurity security = m == 0 ? MS_SECURITY_TLS : MS_SECURITY_STARTTLS;
          g_autoptr(MsSmtpClient) client = make_client (c->host, srv->port, security);
          g_autofree char *ca = cert_path ("ca.pem");
          g_autoptr(GError) error = NULL;
          g_autofree char *transcript = NULL;

          if (c->with_ca)
            ms_smtp_client_set_ca_file (client, ca);
          g_assert_false (ms_smtp_client_connect (client, NULL, &error));
          g_test_message ("%s %s via %s: %s", c->cert, c->host, modes[m], error->message);
          g_assert_error (error, MS_NET_ERROR, c->code);
          g_assert_nonnull (strstr (error->message, c->message_part));
          g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_TLS);
          g_assert_false (ms_smtp_client_is_connected (client));
          /* The peer's fingerprint is known, so the UI can offer to pin it. */
          g_assert_nonnull (ms_connection_get_peer_sha256 (ms_smtp_client_get_connection (client)));

          test_server_wait_for (srv, "1 !: closed");
          transcript = ms_test_server_dup_transcript (srv);
          g_assert_null (strstr (transcript, "TLS started"));
          g_assert_null (strstr (transcript, "C: AUTH"));
          g_assert_null (strstr (transcript, ": MAIL"));
        }
    }
}

static char *
openssl_fingerprint (const char *cert)
{
  g_autofree char *path = cert_path (cert);
  const char *argv[] = { "openssl", "x509", "-in", path, "-noout", "-fingerprint", "-sha256", NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  const char *eq;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, NULL, NULL, &error);
  g_assert_no_error (error);
  eq = strchr (out, '=');
  g_assert_nonnull (eq);
  return g_strstrip (g_strdup (eq + 1));
}

static void
test_tls_pinned (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autofree char *pin = NULL;
  g_autofree char *other_pin = NULL;
  g_autofree char *expected = NULL;

  if (!need_certs ())
    return;
  srv = tls_server_start ("tls", "selfsigned.pem", NULL);
  /* "AB:CD:..." as openssl prints it, computed independently of our code */
  pin = openssl_fingerprint ("selfsigned.pem");
  other_pin = openssl_fingerprint ("good.pem");
  expected = ms_fingerprint_normalize (pin, NULL);

  /* The right pin replaces CA verification: a self-signed certificate is accepted. */
  {
    g_autoptr(MsSmtpClient) client = make_client ("127.0.0.1", srv->port, MS_SECURITY_TLS);
    g_autoptr(GBytes) message = make_message ("pinned", "Pinned.\r\n");
    g_autoptr(GError) error = NULL;

    ms_smtp_client_set_pinned_sha256 (client, pin, &error);
    g_assert_no_error (error);
    ms_smtp_client_connect (client, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ms_connection_get_peer_sha256 (ms_smtp_client_get_connection (client)), ==, expected);
    send_ok (client, one_rcpt, message);
    ms_smtp_client_quit (client, NULL, NULL);
    assert_message (srv, 1, message);
  }

  /* Another certificate's pin is refused, even with the CA that signed it. */
  {
    g_autoptr(MsSmtpClient) client = make_client ("localhost", srv->port, MS_SECURITY_TLS);
    g_autofree char *ca = cert_path ("ca.pem");
    g_autoptr(GError) error = NULL;

    ms_smtp_client_set_ca_file (client, ca);
    ms_smtp_client_set_pinned_sha256 (client, other_pin, &error);
    g_assert_no_error (error);
    g_assert_false (ms_smtp_client_connect (client, NULL, &error));
    g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_PIN_MISMATCH);
    g_assert_nonnull (strstr (error->message, pin));
    g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_TLS);
  }

  /* A malformed pin is a configuration error. */
  {
    g_autoptr(MsSmtpClient) client = make_client ("localhost", srv->port, MS_SECURITY_TLS);
    g_autoptr(GError) error = NULL;

    g_assert_false (ms_smtp_client_set_pinned_sha256 (client, "12:34", &error));
    g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CONFIG);
  }
  g_assert_cmpuint (test_server_messages (srv), ==, 1);
}

static void
test_tls_against_plain_server (void)
{
  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = make_client ("127.0.0.1", srv->port, MS_SECURITY_TLS);
  g_autoptr(GError) error = NULL;

  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE);
  g_assert_nonnull (strstr (error->message, "STARTTLS"));
}

static void
test_tls_bad_ca_file (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_certs ())
    return;
  srv = tls_server_start ("tls", "good.pem", NULL);
  client = make_client ("localhost", srv->port, MS_SECURITY_TLS);
  ms_smtp_client_set_ca_file (client, "/nonexistent/ca.pem");
  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CONFIG);
}

/* STARTTLS attacks */

static void
test_starttls_unavailable (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *transcript = NULL;

  if (!need_certs ())
    return;
  /* A server (or a man in the middle) that strips STARTTLS but offers AUTH. */
  srv = tls_server_start ("starttls", "good.pem", "--no-starttls", "--auth", "user:secret",
                          "--auth-before-tls", NULL);
  ca = cert_path ("ca.pem");
  client = make_client ("localhost", srv->port, MS_SECURITY_STARTTLS);
  ms_smtp_client_set_ca_file (client, ca);
  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_UNAVAILABLE);
  g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_TLS);
  g_assert_false (ms_smtp_client_is_connected (client));

  test_server_wait_for (srv, "1 !: closed");
  transcript = ms_test_server_dup_transcript (srv);
  g_assert_nonnull (strstr (transcript, "C: EHLO"));
  g_assert_null (strstr (transcript, "C: AUTH"));
  g_assert_null (strstr (transcript, ": MAIL"));
  g_assert_null (strstr (transcript, "C: STARTTLS"));
}

static void
test_starttls_injection (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *transcript = NULL;
  const char *after;

  if (!need_certs ())
    return;
  srv = tls_server_start ("starttls", "good.pem", "--auth", "user:secret",
                          "--fault", "{\"stage\": \"starttls\", \"inject\": \"250 injected\"}",
                          NULL);
  ca = cert_path ("ca.pem");
  client = make_client ("localhost", srv->port, MS_SECURITY_STARTTLS);
  ms_smtp_client_set_ca_file (client, ca);
  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_INJECTION);
  g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_TLS);

  test_server_wait_for (srv, "1 !: closed");
  transcript = ms_test_server_dup_transcript (srv);
  after = strstr (transcript, "injected after STARTTLS");
  g_assert_nonnull (after);
  /* Nothing at all followed: no handshake, no second EHLO, no AUTH. */
  g_assert_null (strstr (after, "C: "));
  g_assert_null (strstr (transcript, "TLS started"));
}

/* Authentication */

static void
test_auth_mechanisms (void)
{
  const char *mechs[] = { "PLAIN", "LOGIN", "LOGIN PLAIN" };

  if (!need_certs ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (mechs); i++)
    {
      g_autoptr(MsTestServer) srv = tls_server_start ("tls", "good.pem", "--auth", "jörg@example.de:pa ss:wörd",
                                                    "--auth-mechanisms", mechs[i], "--require-auth", NULL);
      g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_TLS);
      g_autoptr(GBytes) message = make_message ("auth", "Authenticated.\r\n");
      g_autoptr(GError) error = NULL;
      const char * const *offered = ms_smtp_client_get_auth_mechanisms (client);
      g_autofree char *expected_auth = g_strdup_printf ("C: AUTH %s", strstr (mechs[i], "PLAIN") ? "PLAIN" : "LOGIN");

      g_assert_true (g_strv_contains (offered, strstr (mechs[i], "PLAIN") ? "PLAIN" : "LOGIN"));
      ms_smtp_client_authenticate (client, "jörg@example.de", "pa ss:wörd", NULL, &error);
      g_assert_no_error (error);
      send_ok (client, one_rcpt, message);
      assert_message (srv, 1, message);
      g_assert_cmpuint (test_server_count (srv, expected_auth), ==, 1);
      g_assert_cmpuint (test_server_count (srv, "S: 235 2.7.0"), ==, 1);
    }
}

static void
test_auth_wrong_password (void)
{
  const char *mechs[] = { "PLAIN", "LOGIN" };

  if (!need_certs ())
    return;

  for (guint i = 0; i < G_N_ELEMENTS (mechs); i++)
    {
      g_autoptr(MsTestServer) srv = tls_server_start ("tls", "good.pem", "--auth", "user:secret",
                                                    "--auth-mechanisms", mechs[i], "--require-auth", NULL);
      g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_TLS);
      g_autoptr(GBytes) message = make_message ("auth", "Refused.\r\n");
      g_autoptr(GError) error = NULL;
      const MsSmtpReply *reply;
      MsSmtpStage stage;

      g_assert_false (ms_smtp_client_authenticate (client, "user", "wrong", NULL, &error));
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED);
      g_assert_nonnull (strstr (error->message, "535 5.7.8"));
      g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_AUTH);
      reply = ms_smtp_client_get_error_reply (client, &stage);
      g_assert_cmpuint (reply->code, ==, 535);
      g_assert_cmpint (stage, ==, MS_SMTP_STAGE_AUTH);

      /* Not logged in: the server wants authentication first. */
      g_clear_error (&error);
      g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message,
                                                NULL, NULL, &error));
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED);
      g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_AUTH);

      /* The connection still works: log in properly and send. */
      g_clear_error (&error);
      ms_smtp_client_authenticate (client, "user", "secret", NULL, &error);
      g_assert_no_error (error);
      send_ok (client, one_rcpt, message);
      g_assert_cmpuint (test_server_messages (srv), ==, 1);
    }
}

static void
trace_collect (MsSmtpClient *client,
               MsSmtpTrace   kind,
               const char   *line,
               gpointer      user_data)
{
  g_ptr_array_add (user_data, g_strdup_printf ("%d %s", kind, line));
}

static void
test_auth_plaintext (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--auth", "user:Sup3rSecret", "--require-auth", NULL);
  g_autoptr(GBytes) message = make_message ("plaintext", "Plain text login.\r\n");
  g_autoptr(GPtrArray) trace = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *secret64 = g_base64_encode ((const guchar *) "\0user\0Sup3rSecret", 18);
  g_autofree char *password64 = g_base64_encode ((const guchar *) "Sup3rSecret", 11);

  /* Refused by default: nothing is sent. */
  {
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GError) error = NULL;

    g_assert_true (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_AUTH);
    g_assert_false (ms_smtp_client_authenticate (client, "user", "Sup3rSecret", NULL, &error));
    g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_PLAINTEXT);
    g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_AUTH);
    ms_smtp_client_quit (client, NULL, NULL);
    test_server_wait_for (srv, "1 !: closed");
    g_assert_cmpuint (test_server_count (srv, "C: AUTH"), ==, 0);
  }

  /* Allowed when the profile explicitly chose no encryption. */
  {
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GError) error = NULL;

    ms_smtp_client_set_allow_plaintext_auth (client, TRUE);
    ms_smtp_client_set_trace_func (client, trace_collect, g_ptr_array_ref (trace),
                                   (GDestroyNotify) g_ptr_array_unref);
    ms_smtp_client_authenticate (client, "user", "Sup3rSecret", NULL, &error);
    g_assert_no_error (error);
    send_ok (client, one_rcpt, message);
    assert_message (srv, 1, message);
  }

  /* The same with AUTH LOGIN. */
  {
    g_autoptr(MsTestServer) login_srv = test_server_start ("--auth", "user:Sup3rSecret",
                                                         "--auth-mechanisms", "LOGIN", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (login_srv, MS_SECURITY_NONE);
    g_autoptr(GError) error = NULL;

    ms_smtp_client_set_allow_plaintext_auth (client, TRUE);
    ms_smtp_client_set_trace_func (client, trace_collect, g_ptr_array_ref (trace),
                                   (GDestroyNotify) g_ptr_array_unref);
    ms_smtp_client_authenticate (client, "user", "Sup3rSecret", NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (test_server_count (login_srv, "C: AUTH LOGIN"), ==, 1);
    /* The server did receive the password: the trace below must not show it. */
    g_assert_cmpuint (test_server_count (login_srv, password64), ==, 1);
  }

  /* The trace shows the conversation but never the password. */
  g_assert_cmpuint (trace->len, >, 5);
  for (guint i = 0; i < trace->len; i++)
    {
      const char *line = g_ptr_array_index (trace, i);

      g_assert_null (strstr (line, "Sup3rSecret"));
      g_assert_null (strstr (line, secret64));
      g_assert_null (strstr (line, password64));
    }
}

/* Faults at each stage */

typedef struct
{
  const char    *fault;
  MsSmtpStage    stage;
  guint          code;
  MsSmtpFailure  failure;
  gboolean       closes;      /* the server hangs up after the reply */
  gboolean       needs_rset;  /* the transaction was open when it failed */
} FaultCase;

static const FaultCase fault_cases[] = {
  { "{\"stage\": \"mail\", \"message\": 1, \"reply\": \"553 5.7.1 Sender address rejected: not owned by auth user\"}",
    MS_SMTP_STAGE_MAIL, 553, MS_SMTP_FAILURE_ACCOUNT, FALSE, TRUE },
  { "{\"stage\": \"mail\", \"message\": 1, \"reply\": \"451 4.3.0 Temporary local problem\"}",
    MS_SMTP_STAGE_MAIL, 451, MS_SMTP_FAILURE_TEMPORARY, FALSE, TRUE },
  { "{\"stage\": \"mail\", \"message\": 1, \"reply\": \"421 4.7.0 Too many messages, closing\", \"close\": true}",
    MS_SMTP_STAGE_MAIL, 421, MS_SMTP_FAILURE_ACCOUNT, TRUE, FALSE },
  { "{\"stage\": \"rcpt\", \"message\": 1, \"reply\": \"550 5.1.1 No such user\"}",
    MS_SMTP_STAGE_RCPT, 550, MS_SMTP_FAILURE_RECIPIENT, FALSE, TRUE },
  { "{\"stage\": \"rcpt\", \"message\": 1, \"reply\": \"450 4.2.0 Greylisted, try again later\"}",
    MS_SMTP_STAGE_RCPT, 450, MS_SMTP_FAILURE_TEMPORARY, FALSE, TRUE },
  { "{\"stage\": \"rcpt\", \"message\": 1, \"reply\": \"451 4.7.1 Rate limit exceeded\"}",
    MS_SMTP_STAGE_RCPT, 451, MS_SMTP_FAILURE_ACCOUNT, FALSE, TRUE },
  { "{\"stage\": \"data\", \"message\": 1, \"reply\": \"554 5.6.0 Transaction failed\"}",
    MS_SMTP_STAGE_DATA, 554, MS_SMTP_FAILURE_MESSAGE, FALSE, TRUE },
  { "{\"stage\": \"data\", \"message\": 1, \"reply\": \"451 4.3.0 Local error in processing\"}",
    MS_SMTP_STAGE_DATA, 451, MS_SMTP_FAILURE_TEMPORARY, FALSE, TRUE },
  { "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"552 5.3.4 Message too big\"}",
    MS_SMTP_STAGE_DATA_END, 552, MS_SMTP_FAILURE_MESSAGE, FALSE, FALSE },
  { "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"554 5.7.1 Message rejected as spam\"}",
    MS_SMTP_STAGE_DATA_END, 554, MS_SMTP_FAILURE_ACCOUNT, FALSE, FALSE },
  { "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"550 5.4.5 Daily sending quota exceeded\"}",
    MS_SMTP_STAGE_DATA_END, 550, MS_SMTP_FAILURE_ACCOUNT, FALSE, FALSE },
  { "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"450 4.2.0 Temporary failure\"}",
    MS_SMTP_STAGE_DATA_END, 450, MS_SMTP_FAILURE_TEMPORARY, FALSE, FALSE },
  { "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"421 4.4.2 Timeout, closing\", \"close\": true}",
    MS_SMTP_STAGE_DATA_END, 421, MS_SMTP_FAILURE_ACCOUNT, TRUE, FALSE },
};

static void
test_faults_stages (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (fault_cases); i++)
    for (guint pipelining = 0; pipelining < 2; pipelining++)
      {
        const FaultCase *c = &fault_cases[i];
        g_autoptr(MsTestServer) srv = test_server_start ("--fault", c->fault,
                                                       pipelining ? NULL : "--no-pipelining", NULL);
        g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
        g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
        g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
        g_autoptr(GPtrArray) replies = NULL;
        g_autoptr(GError) error = NULL;
        const MsSmtpReply *reply;
        MsSmtpStage stage;

        g_test_message ("%s (pipelining %s)", c->fault, pipelining ? "on" : "off");
        g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, first,
                                                  &replies, NULL, &error));
        g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED);
        reply = ms_smtp_client_get_error_reply (client, &stage);
        g_assert_nonnull (reply);
        g_assert_cmpuint (reply->code, ==, c->code);
        g_assert_cmpint (stage, ==, c->stage);
        g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, c->failure);
        g_assert_nonnull (strstr (error->message, reply->text));
        if (c->stage == MS_SMTP_STAGE_RCPT)
          {
            g_assert_nonnull (replies);
            g_assert_cmpuint (replies->len, ==, 1);
            g_assert_cmpuint (((MsSmtpReply *) g_ptr_array_index (replies, 0))->code, ==, c->code);
          }

        if (c->closes)
          {
            g_assert_false (ms_smtp_client_is_connected (client));
            continue;
          }
        /* The same connection carries on with the next message. */
        g_assert_true (ms_smtp_client_is_connected (client));
        send_ok (client, one_rcpt, second);
        g_assert_cmpuint (test_server_messages (srv), ==, 1);
        assert_message (srv, 1, second);
        g_assert_cmpuint (test_server_count (srv, "C: RSET"), ==, c->needs_rset ? 1 : 0);
        if (!pipelining)
          g_assert_cmpuint (test_server_count (srv, "C+:"), ==, 0);
      }
}

static void
test_greeting_refused (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--fault",
                                                 "{\"stage\": \"greeting\", \"reply\": \"554 5.7.1 Your IP is blocked\", \"close\": true}",
                                                 NULL);
  g_autoptr(MsSmtpClient) client = make_client ("127.0.0.1", srv->port, MS_SECURITY_NONE);
  g_autoptr(GError) error = NULL;
  MsSmtpStage stage;

  g_assert_false (ms_smtp_client_connect (client, NULL, &error));
  g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED);
  g_assert_nonnull (strstr (error->message, "blocked"));
  g_assert_cmpuint (ms_smtp_client_get_error_reply (client, &stage)->code, ==, 554);
  g_assert_cmpint (stage, ==, MS_SMTP_STAGE_GREETING);
  g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_ACCOUNT);
}

static void
test_disconnect_mid_data (void)
{
  const char *faults[] = {
    "{\"stage\": \"body\", \"message\": 1, \"disconnect\": true}",
    "{\"stage\": \"data-end\", \"message\": 1, \"disconnect\": true}",
  };

  for (guint i = 0; i < G_N_ELEMENTS (faults); i++)
    {
      g_autoptr(MsTestServer) srv = test_server_start ("--fault", faults[i], NULL);
      g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
      g_autoptr(GString) body = g_string_new (NULL);
      g_autoptr(GBytes) message = NULL;
      g_autoptr(GError) error = NULL;

      for (guint line = 0; line < 2000; line++)
        g_string_append_printf (body, "Line %u of a message the server will not finish reading.\r\n", line);
      message = make_message ("cut", body->str);

      g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message,
                                                NULL, NULL, &error));
      g_test_message ("%s: %s", faults[i], error->message);
      g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED);
      g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_NETWORK);
      g_assert_null (ms_smtp_client_get_error_reply (client, NULL));
      g_assert_false (ms_smtp_client_is_connected (client));
      g_assert_cmpuint (test_server_messages (srv), ==, 0);

      /* Later calls fail cleanly. */
      g_clear_error (&error);
      g_assert_false (ms_smtp_client_rset (client, NULL, &error));
      g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED);
    }
}

static void
test_timeouts (void)
{
  struct
  {
    const char *fault;
    gboolean    at_connect;
    const char *message_part;
  } cases[] = {
    { "{\"stage\": \"greeting\", \"delay\": 5}", TRUE, "greeting" },
    { "{\"stage\": \"mail\", \"delay\": 5}", FALSE, "MAIL FROM" },
    { "{\"stage\": \"data-end\", \"delay\": 5}", FALSE, "end of the message" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsTestServer) srv = test_server_start ("--fault", cases[i].fault, NULL);
      g_autoptr(MsSmtpClient) client = make_client ("127.0.0.1", srv->port, MS_SECURITY_NONE);
      g_autoptr(GBytes) message = make_message ("slow", "Slow.\r\n");
      g_autoptr(GError) error = NULL;
      MsSmtpTimeouts t;
      gint64 start;
      gboolean ok;

      ms_smtp_client_get_timeouts (client, &t);
      t.greeting = t.mail = t.data_end = 300;
      ms_smtp_client_set_timeouts (client, &t);

      start = g_get_monotonic_time ();
      ok = ms_smtp_client_connect (client, NULL, &error);
      if (!cases[i].at_connect)
        {
          g_assert_no_error (error);
          ok = ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message, NULL,
                                         NULL, &error);
        }
      g_assert_false (ok);
      g_test_message ("%s", error->message);
      g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_TIMEOUT);
      g_assert_nonnull (strstr (error->message, cases[i].message_part));
      g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
      g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * 1000);
      g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_NETWORK);
      g_assert_false (ms_smtp_client_is_connected (client));
    }
}

static gpointer
cancel_later (gpointer data)
{
  g_usleep (200 * 1000);
  g_cancellable_cancel (data);
  return NULL;
}

static void
test_cancel (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--fault", "{\"stage\": \"mail\", \"delay\": 5}", NULL);
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  g_autoptr(GBytes) message = make_message ("cancel", "Cancelled.\r\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  GThread *thread;
  gint64 start = g_get_monotonic_time ();

  thread = g_thread_new ("cancel", cancel_later, cancellable);
  g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message,
                                            NULL, cancellable, &error));
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_false (ms_smtp_client_is_connected (client));
}

/* Message content and extensions */

static void
test_pipelining (void)
{
  struct
  {
    gboolean    server_offers;
    gboolean    client_uses;
    gboolean    batched;
  } cases[] = {
    { TRUE, TRUE, TRUE },
    { TRUE, FALSE, FALSE },
    { FALSE, TRUE, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(MsTestServer) srv = test_server_start (cases[i].server_offers ? NULL : "--no-pipelining", NULL);
      g_autoptr(MsSmtpClient) client = make_client ("127.0.0.1", srv->port, MS_SECURITY_NONE);
      const char * const rcpts[] = { "a@example.org", "b@example.org", "c@example.org", NULL };
      g_autoptr(GError) error = NULL;

      ms_smtp_client_set_use_pipelining (client, cases[i].client_uses);
      ms_smtp_client_connect (client, NULL, &error);
      g_assert_no_error (error);
      for (guint n = 0; n < 3; n++)
        {
          g_autofree char *subject = g_strdup_printf ("pipelined %u", n);
          g_autoptr(GBytes) message = make_message (subject, "Body.\r\n");

          send_ok (client, rcpts, message);
          assert_message (srv, n + 1, message);
        }
      ms_smtp_client_quit (client, NULL, NULL);
      /* "C+" marks a command that arrived while another already waited. */
      if (cases[i].batched)
        g_assert_cmpuint (test_server_count (srv, "C+: MAIL FROM"), ==, 3);
      else
        g_assert_cmpuint (test_server_count (srv, "C+:"), ==, 0);
      g_assert_cmpuint (test_server_count (srv, "C: DATA"), ==, 3);
    }

  /* Very many recipients are not pipelined (both directions' buffers could fill),
   * yet all arrive. */
  {
    g_autoptr(MsTestServer) srv = plain_server_start ();
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) message = make_message ("crowd", "Many.\r\n");
    g_autoptr(GPtrArray) rcpts = g_ptr_array_new_with_free_func (g_free);
    g_autofree char *envelope = NULL;

    for (guint i = 0; i < 150; i++)
      g_ptr_array_add (rcpts, g_strdup_printf ("rcpt%03u@example.org", i));
    g_ptr_array_add (rcpts, NULL);
    send_ok (client, (const char * const *) rcpts->pdata, message);
    envelope = test_server_envelope (srv, 1);
    g_assert_cmpuint (count_occurrences (envelope, "RCPT TO:<rcpt"), ==, 150);
    g_assert_nonnull (strstr (envelope, "RCPT TO:<rcpt149@example.org>\n"));
    g_assert_cmpuint (test_server_count (srv, "C+:"), ==, 0);
  }
}

/* Sends @message up to its final dot, with @next's envelope going ahead. */
static gboolean
send_with_next (MsSmtpClient  *client,
                GBytes        *message,
                GBytes        *next,
                GError       **error)
{
  gsize length;
  const char *data = g_bytes_get_data (message, &length);
  MsSmtpEnvelope envelope = { "sender@example.org", one_rcpt, 0, MS_SMTP_MAIL_DEFAULT };

  if (next != NULL)
    envelope.size = g_bytes_get_size (next);
  return ms_smtp_client_begin_message (client, "sender@example.org", one_rcpt, length,
                                       MS_SMTP_MAIL_DEFAULT, NULL, NULL, error)
         && ms_smtp_client_data_finish_with (client, data, length, next != NULL ? &envelope : NULL,
                                             NULL, error);
}

static void
test_envelope_ahead (void)
{
  /* The next envelope leaves with the final dot; the next message then only
   * reads the replies.  The server sees its MAIL before the client asked. */
  {
    g_autoptr(MsTestServer) srv = plain_server_start ();
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
    g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
    g_autoptr(GBytes) third = make_message ("third", "Three.\r\n");
    g_autoptr(GError) error = NULL;

    g_assert_true (send_with_next (client, first, second, &error));
    g_assert_no_error (error);
    g_assert_true (ms_smtp_client_has_envelope_ahead (client));
    for (guint i = 0; i < 500 && test_server_count (srv, "MAIL FROM:") < 2; i++)
      g_usleep (10 * 1000);
    g_assert_cmpuint (test_server_count (srv, "MAIL FROM:<sender@example.org>"), ==, 2);
    g_assert_true (send_with_next (client, second, third, &error));
    g_assert_no_error (error);
    g_assert_true (send_with_next (client, third, NULL, &error));
    g_assert_no_error (error);
    g_assert_false (ms_smtp_client_has_envelope_ahead (client));
    g_assert_cmpuint (test_server_count (srv, "MAIL FROM:"), ==, 3);
    assert_message (srv, 1, first);
    assert_message (srv, 2, second);
    assert_message (srv, 3, third);
    /* An envelope ahead can only be taken back by hanging up: QUIT would be
     * message text.  Nothing arrives. */
    g_assert_true (send_with_next (client, first, second, &error));
    g_assert_true (ms_smtp_client_has_envelope_ahead (client));
    g_assert_true (ms_smtp_client_quit (client, NULL, NULL));
    g_assert_false (ms_smtp_client_is_connected (client));
    test_server_wait_for (srv, "closed");
    g_assert_cmpuint (test_server_messages (srv), ==, 4);
    g_assert_cmpuint (test_server_count (srv, "C: QUIT"), ==, 0);
  }

  /* Another envelope than the one announced: the connection is closed, and the
   * announced one never becomes a message. */
  {
    g_autoptr(MsTestServer) srv = plain_server_start ();
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
    g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
    const char * const other_rcpt[] = { "other@example.org", NULL };
    g_autoptr(GError) error = NULL;

    g_assert_true (send_with_next (client, first, second, &error));
    g_assert_false (ms_smtp_client_begin_message (client, "sender@example.org", other_rcpt,
                                                  g_bytes_get_size (second), MS_SMTP_MAIL_DEFAULT,
                                                  NULL, NULL, &error));
    g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED);
    g_assert_false (ms_smtp_client_is_connected (client));
    test_server_wait_for (srv, "closed");
    g_assert_cmpuint (test_server_messages (srv), ==, 1);
  }

  /* The dot refused: that message fails, the next one still goes. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--fault", "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"554 5.7.1 Rejected as spam\"}", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
    g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
    g_autoptr(GError) error = NULL;
    MsSmtpStage stage;

    g_assert_false (send_with_next (client, first, second, &error));
    g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED);
    g_assert_cmpuint (ms_smtp_client_get_error_reply (client, &stage)->code, ==, 554);
    g_assert_cmpint (stage, ==, MS_SMTP_STAGE_DATA_END);
    g_assert_true (ms_smtp_client_has_envelope_ahead (client));
    g_clear_error (&error);
    g_assert_true (send_with_next (client, second, NULL, &error));
    g_assert_no_error (error);
    assert_message (srv, 1, second);
  }

  /* 421 to the dot: the server hangs up, nothing is ahead any more. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--fault", "{\"stage\": \"data-end\", \"message\": 1, \"reply\": \"421 4.4.2 Timeout, closing\", \"close\": true}", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
    g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
    g_autoptr(GError) error = NULL;

    g_assert_false (send_with_next (client, first, second, &error));
    g_assert_nonnull (error);
    g_assert_false (ms_smtp_client_has_envelope_ahead (client));
    g_assert_false (ms_smtp_client_is_connected (client));
  }

  /* The same over STARTTLS: the envelope ahead travels in the TLS records of
   * the dot, and a large message goes out in chunks before its last one. */
  if (need_certs ())
    {
      g_autoptr(MsTestServer) srv = tls_server_start ("starttls", "good.pem", NULL);
      g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_STARTTLS);
      g_autoptr(GString) big = g_string_new (NULL);
      g_autoptr(GBytes) first = NULL;
      g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
      g_autoptr(GError) error = NULL;

      while (big->len < 200 * 1024)
        g_string_append (big, "A line of the large message, long enough to need several chunks.\r\n");
      first = make_message ("first", big->str);
      g_assert_true (ms_smtp_client_is_encrypted (client));
      g_assert_true (send_with_next (client, first, second, &error));
      g_assert_no_error (error);
      g_assert_true (ms_smtp_client_has_envelope_ahead (client));
      g_assert_true (send_with_next (client, second, NULL, &error));
      g_assert_no_error (error);
      assert_message (srv, 1, first);
      assert_message (srv, 2, second);
    }

  /* Without PIPELINING nothing goes ahead. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--no-pipelining", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) first = make_message ("first", "One.\r\n");
    g_autoptr(GBytes) second = make_message ("second", "Two.\r\n");
    g_autoptr(GError) error = NULL;

    g_assert_true (send_with_next (client, first, second, &error));
    g_assert_false (ms_smtp_client_has_envelope_ahead (client));
    g_assert_true (send_with_next (client, second, NULL, &error));
    g_assert_no_error (error);
    assert_message (srv, 2, second);
  }
}

static void
test_partial_recipients (void)
{
  for (guint pipelining = 0; pipelining < 2; pipelining++)
    {
      g_autoptr(MsTestServer) srv = test_server_start ("--fault",
                                                     "{\"stage\": \"rcpt\", \"recipient\": \"gone@example.org\", \"reply\": \"550 5.1.1 No such user\"}",
                                                     pipelining ? NULL : "--no-pipelining", NULL);
      g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
      const char * const rcpts[] = { "here@example.org", "gone@example.org", "there@example.org", NULL };
      const char * const all_gone[] = { "gone@example.org", NULL };
      g_autoptr(GBytes) message = make_message ("partial", "Some of you.\r\n");
      g_autoptr(GPtrArray) replies = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *envelope = NULL;

      g_assert_true (ms_smtp_client_send_sync (client, "sender@example.org", rcpts, message,
                                               &replies, NULL, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (replies->len, ==, 3);
      g_assert_cmpuint (((MsSmtpReply *) g_ptr_array_index (replies, 0))->code, ==, 250);
      g_assert_cmpuint (((MsSmtpReply *) g_ptr_array_index (replies, 1))->code, ==, 550);
      g_assert_cmpstr (((MsSmtpReply *) g_ptr_array_index (replies, 1))->enhanced, ==, "5.1.1");
      g_assert_cmpuint (((MsSmtpReply *) g_ptr_array_index (replies, 2))->code, ==, 250);
      envelope = test_server_envelope (srv, 1);
      g_assert_cmpstr (envelope, ==, "MAIL FROM:<sender@example.org>\n"
                                     "RCPT TO:<here@example.org>\n"
                                     "RCPT TO:<there@example.org>\n");

      g_clear_pointer (&replies, g_ptr_array_unref);
      g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", all_gone, message,
                                                &replies, NULL, &error));
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_REJECTED);
      g_assert_nonnull (strstr (error->message, "gone@example.org"));
      g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_RECIPIENT);
      g_assert_cmpuint (replies->len, ==, 1);
      g_assert_cmpuint (test_server_messages (srv), ==, 1);
    }
}

static void
test_dot_stuffing (void)
{
  struct
  {
    const char *input;
    const char *received;
  } cases[] = {
    { ".starts with a dot\r\n..two dots\r\n.\r\nend\r\n",
      ".starts with a dot\r\n..two dots\r\n.\r\nend\r\n" },
    { "bare LF\n.dot after LF\nlast line without end",
      "bare LF\r\n.dot after LF\r\nlast line without end\r\n" },
    { "bare CR\r.dot after CR\r\n", "bare CR\r\n.dot after CR\r\n" },
    { ".", ".\r\n" },
    { "\r\n.\r\n", "\r\n.\r\n" },
    { "", "" },
  };

  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) message = g_bytes_new_static (cases[i].input, strlen (cases[i].input));
      g_autoptr(GBytes) expected = g_bytes_new_static (cases[i].received, strlen (cases[i].received));

      send_ok (client, one_rcpt, message);
      assert_message (srv, i + 1, expected);
    }

  /* Split at every possible point, the result is the same. */
  {
    const char *input = "a\r\n.b\r\n..c\n.\r.d";
    const char *received = "a\r\n.b\r\n..c\r\n.\r\n.d\r\n";
    g_autoptr(GBytes) expected = g_bytes_new_static (received, strlen (received));
    gsize len = strlen (input);

    for (gsize split = 0; split <= len; split++)
      {
        g_autoptr(GError) error = NULL;

        ms_smtp_client_begin_message (client, "sender@example.org", one_rcpt, len,
                                      MS_SMTP_MAIL_DEFAULT, NULL, NULL, &error);
        g_assert_no_error (error);
        ms_smtp_client_data_write_body (client, input, split, NULL, &error);
        g_assert_no_error (error);
        ms_smtp_client_data_write_body (client, input + split, len - split, NULL, &error);
        g_assert_no_error (error);
        ms_smtp_client_data_finish (client, NULL, &error);
        g_assert_no_error (error);
        assert_message (srv, G_N_ELEMENTS (cases) + split + 1, expected);
      }
  }
}

/* 8-bit text found at every position and length, also across the word steps. */
static void
test_8bit_scan (void)
{
  guint8 buffer[40];

  memset (buffer, 'a', sizeof buffer);
  for (gsize length = 0; length <= sizeof buffer; length++)
    {
      g_assert_false (ms_smtp_data_is_8bit (buffer, length));
      for (gsize at = 0; at < length; at++)
        {
          buffer[at] = 0xd0;
          g_assert_true (ms_smtp_data_is_8bit (buffer, length));
          /* Past the end does not count. */
          g_assert_false (ms_smtp_data_is_8bit (buffer, at));
          buffer[at] = 'a';
        }
    }
}

static void
test_8bitmime (void)
{
  const char *body = "Gr\xc3\xbc\xc3\x9f" "e aus M\xc3\xbcnchen, \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82!\r\n";

  {
    g_autoptr(MsTestServer) srv = plain_server_start ();
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) message = make_message ("8bit", body);
    g_autoptr(GBytes) ascii = make_message ("7bit", "ASCII only.\r\n");
    g_autofree char *envelope = NULL;
    g_autofree char *expected = NULL;

    send_ok (client, one_rcpt, message);
    send_ok (client, one_rcpt, ascii);
    assert_message (srv, 1, message);
    envelope = test_server_envelope (srv, 1);
    g_assert_true (g_str_has_prefix (envelope, "MAIL FROM:<sender@example.org> BODY=8BITMIME\n"));
    g_clear_pointer (&envelope, g_free);
    envelope = test_server_envelope (srv, 2);
    g_assert_true (g_str_has_prefix (envelope, "MAIL FROM:<sender@example.org>\n"));
    g_assert_cmpuint (test_server_count (srv, "8-bit data without BODY=8BITMIME"), ==, 0);
  }

  /* A server without 8BITMIME: refused before anything is sent. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--no-8bitmime", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    g_autoptr(GBytes) message = make_message ("8bit", body);
    g_autoptr(GError) error = NULL;

    g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message,
                                              NULL, NULL, &error));
    g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_8BITMIME_UNAVAILABLE);
    g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_MESSAGE);
    g_assert_true (ms_smtp_client_is_connected (client));
    g_assert_cmpuint (test_server_count (srv, ": MAIL"), ==, 0);
  }
}

static void
test_smtputf8 (void)
{
  {
    g_autoptr(MsTestServer) srv = plain_server_start ();
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    const char * const utf8_rcpt[] = { "иван@пример.рф", NULL };
    const char * const idn_rcpt[] = { "ivan@пример.рф", NULL };
    g_autoptr(GBytes) message = make_message ("utf8", "Hello.\r\n");
    g_autofree char *envelope = NULL;

    send_ok (client, utf8_rcpt, message);
    envelope = test_server_envelope (srv, 1);
    g_assert_cmpstr (envelope, ==, "MAIL FROM:<sender@example.org> SMTPUTF8\n"
                                   "RCPT TO:<иван@пример.рф>\n");

    /* Only the domain is non-ASCII: it goes as punycode, SMTPUTF8 is not needed. */
    send_ok (client, idn_rcpt, message);
    g_clear_pointer (&envelope, g_free);
    envelope = test_server_envelope (srv, 2);
    g_assert_cmpstr (envelope, ==, "MAIL FROM:<sender@example.org>\n"
                                   "RCPT TO:<ivan@xn--e1afmkfd.xn--p1ai>\n");

    g_assert_true (ms_smtp_address_needs_smtputf8 ("иван@пример.рф"));
    g_assert_false (ms_smtp_address_needs_smtputf8 ("ivan@пример.рф"));
  }

  {
    g_autoptr(MsTestServer) srv = test_server_start ("--no-smtputf8", NULL);
    g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
    const char * const utf8_rcpt[] = { "иван@пример.рф", NULL };
    g_autoptr(GBytes) message = make_message ("utf8", "Hello.\r\n");
    g_autoptr(GError) error = NULL;

    g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", utf8_rcpt, message,
                                              NULL, NULL, &error));
    g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE);
    g_assert_cmpuint (test_server_count (srv, ": MAIL"), ==, 0);
  }
}

static void
test_invalid_addresses (void)
{
  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  g_autoptr(GBytes) message = make_message ("invalid", "Never sent.\r\n");
  const char *bad[] = {
    "victim@example.org>\r\nRCPT TO:<evil@example.org",
    "a b@example.org",
    "<a@example.org>",
    "a@example.org\n",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char * const rcpts[] = { bad[i], NULL };
      g_autoptr(GError) error = NULL;
      gboolean ok;

      g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", rcpts, message,
                                                NULL, NULL, &error));
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS);
      g_clear_error (&error);
      ok = ms_smtp_client_send_sync (client, bad[i], one_rcpt, message, NULL, NULL, &error);
      if (*bad[i] == '\0')
        {
          /* The null sender <> is valid (bounces use it). */
          g_assert_no_error (error);
          g_assert_true (ok);
          continue;
        }
      g_assert_false (ok);
      g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS);
    }
  g_assert_cmpuint (test_server_count (srv, "evil"), ==, 0);
  g_assert_cmpuint (test_server_count (srv, " MAIL FROM:<>\n"), ==, 1);
  g_assert_cmpuint (test_server_messages (srv), ==, 1);
}

static void
test_size (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--size", "1000", NULL);
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  g_autoptr(GString) big = g_string_new (NULL);
  g_autoptr(GBytes) small = make_message ("small", "Small.\r\n");
  g_autoptr(GBytes) large = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *envelope = NULL;
  g_autofree char *size_param = NULL;

  g_assert_true (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_SIZE);
  g_assert_cmpuint (ms_smtp_client_get_max_size (client), ==, 1000);

  send_ok (client, one_rcpt, small);
  envelope = test_server_envelope (srv, 1);
  size_param = g_strdup_printf ("MAIL FROM:<sender@example.org> SIZE=%" G_GSIZE_FORMAT "\n",
                                g_bytes_get_size (small));
  g_assert_true (g_str_has_prefix (envelope, size_param));

  while (big->len < 2000)
    g_string_append (big, "A line to make the message larger than the server allows.\r\n");
  large = make_message ("large", big->str);
  g_assert_false (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, large,
                                            NULL, NULL, &error));
  g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_TOO_BIG);
  g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_MESSAGE);
  g_assert_cmpuint (test_server_count (srv, ": MAIL"), ==, 1);
}

static void
test_many_messages (void)
{
  g_autoptr(MsTestServer) srv = test_server_start ("--fault",
                                                 "{\"stage\": \"rcpt\", \"message\": 10, \"reply\": \"550 5.1.1 No such user\"}",
                                                 NULL);
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  guint stored = 0;

  for (guint n = 1; n <= 50; n++)
    {
      g_autofree char *subject = g_strdup_printf ("message %u", n);
      g_autoptr(GBytes) message = make_message (subject, "One of many.\r\n");
      g_autoptr(GError) error = NULL;

      if (n == 25)
        {
          ms_smtp_client_rset (client, NULL, &error);
          g_assert_no_error (error);
        }
      if (n == 30)
        {
          ms_smtp_client_noop (client, NULL, &error);
          g_assert_no_error (error);
        }
      if (ms_smtp_client_send_sync (client, "sender@example.org", one_rcpt, message, NULL, NULL, &error))
        {
          g_assert_no_error (error);
          assert_message (srv, ++stored, message);
        }
      else
        {
          g_assert_cmpuint (n, ==, 10);
          g_assert_cmpint (ms_smtp_client_classify_error (client, error), ==, MS_SMTP_FAILURE_RECIPIENT);
        }
    }
  ms_smtp_client_quit (client, NULL, NULL);

  g_assert_cmpuint (stored, ==, 49);
  g_assert_cmpuint (test_server_messages (srv), ==, 49);
  g_assert_cmpuint (test_server_count (srv, "C: RSET"), ==, 2);
  g_assert_cmpuint (test_server_count (srv, "!: connected"), ==, 1);
}

static void
test_steps (void)
{
  g_autoptr(MsTestServer) srv = plain_server_start ();
  g_autoptr(MsSmtpClient) client = connect_client (srv, MS_SECURITY_NONE);
  const char *parts[] = { "From: a@example.org\r\nSubject: steps\r\n", "\r\nFirst ", "part.\r\n.Second\r\n" };
  g_autoptr(GBytes) expected = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) rcpt_reply = NULL;
  g_autofree char *whole = g_strjoin ("", parts[0], parts[1], parts[2], NULL);

  expected = g_bytes_new (whole, strlen (whole));

  /* The engine's order: envelope, body, (commit data-sent), final dot. */
  ms_smtp_client_begin_message (client, "sender@example.org", one_rcpt, strlen (whole),
                                MS_SMTP_MAIL_DEFAULT, &replies, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (replies->len, ==, 1);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      ms_smtp_client_data_write_body (client, parts[i], strlen (parts[i]), NULL, &error);
      g_assert_no_error (error);
    }
  /* The server has the body but not the final dot: nothing is stored yet. */
  g_assert_cmpuint (test_server_messages (srv), ==, 0);
  ms_smtp_client_data_finish (client, NULL, &error);
  g_assert_no_error (error);
  assert_message (srv, 1, expected);

  /* The single steps without pipelining. */
  ms_smtp_client_mail_from (client, "sender@example.org", 0, MS_SMTP_MAIL_DEFAULT, NULL, &error);
  g_assert_no_error (error);
  ms_smtp_client_rcpt_to (client, "rcpt@example.org", &rcpt_reply, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rcpt_reply->code, ==, 250);
  ms_smtp_client_data_begin (client, NULL, &error);
  g_assert_no_error (error);
  ms_smtp_client_data_write_body (client, whole, strlen (whole), NULL, &error);
  g_assert_no_error (error);
  ms_smtp_client_data_finish (client, NULL, &error);
  g_assert_no_error (error);
  assert_message (srv, 2, expected);

  /* Abandoning a message before the final dot: the server never stores it. */
  ms_smtp_client_begin_message (client, "sender@example.org", one_rcpt, 0,
                                MS_SMTP_MAIL_DEFAULT, NULL, NULL, &error);
  g_assert_no_error (error);
  ms_smtp_client_data_write_body (client, whole, strlen (whole), NULL, &error);
  g_assert_no_error (error);
  ms_smtp_client_close (client);
  g_assert_false (ms_smtp_client_is_connected (client));
  test_server_wait_for (srv, "1 !: closed");
  g_assert_cmpuint (test_server_messages (srv), ==, 2);
}

/* Postfix's smtp-sink */

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_true (g_socket_bind (socket, any, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
test_smtp_sink (void)
{
  g_autoptr(GSubprocess) sink = NULL;
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *listen = NULL;
  const char *mesg;
  guint attempts;

  if (!g_file_test (SMTP_SINK, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("Postfix's smtp-sink is not installed");
      return;
    }

  for (attempts = 0; attempts < 5 && client == NULL; attempts++)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();

      g_clear_pointer (&listen, g_free);
      listen = g_strdup_printf ("127.0.0.1:%u", free_port ());
      /* A shell keeps watch: when our end of its standard input closes (at the end
       * of the test, or if the test dies), the sink is stopped. */
      g_ptr_array_add (argv, (char *) "/bin/sh");
      g_ptr_array_add (argv, (char *) "-c");
      g_ptr_array_add (argv, (char *) "\"$0\" \"$@\" & pid=$!; cat > /dev/null; "
                                      "kill $pid 2> /dev/null; wait $pid");
      g_ptr_array_add (argv, (char *) SMTP_SINK);
      g_ptr_array_add (argv, (char *) "-c");
      if (geteuid () == 0)
        {
          /* smtp-sink refuses to keep root privileges */
          g_ptr_array_add (argv, (char *) "-u");
          g_ptr_array_add (argv, (char *) "nobody");
        }
      g_ptr_array_add (argv, (char *) "-n");
      g_ptr_array_add (argv, (char *) "1");
      g_ptr_array_add (argv, listen);
      g_ptr_array_add (argv, (char *) "16");
      g_ptr_array_add (argv, NULL);
      g_clear_object (&sink);
      sink = g_subprocess_newv ((const char * const *) argv->pdata,
                                G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                | G_SUBPROCESS_FLAGS_STDERR_MERGE, &error);
      g_assert_no_error (error);

      /* Wait until it listens. */
      for (guint i = 0; i < 100; i++)
        {
          g_autoptr(MsSmtpClient) attempt = make_client ("127.0.0.1", (guint16) atoi (strchr (listen, ':') + 1),
                                                         MS_SECURITY_NONE);

          if (ms_smtp_client_connect (attempt, NULL, &error))
            {
              client = g_steal_pointer (&attempt);
              break;
            }
          g_assert_error (error, MS_NET_ERROR, MS_NET_ERROR_CONNECT);
          g_clear_error (&error);
          g_usleep (10 * 1000);
        }
    }
  g_assert_nonnull (client);
  g_assert_true (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_PIPELINING);

  while (body->len < 5000)
    g_string_append (body, "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n.dot\r\n");
  message = make_message ("sink", body->str);

  for (guint n = 0; n < 200; n++)
    {
      const char * const rcpts[] = { "rcpt@example.org", NULL };

      ms_smtp_client_send_sync (client, "sender@example.org", rcpts, message, NULL, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (ms_smtp_client_get_last_reply (client)->code, ==, 250);
    }
  ms_smtp_client_quit (client, NULL, &error);
  g_assert_no_error (error);

  /* With -n 1 the sink exits after our session; -c printed its counters.  Closing
   * the shell's standard input ends it. */
  g_subprocess_communicate_utf8 (sink, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  mesg = g_strrstr (out, "mesg=");
  g_assert_nonnull (mesg);
  g_assert_cmpint (atoi (mesg + 5), ==, 200);
}

/* Setup */

static void
test_no_python (void)
{
  g_test_skip (MS_TEST_PYTHON " is missing: the loopback tests need it for their SMTP server");
}

int
main (int   argc,
      char *argv[])
{
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* Thousands of protocol lines: shown with G_MESSAGES_DEBUG set only. */
  ms_test_hide_debug ("ms-smtp", "ms-connection", NULL);

  work_dir = ms_test_make_built_dir ("test-smtp-XXXXXX");
  certs_dir = ms_test_make_certificates (work_dir);

  g_test_add_func ("/smtp/reply/parse", test_reply_parse);
  g_test_add_func ("/smtp/reply/helpers", test_reply_helpers);
  g_test_add_func ("/smtp/reply/classify", test_reply_classify);
  g_test_add_func ("/smtp/reply/classify-errors", test_error_classify);
  g_test_add_func ("/smtp/fingerprint", test_fingerprint);
  g_test_add_func ("/smtp/8bit-scan", test_8bit_scan);
  if (g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_add_func ("/smtp/plain/happy", test_plain_happy);
      g_test_add_func ("/smtp/plain/reconnect", test_default_helo_and_reconnect);
      g_test_add_func ("/smtp/plain/connect-refused", test_connect_refused);
      g_test_add_func ("/smtp/plain/helo-fallback", test_helo_fallback);
      g_test_add_func ("/smtp/tls/implicit", test_tls_implicit);
      g_test_add_func ("/smtp/tls/starttls", test_tls_starttls);
      g_test_add_func ("/smtp/tls/ipv6-literal", test_tls_verify_ip_and_localhost_v6);
      g_test_add_func ("/smtp/tls/bad-certificates", test_tls_bad_certificates);
      g_test_add_func ("/smtp/tls/pinned", test_tls_pinned);
      g_test_add_func ("/smtp/tls/plain-server", test_tls_against_plain_server);
      g_test_add_func ("/smtp/tls/bad-ca-file", test_tls_bad_ca_file);
      g_test_add_func ("/smtp/starttls/unavailable", test_starttls_unavailable);
      g_test_add_func ("/smtp/starttls/injection", test_starttls_injection);
      g_test_add_func ("/smtp/auth/mechanisms", test_auth_mechanisms);
      g_test_add_func ("/smtp/auth/wrong-password", test_auth_wrong_password);
      g_test_add_func ("/smtp/auth/plaintext", test_auth_plaintext);
      g_test_add_func ("/smtp/faults/stages", test_faults_stages);
      g_test_add_func ("/smtp/faults/greeting", test_greeting_refused);
      g_test_add_func ("/smtp/faults/disconnect", test_disconnect_mid_data);
      g_test_add_func ("/smtp/faults/timeouts", test_timeouts);
      g_test_add_func ("/smtp/faults/cancel", test_cancel);
      g_test_add_func ("/smtp/send/pipelining", test_pipelining);
      g_test_add_func ("/smtp/send/envelope-ahead", test_envelope_ahead);
      g_test_add_func ("/smtp/send/partial-recipients", test_partial_recipients);
      g_test_add_func ("/smtp/send/dot-stuffing", test_dot_stuffing);
      g_test_add_func ("/smtp/send/8bitmime", test_8bitmime);
      g_test_add_func ("/smtp/send/smtputf8", test_smtputf8);
      g_test_add_func ("/smtp/send/invalid-addresses", test_invalid_addresses);
      g_test_add_func ("/smtp/send/size", test_size);
      g_test_add_func ("/smtp/send/many", test_many_messages);
      g_test_add_func ("/smtp/send/steps", test_steps);
    }
  else
    g_test_add_func ("/smtp/loopback", test_no_python);
  g_test_add_func ("/smtp/smtp-sink", test_smtp_sink);

  result = g_test_run ();
  if (result == 0)
    ms_test_remove_tmp_dir (work_dir);
  g_free (certs_dir);
  g_free (work_dir);
  return result;
}

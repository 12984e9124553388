/* test-mailbox.c
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

#define G_LOG_DOMAIN "test-mailbox"

#include "config.h"

#include <locale.h>
#include <pwd.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "ms-imap-client.h"
#include "ms-mailbox-check.h"
#include "ms-message.h"
#include "ms-pop3-client.h"
#include "ms-smtp-client.h"
#include "ms-store-outcomes.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"

#include "ms-test-utils.h"

/* The bounce mailbox, end to end: a campaign is rendered and sent through the
 * SMTP test server; the bounces, complaints and unsubscribe requests its
 * messages would bring back are put into the mailbox of a Dovecot started for
 * the test on loopback (IMAP with STARTTLS and TLS, POP3 with STLS and TLS);
 * ms_mailbox_check_server() reads them and the store shows the effects.  A
 * second check changes nothing, a recreated folder (new UIDVALIDITY) is read
 * again without doing anything twice, mail stays on the server or goes where
 * the person asked.  Without Dovecot these tests skip; the store side is also
 * tested without any server. */

#define DOVECOT      "/usr/sbin/dovecot"
#define USER         "test@example.org"
#define PASSWORD     "secret"
#define SECRET       "campaign-token-key"
#define SENDER       "news@example.org"

static char *work_dir;
static char *certs_dir;
static guint counter;

/* Dovecot */

typedef struct
{
  GSubprocess *process;
  char        *dir;
  char        *maildir;
  guint16      imap;
  guint16      imaps;
  guint16      pop3;
  guint16      pop3s;
} Dovecot;

static Dovecot *dovecot;

static guint16
free_port (void)
{
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                            G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  g_assert_nonnull (socket);
  g_assert_true (g_socket_bind (socket, address, TRUE, NULL));
  bound = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
make_world_writable_dir (const char *path)
{
  g_assert_cmpint (g_mkdir_with_parents (path, 0777), ==, 0);
  g_assert_cmpint (g_chmod (path, 0777), ==, 0);
}

static gboolean
wait_for_port (guint16 port)
{
  for (guint i = 0; i < 200; i++)
    {
      g_autoptr(GSocketClient) client = g_socket_client_new ();
      g_autoptr(GSocketConnection) connection = NULL;

      connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
      if (connection != NULL)
        return TRUE;
      g_usleep (25 * 1000);
    }
  return FALSE;
}

static void
dovecot_stop (Dovecot *d)
{
  if (d == NULL)
    return;
  if (d->process != NULL)
    {
      g_output_stream_close (g_subprocess_get_stdin_pipe (d->process), NULL, NULL);
      g_subprocess_wait (d->process, NULL, NULL);
    }
  g_clear_object (&d->process);
  g_free (d->dir);
  g_free (d->maildir);
  g_free (d);
}

/* Dovecot as the user running the test; as root its processes run as the
 * dovecot and dovenull users and mail belongs to nobody, in folders every one
 * of them may write. */
static Dovecot *
dovecot_start (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *conf = NULL;
  g_autofree char *conf_path = NULL;
  g_autofree char *users = NULL;
  g_autofree char *users_path = NULL;
  g_autofree char *internal_user = NULL;
  g_autofree char *login_user = NULL;
  g_autofree char *mail_user = NULL;
  g_autofree char *mail_group = NULL;
  g_autofree char *mail_root = NULL;
  Dovecot *d;

  if (!g_file_test (DOVECOT, G_FILE_TEST_IS_EXECUTABLE) || certs_dir == NULL)
    return NULL;

  if (geteuid () == 0)
    {
      if (getpwnam ("dovecot") == NULL || getpwnam ("dovenull") == NULL || getpwnam ("nobody") == NULL)
        return NULL;
      internal_user = g_strdup ("dovecot");
      login_user = g_strdup ("dovenull");
      mail_user = g_strdup ("nobody");
      mail_group = g_strdup (getgrnam ("nogroup") != NULL ? "nogroup" : "nobody");
    }
  else
    {
      struct passwd *pw = getpwuid (geteuid ());

      if (pw == NULL)
        return NULL;
      internal_user = g_strdup (pw->pw_name);
      login_user = g_strdup (pw->pw_name);
      mail_user = g_strdup_printf ("%u", (guint) geteuid ());
      mail_group = g_strdup_printf ("%u", (guint) getegid ());
    }

  d = g_new0 (Dovecot, 1);
  d->dir = g_build_filename (work_dir, "dovecot", NULL);
  d->maildir = g_build_filename (d->dir, "mail", "test", NULL);
  make_world_writable_dir (d->dir);
  make_world_writable_dir (d->maildir);
  mail_root = g_path_get_dirname (d->maildir);
  make_world_writable_dir (mail_root);
  for (guint i = 0; i < 3; i++)
    {
      static const char *sub[] = { "new", "cur", "tmp" };
      g_autofree char *path = g_build_filename (d->maildir, sub[i], NULL);

      make_world_writable_dir (path);
    }
  d->imap = free_port ();
  d->imaps = free_port ();
  d->pop3 = free_port ();
  d->pop3s = free_port ();

  users = g_strdup_printf ("%s:{PLAIN}%s::::::\n", USER, PASSWORD);
  users_path = g_build_filename (d->dir, "users", NULL);
  g_assert_true (g_file_set_contents (users_path, users, -1, NULL));
  g_chmod (users_path, 0644);

  conf = g_strdup_printf (
    "base_dir = %1$s/run\n"
    "state_dir = %1$s/state\n"
    "log_path = %1$s/dovecot.log\n"
    "protocols = imap pop3\n"
    "listen = 127.0.0.1\n"
    "ssl = yes\n"
    "ssl_cert = <%2$s/good.pem\n"
    "ssl_key = <%2$s/server.key\n"
    "ssl_min_protocol = TLSv1.2\n"
    "disable_plaintext_auth = no\n"
    "auth_mechanisms = plain login\n"
    "auth_failure_delay = 0\n"
    "mail_location = maildir:%1$s/mail/%%n\n"
    "first_valid_uid = 1\n"
    "default_internal_user = %3$s\n"
    "default_login_user = %4$s\n"
    "passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%%u %1$s/users\n}\n"
    "userdb {\n  driver = static\n  args = uid=%5$s gid=%6$s home=%1$s/mail/%%n\n}\n"
    "service imap-login {\n"
    "  inet_listener imap {\n    address = 127.0.0.1\n    port = %7$u\n  }\n"
    "  inet_listener imaps {\n    address = 127.0.0.1\n    port = %8$u\n    ssl = yes\n  }\n"
    "}\n"
    "service pop3-login {\n"
    "  inet_listener pop3 {\n    address = 127.0.0.1\n    port = %9$u\n  }\n"
    "  inet_listener pop3s {\n    address = 127.0.0.1\n    port = %10$u\n    ssl = yes\n  }\n"
    "}\n",
    d->dir, certs_dir, internal_user, login_user, mail_user, mail_group,
    d->imap, d->imaps, d->pop3, d->pop3s);
  conf_path = g_build_filename (d->dir, "dovecot.conf", NULL);
  g_assert_true (g_file_set_contents (conf_path, conf, -1, NULL));

  /* Dovecot in the foreground under a shell that stops it when its standard
   * input closes: at the end, and also when this test dies. */
  d->process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                 | G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                                 "/bin/sh", "-c",
                                 "\"$0\" -F -c \"$1\" & pid=$!; cat > /dev/null; kill $pid; wait $pid",
                                 DOVECOT, conf_path, NULL);
  if (d->process == NULL || !wait_for_port (d->imap) || !wait_for_port (d->pop3s))
    {
      g_printerr ("# Dovecot did not start: %s\n", error != NULL ? error->message : "no port");
      dovecot_stop (d);
      return NULL;
    }
  return d;
}

static gboolean
need_dovecot (void)
{
  if (dovecot != NULL)
    return TRUE;
  g_test_skip ("Dovecot (" DOVECOT ") or the test certificates are missing");
  return FALSE;
}

/* Puts a message into a folder of the Maildir the way a delivery agent does:
 * written in tmp, then renamed into new.  @folder NULL is INBOX. */
static void
deliver (const char *folder,
         const char *text)
{
  g_autofree char *base = folder != NULL ? g_strconcat (dovecot->maildir, "/.", folder, NULL)
                                         : g_strdup (dovecot->maildir);
  g_autofree char *name = g_strdup_printf ("%" G_GINT64_FORMAT ".M%uP%d.test", g_get_real_time (),
                                           ++counter, (int) getpid ());
  g_autofree char *tmp = g_build_filename (base, "tmp", name, NULL);
  g_autofree char *dest = g_build_filename (base, "new", name, NULL);
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *crlf = g_strjoinv ("\r\n", lines);

  g_assert_true (g_file_set_contents (tmp, crlf, -1, NULL));
  g_assert_cmpint (g_chmod (tmp, 0666), ==, 0);
  g_assert_cmpint (g_rename (tmp, dest), ==, 0);
}

/* Files of a Maildir folder: in cur and new; @seen counts those flagged S. */
static guint
count_mail (const char *folder,
            guint      *seen)
{
  g_autofree char *base = folder != NULL ? g_strconcat (dovecot->maildir, "/.", folder, NULL)
                                         : g_strdup (dovecot->maildir);
  guint n = 0;

  if (seen != NULL)
    *seen = 0;
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *path = g_build_filename (base, i == 0 ? "cur" : "new", NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          const char *info = strstr (name, ":2,");

          n++;
          if (seen != NULL && info != NULL && strchr (info + 3, 'S') != NULL)
            (*seen)++;
        }
    }
  return n;
}

/* Makes Dovecot forget the UIDs of INBOX, as when a folder is recreated: the
 * next session sees a new UIDVALIDITY. */
static void
recreate_inbox (void)
{
  g_autofree char *cur = g_build_filename (dovecot->maildir, "cur", NULL);
  g_autoptr(GDir) root = g_dir_open (dovecot->maildir, 0, NULL);
  g_autoptr(GDir) dir = g_dir_open (cur, 0, NULL);
  const char *name;

  while ((name = g_dir_read_name (root)) != NULL)
    if (g_str_has_prefix (name, "dovecot-uidlist") || g_str_has_prefix (name, "dovecot.index"))
      {
        g_autofree char *path = g_build_filename (dovecot->maildir, name, NULL);

        g_assert_cmpint (g_unlink (path), ==, 0);
      }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bare = g_strndup (name, strcspn (name, ":"));
      g_autofree char *from = g_build_filename (cur, name, NULL);
      g_autofree char *to = g_build_filename (dovecot->maildir, "new", bare, NULL);

      g_assert_cmpint (g_rename (from, to), ==, 0);
    }
}

/* The store */

static MsStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/store-%u.db", work_dir, ++counter);
  MsStore *store = ms_store_open (path, &error);

  g_assert_no_error (error);
  return store;
}

static void
exec_sql (MsStore    *store,
          const char *sql)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (_ms_store_exec (store, sql, &error));
  g_assert_no_error (error);
}

static gint64
query_int (MsStore    *store,
           const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _ms_store_prepare (store, sql, &error);
  gint64 value;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return value;
}

static char *
query_text (MsStore    *store,
            const char *sql)
{
  g_autoptr(GError) error = NULL;
  sqlite3_stmt *stmt = _ms_store_prepare (store, sql, &error);
  char *value;

  g_assert_no_error (error);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_reset (stmt);
  return value;
}

static void
assert_status (MsStore    *store,
               const char *email,
               const char *expected)
{
  g_autofree char *sql = g_strdup_printf ("SELECT status FROM contacts WHERE email = '%s'", email);
  g_autofree char *status = query_text (store, sql);

  g_assert_cmpstr (status, ==, expected);
}

static void
assert_state (MsStore    *store,
              gint64      campaign_id,
              const char *email,
              const char *expected)
{
  g_autofree char *sql = g_strdup_printf ("SELECT state FROM deliveries WHERE campaign_id = %"
                                          G_GINT64_FORMAT " AND email = '%s'", campaign_id, email);
  g_autofree char *state = query_text (store, sql);

  g_assert_cmpstr (state, ==, expected);
}

static MsServer *
add_server (MsStore            *store,
            const char         *name,
            MsIncomingProtocol  protocol,
            MsSecurity          security,
            guint16             port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = g_build_filename (certs_dir, "ca.pem", NULL);
  MsServer *server = ms_server_new ();

  ms_server_set_name (server, name);
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, "smtp.example.org");
  ms_server_set_port (server, 587);
  ms_server_set_security (server, MS_SECURITY_STARTTLS);
  ms_server_set_login (server, USER);
  ms_server_set_sender_address (server, SENDER);
  ms_server_set_ca_file (server, ca);
  ms_server_set_incoming_protocol (server, protocol);
  ms_server_set_incoming_host (server, "127.0.0.1");
  ms_server_set_incoming_port (server, port);
  ms_server_set_incoming_security (server, security);
  ms_server_set_incoming_login (server, USER);
  ms_store_add_server (store, server, &error);
  g_assert_no_error (error);
  return server;
}

/* A campaign "c<id>" that was sent: one delivery per address, state sent, with
 * the rendered message kept by the caller in @messages (email -> GBytes). */
typedef struct
{
  gint64      id;
  char       *tag;
  GHashTable *messages;   /* email -> GBytes, as the SMTP server received it */
  GHashTable *message_ids;
} Campaign;

static void
campaign_free (Campaign *c)
{
  g_free (c->tag);
  g_hash_table_unref (c->messages);
  g_hash_table_unref (c->message_ids);
  g_free (c);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Campaign, campaign_free)

/* Sends the messages through the SMTP test server and hands back what it
 * received (so the bounces quote what really went out). */
static GPtrArray *
send_through_smtp_server (GPtrArray          *messages,
                          const char * const *recipients)
{
  g_autofree char *record = g_strdup_printf ("%s/smtp-%u", work_dir, ++counter);
  g_autoptr(MsTestServer) srv = ms_test_server_start ("ms-test-smtp-server.py", record, NULL);
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *received = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);

  client = ms_smtp_client_new ("127.0.0.1", srv->port, MS_SECURITY_NONE);
  ms_smtp_client_set_helo_name (client, "client.test");
  g_assert_true (ms_smtp_client_connect (client, NULL, &error));
  for (guint i = 0; i < messages->len; i++)
    {
      const char *rcpt[] = { recipients[i], NULL };
      g_autofree char *name = g_strdup_printf ("%04u.eml", i + 1);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (ms_smtp_client_send_sync (client, SENDER, rcpt, g_ptr_array_index (messages, i),
                                               NULL, NULL, &error));
      g_assert_no_error (error);
      contents = ms_test_server_dup_file (srv, name, &length);
      g_assert_nonnull (contents);
      g_ptr_array_add (received, g_bytes_new_take (g_steal_pointer (&contents), length));
    }
  ms_smtp_client_quit (client, NULL, NULL);
  return received;
}

static Campaign *
send_campaign (MsStore            *store,
               gint64              server_id,
               const char         *name,
               const char * const *emails)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsTemplate) tmpl = ms_template_new (name);
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GPtrArray) rendered = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GPtrArray) received = NULL;
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *sql = NULL;
  MsMessageSender sender = { 0 };
  Campaign *c = g_new0 (Campaign, 1);

  c->messages = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) g_bytes_unref);
  c->message_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  sql = g_strdup_printf ("INSERT INTO campaigns (name, state, token_secret) VALUES ('%s', "
                         "'finished', '" SECRET "')", name);
  exec_sql (store, sql);
  c->id = sqlite3_last_insert_rowid (_ms_store_get_db (store));
  c->tag = g_strdup_printf ("c%" G_GINT64_FORMAT, c->id);

  ms_template_set_subject (tmpl, "Spring news for {{first_name}}");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, "Hello {{first_name}},\n\nour spring news.\n");
  sender.from_address = SENDER;
  sender.from_name = "News";
  sender.unsubscribe_address = SENDER;
  sender.secret = SECRET;
  sender.campaign = c->tag;
  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; emails[i] != NULL; i++)
    {
      g_autoptr(MsContact) contact = ms_contact_new (emails[i]);
      g_autofree char *message_id = ms_message_new_message_id ("example.org");
      gint64 contact_id = 0;
      sqlite3_stmt *stmt;

      ms_contact_set_first_name (contact, "Friend");
      g_ptr_array_add (rendered, ms_message_renderer_render (renderer, contact, message_id, &error));
      g_assert_no_error (error);

      ms_store_upsert_contact (store, emails[i], NULL, "Friend", NULL, NULL, FALSE, &contact_id, NULL,
                               &error);
      g_assert_no_error (error);
      stmt = _ms_store_prepare (store,
                                "INSERT INTO deliveries (campaign_id, contact_id, email, state, "
                                "message_id, server_id, attempts, updated_at) VALUES (?1, ?2, ?3, "
                                "'sent', ?4, ?5, 1, unixepoch ())", &error);
      g_assert_no_error (error);
      sqlite3_bind_int64 (stmt, 1, c->id);
      sqlite3_bind_int64 (stmt, 2, contact_id);
      sqlite3_bind_text (stmt, 3, emails[i], -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, message_id, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (stmt, 5, server_id);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
      g_ptr_array_add (ids, g_steal_pointer (&message_id));
    }

  received = send_through_smtp_server (rendered, emails);
  for (guint i = 0; emails[i] != NULL; i++)
    {
      g_hash_table_insert (c->messages, g_strdup (emails[i]), g_bytes_ref (g_ptr_array_index (received, i)));
      g_hash_table_insert (c->message_ids, g_strdup (emails[i]), g_strdup (g_ptr_array_index (ids, i)));
    }
  return c;
}

/* The header of a sent message, as a bounce quotes it. */
static char *
sent_headers (Campaign   *c,
              const char *email)
{
  GBytes *message = g_hash_table_lookup (c->messages, email);
  gsize length = 0;
  const char *data = g_bytes_get_data (message, &length);
  const char *end = g_strstr_len (data, length, "\r\n\r\n");
  g_autofree char *head = g_strndup (data, end - data);
  g_auto(GStrv) lines = g_strsplit (head, "\r\n", -1);

  return g_strjoinv ("\n", lines);
}

static char *
sent_message (Campaign   *c,
              const char *email)
{
  GBytes *message = g_hash_table_lookup (c->messages, email);
  gsize length = 0;
  const char *data = g_bytes_get_data (message, &length);
  g_autofree char *text = g_strndup (data, length);
  g_auto(GStrv) lines = g_strsplit (text, "\r\n", -1);

  return g_strjoinv ("\n", lines);
}

/* The token of the List-Unsubscribe header of the message sent to @email. */
static char *
sent_token (Campaign   *c,
            const char *email)
{
  g_autofree char *head = sent_headers (c, email);
  const char *p = strstr (head, "subject=unsubscribe%20");

  g_assert_nonnull (p);
  p += strlen ("subject=unsubscribe%20");
  return g_strndup (p, strcspn (p, ">"));
}

/* Bounces */

static char *
make_dsn (const char *recipient,
          const char *status,
          const char *diagnostic,
          const char *quoted_headers)
{
  return g_strdup_printf (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
    "To: " SENDER "\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Date: Thu, 26 Nov 2026 10:00:00 +0000\n"
    "Message-ID: <dsn-%u@mx.example.net>\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"DSN-BOUNDARY\"\n"
    "\n"
    "--DSN-BOUNDARY\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "This is the mail system at host mx.example.net.\n"
    "\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients.\n"
    "\n"
    "<%s>: %s\n"
    "\n"
    "--DSN-BOUNDARY\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.net\n"
    "Arrival-Date: Thu, 26 Nov 2026 09:59:58 +0000\n"
    "\n"
    "Final-Recipient: rfc822; %s\n"
    "Original-Recipient: rfc822;%s\n"
    "Action: failed\n"
    "Status: %s\n"
    "Diagnostic-Code: smtp; %s\n"
    "\n"
    "--DSN-BOUNDARY\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "%s\n"
    "\n"
    "--DSN-BOUNDARY--\n",
    ++counter, recipient, diagnostic, recipient, recipient, status, diagnostic,
    quoted_headers != NULL ? quoted_headers : "Subject: something else");
}

static char *
make_complaint (const char *recipient,
                const char *original)
{
  return g_strdup_printf (
    "From: Feedback Loop <fbl@isp.example.net>\n"
    "To: " SENDER "\n"
    "Subject: Abuse report\n"
    "Date: Thu, 26 Nov 2026 11:00:00 +0000\n"
    "Message-ID: <fbl-%u@isp.example.net>\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=feedback-report; boundary=\"ARF\"\n"
    "\n"
    "--ARF\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "This is an email abuse report for an email message received from IP\n"
    "192.0.2.1 on Thu, 26 Nov 2026 10:00:00 +0000.\n"
    "\n"
    "--ARF\n"
    "Content-Type: message/feedback-report\n"
    "\n"
    "Feedback-Type: abuse\n"
    "User-Agent: TestFBL/1.0\n"
    "Version: 1\n"
    "Original-Mail-From: <" SENDER ">\n"
    "Original-Rcpt-To: <%s>\n"
    "Source-IP: 192.0.2.1\n"
    "\n"
    "--ARF\n"
    "Content-Type: message/rfc822\n"
    "Content-Disposition: inline\n"
    "\n"
    "%s\n"
    "--ARF--\n",
    ++counter, recipient, original);
}

static char *
make_unsubscribe (const char *from,
                  const char *token)
{
  return g_strdup_printf (
    "From: <%s>\n"
    "To: " SENDER "\n"
    "Subject: unsubscribe %s\n"
    "Date: Thu, 26 Nov 2026 12:00:00 +0000\n"
    "Message-ID: <unsub-%u@example.net>\n"
    "\n"
    "Please take me off the list.\n",
    from, token, ++counter);
}

static char *
make_autoreply (const char *from,
                const char *in_reply_to)
{
  return g_strdup_printf (
    "From: Happy Reader <%s>\n"
    "To: " SENDER "\n"
    "Subject: Out of office: Spring news for Friend\n"
    "Date: Thu, 26 Nov 2026 12:30:00 +0000\n"
    "Message-ID: <away-%u@example.net>\n"
    "In-Reply-To: <%s>\n"
    "Auto-Submitted: auto-replied\n"
    "X-Autoreply: yes\n"
    "\n"
    "I am away until Monday and will read your message then.\n",
    from, ++counter, in_reply_to);
}

static const char *personal_mail =
  "From: Old Friend <friend@example.com>\n"
  "To: " SENDER "\n"
  "Subject: Lunch?\n"
  "Date: Thu, 26 Nov 2026 13:00:00 +0000\n"
  "Message-ID: <lunch@example.com>\n"
  "\n"
  "Are you free on Friday?\n";

/* The checks */

static void
check_ok (MsStore              *store,
          MsServer             *server,
          const char           *password,
          MsMailboxCheckResult *result)
{
  g_autoptr(GError) error = NULL;
  MsMailboxCheckOptions options;

  ms_mailbox_check_options_init (&options);
  options.timeout_ms = 10000;
  memset (result, 0, sizeof *result);
  g_assert_true (ms_mailbox_check_server (store, server, password, &options, result, NULL, &error));
  g_assert_no_error (error);
}

static void
test_imap_campaign (void)
{
  static const char *emails[] = {
    "hard@example.net", "soft@example.net", "complain@example.net",
    "unsub@example.net", "happy@example.net", "forged@example.net", NULL,
  };
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsServer) tls_server = NULL;
  g_autoptr(Campaign) c = NULL;
  g_autofree char *hard_headers = NULL;
  g_autofree char *soft_headers = NULL;
  g_autofree char *complained = NULL;
  g_autofree char *token = NULL;
  g_autofree char *reason = NULL;
  MsMailboxCheckResult r;
  guint seen = 0;
  gint64 bounces_rows;

  if (!need_dovecot ())
    return;

  store = open_store ();
  server = add_server (store, "Dovecot STARTTLS", MS_INCOMING_IMAP, MS_SECURITY_STARTTLS, dovecot->imap);
  c = send_campaign (store, ms_server_get_id (server), "Spring", emails);

  hard_headers = sent_headers (c, "hard@example.net");
  soft_headers = sent_headers (c, "soft@example.net");
  complained = sent_message (c, "complain@example.net");
  token = sent_token (c, "unsub@example.net");
  {
    g_autofree char *hard = make_dsn ("hard@example.net", "5.1.1",
                                      "550 5.1.1 <hard@example.net>: Recipient address rejected: "
                                      "User unknown in virtual mailbox table", hard_headers);
    g_autofree char *soft = make_dsn ("soft@example.net", "4.2.2",
                                      "452 4.2.2 <soft@example.net>: Mailbox full", soft_headers);
    g_autofree char *unknown = make_dsn ("stranger@example.com", "5.1.1",
                                         "550 5.1.1 No such user", NULL);
    g_autofree char *complaint = make_complaint ("complain@example.net", complained);
    g_autofree char *unsubscribe = make_unsubscribe ("unsub@example.net", token);
    g_autofree char *forged_token = g_strconcat (c->tag, ".abcdefghijklmnopqrstuvwxyz", NULL);
    g_autofree char *forged = make_unsubscribe ("forged@example.net", forged_token);

    deliver (NULL, hard);
    deliver (NULL, soft);
    deliver (NULL, unknown);
    deliver (NULL, complaint);
    deliver (NULL, unsubscribe);
    deliver (NULL, forged);
    deliver (NULL, personal_mail);
  }

  check_ok (store, server, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 7);
  g_assert_cmpuint (r.bounces, ==, 2);
  g_assert_cmpuint (r.hard_bounces, ==, 1);
  g_assert_cmpuint (r.complaints, ==, 1);
  g_assert_cmpuint (r.unsubscribes, ==, 1);
  g_assert_cmpuint (r.unmatched, ==, 2);
  g_assert_cmpuint (r.other, ==, 1);
  g_assert_cmpuint (r.suppressed, ==, 3);
  g_assert_cmpuint (r.duplicates, ==, 0);

  assert_status (store, "hard@example.net", "bounced");
  assert_status (store, "soft@example.net", "active");
  assert_status (store, "complain@example.net", "complained");
  assert_status (store, "unsub@example.net", "unsubscribed");
  assert_status (store, "happy@example.net", "active");
  assert_status (store, "forged@example.net", "active");
  g_assert_cmpint (query_int (store, "SELECT soft_bounces FROM contacts WHERE email = 'soft@example.net'"),
                   ==, 1);
  reason = query_text (store, "SELECT status_reason FROM contacts WHERE email = 'hard@example.net'");
  g_test_message ("hard bounce reason: %s", reason);
  g_assert_nonnull (strstr (reason, "User unknown"));
  assert_state (store, c->id, "hard@example.net", "bounced");
  assert_state (store, c->id, "soft@example.net", "bounced");
  assert_state (store, c->id, "complain@example.net", "sent");
  assert_state (store, c->id, "happy@example.net", "sent");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM bounces WHERE kind = 'bounce' AND reason = "
                                     "'userunknown' AND hard = 1 AND delivery_id IS NOT NULL"), ==, 1);
  bounces_rows = query_int (store, "SELECT count(*) FROM bounces");
  g_assert_cmpint (bounces_rows, ==, 5);

  /* The mail is still there; what was about our mail is flagged as read, the
   * rest (an unknown bounce, a forged request, personal mail) is left alone. */
  g_assert_cmpuint (count_mail (NULL, &seen), ==, 7);
  g_assert_cmpuint (seen, ==, 4);

  /* Nothing is processed twice. */
  check_ok (store, server, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM bounces"), ==, bounces_rows);

  /* A recreated folder: every message is read again, nothing happens twice. */
  recreate_inbox ();
  check_ok (store, server, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 7);
  g_assert_cmpuint (r.duplicates, ==, 4);
  g_assert_cmpuint (r.unmatched, ==, 2);
  g_assert_cmpuint (r.other, ==, 1);
  g_assert_cmpuint (r.bounces + r.complaints + r.unsubscribes + r.suppressed, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM bounces"), ==, bounces_rows);
  g_assert_cmpint (query_int (store, "SELECT soft_bounces FROM contacts WHERE email = 'soft@example.net'"),
                   ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(DISTINCT uidvalidity) FROM mailbox_seen"), ==, 1);
  check_ok (store, server, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 0);

  /* Moved to the folder the person chose; implicit TLS on the second port. */
  tls_server = add_server (store, "Dovecot TLS", MS_INCOMING_IMAP, MS_SECURITY_TLS, dovecot->imaps);
  ms_server_set_incoming_move_to (tls_server, "Processed");
  {
    g_autofree char *away = make_autoreply ("happy@example.net",
                                            g_hash_table_lookup (c->message_ids, "happy@example.net"));

    deliver (NULL, away);
  }
  check_ok (store, tls_server, PASSWORD, &r);
  /* This profile has not read the folder before: all of it is new to it. */
  g_assert_cmpuint (r.fetched, ==, 8);
  g_assert_cmpuint (r.autoreplies, ==, 1);
  g_assert_cmpuint (r.duplicates, ==, 4);
  g_assert_cmpuint (r.moved, ==, 5);
  g_assert_cmpuint (count_mail (NULL, NULL), ==, 3);
  g_assert_cmpuint (count_mail ("Processed", NULL), ==, 5);
  assert_status (store, "happy@example.net", "active");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM bounces WHERE kind = 'autoreply'"), ==, 1);

  /* The other folder is not needed any more. */
  {
    g_autofree char *moved = g_strconcat (dovecot->maildir, "/.Processed", NULL);
    const char *argv[] = { "rm", "-rf", moved, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL,
                                 NULL, NULL, NULL));
  }
}

static void
test_pop3 (void)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) keep = NULL;
  g_autoptr(MsServer) drop = NULL;
  g_autoptr(Campaign) c = NULL;
  g_autofree char *headers = NULL;
  static const char *emails[] = { "pop-hard@example.net", "pop-other@example.net", NULL };
  MsMailboxCheckResult r;
  guint before;

  if (!need_dovecot ())
    return;

  store = open_store ();
  keep = add_server (store, "POP3 STLS", MS_INCOMING_POP3, MS_SECURITY_STARTTLS, dovecot->pop3);
  c = send_campaign (store, ms_server_get_id (keep), "Summer", emails);
  headers = sent_headers (c, "pop-hard@example.net");
  {
    g_autofree char *hard = make_dsn ("pop-hard@example.net", "5.1.1", "550 5.1.1 User unknown",
                                      headers);

    deliver (NULL, hard);
    deliver (NULL, personal_mail);
  }
  before = count_mail (NULL, NULL);
  g_assert_cmpuint (before, >=, 2);

  check_ok (store, keep, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, before);
  g_assert_cmpuint (r.bounces, ==, 1);
  g_assert_cmpuint (r.hard_bounces, ==, 1);
  g_assert_cmpuint (r.deleted, ==, 0);
  assert_status (store, "pop-hard@example.net", "bounced");
  assert_status (store, "pop-other@example.net", "active");
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM mailbox_seen WHERE mailbox = 'POP3'"), ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM mailbox_seen WHERE mailbox = 'POP3/kept'"),
                   ==, before - 1);
  /* POP3 leaves mail on the server, and the next check reads nothing again. */
  g_assert_cmpuint (count_mail (NULL, NULL), ==, before);
  check_ok (store, keep, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 0);
  g_assert_cmpuint (count_mail (NULL, NULL), ==, before);

  /* Asked to delete after processing (over TLS from the first byte): the bounce
   * read before is deleted now; new mail is read; mail that is not about ours
   * is never deleted. */
  drop = g_object_ref (keep);
  ms_server_set_incoming_keep (drop, FALSE);
  ms_server_set_incoming_port (drop, dovecot->pop3s);
  ms_server_set_incoming_security (drop, MS_SECURITY_TLS);
  deliver (NULL, personal_mail);
  check_ok (store, drop, PASSWORD, &r);
  g_assert_cmpuint (r.fetched, ==, 1);
  g_assert_cmpuint (r.other, ==, 1);
  g_assert_cmpuint (r.deleted, ==, 1);
  g_assert_cmpuint (count_mail (NULL, NULL), ==, before);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM mailbox_seen WHERE mailbox = 'POP3'"), ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM mailbox_seen WHERE mailbox = 'POP3/kept'"),
                   ==, before);
  check_ok (store, drop, PASSWORD, &r);
  g_assert_cmpuint (r.fetched + r.deleted, ==, 0);
}

/* mailshot-cli bounces check, on a database of its own */
static void
run_cli (const char  *db,
         int         *status,
         char       **out,
         char       **err,
         ...) G_GNUC_NULL_TERMINATED;

static void
run_cli (const char  *db,
         int         *status,
         char       **out,
         char       **err,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("MAILSHOT_CLI"));
  g_ptr_array_add (argv, (char *) "--db");
  g_ptr_array_add (argv, (char *) db);
  va_start (ap, err);
  for (const char *arg = va_arg (ap, const char *); arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               status, &error));
  g_assert_no_error (error);
  *status = WIFEXITED (*status) ? WEXITSTATUS (*status) : 255;
}

static void
test_cli (void)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsServer) nothing = NULL;
  g_autoptr(MsServer) no_password = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *dsn = NULL;
  g_autofree char *headers = NULL;
  g_autoptr(Campaign) c = NULL;
  static const char *emails[] = { "cli-hard@example.net", NULL };
  const char *db;
  int status = 0;

  if (!need_dovecot ())
    return;
  if (g_getenv ("MAILSHOT_CLI") == NULL)
    {
      g_test_skip ("MAILSHOT_CLI does not name mailshot-cli");
      return;
    }
  store = open_store ();
  db = ms_store_get_path (store);
  server = add_server (store, "Box", MS_INCOMING_IMAP, MS_SECURITY_STARTTLS, dovecot->imap);
  no_password = add_server (store, "Elsewhere", MS_INCOMING_POP3, MS_SECURITY_TLS, dovecot->pop3s);
  ms_server_set_incoming_login (no_password, "nobody@example.org");
  ms_store_update_server (store, no_password, &error);
  g_assert_no_error (error);
  nothing = ms_server_new ();
  ms_server_set_name (nothing, "Outgoing only");
  ms_server_set_host (nothing, "smtp.example.org");
  ms_server_set_port (nothing, 587);
  ms_server_set_sender_address (nothing, SENDER);
  ms_store_add_server (store, nothing, &error);
  g_assert_no_error (error);

  secrets = ms_secrets_new_for_database (db);
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_IMAP, "127.0.0.1", USER, PASSWORD, NULL, &error));
  g_assert_no_error (error);

  c = send_campaign (store, ms_server_get_id (server), "CLI", emails);
  headers = sent_headers (c, "cli-hard@example.net");
  dsn = make_dsn ("cli-hard@example.net", "5.1.1", "550 5.1.1 User unknown", headers);
  deliver (NULL, dsn);

  run_cli (db, &status, &out, &err, "bounces", "check", "Box", "--json", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "\"name\": \"Box\""));
  g_assert_nonnull (strstr (out, "\"ok\": true"));
  g_assert_nonnull (strstr (out, "\"hard_bounces\": 1"));
  assert_status (store, "cli-hard@example.net", "bounced");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Every profile with a mailbox; one has no password: said, exit 1. */
  run_cli (db, &status, &out, &err, "bounces", "check", NULL);
  g_test_message ("%s%s", out, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, "Box (IMAP, 127.0.0.1)"));
  g_assert_nonnull (strstr (out, "Elsewhere (POP3, 127.0.0.1)"));
  g_assert_null (strstr (out, "Outgoing only"));
  g_assert_nonnull (strstr (err, "set-password Elsewhere"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run_cli (db, &status, &out, &err, "bounces", "check", "Outgoing only", NULL);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (err, "no incoming mailbox"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  run_cli (db, &status, &out, &err, "bounces", "check", "Box", "--max", "zero", NULL);
  g_assert_cmpint (status, ==, 2);
}

/* Last: after a failed login Dovecot makes every later login from the address
 * wait (2 s, then 4 s...), so there is one failure here; a POP3 server refusing
 * the password is tested with the scriptable server (test-mail-clients). */
static void
test_wrong_password (void)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) imap = NULL;
  g_autoptr(GError) error = NULL;
  MsMailboxCheckResult none = { 0 };

  if (!need_dovecot ())
    return;
  store = open_store ();
  imap = add_server (store, "IMAP", MS_INCOMING_IMAP, MS_SECURITY_TLS, dovecot->imaps);

  g_assert_false (ms_mailbox_check_server (store, imap, "wrong", NULL, &none, NULL, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_AUTH_FAILED);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, USER));
  g_test_message ("IMAP: %s", error->message);
  g_assert_cmpuint (none.fetched, ==, 0);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM mailbox_seen"), ==, 0);
}

/* Without a server: the effects of single messages on the store. */

static void
process (MsStore              *store,
         const char           *text,
         MsMailboxCheckResult *result)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));

  memset (result, 0, sizeof *result);
  g_assert_true (ms_mailbox_process_message (store, 0, raw, NULL, NULL, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result->fetched, ==, 1);
}

static gint64
add_sent_delivery (MsStore    *store,
                   const char *campaign,
                   const char *email,
                   const char *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 contact_id = 0, campaign_id;

  sql = g_strdup_printf ("INSERT INTO campaigns (name, state, token_secret) VALUES ('%s', 'finished', "
                         "'" SECRET "')", campaign);
  exec_sql (store, sql);
  campaign_id = sqlite3_last_insert_rowid (_ms_store_get_db (store));
  ms_store_upsert_contact (store, email, NULL, NULL, NULL, NULL, FALSE, &contact_id, NULL, &error);
  g_assert_no_error (error);
  g_free (sql);
  sql = g_strdup_printf ("INSERT INTO deliveries (campaign_id, contact_id, email, state, message_id, "
                         "updated_at) VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', 'sent', "
                         "'%s', unixepoch ())", campaign_id, contact_id, email, message_id);
  exec_sql (store, sql);
  return campaign_id;
}

static void
test_soft_bounces_in_a_row (void)
{
  g_autoptr(MsStore) store = open_store ();
  g_autofree char *reason = NULL;
  MsMailboxCheckResult r;

  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *campaign = g_strdup_printf ("Week %u", i);
      g_autofree char *message_id = g_strdup_printf ("week-%u@example.org", i);
      g_autofree char *headers = g_strdup_printf ("Message-ID: <%s>\nSubject: Week %u", message_id, i);
      g_autofree char *dsn = make_dsn ("full@example.net", "4.2.2", "452 4.2.2 Mailbox full", headers);

      add_sent_delivery (store, campaign, "full@example.net", message_id);
      process (store, dsn, &r);
      g_assert_cmpuint (r.bounces, ==, 1);
      g_assert_cmpuint (r.hard_bounces, ==, 0);
      g_assert_cmpint (query_int (store, "SELECT soft_bounces FROM contacts"), ==, i);
      assert_status (store, "full@example.net", i < 3 ? "active" : "bounced");
      g_assert_cmpuint (r.suppressed, ==, i < 3 ? 0 : 1);

      /* The same bounce again changes nothing. */
      process (store, dsn, &r);
      g_assert_cmpuint (r.duplicates, ==, 1);
      g_assert_cmpint (query_int (store, "SELECT soft_bounces FROM contacts"), ==, i);
    }
  reason = query_text (store, "SELECT status_reason FROM contacts");
  g_test_message ("reason: %s", reason);
  g_assert_nonnull (strstr (reason, "3"));
}

static void
test_soft_bounce_streak_broken (void)
{
  g_autoptr(MsStore) store = open_store ();
  MsMailboxCheckResult r;
  g_autofree char *dsn1 = make_dsn ("busy@example.net", "4.2.2", "452 4.2.2 Mailbox full",
                                    "Message-ID: <one@example.org>");
  g_autofree char *dsn3 = make_dsn ("busy@example.net", "4.2.2", "452 4.2.2 Mailbox full",
                                    "Message-ID: <three@example.org>");

  /* Bounced, delivered, bounced: not two in a row. */
  add_sent_delivery (store, "One", "busy@example.net", "one@example.org");
  process (store, dsn1, &r);
  add_sent_delivery (store, "Two", "busy@example.net", "two@example.org");
  add_sent_delivery (store, "Three", "busy@example.net", "three@example.org");
  process (store, dsn3, &r);
  g_assert_cmpuint (r.bounces, ==, 1);
  g_assert_cmpint (query_int (store, "SELECT soft_bounces FROM contacts"), ==, 1);
  assert_status (store, "busy@example.net", "active");
}

static void
test_unsubscribe_tokens (void)
{
  g_autoptr(MsStore) store = open_store ();
  g_autofree char *tag = NULL;
  g_autofree char *token = NULL;
  g_autofree char *other_token = NULL;
  g_autofree char *from_alias = NULL;
  g_autofree char *wrong = NULL;
  MsMailboxCheckResult r;
  gint64 campaign_id;

  campaign_id = add_sent_delivery (store, "Autumn", "reader@example.net", "autumn@example.org");
  add_sent_delivery (store, "Other", "other@example.net", "other@example.org");
  tag = g_strdup_printf ("c%" G_GINT64_FORMAT, campaign_id);
  token = ms_message_unsubscribe_token (SECRET, tag, "reader@example.net");
  other_token = ms_message_unsubscribe_token ("another key", tag, "other@example.net");

  /* A token made with another key: ignored (and logged). */
  wrong = make_unsubscribe ("other@example.net", other_token);
  process (store, wrong, &r);
  g_assert_cmpuint (r.unmatched, ==, 1);
  g_assert_cmpuint (r.unsubscribes, ==, 0);
  assert_status (store, "other@example.net", "active");

  /* Sent from another address of the reader: the token still names them. */
  from_alias = make_unsubscribe ("reader.private@example.com", token);
  process (store, from_alias, &r);
  g_assert_cmpuint (r.unsubscribes, ==, 1);
  g_assert_cmpuint (r.suppressed, ==, 1);
  assert_status (store, "reader@example.net", "unsubscribed");

  process (store, from_alias, &r);
  g_assert_cmpuint (r.duplicates, ==, 1);
  g_assert_cmpint (query_int (store, "SELECT count(*) FROM bounces WHERE kind = 'unsubscribe'"), ==, 1);
}

/* The campaign view's list: what came back from one campaign, one entry per
 * recipient and kind, newest first, a page at a time. */

static gint64
add_campaign_delivery (MsStore    *store,
                       gint64      campaign_id,
                       const char *email,
                       const char *message_id)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *sql = NULL;
  gint64 contact_id = 0;

  ms_store_upsert_contact (store, email, NULL, NULL, NULL, NULL, FALSE, &contact_id, NULL, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("INSERT INTO deliveries (campaign_id, contact_id, email, state, message_id, "
                         "updated_at) VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", '%s', 'sent', "
                         "'%s', unixepoch ())", campaign_id, contact_id, email, message_id);
  exec_sql (store, sql);
  return sqlite3_last_insert_rowid (_ms_store_get_db (store));
}

static void
assert_outcome (MsOutcome     *outcome,
                const char    *email,
                MsOutcomeKind  kind,
                gboolean       hard,
                const char    *reason,
                const char    *status,
                guint          reply_code,
                const char    *diagnostic,
                const char    *contact_status)
{
  g_test_message ("%s: kind %d hard %d reason %s status %s code %u diagnostic %s contact %s",
                  ms_outcome_get_email (outcome), ms_outcome_get_kind (outcome),
                  ms_outcome_get_hard (outcome), ms_outcome_get_reason (outcome),
                  ms_outcome_get_status (outcome), ms_outcome_get_reply_code (outcome),
                  ms_outcome_get_diagnostic (outcome), ms_outcome_get_contact_status (outcome));
  g_assert_cmpstr (ms_outcome_get_email (outcome), ==, email);
  g_assert_cmpint (ms_outcome_get_kind (outcome), ==, kind);
  g_assert_cmpint (ms_outcome_get_hard (outcome), ==, hard);
  g_assert_cmpstr (ms_outcome_get_reason (outcome), ==, reason);
  g_assert_cmpstr (ms_outcome_get_status (outcome), ==, status);
  g_assert_cmpuint (ms_outcome_get_reply_code (outcome), ==, reply_code);
  g_assert_cmpstr (ms_outcome_get_diagnostic (outcome), ==, diagnostic);
  g_assert_cmpstr (ms_outcome_get_contact_status (outcome), ==, contact_status);
  g_assert_cmpint (ms_outcome_get_contact_id (outcome), >, 0);
  g_assert_cmpint (ms_outcome_get_delivery_id (outcome), >, 0);
  g_assert_cmpint (ms_outcome_get_received_at (outcome), >=, g_get_real_time () / G_USEC_PER_SEC - 60);
}

static GPtrArray *
list_outcomes (MsStore *store,
               gint64   campaign_id,
               gint64   before,
               guint    limit)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *outcomes = ms_store_list_campaign_outcomes (store, campaign_id, before, limit, &error);

  g_assert_no_error (error);
  g_assert_nonnull (outcomes);
  return outcomes;
}

static void
test_campaign_outcomes (void)
{
  static const char *emails[] = {
    "hard@example.net", "soft@example.net", "twice@example.net", "spam@example.net",
    "leaver@example.net", "away@example.net", "fine@example.net",
  };
  g_autoptr(MsStore) store = open_store ();
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *other_dsn = NULL;
  g_autofree char *token = NULL;
  g_autofree char *unsubscribe_subject = NULL;
  MsOutcomeCounts counts;
  MsMailboxCheckResult r;
  gint64 campaign_id, other_id, before = 0;
  guint n_read = 0;

  exec_sql (store, "INSERT INTO campaigns (name, state, token_secret) VALUES ('Outcomes', 'finished', '"
                   SECRET "')");
  campaign_id = sqlite3_last_insert_rowid (_ms_store_get_db (store));
  tag = g_strdup_printf ("c%" G_GINT64_FORMAT, campaign_id);
  for (guint i = 0; i < G_N_ELEMENTS (emails); i++)
    {
      g_autofree char *message_id = g_strdup_printf ("outcome-%u@example.org", i);

      add_campaign_delivery (store, campaign_id, emails[i], message_id);
    }
  /* Another campaign to the first address: its bounce is not this one's. */
  other_id = add_sent_delivery (store, "Elsewhere", "elsewhere@example.net", "elsewhere@example.org");
  other_dsn = make_dsn ("elsewhere@example.net", "5.1.1", "550 5.1.1 No such user",
                        "Message-ID: <elsewhere@example.org>");
  process (store, other_dsn, &r);
  g_assert_cmpuint (r.hard_bounces, ==, 1);

  /* Nothing came back yet */
  g_assert_true (ms_store_count_campaign_outcomes (store, campaign_id, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.total, ==, 0);
  g_assert_cmpint (counts.last_id, ==, 0);
  all = list_outcomes (store, campaign_id, 0, 50);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  token = ms_message_unsubscribe_token (SECRET, tag, "leaver@example.net");
  unsubscribe_subject = g_strdup_printf ("unsubscribe %s", token);

  /* Through the real path: the messages as they arrive in the mailbox. */
  {
    g_autofree char *hard = make_dsn ("hard@example.net", "5.1.1",
                                      "550 5.1.1 <hard@example.net>: Recipient address rejected: User unknown",
                                      "Message-ID: <outcome-0@example.org>");
    g_autofree char *soft = make_dsn ("soft@example.net", "4.2.2", "452 4.2.2 Mailbox full",
                                      "Message-ID: <outcome-1@example.org>");
    g_autofree char *twice_soft = make_dsn ("twice@example.net", "4.2.2", "452 4.2.2 Mailbox full",
                                            "Message-ID: <outcome-2@example.org>");
    g_autofree char *twice_hard = make_dsn ("twice@example.net", "5.1.1", "550 5.1.1 No such user",
                                            "Message-ID: <outcome-2@example.org>");
    g_autofree char *spam = make_complaint ("spam@example.net",
                                            "Message-ID: <outcome-3@example.org>\nSubject: Spring news\n");
    g_autofree char *leave = make_unsubscribe ("leaver@example.net", token);
    g_autofree char *away = make_autoreply ("away@example.net", "outcome-5@example.org");

    process (store, hard, &r);
    g_assert_cmpuint (r.hard_bounces, ==, 1);
    process (store, soft, &r);
    g_assert_cmpuint (r.bounces, ==, 1);
    process (store, twice_soft, &r);
    g_assert_cmpuint (r.bounces, ==, 1);
    process (store, twice_hard, &r);
    g_assert_cmpuint (r.hard_bounces, ==, 1);
    process (store, spam, &r);
    g_assert_cmpuint (r.complaints, ==, 1);
    process (store, away, &r);
    g_assert_cmpuint (r.autoreplies, ==, 1);
    process (store, leave, &r);
    g_assert_cmpuint (r.unsubscribes, ==, 1);
  }

  g_assert_true (ms_store_count_campaign_outcomes (store, campaign_id, &counts, &error));
  g_assert_no_error (error);
  g_assert_cmpint (counts.bounced, ==, 3);
  g_assert_cmpint (counts.hard, ==, 2);
  g_assert_cmpint (counts.complained, ==, 1);
  g_assert_cmpint (counts.unsubscribed, ==, 1);
  g_assert_cmpint (counts.total, ==, 5);
  g_assert_cmpint (counts.last_id, ==, query_int (store, "SELECT max (id) FROM bounces WHERE kind <> 'autoreply'"));

  /* Newest first; "twice" once, by its hard bounce; no auto-reply, nothing of the
   * other campaign. */
  all = list_outcomes (store, campaign_id, 0, 50);
  g_assert_cmpuint (all->len, ==, 5);
  assert_outcome (g_ptr_array_index (all, 0), "leaver@example.net", MS_OUTCOME_UNSUBSCRIBED, FALSE, NULL,
                  NULL, 0, unsubscribe_subject, "unsubscribed");
  assert_outcome (g_ptr_array_index (all, 1), "spam@example.net", MS_OUTCOME_COMPLAINED, FALSE, NULL,
                  NULL, 0, "abuse", "complained");
  assert_outcome (g_ptr_array_index (all, 2), "twice@example.net", MS_OUTCOME_BOUNCED, TRUE, "userunknown",
                  "5.1.1", 550, "550 5.1.1 No such user", "bounced");
  assert_outcome (g_ptr_array_index (all, 3), "soft@example.net", MS_OUTCOME_BOUNCED, FALSE, "mailboxfull",
                  "4.2.2", 452, "452 4.2.2 Mailbox full", "active");
  assert_outcome (g_ptr_array_index (all, 4), "hard@example.net", MS_OUTCOME_BOUNCED, TRUE, "userunknown",
                  "5.1.1", 550, "550 5.1.1 <hard@example.net>: Recipient address rejected: User unknown",
                  "bounced");
  for (guint i = 1; i < all->len; i++)
    g_assert_cmpint (ms_outcome_get_id (g_ptr_array_index (all, i - 1)), >,
                     ms_outcome_get_id (g_ptr_array_index (all, i)));

  /* Pages of two, each going on after the last id of the one before. */
  for (;;)
    {
      g_autoptr(GPtrArray) page = list_outcomes (store, campaign_id, before, 2);

      if (page->len == 0)
        break;
      g_assert_cmpuint (page->len, <=, 2);
      for (guint i = 0; i < page->len; i++, n_read++)
        g_assert_cmpint (ms_outcome_get_id (g_ptr_array_index (page, i)), ==,
                         ms_outcome_get_id (g_ptr_array_index (all, n_read)));
      before = ms_outcome_get_id (g_ptr_array_index (page, page->len - 1));
    }
  g_assert_cmpuint (n_read, ==, 5);

  /* The other campaign sees only its own. */
  g_clear_pointer (&all, g_ptr_array_unref);
  all = list_outcomes (store, other_id, 0, 50);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (ms_outcome_get_email (g_ptr_array_index (all, 0)), ==, "elsewhere@example.net");
  g_assert_true (ms_store_count_campaign_outcomes (store, other_id, &counts, &error));
  g_assert_cmpint (counts.bounced, ==, 1);
  g_assert_cmpint (counts.total, ==, 1);
}

/* Setup */

static gboolean
make_certificates (void)
{
  certs_dir = ms_test_make_certificates (work_dir);
  /* Dovecot's unprivileged processes read nothing here, but its master does. */
  if (certs_dir != NULL)
    g_chmod (certs_dir, 0755);
  return certs_dir != NULL;
}

int
main (int   argc,
      char *argv[])
{
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  ms_test_hide_debug ("ms-imap", "ms-pop3", "ms-smtp", "ms-connection", NULL);

  work_dir = ms_test_make_built_dir ("test-mailbox-XXXXXX");
  g_chmod (work_dir, 0755);
  if (make_certificates () && g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    dovecot = dovecot_start ();

  g_test_add_func ("/mailbox/store/soft-bounces-in-a-row", test_soft_bounces_in_a_row);
  g_test_add_func ("/mailbox/store/soft-bounce-streak-broken", test_soft_bounce_streak_broken);
  g_test_add_func ("/mailbox/store/unsubscribe-tokens", test_unsubscribe_tokens);
  g_test_add_func ("/mailbox/store/campaign-outcomes", test_campaign_outcomes);
  g_test_add_func ("/mailbox/dovecot/imap", test_imap_campaign);
  g_test_add_func ("/mailbox/dovecot/pop3", test_pop3);
  g_test_add_func ("/mailbox/dovecot/cli", test_cli);
  g_test_add_func ("/mailbox/dovecot/wrong-password", test_wrong_password);

  result = g_test_run ();
  dovecot_stop (dovecot);
  ms_test_remove_tmp_dir (work_dir);
  return result;
}

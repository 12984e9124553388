/* test-servers.c
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

#define G_LOG_DOMAIN "test-servers"

#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <sys/stat.h>

#include "ms-provider.h"
#include "ms-secrets.h"
#include "ms-sender.h"
#include "ms-server-test.h"
#include "ms-server.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"

#include "ms-test-utils.h"

/* Server profiles: the store, secrets (the file store), provider presets and error
 * explanations, the three transports (sendmail through a fake program, folder, SMTP
 * against the scriptable loopback server) and "Test connection". */


static char *work_dir;
static char *certs_dir;
static guint counter;

static char *
new_dir (const char *name)
{
  char *dir = g_strdup_printf ("%s/%s-%u", work_dir, name, ++counter);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  return dir;
}

static MsStore *
open_store (char **out_dir)
{
  g_autofree char *dir = new_dir ("db");
  g_autofree char *path = g_build_filename (dir, "test.db", NULL);
  g_autoptr(GError) error = NULL;
  MsStore *store = ms_store_open (path, &error);

  g_assert_no_error (error);
  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&dir);
  return store;
}

static MsServer *
make_server (const char *name,
             int         priority)
{
  MsServer *server = ms_server_new ();

  ms_server_set_name (server, name);
  ms_server_set_host (server, "smtp.example.org");
  ms_server_set_port (server, 465);
  ms_server_set_security (server, MS_SECURITY_TLS);
  ms_server_set_login (server, "anna@example.org");
  ms_server_set_sender_address (server, "anna@example.org");
  ms_server_set_priority (server, priority);
  return server;
}

/* Quotas */

static void
test_quota_parse (void)
{
  struct { const char *text; guint limit; guint window; } good[] = {
    { "60/1h", 60, 3600 }, { "500/1d", 500, 86400 }, { "2/1s", 2, 1 }, { "120/30m", 120, 1800 },
    { "100/h", 100, 3600 }, { "10/90", 10, 90 }, { " 7 / 2D ", 7, 172800 }, { "3000/1w", 3000, 604800 },
  };
  const char *bad[] = { "", "60", "/1h", "60/", "0/1h", "60/0h", "60/1y", "-1/1h", "60/1h2",
                        "a/1h", "99999999999/1h", "60//1h" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      MsQuota q = { 0, 0 };

      g_assert_true (ms_quota_parse (good[i].text, &q, &error));
      g_assert_no_error (error);
      g_assert_cmpuint (q.limit, ==, good[i].limit);
      g_assert_cmpuint (q.window_secs, ==, good[i].window);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      MsQuota q = { 0, 0 };

      g_assert_false (ms_quota_parse (bad[i], &q, &error));
      g_assert_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID);
    }

  {
    MsQuota q = { 60, 3600 };
    MsQuota r = { 10, 90 };
    MsQuota w = { 5, 604800 };
    g_autofree char *a = ms_quota_to_string (&q);
    g_autofree char *b = ms_quota_to_string (&r);
    g_autofree char *c = ms_quota_to_string (&w);

    g_assert_cmpstr (a, ==, "60/1h");
    g_assert_cmpstr (b, ==, "10/90s");
    g_assert_cmpstr (c, ==, "5/1w");
  }
}

static void
test_server_object (void)
{
  g_autoptr(MsServer) server = make_server ("Main", 0);
  g_autoptr(MsServer) copy = NULL;
  MsQuota quotas[] = { { 500, 86400 }, { 60, 3600 }, { 80, 3600 }, { 2, 1 } };
  MsQuota extra = { 100, 3600 };
  const MsQuota *got;
  guint n;

  ms_server_set_quotas (server, quotas, G_N_ELEMENTS (quotas));
  got = ms_server_get_quotas (server, &n);
  /* Sorted by window; of two with the same window the smaller limit stays. */
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (got[0].window_secs, ==, 1);
  g_assert_cmpuint (got[1].limit, ==, 60);
  g_assert_cmpuint (got[2].window_secs, ==, 86400);

  ms_server_add_quota (server, &extra);
  got = ms_server_get_quotas (server, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (got[1].limit, ==, 100);

  ms_server_set_host (server, "");
  g_assert_null (ms_server_get_host (server));
  ms_server_set_host (server, "smtp.example.org");

  copy = ms_server_copy (server);
  g_assert_cmpstr (ms_server_get_name (copy), ==, "Main");
  g_assert_cmpstr (ms_server_get_login (copy), ==, "anna@example.org");
  got = ms_server_get_quotas (copy, &n);
  g_assert_cmpuint (n, ==, 3);
  g_assert_cmpuint (got[1].limit, ==, 100);
  g_assert_cmpint (ms_server_get_security (copy), ==, MS_SECURITY_TLS);
  g_assert_true (ms_server_get_enabled (copy));
  g_assert_true (ms_server_validate (copy, NULL));
}

static void
expect_invalid (MsServer *server)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (ms_server_validate (server, &error));
  g_assert_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID);
  g_assert_nonnull (error->message);
}

static void
test_server_validate (void)
{
  g_autoptr(MsServer) s = make_server ("Main", 0);

  g_assert_true (ms_server_validate (s, NULL));

  ms_server_set_name (s, "  ");
  expect_invalid (s);
  ms_server_set_name (s, "Main");

  ms_server_set_sender_address (s, "Anna <anna@example.org>");
  expect_invalid (s);
  ms_server_set_sender_address (s, "anna@example.org");

  ms_server_set_port (s, 0);
  expect_invalid (s);
  ms_server_set_port (s, 465);

  ms_server_set_host (s, "smtp example org");
  expect_invalid (s);
  ms_server_set_host (s, "smtp.example.org");

  ms_server_set_pinned_fingerprint (s, "not-a-fingerprint");
  expect_invalid (s);
  ms_server_set_pinned_fingerprint (s, NULL);

  ms_server_set_dkim_domain (s, "example.org");
  expect_invalid (s);            /* no selector */
  ms_server_set_dkim_selector (s, "mail 2026");
  expect_invalid (s);
  ms_server_set_dkim_selector (s, "mail2026");
  g_assert_true (ms_server_validate (s, NULL));

  ms_server_set_incoming_protocol (s, MS_INCOMING_IMAP);
  expect_invalid (s);            /* no host */
  ms_server_set_incoming_host (s, "imap.example.org");
  ms_server_set_incoming_port (s, 993);
  g_assert_true (ms_server_validate (s, NULL));

  ms_server_set_transport (s, MS_TRANSPORT_FOLDER);
  expect_invalid (s);            /* no folder */
  ms_server_set_folder (s, "relative/dir");
  expect_invalid (s);
  ms_server_set_folder (s, "/tmp/out");
  ms_server_set_host (s, NULL);
  g_assert_true (ms_server_validate (s, NULL));

  ms_server_set_transport (s, MS_TRANSPORT_SENDMAIL);
  g_assert_true (ms_server_validate (s, NULL));
}

/* Store */

static void
assert_same_server (MsServer *a,
                    MsServer *b)
{
  const MsQuota *qa, *qb;
  guint na, nb;

  g_assert_cmpint (ms_server_get_id (a), ==, ms_server_get_id (b));
  g_assert_cmpstr (ms_server_get_name (a), ==, ms_server_get_name (b));
  g_assert_cmpint (ms_server_get_transport (a), ==, ms_server_get_transport (b));
  g_assert_cmpstr (ms_server_get_host (a), ==, ms_server_get_host (b));
  g_assert_cmpuint (ms_server_get_port (a), ==, ms_server_get_port (b));
  g_assert_cmpint (ms_server_get_security (a), ==, ms_server_get_security (b));
  g_assert_cmpstr (ms_server_get_login (a), ==, ms_server_get_login (b));
  g_assert_cmpstr (ms_server_get_sender_address (a), ==, ms_server_get_sender_address (b));
  g_assert_cmpstr (ms_server_get_sender_name (a), ==, ms_server_get_sender_name (b));
  g_assert_cmpint (ms_server_get_allow_sender_substitution (a), ==,
                   ms_server_get_allow_sender_substitution (b));
  g_assert_cmpint (ms_server_get_priority (a), ==, ms_server_get_priority (b));
  g_assert_cmpint (ms_server_get_enabled (a), ==, ms_server_get_enabled (b));
  g_assert_cmpuint (ms_server_get_max_connections (a), ==, ms_server_get_max_connections (b));
  g_assert_cmpuint (ms_server_get_pause_ms (a), ==, ms_server_get_pause_ms (b));
  g_assert_cmpuint (ms_server_get_max_message_size (a), ==, ms_server_get_max_message_size (b));
  g_assert_cmpuint (ms_server_get_max_recipients (a), ==, ms_server_get_max_recipients (b));
  g_assert_cmpstr (ms_server_get_folder (a), ==, ms_server_get_folder (b));
  g_assert_cmpstr (ms_server_get_ca_file (a), ==, ms_server_get_ca_file (b));
  g_assert_cmpstr (ms_server_get_pinned_fingerprint (a), ==, ms_server_get_pinned_fingerprint (b));
  g_assert_cmpint (ms_server_get_incoming_protocol (a), ==, ms_server_get_incoming_protocol (b));
  g_assert_cmpstr (ms_server_get_incoming_host (a), ==, ms_server_get_incoming_host (b));
  g_assert_cmpuint (ms_server_get_incoming_port (a), ==, ms_server_get_incoming_port (b));
  g_assert_cmpint (ms_server_get_incoming_security (a), ==, ms_server_get_incoming_security (b));
  g_assert_cmpstr (ms_server_get_incoming_login (a), ==, ms_server_get_incoming_login (b));
  g_assert_cmpstr (ms_server_get_incoming_folder (a), ==, ms_server_get_incoming_folder (b));
  g_assert_cmpint (ms_server_get_incoming_keep (a), ==, ms_server_get_incoming_keep (b));
  g_assert_cmpstr (ms_server_get_incoming_move_to (a), ==, ms_server_get_incoming_move_to (b));
  g_assert_cmpstr (ms_server_get_dkim_domain (a), ==, ms_server_get_dkim_domain (b));
  g_assert_cmpstr (ms_server_get_dkim_selector (a), ==, ms_server_get_dkim_selector (b));
  g_assert_cmpstr (ms_server_get_dkim_key_ref (a), ==, ms_server_get_dkim_key_ref (b));
  qa = ms_server_get_quotas (a, &na);
  qb = ms_server_get_quotas (b, &nb);
  g_assert_cmpuint (na, ==, nb);
  for (guint i = 0; i < na; i++)
    {
      g_assert_cmpuint (qa[i].limit, ==, qb[i].limit);
      g_assert_cmpuint (qa[i].window_secs, ==, qb[i].window_secs);
    }
}

static void
test_store_crud (void)
{
  g_autoptr(MsStore) store = open_store (NULL);
  g_autoptr(MsServer) full = make_server ("Full", 5);
  g_autoptr(MsServer) second = make_server ("Second", 1);
  g_autoptr(MsServer) third = make_server ("Another", 5);
  g_autoptr(MsServer) loaded = NULL;
  g_autoptr(MsServer) dup = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  MsQuota quotas[] = { { 60, 3600 }, { 500, 86400 }, { 2, 1 } };
  gint64 id;

  ms_server_set_sender_address (full, "Anna@Example.ORG");
  ms_server_set_sender_name (full, "Анна Müller");
  ms_server_set_allow_sender_substitution (full, TRUE);
  ms_server_set_enabled (full, FALSE);
  ms_server_set_max_connections (full, 3);
  ms_server_set_pause_ms (full, 250);
  ms_server_set_max_message_size (full, G_GUINT64_CONSTANT (5000000000));
  ms_server_set_max_recipients (full, 50);
  ms_server_set_ca_file (full, "/etc/ssl/own-ca.pem");
  ms_server_set_pinned_fingerprint (full, "SHA256/" "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:"
                                    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89");
  ms_server_set_incoming_protocol (full, MS_INCOMING_POP3);
  ms_server_set_incoming_host (full, "pop.example.org");
  ms_server_set_incoming_port (full, 995);
  ms_server_set_incoming_security (full, MS_SECURITY_TLS);
  ms_server_set_incoming_login (full, "anna");
  ms_server_set_incoming_folder (full, "INBOX");
  ms_server_set_incoming_keep (full, FALSE);
  ms_server_set_incoming_move_to (full, "Processed");
  ms_server_set_dkim_domain (full, "example.org");
  ms_server_set_dkim_selector (full, "mail");
  ms_server_set_dkim_key_ref (full, "mail._domainkey.example.org");
  ms_server_set_quotas (full, quotas, G_N_ELEMENTS (quotas));

  id = ms_store_add_server (store, full, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (ms_server_get_id (full), ==, id);
  g_assert_cmpint (ms_server_get_created_at (full), >, 0);
  /* Stored normalised. */
  g_assert_cmpstr (ms_server_get_sender_address (full), ==, "Anna@example.org");
  g_assert_cmpstr (ms_server_get_pinned_fingerprint (full), ==,
                   "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");

  loaded = ms_store_get_server (store, id, &error);
  g_assert_no_error (error);
  assert_same_server (full, loaded);
  g_clear_object (&loaded);
  loaded = ms_store_find_server (store, "Full", &error);
  g_assert_no_error (error);
  assert_same_server (full, loaded);

  g_assert_cmpint (ms_store_add_server (store, second, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ms_store_add_server (store, third, &error), >, 0);
  g_assert_no_error (error);

  /* By priority, then by name. */
  all = ms_store_list_servers (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (ms_server_get_name (g_ptr_array_index (all, 0)), ==, "Second");
  g_assert_cmpstr (ms_server_get_name (g_ptr_array_index (all, 1)), ==, "Another");
  g_assert_cmpstr (ms_server_get_name (g_ptr_array_index (all, 2)), ==, "Full");
  assert_same_server (full, g_ptr_array_index (all, 2));

  /* A taken name. */
  dup = make_server ("Full", 0);
  g_assert_cmpint (ms_store_add_server (store, dup, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_assert_cmpint (ms_server_get_id (dup), ==, 0);
  g_clear_error (&error);

  /* An invalid profile is refused before the database. */
  ms_server_set_name (dup, "Dup");
  ms_server_set_port (dup, 0);
  g_assert_cmpint (ms_store_add_server (store, dup, &error), ==, 0);
  g_assert_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID);
  g_clear_error (&error);

  /* Update: every column and the quotas. */
  {
    MsQuota fewer[] = { { 10, 60 } };

    ms_server_set_name (full, "Renamed");
    ms_server_set_host (full, "mail.example.org");
    ms_server_set_security (full, MS_SECURITY_STARTTLS);
    ms_server_set_port (full, 587);
    ms_server_set_login (full, NULL);
    ms_server_set_incoming_protocol (full, MS_INCOMING_NONE);
    ms_server_set_quotas (full, fewer, 1);
    g_assert_true (ms_store_update_server (store, full, &error));
    g_assert_no_error (error);
    g_clear_object (&loaded);
    loaded = ms_store_get_server (store, id, &error);
    g_assert_no_error (error);
    assert_same_server (full, loaded);
  }

  /* Renaming onto a taken name. */
  ms_server_set_name (full, "Second");
  g_assert_false (ms_store_update_server (store, full, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  ms_server_set_name (full, "Renamed");

  /* Delete: the quotas go too. */
  g_assert_true (ms_store_delete_server (store, id, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = ms_store_get_server (store, id, &error);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_assert_null (loaded);
  g_clear_error (&error);
  g_assert_false (ms_store_delete_server (store, id, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ms_store_find_server (store, "Renamed", &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ms_store_update_server (store, full, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  {
    sqlite3_stmt *stmt = _ms_store_prepare (store, "SELECT count(*) FROM server_quotas "
                                            "WHERE server_id = ?1", &error);

    g_assert_no_error (error);
    sqlite3_bind_int64 (stmt, 1, id);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_reset (stmt);
  }
}

static guint
count_quota_rows (MsStore *store,
                  gint64   id)
{
  sqlite3_stmt *stmt = _ms_store_prepare (store, "SELECT count(*) FROM server_quotas "
                                          "WHERE server_id = ?1", NULL);
  guint n;

  g_assert_nonnull (stmt);
  sqlite3_bind_int64 (stmt, 1, id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  n = (guint) sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  return n;
}

static void
test_store_quotas_atomic (void)
{
  g_autoptr(MsStore) store = open_store (NULL);
  g_autoptr(MsServer) server = make_server ("Main", 0);
  g_autoptr(MsServer) loaded = NULL;
  g_autoptr(GError) error = NULL;
  MsQuota before[] = { { 60, 3600 }, { 500, 86400 } };
  MsQuota after[] = { { 13, 60 }, { 100, 3600 } };
  const MsQuota *got;
  guint n;

  ms_server_set_quotas (server, before, G_N_ELEMENTS (before));
  g_assert_cmpint (ms_store_add_server (store, server, &error), >, 0);
  g_assert_no_error (error);

  /* The second quota row fails half-way through the write: the row and the
   * first quotas must stay as they were. */
  g_assert_true (_ms_store_exec (store,
                                 "CREATE TEMP TRIGGER refuse_100 BEFORE INSERT ON server_quotas "
                                 "WHEN NEW.max_count = 100 BEGIN SELECT RAISE (ABORT, 'refused'); END",
                                 &error));
  g_assert_no_error (error);
  ms_server_set_name (server, "Changed");
  ms_server_set_quotas (server, after, G_N_ELEMENTS (after));
  g_assert_false (ms_store_update_server (store, server, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_false (ms_store_in_transaction (store));

  loaded = ms_store_get_server (store, ms_server_get_id (server), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_server_get_name (loaded), ==, "Main");
  got = ms_server_get_quotas (loaded, &n);
  g_assert_cmpuint (n, ==, 2);
  g_assert_cmpuint (got[0].limit, ==, 60);
  g_assert_cmpuint (got[1].limit, ==, 500);
  g_assert_cmpuint (count_quota_rows (store, ms_server_get_id (server)), ==, 2);

  /* Inside the caller's transaction the write is a savepoint: the failure leaves the
   * caller's transaction open and its earlier work in place. */
  g_assert_true (ms_store_begin (store, &error));
  g_assert_true (_ms_store_exec (store, "INSERT INTO lists (name) VALUES ('kept')", &error));
  g_assert_false (ms_store_update_server (store, server, &error));
  g_clear_error (&error);
  g_assert_true (ms_store_in_transaction (store));
  g_assert_true (ms_store_commit (store, &error));
  g_assert_no_error (error);
  {
    g_autoptr(MsContactList) kept = ms_store_find_list (store, "kept", &error);

    g_assert_no_error (error);
    g_assert_nonnull (kept);
  }
  g_assert_cmpuint (count_quota_rows (store, ms_server_get_id (server)), ==, 2);

  /* And a caller's rollback undoes a successful write. */
  g_assert_true (_ms_store_exec (store, "DROP TRIGGER refuse_100", &error));
  g_assert_true (ms_store_begin (store, &error));
  g_assert_true (ms_store_update_server (store, server, &error));
  g_assert_no_error (error);
  ms_store_rollback (store);
  g_clear_object (&loaded);
  loaded = ms_store_get_server (store, ms_server_get_id (server), &error);
  g_assert_cmpstr (ms_server_get_name (loaded), ==, "Main");
  g_assert_cmpuint (count_quota_rows (store, ms_server_get_id (server)), ==, 2);

  /* Without the trigger the whole change lands. */
  g_assert_true (ms_store_update_server (store, server, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = ms_store_get_server (store, ms_server_get_id (server), &error);
  assert_same_server (server, loaded);
}

/* Secrets (the file store: MAILSHOT_SECRETS=file is set by tests/meson.build) */

static guint
file_mode (const char *path)
{
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_mode & 07777;
}

static gboolean
file_contains (const char *path,
               const char *needle)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, NULL))
    return FALSE;
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    {
      if (memcmp (data + i, needle, strlen (needle)) == 0)
        return TRUE;
    }
  return FALSE;
}

static void
test_secrets_file (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *secrets_path = NULL;
  g_autoptr(MsStore) store = open_store (&dir);
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(MsServer) server = make_server ("Main", 0);
  g_autoptr(GError) error = NULL;
  const char *password = "pw-Zebra-71-\xc3\xa4\xc3\xb6-secret";
  const char *dkim_key = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQ\n"
                         "-----END PRIVATE KEY-----\n";
  g_autofree char *describe = NULL;
  char *got;
  mode_t old_umask;

  g_assert_cmpstr (g_getenv ("MAILSHOT_SECRETS"), ==, "file");
  db_path = g_build_filename (dir, "test.db", NULL);
  secrets = ms_secrets_new_for_database (db_path);
  secrets_path = g_build_filename (dir, MS_SECRETS_FILE_NAME, NULL);
  g_assert_cmpint (ms_secrets_get_backend (secrets), ==, MS_SECRETS_BACKEND_FILE);
  g_assert_cmpstr (ms_secrets_get_file_path (secrets), ==, secrets_path);
  describe = ms_secrets_describe (secrets);
  g_assert_nonnull (strstr (describe, secrets_path));

  /* Nothing stored yet. */
  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_assert_no_error (error);
  g_assert_null (got);

  /* A wide-open umask must not make the file readable by others. */
  old_umask = umask (0);
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_SMTP, "smtp.example.org",
                                   "anna@example.org", password, NULL, &error));
  umask (old_umask);
  g_assert_no_error (error);
  g_assert_cmpuint (file_mode (secrets_path), ==, 0600);

  g_assert_true (ms_secrets_store (secrets, MS_SECRET_IMAP, "smtp.example.org",
                                   "anna@example.org", "imap-password", NULL, &error));
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_DKIM, "example.org", "mail", dkim_key,
                                   NULL, &error));
  g_assert_no_error (error);

  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (got, ==, password);
  ms_secret_free (got);
  got = ms_secrets_lookup (secrets, MS_SECRET_IMAP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_assert_cmpstr (got, ==, "imap-password");
  ms_secret_free (got);
  got = ms_secrets_lookup (secrets, MS_SECRET_DKIM, "example.org", "mail", NULL, &error);
  g_assert_cmpstr (got, ==, dkim_key);   /* newlines survive */
  ms_secret_free (got);
  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "other@example.org",
                           NULL, &error);
  g_assert_null (got);

  /* Replacing keeps one entry. */
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_SMTP, "smtp.example.org",
                                   "anna@example.org", "second", NULL, &error));
  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_assert_cmpstr (got, ==, "second");
  ms_secret_free (got);
  g_assert_false (file_contains (secrets_path, password));

  /* Someone opened the file up: the next use closes it again. */
  g_assert_cmpint (g_chmod (secrets_path, 0644), ==, 0);
  g_test_expect_message ("ms-secrets", G_LOG_LEVEL_WARNING, "*readable by others*");
  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_test_assert_expected_messages ();
  g_assert_cmpstr (got, ==, "second");
  ms_secret_free (got);
  g_assert_cmpuint (file_mode (secrets_path), ==, 0600);

  /* A second object (another process) sees the same secrets. */
  {
    g_autoptr(MsSecrets) other = ms_secrets_new_for_database (db_path);

    got = ms_secrets_lookup (other, MS_SECRET_DKIM, "example.org", "mail", NULL, &error);
    g_assert_cmpstr (got, ==, dkim_key);
    ms_secret_free (got);
  }

  /* Clearing. */
  g_assert_true (ms_secrets_clear (secrets, MS_SECRET_SMTP, "smtp.example.org",
                                   "anna@example.org", NULL, &error));
  g_assert_true (ms_secrets_clear (secrets, MS_SECRET_SMTP, "smtp.example.org",
                                   "anna@example.org", NULL, &error));
  g_assert_no_error (error);
  got = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "smtp.example.org", "anna@example.org",
                           NULL, &error);
  g_assert_null (got);
  g_assert_false (file_contains (secrets_path, "second"));
  g_assert_true (file_contains (secrets_path, "imap-password"));

  /* The password never reaches the database: store a profile and a password, then
   * look for the password's bytes in every file of the database. */
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_SMTP, ms_server_get_host (server),
                                   ms_server_get_login (server), password, NULL, &error));
  g_assert_cmpint (ms_store_add_server (store, server, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (file_contains (secrets_path, "pw-Zebra-71"));
  {
    const char *suffixes[] = { "", "-wal", "-shm", "-journal" };

    for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
      {
        g_autofree char *path = g_strconcat (db_path, suffixes[i], NULL);

        g_assert_false (file_contains (path, "pw-Zebra-71"));
      }
    {
      g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);

      /* The profile itself did reach the database: the search can find things. */
      g_assert_true (file_contains (db_path, "smtp.example.org")
                     || file_contains (wal, "smtp.example.org"));
    }
  }

  /* Bad input. */
  g_assert_false (ms_secrets_store (secrets, MS_SECRET_SMTP, "", "x", "y", NULL, &error));
  g_assert_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ms_secrets_store (secrets, MS_SECRET_SMTP, "h", "x", "\xff\xfe", NULL, &error));
  g_assert_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_INVALID);
  g_clear_error (&error);

  {
    g_autofree char *ref = ms_secrets_dkim_key_ref ("example.org", "mail");

    g_assert_cmpstr (ref, ==, "mail._domainkey.example.org");
  }
}

static void
test_secrets_file_unwritable (void)
{
  g_autofree char *dir = new_dir ("ro");
  g_autofree char *path = g_build_filename (dir, "sub", MS_SECRETS_FILE_NAME, NULL);
  g_autoptr(MsSecrets) secrets = ms_secrets_new (path);
  g_autoptr(GError) error = NULL;

  if (getuid () == 0)
    {
      g_test_skip ("root can write anywhere");
      return;
    }
  g_assert_cmpint (g_chmod (dir, 0500), ==, 0);
  g_assert_false (ms_secrets_store (secrets, MS_SECRET_SMTP, "h", "l", "p", NULL, &error));
  g_assert_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_FILE);
  g_assert_null (strstr (error->message, "\"p\""));
  g_chmod (dir, 0700);
}

/* Providers */

typedef struct
{
  const char *id;
  const char *domains;
} ExpectedProvider;

static const ExpectedProvider expected_providers[] = {
  { "mailru", "mail.ru inbox.ru bk.ru list.ru internet.ru" },
  { "yandex", "yandex.ru ya.ru yandex.com yandex.by yandex.kz yandex.ua narod.ru" },
  { "rambler", "rambler.ru ro.ru lenta.ru myrambler.ru autorambler.ru rambler.ua" },
  { "gmail", "gmail.com googlemail.com" },
  { "gmx", "gmx.de gmx.net gmx.at gmx.ch" },
  { "webde", "web.de" },
  { "tonline", "t-online.de" },
  { "outlook", "outlook.com hotmail.com live.com msn.com outlook.de hotmail.de" },
  { "yahoo", "yahoo.com yahoo.de ymail.com rocketmail.com" },
  { "icloud", "icloud.com me.com mac.com" },
};

static void
test_provider_lookup (void)
{
  GPtrArray *all = ms_provider_get_all ();

  g_assert_cmpuint (all->len, ==, G_N_ELEMENTS (expected_providers));
  for (guint i = 0; i < G_N_ELEMENTS (expected_providers); i++)
    {
      g_auto(GStrv) domains = g_strsplit (expected_providers[i].domains, " ", -1);

      for (guint d = 0; domains[d] != NULL; d++)
        {
          g_autofree char *address = g_strconcat ("someone@", domains[d], NULL);
          g_autofree char *upper = g_ascii_strup (address, -1);
          g_autofree char *dotted = g_strconcat (address, ".", NULL);
          g_autofree char *sub = g_strconcat ("someone@mx.", domains[d], NULL);
          MsProvider *p = ms_provider_lookup (address);

          g_assert_nonnull (p);
          g_assert_cmpstr (ms_provider_get_id (p), ==, expected_providers[i].id);
          g_assert_true (ms_provider_lookup (upper) == p);
          g_assert_true (ms_provider_lookup (dotted) == p);
          g_assert_true (ms_provider_lookup (domains[d]) == p);
          /* Subdomains are other mail systems. */
          g_assert_null (ms_provider_lookup (sub));
          g_assert_true (g_strv_contains (ms_provider_get_domains (p), domains[d]));
        }
    }
  g_assert_null (ms_provider_lookup ("someone@example.org"));
  g_assert_null (ms_provider_lookup ("someone@gmail.com.evil.example"));
  g_assert_null (ms_provider_lookup ("someone@"));
  g_assert_null (ms_provider_lookup (""));
  g_assert_true (ms_provider_lookup ("  someone@Mail.Ru  ") == ms_provider_lookup ("mail.ru"));
}

static void
test_provider_data (void)
{
  GPtrArray *all = ms_provider_get_all ();

  for (guint i = 0; i < all->len; i++)
    {
      MsProvider *p = g_ptr_array_index (all, i);
      const char * const *quirks = ms_provider_get_quirks (p);
      g_autoptr(MsServer) server = ms_server_new ();
      const char *domain = ms_provider_get_domains (p)[0];
      g_autofree char *address = g_strconcat ("anna.test@", domain, NULL);
      g_autoptr(GError) error = NULL;
      const MsQuota *quotas;
      guint n;

      g_test_message ("provider %s", ms_provider_get_id (p));
      g_assert_nonnull (ms_provider_get_name (p));
      g_assert_nonnull (ms_provider_get_smtp_host (p));
      g_assert_true (ms_provider_get_smtp_port (p) == 465 || ms_provider_get_smtp_port (p) == 587);
      g_assert_true (ms_provider_get_smtp_security (p) != MS_SECURITY_NONE);
      g_assert_nonnull (ms_provider_get_imap_host (p));
      g_assert_cmpuint (ms_provider_get_imap_port (p), ==, 993);
      g_assert_cmpuint (ms_provider_get_max_message_size (p), >=, 10 * 1024 * 1024);
      g_assert_cmpuint (ms_provider_get_max_recipients (p), >, 0);
      quotas = ms_provider_get_quotas (p, &n);
      g_assert_cmpuint (n, >=, 2);
      for (guint q = 0; q < n; q++)
        {
          g_assert_cmpuint (quotas[q].limit, >, 0);
          g_assert_cmpuint (quotas[q].limit, <=, 500);    /* conservative */
        }
      g_assert_nonnull (quirks[0]);
      for (guint q = 0; quirks[q] != NULL; q++)
        g_assert_nonnull (ms_provider_quirk_text (quirks[q]));

      ms_server_set_name (server, ms_provider_get_name (p));
      ms_provider_apply (p, server, address);
      g_assert_true (ms_server_validate (server, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (ms_server_get_host (server), ==, ms_provider_get_smtp_host (p));
      g_assert_cmpstr (ms_server_get_sender_address (server), ==, address);
      g_assert_cmpint (ms_server_get_incoming_protocol (server), ==, MS_INCOMING_IMAP);
      g_assert_true (ms_provider_lookup_for_server (server) == p);
      ms_server_get_quotas (server, &n);
      g_assert_cmpuint (n, >=, 2);
    }

  /* Login formats. */
  {
    MsProvider *icloud = ms_provider_lookup ("icloud.com");
    MsProvider *gmail = ms_provider_lookup ("gmail.com");
    g_autoptr(MsServer) server = ms_server_new ();
    g_autofree char *login = ms_provider_make_login (gmail, "anna@gmail.com");

    g_assert_cmpstr (login, ==, "anna@gmail.com");
    ms_provider_apply (icloud, server, "anna@icloud.com");
    g_assert_cmpstr (ms_server_get_login (server), ==, "anna@icloud.com");
    g_assert_cmpstr (ms_server_get_incoming_login (server), ==, "anna");
    g_assert_cmpuint (ms_server_get_port (server), ==, 587);
    g_assert_cmpint (ms_server_get_security (server), ==, MS_SECURITY_STARTTLS);
  }

  /* By host when the sender is on a domain of its own. */
  {
    g_autoptr(MsServer) server = make_server ("Own domain", 0);

    ms_server_set_host (server, "SMTP.yandex.ru");
    g_assert_cmpstr (ms_provider_get_id (ms_provider_lookup_for_server (server)), ==, "yandex");
    ms_server_set_host (server, "smtp.example.org");
    g_assert_null (ms_provider_lookup_for_server (server));
  }

  g_assert_null (ms_provider_quirk_text ("no-such-quirk"));
  g_assert_null (ms_provider_explanation_text ("no-such-explanation"));
}

static const char *
explain (const char  *provider_domain,
         guint        code,
         const char  *enhanced,
         const char  *text,
         MsSmtpStage  stage)
{
  g_autoptr(MsSmtpReply) reply = ms_smtp_reply_new (code, enhanced, text);
  MsProvider *p = provider_domain != NULL ? ms_provider_lookup (provider_domain) : NULL;

  return ms_provider_explain_reply (p, reply, stage);
}

static void
test_provider_explain (void)
{
  /* The cases the issue names. */
  g_assert_cmpstr (explain ("gmail.com", 535, "5.7.8",
                            "Username and Password not accepted. For more information, go to\n"
                            "https://support.google.com/mail/?p=BadCredentials",
                            MS_SMTP_STAGE_AUTH), ==, "gmail-app-password");
  g_assert_cmpstr (explain ("yandex.ru", 553, "5.7.1",
                            "Sender address rejected: not owned by auth user.",
                            MS_SMTP_STAGE_RCPT), ==, "from-must-be-login");
  g_assert_cmpstr (explain ("rambler.ru", 550, "5.7.1", "spam message rejected",
                            MS_SMTP_STAGE_DATA_END), ==, "rambler-spam");
  g_assert_cmpstr (explain ("mail.ru", 535, NULL, "authentication failed", MS_SMTP_STAGE_AUTH),
                   ==, "mailru-app-password");

  /* Provider rules first, generic ones after. */
  g_assert_cmpstr (explain (NULL, 535, "5.7.8", "Authentication credentials invalid",
                            MS_SMTP_STAGE_AUTH), ==, "auth-failed");
  g_assert_cmpstr (explain ("yandex.ru", 535, "5.7.8", "Error: authentication failed: This user "
                            "does not have access rights to this service", MS_SMTP_STAGE_AUTH),
                   ==, "yandex-app-password");
  g_assert_cmpstr (explain (NULL, 553, "5.7.1", "Sender address rejected: not owned by auth user.",
                            MS_SMTP_STAGE_MAIL), ==, "from-must-be-login");
  g_assert_cmpstr (explain (NULL, 554, "5.7.1", "<x@y.org>: Relay access denied",
                            MS_SMTP_STAGE_RCPT), ==, "relay-denied");
  g_assert_cmpstr (explain (NULL, 530, "5.7.0", "Authentication required", MS_SMTP_STAGE_MAIL),
                   ==, "auth-required");
  g_assert_cmpstr (explain (NULL, 552, "5.3.4", "Message size exceeds fixed limit",
                            MS_SMTP_STAGE_DATA_END), ==, "too-big");
  g_assert_cmpstr (explain (NULL, 421, "4.7.0", "Try again later, closing connection",
                            MS_SMTP_STAGE_MAIL), ==, "rate-limit");
  g_assert_cmpstr (explain ("gmail.com", 550, "5.4.5", "Daily user sending limit exceeded.",
                            MS_SMTP_STAGE_MAIL), ==, "rate-limit");
  g_assert_cmpstr (explain ("outlook.com", 535, "5.7.139",
                            "Authentication unsuccessful, basic authentication is disabled.",
                            MS_SMTP_STAGE_AUTH), ==, "basic-auth-disabled");
  /* Enhanced codes match whole components: 5.7.1 is no prefix of 5.7.139. */
  g_assert_cmpstr (explain ("outlook.com", 550, "5.7.139", "Denied", MS_SMTP_STAGE_AUTH),
                   ==, "basic-auth-disabled");
  g_assert_cmpstr (explain ("rambler.ru", 550, "5.7.139", "spam message rejected",
                            MS_SMTP_STAGE_DATA_END), !=, "rambler-spam");
  /* Stage-bound rules. */
  g_assert_null (explain (NULL, 552, NULL, "Mailbox full", MS_SMTP_STAGE_RCPT));
  /* Nothing to explain. */
  g_assert_null (explain (NULL, 250, "2.0.0", "Ok", MS_SMTP_STAGE_DATA_END));
  g_assert_null (explain (NULL, 550, "5.1.1", "No such user", MS_SMTP_STAGE_RCPT));

  /* Every explanation the file names has a sentence (load warns otherwise, and
   * warnings are fatal here); spot-check one translation source. */
  g_assert_nonnull (strstr (ms_provider_explanation_text ("mailru-app-password"),
                            "пароль для внешних приложений"));
}

/* sendmail, through a fake program */

static char *
write_fake_sendmail (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "sendmail", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *script = g_strdup_printf (
    "#!/bin/sh\n"
    "for a in \"$@\"; do printf '%%s\\n' \"$a\"; done > '%s/argv'\n"
    "cat > '%s/stdin' || exit 74\n"
    "touch '%s/done'\n"
    "if [ -f '%s/fail' ]; then echo 'sendmail: fatal: no such user' >&2; exit $(cat '%s/fail'); fi\n"
    "exit 0\n", dir, dir, dir, dir, dir);

  g_assert_true (g_file_set_contents (path, script, -1, &error));
  g_assert_cmpint (g_chmod (path, 0700), ==, 0);
  return g_steal_pointer (&path);
}

static gboolean
commit_count (gpointer   user_data,
              GError   **error)
{
  guint *calls = user_data;

  (*calls)++;
  return TRUE;
}

static gboolean
commit_refuse (gpointer   user_data,
               GError   **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "refused by the test");
  return FALSE;
}

static const char *message_text =
  "From: Anna <anna@example.org>\r\n"
  "To: bob@example.net\r\n"
  "Subject: Hello\r\n"
  "Message-ID: <20260101.abc/def@example.org>\r\n"
  "\r\n"
  "Line one\r\n"
  ".a line with a dot\r\n"
  "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82\r\n";

static void
test_sender_sendmail (void)
{
  g_autofree char *dir = new_dir ("sendmail");
  g_autofree char *program = write_fake_sendmail (dir);
  g_autofree char *argv_path = g_build_filename (dir, "argv", NULL);
  g_autofree char *stdin_path = g_build_filename (dir, "stdin", NULL);
  g_autofree char *done_path = g_build_filename (dir, "done", NULL);
  g_autofree char *fail_path = g_build_filename (dir, "fail", NULL);
  g_autoptr(MsServer) server = make_server ("Local", 0);
  g_autoptr(MsSender) sender = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (message_text, strlen (message_text));
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *argv_text = NULL;
  g_autofree char *stdin_text = NULL;
  g_autofree char *expected = NULL;
  const char *rcpts[] = { "bob@example.net", "-oQ@example.net", "иван@пример.рф", NULL };
  guint calls = 0;

  ms_server_set_transport (server, MS_TRANSPORT_SENDMAIL);
  sender = ms_sender_new_for_server (server, NULL);
  g_assert_cmpint (ms_sender_get_transport (sender), ==, MS_TRANSPORT_SENDMAIL);
  ms_sender_set_sendmail_path (sender, program);
  g_assert_true (ms_sender_open (sender, NULL, &error));
  g_assert_no_error (error);

  g_assert_true (ms_sender_send (sender, message, "bounces@example.org", rcpts, commit_count,
                                 &calls, &replies, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpuint (replies->len, ==, 3);
  g_assert_cmpuint (((MsSmtpReply *) g_ptr_array_index (replies, 0))->code, ==, 250);

  /* The arguments: options, the envelope sender, "--", then only the recipients. */
  g_assert_true (g_file_get_contents (argv_path, &argv_text, NULL, NULL));
  g_assert_cmpstr (argv_text, ==,
                   "-i\n-f\nbounces@example.org\n--\nbob@example.net\n-oQ@example.net\n"
                   "иван@пример.рф\n");
  /* The message, with LF line ends. */
  g_assert_true (g_file_get_contents (stdin_path, &stdin_text, NULL, NULL));
  expected = g_strjoinv ("\n", (char **) (const char *[]) { "From: Anna <anna@example.org>",
                           "To: bob@example.net", "Subject: Hello",
                           "Message-ID: <20260101.abc/def@example.org>", "", "Line one",
                           ".a line with a dot",
                           "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "", NULL });
  g_assert_cmpstr (stdin_text, ==, expected);

  /* An address that is not one never reaches the command line. */
  g_clear_pointer (&replies, g_ptr_array_unref);
  g_unlink (argv_path);
  {
    const char *hostile[] = { "bob@example.net -X/tmp/log", NULL };
    const char *hostile2[] = { "-X/tmp/log", NULL };

    g_assert_false (ms_sender_send (sender, message, "bounces@example.org", hostile, NULL, NULL,
                                    &replies, NULL, &error));
    g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS);
    g_clear_error (&error);
    g_assert_false (ms_sender_send (sender, message, "bounces@example.org", hostile2, NULL, NULL,
                                    NULL, NULL, &error));
    g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS);
    g_clear_error (&error);
    g_assert_false (ms_sender_send (sender, message, "-f x@y.org", rcpts, NULL, NULL, NULL,
                                    NULL, &error));
    g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS);
    g_clear_error (&error);
    g_assert_false (g_file_test (argv_path, G_FILE_TEST_EXISTS));
  }

  /* A failing sendmail: its status and words. */
  g_assert_true (g_file_set_contents (fail_path, "75", -1, NULL));
  g_assert_false (ms_sender_send (sender, message, "bounces@example.org", rcpts, NULL, NULL,
                                  NULL, NULL, &error));
  g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SENDMAIL);
  g_assert_nonnull (strstr (error->message, "75"));
  g_assert_nonnull (strstr (error->message, "no such user"));
  g_assert_cmpint (ms_sender_classify_error (sender, error), ==, MS_SMTP_FAILURE_TEMPORARY);
  g_clear_error (&error);
  g_assert_true (g_file_set_contents (fail_path, "67", -1, NULL));
  g_assert_false (ms_sender_send (sender, message, "bounces@example.org", rcpts, NULL, NULL,
                                  NULL, NULL, &error));
  g_assert_cmpint (ms_sender_classify_error (sender, error), ==, MS_SMTP_FAILURE_RECIPIENT);
  g_clear_error (&error);
  g_unlink (fail_path);

  /* The commit hook refuses: sendmail is stopped before its input ends. */
  g_unlink (done_path);
  g_assert_false (ms_sender_send (sender, message, "bounces@example.org", rcpts, commit_refuse,
                                  NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (g_file_test (done_path, G_FILE_TEST_EXISTS));

  /* A missing program. */
  {
    g_autofree char *missing = g_build_filename (dir, "no-sendmail", NULL);

    ms_sender_set_sendmail_path (sender, missing);
    g_assert_false (ms_sender_open (sender, NULL, &error));
    g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN);
    g_clear_error (&error);
    g_assert_false (ms_sender_send (sender, message, "bounces@example.org", rcpts, NULL, NULL,
                                    NULL, NULL, &error));
    g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN);
    g_assert_cmpint (ms_sender_classify_error (sender, error), ==, MS_SMTP_FAILURE_ACCOUNT);
  }
}

/* Folder */

static guint
count_files (const char *dir,
             const char *suffix)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  guint n = 0;

  while ((name = g_dir_read_name (d)) != NULL)
    {
      if (suffix == NULL || g_str_has_suffix (name, suffix))
        n++;
    }
  return n;
}

static void
test_sender_folder (void)
{
  g_autofree char *base = new_dir ("folder");
  g_autofree char *dir = g_build_filename (base, "out", "nested", NULL);
  g_autoptr(MsServer) server = make_server ("Dry run", 0);
  g_autoptr(MsSender) sender = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (message_text, strlen (message_text));
  const char *no_id_text = "From: a@example.org\r\nSubject: x\r\n\r\nMessage-ID: <not@header>\r\n";
  g_autoptr(GBytes) no_id = g_bytes_new_static (no_id_text, strlen (no_id_text));
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *third = NULL;
  g_autofree char *data = NULL;
  gsize length = 0;
  const char *rcpts[] = { "bob@example.net", NULL };
  guint calls = 0;

  ms_server_set_transport (server, MS_TRANSPORT_FOLDER);
  ms_server_set_folder (server, dir);
  sender = ms_sender_new_for_server (server, NULL);

  /* send() opens (and creates the folder) by itself. */
  ms_sender_send (sender, message, "a@example.org", rcpts, commit_count, &calls, &replies, NULL,
                  &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  first = g_strdup (ms_sender_get_last_response (sender));
  g_assert_true (g_str_has_prefix (first, dir));
  g_assert_true (g_str_has_suffix (first, "/20260101.abc_def@example.org.eml"));
  g_assert_cmpuint (replies->len, ==, 1);
  g_assert_true (g_file_get_contents (first, &data, &length, NULL));
  g_assert_cmpmem (data, length, message_text, strlen (message_text));   /* exact bytes */
  g_assert_cmpuint (file_mode (first), ==, 0600);

  /* The same Message-ID again (a resend) gets a new name, never overwrites. */
  g_assert_true (ms_sender_send (sender, message, "a@example.org", rcpts, NULL, NULL, NULL,
                                 NULL, &error));
  second = g_strdup (ms_sender_get_last_response (sender));
  g_assert_true (g_str_has_suffix (second, "/20260101.abc_def@example.org-2.eml"));

  /* No Message-ID in the header: a counter. */
  g_assert_true (ms_sender_send (sender, no_id, "a@example.org", rcpts, NULL, NULL, NULL,
                                 NULL, &error));
  g_assert_no_error (error);
  third = g_strdup (ms_sender_get_last_response (sender));
  g_assert_true (g_str_has_suffix (third, "/message-000001.eml"));

  /* The hook refuses: no file, no temporary left. */
  g_assert_false (ms_sender_send (sender, message, "a@example.org", rcpts, commit_refuse, NULL,
                                  NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_cmpuint (count_files (dir, ".eml"), ==, 3);
  g_assert_cmpuint (count_files (dir, NULL), ==, 3);

  /* An unwritable folder. */
  if (getuid () != 0)
    {
      g_autoptr(MsSender) other = NULL;
      g_autofree char *locked = g_build_filename (base, "locked", NULL);
      g_autofree char *inside = g_build_filename (locked, "x", NULL);

      g_assert_cmpint (g_mkdir (locked, 0500), ==, 0);
      ms_server_set_folder (server, inside);
      other = ms_sender_new_for_server (server, NULL);
      g_assert_false (ms_sender_open (other, NULL, &error));
      g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_FOLDER);
      g_clear_error (&error);
      g_chmod (locked, 0700);
    }
}

/* SMTP against the scriptable server */

static MsTestServer *
test_server_start (const char *first,
                   ...) G_GNUC_NULL_TERMINATED;

static MsTestServer *
test_server_start (const char *first,
                   ...)
{
  g_autofree char *dir = new_dir ("smtp");
  MsTestServer *srv;
  va_list ap;

  va_start (ap, first);
  srv = ms_test_server_start_valist ("ms-test-smtp-server.py", dir, first, ap);
  va_end (ap);
  return srv;
}

static char *
cert_path (const char *name)
{
  return g_build_filename (certs_dir, name, NULL);
}

static MsServer *
loopback_server (MsTestServer *srv,
                 MsSecurity    security,
                 const char   *sender)
{
  MsServer *server = ms_server_new ();
  g_autofree char *ca = cert_path ("ca.pem");

  ms_server_set_name (server, "Loopback");
  ms_server_set_host (server, "127.0.0.1");
  ms_server_set_port (server, srv->port);
  ms_server_set_security (server, security);
  ms_server_set_ca_file (server, ca);
  ms_server_set_login (server, "anna");
  ms_server_set_sender_address (server, sender);
  return server;
}

typedef struct
{
  GString *log;
  guint    running;
  guint    failed;
} Events;

static void
record_event (MsServerTestStep    step,
              MsServerTestStatus  status,
              const char         *text,
              gpointer            user_data)
{
  Events *events = user_data;

  g_assert_nonnull (text);
  g_string_append_printf (events->log, "%s %s %s\n", ms_server_test_step_to_string (step),
                          ms_server_test_status_to_string (status), text);
  if (status == MS_SERVER_TEST_RUNNING)
    events->running++;
  if (status == MS_SERVER_TEST_FAILED)
    events->failed++;
}

static void
test_sender_smtp (void)
{
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("server.key");
  g_autoptr(MsTestServer) srv = test_server_start ("--security", "tls", "--cert", cert, "--key", key,
                                                 "--auth", "anna:s3cret-Pass", "--require-auth",
                                                 NULL);
  g_autofree char *dir = new_dir ("smtp-secrets");
  g_autofree char *secrets_path = g_build_filename (dir, MS_SECRETS_FILE_NAME, NULL);
  g_autoptr(MsSecrets) secrets = ms_secrets_new (secrets_path);
  g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@example.org");
  g_autoptr(MsSender) sender = NULL;
  g_autoptr(GBytes) message = g_bytes_new_static (message_text, strlen (message_text));
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *received = NULL;
  g_autofree char *path = NULL;
  const char *rcpts[] = { "bob@example.net", "carol@example.net", NULL };
  guint calls = 0;

  /* No password stored yet. */
  sender = ms_sender_new_for_server (server, secrets);
  g_assert_false (ms_sender_open (sender, NULL, &error));
  g_assert_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_NO_PASSWORD);
  g_assert_cmpint (ms_sender_classify_error (sender, error), ==, MS_SMTP_FAILURE_AUTH);
  g_clear_error (&error);

  g_assert_true (ms_secrets_store (secrets, MS_SECRET_SMTP, "127.0.0.1", "anna", "s3cret-Pass",
                                   NULL, &error));
  g_assert_true (ms_sender_send (sender, message, "anna@example.org", rcpts, commit_count, &calls,
                                 &replies, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_sender_is_open (sender));
  g_assert_cmpuint (calls, ==, 1);
  g_assert_cmpuint (replies->len, ==, 2);
  g_assert_true (g_str_has_prefix (ms_sender_get_last_response (sender), "250"));
  path = g_build_filename (srv->dir, "0001.eml", NULL);
  g_assert_true (g_file_get_contents (path, &received, NULL, NULL));
  g_assert_cmpstr (received, ==, message_text);

  /* The hook refuses: the connection closes without the dot; nothing is accepted. */
  g_assert_false (ms_sender_send (sender, message, "anna@example.org", rcpts, commit_refuse, NULL,
                                  NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (ms_sender_is_open (sender));

  /* The next send reconnects. */
  g_assert_true (ms_sender_send (sender, message, "anna@example.org", rcpts, NULL, NULL, NULL,
                                 NULL, &error));
  g_assert_no_error (error);
  g_free (path);
  path = g_build_filename (srv->dir, "0003.eml", NULL);
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_free (path);
  path = g_build_filename (srv->dir, "0002.eml", NULL);
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  ms_sender_close (sender, NULL);
  g_assert_false (ms_sender_is_open (sender));

  /* A wrong password override: AUTH fails and is classified so. */
  {
    g_autoptr(MsSender) wrong = ms_sender_new_for_server (server, secrets);

    ms_sender_set_password (wrong, "wrong");
    g_assert_false (ms_sender_open (wrong, NULL, &error));
    g_assert_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED);
    g_assert_null (strstr (error->message, "wrong"));
    g_assert_cmpint (ms_sender_classify_error (wrong, error), ==, MS_SMTP_FAILURE_AUTH);
  }
}

static void
test_server_test_ok (void)
{
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("server.key");
  g_autoptr(MsTestServer) srv = test_server_start ("--security", "starttls", "--cert", cert,
                                                 "--key", key, "--auth", "anna:pw", "--size",
                                                 "1048576", NULL);
  g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_STARTTLS, "anna@example.org");
  g_autoptr(MsServerTestReport) report = NULL;
  Events events = { g_string_new (NULL), 0, 0 };
  g_autofree char *transcript = NULL;
  g_autofree char *transcript_path = g_build_filename (srv->dir, "transcript.log", NULL);

  ms_server_set_max_message_size (server, 20 * 1024 * 1024);
  report = ms_server_test_run (server, NULL, "pw", 5000, record_event, &events, NULL);
  g_test_message ("%s", events.log->str);
  g_assert_true (report->success);
  g_assert_cmpuint (events.failed, ==, 0);
  g_assert_cmpuint (report->max_size, ==, 1048576);
  g_assert_true (g_strv_contains ((const char * const *) report->auth_mechanisms, "PLAIN"));
  g_assert_true (report->capabilities & MS_SMTP_CAP_PIPELINING);
  g_assert_nonnull (report->tls_version);
  g_assert_cmpuint (strlen (report->peer_fingerprint), ==, 64);
  g_assert_null (report->error_message);
  /* Every step reported, with the warning about the profile's larger size limit. */
  g_assert_nonnull (strstr (events.log->str, "connect ok"));
  g_assert_nonnull (strstr (events.log->str, "tls ok"));
  g_assert_nonnull (strstr (events.log->str, "greeting ok"));
  g_assert_nonnull (strstr (events.log->str, "capabilities warning"));
  g_assert_nonnull (strstr (events.log->str, "auth ok"));
  g_assert_nonnull (strstr (events.log->str, "sender ok"));
  g_assert_nonnull (strstr (events.log->str, "log info C: EHLO"));
  g_assert_null (strstr (events.log->str, "cHc="));   /* base64 of "pw" never shown */
  /* Nothing was sent: the probe ended with RSET. */
  g_assert_true (g_file_get_contents (transcript_path, &transcript, NULL, NULL));
  g_assert_nonnull (strstr (transcript, "RCPT TO:<anna@example.org>"));
  g_assert_nonnull (strstr (transcript, "RSET"));
  g_assert_null (strstr (transcript, "C: DATA"));
  g_string_free (events.log, TRUE);
}

static void
test_server_test_failures (void)
{
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("server.key");
  g_autofree char *selfsigned = cert_path ("selfsigned.pem");

  /* Wrong password at Gmail: an app password is needed. */
  {
    g_autoptr(MsTestServer) srv = test_server_start (
      "--security", "tls", "--cert", cert, "--key", key, "--auth", "anna:right",
      "--fault", "{\"stage\": \"auth\", \"reply\": [\"535-5.7.8 Username and Password not "
      "accepted. For more information, go to\", \"535 5.7.8  "
      "https://support.google.com/mail/?p=BadCredentials x1\"]}", NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@gmail.com");
    g_autoptr(MsServerTestReport) report = NULL;
    Events events = { g_string_new (NULL), 0, 0 };

    report = ms_server_test_run (server, NULL, "wrong", 5000, record_event, &events, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_AUTH);
    g_assert_cmpstr (report->explanation_id, ==, "gmail-app-password");
    g_assert_nonnull (report->error_reply);
    g_assert_cmpuint (report->error_reply->code, ==, 535);
    g_assert_nonnull (strstr (events.log->str, "auth failed"));
    g_assert_nonnull (strstr (events.log->str, "apppasswords"));
    g_assert_null (strstr (events.log->str, "sender "));
    g_string_free (events.log, TRUE);
  }

  /* Yandex: From must be the login. */
  {
    g_autoptr(MsTestServer) srv = test_server_start (
      "--security", "tls", "--cert", cert, "--key", key, "--auth", "anna:pw",
      "--fault", "{\"stage\": \"rcpt\", \"reply\": \"553 5.7.1 <anna@yandex.ru>: Sender address "
      "rejected: not owned by auth user.\"}", NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@yandex.ru");
    g_autoptr(MsServerTestReport) report = NULL;

    report = ms_server_test_run (server, NULL, "pw", 5000, NULL, NULL, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_SENDER);
    g_assert_cmpstr (report->explanation_id, ==, "from-must-be-login");
    g_assert_cmpint (report->error_stage, ==, MS_SMTP_STAGE_RCPT);
  }

  /* A self-signed certificate is refused; its fingerprint is shown for pinning. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--security", "tls", "--cert", selfsigned,
                                                   "--key", key, NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@example.org");
    g_autoptr(MsServerTestReport) report = NULL;
    Events events = { g_string_new (NULL), 0, 0 };

    report = ms_server_test_run (server, NULL, "pw", 5000, record_event, &events, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_TLS);
    g_assert_cmpstr (report->explanation_id, ==, "cert-untrusted");
    g_assert_cmpuint (strlen (report->peer_fingerprint), ==, 64);
    g_assert_nonnull (strstr (events.log->str, "connect ok"));
    g_assert_nonnull (strstr (events.log->str, "tls failed"));
    g_string_free (events.log, TRUE);

    /* Pinned, it passes. */
    ms_server_set_pinned_fingerprint (server, report->peer_fingerprint);
    ms_server_set_login (server, NULL);
    g_clear_pointer (&report, ms_server_test_report_free);
    report = ms_server_test_run (server, NULL, NULL, 5000, NULL, NULL, NULL);
    g_assert_true (report->success);
  }

  /* STARTTLS chosen, not offered: nothing sent in plaintext. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--auth", "anna:pw", "--auth-before-tls", NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_STARTTLS, "anna@example.org");
    g_autoptr(MsServerTestReport) report = NULL;

    report = ms_server_test_run (server, NULL, "pw", 5000, NULL, NULL, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_TLS);
    g_assert_cmpstr (report->explanation_id, ==, "starttls-unavailable");
  }

  /* Nothing listens on the port: the advice names 587, 465 and 2525. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--security", "none", NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@example.org");
    g_autoptr(MsServerTestReport) report = NULL;
    guint port = srv->port;

    g_clear_pointer (&srv, ms_test_server_free);
    ms_server_set_port (server, port);
    report = ms_server_test_run (server, NULL, "pw", 5000, NULL, NULL, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_CONNECT);
    g_assert_cmpstr (report->explanation_id, ==, "port-blocked");
    g_assert_nonnull (strstr (report->explanation, "587"));
    g_assert_nonnull (strstr (report->explanation, "465"));
    g_assert_nonnull (strstr (report->explanation, "2525"));
  }

  /* TLS chosen on a port that speaks plain SMTP. */
  {
    g_autoptr(MsTestServer) srv = test_server_start ("--security", "none", NULL);
    g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@example.org");
    g_autoptr(MsServerTestReport) report = NULL;

    report = ms_server_test_run (server, NULL, "pw", 5000, NULL, NULL, NULL);
    g_assert_false (report->success);
    g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_TLS);
  }
}

static void
test_server_test_local (void)
{
  g_autofree char *dir = new_dir ("local");
  g_autofree char *out = g_build_filename (dir, "out", NULL);
  g_autoptr(MsServer) server = make_server ("Folder", 0);
  g_autoptr(MsServerTestReport) report = NULL;

  ms_server_set_transport (server, MS_TRANSPORT_FOLDER);
  ms_server_set_folder (server, out);
  report = ms_server_test_run (server, NULL, NULL, 0, NULL, NULL, NULL);
  g_assert_true (report->success);
  g_assert_true (g_file_test (out, G_FILE_TEST_IS_DIR));
  g_clear_pointer (&report, ms_server_test_report_free);

  ms_server_set_transport (server, MS_TRANSPORT_SENDMAIL);
  g_setenv ("MAILSHOT_SENDMAIL", "/nonexistent/sendmail", TRUE);
  report = ms_server_test_run (server, NULL, NULL, 0, NULL, NULL, NULL);
  g_unsetenv ("MAILSHOT_SENDMAIL");
  g_assert_false (report->success);
  g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_SENDMAIL);
}

typedef struct
{
  GMainLoop          *loop;
  MsServerTestReport *report;
  Events              events;
  GThread            *main_thread;
} AsyncRun;

static void
record_on_main (MsServerTestStep    step,
                MsServerTestStatus  status,
                const char         *text,
                gpointer            user_data)
{
  AsyncRun *run = user_data;

  g_assert_true (g_thread_self () == run->main_thread);
  record_event (step, status, text, &run->events);
}

static void
on_test_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  AsyncRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->report = ms_server_test_run_finish (result, &error);
  g_assert_no_error (error);
  g_main_loop_quit (run->loop);
}

static void
test_server_test_async (void)
{
  g_autofree char *cert = cert_path ("good.pem");
  g_autofree char *key = cert_path ("server.key");
  g_autoptr(MsTestServer) srv = test_server_start ("--security", "tls", "--cert", cert, "--key", key,
                                                 "--auth", "anna:pw", NULL);
  g_autoptr(MsServer) server = loopback_server (srv, MS_SECURITY_TLS, "anna@example.org");
  AsyncRun run = { g_main_loop_new (NULL, FALSE), NULL, { g_string_new (NULL), 0, 0 },
                   g_thread_self () };

  ms_server_test_run_async (server, NULL, "pw", record_on_main, &run, NULL, on_test_done, &run);
  g_main_loop_run (run.loop);
  g_assert_nonnull (run.report);
  g_assert_true (run.report->success);
  /* Every event arrived before the result. */
  g_assert_nonnull (strstr (run.events.log->str, "sender ok"));
  g_assert_cmpuint (run.events.running, >=, 3);
  ms_server_test_report_free (run.report);
  g_string_free (run.events.log, TRUE);
  g_main_loop_unref (run.loop);
}

/* Setup */

static void
test_no_loopback (void)
{
  g_test_skip (MS_TEST_PYTHON " or openssl is missing: the loopback tests need them");
}

int
main (int   argc,
      char *argv[])
{
  gboolean loopback;
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* The file store, whatever the session offers (tests/meson.build sets it too). */
  g_setenv ("MAILSHOT_SECRETS", "file", TRUE);

  work_dir = ms_test_make_built_dir ("test-servers-XXXXXX");
  if (g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    certs_dir = ms_test_make_certificates (work_dir);
  loopback = certs_dir != NULL;

  g_test_add_func ("/servers/quota/parse", test_quota_parse);
  g_test_add_func ("/servers/object", test_server_object);
  g_test_add_func ("/servers/validate", test_server_validate);
  g_test_add_func ("/servers/store/crud", test_store_crud);
  g_test_add_func ("/servers/store/quotas-atomic", test_store_quotas_atomic);
  g_test_add_func ("/servers/secrets/file", test_secrets_file);
  g_test_add_func ("/servers/secrets/file-unwritable", test_secrets_file_unwritable);
  g_test_add_func ("/servers/provider/lookup", test_provider_lookup);
  g_test_add_func ("/servers/provider/data", test_provider_data);
  g_test_add_func ("/servers/provider/explain", test_provider_explain);
  g_test_add_func ("/servers/sender/sendmail", test_sender_sendmail);
  g_test_add_func ("/servers/sender/folder", test_sender_folder);
  g_test_add_func ("/servers/server-test/local", test_server_test_local);
  if (loopback)
    {
      g_test_add_func ("/servers/sender/smtp", test_sender_smtp);
      g_test_add_func ("/servers/server-test/ok", test_server_test_ok);
      g_test_add_func ("/servers/server-test/failures", test_server_test_failures);
      g_test_add_func ("/servers/server-test/async", test_server_test_async);
    }
  else
    {
      g_test_add_func ("/servers/sender/smtp", test_no_loopback);
    }

  result = g_test_run ();
  ms_test_remove_tmp_dir (work_dir);
  return result;
}

/* test-store.c
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

#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sqlite3.h>

#include "ms-json.h"
#include "ms-store.h"

typedef struct
{
  char    *dir;
  char    *path;
  MsStore *store;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ms-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "sub", "mailshot.db", NULL);
  f->store = ms_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);

      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static int
raw_int (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int v = -1;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    v = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return v;
}

static void
raw_exec (const char *path,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_migrate_from_empty (Fixture       *f,
                         gconstpointer  data)
{
  const char *tables[] = { "servers", "server_quotas", "server_state", "templates",
                           "template_attachments", "contacts", "lists", "list_members",
                           "campaigns", "campaign_lists", "campaign_servers", "deliveries",
                           "send_log", "bounces", "mailbox_seen" };
  g_autofree char *mode = NULL;

  g_assert_cmpint (ms_store_latest_version (), >=, 1);
  g_assert_cmpint (ms_store_get_version (f->store), ==, ms_store_latest_version ());
  g_clear_object (&f->store);

  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, ms_store_latest_version ());
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema"
                                              " WHERE type = 'table' AND name = '%s'", tables[i]);
      g_test_message ("table %s", tables[i]);
      g_assert_cmpint (raw_int (f->path, sql), ==, 1);
    }
  /* The journal mode is stored in the file: WAL stays on. */
  g_assert_cmpint (raw_int (f->path, "SELECT journal_mode = 'wal' FROM pragma_journal_mode"), ==, 1);
}

static void
test_reopen_keeps_data (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) c = ms_contact_new ("anna@example.org");
  g_autoptr(MsContact) found = NULL;

  ms_contact_set_first_name (c, "Anna");
  g_assert_cmpint (ms_store_add_contact (f->store, c, &error), >, 0);
  g_assert_no_error (error);
  g_clear_object (&f->store);

  /* Running the migrations again is a no-op: nothing is lost or duplicated. */
  f->store = ms_store_open (f->path, &error);
  g_assert_no_error (error);
  found = ms_store_find_contact (f->store, "ANNA@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_contact_get_first_name (found), ==, "Anna");
  g_assert_cmpint (ms_store_count_contacts (f->store, NULL, NULL), ==, 1);
}

static void
test_refuse_newer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) again = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gsize len_before, len_after;
  int future = ms_store_latest_version () + 7;

  g_clear_object (&f->store);
  sql = g_strdup_printf ("PRAGMA user_version = %d", future);
  raw_exec (f->path, sql);
  raw_exec (f->path, "PRAGMA wal_checkpoint(TRUNCATE)");
  g_assert_true (g_file_get_contents (f->path, &before, &len_before, NULL));

  again = ms_store_open (f->path, &error);
  g_assert_null (again);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NEWER_SCHEMA);
  g_assert_nonnull (strstr (error->message, "newer version of Mailshot"));

  /* Untouched: the same bytes and the same version. */
  g_assert_true (g_file_get_contents (f->path, &after, &len_after, NULL));
  g_assert_cmpmem (before, len_before, after, len_after);
  g_assert_cmpint (raw_int (f->path, "PRAGMA user_version"), ==, future);
}

static void
test_not_a_database (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-store-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "notes.db", NULL);
  g_autoptr(MsStore) store = NULL;
  g_autofree char *after = NULL;

  g_assert_true (g_file_set_contents (path, "These are my notes, not a database.\n", -1, NULL));
  store = ms_store_open (path, &error);
  g_assert_null (store);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_CORRUPT);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, "These are my notes, not a database.\n");
  remove_tree (dir);
}

static void
test_constraints (Fixture       *f,
                  gconstpointer  data)
{
  sqlite3 *db = NULL;

  g_clear_object (&f->store);
  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  sqlite3_exec (db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
  /* status is one of four words */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (email, status) VALUES ('a@b.de', 'gone')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* an address has an @ */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (email) VALUES ('nobody')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* addresses are unique regardless of ASCII case */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (email) VALUES ('x@y.de')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (email) VALUES ('X@y.de')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* custom fields are JSON */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO contacts (email, fields) VALUES ('j@y.de', '{oops')",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* memberships need a real list and contact */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO list_members (list_id, contact_id) VALUES (99, 1)",
                                 NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* quotas are positive */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO servers (name, sender_address) VALUES ('s', 'a@b.de')",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO server_quotas (server_id, max_count, window_secs)"
                                     " VALUES (1, 0, 60)", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  /* delivery states follow DESIGN.md §5 */
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO campaigns (name) VALUES ('c')", NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO deliveries (campaign_id, email, message_id, state)"
                                     " VALUES (1, 'x@y.de', '<1@x>', 'lost')", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  g_assert_cmpint (sqlite3_exec (db, "INSERT INTO deliveries (campaign_id, email, message_id, state)"
                                     " VALUES (1, 'x@y.de', '<1@x>', 'data-sent')", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_contacts_crud (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) c = ms_contact_new ("иван@пример.рф");
  g_autoptr(MsContact) dup = ms_contact_new ("ИВАН@пример.рф");
  g_autoptr(MsContact) back = NULL;
  g_autoptr(MsContact) gone = NULL;
  gint64 id;

  ms_contact_set_name (c, "Иван Петров");
  ms_contact_set_field (c, "city", "Москва");
  ms_contact_set_field (c, "note", "says \"hi\"\nand leaves");
  id = ms_store_add_contact (f->store, c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (ms_contact_get_created_at (c), >, 0);

  back = ms_store_get_contact (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_contact_get_email (back), ==, "иван@пример.рф");
  g_assert_cmpstr (ms_contact_get_name (back), ==, "Иван Петров");
  g_assert_cmpstr (ms_contact_get_field (back, "city"), ==, "Москва");
  g_assert_cmpstr (ms_contact_get_field (back, "note"), ==, "says \"hi\"\nand leaves");
  g_assert_cmpint (ms_contact_get_status (back), ==, MS_CONTACT_STATUS_ACTIVE);

  /* Cyrillic case differs: SQLite's NOCASE folds ASCII only, so this is another address. */
  g_assert_cmpint (ms_store_add_contact (f->store, dup, &error), >, 0);
  g_assert_no_error (error);

  ms_contact_set_last_name (back, "Петров");
  ms_contact_set_status (back, MS_CONTACT_STATUS_UNSUBSCRIBED);
  ms_contact_set_status_reason (back, "asked by phone");
  g_assert_true (ms_store_update_contact (f->store, back, &error));
  g_assert_no_error (error);
  g_clear_object (&back);
  back = ms_store_find_contact (f->store, "иван@пример.рф", &error);
  g_assert_no_error (error);
  g_assert_cmpint (ms_contact_get_status (back), ==, MS_CONTACT_STATUS_UNSUBSCRIBED);
  g_assert_cmpstr (ms_contact_get_status_reason (back), ==, "asked by phone");
  g_assert_cmpint (ms_contact_get_status_time (back), >, 0);
  g_assert_cmpstr (ms_contact_get_last_name (back), ==, "Петров");

  /* Changing the address to one that exists is refused with a clear error. */
  ms_contact_set_email (back, "ИВАН@пример.рф");
  g_assert_false (ms_store_update_contact (f->store, back, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  g_assert_true (ms_store_delete_contacts (f->store, &id, 1, &error));
  g_assert_no_error (error);
  gone = ms_store_get_contact (f->store, id, &error);
  g_assert_null (gone);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
}

static void
add_many (MsStore *store,
          guint    n,
          GArray  *ids)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%03u@example.com", i);
      g_autofree char *name = g_strdup_printf ("Name %03u", n - i);
      gint64 id = 0;
      MsUpsertResult result;

      g_assert_true (ms_store_upsert_contact (store, email, name, NULL, NULL, NULL, TRUE,
                                              &id, &result, &error));
      g_assert_no_error (error);
      g_assert_cmpint (result, ==, MS_UPSERT_INSERTED);
      if (ids)
        g_array_append_val (ids, id);
    }
  g_assert_true (ms_store_commit (store, &error));
}

static void
test_upsert (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) c = NULL;
  MsUpsertResult result;
  gint64 id1 = 0, id2 = 0;

  g_assert_true (ms_store_upsert_contact (f->store, "p@example.de", "Petra", NULL, NULL,
                                          "{\"city\":\"Köln\"}", FALSE, &id1, &result, &error));
  g_assert_cmpint (result, ==, MS_UPSERT_INSERTED);

  /* skip: nothing changes */
  g_assert_true (ms_store_upsert_contact (f->store, "P@example.de", "Other", NULL, NULL,
                                          NULL, FALSE, &id2, &result, &error));
  g_assert_cmpint (result, ==, MS_UPSERT_SKIPPED);
  g_assert_cmpint (id1, ==, id2);
  c = ms_store_get_contact (f->store, id1, &error);
  g_assert_cmpstr (ms_contact_get_name (c), ==, "Petra");
  g_clear_object (&c);

  /* update: non-empty values win, custom fields merge */
  g_assert_true (ms_store_upsert_contact (f->store, "p@example.de", "", "Petra", "Meier",
                                          "{\"zip\":\"50667\"}", TRUE, &id2, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, MS_UPSERT_UPDATED);
  c = ms_store_get_contact (f->store, id1, &error);
  g_assert_cmpstr (ms_contact_get_name (c), ==, "Petra");
  g_assert_cmpstr (ms_contact_get_first_name (c), ==, "Petra");
  g_assert_cmpstr (ms_contact_get_last_name (c), ==, "Meier");
  g_assert_cmpstr (ms_contact_get_field (c, "city"), ==, "Köln");
  g_assert_cmpstr (ms_contact_get_field (c, "zip"), ==, "50667");
}

/* A page read next to an anchor is exactly the page OFFSET reads, for every
 * order, both directions and every filter: names repeat in other cases, some
 * are empty, statuses vary. */
static void
test_query_near (Fixture       *f,
                 gconstpointer  data)
{
  const char *names[] = { "anna", "Anna", "", "bert", "ANNA", "Zoë", "", "bert" };
  const MsContactStatus statuses[] = { MS_CONTACT_STATUS_ACTIVE, MS_CONTACT_STATUS_BOUNCED,
                                       MS_CONTACT_STATUS_ACTIVE, MS_CONTACT_STATUS_UNSUBSCRIBED };
  const MsContactSort sorts[] = { MS_CONTACT_SORT_EMAIL, MS_CONTACT_SORT_NAME, MS_CONTACT_SORT_STATUS,
                                  MS_CONTACT_SORT_CREATED };
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) odd = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(GError) error = NULL;
  guint checked = 0;

  for (guint i = 0; i < 97; i++)
    {
      /* Addresses not in id order, so each order differs. */
      g_autofree char *email = g_strdup_printf ("%c%03u@example.org", 'a' + (i * 7) % 26, (i * 37) % 97);
      gint64 id = 0;

      g_assert_true (ms_store_upsert_contact (f->store, email, names[i % G_N_ELEMENTS (names)], NULL, NULL,
                                              NULL, FALSE, &id, NULL, &error));
      g_assert_no_error (error);
      g_array_append_val (ids, id);
      if (i % 2 == 1)
        g_array_append_val (odd, id);
      if (statuses[i % G_N_ELEMENTS (statuses)] != MS_CONTACT_STATUS_ACTIVE)
        g_assert_true (ms_store_set_contacts_status (f->store, &id, 1, statuses[i % G_N_ELEMENTS (statuses)],
                                                     NULL, &error));
    }
  list = ms_store_create_list (f->store, "Odd", &error);
  g_assert_no_error (error);
  g_assert_true (ms_store_add_list_members (f->store, ms_contact_list_get_id (list),
                                            (const gint64 *) (gpointer) odd->data, odd->len, &error));

  for (guint filter = 0; filter < 4; filter++)
    for (guint s = 0; s < G_N_ELEMENTS (sorts); s++)
      for (guint desc = 0; desc < 2; desc++)
        {
          MsContactQuery q = MS_CONTACT_QUERY_INIT;
          g_autoptr(GPtrArray) all = NULL;
          const guint size = 10;

          q.sort = sorts[s];
          q.descending = desc;
          if (filter == 1)
            q.search = "nn";
          else if (filter == 2)
            q.status = MS_CONTACT_STATUS_ACTIVE;
          else if (filter == 3)
            q.list_id = ms_contact_list_get_id (list);
          all = ms_store_list_contacts (f->store, &q, 0, 1000, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (all->len, >, size);

          for (guint first = size; first < all->len; first += size)
            {
              g_autoptr(GPtrArray) after = NULL;
              g_autoptr(GPtrArray) before = NULL;
              guint n = MIN (size, all->len - first);

              /* The page after the last row of the one before it */
              after = ms_store_list_contacts_near (f->store, &q, g_ptr_array_index (all, first - 1), FALSE,
                                                   size, &error);
              g_assert_no_error (error);
              g_assert_cmpuint (after->len, ==, n);
              for (guint i = 0; i < n; i++)
                g_assert_cmpint (ms_contact_get_id (g_ptr_array_index (after, i)), ==,
                                 ms_contact_get_id (g_ptr_array_index (all, first + i)));
              /* The page before the first row of the one after it */
              if (first + size < all->len)
                {
                  before = ms_store_list_contacts_near (f->store, &q, g_ptr_array_index (all, first + size),
                                                        TRUE, size, &error);
                  g_assert_no_error (error);
                  g_assert_cmpuint (before->len, ==, size);
                  for (guint i = 0; i < size; i++)
                    g_assert_cmpint (ms_contact_get_id (g_ptr_array_index (before, i)), ==,
                                     ms_contact_get_id (g_ptr_array_index (all, first + i)));
                }
              checked++;
            }
        }
  g_assert_cmpuint (checked, >, 100);
}

static void
test_query_paging (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  MsContactQuery q = MS_CONTACT_QUERY_INIT;
  g_auto(GStrv) names = NULL;

  add_many (f->store, 250, ids);
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, &error), ==, 250);

  page = ms_store_list_contacts (f->store, &q, 100, 50, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (page->len, ==, 50);
  g_assert_cmpstr (ms_contact_get_email (g_ptr_array_index (page, 0)), ==, "user100@example.com");
  g_clear_pointer (&page, g_ptr_array_unref);

  q.sort = MS_CONTACT_SORT_NAME;
  page = ms_store_list_contacts (f->store, &q, 0, 1, &error);
  g_assert_cmpstr (ms_contact_get_email (g_ptr_array_index (page, 0)), ==, "user249@example.com");
  g_clear_pointer (&page, g_ptr_array_unref);

  q.sort = MS_CONTACT_SORT_EMAIL;
  q.descending = TRUE;
  page = ms_store_list_contacts (f->store, &q, 0, 1, &error);
  g_assert_cmpstr (ms_contact_get_email (g_ptr_array_index (page, 0)), ==, "user249@example.com");
  g_clear_pointer (&page, g_ptr_array_unref);
  q.descending = FALSE;

  /* search treats % and _ literally */
  q.search = "user01";
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 10);
  q.search = "%";
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 0);
  q.search = "NAME 001";
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 1);
  q.search = NULL;

  /* status filter */
  g_assert_true (ms_store_set_contacts_status (f->store, (gint64 *) ids->data, 3,
                                               MS_CONTACT_STATUS_BOUNCED, "5.1.1 user unknown", &error));
  q.status = MS_CONTACT_STATUS_BOUNCED;
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 3);
  q.status = MS_CONTACT_STATUS_ACTIVE;
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 247);

  names = ms_store_list_field_names (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (names), ==, 0);
}

static gboolean
count_cb (MsContact *contact,
          gpointer   user_data)
{
  guint *n = user_data;

  (*n)++;
  return *n < 7;
}

static void
test_lists (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(MsContactList) again = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  MsContactQuery q = MS_CONTACT_QUERY_INIT;
  gboolean created = FALSE;
  gint64 other;
  guint n = 0;

  add_many (f->store, 20, ids);
  list = ms_store_create_list (f->store, "Verein", &error);
  g_assert_no_error (error);
  again = ms_store_create_list (f->store, "Verein", &error);
  g_assert_null (again);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  g_assert_null (ms_store_create_list (f->store, "   ", &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID);
  g_clear_error (&error);

  other = ms_store_ensure_list (f->store, "Kunden", &created, &error);
  g_assert_true (created);
  g_assert_cmpint (ms_store_ensure_list (f->store, "Kunden", &created, &error), ==, other);
  g_assert_false (created);

  g_assert_true (ms_store_add_list_members (f->store, ms_contact_list_get_id (list),
                                            (gint64 *) ids->data, 12, &error));
  /* adding again is harmless */
  g_assert_true (ms_store_add_list_members (f->store, ms_contact_list_get_id (list),
                                            (gint64 *) ids->data, 12, &error));
  g_assert_true (ms_store_remove_list_members (f->store, ms_contact_list_get_id (list),
                                               (gint64 *) ids->data, 2, &error));
  q.list_id = ms_contact_list_get_id (list);
  g_assert_cmpint (ms_store_count_contacts (f->store, &q, NULL), ==, 10);
  g_assert_true (ms_store_foreach_contact (f->store, &q, count_cb, &n, &error));
  g_assert_cmpuint (n, ==, 7);

  g_assert_true (ms_store_rename_list (f->store, other, "Kundschaft", &error));
  g_assert_false (ms_store_rename_list (f->store, other, "Verein", &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_clear_error (&error);

  lists = ms_store_list_lists (f->store, &error);
  g_assert_cmpuint (lists->len, ==, 2);
  g_assert_cmpstr (ms_contact_list_get_name (g_ptr_array_index (lists, 0)), ==, "Kundschaft");
  g_assert_cmpint (ms_contact_list_get_member_count (g_ptr_array_index (lists, 1)), ==, 10);

  /* deleting a list keeps its contacts */
  g_assert_true (ms_store_delete_list (f->store, ms_contact_list_get_id (list), &error));
  g_assert_cmpint (ms_store_count_contacts (f->store, NULL, NULL), ==, 20);
  g_assert_false (ms_store_delete_list (f->store, ms_contact_list_get_id (list), &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
}

static void
test_rollback (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (ms_store_begin (f->store, &error));
  g_assert_true (ms_store_upsert_contact (f->store, "a@example.com", NULL, NULL, NULL, NULL,
                                          FALSE, NULL, NULL, &error));
  ms_store_rollback (f->store);
  g_assert_false (ms_store_in_transaction (f->store));
  g_assert_cmpint (ms_store_count_contacts (f->store, NULL, NULL), ==, 0);
}

static void
test_json (void)
{
  g_autoptr(MsJsonWriter) w = ms_json_writer_new (FALSE);
  g_autoptr(GHashTable) t = NULL;
  g_autoptr(GError) error = NULL;

  ms_json_writer_begin_object (w);
  ms_json_writer_key (w, "a\"b");
  ms_json_writer_string (w, "line\nbreak\x01");
  ms_json_writer_key (w, "n");
  ms_json_writer_int (w, -42);
  ms_json_writer_key (w, "list");
  ms_json_writer_begin_array (w);
  ms_json_writer_boolean (w, TRUE);
  ms_json_writer_null (w);
  ms_json_writer_end_array (w);
  ms_json_writer_end_object (w);
  g_assert_cmpstr (ms_json_writer_get_string (w), ==,
                   "{\"a\\\"b\":\"line\\nbreak\\u0001\",\"n\":-42,\"list\":[true,null]}");

  t = ms_json_parse_flat_object (" { \"k\" : \"v\\u00e4\\ud83d\\ude00\", \"n\": 1.5e3, \"z\": null, \"b\": false } ", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_hash_table_lookup (t, "k"), ==, "vä😀");
  g_assert_cmpstr (g_hash_table_lookup (t, "n"), ==, "1.5e3");
  g_assert_cmpstr (g_hash_table_lookup (t, "b"), ==, "false");
  g_assert_false (g_hash_table_contains (t, "z"));
  g_clear_pointer (&t, g_hash_table_unref);

  t = ms_json_parse_flat_object ("{\"k\": {\"x\": 1}}", &error);
  g_assert_null (t);
  g_assert_error (error, MS_JSON_ERROR, MS_JSON_ERROR_NOT_FLAT);
  g_clear_error (&error);
  t = ms_json_parse_flat_object ("{\"k\": \"unterminated}", &error);
  g_assert_null (t);
  g_assert_error (error, MS_JSON_ERROR, MS_JSON_ERROR_PARSE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/core/store/migrate-from-empty", Fixture, NULL, fixture_setup, test_migrate_from_empty, fixture_teardown);
  g_test_add ("/core/store/reopen", Fixture, NULL, fixture_setup, test_reopen_keeps_data, fixture_teardown);
  g_test_add ("/core/store/refuse-newer", Fixture, NULL, fixture_setup, test_refuse_newer, fixture_teardown);
  g_test_add_func ("/core/store/not-a-database", test_not_a_database);
  g_test_add ("/core/store/constraints", Fixture, NULL, fixture_setup, test_constraints, fixture_teardown);
  g_test_add ("/core/store/contacts-crud", Fixture, NULL, fixture_setup, test_contacts_crud, fixture_teardown);
  g_test_add ("/core/store/upsert", Fixture, NULL, fixture_setup, test_upsert, fixture_teardown);
  g_test_add ("/core/store/query-paging", Fixture, NULL, fixture_setup, test_query_paging, fixture_teardown);
  g_test_add ("/core/store/query-near", Fixture, NULL, fixture_setup, test_query_near, fixture_teardown);
  g_test_add ("/core/store/lists", Fixture, NULL, fixture_setup, test_lists, fixture_teardown);
  g_test_add ("/core/store/rollback", Fixture, NULL, fixture_setup, test_rollback, fixture_teardown);
  g_test_add_func ("/core/json/writer-parser", test_json);

  return g_test_run ();
}

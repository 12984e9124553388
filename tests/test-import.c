/* test-import.c
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

#define G_LOG_DOMAIN "test-import"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "ms-importer.h"
#include "ms-store.h"

#define BATCH MS_IMPORT_BATCH_ROWS

typedef struct
{
  char    *dir;
  char    *db_path;
  MsStore *store;
} Fixture;

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("ms-import-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "mailshot.db", NULL);
  f->store = ms_store_open (f->db_path, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
}

static GFile *
write_file (Fixture    *f,
            const char *name,
            const char *contents,
            gssize      length)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, name, NULL);

  g_file_set_contents (path, contents, length, &error);
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* n rows of email, first name, last name, city; every row in bad_every (if
 * not 0) has an invalid address */
static GFile *
write_generated (Fixture    *f,
                 const char *name,
                 guint       n_rows,
                 guint       bad_every)
{
  g_autoptr(GString) text = g_string_new ("email,first name,last name,city\n");

  for (guint i = 1; i <= n_rows; i++)
    {
      if (bad_every != 0 && i % bad_every == 0)
        g_string_append_printf (text, "broken%u,First%u,Last%u,City%u\n", i, i, i, i % 97);
      else
        g_string_append_printf (text, "user%u@example.com,First%u,Last%u,City%u\n", i, i, i, i % 97);
    }

  return write_file (f, name, text->str, text->len);
}

static gint64
count_contacts (MsStore *store,
                gint64   list_id)
{
  g_autoptr(GError) error = NULL;
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  gint64 n;

  query.list_id = list_id;
  n = ms_store_count_contacts (store, &query, &error);
  g_assert_no_error (error);
  return n;
}

static MsContact *
find (MsStore    *store,
      const char *email)
{
  g_autoptr(GError) error = NULL;
  MsContact *contact = ms_store_find_contact (store, email, &error);

  g_assert_no_error (error);
  g_assert_nonnull (contact);
  return contact;
}

static char *
read_text (GFile *file)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;

  g_file_load_contents (file, NULL, &contents, NULL, NULL, &error);
  g_assert_no_error (error);
  return contents;
}

/* Round trip */

static const char rich_csv[] =
  "E-Mail;Vorname;Nachname;Name;Firma;Notiz;Stadt\r\n"
  "anna@example.de;Anna;Schäfer;Anna Schäfer;\"Schäfer, Söhne & Co\";\"Sagt \"\"Hallo\"\"\";Köln\r\n"
  "info@ПРИМЕР.РФ;;;Пример;;\"Строка 1\r\nСтрока 2\";Москва\r\n"
  "\"spaces\"@example.org;;;;  ;\" leading and trailing \";\r\n"
  "plain@example.com;Pat;;;;;\r\n";

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_file (f, "rich.csv", rich_csv, -1);
  g_autofree char *export_path = g_build_filename (f->dir, "export.csv", NULL);
  g_autofree char *export2_path = g_build_filename (f->dir, "export2.csv", NULL);
  g_autofree char *db2_path = g_build_filename (f->dir, "second.db", NULL);
  g_autoptr(GFile) exported = g_file_new_for_path (export_path);
  g_autoptr(GFile) exported2 = g_file_new_for_path (export2_path);
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsImportResult) result2 = NULL;
  g_autoptr(MsStore) store2 = NULL;
  g_autoptr(MsContact) info = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;
  g_auto(GStrv) lines = NULL;
  MsImportOptions options = { "Kunden", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  guint64 count = 0;

  result = ms_import_csv_sync (f->store, input, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 4);
  g_assert_cmpuint (result->rejected, ==, 0);

  info = find (f->store, "info@пример.рф");
  g_assert_cmpstr (ms_contact_get_field (info, "Notiz"), ==, "Строка 1\r\nСтрока 2");

  g_assert_true (ms_export_csv_sync (f->store, exported, NULL, &count, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 4);

  text = read_text (exported);
  lines = g_strsplit (text, "\r\n", -1);
  g_assert_cmpstr (lines[0], ==, "email,name,first_name,last_name,status,status_reason,Firma,Notiz,Stadt");
  g_assert_true (g_str_has_prefix (text, "email,"));
  g_assert_nonnull (strstr (text, "anna@example.de,Anna Schäfer,Anna,Schäfer,active,,"
                                  "\"Schäfer, Söhne & Co\",\"Sagt \"\"Hallo\"\"\",Köln\r\n"));
  g_assert_nonnull (strstr (text, "\"Строка 1\r\nСтрока 2\""));

  /* into a new database, and out again: the same bytes */
  store2 = ms_store_open (db2_path, &error);
  g_assert_no_error (error);
  options.list_name = NULL;
  result2 = ms_import_csv_sync (store2, exported, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (result2->encoding, ==, "UTF-8");
  g_assert_cmpuint (result2->delimiter, ==, ',');
  g_assert_cmpuint (result2->imported, ==, 4);
  g_assert_cmpuint (result2->rejected, ==, 0);

  g_assert_true (ms_export_csv_sync (store2, exported2, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  text2 = read_text (exported2);
  g_assert_cmpstr (text2, ==, text);

  /* status is exported, and an import never takes it over */
  {
    g_autoptr(MsContact) anna = find (f->store, "anna@example.de");
    gint64 id = ms_contact_get_id (anna);
    g_autofree char *text3 = NULL;
    g_autoptr(MsImportResult) result3 = NULL;
    g_autoptr(MsContact) anna2 = NULL;

    g_assert_true (ms_store_set_contacts_status (f->store, &id, 1, MS_CONTACT_STATUS_UNSUBSCRIBED,
                                                 "asked, by mail", &error));
    g_assert_no_error (error);
    g_assert_true (ms_export_csv_sync (f->store, exported, NULL, NULL, NULL, &error));
    g_assert_no_error (error);
    text3 = read_text (exported);
    g_assert_nonnull (strstr (text3, ",unsubscribed,\"asked, by mail\","));

    result3 = ms_import_csv_sync (store2, exported, &options, NULL, NULL, NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result3->updated, ==, 4);
    anna2 = find (store2, "anna@example.de");
    g_assert_cmpint (ms_contact_get_status (anna2), ==, MS_CONTACT_STATUS_ACTIVE);
    g_assert_null (ms_contact_get_field (anna2, "status"));
    g_assert_null (ms_contact_get_field (anna2, "status_reason"));
  }
}

static void
test_export_list (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) all = write_file (f, "all.csv", "email,tag\na@x.org,1\nb@x.org,2\nc@x.org,3\n", -1);
  g_autoptr(GFile) some = write_file (f, "some.csv", "email\nb@x.org\nc@x.org\n", -1);
  g_autofree char *out_path = g_build_filename (f->dir, "out.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(MsImportResult) r1 = NULL;
  g_autoptr(MsImportResult) r2 = NULL;
  g_autofree char *text = NULL;
  MsImportOptions options = { NULL, NULL, 0, MS_DUPLICATE_SKIP, NULL, 0 };
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  guint64 count = 0;

  r1 = ms_import_csv_sync (f->store, all, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  options.list_name = "Some";
  r2 = ms_import_csv_sync (f->store, some, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (r2->skipped, ==, 2);
  /* skipped duplicates still join the list */
  g_assert_cmpint (count_contacts (f->store, r2->list_id), ==, 2);

  query.list_id = r2->list_id;
  g_assert_true (ms_export_csv_sync (f->store, out, &query, &count, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  text = read_text (out);
  g_assert_cmpstr (text, ==,
                   "email,name,first_name,last_name,status,status_reason,tag\r\n"
                   "b@x.org,,,,active,,2\r\n"
                   "c@x.org,,,,active,,3\r\n");
}

typedef struct
{
  GCancellable *cancellable;
  char         *dir;
  gboolean      saw_temp;
} Canceller;

static gpointer
cancel_when_writing_thread (gpointer data)
{
  Canceller *c = data;

  for (guint i = 0; i < 200000 && !c->saw_temp; i++)
    {
      g_autoptr(GDir) dir = g_dir_open (c->dir, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        if (g_str_has_prefix (name, ".goutputstream-"))
          c->saw_temp = TRUE;
      if (!c->saw_temp)
        g_usleep (100);
    }
  g_cancellable_cancel (c->cancellable);
  return NULL;
}

/* Any stream: memory here; it is left open, and a failing one says so */
static void
test_export_stream (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_file (f, "in.csv", "email,tag\nb@x.org,\"x, y\"\na@x.org,1\n", -1);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) closed = g_memory_output_stream_new_resizable ();
  g_autoptr(MsImportResult) result = NULL;
  g_autofree char *text = NULL;
  guint64 count = 0;

  result = ms_import_csv_sync (f->store, input, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  g_assert_true (ms_export_csv_to_stream (f->store, memory, NULL, &count, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count, ==, 2);
  g_assert_false (g_output_stream_is_closed (memory));
  g_assert_true (g_output_stream_write_all (memory, "", 1, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (memory, NULL, &error));
  text = g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
  g_assert_cmpstr (text, ==,
                   "email,name,first_name,last_name,status,status_reason,tag\r\n"
                   "a@x.org,,,,active,,1\r\n"
                   "b@x.org,,,,active,,\"x, y\"\r\n");

  g_assert_true (g_output_stream_close (closed, NULL, &error));
  count = 7;
  g_assert_false (ms_export_csv_to_stream (f->store, closed, NULL, &count, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CLOSED);
  g_assert_cmpuint (count, ==, 7);
}

static void
test_export_atomic (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_generated (f, "many.csv", 60000, 0);
  g_autofree char *out_dir = g_build_filename (f->dir, "out", NULL);
  g_autofree char *out_path = g_build_filename (out_dir, "contacts.csv", NULL);
  g_autoptr(GFile) out = g_file_new_for_path (out_path);
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GThread) thread = NULL;
  g_autoptr(GDir) dir = NULL;
  g_autofree char *text = NULL;
  Canceller canceller = { cancellable, out_dir, FALSE };

  result = ms_import_csv_sync (f->store, input, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 60000);

  g_assert_cmpint (g_mkdir (out_dir, 0700), ==, 0);
  g_file_set_contents (out_path, "old contents\n", -1, &error);
  g_assert_no_error (error);

  /* cancelled before it starts */
  {
    g_autoptr(GCancellable) cancelled = g_cancellable_new ();

    g_cancellable_cancel (cancelled);
    g_assert_false (ms_export_csv_sync (f->store, out, NULL, NULL, cancelled, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_clear_error (&error);
  }

  /* cancelled while writing: the old file stays whole, no temporary file left */
  thread = g_thread_new ("canceller", cancel_when_writing_thread, &canceller);
  g_assert_false (ms_export_csv_sync (f->store, out, NULL, NULL, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_true (canceller.saw_temp);

  text = read_text (out);
  g_assert_cmpstr (text, ==, "old contents\n");
  dir = g_dir_open (out_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (g_dir_read_name (dir), ==, "contacts.csv");
  g_assert_null (g_dir_read_name (dir));
}

/* Cancellation */

typedef struct
{
  GCancellable *cancellable;
  guint         rejections;
  guint64       cancel_at_rows;
  guint64       last_rows;
  guint         calls;
} CancelState;

static void
cancel_on_reject (const MsImportRejection *rejection,
                  gpointer                 user_data)
{
  CancelState *state = user_data;

  state->rejections++;
  g_cancellable_cancel (state->cancellable);
}

static void
test_cancel_keeps_whole_batches (Fixture       *f,
                                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GPtrArray) lists = NULL;
  MsImportOptions options = { "Cancelled", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  CancelState state = { cancellable, 0, 0, 0, 0 };

  /* the first invalid row comes 2500 rows into the second batch: the first
   * batch is committed, the second is rolled back */
  input = write_generated (f, "cancel.csv", BATCH + 7000, BATCH + 2500);
  g_assert_null (ms_import_csv_sync (f->store, input, &options, NULL, cancel_on_reject, &state,
                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (state.rejections, ==, 1);

  g_assert_cmpint (count_contacts (f->store, 0), ==, BATCH);
  lists = ms_store_list_lists (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lists->len, ==, 1);
  g_assert_cmpint (count_contacts (f->store, ms_contact_list_get_id (g_ptr_array_index (lists, 0))),
                   ==, BATCH);
  g_assert_false (ms_store_in_transaction (f->store));

  /* the store is usable afterwards, and the same file again completes */
  {
    g_autoptr(MsImportResult) result = NULL;

    g_cancellable_reset (cancellable);
    options.on_duplicate = MS_DUPLICATE_SKIP;
    result = ms_import_csv_sync (f->store, input, &options, NULL, NULL, NULL, cancellable, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->imported, ==, 7000 - 1);
    g_assert_cmpuint (result->skipped, ==, BATCH);
    g_assert_cmpuint (result->rejected, ==, 1);
    g_assert_cmpint (count_contacts (f->store, result->list_id), ==, BATCH + 7000 - 1);
  }
}

/* cancels on a rejection past line cancel_at_rows */
static void
cancel_on_late_reject (const MsImportRejection *rejection,
                       gpointer                 user_data)
{
  CancelState *state = user_data;

  state->rejections++;
  if (rejection->line > state->cancel_at_rows)
    g_cancellable_cancel (state->cancellable);
}

static void
test_partial_after_cancel (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsImportResult) partial = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  MsImportOptions options = { "Partial", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  CancelState state = { cancellable, 0, BATCH + 3, 0, 0 };

  /* rows 20000 and 40000 are rejected in the first batch, which then ends
   * with row BATCH + 2 (line BATCH + 3); row 60000 in the second cancels */
  input = write_generated (f, "partial.csv", BATCH + 20000, 20000);
  g_assert_null (ms_import_csv_sync_with_partial (f->store, input, &options, NULL,
                                                  cancel_on_late_reject, &state, &partial,
                                                  cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (state.rejections, ==, 3);

  /* what the first batch did, and only that */
  g_assert_nonnull (partial);
  g_assert_cmpuint (partial->imported, ==, BATCH);
  g_assert_cmpuint (partial->updated, ==, 0);
  g_assert_cmpuint (partial->skipped, ==, 0);
  g_assert_cmpuint (partial->rejected, ==, 2);
  g_assert_cmpuint (partial->rejections->len, ==, 2);
  g_assert_cmpuint (((MsImportRejection *) g_ptr_array_index (partial->rejections, 1))->line,
                    ==, 40001);
  g_assert_cmpstr (partial->encoding, ==, "UTF-8");
  g_assert_cmpint (count_contacts (f->store, 0), ==, (gint64) partial->imported);

  lists = ms_store_list_lists (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lists->len, ==, 1);
  g_assert_cmpint (partial->list_id, ==, ms_contact_list_get_id (g_ptr_array_index (lists, 0)));
  g_assert_cmpint (count_contacts (f->store, partial->list_id), ==, BATCH);
}

/* Cancelled in the first batch: nothing kept, not even the list */
static void
test_partial_nothing_committed (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_generated (f, "early.csv", 3000, 1000);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsImportResult) partial = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  MsImportOptions options = { "Early", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  CancelState state = { cancellable, 0, 0, 0, 0 };

  g_assert_null (ms_import_csv_sync_with_partial (f->store, input, &options, NULL,
                                                  cancel_on_reject, &state, &partial,
                                                  cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_nonnull (partial);
  g_assert_cmpuint (partial->imported, ==, 0);
  g_assert_cmpuint (partial->rejected, ==, 0);
  g_assert_cmpint (partial->list_id, ==, 0);
  g_assert_cmpint (count_contacts (f->store, 0), ==, 0);
  lists = ms_store_list_lists (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (lists->len, ==, 0);

  /* a file that cannot be read at all has no partial result */
  {
    g_autoptr(GFile) missing = g_file_new_for_path ("/nonexistent/contacts.csv");
    g_autoptr(MsImportResult) none = NULL;

    g_assert_null (ms_import_csv_sync_with_partial (f->store, missing, NULL, NULL, NULL, NULL,
                                                    &none, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
    g_assert_null (none);
  }
}

static void
cancel_on_progress (guint64  bytes_done,
                    guint64  bytes_total,
                    guint64  rows_done,
                    gpointer user_data)
{
  CancelState *state = user_data;

  g_assert_cmpuint (rows_done, >=, state->last_rows);
  g_assert_cmpuint (bytes_done, <=, bytes_total);
  state->last_rows = rows_done;
  state->calls++;
  if (rows_done >= state->cancel_at_rows)
    g_cancellable_cancel (state->cancellable);
}

static void
test_cancel_from_progress (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_generated (f, "progress.csv", 2 * BATCH + 1000, 0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CancelState state = { cancellable, 0, BATCH + 1000, 0, 0 };
  gint64 n;

  g_assert_null (ms_import_csv_sync (f->store, input, NULL, cancel_on_progress, NULL, &state,
                                     cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (state.calls, >=, 1);

  n = count_contacts (f->store, 0);
  g_test_message ("%" G_GINT64_FORMAT " contacts kept", n);
  g_assert_cmpint (n, >=, BATCH);
  g_assert_cmpint (n, <, 2 * BATCH + 1000);
  g_assert_cmpint (n % BATCH, ==, 0);
}

/* Progress and the rejection list */

static void
record_progress (guint64  bytes_done,
                 guint64  bytes_total,
                 guint64  rows_done,
                 gpointer user_data)
{
  guint64 *last = user_data;

  g_assert_cmpuint (rows_done, >=, last[2]);
  last[0] = bytes_done;
  last[1] = bytes_total;
  last[2] = rows_done;
}

static void
test_progress_and_kept_rejections (Fixture       *f,
                                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(MsImportResult) result = NULL;
  guint64 last[3] = { 0, 0, 0 };
  const MsImportRejection *first, *last_kept;

  /* every other row is invalid: 10500 rejections, more than are kept */
  input = write_generated (f, "bad.csv", 21000, 2);
  info = g_file_query_info (input, G_FILE_ATTRIBUTE_STANDARD_SIZE, 0, NULL, &error);
  g_assert_no_error (error);

  result = ms_import_csv_sync (f->store, input, NULL, record_progress, NULL, last, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 10500);
  g_assert_cmpuint (result->rejected, ==, 10500);
  g_assert_cmpuint (result->rejections->len, ==, MS_IMPORT_MAX_KEPT);

  first = g_ptr_array_index (result->rejections, 0);
  last_kept = g_ptr_array_index (result->rejections, MS_IMPORT_MAX_KEPT - 1);
  g_assert_cmpuint (first->line, ==, 3);
  g_assert_cmpstr (first->reason, ==, "Invalid email address “broken2”: missing @");
  g_assert_cmpuint (last_kept->line, ==, 2 * MS_IMPORT_MAX_KEPT + 1);

  /* the last progress call reports the whole file */
  g_assert_cmpuint (last[1], ==, (guint64) g_file_info_get_size (info));
  g_assert_cmpuint (last[0], ==, last[1]);
  g_assert_cmpuint (last[2], ==, 21000);
}

/* Duplicates against the database */

static const char first_csv[] =
  "email,name,city,company\n"
  "a@example.org,Alice,Paris,ACME\n"
  "b@example.org,Bob,,\n";

static const char second_csv[] =
  "email,name,city,phone\n"
  "A@Example.ORG,,Lyon,123\n"
  "b@example.org,Robert,,\n"
  "c@example.org,Carol,,\n";

static void
prepare_existing (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = write_file (f, "first.csv", first_csv, -1);
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsContact) bob = NULL;
  gint64 id;

  result = ms_import_csv_sync (f->store, input, NULL, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 2);

  bob = find (f->store, "b@example.org");
  id = ms_contact_get_id (bob);
  g_assert_true (ms_store_set_contacts_status (f->store, &id, 1, MS_CONTACT_STATUS_UNSUBSCRIBED,
                                               "asked", &error));
  g_assert_no_error (error);
}

static void
test_duplicates_update (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsContact) a = NULL;
  g_autoptr(MsContact) b = NULL;
  MsImportOptions options = { "Second", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };

  prepare_existing (f);
  input = write_file (f, "second.csv", second_csv, -1);
  result = ms_import_csv_sync (f->store, input, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 1);
  g_assert_cmpuint (result->updated, ==, 2);
  g_assert_cmpuint (result->skipped, ==, 0);
  g_assert_cmpint (count_contacts (f->store, 0), ==, 3);
  g_assert_cmpint (count_contacts (f->store, result->list_id), ==, 3);

  a = find (f->store, "a@example.org");
  g_assert_cmpstr (ms_contact_get_email (a), ==, "a@example.org");
  g_assert_cmpstr (ms_contact_get_name (a), ==, "Alice");           /* empty cell: kept */
  g_assert_cmpstr (ms_contact_get_field (a, "city"), ==, "Lyon");   /* replaced */
  g_assert_cmpstr (ms_contact_get_field (a, "company"), ==, "ACME");/* kept */
  g_assert_cmpstr (ms_contact_get_field (a, "phone"), ==, "123");   /* added */

  b = find (f->store, "b@example.org");
  g_assert_cmpstr (ms_contact_get_name (b), ==, "Robert");
  g_assert_cmpint (ms_contact_get_status (b), ==, MS_CONTACT_STATUS_UNSUBSCRIBED);
  g_assert_cmpstr (ms_contact_get_status_reason (b), ==, "asked");
}

static void
test_duplicates_skip (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsContact) a = NULL;
  g_autoptr(MsContact) b = NULL;
  g_autoptr(MsContact) c = NULL;
  MsImportOptions options = { "Second", NULL, 0, MS_DUPLICATE_SKIP, NULL, 0 };

  prepare_existing (f);
  input = write_file (f, "second.csv", second_csv, -1);
  result = ms_import_csv_sync (f->store, input, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 1);
  g_assert_cmpuint (result->updated, ==, 0);
  g_assert_cmpuint (result->skipped, ==, 2);
  g_assert_cmpint (count_contacts (f->store, 0), ==, 3);
  g_assert_cmpint (count_contacts (f->store, result->list_id), ==, 3);

  a = find (f->store, "a@example.org");
  g_assert_cmpstr (ms_contact_get_name (a), ==, "Alice");
  g_assert_cmpstr (ms_contact_get_field (a, "city"), ==, "Paris");
  g_assert_null (ms_contact_get_field (a, "phone"));
  b = find (f->store, "b@example.org");
  g_assert_cmpstr (ms_contact_get_name (b), ==, "Bob");
  c = find (f->store, "c@example.org");
  g_assert_cmpstr (ms_contact_get_name (c), ==, "Carol");
}

/* One batch with new rows, stored addresses and addresses repeated in the
 * file, in both policies */

static const char mixed_csv[] =
  "email,name,city\n"
  "zed@example.org,Zed,Oslo\n"
  "C@example.org,Carol,\n"
  "a@EXAMPLE.org,,Nice\n"
  "m@example.org,Mia,Rome\n"
  "c@example.org,,Bergen\n"
  "b@example.org,Bobby,\n"
  "M@example.org,Maria,\n";

static void
test_mixed_batch (Fixture       *f,
                  gconstpointer  data)
{
  MsDuplicatePolicy policy = GPOINTER_TO_INT (data);
  gboolean update = policy == MS_DUPLICATE_UPDATE;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) input = NULL;
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsContact) a = NULL;
  g_autoptr(MsContact) b = NULL;
  g_autoptr(MsContact) c = NULL;
  g_autoptr(MsContact) m = NULL;
  g_autoptr(MsContact) zed = NULL;
  MsImportOptions options = { "Mixed", NULL, 0, policy, NULL, 0 };

  prepare_existing (f);
  input = write_file (f, "mixed.csv", mixed_csv, -1);
  result = ms_import_csv_sync (f->store, input, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);

  /* new: zed, C, m; stored: a, b; repeated: c, M */
  g_assert_cmpuint (result->imported, ==, 3);
  g_assert_cmpuint (result->updated, ==, update ? 4 : 0);
  g_assert_cmpuint (result->skipped, ==, update ? 0 : 4);
  g_assert_cmpuint (result->rejected, ==, 0);
  g_assert_cmpint (count_contacts (f->store, 0), ==, 5);
  g_assert_cmpint (count_contacts (f->store, result->list_id), ==, 5);

  /* the first occurrence is inserted as written, later ones merge into it */
  c = find (f->store, "c@example.org");
  g_assert_cmpstr (ms_contact_get_email (c), ==, "C@example.org");
  g_assert_cmpstr (ms_contact_get_name (c), ==, "Carol");
  g_assert_cmpstr (ms_contact_get_field (c, "city"), ==, update ? "Bergen" : NULL);
  m = find (f->store, "m@example.org");
  g_assert_cmpstr (ms_contact_get_name (m), ==, update ? "Maria" : "Mia");
  g_assert_cmpstr (ms_contact_get_field (m, "city"), ==, "Rome");

  a = find (f->store, "a@example.org");
  g_assert_cmpstr (ms_contact_get_name (a), ==, "Alice");
  g_assert_cmpstr (ms_contact_get_field (a, "city"), ==, update ? "Nice" : "Paris");
  b = find (f->store, "b@example.org");
  g_assert_cmpstr (ms_contact_get_name (b), ==, update ? "Bobby" : "Bob");

  /* new contacts get ids after the stored ones, in address order */
  zed = find (f->store, "zed@example.org");
  g_assert_cmpint (ms_contact_get_id (a), <, ms_contact_get_id (c));
  g_assert_cmpint (ms_contact_get_id (b), <, ms_contact_get_id (c));
  g_assert_cmpint (ms_contact_get_id (c), <, ms_contact_get_id (m));
  g_assert_cmpint (ms_contact_get_id (m), <, ms_contact_get_id (zed));
}

/* Async */

typedef struct
{
  GMainLoop      *loop;
  MsImportResult *result;
  GError         *error;
  guint           progress_calls;
  guint64         last_rows;
  guint64         last_bytes;
  gint64          first_call;
  gint64          last_call;
  guint           freed;
} AsyncState;

static void
async_progress (guint64  bytes_done,
                guint64  bytes_total,
                guint64  rows_done,
                gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  g_assert_cmpuint (rows_done, >=, state->last_rows);
  g_assert_cmpuint (bytes_done, <=, bytes_total);
  state->last_rows = rows_done;
  state->last_bytes = bytes_done;
  state->last_call = g_get_monotonic_time ();
  if (state->progress_calls++ == 0)
    state->first_call = state->last_call;
}

static void
async_progress_free (gpointer user_data)
{
  AsyncState *state = user_data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  state->freed++;
}

static void
async_done (GObject      *source,
            GAsyncResult *res,
            gpointer      user_data)
{
  AsyncState *state = user_data;

  state->result = ms_import_csv_finish (res, &state->error);
  g_main_loop_quit (state->loop);
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GFile) input = write_generated (f, "async.csv", 50000, 1000);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  AsyncState state = { loop, NULL, NULL, 0, 0, 0, 0, 0, 0 };
  MsImportOptions options = { "Async", "auto", 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  gint64 start = g_get_monotonic_time ();
  double seconds;

  ms_import_csv_async (f->db_path, input, &options, async_progress, &state, async_progress_free,
                       NULL, async_done, &state);
  g_main_loop_run (loop);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  /* the progress data is released on this context once the worker has let
   * go of the task, which may be a moment after the callback */
  for (guint i = 0; i < 5000 && state.freed == 0; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (state.freed == 0)
        g_usleep (1000);
    }

  g_assert_no_error (state.error);
  g_assert_nonnull (state.result);
  g_assert_cmpuint (state.result->imported, ==, 50000 - 50);
  g_assert_cmpuint (state.result->rejected, ==, 50);
  g_assert_cmpuint (((MsImportRejection *) g_ptr_array_index (state.result->rejections, 0))->line,
                    ==, 1001);
  g_assert_cmpuint (state.progress_calls, >=, 1);
  g_assert_cmpuint (state.last_rows, ==, 50000);
  /* coalesced: about ten calls a second at most (plus the first and the last) */
  g_test_message ("%u progress calls in %.2f s", state.progress_calls, seconds);
  g_assert_cmpuint (state.progress_calls, <=, 12 * seconds + 3);
  g_assert_cmpuint (state.freed, ==, 1);

  /* the worker's own connection committed: this one sees the rows */
  g_assert_cmpint (count_contacts (f->store, state.result->list_id), ==, 50000 - 50);
  ms_import_result_free (state.result);
}

static void
test_async_cancelled (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GFile) input = write_generated (f, "async.csv", 1000, 0);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AsyncState state = { loop, NULL, NULL, 0, 0, 0, 0, 0, 0 };

  g_cancellable_cancel (cancellable);
  ms_import_csv_async (f->db_path, input, NULL, NULL, NULL, NULL, cancellable, async_done, &state);
  g_main_loop_run (loop);

  g_assert_null (state.result);
  g_assert_error (state.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&state.error);
  g_assert_cmpint (count_contacts (f->store, 0), ==, 0);
}

typedef struct
{
  GMainLoop      *loop;
  MsImportResult *partial;
  GError         *error;
} PartialState;

static void
async_done_partial (GObject      *source,
                    GAsyncResult *res,
                    gpointer      user_data)
{
  PartialState *state = user_data;

  g_assert_null (ms_import_csv_finish_with_partial (res, &state->partial, &state->error));
  g_main_loop_quit (state->loop);
}

/* A failure after reading began hands over what was committed: here nothing,
 * the file has only its header and blank lines. */
static void
test_async_partial (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GFile) input = write_file (f, "blank.csv", "email,name\n\n,,\n\n", -1);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  PartialState state = { loop, NULL, NULL };

  ms_import_csv_async (f->db_path, input, NULL, NULL, NULL, NULL, NULL, async_done_partial,
                       &state);
  g_main_loop_run (loop);

  g_assert_error (state.error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY);
  g_clear_error (&state.error);
  g_assert_nonnull (state.partial);
  g_assert_cmpuint (state.partial->imported, ==, 0);
  g_assert_cmpuint (state.partial->rejected, ==, 0);
  g_assert_cmpstr (state.partial->encoding, ==, "UTF-8");
  g_clear_pointer (&state.partial, ms_import_result_free);
}

static void
test_async_bad_database (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GFile) input = write_generated (f, "async.csv", 10, 0);
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autofree char *bad_path = g_build_filename (f->dir, "not-a-db", NULL);
  AsyncState state = { loop, NULL, NULL, 0, 0, 0, 0, 0, 0 };

  g_file_set_contents (bad_path, "this is not an SQLite database, not at all, no", -1, NULL);
  ms_import_csv_async (bad_path, input, NULL, NULL, NULL, NULL, NULL, async_done, &state);
  g_main_loop_run (loop);

  g_assert_null (state.result);
  g_assert_error (state.error, MS_STORE_ERROR, MS_STORE_ERROR_CORRUPT);
  g_clear_error (&state.error);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/core/import/round-trip", test_round_trip);
  ADD ("/core/import/export-list", test_export_list);
  ADD ("/core/import/export-atomic", test_export_atomic);
  ADD ("/core/import/export-stream", test_export_stream);
  ADD ("/core/import/cancel-keeps-whole-batches", test_cancel_keeps_whole_batches);
  ADD ("/core/import/cancel-from-progress", test_cancel_from_progress);
  ADD ("/core/import/partial-after-cancel", test_partial_after_cancel);
  ADD ("/core/import/partial-nothing-committed", test_partial_nothing_committed);
  ADD ("/core/import/progress-and-kept-rejections", test_progress_and_kept_rejections);
  ADD ("/core/import/duplicates-update", test_duplicates_update);
  ADD ("/core/import/duplicates-skip", test_duplicates_skip);
  g_test_add ("/core/import/mixed-batch-update", Fixture, GINT_TO_POINTER (MS_DUPLICATE_UPDATE),
              fixture_setup, test_mixed_batch, fixture_teardown);
  g_test_add ("/core/import/mixed-batch-skip", Fixture, GINT_TO_POINTER (MS_DUPLICATE_SKIP),
              fixture_setup, test_mixed_batch, fixture_teardown);
  ADD ("/core/import/async", test_async);
  ADD ("/core/import/async-cancelled", test_async_cancelled);
  ADD ("/core/import/async-bad-database", test_async_bad_database);
  ADD ("/core/import/async-partial", test_async_partial);
#undef ADD

  return g_test_run ();
}

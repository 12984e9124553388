/* test-contact-model.c
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

#include "ms-contact-model.h"
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
  guint n = GPOINTER_TO_UINT (data);

  f->dir = g_dir_make_tmp ("ms-model-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "mailshot.db", NULL);
  f->store = ms_store_open (f->path, &error);
  g_assert_no_error (error);

  g_assert_true (ms_store_begin (f->store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%05u@example.org", i);
      g_autofree char *name = g_strdup_printf ("Person %05u", n - i);

      g_assert_true (ms_store_upsert_contact (f->store, email, name, NULL, NULL, NULL,
                                              TRUE, NULL, NULL, &error));
      g_assert_no_error (error);
    }
  g_assert_true (ms_store_commit (f->store, &error));
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  g_autofree char *shm = g_strconcat (f->path, "-shm", NULL);

  g_clear_object (&f->store);
  g_unlink (f->path);
  g_unlink (wal);
  g_unlink (shm);
  g_rmdir (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

static gboolean
on_timeout_cb (gpointer data)
{
  g_error ("The contact model did not finish loading in time");
  return G_SOURCE_REMOVE;
}

static void
wait_loaded (MsContactModel *model)
{
  guint timeout = g_timeout_add_seconds (30, on_timeout_cb, NULL);

  while (ms_contact_model_get_loading (model))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_assert_null (ms_contact_model_get_error (model));
}

static char *
email_at (MsContactModel *model,
          guint           position)
{
  g_autoptr(MsContact) item = g_list_model_get_item (G_LIST_MODEL (model), position);

  g_assert_nonnull (item);
  return g_strdup (ms_contact_get_email (item));
}

static void
on_items_changed_cb (GListModel *model,
                     guint       position,
                     guint       removed,
                     guint       added,
                     guint      *count)
{
  (*count)++;
}

static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);

  g_assert_true (ms_contact_model_get_loading (model));
  g_assert_false (ms_contact_model_get_counted (model));
  wait_loaded (model);

  g_assert_true (ms_contact_model_get_counted (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);
  g_assert_cmpint (ms_contact_model_get_total_count (model), ==, 0);
  g_assert_cmpint (ms_contact_model_get_list_count (model), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 0));
  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
on_notify_id_cb (GObject    *object,
                 GParamSpec *pspec,
                 guint      *count)
{
  (*count)++;
}

/* A page next to a loaded one is read after that page's last row (or before
 * the first row of the page after it), not at its offset.  Seen from outside
 * when a row appears in front unannounced: an OFFSET read would repeat a row
 * at the page boundary, the anchored read continues where the page ended. */
static void
test_anchored_pages (Fixture       *f,
                     gconstpointer  data)
{
  const guint size = MS_CONTACT_MODEL_PAGE_SIZE;
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(GPtrArray) held = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;

  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), size - 1));

  /* Forward: page 1 after page 0's last row. */
  g_assert_true (ms_store_upsert_contact (f->store, "aaa-first@example.org", "First", NULL, NULL, NULL,
                                          TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), size));
  wait_loaded (model);
  g_assert_cmpstr (ms_contact_get_email (g_ptr_array_index (held, 1)), ==, "user00128@example.org");

  /* Page after page: every row once, in order. */
  for (guint position = size; position < 5 * size; position++)
    {
      g_autofree char *email = NULL;

      if (position % size == 0 && position > size)
        {
          g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), position));
          wait_loaded (model);
        }
      email = email_at (model, position);
      g_free (expected);
      expected = g_strdup_printf ("user%05u@example.org", position);
      g_assert_cmpstr (email, ==, expected);
    }

  g_ptr_array_set_size (held, 0);
  g_assert_finalize_object (g_steal_pointer (&model));

  /* Backward, on a new model: page 6 is read at its offset (no neighbour is
   * loaded), then a row appears in front; page 5 ends right before page 6's
   * first row (at its offset it would end one row earlier). */
  model = ms_contact_model_new (f->path);
  wait_loaded (model);
  g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), 6 * size));
  wait_loaded (model);
  {
    g_autofree char *first_of_6 = email_at (model, 6 * size);
    g_autofree char *last_of_5 = NULL;

    g_assert_cmpstr (first_of_6, ==, "user00767@example.org");   /* one row in front since */
    g_assert_true (ms_store_upsert_contact (f->store, "aaa-second@example.org", "Second", NULL, NULL, NULL,
                                            TRUE, NULL, NULL, &error));
    g_assert_no_error (error);
    g_ptr_array_add (held, g_list_model_get_item (G_LIST_MODEL (model), 6 * size - 1));
    wait_loaded (model);
    last_of_5 = email_at (model, 6 * size - 1);
    g_assert_cmpstr (last_of_5, ==, "user00766@example.org");
  }
  g_ptr_array_set_size (held, 0);
  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
test_pages (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(MsContact) first = NULL;
  g_autoptr(MsContact) far = NULL;
  g_autoptr(MsContact) again = NULL;
  guint notified = 0;

  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (model)) == MS_TYPE_CONTACT);

  /* The first page comes with the count. */
  first = g_list_model_get_item (G_LIST_MODEL (model), 0);
  g_assert_cmpint (ms_contact_get_id (first), >, 0);
  g_assert_cmpstr (ms_contact_get_email (first), ==, "user00000@example.org");
  g_assert_false (ms_contact_model_get_loading (model));

  /* Elsewhere: a placeholder, filled in when its page arrives. */
  far = g_list_model_get_item (G_LIST_MODEL (model), 777);
  g_assert_cmpint (ms_contact_get_id (far), ==, 0);
  g_assert_cmpstr (ms_contact_get_email (far), ==, "");
  g_assert_null (ms_contact_model_peek_loaded (model, 777));
  g_signal_connect (far, "notify::id", G_CALLBACK (on_notify_id_cb), &notified);
  g_assert_true (ms_contact_model_get_loading (model));
  wait_loaded (model);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (ms_contact_get_id (far), >, 0);
  g_assert_cmpstr (ms_contact_get_email (far), ==, "user00777@example.org");
  g_assert_cmpstr (ms_contact_get_name (far), ==, "Person 00223");
  g_assert_true (ms_contact_model_peek_loaded (model, 777) == far);

  /* The same object for the same position while the page lives. */
  again = g_list_model_get_item (G_LIST_MODEL (model), 777);
  g_assert_true (again == far);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (model), 1000));

  g_signal_handlers_disconnect_by_data (far, &notified);
  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
test_query (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(GError) error = NULL;
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  gint64 ids[10];
  g_autofree char *e = NULL;

  wait_loaded (model);

  /* Search: user00900 .. user00999 */
  query.search = "user009";
  ms_contact_model_set_query (model, &query);
  g_assert_false (ms_contact_model_get_counted (model));
  wait_loaded (model);
  g_assert_true (ms_contact_model_get_counted (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 100);
  g_assert_cmpint (ms_contact_model_get_total_count (model), ==, 1000);
  g_assert_cmpint (ms_contact_model_get_list_count (model), ==, 1000);
  e = email_at (model, 0);
  g_assert_cmpstr (e, ==, "user00900@example.org");
  g_clear_pointer (&e, g_free);

  /* Sorting, descending */
  query.descending = TRUE;
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  e = email_at (model, 0);
  g_assert_cmpstr (e, ==, "user00999@example.org");
  g_clear_pointer (&e, g_free);

  /* By name: names run the other way round */
  query.search = NULL;
  query.descending = FALSE;
  query.sort = MS_CONTACT_SORT_NAME;
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 1000);
  e = email_at (model, 0);
  g_assert_cmpstr (e, ==, "user00999@example.org");
  g_clear_pointer (&e, g_free);

  /* Status */
  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *email = g_strdup_printf ("user%05u@example.org", 10 * i);
      g_autoptr(MsContact) c = ms_store_find_contact (f->store, email, &error);

      g_assert_no_error (error);
      ids[i] = ms_contact_get_id (c);
    }
  g_assert_true (ms_store_set_contacts_status (f->store, ids, 10, MS_CONTACT_STATUS_BOUNCED,
                                               "550 5.1.1", &error));
  g_assert_no_error (error);
  query.status = MS_CONTACT_STATUS_BOUNCED;
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 10);

  /* List: 4 of the 10 bounced, 7 members in all */
  list = ms_store_create_list (f->store, "Newsletter", &error);
  g_assert_no_error (error);
  g_assert_true (ms_store_add_list_members (f->store, ms_contact_list_get_id (list), ids + 6, 4,
                                            &error));
  {
    g_autoptr(MsContact) a = ms_store_find_contact (f->store, "user00001@example.org", NULL);
    g_autoptr(MsContact) b = ms_store_find_contact (f->store, "user00002@example.org", NULL);
    g_autoptr(MsContact) c = ms_store_find_contact (f->store, "user00003@example.org", NULL);
    gint64 more[3] = { ms_contact_get_id (a), ms_contact_get_id (b), ms_contact_get_id (c) };

    g_assert_true (ms_store_add_list_members (f->store, ms_contact_list_get_id (list), more, 3,
                                              &error));
  }
  query.list_id = ms_contact_list_get_id (list);
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 4);
  g_assert_cmpint (ms_contact_model_get_list_count (model), ==, 7);
  g_assert_cmpint (ms_contact_model_get_total_count (model), ==, 1000);

  query.status = -1;
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 7);

  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(MsContact) held = NULL;
  guint n, n_pages;

  wait_loaded (model);
  n = g_list_model_get_n_items (G_LIST_MODEL (model));
  n_pages = (n + MS_CONTACT_MODEL_PAGE_SIZE - 1) / MS_CONTACT_MODEL_PAGE_SIZE;
  g_assert_cmpuint (n_pages, >, 40);

  /* A row of a view holds an item of page 1 while the person scrolls through everything. */
  held = g_list_model_get_item (G_LIST_MODEL (model), MS_CONTACT_MODEL_PAGE_SIZE + 5);
  for (guint p = 0; p < n_pages; p++)
    {
      g_autoptr(MsContact) item = g_list_model_get_item (G_LIST_MODEL (model),
                                                         p * MS_CONTACT_MODEL_PAGE_SIZE);

      g_assert_nonnull (item);
    }
  g_assert_cmpuint (ms_contact_model_get_n_cached (model), <, n_pages);
  g_assert_cmpuint (ms_contact_model_get_n_cached (model), <=, 33);
  wait_loaded (model);

  /* The held page was kept and filled in. */
  g_assert_cmpint (ms_contact_get_id (held), >, 0);
  g_assert_cmpstr (ms_contact_get_email (held), ==, "user00133@example.org");

  /* The last page is a short one. */
  {
    g_autoptr(MsContact) last = g_list_model_get_item (G_LIST_MODEL (model), n - 1);
    g_autofree char *expected = g_strdup_printf ("user%05u@example.org", n - 1);

    wait_loaded (model);
    g_assert_cmpstr (ms_contact_get_email (last), ==, expected);
  }
  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
test_refresh (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(MsContact) item = NULL;
  g_autoptr(MsContact) same = NULL;
  g_autoptr(MsContact) stored = NULL;
  g_autoptr(GError) error = NULL;
  guint changes = 0;
  gint64 id;

  wait_loaded (model);
  g_signal_connect (model, "items-changed", G_CALLBACK (on_items_changed_cb), &changes);

  item = g_list_model_get_item (G_LIST_MODEL (model), 3);
  stored = ms_store_get_contact (f->store, ms_contact_get_id (item), &error);
  g_assert_no_error (error);
  ms_contact_set_name (stored, "Renamed Person");
  g_assert_true (ms_store_update_contact (f->store, stored, &error));
  g_assert_no_error (error);

  /* Same number of rows: updated in place, no items-changed. */
  ms_contact_model_refresh (model);
  wait_loaded (model);
  g_assert_cmpuint (changes, ==, 0);
  same = g_list_model_get_item (G_LIST_MODEL (model), 3);
  g_assert_true (same == item);
  g_assert_cmpstr (ms_contact_get_name (item), ==, "Renamed Person");

  /* update_item() needs no database at all. */
  ms_contact_set_name (stored, "Edited Here");
  ms_contact_model_update_item (model, stored);
  g_assert_cmpstr (ms_contact_get_name (item), ==, "Edited Here");

  /* One row fewer: the model changes as a whole. */
  id = ms_contact_get_id (item);
  g_assert_true (ms_store_delete_contacts (f->store, &id, 1, &error));
  ms_contact_model_refresh (model);
  wait_loaded (model);
  g_assert_cmpuint (changes, ==, 1);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 999);
  g_clear_object (&same);
  same = g_list_model_get_item (G_LIST_MODEL (model), 3);
  g_assert_cmpstr (ms_contact_get_email (same), ==, "user00004@example.org");

  g_signal_handlers_disconnect_by_data (model, &changes);
  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
on_resolved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ms_contact_model_resolve_finish (MS_CONTACT_MODEL (source), result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*out);
}

static GArray *
resolve (MsContactModel *model,
         const guint    *ranges,
         guint           n_ranges)
{
  GArray *refs = NULL;

  ms_contact_model_resolve_async (model, ranges, n_ranges, NULL, on_resolved_cb, &refs);
  while (refs == NULL)
    g_main_context_iteration (NULL, TRUE);

  /* A task run in a thread may drop its reference to the model on that thread
   * just after the callback ran. */
  for (guint i = 0; i < 5000 && G_OBJECT (model)->ref_count > 1; i++)
    g_usleep (1000);
  return refs;
}

static gint64
id_of (Fixture *f,
       guint    i)
{
  g_autofree char *email = g_strdup_printf ("user%05u@example.org", i);
  g_autoptr(MsContact) c = ms_store_find_contact (f->store, email, NULL);

  g_assert_nonnull (c);
  return ms_contact_get_id (c);
}

static void
test_resolve (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(MsContactModel) model = ms_contact_model_new (f->path);
  g_autoptr(GArray) loaded = NULL;
  g_autoptr(GArray) scattered = NULL;
  g_autoptr(GArray) all = NULL;
  g_autoptr(GError) error = NULL;
  const guint first_rows[] = { 1, 3 };
  const guint far_rows[] = { 500, 2, 900, 1 };
  const guint every_row[] = { 0, 1000 };
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  gint64 id = id_of (f, 2);

  wait_loaded (model);

  /* Loaded rows: answered from memory. */
  g_assert_true (ms_store_set_contacts_status (f->store, &id, 1, MS_CONTACT_STATUS_COMPLAINED,
                                               "abuse report", &error));
  ms_contact_model_refresh (model);
  wait_loaded (model);
  loaded = resolve (model, first_rows, 1);
  g_assert_cmpuint (loaded->len, ==, 3);
  g_assert_cmpint (g_array_index (loaded, MsContactRef, 0).id, ==, id_of (f, 1));
  g_assert_cmpint (g_array_index (loaded, MsContactRef, 1).id, ==, id);
  g_assert_cmpint (g_array_index (loaded, MsContactRef, 1).status, ==,
                   MS_CONTACT_STATUS_COMPLAINED);
  g_assert_cmpstr (g_array_index (loaded, MsContactRef, 1).status_reason, ==, "abuse report");
  g_assert_null (g_array_index (loaded, MsContactRef, 0).status_reason);

  /* Rows never shown: read from the database by offset. */
  scattered = resolve (model, far_rows, 2);
  g_assert_cmpuint (scattered->len, ==, 3);
  g_assert_cmpint (g_array_index (scattered, MsContactRef, 0).id, ==, id_of (f, 500));
  g_assert_cmpint (g_array_index (scattered, MsContactRef, 1).id, ==, id_of (f, 501));
  g_assert_cmpint (g_array_index (scattered, MsContactRef, 2).id, ==, id_of (f, 900));

  /* Everything, in the order of the query: streamed. */
  query.descending = TRUE;
  ms_contact_model_set_query (model, &query);
  wait_loaded (model);
  all = resolve (model, every_row, 1);
  g_assert_cmpuint (all->len, ==, 1000);
  g_assert_cmpint (g_array_index (all, MsContactRef, 0).id, ==, id_of (f, 999));
  g_assert_cmpint (g_array_index (all, MsContactRef, 999).id, ==, id_of (f, 0));

  g_assert_finalize_object (g_steal_pointer (&model));
}

static void
test_bad_database (void)
{
  g_autofree char *dir = g_dir_make_tmp ("ms-model-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "not-a-db", NULL);
  g_autoptr(MsContactModel) model = NULL;
  guint timeout;

  g_assert_true (g_file_set_contents (path, "this is not an SQLite database, not at all", -1,
                                      NULL));
  g_test_expect_message ("ms-contact-model", G_LOG_LEVEL_WARNING, "*Could not read*");
  model = ms_contact_model_new (path);
  timeout = g_timeout_add_seconds (30, on_timeout_cb, NULL);
  while (ms_contact_model_get_loading (model))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (timeout);
  g_test_assert_expected_messages ();
  g_assert_nonnull (ms_contact_model_get_error (model));
  g_assert_false (ms_contact_model_get_counted (model));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (model)), ==, 0);

  g_assert_finalize_object (g_steal_pointer (&model));
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/contact-model/empty", Fixture, GUINT_TO_POINTER (0),
              fixture_setup, test_empty, fixture_teardown);
  g_test_add ("/contact-model/pages", Fixture, GUINT_TO_POINTER (1000),
              fixture_setup, test_pages, fixture_teardown);
  g_test_add ("/contact-model/anchored-pages", Fixture, GUINT_TO_POINTER (1000),
              fixture_setup, test_anchored_pages, fixture_teardown);
  g_test_add ("/contact-model/query", Fixture, GUINT_TO_POINTER (1000),
              fixture_setup, test_query, fixture_teardown);
  g_test_add ("/contact-model/bounded", Fixture, GUINT_TO_POINTER (6000),
              fixture_setup, test_bounded, fixture_teardown);
  g_test_add ("/contact-model/refresh", Fixture, GUINT_TO_POINTER (1000),
              fixture_setup, test_refresh, fixture_teardown);
  g_test_add ("/contact-model/resolve", Fixture, GUINT_TO_POINTER (1000),
              fixture_setup, test_resolve, fixture_teardown);
  g_test_add_func ("/contact-model/bad-database", test_bad_database);

  return g_test_run ();
}

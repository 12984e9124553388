/* test-contacts-view.c
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

#define G_LOG_DOMAIN "test-contacts-view"

#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "ms-application.h"
#include "ms-import-dialog.h"
#include "ms-lazy-selection.h"
#include "ms-contact-editor.h"
#include "ms-contacts-view.h"
#include "ms-store.h"
#include "ms-window.h"

#include "ms-test-ui-utils.h"

/* The main window and its Contacts view against a temporary database: lists in
 * the sidebar, search, status filter, sorting, the empty pages, editing, bulk
 * actions on the selection, export, and the settings the window keeps.  Runs
 * under a display (xvfb-run). */

#define N_CONTACTS 500
#define WAIT_TIMEOUT_S 30

static MsApplication *app;
static char *tmp_dir;
static char *db_path;
static gint64 friends_id;
static gint64 empty_id;

/* Helpers */

static gboolean
window_idle (gpointer data)
{
  return !ms_window_get_loading (data);
}

/* Lets pending idles run, then waits for the window to read nothing. */
static void
wait_idle (MsWindow *window)
{
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (NULL, FALSE);
  ms_test_wait_until (window_idle, window, "the window to finish reading");
}

static gboolean
has_toplevel (gpointer data)
{
  return ms_test_find_toplevel (GPOINTER_TO_SIZE (data)) != NULL;
}

static gpointer
wait_toplevel (GType type)
{
  ms_test_wait_until (has_toplevel, GSIZE_TO_POINTER (type), g_type_name (type));
  return ms_test_find_toplevel (type);
}

static GtkWidget *
find_entry_row (GtkWidget  *root,
                const char *title)
{
  if (ADW_IS_ENTRY_ROW (root)
      && g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (root)), title) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_entry_row (child, title);

      if (found != NULL)
        return found;
    }
  return NULL;
}

static gboolean
find_mapped_status_page (GtkWidget *root)
{
  if (ADW_IS_STATUS_PAGE (root) && gtk_widget_get_mapped (root))
    return TRUE;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child;
       child = gtk_widget_get_next_sibling (child))
    {
      if (find_mapped_status_page (child))
        return TRUE;
    }
  return FALSE;
}

static char *
email_at (MsContactsView *view,
          guint           position)
{
  GListModel *model = G_LIST_MODEL (ms_contacts_view_get_model (view));
  g_autoptr(MsContact) item = g_list_model_get_item (model, position);

  g_assert_nonnull (item);
  g_assert_cmpint (ms_contact_get_id (item), >, 0);
  return g_strdup (ms_contact_get_email (item));
}

static guint
n_rows (MsContactsView *view)
{
  return g_list_model_get_n_items (G_LIST_MODEL (ms_contacts_view_get_model (view)));
}

static MsStore *
open_store (void)
{
  g_autoptr(GError) error = NULL;
  MsStore *store = ms_store_open (db_path, &error);

  g_assert_no_error (error);
  return store;
}

static gint64
count_where (const MsContactQuery *query)
{
  g_autoptr(MsStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  gint64 n = ms_store_count_contacts (store, query, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
member_count (MsWindow *window,
              gint64    list_id)
{
  GListModel *lists = ms_window_get_lists (window);

  for (guint i = 0; i < g_list_model_get_n_items (lists); i++)
    {
      g_autoptr(MsContactList) list = g_list_model_get_item (lists, i);

      if (ms_contact_list_get_id (list) == list_id)
        return ms_contact_list_get_member_count (list);
    }
  return -1;
}

/* A window as the application opens it: on the list shown last. */
static MsWindow *
open_window_as_is (void)
{
  MsWindow *window = ms_window_new (app);

  gtk_window_present (GTK_WINDOW (window));
  wait_idle (window);
  return window;
}

/* A window on All Contacts. */
static MsWindow *
open_window (void)
{
  MsWindow *window = open_window_as_is ();

  ms_window_select_list (window, 0);
  wait_idle (window);
  return window;
}

static void
close_window (MsWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  while (window != NULL)
    g_main_context_iteration (NULL, TRUE);
}

/* Tests */

static void
test_table (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  g_autofree char *first = NULL;

  g_assert_false (ms_window_get_loading (window));
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "table");
  g_assert_cmpuint (n_rows (view), ==, N_CONTACTS);
  g_assert_cmpstr (ms_contacts_view_get_count_text (view), ==, "500 contacts");
  first = email_at (view, 0);
  g_assert_cmpstr (first, ==, "user00000@example.org");

  /* The sidebar: All Contacts, then the lists by name, each with its count. */
  g_assert_cmpuint (g_list_model_get_n_items (ms_window_get_lists (window)), ==, 3);
  g_assert_cmpint (member_count (window, 0), ==, N_CONTACTS);
  g_assert_cmpint (member_count (window, friends_id), ==, 5);
  g_assert_cmpint (member_count (window, empty_id), ==, 0);

  close_window (window);
}

static void
test_search_filter_sort (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  g_autofree char *first = NULL;

  ms_contacts_view_set_search (view, "user0004");
  wait_idle (window);
  g_assert_cmpuint (n_rows (view), ==, 10);
  g_assert_cmpstr (ms_contacts_view_get_count_text (view), ==, "10 of 500 contacts");

  ms_contacts_view_set_search (view, "nobody-has-this");
  wait_idle (window);
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "no-match");

  /* Every 7th contact is bounced: 0, 7, ..., 497 */
  ms_contacts_view_set_search (view, NULL);
  ms_contacts_view_set_status_filter (view, MS_CONTACT_STATUS_BOUNCED);
  wait_idle (window);
  g_assert_cmpuint (n_rows (view), ==, 72);
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "table");

  /* Sorting by name, descending, as two clicks on the Name header do. */
  ms_contacts_view_set_status_filter (view, -1);
  ms_contacts_view_sort_by (view, MS_CONTACT_SORT_NAME, TRUE);
  wait_idle (window);
  first = email_at (view, 0);
  g_assert_cmpstr (first, ==, "user00000@example.org");   /* "Zed 499" ... names run backwards */
  g_clear_pointer (&first, g_free);
  ms_contacts_view_sort_by (view, MS_CONTACT_SORT_NAME, FALSE);
  wait_idle (window);
  first = email_at (view, 0);
  g_assert_cmpstr (first, ==, "user00499@example.org");
  g_clear_pointer (&first, g_free);
  ms_contacts_view_sort_by (view, MS_CONTACT_SORT_EMAIL, TRUE);
  wait_idle (window);
  first = email_at (view, 0);
  g_assert_cmpstr (first, ==, "user00499@example.org");

  close_window (window);
}

static void
test_lists (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);

  ms_window_select_list (window, friends_id);
  wait_idle (window);
  g_assert_cmpint (ms_contacts_view_get_list_id (view), ==, friends_id);
  g_assert_cmpuint (n_rows (view), ==, 5);
  g_assert_cmpstr (ms_contacts_view_get_count_text (view), ==, "5 contacts");
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (view)));

  ms_window_select_list (window, empty_id);
  wait_idle (window);
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "empty-list");
  ms_test_save_screenshot (GTK_WIDGET (window), "contacts-view-empty-list.png");

  close_window (window);
}

static void
test_bulk (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  GtkSelectionModel *selection = ms_contacts_view_get_selection (view);
  MsContactQuery unsubscribed = MS_CONTACT_QUERY_INIT;
  MsContactQuery in_empty = MS_CONTACT_QUERY_INIT;
  MsContactQuery all = MS_CONTACT_QUERY_INIT;
  AdwMessageDialog *dialog;
  gint64 before;

  unsubscribed.status = MS_CONTACT_STATUS_UNSUBSCRIBED;
  before = count_where (&unsubscribed);

  /* Rows 1..3 are active (0 is bounced): mark them unsubscribed. */
  gtk_selection_model_select_range (selection, 1, 3, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "contacts.set-status", "s",
                                             "unsubscribed"));
  wait_idle (window);
  g_assert_cmpint (count_where (&unsubscribed), ==, before + 3);
  /* Same number of rows: the selection survives and the rows show the new status. */
  g_assert_true (gtk_selection_model_is_selected (selection, 2));
  {
    g_autoptr(MsContact) row = g_list_model_get_item (G_LIST_MODEL (selection), 2);

    g_assert_cmpint (ms_contact_get_status (row), ==, MS_CONTACT_STATUS_UNSUBSCRIBED);
  }

  /* Add them to the empty list; the sidebar count follows. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "contacts.add-to-list", "x",
                                             empty_id));
  wait_idle (window);
  in_empty.list_id = empty_id;
  g_assert_cmpint (count_where (&in_empty), ==, 3);
  g_assert_cmpint (member_count (window, empty_id), ==, 3);

  /* In that list, remove one again. */
  ms_window_select_list (window, empty_id);
  wait_idle (window);
  g_assert_cmpuint (n_rows (view), ==, 3);
  gtk_selection_model_select_item (selection, 0, TRUE);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "contacts.remove-from-list",
                                             NULL));
  wait_idle (window);
  g_assert_cmpint (count_where (&in_empty), ==, 2);
  g_assert_cmpuint (n_rows (view), ==, 2);

  /* Delete both, after confirming. */
  gtk_selection_model_select_all (selection);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "contacts.delete", NULL));
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_true (adw_message_dialog_has_response (dialog, "delete"));
  ms_test_answer (dialog, "delete");
  wait_idle (window);
  g_assert_cmpint (count_where (&all), ==, N_CONTACTS - 2);
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "empty-list");
  g_assert_cmpint (member_count (window, 0), ==, N_CONTACTS - 2);

  close_window (window);
}

static void
set_row_text (GtkWidget  *editor,
              const char *title,
              const char *text)
{
  GtkWidget *row = find_entry_row (editor, title);

  g_assert_nonnull (row);
  gtk_editable_set_text (GTK_EDITABLE (row), text);
}

static gboolean
editor_idle (gpointer data)
{
  return !ms_contact_editor_get_busy (data);
}

static void
test_edit (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  MsContactEditor *editor;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsContact) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = NULL;

  ms_contacts_view_set_search (view, "user00010@");
  wait_idle (window);
  g_assert_cmpuint (n_rows (view), ==, 1);

  /* Activating a row (double click, Enter) opens the editor. */
  g_signal_emit_by_name (ms_contacts_view_get_column_view (view), "activate", 0);
  editor = wait_toplevel (MS_TYPE_CONTACT_EDITOR);
  ms_test_wait_until (editor_idle, editor, "the contact to be read");
  g_assert_cmpstr (ms_contact_get_email (ms_contact_editor_get_contact (editor)), ==,
                   "user00010@example.org");
  g_assert_nonnull (find_entry_row (GTK_WIDGET (editor), "company"));   /* a custom field */

  /* An invalid address cannot be saved, and says why. */
  set_row_text (GTK_WIDGET (editor), "Email Address", "not an address");
  g_assert_nonnull (ms_contact_editor_get_error (editor));
  gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL);
  g_assert_false (ms_contact_editor_get_busy (editor));
  g_assert_nonnull (ms_contact_editor_get_error (editor));

  /* An address another contact has is refused by the store, clearly. */
  set_row_text (GTK_WIDGET (editor), "Email Address", "user00011@example.org");
  g_assert_null (ms_contact_editor_get_error (editor));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  ms_test_wait_until (editor_idle, editor, "the save to fail");
  g_assert_nonnull (ms_contact_editor_get_error (editor));
  g_assert_nonnull (strstr (ms_contact_editor_get_error (editor), "user00011@example.org"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (editor)));

  /* A good edit: the domain is normalised, the row follows, the editor closes. */
  set_row_text (GTK_WIDGET (editor), "Email Address", "Renamed@EXAMPLE.net");
  set_row_text (GTK_WIDGET (editor), "Name", "Renamed Person");
  set_row_text (GTK_WIDGET (editor), "company", "ACME");
  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  while (editor != NULL)
    g_main_context_iteration (NULL, TRUE);
  wait_idle (window);

  store = open_store ();
  stored = ms_store_find_contact (store, "Renamed@example.net", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_contact_get_name (stored), ==, "Renamed Person");
  g_assert_cmpstr (ms_contact_get_field (stored, "company"), ==, "ACME");

  ms_contacts_view_set_search (view, "renamed");
  wait_idle (window);
  g_assert_cmpuint (n_rows (view), ==, 1);
  edited = email_at (view, 0);
  g_assert_cmpstr (edited, ==, "Renamed@example.net");

  close_window (window);
}

static void
test_export (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  g_autofree char *path = g_build_filename (tmp_dir, "friends.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  ms_window_select_list (window, friends_id);
  wait_idle (window);
  ms_contacts_view_export_to_file (view, file);
  g_assert_true (ms_contacts_view_get_loading (view));
  wait_idle (window);

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (g_strchomp (text), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 1 + 5);   /* header + the list's members */
  g_assert_true (g_str_has_prefix (lines[0], "email"));

  close_window (window);
}

static void
test_new_list (void)
{
  MsWindow *window = open_window ();
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  guint n_lists = g_list_model_get_n_items (ms_window_get_lists (window));
  g_autoptr(MsContactList) last = NULL;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-list", NULL));
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  entry = adw_message_dialog_get_extra_child (dialog);
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "accept"));
  gtk_editable_set_text (GTK_EDITABLE (entry), "  Zebra club ");
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "accept"));
  ms_test_answer (dialog, "accept");
  wait_idle (window);

  g_assert_cmpuint (g_list_model_get_n_items (ms_window_get_lists (window)), ==, n_lists + 1);
  last = g_list_model_get_item (ms_window_get_lists (window), n_lists);
  g_assert_cmpstr (ms_contact_list_get_name (last), ==, "Zebra club");
  /* The new list is shown. */
  g_assert_cmpint (ms_window_get_list_id (window), ==, ms_contact_list_get_id (last));

  close_window (window);
}

static const char *
list_name (MsWindow *window,
           gint64    list_id)
{
  GListModel *lists = ms_window_get_lists (window);

  for (guint i = 0; i < g_list_model_get_n_items (lists); i++)
    {
      g_autoptr(MsContactList) list = g_list_model_get_item (lists, i);

      if (ms_contact_list_get_id (list) == list_id)
        return ms_contact_list_get_name (list);   /* the store keeps it */
    }
  return NULL;
}

static void
answer_name_dialog (const char *name)
{
  AdwMessageDialog *dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);

  gtk_editable_set_text (GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog)), name);
  ms_test_answer (dialog, "accept");
}

static void
test_rename_delete_list (void)
{
  MsWindow *window = open_window ();
  MsContactsView *view = ms_window_get_contacts_view (window);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsContactList) extra = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;
  gint64 id;

  store = open_store ();
  extra = ms_store_create_list (store, "Old name", &error);
  g_assert_no_error (error);
  id = ms_contact_list_get_id (extra);
  ms_window_reload (window);
  wait_idle (window);

  ms_window_select_list (window, id);
  wait_idle (window);
  g_assert_cmpint (ms_contacts_view_get_list_id (view), ==, id);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.rename-list", NULL));
  answer_name_dialog ("New name");
  wait_idle (window);
  g_assert_cmpstr (list_name (window, id), ==, "New name");
  g_assert_cmpint (ms_window_get_list_id (window), ==, id);

  /* A name another list has is refused; the list keeps its name. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.rename-list", NULL));
  answer_name_dialog ("Friends");
  wait_idle (window);
  g_assert_cmpstr (list_name (window, id), ==, "New name");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.delete-list", NULL));
  dialog = wait_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  ms_test_answer (dialog, "delete");
  wait_idle (window);
  g_assert_null (list_name (window, id));
  g_assert_cmpint (ms_window_get_list_id (window), ==, 0);
  g_assert_cmpint (ms_contacts_view_get_list_id (view), ==, 0);

  close_window (window);
}

static void
test_settings (void)
{
  MsWindow *window = open_window ();
  GSettings *settings = ms_application_get_settings (app);
  g_autofree char *last_list = NULL;

  g_assert_nonnull (settings);
  ms_window_select_list (window, friends_id);
  wait_idle (window);
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 650);
  gtk_window_close (GTK_WINDOW (window));
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 900);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 650);
  last_list = g_settings_get_string (settings, "last-list");
  g_assert_cmpstr (last_list, ==, "Friends");

  /* The next window opens on that list. */
  window = open_window_as_is ();
  g_assert_cmpint (ms_window_get_list_id (window), ==, friends_id);
  g_settings_set_string (settings, "last-list", "");
  close_window (window);
}

static void
test_start_page (void)
{
  g_autofree char *empty = g_build_filename (tmp_dir, "empty.db", NULL);
  g_autofree char *saved = g_strdup (ms_application_get_db_path (app));
  MsWindow *window;
  MsContactsView *view;

  ms_application_set_db_path (app, empty);
  window = open_window ();
  view = ms_window_get_contacts_view (window);
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "empty-database");
  g_assert_true (gtk_widget_get_mapped (ms_test_find_of_type (GTK_WIDGET (view), ADW_TYPE_STATUS_PAGE)));
  ms_test_save_screenshot (GTK_WIDGET (window), "contacts-view-start-page.png");
  close_window (window);
  ms_application_set_db_path (app, saved);
}

static void
test_newer_database (void)
{
  g_autofree char *newer = g_build_filename (tmp_dir, "newer.db", NULL);
  g_autofree char *saved = g_strdup (ms_application_get_db_path (app));
  sqlite3 *db = NULL;
  MsWindow *window;
  g_autofree char *pragma = g_strdup_printf ("PRAGMA user_version = %d",
                                             ms_store_latest_version () + 1);

  g_assert_cmpint (sqlite3_open (newer, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, pragma, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  ms_application_set_db_path (app, newer);
  window = open_window ();
  /* The error page, not the contacts view, and nothing loading forever. */
  g_assert_false (ms_window_get_loading (window));
  g_assert_true (find_mapped_status_page (GTK_WIDGET (window)));
  g_assert_false (gtk_widget_get_mapped (GTK_WIDGET (ms_window_get_contacts_view (window))));
  close_window (window);
  ms_application_set_db_path (app, saved);
}

static gboolean
drop_files (MsWindow   *window,
            const char *path)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (GTK_WIDGET (window));
  g_autoptr(GFile) file = g_file_new_for_path (path);
  GValue value = G_VALUE_INIT;
  GSList files = { file, NULL };
  gboolean handled = FALSE;

  g_value_init (&value, GDK_TYPE_FILE_LIST);
  g_value_take_boxed (&value, gdk_file_list_new_from_list (&files));
  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_DROP_TARGET (controller))
        g_signal_emit_by_name (controller, "drop", &value, 10.0, 10.0, &handled);
    }
  g_value_unset (&value);
  return handled;
}

static void
test_drop (void)
{
  MsWindow *window = open_window ();
  g_autofree char *csv = g_build_filename (tmp_dir, "dropped.csv", NULL);
  g_autofree char *pdf = g_build_filename (tmp_dir, "dropped.pdf", NULL);
  MsImportDialog *dialog;

  g_assert_true (g_file_set_contents (csv, "email,name\ndropped@example.org,Dropped\n", -1, NULL));
  g_assert_true (g_file_set_contents (pdf, "%PDF-1.4", -1, NULL));

  /* Not a CSV file: refused (with a toast). */
  g_assert_false (drop_files (window, pdf));
  g_assert_null (ms_test_find_toplevel (MS_TYPE_IMPORT_DIALOG));

  /* A CSV file opens the import dialog on it. */
  g_assert_true (drop_files (window, csv));
  dialog = wait_toplevel (MS_TYPE_IMPORT_DIALOG);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  gtk_window_destroy (GTK_WINDOW (dialog));

  close_window (window);
}

static void
test_about_and_shortcuts (void)
{
  MsWindow *window = open_window ();
  GtkWindow *overlay;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  gtk_window_destroy (wait_toplevel (ADW_TYPE_ABOUT_WINDOW));

  /* Ctrl+? comes with GtkApplication once gtk/help-overlay.ui is in the resources. */
  overlay = gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)) != NULL
            ? GTK_WINDOW (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)))
            : NULL;
  g_assert_nonnull (overlay);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  wait_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  gtk_window_close (overlay);

  close_window (window);
}

/* A model that counts how often it is asked for an item. */

#define TEST_TYPE_COUNTING_MODEL (test_counting_model_get_type ())
G_DECLARE_FINAL_TYPE (TestCountingModel, test_counting_model, TEST, COUNTING_MODEL, GObject)

struct _TestCountingModel
{
  GObject parent_instance;
  guint   n_items;
  guint   n_get_item;
};

static GType
counting_get_item_type (GListModel *model)
{
  return G_TYPE_OBJECT;
}

static guint
counting_get_n_items (GListModel *model)
{
  return TEST_COUNTING_MODEL (model)->n_items;
}

static gpointer
counting_get_item (GListModel *model,
                   guint       position)
{
  TEST_COUNTING_MODEL (model)->n_get_item++;
  return g_object_new (G_TYPE_OBJECT, NULL);
}

static void
counting_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = counting_get_item_type;
  iface->get_n_items = counting_get_n_items;
  iface->get_item = counting_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCountingModel, test_counting_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, counting_model_iface_init))

static void
test_counting_model_class_init (TestCountingModelClass *klass)
{
}

static void
test_counting_model_init (TestCountingModel *self)
{
}

static void
on_selection_changed_cb (GtkSelectionModel *model,
                         guint              position,
                         guint              n_items,
                         guint             *range)
{
  range[0] = position;
  range[1] = n_items;
}

static void
test_lazy_selection (void)
{
  g_autoptr(TestCountingModel) model = g_object_new (TEST_TYPE_COUNTING_MODEL, NULL);
  g_autoptr(MsLazySelection) selection = NULL;
  GtkSelectionModel *sel;
  g_autoptr(GtkBitset) set = NULL;
  guint range[2] = { 0, 0 };

  model->n_items = 1000000;
  selection = ms_lazy_selection_new (G_LIST_MODEL (model));
  sel = GTK_SELECTION_MODEL (selection);
  g_signal_connect (sel, "selection-changed", G_CALLBACK (on_selection_changed_cb), range);

  /* Selecting a million rows asks the model for nothing. */
  g_assert_true (gtk_selection_model_select_all (sel));
  g_assert_cmpuint (model->n_get_item, ==, 0);
  g_assert_cmpuint (range[0], ==, 0);
  g_assert_cmpuint (range[1], ==, 1000000);
  set = gtk_selection_model_get_selection (sel);
  g_assert_cmpuint (gtk_bitset_get_size (set), ==, 1000000);
  g_clear_pointer (&set, gtk_bitset_unref);

  /* Unselecting reports the changed range only. */
  g_assert_true (gtk_selection_model_unselect_range (sel, 10, 5));
  g_assert_cmpuint (range[0], ==, 10);
  g_assert_cmpuint (range[1], ==, 5);
  g_assert_false (gtk_selection_model_is_selected (sel, 12));
  g_assert_true (gtk_selection_model_is_selected (sel, 15));

  /* An exclusive click. */
  g_assert_true (gtk_selection_model_select_item (sel, 7, TRUE));
  set = gtk_selection_model_get_selection (sel);
  g_assert_cmpuint (gtk_bitset_get_size (set), ==, 1);
  g_assert_true (gtk_bitset_contains (set, 7));
  g_clear_pointer (&set, gtk_bitset_unref);

  /* Rows removed before it move the selection along. */
  g_assert_true (gtk_selection_model_select_item (sel, 9, FALSE));
  model->n_items -= 3;
  g_list_model_items_changed (G_LIST_MODEL (model), 0, 8, 5);
  set = gtk_selection_model_get_selection (sel);
  g_assert_cmpuint (gtk_bitset_get_size (set), ==, 1);
  g_assert_true (gtk_bitset_contains (set, 6));   /* 9 - 3; 7 went with the removed rows */
  g_clear_pointer (&set, gtk_bitset_unref);
  g_assert_cmpuint (model->n_get_item, ==, 0);

  g_signal_handlers_disconnect_by_data (sel, range);
}

/* Setup */

static void
fill_database (void)
{
  g_autoptr(MsStore) store = open_store ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContactList) friends = NULL;
  g_autoptr(MsContactList) empty = NULL;
  gint64 bounced[N_CONTACTS / 7 + 1];
  gint64 members[5];
  guint n_bounced = 0;

  g_assert_true (ms_store_begin (store, &error));
  for (guint i = 0; i < N_CONTACTS; i++)
    {
      g_autofree char *email = g_strdup_printf ("user%05u@example.org", i);
      g_autofree char *name = g_strdup_printf ("Person %03u", N_CONTACTS - 1 - i);
      gint64 id;

      g_assert_true (ms_store_upsert_contact (store, email, name, "First", "Last",
                                              i == 10 ? "{\"company\":\"Initech\"}" : NULL,
                                              TRUE, &id, NULL, &error));
      if (i % 7 == 0)
        bounced[n_bounced++] = id;
      if (i >= 100 && i < 105)
        members[i - 100] = id;
    }
  g_assert_true (ms_store_set_contacts_status (store, bounced, n_bounced,
                                               MS_CONTACT_STATUS_BOUNCED, "550 5.1.1", &error));
  friends = ms_store_create_list (store, "Friends", &error);
  empty = ms_store_create_list (store, "Empty", &error);
  g_assert_true (ms_store_add_list_members (store, ms_contact_list_get_id (friends), members, 5,
                                            &error));
  g_assert_true (ms_store_commit (store, &error));
  g_assert_no_error (error);
  friends_id = ms_contact_list_get_id (friends);
  empty_id = ms_contact_list_get_id (empty);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ms_test_ui_init (&argc, &argv, WAIT_TIMEOUT_S);

  tmp_dir = ms_test_make_tmp_dir ("ms-contacts-view-XXXXXX");
  db_path = g_build_filename (tmp_dir, "mailshot.db", NULL);
  fill_database ();

  app = ms_test_application_new (db_path);

  g_test_add_func ("/contacts-view/lazy-selection", test_lazy_selection);
  g_test_add_func ("/contacts-view/table", test_table);
  g_test_add_func ("/contacts-view/search-filter-sort", test_search_filter_sort);
  g_test_add_func ("/contacts-view/lists", test_lists);
  g_test_add_func ("/contacts-view/edit", test_edit);
  g_test_add_func ("/contacts-view/export", test_export);
  g_test_add_func ("/contacts-view/bulk", test_bulk);
  g_test_add_func ("/contacts-view/new-list", test_new_list);
  g_test_add_func ("/contacts-view/rename-delete-list", test_rename_delete_list);
  g_test_add_func ("/contacts-view/settings", test_settings);
  g_test_add_func ("/contacts-view/drop", test_drop);
  g_test_add_func ("/contacts-view/about-and-shortcuts", test_about_and_shortcuts);
  g_test_add_func ("/contacts-view/start-page", test_start_page);
  g_test_add_func ("/contacts-view/newer-database", test_newer_database);
  ret = g_test_run ();

  g_clear_object (&app);
  return ret;
}

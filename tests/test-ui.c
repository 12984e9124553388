/* test-ui.c
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

#define G_LOG_DOMAIN "test-ui"

#include "config.h"

#include <adwaita.h>

#include "ms-application.h"
#include "ms-contacts-view.h"
#include "ms-import-dialog.h"
#include "ms-importer.h"
#include "ms-store.h"
#include "ms-window.h"

#include "ms-test-ui-utils.h"

/* Anything asynchronous gets this long before the test fails. */
#define WAIT_TIMEOUT_S 20

static char *tmp_dir;

/* Helpers */

static const char *
dialog_page (GtkWidget *dialog)
{
  return gtk_stack_get_visible_child_name (GTK_STACK (ms_test_get_widget (dialog, "import-stack")));
}

/* Waits for the dialog to leave its transient pages, then checks it is on @page. */
static gboolean
is_settled (gpointer data)
{
  const char *page = dialog_page (data);

  return g_strcmp0 (page, "loading") != 0 && g_strcmp0 (page, "progress") != 0 &&
         !gtk_stack_get_transition_running (GTK_STACK (ms_test_get_widget (data, "import-stack")));
}

static void
wait_for_page (GtkWidget  *dialog,
               const char *page)
{
  ms_test_wait_until (is_settled, dialog, "the import dialog to settle");
  if (g_strcmp0 (dialog_page (dialog), page) != 0 && g_strcmp0 (dialog_page (dialog), "error") == 0)
    g_error ("The import dialog shows an error: %s",
             adw_status_page_get_description (ADW_STATUS_PAGE (ms_test_get_widget (dialog, "error-page"))));
  g_assert_cmpstr (dialog_page (dialog), ==, page);
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  return gtk_label_get_text (GTK_LABEL (ms_test_get_widget (root, name)));
}

/* Writes @utf8 to @name in the temporary folder, in @encoding. */
static GFile *
write_file (const char *name,
            const char *utf8,
            const char *encoding)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *converted = NULL;
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  gsize length = strlen (utf8);

  if (encoding != NULL)
    {
      converted = g_convert (utf8, -1, encoding, "UTF-8", NULL, &length, &error);
      g_assert_no_error (error);
    }

  g_file_set_contents (path, converted ? converted : utf8, length, &error);
  g_assert_no_error (error);

  return g_file_new_for_path (path);
}

static char *
new_database (const char *name)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (tmp_dir, name, NULL);

  store = ms_store_open (path, &error);
  g_assert_no_error (error);

  return path;
}

static void
on_imported_cb (MsImportDialog *dialog,
                guint          *n_imported)
{
  (*n_imported)++;
}

static void
close_dialog (GtkWidget *dialog)
{
  gpointer weak = dialog;

  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_close (GTK_WINDOW (dialog));
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the dialog to go away");
}

/* A German Excel export: Windows-1252, semicolons, CRLF; a quoted field with
 * the delimiter in it; rows 5 and 7 have no valid address; row 9 repeats
 * row 2's address in other letter case. */
static const char german_csv[] =
  "E-Mail;Vorname;Nachname;Stadt\r\n"
  "anna.mueller@example.de;Anna;Müller;München\r\n"
  "BERND.Schaefer@Example.DE;Bernd;Schäfer;Düsseldorf\r\n"
  "claudia.weiss@bäckerei.example;Claudia;Weiß;Nürnberg\r\n"
  "dieter.gross.example.de;Dieter;Groß;Essen\r\n"
  "\"eva.oeztuerk@example.de\";Eva;Öztürk;\"Bremen; Hansestadt\"\r\n"
  "frank@;Frank;Fuß;Köln\r\n"
  "gisela.koenig@example.de;Gisela;König;Görlitz\r\n"
  "anna.mueller@EXAMPLE.de;;;Münster\r\n";

/* Every descendant of @root of type @type, in tree order. */
static GPtrArray *
find_all (GtkWidget *root,
          GType      type)
{
  GPtrArray *found = g_ptr_array_new ();
  GQueue queue = G_QUEUE_INIT;

  g_queue_push_tail (&queue, root);
  while (!g_queue_is_empty (&queue))
    {
      GtkWidget *w = g_queue_pop_head (&queue);

      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type))
        g_ptr_array_add (found, w);
      for (GtkWidget *c = gtk_widget_get_first_child (w); c != NULL; c = gtk_widget_get_next_sibling (c))
        g_queue_push_tail (&queue, c);
    }

  return found;
}

static guint
n_role_rows (GtkWidget *dialog)
{
  g_autoptr(GPtrArray) rows = find_all (ms_test_get_widget (dialog, "columns-group"), ADW_TYPE_COMBO_ROW);

  return rows->len;
}

static AdwComboRow *
role_row (GtkWidget  *dialog,
          const char *title)
{
  g_autoptr(GPtrArray) rows = find_all (ms_test_get_widget (dialog, "columns-group"), ADW_TYPE_COMBO_ROW);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);

  g_error ("No column row “%s”", title);
  return NULL;
}

static gboolean
import_enabled (GtkWidget *dialog)
{
  return gtk_widget_is_sensitive (ms_test_get_widget (dialog, "import-button"));
}

static void
assert_rejections (GtkWidget    *dialog,
                   const guint  *lines,
                   guint         n_lines)
{
  GtkColumnView *view = GTK_COLUMN_VIEW (ms_test_get_widget (dialog, "rejections-view"));
  GListModel *model = G_LIST_MODEL (gtk_column_view_get_model (view));

  g_assert_true (gtk_widget_is_visible (GTK_WIDGET (view)));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, n_lines);
  for (guint i = 0; i < n_lines; i++)
    {
      g_autoptr(GObject) item = g_list_model_get_item (model, i);
      g_autofree char *reason = NULL;
      guint line = 0;

      g_object_get (item, "line", &line, "reason", &reason, NULL);
      g_assert_cmpuint (line, ==, lines[i]);
      g_assert_nonnull (reason);
      g_assert_cmpstr (reason, !=, "");
    }
}

static void
test_dialog_errors (void)
{
  g_autofree char *db_path = new_database ("errors.db");
  g_autoptr(GFile) empty = write_file ("empty.csv", "", NULL);
  g_autoptr(GFile) binary = NULL;
  g_autoptr(GFile) good = write_file ("kunden.csv", german_csv, "WINDOWS-1252");
  static const char garbage[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
  g_autofree char *binary_path = g_build_filename (tmp_dir, "picture.csv", NULL);
  g_autoptr(GError) error = NULL;
  MsImportDialog *dialog;
  GtkWidget *w;

  g_file_set_contents (binary_path, garbage, sizeof garbage - 1, &error);
  g_assert_no_error (error);
  binary = g_file_new_for_path (binary_path);

  dialog = ms_import_dialog_new (NULL, db_path, 0);
  w = GTK_WIDGET (dialog);
  gtk_window_present (GTK_WINDOW (dialog));

  /* Without a file it asks for one */
  g_assert_cmpstr (dialog_page (w), ==, "choose");
  g_assert_false (gtk_widget_is_visible (ms_test_get_widget (w, "import-button")));

  ms_import_dialog_set_file (dialog, empty);
  wait_for_page (w, "error");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (ms_test_get_widget (w, "error-page"))), ==,
                   "The File Is Empty");
  /* Nothing to go back to yet: only another file helps */
  g_assert_false (gtk_widget_is_visible (ms_test_get_widget (w, "back-button")));

  ms_import_dialog_set_file (dialog, binary);
  wait_for_page (w, "error");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (ms_test_get_widget (w, "error-page"))), ==,
                   "Not a Text File");

  /* A good file: the columns are recognised from the German titles */
  ms_import_dialog_set_file (dialog, good);
  wait_for_page (w, "preview");
  g_assert_cmpuint (n_role_rows (w), ==, 4);
  g_assert_cmpuint (adw_combo_row_get_selected (role_row (w, "E-Mail")), ==, 1 /* Email */);
  g_assert_cmpuint (adw_combo_row_get_selected (role_row (w, "Vorname")), ==, 3 /* First Name */);
  g_assert_cmpuint (adw_combo_row_get_selected (role_row (w, "Nachname")), ==, 4 /* Last Name */);
  g_assert_cmpuint (adw_combo_row_get_selected (role_row (w, "Stadt")), ==, 5 /* Custom */);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (w, "encoding-row"))), ==,
                   "Detected: Windows-1252 (Western)");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (w, "delimiter-row"))), ==,
                   "Detected: Semicolon");
  g_assert_true (import_enabled (w));
  g_assert_false (gtk_widget_is_visible (ms_test_get_widget (w, "mapping-error")));

  /* Exactly one email column */
  adw_combo_row_set_selected (role_row (w, "E-Mail"), 0 /* Ignore */);
  g_assert_false (import_enabled (w));
  g_assert_true (gtk_widget_is_visible (ms_test_get_widget (w, "mapping-error")));
  g_assert_cmpstr (label_text (w, "mapping-error"), ==, "Choose the column that holds the email addresses.");
  adw_combo_row_set_selected (role_row (w, "E-Mail"), 1);
  adw_combo_row_set_selected (role_row (w, "Stadt"), 1);
  g_assert_false (import_enabled (w));
  g_assert_true (g_str_has_prefix (label_text (w, "mapping-error"), "Only one column"));
  adw_combo_row_set_selected (role_row (w, "Stadt"), 5);
  g_assert_true (import_enabled (w));

  /* A new list needs a name */
  {
    AdwComboRow *list_row = ADW_COMBO_ROW (ms_test_get_widget (w, "list-row"));
    GListModel *lists = adw_combo_row_get_model (list_row);

    g_assert_cmpuint (g_list_model_get_n_items (lists), ==, 2);  /* No List, New List… */
    adw_combo_row_set_selected (list_row, 1);
    g_assert_true (gtk_widget_is_visible (ms_test_get_widget (w, "new-list-row")));
    g_assert_false (import_enabled (w));
    gtk_editable_set_text (GTK_EDITABLE (ms_test_get_widget (w, "new-list-row")), "   ");
    g_assert_false (import_enabled (w));
    gtk_editable_set_text (GTK_EDITABLE (ms_test_get_widget (w, "new-list-row")), "Newsletter");
    g_assert_true (import_enabled (w));
    adw_combo_row_set_selected (list_row, 0);
    g_assert_false (gtk_widget_is_visible (ms_test_get_widget (w, "new-list-row")));
  }

  /* Another delimiter reloads the preview: one column, no address column */
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "delimiter-row")), 1 /* Comma */);
  wait_for_page (w, "preview");
  g_assert_cmpuint (n_role_rows (w), ==, 1);
  g_assert_false (import_enabled (w));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "delimiter-row")), 0 /* Automatic */);
  wait_for_page (w, "preview");
  g_assert_cmpuint (n_role_rows (w), ==, 4);
  g_assert_true (import_enabled (w));

  /* An encoding that cannot read the file: an error with a way back */
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "encoding-row")), 2 /* UTF-16 */);
  wait_for_page (w, "error");
  g_assert_cmpstr (adw_status_page_get_title (ADW_STATUS_PAGE (ms_test_get_widget (w, "error-page"))), ==,
                   "Wrong Encoding");
  ms_test_click (w, "back-button");
  wait_for_page (w, "preview");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "encoding-row"))), ==, 0);
  g_assert_cmpuint (n_role_rows (w), ==, 4);
  g_assert_true (import_enabled (w));

  close_dialog (w);
}

static void
test_dialog_reimport (void)
{
  g_autofree char *db_path = new_database ("reimport.db");
  g_autoptr(GFile) file = write_file ("kunden.csv", german_csv, "WINDOWS-1252");
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(MsContact) anna = NULL;
  g_autoptr(MsContact) bernd = NULL;
  g_autoptr(MsContact) eva = NULL;
  g_autoptr(GError) error = NULL;
  static const guint bad_lines[] = { 5, 7 };
  AdwComboRow *list_row;
  GListModel *lists;
  MsImportDialog *dialog;
  guint n_imported = 0;
  GtkWidget *w;

  /* First import, into a new list, updating duplicates */
  dialog = ms_import_dialog_new (NULL, db_path, 0);
  w = GTK_WIDGET (dialog);
  g_signal_connect (dialog, "imported", G_CALLBACK (on_imported_cb), &n_imported);
  gtk_window_present (GTK_WINDOW (dialog));
  ms_import_dialog_set_file (dialog, file);
  wait_for_page (w, "preview");

  list_row = ADW_COMBO_ROW (ms_test_get_widget (w, "list-row"));
  lists = adw_combo_row_get_model (list_row);
  adw_combo_row_set_selected (list_row, g_list_model_get_n_items (lists) - 1);
  gtk_editable_set_text (GTK_EDITABLE (ms_test_get_widget (w, "new-list-row")), " Kunden ");
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "duplicate-row"))), ==, 0);

  ms_test_click (w, "import-button");
  wait_for_page (w, "report");
  g_assert_cmpstr (label_text (w, "imported-count"), ==, "5");
  g_assert_cmpstr (label_text (w, "updated-count"), ==, "1");
  g_assert_cmpstr (label_text (w, "skipped-count"), ==, "0");
  g_assert_cmpstr (label_text (w, "rejected-count"), ==, "2");
  assert_rejections (w, bad_lines, G_N_ELEMENTS (bad_lines));
  g_assert_cmpuint (n_imported, ==, 1);
  g_assert_true (gtk_widget_is_visible (ms_test_get_widget (w, "done-button")));
  g_assert_false (gtk_widget_is_visible (ms_test_get_widget (w, "cancel-button")));
  {
    gpointer weak = w;

    g_object_add_weak_pointer (G_OBJECT (w), &weak);
    ms_test_click (w, "done-button");
    ms_test_wait_until (ms_test_is_destroyed, &weak, "Done to close the dialog");
  }

  /* What the database holds now */
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  list = ms_store_find_list (store, "Kunden", &error);
  g_assert_no_error (error);
  g_assert_nonnull (list);
  g_assert_cmpint (ms_contact_list_get_member_count (list), ==, 5);
  bernd = ms_store_find_contact (store, "BERND.Schaefer@example.de", &error);
  g_assert_no_error (error);
  g_assert_nonnull (bernd);
  g_assert_cmpstr (ms_contact_get_first_name (bernd), ==, "Bernd");
  g_assert_cmpstr (ms_contact_get_last_name (bernd), ==, "Schäfer");
  g_assert_cmpstr (ms_contact_get_field (bernd, "Stadt"), ==, "Düsseldorf");
  anna = ms_store_find_contact (store, "anna.mueller@example.de", &error);
  g_assert_no_error (error);
  g_assert_nonnull (anna);
  g_assert_cmpstr (ms_contact_get_last_name (anna), ==, "Müller");
  g_assert_cmpstr (ms_contact_get_field (anna, "Stadt"), ==, "Münster");
  eva = ms_store_find_contact (store, "eva.oeztuerk@example.de", &error);
  g_assert_no_error (error);
  g_assert_nonnull (eva);
  g_assert_cmpstr (ms_contact_get_field (eva, "Stadt"), ==, "Bremen; Hansestadt");

  /* Again into the preselected list, skipping known addresses */
  dialog = ms_import_dialog_new (NULL, db_path, ms_contact_list_get_id (list));
  w = GTK_WIDGET (dialog);
  g_signal_connect (dialog, "imported", G_CALLBACK (on_imported_cb), &n_imported);
  gtk_window_present (GTK_WINDOW (dialog));
  ms_import_dialog_set_file (dialog, file);
  wait_for_page (w, "preview");
  list_row = ADW_COMBO_ROW (ms_test_get_widget (w, "list-row"));
  g_assert_cmpuint (adw_combo_row_get_selected (list_row), ==, 1);
  g_assert_cmpstr (gtk_string_object_get_string (adw_combo_row_get_selected_item (list_row)), ==, "Kunden");
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (w, "duplicate-row")), 1 /* Skip */);

  ms_test_click (w, "import-button");
  wait_for_page (w, "report");
  g_assert_cmpstr (label_text (w, "imported-count"), ==, "0");
  g_assert_cmpstr (label_text (w, "updated-count"), ==, "0");
  g_assert_cmpstr (label_text (w, "skipped-count"), ==, "6");
  g_assert_cmpstr (label_text (w, "rejected-count"), ==, "2");
  assert_rejections (w, bad_lines, G_N_ELEMENTS (bad_lines));
  g_assert_cmpuint (n_imported, ==, 2);

  /* Escape closes the report */
  {
    gpointer weak = w;

    g_object_add_weak_pointer (G_OBJECT (w), &weak);
    g_assert_true (gtk_widget_activate_action (w, "import.cancel", NULL));
    ms_test_wait_until (ms_test_is_destroyed, &weak, "Escape to close the dialog");
  }

  g_clear_object (&anna);
  anna = ms_store_find_contact (store, "anna.mueller@example.de", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_contact_get_field (anna, "Stadt"), ==, "Münster");
}

static gboolean
has_progress (gpointer data)
{
  GtkWidget *dialog = data;
  const char *page = dialog_page (dialog);

  /* Half the file: two batches or more are committed, three are ahead */
  return g_strcmp0 (page, "progress") != 0 ||
         gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (ms_test_get_widget (dialog, "progress-bar"))) >= 0.5;
}

#define N_BIG_ROWS (6 * MS_IMPORT_BATCH_ROWS)

static void
test_dialog_cancel (void)
{
  g_autofree char *db_path = new_database ("cancel.db");
  g_autofree char *path = g_build_filename (tmp_dir, "big.csv", NULL);
  g_autoptr(GString) csv = g_string_new ("email,name\n");
  g_autoptr(GFile) file = NULL;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = NULL;
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  const char *description;
  MsImportDialog *dialog;
  guint n_imported = 0;
  gint64 count;
  GtkWidget *w;

  for (guint i = 0; i < N_BIG_ROWS; i++)
    g_string_append_printf (csv, "person%u@example.org,Person %u\n", i, i);
  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  file = g_file_new_for_path (path);

  dialog = ms_import_dialog_new (NULL, db_path, 0);
  w = GTK_WIDGET (dialog);
  g_signal_connect (dialog, "imported", G_CALLBACK (on_imported_cb), &n_imported);
  gtk_window_present (GTK_WINDOW (dialog));
  ms_import_dialog_set_file (dialog, file);
  wait_for_page (w, "preview");

  ms_test_click (w, "import-button");
  g_assert_cmpstr (dialog_page (w), ==, "progress");
  ms_test_wait_until (has_progress, w, "half of the import");
  g_assert_cmpstr (dialog_page (w), ==, "progress");

  /* Closing the window while it imports stops the import but keeps the window */
  gtk_window_close (GTK_WINDOW (dialog));
  wait_for_page (w, "report");
  g_assert_cmpstr (label_text (w, "report-title"), ==, "Import Cancelled");

  /* It says how many contacts were kept, and that is what the database has */
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  count = ms_store_count_contacts (store, &query, &error);
  g_assert_no_error (error);
  g_assert_cmpint (count, >, 0);
  g_assert_cmpint (count, <, N_BIG_ROWS);
  g_assert_cmpint (count % MS_IMPORT_BATCH_ROWS, ==, 0);  /* whole batches only */
  description = label_text (w, "report-description");
  expected = g_strdup_printf (" %'" G_GINT64_FORMAT " new contact", count);
  g_assert_nonnull (strstr (description, expected));
  g_assert_cmpuint (n_imported, ==, 1);

  close_dialog (w);
}

/* The whole application */

typedef struct
{
  MsApplication *app;
  MsWindow      *window;
  char          *db_path;
  gboolean       ran;
} AppTest;

static gboolean
is_window_ready (gpointer data)
{
  MsWindow *window = data;
  const char *page = ms_contacts_view_get_page_name (ms_window_get_contacts_view (window));

  return !ms_window_get_loading (window) && g_strcmp0 (page, "loading") != 0;
}

static MsImportDialog *
find_import_dialog (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (MS_IS_IMPORT_DIALOG (l->data))
      return l->data;

  return NULL;
}

static gboolean
has_label (GtkWidget  *root,
           const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (root, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (g_ptr_array_index (labels, i)), text) == 0)
      return TRUE;

  return FALSE;
}

/* A label or a table cell showing @text */
static gboolean
has_text (GtkWidget  *root,
          const char *text)
{
  g_autoptr(GPtrArray) cells = find_all (root, GTK_TYPE_INSCRIPTION);

  for (guint i = 0; i < cells->len; i++)
    if (gtk_widget_get_mapped (g_ptr_array_index (cells, i)) &&
        g_strcmp0 (gtk_inscription_get_text (g_ptr_array_index (cells, i)), text) == 0)
      return TRUE;

  return has_label (root, text);
}

/* Clicks the Import button the empty start page shows. */
static void
click_visible_import_button (GtkWidget *window)
{
  g_autoptr(GPtrArray) buttons = find_all (window, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), "win.import") == 0 &&
          gtk_widget_get_mapped (button) && gtk_widget_is_sensitive (button))
        {
          g_signal_emit_by_name (button, "clicked");
          return;
        }
    }

  g_error ("No Import button on screen");
}

static gboolean
is_contacts_table_loaded (gpointer data)
{
  MsContactsView *view = data;
  GListModel *model = G_LIST_MODEL (ms_contacts_view_get_model (view));
  guint n;

  if (g_strcmp0 (ms_contacts_view_get_page_name (view), "table") != 0 || ms_contacts_view_get_loading (view))
    return FALSE;

  n = g_list_model_get_n_items (model);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsContact) contact = g_list_model_get_item (model, i);

      /* a placeholder until its page is read */
      if (ms_contact_get_id (contact) == 0)
        return FALSE;
    }

  return n > 0;
}

static int
compare_contacts_by_email (gconstpointer a,
                           gconstpointer b)
{
  MsContact *ca = *(MsContact **) a;
  MsContact *cb = *(MsContact **) b;

  return g_ascii_strcasecmp (ms_contact_get_email (ca), ms_contact_get_email (cb));
}

static void
run_app_scenario (AppTest *test)
{
  g_autoptr(GFile) file = write_file ("Kunden Export.csv", german_csv, "WINDOWS-1252");
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);
  static const guint bad_lines[] = { 5, 7 };
  static const struct
  {
    const char *email;
    const char *first;
    const char *last;
    const char *city;
  } expected[] = {
    { "anna.mueller@example.de", "Anna", "Müller", "Münster" },
    { "BERND.Schaefer@example.de", "Bernd", "Schäfer", "Düsseldorf" },
    { "claudia.weiss@bäckerei.example", "Claudia", "Weiß", "Nürnberg" },
    { "eva.oeztuerk@example.de", "Eva", "Öztürk", "Bremen; Hansestadt" },
    { "gisela.koenig@example.de", "Gisela", "König", "Görlitz" },
  };
  MsContactsView *view;
  MsImportDialog *dialog;
  GtkWidget *window;
  GtkWidget *d;
  AdwComboRow *list_row;
  GListModel *model;
  GListModel *lists;
  gboolean found_list = FALSE;

  test->window = MS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (test->app)));
  g_assert_true (MS_IS_WINDOW (test->window));
  window = GTK_WIDGET (test->window);
  view = ms_window_get_contacts_view (test->window);
  g_assert_cmpstr (ms_window_get_db_path (test->window), ==, test->db_path);

  /* An empty database greets with a start page, not an empty table */
  ms_test_wait_until (is_window_ready, test->window, "the window to open the database");
  g_assert_cmpstr (ms_contacts_view_get_page_name (view), ==, "empty-database");
  g_assert_true (has_label (window, "No Contacts Yet"));
  ms_test_save_screenshot (window, "screenshot-empty.png");

  /* Its Import button opens the import dialog over the window */
  click_visible_import_button (window);
  dialog = find_import_dialog ();
  g_assert_nonnull (dialog);
  d = GTK_WIDGET (dialog);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (dialog)) == GTK_WINDOW (window));
  g_assert_true (gtk_window_get_modal (GTK_WINDOW (dialog)));
  g_assert_cmpstr (dialog_page (d), ==, "choose");

  /* The file chooser is the desktop's; hand the file over as it would */
  ms_import_dialog_set_file (dialog, file);
  wait_for_page (d, "preview");
  g_assert_true (has_label (d, "Müller"));
  g_assert_true (has_label (d, "Bremen; Hansestadt"));
  g_assert_true (has_label (d, "E-Mail"));
  ms_test_save_screenshot (d, "screenshot-import-preview.png");

  /* Into a new list */
  list_row = ADW_COMBO_ROW (ms_test_get_widget (d, "list-row"));
  adw_combo_row_set_selected (list_row, g_list_model_get_n_items (adw_combo_row_get_model (list_row)) - 1);
  gtk_editable_set_text (GTK_EDITABLE (ms_test_get_widget (d, "new-list-row")), "Kunden");

  ms_test_click (d, "import-button");
  wait_for_page (d, "report");
  g_assert_cmpstr (label_text (d, "imported-count"), ==, "5");
  g_assert_cmpstr (label_text (d, "updated-count"), ==, "1");
  g_assert_cmpstr (label_text (d, "skipped-count"), ==, "0");
  g_assert_cmpstr (label_text (d, "rejected-count"), ==, "2");
  g_assert_cmpstr (label_text (d, "report-title"), ==, "Import Complete with Problems");
  g_assert_cmpstr (label_text (d, "report-description"), ==, "2 rows could not be imported; everything else was.");
  assert_rejections (d, bad_lines, G_N_ELEMENTS (bad_lines));
  ms_test_save_screenshot (d, "screenshot-import-report.png");

  {
    gpointer weak = d;

    g_object_add_weak_pointer (G_OBJECT (d), &weak);
    ms_test_click (d, "done-button");
    ms_test_wait_until (ms_test_is_destroyed, &weak, "Done to close the dialog");
  }

  /* The window shows the contacts now, read back from the database */
  ms_test_wait_until (is_contacts_table_loaded, view, "the Contacts view to show the imported rows");
  model = G_LIST_MODEL (ms_contacts_view_get_model (view));
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (ms_contacts_view_get_selection (view))), ==,
                    G_N_ELEMENTS (expected));
  g_assert_cmpstr (ms_contacts_view_get_count_text (view), ==, "5 contacts");

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (contacts, g_list_model_get_item (model, i));
  g_ptr_array_sort (contacts, compare_contacts_by_email);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      MsContact *contact = g_ptr_array_index (contacts, i);

      g_assert_cmpstr (ms_contact_get_email (contact), ==, expected[i].email);
      g_assert_cmpstr (ms_contact_get_first_name (contact), ==, expected[i].first);
      g_assert_cmpstr (ms_contact_get_last_name (contact), ==, expected[i].last);
      g_assert_cmpstr (ms_contact_get_field (contact, "Stadt"), ==, expected[i].city);
      g_assert_cmpint (ms_contact_get_status (contact), ==, MS_CONTACT_STATUS_ACTIVE);
    }

  /* The new list is in the sidebar with its members */
  lists = ms_window_get_lists (test->window);
  for (guint i = 0; i < g_list_model_get_n_items (lists); i++)
    {
      g_autoptr(MsContactList) list = g_list_model_get_item (lists, i);

      if (g_strcmp0 (ms_contact_list_get_name (list), "Kunden") == 0)
        {
          g_assert_cmpint (ms_contact_list_get_member_count (list), ==, 5);
          found_list = TRUE;
        }
    }
  g_assert_true (found_list);

  /* and the table on screen shows them */
  ms_test_save_screenshot (window, "screenshot-contacts.png");
  g_assert_true (has_text (window, "eva.oeztuerk@example.de"));
  g_assert_true (has_text (window, "claudia.weiss@bäckerei.example"));

  test->ran = TRUE;
}

static void
on_activate_cb (GApplication *app,
                AppTest      *test)
{
  run_app_scenario (test);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
}

static void
test_app_import (void)
{
  AppTest test = { 0 };
  g_autofree char *db_arg = NULL;
  int status;

  test.db_path = g_build_filename (tmp_dir, "app.db", NULL);
  db_arg = g_strdup_printf ("--db=%s", test.db_path);

  {
    char *argv[] = { (char *) "mailshot", db_arg, NULL };

    test.app = ms_application_new ();
    g_signal_connect_after (test.app, "activate", G_CALLBACK (on_activate_cb), &test);
    status = g_application_run (G_APPLICATION (test.app), G_N_ELEMENTS (argv) - 1, argv);
  }

  g_assert_cmpint (status, ==, 0);
  g_assert_true (test.ran);
  g_assert_cmpuint (g_list_length (gtk_application_get_windows (GTK_APPLICATION (test.app))), ==, 0);
  g_assert_finalize_object (test.app);
  g_free (test.db_path);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ms_test_ui_init (&argc, &argv, WAIT_TIMEOUT_S);

  tmp_dir = ms_test_make_tmp_dir ("mailshot-test-ui-XXXXXX");

  /* The application's class registers the resources the dialog needs */
  g_type_class_unref (g_type_class_ref (MS_TYPE_APPLICATION));

  g_test_add_func ("/ui/app/import", test_app_import);
  g_test_add_func ("/ui/import-dialog/errors", test_dialog_errors);
  g_test_add_func ("/ui/import-dialog/reimport", test_dialog_reimport);
  g_test_add_func ("/ui/import-dialog/cancel", test_dialog_cancel);

  ret = g_test_run ();

  ms_test_remove_tmp_dir (tmp_dir);
  g_free (tmp_dir);

  return ret;
}

/* ms-import-dialog.c
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

#define G_LOG_DOMAIN "ms-import-dialog"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ms-import-dialog.h"
#include "ms-importer.h"
#include "ms-store.h"

#define PREVIEW_ROWS      10
#define PREVIEW_CELL_CHARS 28

typedef enum
{
  PAGE_CHOOSE,
  PAGE_LOADING,
  PAGE_PREVIEW,
  PAGE_PROGRESS,
  PAGE_REPORT,
  PAGE_ERROR,
} Page;

static const char * const page_names[] = {
  "choose", "loading", "preview", "progress", "report", "error",
};

/* In the order of the encoding and delimiter rows' models. */
static const char * const encodings[] = {
  NULL, "UTF-8", "UTF-16", "WINDOWS-1251", "WINDOWS-1252", "ISO-8859-15",
};
static const gunichar delimiters[] = { 0, ',', ';', '\t' };

/* One rejected row in the report. */
#define MS_TYPE_IMPORT_REJECTION_ITEM (ms_import_rejection_item_get_type ())
G_DECLARE_FINAL_TYPE (MsImportRejectionItem, ms_import_rejection_item, MS, IMPORT_REJECTION_ITEM, GObject)

struct _MsImportRejectionItem
{
  GObject  parent_instance;
  guint    line;
  char    *reason;
};

G_DEFINE_FINAL_TYPE (MsImportRejectionItem, ms_import_rejection_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_LINE,
  ITEM_PROP_REASON,
  N_ITEM_PROPS
};

static GParamSpec *item_properties[N_ITEM_PROPS];

struct _MsImportDialog
{
  AdwWindow            parent_instance;

  /* template */
  AdwWindowTitle      *window_title;
  GtkButton           *cancel_button;
  GtkButton           *import_button;
  GtkButton           *done_button;
  GtkStack            *stack;
  GtkSpinner          *loading_spinner;
  AdwComboRow         *encoding_row;
  AdwComboRow         *delimiter_row;
  AdwPreferencesGroup *preview_group;
  GtkGrid             *preview_grid;
  AdwPreferencesGroup *columns_group;
  GtkLabel            *mapping_error_label;
  AdwComboRow         *list_row;
  GtkStringList       *list_model;
  AdwEntryRow         *new_list_row;
  AdwComboRow         *duplicate_row;
  AdwStatusPage       *progress_page;
  GtkProgressBar      *progress_bar;
  GtkLabel            *progress_label;
  GtkImage            *report_icon;
  GtkLabel            *report_title;
  GtkLabel            *report_description;
  AdwPreferencesGroup *counts_group;
  GtkLabel            *imported_label;
  GtkLabel            *updated_label;
  GtkLabel            *skipped_label;
  GtkLabel            *rejected_label;
  AdwPreferencesGroup *rejections_group;
  GtkColumnView       *rejections_view;
  GtkColumnViewColumn *line_column;
  GtkColumnViewColumn *reason_column;
  AdwStatusPage       *error_page;
  GtkButton           *error_back_button;

  /* state */
  char                *db_path;
  gint64               initial_list_id;
  GFile               *file;
  GtkFileChooserNative *chooser;
  Page                 page;

  MsCsvPreview        *preview;            /* the last preview that loaded */
  guint                preview_encoding;   /* combo positions it was loaded with */
  guint                preview_delimiter;
  GCancellable        *preview_cancellable;
  guint                preview_serial;
  gboolean             syncing_options;

  GPtrArray           *role_rows;          /* AdwComboRow per column */
  GPtrArray           *preview_role_labels; /* GtkLabel under each header cell */
  GtkStringList       *roles_model;
  GPtrArray           *lists;              /* MsContactList, after "No List" */

  GCancellable        *import_cancellable;
  gint64               contacts_before;
  guint64              rows_seen;
  GListStore          *rejections;

  gboolean             disposed;
};

G_DEFINE_FINAL_TYPE (MsImportDialog, ms_import_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_DB_PATH,
  PROP_LIST_ID,
  N_PROPS
};

enum {
  IMPORTED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  GFile    *file;
  char     *encoding;
  gunichar  delimiter;
  guint     serial;
} PreviewJob;

static void load_preview (MsImportDialog *self);

/* MsImportRejectionItem */

static void
ms_import_rejection_item_finalize (GObject *object)
{
  MsImportRejectionItem *self = MS_IMPORT_REJECTION_ITEM (object);

  g_free (self->reason);

  G_OBJECT_CLASS (ms_import_rejection_item_parent_class)->finalize (object);
}

static void
ms_import_rejection_item_get_property (GObject    *object,
                                       guint       prop_id,
                                       GValue     *value,
                                       GParamSpec *pspec)
{
  MsImportRejectionItem *self = MS_IMPORT_REJECTION_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_LINE:
      g_value_set_uint (value, self->line);
      break;
    case ITEM_PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_import_rejection_item_class_init (MsImportRejectionItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_import_rejection_item_finalize;
  object_class->get_property = ms_import_rejection_item_get_property;

  item_properties[ITEM_PROP_LINE] =
    g_param_spec_uint ("line", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties[ITEM_PROP_REASON] =
    g_param_spec_string ("reason", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_ITEM_PROPS, item_properties);
}

static void
ms_import_rejection_item_init (MsImportRejectionItem *self)
{
}

static MsImportRejectionItem *
ms_import_rejection_item_new (guint       line,
                              const char *reason)
{
  MsImportRejectionItem *self = g_object_new (MS_TYPE_IMPORT_REJECTION_ITEM, NULL);

  self->line = line;
  self->reason = g_strdup (reason);

  return self;
}

/* Helpers */

static void
preview_job_free (gpointer data)
{
  PreviewJob *job = data;

  g_clear_object (&job->file);
  g_free (job->encoding);
  g_free (job);
}

static char *
format_count (guint64 n)
{
  /* %' gives the locale's thousands separator */
  return g_strdup_printf ("%'" PRIu64, n);
}

static const char *
encoding_display_name (const char *encoding)
{
  if (encoding == NULL)
    return "";
  if (g_ascii_strcasecmp (encoding, "UTF-8") == 0)
    return "UTF-8";
  if (g_ascii_strncasecmp (encoding, "UTF-16", 6) == 0)
    return "UTF-16";
  if (g_ascii_strcasecmp (encoding, "WINDOWS-1251") == 0 || g_ascii_strcasecmp (encoding, "CP1251") == 0)
    return _("Windows-1251 (Cyrillic)");
  if (g_ascii_strcasecmp (encoding, "WINDOWS-1252") == 0 || g_ascii_strcasecmp (encoding, "CP1252") == 0)
    return _("Windows-1252 (Western)");
  if (g_ascii_strcasecmp (encoding, "ISO-8859-15") == 0)
    return _("ISO-8859-15 (Western)");

  return encoding;
}

static const char *
delimiter_display_name (gunichar delimiter)
{
  switch (delimiter)
    {
    case ',':
      return _("Comma");
    case ';':
      return _("Semicolon");
    case '\t':
      return _("Tab");
    case '|':
      return _("Vertical bar");
    default:
      return _("Unknown");
    }
}

static void
set_page (MsImportDialog *self,
          Page            page)
{
  self->page = page;

  gtk_stack_set_visible_child_name (self->stack, page_names[page]);
  gtk_spinner_set_spinning (self->loading_spinner, page == PAGE_LOADING);

  gtk_widget_set_visible (GTK_WIDGET (self->cancel_button), page != PAGE_REPORT);
  gtk_widget_set_visible (GTK_WIDGET (self->import_button), page == PAGE_PREVIEW);
  gtk_widget_set_visible (GTK_WIDGET (self->done_button), page == PAGE_REPORT);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.choose-file",
                                 page != PAGE_PROGRESS && page != PAGE_LOADING);

  if (page == PAGE_PREVIEW)
    gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->import_button));
  else if (page == PAGE_REPORT)
    gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->done_button));
  else
    gtk_window_set_default_widget (GTK_WINDOW (self), NULL);
}

static void
show_error (MsImportDialog *self,
            const GError   *error)
{
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);
  const char *title = _("Import Failed");
  gboolean can_go_back = self->preview != NULL;

  if (error->domain == MS_IMPORT_ERROR)
    {
      switch ((MsImportError) error->code)
        {
        case MS_IMPORT_ERROR_EMPTY:
          title = _("The File Is Empty");
          break;
        case MS_IMPORT_ERROR_BINARY:
          title = _("Not a Text File");
          break;
        case MS_IMPORT_ERROR_ENCODING:
          title = _("Wrong Encoding");
          break;
        case MS_IMPORT_ERROR_NO_EMAIL_COLUMN:
          title = _("No Email Column");
          break;
        case MS_IMPORT_ERROR_BAD_OPTION:
        case MS_IMPORT_ERROR_FAILED:
        default:
          break;
        }
    }
  else if (error->domain == G_IO_ERROR)
    title = _("Cannot Read the File");
  else if (error->domain == MS_STORE_ERROR)
    title = _("Cannot Save the Contacts");

  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, escaped);
  gtk_widget_set_visible (GTK_WIDGET (self->error_back_button), can_go_back);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.back", can_go_back);

  set_page (self, PAGE_ERROR);
}

static MsStore *
open_store (MsImportDialog  *self,
            GError         **error)
{
  return ms_store_open (self->db_path, error);
}

static void
load_lists (MsImportDialog *self)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = NULL;
  guint selected = 0;

  store = open_store (self, &error);
  if (store != NULL)
    lists = ms_store_list_lists (store, &error);
  if (lists == NULL)
    {
      g_warning ("Cannot read the contact lists: %s", error->message);
      lists = g_ptr_array_new_with_free_func (g_object_unref);
    }

  g_clear_pointer (&self->lists, g_ptr_array_unref);
  self->lists = g_steal_pointer (&lists);

  gtk_string_list_splice (self->list_model, 0,
                          g_list_model_get_n_items (G_LIST_MODEL (self->list_model)), NULL);
  gtk_string_list_append (self->list_model, _("No List"));
  for (guint i = 0; i < self->lists->len; i++)
    {
      MsContactList *list = g_ptr_array_index (self->lists, i);

      gtk_string_list_append (self->list_model, ms_contact_list_get_name (list));
      if (ms_contact_list_get_id (list) == self->initial_list_id)
        selected = i + 1;
    }
  gtk_string_list_append (self->list_model, _("New List…"));

  adw_combo_row_set_selected (self->list_row, selected);
}

static gboolean
is_new_list_selected (MsImportDialog *self)
{
  return adw_combo_row_get_selected (self->list_row) == self->lists->len + 1;
}

static const char *
mapping_problem (MsImportDialog *self)
{
  guint n_email = 0;

  if (self->preview == NULL)
    return _("The file has not been read yet.");

  for (guint i = 0; i < self->role_rows->len; i++)
    if (adw_combo_row_get_selected (g_ptr_array_index (self->role_rows, i)) == MS_FIELD_ROLE_EMAIL)
      n_email++;

  if (n_email == 0)
    return _("Choose the column that holds the email addresses.");
  if (n_email > 1)
    return _("Only one column can hold the email addresses: set the others to another role.");

  if (is_new_list_selected (self))
    {
      g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_list_row))));

      if (name[0] == '\0')
        return _("Enter a name for the new list.");
    }

  return NULL;
}

static void
update_import_action (MsImportDialog *self)
{
  const char *problem = mapping_problem (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.start", problem == NULL);
  gtk_label_set_text (self->mapping_error_label, problem ? problem : "");
  gtk_widget_set_visible (GTK_WIDGET (self->mapping_error_label),
                          problem != NULL && self->preview != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->import_button), problem);
}

static void
update_role_labels (MsImportDialog *self)
{
  for (guint i = 0; i < self->preview_role_labels->len; i++)
    {
      GtkLabel *label = g_ptr_array_index (self->preview_role_labels, i);
      guint role = adw_combo_row_get_selected (g_ptr_array_index (self->role_rows, i));
      const char *text = gtk_string_list_get_string (self->roles_model, role);

      gtk_label_set_text (label, text);
      if (role == MS_FIELD_ROLE_IGNORE)
        gtk_widget_add_css_class (GTK_WIDGET (label), "dim-label");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "dim-label");
      if (role == MS_FIELD_ROLE_EMAIL)
        gtk_widget_add_css_class (GTK_WIDGET (label), "accent");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (label), "accent");
    }
}

static void
on_role_row_selected_cb (MsImportDialog *self)
{
  update_role_labels (self);
  update_import_action (self);
}

static char *
column_title (const MsCsvPreview *preview,
              guint               column)
{
  const char *title = NULL;

  if (preview->header != NULL && column < g_strv_length (preview->header))
    title = preview->header[column];
  if (title == NULL || title[0] == '\0')
    return g_strdup_printf (_("Column %u"), column + 1);

  return g_strdup (title);
}

static char *
column_samples (const MsCsvPreview *preview,
                guint               column)
{
  GString *samples = g_string_new (NULL);
  guint n = 0;

  for (guint i = 0; i < preview->rows->len && n < 3; i++)
    {
      GStrv row = g_ptr_array_index (preview->rows, i);

      if (column >= g_strv_length (row) || row[column][0] == '\0')
        continue;
      if (n++ > 0)
        g_string_append (samples, ", ");
      g_string_append (samples, row[column]);
    }

  if (samples->len > 80)
    {
      const char *cut = g_utf8_offset_to_pointer (samples->str, MIN (g_utf8_strlen (samples->str, -1), 78));

      g_string_truncate (samples, cut - samples->str);
      g_string_append (samples, "…");
    }

  if (n == 0)
    g_string_assign (samples, _("Empty in the first rows"));

  return g_string_free (samples, FALSE);
}

static void
clear_columns (MsImportDialog *self)
{
  GtkWidget *child;

  for (guint i = 0; i < self->role_rows->len; i++)
    adw_preferences_group_remove (self->columns_group, g_ptr_array_index (self->role_rows, i));
  g_ptr_array_set_size (self->role_rows, 0);
  g_ptr_array_set_size (self->preview_role_labels, 0);

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->preview_grid))) != NULL)
    gtk_grid_remove (self->preview_grid, child);
}

static GtkWidget *
create_cell (const char *text,
             const char *css_class)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), PREVIEW_CELL_CHARS);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (text != NULL && g_utf8_strlen (text, -1) > PREVIEW_CELL_CHARS)
    gtk_widget_set_tooltip_text (label, text);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);

  return label;
}

static void
fill_preview_grid (MsImportDialog *self)
{
  const MsCsvPreview *preview = self->preview;

  for (guint col = 0; col < preview->n_columns; col++)
    {
      g_autofree char *title = column_title (preview, col);
      GtkWidget *role_label = create_cell (NULL, "caption");

      gtk_grid_attach (self->preview_grid, create_cell (title, "heading"), col, 0, 1, 1);
      gtk_grid_attach (self->preview_grid, role_label, col, 1, 1, 1);
      g_ptr_array_add (self->preview_role_labels, role_label);
    }

  for (guint i = 0; i < preview->rows->len; i++)
    {
      GStrv row = g_ptr_array_index (preview->rows, i);
      guint n_fields = g_strv_length (row);

      for (guint col = 0; col < preview->n_columns; col++)
        gtk_grid_attach (self->preview_grid,
                         create_cell (col < n_fields ? row[col] : "", NULL),
                         col, i + 2, 1, 1);
    }
}

static void
fill_columns (MsImportDialog *self,
              const guint    *keep_roles)
{
  const MsCsvPreview *preview = self->preview;

  for (guint col = 0; col < preview->n_columns; col++)
    {
      g_autofree char *title = column_title (preview, col);
      g_autofree char *samples = column_samples (preview, col);
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());
      guint role = keep_roles ? keep_roles[col] : (guint) preview->roles[col];

      adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), samples);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);
      adw_combo_row_set_model (row, G_LIST_MODEL (self->roles_model));
      adw_combo_row_set_selected (row, role);
      g_signal_connect_object (row, "notify::selected",
                               G_CALLBACK (on_role_row_selected_cb), self, G_CONNECT_SWAPPED);

      adw_preferences_group_add (self->columns_group, GTK_WIDGET (row));
      g_ptr_array_add (self->role_rows, row);
    }
}

static gboolean
same_header (const MsCsvPreview *a,
             const MsCsvPreview *b)
{
  if (a == NULL || b == NULL || a->n_columns != b->n_columns)
    return FALSE;
  if (a->header == NULL || b->header == NULL)
    return a->header == b->header;

  return g_strv_equal ((const char * const *) a->header, (const char * const *) b->header);
}

static void
show_preview (MsImportDialog *self,
              MsCsvPreview   *preview)
{
  g_autofree guint *keep_roles = NULL;
  g_autofree char *encoding_subtitle = NULL;
  g_autofree char *delimiter_subtitle = NULL;
  const char *encoding_name = encoding_display_name (preview->encoding);

  /* The person's choice of roles survives a reload that keeps the columns */
  if (same_header (self->preview, preview) && self->role_rows->len == preview->n_columns)
    {
      keep_roles = g_new (guint, preview->n_columns);
      for (guint i = 0; i < preview->n_columns; i++)
        keep_roles[i] = adw_combo_row_get_selected (g_ptr_array_index (self->role_rows, i));
    }

  clear_columns (self);
  g_clear_pointer (&self->preview, ms_csv_preview_free);
  self->preview = preview;
  self->preview_encoding = adw_combo_row_get_selected (self->encoding_row);
  self->preview_delimiter = adw_combo_row_get_selected (self->delimiter_row);

  if (self->preview_encoding == 0)
    encoding_subtitle = g_strdup_printf (preview->had_bom ? _("Detected: %s, with a byte order mark")
                                                          : _("Detected: %s"),
                                         encoding_name);
  else if (preview->had_bom)
    encoding_subtitle = g_strdup (_("The file starts with a byte order mark"));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->encoding_row),
                               encoding_subtitle ? encoding_subtitle : "");

  if (self->preview_delimiter == 0)
    delimiter_subtitle = g_strdup_printf (_("Detected: %s"), delimiter_display_name (preview->delimiter));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->delimiter_row),
                               delimiter_subtitle ? delimiter_subtitle : "");

  if (preview->rows->len == 0)
    adw_preferences_group_set_description (self->preview_group, _("The file has a header row but no data rows."));
  else
    {
      g_autofree char *description = g_strdup_printf (ngettext ("The first row of the file, as it will be read.",
                                                                "The first %u rows of the file, as they will be read.",
                                                                preview->rows->len),
                                                      preview->rows->len);

      adw_preferences_group_set_description (self->preview_group, description);
    }

  fill_preview_grid (self);
  fill_columns (self, keep_roles);
  update_role_labels (self);
  update_import_action (self);

  set_page (self, PAGE_PREVIEW);
}

static void
sync_options_to_preview (MsImportDialog *self)
{
  /* Back from an error: the rows show the settings of the preview on screen */
  self->syncing_options = TRUE;
  adw_combo_row_set_selected (self->encoding_row, self->preview_encoding);
  adw_combo_row_set_selected (self->delimiter_row, self->preview_delimiter);
  self->syncing_options = FALSE;
}

static void
preview_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PreviewJob *job = task_data;
  MsCsvPreview *preview;
  GError *error = NULL;

  preview = ms_csv_preview_load (job->file, job->encoding, job->delimiter, PREVIEW_ROWS,
                                 cancellable, &error);
  if (preview == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, preview, (GDestroyNotify) ms_csv_preview_free);
}

static void
on_preview_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (source);
  PreviewJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  MsCsvPreview *preview;

  preview = g_task_propagate_pointer (G_TASK (result), &error);

  if (self->disposed || job->serial != self->preview_serial)
    {
      g_clear_pointer (&preview, ms_csv_preview_free);
      return;
    }

  if (preview == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error);
      return;
    }

  show_preview (self, preview);
}

static void
load_preview (MsImportDialog *self)
{
  g_autoptr(GTask) task = NULL;
  PreviewJob *job;

  g_assert (self->file != NULL);

  g_cancellable_cancel (self->preview_cancellable);
  g_clear_object (&self->preview_cancellable);
  self->preview_cancellable = g_cancellable_new ();

  job = g_new0 (PreviewJob, 1);
  job->file = g_object_ref (self->file);
  job->encoding = g_strdup (encodings[adw_combo_row_get_selected (self->encoding_row)]);
  job->delimiter = delimiters[adw_combo_row_get_selected (self->delimiter_row)];
  job->serial = ++self->preview_serial;

  task = g_task_new (self, self->preview_cancellable, on_preview_loaded_cb, NULL);
  g_task_set_source_tag (task, load_preview);
  g_task_set_task_data (task, job, preview_job_free);
  g_task_run_in_thread (task, preview_worker);

  set_page (self, PAGE_LOADING);
}

static void
show_report (MsImportDialog       *self,
             const MsImportResult *result)
{
  g_autofree char *imported = format_count (result->imported);
  g_autofree char *updated = format_count (result->updated);
  g_autofree char *skipped = format_count (result->skipped);
  g_autofree char *rejected = format_count (result->rejected);
  g_autofree char *description = NULL;
  guint64 stored = result->imported + result->updated + result->skipped;

  gtk_label_set_text (self->imported_label, imported);
  gtk_label_set_text (self->updated_label, updated);
  gtk_label_set_text (self->skipped_label, skipped);
  gtk_label_set_text (self->rejected_label, rejected);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_group), TRUE);

  g_list_store_remove_all (self->rejections);
  for (guint i = 0; result->rejections != NULL && i < result->rejections->len; i++)
    {
      const MsImportRejection *rejection = g_ptr_array_index (result->rejections, i);
      g_autoptr(MsImportRejectionItem) item = ms_import_rejection_item_new (rejection->line, rejection->reason);

      g_list_store_append (self->rejections, item);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->rejections_group), result->rejected > 0);
  if (result->rejections != NULL && result->rejections->len < result->rejected)
    {
      g_autofree char *shown = format_count (result->rejections->len);
      g_autofree char *text = g_strdup_printf (_("Only the first %s are listed."), shown);

      adw_preferences_group_set_description (self->rejections_group, text);
    }
  else
    adw_preferences_group_set_description (self->rejections_group,
                                           _("Correct these lines in the file and import it again: rows already imported are not doubled."));

  if (result->rejected == 0)
    {
      gtk_image_set_from_icon_name (self->report_icon, "emblem-ok-symbolic");
      gtk_label_set_text (self->report_title, _("Import Complete"));
      description = g_strdup (_("Every row of the file was read."));
    }
  else
    {
      gtk_image_set_from_icon_name (self->report_icon, "dialog-warning-symbolic");
      gtk_label_set_text (self->report_title, _("Import Complete with Problems"));
      description = g_strdup_printf (ngettext ("%s row could not be imported; everything else was.",
                                               "%s rows could not be imported; everything else was.",
                                               result->rejected),
                                     rejected);
    }
  gtk_label_set_text (self->report_description, description);

  set_page (self, PAGE_REPORT);

  if (stored > 0)
    g_signal_emit (self, signals[IMPORTED], 0);
}

static void
show_cancelled_report (MsImportDialog *self)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  gint64 after = -1;

  store = open_store (self, &error);
  if (store != NULL)
    after = ms_store_count_contacts (store, &query, &error);

  if (after < 0)
    description = g_strdup (_("The import stopped before the end of the file. The rows saved until then are kept."));
  else
    {
      g_autofree char *added = format_count (MAX (after - self->contacts_before, 0));

      description = g_strdup_printf (ngettext ("The import stopped before the end of the file. The %s new contact saved until then is kept. Importing the file again adds the rest without doubling anyone.",
                                               "The import stopped before the end of the file. The %s new contacts saved until then are kept. Importing the file again adds the rest without doubling anyone.",
                                               MAX (after - self->contacts_before, 0)),
                                     added);
    }

  gtk_image_set_from_icon_name (self->report_icon, "process-stop-symbolic");
  gtk_label_set_text (self->report_title, _("Import Cancelled"));
  gtk_label_set_text (self->report_description, description);
  gtk_widget_set_visible (GTK_WIDGET (self->counts_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->rejections_group), FALSE);

  set_page (self, PAGE_REPORT);

  /* Rows may have been updated even when no contact was added */
  if (self->rows_seen > 0 || after != self->contacts_before)
    g_signal_emit (self, signals[IMPORTED], 0);
}

static void
on_import_progress_cb (guint64  bytes_done,
                       guint64  bytes_total,
                       guint64  rows_done,
                       gpointer user_data)
{
  MsImportDialog *self = user_data;
  g_autofree char *rows = NULL;
  g_autofree char *text = NULL;

  if (self->disposed)
    return;

  self->rows_seen = rows_done;

  if (bytes_total > 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP ((double) bytes_done / bytes_total, 0.0, 1.0));
  else
    gtk_progress_bar_pulse (self->progress_bar);

  rows = format_count (rows_done);
  text = g_strdup_printf (ngettext ("%s row read", "%s rows read", rows_done), rows);
  gtk_label_set_text (self->progress_label, text);
}

static void
on_import_finished_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(MsImportDialog) self = user_data;
  g_autoptr(MsImportResult) import_result = NULL;
  g_autoptr(GError) error = NULL;

  import_result = ms_import_csv_finish (result, &error);

  g_clear_object (&self->import_cancellable);

  if (self->disposed)
    return;

  if (import_result != NULL)
    show_report (self, import_result);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    show_cancelled_report (self);
  else
    show_error (self, error);

  /* A new list may exist now */
  load_lists (self);
}

static void
start_import (MsImportDialog *self)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree MsFieldRole *roles = NULL;
  g_autofree char *list_name = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *escaped = NULL;
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  MsImportOptions options = { 0 };
  guint list_pos;

  g_assert (self->preview != NULL);
  g_assert (self->import_cancellable == NULL);

  store = open_store (self, &error);
  if (store != NULL)
    self->contacts_before = ms_store_count_contacts (store, &query, &error);
  if (error != NULL)
    {
      show_error (self, error);
      return;
    }
  g_clear_object (&store);

  roles = g_new (MsFieldRole, self->role_rows->len);
  for (guint i = 0; i < self->role_rows->len; i++)
    roles[i] = adw_combo_row_get_selected (g_ptr_array_index (self->role_rows, i));

  list_pos = adw_combo_row_get_selected (self->list_row);
  if (is_new_list_selected (self))
    list_name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->new_list_row))));
  else if (list_pos > 0 && list_pos <= self->lists->len)
    list_name = g_strdup (ms_contact_list_get_name (g_ptr_array_index (self->lists, list_pos - 1)));

  options.list_name = list_name;
  options.encoding = encodings[self->preview_encoding];
  options.delimiter = delimiters[self->preview_delimiter];
  options.on_duplicate = adw_combo_row_get_selected (self->duplicate_row) == 1 ? MS_DUPLICATE_SKIP
                                                                                : MS_DUPLICATE_UPDATE;
  options.roles = roles;
  options.n_roles = self->role_rows->len;

  basename = g_file_get_basename (self->file);
  escaped = g_markup_escape_text (basename, -1);
  adw_status_page_set_description (self->progress_page, escaped);

  self->rows_seen = 0;
  self->import_cancellable = g_cancellable_new ();
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->progress_label, _("Starting…"));
  set_page (self, PAGE_PROGRESS);

  ms_import_csv_async (self->db_path, self->file, &options,
                       on_import_progress_cb, g_object_ref (self), g_object_unref,
                       self->import_cancellable,
                       on_import_finished_cb, g_object_ref (self));
}

/* Signal callbacks */

static void
on_option_row_selected_cb (MsImportDialog *self)
{
  if (self->syncing_options || self->file == NULL)
    return;

  load_preview (self);
}

static void
on_list_row_selected_cb (MsImportDialog *self)
{
  gboolean new_list = is_new_list_selected (self);

  gtk_widget_set_visible (GTK_WIDGET (self->new_list_row), new_list);
  if (new_list && self->page == PAGE_PREVIEW)
    gtk_widget_grab_focus (GTK_WIDGET (self->new_list_row));
  update_import_action (self);
}

static void
on_chooser_response_cb (MsImportDialog       *self,
                        int                   response,
                        GtkFileChooserNative *chooser)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  g_clear_object (&self->chooser);

  if (file != NULL)
    ms_import_dialog_set_file (self, file);
}

static void
show_file_chooser (MsImportDialog *self)
{
  g_autoptr(GtkFileFilter) text_filter = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) all_filter = gtk_file_filter_new ();

  if (self->chooser != NULL)
    return;

  gtk_file_filter_set_name (text_filter, _("Spreadsheet Text Files (CSV, TSV, TXT)"));
  gtk_file_filter_add_mime_type (text_filter, "text/csv");
  gtk_file_filter_add_mime_type (text_filter, "text/tab-separated-values");
  gtk_file_filter_add_mime_type (text_filter, "text/plain");
  gtk_file_filter_add_suffix (text_filter, "csv");
  gtk_file_filter_add_suffix (text_filter, "tsv");
  gtk_file_filter_add_suffix (text_filter, "txt");

  gtk_file_filter_set_name (all_filter, _("All Files"));
  gtk_file_filter_add_pattern (all_filter, "*");

  self->chooser = gtk_file_chooser_native_new (_("Choose a File to Import"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), text_filter);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), all_filter);
  gtk_file_chooser_set_filter (GTK_FILE_CHOOSER (self->chooser), text_filter);
  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (on_chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  GtkWidget *inscription = gtk_inscription_new (NULL);

  gtk_inscription_set_text_overflow (GTK_INSCRIPTION (inscription), GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_widget_set_margin_start (inscription, 6);
  gtk_widget_set_margin_end (inscription, 6);
  gtk_list_item_set_child (list_item, inscription);
}

static void
bind_line_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  MsImportRejectionItem *item = gtk_list_item_get_item (list_item);
  g_autofree char *text = g_strdup_printf ("%u", item->line);

  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
bind_reason_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                gpointer                  user_data)
{
  MsImportRejectionItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);

  gtk_inscription_set_text (GTK_INSCRIPTION (child), item->reason);
  gtk_widget_set_tooltip_text (child, item->reason);
}

static GtkListItemFactory *
create_cell_factory (GCallback bind)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), NULL);
  g_signal_connect (factory, "bind", bind, NULL);

  return factory;
}

static gboolean
on_close_request_cb (MsImportDialog *self)
{
  /* Closing during an import stops it; the window stays to say what was kept */
  if (self->import_cancellable != NULL)
    {
      g_cancellable_cancel (self->import_cancellable);
      return TRUE;
    }

  return FALSE;
}

/* Actions */

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  show_file_chooser (MS_IMPORT_DIALOG (widget));
}

static void
start_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (widget);

  if (self->page != PAGE_PREVIEW || mapping_problem (self) != NULL)
    return;

  start_import (self);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (widget);

  if (self->import_cancellable != NULL)
    {
      gtk_label_set_text (self->progress_label, _("Stopping after the rows read so far…"));
      g_cancellable_cancel (self->import_cancellable);
      return;
    }

  gtk_window_close (GTK_WINDOW (self));
}

static void
back_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (widget);

  if (self->preview == NULL)
    {
      set_page (self, PAGE_CHOOSE);
      return;
    }

  sync_options_to_preview (self);
  set_page (self, PAGE_PREVIEW);
}

/* GObject */

static void
ms_import_dialog_constructed (GObject *object)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (object);

  G_OBJECT_CLASS (ms_import_dialog_parent_class)->constructed (object);

  load_lists (self);
  set_page (self, PAGE_CHOOSE);
  update_import_action (self);
}

static void
ms_import_dialog_dispose (GObject *object)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (object);

  self->disposed = TRUE;

  g_cancellable_cancel (self->preview_cancellable);
  g_cancellable_cancel (self->import_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (self->role_rows != NULL)
    g_ptr_array_set_size (self->role_rows, 0);
  if (self->preview_role_labels != NULL)
    g_ptr_array_set_size (self->preview_role_labels, 0);

  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_IMPORT_DIALOG);

  g_clear_object (&self->preview_cancellable);
  g_clear_object (&self->file);
  g_clear_object (&self->roles_model);
  g_clear_object (&self->rejections);
  g_clear_pointer (&self->lists, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_import_dialog_parent_class)->dispose (object);
}

static void
ms_import_dialog_finalize (GObject *object)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (object);

  g_clear_pointer (&self->preview, ms_csv_preview_free);
  g_clear_pointer (&self->role_rows, g_ptr_array_unref);
  g_clear_pointer (&self->preview_role_labels, g_ptr_array_unref);
  g_clear_object (&self->import_cancellable);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_import_dialog_parent_class)->finalize (object);
}

static void
ms_import_dialog_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;
    case PROP_LIST_ID:
      g_value_set_int64 (value, self->initial_list_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_import_dialog_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MsImportDialog *self = MS_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      self->db_path = g_value_dup_string (value);
      break;
    case PROP_LIST_ID:
      self->initial_list_id = g_value_get_int64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_import_dialog_class_init (MsImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = ms_import_dialog_constructed;
  object_class->dispose = ms_import_dialog_dispose;
  object_class->finalize = ms_import_dialog_finalize;
  object_class->get_property = ms_import_dialog_get_property;
  object_class->set_property = ms_import_dialog_set_property;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_LIST_ID] =
    g_param_spec_int64 ("list-id", NULL, NULL, 0, G_MAXINT64, 0,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * MsImportDialog::imported:
   *
   * Emitted when an import wrote to the database, also when it was
   * cancelled after some rows were saved.
   */
  signals[IMPORTED] =
    g_signal_new ("imported", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, import_button);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, done_button);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, loading_spinner);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, encoding_row);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, delimiter_row);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, preview_group);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, preview_grid);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, columns_group);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, mapping_error_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, list_row);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, list_model);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, new_list_row);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, duplicate_row);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, progress_page);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, progress_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, report_icon);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, report_title);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, report_description);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, counts_group);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, imported_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, updated_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, skipped_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, rejected_label);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, rejections_group);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, rejections_view);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, line_column);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, reason_column);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, MsImportDialog, error_back_button);
  gtk_widget_class_bind_template_callback (widget_class, on_option_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_list_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, update_import_action);
  gtk_widget_class_bind_template_callback (widget_class, on_close_request_cb);

  gtk_widget_class_install_action (widget_class, "import.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "import.start", NULL, start_action);
  gtk_widget_class_install_action (widget_class, "import.cancel", NULL, cancel_action);
  gtk_widget_class_install_action (widget_class, "import.back", NULL, back_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "import.cancel", NULL);
}

static void
ms_import_dialog_init (MsImportDialog *self)
{
  g_autoptr(GtkListItemFactory) line_factory = NULL;
  g_autoptr(GtkListItemFactory) reason_factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;
  const char *role_names[] = {
    [MS_FIELD_ROLE_IGNORE] = C_("column role", "Ignore"),
    [MS_FIELD_ROLE_EMAIL] = C_("column role", "Email"),
    [MS_FIELD_ROLE_NAME] = C_("column role", "Name"),
    [MS_FIELD_ROLE_FIRST_NAME] = C_("column role", "First Name"),
    [MS_FIELD_ROLE_LAST_NAME] = C_("column role", "Last Name"),
    [MS_FIELD_ROLE_CUSTOM] = C_("column role", "Custom Field"),
    NULL
  };

  self->role_rows = g_ptr_array_new ();
  self->preview_role_labels = g_ptr_array_new ();
  self->roles_model = gtk_string_list_new (role_names);
  self->rejections = g_list_store_new (MS_TYPE_IMPORT_REJECTION_ITEM);
  self->lists = g_ptr_array_new_with_free_func (g_object_unref);

  gtk_widget_init_template (GTK_WIDGET (self));

  line_factory = create_cell_factory (G_CALLBACK (bind_line_cb));
  reason_factory = create_cell_factory (G_CALLBACK (bind_reason_cb));
  gtk_column_view_column_set_factory (self->line_column, line_factory);
  gtk_column_view_column_set_factory (self->reason_column, reason_factory);
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->rejections)));
  gtk_column_view_set_model (self->rejections_view, GTK_SELECTION_MODEL (selection));
}

/* Public API */

/**
 * ms_import_dialog_new:
 * @parent: (nullable): the window to stay above
 * @db_path: the database the contacts go to
 * @list_id: the list to preselect, or 0 for none
 *
 * Returns: (transfer full): a new import dialog; present it with
 *   gtk_window_present()
 */
MsImportDialog *
ms_import_dialog_new (GtkWindow  *parent,
                      const char *db_path,
                      gint64      list_id)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_object_new (MS_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       "db-path", db_path,
                       "list-id", list_id,
                       NULL);
}

/**
 * ms_import_dialog_set_file:
 * @self: a #MsImportDialog
 * @file: the file to import
 *
 * Skips the file chooser: reads the first rows of @file and shows the
 * preview.  Does nothing while an import runs.
 */
void
ms_import_dialog_set_file (MsImportDialog *self,
                           GFile          *file)
{
  g_autofree char *basename = NULL;

  g_return_if_fail (MS_IS_IMPORT_DIALOG (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->import_cancellable != NULL)
    return;

  g_set_object (&self->file, file);
  g_clear_pointer (&self->preview, ms_csv_preview_free);
  clear_columns (self);

  basename = g_file_get_basename (file);
  adw_window_title_set_subtitle (self->window_title, basename);

  load_preview (self);
}

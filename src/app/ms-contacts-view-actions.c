/* ms-contacts-view-actions.c
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

#define G_LOG_DOMAIN "ms-contacts-view"

#include "config.h"

#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>

#include "ms-contact-editor.h"
#include "ms-contacts-view-private.h"
#include "ms-dialog-util.h"
#include "ms-format.h"
#include "ms-importer.h"
#include "ms-store-job.h"

typedef enum
{
  BULK_DELETE,
  BULK_SET_STATUS,
  BULK_ADD_TO_LIST,
  BULK_ADD_TO_NEW_LIST,
  BULK_REMOVE_FROM_LIST,
  BULK_RESTORE_STATUS,    /* undo of SET_STATUS */
  BULK_PUT_BACK,          /* undo of REMOVE_FROM_LIST */
} BulkKind;

typedef struct
{
  MsContactsView  *view;
  BulkKind         kind;
  MsContactStatus  status;
  gint64           list_id;
  char            *list_name;
  GArray          *refs;    /* MsContactRef */
} BulkOp;

static void start_job (BulkOp *op);

static void
bulk_op_free (gpointer data)
{
  BulkOp *op = data;

  g_clear_object (&op->view);
  g_clear_pointer (&op->refs, g_array_unref);
  g_free (op->list_name);
  g_free (op);
}

static BulkOp *
bulk_op_new (MsContactsView *view,
             BulkKind        kind)
{
  BulkOp *op = g_new0 (BulkOp, 1);

  op->view = g_object_ref (view);
  op->kind = kind;
  return op;
}

/* Worker thread */

static GArray *
ids_of (GArray *refs)
{
  GArray *ids = g_array_sized_new (FALSE, FALSE, sizeof (gint64), refs->len);

  for (guint i = 0; i < refs->len; i++)
    g_array_append_val (ids, g_array_index (refs, MsContactRef, i).id);
  return ids;
}

static gboolean
restore_statuses (MsStore  *store,
                  GArray   *refs,
                  GError  **error)
{
  g_autoptr(GHashTable) groups = g_hash_table_new_full (g_str_hash, g_str_equal,
                                                        g_free, (GDestroyNotify) g_array_unref);
  GHashTableIter iter;
  gpointer key, value;

  /* One update per (status, reason) pair, not per contact. */
  for (guint i = 0; i < refs->len; i++)
    {
      MsContactRef *ref = &g_array_index (refs, MsContactRef, i);
      char *k = g_strdup_printf ("%d%c%s", ref->status, 0x1f,
                                 ref->status_reason != NULL ? ref->status_reason : "");
      GArray *ids = g_hash_table_lookup (groups, k);

      if (ids == NULL)
        {
          ids = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (groups, k, ids);
        }
      else
        g_free (k);
      g_array_append_val (ids, ref->id);
    }

  if (!ms_store_begin (store, error))
    return FALSE;
  g_hash_table_iter_init (&iter, groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      const char *reason = strchr (key, 0x1f) + 1;
      GArray *ids = value;

      if (!ms_store_set_contacts_status (store, (const gint64 *) (gpointer) ids->data, ids->len,
                                         (MsContactStatus) atoi (key),
                                         reason[0] != '\0' ? reason : NULL, error))
        {
          ms_store_rollback (store);
          return FALSE;
        }
    }
  return ms_store_commit (store, error);
}

static gpointer
bulk_job (MsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  BulkOp *op = data;
  g_autoptr(GArray) ids = ids_of (op->refs);
  const gint64 *v = (const gint64 *) (gpointer) ids->data;
  gboolean ok = FALSE;

  switch (op->kind)
    {
    case BULK_DELETE:
      ok = ms_store_delete_contacts (store, v, ids->len, error);
      break;
    case BULK_SET_STATUS:
      ok = ms_store_set_contacts_status (store, v, ids->len, op->status, NULL, error);
      break;
    case BULK_ADD_TO_LIST:
    case BULK_PUT_BACK:
      ok = ms_store_add_list_members (store, op->list_id, v, ids->len, error);
      break;
    case BULK_ADD_TO_NEW_LIST:
      {
        g_autoptr(MsContactList) list = NULL;

        if (!ms_store_begin (store, error))
          return NULL;
        if (!(list = ms_store_create_list (store, op->list_name, error))
            || !ms_store_add_list_members (store, ms_contact_list_get_id (list), v, ids->len,
                                           error)
            || !ms_store_commit (store, error))
          {
            ms_store_rollback (store);
            return NULL;
          }
        op->list_id = ms_contact_list_get_id (list);
        ok = TRUE;
      }
      break;
    case BULK_REMOVE_FROM_LIST:
      ok = ms_store_remove_list_members (store, op->list_id, v, ids->len, error);
      break;
    case BULK_RESTORE_STATUS:
      ok = restore_statuses (store, op->refs, error);
      break;
    default:
      g_assert_not_reached ();
    }
  return ok ? MS_STORE_JOB_DONE : NULL;
}

/* UI thread */

static void
on_undo_clicked_cb (AdwToast       *toast,
                    MsContactsView *self)
{
  BulkOp *undo = g_object_steal_data (G_OBJECT (toast), "ms-undo");

  if (undo == NULL)
    return;
  _ms_contacts_view_set_busy (self, TRUE);
  start_job (undo);
}

static AdwToast *
toast_for (BulkOp *op)
{
  g_autofree char *count = ms_format_count (op->refs->len);
  g_autofree char *title = NULL;
  BulkOp *undo = NULL;
  AdwToast *toast;
  gulong n = op->refs->len;

  switch (op->kind)
    {
    case BULK_DELETE:
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact deleted",
                                            "%s contacts deleted", n), count);
      break;
    case BULK_SET_STATUS:
      /* Translators: "3 contacts marked Unsubscribed" */
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact marked %s",
                                            "%s contacts marked %s", n),
                               count, ms_contact_status_to_label (op->status));
      undo = bulk_op_new (op->view, BULK_RESTORE_STATUS);
      break;
    case BULK_ADD_TO_LIST:
    case BULK_ADD_TO_NEW_LIST:
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact added to “%s”",
                                            "%s contacts added to “%s”", n),
                               count, op->list_name);
      break;
    case BULK_REMOVE_FROM_LIST:
      title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact removed from “%s”",
                                            "%s contacts removed from “%s”", n),
                               count, op->list_name);
      undo = bulk_op_new (op->view, BULK_PUT_BACK);
      break;
    case BULK_RESTORE_STATUS:
      title = g_strdup (_("Status restored"));
      break;
    case BULK_PUT_BACK:
      title = g_strdup_printf (_("Contacts put back in “%s”"), op->list_name);
      break;
    default:
      g_assert_not_reached ();
    }

  toast = adw_toast_new (title);
  if (undo != NULL)
    {
      undo->refs = g_array_ref (op->refs);
      undo->list_id = op->list_id;
      undo->list_name = g_strdup (op->list_name);
      adw_toast_set_button_label (toast, _("_Undo"));
      adw_toast_set_timeout (toast, 10);
      g_object_set_data_full (G_OBJECT (toast), "ms-undo", undo, bulk_op_free);
      g_signal_connect_object (toast, "button-clicked", G_CALLBACK (on_undo_clicked_cb),
                               op->view, 0);
    }
  return toast;
}

static void
on_job_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MsContactsView *self = MS_CONTACTS_VIEW (source);
  BulkOp *op = user_data;   /* owned by the task, alive until this returns */
  g_autoptr(GError) error = NULL;

  _ms_contacts_view_set_busy (self, FALSE);
  if (ms_store_job_finish (result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ms_contacts_view_add_toast (self, adw_toast_new (error->message));
    }
  else
    _ms_contacts_view_add_toast (self, toast_for (op));

  ms_contacts_view_refresh (self);
  _ms_contacts_view_emit_changed (self);
}

static void
start_job (BulkOp *op)
{
  MsContactsView *self = op->view;

  ms_store_job_run (self, self->db_path, bulk_job, op, bulk_op_free, NULL,
                    self->cancellable, on_job_done_cb, op);
}

static void
on_resolved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  BulkOp *op = user_data;
  MsContactsView *self = op->view;
  g_autoptr(GError) error = NULL;

  op->refs = ms_contact_model_resolve_finish (MS_CONTACT_MODEL (source), result, &error);
  if (op->refs == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        _ms_contacts_view_add_toast (self, adw_toast_new (error->message));
      _ms_contacts_view_set_busy (self, FALSE);
      bulk_op_free (op);
      return;
    }
  start_job (op);
}

static GArray *
selection_ranges (MsContactsView *self)
{
  g_autoptr(GtkBitset) set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  GArray *ranges = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkBitsetIter iter;
  guint value, start, len;

  if (!gtk_bitset_iter_init_first (&iter, set, &value))
    return ranges;

  /* "Select All" over a million rows is one range: no need to walk it. */
  start = gtk_bitset_get_minimum (set);
  if (gtk_bitset_get_size (set) == (guint64) gtk_bitset_get_maximum (set) - start + 1)
    {
      len = gtk_bitset_get_maximum (set) - start + 1;
      g_array_append_val (ranges, start);
      g_array_append_val (ranges, len);
      return ranges;
    }

  start = value;
  len = 1;
  while (gtk_bitset_iter_next (&iter, &value))
    {
      if (value == start + len)
        {
          len++;
          continue;
        }
      g_array_append_val (ranges, start);
      g_array_append_val (ranges, len);
      start = value;
      len = 1;
    }
  g_array_append_val (ranges, start);
  g_array_append_val (ranges, len);
  return ranges;
}

/* Resolves the selection to contact ids, then runs op on a worker thread. */
static void
run_on_selection (MsContactsView *self,
                  BulkOp         *op)
{
  g_autoptr(GArray) ranges = NULL;

  if (self->model == NULL || self->busy)
    {
      bulk_op_free (op);
      return;
    }
  ranges = selection_ranges (self);
  if (ranges->len == 0)
    {
      bulk_op_free (op);
      return;
    }
  _ms_contacts_view_set_busy (self, TRUE);
  ms_contact_model_resolve_async (self->model, (const guint *) (gpointer) ranges->data,
                                  ranges->len / 2, self->cancellable, on_resolved_cb, op);
}

/* Actions */

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       MsContactsView   *self)
{
  if (g_strcmp0 (response, "delete") == 0)
    run_on_selection (self, bulk_op_new (self, BULK_DELETE));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);
  guint64 n = _ms_contacts_view_get_n_selected (self);
  g_autofree char *count = NULL;
  g_autofree char *heading = NULL;
  GtkWidget *dialog;

  if (n == 0 || self->busy)
    return;

  count = ms_format_count ((gint64) n);
  heading = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Delete %s Contact?",
                                          "Delete %s Contacts?", (gulong) MIN (n, G_MAXLONG)),
                             count);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), heading,
                                   _("They are removed from every list, with their status "
                                     "and history. This cannot be undone."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
set_status_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);
  MsContactStatus status;
  BulkOp *op;

  if (!ms_contact_status_from_string (g_variant_get_string (param, NULL), &status))
    return;
  op = bulk_op_new (self, BULK_SET_STATUS);
  op->status = status;
  run_on_selection (self, op);
}

static const char *
list_name_of (MsContactsView *self,
              gint64          list_id)
{
  guint n = self->lists != NULL ? g_list_model_get_n_items (self->lists) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsContactList) list = g_list_model_get_item (self->lists, i);

      if (ms_contact_list_get_id (list) == list_id)
        return ms_contact_list_get_name (list);   /* the store keeps a reference */
    }
  return "";
}

static void
add_to_list_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);
  BulkOp *op = bulk_op_new (self, BULK_ADD_TO_LIST);

  op->list_id = g_variant_get_int64 (param);
  op->list_name = g_strdup (list_name_of (self, op->list_id));
  run_on_selection (self, op);
}

static void
remove_from_list_action (GtkWidget  *widget,
                         const char *action_name,
                         GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);
  BulkOp *op;

  if (self->list_id == 0)
    return;
  op = bulk_op_new (self, BULK_REMOVE_FROM_LIST);
  op->list_id = self->list_id;
  op->list_name = g_strdup (self->list_name);
  run_on_selection (self, op);
}

static void
on_new_list_name_changed_cb (GtkEditable      *entry,
                             AdwMessageDialog *dialog)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "add", name[0] != '\0');
}

static void
on_new_list_response_cb (AdwMessageDialog *dialog,
                         const char       *response,
                         MsContactsView   *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  BulkOp *op;

  if (g_strcmp0 (response, "add") != 0 || name[0] == '\0')
    return;
  op = bulk_op_new (self, BULK_ADD_TO_NEW_LIST);
  op->list_name = g_steal_pointer (&name);
  run_on_selection (self, op);
}

static void
add_to_new_list_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                                       _("Add to a New List"),
                                                       _("The selected contacts become the "
                                                         "first members of the new list.")));
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("List name"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("List name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "add", _("_Add"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "add", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "add");
  adw_message_dialog_set_close_response (dialog, "cancel");
  adw_message_dialog_set_response_enabled (dialog, "add", FALSE);
  g_signal_connect (entry, "changed", G_CALLBACK (on_new_list_name_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_new_list_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

static void
select_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  MsContactsView *self = MS_CONTACTS_VIEW (widget);

  if (self->selection != NULL)
    gtk_selection_model_select_all (GTK_SELECTION_MODEL (self->selection));
}

static void
refresh_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  ms_contacts_view_refresh (MS_CONTACTS_VIEW (widget));
}

/* Export */

typedef struct
{
  GFile          *file;
  MsContactQuery  query;
  char           *search;
  guint64         count;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_clear_object (&job->file);
  g_free (job->search);
  g_free (job);
}

static gpointer
export_job (MsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  ExportJob *job = data;

  if (!ms_export_csv_sync (store, job->file, &job->query, &job->count, cancellable, error))
    return NULL;
  return MS_STORE_JOB_DONE;
}

static void
on_exported_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MsContactsView *self = MS_CONTACTS_VIEW (source);
  ExportJob *job = user_data;   /* owned by the task */
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autofree char *count = NULL;
  g_autofree char *title = NULL;

  _ms_contacts_view_set_busy (self, FALSE);
  if (ms_store_job_finish (result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          title = g_strdup_printf (_("Export failed: %s"), error->message);
          _ms_contacts_view_add_toast (self, adw_toast_new (title));
        }
      return;
    }

  name = g_file_get_basename (job->file);
  count = ms_format_count ((gint64) job->count);
  title = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact exported to “%s”",
                                        "%s contacts exported to “%s”",
                                        (gulong) MIN (job->count, G_MAXLONG)),
                           count, name);
  _ms_contacts_view_add_toast (self, adw_toast_new (title));
}

/**
 * ms_contacts_view_export_to_file:
 *
 * Writes the contacts shown (list, search and status filter) to @file as CSV,
 * on a worker thread; a toast tells the outcome.
 */
void
ms_contacts_view_export_to_file (MsContactsView *self,
                                 GFile          *file)
{
  ExportJob *job;

  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));
  g_return_if_fail (G_IS_FILE (file));

  if (self->model == NULL)
    return;

  job = g_new0 (ExportJob, 1);
  job->file = g_object_ref (file);
  ms_contact_model_get_query (self->model, &job->query);
  job->search = g_strdup (job->query.search);
  job->query.search = job->search;
  _ms_contacts_view_set_busy (self, TRUE);
  ms_store_job_run (self, self->db_path, export_job, job, export_job_free, NULL,
                    self->cancellable, on_exported_cb, job);
}

static void
on_export_response_cb (GtkNativeDialog *dialog,
                       int              response,
                       MsContactsView  *self)
{
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT
      && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog))) != NULL)
    ms_contacts_view_export_to_file (self, file);
  g_clear_object (&self->export_dialog);
}

/**
 * ms_contacts_view_export:
 *
 * Asks where to save, then exports what is shown.
 */
void
ms_contacts_view_export (MsContactsView *self)
{
  g_autoptr(GtkFileFilter) filter = NULL;
  g_autofree char *name = NULL;
  GtkFileChooserNative *native;

  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));

  if (self->model == NULL || self->export_dialog != NULL)
    return;

  native = gtk_file_chooser_native_new (_("Export Contacts"),
                                        GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                        GTK_FILE_CHOOSER_ACTION_SAVE,
                                        _("_Export"), _("_Cancel"));
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("CSV files"));
  gtk_file_filter_add_mime_type (filter, "text/csv");
  gtk_file_filter_add_suffix (filter, "csv");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (native), filter);
  /* Translators: file name of an export of all contacts, without ".csv" */
  name = g_strdup_printf ("%s.csv", self->list_id != 0 ? self->list_name : _("contacts"));
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (native), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (native), TRUE);
  g_signal_connect_object (native, "response", G_CALLBACK (on_export_response_cb), self, 0);
  self->export_dialog = GTK_NATIVE_DIALOG (native);
  gtk_native_dialog_show (self->export_dialog);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ms_contacts_view_export (MS_CONTACTS_VIEW (widget));
}

/* Editing */

static void
on_contact_saved_cb (MsContactsView  *self,
                     MsContact       *contact,
                     MsContactEditor *editor)
{
  if (self->model == NULL)
    return;
  ms_contact_model_update_item (self->model, contact);
  ms_contacts_view_refresh (self);
}

void
_ms_contacts_view_edit (MsContactsView *self,
                        guint           position)
{
  g_autoptr(MsContact) item = NULL;
  MsContactEditor *editor;

  if (self->model == NULL
      || !(item = g_list_model_get_item (G_LIST_MODEL (self->model), position))
      || ms_contact_get_id (item) == 0)
    return;

  editor = ms_contact_editor_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                  self->db_path, ms_contact_get_id (item));
  ms_dialog_hold_parent (GTK_WINDOW (editor));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_contact_saved_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

void
_ms_contacts_view_actions_update (MsContactsView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  guint n_items = self->model != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->model)) : 0;
  gboolean can_act = !self->busy && _ms_contacts_view_get_n_selected (self) > 0;

  gtk_widget_action_set_enabled (widget, "contacts.delete", can_act);
  gtk_widget_action_set_enabled (widget, "contacts.set-status", can_act);
  gtk_widget_action_set_enabled (widget, "contacts.add-to-list", can_act);
  gtk_widget_action_set_enabled (widget, "contacts.add-to-new-list", can_act);
  gtk_widget_action_set_enabled (widget, "contacts.remove-from-list",
                                 can_act && self->list_id != 0);
  gtk_widget_action_set_enabled (widget, "contacts.select-all", n_items > 0);
  gtk_widget_action_set_enabled (widget, "contacts.export", !self->busy && n_items > 0);
}

void
_ms_contacts_view_class_actions_init (MsContactsViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "contacts.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "contacts.set-status", "s", set_status_action);
  gtk_widget_class_install_action (widget_class, "contacts.add-to-list", "x", add_to_list_action);
  gtk_widget_class_install_action (widget_class, "contacts.add-to-new-list", NULL,
                                   add_to_new_list_action);
  gtk_widget_class_install_action (widget_class, "contacts.remove-from-list", NULL,
                                   remove_from_list_action);
  gtk_widget_class_install_action (widget_class, "contacts.select-all", NULL, select_all_action);
  gtk_widget_class_install_action (widget_class, "contacts.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "contacts.refresh", NULL, refresh_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Delete, 0, "contacts.delete", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Delete, 0, "contacts.delete", NULL);
}

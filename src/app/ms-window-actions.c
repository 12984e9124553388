/* ms-window-actions.c
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

#define G_LOG_DOMAIN "ms-window"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-contact-list.h"
#include "ms-format.h"
#include "ms-store-job.h"
#include "ms-window-private.h"

typedef struct
{
  gint64  list_id;   /* 0: create a list */
  char   *name;
} ListJob;

static void
list_job_free (gpointer data)
{
  ListJob *job = data;

  g_free (job->name);
  g_free (job);
}

static gpointer
create_list_job (MsStore       *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ListJob *job = data;

  return ms_store_create_list (store, job->name, error);
}

static gpointer
rename_list_job (MsStore       *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ListJob *job = data;

  return ms_store_rename_list (store, job->list_id, job->name, error) ? MS_STORE_JOB_DONE : NULL;
}

static gpointer
delete_list_job (MsStore       *store,
                 gpointer       data,
                 GCancellable  *cancellable,
                 GError       **error)
{
  ListJob *job = data;

  return ms_store_delete_list (store, job->list_id, error) ? MS_STORE_JOB_DONE : NULL;
}

static void
on_list_created_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MsWindow *self = MS_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContactList) list = ms_store_job_finish (result, &error);

  if (list == NULL)
    ms_window_add_toast (self, adw_toast_new (error->message));
  else
    _ms_window_reload_lists (self, ms_contact_list_get_id (list));
  /* After the reload started, so the window does not look idle in between. */
  _ms_window_job_finished (self);
}

static void
on_list_changed_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MsWindow *self = MS_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *done_message = user_data;

  if (ms_store_job_finish (result, &error) == NULL)
    ms_window_add_toast (self, adw_toast_new (error->message));
  else if (done_message != NULL)
    ms_window_add_toast (self, adw_toast_new (done_message));
  _ms_window_reload_lists (self, -1);
  _ms_window_job_finished (self);
}

/* Asking for a name */

static char *
dup_entry_name (GtkEditable *entry)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (entry)));
}

static void
on_name_changed_cb (GtkEditable      *entry,
                    AdwMessageDialog *dialog)
{
  g_autofree char *name = dup_entry_name (entry);

  adw_message_dialog_set_response_enabled (dialog, "accept", name[0] != '\0');
}

static void
on_name_response_cb (AdwMessageDialog *dialog,
                     const char       *response,
                     MsWindow         *self)
{
  GtkEditable *entry = GTK_EDITABLE (adw_message_dialog_get_extra_child (dialog));
  ListJob *job;

  if (g_strcmp0 (response, "accept") != 0)
    return;

  job = g_new0 (ListJob, 1);
  job->list_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "ms-list-id"));
  job->name = dup_entry_name (entry);
  if (job->name[0] == '\0')
    {
      list_job_free (job);
      return;
    }

  _ms_window_job_started (self);
  if (job->list_id == 0)
    ms_store_job_run (self, self->db_path, create_list_job, job, list_job_free,
                      g_object_unref, self->cancellable, on_list_created_cb, NULL);
  else
    ms_store_job_run (self, self->db_path, rename_list_job, job, list_job_free,
                      NULL, self->cancellable, on_list_changed_cb, NULL);
}

static void
ask_list_name (MsWindow   *self,
               gint64      list_id,
               const char *heading,
               const char *initial,
               const char *accept_label)
{
  AdwMessageDialog *dialog;
  GtkWidget *entry;

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, NULL));
  entry = gtk_entry_new ();
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (entry), initial != NULL ? initial : "");
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("List name"), -1);
  adw_message_dialog_set_extra_child (dialog, entry);
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "accept", accept_label,
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "accept", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "accept");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "ms-list-id", GSIZE_TO_POINTER ((gsize) list_id));

  g_signal_connect (entry, "changed", G_CALLBACK (on_name_changed_cb), dialog);
  on_name_changed_cb (GTK_EDITABLE (entry), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_name_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* Actions */

static void
import_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ms_window_open_import (MS_WINDOW (widget), NULL);
}

static void
export_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  ms_contacts_view_export (self->contacts_view);
}

static void
find_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  ms_window_show_section (self, "contacts");
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
  ms_contacts_view_focus_search (self->contacts_view);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);

  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_BACK);
}

static void
new_list_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *param)
{
  ask_list_name (MS_WINDOW (widget), 0, _("New List"), NULL, _("C_reate"));
}

static void
rename_list_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);
  MsContactList *list = _ms_window_get_current_list (self);

  if (list == NULL)
    return;
  ask_list_name (self, ms_contact_list_get_id (list), _("Rename List"),
                 ms_contact_list_get_name (list), _("_Rename"));
}

static void
on_delete_list_response_cb (AdwMessageDialog *dialog,
                            const char       *response,
                            MsWindow         *self)
{
  ListJob *job;

  if (g_strcmp0 (response, "delete") != 0)
    return;

  job = g_new0 (ListJob, 1);
  job->list_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "ms-list-id"));
  job->name = g_strdup (g_object_get_data (G_OBJECT (dialog), "ms-list-name"));
  _ms_window_job_started (self);
  ms_store_job_run (self, self->db_path, delete_list_job, job, list_job_free, NULL,
                    self->cancellable, on_list_changed_cb,
                    g_strdup_printf (_("List “%s” deleted"), job->name));
  self->list_id = 0;
}

static void
delete_list_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  MsWindow *self = MS_WINDOW (widget);
  MsContactList *list = _ms_window_get_current_list (self);
  g_autofree char *heading = NULL;
  g_autofree char *count = NULL;
  g_autofree char *body = NULL;
  AdwMessageDialog *dialog;
  gint64 members;

  if (list == NULL)
    return;

  members = ms_contact_list_get_member_count (list);
  count = ms_format_count (members);
  heading = g_strdup_printf (_("Delete List “%s”?"), ms_contact_list_get_name (list));
  body = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "Its %s contact stays in All Contacts.",
                                       "Its %s contacts stay in All Contacts.",
                                       (gulong) CLAMP (members, 0, G_MAXLONG)),
                          count);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_object_set_data (G_OBJECT (dialog), "ms-list-id",
                     GSIZE_TO_POINTER ((gsize) ms_contact_list_get_id (list)));
  g_object_set_data_full (G_OBJECT (dialog), "ms-list-name",
                          g_strdup (ms_contact_list_get_name (list)), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_list_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

void
_ms_window_actions_update (MsWindow *self)
{
  gboolean opened = self->opened;
  gboolean has_list = opened && self->list_id != 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.import", opened);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", opened);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.find", opened);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.new-list", opened);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.rename-list", has_list);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.delete-list", has_list);
}

void
_ms_window_class_actions_init (MsWindowClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  gtk_widget_class_install_action (widget_class, "win.import", NULL, import_action);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, export_action);
  gtk_widget_class_install_action (widget_class, "win.find", NULL, find_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_action (widget_class, "win.new-list", NULL, new_list_action);
  gtk_widget_class_install_action (widget_class, "win.rename-list", NULL, rename_list_action);
  gtk_widget_class_install_action (widget_class, "win.delete-list", NULL, delete_list_action);
}

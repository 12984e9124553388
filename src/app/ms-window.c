/* ms-window.c
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
#include "ms-dialog-util.h"
#include "ms-format.h"
#include "ms-store-job.h"
#include "ms-window-private.h"

G_DEFINE_FINAL_TYPE (MsWindow, ms_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Loading state, for tests and the benchmark */

static void
update_loading (MsWindow *self)
{
  gboolean loading = ms_window_get_loading (self);

  if (loading != self->loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

/* A list job (read, create, rename, delete) started or ended: the window is
 * loading while any runs. */
void
_ms_window_job_started (MsWindow *self)
{
  self->lists_pending++;
  update_loading (self);
}

void
_ms_window_job_finished (MsWindow *self)
{
  g_assert (self->lists_pending > 0);
  self->lists_pending--;
  update_loading (self);
}

/* Sidebar */

static GtkWidget *
create_list_row (gpointer item,
                 gpointer user_data)
{
  MsContactList *list = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *icon, *label, *count;
  gboolean all = ms_contact_list_get_id (list) == 0;

  icon = gtk_image_new_from_icon_name (all ? "x-office-address-book-symbolic"
                                           : "view-list-bullet-symbolic");
  label = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (label, TRUE);
  g_object_bind_property (list, "name", label, "label", G_BINDING_SYNC_CREATE);

  count = gtk_label_new (NULL);
  gtk_widget_add_css_class (count, "dim-label");
  gtk_widget_add_css_class (count, "numeric");
  gtk_widget_add_css_class (count, "ms-sidebar-count");
  g_object_bind_property_full (list, "member-count", count, "label", G_BINDING_SYNC_CREATE,
                               ms_format_count_transform, NULL, NULL, NULL);

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), count);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "ms-list", g_object_ref (list), g_object_unref);
  return row;
}

static void
update_header (GtkListBoxRow *row,
               GtkListBoxRow *before,
               gpointer       user_data)
{
  const char *title = NULL;
  GtkWidget *header;

  if (before == NULL)
    title = _("Contacts");
  else if (gtk_list_box_row_get_index (row) == 1)
    title = _("Lists");

  if (title == NULL)
    {
      gtk_list_box_row_set_header (row, NULL);
      return;
    }
  header = gtk_label_new (title);
  gtk_label_set_xalign (GTK_LABEL (header), 0.0f);
  gtk_widget_add_css_class (header, "heading");
  gtk_widget_add_css_class (header, "dim-label");
  gtk_widget_add_css_class (header, "ms-sidebar-heading");
  gtk_list_box_row_set_header (row, header);
}

static MsContactList *
row_get_list (GtkListBoxRow *row)
{
  return row != NULL ? g_object_get_data (G_OBJECT (row), "ms-list") : NULL;
}

static GtkListBoxRow *
find_row (MsWindow *self,
          gint64    list_id)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->sidebar_list, i)) != NULL; i++)
    {
      if (ms_contact_list_get_id (row_get_list (row)) == list_id)
        return row;
    }
  return NULL;
}

/* Sections (Templates, Servers, later Campaigns): rows of their own list boxes,
 * each named after its page in content_stack.  One row of the whole sidebar is
 * selected at a time. */

static void
unselect_sections (MsWindow   *self,
                   GtkListBox *except)
{
  for (guint i = 0; i < self->section_lists->len; i++)
    {
      GtkListBox *list = g_ptr_array_index (self->section_lists, i);

      if (list != except)
        gtk_list_box_unselect_all (list);
    }
}

static GtkListBoxRow *
find_section_row (MsWindow   *self,
                  const char *name)
{
  for (guint i = 0; i < self->section_lists->len; i++)
    {
      GtkListBox *list = g_ptr_array_index (self->section_lists, i);
      GtkListBoxRow *row;

      for (int j = 0; (row = gtk_list_box_get_row_at_index (list, j)) != NULL; j++)
        if (g_strcmp0 (gtk_widget_get_name (GTK_WIDGET (row)), name) == 0)
          return row;
    }
  return NULL;
}

static void
on_section_row_selected_cb (MsWindow      *self,
                            GtkListBoxRow *row,
                            GtkListBox    *list)
{
  const char *name;

  if (row == NULL)
    return;

  name = gtk_widget_get_name (GTK_WIDGET (row));
  g_assert (gtk_stack_get_child_by_name (self->content_stack, name) != NULL);
  unselect_sections (self, list);
  gtk_list_box_unselect_all (self->sidebar_list);
  gtk_stack_set_visible_child_name (self->content_stack, name);
  _ms_window_actions_update (self);
}

static void
on_section_row_activated_cb (MsWindow      *self,
                             GtkListBoxRow *row,
                             GtkListBox    *list)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

void
_ms_window_add_section_list (MsWindow   *self,
                             GtkListBox *list)
{
  g_ptr_array_add (self->section_lists, list);
  g_signal_connect_object (list, "row-selected", G_CALLBACK (on_section_row_selected_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (list, "row-activated", G_CALLBACK (on_section_row_activated_cb), self,
                           G_CONNECT_SWAPPED);
}

static gboolean
showing_contacts (MsWindow *self)
{
  return g_strcmp0 (gtk_stack_get_visible_child_name (self->content_stack), "contacts") == 0;
}

static void
on_sidebar_row_selected_cb (MsWindow      *self,
                            GtkListBoxRow *row,
                            GtkListBox    *list_box)
{
  MsContactList *list = row_get_list (row);

  if (self->updating_lists || list == NULL)
    return;

  self->list_id = ms_contact_list_get_id (list);
  ms_contacts_view_set_list (self->contacts_view, self->list_id,
                             ms_contact_list_get_name (list));
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-list",
                           self->list_id != 0 ? ms_contact_list_get_name (list) : "");
  if (!self->quiet_select)
    {
      unselect_sections (self, NULL);
      gtk_stack_set_visible_child_name (self->content_stack, "contacts");
    }
  _ms_window_actions_update (self);
}

static void
on_sidebar_row_activated_cb (MsWindow      *self,
                             GtkListBoxRow *row,
                             GtkListBox    *list_box)
{
  adw_leaflet_navigate (self->leaflet, ADW_NAVIGATION_DIRECTION_FORWARD);
}

static void
on_sidebar_pressed_cb (GtkGestureClick *gesture,
                       int              n_press,
                       double           x,
                       double           y,
                       MsWindow        *self)
{
  GtkListBoxRow *row = gtk_list_box_get_row_at_y (self->sidebar_list, (int) y);
  MsContactList *list = row_get_list (row);
  graphene_point_t point;

  if (list == NULL || ms_contact_list_get_id (list) == 0)
    return;

  gtk_list_box_select_row (self->sidebar_list, row);
  if (!gtk_widget_compute_point (GTK_WIDGET (self->sidebar_list), GTK_WIDGET (row),
                                 &GRAPHENE_POINT_INIT ((float) x, (float) y), &point))
    return;

  if (self->list_popover == NULL)
    {
      self->list_popover = gtk_popover_menu_new_from_model (self->list_menu);
      gtk_popover_set_has_arrow (GTK_POPOVER (self->list_popover), FALSE);
      gtk_widget_set_halign (self->list_popover, GTK_ALIGN_START);
    }
  if (gtk_widget_get_parent (self->list_popover) != GTK_WIDGET (row))
    {
      g_object_ref (self->list_popover);
      if (gtk_widget_get_parent (self->list_popover) != NULL)
        gtk_widget_unparent (self->list_popover);
      gtk_widget_set_parent (self->list_popover, GTK_WIDGET (row));
      g_object_unref (self->list_popover);
    }
  gtk_popover_set_pointing_to (GTK_POPOVER (self->list_popover),
                               &(GdkRectangle) { (int) point.x, (int) point.y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->list_popover));
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
}

static void
select_list_row (MsWindow *self,
                 gint64    list_id)
{
  GtkListBoxRow *row = find_row (self, list_id);

  if (row == NULL)
    row = gtk_list_box_get_row_at_index (self->sidebar_list, 0);
  if (row != NULL)
    gtk_list_box_select_row (self->sidebar_list, row);
}

/* Reading lists (and opening the database the first time) */

static gpointer
load_lists_job (MsStore       *store,
                gpointer       data,
                GCancellable  *cancellable,
                GError       **error)
{
  MsContactQuery all = MS_CONTACT_QUERY_INIT;
  g_autoptr(GPtrArray) lists = NULL;
  gint64 total;

  if (!(lists = ms_store_list_lists (store, error)))
    return NULL;
  if ((total = ms_store_count_contacts (store, &all, error)) < 0)
    return NULL;
  g_ptr_array_insert (lists, 0, ms_contact_list_new (0, _("All Contacts"), total));
  return g_steal_pointer (&lists);
}

static void
show_open_error (MsWindow     *self,
                 const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, MS_STORE_ERROR, MS_STORE_ERROR_NEWER_SCHEMA))
    text = g_strdup_printf (_("%s\n\nInstall a newer Mailshot to use it, or start with another "
                              "database: mailshot --db FILE."), error->message);
  else
    text = g_strdup_printf (_("%s\n\nThe file is left as it is. Check that the disk is "
                              "readable and not full, or start with another database: "
                              "mailshot --db FILE."), error->message);
  adw_status_page_set_description (self->error_page, text);
  gtk_stack_set_visible_child_name (self->main_stack, "error");
}

static void
apply_lists (MsWindow  *self,
             GPtrArray *lists,
             gint64     select_id)
{
  guint n_old = g_list_model_get_n_items (G_LIST_MODEL (self->lists));

  self->updating_lists = TRUE;
  g_list_store_splice (self->lists, 0, n_old, lists->pdata, lists->len);
  self->updating_lists = FALSE;

  if (self->restore_list != NULL)
    {
      for (guint i = 1; i < lists->len; i++)
        {
          MsContactList *list = g_ptr_array_index (lists, i);

          if (g_strcmp0 (ms_contact_list_get_name (list), self->restore_list) == 0)
            select_id = ms_contact_list_get_id (list);
        }
      g_clear_pointer (&self->restore_list, g_free);
    }
  if (showing_contacts (self))
    select_list_row (self, select_id);
  else
    {
      /* Another section is shown: the contacts view follows the list, the
       * sidebar keeps that section's row selected. */
      self->quiet_select = TRUE;
      select_list_row (self, select_id);
      gtk_list_box_unselect_all (self->sidebar_list);
      self->quiet_select = FALSE;
    }
}

static void
on_lists_loaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MsWindow *self = MS_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) lists = ms_store_job_finish (result, &error);

  g_assert (self->lists_pending > 0);
  self->lists_pending--;

  if (lists == NULL)
    {
      if (!self->opened)
        show_open_error (self, error);
      else
        ms_window_add_toast (self, adw_toast_new_format (_("Could not read the lists: %s"),
                                                         error->message));
      update_loading (self);
      return;
    }

  if (!self->opened)
    {
      self->opened = TRUE;
      ms_contacts_view_set_db_path (self->contacts_view, self->db_path);
      ms_templates_view_set_db_path (self->templates_view, self->db_path);
      ms_servers_view_set_db_path (self->servers_view, self->db_path);
      ms_campaigns_view_set_db_path (self->campaigns_view, self->db_path);
    }
  apply_lists (self, lists, self->list_id);
  _ms_window_actions_update (self);
  update_loading (self);
}

/* select_id: the list to show afterwards; -1 keeps the current one. */
void
_ms_window_reload_lists (MsWindow *self,
                         gint64    select_id)
{
  self->lists_pending++;
  if (select_id >= 0)
    self->list_id = select_id;
  ms_store_job_run (self, self->db_path, load_lists_job, NULL, NULL,
                    (GDestroyNotify) g_ptr_array_unref, self->cancellable,
                    on_lists_loaded_cb, NULL);
  update_loading (self);
}

MsContactList *
_ms_window_get_current_list (MsWindow *self)
{
  GtkListBoxRow *row = find_row (self, self->list_id);

  return self->list_id != 0 ? row_get_list (row) : NULL;
}

/* Signals */

static void
on_contacts_changed_cb (MsWindow       *self,
                        MsContactsView *view)
{
  _ms_window_reload_lists (self, -1);
}

static void
on_view_loading_cb (MsWindow       *self,
                    GParamSpec     *pspec,
                    MsContactsView *view)
{
  update_loading (self);
}

static void
on_imported_cb (MsWindow       *self,
                MsImportDialog *dialog)
{
  ms_window_reload (self);
}

static gboolean
is_importable (GFile *file)
{
  g_autofree char *name = g_file_get_basename (file);
  g_autofree char *lower = name != NULL ? g_utf8_strdown (name, -1) : NULL;

  return lower != NULL
         && (g_str_has_suffix (lower, ".csv") || g_str_has_suffix (lower, ".tsv")
             || g_str_has_suffix (lower, ".txt"));
}

static gboolean
on_drop_cb (GtkDropTarget *target,
            const GValue  *value,
            double         x,
            double         y,
            MsWindow      *self)
{
  GdkFileList *list = g_value_get_boxed (value);
  g_autoptr(GSList) files = list != NULL ? gdk_file_list_get_files (list) : NULL;

  if (!self->opened || files == NULL)
    return FALSE;
  if (!is_importable (files->data))
    {
      ms_window_add_toast (self, adw_toast_new (_("Only CSV files can be imported")));
      return FALSE;
    }
  ms_window_open_import (self, files->data);
  return TRUE;
}

/* Window state */

static void
restore_window_state (MsWindow *self)
{
  g_autofree char *view = NULL;

  if (self->settings == NULL)
    return;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  /* A saved section that does not exist (yet) falls back to Contacts. */
  view = g_settings_get_string (self->settings, "last-view");
  if (find_section_row (self, view) != NULL)
    ms_window_show_section (self, view);
  self->restore_list = g_settings_get_string (self->settings, "last-list");
  if (self->restore_list[0] == '\0')
    g_clear_pointer (&self->restore_list, g_free);
}

static void
save_window_state (MsWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", MAX (width, 360));
      g_settings_set_int (self->settings, "window-height", MAX (height, 294));
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_set_string (self->settings, "last-view",
                         gtk_stack_get_visible_child_name (self->content_stack));
  g_settings_apply (self->settings);
}

/* GObject */

/* The dialogs of a closed window go with it. */
static void
destroy_dialogs (MsWindow *self)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = g_list_model_get_n_items (toplevels); i > 0; i--)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i - 1);

      if (gtk_window_get_transient_for (window) == GTK_WINDOW (self))
        {
          gtk_window_set_transient_for (window, NULL);
          gtk_window_destroy (window);
        }
    }
}

static void
on_close_confirmed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(MsWindow) self = user_data;

  if (ms_templates_view_confirm_close_finish (MS_TEMPLATES_VIEW (source), result))
    {
      self->close_confirmed = TRUE;
      gtk_window_close (GTK_WINDOW (self));
    }
}

static gboolean
check_background_cb (gpointer data)
{
  MsWindow *self = data;

  if (ms_campaigns_view_get_active (self->campaigns_view))
    return G_SOURCE_CONTINUE;
  /* Nothing left to send in the background: the app may end now. */
  self->background_id = 0;
  g_signal_handlers_disconnect_by_data (self, GINT_TO_POINTER (1));
  gtk_window_close (GTK_WINDOW (self));
  g_application_release (g_application_get_default ());
  return G_SOURCE_REMOVE;
}

/* Shown again (the app was activated) while it sent in the background. */
static void
on_shown_again_cb (MsWindow   *self,
                   GParamSpec *pspec,
                   gpointer    tag)
{
  if (!gtk_widget_get_visible (GTK_WIDGET (self)) || self->background_id == 0)
    return;
  g_clear_handle_id (&self->background_id, g_source_remove);
  g_signal_handlers_disconnect_by_data (self, tag);
  self->close_sending = FALSE;
  g_application_release (g_application_get_default ());
}

static void
on_close_sending_response_cb (MsWindow         *self,
                              const char       *response,
                              AdwMessageDialog *dialog)
{
  GApplication *app = g_application_get_default ();

  if (g_str_equal (response, "pause"))
    {
      self->close_sending = TRUE;
      ms_campaigns_view_pause_all (self->campaigns_view);
      gtk_window_close (GTK_WINDOW (self));
    }
  else if (g_str_equal (response, "background"))
    {
      self->close_sending = TRUE;
      if (app != NULL)
        {
          g_application_hold (app);
          ms_campaigns_view_send_notification (self->campaigns_view, "sending-in-background",
                                               _("Mailshot keeps sending"),
                                               _("The campaign continues in the background. "
                                                 "You will be told when it is done."));
          gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
          self->background_id = g_timeout_add_seconds_full (G_PRIORITY_DEFAULT, 2, check_background_cb,
                                                            g_object_ref (self), g_object_unref);
          g_signal_connect (self, "notify::visible", G_CALLBACK (on_shown_again_cb), GINT_TO_POINTER (1));
        }
      else
        gtk_window_close (GTK_WINDOW (self));
    }
}

static gboolean
ms_window_close_request (GtkWindow *window)
{
  MsWindow *self = MS_WINDOW (window);

  /* A template with unsaved changes: the person saves or discards them first. */
  if (!self->close_confirmed && ms_templates_view_get_dirty (self->templates_view))
    {
      ms_window_show_section (self, "templates");
      ms_templates_view_confirm_close_async (self->templates_view, on_close_confirmed_cb, g_object_ref (self));
      return TRUE;
    }

  /* A campaign sends: keep sending in the background, or pause it and quit. */
  if (!self->close_sending && ms_campaigns_view_get_active (self->campaigns_view))
    {
      AdwMessageDialog *dialog;

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Keep Sending?"),
                                                           _("A campaign is sending. Mailshot can keep "
                                                             "sending in the background and tell you when it "
                                                             "is done, or pause the campaign and quit; it "
                                                             "continues when you resume it.")));
      adw_message_dialog_add_responses (dialog,
                                        "cancel", _("_Cancel"),
                                        "pause", _("_Pause and Quit"),
                                        "background", _("_Keep Sending"),
                                        NULL);
      adw_message_dialog_set_response_appearance (dialog, "background", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (dialog, "background");
      adw_message_dialog_set_close_response (dialog, "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_close_sending_response_cb), self,
                               G_CONNECT_SWAPPED);
      gtk_window_present (GTK_WINDOW (dialog));
      return TRUE;
    }

  save_window_state (self);
  destroy_dialogs (self);

  return GTK_WINDOW_CLASS (ms_window_parent_class)->close_request (window);
}

/* After an automatic bounce check that read a mailbox, the campaign counts
 * (bounced, suppressed) may have changed. */
static void
on_bounces_checked_cb (MsWindow        *self,
                       MsBounceMonitor *monitor)
{
  if (ms_bounce_monitor_get_n_checked (monitor) > 0)
    ms_campaigns_view_reload (self->campaigns_view);
}

/* The same after Check Mailbox Now in the Servers view. */
static void
on_mailbox_checked_cb (MsWindow *self,
                       gint64    server_id,
                       guint     fetched)
{
  if (fetched > 0)
    ms_campaigns_view_reload (self->campaigns_view);
}

/* "application" is not a construct property of GtkWindow: this runs once it is set. */
static void
start (MsWindow      *self,
       MsApplication *app)
{
  self->db_path = g_strdup (ms_application_get_db_path (app));
  self->settings = ms_application_get_settings (app);
  if (self->settings != NULL)
    g_object_ref (self->settings);
  if (ms_application_get_bounce_monitor (app) != NULL)
    g_signal_connect_object (ms_application_get_bounce_monitor (app), "checked",
                             G_CALLBACK (on_bounces_checked_cb), self, G_CONNECT_SWAPPED);

  if (DEVELOPMENT_BUILD)
    gtk_widget_add_css_class (GTK_WIDGET (self), "devel");

  restore_window_state (self);
  ms_contacts_view_set_lists (self->contacts_view, G_LIST_MODEL (self->lists));
  _ms_window_reload_lists (self, -1);
}

static void
ms_window_dispose (GObject *object)
{
  MsWindow *self = MS_WINDOW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->list_popover != NULL)
    g_clear_pointer (&self->list_popover, gtk_widget_unparent);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_WINDOW);
  g_clear_object (&self->settings);
  g_clear_object (&self->lists);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->section_lists, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_window_parent_class)->dispose (object);
}

static void
ms_window_finalize (GObject *object)
{
  MsWindow *self = MS_WINDOW (object);

  g_free (self->db_path);
  g_free (self->restore_list);

  G_OBJECT_CLASS (ms_window_parent_class)->finalize (object);
}

static void
ms_window_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsWindow *self = MS_WINDOW (object);

  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, ms_window_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_window_class_init (MsWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ms_window_dispose;
  object_class->finalize = ms_window_finalize;
  object_class->get_property = ms_window_get_property;
  window_class->close_request = ms_window_close_request;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, TRUE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-window.ui");
  gtk_widget_class_bind_template_child (widget_class, MsWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, content_stack);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, contacts_view);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, campaigns_list);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, campaigns_view);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, sections_list);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, templates_view);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, servers_view);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, MsWindow, list_menu);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_sidebar_row_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_contacts_changed_cb);

  _ms_window_class_actions_init (klass);

  g_type_ensure (MS_TYPE_CONTACTS_VIEW);
  g_type_ensure (MS_TYPE_TEMPLATES_VIEW);
  g_type_ensure (MS_TYPE_SERVERS_VIEW);
  g_type_ensure (MS_TYPE_CAMPAIGNS_VIEW);
}

static void
ms_window_init (MsWindow *self)
{
  GtkDropTarget *drop;
  GtkGesture *click;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->lists = g_list_store_new (MS_TYPE_CONTACT_LIST);
  self->section_lists = g_ptr_array_new ();
  _ms_window_add_section_list (self, self->campaigns_list);
  _ms_window_add_section_list (self, self->sections_list);
  gtk_list_box_bind_model (self->sidebar_list, G_LIST_MODEL (self->lists),
                           create_list_row, NULL, NULL);
  gtk_list_box_set_header_func (self->sidebar_list, update_header, NULL, NULL);

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect (click, "pressed", G_CALLBACK (on_sidebar_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self->sidebar_list), GTK_EVENT_CONTROLLER (click));

  drop = gtk_drop_target_new (GDK_TYPE_FILE_LIST, GDK_ACTION_COPY);
  g_signal_connect (drop, "drop", G_CALLBACK (on_drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  g_signal_connect_object (self->servers_view, "mailbox-checked",
                           G_CALLBACK (on_mailbox_checked_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->contacts_view, "notify::loading",
                           G_CALLBACK (on_view_loading_cb), self, G_CONNECT_SWAPPED);
  self->loading = TRUE;
}

/* Public API */

MsWindow *
ms_window_new (MsApplication *application)
{
  MsWindow *self;

  g_return_val_if_fail (MS_IS_APPLICATION (application), NULL);

  self = g_object_new (MS_TYPE_WINDOW, "application", application, NULL);
  start (self, application);
  return self;
}

const char *
ms_window_get_db_path (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return self->db_path;
}

MsContactsView *
ms_window_get_contacts_view (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return self->contacts_view;
}

/**
 * ms_window_get_lists:
 *
 * Returns: (transfer none): the sidebar's lists: "All Contacts" (id 0) first,
 * then every list with its member count
 */
GListModel *
ms_window_get_lists (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->lists);
}

gint64
ms_window_get_list_id (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), 0);

  return self->list_id;
}

void
ms_window_select_list (MsWindow *self,
                       gint64    list_id)
{
  g_return_if_fail (MS_IS_WINDOW (self));

  select_list_row (self, list_id);
}

/**
 * ms_window_show_section:
 * @name: "contacts", "templates" or "servers"
 *
 * Shows a section of the sidebar as if its row was clicked; Contacts shows
 * the list shown last.
 */
void
ms_window_show_section (MsWindow   *self,
                        const char *name)
{
  GtkListBoxRow *row;

  g_return_if_fail (MS_IS_WINDOW (self));
  g_return_if_fail (name != NULL);

  if (g_str_equal (name, "contacts"))
    {
      row = find_row (self, self->list_id);
      if (row != NULL)
        gtk_list_box_select_row (self->sidebar_list, row);
      else
        {
          unselect_sections (self, NULL);
          gtk_stack_set_visible_child_name (self->content_stack, "contacts");
        }
      return;
    }

  row = find_section_row (self, name);
  g_return_if_fail (row != NULL);
  gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (GTK_WIDGET (row))), row);
}

/* The name of the section shown: "contacts", "templates", "servers". */
const char *
ms_window_get_section (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->content_stack);
}

/**
 * ms_window_get_loading:
 *
 * Whether the window is still reading: the database is being opened, the
 * lists read, or the contacts view loads rows.
 */
gboolean
ms_window_get_loading (MsWindow *self)
{
  g_return_val_if_fail (MS_IS_WINDOW (self), FALSE);

  if (gtk_stack_get_visible_child (self->main_stack) != NULL
      && g_strcmp0 (gtk_stack_get_visible_child_name (self->main_stack), "error") == 0)
    return FALSE;
  return !self->opened || self->lists_pending > 0
         || ms_contacts_view_get_loading (self->contacts_view);
}

void
ms_window_add_toast (MsWindow *self,
                     AdwToast *toast)
{
  g_return_if_fail (MS_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

/**
 * ms_window_reload:
 *
 * Reads the lists and the contacts again, after something else (an import)
 * changed the database.
 */
void
ms_window_reload (MsWindow *self)
{
  g_return_if_fail (MS_IS_WINDOW (self));

  if (!self->opened)
    return;
  _ms_window_reload_lists (self, -1);
  ms_contacts_view_refresh (self->contacts_view);
}

/**
 * ms_window_open_import:
 * @file: (nullable): a file to preview at once, skipping the file chooser
 *
 * Returns: (transfer none): the import dialog, shown
 */
MsImportDialog *
ms_window_open_import (MsWindow *self,
                       GFile    *file)
{
  MsImportDialog *dialog;

  g_return_val_if_fail (MS_IS_WINDOW (self), NULL);

  dialog = ms_import_dialog_new (GTK_WINDOW (self), self->db_path, self->list_id);
  ms_dialog_hold_parent (GTK_WINDOW (dialog));
  g_signal_connect_object (dialog, "imported", G_CALLBACK (on_imported_cb), self,
                           G_CONNECT_SWAPPED);
  if (file != NULL)
    ms_import_dialog_set_file (dialog, file);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

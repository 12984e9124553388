/* ms-contact-editor.c
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

#define G_LOG_DOMAIN "ms-contact-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-address.h"
#include "ms-contact-editor.h"
#include "ms-format.h"
#include "ms-store-job.h"

struct _MsContactEditor
{
  AdwWindow            parent_instance;

  /* Template */
  AdwWindowTitle      *window_title;
  GtkWidget           *save_button;
  GtkRevealer         *error_revealer;
  GtkLabel            *error_label;
  GtkStack            *stack;
  AdwEntryRow         *email_row;
  AdwEntryRow         *name_row;
  AdwEntryRow         *first_name_row;
  AdwEntryRow         *last_name_row;
  AdwComboRow         *status_row;
  AdwEntryRow         *reason_row;
  AdwPreferencesGroup *fields_group;
  AdwActionRow        *added_row;
  AdwActionRow        *status_time_row;

  /* State */
  char                *db_path;
  gint64               contact_id;
  MsContact           *contact;      /* as read; NULL until then */
  GPtrArray           *field_rows;   /* AdwEntryRow, titled with the field name */
  GCancellable        *cancellable;
  gboolean             busy;
  gboolean             filling;
};

G_DEFINE_FINAL_TYPE (MsContactEditor, ms_contact_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

static void
set_busy (MsContactEditor *self,
          gboolean         busy)
{
  if (self->busy == busy)
    return;
  self->busy = busy;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
show_error (MsContactEditor *self,
            const char      *message)
{
  if (message != NULL)
    gtk_label_set_label (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, message != NULL);
}

static const char *
row_text (AdwEntryRow *row)
{
  return gtk_editable_get_text (GTK_EDITABLE (row));
}

/* Validates as the person types; returns the normalised address or NULL. */
static char *
validate (MsContactEditor *self)
{
  g_autoptr(GError) error = NULL;
  char *email = ms_address_normalize (row_text (self->email_row), &error);

  if (email == NULL)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says what is wrong, e.g. "the part after the @ is not a valid domain" */
      message = g_strdup_printf (_("This is not a valid address: %s"), error->message);
      gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
      show_error (self, message);
    }
  else
    {
      gtk_widget_remove_css_class (GTK_WIDGET (self->email_row), "error");
      show_error (self, NULL);
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 email != NULL && self->contact != NULL && !self->busy);
  return email;
}

static void
on_field_changed_cb (MsContactEditor *self)
{
  g_autofree char *email = NULL;

  if (self->filling)
    return;
  email = validate (self);
}

static void
on_status_changed_cb (MsContactEditor *self)
{
  guint status = adw_combo_row_get_selected (self->status_row);

  gtk_widget_set_visible (GTK_WIDGET (self->reason_row), status != MS_CONTACT_STATUS_ACTIVE);
  on_field_changed_cb (self);
}

static void
set_date_row (AdwActionRow *row,
              gint64        unix_time)
{
  g_autoptr(GDateTime) dt = unix_time > 0 ? g_date_time_new_from_unix_local (unix_time) : NULL;
  g_autofree char *text = dt != NULL ? g_date_time_format (dt, "%c") : NULL;

  adw_action_row_set_subtitle (row, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (row), text != NULL);
}

static void
fill_form (MsContactEditor *self)
{
  MsContact *c = self->contact;
  const char *reason = ms_contact_get_status_reason (c);
  g_auto(GStrv) names = ms_contact_dup_field_names (c);

  self->filling = TRUE;
  adw_window_title_set_subtitle (self->window_title, ms_contact_get_email (c));
  gtk_editable_set_text (GTK_EDITABLE (self->email_row), ms_contact_get_email (c));
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), ms_contact_get_name (c));
  gtk_editable_set_text (GTK_EDITABLE (self->first_name_row), ms_contact_get_first_name (c));
  gtk_editable_set_text (GTK_EDITABLE (self->last_name_row), ms_contact_get_last_name (c));
  adw_combo_row_set_selected (self->status_row, ms_contact_get_status (c));
  gtk_editable_set_text (GTK_EDITABLE (self->reason_row), reason != NULL ? reason : "");

  for (guint i = 0; names[i] != NULL; i++)
    {
      GtkWidget *row = adw_entry_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), names[i]);
      adw_preferences_row_set_use_underline (ADW_PREFERENCES_ROW (row), FALSE);
      gtk_editable_set_text (GTK_EDITABLE (row), ms_contact_get_field (c, names[i]));
      adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
      adw_preferences_group_add (self->fields_group, row);
      g_ptr_array_add (self->field_rows, row);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->fields_group), names[0] != NULL);

  set_date_row (self->added_row, ms_contact_get_created_at (c));
  set_date_row (self->status_time_row, ms_contact_get_status (c) != MS_CONTACT_STATUS_ACTIVE
                                       ? ms_contact_get_status_time (c) : 0);
  self->filling = FALSE;

  on_status_changed_cb (self);
  gtk_stack_set_visible_child_name (self->stack, "form");
  gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
}

/* Reading */

static gpointer
load_job (MsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  gint64 *id = data;

  return ms_store_get_contact (store, *id, error);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (source);
  g_autoptr(GError) error = NULL;
  MsContact *contact = ms_store_job_finish (result, &error);

  set_busy (self, FALSE);
  if (contact == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      show_error (self, error->message);
      gtk_stack_set_visible_child_name (self->stack, "form");
      gtk_widget_set_sensitive (gtk_stack_get_visible_child (self->stack), FALSE);
      return;
    }
  self->contact = contact;
  fill_form (self);
}

/* Saving */

static MsContact *
contact_from_form (MsContactEditor *self,
                   const char      *email)
{
  MsContact *contact = ms_contact_new (email);
  g_autofree char *fields = ms_contact_dup_fields_json (self->contact);
  MsContactStatus status = adw_combo_row_get_selected (self->status_row);
  g_autofree char *reason = g_strstrip (g_strdup (row_text (self->reason_row)));

  ms_contact_set_id (contact, self->contact_id);
  ms_contact_set_name (contact, row_text (self->name_row));
  ms_contact_set_first_name (contact, row_text (self->first_name_row));
  ms_contact_set_last_name (contact, row_text (self->last_name_row));
  ms_contact_set_status (contact, status);
  ms_contact_set_status_reason (contact, status != MS_CONTACT_STATUS_ACTIVE && reason[0] != '\0'
                                         ? reason : NULL);
  ms_contact_set_status_time (contact, ms_contact_get_status_time (self->contact));
  ms_contact_set_created_at (contact, ms_contact_get_created_at (self->contact));
  ms_contact_set_fields_json (contact, fields, NULL);
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      AdwEntryRow *row = g_ptr_array_index (self->field_rows, i);
      const char *name = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
      const char *value = row_text (row);

      ms_contact_set_field (contact, name, value[0] != '\0' ? value : NULL);
    }
  return contact;
}

static gpointer
save_job (MsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  MsContact *contact = data;

  if (!ms_store_update_contact (store, contact, error))
    return NULL;
  /* Read back what the store made of it (status time). */
  return ms_store_get_contact (store, ms_contact_get_id (contact), error);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) saved = ms_store_job_finish (result, &error);

  set_busy (self, FALSE);
  if (saved == NULL)
    {
      g_autofree char *email = NULL;

      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      email = validate (self);
      show_error (self, error->message);
      if (g_error_matches (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS))
        {
          gtk_widget_add_css_class (GTK_WIDGET (self->email_row), "error");
          gtk_widget_grab_focus (GTK_WIDGET (self->email_row));
        }
      return;
    }

  g_set_object (&self->contact, saved);
  g_signal_emit (self, signals[SAVED], 0, saved);
  gtk_window_close (GTK_WINDOW (self));
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (widget);
  g_autofree char *email = NULL;
  MsContact *contact;

  if (self->busy || self->contact == NULL || !(email = validate (self)))
    return;

  contact = contact_from_form (self, email);
  set_busy (self, TRUE);
  gtk_widget_action_set_enabled (widget, "editor.save", FALSE);
  ms_store_job_run (self, self->db_path, save_job, contact, g_object_unref, g_object_unref,
                    self->cancellable, on_saved_cb, NULL);
}

/* GObject */

static void
start_loading (MsContactEditor *self)
{
  gint64 *id = g_new (gint64, 1);

  *id = self->contact_id;
  set_busy (self, TRUE);
  ms_store_job_run (self, self->db_path, load_job, id, g_free, g_object_unref,
                    self->cancellable, on_loaded_cb, NULL);
}

static void
ms_contact_editor_dispose (GObject *object)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_CONTACT_EDITOR);
  g_clear_object (&self->contact);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_contact_editor_parent_class)->dispose (object);
}

static void
ms_contact_editor_finalize (GObject *object)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (ms_contact_editor_parent_class)->finalize (object);
}

static void
ms_contact_editor_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsContactEditor *self = MS_CONTACT_EDITOR (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_editor_class_init (MsContactEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_contact_editor_dispose;
  object_class->finalize = ms_contact_editor_finalize;
  object_class->get_property = ms_contact_editor_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, MS_TYPE_CONTACT);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/ui/ms-contact-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, error_label);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, stack);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, email_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, first_name_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, last_name_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, status_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, reason_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, fields_group);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, added_row);
  gtk_widget_class_bind_template_child (widget_class, MsContactEditor, status_time_row);
  gtk_widget_class_bind_template_callback (widget_class, on_field_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_status_changed_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
}

static void
ms_contact_editor_init (MsContactEditor *self)
{
  AdwEntryRow *rows[5];

  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->field_rows = g_ptr_array_new ();
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
  gtk_window_set_default_widget (GTK_WINDOW (self), self->save_button);

  rows[0] = self->email_row;
  rows[1] = self->name_row;
  rows[2] = self->first_name_row;
  rows[3] = self->last_name_row;
  rows[4] = self->reason_row;
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    adw_entry_row_set_activates_default (rows[i], TRUE);
}

MsContactEditor *
ms_contact_editor_new (GtkWindow  *parent,
                       const char *db_path,
                       gint64      contact_id)
{
  MsContactEditor *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (contact_id > 0, NULL);

  self = g_object_new (MS_TYPE_CONTACT_EDITOR, "transient-for", parent, NULL);
  self->db_path = g_strdup (db_path);
  self->contact_id = contact_id;
  start_loading (self);
  return self;
}

/**
 * ms_contact_editor_get_contact:
 *
 * Returns: (transfer none) (nullable): the contact as read (or as saved)
 */
MsContact *
ms_contact_editor_get_contact (MsContactEditor *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_EDITOR (self), NULL);

  return self->contact;
}

/* Whether the contact is being read or saved. */
gboolean
ms_contact_editor_get_busy (MsContactEditor *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_EDITOR (self), FALSE);

  return self->busy;
}

/**
 * ms_contact_editor_get_error:
 *
 * Returns: (nullable): the message shown above the form, if one is
 */
const char *
ms_contact_editor_get_error (MsContactEditor *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_EDITOR (self), NULL);

  if (!gtk_revealer_get_reveal_child (self->error_revealer))
    return NULL;
  return gtk_label_get_label (self->error_label);
}

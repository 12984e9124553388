/* ms-templates-view.c
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

#define G_LOG_DOMAIN "ms-templates-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-dialog-util.h"
#include "ms-send-test-dialog.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"
#include "ms-templates-view.h"
#include "ms-window.h"

/* The preview offers this many contacts (the first by address). */
#define PREVIEW_CONTACTS 500

struct _MsTemplatesView
{
  AdwBin            parent_instance;

  /* Template */
  AdwWindowTitle   *window_title;
  GtkStack         *stack;
  GtkSpinner       *spinner;
  GtkListBox       *template_list;
  MsTemplateEditor *editor;
  AdwStatusPage    *error_page;

  /* State */
  char             *db_path;
  GCancellable     *cancellable;
  GListStore       *templates;      /* MsTemplate */
  GListStore       *contacts;       /* MsContact, for the preview */
  GStrv             custom_fields;
  gint64            selected_id;    /* the template in the editor, 0 for none */
  gint64            pending_id;     /* to show once the person answered about unsaved changes */
  guint             pending;        /* jobs in flight */
  gboolean          loading;        /* last notified */
  gboolean          folded;
  gboolean          updating;       /* changing the list, not the person */
  GTask            *close_task;     /* confirm_close_async waiting for a save */
};

G_DEFINE_FINAL_TYPE (MsTemplatesView, ms_templates_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLDED,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void save_template (MsTemplatesView *self,
                           gint64           then_show);

static void
add_toast (MsTemplatesView *self,
           AdwToast        *toast)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), MS_TYPE_WINDOW);

  if (window != NULL)
    ms_window_add_toast (MS_WINDOW (window), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
set_pending (MsTemplatesView *self,
             int              delta)
{
  gboolean loading;

  g_assert (delta > 0 || self->pending > 0);
  self->pending += delta;
  loading = self->pending > 0;
  gtk_spinner_set_spinning (self->spinner, loading);
  if (loading != self->loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static MsTemplate *
find_template (MsTemplatesView *self,
               gint64           id,
               guint           *position)
{
  GListModel *model = G_LIST_MODEL (self->templates);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(MsTemplate) tmpl = g_list_model_get_item (model, i);

      if (ms_template_get_id (tmpl) == id)
        {
          if (position != NULL)
            *position = i;
          return tmpl;   /* the store keeps it */
        }
    }
  return NULL;
}

static void
update_actions (MsTemplatesView *self)
{
  gboolean has = self->selected_id != 0;
  gboolean dirty = ms_template_editor_get_dirty (self->editor);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.new", self->db_path != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.save", has && dirty);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.discard", has && dirty);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.duplicate", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.delete", has);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "templates.send-test", has);
}

static void
update_title (MsTemplatesView *self)
{
  MsTemplate *tmpl = ms_template_editor_get_template (self->editor);
  g_autofree char *subtitle = NULL;

  if (self->selected_id != 0 && tmpl != NULL)
    {
      const char *name = ms_template_get_name (tmpl) != NULL ? ms_template_get_name (tmpl) : "";

      if (ms_template_editor_get_dirty (self->editor))
        /* TRANSLATORS: the window subtitle of a template with unsaved changes */
        subtitle = g_strdup_printf (_("%s • unsaved changes"), name);
      else
        subtitle = g_strdup (name);
    }
  adw_window_title_set_subtitle (self->window_title, subtitle);
}

static void
on_editor_changed_cb (MsTemplatesView *self)
{
  update_title (self);
  update_actions (self);
}

static void
on_editor_problem_cb (MsTemplatesView  *self,
                      const char       *text,
                      MsTemplateEditor *editor)
{
  add_toast (self, adw_toast_new (text));
}

/* The list */

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  MsTemplate *tmpl = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (ms_template_get_name (tmpl));
  GtkWidget *subject = gtk_label_new (ms_template_get_subject (tmpl) != NULL && ms_template_get_subject (tmpl)[0]
                                      ? ms_template_get_subject (tmpl) : _("No subject"));

  gtk_label_set_xalign (GTK_LABEL (name), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (subject), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (subject), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (subject, "dim-label");
  gtk_widget_add_css_class (subject, "caption");
  gtk_box_append (GTK_BOX (box), name);
  gtk_box_append (GTK_BOX (box), subject);
  gtk_widget_set_margin_top (box, 4);
  gtk_widget_set_margin_bottom (box, 4);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  g_object_set_data_full (G_OBJECT (row), "ms-template", g_object_ref (tmpl), g_object_unref);
  return row;
}

static GtkListBoxRow *
find_row (MsTemplatesView *self,
          gint64           id)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->template_list, i)) != NULL; i++)
    {
      MsTemplate *tmpl = g_object_get_data (G_OBJECT (row), "ms-template");

      if (ms_template_get_id (tmpl) == id)
        return row;
    }
  return NULL;
}

static void
select_row_quietly (MsTemplatesView *self,
                    gint64           id)
{
  GtkListBoxRow *row = find_row (self, id);

  self->updating = TRUE;
  if (row != NULL)
    gtk_list_box_select_row (self->template_list, row);
  else
    gtk_list_box_unselect_all (self->template_list);
  self->updating = FALSE;
}

/* Puts the template @id into the editor (0: the first one). */
static void
show_template (MsTemplatesView *self,
               gint64           id)
{
  MsTemplate *tmpl = find_template (self, id, NULL);

  if (tmpl == NULL && g_list_model_get_n_items (G_LIST_MODEL (self->templates)) > 0)
    {
      g_autoptr(MsTemplate) first = g_list_model_get_item (G_LIST_MODEL (self->templates), 0);

      tmpl = find_template (self, ms_template_get_id (first), NULL);
    }
  self->selected_id = tmpl != NULL ? ms_template_get_id (tmpl) : 0;
  ms_template_editor_set_template (self->editor, tmpl);
  select_row_quietly (self, self->selected_id);
  gtk_stack_set_visible_child_name (self->stack, tmpl != NULL ? "editor" : "empty");
  update_title (self);
  update_actions (self);
}

static void
finish_close_task (MsTemplatesView *self,
                   gboolean         may_close)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->close_task);

  if (task != NULL)
    g_task_return_boolean (task, may_close);
}

static void
on_unsaved_response_cb (AdwMessageDialog *dialog,
                        const char       *response,
                        MsTemplatesView  *self)
{
  gint64 id = self->pending_id;

  self->pending_id = 0;
  if (g_strcmp0 (response, "discard") == 0)
    {
      if (self->close_task != NULL)
        ms_template_editor_discard (self->editor);
      else
        show_template (self, id);
      finish_close_task (self, TRUE);
    }
  else if (g_strcmp0 (response, "save") == 0)
    save_template (self, id);   /* the close task ends when it is saved */
  else
    finish_close_task (self, FALSE);
}

/* then_show: the template to show afterwards; 0 when the window closes. */
static void
ask_about_changes (MsTemplatesView *self,
                   gint64           then_show)
{
  MsTemplate *tmpl = ms_template_editor_get_template (self->editor);
  g_autofree char *heading = g_strdup_printf (_("Save Changes to “%s”?"), ms_template_get_name (tmpl));
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog;

  self->pending_id = then_show;
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                                       self->close_task != NULL
                                                       ? _("The template has changes that are not saved yet.")
                                                       : _("Unsaved changes are lost when you switch without "
                                                           "saving.")));
  adw_message_dialog_add_responses (dialog,
                                    "cancel", _("_Cancel"),
                                    "discard", _("_Discard"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_unsaved_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_row_selected_cb (MsTemplatesView *self,
                    GtkListBoxRow   *row)
{
  MsTemplate *tmpl = row != NULL ? g_object_get_data (G_OBJECT (row), "ms-template") : NULL;

  if (self->updating || tmpl == NULL || ms_template_get_id (tmpl) == self->selected_id)
    return;

  if (ms_template_editor_get_dirty (self->editor))
    {
      gint64 wanted = ms_template_get_id (tmpl);

      /* The row of the edited template stays selected until the person answers. */
      select_row_quietly (self, self->selected_id);
      ask_about_changes (self, wanted);
      return;
    }
  show_template (self, ms_template_get_id (tmpl));
}

/* Reading */

typedef struct
{
  GPtrArray *templates;   /* MsTemplate */
  GPtrArray *contacts;    /* MsContact */
  GPtrArray *servers;     /* MsServer */
  GStrv      custom_fields;
} Loaded;

static void
loaded_free (gpointer data)
{
  Loaded *loaded = data;

  g_clear_pointer (&loaded->templates, g_ptr_array_unref);
  g_clear_pointer (&loaded->contacts, g_ptr_array_unref);
  g_clear_pointer (&loaded->servers, g_ptr_array_unref);
  g_strfreev (loaded->custom_fields);
  g_free (loaded);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Loaded, loaded_free)

static gpointer
load_job (MsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(Loaded) loaded = g_new0 (Loaded, 1);
  MsContactQuery query = MS_CONTACT_QUERY_INIT;

  query.status = MS_CONTACT_STATUS_ACTIVE;
  if (!(loaded->templates = ms_store_list_templates (store, error))
      || !(loaded->contacts = ms_store_list_contacts (store, &query, 0, PREVIEW_CONTACTS, error))
      || !(loaded->servers = ms_store_list_servers (store, error))
      || !(loaded->custom_fields = ms_store_list_field_names (store, error)))
    return NULL;
  return g_steal_pointer (&loaded);
}

/* Without contacts the preview uses a stand-in, named as such. */
static MsContact *
sample_contact (void)
{
  MsContact *contact = ms_contact_new ("sample.contact@example.org");

  ms_contact_set_first_name (contact, _("Sample"));
  ms_contact_set_last_name (contact, _("Contact"));
  return contact;
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(Loaded) loaded = ms_store_job_finish (result, &error);
  MsTemplate *current;

  set_pending (self, -1);
  if (loaded == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  g_strfreev (self->custom_fields);
  self->custom_fields = g_steal_pointer (&loaded->custom_fields);
  if (loaded->contacts->len == 0)
    g_ptr_array_add (loaded->contacts, sample_contact ());
  g_list_store_splice (self->contacts, 0, g_list_model_get_n_items (G_LIST_MODEL (self->contacts)),
                       loaded->contacts->pdata, loaded->contacts->len);
  ms_template_editor_set_context (self->editor, (const char * const *) self->custom_fields,
                                  G_LIST_MODEL (self->contacts), loaded->servers);

  self->updating = TRUE;
  g_list_store_splice (self->templates, 0, g_list_model_get_n_items (G_LIST_MODEL (self->templates)),
                       loaded->templates->pdata, loaded->templates->len);
  self->updating = FALSE;

  /* Unsaved edits stay in the editor; otherwise it shows the stored template. */
  current = find_template (self, self->selected_id, NULL);
  if (current != NULL && self->selected_id != 0 && ms_template_editor_get_dirty (self->editor))
    {
      select_row_quietly (self, self->selected_id);
      gtk_stack_set_visible_child_name (self->stack, "editor");
      update_actions (self);
    }
  else
    show_template (self, self->selected_id);
}

void
ms_templates_view_reload (MsTemplatesView *self)
{
  g_return_if_fail (MS_IS_TEMPLATES_VIEW (self));

  if (self->db_path == NULL)
    return;
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, load_job, NULL, NULL, loaded_free, self->cancellable,
                    on_loaded_cb, NULL);
}

/* Writing */

static gpointer
add_template_job (MsStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  MsTemplate *tmpl = data;
  gint64 id = ms_store_add_template (store, tmpl, error);

  return id != 0 ? ms_store_get_template (store, id, error) : NULL;
}

static gpointer
update_template_job (MsStore       *store,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  MsTemplate *tmpl = data;

  if (!ms_store_update_template (store, tmpl, error))
    return NULL;
  return ms_store_get_template (store, ms_template_get_id (tmpl), error);
}

static gpointer
delete_template_job (MsStore       *store,
                     gpointer       data,
                     GCancellable  *cancellable,
                     GError       **error)
{
  return ms_store_delete_template (store, GPOINTER_TO_SIZE (data), error) ? MS_STORE_JOB_DONE : NULL;
}

static void
on_added_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsTemplate) stored = ms_store_job_finish (result, &error);

  set_pending (self, -1);
  if (stored == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, adw_toast_new_format (_("Could not create the template: %s"), error->message));
      return;
    }
  self->updating = TRUE;
  g_list_store_append (self->templates, stored);
  self->updating = FALSE;
  show_template (self, ms_template_get_id (stored));
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsTemplate) stored = ms_store_job_finish (result, &error);
  gint64 then_show = GPOINTER_TO_SIZE (user_data);
  guint position;

  set_pending (self, -1);
  if (stored == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, adw_toast_new_format (_("Could not save the template: %s"), error->message));
      finish_close_task (self, FALSE);
      return;
    }

  if (find_template (self, ms_template_get_id (stored), &position) != NULL)
    {
      self->updating = TRUE;
      g_list_store_splice (self->templates, position, 1, (gpointer *) &stored, 1);
      self->updating = FALSE;
    }
  if (ms_template_get_id (stored) == self->selected_id)
    {
      /* Edits made while it was written stay unsaved. */
      ms_template_editor_mark_saved (self->editor, stored);
      select_row_quietly (self, self->selected_id);
    }
  add_toast (self, adw_toast_new_format (_("Template “%s” saved"), ms_template_get_name (stored)));
  if (then_show != 0)
    show_template (self, then_show);
  update_title (self);
  update_actions (self);
  finish_close_task (self, TRUE);
}

static void
save_template (MsTemplatesView *self,
               gint64           then_show)
{
  MsTemplate *tmpl = ms_template_editor_get_template (self->editor);
  const char *name;

  if (tmpl == NULL)
    return;
  name = ms_template_get_name (tmpl);
  if (name == NULL || name[0] == '\0')
    {
      add_toast (self, adw_toast_new (_("Give the template a name before saving it")));
      finish_close_task (self, FALSE);
      return;
    }
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, update_template_job, ms_template_copy (tmpl), g_object_unref,
                    g_object_unref, self->cancellable, on_saved_cb, GSIZE_TO_POINTER ((gsize) then_show));
}

static char *
unused_name (MsTemplatesView *self,
             const char      *base)
{
  GListModel *model = G_LIST_MODEL (self->templates);

  for (guint n = 1; ; n++)
    {
      /* TRANSLATORS: a template name made unique, "New Template 2" */
      g_autofree char *name = n == 1 ? g_strdup (base) : g_strdup_printf (_("%s %u"), base, n);
      gboolean taken = FALSE;

      for (guint i = 0; i < g_list_model_get_n_items (model) && !taken; i++)
        {
          g_autoptr(MsTemplate) tmpl = g_list_model_get_item (model, i);

          taken = g_strcmp0 (ms_template_get_name (tmpl), name) == 0;
        }
      if (!taken)
        return g_steal_pointer (&name);
    }
}

static void
add_template (MsTemplatesView *self,
              MsTemplate      *tmpl)
{
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, add_template_job, tmpl, g_object_unref, g_object_unref,
                    self->cancellable, on_added_cb, NULL);
}

/* Actions */

static void
new_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (widget);
  g_autofree char *name = NULL;
  MsTemplate *tmpl;

  if (ms_template_editor_get_dirty (self->editor))
    {
      add_toast (self, adw_toast_new (_("Save or discard the changes first")));
      return;
    }
  name = unused_name (self, _("New Template"));
  tmpl = ms_template_new (name);
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_MARKDOWN);
  /* TRANSLATORS: the start of a new template; {{first_name | "there"}} must stay as it is */
  ms_template_set_body (tmpl, _("Hello {{first_name | \"there\"}},\n\n"));
  add_template (self, tmpl);
}

static void
duplicate_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (widget);
  MsTemplate *current = ms_template_editor_get_template (self->editor);
  g_autofree char *base = NULL;
  g_autofree char *name = NULL;
  MsTemplate *copy;

  if (current == NULL)
    return;
  /* TRANSLATORS: the name of a duplicated template */
  base = g_strdup_printf (_("%s (Copy)"), ms_template_get_name (current));
  name = unused_name (self, base);
  copy = ms_template_copy (current);
  ms_template_set_id (copy, 0);
  ms_template_set_name (copy, name);
  add_template (self, copy);
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  save_template (MS_TEMPLATES_VIEW (widget), 0);
}

static void
discard_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *param)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (widget);

  ms_template_editor_discard (self->editor);
}

static void
on_deleted_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = user_data;
  gint64 id = self->selected_id;
  guint position;

  set_pending (self, -1);
  if (ms_store_job_finish (result, &error) == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        add_toast (self, adw_toast_new_format (_("Could not delete the template: %s"), error->message));
      return;
    }
  if (find_template (self, id, &position) != NULL)
    {
      self->updating = TRUE;
      g_list_store_remove (self->templates, position);
      self->updating = FALSE;
    }
  ms_template_editor_set_template (self->editor, NULL);
  show_template (self, 0);
  add_toast (self, adw_toast_new_format (_("Template “%s” deleted"), name));
}

static void
on_delete_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       MsTemplatesView  *self)
{
  MsTemplate *original = ms_template_editor_get_original (self->editor);

  if (g_strcmp0 (response, "delete") != 0 || original == NULL)
    return;
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, delete_template_job,
                    GSIZE_TO_POINTER ((gsize) ms_template_get_id (original)), NULL, NULL,
                    self->cancellable, on_deleted_cb, g_strdup (ms_template_get_name (original)));
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (widget);
  MsTemplate *original = ms_template_editor_get_original (self->editor);
  GtkRoot *root = gtk_widget_get_root (widget);
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  if (original == NULL)
    return;
  heading = g_strdup_printf (_("Delete Template “%s”?"), ms_template_get_name (original));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading,
                                                       _("The template and its attachments are deleted. "
                                                         "Campaigns already started keep their own copy.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "delete", _("_Delete"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "delete", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
on_test_sent_cb (MsTemplatesView  *self,
                 const char       *summary,
                 MsSendTestDialog *dialog)
{
  add_toast (self, adw_toast_new (summary));
}

static void
send_test_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (widget);
  MsTemplate *tmpl = ms_template_editor_get_template (self->editor);
  MsTemplatePreview *preview = ms_template_editor_get_preview (self->editor);
  GtkRoot *root = gtk_widget_get_root (widget);
  MsSendTestDialog *dialog;

  if (tmpl == NULL)
    return;
  dialog = ms_send_test_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db_path, tmpl,
                                    ms_template_preview_get_contact (preview),
                                    (const char * const *) self->custom_fields);
  ms_dialog_hold_parent (GTK_WINDOW (dialog));
  g_signal_connect_object (dialog, "sent", G_CALLBACK (on_test_sent_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static void
ms_templates_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ms_templates_view_parent_class)->map (widget);

  /* Read again each time the section is shown: contacts and servers change. */
  ms_templates_view_reload (MS_TEMPLATES_VIEW (widget));
}

static void
ms_templates_view_dispose (GObject *object)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  finish_close_task (self, TRUE);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_TEMPLATES_VIEW);
  g_clear_object (&self->templates);
  g_clear_object (&self->contacts);

  G_OBJECT_CLASS (ms_templates_view_parent_class)->dispose (object);
}

static void
ms_templates_view_finalize (GObject *object)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (object);

  g_clear_object (&self->cancellable);
  g_strfreev (self->custom_fields);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_templates_view_parent_class)->finalize (object);
}

static void
ms_templates_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_templates_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MsTemplatesView *self = MS_TEMPLATES_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_templates_view_class_init (MsTemplatesViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_templates_view_dispose;
  object_class->finalize = ms_templates_view_finalize;
  object_class->get_property = ms_templates_view_get_property;
  object_class->set_property = ms_templates_view_set_property;
  widget_class->map = ms_templates_view_map;

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (MS_TYPE_TEMPLATE_EDITOR);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-templates-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, stack);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, spinner);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, template_list);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, editor);
  gtk_widget_class_bind_template_child (widget_class, MsTemplatesView, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_row_selected_cb);

  gtk_widget_class_install_action (widget_class, "templates.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "templates.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "templates.discard", NULL, discard_action);
  gtk_widget_class_install_action (widget_class, "templates.duplicate", NULL, duplicate_action);
  gtk_widget_class_install_action (widget_class, "templates.delete", NULL, delete_action);
  gtk_widget_class_install_action (widget_class, "templates.send-test", NULL, send_test_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "templates.save", NULL);
}

static void
ms_templates_view_init (MsTemplatesView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->templates = g_list_store_new (MS_TYPE_TEMPLATE);
  self->contacts = g_list_store_new (MS_TYPE_CONTACT);
  gtk_list_box_bind_model (self->template_list, G_LIST_MODEL (self->templates), create_row, self, NULL);
  g_signal_connect_object (self->editor, "notify::dirty", G_CALLBACK (on_editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->editor, "notify::template-name", G_CALLBACK (on_editor_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->editor, "problem", G_CALLBACK (on_editor_problem_cb), self,
                           G_CONNECT_SWAPPED);
  update_actions (self);
}

/* Public API */

void
ms_templates_view_set_db_path (MsTemplatesView *self,
                               const char      *db_path)
{
  g_return_if_fail (MS_IS_TEMPLATES_VIEW (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  self->selected_id = 0;
  ms_template_editor_set_template (self->editor, NULL);
  update_actions (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ms_templates_view_reload (self);
}

GListModel *
ms_templates_view_get_templates (MsTemplatesView *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATES_VIEW (self), NULL);

  return G_LIST_MODEL (self->templates);
}

MsTemplateEditor *
ms_templates_view_get_editor (MsTemplatesView *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATES_VIEW (self), NULL);

  return self->editor;
}

gboolean
ms_templates_view_get_loading (MsTemplatesView *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATES_VIEW (self), FALSE);

  return self->loading;
}

void
ms_templates_view_select (MsTemplatesView *self,
                          gint64           template_id)
{
  GtkListBoxRow *row;

  g_return_if_fail (MS_IS_TEMPLATES_VIEW (self));

  if ((row = find_row (self, template_id)) != NULL)
    gtk_list_box_select_row (self->template_list, row);
}

gboolean
ms_templates_view_get_dirty (MsTemplatesView *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATES_VIEW (self), FALSE);

  return self->selected_id != 0 && ms_template_editor_get_dirty (self->editor);
}

void
ms_templates_view_confirm_close_async (MsTemplatesView     *self,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_TEMPLATES_VIEW (self));

  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, ms_templates_view_confirm_close_async);
  if (!ms_templates_view_get_dirty (self))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->close_task != NULL)
    {
      /* Asked already: this one waits for nothing. */
      g_task_return_boolean (task, FALSE);
      return;
    }
  self->close_task = g_steal_pointer (&task);
  ask_about_changes (self, 0);
}

gboolean
ms_templates_view_confirm_close_finish (MsTemplatesView *self,
                                        GAsyncResult    *result)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), NULL);
}

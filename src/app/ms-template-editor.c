/* ms-template-editor.c
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

#define G_LOG_DOMAIN "ms-template-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <gtksourceview/gtksource.h>

#include "ms-preflight.h"
#include "ms-template-editor.h"

/* Receivers often refuse messages above this; pre-flight says the same. */
#define LARGE_ATTACHMENT (10 * 1000 * 1000)

struct _MsTemplateEditor
{
  AdwBin             parent_instance;

  /* Template */
  AdwEntryRow       *name_row;
  AdwEntryRow       *subject_row;
  AdwComboRow       *format_row;
  AdwExpanderRow    *sender_expander;
  AdwEntryRow       *sender_name_row;
  AdwEntryRow       *sender_address_row;
  AdwEntryRow       *reply_to_row;
  AdwExpanderRow    *attachments_expander;
  GtkWidget         *body_switcher;
  GtkToggleButton   *body_button;
  GtkLabel          *body_label;
  GtkMenuButton     *insert_button;
  GtkStack          *body_stack;
  GtkSourceView     *body_view;
  GtkSourceView     *text_alt_view;
  MsTemplatePreview *preview;

  /* State */
  MsTemplate        *tmpl;             /* the working copy */
  MsTemplate        *original;
  GPtrArray         *attachment_rows;  /* rows added to attachments_expander */
  GMenu             *field_menu;
  GMenu             *custom_section;
  GtkWidget         *insert_target;    /* had the focus last: subject row or a source view */
  GtkFileChooserNative *chooser;
  GCancellable      *cancellable;
  guint              attaching;        /* files being read */
  gboolean           split;            /* the paned got its first position */
  gboolean           syncing;
  gboolean           dirty;
};

G_DEFINE_FINAL_TYPE (MsTemplateEditor, ms_template_editor, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_DIRTY,
  PROP_NAME,
  PROP_ATTACHING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_PROBLEM,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Reading and writing the widgets */

static char *
dup_buffer_text (GtkSourceView *view)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static void
set_buffer_text (GtkSourceView *view,
                 const char    *text)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (view));
  GtkTextIter start;

  /* Loading a template is not an edit the person can undo. */
  gtk_text_buffer_begin_irreversible_action (buffer);
  gtk_text_buffer_set_text (buffer, text != NULL ? text : "", -1);
  gtk_text_buffer_end_irreversible_action (buffer);
  gtk_text_buffer_get_start_iter (buffer, &start);
  gtk_text_buffer_place_cursor (buffer, &start);
}

static char *
dup_row_text (AdwEntryRow *row,
              gboolean     strip)
{
  char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  return strip ? g_strstrip (text) : text;
}

static void
read_widgets (MsTemplateEditor *self)
{
  g_autofree char *name = dup_row_text (self->name_row, TRUE);
  g_autofree char *subject = dup_row_text (self->subject_row, FALSE);
  g_autofree char *body = dup_buffer_text (self->body_view);
  g_autofree char *text_alt = dup_buffer_text (self->text_alt_view);
  g_autofree char *sender_name = dup_row_text (self->sender_name_row, TRUE);
  g_autofree char *sender_address = dup_row_text (self->sender_address_row, TRUE);
  g_autofree char *reply_to = dup_row_text (self->reply_to_row, TRUE);
  MsBodyFormat format = (MsBodyFormat) adw_combo_row_get_selected (self->format_row);

  ms_template_set_name (self->tmpl, name);
  ms_template_set_subject (self->tmpl, subject);
  ms_template_set_body_format (self->tmpl, format);
  ms_template_set_body (self->tmpl, body);
  ms_template_set_text_alt (self->tmpl, format == MS_BODY_FORMAT_HTML && text_alt[0] != '\0' ? text_alt : NULL);
  ms_template_set_sender_name (self->tmpl, sender_name[0] != '\0' ? sender_name : NULL);
  ms_template_set_sender_address (self->tmpl, sender_address[0] != '\0' ? sender_address : NULL);
  ms_template_set_reply_to (self->tmpl, reply_to[0] != '\0' ? reply_to : NULL);
}

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a != NULL && a[0] != '\0' ? a : NULL, b != NULL && b[0] != '\0' ? b : NULL) == 0;
}

static gboolean
templates_differ (MsTemplate *a,
                  MsTemplate *b)
{
  GPtrArray *aa = ms_template_get_attachments (a);
  GPtrArray *ba = ms_template_get_attachments (b);

  if (!same_text (ms_template_get_name (a), ms_template_get_name (b))
      || !same_text (ms_template_get_subject (a), ms_template_get_subject (b))
      || ms_template_get_body_format (a) != ms_template_get_body_format (b)
      || !same_text (ms_template_get_body (a), ms_template_get_body (b))
      || !same_text (ms_template_get_text_alt (a), ms_template_get_text_alt (b))
      || !same_text (ms_template_get_sender_name (a), ms_template_get_sender_name (b))
      || !same_text (ms_template_get_sender_address (a), ms_template_get_sender_address (b))
      || !same_text (ms_template_get_reply_to (a), ms_template_get_reply_to (b))
      || aa->len != ba->len)
    return TRUE;
  for (guint i = 0; i < aa->len; i++)
    {
      MsAttachment *x = g_ptr_array_index (aa, i);
      MsAttachment *y = g_ptr_array_index (ba, i);

      if (g_strcmp0 (x->filename, y->filename) != 0
          || (x->data != y->data && !g_bytes_equal (x->data, y->data)))
        return TRUE;
    }
  return FALSE;
}

/* Attachments */

static void
remove_attachment_rows (MsTemplateEditor *self)
{
  for (guint i = 0; i < self->attachment_rows->len; i++)
    adw_expander_row_remove (self->attachments_expander, g_ptr_array_index (self->attachment_rows, i));
  g_ptr_array_set_size (self->attachment_rows, 0);
}

static GtkWidget *
make_attachment_row (MsAttachment *attachment,
                     guint         index)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *remove;
  g_autofree char *title = g_markup_escape_text (attachment->filename, -1);
  g_autofree char *type = g_content_type_get_description (attachment->content_type != NULL
                                                          ? attachment->content_type
                                                          : "application/octet-stream");
  g_autofree char *size = g_format_size (g_bytes_get_size (attachment->data));
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *escaped = NULL;
  gboolean blocked = ms_preflight_is_blocked_name (attachment->filename);
  gboolean large = g_bytes_get_size (attachment->data) > LARGE_ATTACHMENT;

  /* TRANSLATORS: a file's type and size, e.g. "PDF document · 1.2 MB" */
  g_string_append_printf (subtitle, _("%s · %s"), type, size);
  if (blocked)
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, _("Gmail and many other providers refuse this type of file: the "
                                   "message would bounce. Send a link, or put the file in a "
                                   "document type they accept."));
    }
  if (large)
    {
      g_string_append_c (subtitle, '\n');
      g_string_append (subtitle, _("Large: many receiving servers refuse messages over 10 MB."));
    }
  escaped = g_markup_escape_text (subtitle->str, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  if (blocked || large)
    {
      adw_action_row_set_icon_name (ADW_ACTION_ROW (row), "dialog-warning-symbolic");
      gtk_widget_add_css_class (row, "ms-attachment-warning");
    }
  else
    {
      g_autoptr(GIcon) icon = g_content_type_get_symbolic_icon (attachment->content_type != NULL
                                                                ? attachment->content_type
                                                                : "application/octet-stream");
      GtkWidget *image = gtk_image_new_from_gicon (icon);

      adw_action_row_add_prefix (ADW_ACTION_ROW (row), image);
    }

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove Attachment"));
  gtk_widget_add_css_class (remove, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (remove), "editor.remove-attachment");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (remove), "u", index);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), remove);
  gtk_widget_set_name (row, "attachment-row");
  return row;
}

static void
write_attachments (MsTemplateEditor *self)
{
  GPtrArray *attachments = self->tmpl != NULL ? ms_template_get_attachments (self->tmpl) : NULL;
  g_autofree char *summary = NULL;

  remove_attachment_rows (self);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      GtkWidget *row = make_attachment_row (g_ptr_array_index (attachments, i), i);

      adw_expander_row_add_row (self->attachments_expander, row);
      g_ptr_array_add (self->attachment_rows, row);
    }

  if (attachments == NULL || attachments->len == 0)
    summary = g_strdup (_("None"));
  else
    {
      g_autofree char *size = g_format_size (ms_template_get_attachments_size (self->tmpl));
      guint n_blocked = 0;

      for (guint i = 0; i < attachments->len; i++)
        {
          MsAttachment *attachment = g_ptr_array_index (attachments, i);

          if (ms_preflight_is_blocked_name (attachment->filename))
            n_blocked++;
        }
      /* TRANSLATORS: "2 files, 1.4 MB" */
      summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u file, %s", "%u files, %s",
                                              attachments->len),
                                 attachments->len, size);
      if (n_blocked > 0)
        {
          g_autofree char *files = g_steal_pointer (&summary);

          /* TRANSLATORS: %s is "2 files, 1.4 MB" */
          summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s; %u of a type Gmail refuses",
                                                  "%s; %u of types Gmail refuses", n_blocked),
                                     files, n_blocked);
        }
      if (n_blocked > 0)
        gtk_widget_add_css_class (GTK_WIDGET (self->attachments_expander), "ms-attachment-warning");
      else
        gtk_widget_remove_css_class (GTK_WIDGET (self->attachments_expander), "ms-attachment-warning");
    }
  adw_expander_row_set_subtitle (self->attachments_expander, summary);
}

/* State */

static const char *
format_explanation (MsBodyFormat format)
{
  switch (format)
    {
    case MS_BODY_FORMAT_MARKDOWN:
      return _("Write in Markdown; it is sent as HTML, with the Markdown as the text part.");
    case MS_BODY_FORMAT_HTML:
      return _("Sent as HTML with a text part: yours, or made from the HTML.");
    case MS_BODY_FORMAT_TEXT:
    default:
      return _("Sent as plain text only.");
    }
}

static void
update_language (MsTemplateEditor *self)
{
  GtkSourceLanguageManager *manager = gtk_source_language_manager_get_default ();
  MsBodyFormat format = (MsBodyFormat) adw_combo_row_get_selected (self->format_row);
  GtkSourceBuffer *buffer = GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->body_view)));
  GtkSourceLanguage *language = NULL;

  if (format == MS_BODY_FORMAT_MARKDOWN)
    language = gtk_source_language_manager_get_language (manager, "markdown");
  else if (format == MS_BODY_FORMAT_HTML)
    language = gtk_source_language_manager_get_language (manager, "html");
  gtk_source_buffer_set_language (buffer, language);
}

static void
update_style_scheme (MsTemplateEditor *self)
{
  GtkSourceStyleSchemeManager *manager = gtk_source_style_scheme_manager_get_default ();
  gboolean dark = adw_style_manager_get_dark (adw_style_manager_get_default ());
  GtkSourceStyleScheme *scheme = gtk_source_style_scheme_manager_get_scheme (manager, dark ? "Adwaita-dark"
                                                                                            : "Adwaita");
  GtkSourceView *views[] = { self->body_view, self->text_alt_view };

  for (guint i = 0; i < G_N_ELEMENTS (views); i++)
    gtk_source_buffer_set_style_scheme (GTK_SOURCE_BUFFER (gtk_text_view_get_buffer (GTK_TEXT_VIEW (views[i]))),
                                        scheme);
}

static void
update_summaries (MsTemplateEditor *self)
{
  const char *name = gtk_editable_get_text (GTK_EDITABLE (self->sender_name_row));
  const char *address = gtk_editable_get_text (GTK_EDITABLE (self->sender_address_row));
  const char *reply_to = gtk_editable_get_text (GTK_EDITABLE (self->reply_to_row));
  g_autofree char *from = NULL;
  g_autofree char *summary = NULL;
  g_autofree char *escaped = NULL;
  MsBodyFormat format = (MsBodyFormat) adw_combo_row_get_selected (self->format_row);

  if (address[0] != '\0')
    from = name[0] != '\0' ? g_strdup_printf ("%s <%s>", name, address) : g_strdup (address);
  else if (name[0] != '\0')
    from = g_strdup_printf (_("%s, with the server’s address"), name);
  else
    from = g_strdup (_("The sending server’s own name and address"));
  if (reply_to[0] != '\0')
    summary = g_strdup_printf (_("%s; replies to %s"), from, reply_to);
  escaped = g_markup_escape_text (summary != NULL ? summary : from, -1);
  adw_expander_row_set_subtitle (self->sender_expander, escaped);

  {
    g_autofree char *explanation = g_markup_escape_text (format_explanation (format), -1);

    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->format_row), explanation);
  }
  gtk_widget_set_visible (self->body_switcher, format == MS_BODY_FORMAT_HTML);
  gtk_widget_set_visible (GTK_WIDGET (self->body_label), format != MS_BODY_FORMAT_HTML);
  if (format != MS_BODY_FORMAT_HTML)
    gtk_toggle_button_set_active (self->body_button, TRUE);
}

static void
set_dirty (MsTemplateEditor *self,
           gboolean          dirty)
{
  if (self->dirty != dirty)
    {
      self->dirty = dirty;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
    }
}

static void
changed (MsTemplateEditor *self,
         gboolean          at_once)
{
  g_autofree char *old_name = NULL;

  if (self->syncing || self->tmpl == NULL)
    return;

  old_name = g_strdup (ms_template_get_name (self->tmpl));
  read_widgets (self);
  update_summaries (self);
  set_dirty (self, templates_differ (self->tmpl, self->original));
  if (g_strcmp0 (old_name, ms_template_get_name (self->tmpl)) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  ms_template_preview_update (self->preview, self->tmpl, at_once);
}

static void
on_changed_cb (MsTemplateEditor *self)
{
  changed (self, FALSE);
}

static void
on_part_toggled_cb (MsTemplateEditor *self)
{
  gtk_stack_set_visible_child_name (self->body_stack,
                                    gtk_toggle_button_get_active (self->body_button) ? "body" : "text-alt");
}

static void
on_format_changed_cb (MsTemplateEditor *self)
{
  update_language (self);
  changed (self, TRUE);
}

static void
write_widgets (MsTemplateEditor *self)
{
  MsTemplate *t = self->tmpl;

  self->syncing = TRUE;
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), ms_template_get_name (t) != NULL ? ms_template_get_name (t) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->subject_row),
                         ms_template_get_subject (t) != NULL ? ms_template_get_subject (t) : "");
  adw_combo_row_set_selected (self->format_row, ms_template_get_body_format (t));
  update_language (self);
  set_buffer_text (self->body_view, ms_template_get_body (t));
  set_buffer_text (self->text_alt_view, ms_template_get_text_alt (t));
  gtk_editable_set_text (GTK_EDITABLE (self->sender_name_row),
                         ms_template_get_sender_name (t) != NULL ? ms_template_get_sender_name (t) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->sender_address_row),
                         ms_template_get_sender_address (t) != NULL ? ms_template_get_sender_address (t) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->reply_to_row),
                         ms_template_get_reply_to (t) != NULL ? ms_template_get_reply_to (t) : "");
  write_attachments (self);
  update_summaries (self);
  self->syncing = FALSE;
}

/* Insert Field */

static void
insert_field_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ms_template_editor_insert_field (MS_TEMPLATE_EDITOR (widget), g_variant_get_string (param, NULL));
}

static GMenuItem *
field_item (const char *label,
            const char *field)
{
  GMenuItem *item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, "editor.insert-field", g_variant_new_string (field));
  return item;
}

static void
build_field_menu (MsTemplateEditor   *self,
                  const char * const *custom_fields)
{
  static const struct
  {
    const char *label;
    const char *field;
  } standard[] = {
    { N_("Email Address"), "email" },
    { N_("Name"), "name" },
    { N_("First Name"), "first_name" },
    { N_("Last Name"), "last_name" },
    { N_("Display Name"), "display_name" },
  };
  g_autoptr(GMenu) contact_section = g_menu_new ();

  g_menu_remove_all (self->field_menu);
  for (guint i = 0; i < G_N_ELEMENTS (standard); i++)
    {
      g_autoptr(GMenuItem) item = field_item (_(standard[i].label), standard[i].field);

      g_menu_append_item (contact_section, item);
    }
  g_menu_append_section (self->field_menu, _("Contact"), G_MENU_MODEL (contact_section));

  g_menu_remove_all (self->custom_section);
  for (guint i = 0; custom_fields != NULL && custom_fields[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = field_item (custom_fields[i], custom_fields[i]);

      g_menu_append_item (self->custom_section, item);
    }
  if (custom_fields != NULL && custom_fields[0] != NULL)
    g_menu_append_section (self->field_menu, _("Imported Fields"), G_MENU_MODEL (self->custom_section));
}

static void
on_focus_enter_cb (GtkEventControllerFocus *controller,
                   MsTemplateEditor        *self)
{
  self->insert_target = gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller));
}

static void
track_focus (MsTemplateEditor *self,
             GtkWidget        *widget)
{
  GtkEventController *controller = gtk_event_controller_focus_new ();

  g_signal_connect (controller, "enter", G_CALLBACK (on_focus_enter_cb), self);
  gtk_widget_add_controller (widget, controller);
}

/* Attaching files */

static void
attach_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  g_autofree char *path = g_file_get_path (task_data);
  GError *error = NULL;
  MsAttachment *attachment;

  if (path == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                               _("Only local files can be attached."));
      return;
    }
  if ((attachment = ms_attachment_new_from_file (path, NULL, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, attachment, (GDestroyNotify) ms_attachment_free);
}

static void
on_attached_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAttachment) attachment = g_task_propagate_pointer (G_TASK (result), &error);
  gint64 template_id = GPOINTER_TO_SIZE (user_data);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self->attaching--;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTACHING]);
  /* The person may have moved to another template meanwhile. */
  if (self->tmpl == NULL || ms_template_get_id (self->tmpl) != template_id)
    return;
  if (attachment == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The file could not be attached: %s"), error->message);

      g_signal_emit (self, signals[SIGNAL_PROBLEM], 0, text);
      return;
    }
  ms_template_add_attachment (self->tmpl, attachment);
  write_attachments (self);
  changed (self, TRUE);
}

static void
on_chooser_response_cb (GtkNativeDialog  *chooser,
                        int               response,
                        MsTemplateEditor *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);

          ms_template_editor_attach_file (self, file);
        }
    }
  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (chooser))
    g_clear_object (&self->chooser);
}

static void
attach_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  g_clear_object (&self->chooser);
  self->chooser = gtk_file_chooser_native_new (_("Attach Files"), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN, _("_Attach"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (on_chooser_response_cb), self, 0);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
remove_attachment_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *param)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (widget);
  guint index = g_variant_get_uint32 (param);

  if (self->tmpl == NULL || index >= ms_template_get_attachments (self->tmpl)->len)
    return;
  ms_template_remove_attachment (self->tmpl, index);
  write_attachments (self);
  changed (self, TRUE);
}

/* GObject */

static void
ms_template_editor_size_allocate (GtkWidget *widget,
                                  int        width,
                                  int        height,
                                  int        baseline)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (widget);

  GTK_WIDGET_CLASS (ms_template_editor_parent_class)->size_allocate (widget, width, height, baseline);

  /* The source and the preview share the width, once; then the person decides. */
  if (!self->split && width > 0)
    {
      self->split = TRUE;
      gtk_paned_set_position (GTK_PANED (adw_bin_get_child (ADW_BIN (self))), width * 9 / 20);
    }
}

static void
ms_template_editor_dispose (GObject *object)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_TEMPLATE_EDITOR);
  g_clear_object (&self->tmpl);
  g_clear_object (&self->original);
  g_clear_object (&self->field_menu);
  g_clear_object (&self->custom_section);
  self->insert_target = NULL;

  G_OBJECT_CLASS (ms_template_editor_parent_class)->dispose (object);
}

static void
ms_template_editor_finalize (GObject *object)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (object);

  g_clear_object (&self->cancellable);
  g_ptr_array_unref (self->attachment_rows);

  G_OBJECT_CLASS (ms_template_editor_parent_class)->finalize (object);
}

static void
ms_template_editor_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  MsTemplateEditor *self = MS_TEMPLATE_EDITOR (object);

  switch (prop_id)
    {
    case PROP_DIRTY:
      g_value_set_boolean (value, self->dirty);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->tmpl != NULL ? ms_template_get_name (self->tmpl) : NULL);
      break;
    case PROP_ATTACHING:
      g_value_set_boolean (value, self->attaching > 0);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_template_editor_class_init (MsTemplateEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_template_editor_dispose;
  object_class->finalize = ms_template_editor_finalize;
  object_class->get_property = ms_template_editor_get_property;
  widget_class->size_allocate = ms_template_editor_size_allocate;

  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_NAME] =
    g_param_spec_string ("template-name", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_ATTACHING] =
    g_param_spec_boolean ("attaching", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Something the person should know that has no place in the editor. */
  signals[SIGNAL_PROBLEM] =
    g_signal_new ("problem", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_source_init ();
  g_type_ensure (GTK_SOURCE_TYPE_VIEW);
  g_type_ensure (MS_TYPE_TEMPLATE_PREVIEW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-template-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, name_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, subject_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, format_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, sender_expander);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, sender_name_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, sender_address_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, reply_to_row);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, attachments_expander);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, body_switcher);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, body_button);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, body_label);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, insert_button);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, body_stack);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, body_view);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, text_alt_view);
  gtk_widget_class_bind_template_child (widget_class, MsTemplateEditor, preview);
  gtk_widget_class_bind_template_callback (widget_class, on_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_format_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_part_toggled_cb);

  gtk_widget_class_install_action (widget_class, "editor.insert-field", "s", insert_field_action);
  gtk_widget_class_install_action (widget_class, "editor.attach", NULL, attach_action);
  gtk_widget_class_install_action (widget_class, "editor.remove-attachment", "u", remove_attachment_action);
}

static void
ms_template_editor_init (MsTemplateEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->attachment_rows = g_ptr_array_new ();
  self->field_menu = g_menu_new ();
  self->custom_section = g_menu_new ();
  build_field_menu (self, NULL);
  gtk_menu_button_set_menu_model (self->insert_button, G_MENU_MODEL (self->field_menu));

  g_signal_connect_object (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->body_view)), "changed",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->text_alt_view)), "changed",
                           G_CALLBACK (on_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (adw_style_manager_get_default (), "notify::dark",
                           G_CALLBACK (update_style_scheme), self, G_CONNECT_SWAPPED);
  update_style_scheme (self);
  track_focus (self, GTK_WIDGET (self->body_view));
  track_focus (self, GTK_WIDGET (self->text_alt_view));
  track_focus (self, GTK_WIDGET (self->subject_row));
  self->insert_target = GTK_WIDGET (self->body_view);
}

/* Public API */

void
ms_template_editor_set_template (MsTemplateEditor *self,
                                 MsTemplate       *tmpl)
{
  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (tmpl == NULL || MS_IS_TEMPLATE (tmpl));

  g_clear_object (&self->tmpl);
  g_clear_object (&self->original);
  if (tmpl == NULL)
    {
      ms_template_preview_clear (self->preview);
      set_dirty (self, FALSE);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
      return;
    }
  self->original = ms_template_copy (tmpl);
  self->tmpl = ms_template_copy (tmpl);
  write_widgets (self);
  set_dirty (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
  ms_template_preview_update (self->preview, self->tmpl, TRUE);
}

MsTemplate *
ms_template_editor_get_template (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), NULL);

  if (self->tmpl != NULL)
    read_widgets (self);
  return self->tmpl;
}

MsTemplate *
ms_template_editor_get_original (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), NULL);

  return self->original;
}

gboolean
ms_template_editor_get_dirty (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), FALSE);

  return self->dirty;
}

void
ms_template_editor_mark_saved (MsTemplateEditor *self,
                               MsTemplate       *stored)
{
  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (MS_IS_TEMPLATE (stored));
  g_return_if_fail (self->tmpl != NULL && ms_template_get_id (stored) == ms_template_get_id (self->tmpl));

  g_clear_object (&self->original);
  self->original = ms_template_copy (stored);
  read_widgets (self);
  set_dirty (self, templates_differ (self->tmpl, self->original));
}

void
ms_template_editor_discard (MsTemplateEditor *self)
{
  g_autoptr(MsTemplate) original = NULL;

  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));

  if (self->original == NULL)
    return;
  original = g_object_ref (self->original);
  ms_template_editor_set_template (self, original);
}

void
ms_template_editor_set_context (MsTemplateEditor   *self,
                                const char * const *custom_fields,
                                GListModel         *contacts,
                                GPtrArray          *servers)
{
  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));

  build_field_menu (self, custom_fields);
  ms_template_preview_set_custom_fields (self->preview, custom_fields);
  ms_template_preview_set_servers (self->preview, servers);
  ms_template_preview_set_contacts (self->preview, contacts);
}

void
ms_template_editor_insert_field (MsTemplateEditor *self,
                                 const char       *name)
{
  g_autofree char *field = NULL;

  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (name != NULL);

  field = g_strdup_printf ("{{%s}}", name);
  if (GTK_IS_TEXT_VIEW (self->insert_target))
    {
      GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->insert_target));

      gtk_text_buffer_begin_user_action (buffer);
      gtk_text_buffer_delete_selection (buffer, TRUE, TRUE);
      gtk_text_buffer_insert_at_cursor (buffer, field, -1);
      gtk_text_buffer_end_user_action (buffer);
    }
  else if (GTK_IS_EDITABLE (self->insert_target))
    {
      GtkEditable *editable = GTK_EDITABLE (self->insert_target);
      int position;

      gtk_editable_delete_selection (editable);
      position = gtk_editable_get_position (editable);
      gtk_editable_insert_text (editable, field, -1, &position);
      gtk_editable_set_position (editable, position);
    }
  if (self->insert_target != NULL)
    gtk_widget_grab_focus (self->insert_target);
}

void
ms_template_editor_attach_file (MsTemplateEditor *self,
                                GFile            *file)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (MS_IS_TEMPLATE_EDITOR (self));
  g_return_if_fail (G_IS_FILE (file));
  g_return_if_fail (self->tmpl != NULL);

  self->attaching++;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ATTACHING]);
  task = g_task_new (self, self->cancellable, on_attached_cb,
                     GSIZE_TO_POINTER ((gsize) ms_template_get_id (self->tmpl)));
  g_task_set_task_data (task, g_object_ref (file), g_object_unref);
  g_task_run_in_thread (task, attach_worker);
}

gboolean
ms_template_editor_get_attaching (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), FALSE);

  return self->attaching > 0;
}

MsTemplatePreview *
ms_template_editor_get_preview (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), NULL);

  return self->preview;
}

GtkTextBuffer *
ms_template_editor_get_body_buffer (MsTemplateEditor *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE_EDITOR (self), NULL);

  return gtk_text_view_get_buffer (GTK_TEXT_VIEW (self->body_view));
}

/* ms-connection-log.c
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

#define G_LOG_DOMAIN "ms-connection-log"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-connection-log.h"

struct _MsConnectionLog
{
  GtkBox         parent_instance;

  GtkListBox    *steps;
  GtkExpander   *expander;
  GtkTextBuffer *protocol;
  GtkWidget     *running_row;     /* the row of the step that runs, or NULL */
  int            running_step;
  GString       *text;            /* dup_text */
  GtkWidget     *last_row;        /* the row added last, and what it said */
  MsServerTestStatus last_status;
  char          *last_text;
  gsize          last_offset;     /* where its line starts in text */
  char          *failed_text;     /* the last failure reported by a step */
};

G_DEFINE_FINAL_TYPE (MsConnectionLog, ms_connection_log, GTK_TYPE_BOX)

static const char *
status_icon (MsServerTestStatus  status,
             const char        **css_class)
{
  switch (status)
    {
    case MS_SERVER_TEST_OK:
      *css_class = "success";
      return "object-select-symbolic";
    case MS_SERVER_TEST_WARNING:
      *css_class = "warning";
      return "dialog-warning-symbolic";
    case MS_SERVER_TEST_FAILED:
      *css_class = "error";
      return "dialog-error-symbolic";
    case MS_SERVER_TEST_SKIPPED:
      *css_class = "dim-label";
      return "action-unavailable-symbolic";
    case MS_SERVER_TEST_INFO:
    case MS_SERVER_TEST_RUNNING:
    default:
      *css_class = "dim-label";
      return "dialog-information-symbolic";
    }
}

static const char *
status_word (MsServerTestStatus status)
{
  switch (status)
    {
    case MS_SERVER_TEST_RUNNING:
      return "running";
    case MS_SERVER_TEST_OK:
      return "ok";
    case MS_SERVER_TEST_WARNING:
      return "warning";
    case MS_SERVER_TEST_FAILED:
      return "failed";
    case MS_SERVER_TEST_SKIPPED:
      return "skipped";
    case MS_SERVER_TEST_INFO:
    default:
      return "info";
    }
}

/* A row: an icon (or a spinner while running) and the text. */
static GtkWidget *
make_row (MsServerTestStatus  status,
          const char         *text,
          const char         *detail)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *icon, *label;
  const char *css_class = NULL;

  if (status == MS_SERVER_TEST_RUNNING)
    {
      icon = gtk_spinner_new ();
      gtk_spinner_start (GTK_SPINNER (icon));
    }
  else
    {
      icon = gtk_image_new_from_icon_name (status_icon (status, &css_class));
      gtk_widget_add_css_class (icon, css_class);
    }
  gtk_widget_set_valign (icon, GTK_ALIGN_START);
  gtk_widget_add_css_class (icon, "ms-log-icon");
  if (detail != NULL)
    gtk_widget_remove_css_class (icon, "dim-label");

  label = gtk_label_new (text);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_hexpand (label, TRUE);
  if (status == MS_SERVER_TEST_INFO && detail == NULL)
    gtk_widget_add_css_class (label, "dim-label");
  gtk_box_append (GTK_BOX (texts), label);

  if (detail != NULL)
    {
      GtkWidget *more = gtk_label_new (detail);

      gtk_label_set_wrap (GTK_LABEL (more), TRUE);
      gtk_label_set_xalign (GTK_LABEL (more), 0.0f);
      gtk_label_set_selectable (GTK_LABEL (more), TRUE);
      gtk_box_append (GTK_BOX (texts), more);
    }

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), texts);
  gtk_widget_add_css_class (box, "ms-log-row");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_focusable (row, FALSE);
  return row;
}

static void
append_text (MsConnectionLog    *self,
             MsServerTestStatus  status,
             const char         *text)
{
  self->last_offset = self->text->len;
  g_string_append_printf (self->text, "%s: %s\n", status_word (status), text);
}

void
ms_connection_log_clear (MsConnectionLog *self)
{
  GtkWidget *child;

  g_return_if_fail (MS_IS_CONNECTION_LOG (self));

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->steps))) != NULL)
    gtk_list_box_remove (self->steps, child);
  self->running_row = NULL;
  self->running_step = -1;
  gtk_text_buffer_set_text (self->protocol, "", 0);
  g_string_truncate (self->text, 0);
  self->last_row = NULL;
  g_clear_pointer (&self->last_text, g_free);
  g_clear_pointer (&self->failed_text, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

void
ms_connection_log_add (MsConnectionLog    *self,
                       MsServerTestStep    step,
                       MsServerTestStatus  status,
                       const char         *text)
{
  GtkWidget *row;

  g_return_if_fail (MS_IS_CONNECTION_LOG (self));
  g_return_if_fail (text != NULL);

  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);

  if (step == MS_SERVER_TEST_STEP_LOG)
    {
      GtkTextIter end;

      gtk_text_buffer_get_end_iter (self->protocol, &end);
      gtk_text_buffer_insert (self->protocol, &end, text, -1);
      gtk_text_buffer_insert (self->protocol, &end, "\n", 1);
      return;
    }

  /* The end of a running step takes the place of its spinner. */
  if (self->running_row != NULL && (int) step == self->running_step && status != MS_SERVER_TEST_INFO)
    {
      gtk_list_box_remove (self->steps, self->running_row);
      self->running_row = NULL;
    }

  row = make_row (status, text, NULL);
  if (status == MS_SERVER_TEST_RUNNING)
    {
      if (self->running_row != NULL)
        gtk_list_box_remove (self->steps, self->running_row);
      self->running_row = row;
      self->running_step = step;
    }
  else
    {
      append_text (self, status, text);
      self->last_row = row;
      self->last_status = status;
      g_free (self->last_text);
      self->last_text = g_strdup (text);
      if (status == MS_SERVER_TEST_FAILED)
        {
          g_free (self->failed_text);
          self->failed_text = g_strdup (text);
        }
    }

  /* Information arrives while a step runs: it goes above the spinner. */
  if (self->running_row != NULL && row != self->running_row)
    gtk_list_box_insert (self->steps, row, gtk_list_box_row_get_index (GTK_LIST_BOX_ROW (self->running_row)));
  else
    gtk_list_box_append (self->steps, row);
}

static void
drop_spinner (MsConnectionLog *self)
{
  if (self->running_row != NULL)
    {
      gtk_list_box_remove (self->steps, self->running_row);
      self->running_row = NULL;
    }
}

void
ms_connection_log_finish (MsConnectionLog          *self,
                          const MsServerTestReport *report)
{
  GtkWidget *row;

  g_return_if_fail (MS_IS_CONNECTION_LOG (self));
  g_return_if_fail (report != NULL);

  drop_spinner (self);
  gtk_widget_set_visible (GTK_WIDGET (self), TRUE);
  if (report->success)
    {
      const char *text = _("Everything works: Mailshot can send through this server.");

      row = make_row (MS_SERVER_TEST_OK, text, NULL);
      append_text (self, MS_SERVER_TEST_OK, text);
    }
  else
    {
      const char *text = report->error_message != NULL ? report->error_message : _("The test failed.");

      /* The steps said what failed, maybe with the fix as their last line: the
       * fix is what the log ends with, once. */
      if (report->explanation != NULL && self->last_row != NULL && self->last_status == MS_SERVER_TEST_INFO
          && g_strcmp0 (self->last_text, report->explanation) == 0)
        {
          gtk_list_box_remove (self->steps, self->last_row);
          g_string_truncate (self->text, self->last_offset);
          self->last_row = NULL;
        }
      if (g_strcmp0 (self->failed_text, text) != 0)
        {
          gtk_list_box_append (self->steps, make_row (MS_SERVER_TEST_FAILED, text, NULL));
          append_text (self, MS_SERVER_TEST_FAILED, text);
        }
      if (report->explanation == NULL)
        return;
      row = make_row (MS_SERVER_TEST_INFO, _("How to fix it"), report->explanation);
      gtk_widget_add_css_class (row, "ms-log-fix");
      g_string_append_printf (self->text, "fix: %s\n", report->explanation);
    }
  gtk_widget_add_css_class (row, "ms-log-result");
  gtk_list_box_append (self->steps, row);
}

void
ms_connection_log_cancelled (MsConnectionLog *self)
{
  const char *text = _("The test was cancelled.");

  g_return_if_fail (MS_IS_CONNECTION_LOG (self));

  drop_spinner (self);
  gtk_list_box_append (self->steps, make_row (MS_SERVER_TEST_SKIPPED, text, NULL));
  append_text (self, MS_SERVER_TEST_SKIPPED, text);
}

char *
ms_connection_log_dup_text (MsConnectionLog *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION_LOG (self), NULL);

  return g_strdup (self->text->str);
}

gboolean
ms_connection_log_is_empty (MsConnectionLog *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION_LOG (self), TRUE);

  return gtk_widget_get_first_child (GTK_WIDGET (self->steps)) == NULL;
}

static void
ms_connection_log_finalize (GObject *object)
{
  MsConnectionLog *self = MS_CONNECTION_LOG (object);

  g_string_free (self->text, TRUE);
  g_clear_object (&self->protocol);
  g_free (self->last_text);
  g_free (self->failed_text);

  G_OBJECT_CLASS (ms_connection_log_parent_class)->finalize (object);
}

static void
ms_connection_log_class_init (MsConnectionLogClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ms_connection_log_finalize;
}

static void
ms_connection_log_init (MsConnectionLog *self)
{
  GtkWidget *scrolled, *view;

  self->text = g_string_new (NULL);
  self->running_step = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 12);

  self->steps = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->steps, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->steps), "boxed-list");
  gtk_widget_set_name (GTK_WIDGET (self->steps), "test-log-steps");
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->steps), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Connection test steps"), -1);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->steps));

  self->protocol = gtk_text_buffer_new (NULL);
  view = gtk_text_view_new_with_buffer (self->protocol);
  gtk_text_view_set_editable (GTK_TEXT_VIEW (view), FALSE);
  gtk_text_view_set_monospace (GTK_TEXT_VIEW (view), TRUE);
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (view), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (view), 6);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (view), 6);
  gtk_accessible_update_property (GTK_ACCESSIBLE (view), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Protocol log"), -1);
  scrolled = gtk_scrolled_window_new ();
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), view);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 160);
  gtk_widget_add_css_class (scrolled, "card");
  gtk_widget_set_margin_top (scrolled, 6);

  self->expander = GTK_EXPANDER (gtk_expander_new_with_mnemonic (_("_Protocol Log")));
  gtk_expander_set_child (self->expander, scrolled);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->expander));
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

MsConnectionLog *
ms_connection_log_new (void)
{
  return g_object_new (MS_TYPE_CONNECTION_LOG, NULL);
}

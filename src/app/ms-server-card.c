/* ms-server-card.c
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

#define G_LOG_DOMAIN "ms-server-card"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ms-server-card.h"

typedef struct
{
  GtkWidget   *box;
  GtkLabel    *title;
  GtkLabel    *numbers;
  GtkLevelBar *bar;
  GtkLabel    *detail;
  char        *text;     /* "3 used, 0 left, reopens 15:10" */
} WindowRow;

struct _MsServerCard
{
  GtkBox      parent_instance;

  GtkLabel   *name_label;
  GtkLabel   *sent_label;
  GtkImage   *state_icon;
  GtkLabel   *state_label;
  GtkBox     *windows_box;
  GArray     *rows;          /* WindowRow */
  gint64      server_id;
  char       *state_text;
};

G_DEFINE_TYPE (MsServerCard, ms_server_card, GTK_TYPE_BOX)

static void
window_row_clear (gpointer data)
{
  WindowRow *row = data;

  g_free (row->text);
}

char *
ms_format_clock (gint64 unix_time)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (time == NULL)
    return g_strdup ("?");
  /* Short windows: the seconds matter. */
  if (ABS (g_date_time_difference (time, now)) < 5 * G_TIME_SPAN_MINUTE)
    return g_date_time_format (time, "%H:%M:%S");
  if (g_date_time_get_year (time) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (time) == g_date_time_get_day_of_year (now))
    return g_date_time_format (time, "%H:%M");
  /* TRANSLATORS: a weekday and a time of day, see g_date_time_format() */
  return g_date_time_format (time, _("%a %H:%M"));
}

char *
ms_format_window (guint seconds)
{
  if (seconds % 86400 == 0)
    return g_strdup_printf (g_dngettext (NULL, "%u day", "%u days", seconds / 86400), seconds / 86400);
  if (seconds % 3600 == 0)
    return g_strdup_printf (g_dngettext (NULL, "%u h", "%u h", seconds / 3600), seconds / 3600);
  if (seconds % 60 == 0)
    return g_strdup_printf (g_dngettext (NULL, "%u min", "%u min", seconds / 60), seconds / 60);
  return g_strdup_printf (g_dngettext (NULL, "%u s", "%u s", seconds), seconds);
}

/* When every full window has room again. */
static gint64
earliest_reopening (const MsServerStatus *status)
{
  gint64 earliest = 0;

  if (status->windows == NULL)
    return 0;
  for (guint i = 0; i < status->windows->len; i++)
    {
      const MsQuotaWindowStatus *w = &g_array_index (status->windows, MsQuotaWindowStatus, i);

      if (w->remaining == 0 && w->reopens_at > 0 && w->reopens_at != G_MAXINT64)
        earliest = MAX (earliest, w->reopens_at);
    }
  return earliest;
}

char *
ms_server_status_describe (const MsServerStatus *status)
{
  g_autofree char *until = NULL;
  gint64 reopens;

  switch (status->state)
    {
    case MS_SERVER_STATE_READY:
      return g_strdup (_("Ready to send"));
    case MS_SERVER_STATE_SENDING:
      return g_strdup_printf (g_dngettext (NULL, "Sending over %u connection",
                                           "Sending over %u connections", MAX (status->connections, 1)),
                              MAX (status->connections, 1));
    case MS_SERVER_STATE_QUOTA_FULL:
      reopens = earliest_reopening (status);
      if (reopens == 0)
        return g_strdup (_("Quota full"));
      until = ms_format_clock ((reopens + 999) / 1000);
      return g_strdup_printf (_("Quota full until %s"), until);
    case MS_SERVER_STATE_COOLING_DOWN:
      until = ms_format_clock (status->cooldown_until);
      if (status->reason != NULL && *status->reason != '\0')
        return g_strdup_printf (_("Cooling down until %s after: %s"), until, status->reason);
      return g_strdup_printf (_("Cooling down until %s"), until);
    case MS_SERVER_STATE_STOPPED:
      if (status->reason != NULL && *status->reason != '\0')
        return g_strdup_printf (_("Stopped until its settings are fixed: %s"), status->reason);
      return g_strdup (_("Stopped until its settings are fixed"));
    case MS_SERVER_STATE_DISABLED:
      return g_strdup (_("Switched off in its settings"));
    case MS_SERVER_STATE_UNUSABLE:
      if (status->reason != NULL && *status->reason != '\0')
        return g_strdup_printf (_("Cannot send this campaign: %s"), status->reason);
      return g_strdup (_("Cannot send this campaign"));
    default:
      return g_strdup (ms_server_state_to_label (status->state));
    }
}

static const char *
state_icon_name (MsServerState state)
{
  switch (state)
    {
    case MS_SERVER_STATE_SENDING:
      return "mail-send-symbolic";
    case MS_SERVER_STATE_QUOTA_FULL:
    case MS_SERVER_STATE_COOLING_DOWN:
      return "alarm-symbolic";
    case MS_SERVER_STATE_STOPPED:
    case MS_SERVER_STATE_UNUSABLE:
      return "dialog-warning-symbolic";
    case MS_SERVER_STATE_DISABLED:
      return "action-unavailable-symbolic";
    case MS_SERVER_STATE_READY:
    default:
      return "emblem-ok-symbolic";
    }
}

static void
add_window_row (MsServerCard *self)
{
  WindowRow row = { 0 };
  GtkWidget *top;

  row.box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  row.title = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row.title, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (row.title), TRUE);
  row.numbers = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (row.numbers), "numeric");
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row.title));
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (row.numbers));
  row.bar = GTK_LEVEL_BAR (gtk_level_bar_new ());
  gtk_level_bar_remove_offset_value (row.bar, GTK_LEVEL_BAR_OFFSET_LOW);
  gtk_level_bar_remove_offset_value (row.bar, GTK_LEVEL_BAR_OFFSET_HIGH);
  gtk_level_bar_remove_offset_value (row.bar, GTK_LEVEL_BAR_OFFSET_FULL);
  row.detail = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (row.detail, 0);
  gtk_widget_add_css_class (GTK_WIDGET (row.detail), "caption");
  gtk_widget_add_css_class (GTK_WIDGET (row.detail), "dim-label");
  gtk_box_append (GTK_BOX (row.box), top);
  gtk_box_append (GTK_BOX (row.box), GTK_WIDGET (row.bar));
  gtk_box_append (GTK_BOX (row.box), GTK_WIDGET (row.detail));
  gtk_box_append (self->windows_box, row.box);
  g_array_append_val (self->rows, row);
}

static void
update_window_row (WindowRow                 *row,
                   const MsQuotaWindowStatus *w)
{
  g_autofree char *span = ms_format_window (w->window_secs);
  g_autofree char *title = g_strdup_printf (_("%u per %s"), w->limit, span);
  g_autofree char *numbers = g_strdup_printf (_("%u used / %u left"), w->used, w->remaining);
  g_autofree char *detail = NULL;
  double limit = MAX (w->limit, 1);

  if (w->remaining == 0 && w->reopens_at > 0 && w->reopens_at != G_MAXINT64)
    {
      g_autofree char *clock = ms_format_clock ((w->reopens_at + 999) / 1000);

      detail = g_strdup_printf (_("Full, reopens %s"), clock);
    }
  else if (w->remaining == 0)
    detail = g_strdup (_("Full while messages are in flight"));
  else if (w->used > 0 && w->reopens_at > 0)
    {
      g_autofree char *clock = ms_format_clock ((w->reopens_at + 999) / 1000);

      detail = g_strdup_printf (_("Room for %u more, the oldest leaves at %s"), w->remaining, clock);
    }
  else
    detail = g_strdup_printf (_("Room for %u more"), w->remaining);

  gtk_label_set_label (row->title, title);
  gtk_label_set_label (row->numbers, numbers);
  gtk_level_bar_set_max_value (row->bar, limit);
  gtk_level_bar_add_offset_value (row->bar, GTK_LEVEL_BAR_OFFSET_HIGH, limit);
  gtk_level_bar_set_value (row->bar, MIN ((double) w->used, limit));
  gtk_label_set_label (row->detail, detail);
  g_free (row->text);
  row->text = g_strdup_printf ("%s: %s. %s", title, numbers, detail);
  gtk_accessible_update_property (GTK_ACCESSIBLE (row->bar), GTK_ACCESSIBLE_PROPERTY_LABEL, row->text, -1);
}

void
ms_server_card_update (MsServerCard         *self,
                       const MsServerStatus *status,
                       gint64                now_ms)
{
  g_autofree char *sent = NULL;
  guint n = status->windows != NULL ? status->windows->len : 0;

  g_return_if_fail (MS_IS_SERVER_CARD (self));

  self->server_id = status->server_id;
  gtk_label_set_label (self->name_label, status->name);
  sent = g_strdup_printf (g_dngettext (NULL, "%" PRIu64 " sent", "%" PRIu64 " sent",
                                       status->sent), status->sent);
  gtk_label_set_label (self->sent_label, sent);
  g_free (self->state_text);
  self->state_text = ms_server_status_describe (status);
  gtk_label_set_label (self->state_label, self->state_text);
  gtk_image_set_from_icon_name (self->state_icon, state_icon_name (status->state));

  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
  if (status->state == MS_SERVER_STATE_COOLING_DOWN || status->state == MS_SERVER_STATE_QUOTA_FULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  else if (status->state == MS_SERVER_STATE_STOPPED || status->state == MS_SERVER_STATE_UNUSABLE)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");

  while (self->rows->len > n)
    {
      WindowRow *last = &g_array_index (self->rows, WindowRow, self->rows->len - 1);

      gtk_box_remove (self->windows_box, last->box);
      g_array_set_size (self->rows, self->rows->len - 1);
    }
  while (self->rows->len < n)
    add_window_row (self);
  for (guint i = 0; i < n; i++)
    update_window_row (&g_array_index (self->rows, WindowRow, i),
                       &g_array_index (status->windows, MsQuotaWindowStatus, i));
  gtk_widget_set_visible (GTK_WIDGET (self->windows_box), n > 0);
}

static void
ms_server_card_finalize (GObject *object)
{
  MsServerCard *self = MS_SERVER_CARD (object);

  g_clear_pointer (&self->rows, g_array_unref);
  g_free (self->state_text);

  G_OBJECT_CLASS (ms_server_card_parent_class)->finalize (object);
}

static void
ms_server_card_class_init (MsServerCardClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ms_server_card_finalize;
}

static void
ms_server_card_init (MsServerCard *self)
{
  GtkWidget *header = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *state = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);

  self->rows = g_array_new (FALSE, TRUE, sizeof (WindowRow));
  g_array_set_clear_func (self->rows, window_row_clear);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 10);
  gtk_widget_add_css_class (GTK_WIDGET (self), "card");
  gtk_widget_add_css_class (GTK_WIDGET (self), "ms-server-card");
  gtk_widget_set_size_request (GTK_WIDGET (self), 260, -1);

  self->name_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->name_label, 0);
  gtk_label_set_ellipsize (self->name_label, PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (GTK_WIDGET (self->name_label), TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->name_label), "heading");
  self->sent_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->sent_label), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->sent_label), "numeric");
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->name_label));
  gtk_box_append (GTK_BOX (header), GTK_WIDGET (self->sent_label));

  self->state_icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (self->state_icon), GTK_ALIGN_START);
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->state_label, 0);
  gtk_label_set_wrap (self->state_label, TRUE);
  gtk_label_set_wrap_mode (self->state_label, PANGO_WRAP_WORD_CHAR);
  gtk_box_append (GTK_BOX (state), GTK_WIDGET (self->state_icon));
  gtk_box_append (GTK_BOX (state), GTK_WIDGET (self->state_label));

  self->windows_box = GTK_BOX (gtk_box_new (GTK_ORIENTATION_VERTICAL, 10));

  gtk_box_append (GTK_BOX (self), header);
  gtk_box_append (GTK_BOX (self), state);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->windows_box));
}

GtkWidget *
ms_server_card_new (void)
{
  return g_object_new (MS_TYPE_SERVER_CARD, NULL);
}

gint64
ms_server_card_get_server_id (MsServerCard *self)
{
  return self->server_id;
}

const char *
ms_server_card_get_state_text (MsServerCard *self)
{
  return self->state_text;
}

guint
ms_server_card_get_n_windows (MsServerCard *self)
{
  return self->rows->len;
}

GtkLevelBar *
ms_server_card_get_level_bar (MsServerCard *self,
                              guint         index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);
  return g_array_index (self->rows, WindowRow, index).bar;
}

const char *
ms_server_card_get_window_text (MsServerCard *self,
                                guint         index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);
  return g_array_index (self->rows, WindowRow, index).text;
}

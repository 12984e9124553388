/* ms-quota-row.c
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

#define G_LOG_DOMAIN "ms-quota-row"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-quota-row.h"

struct _MsQuotaRow
{
  AdwActionRow   parent_instance;

  GtkSpinButton *limit_spin;
  GtkSpinButton *count_spin;
  GtkDropDown   *unit_dropdown;
};

G_DEFINE_FINAL_TYPE (MsQuotaRow, ms_quota_row, ADW_TYPE_ACTION_ROW)

enum {
  SIGNAL_CHANGED,
  SIGNAL_REMOVE,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Seconds per unit, in the order of the drop-down. */
static const guint unit_secs[] = { 1, 60, 3600, 86400 };

static void
update_title (MsQuotaRow *self)
{
  g_autofree char *text = NULL;
  MsQuota quota;

  ms_quota_row_get_quota (self, &quota);
  text = ms_quota_describe (&quota);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), text);
}

static void
on_changed_cb (MsQuotaRow *self)
{
  update_title (self);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

static void
on_remove_clicked_cb (MsQuotaRow *self)
{
  g_signal_emit (self, signals[SIGNAL_REMOVE], 0);
}

static GtkSpinButton *
add_spin (MsQuotaRow *self,
          double      max,
          const char *label)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (1, max, 1);

  gtk_widget_set_valign (spin, GTK_ALIGN_CENTER);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (spin), GTK_ACCESSIBLE_PROPERTY_LABEL, label, -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), spin);
  return GTK_SPIN_BUTTON (spin);
}

static void
ms_quota_row_class_init (MsQuotaRowClass *klass)
{
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[SIGNAL_REMOVE] =
    g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ms_quota_row_init (MsQuotaRow *self)
{
  static const char * const units[] = { N_("seconds"), N_("minutes"), N_("hours"), N_("days"), NULL };
  g_autoptr(GtkStringList) unit_names = gtk_string_list_new (NULL);
  GtkWidget *per, *remove;

  for (guint i = 0; units[i] != NULL; i++)
    gtk_string_list_append (unit_names, _(units[i]));

  self->limit_spin = add_spin (self, 1000000, _("Messages"));
  /* TRANSLATORS: between "500" and "1 days" in a quota row: 500 messages per 1 days */
  per = gtk_label_new (_("per"));
  gtk_widget_add_css_class (per, "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), per);
  self->count_spin = add_spin (self, 1000, _("Number of units"));

  self->unit_dropdown = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_steal_pointer (&unit_names)), NULL));
  gtk_widget_set_valign (GTK_WIDGET (self->unit_dropdown), GTK_ALIGN_CENTER);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->unit_dropdown),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Unit"), -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), GTK_WIDGET (self->unit_dropdown));

  remove = gtk_button_new_from_icon_name ("user-trash-symbolic");
  gtk_widget_set_valign (remove, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (remove, _("Remove Quota"));
  gtk_widget_add_css_class (remove, "flat");
  adw_action_row_add_suffix (ADW_ACTION_ROW (self), remove);

  g_signal_connect_swapped (self->limit_spin, "value-changed", G_CALLBACK (on_changed_cb), self);
  g_signal_connect_swapped (self->count_spin, "value-changed", G_CALLBACK (on_changed_cb), self);
  g_signal_connect_swapped (self->unit_dropdown, "notify::selected", G_CALLBACK (on_changed_cb), self);
  g_signal_connect_swapped (remove, "clicked", G_CALLBACK (on_remove_clicked_cb), self);
}

MsQuotaRow *
ms_quota_row_new (const MsQuota *quota)
{
  MsQuotaRow *self = g_object_new (MS_TYPE_QUOTA_ROW, NULL);
  guint unit = 0;

  g_return_val_if_fail (quota != NULL, NULL);

  for (guint i = G_N_ELEMENTS (unit_secs); i > 0; i--)
    if (quota->window_secs % unit_secs[i - 1] == 0)
      {
        unit = i - 1;
        break;
      }

  g_signal_handlers_block_by_func (self->limit_spin, on_changed_cb, self);
  g_signal_handlers_block_by_func (self->count_spin, on_changed_cb, self);
  g_signal_handlers_block_by_func (self->unit_dropdown, on_changed_cb, self);
  gtk_spin_button_set_value (self->limit_spin, MAX (quota->limit, 1));
  gtk_spin_button_set_value (self->count_spin, MAX (quota->window_secs / unit_secs[unit], 1));
  gtk_drop_down_set_selected (self->unit_dropdown, unit);
  g_signal_handlers_unblock_by_func (self->limit_spin, on_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->count_spin, on_changed_cb, self);
  g_signal_handlers_unblock_by_func (self->unit_dropdown, on_changed_cb, self);
  update_title (self);
  return self;
}

void
ms_quota_row_get_quota (MsQuotaRow *self,
                        MsQuota    *quota)
{
  guint unit;

  g_return_if_fail (MS_IS_QUOTA_ROW (self));
  g_return_if_fail (quota != NULL);

  unit = MIN (gtk_drop_down_get_selected (self->unit_dropdown), G_N_ELEMENTS (unit_secs) - 1);
  quota->limit = (guint) gtk_spin_button_get_value_as_int (self->limit_spin);
  quota->window_secs = (guint) gtk_spin_button_get_value_as_int (self->count_spin) * unit_secs[unit];
}

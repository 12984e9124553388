/* ms-contacts-view-private.h
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

#pragma once

#include "ms-contacts-view.h"
#include "ms-lazy-selection.h"

G_BEGIN_DECLS

struct _MsContactsView
{
  AdwBin               parent_instance;

  /* Template */
  AdwWindowTitle      *window_title;
  GtkWidget           *toolbar;
  GtkSearchEntry      *search_entry;
  GtkDropDown         *status_dropdown;
  GtkLabel            *count_label;
  GtkStack            *stack;
  GtkSpinner          *spinner;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *email_column;
  GtkColumnViewColumn *name_column;
  GtkColumnViewColumn *status_column;
  GtkColumnViewColumn *added_column;
  AdwStatusPage       *error_page;
  GtkActionBar        *action_bar;
  GtkLabel            *selection_label;
  GtkSpinner          *bulk_spinner;
  GMenu               *add_to_list_section;
  GMenu               *remove_section;

  /* State */
  char                *db_path;
  MsContactModel      *model;
  MsLazySelection     *selection;
  GListModel          *lists;
  gint64               list_id;
  char                *list_name;
  MsContactSort        sort;
  gboolean             descending;
  gboolean             folded;
  gboolean             busy;          /* a bulk action runs */
  gboolean             loading;       /* last notified value */
  GCancellable        *cancellable;
  GtkNativeDialog     *export_dialog;

  /* Reading the column view's sorter (GtkColumnViewSorter has no API on 4.8) */
  MsContact           *probe_a;
  MsContact           *probe_b;
  gboolean             probing;
  gboolean             probe_hit;
  MsContactSort        probe_sort;
};

void     _ms_contacts_view_class_actions_init (MsContactsViewClass *klass);
void     _ms_contacts_view_actions_update     (MsContactsView      *self);
void     _ms_contacts_view_set_busy           (MsContactsView      *self,
                                               gboolean             busy);
void     _ms_contacts_view_add_toast          (MsContactsView      *self,
                                               AdwToast            *toast);
void     _ms_contacts_view_edit               (MsContactsView      *self,
                                               guint                position);
guint64  _ms_contacts_view_get_n_selected     (MsContactsView      *self);
void     _ms_contacts_view_emit_changed       (MsContactsView      *self);

G_END_DECLS

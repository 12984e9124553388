/* ms-contacts-view.h
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

#include <adwaita.h>

#include "ms-contact-model.h"

G_BEGIN_DECLS

#define MS_TYPE_CONTACTS_VIEW (ms_contacts_view_get_type ())

G_DECLARE_FINAL_TYPE (MsContactsView, ms_contacts_view, MS, CONTACTS_VIEW, AdwBin)

void               ms_contacts_view_set_db_path        (MsContactsView  *self,
                                                        const char      *db_path);
const char        *ms_contacts_view_get_db_path        (MsContactsView  *self);
void               ms_contacts_view_set_list           (MsContactsView  *self,
                                                        gint64           list_id,
                                                        const char      *list_name);
gint64             ms_contacts_view_get_list_id        (MsContactsView  *self);
void               ms_contacts_view_set_lists          (MsContactsView  *self,
                                                        GListModel      *lists);
MsContactModel    *ms_contacts_view_get_model          (MsContactsView  *self);
GtkSelectionModel *ms_contacts_view_get_selection      (MsContactsView  *self);
GtkColumnView     *ms_contacts_view_get_column_view    (MsContactsView  *self);
gboolean           ms_contacts_view_get_loading        (MsContactsView  *self);
const char        *ms_contacts_view_get_page_name      (MsContactsView  *self);
const char        *ms_contacts_view_get_count_text     (MsContactsView  *self);
void               ms_contacts_view_set_search         (MsContactsView  *self,
                                                        const char      *text);
void               ms_contacts_view_set_status_filter  (MsContactsView  *self,
                                                        int              status);
void               ms_contacts_view_sort_by            (MsContactsView  *self,
                                                        MsContactSort    sort,
                                                        gboolean         descending);
void               ms_contacts_view_refresh            (MsContactsView  *self);
void               ms_contacts_view_focus_search       (MsContactsView  *self);
void               ms_contacts_view_export             (MsContactsView  *self);
void               ms_contacts_view_export_to_file     (MsContactsView  *self,
                                                        GFile           *file);

G_END_DECLS

/* ms-window.h
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

#include "ms-application.h"
#include "ms-contacts-view.h"
#include "ms-import-dialog.h"

G_BEGIN_DECLS

#define MS_TYPE_WINDOW (ms_window_get_type ())

G_DECLARE_FINAL_TYPE (MsWindow, ms_window, MS, WINDOW, AdwApplicationWindow)

MsWindow       *ms_window_new               (MsApplication *application);
const char     *ms_window_get_db_path       (MsWindow      *self);
MsContactsView *ms_window_get_contacts_view (MsWindow      *self);
GListModel     *ms_window_get_lists         (MsWindow      *self);
gint64          ms_window_get_list_id       (MsWindow      *self);
void            ms_window_select_list       (MsWindow      *self,
                                             gint64         list_id);
void            ms_window_show_section      (MsWindow      *self,
                                             const char    *name);
const char     *ms_window_get_section       (MsWindow      *self);
gboolean        ms_window_get_loading       (MsWindow      *self);
void            ms_window_add_toast         (MsWindow      *self,
                                             AdwToast      *toast);
void            ms_window_reload            (MsWindow      *self);
MsImportDialog *ms_window_open_import       (MsWindow      *self,
                                             GFile         *file);

G_END_DECLS

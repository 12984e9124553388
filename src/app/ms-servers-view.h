/* ms-servers-view.h
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

#include "ms-secrets.h"
#include "ms-server-editor.h"

G_BEGIN_DECLS

#define MS_TYPE_SERVERS_VIEW (ms_servers_view_get_type ())

G_DECLARE_FINAL_TYPE (MsServersView, ms_servers_view, MS, SERVERS_VIEW, AdwBin)

/* The Servers section: the profiles in sending order with their state, and
 * the editor.  It reads the database whenever it is shown. */
void            ms_servers_view_set_db_path   (MsServersView *self,
                                               const char    *db_path);
/* MsServer items, as last read. */
GListModel     *ms_servers_view_get_servers   (MsServersView *self);
gboolean        ms_servers_view_get_loading   (MsServersView *self);
/* NULL until the view was shown once. */
MsSecrets      *ms_servers_view_get_secrets   (MsServersView *self);
void            ms_servers_view_reload        (MsServersView *self);
/* Opens the editor for a new profile (server NULL) or a copy of @server. */
MsServerEditor *ms_servers_view_open_editor   (MsServersView *self,
                                               MsServer      *server);

G_END_DECLS

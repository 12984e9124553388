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
/* Check Mailbox Now (action "servers.check-mailbox" with the server's id) for a
 * listed profile with an incoming mailbox; the result is said in a toast.
 * FALSE when it did not start (no such profile, no mailbox, already running). */
gboolean        ms_servers_view_check_mailbox (MsServersView *self,
                                               gint64         server_id);
/* Action "servers.cancel-check". */
void            ms_servers_view_cancel_check  (MsServersView *self,
                                               gint64         server_id);
gboolean        ms_servers_view_get_checking  (MsServersView *self,
                                               gint64         server_id);
/* The words of the last finished check, or NULL. */
const char     *ms_servers_view_get_last_check_text (MsServersView *self);

G_END_DECLS

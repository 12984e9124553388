/* ms-store-servers.h
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

#include "ms-server.h"
#include "ms-store.h"

G_BEGIN_DECLS

/* Server profiles in the store (tables `servers` and `server_quotas`).
 *
 * Each write validates the profile (ms_server_validate(), whose errors keep the
 * MS_SERVER_ERROR domain) and writes the row and all its quotas in one transaction:
 * inside the caller's transaction when one is open (as a savepoint), else in one of
 * its own.  A taken name is MS_STORE_ERROR_EXISTS; an unknown id or name is
 * MS_STORE_ERROR_NOT_FOUND.  The sender address is stored normalised
 * (ms_address_normalize()), the pinned fingerprint as 64 lowercase hex digits. */

/* Every profile, by priority (lowest first), then by name. */
GPtrArray *ms_store_list_servers       (MsStore   *self,
                                        GError   **error);
MsServer  *ms_store_get_server         (MsStore   *self,
                                        gint64     id,
                                        GError   **error);
MsServer  *ms_store_find_server        (MsStore   *self,
                                        const char *name,
                                        GError   **error);
/* Inserts @server (its id must be 0), then sets its id, created-at and updated-at. */
gint64     ms_store_add_server         (MsStore   *self,
                                        MsServer  *server,
                                        GError   **error);
/* Writes every column of @server (found by its id) and replaces its quotas. */
gboolean   ms_store_update_server      (MsStore   *self,
                                        MsServer  *server,
                                        GError   **error);
/* Deletes the profile; its quotas and state go with it (ON DELETE CASCADE). */
gboolean   ms_store_delete_server      (MsStore   *self,
                                        gint64     id,
                                        GError   **error);

G_END_DECLS

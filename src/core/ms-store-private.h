/* ms-store-private.h
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

#include <sqlite3.h>

#include "ms-store.h"

G_BEGIN_DECLS

/* For code in src/core only: the connection and its statement cache.  A
 * statement from _ms_store_prepare() is reset and unbound, ready to bind. */
sqlite3      *_ms_store_get_db    (MsStore     *self);
sqlite3_stmt *_ms_store_prepare   (MsStore     *self,
                                   const char  *sql,
                                   GError     **error);
gboolean      _ms_store_exec      (MsStore     *self,
                                   const char  *sql,
                                   GError     **error);
gboolean      _ms_store_fail      (MsStore     *self,
                                   int          rc,
                                   GError     **error);
gboolean      _ms_store_step_done (MsStore      *self,
                                   sqlite3_stmt *stmt,
                                   GError      **error);
void          _ms_store_bind_text (sqlite3_stmt *stmt,
                                   int           index,
                                   const char   *text);

G_END_DECLS

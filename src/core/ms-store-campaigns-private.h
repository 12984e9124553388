/* ms-store-campaigns-private.h
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

#include "ms-store-campaigns.h"

G_BEGIN_DECLS

/* Shared by ms-store-campaigns.c and ms-store-deliveries.c. */

/* A contact is in the audience when one of the campaign's lists (?1) holds it. */
#define MS_STORE_IN_LISTS(exclude) \
  "EXISTS (SELECT 1 FROM list_members m JOIN campaign_lists cl ON cl.list_id = m.list_id" \
  " WHERE m.contact_id = c.id AND cl.campaign_id = ?1 AND cl.exclude = " exclude ")"

const char *_ms_store_column_text      (sqlite3_stmt  *stmt,
                                        int            col);
/* Opens a transaction unless the caller holds one; *owned says which. */
gboolean    _ms_store_begin_if_needed  (MsStore       *self,
                                        gboolean      *owned,
                                        GError       **error);
/* Commits (or on !ok rolls back) a transaction opened by the above. */
gboolean    _ms_store_finish_if_owned  (MsStore       *self,
                                        gboolean       owned,
                                        gboolean       ok,
                                        GError       **error);
char       *_ms_store_random_hex       (guint          n_bytes);
/* queued -> cancelled for the campaign. */
gboolean    _ms_store_cancel_queued    (MsStore       *self,
                                        gint64         campaign_id,
                                        GError       **error);

G_END_DECLS

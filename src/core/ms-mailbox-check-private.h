/* ms-mailbox-check-private.h
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

#include "ms-mailbox-check.h"

G_BEGIN_DECLS

/* Shared by ms-mailbox-check.c (the servers) and ms-mailbox-apply.c (the store):
 * what the mailbox_seen table knows. */

/* The highest UID recorded for the folder under @uidvalidity (0 for none), and
 * whether rows of another UIDVALIDITY exist (the folder was recreated). */
gboolean    _ms_mailbox_seen_last_uid     (MsStore     *store,
                                           gint64       server_id,
                                           const char  *mailbox,
                                           guint32      uidvalidity,
                                           guint32     *out_last,
                                           gboolean    *out_other_validity,
                                           GError     **error);
/* Drops the rows of every other UIDVALIDITY of the folder. */
gboolean    _ms_mailbox_seen_forget_other (MsStore     *store,
                                           gint64       server_id,
                                           const char  *mailbox,
                                           guint32      uidvalidity,
                                           GError     **error);
/* Every UID recorded for the folder, as a set of strings. */
GHashTable *_ms_mailbox_seen_list         (MsStore     *store,
                                           gint64       server_id,
                                           const char  *mailbox,
                                           GError     **error);
/* Drops the rows whose UID is not in @present (mail gone from the server). */
gboolean    _ms_mailbox_seen_prune        (MsStore     *store,
                                           gint64       server_id,
                                           const char  *mailbox,
                                           GHashTable  *present,
                                           GError     **error);

G_END_DECLS

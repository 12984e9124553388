/* ms-server-card.h
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

#include <gtk/gtk.h>

#include "ms-campaign.h"

G_BEGIN_DECLS

/* One server of a campaign while it sends: its state in words, a level bar per
 * quota window (used / remaining, when it reopens) and what it sent. */
#define MS_TYPE_SERVER_CARD (ms_server_card_get_type ())

G_DECLARE_FINAL_TYPE (MsServerCard, ms_server_card, MS, SERVER_CARD, GtkBox)

GtkWidget   *ms_server_card_new             (void);
void         ms_server_card_update          (MsServerCard         *self,
                                             const MsServerStatus *status,
                                             gint64                now_ms);
gint64       ms_server_card_get_server_id   (MsServerCard         *self);
const char  *ms_server_card_get_state_text  (MsServerCard         *self);
guint        ms_server_card_get_n_windows   (MsServerCard         *self);
GtkLevelBar *ms_server_card_get_level_bar   (MsServerCard         *self,
                                             guint                 index);
const char  *ms_server_card_get_window_text (MsServerCard         *self,
                                             guint                 index);

/* "14:05", "14:05:30" within five minutes, or "Mon 14:05" on another day; unix seconds. */
char        *ms_format_clock                (gint64                unix_time);
/* "15 s", "10 min", "1 h", "1 day" */
char        *ms_format_window               (guint                 seconds);
/* The server's state in words: "Cooling down until 15:10 after: 553 5.7.1 …". */
char        *ms_server_status_describe      (const MsServerStatus *status);

G_END_DECLS

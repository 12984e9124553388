/* ms-connection-log.h
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

#include "ms-server-test.h"

G_BEGIN_DECLS

#define MS_TYPE_CONNECTION_LOG (ms_connection_log_get_type ())

G_DECLARE_FINAL_TYPE (MsConnectionLog, ms_connection_log, MS, CONNECTION_LOG, GtkBox)

/* The live log of "Test Connection": one row per step as it happens (a spinner
 * while it runs, then its result), the protocol lines in an expander, and the
 * outcome with the explanation of an error at the end. */
MsConnectionLog *ms_connection_log_new           (void);
void             ms_connection_log_clear         (MsConnectionLog          *self);
void             ms_connection_log_add           (MsConnectionLog          *self,
                                                  MsServerTestStep          step,
                                                  MsServerTestStatus        status,
                                                  const char               *text);
void             ms_connection_log_finish        (MsConnectionLog          *self,
                                                  const MsServerTestReport *report);
void             ms_connection_log_cancelled     (MsConnectionLog          *self);
/* The steps as text, one per line, each starting with its status
 * ("ok: Logged in."); what "Copy" puts on the clipboard. */
char            *ms_connection_log_dup_text      (MsConnectionLog          *self);
gboolean         ms_connection_log_is_empty      (MsConnectionLog          *self);

G_END_DECLS

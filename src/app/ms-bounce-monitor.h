/* ms-bounce-monitor.h
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

#include <gio/gio.h>

#include "ms-mailbox-check.h"

G_BEGIN_DECLS

#define MS_TYPE_BOUNCE_MONITOR (ms_bounce_monitor_get_type ())

G_DECLARE_FINAL_TYPE (MsBounceMonitor, ms_bounce_monitor, MS, BOUNCE_MONITOR, GObject)

/* Checks the incoming mailbox of every server profile that has one, every
 * interval, while a campaign runs, waits or is paused and for some days after
 * it ended (DESIGN.md §8).  A round runs on a worker thread with a store
 * connection of its own, one server after the other; rounds never overlap.
 * "checked" is emitted on the main thread after each round that ran. */
MsBounceMonitor            *ms_bounce_monitor_new             (const char      *db_path);
/* Minutes between rounds; 0 stops the timer. */
void                        ms_bounce_monitor_set_interval    (MsBounceMonitor *self,
                                                               guint            minutes);
guint                       ms_bounce_monitor_get_interval    (MsBounceMonitor *self);
/* Days after a campaign ended during which its mailboxes are still checked. */
void                        ms_bounce_monitor_set_days        (MsBounceMonitor *self,
                                                               guint            days);
guint                       ms_bounce_monitor_get_days        (MsBounceMonitor *self);
/* Starts a round now unless one is running (FALSE then).  With @only_when_due
 * the round checks nothing when no campaign is running or recently ended. */
gboolean                    ms_bounce_monitor_run             (MsBounceMonitor *self,
                                                               gboolean         only_when_due);
gboolean                    ms_bounce_monitor_get_busy        (MsBounceMonitor *self);
/* Of the last round: the counts summed over its servers, how many servers
 * were checked and how many of them failed (the errors are logged). */
const MsMailboxCheckResult *ms_bounce_monitor_get_last_result (MsBounceMonitor *self);
guint                       ms_bounce_monitor_get_n_checked   (MsBounceMonitor *self);
guint                       ms_bounce_monitor_get_n_failed    (MsBounceMonitor *self);

G_END_DECLS

/* ms-quota.h
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

#include <glib-object.h>

#include "ms-server.h"

G_BEGIN_DECLS

/* Rolling sending limits (DESIGN.md §5).
 *
 * A quota "at most L messages in any W seconds" is checked at a moment `now`
 * (unix milliseconds) against the messages counted in (now - W, now]: a message
 * handed to the server at time t counts until t + W.  Times are milliseconds
 * since the epoch everywhere in this file. */

/* One window of one server at one moment. */
typedef struct
{
  guint  limit;
  guint  window_secs;
  guint  used;         /* counted in (now - window, now], messages in flight included */
  guint  remaining;    /* limit - used; 0 when full (used may exceed a lowered limit) */
  gint64 reopens_at;   /* when full: when the next message may go (G_MAXINT64 while only
                        * messages in flight fill it); otherwise when the oldest counted
                        * message leaves the window; 0 when nothing is counted */
} MsQuotaWindowStatus;

/* The messages one server was handed, as runs of (time, count) in time order, and
 * the windows they are counted in.  Not thread-safe; pure: every call takes the
 * moment it is asked about.  Asking about moments in increasing order costs O(1)
 * per call (amortised); an earlier moment recounts. */
typedef struct _MsQuotaLedger MsQuotaLedger;

MsQuotaLedger *ms_quota_ledger_new         (const MsQuota        *quotas,
                                            guint                 n_quotas);
MsQuotaLedger *ms_quota_ledger_copy        (const MsQuotaLedger  *self);
void           ms_quota_ledger_free        (MsQuotaLedger        *self);
void           ms_quota_ledger_set_quotas  (MsQuotaLedger        *self,
                                            const MsQuota        *quotas,
                                            guint                 n_quotas);
guint          ms_quota_ledger_get_n_quotas (const MsQuotaLedger *self);
/* Records @count messages handed over at @time. */
void           ms_quota_ledger_add         (MsQuotaLedger        *self,
                                            gint64                time,
                                            guint                 count);
/* Forgets what no window counts at @now any more. */
void           ms_quota_ledger_prune       (MsQuotaLedger        *self,
                                            gint64                now);
/* How many more messages may go at @now, with @pending messages in flight (they
 * count as handed over at @now); G_MAXUINT without quotas. */
guint          ms_quota_ledger_room        (MsQuotaLedger        *self,
                                            guint                 pending,
                                            gint64                now);
/* The earliest moment >= @now with room for one more message: @now when there is
 * room; G_MAXINT64 when only messages in flight fill a window (the moment comes
 * when they are done). */
gint64         ms_quota_ledger_next_room   (MsQuotaLedger        *self,
                                            guint                 pending,
                                            gint64                now);
/* Fills @out (n_quotas elements, shortest window first). */
void           ms_quota_ledger_status      (MsQuotaLedger        *self,
                                            guint                 pending,
                                            gint64                now,
                                            MsQuotaWindowStatus  *out);

/* The ledgers of every server, thread-safe (one mutex), with the reservations that
 * keep several connections from overshooting:
 *
 *   ms_quota_tracker_reserve ()    takes a slot: counted from now on, as in flight
 *   ... the send_log row is written, then the final dot, then the reply ...
 *   ms_quota_tracker_complete ()   the slot becomes a message counted at the time
 *                                  returned (when the reply came: never before the
 *                                  server had the message)
 *   ms_quota_tracker_release ()    or: the message never reached the final dot
 */
typedef gint64 (*MsQuotaClock) (gpointer user_data);

typedef struct _MsQuotaTracker MsQuotaTracker;

MsQuotaTracker *ms_quota_tracker_new        (void);
void            ms_quota_tracker_free       (MsQuotaTracker       *self);
/* For tests; the default clock is g_get_real_time () / 1000. */
void            ms_quota_tracker_set_clock  (MsQuotaTracker       *self,
                                             MsQuotaClock          clock,
                                             gpointer              user_data);
gint64          ms_quota_tracker_now        (MsQuotaTracker       *self);
/* Adds the server or replaces its quotas (its history is kept). */
void            ms_quota_tracker_set_server (MsQuotaTracker       *self,
                                             gint64                server_id,
                                             const MsQuota        *quotas,
                                             guint                 n_quotas);
gboolean        ms_quota_tracker_has_server (MsQuotaTracker       *self,
                                             gint64                server_id);
/* A message of the send log (while loading it, oldest first). */
void            ms_quota_tracker_load       (MsQuotaTracker       *self,
                                             gint64                server_id,
                                             gint64                time);
/* Takes a slot when every window has room; otherwise returns FALSE and sets
 * @out_next (nullable) to ms_quota_ledger_next_room(). */
gboolean        ms_quota_tracker_reserve    (MsQuotaTracker       *self,
                                             gint64                server_id,
                                             gint64               *out_next);
gboolean        ms_quota_tracker_has_room   (MsQuotaTracker       *self,
                                             gint64                server_id,
                                             gint64               *out_next);
/* Returns the time the message is counted at: now, never before an earlier one. */
gint64          ms_quota_tracker_complete   (MsQuotaTracker       *self,
                                             gint64                server_id);
void            ms_quota_tracker_release    (MsQuotaTracker       *self,
                                             gint64                server_id);
guint           ms_quota_tracker_get_pending (MsQuotaTracker      *self,
                                              gint64               server_id);
/* The windows of the server now; NULL for an unknown server.  Element type
 * MsQuotaWindowStatus. */
GArray         *ms_quota_tracker_get_status (MsQuotaTracker       *self,
                                             gint64                server_id);
/* A copy of the server's ledger, for plans; NULL for an unknown server. */
MsQuotaLedger  *ms_quota_tracker_copy_ledger (MsQuotaTracker      *self,
                                              gint64               server_id);

/* Plans: how many of @n_messages could go through the servers, in order, under
 * their quotas, starting at @now, if sending took no time. */
typedef struct
{
  MsQuotaLedger *ledger;          /* the server's history and quotas (borrowed, not changed) */
  gboolean       usable;          /* FALSE: stopped, disabled, unusable for the campaign */
  gint64         available_from;  /* end of a cool-down; 0 for none */
} MsQuotaPlanServer;

typedef struct
{
  guint64 now;          /* messages that may go at once */
  guint64 later;        /* messages that go after a wait */
  gint64  first_later;  /* when the first of those goes; 0 if none */
  gint64  last;         /* when its last message goes; 0 if none */
} MsQuotaPlanResult;

/* When sending may happen at or after @time: @time itself when inside the send
 * window, else the next opening (G_MAXINT64 when never). */
typedef gint64 (*MsQuotaWindowFunc) (gint64   time,
                                     gpointer user_data);

/* Fills @results (one per server) and returns when the last message would go
 * (@now when all go at once or there are none); G_MAXINT64 when no server can
 * send.  Past 200,000 steps the rest is spread at each server's long-run rate. */
gint64          ms_quota_plan               (const MsQuotaPlanServer *servers,
                                             guint                    n_servers,
                                             guint64                  n_messages,
                                             gint64                   now,
                                             MsQuotaWindowFunc        window_func,
                                             gpointer                 window_data,
                                             MsQuotaPlanResult       *results);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsQuotaLedger, ms_quota_ledger_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsQuotaTracker, ms_quota_tracker_free)

G_END_DECLS

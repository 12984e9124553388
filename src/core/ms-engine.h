/* ms-engine.h
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

#include "ms-campaign.h"
#include "ms-secrets.h"

G_BEGIN_DECLS

#define MS_ENGINE_ERROR (ms_engine_error_quark ())

typedef enum
{
  MS_ENGINE_ERROR_LOCKED,   /* another program sends from this database: the message names it */
  MS_ENGINE_ERROR_FAILED,
} MsEngineError;

/* How patient the engine is.  The defaults suit real servers; tests shorten them. */
typedef struct
{
  guint retry_base_secs;     /* a 4xx reply: first retry after this, doubling (300) */
  guint retry_max_secs;      /* longest wait between retries (14400) */
  guint max_attempts;        /* temporary failures before a delivery fails (5) */
  guint max_age_secs;        /* or when its first attempt is this old (259200) */
  guint cooldown_base_secs;  /* an account-level reply: first cool-down, doubling (300) */
  guint cooldown_max_secs;   /* longest cool-down (86400) */
  guint idle_close_ms;       /* a connection without work is closed after this (10000) */
  guint commit_ahead;        /* at most this many deliveries a connection is given
                              * ahead, each recorded as data-sent before the connection
                              * starts it, so one fsync covers several messages; the
                              * engine gives as many as one commit takes to cover (4:
                              * few enough that a crash leaves few uncertain).
                              * 0 records each between its body and its final dot:
                              * slower, but after a crash only the message in flight
                              * is uncertain instead of up to this many per connection. */
} MsEngineTiming;

void ms_engine_timing_init_default (MsEngineTiming *timing);

/* The delivery engine (DESIGN.md §5).
 *
 * One engine per database, also across processes: ms_engine_start() takes a lock
 * file next to the database ("<database>.lock", holding the process id and
 * program name) and a second engine is refused with MS_ENGINE_ERROR_LOCKED naming
 * the holder.  Start the engine only to send, and stop it when nothing is left to
 * send, so other programs may send from the same database.
 *
 * It runs on its own thread with its own main context and sends each campaign
 * through one worker thread per SMTP connection.  Everything below is called on
 * the thread that started it (the UI thread), and everything it reports arrives
 * on that thread's thread-default main context, at most ten times a second:
 * the live MsCampaign objects change their properties (state, counts, servers,
 * send rate, ETA) and the signals below are emitted.
 *
 *   engine = ms_engine_new (path);
 *   ms_engine_start (engine, &error);
 *   campaign = ms_engine_send (engine, campaign_id, &error);   bind to its properties
 *   ...  ms_engine_pause (), ms_engine_cancel (), ms_engine_send () again to resume
 *   ms_engine_stop (engine);   in-flight messages are finished first
 *
 * Campaign states written by other programs (`mailshot-cli campaign pause`) are
 * followed within a second; so are edited server profiles (or at once after
 * ms_engine_servers_changed()).
 *
 * Signals (on the starting thread), each with the MsCampaign:
 *   "campaign-finished"  it finished or was cancelled
 *   "campaign-waiting"   nothing can go now: every server waits for a quota window
 *                        or a cool-down, or the send window or a retry time; the
 *                        campaign's wait-until and reason say until when and why
 *   "campaign-stalled"   the engine paused it because no server can send it (all
 *                        stopped, disabled or unusable) or the database failed; the
 *                        reason says why
 * and "notify::active". */
#define MS_TYPE_ENGINE (ms_engine_get_type ())

G_DECLARE_FINAL_TYPE (MsEngine, ms_engine, MS, ENGINE, GObject)

GQuark      ms_engine_error_quark        (void);

MsEngine   *ms_engine_new                (const char            *db_path);
const char *ms_engine_get_db_path        (MsEngine              *self);
/* Before ms_engine_start(). */
void        ms_engine_set_timing         (MsEngine              *self,
                                          const MsEngineTiming  *timing);
/* The store for SMTP passwords and DKIM keys; default: ms_secrets_new_for_database(). */
void        ms_engine_set_secrets        (MsEngine              *self,
                                          MsSecrets             *secrets);

/* Takes the lock, recovers from a crash (sending deliveries are queued again,
 * data-sent ones become uncertain) and starts the engine thread. */
gboolean    ms_engine_start              (MsEngine              *self,
                                          GError               **error);
/* Stops sending: every campaign keeps its state (running ones continue at the next
 * start), messages in flight are finished, the thread is joined and the lock
 * released.  Blocks until then. */
void        ms_engine_stop               (MsEngine              *self);
gboolean    ms_engine_is_started         (MsEngine              *self);
/* TRUE while a campaign of this engine is sending or waiting to continue. */
gboolean    ms_engine_get_active         (MsEngine              *self);

/* Starts, resumes or continues a campaign (draft, scheduled, paused, waiting,
 * running or finished with deliveries put back by a retry).  Resuming a paused
 * campaign lets its stopped servers try again (ms_store_resume_campaign()).
 * Returns the live campaign (owned by the engine, valid until it is finalised);
 * the same object for the same id.  Cancelled campaigns are
 * MS_CAMPAIGN_ERROR_STATE. */
MsCampaign *ms_engine_send               (MsEngine              *self,
                                          gint64                 campaign_id,
                                          GError               **error);
/* The live campaign, or NULL when this engine never sent it. */
MsCampaign *ms_engine_get_campaign       (MsEngine              *self,
                                          gint64                 campaign_id);
/* Stops giving the campaign's deliveries to connections; messages in flight are
 * finished, then it is paused ("state" becomes paused). */
void        ms_engine_pause              (MsEngine              *self,
                                          gint64                 campaign_id);
/* Like pause, then every delivery not yet sent is cancelled. */
void        ms_engine_cancel             (MsEngine              *self,
                                          gint64                 campaign_id);
/* Server profiles changed (settings, quotas, passwords): re-read them.  A server
 * stopped after a refused login or TLS problem is tried again when its profile
 * was saved after the stop. */
void        ms_engine_servers_changed    (MsEngine              *self);

G_END_DECLS

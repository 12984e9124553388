/* ms-engine-core-private.h
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

#include "ms-engine-private.h"
#include "ms-quota.h"
#include "ms-store-campaigns.h"

G_BEGIN_DECLS

/* The engine thread's state, shared by ms-engine-core.c (the loop, the database,
 * commands and results) and ms-engine-schedule.c (rotation, the campaigns'
 * states, progress).  Engine thread only. */

#define CLAIM_BATCH        32
#define UNCLAIM_AFTER_MS   2000     /* a wait this long returns prefetched claims */
#define PUBLISH_INTERVAL   100000   /* µs: at most ten updates a second */
#define POLL_INTERVAL      1000     /* ms: other programs' changes, time-based waits */
#define ETA_INTERVAL       2000000  /* µs */
#define MATERIALIZE_BATCH  5000
#define BUSY_TIMEOUT_MS    30000
#define COMMIT_DELAY       20000    /* µs an outcome may wait for the next commit */

typedef struct
{
  gint64          id;
  MsServer       *server;
  MsServerHealth  health;
  GPtrArray      *workers;      /* MsEngineWorker* */
  guint           connections;  /* open now */
  gboolean        held;         /* workers told to hand jobs back */
  gboolean        deleted;      /* the profile is gone */
} ServerRun;

typedef struct
{
  ServerRun         *server;
  MsMessageRenderer *renderer;
  char              *unusable;  /* why it cannot send this campaign, or NULL */
  guint64            sent;
} CampaignServer;

typedef struct
{
  gint64           id;
  char            *name;
  MsCampaignState  state;
  char            *reason;
  gint64           wait_until;     /* unix seconds */
  gboolean         stalled;
  gboolean         pausing;        /* no more dispatching; pause when nothing is in flight */
  gboolean         cancelling;
  gboolean         keep_state;     /* stopping the engine: leave the state as it is */
  gboolean         done;           /* left the engine: publish once more, then forget */
  gboolean         written;        /* the state above is in the database */
  MsSendWindow     window;
  gint64           start_at;
  GPtrArray       *servers;        /* CampaignServer*, rotation order */
  gint64           counts[MS_DELIVERY_N_STATES];
  GQueue           prefetch;       /* MsDelivery*, claimed (sending) and not given out */
  guint            in_flight;      /* jobs given to workers */
  gint64           claim_after;    /* unix seconds: nothing is due before */
  gint64           wake_at;        /* ms: look again then */
  guint            sec_count[60];
  gint64           sec_stamp[60];
  guint            min_count[60];
  gint64           min_stamp[60];
  gint64           eta;
  gint64           eta_computed;   /* µs, monotonic */
  MsEngineFlag    *stop;           /* shared with its jobs: set when pausing */
} CampaignRun;

typedef struct
{
  MsEngineWorker *worker;
  MsEngineJob    *job;
} PendingJob;

struct _MsEngineCore
{
  char                *db_path;
  MsSecrets           *secrets;
  MsEngineTiming       timing;
  MsEnginePublishFunc  publish;
  gpointer             publish_data;

  GThread             *thread;
  GMainContext        *context;
  GMainLoop           *loop;
  MsEngineInbox        inbox;

  /* Engine thread only */
  MsStore             *store;
  gboolean             in_tx;
  GPtrArray           *ack_waiters;    /* MsEngineWorker* */
  GArray              *pending_jobs;   /* PendingJob */
  GHashTable          *servers;        /* gint64* -> ServerRun* */
  GPtrArray           *campaigns;      /* CampaignRun*, in start order */
  MsQuotaTracker      *quotas;
  GStrv                custom_fields;
  guint                n_workers;
  gboolean             quitting;
  char                *fatal;          /* the database failed: why */
  GSource             *wake_source;
  gint64               wake_at;        /* ms */
  GSource             *publish_source;
  gint64               last_publish;   /* µs, monotonic */
  gboolean             publish_dirty;
  gint64               servers_stamp;
  double               commit_us;      /* average time of a commit */
  gint64               tx_started;     /* µs, monotonic */
  guint64              tick_no;
  guint64              n_commits;
  guint64              n_jobs;
  GSource             *commit_source;
};

gint64         _ms_engine_now_ms                (void);
gint64         _ms_engine_now_s                 (void);
char           *_ms_engine_format_time          (gint64 unix_s);
CampaignServer *_ms_engine_find_campaign_server (CampaignRun *c,
                                                 gint64      server_id);
gboolean       _ms_engine_ensure_tx             (MsEngineCore *core);
gboolean       _ms_engine_check                 (MsEngineCore *core,
                                                 gboolean     ok,
                                                 GError       *error);
void           _ms_engine_move_count            (CampaignRun     *c,
                                                 MsDeliveryState from,
                                                 MsDeliveryState to);
void           _ms_engine_set_state             (MsEngineCore    *core,
                                                 CampaignRun     *c,
                                                 MsCampaignState state,
                                                 const char      *reason,
                                                 gint64          wait_until);
gboolean       _ms_engine_claims_written        (MsEngineCore *core);
void           _ms_engine_unclaim_prefetch      (MsEngineCore *core,
                                                 CampaignRun  *c);
void           _ms_engine_reload_counts         (MsEngineCore *core,
                                                 CampaignRun  *c);
void           _ms_engine_set_hold              (ServerRun *s,
                                                 gboolean  hold);
void           _ms_engine_reload_servers        (MsEngineCore *core);
gint64         _ms_engine_read_servers_stamp    (MsEngineCore *core);
void           _ms_engine_record_sent           (CampaignRun *c,
                                                 gint64      now);
guint          _ms_engine_sent_last_minute      (CampaignRun *c,
                                                 gint64      now);
GArray         *_ms_engine_rate_history         (CampaignRun *c,
                                                 gint64      now);
void           _ms_engine_tick                  (MsEngineCore *core);
void           _ms_engine_schedule              (MsEngineCore *core);
void           _ms_engine_update_states         (MsEngineCore *core);
void           _ms_engine_poll_database         (MsEngineCore *core);
void           _ms_engine_publish               (MsEngineCore *core,
                                                 gboolean     force);
GPtrArray      *_ms_engine_build_snapshots      (MsEngineCore *core);
gboolean       _ms_engine_any_active            (MsEngineCore *core);
MsServerState  _ms_engine_server_state          (MsEngineCore   *core,
                                                 CampaignServer *cs,
                                                 gint64         now,
                                                 gint64         *out_until);

G_END_DECLS

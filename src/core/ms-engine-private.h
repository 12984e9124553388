/* ms-engine-private.h
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

#include "ms-engine.h"
#include "ms-message.h"
#include "ms-server.h"
#include "ms-smtp-client.h"
#include "ms-store-campaigns.h"

G_BEGIN_DECLS

/* The three kinds of threads:
 *   the owner (UI) thread   MsEngine (ms-engine.c): commands in, snapshots applied
 *   the engine thread       MsEngineCore (ms-engine-core.c): the database connection,
 *                           scheduling, quotas, states; a GMainContext with an inbox
 *   worker threads          MsEngineWorker (ms-engine-worker.c): one SMTP connection
 *                           each, rendering and sending the jobs they are given
 * Everything between them travels through GAsyncQueues: the engine's inbox (commands
 * and worker reports), each worker's job queue and its acknowledgement queue. */

typedef struct _MsEngineCore   MsEngineCore;
typedef struct _MsEngineWorker MsEngineWorker;

typedef enum
{
  MSG_SEND,             /* owner: start or resume campaign_id */
  MSG_PAUSE,            /* owner: pause campaign_id */
  MSG_CANCEL,           /* owner: cancel campaign_id */
  MSG_SERVERS_CHANGED,  /* owner */
  MSG_QUIT,             /* owner: finish what is in flight and end the thread */
  MSG_COMMIT,           /* worker: record data-sent for its job, then acknowledge */
  MSG_RESULT,           /* worker: the job is done (hands the job back) */
  MSG_CONNECTION,       /* worker: its connection opened or closed (connected) */
  MSG_WORKER_GONE,      /* worker: its thread ends */
} MsEngineMsgKind;

/* Shared by a campaign and its jobs: set when the campaign pauses, so jobs
 * waiting in a worker's queue are handed back untried. */
typedef struct
{
  int ref;    /* atomic */
  int stop;   /* atomic */
} MsEngineFlag;

MsEngineFlag   *_ms_engine_flag_new       (void);
MsEngineFlag   *_ms_engine_flag_ref       (MsEngineFlag    *flag);
void            _ms_engine_flag_unref     (MsEngineFlag    *flag);

/* A delivery given to a worker.  The engine thread owns it, except while a worker
 * holds it between the job queue and its MSG_RESULT. */
typedef struct
{
  MsDelivery        *delivery;
  gint64             campaign_id;
  gint64             server_id;
  MsMessageRenderer *renderer;
  char              *envelope_from;
  guint64            max_size;       /* 0: no limit */
  MsEngineFlag      *stop;           /* the campaign's */
  GBytes            *message;        /* worker: rendered (also ahead, for the next envelope) */

  /* Engine thread; committed is set before the job is given out when the engine
   * records data-sent ahead, else by the worker's acknowledgement */
  gint64             log_id;         /* the send_log row written with data-sent */

  /* Filled by the worker for MSG_RESULT */
  gboolean           skipped;        /* not tried: the server was put on hold */
  gboolean           aborted;        /* the data-sent commit was refused: no final dot */
  gboolean           ok;
  gboolean           opened;         /* FALSE: the connection could not be opened */
  gboolean           committed;      /* data-sent is durable */
  gboolean           dot_written;    /* the final dot went out (handed over) */
  MsSmtpFailure      failure;
  GError            *error;
  MsSmtpReply       *reply;          /* the reply that decided, when there was one */
  char              *response;       /* the reply to the final dot on success */
} MsEngineJob;

typedef struct
{
  MsEngineMsgKind  kind;
  gint64           campaign_id;
  MsEngineWorker  *worker;
  MsEngineJob     *job;
  gboolean         connected;
} MsEngineMsg;

/* What a worker receives on its acknowledgement queue. */
#define MS_ENGINE_ACK_OK    GINT_TO_POINTER (1)
#define MS_ENGINE_ACK_ABORT GINT_TO_POINTER (2)

void            _ms_engine_job_free       (MsEngineJob     *job);
MsEngineMsg    *_ms_engine_msg_new        (MsEngineMsgKind  kind);
void            _ms_engine_msg_free       (MsEngineMsg     *msg);

/* The engine thread's inbox: thread-safe, wakes the engine's context. */
typedef struct
{
  GAsyncQueue  *queue;
  GMainContext *context;
} MsEngineInbox;

void            _ms_engine_inbox_post     (MsEngineInbox   *inbox,
                                           MsEngineMsg     *msg);

/* Workers (created, fed and joined by the engine thread). */
struct _MsEngineWorker
{
  /* Set at creation, read-only afterwards */
  MsEngineInbox  *inbox;
  gint64          server_id;
  MsServer       *server;          /* a private copy */
  MsSecrets      *secrets;
  guint           idle_close_ms;
  GAsyncQueue    *jobs;            /* MsEngineJob*, or the worker itself to quit */
  GAsyncQueue    *acks;
  GCancellable   *cancellable;
  GThread        *thread;
  int             hold;            /* atomic: hand jobs back untried (cool-down, stop) */

  /* Engine thread only */
  guint           assigned;        /* jobs given and not yet returned */
  gint64          last_result;     /* µs, monotonic */
  gboolean        busy_since_result;
  guint64         refill_tick;     /* the tick that last gave it jobs */
  double          message_us;      /* average time a message takes, while busy */
  gboolean        connected;
  gboolean        retiring;        /* told to quit */
  gboolean        gone;
};

MsEngineWorker *_ms_engine_worker_new     (MsEngineInbox   *inbox,
                                           MsServer        *server,
                                           MsSecrets       *secrets,
                                           guint            idle_close_ms);
void            _ms_engine_worker_give    (MsEngineWorker  *worker,
                                           MsEngineJob     *job);
void            _ms_engine_worker_retire  (MsEngineWorker  *worker);
/* Joins the thread (after MSG_WORKER_GONE) and frees the worker. */
void            _ms_engine_worker_free    (MsEngineWorker  *worker);

/* The snapshot of one campaign that the engine thread hands to the owner. */
typedef struct
{
  gint64           campaign_id;
  MsCampaignState  state;
  char            *reason;
  gint64           wait_until;
  gboolean         stalled;        /* paused by the engine, not by the person */
  gint64           counts[MS_DELIVERY_N_STATES];
  GPtrArray       *servers;        /* MsServerStatus */
  double           send_rate;
  gint64           eta;
  GArray          *rate_history;   /* guint per minute */
} MsCampaignSnapshot;

void            _ms_campaign_snapshot_free (MsCampaignSnapshot *snapshot);

/* The engine thread. */
typedef void (*MsEnginePublishFunc) (GPtrArray *snapshots,   /* transfer full */
                                     gboolean   active,
                                     gpointer   user_data);

MsEngineCore   *_ms_engine_core_new       (const char             *db_path,
                                           MsSecrets              *secrets,
                                           const MsEngineTiming   *timing,
                                           MsEnginePublishFunc     publish,
                                           gpointer                publish_data);
/* Opens the engine's connection (synchronous=FULL), recovers after a crash, then
 * runs the thread. */
gboolean        _ms_engine_core_start     (MsEngineCore           *core,
                                           GError                **error);
void            _ms_engine_core_post      (MsEngineCore           *core,
                                           MsEngineMsg            *msg);
/* Posts MSG_QUIT, joins the thread and frees the core. */
void            _ms_engine_core_stop      (MsEngineCore           *core);

G_END_DECLS

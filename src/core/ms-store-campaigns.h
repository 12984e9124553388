/* ms-store-campaigns.h
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

#include "ms-campaign.h"
#include "ms-contact.h"
#include "ms-store.h"
#include "ms-template.h"

G_BEGIN_DECLS

/* Campaigns and their deliveries in the store (tables `campaigns`,
 * `campaign_lists`, `campaign_servers`, `deliveries`, `send_log`, `server_state`).
 *
 * Functions that write more than one row run in a transaction of their own, or
 * inside the caller's when one is open.  An unknown id or name is
 * MS_STORE_ERROR_NOT_FOUND; a taken name MS_STORE_ERROR_EXISTS; a change the
 * campaign's state forbids MS_CAMPAIGN_ERROR_STATE.  Times are unix seconds,
 * except the send log's milliseconds. */

/* One recipient of a campaign: a row of `deliveries`.  The contact is filled by
 * ms_store_claim_deliveries() only. */
typedef struct
{
  gint64           id;
  gint64           campaign_id;
  gint64           contact_id;        /* 0 when the contact was deleted */
  char            *email;
  char            *message_id;        /* without angle brackets */
  MsDeliveryState  state;
  guint            attempts;          /* temporary failures so far */
  gint64           next_attempt_at;
  gint64           first_attempt_at;  /* 0 before the first attempt */
  gint64           server_id;         /* the last server tried; 0 for none */
  char            *server_name;       /* its name (list_deliveries only) */
  guint            reply_code;        /* the last reply, 0 for none */
  char            *reply_enhanced;
  char            *reply_text;        /* the server's words; for suppressed rows why */
  gint64           updated_at;
  MsContact       *contact;
} MsDelivery;

#define MS_TYPE_DELIVERY (ms_delivery_get_type ())

GType       ms_delivery_get_type             (void) G_GNUC_CONST;
MsDelivery *ms_delivery_copy                 (const MsDelivery *self);
void        ms_delivery_free                 (MsDelivery       *self);

/* The person's side */

/* Inserts a new campaign (its id must be 0) with its lists and servers, in state
 * draft (scheduled when it has a start time), then sets its id and created-at.
 * Needs a name, a template, at least one list to send to and one server. */
gint64      ms_store_add_campaign            (MsStore          *self,
                                              MsCampaign       *campaign,
                                              GError          **error);
MsCampaign *ms_store_get_campaign            (MsStore          *self,
                                              gint64            id,
                                              GError          **error);
MsCampaign *ms_store_find_campaign           (MsStore          *self,
                                              const char       *name,
                                              GError          **error);
/* Every campaign, newest first, with its counts. */
GPtrArray  *ms_store_list_campaigns          (MsStore          *self,
                                              GError          **error);
gboolean    ms_store_delete_campaign         (MsStore          *self,
                                              gint64            id,
                                              GError          **error);
/* Sets the campaign's counts (ms_campaign_set_counts()): of its deliveries, or
 * before they exist, of its audience (queued and suppressed). */
gboolean    ms_store_load_campaign_counts    (MsStore          *self,
                                              MsCampaign       *campaign,
                                              GError          **error);
/* The contacts the campaign would reach now: unique addresses in its lists, and
 * how many of them are suppressed (not active, or in an exclusion list). */
gboolean    ms_store_count_audience          (MsStore          *self,
                                              gint64            campaign_id,
                                              gint64           *out_total,
                                              gint64           *out_suppressed,
                                              GError          **error);
/* The person's commands.  They only write the state; an engine sending the
 * campaign (in this process or another) follows it within a second.  pause:
 * scheduled, running or waiting; resume: paused (becomes running, or scheduled
 * before its start time), and the campaign's servers stopped after a refused
 * login or TLS problem may try again; cancel: anything not finished (queued
 * deliveries become cancelled at once). */
gboolean    ms_store_pause_campaign          (MsStore          *self,
                                              gint64            id,
                                              GError          **error);
gboolean    ms_store_resume_campaign         (MsStore          *self,
                                              gint64            id,
                                              GError          **error);
gboolean    ms_store_cancel_campaign         (MsStore          *self,
                                              gint64            id,
                                              GError          **error);
/* Puts failed or uncertain deliveries back in the queue (attempts reset; the
 * Message-ID is kept, so a duplicate is recognisable).  A finished campaign
 * becomes paused, ready to send them.  Returns how many, or -1 on error. */
gint64      ms_store_retry_deliveries        (MsStore          *self,
                                              gint64            campaign_id,
                                              MsDeliveryState   state,
                                              GError          **error);
/* Deliveries in id order; @state an MsDeliveryState or -1 for all.  Element type
 * MsDelivery. */
GPtrArray  *ms_store_list_deliveries         (MsStore          *self,
                                              gint64            campaign_id,
                                              int               state,
                                              gint64            offset,
                                              guint             limit,
                                              GError          **error);
/* The template the campaign sends: the copy frozen when it started, else the
 * template itself. */
MsTemplate *ms_store_get_campaign_template   (MsStore          *self,
                                              gint64            campaign_id,
                                              GError          **error);

/* The state of each of the campaign's servers (rotation order) as the database
 * tells it at @now_ms, without an engine: disabled, stopped, cooling down, quota
 * full or ready, with each quota window counted from the send log.  Element type
 * MsServerStatus. */
GPtrArray  *ms_store_get_campaign_servers    (MsStore          *self,
                                              MsCampaign       *campaign,
                                              gint64            now_ms,
                                              GError          **error);

/* A dry run of the rotation under the current quotas (ms_quota_plan()). */
typedef struct
{
  gint64         server_id;
  char          *name;
  MsServerState  state;
  guint64        now;           /* messages it can take at once */
  guint64        later;         /* messages it takes after waiting */
  gint64         first_later;   /* unix ms; 0 if none */
  gint64         last;          /* unix ms of its last message; 0 if none */
} MsCampaignPlanServer;

typedef struct
{
  gint64     remaining;    /* deliveries still to send (or the audience of a draft) */
  gint64     suppressed;
  gint64     finish;       /* unix ms when the last would go; G_MAXINT64 never */
  GPtrArray *servers;      /* MsCampaignPlanServer, rotation order */
} MsCampaignPlan;

void            ms_campaign_plan_free        (MsCampaignPlan   *plan);
MsCampaignPlan *ms_store_plan_campaign       (MsStore          *self,
                                              MsCampaign       *campaign,
                                              gint64            now_ms,
                                              GError          **error);

/* The engine's side */

/* Freezes the template into the campaign (once: later calls change nothing). */
gboolean    ms_store_freeze_campaign_template (MsStore         *self,
                                               gint64           campaign_id,
                                               GError         **error);

/* Called after each batch with the number of deliveries added so far. */
typedef void (*MsMaterializeFunc) (gint64   added,
                                   gpointer user_data);

/* Creates the deliveries: one per unique address in the campaign's lists, in
 * contact order, each with its own Message-ID "<random>@domain"; contacts that
 * are not active or are in an exclusion list become suppressed deliveries (the
 * reason in reply_text).  Commits every @batch rows and goes on where it stopped
 * after a crash; sets `materialized` at the end.  A no-op once materialized. */
gboolean    ms_store_materialize_deliveries  (MsStore          *self,
                                              gint64            campaign_id,
                                              const char       *domain,
                                              guint             batch,
                                              MsMaterializeFunc func,
                                              gpointer          user_data,
                                              GError          **error);
/* After a crash, for every campaign: sending becomes queued, data-sent becomes
 * uncertain (never resent silently), queued rows of cancelled campaigns become
 * cancelled. */
gboolean    ms_store_recover_deliveries      (MsStore          *self,
                                              gint64           *out_requeued,
                                              gint64           *out_uncertain,
                                              GError          **error);
/* Claims up to @limit queued deliveries due at @now (oldest due first) with their
 * contacts, marking them sending and setting first-attempt-at.  Deliveries whose
 * contact is no longer active (or was deleted) become suppressed instead and are
 * counted in @out_suppressed (nullable).  Element type MsDelivery. */
GPtrArray  *ms_store_claim_deliveries        (MsStore          *self,
                                              gint64            campaign_id,
                                              gint64            now,
                                              guint             limit,
                                              guint            *out_suppressed,
                                              GError          **error);
/* Like ms_store_claim_deliveries(), but the active deliveries stay queued in the
 * database (suppressed ones are still written): for a caller that records each
 * as data-sent before it reads due deliveries again, saving a write a message. */
GPtrArray  *ms_store_read_due_deliveries     (MsStore          *self,
                                              gint64            campaign_id,
                                              gint64            now,
                                              guint             limit,
                                              guint            *out_suppressed,
                                              GError          **error);
/* The earliest next-attempt-at of queued deliveries; 0 when none is queued. */
gint64      ms_store_next_attempt_time       (MsStore          *self,
                                              gint64            campaign_id,
                                              GError          **error);
/* Counts per state of the campaign's deliveries (MS_DELIVERY_N_STATES values). */
gboolean    ms_store_count_deliveries        (MsStore          *self,
                                              gint64            campaign_id,
                                              gint64           *counts,
                                              GError          **error);
/* sending -> data-sent through @server_id, and its send_log row at @time_ms
 * (counted from now on); @out_log_id receives the row's id. */
gboolean    ms_store_mark_data_sent          (MsStore          *self,
                                              gint64            delivery_id,
                                              gint64            server_id,
                                              gint64            time_ms,
                                              gint64           *out_log_id,
                                              GError          **error);

/* The outcome of an attempt. */
typedef struct
{
  gint64           delivery_id;
  MsDeliveryState  state;            /* sent, failed, uncertain, queued, cancelled */
  guint            attempts;
  gint64           next_attempt_at;  /* for queued */
  gint64           server_id;        /* 0 keeps the row's */
  guint            reply_code;
  const char      *reply_enhanced;
  const char      *reply_text;
  gint64           log_id;           /* the send_log row of a data-sent message, or 0 */
  gboolean         handed_over;      /* the final dot was written: keep the log row (at
                                      * log_time_ms when set), else delete it */
  gint64           log_time_ms;
} MsDeliveryOutcome;

gboolean    ms_store_finish_delivery         (MsStore          *self,
                                              const MsDeliveryOutcome *outcome,
                                              GError          **error);
/* sending -> queued for the given deliveries (a pause, or a server that could not
 * take them), without counting an attempt. */
gboolean    ms_store_unclaim_deliveries      (MsStore          *self,
                                              const gint64     *ids,
                                              guint             n_ids,
                                              GError          **error);
/* The state written by the engine (with reason and wait time; started-at is set
 * when it first runs, finished-at when it finishes). */
gboolean    ms_store_set_campaign_state      (MsStore          *self,
                                              gint64            id,
                                              MsCampaignState   state,
                                              const char       *reason,
                                              gint64            wait_until,
                                              GError          **error);
/* The state only, as another process may have written it. */
gboolean    ms_store_read_campaign_state     (MsStore          *self,
                                              gint64            id,
                                              MsCampaignState  *out_state,
                                              GError          **error);
/* The campaign's unsubscribe-token key, made on first use. */
char       *ms_store_dup_campaign_secret     (MsStore          *self,
                                              gint64            campaign_id,
                                              GError          **error);

/* A server's health: the `server_state` row. */
typedef struct
{
  gint64   server_id;
  gint64   cooldown_until;         /* unix seconds; 0 for none */
  char    *reason;
  guint    consecutive_failures;
  gboolean stopped;
  gint64   stopped_at;
} MsServerHealth;

void        ms_server_health_clear           (MsServerHealth   *health);
/* Fills @out (zeroes when the server has no row yet). */
gboolean    ms_store_get_server_health       (MsStore          *self,
                                              gint64            server_id,
                                              MsServerHealth   *out,
                                              GError          **error);
gboolean    ms_store_set_server_health       (MsStore          *self,
                                              const MsServerHealth *health,
                                              GError          **error);

/* Calls @func with the time of every send_log row of the server at or after
 * @since_ms, oldest first. */
typedef void (*MsSendLogFunc) (gint64   time_ms,
                               gpointer user_data);

gboolean    ms_store_foreach_send_log        (MsStore          *self,
                                              gint64            server_id,
                                              gint64            since_ms,
                                              MsSendLogFunc     func,
                                              gpointer          user_data,
                                              GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsDelivery, ms_delivery_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsCampaignPlan, ms_campaign_plan_free)

G_END_DECLS

/* ms-engine-schedule.c
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

#define G_LOG_DOMAIN "ms-engine"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ms-engine-core-private.h"

/* Rotation, the campaigns' states and their progress, on the engine thread. */

/* Scheduling */

static gboolean
window_open (CampaignRun *c,
             gint64       now)
{
  return ms_send_window_next_open_ms (&c->window, now) <= now;
}

/* Why a server cannot take a message of the campaign now, and until when (ms; 0
 * when only the person can change it).  MS_SERVER_STATE_READY when it can. */
MsServerState
_ms_engine_server_state (MsEngineCore   *core,
              CampaignServer *cs,
              gint64          now,
              gint64         *out_until)
{
  ServerRun *s = cs->server;
  gint64 next = 0;

  *out_until = 0;
  if (s->deleted)
    return MS_SERVER_STATE_UNUSABLE;
  if (!ms_server_get_enabled (s->server))
    return MS_SERVER_STATE_DISABLED;
  if (s->health.stopped)
    return MS_SERVER_STATE_STOPPED;
  if (cs->unusable != NULL)
    return MS_SERVER_STATE_UNUSABLE;
  if (s->health.cooldown_until * 1000 > now)
    {
      *out_until = s->health.cooldown_until * 1000;
      return MS_SERVER_STATE_COOLING_DOWN;
    }
  if (!ms_quota_tracker_has_room (core->quotas, s->id, &next))
    {
      *out_until = next;
      return MS_SERVER_STATE_QUOTA_FULL;
    }
  return MS_SERVER_STATE_READY;
}

/* How many jobs a connection may hold.  With commit-ahead, enough to keep it
 * busy while one commit (fsync) takes place, and no more: each of them is one
 * more uncertain delivery should the process die.  Otherwise the one it sends
 * and the next. */
static guint
jobs_ahead (MsEngineCore   *core,
            MsEngineWorker *w)
{
  double per_commit;

  if (core->timing.commit_ahead == 0)
    return 2;
  per_commit = w->message_us > 0 ? core->commit_us / w->message_us : 1.0;
  return (guint) CLAMP (2.0 + 2.0 * per_commit, (double) MIN (core->timing.commit_ahead, 4),
                        (double) MAX (core->timing.commit_ahead, 2));
}

static MsEngineWorker *
free_worker (MsEngineCore *core,
             ServerRun    *s)
{
  MsEngineWorker *spare = NULL;

  for (guint i = 0; i < s->workers->len; i++)
    {
      MsEngineWorker *w = g_ptr_array_index (s->workers, i);

      if (w->retiring)
        continue;
      if (w->assigned == 0)
        return w;
      /* Topped up in batches: when half its jobs are done, or in the same tick
       * (so one commit covers several messages). */
      if (spare == NULL && w->assigned < jobs_ahead (core, w)
          && (w->refill_tick == core->tick_no || w->assigned <= jobs_ahead (core, w) / 2))
        spare = w;
    }
  if (spare == NULL || s->workers->len < ms_server_get_max_connections (s->server))
    {
      guint live = 0;

      for (guint i = 0; i < s->workers->len; i++)
        live += !((MsEngineWorker *) g_ptr_array_index (s->workers, i))->retiring;
      if (live < MAX (ms_server_get_max_connections (s->server), 1))
        {
          MsEngineWorker *w = _ms_engine_worker_new (&core->inbox, s->server, core->secrets,
                                                     core->timing.idle_close_ms);

          g_ptr_array_add (s->workers, w);
          core->n_workers++;
          return w;
        }
    }
  return spare;
}

static MsDelivery *
next_delivery (MsEngineCore *core,
               CampaignRun  *c)
{
  g_autoptr(GPtrArray) rows = NULL;
  GError *error = NULL;
  gint64 now = _ms_engine_now_s ();
  guint suppressed = 0;

  if (!g_queue_is_empty (&c->prefetch))
    return g_queue_pop_head (&c->prefetch);
  if (c->counts[MS_DELIVERY_QUEUED] <= 0 || c->claim_after > now || !_ms_engine_ensure_tx (core))
    return NULL;

  /* Contacts that stopped being active since are suppressed on the way. */
  do
    {
      g_clear_pointer (&rows, g_ptr_array_unref);
      /* With commit-ahead each leaves the queue as data-sent, in the same tick as
       * it leaves the prefetch: marking it sending first would be a wasted write
       * (and a crash turns sending back into queued anyway). */
      rows = _ms_engine_claims_written (core)
             ? ms_store_claim_deliveries (core->store, c->id, now, CLAIM_BATCH, &suppressed, &error)
             : ms_store_read_due_deliveries (core->store, c->id, now, CLAIM_BATCH, &suppressed, &error);
      if (!_ms_engine_check (core, rows != NULL, error))
        return NULL;
      for (guint i = 0; i < suppressed; i++)
        _ms_engine_move_count (c, MS_DELIVERY_QUEUED, MS_DELIVERY_SUPPRESSED);
    }
  while (rows->len == 0 && suppressed > 0);
  if (rows->len == 0)
    {
      gint64 next = ms_store_next_attempt_time (core->store, c->id, NULL);

      c->claim_after = next > now ? next : G_MAXINT64;
      return NULL;
    }
  for (guint i = 0; i < rows->len; i++)
    {
      _ms_engine_move_count (c, MS_DELIVERY_QUEUED, MS_DELIVERY_SENDING);
      g_queue_push_tail (&c->prefetch, g_steal_pointer (&g_ptr_array_index (rows, i)));
    }
  return g_queue_pop_head (&c->prefetch);
}

/* Records data-sent in this tick's transaction: the job leaves after the commit,
 * and its connection writes the final dot without asking. */
static void
commit_ahead (MsEngineCore *core,
              CampaignRun  *c,
              MsEngineJob  *job)
{
  GError *error = NULL;

  if (_ms_engine_ensure_tx (core)
      && _ms_engine_check (core, ms_store_mark_data_sent (core->store, job->delivery->id, job->server_id,
                                               _ms_engine_now_ms (), &job->log_id, &error),
                error))
    {
      job->committed = TRUE;
      _ms_engine_move_count (c, MS_DELIVERY_SENDING, MS_DELIVERY_DATA_SENT);
    }
}

static gboolean
dispatchable (CampaignRun *c,
              gint64       now)
{
  return !c->done && !c->pausing
         && (c->state == MS_CAMPAIGN_STATE_RUNNING || c->state == MS_CAMPAIGN_STATE_WAITING
             || (c->state == MS_CAMPAIGN_STATE_SCHEDULED && c->start_at * 1000 <= now))
         && c->start_at * 1000 <= now && window_open (c, now);
}

/* Gives one delivery of @c to a connection; FALSE when none can go now. */
static gboolean
dispatch_one (MsEngineCore *core,
              CampaignRun  *c,
              gint64        now)
{
  CampaignServer *chosen = NULL;
  MsEngineWorker *worker;
  MsEngineJob *job;
  PendingJob pending;
  MsDelivery *d;

  /* Rotation: the first server, in the campaign's order, that may send now. */
  for (guint i = 0; i < c->servers->len && chosen == NULL; i++)
    {
      CampaignServer *cs = g_ptr_array_index (c->servers, i);
      gint64 until;

      if (_ms_engine_server_state (core, cs, now, &until) == MS_SERVER_STATE_READY)
        chosen = cs;
    }
  if (chosen == NULL)
    return FALSE;
  _ms_engine_set_hold (chosen->server, FALSE);
  worker = free_worker (core, chosen->server);
  if (worker == NULL)
    return FALSE;   /* use it until a window is full: wait for its connections */
  d = next_delivery (core, c);
  if (d == NULL)
    return FALSE;
  if (!ms_quota_tracker_reserve (core->quotas, chosen->server->id, NULL))
    {
      g_queue_push_head (&c->prefetch, d);
      return FALSE;
    }

  job = g_new0 (MsEngineJob, 1);
  job->delivery = d;
  job->campaign_id = c->id;
  job->server_id = chosen->server->id;
  job->renderer = ms_message_renderer_ref (chosen->renderer);
  job->envelope_from = g_strdup (ms_server_get_sender_address (chosen->server->server));
  job->max_size = ms_server_get_max_message_size (chosen->server->server);
  job->stop = _ms_engine_flag_ref (c->stop);
  if (core->timing.commit_ahead > 0)
    commit_ahead (core, c, job);
  c->in_flight++;
  worker->assigned++;
  worker->refill_tick = core->tick_no;
  core->n_jobs++;
  pending.worker = worker;
  pending.job = job;
  g_array_append_val (core->pending_jobs, pending);
  if (c->state != MS_CAMPAIGN_STATE_RUNNING)
    _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_RUNNING, NULL, 0);
  return TRUE;
}

void
_ms_engine_schedule (MsEngineCore *core)
{
  gint64 now = _ms_engine_now_ms ();
  gboolean progress = TRUE;

  if (core->quitting || core->fatal != NULL)
    return;
  /* One delivery per campaign per round, so campaigns share the servers. */
  while (progress)
    {
      progress = FALSE;
      for (guint i = 0; i < core->campaigns->len; i++)
        {
          CampaignRun *c = g_ptr_array_index (core->campaigns, i);

          if (dispatchable (c, now) && dispatch_one (core, c, now))
            progress = TRUE;
        }
    }
}

/* Words for a server that makes the campaign wait. */
static char *
describe_server_wait (MsServerState  state,
                      const char    *name,
                      gint64         until_ms,
                      const char    *reason)
{
  g_autofree char *when = _ms_engine_format_time ((until_ms + 999) / 1000);

  if (state == MS_SERVER_STATE_COOLING_DOWN)
    return g_strdup_printf (_("“%s” is cooling down until %s after: %s"), name, when,
                            reason != NULL ? reason : "");
  if (until_ms == G_MAXINT64)
    return g_strdup_printf (_("“%s” waits for the messages in flight"), name);
  return g_strdup_printf (_("Waiting for quota on “%s” until %s"), name, when);
}

/* Nothing can go now and nothing is in flight: wait, finish or stall. */
static void
update_idle_campaign (MsEngineCore *core,
                      CampaignRun  *c,
                      gint64        now)
{
  gint64 remaining = c->counts[MS_DELIVERY_QUEUED] + c->counts[MS_DELIVERY_SENDING]
                     + c->counts[MS_DELIVERY_DATA_SENT];
  g_autoptr(GString) why = NULL;
  g_autofree char *text = NULL;
  gint64 until = G_MAXINT64;
  gint64 next_open;

  if (remaining <= 0)
    {
      _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_FINISHED, NULL, 0);
      c->done = TRUE;
      return;
    }
  if (c->start_at * 1000 > now)
    {
      g_autofree char *when = _ms_engine_format_time (c->start_at);

      text = g_strdup_printf (_("Starts at %s"), when);
      _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_SCHEDULED, text, c->start_at);
      c->wake_at = c->start_at * 1000;
      return;
    }
  next_open = ms_send_window_next_open_ms (&c->window, now);
  if (next_open > now)
    {
      g_autofree char *when = next_open == G_MAXINT64 ? g_strdup (_("never"))
                                                      : _ms_engine_format_time (next_open / 1000);

      text = g_strdup_printf (_("Waiting for the send window, which opens %s"), when);
      _ms_engine_unclaim_prefetch (core, c);
      _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_WAITING, text,
                 next_open == G_MAXINT64 ? 0 : next_open / 1000);
      c->wake_at = next_open;
      return;
    }
  if (g_queue_is_empty (&c->prefetch) && c->claim_after > now / 1000)
    {
      g_autofree char *when = NULL;

      if (c->claim_after == G_MAXINT64)
        {
          /* Counted as queued but none is: recount. */
          _ms_engine_reload_counts (core, c);
          c->claim_after = 0;
          c->wake_at = now + POLL_INTERVAL;
          return;
        }
      when = _ms_engine_format_time (c->claim_after);
      text = g_strdup_printf (_("Waiting to try temporary failures again at %s"), when);
      _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_WAITING, text, c->claim_after);
      c->wake_at = c->claim_after * 1000;
      return;
    }

  /* Due deliveries, no server: the earliest a server frees up. */
  why = g_string_new (NULL);
  for (guint i = 0; i < c->servers->len; i++)
    {
      CampaignServer *cs = g_ptr_array_index (c->servers, i);
      g_autofree char *part = NULL;
      gint64 server_until;
      MsServerState st = _ms_engine_server_state (core, cs, now, &server_until);

      if (st == MS_SERVER_STATE_READY)
        {
          /* Room, but its connections are busy or opening: soon. */
          until = MIN (until, now + 100);
          continue;
        }
      if (server_until > 0)
        {
          if (server_until < until)
            {
              until = server_until;
              g_string_truncate (why, 0);
              part = describe_server_wait (st, ms_server_get_name (cs->server->server),
                                           server_until, cs->server->health.reason);
              g_string_append (why, part);
            }
          continue;
        }
    }
  if (until == G_MAXINT64)
    {
      /* No server can ever send it as things are: the person must act. */
      g_autoptr(GString) reasons = g_string_new (NULL);

      for (guint i = 0; i < c->servers->len; i++)
        {
          CampaignServer *cs = g_ptr_array_index (c->servers, i);
          gint64 ignored;
          MsServerState st = _ms_engine_server_state (core, cs, now, &ignored);
          const char *detail = st == MS_SERVER_STATE_UNUSABLE && cs->unusable != NULL
                               ? cs->unusable : cs->server->health.reason;

          if (reasons->len > 0)
            g_string_append (reasons, "; ");
          g_string_append_printf (reasons, "“%s”: %s", ms_server_get_name (cs->server->server),
                                  ms_server_state_to_label (st));
          if (detail != NULL)
            g_string_append_printf (reasons, " (%s)", detail);
        }
      text = g_strdup_printf (_("No server can send this campaign: %s"), reasons->str);
      c->stalled = TRUE;
      _ms_engine_unclaim_prefetch (core, c);
      _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_PAUSED, text, 0);
      c->done = TRUE;
      return;
    }
  if (until <= now + 100 && why->len == 0)
    {
      c->wake_at = until;
      return;   /* a connection is about to be free: not a wait worth showing */
    }
  /* A wait worth showing: what was claimed ahead goes back to the queue, so the
   * counts say "queued" rather than "sending" until then. */
  if (until - now > UNCLAIM_AFTER_MS)
    _ms_engine_unclaim_prefetch (core, c);
  _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_WAITING, why->str, (until + 999) / 1000);
  c->wake_at = until;
}

void
_ms_engine_update_states (MsEngineCore *core)
{
  gint64 now = _ms_engine_now_ms ();

  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);

      c->wake_at = 0;
      if (c->done)
        continue;
      if (core->fatal != NULL && !c->pausing)
        {
          c->pausing = TRUE;
          g_atomic_int_set (&c->stop->stop, 1);
          c->stalled = TRUE;
          g_free (c->reason);
          c->reason = g_strdup (core->fatal);
          _ms_engine_unclaim_prefetch (core, c);
        }
      if (c->pausing)
        {
          if (c->in_flight > 0)
            continue;
          if (c->cancelling)
            {
              GError *error = NULL;

              _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_CANCELLED, NULL, 0);
              if (_ms_engine_ensure_tx (core)
                  && _ms_engine_check (core, ms_store_cancel_campaign (core->store, c->id, &error), error))
                _ms_engine_reload_counts (core, c);
            }
          else if (!c->keep_state)
            {
              _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_PAUSED, c->stalled ? c->reason : NULL, 0);
            }
          core->publish_dirty = TRUE;
          c->done = TRUE;
          continue;
        }
      if (c->in_flight > 0)
        {
          if (c->state != MS_CAMPAIGN_STATE_RUNNING)
            _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_RUNNING, NULL, 0);
          continue;
        }
      update_idle_campaign (core, c, now);
    }
}

/* Another program paused, cancelled or resumed a campaign, or edited servers. */
void
_ms_engine_poll_database (MsEngineCore *core)
{
  gint64 stamp;

  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);
      MsCampaignState state;

      if (c->done || c->pausing || !c->written
          || !ms_store_read_campaign_state (core->store, c->id, &state, NULL)
          || state == c->state)
        continue;
      if (state == MS_CAMPAIGN_STATE_PAUSED || state == MS_CAMPAIGN_STATE_CANCELLED)
        {
          c->pausing = TRUE;
          g_atomic_int_set (&c->stop->stop, 1);
          c->cancelling = state == MS_CAMPAIGN_STATE_CANCELLED;
          c->state = state;
          _ms_engine_unclaim_prefetch (core, c);
          _ms_engine_reload_counts (core, c);
        }
    }
  stamp = _ms_engine_read_servers_stamp (core);
  if (stamp != core->servers_stamp)
    {
      core->servers_stamp = stamp;
      _ms_engine_reload_servers (core);
    }
}

/* Progress */

static gint64
window_func (gint64   time,
             gpointer user_data)
{
  return ms_send_window_next_open_ms (user_data, time);
}

static void
compute_eta (MsEngineCore *core,
             CampaignRun  *c,
             gint64        now)
{
  g_autofree MsQuotaPlanServer *plan = g_new0 (MsQuotaPlanServer, MAX (c->servers->len, 1));
  g_autofree MsQuotaPlanResult *results = g_new0 (MsQuotaPlanResult, MAX (c->servers->len, 1));
  gint64 remaining = c->counts[MS_DELIVERY_QUEUED] + c->counts[MS_DELIVERY_SENDING]
                     + c->counts[MS_DELIVERY_DATA_SENT];
  guint last_minute = _ms_engine_sent_last_minute (c, now / 1000);
  gint64 finish;
  gint64 eta = 0;

  if (remaining <= 0)
    {
      c->eta = 0;
      return;
    }
  for (guint i = 0; i < c->servers->len; i++)
    {
      CampaignServer *cs = g_ptr_array_index (c->servers, i);
      gint64 until;
      MsServerState st = _ms_engine_server_state (core, cs, now, &until);

      plan[i].ledger = ms_quota_tracker_copy_ledger (core->quotas, cs->server->id);
      plan[i].usable = st != MS_SERVER_STATE_STOPPED && st != MS_SERVER_STATE_DISABLED
                       && st != MS_SERVER_STATE_UNUSABLE;
      if (st == MS_SERVER_STATE_COOLING_DOWN)
        plan[i].available_from = until;
    }
  finish = ms_quota_plan (plan, c->servers->len, (guint64) remaining, MAX (now, c->start_at * 1000),
                          window_func, &c->window, results);
  for (guint i = 0; i < c->servers->len; i++)
    ms_quota_ledger_free (plan[i].ledger);

  if (finish != G_MAXINT64 && finish > now + 1000)
    eta = finish / 1000;
  if (last_minute > 0)
    eta = MAX (eta, now / 1000 + remaining * 60 / last_minute);
  c->eta = eta;
}

static MsCampaignSnapshot *
snapshot_campaign (MsEngineCore *core,
                   CampaignRun  *c,
                   gint64        now)
{
  MsCampaignSnapshot *snap = g_new0 (MsCampaignSnapshot, 1);

  snap->campaign_id = c->id;
  snap->state = c->state;
  snap->reason = g_strdup (c->reason);
  snap->wait_until = c->wait_until;
  snap->stalled = c->stalled;
  memcpy (snap->counts, c->counts, sizeof c->counts);
  snap->send_rate = _ms_engine_sent_last_minute (c, now / 1000);
  snap->eta = c->eta;
  snap->rate_history = _ms_engine_rate_history (c, now / 1000);
  snap->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_server_status_free);
  for (guint i = 0; i < c->servers->len; i++)
    {
      CampaignServer *cs = g_ptr_array_index (c->servers, i);
      MsServerStatus *st = ms_server_status_new (cs->server->id,
                                                 ms_server_get_name (cs->server->server));
      g_autoptr(GArray) windows = ms_quota_tracker_get_status (core->quotas, cs->server->id);
      gint64 until;
      guint busy = 0;

      st->state = _ms_engine_server_state (core, cs, now, &until);
      for (guint j = 0; j < cs->server->workers->len; j++)
        busy += ((MsEngineWorker *) g_ptr_array_index (cs->server->workers, j))->assigned > 0;
      if (st->state == MS_SERVER_STATE_READY && busy > 0)
        st->state = MS_SERVER_STATE_SENDING;
      st->cooldown_until = cs->server->health.cooldown_until > now / 1000
                           ? cs->server->health.cooldown_until : 0;
      if (st->state == MS_SERVER_STATE_UNUSABLE)
        st->reason = g_strdup (cs->unusable);
      else if (st->state == MS_SERVER_STATE_STOPPED || st->state == MS_SERVER_STATE_COOLING_DOWN)
        st->reason = g_strdup (cs->server->health.reason);
      st->connections = cs->server->connections;
      st->sent = cs->sent;
      if (windows != NULL && windows->len > 0)
        g_array_append_vals (st->windows, windows->data, windows->len);
      g_ptr_array_add (snap->servers, st);
    }
  return snap;
}

GPtrArray *
_ms_engine_build_snapshots (MsEngineCore *core)
{
  GPtrArray *snapshots = g_ptr_array_new_with_free_func ((GDestroyNotify) _ms_campaign_snapshot_free);
  gint64 now = _ms_engine_now_ms ();

  for (guint i = 0; i < core->campaigns->len; i++)
    g_ptr_array_add (snapshots, snapshot_campaign (core, g_ptr_array_index (core->campaigns, i), now));
  return snapshots;
}

gboolean
_ms_engine_any_active (MsEngineCore *core)
{
  for (guint i = 0; i < core->campaigns->len; i++)
    if (!((CampaignRun *) g_ptr_array_index (core->campaigns, i))->done)
      return TRUE;
  return FALSE;
}

static gboolean
publish_timeout_cb (gpointer user_data)
{
  MsEngineCore *core = user_data;

  g_clear_pointer (&core->publish_source, g_source_unref);
  _ms_engine_tick (core);
  return G_SOURCE_REMOVE;
}

void
_ms_engine_publish (MsEngineCore *core,
         gboolean      force)
{
  gint64 mono = g_get_monotonic_time ();
  gint64 now = _ms_engine_now_ms ();

  if (!core->publish_dirty && !force)
    return;
  if (!force && mono - core->last_publish < PUBLISH_INTERVAL)
    {
      if (core->publish_source == NULL)
        {
          core->publish_source = g_timeout_source_new ((guint) ((PUBLISH_INTERVAL - (mono - core->last_publish)) / 1000) + 1);
          g_source_set_callback (core->publish_source, publish_timeout_cb, core, NULL);
          g_source_attach (core->publish_source, core->context);
        }
      return;
    }
  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);

      if (mono - c->eta_computed >= ETA_INTERVAL || c->done)
        {
          compute_eta (core, c, now);
          c->eta_computed = mono;
        }
    }
  core->publish (_ms_engine_build_snapshots (core), _ms_engine_any_active (core), core->publish_data);
  core->last_publish = mono;
  core->publish_dirty = FALSE;

  /* Campaigns that left the engine were told once; forget them. */
  for (guint i = core->campaigns->len; i > 0; i--)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i - 1);

      if (c->done && c->in_flight == 0)
        g_ptr_array_remove_index (core->campaigns, i - 1);
    }
}


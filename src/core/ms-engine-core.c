/* ms-engine-core.c
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

#include <inttypes.h>

#include <glib/gi18n.h>
#include <sqlite3.h>
#include <string.h>

#include "ms-engine-core-private.h"
#include "ms-quota.h"
#include "ms-secrets.h"
#include "ms-server-test.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"

/* The engine thread.  It alone touches the database (one connection, synchronous=
 * FULL) and decides who sends what.  Each time something arrives in its inbox it
 * runs one "tick":
 *
 *   1. handle every message waiting: commands, data-sent requests, results
 *   2. schedule (ms-engine-schedule.c): give due deliveries to free connections of
 *      the first server that may send (rotation), taking a quota slot for each and
 *      recording each as data-sent
 *   3. update the campaigns' states (running, waiting until ..., finished, paused)
 *   4. commit everything of the tick in ONE transaction, then acknowledge the
 *      data-sent requests of all connections and hand out the new jobs
 *
 * Step 4 is the group commit: no final dot is written before its data-sent record
 * is durable, and one fsync covers every connection and several messages each
 * (the jobs a connection is given ahead, see MsEngineTiming.commit_ahead). */

/* Times */

gint64
_ms_engine_now_ms (void)
{
  return g_get_real_time () / 1000;
}

gint64
_ms_engine_now_s (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

char *
_ms_engine_format_time (gint64 unix_s)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_s);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  if (g_date_time_get_year (local) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M:%S");
  return g_date_time_format (local, "%a %d %b %H:%M");
}

/* Structures */

static void
server_run_free (gpointer data)
{
  ServerRun *s = data;

  g_clear_object (&s->server);
  ms_server_health_clear (&s->health);
  g_ptr_array_unref (s->workers);
  g_free (s);
}

static void
campaign_server_free (gpointer data)
{
  CampaignServer *cs = data;

  g_clear_pointer (&cs->renderer, ms_message_renderer_unref);
  g_free (cs->unusable);
  g_free (cs);
}

static void
campaign_run_free (gpointer data)
{
  CampaignRun *c = data;

  g_free (c->name);
  g_free (c->reason);
  g_ptr_array_unref (c->servers);
  g_queue_clear_full (&c->prefetch, (GDestroyNotify) ms_delivery_free);
  g_clear_pointer (&c->stop, _ms_engine_flag_unref);
  g_free (c);
}

static CampaignRun *
find_campaign (MsEngineCore *core,
               gint64        id)
{
  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);

      if (c->id == id)
        return c;
    }
  return NULL;
}

CampaignServer *
_ms_engine_find_campaign_server (CampaignRun *c,
                      gint64       server_id)
{
  for (guint i = 0; i < c->servers->len; i++)
    {
      CampaignServer *cs = g_ptr_array_index (c->servers, i);

      if (cs->server->id == server_id)
        return cs;
    }
  return NULL;
}

static ServerRun *
find_server (MsEngineCore *core,
             gint64        id)
{
  return g_hash_table_lookup (core->servers, &id);
}

/* The database */

static void
set_fatal (MsEngineCore *core,
           const GError *error)
{
  if (core->fatal != NULL)
    return;
  core->fatal = g_strdup_printf (_("Sending stopped because the database failed: %s"),
                                 error != NULL ? error->message : _("unknown error"));
  g_warning ("%s", core->fatal);
}

/* Opens the tick's transaction when the first write needs it. */
gboolean
_ms_engine_ensure_tx (MsEngineCore *core)
{
  g_autoptr(GError) error = NULL;

  if (core->fatal != NULL)
    return FALSE;
  if (core->in_tx)
    return TRUE;
  if (!ms_store_begin (core->store, &error))
    {
      set_fatal (core, error);
      return FALSE;
    }
  core->in_tx = TRUE;
  core->tx_started = g_get_monotonic_time ();
  return TRUE;
}

gboolean
_ms_engine_check (MsEngineCore *core,
       gboolean      ok,
       GError       *error)
{
  if (!ok)
    set_fatal (core, error);
  g_clear_error (&error);
  return ok;
}

/* Commits the tick, then acknowledges data-sent requests and hands out jobs. */
static void
flush (MsEngineCore *core)
{
  g_autoptr(GError) error = NULL;
  gpointer ack;

  if (core->in_tx)
    {
      gint64 start = g_get_monotonic_time ();

      core->in_tx = FALSE;
      if (core->fatal != NULL)
        ms_store_rollback (core->store);
      else if (!ms_store_commit (core->store, &error))
        set_fatal (core, error);
      double took = (double) (g_get_monotonic_time () - start);

      core->commit_us = core->commit_us > 0 ? 0.8 * core->commit_us + 0.2 * took : took;
      core->n_commits++;
    }

  ack = core->fatal == NULL ? MS_ENGINE_ACK_OK : MS_ENGINE_ACK_ABORT;
  for (guint i = 0; i < core->ack_waiters->len; i++)
    g_async_queue_push (((MsEngineWorker *) g_ptr_array_index (core->ack_waiters, i))->acks, ack);
  g_ptr_array_set_size (core->ack_waiters, 0);

  for (guint i = 0; i < core->pending_jobs->len; i++)
    {
      PendingJob *p = &g_array_index (core->pending_jobs, PendingJob, i);

      /* Even after a failure: the worker hands it back untried or aborts it
       * before the final dot when the commit is refused. */
      _ms_engine_worker_give (p->worker, p->job);
    }
  g_array_set_size (core->pending_jobs, 0);
}

/* Counts */

void
_ms_engine_move_count (CampaignRun     *c,
            MsDeliveryState  from,
            MsDeliveryState  to)
{
  if (c->counts[from] > 0)
    c->counts[from]--;
  c->counts[to]++;
}

void
_ms_engine_record_sent (CampaignRun *c,
             gint64       now)
{
  guint si = (guint) (now % 60);
  guint mi = (guint) ((now / 60) % 60);

  if (c->sec_stamp[si] != now)
    {
      c->sec_stamp[si] = now;
      c->sec_count[si] = 0;
    }
  c->sec_count[si]++;
  if (c->min_stamp[mi] != now / 60)
    {
      c->min_stamp[mi] = now / 60;
      c->min_count[mi] = 0;
    }
  c->min_count[mi]++;
}

guint
_ms_engine_sent_last_minute (CampaignRun *c,
                  gint64       now)
{
  guint n = 0;

  for (guint i = 0; i < 60; i++)
    if (c->sec_stamp[i] > now - 60 && c->sec_stamp[i] <= now)
      n += c->sec_count[i];
  return n;
}

GArray *
_ms_engine_rate_history (CampaignRun *c,
              gint64       now)
{
  GArray *history = g_array_sized_new (FALSE, TRUE, sizeof (guint), 60);
  gint64 minute = now / 60;

  for (gint64 m = minute - 59; m <= minute; m++)
    {
      guint i = (guint) (m % 60);
      guint n = c->min_stamp[i] == m ? c->min_count[i] : 0;

      g_array_append_val (history, n);
    }
  return history;
}

/* Servers */

static gint64
max_window_secs (MsServer *server)
{
  guint n = 0;
  const MsQuota *quotas = ms_server_get_quotas (server, &n);
  gint64 max = 0;

  for (guint i = 0; i < n; i++)
    max = MAX (max, (gint64) quotas[i].window_secs);
  return max;
}

static void
load_send_log_cb (gint64   time_ms,
                  gpointer user_data)
{
  ServerRun *s = ((gpointer *) user_data)[0];
  MsEngineCore *core = ((gpointer *) user_data)[1];

  ms_quota_tracker_load (core->quotas, s->id, time_ms);
}

void
_ms_engine_set_hold (ServerRun *s,
          gboolean   hold)
{
  /* Workers also hold themselves (after a failure of the server's kind), so a
   * release always goes to every one of them. */
  if (s->held == hold && hold)
    return;
  s->held = hold;
  for (guint i = 0; i < s->workers->len; i++)
    g_atomic_int_set (&((MsEngineWorker *) g_ptr_array_index (s->workers, i))->hold, hold);
}

static void
retire_workers (ServerRun *s)
{
  for (guint i = 0; i < s->workers->len; i++)
    _ms_engine_worker_retire (g_ptr_array_index (s->workers, i));
}

/* A stop is lifted when the profile was saved after it. */
static void
maybe_lift_stop (MsEngineCore *core,
                 ServerRun    *s)
{
  if (!s->health.stopped || ms_server_get_updated_at (s->server) <= s->health.stopped_at)
    return;
  s->health.stopped = FALSE;
  s->health.stopped_at = 0;
  s->health.consecutive_failures = 0;
  g_clear_pointer (&s->health.reason, g_free);
  if (_ms_engine_ensure_tx (core))
    {
      GError *error = NULL;

      _ms_engine_check (core, ms_store_set_server_health (core->store, &s->health, &error), error);
    }
}

static ServerRun *
ensure_server (MsEngineCore  *core,
               gint64         id,
               GError       **error)
{
  ServerRun *s = find_server (core, id);
  gpointer data[2];
  guint n_quotas = 0;
  const MsQuota *quotas;
  gint64 *key;

  if (s != NULL)
    return s;
  s = g_new0 (ServerRun, 1);
  s->id = id;
  s->workers = g_ptr_array_new ();
  s->server = ms_store_get_server (core->store, id, error);
  if (s->server == NULL || !ms_store_get_server_health (core->store, id, &s->health, error))
    {
      server_run_free (s);
      return NULL;
    }
  quotas = ms_server_get_quotas (s->server, &n_quotas);
  ms_quota_tracker_set_server (core->quotas, id, quotas, n_quotas);
  data[0] = s;
  data[1] = core;
  if (n_quotas > 0
      && !ms_store_foreach_send_log (core->store, id, _ms_engine_now_ms () - max_window_secs (s->server) * 1000,
                                     load_send_log_cb, data, error))
    {
      server_run_free (s);
      return NULL;
    }
  key = g_new (gint64, 1);
  *key = id;
  g_hash_table_insert (core->servers, key, s);
  maybe_lift_stop (core, s);
  return s;
}

static char *
reason_from (const MsEngineJob *job)
{
  if (job->reply != NULL)
    return ms_smtp_reply_to_string (job->reply);
  if (job->error != NULL)
    return g_strdup (job->error->message);
  return g_strdup (_("unknown error"));
}

static void
save_health (MsEngineCore *core,
             ServerRun    *s)
{
  GError *error = NULL;

  if (_ms_engine_ensure_tx (core))
    _ms_engine_check (core, ms_store_set_server_health (core->store, &s->health, &error), error);
}

/* Authentication, TLS or a missing password: nothing helps until the person acts. */
static void
stop_server (MsEngineCore *core,
             ServerRun    *s,
             const char   *why)
{
  s->health.stopped = TRUE;
  s->health.stopped_at = _ms_engine_now_s ();
  g_free (s->health.reason);
  s->health.reason = g_strdup (why);
  save_health (core, s);
  _ms_engine_set_hold (s, TRUE);
  retire_workers (s);
}

/* An account-level reply or a network problem: wait, longer each time. */
static void
cool_down (MsEngineCore *core,
           ServerRun    *s,
           const char   *why)
{
  guint64 secs;
  guint shift;

  s->health.consecutive_failures++;
  shift = MIN (s->health.consecutive_failures - 1, 20);
  secs = MIN ((guint64) MAX (core->timing.cooldown_base_secs, 1) << shift,
              (guint64) MAX (core->timing.cooldown_max_secs, 1));
  s->health.cooldown_until = _ms_engine_now_s () + (gint64) secs;
  g_free (s->health.reason);
  s->health.reason = g_strdup (why);
  save_health (core, s);
  _ms_engine_set_hold (s, TRUE);
}

static void
server_succeeded (MsEngineCore *core,
                  ServerRun    *s)
{
  if (s->health.consecutive_failures == 0 && s->health.reason == NULL)
    return;
  s->health.consecutive_failures = 0;
  g_clear_pointer (&s->health.reason, g_free);
  save_health (core, s);
}

static void
server_problem (MsEngineCore      *core,
                ServerRun         *s,
                const MsEngineJob *job)
{
  g_autofree char *why = reason_from (job);
  g_autofree char *fix = NULL;
  g_autofree char *stopped = NULL;

  switch (job->failure)
    {
    case MS_SMTP_FAILURE_AUTH:
    case MS_SMTP_FAILURE_TLS:
      /* Say what to do: the provider's advice when known ("create an app
       * password"), else where to look. */
      fix = ms_server_explain_error (s->server, job->error, job->reply,
                                     job->failure == MS_SMTP_FAILURE_AUTH ? MS_SMTP_STAGE_AUTH
                                                                          : MS_SMTP_STAGE_GREETING,
                                     NULL);
      if (fix != NULL)
        stopped = g_strdup_printf ("%s — %s", why, fix);
      else if (job->failure == MS_SMTP_FAILURE_AUTH)
        stopped = g_strdup_printf (_("%s — check the login and the password of the server "
                                     "profile, then resume the campaign"), why);
      else
        stopped = g_strdup_printf (_("%s — check the server profile’s security settings, then "
                                     "resume the campaign"), why);
      stop_server (core, s, stopped);
      break;
    case MS_SMTP_FAILURE_ACCOUNT:
    case MS_SMTP_FAILURE_NETWORK:
    case MS_SMTP_FAILURE_NONE:      /* a failure nobody could name: wait too */
      cool_down (core, s, why);
      break;
    case MS_SMTP_FAILURE_RECIPIENT:
    case MS_SMTP_FAILURE_MESSAGE:
    case MS_SMTP_FAILURE_TEMPORARY:
    default:
      break;
    }
}

/* Renderers: one per campaign and server (the From and the DKIM key differ). */

static char *
dkim_key (MsEngineCore  *core,
          MsServer      *server,
          GError       **error)
{
  char *key;

  if (core->secrets == NULL)
    {
      g_set_error_literal (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                           _("No secret store is available for the DKIM key."));
      return NULL;
    }
  key = ms_secrets_lookup (core->secrets, MS_SECRET_DKIM, ms_server_get_dkim_domain (server),
                           ms_server_get_dkim_selector (server), NULL, error);
  if (key == NULL && error != NULL && *error == NULL)
    g_set_error (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                 _("The DKIM key %s is not in the secret store."),
                 ms_server_get_dkim_key_ref (server));
  return key;
}

static void
setup_campaign_server (MsEngineCore   *core,
                       CampaignServer *cs,
                       MsTemplate     *tmpl,
                       const char     *secret,
                       const char     *tag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) sample = NULL;
  g_autoptr(GBytes) bytes = NULL;
  MsServer *server = cs->server->server;
  MsMessageSender sender = { 0 };

  g_clear_pointer (&cs->renderer, ms_message_renderer_unref);
  g_clear_pointer (&cs->unusable, g_free);

  sender.from_address = ms_server_get_sender_address (server);
  sender.from_name = ms_server_get_sender_name (server);
  sender.allow_sender_substitution = ms_server_get_allow_sender_substitution (server);
  if (ms_server_get_incoming_protocol (server) != MS_INCOMING_NONE)
    sender.unsubscribe_address = ms_server_get_sender_address (server);
  sender.secret = secret;
  sender.campaign = tag;
  renderer = ms_message_renderer_new (tmpl, &sender, (const char * const *) core->custom_fields,
                                      &error);
  if (renderer != NULL && ms_server_get_dkim_key_ref (server) != NULL)
    {
      char *key = dkim_key (core, server, &error);

      if (key == NULL
          || !ms_message_renderer_set_dkim (renderer, ms_server_get_dkim_domain (server),
                                            ms_server_get_dkim_selector (server), key, &error))
        g_clear_pointer (&renderer, ms_message_renderer_unref);
      ms_secret_free (key);
    }
  if (renderer == NULL)
    {
      cs->unusable = g_strdup (error->message);
      return;
    }

  /* A message that is too big for the server goes elsewhere. */
  sample = ms_contact_new ("sample@example.org");
  ms_contact_set_name (sample, "Sample Name");
  ms_contact_set_first_name (sample, "Sample");
  ms_contact_set_last_name (sample, "Name");
  for (guint i = 0; core->custom_fields != NULL && core->custom_fields[i] != NULL; i++)
    ms_contact_set_field (sample, core->custom_fields[i], "sample");
  bytes = ms_message_renderer_render (renderer, sample, "sample@example.org", NULL);
  if (bytes != NULL && ms_server_get_max_message_size (server) > 0
      && g_bytes_get_size (bytes) > ms_server_get_max_message_size (server))
    {
      g_autofree char *size = g_format_size (g_bytes_get_size (bytes));
      g_autofree char *limit = g_format_size (ms_server_get_max_message_size (server));

      cs->unusable = g_strdup_printf (_("The messages (about %s) are larger than the server "
                                        "accepts (%s)."),
                                      size, limit);
      return;
    }
  cs->renderer = g_steal_pointer (&renderer);
}

/* Campaign states */

/* Inside the tick's transaction (which holds the write lock): did another program
 * pause or cancel the campaign?  Then that wins over what the engine would write. */
static gboolean
external_stop (MsEngineCore *core,
               CampaignRun  *c)
{
  MsCampaignState db_state;

  if (!c->written || c->state == MS_CAMPAIGN_STATE_PAUSED || c->state == MS_CAMPAIGN_STATE_CANCELLED
      || !ms_store_read_campaign_state (core->store, c->id, &db_state, NULL)
      || (db_state != MS_CAMPAIGN_STATE_PAUSED && db_state != MS_CAMPAIGN_STATE_CANCELLED))
    return FALSE;
  c->state = db_state;
  c->pausing = TRUE;
  g_atomic_int_set (&c->stop->stop, 1);
  c->cancelling = db_state == MS_CAMPAIGN_STATE_CANCELLED;
  return TRUE;
}

void
_ms_engine_set_state (MsEngineCore    *core,
           CampaignRun     *c,
           MsCampaignState  state,
           const char      *reason,
           gint64           wait_until)
{
  GError *error = NULL;

  if (c->state == state && g_strcmp0 (c->reason, reason) == 0 && c->wait_until == wait_until
      && c->written)
    return;
  c->state = state;
  if (g_strcmp0 (c->reason, reason) != 0)
    {
      g_free (c->reason);
      c->reason = g_strdup (reason);
    }
  c->wait_until = wait_until;
  core->publish_dirty = TRUE;
  g_debug ("Campaign %" PRId64 ": %s%s%s", c->id, ms_campaign_state_to_string (state),
           reason != NULL ? ": " : "", reason != NULL ? reason : "");
  if (c->keep_state || !_ms_engine_ensure_tx (core))
    return;
  if (external_stop (core, c))
    return;
  if (ms_store_set_campaign_state (core->store, c->id, state, reason, wait_until, &error))
    {
      c->written = TRUE;
    }
  else if (g_error_matches (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND))
    {
      /* The campaign was deleted. */
      c->pausing = TRUE;
      g_atomic_int_set (&c->stop->stop, 1);
      c->keep_state = TRUE;
      g_clear_error (&error);
    }
  else
    {
      _ms_engine_check (core, FALSE, error);
    }
}

/* Whether claimed deliveries are marked sending in the database: only when each
 * waits for its connection's data-sent request (no commit-ahead), since until
 * then nothing else keeps them from being read as due again. */
gboolean
_ms_engine_claims_written (MsEngineCore *core)
{
  return core->timing.commit_ahead == 0;
}

/* Claimed deliveries nobody took go back to the queue. */
void
_ms_engine_unclaim_prefetch (MsEngineCore *core,
                  CampaignRun  *c)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  MsDelivery *d;
  GError *error = NULL;

  while ((d = g_queue_pop_head (&c->prefetch)) != NULL)
    {
      g_array_append_val (ids, d->id);
      _ms_engine_move_count (c, MS_DELIVERY_SENDING, MS_DELIVERY_QUEUED);
      ms_delivery_free (d);
    }
  c->claim_after = 0;
  if (ids->len > 0 && _ms_engine_claims_written (core) && _ms_engine_ensure_tx (core))
    _ms_engine_check (core, ms_store_unclaim_deliveries (core->store, (const gint64 *) (gpointer) ids->data,
                                              ids->len, &error),
           error);
}

void
_ms_engine_reload_counts (MsEngineCore *core,
               CampaignRun  *c)
{
  GError *error = NULL;

  /* The engine counts what it claimed as sending; so does the database when it
   * records claims. */
  if (_ms_engine_check (core, ms_store_count_deliveries (core->store, c->id, c->counts, &error), error))
    {
      if (!_ms_engine_claims_written (core))
        for (guint i = 0; i < g_queue_get_length (&c->prefetch); i++)
          _ms_engine_move_count (c, MS_DELIVERY_QUEUED, MS_DELIVERY_SENDING);
      core->publish_dirty = TRUE;
    }
}

/* Starting a campaign */

static char *
message_id_domain (MsTemplate *tmpl,
                   CampaignRun *c)
{
  const char *address = ms_template_get_sender_address (tmpl);
  const char *at;

  for (guint i = 0; address == NULL && i < c->servers->len; i++)
    address = ms_server_get_sender_address (((CampaignServer *) g_ptr_array_index (c->servers, i))->server->server);
  at = address != NULL ? strrchr (address, '@') : NULL;
  return g_strdup (at != NULL && at[1] != '\0' ? at + 1 : "localhost");
}

typedef struct
{
  MsEngineCore *core;
  CampaignRun  *campaign;
} MaterializeData;

static void
materialize_cb (gint64   added,
                gpointer user_data)
{
  MaterializeData *data = user_data;
  g_autofree char *reason = g_strdup_printf (_("Preparing the recipients: %" PRId64),
                                             added);

  g_free (data->campaign->reason);
  data->campaign->reason = g_steal_pointer (&reason);
  data->campaign->counts[MS_DELIVERY_QUEUED] = added;
  data->core->publish (_ms_engine_build_snapshots (data->core), TRUE, data->core->publish_data);
}

/* A campaign that cannot start: paused with the reason, told once, forgotten. */
static void
campaign_failed (MsEngineCore *core,
                 CampaignRun  *c,
                 const GError *error)
{
  g_autofree char *reason = g_strdup_printf (_("The campaign cannot be sent: %s"), error->message);

  c->stalled = TRUE;
  _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_PAUSED, reason, 0);
  c->done = TRUE;
}

static gboolean
prepare_campaign (MsEngineCore  *core,
                  CampaignRun   *c,
                  MsCampaign    *campaign,
                  GError       **error)
{
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *tag = ms_campaign_dup_tag (campaign);
  g_autofree char *domain = NULL;
  MaterializeData data = { core, c };
  const gint64 *ids;
  guint n_ids = 0;

  ids = ms_campaign_get_server_ids (campaign, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      CampaignServer *cs = g_new0 (CampaignServer, 1);

      cs->server = ensure_server (core, ids[i], error);
      if (cs->server == NULL)
        {
          g_free (cs);
          return FALSE;
        }
      g_ptr_array_add (c->servers, cs);
    }

  /* The template is frozen and the deliveries made before anything is sent; both
   * commit on their own, so the tick's transaction is closed first. */
  flush (core);
  if (core->fatal != NULL)
    {
      g_set_error_literal (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED, core->fatal);
      return FALSE;
    }
  g_clear_pointer (&core->custom_fields, g_strfreev);
  core->custom_fields = ms_store_list_field_names (core->store, error);
  if (core->custom_fields == NULL
      || !ms_store_freeze_campaign_template (core->store, c->id, error)
      || (tmpl = ms_store_get_campaign_template (core->store, c->id, error)) == NULL
      || (secret = ms_store_dup_campaign_secret (core->store, c->id, error)) == NULL)
    return FALSE;
  domain = message_id_domain (tmpl, c);
  if (!ms_store_materialize_deliveries (core->store, c->id, domain, MATERIALIZE_BATCH,
                                        materialize_cb, &data, error)
      || !ms_store_count_deliveries (core->store, c->id, c->counts, error))
    return FALSE;

  for (guint i = 0; i < c->servers->len; i++)
    setup_campaign_server (core, g_ptr_array_index (c->servers, i), tmpl, secret, tag);
  return TRUE;
}

static void
reload_health (MsEngineCore *core,
               MsCampaign   *campaign)
{
  const gint64 *ids;
  guint n_ids = 0;

  ids = ms_campaign_get_server_ids (campaign, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      ServerRun *s = find_server (core, ids[i]);
      MsServerHealth health = { 0 };

      if (s != NULL && ms_store_get_server_health (core->store, s->id, &health, NULL))
        {
          ms_server_health_clear (&s->health);
          s->health = health;
        }
    }
}

static void
start_campaign (MsEngineCore *core,
                gint64        id)
{
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  CampaignRun *c = find_campaign (core, id);
  MsCampaignState state;

  if (c != NULL && !c->done)
    {
      /* Already here: a resume cancels a pause that is still finishing. */
      if (c->pausing && !c->cancelling && !core->quitting)
        {
          /* Jobs that saw the pause keep it; new ones get a new flag. */
          _ms_engine_flag_unref (c->stop);
          c->stop = _ms_engine_flag_new ();
          c->pausing = FALSE;
          c->stalled = FALSE;
          _ms_engine_set_state (core, c, MS_CAMPAIGN_STATE_RUNNING, NULL, 0);
        }
      return;
    }
  if (c != NULL)
    g_ptr_array_remove (core->campaigns, c);

  c = g_new0 (CampaignRun, 1);
  c->id = id;
  c->stop = _ms_engine_flag_new ();
  c->servers = g_ptr_array_new_with_free_func (campaign_server_free);
  g_queue_init (&c->prefetch);
  g_ptr_array_add (core->campaigns, c);

  campaign = ms_store_get_campaign (core->store, id, &error);
  if (campaign == NULL)
    {
      campaign_failed (core, c, error);
      return;
    }
  c->name = g_strdup (ms_campaign_get_name (campaign));
  c->state = ms_campaign_get_state (campaign);
  c->written = TRUE;
  c->start_at = ms_campaign_get_start_at (campaign);
  ms_campaign_get_window (campaign, &c->window);
  if (c->state == MS_CAMPAIGN_STATE_CANCELLED)
    {
      ms_store_count_deliveries (core->store, id, c->counts, NULL);
      core->publish_dirty = TRUE;
      c->done = TRUE;
      return;
    }
  if (c->state == MS_CAMPAIGN_STATE_PAUSED)
    {
      /* Resuming: stopped servers may try again. */
      if (!_ms_engine_ensure_tx (core) || !ms_store_resume_campaign (core->store, id, &error))
        {
          if (error != NULL)
            campaign_failed (core, c, error);
          else
            c->done = TRUE;
          return;
        }
      reload_health (core, campaign);
    }
  c->state = MS_CAMPAIGN_STATE_RUNNING;   /* preparing: shown as sending */
  if (!prepare_campaign (core, c, campaign, &error))
    {
      campaign_failed (core, c, error);
      return;
    }
  state = c->start_at > _ms_engine_now_s () ? MS_CAMPAIGN_STATE_SCHEDULED : MS_CAMPAIGN_STATE_RUNNING;
  c->written = FALSE;
  _ms_engine_set_state (core, c, state, NULL, 0);
}

static void
pause_campaign (MsEngineCore *core,
                gint64        id,
                gboolean      cancel)
{
  CampaignRun *c = find_campaign (core, id);

  if (c == NULL || c->done)
    {
      /* Not sending here: the person's command goes straight to the database. */
      GError *error = NULL;

      if (_ms_engine_ensure_tx (core))
        {
          if (cancel)
            ms_store_cancel_campaign (core->store, id, &error);
          else
            ms_store_pause_campaign (core->store, id, &error);
          g_clear_error (&error);
        }
      return;
    }
  c->pausing = TRUE;
  c->cancelling |= cancel;
  g_atomic_int_set (&c->stop->stop, 1);
  _ms_engine_unclaim_prefetch (core, c);
  core->publish_dirty = TRUE;
}

/* Servers changed */

void
_ms_engine_reload_servers (MsEngineCore *core)
{
  GHashTableIter iter;
  ServerRun *s;

  g_hash_table_iter_init (&iter, core->servers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsServer) fresh = ms_store_get_server (core->store, s->id, &error);
      MsServerHealth health = { 0 };
      const MsQuota *quotas;
      guint n_quotas = 0;
      gboolean changed;

      if (fresh == NULL)
        {
          s->deleted = TRUE;
          _ms_engine_set_hold (s, TRUE);
          retire_workers (s);
          continue;
        }
      changed = ms_server_get_updated_at (fresh) != ms_server_get_updated_at (s->server);
      g_set_object (&s->server, fresh);
      quotas = ms_server_get_quotas (fresh, &n_quotas);
      ms_quota_tracker_set_server (core->quotas, s->id, quotas, n_quotas);
      if (ms_store_get_server_health (core->store, s->id, &health, NULL))
        {
          ms_server_health_clear (&s->health);
          s->health = health;
        }
      maybe_lift_stop (core, s);
      if (changed)
        retire_workers (s);   /* new connections use the new settings */
    }

  /* Renderers follow the servers' senders and keys. */
  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);
      g_autoptr(MsTemplate) tmpl = NULL;
      g_autoptr(MsCampaign) campaign = NULL;
      g_autofree char *secret = NULL;
      g_autofree char *tag = NULL;

      if (c->done)
        continue;
      tmpl = ms_store_get_campaign_template (core->store, c->id, NULL);
      secret = ms_store_dup_campaign_secret (core->store, c->id, NULL);
      campaign = ms_store_get_campaign (core->store, c->id, NULL);
      if (tmpl == NULL || secret == NULL || campaign == NULL)
        continue;
      tag = ms_campaign_dup_tag (campaign);
      for (guint j = 0; j < c->servers->len; j++)
        setup_campaign_server (core, g_ptr_array_index (c->servers, j), tmpl, secret, tag);
    }
  core->publish_dirty = TRUE;
}

gint64
_ms_engine_read_servers_stamp (MsEngineCore *core)
{
  sqlite3_stmt *stmt = _ms_store_prepare (core->store,
                                          "SELECT coalesce (max (updated_at), 0) * 1000 + count(*)"
                                          " + coalesce ((SELECT sum (server_id * 7 + stopped"
                                          " + coalesce (stopped_at, 0)) FROM server_state), 0)"
                                          " FROM servers",
                                          NULL);
  gint64 stamp = 0;

  if (stmt == NULL)
    return 0;
  if (sqlite3_step (stmt) == SQLITE_ROW)
    stamp = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return stamp;
}

/* Results */

static void
finish_delivery (MsEngineCore      *core,
                 CampaignRun       *c,
                 MsEngineJob       *job,
                 MsDeliveryState    state,
                 guint              attempts,
                 gint64             next_attempt_at,
                 gint64             log_time)
{
  MsDeliveryOutcome outcome = { 0 };
  g_autofree char *text = NULL;
  GError *error = NULL;
  MsDeliveryState from = job->committed ? MS_DELIVERY_DATA_SENT : MS_DELIVERY_SENDING;

  if (state == MS_DELIVERY_QUEUED && c->cancelling)
    state = MS_DELIVERY_CANCELLED;

  outcome.delivery_id = job->delivery->id;
  outcome.state = state;
  outcome.attempts = attempts;
  outcome.next_attempt_at = next_attempt_at;
  outcome.server_id = job->opened ? job->server_id : 0;
  if (job->ok)
    {
      outcome.reply_code = job->response != NULL ? (guint) g_ascii_strtoull (job->response, NULL, 10) : 250;
      outcome.reply_text = job->response;
    }
  else if (job->reply != NULL)
    {
      outcome.reply_code = job->reply->code;
      outcome.reply_enhanced = job->reply->enhanced;
      outcome.reply_text = job->reply->text;
    }
  else if (job->error != NULL)
    {
      outcome.reply_text = text = g_strdup (job->error->message);
    }
  outcome.log_id = job->committed ? job->log_id : 0;
  outcome.handed_over = job->dot_written;
  outcome.log_time_ms = log_time;

  _ms_engine_move_count (c, from, state);
  if (state == MS_DELIVERY_QUEUED)
    c->claim_after = MIN (c->claim_after, next_attempt_at);
  core->publish_dirty = TRUE;
  if (_ms_engine_ensure_tx (core))
    _ms_engine_check (core, ms_store_finish_delivery (core->store, &outcome, &error), error);
}

static void
bounce_contact (MsEngineCore *core,
                MsEngineJob  *job)
{
  g_autofree char *why = reason_from (job);
  GError *error = NULL;
  gint64 id = job->delivery->contact_id;

  if (id <= 0 || !_ms_engine_ensure_tx (core))
    return;
  _ms_engine_check (core, ms_store_set_contacts_status (core->store, &id, 1, MS_CONTACT_STATUS_BOUNCED, why,
                                             &error),
         error);
}

static gboolean
is_address_failure (const MsEngineJob *job)
{
  const MsSmtpReply *reply = job->reply;

  if (reply == NULL)
    return FALSE;
  if (reply->enhanced != NULL)
    return g_str_has_prefix (reply->enhanced, "5.1.");
  return reply->code >= 550 && reply->code <= 553;
}

/* A 4xx for this recipient: again later, or give up. */
static void
retry_later (MsEngineCore *core,
             CampaignRun  *c,
             MsEngineJob  *job,
             gint64        log_time)
{
  guint attempts = job->delivery->attempts + 1;
  gint64 now = _ms_engine_now_s ();
  gint64 age = now - job->delivery->first_attempt_at;
  guint shift = MIN (attempts - 1, 20);
  guint64 wait = MIN ((guint64) MAX (core->timing.retry_base_secs, 1) << shift,
                      (guint64) MAX (core->timing.retry_max_secs, 1));

  if (attempts >= core->timing.max_attempts || age >= (gint64) core->timing.max_age_secs)
    finish_delivery (core, c, job, MS_DELIVERY_FAILED, attempts, 0, log_time);
  else
    finish_delivery (core, c, job, MS_DELIVERY_QUEUED, attempts, now + (gint64) wait, log_time);
}

static void
handle_result (MsEngineCore   *core,
               MsEngineWorker *worker,
               MsEngineJob    *job)
{
  CampaignRun *c = find_campaign (core, job->campaign_id);
  ServerRun *s = find_server (core, job->server_id);
  CampaignServer *cs;
  guint attempts = job->delivery->attempts;
  gint64 log_time = 0;

  /* How long a message takes on this connection, counted only when the worker
   * had its next job at hand (no waiting for the engine in between). */
  if (worker->busy_since_result && job->ok)
    {
      double took = (double) (g_get_monotonic_time () - worker->last_result);

      worker->message_us = worker->message_us > 0 ? 0.8 * worker->message_us + 0.2 * took : took;
    }
  worker->last_result = g_get_monotonic_time ();
  worker->assigned--;
  worker->busy_since_result = worker->assigned > 0;
  g_assert (c != NULL && s != NULL);
  c->in_flight--;
  cs = _ms_engine_find_campaign_server (c, s->id);

  /* Counted at the reply.  The send log keeps that time only where a quota
   * reads it; elsewhere the time of the data-sent record stays. */
  if (job->dot_written)
    {
      guint n_quotas = 0;

      log_time = ms_quota_tracker_complete (core->quotas, s->id);
      ms_server_get_quotas (s->server, &n_quotas);
      if (n_quotas == 0)
        log_time = 0;
    }
  else
    {
      ms_quota_tracker_release (core->quotas, s->id);
    }

  if (job->ok)
    {
      finish_delivery (core, c, job, MS_DELIVERY_SENT, attempts, 0, log_time);
      _ms_engine_record_sent (c, g_get_real_time () / G_USEC_PER_SEC);
      if (cs != NULL)
        cs->sent++;
      server_succeeded (core, s);
      return;
    }
  if (job->skipped || job->aborted
      || g_error_matches (job->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* Not tried, or abandoned before the final dot: back to the queue. */
      finish_delivery (core, c, job, MS_DELIVERY_QUEUED, attempts, job->delivery->next_attempt_at,
                       log_time);
      return;
    }
  if (!job->opened)
    {
      finish_delivery (core, c, job, MS_DELIVERY_QUEUED, attempts, job->delivery->next_attempt_at,
                       log_time);
      server_problem (core, s, job);
      return;
    }
  if (job->dot_written && job->reply == NULL)
    {
      /* The message went out and no answer came: maybe delivered.  Never resent
       * unless the person asks. */
      finish_delivery (core, c, job, MS_DELIVERY_UNCERTAIN, attempts, 0, log_time);
      server_problem (core, s, job);
      return;
    }

  switch (job->failure)
    {
    case MS_SMTP_FAILURE_RECIPIENT:
      finish_delivery (core, c, job, MS_DELIVERY_FAILED, attempts, 0, log_time);
      if (is_address_failure (job))
        bounce_contact (core, job);
      break;
    case MS_SMTP_FAILURE_MESSAGE:
      finish_delivery (core, c, job, MS_DELIVERY_FAILED, attempts, 0, log_time);
      break;
    case MS_SMTP_FAILURE_TEMPORARY:
      retry_later (core, c, job, log_time);
      break;
    case MS_SMTP_FAILURE_NONE:
    case MS_SMTP_FAILURE_ACCOUNT:
    case MS_SMTP_FAILURE_AUTH:
    case MS_SMTP_FAILURE_TLS:
    case MS_SMTP_FAILURE_NETWORK:
    default:
      /* The server's problem, not the recipient's: requeue without an attempt. */
      finish_delivery (core, c, job, MS_DELIVERY_QUEUED, attempts, job->delivery->next_attempt_at,
                       log_time);
      server_problem (core, s, job);
      break;
    }
}

static void
handle_commit (MsEngineCore   *core,
               MsEngineWorker *worker,
               MsEngineJob    *job)
{
  CampaignRun *c = find_campaign (core, job->campaign_id);
  GError *error = NULL;

  g_ptr_array_add (core->ack_waiters, worker);
  if (!_ms_engine_ensure_tx (core))
    return;
  if (_ms_engine_check (core, ms_store_mark_data_sent (core->store, job->delivery->id, job->server_id,
                                            _ms_engine_now_ms (), &job->log_id, &error),
             error))
    {
      /* Acknowledged only after the tick's commit (flush). */
      job->committed = TRUE;
      if (c != NULL)
        _ms_engine_move_count (c, MS_DELIVERY_SENDING, MS_DELIVERY_DATA_SENT);
    }
}

static void
worker_gone (MsEngineCore   *core,
             MsEngineWorker *worker)
{
  ServerRun *s = find_server (core, worker->server_id);

  if (s != NULL)
    g_ptr_array_remove (s->workers, worker);
  _ms_engine_worker_free (worker);
  core->n_workers--;
}

static void
handle_message (MsEngineCore *core,
                MsEngineMsg  *msg)
{
  switch (msg->kind)
    {
    case MSG_SEND:
      start_campaign (core, msg->campaign_id);
      break;
    case MSG_PAUSE:
      pause_campaign (core, msg->campaign_id, FALSE);
      break;
    case MSG_CANCEL:
      pause_campaign (core, msg->campaign_id, TRUE);
      break;
    case MSG_SERVERS_CHANGED:
      _ms_engine_reload_servers (core);
      core->servers_stamp = _ms_engine_read_servers_stamp (core);
      break;
    case MSG_QUIT:
      core->quitting = TRUE;
      for (guint i = 0; i < core->campaigns->len; i++)
        {
          CampaignRun *c = g_ptr_array_index (core->campaigns, i);

          c->pausing = TRUE;
          g_atomic_int_set (&c->stop->stop, 1);
          c->keep_state = TRUE;
          _ms_engine_unclaim_prefetch (core, c);
        }
      break;
    case MSG_COMMIT:
      handle_commit (core, msg->worker, msg->job);
      break;
    case MSG_RESULT:
      handle_result (core, msg->worker, msg->job);
      break;
    case MSG_CONNECTION:
      {
        ServerRun *s = find_server (core, msg->worker->server_id);

        if (msg->worker->connected != msg->connected && s != NULL)
          {
            if (msg->connected)
              s->connections++;
            else if (s->connections > 0)
              s->connections--;
          }
        msg->worker->connected = msg->connected;
        core->publish_dirty = TRUE;
      }
      break;
    case MSG_WORKER_GONE:
      worker_gone (core, msg->worker);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* The loop */

static gboolean
wake_cb (gpointer user_data)
{
  MsEngineCore *core = user_data;

  g_clear_pointer (&core->wake_source, g_source_unref);
  core->wake_at = 0;
  core->publish_dirty = TRUE;
  _ms_engine_tick (core);
  return G_SOURCE_REMOVE;
}

static void
arm_wake (MsEngineCore *core)
{
  gint64 at = G_MAXINT64;
  gint64 now = _ms_engine_now_ms ();

  for (guint i = 0; i < core->campaigns->len; i++)
    {
      CampaignRun *c = g_ptr_array_index (core->campaigns, i);

      if (!c->done && c->wake_at > 0 && c->wake_at != G_MAXINT64)
        at = MIN (at, c->wake_at);
    }
  if (at == core->wake_at && core->wake_source != NULL)
    return;
  if (core->wake_source != NULL)
    {
      g_source_destroy (core->wake_source);
      g_clear_pointer (&core->wake_source, g_source_unref);
    }
  core->wake_at = 0;
  if (at == G_MAXINT64)
    return;
  core->wake_at = at;
  core->wake_source = g_timeout_source_new ((guint) CLAMP (at - now, 0, POLL_INTERVAL * 60));
  g_source_set_callback (core->wake_source, wake_cb, core, NULL);
  g_source_attach (core->wake_source, core->context);
}

static gboolean
commit_timeout_cb (gpointer user_data)
{
  MsEngineCore *core = user_data;

  g_clear_pointer (&core->commit_source, g_source_unref);
  _ms_engine_tick (core);
  return G_SOURCE_REMOVE;
}

static gboolean
any_worker_busy (MsEngineCore *core)
{
  GHashTableIter iter;
  ServerRun *s;

  g_hash_table_iter_init (&iter, core->servers);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
    for (guint i = 0; i < s->workers->len; i++)
      if (((MsEngineWorker *) g_ptr_array_index (s->workers, i))->assigned > 0)
        return TRUE;
  return FALSE;
}

/* Commits when someone waits for it: jobs to hand out, data-sent requests, or
 * nothing left in flight.  Outcomes alone wait a little (COMMIT_DELAY) for the
 * next commit, which the connections' next batch of jobs needs soon anyway. */
static void
commit_tick (MsEngineCore *core)
{
  gint64 age = g_get_monotonic_time () - core->tx_started;

  if (core->in_tx && core->pending_jobs->len == 0 && core->ack_waiters->len == 0
      && core->fatal == NULL && !core->quitting && age < COMMIT_DELAY && any_worker_busy (core))
    {
      if (core->commit_source == NULL)
        {
          core->commit_source = g_timeout_source_new ((guint) ((COMMIT_DELAY - age) / 1000) + 1);
          g_source_set_callback (core->commit_source, commit_timeout_cb, core, NULL);
          g_source_attach (core->commit_source, core->context);
        }
      return;
    }
  if (core->commit_source != NULL)
    {
      g_source_destroy (core->commit_source);
      g_clear_pointer (&core->commit_source, g_source_unref);
    }
  flush (core);
}

void
_ms_engine_tick (MsEngineCore *core)
{
  MsEngineMsg *msg;

  core->tick_no++;
  while ((msg = g_async_queue_try_pop (core->inbox.queue)) != NULL)
    {
      handle_message (core, msg);
      _ms_engine_msg_free (msg);
    }
  _ms_engine_schedule (core);
  _ms_engine_update_states (core);
  commit_tick (core);
  arm_wake (core);
  _ms_engine_publish (core, FALSE);

  if (core->quitting && core->n_workers == 0)
    {
      _ms_engine_publish (core, TRUE);
      g_main_loop_quit (core->loop);
    }
  else if (core->quitting)
    {
      GHashTableIter iter;
      ServerRun *s;

      g_hash_table_iter_init (&iter, core->servers);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &s))
        retire_workers (s);
    }
}

typedef struct
{
  GSource       source;
  MsEngineCore *core;
} InboxSource;

static gboolean
inbox_prepare (GSource *source,
               int     *timeout)
{
  InboxSource *self = (InboxSource *) source;

  *timeout = -1;
  return g_async_queue_length (self->core->inbox.queue) > 0;
}

static gboolean
inbox_check (GSource *source)
{
  InboxSource *self = (InboxSource *) source;

  return g_async_queue_length (self->core->inbox.queue) > 0;
}

static gboolean
inbox_dispatch (GSource     *source,
                GSourceFunc  callback,
                gpointer     user_data)
{
  InboxSource *self = (InboxSource *) source;

  _ms_engine_tick (self->core);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs inbox_funcs = {
  inbox_prepare,
  inbox_check,
  inbox_dispatch,
  NULL, NULL, NULL
};

static gboolean
poll_cb (gpointer user_data)
{
  MsEngineCore *core = user_data;

  if (!core->quitting && core->fatal == NULL)
    _ms_engine_poll_database (core);
  core->publish_dirty |= _ms_engine_any_active (core);
  _ms_engine_tick (core);
  return G_SOURCE_CONTINUE;
}

static gpointer
engine_thread (gpointer user_data)
{
  MsEngineCore *core = user_data;
  GSource *inbox = g_source_new (&inbox_funcs, sizeof (InboxSource));
  GSource *poll = g_timeout_source_new (POLL_INTERVAL);

  g_main_context_push_thread_default (core->context);
  ((InboxSource *) inbox)->core = core;
  g_source_set_priority (inbox, G_PRIORITY_HIGH);
  g_source_attach (inbox, core->context);
  g_source_set_callback (poll, poll_cb, core, NULL);
  g_source_attach (poll, core->context);

  core->servers_stamp = _ms_engine_read_servers_stamp (core);
  g_main_loop_run (core->loop);
  g_debug ("%" PRIu64 " jobs, %" PRIu64 " ticks, %" PRIu64
           " commits (%.0f µs each)", core->n_jobs, core->tick_no, core->n_commits, core->commit_us);

  g_source_destroy (poll);
  g_source_unref (poll);
  g_source_destroy (inbox);
  g_source_unref (inbox);
  if (core->wake_source != NULL)
    g_source_destroy (core->wake_source);
  g_clear_pointer (&core->wake_source, g_source_unref);
  if (core->publish_source != NULL)
    g_source_destroy (core->publish_source);
  g_clear_pointer (&core->publish_source, g_source_unref);
  if (core->commit_source != NULL)
    g_source_destroy (core->commit_source);
  g_clear_pointer (&core->commit_source, g_source_unref);
  g_main_context_pop_thread_default (core->context);
  return NULL;
}

/* Owner side */

MsEngineCore *
_ms_engine_core_new (const char            *db_path,
                     MsSecrets             *secrets,
                     const MsEngineTiming  *timing,
                     MsEnginePublishFunc    publish_func,
                     gpointer               publish_data)
{
  MsEngineCore *core = g_new0 (MsEngineCore, 1);

  core->db_path = g_strdup (db_path);
  core->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  core->timing = *timing;
  core->publish = publish_func;
  core->publish_data = publish_data;
  core->context = g_main_context_new ();
  core->loop = g_main_loop_new (core->context, FALSE);
  core->inbox.queue = g_async_queue_new ();
  core->inbox.context = core->context;
  core->ack_waiters = g_ptr_array_new ();
  core->pending_jobs = g_array_new (FALSE, FALSE, sizeof (PendingJob));
  core->servers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, server_run_free);
  core->campaigns = g_ptr_array_new_with_free_func (campaign_run_free);
  core->quotas = ms_quota_tracker_new ();
  return core;
}

gboolean
_ms_engine_core_start (MsEngineCore  *core,
                       GError       **error)
{
  gint64 requeued = 0;
  gint64 uncertain = 0;

  core->store = ms_store_open (core->db_path, error);
  if (core->store == NULL)
    return FALSE;
  ms_store_set_synchronous_full (core->store, TRUE);
  sqlite3_busy_timeout (_ms_store_get_db (core->store), BUSY_TIMEOUT_MS);
  /* Temporary tables on disk: DISTINCT over the contacts (the custom field names)
   * would otherwise take memory in proportion to the contacts. */
  if (!_ms_store_exec (core->store, "PRAGMA temp_store = FILE", error))
    return FALSE;
  if (!ms_store_recover_deliveries (core->store, &requeued, &uncertain, error))
    return FALSE;
  if (requeued > 0 || uncertain > 0)
    g_message ("After an interruption: %" PRId64 " deliveries queued again, %"
               PRId64 " uncertain", requeued, uncertain);
  core->thread = g_thread_new ("ms-engine", engine_thread, core);
  return TRUE;
}

void
_ms_engine_core_post (MsEngineCore *core,
                      MsEngineMsg  *msg)
{
  _ms_engine_inbox_post (&core->inbox, msg);
}

void
_ms_engine_core_stop (MsEngineCore *core)
{
  MsEngineMsg *msg;

  if (core->thread != NULL)
    {
      _ms_engine_core_post (core, _ms_engine_msg_new (MSG_QUIT));
      g_thread_join (core->thread);
      core->thread = NULL;
    }
  while ((msg = g_async_queue_try_pop (core->inbox.queue)) != NULL)
    _ms_engine_msg_free (msg);

  g_ptr_array_unref (core->campaigns);
  g_hash_table_unref (core->servers);
  g_ptr_array_unref (core->ack_waiters);
  g_array_unref (core->pending_jobs);
  ms_quota_tracker_free (core->quotas);
  g_strfreev (core->custom_fields);
  g_clear_object (&core->store);
  g_async_queue_unref (core->inbox.queue);
  g_main_loop_unref (core->loop);
  g_main_context_unref (core->context);
  g_clear_object (&core->secrets);
  g_free (core->fatal);
  g_free (core->db_path);
  g_free (core);
}

void
_ms_campaign_snapshot_free (MsCampaignSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;
  g_free (snapshot->reason);
  g_clear_pointer (&snapshot->servers, g_ptr_array_unref);
  g_clear_pointer (&snapshot->rate_history, g_array_unref);
  g_free (snapshot);
}

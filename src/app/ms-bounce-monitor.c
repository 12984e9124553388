/* ms-bounce-monitor.c
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

#define G_LOG_DOMAIN "ms-bounce-monitor"

#include "config.h"

#include "ms-bounce-monitor.h"
#include "ms-campaign.h"
#include "ms-store-campaigns.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"

struct _MsBounceMonitor
{
  GObject               parent_instance;

  char                 *db_path;
  guint                 interval;      /* minutes */
  guint                 days;
  guint                 timeout_id;
  GCancellable         *cancellable;   /* of the running round, NULL when idle */
  MsMailboxCheckResult  last;
  guint                 n_checked;
  guint                 n_failed;
};

G_DEFINE_FINAL_TYPE (MsBounceMonitor, ms_bounce_monitor, G_TYPE_OBJECT)

enum {
  SIGNAL_CHECKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  char                 *db_path;
  gboolean              only_when_due;
  guint                 days;
} Round;

typedef struct
{
  MsMailboxCheckResult  sum;
  guint                 n_checked;
  guint                 n_failed;
} RoundResult;

static void
round_free (gpointer data)
{
  Round *round = data;

  g_free (round->db_path);
  g_free (round);
}

/* A campaign is running, waiting or paused, or ended within @days. */
static gboolean
is_due (MsStore  *store,
        guint     days,
        GError  **error)
{
  g_autoptr(GPtrArray) campaigns = ms_store_list_campaigns (store, error);
  gint64 since = g_get_real_time () / G_USEC_PER_SEC - (gint64) days * 24 * 60 * 60;

  if (campaigns == NULL)
    return FALSE;
  for (guint i = 0; i < campaigns->len; i++)
    {
      MsCampaign *campaign = g_ptr_array_index (campaigns, i);

      switch (ms_campaign_get_state (campaign))
        {
        case MS_CAMPAIGN_STATE_RUNNING:
        case MS_CAMPAIGN_STATE_WAITING:
        case MS_CAMPAIGN_STATE_PAUSED:
          return TRUE;
        case MS_CAMPAIGN_STATE_FINISHED:
        case MS_CAMPAIGN_STATE_CANCELLED:
          if (ms_campaign_get_started_at (campaign) != 0 && ms_campaign_get_finished_at (campaign) >= since)
            return TRUE;
          break;
        case MS_CAMPAIGN_STATE_DRAFT:
        case MS_CAMPAIGN_STATE_SCHEDULED:
        default:
          break;
        }
    }
  return FALSE;
}

static gpointer
round_job (MsStore       *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  Round *round = data;
  g_autofree RoundResult *result = g_new0 (RoundResult, 1);
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  MsMailboxCheckOptions options;

  if (round->only_when_due)
    {
      g_autoptr(GError) local_error = NULL;

      if (!is_due (store, round->days, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          return g_steal_pointer (&result);
        }
    }
  servers = ms_store_list_servers (store, error);
  if (servers == NULL)
    return NULL;
  secrets = ms_secrets_new_for_database (round->db_path);
  ms_mailbox_check_options_init (&options);
  for (guint i = 0; i < servers->len; i++)
    {
      MsServer *server = g_ptr_array_index (servers, i);
      g_autoptr(GError) server_error = NULL;
      char *password;
      MsMailboxCheckResult one = { 0 };

      if (ms_server_get_incoming_protocol (server) == MS_INCOMING_NONE)
        continue;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      result->n_checked++;
      password = ms_mailbox_lookup_password (secrets, server, cancellable, &server_error);
      if (password != NULL)
        {
          ms_mailbox_check_server (store, server, password, &options, &one, cancellable, &server_error);
          ms_secret_free (password);
        }
      if (server_error != NULL)
        {
          result->n_failed++;
          g_message ("Could not check the mailbox of “%s”: %s", ms_server_get_name (server), server_error->message);
        }
      /* Counts of what was committed before a failure still count. */
      ms_mailbox_check_result_add (&result->sum, &one);
    }
  return g_steal_pointer (&result);
}

static void
on_round_done_cb (GObject      *source,
                  GAsyncResult *res,
                  gpointer      user_data)
{
  g_autoptr(MsBounceMonitor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree RoundResult *result = ms_store_job_finish (res, &error);

  g_clear_object (&self->cancellable);
  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not check the mailboxes: %s", error->message);
      return;
    }
  self->last = result->sum;
  self->n_checked = result->n_checked;
  self->n_failed = result->n_failed;
  g_signal_emit (self, signals[SIGNAL_CHECKED], 0);
}

gboolean
ms_bounce_monitor_run (MsBounceMonitor *self,
                       gboolean         only_when_due)
{
  Round *round;

  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), FALSE);

  if (self->cancellable != NULL)
    return FALSE;
  round = g_new0 (Round, 1);
  round->db_path = g_strdup (self->db_path);
  round->only_when_due = only_when_due;
  round->days = self->days;
  self->cancellable = g_cancellable_new ();
  ms_store_job_run (self, self->db_path, round_job, round, round_free, g_free,
                    self->cancellable, on_round_done_cb, g_object_ref (self));
  return TRUE;
}

static gboolean
on_timeout_cb (gpointer data)
{
  MsBounceMonitor *self = data;

  /* A round still running (a slow server) makes this tick a no-op. */
  ms_bounce_monitor_run (self, TRUE);
  return G_SOURCE_CONTINUE;
}

void
ms_bounce_monitor_set_interval (MsBounceMonitor *self,
                                guint            minutes)
{
  g_return_if_fail (MS_IS_BOUNCE_MONITOR (self));

  self->interval = minutes;
  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (minutes > 0)
    self->timeout_id = g_timeout_add_seconds (MIN (minutes, 7 * 24 * 60) * 60, on_timeout_cb, self);
}

guint
ms_bounce_monitor_get_interval (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), 0);

  return self->interval;
}

void
ms_bounce_monitor_set_days (MsBounceMonitor *self,
                            guint            days)
{
  g_return_if_fail (MS_IS_BOUNCE_MONITOR (self));

  self->days = days;
}

guint
ms_bounce_monitor_get_days (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), 0);

  return self->days;
}

gboolean
ms_bounce_monitor_get_busy (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), FALSE);

  return self->cancellable != NULL;
}

const MsMailboxCheckResult *
ms_bounce_monitor_get_last_result (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), NULL);

  return &self->last;
}

guint
ms_bounce_monitor_get_n_checked (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), 0);

  return self->n_checked;
}

guint
ms_bounce_monitor_get_n_failed (MsBounceMonitor *self)
{
  g_return_val_if_fail (MS_IS_BOUNCE_MONITOR (self), 0);

  return self->n_failed;
}

static void
ms_bounce_monitor_dispose (GObject *object)
{
  MsBounceMonitor *self = MS_BOUNCE_MONITOR (object);

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (ms_bounce_monitor_parent_class)->dispose (object);
}

static void
ms_bounce_monitor_finalize (GObject *object)
{
  MsBounceMonitor *self = MS_BOUNCE_MONITOR (object);

  g_clear_object (&self->cancellable);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_bounce_monitor_parent_class)->finalize (object);
}

static void
ms_bounce_monitor_class_init (MsBounceMonitorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_bounce_monitor_dispose;
  object_class->finalize = ms_bounce_monitor_finalize;

  signals[SIGNAL_CHECKED] = g_signal_new ("checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
ms_bounce_monitor_init (MsBounceMonitor *self)
{
  self->days = 3;
}

MsBounceMonitor *
ms_bounce_monitor_new (const char *db_path)
{
  MsBounceMonitor *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (MS_TYPE_BOUNCE_MONITOR, NULL);
  self->db_path = g_strdup (db_path);
  return self;
}

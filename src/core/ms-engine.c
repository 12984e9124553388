/* ms-engine.c
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

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "ms-engine-private.h"
#include "ms-store-campaigns.h"

struct _MsEngine
{
  GObject         parent_instance;

  char           *db_path;
  MsEngineTiming  timing;
  MsSecrets      *secrets;

  /* Owner thread */
  GMainContext   *owner_context;
  MsEngineCore   *core;
  MsStore        *store;
  int             lock_fd;
  GHashTable     *campaigns;       /* gint64* -> MsCampaign* */
  gboolean        active;

  /* Shared with the engine thread, under lock */
  GMutex          lock;
  GPtrArray      *latest;          /* MsCampaignSnapshot*, not yet applied */
  gboolean        latest_active;
  gboolean        invoke_pending;
};

G_DEFINE_FINAL_TYPE (MsEngine, ms_engine, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-engine-error-quark, ms_engine_error)

enum {
  PROP_0,
  PROP_ACTIVE,
  N_PROPS
};

enum {
  CAMPAIGN_FINISHED,
  CAMPAIGN_WAITING,
  CAMPAIGN_STALLED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

void
ms_engine_timing_init_default (MsEngineTiming *timing)
{
  g_return_if_fail (timing != NULL);

  timing->retry_base_secs = 300;
  timing->retry_max_secs = 4 * 3600;
  timing->max_attempts = 5;
  timing->max_age_secs = 3 * 86400;
  timing->cooldown_base_secs = 300;
  timing->cooldown_max_secs = 86400;
  timing->idle_close_ms = 10000;
  timing->commit_ahead = 4;
}

/* The lock: one engine per database */

static char *
lock_path (const char *db_path)
{
  return g_strconcat (db_path, ".lock", NULL);
}

static char *
describe_holder (int fd)
{
  char buffer[512];
  ssize_t n;
  g_auto(GStrv) lines = NULL;

  n = pread (fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0)
    return NULL;
  buffer[n] = '\0';
  lines = g_strsplit (buffer, "\n", 3);
  if (lines[0] == NULL || lines[1] == NULL || lines[0][0] == '\0')
    return NULL;
  /* TRANSLATORS: "mailshot-cli (process 1234)" */
  return g_strdup_printf (_("%s (process %s)"), g_strstrip (lines[1]), g_strstrip (lines[0]));
}

static int
take_lock (const char  *db_path,
           GError     **error)
{
  g_autofree char *path = lock_path (db_path);
  g_autofree char *content = NULL;
  int fd;

  fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;

      g_set_error (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                   _("Cannot create the lock file “%s”: %s"), path, g_strerror (errsv));
      return -1;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int errsv = errno;
      g_autofree char *holder = NULL;

      if (errsv == EWOULDBLOCK)
        {
          holder = describe_holder (fd);
          g_set_error (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_LOCKED,
                       _("Another program is sending from this database: %s. Only one may send "
                         "from a database at a time; wait for it to finish or stop it."),
                       holder != NULL ? holder : _("a program that has not said its name yet"));
        }
      else
        {
          g_set_error (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                       _("Cannot lock “%s”: %s"), path, g_strerror (errsv));
        }
      close (fd);
      return -1;
    }
  content = g_strdup_printf ("%d\n%s\n", (int) getpid (),
                             g_get_prgname () != NULL ? g_get_prgname () : "mailshot");
  if (ftruncate (fd, 0) != 0 || pwrite (fd, content, strlen (content), 0) < 0)
    g_debug ("Could not write the lock file %s: %s", path, g_strerror (errno));
  return fd;
}

static void
release_lock (MsEngine *self)
{
  if (self->lock_fd < 0)
    return;
  /* Empty it first, so nobody reads a stale holder; closing releases the lock. */
  if (ftruncate (self->lock_fd, 0) != 0)
    g_debug ("Could not empty the lock file: %s", g_strerror (errno));
  close (self->lock_fd);
  self->lock_fd = -1;
}

/* Snapshots, on the owner thread */

static void
apply_snapshot (MsEngine           *self,
                MsCampaignSnapshot *snap)
{
  MsCampaign *campaign = g_hash_table_lookup (self->campaigns, &snap->campaign_id);
  MsCampaignState old_state;

  if (campaign == NULL)
    return;
  old_state = ms_campaign_get_state (campaign);

  g_object_freeze_notify (G_OBJECT (campaign));
  ms_campaign_set_counts (campaign, snap->counts);
  ms_campaign_set_servers (campaign, snap->servers);
  ms_campaign_set_send_rate (campaign, snap->send_rate);
  ms_campaign_set_eta (campaign, snap->eta);
  ms_campaign_set_rate_history (campaign, snap->rate_history);
  ms_campaign_set_reason (campaign, snap->reason);
  ms_campaign_set_wait_until (campaign, snap->wait_until);
  ms_campaign_set_state (campaign, snap->state);
  g_object_thaw_notify (G_OBJECT (campaign));

  if (old_state == snap->state)
    return;
  if (snap->state == MS_CAMPAIGN_STATE_FINISHED || snap->state == MS_CAMPAIGN_STATE_CANCELLED)
    g_signal_emit (self, signals[CAMPAIGN_FINISHED], 0, campaign);
  else if (snap->state == MS_CAMPAIGN_STATE_WAITING)
    g_signal_emit (self, signals[CAMPAIGN_WAITING], 0, campaign);
  else if (snap->state == MS_CAMPAIGN_STATE_PAUSED && snap->stalled)
    g_signal_emit (self, signals[CAMPAIGN_STALLED], 0, campaign);
}

static gboolean
apply_cb (gpointer user_data)
{
  MsEngine *self = user_data;
  g_autoptr(GPtrArray) snapshots = NULL;
  gboolean active;

  g_mutex_lock (&self->lock);
  snapshots = g_steal_pointer (&self->latest);
  active = self->latest_active;
  self->invoke_pending = FALSE;
  g_mutex_unlock (&self->lock);

  if (snapshots != NULL)
    for (guint i = 0; i < snapshots->len; i++)
      apply_snapshot (self, g_ptr_array_index (snapshots, i));
  if (self->active != active)
    {
      self->active = active;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACTIVE]);
    }
  return G_SOURCE_REMOVE;
}

/* MsEnginePublishFunc, on the engine thread: the newest snapshots replace any the
 * owner has not applied yet, and at most one application is pending. */
static void
publish_cb (GPtrArray *snapshots,
            gboolean   active,
            gpointer   user_data)
{
  MsEngine *self = user_data;

  g_mutex_lock (&self->lock);
  if (self->latest != NULL)
    {
      /* Keep the campaigns the new batch does not mention (they left the engine). */
      for (guint i = 0; i < self->latest->len; i++)
        {
          MsCampaignSnapshot *old = g_ptr_array_index (self->latest, i);
          gboolean found = FALSE;

          for (guint j = 0; j < snapshots->len && !found; j++)
            found = ((MsCampaignSnapshot *) g_ptr_array_index (snapshots, j))->campaign_id
                    == old->campaign_id;
          if (!found)
            g_ptr_array_add (snapshots, g_ptr_array_steal_index (self->latest, i--));
        }
      g_ptr_array_unref (self->latest);
    }
  self->latest = snapshots;
  self->latest_active = active;
  if (!self->invoke_pending)
    {
      self->invoke_pending = TRUE;
      g_main_context_invoke_full (self->owner_context, G_PRIORITY_DEFAULT, apply_cb,
                                  g_object_ref (self), g_object_unref);
    }
  g_mutex_unlock (&self->lock);
}

/* GObject */

MsEngine *
ms_engine_new (const char *db_path)
{
  MsEngine *self;

  g_return_val_if_fail (db_path != NULL, NULL);

  self = g_object_new (MS_TYPE_ENGINE, NULL);
  self->db_path = g_strdup (db_path);
  return self;
}

static void
ms_engine_dispose (GObject *object)
{
  MsEngine *self = (MsEngine *) object;

  ms_engine_stop (self);
  g_clear_object (&self->secrets);
  if (self->campaigns != NULL)
    g_hash_table_remove_all (self->campaigns);

  G_OBJECT_CLASS (ms_engine_parent_class)->dispose (object);
}

static void
ms_engine_finalize (GObject *object)
{
  MsEngine *self = (MsEngine *) object;

  g_clear_pointer (&self->latest, g_ptr_array_unref);
  g_clear_pointer (&self->campaigns, g_hash_table_unref);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  g_mutex_clear (&self->lock);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_engine_parent_class)->finalize (object);
}

static void
ms_engine_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsEngine *self = MS_ENGINE (object);

  switch (prop_id)
    {
    case PROP_ACTIVE:
      g_value_set_boolean (value, self->active);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_engine_class_init (MsEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_engine_dispose;
  object_class->finalize = ms_engine_finalize;
  object_class->get_property = ms_engine_get_property;

  properties[PROP_ACTIVE] =
    g_param_spec_boolean ("active", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[CAMPAIGN_FINISHED] =
    g_signal_new ("campaign-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, MS_TYPE_CAMPAIGN);
  signals[CAMPAIGN_WAITING] =
    g_signal_new ("campaign-waiting", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, MS_TYPE_CAMPAIGN);
  signals[CAMPAIGN_STALLED] =
    g_signal_new ("campaign-stalled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, MS_TYPE_CAMPAIGN);
}

static void
ms_engine_init (MsEngine *self)
{
  self->lock_fd = -1;
  ms_engine_timing_init_default (&self->timing);
  self->campaigns = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  g_mutex_init (&self->lock);
}

const char *
ms_engine_get_db_path (MsEngine *self)
{
  g_return_val_if_fail (MS_IS_ENGINE (self), NULL);

  return self->db_path;
}

void
ms_engine_set_timing (MsEngine             *self,
                      const MsEngineTiming *timing)
{
  g_return_if_fail (MS_IS_ENGINE (self));
  g_return_if_fail (timing != NULL);
  g_return_if_fail (self->core == NULL);

  self->timing = *timing;
}

void
ms_engine_set_secrets (MsEngine  *self,
                       MsSecrets *secrets)
{
  g_return_if_fail (MS_IS_ENGINE (self));
  g_return_if_fail (self->core == NULL);

  g_set_object (&self->secrets, secrets);
}

gboolean
ms_engine_start (MsEngine  *self,
                 GError   **error)
{
  g_return_val_if_fail (MS_IS_ENGINE (self), FALSE);
  g_return_val_if_fail (self->core == NULL, FALSE);

  self->lock_fd = take_lock (self->db_path, error);
  if (self->lock_fd < 0)
    return FALSE;
  self->store = ms_store_open (self->db_path, error);
  if (self->store == NULL)
    {
      release_lock (self);
      return FALSE;
    }
  if (self->secrets == NULL)
    self->secrets = ms_secrets_new_for_database (self->db_path);
  g_clear_pointer (&self->owner_context, g_main_context_unref);
  self->owner_context = g_main_context_ref_thread_default ();

  self->core = _ms_engine_core_new (self->db_path, self->secrets, &self->timing, publish_cb, self);
  if (!_ms_engine_core_start (self->core, error))
    {
      _ms_engine_core_stop (self->core);
      self->core = NULL;
      g_clear_object (&self->store);
      release_lock (self);
      return FALSE;
    }
  return TRUE;
}

void
ms_engine_stop (MsEngine *self)
{
  g_return_if_fail (MS_IS_ENGINE (self));

  if (self->core == NULL)
    return;
  _ms_engine_core_stop (self->core);
  self->core = NULL;
  g_clear_object (&self->store);
  release_lock (self);
  /* The last snapshots, now rather than from the main loop. */
  apply_cb (self);
}

gboolean
ms_engine_is_started (MsEngine *self)
{
  g_return_val_if_fail (MS_IS_ENGINE (self), FALSE);

  return self->core != NULL;
}

gboolean
ms_engine_get_active (MsEngine *self)
{
  g_return_val_if_fail (MS_IS_ENGINE (self), FALSE);

  return self->active;
}

static void
post_command (MsEngine        *self,
              MsEngineMsgKind  kind,
              gint64           campaign_id)
{
  MsEngineMsg *msg;

  if (self->core == NULL)
    return;
  msg = _ms_engine_msg_new (kind);
  msg->campaign_id = campaign_id;
  _ms_engine_core_post (self->core, msg);
}

MsCampaign *
ms_engine_send (MsEngine  *self,
                gint64     campaign_id,
                GError   **error)
{
  g_autoptr(MsCampaign) campaign = NULL;
  MsCampaign *live;
  gint64 *key;

  g_return_val_if_fail (MS_IS_ENGINE (self), NULL);

  if (self->core == NULL)
    {
      g_set_error_literal (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                           _("The delivery engine is not running."));
      return NULL;
    }
  campaign = ms_store_get_campaign (self->store, campaign_id, error);
  if (campaign == NULL)
    return NULL;
  if (ms_campaign_get_state (campaign) == MS_CAMPAIGN_STATE_CANCELLED)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE,
                   _("The campaign “%s” was cancelled; it cannot be sent again."),
                   ms_campaign_get_name (campaign));
      return NULL;
    }

  live = g_hash_table_lookup (self->campaigns, &campaign_id);
  if (live == NULL)
    {
      live = g_steal_pointer (&campaign);
      key = g_new (gint64, 1);
      *key = campaign_id;
      g_hash_table_insert (self->campaigns, key, live);
    }
  /* Until the engine says otherwise (waiting, finished ...), it is being started. */
  ms_campaign_set_state (live, MS_CAMPAIGN_STATE_RUNNING);
  post_command (self, MSG_SEND, campaign_id);
  return live;
}

MsCampaign *
ms_engine_get_campaign (MsEngine *self,
                        gint64    campaign_id)
{
  g_return_val_if_fail (MS_IS_ENGINE (self), NULL);

  return g_hash_table_lookup (self->campaigns, &campaign_id);
}

void
ms_engine_pause (MsEngine *self,
                 gint64    campaign_id)
{
  g_return_if_fail (MS_IS_ENGINE (self));

  post_command (self, MSG_PAUSE, campaign_id);
}

void
ms_engine_cancel (MsEngine *self,
                  gint64    campaign_id)
{
  g_return_if_fail (MS_IS_ENGINE (self));

  post_command (self, MSG_CANCEL, campaign_id);
}

void
ms_engine_servers_changed (MsEngine *self)
{
  g_return_if_fail (MS_IS_ENGINE (self));

  post_command (self, MSG_SERVERS_CHANGED, 0);
}

/* ms-campaigns-view.c
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

#define G_LOG_DOMAIN "ms-campaigns-view"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ms-app-secrets.h"
#include "ms-campaigns-view.h"
#include "ms-format.h"
#include "ms-server-card.h"
#include "ms-store-campaigns.h"
#include "ms-store-job.h"
#include "ms-window.h"

struct _MsCampaignsView
{
  AdwBin           parent_instance;

  GtkStack        *stack;          /* "list", "campaign" */
  GtkStack        *list_stack;     /* "empty", "campaigns" */
  GtkListBox      *list_box;
  AdwWindowTitle  *campaign_title;
  MsCampaignView  *campaign_view;

  char            *db_path;
  GCancellable    *cancellable;
  GListStore      *campaigns;      /* MsCampaign */
  MsEngine        *engine;
  MsSecrets       *secrets;
  GArray          *pending_sends;  /* gint64: to send once the engine runs */
  gboolean         starting;       /* secrets are being read */
  gboolean         resumed;        /* running campaigns were resumed at startup */
  guint            stop_idle;
  gint64           shown_id;       /* the campaign on the "campaign" page */
  gboolean         show_notifications;
  gboolean         folded;
  GtkWidget       *headers[2];     /* AdwHeaderBar of the list and the campaign page */
  GtkWidget       *sidebar_button; /* back to the sidebar while folded */
  char            *last_notification;
};

G_DEFINE_TYPE (MsCampaignsView, ms_campaigns_view, ADW_TYPE_BIN)

enum
{
  PROP_0,
  PROP_FOLDED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void send_pending (MsCampaignsView *self);

static void
toast (MsCampaignsView *self,
       const char      *text)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (MS_IS_WINDOW (root))
    ms_window_add_toast (MS_WINDOW (root), adw_toast_new (text));
  else
    g_message ("%s", text);
}

void
ms_campaigns_view_send_notification (MsCampaignsView *self,
                                     const char      *id,
                                     const char      *title,
                                     const char      *body)
{
  GApplication *app = g_application_get_default ();
  g_autoptr(GNotification) notification = NULL;

  g_free (self->last_notification);
  self->last_notification = g_strdup (title);
  /* Without a session bus there is nobody to show it. */
  if (!self->show_notifications || app == NULL || !g_application_get_is_registered (app) || g_application_get_dbus_connection (app) == NULL)
    return;
  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_application_send_notification (app, id, notification);
}

/* Rows of the list */

static void
update_row (GtkWidget  *row,
            MsCampaign *campaign)
{
  GtkLabel *name = g_object_get_data (G_OBJECT (row), "name");
  GtkLabel *state = g_object_get_data (G_OBJECT (row), "state");
  GtkLabel *counts = g_object_get_data (G_OBJECT (row), "counts");
  GtkProgressBar *bar = g_object_get_data (G_OBJECT (row), "bar");
  g_autofree char *sent = ms_format_count (ms_campaign_get_count (campaign, MS_DELIVERY_SENT));
  g_autofree char *total = ms_format_count (ms_campaign_get_total (campaign));
  g_autofree char *count_text = NULL;
  g_autofree char *state_text = NULL;
  MsCampaignState s = ms_campaign_get_state (campaign);

  gtk_label_set_label (name, ms_campaign_get_name (campaign));
  if (s == MS_CAMPAIGN_STATE_WAITING && ms_campaign_get_wait_until (campaign) > 0)
    {
      g_autofree char *until = ms_format_clock (ms_campaign_get_wait_until (campaign));

      state_text = g_strdup_printf (_("Waiting until %s"), until);
    }
  else if (s == MS_CAMPAIGN_STATE_SCHEDULED && ms_campaign_get_start_at (campaign) > 0)
    {
      g_autofree char *at = ms_format_clock (ms_campaign_get_start_at (campaign));

      state_text = g_strdup_printf (_("Scheduled for %s"), at);
    }
  else
    state_text = g_strdup (ms_campaign_state_to_label (s));
  if (ms_campaign_get_template_name (campaign) != NULL)
    {
      g_autofree char *with = g_strdup_printf ("%s · %s", state_text, ms_campaign_get_template_name (campaign));

      gtk_label_set_label (state, with);
    }
  else
    gtk_label_set_label (state, state_text);
  /* TRUE: sent of total */
  count_text = g_strdup_printf (_("%s of %s sent"), sent, total);
  gtk_label_set_label (counts, count_text);
  gtk_progress_bar_set_fraction (bar, ms_campaign_get_fraction (campaign));
}

static void
on_row_campaign_notify_cb (GtkWidget  *row,
                           GParamSpec *pspec,
                           MsCampaign *campaign)
{
  update_row (row, campaign);
}

static GtkWidget *
create_campaign_row (gpointer item,
                     gpointer user_data)
{
  MsCampaign *campaign = item;
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *texts = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *name = gtk_label_new (NULL);
  GtkWidget *state = gtk_label_new (NULL);
  GtkWidget *counts = gtk_label_new (NULL);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkWidget *arrow = gtk_image_new_from_icon_name ("go-next-symbolic");

  gtk_widget_set_margin_top (box, 12);
  gtk_widget_set_margin_bottom (box, 12);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_label_set_xalign (GTK_LABEL (name), 0);
  gtk_label_set_ellipsize (GTK_LABEL (name), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (name, "heading");
  gtk_label_set_xalign (GTK_LABEL (state), 0);
  gtk_label_set_ellipsize (GTK_LABEL (state), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (state, "dim-label");
  gtk_widget_add_css_class (counts, "numeric");
  gtk_widget_add_css_class (counts, "dim-label");
  gtk_widget_set_valign (counts, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (texts, TRUE);
  gtk_box_append (GTK_BOX (texts), name);
  gtk_box_append (GTK_BOX (texts), state);
  gtk_box_append (GTK_BOX (top), texts);
  gtk_box_append (GTK_BOX (top), counts);
  gtk_box_append (GTK_BOX (top), arrow);
  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), bar);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  g_object_set_data (G_OBJECT (row), "name", name);
  g_object_set_data (G_OBJECT (row), "state", state);
  g_object_set_data (G_OBJECT (row), "counts", counts);
  g_object_set_data (G_OBJECT (row), "bar", bar);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "campaigns.open");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "x", ms_campaign_get_id (campaign));
  update_row (row, campaign);
  g_signal_connect_object (campaign, "notify", G_CALLBACK (on_row_campaign_notify_cb), row, G_CONNECT_SWAPPED);
  return row;
}

/* The list */

static guint
find_campaign (MsCampaignsView *self,
               gint64           id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->campaigns));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsCampaign) c = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);

      if (ms_campaign_get_id (c) == id)
        return i;
    }
  return G_MAXUINT;
}

static gpointer
list_campaigns_job (MsStore       *store,
                    gpointer       data,
                    GCancellable  *cancellable,
                    GError       **error)
{
  return ms_store_list_campaigns (store, error);
}

static void
on_campaigns_listed_cb (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GPtrArray) campaigns = NULL;
  g_autoptr(GError) error = NULL;
  MsCampaignsView *self;

  campaigns = ms_store_job_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = MS_CAMPAIGNS_VIEW (source);
  if (campaigns == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("Could not read the campaigns: %s"), error->message);

      toast (self, text);
      return;
    }

  for (guint i = 0; i < campaigns->len; i++)
    {
      MsCampaign *c = g_ptr_array_index (campaigns, i);
      MsCampaign *live = self->engine != NULL ? ms_engine_get_campaign (self->engine, ms_campaign_get_id (c)) : NULL;

      if (live != NULL)
        g_ptr_array_index (campaigns, i) = g_object_ref (live), g_object_unref (c);
    }
  g_list_store_splice (self->campaigns, 0, g_list_model_get_n_items (G_LIST_MODEL (self->campaigns)),
                       campaigns->pdata, campaigns->len);
  gtk_stack_set_visible_child_name (self->list_stack, campaigns->len > 0 ? "campaigns" : "empty");

  /* The campaign page follows the newest object of its campaign. */
  if (self->shown_id != 0)
    {
      guint pos = find_campaign (self, self->shown_id);

      if (pos != G_MAXUINT)
        {
          g_autoptr(MsCampaign) c = g_list_model_get_item (G_LIST_MODEL (self->campaigns), pos);

          if (ms_campaign_view_get_campaign (self->campaign_view) != c
              && (self->engine == NULL || ms_engine_get_campaign (self->engine, self->shown_id) == NULL))
            ms_campaign_view_set_campaign (self->campaign_view, c);
          /* After a bounce check: complaints and unsubscribes change no count
           * of the campaign itself. */
          ms_campaign_view_reload_outcomes (self->campaign_view);
        }
    }

  /* On start, what was sending when the app last quit continues. */
  if (!self->resumed)
    {
      self->resumed = TRUE;
      for (guint i = 0; i < campaigns->len; i++)
        {
          MsCampaign *c = g_ptr_array_index (campaigns, i);
          MsCampaignState s = ms_campaign_get_state (c);

          if (s == MS_CAMPAIGN_STATE_RUNNING || s == MS_CAMPAIGN_STATE_WAITING || s == MS_CAMPAIGN_STATE_SCHEDULED)
            ms_campaigns_view_send (self, ms_campaign_get_id (c));
        }
    }
}

void
ms_campaigns_view_reload (MsCampaignsView *self)
{
  g_return_if_fail (MS_IS_CAMPAIGNS_VIEW (self));

  if (self->db_path == NULL)
    return;
  ms_store_job_run (self, self->db_path, list_campaigns_job, NULL, NULL,
                    (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_campaigns_listed_cb, NULL);
}

/* The engine */

static gboolean
stop_idle_cb (gpointer data)
{
  MsCampaignsView *self = data;

  self->stop_idle = 0;
  if (self->engine != NULL && !ms_engine_get_active (self->engine) && self->pending_sends->len == 0)
    {
      ms_campaigns_view_stop_engine (self);
      ms_campaigns_view_reload (self);
    }
  return G_SOURCE_REMOVE;
}

static void
on_engine_active_cb (MsCampaignsView *self)
{
  if (!ms_engine_get_active (self->engine) && self->stop_idle == 0)
    self->stop_idle = g_timeout_add (500, stop_idle_cb, self);
}

static void
on_campaign_finished_cb (MsCampaignsView *self,
                         MsCampaign      *campaign)
{
  g_autofree char *id = g_strdup_printf ("campaign-%" PRId64, ms_campaign_get_id (campaign));
  g_autofree char *sent = ms_format_count (ms_campaign_get_count (campaign, MS_DELIVERY_SENT));
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;

  if (ms_campaign_get_state (campaign) == MS_CAMPAIGN_STATE_CANCELLED)
    title = g_strdup_printf (_("“%s” was cancelled"), ms_campaign_get_name (campaign));
  else
    title = g_strdup_printf (_("“%s” finished"), ms_campaign_get_name (campaign));
  body = g_strdup_printf (_("%s messages sent, %" PRId64 " failed"), sent,
                          ms_campaign_get_count (campaign, MS_DELIVERY_FAILED));
  ms_campaigns_view_send_notification (self, id, title, body);
  ms_campaigns_view_reload (self);
}

static void
on_campaign_waiting_cb (MsCampaignsView *self,
                        MsCampaign      *campaign)
{
  g_autofree char *id = g_strdup_printf ("campaign-%" PRId64, ms_campaign_get_id (campaign));
  g_autofree char *title = g_strdup_printf (_("“%s” is waiting"), ms_campaign_get_name (campaign));
  g_autofree char *body = NULL;

  if (ms_campaign_get_wait_until (campaign) > 0)
    {
      g_autofree char *until = ms_format_clock (ms_campaign_get_wait_until (campaign));

      body = g_strdup_printf (_("Every server is waiting. Sending continues by itself at %s."), until);
    }
  else
    body = g_strdup (_("Every server is waiting. Sending continues by itself."));
  ms_campaigns_view_send_notification (self, id, title, body);
}

static void
on_campaign_stalled_cb (MsCampaignsView *self,
                        MsCampaign      *campaign)
{
  g_autofree char *text = g_strdup_printf (_("“%s” was paused: %s"), ms_campaign_get_name (campaign),
                                           ms_campaign_get_reason (campaign) != NULL
                                           ? ms_campaign_get_reason (campaign) : _("no server can send it"));

  toast (self, text);
  ms_campaigns_view_reload (self);
}

static void
start_engine (MsCampaignsView *self)
{
  g_autoptr(GError) error = NULL;

  self->engine = ms_engine_new (self->db_path);
  if (self->secrets != NULL)
    ms_engine_set_secrets (self->engine, self->secrets);
  if (!ms_engine_start (self->engine, &error))
    {
      g_autofree char *text = g_strdup_printf (_("Could not start sending: %s"), error->message);

      g_clear_object (&self->engine);
      g_array_set_size (self->pending_sends, 0);
      toast (self, text);
      return;
    }
  g_signal_connect_object (self->engine, "notify::active", G_CALLBACK (on_engine_active_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "campaign-finished", G_CALLBACK (on_campaign_finished_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "campaign-waiting", G_CALLBACK (on_campaign_waiting_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->engine, "campaign-stalled", G_CALLBACK (on_campaign_stalled_cb), self,
                           G_CONNECT_SWAPPED);
}

static void
on_secrets_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MsCampaignsView) self = user_data;
  g_autoptr(GError) error = NULL;

  self->starting = FALSE;
  g_clear_object (&self->secrets);
  self->secrets = ms_app_secrets_load_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (self->secrets == NULL)
    g_debug ("No secret store, the engine uses its default: %s", error->message);
  if (self->engine == NULL)
    start_engine (self);
  send_pending (self);
}

static void
send_pending (MsCampaignsView *self)
{
  if (self->engine == NULL)
    return;
  while (self->pending_sends->len > 0)
    {
      gint64 id = g_array_index (self->pending_sends, gint64, 0);
      g_autoptr(GError) error = NULL;
      MsCampaign *live;
      guint pos;

      g_array_remove_index (self->pending_sends, 0);
      live = ms_engine_send (self->engine, id, &error);
      if (live == NULL)
        {
          g_autofree char *text = g_strdup_printf (_("Could not send the campaign: %s"), error->message);

          toast (self, text);
          continue;
        }
      pos = find_campaign (self, id);
      if (pos != G_MAXUINT)
        g_list_store_splice (self->campaigns, pos, 1, (gpointer *) &live, 1);
      if (self->shown_id == id)
        {
          ms_campaign_view_set_campaign (self->campaign_view, live);
          adw_window_title_set_title (self->campaign_title, ms_campaign_get_name (live));
        }
    }
  /* An engine started for nothing stops again. */
  on_engine_active_cb (self);
}

void
ms_campaigns_view_send (MsCampaignsView *self,
                        gint64           campaign_id)
{
  g_return_if_fail (MS_IS_CAMPAIGNS_VIEW (self));

  g_array_append_val (self->pending_sends, campaign_id);
  if (self->engine != NULL)
    send_pending (self);
  else if (!self->starting)
    {
      self->starting = TRUE;
      ms_app_secrets_load_async (self->db_path, self->cancellable, on_secrets_loaded_cb, g_object_ref (self));
    }
}

void
ms_campaigns_view_stop_engine (MsCampaignsView *self)
{
  g_return_if_fail (MS_IS_CAMPAIGNS_VIEW (self));

  g_clear_handle_id (&self->stop_idle, g_source_remove);
  if (self->engine == NULL)
    return;
  g_signal_handlers_disconnect_by_data (self->engine, self);
  ms_engine_stop (self->engine);
  g_clear_object (&self->engine);
}

void
ms_campaigns_view_pause_all (MsCampaignsView *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->campaigns));

  if (self->engine == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsCampaign) c = g_list_model_get_item (G_LIST_MODEL (self->campaigns), i);
      MsCampaignState s = ms_campaign_get_state (c);

      if (ms_engine_get_campaign (self->engine, ms_campaign_get_id (c)) != NULL
          && (s == MS_CAMPAIGN_STATE_RUNNING || s == MS_CAMPAIGN_STATE_WAITING || s == MS_CAMPAIGN_STATE_SCHEDULED))
        ms_engine_pause (self->engine, ms_campaign_get_id (c));
    }
}

/* Commands on campaigns the engine does not send now */

typedef struct
{
  gint64 id;
  int    command;   /* 0 pause, 1 cancel, 2 retry failed, 3 servers, 4 retry uncertain */
  gint64 now_ms;
  MsCampaign *campaign;
} CommandJob;

static void
command_job_free (gpointer data)
{
  CommandJob *job = data;

  g_clear_object (&job->campaign);
  g_free (job);
}

static gpointer
command_job (MsStore       *store,
             gpointer       data,
             GCancellable  *cancellable,
             GError       **error)
{
  CommandJob *job = data;

  switch (job->command)
    {
    case 0:
      return ms_store_pause_campaign (store, job->id, error) ? MS_STORE_JOB_DONE : NULL;
    case 1:
      return ms_store_cancel_campaign (store, job->id, error) ? MS_STORE_JOB_DONE : NULL;
    case 2:
      return ms_store_retry_deliveries (store, job->id, MS_DELIVERY_FAILED, error) >= 0 ? MS_STORE_JOB_DONE : NULL;
    case 3:
      return ms_store_get_campaign_servers (store, job->campaign, job->now_ms, error);
    case 4:
      return ms_store_retry_deliveries (store, job->id, MS_DELIVERY_UNCERTAIN, error) >= 0 ? MS_STORE_JOB_DONE : NULL;
    default:
      g_assert_not_reached ();
    }
}

static void
on_command_done_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  MsCampaignsView *self;
  g_autoptr(GError) error = NULL;
  int command = GPOINTER_TO_INT (user_data);
  gpointer ret = ms_store_job_finish (result, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = MS_CAMPAIGNS_VIEW (source);
  if (ret == NULL)
    {
      toast (self, error->message);
      return;
    }
  if ((command == 2 || command == 4) && self->shown_id != 0)
    ms_campaigns_view_send (self, self->shown_id);
  ms_campaigns_view_reload (self);
}

static void
run_command (MsCampaignsView *self,
             gint64           id,
             int              command)
{
  CommandJob *job = g_new0 (CommandJob, 1);

  job->id = id;
  job->command = command;
  ms_store_job_run (self, self->db_path, command_job, job, command_job_free, NULL,
                    self->cancellable, on_command_done_cb, GINT_TO_POINTER (command));
}

static void
on_servers_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(MsCampaign) campaign = user_data;
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;

  servers = ms_store_job_finish (result, &error);
  if (servers == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read the campaign's servers: %s", error->message);
      return;
    }
  ms_campaign_set_servers (campaign, servers);
}

/* Pages */

void
ms_campaigns_view_open_campaign (MsCampaignsView *self,
                                 gint64           campaign_id)
{
  g_autoptr(MsCampaign) campaign = NULL;
  MsCampaign *live = self->engine != NULL ? ms_engine_get_campaign (self->engine, campaign_id) : NULL;
  guint pos = find_campaign (self, campaign_id);

  if (live != NULL)
    campaign = g_object_ref (live);
  else if (pos != G_MAXUINT)
    campaign = g_list_model_get_item (G_LIST_MODEL (self->campaigns), pos);
  if (campaign == NULL)
    return;

  self->shown_id = campaign_id;
  ms_campaign_view_set_campaign (self->campaign_view, campaign);
  adw_window_title_set_title (self->campaign_title, ms_campaign_get_name (campaign));
  gtk_stack_set_visible_child_name (self->stack, "campaign");

  if (live == NULL)
    {
      CommandJob *job = g_new0 (CommandJob, 1);

      /* Not sending here: the servers as the database tells them. */
      job->command = 3;
      job->campaign = g_object_ref (campaign);
      job->now_ms = g_get_real_time () / 1000;
      ms_store_job_run (self, self->db_path, command_job, job, command_job_free,
                        (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_servers_read_cb,
                        g_object_ref (campaign));
    }
}

void
ms_campaigns_view_show_list (MsCampaignsView *self)
{
  self->shown_id = 0;
  gtk_stack_set_visible_child_name (self->stack, "list");
}

static void
on_dialog_start_cb (MsCampaignsView     *self,
                    gint64               campaign_id,
                    MsNewCampaignDialog *dialog)
{
  self->shown_id = campaign_id;
  ms_campaign_view_set_campaign (self->campaign_view, NULL);
  adw_window_title_set_title (self->campaign_title, _("Campaign"));
  gtk_stack_set_visible_child_name (self->stack, "campaign");
  ms_campaigns_view_send (self, campaign_id);
  ms_campaigns_view_reload (self);
}

static void
on_dialog_saved_cb (MsCampaignsView *self)
{
  ms_campaigns_view_reload (self);
}

MsNewCampaignDialog *
ms_campaigns_view_new_campaign (MsCampaignsView *self)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  MsNewCampaignDialog *dialog;

  g_return_val_if_fail (self->db_path != NULL, NULL);

  dialog = ms_new_campaign_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, self->db_path);
  if (self->secrets != NULL)
    ms_new_campaign_dialog_set_secrets (dialog, self->secrets);
  g_signal_connect_object (dialog, "start", G_CALLBACK (on_dialog_start_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
  return dialog;
}

/* Actions */

static void
new_action (GtkWidget  *widget,
            const char *name,
            GVariant   *param)
{
  ms_campaigns_view_new_campaign (MS_CAMPAIGNS_VIEW (widget));
}

static void
back_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  ms_campaigns_view_show_list (MS_CAMPAIGNS_VIEW (widget));
}

static void
open_action (GtkWidget  *widget,
             const char *name,
             GVariant   *param)
{
  ms_campaigns_view_open_campaign (MS_CAMPAIGNS_VIEW (widget), g_variant_get_int64 (param));
}

static void
on_cancel_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       MsCampaignsView  *self)
{
  gint64 id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (dialog), "campaign-id"));

  if (!g_str_equal (response, "cancel-campaign"))
    return;
  if (self->engine != NULL && ms_engine_get_campaign (self->engine, id) != NULL)
    ms_engine_cancel (self->engine, id);
  else
    run_command (self, id, 1);
}

static void
confirm_cancel (MsCampaignsView *self,
                gint64           id)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, _("Cancel the Campaign?"),
                                   _("Messages not sent yet will not be sent. A cancelled campaign cannot "
                                     "be resumed."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "keep", _("_Keep Campaign"),
                                    "cancel-campaign", _("_Cancel Campaign"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "cancel-campaign",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "keep");
  g_object_set_data (G_OBJECT (dialog), "campaign-id", GSIZE_TO_POINTER ((gsize) id));
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_cancel_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
command_action (GtkWidget  *widget,
                const char *name,
                GVariant   *param)
{
  MsCampaignsView *self = MS_CAMPAIGNS_VIEW (widget);
  gint64 id = self->shown_id;
  gboolean live = self->engine != NULL && ms_engine_get_campaign (self->engine, id) != NULL;

  if (id == 0)
    return;
  if (g_str_equal (name, "campaigns.pause"))
    {
      if (live)
        ms_engine_pause (self->engine, id);
      else
        run_command (self, id, 0);
    }
  else if (g_str_equal (name, "campaigns.cancel"))
    confirm_cancel (self, id);
  else if (g_str_equal (name, "campaigns.resume"))
    ms_campaigns_view_send (self, id);
  else if (g_str_equal (name, "campaigns.retry"))
    run_command (self, id, 2);
  else if (g_str_equal (name, "campaigns.retry-uncertain"))
    run_command (self, id, 4);
}

/* GObject */

static void
ms_campaigns_view_dispose (GObject *object)
{
  MsCampaignsView *self = MS_CAMPAIGNS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  ms_campaigns_view_stop_engine (self);

  G_OBJECT_CLASS (ms_campaigns_view_parent_class)->dispose (object);
}

static void
ms_campaigns_view_finalize (GObject *object)
{
  MsCampaignsView *self = MS_CAMPAIGNS_VIEW (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->campaigns);
  g_clear_object (&self->secrets);
  g_clear_pointer (&self->pending_sends, g_array_unref);
  g_free (self->db_path);
  g_free (self->last_notification);

  G_OBJECT_CLASS (ms_campaigns_view_parent_class)->finalize (object);
}

static void
ms_campaigns_view_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsCampaignsView *self = MS_CAMPAIGNS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_campaigns_view_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MsCampaignsView *self = MS_CAMPAIGNS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          for (guint i = 0; i < G_N_ELEMENTS (self->headers); i++)
            adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (self->headers[i]), self->folded);
          gtk_widget_set_visible (self->sidebar_button, self->folded);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_campaigns_view_class_init (MsCampaignsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_campaigns_view_dispose;
  object_class->finalize = ms_campaigns_view_finalize;
  object_class->get_property = ms_campaigns_view_get_property;
  object_class->set_property = ms_campaigns_view_set_property;

  /* The window's leaflet shows only the content: the headers offer the way back
   * to the sidebar and the window buttons on both sides. */
  properties[PROP_FOLDED] = g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY
                                                  | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "campaigns.new", NULL, new_action);
  gtk_widget_class_install_action (widget_class, "campaigns.back", NULL, back_action);
  gtk_widget_class_install_action (widget_class, "campaigns.open", "x", open_action);
  gtk_widget_class_install_action (widget_class, "campaigns.pause", NULL, command_action);
  gtk_widget_class_install_action (widget_class, "campaigns.resume", NULL, command_action);
  gtk_widget_class_install_action (widget_class, "campaigns.cancel", NULL, command_action);
  gtk_widget_class_install_action (widget_class, "campaigns.retry", NULL, command_action);
  gtk_widget_class_install_action (widget_class, "campaigns.retry-uncertain", NULL, command_action);
}

static GtkWidget *
new_button (void)
{
  GtkWidget *button = gtk_button_new ();
  GtkWidget *content = adw_button_content_new ();

  adw_button_content_set_icon_name (ADW_BUTTON_CONTENT (content), "list-add-symbolic");
  adw_button_content_set_label (ADW_BUTTON_CONTENT (content), _("_New Campaign"));
  adw_button_content_set_use_underline (ADW_BUTTON_CONTENT (content), TRUE);
  gtk_button_set_child (GTK_BUTTON (button), content);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "campaigns.new");
  return button;
}

static void
ms_campaigns_view_init (MsCampaignsView *self)
{
  GtkWidget *list_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *empty = adw_status_page_new ();
  GtkWidget *empty_button = gtk_button_new_with_mnemonic (_("_New Campaign"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *campaign_page = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *campaign_header = adw_header_bar_new ();
  GtkWidget *back = gtk_button_new_from_icon_name ("go-previous-symbolic");

  self->cancellable = g_cancellable_new ();
  self->campaigns = g_list_store_new (MS_TYPE_CAMPAIGN);
  self->pending_sends = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->show_notifications = TRUE;

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (_("Campaigns"), NULL));
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  self->sidebar_button = gtk_button_new_from_icon_name ("go-previous-symbolic");
  gtk_widget_set_tooltip_text (self->sidebar_button, _("Back"));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (self->sidebar_button), "win.show-sidebar");
  gtk_widget_set_visible (self->sidebar_button, FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), self->sidebar_button);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), new_button ());
  self->headers[0] = header;
  gtk_box_append (GTK_BOX (list_page), header);

  self->list_stack = GTK_STACK (gtk_stack_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->list_stack), TRUE);
  adw_status_page_set_icon_name (ADW_STATUS_PAGE (empty), "mail-send-symbolic");
  adw_status_page_set_title (ADW_STATUS_PAGE (empty), _("No Campaigns"));
  adw_status_page_set_description (ADW_STATUS_PAGE (empty),
                                   _("A campaign sends a template to your lists through your servers, "
                                     "within each server’s limits."));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (empty_button), "campaigns.new");
  gtk_widget_add_css_class (empty_button, "pill");
  gtk_widget_add_css_class (empty_button, "suggested-action");
  gtk_widget_set_halign (empty_button, GTK_ALIGN_CENTER);
  adw_status_page_set_child (ADW_STATUS_PAGE (empty), empty_button);
  gtk_stack_add_named (self->list_stack, empty, "empty");

  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  gtk_widget_set_valign (GTK_WIDGET (self->list_box), GTK_ALIGN_START);
  gtk_widget_set_margin_top (GTK_WIDGET (self->list_box), 24);
  gtk_widget_set_margin_bottom (GTK_WIDGET (self->list_box), 24);
  gtk_widget_set_margin_start (GTK_WIDGET (self->list_box), 12);
  gtk_widget_set_margin_end (GTK_WIDGET (self->list_box), 12);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->list_box), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Campaigns"), -1);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->campaigns), create_campaign_row, NULL, NULL);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 800);
  adw_clamp_set_child (ADW_CLAMP (clamp), GTK_WIDGET (self->list_box));
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_stack_add_named (self->list_stack, scrolled, "campaigns");
  gtk_box_append (GTK_BOX (list_page), GTK_WIDGET (self->list_stack));

  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (campaign_header), FALSE);
  self->headers[1] = campaign_header;
  gtk_actionable_set_action_name (GTK_ACTIONABLE (back), "campaigns.back");
  gtk_widget_set_tooltip_text (back, _("All Campaigns"));
  adw_header_bar_pack_start (ADW_HEADER_BAR (campaign_header), back);
  self->campaign_title = ADW_WINDOW_TITLE (adw_window_title_new (_("Campaign"), NULL));
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (campaign_header), GTK_WIDGET (self->campaign_title));
  gtk_box_append (GTK_BOX (campaign_page), campaign_header);
  self->campaign_view = MS_CAMPAIGN_VIEW (ms_campaign_view_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->campaign_view), TRUE);
  gtk_box_append (GTK_BOX (campaign_page), GTK_WIDGET (self->campaign_view));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_stack_add_named (self->stack, list_page, "list");
  gtk_stack_add_named (self->stack, campaign_page, "campaign");
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->stack));
}

void
ms_campaigns_view_set_db_path (MsCampaignsView *self,
                               const char      *db_path)
{
  g_return_if_fail (MS_IS_CAMPAIGNS_VIEW (self));

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  ms_campaign_view_set_db_path (self->campaign_view, db_path);
  ms_campaigns_view_reload (self);
}

GListModel *
ms_campaigns_view_get_campaigns (MsCampaignsView *self)
{
  return G_LIST_MODEL (self->campaigns);
}

MsEngine *
ms_campaigns_view_get_engine (MsCampaignsView *self)
{
  return self->engine;
}

gboolean
ms_campaigns_view_get_active (MsCampaignsView *self)
{
  return self->engine != NULL && ms_engine_get_active (self->engine);
}

MsCampaignView *
ms_campaigns_view_get_campaign_view (MsCampaignsView *self)
{
  return self->campaign_view;
}

void
ms_campaigns_view_set_show_notifications (MsCampaignsView *self,
                                          gboolean         show)
{
  self->show_notifications = show;
}

const char *
ms_campaigns_view_get_last_notification (MsCampaignsView *self)
{
  return self->last_notification;
}

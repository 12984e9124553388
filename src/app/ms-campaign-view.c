/* ms-campaign-view.c
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

#define G_LOG_DOMAIN "ms-campaign-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-campaign-view.h"
#include "ms-format.h"
#include "ms-outcome-list.h"
#include "ms-rate-chart.h"
#include "ms-store-campaigns.h"
#include "ms-store-job.h"

#define MAX_FAILURES 200

static const MsDeliveryState shown_states[] = {
  MS_DELIVERY_QUEUED, MS_DELIVERY_SENDING, MS_DELIVERY_SENT, MS_DELIVERY_FAILED,
  MS_DELIVERY_UNCERTAIN, MS_DELIVERY_SUPPRESSED, MS_DELIVERY_BOUNCED, MS_DELIVERY_CANCELLED,
};

struct _MsCampaignView
{
  GtkBox          parent_instance;

  GtkLabel       *title_label;
  GtkLabel       *state_label;
  GtkProgressBar *progress;
  GtkLabel       *progress_label;
  GtkLabel       *count_labels[G_N_ELEMENTS (shown_states)];
  GtkLabel       *eta_label;
  GtkLabel       *rate_label;
  MsRateChart    *chart;
  GtkFlowBox     *cards_box;
  GPtrArray      *cards;          /* MsServerCard, rotation order */
  GtkListBox     *failures_list;
  GtkWidget      *failures_group;
  MsOutcomeList  *outcome_list;
  GtkWidget      *pause_button;
  GtkWidget      *resume_button;
  GtkWidget      *cancel_button;
  GtkWidget      *retry_button;
  GtkWidget      *retry_uncertain_button;

  char           *db_path;
  MsCampaign     *campaign;
  GCancellable   *cancellable;
  gint64          shown_failed;   /* failures when the list was last read; -1 never */
  guint           n_failures;
};

G_DEFINE_TYPE (MsCampaignView, ms_campaign_view, GTK_TYPE_BOX)

static const char *
count_title (MsDeliveryState state)
{
  switch (state)
    {
    case MS_DELIVERY_QUEUED: return _("Queued");
    case MS_DELIVERY_SENDING: return _("Sending");
    case MS_DELIVERY_SENT: return _("Sent");
    case MS_DELIVERY_FAILED: return _("Failed");
    case MS_DELIVERY_UNCERTAIN: return _("Uncertain");
    case MS_DELIVERY_SUPPRESSED: return _("Suppressed");
    case MS_DELIVERY_BOUNCED: return _("Bounced");
    case MS_DELIVERY_CANCELLED: return _("Cancelled");
    case MS_DELIVERY_DATA_SENT:
    default: return "";
    }
}

/* Failures */

typedef struct
{
  gint64 campaign_id;
} FailuresJob;

static gpointer
list_failures_job (MsStore       *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  FailuresJob *job = data;
  g_autoptr(GPtrArray) failed = ms_store_list_deliveries (store, job->campaign_id, MS_DELIVERY_FAILED,
                                                          0, MAX_FAILURES, error);
  g_autoptr(GPtrArray) uncertain = NULL;

  if (failed == NULL)
    return NULL;
  uncertain = ms_store_list_deliveries (store, job->campaign_id, MS_DELIVERY_UNCERTAIN, 0, MAX_FAILURES, error);
  if (uncertain == NULL)
    return NULL;
  g_ptr_array_set_free_func (uncertain, NULL);
  for (guint i = 0; i < uncertain->len; i++)
    g_ptr_array_add (failed, g_ptr_array_index (uncertain, i));
  return g_steal_pointer (&failed);
}

static GtkWidget *
create_failure_row (MsDelivery *delivery)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *words = NULL;
  g_autofree char *title = g_markup_escape_text (delivery->email != NULL ? delivery->email : "", -1);
  g_autofree char *subtitle = NULL;
  GtkWidget *badge;

  if (delivery->state == MS_DELIVERY_UNCERTAIN)
    words = g_strdup (_("The connection ended before the server confirmed it: it may have arrived"));
  else if (delivery->reply_code != 0)
    words = g_strdup_printf ("%u %s%s%s", delivery->reply_code,
                             delivery->reply_enhanced != NULL ? delivery->reply_enhanced : "",
                             delivery->reply_enhanced != NULL ? " " : "",
                             delivery->reply_text != NULL ? delivery->reply_text : "");
  else
    words = g_strdup (delivery->reply_text != NULL ? delivery->reply_text : _("No reply"));
  if (delivery->server_name != NULL)
    subtitle = g_markup_printf_escaped ("%s: %s", delivery->server_name, words);
  else
    subtitle = g_markup_escape_text (words, -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  badge = gtk_label_new (delivery->state == MS_DELIVERY_UNCERTAIN ? _("Uncertain") : _("Failed"));
  gtk_widget_add_css_class (badge, delivery->state == MS_DELIVERY_UNCERTAIN ? "warning" : "error");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);
  return row;
}

static void
on_failures_listed_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GPtrArray) deliveries = NULL;
  g_autoptr(GError) error = NULL;
  MsCampaignView *self;
  GtkWidget *child;

  deliveries = ms_store_job_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = MS_CAMPAIGN_VIEW (source);
  if (deliveries == NULL)
    {
      g_warning ("Could not read the failures: %s", error->message);
      return;
    }
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->failures_list))) != NULL)
    gtk_list_box_remove (self->failures_list, child);
  for (guint i = 0; i < deliveries->len; i++)
    gtk_list_box_append (self->failures_list, create_failure_row (g_ptr_array_index (deliveries, i)));
  self->n_failures = deliveries->len;
  gtk_widget_set_visible (self->failures_group, deliveries->len > 0);
}

static void
reload_failures (MsCampaignView *self)
{
  FailuresJob *job;

  if (self->db_path == NULL || self->campaign == NULL || ms_campaign_get_id (self->campaign) == 0)
    return;
  job = g_new0 (FailuresJob, 1);
  job->campaign_id = ms_campaign_get_id (self->campaign);
  ms_store_job_run (self, self->db_path, list_failures_job, job, g_free,
                    (GDestroyNotify) g_ptr_array_unref, self->cancellable, on_failures_listed_cb, NULL);
}

/* Progress */

static void
update_cards (MsCampaignView *self)
{
  GPtrArray *servers = ms_campaign_get_servers (self->campaign);
  guint n = servers != NULL ? servers->len : 0;
  gint64 now_ms = g_get_real_time () / 1000;

  while (self->cards->len > n)
    {
      GtkWidget *card = g_ptr_array_index (self->cards, self->cards->len - 1);

      gtk_flow_box_remove (self->cards_box, card);
      g_ptr_array_set_size (self->cards, self->cards->len - 1);
    }
  while (self->cards->len < n)
    {
      GtkWidget *card = ms_server_card_new ();

      gtk_flow_box_append (self->cards_box, card);
      g_ptr_array_add (self->cards, card);
    }
  for (guint i = 0; i < n; i++)
    ms_server_card_update (g_ptr_array_index (self->cards, i), g_ptr_array_index (servers, i), now_ms);
}

static void
update_progress (MsCampaignView *self)
{
  MsCampaign *c = self->campaign;
  MsCampaignState state = ms_campaign_get_state (c);
  g_autofree char *state_text = NULL;
  g_autofree char *progress_text = NULL;
  g_autofree char *done = NULL;
  g_autofree char *total = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *rate = NULL;
  gint64 final;

  gtk_label_set_label (self->title_label, ms_campaign_get_name (c));
  if (state == MS_CAMPAIGN_STATE_WAITING && ms_campaign_get_reason (c) != NULL)
    state_text = g_strdup (ms_campaign_get_reason (c));   /* "Waiting for quota on “A” until 14:05" */
  else if (state == MS_CAMPAIGN_STATE_WAITING && ms_campaign_get_wait_until (c) > 0)
    {
      g_autofree char *until = ms_format_clock (ms_campaign_get_wait_until (c));

      state_text = g_strdup_printf (_("Waiting until %s"), until);
    }
  else if (ms_campaign_get_reason (c) != NULL && state != MS_CAMPAIGN_STATE_FINISHED)
    state_text = g_strdup_printf ("%s: %s", ms_campaign_state_to_label (state), ms_campaign_get_reason (c));
  else
    state_text = g_strdup (ms_campaign_state_to_label (state));
  gtk_label_set_label (self->state_label, state_text);

  final = ms_campaign_get_total (c) - ms_campaign_get_count (c, MS_DELIVERY_QUEUED)
          - ms_campaign_get_count (c, MS_DELIVERY_SENDING) - ms_campaign_get_count (c, MS_DELIVERY_DATA_SENT);
  done = ms_format_count (MAX (final, 0));
  total = ms_format_count (ms_campaign_get_total (c));
  progress_text = g_strdup_printf (_("%s of %s done"), done, total);
  gtk_progress_bar_set_fraction (self->progress, ms_campaign_get_fraction (c));
  gtk_label_set_label (self->progress_label, progress_text);

  for (guint i = 0; i < G_N_ELEMENTS (shown_states); i++)
    {
      gint64 count = ms_campaign_get_count (c, shown_states[i]);
      g_autofree char *text = NULL;

      if (shown_states[i] == MS_DELIVERY_SENDING)
        count += ms_campaign_get_count (c, MS_DELIVERY_DATA_SENT);
      text = ms_format_count (count);
      gtk_label_set_label (self->count_labels[i], text);
    }

  if (state == MS_CAMPAIGN_STATE_FINISHED)
    {
      g_autofree char *when = ms_campaign_get_finished_at (c) > 0
                              ? ms_format_clock (ms_campaign_get_finished_at (c)) : NULL;

      eta = when != NULL ? g_strdup_printf (_("Finished at %s"), when) : g_strdup (_("Finished"));
    }
  else if (ms_campaign_get_eta (c) > 0)
    {
      g_autofree char *when = ms_format_clock (ms_campaign_get_eta (c));

      eta = g_strdup_printf (_("Expected to finish at %s"), when);
    }
  else
    eta = g_strdup (_("End not known yet"));
  gtk_label_set_label (self->eta_label, eta);

  rate = g_strdup_printf (_("%.1f messages a minute"), ms_campaign_get_send_rate (c));
  gtk_label_set_label (self->rate_label, rate);
  ms_rate_chart_set_values (self->chart, ms_campaign_get_rate_history (c));

  gtk_widget_set_visible (self->pause_button, state == MS_CAMPAIGN_STATE_RUNNING
                                              || state == MS_CAMPAIGN_STATE_WAITING
                                              || state == MS_CAMPAIGN_STATE_SCHEDULED);
  gtk_widget_set_visible (self->resume_button, state == MS_CAMPAIGN_STATE_PAUSED
                                               || state == MS_CAMPAIGN_STATE_DRAFT);
  gtk_button_set_label (GTK_BUTTON (self->resume_button),
                        state == MS_CAMPAIGN_STATE_DRAFT ? _("_Start") : _("_Resume"));
  gtk_widget_set_visible (self->cancel_button, state != MS_CAMPAIGN_STATE_FINISHED
                                               && state != MS_CAMPAIGN_STATE_CANCELLED);
  gtk_widget_set_visible (self->retry_button, ms_campaign_get_count (c, MS_DELIVERY_FAILED) > 0);
  gtk_widget_set_visible (self->retry_uncertain_button, ms_campaign_get_count (c, MS_DELIVERY_UNCERTAIN) > 0);

  update_cards (self);
  /* Progress while sending, or counts read again after a bounce check. */
  ms_outcome_list_queue_reload (self->outcome_list);

  if (ms_campaign_get_count (c, MS_DELIVERY_FAILED) + ms_campaign_get_count (c, MS_DELIVERY_UNCERTAIN)
      != self->shown_failed)
    {
      self->shown_failed = ms_campaign_get_count (c, MS_DELIVERY_FAILED)
                           + ms_campaign_get_count (c, MS_DELIVERY_UNCERTAIN);
      reload_failures (self);
    }
}

static void
on_campaign_notify_cb (MsCampaignView *self)
{
  update_progress (self);
}

void
ms_campaign_view_set_campaign (MsCampaignView *self,
                               MsCampaign     *campaign)
{
  g_return_if_fail (MS_IS_CAMPAIGN_VIEW (self));

  if (self->campaign == campaign)
    return;
  if (self->campaign != NULL)
    g_signal_handlers_disconnect_by_func (self->campaign, on_campaign_notify_cb, self);
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->campaign, campaign);
  self->shown_failed = -1;
  ms_outcome_list_set_campaign_id (self->outcome_list, campaign != NULL ? ms_campaign_get_id (campaign) : 0);
  if (campaign == NULL)
    return;
  g_signal_connect_object (campaign, "notify", G_CALLBACK (on_campaign_notify_cb), self, G_CONNECT_SWAPPED);
  update_progress (self);
}

MsCampaign *
ms_campaign_view_get_campaign (MsCampaignView *self)
{
  return self->campaign;
}

void
ms_campaign_view_set_db_path (MsCampaignView *self,
                              const char     *db_path)
{
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  ms_outcome_list_set_db_path (self->outcome_list, db_path);
}

void
ms_campaign_view_reload_outcomes (MsCampaignView *self)
{
  g_return_if_fail (MS_IS_CAMPAIGN_VIEW (self));

  ms_outcome_list_queue_reload (self->outcome_list);
}

MsOutcomeList *
ms_campaign_view_get_outcome_list (MsCampaignView *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN_VIEW (self), NULL);

  return self->outcome_list;
}

guint
ms_campaign_view_get_n_cards (MsCampaignView *self)
{
  return self->cards->len;
}

MsServerCard *
ms_campaign_view_get_card (MsCampaignView *self,
                           guint           index)
{
  g_return_val_if_fail (index < self->cards->len, NULL);
  return g_ptr_array_index (self->cards, index);
}

guint
ms_campaign_view_get_n_failures (MsCampaignView *self)
{
  return self->n_failures;
}

/* Construction */

static GtkWidget *
section_title (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_add_css_class (label, "heading");
  gtk_widget_set_margin_top (label, 12);
  return label;
}

static GtkWidget *
action_button (const char *label,
               const char *action,
               const char *css)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (css != NULL)
    gtk_widget_add_css_class (button, css);
  gtk_widget_add_css_class (button, "pill");
  return button;
}

static void
ms_campaign_view_dispose (GObject *object)
{
  MsCampaignView *self = MS_CAMPAIGN_VIEW (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  if (self->campaign != NULL)
    g_signal_handlers_disconnect_by_func (self->campaign, on_campaign_notify_cb, self);
  g_clear_object (&self->campaign);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ms_campaign_view_parent_class)->dispose (object);
}

static void
ms_campaign_view_finalize (GObject *object)
{
  MsCampaignView *self = MS_CAMPAIGN_VIEW (object);

  g_clear_pointer (&self->cards, g_ptr_array_unref);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_campaign_view_parent_class)->finalize (object);
}

static void
ms_campaign_view_class_init (MsCampaignViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_campaign_view_dispose;
  object_class->finalize = ms_campaign_view_finalize;
}

static void
ms_campaign_view_init (MsCampaignView *self)
{
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *clamp = adw_clamp_new ();
  GtkWidget *content = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *progress_row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *counts = gtk_flow_box_new ();
  GtkWidget *rate_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 18);
  GtkWidget *rate_text = gtk_box_new (GTK_ORIENTATION_VERTICAL, 4);
  GtkWidget *buttons = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *group;
  GtkWidget *chart_box;
  GtkWidget *chart_caption;

  self->cards = g_ptr_array_new ();
  self->cancellable = g_cancellable_new ();
  self->shown_failed = -1;
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_widget_set_vexpand (scrolled, TRUE);
  adw_clamp_set_maximum_size (ADW_CLAMP (clamp), 900);
  gtk_widget_set_margin_top (content, 18);
  gtk_widget_set_margin_bottom (content, 24);
  gtk_widget_set_margin_start (content, 12);
  gtk_widget_set_margin_end (content, 12);

  self->title_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->title_label, 0);
  gtk_label_set_wrap (self->title_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->title_label), "title-1");
  self->state_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->state_label, 0);
  gtk_label_set_wrap (self->state_label, TRUE);
  gtk_widget_set_name (GTK_WIDGET (self->state_label), "campaign-state");
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->title_label));
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->state_label));

  self->progress = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->progress), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (self->progress), GTK_ALIGN_CENTER);
  self->progress_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_widget_add_css_class (GTK_WIDGET (self->progress_label), "numeric");
  gtk_box_append (GTK_BOX (progress_row), GTK_WIDGET (self->progress));
  gtk_box_append (GTK_BOX (progress_row), GTK_WIDGET (self->progress_label));
  gtk_box_append (GTK_BOX (content), progress_row);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (counts), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (counts), 4);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (counts), 8);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (counts), TRUE);
  gtk_widget_add_css_class (counts, "ms-campaign-counts");
  for (guint i = 0; i < G_N_ELEMENTS (shown_states); i++)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *title = gtk_label_new (count_title (shown_states[i]));

      self->count_labels[i] = GTK_LABEL (gtk_label_new ("0"));
      gtk_widget_add_css_class (GTK_WIDGET (self->count_labels[i]), "ms-count-value");
      gtk_widget_add_css_class (GTK_WIDGET (self->count_labels[i]), "numeric");
      gtk_widget_add_css_class (title, "caption");
      gtk_widget_add_css_class (title, "dim-label");
      gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->count_labels[i]));
      gtk_box_append (GTK_BOX (box), title);
      gtk_flow_box_append (GTK_FLOW_BOX (counts), box);
    }
  gtk_box_append (GTK_BOX (content), counts);

  self->eta_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->eta_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->eta_label), "heading");
  self->rate_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->rate_label, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->rate_label), "dim-label");
  gtk_box_append (GTK_BOX (rate_text), GTK_WIDGET (self->eta_label));
  gtk_box_append (GTK_BOX (rate_text), GTK_WIDGET (self->rate_label));
  gtk_widget_set_valign (rate_text, GTK_ALIGN_CENTER);
  self->chart = MS_RATE_CHART (ms_rate_chart_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (self->chart), TRUE);
  chart_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  chart_caption = gtk_label_new (_("Messages a minute, last hour"));
  gtk_label_set_xalign (GTK_LABEL (chart_caption), 1);
  gtk_widget_add_css_class (chart_caption, "caption");
  gtk_widget_add_css_class (chart_caption, "dim-label");
  gtk_widget_set_hexpand (chart_box, TRUE);
  gtk_box_append (GTK_BOX (chart_box), GTK_WIDGET (self->chart));
  gtk_box_append (GTK_BOX (chart_box), chart_caption);
  gtk_box_append (GTK_BOX (rate_box), rate_text);
  gtk_box_append (GTK_BOX (rate_box), chart_box);
  gtk_box_append (GTK_BOX (content), rate_box);

  self->pause_button = action_button (_("_Pause"), "campaigns.pause", NULL);
  self->resume_button = action_button (_("_Resume"), "campaigns.resume", "suggested-action");
  self->retry_button = action_button (_("Re_try Failed"), "campaigns.retry", NULL);
  self->retry_uncertain_button = action_button (_("Resend _Uncertain"), "campaigns.retry-uncertain", NULL);
  gtk_widget_set_tooltip_text (self->retry_uncertain_button,
                               _("These messages may have arrived: resending them may deliver them twice"));
  self->cancel_button = action_button (_("_Cancel Campaign"), "campaigns.cancel", "destructive-action");
  gtk_widget_set_name (self->pause_button, "pause-button");
  gtk_widget_set_name (self->resume_button, "resume-button");
  gtk_widget_set_name (self->retry_button, "retry-button");
  gtk_widget_set_name (self->cancel_button, "cancel-button");
  gtk_box_append (GTK_BOX (buttons), self->pause_button);
  gtk_box_append (GTK_BOX (buttons), self->resume_button);
  gtk_box_append (GTK_BOX (buttons), self->retry_button);
  gtk_box_append (GTK_BOX (buttons), self->retry_uncertain_button);
  gtk_box_append (GTK_BOX (buttons), self->cancel_button);
  gtk_widget_set_halign (buttons, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (content), buttons);

  gtk_box_append (GTK_BOX (content), section_title (_("Servers")));
  self->cards_box = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->cards_box, GTK_SELECTION_NONE);
  gtk_flow_box_set_homogeneous (self->cards_box, TRUE);
  gtk_flow_box_set_max_children_per_line (self->cards_box, 3);
  gtk_flow_box_set_column_spacing (self->cards_box, 12);
  gtk_flow_box_set_row_spacing (self->cards_box, 12);
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->cards_box));

  group = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  gtk_box_append (GTK_BOX (group), section_title (_("Failures")));
  self->failures_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->failures_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->failures_list), "boxed-list");
  gtk_box_append (GTK_BOX (group), GTK_WIDGET (self->failures_list));
  gtk_widget_set_visible (group, FALSE);
  self->failures_group = group;
  gtk_box_append (GTK_BOX (content), group);

  self->outcome_list = MS_OUTCOME_LIST (ms_outcome_list_new ());
  gtk_box_append (GTK_BOX (content), GTK_WIDGET (self->outcome_list));

  adw_clamp_set_child (ADW_CLAMP (clamp), content);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), clamp);
  gtk_box_append (GTK_BOX (self), scrolled);
}

GtkWidget *
ms_campaign_view_new (void)
{
  return g_object_new (MS_TYPE_CAMPAIGN_VIEW, NULL);
}

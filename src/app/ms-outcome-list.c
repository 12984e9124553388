/* ms-outcome-list.c
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

#define G_LOG_DOMAIN "ms-outcome-list"

#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-bounce.h"
#include "ms-format.h"
#include "ms-outcome-list.h"
#include "ms-store-job.h"

#define PAGE_SIZE        50
#define RELOAD_DELAY_MS  1500
#define MAX_TOOLTIP_REPLY 600

struct _MsOutcomeList
{
  GtkBox           parent_instance;

  GtkLabel        *bounced_label;
  GtkLabel        *complained_label;
  GtkLabel        *unsubscribed_label;
  GtkLabel        *detail_label;
  GtkListBox      *list_box;
  GtkWidget       *more_button;

  char            *db_path;
  gint64           campaign_id;
  GListStore      *outcomes;         /* MsOutcome, newest first */
  MsOutcomeCounts  counts;           /* as last read */
  gboolean         loaded;           /* counts were read for this campaign */
  GCancellable    *cancellable;
  guint            serial;           /* of the campaign: a late answer for another is dropped */
  guint            reload_id;
  gboolean         running;
  gboolean         dirty;            /* a reload was asked for while one ran */
};

G_DEFINE_FINAL_TYPE (MsOutcomeList, ms_outcome_list, GTK_TYPE_BOX)

static void start_read (MsOutcomeList *self,
                        gboolean       more);

/* Words */

const char *
ms_outcome_kind_to_label (MsOutcome *outcome)
{
  switch (ms_outcome_get_kind (outcome))
    {
    case MS_OUTCOME_COMPLAINED:
      return _("Complaint");
    case MS_OUTCOME_UNSUBSCRIBED:
      return _("Unsubscribed");
    case MS_OUTCOME_BOUNCED:
    default:
      return ms_outcome_get_hard (outcome) ? _("Hard Bounce") : _("Soft Bounce");
    }
}

static const char *
kind_css_class (MsOutcome *outcome)
{
  switch (ms_outcome_get_kind (outcome))
    {
    case MS_OUTCOME_COMPLAINED:
      return "ms-state-stopped";
    case MS_OUTCOME_UNSUBSCRIBED:
      return "ms-state-disabled";
    case MS_OUTCOME_BOUNCED:
    default:
      return ms_outcome_get_hard (outcome) ? "ms-state-stopped" : "ms-state-cooling";
    }
}

/* "The address does not exist" */
static const char *
describe_reason (MsOutcome *outcome)
{
  switch (ms_outcome_get_kind (outcome))
    {
    case MS_OUTCOME_COMPLAINED:
      return ms_bounce_reason_describe ("feedback");
    case MS_OUTCOME_UNSUBSCRIBED:
      return _("Asked to unsubscribe by email");
    case MS_OUTCOME_BOUNCED:
    default:
      return ms_bounce_reason_describe (ms_outcome_get_reason (outcome) != NULL
                                        ? ms_outcome_get_reason (outcome) : "undefined");
    }
}

/* Runs of white space (a reply folded over lines) become one space. */
static char *
squeeze_spaces (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  GString *out = g_string_sized_new (strlen (valid));
  gboolean space = FALSE;

  for (const char *p = valid; *p != '\0'; p++)
    {
      if (g_ascii_isspace (*p))
        {
          space = out->len > 0;
          continue;
        }
      if (space)
        g_string_append_c (out, ' ');
      space = FALSE;
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The server's codes and words: "550 5.1.1 <a@b>: User unknown", without the
 * codes twice when its words start with them. */
static char *
describe_reply (MsOutcome *outcome)
{
  g_autoptr(GString) codes = g_string_new (NULL);
  g_autofree char *words = NULL;

  if (ms_outcome_get_kind (outcome) == MS_OUTCOME_UNSUBSCRIBED)
    return NULL;
  if (ms_outcome_get_kind (outcome) == MS_OUTCOME_COMPLAINED)
    {
      if (ms_outcome_get_diagnostic (outcome) == NULL)
        return NULL;
      /* TRANSLATORS: the kind of a complaint report, such as "abuse" */
      return g_strdup_printf (_("Report type: %s"), ms_outcome_get_diagnostic (outcome));
    }
  if (ms_outcome_get_reply_code (outcome) > 0)
    g_string_append_printf (codes, "%u", ms_outcome_get_reply_code (outcome));
  if (ms_outcome_get_status (outcome) != NULL)
    g_string_append_printf (codes, "%s%s", codes->len > 0 ? " " : "", ms_outcome_get_status (outcome));
  if (ms_outcome_get_diagnostic (outcome) != NULL)
    words = squeeze_spaces (ms_outcome_get_diagnostic (outcome));
  if (words == NULL || words[0] == '\0')
    return codes->len > 0 ? g_strdup (codes->str) : NULL;
  if (codes->len == 0 || g_str_has_prefix (words, codes->str))
    return g_steal_pointer (&words);
  /* TRANSLATORS: reply codes, then the remote server's words: "550 5.1.1: User unknown" */
  return g_strdup_printf (_("%s: %s"), codes->str, words);
}

/* "14:05" today, else "26 Nov, 14:05" */
static char *
format_when (gint64 unix_time)
{
  g_autoptr(GDateTime) when = g_date_time_new_from_unix_local (unix_time);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (when == NULL)
    return g_strdup ("");
  if (g_date_time_get_year (when) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (when) == g_date_time_get_day_of_year (now))
    return g_date_time_format (when, "%H:%M");
  /* TRANSLATORS: a time of day today, or a day and time, in strftime format */
  return g_date_time_format (when, _("%d %b, %H:%M"));
}

static GtkWidget *
create_outcome_row (gpointer item,
                    gpointer user_data)
{
  MsOutcome *outcome = item;
  GtkWidget *row = adw_action_row_new ();
  const char *reason = describe_reason (outcome);
  g_autofree char *reply = describe_reply (outcome);
  g_autofree char *when = format_when (ms_outcome_get_received_at (outcome));
  g_autofree char *title = g_markup_escape_text (ms_outcome_get_email (outcome) != NULL
                                                 ? ms_outcome_get_email (outcome) : "", -1);
  g_autofree char *subtitle = NULL;
  g_autoptr(GString) tooltip = g_string_new (reason);
  GtkWidget *time_label;
  GtkWidget *badge;

  if (reply != NULL)
    subtitle = g_markup_printf_escaped ("%s\n%s", reason, reply);
  else
    subtitle = g_markup_escape_text (reason, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 2);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);

  /* The whole reply, however long, and what it did to the contact. */
  if (reply != NULL && g_utf8_strlen (reply, -1) > MAX_TOOLTIP_REPLY)
    {
      g_autofree char *start = g_utf8_substring (reply, 0, MAX_TOOLTIP_REPLY);

      g_string_append_printf (tooltip, "\n%s…", start);
    }
  else if (reply != NULL)
    g_string_append_printf (tooltip, "\n%s", reply);
  if (ms_outcome_get_contact_status (outcome) == NULL)
    g_string_append_printf (tooltip, "\n%s", _("The contact was deleted."));
  else if (g_strcmp0 (ms_outcome_get_contact_status (outcome), "active") != 0)
    g_string_append_printf (tooltip, "\n%s", _("The contact gets no more campaigns."));
  else if (ms_outcome_get_kind (outcome) == MS_OUTCOME_BOUNCED)
    g_string_append_printf (tooltip, "\n%s", _("The contact still gets campaigns: only soft bounces several times in a row stop them."));
  gtk_widget_set_tooltip_text (row, tooltip->str);

  time_label = gtk_label_new (when);
  gtk_widget_set_name (time_label, "outcome-time");
  gtk_widget_add_css_class (time_label, "caption");
  gtk_widget_add_css_class (time_label, "dim-label");
  gtk_widget_add_css_class (time_label, "numeric");
  gtk_widget_set_valign (time_label, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), time_label);

  badge = gtk_label_new (ms_outcome_kind_to_label (outcome));
  gtk_widget_set_name (badge, "outcome-kind");
  gtk_widget_set_valign (badge, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (badge, "ms-state-pill");
  gtk_widget_add_css_class (badge, "caption");
  gtk_widget_add_css_class (badge, kind_css_class (outcome));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), badge);

  gtk_widget_set_name (row, "outcome-row");
  return row;
}

static void
update_counts (MsOutcomeList *self)
{
  g_autofree char *bounced = ms_format_count (self->counts.bounced);
  g_autofree char *complained = ms_format_count (self->counts.complained);
  g_autofree char *unsubscribed = ms_format_count (self->counts.unsubscribed);
  g_autofree char *hard = ms_format_count (self->counts.hard);
  g_autofree char *soft = ms_format_count (self->counts.bounced - self->counts.hard);
  g_autofree char *detail = NULL;
  guint n_items = g_list_model_get_n_items (G_LIST_MODEL (self->outcomes));

  gtk_label_set_label (self->bounced_label, bounced);
  gtk_label_set_label (self->complained_label, complained);
  gtk_label_set_label (self->unsubscribed_label, unsubscribed);
  if (self->counts.bounced > 0)
    /* TRANSLATORS: counts of bounced recipients, e.g. "2 hard, 1 soft bounces" */
    detail = g_strdup_printf (_("Bounces: %s hard (no more mail to them), %s soft"), hard, soft);
  gtk_label_set_label (self->detail_label, detail);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), detail != NULL);
  gtk_widget_set_visible (self->more_button, n_items < self->counts.total);
  gtk_widget_set_sensitive (self->more_button, !self->running);
}

/* Reading */

typedef struct
{
  gint64          campaign_id;
  gint64          before;      /* > 0: the page after this id */
  guint           limit;
  gboolean        force;
  MsOutcomeCounts known;
} ReadJob;

typedef struct
{
  MsOutcomeCounts  counts;
  GPtrArray       *outcomes;   /* NULL: nothing changed */
} ReadResult;

static void
read_result_free (gpointer data)
{
  ReadResult *result = data;

  g_clear_pointer (&result->outcomes, g_ptr_array_unref);
  g_free (result);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ReadResult, read_result_free)

static gpointer
read_outcomes_job (MsStore       *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  ReadJob *job = data;
  g_autoptr(ReadResult) result = g_new0 (ReadResult, 1);

  if (!ms_store_count_campaign_outcomes (store, job->campaign_id, &result->counts, error))
    return NULL;
  if (!job->force && job->before == 0 && memcmp (&result->counts, &job->known, sizeof job->known) == 0)
    return g_steal_pointer (&result);
  /* On top of what was shown, what is new. */
  if (!job->force && job->before == 0 && result->counts.total > job->known.total)
    job->limit += (guint) MIN (result->counts.total - job->known.total, G_MAXUINT - job->limit);
  result->outcomes = ms_store_list_campaign_outcomes (store, job->campaign_id, job->before, job->limit, error);
  if (result->outcomes == NULL)
    return NULL;
  return g_steal_pointer (&result);
}

static void
on_outcomes_read_cb (GObject      *source,
                     GAsyncResult *res,
                     gpointer      user_data)
{
  MsOutcomeList *self = MS_OUTCOME_LIST (source);
  g_autoptr(ReadResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint serial = GPOINTER_TO_UINT (user_data) >> 1;
  gboolean more = (GPOINTER_TO_UINT (user_data) & 1) != 0;
  gboolean moved;

  result = ms_store_job_finish (res, &error);
  if (self->outcomes == NULL || serial != (self->serial & (G_MAXUINT >> 1)))
    return;   /* disposed, or for a campaign no longer shown */
  self->running = FALSE;
  if (result == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_warning ("Could not read what came back from the campaign: %s", error->message);
      update_counts (self);
      return;
    }

  moved = self->loaded && result->counts.last_id != self->counts.last_id;
  self->counts = result->counts;
  self->loaded = TRUE;
  if (result->outcomes != NULL)
    {
      guint n = g_list_model_get_n_items (G_LIST_MODEL (self->outcomes));

      if (more)
        g_list_store_splice (self->outcomes, n, 0, result->outcomes->pdata, result->outcomes->len);
      else
        g_list_store_splice (self->outcomes, 0, n, result->outcomes->pdata, result->outcomes->len);
    }
  update_counts (self);
  /* New records arrived while a further page was read: the top needs them too. */
  if ((more && moved) || self->dirty)
    {
      self->dirty = FALSE;
      ms_outcome_list_queue_reload (self);
    }
}

static void
start_read (MsOutcomeList *self,
            gboolean       more)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->outcomes));
  ReadJob *job;

  if (self->db_path == NULL || self->campaign_id <= 0)
    return;
  g_assert (!self->running);
  job = g_new0 (ReadJob, 1);
  job->campaign_id = self->campaign_id;
  job->known = self->counts;
  job->force = !self->loaded;
  if (more && n > 0)
    {
      g_autoptr(MsOutcome) last = g_list_model_get_item (G_LIST_MODEL (self->outcomes), n - 1);

      job->before = ms_outcome_get_id (last);
      job->limit = PAGE_SIZE;
    }
  else
    job->limit = MAX (PAGE_SIZE, n);   /* what is shown stays shown */
  self->running = TRUE;
  gtk_widget_set_sensitive (self->more_button, FALSE);
  ms_store_job_run (self, self->db_path, read_outcomes_job, job, g_free, read_result_free,
                    self->cancellable, on_outcomes_read_cb,
                    GUINT_TO_POINTER ((self->serial & (G_MAXUINT >> 1)) << 1 | (more ? 1 : 0)));
}

static gboolean
on_reload_timeout_cb (gpointer data)
{
  MsOutcomeList *self = data;

  self->reload_id = 0;
  if (self->running)
    self->dirty = TRUE;
  else
    start_read (self, FALSE);
  return G_SOURCE_REMOVE;
}

void
ms_outcome_list_queue_reload (MsOutcomeList *self)
{
  g_return_if_fail (MS_IS_OUTCOME_LIST (self));

  if (self->db_path == NULL || self->campaign_id <= 0)
    return;
  if (self->running)
    self->dirty = TRUE;
  else if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, on_reload_timeout_cb, self);
}

void
ms_outcome_list_show_more (MsOutcomeList *self)
{
  g_return_if_fail (MS_IS_OUTCOME_LIST (self));

  if (self->running || g_list_model_get_n_items (G_LIST_MODEL (self->outcomes)) >= self->counts.total)
    return;
  start_read (self, TRUE);
}

static void
on_more_clicked_cb (MsOutcomeList *self)
{
  ms_outcome_list_show_more (self);
}

/* Construction */

static GtkWidget *
count_box (const char  *title,
           GtkLabel   **value)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (title);

  *value = GTK_LABEL (gtk_label_new ("0"));
  gtk_widget_add_css_class (GTK_WIDGET (*value), "ms-count-value");
  gtk_widget_add_css_class (GTK_WIDGET (*value), "numeric");
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (*value));
  gtk_box_append (GTK_BOX (box), caption);
  return box;
}

static void
ms_outcome_list_dispose (GObject *object)
{
  MsOutcomeList *self = MS_OUTCOME_LIST (object);

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->reload_id, g_source_remove);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->outcomes);
  self->serial++;

  G_OBJECT_CLASS (ms_outcome_list_parent_class)->dispose (object);
}

static void
ms_outcome_list_finalize (GObject *object)
{
  MsOutcomeList *self = MS_OUTCOME_LIST (object);

  g_free (self->db_path);

  G_OBJECT_CLASS (ms_outcome_list_parent_class)->finalize (object);
}

static void
ms_outcome_list_class_init (MsOutcomeListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_outcome_list_dispose;
  object_class->finalize = ms_outcome_list_finalize;
}

static void
ms_outcome_list_init (MsOutcomeList *self)
{
  GtkWidget *title = gtk_label_new (_("Bounces, Complaints and Unsubscribes"));
  GtkWidget *counts = gtk_flow_box_new ();
  GtkWidget *placeholder;

  self->outcomes = g_list_store_new (MS_TYPE_OUTCOME);
  self->cancellable = g_cancellable_new ();
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self), GTK_ORIENTATION_VERTICAL);
  gtk_box_set_spacing (GTK_BOX (self), 6);

  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_add_css_class (title, "heading");
  gtk_widget_set_margin_top (title, 12);
  gtk_box_append (GTK_BOX (self), title);

  gtk_flow_box_set_selection_mode (GTK_FLOW_BOX (counts), GTK_SELECTION_NONE);
  gtk_flow_box_set_min_children_per_line (GTK_FLOW_BOX (counts), 3);
  gtk_flow_box_set_max_children_per_line (GTK_FLOW_BOX (counts), 3);
  gtk_flow_box_set_homogeneous (GTK_FLOW_BOX (counts), TRUE);
  gtk_widget_add_css_class (counts, "ms-campaign-counts");
  gtk_flow_box_append (GTK_FLOW_BOX (counts), count_box (_("Bounced"), &self->bounced_label));
  gtk_flow_box_append (GTK_FLOW_BOX (counts), count_box (_("Complained"), &self->complained_label));
  gtk_flow_box_append (GTK_FLOW_BOX (counts), count_box (_("Unsubscribed"), &self->unsubscribed_label));
  gtk_widget_set_name (GTK_WIDGET (self->bounced_label), "outcomes-bounced");
  gtk_widget_set_name (GTK_WIDGET (self->complained_label), "outcomes-complained");
  gtk_widget_set_name (GTK_WIDGET (self->unsubscribed_label), "outcomes-unsubscribed");
  gtk_box_append (GTK_BOX (self), counts);

  self->detail_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->detail_label, 0);
  gtk_label_set_wrap (self->detail_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->detail_label), "dim-label");
  gtk_widget_set_name (GTK_WIDGET (self->detail_label), "outcomes-detail");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_label), FALSE);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->detail_label));

  self->list_box = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list_box, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list_box), "boxed-list");
  gtk_widget_set_name (GTK_WIDGET (self->list_box), "outcomes-list");
  placeholder = gtk_label_new (_("Nothing came back yet: no bounces, complaints or unsubscribe requests."));
  gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
  gtk_widget_add_css_class (placeholder, "dim-label");
  gtk_widget_set_margin_top (placeholder, 18);
  gtk_widget_set_margin_bottom (placeholder, 18);
  gtk_widget_set_margin_start (placeholder, 12);
  gtk_widget_set_margin_end (placeholder, 12);
  gtk_list_box_set_placeholder (self->list_box, placeholder);
  gtk_list_box_bind_model (self->list_box, G_LIST_MODEL (self->outcomes), create_outcome_row, NULL, NULL);
  gtk_box_append (GTK_BOX (self), GTK_WIDGET (self->list_box));

  self->more_button = gtk_button_new_with_mnemonic (_("Show _More"));
  gtk_widget_set_name (self->more_button, "outcomes-more-button");
  gtk_widget_set_halign (self->more_button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (self->more_button, "pill");
  gtk_widget_set_visible (self->more_button, FALSE);
  g_signal_connect_swapped (self->more_button, "clicked", G_CALLBACK (on_more_clicked_cb), self);
  gtk_box_append (GTK_BOX (self), self->more_button);
}

GtkWidget *
ms_outcome_list_new (void)
{
  return g_object_new (MS_TYPE_OUTCOME_LIST, NULL);
}

void
ms_outcome_list_set_db_path (MsOutcomeList *self,
                             const char    *db_path)
{
  g_return_if_fail (MS_IS_OUTCOME_LIST (self));

  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
}

void
ms_outcome_list_set_campaign_id (MsOutcomeList *self,
                                 gint64         campaign_id)
{
  g_return_if_fail (MS_IS_OUTCOME_LIST (self));

  if (self->campaign_id == campaign_id)
    return;
  /* Whatever runs for the campaign shown before is dropped. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_clear_handle_id (&self->reload_id, g_source_remove);
  self->serial++;
  self->running = FALSE;
  self->dirty = FALSE;
  self->loaded = FALSE;
  self->campaign_id = campaign_id;
  memset (&self->counts, 0, sizeof self->counts);
  g_list_store_remove_all (self->outcomes);
  update_counts (self);
  start_read (self, FALSE);
}

GListModel *
ms_outcome_list_get_model (MsOutcomeList *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME_LIST (self), NULL);

  return G_LIST_MODEL (self->outcomes);
}

const MsOutcomeCounts *
ms_outcome_list_get_counts (MsOutcomeList *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME_LIST (self), NULL);

  return &self->counts;
}

gboolean
ms_outcome_list_get_busy (MsOutcomeList *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME_LIST (self), FALSE);

  return self->running || self->reload_id != 0;
}

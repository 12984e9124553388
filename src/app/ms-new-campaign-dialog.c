/* ms-new-campaign-dialog.c
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

#define G_LOG_DOMAIN "ms-new-campaign-dialog"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-contact-list.h"
#include "ms-domain-checklist.h"
#include "ms-format.h"
#include "ms-merge.h"
#include "ms-new-campaign-dialog.h"
#include "ms-preflight.h"
#include "ms-server-card.h"
#include "ms-store-campaigns.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

typedef struct
{
  MsServer  *server;
  gboolean   chosen;
} ServerChoice;

/* The drafts made for the pre-flight page, shared with the jobs.  A job makes
 * its draft under the lock, and only while its generation is current; Back and
 * closing begin a new generation and doom every draft made so far (but the one
 * started or saved).  Doomed drafts are deleted by the next job before it makes
 * its own (the names would clash), or by the job that closing starts: no draft
 * stays behind and none is in the way, whatever order the threads run in. */
typedef struct
{
  GMutex  lock;
  guint   generation;
  GArray *made;       /* gint64 campaign ids: drafts of the current generation */
  GArray *doomed;     /* gint64 campaign ids: drafts to delete */
} DraftBook;

static void
draft_book_clear (gpointer data)
{
  DraftBook *book = data;

  g_mutex_clear (&book->lock);
  g_array_unref (book->made);
  g_array_unref (book->doomed);
}

static DraftBook *
draft_book_new (void)
{
  DraftBook *book = g_atomic_rc_box_new0 (DraftBook);

  g_mutex_init (&book->lock);
  book->made = g_array_new (FALSE, FALSE, sizeof (gint64));
  book->doomed = g_array_new (FALSE, FALSE, sizeof (gint64));
  return book;
}

static void
draft_book_unref (DraftBook *book)
{
  g_atomic_rc_box_release_full (book, draft_book_clear);
}

/* With the lock held: moves @id (0: every one) from made to doomed. */
static void
draft_book_doom_locked (DraftBook *book,
                        gint64     id)
{
  for (guint i = book->made->len; i > 0; i--)
    {
      gint64 made = g_array_index (book->made, gint64, i - 1);

      if (id == 0 || made == id)
        {
          g_array_append_val (book->doomed, made);
          g_array_remove_index (book->made, i - 1);
        }
    }
}

/* Back or closing: a new generation, and every draft made so far is doomed. */
static void
draft_book_give_up (DraftBook *book)
{
  g_mutex_lock (&book->lock);
  book->generation++;
  draft_book_doom_locked (book, 0);
  g_mutex_unlock (&book->lock);
}

/* Started or saved: @id is no draft to delete any more. */
static void
draft_book_keep (DraftBook *book,
                 gint64     id)
{
  g_mutex_lock (&book->lock);
  for (guint i = book->made->len; i > 0; i--)
    if (g_array_index (book->made, gint64, i - 1) == id)
      g_array_remove_index (book->made, i - 1);
  g_mutex_unlock (&book->lock);
}

/* With the lock held. */
static void
draft_book_delete_doomed (DraftBook *book,
                          MsStore   *store)
{
  for (guint i = 0; i < book->doomed->len; i++)
    {
      g_autoptr(GError) error = NULL;

      if (!ms_store_delete_campaign (store, g_array_index (book->doomed, gint64, i), &error)
          && !g_error_matches (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND))
        g_warning ("Could not delete a draft: %s", error->message);
    }
  g_array_set_size (book->doomed, 0);
}

struct _MsNewCampaignDialog
{
  AdwWindow          parent_instance;

  GtkStack          *stack;           /* "settings", "preflight" */
  AdwEntryRow       *name_row;
  AdwComboRow       *template_row;
  AdwPreferencesGroup *lists_group;
  GtkListBox        *servers_list;
  AdwEntryRow       *start_row;
  AdwEntryRow       *hours_row;
  GtkToggleButton   *day_buttons[7];
  GtkLabel          *error_label;
  GtkWidget         *next_button;
  GtkWidget         *start_button;
  GtkWidget         *draft_button;
  AdwPreferencesPage *preflight_page;
  GPtrArray         *preflight_groups;  /* AdwPreferencesGroup on the preflight page */
  GtkWidget         *preflight_spinner;
  GPtrArray         *checklists;        /* MsDomainChecklist on the preflight page */

  char              *db_path;
  MsSecrets         *secrets;           /* for the DKIM keys; may be NULL */
  GCancellable      *cancellable;
  GPtrArray         *templates;       /* MsTemplate */
  GPtrArray         *lists;           /* MsContactList */
  GPtrArray         *list_rows;       /* AdwComboRow, parallel to lists */
  GArray            *servers;         /* ServerChoice, in rotation order */
  gint64             campaign_id;     /* the draft made for the pre-flight page */
  DraftBook         *book;
  gboolean           closed;
  gboolean           loaded;
  gboolean           checked;
};

G_DEFINE_TYPE (MsNewCampaignDialog, ms_new_campaign_dialog, ADW_TYPE_WINDOW)

enum
{
  SIGNAL_START,
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void rebuild_servers (MsNewCampaignDialog *self);
static void delete_drafts   (MsNewCampaignDialog *self);

/* Reading what there is */

typedef struct
{
  GPtrArray *templates;
  GPtrArray *lists;
  GPtrArray *servers;
} Choices;

static void
choices_free (gpointer data)
{
  Choices *c = data;

  g_clear_pointer (&c->templates, g_ptr_array_unref);
  g_clear_pointer (&c->lists, g_ptr_array_unref);
  g_clear_pointer (&c->servers, g_ptr_array_unref);
  g_free (c);
}

static gpointer
read_choices_job (MsStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  Choices *c = g_new0 (Choices, 1);

  if ((c->templates = ms_store_list_templates (store, error)) == NULL
      || (c->lists = ms_store_list_lists (store, error)) == NULL
      || (c->servers = ms_store_list_servers (store, error)) == NULL)
    {
      choices_free (c);
      return NULL;
    }
  return c;
}

static void
on_choices_read_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Choices *c;
  g_autoptr(GError) error = NULL;
  MsNewCampaignDialog *self;
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  const char *roles[] = { N_("Not used"), N_("Send to"), N_("Exclude"), NULL };

  c = ms_store_job_finish (result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  self = MS_NEW_CAMPAIGN_DIALOG (source);
  if (c == NULL)
    {
      gtk_label_set_label (self->error_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->error_label), TRUE);
      return;
    }

  self->templates = g_steal_pointer (&c->templates);
  self->lists = g_steal_pointer (&c->lists);
  for (guint i = 0; i < self->templates->len; i++)
    gtk_string_list_append (names, ms_template_get_name (g_ptr_array_index (self->templates, i)));
  adw_combo_row_set_model (self->template_row, G_LIST_MODEL (names));

  for (guint i = 0; i < self->lists->len; i++)
    {
      MsContactList *list = g_ptr_array_index (self->lists, i);
      g_autoptr(GtkStringList) model = gtk_string_list_new (NULL);
      g_autofree char *count = ms_format_contacts (ms_contact_list_get_member_count (list));
      AdwComboRow *row = ADW_COMBO_ROW (adw_combo_row_new ());

      for (guint r = 0; roles[r] != NULL; r++)
        gtk_string_list_append (model, _(roles[r]));
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ms_contact_list_get_name (list));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), count);
      adw_combo_row_set_model (row, G_LIST_MODEL (model));
      adw_preferences_group_add (self->lists_group, GTK_WIDGET (row));
      g_ptr_array_add (self->list_rows, row);
    }
  if (self->lists->len == 0)
    adw_preferences_group_set_description (self->lists_group, _("There are no lists yet: make one in Contacts."));

  for (guint i = 0; i < c->servers->len; i++)
    {
      ServerChoice choice = { g_object_ref (g_ptr_array_index (c->servers, i)), FALSE };

      choice.chosen = c->servers->len == 1;
      g_array_append_val (self->servers, choice);
    }
  rebuild_servers (self);
  choices_free (c);
  self->loaded = TRUE;
}

/* Servers: chosen and ordered */

static void
on_server_toggled_cb (GtkCheckButton      *check,
                      MsNewCampaignDialog *self)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (check), "index"));

  g_array_index (self->servers, ServerChoice, index).chosen = gtk_check_button_get_active (check);
}

static void
move_server (MsNewCampaignDialog *self,
             guint                index,
             int                  delta)
{
  ServerChoice tmp;
  guint other = index + delta;

  if (other >= self->servers->len)
    return;
  tmp = g_array_index (self->servers, ServerChoice, index);
  g_array_index (self->servers, ServerChoice, index) = g_array_index (self->servers, ServerChoice, other);
  g_array_index (self->servers, ServerChoice, other) = tmp;
  rebuild_servers (self);
}

static void
on_up_clicked_cb (GtkButton           *button,
                  MsNewCampaignDialog *self)
{
  move_server (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")), -1);
}

static void
on_down_clicked_cb (GtkButton           *button,
                    MsNewCampaignDialog *self)
{
  move_server (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "index")), 1);
}

static char *
describe_quotas (MsServer *server)
{
  guint n = 0;
  const MsQuota *quotas = ms_server_get_quotas (server, &n);
  g_autoptr(GString) text = g_string_new (NULL);

  if (!ms_server_get_enabled (server))
    g_string_append (text, _("Switched off"));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *span = ms_format_window (quotas[i].window_secs);

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, _("%u per %s"), quotas[i].limit, span);
    }
  if (text->len == 0)
    g_string_append (text, _("No limits"));
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static void
rebuild_servers (MsNewCampaignDialog *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->servers_list))) != NULL)
    gtk_list_box_remove (self->servers_list, child);

  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerChoice *choice = &g_array_index (self->servers, ServerChoice, i);
      GtkWidget *row = adw_action_row_new ();
      GtkWidget *check = gtk_check_button_new ();
      GtkWidget *up = gtk_button_new_from_icon_name ("go-up-symbolic");
      GtkWidget *down = gtk_button_new_from_icon_name ("go-down-symbolic");
      g_autofree char *quotas = describe_quotas (choice->server);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), ms_server_get_name (choice->server));
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), quotas);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (check), choice->chosen);
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      g_object_set_data (G_OBJECT (check), "index", GUINT_TO_POINTER (i));
      g_signal_connect (check, "toggled", G_CALLBACK (on_server_toggled_cb), self);
      adw_action_row_add_prefix (ADW_ACTION_ROW (row), check);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), check);
      for (GtkWidget *b = up; b != NULL; b = (b == up ? down : NULL))
        {
          gtk_widget_set_valign (b, GTK_ALIGN_CENTER);
          gtk_widget_add_css_class (b, "flat");
          g_object_set_data (G_OBJECT (b), "index", GUINT_TO_POINTER (i));
          adw_action_row_add_suffix (ADW_ACTION_ROW (row), b);
        }
      gtk_widget_set_tooltip_text (up, _("Earlier in the rotation"));
      gtk_widget_set_tooltip_text (down, _("Later in the rotation"));
      gtk_widget_set_sensitive (up, i > 0);
      gtk_widget_set_sensitive (down, i + 1 < self->servers->len);
      g_signal_connect (up, "clicked", G_CALLBACK (on_up_clicked_cb), self);
      g_signal_connect (down, "clicked", G_CALLBACK (on_down_clicked_cb), self);
      gtk_list_box_append (self->servers_list, row);
    }
  if (self->servers->len == 0)
    {
      GtkWidget *row = adw_action_row_new ();

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _("There are no servers yet: add one in Servers."));
      gtk_list_box_append (self->servers_list, row);
    }
}

/* The fields */

static void
show_error (MsNewCampaignDialog *self,
            const char          *message)
{
  gtk_label_set_label (self->error_label, message);
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static MsCampaign *
build_campaign (MsNewCampaignDialog  *self,
                GError              **error)
{
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  const char *start = gtk_editable_get_text (GTK_EDITABLE (self->start_row));
  const char *hours = gtk_editable_get_text (GTK_EDITABLE (self->hours_row));
  MsSendWindow window = MS_SEND_WINDOW_ALWAYS;
  guint selected = adw_combo_row_get_selected (self->template_row);
  gboolean any_list = FALSE;
  MsTemplate *tmpl;

  if (*name == '\0')
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID, _("Give the campaign a name."));
      return NULL;
    }
  if (self->templates == NULL || selected == GTK_INVALID_LIST_POSITION || selected >= self->templates->len)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID, _("Choose a template."));
      return NULL;
    }
  tmpl = g_ptr_array_index (self->templates, selected);
  campaign = ms_campaign_new (name);
  ms_campaign_set_template_id (campaign, ms_template_get_id (tmpl));
  ms_campaign_set_template_name (campaign, ms_template_get_name (tmpl));

  for (guint i = 0; i < self->list_rows->len; i++)
    {
      guint role = adw_combo_row_get_selected (g_ptr_array_index (self->list_rows, i));
      MsContactList *list = g_ptr_array_index (self->lists, i);

      if (role == 1 || role == 2)
        ms_campaign_add_list (campaign, ms_contact_list_get_id (list), ms_contact_list_get_name (list), role == 2);
      any_list |= role == 1;
    }
  if (!any_list)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID, _("Choose at least one list to send to."));
      return NULL;
    }

  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerChoice *choice = &g_array_index (self->servers, ServerChoice, i);
      gint64 id = ms_server_get_id (choice->server);

      if (choice->chosen)
        g_array_append_val (ids, id);
    }
  if (ids->len == 0)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID, _("Choose at least one server."));
      return NULL;
    }
  ms_campaign_set_server_ids (campaign, (const gint64 *) ids->data, ids->len);

  if (*start != '\0')
    {
      g_autofree char *iso = g_strdelimit (g_strstrip (g_strdup (start)), " ", 'T');
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autoptr(GDateTime) at = NULL;

      if (strlen (iso) == 16)
        {
          g_autofree char *with_seconds = g_strconcat (iso, ":00", NULL);

          at = g_date_time_new_from_iso8601 (with_seconds, local);
        }
      else
        at = g_date_time_new_from_iso8601 (iso, local);
      if (at == NULL)
        {
          g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID,
                       _("Write the start time as 2026-05-04 09:30, or leave it empty to start now."));
          return NULL;
        }
      ms_campaign_set_start_at (campaign, g_date_time_to_unix (at));
    }

  if (*hours != '\0' && !ms_send_window_parse_hours (hours, &window.start, &window.end, error))
    return NULL;
  window.days = 0;
  for (guint i = 0; i < 7; i++)
    if (gtk_toggle_button_get_active (self->day_buttons[i]))
      window.days |= 1u << i;
  if (window.days == 0)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID, _("Choose at least one day to send on."));
      return NULL;
    }
  ms_campaign_set_window (campaign, &window);
  return g_steal_pointer (&campaign);
}

/* Pre-flight */

typedef struct
{
  MsCampaign     *campaign;
  guint           generation;
  gint64          total;
  gint64          suppressed;
  gint64          lacking;        /* active contacts a merge field has no value for */
  char           *lacking_example;
  GPtrArray      *findings;
  MsCampaignPlan *plan;
  GPtrArray      *servers;        /* MsServer, the chosen ones in order */
  char           *fixed_sender;   /* the template's own From, or NULL */
} Preflight;

static void
preflight_free (gpointer data)
{
  Preflight *p = data;

  g_clear_object (&p->campaign);
  g_clear_pointer (&p->findings, g_ptr_array_unref);
  g_clear_pointer (&p->plan, ms_campaign_plan_free);
  g_clear_pointer (&p->servers, g_ptr_array_unref);
  g_free (p->fixed_sender);
  g_free (p->lacking_example);
  g_free (p);
}

typedef struct
{
  GPtrArray  *parts;     /* MsMergeTemplate */
  GHashTable *seen;      /* addresses already checked */
  Preflight  *p;
} LackingCheck;

static gboolean
check_contact_fields (MsContact *contact,
                      gpointer   user_data)
{
  LackingCheck *check = user_data;

  if (ms_contact_get_status (contact) != MS_CONTACT_STATUS_ACTIVE
      || !g_hash_table_add (check->seen, g_strdup (ms_contact_get_email (contact))))
    return TRUE;
  for (guint i = 0; i < check->parts->len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *text = ms_merge_render (g_ptr_array_index (check->parts, i), contact, &error);

      if (text == NULL)
        {
          check->p->lacking++;
          if (check->p->lacking_example == NULL)
            check->p->lacking_example = g_strdup (error->message);
          break;
        }
    }
  return TRUE;
}

/* Contacts of the lists to send to that a merge field without a default has no
 * value for: their messages would fail. */
static gboolean
count_lacking (MsStore     *store,
               MsCampaign  *campaign,
               MsTemplate  *tmpl,
               Preflight   *p,
               GError     **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_merge_template_unref);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const GPtrArray *lists = ms_campaign_get_lists (campaign);
  MsMergeTemplate *subject, *text = NULL, *html = NULL;
  const char *body = ms_template_get_body (tmpl) != NULL ? ms_template_get_body (tmpl) : "";
  LackingCheck check = { parts, seen, p };

  subject = ms_merge_compile (ms_template_get_subject (tmpl) != NULL ? ms_template_get_subject (tmpl) : "",
                              MS_MERGE_MODE_HEADER, NULL, NULL);
  if (subject != NULL)
    g_ptr_array_add (parts, subject);
  switch (ms_template_get_body_format (tmpl))
    {
    case MS_BODY_FORMAT_MARKDOWN:
      ms_merge_compile_markdown (body, NULL, &text, &html, NULL);
      break;
    case MS_BODY_FORMAT_HTML:
      ms_merge_compile_html (body, NULL, &text, &html, NULL);
      break;
    case MS_BODY_FORMAT_TEXT:
    default:
      text = ms_merge_compile (body, MS_MERGE_MODE_TEXT, NULL, NULL);
      break;
    }
  if (text != NULL)
    g_ptr_array_add (parts, text);
  if (html != NULL)
    g_ptr_array_add (parts, html);

  for (guint i = 0; i < lists->len; i++)
    {
      MsCampaignList *list = g_ptr_array_index (lists, i);
      MsContactQuery query = { 0 };

      if (list->exclude)
        continue;
      query.list_id = list->list_id;
      query.status = -1;
      if (!ms_store_foreach_contact (store, &query, check_contact_fields, &check, error))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  MsCampaign *campaign;
  DraftBook  *book;
  guint       generation;
} PreflightJob;

static void
preflight_job_free (gpointer data)
{
  PreflightJob *job = data;

  g_object_unref (job->campaign);
  draft_book_unref (job->book);
  g_free (job);
}

static gpointer
preflight_job (MsStore       *store,
               gpointer       data,
               GCancellable  *cancellable,
               GError       **error)
{
  PreflightJob *job = data;
  MsCampaign *campaign = job->campaign;
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree MsPreflightServer *checks = NULL;
  Preflight *p = g_new0 (Preflight, 1);
  const gint64 *ids;
  guint n_ids = 0;
  gsize sample;
  gboolean made = FALSE;
  gboolean current;

  p->campaign = g_object_ref (campaign);
  p->generation = job->generation;

  /* Older drafts go first; an outdated job makes none. */
  g_mutex_lock (&job->book->lock);
  draft_book_delete_doomed (job->book, store);
  current = job->generation == job->book->generation;
  if (current && ms_campaign_get_id (campaign) == 0)
    {
      made = ms_store_add_campaign (store, campaign, error) > 0;
      if (made)
        {
          gint64 id = ms_campaign_get_id (campaign);

          g_array_append_val (job->book->made, id);
        }
    }
  g_mutex_unlock (&job->book->lock);
  if (!current)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "outdated");
      goto fail;
    }
  if (ms_campaign_get_id (campaign) == 0)
    goto fail;
  if (!ms_store_count_audience (store, ms_campaign_get_id (campaign), &p->total, &p->suppressed, error))
    goto fail;
  if ((p->plan = ms_store_plan_campaign (store, campaign, g_get_real_time () / 1000, error)) == NULL)
    goto fail;
  if ((tmpl = ms_store_get_template (store, ms_campaign_get_template_id (campaign), error)) == NULL)
    goto fail;

  ids = ms_campaign_get_server_ids (campaign, &n_ids);
  checks = g_new0 (MsPreflightServer, n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      MsServer *server = ms_store_get_server (store, ids[i], error);

      if (server == NULL)
        goto fail;
      g_ptr_array_add (servers, server);
      checks[i].name = ms_server_get_name (server);
      checks[i].from_address = ms_server_get_sender_address (server);
      checks[i].allow_sender_substitution = ms_server_get_allow_sender_substitution (server);
      checks[i].max_message_size = ms_server_get_max_message_size (server);
    }
  /* A rendered message: headers, the body (twice for HTML with its text part)
   * and the attachments in base64. */
  sample = 2048 + strlen (ms_template_get_subject (tmpl) != NULL ? ms_template_get_subject (tmpl) : "")
           + 2 * strlen (ms_template_get_body (tmpl) != NULL ? ms_template_get_body (tmpl) : "")
           + ms_template_get_attachments_size (tmpl) * 137 / 100;
  p->findings = ms_preflight_check (tmpl, sample, checks, n_ids);
  if (!count_lacking (store, campaign, tmpl, p, error))
    goto fail;
  p->fixed_sender = g_strdup (ms_template_get_sender_address (tmpl));
  p->servers = g_steal_pointer (&servers);
  return p;

fail:
  /* Its draft is in the way of the next try: doomed. */
  if (made)
    {
      g_mutex_lock (&job->book->lock);
      draft_book_doom_locked (job->book, ms_campaign_get_id (campaign));
      g_mutex_unlock (&job->book->lock);
    }
  preflight_free (p);
  return NULL;
}

static void
clear_preflight (MsNewCampaignDialog *self)
{
  for (guint i = 0; i < self->checklists->len; i++)
    ms_domain_checklist_cancel (g_ptr_array_index (self->checklists, i));
  g_ptr_array_set_size (self->checklists, 0);
  for (guint i = 0; i < self->preflight_groups->len; i++)
    adw_preferences_page_remove (self->preflight_page, g_ptr_array_index (self->preflight_groups, i));
  g_ptr_array_set_size (self->preflight_groups, 0);
}

static AdwPreferencesGroup *
add_group (MsNewCampaignDialog *self,
           const char          *title,
           const char          *description)
{
  AdwPreferencesGroup *group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());

  adw_preferences_group_set_title (group, title);
  if (description != NULL)
    adw_preferences_group_set_description (group, description);
  adw_preferences_page_add (self->preflight_page, group);
  g_ptr_array_add (self->preflight_groups, group);
  return group;
}

static GtkWidget *
add_row (AdwPreferencesGroup *group,
         const char          *icon,
         const char          *title,
         const char          *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *t = g_markup_escape_text (title, -1);
  g_autofree char *s = subtitle != NULL ? g_markup_escape_text (subtitle, -1) : NULL;

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), t);
  if (s != NULL)
    {
      adw_action_row_set_subtitle (ADW_ACTION_ROW (row), s);
      adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 4);
    }
  if (icon != NULL)
    adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon);
  adw_preferences_group_add (group, row);
  return row;
}

/* The sender domain of the From each server will send with (the template's own
 * From when it has one and the server may use it), once per domain and server
 * host: advice, never blocking Start. */
static void
add_domain_checks (MsNewCampaignDialog *self,
                   Preflight           *p)
{
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  AdwPreferencesGroup *group = NULL;

  for (guint i = 0; p->servers != NULL && i < p->servers->len; i++)
    {
      MsServer *server = g_ptr_array_index (p->servers, i);
      const char *own = ms_server_get_sender_address (server);
      const char *from = own;
      const char *at;
      g_autofree char *key = NULL;
      g_autofree char *heading = NULL;
      g_autofree char *domain = NULL;
      MsDomainChecklist *checklist;
      GtkWidget *label;

      /* The template's own From, unless the server may only send as itself */
      if (p->fixed_sender != NULL && p->fixed_sender[0] != '\0'
          && (own == NULL || ms_server_get_allow_sender_substitution (server)))
        from = p->fixed_sender;
      at = from != NULL ? strrchr (from, '@') : NULL;
      if (at == NULL)
        continue;
      domain = g_ascii_strdown (at + 1, -1);
      key = g_strdup_printf ("%s\n%s", domain,
                             ms_server_get_host (server) != NULL ? ms_server_get_host (server) : "");
      if (!g_hash_table_add (seen, g_steal_pointer (&key)))
        continue;
      if (group == NULL)
        group = add_group (self, _("Sender Domain"),
                           _("Whether receivers will trust mail from these senders. Advice only: the "
                             "campaign can start whatever it says, but problems here send mail to spam."));
      /* Translators: "example.org, sent through Office SMTP" */
      heading = g_strdup_printf (_("%s, sent through %s"), domain, ms_server_get_name (server));
      label = gtk_label_new (heading);
      gtk_label_set_xalign (GTK_LABEL (label), 0);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_widget_add_css_class (label, "heading");
      gtk_widget_set_name (label, "domain-heading");
      gtk_widget_set_margin_top (label, self->checklists->len > 0 ? 12 : 0);
      adw_preferences_group_add (group, label);
      checklist = ms_domain_checklist_new ();
      gtk_widget_set_name (GTK_WIDGET (checklist), "domain-checklist");
      adw_preferences_group_add (group, GTK_WIDGET (checklist));
      g_ptr_array_add (self->checklists, checklist);
      ms_domain_checklist_check (checklist, server, from, self->secrets, NULL);
    }
}

static char *
format_ms (gint64 unix_ms)
{
  return ms_format_clock ((unix_ms + 999) / 1000);
}

static void
on_preflight_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  Preflight *p;
  g_autoptr(GError) error = NULL;
  MsNewCampaignDialog *self;
  AdwPreferencesGroup *group;
  g_autofree char *total = NULL;
  g_autofree char *suppressed = NULL;
  g_autofree char *sending = NULL;
  gboolean blocking = FALSE;

  p = ms_store_job_finish (result, &error);
  self = MS_NEW_CAMPAIGN_DIALOG (source);
  if (p != NULL && (self->closed || p->generation != self->book->generation))
    {
      /* Back was pressed or the dialog closed while it ran: its draft is
       * doomed already; after closing, nothing else would delete it. */
      if (self->closed)
        delete_drafts (self);
      preflight_free (p);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->closed)
    return;
  gtk_widget_set_visible (self->preflight_spinner, FALSE);
  if (p == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "settings");
      show_error (self, error->message);
      return;
    }
  self->campaign_id = ms_campaign_get_id (p->campaign);
  clear_preflight (self);

  group = add_group (self, _("Recipients"), NULL);
  sending = ms_format_contacts (MAX (p->total - p->suppressed, 0));
  total = ms_format_contacts (p->total);
  suppressed = ms_format_contacts (p->suppressed);
  add_row (group, "system-users-symbolic", sending, _("will get this campaign, one message per address"));
  add_row (group, "action-unavailable-symbolic", suppressed,
           _("suppressed: unsubscribed, bounced, complained or in an exclusion list; counted, not sent"));

  if (p->lacking > 0)
    {
      g_autofree char *lacking = ms_format_contacts (p->lacking);
      g_autofree char *why = g_strdup_printf (_("lack a merge field the template needs, so their messages "
                                                "will fail; for example: %s"), p->lacking_example);

      add_row (group, "dialog-warning-symbolic", lacking, why);
    }
  else
    add_row (group, "emblem-ok-symbolic", _("Every contact has the merge fields"), NULL);

  group = add_group (self, _("Checks"), _("Size, attachments and sender, per server"));
  for (guint i = 0; i < p->findings->len; i++)
    {
      MsPreflightFinding *f = g_ptr_array_index (p->findings, i);
      const char *icon = f->severity == MS_PREFLIGHT_ERROR ? "dialog-error-symbolic"
                         : f->severity == MS_PREFLIGHT_WARNING ? "dialog-warning-symbolic"
                         : "dialog-information-symbolic";

      add_row (group, icon, f->server != NULL ? f->server : _("Every server"), f->message);
      blocking |= f->severity == MS_PREFLIGHT_ERROR && f->server == NULL;
    }
  if (p->findings->len == 0)
    add_row (group, "emblem-ok-symbolic", _("No problems found"), NULL);

  add_domain_checks (self, p);

  group = add_group (self, _("Plan"), _("Under the current quotas"));
  for (guint i = 0; i < p->plan->servers->len; i++)
    {
      MsCampaignPlanServer *s = g_ptr_array_index (p->plan->servers, i);
      g_autofree char *now = ms_format_count (s->now);
      g_autofree char *later = ms_format_count (s->later);
      g_autofree char *text = NULL;

      if (s->state == MS_SERVER_STATE_DISABLED || s->state == MS_SERVER_STATE_STOPPED
          || s->state == MS_SERVER_STATE_UNUSABLE)
        text = g_strdup (ms_server_state_to_label (s->state));
      else if (s->later > 0 && s->first_later > 0)
        {
          g_autofree char *from = format_ms (s->first_later);

          text = g_strdup_printf (_("%s now, %s more from %s"), now, later, from);
        }
      else
        text = g_strdup_printf (_("%s now"), now);
      add_row (group, "network-server-symbolic", s->name, text);
    }
  if (p->plan->finish == G_MAXINT64)
    add_row (group, "dialog-warning-symbolic", _("Estimated end"), _("Never: no server can send it as it is"));
  else if (p->plan->finish > 0)
    {
      g_autofree char *end = format_ms (p->plan->finish);

      add_row (group, "alarm-symbolic", _("Estimated end"), end);
    }

  gtk_widget_set_sensitive (self->start_button, !blocking && p->total > p->suppressed);
  self->checked = TRUE;
  preflight_free (p);
}

static void
delete_drafts_job_done (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (ms_store_job_finish (result, &error) == NULL)
    g_warning ("Could not delete the drafts: %s", error->message);
}

static gpointer
delete_drafts_job (MsStore       *store,
                   gpointer       data,
                   GCancellable  *cancellable,
                   GError       **error)
{
  DraftBook *book = data;

  g_mutex_lock (&book->lock);
  draft_book_delete_doomed (book, store);
  g_mutex_unlock (&book->lock);
  return MS_STORE_JOB_DONE;
}

/* Not cancellable: no draft may stay behind when the dialog closes. */
static void
delete_drafts (MsNewCampaignDialog *self)
{
  ms_store_job_run (NULL, self->db_path, delete_drafts_job, g_atomic_rc_box_acquire (self->book),
                    (GDestroyNotify) draft_book_unref, NULL, NULL, delete_drafts_job_done, NULL);
}

/* The draft shown is given up (Back, closing): a new generation begins. */
static void
drop_draft (MsNewCampaignDialog *self)
{
  draft_book_give_up (self->book);
  self->campaign_id = 0;
}

static void
on_next_clicked_cb (MsNewCampaignDialog *self)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = build_campaign (self, &error);
  PreflightJob *job;

  if (campaign == NULL)
    {
      show_error (self, error->message);
      return;
    }
  show_error (self, NULL);
  self->checked = FALSE;
  clear_preflight (self);
  gtk_widget_set_visible (self->preflight_spinner, TRUE);
  gtk_widget_set_sensitive (self->start_button, FALSE);
  gtk_stack_set_visible_child_name (self->stack, "preflight");
  job = g_new0 (PreflightJob, 1);
  job->campaign = g_steal_pointer (&campaign);
  job->book = g_atomic_rc_box_acquire (self->book);
  job->generation = self->book->generation;
  /* Not cancellable: its draft is accounted for in the book even when the
   * dialog closes meanwhile (the result comes back and is doomed). */
  ms_store_job_run (self, self->db_path, preflight_job, job, preflight_job_free,
                    preflight_free, NULL, on_preflight_done_cb, NULL);
}

static void
on_back_clicked_cb (MsNewCampaignDialog *self)
{
  drop_draft (self);
  self->checked = FALSE;
  gtk_stack_set_visible_child_name (self->stack, "settings");
}

static void
on_start_clicked_cb (MsNewCampaignDialog *self)
{
  gint64 id = self->campaign_id;

  g_return_if_fail (id != 0);
  draft_book_keep (self->book, id);
  g_signal_emit (self, signals[SIGNAL_START], 0, id);
  gtk_window_close (GTK_WINDOW (self));
}

static void
on_draft_clicked_cb (MsNewCampaignDialog *self)
{
  g_return_if_fail (self->campaign_id != 0);
  draft_book_keep (self->book, self->campaign_id);
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->campaign_id);
  gtk_window_close (GTK_WINDOW (self));
}

/* GObject */

static gboolean
ms_new_campaign_dialog_close_request (GtkWindow *window)
{
  MsNewCampaignDialog *self = MS_NEW_CAMPAIGN_DIALOG (window);

  g_cancellable_cancel (self->cancellable);
  clear_preflight (self);
  self->closed = TRUE;
  drop_draft (self);
  delete_drafts (self);
  return GTK_WINDOW_CLASS (ms_new_campaign_dialog_parent_class)->close_request (window);
}

static void
server_choice_clear (gpointer data)
{
  g_clear_object (&((ServerChoice *) data)->server);
}

static void
ms_new_campaign_dialog_finalize (GObject *object)
{
  MsNewCampaignDialog *self = MS_NEW_CAMPAIGN_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->book, draft_book_unref);
  g_clear_pointer (&self->templates, g_ptr_array_unref);
  g_clear_pointer (&self->lists, g_ptr_array_unref);
  g_clear_pointer (&self->list_rows, g_ptr_array_unref);
  g_clear_pointer (&self->servers, g_array_unref);
  g_clear_pointer (&self->preflight_groups, g_ptr_array_unref);
  g_clear_pointer (&self->checklists, g_ptr_array_unref);
  g_clear_object (&self->secrets);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_new_campaign_dialog_parent_class)->finalize (object);
}

static void
ms_new_campaign_dialog_class_init (MsNewCampaignDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->finalize = ms_new_campaign_dialog_finalize;
  window_class->close_request = ms_new_campaign_dialog_close_request;

  signals[SIGNAL_START] = g_signal_new ("start", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  signals[SIGNAL_SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_INT64);
  gtk_widget_class_add_binding_action (GTK_WIDGET_CLASS (klass), GDK_KEY_Escape, 0, "window.close", NULL);
}

static GtkWidget *
page_with_header (GtkWidget  *start,
                  GtkWidget  *end,
                  GtkWidget  *end2,
                  const char *title,
                  GtkWidget  *content)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();

  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_show_start_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), adw_window_title_new (title, NULL));
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), start);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), end);
  if (end2 != NULL)
    adw_header_bar_pack_end (ADW_HEADER_BAR (header), end2);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (content, TRUE);
  gtk_box_append (GTK_BOX (box), content);
  return box;
}

static void
ms_new_campaign_dialog_init (MsNewCampaignDialog *self)
{
  /* TRANSLATORS: weekday abbreviations on the send window's day buttons, Monday first */
  const char *days[] = { N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun") };
  GtkWidget *settings = adw_preferences_page_new ();
  AdwPreferencesGroup *group;
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *back = gtk_button_new_with_mnemonic (_("_Back"));
  GtkWidget *days_row = adw_action_row_new ();
  GtkWidget *days_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  GtkWidget *preflight_box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);

  self->cancellable = g_cancellable_new ();
  self->book = draft_book_new ();
  self->list_rows = g_ptr_array_new ();
  self->servers = g_array_new (FALSE, TRUE, sizeof (ServerChoice));
  g_array_set_clear_func (self->servers, server_choice_clear);
  self->preflight_groups = g_ptr_array_new ();
  self->checklists = g_ptr_array_new ();

  gtk_window_set_title (GTK_WINDOW (self), _("New Campaign"));
  gtk_window_set_default_size (GTK_WINDOW (self), 600, 720);
  gtk_window_set_modal (GTK_WINDOW (self), TRUE);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->name_row), _("Name"));
  gtk_widget_set_name (GTK_WIDGET (self->name_row), "name-row");
  self->template_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->template_row), _("Template"));
  adw_preferences_group_add (group, GTK_WIDGET (self->name_row));
  adw_preferences_group_add (group, GTK_WIDGET (self->template_row));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (settings), group);

  self->lists_group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (self->lists_group, _("Recipients"));
  adw_preferences_group_set_description (self->lists_group,
                                         _("Lists to send to, and lists whose contacts are left out"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (settings), self->lists_group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Servers"));
  adw_preferences_group_set_description (group, _("The chosen servers send in this order: each until one "
                                                  "of its limits is reached, then the next"));
  self->servers_list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->servers_list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->servers_list), "boxed-list");
  adw_preferences_group_add (group, GTK_WIDGET (self->servers_list));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (settings), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  adw_preferences_group_set_title (group, _("Schedule"));
  self->start_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->start_row),
                                 _("Start at, e.g. 2026-05-04 09:30 (empty: at once)"));
  self->hours_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->hours_row),
                                 _("Send only between, e.g. 09:00-17:00 (empty: any time)"));
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (days_row), _("On these days"));
  gtk_widget_add_css_class (days_box, "linked");
  gtk_widget_set_valign (days_box, GTK_ALIGN_CENTER);
  for (guint i = 0; i < 7; i++)
    {
      self->day_buttons[i] = GTK_TOGGLE_BUTTON (gtk_toggle_button_new_with_label (_(days[i])));
      gtk_toggle_button_set_active (self->day_buttons[i], TRUE);
      gtk_box_append (GTK_BOX (days_box), GTK_WIDGET (self->day_buttons[i]));
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (days_row), days_box);
  adw_preferences_group_add (group, GTK_WIDGET (self->start_row));
  adw_preferences_group_add (group, GTK_WIDGET (self->hours_row));
  adw_preferences_group_add (group, days_row);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (settings), group);

  group = ADW_PREFERENCES_GROUP (adw_preferences_group_new ());
  self->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), FALSE);
  adw_preferences_group_add (group, GTK_WIDGET (self->error_label));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (settings), group);

  self->next_button = gtk_button_new_with_mnemonic (_("_Next"));
  gtk_widget_set_name (self->next_button, "next-button");
  gtk_widget_add_css_class (self->next_button, "suggested-action");
  g_signal_connect_swapped (self->next_button, "clicked", G_CALLBACK (on_next_clicked_cb), self);
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_close), self);

  self->start_button = gtk_button_new_with_mnemonic (_("_Start Sending"));
  gtk_widget_set_name (self->start_button, "start-button");
  gtk_widget_add_css_class (self->start_button, "suggested-action");
  g_signal_connect_swapped (self->start_button, "clicked", G_CALLBACK (on_start_clicked_cb), self);
  self->draft_button = gtk_button_new_with_mnemonic (_("Save _Draft"));
  gtk_widget_set_name (self->draft_button, "draft-button");
  g_signal_connect_swapped (self->draft_button, "clicked", G_CALLBACK (on_draft_clicked_cb), self);
  gtk_widget_set_name (back, "back-button");
  g_signal_connect_swapped (back, "clicked", G_CALLBACK (on_back_clicked_cb), self);

  self->preflight_spinner = gtk_spinner_new ();
  gtk_spinner_set_spinning (GTK_SPINNER (self->preflight_spinner), TRUE);
  gtk_widget_set_size_request (self->preflight_spinner, 32, 32);
  gtk_widget_set_margin_top (self->preflight_spinner, 24);
  self->preflight_page = ADW_PREFERENCES_PAGE (adw_preferences_page_new ());
  gtk_widget_set_vexpand (GTK_WIDGET (self->preflight_page), TRUE);
  gtk_box_append (GTK_BOX (preflight_box), self->preflight_spinner);
  gtk_box_append (GTK_BOX (preflight_box), GTK_WIDGET (self->preflight_page));

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_set_transition_type (self->stack, GTK_STACK_TRANSITION_TYPE_SLIDE_LEFT_RIGHT);
  gtk_stack_add_named (self->stack, page_with_header (cancel, self->next_button, NULL, _("New Campaign"), settings),
                       "settings");
  gtk_stack_add_named (self->stack, page_with_header (back, self->start_button, self->draft_button,
                                                      _("Before Sending"), preflight_box),
                       "preflight");
  adw_window_set_content (ADW_WINDOW (self), GTK_WIDGET (self->stack));
}

MsNewCampaignDialog *
ms_new_campaign_dialog_new (GtkWindow  *parent,
                            const char *db_path)
{
  MsNewCampaignDialog *self = g_object_new (MS_TYPE_NEW_CAMPAIGN_DIALOG,
                                            "transient-for", parent,
                                            NULL);

  self->db_path = g_strdup (db_path);
  ms_store_job_run (self, db_path, read_choices_job, NULL, NULL, choices_free,
                    self->cancellable, on_choices_read_cb, NULL);
  return self;
}

gboolean
ms_new_campaign_dialog_get_loaded (MsNewCampaignDialog *self)
{
  return self->loaded;
}

gboolean
ms_new_campaign_dialog_get_checked (MsNewCampaignDialog *self)
{
  return self->checked;
}

gint64
ms_new_campaign_dialog_get_campaign_id (MsNewCampaignDialog *self)
{
  return self->campaign_id;
}

void
ms_new_campaign_dialog_set_name (MsNewCampaignDialog *self,
                                 const char          *name)
{
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), name);
}

gboolean
ms_new_campaign_dialog_select_template (MsNewCampaignDialog *self,
                                        gint64               template_id)
{
  for (guint i = 0; self->templates != NULL && i < self->templates->len; i++)
    if (ms_template_get_id (g_ptr_array_index (self->templates, i)) == template_id)
      {
        adw_combo_row_set_selected (self->template_row, i);
        return TRUE;
      }
  return FALSE;
}

gboolean
ms_new_campaign_dialog_set_list_role (MsNewCampaignDialog *self,
                                      gint64               list_id,
                                      guint                role)
{
  for (guint i = 0; self->lists != NULL && i < self->lists->len; i++)
    if (ms_contact_list_get_id (g_ptr_array_index (self->lists, i)) == list_id)
      {
        adw_combo_row_set_selected (g_ptr_array_index (self->list_rows, i), role);
        return TRUE;
      }
  return FALSE;
}

gboolean
ms_new_campaign_dialog_choose_server (MsNewCampaignDialog *self,
                                      gint64               server_id,
                                      gboolean             chosen)
{
  for (guint i = 0; i < self->servers->len; i++)
    {
      ServerChoice choice = g_array_index (self->servers, ServerChoice, i);

      if (ms_server_get_id (choice.server) != server_id)
        continue;
      /* Move it behind the chosen ones: the order of choosing is the rotation. */
      g_object_ref (choice.server);
      g_array_remove_index (self->servers, i);
      choice.chosen = chosen;
      g_array_append_val (self->servers, choice);
      rebuild_servers (self);
      return TRUE;
    }
  return FALSE;
}

static void
append_rows_text (GtkWidget *widget,
                  GString   *text)
{
  if (ADW_IS_ACTION_ROW (widget))
    {
      const char *subtitle = adw_action_row_get_subtitle (ADW_ACTION_ROW (widget));

      g_string_append_printf (text, "%s: %s\n", adw_preferences_row_get_title (ADW_PREFERENCES_ROW (widget)),
                              subtitle != NULL ? subtitle : "");
      return;
    }
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    append_rows_text (child, text);
}

char *
ms_new_campaign_dialog_dup_preflight_text (MsNewCampaignDialog *self)
{
  GString *text = g_string_new (NULL);

  append_rows_text (GTK_WIDGET (self->preflight_page), text);
  return g_string_free (text, FALSE);
}

void
ms_new_campaign_dialog_set_secrets (MsNewCampaignDialog *self,
                                    MsSecrets           *secrets)
{
  g_return_if_fail (MS_IS_NEW_CAMPAIGN_DIALOG (self));
  g_return_if_fail (secrets == NULL || MS_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

/* The sender-domain checklists of the pre-flight page, for tests. */
GPtrArray *
ms_new_campaign_dialog_get_domain_checklists (MsNewCampaignDialog *self)
{
  g_return_val_if_fail (MS_IS_NEW_CAMPAIGN_DIALOG (self), NULL);

  return self->checklists;
}

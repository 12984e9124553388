/* ms-domain-checklist.c
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

#define G_LOG_DOMAIN "ms-domain-checklist"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-dkim.h"
#include "ms-domain-check.h"
#include "ms-domain-checklist.h"

struct _MsDomainChecklist
{
  AdwBin        parent_instance;

  GtkWidget    *spinner;
  GtkLabel     *summary;
  GtkListBox   *list;

  GCancellable *cancellable;   /* the running check */
  GPtrArray    *items;         /* MsCheckItem of the last check */
  char         *summary_text;
};

G_DEFINE_FINAL_TYPE (MsDomainChecklist, ms_domain_checklist, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_BUSY,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The worker: reads the DKIM key, asks DNS */

typedef struct
{
  char      *from_address;
  char      *smtp_host;
  char      *dkim_domain;
  char      *dkim_selector;
  gboolean   dkim_key_stored;
  MsSecrets *secrets;
  GFile     *dkim_key_file;
} CheckJob;

static void
check_job_free (gpointer data)
{
  CheckJob *job = data;

  g_free (job->from_address);
  g_free (job->smtp_host);
  g_free (job->dkim_domain);
  g_free (job->dkim_selector);
  g_clear_object (&job->secrets);
  g_clear_object (&job->dkim_key_file);
  g_free (job);
}

/* The DKIM record the configured private key calls for, or NULL. */
static char *
expected_dkim_record (CheckJob     *job,
                      GCancellable *cancellable)
{
  char *pem = NULL;
  gsize length = 0;
  char *record = NULL;

  if (job->dkim_domain == NULL || job->dkim_selector == NULL)
    return NULL;
  if (job->dkim_key_file != NULL)
    {
      if (!g_file_load_contents (job->dkim_key_file, cancellable, &pem, &length, NULL, NULL))
        return NULL;
      record = ms_dkim_dns_record (pem, NULL);
      memset (pem, 0, length);
      g_free (pem);
    }
  else if (job->secrets != NULL && job->dkim_key_stored)
    {
      pem = ms_secrets_lookup (job->secrets, MS_SECRET_DKIM, job->dkim_domain, job->dkim_selector,
                               cancellable, NULL);
      if (pem != NULL)
        record = ms_dkim_dns_record (pem, NULL);
      g_clear_pointer (&pem, ms_secret_free);
    }
  return record;
}

static void
check_worker (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckJob *job = task_data;
  g_autofree char *expected = expected_dkim_record (job, cancellable);
  MsDomainCheckParams params = { 0 };
  GPtrArray *items;

  params.from_address = job->from_address;
  params.smtp_host = job->smtp_host;
  params.dkim_domain = job->dkim_domain;
  params.dkim_selector = job->dkim_selector;
  params.dkim_expected_record = expected;
  items = ms_domain_check_run (&params, cancellable);
  if (g_task_return_error_if_cancelled (task))
    g_ptr_array_unref (items);
  else
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

/* Rows */

static void
clear_rows (MsDomainChecklist *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list))) != NULL)
    gtk_list_box_remove (self->list, child);
  gtk_widget_set_visible (GTK_WIDGET (self->list), FALSE);
}

static void
set_summary (MsDomainChecklist *self,
             const char        *text)
{
  g_free (self->summary_text);
  self->summary_text = g_strdup (text);
  gtk_label_set_text (self->summary, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->summary), text != NULL && text[0] != '\0');
}

static GtkWidget *
make_row (const MsCheckItem *item)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *icon;
  g_autofree char *title = g_markup_escape_text (item->title, -1);
  g_autofree char *advice = g_markup_escape_text (item->advice != NULL ? item->advice : "", -1);
  const char *icon_name, *css, *status;

  switch (item->status)
    {
    case MS_CHECK_OK:
      icon_name = "emblem-ok-symbolic";
      css = "success";
      status = C_("domain check", "Fine");
      break;
    case MS_CHECK_WARNING:
      icon_name = "dialog-warning-symbolic";
      css = "warning";
      status = C_("domain check", "Worth fixing");
      break;
    case MS_CHECK_ERROR:
    default:
      icon_name = "dialog-error-symbolic";
      css = "error";
      status = C_("domain check", "Problem");
      break;
    }
  icon = gtk_image_new_from_icon_name (icon_name);
  gtk_widget_add_css_class (icon, css);
  gtk_widget_set_tooltip_text (icon, status);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL, status, -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), advice);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  gtk_widget_set_name (row, "check-item");
  gtk_widget_add_css_class (row, "ms-check-row");
  return row;
}

static char *
describe (GPtrArray *items)
{
  guint errors = 0, warnings = 0;
  g_autofree char *e = NULL;
  g_autofree char *w = NULL;

  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *item = g_ptr_array_index (items, i);

      errors += item->status == MS_CHECK_ERROR;
      warnings += item->status == MS_CHECK_WARNING;
    }
  if (errors == 0 && warnings == 0)
    return g_strdup (_("Everything checked is in order: receivers can trust mail from this domain."));
  e = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u problem", "%u problems", errors), errors);
  w = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u warning", "%u warnings", warnings), warnings);
  if (errors == 0)
    /* Translators: %s is "2 warnings" */
    return g_strdup_printf (_("%s: mail may still arrive, but fixing them keeps it out of spam. "
                              "Sending is not blocked."), w);
  /* Translators: the first %s is "1 problem", the second "2 warnings" */
  return g_strdup_printf (_("%s and %s: receivers may put this mail in spam or refuse it. "
                            "Sending is not blocked; the advice below says what to change."), e, w);
}

static void
show_items (MsDomainChecklist *self,
            GPtrArray         *items)
{
  g_autofree char *summary = describe (items);

  clear_rows (self);
  for (guint i = 0; i < items->len; i++)
    gtk_list_box_append (self->list, make_row (g_ptr_array_index (items, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->list), items->len > 0);
  set_summary (self, summary);
}

static void
set_busy (MsDomainChecklist *self,
          gboolean           busy)
{
  gtk_widget_set_visible (self->spinner, busy);
  if (busy)
    gtk_spinner_start (GTK_SPINNER (self->spinner));
  else
    gtk_spinner_stop (GTK_SPINNER (self->spinner));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

static void
on_check_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  MsDomainChecklist *self = MS_DOMAIN_CHECKLIST (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = g_task_propagate_pointer (G_TASK (result), &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
      || g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  if (items == NULL)
    {
      g_autofree char *text = g_strdup_printf (_("The domain could not be checked: %s"), error->message);

      set_summary (self, text);
    }
  else
    {
      self->items = g_steal_pointer (&items);
      show_items (self, self->items);
    }
  set_busy (self, FALSE);
}

/* GtkWidget */

/* Out of its window (a closed editor or dialog) the answer has no one to tell:
 * the task still holds the widget, so dispose alone would come too late. */
static void
ms_domain_checklist_unroot (GtkWidget *widget)
{
  ms_domain_checklist_cancel (MS_DOMAIN_CHECKLIST (widget));
  GTK_WIDGET_CLASS (ms_domain_checklist_parent_class)->unroot (widget);
}

/* GObject */

static void
ms_domain_checklist_dispose (GObject *object)
{
  MsDomainChecklist *self = MS_DOMAIN_CHECKLIST (object);

  ms_domain_checklist_cancel (self);
  G_OBJECT_CLASS (ms_domain_checklist_parent_class)->dispose (object);
}

static void
ms_domain_checklist_finalize (GObject *object)
{
  MsDomainChecklist *self = MS_DOMAIN_CHECKLIST (object);

  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  g_free (self->summary_text);
  G_OBJECT_CLASS (ms_domain_checklist_parent_class)->finalize (object);
}

static void
ms_domain_checklist_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsDomainChecklist *self = MS_DOMAIN_CHECKLIST (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, ms_domain_checklist_get_busy (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_domain_checklist_class_init (MsDomainChecklistClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_domain_checklist_dispose;
  object_class->finalize = ms_domain_checklist_finalize;
  object_class->get_property = ms_domain_checklist_get_property;
  widget_class->unroot = ms_domain_checklist_unroot;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_domain_checklist_init (MsDomainChecklist *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 12);
  GtkWidget *top = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_widget_set_valign (self->spinner, GTK_ALIGN_START);
  self->summary = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (self->summary, TRUE);
  gtk_label_set_xalign (self->summary, 0);
  gtk_widget_set_hexpand (GTK_WIDGET (self->summary), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->summary), FALSE);
  gtk_widget_set_name (GTK_WIDGET (self->summary), "check-summary");
  gtk_box_append (GTK_BOX (top), self->spinner);
  gtk_box_append (GTK_BOX (top), GTK_WIDGET (self->summary));

  self->list = GTK_LIST_BOX (gtk_list_box_new ());
  gtk_list_box_set_selection_mode (self->list, GTK_SELECTION_NONE);
  gtk_widget_add_css_class (GTK_WIDGET (self->list), "boxed-list");
  gtk_widget_set_visible (GTK_WIDGET (self->list), FALSE);

  gtk_box_append (GTK_BOX (box), top);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (self->list));
  adw_bin_set_child (ADW_BIN (self), box);
}

/* Public */

MsDomainChecklist *
ms_domain_checklist_new (void)
{
  return g_object_new (MS_TYPE_DOMAIN_CHECKLIST, NULL);
}

void
ms_domain_checklist_check (MsDomainChecklist *self,
                           MsServer          *server,
                           const char        *from_address,
                           MsSecrets         *secrets,
                           GFile             *dkim_key_file)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *text = NULL;
  CheckJob *job;

  g_return_if_fail (MS_IS_DOMAIN_CHECKLIST (self));
  g_return_if_fail (MS_IS_SERVER (server));

  ms_domain_checklist_cancel (self);
  if (from_address == NULL)
    from_address = ms_server_get_sender_address (server);
  if (from_address == NULL || strchr (from_address, '@') == NULL)
    {
      ms_domain_checklist_set_message (self, _("Type the sender address to check its domain."));
      return;
    }

  job = g_new0 (CheckJob, 1);
  job->from_address = g_strdup (from_address);
  if (ms_server_get_transport (server) == MS_TRANSPORT_SMTP)
    job->smtp_host = g_strdup (ms_server_get_host (server));
  job->dkim_domain = g_strdup (ms_server_get_dkim_domain (server));
  job->dkim_selector = g_strdup (ms_server_get_dkim_selector (server));
  job->dkim_key_stored = ms_server_get_dkim_key_ref (server) != NULL;
  job->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  job->dkim_key_file = dkim_key_file != NULL ? g_object_ref (dkim_key_file) : NULL;

  self->cancellable = g_cancellable_new ();
  g_clear_pointer (&self->items, g_ptr_array_unref);
  clear_rows (self);
  text = g_strdup_printf (_("Checking SPF, DKIM and DMARC of %s…"), strchr (from_address, '@') + 1);
  set_summary (self, text);
  set_busy (self, TRUE);

  task = g_task_new (self, self->cancellable, on_check_done_cb, NULL);
  g_task_set_source_tag (task, ms_domain_checklist_check);
  g_task_set_task_data (task, job, check_job_free);
  g_task_run_in_thread (task, check_worker);
}

void
ms_domain_checklist_cancel (MsDomainChecklist *self)
{
  g_return_if_fail (MS_IS_DOMAIN_CHECKLIST (self));

  if (self->cancellable == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  if (self->spinner != NULL)
    set_busy (self, FALSE);
}

void
ms_domain_checklist_set_message (MsDomainChecklist *self,
                                 const char        *text)
{
  g_return_if_fail (MS_IS_DOMAIN_CHECKLIST (self));

  ms_domain_checklist_cancel (self);
  g_clear_pointer (&self->items, g_ptr_array_unref);
  clear_rows (self);
  set_summary (self, text);
}

gboolean
ms_domain_checklist_get_busy (MsDomainChecklist *self)
{
  g_return_val_if_fail (MS_IS_DOMAIN_CHECKLIST (self), FALSE);

  return self->cancellable != NULL;
}

GPtrArray *
ms_domain_checklist_get_items (MsDomainChecklist *self)
{
  g_return_val_if_fail (MS_IS_DOMAIN_CHECKLIST (self), NULL);

  return self->items;
}

const char *
ms_domain_checklist_get_summary (MsDomainChecklist *self)
{
  g_return_val_if_fail (MS_IS_DOMAIN_CHECKLIST (self), NULL);

  return self->summary_text;
}

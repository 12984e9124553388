/* ms-servers-view.c
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

#define G_LOG_DOMAIN "ms-servers-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-app-secrets.h"
#include "ms-dialog-util.h"
#include "ms-mailbox-check-job.h"
#include "ms-servers-view.h"
#include "ms-store-campaigns.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"
#include "ms-window.h"

struct _MsServersView
{
  AdwBin          parent_instance;

  /* Template */
  AdwWindowTitle *window_title;
  GtkStack       *stack;
  GtkSpinner     *spinner;
  GtkListBox     *server_list;
  AdwActionRow   *secrets_row;
  AdwStatusPage  *error_page;

  /* State */
  char           *db_path;
  MsSecrets      *secrets;
  GListStore     *servers;
  GHashTable     *health;         /* server id -> MsServerHealth, as last read */
  GCancellable   *cancellable;
  guint           pending;        /* reads and writes in flight */
  gboolean        folded;
  gboolean        loading;        /* last notified */
  GHashTable     *checks;         /* server id -> GCancellable of its running mailbox check */
  char           *last_check_text;
};

G_DEFINE_FINAL_TYPE (MsServersView, ms_servers_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLDED,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  MAILBOX_CHECKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void update_check_widgets (MsServersView *self,
                                  GtkWidget     *row);

static void
add_toast (MsServersView *self,
           AdwToast      *toast)
{
  GtkWidget *window = gtk_widget_get_ancestor (GTK_WIDGET (self), MS_TYPE_WINDOW);

  if (window != NULL)
    ms_window_add_toast (MS_WINDOW (window), toast);
  else
    g_object_unref (g_object_ref_sink (toast));
}

static void
set_pending (MsServersView *self,
             int            delta)
{
  gboolean loading;

  g_assert (delta > 0 || self->pending > 0);
  self->pending += delta;
  loading = self->pending > 0;
  gtk_spinner_set_spinning (self->spinner, loading);
  if (loading != self->loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static void
update_actions (MsServersView *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "servers.add", self->secrets != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "servers.check-mailbox", self->secrets != NULL);
}

/* Rows */

static char *
describe_route (MsServer *server)
{
  switch (ms_server_get_transport (server))
    {
    case MS_TRANSPORT_SENDMAIL:
      return g_strdup (_("The local sendmail program"));
    case MS_TRANSPORT_FOLDER:
      return g_strdup_printf (_("Writes .eml files to %s"),
                              ms_server_get_folder (server) != NULL ? ms_server_get_folder (server) : "?");
    case MS_TRANSPORT_SMTP:
    default:
      {
        const char *login = ms_server_get_login (server);

        /* TRANSLATORS: host:port · security · login */
        if (login != NULL)
          return g_strdup_printf (_("%s:%u · %s · %s"), ms_server_get_host (server), ms_server_get_port (server),
                                  ms_security_to_label (ms_server_get_security (server)), login);
        return g_strdup_printf (_("%s:%u · %s"), ms_server_get_host (server), ms_server_get_port (server),
                                ms_security_to_label (ms_server_get_security (server)));
      }
    }
}

static char *
describe_quotas (MsServer *server)
{
  g_autoptr(GString) text = g_string_new (NULL);
  const MsQuota *quotas;
  guint n_quotas = 0;

  quotas = ms_server_get_quotas (server, &n_quotas);
  for (guint i = 0; i < n_quotas; i++)
    {
      g_autofree char *one = ms_quota_describe (&quotas[i]);

      if (text->len > 0)
        g_string_append (text, ", ");
      g_string_append (text, one);
    }
  if (n_quotas == 0)
    return g_strdup (_("No quotas: as fast as the server takes them"));
  /* TRANSLATORS: %s is like "100 per hour, 500 per day" */
  return g_strdup_printf (_("At most %s"), text->str);
}

typedef struct
{
  MsServer *server;
  gboolean  enabled;
} EnableJob;

static void
enable_job_free (gpointer data)
{
  EnableJob *job = data;

  g_clear_object (&job->server);
  g_free (job);
}

static gpointer
enable_job (MsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  EnableJob *job = data;
  g_autoptr(MsServer) stored = ms_store_get_server (store, ms_server_get_id (job->server), error);

  /* Only this switch changes: the rest stays as stored, even if it changed meanwhile. */
  if (stored == NULL)
    return NULL;
  ms_server_set_enabled (stored, job->enabled);
  return ms_store_update_server (store, stored, error) ? MS_STORE_JOB_DONE : NULL;
}

static void
on_enabled_saved_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  MsServersView *self = MS_SERVERS_VIEW (source);
  g_autoptr(GError) error = NULL;

  set_pending (self, -1);
  if (ms_store_job_finish (result, &error) == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      add_toast (self, adw_toast_new_format (_("Could not change the server: %s"), error->message));
    }
  ms_servers_view_reload (self);
}

static void
on_enabled_switched_cb (GtkSwitch     *toggle,
                        GParamSpec    *pspec,
                        MsServersView *self)
{
  MsServer *server = g_object_get_data (G_OBJECT (toggle), "ms-server");
  EnableJob *job;

  if (gtk_switch_get_active (toggle) == ms_server_get_enabled (server))
    return;

  ms_server_set_enabled (server, gtk_switch_get_active (toggle));
  job = g_new0 (EnableJob, 1);
  job->server = g_object_ref (server);
  job->enabled = gtk_switch_get_active (toggle);
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, enable_job, job, enable_job_free, NULL,
                    self->cancellable, on_enabled_saved_cb, NULL);
}

/* The state a campaign would find the server in: switched off, stopped until the
 * profile is fixed, cooling down after an account-level reply, or ready. */
static const char *
describe_state (MsServer        *server,
                MsServerHealth  *health,
                const char     **css_class,
                char           **detail)
{
  *detail = NULL;
  if (!ms_server_get_enabled (server))
    {
      *css_class = "ms-state-disabled";
      return _("Disabled");
    }
  if (health != NULL && health->stopped)
    {
      *css_class = "ms-state-stopped";
      /* TRANSLATORS: %s is the server's reply, e.g. "535 5.7.8 Authentication failed" */
      *detail = g_strdup_printf (_("Stopped after “%s”. Fix the profile and save it to send again."),
                                 health->reason != NULL ? health->reason : _("an error"));
      return _("Stopped");
    }
  if (health != NULL && health->cooldown_until > g_get_real_time () / G_USEC_PER_SEC)
    {
      g_autoptr(GDateTime) until = g_date_time_new_from_unix_local (health->cooldown_until);
      g_autoptr(GDateTime) now = g_date_time_new_now_local ();
      /* TRANSLATORS: a time of day today, or a day and time, in strftime format */
      g_autofree char *when = g_date_time_format (until, g_date_time_get_day_of_year (until)
                                                         == g_date_time_get_day_of_year (now)
                                                         ? _("%H:%M") : _("%d %b, %H:%M"));

      *css_class = "ms-state-cooling";
      if (health->reason != NULL)
        /* TRANSLATORS: "Resting until 14:05 after “421 4.7.0 Too many messages”" */
        *detail = g_strdup_printf (_("Resting until %s after “%s”."), when, health->reason);
      else
        *detail = g_strdup_printf (_("Resting until %s."), when);
      return _("Cooling Down");
    }
  *css_class = "ms-state-enabled";
  return _("Ready");
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  MsServersView *self = user_data;
  MsServer *server = item;
  GtkWidget *row = adw_action_row_new ();
  MsServerHealth *health = g_hash_table_lookup (self->health, &(gint64) { ms_server_get_id (server) });
  g_autofree char *title = g_markup_escape_text (ms_server_get_name (server), -1);
  g_autofree char *route = describe_route (server);
  g_autofree char *quotas = describe_quotas (server);
  g_autofree char *detail = NULL;
  g_autofree char *subtitle = NULL;
  g_autofree char *escaped = NULL;
  const char *css_class = NULL;
  const char *state_text = describe_state (server, health, &css_class, &detail);
  GtkWidget *state, *toggle, *arrow;
  gboolean enabled = ms_server_get_enabled (server);

  subtitle = detail != NULL ? g_strdup_printf ("%s\n%s\n%s", route, quotas, detail)
                            : g_strdup_printf ("%s\n%s", route, quotas);
  escaped = g_markup_escape_text (subtitle, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row),
                                ms_server_get_transport (server) == MS_TRANSPORT_FOLDER ? "folder-symbolic"
                                : "network-server-symbolic");
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  state = gtk_label_new (state_text);
  gtk_widget_set_name (state, "server-state");
  gtk_widget_set_valign (state, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (state, "ms-state-pill");
  gtk_widget_add_css_class (state, css_class);
  gtk_widget_add_css_class (state, "caption");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), state);

  /* Check Mailbox Now, for profiles with an incoming mailbox only */
  if (ms_server_get_incoming_protocol (server) != MS_INCOMING_NONE)
    {
      GtkWidget *spinner = gtk_spinner_new ();
      GtkWidget *check = gtk_button_new ();

      gtk_widget_set_name (spinner, "check-mailbox-spinner");
      gtk_widget_set_valign (spinner, GTK_ALIGN_CENTER);
      gtk_widget_set_name (check, "check-mailbox-button");
      gtk_widget_set_valign (check, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (check, "flat");
      gtk_actionable_set_action_target (GTK_ACTIONABLE (check), "x", ms_server_get_id (server));
      g_object_set_data (G_OBJECT (row), "ms-check-spinner", spinner);
      g_object_set_data (G_OBJECT (row), "ms-check-button", check);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), spinner);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), check);
    }

  toggle = gtk_switch_new ();
  gtk_switch_set_active (GTK_SWITCH (toggle), enabled);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_widget_set_tooltip_text (toggle, _("Send campaigns through this server"));
  g_object_set_data_full (G_OBJECT (toggle), "ms-server", g_object_ref (server), g_object_unref);
  g_signal_connect_object (toggle, "notify::active", G_CALLBACK (on_enabled_switched_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);

  arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);

  gtk_widget_set_name (row, "server-row");
  g_object_set_data_full (G_OBJECT (row), "ms-server", g_object_ref (server), g_object_unref);
  update_check_widgets (self, row);
  return row;
}

/* Check Mailbox Now */

static gboolean
is_checking (MsServersView *self,
             gint64         server_id)
{
  return self->checks != NULL && g_hash_table_contains (self->checks, &server_id);
}

/* The row's button checks the mailbox, or cancels the check while it runs. */
static void
update_check_widgets (MsServersView *self,
                      GtkWidget     *row)
{
  MsServer *server = g_object_get_data (G_OBJECT (row), "ms-server");
  GtkWidget *spinner = g_object_get_data (G_OBJECT (row), "ms-check-spinner");
  GtkWidget *button = g_object_get_data (G_OBJECT (row), "ms-check-button");
  gboolean checking;
  const char *words;

  if (server == NULL || button == NULL)
    return;
  checking = is_checking (self, ms_server_get_id (server));
  words = checking ? _("Cancel the Mailbox Check") : _("Check Mailbox Now");
  gtk_widget_set_visible (spinner, checking);
  gtk_spinner_set_spinning (GTK_SPINNER (spinner), checking);
  gtk_button_set_icon_name (GTK_BUTTON (button), checking ? "process-stop-symbolic" : "mail-send-receive-symbolic");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), checking ? "servers.cancel-check" : "servers.check-mailbox");
  gtk_widget_set_tooltip_text (button, words);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_LABEL, words, -1);
}

static void
update_all_check_widgets (MsServersView *self)
{
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (self->server_list, i)) != NULL; i++)
    update_check_widgets (self, GTK_WIDGET (row));
}

static MsServer *
find_server (MsServersView *self,
             gint64         server_id)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->servers));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsServer) server = g_list_model_get_item (G_LIST_MODEL (self->servers), i);

      if (ms_server_get_id (server) == server_id)
        return server;   /* the store keeps it */
    }
  return NULL;
}

typedef struct
{
  MsServersView *self;
  gint64         server_id;
  char          *name;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_object_unref (data->self);
  g_free (data->name);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CheckData, check_data_free)

static void
on_mailbox_checked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(CheckData) data = user_data;
  MsServersView *self = data->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  MsMailboxCheckResult counts = { 0 };
  gboolean ok;

  ok = ms_mailbox_check_job_finish (result, &counts, &error);
  if (self->checks == NULL)
    return;   /* the view is gone */
  g_hash_table_remove (self->checks, &data->server_id);
  if (ok)
    {
      g_autofree char *words = ms_mailbox_check_result_describe (&counts);

      /* TRANSLATORS: a server's name, then what its mailbox held, e.g. "3 bounces, 12 messages read" */
      text = g_strdup_printf (_("Mailbox of “%s”: %s"), data->name, words);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    text = g_strdup_printf (_("The check of the mailbox of “%s” was cancelled"), data->name);
  else
    text = g_strdup_printf (_("The mailbox of “%s” could not be checked: %s"), data->name, error->message);

  g_free (self->last_check_text);
  self->last_check_text = g_strdup (text);
  update_all_check_widgets (self);
  {
    g_autofree char *escaped = g_markup_escape_text (text, -1);
    AdwToast *toast = adw_toast_new (escaped);

    adw_toast_set_timeout (toast, ok ? 5 : 0);
    add_toast (self, toast);
  }
  if (ok)
    g_signal_emit (self, signals[MAILBOX_CHECKED], 0, data->server_id, counts.fetched);
}

gboolean
ms_servers_view_check_mailbox (MsServersView *self,
                               gint64         server_id)
{
  g_autoptr(GCancellable) cancellable = NULL;
  CheckData *data;
  MsServer *server;

  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), FALSE);

  server = find_server (self, server_id);
  if (server == NULL || self->secrets == NULL || self->db_path == NULL || is_checking (self, server_id)
      || ms_server_get_incoming_protocol (server) == MS_INCOMING_NONE)
    return FALSE;

  cancellable = g_cancellable_new ();
  g_hash_table_insert (self->checks, g_memdup2 (&server_id, sizeof server_id), g_object_ref (cancellable));
  data = g_new0 (CheckData, 1);
  data->self = g_object_ref (self);
  data->server_id = server_id;
  data->name = g_strdup (ms_server_get_name (server));
  ms_mailbox_check_job_run (self, self->db_path, self->secrets, server, cancellable,
                            on_mailbox_checked_cb, data);
  update_all_check_widgets (self);
  return TRUE;
}

void
ms_servers_view_cancel_check (MsServersView *self,
                              gint64         server_id)
{
  GCancellable *cancellable;

  g_return_if_fail (MS_IS_SERVERS_VIEW (self));

  cancellable = self->checks != NULL ? g_hash_table_lookup (self->checks, &server_id) : NULL;
  if (cancellable != NULL)
    g_cancellable_cancel (cancellable);
}

gboolean
ms_servers_view_get_checking (MsServersView *self,
                              gint64         server_id)
{
  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), FALSE);

  return is_checking (self, server_id);
}

const char *
ms_servers_view_get_last_check_text (MsServersView *self)
{
  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), NULL);

  return self->last_check_text;
}

static void
check_mailbox_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  ms_servers_view_check_mailbox (MS_SERVERS_VIEW (widget), g_variant_get_int64 (param));
}

static void
cancel_check_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ms_servers_view_cancel_check (MS_SERVERS_VIEW (widget), g_variant_get_int64 (param));
}

/* Reading */

typedef struct
{
  GPtrArray *servers;   /* MsServer */
  GPtrArray *health;    /* MsServerHealth, one per server */
} Listed;

static void
health_free (gpointer data)
{
  MsServerHealth *health = data;

  ms_server_health_clear (health);
  g_free (health);
}

static void
listed_free (gpointer data)
{
  Listed *listed = data;

  g_clear_pointer (&listed->servers, g_ptr_array_unref);
  g_clear_pointer (&listed->health, g_ptr_array_unref);
  g_free (listed);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Listed, listed_free)

static gpointer
list_servers_job (MsStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(Listed) listed = g_new0 (Listed, 1);

  if (!(listed->servers = ms_store_list_servers (store, error)))
    return NULL;
  listed->health = g_ptr_array_new_with_free_func (health_free);
  for (guint i = 0; i < listed->servers->len; i++)
    {
      MsServerHealth *health = g_new0 (MsServerHealth, 1);

      g_ptr_array_add (listed->health, health);
      if (!ms_store_get_server_health (store, ms_server_get_id (g_ptr_array_index (listed->servers, i)),
                                       health, error))
        return NULL;
    }
  return g_steal_pointer (&listed);
}

static void
on_servers_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  MsServersView *self = MS_SERVERS_VIEW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(Listed) listed = ms_store_job_finish (result, &error);
  g_autofree char *subtitle = NULL;
  GPtrArray *servers;

  set_pending (self, -1);
  if (listed == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      adw_status_page_set_description (self->error_page, error->message);
      gtk_stack_set_visible_child_name (self->stack, "error");
      return;
    }

  servers = listed->servers;
  g_hash_table_remove_all (self->health);
  for (guint i = 0; i < servers->len; i++)
    {
      MsServerHealth *health = g_ptr_array_steal_index (listed->health, 0);

      health->server_id = ms_server_get_id (g_ptr_array_index (servers, i));
      g_hash_table_insert (self->health, &health->server_id, health);
    }
  g_list_store_splice (self->servers, 0, g_list_model_get_n_items (G_LIST_MODEL (self->servers)),
                       servers->pdata, servers->len);
  if (servers->len > 0)
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u server", "%u servers", servers->len),
                                servers->len);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_stack_set_visible_child_name (self->stack, servers->len > 0 ? "list" : "empty");
}

static void
load_servers (MsServersView *self)
{
  set_pending (self, 1);
  ms_store_job_run (self, self->db_path, list_servers_job, NULL, NULL, listed_free,
                    self->cancellable, on_servers_loaded_cb, NULL);
}

static void
on_secrets_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MsServersView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSecrets) secrets = ms_app_secrets_load_finish (result, &error);
  g_autofree char *where = NULL;
  g_autofree char *escaped = NULL;

  set_pending (self, -1);
  if (secrets == NULL)
    return;
  g_set_object (&self->secrets, secrets);
  where = ms_secrets_describe (secrets);
  escaped = g_markup_escape_text (where, -1);
  adw_action_row_set_subtitle (self->secrets_row, escaped);
  if (ms_secrets_get_backend (secrets) == MS_SECRETS_BACKEND_FILE)
    adw_action_row_set_icon_name (self->secrets_row, "dialog-warning-symbolic");
  update_actions (self);
  load_servers (self);
}

void
ms_servers_view_reload (MsServersView *self)
{
  g_return_if_fail (MS_IS_SERVERS_VIEW (self));

  if (self->db_path == NULL)
    return;
  if (self->secrets == NULL)
    {
      set_pending (self, 1);
      ms_app_secrets_load_async (self->db_path, self->cancellable, on_secrets_loaded_cb, g_object_ref (self));
      return;
    }
  load_servers (self);
}

/* Editing */

static void
on_server_saved_cb (MsServersView  *self,
                    MsServer       *server,
                    MsServerEditor *editor)
{
  add_toast (self, adw_toast_new_format (_("Server “%s” saved"), ms_server_get_name (server)));
  ms_servers_view_reload (self);
}

static void
on_server_removed_cb (MsServersView  *self,
                      const char     *name,
                      MsServerEditor *editor)
{
  add_toast (self, adw_toast_new_format (_("Server “%s” removed"), name));
  ms_servers_view_reload (self);
}

/* Check Now in an editor read the mailbox: tell it as a row's check would. */
static void
on_editor_mailbox_checked_cb (MsServersView  *self,
                              gint64          server_id,
                              guint           fetched,
                              MsServerEditor *editor)
{
  g_signal_emit (self, signals[MAILBOX_CHECKED], 0, server_id, fetched);
}

MsServerEditor *
ms_servers_view_open_editor (MsServersView *self,
                             MsServer      *server)
{
  GtkRoot *root;
  MsServerEditor *editor;

  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), NULL);
  g_return_val_if_fail (self->secrets != NULL, NULL);

  root = gtk_widget_get_root (GTK_WIDGET (self));
  editor = ms_server_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                 self->db_path, self->secrets, server);
  ms_dialog_hold_parent (GTK_WINDOW (editor));
  g_signal_connect_object (editor, "saved", G_CALLBACK (on_server_saved_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (editor, "removed", G_CALLBACK (on_server_removed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (editor, "mailbox-checked", G_CALLBACK (on_editor_mailbox_checked_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  return editor;
}

static void
on_row_activated_cb (MsServersView *self,
                     GtkListBoxRow *row)
{
  MsServer *server = g_object_get_data (G_OBJECT (row), "ms-server");

  if (server != NULL && self->secrets != NULL)
    ms_servers_view_open_editor (self, server);
}

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  ms_servers_view_open_editor (MS_SERVERS_VIEW (widget), NULL);
}

/* GObject */

static void
ms_servers_view_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ms_servers_view_parent_class)->map (widget);

  /* Read again each time the section is shown: the CLI may have changed it. */
  ms_servers_view_reload (MS_SERVERS_VIEW (widget));
}

static void
ms_servers_view_dispose (GObject *object)
{
  MsServersView *self = MS_SERVERS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->checks != NULL)
    {
      GHashTableIter iter;
      gpointer cancellable;

      g_hash_table_iter_init (&iter, self->checks);
      while (g_hash_table_iter_next (&iter, NULL, &cancellable))
        g_cancellable_cancel (cancellable);
      g_clear_pointer (&self->checks, g_hash_table_unref);
    }
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_SERVERS_VIEW);
  g_clear_object (&self->servers);
  g_clear_pointer (&self->health, g_hash_table_unref);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (ms_servers_view_parent_class)->dispose (object);
}

static void
ms_servers_view_finalize (GObject *object)
{
  MsServersView *self = MS_SERVERS_VIEW (object);

  g_clear_object (&self->cancellable);
  g_free (self->db_path);
  g_free (self->last_check_text);

  G_OBJECT_CLASS (ms_servers_view_parent_class)->finalize (object);
}

static void
ms_servers_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MsServersView *self = MS_SERVERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_servers_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  MsServersView *self = MS_SERVERS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_servers_view_class_init (MsServersViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_servers_view_dispose;
  object_class->finalize = ms_servers_view_finalize;
  object_class->get_property = ms_servers_view_get_property;
  object_class->set_property = ms_servers_view_set_property;
  widget_class->map = ms_servers_view_map;

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A mailbox check from a row or an editor finished: the server's id and how
   * many messages it read (bounces may have changed the campaigns' counts). */
  signals[MAILBOX_CHECKED] =
    g_signal_new ("mailbox-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-servers-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MsServersView, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsServersView, stack);
  gtk_widget_class_bind_template_child (widget_class, MsServersView, spinner);
  gtk_widget_class_bind_template_child (widget_class, MsServersView, server_list);
  gtk_widget_class_bind_template_child (widget_class, MsServersView, secrets_row);
  gtk_widget_class_bind_template_child (widget_class, MsServersView, error_page);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);

  gtk_widget_class_install_action (widget_class, "servers.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "servers.check-mailbox", "x", check_mailbox_action);
  gtk_widget_class_install_action (widget_class, "servers.cancel-check", "x", cancel_check_action);
}

static void
ms_servers_view_init (MsServersView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->servers = g_list_store_new (MS_TYPE_SERVER);
  self->health = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, health_free);
  self->checks = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  gtk_list_box_bind_model (self->server_list, G_LIST_MODEL (self->servers), create_row, self, NULL);
  update_actions (self);
}

void
ms_servers_view_set_db_path (MsServersView *self,
                             const char    *db_path)
{
  g_return_if_fail (MS_IS_SERVERS_VIEW (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  g_clear_object (&self->secrets);
  update_actions (self);
  if (gtk_widget_get_mapped (GTK_WIDGET (self)))
    ms_servers_view_reload (self);
}

GListModel *
ms_servers_view_get_servers (MsServersView *self)
{
  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), NULL);

  return G_LIST_MODEL (self->servers);
}

gboolean
ms_servers_view_get_loading (MsServersView *self)
{
  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), FALSE);

  return self->loading;
}

MsSecrets *
ms_servers_view_get_secrets (MsServersView *self)
{
  g_return_val_if_fail (MS_IS_SERVERS_VIEW (self), NULL);

  return self->secrets;
}

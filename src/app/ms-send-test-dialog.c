/* ms-send-test-dialog.c
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

#define G_LOG_DOMAIN "ms-send-test-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-address.h"
#include "ms-app-secrets.h"
#include "ms-message.h"
#include "ms-send-test-dialog.h"
#include "ms-sender.h"
#include "ms-server-test.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"

struct _MsSendTestDialog
{
  AdwWindow            parent_instance;

  /* Template */
  GtkWidget           *send_button;
  AdwComboRow         *server_row;
  AdwEntryRow         *to_row;
  AdwActionRow        *contact_row;
  GtkWidget           *status_group;
  GtkSpinner          *spinner;
  GtkWidget           *status_icon;
  GtkLabel            *status_label;
  GtkLabel            *explanation_label;

  /* State */
  char                *db_path;
  MsTemplate          *tmpl;
  MsContact           *contact;
  GStrv                custom_fields;
  GPtrArray           *servers;         /* MsServer, in the order of server_row */
  MsSecrets           *secrets;
  GCancellable        *cancellable;     /* the dialog's lifetime */
  GCancellable        *send_cancellable;
  char                *error;
  gboolean             to_edited;       /* the person typed an address */
  gboolean             syncing;
  gboolean             sending;
};

G_DEFINE_FINAL_TYPE (MsSendTestDialog, ms_send_test_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_READY,
  PROP_SENDING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SENT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_gone (MsSendTestDialog *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

static MsServer *
selected_server (MsSendTestDialog *self)
{
  guint index = adw_combo_row_get_selected (self->server_row);

  if (self->servers == NULL || index >= self->servers->len)
    return NULL;
  return g_ptr_array_index (self->servers, index);
}

static void
update_actions (MsSendTestDialog *self)
{
  g_autofree char *to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));
  gboolean ready = self->secrets != NULL && selected_server (self) != NULL;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "test.send",
                                 ready && !self->sending && ms_address_is_valid (to));
}

static void
show_status (MsSendTestDialog *self,
             const char       *text,
             const char       *explanation,
             gboolean          failed)
{
  gtk_widget_set_visible (self->status_group, text != NULL);
  gtk_spinner_set_spinning (self->spinner, self->sending);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->sending);
  gtk_widget_set_visible (self->status_icon, failed);
  gtk_label_set_text (self->status_label, text != NULL ? text : "");
  gtk_label_set_text (self->explanation_label, explanation != NULL ? explanation : "");
  gtk_widget_set_visible (GTK_WIDGET (self->explanation_label), explanation != NULL);
}

static void
on_server_selected_cb (MsSendTestDialog *self)
{
  MsServer *server = selected_server (self);

  /* The server's own address, until the person types another. */
  if (server != NULL && !self->to_edited)
    {
      self->syncing = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (self->to_row), ms_server_get_sender_address (server));
      self->syncing = FALSE;
    }
  update_actions (self);
}

static void
on_to_changed_cb (MsSendTestDialog *self)
{
  if (!self->syncing)
    self->to_edited = TRUE;
  update_actions (self);
}

/* Reading the servers */

static gpointer
list_servers_job (MsStore       *store,
                  gpointer       data,
                  GCancellable  *cancellable,
                  GError       **error)
{
  return ms_store_list_servers (store, error);
}

static void
on_servers_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = ms_store_job_finish (result, &error);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint first_enabled = 0;

  if (is_gone (self))
    return;
  if (servers == NULL)
    {
      show_status (self, error->message, NULL, TRUE);
      return;
    }
  if (servers->len == 0)
    {
      show_status (self, _("There is no server to send through yet."),
                   _("Add one in the Servers section: typing your address fills it in."), TRUE);
      return;
    }
  for (guint i = servers->len; i > 0; i--)
    {
      MsServer *server = g_ptr_array_index (servers, i - 1);

      if (ms_server_get_enabled (server))
        first_enabled = i - 1;
    }
  for (guint i = 0; i < servers->len; i++)
    gtk_string_list_append (names, ms_server_get_name (g_ptr_array_index (servers, i)));
  self->servers = g_steal_pointer (&servers);
  self->syncing = TRUE;
  adw_combo_row_set_model (self->server_row, G_LIST_MODEL (names));
  self->syncing = FALSE;
  adw_combo_row_set_selected (self->server_row, first_enabled);
  on_server_selected_cb (self);
  if (self->secrets != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

static void
on_secrets_loaded_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  g_autoptr(MsSendTestDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSecrets) secrets = ms_app_secrets_load_finish (result, &error);

  if (secrets == NULL || is_gone (self))
    return;
  self->secrets = g_steal_pointer (&secrets);
  update_actions (self);
  if (self->servers != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_READY]);
}

/* Sending, on a worker thread */

typedef struct
{
  MsSendTestDialog *dialog;   /* only to hand progress back; never touched here */
  GMainContext     *context;
  MsTemplate       *tmpl;
  MsContact        *contact;
  MsServer         *server;
  MsSecrets        *secrets;
  GStrv             custom_fields;
  char             *to;

  /* a failure */
  char             *explanation;
} SendJob;

static void
send_job_free (gpointer data)
{
  SendJob *job = data;

  g_clear_object (&job->dialog);
  g_main_context_unref (job->context);
  g_clear_object (&job->tmpl);
  g_clear_object (&job->contact);
  g_clear_object (&job->server);
  g_clear_object (&job->secrets);
  g_strfreev (job->custom_fields);
  g_free (job->to);
  g_free (job->explanation);
  g_free (job);
}

typedef struct
{
  MsSendTestDialog *dialog;
  char             *text;
} Progress;

static void
progress_free (gpointer data)
{
  Progress *progress = data;

  g_object_unref (progress->dialog);
  g_free (progress->text);
  g_free (progress);
}

static gboolean
progress_cb (gpointer data)
{
  Progress *progress = data;

  if (progress->dialog->sending && !is_gone (progress->dialog))
    show_status (progress->dialog, progress->text, NULL, FALSE);
  return G_SOURCE_REMOVE;
}

static void
post_progress (SendJob    *job,
               const char *text)
{
  Progress *progress = g_new0 (Progress, 1);

  progress->dialog = g_object_ref (job->dialog);
  progress->text = g_strdup (text);
  g_main_context_invoke_full (job->context, G_PRIORITY_DEFAULT, progress_cb, progress, progress_free);
}

/* The contact's fields, sent to the test address. */
static MsContact *
test_recipient (MsContact  *contact,
                const char *to)
{
  MsContact *copy = ms_contact_new (to);
  g_autofree char *fields = NULL;

  if (contact == NULL)
    return copy;
  ms_contact_set_name (copy, ms_contact_get_name (contact));
  ms_contact_set_first_name (copy, ms_contact_get_first_name (contact));
  ms_contact_set_last_name (copy, ms_contact_get_last_name (contact));
  fields = ms_contact_dup_fields_json (contact);
  if (fields != NULL)
    ms_contact_set_fields_json (copy, fields, NULL);
  return copy;
}

static gboolean
sign_with_dkim (SendJob            *job,
                MsMessageRenderer  *renderer,
                GError            **error)
{
  MsServer *server = job->server;
  char *key;
  gboolean ok;

  if (ms_server_get_dkim_key_ref (server) == NULL)
    return TRUE;
  key = ms_secrets_lookup (job->secrets, MS_SECRET_DKIM, ms_server_get_dkim_domain (server),
                           ms_server_get_dkim_selector (server), NULL, error);
  if (key == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_DKIM,
                     _("The DKIM key of “%s” is not in the secret store: choose the key file again."),
                     ms_server_get_name (server));
      return FALSE;
    }
  ok = ms_message_renderer_set_dkim (renderer, ms_server_get_dkim_domain (server),
                                     ms_server_get_dkim_selector (server), key, error);
  ms_secret_free (key);
  return ok;
}

static void
send_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SendJob *job = task_data;
  MsServer *server = job->server;
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) recipient = test_recipient (job->contact, job->to);
  g_autoptr(MsSender) sender = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  const char *address = ms_server_get_sender_address (server);
  const char *domain = address != NULL && strrchr (address, '@') != NULL ? strrchr (address, '@') + 1
                                                                         : "mailshot.invalid";
  const char *recipients[] = { job->to, NULL };
  MsMessageSender from = { 0 };

  from.from_address = address;
  from.from_name = ms_server_get_sender_name (server);
  from.allow_sender_substitution = ms_server_get_allow_sender_substitution (server);
  from.unsubscribe_address = address;

  renderer = ms_message_renderer_new (job->tmpl, &from, (const char * const *) job->custom_fields, &error);
  if (renderer == NULL || !sign_with_dkim (job, renderer, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  message_id = ms_message_new_message_id (domain);
  if (!(message = ms_message_renderer_render (renderer, recipient, message_id, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  {
    g_autofree char *text = g_strdup_printf (_("Connecting to %s…"), ms_server_get_name (server));

    post_progress (job, text);
  }
  sender = ms_sender_new_for_server (server, job->secrets);
  if (ms_sender_open (sender, cancellable, &error))
    {
      post_progress (job, _("Sending…"));
      ms_sender_send (sender, message, address, recipients, NULL, NULL, NULL, cancellable, &error);
    }
  if (error != NULL)
    {
      MsSmtpClient *client = ms_sender_get_smtp_client (sender);
      MsSmtpStage stage = MS_SMTP_STAGE_GREETING;
      const MsSmtpReply *reply = client != NULL ? ms_smtp_client_get_error_reply (client, &stage) : NULL;

      job->explanation = ms_server_explain_error (server, error, reply, stage, NULL);
      ms_sender_close (sender, NULL);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  ms_sender_close (sender, NULL);
  g_task_return_pointer (task, g_strdup (ms_sender_get_last_response (sender)), g_free);
}

static void
set_sending (MsSendTestDialog *self,
             gboolean          sending)
{
  self->sending = sending;
  gtk_widget_set_sensitive (GTK_WIDGET (self->server_row), !sending);
  gtk_widget_set_sensitive (GTK_WIDGET (self->to_row), !sending);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SENDING]);
}

static void
on_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (source);
  SendJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  g_autofree char *response = g_task_propagate_pointer (G_TASK (result), &error);
  g_autofree char *summary = NULL;

  g_clear_object (&self->send_cancellable);
  if (is_gone (self))
    return;
  set_sending (self, FALSE);
  if (error != NULL)
    {
      g_free (self->error);
      self->error = g_strdup (error->message);
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_status (self, _("Sending was cancelled."), NULL, FALSE);
      else
        show_status (self, error->message, job->explanation, TRUE);
      return;
    }

  summary = g_strdup_printf (_("Test message sent to %s through %s"), job->to, ms_server_get_name (job->server));
  g_debug ("%s: %s", summary, response != NULL ? response : "");
  g_signal_emit (self, signals[SIGNAL_SENT], 0, summary);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
send_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (widget);
  g_autoptr(GTask) task = NULL;
  MsServer *server = selected_server (self);
  SendJob *job;

  if (server == NULL || self->secrets == NULL || self->sending)
    return;

  job = g_new0 (SendJob, 1);
  job->dialog = g_object_ref (self);
  job->context = g_main_context_ref_thread_default ();
  job->tmpl = ms_template_copy (self->tmpl);
  job->contact = self->contact != NULL ? g_object_ref (self->contact) : NULL;
  job->server = ms_server_copy (server);
  job->secrets = g_object_ref (self->secrets);
  job->custom_fields = g_strdupv (self->custom_fields);
  job->to = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->to_row))));

  g_clear_pointer (&self->error, g_free);
  self->send_cancellable = g_cancellable_new ();
  set_sending (self, TRUE);
  show_status (self, _("Preparing the message…"), NULL, FALSE);
  task = g_task_new (self, self->send_cancellable, on_sent_cb, NULL);
  g_task_set_source_tag (task, send_action);
  g_task_set_task_data (task, job, send_job_free);
  g_task_run_in_thread (task, send_worker);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (widget);

  if (self->sending && self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  else
    gtk_window_close (GTK_WINDOW (self));
}

/* GObject */

static gboolean
ms_send_test_dialog_close_request (GtkWindow *window)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (window);

  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  return GTK_WINDOW_CLASS (ms_send_test_dialog_parent_class)->close_request (window);
}

static void
ms_send_test_dialog_dispose (GObject *object)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->send_cancellable != NULL)
    g_cancellable_cancel (self->send_cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_SEND_TEST_DIALOG);
  g_clear_object (&self->tmpl);
  g_clear_object (&self->contact);
  g_clear_object (&self->secrets);
  g_clear_pointer (&self->servers, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_send_test_dialog_parent_class)->dispose (object);
}

static void
ms_send_test_dialog_finalize (GObject *object)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (object);

  g_clear_object (&self->cancellable);
  g_clear_object (&self->send_cancellable);
  g_strfreev (self->custom_fields);
  g_free (self->db_path);
  g_free (self->error);

  G_OBJECT_CLASS (ms_send_test_dialog_parent_class)->finalize (object);
}

static void
ms_send_test_dialog_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  MsSendTestDialog *self = MS_SEND_TEST_DIALOG (object);

  switch (prop_id)
    {
    case PROP_READY:
      g_value_set_boolean (value, ms_send_test_dialog_get_ready (self));
      break;
    case PROP_SENDING:
      g_value_set_boolean (value, self->sending);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_send_test_dialog_class_init (MsSendTestDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ms_send_test_dialog_dispose;
  object_class->finalize = ms_send_test_dialog_finalize;
  object_class->get_property = ms_send_test_dialog_get_property;
  window_class->close_request = ms_send_test_dialog_close_request;

  properties[PROP_READY] =
    g_param_spec_boolean ("ready", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SENDING] =
    g_param_spec_boolean ("sending", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SENT] =
    g_signal_new ("sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-send-test-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, send_button);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, to_row);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, contact_row);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, status_group);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, status_label);
  gtk_widget_class_bind_template_child (widget_class, MsSendTestDialog, explanation_label);
  gtk_widget_class_bind_template_callback (widget_class, on_server_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_to_changed_cb);

  gtk_widget_class_install_action (widget_class, "test.send", NULL, send_action);
  gtk_widget_class_install_action (widget_class, "test.cancel", NULL, cancel_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "test.cancel", NULL);
}

static void
ms_send_test_dialog_init (MsSendTestDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  update_actions (self);
}

MsSendTestDialog *
ms_send_test_dialog_new (GtkWindow          *parent,
                         const char         *db_path,
                         MsTemplate         *tmpl,
                         MsContact          *contact,
                         const char * const *custom_fields)
{
  MsSendTestDialog *self;
  g_autofree char *who = NULL;
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (MS_IS_TEMPLATE (tmpl), NULL);
  g_return_val_if_fail (contact == NULL || MS_IS_CONTACT (contact), NULL);

  self = g_object_new (MS_TYPE_SEND_TEST_DIALOG, "transient-for", parent, NULL);
  self->db_path = g_strdup (db_path);
  self->tmpl = ms_template_copy (tmpl);
  self->contact = contact != NULL ? g_object_ref (contact) : NULL;
  self->custom_fields = g_strdupv ((GStrv) custom_fields);

  if (contact != NULL)
    {
      g_autofree char *name = ms_contact_dup_display_name (contact);

      who = name != NULL && name[0] != '\0' ? g_strdup_printf ("%s <%s>", name, ms_contact_get_email (contact))
                                            : g_strdup (ms_contact_get_email (contact));
    }
  else
    who = g_strdup (_("Nobody: merge fields without a default fail"));
  escaped = g_markup_escape_text (who, -1);
  adw_action_row_set_subtitle (self->contact_row, escaped);

  ms_store_job_run (self, db_path, list_servers_job, NULL, NULL, (GDestroyNotify) g_ptr_array_unref,
                    self->cancellable, on_servers_loaded_cb, NULL);
  ms_app_secrets_load_async (db_path, self->cancellable, on_secrets_loaded_cb, g_object_ref (self));
  return self;
}

gboolean
ms_send_test_dialog_get_ready (MsSendTestDialog *self)
{
  g_return_val_if_fail (MS_IS_SEND_TEST_DIALOG (self), FALSE);

  return self->secrets != NULL && self->servers != NULL;
}

gboolean
ms_send_test_dialog_get_sending (MsSendTestDialog *self)
{
  g_return_val_if_fail (MS_IS_SEND_TEST_DIALOG (self), FALSE);

  return self->sending;
}

const char *
ms_send_test_dialog_get_error (MsSendTestDialog *self)
{
  g_return_val_if_fail (MS_IS_SEND_TEST_DIALOG (self), NULL);

  return self->error;
}

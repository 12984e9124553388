/* ms-server-editor.c
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

#define G_LOG_DOMAIN "ms-server-editor"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-connection-log.h"
#include "ms-dialog-util.h"
#include "ms-mailbox-check-job.h"
#include "ms-provider.h"
#include "ms-quota-row.h"
#include "ms-server-editor-private.h"
#include "ms-server-save.h"

#define MIB 1048576.0

G_DEFINE_FINAL_TYPE (MsServerEditor, ms_server_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_TESTING,
  PROP_SAVING,
  PROP_DETECTING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_SAVED,
  SIGNAL_REMOVED,
  SIGNAL_MAILBOX_CHECKED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static gboolean
is_gone (MsServerEditor *self)
{
  return g_cancellable_is_cancelled (self->cancellable);
}

/* Widgets and the working copy */

static void
read_quotas (MsServerEditor *self)
{
  g_autoptr(GArray) quotas = g_array_new (FALSE, FALSE, sizeof (MsQuota));

  for (GtkWidget *row = gtk_widget_get_first_child (GTK_WIDGET (self->quota_list));
       row != NULL;
       row = gtk_widget_get_next_sibling (row))
    {
      MsQuota quota;

      if (!MS_IS_QUOTA_ROW (row))
        continue;
      ms_quota_row_get_quota (MS_QUOTA_ROW (row), &quota);
      g_array_append_val (quotas, quota);
    }
  ms_server_set_quotas (self->server, (const MsQuota *) (gpointer) quotas->data, quotas->len);
}

static void
read_widgets (MsServerEditor *self)
{
  MsServer *s = self->server;
  g_autofree char *address = _ms_editor_dup_text (self->address_row);
  g_autofree char *sender_name = _ms_editor_dup_text (self->sender_name_row);
  g_autofree char *name = _ms_editor_dup_text (self->name_row);
  g_autofree char *host = _ms_editor_dup_text (self->host_row);
  g_autofree char *login = _ms_editor_dup_text (self->login_row);
  g_autofree char *fingerprint = _ms_editor_dup_text (self->fingerprint_row);
  g_autofree char *incoming_host = _ms_editor_dup_text (self->incoming_host_row);
  g_autofree char *incoming_login = _ms_editor_dup_text (self->incoming_login_row);
  g_autofree char *incoming_folder = _ms_editor_dup_text (self->incoming_folder_row);
  g_autofree char *dkim_domain = _ms_editor_dup_text (self->dkim_domain_row);
  g_autofree char *dkim_selector = _ms_editor_dup_text (self->dkim_selector_row);
  double size_mb = gtk_spin_button_get_value (self->max_size_spin);

  ms_server_set_sender_address (s, address);
  ms_server_set_sender_name (s, sender_name);
  ms_server_set_name (s, name);
  ms_server_set_transport (s, (MsTransport) adw_combo_row_get_selected (self->transport_row));
  ms_server_set_host (s, host);
  ms_server_set_security (s, (MsSecurity) adw_combo_row_get_selected (self->security_row));
  ms_server_set_port (s, (guint) gtk_spin_button_get_value_as_int (self->port_spin));
  ms_server_set_login (s, login);
  ms_server_set_pinned_fingerprint (s, fingerprint);
  ms_server_set_max_connections (s, (guint) gtk_spin_button_get_value_as_int (self->connections_spin));
  ms_server_set_pause_ms (s, (guint) gtk_spin_button_get_value_as_int (self->pause_spin));
  /* Shown in whole MiB: a preset's exact limit stays unless the person changes it. */
  if ((guint64) size_mb != (guint64) (ms_server_get_max_message_size (s) / MIB + 0.5))
    ms_server_set_max_message_size (s, (guint64) (size_mb * MIB));
  ms_server_set_max_recipients (s, (guint) gtk_spin_button_get_value_as_int (self->recipients_spin));
  ms_server_set_priority (s, gtk_spin_button_get_value_as_int (self->priority_spin));
  ms_server_set_enabled (s, gtk_switch_get_active (self->enabled_switch));
  ms_server_set_allow_sender_substitution (s, gtk_switch_get_active (self->substitution_switch));
  read_quotas (self);

  ms_server_set_incoming_protocol (s, (MsIncomingProtocol) adw_combo_row_get_selected (self->incoming_protocol_row));
  ms_server_set_incoming_host (s, incoming_host);
  ms_server_set_incoming_security (s, (MsSecurity) adw_combo_row_get_selected (self->incoming_security_row));
  ms_server_set_incoming_port (s, (guint) gtk_spin_button_get_value_as_int (self->incoming_port_spin));
  ms_server_set_incoming_login (s, incoming_login);
  ms_server_set_incoming_folder (s, incoming_folder);
  ms_server_set_incoming_keep (s, gtk_switch_get_active (self->keep_switch));
  ms_server_set_dkim_domain (s, dkim_domain);
  ms_server_set_dkim_selector (s, dkim_selector);
}

static void on_quota_changed_cb (MsServerEditor *self);
static void on_quota_remove_cb  (MsServerEditor *self,
                                 MsQuotaRow     *row);

static void
add_quota_row (MsServerEditor *self,
               const MsQuota  *quota)
{
  MsQuotaRow *row = ms_quota_row_new (quota);

  g_signal_connect_object (row, "changed", G_CALLBACK (on_quota_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (row, "remove", G_CALLBACK (on_quota_remove_cb), self, G_CONNECT_SWAPPED);
  gtk_list_box_append (self->quota_list, GTK_WIDGET (row));
}

static void
write_quotas (MsServerEditor *self)
{
  const MsQuota *quotas;
  guint n_quotas = 0;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->quota_list))) != NULL)
    gtk_list_box_remove (self->quota_list, child);
  quotas = ms_server_get_quotas (self->server, &n_quotas);
  for (guint i = 0; i < n_quotas; i++)
    add_quota_row (self, &quotas[i]);
}

static void
write_widgets (MsServerEditor *self)
{
  MsServer *s = self->server;

  self->syncing = TRUE;
  _ms_editor_set_text (self->address_row, ms_server_get_sender_address (s));
  _ms_editor_set_text (self->sender_name_row, ms_server_get_sender_name (s));
  _ms_editor_set_text (self->name_row, ms_server_get_name (s));
  adw_combo_row_set_selected (self->transport_row, ms_server_get_transport (s));
  _ms_editor_set_text (self->host_row, ms_server_get_host (s));
  adw_combo_row_set_selected (self->security_row, ms_server_get_security (s));
  gtk_spin_button_set_value (self->port_spin, ms_server_get_port (s) != 0
                                              ? ms_server_get_port (s)
                                              : ms_security_default_port (ms_server_get_security (s)));
  _ms_editor_set_text (self->login_row, ms_server_get_login (s));
  _ms_editor_set_text (self->fingerprint_row, ms_server_get_pinned_fingerprint (s));
  gtk_spin_button_set_value (self->connections_spin, MAX (ms_server_get_max_connections (s), 1));
  gtk_spin_button_set_value (self->pause_spin, ms_server_get_pause_ms (s));
  gtk_spin_button_set_value (self->max_size_spin, (guint64) (ms_server_get_max_message_size (s) / MIB + 0.5));
  gtk_spin_button_set_value (self->recipients_spin, ms_server_get_max_recipients (s));
  gtk_spin_button_set_value (self->priority_spin, ms_server_get_priority (s));
  gtk_switch_set_active (self->enabled_switch, ms_server_get_enabled (s));
  gtk_switch_set_active (self->substitution_switch, ms_server_get_allow_sender_substitution (s));
  write_quotas (self);

  adw_combo_row_set_selected (self->incoming_protocol_row, ms_server_get_incoming_protocol (s));
  _ms_editor_set_text (self->incoming_host_row, ms_server_get_incoming_host (s));
  adw_combo_row_set_selected (self->incoming_security_row, ms_server_get_incoming_security (s));
  gtk_spin_button_set_value (self->incoming_port_spin,
                             ms_server_get_incoming_port (s) != 0
                             ? ms_server_get_incoming_port (s)
                             : ms_incoming_default_port (MAX (ms_server_get_incoming_protocol (s), MS_INCOMING_IMAP),
                                                         ms_server_get_incoming_security (s)));
  _ms_editor_set_text (self->incoming_login_row, ms_server_get_incoming_login (s));
  _ms_editor_set_text (self->incoming_folder_row, ms_server_get_incoming_folder (s));
  gtk_switch_set_active (self->keep_switch, ms_server_get_incoming_keep (s));
  _ms_editor_set_text (self->dkim_domain_row, ms_server_get_dkim_domain (s));
  _ms_editor_set_text (self->dkim_selector_row, ms_server_get_dkim_selector (s));
  self->security = ms_server_get_security (s);
  self->incoming_security = ms_server_get_incoming_security (s);
  self->incoming_protocol = ms_server_get_incoming_protocol (s);
  self->syncing = FALSE;
}

/* State: visibility, explanations, validation */

static const char *
security_explanation (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      return _("Encrypted from the first byte. Usually port 465.");
    case MS_SECURITY_STARTTLS:
      return _("Starts plain and switches to encryption before the login; Mailshot stops if the "
               "server does not offer it. Usually port 587.");
    case MS_SECURITY_NONE:
    default:
      return _("Only for a server on your own network: the password and the messages would travel "
               "readable by anyone on the way.");
    }
}

static void
update_preset_row (MsServerEditor *self)
{
  g_autoptr(GString) notes = g_string_new (NULL);
  g_autofree char *title = NULL;
  g_autofree char *escaped = NULL;
  const char * const *quirks;
  const char *url;

  gtk_widget_set_visible (GTK_WIDGET (self->preset_row), self->provider != NULL);
  if (self->provider == NULL)
    return;

  title = g_strdup_printf (_("Settings for %s filled in"), ms_provider_get_name (self->provider));
  escaped = g_markup_escape_text (title, -1);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->preset_row), escaped);

  quirks = ms_provider_get_quirks (self->provider);
  for (guint i = 0; quirks != NULL && quirks[i] != NULL; i++)
    {
      const char *text = ms_provider_quirk_text (quirks[i]);

      if (text == NULL)
        continue;
      if (notes->len > 0)
        g_string_append_c (notes, '\n');
      g_string_append_printf (notes, "• %s", text);
    }
  if (notes->len == 0)
    g_string_append (notes, _("Check the quotas: they are careful guesses, not the provider’s promise."));
  _ms_editor_set_subtitle (self->preset_row, notes->str);

  url = ms_provider_get_help_url (self->provider);
  gtk_widget_set_visible (GTK_WIDGET (self->preset_link), url != NULL);
  if (url != NULL)
    gtk_link_button_set_uri (self->preset_link, url);
}

static void
update_file_rows (MsServerEditor *self)
{
  const char *ca_file = ms_server_get_ca_file (self->server);
  const char *folder = ms_server_get_folder (self->server);

  _ms_editor_set_subtitle (self->ca_file_row, ca_file != NULL ? ca_file : _("None: the system’s authorities are trusted"));
  gtk_widget_set_visible (self->ca_file_clear, ca_file != NULL);
  _ms_editor_set_subtitle (self->folder_row, folder != NULL ? folder : _("No folder chosen"));

  if (self->dkim_key_file != NULL)
    {
      g_autofree char *path = g_file_get_path (self->dkim_key_file);
      g_autofree char *text = g_strdup_printf (_("%s: stored with the passwords when you save"), path);

      _ms_editor_set_subtitle (self->dkim_key_row, text);
    }
  else if (self->dkim_key_known && !self->dkim_key_cleared)
    _ms_editor_set_subtitle (self->dkim_key_row, _("Stored with the passwords"));
  else
    _ms_editor_set_subtitle (self->dkim_key_row, _("None"));
  gtk_widget_set_visible (self->dkim_key_clear,
                          self->dkim_key_file != NULL || (self->dkim_key_known && !self->dkim_key_cleared));
}

static void
update_password_hints (MsServerEditor *self)
{
  gtk_widget_set_visible (self->password_stored,
                          self->password_known
                          && gtk_editable_get_text (GTK_EDITABLE (self->password_row))[0] == '\0');
  gtk_widget_set_visible (self->incoming_password_stored,
                          self->incoming_password_known
                          && gtk_editable_get_text (GTK_EDITABLE (self->incoming_password_row))[0] == '\0');
}

static void
update_state (MsServerEditor *self)
{
  MsServer *s = self->server;
  MsTransport transport = ms_server_get_transport (s);
  MsIncomingProtocol incoming = ms_server_get_incoming_protocol (s);
  gboolean smtp = transport == MS_TRANSPORT_SMTP;
  g_autoptr(GError) error = NULL;
  g_autofree char *security_text = g_markup_escape_text (security_explanation (ms_server_get_security (s)), -1);

  gtk_widget_set_visible (GTK_WIDGET (self->host_row), smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->security_row), smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->port_spin_row), smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->login_row), smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->password_row), smtp);
  gtk_widget_set_visible (GTK_WIDGET (self->folder_row), transport == MS_TRANSPORT_FOLDER);
  gtk_widget_set_visible (GTK_WIDGET (self->certificate_group), smtp);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (self->security_row), security_text);
  if (ms_server_get_security (s) == MS_SECURITY_NONE)
    gtk_widget_add_css_class (GTK_WIDGET (self->security_row), "ms-insecure");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->security_row), "ms-insecure");

  gtk_widget_set_visible (GTK_WIDGET (self->incoming_host_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->incoming_security_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->incoming_port_spin_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->incoming_login_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->incoming_password_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_visible (GTK_WIDGET (self->incoming_folder_row), incoming == MS_INCOMING_IMAP);
  gtk_widget_set_visible (gtk_widget_get_ancestor (GTK_WIDGET (self->keep_switch), ADW_TYPE_ACTION_ROW),
                          incoming == MS_INCOMING_POP3);

  update_preset_row (self);
  update_file_rows (self);
  update_password_hints (self);
  _ms_server_editor_update_sources (self);
  gtk_widget_set_sensitive (self->domain_check_button,
                            !ms_domain_checklist_get_busy (self->domain_checklist)
                            && ms_server_get_sender_address (s) != NULL
                            && strchr (ms_server_get_sender_address (s), '@') != NULL);

  g_clear_pointer (&self->problem, g_free);
  if (!ms_server_validate (s, &error))
    self->problem = g_strdup (error->message);
  gtk_label_set_text (self->error_label, self->problem != NULL ? self->problem : "");
  gtk_revealer_set_reveal_child (self->error_revealer, self->problem != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", self->problem == NULL && !self->saving);
  gtk_widget_set_sensitive (GTK_WIDGET (self->test_button),
                            self->testing || (self->secrets != NULL && !self->saving));
  /* The check reads the saved profile: it needs one with an incoming mailbox. */
  gtk_widget_set_visible (GTK_WIDGET (self->check_row), incoming != MS_INCOMING_NONE);
  gtk_widget_set_sensitive (GTK_WIDGET (self->check_button),
                            self->check_cancellable != NULL
                            || (self->secrets != NULL && self->original != NULL
                                && ms_server_get_incoming_protocol (self->original) != MS_INCOMING_NONE));
}

/* The port follows the security choice while it is the default of the old one. */
static void
follow_default_ports (MsServerEditor *self)
{
  MsSecurity security = (MsSecurity) adw_combo_row_get_selected (self->security_row);
  MsSecurity incoming_security = (MsSecurity) adw_combo_row_get_selected (self->incoming_security_row);
  MsIncomingProtocol protocol = (MsIncomingProtocol) adw_combo_row_get_selected (self->incoming_protocol_row);
  guint port = (guint) gtk_spin_button_get_value_as_int (self->port_spin);
  guint incoming_port = (guint) gtk_spin_button_get_value_as_int (self->incoming_port_spin);

  if (security != self->security && port == ms_security_default_port (self->security))
    gtk_spin_button_set_value (self->port_spin, ms_security_default_port (security));
  if ((incoming_security != self->incoming_security || protocol != self->incoming_protocol)
      && self->incoming_protocol != MS_INCOMING_NONE
      && protocol != MS_INCOMING_NONE
      && incoming_port == ms_incoming_default_port (self->incoming_protocol, self->incoming_security))
    gtk_spin_button_set_value (self->incoming_port_spin, ms_incoming_default_port (protocol, incoming_security));
  else if (self->incoming_protocol == MS_INCOMING_NONE && protocol != MS_INCOMING_NONE)
    gtk_spin_button_set_value (self->incoming_port_spin, ms_incoming_default_port (protocol, incoming_security));
  self->security = security;
  self->incoming_security = incoming_security;
  self->incoming_protocol = protocol;
}

static void
on_field_changed_cb (MsServerEditor *self)
{
  if (self->syncing)
    return;

  self->syncing = TRUE;
  follow_default_ports (self);
  self->syncing = FALSE;
  read_widgets (self);
  update_state (self);
}

static void
on_password_changed_cb (MsServerEditor *self)
{
  update_password_hints (self);
}

static void
on_quota_changed_cb (MsServerEditor *self)
{
  on_field_changed_cb (self);
}

static void
on_quota_remove_cb (MsServerEditor *self,
                    MsQuotaRow     *row)
{
  gtk_list_box_remove (self->quota_list, GTK_WIDGET (row));
  on_field_changed_cb (self);
}

static void
on_add_quota_cb (MsServerEditor *self)
{
  MsQuota quota = { 100, 3600 };
  guint n_quotas = 0;
  const MsQuota *quotas = ms_server_get_quotas (self->server, &n_quotas);
  static const guint windows[] = { 3600, 86400, 60, 1 };

  /* A window the profile does not limit yet (two quotas with one window merge). */
  for (guint w = 0; w < G_N_ELEMENTS (windows); w++)
    {
      gboolean taken = FALSE;

      for (guint i = 0; i < n_quotas; i++)
        taken = taken || quotas[i].window_secs == windows[w];
      if (!taken)
        {
          quota.window_secs = windows[w];
          break;
        }
    }
  add_quota_row (self, &quota);
  on_field_changed_cb (self);
}

/* Typing the address: the preset of its provider fills the rest in. */
static void
on_address_changed_cb (MsServerEditor *self)
{
  g_autofree char *address = NULL;
  g_autofree char *old_login = NULL;
  g_autofree char *old_derived = NULL;
  g_autofree char *name = NULL;
  MsProvider *provider;

  if (self->syncing)
    return;

  read_widgets (self);
  address = _ms_editor_dup_text (self->address_row);
  old_login = g_strdup (ms_server_get_login (self->server));
  provider = strchr (address, '@') != NULL ? ms_provider_lookup (address) : NULL;

  /* The login followed the address so far (or was empty): it keeps following. */
  if (self->provider != NULL && self->auto_name != NULL)
    old_derived = ms_provider_make_login (self->provider, self->auto_name);
  if (provider != NULL && provider != self->provider)
    {
      ms_provider_apply (provider, self->server, address);
      self->provider = provider;
    }
  else
    {
      gboolean login_follows = old_login == NULL
                               || g_strcmp0 (old_login, self->auto_name) == 0
                               || g_strcmp0 (old_login, old_derived) == 0;

      if (provider == NULL)
        self->provider = NULL;
      if (login_follows && ms_server_get_transport (self->server) == MS_TRANSPORT_SMTP)
        {
          g_autofree char *login = provider != NULL ? ms_provider_make_login (provider, address)
                                                    : g_strdup (address);

          ms_server_set_login (self->server, login);
          if (ms_server_get_incoming_protocol (self->server) != MS_INCOMING_NONE
              && (ms_server_get_incoming_login (self->server) == NULL
                  || g_strcmp0 (ms_server_get_incoming_login (self->server), old_login) == 0))
            ms_server_set_incoming_login (self->server, login);
        }
      ms_server_set_sender_address (self->server, address);
    }

  /* The profile is named after the address until the person names it. */
  name = _ms_editor_dup_text (self->name_row);
  if (name[0] == '\0' || g_strcmp0 (name, self->auto_name) == 0)
    ms_server_set_name (self->server, address);
  g_free (self->auto_name);
  self->auto_name = g_strdup (address);

  write_widgets (self);
  update_state (self);
}

/* Files */

static void
on_chooser_response_cb (GtkNativeDialog *chooser,
                        int              response,
                        MsServerEditor  *self)
{
  const char *what = g_object_get_data (G_OBJECT (chooser), "ms-what");
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT && (file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))) != NULL)
    {
      if (g_str_equal (what, "ca"))
        ms_server_editor_set_ca_file (self, file);
      else if (g_str_equal (what, "dkim"))
        ms_server_editor_set_dkim_key_file (self, file);
      else
        ms_server_editor_set_folder (self, file);
    }
  if (self->chooser == GTK_FILE_CHOOSER_NATIVE (chooser))
    g_clear_object (&self->chooser);
}

static void
choose_file (MsServerEditor       *self,
             const char           *what,
             const char           *title,
             GtkFileChooserAction  action,
             gboolean              pem)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (title, GTK_WINDOW (self), action, _("_Choose"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  if (pem)
    {
      g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
      g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();

      gtk_file_filter_set_name (filter, _("PEM Files"));
      gtk_file_filter_add_pattern (filter, "*.pem");
      gtk_file_filter_add_pattern (filter, "*.crt");
      gtk_file_filter_add_pattern (filter, "*.key");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
      gtk_file_filter_set_name (all, _("All Files"));
      gtk_file_filter_add_pattern (all, "*");
      gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), all);
    }
  g_object_set_data (G_OBJECT (chooser), "ms-what", (gpointer) what);
  g_signal_connect_object (chooser, "response", G_CALLBACK (on_chooser_response_cb), self, 0);
  g_clear_object (&self->chooser);
  self->chooser = chooser;
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
on_ca_file_choose_cb (MsServerEditor *self)
{
  choose_file (self, "ca", _("Trusted Certificate Authority"), GTK_FILE_CHOOSER_ACTION_OPEN, TRUE);
}

static void
on_ca_file_clear_cb (MsServerEditor *self)
{
  ms_server_editor_set_ca_file (self, NULL);
}

static void
on_dkim_key_choose_cb (MsServerEditor *self)
{
  choose_file (self, "dkim", _("DKIM Private Key"), GTK_FILE_CHOOSER_ACTION_OPEN, TRUE);
}

static void
on_dkim_key_clear_cb (MsServerEditor *self)
{
  g_clear_object (&self->dkim_key_file);
  self->dkim_key_cleared = TRUE;
  ms_server_set_dkim_key_ref (self->server, NULL);
  update_state (self);
}

static void
on_folder_choose_cb (MsServerEditor *self)
{
  choose_file (self, "folder", _("Folder for the Messages"), GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, FALSE);
}

/* Test Connection */

/* Scrolls the page so that the test and its live log are in view, once the page
 * has its size. */
static gboolean
scroll_to_test_cb (GtkWidget     *widget,
                   GdkFrameClock *clock,
                   gpointer       user_data)
{
  MsServerEditor *self = MS_SERVER_EDITOR (widget);
  GtkWidget *group = GTK_WIDGET (self->test_group);
  GtkWidget *scrolled = gtk_widget_get_ancestor (group, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t point;

  if (scrolled == NULL)
    return G_SOURCE_REMOVE;
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  if (gtk_adjustment_get_page_size (adjustment) <= 0
      || !gtk_widget_compute_point (group, scrolled, &GRAPHENE_POINT_INIT (0, 0), &point))
    return G_SOURCE_CONTINUE;
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + point.y - 12);
  return G_SOURCE_REMOVE;
}

static void
scroll_to_test (MsServerEditor *self)
{
  gtk_widget_add_tick_callback (GTK_WIDGET (self), scroll_to_test_cb, NULL, NULL);
}

static void
set_testing (MsServerEditor *self,
             gboolean        testing)
{
  self->testing = testing;
  gtk_button_set_label (self->test_button, testing ? _("_Cancel") : _("_Test Connection"));
  if (testing)
    gtk_widget_remove_css_class (GTK_WIDGET (self->test_button), "suggested-action");
  gtk_widget_set_visible (self->copy_log_button, !testing && !ms_connection_log_is_empty (self->connection_log));
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TESTING]);
}

static void
on_test_step_cb (MsServerTestStep    step,
                 MsServerTestStatus  status,
                 const char         *text,
                 gpointer            user_data)
{
  MsServerEditor *self = user_data;

  if (!is_gone (self))
    ms_connection_log_add (self->connection_log, step, status, text);
}

static void
on_test_done_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(MsServerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  MsServerTestReport *report = ms_server_test_run_finish (result, &error);

  if (is_gone (self))
    {
      g_clear_pointer (&report, ms_server_test_report_free);
      return;
    }
  g_clear_object (&self->test_cancellable);
  g_clear_pointer (&self->report, ms_server_test_report_free);
  if (report == NULL)
    ms_connection_log_cancelled (self->connection_log);
  else
    {
      self->report = report;
      ms_connection_log_finish (self->connection_log, report);
      /* The automatic test ran out of view: its outcome comes to the person */
      if (self->auto_test)
        adw_toast_overlay_add_toast (self->toast_overlay,
                                     adw_toast_new (report->success
                                                    ? _("Connection tested: everything works")
                                                    : _("The connection test failed: its log under Connection Test says why")));
    }
  set_testing (self, FALSE);
}

static void
start_test (MsServerEditor *self,
            gboolean        scroll)
{
  g_autofree char *password = NULL;

  if (self->testing)
    return;
  self->auto_test = !scroll;

  read_widgets (self);
  password = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->password_row)));
  ms_connection_log_clear (self->connection_log);
  g_clear_pointer (&self->report, ms_server_test_report_free);
  self->test_cancellable = g_cancellable_new ();
  set_testing (self, TRUE);
  if (scroll)
    scroll_to_test (self);
  ms_server_test_run_async (self->server, self->secrets, password[0] != '\0' ? password : NULL,
                            on_test_step_cb, self, self->test_cancellable,
                            on_test_done_cb, g_object_ref (self));
  if (password != NULL)
    memset (password, 0, strlen (password));
}

void
ms_server_editor_test (MsServerEditor *self)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));
  g_return_if_fail (self->secrets != NULL);

  start_test (self, TRUE);
}

void
ms_server_editor_cancel_test (MsServerEditor *self)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
}

/* Check Mailbox Now */

static void
on_check_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(MsServerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;
  MsMailboxCheckResult counts = { 0 };

  if (!ms_mailbox_check_job_finish (result, &counts, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        text = g_strdup (_("The check was cancelled"));
      else
        text = g_strdup_printf (_("The mailbox could not be checked: %s"), error->message);
    }
  else
    text = ms_mailbox_check_result_describe (&counts);
  if (is_gone (self))
    return;
  g_clear_object (&self->check_cancellable);
  gtk_spinner_stop (GTK_SPINNER (self->check_spinner));
  gtk_widget_set_visible (self->check_spinner, FALSE);
  gtk_button_set_label (self->check_button, _("_Check Now"));
  escaped = g_markup_escape_text (text, -1);
  adw_action_row_set_subtitle (self->check_row, escaped);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (escaped));
  update_state (self);
  if (error == NULL)
    g_signal_emit (self, signals[SIGNAL_MAILBOX_CHECKED], 0, ms_server_get_id (self->original),
                   counts.fetched);
}

void
ms_server_editor_check_mailbox (MsServerEditor *self)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  if (self->check_cancellable != NULL || self->secrets == NULL || self->original == NULL
      || ms_server_get_incoming_protocol (self->original) == MS_INCOMING_NONE)
    return;
  self->check_cancellable = g_cancellable_new ();
  gtk_widget_set_visible (self->check_spinner, TRUE);
  gtk_spinner_start (GTK_SPINNER (self->check_spinner));
  gtk_button_set_label (self->check_button, _("_Cancel"));
  adw_action_row_set_subtitle (self->check_row, _("Reading the mailbox…"));
  ms_mailbox_check_job_run (self, self->db_path, self->secrets, self->original,
                            self->check_cancellable, on_check_done_cb, g_object_ref (self));
  update_state (self);
}

void
ms_server_editor_cancel_check (MsServerEditor *self)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
}

gboolean
ms_server_editor_get_checking (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), FALSE);

  return self->check_cancellable != NULL;
}

const char *
ms_server_editor_get_check_text (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return adw_action_row_get_subtitle (self->check_row);
}

static void
on_check_clicked_cb (MsServerEditor *self)
{
  if (self->check_cancellable != NULL)
    ms_server_editor_cancel_check (self);
  else
    ms_server_editor_check_mailbox (self);
}

static void
on_test_clicked_cb (MsServerEditor *self)
{
  if (self->testing)
    ms_server_editor_cancel_test (self);
  else
    ms_server_editor_test (self);
}

static void
on_copy_log_cb (MsServerEditor *self)
{
  g_autofree char *text = ms_connection_log_dup_text (self->connection_log);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (GTK_WIDGET (self)), text);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Log copied")));
}

/* Knowing which secrets are stored */

static void
on_secrets_checked_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  MsServerEditor *self = MS_SERVER_EDITOR (source);
  MsServerSecretsKnown known;

  if (!ms_server_check_secrets_finish (result, &known, NULL) || is_gone (self))
    return;
  self->password_known = known.password;
  self->incoming_password_known = known.incoming_password;
  self->dkim_key_known = known.dkim_key;
  update_state (self);
}

/* Saving */


static void
set_saving (MsServerEditor *self,
            gboolean        saving)
{
  self->saving = saving;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVING]);
}

static void
show_problem (MsServerEditor *self,
              const char     *text)
{
  gtk_label_set_text (self->error_label, text);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
on_saved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  MsServerEditor *self = MS_SERVER_EDITOR (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsServer) server = ms_server_save_finish (result, &error);

  if (is_gone (self))
    return;
  set_saving (self, FALSE);
  if (server == NULL)
    {
      show_problem (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_SAVED], 0, server);
  gtk_window_destroy (GTK_WINDOW (self));
}

static const char *
typed_password (gpointer row)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));

  return text[0] != '\0' ? text : NULL;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  MsServerEditor *self = MS_SERVER_EDITOR (widget);
  MsServerSave save = { 0 };

  read_widgets (self);
  update_state (self);
  if (self->problem != NULL || self->saving)
    return;

  save.server = self->server;
  save.original = self->original;
  save.password = typed_password (self->password_row);
  save.incoming_password = typed_password (self->incoming_password_row);
  save.dkim_key_file = self->dkim_key_file;
  save.dkim_key_cleared = self->dkim_key_cleared;
  set_saving (self, TRUE);
  ms_server_save_async (self, self->db_path, self->secrets, &save, self->cancellable, on_saved_cb, NULL);
}

/* Removing */

static void
on_removed_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  MsServerEditor *self = MS_SERVER_EDITOR (source);
  g_autoptr(GError) error = NULL;

  if (is_gone (self))
    return;
  set_saving (self, FALSE);
  if (!ms_server_remove_finish (result, &error))
    {
      show_problem (self, error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_REMOVED], 0, ms_server_get_name (self->original));
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
on_remove_response_cb (AdwMessageDialog *dialog,
                       const char       *response,
                       MsServerEditor   *self)
{
  if (g_strcmp0 (response, "remove") != 0 || self->saving || is_gone (self))
    return;
  set_saving (self, TRUE);
  ms_server_remove_async (self, self->db_path, self->secrets, self->original, self->cancellable,
                          on_removed_cb, NULL);
}

static void
on_remove_clicked_cb (MsServerEditor *self)
{
  g_autofree char *heading = NULL;
  AdwMessageDialog *dialog;

  g_return_if_fail (self->original != NULL);

  heading = g_strdup_printf (_("Remove Server “%s”?"), ms_server_get_name (self->original));
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading,
                                                       _("Its settings, quotas and stored password go. "
                                                         "Campaigns that used it send through their other servers.")));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "remove", _("_Remove"), NULL);
  adw_message_dialog_set_response_appearance (dialog, "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "cancel");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject */

static gboolean
ms_server_editor_close_request (GtkWindow *window)
{
  MsServerEditor *self = MS_SERVER_EDITOR (window);

  ms_server_editor_cancel_test (self);
  ms_server_editor_cancel_check (self);
  ms_server_editor_cancel_detect (self);
  return GTK_WINDOW_CLASS (ms_server_editor_parent_class)->close_request (window);
}

static void
ms_server_editor_dispose (GObject *object)
{
  MsServerEditor *self = MS_SERVER_EDITOR (object);

  g_cancellable_cancel (self->cancellable);
  if (self->test_cancellable != NULL)
    g_cancellable_cancel (self->test_cancellable);
  if (self->check_cancellable != NULL)
    g_cancellable_cancel (self->check_cancellable);
  if (self->detect_cancellable != NULL)
    g_cancellable_cancel (self->detect_cancellable);
  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_SERVER_EDITOR);
  g_clear_object (&self->secrets);
  g_clear_object (&self->dkim_key_file);

  G_OBJECT_CLASS (ms_server_editor_parent_class)->dispose (object);
}

static void
ms_server_editor_finalize (GObject *object)
{
  MsServerEditor *self = MS_SERVER_EDITOR (object);

  g_clear_object (&self->server);
  g_clear_object (&self->original);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->test_cancellable);
  g_clear_object (&self->check_cancellable);
  g_clear_object (&self->detect_cancellable);
  g_clear_pointer (&self->report, ms_server_test_report_free);
  g_clear_pointer (&self->detected, ms_detect_result_free);
  g_clear_pointer (&self->source_rows, g_ptr_array_unref);
  g_free (self->db_path);
  g_free (self->auto_name);
  g_free (self->problem);

  G_OBJECT_CLASS (ms_server_editor_parent_class)->finalize (object);
}

static void
ms_server_editor_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsServerEditor *self = MS_SERVER_EDITOR (object);

  switch (prop_id)
    {
    case PROP_TESTING:
      g_value_set_boolean (value, self->testing);
      break;
    case PROP_SAVING:
      g_value_set_boolean (value, self->saving);
      break;
    case PROP_DETECTING:
      g_value_set_boolean (value, self->detect_cancellable != NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, MsServerEditor, name)
#define CALLBACK(name) gtk_widget_class_bind_template_callback (widget_class, name)

static void
ms_server_editor_class_init (MsServerEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = ms_server_editor_dispose;
  object_class->finalize = ms_server_editor_finalize;
  object_class->get_property = ms_server_editor_get_property;
  window_class->close_request = ms_server_editor_close_request;

  properties[PROP_TESTING] =
    g_param_spec_boolean ("testing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_SAVING] =
    g_param_spec_boolean ("saving", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_DETECTING] =
    g_param_spec_boolean ("detecting", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_SAVED] =
    g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, MS_TYPE_SERVER);
  signals[SIGNAL_REMOVED] =
    g_signal_new ("removed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  /* Check Now finished: the server's id and how many messages it read. */
  signals[SIGNAL_MAILBOX_CHECKED] =
    g_signal_new ("mailbox-checked", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/ms-server-editor.ui");
  BIND (toast_overlay);
  BIND (window_title);
  BIND (save_button);
  BIND (stack);
  BIND (detect_address_row);
  BIND (detect_password_row);
  BIND (detect_spinner);
  BIND (detect_button);
  BIND (detect_cancel_button);
  BIND (detect_status_label);
  BIND (manual_button);
  BIND (sources_group);
  BIND (domain_group);
  BIND (domain_check_button);
  BIND (domain_checklist);
  BIND (error_revealer);
  BIND (error_label);
  BIND (address_row);
  BIND (preset_row);
  BIND (preset_link);
  BIND (sender_name_row);
  BIND (name_row);
  BIND (transport_row);
  BIND (host_row);
  BIND (security_row);
  BIND (port_spin_row);
  BIND (port_spin);
  BIND (login_row);
  BIND (password_row);
  BIND (password_stored);
  BIND (folder_row);
  BIND (outgoing_group);
  BIND (certificate_group);
  BIND (test_group);
  BIND (test_button);
  BIND (copy_log_button);
  BIND (connection_log);
  BIND (ca_file_row);
  BIND (ca_file_clear);
  BIND (fingerprint_row);
  BIND (connections_spin);
  BIND (pause_spin);
  BIND (max_size_spin);
  BIND (recipients_spin);
  BIND (priority_spin);
  BIND (enabled_switch);
  BIND (substitution_switch);
  BIND (quota_list);
  BIND (incoming_protocol_row);
  BIND (incoming_host_row);
  BIND (incoming_security_row);
  BIND (incoming_port_spin_row);
  BIND (incoming_port_spin);
  BIND (incoming_login_row);
  BIND (incoming_password_row);
  BIND (incoming_password_stored);
  BIND (incoming_folder_row);
  BIND (keep_switch);
  BIND (check_row);
  BIND (check_spinner);
  BIND (check_button);
  BIND (dkim_domain_row);
  BIND (dkim_selector_row);
  BIND (dkim_key_row);
  BIND (dkim_key_clear);
  BIND (remove_group);
  CALLBACK (on_field_changed_cb);
  CALLBACK (on_address_changed_cb);
  CALLBACK (on_password_changed_cb);
  CALLBACK (on_add_quota_cb);
  CALLBACK (on_ca_file_choose_cb);
  CALLBACK (on_ca_file_clear_cb);
  CALLBACK (on_dkim_key_choose_cb);
  CALLBACK (on_dkim_key_clear_cb);
  CALLBACK (on_folder_choose_cb);
  CALLBACK (on_test_clicked_cb);
  CALLBACK (on_check_clicked_cb);
  CALLBACK (on_copy_log_cb);
  CALLBACK (on_remove_clicked_cb);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  g_type_ensure (MS_TYPE_CONNECTION_LOG);
  _ms_server_editor_class_init_detect (widget_class);
}

#undef BIND
#undef CALLBACK

static void
ms_server_editor_init (MsServerEditor *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  _ms_server_editor_init_detect (self);
}

MsServerEditor *
ms_server_editor_new (GtkWindow  *parent,
                      const char *db_path,
                      MsSecrets  *secrets,
                      MsServer   *server)
{
  MsServerEditor *self;

  g_return_val_if_fail (db_path != NULL, NULL);
  g_return_val_if_fail (MS_IS_SECRETS (secrets), NULL);
  g_return_val_if_fail (server == NULL || MS_IS_SERVER (server), NULL);

  self = g_object_new (MS_TYPE_SERVER_EDITOR, "transient-for", parent, NULL);
  self->db_path = g_strdup (db_path);
  self->secrets = g_object_ref (secrets);
  if (server != NULL)
    {
      g_autofree char *title = NULL;

      self->original = ms_server_copy (server);
      self->server = ms_server_copy (server);
      self->provider = ms_provider_lookup_for_server (server);
      self->auto_name = g_strdup (ms_server_get_sender_address (server));
      title = g_strdup_printf (_("Edit “%s”"), ms_server_get_name (server));
      adw_window_title_set_title (self->window_title, title);
      gtk_window_set_title (GTK_WINDOW (self), title);
      gtk_widget_set_visible (self->remove_group, TRUE);
      _ms_server_editor_show_settings_page (self);
      ms_server_check_secrets_async (self, secrets, server, self->cancellable, on_secrets_checked_cb, NULL);
    }
  else
    {
      self->server = ms_server_new ();
      ms_server_set_port (self->server, ms_security_default_port (ms_server_get_security (self->server)));
      gtk_window_set_title (GTK_WINDOW (self), _("New Server"));
      /* A new profile starts from the address: Detect Settings, or Set Up Manually. */
      gtk_stack_set_visible_child_name (self->stack, "address");
      gtk_widget_set_visible (self->save_button, FALSE);
      gtk_widget_grab_focus (GTK_WIDGET (self->detect_address_row));
    }
  adw_preferences_group_set_description (self->outgoing_group, NULL);
  {
    g_autofree char *where = ms_secrets_describe (secrets);

    adw_preferences_group_set_description (self->outgoing_group, where);
  }
  write_widgets (self);
  update_state (self);
  return self;
}

MsServer *
ms_server_editor_get_server (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return self->server;
}

void
ms_server_editor_set_ca_file (MsServerEditor *self,
                              GFile          *file)
{
  g_autofree char *path = NULL;

  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  path = file != NULL ? g_file_get_path (file) : NULL;
  ms_server_set_ca_file (self->server, path);
  update_state (self);
}

void
ms_server_editor_set_dkim_key_file (MsServerEditor *self,
                                    GFile          *file)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  g_set_object (&self->dkim_key_file, file);
  self->dkim_key_cleared = FALSE;
  update_state (self);
}

void
ms_server_editor_set_folder (MsServerEditor *self,
                             GFile          *folder)
{
  g_autofree char *path = NULL;

  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  path = folder != NULL ? g_file_get_path (folder) : NULL;
  ms_server_set_folder (self->server, path);
  update_state (self);
}

gboolean
ms_server_editor_get_testing (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), FALSE);

  return self->testing;
}

const MsServerTestReport *
ms_server_editor_get_test_report (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return self->report;
}

char *
ms_server_editor_dup_test_log (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return ms_connection_log_dup_text (self->connection_log);
}

const char *
ms_server_editor_get_problem (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return self->problem;
}

gboolean
ms_server_editor_get_saving (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), FALSE);

  return self->saving;
}

/* For ms-server-editor-detect.c */

gboolean
_ms_server_editor_is_gone (MsServerEditor *self)
{
  return is_gone (self);
}

void
_ms_server_editor_read_widgets (MsServerEditor *self)
{
  read_widgets (self);
}

void
_ms_server_editor_write_widgets (MsServerEditor *self)
{
  write_widgets (self);
}

void
_ms_server_editor_update_state (MsServerEditor *self)
{
  update_state (self);
}

void
_ms_server_editor_start_test (MsServerEditor *self,
                              gboolean        scroll)
{
  start_test (self, scroll);
}

void
_ms_server_editor_notify_detecting (MsServerEditor *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DETECTING]);
}

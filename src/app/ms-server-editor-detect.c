/* ms-server-editor-detect.c
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

#include <string.h>

#include <glib/gi18n.h>

#include "ms-autodetect.h"
#include "ms-domain-checklist.h"
#include "ms-server-editor-private.h"

/* The server editor's address page: Detect Settings looks the address up off the
 * UI thread, fills the fields, shows where each setting came from, then runs Test
 * Connection and the sender-domain check.  Set Up Manually skips the lookup. */

/* Where the detected settings came from */

static char *
describe_detected (const MsDetectedServer *found)
{
  /* Translators: "smtp.example.org, port 587, STARTTLS" */
  g_autofree char *where = g_strdup_printf (_("%s, port %u, %s"), found->host, found->port,
                                            ms_security_to_label (found->security));

  if (found->login == NULL)
    return g_steal_pointer (&where);
  /* Translators: the first %s is "smtp.example.org, port 587, STARTTLS" */
  return g_strdup_printf (_("%s, login %s"), where, found->login);
}

static const MsDetectedServer *
detected_incoming (MsDetectResult     *result,
                   MsIncomingProtocol *protocol)
{
  if (result->imap != NULL)
    {
      *protocol = MS_INCOMING_IMAP;
      return result->imap;
    }
  *protocol = result->pop3 != NULL ? MS_INCOMING_POP3 : MS_INCOMING_NONE;
  return result->pop3;
}

static gboolean
smtp_overridden (MsServerEditor         *self,
                 const MsDetectedServer *found)
{
  MsServer *s = self->server;

  return ms_server_get_transport (s) != MS_TRANSPORT_SMTP
         || g_strcmp0 (ms_server_get_host (s), found->host) != 0
         || ms_server_get_port (s) != found->port
         || ms_server_get_security (s) != found->security
         || (found->login != NULL && g_strcmp0 (ms_server_get_login (s), found->login) != 0);
}

static gboolean
incoming_overridden (MsServerEditor         *self,
                     const MsDetectedServer *found,
                     MsIncomingProtocol      protocol)
{
  MsServer *s = self->server;

  return ms_server_get_incoming_protocol (s) != protocol
         || g_strcmp0 (ms_server_get_incoming_host (s), found->host) != 0
         || ms_server_get_incoming_port (s) != found->port
         || ms_server_get_incoming_security (s) != found->security
         || (found->login != NULL && g_strcmp0 (ms_server_get_incoming_login (s), found->login) != 0);
}

static void
set_source_subtitle (AdwActionRow           *row,
                     const MsDetectedServer *found,
                     gboolean                overridden)
{
  g_autofree char *what = describe_detected (found);
  g_autofree char *text = NULL;

  if (overridden)
    text = g_strdup_printf ("%s\n%s\n%s", what, found->source_text,
                            _("You changed it since: your settings below are used."));
  else
    text = g_strdup_printf ("%s\n%s", what, found->source_text);
  _ms_editor_set_subtitle (row, text);
}

/* A detected field says where its value came from while it holds it. */
static void
set_field_source (gpointer                row,
                  const MsDetectedServer *found,
                  gboolean                same)
{
  g_autofree char *text = NULL;

  if (found != NULL && same)
    /* Translators: a field's tooltip, e.g. "Detected from the provider’s autoconfig" */
    text = g_strdup_printf (_("Detected %s"), found->source_text);
  gtk_widget_set_tooltip_text (GTK_WIDGET (row), text);
}

static void
update_field_sources (MsServerEditor         *self,
                      const MsDetectedServer *smtp,
                      const MsDetectedServer *incoming)
{
  MsServer *s = self->server;

  set_field_source (self->host_row, smtp, smtp != NULL && g_strcmp0 (ms_server_get_host (s), smtp->host) == 0);
  set_field_source (self->port_spin_row, smtp, smtp != NULL && ms_server_get_port (s) == smtp->port);
  set_field_source (self->security_row, smtp, smtp != NULL && ms_server_get_security (s) == smtp->security);
  set_field_source (self->login_row, smtp, smtp != NULL && smtp->login != NULL
                                           && g_strcmp0 (ms_server_get_login (s), smtp->login) == 0);
  set_field_source (self->incoming_host_row, incoming,
                    incoming != NULL && g_strcmp0 (ms_server_get_incoming_host (s), incoming->host) == 0);
  set_field_source (self->incoming_port_spin_row, incoming,
                    incoming != NULL && ms_server_get_incoming_port (s) == incoming->port);
  set_field_source (self->incoming_security_row, incoming,
                    incoming != NULL && ms_server_get_incoming_security (s) == incoming->security);
  set_field_source (self->incoming_login_row, incoming,
                    incoming != NULL && incoming->login != NULL
                    && g_strcmp0 (ms_server_get_incoming_login (s), incoming->login) == 0);
}

/* Says, under each detected setting and on its field, whether the person has
 * changed it since. */
void
_ms_server_editor_update_sources (MsServerEditor *self)
{
  const MsDetectedServer *incoming;
  MsIncomingProtocol protocol;

  if (self->detected == NULL)
    return;
  if (self->smtp_source_row != NULL && self->detected->smtp != NULL)
    set_source_subtitle (self->smtp_source_row, self->detected->smtp,
                         smtp_overridden (self, self->detected->smtp));
  incoming = detected_incoming (self->detected, &protocol);
  if (self->incoming_source_row != NULL && incoming != NULL)
    set_source_subtitle (self->incoming_source_row, incoming, incoming_overridden (self, incoming, protocol));
  if (ms_server_get_incoming_protocol (self->server) != protocol)
    incoming = NULL;
  update_field_sources (self, self->detected->smtp, incoming);
}

static void
clear_sources (MsServerEditor *self)
{
  for (guint i = 0; i < self->source_rows->len; i++)
    adw_preferences_group_remove (self->sources_group, g_ptr_array_index (self->source_rows, i));
  g_ptr_array_set_size (self->source_rows, 0);
  self->smtp_source_row = NULL;
  self->incoming_source_row = NULL;
}

static AdwActionRow *
add_source_row (MsServerEditor *self,
                const char     *name,
                const char     *icon,
                const char     *title)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *escaped = g_markup_escape_text (title, -1);

  gtk_widget_set_name (row, name);
  adw_action_row_set_icon_name (ADW_ACTION_ROW (row), icon);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), escaped);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);
  adw_preferences_group_add (self->sources_group, row);
  g_ptr_array_add (self->source_rows, row);
  return ADW_ACTION_ROW (row);
}

static const char *
incoming_title (MsIncomingProtocol protocol)
{
  return protocol == MS_INCOMING_IMAP ? _("Bounce Mailbox (IMAP)") : _("Bounce Mailbox (POP3)");
}

static void
add_tried_rows (MsServerEditor *self)
{
  GPtrArray *tried = self->detected->tried;
  GtkWidget *expander = adw_expander_row_new ();
  g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u lookup, in order",
                                                         "%u lookups, in order", tried->len),
                                            tried->len);

  gtk_widget_set_name (expander, "tried-row");
  adw_expander_row_set_icon_name (ADW_EXPANDER_ROW (expander), "system-search-symbolic");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (expander), _("What Was Tried"));
  adw_expander_row_set_subtitle (ADW_EXPANDER_ROW (expander), count);
  for (guint i = 0; i < tried->len; i++)
    {
      GtkWidget *row = adw_action_row_new ();
      g_autofree char *line = g_markup_escape_text (g_ptr_array_index (tried, i), -1);

      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), line);
      adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 0);
      gtk_widget_add_css_class (row, "ms-tried-row");
      adw_expander_row_add_row (ADW_EXPANDER_ROW (expander), row);
    }
  adw_preferences_group_add (self->sources_group, expander);
  g_ptr_array_add (self->source_rows, expander);
}

static void
add_documentation_rows (MsServerEditor *self)
{
  GPtrArray *urls = self->detected->documentation;

  for (guint i = 0; i < urls->len; i++)
    {
      const char *url = g_ptr_array_index (urls, i);
      AdwActionRow *row = add_source_row (self, "documentation-row", "help-browser-symbolic",
                                          _("The Provider’s Instructions"));
      GtkWidget *link = gtk_link_button_new_with_label (url, _("Open"));

      _ms_editor_set_subtitle (row, url);
      gtk_widget_set_valign (link, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (row, link);
    }
}

static void
show_sources (MsServerEditor *self)
{
  MsDetectResult *r = self->detected;
  const MsDetectedServer *incoming;
  MsIncomingProtocol protocol;
  const char *domain = strchr (r->address, '@') != NULL ? strchr (r->address, '@') + 1 : r->address;
  g_autofree char *description = NULL;

  clear_sources (self);
  gtk_widget_set_visible (GTK_WIDGET (self->sources_group), TRUE);
  if (r->smtp == NULL)
    {
      adw_preferences_group_set_title (self->sources_group, _("No Settings Found"));
      description = g_strdup_printf (_("Nothing answered for %s: no bundled provider, no autoconfig document, "
                                       "nothing in its DNS and no likely server name. Ask your provider for "
                                       "its outgoing (SMTP) server, port and security, and type them below."),
                                     domain);
      adw_preferences_group_set_description (self->sources_group, description);
      add_tried_rows (self);
      return;
    }

  adw_preferences_group_set_title (self->sources_group, _("Where These Settings Came From"));
  if (r->provider_name != NULL)
    description = g_strdup_printf (_("Filled in for %s. Change anything your provider says otherwise; "
                                     "what you type wins."), r->provider_name);
  else
    description = g_strdup (_("Change anything your provider says otherwise; what you type wins."));
  adw_preferences_group_set_description (self->sources_group, description);
  self->smtp_source_row = add_source_row (self, "smtp-source-row", "mail-send-symbolic", _("Outgoing Mail (SMTP)"));
  incoming = detected_incoming (r, &protocol);
  if (incoming != NULL)
    self->incoming_source_row = add_source_row (self, "incoming-source-row", "mail-unread-symbolic",
                                                incoming_title (protocol));
  if (protocol == MS_INCOMING_IMAP && r->pop3 != NULL)
    {
      AdwActionRow *row = add_source_row (self, "pop3-source-row", "mail-unread-symbolic",
                                          _("Also Available: POP3"));

      set_source_subtitle (row, r->pop3, FALSE);
    }
  add_documentation_rows (self);
  add_tried_rows (self);
  _ms_server_editor_update_sources (self);
}

/* Detecting the settings from the address */

static void
show_detect_status (MsServerEditor *self,
                    const char     *text)
{
  gtk_label_set_text (self->detect_status_label, text != NULL ? text : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detect_status_label), text != NULL);
}

static void
set_detecting (MsServerEditor *self,
               gboolean        detecting)
{
  gtk_widget_set_visible (self->detect_spinner, detecting);
  if (detecting)
    gtk_spinner_start (GTK_SPINNER (self->detect_spinner));
  else
    gtk_spinner_stop (GTK_SPINNER (self->detect_spinner));
  gtk_widget_set_visible (self->detect_cancel_button, TRUE);
  /* The focus leaves the rows before they turn insensitive: Escape and Enter
   * keep working, and Cancel is one key away. */
  if (detecting)
    gtk_widget_grab_focus (self->detect_cancel_button);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->detect_address_row));
  gtk_widget_set_sensitive (self->detect_button, !detecting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->detect_address_row), !detecting);
  gtk_widget_set_sensitive (GTK_WIDGET (self->detect_password_row), !detecting);
  gtk_widget_set_sensitive (self->manual_button, !detecting);
  gtk_widget_set_visible (self->detect_cancel_button, detecting);
  _ms_server_editor_notify_detecting (self);
}

void
_ms_server_editor_show_settings_page (MsServerEditor *self)
{
  gtk_stack_set_visible_child_name (self->stack, "settings");
  gtk_widget_set_visible (self->save_button, TRUE);
}

/* The address and password of the first page go to the settings: the address
 * fills in its provider's preset, as typing it there does. */
static void
carry_over_address (MsServerEditor *self)
{
  g_autofree char *address = _ms_editor_dup_text (self->detect_address_row);
  const char *password = gtk_editable_get_text (GTK_EDITABLE (self->detect_password_row));

  if (address[0] != '\0')
    _ms_editor_set_text (self->address_row, address);
  if (password[0] != '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->password_row), password);
}

static void
apply_detected (MsServerEditor *self)
{
  MsDetectResult *r = self->detected;
  MsServer *s = self->server;
  const MsDetectedServer *incoming;
  MsIncomingProtocol protocol;
  const char *password;

  carry_over_address (self);
  _ms_server_editor_read_widgets (self);
  if (r->smtp != NULL)
    {
      ms_server_set_transport (s, MS_TRANSPORT_SMTP);
      ms_server_set_host (s, r->smtp->host);
      ms_server_set_security (s, r->smtp->security);
      ms_server_set_port (s, r->smtp->port);
      if (r->smtp->login != NULL)
        ms_server_set_login (s, r->smtp->login);
    }
  incoming = detected_incoming (r, &protocol);
  if (incoming != NULL)
    {
      ms_server_set_incoming_protocol (s, protocol);
      ms_server_set_incoming_host (s, incoming->host);
      ms_server_set_incoming_security (s, incoming->security);
      ms_server_set_incoming_port (s, incoming->port);
      ms_server_set_incoming_login (s, incoming->login != NULL ? incoming->login : ms_server_get_login (s));
    }
  _ms_server_editor_write_widgets (self);

  password = gtk_editable_get_text (GTK_EDITABLE (self->password_row));
  if (incoming != NULL && password[0] != '\0'
      && gtk_editable_get_text (GTK_EDITABLE (self->incoming_password_row))[0] == '\0')
    gtk_editable_set_text (GTK_EDITABLE (self->incoming_password_row), password);
  gtk_editable_set_text (GTK_EDITABLE (self->detect_password_row), "");
  show_sources (self);
  _ms_server_editor_update_state (self);
}

static void
check_domain (MsServerEditor *self)
{
  _ms_server_editor_read_widgets (self);
  ms_domain_checklist_check (self->domain_checklist, self->server, NULL, self->secrets, self->dkim_key_file);
}

static void
on_detected_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(MsServerEditor) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDetectResult) detected = ms_autodetect_finish (result, &error);

  if (_ms_server_editor_is_gone (self))
    return;
  g_clear_object (&self->detect_cancellable);
  set_detecting (self, FALSE);
  if (detected == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_detect_status (self, _("Stopped. Detect again, or set the server up manually."));
      else
        show_detect_status (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->detect_address_row));
      return;
    }

  g_clear_pointer (&self->detected, ms_detect_result_free);
  self->detected = g_steal_pointer (&detected);
  show_detect_status (self, NULL);
  apply_detected (self);
  _ms_server_editor_show_settings_page (self);
  if (self->detected->smtp == NULL)
    {
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (_("No settings found: type your provider’s settings")));
      gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
      return;
    }
  gtk_widget_grab_focus (self->save_button);
  /* The found settings are tried at once, and the sender domain checked. */
  _ms_server_editor_start_test (self, FALSE);
  check_domain (self);
}

static gboolean
is_whole_address (const char *address)
{
  const char *at = strrchr (address, '@');

  return at != NULL && at != address && at[1] != '\0' && strchr (at, '.') != NULL
         && strpbrk (address, " \t") == NULL;
}

void
ms_server_editor_detect (MsServerEditor *self)
{
  g_autofree char *address = NULL;
  g_autofree char *text = NULL;
  MsDetectOptions options = { 0 };

  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  if (self->detect_cancellable != NULL || _ms_server_editor_is_gone (self))
    return;
  address = _ms_editor_dup_text (self->detect_address_row);
  if (!is_whole_address (address))
    {
      show_detect_status (self, _("Type your whole email address, such as anna@example.org."));
      gtk_widget_grab_focus (GTK_WIDGET (self->detect_address_row));
      return;
    }
  self->detect_cancellable = g_cancellable_new ();
  text = g_strdup_printf (_("Looking up the settings for %s… This can take up to half a minute."),
                          strrchr (address, '@') + 1);
  show_detect_status (self, text);
  set_detecting (self, TRUE);
  options.ca_file = ms_server_get_ca_file (self->server);
  ms_autodetect_async (address, &options, self->detect_cancellable, on_detected_cb, g_object_ref (self));
}

void
ms_server_editor_cancel_detect (MsServerEditor *self)
{
  g_return_if_fail (MS_IS_SERVER_EDITOR (self));

  if (self->detect_cancellable != NULL)
    g_cancellable_cancel (self->detect_cancellable);
}

gboolean
ms_server_editor_get_detecting (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), FALSE);

  return self->detect_cancellable != NULL;
}

const char *
ms_server_editor_get_page (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

MsDomainChecklist *
ms_server_editor_get_domain_checklist (MsServerEditor *self)
{
  g_return_val_if_fail (MS_IS_SERVER_EDITOR (self), NULL);

  return self->domain_checklist;
}

static void
on_detect_activated_cb (MsServerEditor *self)
{
  ms_server_editor_detect (self);
}

static void
on_detect_cancel_cb (MsServerEditor *self)
{
  ms_server_editor_cancel_detect (self);
}

static void
on_detect_address_changed_cb (MsServerEditor *self)
{
  if (self->detect_cancellable == NULL)
    show_detect_status (self, NULL);
}

static void
on_manual_clicked_cb (MsServerEditor *self)
{
  carry_over_address (self);
  gtk_editable_set_text (GTK_EDITABLE (self->detect_password_row), "");
  _ms_server_editor_show_settings_page (self);
  if (gtk_editable_get_text (GTK_EDITABLE (self->address_row))[0] == '\0')
    gtk_widget_grab_focus (GTK_WIDGET (self->address_row));
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->host_row));
}

static void
on_domain_check_clicked_cb (MsServerEditor *self)
{
  check_domain (self);
}

static void
on_checklist_busy_cb (MsServerEditor *self)
{
  /* Also while the editor goes away, when its widgets are no more */
  if (_ms_server_editor_is_gone (self))
    return;
  _ms_server_editor_update_state (self);
}

/* Set up */

void
_ms_server_editor_class_init_detect (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_callback (widget_class, on_detect_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detect_cancel_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_detect_address_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_manual_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_domain_check_clicked_cb);
  g_type_ensure (MS_TYPE_DOMAIN_CHECKLIST);
}

void
_ms_server_editor_init_detect (MsServerEditor *self)
{
  self->source_rows = g_ptr_array_new ();
  ms_domain_checklist_set_message (self->domain_checklist,
                                   _("Check Domain looks up the SPF, DKIM and DMARC records of the "
                                     "sender address’s domain."));
  g_signal_connect_object (self->domain_checklist, "notify::busy", G_CALLBACK (on_checklist_busy_cb),
                           self, G_CONNECT_SWAPPED);
}

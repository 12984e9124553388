/* ms-server-editor-private.h
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

#pragma once

#include <adwaita.h>

#include "ms-autodetect.h"
#include "ms-connection-log.h"
#include "ms-domain-checklist.h"
#include "ms-provider.h"
#include "ms-server-editor.h"

G_BEGIN_DECLS

/* Shared by ms-server-editor.c (the profile's fields, test, saving) and
 * ms-server-editor-detect.c (the address page, detection, the sources and the
 * sender-domain check). */

struct _MsServerEditor
{
  AdwWindow           parent_instance;

  /* Template */
  AdwToastOverlay    *toast_overlay;
  AdwWindowTitle     *window_title;
  GtkWidget          *save_button;
  GtkStack           *stack;
  AdwEntryRow        *detect_address_row;
  AdwPasswordEntryRow *detect_password_row;
  GtkWidget          *detect_spinner;
  GtkWidget          *detect_button;
  GtkWidget          *detect_cancel_button;
  GtkLabel           *detect_status_label;
  GtkWidget          *manual_button;
  AdwPreferencesGroup *sources_group;
  AdwPreferencesGroup *domain_group;
  GtkWidget          *domain_check_button;
  MsDomainChecklist  *domain_checklist;
  GtkRevealer        *error_revealer;
  GtkLabel           *error_label;
  AdwEntryRow        *address_row;
  AdwActionRow       *preset_row;
  GtkLinkButton      *preset_link;
  AdwEntryRow        *sender_name_row;
  AdwEntryRow        *name_row;
  AdwComboRow        *transport_row;
  AdwEntryRow        *host_row;
  AdwComboRow        *security_row;
  AdwActionRow       *port_spin_row;
  GtkSpinButton      *port_spin;
  AdwEntryRow        *login_row;
  AdwPasswordEntryRow *password_row;
  GtkWidget          *password_stored;
  AdwActionRow       *folder_row;
  AdwPreferencesGroup *outgoing_group;
  AdwPreferencesGroup *certificate_group;
  AdwPreferencesGroup *test_group;
  GtkButton          *test_button;
  GtkWidget          *copy_log_button;
  MsConnectionLog    *connection_log;
  AdwActionRow       *ca_file_row;
  GtkWidget          *ca_file_clear;
  AdwEntryRow        *fingerprint_row;
  GtkSpinButton      *connections_spin;
  GtkSpinButton      *pause_spin;
  GtkSpinButton      *max_size_spin;
  GtkSpinButton      *recipients_spin;
  GtkSpinButton      *priority_spin;
  GtkSwitch          *enabled_switch;
  GtkSwitch          *substitution_switch;
  GtkListBox         *quota_list;
  AdwComboRow        *incoming_protocol_row;
  AdwEntryRow        *incoming_host_row;
  AdwComboRow        *incoming_security_row;
  AdwActionRow       *incoming_port_spin_row;
  GtkSpinButton      *incoming_port_spin;
  AdwEntryRow        *incoming_login_row;
  AdwPasswordEntryRow *incoming_password_row;
  GtkWidget          *incoming_password_stored;
  AdwEntryRow        *incoming_folder_row;
  GtkSwitch          *keep_switch;
  AdwActionRow       *check_row;
  GtkWidget          *check_spinner;
  GtkButton          *check_button;
  AdwEntryRow        *dkim_domain_row;
  AdwEntryRow        *dkim_selector_row;
  AdwActionRow       *dkim_key_row;
  GtkWidget          *dkim_key_clear;
  GtkWidget          *remove_group;

  /* State */
  char               *db_path;
  MsSecrets          *secrets;
  MsServer           *server;        /* the working copy */
  MsServer           *original;      /* as stored; NULL for a new profile */
  MsProvider         *provider;      /* the preset applied last (owned by the library) */
  char               *auto_name;     /* the name filled in from the address */
  MsSecurity          security;      /* for the port that follows the security choice */
  MsSecurity          incoming_security;
  MsIncomingProtocol  incoming_protocol;
  GFile              *dkim_key_file; /* chosen, stored when saving */
  gboolean            dkim_key_cleared;
  gboolean            password_known;
  gboolean            incoming_password_known;
  gboolean            dkim_key_known;
  char               *problem;
  GCancellable       *cancellable;   /* the editor's lifetime */
  GCancellable       *test_cancellable;
  GCancellable       *check_cancellable; /* while the mailbox is checked */
  MsServerTestReport *report;
  GCancellable       *detect_cancellable; /* while the settings are detected */
  MsDetectResult     *detected;      /* the last detection's result */
  GPtrArray          *source_rows;   /* the rows of sources_group */
  AdwActionRow       *smtp_source_row;
  AdwActionRow       *incoming_source_row;
  GtkFileChooserNative *chooser;
  gboolean            testing;
  gboolean            auto_test;     /* the test runs by itself after detection */
  gboolean            saving;
  gboolean            syncing;
};

static inline char *
_ms_editor_dup_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

static inline void
_ms_editor_set_text (gpointer    editable,
                     const char *text)
{
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (editable)), text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (editable), text != NULL ? text : "");
}

static inline void
_ms_editor_set_subtitle (AdwActionRow *row,
                         const char   *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  adw_action_row_set_subtitle (row, escaped);
}

/* ms-server-editor.c */
gboolean _ms_server_editor_is_gone             (MsServerEditor *self);
void     _ms_server_editor_read_widgets        (MsServerEditor *self);
void     _ms_server_editor_write_widgets       (MsServerEditor *self);
void     _ms_server_editor_update_state        (MsServerEditor *self);
void     _ms_server_editor_start_test          (MsServerEditor *self,
                                                gboolean        scroll);
void     _ms_server_editor_notify_detecting    (MsServerEditor *self);

/* ms-server-editor-detect.c */
void     _ms_server_editor_class_init_detect   (GtkWidgetClass *widget_class);
void     _ms_server_editor_init_detect         (MsServerEditor *self);
void     _ms_server_editor_update_sources      (MsServerEditor *self);
void     _ms_server_editor_show_settings_page  (MsServerEditor *self);

G_END_DECLS

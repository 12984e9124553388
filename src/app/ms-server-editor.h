/* ms-server-editor.h
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

#include "ms-domain-checklist.h"
#include "ms-secrets.h"
#include "ms-server.h"
#include "ms-server-test.h"

G_BEGIN_DECLS

#define MS_TYPE_SERVER_EDITOR (ms_server_editor_get_type ())

G_DECLARE_FINAL_TYPE (MsServerEditor, ms_server_editor, MS, SERVER_EDITOR, AdwWindow)

/* Edits a copy of @server (NULL: a new profile) and writes it, its password and
 * DKIM key on a worker thread when the person saves.  Signals: "saved" (the
 * stored MsServer), "removed" (the name of the removed profile). */
MsServerEditor           *ms_server_editor_new             (GtkWindow      *parent,
                                                            const char     *db_path,
                                                            MsSecrets      *secrets,
                                                            MsServer       *server);
/* The profile as edited so far. */
MsServer                 *ms_server_editor_get_server      (MsServerEditor *self);
/* What the file choosers hand over. */
void                      ms_server_editor_set_ca_file     (MsServerEditor *self,
                                                            GFile          *file);
void                      ms_server_editor_set_dkim_key_file (MsServerEditor *self,
                                                            GFile          *file);
void                      ms_server_editor_set_folder      (MsServerEditor *self,
                                                            GFile          *folder);
/* Starts Test Connection as the button does; cancels a running one. */
void                      ms_server_editor_test            (MsServerEditor *self);
void                      ms_server_editor_cancel_test     (MsServerEditor *self);
gboolean                  ms_server_editor_get_testing     (MsServerEditor *self);
/* Check Mailbox Now: reads the saved profile's incoming mailbox off the UI thread. */
void                      ms_server_editor_check_mailbox   (MsServerEditor *self);
void                      ms_server_editor_cancel_check    (MsServerEditor *self);
gboolean                  ms_server_editor_get_checking    (MsServerEditor *self);
const char               *ms_server_editor_get_check_text  (MsServerEditor *self);
/* Detect Settings on the first page of a new profile: looks the address up off
 * the UI thread (ms-autodetect.h), fills the fields, shows where each came from,
 * then tests the connection and checks the sender domain.  Closing cancels it. */
void                      ms_server_editor_detect          (MsServerEditor *self);
void                      ms_server_editor_cancel_detect   (MsServerEditor *self);
gboolean                  ms_server_editor_get_detecting   (MsServerEditor *self);
/* "address" (the first page of a new profile) or "settings". */
const char               *ms_server_editor_get_page        (MsServerEditor *self);
MsDomainChecklist        *ms_server_editor_get_domain_checklist (MsServerEditor *self);
/* The report of the last finished test, or NULL. */
const MsServerTestReport *ms_server_editor_get_test_report (MsServerEditor *self);
char                     *ms_server_editor_dup_test_log    (MsServerEditor *self);
/* Why the profile cannot be saved yet, or NULL when it can. */
const char               *ms_server_editor_get_problem     (MsServerEditor *self);
gboolean                  ms_server_editor_get_saving      (MsServerEditor *self);

G_END_DECLS

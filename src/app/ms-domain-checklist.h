/* ms-domain-checklist.h
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

#include "ms-secrets.h"
#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_DOMAIN_CHECKLIST (ms_domain_checklist_get_type ())

G_DECLARE_FINAL_TYPE (MsDomainChecklist, ms_domain_checklist, MS, DOMAIN_CHECKLIST, AdwBin)

/* The sender-domain checklist (ms-domain-check.h) of one From address sent
 * through one server: a row per MsCheckItem with an icon for ok, warning or
 * error, its title and its advice.  The check runs on a worker thread (the DNS
 * lookups, and reading the DKIM key from @secrets or the chosen file), is
 * cancelled by a new check, by ms_domain_checklist_cancel() and by taking the
 * widget out of its window (closing it).  It only advises: nothing it shows
 * blocks anything.  Property "busy". */
MsDomainChecklist *ms_domain_checklist_new         (void);
/* @from_address NULL: the server's sender address.  @secrets and @dkim_key_file
 * (a PEM file chosen but not stored yet) may be NULL: the DKIM key is then read
 * from @secrets when the server names one, else not compared. */
void               ms_domain_checklist_check       (MsDomainChecklist *self,
                                                    MsServer          *server,
                                                    const char        *from_address,
                                                    MsSecrets         *secrets,
                                                    GFile             *dkim_key_file);
void               ms_domain_checklist_cancel      (MsDomainChecklist *self);
/* Clears the rows and shows @text (NULL: nothing) instead. */
void               ms_domain_checklist_set_message (MsDomainChecklist *self,
                                                    const char        *text);
gboolean           ms_domain_checklist_get_busy    (MsDomainChecklist *self);
/* The MsCheckItem of the last finished check, or NULL. */
GPtrArray         *ms_domain_checklist_get_items   (MsDomainChecklist *self);
/* The one-line summary shown above the rows ("2 problems, 1 warning"). */
const char        *ms_domain_checklist_get_summary (MsDomainChecklist *self);

G_END_DECLS

/* ms-new-campaign-dialog.h
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

G_BEGIN_DECLS

/* The New Campaign dialog: name, template, lists and exclusion lists, servers
 * chosen and ordered, start time and send window; then a pre-flight page (the
 * audience, suppressed contacts, contacts lacking merge fields, size, attachment
 * and sender problems per server, the sender domain's SPF, DKIM and DMARC, and
 * the plan under the current quotas).
 * "Start Sending" emits "start" with the new campaign's id; "Save as Draft"
 * emits "saved". */
#define MS_TYPE_NEW_CAMPAIGN_DIALOG (ms_new_campaign_dialog_get_type ())

G_DECLARE_FINAL_TYPE (MsNewCampaignDialog, ms_new_campaign_dialog, MS, NEW_CAMPAIGN_DIALOG, AdwWindow)

MsNewCampaignDialog *ms_new_campaign_dialog_new           (GtkWindow           *parent,
                                                           const char          *db_path);
/* TRUE once templates, lists and servers were read. */
gboolean             ms_new_campaign_dialog_get_loaded    (MsNewCampaignDialog *self);
/* TRUE once the pre-flight page shows its results. */
gboolean             ms_new_campaign_dialog_get_checked   (MsNewCampaignDialog *self);
/* What the fields hold, for tests and for the buttons alike. */
void                 ms_new_campaign_dialog_set_name      (MsNewCampaignDialog *self,
                                                           const char          *name);
gboolean             ms_new_campaign_dialog_select_template (MsNewCampaignDialog *self,
                                                           gint64               template_id);
/* role: 0 not used, 1 send to, 2 exclude. */
gboolean             ms_new_campaign_dialog_set_list_role (MsNewCampaignDialog *self,
                                                           gint64               list_id,
                                                           guint                role);
/* Chosen servers go to the end of the rotation. */
gboolean             ms_new_campaign_dialog_choose_server (MsNewCampaignDialog *self,
                                                           gint64               server_id,
                                                           gboolean             chosen);
/* The pre-flight page in words (for tests): every row's title and subtitle. */
char                *ms_new_campaign_dialog_dup_preflight_text (MsNewCampaignDialog *self);
gint64               ms_new_campaign_dialog_get_campaign_id (MsNewCampaignDialog *self);
/* The secret store, for comparing the DKIM keys in the sender-domain checks. */
void                 ms_new_campaign_dialog_set_secrets   (MsNewCampaignDialog *self,
                                                           MsSecrets           *secrets);
/* The MsDomainChecklist of the pre-flight page (one per sender domain and server). */
GPtrArray           *ms_new_campaign_dialog_get_domain_checklists (MsNewCampaignDialog *self);

G_END_DECLS

/* ms-campaigns-view.h
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

#include "ms-campaign-view.h"
#include "ms-engine.h"
#include "ms-new-campaign-dialog.h"

G_BEGIN_DECLS

/* The Campaigns section: every campaign with its state and progress, the New
 * Campaign dialog, and one campaign's live view.  It owns the delivery engine
 * of the window's database: started when something is to be sent (and for the
 * campaigns that were running when the app last quit), stopped when nothing is
 * left to send. */
#define MS_TYPE_CAMPAIGNS_VIEW (ms_campaigns_view_get_type ())

G_DECLARE_FINAL_TYPE (MsCampaignsView, ms_campaigns_view, MS, CAMPAIGNS_VIEW, AdwBin)

void                 ms_campaigns_view_set_db_path      (MsCampaignsView *self,
                                                         const char      *db_path);
/* Every campaign, newest first (MsCampaign; live objects while they send). */
GListModel          *ms_campaigns_view_get_campaigns    (MsCampaignsView *self);
void                 ms_campaigns_view_reload           (MsCampaignsView *self);
MsEngine            *ms_campaigns_view_get_engine       (MsCampaignsView *self);
/* TRUE while a campaign sends or waits to continue. */
gboolean             ms_campaigns_view_get_active       (MsCampaignsView *self);
MsNewCampaignDialog *ms_campaigns_view_new_campaign     (MsCampaignsView *self);
void                 ms_campaigns_view_send             (MsCampaignsView *self,
                                                         gint64           campaign_id);
void                 ms_campaigns_view_open_campaign    (MsCampaignsView *self,
                                                         gint64           campaign_id);
void                 ms_campaigns_view_show_list        (MsCampaignsView *self);
MsCampaignView      *ms_campaigns_view_get_campaign_view (MsCampaignsView *self);
/* Pauses every campaign the engine sends (closing the app). */
void                 ms_campaigns_view_pause_all        (MsCampaignsView *self);
/* Stops the engine now (in-flight messages are finished first). */
void                 ms_campaigns_view_stop_engine      (MsCampaignsView *self);

/* Desktop notifications (a campaign finished, every server waits); tests turn
 * them off where no notification server runs.  The title of the last one. */
void                 ms_campaigns_view_set_show_notifications (MsCampaignsView *self,
                                                               gboolean         show);
const char          *ms_campaigns_view_get_last_notification  (MsCampaignsView *self);
void                 ms_campaigns_view_send_notification      (MsCampaignsView *self,
                                                               const char      *id,
                                                               const char      *title,
                                                               const char      *body);

G_END_DECLS

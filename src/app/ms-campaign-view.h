/* ms-campaign-view.h
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

#include "ms-campaign.h"
#include "ms-outcome-list.h"
#include "ms-server-card.h"

G_BEGIN_DECLS

/* One campaign, live while the engine sends it: overall progress, counts per
 * state, a card per server, the send rate over the last hour, the ETA, the
 * failures with the servers' words, what came back (bounces, complaints,
 * unsubscribe requests; MsOutcomeList), and the Pause / Resume / Cancel / Retry
 * buttons (actions "campaigns.pause" ... of the Campaigns view). */
#define MS_TYPE_CAMPAIGN_VIEW (ms_campaign_view_get_type ())

G_DECLARE_FINAL_TYPE (MsCampaignView, ms_campaign_view, MS, CAMPAIGN_VIEW, GtkBox)

GtkWidget    *ms_campaign_view_new             (void);
void          ms_campaign_view_set_db_path     (MsCampaignView *self,
                                                const char     *db_path);
MsCampaign   *ms_campaign_view_get_campaign    (MsCampaignView *self);
void          ms_campaign_view_set_campaign    (MsCampaignView *self,
                                                MsCampaign     *campaign);
guint         ms_campaign_view_get_n_cards     (MsCampaignView *self);
MsServerCard *ms_campaign_view_get_card        (MsCampaignView *self,
                                                guint           index);
/* Rows in the failure list (after the last reload). */
guint         ms_campaign_view_get_n_failures  (MsCampaignView *self);
/* The bounces, complaints and unsubscribes of the campaign; they are read again
 * with the campaign's progress, and after a mailbox check through this call. */
MsOutcomeList *ms_campaign_view_get_outcome_list (MsCampaignView *self);
void          ms_campaign_view_reload_outcomes (MsCampaignView *self);

G_END_DECLS

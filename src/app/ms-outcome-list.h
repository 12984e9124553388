/* ms-outcome-list.h
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

#include "ms-store-outcomes.h"

G_BEGIN_DECLS

/* What came back from a campaign's recipients: how many bounced, complained or
 * unsubscribed, and a list of them (address, what happened, the reason in
 * words, the server's codes and words, when), newest first.  The list is read
 * off the UI thread a page at a time; "Show More" reads the next page. */
#define MS_TYPE_OUTCOME_LIST (ms_outcome_list_get_type ())

G_DECLARE_FINAL_TYPE (MsOutcomeList, ms_outcome_list, MS, OUTCOME_LIST, GtkBox)

GtkWidget             *ms_outcome_list_new             (void);
void                   ms_outcome_list_set_db_path     (MsOutcomeList *self,
                                                        const char    *db_path);
/* Shows the campaign's outcomes (0 for none); a new campaign starts empty. */
void                   ms_outcome_list_set_campaign_id (MsOutcomeList *self,
                                                        gint64         campaign_id);
/* Reads the counts again soon, and the list when they changed.  Calls close
 * together (progress while sending) make one read. */
void                   ms_outcome_list_queue_reload    (MsOutcomeList *self);
/* Reads the next page. */
void                   ms_outcome_list_show_more       (MsOutcomeList *self);
/* MsOutcome, as shown. */
GListModel            *ms_outcome_list_get_model       (MsOutcomeList *self);
const MsOutcomeCounts *ms_outcome_list_get_counts      (MsOutcomeList *self);
/* A read is running or waits to run. */
gboolean               ms_outcome_list_get_busy        (MsOutcomeList *self);
/* What the row of an outcome says it was: "Hard Bounce", "Complaint"... */
const char            *ms_outcome_kind_to_label        (MsOutcome     *outcome);

G_END_DECLS

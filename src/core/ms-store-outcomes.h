/* ms-store-outcomes.h
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

#include <glib-object.h>

#include "ms-store.h"

G_BEGIN_DECLS

/* What came back from a campaign's recipients (table `bounces`, recorded by
 * ms_mailbox_process_message()): bounces, complaints and unsubscribe requests,
 * matched to the campaign's deliveries.  Auto-replies are not outcomes.
 *
 * One outcome per recipient and kind: when a recipient bounced more than once,
 * the hard bounce (else the newest) stands for them. */

typedef enum
{
  MS_OUTCOME_BOUNCED,
  MS_OUTCOME_COMPLAINED,
  MS_OUTCOME_UNSUBSCRIBED,
} MsOutcomeKind;

#define MS_TYPE_OUTCOME (ms_outcome_get_type ())

G_DECLARE_FINAL_TYPE (MsOutcome, ms_outcome, MS, OUTCOME, GObject)

/* The record's id: outcomes are listed newest first, by id. */
gint64         ms_outcome_get_id               (MsOutcome   *self);
gint64         ms_outcome_get_delivery_id      (MsOutcome   *self);
/* 0 when the contact was deleted. */
gint64         ms_outcome_get_contact_id       (MsOutcome   *self);
const char    *ms_outcome_get_email            (MsOutcome   *self);
MsOutcomeKind  ms_outcome_get_kind             (MsOutcome   *self);
/* For bounces: a hard (permanent) one. */
gboolean       ms_outcome_get_hard             (MsOutcome   *self);
/* The reason name of shared/bounces/REASONS.md ("userunknown"), or NULL. */
const char    *ms_outcome_get_reason           (MsOutcome   *self);
/* The enhanced status code ("5.1.1"), or NULL. */
const char    *ms_outcome_get_status           (MsOutcome   *self);
/* The SMTP reply code, 0 for none. */
guint          ms_outcome_get_reply_code       (MsOutcome   *self);
/* The remote server's words (for complaints the feedback type, for unsubscribe
 * requests the subject), or NULL. */
const char    *ms_outcome_get_diagnostic       (MsOutcome   *self);
/* Unix seconds when Mailshot read it. */
gint64         ms_outcome_get_received_at      (MsOutcome   *self);
/* The contact's status now ("active", "bounced", ...), or NULL when deleted. */
const char    *ms_outcome_get_contact_status   (MsOutcome   *self);

/* Recipients of the campaign per outcome. */
typedef struct
{
  gint64 bounced;        /* recipients with a bounce */
  gint64 hard;           /* ... of which a hard one */
  gint64 complained;
  gint64 unsubscribed;
  gint64 total;          /* outcomes: bounced + complained + unsubscribed */
  gint64 last_id;        /* the newest record's id: changes with every new one */
} MsOutcomeCounts;

gboolean    ms_store_count_campaign_outcomes (MsStore          *self,
                                              gint64            campaign_id,
                                              MsOutcomeCounts  *out,
                                              GError          **error);
/* Up to @limit outcomes of the campaign, newest first, older than the outcome
 * with id @before (0: from the newest).  Pass the last id of a page to read the
 * next one.  Element type MsOutcome. */
GPtrArray  *ms_store_list_campaign_outcomes  (MsStore          *self,
                                              gint64            campaign_id,
                                              gint64            before,
                                              guint             limit,
                                              GError          **error);

G_END_DECLS

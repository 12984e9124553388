/* ms-store-outcomes.c
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

#define G_LOG_DOMAIN "ms-store"

#include "config.h"

#include <string.h>

#include "ms-store-outcomes.h"
#include "ms-store-private.h"

/* Bounces, complaints and unsubscribe requests of a campaign's recipients, as
 * the campaign view lists them.  The lists are read a page at a time. */

struct _MsOutcome
{
  GObject        parent_instance;

  gint64         id;
  gint64         delivery_id;
  gint64         contact_id;
  char          *email;
  MsOutcomeKind  kind;
  gboolean       hard;
  char          *reason;
  char          *status;
  guint          reply_code;
  char          *diagnostic;
  gint64         received_at;
  char          *contact_status;
};

G_DEFINE_FINAL_TYPE (MsOutcome, ms_outcome, G_TYPE_OBJECT)

/* The record standing for a recipient and kind: a hard bounce before a soft
 * one, then the newest. */
#define STANDING_RECORD \
  "b.id = (SELECT b2.id FROM bounces b2 WHERE b2.delivery_id = b.delivery_id" \
  " AND b2.kind = b.kind ORDER BY b2.hard DESC, b2.id DESC LIMIT 1)"

static void
ms_outcome_finalize (GObject *object)
{
  MsOutcome *self = MS_OUTCOME (object);

  g_free (self->email);
  g_free (self->reason);
  g_free (self->status);
  g_free (self->diagnostic);
  g_free (self->contact_status);

  G_OBJECT_CLASS (ms_outcome_parent_class)->finalize (object);
}

static void
ms_outcome_class_init (MsOutcomeClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = ms_outcome_finalize;
}

static void
ms_outcome_init (MsOutcome *self)
{
}

static char *
dup_column (sqlite3_stmt *stmt,
            int           column)
{
  const char *text = (const char *) sqlite3_column_text (stmt, column);

  return text != NULL && text[0] != '\0' ? g_strdup (text) : NULL;
}

static MsOutcomeKind
kind_from_string (const char *kind)
{
  if (g_strcmp0 (kind, "complaint") == 0)
    return MS_OUTCOME_COMPLAINED;
  if (g_strcmp0 (kind, "unsubscribe") == 0)
    return MS_OUTCOME_UNSUBSCRIBED;
  return MS_OUTCOME_BOUNCED;
}

static MsOutcome *
outcome_from_row (sqlite3_stmt *stmt)
{
  MsOutcome *self = g_object_new (MS_TYPE_OUTCOME, NULL);

  self->id = sqlite3_column_int64 (stmt, 0);
  self->delivery_id = sqlite3_column_int64 (stmt, 1);
  self->contact_id = sqlite3_column_int64 (stmt, 2);
  self->email = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
  self->kind = kind_from_string ((const char *) sqlite3_column_text (stmt, 4));
  self->hard = sqlite3_column_int (stmt, 5) != 0;
  self->reason = dup_column (stmt, 6);
  self->status = dup_column (stmt, 7);
  self->reply_code = (guint) CLAMP (sqlite3_column_int64 (stmt, 8), 0, 999);
  self->diagnostic = dup_column (stmt, 9);
  self->received_at = sqlite3_column_int64 (stmt, 10);
  self->contact_status = dup_column (stmt, 11);
  return self;
}

gboolean
ms_store_count_campaign_outcomes (MsStore          *self,
                                  gint64            campaign_id,
                                  MsOutcomeCounts  *out,
                                  GError          **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  stmt = _ms_store_prepare (self,
                            "SELECT count (DISTINCT CASE WHEN b.kind = 'bounce' THEN b.delivery_id END),"
                            " count (DISTINCT CASE WHEN b.kind = 'bounce' AND b.hard THEN b.delivery_id END),"
                            " count (DISTINCT CASE WHEN b.kind = 'complaint' THEN b.delivery_id END),"
                            " count (DISTINCT CASE WHEN b.kind = 'unsubscribe' THEN b.delivery_id END),"
                            " coalesce (max (b.id), 0)"
                            " FROM deliveries d JOIN bounces b ON b.delivery_id = d.id"
                            " WHERE d.campaign_id = ?1 AND b.kind <> 'autoreply'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->bounced = sqlite3_column_int64 (stmt, 0);
      out->hard = sqlite3_column_int64 (stmt, 1);
      out->complained = sqlite3_column_int64 (stmt, 2);
      out->unsubscribed = sqlite3_column_int64 (stmt, 3);
      out->last_id = sqlite3_column_int64 (stmt, 4);
      out->total = out->bounced + out->complained + out->unsubscribed;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

GPtrArray *
ms_store_list_campaign_outcomes (MsStore  *self,
                                 gint64    campaign_id,
                                 gint64    before,
                                 guint     limit,
                                 GError  **error)
{
  g_autoptr(GPtrArray) outcomes = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self,
                            "SELECT b.id, b.delivery_id, coalesce (d.contact_id, 0), d.email, b.kind,"
                            " b.hard, b.reason, b.status, b.reply_code, b.diagnostic, b.received_at,"
                            " c.status"
                            " FROM deliveries d JOIN bounces b ON b.delivery_id = d.id"
                            " LEFT JOIN contacts c ON c.id = d.contact_id"
                            " WHERE d.campaign_id = ?1 AND b.kind <> 'autoreply' AND b.id < ?2"
                            " AND " STANDING_RECORD
                            " ORDER BY b.id DESC LIMIT ?3",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int64 (stmt, 2, before > 0 ? before : G_MAXINT64);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (outcomes, outcome_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&outcomes);
}

/* Getters */

gint64
ms_outcome_get_id (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), 0);
  return self->id;
}

gint64
ms_outcome_get_delivery_id (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), 0);
  return self->delivery_id;
}

gint64
ms_outcome_get_contact_id (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), 0);
  return self->contact_id;
}

const char *
ms_outcome_get_email (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), NULL);
  return self->email;
}

MsOutcomeKind
ms_outcome_get_kind (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), MS_OUTCOME_BOUNCED);
  return self->kind;
}

gboolean
ms_outcome_get_hard (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), FALSE);
  return self->hard;
}

const char *
ms_outcome_get_reason (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), NULL);
  return self->reason;
}

const char *
ms_outcome_get_status (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), NULL);
  return self->status;
}

guint
ms_outcome_get_reply_code (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), 0);
  return self->reply_code;
}

const char *
ms_outcome_get_diagnostic (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), NULL);
  return self->diagnostic;
}

gint64
ms_outcome_get_received_at (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), 0);
  return self->received_at;
}

const char *
ms_outcome_get_contact_status (MsOutcome *self)
{
  g_return_val_if_fail (MS_IS_OUTCOME (self), NULL);
  return self->contact_status;
}

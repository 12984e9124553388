/* ms-store-deliveries.c
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

#include <inttypes.h>

#include <glib/gi18n.h>
#include <openssl/rand.h>
#include <string.h>

#include "ms-store-campaigns-private.h"
#include "ms-store-private.h"

/* The engine's side of the campaigns in the store: deliveries made from the
 * audience, recovered after a crash, claimed, recorded as data-sent and finished;
 * the campaigns' token keys; the servers' health; the send log. */

/* Materialising */

typedef struct
{
  gint64  contact_id;
  char   *email;
  char   *suppressed;   /* why, or NULL */
} AudienceRow;

static void
audience_row_clear (gpointer data)
{
  AudienceRow *row = data;

  g_free (row->email);
  g_free (row->suppressed);
}

static gboolean
read_audience_batch (MsStore  *self,
                     gint64    campaign_id,
                     gint64    after,
                     guint     batch,
                     GArray   *rows,
                     GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT c.id, c.email, c.status, " MS_STORE_IN_LISTS ("1") " FROM contacts c"
                            " WHERE c.id > ?2 AND " MS_STORE_IN_LISTS ("0") " ORDER BY c.id LIMIT ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int64 (stmt, 2, after);
  sqlite3_bind_int64 (stmt, 3, batch);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      AudienceRow row = { 0 };
      const char *status = _ms_store_column_text (stmt, 2);

      row.contact_id = sqlite3_column_int64 (stmt, 0);
      row.email = g_strdup (_ms_store_column_text (stmt, 1));
      if (g_strcmp0 (status, "active") != 0)
        row.suppressed = g_strdup (status);
      else if (sqlite3_column_int (stmt, 3))
        row.suppressed = g_strdup ("excluded");
      g_array_append_val (rows, row);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

/* Message-IDs: a random prefix per run, a sequence number, then 32 random bits.
 * The prefix and the sequence keep a campaign's IDs together in the UNIQUE
 * index, so a million inserts append instead of touching random pages (which
 * wrote gigabytes of WAL); the random tail keeps an ID from being guessed from
 * another one (a forged bounce must quote a real ID). */
static gboolean
insert_deliveries (MsStore     *self,
                   gint64       campaign_id,
                   const char  *domain,
                   const char  *prefix,
                   gint64       first_seq,
                   GArray      *rows,
                   GError     **error)
{
  g_autofree guint32 *tails = g_new (guint32, MAX (rows->len, 1));

  if (RAND_bytes ((unsigned char *) tails, (int) (sizeof (guint32) * MAX (rows->len, 1))) != 1)
    for (guint i = 0; i < rows->len; i++)
      tails[i] = g_random_int ();
  for (guint i = 0; i < rows->len; i++)
    {
      AudienceRow *row = &g_array_index (rows, AudienceRow, i);
      char message_id[256];
      sqlite3_stmt *stmt;

      g_snprintf (message_id, sizeof message_id, "%s.%08" G_GINT64_MODIFIER "x.%08x@%s",
                  prefix, first_seq + i, tails[i], domain);
      stmt = _ms_store_prepare (self,
                                "INSERT INTO deliveries (campaign_id, contact_id, email, state,"
                                " message_id, reply_text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                                " ON CONFLICT (campaign_id, contact_id) DO NOTHING",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, campaign_id);
      sqlite3_bind_int64 (stmt, 2, row->contact_id);
      sqlite3_bind_text (stmt, 3, row->email, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, row->suppressed != NULL ? "suppressed" : "queued", -1,
                         SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, message_id, -1, SQLITE_TRANSIENT);
      _ms_store_bind_text (stmt, 6, row->suppressed);
      if (!_ms_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
single_int64 (MsStore     *self,
              const char  *sql,
              gint64       arg,
              gint64      *out,
              GError     **error)
{
  sqlite3_stmt *stmt = _ms_store_prepare (self, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, arg);
  rc = sqlite3_step (stmt);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : 0;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

gboolean
ms_store_materialize_deliveries (MsStore            *self,
                                 gint64              campaign_id,
                                 const char         *domain,
                                 guint               batch,
                                 MsMaterializeFunc   func,
                                 gpointer            user_data,
                                 GError            **error)
{
  g_autoptr(GArray) rows = g_array_new (FALSE, TRUE, sizeof (AudienceRow));
  g_autofree char *prefix = _ms_store_random_hex (8);
  gint64 materialized = 0;
  gint64 last = 0;
  gint64 added = 0;
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (domain != NULL && domain[0] != '\0', FALSE);
  g_return_val_if_fail (!ms_store_in_transaction (self), FALSE);

  batch = MAX (batch, 1);
  g_array_set_clear_func (rows, audience_row_clear);
  if (!single_int64 (self, "SELECT materialized FROM campaigns WHERE id = ?1", campaign_id,
                     &materialized, error))
    return FALSE;
  if (materialized)
    return TRUE;
  if (!single_int64 (self, "SELECT coalesce (max (contact_id), 0) FROM deliveries"
                     " WHERE campaign_id = ?1", campaign_id, &last, error)
      || !single_int64 (self, "SELECT count(*) FROM deliveries WHERE campaign_id = ?1",
                        campaign_id, &added, error))
    return FALSE;

  for (;;)
    {
      gboolean ok;

      g_array_set_size (rows, 0);
      if (!ms_store_begin (self, error))
        return FALSE;
      ok = read_audience_batch (self, campaign_id, last, batch, rows, error)
           && insert_deliveries (self, campaign_id, domain, prefix, added + 1, rows, error);
      if (!_ms_store_finish_if_owned (self, TRUE, ok, error))
        return FALSE;
      if (rows->len == 0)
        break;
      last = g_array_index (rows, AudienceRow, rows->len - 1).contact_id;
      added += rows->len;
      if (func != NULL)
        func (added, user_data);
      if (rows->len < batch)
        break;
    }

  stmt = _ms_store_prepare (self, "UPDATE campaigns SET materialized = 1 WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  return _ms_store_step_done (self, stmt, error);
}

/* The engine's transitions */

static gboolean
exec_for_campaign (MsStore     *self,
                   const char  *sql,
                   gint64       campaign_id,
                   gint64      *changes,
                   GError     **error)
{
  sqlite3_stmt *stmt = _ms_store_prepare (self, sql, error);

  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (changes != NULL)
    *changes += sqlite3_changes (_ms_store_get_db (self));
  return TRUE;
}

gboolean
ms_store_recover_deliveries (MsStore  *self,
                             gint64   *out_requeued,
                             gint64   *out_uncertain,
                             GError  **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) cancelled = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 requeued = 0;
  gint64 uncertain = 0;
  sqlite3_stmt *stmt;
  gboolean owned;
  gboolean ok;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!_ms_store_begin_if_needed (self, &owned, error))
    return FALSE;
  stmt = _ms_store_prepare (self, "SELECT id, state = 'cancelled' FROM campaigns", error);
  ok = stmt != NULL;
  while (ok && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
      if (sqlite3_column_int (stmt, 1))
        g_array_append_val (cancelled, id);
    }
  if (ok)
    {
      sqlite3_reset (stmt);
      if (rc != SQLITE_DONE)
        ok = _ms_store_fail (self, rc, error);
    }
  for (guint i = 0; ok && i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      ok = exec_for_campaign (self,
                              "UPDATE deliveries SET state = 'queued', updated_at = unixepoch ()"
                              " WHERE campaign_id = ?1 AND state = 'sending'",
                              id, &requeued, error)
           && exec_for_campaign (self,
                                 "UPDATE deliveries SET state = 'uncertain', updated_at = unixepoch ()"
                                 " WHERE campaign_id = ?1 AND state = 'data-sent'",
                                 id, &uncertain, error);
    }
  for (guint i = 0; ok && i < cancelled->len; i++)
    ok = _ms_store_cancel_queued (self, g_array_index (cancelled, gint64, i), error);
  if (!_ms_store_finish_if_owned (self, owned, ok, error))
    return FALSE;
  if (out_requeued != NULL)
    *out_requeued = requeued;
  if (out_uncertain != NULL)
    *out_uncertain = uncertain;
  return TRUE;
}

typedef struct
{
  MsDelivery *delivery;
  char       *status;     /* the contact's, NULL when deleted */
} Claimed;

static MsContact *
contact_from_claim (sqlite3_stmt *stmt)
{
  MsContact *contact = ms_contact_new (_ms_store_column_text (stmt, 6));
  const char *fields = _ms_store_column_text (stmt, 10);

  ms_contact_set_id (contact, sqlite3_column_int64 (stmt, 5));
  ms_contact_set_name (contact, _ms_store_column_text (stmt, 7));
  ms_contact_set_first_name (contact, _ms_store_column_text (stmt, 8));
  ms_contact_set_last_name (contact, _ms_store_column_text (stmt, 9));
  if (fields != NULL)
    ms_contact_set_fields_json (contact, fields, NULL);
  return contact;
}

static gboolean
read_due (MsStore    *self,
          gint64      campaign_id,
          gint64      now,
          guint       limit,
          GArray     *claimed,
          GError    **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT d.id, d.email, d.message_id, d.attempts, d.first_attempt_at,"
                            " d.contact_id, c.email, c.name, c.first_name, c.last_name, c.fields,"
                            " c.status"
                            " FROM deliveries d LEFT JOIN contacts c ON c.id = d.contact_id"
                            " WHERE d.campaign_id = ?1 AND d.state = 'queued'"
                            " AND d.next_attempt_at <= ?2"
                            " ORDER BY d.next_attempt_at, d.id LIMIT ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_int64 (stmt, 2, now);
  sqlite3_bind_int64 (stmt, 3, limit);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      Claimed c = { 0 };
      MsDelivery *d = g_new0 (MsDelivery, 1);

      d->id = sqlite3_column_int64 (stmt, 0);
      d->campaign_id = campaign_id;
      d->email = g_strdup (_ms_store_column_text (stmt, 1));
      d->message_id = g_strdup (_ms_store_column_text (stmt, 2));
      d->state = MS_DELIVERY_SENDING;
      d->attempts = (guint) sqlite3_column_int (stmt, 3);
      d->first_attempt_at = sqlite3_column_int64 (stmt, 4);
      if (d->first_attempt_at == 0)
        d->first_attempt_at = now;
      d->contact_id = sqlite3_column_int64 (stmt, 5);
      if (sqlite3_column_type (stmt, 6) != SQLITE_NULL)
        d->contact = contact_from_claim (stmt);
      c.delivery = d;
      c.status = g_strdup (_ms_store_column_text (stmt, 11));
      g_array_append_val (claimed, c);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

static void
claimed_clear (gpointer data)
{
  Claimed *c = data;

  g_clear_pointer (&c->delivery, ms_delivery_free);
  g_free (c->status);
}

static GPtrArray *
claim_deliveries (MsStore  *self,
                  gint64    campaign_id,
                  gint64    now,
                  guint     limit,
                  gboolean  mark_sending,
                  guint    *out_suppressed,
                  GError  **error)
{
  g_autoptr(GArray) claimed = g_array_new (FALSE, TRUE, sizeof (Claimed));
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_delivery_free);
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  g_array_set_clear_func (claimed, claimed_clear);
  if (!_ms_store_begin_if_needed (self, &owned, error))
    return NULL;
  ok = read_due (self, campaign_id, now, limit, claimed, error);
  for (guint i = 0; ok && i < claimed->len; i++)
    {
      Claimed *c = &g_array_index (claimed, Claimed, i);
      gboolean active = g_strcmp0 (c->status, "active") == 0;
      sqlite3_stmt *stmt;

      if (active && !mark_sending)
        {
          g_ptr_array_add (ret, g_steal_pointer (&c->delivery));
          continue;
        }
      /* A contact that unsubscribed, bounced or was deleted since the campaign
       * started is not sent to. */
      stmt = _ms_store_prepare (self,
                                "UPDATE deliveries SET state = ?2, updated_at = ?3,"
                                " first_attempt_at = coalesce (first_attempt_at, ?3),"
                                " reply_code = CASE WHEN ?4 IS NULL THEN reply_code END,"
                                " reply_enhanced = CASE WHEN ?4 IS NULL THEN reply_enhanced END,"
                                " reply_text = coalesce (?4, reply_text) WHERE id = ?1",
                                error);
      ok = stmt != NULL;
      if (!ok)
        break;
      sqlite3_bind_int64 (stmt, 1, c->delivery->id);
      sqlite3_bind_text (stmt, 2, active ? "sending" : "suppressed", -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 3, now);
      if (!active)
        _ms_store_bind_text (stmt, 4, c->status != NULL ? c->status : "deleted");
      ok = _ms_store_step_done (self, stmt, error);
      if (ok && active)
        g_ptr_array_add (ret, g_steal_pointer (&c->delivery));
    }
  if (!_ms_store_finish_if_owned (self, owned, ok, error))
    return NULL;
  if (out_suppressed != NULL)
    *out_suppressed = claimed->len - ret->len;
  return g_steal_pointer (&ret);
}

GPtrArray *
ms_store_claim_deliveries (MsStore  *self,
                           gint64    campaign_id,
                           gint64    now,
                           guint     limit,
                           guint    *out_suppressed,
                           GError  **error)
{
  return claim_deliveries (self, campaign_id, now, limit, TRUE, out_suppressed, error);
}

GPtrArray *
ms_store_read_due_deliveries (MsStore  *self,
                              gint64    campaign_id,
                              gint64    now,
                              guint     limit,
                              guint    *out_suppressed,
                              GError  **error)
{
  return claim_deliveries (self, campaign_id, now, limit, FALSE, out_suppressed, error);
}

gint64
ms_store_next_attempt_time (MsStore  *self,
                            gint64    campaign_id,
                            GError  **error)
{
  gint64 next = 0;

  g_return_val_if_fail (MS_IS_STORE (self), 0);

  if (!single_int64 (self,
                     "SELECT coalesce (min (next_attempt_at), 0) FROM deliveries"
                     " WHERE campaign_id = ?1 AND state = 'queued'",
                     campaign_id, &next, error))
    return 0;
  return next;
}

gboolean
ms_store_mark_data_sent (MsStore  *self,
                         gint64    delivery_id,
                         gint64    server_id,
                         gint64    time_ms,
                         gint64   *out_log_id,
                         GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self,
                            "UPDATE deliveries SET state = 'data-sent', server_id = ?2,"
                            " updated_at = ?3, first_attempt_at = coalesce (first_attempt_at, ?3)"
                            " WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  sqlite3_bind_int64 (stmt, 2, server_id);
  sqlite3_bind_int64 (stmt, 3, time_ms / 1000);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;

  stmt = _ms_store_prepare (self,
                            "INSERT INTO send_log (server_id, sent_at_ms, delivery_id)"
                            " VALUES (?1, ?2, ?3)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, time_ms);
  sqlite3_bind_int64 (stmt, 3, delivery_id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (out_log_id != NULL)
    *out_log_id = sqlite3_last_insert_rowid (_ms_store_get_db (self));
  return TRUE;
}

gboolean
ms_store_finish_delivery (MsStore                  *self,
                          const MsDeliveryOutcome  *outcome,
                          GError                  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (outcome != NULL, FALSE);

  stmt = _ms_store_prepare (self,
                            "UPDATE deliveries SET state = ?2, attempts = ?3, next_attempt_at = ?4,"
                            " server_id = coalesce (?5, server_id), reply_code = ?6,"
                            " reply_enhanced = ?7, reply_text = ?8, updated_at = unixepoch ()"
                            " WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, outcome->delivery_id);
  sqlite3_bind_text (stmt, 2, ms_delivery_state_to_string (outcome->state), -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 3, (int) outcome->attempts);
  sqlite3_bind_int64 (stmt, 4, outcome->next_attempt_at);
  if (outcome->server_id > 0)
    sqlite3_bind_int64 (stmt, 5, outcome->server_id);
  if (outcome->reply_code > 0)
    sqlite3_bind_int (stmt, 6, (int) outcome->reply_code);
  _ms_store_bind_text (stmt, 7, outcome->reply_enhanced);
  _ms_store_bind_text (stmt, 8, outcome->reply_text);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;

  if (outcome->log_id <= 0 || (outcome->handed_over && outcome->log_time_ms <= 0))
    return TRUE;
  if (outcome->handed_over)
    {
      stmt = _ms_store_prepare (self, "UPDATE send_log SET sent_at_ms = ?2 WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 2, outcome->log_time_ms);
    }
  else
    {
      stmt = _ms_store_prepare (self, "DELETE FROM send_log WHERE id = ?1", error);
      if (stmt == NULL)
        return FALSE;
    }
  sqlite3_bind_int64 (stmt, 1, outcome->log_id);
  return _ms_store_step_done (self, stmt, error);
}

gboolean
ms_store_unclaim_deliveries (MsStore       *self,
                             const gint64  *ids,
                             guint          n_ids,
                             GError       **error)
{
  gboolean owned;
  gboolean ok = TRUE;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (ids != NULL || n_ids == 0, FALSE);

  if (n_ids == 0)
    return TRUE;
  if (!_ms_store_begin_if_needed (self, &owned, error))
    return FALSE;
  for (guint i = 0; ok && i < n_ids; i++)
    ok = exec_for_campaign (self,
                            "UPDATE deliveries SET state = 'queued', updated_at = unixepoch ()"
                            " WHERE id = ?1 AND state = 'sending'",
                            ids[i], NULL, error);
  return _ms_store_finish_if_owned (self, owned, ok, error);
}

char *
ms_store_dup_campaign_secret (MsStore  *self,
                              gint64    campaign_id,
                              GError  **error)
{
  g_autofree char *secret = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self, "SELECT token_secret FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    secret = g_strdup (_ms_store_column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    {
      if (rc == SQLITE_DONE)
        g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                     _("There is no campaign with the id %" PRId64 "."), campaign_id);
      else
        _ms_store_fail (self, rc, error);
      return NULL;
    }
  if (secret != NULL)
    return g_steal_pointer (&secret);

  secret = _ms_store_random_hex (32);
  stmt = _ms_store_prepare (self, "UPDATE campaigns SET token_secret = ?2 WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_text (stmt, 2, secret, -1, SQLITE_STATIC);
  if (!_ms_store_step_done (self, stmt, error))
    return NULL;
  return g_steal_pointer (&secret);
}

/* Server health */

void
ms_server_health_clear (MsServerHealth *health)
{
  if (health == NULL)
    return;
  g_clear_pointer (&health->reason, g_free);
  memset (health, 0, sizeof *health);
}

gboolean
ms_store_get_server_health (MsStore         *self,
                            gint64           server_id,
                            MsServerHealth  *out,
                            GError         **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  memset (out, 0, sizeof *out);
  out->server_id = server_id;
  stmt = _ms_store_prepare (self,
                            "SELECT cooldown_until, reason, consecutive_failures, stopped, stopped_at"
                            " FROM server_state WHERE server_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      out->cooldown_until = sqlite3_column_int64 (stmt, 0);
      out->reason = g_strdup (_ms_store_column_text (stmt, 1));
      out->consecutive_failures = (guint) sqlite3_column_int (stmt, 2);
      out->stopped = sqlite3_column_int (stmt, 3) != 0;
      out->stopped_at = sqlite3_column_int64 (stmt, 4);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

gboolean
ms_store_set_server_health (MsStore               *self,
                            const MsServerHealth  *health,
                            GError               **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (health != NULL, FALSE);

  stmt = _ms_store_prepare (self,
                            "INSERT INTO server_state (server_id, cooldown_until, reason,"
                            " consecutive_failures, stopped, stopped_at)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
                            " ON CONFLICT (server_id) DO UPDATE SET cooldown_until = ?2,"
                            " reason = ?3, consecutive_failures = ?4, stopped = ?5, stopped_at = ?6",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, health->server_id);
  if (health->cooldown_until > 0)
    sqlite3_bind_int64 (stmt, 2, health->cooldown_until);
  _ms_store_bind_text (stmt, 3, health->reason);
  sqlite3_bind_int (stmt, 4, (int) health->consecutive_failures);
  sqlite3_bind_int (stmt, 5, health->stopped ? 1 : 0);
  if (health->stopped_at > 0)
    sqlite3_bind_int64 (stmt, 6, health->stopped_at);
  return _ms_store_step_done (self, stmt, error);
}

gboolean
ms_store_foreach_send_log (MsStore        *self,
                           gint64          server_id,
                           gint64          since_ms,
                           MsSendLogFunc   func,
                           gpointer        user_data,
                           GError        **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  stmt = _ms_store_prepare (self,
                            "SELECT sent_at_ms FROM send_log WHERE server_id = ?1"
                            " AND sent_at_ms >= ?2 ORDER BY sent_at_ms",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  sqlite3_bind_int64 (stmt, 2, since_ms);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    func (sqlite3_column_int64 (stmt, 0), user_data);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}


/* ms-store-campaigns.c
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

#include "ms-json.h"
#include "ms-quota.h"
#include "ms-store-campaigns.h"
#include "ms-store-campaigns-private.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

#define CAMPAIGN_COLUMNS \
  "c.id, c.name, c.template_id, " \
  "coalesce (json_extract (c.template_snapshot, '$.name'), t.name), c.state, c.start_at, " \
  "c.window_start, c.window_end, c.window_days, c.created_at, c.started_at, c.finished_at, " \
  "c.reason, c.wait_until"

#define CAMPAIGN_FROM " FROM campaigns c LEFT JOIN templates t ON t.id = c.template_id"

const char *
_ms_store_column_text (sqlite3_stmt *stmt,
             int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

gboolean
_ms_store_begin_if_needed (MsStore   *self,
                 gboolean  *owned,
                 GError   **error)
{
  *owned = !ms_store_in_transaction (self);
  return !*owned || ms_store_begin (self, error);
}

gboolean
_ms_store_finish_if_owned (MsStore   *self,
        gboolean   owned,
        gboolean   ok,
        GError   **error)
{
  if (!owned)
    return ok;
  if (!ok)
    {
      ms_store_rollback (self);
      return FALSE;
    }
  return ms_store_commit (self, error);
}

char *
_ms_store_random_hex (guint n_bytes)
{
  g_autofree guchar *bytes = g_malloc (n_bytes);
  GString *out = g_string_sized_new (n_bytes * 2);

  if (RAND_bytes (bytes, (int) n_bytes) != 1)
    for (guint i = 0; i < n_bytes; i++)
      bytes[i] = (guchar) g_random_int_range (0, 256);
  for (guint i = 0; i < n_bytes; i++)
    g_string_append_printf (out, "%02x", bytes[i]);
  return g_string_free (out, FALSE);
}

/* MsDelivery */

G_DEFINE_BOXED_TYPE (MsDelivery, ms_delivery, ms_delivery_copy, ms_delivery_free)

MsDelivery *
ms_delivery_copy (const MsDelivery *self)
{
  MsDelivery *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (MsDelivery, 1);
  *copy = *self;
  copy->email = g_strdup (self->email);
  copy->message_id = g_strdup (self->message_id);
  copy->server_name = g_strdup (self->server_name);
  copy->reply_enhanced = g_strdup (self->reply_enhanced);
  copy->reply_text = g_strdup (self->reply_text);
  copy->contact = self->contact != NULL ? g_object_ref (self->contact) : NULL;
  return copy;
}

void
ms_delivery_free (MsDelivery *self)
{
  if (self == NULL)
    return;
  g_free (self->email);
  g_free (self->message_id);
  g_free (self->server_name);
  g_free (self->reply_enhanced);
  g_free (self->reply_text);
  g_clear_object (&self->contact);
  g_free (self);
}

/* Reading campaigns */

static MsCampaign *
campaign_from_row (sqlite3_stmt *stmt)
{
  MsCampaign *campaign = ms_campaign_new (_ms_store_column_text (stmt, 1));
  MsCampaignState state = MS_CAMPAIGN_STATE_DRAFT;
  MsSendWindow window = MS_SEND_WINDOW_ALWAYS;

  ms_campaign_set_id (campaign, sqlite3_column_int64 (stmt, 0));
  ms_campaign_set_template_id (campaign, sqlite3_column_int64 (stmt, 2));
  ms_campaign_set_template_name (campaign, _ms_store_column_text (stmt, 3));
  ms_campaign_state_from_string (_ms_store_column_text (stmt, 4), &state);
  ms_campaign_set_state (campaign, state);
  ms_campaign_set_start_at (campaign, sqlite3_column_int64 (stmt, 5));
  if (sqlite3_column_type (stmt, 6) != SQLITE_NULL && sqlite3_column_type (stmt, 7) != SQLITE_NULL)
    {
      window.start = sqlite3_column_int (stmt, 6);
      window.end = sqlite3_column_int (stmt, 7);
    }
  window.days = (guint) sqlite3_column_int (stmt, 8) & MS_WEEKDAYS_ALL;
  ms_campaign_set_window (campaign, &window);
  ms_campaign_set_created_at (campaign, sqlite3_column_int64 (stmt, 9));
  ms_campaign_set_started_at (campaign, sqlite3_column_int64 (stmt, 10));
  ms_campaign_set_finished_at (campaign, sqlite3_column_int64 (stmt, 11));
  ms_campaign_set_reason (campaign, _ms_store_column_text (stmt, 12));
  ms_campaign_set_wait_until (campaign, sqlite3_column_int64 (stmt, 13));
  return campaign;
}

static gboolean
load_lists_and_servers (MsStore     *self,
                        MsCampaign  *campaign,
                        GError     **error)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT cl.list_id, l.name, cl.exclude FROM campaign_lists cl"
                            " JOIN lists l ON l.id = cl.list_id WHERE cl.campaign_id = ?1"
                            " ORDER BY cl.exclude, l.name COLLATE NOCASE",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_campaign_get_id (campaign));
  ms_campaign_clear_lists (campaign);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    ms_campaign_add_list (campaign, sqlite3_column_int64 (stmt, 0), _ms_store_column_text (stmt, 1),
                          sqlite3_column_int (stmt, 2));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);

  stmt = _ms_store_prepare (self,
                            "SELECT server_id FROM campaign_servers WHERE campaign_id = ?1"
                            " ORDER BY position",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_campaign_get_id (campaign));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 id = sqlite3_column_int64 (stmt, 0);

      g_array_append_val (ids, id);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  ms_campaign_set_server_ids (campaign, (const gint64 *) (gpointer) ids->data, ids->len);
  return TRUE;
}

static MsCampaign *
get_one_campaign (MsStore     *self,
                  const char  *sql,
                  gint64       id,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(MsCampaign) campaign = NULL;
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self, sql, error);
  if (stmt == NULL)
    return NULL;
  if (name != NULL)
    _ms_store_bind_text (stmt, 1, name);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    campaign = campaign_from_row (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  if (campaign == NULL)
    {
      if (name != NULL)
        g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                     _("There is no campaign named “%s”."), name);
      else
        g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                     _("There is no campaign with the id %" PRId64 "."), id);
      return NULL;
    }
  if (!load_lists_and_servers (self, campaign, error))
    return NULL;
  return g_steal_pointer (&campaign);
}

MsCampaign *
ms_store_get_campaign (MsStore  *self,
                       gint64    id,
                       GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return get_one_campaign (self, "SELECT " CAMPAIGN_COLUMNS CAMPAIGN_FROM " WHERE c.id = ?1",
                           id, NULL, error);
}

MsCampaign *
ms_store_find_campaign (MsStore     *self,
                        const char  *name,
                        GError     **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return get_one_campaign (self, "SELECT " CAMPAIGN_COLUMNS CAMPAIGN_FROM " WHERE c.name = ?1",
                           0, name, error);
}

GPtrArray *
ms_store_list_campaigns (MsStore  *self,
                         GError  **error)
{
  g_autoptr(GPtrArray) campaigns = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self, "SELECT " CAMPAIGN_COLUMNS CAMPAIGN_FROM " ORDER BY c.id DESC",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (campaigns, campaign_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  for (guint i = 0; i < campaigns->len; i++)
    {
      MsCampaign *campaign = g_ptr_array_index (campaigns, i);

      if (!load_lists_and_servers (self, campaign, error)
          || !ms_store_load_campaign_counts (self, campaign, error))
        return NULL;
    }
  return g_steal_pointer (&campaigns);
}

/* Writing campaigns */

static gboolean
check_new_campaign (MsCampaign  *campaign,
                    GError     **error)
{
  const GPtrArray *lists = ms_campaign_get_lists (campaign);
  const char *name = ms_campaign_get_name (campaign);
  gboolean any_list = FALSE;
  guint n_servers = 0;

  for (guint i = 0; i < lists->len; i++)
    any_list |= !((MsCampaignList *) g_ptr_array_index (lists, i))->exclude;
  ms_campaign_get_server_ids (campaign, &n_servers);

  if (name == NULL || g_utf8_strlen (name, -1) == 0)
    g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID,
                         _("A campaign needs a name."));
  else if (ms_campaign_get_template_id (campaign) <= 0)
    g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID,
                         _("A campaign needs a template."));
  else if (!any_list)
    g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID,
                         _("A campaign needs at least one list to send to."));
  else if (n_servers == 0)
    g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID,
                         _("A campaign needs at least one server to send through."));
  else
    return TRUE;
  return FALSE;
}

static gboolean
insert_campaign_row (MsStore     *self,
                     MsCampaign  *campaign,
                     GError     **error)
{
  g_autofree char *secret = _ms_store_random_hex (32);
  MsSendWindow window;
  sqlite3_stmt *stmt;
  gint64 start_at = ms_campaign_get_start_at (campaign);
  MsCampaignState state = start_at > 0 ? MS_CAMPAIGN_STATE_SCHEDULED : MS_CAMPAIGN_STATE_DRAFT;
  int rc;

  ms_campaign_get_window (campaign, &window);
  stmt = _ms_store_prepare (self,
                            "INSERT INTO campaigns (name, template_id, state, start_at, window_start,"
                            " window_end, window_days, token_secret)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) RETURNING id, created_at",
                            error);
  if (stmt == NULL)
    return FALSE;
  _ms_store_bind_text (stmt, 1, ms_campaign_get_name (campaign));
  sqlite3_bind_int64 (stmt, 2, ms_campaign_get_template_id (campaign));
  sqlite3_bind_text (stmt, 3, ms_campaign_state_to_string (state), -1, SQLITE_STATIC);
  if (start_at > 0)
    sqlite3_bind_int64 (stmt, 4, start_at);
  if (window.start >= 0)
    {
      sqlite3_bind_int (stmt, 5, window.start);
      sqlite3_bind_int (stmt, 6, window.end);
    }
  sqlite3_bind_int (stmt, 7, (int) (window.days & MS_WEEKDAYS_ALL));
  _ms_store_bind_text (stmt, 8, secret);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      ms_campaign_set_id (campaign, sqlite3_column_int64 (stmt, 0));
      ms_campaign_set_created_at (campaign, sqlite3_column_int64 (stmt, 1));
      ms_campaign_set_state (campaign, state);
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;

  rc = sqlite3_extended_errcode (_ms_store_get_db (self));
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                 _("A campaign named “%s” exists already."), ms_campaign_get_name (campaign));
  else if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
    g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                         _("The campaign’s template does not exist."));
  else
    _ms_store_fail (self, rc, error);
  return FALSE;
}

static gboolean
insert_lists_and_servers (MsStore     *self,
                          MsCampaign  *campaign,
                          GError     **error)
{
  const GPtrArray *lists = ms_campaign_get_lists (campaign);
  const gint64 *servers;
  guint n_servers;
  sqlite3_stmt *stmt;

  for (guint i = 0; i < lists->len; i++)
    {
      MsCampaignList *list = g_ptr_array_index (lists, i);

      stmt = _ms_store_prepare (self,
                                "INSERT INTO campaign_lists (campaign_id, list_id, exclude)"
                                " VALUES (?1, ?2, ?3) ON CONFLICT DO UPDATE SET exclude = max (exclude, ?3)",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, ms_campaign_get_id (campaign));
      sqlite3_bind_int64 (stmt, 2, list->list_id);
      sqlite3_bind_int (stmt, 3, list->exclude);
      if (!_ms_store_step_done (self, stmt, error))
        return FALSE;
    }

  servers = ms_campaign_get_server_ids (campaign, &n_servers);
  for (guint i = 0; i < n_servers; i++)
    {
      stmt = _ms_store_prepare (self,
                                "INSERT INTO campaign_servers (campaign_id, server_id, position)"
                                " VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, ms_campaign_get_id (campaign));
      sqlite3_bind_int64 (stmt, 2, servers[i]);
      sqlite3_bind_int (stmt, 3, (int) i);
      if (!_ms_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

gint64
ms_store_add_campaign (MsStore     *self,
                       MsCampaign  *campaign,
                       GError     **error)
{
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), 0);
  g_return_val_if_fail (MS_IS_CAMPAIGN (campaign), 0);
  g_return_val_if_fail (ms_campaign_get_id (campaign) == 0, 0);

  if (!check_new_campaign (campaign, error) || !_ms_store_begin_if_needed (self, &owned, error))
    return 0;
  ok = insert_campaign_row (self, campaign, error)
       && insert_lists_and_servers (self, campaign, error);
  if (!_ms_store_finish_if_owned (self, owned, ok, error))
    {
      ms_campaign_set_id (campaign, 0);
      return 0;
    }
  return ms_campaign_get_id (campaign);
}

gboolean
ms_store_delete_campaign (MsStore  *self,
                          gint64    id,
                          GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self, "DELETE FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no campaign with the id %" PRId64 "."), id);
      return FALSE;
    }
  return TRUE;
}

/* Counts */

gboolean
ms_store_count_deliveries (MsStore  *self,
                           gint64    campaign_id,
                           gint64   *counts,
                           GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (counts != NULL, FALSE);

  memset (counts, 0, sizeof (gint64) * MS_DELIVERY_N_STATES);
  stmt = _ms_store_prepare (self,
                            "SELECT state, count(*) FROM deliveries WHERE campaign_id = ?1"
                            " GROUP BY state",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MsDeliveryState state;

      if (ms_delivery_state_from_string (_ms_store_column_text (stmt, 0), &state))
        counts[state] = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

gboolean
ms_store_count_audience (MsStore  *self,
                         gint64    campaign_id,
                         gint64   *out_total,
                         gint64   *out_suppressed,
                         GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self,
                            "SELECT count(*), coalesce (sum (c.status <> 'active' OR " MS_STORE_IN_LISTS ("1")
                            "), 0) FROM contacts c WHERE " MS_STORE_IN_LISTS ("0"),
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      if (out_total != NULL)
        *out_total = sqlite3_column_int64 (stmt, 0);
      if (out_suppressed != NULL)
        *out_suppressed = sqlite3_column_int64 (stmt, 1);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

static int
is_materialized (MsStore  *self,
                 gint64    campaign_id,
                 GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;
  int ret = -1;

  stmt = _ms_store_prepare (self,
                            "SELECT materialized OR EXISTS (SELECT 1 FROM deliveries"
                            " WHERE campaign_id = ?1) FROM campaigns WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    ret = sqlite3_column_int (stmt, 0);
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no campaign with the id %" PRId64 "."), campaign_id);
  else if (rc != SQLITE_ROW)
    _ms_store_fail (self, rc, error);
  return ret;
}

gboolean
ms_store_load_campaign_counts (MsStore     *self,
                               MsCampaign  *campaign,
                               GError     **error)
{
  gint64 counts[MS_DELIVERY_N_STATES] = { 0 };
  gint64 id;
  int materialized;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_CAMPAIGN (campaign), FALSE);

  id = ms_campaign_get_id (campaign);
  materialized = is_materialized (self, id, error);
  if (materialized < 0)
    return FALSE;
  if (materialized)
    {
      if (!ms_store_count_deliveries (self, id, counts, error))
        return FALSE;
    }
  else
    {
      gint64 total = 0;
      gint64 suppressed = 0;

      if (!ms_store_count_audience (self, id, &total, &suppressed, error))
        return FALSE;
      counts[MS_DELIVERY_QUEUED] = total - suppressed;
      counts[MS_DELIVERY_SUPPRESSED] = suppressed;
    }
  ms_campaign_set_counts (campaign, counts);
  return TRUE;
}

/* States */

gboolean
ms_store_read_campaign_state (MsStore          *self,
                              gint64            id,
                              MsCampaignState  *out_state,
                              GError          **error)
{
  sqlite3_stmt *stmt;
  gboolean found = FALSE;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self, "SELECT state FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    found = ms_campaign_state_from_string (_ms_store_column_text (stmt, 0), out_state);
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  if (!found)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no campaign with the id %" PRId64 "."), id);
  return found;
}

gboolean
ms_store_set_campaign_state (MsStore          *self,
                             gint64            id,
                             MsCampaignState   state,
                             const char       *reason,
                             gint64            wait_until,
                             GError          **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self,
                            "UPDATE campaigns SET state = ?2, reason = ?3, wait_until = ?4,"
                            " started_at = CASE WHEN ?2 = 'running' OR ?2 = 'waiting'"
                            "  THEN coalesce (started_at, unixepoch ()) ELSE started_at END,"
                            " finished_at = CASE WHEN ?2 = 'finished' OR ?2 = 'cancelled'"
                            "  THEN unixepoch () ELSE NULL END"
                            " WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  sqlite3_bind_text (stmt, 2, ms_campaign_state_to_string (state), -1, SQLITE_STATIC);
  _ms_store_bind_text (stmt, 3, reason);
  if (wait_until > 0)
    sqlite3_bind_int64 (stmt, 4, wait_until);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no campaign with the id %" PRId64 "."), id);
      return FALSE;
    }
  return TRUE;
}

static gboolean
state_error (MsCampaignState   state,
             GError          **error)
{
  if (state == MS_CAMPAIGN_STATE_DRAFT)
    g_set_error_literal (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE,
                         _("The campaign has not started yet: start it by sending it."));
  else if (state == MS_CAMPAIGN_STATE_FINISHED)
    g_set_error_literal (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE,
                         _("The campaign is finished already."));
  else if (state == MS_CAMPAIGN_STATE_CANCELLED)
    g_set_error_literal (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE,
                         _("The campaign was cancelled."));
  else
    g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE,
                 _("That is not possible while the campaign is in the state “%s”."),
                 ms_campaign_state_to_label (state));
  return FALSE;
}

gboolean
ms_store_pause_campaign (MsStore  *self,
                         gint64    id,
                         GError  **error)
{
  MsCampaignState state;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!_ms_store_begin_if_needed (self, &owned, error))
    return FALSE;
  ok = ms_store_read_campaign_state (self, id, &state, error);
  if (ok && state != MS_CAMPAIGN_STATE_PAUSED)
    {
      if (state == MS_CAMPAIGN_STATE_SCHEDULED || state == MS_CAMPAIGN_STATE_RUNNING
          || state == MS_CAMPAIGN_STATE_WAITING)
        ok = ms_store_set_campaign_state (self, id, MS_CAMPAIGN_STATE_PAUSED, NULL, 0, error);
      else
        ok = state_error (state, error);
    }
  return _ms_store_finish_if_owned (self, owned, ok, error);
}

static gboolean
clear_server_stops (MsStore  *self,
                    gint64    campaign_id,
                    GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self,
                            "UPDATE server_state SET stopped = 0, stopped_at = NULL, reason = NULL,"
                            " consecutive_failures = 0 WHERE stopped = 1 AND server_id IN"
                            " (SELECT server_id FROM campaign_servers WHERE campaign_id = ?1)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  return _ms_store_step_done (self, stmt, error);
}

gboolean
ms_store_resume_campaign (MsStore  *self,
                          gint64    id,
                          GError  **error)
{
  g_autoptr(MsCampaign) campaign = NULL;
  MsCampaignState state;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!_ms_store_begin_if_needed (self, &owned, error))
    return FALSE;
  campaign = ms_store_get_campaign (self, id, error);
  ok = campaign != NULL;
  if (ok)
    {
      state = ms_campaign_get_state (campaign);
      if (state == MS_CAMPAIGN_STATE_PAUSED)
        ok = clear_server_stops (self, id, error)
             && ms_store_set_campaign_state (self, id,
                                          ms_campaign_get_start_at (campaign) > now_seconds ()
                                          ? MS_CAMPAIGN_STATE_SCHEDULED
                                          : MS_CAMPAIGN_STATE_RUNNING,
                                          NULL, 0, error);
      else if (state != MS_CAMPAIGN_STATE_RUNNING && state != MS_CAMPAIGN_STATE_WAITING
               && state != MS_CAMPAIGN_STATE_SCHEDULED)
        ok = state_error (state, error);
    }
  return _ms_store_finish_if_owned (self, owned, ok, error);
}

gboolean
_ms_store_cancel_queued (MsStore  *self,
               gint64    campaign_id,
               GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self,
                            "UPDATE deliveries SET state = 'cancelled', updated_at = unixepoch ()"
                            " WHERE campaign_id = ?1 AND state = 'queued'",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  return _ms_store_step_done (self, stmt, error);
}

gboolean
ms_store_cancel_campaign (MsStore  *self,
                          gint64    id,
                          GError  **error)
{
  MsCampaignState state;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!_ms_store_begin_if_needed (self, &owned, error))
    return FALSE;
  ok = ms_store_read_campaign_state (self, id, &state, error);
  if (ok && state == MS_CAMPAIGN_STATE_FINISHED)
    ok = state_error (state, error);
  else if (ok)
    ok = (state == MS_CAMPAIGN_STATE_CANCELLED
          || ms_store_set_campaign_state (self, id, MS_CAMPAIGN_STATE_CANCELLED, NULL, 0, error))
         && _ms_store_cancel_queued (self, id, error);
  return _ms_store_finish_if_owned (self, owned, ok, error);
}

gint64
ms_store_retry_deliveries (MsStore          *self,
                           gint64            campaign_id,
                           MsDeliveryState   state,
                           GError          **error)
{
  MsCampaignState campaign_state;
  sqlite3_stmt *stmt;
  gint64 changed = 0;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), -1);
  g_return_val_if_fail (state == MS_DELIVERY_FAILED || state == MS_DELIVERY_UNCERTAIN, -1);

  if (!_ms_store_begin_if_needed (self, &owned, error))
    return -1;
  ok = ms_store_read_campaign_state (self, campaign_id, &campaign_state, error);
  if (ok && campaign_state == MS_CAMPAIGN_STATE_CANCELLED)
    ok = state_error (campaign_state, error);
  if (ok)
    {
      stmt = _ms_store_prepare (self,
                                "UPDATE deliveries SET state = 'queued', attempts = 0,"
                                " next_attempt_at = 0, first_attempt_at = NULL,"
                                " updated_at = unixepoch ()"
                                " WHERE campaign_id = ?1 AND state = ?2",
                                error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, campaign_id);
          sqlite3_bind_text (stmt, 2, ms_delivery_state_to_string (state), -1, SQLITE_STATIC);
          ok = _ms_store_step_done (self, stmt, error);
          changed = sqlite3_changes (_ms_store_get_db (self));
        }
    }
  if (ok && changed > 0 && campaign_state == MS_CAMPAIGN_STATE_FINISHED)
    ok = ms_store_set_campaign_state (self, campaign_id, MS_CAMPAIGN_STATE_PAUSED, NULL, 0, error);
  if (!_ms_store_finish_if_owned (self, owned, ok, error))
    return -1;
  return changed;
}

/* Deliveries */

#define DELIVERY_COLUMNS \
  "d.id, d.campaign_id, d.contact_id, d.email, d.message_id, d.state, d.attempts, " \
  "d.next_attempt_at, d.first_attempt_at, d.server_id, s.name, d.reply_code, " \
  "d.reply_enhanced, d.reply_text, d.updated_at"

static MsDelivery *
delivery_from_row (sqlite3_stmt *stmt)
{
  MsDelivery *d = g_new0 (MsDelivery, 1);

  d->id = sqlite3_column_int64 (stmt, 0);
  d->campaign_id = sqlite3_column_int64 (stmt, 1);
  d->contact_id = sqlite3_column_int64 (stmt, 2);
  d->email = g_strdup (_ms_store_column_text (stmt, 3));
  d->message_id = g_strdup (_ms_store_column_text (stmt, 4));
  ms_delivery_state_from_string (_ms_store_column_text (stmt, 5), &d->state);
  d->attempts = (guint) sqlite3_column_int (stmt, 6);
  d->next_attempt_at = sqlite3_column_int64 (stmt, 7);
  d->first_attempt_at = sqlite3_column_int64 (stmt, 8);
  d->server_id = sqlite3_column_int64 (stmt, 9);
  d->server_name = g_strdup (_ms_store_column_text (stmt, 10));
  d->reply_code = (guint) sqlite3_column_int (stmt, 11);
  d->reply_enhanced = g_strdup (_ms_store_column_text (stmt, 12));
  d->reply_text = g_strdup (_ms_store_column_text (stmt, 13));
  d->updated_at = sqlite3_column_int64 (stmt, 14);
  return d;
}

GPtrArray *
ms_store_list_deliveries (MsStore  *self,
                          gint64    campaign_id,
                          int       state,
                          gint64    offset,
                          guint     limit,
                          GError  **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_delivery_free);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (state < MS_DELIVERY_N_STATES, NULL);

  stmt = _ms_store_prepare (self,
                            "SELECT " DELIVERY_COLUMNS " FROM deliveries d"
                            " LEFT JOIN servers s ON s.id = d.server_id"
                            " WHERE d.campaign_id = ?1 AND (?2 IS NULL OR d.state = ?2)"
                            " ORDER BY d.id LIMIT ?3 OFFSET ?4",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  if (state >= 0)
    sqlite3_bind_text (stmt, 2, ms_delivery_state_to_string (state), -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, limit);
  sqlite3_bind_int64 (stmt, 4, offset);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, delivery_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ret);
}

/* The template snapshot: a flat JSON object (attachments as numbered keys). */

static char *
template_to_json (MsTemplate *tmpl)
{
  g_autoptr(MsJsonWriter) w = ms_json_writer_new (FALSE);
  GPtrArray *attachments = ms_template_get_attachments (tmpl);

  ms_json_writer_begin_object (w);
  ms_json_writer_key (w, "name");
  ms_json_writer_string (w, ms_template_get_name (tmpl));
  ms_json_writer_key (w, "subject");
  ms_json_writer_string (w, ms_template_get_subject (tmpl));
  ms_json_writer_key (w, "body_format");
  ms_json_writer_string (w, ms_body_format_to_string (ms_template_get_body_format (tmpl)));
  ms_json_writer_key (w, "body");
  ms_json_writer_string (w, ms_template_get_body (tmpl));
  ms_json_writer_key (w, "text_alt");
  ms_json_writer_string (w, ms_template_get_text_alt (tmpl));
  ms_json_writer_key (w, "sender_address");
  ms_json_writer_string (w, ms_template_get_sender_address (tmpl));
  ms_json_writer_key (w, "sender_name");
  ms_json_writer_string (w, ms_template_get_sender_name (tmpl));
  ms_json_writer_key (w, "reply_to");
  ms_json_writer_string (w, ms_template_get_reply_to (tmpl));
  ms_json_writer_key (w, "attachments");
  ms_json_writer_int (w, attachments != NULL ? attachments->len : 0);
  for (guint i = 0; attachments != NULL && i < attachments->len; i++)
    {
      MsAttachment *a = g_ptr_array_index (attachments, i);
      g_autofree char *prefix = g_strdup_printf ("attachment.%u.", i);
      g_autofree char *k_name = g_strconcat (prefix, "filename", NULL);
      g_autofree char *k_type = g_strconcat (prefix, "content_type", NULL);
      g_autofree char *k_data = g_strconcat (prefix, "data", NULL);
      gsize size = 0;
      const guchar *data = g_bytes_get_data (a->data, &size);
      g_autofree char *encoded = g_base64_encode (data, size);

      ms_json_writer_key (w, k_name);
      ms_json_writer_string (w, a->filename);
      ms_json_writer_key (w, k_type);
      ms_json_writer_string (w, a->content_type);
      ms_json_writer_key (w, k_data);
      ms_json_writer_string (w, encoded);
    }
  ms_json_writer_end_object (w);
  return ms_json_writer_steal_string (w);
}

static MsTemplate *
template_from_json (const char  *json,
                    GError     **error)
{
  g_autoptr(GHashTable) table = ms_json_parse_flat_object (json, error);
  g_autoptr(MsTemplate) tmpl = NULL;
  MsBodyFormat format = MS_BODY_FORMAT_MARKDOWN;
  const char *n_text;
  guint64 n = 0;

  if (table == NULL)
    return NULL;
  tmpl = ms_template_new (g_hash_table_lookup (table, "name"));
  ms_template_set_subject (tmpl, g_hash_table_lookup (table, "subject"));
  ms_body_format_from_string (g_hash_table_lookup (table, "body_format"), &format);
  ms_template_set_body_format (tmpl, format);
  ms_template_set_body (tmpl, g_hash_table_lookup (table, "body"));
  ms_template_set_text_alt (tmpl, g_hash_table_lookup (table, "text_alt"));
  ms_template_set_sender_address (tmpl, g_hash_table_lookup (table, "sender_address"));
  ms_template_set_sender_name (tmpl, g_hash_table_lookup (table, "sender_name"));
  ms_template_set_reply_to (tmpl, g_hash_table_lookup (table, "reply_to"));
  n_text = g_hash_table_lookup (table, "attachments");
  if (n_text != NULL)
    n = g_ascii_strtoull (n_text, NULL, 10);
  for (guint64 i = 0; i < n; i++)
    {
      g_autofree char *k_name = g_strdup_printf ("attachment.%" PRIu64 ".filename", i);
      g_autofree char *k_type = g_strdup_printf ("attachment.%" PRIu64 ".content_type", i);
      g_autofree char *k_data = g_strdup_printf ("attachment.%" PRIu64 ".data", i);
      const char *encoded = g_hash_table_lookup (table, k_data);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(MsAttachment) attachment = NULL;
      gsize size = 0;
      guchar *data;

      if (encoded == NULL || g_hash_table_lookup (table, k_name) == NULL)
        {
          g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_CORRUPT,
                               _("The frozen copy of the campaign’s template is damaged."));
          return NULL;
        }
      data = g_base64_decode (encoded, &size);
      bytes = g_bytes_new_take (data, size);
      attachment = ms_attachment_new (g_hash_table_lookup (table, k_name),
                                      g_hash_table_lookup (table, k_type), bytes);
      ms_template_add_attachment (tmpl, attachment);
    }
  return g_steal_pointer (&tmpl);
}

/* The template id and the snapshot (NULL when not frozen) of a campaign. */
static gboolean
read_template_ref (MsStore  *self,
                   gint64    campaign_id,
                   gint64   *out_template_id,
                   char    **out_snapshot,
                   GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT template_id, template_snapshot FROM campaigns WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      *out_template_id = sqlite3_column_int64 (stmt, 0);
      *out_snapshot = g_strdup (_ms_store_column_text (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no campaign with the id %" PRId64 "."), campaign_id);
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

static MsTemplate *
get_live_template (MsStore  *self,
                   gint64    template_id,
                   GError  **error)
{
  if (template_id <= 0)
    {
      g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                           _("The campaign’s template was deleted before the campaign started."));
      return NULL;
    }
  return ms_store_get_template (self, template_id, error);
}

MsTemplate *
ms_store_get_campaign_template (MsStore  *self,
                                gint64    campaign_id,
                                GError  **error)
{
  g_autofree char *snapshot = NULL;
  gint64 template_id = 0;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  if (!read_template_ref (self, campaign_id, &template_id, &snapshot, error))
    return NULL;
  if (snapshot != NULL)
    return template_from_json (snapshot, error);
  return get_live_template (self, template_id, error);
}

gboolean
ms_store_freeze_campaign_template (MsStore  *self,
                                   gint64    campaign_id,
                                   GError  **error)
{
  g_autofree char *snapshot = NULL;
  g_autofree char *json = NULL;
  g_autoptr(MsTemplate) tmpl = NULL;
  sqlite3_stmt *stmt;
  gint64 template_id = 0;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!read_template_ref (self, campaign_id, &template_id, &snapshot, error))
    return FALSE;
  if (snapshot != NULL)
    return TRUE;
  tmpl = get_live_template (self, template_id, error);
  if (tmpl == NULL)
    return FALSE;
  json = template_to_json (tmpl);
  stmt = _ms_store_prepare (self,
                            "UPDATE campaigns SET template_snapshot = ?2"
                            " WHERE id = ?1 AND template_snapshot IS NULL",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  sqlite3_bind_text (stmt, 2, json, -1, SQLITE_STATIC);
  return _ms_store_step_done (self, stmt, error);
}

/* Status and plans without an engine */

static void
ledger_add_cb (gint64   time_ms,
               gpointer user_data)
{
  ms_quota_ledger_add (user_data, time_ms, 1);
}

/* The server's ledger from the send log, and its health. */
static MsQuotaLedger *
load_ledger (MsStore         *self,
             MsServer        *server,
             gint64           now_ms,
             GError         **error)
{
  g_autoptr(MsQuotaLedger) ledger = NULL;
  const MsQuota *quotas;
  guint n = 0;
  gint64 longest = 0;

  quotas = ms_server_get_quotas (server, &n);
  ledger = ms_quota_ledger_new (quotas, n);
  for (guint i = 0; i < n; i++)
    longest = MAX (longest, (gint64) quotas[i].window_secs);
  if (n > 0 && !ms_store_foreach_send_log (self, ms_server_get_id (server), now_ms - longest * 1000,
                                           ledger_add_cb, ledger, error))
    return NULL;
  return g_steal_pointer (&ledger);
}

static MsServerState
state_from_database (MsServer             *server,
                     const MsServerHealth *health,
                     MsQuotaLedger        *ledger,
                     gint64                now_ms)
{
  if (!ms_server_get_enabled (server))
    return MS_SERVER_STATE_DISABLED;
  if (health->stopped)
    return MS_SERVER_STATE_STOPPED;
  if (health->cooldown_until * 1000 > now_ms)
    return MS_SERVER_STATE_COOLING_DOWN;
  if (ms_quota_ledger_room (ledger, 0, now_ms) == 0)
    return MS_SERVER_STATE_QUOTA_FULL;
  return MS_SERVER_STATE_READY;
}

GPtrArray *
ms_store_get_campaign_servers (MsStore     *self,
                               MsCampaign  *campaign,
                               gint64       now_ms,
                               GError     **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_server_status_free);
  const gint64 *ids;
  guint n_ids = 0;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (MS_IS_CAMPAIGN (campaign), NULL);

  ids = ms_campaign_get_server_ids (campaign, &n_ids);
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(MsServer) server = ms_store_get_server (self, ids[i], error);
      g_autoptr(MsQuotaLedger) ledger = NULL;
      MsServerHealth health = { 0 };
      MsServerStatus *status;
      guint n;

      if (server == NULL || !ms_store_get_server_health (self, ids[i], &health, error))
        return NULL;
      ledger = load_ledger (self, server, now_ms, error);
      if (ledger == NULL)
        {
          ms_server_health_clear (&health);
          return NULL;
        }
      status = ms_server_status_new (ids[i], ms_server_get_name (server));
      status->state = state_from_database (server, &health, ledger, now_ms);
      if (health.cooldown_until * 1000 > now_ms)
        status->cooldown_until = health.cooldown_until;
      if (status->state == MS_SERVER_STATE_STOPPED || status->state == MS_SERVER_STATE_COOLING_DOWN)
        status->reason = g_strdup (health.reason);
      n = ms_quota_ledger_get_n_quotas (ledger);
      g_array_set_size (status->windows, n);
      if (n > 0)
        ms_quota_ledger_status (ledger, 0, now_ms,
                                (MsQuotaWindowStatus *) (gpointer) status->windows->data);
      g_ptr_array_add (ret, status);
      ms_server_health_clear (&health);
    }
  return g_steal_pointer (&ret);
}

static void
plan_server_free (gpointer data)
{
  MsCampaignPlanServer *server = data;

  g_free (server->name);
  g_free (server);
}

void
ms_campaign_plan_free (MsCampaignPlan *plan)
{
  if (plan == NULL)
    return;
  g_clear_pointer (&plan->servers, g_ptr_array_unref);
  g_free (plan);
}

static gint64
plan_window (gint64   time,
             gpointer user_data)
{
  return ms_send_window_next_open_ms (user_data, time);
}

MsCampaignPlan *
ms_store_plan_campaign (MsStore     *self,
                        MsCampaign  *campaign,
                        gint64       now_ms,
                        GError     **error)
{
  g_autoptr(MsCampaignPlan) plan = g_new0 (MsCampaignPlan, 1);
  g_autoptr(GPtrArray) ledgers = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_quota_ledger_free);
  g_autofree MsQuotaPlanServer *servers = NULL;
  g_autofree MsQuotaPlanResult *results = NULL;
  MsSendWindow window;
  const gint64 *ids;
  guint n_ids = 0;
  gint64 start;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (MS_IS_CAMPAIGN (campaign), NULL);

  if (!ms_store_load_campaign_counts (self, campaign, error))
    return NULL;
  plan->remaining = ms_campaign_get_count (campaign, MS_DELIVERY_QUEUED)
                    + ms_campaign_get_count (campaign, MS_DELIVERY_SENDING)
                    + ms_campaign_get_count (campaign, MS_DELIVERY_DATA_SENT);
  plan->suppressed = ms_campaign_get_count (campaign, MS_DELIVERY_SUPPRESSED);
  plan->servers = g_ptr_array_new_with_free_func (plan_server_free);

  ids = ms_campaign_get_server_ids (campaign, &n_ids);
  servers = g_new0 (MsQuotaPlanServer, MAX (n_ids, 1));
  results = g_new0 (MsQuotaPlanResult, MAX (n_ids, 1));
  for (guint i = 0; i < n_ids; i++)
    {
      g_autoptr(MsServer) server = ms_store_get_server (self, ids[i], error);
      MsCampaignPlanServer *ps;
      MsServerHealth health = { 0 };
      MsQuotaLedger *ledger;

      if (server == NULL || !ms_store_get_server_health (self, ids[i], &health, error))
        return NULL;
      ledger = load_ledger (self, server, now_ms, error);
      if (ledger == NULL)
        {
          ms_server_health_clear (&health);
          return NULL;
        }
      g_ptr_array_add (ledgers, ledger);
      ps = g_new0 (MsCampaignPlanServer, 1);
      ps->server_id = ids[i];
      ps->name = g_strdup (ms_server_get_name (server));
      ps->state = state_from_database (server, &health, ledger, now_ms);
      g_ptr_array_add (plan->servers, ps);
      servers[i].ledger = ledger;
      servers[i].usable = ps->state != MS_SERVER_STATE_DISABLED && ps->state != MS_SERVER_STATE_STOPPED;
      servers[i].available_from = health.cooldown_until * 1000;
      ms_server_health_clear (&health);
    }

  ms_campaign_get_window (campaign, &window);
  start = MAX (now_ms, ms_campaign_get_start_at (campaign) * 1000);
  plan->finish = ms_quota_plan (servers, n_ids, (guint64) MAX (plan->remaining, 0), start,
                                plan_window, &window, results);
  for (guint i = 0; i < n_ids; i++)
    {
      MsCampaignPlanServer *ps = g_ptr_array_index (plan->servers, i);

      ps->now = results[i].now;
      ps->later = results[i].later;
      ps->first_later = results[i].first_later;
      ps->last = results[i].last;
      /* Before the start time nothing goes "now". */
      if (start > now_ms && ps->now > 0)
        {
          ps->later += ps->now;
          ps->now = 0;
          ps->first_later = ps->first_later == 0 ? start : MIN (ps->first_later, start);
        }
    }
  return g_steal_pointer (&plan);
}

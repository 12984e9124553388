/* ms-store-contacts.c
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
#include <string.h>

#include "ms-store-private.h"

#define CONTACT_COLUMNS \
  "c.id, c.email, c.name, c.first_name, c.last_name, c.fields, " \
  "c.status, c.status_reason, c.status_time, c.created_at"

/* Rows after the anchor (?6 name, ?7 id, ?8 status, ?9 email) in the order of
 * @sort, ascending or not: the ORDER BY keys of build_contact_sql (), which end
 * in a unique one, so "after" is exact.  The first term is a range an index
 * can seek to. */
static void
append_keyset (GString       *sql,
               MsContactSort  sort,
               gboolean       descending)
{
  const char *gt = descending ? "<" : ">";
  const char *ge = descending ? "<=" : ">=";

  switch (sort)
    {
    case MS_CONTACT_SORT_NAME:
      g_string_append_printf (sql, " AND c.name COLLATE NOCASE %s ?6"
                                   " AND (c.name COLLATE NOCASE %s ?6 OR c.id %s ?7)", ge, gt, gt);
      break;
    case MS_CONTACT_SORT_STATUS:
      g_string_append_printf (sql, " AND c.status %s ?8 AND (c.status %s ?8 OR c.email %s ?9)",
                              ge, gt, gt);
      break;
    case MS_CONTACT_SORT_CREATED:
      g_string_append_printf (sql, " AND c.id %s ?7", gt);
      break;
    case MS_CONTACT_SORT_EMAIL:
    default:
      g_string_append_printf (sql, " AND c.email %s ?9", gt);
      break;
    }
}

/* Builds the SELECT for a query.  Only fixed fragments go into the text;
 * every value the person typed is bound as a parameter:
 * ?1 list id, ?2 status, ?3 search pattern, ?4 limit, ?5 offset, and with
 * @keyset the anchor's keys (see append_keyset ()). */
static char *
build_contact_sql_full (const MsContactQuery *query,
                        const char           *what,
                        gboolean              ordered,
                        gboolean              paged,
                        gboolean              keyset)
{
  GString *sql = g_string_new ("SELECT ");

  g_string_append (sql, what);
  if (query->list_id > 0 && !ordered)
    {
      /* Counting walks the list's members, not every contact. */
      g_string_append (sql, " FROM list_members m JOIN contacts c ON c.id = m.contact_id"
                            " WHERE m.list_id = ?1");
    }
  else
    {
      g_string_append (sql, " FROM contacts c WHERE 1");
      if (query->list_id > 0)
        g_string_append (sql, " AND EXISTS (SELECT 1 FROM list_members m"
                              " WHERE m.list_id = ?1 AND m.contact_id = c.id)");
    }
  if (query->status == MS_CONTACT_STATUS_ACTIVE)
    g_string_append (sql, " AND c.status = ?2");
  else if (query->status >= 0)
    g_string_append (sql, " AND c.status = ?2 AND c.status <> 'active'");  /* partial index */
  if (query->search != NULL && query->search[0] != '\0')
    g_string_append (sql, " AND (c.email LIKE ?3 ESCAPE '\\' OR c.name LIKE ?3 ESCAPE '\\'"
                          " OR c.first_name LIKE ?3 ESCAPE '\\' OR c.last_name LIKE ?3 ESCAPE '\\')");
  if (keyset)
    append_keyset (sql, query->sort, query->descending);

  if (ordered)
    {
      const char *dir = query->descending ? " DESC" : "";

      switch (query->sort)
        {
        case MS_CONTACT_SORT_NAME:
          g_string_append_printf (sql, " ORDER BY c.name COLLATE NOCASE%s, c.id%s", dir, dir);
          break;
        case MS_CONTACT_SORT_STATUS:
          g_string_append_printf (sql, " ORDER BY c.status%s, c.email%s", dir, dir);
          break;
        case MS_CONTACT_SORT_CREATED:
          /* ids only grow: creation order is id order */
          g_string_append_printf (sql, " ORDER BY c.id%s", dir);
          break;
        case MS_CONTACT_SORT_EMAIL:
        default:
          g_string_append_printf (sql, " ORDER BY c.email%s", dir);
          break;
        }
    }
  if (paged)
    g_string_append (sql, " LIMIT ?4 OFFSET ?5");

  return g_string_free (sql, FALSE);
}

static char *
build_contact_sql (const MsContactQuery *query,
                   const char           *what,
                   gboolean              ordered,
                   gboolean              paged)
{
  return build_contact_sql_full (query, what, ordered, paged, FALSE);
}

static char *
make_like_pattern (const char *search)
{
  GString *p = g_string_new ("%");

  for (const char *s = search; *s; s++)
    {
      if (*s == '%' || *s == '_' || *s == '\\')
        g_string_append_c (p, '\\');
      g_string_append_c (p, *s);
    }
  g_string_append_c (p, '%');
  return g_string_free (p, FALSE);
}

static void
bind_query (sqlite3_stmt         *stmt,
            const MsContactQuery *query)
{
  if (query->list_id > 0)
    sqlite3_bind_int64 (stmt, 1, query->list_id);
  if (query->status >= 0)
    sqlite3_bind_text (stmt, 2, ms_contact_status_to_string (query->status), -1, SQLITE_STATIC);
  if (query->search != NULL && query->search[0] != '\0')
    sqlite3_bind_text (stmt, 3, make_like_pattern (query->search), -1, g_free);
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

static MsContact *
contact_from_row (sqlite3_stmt *stmt)
{
  MsContact *contact = ms_contact_new (column_text (stmt, 1));
  MsContactStatus status = MS_CONTACT_STATUS_ACTIVE;
  const char *fields;

  ms_contact_set_id (contact, sqlite3_column_int64 (stmt, 0));
  ms_contact_set_name (contact, column_text (stmt, 2));
  ms_contact_set_first_name (contact, column_text (stmt, 3));
  ms_contact_set_last_name (contact, column_text (stmt, 4));
  fields = column_text (stmt, 5);
  if (fields != NULL && !ms_contact_set_fields_json (contact, fields, NULL))
    g_warning ("Contact %" PRId64 " has unreadable custom fields",
               (gint64) sqlite3_column_int64 (stmt, 0));
  ms_contact_status_from_string (column_text (stmt, 6), &status);
  ms_contact_set_status (contact, status);
  ms_contact_set_status_reason (contact, column_text (stmt, 7));
  ms_contact_set_status_time (contact, sqlite3_column_int64 (stmt, 8));
  ms_contact_set_created_at (contact, sqlite3_column_int64 (stmt, 9));
  return contact;
}

static const MsContactQuery default_query = MS_CONTACT_QUERY_INIT;

gint64
ms_store_count_contacts (MsStore               *self,
                         const MsContactQuery  *query,
                         GError               **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  gint64 count;

  g_return_val_if_fail (MS_IS_STORE (self), -1);

  if (query == NULL)
    query = &default_query;
  sql = build_contact_sql (query, "count(*)", FALSE, FALSE);
  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return -1;
  bind_query (stmt, query);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _ms_store_fail (self, sqlite3_extended_errcode (_ms_store_get_db (self)), error);
      sqlite3_reset (stmt);
      return -1;
    }
  count = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return count;
}

/**
 * ms_store_list_contacts:
 *
 * One page of the contacts matching @query, in its order.
 *
 * Returns: (transfer full): a #GPtrArray of #MsContact, or %NULL on error
 */
GPtrArray *
ms_store_list_contacts (MsStore               *self,
                        const MsContactQuery  *query,
                        gint64                 offset,
                        guint                  limit,
                        GError               **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  if (query == NULL)
    query = &default_query;
  sql = build_contact_sql (query, CONTACT_COLUMNS, TRUE, TRUE);
  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  bind_query (stmt, query);
  sqlite3_bind_int64 (stmt, 4, limit);
  sqlite3_bind_int64 (stmt, 5, MAX (offset, 0));

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, contact_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ret);
}

/**
 * ms_store_list_contacts_near:
 *
 * The @limit contacts matching @query that come right after @anchor in the
 * query's order, or with @before right before it (still in that order): the
 * page next to a loaded one, found through the index instead of OFFSET's walk
 * over every row in front of it.
 *
 * Returns: (transfer full): a #GPtrArray of #MsContact, or %NULL on error
 */
GPtrArray *
ms_store_list_contacts_near (MsStore               *self,
                             const MsContactQuery  *query,
                             MsContact             *anchor,
                             gboolean               before,
                             guint                  limit,
                             GError               **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *sql = NULL;
  MsContactQuery flipped;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (MS_IS_CONTACT (anchor), NULL);

  if (query == NULL)
    query = &default_query;
  /* Before the anchor is after it in the opposite order, read backwards. */
  flipped = *query;
  if (before)
    flipped.descending = !flipped.descending;
  sql = build_contact_sql_full (&flipped, CONTACT_COLUMNS, TRUE, TRUE, TRUE);
  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  bind_query (stmt, &flipped);
  sqlite3_bind_int64 (stmt, 4, limit);
  sqlite3_bind_int64 (stmt, 5, 0);
  sqlite3_bind_text (stmt, 6, ms_contact_get_name (anchor) != NULL ? ms_contact_get_name (anchor) : "",
                     -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 7, ms_contact_get_id (anchor));
  sqlite3_bind_text (stmt, 8, ms_contact_status_to_string (ms_contact_get_status (anchor)), -1,
                     SQLITE_STATIC);
  sqlite3_bind_text (stmt, 9, ms_contact_get_email (anchor), -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, contact_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  if (before)
    {
      for (guint i = 0, j = ret->len; i + 1 < j; i++, j--)
        {
          gpointer tmp = ret->pdata[i];

          ret->pdata[i] = ret->pdata[j - 1];
          ret->pdata[j - 1] = tmp;
        }
    }
  return g_steal_pointer (&ret);
}

/**
 * ms_store_foreach_contact:
 *
 * Streams every contact matching @query, in order, without holding them all
 * in memory.  The statement is not cached, so @func may use the store.
 */
gboolean
ms_store_foreach_contact (MsStore               *self,
                          const MsContactQuery  *query,
                          MsContactFunc          func,
                          gpointer               user_data,
                          GError               **error)
{
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  if (query == NULL)
    query = &default_query;
  sql = build_contact_sql (query, CONTACT_COLUMNS, TRUE, FALSE);
  rc = sqlite3_prepare_v2 (_ms_store_get_db (self), sql, -1, &stmt, NULL);
  if (rc != SQLITE_OK)
    return _ms_store_fail (self, rc, error);
  bind_query (stmt, query);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(MsContact) contact = contact_from_row (stmt);

      if (!func (contact, user_data))
        {
          rc = SQLITE_DONE;
          break;
        }
    }
  sqlite3_finalize (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

static MsContact *
get_one_contact (MsStore     *self,
                 const char  *sql,
                 gint64       id,
                 const char  *email,
                 GError     **error)
{
  sqlite3_stmt *stmt;
  MsContact *contact = NULL;
  int rc;

  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  if (email != NULL)
    _ms_store_bind_text (stmt, 1, email);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    contact = contact_from_row (stmt);
  else if (rc == SQLITE_DONE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no contact “%s”."), email != NULL ? email : "");
  else
    _ms_store_fail (self, rc, error);
  sqlite3_reset (stmt);
  return contact;
}

MsContact *
ms_store_get_contact (MsStore  *self,
                      gint64    id,
                      GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return get_one_contact (self, "SELECT " CONTACT_COLUMNS " FROM contacts c WHERE c.id = ?1",
                          id, NULL, error);
}

MsContact *
ms_store_find_contact (MsStore     *self,
                       const char  *email,
                       GError     **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  return get_one_contact (self, "SELECT " CONTACT_COLUMNS " FROM contacts c WHERE c.email = ?1",
                          0, email, error);
}

static void
bind_contact_values (sqlite3_stmt *stmt,
                     MsContact    *contact)
{
  g_autofree char *fields = ms_contact_dup_fields_json (contact);

  _ms_store_bind_text (stmt, 1, ms_contact_get_email (contact));
  _ms_store_bind_text (stmt, 2, ms_contact_get_name (contact));
  _ms_store_bind_text (stmt, 3, ms_contact_get_first_name (contact));
  _ms_store_bind_text (stmt, 4, ms_contact_get_last_name (contact));
  _ms_store_bind_text (stmt, 5, fields);
  sqlite3_bind_text (stmt, 6, ms_contact_status_to_string (ms_contact_get_status (contact)),
                     -1, SQLITE_STATIC);
  _ms_store_bind_text (stmt, 7, ms_contact_get_status_reason (contact));
}

static gboolean
contact_write_failed (MsStore    *self,
                      MsContact  *contact,
                      GError    **error)
{
  int rc = sqlite3_extended_errcode (_ms_store_get_db (self));

  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                   _("Another contact already has the address “%s”."),
                   ms_contact_get_email (contact));
      return FALSE;
    }
  return _ms_store_fail (self, rc, error);
}

/**
 * ms_store_add_contact:
 *
 * Inserts @contact (its address must be normalised already) and sets its id.
 *
 * Returns: the new id, or 0 on error
 */
gint64
ms_store_add_contact (MsStore    *self,
                      MsContact  *contact,
                      GError    **error)
{
  sqlite3_stmt *stmt;
  gint64 id;

  g_return_val_if_fail (MS_IS_STORE (self), 0);
  g_return_val_if_fail (MS_IS_CONTACT (contact), 0);

  stmt = _ms_store_prepare (self,
                            "INSERT INTO contacts (email, name, first_name, last_name, fields,"
                            " status, status_reason, status_time)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
                            " CASE WHEN ?6 = 'active' THEN NULL ELSE unixepoch () END)"
                            " RETURNING id, created_at",
                            error);
  if (stmt == NULL)
    return 0;
  bind_contact_values (stmt, contact);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      contact_write_failed (self, contact, error);
      sqlite3_reset (stmt);
      return 0;
    }
  id = sqlite3_column_int64 (stmt, 0);
  ms_contact_set_created_at (contact, sqlite3_column_int64 (stmt, 1));
  sqlite3_reset (stmt);
  ms_contact_set_id (contact, id);
  return id;
}

/**
 * ms_store_update_contact:
 *
 * Writes every field of @contact.  A change of status stamps the status time.
 */
gboolean
ms_store_update_contact (MsStore    *self,
                         MsContact  *contact,
                         GError    **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_CONTACT (contact), FALSE);

  stmt = _ms_store_prepare (self,
                            "UPDATE contacts SET email = ?1, name = ?2, first_name = ?3,"
                            " last_name = ?4, fields = ?5,"
                            " status_time = CASE WHEN status = ?6 THEN status_time ELSE unixepoch () END,"
                            " status = ?6, status_reason = ?7, updated_at = unixepoch ()"
                            " WHERE id = ?8",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_contact_values (stmt, contact);
  sqlite3_bind_int64 (stmt, 8, ms_contact_get_id (contact));
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      contact_write_failed (self, contact, error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("The contact “%s” no longer exists."), ms_contact_get_email (contact));
      return FALSE;
    }
  return TRUE;
}

/**
 * ms_store_upsert_contact:
 * @email: a normalised address
 * @name: (nullable): full name; empty or %NULL keeps the stored one on update
 * @fields_json: (nullable): custom fields as a flat JSON object; merged on update
 * @update_existing: whether an existing contact takes the new values
 *
 * The import's fast path: one statement for a new address.
 */
gboolean
ms_store_upsert_contact (MsStore         *self,
                         const char      *email,
                         const char      *name,
                         const char      *first_name,
                         const char      *last_name,
                         const char      *fields_json,
                         gboolean         update_existing,
                         gint64          *out_id,
                         MsUpsertResult  *out_result,
                         GError         **error)
{
  sqlite3 *db = _ms_store_get_db (self);
  sqlite3_stmt *stmt;
  gint64 id = 0;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (email != NULL, FALSE);

  stmt = _ms_store_prepare (self,
                            "INSERT INTO contacts (email, name, first_name, last_name, fields)"
                            " VALUES (?1, ifnull (?2, ''), ifnull (?3, ''), ifnull (?4, ''), ?5)"
                            " ON CONFLICT (email) DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 3, first_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 4, last_name, -1, SQLITE_STATIC);
  sqlite3_bind_text (stmt, 5, fields_json, -1, SQLITE_STATIC);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, sqlite3_extended_errcode (db), error);

  if (sqlite3_changes (db) == 1)
    {
      if (out_id)
        *out_id = sqlite3_last_insert_rowid (db);
      if (out_result)
        *out_result = MS_UPSERT_INSERTED;
      return TRUE;
    }

  if (update_existing)
    {
      stmt = _ms_store_prepare (self,
                                "UPDATE contacts SET"
                                " name = CASE WHEN ifnull (?2, '') = '' THEN name ELSE ?2 END,"
                                " first_name = CASE WHEN ifnull (?3, '') = '' THEN first_name ELSE ?3 END,"
                                " last_name = CASE WHEN ifnull (?4, '') = '' THEN last_name ELSE ?4 END,"
                                " fields = CASE WHEN ?5 IS NULL THEN fields"
                                "   ELSE json_patch (ifnull (fields, '{}'), ?5) END,"
                                " updated_at = unixepoch ()"
                                " WHERE email = ?1 RETURNING id",
                                error);
    }
  else
    {
      stmt = _ms_store_prepare (self, "SELECT id FROM contacts WHERE email = ?1", error);
    }
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, email, -1, SQLITE_STATIC);
  if (update_existing)
    {
      sqlite3_bind_text (stmt, 2, name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 3, first_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 4, last_name, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 5, fields_json, -1, SQLITE_STATIC);
    }
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    id = sqlite3_column_int64 (stmt, 0);
  if (rc == SQLITE_ROW)
    rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, sqlite3_extended_errcode (db), error);
  if (id == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_FAILED,
                   _("The contact “%s” could neither be added nor found."), email);
      return FALSE;
    }

  if (out_id)
    *out_id = id;
  if (out_result)
    *out_result = update_existing ? MS_UPSERT_UPDATED : MS_UPSERT_SKIPPED;
  return TRUE;
}

static gboolean
for_each_id (MsStore       *self,
             const char    *sql,
             gint64         first,
             const gint64  *ids,
             guint          n_ids,
             const char    *text,
             const char    *text2,
             GError       **error)
{
  gboolean own_transaction = !ms_store_in_transaction (self);
  sqlite3_stmt *stmt;

  if (n_ids == 0)
    return TRUE;
  if (own_transaction && !ms_store_begin (self, error))
    return FALSE;
  if (!(stmt = _ms_store_prepare (self, sql, error)))
    goto fail;

  for (guint i = 0; i < n_ids; i++)
    {
      sqlite3_reset (stmt);
      sqlite3_bind_int64 (stmt, 1, ids[i]);
      if (first != 0)
        sqlite3_bind_int64 (stmt, 2, first);
      if (text != NULL)
        sqlite3_bind_text (stmt, 2, text, -1, SQLITE_STATIC);
      if (text2 != NULL)
        sqlite3_bind_text (stmt, 3, text2, -1, SQLITE_STATIC);
      if (!_ms_store_step_done (self, stmt, error))
        goto fail;
    }

  if (own_transaction && !ms_store_commit (self, error))
    return FALSE;
  return TRUE;

fail:
  if (own_transaction)
    ms_store_rollback (self);
  return FALSE;
}

gboolean
ms_store_delete_contacts (MsStore       *self,
                          const gint64  *ids,
                          guint          n_ids,
                          GError       **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  return for_each_id (self, "DELETE FROM contacts WHERE id = ?1", 0, ids, n_ids, NULL, NULL, error);
}

gboolean
ms_store_set_contacts_status (MsStore          *self,
                              const gint64     *ids,
                              guint             n_ids,
                              MsContactStatus   status,
                              const char       *reason,
                              GError          **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (status < MS_CONTACT_N_STATUS, FALSE);

  return for_each_id (self,
                      "UPDATE contacts SET status = ?2, status_reason = ?3,"
                      " status_time = unixepoch (), updated_at = unixepoch () WHERE id = ?1",
                      0, ids, n_ids, ms_contact_status_to_string (status),
                      reason != NULL ? reason : "", error);
}

/**
 * ms_store_list_field_names:
 *
 * Every custom field name used by any contact, sorted.
 */
GStrv
ms_store_list_field_names (MsStore  *self,
                           GError  **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self,
                            "SELECT DISTINCT j.key FROM contacts c, json_each (c.fields) j"
                            " WHERE c.fields IS NOT NULL ORDER BY 1",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_strv_builder_add (builder, column_text (stmt, 0));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  return g_strv_builder_end (builder);
}

/* Lists */

static MsContactList *
list_from_row (sqlite3_stmt *stmt)
{
  return ms_contact_list_new (sqlite3_column_int64 (stmt, 0), column_text (stmt, 1),
                              sqlite3_column_int64 (stmt, 2));
}

#define LIST_COLUMNS \
  "l.id, l.name, (SELECT count(*) FROM list_members m WHERE m.list_id = l.id)"

GPtrArray *
ms_store_list_lists (MsStore  *self,
                     GError  **error)
{
  g_autoptr(GPtrArray) ret = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self,
                            "SELECT " LIST_COLUMNS " FROM lists l ORDER BY l.name COLLATE NOCASE",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (ret, list_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  return g_steal_pointer (&ret);
}

static MsContactList *
get_one_list (MsStore     *self,
              const char  *sql,
              gint64       id,
              const char  *name,
              GError     **error)
{
  sqlite3_stmt *stmt;
  MsContactList *list = NULL;
  int rc;

  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  if (name != NULL)
    _ms_store_bind_text (stmt, 1, name);
  else
    sqlite3_bind_int64 (stmt, 1, id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    list = list_from_row (stmt);
  else if (rc == SQLITE_DONE && name != NULL)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no list named “%s”."), name);
  else if (rc == SQLITE_DONE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("The list no longer exists."));
  else
    _ms_store_fail (self, rc, error);
  sqlite3_reset (stmt);
  return list;
}

MsContactList *
ms_store_get_list (MsStore  *self,
                   gint64    id,
                   GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return get_one_list (self, "SELECT " LIST_COLUMNS " FROM lists l WHERE l.id = ?1",
                       id, NULL, error);
}

MsContactList *
ms_store_find_list (MsStore     *self,
                    const char  *name,
                    GError     **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return get_one_list (self, "SELECT " LIST_COLUMNS " FROM lists l WHERE l.name = ?1",
                       0, name, error);
}

static gboolean
check_list_name (const char  *name,
                 GError     **error)
{
  const char *p = name;

  while (p != NULL && g_ascii_isspace (*p))
    p++;
  if (p == NULL || *p == '\0')
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID, _("A list needs a name."));
      return FALSE;
    }
  return TRUE;
}

MsContactList *
ms_store_create_list (MsStore     *self,
                      const char  *name,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  gint64 id;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  if (!check_list_name (name, error))
    return NULL;
  if (!(stmt = _ms_store_prepare (self, "INSERT INTO lists (name) VALUES (?1)", error)))
    return NULL;
  _ms_store_bind_text (stmt, 1, name);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      rc = sqlite3_extended_errcode (_ms_store_get_db (self));
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                     _("A list named “%s” already exists."), name);
      else
        _ms_store_fail (self, rc, error);
      return NULL;
    }
  id = sqlite3_last_insert_rowid (_ms_store_get_db (self));
  return ms_contact_list_new (id, name, 0);
}

gint64
ms_store_ensure_list (MsStore     *self,
                      const char  *name,
                      gboolean    *out_created,
                      GError     **error)
{
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (MS_IS_STORE (self), 0);

  if (out_created)
    *out_created = FALSE;
  list = ms_store_find_list (self, name, &local_error);
  if (list == NULL && g_error_matches (local_error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND))
    {
      g_clear_error (&local_error);
      list = ms_store_create_list (self, name, &local_error);
      if (list != NULL && out_created)
        *out_created = TRUE;
    }
  if (list == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return 0;
    }
  return ms_contact_list_get_id (list);
}

gboolean
ms_store_rename_list (MsStore     *self,
                      gint64       list_id,
                      const char  *name,
                      GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!check_list_name (name, error))
    return FALSE;
  if (!(stmt = _ms_store_prepare (self, "UPDATE lists SET name = ?2 WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list_id);
  _ms_store_bind_text (stmt, 2, name);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      rc = sqlite3_extended_errcode (_ms_store_get_db (self));
      if (rc == SQLITE_CONSTRAINT_UNIQUE)
        g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                     _("A list named “%s” already exists."), name);
      else
        _ms_store_fail (self, rc, error);
      return FALSE;
    }
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("The list no longer exists."));
      return FALSE;
    }
  return TRUE;
}

/**
 * ms_store_delete_list:
 *
 * Deletes the list and its memberships; the contacts stay.
 */
gboolean
ms_store_delete_list (MsStore  *self,
                      gint64    list_id,
                      GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!(stmt = _ms_store_prepare (self, "DELETE FROM lists WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list_id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("The list no longer exists."));
      return FALSE;
    }
  return TRUE;
}

static char *
ids_to_json (const gint64 *ids,
             guint         n_ids)
{
  GString *json = g_string_sized_new (n_ids * 8 + 2);

  g_string_append_c (json, '[');
  for (guint i = 0; i < n_ids; i++)
    g_string_append_printf (json, "%s%" PRId64, i > 0 ? "," : "", ids[i]);
  g_string_append_c (json, ']');
  return g_string_free (json, FALSE);
}

/**
 * ms_store_add_list_members:
 *
 * Adds the contacts to the list in one statement; members already there stay.
 */
gboolean
ms_store_add_list_members (MsStore       *self,
                           gint64         list_id,
                           const gint64  *contact_ids,
                           guint          n_ids,
                           GError       **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (n_ids == 0)
    return TRUE;
  stmt = _ms_store_prepare (self,
                            "INSERT INTO list_members (list_id, contact_id)"
                            " SELECT ?2, j.value FROM json_each (?1) j WHERE true"
                            " ON CONFLICT DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, ids_to_json (contact_ids, n_ids), -1, g_free);
  sqlite3_bind_int64 (stmt, 2, list_id);
  return _ms_store_step_done (self, stmt, error);
}

gboolean
ms_store_remove_list_members (MsStore       *self,
                              gint64         list_id,
                              const gint64  *contact_ids,
                              guint          n_ids,
                              GError       **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  return for_each_id (self,
                      "DELETE FROM list_members WHERE contact_id = ?1 AND list_id = ?2",
                      list_id, contact_ids, n_ids, NULL, NULL, error);
}

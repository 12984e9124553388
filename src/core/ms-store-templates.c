/* ms-store-templates.c
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

#include "ms-store-private.h"
#include "ms-store-templates.h"

#define TEMPLATE_COLUMNS \
  "id, name, subject, body_format, body, text_alt, sender_address, sender_name, reply_to," \
  " created_at, updated_at"

static const char *
nullable_text (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

static const char *
column_text (sqlite3_stmt *stmt,
             int           column)
{
  return (const char *) sqlite3_column_text (stmt, column);
}

static MsTemplate *
template_from_row (sqlite3_stmt *stmt)
{
  MsTemplate *tmpl = ms_template_new (column_text (stmt, 1));
  MsBodyFormat format = MS_BODY_FORMAT_MARKDOWN;

  ms_template_set_id (tmpl, sqlite3_column_int64 (stmt, 0));
  ms_template_set_subject (tmpl, column_text (stmt, 2));
  if (ms_body_format_from_string (column_text (stmt, 3), &format))
    ms_template_set_body_format (tmpl, format);
  ms_template_set_body (tmpl, column_text (stmt, 4));
  ms_template_set_text_alt (tmpl, column_text (stmt, 5));
  ms_template_set_sender_address (tmpl, column_text (stmt, 6));
  ms_template_set_sender_name (tmpl, column_text (stmt, 7));
  ms_template_set_reply_to (tmpl, column_text (stmt, 8));
  ms_template_set_created_at (tmpl, sqlite3_column_int64 (stmt, 9));
  ms_template_set_updated_at (tmpl, sqlite3_column_int64 (stmt, 10));
  return tmpl;
}

static gboolean
template_write_failed (MsStore    *self,
                       MsTemplate *tmpl,
                       GError    **error)
{
  int rc = sqlite3_extended_errcode (_ms_store_get_db (self));

  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                   _("There is already a template named “%s”."), ms_template_get_name (tmpl));
      return FALSE;
    }
  return _ms_store_fail (self, rc, error);
}

static gboolean
check_template (MsTemplate  *tmpl,
                GError     **error)
{
  const char *name = ms_template_get_name (tmpl);

  while (name != NULL && g_ascii_isspace (*name))
    name++;
  if (name == NULL || name[0] == '\0')
    {
      g_set_error_literal (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID,
                           _("A template needs a name."));
      return FALSE;
    }
  return TRUE;
}

static void
bind_template_values (sqlite3_stmt *stmt,
                      MsTemplate   *tmpl)
{
  const char *subject = ms_template_get_subject (tmpl);
  const char *body = ms_template_get_body (tmpl);

  _ms_store_bind_text (stmt, 1, ms_template_get_name (tmpl));
  _ms_store_bind_text (stmt, 2, subject != NULL ? subject : "");
  sqlite3_bind_text (stmt, 3, ms_body_format_to_string (ms_template_get_body_format (tmpl)),
                     -1, SQLITE_STATIC);
  _ms_store_bind_text (stmt, 4, body != NULL ? body : "");
  _ms_store_bind_text (stmt, 5, nullable_text (ms_template_get_text_alt (tmpl)));
  _ms_store_bind_text (stmt, 6, nullable_text (ms_template_get_sender_address (tmpl)));
  _ms_store_bind_text (stmt, 7, nullable_text (ms_template_get_sender_name (tmpl)));
  _ms_store_bind_text (stmt, 8, nullable_text (ms_template_get_reply_to (tmpl)));
}

/* Runs inside a transaction the caller opened (or ours). */
static gboolean
insert_attachment (MsStore       *self,
                   gint64         template_id,
                   MsAttachment  *attachment,
                   GError       **error)
{
  sqlite3_stmt *stmt;
  gsize size = 0;
  gconstpointer data;

  stmt = _ms_store_prepare (self,
                            "INSERT INTO template_attachments (template_id, filename, content_type,"
                            " data) VALUES (?1, ?2, ?3, ?4) RETURNING id",
                            error);
  if (stmt == NULL)
    return FALSE;

  data = g_bytes_get_data (attachment->data, &size);
  sqlite3_bind_int64 (stmt, 1, template_id);
  _ms_store_bind_text (stmt, 2, attachment->filename);
  _ms_store_bind_text (stmt, 3, attachment->content_type != NULL
                                ? attachment->content_type : "application/octet-stream");
  /* A zero-length blob must still be a blob, not NULL (the column is NOT NULL). */
  sqlite3_bind_blob64 (stmt, 4, data != NULL ? data : "", size, SQLITE_STATIC);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      _ms_store_fail (self, sqlite3_extended_errcode (_ms_store_get_db (self)), error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  attachment->id = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
insert_attachments (MsStore     *self,
                    MsTemplate  *tmpl,
                    GError     **error)
{
  GPtrArray *attachments = ms_template_get_attachments (tmpl);

  for (guint i = 0; i < attachments->len; i++)
    {
      if (!insert_attachment (self, ms_template_get_id (tmpl),
                              g_ptr_array_index (attachments, i), error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
load_attachments (MsStore     *self,
                  MsTemplate  *tmpl,
                  GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT id, filename, content_type, data FROM template_attachments"
                            " WHERE template_id = ?1 ORDER BY id",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_template_get_id (tmpl));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      g_autoptr(GBytes) data = g_bytes_new (sqlite3_column_blob (stmt, 3),
                                            sqlite3_column_bytes (stmt, 3));
      g_autoptr(MsAttachment) attachment = ms_attachment_new (column_text (stmt, 1),
                                                              column_text (stmt, 2), data);

      attachment->id = sqlite3_column_int64 (stmt, 0);
      ms_template_add_attachment (tmpl, attachment);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, rc, error);
  return TRUE;
}

/* Opens a transaction unless the caller holds one; *owned says which. */
static gboolean
begin_if_needed (MsStore   *self,
                 gboolean  *owned,
                 GError   **error)
{
  *owned = !ms_store_in_transaction (self);
  return !*owned || ms_store_begin (self, error);
}

static gboolean
finish (MsStore   *self,
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

/**
 * ms_store_add_template:
 *
 * Inserts @tmpl and its attachments; sets the ids and the creation time.
 *
 * Returns: the new id, or 0 on error
 */
gint64
ms_store_add_template (MsStore     *self,
                       MsTemplate  *tmpl,
                       GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), 0);
  g_return_val_if_fail (MS_IS_TEMPLATE (tmpl), 0);

  if (!check_template (tmpl, error) || !begin_if_needed (self, &owned, error))
    return 0;

  stmt = _ms_store_prepare (self,
                            "INSERT INTO templates (name, subject, body_format, body, text_alt,"
                            " sender_address, sender_name, reply_to)"
                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                            " RETURNING id, created_at, updated_at",
                            error);
  ok = stmt != NULL;
  if (ok)
    {
      bind_template_values (stmt, tmpl);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          ms_template_set_id (tmpl, sqlite3_column_int64 (stmt, 0));
          ms_template_set_created_at (tmpl, sqlite3_column_int64 (stmt, 1));
          ms_template_set_updated_at (tmpl, sqlite3_column_int64 (stmt, 2));
        }
      else
        ok = template_write_failed (self, tmpl, error);
      sqlite3_reset (stmt);
    }
  ok = ok && insert_attachments (self, tmpl, error);
  if (!finish (self, owned, ok, error))
    {
      ms_template_set_id (tmpl, 0);
      return 0;
    }
  return ms_template_get_id (tmpl);
}

gboolean
ms_store_update_template (MsStore     *self,
                          MsTemplate  *tmpl,
                          GError     **error)
{
  sqlite3_stmt *stmt;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_TEMPLATE (tmpl), FALSE);

  if (!check_template (tmpl, error) || !begin_if_needed (self, &owned, error))
    return FALSE;

  stmt = _ms_store_prepare (self,
                            "UPDATE templates SET name = ?1, subject = ?2, body_format = ?3,"
                            " body = ?4, text_alt = ?5, sender_address = ?6, sender_name = ?7,"
                            " reply_to = ?8, updated_at = unixepoch () WHERE id = ?9"
                            " RETURNING updated_at",
                            error);
  ok = stmt != NULL;
  if (ok)
    {
      int rc;

      bind_template_values (stmt, tmpl);
      sqlite3_bind_int64 (stmt, 9, ms_template_get_id (tmpl));
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        ms_template_set_updated_at (tmpl, sqlite3_column_int64 (stmt, 0));
      else if (rc == SQLITE_DONE)
        {
          g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                       _("There is no template “%s”."), ms_template_get_name (tmpl));
          ok = FALSE;
        }
      else
        ok = template_write_failed (self, tmpl, error);
      sqlite3_reset (stmt);
    }
  if (ok)
    {
      stmt = _ms_store_prepare (self, "DELETE FROM template_attachments WHERE template_id = ?1",
                                error);
      ok = stmt != NULL;
      if (ok)
        {
          sqlite3_bind_int64 (stmt, 1, ms_template_get_id (tmpl));
          ok = _ms_store_step_done (self, stmt, error);
        }
    }
  ok = ok && insert_attachments (self, tmpl, error);
  return finish (self, owned, ok, error);
}

static MsTemplate *
get_one_template (MsStore     *self,
                  const char  *sql,
                  gint64       id,
                  const char  *name,
                  GError     **error)
{
  g_autoptr(MsTemplate) tmpl = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  if (name != NULL)
    _ms_store_bind_text (stmt, 1, name);
  else
    sqlite3_bind_int64 (stmt, 1, id);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    tmpl = template_from_row (stmt);
  else if (rc == SQLITE_DONE && name != NULL)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no template “%s”."), name);
  else if (rc == SQLITE_DONE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no template with the number %" PRId64 "."), id);
  else
    _ms_store_fail (self, rc, error);
  sqlite3_reset (stmt);

  if (tmpl == NULL || !load_attachments (self, tmpl, error))
    return NULL;
  return g_steal_pointer (&tmpl);
}

MsTemplate *
ms_store_get_template (MsStore     *self,
                       gint64       id,
                       GError     **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return get_one_template (self, "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE id = ?1",
                           id, NULL, error);
}

MsTemplate *
ms_store_find_template (MsStore     *self,
                        const char  *name,
                        GError     **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return get_one_template (self, "SELECT " TEMPLATE_COLUMNS " FROM templates WHERE name = ?1",
                           0, name, error);
}

GPtrArray *
ms_store_list_templates (MsStore  *self,
                         GError  **error)
{
  g_autoptr(GPtrArray) templates = g_ptr_array_new_with_free_func (g_object_unref);
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  stmt = _ms_store_prepare (self,
                            "SELECT " TEMPLATE_COLUMNS " FROM templates ORDER BY name COLLATE NOCASE, id",
                            error);
  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (templates, template_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }

  for (guint i = 0; i < templates->len; i++)
    if (!load_attachments (self, g_ptr_array_index (templates, i), error))
      return NULL;
  return g_steal_pointer (&templates);
}

gboolean
ms_store_delete_template (MsStore  *self,
                          gint64    id,
                          GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!(stmt = _ms_store_prepare (self, "DELETE FROM templates WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no template with the number %" PRId64 "."), id);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_store_add_template_attachment (MsStore       *self,
                                  gint64         template_id,
                                  MsAttachment  *attachment,
                                  GError       **error)
{
  sqlite3_stmt *stmt;
  gboolean owned;
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (attachment != NULL, FALSE);

  if (!begin_if_needed (self, &owned, error))
    return FALSE;
  stmt = _ms_store_prepare (self,
                            "UPDATE templates SET updated_at = unixepoch () WHERE id = ?1", error);
  ok = stmt != NULL;
  if (ok)
    {
      sqlite3_bind_int64 (stmt, 1, template_id);
      ok = _ms_store_step_done (self, stmt, error);
    }
  if (ok && sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no template with the number %" PRId64 "."),
                   template_id);
      ok = FALSE;
    }
  ok = ok && insert_attachment (self, template_id, attachment, error);
  return finish (self, owned, ok, error);
}

gboolean
ms_store_remove_template_attachment (MsStore  *self,
                                     gint64    attachment_id,
                                     GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  stmt = _ms_store_prepare (self, "DELETE FROM template_attachments WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, attachment_id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("There is no attachment with the number %" PRId64 "."),
                   attachment_id);
      return FALSE;
    }
  return TRUE;
}

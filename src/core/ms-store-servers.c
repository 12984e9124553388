/* ms-store-servers.c
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

#include <glib/gi18n.h>

#include "ms-address.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"

/* The column order of SERVER_COLUMNS is the order of the bindings of the INSERT
 * and UPDATE below (parameters ?2 to ?32, ?1 being the id). */
#define SERVER_COLUMNS \
  "id, name, transport, host, port, security, login, sender_address, sender_name, " \
  "allow_sender_substitution, priority, enabled, max_connections, pause_ms, " \
  "max_message_size, max_recipients, folder, ca_file, pinned_fingerprint, " \
  "incoming_protocol, incoming_host, incoming_port, incoming_security, incoming_login, " \
  "incoming_folder, incoming_keep, incoming_move_to, dkim_domain, dkim_selector, " \
  "dkim_key_ref, created_at, updated_at"

enum {
  COL_ID,
  COL_NAME,
  COL_TRANSPORT,
  COL_HOST,
  COL_PORT,
  COL_SECURITY,
  COL_LOGIN,
  COL_SENDER_ADDRESS,
  COL_SENDER_NAME,
  COL_ALLOW_SENDER_SUBSTITUTION,
  COL_PRIORITY,
  COL_ENABLED,
  COL_MAX_CONNECTIONS,
  COL_PAUSE_MS,
  COL_MAX_MESSAGE_SIZE,
  COL_MAX_RECIPIENTS,
  COL_FOLDER,
  COL_CA_FILE,
  COL_PINNED_FINGERPRINT,
  COL_INCOMING_PROTOCOL,
  COL_INCOMING_HOST,
  COL_INCOMING_PORT,
  COL_INCOMING_SECURITY,
  COL_INCOMING_LOGIN,
  COL_INCOMING_FOLDER,
  COL_INCOMING_KEEP,
  COL_INCOMING_MOVE_TO,
  COL_DKIM_DOMAIN,
  COL_DKIM_SELECTOR,
  COL_DKIM_KEY_REF,
  COL_CREATED_AT,
  COL_UPDATED_AT,
};

static const char *
column_text (sqlite3_stmt *stmt,
             int           col)
{
  return (const char *) sqlite3_column_text (stmt, col);
}

static guint
column_uint (sqlite3_stmt *stmt,
             int           col)
{
  gint64 value = sqlite3_column_int64 (stmt, col);

  return (guint) CLAMP (value, 0, G_MAXUINT);
}

static MsServer *
server_from_row (sqlite3_stmt *stmt)
{
  MsServer *server = ms_server_new ();
  MsTransport transport = MS_TRANSPORT_SMTP;
  MsSecurity security = MS_SECURITY_TLS;
  MsIncomingProtocol incoming = MS_INCOMING_NONE;

  ms_server_set_id (server, sqlite3_column_int64 (stmt, COL_ID));
  ms_server_set_name (server, column_text (stmt, COL_NAME));
  if (ms_transport_from_string (column_text (stmt, COL_TRANSPORT), &transport))
    ms_server_set_transport (server, transport);
  ms_server_set_host (server, column_text (stmt, COL_HOST));
  ms_server_set_port (server, MIN (column_uint (stmt, COL_PORT), 65535));
  if (ms_security_from_string (column_text (stmt, COL_SECURITY), &security))
    ms_server_set_security (server, security);
  ms_server_set_login (server, column_text (stmt, COL_LOGIN));
  ms_server_set_sender_address (server, column_text (stmt, COL_SENDER_ADDRESS));
  ms_server_set_sender_name (server, column_text (stmt, COL_SENDER_NAME));
  ms_server_set_allow_sender_substitution (server,
                                           sqlite3_column_int (stmt, COL_ALLOW_SENDER_SUBSTITUTION));
  ms_server_set_priority (server, sqlite3_column_int (stmt, COL_PRIORITY));
  ms_server_set_enabled (server, sqlite3_column_int (stmt, COL_ENABLED));
  ms_server_set_max_connections (server, column_uint (stmt, COL_MAX_CONNECTIONS));
  ms_server_set_pause_ms (server, column_uint (stmt, COL_PAUSE_MS));
  ms_server_set_max_message_size (server,
                                  (guint64) MAX (sqlite3_column_int64 (stmt, COL_MAX_MESSAGE_SIZE), 0));
  ms_server_set_max_recipients (server, column_uint (stmt, COL_MAX_RECIPIENTS));
  ms_server_set_folder (server, column_text (stmt, COL_FOLDER));
  ms_server_set_ca_file (server, column_text (stmt, COL_CA_FILE));
  ms_server_set_pinned_fingerprint (server, column_text (stmt, COL_PINNED_FINGERPRINT));
  if (ms_incoming_protocol_from_string (column_text (stmt, COL_INCOMING_PROTOCOL), &incoming))
    ms_server_set_incoming_protocol (server, incoming);
  ms_server_set_incoming_host (server, column_text (stmt, COL_INCOMING_HOST));
  ms_server_set_incoming_port (server, MIN (column_uint (stmt, COL_INCOMING_PORT), 65535));
  if (ms_security_from_string (column_text (stmt, COL_INCOMING_SECURITY), &security))
    ms_server_set_incoming_security (server, security);
  ms_server_set_incoming_login (server, column_text (stmt, COL_INCOMING_LOGIN));
  ms_server_set_incoming_folder (server, column_text (stmt, COL_INCOMING_FOLDER));
  ms_server_set_incoming_keep (server, sqlite3_column_int (stmt, COL_INCOMING_KEEP));
  ms_server_set_incoming_move_to (server, column_text (stmt, COL_INCOMING_MOVE_TO));
  ms_server_set_dkim_domain (server, column_text (stmt, COL_DKIM_DOMAIN));
  ms_server_set_dkim_selector (server, column_text (stmt, COL_DKIM_SELECTOR));
  ms_server_set_dkim_key_ref (server, column_text (stmt, COL_DKIM_KEY_REF));
  ms_server_set_created_at (server, sqlite3_column_int64 (stmt, COL_CREATED_AT));
  ms_server_set_updated_at (server, sqlite3_column_int64 (stmt, COL_UPDATED_AT));
  return server;
}

static gboolean
load_quotas (MsStore   *self,
             MsServer  *server,
             GError   **error)
{
  g_autoptr(GArray) quotas = g_array_new (FALSE, FALSE, sizeof (MsQuota));
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self,
                            "SELECT max_count, window_secs FROM server_quotas "
                            "WHERE server_id = ?1 ORDER BY window_secs",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_server_get_id (server));
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      MsQuota quota = { column_uint (stmt, 0), column_uint (stmt, 1) };

      g_array_append_val (quotas, quota);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (self, sqlite3_extended_errcode (_ms_store_get_db (self)), error);
  ms_server_set_quotas (server, (const MsQuota *) (gpointer) quotas->data, quotas->len);
  return TRUE;
}

static GPtrArray *
select_servers (MsStore     *self,
                const char  *where,
                gint64       id,
                const char  *name,
                GError     **error)
{
  g_autoptr(GPtrArray) servers = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree char *sql = NULL;
  sqlite3_stmt *stmt;
  int rc;

  sql = g_strconcat ("SELECT " SERVER_COLUMNS " FROM servers ", where,
                     " ORDER BY priority, name", NULL);
  if (!(stmt = _ms_store_prepare (self, sql, error)))
    return NULL;
  if (name != NULL)
    _ms_store_bind_text (stmt, 1, name);
  else if (id != 0)
    sqlite3_bind_int64 (stmt, 1, id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (servers, server_from_row (stmt));
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (self, sqlite3_extended_errcode (_ms_store_get_db (self)), error);
      return NULL;
    }
  for (guint i = 0; i < servers->len; i++)
    {
      if (!load_quotas (self, g_ptr_array_index (servers, i), error))
        return NULL;
    }
  return g_steal_pointer (&servers);
}

GPtrArray *
ms_store_list_servers (MsStore  *self,
                       GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return select_servers (self, "", 0, NULL, error);
}

static MsServer *
first_server (GPtrArray *servers)
{
  if (servers == NULL || servers->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (servers, 0));
}

MsServer *
ms_store_get_server (MsStore  *self,
                     gint64    id,
                     GError  **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  MsServer *server;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (id > 0, NULL);

  servers = select_servers (self, "WHERE id = ?1", id, NULL, error);
  if (servers == NULL)
    return NULL;
  server = first_server (servers);
  if (server == NULL)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("The server profile no longer exists."));
  return server;
}

MsServer *
ms_store_find_server (MsStore     *self,
                      const char  *name,
                      GError     **error)
{
  g_autoptr(GPtrArray) servers = NULL;
  MsServer *server;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  servers = select_servers (self, "WHERE name = ?1", 0, name, error);
  if (servers == NULL)
    return NULL;
  server = first_server (servers);
  if (server == NULL)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                 _("There is no server profile named “%s”."), name);
  return server;
}

/* Writing */

typedef struct
{
  char *sender_address;
  char *fingerprint;
} Normalized;

static void
normalized_clear (Normalized *n)
{
  g_clear_pointer (&n->sender_address, g_free);
  g_clear_pointer (&n->fingerprint, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Normalized, normalized_clear)

static gboolean
normalize_server (MsServer    *server,
                  Normalized  *n,
                  GError     **error)
{
  if (!ms_server_validate (server, error))
    return FALSE;
  n->sender_address = ms_address_normalize (ms_server_get_sender_address (server), error);
  if (n->sender_address == NULL)
    return FALSE;
  if (ms_server_get_pinned_fingerprint (server) != NULL)
    {
      n->fingerprint = ms_fingerprint_normalize (ms_server_get_pinned_fingerprint (server),
                                                 error);
      if (n->fingerprint == NULL)
        return FALSE;
    }
  return TRUE;
}

static void
bind_uint_or_null (sqlite3_stmt *stmt,
                   int           index,
                   guint64       value)
{
  if (value == 0)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_int64 (stmt, index, (sqlite3_int64) MIN (value, (guint64) G_MAXINT64));
}

/* Binds the columns after the id as ?2 ... ?30. */
static void
bind_server (sqlite3_stmt     *stmt,
             MsServer         *s,
             const Normalized *n)
{
  gboolean incoming = ms_server_get_incoming_protocol (s) != MS_INCOMING_NONE;

  _ms_store_bind_text (stmt, 2, ms_server_get_name (s));
  _ms_store_bind_text (stmt, 3, ms_transport_to_string (ms_server_get_transport (s)));
  _ms_store_bind_text (stmt, 4, ms_server_get_host (s));
  bind_uint_or_null (stmt, 5, ms_server_get_port (s));
  _ms_store_bind_text (stmt, 6, ms_security_to_string (ms_server_get_security (s)));
  _ms_store_bind_text (stmt, 7, ms_server_get_login (s));
  _ms_store_bind_text (stmt, 8, n->sender_address);
  _ms_store_bind_text (stmt, 9, ms_server_get_sender_name (s));
  sqlite3_bind_int (stmt, 10, ms_server_get_allow_sender_substitution (s) ? 1 : 0);
  sqlite3_bind_int (stmt, 11, ms_server_get_priority (s));
  sqlite3_bind_int (stmt, 12, ms_server_get_enabled (s) ? 1 : 0);
  sqlite3_bind_int64 (stmt, 13, ms_server_get_max_connections (s));
  sqlite3_bind_int64 (stmt, 14, ms_server_get_pause_ms (s));
  bind_uint_or_null (stmt, 15, ms_server_get_max_message_size (s));
  bind_uint_or_null (stmt, 16, ms_server_get_max_recipients (s));
  _ms_store_bind_text (stmt, 17, ms_server_get_folder (s));
  _ms_store_bind_text (stmt, 18, ms_server_get_ca_file (s));
  _ms_store_bind_text (stmt, 19, n->fingerprint);
  _ms_store_bind_text (stmt, 20, ms_incoming_protocol_to_string (ms_server_get_incoming_protocol (s)));
  _ms_store_bind_text (stmt, 21, ms_server_get_incoming_host (s));
  bind_uint_or_null (stmt, 22, ms_server_get_incoming_port (s));
  _ms_store_bind_text (stmt, 23, incoming ? ms_security_to_string (ms_server_get_incoming_security (s))
                                          : NULL);
  _ms_store_bind_text (stmt, 24, ms_server_get_incoming_login (s));
  _ms_store_bind_text (stmt, 25, ms_server_get_incoming_folder (s));
  sqlite3_bind_int (stmt, 26, ms_server_get_incoming_keep (s) ? 1 : 0);
  _ms_store_bind_text (stmt, 27, ms_server_get_incoming_move_to (s));
  _ms_store_bind_text (stmt, 28, ms_server_get_dkim_domain (s));
  _ms_store_bind_text (stmt, 29, ms_server_get_dkim_selector (s));
  _ms_store_bind_text (stmt, 30, ms_server_get_dkim_key_ref (s));
}

static gboolean
step_write (MsStore       *self,
            sqlite3_stmt  *stmt,
            const char    *name,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  sqlite3_reset (stmt);
  if (rc == SQLITE_DONE)
    return TRUE;
  rc = sqlite3_extended_errcode (_ms_store_get_db (self));
  if (rc == SQLITE_CONSTRAINT_UNIQUE)
    g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS,
                 _("A server profile named “%s” already exists."), name);
  else
    _ms_store_fail (self, rc, error);
  return FALSE;
}

static gboolean
replace_quotas (MsStore   *self,
                MsServer  *server,
                GError   **error)
{
  const MsQuota *quotas;
  sqlite3_stmt *stmt;
  guint n;

  if (!(stmt = _ms_store_prepare (self, "DELETE FROM server_quotas WHERE server_id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_server_get_id (server));
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;

  quotas = ms_server_get_quotas (server, &n);
  for (guint i = 0; i < n; i++)
    {
      stmt = _ms_store_prepare (self,
                                "INSERT INTO server_quotas (server_id, max_count, window_secs) "
                                "VALUES (?1, ?2, ?3)",
                                error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_int64 (stmt, 1, ms_server_get_id (server));
      sqlite3_bind_int64 (stmt, 2, quotas[i].limit);
      sqlite3_bind_int64 (stmt, 3, quotas[i].window_secs);
      if (!_ms_store_step_done (self, stmt, error))
        return FALSE;
    }
  return TRUE;
}

/* Reads back what the database set (timestamps) into @server. */
static gboolean
refresh_times (MsStore   *self,
               MsServer  *server,
               GError   **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self, "SELECT created_at, updated_at FROM servers WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_server_get_id (server));
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      ms_server_set_created_at (server, sqlite3_column_int64 (stmt, 0));
      ms_server_set_updated_at (server, sqlite3_column_int64 (stmt, 1));
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    return _ms_store_fail (self, sqlite3_extended_errcode (_ms_store_get_db (self)), error);
  return TRUE;
}

typedef gboolean (*WriteFunc) (MsStore   *self,
                               MsServer  *server,
                               const Normalized *n,
                               GError   **error);

/* Runs @func in a transaction of its own, or in a savepoint of the caller's. */
static gboolean
write_atomically (MsStore    *self,
                  MsServer   *server,
                  WriteFunc   func,
                  GError    **error)
{
  g_auto(Normalized) n = { NULL, NULL };
  gboolean own = !ms_store_in_transaction (self);

  if (!normalize_server (server, &n, error))
    return FALSE;

  if (own && !ms_store_begin (self, error))
    return FALSE;
  if (!own && !_ms_store_exec (self, "SAVEPOINT ms_server_write", error))
    return FALSE;

  if (func (self, server, &n, error)
      && replace_quotas (self, server, error)
      && refresh_times (self, server, error))
    {
      if (own ? !ms_store_commit (self, error)
              : !_ms_store_exec (self, "RELEASE ms_server_write", error))
        return FALSE;
      ms_server_set_sender_address (server, n.sender_address);
      ms_server_set_pinned_fingerprint (server, n.fingerprint);
      return TRUE;
    }

  if (own)
    {
      ms_store_rollback (self);
    }
  else
    {
      _ms_store_exec (self, "ROLLBACK TO ms_server_write", NULL);
      _ms_store_exec (self, "RELEASE ms_server_write", NULL);
    }
  return FALSE;
}

static gboolean
insert_row (MsStore           *self,
            MsServer          *server,
            const Normalized  *n,
            GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self,
                            "INSERT INTO servers (" SERVER_COLUMNS ") VALUES (NULL, "
                            "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
                            "?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, "
                            "?30, unixepoch (), unixepoch ())",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_server (stmt, server, n);
  if (!step_write (self, stmt, ms_server_get_name (server), error))
    return FALSE;
  ms_server_set_id (server, sqlite3_last_insert_rowid (_ms_store_get_db (self)));
  return TRUE;
}

gint64
ms_store_add_server (MsStore   *self,
                     MsServer  *server,
                     GError   **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), 0);
  g_return_val_if_fail (MS_IS_SERVER (server), 0);
  g_return_val_if_fail (ms_server_get_id (server) == 0, 0);

  if (!write_atomically (self, server, insert_row, error))
    {
      ms_server_set_id (server, 0);
      return 0;
    }
  return ms_server_get_id (server);
}

static gboolean
update_row (MsStore           *self,
            MsServer          *server,
            const Normalized  *n,
            GError           **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self,
                            "UPDATE servers SET name = ?2, transport = ?3, host = ?4, port = ?5, "
                            "security = ?6, login = ?7, sender_address = ?8, sender_name = ?9, "
                            "allow_sender_substitution = ?10, priority = ?11, enabled = ?12, "
                            "max_connections = ?13, pause_ms = ?14, max_message_size = ?15, "
                            "max_recipients = ?16, folder = ?17, ca_file = ?18, "
                            "pinned_fingerprint = ?19, incoming_protocol = ?20, "
                            "incoming_host = ?21, incoming_port = ?22, incoming_security = ?23, "
                            "incoming_login = ?24, incoming_folder = ?25, incoming_keep = ?26, "
                            "incoming_move_to = ?27, dkim_domain = ?28, dkim_selector = ?29, "
                            "dkim_key_ref = ?30, updated_at = unixepoch () WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, ms_server_get_id (server));
  bind_server (stmt, server, n);
  if (!step_write (self, stmt, ms_server_get_name (server), error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("The server profile no longer exists."));
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_store_update_server (MsStore   *self,
                        MsServer  *server,
                        GError   **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (MS_IS_SERVER (server), FALSE);
  g_return_val_if_fail (ms_server_get_id (server) > 0, FALSE);

  return write_atomically (self, server, update_row, error);
}

gboolean
ms_store_delete_server (MsStore  *self,
                        gint64    id,
                        GError  **error)
{
  sqlite3_stmt *stmt;

  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  if (!(stmt = _ms_store_prepare (self, "DELETE FROM servers WHERE id = ?1", error)))
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);
  if (!_ms_store_step_done (self, stmt, error))
    return FALSE;
  if (sqlite3_changes (_ms_store_get_db (self)) == 0)
    {
      g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND,
                   _("The server profile no longer exists."));
      return FALSE;
    }
  return TRUE;
}

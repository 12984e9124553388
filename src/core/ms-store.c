/* ms-store.c
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

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "ms-core-resources.h"
#include "ms-store-private.h"

#define SQL_RESOURCE_PATH RESOURCE_BASE "/sql"

struct _MsStore
{
  GObject     parent_instance;

  char       *path;
  sqlite3    *db;
  GHashTable *statements;    /* SQL text -> sqlite3_stmt* */
  int         version;
  guint       in_transaction : 1;
};

G_DEFINE_FINAL_TYPE (MsStore, ms_store, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-store-error-quark, ms_store_error)

typedef struct
{
  int   version;
  char *resource;
} Migration;

static void
migration_clear (gpointer data)
{
  Migration *m = data;

  g_free (m->resource);
}

static int
compare_migrations (gconstpointer a,
                    gconstpointer b)
{
  const Migration *ma = a;
  const Migration *mb = b;

  return (ma->version > mb->version) - (ma->version < mb->version);
}

/* The migrations compiled into the resource, sorted by number: data/sql/NNN-name.sql */
static GArray *
load_migrations (void)
{
  g_auto(GStrv) names = NULL;
  GArray *ret = g_array_new (FALSE, TRUE, sizeof (Migration));

  g_array_set_clear_func (ret, migration_clear);
  /* Referencing the resource links it in from the static library (and registers it). */
  (void) ms_core_get_resource ();
  names = g_resources_enumerate_children (SQL_RESOURCE_PATH, 0, NULL);
  for (guint i = 0; names != NULL && names[i] != NULL; i++)
    {
      Migration m;
      char *end = NULL;
      guint64 v;

      if (!g_str_has_suffix (names[i], ".sql"))
        continue;
      v = g_ascii_strtoull (names[i], &end, 10);
      if (end == names[i] || *end != '-' || v == 0 || v > G_MAXINT)
        continue;
      m.version = (int) v;
      m.resource = g_strconcat (SQL_RESOURCE_PATH "/", names[i], NULL);
      g_array_append_val (ret, m);
    }
  g_array_sort (ret, compare_migrations);
  return ret;
}

int
ms_store_latest_version (void)
{
  g_autoptr(GArray) migrations = load_migrations ();

  if (migrations->len == 0)
    return 0;
  return g_array_index (migrations, Migration, migrations->len - 1).version;
}

static void
finalize_statement (gpointer data)
{
  sqlite3_finalize (data);
}

static void
ms_store_finalize (GObject *object)
{
  MsStore *self = (MsStore *) object;

  if (self->in_transaction)
    ms_store_rollback (self);
  g_clear_pointer (&self->statements, g_hash_table_unref);
  if (self->db != NULL)
    {
      /* A clean close checkpoints the WAL; failures are harmless here. */
      sqlite3_close_v2 (self->db);
      self->db = NULL;
    }
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (ms_store_parent_class)->finalize (object);
}

static void
ms_store_class_init (MsStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_store_finalize;
}

static void
ms_store_init (MsStore *self)
{
  self->statements = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_statement);
}

static MsStoreError
code_for_rc (int rc)
{
  switch (rc & 0xff)
    {
    case SQLITE_FULL:
      return MS_STORE_ERROR_FULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return MS_STORE_ERROR_BUSY;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
      return MS_STORE_ERROR_CORRUPT;
    case SQLITE_READONLY:
    case SQLITE_PERM:
      return MS_STORE_ERROR_READ_ONLY;
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return MS_STORE_ERROR_EXISTS;
      return MS_STORE_ERROR_INVALID;
    default:
      return MS_STORE_ERROR_FAILED;
    }
}

static void
set_error_for_rc (GError     **error,
                  int          rc,
                  const char  *path,
                  const char  *detail)
{
  MsStoreError code = code_for_rc (rc);

  switch (code)
    {
    case MS_STORE_ERROR_FULL:
      g_set_error (error, MS_STORE_ERROR, code,
                   _("The disk holding “%s” is full. Nothing was saved; free some space and try again."),
                   path);
      break;
    case MS_STORE_ERROR_BUSY:
      g_set_error (error, MS_STORE_ERROR, code,
                   _("The database “%s” is busy in another program. Try again in a moment."),
                   path);
      break;
    case MS_STORE_ERROR_CORRUPT:
      g_set_error (error, MS_STORE_ERROR, code,
                   _("“%s” is not a Mailshot database or is damaged (%s)."), path, detail);
      break;
    case MS_STORE_ERROR_READ_ONLY:
      g_set_error (error, MS_STORE_ERROR, code,
                   _("The database “%s” cannot be written: check the file’s permissions."), path);
      break;
    case MS_STORE_ERROR_EXISTS:
    case MS_STORE_ERROR_INVALID:
    case MS_STORE_ERROR_FAILED:
    case MS_STORE_ERROR_NEWER_SCHEMA:
    case MS_STORE_ERROR_NOT_FOUND:
    default:
      g_set_error (error, MS_STORE_ERROR, code, _("Database error: %s"), detail);
      break;
    }
}

gboolean
_ms_store_fail (MsStore  *self,
                int       rc,
                GError  **error)
{
  const char *detail = self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc);

  set_error_for_rc (error, rc, self->path, detail);
  return FALSE;
}

sqlite3 *
_ms_store_get_db (MsStore *self)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return self->db;
}

sqlite3_stmt *
_ms_store_prepare (MsStore     *self,
                   const char  *sql,
                   GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (MS_IS_STORE (self), NULL);
  g_return_val_if_fail (self->db != NULL, NULL);

  stmt = g_hash_table_lookup (self->statements, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  rc = sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
  if (rc != SQLITE_OK)
    {
      _ms_store_fail (self, rc, error);
      return NULL;
    }
  g_hash_table_insert (self->statements, g_strdup (sql), stmt);
  return stmt;
}

gboolean
_ms_store_exec (MsStore     *self,
                const char  *sql,
                GError     **error)
{
  char *msg = NULL;
  int rc;

  rc = sqlite3_exec (self->db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    {
      set_error_for_rc (error, sqlite3_extended_errcode (self->db), self->path,
                        msg != NULL ? msg : sqlite3_errstr (rc));
      sqlite3_free (msg);
      return FALSE;
    }
  return TRUE;
}

gboolean
_ms_store_step_done (MsStore      *self,
                     sqlite3_stmt *stmt,
                     GError      **error)
{
  int rc = sqlite3_step (stmt);

  if (rc == SQLITE_DONE || rc == SQLITE_ROW)
    {
      sqlite3_reset (stmt);
      return TRUE;
    }
  rc = sqlite3_extended_errcode (self->db);
  _ms_store_fail (self, rc, error);
  sqlite3_reset (stmt);
  return FALSE;
}

void
_ms_store_bind_text (sqlite3_stmt *stmt,
                     int           index,
                     const char   *text)
{
  if (text == NULL)
    sqlite3_bind_null (stmt, index);
  else
    sqlite3_bind_text (stmt, index, text, -1, SQLITE_TRANSIENT);
}

/**
 * ms_store_default_path:
 *
 * `$MAILSHOT_DB` if set, else `$XDG_DATA_HOME/mailshot/mailshot.db`.
 */
char *
ms_store_default_path (void)
{
  const char *env = g_getenv ("MAILSHOT_DB");

  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return g_build_filename (g_get_user_data_dir (), "mailshot", "mailshot.db", NULL);
}

static int
read_user_version (MsStore  *self,
                   GError  **error)
{
  sqlite3_stmt *stmt = NULL;
  int rc;
  int version = -1;

  rc = sqlite3_prepare_v2 (self->db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          version = sqlite3_column_int (stmt, 0);
          rc = SQLITE_OK;
        }
    }
  if (rc != SQLITE_OK)
    _ms_store_fail (self, sqlite3_extended_errcode (self->db), error);
  sqlite3_finalize (stmt);
  return version;
}

static gboolean
refuse_newer (MsStore  *self,
              int       version,
              int       latest,
              GError  **error)
{
  if (version <= latest)
    return TRUE;

  g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NEWER_SCHEMA,
               _("The database “%s” was written by a newer version of Mailshot "
                 "(schema %d; this version knows up to %d). It was left untouched: "
                 "update Mailshot to open it."),
               self->path, version, latest);
  return FALSE;
}

static gboolean
migrate (MsStore  *self,
         GError  **error)
{
  g_autoptr(GArray) migrations = load_migrations ();
  int latest = 0;
  int version;

  if (migrations->len > 0)
    latest = g_array_index (migrations, Migration, migrations->len - 1).version;

  if ((version = read_user_version (self, error)) < 0)
    return FALSE;
  if (!refuse_newer (self, version, latest, error))
    return FALSE;
  if (version == latest)
    {
      self->version = version;
      return TRUE;
    }

  if (!_ms_store_exec (self, "BEGIN EXCLUSIVE", error))
    return FALSE;

  /* Another process may have migrated while we waited for the lock. */
  if ((version = read_user_version (self, error)) < 0 || !refuse_newer (self, version, latest, error))
    goto rollback;

  for (guint i = 0; i < migrations->len; i++)
    {
      const Migration *m = &g_array_index (migrations, Migration, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autofree char *sql = NULL;
      g_autofree char *pragma = NULL;
      gsize len;

      if (m->version <= version)
        continue;

      bytes = g_resources_lookup_data (m->resource, 0, error);
      if (bytes == NULL)
        goto rollback;
      sql = g_strndup (g_bytes_get_data (bytes, &len), g_bytes_get_size (bytes));
      if (!_ms_store_exec (self, sql, error))
        {
          g_prefix_error (error, _("Could not upgrade the database to schema %d: "), m->version);
          goto rollback;
        }
      pragma = g_strdup_printf ("PRAGMA user_version = %d", m->version);
      if (!_ms_store_exec (self, pragma, error))
        goto rollback;
      g_debug ("Applied migration %s", m->resource);
    }

  if (!_ms_store_exec (self, "COMMIT", error))
    goto rollback;

  self->version = latest;
  return TRUE;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

/**
 * ms_store_open:
 * @path: the database file; created with its folder when missing
 *
 * Opens a connection for the calling thread (one connection per thread:
 * never share an #MsStore between threads), configures WAL, foreign keys and
 * a busy timeout, and brings the schema up to date in one exclusive
 * transaction.  A database from a newer Mailshot is refused untouched.
 */
MsStore *
ms_store_open (const char  *path,
               GError     **error)
{
  g_autoptr(MsStore) self = NULL;
  g_autofree char *dir = NULL;
  int version;
  int rc;

  g_return_val_if_fail (path != NULL, NULL);

  self = g_object_new (MS_TYPE_STORE, NULL);
  self->path = g_strdup (path);

  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv),
                   _("Could not create the folder “%s”: %s"), dir, g_strerror (errsv));
      return NULL;
    }

  rc = sqlite3_open_v2 (path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, MS_STORE_ERROR, code_for_rc (rc),
                   _("Could not open the database “%s”: %s"), path,
                   self->db != NULL ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, 1);
  sqlite3_busy_timeout (self->db, 5000);

  /* Read the version before anything can write to the file. */
  if ((version = read_user_version (self, error)) < 0)
    return NULL;
  if (!refuse_newer (self, version, ms_store_latest_version (), error))
    return NULL;

  if (!_ms_store_exec (self, "PRAGMA journal_mode = WAL", error)
      || !_ms_store_exec (self, "PRAGMA foreign_keys = ON", error)
      || !_ms_store_exec (self, "PRAGMA synchronous = NORMAL", error)
      || !_ms_store_exec (self, "PRAGMA temp_store = MEMORY", error))
    return NULL;

  if (!migrate (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

const char *
ms_store_get_path (MsStore *self)
{
  g_return_val_if_fail (MS_IS_STORE (self), NULL);

  return self->path;
}

int
ms_store_get_version (MsStore *self)
{
  g_return_val_if_fail (MS_IS_STORE (self), 0);

  return self->version;
}

/**
 * ms_store_set_synchronous_full:
 *
 * The delivery engine's connection commits its state transitions with
 * synchronous=FULL, so a committed "data-sent" survives a power cut.
 */
void
ms_store_set_synchronous_full (MsStore  *self,
                               gboolean  full)
{
  g_return_if_fail (MS_IS_STORE (self));

  _ms_store_exec (self, full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", NULL);
}

/**
 * ms_store_set_bulk_mode:
 *
 * For large imports: a bigger page cache and fewer WAL checkpoints.  It
 * changes nothing about atomicity: each transaction still commits whole.
 * 64 MiB of cache import a million contacts as fast as 128 MiB did (pages
 * not in it come from the system's file cache), with 80 MB less memory.
 */
void
ms_store_set_bulk_mode (MsStore  *self,
                        gboolean  bulk)
{
  g_return_if_fail (MS_IS_STORE (self));

  if (bulk)
    {
      _ms_store_exec (self, "PRAGMA cache_size = -65536", NULL);
      _ms_store_exec (self, "PRAGMA wal_autocheckpoint = 16384", NULL);
    }
  else
    {
      _ms_store_exec (self, "PRAGMA cache_size = -2000", NULL);
      _ms_store_exec (self, "PRAGMA wal_autocheckpoint = 1000", NULL);
    }
}

gboolean
ms_store_begin (MsStore  *self,
                GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (!self->in_transaction, FALSE);

  if (!_ms_store_exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  self->in_transaction = TRUE;
  return TRUE;
}

gboolean
ms_store_commit (MsStore  *self,
                 GError  **error)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->in_transaction, FALSE);

  if (!_ms_store_exec (self, "COMMIT", error))
    {
      /* A failed COMMIT (disk full, I/O error) leaves the transaction open:
       * roll it back so the file keeps its last consistent state. */
      ms_store_rollback (self);
      return FALSE;
    }
  self->in_transaction = FALSE;
  return TRUE;
}

void
ms_store_rollback (MsStore *self)
{
  g_return_if_fail (MS_IS_STORE (self));

  if (!self->in_transaction)
    return;
  if (!sqlite3_get_autocommit (self->db))
    sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  self->in_transaction = FALSE;
}

gboolean
ms_store_in_transaction (MsStore *self)
{
  g_return_val_if_fail (MS_IS_STORE (self), FALSE);

  return self->in_transaction;
}

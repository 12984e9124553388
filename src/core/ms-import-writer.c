/* ms-import-writer.c
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

#define G_LOG_DOMAIN "ms-importer"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <sqlite3.h>

#include "ms-import-private.h"
#include "ms-store-private.h"

/* How a batch is written: one transaction of a few statements rather than
 * one statement per row.
 *
 * The batch is visible to SQL as the table-valued function
 * ms_import_batch(pointer), a virtual table over its rows in write order, so
 * that one INSERT ... SELECT adds every new contact, and one more statement
 * makes them members of the list: the new rows are those with an id above
 * the largest before the batch.  When some rows were not new, a join tells
 * which; those (addresses already stored, or repeated in the batch) then go
 * through ms_store_upsert_contact() one by one,
 * in write order, so duplicates are merged exactly as a row-by-row import
 * would merge them.  A long statement checks the cancellable now and then:
 * a cancelled batch is rolled back whole. */

#define MODULE_NAME           "ms_import_batch"
#define POINTER_TYPE          "MsImportBatch"
#define PROGRESS_OPCODES      20000

enum
{
  COLUMN_POS,
  COLUMN_EMAIL,
  COLUMN_NAME,
  COLUMN_FIRST_NAME,
  COLUMN_LAST_NAME,
  COLUMN_FIELDS,
  COLUMN_BATCH,                   /* hidden: the argument */
};

typedef struct
{
  sqlite3_vtab_cursor  base;
  const MsImportBatch *batch;
  guint                pos;
} BatchCursor;

static G_DEFINE_QUARK (ms-import-batch-module, module)

/* Batches */

MsImportBatch *
_ms_import_batch_new (void)
{
  MsImportBatch *batch = g_new0 (MsImportBatch, 1);

  batch->text = g_string_sized_new (1024 * 1024);
  batch->rows = g_array_sized_new (FALSE, FALSE, sizeof (MsImportRow), 1024);
  batch->order = g_array_sized_new (FALSE, FALSE, sizeof (MsImportOrder), 1024);
  batch->rejections = g_array_new (FALSE, FALSE, sizeof (MsImportBatchRejection));
  batch->ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  return batch;
}

static void
clear_rejections (MsImportBatch *batch)
{
  for (guint i = 0; i < batch->rejections->len; i++)
    g_free (g_array_index (batch->rejections, MsImportBatchRejection, i).reason);
  g_array_set_size (batch->rejections, 0);
}

/* Empties the batch for reuse; it keeps its memory. */
void
_ms_import_batch_reset (MsImportBatch *batch)
{
  g_string_truncate (batch->text, 0);
  g_array_set_size (batch->rows, 0);
  g_array_set_size (batch->order, 0);
  clear_rejections (batch);
  batch->rows_end = 0;
  batch->bytes_end = 0;
  batch->last = FALSE;
  g_clear_error (&batch->error);
}

void
_ms_import_batch_free (MsImportBatch *batch)
{
  if (batch == NULL)
    return;

  clear_rejections (batch);
  g_string_free (batch->text, TRUE);
  g_array_unref (batch->rows);
  g_array_unref (batch->order);
  g_array_unref (batch->rejections);
  g_array_unref (batch->ids);
  g_clear_error (&batch->error);
  g_free (batch->inserted);
  g_free (batch);
}

static inline const char *
span_text (const MsImportBatch *batch,
           MsImportSpan         span)
{
  return span.length == 0 ? NULL : batch->text->str + span.offset;
}

/* SQLite's NOCASE: ASCII letters folded, other bytes compared as they are */
static inline int
compare_nocase (const char *a,
                const char *b)
{
  const guchar *pa = (const guchar *) a;
  const guchar *pb = (const guchar *) b;

  for (;; pa++, pb++)
    {
      guchar ca = *pa;
      guchar cb = *pb;

      if (ca != cb)
        {
          if (ca >= 'A' && ca <= 'Z')
            ca += 'a' - 'A';
          if (cb >= 'A' && cb <= 'Z')
            cb += 'a' - 'A';
          if (ca != cb)
            return (int) ca - (int) cb;
        }
      if (ca == '\0')
        return 0;
    }
}

static int
compare_order (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const MsImportOrder *oa = a;
  const MsImportOrder *ob = b;
  const MsImportBatch *batch = user_data;
  const MsImportRow *ra, *rb;
  int cmp;

  if (oa->prefix != ob->prefix)
    return oa->prefix < ob->prefix ? -1 : 1;

  ra = &g_array_index (batch->rows, MsImportRow, oa->row);
  rb = &g_array_index (batch->rows, MsImportRow, ob->row);
  cmp = compare_nocase (batch->text->str + ra->email.offset, batch->text->str + rb->email.offset);
  if (cmp != 0)
    return cmp;
  return oa->row < ob->row ? -1 : oa->row > ob->row;
}

/* The first 8 bytes folded as NOCASE folds them, so that comparing prefixes
 * as numbers orders as compare_nocase() does (an address has no NUL). */
static guint64
email_prefix (const char *email,
              gsize       length)
{
  guint64 prefix = 0;

  for (guint i = 0; i < 8; i++)
    {
      guchar c = i < length ? (guchar) email[i] : 0;

      if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
      prefix = (prefix << 8) | c;
    }
  return prefix;
}

static MsImportSpan
copy_span (GString             *out,
           const MsImportBatch *batch,
           MsImportSpan         span)
{
  MsImportSpan copy = { (guint32) out->len, span.length };

  if (span.length == 0)
    return copy;
  _ms_import_append (out, batch->text->str + span.offset, span.length + 1);   /* and its NUL */
  return copy;
}

/**
 * _ms_import_batch_sort:
 * @spare_text: (inout): an empty buffer, swapped with the batch's text
 * @spare_rows: (inout): an empty array of MsImportRow, swapped with the batch's rows
 *
 * Puts the rows in write order: that of the email index, which keeps the
 * B-tree pages a batch touches together; file order among equal addresses,
 * so the first occurrence is the one inserted.  The rows and their strings
 * are copied in that order, so that the writing thread reads memory in
 * sequence rather than all over the batch.
 */
void
_ms_import_batch_sort (MsImportBatch  *batch,
                       GString       **spare_text,
                       GArray        **spare_rows)
{
  guint n = batch->rows->len;
  GString *text = *spare_text;
  GArray *rows = *spare_rows;

  g_array_set_size (batch->order, n);
  for (guint i = 0; i < n; i++)
    {
      const MsImportRow *row = &g_array_index (batch->rows, MsImportRow, i);
      MsImportOrder *order = &g_array_index (batch->order, MsImportOrder, i);

      order->prefix = email_prefix (batch->text->str + row->email.offset, row->email.length);
      order->row = i;
    }
  g_array_sort_with_data (batch->order, compare_order, batch);

  g_string_truncate (text, 0);
  g_array_set_size (rows, n);
  for (guint pos = 0; pos < n; pos++)
    {
      guint32 index = g_array_index (batch->order, MsImportOrder, pos).row;
      const MsImportRow *row = &g_array_index (batch->rows, MsImportRow, index);
      MsImportRow *copy = &g_array_index (rows, MsImportRow, pos);

      copy->email = copy_span (text, batch, row->email);
      copy->name = copy_span (text, batch, row->name);
      copy->first_name = copy_span (text, batch, row->first_name);
      copy->last_name = copy_span (text, batch, row->last_name);
      copy->fields = copy_span (text, batch, row->fields);
    }

  *spare_text = batch->text;
  *spare_rows = batch->rows;
  batch->text = text;
  batch->rows = rows;
  g_string_truncate (*spare_text, 0);
  g_array_set_size (*spare_rows, 0);
}

/* The virtual table */

static int
batch_connect (sqlite3            *db,
               void               *aux,
               int                 argc,
               const char *const  *argv,
               sqlite3_vtab      **out_vtab,
               char              **out_error)
{
  sqlite3_vtab *vtab;
  int rc;

  rc = sqlite3_declare_vtab (db, "CREATE TABLE x (pos INTEGER, email TEXT, name TEXT,"
                                 " first_name TEXT, last_name TEXT, fields TEXT, batch HIDDEN)");
  if (rc != SQLITE_OK)
    return rc;
  sqlite3_vtab_config (db, SQLITE_VTAB_DIRECTONLY);

  vtab = sqlite3_malloc (sizeof *vtab);
  if (vtab == NULL)
    return SQLITE_NOMEM;
  memset (vtab, 0, sizeof *vtab);
  *out_vtab = vtab;
  return SQLITE_OK;
}

static int
batch_disconnect (sqlite3_vtab *vtab)
{
  sqlite3_free (vtab);
  return SQLITE_OK;
}

/* Only usable with the batch given: ms_import_batch (?) */
static int
batch_best_index (sqlite3_vtab       *vtab,
                  sqlite3_index_info *info)
{
  for (int i = 0; i < info->nConstraint; i++)
    {
      const struct sqlite3_index_constraint *constraint = &info->aConstraint[i];

      if (constraint->iColumn == COLUMN_BATCH && constraint->op == SQLITE_INDEX_CONSTRAINT_EQ &&
          constraint->usable)
        {
          info->aConstraintUsage[i].argvIndex = 1;
          info->aConstraintUsage[i].omit = 1;
          info->estimatedCost = 1000.0;
          info->estimatedRows = MS_IMPORT_BATCH_ROWS;
          return SQLITE_OK;
        }
    }

  return SQLITE_CONSTRAINT;
}

static int
batch_open (sqlite3_vtab         *vtab,
            sqlite3_vtab_cursor **out_cursor)
{
  BatchCursor *cursor = sqlite3_malloc (sizeof *cursor);

  if (cursor == NULL)
    return SQLITE_NOMEM;
  memset (cursor, 0, sizeof *cursor);
  *out_cursor = &cursor->base;
  return SQLITE_OK;
}

static int
batch_close (sqlite3_vtab_cursor *cursor)
{
  sqlite3_free (cursor);
  return SQLITE_OK;
}

static int
batch_filter (sqlite3_vtab_cursor  *base,
              int                   idx_num,
              const char           *idx_str,
              int                   argc,
              sqlite3_value       **argv)
{
  BatchCursor *cursor = (BatchCursor *) base;

  cursor->batch = argc > 0 ? sqlite3_value_pointer (argv[0], POINTER_TYPE) : NULL;
  cursor->pos = 0;
  return SQLITE_OK;
}

static int
batch_next (sqlite3_vtab_cursor *base)
{
  ((BatchCursor *) base)->pos++;
  return SQLITE_OK;
}

static int
batch_eof (sqlite3_vtab_cursor *base)
{
  BatchCursor *cursor = (BatchCursor *) base;

  return cursor->batch == NULL || cursor->pos >= cursor->batch->rows->len;
}

static void
result_span (sqlite3_context     *context,
             const MsImportBatch *batch,
             MsImportSpan         span)
{
  if (span.length == 0)
    sqlite3_result_null (context);
  else
    sqlite3_result_text (context, batch->text->str + span.offset, (int) span.length,
                         SQLITE_STATIC);
}

/* The names are never NULL in the table: '' when there is none */
static void
result_name (sqlite3_context     *context,
             const MsImportBatch *batch,
             MsImportSpan         span)
{
  if (span.length == 0)
    sqlite3_result_text (context, "", 0, SQLITE_STATIC);
  else
    result_span (context, batch, span);
}

static int
batch_column (sqlite3_vtab_cursor *base,
              sqlite3_context     *context,
              int                  column)
{
  BatchCursor *cursor = (BatchCursor *) base;
  const MsImportBatch *batch = cursor->batch;
  const MsImportRow *row = &g_array_index (batch->rows, MsImportRow, cursor->pos);

  switch (column)
    {
    case COLUMN_POS:
      sqlite3_result_int64 (context, (sqlite3_int64) cursor->pos + 1);
      break;
    case COLUMN_EMAIL:
      result_span (context, batch, row->email);
      break;
    case COLUMN_NAME:
      result_name (context, batch, row->name);
      break;
    case COLUMN_FIRST_NAME:
      result_name (context, batch, row->first_name);
      break;
    case COLUMN_LAST_NAME:
      result_name (context, batch, row->last_name);
      break;
    case COLUMN_FIELDS:
      result_span (context, batch, row->fields);
      break;
    case COLUMN_BATCH:
    default:
      sqlite3_result_null (context);
      break;
    }
  return SQLITE_OK;
}

static int
batch_rowid (sqlite3_vtab_cursor *base,
             sqlite3_int64       *out_rowid)
{
  *out_rowid = ((BatchCursor *) base)->pos;
  return SQLITE_OK;
}

static const sqlite3_module batch_module = {
  .iVersion = 0,
  .xCreate = NULL,                /* eponymous only: no CREATE VIRTUAL TABLE */
  .xConnect = batch_connect,
  .xBestIndex = batch_best_index,
  .xDisconnect = batch_disconnect,
  .xDestroy = batch_disconnect,
  .xOpen = batch_open,
  .xClose = batch_close,
  .xFilter = batch_filter,
  .xNext = batch_next,
  .xEof = batch_eof,
  .xColumn = batch_column,
  .xRowid = batch_rowid,
};

/* Registers the module once per connection. */
static gboolean
ensure_module (MsStore  *store,
               GError  **error)
{
  int rc;

  if (g_object_get_qdata (G_OBJECT (store), module_quark ()) != NULL)
    return TRUE;

  rc = sqlite3_create_module_v2 (_ms_store_get_db (store), MODULE_NAME, &batch_module, NULL,
                                 NULL);
  if (rc != SQLITE_OK)
    return _ms_store_fail (store, rc, error);
  g_object_set_qdata (G_OBJECT (store), module_quark (), GINT_TO_POINTER (1));
  return TRUE;
}

/* Checkpoints
 *
 * A commit in WAL mode appends the batch's pages to the WAL; a checkpoint
 * copies them into the database file and syncs both files, which is a good
 * part of a batch's time when the writing connection does it inside COMMIT.
 * During an import another connection does it on its own thread (the same
 * PASSIVE checkpoint, with the same syncs) while the next batch is written.
 * So that the WAL does not grow without end, the writer waits for the
 * checkpoint to finish before a batch once the WAL holds WAL_LIMIT pages:
 * with the WAL wholly copied, SQLite starts it over at the next commit. */

#define WAL_LIMIT 16384           /* pages, as many as bulk mode lets grow */

struct _MsImportCheckpointer
{
  sqlite3  *writer_db;            /* the store's connection */
  int       autocheckpoint;       /* its setting before */
  int       wal_pages;            /* writer thread: the WAL's size after the last commit */

  sqlite3  *db;                   /* the checkpointing thread's own */
  GThread  *thread;
  GMutex    lock;
  GCond     cond;
  gboolean  requested;            /* under lock */
  gboolean  running;
  gboolean  quit;
};

static gpointer
checkpoint_worker (gpointer data)
{
  MsImportCheckpointer *self = data;

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->requested && !self->quit)
        g_cond_wait (&self->cond, &self->lock);
      if (self->quit)
        break;

      self->requested = FALSE;
      self->running = TRUE;
      g_mutex_unlock (&self->lock);

      /* PASSIVE: copies what no reader needs, waits for nobody; a failure
       * leaves the pages in the WAL for a later checkpoint */
      sqlite3_wal_checkpoint_v2 (self->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

      g_mutex_lock (&self->lock);
      self->running = FALSE;
      g_cond_broadcast (&self->cond);
    }
  g_mutex_unlock (&self->lock);

  return NULL;
}

/* After every commit of the store's connection, on the writing thread */
static int
on_wal_committed_cb (void       *user_data,
                     sqlite3    *db,
                     const char *name,
                     int         wal_pages)
{
  MsImportCheckpointer *self = user_data;

  self->wal_pages = wal_pages;
  g_mutex_lock (&self->lock);
  self->requested = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  return SQLITE_OK;
}

/**
 * _ms_import_checkpointer_new:
 *
 * Takes over the checkpoints of the store's connection until freed.
 *
 * Returns: (transfer full) (nullable): the checkpointer, or %NULL if its
 *   connection cannot be opened (the store then checkpoints as before)
 */
MsImportCheckpointer *
_ms_import_checkpointer_new (MsStore *store)
{
  MsImportCheckpointer *self;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  if (sqlite3_open_v2 (ms_store_get_path (store), &db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
    {
      g_debug ("No checkpoint connection: %s", db != NULL ? sqlite3_errmsg (db) : "?");
      sqlite3_close (db);
      return NULL;
    }
  sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);

  self = g_new0 (MsImportCheckpointer, 1);
  self->db = db;
  self->writer_db = _ms_store_get_db (store);
  self->autocheckpoint = 1000;
  if (sqlite3_prepare_v2 (self->writer_db, "PRAGMA wal_autocheckpoint", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    self->autocheckpoint = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->thread = g_thread_new ("ms-import-checkpoint", checkpoint_worker, self);

  /* replaces the automatic checkpoints, which are a WAL hook too */
  sqlite3_wal_hook (self->writer_db, on_wal_committed_cb, self);
  return self;
}

/* Before a batch's transaction: waits for the checkpoint to end if the WAL
 * is large, so that the batch starts it over. */
void
_ms_import_checkpointer_before_begin (MsImportCheckpointer *self)
{
  if (self == NULL || self->wal_pages < WAL_LIMIT)
    return;

  g_mutex_lock (&self->lock);
  while (self->requested || self->running)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
}

/* Gives the checkpoints back to the store's connection. */
void
_ms_import_checkpointer_free (MsImportCheckpointer *self)
{
  if (self == NULL)
    return;

  sqlite3_wal_autocheckpoint (self->writer_db, self->autocheckpoint);

  g_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);
  g_thread_join (self->thread);

  sqlite3_close (self->db);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self);
}

/* Writing */

static int
check_cancelled_cb (void *user_data)
{
  return g_cancellable_is_cancelled (user_data);
}

static gint64
query_max_id (MsStore  *store,
              GError  **error)
{
  sqlite3_stmt *stmt;
  gint64 max_id;
  int rc;

  stmt = _ms_store_prepare (store, "SELECT ifnull (max (id), 0) FROM contacts", error);
  if (stmt == NULL)
    return -1;
  rc = sqlite3_step (stmt);
  max_id = rc == SQLITE_ROW ? sqlite3_column_int64 (stmt, 0) : -1;
  sqlite3_reset (stmt);
  if (rc != SQLITE_ROW)
    _ms_store_fail (store, sqlite3_extended_errcode (_ms_store_get_db (store)), error);
  return max_id;
}

/* Adds the rows whose address is not stored yet; returns how many, or -1.
 * They get the ids after the largest one, base (SQLite gives a new row the
 * largest id + 1 while that is below the largest possible id), in write order.
 *
 * The table's CHECKs are not evaluated for these rows: what they check holds
 * by construction (an address from ms_address_normalize_into() has a local
 * part and an @, the fields are a JSON object written by
 * ms_json_append_string(), the status is the default), and json_valid() on
 * every row is a sixth of the work.  NOT NULL and UNIQUE still apply. */
static gint64
insert_new_rows (MsStore        *store,
                 MsImportBatch  *batch,
                 GError        **error)
{
  sqlite3_stmt *stmt;
  gboolean ok;

  if (!_ms_store_exec (store, "PRAGMA ignore_check_constraints = ON", error))
    return -1;
  stmt = _ms_store_prepare (store,
                            "INSERT INTO contacts (email, name, first_name, last_name, fields)"
                            " SELECT b.email, b.name, b.first_name, b.last_name, b.fields"
                            " FROM " MODULE_NAME " (?1) b WHERE true"
                            " ON CONFLICT (email) DO NOTHING",
                            error);
  if (stmt != NULL)
    {
      sqlite3_bind_pointer (stmt, 1, batch, POINTER_TYPE, NULL);
      ok = _ms_store_step_done (store, stmt, error);
    }
  else
    ok = FALSE;
  /* every statement prepared from now on checks again */
  if (!_ms_store_exec (store, "PRAGMA ignore_check_constraints = OFF", ok ? error : NULL))
    ok = FALSE;
  return ok ? sqlite3_changes (_ms_store_get_db (store)) : -1;
}

static const char *
email_at (const MsImportBatch *batch,
          guint                pos)
{
  return batch->text->str + g_array_index (batch->rows, MsImportRow, pos).email.offset;
}

static void
clear_inserted (MsImportBatch *batch)
{
  guint n = batch->rows->len;

  if (batch->inserted_size < n)
    {
      g_free (batch->inserted);
      batch->inserted = g_malloc (n);
      batch->inserted_size = n;
    }
  memset (batch->inserted, 0, n);
}

/* Marks in batch->inserted the positions whose row insert_new_rows() added:
 * those whose address now belongs to a contact newer than base, but of rows
 * with the same address only the first (equal addresses are neighbours). */
static gboolean
mark_inserted (MsStore        *store,
               MsImportBatch  *batch,
               gint64          base,
               GError        **error)
{
  guint n = batch->rows->len;
  sqlite3_stmt *stmt;
  int rc;

  clear_inserted (batch);
  stmt = _ms_store_prepare (store,
                            "SELECT b.pos FROM " MODULE_NAME " (?1) b, contacts c"
                            " WHERE c.email = b.email AND c.id > ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_pointer (stmt, 1, batch, POINTER_TYPE, NULL);
  sqlite3_bind_int64 (stmt, 2, base);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 pos = sqlite3_column_int64 (stmt, 0) - 1;

      if (pos < 0 || pos >= (gint64) n)
        continue;
      if (pos > 0 && compare_nocase (email_at (batch, pos - 1), email_at (batch, pos)) == 0)
        continue;
      batch->inserted[pos] = 1;
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    return _ms_store_fail (store, sqlite3_extended_errcode (_ms_store_get_db (store)), error);
  return TRUE;
}

/* The rows not added by insert_new_rows(), one by one in write order. */
static gboolean
upsert_other_rows (MsStore         *store,
                   MsImportBatch   *batch,
                   gboolean         update_existing,
                   gboolean         collect_ids,
                   MsImportCounts  *counts,
                   GError         **error)
{
  for (guint pos = 0; pos < batch->rows->len; pos++)
    {
      const MsImportRow *row = &g_array_index (batch->rows, MsImportRow, pos);
      MsUpsertResult upsert = MS_UPSERT_SKIPPED;
      gint64 id = 0;

      if (batch->inserted[pos])
        continue;

      if (!ms_store_upsert_contact (store, span_text (batch, row->email),
                                    span_text (batch, row->name),
                                    span_text (batch, row->first_name),
                                    span_text (batch, row->last_name),
                                    span_text (batch, row->fields),
                                    update_existing, &id, &upsert, error))
        return FALSE;

      switch (upsert)
        {
        case MS_UPSERT_INSERTED:
          counts->imported++;
          break;
        case MS_UPSERT_UPDATED:
          counts->updated++;
          break;
        case MS_UPSERT_SKIPPED:
          counts->skipped++;
          break;
        default:
          g_assert_not_reached ();
        }
      if (collect_ids)
        g_array_append_val (batch->ids, id);
    }

  return TRUE;
}

static gboolean
add_new_rows_to_list (MsStore  *store,
                      gint64    list_id,
                      gint64    base,
                      GError  **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (store,
                            "INSERT INTO list_members (list_id, contact_id)"
                            " SELECT ?1, id FROM contacts WHERE id > ?2"
                            " ON CONFLICT DO NOTHING",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list_id);
  sqlite3_bind_int64 (stmt, 2, base);
  return _ms_store_step_done (store, stmt, error);
}

/* With foreign keys off (see _ms_import_write_batch()) the list must be
 * checked: it may have been deleted since the previous batch. */
static gboolean
check_list_exists (MsStore  *store,
                   gint64    list_id,
                   GError  **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (store, "SELECT 1 FROM lists WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, list_id);
  rc = sqlite3_step (stmt);
  sqlite3_reset (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    return _ms_store_fail (store, sqlite3_extended_errcode (_ms_store_get_db (store)), error);

  g_set_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND, _("The list no longer exists."));
  return FALSE;
}

static gboolean
write_rows (MsStore         *store,
            MsImportBatch   *batch,
            gint64           list_id,
            gboolean         update_existing,
            MsImportCounts  *counts,
            GError         **error)
{
  guint n = batch->rows->len;
  gint64 base;
  gint64 added = 0;

  if (n == 0)
    return TRUE;

  base = query_max_id (store, error);
  if (base < 0)
    return FALSE;

  g_array_set_size (batch->ids, 0);
  /* near the largest possible id SQLite picks new ids at random: row by row then */
  if (base <= G_MAXINT64 / 2)
    {
      added = insert_new_rows (store, batch, error);
      if (added < 0)
        return FALSE;
      counts->imported += added;
    }

  if (added < (gint64) n)
    {
      if (added == 0)
        clear_inserted (batch);
      else if (!mark_inserted (store, batch, base, error))
        return FALSE;

      if (!upsert_other_rows (store, batch, update_existing, list_id > 0, counts, error))
        return FALSE;
    }

  if (list_id > 0)
    {
      if (added > 0 && !add_new_rows_to_list (store, list_id, base, error))
        return FALSE;
      if (batch->ids->len > 0 &&
          !ms_store_add_list_members (store, list_id, (const gint64 *) (gpointer) batch->ids->data,
                                      batch->ids->len, error))
        return FALSE;
    }

  return TRUE;
}

/* The batch's transaction */
static gboolean
write_transaction (MsStore         *store,
                   MsImportBatch   *batch,
                   const char      *list_name,
                   gint64          *inout_list_id,
                   gboolean         update_existing,
                   MsImportCounts  *counts,
                   GCancellable    *cancellable,
                   GError         **error)
{
  sqlite3 *db = _ms_store_get_db (store);
  g_autoptr(GError) local_error = NULL;
  gint64 list_id = *inout_list_id;
  gboolean ok;

  if (!ms_store_begin (store, error))
    return FALSE;

  if (cancellable != NULL)
    sqlite3_progress_handler (db, PROGRESS_OPCODES, check_cancelled_cb, cancellable);

  /* in the first transaction: an import that fails early creates no list */
  if (list_name != NULL && list_id == 0)
    {
      list_id = ms_store_ensure_list (store, list_name, NULL, &local_error);
      ok = list_id > 0;
    }
  else
    ok = list_id == 0 || check_list_exists (store, list_id, &local_error);

  if (ok)
    ok = write_rows (store, batch, list_id, update_existing, counts, &local_error);

  if (cancellable != NULL)
    sqlite3_progress_handler (db, 0, NULL, NULL);

  if (ok && g_cancellable_set_error_if_cancelled (cancellable, &local_error))
    ok = FALSE;
  if (!ok)
    {
      ms_store_rollback (store);
      /* an interrupted statement fails with SQLITE_INTERRUPT: say why */
      if (g_cancellable_is_cancelled (cancellable))
        {
          g_clear_error (&local_error);
          g_cancellable_set_error_if_cancelled (cancellable, &local_error);
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (!ms_store_commit (store, error))
    return FALSE;

  *inout_list_id = list_id;
  return TRUE;
}

/**
 * _ms_import_write_batch:
 * @checkpointer: (nullable): who checkpoints meanwhile
 * @list_name: (nullable): the list every row joins, created in the first
 *   transaction if missing
 * @inout_list_id: 0 until the list exists; set once its transaction commits
 * @counts: what the batch did is added to it once it is committed
 *
 * Writes the batch's rows, in the order _ms_import_batch_sort() gave them,
 * in one transaction.  On failure or cancellation (G_IO_ERROR_CANCELLED) the
 * transaction is rolled back whole and nothing is counted.
 *
 * Foreign keys are not enforced during the transaction (the setting can
 * only change outside one): checking both parents of every list member is
 * an eighth of the work, and the transaction's own statements keep them by
 * construction.  The list is created or checked in the transaction, which
 * holds the write lock, and every member's contact id comes from the
 * contacts table in it.  Nothing in the batch deletes or changes a key.
 */
gboolean
_ms_import_write_batch (MsStore               *store,
                        MsImportBatch         *batch,
                        MsImportCheckpointer  *checkpointer,
                        const char            *list_name,
                        gint64                *inout_list_id,
                        gboolean               update_existing,
                        MsImportCounts        *counts,
                        GCancellable          *cancellable,
                        GError               **error)
{
  sqlite3 *db = _ms_store_get_db (store);
  MsImportCounts batch_counts = { 0, };
  int foreign_keys = 0;
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!ensure_module (store, error))
    return FALSE;
  _ms_import_checkpointer_before_begin (checkpointer);

  sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_FKEY, -1, &foreign_keys);
  if (foreign_keys)
    sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_FKEY, 0, NULL);
  ok = write_transaction (store, batch, list_name, inout_list_id, update_existing, &batch_counts,
                          cancellable, error);
  if (foreign_keys)
    sqlite3_db_config (db, SQLITE_DBCONFIG_ENABLE_FKEY, 1, NULL);
  if (!ok)
    return FALSE;

  counts->imported += batch_counts.imported;
  counts->updated += batch_counts.updated;
  counts->skipped += batch_counts.skipped;
  return TRUE;
}

/* ms-import-async.c
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

#include "ms-importer.h"

/* ms_import_csv_sync() on a worker thread with its own connection, its
 * progress delivered on the caller's main context. */

typedef struct
{
  char                 *db_path;
  GFile                *file;
  MsImportOptions       options;
  char                 *list_name;
  char                 *encoding;
  MsFieldRole          *roles;

  GMainContext         *context;
  MsImportProgressFunc  progress;
  gpointer              progress_data;
  GDestroyNotify        progress_data_free;

  GMutex                lock;
  gboolean              pending;
  guint64               bytes_done;
  guint64               bytes_total;
  guint64               rows_done;

  MsImportResult       *partial;        /* set by the worker before it returns */
} ImportTask;

static gboolean
do_nothing_cb (gpointer data)
{
  return G_SOURCE_REMOVE;
}

/* Runs func on context, never on this thread unless it owns context
 * (g_main_context_invoke() would run it here if the context is free). */
static void
run_in_context (GMainContext   *context,
                GSourceFunc     func,
                gpointer        data,
                GDestroyNotify  notify)
{
  GSource *source;

  if (g_main_context_is_owner (context))
    {
      func (data);
      if (notify != NULL)
        notify (data);
      return;
    }

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, func, data, notify);
  g_source_set_static_name (source, "[mailshot] import progress");
  g_source_attach (source, context);
  g_source_unref (source);
}

static void
import_task_free (gpointer data)
{
  ImportTask *td = data;

  /* the progress data belongs to the caller's context: release it there */
  if (td->progress_data_free != NULL)
    run_in_context (td->context, do_nothing_cb, td->progress_data, td->progress_data_free);
  g_main_context_unref (td->context);
  g_free (td->db_path);
  g_clear_object (&td->file);
  g_free (td->list_name);
  g_free (td->encoding);
  g_free (td->roles);
  g_clear_pointer (&td->partial, ms_import_result_free);
  g_mutex_clear (&td->lock);
  g_free (td);
}

static gboolean
deliver_progress_cb (gpointer data)
{
  GTask *task = data;
  ImportTask *td = g_task_get_task_data (task);
  guint64 bytes_done, bytes_total, rows_done;

  g_mutex_lock (&td->lock);
  td->pending = FALSE;
  bytes_done = td->bytes_done;
  bytes_total = td->bytes_total;
  rows_done = td->rows_done;
  g_mutex_unlock (&td->lock);

  td->progress (bytes_done, bytes_total, rows_done, td->progress_data);
  return G_SOURCE_REMOVE;
}

/* worker thread; the sync import already calls this at most ~10 times a second */
static void
post_progress (guint64  bytes_done,
               guint64  bytes_total,
               guint64  rows_done,
               gpointer user_data)
{
  GTask *task = user_data;
  ImportTask *td = g_task_get_task_data (task);
  gboolean schedule;

  g_mutex_lock (&td->lock);
  td->bytes_done = bytes_done;
  td->bytes_total = bytes_total;
  td->rows_done = rows_done;
  schedule = !td->pending;
  td->pending = TRUE;
  g_mutex_unlock (&td->lock);

  if (schedule)
    run_in_context (td->context, deliver_progress_cb, g_object_ref (task), g_object_unref);
}

static void
import_worker (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportTask *td = task_data;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  MsImportResult *result;

  store = ms_store_open (td->db_path, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  result = ms_import_csv_sync_with_partial (store, td->file, &td->options,
                                            td->progress != NULL ? post_progress : NULL, NULL,
                                            task, &td->partial, cancellable, &error);
  if (result == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ms_import_result_free);
}

/**
 * ms_import_csv_async:
 * @db_path: the database file; the worker thread opens its own connection
 * @progress: (nullable): called on the caller's thread-default main context,
 *   at most ~10 times a second
 *
 * ms_import_csv_sync() on a worker thread.  Rejections are in the result.
 */
void
ms_import_csv_async (const char             *db_path,
                     GFile                  *file,
                     const MsImportOptions  *options,
                     MsImportProgressFunc    progress,
                     gpointer                progress_data,
                     GDestroyNotify          progress_data_free,
                     GCancellable           *cancellable,
                     GAsyncReadyCallback     callback,
                     gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  ImportTask *td;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (G_IS_FILE (file));

  td = g_new0 (ImportTask, 1);
  td->db_path = g_strdup (db_path);
  td->file = g_object_ref (file);
  if (options != NULL)
    td->options = *options;
  else
    td->options.on_duplicate = MS_DUPLICATE_UPDATE;
  td->list_name = g_strdup (td->options.list_name);
  td->encoding = g_strdup (td->options.encoding);
  td->options.list_name = td->list_name;
  td->options.encoding = td->encoding;
  if (td->options.roles != NULL)
    {
      td->roles = g_memdup2 (td->options.roles, sizeof (MsFieldRole) * td->options.n_roles);
      td->options.roles = td->roles;
    }
  td->context = g_main_context_ref_thread_default ();
  td->progress = progress;
  td->progress_data = progress_data;
  td->progress_data_free = progress_data_free;
  g_mutex_init (&td->lock);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_import_csv_async);
  g_task_set_task_data (task, td, import_task_free);
  g_task_run_in_thread (task, import_worker);
}

MsImportResult *
ms_import_csv_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_import_csv_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * ms_import_csv_finish_with_partial:
 * @out_partial: (out) (optional) (transfer full) (nullable): on failure, what
 *   the committed batches did, as ms_import_csv_sync_with_partial() tells it
 *
 * ms_import_csv_finish(), telling what an import that failed part way (a
 * cancel included) kept.
 *
 * Returns: (transfer full) (nullable): the counts, or %NULL with @error set
 */
MsImportResult *
ms_import_csv_finish_with_partial (GAsyncResult    *result,
                                   MsImportResult **out_partial,
                                   GError         **error)
{
  MsImportResult *counts;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_import_csv_async, NULL);

  if (out_partial != NULL)
    *out_partial = NULL;
  counts = g_task_propagate_pointer (G_TASK (result), error);
  if (counts == NULL && out_partial != NULL)
    {
      ImportTask *td = g_task_get_task_data (G_TASK (result));

      *out_partial = g_steal_pointer (&td->partial);
    }
  return counts;
}

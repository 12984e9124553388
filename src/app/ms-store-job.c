/* ms-store-job.c
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

#define G_LOG_DOMAIN "ms-store-job"

#include "config.h"

#include "ms-store-job.h"

typedef struct
{
  char           *db_path;
  MsStoreJobFunc  func;
  gpointer        data;
  GDestroyNotify  data_free;
  GDestroyNotify  result_free;
} Job;

static void
job_free (gpointer ptr)
{
  Job *job = ptr;

  if (job->data_free != NULL && job->data != NULL)
    job->data_free (job->data);
  g_free (job->db_path);
  g_free (job);
}

static void
store_job_worker (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  Job *job = task_data;
  g_autoptr(MsStore) store = NULL;
  GError *error = NULL;
  gpointer result;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (!(store = ms_store_open (job->db_path, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  result = job->func (store, job->data, cancellable, &error);
  if (result == NULL)
    {
      if (error == NULL)
        error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "job returned nothing");
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, result,
                         result == MS_STORE_JOB_DONE ? NULL : job->result_free);
}

void
ms_store_job_run (gpointer             source_object,
                  const char          *db_path,
                  MsStoreJobFunc       func,
                  gpointer             data,
                  GDestroyNotify       data_free,
                  GDestroyNotify       result_free,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  Job *job;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (func != NULL);

  job = g_new0 (Job, 1);
  job->db_path = g_strdup (db_path);
  job->func = func;
  job->data = data;
  job->data_free = data_free;
  job->result_free = result_free;

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_store_job_run);
  g_task_set_task_data (task, job, job_free);
  g_task_run_in_thread (task, store_job_worker);
}

gpointer
ms_store_job_finish (GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_store_job_run, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

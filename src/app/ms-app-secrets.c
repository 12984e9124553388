/* ms-app-secrets.c
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

#define G_LOG_DOMAIN "ms-app-secrets"

#include "config.h"

#include "ms-app-secrets.h"

/* db path -> MsSecrets; used on the UI thread only */
static GHashTable *cache;

static void
load_worker (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, ms_secrets_new_for_database (task_data), g_object_unref);
}

static void
on_loaded_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GTask *inner = G_TASK (result);
  const char *db_path = g_task_get_task_data (inner);
  g_autoptr(MsSecrets) secrets = g_task_propagate_pointer (inner, NULL);

  if (cache == NULL)
    cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  if (!g_hash_table_contains (cache, db_path))
    g_hash_table_insert (cache, g_strdup (db_path), g_object_ref (secrets));

  if (!g_task_return_error_if_cancelled (task))
    g_task_return_pointer (task, g_object_ref (g_hash_table_lookup (cache, db_path)),
                           g_object_unref);
}

void
ms_app_secrets_load_async (const char          *db_path,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) inner = NULL;
  MsSecrets *secrets;

  g_return_if_fail (db_path != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_app_secrets_load_async);

  if (cache != NULL && (secrets = g_hash_table_lookup (cache, db_path)) != NULL)
    {
      g_task_return_pointer (task, g_object_ref (secrets), g_object_unref);
      return;
    }

  /* The inner task is not cancelled: the store it makes is kept for later. */
  inner = g_task_new (NULL, NULL, on_loaded_cb, g_steal_pointer (&task));
  g_task_set_task_data (inner, g_strdup (db_path), g_free);
  g_task_run_in_thread (inner, load_worker);
}

MsSecrets *
ms_app_secrets_load_finish (GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_app_secrets_load_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ms-mailbox-check-job.c
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

#define G_LOG_DOMAIN "ms-mailbox-check-job"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-mailbox-check-job.h"
#include "ms-store-job.h"

typedef struct
{
  MsSecrets *secrets;
  MsServer  *server;
} CheckJob;

static void
check_job_free (gpointer data)
{
  CheckJob *job = data;

  g_clear_object (&job->secrets);
  g_clear_object (&job->server);
  g_free (job);
}

static gpointer
check_job (MsStore       *store,
           gpointer       data,
           GCancellable  *cancellable,
           GError       **error)
{
  CheckJob *job = data;
  MsMailboxCheckOptions options;
  g_autofree MsMailboxCheckResult *result = g_new0 (MsMailboxCheckResult, 1);
  char *password;
  gboolean ok;

  password = ms_mailbox_lookup_password (job->secrets, job->server, cancellable, error);
  if (password == NULL)
    return NULL;
  ms_mailbox_check_options_init (&options);
  ok = ms_mailbox_check_server (store, job->server, password, &options, result, cancellable, error);
  ms_secret_free (password);
  if (!ok)
    return NULL;
  return g_steal_pointer (&result);
}

void
ms_mailbox_check_job_run (gpointer             source_object,
                          const char          *db_path,
                          MsSecrets           *secrets,
                          MsServer            *server,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  CheckJob *job;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (MS_IS_SECRETS (secrets));
  g_return_if_fail (MS_IS_SERVER (server));

  job = g_new0 (CheckJob, 1);
  job->secrets = g_object_ref (secrets);
  job->server = ms_server_copy (server);
  ms_store_job_run (source_object, db_path, check_job, job, check_job_free, g_free,
                    cancellable, callback, user_data);
}

gboolean
ms_mailbox_check_job_finish (GAsyncResult          *result,
                             MsMailboxCheckResult  *out,
                             GError               **error)
{
  MsMailboxCheckResult *r = ms_store_job_finish (result, error);

  if (r == NULL)
    return FALSE;
  if (out != NULL)
    *out = *r;
  g_free (r);
  return TRUE;
}

char *
ms_mailbox_check_result_describe (const MsMailboxCheckResult *r)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (r != NULL, NULL);

  if (r->fetched == 0)
    return g_strdup (_("No new messages"));
  if (r->bounces > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u bounce", "%u bounces", r->bounces), r->bounces));
  if (r->complaints > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u complaint", "%u complaints", r->complaints), r->complaints));
  if (r->unsubscribes > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u unsubscribe", "%u unsubscribes", r->unsubscribes), r->unsubscribes));
  if (r->autoreplies > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u auto-reply", "%u auto-replies", r->autoreplies), r->autoreplies));
  g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u message read", "%u messages read", r->fetched), r->fetched));
  g_ptr_array_add (parts, NULL);
  /* TRANSLATORS: the separator of the counts in "3 bounces, 1 unsubscribe, 12 messages read" */
  return g_strjoinv (_(", "), (char **) parts->pdata);
}

/* ms-server-save.c
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

#define G_LOG_DOMAIN "ms-server-save"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-server-save.h"
#include "ms-store-job.h"
#include "ms-store-servers.h"

/* Which secrets are stored */

typedef struct
{
  MsSecrets *secrets;
  MsServer  *server;
  gboolean   password;
  gboolean   incoming_password;
  gboolean   dkim_key;
} SecretsCheck;

static void
secrets_check_free (gpointer data)
{
  SecretsCheck *check = data;

  g_clear_object (&check->secrets);
  g_clear_object (&check->server);
  g_free (check);
}

static MsSecretKind
incoming_kind (MsIncomingProtocol protocol)
{
  return protocol == MS_INCOMING_POP3 ? MS_SECRET_POP3 : MS_SECRET_IMAP;
}

static gboolean
has_secret (MsSecrets    *secrets,
            MsSecretKind  kind,
            const char   *host,
            const char   *login)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  if (host == NULL)
    return FALSE;
  secret = ms_secrets_lookup (secrets, kind, host, login, NULL, &error);
  if (error != NULL)
    g_debug ("Cannot look up a %s secret: %s", ms_secret_kind_to_string (kind), error->message);
  if (secret == NULL)
    return FALSE;
  ms_secret_free (secret);
  return TRUE;
}

static void
secrets_check_worker (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  SecretsCheck *check = task_data;
  MsServer *s = check->server;

  check->password = has_secret (check->secrets, MS_SECRET_SMTP, ms_server_get_host (s), ms_server_get_login (s));
  if (ms_server_get_incoming_protocol (s) != MS_INCOMING_NONE)
    check->incoming_password = has_secret (check->secrets, incoming_kind (ms_server_get_incoming_protocol (s)),
                                           ms_server_get_incoming_host (s), ms_server_get_incoming_login (s));
  if (ms_server_get_dkim_key_ref (s) != NULL)
    check->dkim_key = has_secret (check->secrets, MS_SECRET_DKIM, ms_server_get_dkim_domain (s),
                                  ms_server_get_dkim_selector (s));
  g_task_return_boolean (task, TRUE);
}

void
ms_server_check_secrets_async (gpointer             source_object,
                               MsSecrets           *secrets,
                               MsServer            *server,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SecretsCheck *check;

  g_return_if_fail (MS_IS_SECRETS (secrets));
  g_return_if_fail (MS_IS_SERVER (server));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_server_check_secrets_async);
  check = g_new0 (SecretsCheck, 1);
  check->secrets = g_object_ref (secrets);
  check->server = ms_server_copy (server);
  g_task_set_task_data (task, check, secrets_check_free);
  g_task_run_in_thread (task, secrets_check_worker);
}

gboolean
ms_server_check_secrets_finish (GAsyncResult          *result,
                                MsServerSecretsKnown  *known,
                                GError               **error)
{
  SecretsCheck *check;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == ms_server_check_secrets_async, FALSE);
  g_return_val_if_fail (known != NULL, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  check = g_task_get_task_data (G_TASK (result));
  known->password = check->password;
  known->incoming_password = check->incoming_password;
  known->dkim_key = check->dkim_key;
  return TRUE;
}

/* Saving */

typedef struct
{
  MsSecrets *secrets;
  MsServer  *server;
  MsServer  *original;           /* NULL for a new profile */
  char      *password;           /* typed, or NULL */
  char      *incoming_password;
  char      *dkim_key_path;      /* chosen, or NULL */
  gboolean   dkim_key_cleared;
} SaveJob;

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    ms_secret_free (secret);
}

static void
save_job_free (gpointer data)
{
  SaveJob *job = data;

  g_clear_object (&job->secrets);
  g_clear_object (&job->server);
  g_clear_object (&job->original);
  wipe_free (job->password);
  wipe_free (job->incoming_password);
  g_free (job->dkim_key_path);
  g_free (job);
}

typedef struct
{
  MsSecretKind  kind;
  const char   *host;
  const char   *login;
} SecretKey;

static gboolean
secret_key_equal (const SecretKey *a,
                  const SecretKey *b)
{
  return a->kind == b->kind && g_strcmp0 (a->host, b->host) == 0 && g_strcmp0 (a->login, b->login) == 0;
}

/* Stores the typed secret under @to, or carries the one stored under @from over
 * when host or login changed.  The old entry is cleared by clear_moved_secret()
 * once the profile is written. */
static gboolean
store_secret (MsSecrets        *secrets,
              const SecretKey  *from,
              const SecretKey  *to,
              const char       *typed,
              GError          **error)
{
  char *old;
  gboolean ok;

  if (to->host == NULL)
    return TRUE;
  if (typed != NULL)
    return ms_secrets_store (secrets, to->kind, to->host, to->login, typed, NULL, error);
  if (from->host == NULL || secret_key_equal (from, to))
    return TRUE;
  if ((old = ms_secrets_lookup (secrets, from->kind, from->host, from->login, NULL, error)) == NULL)
    return error == NULL || *error == NULL;
  ok = ms_secrets_store (secrets, to->kind, to->host, to->login, old, NULL, error);
  ms_secret_free (old);
  return ok;
}

static void
clear_moved_secret (MsSecrets       *secrets,
                    const SecretKey *from,
                    const SecretKey *to)
{
  g_autoptr(GError) error = NULL;

  if (from->host == NULL || secret_key_equal (from, to))
    return;
  if (!ms_secrets_clear (secrets, from->kind, from->host, from->login, NULL, &error))
    g_warning ("Cannot clear the old %s secret: %s", ms_secret_kind_to_string (from->kind), error->message);
}

static gboolean
read_dkim_key (const char  *path,
               char       **pem,
               GError     **error)
{
  g_autofree char *contents = NULL;
  g_autofree char *name = g_filename_display_basename (path);

  if (!g_file_get_contents (path, &contents, NULL, error))
    return FALSE;
  if (!g_utf8_validate (contents, -1, NULL) || strstr (contents, "-----BEGIN") == NULL
      || strstr (contents, "PRIVATE KEY-----") == NULL)
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("%s is not a private key in PEM format (“-----BEGIN PRIVATE KEY-----”)."), name);
      return FALSE;
    }
  *pem = g_steal_pointer (&contents);
  return TRUE;
}

static gpointer
save_job (MsStore       *store,
          gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  SaveJob *job = data;
  MsServer *s = job->server;
  MsServer *o = job->original;
  gboolean smtp = ms_server_get_transport (s) == MS_TRANSPORT_SMTP;
  SecretKey smtp_to = { MS_SECRET_SMTP, smtp ? ms_server_get_host (s) : NULL, ms_server_get_login (s) };
  SecretKey smtp_from = { MS_SECRET_SMTP, o != NULL ? ms_server_get_host (o) : NULL,
                          o != NULL ? ms_server_get_login (o) : NULL };
  MsIncomingProtocol protocol = ms_server_get_incoming_protocol (s);
  MsIncomingProtocol old_protocol = o != NULL ? ms_server_get_incoming_protocol (o) : MS_INCOMING_NONE;
  SecretKey in_to = { incoming_kind (protocol),
                      protocol != MS_INCOMING_NONE ? ms_server_get_incoming_host (s) : NULL,
                      ms_server_get_incoming_login (s) };
  SecretKey in_from = { incoming_kind (old_protocol),
                        old_protocol != MS_INCOMING_NONE ? ms_server_get_incoming_host (o) : NULL,
                        o != NULL ? ms_server_get_incoming_login (o) : NULL };
  SecretKey dkim_to = { MS_SECRET_DKIM, ms_server_get_dkim_domain (s), ms_server_get_dkim_selector (s) };
  SecretKey dkim_from = { MS_SECRET_DKIM, NULL, NULL };
  g_autofree char *pem = NULL;
  gboolean ok;

  if (o != NULL && ms_server_get_dkim_key_ref (o) != NULL)
    {
      dkim_from.host = ms_server_get_dkim_domain (o);
      dkim_from.login = ms_server_get_dkim_selector (o);
    }

  /* The secrets first: a profile is never written that names a key not stored. */
  if (job->dkim_key_path != NULL && !read_dkim_key (job->dkim_key_path, &pem, error))
    return NULL;
  if (pem != NULL || (!job->dkim_key_cleared && dkim_from.host != NULL))
    {
      g_autofree char *ref = NULL;

      if (dkim_to.host == NULL || dkim_to.login == NULL)
        {
          g_set_error_literal (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                               _("A DKIM key needs the signing domain and the selector."));
          return NULL;
        }
      if (!store_secret (job->secrets, &dkim_from, &dkim_to, pem, error))
        return NULL;
      ref = ms_secrets_dkim_key_ref (dkim_to.host, dkim_to.login);
      ms_server_set_dkim_key_ref (s, ref);
    }
  else
    ms_server_set_dkim_key_ref (s, NULL);
  if (pem != NULL)
    memset (pem, 0, strlen (pem));

  if (!store_secret (job->secrets, &smtp_from, &smtp_to, job->password, error)
      || !store_secret (job->secrets, &in_from, &in_to, job->incoming_password, error))
    return NULL;

  if (ms_server_get_id (s) == 0)
    ok = ms_store_add_server (store, s, error) != 0;
  else
    ok = ms_store_update_server (store, s, error);
  if (!ok)
    return NULL;

  clear_moved_secret (job->secrets, &smtp_from, &smtp_to);
  clear_moved_secret (job->secrets, &in_from, &in_to);
  if (job->dkim_key_cleared || ms_server_get_dkim_key_ref (s) == NULL)
    dkim_to.host = NULL;
  clear_moved_secret (job->secrets, &dkim_from, &dkim_to);
  return g_object_ref (s);
}

void
ms_server_save_async (gpointer             source_object,
                      const char          *db_path,
                      MsSecrets           *secrets,
                      const MsServerSave  *save,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  SaveJob *job;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (MS_IS_SECRETS (secrets));
  g_return_if_fail (save != NULL && MS_IS_SERVER (save->server));

  job = g_new0 (SaveJob, 1);
  job->secrets = g_object_ref (secrets);
  job->server = ms_server_copy (save->server);
  job->original = save->original != NULL ? ms_server_copy (save->original) : NULL;
  job->password = g_strdup (save->password);
  job->incoming_password = g_strdup (save->incoming_password);
  job->dkim_key_path = save->dkim_key_file != NULL ? g_file_get_path (save->dkim_key_file) : NULL;
  job->dkim_key_cleared = save->dkim_key_cleared;
  ms_store_job_run (source_object, db_path, save_job, job, save_job_free, g_object_unref,
                    cancellable, callback, user_data);
}

MsServer *
ms_server_save_finish (GAsyncResult  *result,
                       GError       **error)
{
  return ms_store_job_finish (result, error);
}

/* Removing */

typedef struct
{
  MsSecrets *secrets;
  MsServer  *server;
} RemoveJob;

static void
remove_job_free (gpointer data)
{
  RemoveJob *job = data;

  g_clear_object (&job->secrets);
  g_clear_object (&job->server);
  g_free (job);
}

static gpointer
remove_job (MsStore       *store,
            gpointer       data,
            GCancellable  *cancellable,
            GError       **error)
{
  RemoveJob *job = data;
  MsServer *s = job->server;
  SecretKey none = { MS_SECRET_SMTP, NULL, NULL };
  SecretKey smtp = { MS_SECRET_SMTP, ms_server_get_host (s), ms_server_get_login (s) };
  SecretKey in = { incoming_kind (ms_server_get_incoming_protocol (s)),
                   ms_server_get_incoming_protocol (s) != MS_INCOMING_NONE ? ms_server_get_incoming_host (s) : NULL,
                   ms_server_get_incoming_login (s) };
  SecretKey dkim = { MS_SECRET_DKIM, ms_server_get_dkim_key_ref (s) != NULL ? ms_server_get_dkim_domain (s) : NULL,
                     ms_server_get_dkim_selector (s) };

  if (!ms_store_delete_server (store, ms_server_get_id (s), error))
    return NULL;
  clear_moved_secret (job->secrets, &smtp, &none);
  clear_moved_secret (job->secrets, &in, &none);
  clear_moved_secret (job->secrets, &dkim, &none);
  return MS_STORE_JOB_DONE;
}

void
ms_server_remove_async (gpointer             source_object,
                        const char          *db_path,
                        MsSecrets           *secrets,
                        MsServer            *server,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  RemoveJob *job;

  g_return_if_fail (db_path != NULL);
  g_return_if_fail (MS_IS_SECRETS (secrets));
  g_return_if_fail (MS_IS_SERVER (server));

  job = g_new0 (RemoveJob, 1);
  job->secrets = g_object_ref (secrets);
  job->server = ms_server_copy (server);
  ms_store_job_run (source_object, db_path, remove_job, job, remove_job_free, NULL,
                    cancellable, callback, user_data);
}

gboolean
ms_server_remove_finish (GAsyncResult  *result,
                         GError       **error)
{
  return ms_store_job_finish (result, error) != NULL;
}

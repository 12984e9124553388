/* ms-server-save.h
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

#pragma once

#include <gio/gio.h>

#include "ms-secrets.h"
#include "ms-server.h"

G_BEGIN_DECLS

/* Writing a server profile together with its secrets, on a worker thread: the
 * password and DKIM key go to the secret store (carried over when host, login,
 * domain or selector change), the profile to the database, never the reverse. */

typedef struct
{
  MsServer   *server;             /* the profile to write; id 0 adds it */
  MsServer   *original;           /* as stored before, or NULL for a new profile */
  const char *password;           /* typed, or NULL to keep the stored one */
  const char *incoming_password;  /* of the bounce mailbox, likewise */
  GFile      *dkim_key_file;      /* a PEM private key to store, or NULL */
  gboolean    dkim_key_cleared;   /* the person removed the stored key */
} MsServerSave;

/* The stored profile (with its id) is the result. */
void      ms_server_save_async           (gpointer             source_object,
                                          const char          *db_path,
                                          MsSecrets           *secrets,
                                          const MsServerSave  *save,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
MsServer *ms_server_save_finish          (GAsyncResult        *result,
                                          GError             **error);

/* Deletes the profile, then its password, mailbox password and DKIM key. */
void      ms_server_remove_async         (gpointer             source_object,
                                          const char          *db_path,
                                          MsSecrets           *secrets,
                                          MsServer            *server,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  ms_server_remove_finish        (GAsyncResult        *result,
                                          GError             **error);

/* Which secrets of a stored profile are in the secret store. */
typedef struct
{
  gboolean password;
  gboolean incoming_password;
  gboolean dkim_key;
} MsServerSecretsKnown;

void      ms_server_check_secrets_async  (gpointer             source_object,
                                          MsSecrets           *secrets,
                                          MsServer            *server,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
gboolean  ms_server_check_secrets_finish (GAsyncResult        *result,
                                          MsServerSecretsKnown *known,
                                          GError             **error);

G_END_DECLS

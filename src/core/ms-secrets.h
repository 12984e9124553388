/* ms-secrets.h
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

G_BEGIN_DECLS

#define MS_SECRETS_ERROR (ms_secrets_error_quark ())

typedef enum
{
  MS_SECRETS_ERROR_FAILED,       /* the Secret Service refused or failed */
  MS_SECRETS_ERROR_FILE,         /* the secrets file cannot be read or written */
  MS_SECRETS_ERROR_INVALID,      /* an empty host or a secret that is not UTF-8 */
} MsSecretsError;

/* Where secrets are kept (DESIGN.md §9). */
typedef enum
{
  MS_SECRETS_BACKEND_SERVICE,    /* the desktop's Secret Service (GNOME Keyring, KWallet) */
  MS_SECRETS_BACKEND_FILE,       /* a keyfile readable only by the user (mode 0600) */
} MsSecretsBackend;

/* What a secret belongs to: the "proto" attribute. */
typedef enum
{
  MS_SECRET_SMTP,                /* host: the SMTP host, login: the SMTP login */
  MS_SECRET_IMAP,
  MS_SECRET_POP3,
  MS_SECRET_DKIM,                /* host: the signing domain, login: the selector; a PEM key */
} MsSecretKind;

/* The libsecret schema: attributes "login", "host" and "proto". */
#define MS_SECRETS_SCHEMA_NAME "io.github.mailshot.Mailshot"
#define MS_SECRETS_FILE_NAME   "secrets.keyfile"

/* Passwords and DKIM keys, kept outside the database.
 *
 * The store is chosen when the object is made: MAILSHOT_SECRETS=file forces the
 * file; MAILSHOT_SECRETS=service forces the Secret Service; otherwise the Secret
 * Service is used when the session bus has (or can start) org.freedesktop.secrets,
 * else the file.  The file is a GKeyFile written atomically with mode 0600 (it is
 * never readable by others, not even while being written) in a folder of mode 0700.
 *
 * Calls block (D-Bus or file I/O): run them on a worker thread in the UI.  Every
 * call is thread-safe.  Secrets handed back are freed with ms_secret_free(), which
 * wipes them first. */
#define MS_TYPE_SECRETS (ms_secrets_get_type ())

G_DECLARE_FINAL_TYPE (MsSecrets, ms_secrets, MS, SECRETS, GObject)

GQuark            ms_secrets_error_quark       (void);

/* @file_path: the keyfile used when the file store is chosen. */
MsSecrets        *ms_secrets_new               (const char      *file_path);
/* The file store next to the database at @db_path: "<folder of db>/secrets.keyfile". */
MsSecrets        *ms_secrets_new_for_database  (const char      *db_path);

MsSecretsBackend  ms_secrets_get_backend       (MsSecrets       *self);
const char       *ms_secrets_get_file_path     (MsSecrets       *self);
/* A sentence for people saying where secrets are kept, e.g. "Passwords are kept
 * in a file only you can read, /home/…/secrets.keyfile, because no Secret Service
 * (such as GNOME Keyring) is running." */
char             *ms_secrets_describe          (MsSecrets       *self);

/* Stores or replaces a secret.  @login may be NULL (stored as ""). */
gboolean          ms_secrets_store             (MsSecrets       *self,
                                                MsSecretKind     kind,
                                                const char      *host,
                                                const char      *login,
                                                const char      *secret,
                                                GCancellable    *cancellable,
                                                GError         **error);
/* NULL without an error when no secret is stored. */
char             *ms_secrets_lookup            (MsSecrets       *self,
                                                MsSecretKind     kind,
                                                const char      *host,
                                                const char      *login,
                                                GCancellable    *cancellable,
                                                GError         **error);
/* TRUE also when there was nothing to clear. */
gboolean          ms_secrets_clear             (MsSecrets       *self,
                                                MsSecretKind     kind,
                                                const char      *host,
                                                const char      *login,
                                                GCancellable    *cancellable,
                                                GError         **error);

/* The name a server profile keeps in dkim-key-ref: "selector._domainkey.domain". */
char             *ms_secrets_dkim_key_ref      (const char      *domain,
                                                const char      *selector);

const char       *ms_secret_kind_to_string     (MsSecretKind     kind);
void              ms_secret_free               (char            *secret);

G_END_DECLS

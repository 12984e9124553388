/* ms-secrets.c
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

#define G_LOG_DOMAIN "ms-secrets"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <libsecret/secret.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ms-secrets.h"

#define SECRET_SERVICE_NAME "org.freedesktop.secrets"
#define BUS_TIMEOUT_MS      3000

struct _MsSecrets
{
  GObject           parent_instance;

  MsSecretsBackend  backend;
  gboolean          forced;      /* chosen by MAILSHOT_SECRETS */
  char             *file_path;
  char             *lock_path;
  GMutex            lock;        /* serialises file access between threads */
};

G_DEFINE_FINAL_TYPE (MsSecrets, ms_secrets, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-secrets-error-quark, ms_secrets_error)

static const SecretSchema ms_schema = {
  MS_SECRETS_SCHEMA_NAME,
  SECRET_SCHEMA_NONE,
  {
    { "login", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "host", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { "proto", SECRET_SCHEMA_ATTRIBUTE_STRING },
    { NULL, 0 },
  },
  0, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

const char *
ms_secret_kind_to_string (MsSecretKind kind)
{
  switch (kind)
    {
    case MS_SECRET_SMTP:
      return "smtp";
    case MS_SECRET_IMAP:
      return "imap";
    case MS_SECRET_POP3:
      return "pop3";
    case MS_SECRET_DKIM:
      return "dkim";
    default:
      g_return_val_if_reached (NULL);
    }
}

void
ms_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  explicit_bzero (secret, strlen (secret));
  g_free (secret);
}

char *
ms_secrets_dkim_key_ref (const char *domain,
                         const char *selector)
{
  g_return_val_if_fail (domain != NULL && selector != NULL, NULL);

  return g_strdup_printf ("%s._domainkey.%s", selector, domain);
}

/* Choosing the store */

/* TRUE when a session bus is there to ask, without starting one (GLib would run
 * dbus-launch for a missing bus under X11). */
static gboolean
session_bus_exists (void)
{
  const char *address = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  g_autofree char *socket_path = NULL;

  if (address != NULL && address[0] != '\0')
    return TRUE;
  socket_path = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);
  return g_file_test (socket_path, G_FILE_TEST_EXISTS);
}

static gboolean
bus_call_boolean (GDBusConnection *bus,
                  const char      *method,
                  GVariant        *args,
                  const char      *type)
{
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, args,
                                       G_VARIANT_TYPE (type), G_DBUS_CALL_FLAGS_NONE,
                                       BUS_TIMEOUT_MS, NULL, NULL);
  if (reply == NULL)
    return FALSE;
  if (g_str_equal (type, "(b)"))
    {
      gboolean owned = FALSE;

      g_variant_get (reply, "(b)", &owned);
      return owned;
    }
  else
    {
      g_autofree const char **names = NULL;

      g_variant_get (reply, "(^a&s)", &names);
      return names != NULL && g_strv_contains (names, SECRET_SERVICE_NAME);
    }
}

static gboolean
secret_service_reachable (void)
{
  g_autoptr(GDBusConnection) bus = NULL;

  if (!session_bus_exists ())
    return FALSE;
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  return bus_call_boolean (bus, "NameHasOwner", g_variant_new ("(s)", SECRET_SERVICE_NAME), "(b)")
         || bus_call_boolean (bus, "ListActivatableNames", NULL, "(as)");
}

static void
choose_backend (MsSecrets *self)
{
  const char *env = g_getenv ("MAILSHOT_SECRETS");

  if (g_strcmp0 (env, "file") == 0)
    {
      self->backend = MS_SECRETS_BACKEND_FILE;
      self->forced = TRUE;
    }
  else if (g_strcmp0 (env, "service") == 0)
    {
      self->backend = MS_SECRETS_BACKEND_SERVICE;
      self->forced = TRUE;
    }
  else
    {
      if (env != NULL && env[0] != '\0')
        g_warning ("MAILSHOT_SECRETS=%s is neither “file” nor “service”; choosing by itself", env);
      self->backend = secret_service_reachable () ? MS_SECRETS_BACKEND_SERVICE
                                                  : MS_SECRETS_BACKEND_FILE;
    }
  g_debug ("Secrets are kept in %s",
           self->backend == MS_SECRETS_BACKEND_SERVICE ? "the Secret Service" : self->file_path);
}

MsSecrets *
ms_secrets_new (const char *file_path)
{
  MsSecrets *self;

  g_return_val_if_fail (file_path != NULL, NULL);

  self = g_object_new (MS_TYPE_SECRETS, NULL);
  self->file_path = g_strdup (file_path);
  self->lock_path = g_strconcat (file_path, ".lock", NULL);
  choose_backend (self);
  return self;
}

MsSecrets *
ms_secrets_new_for_database (const char *db_path)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  g_return_val_if_fail (db_path != NULL, NULL);

  if (g_str_equal (db_path, ":memory:") || g_str_has_prefix (db_path, "file:"))
    dir = g_build_filename (g_get_user_data_dir (), "mailshot", NULL);
  else
    {
      g_autofree char *absolute = g_canonicalize_filename (db_path, NULL);

      dir = g_path_get_dirname (absolute);
    }
  path = g_build_filename (dir, MS_SECRETS_FILE_NAME, NULL);
  return ms_secrets_new (path);
}

MsSecretsBackend
ms_secrets_get_backend (MsSecrets *self)
{
  g_return_val_if_fail (MS_IS_SECRETS (self), MS_SECRETS_BACKEND_FILE);

  return self->backend;
}

const char *
ms_secrets_get_file_path (MsSecrets *self)
{
  g_return_val_if_fail (MS_IS_SECRETS (self), NULL);

  return self->file_path;
}

char *
ms_secrets_describe (MsSecrets *self)
{
  g_return_val_if_fail (MS_IS_SECRETS (self), NULL);

  if (self->backend == MS_SECRETS_BACKEND_SERVICE)
    return g_strdup (_("Passwords and keys are kept in the desktop’s Secret Service "
                       "(such as GNOME Keyring)."));
  if (self->forced)
    return g_strdup_printf (_("Passwords and keys are kept in %s, a file only you can read "
                              "(MAILSHOT_SECRETS=file)."), self->file_path);
  return g_strdup_printf (_("No Secret Service (such as GNOME Keyring) is running, so "
                            "passwords and keys are kept in %s, a file only you can read."),
                          self->file_path);
}

/* Secret Service */

static char *
make_label (MsSecretKind  kind,
            const char   *host,
            const char   *login)
{
  switch (kind)
    {
    case MS_SECRET_DKIM:
      /* TRANSLATORS: a keyring entry; %s is like "mail._domainkey.example.org" */
      {
        g_autofree char *ref = ms_secrets_dkim_key_ref (host, login);

        return g_strdup_printf (_("Mailshot DKIM key %s"), ref);
      }
    case MS_SECRET_IMAP:
    case MS_SECRET_POP3:
    case MS_SECRET_SMTP:
    default:
      /* TRANSLATORS: a keyring entry: "Mailshot SMTP password for me@example.org on
       * smtp.example.org" */
      return g_strdup_printf (_("Mailshot %s password for %s on %s"),
                              kind == MS_SECRET_SMTP ? "SMTP" : kind == MS_SECRET_IMAP ? "IMAP" : "POP3",
                              login, host);
    }
}

static void
service_error (GError     **error,
               GError      *cause)
{
  if (g_error_matches (cause, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, cause);
      return;
    }
  g_set_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_FAILED,
               _("The Secret Service failed: %s"), cause->message);
  g_error_free (cause);
}

static gboolean
service_store (MsSecretKind   kind,
               const char    *host,
               const char    *login,
               const char    *secret,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *label = make_label (kind, host, login);
  GError *local_error = NULL;

  if (!secret_password_store_sync (&ms_schema, SECRET_COLLECTION_DEFAULT, label, secret,
                                   cancellable, &local_error,
                                   "login", login, "host", host,
                                   "proto", ms_secret_kind_to_string (kind), NULL))
    {
      service_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

static char *
service_lookup (MsSecretKind   kind,
                const char    *host,
                const char    *login,
                GCancellable  *cancellable,
                GError       **error)
{
  GError *local_error = NULL;
  char *password;
  char *copy;

  password = secret_password_lookup_sync (&ms_schema, cancellable, &local_error,
                                          "login", login, "host", host,
                                          "proto", ms_secret_kind_to_string (kind), NULL);
  if (local_error != NULL)
    {
      service_error (error, local_error);
      return NULL;
    }
  if (password == NULL)
    return NULL;
  copy = g_strdup (password);
  secret_password_free (password);
  return copy;
}

static gboolean
service_clear (MsSecretKind   kind,
               const char    *host,
               const char    *login,
               GCancellable  *cancellable,
               GError       **error)
{
  GError *local_error = NULL;

  secret_password_clear_sync (&ms_schema, cancellable, &local_error,
                              "login", login, "host", host,
                              "proto", ms_secret_kind_to_string (kind), NULL);
  if (local_error != NULL)
    {
      service_error (error, local_error);
      return FALSE;
    }
  return TRUE;
}

/* File store: a GKeyFile with one group per secret, keys proto, host, login and
 * secret.  Group names are only labels; lookups compare the keys. */

static void
file_error (MsSecrets  *self,
            GError    **error,
            const char *detail)
{
  g_set_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_FILE,
               _("Could not use the secrets file “%s”: %s"), self->file_path, detail);
}

/* Takes an advisory lock shared with other Mailshot processes; returns the fd. */
static int
lock_file (MsSecrets  *self,
           GError    **error)
{
  g_autofree char *dir = g_path_get_dirname (self->file_path);
  int fd;

  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      file_error (self, error, g_strerror (errsv));
      return -1;
    }
  fd = g_open (self->lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0 || flock (fd, LOCK_EX) != 0)
    {
      int errsv = errno;

      if (fd >= 0)
        close (fd);
      file_error (self, error, g_strerror (errsv));
      return -1;
    }
  return fd;
}

static void
unlock_file (int fd)
{
  if (fd >= 0)
    {
      flock (fd, LOCK_UN);
      close (fd);
    }
}

static GKeyFile *
load_file (MsSecrets  *self,
           GError    **error)
{
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GError) local_error = NULL;
  GStatBuf st;

  if (g_stat (self->file_path, &st) != 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        return g_steal_pointer (&keyfile);
      file_error (self, error, g_strerror (errsv));
      return NULL;
    }
  if ((st.st_mode & 077) != 0)
    {
      /* Someone widened the permissions: close them again before reading. */
      g_warning ("%s was readable by others; setting its mode to 0600", self->file_path);
      if (g_chmod (self->file_path, 0600) != 0)
        {
          int errsv = errno;

          file_error (self, error, g_strerror (errsv));
          return NULL;
        }
    }
  if (!g_key_file_load_from_file (keyfile, self->file_path, G_KEY_FILE_NONE, &local_error))
    {
      file_error (self, error, local_error->message);
      return NULL;
    }
  return g_steal_pointer (&keyfile);
}

static gboolean
save_file (MsSecrets  *self,
           GKeyFile   *keyfile,
           GError    **error)
{
  g_autoptr(GError) local_error = NULL;
  gsize length = 0;
  char *data = g_key_file_to_data (keyfile, &length, NULL);
  gboolean ok;

  /* The temporary file is created with mode 0600 and renamed over the old one. */
  ok = g_file_set_contents_full (self->file_path, data, (gssize) length,
                                 G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
                                 0600, &local_error);
  explicit_bzero (data, length);
  g_free (data);
  if (!ok)
    file_error (self, error, local_error->message);
  return ok;
}

static char *
find_group (GKeyFile     *keyfile,
            MsSecretKind  kind,
            const char   *host,
            const char   *login)
{
  g_auto(GStrv) groups = g_key_file_get_groups (keyfile, NULL);

  for (guint i = 0; groups[i] != NULL; i++)
    {
      g_autofree char *g_proto = g_key_file_get_string (keyfile, groups[i], "proto", NULL);
      g_autofree char *g_host = g_key_file_get_string (keyfile, groups[i], "host", NULL);
      g_autofree char *g_login = g_key_file_get_string (keyfile, groups[i], "login", NULL);

      if (g_strcmp0 (g_proto, ms_secret_kind_to_string (kind)) == 0
          && g_strcmp0 (g_host, host) == 0 && g_strcmp0 (g_login, login) == 0)
        return g_strdup (groups[i]);
    }
  return NULL;
}

static char *
new_group_name (GKeyFile     *keyfile,
                MsSecretKind  kind,
                const char   *host,
                const char   *login)
{
  g_autofree char *e_host = g_uri_escape_string (host, NULL, FALSE);
  g_autofree char *e_login = g_uri_escape_string (login, NULL, FALSE);
  char *name = g_strdup_printf ("%s %s %s", ms_secret_kind_to_string (kind), e_login, e_host);

  for (guint n = 2; g_key_file_has_group (keyfile, name); n++)
    {
      g_free (name);
      name = g_strdup_printf ("%s %s %s %u", ms_secret_kind_to_string (kind), e_login, e_host, n);
    }
  return name;
}

typedef enum
{
  FILE_STORE,
  FILE_LOOKUP,
  FILE_CLEAR,
} FileOp;

static gboolean
file_op (MsSecrets     *self,
         FileOp         op,
         MsSecretKind   kind,
         const char    *host,
         const char    *login,
         const char    *secret,
         char         **out_secret,
         GError       **error)
{
  g_autoptr(GKeyFile) keyfile = NULL;
  g_autofree char *group = NULL;
  gboolean ok = FALSE;
  int fd;

  g_mutex_lock (&self->lock);
  if ((fd = lock_file (self, error)) < 0)
    goto out;
  if (!(keyfile = load_file (self, error)))
    goto out;

  group = find_group (keyfile, kind, host, login);
  switch (op)
    {
    case FILE_LOOKUP:
      if (group != NULL)
        *out_secret = g_key_file_get_string (keyfile, group, "secret", NULL);
      ok = TRUE;
      break;
    case FILE_CLEAR:
      if (group == NULL)
        {
          ok = TRUE;
          break;
        }
      g_key_file_remove_group (keyfile, group, NULL);
      ok = save_file (self, keyfile, error);
      break;
    case FILE_STORE:
    default:
      if (group == NULL)
        group = new_group_name (keyfile, kind, host, login);
      g_key_file_set_string (keyfile, group, "proto", ms_secret_kind_to_string (kind));
      g_key_file_set_string (keyfile, group, "host", host);
      g_key_file_set_string (keyfile, group, "login", login);
      g_key_file_set_string (keyfile, group, "secret", secret);
      ok = save_file (self, keyfile, error);
      break;
    }

out:
  unlock_file (fd);
  g_mutex_unlock (&self->lock);
  return ok;
}

/* API */

static gboolean
check_args (const char  *host,
            const char  *secret,
            GError     **error)
{
  if (host == NULL || host[0] == '\0')
    {
      g_set_error_literal (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_INVALID,
                           _("A secret needs the host it belongs to."));
      return FALSE;
    }
  if (secret != NULL && !g_utf8_validate (secret, -1, NULL))
    {
      g_set_error_literal (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_INVALID,
                           _("The password is not valid UTF-8 text."));
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_secrets_store (MsSecrets     *self,
                  MsSecretKind   kind,
                  const char    *host,
                  const char    *login,
                  const char    *secret,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (MS_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (secret != NULL, FALSE);

  if (!check_args (host, secret, error))
    return FALSE;
  if (login == NULL)
    login = "";
  if (self->backend == MS_SECRETS_BACKEND_SERVICE)
    return service_store (kind, host, login, secret, cancellable, error);
  return file_op (self, FILE_STORE, kind, host, login, secret, NULL, error);
}

char *
ms_secrets_lookup (MsSecrets     *self,
                   MsSecretKind   kind,
                   const char    *host,
                   const char    *login,
                   GCancellable  *cancellable,
                   GError       **error)
{
  char *secret = NULL;

  g_return_val_if_fail (MS_IS_SECRETS (self), NULL);

  if (!check_args (host, NULL, error))
    return NULL;
  if (login == NULL)
    login = "";
  if (self->backend == MS_SECRETS_BACKEND_SERVICE)
    return service_lookup (kind, host, login, cancellable, error);
  if (!file_op (self, FILE_LOOKUP, kind, host, login, NULL, &secret, error))
    return NULL;
  return secret;
}

gboolean
ms_secrets_clear (MsSecrets     *self,
                  MsSecretKind   kind,
                  const char    *host,
                  const char    *login,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_return_val_if_fail (MS_IS_SECRETS (self), FALSE);

  if (!check_args (host, NULL, error))
    return FALSE;
  if (login == NULL)
    login = "";
  if (self->backend == MS_SECRETS_BACKEND_SERVICE)
    return service_clear (kind, host, login, cancellable, error);
  return file_op (self, FILE_CLEAR, kind, host, login, NULL, NULL, error);
}

/* GObject */

static void
ms_secrets_finalize (GObject *object)
{
  MsSecrets *self = (MsSecrets *) object;

  g_free (self->file_path);
  g_free (self->lock_path);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (ms_secrets_parent_class)->finalize (object);
}

static void
ms_secrets_class_init (MsSecretsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_secrets_finalize;
}

static void
ms_secrets_init (MsSecrets *self)
{
  g_mutex_init (&self->lock);
}

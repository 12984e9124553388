/* ms-sender.c
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

#define G_LOG_DOMAIN "ms-sender"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sysexits.h>
#include <unistd.h>

#include "ms-address.h"
#include "ms-sender.h"

#define BODY_CHUNK_SIZE (64 * 1024)

#define DEFAULT_SENDMAIL   "/usr/sbin/sendmail"
#define SENDMAIL_CHUNK     (64 * 1024)
#define MAX_FILE_STEM      120

typedef struct
{
  MsServer        *server;
  MsSecrets       *secrets;
  char            *password;       /* override; wiped on free */
  char            *sendmail_path;
  char            *last_response;

  /* The message after the one being sent (ms_sender_set_next) */
  GBytes          *next_message;
  char            *next_from;
  GStrv            next_recipients;
  GBytes          *scanned;        /* the last message checked for 8-bit text */
  gboolean         scanned_8bit;

  MsSmtpTraceFunc  trace_func;
  gpointer         trace_data;
  GDestroyNotify   trace_destroy;
} MsSenderPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (MsSender, ms_sender, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-sender-error-quark, ms_sender_error)

static void
set_last_response (MsSender   *self,
                   const char *text)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_free (priv->last_response);
  priv->last_response = g_strdup (text);
}

/* Checks the envelope: every address must be one ms_address_normalize() accepts,
 * which also rules out spaces, control characters and angle brackets. */
static gboolean
check_envelope (const char          *from,
                const char * const  *recipients,
                GError             **error)
{
  if (from == NULL || !ms_address_is_valid (from))
    {
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS,
                   _("The envelope sender “%s” is not a valid address."), from ? from : "");
      return FALSE;
    }
  if (recipients == NULL || recipients[0] == NULL)
    {
      g_set_error_literal (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS,
                           _("A message needs at least one recipient."));
      return FALSE;
    }
  for (guint i = 0; recipients[i] != NULL; i++)
    {
      if (!ms_address_is_valid (recipients[i]))
        {
          g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_INVALID_ADDRESS,
                       _("The recipient “%s” is not a valid address."), recipients[i]);
          return FALSE;
        }
    }
  return TRUE;
}

/* Runs the caller's hook; FALSE (with an error) abandons the message. */
static gboolean
run_commit (MsSenderCommitFunc   func,
            gpointer             data,
            GError             **error)
{
  GError *local_error = NULL;

  if (func == NULL || func (data, &local_error))
    return TRUE;
  if (local_error == NULL)
    local_error = g_error_new_literal (MS_SENDER_ERROR, MS_SENDER_ERROR_ABORTED,
                                       _("The message was abandoned before it was handed on."));
  g_propagate_error (error, local_error);
  return FALSE;
}

static GPtrArray *
accepted_replies (guint       n,
                  const char *text)
{
  GPtrArray *replies = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_smtp_reply_free);

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (replies, ms_smtp_reply_new (250, "2.0.0", text));
  return replies;
}

/* SMTP */

#define MS_TYPE_SMTP_SENDER (ms_smtp_sender_get_type ())
G_DECLARE_FINAL_TYPE (MsSmtpSender, ms_smtp_sender, MS, SMTP_SENDER, MsSender)

struct _MsSmtpSender
{
  MsSender      parent_instance;
  MsSmtpClient *client;
};

G_DEFINE_FINAL_TYPE (MsSmtpSender, ms_smtp_sender, MS_TYPE_SENDER)

static void
forward_trace (MsSmtpClient *client,
               MsSmtpTrace   kind,
               const char   *line,
               gpointer      user_data)
{
  MsSender *sender = user_data;
  MsSenderPrivate *priv = ms_sender_get_instance_private (sender);

  if (priv->trace_func != NULL)
    priv->trace_func (client, kind, line, priv->trace_data);
}

MsSmtpClient *
ms_sender_new_smtp_client (MsServer  *server,
                           GError   **error)
{
  g_autoptr(MsSmtpClient) client = NULL;

  g_return_val_if_fail (MS_IS_SERVER (server), NULL);

  if (ms_server_get_host (server) == NULL || ms_server_get_port (server) == 0)
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("The server profile “%s” has no SMTP host and port."),
                   ms_server_get_name (server) ? ms_server_get_name (server) : "");
      return NULL;
    }
  client = ms_smtp_client_new (ms_server_get_host (server), (guint16) ms_server_get_port (server),
                               ms_server_get_security (server));
  if (ms_server_get_ca_file (server) != NULL)
    ms_smtp_client_set_ca_file (client, ms_server_get_ca_file (server));
  if (ms_server_get_pinned_fingerprint (server) != NULL
      && !ms_smtp_client_set_pinned_sha256 (client, ms_server_get_pinned_fingerprint (server),
                                            error))
    return NULL;
  ms_smtp_client_set_allow_plaintext_auth (client,
                                           ms_server_get_security (server) == MS_SECURITY_NONE);
  return g_steal_pointer (&client);
}

char *
ms_sender_dup_password (MsSender  *self,
                        GError   **error)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);
  g_autoptr(GError) local_error = NULL;
  const char *login = ms_server_get_login (priv->server);
  char *password = NULL;

  if (login == NULL)
    return NULL;
  if (priv->password != NULL)
    return g_strdup (priv->password);
  if (priv->secrets != NULL)
    {
      password = ms_secrets_lookup (priv->secrets, MS_SECRET_SMTP, ms_server_get_host (priv->server),
                                    login, NULL, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
    }
  if (password == NULL)
    g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_NO_PASSWORD,
                 _("No password is stored for %s on %s. Enter it in the server profile."),
                 login, ms_server_get_host (priv->server));
  return password;
}

static gboolean
ms_smtp_sender_open (MsSender      *sender,
                     GCancellable  *cancellable,
                     GError       **error)
{
  MsSmtpSender *self = MS_SMTP_SENDER (sender);
  MsSenderPrivate *priv = ms_sender_get_instance_private (sender);
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) local_error = NULL;
  char *password = NULL;
  gboolean ok;

  if (self->client != NULL && ms_smtp_client_is_connected (self->client))
    return TRUE;
  g_clear_object (&self->client);

  /* The password is fetched first, so a missing one fails before any connection. */
  password = ms_sender_dup_password (sender, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  client = ms_sender_new_smtp_client (priv->server, error);
  if (client == NULL)
    {
      ms_secret_free (password);
      return FALSE;
    }
  ms_smtp_client_set_trace_func (client, forward_trace, sender, NULL);
  self->client = g_object_ref (client);

  ok = ms_smtp_client_connect (client, cancellable, error);
  if (ok && password != NULL)
    ok = ms_smtp_client_authenticate (client, ms_server_get_login (priv->server), password,
                                      cancellable, error);
  ms_secret_free (password);
  if (!ok)
    ms_smtp_client_close (client);
  return ok;
}

/* 8BITMIME or not: a message sent ahead is scanned once, not again when sent. */
static gboolean
message_is_8bit (MsSenderPrivate *priv,
                 GBytes          *message)
{
  if (message != priv->scanned)
    {
      gsize length;
      const guint8 *data = g_bytes_get_data (message, &length);

      g_clear_pointer (&priv->scanned, g_bytes_unref);
      priv->scanned = g_bytes_ref (message);
      priv->scanned_8bit = ms_smtp_data_is_8bit (data, length);
    }
  return priv->scanned_8bit;
}

static gboolean
ms_smtp_sender_send (MsSender            *sender,
                     GBytes              *message,
                     const char          *from,
                     const char * const  *recipients,
                     MsSenderCommitFunc   commit_func,
                     gpointer             commit_data,
                     GPtrArray          **replies,
                     GCancellable        *cancellable,
                     GError             **error)
{
  MsSmtpSender *self = MS_SMTP_SENDER (sender);
  MsSmtpMailFlags flags = MS_SMTP_MAIL_DEFAULT;
  MsSenderPrivate *priv = ms_sender_get_instance_private (sender);
  MsSmtpEnvelope next = { NULL, NULL, 0, MS_SMTP_MAIL_DEFAULT };
  const MsSmtpReply *last;
  const guint8 *data;
  gsize length;
  gsize tail;

  data = g_bytes_get_data (message, &length);
  if (message_is_8bit (priv, message))
    flags |= MS_SMTP_MAIL_8BITMIME;

  /* A body larger than one chunk goes out up to its last chunk; the commit hook
   * runs; the last chunk and the final dot then leave in one write.  Abandoned
   * there, the message is incomplete and the server drops it with the connection. */
  tail = length > BODY_CHUNK_SIZE ? length - BODY_CHUNK_SIZE : 0;
  if (!ms_smtp_client_begin_message (self->client, from, recipients, length, flags, replies,
                                     cancellable, error)
      || !ms_smtp_client_data_write_body (self->client, data, tail, cancellable, error))
    return FALSE;
  if (!run_commit (commit_func, commit_data, error))
    {
      /* Closing without the final dot is the only way to abandon the message. */
      ms_smtp_client_close (self->client);
      return FALSE;
    }
  if (priv->next_message != NULL)
    {
      next.from = priv->next_from;
      next.recipients = (const char * const *) priv->next_recipients;
      next.size = g_bytes_get_size (priv->next_message);
      next.flags = message_is_8bit (priv, priv->next_message) ? MS_SMTP_MAIL_8BITMIME
                                                               : MS_SMTP_MAIL_DEFAULT;
    }
  if (!ms_smtp_client_data_finish_with (self->client, data + tail, length - tail,
                                        next.from != NULL ? &next : NULL, cancellable, error))
    return FALSE;

  last = ms_smtp_client_get_last_reply (self->client);
  if (last != NULL)
    {
      g_autofree char *text = ms_smtp_reply_to_string (last);

      set_last_response (sender, text);
    }
  return TRUE;
}

static void
ms_smtp_sender_close (MsSender     *sender,
                      GCancellable *cancellable)
{
  MsSmtpSender *self = MS_SMTP_SENDER (sender);

  if (self->client == NULL)
    return;
  if (ms_smtp_client_is_connected (self->client))
    ms_smtp_client_quit (self->client, cancellable, NULL);
  ms_smtp_client_close (self->client);
}

static gboolean
ms_smtp_sender_is_open (MsSender *sender)
{
  MsSmtpSender *self = MS_SMTP_SENDER (sender);

  return self->client != NULL && ms_smtp_client_is_connected (self->client);
}

static void
ms_smtp_sender_dispose (GObject *object)
{
  MsSmtpSender *self = MS_SMTP_SENDER (object);

  if (self->client != NULL)
    ms_smtp_client_close (self->client);
  g_clear_object (&self->client);

  G_OBJECT_CLASS (ms_smtp_sender_parent_class)->dispose (object);
}

static void
ms_smtp_sender_class_init (MsSmtpSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  MsSenderClass *sender_class = MS_SENDER_CLASS (klass);

  object_class->dispose = ms_smtp_sender_dispose;
  sender_class->open = ms_smtp_sender_open;
  sender_class->send = ms_smtp_sender_send;
  sender_class->close = ms_smtp_sender_close;
  sender_class->is_open = ms_smtp_sender_is_open;
}

static void
ms_smtp_sender_init (MsSmtpSender *self)
{
}

/* sendmail: "sendmail -i -f FROM -- RCPT..." with the message on standard input.
 * The input is a socket rather than a pipe, so a sendmail that exits early gives
 * EPIPE without raising SIGPIPE in our process. */

#define MS_TYPE_SENDMAIL_SENDER (ms_sendmail_sender_get_type ())
G_DECLARE_FINAL_TYPE (MsSendmailSender, ms_sendmail_sender, MS, SENDMAIL_SENDER, MsSender)

struct _MsSendmailSender
{
  MsSender  parent_instance;
  gboolean  opened;
  int       last_exit_status;    /* -1: none, or not an exit */
};

G_DEFINE_FINAL_TYPE (MsSendmailSender, ms_sendmail_sender, MS_TYPE_SENDER)

static gboolean
ms_sendmail_sender_open (MsSender      *sender,
                         GCancellable  *cancellable,
                         GError       **error)
{
  const char *path = ms_sender_get_sendmail_path (sender);

  if (!g_file_test (path, G_FILE_TEST_IS_EXECUTABLE) || g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN,
                   _("There is no sendmail program at %s. Install a mail server such as "
                     "Postfix, or choose another transport."), path);
      return FALSE;
    }
  MS_SENDMAIL_SENDER (sender)->opened = TRUE;
  return TRUE;
}

/* Writes @data with CR LF turned into LF. */
static gboolean
write_lf (GSocket       *socket,
          const guint8  *data,
          gsize          length,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autoptr(GByteArray) buf = g_byte_array_sized_new (SENDMAIL_CHUNK + 1);
  gsize i = 0;

  while (i < length)
    {
      gsize sent = 0;

      g_byte_array_set_size (buf, 0);
      while (i < length && buf->len < SENDMAIL_CHUNK)
        {
          if (data[i] == '\r' && i + 1 < length && data[i + 1] == '\n')
            i++;
          g_byte_array_append (buf, &data[i], 1);
          i++;
        }
      while (sent < buf->len)
        {
          gssize n = g_socket_send (socket, (const char *) buf->data + sent, buf->len - sent,
                                    cancellable, error);

          if (n < 0)
            return FALSE;
          sent += (gsize) n;
        }
    }
  return TRUE;
}

static char *
first_lines (const char *text)
{
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));

  if (strlen (copy) > 500)
    copy[500] = '\0';
  return g_strdelimit (g_steal_pointer (&copy), "\r\n", ' ');
}

static GSubprocess *
spawn_sendmail (MsSender            *sender,
                const char          *from,
                const char * const  *recipients,
                GSocket            **out_socket,
                GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) local_error = NULL;
  GSubprocess *process;
  GSocket *socket;
  int fds[2];

  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    {
      int errsv = errno;

      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN,
                   _("Could not start sendmail: %s"), g_strerror (errsv));
      return NULL;
    }
  socket = g_socket_new_from_fd (fds[0], &local_error);
  if (socket == NULL)
    {
      close (fds[0]);
      close (fds[1]);
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN,
                   _("Could not start sendmail: %s"), local_error->message);
      return NULL;
    }

  /* Only addresses validated by check_envelope() reach the command line, and the
   * recipients only after "--". */
  g_ptr_array_add (argv, (gpointer) ms_sender_get_sendmail_path (sender));
  g_ptr_array_add (argv, (gpointer) "-i");
  g_ptr_array_add (argv, (gpointer) "-f");
  g_ptr_array_add (argv, (gpointer) from);
  g_ptr_array_add (argv, (gpointer) "--");
  for (guint i = 0; recipients[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) recipients[i]);
  g_ptr_array_add (argv, NULL);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_take_stdin_fd (launcher, fds[1]);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata,
                                          &local_error);
  if (process == NULL)
    {
      g_object_unref (socket);
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SPAWN,
                   _("Could not start sendmail: %s"), local_error->message);
      return NULL;
    }
  *out_socket = socket;
  return process;
}

static gboolean
ms_sendmail_sender_send (MsSender            *sender,
                         GBytes              *message,
                         const char          *from,
                         const char * const  *recipients,
                         MsSenderCommitFunc   commit_func,
                         gpointer             commit_data,
                         GPtrArray          **replies,
                         GCancellable        *cancellable,
                         GError             **error)
{
  MsSendmailSender *self = MS_SENDMAIL_SENDER (sender);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) write_error = NULL;
  g_autofree char *output = NULL;
  g_autofree char *summary = NULL;
  const guint8 *data;
  gsize length;

  self->last_exit_status = -1;
  process = spawn_sendmail (sender, from, recipients, &socket, error);
  if (process == NULL)
    return FALSE;

  data = g_bytes_get_data (message, &length);
  if (!write_lf (socket, data, length, cancellable, &write_error))
    {
      /* sendmail may have ended early: its status and words explain more. */
      g_socket_close (socket, NULL);
    }
  else if (!run_commit (commit_func, commit_data, error))
    {
      g_subprocess_force_exit (process);
      g_subprocess_wait (process, NULL, NULL);
      return FALSE;
    }
  else
    {
      g_socket_shutdown (socket, FALSE, TRUE, NULL);
    }

  if (!g_subprocess_communicate_utf8 (process, NULL, cancellable, &output, NULL, error))
    {
      g_subprocess_force_exit (process);
      return FALSE;
    }
  g_socket_close (socket, NULL);
  summary = first_lines (output);

  if (!g_subprocess_get_if_exited (process))
    {
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SENDMAIL,
                   _("sendmail was killed by signal %d. %s"),
                   g_subprocess_get_term_sig (process), summary);
      return FALSE;
    }
  self->last_exit_status = g_subprocess_get_exit_status (process);
  if (self->last_exit_status != 0)
    {
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SENDMAIL,
                   _("sendmail refused the message (exit status %d). %s"),
                   self->last_exit_status, summary);
      return FALSE;
    }
  if (write_error != NULL)
    {
      /* It exited with 0 without reading everything: do not trust that. */
      g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_SENDMAIL,
                   _("sendmail stopped reading the message: %s"), write_error->message);
      return FALSE;
    }

  set_last_response (sender, summary[0] != '\0' ? summary : "sendmail: exit status 0");
  if (replies != NULL)
    *replies = accepted_replies (g_strv_length ((char **) recipients), "accepted by sendmail");
  return TRUE;
}

static void
ms_sendmail_sender_close (MsSender     *sender,
                          GCancellable *cancellable)
{
  MS_SENDMAIL_SENDER (sender)->opened = FALSE;
}

static gboolean
ms_sendmail_sender_is_open (MsSender *sender)
{
  return MS_SENDMAIL_SENDER (sender)->opened;
}

static void
ms_sendmail_sender_class_init (MsSendmailSenderClass *klass)
{
  MsSenderClass *sender_class = MS_SENDER_CLASS (klass);

  sender_class->open = ms_sendmail_sender_open;
  sender_class->send = ms_sendmail_sender_send;
  sender_class->close = ms_sendmail_sender_close;
  sender_class->is_open = ms_sendmail_sender_is_open;
}

static void
ms_sendmail_sender_init (MsSendmailSender *self)
{
  self->last_exit_status = -1;
}

/* Folder: each message becomes <Message-ID>.eml (or message-NNNNNN.eml), written to
 * a temporary file and linked into place, so a reader never sees half a file and an
 * existing file is never replaced. */

#define MS_TYPE_FOLDER_SENDER (ms_folder_sender_get_type ())
G_DECLARE_FINAL_TYPE (MsFolderSender, ms_folder_sender, MS, FOLDER_SENDER, MsSender)

struct _MsFolderSender
{
  MsSender  parent_instance;
  gboolean  opened;
  guint     counter;
};

G_DEFINE_FINAL_TYPE (MsFolderSender, ms_folder_sender, MS_TYPE_SENDER)

static gboolean
folder_error (GError     **error,
              const char  *folder,
              int          errsv)
{
  g_set_error (error, MS_SENDER_ERROR, MS_SENDER_ERROR_FOLDER,
               _("Could not write to the folder %s: %s"), folder, g_strerror (errsv));
  return FALSE;
}

static gboolean
ms_folder_sender_open (MsSender      *sender,
                       GCancellable  *cancellable,
                       GError       **error)
{
  const char *folder = ms_server_get_folder (ms_sender_get_server (sender));

  if (folder == NULL)
    {
      g_set_error_literal (error, MS_SENDER_ERROR, MS_SENDER_ERROR_FOLDER,
                           _("The server profile names no folder to write to."));
      return FALSE;
    }
  if (g_mkdir_with_parents (folder, 0700) != 0 || g_access (folder, W_OK | X_OK) != 0)
    return folder_error (error, folder, errno);
  MS_FOLDER_SENDER (sender)->opened = TRUE;
  return TRUE;
}

/* The Message-ID of the header block, without its angle brackets; NULL if none. */
static char *
find_message_id (const char *data,
                 gsize       length)
{
  const char *p = data;
  const char *end = data + length;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', (gsize) (end - p));
      const char *line_end = eol != NULL ? eol : end;
      gsize line_len = (gsize) (line_end - p);

      if (line_len > 0 && p[line_len - 1] == '\r')
        line_len--;
      if (line_len == 0)
        return NULL;    /* the end of the header */
      if (line_len > 11 && g_ascii_strncasecmp (p, "Message-ID:", 11) == 0)
        {
          g_autofree char *value = g_strndup (p + 11, line_len - 11);
          const char *lt = strchr (value, '<');
          const char *gt = lt != NULL ? strchr (lt, '>') : NULL;

          if (lt != NULL && gt != NULL && gt > lt + 1)
            return g_strndup (lt + 1, (gsize) (gt - lt - 1));
          return NULL;
        }
      if (eol == NULL)
        break;
      p = eol + 1;
    }
  return NULL;
}

/* Keeps letters, digits and . _ @ + = - of a Message-ID; anything else becomes '_'. */
static char *
file_stem (const char *message_id)
{
  GString *out = g_string_new (NULL);

  for (const char *p = message_id; *p != '\0' && out->len < MAX_FILE_STEM; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("._@+=-", *p) != NULL)
        g_string_append_c (out, *p);
      else
        g_string_append_c (out, '_');
    }
  if (out->len > 0 && out->str[0] == '.')
    out->str[0] = '_';
  return g_string_free (out, FALSE);
}

static gboolean
write_all_fd (int           fd,
              const guint8 *data,
              gsize         length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* Links @tmp to a free name "<stem>.eml", "<stem>-2.eml", ... in @folder. */
static char *
link_into_place (const char  *folder,
                 const char  *tmp,
                 const char  *stem,
                 GError     **error)
{
  for (guint n = 1; n < 10000; n++)
    {
      g_autofree char *name = n == 1 ? g_strconcat (stem, ".eml", NULL)
                                     : g_strdup_printf ("%s-%u.eml", stem, n);
      g_autofree char *path = g_build_filename (folder, name, NULL);

      if (link (tmp, path) == 0)
        return g_steal_pointer (&path);
      if (errno == EEXIST)
        continue;
      if (errno == EPERM || errno == ENOTSUP || errno == ENOSYS)
        {
          /* No hard links on this file system: check, then rename. */
          if (g_file_test (path, G_FILE_TEST_EXISTS))
            continue;
          if (g_rename (tmp, path) == 0)
            return g_steal_pointer (&path);
        }
      folder_error (error, folder, errno);
      return NULL;
    }
  folder_error (error, folder, EEXIST);
  return NULL;
}

static gboolean
ms_folder_sender_send (MsSender            *sender,
                       GBytes              *message,
                       const char          *from,
                       const char * const  *recipients,
                       MsSenderCommitFunc   commit_func,
                       gpointer             commit_data,
                       GPtrArray          **replies,
                       GCancellable        *cancellable,
                       GError             **error)
{
  MsFolderSender *self = MS_FOLDER_SENDER (sender);
  const char *folder = ms_server_get_folder (ms_sender_get_server (sender));
  g_autofree char *tmp = NULL;
  g_autofree char *message_id = NULL;
  g_autofree char *stem = NULL;
  g_autofree char *path = NULL;
  const guint8 *data;
  gsize length;
  int fd;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;

  data = g_bytes_get_data (message, &length);
  tmp = g_build_filename (folder, ".mailshot-XXXXXX.tmp", NULL);
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0)
    return folder_error (error, folder, errno);
  if (!write_all_fd (fd, data, length) || fsync (fd) != 0)
    {
      int errsv = errno;

      close (fd);
      g_unlink (tmp);
      return folder_error (error, folder, errsv);
    }
  close (fd);

  if (!run_commit (commit_func, commit_data, error))
    {
      g_unlink (tmp);
      return FALSE;
    }

  message_id = find_message_id ((const char *) data, length);
  if (message_id != NULL)
    stem = file_stem (message_id);
  if (stem == NULL || stem[0] == '\0')
    {
      g_free (stem);
      stem = g_strdup_printf ("message-%06u", ++self->counter);
    }
  path = link_into_place (folder, tmp, stem, error);
  g_unlink (tmp);
  if (path == NULL)
    return FALSE;

  set_last_response (sender, path);
  if (replies != NULL)
    *replies = accepted_replies (g_strv_length ((char **) recipients), path);
  return TRUE;
}

static void
ms_folder_sender_close (MsSender     *sender,
                        GCancellable *cancellable)
{
  MS_FOLDER_SENDER (sender)->opened = FALSE;
}

static gboolean
ms_folder_sender_is_open (MsSender *sender)
{
  return MS_FOLDER_SENDER (sender)->opened;
}

static void
ms_folder_sender_class_init (MsFolderSenderClass *klass)
{
  MsSenderClass *sender_class = MS_SENDER_CLASS (klass);

  sender_class->open = ms_folder_sender_open;
  sender_class->send = ms_folder_sender_send;
  sender_class->close = ms_folder_sender_close;
  sender_class->is_open = ms_folder_sender_is_open;
}

static void
ms_folder_sender_init (MsFolderSender *self)
{
}

/* The base class */

MsSender *
ms_sender_new_for_server (MsServer  *server,
                          MsSecrets *secrets)
{
  MsSender *self;
  MsSenderPrivate *priv;
  GType type;

  g_return_val_if_fail (MS_IS_SERVER (server), NULL);
  g_return_val_if_fail (secrets == NULL || MS_IS_SECRETS (secrets), NULL);

  switch (ms_server_get_transport (server))
    {
    case MS_TRANSPORT_SENDMAIL:
      type = MS_TYPE_SENDMAIL_SENDER;
      break;
    case MS_TRANSPORT_FOLDER:
      type = MS_TYPE_FOLDER_SENDER;
      break;
    case MS_TRANSPORT_SMTP:
    default:
      type = MS_TYPE_SMTP_SENDER;
      break;
    }
  self = g_object_new (type, NULL);
  priv = ms_sender_get_instance_private (self);
  priv->server = g_object_ref (server);
  priv->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  return self;
}

MsServer *
ms_sender_get_server (MsSender *self)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_val_if_fail (MS_IS_SENDER (self), NULL);

  return priv->server;
}

MsTransport
ms_sender_get_transport (MsSender *self)
{
  g_return_val_if_fail (MS_IS_SENDER (self), MS_TRANSPORT_SMTP);

  if (MS_IS_SENDMAIL_SENDER (self))
    return MS_TRANSPORT_SENDMAIL;
  if (MS_IS_FOLDER_SENDER (self))
    return MS_TRANSPORT_FOLDER;
  return MS_TRANSPORT_SMTP;
}

void
ms_sender_set_password (MsSender   *self,
                        const char *password)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_if_fail (MS_IS_SENDER (self));

  ms_secret_free (priv->password);
  priv->password = g_strdup (password);
}

void
ms_sender_set_trace_func (MsSender        *self,
                          MsSmtpTraceFunc  func,
                          gpointer         user_data,
                          GDestroyNotify   destroy)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_if_fail (MS_IS_SENDER (self));

  if (priv->trace_destroy != NULL)
    priv->trace_destroy (priv->trace_data);
  priv->trace_func = func;
  priv->trace_data = user_data;
  priv->trace_destroy = destroy;
}

void
ms_sender_set_sendmail_path (MsSender   *self,
                             const char *path)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_if_fail (MS_IS_SENDER (self));

  g_free (priv->sendmail_path);
  priv->sendmail_path = g_strdup (path);
}

const char *
ms_sender_get_sendmail_path (MsSender *self)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);
  const char *env;

  g_return_val_if_fail (MS_IS_SENDER (self), NULL);

  if (priv->sendmail_path != NULL)
    return priv->sendmail_path;
  env = g_getenv ("MAILSHOT_SENDMAIL");
  if (env != NULL && env[0] != '\0')
    return env;
  return DEFAULT_SENDMAIL;
}

gboolean
ms_sender_open (MsSender      *self,
                GCancellable  *cancellable,
                GError       **error)
{
  g_return_val_if_fail (MS_IS_SENDER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return MS_SENDER_GET_CLASS (self)->open (self, cancellable, error);
}

static void
clear_next (MsSender *self)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_clear_pointer (&priv->next_message, g_bytes_unref);
  g_clear_pointer (&priv->next_from, g_free);
  g_clear_pointer (&priv->next_recipients, g_strfreev);
}

gboolean
ms_sender_send (MsSender            *self,
                GBytes              *message,
                const char          *from,
                const char * const  *recipients,
                MsSenderCommitFunc   commit_func,
                gpointer             commit_data,
                GPtrArray          **replies,
                GCancellable        *cancellable,
                GError             **error)
{
  MsSenderClass *klass;
  gboolean ok;

  g_return_val_if_fail (MS_IS_SENDER (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (replies != NULL)
    *replies = NULL;
  if (!check_envelope (from, recipients, error))
    {
      clear_next (self);
      return FALSE;
    }
  klass = MS_SENDER_GET_CLASS (self);
  if (!klass->is_open (self) && !klass->open (self, cancellable, error))
    {
      clear_next (self);
      return FALSE;
    }
  ok = klass->send (self, message, from, recipients, commit_func, commit_data, replies,
                    cancellable, error);
  clear_next (self);
  return ok;
}

void
ms_sender_set_next (MsSender            *self,
                    GBytes              *message,
                    const char          *from,
                    const char * const  *recipients)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_if_fail (MS_IS_SENDER (self));

  clear_next (self);
  if (message == NULL || !check_envelope (from, recipients, NULL))
    return;
  priv->next_message = g_bytes_ref (message);
  priv->next_from = g_strdup (from);
  priv->next_recipients = g_strdupv ((char **) recipients);
}

gboolean
ms_sender_has_envelope_ahead (MsSender *self)
{
  MsSmtpClient *client = ms_sender_get_smtp_client (self);

  return client != NULL && ms_smtp_client_has_envelope_ahead (client);
}

void
ms_sender_close (MsSender     *self,
                 GCancellable *cancellable)
{
  g_return_if_fail (MS_IS_SENDER (self));

  MS_SENDER_GET_CLASS (self)->close (self, cancellable);
}

gboolean
ms_sender_is_open (MsSender *self)
{
  g_return_val_if_fail (MS_IS_SENDER (self), FALSE);

  return MS_SENDER_GET_CLASS (self)->is_open (self);
}

const char *
ms_sender_get_last_response (MsSender *self)
{
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  g_return_val_if_fail (MS_IS_SENDER (self), NULL);

  return priv->last_response;
}

MsSmtpClient *
ms_sender_get_smtp_client (MsSender *self)
{
  g_return_val_if_fail (MS_IS_SENDER (self), NULL);

  if (!MS_IS_SMTP_SENDER (self))
    return NULL;
  return MS_SMTP_SENDER (self)->client;
}

static MsSmtpFailure
classify_sendmail_status (int status)
{
  switch (status)
    {
    case EX_TEMPFAIL:
      return MS_SMTP_FAILURE_TEMPORARY;
    case EX_NOUSER:
    case EX_NOHOST:
      return MS_SMTP_FAILURE_RECIPIENT;
    case EX_DATAERR:
      return MS_SMTP_FAILURE_MESSAGE;
    default:
      return MS_SMTP_FAILURE_ACCOUNT;
    }
}

MsSmtpFailure
ms_sender_classify_error (MsSender     *self,
                          const GError *error)
{
  g_return_val_if_fail (MS_IS_SENDER (self), MS_SMTP_FAILURE_NETWORK);
  g_return_val_if_fail (error != NULL, MS_SMTP_FAILURE_NETWORK);

  if (error->domain == MS_SENDER_ERROR)
    {
      switch ((MsSenderError) error->code)
        {
        case MS_SENDER_ERROR_INVALID_ADDRESS:
          return MS_SMTP_FAILURE_RECIPIENT;
        case MS_SENDER_ERROR_SENDMAIL:
          return classify_sendmail_status (MS_SENDMAIL_SENDER (self)->last_exit_status);
        case MS_SENDER_ERROR_ABORTED:
          return MS_SMTP_FAILURE_TEMPORARY;
        case MS_SENDER_ERROR_NO_PASSWORD:
          return MS_SMTP_FAILURE_AUTH;
        case MS_SENDER_ERROR_SPAWN:
        case MS_SENDER_ERROR_FOLDER:
        default:
          return MS_SMTP_FAILURE_ACCOUNT;
        }
    }
  if (MS_IS_SMTP_SENDER (self) && MS_SMTP_SENDER (self)->client != NULL)
    return ms_smtp_client_classify_error (MS_SMTP_SENDER (self)->client, error);
  return ms_smtp_failure_from_error (error, NULL, MS_SMTP_STAGE_GREETING);
}

static void
ms_sender_dispose (GObject *object)
{
  MsSender *self = MS_SENDER (object);
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  ms_sender_set_trace_func (self, NULL, NULL, NULL);
  g_clear_object (&priv->server);
  g_clear_object (&priv->secrets);

  G_OBJECT_CLASS (ms_sender_parent_class)->dispose (object);
}

static void
ms_sender_finalize (GObject *object)
{
  MsSender *self = MS_SENDER (object);
  MsSenderPrivate *priv = ms_sender_get_instance_private (self);

  ms_secret_free (priv->password);
  g_free (priv->sendmail_path);
  g_free (priv->last_response);
  g_clear_pointer (&priv->next_message, g_bytes_unref);
  g_free (priv->next_from);
  g_strfreev (priv->next_recipients);
  g_clear_pointer (&priv->scanned, g_bytes_unref);

  G_OBJECT_CLASS (ms_sender_parent_class)->finalize (object);
}

static void
ms_sender_class_init (MsSenderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_sender_dispose;
  object_class->finalize = ms_sender_finalize;
}

static void
ms_sender_init (MsSender *self)
{
}

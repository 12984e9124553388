/* ms-pop3-client.c
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

#define G_LOG_DOMAIN "ms-pop3"

#include "config.h"

#include <inttypes.h>

#include <string.h>

#include <glib/gi18n.h>

#include "ms-pop3-client.h"

#define CONNECT_TIMEOUT_MS (30 * 1000)
/* RFC 1939 allows 512 octets per reply line; real servers stay well below this. */
#define MAX_REPLY_LINE     8192
/* Lines of a message: RFC 5322 says 998, broken mailers send more. */
#define MAX_MESSAGE_LINE   (2 * 1024 * 1024)
#define MAX_UID_LENGTH     70
#define MAX_CAPA_LINES     256

typedef enum
{
  STATE_DISCONNECTED,
  STATE_AUTHORIZATION,
  STATE_TRANSACTION,
} ClientState;

struct _MsPop3Client
{
  GObject        parent_instance;

  MsEndpoint     endpoint;
  guint          timeout_ms;
  gboolean       allow_plaintext_auth;
  gsize          max_message_size;

  MsConnection  *conn;
  ClientState    state;
  GStrv          capabilities;
  gboolean       have_capa;
};

G_DEFINE_FINAL_TYPE (MsPop3Client, ms_pop3_client, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-pop3-error-quark, ms_pop3_error)

static void
ms_pop3_client_finalize (GObject *object)
{
  MsPop3Client *self = MS_POP3_CLIENT (object);

  if (self->conn != NULL)
    ms_connection_close (self->conn);
  g_clear_object (&self->conn);
  g_strfreev (self->capabilities);
  ms_endpoint_clear (&self->endpoint);

  G_OBJECT_CLASS (ms_pop3_client_parent_class)->finalize (object);
}

static void
ms_pop3_client_class_init (MsPop3ClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_pop3_client_finalize;
}

static void
ms_pop3_client_init (MsPop3Client *self)
{
  self->timeout_ms = MS_POP3_DEFAULT_TIMEOUT_MS;
  self->max_message_size = MS_POP3_DEFAULT_MAX_MESSAGE_SIZE;
  self->capabilities = g_new0 (char *, 1);
}

void
ms_pop3_message_free (MsPop3Message *message)
{
  if (message == NULL)
    return;
  g_free (message->uid);
  g_free (message);
}

MsPop3Client *
ms_pop3_client_new (const char *host,
                    guint16     port,
                    MsSecurity  security)
{
  MsPop3Client *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (MS_TYPE_POP3_CLIENT, NULL);
  ms_endpoint_init (&self->endpoint, host, port, security);
  return self;
}

void
ms_pop3_client_set_ca_file (MsPop3Client *self,
                            const char   *path)
{
  g_return_if_fail (MS_IS_POP3_CLIENT (self));

  ms_endpoint_set_ca_file (&self->endpoint, path);
}

gboolean
ms_pop3_client_set_pinned_sha256 (MsPop3Client  *self,
                                  const char    *fingerprint,
                                  GError       **error)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);

  return ms_endpoint_set_pinned_sha256 (&self->endpoint, fingerprint, error);
}

void
ms_pop3_client_set_timeout (MsPop3Client *self,
                            guint         timeout_ms)
{
  g_return_if_fail (MS_IS_POP3_CLIENT (self));

  self->timeout_ms = timeout_ms;
  if (self->conn != NULL)
    ms_connection_set_timeout (self->conn, timeout_ms);
}

void
ms_pop3_client_set_allow_plaintext_auth (MsPop3Client *self,
                                         gboolean      allow)
{
  g_return_if_fail (MS_IS_POP3_CLIENT (self));

  self->allow_plaintext_auth = !!allow;
}

void
ms_pop3_client_set_max_message_size (MsPop3Client *self,
                                     gsize         size)
{
  g_return_if_fail (MS_IS_POP3_CLIENT (self));
  g_return_if_fail (size > 0);

  self->max_message_size = size;
}

gboolean
ms_pop3_client_is_connected (MsPop3Client *self)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);

  return self->state != STATE_DISCONNECTED;
}

gboolean
ms_pop3_client_is_encrypted (MsPop3Client *self)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);

  return self->conn != NULL && ms_connection_is_tls (self->conn);
}

const char * const *
ms_pop3_client_get_capabilities (MsPop3Client *self)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), NULL);

  return (const char * const *) self->capabilities;
}

gboolean
ms_pop3_client_has_capability (MsPop3Client *self,
                               const char   *capability)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  for (guint i = 0; self->capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->capabilities[i], capability) == 0)
      return TRUE;
  return FALSE;
}

/* Plumbing */

static void
disconnect (MsPop3Client *self)
{
  if (self->conn != NULL)
    ms_connection_close (self->conn);
  self->state = STATE_DISCONNECTED;
}

static gboolean
check_state (MsPop3Client  *self,
             ClientState    wanted,
             GError       **error)
{
  if (self->state == STATE_DISCONNECTED || self->conn == NULL)
    {
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
                   _("The connection to %s is closed"), self->endpoint.host);
      return FALSE;
    }
  if (self->state != wanted)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_AUTH_FAILED,
                   wanted == STATE_TRANSACTION ? _("Not logged in to %s") : _("Already logged in to %s"),
                   self->endpoint.host);
      return FALSE;
    }
  return TRUE;
}

static char *
read_line (MsPop3Client  *self,
           gsize          max_length,
           gsize         *length,
           GCancellable  *cancellable,
           GError       **error)
{
  char *line = ms_connection_read_line (self->conn, max_length, length, cancellable, error);

  if (line == NULL)
    disconnect (self);
  return line;
}

static gboolean
send_command (MsPop3Client  *self,
              const char    *command,
              const char    *shown,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *line = g_strconcat (command, "\r\n", NULL);
  gboolean ok;

  g_debug ("%s:%u C: %s", self->endpoint.host, self->endpoint.port, shown != NULL ? shown : command);
  ok = ms_connection_write_all (self->conn, line, strlen (line), cancellable, error);
  explicit_bzero (line, strlen (line));
  if (!ok)
    disconnect (self);
  return ok;
}

/* Reads a status line: TRUE with *positive for +OK, FALSE for -ERR; garbage
 * and network errors set @error and close.  @text receives the words after
 * the status. */
static gboolean
read_status (MsPop3Client  *self,
             gboolean      *positive,
             char         **text,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *line = NULL;
  gsize length = 0;

  line = read_line (self, MAX_REPLY_LINE, &length, cancellable, error);
  if (line == NULL)
    return FALSE;
  g_debug ("%s:%u S: %s", self->endpoint.host, self->endpoint.port, line);
  if (strlen (line) != length)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PARSE,
                   _("%s sent a reply with a NUL byte"), self->endpoint.host);
      disconnect (self);
      return FALSE;
    }
  if (g_str_has_prefix (line, "+OK") && (line[3] == '\0' || line[3] == ' '))
    *positive = TRUE;
  else if (g_str_has_prefix (line, "-ERR") && (line[4] == '\0' || line[4] == ' '))
    *positive = FALSE;
  else
    {
      g_autofree char *shown = g_utf8_make_valid (line, MIN (length, 200));

      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PARSE,
                   _("%s sent a reply that is not POP3: “%s”"), self->endpoint.host, shown);
      disconnect (self);
      return FALSE;
    }
  if (text != NULL)
    {
      const char *rest = line + (*positive ? 3 : 4);

      while (*rest == ' ')
        rest++;
      *text = g_utf8_make_valid (rest, -1);
    }
  return TRUE;
}

/* Sends @command and expects +OK; -ERR is MS_POP3_ERROR_REFUSED. */
static gboolean
simple_command (MsPop3Client  *self,
                const char    *command,
                const char    *shown,
                char         **out_text,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autofree char *text = NULL;
  gboolean positive = FALSE;

  if (!send_command (self, command, shown, cancellable, error)
      || !read_status (self, &positive, &text, cancellable, error))
    return FALSE;
  if (!positive)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_REFUSED, _("%s refused %s: %s"),
                   self->endpoint.host, shown != NULL ? shown : command, text);
      return FALSE;
    }
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return TRUE;
}

typedef gboolean (*LineFunc) (MsPop3Client  *self,
                              const char    *line,
                              gsize          length,
                              gpointer       user_data,
                              GError       **error);

/* Reads the lines of a multi-line reply up to the lone ".", undoing the
 * dot-stuffing, at most @max_lines lines of at most @max_line octets. */
static gboolean
read_multiline (MsPop3Client  *self,
                gsize          max_line,
                guint          max_lines,
                LineFunc       func,
                gpointer       user_data,
                GCancellable  *cancellable,
                GError       **error)
{
  for (guint n = 0;; n++)
    {
      g_autofree char *line = NULL;
      gsize length = 0;

      line = read_line (self, max_line, &length, cancellable, error);
      if (line == NULL)
        return FALSE;
      if (length == 1 && line[0] == '.')
        return TRUE;
      if (n >= max_lines)
        {
          g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_TOO_LARGE,
                       _("%s sent a reply longer than %u lines"), self->endpoint.host, max_lines);
          disconnect (self);
          return FALSE;
        }
      if (line[0] == '.')
        {
          if (!func (self, line + 1, length - 1, user_data, error))
            {
              disconnect (self);
              return FALSE;
            }
        }
      else if (!func (self, line, length, user_data, error))
        {
          disconnect (self);
          return FALSE;
        }
    }
}

/* Capabilities */

static gboolean
add_capa_line (MsPop3Client  *self,
               const char    *line,
               gsize          length,
               gpointer       user_data,
               GError       **error)
{
  GStrvBuilder *builder = user_data;
  const char *end = line;

  while (end < line + length && *end != ' ')
    end++;
  if (end > line)
    {
      g_autofree char *word = g_ascii_strup (line, end - line);

      g_strv_builder_add (builder, word);
    }
  return TRUE;
}

static gboolean
ask_capabilities (MsPop3Client  *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gboolean positive = FALSE;

  g_strfreev (self->capabilities);
  self->capabilities = g_new0 (char *, 1);
  self->have_capa = FALSE;

  if (!send_command (self, "CAPA", NULL, cancellable, error)
      || !read_status (self, &positive, NULL, cancellable, error))
    return FALSE;
  if (!positive)
    return TRUE;   /* an RFC 1939 server without CAPA */
  if (!read_multiline (self, MAX_REPLY_LINE, MAX_CAPA_LINES, add_capa_line, builder,
                       cancellable, error))
    return FALSE;
  g_strfreev (self->capabilities);
  self->capabilities = g_strv_builder_end (builder);
  self->have_capa = TRUE;
  return TRUE;
}

static gboolean
start_tls (MsPop3Client  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autofree char *text = NULL;
  gboolean positive = FALSE;

  if (self->have_capa && !ms_pop3_client_has_capability (self, "STLS"))
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s does not offer STLS on port %u, so the connection cannot be "
                     "encrypted; nothing was sent. Check the port (110 usually offers "
                     "STLS, 995 uses TLS from the start)"), self->endpoint.host, self->endpoint.port);
      disconnect (self);
      return FALSE;
    }
  if (!send_command (self, "STLS", NULL, cancellable, error)
      || !read_status (self, &positive, &text, cancellable, error))
    return FALSE;
  if (!positive)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s refused to start TLS: %s"), self->endpoint.host, text);
      disconnect (self);
      return FALSE;
    }
  if (ms_connection_has_pending_input (self->conn))
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_STARTTLS_INJECTION,
                   _("%s sent data after agreeing to start TLS and before TLS began. Someone "
                     "may be tampering with the connection, so it was closed; nothing was sent"),
                   self->endpoint.host);
      disconnect (self);
      return FALSE;
    }
  ms_connection_set_timeout (self->conn, CONNECT_TIMEOUT_MS);
  if (!ms_connection_start_tls (self->conn, cancellable, error))
    {
      disconnect (self);
      return FALSE;
    }
  ms_connection_set_timeout (self->conn, self->timeout_ms);
  return ask_capabilities (self, cancellable, error);
}

gboolean
ms_pop3_client_connect (MsPop3Client  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *text = NULL;
  gboolean positive = FALSE;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (self->state == STATE_DISCONNECTED, FALSE);

  g_clear_object (&self->conn);
  self->conn = ms_endpoint_new_connection (&self->endpoint, CONNECT_TIMEOUT_MS, error);
  if (self->conn == NULL)
    return FALSE;
  if (!ms_connection_connect (self->conn, cancellable, error))
    return FALSE;
  self->state = STATE_AUTHORIZATION;

  if (self->endpoint.security == MS_SECURITY_TLS)
    {
      ms_connection_set_timeout (self->conn, CONNECT_TIMEOUT_MS);
      if (ms_connection_has_pending_input (self->conn))
        {
          g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                       _("%s port %u greets in plain text, so it does not use TLS from the "
                         "start: choose STARTTLS as the security (usually on port 110)"),
                       self->endpoint.host, self->endpoint.port);
          disconnect (self);
          return FALSE;
        }
      if (!ms_connection_start_tls (self->conn, cancellable, error))
        {
          disconnect (self);
          return FALSE;
        }
    }
  ms_connection_set_timeout (self->conn, self->timeout_ms);

  if (!read_status (self, &positive, &text, cancellable, error))
    {
      if (error != NULL && *error != NULL && (*error)->domain == MS_POP3_ERROR)
        g_prefix_error (error, _("%s port %u is not a POP3 server: "), self->endpoint.host, self->endpoint.port);
      return FALSE;
    }
  if (!positive)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_REFUSED,
                   _("%s does not accept the connection: %s"), self->endpoint.host, text);
      disconnect (self);
      return FALSE;
    }

  if (!ask_capabilities (self, cancellable, error))
    return FALSE;
  if (self->endpoint.security == MS_SECURITY_STARTTLS)
    return start_tls (self, cancellable, error);
  return TRUE;
}

gboolean
ms_pop3_client_login (MsPop3Client  *self,
                      const char    *login,
                      const char    *password,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autofree char *user = NULL;
  g_autofree char *pass = NULL;
  g_autofree char *text = NULL;
  gboolean positive = FALSE;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!check_state (self, STATE_AUTHORIZATION, error))
    return FALSE;
  if (!ms_pop3_client_is_encrypted (self) && !self->allow_plaintext_auth)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PLAINTEXT_AUTH,
                   _("The connection to %s is not encrypted, so the password was not sent. "
                     "Choose TLS or STARTTLS for the mailbox"), self->endpoint.host);
      return FALSE;
    }
  if (strpbrk (login, "\r\n") != NULL || strpbrk (password, "\r\n") != NULL)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_AUTH_FAILED,
                   _("A login or password with a line break cannot be sent over POP3"));
      return FALSE;
    }

  user = g_strconcat ("USER ", login, NULL);
  if (!send_command (self, user, NULL, cancellable, error)
      || !read_status (self, &positive, &text, cancellable, error))
    return FALSE;
  if (positive)
    {
      g_clear_pointer (&text, g_free);
      pass = g_strconcat ("PASS ", password, NULL);
      if (!send_command (self, pass, "PASS ****", cancellable, error))
        {
          explicit_bzero (pass, strlen (pass));
          return FALSE;
        }
      explicit_bzero (pass, strlen (pass));
      if (!read_status (self, &positive, &text, cancellable, error))
        return FALSE;
    }
  if (!positive)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_AUTH_FAILED,
                   _("%s refused the login of “%s”: %s"), self->endpoint.host, login, text);
      return FALSE;
    }
  self->state = STATE_TRANSACTION;
  return TRUE;
}

/* Listing */

typedef struct
{
  GPtrArray  *messages;   /* in UIDL order */
  GHashTable *by_number;  /* number -> MsPop3Message (borrowed) */
} Listing;

static gboolean
parse_listing_line (const char  *line,
                    gsize        length,
                    guint       *number,
                    const char **rest)
{
  guint64 n = 0;
  const char *p = line, *end = line + length;

  while (p < end && g_ascii_isdigit (*p) && n <= G_MAXUINT)
    n = n * 10 + (guint64) (*p++ - '0');
  if (p == line || p == end || *p != ' ' || n == 0 || n > G_MAXUINT)
    return FALSE;
  while (p < end && *p == ' ')
    p++;
  *number = (guint) n;
  *rest = p;
  return p < end;
}

static gboolean
add_uidl_line (MsPop3Client  *self,
               const char    *line,
               gsize          length,
               gpointer       user_data,
               GError       **error)
{
  Listing *listing = user_data;
  MsPop3Message *message;
  const char *uid, *end;
  guint number;

  if (!parse_listing_line (line, length, &number, &uid))
    goto bad;
  end = uid;
  while (end < line + length && *end != ' ')
    {
      if ((guchar) *end < 0x21 || (guchar) *end > 0x7e)
        goto bad;
      end++;
    }
  if (end - uid > MAX_UID_LENGTH)
    goto bad;
  if (g_hash_table_contains (listing->by_number, GUINT_TO_POINTER (number)))
    return TRUE;

  message = g_new0 (MsPop3Message, 1);
  message->number = number;
  message->uid = g_strndup (uid, end - uid);
  g_ptr_array_add (listing->messages, message);
  g_hash_table_insert (listing->by_number, GUINT_TO_POINTER (number), message);
  return TRUE;

bad:
  g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PARSE,
               _("%s sent a malformed UIDL line"), self->endpoint.host);
  return FALSE;
}

static gboolean
add_list_line (MsPop3Client  *self,
               const char    *line,
               gsize          length,
               gpointer       user_data,
               GError       **error)
{
  Listing *listing = user_data;
  MsPop3Message *message;
  const char *size_text;
  guint number;

  if (!parse_listing_line (line, length, &number, &size_text))
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_PARSE,
                   _("%s sent a malformed LIST line"), self->endpoint.host);
      return FALSE;
    }
  message = g_hash_table_lookup (listing->by_number, GUINT_TO_POINTER (number));
  if (message != NULL)
    g_ascii_string_to_unsigned (size_text, 10, 0, G_MAXUINT64, &message->size, NULL);
  return TRUE;
}

GPtrArray *
ms_pop3_client_list (MsPop3Client  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) by_number = NULL;
  g_autofree char *text = NULL;
  gboolean positive = FALSE;
  Listing listing;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), NULL);

  if (!check_state (self, STATE_TRANSACTION, error))
    return NULL;

  messages = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_pop3_message_free);
  by_number = g_hash_table_new (NULL, NULL);
  listing = (Listing) { messages, by_number };

  if (!send_command (self, "UIDL", NULL, cancellable, error)
      || !read_status (self, &positive, &text, cancellable, error))
    return NULL;
  if (!positive)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_NO_UIDL,
                   _("%s cannot name its messages (UIDL: %s), so Mailshot cannot tell new "
                     "mail from mail it already read; use IMAP for this mailbox"),
                   self->endpoint.host, text);
      return NULL;
    }
  if (!read_multiline (self, MAX_REPLY_LINE, MS_POP3_MAX_MESSAGES, add_uidl_line, &listing,
                       cancellable, error))
    return NULL;

  g_clear_pointer (&text, g_free);
  if (!send_command (self, "LIST", NULL, cancellable, error)
      || !read_status (self, &positive, &text, cancellable, error))
    return NULL;
  if (positive && !read_multiline (self, MAX_REPLY_LINE, MS_POP3_MAX_MESSAGES, add_list_line,
                                   &listing, cancellable, error))
    return NULL;
  return g_steal_pointer (&messages);
}

/* Messages */

typedef struct
{
  GByteArray *data;
  gsize       limit;
  guint64     seen;      /* every octet received, kept or not */
  guint64     hard_limit;
  gboolean    truncated;
} Collector;

static gboolean
add_message_line (MsPop3Client  *self,
                  const char    *line,
                  gsize          length,
                  gpointer       user_data,
                  GError       **error)
{
  Collector *collector = user_data;

  collector->seen += length + 2;
  if (collector->seen > collector->hard_limit)
    {
      g_set_error (error, MS_POP3_ERROR, MS_POP3_ERROR_TOO_LARGE,
                   _("%s sent a message larger than %" PRIu64 " MB"), self->endpoint.host,
                   collector->hard_limit / (1024 * 1024));
      return FALSE;
    }
  if (collector->data->len + length + 2 > collector->limit)
    {
      collector->truncated = TRUE;
      return TRUE;
    }
  g_byte_array_append (collector->data, (const guint8 *) line, length);
  g_byte_array_append (collector->data, (const guint8 *) "\r\n", 2);
  return TRUE;
}

static GBytes *
read_message (MsPop3Client  *self,
              const char    *command,
              gboolean      *truncated,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GByteArray) data = g_byte_array_new ();
  Collector collector = { data, self->max_message_size, 0, 0, FALSE };

  collector.hard_limit = (guint64) self->max_message_size * 4 + 1024 * 1024;
  if (!check_state (self, STATE_TRANSACTION, error)
      || !simple_command (self, command, NULL, NULL, cancellable, error))
    return NULL;
  if (!read_multiline (self, MAX_MESSAGE_LINE, G_MAXUINT, add_message_line, &collector,
                       cancellable, error))
    return NULL;
  if (truncated != NULL)
    *truncated = collector.truncated;
  return g_byte_array_free_to_bytes (g_steal_pointer (&data));
}

GBytes *
ms_pop3_client_retr (MsPop3Client  *self,
                     guint          number,
                     gboolean      *truncated,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (number > 0, NULL);

  command = g_strdup_printf ("RETR %u", number);
  return read_message (self, command, truncated, cancellable, error);
}

GBytes *
ms_pop3_client_top (MsPop3Client  *self,
                    guint          number,
                    guint          lines,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), NULL);
  g_return_val_if_fail (number > 0, NULL);

  command = g_strdup_printf ("TOP %u %u", number, lines);
  return read_message (self, command, NULL, cancellable, error);
}

gboolean
ms_pop3_client_dele (MsPop3Client  *self,
                     guint          number,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);
  g_return_val_if_fail (number > 0, FALSE);

  if (!check_state (self, STATE_TRANSACTION, error))
    return FALSE;
  command = g_strdup_printf ("DELE %u", number);
  return simple_command (self, command, NULL, NULL, cancellable, error);
}

gboolean
ms_pop3_client_noop (MsPop3Client  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);

  if (!check_state (self, STATE_TRANSACTION, error))
    return FALSE;
  return simple_command (self, "NOOP", NULL, NULL, cancellable, error);
}

gboolean
ms_pop3_client_quit (MsPop3Client  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (MS_IS_POP3_CLIENT (self), FALSE);

  if (self->state == STATE_DISCONNECTED)
    return TRUE;
  ok = simple_command (self, "QUIT", NULL, NULL, cancellable, error);
  disconnect (self);
  return ok;
}

void
ms_pop3_client_close (MsPop3Client *self)
{
  g_return_if_fail (MS_IS_POP3_CLIENT (self));

  disconnect (self);
}

/* ms-imap-client.c
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

#define G_LOG_DOMAIN "ms-imap"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-imap-client.h"

#define CONNECT_TIMEOUT_MS (30 * 1000)

typedef enum
{
  STATE_DISCONNECTED,
  STATE_NOT_AUTHENTICATED,
  STATE_AUTHENTICATED,
  STATE_SELECTED,
} ClientState;

/* What the command being run collects from untagged responses. */
typedef enum
{
  COLLECT_NOTHING,
  COLLECT_SEARCH,
  COLLECT_FETCH,
  COLLECT_SELECT,
} Collect;

/* A piece of a command: text, or a literal sent after the server's "+". */
typedef struct
{
  const char *data;
  gsize       length;
  gboolean    literal;
} Piece;

struct _MsImapClient
{
  GObject        parent_instance;

  MsEndpoint     endpoint;
  guint          timeout_ms;
  gboolean       allow_plaintext_auth;
  gsize          max_message_size;

  MsConnection  *conn;
  MsImapParser  *parser;
  ClientState    state;
  guint          tag_counter;
  GStrv          capabilities;
  gboolean       have_capabilities;
  char          *bye_text;

  Collect        collect;
  GArray        *search;          /* COLLECT_SEARCH */
  guint32        fetch_uid;       /* COLLECT_FETCH */
  GBytes        *fetched;
  MsImapMailbox  mailbox;         /* COLLECT_SELECT */
};

G_DEFINE_FINAL_TYPE (MsImapClient, ms_imap_client, G_TYPE_OBJECT)

static void
ms_imap_client_finalize (GObject *object)
{
  MsImapClient *self = MS_IMAP_CLIENT (object);

  if (self->conn != NULL)
    ms_connection_close (self->conn);
  g_clear_object (&self->conn);
  g_clear_pointer (&self->parser, ms_imap_parser_free);
  g_clear_pointer (&self->search, g_array_unref);
  g_clear_pointer (&self->fetched, g_bytes_unref);
  g_strfreev (self->capabilities);
  g_free (self->bye_text);
  ms_endpoint_clear (&self->endpoint);

  G_OBJECT_CLASS (ms_imap_client_parent_class)->finalize (object);
}

static void
ms_imap_client_class_init (MsImapClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_imap_client_finalize;
}

static void
ms_imap_client_init (MsImapClient *self)
{
  self->timeout_ms = MS_IMAP_DEFAULT_TIMEOUT_MS;
  self->max_message_size = MS_IMAP_DEFAULT_MAX_MESSAGE_SIZE;
  self->capabilities = g_new0 (char *, 1);
}

MsImapClient *
ms_imap_client_new (const char *host,
                    guint16     port,
                    MsSecurity  security)
{
  MsImapClient *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (MS_TYPE_IMAP_CLIENT, NULL);
  ms_endpoint_init (&self->endpoint, host, port, security);
  return self;
}

void
ms_imap_client_set_ca_file (MsImapClient *self,
                            const char   *path)
{
  g_return_if_fail (MS_IS_IMAP_CLIENT (self));

  ms_endpoint_set_ca_file (&self->endpoint, path);
}

gboolean
ms_imap_client_set_pinned_sha256 (MsImapClient  *self,
                                  const char    *fingerprint,
                                  GError       **error)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);

  return ms_endpoint_set_pinned_sha256 (&self->endpoint, fingerprint, error);
}

void
ms_imap_client_set_timeout (MsImapClient *self,
                            guint         timeout_ms)
{
  g_return_if_fail (MS_IS_IMAP_CLIENT (self));

  self->timeout_ms = timeout_ms;
  if (self->conn != NULL)
    ms_connection_set_timeout (self->conn, timeout_ms);
}

void
ms_imap_client_set_allow_plaintext_auth (MsImapClient *self,
                                         gboolean      allow)
{
  g_return_if_fail (MS_IS_IMAP_CLIENT (self));

  self->allow_plaintext_auth = !!allow;
}

void
ms_imap_client_set_max_message_size (MsImapClient *self,
                                     gsize         size)
{
  g_return_if_fail (MS_IS_IMAP_CLIENT (self));
  g_return_if_fail (size > 0);

  self->max_message_size = size;
}

/* Results */

gboolean
ms_imap_client_is_connected (MsImapClient *self)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);

  return self->state != STATE_DISCONNECTED;
}

gboolean
ms_imap_client_is_encrypted (MsImapClient *self)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);

  return self->conn != NULL && ms_connection_is_tls (self->conn);
}

const char * const *
ms_imap_client_get_capabilities (MsImapClient *self)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), NULL);

  return (const char * const *) self->capabilities;
}

gboolean
ms_imap_client_has_capability (MsImapClient *self,
                               const char   *capability)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (capability != NULL, FALSE);

  for (guint i = 0; self->capabilities[i] != NULL; i++)
    if (g_ascii_strcasecmp (self->capabilities[i], capability) == 0)
      return TRUE;
  return FALSE;
}

MsConnection *
ms_imap_client_get_connection (MsImapClient *self)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), NULL);

  return self->conn;
}

const char *
ms_imap_client_get_host (MsImapClient *self)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), NULL);

  return self->endpoint.host;
}

/* Folder names */

static void
flush_utf16 (GString *out,
             GArray  *units)
{
  g_autofree guint8 *be = NULL;
  g_autofree char *b64 = NULL;
  gsize n;

  if (units->len == 0)
    return;
  be = g_malloc (units->len * 2);
  for (guint i = 0; i < units->len; i++)
    {
      guint16 u = g_array_index (units, guint16, i);

      be[2 * i] = u >> 8;
      be[2 * i + 1] = u & 0xff;
    }
  b64 = g_base64_encode (be, units->len * 2);
  n = strlen (b64);
  while (n > 0 && b64[n - 1] == '=')
    n--;
  g_string_append_c (out, '&');
  for (gsize i = 0; i < n; i++)
    g_string_append_c (out, b64[i] == '/' ? ',' : b64[i]);
  g_string_append_c (out, '-');
  g_array_set_size (units, 0);
}

char *
ms_imap_encode_folder_name (const char *utf8)
{
  g_autoptr(GArray) units = g_array_new (FALSE, FALSE, sizeof (guint16));
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (utf8 != NULL, NULL);
  g_return_val_if_fail (g_utf8_validate (utf8, -1, NULL), NULL);

  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c >= 0x20 && c <= 0x7e)
        {
          flush_utf16 (out, units);
          g_string_append (out, c == '&' ? "&-" : (char[]) { (char) c, '\0' });
        }
      else if (c >= 0x10000)
        {
          guint16 hi = 0xd800 + ((c - 0x10000) >> 10);
          guint16 lo = 0xdc00 + ((c - 0x10000) & 0x3ff);

          g_array_append_val (units, hi);
          g_array_append_val (units, lo);
        }
      else
        {
          guint16 u = (guint16) c;

          g_array_append_val (units, u);
        }
    }
  flush_utf16 (out, units);
  return g_string_free (out, FALSE);
}

/* Connection plumbing */

static void
disconnect (MsImapClient *self)
{
  if (self->conn != NULL)
    ms_connection_close (self->conn);
  self->state = STATE_DISCONNECTED;
  if (self->parser != NULL)
    ms_imap_parser_reset (self->parser);
}

static gboolean
check_connected (MsImapClient  *self,
                 GError       **error)
{
  if (self->state != STATE_DISCONNECTED && self->conn != NULL)
    return TRUE;
  g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
               _("The connection to %s is closed"), self->endpoint.host);
  return FALSE;
}

static void
set_capabilities_from_values (MsImapClient *self,
                              GPtrArray    *values)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; values != NULL && i < values->len; i++)
    {
      const MsImapValue *value = g_ptr_array_index (values, i);

      if (value->type == MS_IMAP_VALUE_ATOM)
        {
          g_autofree char *upper = g_ascii_strup (value->data, value->length);

          g_strv_builder_add (builder, upper);
        }
    }
  g_strfreev (self->capabilities);
  self->capabilities = g_strv_builder_end (builder);
  self->have_capabilities = TRUE;
}

static void
forget_capabilities (MsImapClient *self)
{
  g_strfreev (self->capabilities);
  self->capabilities = g_new0 (char *, 1);
  self->have_capabilities = FALSE;
}

static void
collect_search (MsImapClient         *self,
                const MsImapResponse *response)
{
  for (guint i = 0; i < response->args->len; i++)
    {
      guint32 uid;

      if (ms_imap_value_get_number (g_ptr_array_index (response->args, i), &uid) && uid > 0)
        g_array_append_val (self->search, uid);
    }
}

static void
collect_fetch (MsImapClient         *self,
               const MsImapResponse *response)
{
  const MsImapValue *list, *uid_value;
  guint32 uid = 0;

  if (response->args->len == 0)
    return;
  list = g_ptr_array_index (response->args, 0);
  if (list->type != MS_IMAP_VALUE_LIST)
    return;
  uid_value = ms_imap_response_get_fetch_item (response, "UID");
  if (!ms_imap_value_get_number (uid_value, &uid) || uid != self->fetch_uid)
    return;

  for (guint i = 0; i + 1 < list->items->len; i += 2)
    {
      const MsImapValue *name = g_ptr_array_index (list->items, i);
      const MsImapValue *value = g_ptr_array_index (list->items, i + 1);

      if (name->type != MS_IMAP_VALUE_ATOM || g_ascii_strncasecmp (name->data, "BODY[]", 6) != 0)
        continue;
      g_clear_pointer (&self->fetched, g_bytes_unref);
      if (value->type == MS_IMAP_VALUE_STRING)
        self->fetched = g_bytes_ref (value->bytes);
      else
        self->fetched = g_bytes_new (NULL, 0);
    }
}

/* Untagged responses update what the client knows. */
static void
handle_untagged (MsImapClient         *self,
                 const MsImapResponse *response)
{
  if (response->status == MS_IMAP_STATUS_BYE)
    {
      g_free (self->bye_text);
      self->bye_text = g_strdup (response->text);
      return;
    }
  if (response->status != MS_IMAP_STATUS_NONE)
    {
      if (g_strcmp0 (response->code, "CAPABILITY") == 0)
        set_capabilities_from_values (self, response->code_args);
      else if (self->collect == COLLECT_SELECT && response->code_args != NULL
               && response->code_args->len > 0)
        {
          const MsImapValue *arg = g_ptr_array_index (response->code_args, 0);

          if (g_strcmp0 (response->code, "UIDVALIDITY") == 0)
            ms_imap_value_get_number (arg, &self->mailbox.uidvalidity);
          else if (g_strcmp0 (response->code, "UIDNEXT") == 0)
            ms_imap_value_get_number (arg, &self->mailbox.uidnext);
        }
      return;
    }

  if (g_strcmp0 (response->name, "CAPABILITY") == 0 && !response->has_number)
    set_capabilities_from_values (self, response->args);
  else if (g_strcmp0 (response->name, "EXISTS") == 0 && response->has_number
           && self->collect == COLLECT_SELECT)
    self->mailbox.exists = response->number;
  else if (g_strcmp0 (response->name, "SEARCH") == 0 && self->collect == COLLECT_SEARCH)
    collect_search (self, response);
  else if (g_strcmp0 (response->name, "FETCH") == 0 && response->has_number
           && self->collect == COLLECT_FETCH)
    collect_fetch (self, response);
}

static void
log_response (MsImapClient         *self,
              const MsImapResponse *response)
{
  g_autofree char *shown = NULL;

  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    return;
  shown = ms_imap_response_to_string (response);
  g_debug ("%s:%u S: %s", self->endpoint.host, self->endpoint.port, shown);
}

/* One response, literals included.  A failure closes the connection. */
static MsImapResponse *
read_response (MsImapClient  *self,
               GCancellable  *cancellable,
               GError       **error)
{
  for (;;)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *line = NULL;
      gsize length = 0, literal_size = 0;

      line = ms_connection_read_line (self->conn, MS_IMAP_MAX_LINE, &length, cancellable,
                                      &local_error);
      if (line == NULL)
        {
          if (self->bye_text != NULL
              && g_error_matches (local_error, MS_NET_ERROR, MS_NET_ERROR_CLOSED))
            {
              g_clear_error (&local_error);
              g_set_error (&local_error, MS_IMAP_ERROR, MS_IMAP_ERROR_BYE,
                           _("%s closed the connection: %s"), self->endpoint.host, self->bye_text);
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          disconnect (self);
          return NULL;
        }

      switch (ms_imap_parser_add_line (self->parser, line, length, &literal_size, error))
        {
        case MS_IMAP_PARSE_DONE:
          {
            MsImapResponse *response = ms_imap_parser_take_response (self->parser);

            log_response (self, response);
            return response;
          }
        case MS_IMAP_PARSE_NEED_LITERAL:
          {
            g_autoptr(GBytes) literal = NULL;
            char *buffer = g_try_malloc (literal_size + 1);

            if (buffer == NULL)
              {
                g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE,
                             _("Not enough memory for a message of %zu bytes"),
                             literal_size);
                disconnect (self);
                return NULL;
              }
            buffer[literal_size] = '\0';
            literal = g_bytes_new_take (buffer, literal_size);
            if (!ms_connection_read_exact (self->conn, buffer, literal_size, cancellable, error)
                || !ms_imap_parser_add_literal (self->parser, literal, error))
              {
                disconnect (self);
                return NULL;
              }
          }
          break;
        case MS_IMAP_PARSE_FAILED:
        default:
          disconnect (self);
          return NULL;
        }
    }
}

static gboolean
write_text (MsImapClient  *self,
            const char    *text,
            gsize          length,
            GCancellable  *cancellable,
            GError       **error)
{
  if (!ms_connection_write_all (self->conn, text, length, cancellable, error))
    {
      disconnect (self);
      return FALSE;
    }
  return TRUE;
}

/* Reads until the tagged response to @tag, handing untagged ones over (unless
 * @discard_untagged).  A continuation request when none is expected, or another
 * tag, is a protocol error. */
static MsImapResponse *
read_until_tagged (MsImapClient  *self,
                   const char    *tag,
                   gboolean       want_continuation,
                   gboolean       discard_untagged,
                   GCancellable  *cancellable,
                   GError       **error)
{
  for (;;)
    {
      MsImapResponse *response = read_response (self, cancellable, error);

      if (response == NULL)
        return NULL;
      switch (response->kind)
        {
        case MS_IMAP_RESPONSE_UNTAGGED:
          if (!discard_untagged)
            handle_untagged (self, response);
          ms_imap_response_free (response);
          continue;
        case MS_IMAP_RESPONSE_CONTINUATION:
          if (want_continuation)
            return response;
          ms_imap_response_free (response);
          g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
                       _("%s asked for more data when none was due"), self->endpoint.host);
          disconnect (self);
          return NULL;
        case MS_IMAP_RESPONSE_TAGGED:
        default:
          if (strcmp (response->tag, tag) == 0)
            return response;
          g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
                       _("%s answered a command that was not sent (tag “%s”)"), self->endpoint.host,
                       response->tag);
          ms_imap_response_free (response);
          disconnect (self);
          return NULL;
        }
    }
}

/* Sends a command made of @pieces and returns its tagged response.  Before each
 * literal the server must say "+"; a tagged answer instead ends the command. */
static MsImapResponse *
run_command_pieces (MsImapClient  *self,
                    const Piece   *pieces,
                    guint          n_pieces,
                    const char    *shown,
                    gboolean       discard_untagged,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *tag = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (!check_connected (self, error))
    return NULL;

  tag = g_strdup_printf ("M%04u", ++self->tag_counter);
  g_debug ("%s:%u C: %s %s", self->endpoint.host, self->endpoint.port, tag, shown);
  g_string_append_printf (out, "%s ", tag);

  for (guint i = 0; i < n_pieces; i++)
    {
      MsImapResponse *response;

      if (!pieces[i].literal)
        {
          g_string_append_len (out, pieces[i].data, pieces[i].length);
          continue;
        }

      g_string_append_printf (out, "{%zu}\r\n", pieces[i].length);
      if (!write_text (self, out->str, out->len, cancellable, error))
        return NULL;
      explicit_bzero (out->str, out->len);
      g_string_truncate (out, 0);

      response = read_until_tagged (self, tag, TRUE, discard_untagged, cancellable, error);
      if (response == NULL || response->kind == MS_IMAP_RESPONSE_TAGGED)
        return response;
      ms_imap_response_free (response);
      if (!write_text (self, pieces[i].data, pieces[i].length, cancellable, error))
        return NULL;
    }

  g_string_append (out, "\r\n");
  if (!write_text (self, out->str, out->len, cancellable, error))
    return NULL;
  explicit_bzero (out->str, out->len);
  return read_until_tagged (self, tag, FALSE, discard_untagged, cancellable, error);
}

static MsImapResponse *
run_command (MsImapClient  *self,
             const char    *command,
             GCancellable  *cancellable,
             GError       **error)
{
  Piece piece = { command, strlen (command), FALSE };

  return run_command_pieces (self, &piece, 1, command, FALSE, cancellable, error);
}

static void
set_refused (MsImapClient         *self,
             const MsImapResponse *response,
             const char           *what,
             GError              **error)
{
  g_autofree char *shown = ms_imap_response_to_string (response);

  /* TRANSLATORS: "imap.example.org refused SELECT: M0003 NO Mailbox doesn't exist" */
  g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_REFUSED, _("%s refused %s: %s"),
               self->endpoint.host, what, shown);
}

/* Runs @command and expects OK. */
static gboolean
simple_command (MsImapClient  *self,
                const char    *command,
                const char    *what,
                GCancellable  *cancellable,
                GError       **error)
{
  g_autoptr(MsImapResponse) response = run_command (self, command, cancellable, error);

  if (response == NULL)
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      set_refused (self, response, what, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
ask_capabilities (MsImapClient  *self,
                  GCancellable  *cancellable,
                  GError       **error)
{
  forget_capabilities (self);
  if (!simple_command (self, "CAPABILITY", "CAPABILITY", cancellable, error))
    return FALSE;
  if (!self->have_capabilities)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
                   _("%s did not list its capabilities"), self->endpoint.host);
      disconnect (self);
      return FALSE;
    }
  return TRUE;
}

/* Connecting */

static gboolean
read_greeting (MsImapClient  *self,
               gboolean      *preauth,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autoptr(MsImapResponse) greeting = read_response (self, cancellable, error);

  if (greeting == NULL)
    {
      if (error != NULL && *error != NULL && (*error)->domain == MS_IMAP_ERROR)
        g_prefix_error (error, _("%s does not greet like an IMAP server: "), self->endpoint.host);
      return FALSE;
    }
  if (greeting->kind != MS_IMAP_RESPONSE_UNTAGGED
      || (greeting->status != MS_IMAP_STATUS_OK && greeting->status != MS_IMAP_STATUS_PREAUTH
          && greeting->status != MS_IMAP_STATUS_BYE))
    {
      g_autofree char *shown = ms_imap_response_to_string (greeting);

      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
                   _("%s port %u does not greet like an IMAP server: %s"), self->endpoint.host,
                   self->endpoint.port, shown);
      disconnect (self);
      return FALSE;
    }
  if (greeting->status == MS_IMAP_STATUS_BYE)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_BYE,
                   _("%s does not accept the connection: %s"), self->endpoint.host, greeting->text);
      disconnect (self);
      return FALSE;
    }
  *preauth = greeting->status == MS_IMAP_STATUS_PREAUTH;
  if (g_strcmp0 (greeting->code, "CAPABILITY") == 0)
    set_capabilities_from_values (self, greeting->code_args);
  return TRUE;
}

static gboolean
start_tls (MsImapClient  *self,
           gboolean       preauth,
           GCancellable  *cancellable,
           GError       **error)
{
  static const Piece piece = { "STARTTLS", 8, FALSE };
  g_autoptr(MsImapResponse) response = NULL;

  if (preauth)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s logged the connection in before TLS (PREAUTH), so it cannot be "
                     "encrypted; it was closed"), self->endpoint.host);
      disconnect (self);
      return FALSE;
    }
  if (!self->have_capabilities && !ask_capabilities (self, cancellable, error))
    return FALSE;
  if (!ms_imap_client_has_capability (self, "STARTTLS"))
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s does not offer STARTTLS on port %u, so the connection cannot be "
                     "encrypted; nothing was sent. Check the port (143 usually offers "
                     "STARTTLS, 993 uses TLS from the start)"), self->endpoint.host, self->endpoint.port);
      disconnect (self);
      return FALSE;
    }

  /* Untagged data around the STARTTLS reply is not believed. */
  response = run_command_pieces (self, &piece, 1, "STARTTLS", TRUE, cancellable, error);
  if (response == NULL)
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      g_autofree char *shown = ms_imap_response_to_string (response);

      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s refused to start TLS: %s"), self->endpoint.host, shown);
      disconnect (self);
      return FALSE;
    }
  if (ms_connection_has_pending_input (self->conn))
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_STARTTLS_INJECTION,
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
  g_debug ("%s:%u TLS: %s, %s", self->endpoint.host, self->endpoint.port,
           ms_connection_get_tls_version (self->conn), ms_connection_get_tls_cipher (self->conn));

  g_clear_pointer (&self->bye_text, g_free);
  return ask_capabilities (self, cancellable, error);
}

gboolean
ms_imap_client_connect (MsImapClient  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  gboolean preauth = FALSE;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->state == STATE_DISCONNECTED, FALSE);

  forget_capabilities (self);
  g_clear_pointer (&self->bye_text, g_free);
  g_clear_object (&self->conn);
  g_clear_pointer (&self->parser, ms_imap_parser_free);
  self->parser = ms_imap_parser_new (self->max_message_size + 64 * 1024,
                                     self->max_message_size + 1024 * 1024);

  self->conn = ms_endpoint_new_connection (&self->endpoint, CONNECT_TIMEOUT_MS, error);
  if (self->conn == NULL)
    return FALSE;
  if (!ms_connection_connect (self->conn, cancellable, error))
    return FALSE;
  self->state = STATE_NOT_AUTHENTICATED;

  if (self->endpoint.security == MS_SECURITY_TLS)
    {
      ms_connection_set_timeout (self->conn, CONNECT_TIMEOUT_MS);
      if (ms_connection_has_pending_input (self->conn))
        {
          g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                       _("%s port %u greets in plain text, so it does not use TLS from the "
                         "start: choose STARTTLS as the security (usually on port 143)"),
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

  if (!read_greeting (self, &preauth, cancellable, error))
    return FALSE;

  if (self->endpoint.security == MS_SECURITY_STARTTLS)
    {
      if (!start_tls (self, preauth, cancellable, error))
        return FALSE;
    }
  else if (!self->have_capabilities && !ask_capabilities (self, cancellable, error))
    return FALSE;

  if (preauth)
    self->state = STATE_AUTHENTICATED;
  return TRUE;
}

/* Logging in */

static gboolean
authenticate_plain (MsImapClient         *self,
                    const char           *login,
                    const char           *password,
                    MsImapResponse      **out_response,
                    GCancellable         *cancellable,
                    GError              **error)
{
  g_autofree char *raw = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *command = NULL;
  gsize login_len = strlen (login), password_len = strlen (password);
  gsize raw_len = 1 + login_len + 1 + password_len;
  Piece piece;

  raw = g_malloc (raw_len);
  raw[0] = '\0';
  memcpy (raw + 1, login, login_len);
  raw[1 + login_len] = '\0';
  memcpy (raw + 2 + login_len, password, password_len);
  b64 = g_base64_encode ((const guchar *) raw, raw_len);
  explicit_bzero (raw, raw_len);

  if (ms_imap_client_has_capability (self, "SASL-IR"))
    {
      command = g_strconcat ("AUTHENTICATE PLAIN ", b64, NULL);
      piece = (Piece) { command, strlen (command), FALSE };
      *out_response = run_command_pieces (self, &piece, 1, "AUTHENTICATE PLAIN ****", FALSE,
                                          cancellable, error);
    }
  else
    {
      g_autofree char *tag = NULL;
      g_autofree char *line = NULL;
      MsImapResponse *response;

      if (!check_connected (self, error))
        return FALSE;
      tag = g_strdup_printf ("M%04u", ++self->tag_counter);
      line = g_strdup_printf ("%s AUTHENTICATE PLAIN\r\n", tag);
      g_debug ("%s:%u C: %s AUTHENTICATE PLAIN", self->endpoint.host, self->endpoint.port, tag);
      if (!write_text (self, line, strlen (line), cancellable, error))
        return FALSE;
      response = read_until_tagged (self, tag, TRUE, FALSE, cancellable, error);
      if (response == NULL)
        return FALSE;
      if (response->kind == MS_IMAP_RESPONSE_CONTINUATION)
        {
          g_autofree char *answer = g_strconcat (b64, "\r\n", NULL);

          ms_imap_response_free (response);
          g_debug ("%s:%u C: ****", self->endpoint.host, self->endpoint.port);
          if (!write_text (self, answer, strlen (answer), cancellable, error))
            {
              explicit_bzero (answer, strlen (answer));
              return FALSE;
            }
          explicit_bzero (answer, strlen (answer));
          response = read_until_tagged (self, tag, FALSE, FALSE, cancellable, error);
        }
      *out_response = response;
    }
  explicit_bzero (b64, strlen (b64));
  if (command != NULL)
    explicit_bzero (command, strlen (command));
  return *out_response != NULL;
}

static gboolean
login_command (MsImapClient    *self,
               const char      *login,
               const char      *password,
               MsImapResponse **out_response,
               GCancellable    *cancellable,
               GError         **error)
{
  g_autoptr(GString) user_text = g_string_new (NULL);
  g_autoptr(GString) pass_text = g_string_new (NULL);
  Piece pieces[5];
  guint n = 0;

  pieces[n++] = (Piece) { "LOGIN ", 6, FALSE };
  if (ms_imap_quote_string (user_text, login))
    pieces[n++] = (Piece) { user_text->str, user_text->len, FALSE };
  else
    pieces[n++] = (Piece) { login, strlen (login), TRUE };
  pieces[n++] = (Piece) { " ", 1, FALSE };
  if (ms_imap_quote_string (pass_text, password))
    pieces[n++] = (Piece) { pass_text->str, pass_text->len, FALSE };
  else
    pieces[n++] = (Piece) { password, strlen (password), TRUE };

  *out_response = run_command_pieces (self, pieces, n, "LOGIN **** ****", FALSE, cancellable,
                                      error);
  explicit_bzero (pass_text->str, pass_text->len);
  return *out_response != NULL;
}

gboolean
ms_imap_client_login (MsImapClient  *self,
                      const char    *login,
                      const char    *password,
                      GCancellable  *cancellable,
                      GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  gboolean plain;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!check_connected (self, error))
    return FALSE;
  if (self->state != STATE_NOT_AUTHENTICATED)
    return TRUE;
  if (!ms_imap_client_is_encrypted (self) && !self->allow_plaintext_auth)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PLAINTEXT_AUTH,
                   _("The connection to %s is not encrypted, so the password was not sent. "
                     "Choose TLS or STARTTLS for the mailbox"), self->endpoint.host);
      return FALSE;
    }

  plain = ms_imap_client_has_capability (self, "AUTH=PLAIN");
  if (!plain && ms_imap_client_has_capability (self, "LOGINDISABLED"))
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_AUTH_FAILED,
                   _("%s offers no way to log in that Mailshot knows (neither LOGIN nor "
                     "AUTHENTICATE PLAIN)"), self->endpoint.host);
      return FALSE;
    }

  if (!(plain ? authenticate_plain (self, login, password, &response, cancellable, error)
              : login_command (self, login, password, &response, cancellable, error)))
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_AUTH_FAILED,
                   _("%s refused the login of “%s”: %s"), self->endpoint.host, login,
                   response->text != NULL && response->text[0] != '\0' ? response->text
                   : ms_imap_status_to_string (response->status));
      return FALSE;
    }
  self->state = STATE_AUTHENTICATED;

  /* Capabilities often change once logged in (MOVE, UIDPLUS...). */
  if (g_strcmp0 (response->code, "CAPABILITY") == 0)
    set_capabilities_from_values (self, response->code_args);
  else if (!ask_capabilities (self, cancellable, error))
    return FALSE;
  return TRUE;
}

/* Mailboxes */

static char *
quote_folder (const char *folder)
{
  g_autofree char *encoded = ms_imap_encode_folder_name (folder != NULL && *folder != '\0'
                                                         ? folder : "INBOX");
  GString *out = g_string_new (NULL);

  /* Encoded names are printable ASCII: they always quote. */
  ms_imap_quote_string (out, encoded);
  return g_string_free (out, FALSE);
}

static gboolean
check_authenticated (MsImapClient  *self,
                     GError       **error)
{
  if (!check_connected (self, error))
    return FALSE;
  if (self->state == STATE_NOT_AUTHENTICATED)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_AUTH_FAILED,
                   _("Not logged in to %s"), self->endpoint.host);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_imap_client_select (MsImapClient   *self,
                       const char     *folder,
                       MsImapMailbox  *mailbox,
                       GCancellable   *cancellable,
                       GError        **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (g_utf8_validate (folder != NULL ? folder : "", -1, NULL), FALSE);

  if (!check_authenticated (self, error))
    return FALSE;

  quoted = quote_folder (folder);
  command = g_strconcat ("SELECT ", quoted, NULL);
  memset (&self->mailbox, 0, sizeof self->mailbox);
  self->state = STATE_AUTHENTICATED;
  self->collect = COLLECT_SELECT;
  response = run_command (self, command, cancellable, error);
  self->collect = COLLECT_NOTHING;
  if (response == NULL)
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_NO_MAILBOX,
                   _("%s cannot open the folder “%s”: %s"), self->endpoint.host,
                   folder != NULL && *folder != '\0' ? folder : "INBOX", response->text);
      return FALSE;
    }
  self->mailbox.read_only = g_strcmp0 (response->code, "READ-ONLY") == 0;
  self->state = STATE_SELECTED;
  if (mailbox != NULL)
    *mailbox = self->mailbox;
  return TRUE;
}

static int
compare_uids (gconstpointer a,
              gconstpointer b)
{
  guint32 x = *(const guint32 *) a, y = *(const guint32 *) b;

  return x < y ? -1 : x > y;
}

static gboolean
check_selected (MsImapClient  *self,
                GError       **error)
{
  if (!check_authenticated (self, error))
    return FALSE;
  if (self->state != STATE_SELECTED)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_NO_MAILBOX,
                   _("No folder of %s is open"), self->endpoint.host);
      return FALSE;
    }
  return TRUE;
}

GArray *
ms_imap_client_uid_search (MsImapClient  *self,
                           const char    *criteria,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GArray) uids = NULL;
  guint kept = 0;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), NULL);
  g_return_val_if_fail (criteria != NULL && strpbrk (criteria, "\r\n") == NULL, NULL);

  if (!check_selected (self, error))
    return NULL;

  command = g_strconcat ("UID SEARCH ", criteria, NULL);
  g_clear_pointer (&self->search, g_array_unref);
  self->search = g_array_new (FALSE, FALSE, sizeof (guint32));
  self->collect = COLLECT_SEARCH;
  response = run_command (self, command, cancellable, error);
  self->collect = COLLECT_NOTHING;
  uids = g_steal_pointer (&self->search);
  if (response == NULL)
    return NULL;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      set_refused (self, response, "UID SEARCH", error);
      return NULL;
    }

  g_array_sort (uids, compare_uids);
  for (guint i = 0; i < uids->len; i++)
    if (kept == 0 || g_array_index (uids, guint32, i) != g_array_index (uids, guint32, kept - 1))
      g_array_index (uids, guint32, kept++) = g_array_index (uids, guint32, i);
  g_array_set_size (uids, kept);
  return g_steal_pointer (&uids);
}

GBytes *
ms_imap_client_uid_fetch (MsImapClient  *self,
                          guint32        uid,
                          gboolean      *truncated,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  g_autofree char *command = NULL;
  g_autoptr(GBytes) fetched = NULL;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), NULL);
  g_return_val_if_fail (uid > 0, NULL);

  if (!check_selected (self, error))
    return NULL;

  /* A partial fetch bounds what the server may send; a message of exactly the
   * limit is reported as truncated, which is the safe side. */
  command = g_strdup_printf ("UID FETCH %u (UID BODY.PEEK[]<0.%zu>)", uid,
                             self->max_message_size);
  g_clear_pointer (&self->fetched, g_bytes_unref);
  self->fetch_uid = uid;
  self->collect = COLLECT_FETCH;
  response = run_command (self, command, cancellable, error);
  self->collect = COLLECT_NOTHING;
  fetched = g_steal_pointer (&self->fetched);
  if (response == NULL)
    return NULL;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      set_refused (self, response, "UID FETCH", error);
      return NULL;
    }
  if (fetched == NULL)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_REFUSED,
                   _("%s has no message with UID %u [NO-MESSAGE]"), self->endpoint.host, uid);
      return NULL;
    }
  if (truncated != NULL)
    *truncated = g_bytes_get_size (fetched) >= self->max_message_size;
  return g_steal_pointer (&fetched);
}

gboolean
ms_imap_client_uid_add_flags (MsImapClient  *self,
                              guint32        uid,
                              const char    *flags,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (uid > 0, FALSE);
  g_return_val_if_fail (flags != NULL && strpbrk (flags, "\r\n()") == NULL, FALSE);
  g_return_val_if_fail (strstr (flags, "Deleted") == NULL, FALSE);

  if (!check_selected (self, error))
    return FALSE;
  command = g_strdup_printf ("UID STORE %u +FLAGS.SILENT (%s)", uid, flags);
  return simple_command (self, command, "UID STORE", cancellable, error);
}

gboolean
ms_imap_client_create_folder (MsImapClient  *self,
                              const char    *folder,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (folder != NULL && *folder != '\0', FALSE);
  g_return_val_if_fail (g_utf8_validate (folder, -1, NULL), FALSE);

  if (!check_authenticated (self, error))
    return FALSE;
  quoted = quote_folder (folder);
  command = g_strconcat ("CREATE ", quoted, NULL);
  return simple_command (self, command, "CREATE", cancellable, error);
}

/* Runs a command on a folder; when the server says the folder is missing
 * ([TRYCREATE]), creates it and runs the command once more. */
static MsImapResponse *
run_with_trycreate (MsImapClient  *self,
                    const Piece   *pieces,
                    guint          n_pieces,
                    const char    *shown,
                    const char    *folder,
                    GCancellable  *cancellable,
                    GError       **error)
{
  MsImapResponse *response;

  response = run_command_pieces (self, pieces, n_pieces, shown, FALSE, cancellable, error);
  if (response == NULL || response->status != MS_IMAP_STATUS_NO
      || g_strcmp0 (response->code, "TRYCREATE") != 0)
    return response;

  ms_imap_response_free (response);
  if (!ms_imap_client_create_folder (self, folder, cancellable, error))
    return NULL;
  return run_command_pieces (self, pieces, n_pieces, shown, FALSE, cancellable, error);
}

gboolean
ms_imap_client_uid_move (MsImapClient  *self,
                         guint32        uid,
                         const char    *folder,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *command = NULL;
  gboolean move;
  Piece piece;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (uid > 0, FALSE);
  g_return_val_if_fail (folder != NULL && *folder != '\0', FALSE);
  g_return_val_if_fail (g_utf8_validate (folder, -1, NULL), FALSE);

  if (!check_selected (self, error))
    return FALSE;

  move = ms_imap_client_has_capability (self, "MOVE");
  quoted = quote_folder (folder);
  command = g_strdup_printf ("UID %s %u %s", move ? "MOVE" : "COPY", uid, quoted);
  piece = (Piece) { command, strlen (command), FALSE };
  response = run_with_trycreate (self, &piece, 1, command, folder, cancellable, error);
  if (response == NULL)
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      set_refused (self, response, move ? "UID MOVE" : "UID COPY", error);
      return FALSE;
    }
  if (!move)
    return ms_imap_client_uid_add_flags (self, uid, "\\Seen", cancellable, error);
  return TRUE;
}

gboolean
ms_imap_client_append (MsImapClient  *self,
                       const char    *folder,
                       const char    *flags,
                       GBytes        *message,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;
  g_autofree char *quoted = NULL;
  g_autofree char *head = NULL;
  g_autofree char *shown = NULL;
  Piece pieces[2];

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);
  g_return_val_if_fail (folder != NULL && *folder != '\0', FALSE);
  g_return_val_if_fail (g_utf8_validate (folder, -1, NULL), FALSE);
  g_return_val_if_fail (flags == NULL || strpbrk (flags, "\r\n()") == NULL, FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  if (!check_authenticated (self, error))
    return FALSE;

  quoted = quote_folder (folder);
  if (flags != NULL && *flags != '\0')
    head = g_strdup_printf ("APPEND %s (%s) ", quoted, flags);
  else
    head = g_strdup_printf ("APPEND %s ", quoted);
  shown = g_strdup_printf ("%s{%zu}", head, g_bytes_get_size (message));
  pieces[0] = (Piece) { head, strlen (head), FALSE };
  pieces[1] = (Piece) { g_bytes_get_data (message, NULL), g_bytes_get_size (message), TRUE };
  response = run_with_trycreate (self, pieces, 2, shown, folder, cancellable, error);
  if (response == NULL)
    return FALSE;
  if (response->status != MS_IMAP_STATUS_OK)
    {
      set_refused (self, response, "APPEND", error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_imap_client_noop (MsImapClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);

  return simple_command (self, "NOOP", "NOOP", cancellable, error);
}

gboolean
ms_imap_client_logout (MsImapClient  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  g_autoptr(MsImapResponse) response = NULL;

  g_return_val_if_fail (MS_IS_IMAP_CLIENT (self), FALSE);

  if (self->state == STATE_DISCONNECTED)
    return TRUE;
  response = run_command (self, "LOGOUT", cancellable, error);
  disconnect (self);
  return response != NULL;
}

void
ms_imap_client_close (MsImapClient *self)
{
  g_return_if_fail (MS_IS_IMAP_CLIENT (self));

  disconnect (self);
}

/* ms-smtp-client.c
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

#define G_LOG_DOMAIN "ms-smtp"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-smtp-client-private.h"

G_DEFINE_FINAL_TYPE (MsSmtpClient, ms_smtp_client, G_TYPE_OBJECT)

void
ms_smtp_timeouts_init_default (MsSmtpTimeouts *timeouts)
{
  g_return_if_fail (timeouts != NULL);

  timeouts->connect = 30 * 1000;
  timeouts->greeting = 5 * 60 * 1000;
  timeouts->command = 5 * 60 * 1000;
  timeouts->mail = 5 * 60 * 1000;
  timeouts->rcpt = 5 * 60 * 1000;
  timeouts->data_init = 2 * 60 * 1000;
  timeouts->data_block = 3 * 60 * 1000;
  timeouts->data_end = 10 * 60 * 1000;
}

static void
ms_smtp_client_finalize (GObject *object)
{
  MsSmtpClient *self = MS_SMTP_CLIENT (object);

  if (self->conn != NULL)
    ms_connection_close (self->conn);
  g_clear_object (&self->conn);
  if (self->trace_destroy != NULL)
    self->trace_destroy (self->trace_data);
  g_clear_pointer (&self->parser, ms_smtp_reply_parser_free);
  g_clear_pointer (&self->greeting, ms_smtp_reply_free);
  g_clear_pointer (&self->last_reply, ms_smtp_reply_free);
  g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
  g_strfreev (self->auth_mechanisms);
  g_string_free (self->body_out, TRUE);
  g_free (self->ahead_mail);
  g_clear_pointer (&self->ahead_rcpts, g_ptr_array_unref);
  ms_endpoint_clear (&self->endpoint);
  g_free (self->helo_name);
  g_free (self->helo_used);

  G_OBJECT_CLASS (ms_smtp_client_parent_class)->finalize (object);
}

static void
ms_smtp_client_class_init (MsSmtpClientClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_smtp_client_finalize;
}

static void
ms_smtp_client_init (MsSmtpClient *self)
{
  ms_smtp_timeouts_init_default (&self->timeouts);
  self->use_pipelining = TRUE;
  self->parser = ms_smtp_reply_parser_new ();
  self->body_out = g_string_sized_new (BODY_CHUNK + BODY_CHUNK / 4);
  self->auth_mechanisms = g_new0 (char *, 1);
}

MsSmtpClient *
ms_smtp_client_new (const char *host,
                    guint16     port,
                    MsSecurity  security)
{
  MsSmtpClient *self;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (MS_TYPE_SMTP_CLIENT, NULL);
  ms_endpoint_init (&self->endpoint, host, port, security);
  return self;
}

void
ms_smtp_client_set_ca_file (MsSmtpClient *self,
                            const char   *path)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  ms_endpoint_set_ca_file (&self->endpoint, path);
}

gboolean
ms_smtp_client_set_pinned_sha256 (MsSmtpClient  *self,
                                  const char    *fingerprint,
                                  GError       **error)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return ms_endpoint_set_pinned_sha256 (&self->endpoint, fingerprint, error);
}

void
ms_smtp_client_set_helo_name (MsSmtpClient *self,
                              const char   *name)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));
  g_return_if_fail (name == NULL || (*name != '\0' && strpbrk (name, " \t\r\n") == NULL));

  g_free (self->helo_name);
  self->helo_name = g_strdup (name);
}

void
ms_smtp_client_set_timeouts (MsSmtpClient         *self,
                             const MsSmtpTimeouts *timeouts)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));
  g_return_if_fail (timeouts != NULL);

  self->timeouts = *timeouts;
}

void
ms_smtp_client_get_timeouts (MsSmtpClient   *self,
                             MsSmtpTimeouts *timeouts)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));
  g_return_if_fail (timeouts != NULL);

  *timeouts = self->timeouts;
}

void
ms_smtp_client_set_allow_plaintext_auth (MsSmtpClient *self,
                                         gboolean      allow)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  self->allow_plaintext_auth = !!allow;
}

void
ms_smtp_client_set_use_pipelining (MsSmtpClient *self,
                                   gboolean      use)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  self->use_pipelining = !!use;
}

void
ms_smtp_client_set_trace_func (MsSmtpClient    *self,
                               MsSmtpTraceFunc  func,
                               gpointer         user_data,
                               GDestroyNotify   destroy)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  if (self->trace_destroy != NULL)
    self->trace_destroy (self->trace_data);
  self->trace_func = func;
  self->trace_data = user_data;
  self->trace_destroy = destroy;
}

/* Accessors */

MsSmtpCapabilities
ms_smtp_client_get_capabilities (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), MS_SMTP_CAP_NONE);

  return self->caps;
}

guint64
ms_smtp_client_get_max_size (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), 0);

  return self->max_size;
}

const char * const *
ms_smtp_client_get_auth_mechanisms (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return (const char * const *) self->auth_mechanisms;
}

const MsSmtpReply *
ms_smtp_client_get_greeting (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->greeting;
}

const MsSmtpReply *
ms_smtp_client_get_last_reply (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->last_reply;
}

const MsSmtpReply *
ms_smtp_client_get_error_reply (MsSmtpClient *self,
                                MsSmtpStage  *stage)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  if (stage != NULL)
    *stage = self->error_stage;
  return self->error_reply;
}

MsSmtpFailure
ms_smtp_client_classify_error (MsSmtpClient *self,
                               const GError *error)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), MS_SMTP_FAILURE_NETWORK);

  return ms_smtp_failure_from_error (error, self->error_reply, self->error_stage);
}

MsConnection *
ms_smtp_client_get_connection (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->conn;
}

gboolean
ms_smtp_client_is_encrypted (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return self->conn != NULL && ms_connection_is_tls (self->conn);
}

gboolean
ms_smtp_client_is_connected (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return self->state != MS_SMTP_CLIENT_DISCONNECTED;
}

const char *
ms_smtp_client_get_host (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->endpoint.host;
}

guint16
ms_smtp_client_get_port (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), 0);

  return self->endpoint.port;
}

/* Helpers */

gboolean
ms_smtp_data_is_8bit (const void *data,
                      gsize       length)
{
  const guint8 *p = data;
  gsize i = 0;

  /* Eight bytes at a time: this runs over every message sent. */
  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, p + i, 8);
      if (word & G_GUINT64_CONSTANT (0x8080808080808080))
        return TRUE;
    }
  for (; i < length; i++)
    if (p[i] & 0x80)
      return TRUE;
  return FALSE;
}

gboolean
ms_smtp_address_needs_smtputf8 (const char *address)
{
  const char *at;

  g_return_val_if_fail (address != NULL, FALSE);

  /* A non-ASCII domain alone is sent in its ASCII (IDNA) form. */
  at = strrchr (address, '@');
  return ms_smtp_data_is_8bit (address, at != NULL ? (gsize) (at - address) : strlen (address));
}

void
_ms_smtp_client_trace (MsSmtpClient *self,
                       MsSmtpTrace   kind,
                       const char   *line)
{
  if (kind == MS_SMTP_TRACE_SENT)
    g_debug ("%s:%u C: %s", self->endpoint.host, self->endpoint.port, line);
  else if (kind == MS_SMTP_TRACE_RECEIVED)
    g_debug ("%s:%u S: %s", self->endpoint.host, self->endpoint.port, line);
  else
    g_debug ("%s:%u %s", self->endpoint.host, self->endpoint.port, line);

  if (self->trace_func != NULL)
    self->trace_func (self, kind, line, self->trace_data);
}

void
_ms_smtp_client_tracef (MsSmtpClient *self,
                        MsSmtpTrace   kind,
                        const char   *format,
                        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  _ms_smtp_client_trace (self, kind, line);
}

void
_ms_smtp_client_disconnect (MsSmtpClient *self)
{
  if (self->conn != NULL)
    ms_connection_close (self->conn);
  self->state = MS_SMTP_CLIENT_DISCONNECTED;
  g_clear_pointer (&self->ahead_mail, g_free);
  g_clear_pointer (&self->ahead_rcpts, g_ptr_array_unref);
}

static void
clear_error_reply (MsSmtpClient *self)
{
  g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
  self->error_stage = MS_SMTP_STAGE_GREETING;
}

gboolean
_ms_smtp_client_check_connected (MsSmtpClient  *self,
                                 GError       **error)
{
  clear_error_reply (self);
  if (self->state != MS_SMTP_CLIENT_DISCONNECTED && self->conn != NULL)
    return TRUE;
  g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
               _("The connection to %s is closed"), self->endpoint.host);
  return FALSE;
}

static const char *
stage_description (MsSmtpStage stage)
{
  switch (stage)
    {
    case MS_SMTP_STAGE_GREETING:
      return _("the greeting");
    case MS_SMTP_STAGE_EHLO:
      return _("the reply to EHLO");
    case MS_SMTP_STAGE_STARTTLS:
      return _("the reply to STARTTLS");
    case MS_SMTP_STAGE_AUTH:
      return _("the reply to the login");
    case MS_SMTP_STAGE_MAIL:
      return _("the reply to MAIL FROM");
    case MS_SMTP_STAGE_RCPT:
      return _("the reply to RCPT TO");
    case MS_SMTP_STAGE_DATA:
      return _("the reply to DATA");
    case MS_SMTP_STAGE_DATA_END:
      return _("the reply to the end of the message");
    case MS_SMTP_STAGE_RSET:
      return _("the reply to RSET");
    case MS_SMTP_STAGE_QUIT:
      return _("the reply to QUIT");
    default:
      return _("a reply");
    }
}

/* Sends lines already ending in CR LF.  @shown is what the trace shows instead. */
gboolean
_ms_smtp_client_write (MsSmtpClient  *self,
                       const char    *text,
                       gsize          length,
                       guint          timeout,
                       GCancellable  *cancellable,
                       GError       **error)
{
  ms_connection_set_timeout (self->conn, timeout);
  if (!ms_connection_write_all (self->conn, text, length, cancellable, error))
    {
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }
  return TRUE;
}

static gboolean
send_command (MsSmtpClient  *self,
              const char    *command,
              const char    *shown,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autofree char *line = g_strconcat (command, "\r\n", NULL);
  gboolean ok;

  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, shown != NULL ? shown : command);
  ok = _ms_smtp_client_write (self, line, strlen (line), self->timeouts.command, cancellable, error);
  explicit_bzero (line, strlen (line));
  return ok;
}

/* Reads one reply; it stays owned by the client as the last reply. */
const MsSmtpReply *
_ms_smtp_client_read_reply (MsSmtpClient  *self,
                            MsSmtpStage    stage,
                            guint          timeout,
                            GCancellable  *cancellable,
                            GError       **error)
{
  gboolean done = FALSE;
  gboolean enhanced = stage != MS_SMTP_STAGE_GREETING && stage != MS_SMTP_STAGE_EHLO;

  ms_connection_set_timeout (self->conn, timeout);
  while (!done)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *line = NULL;
      gsize length = 0;

      line = ms_connection_read_line (self->conn, MS_SMTP_REPLY_MAX_LINE, &length,
                                      cancellable, &local_error);
      if (line == NULL)
        {
          if (g_error_matches (local_error, MS_NET_ERROR, MS_NET_ERROR_TIMEOUT)
              || g_error_matches (local_error, MS_NET_ERROR, MS_NET_ERROR_CLOSED))
            g_prefix_error (&local_error, _("Waiting for %s: "), stage_description (stage));
          g_propagate_error (error, g_steal_pointer (&local_error));
          _ms_smtp_client_disconnect (self);
          return NULL;
        }
      _ms_smtp_client_trace (self, MS_SMTP_TRACE_RECEIVED, line);
      if (!ms_smtp_reply_parser_add_line (self->parser, line, length, &done, error))
        {
          ms_smtp_reply_parser_free (self->parser);
          self->parser = ms_smtp_reply_parser_new ();
          _ms_smtp_client_disconnect (self);
          return NULL;
        }
    }

  g_clear_pointer (&self->last_reply, ms_smtp_reply_free);
  self->last_reply = ms_smtp_reply_parser_finish (self->parser, enhanced);
  return self->last_reply;
}

/* Records @reply as the cause of a failure at @stage and sets the error. */
void
_ms_smtp_client_set_rejected (MsSmtpClient       *self,
                              const MsSmtpReply  *reply,
                              MsSmtpStage         stage,
                              const char         *subject,
                              GError            **error)
{
  g_autofree char *shown = ms_smtp_reply_to_string (reply);
  MsSmtpError code = MS_SMTP_ERROR_REJECTED;

  if (reply != self->error_reply)
    {
      g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
      self->error_reply = ms_smtp_reply_copy (reply);
    }
  self->error_stage = stage;

  switch (stage)
    {
    case MS_SMTP_STAGE_GREETING:
      g_set_error (error, MS_SMTP_ERROR, code, _("%s does not accept the connection: %s"),
                   self->endpoint.host, shown);
      break;
    case MS_SMTP_STAGE_EHLO:
      g_set_error (error, MS_SMTP_ERROR, code, _("%s refused the greeting (EHLO): %s"),
                   self->endpoint.host, shown);
      break;
    case MS_SMTP_STAGE_STARTTLS:
      g_set_error (error, MS_SMTP_ERROR, code, _("%s refused to start TLS: %s"),
                   self->endpoint.host, shown);
      break;
    case MS_SMTP_STAGE_AUTH:
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED,
                   _("%s refused the login: %s"), self->endpoint.host, shown);
      break;
    case MS_SMTP_STAGE_MAIL:
      g_set_error (error, MS_SMTP_ERROR, code, _("The server refused the sender %s: %s"),
                   subject != NULL ? subject : "<>", shown);
      break;
    case MS_SMTP_STAGE_RCPT:
      g_set_error (error, MS_SMTP_ERROR, code, _("The server refused the recipient %s: %s"),
                   subject != NULL ? subject : "?", shown);
      break;
    case MS_SMTP_STAGE_DATA:
      g_set_error (error, MS_SMTP_ERROR, code, _("The server refused to take the message: %s"),
                   shown);
      break;
    case MS_SMTP_STAGE_DATA_END:
      g_set_error (error, MS_SMTP_ERROR, code, _("The server refused the message: %s"), shown);
      break;
    case MS_SMTP_STAGE_RSET:
    case MS_SMTP_STAGE_QUIT:
    default:
      g_set_error (error, MS_SMTP_ERROR, code, _("The server refused %s: %s"),
                   ms_smtp_stage_to_string (stage), shown);
      break;
    }

  /* 421: the server closes the connection now. */
  if (reply->code == 421)
    _ms_smtp_client_disconnect (self);
}

/* Connecting */

static void
reset_capabilities (MsSmtpClient *self)
{
  self->caps = MS_SMTP_CAP_NONE;
  self->max_size = 0;
  g_strfreev (self->auth_mechanisms);
  self->auth_mechanisms = g_new0 (char *, 1);
}

static void
add_auth_mechanisms (MsSmtpClient *self,
                     const char   *list)
{
  g_auto(GStrv) words = g_strsplit_set (list, " ", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  g_strv_builder_addv (builder, (const char **) self->auth_mechanisms);
  for (guint i = 0; words[i] != NULL; i++)
    {
      g_autofree char *mech = g_ascii_strup (words[i], -1);

      if (*mech == '\0' || g_strv_contains ((const char * const *) self->auth_mechanisms, mech))
        continue;
      g_strv_builder_add (builder, mech);
      g_strfreev (self->auth_mechanisms);
      self->auth_mechanisms = g_strv_builder_end (builder);
      g_strv_builder_addv (builder, (const char **) self->auth_mechanisms);
    }
}

static void
parse_capabilities (MsSmtpClient      *self,
                    const MsSmtpReply *reply)
{
  reset_capabilities (self);
  self->caps = MS_SMTP_CAP_ESMTP;

  /* The first line is the server's name and greeting. */
  for (guint i = 1; reply->lines[i] != NULL; i++)
    {
      const char *line = reply->lines[i];
      const char *params = line + strcspn (line, " =");
      g_autofree char *keyword = g_ascii_strup (line, params - line);

      if (*params != '\0')
        params++;

      if (strcmp (keyword, "STARTTLS") == 0)
        self->caps |= MS_SMTP_CAP_STARTTLS;
      else if (strcmp (keyword, "PIPELINING") == 0)
        self->caps |= MS_SMTP_CAP_PIPELINING;
      else if (strcmp (keyword, "8BITMIME") == 0)
        self->caps |= MS_SMTP_CAP_8BITMIME;
      else if (strcmp (keyword, "SMTPUTF8") == 0)
        self->caps |= MS_SMTP_CAP_SMTPUTF8;
      else if (strcmp (keyword, "ENHANCEDSTATUSCODES") == 0)
        self->caps |= MS_SMTP_CAP_ENHANCEDSTATUSCODES;
      else if (strcmp (keyword, "CHUNKING") == 0)
        self->caps |= MS_SMTP_CAP_CHUNKING;
      else if (strcmp (keyword, "DSN") == 0)
        self->caps |= MS_SMTP_CAP_DSN;
      else if (strcmp (keyword, "SIZE") == 0)
        {
          guint64 size = 0;

          self->caps |= MS_SMTP_CAP_SIZE;
          if (g_ascii_string_to_unsigned (params, 10, 0, G_MAXUINT64, &size, NULL))
            self->max_size = size;
        }
      else if (strcmp (keyword, "AUTH") == 0)
        {
          self->caps |= MS_SMTP_CAP_AUTH;
          add_auth_mechanisms (self, params);
        }
    }
}

static gboolean
say_ehlo (MsSmtpClient  *self,
          GCancellable  *cancellable,
          GError       **error)
{
  g_autofree char *ehlo = g_strdup_printf ("EHLO %s", self->helo_used);
  g_autofree char *helo = g_strdup_printf ("HELO %s", self->helo_used);
  const MsSmtpReply *reply;

  reset_capabilities (self);
  if (!send_command (self, ehlo, NULL, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_EHLO, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 250)
    {
      parse_capabilities (self, reply);
      return TRUE;
    }
  if (reply->code < 500)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_EHLO, NULL, error);
      return FALSE;
    }

  /* An old server without ESMTP */
  if (!send_command (self, helo, NULL, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_EHLO, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 250)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_EHLO, NULL, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
start_tls (MsSmtpClient  *self,
           GCancellable  *cancellable,
           GError       **error)
{
  const MsSmtpReply *reply;

  if (!(self->caps & MS_SMTP_CAP_STARTTLS))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_UNAVAILABLE,
                   _("%s does not offer STARTTLS on port %u, so the connection cannot be "
                     "encrypted; nothing was sent. Check the port (587 usually offers "
                     "STARTTLS, 465 uses TLS from the start)"), self->endpoint.host, self->endpoint.port);
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }
  if (!send_command (self, "STARTTLS", NULL, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_STARTTLS, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 220)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_STARTTLS, NULL, error);
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }
  /* Anything after the 220 and before the handshake would be read later as if it
   * came through TLS: the response-injection attack (CVE-2011-0411 and kin). */
  if (ms_connection_has_pending_input (self->conn))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_INJECTION,
                   _("%s sent data after agreeing to start TLS and before TLS began. Someone "
                     "may be tampering with the connection, so it was closed; nothing was sent"),
                   self->endpoint.host);
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }

  ms_connection_set_timeout (self->conn, self->timeouts.connect);
  if (!ms_connection_start_tls (self->conn, cancellable, error))
    {
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }
  _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "TLS: %s, %s", ms_connection_get_tls_version (self->conn),
                          ms_connection_get_tls_cipher (self->conn));

  /* Forget what was said in plain text and ask again. */
  if (!say_ehlo (self, cancellable, error))
    return FALSE;
  if (!(self->caps & MS_SMTP_CAP_ESMTP))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE,
                   _("%s stopped speaking ESMTP after STARTTLS"), self->endpoint.host);
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }
  return TRUE;
}

static void
add_greeting_advice (MsSmtpClient  *self,
                     GError       **error)
{
  g_autofree char *message = NULL;

  if (error == NULL || *error == NULL
      || !g_error_matches (*error, MS_NET_ERROR, MS_NET_ERROR_TIMEOUT)
      || self->endpoint.security == MS_SECURITY_TLS || self->endpoint.port != 465)
    return;
  message = g_strdup_printf (_("%s. Port 465 expects TLS from the start: choose TLS as the "
                               "security"), (*error)->message);
  g_free ((*error)->message);
  (*error)->message = g_steal_pointer (&message);
}

gboolean
ms_smtp_client_connect (MsSmtpClient  *self,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autoptr(GError) local_error = NULL;
  const MsSmtpReply *reply;
  g_autofree char *remote = NULL;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_DISCONNECTED, FALSE);

  clear_error_reply (self);
  reset_capabilities (self);
  g_clear_pointer (&self->greeting, ms_smtp_reply_free);
  g_clear_object (&self->conn);

  self->conn = ms_endpoint_new_connection (&self->endpoint, self->timeouts.connect, error);
  if (self->conn == NULL)
    return FALSE;

  _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "Connecting to %s port %u", self->endpoint.host, self->endpoint.port);
  if (!ms_connection_connect (self->conn, cancellable, error))
    return FALSE;
  remote = ms_connection_get_remote_address (self->conn);
  _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "Connected to %s", remote);
  self->state = MS_SMTP_CLIENT_READY;

  g_free (self->helo_used);
  if (self->helo_name != NULL)
    self->helo_used = g_strdup (self->helo_name);
  else
    self->helo_used = ms_connection_get_local_literal (self->conn);
  if (self->helo_used == NULL)
    self->helo_used = g_strdup ("localhost");

  if (self->endpoint.security == MS_SECURITY_TLS)
    {
      ms_connection_set_timeout (self->conn, self->timeouts.connect);
      /* A server that greets in plain text before our ClientHello is not a TLS port. */
      if (ms_connection_has_pending_input (self->conn))
        {
          g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                       _("%s did not answer with TLS on port %u: on this port the server probably "
                         "expects STARTTLS or no encryption (port 465 is for TLS, 587 for STARTTLS)"),
                       self->endpoint.host, self->endpoint.port);
          _ms_smtp_client_disconnect (self);
          return FALSE;
        }
      if (!ms_connection_start_tls (self->conn, cancellable, error))
        {
          _ms_smtp_client_disconnect (self);
          return FALSE;
        }
      _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "TLS: %s, %s", ms_connection_get_tls_version (self->conn),
                              ms_connection_get_tls_cipher (self->conn));
    }

  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_GREETING, self->timeouts.greeting, cancellable, &local_error);
  if (reply == NULL)
    {
      add_greeting_advice (self, &local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->greeting = ms_smtp_reply_copy (reply);
  if (reply->code != 220)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_GREETING, NULL, error);
      _ms_smtp_client_disconnect (self);
      return FALSE;
    }

  if (!say_ehlo (self, cancellable, error))
    return FALSE;

  if (self->endpoint.security == MS_SECURITY_STARTTLS && !start_tls (self, cancellable, error))
    return FALSE;

  return TRUE;
}

/* Authentication */

static char *
base64_of (const char *data,
           gsize       length)
{
  return g_base64_encode ((const guchar *) data, length);
}

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

typedef char *SecretString;
G_DEFINE_AUTO_CLEANUP_FREE_FUNC (SecretString, wipe_free, NULL)

static gboolean
auth_plain (MsSmtpClient  *self,
            const char    *login,
            const char    *password,
            GCancellable  *cancellable,
            GError       **error)
{
  gsize login_len = strlen (login);
  gsize password_len = strlen (password);
  gsize raw_len = login_len + password_len + 2;
  g_auto(SecretString) raw = g_malloc0 (raw_len + 1);
  g_auto(SecretString) encoded = NULL;
  g_auto(SecretString) command = NULL;
  const MsSmtpReply *reply;

  /* authzid NUL authcid NUL password (RFC 4616), authzid empty */
  memcpy (raw + 1, login, login_len);
  memcpy (raw + 2 + login_len, password, password_len);
  encoded = base64_of (raw, raw_len);
  explicit_bzero (raw, raw_len);
  command = g_strconcat ("AUTH PLAIN ", encoded, NULL);

  if (!send_command (self, command, "AUTH PLAIN ****", cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 334)
    {
      /* A server that ignored the initial response asks for it again. */
      if (!send_command (self, encoded, "****", cancellable, error))
        return FALSE;
      reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code != 235)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_AUTH, NULL, error);
      return FALSE;
    }
  return TRUE;
}

static gboolean
auth_login (MsSmtpClient  *self,
            const char    *login,
            const char    *password,
            GCancellable  *cancellable,
            GError       **error)
{
  g_autofree char *user64 = base64_of (login, strlen (login));
  g_auto(SecretString) pass64 = base64_of (password, strlen (password));
  const MsSmtpReply *reply;

  if (!send_command (self, "AUTH LOGIN", NULL, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 334)
    {
      if (!send_command (self, user64, NULL, cancellable, error))
        return FALSE;
      reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code == 334)
    {
      if (!send_command (self, pass64, "****", cancellable, error))
        return FALSE;
      reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code != 235)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_AUTH, NULL, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_authenticate (MsSmtpClient  *self,
                             const char    *login,
                             const char    *password,
                             GCancellable  *cancellable,
                             GError       **error)
{
  const char * const *mechs;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (login != NULL, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_READY, FALSE);

  if (!ms_connection_is_tls (self->conn) && !self->allow_plaintext_auth)
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_PLAINTEXT,
                   _("The connection to %s is not encrypted, so the password was not sent. "
                     "Choose TLS or STARTTLS, or “no encryption” only if you accept that "
                     "anyone on the network can read the password"), self->endpoint.host);
      return FALSE;
    }
  if (!(self->caps & MS_SMTP_CAP_AUTH))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_UNAVAILABLE,
                   _("%s does not offer a login (no AUTH): leave the login empty if it "
                     "needs none, or check the port and security"), self->endpoint.host);
      return FALSE;
    }
  if (strchr (login, '\r') != NULL || strchr (login, '\n') != NULL)
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED,
                   _("The login contains a line break"));
      return FALSE;
    }

  mechs = (const char * const *) self->auth_mechanisms;
  _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "Logging in as %s", login);
  if (g_strv_contains (mechs, "PLAIN"))
    return auth_plain (self, login, password, cancellable, error);
  if (g_strv_contains (mechs, "LOGIN"))
    return auth_login (self, login, password, cancellable, error);

  {
    g_autofree char *offered = g_strjoinv (" ", self->auth_mechanisms);

    g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_UNAVAILABLE,
                 _("%s offers only the login methods %s, and Mailshot supports PLAIN and "
                   "LOGIN"), self->endpoint.host, offered);
  }
  return FALSE;
}

/* Simple commands */

gboolean
_ms_smtp_client_simple_command (MsSmtpClient  *self,
                                const char    *command,
                                MsSmtpStage    stage,
                                GCancellable  *cancellable,
                                GError       **error)
{
  const MsSmtpReply *reply;

  if (!send_command (self, command, NULL, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, stage, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      _ms_smtp_client_set_rejected (self, reply, stage, NULL, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_noop (MsSmtpClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state != MS_SMTP_CLIENT_DATA && self->state != MS_SMTP_CLIENT_AHEAD, FALSE);

  return _ms_smtp_client_simple_command (self, "NOOP", MS_SMTP_STAGE_RSET, cancellable, error);
}

gboolean
ms_smtp_client_rset (MsSmtpClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state != MS_SMTP_CLIENT_DATA && self->state != MS_SMTP_CLIENT_AHEAD, FALSE);

  if (!_ms_smtp_client_simple_command (self, "RSET", MS_SMTP_STAGE_RSET, cancellable, error))
    return FALSE;
  self->state = MS_SMTP_CLIENT_READY;
  return TRUE;
}

gboolean
ms_smtp_client_quit (MsSmtpClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  if (self->state == MS_SMTP_CLIENT_DATA || self->state == MS_SMTP_CLIENT_AHEAD)
    {
      /* QUIT would become part of the message (or of the one whose envelope went
       * ahead): just hang up. */
      _ms_smtp_client_disconnect (self);
      return TRUE;
    }
  ok = _ms_smtp_client_simple_command (self, "QUIT", MS_SMTP_STAGE_QUIT, cancellable, error);
  _ms_smtp_client_disconnect (self);
  return ok;
}

void
ms_smtp_client_close (MsSmtpClient *self)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  _ms_smtp_client_disconnect (self);
}

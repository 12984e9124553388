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

#include "ms-smtp-client.h"

#define BODY_CHUNK (64 * 1024)

typedef enum
{
  STATE_DISCONNECTED,
  STATE_READY,         /* between transactions */
  STATE_MAIL,          /* MAIL FROM accepted */
  STATE_DATA,          /* 354 received: the body may be written */
} State;

struct _MsSmtpClient
{
  GObject             parent_instance;

  char               *host;
  guint16             port;
  MsSecurity          security;
  char               *ca_file;
  char               *pinned;
  char               *helo_name;
  MsSmtpTimeouts      timeouts;
  gboolean            allow_plaintext_auth;
  gboolean            use_pipelining;

  MsSmtpTraceFunc     trace_func;
  gpointer            trace_data;
  GDestroyNotify      trace_destroy;

  MsConnection       *conn;
  MsSmtpReplyParser  *parser;
  State               state;
  MsSmtpCapabilities  caps;
  guint64             max_size;
  GStrv               auth_mechanisms;
  MsSmtpReply        *greeting;
  MsSmtpReply        *last_reply;
  MsSmtpReply        *error_reply;
  MsSmtpStage         error_stage;

  /* The body being written */
  gboolean            body_line_start;
  gboolean            body_pending_cr;
  GString            *body_out;
};

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
  g_free (self->host);
  g_free (self->ca_file);
  g_free (self->pinned);
  g_free (self->helo_name);

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
  self->host = g_strdup (host);
  self->port = port;
  self->security = security;
  return self;
}

void
ms_smtp_client_set_ca_file (MsSmtpClient *self,
                            const char   *path)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  g_free (self->ca_file);
  self->ca_file = g_strdup (path);
}

gboolean
ms_smtp_client_set_pinned_sha256 (MsSmtpClient  *self,
                                  const char    *fingerprint,
                                  GError       **error)
{
  char *normalized = NULL;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (fingerprint != NULL && *fingerprint != '\0')
    {
      normalized = ms_fingerprint_normalize (fingerprint, error);
      if (normalized == NULL)
        return FALSE;
    }
  g_free (self->pinned);
  self->pinned = normalized;
  return TRUE;
}

void
ms_smtp_client_set_helo_name (MsSmtpClient *self,
                              const char   *name)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

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

  return self->state != STATE_DISCONNECTED;
}

const char *
ms_smtp_client_get_host (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), NULL);

  return self->host;
}

guint16
ms_smtp_client_get_port (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), 0);

  return self->port;
}

/* Helpers */

gboolean
ms_smtp_data_is_8bit (const void *data,
                      gsize       length)
{
  const guint8 *p = data;

  for (gsize i = 0; i < length; i++)
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

static void
trace (MsSmtpClient *self,
       MsSmtpTrace   kind,
       const char   *line)
{
  if (kind == MS_SMTP_TRACE_SENT)
    g_debug ("%s:%u C: %s", self->host, self->port, line);
  else if (kind == MS_SMTP_TRACE_RECEIVED)
    g_debug ("%s:%u S: %s", self->host, self->port, line);
  else
    g_debug ("%s:%u %s", self->host, self->port, line);

  if (self->trace_func != NULL)
    self->trace_func (self, kind, line, self->trace_data);
}

G_GNUC_PRINTF (3, 4)
static void
tracef (MsSmtpClient *self,
        MsSmtpTrace   kind,
        const char   *format,
        ...)
{
  g_autofree char *line = NULL;
  va_list args;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  trace (self, kind, line);
}

static void
disconnect (MsSmtpClient *self)
{
  if (self->conn != NULL)
    ms_connection_close (self->conn);
  self->state = STATE_DISCONNECTED;
}

static void
clear_error_reply (MsSmtpClient *self)
{
  g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
  self->error_stage = MS_SMTP_STAGE_GREETING;
}

static gboolean
check_connected (MsSmtpClient  *self,
                 GError       **error)
{
  clear_error_reply (self);
  if (self->state != STATE_DISCONNECTED && self->conn != NULL)
    return TRUE;
  g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
               _("The connection to %s is closed"), self->host);
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
static gboolean
write_commands (MsSmtpClient  *self,
                const char    *text,
                gsize          length,
                guint          timeout,
                GCancellable  *cancellable,
                GError       **error)
{
  ms_connection_set_timeout (self->conn, timeout);
  if (!ms_connection_write_all (self->conn, text, length, cancellable, error))
    {
      disconnect (self);
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

  trace (self, MS_SMTP_TRACE_SENT, shown != NULL ? shown : command);
  ok = write_commands (self, line, strlen (line), self->timeouts.command, cancellable, error);
  explicit_bzero (line, strlen (line));
  return ok;
}

/* Reads one reply; it stays owned by the client as the last reply. */
static const MsSmtpReply *
read_reply (MsSmtpClient  *self,
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
          disconnect (self);
          return NULL;
        }
      trace (self, MS_SMTP_TRACE_RECEIVED, line);
      if (!ms_smtp_reply_parser_add_line (self->parser, line, length, &done, error))
        {
          ms_smtp_reply_parser_free (self->parser);
          self->parser = ms_smtp_reply_parser_new ();
          disconnect (self);
          return NULL;
        }
    }

  g_clear_pointer (&self->last_reply, ms_smtp_reply_free);
  self->last_reply = ms_smtp_reply_parser_finish (self->parser, enhanced);
  return self->last_reply;
}

/* Records @reply as the cause of a failure at @stage and sets the error. */
static void
set_rejected (MsSmtpClient       *self,
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
                   self->host, shown);
      break;
    case MS_SMTP_STAGE_EHLO:
      g_set_error (error, MS_SMTP_ERROR, code, _("%s refused the greeting (EHLO): %s"),
                   self->host, shown);
      break;
    case MS_SMTP_STAGE_STARTTLS:
      g_set_error (error, MS_SMTP_ERROR, code, _("%s refused to start TLS: %s"),
                   self->host, shown);
      break;
    case MS_SMTP_STAGE_AUTH:
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED,
                   _("%s refused the login: %s"), self->host, shown);
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
    disconnect (self);
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
  g_autofree char *ehlo = g_strdup_printf ("EHLO %s", self->helo_name);
  g_autofree char *helo = g_strdup_printf ("HELO %s", self->helo_name);
  const MsSmtpReply *reply;

  reset_capabilities (self);
  if (!send_command (self, ehlo, NULL, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_EHLO, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 250)
    {
      parse_capabilities (self, reply);
      return TRUE;
    }
  if (reply->code < 500)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_EHLO, NULL, error);
      return FALSE;
    }

  /* An old server without ESMTP */
  if (!send_command (self, helo, NULL, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_EHLO, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 250)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_EHLO, NULL, error);
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
                     "STARTTLS, 465 uses TLS from the start)"), self->host, self->port);
      disconnect (self);
      return FALSE;
    }
  if (!send_command (self, "STARTTLS", NULL, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_STARTTLS, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 220)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_STARTTLS, NULL, error);
      disconnect (self);
      return FALSE;
    }
  /* Anything after the 220 and before the handshake would be read later as if it
   * came through TLS: the response-injection attack (CVE-2011-0411 and kin). */
  if (ms_connection_has_pending_input (self->conn))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_INJECTION,
                   _("%s sent data after agreeing to start TLS and before TLS began. Someone "
                     "may be tampering with the connection, so it was closed; nothing was sent"),
                   self->host);
      disconnect (self);
      return FALSE;
    }

  ms_connection_set_timeout (self->conn, self->timeouts.connect);
  if (!ms_connection_start_tls (self->conn, cancellable, error))
    {
      disconnect (self);
      return FALSE;
    }
  tracef (self, MS_SMTP_TRACE_INFO, "TLS: %s, %s", ms_connection_get_tls_version (self->conn),
          ms_connection_get_tls_cipher (self->conn));

  /* Forget what was said in plain text and ask again. */
  if (!say_ehlo (self, cancellable, error))
    return FALSE;
  if (!(self->caps & MS_SMTP_CAP_ESMTP))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE,
                   _("%s stopped speaking ESMTP after STARTTLS"), self->host);
      disconnect (self);
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
      || self->security == MS_SECURITY_TLS || self->port != 465)
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
  g_return_val_if_fail (self->state == STATE_DISCONNECTED, FALSE);

  clear_error_reply (self);
  reset_capabilities (self);
  g_clear_pointer (&self->greeting, ms_smtp_reply_free);
  g_clear_object (&self->conn);

  self->conn = ms_connection_new (self->host, self->port);
  ms_connection_set_connect_timeout (self->conn, self->timeouts.connect);
  ms_connection_set_ca_file (self->conn, self->ca_file);
  if (!ms_connection_set_pinned_sha256 (self->conn, self->pinned, error))
    return FALSE;

  tracef (self, MS_SMTP_TRACE_INFO, "Connecting to %s port %u", self->host, self->port);
  if (!ms_connection_connect (self->conn, cancellable, error))
    return FALSE;
  remote = ms_connection_get_remote_address (self->conn);
  tracef (self, MS_SMTP_TRACE_INFO, "Connected to %s", remote);
  self->state = STATE_READY;

  if (self->helo_name == NULL)
    self->helo_name = ms_connection_get_local_literal (self->conn);
  if (self->helo_name == NULL)
    self->helo_name = g_strdup ("localhost");

  if (self->security == MS_SECURITY_TLS)
    {
      ms_connection_set_timeout (self->conn, self->timeouts.connect);
      if (!ms_connection_start_tls (self->conn, cancellable, error))
        {
          disconnect (self);
          return FALSE;
        }
      tracef (self, MS_SMTP_TRACE_INFO, "TLS: %s, %s", ms_connection_get_tls_version (self->conn),
              ms_connection_get_tls_cipher (self->conn));
    }

  reply = read_reply (self, MS_SMTP_STAGE_GREETING, self->timeouts.greeting, cancellable, &local_error);
  if (reply == NULL)
    {
      add_greeting_advice (self, &local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  self->greeting = ms_smtp_reply_copy (reply);
  if (reply->code != 220)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_GREETING, NULL, error);
      disconnect (self);
      return FALSE;
    }

  if (!say_ehlo (self, cancellable, error))
    return FALSE;

  if (self->security == MS_SECURITY_STARTTLS && !start_tls (self, cancellable, error))
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
  reply = read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 334)
    {
      /* A server that ignored the initial response asks for it again. */
      if (!send_command (self, encoded, "****", cancellable, error))
        return FALSE;
      reply = read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code != 235)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_AUTH, NULL, error);
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
  reply = read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code == 334)
    {
      if (!send_command (self, user64, NULL, cancellable, error))
        return FALSE;
      reply = read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code == 334)
    {
      if (!send_command (self, pass64, "****", cancellable, error))
        return FALSE;
      reply = read_reply (self, MS_SMTP_STAGE_AUTH, self->timeouts.command, cancellable, error);
      if (reply == NULL)
        return FALSE;
    }
  if (reply->code != 235)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_AUTH, NULL, error);
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

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_READY, FALSE);

  if (!ms_connection_is_tls (self->conn) && !self->allow_plaintext_auth)
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_PLAINTEXT,
                   _("The connection to %s is not encrypted, so the password was not sent. "
                     "Choose TLS or STARTTLS, or “no encryption” only if you accept that "
                     "anyone on the network can read the password"), self->host);
      return FALSE;
    }
  if (!(self->caps & MS_SMTP_CAP_AUTH))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_UNAVAILABLE,
                   _("%s does not offer a login (no AUTH): leave the login empty if it "
                     "needs none, or check the port and security"), self->host);
      return FALSE;
    }
  if (strchr (login, '\r') != NULL || strchr (login, '\n') != NULL)
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_FAILED,
                   _("The login contains a line break"));
      return FALSE;
    }

  mechs = (const char * const *) self->auth_mechanisms;
  tracef (self, MS_SMTP_TRACE_INFO, "Logging in as %s", login);
  if (g_strv_contains (mechs, "PLAIN"))
    return auth_plain (self, login, password, cancellable, error);
  if (g_strv_contains (mechs, "LOGIN"))
    return auth_login (self, login, password, cancellable, error);

  {
    g_autofree char *offered = g_strjoinv (" ", self->auth_mechanisms);

    g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_AUTH_UNAVAILABLE,
                 _("%s offers only the login methods %s, and Mailshot supports PLAIN and "
                   "LOGIN"), self->host, offered);
  }
  return FALSE;
}

/* Simple commands */

static gboolean
simple_command (MsSmtpClient  *self,
                const char    *command,
                MsSmtpStage    stage,
                GCancellable  *cancellable,
                GError       **error)
{
  const MsSmtpReply *reply;

  if (!send_command (self, command, NULL, cancellable, error))
    return FALSE;
  reply = read_reply (self, stage, self->timeouts.command, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      set_rejected (self, reply, stage, NULL, error);
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

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state != STATE_DATA, FALSE);

  return simple_command (self, "NOOP", MS_SMTP_STAGE_RSET, cancellable, error);
}

gboolean
ms_smtp_client_rset (MsSmtpClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state != STATE_DATA, FALSE);

  if (!simple_command (self, "RSET", MS_SMTP_STAGE_RSET, cancellable, error))
    return FALSE;
  self->state = STATE_READY;
  return TRUE;
}

gboolean
ms_smtp_client_quit (MsSmtpClient  *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!check_connected (self, error))
    return FALSE;
  if (self->state == STATE_DATA)
    {
      /* QUIT would become part of the message: just hang up. */
      disconnect (self);
      return TRUE;
    }
  ok = simple_command (self, "QUIT", MS_SMTP_STAGE_QUIT, cancellable, error);
  disconnect (self);
  return ok;
}

void
ms_smtp_client_close (MsSmtpClient *self)
{
  g_return_if_fail (MS_IS_SMTP_CLIENT (self));

  disconnect (self);
}

/* Transactions */

/* Checks @address and appends it as it goes between < and >: the domain in ASCII
 * unless the local part needs SMTPUTF8 anyway. */
static gboolean
append_address (MsSmtpClient  *self,
                GString       *out,
                const char    *address,
                gboolean       allow_empty,
                gboolean      *needs_utf8,
                GError       **error)
{
  gboolean quoted = FALSE;
  const char *at;

  if (*address == '\0' && allow_empty)
    return TRUE;

  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' && (p == address || p[-1] != '\\'))
        quoted = !quoted;
      if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || (c == ' ' && !quoted))
        {
          g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                       _("“%s” cannot be sent: an address must not contain spaces, line "
                         "breaks, “<” or “>”"), address);
          return FALSE;
        }
    }
  if (*address == '\0' || !g_utf8_validate (address, -1, NULL))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                   _("“%s” is not a valid address"), address);
      return FALSE;
    }

  at = strrchr (address, '@');
  if (ms_smtp_address_needs_smtputf8 (address))
    {
      *needs_utf8 = TRUE;
      g_string_append (out, address);
    }
  else if (at != NULL && ms_smtp_data_is_8bit (at, strlen (at)))
    {
      g_autofree char *domain = g_hostname_to_ascii (at + 1);

      if (domain == NULL)
        {
          g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                       _("The domain of “%s” is not valid"), address);
          return FALSE;
        }
      g_string_append_len (out, address, at - address + 1);
      g_string_append (out, domain);
    }
  else
    g_string_append (out, address);

  return TRUE;
}

static gboolean
check_message_capabilities (MsSmtpClient     *self,
                            gsize             size,
                            MsSmtpMailFlags   flags,
                            GError          **error)
{
  if ((flags & MS_SMTP_MAIL_SMTPUTF8) && !(self->caps & MS_SMTP_CAP_SMTPUTF8))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE,
                   _("This message has an address with non-Latin letters before the @, and "
                     "%s does not support such addresses (no SMTPUTF8)"), self->host);
      return FALSE;
    }
  if ((flags & MS_SMTP_MAIL_8BITMIME) && !(self->caps & MS_SMTP_CAP_8BITMIME))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_8BITMIME_UNAVAILABLE,
                   _("This message contains 8-bit text and %s accepts only 7-bit messages "
                     "(no 8BITMIME)"), self->host);
      return FALSE;
    }
  if ((self->caps & MS_SMTP_CAP_SIZE) && self->max_size > 0 && size > self->max_size)
    {
      g_autofree char *have = g_format_size (size);
      g_autofree char *limit = g_format_size (self->max_size);

      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_TOO_BIG,
                   _("The message is %s and %s accepts at most %s"), have, self->host, limit);
      return FALSE;
    }
  return TRUE;
}

static char *
build_mail_command (MsSmtpClient     *self,
                    const char       *from,
                    gsize             size,
                    MsSmtpMailFlags  *flags,
                    GError          **error)
{
  g_autoptr(GString) line = g_string_new ("MAIL FROM:<");
  gboolean utf8 = FALSE;

  if (!append_address (self, line, from, TRUE, &utf8, error))
    return NULL;
  g_string_append_c (line, '>');
  if (utf8)
    *flags |= MS_SMTP_MAIL_SMTPUTF8;
  if (!check_message_capabilities (self, size, *flags, error))
    return NULL;

  if ((self->caps & MS_SMTP_CAP_SIZE) && size > 0)
    g_string_append_printf (line, " SIZE=%" G_GSIZE_FORMAT, size);
  if (*flags & MS_SMTP_MAIL_8BITMIME)
    g_string_append (line, " BODY=8BITMIME");
  if (*flags & MS_SMTP_MAIL_SMTPUTF8)
    g_string_append (line, " SMTPUTF8");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
build_rcpt_command (MsSmtpClient  *self,
                    const char    *recipient,
                    gboolean      *utf8,
                    GError       **error)
{
  g_autoptr(GString) line = g_string_new ("RCPT TO:<");

  if (!append_address (self, line, recipient, FALSE, utf8, error))
    return NULL;
  g_string_append_c (line, '>');
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
body_reset (MsSmtpClient *self)
{
  self->body_line_start = TRUE;
  self->body_pending_cr = FALSE;
}

gboolean
ms_smtp_client_mail_from (MsSmtpClient     *self,
                          const char       *from,
                          gsize             size,
                          MsSmtpMailFlags   flags,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_autofree char *command = NULL;
  const MsSmtpReply *reply;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL, FALSE);

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_READY, FALSE);

  command = build_mail_command (self, from, size, &flags, error);
  if (command == NULL)
    return FALSE;
  trace (self, MS_SMTP_TRACE_SENT, command);
  command = g_realloc (command, strlen (command) + 3);
  strcat (command, "\r\n");
  if (!write_commands (self, command, strlen (command), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }
  self->state = STATE_MAIL;
  return TRUE;
}

gboolean
ms_smtp_client_rcpt_to (MsSmtpClient  *self,
                        const char    *recipient,
                        MsSmtpReply  **out_reply,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *command = NULL;
  const MsSmtpReply *reply;
  gboolean utf8 = FALSE;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (recipient != NULL, FALSE);

  if (out_reply != NULL)
    *out_reply = NULL;
  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_MAIL, FALSE);

  command = build_rcpt_command (self, recipient, &utf8, error);
  if (command == NULL)
    {
      self->error_stage = MS_SMTP_STAGE_RCPT;
      return FALSE;
    }
  trace (self, MS_SMTP_TRACE_SENT, command);
  command = g_realloc (command, strlen (command) + 3);
  strcat (command, "\r\n");
  if (!write_commands (self, command, strlen (command), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (out_reply != NULL)
    *out_reply = ms_smtp_reply_copy (reply);
  if (reply->code / 100 != 2)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipient, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_data_begin (MsSmtpClient  *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  const MsSmtpReply *reply;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_MAIL, FALSE);

  trace (self, MS_SMTP_TRACE_SENT, "DATA");
  if (!write_commands (self, "DATA\r\n", 6, self->timeouts.command, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_DATA, self->timeouts.data_init, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 354)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_DATA, NULL, error);
      return FALSE;
    }
  self->state = STATE_DATA;
  body_reset (self);
  return TRUE;
}

/* After a failed transaction: RSET so the next message starts clean.  Keeps the
 * error reply of the failure. */
static void
reset_after_failure (MsSmtpClient *self,
                     GCancellable *cancellable)
{
  g_autoptr(MsSmtpReply) saved = g_steal_pointer (&self->error_reply);
  MsSmtpStage saved_stage = self->error_stage;
  g_autoptr(GError) error = NULL;

  if (self->state != STATE_DISCONNECTED)
    {
      if (!simple_command (self, "RSET", MS_SMTP_STAGE_RSET, cancellable, &error))
        {
          g_debug ("RSET after a failed transaction failed: %s", error->message);
          disconnect (self);
        }
      else
        self->state = STATE_READY;
    }
  g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
  self->error_reply = g_steal_pointer (&saved);
  self->error_stage = saved_stage;
}

static gboolean
begin_pipelined (MsSmtpClient        *self,
                 const char          *from,
                 const char          *mail_command,
                 const char * const  *recipients,
                 GPtrArray           *rcpt_commands,
                 GPtrArray           *replies,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GString) batch = g_string_new (NULL);
  g_autoptr(MsSmtpReply) mail_reply = NULL;
  g_autoptr(MsSmtpReply) data_reply = NULL;
  const MsSmtpReply *last_refusal = NULL;
  const char *refused_rcpt = NULL;
  const MsSmtpReply *reply;
  guint accepted = 0;

  trace (self, MS_SMTP_TRACE_SENT, mail_command);
  g_string_append (batch, mail_command);
  g_string_append (batch, "\r\n");
  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      trace (self, MS_SMTP_TRACE_SENT, g_ptr_array_index (rcpt_commands, i));
      g_string_append (batch, g_ptr_array_index (rcpt_commands, i));
      g_string_append (batch, "\r\n");
    }
  trace (self, MS_SMTP_TRACE_SENT, "DATA");
  g_string_append (batch, "DATA\r\n");
  if (!write_commands (self, batch->str, batch->len, self->timeouts.command, cancellable, error))
    return FALSE;

  /* The replies come in the order of the commands (RFC 2920 §3.1). */
  reply = read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  mail_reply = ms_smtp_reply_copy (reply);
  if (reply->code == 421)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }

  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      reply = read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
      if (reply == NULL)
        return FALSE;
      g_ptr_array_add (replies, ms_smtp_reply_copy (reply));
      if (reply->code / 100 == 2)
        accepted++;
      else
        {
          last_refusal = g_ptr_array_index (replies, replies->len - 1);
          refused_rcpt = recipients[i];
        }
      if (reply->code == 421)
        {
          set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipients[i], error);
          return FALSE;
        }
    }

  reply = read_reply (self, MS_SMTP_STAGE_DATA, self->timeouts.data_init, cancellable, error);
  if (reply == NULL)
    return FALSE;
  data_reply = ms_smtp_reply_copy (reply);

  if (mail_reply->code / 100 == 2 && accepted > 0 && data_reply->code == 354)
    {
      self->state = STATE_DATA;
      body_reset (self);
      return TRUE;
    }

  if (mail_reply->code / 100 != 2)
    set_rejected (self, mail_reply, MS_SMTP_STAGE_MAIL, from, error);
  else if (accepted == 0)
    set_rejected (self, last_refusal, MS_SMTP_STAGE_RCPT, refused_rcpt, error);
  else
    set_rejected (self, data_reply, MS_SMTP_STAGE_DATA, NULL, error);

  if (self->state != STATE_DISCONNECTED && data_reply->code == 354)
    {
      /* The server wants a message we will not send: end it empty. */
      g_autoptr(GError) local_error = NULL;

      trace (self, MS_SMTP_TRACE_SENT, ".");
      if (!write_commands (self, ".\r\n", 3, self->timeouts.data_block, cancellable, &local_error)
          || read_reply (self, MS_SMTP_STAGE_DATA_END, self->timeouts.data_end, cancellable, &local_error) == NULL)
        g_debug ("Ending an unwanted DATA failed: %s", local_error->message);
    }
  self->state = self->state == STATE_DISCONNECTED ? STATE_DISCONNECTED : STATE_MAIL;
  return FALSE;
}

static gboolean
begin_stepwise (MsSmtpClient        *self,
                const char          *from,
                const char          *mail_command,
                const char * const  *recipients,
                GPtrArray           *rcpt_commands,
                GPtrArray           *replies,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(MsSmtpReply) last_refusal = NULL;
  const char *refused_rcpt = NULL;
  g_autofree char *mail_line = g_strconcat (mail_command, "\r\n", NULL);
  const MsSmtpReply *reply;
  guint accepted = 0;

  trace (self, MS_SMTP_TRACE_SENT, mail_command);
  if (!write_commands (self, mail_line, strlen (mail_line), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }
  self->state = STATE_MAIL;

  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      g_autofree char *line = g_strconcat (g_ptr_array_index (rcpt_commands, i), "\r\n", NULL);

      trace (self, MS_SMTP_TRACE_SENT, g_ptr_array_index (rcpt_commands, i));
      if (!write_commands (self, line, strlen (line), self->timeouts.command, cancellable, error))
        return FALSE;
      reply = read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
      if (reply == NULL)
        return FALSE;
      g_ptr_array_add (replies, ms_smtp_reply_copy (reply));
      if (reply->code / 100 == 2)
        {
          accepted++;
          continue;
        }
      g_clear_pointer (&last_refusal, ms_smtp_reply_free);
      last_refusal = ms_smtp_reply_copy (reply);
      refused_rcpt = recipients[i];
      if (reply->code == 421)
        {
          set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipients[i], error);
          return FALSE;
        }
    }
  if (accepted == 0)
    {
      set_rejected (self, last_refusal, MS_SMTP_STAGE_RCPT, refused_rcpt, error);
      return FALSE;
    }

  return ms_smtp_client_data_begin (self, cancellable, error);
}

gboolean
ms_smtp_client_begin_message (MsSmtpClient        *self,
                              const char          *from,
                              const char * const  *recipients,
                              gsize                size,
                              MsSmtpMailFlags      flags,
                              GPtrArray          **rcpt_replies,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_smtp_reply_free);
  g_autoptr(GPtrArray) rcpt_commands = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *mail_command = NULL;
  gboolean utf8 = FALSE;
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL, FALSE);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, FALSE);

  if (rcpt_replies != NULL)
    *rcpt_replies = NULL;
  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_READY, FALSE);

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      char *command = build_rcpt_command (self, recipients[i], &utf8, error);

      if (command == NULL)
        {
          self->error_stage = MS_SMTP_STAGE_RCPT;
          return FALSE;
        }
      g_ptr_array_add (rcpt_commands, command);
    }
  if (utf8)
    flags |= MS_SMTP_MAIL_SMTPUTF8;
  mail_command = build_mail_command (self, from, size, &flags, error);
  if (mail_command == NULL)
    {
      self->error_stage = MS_SMTP_STAGE_MAIL;
      return FALSE;
    }

  if ((self->caps & MS_SMTP_CAP_PIPELINING) && self->use_pipelining)
    ok = begin_pipelined (self, from, mail_command, recipients, rcpt_commands, replies,
                          cancellable, error);
  else
    ok = begin_stepwise (self, from, mail_command, recipients, rcpt_commands, replies,
                         cancellable, error);

  if (!ok && self->state != STATE_DISCONNECTED)
    reset_after_failure (self, cancellable);
  if (rcpt_replies != NULL)
    *rcpt_replies = g_steal_pointer (&replies);
  return ok;
}

/* Copies @data into @out with every line ending made CR LF and a dot doubled at
 * the start of a line (RFC 5321 §4.5.2).  A bare CR counts as a line end. */
static void
stuff_body (MsSmtpClient *self,
            const guint8 *data,
            gsize         length,
            GString      *out)
{
  const guint8 *p = data;
  const guint8 *end = data + length;

  while (p < end)
    {
      const guint8 *run = p;

      if (self->body_pending_cr)
        {
          self->body_pending_cr = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }
      if (self->body_line_start && *p == '.')
        g_string_append_c (out, '.');

      /* Copy up to the next line end in one go. */
      while (p < end && *p != '\r' && *p != '\n')
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (p == end)
        {
          if (p > run)
            self->body_line_start = FALSE;
          break;
        }
      g_string_append_len (out, "\r\n", 2);
      self->body_line_start = TRUE;
      self->body_pending_cr = (*p == '\r');
      p++;
    }
}

gboolean
ms_smtp_client_data_write_body (MsSmtpClient  *self,
                                const void    *data,
                                gsize          length,
                                GCancellable  *cancellable,
                                GError       **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_DATA, FALSE);

  while (length > 0)
    {
      gsize chunk = MIN (length, BODY_CHUNK);

      g_string_truncate (self->body_out, 0);
      stuff_body (self, p, chunk, self->body_out);
      if (!write_commands (self, self->body_out->str, self->body_out->len,
                           self->timeouts.data_block, cancellable, error))
        return FALSE;
      p += chunk;
      length -= chunk;
    }
  return TRUE;
}

gboolean
ms_smtp_client_data_finish (MsSmtpClient  *self,
                            GCancellable  *cancellable,
                            GError       **error)
{
  const MsSmtpReply *reply;
  const char *end;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == STATE_DATA, FALSE);

  end = self->body_line_start ? ".\r\n" : "\r\n.\r\n";
  trace (self, MS_SMTP_TRACE_SENT, ".");
  if (!write_commands (self, end, strlen (end), self->timeouts.data_block, cancellable, error))
    return FALSE;
  reply = read_reply (self, MS_SMTP_STAGE_DATA_END, self->timeouts.data_end, cancellable, error);
  if (reply == NULL)
    return FALSE;
  self->state = STATE_READY;
  if (reply->code / 100 != 2)
    {
      set_rejected (self, reply, MS_SMTP_STAGE_DATA_END, NULL, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_send_sync (MsSmtpClient        *self,
                          const char          *from,
                          const char * const  *recipients,
                          GBytes              *message,
                          GPtrArray          **rcpt_replies,
                          GCancellable        *cancellable,
                          GError             **error)
{
  MsSmtpMailFlags flags = MS_SMTP_MAIL_DEFAULT;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  data = g_bytes_get_data (message, &length);
  if (ms_smtp_data_is_8bit (data, length))
    flags |= MS_SMTP_MAIL_8BITMIME;

  if (!ms_smtp_client_begin_message (self, from, recipients, length, flags, rcpt_replies,
                                     cancellable, error))
    return FALSE;
  tracef (self, MS_SMTP_TRACE_INFO, "[%" G_GSIZE_FORMAT " bytes of message]", length);
  if (!ms_smtp_client_data_write_body (self, data, length, cancellable, error))
    return FALSE;
  return ms_smtp_client_data_finish (self, cancellable, error);
}

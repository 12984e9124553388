/* ms-smtp-client-private.h
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

#include "ms-smtp-client.h"

G_BEGIN_DECLS

/* Shared by ms-smtp-client.c (session: connect, TLS, AUTH, simple commands) and
 * ms-smtp-client-send.c (transactions: envelope, body, final dot). */

#define BODY_CHUNK (64 * 1024)

/* More recipients than this go one command at a time: a huge pipelined batch
 * could fill both directions' buffers and deadlock (RFC 2920 §3.3). */
#define MAX_PIPELINED_RCPTS 100

typedef enum
{
  MS_SMTP_CLIENT_DISCONNECTED,
  MS_SMTP_CLIENT_READY,         /* between transactions */
  MS_SMTP_CLIENT_MAIL,          /* MAIL FROM accepted */
  MS_SMTP_CLIENT_DATA,          /* 354 received: the body may be written */
  MS_SMTP_CLIENT_AHEAD,         /* the next envelope went out with the last dot */
} MsSmtpClientState;

struct _MsSmtpClient
{
  GObject             parent_instance;

  MsEndpoint          endpoint;
  char               *helo_name;     /* set by the caller, or NULL */
  char               *helo_used;     /* the EHLO argument of this connection */
  MsSmtpTimeouts      timeouts;
  gboolean            allow_plaintext_auth;
  gboolean            use_pipelining;

  MsSmtpTraceFunc     trace_func;
  gpointer            trace_data;
  GDestroyNotify      trace_destroy;

  MsConnection       *conn;
  MsSmtpReplyParser  *parser;
  MsSmtpClientState   state;
  MsSmtpCapabilities  caps;
  guint64             max_size;
  GStrv               auth_mechanisms;
  MsSmtpReply        *greeting;
  MsSmtpReply        *last_reply;
  MsSmtpReply        *error_reply;
  MsSmtpStage         error_stage;

  /* The envelope sent ahead (MS_SMTP_CLIENT_AHEAD): its commands, to match */
  char               *ahead_mail;
  GPtrArray          *ahead_rcpts;

  /* The body being written */
  gboolean            body_line_start;
  gboolean            body_pending_cr;
  GString            *body_out;
};

void               _ms_smtp_client_trace           (MsSmtpClient       *self,
                                                    MsSmtpTrace         kind,
                                                    const char         *line);
void               _ms_smtp_client_tracef          (MsSmtpClient       *self,
                                                    MsSmtpTrace         kind,
                                                    const char         *format,
                                                    ...) G_GNUC_PRINTF (3, 4);
void               _ms_smtp_client_disconnect      (MsSmtpClient       *self);
/* Clears the error reply of the previous call; fails when disconnected. */
gboolean           _ms_smtp_client_check_connected (MsSmtpClient       *self,
                                                    GError            **error);
/* Writes @text (lines ending in CR LF); disconnects on failure. */
gboolean           _ms_smtp_client_write           (MsSmtpClient       *self,
                                                    const char         *text,
                                                    gsize               length,
                                                    guint               timeout,
                                                    GCancellable       *cancellable,
                                                    GError            **error);
/* Reads one reply, owned by the client as its last reply; disconnects on failure. */
const MsSmtpReply *_ms_smtp_client_read_reply      (MsSmtpClient       *self,
                                                    MsSmtpStage         stage,
                                                    guint               timeout,
                                                    GCancellable       *cancellable,
                                                    GError            **error);
/* Records @reply as the cause of a failure at @stage and sets the error; 421
 * disconnects. */
void               _ms_smtp_client_set_rejected    (MsSmtpClient       *self,
                                                    const MsSmtpReply  *reply,
                                                    MsSmtpStage         stage,
                                                    const char         *subject,
                                                    GError            **error);
/* Sends @command and expects a 2xx reply. */
gboolean           _ms_smtp_client_simple_command  (MsSmtpClient       *self,
                                                    const char         *command,
                                                    MsSmtpStage         stage,
                                                    GCancellable       *cancellable,
                                                    GError            **error);

G_END_DECLS

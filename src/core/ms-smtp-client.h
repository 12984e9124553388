/* ms-smtp-client.h
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

#include "ms-connection.h"
#include "ms-smtp-reply.h"

G_BEGIN_DECLS

/* What the server announced in its EHLO reply (after TLS when TLS is used). */
typedef enum
{
  MS_SMTP_CAP_NONE                = 0,
  MS_SMTP_CAP_ESMTP               = 1 << 0,  /* EHLO worked (not the HELO fallback) */
  MS_SMTP_CAP_STARTTLS            = 1 << 1,
  MS_SMTP_CAP_AUTH                = 1 << 2,
  MS_SMTP_CAP_SIZE                = 1 << 3,
  MS_SMTP_CAP_PIPELINING          = 1 << 4,
  MS_SMTP_CAP_8BITMIME            = 1 << 5,
  MS_SMTP_CAP_SMTPUTF8            = 1 << 6,
  MS_SMTP_CAP_ENHANCEDSTATUSCODES = 1 << 7,
  MS_SMTP_CAP_CHUNKING            = 1 << 8,
  MS_SMTP_CAP_DSN                 = 1 << 9,
} MsSmtpCapabilities;

/* What MAIL FROM must declare about a message. */
typedef enum
{
  MS_SMTP_MAIL_DEFAULT  = 0,
  MS_SMTP_MAIL_8BITMIME = 1 << 0,  /* the message has octets above 127: BODY=8BITMIME */
  MS_SMTP_MAIL_SMTPUTF8 = 1 << 1,  /* an address or header needs UTF-8: SMTPUTF8 */
} MsSmtpMailFlags;

/* Per-operation inactivity limits in milliseconds (0 waits forever); defaults are
 * RFC 5321 §4.5.3.2. */
typedef struct
{
  guint connect;     /* TCP connect and TLS handshake: 30 s */
  guint greeting;    /* 5 min */
  guint command;     /* EHLO, STARTTLS, AUTH, RSET, NOOP, QUIT: 5 min */
  guint mail;        /* 5 min */
  guint rcpt;        /* 5 min */
  guint data_init;   /* reply to DATA: 2 min */
  guint data_block;  /* each write of the message: 3 min */
  guint data_end;    /* reply to the final dot: 10 min */
} MsSmtpTimeouts;

void ms_smtp_timeouts_init_default (MsSmtpTimeouts *timeouts);

typedef enum
{
  MS_SMTP_TRACE_SENT,      /* a command line (credentials replaced by "****") */
  MS_SMTP_TRACE_RECEIVED,  /* a reply line */
  MS_SMTP_TRACE_INFO,      /* "Connected to ...", "TLS 1.3 ...", "[5120 bytes of message]" */
} MsSmtpTrace;

typedef struct _MsSmtpClient MsSmtpClient;

/* Called on the thread that drives the client, for a live log ("Test connection"). */
typedef void (*MsSmtpTraceFunc) (MsSmtpClient *client,
                                 MsSmtpTrace   kind,
                                 const char   *line,
                                 gpointer      user_data);

/* A blocking SMTP client (RFC 5321) for worker threads.
 *
 *   client = ms_smtp_client_new ("smtp.example.org", 465, MS_SECURITY_TLS);
 *   ms_smtp_client_connect (client, cancellable, &error);     TCP, TLS, greeting, EHLO
 *   ms_smtp_client_authenticate (client, login, password, cancellable, &error);
 *   for each message:
 *     ms_smtp_client_send_sync (client, from, rcpts, message, &replies, cancellable, &error);
 *   ms_smtp_client_quit (client, cancellable, NULL);
 *
 * The delivery engine, which must record "data-sent" between the body and the final
 * dot, uses the steps instead of send_sync():
 *
 *   ms_smtp_client_begin_message ()   MAIL FROM, RCPT TO..., DATA (one round trip
 *                                     with PIPELINING), ends after the 354 reply
 *   ms_smtp_client_data_write_body () the message, dot-stuffed, CR LF normalised,
 *                                     without the final dot (may be called repeatedly)
 *   ... commit data-sent ...
 *   ms_smtp_client_data_finish ()     the final dot and its reply
 *
 * STARTTLS, when chosen, is mandatory; capabilities are read again after TLS.  AUTH
 * refuses to send credentials without TLS unless ms_smtp_client_set_allow_plaintext_auth()
 * was called (the profile chose "no encryption").  A failed transaction is reset with
 * RSET so the connection carries on with the next message; after a successful final
 * dot the transaction is complete and the next MAIL FROM follows directly.
 *
 * Every failing call returns FALSE with an error in MS_SMTP_ERROR, MS_NET_ERROR or
 * G_IO_ERROR_CANCELLED; ms_smtp_client_classify_error() tells what it means for the
 * delivery.  After a network or protocol error the connection is closed. */
#define MS_TYPE_SMTP_CLIENT (ms_smtp_client_get_type ())

G_DECLARE_FINAL_TYPE (MsSmtpClient, ms_smtp_client, MS, SMTP_CLIENT, GObject)

MsSmtpClient       *ms_smtp_client_new                    (const char          *host,
                                                           guint16              port,
                                                           MsSecurity           security);

/* Configuration, before ms_smtp_client_connect() */
void                ms_smtp_client_set_ca_file            (MsSmtpClient        *self,
                                                           const char          *path);
gboolean            ms_smtp_client_set_pinned_sha256      (MsSmtpClient        *self,
                                                           const char          *fingerprint,
                                                           GError             **error);
/* The EHLO argument; default: the local address as a literal, "[192.0.2.1]". */
void                ms_smtp_client_set_helo_name          (MsSmtpClient        *self,
                                                           const char          *name);
void                ms_smtp_client_set_timeouts           (MsSmtpClient        *self,
                                                           const MsSmtpTimeouts *timeouts);
void                ms_smtp_client_get_timeouts           (MsSmtpClient        *self,
                                                           MsSmtpTimeouts      *timeouts);
void                ms_smtp_client_set_allow_plaintext_auth (MsSmtpClient      *self,
                                                           gboolean             allow);
/* Use PIPELINING when offered (default TRUE). */
void                ms_smtp_client_set_use_pipelining     (MsSmtpClient        *self,
                                                           gboolean             use);
void                ms_smtp_client_set_trace_func         (MsSmtpClient        *self,
                                                           MsSmtpTraceFunc      func,
                                                           gpointer             user_data,
                                                           GDestroyNotify       destroy);

/* Session */
gboolean            ms_smtp_client_connect                (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* AUTH PLAIN, else AUTH LOGIN.  The password is never logged or traced. */
gboolean            ms_smtp_client_authenticate           (MsSmtpClient        *self,
                                                           const char          *login,
                                                           const char          *password,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_noop                   (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_rset                   (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* Sends QUIT, reads its reply and closes; errors only say the goodbye was lost. */
gboolean            ms_smtp_client_quit                   (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* Closes without QUIT: the only way to abandon a message between its body and the
 * final dot. */
void                ms_smtp_client_close                  (MsSmtpClient        *self);
gboolean            ms_smtp_client_is_connected           (MsSmtpClient        *self);

/* Whole messages.  @message is the complete message (CR LF line ends; bare LF is
 * converted).  @rcpt_replies, when not NULL, receives one MsSmtpReply per recipient,
 * in order, also when the call fails after the RCPT replies.  Returns TRUE when the
 * server accepted the message for at least one recipient; recipients it refused are
 * in @rcpt_replies.  When every recipient is refused, fails with
 * MS_SMTP_ERROR_REJECTED (the last RCPT reply). */
gboolean            ms_smtp_client_send_sync              (MsSmtpClient        *self,
                                                           const char          *from,
                                                           const char * const  *recipients,
                                                           GBytes              *message,
                                                           GPtrArray          **rcpt_replies,
                                                           GCancellable        *cancellable,
                                                           GError             **error);

/* The steps of a message.  @size is the message length in octets (0 if unknown). */
gboolean            ms_smtp_client_begin_message          (MsSmtpClient        *self,
                                                           const char          *from,
                                                           const char * const  *recipients,
                                                           gsize                size,
                                                           MsSmtpMailFlags      flags,
                                                           GPtrArray          **rcpt_replies,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_mail_from              (MsSmtpClient        *self,
                                                           const char          *from,
                                                           gsize                size,
                                                           MsSmtpMailFlags      flags,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* @reply (out, optional) receives the server's reply also on refusal. */
gboolean            ms_smtp_client_rcpt_to                (MsSmtpClient        *self,
                                                           const char          *recipient,
                                                           MsSmtpReply        **reply,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_data_begin             (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_data_write_body        (MsSmtpClient        *self,
                                                           const void          *data,
                                                           gsize                length,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_data_finish            (MsSmtpClient        *self,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
/* The next message's envelope, to send ahead (see ms_smtp_client_data_finish_with). */
typedef struct
{
  const char          *from;
  const char * const  *recipients;
  gsize                size;
  MsSmtpMailFlags      flags;
} MsSmtpEnvelope;

/* The rest of the body and the final dot in one write (one segment for a small
 * message), then its reply: ms_smtp_client_data_write_body () plus
 * ms_smtp_client_data_finish () without a write between them.
 *
 * With @next and PIPELINING (RFC 2920 §3.1: message content may start a group),
 * the next message's MAIL, RCPT and DATA follow the dot in the same write, and
 * ms_smtp_client_begin_message () for that same envelope then only reads their
 * replies: one round trip a message instead of two.  Whether it went out shows
 * in ms_smtp_client_has_envelope_ahead (); an envelope sent ahead and not used is
 * abandoned only by closing the connection (QUIT would become a message). */
gboolean            ms_smtp_client_data_finish_with       (MsSmtpClient        *self,
                                                           const void          *data,
                                                           gsize                length,
                                                           const MsSmtpEnvelope *next,
                                                           GCancellable        *cancellable,
                                                           GError             **error);
gboolean            ms_smtp_client_has_envelope_ahead     (MsSmtpClient        *self);

/* Results */
MsSmtpCapabilities  ms_smtp_client_get_capabilities       (MsSmtpClient        *self);
/* The SIZE limit announced by the server; 0 when none was. */
guint64             ms_smtp_client_get_max_size           (MsSmtpClient        *self);
/* Upper-case AUTH mechanisms announced, e.g. { "PLAIN", "LOGIN", NULL }. */
const char * const *ms_smtp_client_get_auth_mechanisms    (MsSmtpClient        *self);
const MsSmtpReply  *ms_smtp_client_get_greeting           (MsSmtpClient        *self);
/* The reply to the last command, e.g. "250 2.0.0 Ok: queued as 4F2C1" after the dot. */
const MsSmtpReply  *ms_smtp_client_get_last_reply         (MsSmtpClient        *self);
/* The reply that made the last call fail and the stage it answered; NULL when the
 * failure was not a reply (network, TLS, local checks). */
const MsSmtpReply  *ms_smtp_client_get_error_reply        (MsSmtpClient        *self,
                                                           MsSmtpStage         *stage);
MsSmtpFailure       ms_smtp_client_classify_error         (MsSmtpClient        *self,
                                                           const GError        *error);
MsConnection       *ms_smtp_client_get_connection         (MsSmtpClient        *self);
gboolean            ms_smtp_client_is_encrypted           (MsSmtpClient        *self);
const char         *ms_smtp_client_get_host               (MsSmtpClient        *self);
guint16             ms_smtp_client_get_port               (MsSmtpClient        *self);

/* Helpers */
gboolean            ms_smtp_address_needs_smtputf8        (const char          *address);
gboolean            ms_smtp_data_is_8bit                  (const void          *data,
                                                           gsize                length);

G_END_DECLS

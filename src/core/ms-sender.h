/* ms-sender.h
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
#include "ms-smtp-client.h"

G_BEGIN_DECLS

#define MS_SENDER_ERROR (ms_sender_error_quark ())

/* Errors of the sendmail and folder transports, and of setting a sender up.  The
 * SMTP transport fails with the SMTP client's errors (MS_SMTP_ERROR, MS_NET_ERROR). */
typedef enum
{
  MS_SENDER_ERROR_NO_PASSWORD,     /* a login but no stored password */
  MS_SENDER_ERROR_INVALID_ADDRESS, /* an envelope address that is not a valid address */
  MS_SENDER_ERROR_SPAWN,           /* sendmail could not be started */
  MS_SENDER_ERROR_SENDMAIL,        /* sendmail ended with an error status */
  MS_SENDER_ERROR_FOLDER,          /* the folder cannot be created or written */
  MS_SENDER_ERROR_ABORTED,         /* the commit hook refused without saying why */
} MsSenderError;

/* Called after the whole message was written and before it is committed: the SMTP
 * final dot, the end of sendmail's input, the rename of the .eml file.  The delivery
 * engine records "data-sent" here (DESIGN.md §5).  Returning FALSE abandons the
 * message: the SMTP connection is closed without the dot, sendmail is killed, the
 * file is removed, and send fails with the hook's error. */
typedef gboolean (*MsSenderCommitFunc) (gpointer   user_data,
                                        GError   **error);

/* The way a server profile hands messages on: SMTP, a local sendmail, or a folder of
 * .eml files.  Blocking, for worker threads: one thread uses a sender at a time.
 *
 *   sender = ms_sender_new_for_server (server, secrets, &error);
 *   ms_sender_open (sender, cancellable, &error);      connect and log in (SMTP)
 *   ms_sender_send (sender, message, from, rcpts, ...)  many times
 *   ms_sender_close (sender, cancellable);
 *
 * send() opens the sender first when it is not open.  @message is the complete
 * message with CR LF line ends, exactly as built (sendmail receives it with LF line
 * ends, as local submission expects).  @from is the envelope sender (the
 * Return-Path), @recipients the envelope recipients; both must be valid addresses
 * (ms_address_is_valid()).  On success @replies (optional) receives one MsSmtpReply
 * per recipient, in order: the server's for SMTP, "250 2.0.0" for the others. */
#define MS_TYPE_SENDER (ms_sender_get_type ())

G_DECLARE_DERIVABLE_TYPE (MsSender, ms_sender, MS, SENDER, GObject)

struct _MsSenderClass
{
  GObjectClass parent_class;

  gboolean (*open)         (MsSender            *self,
                            GCancellable        *cancellable,
                            GError             **error);
  gboolean (*send)         (MsSender            *self,
                            GBytes              *message,
                            const char          *from,
                            const char * const  *recipients,
                            MsSenderCommitFunc   commit_func,
                            gpointer             commit_data,
                            GPtrArray          **replies,
                            GCancellable        *cancellable,
                            GError             **error);
  void     (*close)        (MsSender            *self,
                            GCancellable        *cancellable);
  gboolean (*is_open)      (MsSender            *self);

  gpointer padding[8];
};

GQuark              ms_sender_error_quark        (void);

/* The sender for the profile's transport.  @secrets gives the SMTP password when the
 * profile has a login (looked up when the sender opens); it may be NULL when
 * ms_sender_set_password() is used or no login is needed. */
MsSender           *ms_sender_new_for_server     (MsServer            *server,
                                                  MsSecrets           *secrets);

MsServer           *ms_sender_get_server         (MsSender            *self);
MsTransport         ms_sender_get_transport      (MsSender            *self);
/* Uses @password instead of the stored one (to test settings not saved yet). */
void                ms_sender_set_password       (MsSender            *self,
                                                  const char          *password);
/* For the live log of "Test connection" (SMTP only). */
void                ms_sender_set_trace_func     (MsSender            *self,
                                                  MsSmtpTraceFunc      func,
                                                  gpointer             user_data,
                                                  GDestroyNotify       destroy);
/* The sendmail program; default $MAILSHOT_SENDMAIL, else /usr/sbin/sendmail. */
void                ms_sender_set_sendmail_path  (MsSender            *self,
                                                  const char          *path);
const char         *ms_sender_get_sendmail_path  (MsSender            *self);

gboolean            ms_sender_open               (MsSender            *self,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
gboolean            ms_sender_send               (MsSender            *self,
                                                  GBytes              *message,
                                                  const char          *from,
                                                  const char * const  *recipients,
                                                  MsSenderCommitFunc   commit_func,
                                                  gpointer             commit_data,
                                                  GPtrArray          **replies,
                                                  GCancellable        *cancellable,
                                                  GError             **error);
/* The message the next send () will hand over, when already known: an SMTP sender
 * with PIPELINING sends its envelope ahead, with the final dot of this send ().
 * Each send () clears it.  Then ms_sender_has_envelope_ahead () says whether the
 * next send () must be that message; to send another or none, ms_sender_close (). */
void                ms_sender_set_next           (MsSender            *self,
                                                  GBytes              *message,
                                                  const char          *from,
                                                  const char * const  *recipients);
gboolean            ms_sender_has_envelope_ahead (MsSender            *self);
void                ms_sender_close              (MsSender            *self,
                                                  GCancellable        *cancellable);
gboolean            ms_sender_is_open            (MsSender            *self);

/* The last success: the SMTP reply to the final dot ("250 2.0.0 Ok: queued as
 * 4F2C1"), what sendmail said, or the path of the .eml file written.  NULL before
 * the first message. */
const char         *ms_sender_get_last_response  (MsSender            *self);
/* The SMTP client of an SMTP sender (NULL for the others, or before open). */
MsSmtpClient       *ms_sender_get_smtp_client    (MsSender            *self);
/* What a send or open error means for delivery (DESIGN.md §5). */
MsSmtpFailure       ms_sender_classify_error     (MsSender            *self,
                                                  const GError        *error);

/* The password for the profile's login: the one given to ms_sender_set_password(),
 * else the stored one.  NULL without an error when the profile has no login; NULL
 * with MS_SENDER_ERROR_NO_PASSWORD when none is known.  Free with ms_secret_free(). */
char               *ms_sender_dup_password       (MsSender            *self,
                                                  GError             **error);
/* An SMTP client set up for @server: host, port, security, CA file, pinned
 * fingerprint, and AUTH without TLS only when the profile chose no encryption. */
MsSmtpClient       *ms_sender_new_smtp_client    (MsServer            *server,
                                                  GError             **error);

G_END_DECLS

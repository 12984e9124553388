/* ms-server-test.h
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

/* The steps of "Test connection", in the order they run. */
typedef enum
{
  MS_SERVER_TEST_STEP_CONNECT,       /* resolve and open TCP */
  MS_SERVER_TEST_STEP_TLS,           /* implicit TLS or STARTTLS, certificate checks */
  MS_SERVER_TEST_STEP_GREETING,      /* the server's 220 and EHLO */
  MS_SERVER_TEST_STEP_CAPABILITIES,  /* SIZE, AUTH methods, extensions */
  MS_SERVER_TEST_STEP_AUTH,          /* logging in */
  MS_SERVER_TEST_STEP_SENDER,        /* MAIL FROM and RCPT TO with the sender address, then RSET */
  MS_SERVER_TEST_STEP_SENDMAIL,      /* sendmail transport: the program is there */
  MS_SERVER_TEST_STEP_FOLDER,        /* folder transport: the folder is writable */
  MS_SERVER_TEST_STEP_LOG,           /* not a step: a protocol line for the live log */
} MsServerTestStep;

typedef enum
{
  MS_SERVER_TEST_RUNNING,   /* the step started */
  MS_SERVER_TEST_OK,
  MS_SERVER_TEST_WARNING,   /* it worked, but the person should know something */
  MS_SERVER_TEST_FAILED,
  MS_SERVER_TEST_SKIPPED,   /* not needed for this profile */
  MS_SERVER_TEST_INFO,      /* a line of the live log (with MS_SERVER_TEST_STEP_LOG) */
} MsServerTestStatus;

/* @text is translated for people, or for LOG a protocol line ("C: EHLO [127.0.0.1]",
 * "S: 250-SIZE 35882577"; passwords are never shown). */
typedef void (*MsServerTestFunc) (MsServerTestStep    step,
                                  MsServerTestStatus  status,
                                  const char         *text,
                                  gpointer            user_data);

typedef struct
{
  gboolean            success;
  MsServerTestStep    failed_step;      /* when !success */
  char               *error_message;    /* what failed, for people; NULL on success */
  char               *explanation;      /* the cause and the fix; may be NULL */
  char               *explanation_id;   /* see ms_server_explain_error(); may be NULL */
  MsSmtpReply        *error_reply;      /* the refusing reply, if any */
  MsSmtpStage         error_stage;

  char               *greeting;
  MsSmtpCapabilities  capabilities;
  guint64             max_size;         /* SIZE; 0 when not announced */
  GStrv               auth_mechanisms;  /* empty when AUTH is not offered */
  char               *tls_version;      /* NULL without TLS */
  char               *tls_cipher;
  char               *peer_fingerprint; /* SHA-256, 64 hex digits; also after a refused certificate */
  char               *remote_address;
} MsServerTestReport;

void                ms_server_test_report_free   (MsServerTestReport  *report);

/* Tests the profile: for SMTP connects, negotiates TLS, reads the capabilities,
 * logs in (with @password, else the stored password) and checks that the sender
 * address may send; for sendmail checks the program; for a folder that it can be
 * written.  Each step is reported to @func as it starts and ends; the protocol
 * lines go to @func as LOG.  Never fails: the report says what went wrong.
 * Blocking: for worker threads (see the _async variant). */
MsServerTestReport *ms_server_test_run           (MsServer            *server,
                                                  MsSecrets           *secrets,
                                                  const char          *password,
                                                  guint                connect_timeout_ms,
                                                  MsServerTestFunc     func,
                                                  gpointer             user_data,
                                                  GCancellable        *cancellable);

/* The same on a worker thread; @func is called on the thread-default main context
 * of the caller, which must keep @user_data alive until @callback ran.  The server
 * is copied, so it may change meanwhile. */
void                ms_server_test_run_async     (MsServer            *server,
                                                  MsSecrets           *secrets,
                                                  const char          *password,
                                                  MsServerTestFunc     func,
                                                  gpointer             user_data,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             callback_data);
/* NULL only when cancelled (G_IO_ERROR_CANCELLED). */
MsServerTestReport *ms_server_test_run_finish    (GAsyncResult        *result,
                                                  GError             **error);

/* The cause and the fix of an error of @server, for people: a reply through the
 * provider's error table (ms_provider_explain_reply()), a network or TLS error with
 * advice (a blocked port: try 587, 465 or 2525).  @reply may be NULL.  Returns NULL
 * when there is nothing to add to the error's own message (which, for certificates
 * and unknown hosts, already names the fix).  @out_id (optional) receives an id of
 * the kind of problem whenever it is recognised ("gmail-app-password",
 * "port-blocked", "cert-untrusted", ...), also when the text is NULL. */
char               *ms_server_explain_error      (MsServer            *server,
                                                  const GError        *error,
                                                  const MsSmtpReply   *reply,
                                                  MsSmtpStage          stage,
                                                  const char         **out_id);

const char         *ms_server_test_step_to_string   (MsServerTestStep    step);
const char         *ms_server_test_status_to_string (MsServerTestStatus  status);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsServerTestReport, ms_server_test_report_free)

G_END_DECLS

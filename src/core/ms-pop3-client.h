/* ms-pop3-client.h
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

G_BEGIN_DECLS

#define MS_POP3_ERROR (ms_pop3_error_quark ())

/* Errors of the POP3 reader.  Network and TLS problems are MS_NET_ERROR,
 * cancellation G_IO_ERROR_CANCELLED. */
typedef enum
{
  MS_POP3_ERROR_PARSE,                 /* a reply that is neither +OK nor -ERR, a bad list */
  MS_POP3_ERROR_TOO_LARGE,             /* a listing or message beyond the limits */
  MS_POP3_ERROR_REFUSED,               /* -ERR to a command */
  MS_POP3_ERROR_AUTH_FAILED,           /* the login was refused */
  MS_POP3_ERROR_STARTTLS_UNAVAILABLE,  /* STLS chosen, not offered or refused */
  MS_POP3_ERROR_STARTTLS_INJECTION,    /* bytes between the STLS reply and TLS */
  MS_POP3_ERROR_PLAINTEXT_AUTH,        /* a login without TLS that was not allowed */
  MS_POP3_ERROR_NO_UIDL,               /* the server cannot name its messages (UIDL) */
} MsPop3Error;

/* One message of the maildrop: its number in this session, its unique id
 * (UIDL) and its size in octets (LIST; 0 when unknown). */
typedef struct
{
  guint   number;
  char   *uid;
  guint64 size;
} MsPop3Message;

/* A blocking POP3 client (RFC 1939, with CAPA of RFC 2449 and STLS of RFC 2595)
 * for worker threads.
 *
 *   client = ms_pop3_client_new ("pop.example.org", 995, MS_SECURITY_TLS);
 *   ms_pop3_client_connect (client, cancellable, &error);  TCP, TLS, greeting, CAPA
 *   ms_pop3_client_login (client, login, password, cancellable, &error);
 *   messages = ms_pop3_client_list (client, cancellable, &error);   UIDL + LIST
 *   raw = ms_pop3_client_retr (client, number, &truncated, cancellable, &error);
 *   ms_pop3_client_quit (client, cancellable, &error);
 *
 * Mail stays on the server: only ms_pop3_client_dele() marks a message, and the
 * deletion happens at ms_pop3_client_quit() (closing without QUIT keeps it).
 * STLS, when chosen, is mandatory; nothing received between its +OK and the
 * handshake is accepted; CAPA is asked again over TLS.  Every reply is
 * untrusted: lengths and counts are bounded. */
#define MS_TYPE_POP3_CLIENT (ms_pop3_client_get_type ())

G_DECLARE_FINAL_TYPE (MsPop3Client, ms_pop3_client, MS, POP3_CLIENT, GObject)

#define MS_POP3_DEFAULT_TIMEOUT_MS        (120 * 1000)
#define MS_POP3_DEFAULT_MAX_MESSAGE_SIZE  (32 * 1024 * 1024)
#define MS_POP3_MAX_MESSAGES              1000000

GQuark              ms_pop3_error_quark                   (void);

MsPop3Client       *ms_pop3_client_new                    (const char     *host,
                                                           guint16         port,
                                                           MsSecurity      security);
void                ms_pop3_client_set_ca_file            (MsPop3Client   *self,
                                                           const char     *path);
gboolean            ms_pop3_client_set_pinned_sha256      (MsPop3Client   *self,
                                                           const char     *fingerprint,
                                                           GError        **error);
void                ms_pop3_client_set_timeout            (MsPop3Client   *self,
                                                           guint           timeout_ms);
void                ms_pop3_client_set_allow_plaintext_auth (MsPop3Client *self,
                                                           gboolean        allow);
/* The most of one message that is kept (default 32 MB); the rest is read and
 * dropped, and the message reported as truncated. */
void                ms_pop3_client_set_max_message_size   (MsPop3Client   *self,
                                                           gsize           size);

gboolean            ms_pop3_client_connect                (MsPop3Client   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* USER and PASS.  A refusal is MS_POP3_ERROR_AUTH_FAILED with the server's words. */
gboolean            ms_pop3_client_login                  (MsPop3Client   *self,
                                                           const char     *login,
                                                           const char     *password,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* UIDL and LIST: every message, by number.  A GPtrArray of MsPop3Message. */
GPtrArray          *ms_pop3_client_list                   (MsPop3Client   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* RETR: the message with CR LF line ends, dot-stuffing undone. */
GBytes             *ms_pop3_client_retr                   (MsPop3Client   *self,
                                                           guint           number,
                                                           gboolean       *truncated,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* TOP: the header and the first @lines lines of the body. */
GBytes             *ms_pop3_client_top                    (MsPop3Client   *self,
                                                           guint           number,
                                                           guint           lines,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* Marks the message for deletion at QUIT. */
gboolean            ms_pop3_client_dele                   (MsPop3Client   *self,
                                                           guint           number,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
gboolean            ms_pop3_client_noop                   (MsPop3Client   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* QUIT: the server now deletes what was marked; then closes. */
gboolean            ms_pop3_client_quit                   (MsPop3Client   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* Closes without QUIT: nothing marked is deleted. */
void                ms_pop3_client_close                  (MsPop3Client   *self);

gboolean            ms_pop3_client_is_connected           (MsPop3Client   *self);
gboolean            ms_pop3_client_is_encrypted           (MsPop3Client   *self);
/* CAPA keywords, upper-cased (empty when the server has no CAPA). */
const char * const *ms_pop3_client_get_capabilities       (MsPop3Client   *self);
gboolean            ms_pop3_client_has_capability         (MsPop3Client   *self,
                                                           const char     *capability);

void                ms_pop3_message_free                  (MsPop3Message  *message);

G_END_DECLS

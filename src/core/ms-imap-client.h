/* ms-imap-client.h
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
#include "ms-imap-parser.h"

G_BEGIN_DECLS

/* What SELECT told about a folder. */
typedef struct
{
  guint32  uidvalidity;   /* 0 when the server announced none */
  guint32  uidnext;       /* 0 when the server announced none */
  guint32  exists;
  gboolean read_only;
} MsImapMailbox;

/* A blocking IMAP4rev1/IMAP4rev2 client (RFC 3501 / RFC 9051 subset) for worker
 * threads: what reading a bounce mailbox and filing a copy of sent mail need.
 *
 *   client = ms_imap_client_new ("imap.example.org", 993, MS_SECURITY_TLS);
 *   ms_imap_client_connect (client, cancellable, &error);  TCP, TLS, greeting, CAPABILITY
 *   ms_imap_client_login (client, login, password, cancellable, &error);
 *   ms_imap_client_select (client, "INBOX", &mailbox, cancellable, &error);
 *   uids = ms_imap_client_uid_search (client, "UID 41:*", cancellable, &error);
 *   raw = ms_imap_client_uid_fetch (client, uid, &truncated, cancellable, &error);
 *   ms_imap_client_uid_add_flags (client, uid, "\\Seen", cancellable, &error);
 *   ms_imap_client_logout (client, cancellable, NULL);
 *
 * TLS follows the SMTP rules (DESIGN.md §6): STARTTLS, when chosen, is mandatory;
 * nothing the server sends between the STARTTLS reply and the handshake is
 * accepted; whatever was said before TLS (capabilities, untagged data) is
 * forgotten and asked again.  Credentials are only sent over TLS unless
 * ms_imap_client_set_allow_plaintext_auth() was called.
 *
 * Every server response is untrusted: over-long lines, literals above the
 * message size limit, nesting, garbage, wrong tags and early disconnects are
 * errors (MS_IMAP_ERROR, MS_NET_ERROR), never unbounded memory.  After a
 * network, parse or size error the connection is closed; after NO or BAD
 * (MS_IMAP_ERROR_REFUSED) it stays usable.  Messages are never deleted: this
 * client has no EXPUNGE and no \Deleted. */
#define MS_TYPE_IMAP_CLIENT (ms_imap_client_get_type ())

G_DECLARE_FINAL_TYPE (MsImapClient, ms_imap_client, MS, IMAP_CLIENT, GObject)

#define MS_IMAP_DEFAULT_TIMEOUT_MS        (120 * 1000)
#define MS_IMAP_DEFAULT_MAX_MESSAGE_SIZE  (32 * 1024 * 1024)

MsImapClient       *ms_imap_client_new                    (const char     *host,
                                                           guint16         port,
                                                           MsSecurity      security);

/* Configuration, before ms_imap_client_connect() */
void                ms_imap_client_set_ca_file            (MsImapClient   *self,
                                                           const char     *path);
gboolean            ms_imap_client_set_pinned_sha256      (MsImapClient   *self,
                                                           const char     *fingerprint,
                                                           GError        **error);
/* Inactivity limit of every read and write (default 2 minutes); the TCP
 * connect and TLS handshake use 30 seconds. */
void                ms_imap_client_set_timeout            (MsImapClient   *self,
                                                           guint           timeout_ms);
void                ms_imap_client_set_allow_plaintext_auth (MsImapClient *self,
                                                           gboolean        allow);
/* The most of one message that is fetched (default 32 MB); larger messages
 * are fetched up to this size and reported as truncated. */
void                ms_imap_client_set_max_message_size   (MsImapClient   *self,
                                                           gsize           size);

/* Session */
gboolean            ms_imap_client_connect                (MsImapClient   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* AUTHENTICATE PLAIN when offered (with SASL-IR in one round trip), else LOGIN.
 * A refusal is MS_IMAP_ERROR_AUTH_FAILED with the server's words.  The password
 * is never logged. */
gboolean            ms_imap_client_login                  (MsImapClient   *self,
                                                           const char     *login,
                                                           const char     *password,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* SELECT (read-write).  @folder is UTF-8 and sent in modified UTF-7; NULL or ""
 * is INBOX.  A folder that does not exist is MS_IMAP_ERROR_NO_MAILBOX. */
gboolean            ms_imap_client_select                 (MsImapClient   *self,
                                                           const char     *folder,
                                                           MsImapMailbox  *mailbox,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* UID SEARCH @criteria (e.g. "UID 41:*", "UNSEEN"): the UIDs (guint32), sorted
 * ascending, without duplicates. */
GArray             *ms_imap_client_uid_search             (MsImapClient   *self,
                                                           const char     *criteria,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* UID FETCH BODY.PEEK[] (the \Seen flag is not set): the raw message, at most
 * the maximum message size (*truncated tells).  A UID that no longer exists is
 * MS_IMAP_ERROR_REFUSED with the code "NO-MESSAGE" in the message. */
GBytes             *ms_imap_client_uid_fetch              (MsImapClient   *self,
                                                           guint32         uid,
                                                           gboolean       *truncated,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* UID STORE +FLAGS.SILENT: @flags is a space-separated list like "\\Seen". */
gboolean            ms_imap_client_uid_add_flags          (MsImapClient   *self,
                                                           guint32         uid,
                                                           const char     *flags,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* UID MOVE when the server offers MOVE; otherwise UID COPY, then the original
 * is flagged \Seen (and stays: nothing is expunged).  A missing target folder is
 * created (when the server answers [TRYCREATE]). */
gboolean            ms_imap_client_uid_move               (MsImapClient   *self,
                                                           guint32         uid,
                                                           const char     *folder,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
gboolean            ms_imap_client_create_folder          (MsImapClient   *self,
                                                           const char     *folder,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* APPEND @message (CR LF line ends) to @folder with @flags ("\\Seen" or NULL);
 * a missing folder is created when the server answers [TRYCREATE].  Usable in
 * the authenticated and selected states. */
gboolean            ms_imap_client_append                 (MsImapClient   *self,
                                                           const char     *folder,
                                                           const char     *flags,
                                                           GBytes         *message,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
gboolean            ms_imap_client_noop                   (MsImapClient   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
/* LOGOUT, then closes; errors only say the goodbye was lost. */
gboolean            ms_imap_client_logout                 (MsImapClient   *self,
                                                           GCancellable   *cancellable,
                                                           GError        **error);
void                ms_imap_client_close                  (MsImapClient   *self);

/* Results */
gboolean            ms_imap_client_is_connected           (MsImapClient   *self);
gboolean            ms_imap_client_is_encrypted           (MsImapClient   *self);
/* Capabilities as announced (after TLS when TLS is used), upper-cased. */
const char * const *ms_imap_client_get_capabilities       (MsImapClient   *self);
gboolean            ms_imap_client_has_capability         (MsImapClient   *self,
                                                           const char     *capability);
MsConnection       *ms_imap_client_get_connection         (MsImapClient   *self);
const char         *ms_imap_client_get_host               (MsImapClient   *self);

/* A folder name in IMAP's modified UTF-7 (RFC 3501 §5.1.3). */
char               *ms_imap_encode_folder_name            (const char     *utf8);

G_END_DECLS

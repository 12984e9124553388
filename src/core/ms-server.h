/* ms-server.h
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

#include <glib-object.h>

#include "ms-connection.h"

G_BEGIN_DECLS

#define MS_SERVER_ERROR (ms_server_error_quark ())

typedef enum
{
  MS_SERVER_ERROR_INVALID,   /* a setting is missing or malformed: the message says which */
} MsServerError;

/* How a server profile hands messages on (DESIGN.md §4). */
typedef enum
{
  MS_TRANSPORT_SMTP,       /* an SMTP server, over TLS or STARTTLS */
  MS_TRANSPORT_SENDMAIL,   /* the local MTA: /usr/sbin/sendmail */
  MS_TRANSPORT_FOLDER,     /* one .eml file per message in a folder: a dry run */
} MsTransport;

/* The mailbox read for bounces and unsubscribes. */
typedef enum
{
  MS_INCOMING_NONE,
  MS_INCOMING_IMAP,
  MS_INCOMING_POP3,
} MsIncomingProtocol;

#define MS_TYPE_TRANSPORT         (ms_transport_get_type ())
#define MS_TYPE_INCOMING_PROTOCOL (ms_incoming_protocol_get_type ())
/* MsSecurity (ms-connection.h) as a GEnum, for properties and combo rows. */
#define MS_TYPE_SERVER_SECURITY   (ms_server_security_get_type ())

GType        ms_transport_get_type              (void) G_GNUC_CONST;
GType        ms_incoming_protocol_get_type      (void) G_GNUC_CONST;
GType        ms_server_security_get_type        (void) G_GNUC_CONST;

/* "smtp", "sendmail", "folder"; "imap", "pop3" (NULL for MS_INCOMING_NONE) — the
 * values of the database columns. */
const char  *ms_transport_to_string             (MsTransport          transport);
gboolean     ms_transport_from_string           (const char          *text,
                                                 MsTransport         *transport);
const char  *ms_incoming_protocol_to_string     (MsIncomingProtocol   protocol);
gboolean     ms_incoming_protocol_from_string   (const char          *text,
                                                 MsIncomingProtocol  *protocol);
/* Words for people: "TLS", "STARTTLS", "No encryption". */
const char  *ms_security_to_label               (MsSecurity           security);

/* A rolling sending limit: at most @limit messages in any @window_secs seconds. */
typedef struct
{
  guint limit;
  guint window_secs;
} MsQuota;

/* "60/1h", "500/1d", "2/1s", "120/30m", "100/h" (a unit alone means 1 of it) or
 * "10/90" (seconds).  Units: s, m, h, d, w. */
gboolean     ms_quota_parse                     (const char          *text,
                                                 MsQuota             *quota,
                                                 GError             **error);
/* "60/1h": the largest unit that divides the window. */
char        *ms_quota_to_string                 (const MsQuota       *quota);
/* Translated: "60 per hour", "500 per day", "10 per 90 seconds". */
char        *ms_quota_describe                  (const MsQuota       *quota);

/* One server profile: a row of the `servers` table with its quotas.  Strings are
 * NULL when unset (setters turn "" into NULL); numbers are 0 when unset (port,
 * max-message-size, max-recipients).  Passwords and DKIM keys are never here:
 * see ms-secrets.h; dkim-key-ref only names the stored key. */
#define MS_TYPE_SERVER (ms_server_get_type ())

G_DECLARE_FINAL_TYPE (MsServer, ms_server, MS, SERVER, GObject)

GQuark              ms_server_error_quark                (void);

MsServer           *ms_server_new                        (void);
/* A deep copy (with id and quotas), for editors that may be cancelled. */
MsServer           *ms_server_copy                       (MsServer            *self);

gint64              ms_server_get_id                     (MsServer            *self);
void                ms_server_set_id                     (MsServer            *self,
                                                          gint64               id);
const char         *ms_server_get_name                   (MsServer            *self);
void                ms_server_set_name                   (MsServer            *self,
                                                          const char          *name);
MsTransport         ms_server_get_transport              (MsServer            *self);
void                ms_server_set_transport              (MsServer            *self,
                                                          MsTransport          transport);
const char         *ms_server_get_host                   (MsServer            *self);
void                ms_server_set_host                   (MsServer            *self,
                                                          const char          *host);
guint               ms_server_get_port                   (MsServer            *self);
void                ms_server_set_port                   (MsServer            *self,
                                                          guint                port);
MsSecurity          ms_server_get_security               (MsServer            *self);
void                ms_server_set_security               (MsServer            *self,
                                                          MsSecurity           security);
const char         *ms_server_get_login                  (MsServer            *self);
void                ms_server_set_login                  (MsServer            *self,
                                                          const char          *login);
const char         *ms_server_get_sender_address         (MsServer            *self);
void                ms_server_set_sender_address         (MsServer            *self,
                                                          const char          *address);
const char         *ms_server_get_sender_name            (MsServer            *self);
void                ms_server_set_sender_name            (MsServer            *self,
                                                          const char          *name);
gboolean            ms_server_get_allow_sender_substitution (MsServer         *self);
void                ms_server_set_allow_sender_substitution (MsServer         *self,
                                                          gboolean             allow);
/* Rotation order: lower numbers are used first. */
int                 ms_server_get_priority               (MsServer            *self);
void                ms_server_set_priority               (MsServer            *self,
                                                          int                  priority);
gboolean            ms_server_get_enabled                (MsServer            *self);
void                ms_server_set_enabled                (MsServer            *self,
                                                          gboolean             enabled);
guint               ms_server_get_max_connections        (MsServer            *self);
void                ms_server_set_max_connections        (MsServer            *self,
                                                          guint                n);
guint               ms_server_get_pause_ms               (MsServer            *self);
void                ms_server_set_pause_ms               (MsServer            *self,
                                                          guint                pause_ms);
guint64             ms_server_get_max_message_size       (MsServer            *self);
void                ms_server_set_max_message_size       (MsServer            *self,
                                                          guint64              size);
guint               ms_server_get_max_recipients         (MsServer            *self);
void                ms_server_set_max_recipients         (MsServer            *self,
                                                          guint                n);
const char         *ms_server_get_folder                 (MsServer            *self);
void                ms_server_set_folder                 (MsServer            *self,
                                                          const char          *folder);
const char         *ms_server_get_ca_file                (MsServer            *self);
void                ms_server_set_ca_file                (MsServer            *self,
                                                          const char          *path);
/* Stored normalised (64 lowercase hex digits, see ms_fingerprint_normalize()). */
const char         *ms_server_get_pinned_fingerprint     (MsServer            *self);
void                ms_server_set_pinned_fingerprint     (MsServer            *self,
                                                          const char          *fingerprint);

MsIncomingProtocol  ms_server_get_incoming_protocol      (MsServer            *self);
void                ms_server_set_incoming_protocol      (MsServer            *self,
                                                          MsIncomingProtocol   protocol);
const char         *ms_server_get_incoming_host          (MsServer            *self);
void                ms_server_set_incoming_host          (MsServer            *self,
                                                          const char          *host);
guint               ms_server_get_incoming_port          (MsServer            *self);
void                ms_server_set_incoming_port          (MsServer            *self,
                                                          guint                port);
MsSecurity          ms_server_get_incoming_security      (MsServer            *self);
void                ms_server_set_incoming_security      (MsServer            *self,
                                                          MsSecurity           security);
const char         *ms_server_get_incoming_login         (MsServer            *self);
void                ms_server_set_incoming_login         (MsServer            *self,
                                                          const char          *login);
/* IMAP: the folder to read (NULL: INBOX). */
const char         *ms_server_get_incoming_folder        (MsServer            *self);
void                ms_server_set_incoming_folder        (MsServer            *self,
                                                          const char          *folder);
/* POP3: leave processed mail on the server (default TRUE). */
gboolean            ms_server_get_incoming_keep          (MsServer            *self);
void                ms_server_set_incoming_keep          (MsServer            *self,
                                                          gboolean             keep);
/* IMAP: move processed mail to this folder (NULL: only flag it). */
const char         *ms_server_get_incoming_move_to       (MsServer            *self);
void                ms_server_set_incoming_move_to       (MsServer            *self,
                                                          const char          *folder);

const char         *ms_server_get_dkim_domain            (MsServer            *self);
void                ms_server_set_dkim_domain            (MsServer            *self,
                                                          const char          *domain);
const char         *ms_server_get_dkim_selector          (MsServer            *self);
void                ms_server_set_dkim_selector          (MsServer            *self,
                                                          const char          *selector);
/* Names the DKIM key in the secret store (ms_secrets_dkim_key_ref()); NULL: no key. */
const char         *ms_server_get_dkim_key_ref           (MsServer            *self);
void                ms_server_set_dkim_key_ref           (MsServer            *self,
                                                          const char          *ref);

gint64              ms_server_get_created_at             (MsServer            *self);
void                ms_server_set_created_at             (MsServer            *self,
                                                          gint64               unix_time);
gint64              ms_server_get_updated_at             (MsServer            *self);
void                ms_server_set_updated_at             (MsServer            *self,
                                                          gint64               unix_time);

/* The quotas, sorted by window (shortest first); the "quotas" property is the same
 * array (a GArray of MsQuota). */
const MsQuota      *ms_server_get_quotas                 (MsServer            *self,
                                                          guint               *n_quotas);
/* Replaces every quota.  Two quotas with the same window: the smaller limit wins. */
void                ms_server_set_quotas                 (MsServer            *self,
                                                          const MsQuota       *quotas,
                                                          guint                n_quotas);
/* Adds a quota, replacing one with the same window. */
void                ms_server_add_quota                  (MsServer            *self,
                                                          const MsQuota       *quota);

/* Checks that the profile can be saved and used: a name, a valid sender address,
 * host and port for SMTP, a folder for the folder transport, a valid fingerprint,
 * DKIM domain and selector together, incoming host for IMAP/POP3, ...
 * MS_SERVER_ERROR_INVALID with a message for people. */
gboolean            ms_server_validate                   (MsServer            *self,
                                                          GError             **error);

/* The default port for a security choice: 465 (TLS), 587 (STARTTLS), 25 (none);
 * for IMAP 993/143, for POP3 995/110. */
guint               ms_security_default_port             (MsSecurity           security);
guint               ms_incoming_default_port             (MsIncomingProtocol   protocol,
                                                          MsSecurity           security);

G_END_DECLS

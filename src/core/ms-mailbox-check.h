/* ms-mailbox-check.h
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
#include "ms-store.h"

G_BEGIN_DECLS

#define MS_MAILBOX_ERROR (ms_mailbox_error_quark ())

typedef enum
{
  MS_MAILBOX_ERROR_NOT_CONFIGURED,   /* the profile has no incoming mailbox */
  MS_MAILBOX_ERROR_NO_PASSWORD,      /* no password is stored for the mailbox */
} MsMailboxError;

/* What one check did.  Counts are added to (zero the struct first), and only
 * for messages whose effects were committed, also when the check fails later. */
typedef struct
{
  guint fetched;       /* messages read from the server and processed */
  guint bounces;       /* failed recipients matched to a delivery */
  guint hard_bounces;  /* ... of them hard (the contact is now bounced) */
  guint complaints;    /* spam complaints matched to a contact */
  guint unsubscribes;  /* unsubscribe requests with a token that verified */
  guint autoreplies;   /* auto-replies matched to a delivery */
  guint unmatched;     /* bounces and complaints that match no delivery, and
                        * unsubscribe requests whose token does not verify */
  guint duplicates;    /* matched reports already recorded (mail read again
                        * after the folder was recreated: a new UIDVALIDITY) */
  guint other;         /* mail that is none of the above */
  guint suppressed;    /* active contacts that are no longer mailed */
  guint moved;         /* IMAP: messages moved to the chosen folder */
  guint deleted;       /* POP3: messages deleted after processing, as asked */
} MsMailboxCheckResult;

typedef struct
{
  /* A contact is suppressed after this many soft bounces in a row (default 3). */
  guint  soft_bounce_limit;
  /* The most of one message that is read (default 32 MB). */
  gsize  max_message_size;
  /* The most messages one check processes (0: all); the rest wait for the next. */
  guint  max_messages;
  /* Inactivity limit of the connection (default 2 minutes). */
  guint  timeout_ms;
  /* A report naming neither our header nor a Message-ID we sent is matched by
   * address to deliveries of this many recent days (default 60). */
  guint  match_days;
} MsMailboxCheckOptions;

/* The mailbox, UIDVALIDITY and UID (or POP3 UIDL) of a processed message, as
 * recorded in the mailbox_seen table.  A message that is none of ours (see
 * ms_mailbox_result_is_ours()) is recorded under @mailbox_not_ours instead
 * when that is set. */
typedef struct
{
  const char *mailbox;
  guint32     uidvalidity;
  const char *uid;
  const char *mailbox_not_ours;
} MsMailboxSeen;

GQuark    ms_mailbox_error_quark         (void);
void      ms_mailbox_check_options_init  (MsMailboxCheckOptions       *options);
void      ms_mailbox_check_result_add    (MsMailboxCheckResult        *sum,
                                          const MsMailboxCheckResult  *part);
/* For the result of one message: TRUE when it was about mail Mailshot sent (a
 * matched bounce, complaint or auto-reply, a verified unsubscribe request, or
 * one of these read again).  Only such messages are flagged, moved or deleted
 * on the server; everything else is left as it was for the person to read. */
gboolean  ms_mailbox_result_is_ours      (const MsMailboxCheckResult  *one);

/* The password of the server's mailbox: the IMAP or POP3 secret of its host and
 * login, else the SMTP password when the mailbox uses the same login.  NULL
 * with MS_MAILBOX_ERROR_NO_PASSWORD when neither is stored. */
char     *ms_mailbox_lookup_password     (MsSecrets                   *secrets,
                                          MsServer                    *server,
                                          GCancellable                *cancellable,
                                          GError                     **error);

/* Reads the new mail of the server's incoming mailbox (DESIGN.md §8) and applies
 * it.  IMAP: SELECT of the folder, UID SEARCH for UIDs above the last one seen
 * under the folder's UIDVALIDITY (a new UIDVALIDITY means every message is read
 * again; effects already recorded are recognised and not repeated), UID FETCH
 * without setting \Seen; after its effects are committed each message about our
 * mail is flagged \Seen or moved to the chosen folder — never deleted.  POP3:
 * UIDL, RETR of the messages whose UIDL is not recorded; DELE of the messages
 * about our mail only when the profile says not to keep mail on the server.
 * Mail that is not about ours (personal mail, bounces of other mail) is left
 * untouched, only remembered so it is not read again.
 *
 * Each message is parsed (ms_bounce_parse()) and its effects are written in one
 * transaction together with its mailbox_seen row, so a crash never processes a
 * message twice: hard bounces mark the contact bounced, soft bounces count and
 * suppress after options->soft_bounce_limit in a row, complaints mark it
 * complained, unsubscribe requests with a token that verifies mark it
 * unsubscribed (others are logged and ignored); the delivery becomes bounced;
 * every report is kept in the bounces table.
 *
 * TLS follows the server's incoming security with the SMTP rules; the profile's
 * CA file applies, its pinned fingerprint too when the incoming host is the
 * SMTP host.  Blocking: call it from a worker thread, with a store opened on
 * that thread. */
gboolean  ms_mailbox_check_server        (MsStore                     *store,
                                          MsServer                    *server,
                                          const char                  *password,
                                          const MsMailboxCheckOptions *options,
                                          MsMailboxCheckResult        *result,
                                          GCancellable                *cancellable,
                                          GError                     **error);

/* Parses and applies one message, in one transaction with its mailbox_seen row
 * (@seen may be NULL: nothing is recorded).  @server_id may be 0. */
gboolean  ms_mailbox_process_message     (MsStore                     *store,
                                          gint64                       server_id,
                                          GBytes                      *raw,
                                          const MsMailboxSeen         *seen,
                                          const MsMailboxCheckOptions *options,
                                          MsMailboxCheckResult        *result,
                                          GError                     **error);

G_END_DECLS

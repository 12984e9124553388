/* ms-bounce.h
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

#include <glib.h>

G_BEGIN_DECLS

#define MS_BOUNCE_ERROR (ms_bounce_error_quark ())

typedef enum
{
  MS_BOUNCE_ERROR_EMPTY,        /* no bytes, or nothing that looks like a message */
} MsBounceError;

/* What a message that came back to the sender's mailbox is. */
typedef enum
{
  MS_BOUNCE_KIND_OTHER,         /* not recognised; also a success-only DSN */
  MS_BOUNCE_KIND_BOUNCE,        /* a delivery failure (DSN or an MTA's own format) */
  MS_BOUNCE_KIND_COMPLAINT,     /* a feedback-loop report (ARF, RFC 5965; SES complaint) */
  MS_BOUNCE_KIND_AUTOREPLY,     /* an auto-reply such as a vacation notice (RFC 3834) */
  MS_BOUNCE_KIND_UNSUBSCRIBE,   /* a mail to the List-Unsubscribe mailto address */
} MsBounceKind;

/* One recipient the message reports on. */
typedef struct
{
  char       *address;          /* as reported, without angle brackets */
  char       *alias;            /* the address the sender used when it differs (Original-
                                 * Recipient, "expanded from"); NULL otherwise */
  char       *status;           /* RFC 3463 code such as "5.1.1", or a pseudo code
                                 * "5.0.9NN" when the message gives none; NULL when
                                 * not a failure (complaint, auto-reply) */
  guint       replycode;        /* SMTP reply code such as 550; 0 when unknown */
  const char *reason;           /* a reason name of shared/bounces/REASONS.md
                                 * (userunknown, mailboxfull, ..., feedback, vacation,
                                 * delivered); static; NULL for an unsubscribe request */
  gboolean    hard;             /* the address should not be mailed again */
  char       *diagnostic;       /* the remote server's words, one line; may be NULL */
} MsBounceRecipient;

typedef struct
{
  MsBounceKind kind;
  GPtrArray   *recipients;          /* of MsBounceRecipient*, never NULL */

  /* From the returned message (headers quoted in the bounce or the report). */
  char        *original_message_id; /* without angle brackets, or NULL */
  char        *campaign;            /* X-Mailshot-Campaign, or NULL */
  char        *delivery;            /* X-Mailshot-Delivery (a token of
                                     * ms_message_unsubscribe_token()), or NULL */

  /* Of the message itself. */
  char        *from;                /* the From address, lower-cased, or NULL */
  char        *subject;             /* decoded, or NULL */

  char        *feedback_type;       /* complaints: abuse, fraud, opt-out, ... or NULL */
  char        *unsubscribe_token;   /* unsubscribe requests: the token from the
                                     * subject (or body); not verified, see
                                     * ms_bounce_report_verify_unsubscribe() */
} MsBounceReport;

GQuark          ms_bounce_error_quark               (void);

/* Parses one message as read from a mailbox (an mbox "From " line, LF or CRLF
 * line ends, any charset).  A file holding several mbox messages gives the
 * recipients of all of them.  The input is untrusted: work and memory are
 * bounded (only the first megabytes are read).  Fails only when @raw holds no
 * message at all; anything unrecognised is MS_BOUNCE_KIND_OTHER. */
MsBounceReport *ms_bounce_parse                     (GBytes               *raw,
                                                     GError              **error);
void            ms_bounce_report_free               (MsBounceReport       *report);

/* TRUE when the report is an unsubscribe request whose token is the token of
 * the address that sent it (or of @email when not NULL) under @secret (NULL:
 * the fixed test key).  out_campaign (nullable) receives the campaign named
 * by a well-formed token. */
gboolean        ms_bounce_report_verify_unsubscribe (const MsBounceReport *report,
                                                     const char           *secret,
                                                     const char           *email,
                                                     char                **out_campaign);

const char     *ms_bounce_kind_to_string            (MsBounceKind          kind);

/* Whether a reason means the address is gone for good; for "notaccept" only
 * with a permanent (5.x.x) status. */
gboolean        ms_bounce_reason_is_hard            (const char           *reason,
                                                     const char           *status);
/* The reason in words for people, translated ("The mailbox is full"). */
const char     *ms_bounce_reason_describe           (const char           *reason);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsBounceReport, ms_bounce_report_free)

G_END_DECLS

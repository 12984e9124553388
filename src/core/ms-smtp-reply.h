/* ms-smtp-reply.h
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

G_BEGIN_DECLS

#define MS_SMTP_ERROR (ms_smtp_error_quark ())

/* Errors of the SMTP client.  Network and TLS failures keep their MS_NET_ERROR
 * code; cancellation is G_IO_ERROR_CANCELLED. */
typedef enum
{
  MS_SMTP_ERROR_PARSE,                 /* a reply that is not SMTP */
  MS_SMTP_ERROR_REJECTED,              /* the server refused a command: see the reply */
  MS_SMTP_ERROR_STARTTLS_UNAVAILABLE,  /* STARTTLS chosen but not offered */
  MS_SMTP_ERROR_STARTTLS_INJECTION,    /* bytes after the STARTTLS reply, before TLS */
  MS_SMTP_ERROR_AUTH_UNAVAILABLE,      /* no AUTH, or no mechanism we support */
  MS_SMTP_ERROR_AUTH_PLAINTEXT,        /* would send credentials without TLS */
  MS_SMTP_ERROR_AUTH_FAILED,           /* the server refused the credentials */
  MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE,  /* a non-ASCII address, no SMTPUTF8 */
  MS_SMTP_ERROR_8BITMIME_UNAVAILABLE,  /* an 8-bit body, no 8BITMIME */
  MS_SMTP_ERROR_TOO_BIG,               /* the message exceeds the announced SIZE */
  MS_SMTP_ERROR_INVALID_ADDRESS,       /* empty, or CR, LF, <, > or space in an address */
} MsSmtpError;

/* Where a reply came from. */
typedef enum
{
  MS_SMTP_STAGE_GREETING,
  MS_SMTP_STAGE_EHLO,
  MS_SMTP_STAGE_STARTTLS,
  MS_SMTP_STAGE_AUTH,
  MS_SMTP_STAGE_MAIL,
  MS_SMTP_STAGE_RCPT,
  MS_SMTP_STAGE_DATA,      /* the reply to DATA (354 expected) */
  MS_SMTP_STAGE_DATA_END,  /* the reply to the final dot */
  MS_SMTP_STAGE_RSET,
  MS_SMTP_STAGE_QUIT,
} MsSmtpStage;

/* What a failure means for delivery (DESIGN.md §5). */
typedef enum
{
  MS_SMTP_FAILURE_NONE,       /* 2xx or 3xx: not a failure */
  MS_SMTP_FAILURE_RECIPIENT,  /* this recipient is refused for good (5.1.x, 550-553 at RCPT) */
  MS_SMTP_FAILURE_MESSAGE,    /* this message is refused for good (content, size, 5xx at DATA) */
  MS_SMTP_FAILURE_TEMPORARY,  /* 4xx for this recipient or message: try again later */
  MS_SMTP_FAILURE_ACCOUNT,    /* rate limit, quota, 5.7.x policy, 421, refused sender:
                               * cool the server down and requeue without counting a failure */
  MS_SMTP_FAILURE_AUTH,       /* the credentials are refused (535, 5.7.8) */
  MS_SMTP_FAILURE_TLS,        /* TLS or certificate problem */
  MS_SMTP_FAILURE_NETWORK,    /* connection refused, lost or timed out */
} MsSmtpFailure;

/* One SMTP reply (RFC 5321 §4.2, RFC 3463).  The text has the code and, when
 * present, the enhanced code removed from each line; lines are joined with "\n". */
typedef struct
{
  guint   code;         /* 211 to 599 */
  char   *enhanced;     /* "5.1.1" or NULL */
  char   *text;         /* never NULL */
  char  **lines;        /* the text of each line, NULL-terminated */
} MsSmtpReply;

#define MS_TYPE_SMTP_REPLY (ms_smtp_reply_get_type ())

GType          ms_smtp_reply_get_type       (void) G_GNUC_CONST;
GQuark         ms_smtp_error_quark          (void);

MsSmtpReply   *ms_smtp_reply_new            (guint               code,
                                             const char         *enhanced,
                                             const char         *text);
MsSmtpReply   *ms_smtp_reply_copy           (const MsSmtpReply  *reply);
void           ms_smtp_reply_free           (MsSmtpReply        *reply);

/* Parses a complete reply of one or more lines, each ending in CR LF (or LF).  The
 * enhanced code is taken only when @enhanced is TRUE and each line starts with a
 * well-formed code whose class matches the reply code.  Anything malformed (a
 * code that is not three digits from 200 to 599, a separator other than space or
 * hyphen, codes differing between lines, text after the last line) is
 * MS_SMTP_ERROR_PARSE. */
MsSmtpReply   *ms_smtp_reply_parse          (const char         *text,
                                             gsize               length,
                                             gboolean            enhanced,
                                             GError            **error);

gboolean       ms_smtp_reply_is_positive    (const MsSmtpReply  *reply);
gboolean       ms_smtp_reply_is_transient   (const MsSmtpReply  *reply);
gboolean       ms_smtp_reply_is_permanent   (const MsSmtpReply  *reply);
/* "550 5.1.1 No such user" on one line (lines joined with a space), for logs and
 * the deliveries table. */
char          *ms_smtp_reply_to_string      (const MsSmtpReply  *reply);

/* Classifies a reply received at @stage. */
MsSmtpFailure  ms_smtp_reply_classify       (const MsSmtpReply  *reply,
                                             MsSmtpStage         stage);
/* Classifies an error of the SMTP client: MS_NET_ERROR codes give TLS or NETWORK,
 * MS_SMTP_ERROR_REJECTED and _AUTH_FAILED are classified from @reply (the reply
 * that caused them, see ms_smtp_client_get_last_reply()) at @stage. */
MsSmtpFailure  ms_smtp_failure_from_error   (const GError       *error,
                                             const MsSmtpReply  *reply,
                                             MsSmtpStage         stage);
const char    *ms_smtp_failure_to_string    (MsSmtpFailure       failure);
const char    *ms_smtp_stage_to_string      (MsSmtpStage         stage);

/* Incremental parsing, line by line, as the client reads them. */
typedef struct _MsSmtpReplyParser MsSmtpReplyParser;

MsSmtpReplyParser *ms_smtp_reply_parser_new      (void);
void               ms_smtp_reply_parser_free     (MsSmtpReplyParser  *parser);
/* Feeds one line without its CR LF.  Sets @done when it was the last line. */
gboolean           ms_smtp_reply_parser_add_line (MsSmtpReplyParser  *parser,
                                                  const char         *line,
                                                  gsize               length,
                                                  gboolean           *done,
                                                  GError            **error);
/* Returns the reply once done, and resets the parser for the next one. */
MsSmtpReply       *ms_smtp_reply_parser_finish   (MsSmtpReplyParser  *parser,
                                                  gboolean            enhanced);

/* Limits: a reply line of RFC 5321 is at most 512 octets; real servers send
 * longer ones, so allow 4096, and at most 256 lines per reply. */
#define MS_SMTP_REPLY_MAX_LINE  4096
#define MS_SMTP_REPLY_MAX_LINES 256

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpReply, ms_smtp_reply_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsSmtpReplyParser, ms_smtp_reply_parser_free)

G_END_DECLS

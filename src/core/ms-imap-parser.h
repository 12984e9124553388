/* ms-imap-parser.h
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

G_BEGIN_DECLS

#define MS_IMAP_ERROR (ms_imap_error_quark ())

/* Errors of the IMAP reader (the parser and the client).  Network and TLS
 * problems are MS_NET_ERROR, cancellation G_IO_ERROR_CANCELLED. */
typedef enum
{
  MS_IMAP_ERROR_PARSE,                 /* a response that breaks the grammar */
  MS_IMAP_ERROR_TOO_LARGE,             /* a literal or response above the limits */
  MS_IMAP_ERROR_REFUSED,               /* NO or BAD to a command */
  MS_IMAP_ERROR_AUTH_FAILED,           /* the login was refused */
  MS_IMAP_ERROR_STARTTLS_UNAVAILABLE,  /* STARTTLS chosen, not offered or refused */
  MS_IMAP_ERROR_STARTTLS_INJECTION,    /* bytes between the STARTTLS reply and TLS */
  MS_IMAP_ERROR_BYE,                   /* the server said BYE and closed */
  MS_IMAP_ERROR_NO_MAILBOX,            /* the folder does not exist */
  MS_IMAP_ERROR_PLAINTEXT_AUTH,        /* a login without TLS that was not allowed */
} MsImapError;

typedef enum
{
  MS_IMAP_VALUE_ATOM,     /* atoms, numbers, flags (\Seen), BODY[...]<n> */
  MS_IMAP_VALUE_STRING,   /* a quoted string or a literal */
  MS_IMAP_VALUE_NIL,
  MS_IMAP_VALUE_LIST,     /* ( ... ) */
} MsImapValueType;

/* One value of a response.  For atoms and strings @data points at @length
 * bytes, which @bytes owns; atoms and quoted strings are followed by a NUL,
 * literals when the GBytes handed to the parser were (the client's are).  A
 * literal may itself contain NULs.  For lists @items holds the values. */
typedef struct
{
  MsImapValueType  type;
  gboolean         literal;
  const char      *data;
  gsize            length;
  GBytes          *bytes;
  GPtrArray       *items;
} MsImapValue;

typedef enum
{
  MS_IMAP_RESPONSE_TAGGED,        /* A0001 OK ... */
  MS_IMAP_RESPONSE_UNTAGGED,      /* * ... */
  MS_IMAP_RESPONSE_CONTINUATION,  /* + ... */
} MsImapResponseKind;

typedef enum
{
  MS_IMAP_STATUS_NONE,            /* a data response (* CAPABILITY, * 3 FETCH ...) */
  MS_IMAP_STATUS_OK,
  MS_IMAP_STATUS_NO,
  MS_IMAP_STATUS_BAD,
  MS_IMAP_STATUS_BYE,
  MS_IMAP_STATUS_PREAUTH,
} MsImapStatus;

/* A complete server response, literals included.
 *
 *   A0003 OK [READ-WRITE] SELECT completed   kind TAGGED, tag "A0003", status OK,
 *                                            code "READ-WRITE", text "SELECT completed"
 *   * OK [UIDVALIDITY 3857529045] UIDs valid status OK, code "UIDVALIDITY", code_args
 *                                            { 3857529045 }
 *   * 12 FETCH (UID 40 BODY[] {342}...)      number 12, name "FETCH", args { (UID 40 ...) }
 *   * SEARCH 2 84 882                        name "SEARCH", args { 2, 84, 882 }
 *   + Ready                                  kind CONTINUATION, text "Ready"
 *
 * Names and codes are upper-cased.  code_args is NULL when the code has no
 * arguments or they do not tokenize; code_text keeps them raw. */
typedef struct
{
  MsImapResponseKind  kind;
  char               *tag;
  MsImapStatus        status;
  gboolean            has_number;
  guint32             number;
  char               *name;
  char               *code;
  char               *code_text;
  GPtrArray          *code_args;
  char               *text;
  GPtrArray          *args;
} MsImapResponse;

typedef enum
{
  MS_IMAP_PARSE_FAILED,        /* see the error; the parser is reset */
  MS_IMAP_PARSE_NEED_LITERAL,  /* the line ends in {n}: hand over exactly n bytes */
  MS_IMAP_PARSE_DONE,          /* ms_imap_parser_take_response() */
} MsImapParseResult;

typedef struct _MsImapParser MsImapParser;

/* The limits of the parser: the largest literal, the largest response (lines
 * and literals together) and the number of literals in one response.  A server
 * that goes past one gets MS_IMAP_ERROR_TOO_LARGE before anything is read. */
#define MS_IMAP_DEFAULT_MAX_LITERAL   (64 * 1024 * 1024)
#define MS_IMAP_DEFAULT_MAX_RESPONSE  (MS_IMAP_DEFAULT_MAX_LITERAL + 4 * 1024 * 1024)
#define MS_IMAP_MAX_LITERALS          1024
#define MS_IMAP_MAX_DEPTH             32
/* The longest line the client reads (a SEARCH reply of many UIDs is long). */
#define MS_IMAP_MAX_LINE              (2 * 1024 * 1024)

GQuark             ms_imap_error_quark          (void);

/* An incremental parser: feed it the lines of the server (without CR LF) and,
 * when it asks, the literals; it hands back one response at a time. */
MsImapParser      *ms_imap_parser_new           (gsize               max_literal,
                                                 gsize               max_response);
void               ms_imap_parser_free          (MsImapParser       *self);
void               ms_imap_parser_reset         (MsImapParser       *self);
/* On NEED_LITERAL *literal_size is the size the server announced. */
MsImapParseResult  ms_imap_parser_add_line      (MsImapParser       *self,
                                                 const char         *line,
                                                 gsize               length,
                                                 gsize              *literal_size,
                                                 GError            **error);
/* @literal must have exactly the announced size. */
gboolean           ms_imap_parser_add_literal   (MsImapParser       *self,
                                                 GBytes             *literal,
                                                 GError            **error);
MsImapResponse    *ms_imap_parser_take_response (MsImapParser       *self);

/* Every response in @data (lines ending in LF or CR LF, literals inline), for
 * tests and the fuzz target.  Fails at the first malformed response, at a
 * line longer than @max_line or when the data ends inside a response. */
GPtrArray         *ms_imap_parse_buffer         (const guint8       *data,
                                                 gsize               length,
                                                 gsize               max_line,
                                                 gsize               max_literal,
                                                 GError            **error);

void               ms_imap_response_free        (MsImapResponse     *response);
void               ms_imap_value_free           (MsImapValue        *value);

/* Helpers */
const char        *ms_imap_status_to_string     (MsImapStatus        status);
/* TRUE for an atom equal to @name, ignoring ASCII case. */
gboolean           ms_imap_value_is_atom        (const MsImapValue  *value,
                                                 const char         *name);
/* An atom of digits only, at most G_MAXUINT32 (IMAP numbers are 32-bit). */
gboolean           ms_imap_value_get_number     (const MsImapValue  *value,
                                                 guint32            *number);
/* An atom or string as text (NULs and all); NULL for NIL and lists. */
char              *ms_imap_value_dup_string     (const MsImapValue  *value);
/* The value after the item @name in a FETCH response's list, e.g. "UID" or
 * "BODY[]"; NULL when absent. */
const MsImapValue *ms_imap_response_get_fetch_item (const MsImapResponse *response,
                                                    const char           *name);
/* A response in one line for logs and errors, literals shown as {n}. */
char              *ms_imap_response_to_string   (const MsImapResponse *response);

/* Writes @text as an IMAP quoted string ("a\"b"), or returns FALSE when it
 * cannot be quoted (CR, LF, NUL or 8-bit bytes need a literal). */
gboolean           ms_imap_quote_string         (GString            *out,
                                                 const char         *text);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsImapResponse, ms_imap_response_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsImapParser, ms_imap_parser_free)

G_END_DECLS

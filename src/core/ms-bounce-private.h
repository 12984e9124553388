/* ms-bounce-private.h
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

#include "ms-bounce.h"

G_BEGIN_DECLS

/* Bounds on untrusted input. */
#define MS_BOUNCE_MAX_TEXT        (256 * 1024)  /* human-readable text kept */
#define MS_BOUNCE_MAX_RECIPIENTS  1000
#define MS_BOUNCE_MAX_DIAGNOSTIC  2048          /* per recipient */

/* What one message says, gathered from its MIME structure. */
typedef struct
{
  char       *from;            /* the From address, lower-cased */
  char       *from_display;    /* the whole From field, decoded */
  char       *to;              /* the first To address, lower-cased */
  char       *subject;         /* decoded */
  char       *return_path;
  char       *content_type;    /* "multipart/report", lower-case */
  char       *report_type;     /* its report-type parameter */
  GHashTable *headers;         /* lower-case name -> value (first occurrence) */
  GPtrArray  *received;        /* Received fields, top first */
  GPtrArray  *failed_recipients; /* X-Failed-Recipients addresses */

  GString    *text;            /* the human-readable part(s), UTF-8, LF line ends */
  GString    *dsn;             /* message/delivery-status contents */
  GString    *feedback;        /* message/feedback-report contents */
  GString    *original;        /* the returned message: headers, maybe body */
  GString    *everything;      /* all decoded text, for our own headers */
  gboolean    has_text_part;
  GObject    *inner_message;   /* the first message/rfc822 part (a GMimeMessage) */
  guint       n_records;       /* recipients found, while classifying */

  /* Worked out once per message for all its recipients. */
  char       *lower_text;      /* text, ASCII lower-cased (same offsets) */
  GArray     *lines;           /* of its lines (ms-bounce-text.c) */
  gconstpointer text_rule;     /* the first reason rule the whole text matches */
  gboolean    google_groups;   /* a Google Groups refusal */
} MsBounceInput;

/* One recipient as found in the message, before classification. */
typedef struct
{
  char       *address;
  char       *alias;
  char       *action;          /* failed, delayed, delivered, ... lower-case */
  char       *status;          /* the Status field */
  char       *diagnostic;      /* the remote server's words (Diagnostic-Code or text) */
  char       *diag_type;       /* "smtp", "x-unix", ... lower-case */
  char       *remote_mta;
  char       *context;         /* more text around the recipient, for classification */
  const char *reason;          /* decided by the format itself (feedback, vacation, ...) */
  guint       replycode;       /* given by the format itself */
} MsBounceRecord;

MsBounceRecord *ms_bounce_record_new          (void);
void            ms_bounce_record_free         (gpointer        record);

/* A header-like field of a DSN or feedback report. */
typedef struct
{
  char *name;    /* lower-case; NULL for an empty line */
  char *value;
} MsBounceField;

/* Text helpers (ms-bounce-text.c). */
char           *ms_bounce_extract_address     (const char     *text);
gboolean        ms_bounce_is_address          (const char     *text);
char           *ms_bounce_collapse_spaces     (const char     *text,
                                               gssize          length);
GPtrArray      *ms_bounce_parse_fields        (const char     *text,
                                               gsize           length);
const char     *ms_bounce_fields_get          (GPtrArray      *fields,
                                               const char     *name);
gsize           ms_bounce_find_original       (const char     *text,
                                               gsize           length);
char           *ms_bounce_header_in_text      (const char     *text,
                                               const char     *name);
char           *ms_bounce_status_value        (const char     *value);
char           *ms_bounce_field_type          (const char     *value);
char           *ms_bounce_strip_type          (const char     *value);

/* Extractors (ms-bounce-text.c, ms-bounce-reports.c): each appends records
 * to @records. */
void            ms_bounce_read_dsn            (const MsBounceInput *input,
                                               const char     *dsn,
                                               GPtrArray      *records);
void            ms_bounce_read_text           (const MsBounceInput *input,
                                               GPtrArray      *records);
gboolean        ms_bounce_read_ses_json       (MsBounceInput  *input,
                                               GPtrArray      *records,
                                               MsBounceKind   *out_kind);
void            ms_bounce_read_feedback       (const MsBounceInput *input,
                                               GPtrArray      *records,
                                               char          **out_feedback_type);
void            ms_bounce_add_context         (const MsBounceInput *input,
                                               MsBounceRecord *record);

void            ms_bounce_prepare_text        (MsBounceInput  *input);

/* Classification (ms-bounce-rules.c). */
void            ms_bounce_prepare_rules       (MsBounceInput  *input);
gboolean        ms_bounce_text_says_failure   (const char     *text,
                                               gsize           length);
void            ms_bounce_classify            (const MsBounceInput *input,
                                               const MsBounceRecord *record,
                                               MsBounceRecipient *out);

G_END_DECLS

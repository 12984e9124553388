/* ms-preflight.h
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

#include "ms-template.h"

G_BEGIN_DECLS

/* Checks to run before a campaign or a test message is sent: what a person
 * should know, or must fix, per sending server. */

typedef enum
{
  MS_PREFLIGHT_INFO,
  MS_PREFLIGHT_WARNING,   /* it will be sent, but not as the person might expect */
  MS_PREFLIGHT_ERROR,     /* it cannot be sent (through that server) as it is */
} MsPreflightSeverity;

typedef enum
{
  MS_PREFLIGHT_MESSAGE_TOO_LARGE,     /* larger than the server's limit */
  MS_PREFLIGHT_MESSAGE_NEAR_LIMIT,    /* over 90 % of it: a longer name may cross it */
  MS_PREFLIGHT_MESSAGE_LARGE,         /* over 10 MB: many receivers refuse */
  MS_PREFLIGHT_BLOCKED_ATTACHMENT,    /* a file type providers refuse, maybe inside an archive */
  MS_PREFLIGHT_UNREADABLE_ARCHIVE,    /* an archive that cannot be looked into */
  MS_PREFLIGHT_SENDER_REPLACED,       /* the server's own address will be used in From */
  MS_PREFLIGHT_NO_SENDER,             /* neither template nor server gives a From */
} MsPreflightCode;

typedef struct
{
  MsPreflightSeverity  severity;
  MsPreflightCode      code;
  char                *server;    /* the server's name, NULL when it concerns every server */
  char                *message;   /* translated, plain language, one or two sentences */
} MsPreflightFinding;

#define MS_TYPE_PREFLIGHT_FINDING (ms_preflight_finding_get_type ())
GType               ms_preflight_finding_get_type (void);
MsPreflightFinding *ms_preflight_finding_copy     (const MsPreflightFinding *self);
void                ms_preflight_finding_free     (MsPreflightFinding       *self);

/* A sending server as the checks see it. */
typedef struct
{
  const char *name;
  const char *from_address;              /* the server's own address (may be NULL) */
  gboolean    allow_sender_substitution;
  guint64     max_message_size;          /* octets; 0 for unknown */
} MsPreflightServer;

/* sample_size: the size of one rendered message (from
 * ms_message_renderer_render()), 0 to skip the size checks.  Returns the
 * findings, errors first; element type MsPreflightFinding. */
GPtrArray          *ms_preflight_check            (MsTemplate               *tmpl,
                                                   gsize                     sample_size,
                                                   const MsPreflightServer  *servers,
                                                   guint                     n_servers);

/* The names that providers refuse in one attachment: the file itself, and
 * entries of .zip archives (nested ones too), of .gz and of .tar(.gz) files.
 * Returns NULL when nothing is blocked.  *out_unreadable (nullable) is set
 * when an archive could not be read (truncated, encrypted headers ...). */
GStrv               ms_preflight_blocked_names    (const char               *filename,
                                                   GBytes                   *data,
                                                   gboolean                 *out_unreadable);
/* TRUE when the name's extension is on Gmail's blocked list (case-insensitive;
 * trailing dots and spaces are ignored as Windows ignores them). */
gboolean            ms_preflight_is_blocked_name  (const char               *filename);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsPreflightFinding, ms_preflight_finding_free)

G_END_DECLS

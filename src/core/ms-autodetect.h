/* ms-autodetect.h
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

/* Finds the SMTP, IMAP and POP3 settings for an address, in this order, stopping
 * at the first trustworthy answer:
 *   1. the bundled provider presets (ms-provider.h);
 *   2. autoconfig (ms-autoconfig.h; plain HTTP only last and less trusted);
 *   3. DNS: the MX hosts matched to known providers (else the ISPDB asked about the
 *      MX host's domain), then RFC 6186 SRV records;
 *   4. guessing smtp./mail./the MX host on 465, 587, 25, 2525 (imap./mail. on
 *      993, 143; pop./mail. on 995, 110), each probed in parallel with a real
 *      greeting and EHLO / CAPABILITY / CAPA, never AUTH.
 * Implicit TLS is preferred, then STARTTLS; plaintext only when no TLS answered. */

typedef enum
{
  MS_DETECT_SOURCE_PRESET,
  MS_DETECT_SOURCE_AUTOCONFIG,
  MS_DETECT_SOURCE_AUTOCONFIG_HTTP,   /* less trusted */
  MS_DETECT_SOURCE_MX,
  MS_DETECT_SOURCE_SRV,
  MS_DETECT_SOURCE_GUESS,
} MsDetectSource;

typedef struct
{
  char           *host;
  guint           port;
  MsSecurity      security;
  char           *login;         /* NULL when unknown */
  MsDetectSource  source;
  char           *source_text;   /* translated: "from the provider’s autoconfig" */
} MsDetectedServer;

typedef struct
{
  char             *address;
  char             *provider_name;   /* may be NULL */
  MsDetectedServer *smtp;            /* NULL: nothing found */
  MsDetectedServer *imap;
  MsDetectedServer *pop3;
  GPtrArray        *documentation;   /* char *: URLs */
  GPtrArray        *tried;           /* char *: one line per attempt, in order */
} MsDetectResult;

/* A port to probe; implicit_tls: TLS from the first byte (465, 993, 995). */
typedef struct
{
  guint16  port;
  gboolean implicit_tls;
} MsDetectPort;

typedef struct
{
  guint               timeout_ms;        /* everything; 0: 30 s */
  guint               probe_timeout_ms;  /* one probe; 0: 6 s */
  gboolean            skip_presets;      /* for tests */
  const MsDetectPort *smtp_ports;        /* ending with port 0; NULL: 465, 587, 25, 2525 */
  const MsDetectPort *imap_ports;        /* NULL: 993, 143 */
  const MsDetectPort *pop3_ports;        /* NULL: 995, 110 */
  const char         *ca_file;           /* also trusted while probing; may be NULL */
} MsDetectOptions;

#define MS_AUTODETECT_ERROR (ms_autodetect_error_quark ())

typedef enum
{
  MS_AUTODETECT_ERROR_INVALID_ADDRESS,
} MsAutodetectError;

GQuark           ms_autodetect_error_quark    (void);

void             ms_detect_result_free        (MsDetectResult        *result);
const char      *ms_detect_source_to_string   (MsDetectSource         source); /* "preset", ... */

/* Blocking, for a worker thread.  Fails only for an invalid address or on
 * cancellation; a result with smtp == NULL means nothing was found (see tried). */
MsDetectResult  *ms_autodetect_run            (const char            *address,
                                               const MsDetectOptions *options,
                                               GCancellable          *cancellable,
                                               GError               **error);

/* @options may be NULL; it is copied. */
void             ms_autodetect_async          (const char            *address,
                                               const MsDetectOptions *options,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
MsDetectResult  *ms_autodetect_finish         (GAsyncResult          *result,
                                               GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsDetectResult, ms_detect_result_free)

G_END_DECLS

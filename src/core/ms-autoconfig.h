/* ms-autoconfig.h
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

#define MS_AUTOCONFIG_ERROR (ms_autoconfig_error_quark ())

typedef enum
{
  MS_AUTOCONFIG_ERROR_MALFORMED,   /* not config-v1.1 XML, or no usable server */
  MS_AUTOCONFIG_ERROR_TOO_LARGE,   /* the document exceeds MS_AUTOCONFIG_MAX_SIZE */
  MS_AUTOCONFIG_ERROR_HTTP,        /* an HTTP status other than 200 */
  MS_AUTOCONFIG_ERROR_REDIRECT,    /* too many redirects, or HTTPS -> HTTP */
  MS_AUTOCONFIG_ERROR_NOT_FOUND,   /* no URL gave a document */
} MsAutoconfigError;

/* The largest autoconfig document read: 1 MiB. */
#define MS_AUTOCONFIG_MAX_SIZE (1024 * 1024)
/* Redirects followed at most per URL. */
#define MS_AUTOCONFIG_MAX_REDIRECTS 3

typedef enum
{
  MS_AUTOCONFIG_IMAP,
  MS_AUTOCONFIG_POP3,
  MS_AUTOCONFIG_SMTP,
} MsAutoconfigProtocol;

typedef struct
{
  MsAutoconfigProtocol protocol;
  char                *hostname;
  guint                port;
  MsSecurity           security;
  char                *username;   /* already expanded for the address */
} MsAutoconfigServer;

/* A parsed Mozilla autoconfig document (config-v1.1). */
typedef struct
{
  char      *provider_id;       /* emailProvider id= */
  char      *display_name;      /* may be NULL */
  GPtrArray *domains;           /* char * */
  GPtrArray *incoming;          /* MsAutoconfigServer *, in document order */
  GPtrArray *outgoing;          /* MsAutoconfigServer * */
  GPtrArray *documentation;     /* char *: documentation url= */
  char      *source_url;        /* where it was fetched from; NULL when parsed from memory */
  gboolean   less_trusted;      /* fetched over plain HTTP */
} MsAutoconfig;

GQuark               ms_autoconfig_error_quark      (void);

/* Parses @data (at most MS_AUTOCONFIG_MAX_SIZE bytes); the username patterns
 * %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN% are expanded for @address. */
MsAutoconfig        *ms_autoconfig_parse            (const char    *data,
                                                     gsize          length,
                                                     const char    *address,
                                                     GError       **error);
void                 ms_autoconfig_free             (MsAutoconfig  *self);
char                *ms_autoconfig_expand_username  (const char    *pattern,
                                                     const char    *address);

/* The best server of @protocol: implicit TLS first, then STARTTLS, then plain.  NULL if none. */
const MsAutoconfigServer *ms_autoconfig_best_server (const MsAutoconfig *self,
                                                     MsAutoconfigProtocol protocol);

/* The URLs tried for @address, in order; the plain-HTTP ones (last) are marked in
 * @out_less_trusted (one gboolean per URL).  With the environment variable
 * MAILSHOT_AUTOCONFIG_BASE set (a test seam: "http://127.0.0.1:PORT"), every URL
 * is below that base instead: BASE/autoconfig.DOMAIN/mail/config-v1.1.xml?...,
 * BASE/DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml, BASE/ispdb/v1.1/DOMAIN
 * and BASE/http/autoconfig.DOMAIN/mail/config-v1.1.xml (the less trusted one). */
GStrv                ms_autoconfig_urls             (const char    *address,
                                                     GArray       **out_less_trusted);

/* The public ISPDB's URL for @domain (below the test base when one is set). */
char                *ms_autoconfig_ispdb_url        (const char    *domain);

/* The test seam in code: a base URL that wins over MAILSHOT_AUTOCONFIG_BASE; NULL
 * goes back to the environment. */
void                 ms_autoconfig_set_base_url     (const char    *base);

/* The redirect policy of the fetch: HTTPS never goes down to HTTP, and only HTTP(S)
 * targets are followed. */
gboolean             ms_autoconfig_redirect_allowed (GUri          *from,
                                                     GUri          *to,
                                                     GError       **error);

/* Blocking, for a worker thread: fetches @url (redirects bounded, HTTPS -> HTTP
 * refused, body bounded) and parses it. @timeout_ms bounds the whole fetch. */
MsAutoconfig        *ms_autoconfig_fetch_url        (const char    *url,
                                                     const char    *address,
                                                     guint          timeout_ms,
                                                     GCancellable  *cancellable,
                                                     GError       **error);

/* Blocking: tries every URL of ms_autoconfig_urls() until one gives a document.
 * @tried, when not NULL, receives one line per URL ("URL: what happened"). */
MsAutoconfig        *ms_autoconfig_fetch            (const char    *address,
                                                     guint          timeout_ms,
                                                     GPtrArray     *tried,
                                                     GCancellable  *cancellable,
                                                     GError       **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsAutoconfig, ms_autoconfig_free)

G_END_DECLS

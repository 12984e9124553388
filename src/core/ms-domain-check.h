/* ms-domain-check.h
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

/* The sender-domain check: SPF, DKIM and DMARC as DNS publishes them, and what
 * Gmail, Yahoo and Outlook require of bulk senders.  It only advises; nothing it
 * finds blocks a campaign.  DNS goes through g_resolver_get_default(), so tests
 * answer it from a table. */

typedef enum
{
  MS_CHECK_OK,
  MS_CHECK_WARNING,
  MS_CHECK_ERROR,
} MsCheckStatus;

typedef struct
{
  char          *id;       /* "spf-record", "spf-authorises", "spf-all", "dmarc-record",
                            * "dmarc-policy", "dkim-record", "dkim-key", "alignment",
                            * "bulk-senders" */
  MsCheckStatus  status;
  char          *title;    /* translated, one line */
  char          *advice;   /* translated, plain language */
} MsCheckItem;

void          ms_check_item_free        (MsCheckItem *item);
const char   *ms_check_status_to_string (MsCheckStatus status);   /* "ok", "warning", "error" */

/* SPF (RFC 7208) */
typedef enum
{
  MS_SPF_NONE,
  MS_SPF_NEUTRAL,
  MS_SPF_PASS,
  MS_SPF_FAIL,
  MS_SPF_SOFTFAIL,
  MS_SPF_TEMPERROR,
  MS_SPF_PERMERROR,
} MsSpfResult;

/* The DNS-querying terms (include, a, mx, ptr, exists, redirect) one check may use. */
#define MS_SPF_MAX_LOOKUPS 10

const char   *ms_spf_result_to_string   (MsSpfResult result);   /* "pass", "softfail", ... */
/* check_host() for @ip and @domain.  @detail, when not NULL, receives what decided
 * the result ("matched ip4:192.0.2.0/24 in example.org", "more than 10 DNS lookups").
 * Macros (%{i} ...) are not expanded: terms that use them do not match. */
MsSpfResult   ms_spf_check_host         (GResolver     *resolver,
                                         GInetAddress  *ip,
                                         const char    *domain,
                                         char         **detail,
                                         GCancellable  *cancellable);
/* The "all" qualifier the record of @domain ends with ('-', '~', '?', '+'), or 0. */
char          ms_spf_all_qualifier      (const char    *record);

/* DMARC (RFC 7489) */
typedef struct
{
  char      *policy;             /* p=: "none", "quarantine", "reject" */
  char      *subdomain_policy;   /* sp=; NULL when absent */
  guint      pct;                /* 0..100, 100 when absent */
  GPtrArray *rua;                /* char *: the report addresses */
  char       adkim;              /* 'r' or 's' */
  char       aspf;               /* 'r' or 's' */
} MsDmarcRecord;

MsDmarcRecord *ms_dmarc_parse           (const char    *record,
                                         GError       **error);
void           ms_dmarc_record_free     (MsDmarcRecord *record);

/* DKIM: the base64 key (p=, whitespace removed) of a "v=DKIM1; k=...; p=..." record;
 * NULL when @record is not a DKIM key record.  An empty string: a revoked key. */
char          *ms_dkim_record_key       (const char    *record);
/* TRUE when both records publish the same key. */
gboolean       ms_dkim_records_match    (const char    *published,
                                         const char    *expected);

/* The registrable ("organisational") domain: "mail.example.co.uk" -> "example.co.uk". */
char          *ms_domain_organizational (const char    *domain);

typedef struct
{
  const char *from_address;        /* required */
  const char *smtp_host;           /* may be NULL: no SPF authorisation check */
  const char *dkim_domain;         /* may be NULL: DKIM not configured */
  const char *dkim_selector;
  const char *dkim_expected_record;  /* ms_dkim_dns_record() of the configured key; may be NULL */
} MsDomainCheckParams;

/* Blocking, for a worker thread: the checklist (MsCheckItem *), never NULL. */
GPtrArray     *ms_domain_check_run      (const MsDomainCheckParams *params,
                                         GCancellable              *cancellable);

void           ms_domain_check_async    (const MsDomainCheckParams *params,
                                         GCancellable              *cancellable,
                                         GAsyncReadyCallback        callback,
                                         gpointer                   user_data);
GPtrArray     *ms_domain_check_finish   (GAsyncResult              *result,
                                         GError                   **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsDmarcRecord, ms_dmarc_record_free)

G_END_DECLS

/* ms-provider.h
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

#include "ms-server.h"
#include "ms-smtp-reply.h"

G_BEGIN_DECLS

/* How a provider wants the login written. */
typedef enum
{
  MS_LOGIN_FORMAT_ADDRESS,     /* the full address: "anna@mail.ru" */
  MS_LOGIN_FORMAT_LOCAL_PART,  /* the part before the @: "anna" */
} MsLoginFormat;

/* A bundled preset for a mail provider (data/providers/providers.ini, compiled into
 * the core's resources).  The data file holds hosts, ports, limits and the ids of
 * quirks and error explanations; the sentences for those ids are translatable text
 * in ms-provider.c, so they reach the .po files through xgettext like any other
 * string (a .ini cannot be extracted by xgettext).
 *
 * Domains are matched exactly, case-insensitively and in their Unicode or ASCII
 * (punycode) form, with a trailing dot ignored.  Subdomains do not match: a
 * "corp.mail.ru" address is a different mail system than "mail.ru". */
#define MS_TYPE_PROVIDER (ms_provider_get_type ())

G_DECLARE_FINAL_TYPE (MsProvider, ms_provider, MS, PROVIDER, GObject)

/* Every preset, in the order of the data file; owned by the library. */
GPtrArray          *ms_provider_get_all                (void);
/* The preset for the domain of @address (an address or a bare domain); NULL if none.
 * The returned object is owned by the library. */
MsProvider         *ms_provider_lookup                 (const char      *address_or_domain);
/* The preset for a profile: by its sender address, else by its SMTP host. */
MsProvider         *ms_provider_lookup_for_server      (MsServer        *server);

const char         *ms_provider_get_id                 (MsProvider      *self);
const char         *ms_provider_get_name               (MsProvider      *self);
const char * const *ms_provider_get_domains            (MsProvider      *self);
const char         *ms_provider_get_smtp_host          (MsProvider      *self);
guint               ms_provider_get_smtp_port          (MsProvider      *self);
MsSecurity          ms_provider_get_smtp_security      (MsProvider      *self);
/* NULL host when the provider has no such access. */
const char         *ms_provider_get_imap_host          (MsProvider      *self);
guint               ms_provider_get_imap_port          (MsProvider      *self);
MsSecurity          ms_provider_get_imap_security      (MsProvider      *self);
const char         *ms_provider_get_pop3_host          (MsProvider      *self);
guint               ms_provider_get_pop3_port          (MsProvider      *self);
MsSecurity          ms_provider_get_pop3_security      (MsProvider      *self);
MsLoginFormat       ms_provider_get_login_format       (MsProvider      *self);
MsLoginFormat       ms_provider_get_incoming_login_format (MsProvider   *self);
guint64             ms_provider_get_max_message_size   (MsProvider      *self);
guint               ms_provider_get_max_recipients     (MsProvider      *self);
/* Conservative default quotas (check your provider). */
const MsQuota      *ms_provider_get_quotas             (MsProvider      *self,
                                                        guint           *n_quotas);
/* Quirk ids, e.g. "app-password", "from-equals-login", "enable-imap". */
const char * const *ms_provider_get_quirks             (MsProvider      *self);
/* Where the provider explains app passwords or mail-program access; may be NULL. */
const char         *ms_provider_get_help_url           (MsProvider      *self);

/* The translated sentence of a quirk or explanation id; NULL for an unknown id. */
const char         *ms_provider_quirk_text             (const char      *quirk_id);
const char         *ms_provider_explanation_text       (const char      *explanation_id);

/* The login for @address in this provider's format. */
char               *ms_provider_make_login             (MsProvider      *self,
                                                        const char      *address);
/* Fills @server from the preset for @address: SMTP host, port, security, login,
 * sender address, size and recipient limits, quotas, and the IMAP mailbox.  Name,
 * password, priority and everything else stay as they are. */
void                ms_provider_apply                  (MsProvider      *self,
                                                        MsServer        *server,
                                                        const char      *address);

/* Explains a server reply with its fix, from the error table of the data file:
 * the rules of @provider (may be NULL) first, then the generic ones.  Returns the
 * explanation id, or NULL when no rule matches. */
const char         *ms_provider_explain_reply          (MsProvider         *provider,
                                                        const MsSmtpReply  *reply,
                                                        MsSmtpStage         stage);

G_END_DECLS

/* ms-message.h
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

#include "ms-contact.h"
#include "ms-template.h"

G_BEGIN_DECLS

#define MS_MESSAGE_ERROR (ms_message_error_quark ())

typedef enum
{
  MS_MESSAGE_ERROR_FAILED,
  MS_MESSAGE_ERROR_NO_SENDER,     /* neither the template nor the server gives a From */
  MS_MESSAGE_ERROR_BAD_ADDRESS,   /* a From, Reply-To or contact address is not valid */
  MS_MESSAGE_ERROR_DKIM,          /* the DKIM key or parameters are unusable */
} MsMessageError;

/* What the sending side contributes to each message.  The renderer copies
 * every string, so the struct may live on the stack. */
typedef struct
{
  /* The server's own address and name.  From is the template's fixed sender
   * when there is one and the server allows sender substitution (or the two
   * addresses are equal); otherwise it is this address, with the template's
   * sender name (or from_name) and, when the template's own address was
   * replaced and it has no Reply-To, a Reply-To of the template's address.
   * from_address may be NULL when the template has its own sender. */
  const char *from_address;
  const char *from_name;
  gboolean    allow_sender_substitution;

  /* List-Unsubscribe: <mailto:unsubscribe_address?subject=unsubscribe%20TOKEN>
   * where TOKEN is ms_message_unsubscribe_token (secret, campaign, email).
   * NULL: no List-Unsubscribe header. */
  const char *unsubscribe_address;
  /* Key of the tokens (List-Unsubscribe and X-Mailshot-Delivery).  NULL uses a
   * fixed key: fine for tests and "template render", not for campaigns. */
  const char *secret;
  /* Written as "X-Mailshot-Campaign: <campaign>"; letters, digits, '_' and '-'
   * only.  NULL means "test". */
  const char *campaign;
} MsMessageSender;

typedef struct _MsMessageRenderer MsMessageRenderer;

#define MS_TYPE_MESSAGE_RENDERER (ms_message_renderer_get_type ())

GQuark             ms_message_error_quark         (void);
GType              ms_message_renderer_get_type   (void);

/* Compiles the template once (merge fields, Markdown, the MIME skeleton with
 * the attachments already encoded).  custom_fields as for ms_merge_compile():
 * the known custom field names, or NULL to accept any name.  Errors are
 * MS_MERGE_ERROR (the template) or MS_MESSAGE_ERROR. */
MsMessageRenderer *ms_message_renderer_new        (MsTemplate              *tmpl,
                                                   const MsMessageSender   *sender,
                                                   const char * const      *custom_fields,
                                                   GError                 **error);
MsMessageRenderer *ms_message_renderer_ref        (MsMessageRenderer       *self);
void               ms_message_renderer_unref      (MsMessageRenderer       *self);

/* Configuration (set_dkim, set_date) comes before the first render: a
 * configured renderer is immutable and renders on any number of threads. */

/* Adds a DKIM signature made with this PEM private key (RSA gives rsa-sha256,
 * Ed25519 gives ed25519-sha256).  Call it twice, once per key, to sign with
 * both (RFC 8463 recommends an RSA signature beside an Ed25519 one). */
gboolean           ms_message_renderer_set_dkim   (MsMessageRenderer       *self,
                                                   const char              *domain,
                                                   const char              *selector,
                                                   const char              *pem_private_key,
                                                   GError                 **error);
/* For reproducible output (tests): the Date header and the DKIM t= tag.
 * NULL (the default) means the time of each render. */
void               ms_message_renderer_set_date   (MsMessageRenderer       *self,
                                                   GDateTime               *date);

/* The From address every message of this renderer carries, and whether it
 * is the server's address in place of the template's own. */
const char        *ms_message_renderer_get_from_address (MsMessageRenderer *self);
gboolean           ms_message_renderer_get_sender_replaced (MsMessageRenderer *self);

/* The complete message for one contact: CRLF line ends only, every line
 * shorter than 998 octets, 7-bit except for a non-ASCII contact address
 * (which needs SMTPUTF8), DKIM-signed when keys are set, ready for DATA
 * (not dot-stuffed).  message_id without angle brackets, e.g. from
 * ms_message_new_message_id(); brackets are accepted too.  Thread-safe. */
GBytes            *ms_message_renderer_render     (MsMessageRenderer       *self,
                                                   MsContact               *contact,
                                                   const char              *message_id,
                                                   GError                 **error);

/* The personalised parts, for previews: the subject (not encoded), the text
 * part and the complete HTML document (NULL for text templates). */
gboolean           ms_message_renderer_render_parts (MsMessageRenderer     *self,
                                                     MsContact             *contact,
                                                     char                 **out_subject,
                                                     char                 **out_text,
                                                     char                 **out_html,
                                                     GError               **error);

/* "<32 random hex digits>@domain", without angle brackets. */
char              *ms_message_new_message_id      (const char              *domain);

/* Per-recipient token: "<campaign>.<26 base32 characters>", the characters
 * being the first 128 bits of HMAC-SHA256 (secret, campaign NUL lower-cased
 * email).  It goes into the List-Unsubscribe subject and X-Mailshot-Delivery,
 * so an unsubscribe request or a bounce names its campaign and proves the
 * address.  secret NULL: the fixed test key. */
char              *ms_message_unsubscribe_token   (const char              *secret,
                                                   const char              *campaign,
                                                   const char              *email);
/* TRUE when token is the token of (campaign, email); out_campaign (nullable)
 * receives the campaign named in the token even when the address does not
 * match (FALSE), NULL when the token is malformed.  Constant-time compare. */
gboolean           ms_message_verify_unsubscribe_token (const char         *secret,
                                                        const char         *token,
                                                        const char         *email,
                                                        char              **out_campaign);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsMessageRenderer, ms_message_renderer_unref)

G_END_DECLS

/* ms-dkim.h
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

/* DKIM signatures (RFC 6376) with relaxed/relaxed canonicalisation:
 * rsa-sha256 for RSA keys, ed25519-sha256 (RFC 8463) for Ed25519 keys.
 * Signed header fields, those present of: from (over-signed, so no second
 * From can be added), to, cc, subject, date, message-id, mime-version,
 * content-type, content-transfer-encoding, reply-to, list-unsubscribe,
 * list-unsubscribe-post. */

#define MS_DKIM_ERROR (ms_dkim_error_quark ())

typedef enum
{
  MS_DKIM_ERROR_KEY,        /* not a PEM private key, or not RSA/Ed25519, or RSA < 1024 bits */
  MS_DKIM_ERROR_INVALID,    /* a bad domain or selector */
  MS_DKIM_ERROR_MESSAGE,    /* the message has no header/body separator or no From */
  MS_DKIM_ERROR_SIGN,       /* OpenSSL failed */
} MsDkimError;

typedef enum
{
  MS_DKIM_RSA_SHA256,
  MS_DKIM_ED25519_SHA256,
} MsDkimAlgorithm;

typedef struct _MsDkimSigner MsDkimSigner;

#define MS_TYPE_DKIM_SIGNER (ms_dkim_signer_get_type ())

GQuark           ms_dkim_error_quark          (void);
GType            ms_dkim_signer_get_type      (void);

MsDkimSigner    *ms_dkim_signer_new           (const char    *domain,
                                               const char    *selector,
                                               const char    *pem_private_key,
                                               GError       **error);
MsDkimSigner    *ms_dkim_signer_ref           (MsDkimSigner  *self);
void             ms_dkim_signer_unref         (MsDkimSigner  *self);
MsDkimAlgorithm  ms_dkim_signer_get_algorithm (MsDkimSigner  *self);

/* Signs a complete message (CRLF line ends) and returns the header field to
 * put in front of it: "DKIM-Signature: v=1; a=...\r\n", folded below 78
 * columns.  timestamp is the t= tag (Unix time).  Thread-safe. */
char            *ms_dkim_signer_sign          (MsDkimSigner  *self,
                                               const char    *message,
                                               gsize          length,
                                               gint64         timestamp,
                                               GError       **error);

/* The DNS TXT record that publishes the public half of a PEM private key:
 * "v=DKIM1; k=rsa; p=MIIB..." or "v=DKIM1; k=ed25519; p=...". */
char            *ms_dkim_dns_record           (const char    *pem_private_key,
                                               GError       **error);

/* Canonicalisation (exposed for tests).  body: relaxed body of a message
 * body (the part after the blank line).  header: one header field "Name:
 * value" (possibly folded, without the final CRLF) in relaxed form
 * "name:value". */
char            *ms_dkim_canonicalize_body    (const char    *body,
                                               gsize          length,
                                               gsize         *out_length);
char            *ms_dkim_canonicalize_header  (const char    *field,
                                               gsize          length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsDkimSigner, ms_dkim_signer_unref)

G_END_DECLS

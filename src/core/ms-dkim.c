/* ms-dkim.c
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


#define G_LOG_DOMAIN "ms-dkim"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "ms-dkim.h"

struct _MsDkimSigner
{
  gatomicrefcount  ref_count;
  MsDkimAlgorithm  algorithm;
  char            *domain;
  char            *selector;
  EVP_PKEY        *key;
  GMutex           lock;       /* guards prepared */
  EVP_MD_CTX      *prepared;   /* initialised for signing: copied per message */
};

/* The header fields we sign when present, in this order. */
static const char * const signed_fields[] = {
  "from", "to", "cc", "subject", "date", "message-id", "mime-version", "content-type",
  "content-transfer-encoding", "reply-to", "list-unsubscribe", "list-unsubscribe-post",
};

G_DEFINE_QUARK (ms-dkim-error-quark, ms_dkim_error)

G_DEFINE_BOXED_TYPE (MsDkimSigner, ms_dkim_signer, ms_dkim_signer_ref, ms_dkim_signer_unref)

static int
no_password_cb (char *buf,
                int   size,
                int   rwflag,
                void *user_data)
{
  /* An encrypted key cannot be used unattended; never prompt on a terminal. */
  return -1;
}

static EVP_PKEY *
load_private_key (const char  *pem,
                  GError     **error)
{
  BIO *bio;
  EVP_PKEY *key;

  bio = BIO_new_mem_buf (pem, -1);
  if (bio == NULL)
    {
      g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY, _("Out of memory."));
      return NULL;
    }
  key = PEM_read_bio_PrivateKey (bio, NULL, no_password_cb, NULL);
  BIO_free (bio);
  if (key == NULL)
    {
      g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY,
                           _("The DKIM key is not an unencrypted PEM private key (it should "
                             "begin with “-----BEGIN PRIVATE KEY-----”)."));
      return NULL;
    }
  if (EVP_PKEY_is_a (key, "RSA"))
    {
      if (EVP_PKEY_get_bits (key) < 1024)
        {
          g_set_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY,
                       _("The RSA key has only %d bits; receivers ignore DKIM keys under 1024 "
                         "bits. Create a 2048-bit key."), EVP_PKEY_get_bits (key));
          EVP_PKEY_free (key);
          return NULL;
        }
      return key;
    }
  if (EVP_PKEY_is_a (key, "ED25519"))
    return key;

  g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY,
                       _("DKIM keys must be RSA or Ed25519 keys."));
  EVP_PKEY_free (key);
  return NULL;
}

static gboolean
valid_dns_name (const char *name)
{
  if (name == NULL || name[0] == '\0' || strlen (name) > 253 || name[0] == '.')
    return FALSE;
  for (const char *p = name; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '.' && *p != '_')
      return FALSE;
  return TRUE;
}

MsDkimSigner *
ms_dkim_signer_new (const char  *domain,
                    const char  *selector,
                    const char  *pem_private_key,
                    GError     **error)
{
  MsDkimSigner *self;
  EVP_PKEY *key;

  g_return_val_if_fail (pem_private_key != NULL, NULL);

  if (!valid_dns_name (domain))
    {
      g_set_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_INVALID,
                   _("“%s” is not a valid DKIM domain."), domain != NULL ? domain : "");
      return NULL;
    }
  if (!valid_dns_name (selector))
    {
      g_set_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_INVALID,
                   _("“%s” is not a valid DKIM selector."), selector != NULL ? selector : "");
      return NULL;
    }
  if (!(key = load_private_key (pem_private_key, error)))
    return NULL;

  self = g_new0 (MsDkimSigner, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->algorithm = EVP_PKEY_is_a (key, "RSA") ? MS_DKIM_RSA_SHA256 : MS_DKIM_ED25519_SHA256;
  self->domain = g_ascii_strdown (domain, -1);
  self->selector = g_strdup (selector);
  self->key = key;
  g_mutex_init (&self->lock);
  /* Setting up a signing context costs about as much as an Ed25519
   * signature; copying a ready one is cheaper. */
  self->prepared = EVP_MD_CTX_new ();
  if (self->prepared != NULL
      && EVP_DigestSignInit (self->prepared, NULL,
                             self->algorithm == MS_DKIM_RSA_SHA256 ? EVP_sha256 () : NULL,
                             NULL, key) != 1)
    g_clear_pointer (&self->prepared, EVP_MD_CTX_free);
  return self;
}

MsDkimSigner *
ms_dkim_signer_ref (MsDkimSigner *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ms_dkim_signer_unref (MsDkimSigner *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->prepared, EVP_MD_CTX_free);
  g_mutex_clear (&self->lock);
  EVP_PKEY_free (self->key);
  g_free (self->domain);
  g_free (self->selector);
  g_free (self);
}

MsDkimAlgorithm
ms_dkim_signer_get_algorithm (MsDkimSigner *self)
{
  g_return_val_if_fail (self != NULL, MS_DKIM_RSA_SHA256);

  return self->algorithm;
}

/* Canonicalisation (RFC 6376 §3.4.2 and §3.4.4) */

static inline gboolean
is_wsp (char c)
{
  return c == ' ' || c == '\t';
}

/* The canonical body goes to a sink: a string (for tests) or straight into
 * the hash. */
typedef void (*BodySink) (gpointer    data,
                          const char *bytes,
                          gsize       length);

static void
string_sink (gpointer    data,
             const char *bytes,
             gsize       length)
{
  g_string_append_len (data, bytes, length);
}

static void
digest_sink (gpointer    data,
             const char *bytes,
             gsize       length)
{
  EVP_DigestUpdate (data, bytes, length);
}

static void
canonicalize_body_into (const char *body,
                        gsize       length,
                        BodySink    sink,
                        gpointer    sink_data)
{
  const char *p = body;
  const char *end = body + length;
  gsize empty_lines = 0;
  GString *line = NULL;

  while (p < end)
    {
      const char *eol = memchr (p, '\n', end - p);
      const char *line_end;
      const char *q;
      gboolean clean = TRUE;

      if (eol == NULL)
        eol = end;
      line_end = eol;
      if (line_end > p && line_end[-1] == '\r')
        line_end--;

      for (q = p; q < line_end && is_wsp (*q); q++)
        ;
      if (q == line_end)
        {
          /* Empty once canonical; written only if a non-empty line follows. */
          empty_lines++;
          p = eol < end ? eol + 1 : end;
          continue;
        }
      for (; empty_lines > 0; empty_lines--)
        sink (sink_data, "\r\n", 2);

      /* Most lines are already canonical: a single space between words, no
       * tab, nothing at the end. */
      for (q = p; q < line_end && clean; q++)
        if (*q == '\t' || (*q == ' ' && (q + 1 == line_end || q[1] == ' ' || q[1] == '\t')))
          clean = FALSE;
      if (clean)
        {
          sink (sink_data, p, line_end - p);
          sink (sink_data, "\r\n", 2);
        }
      else
        {
          gboolean pending_space = FALSE;

          if (line == NULL)
            line = g_string_sized_new (128);
          g_string_truncate (line, 0);
          for (q = p; q < line_end; q++)
            {
              if (is_wsp (*q))
                {
                  pending_space = TRUE;
                  continue;
                }
              if (pending_space)
                g_string_append_c (line, ' ');
              pending_space = FALSE;
              g_string_append_c (line, *q);
            }
          g_string_append_len (line, "\r\n", 2);
          sink (sink_data, line->str, line->len);
        }
      p = eol < end ? eol + 1 : end;
    }
  if (line != NULL)
    g_string_free (line, TRUE);
}

char *
ms_dkim_canonicalize_body (const char *body,
                           gsize       length,
                           gsize      *out_length)
{
  GString *out = g_string_sized_new (length + 2);

  g_return_val_if_fail (body != NULL || length == 0, NULL);

  canonicalize_body_into (body, length, string_sink, out);
  if (out_length != NULL)
    *out_length = out->len;
  return g_string_free (out, FALSE);
}

static void
canonicalize_header_into (const char *field,
                          gsize       length,
                          GString    *out)
{
  const char *end = field + length;
  const char *colon = memchr (field, ':', length);
  const char *name_end;
  const char *p;
  gboolean pending_space = FALSE;
  gsize start;

  if (colon == NULL)
    colon = end;
  name_end = colon;
  while (name_end > field && is_wsp (name_end[-1]))
    name_end--;
  for (p = field; p < name_end; p++)
    g_string_append_c (out, g_ascii_tolower (*p));
  g_string_append_c (out, ':');

  start = out->len;
  for (p = colon < end ? colon + 1 : end; p < end; p++)
    {
      if (*p == '\r' || *p == '\n' || is_wsp (*p))
        {
          pending_space = TRUE;
          continue;
        }
      if (pending_space && out->len > start)
        g_string_append_c (out, ' ');
      pending_space = FALSE;
      g_string_append_c (out, *p);
    }
}

char *
ms_dkim_canonicalize_header (const char *field,
                             gsize       length)
{
  GString *out = g_string_sized_new (length + 1);

  g_return_val_if_fail (field != NULL, NULL);

  canonicalize_header_into (field, length, out);
  return g_string_free (out, FALSE);
}

/* Signing */

typedef struct
{
  const char *start;   /* the field's first octet */
  gsize       length;  /* up to, not including, its final CRLF */
  gsize       name_length;
  gboolean    used;
} Field;

static gboolean
split_header (const char  *message,
              gsize        length,
              GArray      *fields,
              const char **body,
              GError     **error)
{
  const char *p = message;
  const char *end = message + length;

  while (p < end)
    {
      const char *line_end;
      Field field = { p, 0, 0, FALSE };

      if (p + 1 < end && p[0] == '\r' && p[1] == '\n')
        {
          *body = p + 2;
          return TRUE;
        }
      /* A field runs until a CRLF that is not followed by white space. */
      line_end = p;
      for (;;)
        {
          const char *cr = memchr (line_end, '\n', end - line_end);

          if (cr == NULL)
            {
              line_end = end;
              break;
            }
          line_end = cr + 1;
          if (line_end >= end || !is_wsp (*line_end))
            break;
        }
      field.length = line_end - p;
      if (field.length >= 2 && p[field.length - 1] == '\n' && p[field.length - 2] == '\r')
        field.length -= 2;
      else if (field.length >= 1 && p[field.length - 1] == '\n')
        field.length -= 1;
      {
        const char *colon = memchr (p, ':', field.length);

        field.name_length = colon != NULL ? (gsize) (colon - p) : 0;
        while (field.name_length > 0 && is_wsp (p[field.name_length - 1]))
          field.name_length--;
      }
      if (field.name_length > 0)
        g_array_append_val (fields, field);
      p = line_end;
    }

  g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_MESSAGE,
                       _("The message has no empty line between its header and body."));
  return FALSE;
}

static gboolean
field_is (const Field *field,
          const char  *name)
{
  return field->name_length == strlen (name)
         && g_ascii_strncasecmp (field->start, name, field->name_length) == 0;
}

static char *
base64_of (const guchar *data,
           gsize         length)
{
  return g_base64_encode (data, length);
}

/* Appends "tag" to the header value being built, folding before it when the
 * line would grow past 76 columns. */
static void
append_tag (GString    *header,
            gsize      *line_start,
            const char *tag)
{
  gsize len = strlen (tag);

  if (header->len - *line_start + len + 1 > 76)
    {
      g_string_append (header, "\r\n\t");
      *line_start = header->len - 1;
    }
  else
    g_string_append_c (header, ' ');
  g_string_append (header, tag);
}

static void
append_folded_base64 (GString    *header,
                      gsize      *line_start,
                      const char *b64)
{
  gsize len = strlen (b64);
  gsize pos = 0;

  while (pos < len)
    {
      gsize room = 76 > header->len - *line_start ? 76 - (header->len - *line_start) : 0;
      gsize n;

      if (room < 8)
        {
          g_string_append (header, "\r\n\t");
          *line_start = header->len - 1;
          continue;
        }
      n = MIN (room, len - pos);
      g_string_append_len (header, b64 + pos, n);
      pos += n;
    }
}

static gboolean
sign_data (MsDkimSigner  *self,
           const guchar  *data,
           gsize          length,
           guchar       **out_sig,
           gsize         *out_len,
           GError       **error)
{
  EVP_MD_CTX *ctx = EVP_MD_CTX_new ();
  guchar digest[32];
  const guchar *input = data;
  gsize input_len = length;
  size_t sig_len = 0;
  guchar *sig = NULL;
  gboolean ok = FALSE;

  if (ctx == NULL)
    goto out;
  if (self->algorithm == MS_DKIM_ED25519_SHA256)
    {
      /* RFC 8463: Ed25519 (pure) over the SHA-256 hash of the data. */
      unsigned int digest_len = 0;

      if (!EVP_Digest (data, length, digest, &digest_len, EVP_sha256 (), NULL))
        goto out;
      input = digest;
      input_len = digest_len;
    }

  if (self->prepared != NULL)
    {
      int copied;

      g_mutex_lock (&self->lock);
      copied = EVP_MD_CTX_copy_ex (ctx, self->prepared);
      g_mutex_unlock (&self->lock);
      if (copied != 1)
        goto out;
    }
  else if (EVP_DigestSignInit (ctx, NULL,
                               self->algorithm == MS_DKIM_RSA_SHA256 ? EVP_sha256 () : NULL,
                               NULL, self->key) != 1)
    goto out;

  if (EVP_DigestSign (ctx, NULL, &sig_len, input, input_len) != 1)
    goto out;
  sig = g_malloc (sig_len);
  if (EVP_DigestSign (ctx, sig, &sig_len, input, input_len) != 1)
    goto out;
  ok = TRUE;

out:
  EVP_MD_CTX_free (ctx);
  if (!ok)
    {
      g_free (sig);
      g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_SIGN,
                           _("OpenSSL could not make the DKIM signature."));
      return FALSE;
    }
  *out_sig = sig;
  *out_len = sig_len;
  return TRUE;
}

char *
ms_dkim_signer_sign (MsDkimSigner  *self,
                     const char    *message,
                     gsize          length,
                     gint64         timestamp,
                     GError       **error)
{
  g_autoptr(GArray) fields = g_array_new (FALSE, FALSE, sizeof (Field));
  g_autoptr(GString) canon = NULL;
  g_autoptr(GString) header = NULL;
  g_autoptr(GString) names = g_string_new ("h=");
  g_autofree char *body_hash = NULL;
  g_autofree char *signature = NULL;
  g_autofree guchar *sig = NULL;
  const char *body = NULL;
  guchar digest[32];
  unsigned int digest_len = 0;
  gsize sig_len = 0;
  gsize line_start = 0;
  gboolean has_from = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);

  if (!split_header (message, length, fields, &body, error))
    return NULL;

  /* Body hash, fed line by line. */
  {
    EVP_MD_CTX *md = EVP_MD_CTX_new ();
    gboolean ok;

    ok = md != NULL && EVP_DigestInit_ex (md, EVP_sha256 (), NULL) == 1;
    if (ok)
      canonicalize_body_into (body, length - (body - message), digest_sink, md);
    ok = ok && EVP_DigestFinal_ex (md, digest, &digest_len) == 1;
    EVP_MD_CTX_free (md);
    if (!ok)
      {
        g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_SIGN,
                             _("OpenSSL could not hash the message."));
        return NULL;
      }
  }
  body_hash = base64_of (digest, digest_len);

  /* The signed header fields, each instance from the bottom up (§5.4.2). */
  canon = g_string_sized_new (1024);
  for (guint i = 0; i < G_N_ELEMENTS (signed_fields); i++)
    {
      gboolean is_from = i == 0;
      guint count = 0;

      for (guint j = fields->len; j > 0; j--)
        {
          Field *field = &g_array_index (fields, Field, j - 1);

          if (!field->used && field_is (field, signed_fields[i]))
            {
              field->used = TRUE;
              canonicalize_header_into (field->start, field->length, canon);
              g_string_append (canon, "\r\n");
              g_string_append_printf (names, "%s%s", names->len > 2 ? ":" : "", signed_fields[i]);
              count++;
            }
        }
      if (is_from)
        {
          has_from = count > 0;
          /* Over-sign From: an added From would break the signature. */
          g_string_append (names, ":from");
        }
    }
  if (!has_from)
    {
      g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_MESSAGE,
                           _("The message has no From header to sign."));
      return NULL;
    }

  header = g_string_new ("DKIM-Signature:");
  {
    g_autofree char *a = g_strdup_printf ("a=%s;", self->algorithm == MS_DKIM_RSA_SHA256
                                                   ? "rsa-sha256" : "ed25519-sha256");
    g_autofree char *d = g_strdup_printf ("d=%s;", self->domain);
    g_autofree char *s = g_strdup_printf ("s=%s;", self->selector);
    g_autofree char *t = g_strdup_printf ("t=%" PRId64 ";", timestamp);
    g_autofree char *bh = g_strdup_printf ("bh=%s;", body_hash);

    append_tag (header, &line_start, "v=1;");
    append_tag (header, &line_start, a);
    append_tag (header, &line_start, "c=relaxed/relaxed;");
    append_tag (header, &line_start, d);
    append_tag (header, &line_start, s);
    append_tag (header, &line_start, t);
    g_string_append_c (names, ';');
    /* h= may be long: split it at colons. */
    {
      g_auto(GStrv) parts = g_strsplit (names->str, ":", -1);

      for (guint i = 0; parts[i] != NULL; i++)
        {
          g_autofree char *part = g_strconcat (parts[i], parts[i + 1] != NULL ? ":" : "", NULL);

          if (i == 0)
            append_tag (header, &line_start, part);
          else if (header->len - line_start + strlen (part) > 76)
            {
              g_string_append (header, "\r\n\t");
              line_start = header->len - 1;
              g_string_append (header, part);
            }
          else
            g_string_append (header, part);
        }
    }
    append_tag (header, &line_start, bh);
    append_tag (header, &line_start, "b=");
  }

  /* The signature header itself, with an empty b=, ends the signed data. */
  canonicalize_header_into (header->str, header->len, canon);
  if (!sign_data (self, (const guchar *) canon->str, canon->len, &sig, &sig_len, error))
    return NULL;
  signature = base64_of (sig, sig_len);
  append_folded_base64 (header, &line_start, signature);
  g_string_append (header, "\r\n");
  return g_string_free (g_steal_pointer (&header), FALSE);
}

char *
ms_dkim_dns_record (const char  *pem_private_key,
                    GError     **error)
{
  EVP_PKEY *key;
  g_autofree char *b64 = NULL;
  gboolean rsa;

  g_return_val_if_fail (pem_private_key != NULL, NULL);

  if (!(key = load_private_key (pem_private_key, error)))
    return NULL;
  rsa = EVP_PKEY_is_a (key, "RSA");
  if (rsa)
    {
      guchar *der = NULL;
      int len = i2d_PUBKEY (key, &der);

      if (len > 0)
        b64 = base64_of (der, len);
      OPENSSL_free (der);
    }
  else
    {
      guchar raw[32];
      size_t len = sizeof raw;

      if (EVP_PKEY_get_raw_public_key (key, raw, &len) == 1)
        b64 = base64_of (raw, len);
    }
  EVP_PKEY_free (key);
  if (b64 == NULL)
    {
      g_set_error_literal (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY,
                           _("The public key could not be taken from the DKIM key."));
      return NULL;
    }
  return g_strdup_printf ("v=DKIM1; k=%s; p=%s", rsa ? "rsa" : "ed25519", b64);
}

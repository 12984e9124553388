/* ms-address.c
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

#define G_LOG_DOMAIN "ms-address"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-address.h"

G_DEFINE_QUARK (ms-address-error-quark, ms_address_error)

/* Internationalised domains are slow to convert (to ASCII to check them,
 * back to Unicode to store them), and an address list holds few distinct
 * domains: each thread keeps the last few conversions. */
#define DOMAIN_CACHE_SIZE 16

typedef struct
{
  char  *raw;                     /* the domain as written */
  gsize  raw_length;
  char  *normalized;
} DomainCacheEntry;

typedef struct
{
  DomainCacheEntry entries[DOMAIN_CACHE_SIZE];
  guint            next;
} DomainCache;

static void
domain_cache_free (gpointer data)
{
  DomainCache *cache = data;

  for (guint i = 0; i < DOMAIN_CACHE_SIZE; i++)
    {
      g_free (cache->entries[i].raw);
      g_free (cache->entries[i].normalized);
    }
  g_free (cache);
}

static GPrivate domain_cache_key = G_PRIVATE_INIT (domain_cache_free);

static DomainCache *
get_domain_cache (void)
{
  DomainCache *cache = g_private_get (&domain_cache_key);

  if (cache == NULL)
    {
      cache = g_new0 (DomainCache, 1);
      g_private_set (&domain_cache_key, cache);
    }
  return cache;
}

static const char *
domain_cache_lookup (DomainCache *cache,
                     const char  *raw,
                     gsize        raw_length)
{
  for (guint i = 0; i < DOMAIN_CACHE_SIZE; i++)
    {
      DomainCacheEntry *entry = &cache->entries[i];

      if (entry->raw != NULL && entry->raw_length == raw_length &&
          memcmp (entry->raw, raw, raw_length) == 0)
        return entry->normalized;
    }
  return NULL;
}

static void
domain_cache_add (DomainCache *cache,
                  const char  *raw,
                  gsize        raw_length,
                  const char  *normalized)
{
  DomainCacheEntry *entry = &cache->entries[cache->next];

  cache->next = (cache->next + 1) % DOMAIN_CACHE_SIZE;
  g_free (entry->raw);
  g_free (entry->normalized);
  entry->raw = g_memdup2 (raw, raw_length);
  entry->raw_length = raw_length;
  entry->normalized = g_strdup (normalized);
}

/* RFC 5322 atext, ASCII part; bytes >= 0x80 are UTF8-non-ascii (RFC 6531). */
static gboolean
is_atext (guchar c)
{
  if (c >= 0x80 || g_ascii_isalnum (c))
    return TRUE;

  return strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL && c != '\0';
}

static gboolean
is_trim_space (const char *p,
               const char *end,
               gsize      *out_len)
{
  guchar c = (guchar) p[0];

  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
    {
      *out_len = 1;
      return TRUE;
    }
  /* U+00A0 NO-BREAK SPACE, as spreadsheets like to leave behind */
  if (c == 0xC2 && end - p >= 2 && (guchar) p[1] == 0xA0)
    {
      *out_len = 2;
      return TRUE;
    }
  /* U+FEFF ZERO WIDTH NO-BREAK SPACE (a stray byte order mark) */
  if (c == 0xEF && end - p >= 3 && (guchar) p[1] == 0xBB && (guchar) p[2] == 0xBF)
    {
      *out_len = 3;
      return TRUE;
    }

  return FALSE;
}

static gboolean
is_trim_space_before (const char *start,
                      const char *end,
                      gsize      *out_len)
{
  guchar c;

  g_assert (end > start);

  c = (guchar) end[-1];
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v')
    {
      *out_len = 1;
      return TRUE;
    }
  if (c == 0xA0 && end - start >= 2 && (guchar) end[-2] == 0xC2)
    {
      *out_len = 2;
      return TRUE;
    }
  if (c == 0xBF && end - start >= 3 && (guchar) end[-2] == 0xBB && (guchar) end[-3] == 0xEF)
    {
      *out_len = 3;
      return TRUE;
    }

  return FALSE;
}

static void
trim (const char **start,
      const char **end)
{
  gsize n;

  while (*start < *end && is_trim_space (*start, *end, &n))
    *start += n;
  while (*end > *start && is_trim_space_before (*start, *end, &n))
    *end -= n;
}

static gsize
count_char (const char *start,
            const char *end,
            char        c)
{
  gsize n = 0;

  for (const char *p = start; p < end; p++)
    if (*p == c)
      n++;

  return n;
}

static gboolean
check_quoted_local_part (const char  *start,
                         const char  *end,
                         GError     **error)
{
  /* start points at the opening quote; end is the end of the local part */
  for (const char *p = start + 1; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (c == '\\' && p + 1 < end)
        c = (guchar) *++p;
      else if (c == '"')
        {
          if (p + 1 == end)
            return TRUE;

          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                       _("text after the quoted part before the @"));
          return FALSE;
        }

      if ((c < 0x20 && c != '\t') || c == 0x7F)
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                       _("the part before the @ contains a control character"));
          return FALSE;
        }
    }

  g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
               _("the quoted part before the @ is not closed"));
  return FALSE;
}

static gboolean
check_local_part (const char  *start,
                  const char  *end,
                  GError     **error)
{
  if (start == end)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                   _("nothing before the @"));
      return FALSE;
    }
  if (end - start > MS_ADDRESS_MAX_LOCAL_PART)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_TOO_LONG,
                   _("the part before the @ is longer than %d bytes"),
                   MS_ADDRESS_MAX_LOCAL_PART);
      return FALSE;
    }

  if (*start == '"')
    return check_quoted_local_part (start, end, error);

  for (const char *p = start; p < end; p++)
    {
      guchar c = (guchar) *p;

      if (c == '.')
        {
          if (p == start || p + 1 == end || p[1] == '.')
            {
              g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                           _("misplaced dot before the @"));
              return FALSE;
            }
          continue;
        }
      if (c == ' ' || c == '\t')
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                       _("contains a space"));
          return FALSE;
        }
      if (!is_atext (c))
        {
          if (c < 0x20 || c == 0x7F)
            g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                         _("the part before the @ contains a control character"));
          else
            g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                         _("invalid character “%c” before the @"), c);
          return FALSE;
        }
    }

  return TRUE;
}

/* Checks a domain in its ASCII form; shown is how to name it in messages. */
static gboolean
check_ascii_domain (const char  *domain,
                    gsize        length,
                    const char  *shown,
                    GError     **error)
{
  const char *end = domain + length;
  const char *label = domain;
  gboolean tld_numeric = TRUE;
  guint n_labels = 0;

  if (length > MS_ADDRESS_MAX_DOMAIN)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_TOO_LONG,
                   _("the domain is longer than %d characters"), MS_ADDRESS_MAX_DOMAIN);
      return FALSE;
    }

  while (label <= end)
    {
      const char *dot = memchr (label, '.', end - label);
      const char *label_end = dot ? dot : end;
      gsize label_len = label_end - label;

      if (label_len == 0)
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                       _("invalid domain “%s”: empty label"), shown);
          return FALSE;
        }
      if (label_len > 63)
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                       _("invalid domain “%s”: a label is longer than 63 characters"), shown);
          return FALSE;
        }
      if (label[0] == '-' || label_end[-1] == '-')
        {
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                       _("invalid domain “%s”: a label starts or ends with a hyphen"), shown);
          return FALSE;
        }

      tld_numeric = TRUE;
      for (const char *p = label; p < label_end; p++)
        {
          guchar c = (guchar) *p;

          if (!g_ascii_isalnum (c) && c != '-')
            {
              if (c == ' ' || c == '\t')
                g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                             _("invalid domain “%s”: contains a space"), shown);
              else if (c < 0x20 || c >= 0x7F)
                g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                             _("invalid domain “%s”: invalid character"), shown);
              else
                g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                             _("invalid domain “%s”: invalid character “%c”"), shown, c);
              return FALSE;
            }
          if (!g_ascii_isdigit (c))
            tld_numeric = FALSE;
        }

      n_labels++;
      if (dot == NULL)
        break;
      label = dot + 1;
    }

  if (n_labels < 2)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                   _("invalid domain “%s”: it needs at least one dot"), shown);
      return FALSE;
    }
  if (tld_numeric)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                   _("invalid domain “%s”: the last part is a number"), shown);
      return FALSE;
    }

  return TRUE;
}

static gboolean
has_ace_label (const char *domain,
               gsize       length)
{
  const char *end = domain + length;

  for (const char *p = domain; p + 4 <= end; p++)
    {
      if ((p == domain || p[-1] == '.') &&
          g_ascii_strncasecmp (p, "xn--", 4) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_ascii (const char *start,
          const char *end)
{
  for (const char *p = start; p < end; p++)
    if ((guchar) *p >= 0x80)
      return FALSE;

  return TRUE;
}

/* Appends the normalised domain to out, or fails. */
static gboolean
append_domain (const char  *start,
               const char  *end,
               GString     *out,
               GError     **error)
{
  g_autofree char *shown = NULL;
  g_autofree char *lower = NULL;
  g_autofree char *ascii = NULL;
  g_autofree char *unicode = NULL;
  gsize length = end - start;
  DomainCache *cache;
  const char *cached;

  if (length > 0 && end[-1] == '.')
    length--;

  if (length == 0)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN, _("nothing after the @"));
      return FALSE;
    }
  if (*start == '[')
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                   _("an address literal in brackets is not accepted; use a domain name"));
      return FALSE;
    }

  /* The common case: a plain ASCII domain, no allocation. */
  if (is_ascii (start, start + length) && !has_ace_label (start, length))
    {
      gsize offset = out->len;

      g_string_append_len (out, start, length);
      for (gsize i = offset; i < out->len; i++)
        if (out->str[i] >= 'A' && out->str[i] <= 'Z')
          out->str[i] += 'a' - 'A';

      if (!check_ascii_domain (out->str + offset, length, out->str + offset, error))
        {
          g_string_truncate (out, offset);
          return FALSE;
        }
      return TRUE;
    }

  cache = get_domain_cache ();
  cached = domain_cache_lookup (cache, start, length);
  if (cached != NULL)
    {
      g_string_append (out, cached);
      return TRUE;
    }

  shown = g_strndup (start, length);
  lower = g_utf8_strdown (shown, -1);
  ascii = g_hostname_to_ascii (lower);
  if (ascii == NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                   _("invalid domain “%s”: not a valid internationalised name"), shown);
      return FALSE;
    }
  if (!check_ascii_domain (ascii, strlen (ascii), shown, error))
    return FALSE;

  unicode = g_hostname_to_unicode (ascii);
  if (unicode == NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN,
                   _("invalid domain “%s”: not a valid internationalised name"), shown);
      return FALSE;
    }

  domain_cache_add (cache, start, length, unicode);
  g_string_append (out, unicode);
  return TRUE;
}

static gboolean
strip_wrapping (const char **start,
                const char **end,
                GError     **error)
{
  const char *s = *start;
  const char *e = *end;

  if (e - s >= 7 && g_ascii_strncasecmp (s, "mailto:", 7) == 0)
    {
      s += 7;
      trim (&s, &e);
    }

  if (s < e && *s == '<' && e[-1] == '>')
    {
      s++;
      e--;
      trim (&s, &e);
    }

  if (memchr (s, '<', e - s) != NULL || memchr (s, '>', e - s) != NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DISPLAY_NAME,
                   _("a name and an address in one cell; put the name in its own column"));
      return FALSE;
    }

  if (count_char (s, e, '@') > 1 &&
      (memchr (s, ',', e - s) != NULL || memchr (s, ';', e - s) != NULL) &&
      *s != '"')
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_SEVERAL,
                   _("more than one address in one cell"));
      return FALSE;
    }

  *start = s;
  *end = e;
  return TRUE;
}

/**
 * ms_address_normalize_into:
 * @text: the cell as read
 * @length: its length in bytes
 * @out: where the normalised address is appended
 * @error: a #GError in %MS_ADDRESS_ERROR
 *
 * Appends the normalised form of @text to @out; on failure @out is left as it
 * was.  This is the allocation-free path used by the importer.
 *
 * Returns: %TRUE if @text is a valid address
 */
gboolean
ms_address_normalize_into (const char  *text,
                           gsize        length,
                           GString     *out,
                           GError     **error)
{
  const char *start = text;
  const char *end = text + length;
  const char *at;
  gsize offset;

  g_return_val_if_fail (text != NULL || length == 0, FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  if (!g_utf8_validate (text, length, NULL))
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_LOCAL_PART,
                   _("not valid UTF-8 text"));
      return FALSE;
    }

  trim (&start, &end);
  if (start == end)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_EMPTY, _("the address is empty"));
      return FALSE;
    }

  if (!strip_wrapping (&start, &end, error))
    return FALSE;

  at = NULL;
  for (const char *p = end; p > start; p--)
    if (p[-1] == '@')
      {
        at = p - 1;
        break;
      }
  if (at == NULL)
    {
      g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_MISSING_AT, _("missing @"));
      return FALSE;
    }

  if (!check_local_part (start, at, error))
    return FALSE;

  offset = out->len;
  g_string_append_len (out, start, at - start);
  g_string_append_c (out, '@');

  if (!append_domain (at + 1, end, out, error))
    {
      g_string_truncate (out, offset);
      return FALSE;
    }

  if (out->len - offset > MS_ADDRESS_MAX_LENGTH)
    {
      g_autofree char *ascii = ms_address_to_ascii (out->str + offset);

      if (ascii == NULL || strlen (ascii) > MS_ADDRESS_MAX_LENGTH)
        {
          g_string_truncate (out, offset);
          g_set_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_TOO_LONG,
                       _("the address is longer than %d characters"), MS_ADDRESS_MAX_LENGTH);
          return FALSE;
        }
    }

  return TRUE;
}

/**
 * ms_address_normalize:
 * @text: an address as a person typed it, nul-terminated
 * @error: a #GError in %MS_ADDRESS_ERROR
 *
 * Returns: (transfer full) (nullable): the normalised address, or %NULL
 */
char *
ms_address_normalize (const char  *text,
                      GError     **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (text != NULL, NULL);

  out = g_string_new (NULL);
  if (!ms_address_normalize_into (text, strlen (text), out, error))
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/**
 * ms_address_is_valid:
 * @text: (nullable): an address
 *
 * Returns: whether ms_address_normalize() would accept @text
 */
gboolean
ms_address_is_valid (const char *text)
{
  g_autoptr(GString) out = NULL;

  if (text == NULL)
    return FALSE;

  out = g_string_new (NULL);
  return ms_address_normalize_into (text, strlen (text), out, NULL);
}

/**
 * ms_address_to_ascii:
 * @address: a normalised address
 *
 * The form for servers without SMTPUTF8: the domain in punycode.  The local
 * part is left alone (a non-ASCII local part needs SMTPUTF8 whatever we do).
 *
 * Returns: (transfer full) (nullable): the address with an ASCII domain, or
 *   %NULL if @address has no valid domain
 */
char *
ms_address_to_ascii (const char *address)
{
  const char *at;
  g_autofree char *domain = NULL;

  g_return_val_if_fail (address != NULL, NULL);

  at = strrchr (address, '@');
  if (at == NULL)
    return NULL;

  domain = g_hostname_to_ascii (at + 1);
  if (domain == NULL)
    return NULL;

  return g_strdup_printf ("%.*s@%s", (int) (at - address), address, domain);
}

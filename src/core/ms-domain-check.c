/* ms-domain-check.c
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

#define G_LOG_DOMAIN "ms-domain-check"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ms-domain-check.h"

void
ms_check_item_free (MsCheckItem *item)
{
  if (item == NULL)
    return;
  g_free (item->id);
  g_free (item->title);
  g_free (item->advice);
  g_free (item);
}

const char *
ms_check_status_to_string (MsCheckStatus status)
{
  switch (status)
    {
    case MS_CHECK_OK:
      return "ok";
    case MS_CHECK_WARNING:
      return "warning";
    case MS_CHECK_ERROR:
    default:
      return "error";
    }
}

const char *
ms_spf_result_to_string (MsSpfResult result)
{
  static const char *const names[] = {
    "none", "neutral", "pass", "fail", "softfail", "temperror", "permerror",
  };

  if ((guint) result < G_N_ELEMENTS (names))
    return names[result];
  return "permerror";
}

/* DNS helpers */

/* The TXT records of @name, each joined from its strings.  NULL with
 * G_RESOLVER_ERROR_NOT_FOUND when there are none. */
static GPtrArray *
lookup_txt (GResolver     *resolver,
            const char    *name,
            GCancellable  *cancellable,
            GError       **error)
{
  GList *records = g_resolver_lookup_records (resolver, name, G_RESOLVER_RECORD_TXT,
                                              cancellable, error);
  GPtrArray *texts;

  if (records == NULL)
    return NULL;
  texts = g_ptr_array_new_with_free_func (g_free);
  for (GList *l = records; l != NULL; l = l->next)
    {
      g_autofree const char **strings = NULL;
      GString *joined = g_string_new (NULL);

      g_variant_get (l->data, "(^a&s)", &strings);
      for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
        g_string_append (joined, strings[i]);
      g_ptr_array_add (texts, g_string_free (joined, FALSE));
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  return texts;
}

static gboolean
has_tag_prefix (const char *text,
                const char *prefix)
{
  gsize len = strlen (prefix);

  return g_ascii_strncasecmp (text, prefix, len) == 0 &&
         (text[len] == '\0' || text[len] == ' ' || text[len] == ';' || text[len] == '\t');
}

/* SPF */

typedef struct
{
  GResolver    *resolver;
  GCancellable *cancellable;
  guint         lookups;
  guint         void_lookups;
  char         *detail;
} SpfContext;

static void
spf_detail (SpfContext *ctx,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
spf_detail (SpfContext *ctx,
            const char *format,
            ...)
{
  va_list args;

  /* the last reason wins: the one that decided the result */
  g_free (ctx->detail);
  va_start (args, format);
  ctx->detail = g_strdup_vprintf (format, args);
  va_end (args);
}

static gboolean
prefix_matches (GInetAddress *ip,
                GInetAddress *net,
                guint         prefix)
{
  const guint8 *a, *b;
  gsize size;
  guint full, rest;

  if (g_inet_address_get_family (ip) != g_inet_address_get_family (net))
    return FALSE;
  size = g_inet_address_get_native_size (ip);
  if (prefix > size * 8)
    return FALSE;
  a = g_inet_address_to_bytes (ip);
  b = g_inet_address_to_bytes (net);
  full = prefix / 8;
  rest = prefix % 8;
  if (memcmp (a, b, full) != 0)
    return FALSE;
  if (rest != 0)
    {
      guint8 mask = (guint8) (0xff << (8 - rest));

      if ((a[full] & mask) != (b[full] & mask))
        return FALSE;
    }
  return TRUE;
}

/* "/24", "//64", "/24//64": the prefixes after a domain-spec; FALSE when malformed. */
static gboolean
parse_dual_cidr (const char *text,
                 guint      *v4,
                 guint      *v6)
{
  *v4 = 32;
  *v6 = 128;
  if (text == NULL || *text == '\0')
    return TRUE;
  if (text[0] == '/' && text[1] != '/')
    {
      char *end = NULL;
      guint64 value = g_ascii_strtoull (text + 1, &end, 10);

      if (end == text + 1 || value > 32)
        return FALSE;
      *v4 = (guint) value;
      text = end;
    }
  if (text[0] == '/' && text[1] == '/')
    {
      char *end = NULL;
      guint64 value = g_ascii_strtoull (text + 2, &end, 10);

      if (end == text + 2 || value > 128)
        return FALSE;
      *v6 = (guint) value;
      text = end;
    }
  return *text == '\0';
}

static gboolean
addresses_match (GList        *addresses,
                 GInetAddress *ip,
                 guint         v4,
                 guint         v6)
{
  for (GList *l = addresses; l != NULL; l = l->next)
    {
      GInetAddress *addr = l->data;
      guint prefix = g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV4 ? v4 : v6;

      if (prefix_matches (ip, addr, prefix))
        return TRUE;
    }
  return FALSE;
}

/* Counts a lookup that found nothing; more than two end the check (RFC 7208 §4.6.4). */
static MsSpfResult
spf_resolve (SpfContext    *ctx,
             const char    *name,
             GList        **out_addresses)
{
  g_autoptr(GError) error = NULL;
  GList *addresses = g_resolver_lookup_by_name (ctx->resolver, name, ctx->cancellable, &error);

  *out_addresses = addresses;
  if (addresses != NULL)
    return MS_SPF_PASS;
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    {
      if (++ctx->void_lookups > 2)
        {
          spf_detail (ctx, _("more than two DNS lookups found nothing"));
          return MS_SPF_PERMERROR;
        }
      return MS_SPF_NONE;
    }
  spf_detail (ctx, _("DNS lookup of %s failed: %s"), name, error->message);
  return MS_SPF_TEMPERROR;
}

static gboolean
spf_count_lookup (SpfContext *ctx)
{
  if (++ctx->lookups > MS_SPF_MAX_LOOKUPS)
    {
      spf_detail (ctx, _("more than %d DNS lookups (the SPF limit)"), MS_SPF_MAX_LOOKUPS);
      return FALSE;
    }
  return TRUE;
}

static MsSpfResult spf_check (SpfContext   *ctx,
                              GInetAddress *ip,
                              const char   *domain,
                              guint         depth);

/* The one "v=spf1" record of @domain. */
static MsSpfResult
spf_fetch_record (SpfContext  *ctx,
                  const char  *domain,
                  char       **out_record)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = lookup_txt (ctx->resolver, domain, ctx->cancellable, &error);
  char *found = NULL;

  *out_record = NULL;
  if (texts == NULL)
    {
      if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        {
          spf_detail (ctx, _("%s publishes no SPF record"), domain);
          return MS_SPF_NONE;
        }
      spf_detail (ctx, _("DNS lookup of %s failed: %s"), domain, error->message);
      return MS_SPF_TEMPERROR;
    }
  for (guint i = 0; i < texts->len; i++)
    {
      const char *text = g_ptr_array_index (texts, i);

      if (!has_tag_prefix (text, "v=spf1"))
        continue;
      if (found != NULL)
        {
          g_free (found);
          spf_detail (ctx, _("%s publishes more than one SPF record"), domain);
          return MS_SPF_PERMERROR;
        }
      found = g_strdup (text);
    }
  if (found == NULL)
    {
      spf_detail (ctx, _("%s publishes no SPF record"), domain);
      return MS_SPF_NONE;
    }
  *out_record = found;
  return MS_SPF_PASS;
}

static MsSpfResult
qualifier_result (char qualifier)
{
  switch (qualifier)
    {
    case '-':
      return MS_SPF_FAIL;
    case '~':
      return MS_SPF_SOFTFAIL;
    case '?':
      return MS_SPF_NEUTRAL;
    case '+':
    default:
      return MS_SPF_PASS;
    }
}

static MsSpfResult
spf_check (SpfContext   *ctx,
           GInetAddress *ip,
           const char   *domain,
           guint         depth)
{
  g_autofree char *record = NULL;
  g_auto(GStrv) terms = NULL;
  g_autofree char *redirect = NULL;
  g_autofree char *ip_text = g_inet_address_to_string (ip);
  MsSpfResult result;

  if (g_cancellable_is_cancelled (ctx->cancellable))
    return MS_SPF_TEMPERROR;
  if (depth > MS_SPF_MAX_LOOKUPS)
    {
      spf_detail (ctx, _("the includes nest too deeply"));
      return MS_SPF_PERMERROR;
    }
  result = spf_fetch_record (ctx, domain, &record);
  if (record == NULL)
    return result;

  terms = g_strsplit_set (record, " \t", -1);
  for (guint i = 1; terms[i] != NULL; i++)
    {
      const char *term = terms[i];
      char qualifier = '+';
      const char *name;
      const char *arg = NULL;
      g_autofree char *mech = NULL;
      g_autofree char *target = NULL;
      const char *cidr = NULL;
      const char *eq = strchr (term, '=');
      const char *colon = strchr (term, ':');
      gboolean match = FALSE;

      if (*term == '\0')
        continue;
      /* modifiers: name=value, where the '=' comes before any ':' or '/' */
      if (eq != NULL && (colon == NULL || eq < colon) && strcspn (term, "/") > (gsize) (eq - term))
        {
          if (g_ascii_strncasecmp (term, "redirect=", 9) == 0)
            {
              if (redirect != NULL)
                {
                  spf_detail (ctx, _("%s has two redirect modifiers"), domain);
                  return MS_SPF_PERMERROR;
                }
              redirect = g_strdup (term + 9);
            }
          continue;   /* exp= and unknown modifiers are ignored */
        }
      if (strchr ("+-~?", *term) != NULL)
        qualifier = *term++;
      name = term;
      mech = g_strndup (name, strcspn (name, ":/"));
      if (name[strlen (mech)] == ':')
        arg = name + strlen (mech) + 1;
      else if (name[strlen (mech)] == '/')
        cidr = name + strlen (mech);

      if (g_ascii_strcasecmp (mech, "all") == 0)
        match = TRUE;
      else if (g_ascii_strcasecmp (mech, "include") == 0)
        {
          MsSpfResult inner;

          if (arg == NULL || *arg == '\0')
            {
              spf_detail (ctx, _("“%s” in %s has no domain"), terms[i], domain);
              return MS_SPF_PERMERROR;
            }
          if (strchr (arg, '%') != NULL)
            continue;
          if (!spf_count_lookup (ctx))
            return MS_SPF_PERMERROR;
          inner = spf_check (ctx, ip, arg, depth + 1);
          if (inner == MS_SPF_TEMPERROR || inner == MS_SPF_PERMERROR)
            return inner;
          if (inner == MS_SPF_NONE)
            {
              spf_detail (ctx, _("the included %s has no SPF record"), arg);
              return MS_SPF_PERMERROR;
            }
          match = inner == MS_SPF_PASS;
        }
      else if (g_ascii_strcasecmp (mech, "a") == 0 || g_ascii_strcasecmp (mech, "mx") == 0 ||
               g_ascii_strcasecmp (mech, "exists") == 0)
        {
          guint v4, v6;
          gboolean is_mx = g_ascii_strcasecmp (mech, "mx") == 0;
          gboolean is_exists = g_ascii_strcasecmp (mech, "exists") == 0;

          if (arg != NULL)
            {
              const char *slash = strchr (arg, '/');

              target = slash != NULL ? g_strndup (arg, (gsize) (slash - arg)) : g_strdup (arg);
              cidr = slash;
            }
          else if (is_exists)
            {
              spf_detail (ctx, _("“%s” in %s has no domain"), terms[i], domain);
              return MS_SPF_PERMERROR;
            }
          else
            target = g_strdup (domain);
          if (!parse_dual_cidr (cidr, &v4, &v6))
            {
              spf_detail (ctx, _("“%s” in %s is malformed"), terms[i], domain);
              return MS_SPF_PERMERROR;
            }
          if (strchr (target, '%') != NULL)
            continue;
          if (!spf_count_lookup (ctx))
            return MS_SPF_PERMERROR;

          if (is_mx)
            {
              g_autoptr(GError) error = NULL;
              GList *mxs = g_resolver_lookup_records (ctx->resolver, target, G_RESOLVER_RECORD_MX,
                                                      ctx->cancellable, &error);
              guint n = 0;

              if (mxs == NULL && !g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
                {
                  spf_detail (ctx, _("DNS lookup of %s failed: %s"), target, error->message);
                  return MS_SPF_TEMPERROR;
                }
              if (mxs == NULL && ++ctx->void_lookups > 2)
                {
                  spf_detail (ctx, _("more than two DNS lookups found nothing"));
                  return MS_SPF_PERMERROR;
                }
              for (GList *l = mxs; l != NULL && !match; l = l->next, n++)
                {
                  const char *host = NULL;
                  guint16 pref;
                  GList *addrs = NULL;
                  MsSpfResult r;

                  if (n >= 10)
                    {
                      g_list_free_full (mxs, (GDestroyNotify) g_variant_unref);
                      spf_detail (ctx, _("%s has more than 10 MX hosts"), target);
                      return MS_SPF_PERMERROR;
                    }
                  g_variant_get (l->data, "(q&s)", &pref, &host);
                  r = spf_resolve (ctx, host, &addrs);
                  if (r == MS_SPF_PERMERROR || r == MS_SPF_TEMPERROR)
                    {
                      g_list_free_full (mxs, (GDestroyNotify) g_variant_unref);
                      return r;
                    }
                  match = addresses_match (addrs, ip, v4, v6);
                  g_resolver_free_addresses (addrs);
                }
              g_list_free_full (mxs, (GDestroyNotify) g_variant_unref);
            }
          else
            {
              GList *addrs = NULL;
              MsSpfResult r = spf_resolve (ctx, target, &addrs);

              if (r == MS_SPF_PERMERROR || r == MS_SPF_TEMPERROR)
                return r;
              if (is_exists)
                {
                  for (GList *l = addrs; l != NULL; l = l->next)
                    if (g_inet_address_get_family (l->data) == G_SOCKET_FAMILY_IPV4)
                      match = TRUE;
                }
              else
                match = addresses_match (addrs, ip, v4, v6);
              g_resolver_free_addresses (addrs);
            }
        }
      else if (g_ascii_strcasecmp (mech, "ip4") == 0 || g_ascii_strcasecmp (mech, "ip6") == 0)
        {
          gboolean v6 = g_ascii_strcasecmp (mech, "ip6") == 0;
          g_autofree char *net_text = NULL;
          g_autoptr(GInetAddress) net = NULL;
          const char *slash;
          guint64 prefix = v6 ? 128 : 32;

          if (arg == NULL)
            {
              spf_detail (ctx, _("“%s” in %s has no address"), terms[i], domain);
              return MS_SPF_PERMERROR;
            }
          slash = strchr (arg, '/');
          net_text = slash != NULL ? g_strndup (arg, (gsize) (slash - arg)) : g_strdup (arg);
          net = g_inet_address_new_from_string (net_text);
          if (net == NULL ||
              (g_inet_address_get_family (net) == G_SOCKET_FAMILY_IPV6) != v6 ||
              (slash != NULL &&
               !g_ascii_string_to_unsigned (slash + 1, 10, 0, v6 ? 128 : 32, &prefix, NULL)))
            {
              spf_detail (ctx, _("“%s” in %s is malformed"), terms[i], domain);
              return MS_SPF_PERMERROR;
            }
          match = prefix_matches (ip, net, (guint) prefix);
        }
      else if (g_ascii_strcasecmp (mech, "ptr") == 0)
        {
          /* deprecated (RFC 7208 §5.5); counted, never matched: we do not do reverse lookups */
          if (!spf_count_lookup (ctx))
            return MS_SPF_PERMERROR;
        }
      else
        {
          spf_detail (ctx, _("unknown term “%s” in %s"), terms[i], domain);
          return MS_SPF_PERMERROR;
        }

      if (match)
        {
          /* an include that matched keeps the detail of the term inside it */
          if (g_ascii_strcasecmp (mech, "include") != 0)
            spf_detail (ctx, _("%s matched “%s” in %s"), ip_text, terms[i], domain);
          return qualifier_result (qualifier);
        }
    }

  if (redirect != NULL)
    {
      MsSpfResult inner;

      if (!spf_count_lookup (ctx))
        return MS_SPF_PERMERROR;
      inner = spf_check (ctx, ip, redirect, depth + 1);
      if (inner == MS_SPF_NONE)
        {
          spf_detail (ctx, _("the redirect target %s has no SPF record"), redirect);
          return MS_SPF_PERMERROR;
        }
      return inner;
    }
  spf_detail (ctx, _("nothing in %s matched %s"), domain, ip_text);
  return MS_SPF_NEUTRAL;
}

MsSpfResult
ms_spf_check_host (GResolver     *resolver,
                   GInetAddress  *ip,
                   const char    *domain,
                   char         **detail,
                   GCancellable  *cancellable)
{
  SpfContext ctx = { 0 };
  MsSpfResult result;

  g_return_val_if_fail (G_IS_RESOLVER (resolver), MS_SPF_TEMPERROR);
  g_return_val_if_fail (G_IS_INET_ADDRESS (ip), MS_SPF_TEMPERROR);
  g_return_val_if_fail (domain != NULL, MS_SPF_TEMPERROR);

  ctx.resolver = resolver;
  ctx.cancellable = cancellable;
  result = spf_check (&ctx, ip, domain, 0);
  if (detail != NULL)
    *detail = g_steal_pointer (&ctx.detail);
  g_free (ctx.detail);
  return result;
}

char
ms_spf_all_qualifier (const char *record)
{
  g_auto(GStrv) terms = NULL;

  if (record == NULL)
    return 0;
  terms = g_strsplit_set (record, " \t", -1);
  for (guint i = 0; terms[i] != NULL; i++)
    {
      const char *t = terms[i];
      char q = '+';

      if (strchr ("+-~?", *t) != NULL && *t != '\0')
        q = *t++;
      if (g_ascii_strcasecmp (t, "all") == 0)
        return q;
    }
  return 0;
}

/* DMARC */

void
ms_dmarc_record_free (MsDmarcRecord *record)
{
  if (record == NULL)
    return;
  g_free (record->policy);
  g_free (record->subdomain_policy);
  g_ptr_array_unref (record->rua);
  g_free (record);
}

static gboolean
valid_policy (const char *value)
{
  return g_ascii_strcasecmp (value, "none") == 0 ||
         g_ascii_strcasecmp (value, "quarantine") == 0 ||
         g_ascii_strcasecmp (value, "reject") == 0;
}

MsDmarcRecord *
ms_dmarc_parse (const char  *record,
                GError     **error)
{
  g_autoptr(MsDmarcRecord) dmarc = NULL;
  g_auto(GStrv) tags = NULL;

  g_return_val_if_fail (record != NULL, NULL);

  tags = g_strsplit (record, ";", -1);
  if (tags[0] == NULL || g_ascii_strcasecmp (g_strstrip (tags[0]), "v=DMARC1") != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                   _("The record does not start with “v=DMARC1”"));
      return NULL;
    }
  dmarc = g_new0 (MsDmarcRecord, 1);
  dmarc->pct = 100;
  dmarc->adkim = 'r';
  dmarc->aspf = 'r';
  dmarc->rua = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 1; tags[i] != NULL; i++)
    {
      char *tag = g_strstrip (tags[i]);
      char *eq = strchr (tag, '=');
      char *value;

      if (*tag == '\0')
        continue;
      if (eq == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       _("“%s” is not a tag=value pair"), tag);
          return NULL;
        }
      *eq = '\0';
      g_strstrip (tag);
      value = g_strstrip (eq + 1);

      if (g_ascii_strcasecmp (tag, "p") == 0 || g_ascii_strcasecmp (tag, "sp") == 0)
        {
          if (!valid_policy (value))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("“%s” is not a DMARC policy"), value);
              return NULL;
            }
          if (tag[0] == 'p' || tag[0] == 'P')
            {
              g_free (dmarc->policy);
              dmarc->policy = g_ascii_strdown (value, -1);
            }
          else
            {
              g_free (dmarc->subdomain_policy);
              dmarc->subdomain_policy = g_ascii_strdown (value, -1);
            }
        }
      else if (g_ascii_strcasecmp (tag, "pct") == 0)
        {
          guint64 pct;

          if (!g_ascii_string_to_unsigned (value, 10, 0, 100, &pct, NULL))
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("pct=%s is not a number from 0 to 100"), value);
              return NULL;
            }
          dmarc->pct = (guint) pct;
        }
      else if (g_ascii_strcasecmp (tag, "rua") == 0)
        {
          g_auto(GStrv) uris = g_strsplit (value, ",", -1);

          for (guint j = 0; uris[j] != NULL; j++)
            {
              char *uri = g_strstrip (uris[j]);

              if (*uri != '\0' && dmarc->rua->len < 16)
                g_ptr_array_add (dmarc->rua, g_strdup (uri));
            }
        }
      else if (g_ascii_strcasecmp (tag, "adkim") == 0 || g_ascii_strcasecmp (tag, "aspf") == 0)
        {
          char mode = g_ascii_tolower (value[0]);

          if ((mode != 'r' && mode != 's') || value[1] != '\0')
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("%s=%s must be r or s"), tag, value);
              return NULL;
            }
          if (g_ascii_tolower (tag[1]) == 'd')
            dmarc->adkim = mode;
          else
            dmarc->aspf = mode;
        }
    }
  if (dmarc->policy == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s",
                   _("The record has no policy (p=)"));
      return NULL;
    }
  return g_steal_pointer (&dmarc);
}

/* DKIM */

char *
ms_dkim_record_key (const char *record)
{
  g_auto(GStrv) tags = NULL;
  char *key = NULL;
  gboolean is_dkim = TRUE;

  if (record == NULL)
    return NULL;
  tags = g_strsplit (record, ";", -1);
  for (guint i = 0; tags[i] != NULL; i++)
    {
      char *tag = g_strstrip (tags[i]);
      char *eq = strchr (tag, '=');
      char *value;

      if (eq == NULL)
        continue;
      *eq = '\0';
      g_strstrip (tag);
      value = eq + 1;
      if (g_ascii_strcasecmp (tag, "v") == 0)
        is_dkim = i == 0 && g_ascii_strcasecmp (g_strstrip (value), "DKIM1") == 0;
      else if (g_ascii_strcasecmp (tag, "p") == 0 && key == NULL)
        {
          GString *clean = g_string_new (NULL);

          for (const char *p = value; *p != '\0'; p++)
            if (!g_ascii_isspace (*p))
              g_string_append_c (clean, *p);
          key = g_string_free (clean, FALSE);
        }
    }
  if (!is_dkim)
    {
      g_free (key);
      return NULL;
    }
  return key;
}

gboolean
ms_dkim_records_match (const char *published,
                       const char *expected)
{
  g_autofree char *a = ms_dkim_record_key (published);
  g_autofree char *b = ms_dkim_record_key (expected);

  return a != NULL && b != NULL && *a != '\0' && g_str_equal (a, b);
}

char *
ms_domain_organizational (const char *domain)
{
  g_autofree char *lower = NULL;
  const char *base;
  gsize len;

  g_return_val_if_fail (domain != NULL, NULL);

  lower = g_ascii_strdown (domain, -1);
  len = strlen (lower);
  if (len > 0 && lower[len - 1] == '.')
    lower[len - 1] = '\0';
  base = soup_tld_get_base_domain (lower, NULL);
  if (base != NULL)
    return g_strdup (base);
  /* not under a known public suffix (a private or test TLD): the last two labels */
  {
    const char *last = strrchr (lower, '.');
    const char *p = last;

    if (last == NULL)
      return g_steal_pointer (&lower);
    while (p > lower && p[-1] != '.')
      p--;
    while (p > lower && *p != '.')
      p--;
    if (*p == '.' && p != last)
      return g_strdup (p + 1);
    return g_steal_pointer (&lower);
  }
}

/* The checklist */

static void
add_item (GPtrArray     *items,
          const char    *id,
          MsCheckStatus  status,
          char          *title,
          char          *advice)
{
  MsCheckItem *item = g_new0 (MsCheckItem, 1);

  item->id = g_strdup (id);
  item->status = status;
  item->title = title;
  item->advice = advice;
  g_ptr_array_add (items, item);
}

static char *
find_record (GPtrArray  *texts,
             const char *prefix,
             guint      *count)
{
  char *found = NULL;

  *count = 0;
  for (guint i = 0; texts != NULL && i < texts->len; i++)
    if (has_tag_prefix (g_ptr_array_index (texts, i), prefix))
      {
        if (found == NULL)
          found = g_strdup (g_ptr_array_index (texts, i));
        (*count)++;
      }
  return found;
}

static gboolean
domains_aligned (const char *a,
                 const char *b)
{
  g_autofree char *oa = ms_domain_organizational (a);
  g_autofree char *ob = ms_domain_organizational (b);

  return g_ascii_strcasecmp (oa, ob) == 0;
}

static void
check_spf (GPtrArray                 *items,
           GResolver                 *resolver,
           const MsDomainCheckParams *params,
           const char                *domain,
           gboolean                  *out_present,
           GCancellable              *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) texts = lookup_txt (resolver, domain, cancellable, &error);
  g_autofree char *record = NULL;
  guint count = 0;
  char all;

  *out_present = FALSE;
  if (texts == NULL && !g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    {
      add_item (items, "spf-record", MS_CHECK_WARNING,
                g_strdup_printf (_("The SPF record of %s could not be read"), domain),
                g_strdup_printf (_("The DNS lookup failed (%s). Try again later."), error->message));
      return;
    }
  record = find_record (texts, "v=spf1", &count);
  if (record == NULL)
    {
      add_item (items, "spf-record", MS_CHECK_ERROR,
                g_strdup_printf (_("%s has no SPF record"), domain),
                g_strdup (_("Publish a TXT record starting with “v=spf1” that lists the servers "
                            "allowed to send for this domain; your mail provider’s help names "
                            "the include: to use. Without it, Gmail, Yahoo and Outlook treat bulk "
                            "mail from this domain as suspicious.")));
      return;
    }
  if (count > 1)
    {
      add_item (items, "spf-record", MS_CHECK_ERROR,
                g_strdup_printf (_("%s has %u SPF records"), domain, count),
                g_strdup (_("A domain may publish only one SPF record; with more, receivers "
                            "ignore all of them. Merge them into one.")));
      return;
    }
  *out_present = TRUE;
  add_item (items, "spf-record", MS_CHECK_OK,
            g_strdup_printf (_("%s has an SPF record"), domain), g_strdup (record));

  all = ms_spf_all_qualifier (record);
  if (all == '-' || all == '~')
    add_item (items, "spf-all", MS_CHECK_OK,
              g_strdup (all == '-' ? _("SPF rejects other senders (-all)")
                                   : _("SPF marks other senders as suspicious (~all)")),
              g_strdup (all == '-' ? _("Mail from servers not listed fails SPF.")
                                   : _("Mail from servers not listed soft-fails SPF; with DMARC "
                                       "in place this is the usual setting.")));
  else
    add_item (items, "spf-all", MS_CHECK_WARNING,
              g_strdup (all == '+' ? _("SPF allows every server in the world (+all)")
                                   : _("SPF does not say what happens to other senders")),
              g_strdup (_("End the record with “~all” or “-all” so that mail forged in your "
                          "domain’s name is recognised.")));

  if (params->smtp_host != NULL && *params->smtp_host != '\0')
    {
      g_autoptr(GError) resolve_error = NULL;
      GList *addrs = g_resolver_lookup_by_name (resolver, params->smtp_host, cancellable,
                                                &resolve_error);
      MsSpfResult worst = MS_SPF_PASS;
      g_autofree char *worst_detail = NULL;
      guint n = 0;

      if (addrs == NULL)
        {
          add_item (items, "spf-authorises", MS_CHECK_WARNING,
                    g_strdup_printf (_("The addresses of %s could not be found"), params->smtp_host),
                    g_strdup_printf (_("SPF could not be evaluated for the server: %s"),
                                     resolve_error->message));
          return;
        }
      for (GList *l = addrs; l != NULL && n < 4; l = l->next, n++)
        {
          g_autofree char *detail = NULL;
          MsSpfResult result = ms_spf_check_host (resolver, l->data, domain, &detail, cancellable);

          if (result != MS_SPF_PASS && worst == MS_SPF_PASS)
            {
              worst = result;
              worst_detail = g_steal_pointer (&detail);
            }
        }
      g_resolver_free_addresses (addrs);
      if (worst == MS_SPF_PASS)
        add_item (items, "spf-authorises", MS_CHECK_OK,
                  g_strdup_printf (_("SPF authorises %s"), params->smtp_host),
                  g_strdup (_("Receivers see mail handed on by this server as allowed by "
                              "the domain. (Large providers send from other hosts than the "
                              "one you submit to; their include: covers those.)")));
      else
        add_item (items, "spf-authorises",
                  worst == MS_SPF_FAIL || worst == MS_SPF_PERMERROR ? MS_CHECK_ERROR : MS_CHECK_WARNING,
                  g_strdup_printf (_("SPF does not authorise %s (%s)"), params->smtp_host,
                                   ms_spf_result_to_string (worst)),
                  g_strdup_printf (_("%s. Add your provider’s include: (or the server’s "
                                     "address as ip4:/ip6:) to the SPF record; if the provider "
                                     "sends from other hosts than this one, check its help "
                                     "page instead."), worst_detail != NULL ? worst_detail : ""));
    }
}

static void
check_dmarc (GPtrArray    *items,
             GResolver    *resolver,
             const char   *domain,
             gboolean     *out_present,
             GCancellable *cancellable)
{
  g_autofree char *org = ms_domain_organizational (domain);
  g_autofree char *record = NULL;
  g_autofree char *where = NULL;
  g_autoptr(GError) parse_error = NULL;
  g_autoptr(MsDmarcRecord) dmarc = NULL;
  const char *names[2] = { domain, org };
  guint count = 0;

  *out_present = FALSE;
  for (guint i = 0; i < 2 && record == NULL; i++)
    {
      g_autofree char *name = g_strconcat ("_dmarc.", names[i], NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) texts = lookup_txt (resolver, name, cancellable, &error);

      if (texts == NULL && !g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
        {
          add_item (items, "dmarc-record", MS_CHECK_WARNING,
                    g_strdup_printf (_("The DMARC record of %s could not be read"), domain),
                    g_strdup_printf (_("The DNS lookup failed (%s). Try again later."),
                                     error->message));
          return;
        }
      record = find_record (texts, "v=DMARC1", &count);
      if (record != NULL)
        where = g_strdup (names[i]);
      if (i == 0 && g_ascii_strcasecmp (domain, org) == 0)
        break;
    }
  if (record == NULL)
    {
      add_item (items, "dmarc-record", MS_CHECK_ERROR,
                g_strdup_printf (_("%s has no DMARC record"), domain),
                g_strdup_printf (_("Publish a TXT record at _dmarc.%s, at least "
                                   "“v=DMARC1; p=none; rua=mailto:you@%s”. Gmail and Yahoo "
                                   "require one of bulk senders."), org, org));
      return;
    }
  dmarc = ms_dmarc_parse (record, &parse_error);
  if (dmarc == NULL)
    {
      add_item (items, "dmarc-record", MS_CHECK_ERROR,
                g_strdup_printf (_("The DMARC record of %s is invalid"), where),
                g_strdup_printf (_("%s. Receivers ignore an invalid record; fix it."),
                                 parse_error->message));
      return;
    }
  *out_present = TRUE;
  add_item (items, "dmarc-record", MS_CHECK_OK,
            g_strdup_printf (_("%s has a DMARC record"), where), g_strdup (record));
  if (g_str_equal (dmarc->policy, "none"))
    add_item (items, "dmarc-policy", MS_CHECK_OK,
              g_strdup (_("DMARC policy: none (monitoring only)")),
              g_strdup (dmarc->rua->len > 0
                        ? _("This meets the bulk-sender rules. Once the reports show all your "
                            "mail passing, consider p=quarantine.")
                        : _("This meets the bulk-sender rules; add rua=mailto:... to receive "
                            "reports of who sends in your name.")));
  else
    add_item (items, "dmarc-policy", dmarc->pct < 100 ? MS_CHECK_WARNING : MS_CHECK_OK,
              g_strdup_printf (_("DMARC policy: %s for %u%% of failing mail"), dmarc->policy,
                               dmarc->pct),
              g_strdup (_("Mail that fails both SPF and DKIM alignment is quarantined or "
                          "rejected: make sure this server passes one of them.")));
}

static void
check_dkim (GPtrArray                 *items,
            GResolver                 *resolver,
            const MsDomainCheckParams *params,
            const char                *domain,
            gboolean                  *out_present,
            GCancellable              *cancellable)
{
  g_autofree char *name = NULL;
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *record = NULL;
  g_autofree char *key = NULL;
  guint count = 0;

  *out_present = FALSE;
  if (params->dkim_domain == NULL || params->dkim_selector == NULL ||
      *params->dkim_domain == '\0' || *params->dkim_selector == '\0')
    {
      add_item (items, "dkim-record", MS_CHECK_WARNING,
                g_strdup (_("Messages are not signed with DKIM by Mailshot")),
                g_strdup (_("Gmail, Yahoo and Outlook require DKIM of bulk senders. If your "
                            "provider signs for you, all is well; otherwise set a DKIM domain, "
                            "selector and key for this server and publish its record.")));
      return;
    }
  name = g_strdup_printf ("%s._domainkey.%s", params->dkim_selector, params->dkim_domain);
  texts = lookup_txt (resolver, name, cancellable, &error);
  for (guint i = 0; texts != NULL && i < texts->len && record == NULL; i++)
    {
      key = ms_dkim_record_key (g_ptr_array_index (texts, i));
      if (key != NULL)
        record = g_strdup (g_ptr_array_index (texts, i));
      count++;
    }
  if (record == NULL)
    {
      add_item (items, "dkim-record", MS_CHECK_ERROR,
                g_strdup_printf (_("No DKIM key is published at %s"), name),
                params->dkim_expected_record != NULL
                ? g_strdup_printf (_("Publish this TXT record at %s: %s"), name,
                                   params->dkim_expected_record)
                : g_strdup_printf (_("Publish the public key of the signing key as a "
                                     "TXT record at %s."), name));
      return;
    }
  if (*key == '\0')
    {
      add_item (items, "dkim-record", MS_CHECK_ERROR,
                g_strdup_printf (_("The DKIM key at %s is revoked"), name),
                g_strdup (_("The record has an empty p=; publish the current key.")));
      return;
    }
  *out_present = TRUE;
  add_item (items, "dkim-record", MS_CHECK_OK,
            g_strdup_printf (_("A DKIM key is published at %s"), name), g_strdup (record));
  if (params->dkim_expected_record != NULL)
    {
      if (ms_dkim_records_match (record, params->dkim_expected_record))
        add_item (items, "dkim-key", MS_CHECK_OK,
                  g_strdup (_("The published DKIM key matches the configured key")),
                  g_strdup (_("Signatures made by Mailshot will verify.")));
      else
        {
          *out_present = FALSE;
          add_item (items, "dkim-key", MS_CHECK_ERROR,
                    g_strdup (_("The published DKIM key is not the configured key")),
                    g_strdup_printf (_("Signatures will fail. Publish this record at %s "
                                       "instead: %s"), name, params->dkim_expected_record));
        }
    }
  if (!domains_aligned (params->dkim_domain, domain))
    add_item (items, "alignment", MS_CHECK_WARNING,
              g_strdup_printf (_("DKIM signs for %s, but mail is from %s"), params->dkim_domain,
                               domain),
              g_strdup (_("DMARC needs the signing domain to match the From domain. Sign "
                          "with a key of the sender’s domain.")));
  else
    add_item (items, "alignment", MS_CHECK_OK,
              g_strdup (_("The DKIM domain matches the From domain")),
              g_strdup (_("DMARC alignment is met through DKIM.")));
}

GPtrArray *
ms_domain_check_run (const MsDomainCheckParams *params,
                     GCancellable              *cancellable)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  GPtrArray *items = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_check_item_free);
  g_autofree char *domain = NULL;
  const char *at;
  gboolean spf = FALSE, dmarc = FALSE, dkim = FALSE;

  g_return_val_if_fail (params != NULL && params->from_address != NULL, items);

  at = strrchr (params->from_address, '@');
  domain = g_ascii_strdown (at != NULL ? at + 1 : params->from_address, -1);
  if (*domain == '\0')
    {
      add_item (items, "from", MS_CHECK_ERROR, g_strdup (_("The sender address has no domain")),
                g_strdup (_("Set a full sender address such as news@example.org.")));
      return items;
    }

  check_spf (items, resolver, params, domain, &spf, cancellable);
  check_dkim (items, resolver, params, domain, &dkim, cancellable);
  check_dmarc (items, resolver, domain, &dmarc, cancellable);

  if (spf && dkim && dmarc)
    add_item (items, "bulk-senders", MS_CHECK_OK,
              g_strdup (_("Meets what Gmail, Yahoo and Outlook require of bulk senders")),
              g_strdup (_("SPF, DKIM and DMARC are in place. Also keep a working one-click "
                          "unsubscribe (Mailshot adds it) and a spam-complaint rate below 0.3%.")));
  else
    {
      GString *missing = g_string_new (NULL);

      if (!spf)
        g_string_append (missing, "SPF ");
      if (!dkim)
        g_string_append (missing, "DKIM ");
      if (!dmarc)
        g_string_append (missing, "DMARC ");
      g_strchomp (missing->str);
      add_item (items, "bulk-senders", spf && dmarc ? MS_CHECK_WARNING : MS_CHECK_ERROR,
                g_strdup (_("Does not yet meet the bulk-sender rules of Gmail, Yahoo and Outlook")),
                g_strdup_printf (_("Senders of more than 5,000 messages a day must have SPF, DKIM "
                                   "and DMARC (at least p=none) aligned with the From domain. "
                                   "Missing or not confirmed here: %s. Small mailings still "
                                   "go out, but are more likely to land in spam."),
                                 missing->str));
      g_string_free (missing, TRUE);
    }
  return items;
}

typedef struct
{
  char *from_address;
  char *smtp_host;
  char *dkim_domain;
  char *dkim_selector;
  char *dkim_expected_record;
} CheckData;

static void
check_data_free (gpointer data)
{
  CheckData *d = data;

  g_free (d->from_address);
  g_free (d->smtp_host);
  g_free (d->dkim_domain);
  g_free (d->dkim_selector);
  g_free (d->dkim_expected_record);
  g_free (d);
}

static void
check_thread (GTask        *task,
              gpointer      source,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckData *d = task_data;
  MsDomainCheckParams params = {
    d->from_address, d->smtp_host, d->dkim_domain, d->dkim_selector, d->dkim_expected_record,
  };
  GPtrArray *items = ms_domain_check_run (&params, cancellable);

  if (g_task_return_error_if_cancelled (task))
    g_ptr_array_unref (items);
  else
    g_task_return_pointer (task, items, (GDestroyNotify) g_ptr_array_unref);
}

void
ms_domain_check_async (const MsDomainCheckParams *params,
                       GCancellable              *cancellable,
                       GAsyncReadyCallback        callback,
                       gpointer                   user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  CheckData *d = g_new0 (CheckData, 1);

  d->from_address = g_strdup (params->from_address);
  d->smtp_host = g_strdup (params->smtp_host);
  d->dkim_domain = g_strdup (params->dkim_domain);
  d->dkim_selector = g_strdup (params->dkim_selector);
  d->dkim_expected_record = g_strdup (params->dkim_expected_record);
  g_task_set_source_tag (task, ms_domain_check_async);
  g_task_set_task_data (task, d, check_data_free);
  g_task_run_in_thread (task, check_thread);
}

GPtrArray *
ms_domain_check_finish (GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ms-json.c
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

#define G_LOG_DOMAIN "ms-json"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "ms-json.h"

#define MAX_DEPTH 64

struct _MsJsonWriter
{
  GString  *str;
  gboolean  pretty;
  guint     depth;
  gboolean  after_key;
  gboolean  has_items[MAX_DEPTH];
};

G_DEFINE_QUARK (ms-json-error-quark, ms_json_error)

MsJsonWriter *
ms_json_writer_new (gboolean pretty)
{
  MsJsonWriter *self = g_new0 (MsJsonWriter, 1);

  self->str = g_string_new (NULL);
  self->pretty = pretty;
  return self;
}

void
ms_json_writer_free (MsJsonWriter *self)
{
  if (self == NULL)
    return;
  g_string_free (self->str, TRUE);
  g_free (self);
}

const char *
ms_json_writer_get_string (MsJsonWriter *self)
{
  return self->str->str;
}

char *
ms_json_writer_steal_string (MsJsonWriter *self)
{
  char *ret = g_string_free (self->str, FALSE);

  self->str = g_string_new (NULL);
  return ret;
}

static void
newline (MsJsonWriter *self)
{
  if (!self->pretty)
    return;
  g_string_append_c (self->str, '\n');
  for (guint i = 0; i < self->depth; i++)
    g_string_append (self->str, "  ");
}

/* Called before any value or key is written. */
static void
before_item (MsJsonWriter *self)
{
  if (self->after_key)
    {
      self->after_key = FALSE;
      return;
    }
  if (self->depth == 0)
    return;
  if (self->has_items[self->depth])
    g_string_append_c (self->str, ',');
  self->has_items[self->depth] = TRUE;
  newline (self);
}

static void
open_container (MsJsonWriter *self,
                char          c)
{
  before_item (self);
  g_string_append_c (self->str, c);
  g_return_if_fail (self->depth + 1 < MAX_DEPTH);
  self->depth++;
  self->has_items[self->depth] = FALSE;
}

static void
close_container (MsJsonWriter *self,
                 char          c)
{
  gboolean had_items;

  g_return_if_fail (self->depth > 0);
  had_items = self->has_items[self->depth];
  self->depth--;
  if (had_items)
    newline (self);
  g_string_append_c (self->str, c);
}

void
ms_json_writer_begin_object (MsJsonWriter *self)
{
  open_container (self, '{');
}

void
ms_json_writer_end_object (MsJsonWriter *self)
{
  close_container (self, '}');
}

void
ms_json_writer_begin_array (MsJsonWriter *self)
{
  open_container (self, '[');
}

void
ms_json_writer_end_array (MsJsonWriter *self)
{
  close_container (self, ']');
}

void
ms_json_writer_key (MsJsonWriter *self,
                    const char   *key)
{
  before_item (self);
  ms_json_append_string (self->str, key);
  g_string_append (self->str, self->pretty ? ": " : ":");
  self->after_key = TRUE;
}

void
ms_json_writer_string (MsJsonWriter *self,
                       const char   *value)
{
  before_item (self);
  ms_json_append_string (self->str, value);
}

void
ms_json_writer_int (MsJsonWriter *self,
                    gint64        value)
{
  before_item (self);
  g_string_append_printf (self->str, "%" PRId64, value);
}

void
ms_json_writer_double (MsJsonWriter *self,
                       double        value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  before_item (self);
  if (!isfinite (value))
    g_string_append (self->str, "null");
  else
    g_string_append (self->str, g_ascii_dtostr (buf, sizeof buf, value));
}

void
ms_json_writer_boolean (MsJsonWriter *self,
                        gboolean      value)
{
  before_item (self);
  g_string_append (self->str, value ? "true" : "false");
}

void
ms_json_writer_null (MsJsonWriter *self)
{
  before_item (self);
  g_string_append (self->str, "null");
}

void
ms_json_append_string (GString    *out,
                       const char *str)
{
  const char *p;

  if (str == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  g_string_append_c (out, '"');
  for (p = str; *p; p++)
    {
      guchar c = (guchar) *p;

      switch (c)
        {
        case '"': g_string_append (out, "\\\""); break;
        case '\\': g_string_append (out, "\\\\"); break;
        case '\n': g_string_append (out, "\\n"); break;
        case '\r': g_string_append (out, "\\r"); break;
        case '\t': g_string_append (out, "\\t"); break;
        case '\b': g_string_append (out, "\\b"); break;
        case '\f': g_string_append (out, "\\f"); break;
        default:
          if (c < 0x20 || c == 0x7f)
            g_string_append_printf (out, "\\u%04x", c);
          else
            g_string_append_c (out, (char) c);
        }
    }
  g_string_append_c (out, '"');
}

/* Parser */

typedef struct
{
  const char *p;
  const char *start;
} Parser;

static gboolean
parse_error (Parser     *ps,
             GError    **error,
             const char *what)
{
  g_set_error (error, MS_JSON_ERROR, MS_JSON_ERROR_PARSE,
               _("Invalid JSON at offset %u: %s"), (guint) (ps->p - ps->start), what);
  return FALSE;
}

static void
skip_ws (Parser *ps)
{
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
    ps->p++;
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
parse_hex4 (Parser   *ps,
            gunichar *out)
{
  gunichar v = 0;

  for (int i = 0; i < 4; i++)
    {
      int h = hex_value (ps->p[i]);

      if (h < 0)
        return FALSE;
      v = (v << 4) | (gunichar) h;
    }
  ps->p += 4;
  *out = v;
  return TRUE;
}

static char *
parse_string (Parser  *ps,
              GError **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert (*ps->p == '"');
  ps->p++;

  for (;;)
    {
      char c = *ps->p;

      if (c == '\0')
        {
          parse_error (ps, error, "unterminated string");
          return NULL;
        }
      if (c == '"')
        {
          ps->p++;
          break;
        }
      if ((guchar) c < 0x20)
        {
          parse_error (ps, error, "control character in string");
          return NULL;
        }
      if (c != '\\')
        {
          g_string_append_c (out, c);
          ps->p++;
          continue;
        }

      ps->p++;
      c = *ps->p++;
      switch (c)
        {
        case '"': g_string_append_c (out, '"'); break;
        case '\\': g_string_append_c (out, '\\'); break;
        case '/': g_string_append_c (out, '/'); break;
        case 'b': g_string_append_c (out, '\b'); break;
        case 'f': g_string_append_c (out, '\f'); break;
        case 'n': g_string_append_c (out, '\n'); break;
        case 'r': g_string_append_c (out, '\r'); break;
        case 't': g_string_append_c (out, '\t'); break;
        case 'u':
          {
            gunichar u;

            if (!parse_hex4 (ps, &u))
              {
                parse_error (ps, error, "bad \\u escape");
                return NULL;
              }
            if (u >= 0xd800 && u < 0xdc00 && ps->p[0] == '\\' && ps->p[1] == 'u')
              {
                gunichar lo;

                ps->p += 2;
                if (!parse_hex4 (ps, &lo) || lo < 0xdc00 || lo > 0xdfff)
                  {
                    parse_error (ps, error, "bad surrogate pair");
                    return NULL;
                  }
                u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
              }
            if ((u >= 0xd800 && u <= 0xdfff) || u == 0)
              u = 0xfffd;
            g_string_append_unichar (out, u);
          }
          break;
        default:
          parse_error (ps, error, "bad escape");
          return NULL;
        }
    }

  if (!g_utf8_validate (out->str, out->len, NULL))
    {
      parse_error (ps, error, "string is not UTF-8");
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

static char *
parse_scalar (Parser    *ps,
              gboolean  *is_null,
              GError   **error)
{
  const char *begin = ps->p;

  *is_null = FALSE;

  if (*ps->p == '"')
    return parse_string (ps, error);
  if (*ps->p == '{' || *ps->p == '[')
    {
      g_set_error (error, MS_JSON_ERROR, MS_JSON_ERROR_NOT_FLAT,
                   _("Only a flat JSON object of plain values is allowed"));
      return NULL;
    }
  if (g_str_has_prefix (ps->p, "true"))
    {
      ps->p += 4;
      return g_strdup ("true");
    }
  if (g_str_has_prefix (ps->p, "false"))
    {
      ps->p += 5;
      return g_strdup ("false");
    }
  if (g_str_has_prefix (ps->p, "null"))
    {
      ps->p += 4;
      *is_null = TRUE;
      return NULL;
    }
  if (*ps->p == '-')
    ps->p++;
  if (!g_ascii_isdigit (*ps->p))
    {
      parse_error (ps, error, "unexpected character");
      return NULL;
    }
  while (g_ascii_isdigit (*ps->p) || *ps->p == '.' || *ps->p == 'e' || *ps->p == 'E'
         || *ps->p == '+' || *ps->p == '-')
    ps->p++;
  return g_strndup (begin, ps->p - begin);
}

GHashTable *
ms_json_parse_flat_object (const char  *json,
                           GError     **error)
{
  g_autoptr(GHashTable) table = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  Parser ps = { json, json };

  g_return_val_if_fail (json != NULL, NULL);

  skip_ws (&ps);
  if (*ps.p != '{')
    {
      parse_error (&ps, error, "expected an object");
      return NULL;
    }
  ps.p++;
  skip_ws (&ps);
  if (*ps.p == '}')
    {
      ps.p++;
      goto done;
    }

  for (;;)
    {
      g_autofree char *key = NULL;
      g_autofree char *value = NULL;
      gboolean is_null;
      GError *local_error = NULL;

      skip_ws (&ps);
      if (*ps.p != '"')
        {
          parse_error (&ps, error, "expected a key");
          return NULL;
        }
      if (!(key = parse_string (&ps, error)))
        return NULL;
      skip_ws (&ps);
      if (*ps.p != ':')
        {
          parse_error (&ps, error, "expected ':'");
          return NULL;
        }
      ps.p++;
      skip_ws (&ps);
      value = parse_scalar (&ps, &is_null, &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (!is_null)
        g_hash_table_replace (table, g_steal_pointer (&key), g_steal_pointer (&value));
      skip_ws (&ps);
      if (*ps.p == ',')
        {
          ps.p++;
          continue;
        }
      if (*ps.p == '}')
        {
          ps.p++;
          break;
        }
      parse_error (&ps, error, "expected ',' or '}'");
      return NULL;
    }

done:
  skip_ws (&ps);
  if (*ps.p != '\0')
    {
      parse_error (&ps, error, "trailing characters");
      return NULL;
    }
  return g_steal_pointer (&table);
}

static int
compare_keys (gconstpointer a,
              gconstpointer b,
              gpointer      user_data)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

char *
ms_json_flat_object_to_string (GHashTable *table)
{
  g_autofree const char **keys = NULL;
  GString *out;
  guint n = 0;

  if (table == NULL || g_hash_table_size (table) == 0)
    return NULL;

  keys = (const char **) g_hash_table_get_keys_as_array (table, &n);
  g_qsort_with_data (keys, n, sizeof (char *), compare_keys, NULL);

  out = g_string_new ("{");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      ms_json_append_string (out, keys[i]);
      g_string_append_c (out, ':');
      ms_json_append_string (out, g_hash_table_lookup (table, keys[i]));
    }
  g_string_append_c (out, '}');
  return g_string_free (out, FALSE);
}

/* ms-merge.c
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


#define G_LOG_DOMAIN "ms-merge"

#include "config.h"

#include <cmark.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ms-merge.h"

/* A compiled template is a flat list of segments: literal text (a slice of
 * one buffer) or a field with an optional default.  Rendering is a walk over
 * the list with no parsing and no allocation beyond the output. */

typedef enum
{
  FIELD_EMAIL,
  FIELD_NAME,
  FIELD_FIRST_NAME,
  FIELD_LAST_NAME,
  FIELD_DISPLAY_NAME,
  FIELD_CUSTOM,
} FieldKind;

static const char * const standard_fields[] = {
  "email", "name", "first_name", "last_name", "display_name",
};

typedef struct
{
  gboolean   is_field;
  gsize      offset;       /* literal: slice of self->literals */
  gsize      length;
  FieldKind  kind;
  char      *name;         /* field name as written (custom) or standard spelling */
  char      *fallback;     /* the default, already escaped for the mode; NULL: none */
  char      *raw_fallback; /* the default as written */
} Segment;

struct _MsMergeTemplate
{
  gatomicrefcount  ref_count;
  MsMergeMode      mode;
  GString         *literals;
  GArray          *segments;   /* Segment */
  gsize            size_hint;  /* literal bytes: a good first allocation */
};

G_DEFINE_BOXED_TYPE (MsMergeTemplate, ms_merge_template,
                     ms_merge_template_ref, ms_merge_template_unref)

G_DEFINE_QUARK (ms-merge-error-quark, ms_merge_error)

static void
segment_clear (gpointer data)
{
  Segment *segment = data;

  g_clear_pointer (&segment->name, g_free);
  g_clear_pointer (&segment->fallback, g_free);
  g_clear_pointer (&segment->raw_fallback, g_free);
}

static MsMergeTemplate *
merge_template_new (MsMergeMode mode)
{
  MsMergeTemplate *self = g_new0 (MsMergeTemplate, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->mode = mode;
  self->literals = g_string_new (NULL);
  self->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_array_set_clear_func (self->segments, segment_clear);
  return self;
}

MsMergeTemplate *
ms_merge_template_ref (MsMergeTemplate *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ms_merge_template_unref (MsMergeTemplate *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_string_free (self->literals, TRUE);
  g_array_unref (self->segments);
  g_free (self);
}

MsMergeMode
ms_merge_template_get_mode (MsMergeTemplate *self)
{
  g_return_val_if_fail (self != NULL, MS_MERGE_MODE_TEXT);

  return self->mode;
}

/* Escaping of values */

static gboolean
is_header_break (const char *p,
                 gsize      *len)
{
  guchar c = (guchar) p[0];

  if (c < 0x20 || c == 0x7f)
    {
      *len = 1;
      return TRUE;
    }
  /* C1 controls (U+0080..U+009F) and the Unicode line and paragraph separators. */
  if (c == 0xc2 && (guchar) p[1] >= 0x80 && (guchar) p[1] <= 0x9f)
    {
      *len = 2;
      return TRUE;
    }
  if (c == 0xe2 && (guchar) p[1] == 0x80 && ((guchar) p[2] == 0xa8 || (guchar) p[2] == 0xa9))
    {
      *len = 3;
      return TRUE;
    }
  return FALSE;
}

static void
append_header_value (GString    *out,
                     const char *value)
{
  const char *p = value;
  gboolean in_break = FALSE;

  while (*p != '\0')
    {
      gsize len;

      if (is_header_break (p, &len))
        {
          if (!in_break)
            g_string_append_c (out, ' ');
          in_break = TRUE;
          p += len;
          continue;
        }
      in_break = FALSE;
      g_string_append_c (out, *p);
      p++;
    }
}

static void
append_html_value (GString    *out,
                   const char *value)
{
  const char *p = value;
  const char *run = value;

  for (; *p != '\0'; p++)
    {
      const char *entity;

      switch (*p)
        {
        case '&': entity = "&amp;"; break;
        case '<': entity = "&lt;"; break;
        case '>': entity = "&gt;"; break;
        case '"': entity = "&quot;"; break;
        case '\'': entity = "&#39;"; break;
        case '\r': entity = p[1] == '\n' ? "" : "\n"; break;
        default: continue;
        }
      g_string_append_len (out, run, p - run);
      g_string_append (out, entity);
      run = p + 1;
    }
  g_string_append_len (out, run, p - run);
}

static void
append_text_value (GString    *out,
                   const char *value)
{
  const char *cr = strchr (value, '\r');

  if (cr == NULL)
    {
      g_string_append (out, value);
      return;
    }
  for (const char *p = value; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
        }
      else
        g_string_append_c (out, *p);
    }
}

static void
append_value (GString     *out,
              MsMergeMode  mode,
              const char  *value)
{
  switch (mode)
    {
    case MS_MERGE_MODE_HTML:
      append_html_value (out, value);
      break;
    case MS_MERGE_MODE_HEADER:
      append_header_value (out, value);
      break;
    case MS_MERGE_MODE_TEXT:
    default:
      append_text_value (out, value);
      break;
    }
}

static char *
escape_value (MsMergeMode  mode,
              const char  *value)
{
  GString *out = g_string_new (NULL);

  append_value (out, mode, value);
  return g_string_free (out, FALSE);
}

/* Parsing */

typedef struct
{
  const char          *text;
  MsMergeMode          mode;
  const char * const  *custom_fields;
  MsMergeTemplate     *result;
} Parser;

static void
position_of (const char *text,
             const char *at,
             int        *line,
             int        *column)
{
  *line = 1;
  *column = 1;
  for (const char *p = text; p < at && *p != '\0'; p = g_utf8_next_char (p))
    {
      if (*p == '\n')
        {
          (*line)++;
          *column = 1;
        }
      else
        (*column)++;
    }
}

G_GNUC_PRINTF (4, 5)
static gboolean
fail_at (Parser      *parser,
         const char  *at,
         GError     **error,
         const char  *format,
         ...)
{
  g_autofree char *detail = NULL;
  va_list args;
  int line, column;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  position_of (parser->text, at, &line, &column);
  /* TRANSLATORS: a merge-field error; %d are the line and column, %s says what is wrong */
  g_set_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_SYNTAX,
               _("Line %d, column %d: %s"), line, column, detail);
  return FALSE;
}

static const char *
skip_spaces (const char *p)
{
  while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
    p++;
  return p;
}

/* Reads "..." at p (which points at the quote); *out gets the unescaped text. */
static const char *
read_string (Parser      *parser,
             const char  *p,
             char       **out,
             GError     **error)
{
  GString *str = g_string_new (NULL);
  const char *start = p;

  g_assert (*p == '"');
  for (p++; *p != '\0' && *p != '"'; p++)
    {
      if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
        p++;
      g_string_append_c (str, *p);
    }
  if (*p != '"')
    {
      g_string_free (str, TRUE);
      fail_at (parser, start, error, "%s", _("the quoted text is not closed by \""));
      return NULL;
    }
  *out = g_string_free (str, FALSE);
  return p + 1;
}

static gboolean
lookup_field (Parser      *parser,
              const char  *name,
              const char  *at,
              FieldKind   *kind,
              char       **canonical,
              GError     **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (standard_fields); i++)
    {
      if (g_ascii_strcasecmp (name, standard_fields[i]) == 0)
        {
          *kind = (FieldKind) i;
          *canonical = g_strdup (standard_fields[i]);
          return TRUE;
        }
    }

  *kind = FIELD_CUSTOM;
  *canonical = g_strdup (name);
  if (parser->custom_fields == NULL || g_strv_contains (parser->custom_fields, name))
    return TRUE;

  g_clear_pointer (canonical, g_free);
  for (guint i = 0; parser->custom_fields[i] != NULL; i++)
    {
      g_autofree char *a = g_utf8_casefold (name, -1);
      g_autofree char *b = g_utf8_casefold (parser->custom_fields[i], -1);

      if (g_strcmp0 (a, b) == 0)
        {
          int line, column;

          position_of (parser->text, at, &line, &column);
          g_set_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_UNKNOWN_FIELD,
                       _("Line %d, column %d: there is no field “%s”. Did you mean “%s”?"),
                       line, column, name, parser->custom_fields[i]);
          return FALSE;
        }
    }
  {
    int line, column;

    position_of (parser->text, at, &line, &column);
    g_set_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_UNKNOWN_FIELD,
                 _("Line %d, column %d: there is no field “%s”. The contacts have email, name, "
                   "first_name, last_name, display_name and their own imported fields."),
                 line, column, name);
  }
  return FALSE;
}

static void
add_literal (MsMergeTemplate *self,
             const char      *text,
             gsize            length)
{
  Segment *last;

  if (length == 0)
    return;
  last = self->segments->len > 0
         ? &g_array_index (self->segments, Segment, self->segments->len - 1) : NULL;
  if (last != NULL && !last->is_field && last->offset + last->length == self->literals->len)
    last->length += length;
  else
    {
      Segment segment = { FALSE, self->literals->len, length, 0, NULL, NULL, NULL };

      g_array_append_val (self->segments, segment);
    }
  g_string_append_len (self->literals, text, length);
  self->size_hint += length;
}

static void
add_field (MsMergeTemplate *self,
           FieldKind        kind,
           char            *name,       /* owned */
           const char      *fallback)   /* raw, or NULL */
{
  Segment segment = { TRUE, 0, 0, kind, name, NULL, NULL };

  if (fallback != NULL)
    {
      segment.fallback = escape_value (self->mode, fallback);
      segment.raw_fallback = g_strdup (fallback);
    }
  g_array_append_val (self->segments, segment);
  self->size_hint += 16;
}

/* Parses one expression after "{{" at p; returns the position after "}}". */
static const char *
parse_expression (Parser      *parser,
                  const char  *open,
                  GError     **error)
{
  const char *p = skip_spaces (open + 2);
  const char *name_start;
  const char *name_end;
  g_autofree char *name = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *fallback = NULL;
  FieldKind kind;

  if (*p == '"')
    {
      g_autofree char *literal = NULL;

      if (!(p = read_string (parser, p, &literal, error)))
        return NULL;
      p = skip_spaces (p);
      if (p[0] != '}' || p[1] != '}')
        {
          fail_at (parser, open, error, "%s", _("a quoted text between {{ and }} must stand alone"));
          return NULL;
        }
      add_literal (parser->result, literal, strlen (literal));
      return p + 2;
    }

  name_start = p;
  while (*p != '\0' && *p != '|' && *p != '}' && *p != '{' && *p != '"'
         && !((guchar) *p < 0x20 && *p != ' ' && *p != '\t'))
    p++;
  if (*p == '\0')
    {
      fail_at (parser, open, error, "%s", _("“{{” is not closed by “}}”"));
      return NULL;
    }
  if (*p == '{' || *p == '"' || ((guchar) *p < 0x20))
    {
      fail_at (parser, p, error, "%s",
               _("a field name cannot contain { \" or a line break (write {{\"{{\"}} for a literal {{)"));
      return NULL;
    }
  name_end = p;
  while (name_end > name_start && (name_end[-1] == ' ' || name_end[-1] == '\t'))
    name_end--;
  if (name_end == name_start)
    {
      fail_at (parser, open, error, "%s", _("the field name is missing between {{ and }}"));
      return NULL;
    }
  name = g_strndup (name_start, name_end - name_start);
  if (!g_utf8_validate (name, -1, NULL))
    {
      fail_at (parser, name_start, error, "%s", _("the field name is not valid UTF-8"));
      return NULL;
    }
  if (!lookup_field (parser, name, name_start, &kind, &canonical, error))
    return NULL;

  if (*p == '|')
    {
      p = skip_spaces (p + 1);
      if (*p != '"')
        {
          fail_at (parser, p, error, "%s", _("a default after | must be quoted, as in {{company | \"your team\"}}"));
          return NULL;
        }
      if (!(p = read_string (parser, p, &fallback, error)))
        return NULL;
      p = skip_spaces (p);
    }
  if (p[0] != '}' || p[1] != '}')
    {
      if (*p == '\0')
        fail_at (parser, open, error, "%s", _("“{{” is not closed by “}}”"));
      else
        fail_at (parser, p, error, "%s", _("expected “}}” here"));
      return NULL;
    }
  add_field (parser->result, kind, g_steal_pointer (&canonical), fallback);
  return p + 2;
}

MsMergeTemplate *
ms_merge_compile (const char          *text,
                  MsMergeMode          mode,
                  const char * const  *custom_fields,
                  GError             **error)
{
  g_autoptr(MsMergeTemplate) self = NULL;
  Parser parser;
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (mode <= MS_MERGE_MODE_HEADER, NULL);

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error_literal (error, MS_MERGE_ERROR, MS_MERGE_ERROR_SYNTAX,
                           _("The text is not valid UTF-8."));
      return NULL;
    }

  self = merge_template_new (mode);
  parser.text = text;
  parser.mode = mode;
  parser.custom_fields = custom_fields;
  parser.result = self;

  p = text;
  while (*p != '\0')
    {
      const char *open = strstr (p, "{{");

      if (open == NULL)
        {
          add_literal (self, p, strlen (p));
          break;
        }
      add_literal (self, p, open - p);
      if (!(p = parse_expression (&parser, open, error)))
        return NULL;
    }
  return g_steal_pointer (&self);
}

GStrv
ms_merge_get_fields (MsMergeTemplate *self)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  g_return_val_if_fail (self != NULL, NULL);

  for (guint i = 0; i < self->segments->len; i++)
    {
      Segment *segment = &g_array_index (self->segments, Segment, i);

      if (segment->is_field && g_hash_table_add (seen, segment->name))
        g_strv_builder_add (builder, segment->name);
    }
  return g_strv_builder_end (builder);
}

/* Rendering */

static gboolean
has_content (const char *value)
{
  if (value == NULL)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return TRUE;
  return FALSE;
}

gboolean
ms_merge_render_append (MsMergeTemplate  *self,
                        MsContact        *contact,
                        GString          *out,
                        GError          **error)
{
  gsize start;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (MS_IS_CONTACT (contact), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);

  start = out->len;
  for (guint i = 0; i < self->segments->len; i++)
    {
      const Segment *segment = &g_array_index (self->segments, Segment, i);
      g_autofree char *owned = NULL;
      const char *value;

      if (!segment->is_field)
        {
          g_string_append_len (out, self->literals->str + segment->offset, segment->length);
          continue;
        }

      switch (segment->kind)
        {
        case FIELD_EMAIL:
          value = ms_contact_get_email (contact);
          break;
        case FIELD_NAME:
          value = ms_contact_get_name (contact);
          break;
        case FIELD_FIRST_NAME:
          value = ms_contact_get_first_name (contact);
          break;
        case FIELD_LAST_NAME:
          value = ms_contact_get_last_name (contact);
          break;
        case FIELD_DISPLAY_NAME:
          value = owned = ms_contact_dup_display_name (contact);
          break;
        case FIELD_CUSTOM:
        default:
          value = ms_contact_get_field (contact, segment->name);
          break;
        }

      if (has_content (value))
        append_value (out, self->mode, value);
      else if (segment->fallback != NULL)
        g_string_append (out, segment->fallback);
      else
        {
          g_string_truncate (out, start);
          g_set_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_MISSING_VALUE,
                       _("The contact %s has no value for “%s”, and the template gives no "
                         "default (write {{%s | \"…\"}} to give one)."),
                       ms_contact_get_email (contact), segment->name, segment->name);
          return FALSE;
        }
    }
  return TRUE;
}

char *
ms_merge_render (MsMergeTemplate  *self,
                 MsContact        *contact,
                 GError          **error)
{
  GString *out;

  g_return_val_if_fail (self != NULL, NULL);

  out = g_string_sized_new (self->size_hint + 1);
  if (!ms_merge_render_append (self, contact, out, error))
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  return g_string_free (out, FALSE);
}

/* Markdown and HTML: placeholders
 *
 * Each merge expression of the source becomes an opaque token of letters and
 * digits ("msmrg" + a nonce not found in the source + six digits + "z") that
 * cmark and the HTML-to-text conversion pass through unchanged, in text,
 * link destinations and raw HTML alike.  The transformed text is then cut at
 * the tokens, and each token becomes the field it stood for. */

#define TOKEN_PREFIX "msmrg"
#define TOKEN_NONCE_LEN 8
#define TOKEN_DIGITS 6

static char *
make_nonce (const char *source)
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

  for (;;)
    {
      char nonce[sizeof TOKEN_PREFIX + TOKEN_NONCE_LEN];

      memcpy (nonce, TOKEN_PREFIX, strlen (TOKEN_PREFIX));
      for (guint i = 0; i < TOKEN_NONCE_LEN; i++)
        nonce[strlen (TOKEN_PREFIX) + i] = alphabet[g_random_int_range (0, sizeof alphabet - 1)];
      nonce[sizeof nonce - 1] = '\0';
      if (strstr (source, nonce) == NULL)
        return g_strdup (nonce);
    }
}

/* The source with each field replaced by its token. */
static char *
tokenize (MsMergeTemplate *tmpl,
          const char      *nonce)
{
  GString *out = g_string_sized_new (tmpl->literals->len + 64);

  for (guint i = 0; i < tmpl->segments->len; i++)
    {
      const Segment *segment = &g_array_index (tmpl->segments, Segment, i);

      if (segment->is_field)
        g_string_append_printf (out, "%s%0*uz", nonce, TOKEN_DIGITS, i);
      else
        g_string_append_len (out, tmpl->literals->str + segment->offset, segment->length);
    }
  return g_string_free (out, FALSE);
}

static MsMergeTemplate *
detokenize (const char      *text,
            MsMergeTemplate *source,
            const char      *nonce,
            MsMergeMode      mode)
{
  MsMergeTemplate *self = merge_template_new (mode);
  gsize nonce_len = strlen (nonce);
  const char *p = text;

  for (;;)
    {
      const char *hit = strstr (p, nonce);
      const char *digits;
      guint index = 0;
      gboolean valid = TRUE;

      if (hit == NULL)
        {
          add_literal (self, p, strlen (p));
          break;
        }
      digits = hit + nonce_len;
      for (guint i = 0; i < TOKEN_DIGITS; i++)
        {
          if (!g_ascii_isdigit (digits[i]))
            {
              valid = FALSE;
              break;
            }
          index = index * 10 + (guint) (digits[i] - '0');
        }
      if (!valid || digits[TOKEN_DIGITS] != 'z' || index >= source->segments->len
          || !g_array_index (source->segments, Segment, index).is_field)
        {
          add_literal (self, p, hit + nonce_len - p);
          p = hit + nonce_len;
          continue;
        }
      add_literal (self, p, hit - p);
      {
        const Segment *field = &g_array_index (source->segments, Segment, index);

        add_field (self, field->kind, g_strdup (field->name), field->raw_fallback);
      }
      p = digits + TOKEN_DIGITS + 1;
    }
  return self;
}

gboolean
ms_merge_compile_markdown (const char          *markdown,
                           const char * const  *custom_fields,
                           MsMergeTemplate    **out_text,
                           MsMergeTemplate    **out_html,
                           GError             **error)
{
  g_autoptr(MsMergeTemplate) text = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *tokenized = NULL;
  char *html;

  g_return_val_if_fail (markdown != NULL, FALSE);

  if (!(text = ms_merge_compile (markdown, MS_MERGE_MODE_TEXT, custom_fields, error)))
    return FALSE;

  nonce = make_nonce (markdown);
  tokenized = tokenize (text, nonce);
  html = cmark_markdown_to_html (tokenized, strlen (tokenized),
                                 CMARK_OPT_UNSAFE | CMARK_OPT_HARDBREAKS);
  if (html == NULL)
    {
      g_set_error_literal (error, MS_MERGE_ERROR, MS_MERGE_ERROR_MARKDOWN,
                           _("The Markdown could not be turned into HTML."));
      return FALSE;
    }
  if (out_html != NULL)
    *out_html = detokenize (html, text, nonce, MS_MERGE_MODE_HTML);
  free (html);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  return TRUE;
}

gboolean
ms_merge_compile_html (const char          *html,
                       const char * const  *custom_fields,
                       MsMergeTemplate    **out_text,
                       MsMergeTemplate    **out_html,
                       GError             **error)
{
  g_autoptr(MsMergeTemplate) html_tmpl = NULL;
  g_autoptr(MsMergeTemplate) text_tmpl = NULL;

  g_return_val_if_fail (html != NULL, FALSE);

  if (!(html_tmpl = ms_merge_compile (html, MS_MERGE_MODE_HTML, custom_fields, error)))
    return FALSE;
  if (out_text != NULL)
    {
      g_autofree char *nonce = make_nonce (html);
      g_autofree char *tokenized = NULL;
      g_autofree char *plain = NULL;

      /* The same parse in TEXT mode, so that defaults are kept unescaped. */
      text_tmpl = ms_merge_compile (html, MS_MERGE_MODE_TEXT, custom_fields, error);
      g_assert (text_tmpl != NULL);
      tokenized = tokenize (text_tmpl, nonce);
      plain = ms_merge_html_to_text (tokenized);
      *out_text = detokenize (plain, text_tmpl, nonce, MS_MERGE_MODE_TEXT);
    }
  if (out_html != NULL)
    *out_html = g_steal_pointer (&html_tmpl);
  return TRUE;
}

/* HTML to text */

static const struct
{
  const char *name;
  gunichar    ch;
} named_entities[] = {
  { "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
  { "nbsp", 0xa0 }, { "shy", 0xad }, { "copy", 0xa9 }, { "reg", 0xae }, { "trade", 0x2122 },
  { "hellip", 0x2026 }, { "mdash", 0x2014 }, { "ndash", 0x2013 }, { "laquo", 0xab },
  { "raquo", 0xbb }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 }, { "sbquo", 0x201a },
  { "ldquo", 0x201c }, { "rdquo", 0x201d }, { "bdquo", 0x201e }, { "euro", 0x20ac },
  { "pound", 0xa3 }, { "yen", 0xa5 }, { "cent", 0xa2 }, { "sect", 0xa7 }, { "deg", 0xb0 },
  { "middot", 0xb7 }, { "bull", 0x2022 }, { "times", 0xd7 }, { "divide", 0xf7 },
  { "auml", 0xe4 }, { "ouml", 0xf6 }, { "uuml", 0xfc }, { "Auml", 0xc4 }, { "Ouml", 0xd6 },
  { "Uuml", 0xdc }, { "szlig", 0xdf }, { "eacute", 0xe9 }, { "egrave", 0xe8 },
  { "agrave", 0xe0 }, { "ccedil", 0xe7 }, { "zwnj", 0x200c }, { "zwj", 0x200d },
  { "thinsp", 0x2009 }, { "ensp", 0x2002 }, { "emsp", 0x2003 }, { "numero", 0x2116 },
  { "larr", 0x2190 }, { "rarr", 0x2192 }, { "check", 0x2713 },
};

/* Decodes the entity at p ('&'); returns the length consumed, 0 if none. */
static gsize
decode_entity (const char *p,
               gunichar   *out)
{
  const char *end;

  g_assert (*p == '&');
  if (p[1] == '#')
    {
      gboolean hex = p[2] == 'x' || p[2] == 'X';
      const char *digits = p + (hex ? 3 : 2);
      guint64 value = 0;

      for (end = digits; hex ? g_ascii_isxdigit (*end) : g_ascii_isdigit (*end); end++)
        {
          value = value * (hex ? 16 : 10) + (hex ? g_ascii_xdigit_value (*end) : *end - '0');
          if (value > 0x10ffff)
            return 0;
        }
      if (end == digits || end - digits > 8)
        return 0;
      if (value == 0 || !g_unichar_validate ((gunichar) value))
        value = 0xfffd;
      *out = (gunichar) value;
      return (end - p) + (*end == ';' ? 1 : 0);
    }
  for (end = p + 1; g_ascii_isalnum (*end) && end - p < 12; end++)
    ;
  if (*end != ';')
    return 0;
  for (guint i = 0; i < G_N_ELEMENTS (named_entities); i++)
    {
      gsize len = strlen (named_entities[i].name);

      if ((gsize) (end - p - 1) == len && strncmp (p + 1, named_entities[i].name, len) == 0)
        {
          *out = named_entities[i].ch;
          return end - p + 1;
        }
    }
  return 0;
}

typedef struct
{
  GString  *out;
  int       breaks;        /* line breaks wanted before the next text */
  gboolean  space;         /* a space wanted before the next text */
  int       skip;          /* inside head/style/script/title */
  int       pre;
  char     *href;          /* of the open <a> */
  gsize     link_start;    /* out->len at <a> */
  GArray   *list_counters; /* int per open list; -1 for <ul> */
} Converter;

static void
want_breaks (Converter *c,
             int        n)
{
  c->breaks = MAX (c->breaks, n);
  c->space = FALSE;
}

static void
emit_text (Converter  *c,
           const char *text,
           gsize       len)
{
  if (c->out->len > 0 && c->breaks > 0)
    {
      while (c->out->len > 0 && c->out->str[c->out->len - 1] == ' ')
        g_string_truncate (c->out, c->out->len - 1);
      for (int i = 0; i < c->breaks; i++)
        g_string_append_c (c->out, '\n');
    }
  else if (c->space && c->out->len > 0 && c->out->str[c->out->len - 1] != '\n')
    g_string_append_c (c->out, ' ');
  c->breaks = 0;
  c->space = FALSE;
  g_string_append_len (c->out, text, len);
}

static void
emit_char_data (Converter  *c,
                const char *text,
                gsize       len)
{
  const char *p = text;
  const char *end = text + len;

  while (p < end)
    {
      if (*p == '&')
        {
          gunichar ch;
          gsize used = decode_entity (p, &ch);

          if (used > 0)
            {
              char buf[8];
              int n;

              if (ch == 0xa0 && c->pre == 0)
                ch = ' ';
              if (ch == 0xad || ch == 0x200c || ch == 0x200d)
                {
                  p += used;
                  continue;
                }
              n = g_unichar_to_utf8 (ch, buf);
              emit_text (c, buf, n);
              p += used;
              continue;
            }
          emit_text (c, p, 1);
          p++;
          continue;
        }
      if (c->pre == 0 && g_ascii_isspace (*p))
        {
          if (c->out->len > 0 || c->breaks > 0)
            c->space = TRUE;
          p++;
          continue;
        }
      if (c->pre > 0 && *p == '\n')
        {
          c->breaks++;
          p++;
          continue;
        }
      {
        const char *run = p;

        while (p < end && *p != '&' && (c->pre > 0 ? *p != '\n' : !g_ascii_isspace (*p)))
          p++;
        emit_text (c, run, p - run);
      }
    }
}

/* The value of attribute name in the tag text (between the name and '>'). */
static char *
find_attribute (const char *attrs,
                gsize       len,
                const char *name)
{
  const char *p = attrs;
  const char *end = attrs + len;
  gsize name_len = strlen (name);

  while (p < end)
    {
      const char *key;
      gsize key_len;

      while (p < end && (g_ascii_isspace (*p) || *p == '/'))
        p++;
      key = p;
      while (p < end && !g_ascii_isspace (*p) && *p != '=' && *p != '/')
        p++;
      key_len = p - key;
      while (p < end && g_ascii_isspace (*p))
        p++;
      if (p < end && *p == '=')
        {
          const char *value;
          gsize value_len;

          p++;
          while (p < end && g_ascii_isspace (*p))
            p++;
          if (p < end && (*p == '"' || *p == '\''))
            {
              char quote = *p++;

              value = p;
              while (p < end && *p != quote)
                p++;
              value_len = p - value;
              if (p < end)
                p++;
            }
          else
            {
              value = p;
              while (p < end && !g_ascii_isspace (*p))
                p++;
              value_len = p - value;
            }
          if (key_len == name_len && g_ascii_strncasecmp (key, name, name_len) == 0)
            {
              Converter tmp = { g_string_new (NULL), 0, FALSE, 0, 1, NULL, 0, NULL };

              emit_char_data (&tmp, value, value_len);
              return g_string_free (tmp.out, FALSE);
            }
        }
      else if (key_len == 0)
        p++;
    }
  return NULL;
}

static gboolean
tag_is (const char *tag,
        const char *name)
{
  return g_ascii_strcasecmp (tag, name) == 0;
}

static void
handle_tag (Converter  *c,
            const char *tag,
            gboolean    closing,
            const char *attrs,
            gsize       attrs_len)
{
  static const char * const paragraph_tags[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "blockquote", "pre", "hr",
    "dl", "figure",
  };
  static const char * const line_tags[] = {
    "div", "tr", "br", "section", "article", "header", "footer", "main", "nav", "dt", "dd",
    "address", "center", "caption", "form", "fieldset", "tbody", "thead", "tfoot",
  };

  if (tag_is (tag, "head") || tag_is (tag, "style") || tag_is (tag, "script")
      || tag_is (tag, "title") || tag_is (tag, "template"))
    {
      c->skip = MAX (0, c->skip + (closing ? -1 : 1));
      return;
    }
  if (c->skip > 0)
    return;

  if (tag_is (tag, "pre"))
    c->pre = MAX (0, c->pre + (closing ? -1 : 1));

  for (guint i = 0; i < G_N_ELEMENTS (paragraph_tags); i++)
    if (tag_is (tag, paragraph_tags[i]))
      want_breaks (c, 2);
  for (guint i = 0; i < G_N_ELEMENTS (line_tags); i++)
    if (tag_is (tag, line_tags[i]))
      want_breaks (c, 1);

  if (tag_is (tag, "ul") || tag_is (tag, "ol"))
    {
      if (closing && c->list_counters->len > 0)
        g_array_set_size (c->list_counters, c->list_counters->len - 1);
      else if (!closing)
        {
          int counter = tag_is (tag, "ol") ? 1 : -1;

          g_array_append_val (c->list_counters, counter);
        }
    }
  else if (tag_is (tag, "li") && !closing)
    {
      int *counter = c->list_counters->len > 0
                     ? &g_array_index (c->list_counters, int, c->list_counters->len - 1) : NULL;
      g_autofree char *bullet = NULL;

      want_breaks (c, 1);
      if (counter != NULL && *counter > 0)
        bullet = g_strdup_printf ("%d. ", (*counter)++);
      else
        bullet = g_strdup ("- ");
      for (guint i = 1; i < c->list_counters->len; i++)
        emit_text (c, "  ", 2);
      emit_text (c, bullet, strlen (bullet));
    }
  else if ((tag_is (tag, "td") || tag_is (tag, "th")) && !closing)
    c->space = TRUE;
  else if (tag_is (tag, "img") && !closing)
    {
      g_autofree char *alt = find_attribute (attrs, attrs_len, "alt");

      if (alt != NULL && alt[0] != '\0')
        {
          c->space = c->space || (c->out->len > 0);
          emit_text (c, alt, strlen (alt));
        }
    }
  else if (tag_is (tag, "a") && !closing)
    {
      g_clear_pointer (&c->href, g_free);
      c->href = find_attribute (attrs, attrs_len, "href");
      c->link_start = c->out->len;
    }
  else if (tag_is (tag, "a") && closing && c->href != NULL)
    {
      g_autofree char *href = g_steal_pointer (&c->href);
      const char *shown = href;
      gsize start = MIN (c->link_start, c->out->len);
      g_autofree char *text = g_strstrip (g_strndup (c->out->str + start, c->out->len - start));

      if (g_str_has_prefix (href, "mailto:"))
        shown = href + strlen ("mailto:");
      if (href[0] != '\0' && href[0] != '#' && strcmp (text, href) != 0
          && strcmp (text, shown) != 0)
        {
          g_autofree char *suffix = g_strdup_printf (text[0] != '\0' ? " (%s)" : "%s", shown);

          emit_text (c, suffix, strlen (suffix));
        }
    }
}

char *
ms_merge_html_to_text (const char *html)
{
  Converter c = { g_string_new (NULL), 0, FALSE, 0, 0, NULL, 0, NULL };
  const char *p = html;
  char *result;

  g_return_val_if_fail (html != NULL, NULL);

  c.list_counters = g_array_new (FALSE, FALSE, sizeof (int));
  while (*p != '\0')
    {
      const char *lt = strchr (p, '<');
      const char *q;

      if (lt == NULL)
        lt = p + strlen (p);
      if (c.skip == 0)
        emit_char_data (&c, p, lt - p);
      if (*lt == '\0')
        break;

      if (strncmp (lt, "<!--", 4) == 0)
        {
          const char *end = strstr (lt + 4, "-->");

          p = end != NULL ? end + 3 : lt + strlen (lt);
          continue;
        }
      q = lt + 1;
      if (*q == '!' || *q == '?')
        {
          const char *end = strchr (q, '>');

          p = end != NULL ? end + 1 : q + strlen (q);
          continue;
        }
      {
        gboolean closing = *q == '/';
        const char *name;
        g_autofree char *tag = NULL;
        const char *end;
        char quote = 0;

        if (closing)
          q++;
        name = q;
        while (g_ascii_isalnum (*q))
          q++;
        if (q == name)
          {
            /* Not a tag: a literal "<". */
            if (c.skip == 0)
              emit_text (&c, "<", 1);
            p = lt + 1;
            continue;
          }
        tag = g_strndup (name, q - name);
        for (end = q; *end != '\0' && (quote != 0 || *end != '>'); end++)
          {
            if (quote == 0 && (*end == '"' || *end == '\''))
              quote = *end;
            else if (quote != 0 && *end == quote)
              quote = 0;
          }
        handle_tag (&c, tag, closing, q, end - q);
        p = *end == '>' ? end + 1 : end;
      }
    }

  g_clear_pointer (&c.href, g_free);
  g_array_unref (c.list_counters);

  /* Trim spaces before line ends and at both ends. */
  {
    GString *clean = g_string_sized_new (c.out->len);
    g_auto(GStrv) lines = g_strsplit (c.out->str, "\n", -1);

    for (guint i = 0; lines[i] != NULL; i++)
      {
        g_strchomp (lines[i]);
        g_string_append (clean, lines[i]);
        if (lines[i + 1] != NULL)
          g_string_append_c (clean, '\n');
      }
    g_string_free (c.out, TRUE);
    result = g_strstrip (g_string_free (clean, FALSE));
  }
  {
    gsize len = strlen (result);
    char *grown = g_realloc (result, len + 2);

    if (len > 0)
      {
        grown[len] = '\n';
        grown[len + 1] = '\0';
      }
    result = grown;
  }
  return result;
}

/* ms-imap-parser.c
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

#define G_LOG_DOMAIN "ms-imap"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-imap-parser.h"

/* What each kept piece of a response costs beyond its bytes, so a flood of
 * tiny literals is bounded as well as a few large ones. */
#define SEGMENT_OVERHEAD 64
#define MAX_TAG_LENGTH   64
#define MAX_SHOWN        400

struct _MsImapParser
{
  gsize           max_literal;
  gsize           max_response;

  /* The response so far: line, literal, line, literal, ..., line.  Lines are
   * kept without their CR LF and with a NUL after them. */
  GPtrArray      *segments;
  gsize           total;
  guint           n_literals;
  gboolean        want_literal;
  gsize           literal_size;

  MsImapResponse *response;
};

/* A position in the segments of one response. */
typedef struct
{
  GPtrArray  *segments;
  guint       seg;
  const char *p;
  const char *end;
  guint       depth;
} Cursor;

G_DEFINE_QUARK (ms-imap-error-quark, ms_imap_error)

/* Values and responses */

void
ms_imap_value_free (MsImapValue *value)
{
  if (value == NULL)
    return;
  g_clear_pointer (&value->bytes, g_bytes_unref);
  g_clear_pointer (&value->items, g_ptr_array_unref);
  g_free (value);
}

void
ms_imap_response_free (MsImapResponse *response)
{
  if (response == NULL)
    return;
  g_free (response->tag);
  g_free (response->name);
  g_free (response->code);
  g_free (response->code_text);
  g_clear_pointer (&response->code_args, g_ptr_array_unref);
  g_free (response->text);
  g_clear_pointer (&response->args, g_ptr_array_unref);
  g_free (response);
}

static GPtrArray *
value_array_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) ms_imap_value_free);
}

/* Bytes followed by a NUL that is not counted. */
static GBytes *
bytes_new_terminated (const char *data,
                      gsize       length)
{
  char *copy = g_malloc (length + 1);

  memcpy (copy, data, length);
  copy[length] = '\0';
  return g_bytes_new_take (copy, length);
}

static MsImapValue *
value_new_text (MsImapValueType  type,
                const char      *data,
                gsize            length)
{
  MsImapValue *value = g_new0 (MsImapValue, 1);

  value->type = type;
  value->bytes = bytes_new_terminated (data, length);
  value->data = g_bytes_get_data (value->bytes, &value->length);
  return value;
}

const char *
ms_imap_status_to_string (MsImapStatus status)
{
  switch (status)
    {
    case MS_IMAP_STATUS_OK:
      return "OK";
    case MS_IMAP_STATUS_NO:
      return "NO";
    case MS_IMAP_STATUS_BAD:
      return "BAD";
    case MS_IMAP_STATUS_BYE:
      return "BYE";
    case MS_IMAP_STATUS_PREAUTH:
      return "PREAUTH";
    case MS_IMAP_STATUS_NONE:
    default:
      return "";
    }
}

gboolean
ms_imap_value_is_atom (const MsImapValue *value,
                       const char        *name)
{
  g_return_val_if_fail (name != NULL, FALSE);

  return value != NULL && value->type == MS_IMAP_VALUE_ATOM
         && value->length == strlen (name)
         && g_ascii_strncasecmp (value->data, name, value->length) == 0;
}

static gboolean
parse_number (const char *data,
              gsize       length,
              guint32    *number)
{
  guint64 n = 0;

  if (length == 0 || length > 10)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isdigit (data[i]))
        return FALSE;
      n = n * 10 + (guint64) (data[i] - '0');
    }
  if (n > G_MAXUINT32)
    return FALSE;
  *number = (guint32) n;
  return TRUE;
}

gboolean
ms_imap_value_get_number (const MsImapValue *value,
                          guint32           *number)
{
  guint32 n;

  if (value == NULL || value->type != MS_IMAP_VALUE_ATOM
      || !parse_number (value->data, value->length, &n))
    return FALSE;
  if (number != NULL)
    *number = n;
  return TRUE;
}

char *
ms_imap_value_dup_string (const MsImapValue *value)
{
  if (value == NULL
      || (value->type != MS_IMAP_VALUE_ATOM && value->type != MS_IMAP_VALUE_STRING))
    return NULL;
  return g_strndup (value->data, value->length);
}

const MsImapValue *
ms_imap_response_get_fetch_item (const MsImapResponse *response,
                                 const char           *name)
{
  const MsImapValue *list;

  g_return_val_if_fail (response != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (response->args == NULL || response->args->len == 0)
    return NULL;
  list = g_ptr_array_index (response->args, 0);
  if (list->type != MS_IMAP_VALUE_LIST)
    return NULL;
  for (guint i = 0; i + 1 < list->items->len; i += 2)
    if (ms_imap_value_is_atom (g_ptr_array_index (list->items, i), name))
      return g_ptr_array_index (list->items, i + 1);
  return NULL;
}

/* Shown text */

static void
append_shown (GString    *out,
              const char *data,
              gsize       length)
{
  for (gsize i = 0; i < length && out->len < MAX_SHOWN; i++)
    {
      guchar c = (guchar) data[i];

      g_string_append_c (out, (c < 0x20 || c == 0x7f) ? '?' : (char) c);
    }
}

static void
append_value (GString           *out,
              const MsImapValue *value)
{
  if (out->len >= MAX_SHOWN)
    return;
  switch (value->type)
    {
    case MS_IMAP_VALUE_ATOM:
      append_shown (out, value->data, value->length);
      break;
    case MS_IMAP_VALUE_STRING:
      if (value->literal || value->length > 80)
        g_string_append_printf (out, "{%zu}", value->length);
      else
        {
          g_string_append_c (out, '"');
          append_shown (out, value->data, value->length);
          g_string_append_c (out, '"');
        }
      break;
    case MS_IMAP_VALUE_NIL:
      g_string_append (out, "NIL");
      break;
    case MS_IMAP_VALUE_LIST:
      g_string_append_c (out, '(');
      for (guint i = 0; i < value->items->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, ' ');
          append_value (out, g_ptr_array_index (value->items, i));
        }
      g_string_append_c (out, ')');
      break;
    default:
      g_assert_not_reached ();
    }
}

char *
ms_imap_response_to_string (const MsImapResponse *response)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (response != NULL, NULL);

  if (response->kind == MS_IMAP_RESPONSE_CONTINUATION)
    g_string_append (out, "+");
  else if (response->kind == MS_IMAP_RESPONSE_UNTAGGED)
    g_string_append (out, "*");
  else
    append_shown (out, response->tag, strlen (response->tag));
  if (response->has_number)
    g_string_append_printf (out, " %u", response->number);
  if (response->status != MS_IMAP_STATUS_NONE)
    g_string_append_printf (out, " %s", ms_imap_status_to_string (response->status));
  if (response->name != NULL)
    g_string_append_printf (out, " %s", response->name);
  if (response->code != NULL)
    {
      g_string_append (out, " [");
      g_string_append (out, response->code);
      if (response->code_text != NULL)
        {
          g_string_append_c (out, ' ');
          append_shown (out, response->code_text, strlen (response->code_text));
        }
      g_string_append_c (out, ']');
    }
  for (guint i = 0; response->args != NULL && i < response->args->len; i++)
    {
      g_string_append_c (out, ' ');
      append_value (out, g_ptr_array_index (response->args, i));
    }
  if (response->text != NULL && response->text[0] != '\0')
    {
      g_string_append_c (out, ' ');
      append_shown (out, response->text, strlen (response->text));
    }
  if (out->len >= MAX_SHOWN)
    {
      g_string_truncate (out, MAX_SHOWN);
      g_string_append (out, "…");
    }
  return g_string_free (out, FALSE);
}

gboolean
ms_imap_quote_string (GString    *out,
                      const char *text)
{
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (text != NULL, FALSE);

  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p >= 0x80 || *p == '\r' || *p == '\n')
      return FALSE;

  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
  return TRUE;
}

/* The tokenizer */

static void
cursor_init (Cursor    *c,
             GPtrArray *segments)
{
  gsize length = 0;

  c->segments = segments;
  c->seg = 0;
  c->p = g_bytes_get_data (g_ptr_array_index (segments, 0), &length);
  c->end = c->p + length;
  c->depth = 0;
}

static gboolean
cursor_last_line (const Cursor *c)
{
  return c->seg + 1 >= c->segments->len;
}

static void
skip_spaces (Cursor *c)
{
  while (c->p < c->end && *c->p == ' ')
    c->p++;
}

static gboolean
set_parse_error (GError    **error,
                 const char *what)
{
  g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
               _("The server sent a malformed response: %s"), what);
  return FALSE;
}

static gboolean
is_atom_end (char     ch,
             gboolean in_code)
{
  guchar c = (guchar) ch;

  return c <= 0x20 || c == 0x7f || ch == '(' || ch == ')' || ch == '"' || ch == '{'
         || (in_code && ch == ']');
}

static MsImapValue *parse_value (Cursor    *c,
                                 gboolean   in_code,
                                 GError   **error);

static gboolean
parse_values (Cursor     *c,
              char        close,
              gboolean    in_code,
              GPtrArray  *out,
              GError    **error)
{
  for (;;)
    {
      MsImapValue *value;

      skip_spaces (c);
      if (c->p == c->end)
        {
          if (!cursor_last_line (c))
            return set_parse_error (error, _("a literal in the wrong place"));
          if (close != '\0')
            return set_parse_error (error, _("a list that is not closed"));
          return TRUE;
        }
      if (close != '\0' && *c->p == close)
        {
          c->p++;
          return TRUE;
        }
      if (*c->p == ')')
        return set_parse_error (error, _("a “)” without its “(”"));

      value = parse_value (c, in_code, error);
      if (value == NULL)
        return FALSE;
      g_ptr_array_add (out, value);
    }
}

static MsImapValue *
parse_quoted (Cursor  *c,
              GError **error)
{
  g_autoptr(GString) text = g_string_new (NULL);
  MsImapValue *value;

  c->p++;
  for (;;)
    {
      if (c->p == c->end)
        {
          set_parse_error (error, _("a quoted string that does not end"));
          return NULL;
        }
      if (*c->p == '"')
        break;
      if (*c->p == '\\' && c->p + 1 < c->end)
        c->p++;
      g_string_append_c (text, *c->p);
      c->p++;
    }
  c->p++;
  value = value_new_text (MS_IMAP_VALUE_STRING, text->str, text->len);
  return value;
}

static MsImapValue *
parse_literal (Cursor  *c,
               GError **error)
{
  MsImapValue *value;
  GBytes *literal;
  const char *start;
  gsize length = 0;

  if (*c->p == '~')
    c->p++;
  c->p++;
  start = c->p;
  while (c->p < c->end && g_ascii_isdigit (*c->p))
    c->p++;
  if (c->p == start || c->p == c->end || *c->p != '}' || c->p + 1 != c->end
      || cursor_last_line (c))
    {
      set_parse_error (error, _("a malformed literal"));
      return NULL;
    }

  literal = g_ptr_array_index (c->segments, c->seg + 1);
  value = g_new0 (MsImapValue, 1);
  value->type = MS_IMAP_VALUE_STRING;
  value->literal = TRUE;
  value->bytes = g_bytes_ref (literal);
  value->data = g_bytes_get_data (literal, &value->length);

  c->seg += 2;
  c->p = g_bytes_get_data (g_ptr_array_index (c->segments, c->seg), &length);
  c->end = c->p + length;
  return value;
}

static MsImapValue *
parse_atom (Cursor    *c,
            gboolean   in_code,
            GError   **error)
{
  const char *start = c->p;

  while (c->p < c->end && !is_atom_end (*c->p, in_code))
    {
      /* BODY[HEADER.FIELDS (X-A X-B)]<0>: the section is part of the item name. */
      if (*c->p == '[' && !in_code)
        {
          const char *close = memchr (c->p, ']', c->end - c->p);

          if (close == NULL)
            {
              set_parse_error (error, _("a “[” without its “]”"));
              return NULL;
            }
          c->p = close;
        }
      c->p++;
    }
  if (c->p == start)
    {
      set_parse_error (error, _("an unexpected character"));
      return NULL;
    }
  if (c->p - start == 3 && g_ascii_strncasecmp (start, "NIL", 3) == 0)
    {
      MsImapValue *value = g_new0 (MsImapValue, 1);

      value->type = MS_IMAP_VALUE_NIL;
      return value;
    }
  return value_new_text (MS_IMAP_VALUE_ATOM, start, c->p - start);
}

static MsImapValue *
parse_value (Cursor    *c,
             gboolean   in_code,
             GError   **error)
{
  g_assert (c->p < c->end);

  if (*c->p == '(')
    {
      g_autoptr(GPtrArray) items = NULL;
      MsImapValue *value;

      if (c->depth >= MS_IMAP_MAX_DEPTH)
        {
          set_parse_error (error, _("lists nested too deeply"));
          return NULL;
        }
      c->p++;
      c->depth++;
      items = value_array_new ();
      if (!parse_values (c, ')', in_code, items, error))
        return NULL;
      c->depth--;
      value = g_new0 (MsImapValue, 1);
      value->type = MS_IMAP_VALUE_LIST;
      value->items = g_steal_pointer (&items);
      return value;
    }
  if (*c->p == '"')
    return parse_quoted (c, error);
  if (*c->p == '{' || (*c->p == '~' && c->p + 1 < c->end && c->p[1] == '{'))
    return parse_literal (c, error);
  return parse_atom (c, in_code, error);
}

/* Response structure */

static char *
take_word (Cursor *c)
{
  const char *start = c->p;

  while (c->p < c->end && *c->p != ' ')
    c->p++;
  return g_strndup (start, c->p - start);
}

static gboolean
status_from_word (const char   *word,
                  MsImapStatus *status)
{
  static const struct { const char *name; MsImapStatus status; } names[] = {
    { "OK", MS_IMAP_STATUS_OK },
    { "NO", MS_IMAP_STATUS_NO },
    { "BAD", MS_IMAP_STATUS_BAD },
    { "BYE", MS_IMAP_STATUS_BYE },
    { "PREAUTH", MS_IMAP_STATUS_PREAUTH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (g_ascii_strcasecmp (word, names[i].name) == 0)
      {
        *status = names[i].status;
        return TRUE;
      }
  return FALSE;
}

/* [CODE args] and the text after it, to the end of the response. */
static gboolean
parse_resp_text (Cursor          *c,
                 MsImapResponse  *response,
                 GError         **error)
{
  if (!cursor_last_line (c))
    return set_parse_error (error, _("a literal in the text of a status response"));

  skip_spaces (c);
  if (c->p < c->end && *c->p == '[')
    {
      const char *close = memchr (c->p, ']', c->end - c->p);

      if (close != NULL)
        {
          const char *name = c->p + 1;
          const char *args = name;

          while (args < close && *args != ' ')
            args++;
          response->code = g_ascii_strup (name, args - name);
          if (args < close)
            {
              g_autoptr(GBytes) segment = NULL;
              g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
              g_autoptr(GPtrArray) values = value_array_new ();
              Cursor sub;

              args++;
              response->code_text = g_strndup (args, close - args);
              g_ptr_array_add (one, bytes_new_terminated (args, close - args));
              cursor_init (&sub, one);
              if (parse_values (&sub, '\0', TRUE, values, NULL))
                response->code_args = g_steal_pointer (&values);
            }
          c->p = close + 1;
          skip_spaces (c);
        }
    }
  response->text = g_strndup (c->p, c->end - c->p);
  c->p = c->end;
  return TRUE;
}

static gboolean
parse_untagged (Cursor          *c,
                MsImapResponse  *response,
                GError         **error)
{
  g_autofree char *word = NULL;
  MsImapStatus status;

  skip_spaces (c);
  word = take_word (c);
  if (word[0] == '\0')
    return set_parse_error (error, _("an untagged response without a name"));

  if (g_ascii_isdigit (word[0]))
    {
      if (!parse_number (word, strlen (word), &response->number))
        return set_parse_error (error, _("a message number out of range"));
      response->has_number = TRUE;
      g_clear_pointer (&word, g_free);
      skip_spaces (c);
      word = take_word (c);
      if (word[0] == '\0')
        return set_parse_error (error, _("a message number without data"));
    }

  if (!response->has_number && status_from_word (word, &status))
    {
      response->status = status;
      return parse_resp_text (c, response, error);
    }

  response->name = g_ascii_strup (word, -1);
  response->args = value_array_new ();
  return parse_values (c, '\0', FALSE, response->args, error);
}

static gboolean
parse_tagged (Cursor          *c,
              MsImapResponse  *response,
              GError         **error)
{
  g_autofree char *word = NULL;
  const char *start = c->p;

  while (c->p < c->end && *c->p != ' ')
    {
      guchar ch = (guchar) *c->p;

      if (ch < 0x21 || ch >= 0x7f || strchr ("(){%*\"\\]+", ch) != NULL)
        return set_parse_error (error, _("a line that starts with neither “*”, “+” nor a tag"));
      c->p++;
    }
  if (c->p - start > MAX_TAG_LENGTH)
    return set_parse_error (error, _("an over-long tag"));
  response->tag = g_strndup (start, c->p - start);

  skip_spaces (c);
  word = take_word (c);
  if (!status_from_word (word, &response->status)
      || response->status == MS_IMAP_STATUS_BYE || response->status == MS_IMAP_STATUS_PREAUTH)
    return set_parse_error (error, _("a tagged response that says neither OK, NO nor BAD"));
  return parse_resp_text (c, response, error);
}

static MsImapResponse *
parse_segments (GPtrArray  *segments,
                GError    **error)
{
  g_autoptr(MsImapResponse) response = g_new0 (MsImapResponse, 1);
  Cursor c;
  gboolean ok;

  cursor_init (&c, segments);
  if (c.p == c.end)
    {
      set_parse_error (error, _("an empty line"));
      return NULL;
    }

  if (*c.p == '+')
    {
      response->kind = MS_IMAP_RESPONSE_CONTINUATION;
      c.p++;
      if (!cursor_last_line (&c))
        {
          set_parse_error (error, _("a literal in a continuation request"));
          return NULL;
        }
      skip_spaces (&c);
      response->text = g_strndup (c.p, c.end - c.p);
      return g_steal_pointer (&response);
    }

  if (*c.p == '*' && (c.p + 1 == c.end || c.p[1] == ' '))
    {
      response->kind = MS_IMAP_RESPONSE_UNTAGGED;
      c.p++;
      ok = parse_untagged (&c, response, error);
    }
  else
    {
      response->kind = MS_IMAP_RESPONSE_TAGGED;
      ok = parse_tagged (&c, response, error);
    }
  if (!ok)
    return NULL;
  return g_steal_pointer (&response);
}

/* The parser */

MsImapParser *
ms_imap_parser_new (gsize max_literal,
                    gsize max_response)
{
  MsImapParser *self = g_new0 (MsImapParser, 1);

  self->max_literal = max_literal > 0 ? max_literal : MS_IMAP_DEFAULT_MAX_LITERAL;
  self->max_response = max_response > 0 ? max_response : MS_IMAP_DEFAULT_MAX_RESPONSE;
  self->segments = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  return self;
}

void
ms_imap_parser_reset (MsImapParser *self)
{
  g_return_if_fail (self != NULL);

  g_ptr_array_set_size (self->segments, 0);
  self->total = 0;
  self->n_literals = 0;
  self->want_literal = FALSE;
  self->literal_size = 0;
  g_clear_pointer (&self->response, ms_imap_response_free);
}

void
ms_imap_parser_free (MsImapParser *self)
{
  if (self == NULL)
    return;
  ms_imap_parser_reset (self);
  g_ptr_array_unref (self->segments);
  g_free (self);
}

static void
set_too_large (MsImapParser  *self,
               GError       **error)
{
  g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE,
               _("The server sent a response larger than %zu MB"),
               self->max_response / (1024 * 1024) + 1);
  ms_imap_parser_reset (self);
}

/* Finds "{123}" or "~{123}" at the end of a line. */
static gboolean
find_literal_marker (const char *line,
                     gsize       length,
                     gboolean   *found,
                     guint64    *size)
{
  gsize i;
  guint64 n = 0;

  *found = FALSE;
  if (length < 3 || line[length - 1] != '}')
    return TRUE;
  i = length - 1;
  while (i > 0 && g_ascii_isdigit (line[i - 1]))
    i--;
  if (i == 0 || line[i - 1] != '{' || i == length - 1)
    return TRUE;

  *found = TRUE;
  if (length - 1 - i > 19)
    return FALSE;
  for (gsize j = i; j < length - 1; j++)
    n = n * 10 + (guint64) (line[j] - '0');
  *size = n;
  return TRUE;
}

MsImapParseResult
ms_imap_parser_add_line (MsImapParser  *self,
                         const char    *line,
                         gsize          length,
                         gsize         *literal_size,
                         GError       **error)
{
  gboolean has_literal = FALSE;
  guint64 size = 0;

  g_return_val_if_fail (self != NULL, MS_IMAP_PARSE_FAILED);
  g_return_val_if_fail (line != NULL || length == 0, MS_IMAP_PARSE_FAILED);
  g_return_val_if_fail (!self->want_literal, MS_IMAP_PARSE_FAILED);

  g_clear_pointer (&self->response, ms_imap_response_free);

  self->total += length + SEGMENT_OVERHEAD;
  if (self->total > self->max_response)
    {
      set_too_large (self, error);
      return MS_IMAP_PARSE_FAILED;
    }
  g_ptr_array_add (self->segments, bytes_new_terminated (line != NULL ? line : "", length));

  if (!find_literal_marker (line, length, &has_literal, &size) || (has_literal && size > self->max_literal))
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE,
                   _("The server announced a piece of data larger than %zu MB; it was not read"), self->max_literal / (1024 * 1024) + 1);
      ms_imap_parser_reset (self);
      return MS_IMAP_PARSE_FAILED;
    }
  if (has_literal)
    {
      if (self->n_literals >= MS_IMAP_MAX_LITERALS)
        {
          g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE,
                       _("The server sent a response of more than %u pieces"),
                       MS_IMAP_MAX_LITERALS);
          ms_imap_parser_reset (self);
          return MS_IMAP_PARSE_FAILED;
        }
      if (self->total + size + SEGMENT_OVERHEAD > self->max_response)
        {
          set_too_large (self, error);
          return MS_IMAP_PARSE_FAILED;
        }
      self->want_literal = TRUE;
      self->literal_size = (gsize) size;
      if (literal_size != NULL)
        *literal_size = (gsize) size;
      return MS_IMAP_PARSE_NEED_LITERAL;
    }

  self->response = parse_segments (self->segments, error);
  g_ptr_array_set_size (self->segments, 0);
  self->total = 0;
  self->n_literals = 0;
  if (self->response == NULL)
    return MS_IMAP_PARSE_FAILED;
  return MS_IMAP_PARSE_DONE;
}

gboolean
ms_imap_parser_add_literal (MsImapParser  *self,
                            GBytes        *literal,
                            GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (literal != NULL, FALSE);
  g_return_val_if_fail (self->want_literal, FALSE);

  if (g_bytes_get_size (literal) != self->literal_size)
    {
      g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE,
                   _("A literal of %zu bytes was announced, %zu were given"), self->literal_size, g_bytes_get_size (literal));
      ms_imap_parser_reset (self);
      return FALSE;
    }
  self->total += self->literal_size + SEGMENT_OVERHEAD;
  self->n_literals++;
  self->want_literal = FALSE;
  g_ptr_array_add (self->segments, g_bytes_ref (literal));
  return TRUE;
}

MsImapResponse *
ms_imap_parser_take_response (MsImapParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_steal_pointer (&self->response);
}

GPtrArray *
ms_imap_parse_buffer (const guint8  *data,
                      gsize          length,
                      gsize          max_line,
                      gsize          max_literal,
                      GError       **error)
{
  g_autoptr(MsImapParser) parser = ms_imap_parser_new (max_literal, 0);
  g_autoptr(GPtrArray) responses = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_imap_response_free);
  gsize pos = 0;
  gboolean inside = FALSE;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  while (pos < length)
    {
      const guint8 *nl = memchr (data + pos, '\n', length - pos);
      gsize line_length, next;
      gsize literal_size = 0;

      if (nl == NULL)
        {
          set_parse_error (error, _("the data ends in the middle of a line"));
          return NULL;
        }
      next = (nl - data) + 1;
      line_length = (nl - data) - pos;
      if (line_length > 0 && data[pos + line_length - 1] == '\r')
        line_length--;
      if (line_length > max_line)
        {
          g_set_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE,
                       _("The server sent a line longer than %zu bytes"), max_line);
          return NULL;
        }

      switch (ms_imap_parser_add_line (parser, (const char *) data + pos, line_length,
                                       &literal_size, error))
        {
        case MS_IMAP_PARSE_FAILED:
          return NULL;
        case MS_IMAP_PARSE_DONE:
          g_ptr_array_add (responses, ms_imap_parser_take_response (parser));
          inside = FALSE;
          pos = next;
          break;
        case MS_IMAP_PARSE_NEED_LITERAL:
          {
            g_autoptr(GBytes) literal = NULL;

            if (literal_size > length - next)
              {
                set_parse_error (error, _("the data ends inside a literal"));
                return NULL;
              }
            literal = bytes_new_terminated ((const char *) data + next, literal_size);
            if (!ms_imap_parser_add_literal (parser, literal, error))
              return NULL;
            inside = TRUE;
            pos = next + literal_size;
          }
          break;
        default:
          g_assert_not_reached ();
        }
    }
  if (inside)
    {
      set_parse_error (error, _("the data ends inside a response"));
      return NULL;
    }
  return g_steal_pointer (&responses);
}

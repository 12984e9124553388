/* ms-bounce-text.c
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

/* Finding the recipients in what came back: RFC 3464 delivery-status fields,
 * the human-readable text of the MTAs that write no DSN, ARF reports and
 * Amazon SES notifications. */

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include <string.h>

#include "ms-bounce-private.h"

#define MAX_FIELDS       2000
#define MAX_FIELD_VALUE  4096
#define MAX_LINES        4000
#define MAX_PARAGRAPH    12      /* lines of a recipient's diagnostic */
#define MAX_JSON_DEPTH   32
#define MAX_JSON_NODES   20000

typedef struct
{
  char *name;    /* lower-case; NULL for an empty line */
  char *value;
} Field;

/* Addresses */

static gboolean
is_local_char (guchar c)
{
  return g_ascii_isalnum (c) || c >= 0x80 || (c != '\0' && strchr ("!#$%&'*+/=?^_`{|}~.-", c) != NULL);
}

static gboolean
is_domain_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c >= 0x80;
}

static gboolean
domain_is_valid (const char *start,
                 const char *end)
{
  const char *last_dot = NULL;
  gboolean alpha_tld = FALSE;

  if (end - start < 3 || *start == '.' || *start == '-')
    return FALSE;
  for (const char *p = start; p < end; p++)
    {
      if (*p == '.')
        {
          if (p + 1 < end && p[1] == '.')
            return FALSE;
          last_dot = p;
        }
    }
  if (last_dot == NULL || end - last_dot - 1 < 2)
    return FALSE;
  for (const char *p = last_dot + 1; p < end; p++)
    {
      if (g_ascii_isalpha (*p) || (guchar) *p >= 0x80)
        alpha_tld = TRUE;
      else if (!(g_ascii_isdigit (*p) || *p == '-'))
        return FALSE;
    }
  return alpha_tld;
}

/* Finds the next address in [p, end) of @text; TRUE with its bounds. */
static gboolean
next_address (const char  *text,
              const char  *p,
              const char  *end,
              const char **out_start,
              const char **out_end)
{
  for (; p < end; p++)
    {
      const char *local = p;
      const char *domain_end = p + 1;
      const char *token;

      if (*p != '@')
        continue;
      if (p > text && p[-1] == '"')
        {
          const char *q = p - 2;

          while (q >= text && *q != '"' && *q != '\n' && p - q < 128)
            q--;
          if (q >= text && *q == '"' && q < p - 1)
            local = q;
        }
      if (local == p)
        {
          while (local > text && is_local_char ((guchar) local[-1]) && p - local < 128)
            local--;
          while (local < p && (*local == '.' || *local == '\''))
            local++;
        }
      if (local == p)
        continue;
      while (domain_end < end && is_domain_char ((guchar) *domain_end) && domain_end - p < 256)
        domain_end++;
      while (domain_end > p + 1 && (domain_end[-1] == '.' || domain_end[-1] == '-'))
        domain_end--;
      if (!domain_is_valid (p + 1, domain_end))
        continue;

      /* Not part of a URL. */
      token = local;
      while (token > text && !g_ascii_isspace (token[-1]) && token[-1] != '<' && local - token < 512)
        token--;
      if (g_strstr_len (token, local - token, "://") != NULL)
        continue;

      *out_start = local;
      *out_end = domain_end;
      return TRUE;
    }
  return FALSE;
}

char *
ms_bounce_extract_address (const char *text)
{
  const char *start;
  const char *end;

  if (text == NULL)
    return NULL;
  if (!next_address (text, text, text + strlen (text), &start, &end))
    return NULL;
  return g_ascii_strdown (start, end - start);
}

gboolean
ms_bounce_is_address (const char *text)
{
  const char *start;
  const char *end;
  gsize length = strlen (text);

  return next_address (text, text, text + length, &start, &end)
         && start == text && end == text + length;
}

char *
ms_bounce_collapse_spaces (const char *text,
                           gssize      length)
{
  GString *out;
  gboolean space = FALSE;

  if (text == NULL)
    return NULL;
  if (length < 0)
    length = strlen (text);
  out = g_string_sized_new (length + 1);
  for (gssize i = 0; i < length; i++)
    {
      if (g_ascii_isspace (text[i]))
        space = out->len > 0;
      else
        {
          if (space)
            g_string_append_c (out, ' ');
          space = FALSE;
          g_string_append_c (out, text[i]);
        }
    }
  return g_string_free (out, FALSE);
}

/* Header-like fields */

static void
field_free (gpointer data)
{
  Field *field = data;

  g_free (field->name);
  g_free (field->value);
  g_free (field);
}

static gboolean
is_field_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

GPtrArray *
ms_bounce_parse_fields (const char *text,
                        gsize       length)
{
  GPtrArray *fields = g_ptr_array_new_with_free_func (field_free);
  const char *end = text + length;
  const char *line = text;
  Field *current = NULL;
  GString *value = NULL;

  while (line < end && fields->len < MAX_FIELDS)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *line_end = nl != NULL ? nl : end;
      const char *colon;
      const char *p = line;

      if (line_end > line && line_end[-1] == '\r')
        line_end--;

      if ((*line == ' ' || *line == '\t') && current != NULL)
        {
          while (p < line_end && g_ascii_isspace (*p))
            p++;
          if (p < line_end && value->len < MAX_FIELD_VALUE)
            {
              g_string_append_c (value, ' ');
              g_string_append_len (value, p, MIN ((gsize) (line_end - p), MAX_FIELD_VALUE));
            }
        }
      else
        {
          if (current != NULL)
            {
              current->value = g_strstrip (g_string_free (value, FALSE));
              value = NULL;
              current = NULL;
            }
          while (p < line_end && g_ascii_isspace (*p))
            p++;
          if (p == line_end)
            {
              Field *blank = g_new0 (Field, 1);

              g_ptr_array_add (fields, blank);
            }
          else
            {
              for (colon = p; colon < line_end && is_field_name_char (*colon); colon++)
                ;
              if (colon < line_end && *colon == ':' && colon > p)
                {
                  current = g_new0 (Field, 1);
                  current->name = g_ascii_strdown (p, colon - p);
                  value = g_string_new_len (colon + 1, MIN ((gsize) (line_end - colon - 1),
                                                            MAX_FIELD_VALUE));
                  g_ptr_array_add (fields, current);
                }
            }
        }
      line = nl != NULL ? nl + 1 : end;
    }
  if (current != NULL)
    current->value = g_strstrip (g_string_free (value, FALSE));
  return fields;
}

const char *
ms_bounce_fields_get (GPtrArray  *fields,
                      const char *name)
{
  for (guint i = 0; i < fields->len; i++)
    {
      Field *field = g_ptr_array_index (fields, i);

      if (field->name != NULL && g_str_equal (field->name, name) && field->value[0] != '\0')
        return field->value;
    }
  return NULL;
}

/* Where the returned message starts in a bounce's text */

static gboolean
line_has_any (const char         *lower,
              const char * const *needles,
              gsize               n_needles)
{
  for (gsize i = 0; i < n_needles; i++)
    {
      if (strstr (lower, needles[i]) != NULL)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_header_line (const char *line,
                const char *end)
{
  const char *p = line;

  while (p < end && is_field_name_char (*p))
    p++;
  return p > line && p < end && *p == ':' && p - line < 40;
}

static gboolean
is_original_marker (const char *line,
                    const char *end,
                    gboolean    first_lines)
{
  static const char *const decorated[] = {
    "original message", "original mail", "returned message", "unsent message",
    "undelivered message", "copy of the message", "copy of your message", "copy of the original",
    "below this line", "message follows", "headers follow", "message header",
    "original header", "rfc822", "returned mail", "message text follows", "text of the message",
    "original e-mail", "original email", "returned content", "message was:",
  };
  static const char *const plain[] = {
    "original message headers", "original message follows", "original message:",
    "original message header", "message headers follow", "-----original message-----",
    "the original message headers", "headers of your message", "your message reads",
    "----- original message -----", "content-type: message/rfc822",
    "original-message-id", "here is a copy of the first part of the message",
    "a copy of the original message below", "message returned", "the text you sent follows",
  };
  g_autofree char *lower = NULL;
  const char *p = line;
  guint decoration = 0;

  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  while (p < end && strchr ("-=_*~+#<>|", *p) != NULL)
    {
      decoration++;
      p++;
    }
  lower = g_ascii_strdown (line, end - line);
  if (decoration >= 2 && line_has_any (lower, decorated, G_N_ELEMENTS (decorated)))
    return TRUE;
  g_strstrip (lower);
  for (guint i = 0; i < G_N_ELEMENTS (plain); i++)
    {
      if (g_str_has_prefix (lower, plain[i]))
        return TRUE;
    }
  if (!first_lines && (g_str_has_prefix (lower, "return-path:")
                       || g_str_has_prefix (lower, "received: from")
                       || g_str_has_prefix (lower, "received: by")))
    {
      /* A header block: the next line is a header (or a continuation) too. */
      const char *next = end;

      if (*next == '\n')
        next++;
      return *next == ' ' || *next == '\t' || is_header_line (next, next + strcspn (next, "\n"));
    }
  return FALSE;
}

gsize
ms_bounce_find_original (const char *text,
                         gsize       length)
{
  const char *end = text + length;
  const char *line = text;
  guint n = 0;

  while (line < end && n < MAX_LINES * 4)
    {
      const char *nl = memchr (line, '\n', end - line);
      const char *line_end = nl != NULL ? nl : end;

      if (is_original_marker (line, line_end, n < 3))
        return line - text;
      line = nl != NULL ? nl + 1 : end;
      n++;
    }
  return length;
}

/* Delivery-status fields (RFC 3464) */

static char *
strip_type (const char *value)
{
  const char *semicolon = strchr (value, ';');
  const char *p = value;

  if (semicolon != NULL)
    {
      gboolean word = TRUE;

      for (const char *q = value; q < semicolon; q++)
        {
          if (g_ascii_isspace (*q))
            word = FALSE;
        }
      if (word)
        p = semicolon + 1;
    }
  while (g_ascii_isspace (*p))
    p++;
  return g_strdup (p);
}

static char *
field_type (const char *value)
{
  const char *semicolon = strchr (value, ';');

  if (semicolon == NULL)
    return NULL;
  for (const char *q = value; q < semicolon; q++)
    {
      if (g_ascii_isspace (*q) && q != value)
        return NULL;
    }
  return g_strstrip (g_ascii_strdown (value, semicolon - value));
}

/* The address of a recipient field: an address, else the text itself when it
 * has an '@' (a DSN may carry an encoded local part), else NULL. */
static char *
recipient_value (const char *value)
{
  g_autofree char *text = strip_type (value);
  char *address = ms_bounce_extract_address (text);
  char *p;

  if (address != NULL)
    return address;
  g_strstrip (text);
  p = text;
  if (*p == '<')
    p++;
  p[strcspn (p, "> \t")] = '\0';
  if (strchr (p, '@') != NULL && strchr (p, '@') != p)
    return g_ascii_strdown (p, -1);
  return NULL;
}

static char *
status_value (const char *value)
{
  const char *p = value;

  while (*p != '\0')
    {
      if ((*p == '2' || *p == '4' || *p == '5') && p[1] == '.' && g_ascii_isdigit (p[2]))
        {
          const char *q = p + 2;

          while (g_ascii_isdigit (*q))
            q++;
          if (*q == '.' && g_ascii_isdigit (q[1]))
            {
              q++;
              while (g_ascii_isdigit (*q))
                q++;
              return g_strndup (p, q - p);
            }
        }
      p++;
    }
  return NULL;
}

/* Amazon SES wraps the remote reply: "5.1.0 - Unknown address error
 * 550-'5.7.1 <...>... Access denied' (delivery attempts: 0)".  Takes @text. */
static char *
unwrap_quoted_reply (char *text)
{
  const char *p = text;

  if (!(g_ascii_isdigit (p[0]) && p[1] == '.') || strstr (p, " - ") == NULL)
    return text;
  for (p = strstr (text, " - "); *p != '\0'; p++)
    {
      if (g_ascii_isdigit (p[0]) && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2])
          && p[3] == '-' && p[4] == '\'')
        {
          const char *close = strchr (p + 5, '\'');
          char *reply;

          if (close == NULL || close == p + 5)
            return text;
          /* Keep SES's own code when the reply has none. */
          if (g_ascii_isdigit (p[5]) && p[6] == '.')
            reply = g_strdup_printf ("%.3s %.*s", p, (int) (close - p - 5), p + 5);
          else
            reply = g_strdup_printf ("%.3s %.*s %.*s", p, (int) strcspn (text, " "), text,
                                     (int) (close - p - 5), p + 5);
          g_free (text);
          return reply;
        }
    }
  return text;
}

typedef struct
{
  MsBounceRecord *record;
  gboolean        has_final;
  gboolean        has_original;
  gboolean        has_fields;
  char           *original;
  char           *actual;
  char           *final_raw;
} DsnBuilder;

static void
dsn_finish (DsnBuilder *b,
            GPtrArray  *records)
{
  MsBounceRecord *record = b->record;

  if (record == NULL)
    return;
  if (record->address == NULL)
    {
      if (b->actual != NULL)
        record->address = g_strdup (b->actual);
      else if (b->original != NULL)
        record->address = g_strdup (b->original);
    }
  if (b->original != NULL && record->address != NULL
      && g_ascii_strcasecmp (b->original, record->address) != 0)
    record->alias = g_strdup (b->original);
  if (b->has_fields && records->len < MS_BOUNCE_MAX_RECIPIENTS)
    g_ptr_array_add (records, record);
  else
    ms_bounce_record_free (record);
  g_clear_pointer (&b->original, g_free);
  g_clear_pointer (&b->actual, g_free);
  g_clear_pointer (&b->final_raw, g_free);
  b->record = NULL;
  b->has_final = b->has_original = b->has_fields = FALSE;
}

static void
dsn_begin (DsnBuilder *b,
           GPtrArray  *records)
{
  dsn_finish (b, records);
  b->record = ms_bounce_record_new ();
}

void
ms_bounce_read_dsn (const MsBounceInput *input,
                    const char          *dsn,
                    GPtrArray           *records)
{
  g_autoptr(GPtrArray) fields = ms_bounce_parse_fields (dsn, strlen (dsn));
  g_autofree char *reporting_mta = NULL;
  DsnBuilder b = { NULL, };
  gboolean blank = FALSE;
  guint first = records->len;

  for (guint i = 0; i < fields->len; i++)
    {
      Field *field = g_ptr_array_index (fields, i);
      const char *name = field->name;

      if (name == NULL)
        {
          blank = TRUE;
          continue;
        }
      if (g_str_equal (name, "final-recipient") || g_str_equal (name, "original-recipient"))
        {
          gboolean final = g_str_equal (name, "final-recipient");

          if (b.record == NULL || (final && b.has_final) || (!final && b.has_original)
              || (blank && (b.has_final || b.has_original)))
            dsn_begin (&b, records);
          if (final)
            {
              b.has_final = TRUE;
              b.record->address = recipient_value (field->value);
            }
          else
            {
              b.has_original = TRUE;
              g_free (b.original);
              b.original = recipient_value (field->value);
            }
          b.has_fields = TRUE;
        }
      else if (g_str_equal (name, "reporting-mta"))
        {
          g_free (reporting_mta);
          reporting_mta = strip_type (field->value);
        }
      else if (g_str_equal (name, "action") || g_str_equal (name, "status")
               || g_str_equal (name, "diagnostic-code") || g_str_equal (name, "remote-mta")
               || g_str_equal (name, "x-actual-recipient"))
        {
          if (b.record == NULL
              || (blank && (b.has_final || b.has_original))
              || (g_str_equal (name, "action") && b.record->action != NULL)
              || (g_str_equal (name, "status") && b.record->status != NULL)
              || (g_str_equal (name, "diagnostic-code") && b.record->diagnostic != NULL))
            dsn_begin (&b, records);
          b.has_fields = TRUE;
          if (g_str_equal (name, "action") && b.record->action == NULL)
            b.record->action = g_strstrip (g_ascii_strdown (field->value, -1));
          else if (g_str_equal (name, "status") && b.record->status == NULL)
            b.record->status = status_value (field->value);
          else if (g_str_equal (name, "diagnostic-code") && b.record->diagnostic == NULL)
            {
              b.record->diag_type = field_type (field->value);
              b.record->diagnostic = unwrap_quoted_reply (strip_type (field->value));
            }
          else if (g_str_equal (name, "remote-mta") && b.record->remote_mta == NULL)
            b.record->remote_mta = strip_type (field->value);
          else if (g_str_equal (name, "x-actual-recipient") && b.actual == NULL)
            b.actual = recipient_value (field->value);
        }
      blank = FALSE;
    }
  dsn_finish (&b, records);

  /* Records without an address: take it from X-Failed-Recipients or the text. */
  for (guint i = first; i < records->len; i++)
    {
      MsBounceRecord *record = g_ptr_array_index (records, i);

      if (record->address == NULL && i - first < input->failed_recipients->len)
        record->address = g_strdup (g_ptr_array_index (input->failed_recipients, i - first));
    }
  for (guint i = first; i < records->len;)
    {
      MsBounceRecord *record = g_ptr_array_index (records, i);

      if (record->address == NULL)
        {
          g_autoptr(GPtrArray) found = g_ptr_array_new_with_free_func (ms_bounce_record_free);

          ms_bounce_read_text (input, found);
          if (found->len > 0)
            {
              MsBounceRecord *text = g_ptr_array_index (found, 0);

              record->address = g_steal_pointer (&text->address);
              if (record->diagnostic == NULL)
                record->diagnostic = g_steal_pointer (&text->diagnostic);
            }
        }
      if (record->address == NULL)
        g_ptr_array_remove_index (records, i);
      else
        i++;
    }
}

/* Text bounces */

typedef struct
{
  char  *address;
  guint  tier;
  guint  line;
} Candidate;

static void
candidate_free (gpointer data)
{
  Candidate *candidate = data;

  g_free (candidate->address);
  g_free (candidate);
}

static gboolean
is_excluded (const MsBounceInput *input,
             GHashTable          *excluded,
             const char          *address)
{
  const char *at = strchr (address, '@');
  gsize local_len = at != NULL ? (gsize) (at - address) : strlen (address);

  if (g_hash_table_contains (excluded, address))
    return TRUE;
  if ((local_len == 13 && g_ascii_strncasecmp (address, "mailer-daemon", 13) == 0)
      || (local_len == 12 && g_ascii_strncasecmp (address, "mailerdaemon", 12) == 0))
    return TRUE;
  return FALSE;
}

static void
exclude (GHashTable *excluded,
         const char *value)
{
  char *address;

  if (value == NULL)
    return;
  address = ms_bounce_extract_address (value);
  if (address != NULL)
    g_hash_table_add (excluded, address);
}

static char *
header_in_text (const char *text,
                const char *name)
{
  gsize name_len = strlen (name);

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *start = line;

      while (*start == ' ' || *start == '\t')
        start++;
      if (g_ascii_strncasecmp (start, name, name_len) == 0 && start[name_len] == ':')
        {
          const char *nl = strchr (start, '\n');

          return g_strndup (start + name_len + 1,
                            nl != NULL ? (gsize) (nl - start - name_len - 1) : strlen (start));
        }
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return NULL;
}

static GHashTable *
excluded_addresses (const MsBounceInput *input)
{
  static const char *const original_fields[] = { "From", "Sender", "Return-Path", "Reply-To" };
  GHashTable *excluded = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  exclude (excluded, input->from);
  exclude (excluded, input->to);
  exclude (excluded, input->return_path);
  exclude (excluded, g_hash_table_lookup (input->headers, "reply-to"));
  exclude (excluded, g_hash_table_lookup (input->headers, "sender"));
  exclude (excluded, g_hash_table_lookup (input->headers, "delivered-to"));
  exclude (excluded, g_hash_table_lookup (input->headers, "envelope-to"));
  for (guint i = 0; i < G_N_ELEMENTS (original_fields); i++)
    {
      g_autofree char *value = header_in_text (input->original->str, original_fields[i]);

      exclude (excluded, value);
    }
  return excluded;
}

static gboolean
line_is_skipped (const char *line,
                 const char *end)
{
  static const char *const names[] = {
    "from:", "sender:", "reply-to:", "return-path:", "message-id:", "in-reply-to:",
    "references:", "received:", "envelope-from", "mail from:", "x-original-to:",
    "delivered-to:", "errors-to:", "list-", "dkim-", "authentication-results:",
    "arc-", "x-", "originator", "reporting-mta", "sent by",
  };
  const char *p = line;

  while (p < end && g_ascii_isspace (*p))
    p++;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if ((gsize) (end - p) >= strlen (names[i])
          && g_ascii_strncasecmp (p, names[i], strlen (names[i])) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
ends_with_word (const char *text,
                const char *word)
{
  gsize n = strlen (text);
  gsize w = strlen (word);

  if (n < w || g_ascii_strcasecmp (text + n - w, word) != 0)
    return FALSE;
  return n == w || !g_ascii_isalnum (text[n - w - 1]);
}

/* How sure it is that an address at @start of @line names a failed recipient:
 * 1 alone or after a label at the start of a line, 2 after a word such as
 * "to" or "user", 3 elsewhere. */
static guint
position_tier (const char *line,
               const char *start)
{
  static const char *const labels[] = {
    "to:", "rcpt to:", "recipient:", "recipients:", "address:", "addresses:",
    "rfc822;", "user:", "mailbox:", "failed recipient:", "invalid recipient:",
    "unknown recipient:", "destinataire:", "empfänger:", "recipient address:",
    "failed address:", "email address:", "e-mail address:", "original recipient:",
    "final recipient:", "addressee:", "user unknown:", "to",
  };
  static const char *const words[] = {
    "to", "for", "recipient", "user", "address", "mailbox", "account", "rcpt", "deliver",
    "delivery", "recipients", "destination",
  };
  g_autofree char *prefix = NULL;
  const char *p = line;
  gsize n;

  /* Bullets and list numbers. */
  while (p < start && (g_ascii_isspace (*p) || strchr ("*-•>#", *p) != NULL))
    p++;
  if (p < start && g_ascii_isdigit (*p))
    {
      const char *q = p;

      while (q < start && g_ascii_isdigit (*q))
        q++;
      if (q < start && (*q == '.' || *q == ')'))
        p = q + 1;
    }
  prefix = g_strndup (p, start - p);
  n = strlen (prefix);
  while (n > 0 && (g_ascii_isspace (prefix[n - 1]) || strchr ("<\"'([", prefix[n - 1]) != NULL))
    prefix[--n] = '\0';
  g_strstrip (prefix);
  if (prefix[0] == '\0')
    return 1;
  for (guint i = 0; i < G_N_ELEMENTS (labels); i++)
    {
      if (g_ascii_strcasecmp (prefix, labels[i]) == 0)
        return 1;
    }
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      if (ends_with_word (prefix, words[i]))
        return 2;
    }
  if (n > 0 && prefix[n - 1] == ':')
    return 2;
  return 3;
}

typedef struct
{
  const char *start;
  const char *end;
} Line;

static GArray *
split_lines (const char *text,
             gsize       length)
{
  GArray *lines = g_array_new (FALSE, FALSE, sizeof (Line));
  const char *end = text + length;
  const char *p = text;

  while (p < end && lines->len < MAX_LINES)
    {
      const char *nl = memchr (p, '\n', end - p);
      Line line = { p, nl != NULL ? nl : end };

      g_array_append_val (lines, line);
      p = nl != NULL ? nl + 1 : end;
    }
  return lines;
}

static gboolean
line_is_blank (const Line *line)
{
  for (const char *p = line->start; p < line->end; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
line_is_rule (const Line *line)
{
  const char *p = line->start;

  while (p < line->end && g_ascii_isspace (*p))
    p++;
  return line->end - p >= 3 && (strncmp (p, "---", 3) == 0 || strncmp (p, "===", 3) == 0
                                || strncmp (p, "___", 3) == 0);
}

/* The words about the recipient whose line is @index: the rest of that line
 * and the lines after it, up to an empty line or another recipient. */
static char *
paragraph_after (GArray     *lines,
                 guint       index,
                 const char *address_end,
                 GHashTable *recipient_lines)
{
  GString *out = g_string_new (NULL);
  const Line *first = &g_array_index (lines, Line, index);
  const char *p = address_end;
  guint taken = 0;
  gboolean skipped_blank = FALSE;

  while (p < first->end && (g_ascii_isspace (*p) || strchr (">:.,;)]\"'", *p) != NULL))
    p++;
  g_string_append_len (out, p, first->end - p);

  for (guint i = index + 1; i < lines->len && taken < MAX_PARAGRAPH; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);

      if (g_hash_table_contains (recipient_lines, GUINT_TO_POINTER (i)))
        break;
      if (line_is_blank (line))
        {
          if (out->len > 0 || skipped_blank)
            break;
          skipped_blank = TRUE;
          continue;
        }
      if (line_is_rule (line))
        {
          if (out->len > 0)
            break;
          continue;
        }
      if (out->len > 0)
        g_string_append_c (out, ' ');
      g_string_append_len (out, line->start, line->end - line->start);
      taken++;
      if (out->len > MS_BOUNCE_MAX_DIAGNOSTIC)
        break;
    }
  return g_string_free (out, FALSE);
}

static char *
text_recipient_diagnostic (GArray     *lines,
                           guint       index,
                           const char *address,
                           GHashTable *recipient_lines)
{
  const Line *line = &g_array_index (lines, Line, index);
  const char *start;
  const char *end;
  const char *p = line->start;

  while (next_address (line->start, p, line->end, &start, &end))
    {
      g_autofree char *found = g_ascii_strdown (start, end - start);

      if (g_str_equal (found, address))
        {
          g_autofree char *para = paragraph_after (lines, index, end, recipient_lines);

          return ms_bounce_collapse_spaces (para, -1);
        }
      p = end;
    }
  return NULL;
}

void
ms_bounce_read_text (const MsBounceInput *input,
                     GPtrArray           *records)
{
  g_autoptr(GHashTable) excluded = excluded_addresses (input);
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (candidate_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) recipient_lines = g_hash_table_new (NULL, NULL);
  g_autoptr(GArray) lines = split_lines (input->text->str, input->text->len);
  guint best = 4;

  /* X-Failed-Recipients names them for certain. */
  if (input->failed_recipients->len > 0)
    {
      for (guint i = 0; i < input->failed_recipients->len; i++)
        {
          const char *address = g_ptr_array_index (input->failed_recipients, i);
          MsBounceRecord *record;

          if (g_hash_table_contains (seen, address))
            continue;
          g_hash_table_add (seen, (gpointer) address);
          record = ms_bounce_record_new ();
          record->address = g_strdup (address);
          g_ptr_array_add (records, record);
        }
      /* Their words: the paragraph after each mention. */
      for (guint i = 0; i < lines->len; i++)
        {
          const Line *line = &g_array_index (lines, Line, i);
          const char *start;
          const char *end;

          for (const char *p = line->start; next_address (line->start, p, line->end, &start, &end); p = end)
            {
              g_autofree char *address = g_ascii_strdown (start, end - start);

              if (g_hash_table_contains (seen, address) && position_tier (line->start, start) == 1)
                g_hash_table_add (recipient_lines, GUINT_TO_POINTER (i));
            }
        }
      for (guint r = 0; r < records->len; r++)
        {
          MsBounceRecord *record = g_ptr_array_index (records, r);

          for (guint i = 0; i < lines->len && record->diagnostic == NULL; i++)
            {
              if (!g_hash_table_contains (recipient_lines, GUINT_TO_POINTER (i)))
                continue;
              record->diagnostic = text_recipient_diagnostic (lines, i, record->address,
                                                              recipient_lines);
              if (record->diagnostic != NULL && record->diagnostic[0] == '\0')
                g_clear_pointer (&record->diagnostic, g_free);
            }
        }
      return;
    }

  for (guint pass = 0; pass < 2 && candidates->len == 0; pass++)
  for (guint i = 0; i < lines->len; i++)
    {
      const Line *line = &g_array_index (lines, Line, i);
      const char *start;
      const char *end;

      if (line_is_skipped (line->start, line->end))
        continue;
      for (const char *p = line->start; next_address (line->start, p, line->end, &start, &end); p = end)
        {
          Candidate *candidate;
          g_autofree char *address = NULL;
          const char *q = end;
          const char *start2;
          const char *end2;

          /* "name@example.com <real@example.net>": the first is a display name. */
          while (q < line->end && *q == ' ')
            q++;
          if (q < line->end && *q == '<' && next_address (line->start, q + 1, line->end, &start2, &end2)
              && start2 == q + 1 && end2 < line->end && *end2 == '>')
            {
              start = start2;
              end = end2;
            }
          address = g_ascii_strdown (start, end - start);

          /* The second pass, when the first found nobody, lets the bounce's
           * own To through: some servers send it to the failed address. */
          if (is_excluded (input, excluded, address)
              && (pass == 0 || g_strcmp0 (address, input->from) == 0))
            continue;
          candidate = g_new0 (Candidate, 1);
          candidate->address = g_steal_pointer (&address);
          candidate->tier = position_tier (line->start, start);
          candidate->line = i;
          best = MIN (best, candidate->tier);
          g_ptr_array_add (candidates, candidate);
        }
    }

  for (guint i = 0; i < candidates->len; i++)
    {
      Candidate *candidate = g_ptr_array_index (candidates, i);

      if (candidate->tier == best)
        g_hash_table_add (recipient_lines, GUINT_TO_POINTER (candidate->line));
    }
  for (guint i = 0; i < candidates->len && records->len < MS_BOUNCE_MAX_RECIPIENTS; i++)
    {
      Candidate *candidate = g_ptr_array_index (candidates, i);
      MsBounceRecord *record;

      if (candidate->tier != best || g_hash_table_contains (seen, candidate->address))
        continue;
      g_hash_table_add (seen, candidate->address);
      record = ms_bounce_record_new ();
      record->address = g_strdup (candidate->address);
      record->diagnostic = text_recipient_diagnostic (lines, candidate->line, candidate->address,
                                                      recipient_lines);
      if (record->diagnostic != NULL && record->diagnostic[0] == '\0')
        g_clear_pointer (&record->diagnostic, g_free);
      g_ptr_array_add (records, record);
    }

  /* The text names nobody: the returned message's To is all there is. */
  if (records->len == 0 && input->original->len > 0)
    {
      g_autofree char *to = header_in_text (input->original->str, "To");
      const char *p = to;
      const char *start;
      const char *end;

      while (p != NULL && next_address (to, p, to + strlen (to), &start, &end)
             && records->len < MS_BOUNCE_MAX_RECIPIENTS)
        {
          MsBounceRecord *record = ms_bounce_record_new ();

          record->address = g_ascii_strdown (start, end - start);
          g_ptr_array_add (records, record);
          p = end;
        }
    }
}

static gboolean
line_starts_with_reply (const Line *line)
{
  const char *p = line->start;

  while (p < line->end && (*p == ' ' || *p == '\t' || *p == '<'))
    p++;
  return line->end - p > 4 && (p[0] == '4' || p[0] == '5') && g_ascii_isdigit (p[1])
         && g_ascii_isdigit (p[2]) && (p[3] == ' ' || p[3] == '-');
}

static gboolean
is_dsn_field (const char *lower)
{
  static const char *const names[] = {
    "final-recipient:", "original-recipient:", "x-actual-recipient:", "x-failed-recipients:",
    "to:", "cc:", "from:",
  };

  while (*lower == ' ' || *lower == '\t')
    lower++;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (g_str_has_prefix (lower, names[i]))
        return TRUE;
    }
  return FALSE;
}

/* Every paragraph of the text that names the recipient, for classification. */
void
ms_bounce_prepare_text (MsBounceInput *input)
{
  if (input->lines == NULL)
    input->lines = split_lines (input->text->str, input->text->len);
  if (input->lower_text == NULL)
    input->lower_text = g_ascii_strdown (input->text->str, input->text->len);
}

/* The index of the line that holds @offset. */
static guint
line_at (GArray     *lines,
         const char *text,
         gsize       offset)
{
  guint low = 0;
  guint high = lines->len;

  while (high - low > 1)
    {
      guint mid = (low + high) / 2;

      if ((gsize) (g_array_index (lines, Line, mid).start - text) <= offset)
        low = mid;
      else
        high = mid;
    }
  return low;
}

/* Every paragraph of the text that names the recipient, for classification. */
void
ms_bounce_add_context (const MsBounceInput *input,
                       MsBounceRecord      *record)
{
  GArray *lines = input->lines;
  GString *out;
  guint last = G_MAXUINT;
  guint seen = 0;

  if (record->address == NULL || record->address[0] == '\0' || lines == NULL || lines->len == 0)
    return;
  out = g_string_new (NULL);
  for (const char *hit = strstr (input->lower_text, record->address);
       hit != NULL && out->len < MS_BOUNCE_MAX_DIAGNOSTIC * 2 && seen < 64;
       hit = strstr (hit + 1, record->address))
    {
      guint i = line_at (lines, input->text->str, hit - input->lower_text);
      const Line *line = &g_array_index (lines, Line, i);
      g_autofree char *lower = NULL;
      guint from;

      seen++;
      if (hit - input->lower_text >= line->end - input->text->str)
        break;   /* past the lines kept */
      if (last != G_MAXUINT && i <= last)
        continue;
      lower = g_ascii_strdown (line->start, line->end - line->start);
      if (is_dsn_field (lower))
        continue;
      /* This line and the rest of its paragraph; in a session transcript,
       * the command before the reply too. */
      from = i;
      if (i > 0)
        {
          const Line *before = &g_array_index (lines, Line, i - 1);

          if (before->end - before->start > 4 && strncmp (before->start, ">>> ", 4) == 0)
            from = i - 1;
          else if (line_starts_with_reply (line))
            {
              /* A reply in a session transcript: what the server said before it. */
              while (from > 0 && i - from < 2)
                {
                  const Line *prev = &g_array_index (lines, Line, from - 1);

                  if (line_is_blank (prev) || line_is_rule (prev) || is_header_line (prev->start, prev->end))
                    break;
                  from--;
                }
            }
        }
      if (last != G_MAXUINT && from <= last)
        continue;
      for (guint j = from; j < lines->len && j < from + MAX_PARAGRAPH; j++)
        {
          const Line *l = &g_array_index (lines, Line, j);

          if (j > from && line_is_blank (l))
            break;
          if (j > from && is_header_line (l->start, l->end))
            break;
          g_string_append_len (out, l->start, l->end - l->start);
          g_string_append_c (out, ' ');
          last = j;
        }
    }
  if (out->len > 0)
    record->context = ms_bounce_collapse_spaces (out->str, out->len);
  g_string_free (out, TRUE);
}

/* Feedback reports (ARF, RFC 5965) */

void
ms_bounce_read_feedback (const MsBounceInput *input,
                         GPtrArray           *records,
                         char               **out_feedback_type)
{
  g_autoptr(GPtrArray) fields = ms_bounce_parse_fields (input->feedback->str, input->feedback->len);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *type = ms_bounce_fields_get (fields, "feedback-type");
  static const char *const names[] = { "original-rcpt-to", "removal-recipient" };

  if (type != NULL)
    *out_feedback_type = g_strstrip (g_ascii_strdown (type, -1));

  for (guint n = 0; n < G_N_ELEMENTS (names) && records->len == 0; n++)
    {
      for (guint i = 0; i < fields->len; i++)
        {
          Field *field = g_ptr_array_index (fields, i);
          char *address;
          MsBounceRecord *record;

          if (field->name == NULL || !g_str_equal (field->name, names[n]))
            continue;
          address = ms_bounce_extract_address (field->value);
          if (address == NULL || g_hash_table_contains (seen, address))
            {
              g_free (address);
              continue;
            }
          g_hash_table_add (seen, g_strdup (address));
          record = ms_bounce_record_new ();
          record->address = address;
          record->reason = "feedback";
          g_ptr_array_add (records, record);
        }
    }
  if (records->len == 0)
    {
      g_autofree char *to = header_in_text (input->original->str, "To");
      char *address = ms_bounce_extract_address (to);

      if (address == NULL && input->from != NULL && type != NULL
          && g_ascii_strncasecmp (type, "opt-out", 7) == 0)
        address = g_strdup (input->from);
      if (address != NULL)
        {
          MsBounceRecord *record = ms_bounce_record_new ();

          record->address = address;
          record->reason = "feedback";
          g_ptr_array_add (records, record);
        }
    }
}

/* Amazon SES notifications: a small JSON reader */

typedef struct JsonValue JsonValue;

struct JsonValue
{
  char       type;      /* 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null */
  char      *text;      /* strings and numbers */
  GPtrArray *keys;      /* objects: char* */
  GPtrArray *items;     /* objects and arrays: JsonValue* */
};

typedef struct
{
  const char *p;
  const char *end;
  guint       nodes;
} JsonReader;

static void
json_value_free (gpointer data)
{
  JsonValue *value = data;

  if (value == NULL)
    return;
  g_free (value->text);
  if (value->keys != NULL)
    g_ptr_array_unref (value->keys);
  if (value->items != NULL)
    g_ptr_array_unref (value->items);
  g_free (value);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (JsonValue, json_value_free)

static void
json_skip_space (JsonReader *r)
{
  while (r->p < r->end && g_ascii_isspace (*r->p))
    r->p++;
}

static char *
json_read_string (JsonReader *r)
{
  GString *out = g_string_new (NULL);

  r->p++;   /* the opening quote */
  while (r->p < r->end && *r->p != '"')
    {
      if (*r->p == '\\' && r->p + 1 < r->end)
        {
          char c = r->p[1];

          r->p += 2;
          switch (c)
            {
            case 'n': g_string_append_c (out, '\n'); break;
            case 't': g_string_append_c (out, '\t'); break;
            case 'r': g_string_append_c (out, '\r'); break;
            case 'b': case 'f': g_string_append_c (out, ' '); break;
            case 'u':
              if (r->end - r->p >= 4)
                {
                  char hex[5] = { r->p[0], r->p[1], r->p[2], r->p[3], '\0' };
                  gunichar u = (gunichar) g_ascii_strtoull (hex, NULL, 16);

                  if (u == 0 || (u >= 0xd800 && u <= 0xdfff))
                    u = 0xfffd;
                  g_string_append_unichar (out, u);
                  r->p += 4;
                }
              break;
            default: g_string_append_c (out, c); break;
            }
        }
      else
        g_string_append_c (out, *r->p++);
    }
  if (r->p >= r->end)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  r->p++;
  return g_string_free (out, FALSE);
}

static JsonValue *
json_read (JsonReader *r,
           guint       depth)
{
  g_autoptr(JsonValue) value = NULL;

  json_skip_space (r);
  if (r->p >= r->end || depth > MAX_JSON_DEPTH || ++r->nodes > MAX_JSON_NODES)
    return NULL;
  value = g_new0 (JsonValue, 1);
  if (*r->p == '{' || *r->p == '[')
    {
      gboolean object = *r->p == '{';
      char close = object ? '}' : ']';

      value->type = object ? 'o' : 'a';
      value->items = g_ptr_array_new_with_free_func (json_value_free);
      if (object)
        value->keys = g_ptr_array_new_with_free_func (g_free);
      r->p++;
      json_skip_space (r);
      if (r->p < r->end && *r->p == close)
        {
          r->p++;
          return g_steal_pointer (&value);
        }
      for (;;)
        {
          JsonValue *item;

          json_skip_space (r);
          if (object)
            {
              char *key;

              if (r->p >= r->end || *r->p != '"' || (key = json_read_string (r)) == NULL)
                return NULL;
              g_ptr_array_add (value->keys, key);
              json_skip_space (r);
              if (r->p >= r->end || *r->p != ':')
                return NULL;
              r->p++;
            }
          if ((item = json_read (r, depth + 1)) == NULL)
            return NULL;
          g_ptr_array_add (value->items, item);
          json_skip_space (r);
          if (r->p < r->end && *r->p == ',')
            {
              r->p++;
              continue;
            }
          if (r->p < r->end && *r->p == close)
            {
              r->p++;
              return g_steal_pointer (&value);
            }
          return NULL;
        }
    }
  if (*r->p == '"')
    {
      value->type = 's';
      value->text = json_read_string (r);
      return value->text != NULL ? g_steal_pointer (&value) : NULL;
    }
  if (*r->p == '-' || g_ascii_isdigit (*r->p))
    {
      const char *start = r->p;

      while (r->p < r->end && (g_ascii_isdigit (*r->p) || strchr ("+-.eE", *r->p) != NULL))
        r->p++;
      value->type = 'n';
      value->text = g_strndup (start, r->p - start);
      return g_steal_pointer (&value);
    }
  if (r->end - r->p >= 4 && (strncmp (r->p, "true", 4) == 0 || strncmp (r->p, "null", 4) == 0))
    {
      value->type = r->p[0] == 't' ? 'b' : 'z';
      value->text = g_strdup (r->p[0] == 't' ? "true" : NULL);
      r->p += 4;
      return g_steal_pointer (&value);
    }
  if (r->end - r->p >= 5 && strncmp (r->p, "false", 5) == 0)
    {
      value->type = 'b';
      r->p += 5;
      return g_steal_pointer (&value);
    }
  return NULL;
}

static JsonValue *
json_get (JsonValue  *object,
          const char *key)
{
  if (object == NULL || object->type != 'o')
    return NULL;
  for (guint i = 0; i < object->keys->len; i++)
    {
      if (g_str_equal (g_ptr_array_index (object->keys, i), key))
        return g_ptr_array_index (object->items, i);
    }
  return NULL;
}

static const char *
json_get_string (JsonValue  *object,
                 const char *key)
{
  JsonValue *value = json_get (object, key);

  return value != NULL && value->type == 's' ? value->text : NULL;
}

static JsonValue *
json_parse (const char *text,
            gsize       length)
{
  JsonReader r = { text, text + length, 0 };

  return json_read (&r, 0);
}

static void
ses_add (GPtrArray  *records,
         const char *address,
         const char *status,
         const char *action,
         const char *diagnostic,
         const char *reason)
{
  MsBounceRecord *record;
  char *clean = address != NULL ? ms_bounce_extract_address (address) : NULL;

  if (clean == NULL || records->len >= MS_BOUNCE_MAX_RECIPIENTS)
    {
      g_free (clean);
      return;
    }
  record = ms_bounce_record_new ();
  record->address = clean;
  record->status = status != NULL ? status_value (status) : NULL;
  record->action = g_strdup (action);
  if (diagnostic != NULL)
    {
      record->diag_type = field_type (diagnostic);
      record->diagnostic = strip_type (diagnostic);
    }
  record->reason = reason;
  g_ptr_array_add (records, record);
}

gboolean
ms_bounce_read_ses_json (const MsBounceInput *input,
                         GPtrArray           *records,
                         MsBounceKind        *out_kind)
{
  g_autoptr(JsonValue) root = NULL;
  g_autoptr(JsonValue) inner = NULL;
  JsonValue *message;
  const char *brace = memchr (input->text->str, '{', MIN (input->text->len, 4096));
  const char *type;
  JsonValue *section;
  JsonValue *list;

  if (brace == NULL)
    return FALSE;
  for (const char *p = input->text->str; p < brace; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  root = json_parse (brace, input->text->len - (brace - input->text->str));
  if (root == NULL || root->type != 'o')
    return FALSE;
  message = root;
  /* An SNS envelope holds the notification as a string. */
  if (json_get_string (root, "Message") != NULL)
    {
      const char *text = json_get_string (root, "Message");

      inner = json_parse (text, strlen (text));
      if (inner != NULL && inner->type == 'o')
        message = inner;
    }
  type = json_get_string (message, "notificationType");
  if (type == NULL)
    type = json_get_string (message, "eventType");
  if (type == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (type, "Bounce") == 0)
    {
      section = json_get (message, "bounce");
      list = json_get (section, "bouncedRecipients");
      for (guint i = 0; list != NULL && list->type == 'a' && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          ses_add (records, json_get_string (item, "emailAddress"), json_get_string (item, "status"),
                   json_get_string (item, "action"), json_get_string (item, "diagnosticCode"), NULL);
        }
      *out_kind = MS_BOUNCE_KIND_BOUNCE;
    }
  else if (g_ascii_strcasecmp (type, "Complaint") == 0)
    {
      section = json_get (message, "complaint");
      list = json_get (section, "complainedRecipients");
      for (guint i = 0; list != NULL && list->type == 'a' && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          ses_add (records, json_get_string (item, "emailAddress"), NULL, NULL, NULL, "feedback");
        }
      *out_kind = MS_BOUNCE_KIND_COMPLAINT;
    }
  else if (g_ascii_strcasecmp (type, "Delivery") == 0)
    {
      section = json_get (message, "delivery");
      list = json_get (section, "recipients");
      for (guint i = 0; list != NULL && list->type == 'a' && i < list->items->len; i++)
        {
          JsonValue *item = g_ptr_array_index (list->items, i);

          if (item->type == 's')
            ses_add (records, item->text, "2.6.0", "delivered",
                     json_get_string (section, "smtpResponse"), "delivered");
        }
      *out_kind = MS_BOUNCE_KIND_OTHER;
    }
  else
    return FALSE;
  return TRUE;
}

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

/* Finding the recipients in what came back: RFC 3464 delivery-status fields
 * and the human-readable text of the MTAs that write no DSN. */

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include <string.h>

#include "ms-bounce-private.h"

#define MAX_FIELDS       2000
#define MAX_FIELD_VALUE  4096
#define MAX_LINES        4000
#define MAX_PARAGRAPH    12      /* lines of a recipient's diagnostic */

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
  MsBounceField *field = data;

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
  MsBounceField *current = NULL;
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
              MsBounceField *blank = g_new0 (MsBounceField, 1);

              g_ptr_array_add (fields, blank);
            }
          else
            {
              for (colon = p; colon < line_end && is_field_name_char (*colon); colon++)
                ;
              if (colon < line_end && *colon == ':' && colon > p)
                {
                  current = g_new0 (MsBounceField, 1);
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
      MsBounceField *field = g_ptr_array_index (fields, i);

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

char *
ms_bounce_strip_type (const char *value)
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

char *
ms_bounce_field_type (const char *value)
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
  g_autofree char *text = ms_bounce_strip_type (value);
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

char *
ms_bounce_status_value (const char *value)
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

static gboolean
is_field (const MsBounceField *field,
          const char          *name)
{
  return g_str_equal (field->name, name);
}

/* Final-Recipient or Original-Recipient: starts a new recipient unless it
 * completes the current one. */
static void
dsn_recipient_field (DsnBuilder          *b,
                     const MsBounceField *field,
                     gboolean             after_blank,
                     GPtrArray           *records)
{
  gboolean final = is_field (field, "final-recipient");

  if (b->record == NULL || (final && b->has_final) || (!final && b->has_original)
      || (after_blank && (b->has_final || b->has_original)))
    dsn_begin (b, records);
  if (final)
    {
      b->has_final = TRUE;
      b->record->address = recipient_value (field->value);
    }
  else
    {
      b->has_original = TRUE;
      g_free (b->original);
      b->original = recipient_value (field->value);
    }
  b->has_fields = TRUE;
}

/* The other per-recipient fields; a field the current recipient has already
 * starts the next one (DSNs without empty lines between recipients). */
static void
dsn_detail_field (DsnBuilder          *b,
                  const MsBounceField *field,
                  gboolean             after_blank,
                  GPtrArray           *records)
{
  MsBounceRecord *record = b->record;

  if (record == NULL || (after_blank && (b->has_final || b->has_original))
      || (is_field (field, "action") && record->action != NULL)
      || (is_field (field, "status") && record->status != NULL)
      || (is_field (field, "diagnostic-code") && record->diagnostic != NULL))
    {
      dsn_begin (b, records);
      record = b->record;
    }
  b->has_fields = TRUE;
  if (is_field (field, "action") && record->action == NULL)
    record->action = g_strstrip (g_ascii_strdown (field->value, -1));
  else if (is_field (field, "status") && record->status == NULL)
    record->status = ms_bounce_status_value (field->value);
  else if (is_field (field, "diagnostic-code") && record->diagnostic == NULL)
    {
      record->diag_type = ms_bounce_field_type (field->value);
      record->diagnostic = unwrap_quoted_reply (ms_bounce_strip_type (field->value));
    }
  else if (is_field (field, "remote-mta") && record->remote_mta == NULL)
    record->remote_mta = ms_bounce_strip_type (field->value);
  else if (is_field (field, "x-actual-recipient") && b->actual == NULL)
    b->actual = recipient_value (field->value);
}

/* Recipients a DSN gives no address for (a file path, nothing): take it from
 * X-Failed-Recipients, else from the text, in order; drop the others. */
static void
fill_missing_addresses (const MsBounceInput *input,
                        GPtrArray           *records,
                        guint                first)
{
  g_autoptr(GPtrArray) found = NULL;
  guint next_found = 0;

  for (guint i = first; i < records->len;)
    {
      MsBounceRecord *record = g_ptr_array_index (records, i);

      if (record->address == NULL && i - first < input->failed_recipients->len)
        record->address = g_strdup (g_ptr_array_index (input->failed_recipients, i - first));
      if (record->address == NULL)
        {
          if (found == NULL)
            {
              found = g_ptr_array_new_with_free_func (ms_bounce_record_free);
              ms_bounce_read_text (input, found);
            }
          if (next_found < found->len)
            {
              MsBounceRecord *text = g_ptr_array_index (found, next_found++);

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

void
ms_bounce_read_dsn (const MsBounceInput *input,
                    const char          *dsn,
                    GPtrArray           *records)
{
  g_autoptr(GPtrArray) fields = ms_bounce_parse_fields (dsn, strlen (dsn));
  DsnBuilder b = { NULL, };
  gboolean blank = FALSE;
  guint first = records->len;

  for (guint i = 0; i < fields->len; i++)
    {
      MsBounceField *field = g_ptr_array_index (fields, i);

      if (field->name == NULL)
        {
          blank = TRUE;
          continue;
        }
      if (is_field (field, "final-recipient") || is_field (field, "original-recipient"))
        dsn_recipient_field (&b, field, blank, records);
      else if (is_field (field, "action") || is_field (field, "status")
               || is_field (field, "diagnostic-code") || is_field (field, "remote-mta")
               || is_field (field, "x-actual-recipient"))
        dsn_detail_field (&b, field, blank, records);
      blank = FALSE;
    }
  dsn_finish (&b, records);
  fill_missing_addresses (input, records, first);
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

char *
ms_bounce_header_in_text (const char *text,
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
      g_autofree char *value = ms_bounce_header_in_text (input->original->str, original_fields[i]);

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

/* X-Failed-Recipients names the recipients for certain; their words are
 * the paragraph after each mention in the text. */
static void
read_failed_recipients (const MsBounceInput *input,
                        GArray              *lines,
                        GPtrArray           *records)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) recipient_lines = g_hash_table_new (NULL, NULL);

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
}

/* The address at [*start, *end) of @line, or the real one after it when it
 * is a display name: "name@example.com <real@example.net>". */
static char *
address_at (const Line  *line,
            const char **start,
            const char **end)
{
  const char *q = *end;
  const char *start2;
  const char *end2;

  while (q < line->end && *q == ' ')
    q++;
  if (q < line->end && *q == '<' && next_address (line->start, q + 1, line->end, &start2, &end2)
      && start2 == q + 1 && end2 < line->end && *end2 == '>')
    {
      *start = start2;
      *end = end2;
    }
  return g_ascii_strdown (*start, *end - *start);
}

/* Every address of the text that may be a failed recipient, with how sure
 * that is; returns the best tier found. */
static guint
collect_candidates (const MsBounceInput *input,
                    GArray              *lines,
                    GPtrArray           *candidates)
{
  g_autoptr(GHashTable) excluded = excluded_addresses (input);
  guint best = 4;

  /* The second pass, when the first found nobody, lets the bounce's own To
   * through: some servers send the bounce to the failed address. */
  for (guint pass = 0; pass < 2 && candidates->len == 0; pass++)
    {
      for (guint i = 0; i < lines->len; i++)
        {
          const Line *line = &g_array_index (lines, Line, i);
          const char *start;
          const char *end;

          if (line_is_skipped (line->start, line->end))
            continue;
          for (const char *p = line->start; next_address (line->start, p, line->end, &start, &end);
               p = end)
            {
              g_autofree char *address = address_at (line, &start, &end);
              Candidate *candidate;

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
    }
  return best;
}

/* The recipients of a bounce in its text: the addresses found in the surest
 * positions, each with the paragraph about it. */
static void
read_candidates (const MsBounceInput *input,
                 GArray              *lines,
                 GPtrArray           *records)
{
  g_autoptr(GPtrArray) candidates = g_ptr_array_new_with_free_func (candidate_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) recipient_lines = g_hash_table_new (NULL, NULL);
  guint best = collect_candidates (input, lines, candidates);

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
}

/* The text names nobody: the returned message's To is all there is. */
static void
read_original_to (const MsBounceInput *input,
                  GPtrArray           *records)
{
  g_autofree char *to = NULL;
  const char *start;
  const char *end;

  if (input->original->len == 0)
    return;
  to = ms_bounce_header_in_text (input->original->str, "To");
  for (const char *p = to; p != NULL && next_address (to, p, to + strlen (to), &start, &end)
       && records->len < MS_BOUNCE_MAX_RECIPIENTS; p = end)
    {
      MsBounceRecord *record = ms_bounce_record_new ();

      record->address = g_ascii_strdown (start, end - start);
      g_ptr_array_add (records, record);
    }
}

void
ms_bounce_read_text (const MsBounceInput *input,
                     GPtrArray           *records)
{
  g_autoptr(GArray) lines = split_lines (input->text->str, input->text->len);

  if (input->failed_recipients->len > 0)
    read_failed_recipients (input, lines, records);
  else
    read_candidates (input, lines, records);
  if (records->len == 0)
    read_original_to (input, records);
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

/* A line that holds the address and nothing else but punctuation. */
static gboolean
line_is_only_address (const Line *line,
                      const char *address)
{
  gsize length = strlen (address);
  const char *p = line->start;
  gboolean found = FALSE;

  while (p < line->end)
    {
      if (!found && (gsize) (line->end - p) >= length && g_ascii_strncasecmp (p, address, length) == 0)
        {
          found = TRUE;
          p += length;
        }
      else if (g_ascii_isalnum (*p))
        return FALSE;
      else
        p++;
    }
  return found;
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
          else if (line_starts_with_reply (line) || line_is_only_address (line, record->address))
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

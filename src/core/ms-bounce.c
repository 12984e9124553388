/* ms-bounce.c
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

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gmime/gmime.h>

#include "ms-bounce-private.h"

/* Bounds on untrusted input. */
#define MAX_INPUT_BYTES      (16 * 1024 * 1024)  /* bytes read of one file */
#define MAX_MESSAGES   32                  /* mbox messages in one file */
#define MAX_PARTS      256                 /* MIME parts looked at per message */
#define MAX_DEPTH      12                  /* MIME nesting */
#define MAX_PART_BYTES (4 * 1024 * 1024)   /* decoded bytes kept of one part */
#define MAX_ORIGINAL   (128 * 1024)        /* returned message text kept */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

typedef struct
{
  MsBounceInput *input;
  guint          n_parts;
  gboolean       seen_report_part;   /* a delivery-status or feedback part came before */
} Collector;

G_DEFINE_QUARK (ms-bounce-error-quark, ms_bounce_error)

static void
ensure_gmime (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      g_mime_init ();
      g_once_init_leave (&initialized, 1);
    }
}

/* Records */

MsBounceRecord *
ms_bounce_record_new (void)
{
  return g_new0 (MsBounceRecord, 1);
}

void
ms_bounce_record_free (gpointer data)
{
  MsBounceRecord *record = data;

  if (record == NULL)
    return;
  g_free (record->address);
  g_free (record->alias);
  g_free (record->action);
  g_free (record->status);
  g_free (record->diagnostic);
  g_free (record->diag_type);
  g_free (record->remote_mta);
  g_free (record->context);
  g_free (record);
}

static void
recipient_free (gpointer data)
{
  MsBounceRecipient *recipient = data;

  g_free (recipient->address);
  g_free (recipient->alias);
  g_free (recipient->status);
  g_free (recipient->diagnostic);
  g_free (recipient);
}

static MsBounceReport *
report_new (void)
{
  MsBounceReport *report = g_new0 (MsBounceReport, 1);

  report->recipients = g_ptr_array_new_with_free_func (recipient_free);
  return report;
}

void
ms_bounce_report_free (MsBounceReport *report)
{
  if (report == NULL)
    return;
  g_ptr_array_unref (report->recipients);
  g_free (report->original_message_id);
  g_free (report->campaign);
  g_free (report->delivery);
  g_free (report->from);
  g_free (report->subject);
  g_free (report->feedback_type);
  g_free (report->unsubscribe_token);
  g_free (report);
}

/* Input */

static void
input_clear (MsBounceInput *input)
{
  g_free (input->from);
  g_free (input->from_display);
  g_free (input->to);
  g_free (input->subject);
  g_free (input->return_path);
  g_free (input->content_type);
  g_free (input->report_type);
  g_clear_pointer (&input->headers, g_hash_table_unref);
  g_clear_pointer (&input->received, g_ptr_array_unref);
  g_clear_pointer (&input->failed_recipients, g_ptr_array_unref);
  if (input->text != NULL)
    g_string_free (input->text, TRUE);
  if (input->dsn != NULL)
    g_string_free (input->dsn, TRUE);
  if (input->feedback != NULL)
    g_string_free (input->feedback, TRUE);
  if (input->original != NULL)
    g_string_free (input->original, TRUE);
  if (input->everything != NULL)
    g_string_free (input->everything, TRUE);
  g_clear_object (&input->inner_message);
  g_free (input->lower_text);
  g_clear_pointer (&input->lines, g_array_unref);
  memset (input, 0, sizeof *input);
}

static void
input_init (MsBounceInput *input)
{
  memset (input, 0, sizeof *input);
  input->headers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  input->received = g_ptr_array_new_with_free_func (g_free);
  input->failed_recipients = g_ptr_array_new_with_free_func (g_free);
  input->text = g_string_new (NULL);
  input->dsn = g_string_new (NULL);
  input->feedback = g_string_new (NULL);
  input->original = g_string_new (NULL);
  input->everything = g_string_new (NULL);
}

/* Appends at most up to @limit bytes in total to @out. */
static void
append_bounded (GString    *out,
                const char *text,
                gsize       length,
                gsize       limit)
{
  if (out->len >= limit)
    return;
  if (length > limit - out->len)
    {
      length = limit - out->len;
      /* Do not cut a UTF-8 sequence in two. */
      while (length > 0 && ((guchar) text[length] & 0xc0) == 0x80)
        length--;
    }
  g_string_append_len (out, text, length);
}

/* Charsets */

static gboolean
has_iso2022_escapes (const char *data,
                     gsize       length)
{
  for (gsize i = 0; i + 2 < length; i++)
    {
      if (data[i] != '\x1b')
        continue;
      if ((data[i + 1] == '$' && (data[i + 2] == 'B' || data[i + 2] == '@'))
          || (data[i + 1] == '(' && (data[i + 2] == 'J' || data[i + 2] == 'B')))
        return TRUE;
    }
  return FALSE;
}

/* Converts with GMime's charset filter, which steps over invalid input. */
static char *
convert_lossy (const char *data,
               gsize       length,
               const char *charset)
{
  g_autoptr(GMimeStream) mem = NULL;
  g_autoptr(GMimeStream) filtered = NULL;
  g_autoptr(GMimeFilter) filter = NULL;
  GByteArray *array;

  filter = g_mime_filter_charset_new (charset, "UTF-8");
  if (filter == NULL)
    return NULL;
  mem = g_mime_stream_mem_new ();
  filtered = g_mime_stream_filter_new (mem);
  g_mime_stream_filter_add (GMIME_STREAM_FILTER (filtered), filter);
  if (g_mime_stream_write (filtered, data, length) < 0 || g_mime_stream_flush (filtered) < 0)
    return NULL;
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  return g_strndup ((const char *) array->data, array->len);
}

static gboolean
charset_is_utf8 (const char *charset)
{
  return g_ascii_strcasecmp (charset, "utf-8") == 0 || g_ascii_strcasecmp (charset, "utf8") == 0
         || g_ascii_strcasecmp (charset, "us-ascii") == 0 || g_ascii_strcasecmp (charset, "ascii") == 0;
}

/* Any bytes in (nearly) any charset to valid UTF-8 with LF line ends and no NUL. */
static char *
to_utf8 (const char *data,
         gsize       length,
         const char *charset)
{
  g_autofree char *converted = NULL;
  g_autofree char *copy = NULL;
  GString *out;

  copy = g_malloc (length + 1);
  for (gsize i = 0; i < length; i++)
    copy[i] = data[i] == '\0' ? ' ' : data[i];
  copy[length] = '\0';

  if (has_iso2022_escapes (copy, length))
    charset = "ISO-2022-JP";
  if (charset != NULL && charset[0] != '\0' && !charset_is_utf8 (charset))
    converted = convert_lossy (copy, length, g_mime_charset_iconv_name (charset));
  if (converted == NULL && !g_utf8_validate_len (copy, length, NULL))
    {
      /* Undeclared 8-bit text: Shift_JIS or EUC-JP are common in bounces of
       * Japanese servers; else a Western single-byte charset. */
      static const char *const guesses[] = { "SHIFT_JIS", "EUC-JP", "WINDOWS-1252" };

      for (guint i = 0; i < G_N_ELEMENTS (guesses) && converted == NULL; i++)
        converted = g_convert (copy, length, "UTF-8", guesses[i], NULL, NULL, NULL);
    }
  if (converted == NULL)
    converted = g_utf8_make_valid (copy, length);
  else if (!g_utf8_validate (converted, -1, NULL))
    {
      char *valid = g_utf8_make_valid (converted, -1);

      g_free (converted);
      converted = valid;
    }

  out = g_string_sized_new (strlen (converted) + 1);
  for (const char *p = converted; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          g_string_append_c (out, '\n');
          if (p[1] == '\n')
            p++;
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* The decoded content of a leaf part as UTF-8 text. */
static char *
part_text (GMimePart *part)
{
  g_autoptr(GMimeStream) mem = NULL;
  GMimeDataWrapper *content;
  GByteArray *array;
  const char *charset;

  content = g_mime_part_get_content (part);
  if (content == NULL)
    return g_strdup ("");
  mem = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, mem);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");
  return to_utf8 ((const char *) array->data, MIN (array->len, MAX_PART_BYTES), charset);
}

/* A crude HTML-to-text conversion: enough to read a bounce written in HTML. */
static char *
html_to_text (const char *html)
{
  GString *out = g_string_new (NULL);
  const char *p = html;

  while (*p != '\0')
    {
      if (*p == '<')
        {
          const char *end = strchr (p, '>');
          gsize n;

          if (end == NULL)
            break;
          n = end - p;
          if ((n >= 3 && g_ascii_strncasecmp (p, "<br", 3) == 0)
              || (n >= 3 && g_ascii_strncasecmp (p, "</p", 3) == 0)
              || (n >= 4 && g_ascii_strncasecmp (p, "</tr", 4) == 0)
              || (n >= 5 && g_ascii_strncasecmp (p, "</div", 5) == 0)
              || (n >= 4 && g_ascii_strncasecmp (p, "</li", 4) == 0))
            g_string_append_c (out, '\n');
          else if (n >= 6 && (g_ascii_strncasecmp (p, "<style", 6) == 0
                              || g_ascii_strncasecmp (p, "<script", 7) == 0))
            {
              const char *close = strstr (end, "</");

              end = close != NULL ? strchr (close, '>') : NULL;
              if (end == NULL)
                break;
            }
          else
            g_string_append_c (out, ' ');
          p = end + 1;
        }
      else if (*p == '&')
        {
          static const struct { const char *name; char c; } entities[] = {
            { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
            { "&nbsp;", ' ' }, { "&#39;", '\'' }, { "&#160;", ' ' },
          };
          gboolean found = FALSE;

          for (guint i = 0; i < G_N_ELEMENTS (entities) && !found; i++)
            {
              gsize n = strlen (entities[i].name);

              if (g_ascii_strncasecmp (p, entities[i].name, n) == 0)
                {
                  g_string_append_c (out, entities[i].c);
                  p += n;
                  found = TRUE;
                }
            }
          if (!found)
            g_string_append_c (out, *p++);
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

/* Headers */

static void
collect_headers (MsBounceInput *input,
                 GMimeMessage  *message)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));
  InternetAddressList *from;
  InternetAddressList *to;
  int count = g_mime_header_list_get_count (list);

  for (int i = 0; i < count && i < 500; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (list, i);
      const char *name = g_mime_header_get_name (header);
      const char *value = g_mime_header_get_value (header);
      g_autofree char *key = NULL;

      if (name == NULL || value == NULL)
        continue;
      key = g_ascii_strdown (name, -1);
      if (g_str_equal (key, "received"))
        g_ptr_array_add (input->received, g_strdup (value));
      else if (g_str_equal (key, "x-failed-recipients"))
        {
          g_auto(GStrv) parts = g_strsplit_set (value, ",; \t", -1);

          for (guint j = 0; parts[j] != NULL; j++)
            {
              char *address = ms_bounce_extract_address (parts[j]);

              if (address != NULL && input->failed_recipients->len < MS_BOUNCE_MAX_RECIPIENTS)
                g_ptr_array_add (input->failed_recipients, address);
              else
                g_free (address);
            }
        }
      if (!g_hash_table_contains (input->headers, key))
        g_hash_table_insert (input->headers, g_steal_pointer (&key), g_strdup (value));
    }

  from = g_mime_message_get_from (message);
  if (from != NULL && internet_address_list_length (from) > 0)
    {
      InternetAddress *address = internet_address_list_get_address (from, 0);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));

          if (addr != NULL && addr[0] != '\0')
            input->from = g_ascii_strdown (addr, -1);
        }
    }
  input->from_display = g_strdup (g_hash_table_lookup (input->headers, "from"));
  if (input->from == NULL && input->from_display != NULL)
    {
      char *addr = ms_bounce_extract_address (input->from_display);

      input->from = addr != NULL ? g_ascii_strdown (addr, -1) : NULL;
      g_free (addr);
    }

  to = g_mime_message_get_to (message);
  if (to != NULL && internet_address_list_length (to) > 0)
    {
      InternetAddress *address = internet_address_list_get_address (to, 0);

      if (INTERNET_ADDRESS_IS_MAILBOX (address))
        {
          const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (address));

          if (addr != NULL && addr[0] != '\0')
            input->to = g_ascii_strdown (addr, -1);
        }
    }

  input->subject = g_strdup (g_mime_message_get_subject (message));
  if (g_hash_table_lookup (input->headers, "return-path") != NULL)
    input->return_path = ms_bounce_extract_address (g_hash_table_lookup (input->headers,
                                                                          "return-path"));
}

static void
append_message_headers (GString      *out,
                        GMimeMessage *message)
{
  GMimeHeaderList *list = g_mime_object_get_header_list (GMIME_OBJECT (message));
  int count = g_mime_header_list_get_count (list);

  for (int i = 0; i < count && i < 500 && out->len < MAX_ORIGINAL; i++)
    {
      GMimeHeader *header = g_mime_header_list_get_header_at (list, i);
      const char *name = g_mime_header_get_name (header);
      const char *value = g_mime_header_get_value (header);
      g_autofree char *line = NULL;

      if (name == NULL || value == NULL)
        continue;
      line = g_strdup_printf ("%s: %s\n", name, value);
      append_bounded (out, line, strlen (line), MAX_ORIGINAL);
    }
}

/* Parts */

static gboolean
text_starts_with_headers (const char *text)
{
  static const char *const names[] = {
    "received:", "return-path:", "from:", "message-id:", "date:", "to:", "subject:",
    "mime-version:", "delivered-to:", "x-", "content-type:", "dkim-signature:",
    "authentication-results:", "reply-to:", "sender:",
  };
  guint matched = 0;
  const char *p = text;

  while (*p == '\n' || *p == ' ')
    p++;
  for (guint line = 0; line < 4 && *p != '\0'; line++)
    {
      gboolean ok = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (names) && !ok; i++)
        ok = g_ascii_strncasecmp (p, names[i], strlen (names[i])) == 0;
      if (!ok && line == 0)
        return FALSE;
      matched += ok;
      /* Next line that is not a continuation. */
      do
        {
          const char *nl = strchr (p, '\n');

          if (nl == NULL)
            return matched >= 2;
          p = nl + 1;
        }
      while (*p == ' ' || *p == '\t');
    }
  return matched >= 2;
}

/* Adds human-readable text: what follows a "copy of the message" line is the
 * returned message, not the bounce. */
static void
add_text (Collector  *c,
          const char *text)
{
  MsBounceInput *input = c->input;
  gsize length = strlen (text);
  gsize split = ms_bounce_find_original (text, length);

  append_bounded (input->everything, text, length, MS_BOUNCE_MAX_TEXT * 2);
  append_bounded (input->text, text, split, MS_BOUNCE_MAX_TEXT);
  if (input->text->len > 0 && input->text->str[input->text->len - 1] != '\n')
    g_string_append_c (input->text, '\n');
  if (split < length)
    append_bounded (input->original, text + split, length - split, MAX_ORIGINAL);
}

static void collect_object (Collector   *c,
                            GMimeObject *object,
                            guint        depth);

static void
collect_message_part (Collector        *c,
                      GMimeMessagePart *part,
                      guint             depth)
{
  GMimeMessage *inner = g_mime_message_part_get_message (part);
  MsBounceInput *input = c->input;
  GMimeObject *body;

  if (inner == NULL)
    return;
  if (input->original->len == 0)
    append_message_headers (input->original, inner);
  if (input->inner_message == NULL)
    input->inner_message = g_object_ref (G_OBJECT (inner));

  /* Our own headers may only be in the returned message's text (a forwarded
   * copy): keep its text for that search, not as bounce text. */
  body = g_mime_message_get_mime_part (inner);
  if (body != NULL && GMIME_IS_PART (body) && depth < MAX_DEPTH)
    {
      g_autofree char *text = part_text (GMIME_PART (body));

      append_bounded (input->everything, text, strlen (text), MS_BOUNCE_MAX_TEXT * 2);
    }
}

static void
add_original (MsBounceInput *input,
              const char    *text)
{
  append_bounded (input->original, text, strlen (text), MAX_ORIGINAL);
  append_bounded (input->everything, text, strlen (text), MS_BOUNCE_MAX_TEXT * 2);
}

/* message/delivery-status, message/feedback-report, and message/rfc822 that
 * GMime could not take apart (encoded, broken). */
static void
collect_message_type (Collector  *c,
                      const char *subtype,
                      const char *text)
{
  MsBounceInput *input = c->input;

  if (g_ascii_strcasecmp (subtype, "delivery-status") == 0
      || g_ascii_strcasecmp (subtype, "global-delivery-status") == 0)
    {
      append_bounded (input->dsn, text, strlen (text), MS_BOUNCE_MAX_TEXT);
      g_string_append (input->dsn, "\n\n");
      c->seen_report_part = TRUE;
    }
  else if (g_ascii_strcasecmp (subtype, "feedback-report") == 0)
    {
      append_bounded (input->feedback, text, strlen (text), MS_BOUNCE_MAX_TEXT);
      g_string_append_c (input->feedback, '\n');
      c->seen_report_part = TRUE;
    }
  else
    add_original (input, text);
}

/* A plain text part: the bounce's words, or the returned message when it
 * comes after them and starts with header fields. */
static void
collect_text (Collector  *c,
              GMimePart  *part,
              const char *text)
{
  MsBounceInput *input = c->input;
  const char *disposition = g_mime_object_get_disposition (GMIME_OBJECT (part));

  if ((c->seen_report_part || input->has_text_part || input->text->len > 0)
      && text_starts_with_headers (text))
    add_original (input, text);
  else if (disposition != NULL && g_ascii_strcasecmp (disposition, "attachment") == 0
           && input->has_text_part)
    append_bounded (input->everything, text, strlen (text), MS_BOUNCE_MAX_TEXT * 2);
  else
    {
      add_text (c, text);
      input->has_text_part = TRUE;
    }
}

static void
collect_part (Collector *c,
              GMimePart *part)
{
  MsBounceInput *input = c->input;
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  const char *type = ct != NULL ? g_mime_content_type_get_media_type (ct) : NULL;
  const char *subtype = ct != NULL ? g_mime_content_type_get_media_subtype (ct) : NULL;
  gboolean is_text;
  g_autofree char *text = NULL;

  if (type == NULL || subtype == NULL)
    {
      type = "text";
      subtype = "plain";
    }
  is_text = g_ascii_strcasecmp (type, "text") == 0;

  if (g_ascii_strcasecmp (type, "message") == 0)
    {
      text = part_text (part);
      collect_message_type (c, subtype, text);
    }
  else if (is_text && g_ascii_strcasecmp (subtype, "rfc822-headers") == 0)
    {
      text = part_text (part);
      add_original (input, text);
    }
  else if (is_text && g_ascii_strcasecmp (subtype, "html") == 0)
    {
      g_autofree char *html = part_text (part);

      if (input->has_text_part)
        append_bounded (input->everything, html, strlen (html), MS_BOUNCE_MAX_TEXT * 2);
      else
        {
          text = html_to_text (html);
          add_text (c, text);
          input->has_text_part = TRUE;
        }
    }
  else if (is_text || (g_ascii_strcasecmp (type, "application") == 0
                       && g_ascii_strcasecmp (subtype, "json") == 0))
    {
      text = part_text (part);
      collect_text (c, part, text);
    }
}

static void
collect_object (Collector   *c,
                GMimeObject *object,
                guint        depth)
{
  if (object == NULL || depth > MAX_DEPTH || c->n_parts >= MAX_PARTS)
    return;
  c->n_parts++;

  if (GMIME_IS_MULTIPART (object))
    {
      GMimeMultipart *multipart = GMIME_MULTIPART (object);
      int count = g_mime_multipart_get_count (multipart);
      const char *prologue = g_mime_multipart_get_prologue (multipart);

      /* Broken MIME: no boundary ever comes, everything is in the prologue. */
      if (count == 0 && prologue != NULL)
        {
          g_autofree char *text = to_utf8 (prologue, strlen (prologue), NULL);

          add_text (c, text);
        }
      for (int i = 0; i < count; i++)
        collect_object (c, g_mime_multipart_get_part (multipart, i), depth + 1);
    }
  else if (GMIME_IS_MESSAGE_PART (object))
    collect_message_part (c, GMIME_MESSAGE_PART (object), depth);
  else if (GMIME_IS_PART (object))
    collect_part (c, GMIME_PART (object));
}

static void
collect_message (MsBounceInput *input,
                 GMimeMessage  *message)
{
  Collector c = { input, 0, FALSE };
  GMimeObject *body = g_mime_message_get_mime_part (message);
  GMimeContentType *ct;

  collect_headers (input, message);
  if (body != NULL && (ct = g_mime_object_get_content_type (body)) != NULL)
    {
      const char *report_type = g_mime_content_type_get_parameter (ct, "report-type");
      g_autofree char *mime_type = g_mime_content_type_get_mime_type (ct);

      input->content_type = g_ascii_strdown (mime_type, -1);
      if (report_type != NULL)
        input->report_type = g_ascii_strdown (report_type, -1);
    }
  collect_object (&c, body, 0);
}

/* Our own headers and the Message-ID in the returned message */

/* The value of a header field of @name in header-like text, unfolded; NULL if absent. */
static char *
find_header_value (const char *text,
                   const char *name)
{
  gsize name_len = strlen (name);

  for (const char *line = text; line != NULL && *line != '\0';)
    {
      const char *start = line;

      while (*start == ' ' || *start == '\t' || *start == '>')
        start++;
      if (g_ascii_strncasecmp (start, name, name_len) == 0 && start[name_len] == ':')
        {
          GString *value = g_string_new (NULL);
          const char *p = start + name_len + 1;

          for (;;)
            {
              const char *nl = strchr (p, '\n');
              gsize n = nl != NULL ? (gsize) (nl - p) : strlen (p);

              g_string_append_len (value, p, MIN (n, 1024));
              if (nl == NULL || (nl[1] != ' ' && nl[1] != '\t') || value->len > 2048)
                break;
              g_string_append_c (value, ' ');
              p = nl + 1;
            }
          g_strstrip (value->str);
          value->len = strlen (value->str);
          if (value->len > 0)
            return g_string_free (value, FALSE);
          g_string_free (value, TRUE);
        }
      line = strchr (line, '\n');
      if (line != NULL)
        line++;
    }
  return NULL;
}

static char *
clean_message_id (const char *value)
{
  const char *open;
  const char *close;

  if (value == NULL)
    return NULL;
  open = strchr (value, '<');
  close = open != NULL ? strchr (open, '>') : NULL;
  if (open != NULL && close != NULL && close > open + 1)
    return g_strndup (open + 1, close - open - 1);
  if (strchr (value, '@') != NULL && strpbrk (value, " \t") == NULL)
    return g_strdup (value);
  return NULL;
}

static gboolean
is_token_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-' || c == '.';
}

/* Our header values are letters, digits, '_', '-' and '.'. */
static char *
clean_token (const char *value)
{
  const char *p = value;
  const char *end;

  if (value == NULL)
    return NULL;
  while (*p == ' ' || *p == '<')
    p++;
  end = p;
  while (is_token_char (*end) && end - p < 256)
    end++;
  return end > p ? g_strndup (p, end - p) : NULL;
}

static void
find_returned_ids (MsBounceReport      *report,
                   const MsBounceInput *input)
{
  const char *sources[] = { input->original->str, input->text->str, input->everything->str };

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    {
      if (report->original_message_id == NULL)
        {
          g_autofree char *value = find_header_value (sources[i], "Message-ID");

          report->original_message_id = clean_message_id (value);
        }
      if (report->campaign == NULL)
        {
          g_autofree char *value = find_header_value (sources[i], "X-Mailshot-Campaign");

          report->campaign = clean_token (value);
        }
      if (report->delivery == NULL)
        {
          g_autofree char *value = find_header_value (sources[i], "X-Mailshot-Delivery");

          report->delivery = clean_token (value);
        }
    }
}

/* Unsubscribe requests and auto-replies */

/* "unsubscribe <campaign>.<26 base32>" in a subject or the first body lines. */
static char *
find_unsubscribe_token (const char *text,
                        gboolean    at_start)
{
  const char *p = text;

  if (text == NULL)
    return NULL;
  while (*p != '\0')
    {
      const char *hit = NULL;
      const char *start;
      const char *end;
      const char *dot;

      for (const char *q = p; *q != '\0'; q++)
        {
          if (g_ascii_strncasecmp (q, "unsubscribe", 11) == 0)
            {
              hit = q;
              break;
            }
        }
      if (hit == NULL)
        return NULL;
      if (at_start)
        {
          /* Only "Re:", "Fwd:" and spaces may come before it in a subject. */
          for (const char *q = text; q < hit; q++)
            {
              if (!(g_ascii_isspace (*q) || *q == ':' || g_ascii_strncasecmp (q, "re", 2) == 0
                    || g_ascii_strncasecmp (q, "fwd", 3) == 0 || g_ascii_strncasecmp (q, "fw", 2) == 0))
                return NULL;
              if (g_ascii_strncasecmp (q, "fwd", 3) == 0)
                q += 2;
              else if (g_ascii_strncasecmp (q, "re", 2) == 0 || g_ascii_strncasecmp (q, "fw", 2) == 0)
                q += 1;
            }
        }
      start = hit + 11;
      while (*start == ' ' || *start == '\t' || *start == ':' || *start == '+')
        start++;
      if (g_ascii_strncasecmp (start, "%20", 3) == 0)
        start += 3;
      end = start;
      while (is_token_char (*end) && end - start < 200)
        end++;
      dot = NULL;
      for (const char *q = start; q < end; q++)
        if (*q == '.')
          dot = q;
      if (dot != NULL && end - dot - 1 == 26 && dot > start)
        return g_strndup (start, end - start);
      if (at_start)
        return NULL;
      p = hit + 11;
    }
  return NULL;
}

static gboolean
detect_unsubscribe (MsBounceReport      *report,
                    const MsBounceInput *input)
{
  char *token = find_unsubscribe_token (input->subject, TRUE);

  if (token == NULL && input->subject != NULL)
    {
      g_autofree char *subject = g_ascii_strdown (input->subject, -1);

      if (strstr (subject, "unsubscribe") != NULL)
        {
          g_autofree char *head = g_strndup (input->text->str, MIN (input->text->len, 2048));

          token = find_unsubscribe_token (head, FALSE);
        }
    }
  if (token == NULL)
    return FALSE;

  report->kind = MS_BOUNCE_KIND_UNSUBSCRIBE;
  report->unsubscribe_token = token;
  if (input->from != NULL)
    {
      MsBounceRecipient *recipient = g_new0 (MsBounceRecipient, 1);

      recipient->address = g_strdup (input->from);
      g_ptr_array_add (report->recipients, recipient);
    }
  return TRUE;
}

static const char *
header (const MsBounceInput *input,
        const char          *name)
{
  return g_hash_table_lookup (input->headers, name);
}

static gboolean declares_autoreply (const MsBounceInput *input);

static gboolean
detect_autoreply (const MsBounceInput *input)
{
  static const char *const subjects[] = {
    "away from", "vacation", "on holiday", "absence", "away until", "autosvar",
    "automaattinen", "不在",
  };
  const char *value = header (input, "auto-submitted");
  g_autofree char *subject = NULL;

  if (value != NULL && g_ascii_strncasecmp (value, "auto-replied", 12) == 0)
    return TRUE;
  if (declares_autoreply (input))
    return TRUE;
  subject = g_utf8_strdown (input->subject != NULL ? input->subject : "", -1);
  for (guint i = 0; i < G_N_ELEMENTS (subjects); i++)
    {
      if (strstr (subject, subjects[i]) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* Bounces */

static gboolean
contains_any (const char         *text,
              const char * const *needles,
              gsize               n_needles)
{
  for (gsize i = 0; i < n_needles; i++)
    {
      if (strstr (text, needles[i]) != NULL)
        return TRUE;
    }
  return FALSE;
}

/* An auto-reply that says so (RFC 3834 aside, whose Auto-Submitted header
 * many bounces carry too). */
static gboolean
declares_autoreply (const MsBounceInput *input)
{
  static const char *const subjects[] = {
    "auto:", "automatic reply", "autoreply", "auto-reply", "auto reply", "out of office",
    "out of the office", "réponse automatique", "risposta automatica", "respuesta automática",
    "abwesenheit", "自動応答", "自动回复",
  };
  const char *value;
  g_autofree char *subject = NULL;

  if (header (input, "x-autoreply") != NULL || header (input, "x-autorespond") != NULL
      || header (input, "x-autoresponder") != NULL || header (input, "x-mail-autoreply") != NULL)
    return TRUE;
  value = header (input, "x-autogenerated");
  if (value != NULL && g_ascii_strncasecmp (value, "reply", 5) == 0)
    return TRUE;
  value = header (input, "precedence");
  if (value != NULL && g_ascii_strncasecmp (value, "auto_reply", 10) == 0)
    return TRUE;
  subject = g_utf8_strdown (input->subject != NULL ? input->subject : "", -1);
  return contains_any (subject, subjects, G_N_ELEMENTS (subjects));
}

static gboolean
looks_like_bounce (const MsBounceInput *input)
{
  static const char *const mailers[] = {
    "mailer-daemon", "mailer_daemon", "mailerdaemon", "postmaster", "post_master", "mail-daemon",
    "maildaemon", "mdaemon", "mail delivery", "mail administrator",
  };
  static const char *const senders[] = {
    "bounce", "mailadmin", "mail-router", "system administrator", "nobody@", "root@", "mmdf",
    "smtp", "daemon",
  };
  static const char *const subjects[] = {
    "undeliver", "undelivered", "delivery status", "delivery failure", "delivery failed",
    "delivery report", "delivery problem", "delivery notification", "returned mail",
    "returned to sender", "failure notice", "mail delivery", "could not be delivered",
    "not delivered", "non-delivery", "nondelivery", "non delivery", "nondeliverable",
    "delivery has failed", "rejected", "mail system error", "could not send",
    "unzustellbar", "non recapitabile", "no entregado", "non remis", "error sending",
    "permanent error", "failed delivery", "bounce", "warning:", "returned",
    "message delayed", "delayed mail", "delivery delay", "mail could not", "failed",
    "notification", "error", "unable to deliver", "message you sent", "not be delivered",
    "nicht zustellbar", "配信", "エラー", "不達", "未送達", "返送", "loop alert", "mail loop",
  };
  g_autofree char *from = NULL;
  g_autofree char *subject = NULL;

  if (input->failed_recipients->len > 0 || input->dsn->len > 0)
    return TRUE;
  if (g_strcmp0 (input->content_type, "multipart/report") == 0)
    return TRUE;
  from = g_utf8_strdown (input->from_display != NULL ? input->from_display : "", -1);
  if (contains_any (from, mailers, G_N_ELEMENTS (mailers)))
    return TRUE;

  /* Weaker signs, unless the message says it is an automatic reply. */
  if (declares_autoreply (input))
    return FALSE;
  if (contains_any (from, senders, G_N_ELEMENTS (senders)))
    return TRUE;
  if (ms_bounce_text_says_failure (input->text->str, input->text->len))
    return TRUE;
  subject = g_utf8_strdown (input->subject != NULL ? input->subject : "", -1);
  return contains_any (subject, subjects, G_N_ELEMENTS (subjects));
}

/* Delivery-status fields written into the text (broken MIME, or none). */
static gboolean
text_has_dsn_fields (const GString *text)
{
  static const char *const names[] = { "final-recipient:", "original-recipient:" };

  for (const char *line = text->str; line != NULL && *line != '\0';)
    {
      const char *nl = strchr (line, '\n');

      while (*line == ' ' || *line == '\t')
        line++;
      for (guint i = 0; i < G_N_ELEMENTS (names); i++)
        {
          if (g_ascii_strncasecmp (line, names[i], strlen (names[i])) == 0)
            return TRUE;
        }
      line = nl != NULL ? nl + 1 : NULL;
    }
  return FALSE;
}

static void
add_recipients (MsBounceReport *report,
                MsBounceInput  *input,
                GPtrArray      *records)
{
  input->n_records = records->len;
  for (guint i = 0; i < records->len; i++)
    {
      MsBounceRecord *record = g_ptr_array_index (records, i);
      MsBounceRecipient *recipient;

      if (report->recipients->len >= MS_BOUNCE_MAX_RECIPIENTS)
        break;
      if (record->address == NULL)
        continue;
      recipient = g_new0 (MsBounceRecipient, 1);
      ms_bounce_classify (input, record, recipient);
      g_ptr_array_add (report->recipients, recipient);
    }
}

static gboolean
all_delivered (MsBounceReport *report)
{
  for (guint i = 0; i < report->recipients->len; i++)
    {
      MsBounceRecipient *recipient = g_ptr_array_index (report->recipients, i);

      if (g_strcmp0 (recipient->reason, "delivered") != 0)
        return FALSE;
    }
  return TRUE;
}

static MsBounceReport *analyse_message (GMimeMessage *message,
                                        guint         depth);
static GMimeMessage   *parse_mime      (GBytes       *bytes);

/* A bounce of a bounce, or a bounce forwarded to the sender: the returned
 * message is itself the report. */
static MsBounceReport *
analyse_returned (MsBounceInput *input,
                  guint          depth)
{
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *lower = NULL;

  if (depth >= 2)
    return NULL;
  if (input->inner_message != NULL)
    return analyse_message (GMIME_MESSAGE (input->inner_message), depth + 1);
  if (input->original->len == 0)
    return NULL;
  lower = g_ascii_strdown (input->original->str, MIN (input->original->len, 64 * 1024));
  if (strstr (lower, "multipart/report") == NULL && strstr (lower, "final-recipient:") == NULL
      && strstr (lower, "mailer-daemon") == NULL)
    return NULL;
  {
    g_autoptr(GBytes) bytes = g_bytes_new (input->original->str, input->original->len);

    message = parse_mime (bytes);
  }
  if (message == NULL)
    return NULL;
  return analyse_message (message, depth + 1);
}

/* The sender of the message itself is the one the report is about. */
static void
add_sender_record (const MsBounceInput *input,
                   GPtrArray           *records,
                   const char          *reason)
{
  MsBounceRecord *record = ms_bounce_record_new ();

  record->address = g_strdup (input->from);
  record->reason = reason;
  g_ptr_array_add (records, record);
}

/* A bounce: its DSN, else a bounce returned inside it, else its text.
 * Returns the inner report when that one names the recipients. */
static MsBounceReport *
read_bounce (MsBounceInput *input,
             GPtrArray     *records,
             guint          depth)
{
  MsBounceReport *inner;

  if (input->dsn->len > 0)
    ms_bounce_read_dsn (input, input->dsn->str, records);
  if (records->len == 0 && text_has_dsn_fields (input->text))
    ms_bounce_read_dsn (input, input->text->str, records);
  if (records->len > 0 || !looks_like_bounce (input))
    return NULL;

  /* A bounce that returns a bounce (or forwards one): the inner report names
   * the recipients, the outer text only its own. */
  inner = analyse_returned (input, depth);
  if (inner != NULL && inner->kind == MS_BOUNCE_KIND_BOUNCE && inner->recipients->len > 0)
    return inner;
  ms_bounce_report_free (inner);
  ms_bounce_read_text (input, records);
  return NULL;
}

static MsBounceReport *
analyse (MsBounceInput *input,
         guint          depth)
{
  MsBounceReport *report = report_new ();
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (ms_bounce_record_free);
  MsBounceKind kind = MS_BOUNCE_KIND_OTHER;

  report->from = g_strdup (input->from);
  report->subject = g_strdup (input->subject);

  if (detect_unsubscribe (report, input))
    {
      find_returned_ids (report, input);
      return report;
    }

  if (input->feedback->len > 0 || g_strcmp0 (input->report_type, "feedback-report") == 0)
    {
      ms_bounce_read_feedback (input, records, &report->feedback_type);
      kind = MS_BOUNCE_KIND_COMPLAINT;
    }
  else if (header (input, "x-apple-unsubscribe") != NULL && input->from != NULL)
    {
      /* Apple Mail's "Unsubscribe" button sends a mail without our token:
       * an opt-out report from that address. */
      add_sender_record (input, records, "feedback");
      report->feedback_type = g_strdup ("opt-out");
      kind = MS_BOUNCE_KIND_COMPLAINT;
    }
  else if (!ms_bounce_read_ses_json (input, records, &kind))
    {
      MsBounceReport *inner = read_bounce (input, records, depth);

      if (inner != NULL)
        {
          ms_bounce_report_free (report);
          return inner;
        }
      if (records->len > 0)
        kind = MS_BOUNCE_KIND_BOUNCE;
    }

  if (records->len == 0 && kind == MS_BOUNCE_KIND_OTHER && input->from != NULL
      && detect_autoreply (input))
    {
      add_sender_record (input, records, "vacation");
      kind = MS_BOUNCE_KIND_AUTOREPLY;
    }

  if (records->len > 0)
    {
      ms_bounce_prepare_text (input);
      ms_bounce_prepare_rules (input);
    }
  for (guint i = 0; i < records->len; i++)
    ms_bounce_add_context (input, g_ptr_array_index (records, i));
  add_recipients (report, input, records);
  find_returned_ids (report, input);
  if (kind == MS_BOUNCE_KIND_BOUNCE && all_delivered (report))
    kind = MS_BOUNCE_KIND_OTHER;
  report->kind = kind;
  return report;
}

static MsBounceReport *
analyse_message (GMimeMessage *message,
                 guint         depth)
{
  MsBounceInput input;
  MsBounceReport *report;

  input_init (&input);
  collect_message (&input, message);
  report = analyse (&input, depth);
  input_clear (&input);
  return report;
}

/* Files */

static gboolean
is_mbox_separator (const char *line,
                   const char *end)
{
  /* "From sender date": a space after "From", then more text on the line. */
  if (end - line < 6 || strncmp (line, "From ", 5) != 0)
    return FALSE;
  return line[5] != ' ' && line[5] != '\n' && line[5] != '\r';
}

/* Splits @data into the messages of an mbox file (or one message). */
static GPtrArray *
split_messages (const char *data,
                gsize       length)
{
  GPtrArray *pieces = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  const char *end = data + length;
  const char *start = data;
  const char *p;

  while (start < end && (*start == '\n' || *start == '\r' || *start == ' ' || *start == '\t'))
    start++;
  if (!is_mbox_separator (start, end))
    {
      g_ptr_array_add (pieces, g_bytes_new (start, end - start));
      return pieces;
    }

  p = start;
  while (p < end && pieces->len < MAX_MESSAGES)
    {
      const char *body = memchr (p, '\n', end - p);
      const char *next = NULL;

      body = body != NULL ? body + 1 : end;
      /* The next separator follows an empty line. */
      for (const char *q = body; q < end;)
        {
          const char *nl = memchr (q, '\n', end - q);

          if (nl == NULL)
            break;
          if ((nl + 1 < end && is_mbox_separator (nl + 1, end))
              && (nl == body || nl[-1] == '\n' || (nl[-1] == '\r' && nl - 1 > body && nl[-2] == '\n')))
            {
              next = nl + 1;
              break;
            }
          q = nl + 1;
        }
      if (next == NULL || pieces->len + 1 == MAX_MESSAGES)
        next = end;
      g_ptr_array_add (pieces, g_bytes_new (body, next - body));
      p = next;
    }
  return pieces;
}

static GMimeMessage *
parse_mime (GBytes *bytes)
{
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeParser) parser = NULL;
  GMimeParserOptions *options;
  GMimeMessage *message;
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  if (data == NULL || length == 0)
    return NULL;
  stream = g_mime_stream_mem_new_with_buffer (data, length);
  parser = g_mime_parser_new_with_stream (stream);
  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  options = g_mime_parser_options_new ();
  g_mime_parser_options_set_rfc2047_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_address_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  g_mime_parser_options_set_parameter_compliance_mode (options, GMIME_RFC_COMPLIANCE_LOOSE);
  message = g_mime_parser_construct_message (parser, options);
  g_mime_parser_options_free (options);
  return message;
}

/* An mbox file of several messages: the recipients of those of the same
 * kind as the first that is not "other". */
static void
merge_report (MsBounceReport *into,
              MsBounceReport *from)
{
  if (from->kind != into->kind)
    {
      if (into->kind != MS_BOUNCE_KIND_OTHER || from->kind == MS_BOUNCE_KIND_OTHER)
        return;
      into->kind = from->kind;
      g_ptr_array_set_size (into->recipients, 0);
    }
  while (from->recipients->len > 0 && into->recipients->len < MS_BOUNCE_MAX_RECIPIENTS)
    g_ptr_array_add (into->recipients, g_ptr_array_steal_index (from->recipients, 0));
#define TAKE(field) if (into->field == NULL) into->field = g_steal_pointer (&from->field)
  TAKE (original_message_id);
  TAKE (campaign);
  TAKE (delivery);
  TAKE (from);
  TAKE (subject);
  TAKE (feedback_type);
  TAKE (unsubscribe_token);
#undef TAKE
}

static void
make_valid (char **text)
{
  char *valid;

  if (*text == NULL || g_utf8_validate (*text, -1, NULL))
    return;
  valid = g_utf8_make_valid (*text, -1);
  g_free (*text);
  *text = valid;
}

/* Header values may carry any bytes: what we hand on is UTF-8. */
static void
make_report_valid (MsBounceReport *report)
{
  make_valid (&report->original_message_id);
  make_valid (&report->campaign);
  make_valid (&report->delivery);
  make_valid (&report->from);
  make_valid (&report->subject);
  make_valid (&report->feedback_type);
  make_valid (&report->unsubscribe_token);
  for (guint i = 0; i < report->recipients->len; i++)
    {
      MsBounceRecipient *recipient = g_ptr_array_index (report->recipients, i);

      make_valid (&recipient->address);
      make_valid (&recipient->alias);
      make_valid (&recipient->status);
      make_valid (&recipient->diagnostic);
    }
}

MsBounceReport *
ms_bounce_parse (GBytes  *raw,
                 GError **error)
{
  g_autoptr(GPtrArray) pieces = NULL;
  MsBounceReport *report = NULL;
  gsize length = 0;
  const char *data;

  g_return_val_if_fail (raw != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ensure_gmime ();
  data = g_bytes_get_data (raw, &length);
  if (data == NULL || length == 0)
    {
      g_set_error_literal (error, MS_BOUNCE_ERROR, MS_BOUNCE_ERROR_EMPTY,
                           _("The message is empty."));
      return NULL;
    }
  length = MIN (length, MAX_INPUT_BYTES);

  pieces = split_messages (data, length);
  for (guint i = 0; i < pieces->len; i++)
    {
      g_autoptr(GMimeMessage) message = parse_mime (g_ptr_array_index (pieces, i));
      MsBounceReport *one;

      if (message == NULL)
        continue;
      one = analyse_message (message, 0);
      if (report == NULL)
        report = one;
      else
        {
          merge_report (report, one);
          ms_bounce_report_free (one);
        }
    }

  if (report == NULL)
    g_set_error_literal (error, MS_BOUNCE_ERROR, MS_BOUNCE_ERROR_EMPTY,
                         _("The file holds no e-mail message."));
  else
    make_report_valid (report);
  return report;
}

/* Public helpers */

const char *
ms_bounce_kind_to_string (MsBounceKind kind)
{
  switch (kind)
    {
    case MS_BOUNCE_KIND_BOUNCE:
      return "bounce";
    case MS_BOUNCE_KIND_COMPLAINT:
      return "complaint";
    case MS_BOUNCE_KIND_AUTOREPLY:
      return "autoreply";
    case MS_BOUNCE_KIND_UNSUBSCRIBE:
      return "unsubscribe";
    case MS_BOUNCE_KIND_OTHER:
    default:
      return "other";
    }
}

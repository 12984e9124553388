/* ms-message.c
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


#define G_LOG_DOMAIN "ms-message"

#include "config.h"

#include <glib/gi18n.h>
#include <gmime/gmime.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <string.h>

#include "ms-address.h"
#include "ms-dkim.h"
#include "ms-merge.h"
#include "ms-message.h"

/* How a message is made
 *
 * GMime builds the MIME structure once per renderer: the multipart containers
 * with their boundaries, the part headers, and every attachment already
 * base64-encoded.  The text and HTML parts are holes in that skeleton: a
 * marker stands in their place, and the written skeleton is cut at the
 * markers.  Each message is then the personal header fields (To and Subject
 * encoded by GMime), the skeleton pieces, and the merged text and HTML run
 * through GMime's quoted-printable or base64 encoder, whichever the template
 * text suits (decided once: both are valid for any value).  So the per-message
 * work is the merge, one encoder pass per part and, when set, the DKIM hash
 * and signature. */

/* GMime 3.2 declares no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (InternetAddressList, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeContentType, g_object_unref)

#define TEST_SECRET "mailshot-test-secret"
#define MAX_LINE 998

typedef enum
{
  HOLE_NONE = -1,
  HOLE_TEXT = 0,
  HOLE_HTML = 1,
} Hole;

typedef struct
{
  char *text;
  gsize length;
  Hole  hole;       /* the part that follows this literal piece */
} Piece;

struct _MsMessageRenderer
{
  gatomicrefcount       ref_count;

  MsMergeTemplate      *subject;
  MsMergeTemplate      *text;
  MsMergeTemplate      *html;        /* NULL for text templates */
  char                 *html_prefix; /* the document around the HTML fragment */
  char                 *html_suffix;

  char                 *from_address;
  gboolean              sender_replaced;
  char                 *header_from;      /* "From: ...\r\n" */
  char                 *header_reply_to;  /* NULL or "Reply-To: ...\r\n" */
  char                 *unsubscribe_address;
  char                 *secret;
  char                 *campaign;

  GArray               *pieces;           /* Piece */
  GMimeContentEncoding  text_encoding;
  GMimeContentEncoding  html_encoding;
  gsize                 size_hint;

  GPtrArray            *signers;          /* MsDkimSigner */
  GDateTime            *date;             /* NULL: now */
  GTimeZone            *zone;             /* local, read once */
  GMutex                date_lock;        /* guards the two below */
  gint64                date_second;      /* of date_header */
  char                 *date_header;      /* "Date: ...\r\n" of that second */
  GMimeFormatOptions   *format;
};

G_DEFINE_QUARK (ms-message-error-quark, ms_message_error)

G_DEFINE_BOXED_TYPE (MsMessageRenderer, ms_message_renderer,
                     ms_message_renderer_ref, ms_message_renderer_unref)

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

static void
piece_clear (gpointer data)
{
  g_free (((Piece *) data)->text);
}

MsMessageRenderer *
ms_message_renderer_ref (MsMessageRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
ms_message_renderer_unref (MsMessageRenderer *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_clear_pointer (&self->subject, ms_merge_template_unref);
  g_clear_pointer (&self->text, ms_merge_template_unref);
  g_clear_pointer (&self->html, ms_merge_template_unref);
  g_free (self->html_prefix);
  g_free (self->html_suffix);
  g_free (self->from_address);
  g_free (self->header_from);
  g_free (self->header_reply_to);
  g_free (self->unsubscribe_address);
  g_free (self->secret);
  g_free (self->campaign);
  g_clear_pointer (&self->pieces, g_array_unref);
  g_clear_pointer (&self->signers, g_ptr_array_unref);
  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_mutex_clear (&self->date_lock);
  g_free (self->date_header);
  g_clear_pointer (&self->format, g_mime_format_options_free);
  g_free (self);
}

/* Helpers */

static gboolean
is_blank (const char *text)
{
  if (text == NULL)
    return TRUE;
  for (; *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* "\r\n" and lone "\r" become "\n". */
static char *
normalize_newlines (const char *text)
{
  GString *out;

  if (text == NULL)
    return g_strdup ("");
  if (strchr (text, '\r') == NULL)
    return g_strdup (text);
  out = g_string_sized_new (strlen (text));
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\r')
        {
          if (p[1] != '\n')
            g_string_append_c (out, '\n');
        }
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

/* Nothing in an address may end the header line or the angle brackets it is
 * written in (the full syntax check is ms_address_is_valid()). */
static gboolean
address_is_safe (const char *address)
{
  const char *at = NULL;

  if (address == NULL || address[0] == '\0')
    return FALSE;
  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
        return FALSE;
      if (c == '@')
        at = p;
    }
  return at != NULL && at != address && at[1] != '\0';
}

static void
append_crlf_from_lf (GString    *out,
                     const char *text,
                     gsize       length)
{
  const char *p = text;
  const char *end = text + length;

  while (p < end)
    {
      const char *lf = memchr (p, '\n', end - p);

      if (lf == NULL)
        {
          g_string_append_len (out, p, end - p);
          break;
        }
      g_string_append_len (out, p, lf - p);
      g_string_append_len (out, "\r\n", 2);
      p = lf + 1;
    }
}

/* Quoted-printable (RFC 2045 §6.7) of text with LF line ends, written with
 * CRLF line ends in one pass.  Lines stay within 76 characters; white space
 * before a line end, "=", controls and 8-bit octets are encoded, and so are a
 * "." or the "F" of "From " at the start of a line, which some transports
 * mangle.  (GMime's encoder gives the same encoding but took a third of the
 * time of a message in bench-render, plus a pass to change line ends.) */
static void
append_quoted_printable (GString    *out,
                         const char *text,
                         gsize       length)
{
  static const char hex[] = "0123456789ABCDEF";
  gsize start = out->len;
  guint column = 0;
  char *o;

  g_string_set_size (out, start + length * 3 + (length / 24 + 2) * 3 + 2);
  o = out->str + start;
  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];
      gboolean literal;

      /* Fast path: an ordinary character inside a line with room. */
      if (column > 0 && column < 75
          && ((c >= 33 && c <= 126 && c != '=')
              || (c == ' ' && i + 1 < length && text[i + 1] != '\n')))
        {
          *o++ = (char) c;
          column++;
          continue;
        }
      if (c == '\n')
        {
          *o++ = '\r';
          *o++ = '\n';
          column = 0;
          continue;
        }
      for (;;)
        {
          if (c >= 33 && c <= 126 && c != '=')
            literal = column > 0 || (c != '.' && !(c == 'F' && length - i >= 5
                                                   && memcmp (text + i, "From ", 5) == 0));
          else if (c == ' ' || c == '\t')
            literal = i + 1 < length && text[i + 1] != '\n';
          else
            literal = FALSE;
          if (column + (literal ? 1 : 3) <= 75)
            break;
          /* Soft line break: "=" ends a line of at most 76 characters. */
          *o++ = '=';
          *o++ = '\r';
          *o++ = '\n';
          column = 0;
        }
      if (literal)
        {
          *o++ = (char) c;
          column++;
        }
      else
        {
          *o++ = '=';
          *o++ = hex[c >> 4];
          *o++ = hex[c & 15];
          column += 3;
        }
    }
  g_string_truncate (out, o - out->str);
}

/* Encodes text (LF line ends) for the part and appends it with CRLF line
 * ends, ending with a line break. */
static void
append_encoded (GString              *out,
                GString              *scratch,
                GMimeContentEncoding  encoding,
                const char           *text,
                gsize                 length)
{
  if (length == 0 || text[length - 1] != '\n')
    {
      g_string_assign (scratch, "");
      g_string_append_len (scratch, text, length);
      g_string_append_c (scratch, '\n');
      text = scratch->str;
      length = scratch->len;
    }

  if (encoding == GMIME_CONTENT_ENCODING_BASE64)
    {
      g_autoptr(GString) canonical = g_string_sized_new (length + length / 32 + 2);
      g_autofree guchar *encoded = NULL;
      int state = 0;
      guint32 save = 0;
      gsize n;

      /* Text is CRLF-canonical before base64 (RFC 2045 §6.8). */
      append_crlf_from_lf (canonical, text, length);
      encoded = g_malloc (GMIME_BASE64_ENCODE_LEN (canonical->len));
      n = g_mime_encoding_base64_encode_close ((const guchar *) canonical->str, canonical->len,
                                               encoded, &state, &save);
      append_crlf_from_lf (out, (const char *) encoded, n);
    }
  else
    append_quoted_printable (out, text, length);
  if (out->len < 2 || out->str[out->len - 1] != '\n')
    g_string_append_len (out, "\r\n", 2);
}

/* RFC 2047 encoded words of UTF-8 text, for the rare header the GMime encoder
 * leaves with an over-long word: base64 words of at most 45 octets, never
 * splitting a character. */
static char *
encode_words_strictly (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      const char *start = p;
      g_autofree char *b64 = NULL;

      while (*p != '\0')
        {
          const char *next = g_utf8_next_char (p);

          if (next - start > 45)
            break;
          p = next;
        }
      if (p == start)
        p = g_utf8_next_char (p);
      b64 = g_base64_encode ((const guchar *) start, p - start);
      g_string_append_printf (out, "%s=?UTF-8?B?%s?=", out->len > 0 ? " " : "", b64);
    }
  return g_string_free (out, FALSE);
}

/* Appends "Name: value\r\n", folding the (already encoded, space-separated)
 * value at spaces so lines stay under 78 columns where the words allow. */
static void
append_folded (GString    *out,
               const char *name,
               const char *value)
{
  gsize line_start = out->len;
  const char *p = value;

  g_string_append (out, name);
  g_string_append_c (out, ':');
  while (*p != '\0')
    {
      const char *space = strchr (p, ' ');
      gsize word_len = space != NULL ? (gsize) (space - p) : strlen (p);

      if (word_len > 0 && out->len - line_start + 1 + word_len > 78
          && out->len - line_start > strlen (name) + 1)
        {
          g_string_append_len (out, "\r\n", 2);
          line_start = out->len;
        }
      g_string_append_c (out, ' ');
      g_string_append_len (out, p, word_len);
      p += word_len;
      if (*p == ' ')
        p++;
      /* Runs of spaces: keep them (they unfold back to the same text). */
      while (*p == ' ')
        {
          g_string_append_c (out, ' ');
          p++;
        }
    }
  g_string_append_len (out, "\r\n", 2);
}

static gboolean
has_long_word (const char *text,
               gsize       limit)
{
  gsize run = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      run = *p == ' ' ? 0 : run + 1;
      if (run > limit)
        return TRUE;
    }
  return FALSE;
}

static void
append_unstructured (MsMessageRenderer *self,
                     GString           *out,
                     const char        *name,
                     const char        *value)
{
  g_autofree char *encoded = NULL;

  /* Text that looks like an encoded word ("=?utf-8?q?...?=") would be decoded
   * by the reader: then every word is encoded. */
  if (strstr (value, "=?") == NULL)
    encoded = g_mime_utils_header_encode_text (self->format, value, "UTF-8");
  if (encoded == NULL || has_long_word (encoded, 900))
    {
      g_free (encoded);
      encoded = encode_words_strictly (value);
    }
  append_folded (out, name, encoded);
}

static void
append_mailbox (MsMessageRenderer *self,
                GString           *out,
                const char        *name,
                const char        *display_name,
                const char        *address)
{
  g_autoptr(InternetAddressList) list = NULL;
  g_autoptr(GString) encoded = NULL;
  InternetAddress *mailbox;

  /* GMime passes a name like "=?utf-8?b?...?=" through, and readers would
   * decode it: such names are encoded word by word here. */
  if (display_name != NULL && strstr (display_name, "=?") != NULL)
    {
      g_autofree char *words = encode_words_strictly (display_name);
      g_autofree char *value = g_strdup_printf ("%s <%s>", words, address);

      append_folded (out, name, value);
      return;
    }

  list = internet_address_list_new ();
  mailbox = internet_address_mailbox_new (display_name != NULL ? display_name : "", address);
  internet_address_set_charset (mailbox, "UTF-8");
  internet_address_list_add (list, mailbox);
  g_object_unref (mailbox);

  /* GMime folds by the length of the whole string: give it a fresh one. */
  encoded = g_string_sized_new (128);
  g_string_append (encoded, name);
  g_string_append (encoded, ": ");
  internet_address_list_encode (list, self->format, encoded);
  g_string_append_len (out, encoded->str, encoded->len);
  if (out->len < 2 || out->str[out->len - 1] != '\n')
    g_string_append_len (out, "\r\n", 2);
}

static char *
sanitize_header_text (const char *text)
{
  GString *out = g_string_sized_new (strlen (text));
  gboolean in_break = FALSE;

  for (const char *p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f)
        {
          if (!in_break)
            g_string_append_c (out, ' ');
          in_break = TRUE;
          continue;
        }
      in_break = FALSE;
      g_string_append_c (out, *p);
    }
  return g_strstrip (g_string_free (out, FALSE));
}

static void
append_date (GString   *out,
             GDateTime *date)
{
  static const char * const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char * const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  gint64 offset = g_date_time_get_utc_offset (date) / G_TIME_SPAN_MINUTE;

  g_string_append_printf (out, "Date: %s, %02d %s %04d %02d:%02d:%02d %c%02d%02d\r\n",
                          days[g_date_time_get_day_of_week (date) - 1],
                          g_date_time_get_day_of_month (date),
                          months[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date),
                          g_date_time_get_hour (date),
                          g_date_time_get_minute (date),
                          g_date_time_get_second (date),
                          offset < 0 ? '-' : '+',
                          (int) (ABS (offset) / 60), (int) (ABS (offset) % 60));
}

/* Tokens */

static gboolean
campaign_is_valid (const char *campaign)
{
  gsize len = strlen (campaign);

  if (len == 0 || len > 64)
    return FALSE;
  for (const char *p = campaign; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-')
      return FALSE;
  return TRUE;
}

static void
token_mac (const char *secret,
           const char *campaign,
           const char *email,
           char        out[27])
{
  static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  g_autoptr(GHmac) hmac = NULL;
  g_autofree char *lower = g_utf8_strdown (email, -1);
  guint8 digest[32];
  gsize digest_len = sizeof digest;
  guint bits = 0;
  guint32 buffer = 0;
  guint n = 0;

  if (secret == NULL)
    secret = TEST_SECRET;
  hmac = g_hmac_new (G_CHECKSUM_SHA256, (const guchar *) secret, strlen (secret));
  g_hmac_update (hmac, (const guchar *) campaign, strlen (campaign));
  g_hmac_update (hmac, (const guchar *) "", 1);
  g_hmac_update (hmac, (const guchar *) lower, strlen (lower));
  g_hmac_get_digest (hmac, digest, &digest_len);

  /* The first 128 bits in base32: 26 characters (the last holds 3 bits). */
  for (guint i = 0; i < 16; i++)
    {
      buffer = (buffer << 8) | digest[i];
      bits += 8;
      while (bits >= 5)
        {
          out[n++] = alphabet[(buffer >> (bits - 5)) & 31];
          bits -= 5;
        }
    }
  if (bits > 0)
    out[n++] = alphabet[(buffer << (5 - bits)) & 31];
  out[n] = '\0';
  g_assert (n == 26);
}

char *
ms_message_unsubscribe_token (const char *secret,
                              const char *campaign,
                              const char *email)
{
  char mac[27];

  g_return_val_if_fail (campaign != NULL && campaign_is_valid (campaign), NULL);
  g_return_val_if_fail (email != NULL, NULL);

  token_mac (secret, campaign, email, mac);
  return g_strconcat (campaign, ".", mac, NULL);
}

gboolean
ms_message_verify_unsubscribe_token (const char  *secret,
                                     const char  *token,
                                     const char  *email,
                                     char       **out_campaign)
{
  g_autofree char *campaign = NULL;
  g_autofree char *lower = NULL;
  const char *dot;
  char expected[27];

  if (out_campaign != NULL)
    *out_campaign = NULL;
  g_return_val_if_fail (email != NULL, FALSE);

  if (token == NULL || (dot = strrchr (token, '.')) == NULL || strlen (dot + 1) != 26)
    return FALSE;
  campaign = g_strndup (token, dot - token);
  if (!campaign_is_valid (campaign))
    return FALSE;

  /* Mail programs may change the case of a subject line. */
  lower = g_ascii_strdown (dot + 1, -1);
  token_mac (secret, campaign, email, expected);
  if (out_campaign != NULL)
    *out_campaign = g_strdup (campaign);
  return CRYPTO_memcmp (expected, lower, 26) == 0;
}

char *
ms_message_new_message_id (const char *domain)
{
  guchar random[16];
  char hex[33];

  g_return_val_if_fail (domain != NULL && domain[0] != '\0', NULL);

  if (RAND_bytes (random, sizeof random) != 1)
    {
      for (guint i = 0; i < sizeof random; i++)
        random[i] = (guchar) g_random_int_range (0, 256);
    }
  for (guint i = 0; i < sizeof random; i++)
    g_snprintf (hex + 2 * i, 3, "%02x", random[i]);
  return g_strdup_printf ("%s@%s", hex, domain);
}

/* The renderer */

static gboolean
check_address (const char  *address,
               const char  *what,
               GError     **error)
{
  if (address_is_safe (address) && ms_address_is_valid (address))
    return TRUE;
  g_set_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_BAD_ADDRESS,
               /* TRANSLATORS: the first %s is a header such as From or Reply-To */
               _("The %s address “%s” is not a valid email address."), what, address);
  return FALSE;
}

static gboolean
resolve_sender (MsMessageRenderer      *self,
                MsTemplate             *tmpl,
                const MsMessageSender  *sender,
                GError                **error)
{
  const char *tmpl_address = ms_template_get_sender_address (tmpl);
  const char *tmpl_name = ms_template_get_sender_name (tmpl);
  const char *reply_to = ms_template_get_reply_to (tmpl);
  const char *server_address = sender->from_address;
  const char *name = NULL;
  g_autofree char *clean_name = NULL;
  GString *header;

  if (is_blank (tmpl_address))
    tmpl_address = NULL;
  if (is_blank (tmpl_name))
    tmpl_name = NULL;
  if (is_blank (reply_to))
    reply_to = NULL;
  if (is_blank (server_address))
    server_address = NULL;

  if (tmpl_address != NULL
      && (server_address == NULL || sender->allow_sender_substitution
          || g_ascii_strcasecmp (tmpl_address, server_address) == 0))
    {
      self->from_address = g_strstrip (g_strdup (tmpl_address));
      name = tmpl_name;
      if (name == NULL && server_address != NULL
          && g_ascii_strcasecmp (tmpl_address, server_address) == 0)
        name = sender->from_name;
    }
  else if (server_address != NULL)
    {
      self->from_address = g_strstrip (g_strdup (server_address));
      name = tmpl_name != NULL ? tmpl_name : sender->from_name;
      if (tmpl_address != NULL)
        {
          self->sender_replaced = TRUE;
          /* Replies still reach the address the template's author chose. */
          if (reply_to == NULL)
            reply_to = tmpl_address;
        }
    }
  else
    {
      g_set_error_literal (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_NO_SENDER,
                           _("The template has no sender address and no server gives one."));
      return FALSE;
    }

  if (!check_address (self->from_address, "From", error))
    return FALSE;

  header = g_string_new (NULL);
  clean_name = name != NULL ? sanitize_header_text (name) : NULL;
  append_mailbox (self, header, "From", clean_name, self->from_address);
  self->header_from = g_string_free (header, FALSE);

  if (reply_to != NULL)
    {
      g_autofree char *address = g_strstrip (g_strdup (reply_to));

      if (!check_address (address, "Reply-To", error))
        return FALSE;
      header = g_string_new (NULL);
      append_mailbox (self, header, "Reply-To", NULL, address);
      self->header_reply_to = g_string_free (header, FALSE);
    }
  return TRUE;
}

static gboolean
compile_bodies (MsMessageRenderer   *self,
                MsTemplate          *tmpl,
                const char * const  *custom_fields,
                GError             **error)
{
  g_autofree char *body = normalize_newlines (ms_template_get_body (tmpl));
  g_autofree char *subject = normalize_newlines (ms_template_get_subject (tmpl));

  if (!(self->subject = ms_merge_compile (subject, MS_MERGE_MODE_HEADER, custom_fields, error)))
    {
      g_prefix_error (error, _("Subject: "));
      return FALSE;
    }

  switch (ms_template_get_body_format (tmpl))
    {
    case MS_BODY_FORMAT_MARKDOWN:
      if (!ms_merge_compile_markdown (body, custom_fields, &self->text, &self->html, error))
        return FALSE;
      break;
    case MS_BODY_FORMAT_HTML:
      {
        const char *text_alt = ms_template_get_text_alt (tmpl);

        if (!is_blank (text_alt))
          {
            g_autofree char *alt = normalize_newlines (text_alt);

            if (!(self->html = ms_merge_compile (body, MS_MERGE_MODE_HTML, custom_fields, error)))
              return FALSE;
            if (!(self->text = ms_merge_compile (alt, MS_MERGE_MODE_TEXT, custom_fields, error)))
              {
                g_prefix_error (error, _("Text part: "));
                return FALSE;
              }
          }
        else if (!ms_merge_compile_html (body, custom_fields, &self->text, &self->html, error))
          return FALSE;
      }
      break;
    case MS_BODY_FORMAT_TEXT:
    default:
      if (!(self->text = ms_merge_compile (body, MS_MERGE_MODE_TEXT, custom_fields, error)))
        return FALSE;
      break;
    }

  if (self->html != NULL)
    {
      g_autofree char *lower = g_ascii_strdown (body, -1);
      /* An HTML template that is a whole document is sent as it is. */
      gboolean whole_document = ms_template_get_body_format (tmpl) == MS_BODY_FORMAT_HTML
                                && strstr (lower, "<html") != NULL;

      if (whole_document)
        {
          self->html_prefix = g_strdup ("");
          self->html_suffix = g_strdup ("");
        }
      else
        {
          self->html_prefix = g_strdup ("<!DOCTYPE html>\n<html>\n<head>\n"
                                        "<meta charset=\"utf-8\">\n"
                                        "<meta name=\"viewport\" content=\"width=device-width, "
                                        "initial-scale=1\">\n</head>\n<body>\n");
          self->html_suffix = g_strdup ("</body>\n</html>\n");
        }
    }
  return TRUE;
}

/* Content-Transfer-Encoding for a part, from its template text: GMime's rule
 * (base64 when more than about a sixth of the octets are 8-bit). */
static GMimeContentEncoding
choose_encoding (MsMessageRenderer *self,
                 MsMergeTemplate   *tmpl)
{
  g_autoptr(MsContact) sample = ms_contact_new ("sample@example.org");
  g_auto(GStrv) fields = ms_merge_get_fields (tmpl);
  g_autofree char *text = NULL;
  GMimeContentEncoding encoding;

  /* Every field a short ASCII value: the template's own text decides. */
  ms_contact_set_name (sample, "x");
  ms_contact_set_first_name (sample, "x");
  ms_contact_set_last_name (sample, "x");
  for (guint i = 0; fields[i] != NULL; i++)
    ms_contact_set_field (sample, fields[i], "x");
  text = ms_merge_render (tmpl, sample, NULL);
  if (text == NULL || text[0] == '\0')
    return GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
  encoding = g_mime_utils_best_encoding ((const guchar *) text, strlen (text));
  return encoding == GMIME_CONTENT_ENCODING_BASE64 ? GMIME_CONTENT_ENCODING_BASE64
                                                   : GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
}

static GMimeObject *
marker_part (const char           *subtype,
             const char           *marker,
             GMimeContentEncoding  encoding)
{
  GMimeTextPart *part = g_mime_text_part_new_with_subtype (subtype);
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  g_autofree char *content = g_strconcat (marker, "\n", NULL);

  g_mime_text_part_set_charset (part, "utf-8");
  stream = g_mime_stream_mem_new_with_buffer (content, strlen (content));
  /* Content already "encoded": GMime copies it untouched. */
  wrapper = g_mime_data_wrapper_new_with_stream (stream, encoding);
  g_mime_part_set_content (GMIME_PART (part), wrapper);
  g_mime_part_set_content_encoding (GMIME_PART (part), encoding);
  return GMIME_OBJECT (part);
}

static void
set_utf8_parameter (GMimeParamList *params,
                    const char     *name)
{
  GMimeParam *param = params != NULL ? g_mime_param_list_get_parameter (params, name) : NULL;

  if (param != NULL)
    g_mime_param_set_charset (param, "UTF-8");
}

static GMimeObject *
attachment_part (const MsAttachment *attachment)
{
  g_autoptr(GMimeContentType) type = NULL;
  g_autoptr(GMimeStream) stream = NULL;
  g_autoptr(GMimeDataWrapper) wrapper = NULL;
  g_autofree char *filename = sanitize_header_text (attachment->filename);
  GMimePart *part;
  gsize size = 0;
  gconstpointer data = g_bytes_get_data (attachment->data, &size);

  type = g_mime_content_type_parse (NULL, attachment->content_type != NULL
                                          ? attachment->content_type
                                          : "application/octet-stream");
  if (type == NULL || g_mime_content_type_get_media_type (type) == NULL
      || g_mime_content_type_get_media_subtype (type) == NULL)
    {
      g_clear_object (&type);
      type = g_mime_content_type_new ("application", "octet-stream");
    }
  part = g_mime_part_new_with_type (g_mime_content_type_get_media_type (type),
                                    g_mime_content_type_get_media_subtype (type));
  g_mime_part_set_filename (part, filename[0] != '\0' ? filename : "attachment");
  set_utf8_parameter (g_mime_content_type_get_parameters (g_mime_object_get_content_type (GMIME_OBJECT (part))),
                      "name");
  set_utf8_parameter (g_mime_content_disposition_get_parameters (g_mime_object_get_content_disposition (GMIME_OBJECT (part))),
                      "filename");

  stream = g_mime_stream_mem_new_with_buffer (data != NULL ? data : "", size);
  wrapper = g_mime_data_wrapper_new_with_stream (stream, GMIME_CONTENT_ENCODING_DEFAULT);
  g_mime_part_set_content (part, wrapper);
  g_mime_part_set_content_encoding (part, GMIME_CONTENT_ENCODING_BASE64);
  return GMIME_OBJECT (part);
}

/* Builds the MIME skeleton with GMime and cuts it at the markers. */
static gboolean
build_skeleton (MsMessageRenderer  *self,
                MsTemplate         *tmpl,
                GError            **error)
{
  g_autoptr(GMimeObject) root = NULL;
  g_autofree char *nonce = NULL;
  g_autofree char *text_marker = NULL;
  g_autofree char *html_marker = NULL;
  const char *markers[2];
  g_autofree char *written = NULL;
  GPtrArray *attachments = ms_template_get_attachments (tmpl);
  const char *p;
  guchar random[8];

  if (RAND_bytes (random, sizeof random) != 1)
    for (guint i = 0; i < sizeof random; i++)
      random[i] = (guchar) g_random_int_range (0, 256);
  nonce = g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x", random[0], random[1], random[2],
                           random[3], random[4], random[5], random[6], random[7]);
  markers[HOLE_TEXT] = text_marker = g_strdup_printf ("MAILSHOTPARTTEXT%s", nonce);
  markers[HOLE_HTML] = html_marker = g_strdup_printf ("MAILSHOTPARTHTML%s", nonce);

  self->text_encoding = choose_encoding (self, self->text);
  root = marker_part ("plain", markers[HOLE_TEXT], self->text_encoding);
  if (self->html != NULL)
    {
      GMimeMultipart *alternative = g_mime_multipart_new_with_subtype ("alternative");
      g_autoptr(GMimeObject) html = NULL;

      self->html_encoding = choose_encoding (self, self->html);
      html = marker_part ("html", markers[HOLE_HTML], self->html_encoding);
      g_mime_multipart_add (alternative, root);
      g_mime_multipart_add (alternative, html);
      g_object_unref (root);
      root = GMIME_OBJECT (alternative);
    }
  if (attachments->len > 0)
    {
      GMimeMultipart *mixed = g_mime_multipart_new_with_subtype ("mixed");

      g_mime_multipart_add (mixed, root);
      for (guint i = 0; i < attachments->len; i++)
        {
          g_autoptr(GMimeObject) part = attachment_part (g_ptr_array_index (attachments, i));

          g_mime_multipart_add (mixed, part);
        }
      g_object_unref (root);
      root = GMIME_OBJECT (mixed);
    }

  written = g_mime_object_to_string (root, self->format);
  if (written == NULL)
    {
      g_set_error_literal (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED,
                           _("GMime could not write the message structure."));
      return FALSE;
    }

  /* Cut at "MARKER\r\n". */
  p = written;
  for (;;)
    {
      const char *hits[2] = {
        strstr (p, markers[HOLE_TEXT]),
        self->html != NULL ? strstr (p, markers[HOLE_HTML]) : NULL,
      };
      Hole hole = HOLE_NONE;
      Piece piece;

      if (hits[HOLE_TEXT] != NULL
          && (hits[HOLE_HTML] == NULL || hits[HOLE_TEXT] < hits[HOLE_HTML]))
        hole = HOLE_TEXT;
      else if (hits[HOLE_HTML] != NULL)
        hole = HOLE_HTML;

      if (hole == HOLE_NONE)
        {
          piece.text = g_strdup (p);
          piece.length = strlen (p);
          piece.hole = HOLE_NONE;
          g_array_append_val (self->pieces, piece);
          self->size_hint += piece.length;
          break;
        }
      piece.text = g_strndup (p, hits[hole] - p);
      piece.length = hits[hole] - p;
      piece.hole = hole;
      g_array_append_val (self->pieces, piece);
      self->size_hint += piece.length;
      p = hits[hole] + strlen (markers[hole]);
      if (p[0] == '\r' && p[1] == '\n')
        p += 2;
      else if (p[0] == '\n')
        p += 1;
    }
  return TRUE;
}

MsMessageRenderer *
ms_message_renderer_new (MsTemplate              *tmpl,
                         const MsMessageSender   *sender,
                         const char * const      *custom_fields,
                         GError                 **error)
{
  g_autoptr(MsMessageRenderer) self = NULL;
  MsMessageSender none = { NULL, NULL, FALSE, NULL, NULL, NULL };

  g_return_val_if_fail (MS_IS_TEMPLATE (tmpl), NULL);

  ensure_gmime ();
  if (sender == NULL)
    sender = &none;

  self = g_new0 (MsMessageRenderer, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->pieces = g_array_new (FALSE, TRUE, sizeof (Piece));
  g_array_set_clear_func (self->pieces, piece_clear);
  self->signers = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_dkim_signer_unref);
  self->format = g_mime_format_options_new ();
  g_mime_format_options_set_newline_format (self->format, GMIME_NEWLINE_FORMAT_DOS);
  /* GLib looks at /etc/localtime on every "now, local": once is enough. */
  self->zone = g_time_zone_new_local ();
  g_mutex_init (&self->date_lock);
  self->date_second = G_MININT64;

  self->campaign = g_strdup (sender->campaign != NULL ? sender->campaign : "test");
  if (!campaign_is_valid (self->campaign))
    {
      g_set_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED,
                   _("“%s” cannot name a campaign in a header: use letters, digits, _ and -."),
                   self->campaign);
      return NULL;
    }
  self->secret = g_strdup (sender->secret != NULL ? sender->secret : TEST_SECRET);
  if (!is_blank (sender->unsubscribe_address))
    {
      self->unsubscribe_address = g_strstrip (g_strdup (sender->unsubscribe_address));
      if (!check_address (self->unsubscribe_address, "List-Unsubscribe", error))
        return NULL;
    }

  if (!compile_bodies (self, tmpl, custom_fields, error)
      || !resolve_sender (self, tmpl, sender, error)
      || !build_skeleton (self, tmpl, error))
    return NULL;
  return g_steal_pointer (&self);
}

gboolean
ms_message_renderer_set_dkim (MsMessageRenderer  *self,
                              const char         *domain,
                              const char         *selector,
                              const char         *pem_private_key,
                              GError            **error)
{
  g_autoptr(GError) local_error = NULL;
  MsDkimSigner *signer;

  g_return_val_if_fail (self != NULL, FALSE);

  signer = ms_dkim_signer_new (domain, selector, pem_private_key, &local_error);
  if (signer == NULL)
    {
      g_set_error_literal (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_DKIM, local_error->message);
      return FALSE;
    }
  g_ptr_array_add (self->signers, signer);
  return TRUE;
}

void
ms_message_renderer_set_date (MsMessageRenderer *self,
                              GDateTime         *date)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->date, g_date_time_unref);
  if (date != NULL)
    self->date = g_date_time_ref (date);
}

const char *
ms_message_renderer_get_from_address (MsMessageRenderer *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->from_address;
}

gboolean
ms_message_renderer_get_sender_replaced (MsMessageRenderer *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->sender_replaced;
}

static char *
render_subject (MsMessageRenderer  *self,
                MsContact          *contact,
                GError            **error)
{
  g_autofree char *subject = ms_merge_render (self->subject, contact, error);

  if (subject == NULL)
    return NULL;
  /* The literal text too must stay on one line. */
  return sanitize_header_text (subject);
}

static gboolean
render_html (MsMessageRenderer  *self,
             MsContact          *contact,
             GString            *out,
             GError            **error)
{
  g_string_append (out, self->html_prefix);
  if (!ms_merge_render_append (self->html, contact, out, error))
    return FALSE;
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append (out, self->html_suffix);
  return TRUE;
}

/* Appends the Date field and returns its time; the text is made once a
 * second. */
static gint64
append_date_header (MsMessageRenderer *self,
                    GString           *out)
{
  gint64 second;

  if (self->date != NULL)
    {
      append_date (out, self->date);
      return g_date_time_to_unix (self->date);
    }

  second = g_get_real_time () / G_USEC_PER_SEC;
  g_mutex_lock (&self->date_lock);
  if (second != self->date_second)
    {
      g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (second);
      g_autoptr(GDateTime) local = g_date_time_to_timezone (utc, self->zone);
      GString *header = g_string_new (NULL);

      append_date (header, local);
      g_free (self->date_header);
      self->date_header = g_string_free (header, FALSE);
      self->date_second = second;
    }
  g_string_append (out, self->date_header);
  g_mutex_unlock (&self->date_lock);
  return second;
}

static gboolean
strip_message_id (const char  *message_id,
                  char       **out,
                  GError     **error)
{
  const char *start = message_id;
  gsize len;

  if (message_id != NULL && message_id[0] == '<')
    start++;
  len = message_id != NULL ? strlen (start) : 0;
  if (len > 0 && start[len - 1] == '>' && start != message_id)
    len--;
  if (len == 0 || len > 250 || memchr (start, '@', len) == NULL)
    goto bad;
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) start[i];

      if (c <= ' ' || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\')
        goto bad;
    }
  *out = g_strndup (start, len);
  return TRUE;

bad:
  g_set_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED,
               _("“%s” is not a valid Message-ID."), message_id != NULL ? message_id : "");
  return FALSE;
}

GBytes *
ms_message_renderer_render (MsMessageRenderer  *self,
                            MsContact          *contact,
                            const char         *message_id,
                            GError            **error)
{
  g_autoptr(GString) out = NULL;
  g_autoptr(GString) part = NULL;
  g_autoptr(GString) scratch = NULL;
  gint64 timestamp;
  g_autofree char *id = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *clean_name = NULL;
  g_autofree char *token = NULL;
  const char *email;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (MS_IS_CONTACT (contact), NULL);

  email = ms_contact_get_email (contact);
  if (!address_is_safe (email) || !ms_address_is_valid (email))
    {
      g_set_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_BAD_ADDRESS,
                   _("The contact address “%s” is not a valid email address."),
                   email != NULL ? email : "");
      return NULL;
    }
  if (!strip_message_id (message_id, &id, error))
    return NULL;
  if (!(subject = render_subject (self, contact, error)))
    return NULL;

  out = g_string_sized_new (self->size_hint * 2 + 1024);
  part = g_string_sized_new (4096);
  scratch = g_string_sized_new (64);

  g_string_append (out, self->header_from);
  display_name = ms_contact_dup_display_name (contact);
  clean_name = sanitize_header_text (display_name);
  append_mailbox (self, out, "To", clean_name, email);
  append_unstructured (self, out, "Subject", subject);
  timestamp = append_date_header (self, out);
  g_string_append_printf (out, "Message-ID: <%s>\r\n", id);
  if (self->header_reply_to != NULL)
    g_string_append (out, self->header_reply_to);
  g_string_append (out, "MIME-Version: 1.0\r\n");
  token = ms_message_unsubscribe_token (self->secret, self->campaign, email);
  if (self->unsubscribe_address != NULL)
    g_string_append_printf (out, "List-Unsubscribe: <mailto:%s?subject=unsubscribe%%20%s>\r\n",
                            self->unsubscribe_address, token);
  g_string_append_printf (out, "X-Mailshot-Campaign: %s\r\nX-Mailshot-Delivery: %s\r\n",
                          self->campaign, token);

  for (guint i = 0; i < self->pieces->len; i++)
    {
      const Piece *piece = &g_array_index (self->pieces, Piece, i);

      g_string_append_len (out, piece->text, piece->length);
      if (piece->hole == HOLE_NONE)
        continue;

      g_string_truncate (part, 0);
      if (piece->hole == HOLE_TEXT)
        {
          if (!ms_merge_render_append (self->text, contact, part, error))
            return NULL;
          append_encoded (out, scratch, self->text_encoding, part->str, part->len);
        }
      else
        {
          if (!render_html (self, contact, part, error))
            return NULL;
          append_encoded (out, scratch, self->html_encoding, part->str, part->len);
        }
    }

  if (self->signers->len > 0)
    {
      g_autoptr(GString) signatures = g_string_new (NULL);
      for (guint i = 0; i < self->signers->len; i++)
        {
          g_autofree char *header = NULL;

          header = ms_dkim_signer_sign (g_ptr_array_index (self->signers, i),
                                        out->str, out->len, timestamp, error);
          if (header == NULL)
            return NULL;
          g_string_append (signatures, header);
        }
      g_string_prepend_len (out, signatures->str, signatures->len);
    }

  return g_string_free_to_bytes (g_steal_pointer (&out));
}

gboolean
ms_message_renderer_render_parts (MsMessageRenderer  *self,
                                  MsContact          *contact,
                                  char              **out_subject,
                                  char              **out_text,
                                  char              **out_html,
                                  GError            **error)
{
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autoptr(GString) html = NULL;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (MS_IS_CONTACT (contact), FALSE);

  if (!(subject = render_subject (self, contact, error)))
    return FALSE;
  if (!(text = ms_merge_render (self->text, contact, error)))
    return FALSE;
  if (self->html != NULL)
    {
      html = g_string_new (NULL);
      if (!render_html (self, contact, html, error))
        return FALSE;
    }

  if (out_subject != NULL)
    *out_subject = g_steal_pointer (&subject);
  if (out_text != NULL)
    *out_text = g_steal_pointer (&text);
  if (out_html != NULL)
    *out_html = html != NULL ? g_string_free (g_steal_pointer (&html), FALSE) : NULL;
  return TRUE;
}

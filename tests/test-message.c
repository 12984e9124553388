/* test-message.c
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


#define G_LOG_DOMAIN "test-message"

#include "config.h"

#include <glib/gstdio.h>
#include <gmime/gmime.h>
#include <locale.h>
#include <string.h>

#include <glib.h>

#include "ms-json.h"
#include "ms-merge.h"
#include "ms-message.h"
#include "ms-store-private.h"
#include "ms-store-templates.h"

/* GMime 3.2 declares no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)

/* Messages are parsed back twice: with GMime here, and with Python's email
 * package (tests/check-message.py) in /core/message/python. */

#define SUBJECT_TEMPLATE "Grüße, {{first_name}}! Ваш заказ №{{order | \"0\"}} готов — " \
                         "bitte holen Sie ihn bald ab"
#define MESSAGE_ID "20260105.abc123@example.org"

static char *tmp_dir;
static MsJsonWriter *expect;   /* the cases for check-message.py */
static guint n_files;

static GBytes *
binary_data (void)
{
  guchar *data = g_malloc (3000);

  for (guint i = 0; i < 3000; i++)
    data[i] = (guchar) (i * 7 + i / 256);
  return g_bytes_new_take (data, 3000);
}

static MsContact *
make_contact (void)
{
  MsContact *contact = ms_contact_new ("ivan.petrov@example.net");

  ms_contact_set_first_name (contact, "Иван");
  ms_contact_set_last_name (contact, "Петров-Müller");
  ms_contact_set_field (contact, "order", "4711");
  ms_contact_set_field (contact, "company", "Müller & Söhne <GmbH>");
  return contact;
}

static MsContact *
make_hostile_contact (void)
{
  MsContact *contact = ms_contact_new ("victim@example.net");

  ms_contact_set_name (contact, "Eve\r\nBcc: x@evil.example\r\nX-Injected: yes");
  ms_contact_set_first_name (contact, "Eve\r\nBcc: x@evil.example");
  ms_contact_set_field (contact, "order", "1\r\n\r\n<script>alert(1)</script>");
  ms_contact_set_field (contact, "company", "<img src=x onerror=alert(1)>");
  return contact;
}

static MsTemplate *
make_markdown_template (void)
{
  MsTemplate *tmpl = ms_template_new ("markdown");
  g_autoptr(GBytes) binary = binary_data ();
  g_autoptr(GBytes) text = g_bytes_new_static ("Grüße\nи привет\n", strlen ("Grüße\nи привет\n"));
  g_autoptr(MsAttachment) first = ms_attachment_new ("Отчёт за квартал.bin", "application/octet-stream", binary);
  g_autoptr(MsAttachment) second = ms_attachment_new ("notes.txt", "text/plain", text);

  ms_template_set_subject (tmpl, SUBJECT_TEMPLATE);
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_MARKDOWN);
  ms_template_set_body (tmpl,
                        "# Hello {{first_name}}\n"
                        "\n"
                        "Your company: **{{company | \"none\"}}**.\n"
                        "Order {{order}} is [ready](https://shop.example.org/o/{{order}}).\n");
  ms_template_set_sender_address (tmpl, "news@example.org");
  ms_template_set_sender_name (tmpl, "Рассылка Müller");
  ms_template_set_reply_to (tmpl, "help@example.org");
  ms_template_add_attachment (tmpl, first);
  ms_template_add_attachment (tmpl, second);
  return tmpl;
}

static MsMessageSender
default_sender (void)
{
  MsMessageSender sender = { "news@example.org", "Example News", FALSE,
                             "unsubscribe@example.org", "s3cret", "c17" };

  return sender;
}

static MsMessageRenderer *
new_renderer (MsTemplate *tmpl)
{
  MsMessageSender sender = default_sender ();
  g_autoptr(GError) error = NULL;
  MsMessageRenderer *renderer;

  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (renderer);
  return renderer;
}

static GBytes *
render (MsMessageRenderer *renderer,
        MsContact         *contact)
{
  g_autoptr(GError) error = NULL;
  GBytes *bytes = ms_message_renderer_render (renderer, contact, MESSAGE_ID, &error);

  g_assert_no_error (error);
  g_assert_nonnull (bytes);
  return bytes;
}

/* CRLF only, lines under 998 octets, 7-bit, and nothing after the header
 * that looks like an injected field. */
static void
check_raw (GBytes *bytes)
{
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  gsize line_start = 0;
  const char *body;

  g_assert_cmpuint (length, >, 4);
  g_assert_true (data[length - 2] == '\r' && data[length - 1] == '\n');
  for (gsize i = 0; i < length; i++)
    {
      g_assert_cmpuint ((guchar) data[i], <, 128);
      g_assert_cmpuint ((guchar) data[i], !=, 0);
      if (data[i] == '\r')
        g_assert_true (i + 1 < length && data[i + 1] == '\n');
      if (data[i] == '\n')
        {
          g_assert_true (i > 0 && data[i - 1] == '\r');
          g_assert_cmpuint (i - 1 - line_start, <, 998);
          line_start = i + 1;
        }
    }
  body = g_strstr_len (data, length, "\r\n\r\n");
  g_assert_nonnull (body);
  for (const char *p = data; p < body; p = strstr (p, "\r\n") + 2)
    {
      g_assert_false (g_ascii_strncasecmp (p, "Bcc:", 4) == 0);
      g_assert_false (g_ascii_strncasecmp (p, "X-Injected:", 11) == 0);
    }
}

static GMimeMessage *
parse (GBytes *bytes)
{
  g_autoptr(GMimeParser) parser = NULL;
  GMimeStream *stream;
  GMimeMessage *message;
  gsize length;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  stream = g_mime_stream_mem_new_with_buffer (data, length);
  parser = g_mime_parser_new_with_stream (stream);
  g_object_unref (stream);
  message = g_mime_parser_construct_message (parser, NULL);
  g_assert_nonnull (message);
  return message;
}

static GBytes *
part_bytes (GMimeObject *object)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;
  GBytes *bytes;

  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  bytes = g_bytes_new (array->data, array->len);
  g_object_unref (stream);
  return bytes;
}

static char *
part_text (GMimeObject *object)
{
  GMimeDataWrapper *content = g_mime_part_get_content (GMIME_PART (object));
  GMimeStream *stream = g_mime_stream_mem_new ();
  GByteArray *array;
  char *text;

  g_mime_data_wrapper_write_to_stream (content, stream);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (stream));
  text = g_strndup ((const char *) array->data, array->len);
  g_object_unref (stream);
  return text;
}

static char *
lf_only (char *text)
{
  g_autoptr(GString) out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    if (*p != '\r')
      g_string_append_c (out, *p);
  g_free (text);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
check_mailbox (InternetAddressList *list,
               const char          *name,
               const char          *address)
{
  InternetAddress *ia;

  g_assert_nonnull (list);
  g_assert_cmpint (internet_address_list_length (list), ==, 1);
  ia = internet_address_list_get_address (list, 0);
  g_assert_true (INTERNET_ADDRESS_IS_MAILBOX (ia));
  /* GMime reads a bare address as an empty name. */
  g_assert_cmpstr (internet_address_get_name (ia) != NULL ? internet_address_get_name (ia) : "",
                   ==, name != NULL ? name : "");
  g_assert_cmpstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (ia)), ==, address);
}

/* Writing cases for check-message.py */

static void
save_case (GBytes     *bytes,
           const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("%02u-%s.eml", n_files++, name);
  g_autofree char *path = g_build_filename (tmp_dir, file, NULL);
  gsize length;
  gconstpointer data = g_bytes_get_data (bytes, &length);

  g_assert_true (g_file_set_contents (path, data, length, &error));
  g_assert_no_error (error);
  ms_json_writer_begin_object (expect);
  ms_json_writer_key (expect, "file");
  ms_json_writer_string (expect, file);
}

static void
expect_string (const char *key,
               const char *value)
{
  ms_json_writer_key (expect, key);
  ms_json_writer_string (expect, value);
}

static void
expect_mailbox (const char *key,
                const char *name,
                const char *address)
{
  ms_json_writer_key (expect, key);
  ms_json_writer_begin_array (expect);
  ms_json_writer_string (expect, name);
  ms_json_writer_string (expect, address);
  ms_json_writer_end_array (expect);
}

static void
expect_list (const char         *key,
             const char * const *values)
{
  ms_json_writer_key (expect, key);
  ms_json_writer_begin_array (expect);
  for (guint i = 0; values[i] != NULL; i++)
    ms_json_writer_string (expect, values[i]);
  ms_json_writer_end_array (expect);
}

static void
expect_attachments (MsTemplate *tmpl)
{
  GPtrArray *attachments = ms_template_get_attachments (tmpl);

  ms_json_writer_key (expect, "attachments");
  ms_json_writer_begin_array (expect);
  for (guint i = 0; i < attachments->len; i++)
    {
      MsAttachment *attachment = g_ptr_array_index (attachments, i);
      g_autofree char *sum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, attachment->data);

      ms_json_writer_begin_object (expect);
      expect_string ("filename", attachment->filename);
      expect_string ("sha256", sum);
      ms_json_writer_end_object (expect);
    }
  ms_json_writer_end_array (expect);
}

/* Tests */

static void
test_markdown_message (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsMessageRenderer) renderer = new_renderer (tmpl);
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GBytes) bytes = render (renderer, contact);
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  g_autofree char *token = NULL;
  g_autofree char *unsubscribe = NULL;
  GMimeObject *root;
  GMimeObject *alternative;
  GPtrArray *attachments = ms_template_get_attachments (tmpl);
  const char *expected_subject = "Grüße, Иван! Ваш заказ №4711 готов — bitte holen Sie ihn bald ab";
  const char *expected_text =
    "# Hello Иван\n"
    "\n"
    "Your company: **Müller & Söhne <GmbH>**.\n"
    "Order 4711 is [ready](https://shop.example.org/o/4711).\n";

  check_raw (bytes);
  message = parse (bytes);

  /* The long encoded Subject, From and To are folded to lines of at most 78. */
  {
    const char *raw = g_bytes_get_data (bytes, NULL);
    const char *end = strstr (raw, "\r\n\r\n");
    gboolean folded_field = FALSE;
    guint subject_lines = 0;

    for (const char *line = raw; line < end; line = strstr (line, "\r\n") + 2)
      {
        const char *eol = strstr (line, "\r\n");

        if (line[0] != ' ' && line[0] != '\t')
          folded_field = g_str_has_prefix (line, "Subject:") || g_str_has_prefix (line, "From:")
                         || g_str_has_prefix (line, "To:");
        if (folded_field)
          g_assert_cmpint (eol - line, <=, 78);
        if (g_str_has_prefix (line, "Subject:") || (folded_field && line[0] == ' '))
          subject_lines++;
      }
    g_assert_cmpuint (subject_lines, >, 1);
  }

  g_assert_cmpstr (g_mime_message_get_subject (message), ==, expected_subject);
  check_mailbox (g_mime_message_get_from (message), "Рассылка Müller", "news@example.org");
  check_mailbox (g_mime_message_get_to (message), "Иван Петров-Müller", "ivan.petrov@example.net");
  check_mailbox (g_mime_message_get_reply_to (message), NULL, "help@example.org");
  g_assert_cmpstr (g_mime_message_get_message_id (message), ==, MESSAGE_ID);
  g_assert_nonnull (g_mime_message_get_date (message));
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "MIME-Version"), ==, "1.0");
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "X-Mailshot-Campaign"), ==, "c17");

  token = ms_message_unsubscribe_token ("s3cret", "c17", "ivan.petrov@example.net");
  unsubscribe = g_strdup_printf ("<mailto:unsubscribe@example.org?subject=unsubscribe%%20%s>", token);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "List-Unsubscribe"), ==, unsubscribe);
  g_assert_cmpstr (g_mime_object_get_header (GMIME_OBJECT (message), "X-Mailshot-Delivery"), ==, token);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "List-Unsubscribe-Post"));

  root = g_mime_message_get_mime_part (message);
  g_assert_true (GMIME_IS_MULTIPART (root));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (root), "multipart", "mixed"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (root)), ==, 3);
  alternative = g_mime_multipart_get_part (GMIME_MULTIPART (root), 0);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (alternative), "multipart", "alternative"));
  g_assert_cmpint (g_mime_multipart_get_count (GMIME_MULTIPART (alternative)), ==, 2);

  text = lf_only (part_text (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 0)));
  g_assert_cmpstr (text, ==, expected_text);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 0)), "text", "plain"));
  html = part_text (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 1));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 1)), "text", "html"));
  g_assert_nonnull (strstr (html, "<h1>Hello Иван</h1>"));
  g_assert_nonnull (strstr (html, "<strong>Müller &amp; Söhne &lt;GmbH&gt;</strong>"));
  g_assert_nonnull (strstr (html, "<a href=\"https://shop.example.org/o/4711\">ready</a>"));
  g_assert_nonnull (strstr (html, "<meta charset=\"utf-8\">"));

  for (guint i = 0; i < attachments->len; i++)
    {
      MsAttachment *attachment = g_ptr_array_index (attachments, i);
      GMimeObject *part = g_mime_multipart_get_part (GMIME_MULTIPART (root), i + 1);
      g_autoptr(GBytes) content = part_bytes (part);

      g_assert_cmpstr (g_mime_part_get_filename (GMIME_PART (part)), ==, attachment->filename);
      g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (part)), ==, GMIME_CONTENT_ENCODING_BASE64);
      g_assert_cmpmem (g_bytes_get_data (content, NULL), g_bytes_get_size (content),
                       g_bytes_get_data (attachment->data, NULL), g_bytes_get_size (attachment->data));
    }

  save_case (bytes, "markdown");
  expect_string ("subject", expected_subject);
  expect_mailbox ("from", "Рассылка Müller", "news@example.org");
  expect_mailbox ("to", "Иван Петров-Müller", "ivan.petrov@example.net");
  expect_mailbox ("reply-to", "", "help@example.org");
  expect_string ("message_id", "<" MESSAGE_ID ">");
  expect_string ("text", expected_text);
  {
    const char *structure[] = { "multipart/mixed", "multipart/alternative", "text/plain",
                                "text/html", "application/octet-stream", "text/plain", NULL };
    const char *html_contains[] = { "<strong>Müller &amp; Söhne &lt;GmbH&gt;</strong>", NULL };

    expect_list ("structure", structure);
    expect_list ("html_contains", html_contains);
  }
  ms_json_writer_key (expect, "headers");
  ms_json_writer_begin_object (expect);
  expect_string ("list-unsubscribe", unsubscribe);
  expect_string ("x-mailshot-delivery", token);
  ms_json_writer_end_object (expect);
  expect_attachments (tmpl);
  ms_json_writer_end_object (expect);
}

static void
test_hostile_values (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsMessageRenderer) renderer = new_renderer (tmpl);
  g_autoptr(MsContact) contact = make_hostile_contact ();
  g_autoptr(GBytes) bytes = render (renderer, contact);
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *html = NULL;
  GMimeObject *alternative;
  const char *subject;

  check_raw (bytes);
  message = parse (bytes);
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Bcc"));
  g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "X-Injected"));
  g_assert_null (g_mime_message_get_bcc (message) != NULL
                 && internet_address_list_length (g_mime_message_get_bcc (message)) > 0
                 ? "bcc" : NULL);
  /* The values stay inside their own fields, on one line. */
  subject = g_mime_message_get_subject (message);
  g_assert_true (g_str_has_prefix (subject, "Grüße, Eve Bcc: x@evil.example! Ваш заказ №1 <script>alert(1)</script> готов"));
  check_mailbox (g_mime_message_get_to (message), "Eve Bcc: x@evil.example X-Injected: yes",
                 "victim@example.net");

  alternative = g_mime_multipart_get_part (GMIME_MULTIPART (g_mime_message_get_mime_part (message)), 0);
  html = part_text (g_mime_multipart_get_part (GMIME_MULTIPART (alternative), 1));
  g_assert_null (strstr (html, "<script>"));
  g_assert_null (strstr (html, "<img"));
  g_assert_nonnull (strstr (html, "&lt;img src=x onerror=alert(1)&gt;"));

  save_case (bytes, "hostile");
  expect_string ("subject", subject);
  expect_mailbox ("to", "Eve Bcc: x@evil.example X-Injected: yes", "victim@example.net");
  {
    const char *absent[] = { "Bcc", "X-Injected", NULL };
    const char *lacks[] = { "<script>", "<img", NULL };

    expect_list ("absent_headers", absent);
    expect_list ("html_lacks", lacks);
  }
  ms_json_writer_end_object (expect);
}

static void
test_html_message (void)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("html");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;
  GMimeObject *root;
  const char *expected_text = "Hallo Иван,\n\nIhre Firma: Müller & Söhne <GmbH>\n\nBestellung (https://shop.example.org/o/4711)\n";

  ms_template_set_subject (tmpl, "Plain subject");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_HTML);
  ms_template_set_body (tmpl, "<html><head><style>p{margin:0}</style></head><body>"
                              "<p>Hallo {{first_name}},</p><p>Ihre Firma: <b>{{company}}</b></p>"
                              "<p><a href=\"https://shop.example.org/o/{{order}}\">Bestellung</a></p>"
                              "</body></html>");
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  check_raw (bytes);
  message = parse (bytes);

  root = g_mime_message_get_mime_part (message);
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (root), "multipart", "alternative"));
  text = lf_only (part_text (g_mime_multipart_get_part (GMIME_MULTIPART (root), 0)));
  g_assert_cmpstr (text, ==, expected_text);
  html = part_text (g_mime_multipart_get_part (GMIME_MULTIPART (root), 1));
  /* A whole document is sent as it is, not wrapped again. */
  g_assert_true (g_str_has_prefix (html, "<html><head>"));
  g_assert_nonnull (strstr (html, "<b>Müller &amp; Söhne &lt;GmbH&gt;</b>"));

  save_case (bytes, "html");
  expect_string ("subject", "Plain subject");
  expect_string ("text", expected_text);
  {
    const char *structure[] = { "multipart/alternative", "text/plain", "text/html", NULL };

    expect_list ("structure", structure);
  }
  ms_json_writer_end_object (expect);

  /* A given text part is used instead. */
  g_clear_pointer (&renderer, ms_message_renderer_unref);
  g_clear_pointer (&bytes, g_bytes_unref);
  g_clear_object (&message);
  g_clear_pointer (&text, g_free);
  ms_template_set_text_alt (tmpl, "Hallo {{first_name}}, see the HTML.");
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  message = parse (bytes);
  root = g_mime_message_get_mime_part (message);
  text = lf_only (part_text (g_mime_multipart_get_part (GMIME_MULTIPART (root), 0)));
  g_assert_cmpstr (text, ==, "Hallo Иван, see the HTML.\n");
}

static void
test_text_message (void)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("text");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  GMimeObject *root;
  const char *expected = "Привет, Иван!\r\nВаш заказ 4711 готов к выдаче. Мы ждём вас в нашем магазине.\r\n";

  ms_template_set_subject (tmpl, "Заказ {{order}}");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  /* CRLF in the template is fine too. */
  ms_template_set_body (tmpl, "Привет, {{first_name}}!\r\nВаш заказ {{order}} готов к выдаче. Мы ждём вас в нашем магазине.");
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  check_raw (bytes);
  message = parse (bytes);
  root = g_mime_message_get_mime_part (message);
  g_assert_true (GMIME_IS_TEXT_PART (root));
  g_assert_true (g_mime_content_type_is_type (g_mime_object_get_content_type (root), "text", "plain"));
  /* Mostly Cyrillic: base64 is shorter than quoted-printable. */
  g_assert_cmpint (g_mime_part_get_content_encoding (GMIME_PART (root)), ==, GMIME_CONTENT_ENCODING_BASE64);
  text = part_text (root);
  g_assert_cmpstr (text, ==, expected);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, "Заказ 4711");

  save_case (bytes, "text");
  expect_string ("subject", "Заказ 4711");
  expect_string ("text", "Привет, Иван!\nВаш заказ 4711 готов к выдаче. Мы ждём вас в нашем магазине.\n");
  {
    const char *structure[] = { "text/plain", NULL };
    const char *encodings[] = { "base64", NULL };

    expect_list ("structure", structure);
    expect_list ("encodings", encodings);
  }
  ms_json_writer_end_object (expect);
}

static void
test_long_lines (void)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("long");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GString) body = g_string_new ("<p>");
  g_autoptr(GString) subject = g_string_new (NULL);
  g_autoptr(GString) long_name = g_string_new (NULL);
  g_autofree char *html = NULL;
  GMimeObject *root;

  for (guint i = 0; i < 600; i++)
    g_string_append (body, "<span>{{first_name}}</span>");
  g_string_append (body, "</p>");
  for (guint i = 0; i < 250; i++)
    g_string_append (subject, "Longword");
  g_string_append (subject, " und Grüße");
  for (guint i = 0; i < 300; i++)
    g_string_append (long_name, "Ä");
  ms_contact_set_first_name (contact, long_name->str);

  ms_template_set_subject (tmpl, subject->str);
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_HTML);
  ms_template_set_body (tmpl, body->str);
  ms_template_set_text_alt (tmpl, "{{first_name}}{{first_name}}{{first_name}}");
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  check_raw (bytes);
  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject->str);
  root = g_mime_message_get_mime_part (message);
  html = part_text (g_mime_multipart_get_part (GMIME_MULTIPART (root), 1));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (html, long_name->str));

  save_case (bytes, "long-lines");
  expect_string ("subject", subject->str);
  ms_json_writer_end_object (expect);
}

static void
test_quoted_printable (void)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("qp");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  g_autoptr(GString) body = g_string_new (NULL);
  g_autofree char *decoded = NULL;
  g_autofree char *expected = NULL;
  const char *raw;
  const char *p;
  GMimeObject *root;

  g_string_append (body, "From the start of a line\n.a dot line\n.\ntrailing spaces   \n"
                         "tab\there\t\nx=y and =3D\n\n\n");
  /* Long lines, with escapes at every column near the soft break. */
  for (guint shift = 0; shift < 6; shift++)
    {
      for (guint i = 0; i < 70 + shift; i++)
        g_string_append_c (body, 'a' + i % 26);
      g_string_append (body, "é=é {{first_name}} ");
      for (guint i = 0; i < 150; i++)
        g_string_append (body, i % 7 == 0 ? "ü " : "w");
      g_string_append_c (body, '\n');
    }
  g_string_append (body, "last line without a line end ");
  ms_template_set_subject (tmpl, "qp");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, body->str);
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  check_raw (bytes);

  /* The encoded body: lines of at most 76, no white space at a line end, no
   * line starting with "From " or ".". */
  raw = g_bytes_get_data (bytes, NULL);
  p = strstr (raw, "\r\n\r\n") + 4;
  g_assert_nonnull (strstr (raw, "Content-Transfer-Encoding: quoted-printable"));
  while (*p != '\0')
    {
      const char *eol = strstr (p, "\r\n");

      g_assert_nonnull (eol);
      g_assert_cmpint (eol - p, <=, 76);
      g_assert_false (eol > p && (eol[-1] == ' ' || eol[-1] == '\t'));
      g_assert_false (g_str_has_prefix (p, "From ") || p[0] == '.');
      p = eol + 2;
    }

  message = parse (bytes);
  root = g_mime_message_get_mime_part (message);
  decoded = lf_only (part_text (root));
  g_string_replace (body, "{{first_name}}", "Иван", 0);
  expected = g_strconcat (body->str, "\n", NULL);
  g_assert_cmpstr (decoded, ==, expected);
}

static void
test_tricky_headers (void)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("tricky");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsContact) contact = ms_contact_new ("иван@пример.рф");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GMimeMessage) message = NULL;
  const char *subject = "Hi =?utf-8?b?QmNjOiB4QGV2aWw=?= and =?x?q?y?= \xd0\x98\xd0\xb2\xd0\xb0\xd0\xbd";
  InternetAddress *to;
  const char *raw;
  gsize length;

  /* A value that looks like an encoded word must arrive as typed, and a
   * non-ASCII address (SMTPUTF8) is written as UTF-8. */
  ms_contact_set_first_name (contact, "=?utf-8?b?QmNjOiB4QGV2aWw=?=");
  ms_template_set_subject (tmpl, "Hi {{first_name}} and =?x?q?y?= Иван");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, "Hello");
  renderer = new_renderer (tmpl);
  bytes = render (renderer, contact);
  message = parse (bytes);
  g_assert_cmpstr (g_mime_message_get_subject (message), ==, subject);
  to = internet_address_list_get_address (g_mime_message_get_to (message), 0);
  g_assert_nonnull (strstr (internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (to)), "иван@"));
  g_assert_cmpstr (internet_address_get_name (to), ==, "=?utf-8?b?QmNjOiB4QGV2aWw=?=");

  /* Only the To field (and its folded lines) has 8-bit octets. */
  raw = g_bytes_get_data (bytes, &length);
  {
    gboolean in_to = FALSE;

    for (const char *line = raw; line < raw + length; line = strstr (line, "\r\n") + 2)
      {
        const char *eol = strstr (line, "\r\n");
        gboolean eight_bit = FALSE;

        if (line[0] != ' ' && line[0] != '\t')
          in_to = g_str_has_prefix (line, "To: ");
        for (const char *c = line; c < eol; c++)
          eight_bit = eight_bit || (guchar) *c >= 128;
        g_assert_true (!eight_bit || in_to);
      }
  }

  save_case (bytes, "tricky");
  expect_string ("subject", subject);
  expect_mailbox ("to", "=?utf-8?b?QmNjOiB4QGV2aWw=?=",
                  internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (to)));
  ms_json_writer_key (expect, "allow_8bit");
  ms_json_writer_boolean (expect, TRUE);
  ms_json_writer_end_object (expect);
}

static void
test_sender_rules (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GError) error = NULL;
  MsMessageSender sender = default_sender ();
  MsMessageRenderer *renderer;

  /* The server may not send as another address: its own goes in From, with
   * the template's sender name, and replies go to the template's Reply-To. */
  sender.from_address = "account@mail.example.com";
  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_message_renderer_get_from_address (renderer), ==, "account@mail.example.com");
  g_assert_true (ms_message_renderer_get_sender_replaced (renderer));
  {
    g_autoptr(GBytes) bytes = render (renderer, contact);
    g_autoptr(GMimeMessage) message = parse (bytes);

    check_mailbox (g_mime_message_get_from (message), "Рассылка Müller", "account@mail.example.com");
    check_mailbox (g_mime_message_get_reply_to (message), NULL, "help@example.org");
  }
  ms_message_renderer_unref (renderer);

  /* Without a Reply-To, replies go to the template's own address. */
  ms_template_set_reply_to (tmpl, NULL);
  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) bytes = render (renderer, contact);
    g_autoptr(GMimeMessage) message = parse (bytes);

    check_mailbox (g_mime_message_get_reply_to (message), NULL, "news@example.org");
  }
  ms_message_renderer_unref (renderer);

  /* Substitution allowed: the template's address. */
  sender.allow_sender_substitution = TRUE;
  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_message_renderer_get_from_address (renderer), ==, "news@example.org");
  g_assert_false (ms_message_renderer_get_sender_replaced (renderer));
  {
    g_autoptr(GBytes) bytes = render (renderer, contact);
    g_autoptr(GMimeMessage) message = parse (bytes);

    g_assert_null (g_mime_object_get_header (GMIME_OBJECT (message), "Reply-To"));
  }
  ms_message_renderer_unref (renderer);

  /* No template address: the server's, with its name. */
  ms_template_set_sender_address (tmpl, NULL);
  ms_template_set_sender_name (tmpl, NULL);
  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  {
    g_autoptr(GBytes) bytes = render (renderer, contact);
    g_autoptr(GMimeMessage) message = parse (bytes);

    check_mailbox (g_mime_message_get_from (message), "Example News", "account@mail.example.com");
  }
  ms_message_renderer_unref (renderer);

  /* Nobody gives an address. */
  sender.from_address = NULL;
  g_assert_null (ms_message_renderer_new (tmpl, &sender, NULL, &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_NO_SENDER);
  g_clear_error (&error);

  /* Invalid addresses and campaign names are refused. */
  ms_template_set_sender_address (tmpl, "news@example.org\r\nBcc: x@evil");
  g_assert_null (ms_message_renderer_new (tmpl, &sender, NULL, &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_BAD_ADDRESS);
  g_clear_error (&error);
  ms_template_set_sender_address (tmpl, "news@example.org");
  ms_template_set_reply_to (tmpl, "not an address");
  g_assert_null (ms_message_renderer_new (tmpl, &sender, NULL, &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_BAD_ADDRESS);
  g_clear_error (&error);
  ms_template_set_reply_to (tmpl, NULL);
  sender.campaign = "c 1\r\nX: y";
  g_assert_null (ms_message_renderer_new (tmpl, &sender, NULL, &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED);
}

static void
test_errors (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsMessageRenderer) renderer = new_renderer (tmpl);
  g_autoptr(MsContact) contact = ms_contact_new ("nobody@example.net");
  g_autoptr(MsContact) bad = ms_contact_new ("bad\r\nBcc: x@evil.example");
  g_autoptr(GError) error = NULL;
  const char * const known[] = { "company", NULL };
  MsMessageSender sender = default_sender ();

  /* {{first_name}} has no default. */
  g_assert_null (ms_message_renderer_render (renderer, contact, MESSAGE_ID, &error));
  g_assert_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_MISSING_VALUE);
  g_assert_nonnull (strstr (error->message, "nobody@example.net"));
  g_assert_nonnull (strstr (error->message, "first_name"));
  g_clear_error (&error);

  ms_contact_set_first_name (bad, "Bad");
  ms_contact_set_field (bad, "order", "1");
  g_assert_null (ms_message_renderer_render (renderer, bad, MESSAGE_ID, &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_BAD_ADDRESS);
  g_clear_error (&error);

  ms_contact_set_first_name (contact, "Nobody");
  ms_contact_set_field (contact, "order", "2");
  g_assert_null (ms_message_renderer_render (renderer, contact, "no-at-sign", &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_null (ms_message_renderer_render (renderer, contact, "<a@b>\r\nBcc: x@evil", &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_FAILED);
  g_clear_error (&error);

  /* Unknown fields are found when the renderer is made. */
  g_assert_null (ms_message_renderer_new (tmpl, &sender, known, &error));
  g_assert_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_UNKNOWN_FIELD);
  g_assert_nonnull (strstr (error->message, "“order”"));
  g_clear_error (&error);
  ms_template_set_body (tmpl, "fine");
  g_assert_null (ms_message_renderer_new (tmpl, &sender, known, &error));
  g_assert_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_UNKNOWN_FIELD);
  g_assert_true (g_str_has_prefix (error->message, "Subject: "));
  g_clear_error (&error);

  /* A bad DKIM key is a message error. */
  g_assert_false (ms_message_renderer_set_dkim (renderer, "example.org", "s", "junk", &error));
  g_assert_error (error, MS_MESSAGE_ERROR, MS_MESSAGE_ERROR_DKIM);
}

static void
test_tokens (void)
{
  g_autofree char *token = ms_message_unsubscribe_token ("key", "c42", "Anna@Example.com");
  g_autofree char *same = ms_message_unsubscribe_token ("key", "c42", "anna@example.com");
  g_autofree char *other_campaign = ms_message_unsubscribe_token ("key", "c43", "anna@example.com");
  g_autofree char *other_key = ms_message_unsubscribe_token ("key2", "c42", "anna@example.com");
  g_autofree char *upper = g_ascii_strup (token, -1);
  g_autofree char *campaign = NULL;
  g_autofree char *tampered = g_strdup (token);

  g_assert_true (g_str_has_prefix (token, "c42."));
  g_assert_cmpuint (strlen (token), ==, 4 + 26);
  g_assert_cmpstr (token, ==, same);
  g_assert_cmpstr (token, !=, other_campaign);
  g_assert_cmpstr (token, !=, other_key);

  g_assert_true (ms_message_verify_unsubscribe_token ("key", token, "anna@example.com", &campaign));
  g_assert_cmpstr (campaign, ==, "c42");
  g_clear_pointer (&campaign, g_free);
  /* A mail program may change the case of the subject; the campaign part is
   * case-sensitive, so only the code is compared without case. */
  upper[0] = 'c';
  g_assert_true (ms_message_verify_unsubscribe_token ("key", upper, "ANNA@example.com", NULL));

  g_assert_false (ms_message_verify_unsubscribe_token ("key", token, "eve@example.com", &campaign));
  g_assert_cmpstr (campaign, ==, "c42");
  g_clear_pointer (&campaign, g_free);
  g_assert_false (ms_message_verify_unsubscribe_token ("other", token, "anna@example.com", NULL));
  tampered[strlen (tampered) - 1] = tampered[strlen (tampered) - 1] == 'a' ? 'b' : 'a';
  g_assert_false (ms_message_verify_unsubscribe_token ("key", tampered, "anna@example.com", NULL));
  g_assert_false (ms_message_verify_unsubscribe_token ("key", "garbage", "anna@example.com", &campaign));
  g_assert_null (campaign);
  g_assert_false (ms_message_verify_unsubscribe_token ("key", NULL, "anna@example.com", NULL));
  g_assert_false (ms_message_verify_unsubscribe_token ("key", "c 4.aaaaaaaaaaaaaaaaaaaaaaaaaa", "anna@example.com", NULL));
}

static void
test_message_id (void)
{
  g_autofree char *a = ms_message_new_message_id ("example.org");
  g_autofree char *b = ms_message_new_message_id ("example.org");

  g_assert_cmpstr (a, !=, b);
  g_assert_true (g_str_has_suffix (a, "@example.org"));
  g_assert_cmpuint (strlen (a), ==, 32 + strlen ("@example.org"));
  g_assert_null (strchr (a, '<'));
}

static void
test_date_and_parts (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsMessageRenderer) renderer = new_renderer (tmpl);
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GTimeZone) zone = g_time_zone_new_offset (3600);
  g_autoptr(GDateTime) date = g_date_time_new (zone, 2026, 1, 5, 10, 0, 0);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *text = NULL;
  g_autofree char *html = NULL;

  ms_message_renderer_set_date (renderer, date);
  bytes = render (renderer, contact);
  g_assert_nonnull (g_strstr_len (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                                  "\r\nDate: Mon, 05 Jan 2026 10:00:00 +0100\r\n"));
  /* Same input, same bytes: nothing random per message. */
  again = render (renderer, contact);
  g_assert_true (g_bytes_equal (bytes, again));

  g_assert_true (ms_message_renderer_render_parts (renderer, contact, &subject, &text, &html, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (subject, ==, "Grüße, Иван! Ваш заказ №4711 готов — bitte holen Sie ihn bald ab");
  g_assert_true (g_str_has_prefix (text, "# Hello Иван\n"));
  g_assert_true (g_str_has_prefix (html, "<!DOCTYPE html>"));
  g_assert_nonnull (strstr (html, "<h1>Hello Иван</h1>"));
}

typedef struct
{
  MsMessageRenderer *renderer;
  GBytes            *expected;
} ThreadData;

static gpointer
render_many (gpointer user_data)
{
  ThreadData *data = user_data;
  g_autoptr(MsContact) contact = make_contact ();

  for (guint i = 0; i < 300; i++)
    {
      g_autoptr(GBytes) bytes = ms_message_renderer_render (data->renderer, contact, MESSAGE_ID, NULL);

      if (bytes == NULL || !g_bytes_equal (bytes, data->expected))
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_threads (void)
{
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsMessageRenderer) renderer = new_renderer (tmpl);
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(GTimeZone) zone = g_time_zone_new_utc ();
  g_autoptr(GDateTime) date = g_date_time_new (zone, 2026, 3, 1, 8, 30, 0);
  g_autoptr(GBytes) expected = NULL;
  GThread *threads[4];
  ThreadData data;

  ms_message_renderer_set_date (renderer, date);
  expected = render (renderer, contact);
  data.renderer = renderer;
  data.expected = expected;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("render", render_many, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

/* Runs check-message.py over a directory; returns its exit status. */
static int
run_checker (const char *dir,
             char      **out_output)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "check-message.py", NULL);
  const char *argv[] = { "/usr/bin/python3", script, dir, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  *out_output = g_strconcat (out, err, NULL);
  g_spawn_check_wait_status (status, &error);
  if (error == NULL)
    return 0;
  return error->domain == G_SPAWN_EXIT_ERROR ? error->code : -1;
}

static void
test_python (void)
{
  g_autofree char *path = g_build_filename (tmp_dir, "expect.json", NULL);
  g_autofree char *output = NULL;
  g_autofree char *bad_dir = NULL;
  g_autofree char *bad_output = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!g_file_test ("/usr/bin/python3", G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("/usr/bin/python3 is not available");
      return;
    }
  /* The cases written by the tests before this one. */
  g_assert_cmpuint (n_files, >=, 5);
  ms_json_writer_end_array (expect);
  g_assert_true (g_file_set_contents (path, ms_json_writer_get_string (expect), -1, &error));
  g_assert_no_error (error);

  status = run_checker (tmp_dir, &output);
  g_test_message ("%s", output);
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (output, " 0 failures"));

  /* The checker can fail: a message with an injected Bcc, a bare LF, an
   * over-long line and a wrong subject. */
  bad_dir = g_build_filename (tmp_dir, "bad", NULL);
  g_assert_cmpint (g_mkdir (bad_dir, 0700), ==, 0);
  {
    g_autofree char *eml = g_build_filename (bad_dir, "bad.eml", NULL);
    g_autofree char *json = g_build_filename (bad_dir, "expect.json", NULL);
    g_autoptr(GString) bad = g_string_new ("From: a@example.org\r\nTo: b@example.org\r\n"
                                           "Subject: x\r\nBcc: x@evil.example\r\n"
                                           "MIME-Version: 1.0\r\nDate: Mon, 05 Jan 2026 10:00:00 +0000\r\n"
                                           "\r\nbare\nLF\r\n");

    for (guint i = 0; i < 1000; i++)
      g_string_append_c (bad, 'x');
    g_string_append (bad, "\r\n");
    g_assert_true (g_file_set_contents (eml, bad->str, bad->len, NULL));
    g_assert_true (g_file_set_contents (json, "[{\"file\": \"bad.eml\", \"subject\": \"y\", "
                                              "\"absent_headers\": [\"Bcc\"]}]", -1, NULL));
    g_assert_cmpint (run_checker (bad_dir, &bad_output), ==, 1);
    g_test_message ("%s", bad_output);
    g_assert_nonnull (strstr (bad_output, "Bcc"));
    g_assert_nonnull (strstr (bad_output, "bare CR or LF"));
    g_assert_nonnull (strstr (bad_output, "1000 octets"));
    g_assert_nonnull (strstr (bad_output, "subject 'x' != 'y'"));
    g_unlink (eml);
    g_unlink (json);
    g_rmdir (bad_dir);
  }
}

/* Templates in the store */

static void
check_same_template (MsTemplate *a,
                     MsTemplate *b)
{
  GPtrArray *aa = ms_template_get_attachments (a);
  GPtrArray *ba = ms_template_get_attachments (b);

  g_assert_cmpint (ms_template_get_id (a), ==, ms_template_get_id (b));
  g_assert_cmpstr (ms_template_get_name (a), ==, ms_template_get_name (b));
  g_assert_cmpstr (ms_template_get_subject (a), ==, ms_template_get_subject (b));
  g_assert_cmpint (ms_template_get_body_format (a), ==, ms_template_get_body_format (b));
  g_assert_cmpstr (ms_template_get_body (a), ==, ms_template_get_body (b));
  g_assert_cmpstr (ms_template_get_text_alt (a), ==, ms_template_get_text_alt (b));
  g_assert_cmpstr (ms_template_get_sender_address (a), ==, ms_template_get_sender_address (b));
  g_assert_cmpstr (ms_template_get_sender_name (a), ==, ms_template_get_sender_name (b));
  g_assert_cmpstr (ms_template_get_reply_to (a), ==, ms_template_get_reply_to (b));
  g_assert_cmpuint (aa->len, ==, ba->len);
  for (guint i = 0; i < aa->len; i++)
    {
      MsAttachment *x = g_ptr_array_index (aa, i);
      MsAttachment *y = g_ptr_array_index (ba, i);

      g_assert_cmpint (x->id, ==, y->id);
      g_assert_cmpint (x->id, >, 0);
      g_assert_cmpstr (x->filename, ==, y->filename);
      g_assert_cmpstr (x->content_type, ==, y->content_type);
      g_assert_true (g_bytes_equal (x->data, y->data));
    }
}

static void
test_store (void)
{
  g_autofree char *db_path = g_build_filename (tmp_dir, "store.db", NULL);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsTemplate) tmpl = make_markdown_template ();
  g_autoptr(MsTemplate) loaded = NULL;
  g_autoptr(MsTemplate) other = ms_template_new ("another");
  g_autoptr(MsTemplate) duplicate = ms_template_new ("markdown");
  g_autoptr(MsTemplate) nameless = ms_template_new ("  ");
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GBytes) empty = g_bytes_new (NULL, 0);
  g_autoptr(MsAttachment) empty_file = ms_attachment_new ("empty.dat", NULL, empty);
  g_autoptr(GError) error = NULL;
  gint64 id;

  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);

  id = ms_store_add_template (store, tmpl, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (ms_template_get_id (tmpl), ==, id);
  g_assert_cmpint (ms_template_get_created_at (tmpl), >, 0);

  loaded = ms_store_get_template (store, id, &error);
  g_assert_no_error (error);
  check_same_template (tmpl, loaded);
  g_clear_object (&loaded);
  loaded = ms_store_find_template (store, "markdown", &error);
  g_assert_no_error (error);
  check_same_template (tmpl, loaded);

  /* A duplicate name, an empty name, missing rows. */
  g_assert_cmpint (ms_store_add_template (store, duplicate, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_assert_cmpint (ms_template_get_id (duplicate), ==, 0);
  g_clear_error (&error);
  g_assert_cmpint (ms_store_add_template (store, nameless, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (ms_store_find_template (store, "nope", &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (ms_store_get_template (store, 9999, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Update: fields and the attachment list (an empty file too). */
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_HTML);
  ms_template_set_body (tmpl, "<p>{{first_name}}</p>");
  ms_template_set_text_alt (tmpl, "{{first_name}}");
  ms_template_set_reply_to (tmpl, NULL);
  ms_template_remove_attachment (tmpl, 0);
  ms_template_add_attachment (tmpl, empty_file);
  g_assert_true (ms_store_update_template (store, tmpl, &error));
  g_assert_no_error (error);
  g_clear_object (&loaded);
  loaded = ms_store_get_template (store, id, &error);
  g_assert_no_error (error);
  check_same_template (tmpl, loaded);
  g_assert_cmpstr (((MsAttachment *) g_ptr_array_index (ms_template_get_attachments (loaded), 1))->content_type,
                   ==, "application/octet-stream");

  /* One attachment at a time. */
  g_assert_true (ms_store_add_template_attachment (store, id, empty_file, &error));
  g_assert_no_error (error);
  g_assert_cmpint (empty_file->id, >, 0);
  g_assert_true (ms_store_remove_template_attachment (store, empty_file->id, &error));
  g_assert_no_error (error);
  g_assert_false (ms_store_remove_template_attachment (store, empty_file->id, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (ms_store_add_template_attachment (store, 9999, empty_file, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Renaming onto a taken name fails and changes nothing. */
  g_assert_cmpint (ms_store_add_template (store, other, &error), >, 0);
  g_assert_no_error (error);
  ms_template_set_name (other, "markdown");
  g_assert_false (ms_store_update_template (store, other, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_clear_error (&error);
  ms_template_set_name (other, "another");

  all = ms_store_list_templates (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (ms_template_get_name (g_ptr_array_index (all, 0)), ==, "another");
  check_same_template (tmpl, g_ptr_array_index (all, 1));

  g_assert_true (ms_store_delete_template (store, id, &error));
  g_assert_no_error (error);
  g_assert_false (ms_store_delete_template (store, id, &error));
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = ms_store_list_templates (store, &error);
  g_assert_cmpuint (all->len, ==, 1);
  /* The attachments went with the template. */
  {
    sqlite3_stmt *stmt = _ms_store_prepare (store, "SELECT count(*) FROM template_attachments",
                                            &error);

    g_assert_no_error (error);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 0);
    sqlite3_reset (stmt);
  }

  g_clear_object (&store);
  {
    g_autofree char *wal = g_strconcat (db_path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db_path, "-shm", NULL);

    g_unlink (db_path);
    g_unlink (wal);
    g_unlink (shm);
  }
}

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_mime_init ();

  tmp_dir = g_dir_make_tmp ("mailshot-message-XXXXXX", &error);
  g_assert_no_error (error);
  expect = ms_json_writer_new (TRUE);
  ms_json_writer_begin_array (expect);

  g_test_add_func ("/core/message/markdown", test_markdown_message);
  g_test_add_func ("/core/message/hostile-values", test_hostile_values);
  g_test_add_func ("/core/message/html", test_html_message);
  g_test_add_func ("/core/message/text", test_text_message);
  g_test_add_func ("/core/message/long-lines", test_long_lines);
  g_test_add_func ("/core/message/quoted-printable", test_quoted_printable);
  g_test_add_func ("/core/message/tricky-headers", test_tricky_headers);
  g_test_add_func ("/core/message/sender-rules", test_sender_rules);
  g_test_add_func ("/core/message/errors", test_errors);
  g_test_add_func ("/core/message/tokens", test_tokens);
  g_test_add_func ("/core/message/message-id", test_message_id);
  g_test_add_func ("/core/message/date-and-parts", test_date_and_parts);
  g_test_add_func ("/core/message/threads", test_threads);
  /* After the tests that wrote messages for it. */
  g_test_add_func ("/core/message/python", test_python);
  g_test_add_func ("/core/template/store", test_store);

  result = g_test_run ();

  ms_json_writer_free (expect);
  remove_tree (tmp_dir);
  g_free (tmp_dir);
  g_mime_shutdown ();
  return result;
}

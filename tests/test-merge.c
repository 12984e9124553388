/* test-merge.c
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


#define G_LOG_DOMAIN "test-merge"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib.h>

#include "ms-merge.h"

static const char * const custom_fields[] = { "company", "city", "Компания", "hostile", "html", "id", NULL };

static MsContact *
make_contact (void)
{
  MsContact *contact = ms_contact_new ("anna@example.com");

  ms_contact_set_first_name (contact, "Anna");
  ms_contact_set_last_name (contact, "Schmidt");
  ms_contact_set_field (contact, "company", "ACME & Co");
  ms_contact_set_field (contact, "city", "   ");
  ms_contact_set_field (contact, "Компания", "Рога и копыта");
  ms_contact_set_field (contact, "hostile", "x\r\nBcc: x@evil\r\n\r\nbody");
  ms_contact_set_field (contact, "html", "<script>alert('x')</script> *bold* \"q\"");
  ms_contact_set_field (contact, "id", "7");
  ms_contact_set_field (contact, "unicode", "a\xe2\x80\xa8" "b\xc2\x85" "c\td");
  return contact;
}

typedef struct
{
  const char  *text;
  MsMergeMode  mode;
  gboolean     only_known;   /* pass custom_fields (else NULL: any name) */
  const char  *expected;     /* NULL: an error is expected */
  int          code;
  const char  *message_part;
} Case;

static const Case cases[] = {
  { "Hello {{first_name}}!", MS_MERGE_MODE_TEXT, TRUE, "Hello Anna!", 0, NULL },
  { "{{ FIRST_NAME }}/{{Last_Name}}", MS_MERGE_MODE_TEXT, TRUE, "Anna/Schmidt", 0, NULL },
  { "{{display_name}} <{{email}}>", MS_MERGE_MODE_TEXT, TRUE, "Anna Schmidt <anna@example.com>", 0, NULL },
  { "{{company}}", MS_MERGE_MODE_TEXT, TRUE, "ACME & Co", 0, NULL },
  { "{{company}}", MS_MERGE_MODE_HTML, TRUE, "ACME &amp; Co", 0, NULL },
  { "{{ city | \"Berlin\" }}", MS_MERGE_MODE_TEXT, TRUE, "Berlin", 0, NULL },
  { "{{city|\"say \\\"hi\\\" \\\\o/\"}}", MS_MERGE_MODE_TEXT, TRUE, "say \"hi\" \\o/", 0, NULL },
  { "{{city | \"<b>\"}}", MS_MERGE_MODE_HTML, TRUE, "&lt;b&gt;", 0, NULL },
  { "{{nothere | \"fallback\"}}", MS_MERGE_MODE_TEXT, FALSE, "fallback", 0, NULL },
  { "{{Компания}}", MS_MERGE_MODE_TEXT, TRUE, "Рога и копыта", 0, NULL },
  { "{{\"{{\"}}first_name}}", MS_MERGE_MODE_TEXT, TRUE, "{{first_name}}", 0, NULL },
  { "{{ \"a \\\"quoted\\\" {{x}}\" }}", MS_MERGE_MODE_HTML, TRUE, "a \"quoted\" {{x}}", 0, NULL },
  { "a }} b } {", MS_MERGE_MODE_TEXT, TRUE, "a }} b } {", 0, NULL },
  { "", MS_MERGE_MODE_TEXT, TRUE, "", 0, NULL },
  { "{{hostile}}", MS_MERGE_MODE_HEADER, TRUE, "x Bcc: x@evil body", 0, NULL },
  { "{{hostile}}", MS_MERGE_MODE_TEXT, TRUE, "x\nBcc: x@evil\n\nbody", 0, NULL },
  { "{{unicode}}", MS_MERGE_MODE_HEADER, FALSE, "a b c d", 0, NULL },
  { "<p>{{html}}</p>", MS_MERGE_MODE_HTML, TRUE,
    "<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; *bold* &quot;q&quot;</p>", 0, NULL },
  { "{{name}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_MISSING_VALUE, "anna@example.com" },
  { "Hi {{nothere}}", MS_MERGE_MODE_TEXT, FALSE, NULL, MS_MERGE_ERROR_MISSING_VALUE, "“nothere”" },
  { "{{first_name", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 1, column 1" },
  { "x\n  {{ }}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 2, column 3" },
  { "Grüße\n{{company | Berlin}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 2, column 13" },
  { "{{a\"b}}", MS_MERGE_MODE_TEXT, FALSE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 1, column 4" },
  { "{{\"unterminated}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, "not closed" },
  { "{{first\nname}}", MS_MERGE_MODE_TEXT, FALSE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 1" },
  { "{{{first_name}}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, "Line 1, column 3" },
  { "{{first_name \"x\"}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_SYNTAX, NULL },
  { "Dear {{compnay}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_UNKNOWN_FIELD, "Line 1, column 8: there is no field “compnay”" },
  { "{{Company}}", MS_MERGE_MODE_TEXT, TRUE, NULL, MS_MERGE_ERROR_UNKNOWN_FIELD, "Did you mean “company”?" },
};

static void
test_cases (void)
{
  g_autoptr(MsContact) contact = make_contact ();

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autoptr(MsMergeTemplate) tmpl = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *result = NULL;

      g_test_message ("case %u: %s", i, c->text);
      tmpl = ms_merge_compile (c->text, c->mode, c->only_known ? custom_fields : NULL, &error);
      if (tmpl != NULL)
        result = ms_merge_render (tmpl, contact, &error);

      if (c->expected != NULL)
        {
          g_assert_no_error (error);
          g_assert_cmpstr (result, ==, c->expected);
        }
      else
        {
          g_assert_null (result);
          g_assert_error (error, MS_MERGE_ERROR, c->code);
          if (c->message_part != NULL && strstr (error->message, c->message_part) == NULL)
            g_error ("case %u: “%s” lacks “%s”", i, error->message, c->message_part);
        }
    }
}

static void
test_fields (void)
{
  g_autoptr(MsMergeTemplate) tmpl = NULL;
  g_auto(GStrv) fields = NULL;
  g_autoptr(GError) error = NULL;
  const char *expected[] = { "first_name", "company", "city", NULL };

  tmpl = ms_merge_compile ("{{first_name}} {{company}} {{FIRST_NAME}} {{\"{{\"}} {{city|\"x\"}}",
                           MS_MERGE_MODE_TEXT, custom_fields, &error);
  g_assert_no_error (error);
  fields = ms_merge_get_fields (tmpl);
  g_assert_cmpstrv (fields, expected);
  g_assert_cmpint (ms_merge_template_get_mode (tmpl), ==, MS_MERGE_MODE_TEXT);
}

static void
test_render_append_keeps_output (void)
{
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(MsMergeTemplate) tmpl = NULL;
  g_autoptr(GString) out = g_string_new ("prefix:");
  g_autoptr(GError) error = NULL;

  tmpl = ms_merge_compile ("{{first_name}} {{name}}", MS_MERGE_MODE_TEXT, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (ms_merge_render_append (tmpl, contact, out, &error));
  g_assert_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_MISSING_VALUE);
  /* Nothing half-rendered is left behind. */
  g_assert_cmpstr (out->str, ==, "prefix:");
}

static void
test_markdown (void)
{
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(MsMergeTemplate) text = NULL;
  g_autoptr(MsMergeTemplate) html = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text_out = NULL;
  g_autofree char *html_out = NULL;
  const char *source =
    "# Hello {{first_name}}\n"
    "\n"
    "Dear **{{display_name}}**, see [your page](https://example.org/u/{{id}}).\n"
    "Value: {{html}}\n"
    "\n"
    "* {{company | \"no company\"}}\n"
    "* {{city | \"*not* a <city>\"}}\n"
    "\n"
    "`{{\"{{\"}}code}}`\n";

  g_assert_true (ms_merge_compile_markdown (source, custom_fields, &text, &html, &error));
  g_assert_no_error (error);
  text_out = ms_merge_render (text, contact, &error);
  g_assert_no_error (error);
  html_out = ms_merge_render (html, contact, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (text_out, ==,
                   "# Hello Anna\n"
                   "\n"
                   "Dear **Anna Schmidt**, see [your page](https://example.org/u/7).\n"
                   "Value: <script>alert('x')</script> *bold* \"q\"\n"
                   "\n"
                   "* ACME & Co\n"
                   "* *not* a <city>\n"
                   "\n"
                   "`{{code}}`\n");
  g_assert_nonnull (strstr (html_out, "<h1>Hello Anna</h1>"));
  g_assert_nonnull (strstr (html_out, "Dear <strong>Anna Schmidt</strong>"));
  g_assert_nonnull (strstr (html_out, "<a href=\"https://example.org/u/7\">your page</a>"));
  /* Values are escaped and never read as Markdown. */
  g_assert_nonnull (strstr (html_out, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; *bold* &quot;q&quot;"));
  g_assert_null (strstr (html_out, "<script>"));
  g_assert_null (strstr (html_out, "<em>bold</em>"));
  g_assert_nonnull (strstr (html_out, "<li>ACME &amp; Co</li>"));
  g_assert_nonnull (strstr (html_out, "<li>*not* a &lt;city&gt;</li>"));
  /* A line break in the source is one in the HTML (CMARK_OPT_HARDBREAKS). */
  g_assert_nonnull (strstr (html_out, "</a>.<br />"));
  g_assert_nonnull (strstr (html_out, "<code>{{code}}</code>"));
  g_assert_null (strstr (html_out, "msmrg"));
}

static void
test_markdown_errors (void)
{
  g_autoptr(MsMergeTemplate) text = NULL;
  g_autoptr(MsMergeTemplate) html = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_false (ms_merge_compile_markdown ("ok\n\n{{ unknown_field }}", custom_fields,
                                             &text, &html, &error));
  g_assert_error (error, MS_MERGE_ERROR, MS_MERGE_ERROR_UNKNOWN_FIELD);
  g_assert_nonnull (strstr (error->message, "Line 3, column 4"));
  g_assert_null (text);
  g_assert_null (html);
}

static void
test_html_template (void)
{
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(MsMergeTemplate) text = NULL;
  g_autoptr(MsMergeTemplate) html = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text_out = NULL;
  g_autofree char *html_out = NULL;
  const char *source =
    "<!DOCTYPE html><html><head><title>T</title><style>p { color: red }</style></head>\n"
    "<body><h1>Hello   {{first_name}}</h1>\n"
    "<p>Welcome to <b>{{company}}</b> &amp; friends&nbsp;&mdash; &#x41;&#66;&euro;</p>\n"
    "<p><a href=\"https://example.org/u/{{id}}\">Your page</a> or "
    "<a href=\"mailto:help@example.org\">help@example.org</a></p>\n"
    "<ul><li>one</li><li>two</li></ul><ol><li>first</li><li>second</li></ol>\n"
    "<script>var x = '{{\"{{\"}}';</script><p>{{city | \"a < b\"}}<br>line</p></body></html>";

  g_assert_true (ms_merge_compile_html (source, custom_fields, &text, &html, &error));
  g_assert_no_error (error);
  text_out = ms_merge_render (text, contact, &error);
  g_assert_no_error (error);
  html_out = ms_merge_render (html, contact, &error);
  g_assert_no_error (error);

  g_assert_cmpstr (text_out, ==,
                   "Hello Anna\n"
                   "\n"
                   "Welcome to ACME & Co & friends \xe2\x80\x94 AB\xe2\x82\xac\n"
                   "\n"
                   "Your page (https://example.org/u/7) or help@example.org\n"
                   "\n"
                   "- one\n"
                   "- two\n"
                   "\n"
                   "1. first\n"
                   "2. second\n"
                   "\n"
                   "a < b\n"
                   "line\n");
  g_assert_nonnull (strstr (html_out, "<b>ACME &amp; Co</b>"));
  g_assert_nonnull (strstr (html_out, "href=\"https://example.org/u/7\""));
  g_assert_nonnull (strstr (html_out, "var x = '{{';"));
  g_assert_nonnull (strstr (html_out, "<p>a &lt; b<br>"));
}

static void
test_html_to_text (void)
{
  struct { const char *html; const char *text; } cases_[] = {
    { "", "" },
    { "plain", "plain\n" },
    { "&lt;&#x41;&#66;&nbsp;&euro;&unknown; &amp", "<AB \xe2\x82\xac&unknown; &amp\n" },
    { "<p>a</p><p>b</p>", "a\n\nb\n" },
    { "a<br>b<br/>c", "a\nb\nc\n" },
    { "<pre>  x\n   y</pre>after", "x\n   y\n\nafter\n" },
    { "<a href=\"https://x.org\">https://x.org</a>", "https://x.org\n" },
    { "<a href='#top'>Top</a>", "Top\n" },
    { "<img src=\"x.png\" alt=\"Logo\"> text", "Logo text\n" },
    { "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc\n" },
    { "1 < 2 and 3 > 2", "1 < 2 and 3 > 2\n" },
    { "<!-- hidden --><div>shown</div>", "shown\n" },
    { "<a href=\"https://x.org/?a=1&amp;b=2\">Link</a>", "Link (https://x.org/?a=1&b=2)\n" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases_); i++)
    {
      g_autofree char *text = ms_merge_html_to_text (cases_[i].html);

      g_test_message ("html %u: %s", i, cases_[i].html);
      g_assert_cmpstr (text, ==, cases_[i].text);
    }
}

typedef struct
{
  MsMergeTemplate *tmpl;
  MsContact       *contact;
  const char      *expected;
} ThreadData;

static gpointer
render_many (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 2000; i++)
    {
      g_autofree char *out = ms_merge_render (data->tmpl, data->contact, NULL);

      if (g_strcmp0 (out, data->expected) != 0)
        return GINT_TO_POINTER (FALSE);
    }
  return GINT_TO_POINTER (TRUE);
}

static void
test_threads (void)
{
  g_autoptr(MsContact) contact = make_contact ();
  g_autoptr(MsMergeTemplate) tmpl = NULL;
  g_autofree char *expected = NULL;
  GThread *threads[4];
  ThreadData data;

  tmpl = ms_merge_compile ("<p>{{display_name}} — {{company}} — {{city | \"none\"}}</p>",
                           MS_MERGE_MODE_HTML, custom_fields, NULL);
  g_assert_nonnull (tmpl);
  expected = ms_merge_render (tmpl, contact, NULL);
  g_assert_cmpstr (expected, ==, "<p>Anna Schmidt — ACME &amp; Co — none</p>");

  data.tmpl = tmpl;
  data.contact = contact;
  data.expected = expected;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("render", render_many, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_assert_true (GPOINTER_TO_INT (g_thread_join (threads[i])));
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/merge/cases", test_cases);
  g_test_add_func ("/core/merge/fields", test_fields);
  g_test_add_func ("/core/merge/render-append", test_render_append_keeps_output);
  g_test_add_func ("/core/merge/markdown", test_markdown);
  g_test_add_func ("/core/merge/markdown-errors", test_markdown_errors);
  g_test_add_func ("/core/merge/html-template", test_html_template);
  g_test_add_func ("/core/merge/html-to-text", test_html_to_text);
  g_test_add_func ("/core/merge/threads", test_threads);

  return g_test_run ();
}

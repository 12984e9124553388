/* test-imap-parser.c
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

#define G_LOG_DOMAIN "test-imap-parser"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib.h>

#include "ms-imap-client.h"
#include "ms-imap-parser.h"

/* The IMAP response parser on its own: the grammar it accepts, the limits it
 * keeps, and the helpers the client uses. */

static GPtrArray *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *responses;

  responses = ms_imap_parse_buffer ((const guint8 *) text, strlen (text), 65536, 1 << 20, &error);
  g_assert_no_error (error);
  g_assert_nonnull (responses);
  return responses;
}

static MsImapResponse *
parse_one (const char *text)
{
  g_autoptr(GPtrArray) responses = parse_ok (text);

  g_assert_cmpuint (responses->len, ==, 1);
  return g_ptr_array_steal_index (responses, 0);
}

static void
assert_parse_error (const char *text,
                    gsize       length,
                    int         code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) responses = NULL;

  responses = ms_imap_parse_buffer ((const guint8 *) text, length, 4096, 1024, &error);
  g_assert_null (responses);
  g_assert_error (error, MS_IMAP_ERROR, code);
}

static void
test_status_responses (void)
{
  g_autoptr(MsImapResponse) greeting = NULL;
  g_autoptr(MsImapResponse) tagged = NULL;
  g_autoptr(MsImapResponse) no = NULL;
  g_autoptr(MsImapResponse) bare = NULL;
  const MsImapValue *value;
  guint32 n = 0;

  greeting = parse_one ("* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=PLAIN] Dovecot ready.\r\n");
  g_assert_cmpint (greeting->kind, ==, MS_IMAP_RESPONSE_UNTAGGED);
  g_assert_cmpint (greeting->status, ==, MS_IMAP_STATUS_OK);
  g_assert_cmpstr (greeting->code, ==, "CAPABILITY");
  g_assert_cmpstr (greeting->code_text, ==, "IMAP4rev1 STARTTLS AUTH=PLAIN");
  g_assert_cmpuint (greeting->code_args->len, ==, 3);
  g_assert_true (ms_imap_value_is_atom (g_ptr_array_index (greeting->code_args, 2), "auth=plain"));
  g_assert_cmpstr (greeting->text, ==, "Dovecot ready.");

  tagged = parse_one ("A0003 ok [UIDVALIDITY 3857529045] UIDs valid\n");
  g_assert_cmpint (tagged->kind, ==, MS_IMAP_RESPONSE_TAGGED);
  g_assert_cmpstr (tagged->tag, ==, "A0003");
  g_assert_cmpint (tagged->status, ==, MS_IMAP_STATUS_OK);
  g_assert_cmpstr (tagged->code, ==, "UIDVALIDITY");
  value = g_ptr_array_index (tagged->code_args, 0);
  g_assert_true (ms_imap_value_get_number (value, &n));
  g_assert_cmpuint (n, ==, 3857529045u);

  no = parse_one ("M1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n");
  g_assert_cmpint (no->status, ==, MS_IMAP_STATUS_NO);
  g_assert_cmpstr (no->code, ==, "AUTHENTICATIONFAILED");
  g_assert_null (no->code_args);
  g_assert_cmpstr (no->text, ==, "Authentication failed.");

  bare = parse_one ("* BYE\r\n");
  g_assert_cmpint (bare->status, ==, MS_IMAP_STATUS_BYE);
  g_assert_cmpstr (bare->text, ==, "");
}

static void
test_data_responses (void)
{
  g_autoptr(GPtrArray) responses = NULL;
  MsImapResponse *r;
  const MsImapValue *list, *flag;

  responses = parse_ok ("* 23 EXISTS\r\n"
                        "* FLAGS (\\Answered \\Seen $Forwarded)\r\n"
                        "* OK [PERMANENTFLAGS (\\Seen \\*)] Limited\r\n"
                        "* SEARCH 2 84 882\r\n"
                        "* LIST (\\HasNoChildren) \"/\" \"Sent \\\"Items\\\"\"\r\n"
                        "+ Ready for literal data\r\n");
  g_assert_cmpuint (responses->len, ==, 6);

  r = g_ptr_array_index (responses, 0);
  g_assert_true (r->has_number);
  g_assert_cmpuint (r->number, ==, 23);
  g_assert_cmpstr (r->name, ==, "EXISTS");

  r = g_ptr_array_index (responses, 1);
  g_assert_cmpstr (r->name, ==, "FLAGS");
  list = g_ptr_array_index (r->args, 0);
  g_assert_cmpint (list->type, ==, MS_IMAP_VALUE_LIST);
  g_assert_cmpuint (list->items->len, ==, 3);
  flag = g_ptr_array_index (list->items, 0);
  g_assert_true (ms_imap_value_is_atom (flag, "\\Answered"));

  r = g_ptr_array_index (responses, 2);
  g_assert_cmpstr (r->code, ==, "PERMANENTFLAGS");
  g_assert_cmpuint (r->code_args->len, ==, 1);

  r = g_ptr_array_index (responses, 3);
  g_assert_cmpstr (r->name, ==, "SEARCH");
  g_assert_cmpuint (r->args->len, ==, 3);

  r = g_ptr_array_index (responses, 4);
  g_assert_cmpuint (r->args->len, ==, 3);
  {
    g_autofree char *name = ms_imap_value_dup_string (g_ptr_array_index (r->args, 2));

    g_assert_cmpstr (name, ==, "Sent \"Items\"");
  }

  r = g_ptr_array_index (responses, 5);
  g_assert_cmpint (r->kind, ==, MS_IMAP_RESPONSE_CONTINUATION);
  g_assert_cmpstr (r->text, ==, "Ready for literal data");
}

static void
test_fetch_literals (void)
{
  static const char text[] =
    "* 12 FETCH (UID 40 FLAGS (\\Seen) BODY[]<0> {14}\r\n"
    "Subject: x\r\n\r\n INTERNALDATE \"17-Jul-1996 02:44:25 -0700\""
    " BODY[HEADER.FIELDS (FROM TO)] {0}\r\n"
    " X NIL)\r\n"
    "* 13 FETCH (UID 41 BODY[] {3}\r\na\0b)\r\n";
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  const MsImapValue *body, *uid, *headers;
  MsImapResponse *r;
  guint32 n = 0;

  responses = ms_imap_parse_buffer ((const guint8 *) text, sizeof text - 1, 4096, 1024, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (responses->len, ==, 2);

  r = g_ptr_array_index (responses, 0);
  g_assert_cmpstr (r->name, ==, "FETCH");
  uid = ms_imap_response_get_fetch_item (r, "UID");
  g_assert_true (ms_imap_value_get_number (uid, &n));
  g_assert_cmpuint (n, ==, 40);
  body = ms_imap_response_get_fetch_item (r, "BODY[]<0>");
  g_assert_nonnull (body);
  g_assert_true (body->literal);
  g_assert_cmpmem (body->data, body->length, "Subject: x\r\n\r\n", 14);
  headers = ms_imap_response_get_fetch_item (r, "BODY[HEADER.FIELDS (FROM TO)]");
  g_assert_nonnull (headers);
  g_assert_cmpuint (headers->length, ==, 0);
  g_assert_cmpint (ms_imap_response_get_fetch_item (r, "X")->type, ==, MS_IMAP_VALUE_NIL);
  g_assert_null (ms_imap_response_get_fetch_item (r, "RFC822.SIZE"));

  r = g_ptr_array_index (responses, 1);
  body = ms_imap_response_get_fetch_item (r, "BODY[]");
  g_assert_cmpmem (body->data, body->length, "a\0b", 3);
}

static void
test_incremental (void)
{
  g_autoptr(MsImapParser) parser = ms_imap_parser_new (100, 1000);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) literal = g_bytes_new_static ("hello", 5);
  g_autoptr(GBytes) wrong = g_bytes_new_static ("hi", 2);
  g_autoptr(MsImapResponse) response = NULL;
  gsize size = 0;

  g_assert_cmpint (ms_imap_parser_add_line (parser, "* 1 FETCH (BODY[] {5}", 21, &size, &error),
                   ==, MS_IMAP_PARSE_NEED_LITERAL);
  g_assert_cmpuint (size, ==, 5);
  g_assert_true (ms_imap_parser_add_literal (parser, literal, &error));
  g_assert_cmpint (ms_imap_parser_add_line (parser, ")", 1, &size, &error), ==, MS_IMAP_PARSE_DONE);
  response = ms_imap_parser_take_response (parser);
  g_assert_nonnull (response);
  g_assert_null (ms_imap_parser_take_response (parser));

  /* A literal of the wrong size is refused and the parser starts afresh. */
  g_assert_cmpint (ms_imap_parser_add_line (parser, "* 1 FETCH (BODY[] {5}", 21, &size, &error),
                   ==, MS_IMAP_PARSE_NEED_LITERAL);
  g_assert_false (ms_imap_parser_add_literal (parser, wrong, &error));
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE);
  g_clear_error (&error);
  g_assert_cmpint (ms_imap_parser_add_line (parser, "* OK fine", 9, &size, &error), ==, MS_IMAP_PARSE_DONE);
  g_assert_no_error (error);
}

static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new ("* 1 FETCH ");
  g_autoptr(GString) many = g_string_new ("* 1 FETCH (UID 1");
  g_autoptr(MsImapParser) parser = ms_imap_parser_new (100, 1000);
  g_autoptr(GError) error = NULL;
  gsize size = 0;

  /* A literal above the limit is refused before anything is read. */
  assert_parse_error ("* 1 FETCH (BODY[] {999999999}\r\n", 32, MS_IMAP_ERROR_TOO_LARGE);
  assert_parse_error ("* 1 FETCH (BODY[] {99999999999999999999999}\r\n", 45, MS_IMAP_ERROR_TOO_LARGE);
  g_assert_cmpint (ms_imap_parser_add_line (parser, "* X {101}", 9, &size, &error), ==,
                   MS_IMAP_PARSE_FAILED);
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE);
  g_clear_error (&error);

  /* So is a response that grows past its limit one literal at a time. */
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(GBytes) literal = g_bytes_new_static ("0123456789012345678901234567890123456789", 40);
      MsImapParseResult result = ms_imap_parser_add_line (parser, "X {40}", 6, &size, &error);

      if (result == MS_IMAP_PARSE_FAILED)
        break;
      g_assert_cmpint (result, ==, MS_IMAP_PARSE_NEED_LITERAL);
      g_assert_true (ms_imap_parser_add_literal (parser, literal, &error));
    }
  g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE);

  /* Deep nesting does not recurse without end. */
  for (guint i = 0; i < 4000; i++)
    g_string_append_c (deep, '(');
  g_string_append (deep, "\r\n");
  assert_parse_error (deep->str, deep->len, MS_IMAP_ERROR_PARSE);

  /* Lines longer than allowed. */
  {
    g_autofree char *line = g_strnfill (5000, 'a');
    g_autofree char *text = g_strconcat ("* ", line, "\r\n", NULL);

    assert_parse_error (text, strlen (text), MS_IMAP_ERROR_TOO_LARGE);
  }

  /* Thousands of tiny literals in one response. */
  for (guint i = 0; i < MS_IMAP_MAX_LITERALS + 10; i++)
    g_string_append (many, " X {1}\r\nx");
  g_string_append (many, ")\r\n");
  {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(GPtrArray) responses = NULL;

    responses = ms_imap_parse_buffer ((const guint8 *) many->str, many->len, 4096, 1024,
                                      &local_error);
    g_assert_null (responses);
    g_assert_error (local_error, MS_IMAP_ERROR, MS_IMAP_ERROR_TOO_LARGE);
  }
}

static void
test_garbage (void)
{
  static const struct
  {
    const char *text;
    gsize       length;
  } cases[] = {
#define CASE(s) { s, sizeof s - 1 }
    CASE ("\r\n"),
    CASE ("*\r\n"),
    CASE ("* 99999999999 EXISTS\r\n"),
    CASE ("* 5\r\n"),
    CASE ("A1 MAYBE\r\n"),
    CASE ("A1 BYE bye\r\n"),
    CASE ("(((\r\n"),
    CASE ("\x01\x02 garbage\r\n"),
    CASE ("* FLAGS (\\Seen\r\n"),
    CASE ("* FLAGS \\Seen)\r\n"),
    CASE ("* LIST () \"/\" \"unterminated\r\n"),
    CASE ("* 1 FETCH (BODY[HEADER {3}\r\nabc)\r\n"),
    CASE ("* 1 FETCH (BODY[] {3}\r\nab"),
    CASE ("* 1 FETCH (BODY[] {3} x\r\n"),
    CASE ("* OK text {3}\r\nabc\r\n"),
    CASE ("+ more {3}\r\nabc\r\n"),
    CASE ("* OK fine"),
    CASE ("* 1 FETCH (X {2}\r\nab"),
#undef CASE
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) responses = NULL;

      responses = ms_imap_parse_buffer ((const guint8 *) cases[i].text, cases[i].length, 4096,
                                        1024, &error);
      if (responses != NULL)
        g_error ("case %u (%s) parsed", i, cases[i].text);
      g_assert_error (error, MS_IMAP_ERROR, MS_IMAP_ERROR_PARSE);
    }
}

static void
test_to_string (void)
{
  g_autoptr(MsImapResponse) fetch = parse_one ("* 2 FETCH (UID 9 BODY[] {5}\r\n\x01\x02\x03\x04\x05)\r\n");
  g_autoptr(MsImapResponse) tagged = parse_one ("M7 NO [TRYCREATE] No such folder\r\n");
  g_autofree char *a = ms_imap_response_to_string (fetch);
  g_autofree char *b = ms_imap_response_to_string (tagged);

  g_assert_cmpstr (a, ==, "* 2 FETCH (UID 9 BODY[] {5})");
  g_assert_cmpstr (b, ==, "M7 NO [TRYCREATE] No such folder");
}

static void
test_quote_and_folder_names (void)
{
  g_autoptr(GString) out = g_string_new (NULL);
  static const struct { const char *utf8; const char *mutf7; } names[] = {
    { "INBOX", "INBOX" },
    { "Bounces & Co", "Bounces &- Co" },
    { "Отправленные", "&BB4EQgQ,BEAEMAQyBDsENQQ9BD0ESwQ1-" },
    { "~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-" },
    { "a😀b", "a&2D3eAA-b" },
  };

  g_assert_true (ms_imap_quote_string (out, "say \"hi\" \\o/"));
  g_assert_cmpstr (out->str, ==, "\"say \\\"hi\\\" \\\\o/\"");
  g_string_truncate (out, 0);
  g_assert_false (ms_imap_quote_string (out, "line\r\nbreak"));
  g_assert_false (ms_imap_quote_string (out, "pässword"));

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *encoded = ms_imap_encode_folder_name (names[i].utf8);

      g_assert_cmpstr (encoded, ==, names[i].mutf7);
    }
}

/* The fuzz seeds are real responses: each must parse whole. */
static void
test_fuzz_seeds (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fuzz", "corpus-imap", NULL);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  guint n = 0;

  if (dir == NULL)
    {
      g_test_skip ("no tests/fuzz/corpus-imap");
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GPtrArray) responses = NULL;
      g_autoptr(GError) error = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
      responses = ms_imap_parse_buffer ((const guint8 *) contents, length, 4096, 65536, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (responses->len, >, 0);
      n++;
    }
  g_assert_cmpuint (n, >=, 5);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/imap-parser/status", test_status_responses);
  g_test_add_func ("/imap-parser/data", test_data_responses);
  g_test_add_func ("/imap-parser/fetch-literals", test_fetch_literals);
  g_test_add_func ("/imap-parser/incremental", test_incremental);
  g_test_add_func ("/imap-parser/limits", test_limits);
  g_test_add_func ("/imap-parser/garbage", test_garbage);
  g_test_add_func ("/imap-parser/to-string", test_to_string);
  g_test_add_func ("/imap-parser/quote-and-folder-names", test_quote_and_folder_names);
  g_test_add_func ("/imap-parser/fuzz-seeds", test_fuzz_seeds);

  return g_test_run ();
}

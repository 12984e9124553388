/* test-address.c
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

#define G_LOG_DOMAIN "test-address"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib.h>

#include "ms-address.h"

typedef struct
{
  const char *input;
  const char *expected;
} ValidCase;

typedef struct
{
  const char *input;
  int         code;
  const char *message_part;   /* must appear in the message */
} InvalidCase;

static const ValidCase valid_cases[] = {
  { "user@example.com", "user@example.com" },
  { "  user@example.com\t", "user@example.com" },
  { "User.Name@Example.COM", "User.Name@example.com" },
  { "<user@example.com>", "user@example.com" },
  { " < user@example.com > ", "user@example.com" },
  { "mailto:user@example.com", "user@example.com" },
  { "MAILTO:<user@example.com>", "user@example.com" },
  { "user+tag@example.com", "user+tag@example.com" },
  { "o'brien@example.ie", "o'brien@example.ie" },
  { "a!#$%&'*+-/=?^_`{|}~z@example.org", "a!#$%&'*+-/=?^_`{|}~z@example.org" },
  { "\"john doe\"@example.com", "\"john doe\"@example.com" },
  { "\"a@b\"@example.com", "\"a@b\"@example.com" },
  { "\"quote\\\"inside\"@example.com", "\"quote\\\"inside\"@example.com" },
  { "\"ends with backslash\\\\\"@example.com", "\"ends with backslash\\\\\"@example.com" },
  { "user@example.com.", "user@example.com" },
  { "user@sub.domain.example.co.uk", "user@sub.domain.example.co.uk" },
  { "user@123.example", "user@123.example" },
  { "user@example.xn--p1ai", "user@example.рф" },
  { "user@a-b.example", "user@a-b.example" },
  { "\xc2\xa0user@example.com\xc2\xa0", "user@example.com" },        /* no-break spaces */
  { "\xef\xbb\xbfuser@example.com", "user@example.com" },            /* stray BOM */
  /* internationalised domains: stored lowercased in Unicode */
  { "info@пример.рф", "info@пример.рф" },
  { "info@ПРИМЕР.РФ", "info@пример.рф" },
  { "info@xn--e1afmkfd.xn--p1ai", "info@пример.рф" },
  { "info@XN--E1AFMKFD.XN--P1AI", "info@пример.рф" },
  { "Kontakt@Bücher.de", "Kontakt@bücher.de" },
  { "kontakt@BÜCHER.DE", "kontakt@bücher.de" },
  { "kontakt@xn--bcher-kva.de", "kontakt@bücher.de" },
  /* SMTPUTF8 local parts are kept as given */
  { "почта@пример.рф", "почта@пример.рф" },
  { "Jörg@example.de", "Jörg@example.de" },
  { "用户@例子.广告", "用户@例子.广告" },
};

static const InvalidCase invalid_cases[] = {
  { "", MS_ADDRESS_ERROR_EMPTY, "empty" },
  { "   ", MS_ADDRESS_ERROR_EMPTY, "empty" },
  { "<>", MS_ADDRESS_ERROR_MISSING_AT, "@" },
  { "user.example.com", MS_ADDRESS_ERROR_MISSING_AT, "missing @" },
  { "John Smith <john@example.com>", MS_ADDRESS_ERROR_DISPLAY_NAME, "name" },
  { "\"Smith, John\" <john@example.com>", MS_ADDRESS_ERROR_DISPLAY_NAME, "name" },
  { "john@example.com>", MS_ADDRESS_ERROR_DISPLAY_NAME, "name" },
  { "a@example.com, b@example.com", MS_ADDRESS_ERROR_SEVERAL, "more than one" },
  { "a@example.com;b@example.com", MS_ADDRESS_ERROR_SEVERAL, "more than one" },
  { "@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "nothing before the @" },
  { "user@", MS_ADDRESS_ERROR_DOMAIN, "nothing after the @" },
  { "user@.", MS_ADDRESS_ERROR_DOMAIN, "nothing after the @" },
  { "john smith@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "space" },
  { ".user@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "dot" },
  { "user.@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "dot" },
  { "us..er@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "dot" },
  { "us(er)@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "“(”" },
  { "us,er@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "“,”" },
  { "us\x01" "er@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "control" },
  { "\"unclosed@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "not closed" },
  { "\"a\"b@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "after the quoted" },
  { "user@example", MS_ADDRESS_ERROR_DOMAIN, "dot" },
  { "user@localhost", MS_ADDRESS_ERROR_DOMAIN, "dot" },
  { "user@example..com", MS_ADDRESS_ERROR_DOMAIN, "empty label" },
  { "user@.example.com", MS_ADDRESS_ERROR_DOMAIN, "empty label" },
  { "user@-example.com", MS_ADDRESS_ERROR_DOMAIN, "hyphen" },
  { "user@example-.com", MS_ADDRESS_ERROR_DOMAIN, "hyphen" },
  { "user@exa_mple.com", MS_ADDRESS_ERROR_DOMAIN, "“_”" },
  { "user@exa mple.com", MS_ADDRESS_ERROR_DOMAIN, "space" },
  { "user@192.168.0.1", MS_ADDRESS_ERROR_DOMAIN, "number" },
  { "user@[192.168.0.1]", MS_ADDRESS_ERROR_DOMAIN, "literal" },
  { "user@xn--zz.de", MS_ADDRESS_ERROR_DOMAIN, "internationalised" },
  { "\xff\xfe@example.com", MS_ADDRESS_ERROR_LOCAL_PART, "UTF-8" },
  { "user@example.c\xc3", MS_ADDRESS_ERROR_LOCAL_PART, "UTF-8" },
};

static void
test_valid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (valid_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = NULL;

      g_test_message ("valid: %s", valid_cases[i].input);
      normalized = ms_address_normalize (valid_cases[i].input, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (normalized, ==, valid_cases[i].expected);
      g_assert_true (ms_address_is_valid (valid_cases[i].input));

      /* normalising is idempotent */
      {
        g_autofree char *again = ms_address_normalize (normalized, &error);

        g_assert_no_error (error);
        g_assert_cmpstr (again, ==, normalized);
      }
    }
}

static void
test_invalid (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (invalid_cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *normalized = NULL;

      g_test_message ("invalid: %s", invalid_cases[i].input);
      normalized = ms_address_normalize (invalid_cases[i].input, &error);
      g_assert_null (normalized);
      g_assert_error (error, MS_ADDRESS_ERROR, invalid_cases[i].code);
      g_assert_nonnull (strstr (error->message, invalid_cases[i].message_part));
      g_assert_false (ms_address_is_valid (invalid_cases[i].input));
    }
}

static void
test_trailing_dot_idn (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;

  /* one trailing dot is the root, as for ASCII domains */
  normalized = ms_address_normalize ("user@пример.рф.", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, "user@пример.рф");
}

static void
test_lengths (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) local = g_string_new (NULL);
  g_autoptr(GString) label = g_string_new (NULL);
  g_autofree char *address = NULL;
  g_autofree char *normalized = NULL;
  g_autoptr(GString) domain = g_string_new (NULL);

  /* 64 bytes before the @ are fine, 65 are not */
  for (int i = 0; i < 64; i++)
    g_string_append_c (local, 'a');
  address = g_strdup_printf ("%s@example.com", local->str);
  normalized = ms_address_normalize (address, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (normalized, ==, address);

  g_string_append_c (local, 'a');
  g_clear_pointer (&address, g_free);
  address = g_strdup_printf ("%s@example.com", local->str);
  g_assert_null (ms_address_normalize (address, &error));
  g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* a label of 63 characters is fine, 64 is not */
  for (int i = 0; i < 63; i++)
    g_string_append_c (label, 'b');
  g_clear_pointer (&address, g_free);
  address = g_strdup_printf ("u@%s.com", label->str);
  g_assert_true (ms_address_is_valid (address));
  g_string_append_c (label, 'b');
  g_clear_pointer (&address, g_free);
  address = g_strdup_printf ("u@%s.com", label->str);
  g_assert_null (ms_address_normalize (address, &error));
  g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN);
  g_assert_nonnull (strstr (error->message, "63"));
  g_clear_error (&error);

  /* a domain over 253 characters */
  while (domain->len < 251)
    g_string_append (domain, "abcdefghi.");
  g_string_append (domain, "com");
  g_clear_pointer (&address, g_free);
  address = g_strdup_printf ("u@%s", domain->str);
  g_assert_null (ms_address_normalize (address, &error));
  g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_TOO_LONG);
  g_clear_error (&error);

  /* the length of an IDN counts in punycode: these 32 Cyrillic letters make a
   * label of 50 ASCII characters, 42 make more than 63 */
  g_clear_pointer (&address, g_free);
  address = g_strdup ("u@абвгдежзийклмнопрстуфхцчшщъыьэюя.рф");
  g_assert_true (ms_address_is_valid (address));
  g_clear_pointer (&address, g_free);
  address = g_strdup ("u@абвгдежзийклмнопрстуфхцчшщъыьэюяабвгдежзий.рф");
  g_assert_null (ms_address_normalize (address, &error));
  g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN);
  g_clear_error (&error);
}

static void
test_to_ascii (void)
{
  g_autofree char *a = ms_address_to_ascii ("info@пример.рф");
  g_autofree char *b = ms_address_to_ascii ("Kontakt@bücher.de");
  g_autofree char *c = ms_address_to_ascii ("plain@example.com");
  g_autofree char *d = ms_address_to_ascii ("no-at-sign");

  g_assert_cmpstr (a, ==, "info@xn--e1afmkfd.xn--p1ai");
  g_assert_cmpstr (b, ==, "Kontakt@xn--bcher-kva.de");
  g_assert_cmpstr (c, ==, "plain@example.com");
  g_assert_null (d);
}

static void
test_into_keeps_buffer (void)
{
  g_autoptr(GString) out = g_string_new ("prefix:");
  g_autoptr(GError) error = NULL;

  g_assert_false (ms_address_normalize_into ("bad@exa mple.com", 16, out, &error));
  g_assert_cmpstr (out->str, ==, "prefix:");
  g_clear_error (&error);

  /* length is honoured: the text need not be nul-terminated */
  g_assert_true (ms_address_normalize_into ("a@EXAMPLE.org;junk", 13, out, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out->str, ==, "prefix:a@example.org");
}

/* Internationalised domains are converted once per thread and remembered:
 * the remembered answer is the same, for more domains than are kept, and
 * invalid ones stay invalid. */
static void
test_domain_cache (void)
{
  for (guint round = 0; round < 3; round++)
    {
      for (guint i = 0; i < 40; i++)
        {
          g_autofree char *input = g_strdup_printf ("u%u@ПРИМЕР%u.РФ", i, i);
          g_autofree char *expected = g_strdup_printf ("u%u@пример%u.рф", i, i);
          g_autofree char *normalized = NULL;
          g_autoptr(GError) error = NULL;

          normalized = ms_address_normalize (input, &error);
          g_assert_no_error (error);
          g_assert_cmpstr (normalized, ==, expected);
        }

      {
        g_autoptr(GError) error = NULL;
        g_autofree char *again = ms_address_normalize ("x@xn--E1AFMKFD.xn--P1AI", &error);

        g_assert_no_error (error);
        g_assert_cmpstr (again, ==, "x@пример.рф");
        g_assert_null (ms_address_normalize ("x@xn--zz.рф", &error));
        g_assert_error (error, MS_ADDRESS_ERROR, MS_ADDRESS_ERROR_DOMAIN);
      }
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/address/valid", test_valid);
  g_test_add_func ("/core/address/invalid", test_invalid);
  g_test_add_func ("/core/address/trailing-dot-idn", test_trailing_dot_idn);
  g_test_add_func ("/core/address/lengths", test_lengths);
  g_test_add_func ("/core/address/to-ascii", test_to_ascii);
  g_test_add_func ("/core/address/into-keeps-buffer", test_into_keeps_buffer);
  g_test_add_func ("/core/address/domain-cache", test_domain_cache);

  return g_test_run ();
}

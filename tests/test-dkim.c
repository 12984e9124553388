/* test-dkim.c
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


#define G_LOG_DOMAIN "test-dkim"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>

#include <glib.h>

#include "ms-dkim.h"
#include "ms-message.h"

/* Signatures are checked by python3-dkim (tests/verify-dkim.py), never by our
 * own code; keys come from `openssl genpkey`. */

#define DOMAIN "example.org"

static char *tmp_dir;
static char *rsa_key;
static char *ed25519_key;

static char *
generate_key (const char *algorithm)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;
  const char *rsa_argv[] = { openssl, "genpkey", "-algorithm", "RSA",
                             "-pkeyopt", "rsa_keygen_bits:2048", NULL };
  const char *ed_argv[] = { openssl, "genpkey", "-algorithm", "ED25519", NULL };

  if (openssl == NULL)
    return NULL;
  if (!g_spawn_sync (NULL, (char **) (g_str_equal (algorithm, "RSA") ? rsa_argv : ed_argv),
                     NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, NULL))
    return NULL;
  return g_steal_pointer (&out);
}

static gboolean
have_verifier (void)
{
  const char *argv[] = { "/usr/bin/python3", "-c", "import dkim, nacl", NULL };
  int status = 0;

  if (!g_file_test (argv[0], G_FILE_TEST_IS_EXECUTABLE))
    return FALSE;
  return g_spawn_sync (NULL, (char **) argv, NULL,
                       G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                       NULL, NULL, NULL, NULL, &status, NULL)
         && g_spawn_check_wait_status (status, NULL);
}

static gboolean
skip_without_tools (void)
{
  if (rsa_key == NULL || ed25519_key == NULL)
    {
      g_test_skip ("openssl genpkey is not available");
      return TRUE;
    }
  if (!have_verifier ())
    {
      g_test_skip ("/usr/bin/python3 with python3-dkim and python3-nacl is not available");
      return TRUE;
    }
  return FALSE;
}

/* Runs verify-dkim.py; returns its exit status (0: every signature verified). */
static int
verify (const char   *message,
        gsize         length,
        const char  **selectors,
        const char  **keys)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "verify-dkim.py", NULL);
  g_autofree char *path = g_build_filename (tmp_dir, "message.eml", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = 0;

  g_assert_true (g_file_set_contents (path, message, length, &error));
  g_ptr_array_add (argv, g_strdup ("/usr/bin/python3"));
  g_ptr_array_add (argv, g_strdup (script));
  g_ptr_array_add (argv, g_strdup (path));
  for (guint i = 0; selectors[i] != NULL; i++)
    {
      g_autofree char *record = ms_dkim_dns_record (keys[i], &error);

      g_assert_no_error (error);
      g_ptr_array_add (argv, g_strdup_printf ("%s._domainkey.%s=%s", selectors[i], DOMAIN, record));
    }
  g_ptr_array_add (argv, NULL);

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("verify-dkim.py: %s%s", out, err);
  g_spawn_check_wait_status (status, &error);
  if (error == NULL)
    return 0;
  g_assert_true (error->domain == G_SPAWN_EXIT_ERROR);
  return error->code;
}

static MsMessageRenderer *
make_renderer (const char **selectors,
               const char **keys)
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("dkim");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  static const char pdf[] = "%PDF-1.4\n\x00\x01\x02\xff binary\n";
  g_autoptr(GBytes) data = g_bytes_new_static (pdf, sizeof pdf - 1);
  g_autoptr(MsAttachment) attachment = ms_attachment_new ("Übersicht.pdf", "application/pdf", data);
  g_autoptr(GError) error = NULL;
  MsMessageSender sender = { "news@" DOMAIN, "Новости", FALSE, "unsubscribe@" DOMAIN,
                             "secret", "c1" };

  ms_template_set_subject (tmpl, "Grüße, {{first_name}}! Ваш ежемесячный обзор новостей и "
                                 "предложений — длинная тема, которая будет перенесена");
  ms_template_set_body (tmpl, "# Hello {{first_name}}\n\nSome *Markdown*   with  spaces  \n"
                              "and a trailing line.\n\n\n");
  ms_template_set_reply_to (tmpl, "reply@" DOMAIN);
  ms_template_add_attachment (tmpl, attachment);

  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; selectors != NULL && selectors[i] != NULL; i++)
    {
      g_assert_true (ms_message_renderer_set_dkim (renderer, DOMAIN, selectors[i], keys[i],
                                                   &error));
      g_assert_no_error (error);
    }
  return g_steal_pointer (&renderer);
}

static GBytes *
render_one (MsMessageRenderer *renderer)
{
  g_autoptr(MsContact) contact = ms_contact_new ("ivan@example.net");
  g_autoptr(GError) error = NULL;
  GBytes *message;

  ms_contact_set_first_name (contact, "Иван");
  ms_contact_set_last_name (contact, "Müller");
  message = ms_message_renderer_render (renderer, contact, "dkim-test@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

static char *
replace_once (const char *text,
              gsize       length,
              const char *from,
              const char *to)
{
  const char *hit = g_strstr_len (text, length, from);
  GString *out = g_string_new_len (text, length);

  g_assert_nonnull (hit);
  g_string_erase (out, hit - text, strlen (from));
  g_string_insert (out, hit - text, to);
  return g_string_free (out, FALSE);
}

static void
check_signature_lines (const char *message)
{
  const char *p = message;

  /* The DKIM-Signature header lines are folded below 78 columns. */
  while (g_str_has_prefix (p, "DKIM-Signature:") || *p == '\t')
    {
      const char *eol = strstr (p, "\r\n");

      g_assert_nonnull (eol);
      g_assert_cmpint (eol - p, <=, 78);
      p = eol + 2;
    }
  g_assert_true (g_ascii_isalpha (*p));
}

static void
test_canonicalization (void)
{
  /* RFC 6376 §3.4.6. */
  const char *fields[] = { "A: X", "B : Y\t\r\n\tZ  " };
  const char *expected_fields[] = { "a:X", "b:Y Z" };
  const char *body = " C \r\nD \t E\r\n\r\n\r\n";
  g_autofree char *canon = NULL;
  gsize len = 0;

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *field = ms_dkim_canonicalize_header (fields[i], strlen (fields[i]));

      g_assert_cmpstr (field, ==, expected_fields[i]);
    }
  canon = ms_dkim_canonicalize_body (body, strlen (body), &len);
  g_assert_cmpstr (canon, ==, " C\r\nD E\r\n");
  g_assert_cmpuint (len, ==, strlen (" C\r\nD E\r\n"));

  g_clear_pointer (&canon, g_free);
  canon = ms_dkim_canonicalize_body ("", 0, &len);
  g_assert_cmpuint (len, ==, 0);
  g_clear_pointer (&canon, g_free);
  canon = ms_dkim_canonicalize_body ("a\r\n\r\nb", 6, &len);
  g_assert_cmpstr (canon, ==, "a\r\n\r\nb\r\n");
  g_clear_pointer (&canon, g_free);
  canon = ms_dkim_canonicalize_body ("\r\n\r\n", 4, &len);
  g_assert_cmpstr (canon, ==, "");
}

static void
test_key_errors (void)
{
  g_autoptr(GError) error = NULL;
  MsDkimSigner *signer;

  signer = ms_dkim_signer_new (DOMAIN, "s1", "-----BEGIN PRIVATE KEY-----\nnope\n", &error);
  g_assert_null (signer);
  g_assert_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_KEY);
  g_clear_error (&error);

  if (rsa_key == NULL)
    {
      g_test_skip ("openssl genpkey is not available");
      return;
    }
  signer = ms_dkim_signer_new ("bad domain", "s1", rsa_key, &error);
  g_assert_null (signer);
  g_assert_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_INVALID);
  g_clear_error (&error);
  signer = ms_dkim_signer_new (DOMAIN, "s1;x=y", rsa_key, &error);
  g_assert_null (signer);
  g_assert_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_INVALID);
  g_clear_error (&error);

  signer = ms_dkim_signer_new (DOMAIN, "s1", rsa_key, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ms_dkim_signer_get_algorithm (signer), ==, MS_DKIM_RSA_SHA256);
  g_assert_null (ms_dkim_signer_sign (signer, "From: a@b.c\r\nno body separator", 31, 0, &error));
  g_assert_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_MESSAGE);
  g_clear_error (&error);
  g_assert_null (ms_dkim_signer_sign (signer, "To: a@b.c\r\n\r\nbody\r\n", 19, 0, &error));
  g_assert_error (error, MS_DKIM_ERROR, MS_DKIM_ERROR_MESSAGE);
  ms_dkim_signer_unref (signer);
}

static void
test_dns_record (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *rsa = NULL;
  g_autofree char *ed = NULL;
  g_autofree guchar *raw = NULL;
  gsize raw_len = 0;

  if (rsa_key == NULL || ed25519_key == NULL)
    {
      g_test_skip ("openssl genpkey is not available");
      return;
    }
  rsa = ms_dkim_dns_record (rsa_key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (rsa, "v=DKIM1; k=rsa; p=MII"));
  ed = ms_dkim_dns_record (ed25519_key, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (ed, "v=DKIM1; k=ed25519; p="));
  raw = g_base64_decode (ed + strlen ("v=DKIM1; k=ed25519; p="), &raw_len);
  g_assert_cmpuint (raw_len, ==, 32);
}

static void
check_algorithm (const char *selector,
                 const char *key)
{
  const char *selectors[] = { selector, NULL };
  const char *keys[] = { key, NULL };
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *body_tampered = NULL;
  g_autofree char *header_tampered = NULL;
  g_autofree char *from_added = NULL;
  g_autofree char *wrong_key = NULL;
  const char *other_keys[] = { key == rsa_key ? ed25519_key : rsa_key, NULL };
  const char *text;
  gsize length;

  if (skip_without_tools ())
    return;

  renderer = make_renderer (selectors, keys);
  message = render_one (renderer);
  text = g_bytes_get_data (message, &length);
  g_assert_true (g_str_has_prefix (text, "DKIM-Signature:"));
  g_assert_nonnull (strstr (text, key == rsa_key ? "a=rsa-sha256" : "a=ed25519-sha256"));
  check_signature_lines (text);

  g_assert_cmpint (verify (text, length, selectors, keys), ==, 0);

  /* The test can fail: a changed body, subject or an added From must not verify. */
  body_tampered = replace_once (text, length, "# Hello", "# Hallo");
  g_assert_cmpint (verify (body_tampered, strlen (body_tampered), selectors, keys), ==, 1);
  header_tampered = replace_once (text, length, "Reply-To: reply@", "Reply-To: evil@");
  g_assert_cmpint (verify (header_tampered, strlen (header_tampered), selectors, keys), ==, 1);
  from_added = replace_once (text, length, "\r\nFrom:", "\r\nFrom: evil@example.com\r\nFrom:");
  g_assert_cmpint (verify (from_added, strlen (from_added), selectors, keys), ==, 1);
  /* Published key of the other kind: fails. */
  wrong_key = g_strdup (text);
  g_assert_cmpint (verify (wrong_key, length, selectors, other_keys), ==, 1);
}

static void
test_rsa (void)
{
  check_algorithm ("rsa2026", rsa_key);
}

static void
test_ed25519 (void)
{
  check_algorithm ("ed2026", ed25519_key);
}

static void
test_both (void)
{
  const char *selectors[] = { "ed2026", "rsa2026", NULL };
  const char *keys[] = { ed25519_key, rsa_key, NULL };
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autofree char *tampered = NULL;
  const char *text;
  gsize length;

  if (skip_without_tools ())
    return;

  renderer = make_renderer (selectors, keys);
  message = render_one (renderer);
  text = g_bytes_get_data (message, &length);
  g_assert_nonnull (strstr (text, "a=ed25519-sha256"));
  g_assert_nonnull (strstr (text, "a=rsa-sha256"));
  g_assert_cmpint (verify (text, length, selectors, keys), ==, 0);
  tampered = replace_once (text, length, "and a trailing", "and a Trailing");
  g_assert_cmpint (verify (tampered, strlen (tampered), selectors, keys), ==, 1);
}

static void
test_hand_written (void)
{
  /* Odd but legal input: folded and repeated fields, white space runs, empty
   * lines at the end of the body, a header field we do not sign. */
  const char *message =
    "Received: from somewhere\r\n"
    "From:   Jane   Doe <jane@" DOMAIN ">  \r\n"
    "To: a@example.net,\r\n"
    "\tb@example.net\r\n"
    "Cc: c@example.net\r\n"
    "cc: d@example.net\r\n"
    "Subject: =?UTF-8?B?0J/RgNC40LLQtdGC?=\r\n"
    " folded\t subject\r\n"
    "Date: Mon, 05 Jan 2026 10:00:00 +0100\r\n"
    "Message-ID: <hand@" DOMAIN ">\r\n"
    "X-Other: not signed\r\n"
    "\r\n"
    "line  with   spaces \t\r\n"
    "\r\n"
    "  indented\r\n"
    "\r\n"
    "\r\n";
  const char *selectors[] = { "rsa2026", NULL };
  const char *keys[] = { rsa_key, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *header = NULL;
  g_autofree char *signed_message = NULL;
  g_autofree char *unsigned_changed = NULL;
  g_autofree char *whitespace_changed = NULL;
  MsDkimSigner *signer;

  if (skip_without_tools ())
    return;

  signer = ms_dkim_signer_new (DOMAIN, "rsa2026", rsa_key, &error);
  g_assert_no_error (error);
  header = ms_dkim_signer_sign (signer, message, strlen (message), 1767603600, &error);
  g_assert_no_error (error);
  ms_dkim_signer_unref (signer);
  g_assert_nonnull (strstr (header, "h=from:from:to:cc:cc:subject:date:message-id;"));
  g_assert_nonnull (strstr (header, "t=1767603600;"));
  signed_message = g_strconcat (header, message, NULL);
  check_signature_lines (signed_message);
  g_assert_cmpint (verify (signed_message, strlen (signed_message), selectors, keys), ==, 0);

  /* Relaxed: white space changes and unsigned fields do not matter... */
  unsigned_changed = replace_once (signed_message, strlen (signed_message),
                                   "X-Other: not signed", "X-Other: changed");
  g_assert_cmpint (verify (unsigned_changed, strlen (unsigned_changed), selectors, keys), ==, 0);
  whitespace_changed = replace_once (signed_message, strlen (signed_message),
                                     "line  with   spaces", "line with spaces");
  g_assert_cmpint (verify (whitespace_changed, strlen (whitespace_changed), selectors, keys), ==, 0);
  /* ... but words do. */
  g_clear_pointer (&whitespace_changed, g_free);
  whitespace_changed = replace_once (signed_message, strlen (signed_message),
                                     "c@example.net", "x@example.net");
  g_assert_cmpint (verify (whitespace_changed, strlen (whitespace_changed), selectors, keys), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  int result;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  tmp_dir = g_dir_make_tmp ("mailshot-dkim-XXXXXX", &error);
  g_assert_no_error (error);
  rsa_key = generate_key ("RSA");
  ed25519_key = generate_key ("ED25519");

  g_test_add_func ("/core/dkim/canonicalization", test_canonicalization);
  g_test_add_func ("/core/dkim/key-errors", test_key_errors);
  g_test_add_func ("/core/dkim/dns-record", test_dns_record);
  g_test_add_func ("/core/dkim/rsa", test_rsa);
  g_test_add_func ("/core/dkim/ed25519", test_ed25519);
  g_test_add_func ("/core/dkim/both", test_both);
  g_test_add_func ("/core/dkim/hand-written", test_hand_written);

  result = g_test_run ();

  {
    g_autofree char *path = g_build_filename (tmp_dir, "message.eml", NULL);

    g_unlink (path);
    g_rmdir (tmp_dir);
  }
  g_free (tmp_dir);
  g_free (rsa_key);
  g_free (ed25519_key);
  return result;
}

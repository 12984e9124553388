/* test-autodetect.c
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

#define G_LOG_DOMAIN "test-autodetect"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "ms-autoconfig.h"
#include "ms-autodetect.h"
#include "ms-domain-check.h"

#include "ms-test-utils.h"

/* Autoconfig lookups against a SoupServer on 127.0.0.1 (through the
 * MAILSHOT_AUTOCONFIG_BASE seam), DNS answers from a table (a GResolver set as
 * the default), and probes against the scriptable SMTP test server.  Nothing
 * leaves the machine. */

static const char good_xml[] =
  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
  "<clientConfig version=\"1.1\">\n"
  "  <emailProvider id=\"example.test\">\n"
  "    <domain>good.test</domain>\n"
  "    <domain>Alias.Test</domain>\n"
  "    <displayName>Example Mail</displayName>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>imap.good.test</hostname><port>143</port>\n"
  "      <socketType>STARTTLS</socketType><username>%EMAILLOCALPART%</username>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"imap\">\n"
  "      <hostname>imap.good.test</hostname><port>993</port>\n"
  "      <socketType>SSL</socketType><username>%EMAILLOCALPART%</username>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"pop3\">\n"
  "      <hostname>pop.%EMAILDOMAIN%</hostname><port>995</port>\n"
  "      <socketType>SSL</socketType><username>%EMAILADDRESS%</username>\n"
  "    </incomingServer>\n"
  "    <incomingServer type=\"exchange\">\n"
  "      <hostname>ews.good.test</hostname><port>443</port>\n"
  "    </incomingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.good.test</hostname><port>25</port>\n"
  "      <socketType>plain</socketType><username>%EMAILADDRESS%</username>\n"
  "    </outgoingServer>\n"
  "    <outgoingServer type=\"smtp\">\n"
  "      <hostname>smtp.good.test</hostname><port>587</port>\n"
  "      <socketType>STARTTLS</socketType><username>%EMAILADDRESS%</username>\n"
  "    </outgoingServer>\n"
  "    <documentation url=\"https://good.test/help\"><descr>Help</descr></documentation>\n"
  "  </emailProvider>\n"
  "</clientConfig>\n";

/* The HTTP server, on a thread of its own */

static MsTestHttpServer *http;

/* Under ASan: the SoupServer of this test keeps its listener's addresses and the
 * sockets it accepted past its last unref (libsoup 3.2, whatever the test drops
 * first).  Those allocations come from the test's server, not from Mailshot's code,
 * so they are suppressed here, with full stacks so nothing else can match. */
const char *__asan_default_options (void);
const char *__lsan_default_suppressions (void);

const char *
__asan_default_options (void)
{
  return "fast_unwind_on_malloc=0";
}

const char *
__lsan_default_suppressions (void)
{
  return "leak:soup_server_listen_local\nleak:g_socket_accept\n";
}

static gboolean
unpause_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                    good_xml, strlen (good_xml));
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
redirect_to (SoupServerMessage *msg,
             const char        *location)
{
  soup_server_message_set_status (msg, SOUP_STATUS_FOUND, NULL);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
}

static void
handler (MsTestHttpServer  *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  if (g_str_equal (path, "/autoconfig.good.test/mail/config-v1.1.xml") &&
      query != NULL && g_strcmp0 (g_hash_table_lookup (query, "emailaddress"), "anna@good.test") == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else if (g_str_equal (path, "/autoconfig.malformed.test/mail/config-v1.1.xml"))
    {
      static const char bad[] = "<clientConfig><emailProvider id=\"x\"><incomingServer type=\"imap\">";

      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC, bad, strlen (bad));
    }
  else if (g_str_equal (path, "/ispdb/v1.1/malformed.test"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else if (g_str_equal (path, "/ispdb/v1.1/hoster.test"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else if (g_str_equal (path, "/autoconfig.huge.test/mail/config-v1.1.xml"))
    {
      gsize size = 2 * 1024 * 1024;
      char *body = g_malloc (size);

      memset (body, ' ', size);
      memcpy (body, "<clientConfig>", strlen ("<clientConfig>"));
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_TAKE, body, size);
    }
  else if (g_str_equal (path, "/autoconfig.redirect.test/mail/config-v1.1.xml"))
    redirect_to (msg, "/loop/1");
  else if (g_str_has_prefix (path, "/loop/"))
    {
      g_autofree char *next = g_strdup_printf ("/loop/%d", atoi (path + 6) + 1);
      redirect_to (msg, next);
    }
  else if (g_str_equal (path, "/redirect.test/.well-known/autoconfig/mail/config-v1.1.xml"))
    redirect_to (msg, "/hop/2");
  else if (g_str_equal (path, "/hop/2"))
    redirect_to (msg, "/hop/3");
  else if (g_str_equal (path, "/hop/3"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else if (g_str_equal (path, "/autoconfig.slow.test/mail/config-v1.1.xml"))
    ms_test_http_server_answer_later (server, msg, 4000, unpause_cb);
  else if (g_str_equal (path, "/http/autoconfig.plain.test/mail/config-v1.1.xml"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* Autoconfig */

static void
test_autoconfig_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsAutoconfig) config = ms_autoconfig_parse (good_xml, strlen (good_xml),
                                                        "anna@good.test", &error);
  const MsAutoconfigServer *smtp, *imap, *pop3;

  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_cmpstr (config->provider_id, ==, "example.test");
  g_assert_cmpstr (config->display_name, ==, "Example Mail");
  g_assert_cmpuint (config->domains->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->domains, 1), ==, "alias.test");
  g_assert_cmpuint (config->incoming->len, ==, 3);   /* exchange skipped */
  g_assert_cmpuint (config->outgoing->len, ==, 2);
  g_assert_cmpuint (config->documentation->len, ==, 1);

  smtp = ms_autoconfig_best_server (config, MS_AUTOCONFIG_SMTP);
  g_assert_cmpuint (smtp->port, ==, 587);   /* STARTTLS beats plain */
  g_assert_cmpint (smtp->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpstr (smtp->username, ==, "anna@good.test");
  imap = ms_autoconfig_best_server (config, MS_AUTOCONFIG_IMAP);
  g_assert_cmpuint (imap->port, ==, 993);   /* implicit TLS beats STARTTLS */
  g_assert_cmpstr (imap->username, ==, "anna");
  pop3 = ms_autoconfig_best_server (config, MS_AUTOCONFIG_POP3);
  g_assert_cmpstr (pop3->hostname, ==, "pop.good.test");
}

static void
test_autoconfig_parse_errors (void)
{
  static const char *const bad[] = {
    "",
    "not xml at all",
    "<clientConfig><emailProvider id=\"x\">",
    "<html><body>404</body></html>",
    "<clientConfig><emailProvider id=\"x\"><domain>x</domain></emailProvider></clientConfig>",
    "<clientConfig><emailProvider id=\"x\"><outgoingServer type=\"smtp\"><hostname>h</hostname>"
    "<port>99999</port></outgoingServer></emailProvider></clientConfig>",
  };
  g_autofree char *deep = NULL;
  g_autoptr(GString) nest = g_string_new ("<clientConfig>");

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsAutoconfig) config = ms_autoconfig_parse (bad[i], strlen (bad[i]), "a@b.test", &error);

      g_assert_null (config);
      g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_MALFORMED);
    }

  for (int i = 0; i < 100; i++)
    g_string_append (nest, "<a>");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsAutoconfig) config = ms_autoconfig_parse (nest->str, nest->len, "a@b.test", &error);

    g_assert_null (config);
    g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_MALFORMED);
  }

  deep = g_malloc0 (MS_AUTOCONFIG_MAX_SIZE + 2);
  memset (deep, ' ', MS_AUTOCONFIG_MAX_SIZE + 1);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsAutoconfig) config = ms_autoconfig_parse (deep, MS_AUTOCONFIG_MAX_SIZE + 1,
                                                          "a@b.test", &error);

    g_assert_null (config);
    g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_TOO_LARGE);
  }
}

static void
test_autoconfig_username (void)
{
  g_autofree char *a = ms_autoconfig_expand_username ("%EMAILLOCALPART%+x@%EMAILDOMAIN%", "anna@b.test");
  g_autofree char *b = ms_autoconfig_expand_username ("%EMAILADDRESS%", "anna@b.test");
  g_autofree char *c = ms_autoconfig_expand_username ("%EMAILLOCALPART", "anna@b.test");

  g_assert_cmpstr (a, ==, "anna+x@b.test");
  g_assert_cmpstr (b, ==, "anna@b.test");
  g_assert_cmpstr (c, ==, "%EMAILLOCALPART");
}

static void
test_autoconfig_urls (void)
{
  g_autoptr(GArray) less = NULL;
  g_auto(GStrv) urls = NULL;

  ms_autoconfig_set_base_url (NULL);
  urls = ms_autoconfig_urls ("anna+x@Example.ORG", &less);
  g_assert_cmpuint (g_strv_length (urls), ==, 4);
  g_assert_cmpstr (urls[0], ==, "https://autoconfig.example.org/mail/config-v1.1.xml?emailaddress=anna%2Bx%40Example.ORG");
  g_assert_cmpstr (urls[1], ==, "https://example.org/.well-known/autoconfig/mail/config-v1.1.xml");
  g_assert_cmpstr (urls[2], ==, "https://autoconfig.thunderbird.net/v1.1/example.org");
  g_assert_true (g_str_has_prefix (urls[3], "http://autoconfig.example.org/"));
  g_assert_false (g_array_index (less, gboolean, 0));
  g_assert_true (g_array_index (less, gboolean, 3));
  ms_autoconfig_set_base_url (ms_test_http_server_get_base (http));
}

static void
test_autoconfig_fetch_good (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch ("anna@good.test", 5000, tried, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_false (config->less_trusted);
  g_assert_true (g_str_has_prefix (config->source_url, ms_test_http_server_get_base (http)));
  g_assert_cmpuint (tried->len, ==, 1);
  g_assert_cmpuint (ms_autoconfig_best_server (config, MS_AUTOCONFIG_SMTP)->port, ==, 587);
}

static void
test_autoconfig_fetch_malformed (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch ("anna@malformed.test", 5000, tried, NULL, &error);

  /* the provider's own document is broken, .well-known is missing, the ISPDB answers */
  g_assert_no_error (error);
  g_assert_nonnull (config);
  g_assert_true (g_str_has_suffix (config->source_url, "/ispdb/v1.1/malformed.test"));
  g_assert_cmpuint (tried->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (tried, 0), "malformed"));
  g_assert_nonnull (strstr (g_ptr_array_index (tried, 1), "404"));
}

static void
test_autoconfig_fetch_huge (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MsAutoconfig) config = NULL;

  config = ms_autoconfig_fetch_url ("x", "anna@huge.test", 5000, NULL, &error);
  g_assert_null (config);
  g_assert_nonnull (error);
  g_clear_error (&error);

  {
    g_autofree char *url = g_strdup_printf ("%s/autoconfig.huge.test/mail/config-v1.1.xml", ms_test_http_server_get_base (http));

    config = ms_autoconfig_fetch_url (url, "anna@huge.test", 5000, NULL, &error);
    g_assert_null (config);
    g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }

  config = ms_autoconfig_fetch ("anna@huge.test", 5000, tried, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_NOT_FOUND);
  g_assert_cmpuint (tried->len, ==, 4);
}

static void
test_autoconfig_fetch_redirect (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MsAutoconfig) config = NULL;
  g_autofree char *url = g_strdup_printf ("%s/autoconfig.redirect.test/mail/config-v1.1.xml", ms_test_http_server_get_base (http));

  /* an endless chain stops after three redirects */
  config = ms_autoconfig_fetch_url (url, "anna@redirect.test", 5000, NULL, &error);
  g_assert_null (config);
  g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT);
  g_clear_error (&error);

  /* two redirects are followed */
  config = ms_autoconfig_fetch ("anna@redirect.test", 5000, tried, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_suffix (config->source_url, "/hop/3"));
  g_assert_cmpuint (tried->len, ==, 2);
}

static void
test_autoconfig_redirect_policy (void)
{
  static const struct
  {
    const char *from;
    const char *to;
    gboolean    allowed;
  } cases[] = {
    { "https://a.test/x", "https://b.test/y", TRUE },
    { "https://a.test/x", "http://a.test/x", FALSE },   /* downgrade */
    { "http://a.test/x", "https://a.test/x", TRUE },
    { "http://a.test/x", "http://b.test/x", TRUE },
    { "https://a.test/x", "ftp://a.test/x", FALSE },
    { "http://a.test/x", "file:///etc/passwd", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GUri) from = g_uri_parse (cases[i].from, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GUri) to = g_uri_parse (cases[i].to, G_URI_FLAGS_NONE, NULL);
      g_autoptr(GError) error = NULL;
      gboolean allowed = ms_autoconfig_redirect_allowed (from, to, &error);

      g_assert_cmpint (allowed, ==, cases[i].allowed);
      if (!allowed)
        g_assert_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT);
    }
}

static void
test_autoconfig_fetch_slow (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/autoconfig.slow.test/mail/config-v1.1.xml", ms_test_http_server_get_base (http));
  gint64 start = g_get_monotonic_time ();
  g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch_url (url, "anna@slow.test", 700, NULL, &error);

  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
}

static void
test_autoconfig_fetch_cancelled (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(MsAutoconfig) config = NULL;

  g_cancellable_cancel (cancellable);
  config = ms_autoconfig_fetch ("anna@good.test", 5000, NULL, cancellable, &error);
  g_assert_null (config);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

static void
test_autoconfig_fetch_plain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch ("anna@plain.test", 5000, tried, NULL, &error);

  g_assert_no_error (error);
  g_assert_true (config->less_trusted);
  g_assert_cmpuint (tried->len, ==, 4);
  g_assert_nonnull (strstr (g_ptr_array_index (tried, 3), "less trusted"));
}

/* DNS from a table: a GResolver set as the default */

static const MsTestDnsRow dns_table[] = {
  /* Google-shaped nested includes, ip4 and ip6 netblocks */
  { "example.test", "TXT", "v=spf1 include:_spf.google.test include:spf.mailru.test ~all" },
  { "example.test", "TXT", "google-site-verification=abc123" },
  { "_spf.google.test", "TXT", "v=spf1 include:_netblocks.google.test include:_netblocks2.google.test ~all" },
  { "_netblocks.google.test", "TXT", "v=spf1 ip4:35.190.247.0/24 ip4:64.233.160.0/19 ~all" },
  { "_netblocks2.google.test", "TXT", "v=spf1 ip6:2001:4860:4000::/36 ~all" },
  { "spf.mailru.test", "TXT", "v=spf1 ip4:217.69.128.0/20 -all" },
  { "_dmarc.example.test", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@example.test" },
  { "mail._domainkey.example.test", "TXT", "v=DKIM1; k=rsa; |p=MIIBIjANBgkqh kiG9w0BAQEFAAOC" },
  { "smtp.example.test", "A", "64.233.161.27" },
  { "smtp.example.test", "A", "2001:4860:4001::1b" },
  /* mx and a with prefixes, -all */
  { "strict.test", "TXT", "v=spf1 mx a:relay.strict.test/28 -all" },
  { "strict.test", "MX", "10 mx1.strict.test" },
  { "mx1.strict.test", "A", "198.51.100.10" },
  { "relay.strict.test", "A", "198.51.100.32" },
  { "neutral.test", "TXT", "v=spf1 ip4:192.0.2.0/24 ?all" },
  { "redirect.test", "TXT", "v=spf1 redirect=_spf.target.test" },
  { "_spf.target.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all" },
  { "twospf.test", "TXT", "v=spf1 -all" },
  { "twospf.test", "TXT", "v=spf1 ip4:192.0.2.1 -all" },
  { "split.test", "TXT", "v=spf1 ip4:192.0.2.1|  -all" },
  { "broken.test", "TXT", "v=spf1 ip4:300.1.1.1 -all" },
  { "unknown.test", "TXT", "v=spf1 foo:bar -all" },
  { "plusall.test", "TXT", "v=spf1 +all" },
  { "temp.test", "FAIL", NULL },
  { "badinclude.test", "TXT", "v=spf1 include:nothing.test -all" },
  /* more than ten lookups: eleven includes, and a loop */
  { "toomany.test", "TXT", "v=spf1 include:i1.test include:i2.test include:i3.test include:i4.test "
    "include:i5.test include:i6.test include:i7.test include:i8.test include:i9.test "
    "include:i10.test include:i11.test -all" },
  { "i1.test", "TXT", "v=spf1 ip4:10.0.0.1 -all" },
  { "i2.test", "TXT", "v=spf1 ip4:10.0.0.2 -all" },
  { "i3.test", "TXT", "v=spf1 ip4:10.0.0.3 -all" },
  { "i4.test", "TXT", "v=spf1 ip4:10.0.0.4 -all" },
  { "i5.test", "TXT", "v=spf1 ip4:10.0.0.5 -all" },
  { "i6.test", "TXT", "v=spf1 ip4:10.0.0.6 -all" },
  { "i7.test", "TXT", "v=spf1 ip4:10.0.0.7 -all" },
  { "i8.test", "TXT", "v=spf1 ip4:10.0.0.8 -all" },
  { "i9.test", "TXT", "v=spf1 ip4:10.0.0.9 -all" },
  { "i10.test", "TXT", "v=spf1 ip4:10.0.0.10 -all" },
  { "i11.test", "TXT", "v=spf1 ip4:10.0.0.11 -all" },
  { "loop.test", "TXT", "v=spf1 include:loop2.test -all" },
  { "loop2.test", "TXT", "v=spf1 include:loop.test -all" },
  /* autodetection */
  { "workspace.test", "MX", "10 ASPMX.L.GOOGLE.COM." },
  { "workspace.test", "MX", "20 alt1.aspmx.l.google.com." },
  { "srv.test", "MX", "10 mx.srv.test" },
  { "_submissions._tcp.srv.test", "SRV", "0 1 465 mail.srv.test." },
  { "_imaps._tcp.srv.test", "SRV", "0 1 0 ." },
  { "_imap._tcp.srv.test", "SRV", "5 1 143 imap.srv.test." },
  { "_imap._tcp.srv.test", "SRV", "1 1 143 imap1.srv.test." },
  { "guess.test", "MX", "10 mx.elsewhere.test" },
  { "smtp.guess.test", "A", "127.0.0.1" },
  { "mx.elsewhere.test", "A", "127.0.0.1" },
  { "smtp.plain.test", "A", "127.0.0.1" },
  { "smtp.plainonly.test", "A", "127.0.0.1" },
  { "hosted.test", "MX", "10 mx2.hoster.test." },
  { "imap.mailbox.test", "A", "127.0.0.1" },
  { "pop.mailbox.test", "A", "127.0.0.1" },
  /* a bare domain with nothing but SPF */
  { "bare.test", "TXT", "v=spf1 ip4:192.0.2.0/24 -all" },
  { "smtp.bare.test", "A", "203.0.113.5" },
};

/* SPF, DMARC, DKIM */

static MsSpfResult
spf (const char  *ip,
     const char  *domain,
     char       **detail)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GInetAddress) addr = g_inet_address_new_from_string (ip);

  g_assert_nonnull (addr);
  return ms_spf_check_host (resolver, addr, domain, detail, NULL);
}

static void
test_spf_table (void)
{
  static const struct
  {
    const char *ip;
    const char *domain;
    MsSpfResult expected;
  } cases[] = {
    { "64.233.161.27", "example.test", MS_SPF_PASS },        /* two includes deep */
    { "35.190.247.1", "example.test", MS_SPF_PASS },
    { "2001:4860:4001::1b", "example.test", MS_SPF_PASS },   /* ip6 /36 */
    { "2001:4860:5000::1", "example.test", MS_SPF_SOFTFAIL },
    { "217.69.139.1", "example.test", MS_SPF_PASS },         /* the second include */
    { "192.0.2.1", "example.test", MS_SPF_SOFTFAIL },        /* ~all */
    { "198.51.100.10", "strict.test", MS_SPF_PASS },         /* mx */
    { "198.51.100.40", "strict.test", MS_SPF_PASS },         /* a:.../28 */
    { "198.51.100.48", "strict.test", MS_SPF_FAIL },         /* just outside the /28: -all */
    { "203.0.113.9", "neutral.test", MS_SPF_NEUTRAL },       /* ?all */
    { "192.0.2.77", "redirect.test", MS_SPF_PASS },
    { "203.0.113.9", "redirect.test", MS_SPF_FAIL },
    { "192.0.2.1", "twospf.test", MS_SPF_PERMERROR },
    { "192.0.2.1", "split.test", MS_SPF_PASS },              /* strings of one record joined */
    { "192.0.2.2", "split.test", MS_SPF_FAIL },
    { "192.0.2.1", "broken.test", MS_SPF_PERMERROR },
    { "192.0.2.1", "unknown.test", MS_SPF_PERMERROR },
    { "192.0.2.1", "plusall.test", MS_SPF_PASS },
    { "192.0.2.1", "temp.test", MS_SPF_TEMPERROR },
    { "192.0.2.1", "nothing.test", MS_SPF_NONE },
    { "192.0.2.1", "badinclude.test", MS_SPF_PERMERROR },
    { "10.0.0.10", "toomany.test", MS_SPF_PASS },            /* found by the tenth lookup */
    { "10.0.0.11", "toomany.test", MS_SPF_PERMERROR },       /* would need an eleventh */
    { "192.0.2.1", "loop.test", MS_SPF_PERMERROR },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *detail = NULL;
      MsSpfResult result = spf (cases[i].ip, cases[i].domain, &detail);

      g_test_message ("%s %s: %s (%s)", cases[i].ip, cases[i].domain,
                      ms_spf_result_to_string (result), detail);
      g_assert_cmpstr (ms_spf_result_to_string (result), ==,
                       ms_spf_result_to_string (cases[i].expected));
    }

  {
    g_autofree char *detail = NULL;

    spf ("10.0.0.11", "toomany.test", &detail);
    g_assert_nonnull (strstr (detail, "10 DNS lookups"));
  }

  g_assert_cmpint (ms_spf_all_qualifier ("v=spf1 mx ~all"), ==, '~');
  g_assert_cmpint (ms_spf_all_qualifier ("v=spf1 mx -all"), ==, '-');
  g_assert_cmpint (ms_spf_all_qualifier ("v=spf1 mx ?all"), ==, '?');
  g_assert_cmpint (ms_spf_all_qualifier ("v=spf1 all"), ==, '+');
  g_assert_cmpint (ms_spf_all_qualifier ("v=spf1 mx"), ==, 0);
}

static void
test_dmarc_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDmarcRecord) d = NULL;
  static const char *const bad[] = {
    "v=spf1 -all",
    "v=DMARC1; rua=mailto:x@y.test",
    "v=DMARC1; p=maybe",
    "v=DMARC1; p=none; pct=150",
    "v=DMARC1; p=none; adkim=x",
    "v=DMARC1; p",
  };

  d = ms_dmarc_parse ("v=DMARC1; p=quarantine; sp=reject; pct=25; "
                      "rua=mailto:a@example.test, mailto:b@example.test; adkim=s", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->policy, ==, "quarantine");
  g_assert_cmpstr (d->subdomain_policy, ==, "reject");
  g_assert_cmpuint (d->pct, ==, 25);
  g_assert_cmpuint (d->rua->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (d->rua, 1), ==, "mailto:b@example.test");
  g_assert_cmpint (d->adkim, ==, 's');
  g_assert_cmpint (d->aspf, ==, 'r');
  g_clear_pointer (&d, ms_dmarc_record_free);

  d = ms_dmarc_parse ("v=DMARC1;p=NONE", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (d->policy, ==, "none");
  g_assert_cmpuint (d->pct, ==, 100);
  g_assert_null (d->subdomain_policy);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) e = NULL;
      g_autoptr(MsDmarcRecord) r = ms_dmarc_parse (bad[i], &e);

      g_assert_null (r);
      g_assert_nonnull (e);
    }
}

static void
test_dkim_match (void)
{
  g_autofree char *key = ms_dkim_record_key ("v=DKIM1; k=rsa; p=MIIB IjAN\tBgkq");
  g_autofree char *revoked = ms_dkim_record_key ("v=DKIM1; p=");
  g_autofree char *not_dkim = ms_dkim_record_key ("v=spf1 -all");

  g_assert_cmpstr (key, ==, "MIIBIjANBgkq");
  g_assert_cmpstr (revoked, ==, "");
  g_assert_null (not_dkim);
  g_assert_true (ms_dkim_records_match ("v=DKIM1; k=rsa; p=MIIBIjANBgkq",
                                        "v=DKIM1;k=rsa;p=MIIB IjANBgkq"));
  g_assert_false (ms_dkim_records_match ("v=DKIM1; k=rsa; p=MIIBIjANBgkq",
                                         "v=DKIM1; k=rsa; p=MIIBIjANBgkr"));
  g_assert_false (ms_dkim_records_match ("v=DKIM1; p=", "v=DKIM1; p="));
}

static void
check_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GPtrArray **out = user_data;
  g_autoptr(GError) error = NULL;

  *out = ms_domain_check_finish (result, &error);
  g_assert_no_error (error);
}

static void
test_domain_check (void)
{
  MsDomainCheckParams good = {
    "news@example.test", "smtp.example.test", "example.test", "mail",
    "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOC",
  };
  MsDomainCheckParams bare = { "news@bare.test", "smtp.bare.test", NULL, NULL, NULL };
  MsDomainCheckParams wrong_key = {
    "news@example.test", NULL, "example.test", "mail", "v=DKIM1; k=rsa; p=OTHERKEY",
  };
  g_autoptr(GPtrArray) items = NULL;

  /* everything in place, through the async API */
  ms_domain_check_async (&good, NULL, check_done_cb, &items);
  while (items == NULL)
    g_main_context_iteration (NULL, TRUE);
  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *item = g_ptr_array_index (items, i);

      g_test_message ("%s %s: %s", item->id, ms_check_status_to_string (item->status), item->title);
      g_assert_cmpint (item->status, ==, MS_CHECK_OK);
      g_assert_nonnull (item->advice);
    }
  g_assert_nonnull (ms_test_find_check_item (items, "spf-authorises"));
  g_assert_nonnull (ms_test_find_check_item (items, "dkim-key"));
  g_assert_nonnull (strstr (ms_test_find_check_item (items, "spf-all")->title, "~all"));
  g_clear_pointer (&items, g_ptr_array_unref);

  /* SPF only, and it does not cover the server: never blocking, always explained */
  items = ms_domain_check_run (&bare, NULL);
  g_assert_cmpint (ms_test_find_check_item (items, "spf-record")->status, ==, MS_CHECK_OK);
  g_assert_cmpint (ms_test_find_check_item (items, "spf-authorises")->status, ==, MS_CHECK_ERROR);
  g_assert_cmpint (ms_test_find_check_item (items, "dkim-record")->status, ==, MS_CHECK_WARNING);
  g_assert_cmpint (ms_test_find_check_item (items, "dmarc-record")->status, ==, MS_CHECK_ERROR);
  g_assert_nonnull (strstr (ms_test_find_check_item (items, "dmarc-record")->advice, "_dmarc.bare.test"));
  g_assert_cmpint (ms_test_find_check_item (items, "bulk-senders")->status, ==, MS_CHECK_ERROR);
  g_clear_pointer (&items, g_ptr_array_unref);

  items = ms_domain_check_run (&wrong_key, NULL);
  g_assert_cmpint (ms_test_find_check_item (items, "dkim-key")->status, ==, MS_CHECK_ERROR);
  g_assert_nonnull (strstr (ms_test_find_check_item (items, "dkim-key")->advice, "OTHERKEY"));
  g_assert_cmpint (ms_test_find_check_item (items, "bulk-senders")->status, ==, MS_CHECK_WARNING);
  g_clear_pointer (&items, g_ptr_array_unref);

  {
    g_autofree char *org = ms_domain_organizational ("mail.news.example.co.uk");

    g_assert_cmpstr (org, ==, "example.co.uk");
  }
  {
    g_autofree char *a = ms_domain_organizational ("mx2.Hoster.test.");
    g_autofree char *b = ms_domain_organizational ("hoster.test");
    g_autofree char *c = ms_domain_organizational ("localhost");

    g_assert_cmpstr (a, ==, "hoster.test");
    g_assert_cmpstr (b, ==, "hoster.test");
    g_assert_cmpstr (c, ==, "localhost");
  }
}

/* Autodetection */

static char *work_dir;
static char *certs_dir;

static MsTestServer *
mail_server_start (const char *protocol,
                   gboolean    starttls)
{
  g_autofree char *cert = g_build_filename (certs_dir, "good.pem", NULL);
  g_autofree char *key = g_build_filename (certs_dir, "server.key", NULL);

  return ms_test_server_start ("ms-test-mail-server.py", NULL, "--protocol", protocol,
                               "--security", starttls ? "starttls" : "none",
                               "--cert", cert, "--key", key, NULL);
}

static MsTestServer *
smtp_server_start (gboolean starttls)
{
  g_autofree char *cert = NULL;
  g_autofree char *key = NULL;

  if (!starttls)
    return ms_test_server_start ("ms-test-smtp-server.py", NULL, "--security", "none", NULL);
  cert = g_build_filename (certs_dir, "good.pem", NULL);
  key = g_build_filename (certs_dir, "server.key", NULL);
  return ms_test_server_start ("ms-test-smtp-server.py", NULL, "--security", "starttls",
                               "--cert", cert, "--key", key, NULL);
}

static gboolean
have_certs (void)
{
  if (certs_dir == NULL)
    {
      g_test_skip ("the test certificates could not be made");
      return FALSE;
    }
  return TRUE;
}

static const MsDetectPort closed_ports[] = { { 1, FALSE }, { 0, FALSE } };

static MsDetectResult *
detect (const char            *address,
        const MsDetectOptions *options)
{
  g_autoptr(GError) error = NULL;
  MsDetectResult *result;

  result = ms_autodetect_run (address, options, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  for (guint i = 0; i < result->tried->len; i++)
    g_test_message ("tried: %s", (const char *) g_ptr_array_index (result->tried, i));
  return result;
}

static void
test_detect_preset (void)
{
  g_autoptr(MsDetectResult) r = detect ("anna@gmail.com", NULL);

  g_assert_cmpstr (r->smtp->host, ==, "smtp.gmail.com");
  g_assert_cmpuint (r->smtp->port, ==, 465);
  g_assert_cmpint (r->smtp->security, ==, MS_SECURITY_TLS);
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_PRESET);
  g_assert_cmpstr (r->smtp->login, ==, "anna@gmail.com");
  g_assert_nonnull (strstr (r->smtp->source_text, "preset"));
  g_assert_cmpuint (r->tried->len, ==, 1);
  g_assert_nonnull (r->imap);
}

static void
test_detect_autoconfig (void)
{
  g_autoptr(MsDetectResult) r = detect ("anna@good.test", NULL);

  g_assert_cmpstr (r->smtp->host, ==, "smtp.good.test");
  g_assert_cmpuint (r->smtp->port, ==, 587);
  g_assert_cmpint (r->smtp->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_AUTOCONFIG);
  g_assert_cmpstr (r->smtp->source_text, ==, "from the provider’s autoconfig");
  g_assert_cmpuint (r->imap->port, ==, 993);
  g_assert_cmpstr (r->imap->login, ==, "anna");
  g_assert_cmpstr (r->provider_name, ==, "Example Mail");
  g_assert_cmpuint (r->documentation->len, ==, 1);
  g_assert_cmpuint (r->tried->len, ==, 2);   /* no preset, then the autoconfig */
}

static void
test_detect_mx (void)
{
  g_autoptr(MsDetectResult) r = detect ("boss@workspace.test", NULL);

  g_assert_cmpstr (r->provider_name, ==, "Google Workspace");
  g_assert_cmpstr (r->smtp->host, ==, "smtp.gmail.com");
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_MX);
  g_assert_cmpstr (r->smtp->login, ==, "boss@workspace.test");
  g_assert_nonnull (strstr (r->smtp->source_text, "aspmx.l.google.com"));
  /* the four autoconfig URLs were tried and reported first */
  g_assert_cmpuint (r->tried->len, ==, 6);
}

static void
test_detect_mx_ispdb (void)
{
  g_autoptr(MsDetectResult) r = detect ("anna@hosted.test", NULL);

  /* the MX host's hoster is in the ISPDB: its settings, with the address's own login */
  g_assert_cmpstr (r->smtp->host, ==, "smtp.good.test");
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_MX);
  g_assert_nonnull (strstr (r->smtp->source_text, "mx2.hoster.test"));
  g_assert_cmpstr (r->smtp->login, ==, "anna@hosted.test");
  g_assert_cmpstr (r->imap->login, ==, "anna");
}

static void
test_detect_srv (void)
{
  g_autoptr(MsDetectResult) r = detect ("anna@srv.test", NULL);

  g_assert_cmpstr (r->smtp->host, ==, "mail.srv.test");
  g_assert_cmpuint (r->smtp->port, ==, 465);
  g_assert_cmpint (r->smtp->security, ==, MS_SECURITY_TLS);
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_SRV);
  /* _imaps is "." (not offered), _imap's lowest priority wins */
  g_assert_cmpstr (r->imap->host, ==, "imap1.srv.test");
  g_assert_cmpint (r->imap->security, ==, MS_SECURITY_STARTTLS);
  g_assert_null (r->pop3);
}

static void
test_detect_guess (void)
{
  g_autoptr(MsTestServer) plain = NULL;
  g_autoptr(MsTestServer) tls = NULL;
  g_autoptr(MsDetectResult) r = NULL;
  g_autofree char *ca = NULL;
  g_autofree char *expected = NULL;

  if (!have_certs ())
    return;
  plain = smtp_server_start (FALSE);
  tls = smtp_server_start (TRUE);
  {
    /* the plaintext port first: STARTTLS must still win */
    const MsDetectPort smtp_ports[] = { { plain->port, FALSE }, { tls->port, FALSE }, { 1, FALSE }, { 0, FALSE } };
    MsDetectOptions options = { 0 };

    options.timeout_ms = 20000;
    options.probe_timeout_ms = 5000;
    options.smtp_ports = smtp_ports;
    options.imap_ports = closed_ports;
    options.pop3_ports = closed_ports;
    r = detect ("anna@guess.test", &options);
  }
  g_assert_nonnull (r->smtp);
  g_assert_cmpstr (r->smtp->host, ==, "smtp.guess.test");
  g_assert_cmpuint (r->smtp->port, ==, tls->port);
  g_assert_cmpint (r->smtp->security, ==, MS_SECURITY_STARTTLS);
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_GUESS);
  expected = g_strdup_printf ("guessed: port %u answered with STARTTLS", tls->port);
  g_assert_cmpstr (r->smtp->source_text, ==, expected);
  g_assert_null (r->imap);
  g_assert_null (r->pop3);
  /* smtp. and the MX host answered; mail. does not exist */
  {
    guint answered = 0;

    for (guint i = 0; i < r->tried->len; i++)
      if (strstr (g_ptr_array_index (r->tried, i), "answered") != NULL)
        answered++;
    g_assert_cmpuint (answered, ==, 4);
  }
}

static void
test_detect_guess_plaintext (void)
{
  g_autoptr(MsTestServer) plain = smtp_server_start (FALSE);
  const MsDetectPort smtp_ports[] = { { 1, FALSE }, { plain->port, FALSE }, { 0, FALSE } };
  MsDetectOptions options = { 0 };
  g_autoptr(MsDetectResult) r = NULL;

  options.probe_timeout_ms = 5000;
  options.smtp_ports = smtp_ports;
  options.imap_ports = closed_ports;
  options.pop3_ports = closed_ports;
  r = detect ("anna@plain.test", &options);
  /* plain.test's autoconfig is only over HTTP: it is kept as less trusted, and it wins
   * over guessing since it names a server */
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_AUTOCONFIG_HTTP);
  g_assert_nonnull (strstr (r->smtp->source_text, "less trusted"));
  g_clear_pointer (&r, ms_detect_result_free);

  /* no TLS answered anywhere: plaintext is what there is, and it says so */
  r = detect ("anna@plainonly.test", &options);
  g_assert_cmpint (r->smtp->source, ==, MS_DETECT_SOURCE_GUESS);
  g_assert_cmpuint (r->smtp->port, ==, plain->port);
  g_assert_cmpint (r->smtp->security, ==, MS_SECURITY_NONE);
  g_assert_nonnull (strstr (r->smtp->source_text, "without encryption"));
}

static void
test_detect_mailboxes (void)
{
  g_autoptr(MsTestServer) imap = NULL;
  g_autoptr(MsTestServer) pop3 = NULL;
  g_autoptr(MsDetectResult) r = NULL;
  MsDetectOptions options = { 0 };

  if (!have_certs ())
    return;
  imap = mail_server_start ("imap", TRUE);
  pop3 = mail_server_start ("pop3", FALSE);
  {
    const MsDetectPort imap_ports[] = { { 1, TRUE }, { imap->port, FALSE }, { 0, FALSE } };
    const MsDetectPort pop3_ports[] = { { pop3->port, FALSE }, { 0, FALSE } };

    options.probe_timeout_ms = 5000;
    options.smtp_ports = closed_ports;
    options.imap_ports = imap_ports;
    options.pop3_ports = pop3_ports;
    r = detect ("anna@mailbox.test", &options);
  }
  g_assert_null (r->smtp);
  g_assert_nonnull (r->imap);
  g_assert_cmpstr (r->imap->host, ==, "imap.mailbox.test");
  g_assert_cmpuint (r->imap->port, ==, imap->port);
  g_assert_cmpint (r->imap->security, ==, MS_SECURITY_STARTTLS);   /* CAPABILITY said STARTTLS */
  g_assert_nonnull (r->pop3);
  g_assert_cmpuint (r->pop3->port, ==, pop3->port);
  g_assert_cmpint (r->pop3->security, ==, MS_SECURITY_NONE);
}

static void
test_detect_nothing (void)
{
  MsDetectOptions options = { 0 };
  g_autoptr(MsDetectResult) r = NULL;

  options.probe_timeout_ms = 2000;
  options.smtp_ports = closed_ports;
  options.imap_ports = closed_ports;
  options.pop3_ports = closed_ports;
  r = detect ("anna@nowhere.test", &options);
  g_assert_null (r->smtp);
  g_assert_null (r->imap);
  g_assert_cmpuint (r->tried->len, >, 8);
  g_clear_pointer (&r, ms_detect_result_free);

  /* a failing DNS server is reported, not fatal */
  r = detect ("anna@temp.test", &options);
  g_assert_null (r->smtp);
  {
    gboolean reported = FALSE;

    for (guint i = 0; i < r->tried->len; i++)
      reported = reported || strstr (g_ptr_array_index (r->tried, i), "DNS MX of temp.test: temporary failure") != NULL;
    g_assert_true (reported);
  }
}

static void
detect_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  GError **out = user_data;
  MsDetectResult *r = ms_autodetect_finish (result, out);

  g_assert_null (r);
}

static void
test_detect_cancel_and_limits (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(MsDetectResult) r = NULL;
  MsDetectOptions options = { 0 };
  gint64 start;

  r = ms_autodetect_run ("not an address", NULL, NULL, &error);
  g_assert_null (r);
  g_assert_error (error, MS_AUTODETECT_ERROR, MS_AUTODETECT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);

  /* cancelled while the slow autoconfig server keeps us waiting */
  ms_autodetect_async ("anna@slow.test", NULL, cancellable, detect_done_cb, &error);
  g_usleep (200 * 1000);
  g_cancellable_cancel (cancellable);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);

  /* the total limit bounds a slow autoconfig and everything after it */
  options.timeout_ms = 1500;
  options.smtp_ports = closed_ports;
  options.imap_ports = closed_ports;
  options.pop3_ports = closed_ports;
  start = g_get_monotonic_time ();
  r = ms_autodetect_run ("anna@slow.test", &options, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 3 * G_USEC_PER_SEC);
  g_assert_null (r->smtp);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  setlocale (LC_ALL, "C");
  g_unsetenv ("MAILSHOT_AUTOCONFIG_BASE");
  g_test_init (&argc, &argv, NULL);
  work_dir = ms_test_make_tmp_dir ("test-autodetect-XXXXXX");
  certs_dir = ms_test_make_certificates (work_dir);
  http = ms_test_http_server_start (handler, NULL);
  ms_autoconfig_set_base_url (ms_test_http_server_get_base (http));
  ms_test_set_dns_table (dns_table, G_N_ELEMENTS (dns_table));

  g_test_add_func ("/autoconfig/parse", test_autoconfig_parse);
  g_test_add_func ("/autoconfig/parse-errors", test_autoconfig_parse_errors);
  g_test_add_func ("/autoconfig/username", test_autoconfig_username);
  g_test_add_func ("/autoconfig/urls", test_autoconfig_urls);
  g_test_add_func ("/autoconfig/fetch-good", test_autoconfig_fetch_good);
  g_test_add_func ("/autoconfig/fetch-malformed", test_autoconfig_fetch_malformed);
  g_test_add_func ("/autoconfig/fetch-huge", test_autoconfig_fetch_huge);
  g_test_add_func ("/autoconfig/fetch-redirect", test_autoconfig_fetch_redirect);
  g_test_add_func ("/autoconfig/redirect-policy", test_autoconfig_redirect_policy);
  g_test_add_func ("/autoconfig/fetch-slow", test_autoconfig_fetch_slow);
  g_test_add_func ("/autoconfig/fetch-cancelled", test_autoconfig_fetch_cancelled);
  g_test_add_func ("/autoconfig/fetch-plain", test_autoconfig_fetch_plain);

  g_test_add_func ("/domain/spf", test_spf_table);
  g_test_add_func ("/domain/dmarc", test_dmarc_parse);
  g_test_add_func ("/domain/dkim", test_dkim_match);
  g_test_add_func ("/domain/check", test_domain_check);

  g_test_add_func ("/detect/preset", test_detect_preset);
  g_test_add_func ("/detect/autoconfig", test_detect_autoconfig);
  g_test_add_func ("/detect/mx", test_detect_mx);
  g_test_add_func ("/detect/mx-ispdb", test_detect_mx_ispdb);
  g_test_add_func ("/detect/srv", test_detect_srv);
  g_test_add_func ("/detect/guess", test_detect_guess);
  g_test_add_func ("/detect/guess-plaintext", test_detect_guess_plaintext);
  g_test_add_func ("/detect/mailboxes", test_detect_mailboxes);
  g_test_add_func ("/detect/nothing", test_detect_nothing);
  g_test_add_func ("/detect/cancel-and-limits", test_detect_cancel_and_limits);

  ret = g_test_run ();
  ms_test_http_server_stop (http);
  ms_test_remove_tmp_dir (work_dir);
  g_free (work_dir);
  g_free (certs_dir);
  return ret;
}

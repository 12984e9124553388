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

typedef struct
{
  GMainContext *context;
  GMainLoop    *loop;
  SoupServer   *server;
  GThread      *thread;
  char         *base;
  GMutex        lock;
  GCond         cond;
  gboolean      ready;
  GPtrArray    *requests;   /* paths, for asserting the order of the lookups */
} HttpServer;

static HttpServer http;

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
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  g_mutex_lock (&http.lock);
  g_ptr_array_add (http.requests, g_strdup (path));
  g_mutex_unlock (&http.lock);

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
    {
      g_autoptr(GSource) source = g_timeout_source_new (4000);

      soup_server_message_pause (msg);
      g_source_set_callback (source, unpause_cb, g_object_ref (msg), g_object_unref);
      g_source_attach (source, http.context);
    }
  else if (g_str_equal (path, "/http/autoconfig.plain.test/mail/config-v1.1.xml"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_STATIC,
                                        good_xml, strlen (good_xml));
    }
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

static gpointer
http_thread (gpointer data)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (http.context);
  http.server = soup_server_new (NULL, NULL);
  soup_server_add_handler (http.server, NULL, handler, NULL, NULL);
  if (!soup_server_listen_local (http.server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("listen: %s", error->message);
  uris = soup_server_get_uris (http.server);
  {
    GUri *uri = uris->data;

    http.base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uri));
  }
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&http.lock);
  http.ready = TRUE;
  g_cond_signal (&http.cond);
  g_mutex_unlock (&http.lock);

  g_main_loop_run (http.loop);
  soup_server_disconnect (http.server);
  g_clear_object (&http.server);
  g_main_context_pop_thread_default (http.context);
  return NULL;
}

static void
http_start (void)
{
  g_mutex_init (&http.lock);
  g_cond_init (&http.cond);
  http.requests = g_ptr_array_new_with_free_func (g_free);
  http.context = g_main_context_new ();
  http.loop = g_main_loop_new (http.context, FALSE);
  http.thread = g_thread_new ("http", http_thread, NULL);
  g_mutex_lock (&http.lock);
  while (!http.ready)
    g_cond_wait (&http.cond, &http.lock);
  g_mutex_unlock (&http.lock);
  ms_autoconfig_set_base_url (http.base);
}

static gboolean
quit_cb (gpointer data)
{
  g_main_loop_quit (http.loop);
  return G_SOURCE_REMOVE;
}

static void
http_stop (void)
{
  g_main_context_invoke (http.context, quit_cb, NULL);
  g_thread_join (http.thread);
  g_main_loop_unref (http.loop);
  g_main_context_unref (http.context);
  g_ptr_array_unref (http.requests);
  g_free (http.base);
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
  ms_autoconfig_set_base_url (http.base);
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
  g_assert_true (g_str_has_prefix (config->source_url, http.base));
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
    g_autofree char *url = g_strdup_printf ("%s/autoconfig.huge.test/mail/config-v1.1.xml", http.base);

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
  g_autofree char *url = g_strdup_printf ("%s/autoconfig.redirect.test/mail/config-v1.1.xml", http.base);

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
test_autoconfig_fetch_slow (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup_printf ("%s/autoconfig.slow.test/mail/config-v1.1.xml", http.base);
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

int
main (int   argc,
      char *argv[])
{
  int ret;

  setlocale (LC_ALL, "C");
  g_unsetenv ("MAILSHOT_AUTOCONFIG_BASE");
  g_test_init (&argc, &argv, NULL);
  http_start ();

  g_test_add_func ("/autoconfig/parse", test_autoconfig_parse);
  g_test_add_func ("/autoconfig/parse-errors", test_autoconfig_parse_errors);
  g_test_add_func ("/autoconfig/username", test_autoconfig_username);
  g_test_add_func ("/autoconfig/urls", test_autoconfig_urls);
  g_test_add_func ("/autoconfig/fetch-good", test_autoconfig_fetch_good);
  g_test_add_func ("/autoconfig/fetch-malformed", test_autoconfig_fetch_malformed);
  g_test_add_func ("/autoconfig/fetch-huge", test_autoconfig_fetch_huge);
  g_test_add_func ("/autoconfig/fetch-redirect", test_autoconfig_fetch_redirect);
  g_test_add_func ("/autoconfig/fetch-slow", test_autoconfig_fetch_slow);
  g_test_add_func ("/autoconfig/fetch-cancelled", test_autoconfig_fetch_cancelled);
  g_test_add_func ("/autoconfig/fetch-plain", test_autoconfig_fetch_plain);

  ret = g_test_run ();
  http_stop ();
  return ret;
}

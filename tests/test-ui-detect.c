/* test-ui-detect.c
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

#define G_LOG_DOMAIN "test-ui-detect"

#include "config.h"

#include <string.h>

#include <adwaita.h>
#include <libsoup/soup.h>

#include "ms-application.h"
#include "ms-autoconfig.h"
#include "ms-contact.h"
#include "ms-contact-list.h"
#include "ms-domain-check.h"
#include "ms-domain-checklist.h"
#include "ms-new-campaign-dialog.h"
#include "ms-secrets.h"
#include "ms-server-editor.h"
#include "ms-store.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

#include "ms-test-ui-utils.h"

/* The server editor's first page: an address typed, Detect Settings (Enter)
 * looking it up through autoconfig served by a SoupServer on 127.0.0.1 (the
 * base-URL seam) and DNS answered from a table (a GResolver set as the default);
 * the fields filled with their sources shown, Test Connection run at once against
 * our SMTP test server on loopback, the sender domain checked; nothing found;
 * cancelled and closed while looking; then the sender domain in the New Campaign
 * dialog's pre-flight page.  Nothing leaves the machine.  Screenshots land in the
 * build folder. */

#define WAIT_TIMEOUT_S 60
#define PASSWORD "Ohm-8-Pi-sat-nu"
#define ADDRESS "anna@good.test"

static MsApplication *app;
static char *tmp_dir;
static char *db_path;
static char *certs_dir;
static char *autoconfig_xml;

/* Scrolls the scrolled window around @widget so that @widget is at its top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment;
  graphene_point_t point;

  g_assert_nonnull (scrolled);
  ms_test_wait_for_frames (GTK_WIDGET (gtk_widget_get_root (widget)));
  adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  g_assert_true (gtk_widget_compute_point (widget, scrolled, &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_value (adjustment) + point.y - 12);
}

static int
spin_of (gpointer    root,
         const char *name)
{
  return gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (root, name)));
}

static guint
combo_of (gpointer    root,
          const char *name)
{
  return adw_combo_row_get_selected (ADW_COMBO_ROW (ms_test_get_widget (root, name)));
}

static const char *
subtitle_of (gpointer    root,
             const char *name)
{
  return adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (root, name)));
}

/* The HTTP server of the autoconfig documents, on a thread of its own */

static MsTestHttpServer *http;

static gboolean
answer_late_cb (gpointer data)
{
  SoupServerMessage *msg = data;

  soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
handler (MsTestHttpServer  *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  if (g_str_equal (path, "/autoconfig.good.test/mail/config-v1.1.xml")
      && query != NULL && g_strcmp0 (g_hash_table_lookup (query, "emailaddress"), ADDRESS) == 0)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/xml", SOUP_MEMORY_COPY,
                                        autoconfig_xml, strlen (autoconfig_xml));
    }
  else if (g_str_equal (path, "/autoconfig.slow.test/mail/config-v1.1.xml"))
    ms_test_http_server_answer_later (server, msg, 50000, answer_late_cb);
  else
    soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
}

/* DNS from a table: a GResolver set as the default */

static const MsTestDnsRow dns_table[] = {
  { "localhost", "A", "127.0.0.1" },
  { "good.test", "TXT", "v=spf1 a:localhost ~all" },
  { "_dmarc.good.test", "TXT", "v=DMARC1; p=none; rua=mailto:dmarc@good.test" },
  /* A slow name server: it answers after ten seconds, or when cancelled */
  { "slowdns.test", "SLOW", NULL },
};

/* The SMTP test server */

static MsTestServer *
test_server_start (const char *login)
{
  g_autofree char *dir = g_strdup_printf ("%s/smtp-server", tmp_dir);
  g_autofree char *cert = g_build_filename (certs_dir, "good.pem", NULL);
  g_autofree char *key = g_build_filename (certs_dir, "server.key", NULL);
  g_autofree char *auth = g_strdup_printf ("%s:%s", login, PASSWORD);

  return ms_test_server_start ("ms-test-smtp-server.py", dir,
                               "--security", "starttls", "--cert", cert, "--key", key,
                               "--auth", auth, "--require-auth", NULL);
}

/* The editor */

static gboolean
is_not_detecting (gpointer data)
{
  return !ms_server_editor_get_detecting (data);
}

static gboolean
is_not_testing (gpointer data)
{
  return !ms_server_editor_get_testing (data);
}

static gboolean
is_checklist_done (gpointer data)
{
  return !ms_domain_checklist_get_busy (data) && ms_domain_checklist_get_items (data) != NULL;
}

static MsServerEditor *
open_editor (MsSecrets *secrets)
{
  MsServerEditor *editor = ms_server_editor_new (NULL, db_path, secrets, NULL);

  gtk_window_set_default_size (GTK_WINDOW (editor), 640, 860);
  gtk_window_present (GTK_WINDOW (editor));
  ms_test_wait_for_frames (GTK_WIDGET (editor));
  return editor;
}

static void
close_editor (MsServerEditor *editor)
{
  gpointer weak = editor;

  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  /* Escape closes it, as the Cancel button does */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "window.close", NULL));
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the editor to close");
}

static guint
count_named (GtkWidget  *root,
             const char *name)
{
  guint n = g_strcmp0 (gtk_widget_get_name (root), name) == 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    n += count_named (child, name);
  return n;
}

static void
test_detect_found (void)
{
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsSecrets) secrets = ms_secrets_new_for_database (db_path);
  g_autofree char *ca_path = NULL;
  g_autoptr(GFile) ca_file = NULL;
  g_autofree char *log = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *where = NULL;
  const MsServerTestReport *report;
  MsDomainChecklist *checklist;
  GPtrArray *items;
  const MsCheckItem *item;
  MsServerEditor *editor;
  gpointer weak;

  if (certs_dir == NULL || !g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the test certificates or " MS_TEST_PYTHON " are missing");
      return;
    }
  srv = test_server_start (ADDRESS);
  g_free (autoconfig_xml);
  autoconfig_xml = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<clientConfig version=\"1.1\">\n"
    "  <emailProvider id=\"good.test\">\n"
    "    <domain>good.test</domain>\n"
    "    <displayName>Good Test Mail</displayName>\n"
    "    <incomingServer type=\"imap\">\n"
    "      <hostname>imap.good.test</hostname><port>993</port>\n"
    "      <socketType>SSL</socketType><username>%%EMAILLOCALPART%%</username>\n"
    "    </incomingServer>\n"
    "    <incomingServer type=\"pop3\">\n"
    "      <hostname>pop.good.test</hostname><port>995</port>\n"
    "      <socketType>SSL</socketType><username>%%EMAILADDRESS%%</username>\n"
    "    </incomingServer>\n"
    "    <outgoingServer type=\"smtp\">\n"
    "      <hostname>localhost</hostname><port>%u</port>\n"
    "      <socketType>STARTTLS</socketType><username>%%EMAILADDRESS%%</username>\n"
    "    </outgoingServer>\n"
    "    <documentation url=\"https://good.test/help/mail-setup\"><descr>Setup</descr></documentation>\n"
    "  </emailProvider>\n"
    "</clientConfig>\n", srv->port);

  editor = open_editor (secrets);
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "address");
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "save-button")));
  g_assert_true (gtk_widget_has_focus (ms_test_get_widget (editor, "detect-address-row"))
                 || gtk_widget_is_ancestor (gtk_root_get_focus (GTK_ROOT (editor)),
                                            ms_test_get_widget (editor, "detect-address-row")));

  /* Half an address: it says what it needs and stays */
  ms_test_type_into (editor, "detect-address-row", "anna");
  ms_test_click (editor, "detect-button");
  g_assert_false (ms_server_editor_get_detecting (editor));
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "detect-status-label")));
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ms_test_get_widget (editor, "detect-status-label"))),
                            "whole email address"));
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "address");
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-detect-address.png");

  /* The address and password, then Enter: the spinner and Cancel while it looks */
  ms_test_type_into (editor, "detect-address-row", ADDRESS);
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "detect-status-label")));
  ms_test_type_into (editor, "detect-password-row", PASSWORD);
  /* The test server's certificate is of our own making: trust its authority */
  ca_path = g_build_filename (certs_dir, "ca.pem", NULL);
  ca_file = g_file_new_for_path (ca_path);
  ms_server_editor_set_ca_file (editor, ca_file);
  /* Enter in the password field: its text is activated as the key would */
  g_signal_emit_by_name (ms_test_find_of_type (ms_test_get_widget (editor, "detect-password-row"), GTK_TYPE_TEXT), "activate");
  g_assert_true (ms_server_editor_get_detecting (editor));
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "detect-cancel-button")));
  g_assert_false (gtk_widget_get_sensitive (ms_test_get_widget (editor, "detect-button")));
  ms_test_wait_until (is_not_detecting, editor, "the settings to be detected");
  g_assert_true (ms_test_http_server_was_asked (http, "/autoconfig.good.test/mail/config-v1.1.xml"));

  /* The fields hold what the autoconfig document says */
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "settings");
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "save-button")));
  g_assert_cmpstr (ms_test_text_of (editor, "address-row"), ==, ADDRESS);
  g_assert_cmpstr (ms_test_text_of (editor, "name-row"), ==, ADDRESS);
  g_assert_cmpuint (combo_of (editor, "transport-row"), ==, MS_TRANSPORT_SMTP);
  g_assert_cmpstr (ms_test_text_of (editor, "host-row"), ==, "localhost");
  g_assert_cmpint (spin_of (editor, "port-spin"), ==, srv->port);
  g_assert_cmpuint (combo_of (editor, "security-row"), ==, MS_SECURITY_STARTTLS);
  g_assert_cmpstr (ms_test_text_of (editor, "login-row"), ==, ADDRESS);
  g_assert_cmpstr (ms_test_text_of (editor, "password-row"), ==, PASSWORD);
  g_assert_cmpuint (combo_of (editor, "incoming-protocol-row"), ==, MS_INCOMING_IMAP);
  g_assert_cmpstr (ms_test_text_of (editor, "incoming-host-row"), ==, "imap.good.test");
  g_assert_cmpint (spin_of (editor, "incoming-port-spin"), ==, 993);
  g_assert_cmpuint (combo_of (editor, "incoming-security-row"), ==, MS_SECURITY_TLS);
  g_assert_cmpstr (ms_test_text_of (editor, "incoming-login-row"), ==, "anna");
  g_assert_cmpstr (ms_test_text_of (editor, "incoming-password-row"), ==, PASSWORD);
  /* The password is not left behind on the first page */
  g_assert_cmpstr (ms_test_text_of (editor, "detect-password-row"), ==, "");
  g_assert_null (ms_server_editor_get_problem (editor));

  /* ... and says where each came from */
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "sources-group")));
  where = g_strdup_printf ("localhost, port %u, STARTTLS, login " ADDRESS "\nfrom the provider’s autoconfig",
                           srv->port);
  g_assert_cmpstr (subtitle_of (editor, "smtp-source-row"), ==, where);
  g_assert_cmpstr (subtitle_of (editor, "incoming-source-row"), ==,
                   "imap.good.test, port 993, TLS, login anna\nfrom the provider’s autoconfig");
  g_assert_nonnull (strstr (subtitle_of (editor, "pop3-source-row"), "pop.good.test, port 995"));
  g_assert_cmpstr (subtitle_of (editor, "documentation-row"), ==, "https://good.test/help/mail-setup");
  g_assert_nonnull (strstr (adw_expander_row_get_subtitle (ADW_EXPANDER_ROW (ms_test_get_widget (editor, "tried-row"))),
                            "in order"));
  g_assert_nonnull (strstr (adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (ms_test_get_widget (editor, "sources-group"))),
                            "Good Test Mail"));

  /* Test Connection ran by itself, with the password typed on the first page */
  g_assert_true (ms_server_editor_get_testing (editor));
  ms_test_wait_until (is_not_testing, editor, "the automatic Test Connection");
  report = ms_server_editor_get_test_report (editor);
  log = ms_server_editor_dup_test_log (editor);
  g_test_message ("Test Connection log:\n%s", log);
  g_assert_nonnull (report);
  g_assert_true (report->success);
  g_assert_nonnull (strstr (log, "ok: Logged in."));
  transcript = ms_test_server_dup_transcript (srv);
  g_assert_nonnull (strstr (transcript, "TLS started"));
  g_assert_nonnull (strstr (transcript, "C: AUTH"));

  /* The sender domain was checked too, from the table's DNS */
  checklist = ms_server_editor_get_domain_checklist (editor);
  ms_test_wait_until (is_checklist_done, checklist, "the sender domain check");
  items = ms_domain_checklist_get_items (checklist);
  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *it = g_ptr_array_index (items, i);

      g_test_message ("domain check: %s %s: %s", ms_check_status_to_string (it->status), it->title, it->advice);
    }
  item = ms_test_find_check_item (items, "spf-record");
  g_assert_nonnull (item);
  g_assert_cmpint (item->status, ==, MS_CHECK_OK);
  item = ms_test_find_check_item (items, "spf-authorises");
  g_assert_nonnull (item);
  g_assert_cmpint (item->status, ==, MS_CHECK_OK);
  item = ms_test_find_check_item (items, "dmarc-record");
  g_assert_nonnull (item);
  g_assert_cmpint (item->status, ==, MS_CHECK_OK);
  item = ms_test_find_check_item (items, "dkim-record");
  g_assert_nonnull (item);
  g_assert_cmpint (item->status, !=, MS_CHECK_OK);   /* no DKIM key configured */
  g_assert_cmpuint (count_named (GTK_WIDGET (checklist), "check-item"), ==, items->len);
  g_assert_nonnull (ms_domain_checklist_get_summary (checklist));
  g_assert_nonnull (strstr (ms_domain_checklist_get_summary (checklist), "not blocked"));

  /* The filled editor with its sources */
  scroll_to (ms_test_get_widget (editor, "sources-group"));
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-detected.png");
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (ms_test_get_widget (editor, "tried-row")), TRUE);
  scroll_to (ms_test_get_widget (editor, "domain-group"));
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-domain-check.png");

  /* Each detected field says so where it is */
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ms_test_get_widget (editor, "host-row")), ==,
                   "Detected from the provider’s autoconfig");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ms_test_get_widget (editor, "incoming-login-row")), ==,
                   "Detected from the provider’s autoconfig");

  /* Overriding a field: the source says the person's value is used */
  ms_test_type_into (editor, "host-row", "127.0.0.1");
  g_assert_nonnull (strstr (subtitle_of (editor, "smtp-source-row"), "You changed it since"));
  g_assert_null (gtk_widget_get_tooltip_text (ms_test_get_widget (editor, "host-row")));
  g_assert_nonnull (gtk_widget_get_tooltip_text (ms_test_get_widget (editor, "security-row")));
  g_assert_null (strstr (subtitle_of (editor, "incoming-source-row"), "You changed it since"));
  ms_test_type_into (editor, "host-row", "localhost");
  g_assert_null (strstr (subtitle_of (editor, "smtp-source-row"), "You changed it since"));

  /* Check Domain again by hand */
  ms_test_click (editor, "domain-check-button");
  g_assert_true (ms_domain_checklist_get_busy (checklist));
  g_assert_false (gtk_widget_get_sensitive (ms_test_get_widget (editor, "domain-check-button")));
  ms_test_wait_until (is_checklist_done, checklist, "the second sender domain check");
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (editor, "domain-check-button")));

  /* Saving keeps what was detected */
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  ms_test_click (editor, "save-button");
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the editor to save and close");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsStore) store = ms_store_open (db_path, &error);
    g_autoptr(MsServer) stored = NULL;

    g_assert_no_error (error);
    stored = ms_store_find_server (store, ADDRESS, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ms_server_get_host (stored), ==, "localhost");
    g_assert_cmpuint (ms_server_get_port (stored), ==, srv->port);
    g_assert_cmpstr (ms_server_get_incoming_host (stored), ==, "imap.good.test");

    /* Editing it skips the address page; Check Domain runs when asked */
    editor = ms_server_editor_new (NULL, db_path, secrets, stored);
    gtk_window_present (GTK_WINDOW (editor));
    g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "settings");
    g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "save-button")));
    g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "sources-group")));
    checklist = ms_server_editor_get_domain_checklist (editor);
    g_assert_false (ms_domain_checklist_get_busy (checklist));
    g_assert_null (ms_domain_checklist_get_items (checklist));
    ms_test_click (editor, "domain-check-button");
    ms_test_wait_until (is_checklist_done, checklist, "the sender domain check of the stored profile");
    g_assert_cmpint (ms_test_find_check_item (ms_domain_checklist_get_items (checklist), "spf-authorises")->status, ==,
                     MS_CHECK_OK);
    /* Closing it while a check runs cancels the check */
    ms_test_click (editor, "domain-check-button");
    g_assert_true (ms_domain_checklist_get_busy (checklist));
    close_editor (editor);
  }
}

static void
test_detect_nothing (void)
{
  g_autoptr(MsSecrets) secrets = ms_secrets_new_for_database (db_path);
  MsServerEditor *editor = open_editor (secrets);
  const char *description;

  ms_test_type_into (editor, "detect-address-row", "bob@nothing.test");
  ms_test_click (editor, "detect-button");
  g_assert_true (ms_server_editor_get_detecting (editor));
  ms_test_wait_until (is_not_detecting, editor, "the detection to give up");

  /* A clear message, the tries, and the fields to fill in by hand */
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "settings");
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "sources-group")));
  g_assert_cmpstr (adw_preferences_group_get_title (ADW_PREFERENCES_GROUP (ms_test_get_widget (editor, "sources-group"))),
                   ==, "No Settings Found");
  description = adw_preferences_group_get_description (ADW_PREFERENCES_GROUP (ms_test_get_widget (editor, "sources-group")));
  g_assert_nonnull (strstr (description, "nothing.test"));
  g_assert_nonnull (strstr (description, "Ask your provider"));
  g_assert_null (ms_test_find_widget (GTK_WIDGET (editor), "smtp-source-row"));
  g_assert_nonnull (ms_test_find_widget (GTK_WIDGET (editor), "tried-row"));
  g_assert_true (ms_test_http_server_was_asked (http, "/autoconfig.nothing.test/mail/config-v1.1.xml"));
  g_assert_true (ms_test_http_server_was_asked (http, "/ispdb/v1.1/nothing.test"));
  g_assert_cmpstr (ms_test_text_of (editor, "address-row"), ==, "bob@nothing.test");
  g_assert_cmpstr (ms_test_text_of (editor, "host-row"), ==, "");
  g_assert_false (ms_server_editor_get_testing (editor));
  g_assert_null (ms_server_editor_get_test_report (editor));
  g_assert_nonnull (ms_server_editor_get_problem (editor));   /* no host yet */
  adw_expander_row_set_expanded (ADW_EXPANDER_ROW (ms_test_get_widget (editor, "tried-row")), TRUE);
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-detect-nothing.png");

  /* The person goes on by hand */
  ms_test_type_into (editor, "host-row", "smtp.nothing.test");
  g_assert_null (ms_server_editor_get_problem (editor));
  close_editor (editor);
}

static void
test_detect_cancel (void)
{
  g_autoptr(MsSecrets) secrets = ms_secrets_new_for_database (db_path);
  MsServerEditor *editor = open_editor (secrets);
  gint64 started;

  /* Cancel stops it at once and the first page is ready again */
  ms_test_type_into (editor, "detect-address-row", "carl@slow.test");
  ms_test_click (editor, "detect-button");
  g_assert_true (ms_server_editor_get_detecting (editor));
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "detect-cancel-button")));
  started = g_get_monotonic_time ();
  ms_test_click (editor, "detect-cancel-button");
  ms_test_wait_until (is_not_detecting, editor, "the detection to stop");
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "address");
  g_assert_nonnull (strstr (gtk_label_get_text (GTK_LABEL (ms_test_get_widget (editor, "detect-status-label"))),
                            "Stopped"));
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (editor, "detect-button")));
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "detect-cancel-button")));

  /* Closing the editor while it looks cancels it; the UI thread never waits */
  ms_test_click (editor, "detect-button");
  g_assert_true (ms_server_editor_get_detecting (editor));
  started = g_get_monotonic_time ();
  close_editor (editor);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);

  /* Closing it while the sender domain is checked cancels the check */
  {
    g_autoptr(MsServer) server = ms_server_new ();
    MsDomainChecklist *checklist;
    gpointer weak_checklist;

    ms_server_set_name (server, "Slow DNS");
    ms_server_set_host (server, "localhost");
    ms_server_set_sender_address (server, "eve@slowdns.test");
    editor = ms_server_editor_new (NULL, db_path, secrets, server);
    gtk_window_present (GTK_WINDOW (editor));
    checklist = ms_server_editor_get_domain_checklist (editor);
    weak_checklist = checklist;
    g_object_add_weak_pointer (G_OBJECT (checklist), &weak_checklist);
    ms_test_click (editor, "domain-check-button");
    g_assert_true (ms_domain_checklist_get_busy (checklist));
    started = g_get_monotonic_time ();
    close_editor (editor);
    ms_test_wait_until (ms_test_is_destroyed, &weak_checklist, "the checklist to go when its check is cancelled");
    g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  }

  /* Set Up Manually skips the lookup */
  editor = open_editor (secrets);
  ms_test_type_into (editor, "detect-address-row", "dora@manual.test");
  ms_test_click (editor, "manual-button");
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "settings");
  g_assert_cmpstr (ms_test_text_of (editor, "address-row"), ==, "dora@manual.test");
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "sources-group")));
  g_assert_false (ms_test_http_server_was_asked (http, "/autoconfig.manual.test/mail/config-v1.1.xml"));
  close_editor (editor);
}

/* The New Campaign dialog's pre-flight page */

static gboolean
are_checklists_done (gpointer data)
{
  GPtrArray *checklists = ms_new_campaign_dialog_get_domain_checklists (data);

  for (guint i = 0; i < checklists->len; i++)
    if (!is_checklist_done (g_ptr_array_index (checklists, i)))
      return FALSE;
  return checklists->len > 0;
}

static MsDomainChecklist *
checklist_of_domain (GPtrArray  *checklists,
                     const char *domain)
{
  for (guint i = 0; i < checklists->len; i++)
    {
      MsDomainChecklist *checklist = g_ptr_array_index (checklists, i);
      const MsCheckItem *spf = ms_test_find_check_item (ms_domain_checklist_get_items (checklist), "spf-record");

      if (spf != NULL && strstr (spf->title, domain) != NULL)
        return checklist;
    }
  return NULL;
}

static gint64
add_server (MsStore    *store,
            const char *name,
            const char *sender,
            gboolean    substitution)
{
  g_autoptr(MsServer) server = ms_server_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  ms_server_set_name (server, name);
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, "localhost");
  ms_server_set_port (server, 587);
  ms_server_set_security (server, MS_SECURITY_STARTTLS);
  ms_server_set_sender_address (server, sender);
  ms_server_set_allow_sender_substitution (server, substitution);
  id = ms_store_add_server (store, server, &error);
  g_assert_no_error (error);
  return id;
}

static void
test_preflight_domain (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);
  g_autoptr(MsTemplate) tmpl = ms_template_new ("Autumn news");
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(MsContact) contact = ms_contact_new ("reader@example.net");
  g_autofree char *preflight = NULL;
  MsNewCampaignDialog *dialog;
  MsDomainChecklist *own, *fixed;
  GPtrArray *checklists;
  GPtrArray *items;
  gint64 strict_id, open_id, template_id, contact_id;
  gpointer weak;

  g_assert_no_error (error);
  /* One server may only send as itself, the other sends with the template's From */
  strict_id = add_server (store, "Strict relay", "relay@good.test", FALSE);
  open_id = add_server (store, "Open relay", "relay@open.test", TRUE);
  list = ms_store_create_list (store, "Readers", &error);
  g_assert_no_error (error);
  contact_id = ms_store_add_contact (store, contact, &error);
  g_assert_no_error (error);
  g_assert_true (ms_store_add_list_members (store, ms_contact_list_get_id (list), &contact_id, 1, &error));
  ms_template_set_subject (tmpl, "Autumn");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, "Leaves are falling.\n");
  /* The template's own From, on a domain without any records */
  ms_template_set_sender_address (tmpl, "news@bare.test");
  template_id = ms_store_add_template (store, tmpl, &error);
  g_assert_no_error (error);

  dialog = ms_new_campaign_dialog_new (NULL, db_path);
  gtk_window_set_default_size (GTK_WINDOW (dialog), 600, 900);
  /* The screenshot shows the pre-flight page, not the slide towards it */
  gtk_stack_set_transition_type (GTK_STACK (ms_test_find_of_type (GTK_WIDGET (dialog), GTK_TYPE_STACK)),
                                 GTK_STACK_TRANSITION_TYPE_NONE);
  gtk_window_present (GTK_WINDOW (dialog));
  ms_test_wait_until (ms_test_is_new_campaign_dialog_loaded, dialog, "the dialog to read its choices");
  ms_new_campaign_dialog_set_name (dialog, "Autumn 2026");
  g_assert_true (ms_new_campaign_dialog_select_template (dialog, template_id));
  g_assert_true (ms_new_campaign_dialog_set_list_role (dialog, ms_contact_list_get_id (list), 1));
  g_assert_true (ms_new_campaign_dialog_choose_server (dialog, strict_id, TRUE));
  g_assert_true (ms_new_campaign_dialog_choose_server (dialog, open_id, TRUE));
  ms_test_click (dialog, "next-button");
  ms_test_wait_until (ms_test_is_new_campaign_dialog_checked, dialog, "the pre-flight checks");

  /* The sender domains are being checked: Start does not wait for them */
  checklists = ms_new_campaign_dialog_get_domain_checklists (dialog);
  g_assert_cmpuint (checklists->len, ==, 2);
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (dialog, "start-button")));
  ms_test_wait_until (are_checklists_done, dialog, "the sender domain checks");
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (dialog, "start-button")));
  g_assert_cmpuint (count_named (GTK_WIDGET (dialog), "domain-checklist"), ==, 2);
  preflight = ms_new_campaign_dialog_dup_preflight_text (dialog);
  g_test_message ("Pre-flight:\n%s", preflight);

  /* The strict server's own From, on a domain in order */
  own = checklist_of_domain (checklists, "good.test");
  g_assert_nonnull (own);
  items = ms_domain_checklist_get_items (own);
  g_assert_cmpint (ms_test_find_check_item (items, "spf-record")->status, ==, MS_CHECK_OK);
  g_assert_cmpint (ms_test_find_check_item (items, "spf-authorises")->status, ==, MS_CHECK_OK);
  g_assert_cmpint (ms_test_find_check_item (items, "dmarc-record")->status, ==, MS_CHECK_OK);

  /* The template's From through the other, with what lacks explained */
  fixed = checklist_of_domain (checklists, "bare.test");
  g_assert_nonnull (fixed);
  items = ms_domain_checklist_get_items (fixed);
  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *it = g_ptr_array_index (items, i);

      g_test_message ("pre-flight domain check: %s %s: %s", ms_check_status_to_string (it->status),
                      it->title, it->advice);
      g_assert_nonnull (it->advice);
      g_assert_cmpstr (it->advice, !=, "");
    }
  g_assert_cmpint (ms_test_find_check_item (items, "spf-record")->status, ==, MS_CHECK_ERROR);
  g_assert_cmpint (ms_test_find_check_item (items, "dmarc-record")->status, !=, MS_CHECK_OK);
  g_assert_nonnull (strstr (ms_domain_checklist_get_summary (fixed), "not blocked"));
  g_assert_null (checklist_of_domain (checklists, "open.test"));

  scroll_to (ms_test_get_widget (dialog, "domain-heading"));
  ms_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-preflight-domain-check.png");

  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  gtk_window_close (GTK_WINDOW (dialog));
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the dialog to close");
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_unsetenv ("MAILSHOT_AUTOCONFIG_BASE");
  ms_test_ui_init (&argc, &argv, WAIT_TIMEOUT_S);

  tmp_dir = ms_test_make_tmp_dir ("ms-ui-detect-XXXXXX");
  db_path = g_build_filename (tmp_dir, "mailshot.db", NULL);
  ms_test_create_database (db_path);
  certs_dir = ms_test_make_certificates (tmp_dir);
  http = ms_test_http_server_start (handler, NULL);
  ms_autoconfig_set_base_url (ms_test_http_server_get_base (http));
  ms_test_set_dns_table (dns_table, G_N_ELEMENTS (dns_table));

  app = ms_test_application_new (db_path);

  g_test_add_func ("/ui/detect/found-test-check", test_detect_found);
  g_test_add_func ("/ui/detect/nothing-found", test_detect_nothing);
  g_test_add_func ("/ui/detect/cancel-close-manual", test_detect_cancel);
  g_test_add_func ("/ui/detect/preflight-domain", test_preflight_domain);
  ret = g_test_run ();

  g_clear_object (&app);
  ms_test_http_server_stop (http);
  if (ret == 0)
    ms_test_remove_tmp_dir (tmp_dir);
  g_free (autoconfig_xml);
  g_free (certs_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return ret;
}

/* test-ui-servers.c
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

#define G_LOG_DOMAIN "test-ui-servers"

#include "config.h"

#include <adwaita.h>

#include "ms-application.h"
#include "ms-provider.h"
#include "ms-secrets.h"
#include "ms-send-test-dialog.h"
#include "ms-server-editor.h"
#include "ms-servers-view.h"
#include "ms-store.h"
#include "ms-store-campaigns.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"
#include "ms-templates-view.h"
#include "ms-window.h"

#include "ms-test-ui-utils.h"

/* The Servers and Templates views of the real window on a temporary database:
 * a profile made from a provider preset by typing an address, Test Connection
 * against our SMTP test server on loopback (STARTTLS, AUTH, a CA file set in the
 * editor), saving; then a Markdown template with merge fields previewed for a
 * contact.  Screenshots land in the build folder. */

#define WAIT_TIMEOUT_S 30
#define PASSWORD "Ohm-8-Pi-sat-nu"

static MsApplication *app;
static char *tmp_dir;
static char *db_path;
static char *certs_dir;

/* The SMTP test server */

static MsTestServer *
test_server_start (const char *login,
                   const char *fault)
{
  g_autofree char *dir = g_strdup_printf ("%s/smtp-server-%s", tmp_dir, login);
  g_autofree char *cert = g_build_filename (certs_dir, "good.pem", NULL);
  g_autofree char *key = g_build_filename (certs_dir, "server.key", NULL);
  g_autofree char *auth = g_strdup_printf ("%s:%s", login, PASSWORD);

  return ms_test_server_start ("ms-test-smtp-server.py", dir,
                               "--security", "starttls", "--cert", cert, "--key", key,
                               "--auth", auth, "--require-auth", "--size", "20000000",
                               fault != NULL ? "--fault" : NULL, fault, NULL);
}

/* The window */

static gboolean
is_window_ready (gpointer data)
{
  return !ms_window_get_loading (data);
}

static MsWindow *
open_window (void)
{
  MsWindow *window = ms_window_new (app);

  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ms_test_wait_until (is_window_ready, window, "the window to open the database");
  return window;
}

static void
close_window (MsWindow *window)
{
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  ms_test_wait_until (ms_test_is_destroyed, &window, "the window to go away");
}

static gboolean
is_servers_view_ready (gpointer data)
{
  return ms_servers_view_get_secrets (data) != NULL && !ms_servers_view_get_loading (data);
}

static gboolean
is_not_testing (gpointer data)
{
  return !ms_server_editor_get_testing (data);
}

static gboolean
is_stored_password_shown (gpointer data)
{
  return gtk_widget_get_visible (ms_test_get_widget (data, "password-stored"));
}

static guint
count_quota_rows (MsServerEditor *editor)
{
  GtkWidget *list = ms_test_get_widget (editor, "quota-list");
  guint n = 0;

  for (GtkWidget *row = gtk_widget_get_first_child (list); row != NULL; row = gtk_widget_get_next_sibling (row))
    n++;
  return n;
}

static void
test_servers (void)
{
  MsWindow *window;
  MsServersView *view;
  MsServerEditor *editor;
  const MsServerTestReport *report;
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) stored = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GFile) ca_file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ca_path = NULL;
  g_autofree char *port = NULL;
  g_autofree char *log = NULL;
  g_autofree char *transcript = NULL;
  g_autofree char *password = NULL;
  g_autofree char *db_bytes = NULL;
  gsize db_length = 0;
  const char *address = "anna.petrova@mail.ru";
  const char *quirk = ms_provider_quirk_text ("from-equals-login");
  gpointer weak;

  if (certs_dir == NULL)
    {
      g_test_skip ("the openssl command could not make the test certificates");
      return;
    }
  if (!g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip (MS_TEST_PYTHON " is missing: the test needs it for its SMTP server");
      return;
    }
  /* The first connection waits long for its greeting: Cancel must not. */
  srv = test_server_start (address, "{\"stage\": \"greeting\", \"delay\": 60, \"connection\": 1}");

  window = open_window ();
  ms_window_show_section (window, "servers");
  g_assert_cmpstr (ms_window_get_section (window), ==, "servers");
  view = MS_SERVERS_VIEW (ms_test_get_widget (window, "servers-view"));
  ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the database");
  g_assert_cmpuint (g_list_model_get_n_items (ms_servers_view_get_servers (view)), ==, 0);

  /* Add Server opens the editor over the window */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "servers.add", NULL));
  editor = ms_test_find_toplevel (MS_TYPE_SERVER_EDITOR);
  g_assert_nonnull (editor);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (editor)) == GTK_WINDOW (window));
  g_assert_nonnull (ms_server_editor_get_problem (editor));
  g_assert_false (gtk_widget_get_sensitive (ms_test_get_widget (editor, "save-button")));

  /* A new profile starts on the address page; Set Up Manually carries the address
   * over and the preset of its provider fills the rest in, as typing it there does */
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "address");
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "save-button")));
  ms_test_type_into (editor, "detect-address-row", address);
  ms_test_click (editor, "manual-button");
  g_assert_cmpstr (ms_server_editor_get_page (editor), ==, "settings");
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "save-button")));
  g_assert_cmpstr (ms_test_text_of (editor, "address-row"), ==, address);
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (editor, "sources-group")));

  /* Typing the address fills the rest in from the Mail.ru preset */
  ms_test_type_into (editor, "address-row", address);
  g_assert_cmpstr (ms_test_text_of (editor, "host-row"), ==, "smtp.mail.ru");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "port-spin"))), ==, 465);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ms_test_get_widget (editor, "security-row"))), ==,
                    MS_SECURITY_TLS);
  g_assert_cmpstr (ms_test_text_of (editor, "login-row"), ==, address);
  g_assert_cmpstr (ms_test_text_of (editor, "name-row"), ==, address);
  g_assert_cmpuint (adw_combo_row_get_selected (ADW_COMBO_ROW (ms_test_get_widget (editor, "incoming-protocol-row"))), ==,
                    MS_INCOMING_IMAP);
  g_assert_cmpstr (ms_test_text_of (editor, "incoming-host-row"), ==, "imap.mail.ru");
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "max-size-spin"))), ==, 25);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "recipients-spin"))), ==, 30);
  g_assert_cmpuint (count_quota_rows (editor), ==, 2);
  g_assert_cmpuint (ms_server_get_max_message_size (ms_server_editor_get_server (editor)), ==, 26214400);
  /* The preset's quirks are shown */
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "preset-row")));
  g_assert_nonnull (quirk);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (editor, "preset-row"))),
                            "The sender address must be the address you log in with"));
  g_assert_null (ms_server_editor_get_problem (editor));
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (editor, "save-button")));

  /* Another profile name, then point it at the test server on loopback */
  ms_test_type_into (editor, "name-row", "Mail.ru (test server)");
  ms_test_type_into (editor, "address-row", "anna.petrova@mail.ru");
  g_assert_cmpstr (ms_test_text_of (editor, "name-row"), ==, "Mail.ru (test server)");
  ms_test_type_into (editor, "host-row", "127.0.0.1");
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (editor, "security-row")), MS_SECURITY_STARTTLS);
  /* The port followed the security choice while it was the preset's */
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "port-spin"))), ==, 587);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "port-spin")), srv->port);
  ms_test_type_into (editor, "password-row", PASSWORD);
  ca_path = g_build_filename (certs_dir, "ca.pem", NULL);
  ca_file = g_file_new_for_path (ca_path);
  ms_server_editor_set_ca_file (editor, ca_file);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (editor, "ca-file-row"))), ==, ca_path);

  /* No encryption is explained as what it is */
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (editor, "security-row")), MS_SECURITY_NONE);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (editor, "security-row"))),
                            "readable"));
  adw_combo_row_set_selected (ADW_COMBO_ROW (ms_test_get_widget (editor, "security-row")), MS_SECURITY_STARTTLS);
  g_assert_cmpint (gtk_spin_button_get_value_as_int (GTK_SPIN_BUTTON (ms_test_get_widget (editor, "port-spin"))), ==,
                   srv->port);

  /* A server that does not answer: Cancel stops the test at once */
  ms_test_click (editor, "test-button");
  g_assert_true (ms_server_editor_get_testing (editor));
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (ms_test_get_widget (editor, "test-button"))), ==, "_Cancel");
  ms_test_click (editor, "test-button");
  ms_test_wait_until (is_not_testing, editor, "Test Connection to stop");
  log = ms_server_editor_dup_test_log (editor);
  g_assert_nonnull (strstr (log, "The test was cancelled."));
  g_assert_null (ms_server_editor_get_test_report (editor));
  g_clear_pointer (&log, g_free);

  /* A refused password: the log ends with the error and the provider's fix */
  ms_test_type_into (editor, "password-row", "not-the-password");
  ms_test_click (editor, "test-button");
  ms_test_wait_until (is_not_testing, editor, "Test Connection to fail");
  report = ms_server_editor_get_test_report (editor);
  g_assert_nonnull (report);
  g_assert_false (report->success);
  g_assert_cmpint (report->failed_step, ==, MS_SERVER_TEST_STEP_AUTH);
  g_assert_nonnull (report->explanation);
  log = ms_server_editor_dup_test_log (editor);
  g_test_message ("Test Connection log, wrong password:\n%s", log);
  g_assert_nonnull (strstr (log, "ok: Encrypted with TLSv1."));
  g_assert_nonnull (strstr (log, "\nfailed: "));
  g_assert_nonnull (strstr (log, report->explanation));
  g_assert_null (strstr (log, "Everything works"));
  g_clear_pointer (&log, g_free);
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-test-failed.png");
  ms_test_type_into (editor, "password-row", PASSWORD);

  /* Test Connection: each step appears in the log, TLS and the login succeed */
  ms_test_click (editor, "test-button");
  g_assert_true (ms_server_editor_get_testing (editor));
  ms_test_wait_until (is_not_testing, editor, "Test Connection to finish");
  report = ms_server_editor_get_test_report (editor);
  g_assert_nonnull (report);
  log = ms_server_editor_dup_test_log (editor);
  g_test_message ("Test Connection log:\n%s", log);
  g_assert_true (report->success);
  g_assert_nonnull (report->tls_version);
  g_assert_true (g_str_has_prefix (report->tls_version, "TLSv1."));
  g_assert_nonnull (strstr (log, "ok: Encrypted with TLSv1."));
  g_assert_nonnull (strstr (log, "the certificate is valid"));
  g_assert_nonnull (strstr (log, "ok: Logged in."));
  g_assert_nonnull (strstr (log, "20000000 bytes"));
  g_assert_nonnull (strstr (log, "ok: Everything works"));
  transcript = ms_test_server_dup_transcript (srv);
  g_assert_nonnull (strstr (transcript, "TLS started"));
  g_assert_nonnull (strstr (transcript, "C: AUTH"));
  ms_test_save_screenshot (GTK_WIDGET (editor), "screenshot-server-editor.png");

  /* Save: the profile is in the database, the password only in the secret store */
  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  ms_test_click (editor, "save-button");
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the editor to save and close");
  ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the profile");
  g_assert_cmpuint (g_list_model_get_n_items (ms_servers_view_get_servers (view)), ==, 1);

  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  stored = ms_store_find_server (store, "Mail.ru (test server)", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpstr (ms_server_get_host (stored), ==, "127.0.0.1");
  g_assert_cmpuint (ms_server_get_port (stored), ==, srv->port);
  g_assert_cmpint (ms_server_get_security (stored), ==, MS_SECURITY_STARTTLS);
  g_assert_cmpstr (ms_server_get_login (stored), ==, address);
  g_assert_cmpstr (ms_server_get_sender_address (stored), ==, address);
  g_assert_cmpstr (ms_server_get_ca_file (stored), ==, ca_path);
  g_assert_cmpuint (ms_server_get_max_message_size (stored), ==, 26214400);
  secrets = ms_secrets_new_for_database (db_path);
  g_assert_cmpint (ms_secrets_get_backend (secrets), ==, MS_SECRETS_BACKEND_FILE);
  password = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "127.0.0.1", address, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (password, ==, PASSWORD);
  g_assert_true (g_file_get_contents (db_path, &db_bytes, &db_length, NULL));
  g_assert_null (g_strstr_len (db_bytes, db_length, PASSWORD));

  /* The list says where passwords are kept, and the profile's state */
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (view, "secrets-row"))),
                            "a file only you can read"));
  port = g_strdup_printf ("127.0.0.1:%u · STARTTLS · %s", srv->port, address);
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (ms_test_get_widget (view, "server-row"))), port));
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-servers.png");

  /* Editing it: the stored password is known, and follows a new host */
  {
    g_autoptr(MsServer) listed = g_list_model_get_item (ms_servers_view_get_servers (view), 0);
    g_autoptr(MsServer) moved = NULL;
    g_autofree char *old_password = NULL;
    g_autofree char *new_password = NULL;

    editor = ms_servers_view_open_editor (view, listed);
    ms_test_wait_until (is_stored_password_shown, editor, "the editor to find the stored password");
    g_assert_cmpstr (ms_test_text_of (editor, "password-row"), ==, "");
    ms_test_type_into (editor, "host-row", "localhost");
    weak = editor;
    g_object_add_weak_pointer (G_OBJECT (editor), &weak);
    ms_test_click (editor, "save-button");
    ms_test_wait_until (ms_test_is_destroyed, &weak, "the editor to save and close");
    ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the profile");

    moved = ms_store_find_server (store, "Mail.ru (test server)", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (ms_server_get_host (moved), ==, "localhost");
    new_password = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "localhost", address, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (new_password, ==, PASSWORD);
    old_password = ms_secrets_lookup (secrets, MS_SECRET_SMTP, "127.0.0.1", address, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (old_password);
  }

  /* What sending last found: the list shows it with the server's words */
  {
    MsServerHealth health = { 0 };
    GtkWidget *row;

    health.server_id = ms_server_get_id (stored);
    health.cooldown_until = g_get_real_time () / G_USEC_PER_SEC + 3600;
    health.reason = (char *) "421 4.7.0 Too many messages, slow down";
    g_assert_true (ms_store_set_server_health (store, &health, &error));
    g_assert_no_error (error);
    ms_servers_view_reload (view);
    ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the state");
    row = ms_test_get_widget (view, "server-row");
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ms_test_get_widget (row, "server-state"))), ==, "Cooling Down");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Too many messages, slow down"));

    health.cooldown_until = 0;
    health.stopped = TRUE;
    health.stopped_at = g_get_real_time () / G_USEC_PER_SEC;
    health.reason = (char *) "535 5.7.8 Authentication credentials invalid";
    g_assert_true (ms_store_set_server_health (store, &health, &error));
    g_assert_no_error (error);
    ms_servers_view_reload (view);
    ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the state");
    row = ms_test_get_widget (view, "server-row");
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ms_test_get_widget (row, "server-state"))), ==, "Stopped");
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), "Fix the profile"));
  }

  /* The switch in the list turns the profile off */
  {
    GtkWidget *toggle = ms_test_find_of_type (ms_test_get_widget (view, "server-row"), GTK_TYPE_SWITCH);
    g_autoptr(MsServer) off = NULL;

    g_assert_nonnull (toggle);
    g_assert_true (gtk_switch_get_active (GTK_SWITCH (toggle)));
    gtk_switch_set_active (GTK_SWITCH (toggle), FALSE);
    ms_test_wait_until (is_servers_view_ready, view, "the profile to be switched off");
    off = ms_store_find_server (store, "Mail.ru (test server)", &error);
    g_assert_no_error (error);
    g_assert_false (ms_server_get_enabled (off));
    g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (ms_test_get_widget (view, "server-state"))), ==, "Disabled");
  }

  close_window (window);
}

/* Templates */

#define SENDER "newsletter@example.org"

static gboolean
is_templates_view_idle (gpointer data)
{
  MsTemplatesView *view = data;

  return !ms_templates_view_get_loading (view)
         && !ms_template_editor_get_attaching (ms_templates_view_get_editor (view));
}

static gboolean
is_preview_idle (gpointer data)
{
  return !ms_template_preview_get_busy (data);
}

static void
wait_for_preview (MsTemplatePreview *preview)
{
  /* Past the pause after typing, the render and the web view's load. */
  for (int i = 0; i < 3; i++)
    g_main_context_iteration (NULL, FALSE);
  ms_test_wait_until (is_preview_idle, preview, "the preview to render and load");
}

static void
set_body (MsTemplateEditor *editor,
          const char       *text)
{
  gtk_text_buffer_set_text (ms_template_editor_get_body_buffer (editor), text, -1);
}

static gboolean
menu_has_field (GMenuModel *menu,
                const char *field)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autoptr(GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autoptr(GVariant) target = g_menu_model_get_item_attribute_value (menu, i, G_MENU_ATTRIBUTE_TARGET,
                                                                          G_VARIANT_TYPE_STRING);

      if (target != NULL && g_str_equal (g_variant_get_string (target, NULL), field))
        return TRUE;
      if (section != NULL && menu_has_field (section, field))
        return TRUE;
    }
  return FALSE;
}

static guint
count_named (GtkWidget  *root,
             const char *name)
{
  guint n = g_strcmp0 (gtk_widget_get_name (root), name) == 0 && gtk_widget_get_visible (root) ? 1 : 0;

  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL; child = gtk_widget_get_next_sibling (child))
    n += count_named (child, name);
  return n;
}

static void
write_file (const char *name,
            const char *contents)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
}

static void
attach (MsTemplateEditor *editor,
        MsTemplatesView  *view,
        const char       *name)
{
  g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);

  ms_template_editor_attach_file (editor, file);
  ms_test_wait_until (is_templates_view_idle, view, "the file to be attached");
}

static gboolean
is_dialog_ready (gpointer data)
{
  return ms_send_test_dialog_get_ready (data);
}

static void
add_test_server (MsTestServer *srv)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsServer) server = ms_server_new ();
  g_autoptr(MsSecrets) secrets = ms_secrets_new_for_database (db_path);
  g_autoptr(GError) error = NULL;
  g_autofree char *ca = g_build_filename (certs_dir, "ca.pem", NULL);
  MsQuota quota = { 100, 3600 };

  ms_server_set_name (server, "Loopback");
  ms_server_set_host (server, "127.0.0.1");
  ms_server_set_port (server, srv->port);
  ms_server_set_security (server, MS_SECURITY_STARTTLS);
  ms_server_set_login (server, SENDER);
  ms_server_set_sender_address (server, SENDER);
  ms_server_set_sender_name (server, "Mailshot Test");
  ms_server_set_ca_file (server, ca);
  ms_server_set_max_message_size (server, 20000000);
  ms_server_add_quota (server, &quota);
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (ms_store_add_server (store, server, &error), >, 0);
  g_assert_no_error (error);
  g_assert_true (ms_secrets_store (secrets, MS_SECRET_SMTP, "127.0.0.1", SENDER, PASSWORD, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_store_upsert_contact (store, "anna.schmidt@example.de", NULL, "Anna", "Schmidt",
                                          "{\"company\":\"Lichtblick GmbH\"}", TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (ms_store_upsert_contact (store, "bernd.weber@example.de", NULL, "Bernd", "Weber",
                                          NULL, TRUE, NULL, NULL, &error));
  g_assert_no_error (error);
}

static void
test_templates (void)
{
  MsWindow *window;
  MsTemplatesView *view;
  MsTemplateEditor *editor;
  MsTemplatePreview *preview;
  MsSendTestDialog *dialog;
  GtkTextBuffer *buffer;
  g_autoptr(MsTestServer) srv = NULL;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsTemplate) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_path = NULL;
  g_autofree char *message = NULL;
  const char *html;
  gpointer weak;

  if (certs_dir == NULL || !g_file_test (MS_TEST_PYTHON, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("the test needs openssl and " MS_TEST_PYTHON " for its SMTP server");
      return;
    }
  srv = test_server_start (SENDER, NULL);
  add_test_server (srv);

  window = open_window ();
  ms_window_show_section (window, "templates");
  view = MS_TEMPLATES_VIEW (ms_test_get_widget (window, "templates-view"));
  editor = ms_templates_view_get_editor (view);
  preview = ms_template_editor_get_preview (editor);
  ms_test_wait_until (is_templates_view_idle, view, "the Templates view to read the database");
  g_assert_cmpuint (g_list_model_get_n_items (ms_templates_view_get_templates (view)), ==, 0);

  /* A new template is stored at once and opens in the editor */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "templates.new", NULL));
  ms_test_wait_until (is_templates_view_idle, view, "the new template");
  g_assert_cmpuint (g_list_model_get_n_items (ms_templates_view_get_templates (view)), ==, 1);
  g_assert_nonnull (ms_template_editor_get_template (editor));
  g_assert_false (ms_template_editor_get_dirty (editor));

  /* Markdown with merge fields, previewed for Anna */
  ms_test_type_into (editor, "template-name-row", "Frühlings-Newsletter");
  ms_test_type_into (editor, "subject-row", "Hello {{first_name}}, news from {{company | \"us\"}}");
  set_body (editor, "# Hi {{first_name}}!\n\nThe spring news from **{{company | \"our team\"}}** are here.\n\n"
                    "- Our new shop opens on Monday\n- Tea & cake for everyone\n");
  g_assert_true (ms_template_editor_get_dirty (editor));
  ms_template_preview_select_contact (preview, "anna.schmidt@example.de");
  wait_for_preview (preview);
  g_assert_null (ms_template_preview_get_error (preview));
  g_assert_cmpstr (ms_template_preview_get_subject (preview), ==, "Hello Anna, news from Lichtblick GmbH");
  html = ms_template_preview_get_html (preview);
  g_assert_nonnull (html);
  g_assert_nonnull (strstr (html, "<h1>Hi Anna!</h1>"));
  g_assert_nonnull (strstr (html, "<strong>Lichtblick GmbH</strong>"));
  g_assert_nonnull (strstr (html, "<li>Tea &amp; cake for everyone</li>"));
  g_assert_nonnull (strstr (html, "Content-Security-Policy"));
  g_assert_nonnull (strstr (html, "default-src 'none'"));
  g_assert_nonnull (strstr (ms_template_preview_get_text (preview), "# Hi Anna!"));
  ms_template_preview_show_part (preview, "text");
  g_assert_true (gtk_widget_get_mapped (ms_test_get_widget (preview, "preview-text")));
  ms_template_preview_show_part (preview, "html");

  /* Bernd has no company: the default is used */
  ms_template_preview_select_contact (preview, "bernd.weber@example.de");
  wait_for_preview (preview);
  g_assert_nonnull (strstr (ms_template_preview_get_html (preview), "<strong>our team</strong>"));
  g_assert_cmpstr (ms_template_preview_get_subject (preview), ==, "Hello Bernd, news from us");

  /* Insert Field offers the imported fields; without a default Bernd's is missing */
  g_assert_true (menu_has_field (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (ms_test_get_widget (editor, "insert-field-button"))),
                                 "company"));
  g_assert_true (menu_has_field (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (ms_test_get_widget (editor, "insert-field-button"))),
                                 "first_name"));
  buffer = ms_template_editor_get_body_buffer (editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.insert-field", "s", "company"));
  {
    GtkTextIter start, end;
    g_autofree char *body = NULL;

    gtk_text_buffer_get_bounds (buffer, &start, &end);
    body = gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
    g_assert_nonnull (strstr (body, "{{company}}"));
  }
  wait_for_preview (preview);
  g_assert_nonnull (ms_template_preview_get_error (preview));
  g_assert_nonnull (strstr (ms_template_preview_get_error (preview), "bernd.weber@example.de"));
  g_assert_nonnull (strstr (ms_template_preview_get_error (preview), "“company”"));
  g_assert_true (gtk_widget_get_child_visible (ms_test_get_widget (preview, "preview-error")) ||
                 gtk_revealer_get_reveal_child (GTK_REVEALER (gtk_widget_get_ancestor (ms_test_get_widget (preview, "preview-error"),
                                                                                       GTK_TYPE_REVEALER))));
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-template-error.png");
  /* Undo takes the field back out */
  g_assert_true (gtk_text_buffer_get_can_undo (buffer));
  gtk_text_buffer_undo (buffer);
  wait_for_preview (preview);
  g_assert_null (ms_template_preview_get_error (preview));

  /* Attachments: a blocked type is called out */
  write_file ("agenda.pdf", "%PDF-1.4\n% a tiny test document\n");
  write_file ("setup.exe", "MZ not really a program");
  attach (editor, view, "agenda.pdf");
  attach (editor, view, "setup.exe");
  g_assert_cmpuint (count_named (GTK_WIDGET (editor), "attachment-row"), ==, 2);
  wait_for_preview (preview);
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (preview, "preview-findings")));
  {
    GtkWidget *exe_row = NULL;

    for (GtkWidget *w = ms_test_get_widget (editor, "attachment-row"); w != NULL; w = gtk_widget_get_next_sibling (w))
      if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (w)), "setup.exe") == 0)
        exe_row = w;
    g_assert_nonnull (exe_row);
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (exe_row)), "refuse"));
  }
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.remove-attachment", "u", 1));
  g_assert_cmpuint (count_named (GTK_WIDGET (editor), "attachment-row"), ==, 1);

  /* Save */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "templates.save", NULL));
  ms_test_wait_until (is_templates_view_idle, view, "the template to be saved");
  g_assert_false (ms_template_editor_get_dirty (editor));
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  stored = ms_store_find_template (store, "Frühlings-Newsletter", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stored);
  g_assert_cmpint (ms_template_get_body_format (stored), ==, MS_BODY_FORMAT_MARKDOWN);
  g_assert_cmpstr (ms_template_get_subject (stored), ==, "Hello {{first_name}}, news from {{company | \"us\"}}");
  g_assert_nonnull (strstr (ms_template_get_body (stored), "**{{company | \"our team\"}}**"));
  g_assert_null (strstr (ms_template_get_body (stored), "{{company}}"));
  g_assert_cmpuint (ms_template_get_attachments (stored)->len, ==, 1);

  /* Duplicate, then delete the copy after confirming */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "templates.duplicate", NULL));
  ms_test_wait_until (is_templates_view_idle, view, "the copy");
  g_assert_cmpuint (g_list_model_get_n_items (ms_templates_view_get_templates (view)), ==, 2);
  g_assert_cmpstr (ms_template_get_name (ms_template_editor_get_template (editor)), ==,
                   "Frühlings-Newsletter (Copy)");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "templates.delete", NULL));
  {
    AdwMessageDialog *question = ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

    g_assert_nonnull (question);
    g_assert_cmpstr (adw_message_dialog_get_heading (question), ==,
                     "Delete Template “Frühlings-Newsletter (Copy)”?");
    ms_test_answer (question, "delete");
  }
  ms_test_wait_until (is_templates_view_idle, view, "the copy to be deleted");
  g_assert_cmpuint (g_list_model_get_n_items (ms_templates_view_get_templates (view)), ==, 1);
  g_assert_cmpstr (ms_template_get_name (ms_template_editor_get_template (editor)), ==, "Frühlings-Newsletter");

  /* The preview for Anna, on screen */
  ms_template_preview_select_contact (preview, "anna.schmidt@example.de");
  wait_for_preview (preview);
  g_assert_nonnull (strstr (ms_template_preview_get_html (preview), "<h1>Hi Anna!</h1>"));
  g_assert_true (gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (ms_test_get_widget (preview, "preview-html-button"))));
  g_assert_true (gtk_widget_get_mapped (ms_test_get_widget (preview, "preview-web-view")));
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-templates.png");

  /* Send Test: through the server, to its own address by default */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "templates.send-test", NULL));
  dialog = ms_test_find_toplevel (MS_TYPE_SEND_TEST_DIALOG);
  g_assert_nonnull (dialog);
  ms_test_wait_until (is_dialog_ready, dialog, "the dialog to read the servers");
  g_assert_cmpstr (ms_test_text_of (dialog, "to-row"), ==, SENDER);
  ms_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-send-test.png");
  weak = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), &weak);
  ms_test_click (dialog, "send-button");
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the test message to be sent");

  message_path = g_build_filename (srv->dir, "0001.eml", NULL);
  g_assert_true (g_file_get_contents (message_path, &message, NULL, &error));
  g_assert_no_error (error);
  g_assert_nonnull (strstr (message, "Subject: Hello Anna, news from Lichtblick GmbH"));
  g_assert_nonnull (strstr (message, "To: Anna Schmidt <" SENDER ">"));
  g_assert_nonnull (strstr (message, "agenda.pdf"));

  /* Closing the window with unsaved changes asks first; Cancel keeps it open */
  ms_test_type_into (editor, "subject-row", "Not saved");
  g_assert_true (ms_templates_view_get_dirty (view));
  gtk_window_close (GTK_WINDOW (window));
  {
    AdwMessageDialog *question = ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);

    g_assert_nonnull (question);
    g_assert_cmpstr (adw_message_dialog_get_heading (question), ==, "Save Changes to “Frühlings-Newsletter”?");
    ms_test_answer (question, "cancel");
  }
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (ms_templates_view_get_dirty (view));

  /* then Discard lets it close, and nothing was written */
  weak = window;
  g_object_add_weak_pointer (G_OBJECT (window), &weak);
  gtk_window_close (GTK_WINDOW (window));
  ms_test_answer (ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG), "discard");
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the window to close");
  g_clear_object (&stored);
  stored = ms_store_find_template (store, "Frühlings-Newsletter", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_template_get_subject (stored), ==, "Hello {{first_name}}, news from {{company | \"us\"}}");
}

/* Check Mailbox Now: the saved profile's IMAP mailbox, read on a worker thread
 * against the scriptable mail server; then the explained error of a wrong password. */

static gboolean
is_not_checking (gpointer data)
{
  return !ms_server_editor_get_checking (data);
}

static gboolean
is_monitor_idle (gpointer data)
{
  return !ms_bounce_monitor_get_busy (data);
}

static void
count_round (guint *n_rounds)
{
  (*n_rounds)++;
}

typedef struct
{
  guint n_checked;
  guint n_read;
} CheckCounts;

static void
on_row_mailbox_checked_cb (CheckCounts *counts,
                           gint64       server_id,
                           guint        fetched)
{
  counts->n_checked++;
  counts->n_read += fetched;
}

static void
test_check_mailbox (void)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "ms-test-mail-server.py", NULL);
  g_autofree char *record = g_build_filename (tmp_dir, "imap-server", NULL);
  g_autofree char *message = g_build_filename (tmp_dir, "personal.eml", NULL);
  g_autofree char *log_path = g_build_filename (record, "transcript.log", NULL);
  g_autofree char *transcript = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(MsServer) server = ms_server_new ();
  g_autoptr(GError) error = NULL;
  MsServerEditor *editor;
  CheckCounts counts = { 0 };
  gpointer weak;
  guint64 port = 0;
  const char *text;

  g_assert_true (g_file_set_contents (message,
                                      "From: Friend <friend@example.net>\r\n"
                                      "To: checker@example.org\r\n"
                                      "Subject: Lunch?\r\n"
                                      "Message-ID: <lunch-1@example.net>\r\n"
                                      "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
                                      "\r\n"
                                      "Are you free on Friday?\r\n", -1, NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              MS_TEST_PYTHON, script, "--protocol", "imap", "--security", "none",
                              "--user", "checker@example.org", "--password", PASSWORD,
                              "--message", message, "--record", record, "--watch-stdin", NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_ascii_string_to_unsigned (line, 10, 1, 65535, &port, NULL));

  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  ms_server_set_name (server, "Mailbox check");
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, "smtp.example.org");
  ms_server_set_port (server, 587);
  ms_server_set_security (server, MS_SECURITY_STARTTLS);
  ms_server_set_login (server, "checker@example.org");
  ms_server_set_sender_address (server, "checker@example.org");
  ms_server_set_incoming_protocol (server, MS_INCOMING_IMAP);
  ms_server_set_incoming_host (server, "127.0.0.1");
  ms_server_set_incoming_port (server, (guint) port);
  ms_server_set_incoming_security (server, MS_SECURITY_NONE);
  ms_server_set_incoming_login (server, "checker@example.org");
  ms_store_add_server (store, server, &error);
  g_assert_no_error (error);
  secrets = ms_secrets_new_for_database (db_path);
  ms_secrets_store (secrets, MS_SECRET_IMAP, "127.0.0.1", "checker@example.org", PASSWORD, NULL, &error);
  g_assert_no_error (error);

  editor = ms_server_editor_new (NULL, db_path, secrets, server);
  /* Each successful check says so (the window then reloads the campaigns). */
  g_signal_connect_swapped (editor, "mailbox-checked", G_CALLBACK (on_row_mailbox_checked_cb), &counts);
  gtk_window_present (GTK_WINDOW (editor));
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (editor, "check-row")));
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (editor, "check-button")));
  ms_test_click (editor, "check-button");
  g_assert_true (ms_server_editor_get_checking (editor));
  ms_test_wait_until (is_not_checking, editor, "the mailbox check to finish");
  text = ms_server_editor_get_check_text (editor);
  g_test_message ("check: %s", text);
  g_assert_cmpstr (text, ==, "1 message read");
  g_assert_true (g_file_get_contents (log_path, &transcript, NULL, NULL));
  g_assert_nonnull (strstr (transcript, "C: "));
  g_assert_nonnull (strstr (transcript, "UID FETCH"));
  g_assert_cmpuint (counts.n_checked, ==, 1);
  g_assert_cmpuint (counts.n_read, ==, 1);

  /* A second check reads nothing twice */
  ms_test_click (editor, "check-button");
  ms_test_wait_until (is_not_checking, editor, "the second mailbox check to finish");
  g_assert_cmpstr (ms_server_editor_get_check_text (editor), ==, "No new messages");
  g_assert_cmpuint (counts.n_checked, ==, 2);
  g_assert_cmpuint (counts.n_read, ==, 1);

  /* A wrong password: the error in words, the button ready again */
  ms_secrets_store (secrets, MS_SECRET_IMAP, "127.0.0.1", "checker@example.org", "wrong", NULL, &error);
  g_assert_no_error (error);
  ms_test_click (editor, "check-button");
  ms_test_wait_until (is_not_checking, editor, "the failing mailbox check to finish");
  text = ms_server_editor_get_check_text (editor);
  g_test_message ("check: %s", text);
  g_assert_true (g_str_has_prefix (text, "The mailbox could not be checked: "));
  g_assert_true (gtk_widget_get_sensitive (ms_test_get_widget (editor, "check-button")));
  g_assert_cmpuint (counts.n_checked, ==, 2);

  weak = editor;
  g_object_add_weak_pointer (G_OBJECT (editor), &weak);
  gtk_window_destroy (GTK_WINDOW (editor));
  ms_test_wait_until (ms_test_is_destroyed, &weak, "the editor to go away");

  /* The automatic checks, on a database of their own: nothing while no campaign
   * ran, every mailbox when asked, never two rounds at once */
  {
    g_autofree char *other_db = g_build_filename (tmp_dir, "monitor.db", NULL);
    g_autoptr(MsStore) other = ms_store_open (other_db, &error);
    g_autoptr(MsSecrets) other_secrets = NULL;
    g_autoptr(MsBounceMonitor) monitor = NULL;
    guint n_rounds = 0;
    g_autoptr(MsServer) copy = ms_server_copy (server);

    g_assert_no_error (error);
    ms_server_set_id (copy, 0);
    ms_store_add_server (other, copy, &error);
    g_assert_no_error (error);
    other_secrets = ms_secrets_new_for_database (other_db);
    ms_secrets_store (other_secrets, MS_SECRET_IMAP, "127.0.0.1", "checker@example.org", PASSWORD, NULL, &error);
    g_assert_no_error (error);
    monitor = ms_bounce_monitor_new (other_db);
    g_signal_connect_swapped (monitor, "checked", G_CALLBACK (count_round), &n_rounds);

    g_assert_true (ms_bounce_monitor_run (monitor, TRUE));
    g_assert_false (ms_bounce_monitor_run (monitor, FALSE));
    ms_test_wait_until (is_monitor_idle, monitor, "the first round of checks");
    g_assert_cmpuint (n_rounds, ==, 1);
    g_assert_cmpuint (ms_bounce_monitor_get_n_checked (monitor), ==, 0);
    g_assert_cmpuint (ms_bounce_monitor_get_last_result (monitor)->fetched, ==, 0);

    g_assert_true (ms_bounce_monitor_run (monitor, FALSE));
    ms_test_wait_until (is_monitor_idle, monitor, "the second round of checks");
    g_assert_cmpuint (n_rounds, ==, 2);
    g_assert_cmpuint (ms_bounce_monitor_get_n_checked (monitor), ==, 1);
    g_assert_cmpuint (ms_bounce_monitor_get_n_failed (monitor), ==, 0);
    g_assert_cmpuint (ms_bounce_monitor_get_last_result (monitor)->fetched, ==, 1);
    g_assert_cmpuint (ms_bounce_monitor_get_last_result (monitor)->other, ==, 1);

    /* The application's monitor follows the settings */
    g_assert_nonnull (ms_application_get_bounce_monitor (app));
    {
      MsWindow *window = open_window ();

      /* ... and its rounds refresh the campaign counts of the window */
      g_assert_true (g_signal_has_handler_pending (ms_application_get_bounce_monitor (app),
                                                   g_signal_lookup ("checked", MS_TYPE_BOUNCE_MONITOR), 0, FALSE));
      close_window (window);
    }
    g_assert_cmpuint (ms_bounce_monitor_get_interval (ms_application_get_bounce_monitor (app)), ==, 15);
    g_assert_cmpuint (ms_bounce_monitor_get_days (ms_application_get_bounce_monitor (app)), ==, 3);
  }
  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, NULL);
}

/* Check Mailbox Now from a row of the Servers view: only rows of profiles with
 * an incoming mailbox have it; it reads the mailbox on a worker thread and says
 * the result in a toast; a check that hangs can be cancelled from the row. */

static GSubprocess *
start_mail_server (const char  *name,
                   const char  *user,
                   const char  *fault,
                   guint16     *port)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "ms-test-mail-server.py", NULL);
  g_autofree char *record = g_build_filename (tmp_dir, name, NULL);
  g_autofree char *message = g_strdup_printf ("%s.eml", record);
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  GSubprocess *process;
  guint64 number = 0;

  g_assert_true (g_file_set_contents (message,
                                      "From: Friend <friend@example.net>\r\n"
                                      "To: row@example.org\r\n"
                                      "Subject: Dinner?\r\n"
                                      "Message-ID: <dinner-1@example.net>\r\n"
                                      "Date: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
                                      "\r\n"
                                      "Are you free on Saturday?\r\n", -1, NULL));
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                              MS_TEST_PYTHON, script, "--protocol", "imap", "--security", "none",
                              "--user", user, "--password", PASSWORD, "--message", message,
                              "--record", record, "--watch-stdin",
                              fault != NULL ? "--fault" : NULL, fault, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (line != NULL && g_ascii_string_to_unsigned (line, 10, 1, 65535, &number, NULL));
  *port = (guint16) number;
  return process;
}

static gint64
add_mailbox_server (MsStore    *store,
                    MsSecrets  *secrets,
                    const char *name,
                    const char *user,
                    guint16     port)
{
  g_autoptr(MsServer) server = ms_server_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  ms_server_set_name (server, name);
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, "smtp.example.org");
  ms_server_set_port (server, 587);
  ms_server_set_security (server, MS_SECURITY_STARTTLS);
  ms_server_set_login (server, user);
  ms_server_set_sender_address (server, user);
  if (port > 0)
    {
      ms_server_set_incoming_protocol (server, MS_INCOMING_IMAP);
      ms_server_set_incoming_host (server, "127.0.0.1");
      ms_server_set_incoming_port (server, port);
      ms_server_set_incoming_security (server, MS_SECURITY_NONE);
      ms_server_set_incoming_login (server, user);
      ms_secrets_store (secrets, MS_SECRET_IMAP, "127.0.0.1", user, PASSWORD, NULL, &error);
      g_assert_no_error (error);
    }
  id = ms_store_add_server (store, server, &error);
  g_assert_no_error (error);
  return id;
}

static GtkWidget *
find_server_row (MsServersView *view,
                 const char    *name)
{
  GtkListBox *list = GTK_LIST_BOX (ms_test_get_widget (view, "server-list"));
  GtkListBoxRow *row;

  for (int i = 0; (row = gtk_list_box_get_row_at_index (list, i)) != NULL; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), name) == 0)
      return GTK_WIDGET (row);
  g_error ("No row for the server “%s”", name);
  return NULL;
}

typedef struct
{
  MsServersView *view;
  gint64         id;
} RowCheck;

static gboolean
is_row_not_checking (gpointer data)
{
  RowCheck *check = data;

  return !ms_servers_view_get_checking (check->view, check->id);
}

static gboolean
has_stalled (gpointer data)
{
  g_autofree char *transcript = NULL;

  return g_file_get_contents (data, &transcript, NULL, NULL) && strstr (transcript, "stall mid-fetch") != NULL;
}

static void
test_check_mailbox_row (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);
  g_autoptr(MsSecrets) secrets = ms_secrets_new_for_database (db_path);
  g_autoptr(GSubprocess) good = NULL;
  g_autoptr(GSubprocess) stalling = NULL;
  g_autofree char *stall_log = g_build_filename (tmp_dir, "imap-stall", "transcript.log", NULL);
  MsServersView *view;
  MsWindow *window;
  GtkWidget *row;
  GtkWidget *button;
  guint16 good_port = 0, stall_port = 0;
  gint64 good_id, stall_id, none_id;
  RowCheck check;
  CheckCounts counts = { 0 };

  g_assert_no_error (error);
  good = start_mail_server ("imap-row", "row@example.org", NULL, &good_port);
  stalling = start_mail_server ("imap-stall", "stall@example.org", "stall-mid-fetch", &stall_port);
  good_id = add_mailbox_server (store, secrets, "Row mailbox", "row@example.org", good_port);
  stall_id = add_mailbox_server (store, secrets, "Stalling mailbox", "stall@example.org", stall_port);
  none_id = add_mailbox_server (store, secrets, "No mailbox", "none@example.org", 0);

  window = open_window ();
  ms_window_show_section (window, "servers");
  view = MS_SERVERS_VIEW (ms_test_get_widget (window, "servers-view"));
  ms_test_wait_until (is_servers_view_ready, view, "the Servers view to read the profiles");
  check.view = view;
  g_assert_true (g_signal_has_handler_pending (view, g_signal_lookup ("mailbox-checked", MS_TYPE_SERVERS_VIEW),
                                               0, FALSE));
  g_signal_connect_swapped (view, "mailbox-checked", G_CALLBACK (on_row_mailbox_checked_cb), &counts);

  /* Not there without a mailbox, nor as an action */
  row = find_server_row (view, "No mailbox");
  g_assert_null (ms_test_find_widget (row, "check-mailbox-button"));
  g_assert_false (ms_servers_view_check_mailbox (view, none_id));
  g_assert_false (ms_servers_view_get_checking (view, none_id));

  /* The row's button: progress in the row, the result in words */
  row = find_server_row (view, "Row mailbox");
  button = ms_test_get_widget (row, "check-mailbox-button");
  g_assert_cmpstr (gtk_widget_get_tooltip_text (button), ==, "Check Mailbox Now");
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (row, "check-mailbox-spinner")));
  ms_test_click (row, "check-mailbox-button");
  g_assert_true (ms_servers_view_get_checking (view, good_id));
  row = find_server_row (view, "Row mailbox");
  g_assert_true (gtk_widget_get_visible (ms_test_get_widget (row, "check-mailbox-spinner")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ms_test_get_widget (row, "check-mailbox-button")), ==,
                   "Cancel the Mailbox Check");
  check.id = good_id;
  ms_test_wait_until (is_row_not_checking, &check, "the row's mailbox check");
  /* The window reloads the campaigns when a check read mail. */
  g_assert_cmpuint (counts.n_checked, ==, 1);
  g_assert_cmpuint (counts.n_read, ==, 1);
  g_test_message ("row check: %s", ms_servers_view_get_last_check_text (view));
  g_assert_cmpstr (ms_servers_view_get_last_check_text (view), ==, "Mailbox of “Row mailbox”: 1 message read");
  row = find_server_row (view, "Row mailbox");
  g_assert_false (gtk_widget_get_visible (ms_test_get_widget (row, "check-mailbox-spinner")));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (ms_test_get_widget (row, "check-mailbox-button")), ==, "Check Mailbox Now");

  /* Again through the action: nothing is read twice */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "servers.check-mailbox", "x", good_id));
  ms_test_wait_until (is_row_not_checking, &check, "the second mailbox check");
  g_assert_cmpstr (ms_servers_view_get_last_check_text (view), ==, "Mailbox of “Row mailbox”: No new messages");
  g_assert_cmpuint (counts.n_checked, ==, 2);
  g_assert_cmpuint (counts.n_read, ==, 1);

  /* A server that stops answering in the middle of a message: Cancel in the row */
  row = find_server_row (view, "Stalling mailbox");
  ms_test_click (row, "check-mailbox-button");
  check.id = stall_id;
  g_assert_true (ms_servers_view_get_checking (view, stall_id));
  ms_test_wait_until (has_stalled, stall_log, "the server to stall");
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-servers-check-mailbox.png");
  row = find_server_row (view, "Stalling mailbox");
  ms_test_click (row, "check-mailbox-button");
  ms_test_wait_until (is_row_not_checking, &check, "the cancelled mailbox check");
  g_test_message ("stalled check: %s", ms_servers_view_get_last_check_text (view));
  g_assert_cmpstr (ms_servers_view_get_last_check_text (view), ==,
                   "The check of the mailbox of “Stalling mailbox” was cancelled");
  g_assert_cmpuint (counts.n_checked, ==, 2);

  close_window (window);
  g_subprocess_force_exit (good);
  g_subprocess_wait (good, NULL, NULL);
  g_subprocess_force_exit (stalling);
  g_subprocess_wait (stalling, NULL, NULL);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  /* Screenshots snapshot the widgets: the web view must draw through GTK rather than
   * hand its own GL texture to the compositor.  For this test only, never the app. */
  g_setenv ("WEBKIT_DISABLE_COMPOSITING_MODE", "1", TRUE);
  ms_test_ui_init (&argc, &argv, WAIT_TIMEOUT_S);

  tmp_dir = ms_test_make_tmp_dir ("ms-ui-servers-XXXXXX");
  db_path = g_build_filename (tmp_dir, "mailshot.db", NULL);
  ms_test_create_database (db_path);
  certs_dir = ms_test_make_certificates (tmp_dir);

  app = ms_test_application_new (db_path);

  g_test_add_func ("/ui/servers/preset-test-save", test_servers);
  g_test_add_func ("/ui/templates/edit-preview-send", test_templates);
  g_test_add_func ("/ui/servers/check-mailbox", test_check_mailbox);
  g_test_add_func ("/ui/servers/check-mailbox-row", test_check_mailbox_row);
  ret = g_test_run ();

  g_clear_object (&app);
  if (ret == 0)
    ms_test_remove_tmp_dir (tmp_dir);
  g_free (certs_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return ret;
}

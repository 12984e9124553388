/* test-ui-campaigns.c
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

#define G_LOG_DOMAIN "test-ui-campaigns"

#include "config.h"

#include <adwaita.h>

#include "ms-application.h"
#include "ms-campaigns-view.h"
#include "ms-contact.h"
#include "ms-mailbox-check.h"
#include "ms-message.h"
#include "ms-new-campaign-dialog.h"
#include "ms-server.h"
#include "ms-store.h"
#include "ms-store-campaigns.h"
#include "ms-store-private.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"
#include "ms-window-private.h"

#include "ms-test-ui-utils.h"

/* The Campaigns section of the real window on a temporary database: a campaign
 * made in the New Campaign dialog and started against two SMTP test servers on
 * loopback with small quotas (3 and 2 per 20 s), sent until every server waits
 * for its window; the server cards must show the quotas full.  Screenshots of
 * the list and of the campaign view land in the build folder. */

#define WAIT_TIMEOUT_S 120
#define N_CONTACTS 10

static MsApplication *app;
static char *tmp_dir;
static char *db_path;

/* The SMTP test servers */

static MsTestServer *
test_server_start (const char *name,
                   const char *fault)
{
  g_autofree char *dir = g_strdup_printf ("%s/smtp-%s", tmp_dir, name);

  return ms_test_server_start ("ms-test-smtp-server.py", dir,
                               fault != NULL ? "--fault" : NULL, fault, NULL);
}

/* The database */

typedef struct
{
  gint64 list_id;
  gint64 excluded_id;
  gint64 partners_id;
  gint64 template_id;
  gint64 server_a;
  gint64 server_b;
} Setup;

static gint64
add_server (MsStore    *store,
            const char *name,
            guint16     port,
            guint       limit)
{
  g_autoptr(MsServer) server = ms_server_new ();
  g_autoptr(GError) error = NULL;
  MsQuota quota = { limit, 20 };
  gint64 id;

  ms_server_set_name (server, name);
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, "127.0.0.1");
  ms_server_set_port (server, port);
  ms_server_set_security (server, MS_SECURITY_NONE);
  ms_server_set_sender_address (server, "relay@example.org");
  ms_server_set_allow_sender_substitution (server, TRUE);
  ms_server_set_quotas (server, &quota, 1);
  id = ms_store_add_server (store, server, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

static void
fill_database (Setup        *setup,
               MsTestServer *a,
               MsTestServer *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(MsContactList) excluded = NULL;
  g_autoptr(MsTemplate) tmpl = ms_template_new ("Spring news");

  g_assert_no_error (error);
  list = ms_store_create_list (store, "Customers", &error);
  g_assert_no_error (error);
  excluded = ms_store_create_list (store, "Do not mail", &error);
  g_assert_no_error (error);
  setup->list_id = ms_contact_list_get_id (list);
  setup->excluded_id = ms_contact_list_get_id (excluded);

  /* Ten to send to, and one more that the exclusion list leaves out. */
  for (guint i = 0; i <= N_CONTACTS; i++)
    {
      g_autofree char *email = g_strdup_printf ("person%02u@example.com", i);
      g_autoptr(MsContact) contact = ms_contact_new (email);
      gint64 id;

      ms_contact_set_first_name (contact, "Ann");
      id = ms_store_add_contact (store, contact, &error);
      g_assert_no_error (error);
      g_assert_true (ms_store_add_list_members (store, setup->list_id, &id, 1, &error));
      if (i == N_CONTACTS)
        g_assert_true (ms_store_add_list_members (store, setup->excluded_id, &id, 1, &error));
      g_assert_no_error (error);
    }

  /* A list whose contact has no first name: the template cannot greet them. */
  {
    g_autoptr(MsContactList) partners = ms_store_create_list (store, "Partners", &error);
    g_autoptr(MsContact) nameless = ms_contact_new ("nameless@example.net");
    gint64 id;

    g_assert_no_error (error);
    setup->partners_id = ms_contact_list_get_id (partners);
    id = ms_store_add_contact (store, nameless, &error);
    g_assert_no_error (error);
    g_assert_true (ms_store_add_list_members (store, setup->partners_id, &id, 1, &error));
  }

  ms_template_set_subject (tmpl, "Hello {{first_name}}");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, "Dear {{first_name}},\nspring is here.\n");
  ms_template_set_sender_address (tmpl, "news@example.org");
  setup->template_id = ms_store_add_template (store, tmpl, &error);
  g_assert_no_error (error);

  setup->server_a = add_server (store, "Relay A", a->port, 3);
  setup->server_b = add_server (store, "Relay B", b->port, 2);
}

/* The test */

static gboolean
is_window_ready (gpointer data)
{
  return !ms_window_get_loading (data);
}

/* Every server waits for its quota window, and the cards say so. */
static gboolean
is_waiting_for_quota (gpointer data)
{
  MsCampaignView *view = data;
  MsCampaign *campaign = ms_campaign_view_get_campaign (view);

  if (campaign == NULL || ms_campaign_get_state (campaign) != MS_CAMPAIGN_STATE_WAITING)
    return FALSE;
  if (ms_campaign_view_get_n_cards (view) != 2)
    return FALSE;
  for (guint i = 0; i < 2; i++)
    {
      MsServerCard *card = ms_campaign_view_get_card (view, i);

      if (ms_server_card_get_n_windows (card) != 1
          || gtk_level_bar_get_value (ms_server_card_get_level_bar (card, 0))
             < gtk_level_bar_get_max_value (ms_server_card_get_level_bar (card, 0)))
        return FALSE;
    }
  return TRUE;
}

static gboolean
has_one_failure_row (gpointer data)
{
  return ms_campaign_view_get_n_failures (data) == 1;
}

static gboolean
is_paused_and_stopped (gpointer data)
{
  MsCampaignsView *view = data;
  MsCampaign *campaign = ms_campaign_view_get_campaign (ms_campaigns_view_get_campaign_view (view));

  return campaign != NULL && ms_campaign_get_state (campaign) == MS_CAMPAIGN_STATE_PAUSED
         && ms_campaigns_view_get_engine (view) == NULL;
}

static gboolean
is_active (gpointer data)
{
  return ms_campaigns_view_get_active (data);
}

static gboolean
is_no_message_dialog (gpointer data)
{
  return ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG) == NULL;
}

static gboolean
has_one_campaign (gpointer data)
{
  return g_list_model_get_n_items (ms_campaigns_view_get_campaigns (data)) == 1;
}

/* Exactly one campaign in the database: the draft shown, none given up. */
static gboolean
has_one_campaign_stored (gpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);
  g_autoptr(GPtrArray) campaigns = NULL;

  g_assert_no_error (error);
  campaigns = ms_store_list_campaigns (store, &error);
  g_assert_no_error (error);
  return campaigns->len == 1;
}

static void
test_campaign_until_quota (void)
{
  /* Relay A does not know the first contact: a failure with the server's words. */
  g_autoptr(MsTestServer) a = test_server_start ("a", "{\"stage\": \"rcpt\", \"recipient\": \"person00@example.com\", "
                                                    "\"reply\": \"550 5.1.1 <person00@example.com>: no such user\"}");
  g_autoptr(MsTestServer) b = test_server_start ("b", NULL);
  g_autoptr(MsCampaign) list_item = NULL;
  g_autofree char *preflight = NULL;
  MsNewCampaignDialog *dialog;
  AdwMessageDialog *question;
  MsCampaignsView *view;
  MsCampaignView *campaign_view;
  MsCampaign *campaign;
  MsWindow *window;
  Setup setup = { 0 };

  fill_database (&setup, a, b);

  window = ms_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  ms_test_wait_until (is_window_ready, window, "the window to open the database");
  view = window->campaigns_view;
  campaign_view = ms_campaigns_view_get_campaign_view (view);
  /* No notification server runs here: the view only records them. */
  ms_campaigns_view_set_show_notifications (view, FALSE);

  /* Campaigns is the first section of the sidebar. */
  g_assert_true (gtk_widget_get_first_child (GTK_WIDGET (window->campaigns_list)) != NULL);
  g_assert_cmpstr (gtk_widget_get_name (gtk_widget_get_first_child (GTK_WIDGET (window->campaigns_list))), ==,
                   "campaigns");
  ms_window_show_section (window, "campaigns");
  g_assert_cmpstr (ms_window_get_section (window), ==, "campaigns");

  /* The dialog, filled in as a person would. */
  dialog = ms_campaigns_view_new_campaign (view);
  ms_test_wait_until (ms_test_is_new_campaign_dialog_loaded, dialog, "the dialog to read templates, lists and servers");
  ms_test_click (dialog, "next-button");   /* nothing chosen yet: it says what is missing */
  g_assert_false (ms_new_campaign_dialog_get_checked (dialog));
  ms_new_campaign_dialog_set_name (dialog, "Spring 2026");
  g_assert_true (ms_new_campaign_dialog_select_template (dialog, setup.template_id));
  g_assert_true (ms_new_campaign_dialog_set_list_role (dialog, setup.list_id, 1));
  g_assert_true (ms_new_campaign_dialog_set_list_role (dialog, setup.excluded_id, 2));
  g_assert_true (ms_new_campaign_dialog_choose_server (dialog, setup.server_a, TRUE));
  g_assert_true (ms_new_campaign_dialog_choose_server (dialog, setup.server_b, TRUE));
  ms_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-new-campaign.png");

  /* Next and Back in a hurry: the drafts of the pre-flights given up never clash
   * with the next one's name, nor stay behind (counted below). */
  for (guint i = 0; i < 3; i++)
    {
      ms_test_click (dialog, "next-button");
      ms_test_click (dialog, "back-button");
    }

  /* With the partners, one contact lacks a merge field; back, and without them. */
  g_assert_true (ms_new_campaign_dialog_set_list_role (dialog, setup.partners_id, 1));
  ms_test_click (dialog, "next-button");
  ms_test_wait_until (ms_test_is_new_campaign_dialog_checked, dialog, "the pre-flight checks");
  preflight = ms_new_campaign_dialog_dup_preflight_text (dialog);
  g_assert_nonnull (strstr (preflight, "1 contact: lack a merge field"));
  g_assert_nonnull (strstr (preflight, "11 contacts: will get"));
  g_clear_pointer (&preflight, g_free);
  ms_test_click (dialog, "back-button");
  g_assert_true (ms_new_campaign_dialog_set_list_role (dialog, setup.partners_id, 0));
  ms_test_click (dialog, "next-button");
  ms_test_wait_until (ms_test_is_new_campaign_dialog_checked, dialog, "the pre-flight checks");
  g_assert_cmpint (ms_new_campaign_dialog_get_campaign_id (dialog), >, 0);

  /* Pre-flight: the audience, the excluded contact, the plan per server. */
  preflight = ms_new_campaign_dialog_dup_preflight_text (dialog);
  g_test_message ("Pre-flight:\n%s", preflight);
  g_assert_nonnull (strstr (preflight, "Relay A: 3 now, 3 more from"));
  g_assert_nonnull (strstr (preflight, "Relay B: 2 now, 2 more from"));
  g_assert_nonnull (strstr (preflight, "Estimated end"));
  g_assert_nonnull (strstr (preflight, "10 contacts: will get"));
  g_assert_nonnull (strstr (preflight, "1 contact: suppressed"));
  g_assert_nonnull (strstr (preflight, "Every contact has the merge fields"));
  /* Both servers send with the template's From through one host: one sender-domain
   * checklist, which never holds Start back */
  g_assert_cmpuint (ms_new_campaign_dialog_get_domain_checklists (dialog)->len, ==, 1);
  ms_test_wait_until (has_one_campaign_stored, NULL, "the drafts given up to be deleted");
  g_assert_true (gtk_widget_get_sensitive (ms_test_find_widget (GTK_WIDGET (dialog), "start-button")));
  ms_test_save_screenshot (GTK_WIDGET (dialog), "screenshot-new-campaign-preflight.png");
  ms_test_click (dialog, "start-button");

  /* Sending until both quotas are full; the UI keeps drawing meanwhile. */
  ms_test_wait_until (is_waiting_for_quota, campaign_view, "every server to wait for its quota");
  campaign = ms_campaign_view_get_campaign (campaign_view);
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_FAILED), ==, 1);
  ms_test_wait_until (has_one_failure_row, campaign_view, "the failure in the list");
  for (guint i = 0; i < MS_DELIVERY_N_STATES; i++)
    g_test_message ("%s: %" G_GINT64_FORMAT, ms_delivery_state_to_string (i), ms_campaign_get_count (campaign, i));
  g_assert_cmpint (ms_campaign_get_total (campaign), ==, N_CONTACTS + 1);
  /* Relay B sent 2; Relay A 3, or 2 when the refused recipient counts against
   * its quota.  The rest waits: queued, or claimed by a connection that waits. */
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_SENT), >=, 4);
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_SENT), <=, 5);
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_QUEUED)
                   + ms_campaign_get_count (campaign, MS_DELIVERY_SENDING)
                   + ms_campaign_get_count (campaign, MS_DELIVERY_SENT), ==, N_CONTACTS - 1);
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_SUPPRESSED), ==, 1);
  g_assert_cmpint (ms_campaign_get_wait_until (campaign), >, 0);
  g_assert_cmpint (ms_server_card_get_server_id (ms_campaign_view_get_card (campaign_view, 0)), ==, setup.server_a);
  g_assert_cmpfloat (gtk_level_bar_get_value (ms_server_card_get_level_bar (ms_campaign_view_get_card (campaign_view, 0), 0)), ==, 3);
  g_assert_cmpfloat (gtk_level_bar_get_value (ms_server_card_get_level_bar (ms_campaign_view_get_card (campaign_view, 1), 0)), ==, 2);
  g_assert_nonnull (strstr (ms_server_card_get_window_text (ms_campaign_view_get_card (campaign_view, 0), 0),
                            "3 used / 0 left"));
  g_assert_nonnull (strstr (ms_server_card_get_window_text (ms_campaign_view_get_card (campaign_view, 1), 0),
                            "2 used / 0 left"));
  g_assert_nonnull (strstr (ms_server_card_get_window_text (ms_campaign_view_get_card (campaign_view, 0), 0),
                            "reopens"));
  g_assert_true (g_str_has_prefix (ms_server_card_get_state_text (ms_campaign_view_get_card (campaign_view, 0)),
                                   "Quota full until"));
  g_assert_cmpstr (ms_campaigns_view_get_last_notification (view), ==, "“Spring 2026” is waiting");
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-campaign-view.png");

  /* The list shows it waiting, with its progress. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.back", NULL));
  ms_test_wait_until (has_one_campaign, view, "the campaign in the list");
  list_item = g_list_model_get_item (ms_campaigns_view_get_campaigns (view), 0);
  g_assert_cmpint (ms_campaign_get_state (list_item), ==, MS_CAMPAIGN_STATE_WAITING);
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-campaigns.png");

  /* Pause and resume from the campaign view: the engine stops when nothing is
   * left to send, and starts again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.open", "x",
                                             ms_campaign_get_id (list_item)));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.pause", NULL));
  ms_test_wait_until (is_paused_and_stopped, view, "the campaign to pause and the engine to stop");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.resume", NULL));
  ms_test_wait_until (is_active, view, "the campaign to send again");

  /* Cancel asks first; keeping it changes nothing. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.cancel", NULL));
  question = ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (question);
  adw_message_dialog_response (question, "keep");
  gtk_window_close (GTK_WINDOW (question));
  ms_test_wait_until (is_no_message_dialog, NULL, "the question to go away");
  g_assert_true (ms_campaigns_view_get_active (view));
  g_assert_cmpint (ms_campaign_get_state (ms_campaign_view_get_campaign (campaign_view)), !=,
                   MS_CAMPAIGN_STATE_CANCELLED);

  /* Closing the window while it sends asks first.  "Keep Sending" hides the
   * window, holds the app and says so; activating the app shows it again. */
  gtk_window_close (GTK_WINDOW (window));
  question = ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (question);
  /* As its button would: the response, then closing. */
  adw_message_dialog_response (question, "background");
  gtk_window_close (GTK_WINDOW (question));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (window)));
  g_assert_true (ms_campaigns_view_get_active (view));
  g_assert_cmpstr (ms_campaigns_view_get_last_notification (view), ==, "Mailshot keeps sending");
  g_application_activate (G_APPLICATION (app));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (window)));
  ms_test_wait_until (is_no_message_dialog, NULL, "the question to go away");

  /* "Pause and Quit" pauses it. */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_close (GTK_WINDOW (window));
  question = ms_test_find_toplevel (ADW_TYPE_MESSAGE_DIALOG);
  g_assert_nonnull (question);
  g_assert_nonnull (window);
  adw_message_dialog_response (question, "pause");   /* closing the window takes it along */
  ms_test_wait_until (ms_test_is_destroyed, &window, "the window to go away");

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(MsStore) store = ms_store_open (db_path, &error);
    g_autoptr(MsCampaign) stored = NULL;

    g_assert_no_error (error);
    stored = ms_store_get_campaign (store, ms_campaign_get_id (list_item), &error);
    g_assert_no_error (error);
    g_assert_cmpint (ms_campaign_get_state (stored), ==, MS_CAMPAIGN_STATE_PAUSED);
  }
}

/* A server card in each state says in words what the server does. */
static void
test_server_card_words (void)
{
  g_autoptr(MsServerStatus) status = ms_server_status_new (7, "Relay C");
  g_autoptr(GDateTime) at = g_date_time_new_local (2030, 5, 6, 15, 10, 0);
  GtkWidget *card = g_object_ref_sink (ms_server_card_new ());
  MsQuotaWindowStatus window = { 100, 3600, 40, 60, 0 };

  status->state = MS_SERVER_STATE_COOLING_DOWN;
  status->cooldown_until = g_date_time_to_unix (at);
  status->reason = g_strdup ("553 5.7.1 too many messages");
  status->windows = g_array_new (FALSE, FALSE, sizeof (MsQuotaWindowStatus));
  g_array_append_val (status->windows, window);
  ms_server_card_update (MS_SERVER_CARD (card), status, g_get_real_time () / 1000);
  g_assert_cmpstr (ms_server_card_get_state_text (MS_SERVER_CARD (card)), ==,
                   "Cooling down until Mon 15:10 after: 553 5.7.1 too many messages");
  g_assert_cmpuint (ms_server_card_get_n_windows (MS_SERVER_CARD (card)), ==, 1);
  g_assert_cmpfloat (gtk_level_bar_get_value (ms_server_card_get_level_bar (MS_SERVER_CARD (card), 0)), ==, 40);
  g_assert_cmpfloat (gtk_level_bar_get_max_value (ms_server_card_get_level_bar (MS_SERVER_CARD (card), 0)), ==, 100);
  g_assert_cmpstr (ms_server_card_get_window_text (MS_SERVER_CARD (card), 0), ==,
                   "100 per 1 h: 40 used / 60 left. Room for 60 more");

  status->state = MS_SERVER_STATE_STOPPED;
  g_free (status->reason);
  status->reason = g_strdup ("535 5.7.8 authentication failed");
  g_array_set_size (status->windows, 0);
  ms_server_card_update (MS_SERVER_CARD (card), status, g_get_real_time () / 1000);
  g_assert_cmpstr (ms_server_card_get_state_text (MS_SERVER_CARD (card)), ==,
                   "Stopped until its settings are fixed: 535 5.7.8 authentication failed");
  g_assert_cmpuint (ms_server_card_get_n_windows (MS_SERVER_CARD (card)), ==, 0);
  g_object_unref (card);
}

/* What came back from a campaign */

#define OUTCOME_SECRET "outcome-token-key"
#define N_HARD 110

static char *
make_dsn (const char *recipient,
          const char *status,
          const char *diagnostic,
          const char *message_id)
{
  static guint counter;

  return g_strdup_printf (
    "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
    "To: news@example.org\n"
    "Subject: Undelivered Mail Returned to Sender\n"
    "Date: Thu, 26 Nov 2026 10:00:00 +0000\n"
    "Message-ID: <ui-dsn-%u@mx.example.net>\n"
    "Auto-Submitted: auto-replied\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"DSN\"\n"
    "\n"
    "--DSN\n"
    "Content-Type: text/plain; charset=us-ascii\n"
    "\n"
    "Your message could not be delivered.\n"
    "\n"
    "--DSN\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.net\n"
    "\n"
    "Final-Recipient: rfc822; %s\n"
    "Action: failed\n"
    "Status: %s\n"
    "Diagnostic-Code: smtp; %s\n"
    "\n"
    "--DSN\n"
    "Content-Type: text/rfc822-headers\n"
    "\n"
    "Message-ID: <%s>\n"
    "Subject: Autumn news\n"
    "\n"
    "--DSN--\n",
    ++counter, recipient, status, diagnostic, message_id);
}

static void
process_text (MsStore    *store,
              const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) raw = g_bytes_new (text, strlen (text));
  MsMailboxCheckResult result = { 0 };

  g_assert_true (ms_mailbox_process_message (store, 0, raw, NULL, NULL, &result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (result.fetched, ==, 1);
  g_assert_cmpuint (result.bounces + result.complaints + result.unsubscribes + result.autoreplies, ==, 1);
}

static char *
outcome_address (guint i)
{
  return g_strdup_printf ("reader%03u@example.net", i);
}

static char *
outcome_message_id (guint i)
{
  return g_strdup_printf ("autumn-%03u@example.org", i);
}

/* "Autumn news", sent to 130 readers: 110 addresses unknown, one mailbox full,
 * one message taken for spam, one complaint, one unsubscribe request and one
 * auto-reply came back, in that order. */
static gint64
add_returned_campaign (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);
  g_autofree char *tag = NULL;
  gint64 campaign_id;

  g_assert_no_error (error);
  g_assert_true (_ms_store_exec (store, "INSERT INTO campaigns (name, state, token_secret, materialized, "
                                        "started_at, finished_at) VALUES ('Autumn news', 'finished', '"
                                        OUTCOME_SECRET "', 1, unixepoch () - 3600, unixepoch () - 1800)",
                                 &error));
  g_assert_no_error (error);
  campaign_id = sqlite3_last_insert_rowid (_ms_store_get_db (store));
  tag = g_strdup_printf ("c%" G_GINT64_FORMAT, campaign_id);

  g_assert_true (ms_store_begin (store, &error));
  for (guint i = 0; i < 130; i++)
    {
      g_autofree char *email = outcome_address (i);
      g_autofree char *message_id = outcome_message_id (i);
      gint64 contact_id = 0;
      sqlite3_stmt *stmt;

      ms_store_upsert_contact (store, email, NULL, "Reader", NULL, NULL, FALSE, &contact_id, NULL, &error);
      g_assert_no_error (error);
      stmt = _ms_store_prepare (store,
                                "INSERT INTO deliveries (campaign_id, contact_id, email, state, message_id, "
                                "attempts, updated_at) VALUES (?1, ?2, ?3, 'sent', ?4, 1, unixepoch ())",
                                &error);
      g_assert_no_error (error);
      sqlite3_bind_int64 (stmt, 1, campaign_id);
      sqlite3_bind_int64 (stmt, 2, contact_id);
      sqlite3_bind_text (stmt, 3, email, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (stmt, 4, message_id, -1, SQLITE_TRANSIENT);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
      sqlite3_reset (stmt);
    }
  g_assert_true (ms_store_commit (store, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < N_HARD; i++)
    {
      g_autofree char *email = outcome_address (i);
      g_autofree char *message_id = outcome_message_id (i);
      g_autofree char *dsn = make_dsn (email, "5.1.1", "550 5.1.1 User unknown", message_id);

      process_text (store, dsn);
    }
  {
    g_autofree char *full = outcome_address (110);
    g_autofree char *full_id = outcome_message_id (110);
    g_autofree char *full_dsn = make_dsn (full, "4.2.2", "452 4.2.2 Mailbox full", full_id);
    g_autofree char *spam = outcome_address (111);
    g_autofree char *spam_id = outcome_message_id (111);
    g_autofree char *spam_dsn = make_dsn (spam, "5.7.1", "554 5.7.1 Message rejected as spam", spam_id);
    g_autofree char *angry = outcome_address (112);
    g_autofree char *angry_id = outcome_message_id (112);
    g_autofree char *complaint = NULL;
    g_autofree char *leaver = outcome_address (113);
    g_autofree char *token = ms_message_unsubscribe_token (OUTCOME_SECRET, tag, leaver);
    g_autofree char *unsubscribe = NULL;
    g_autofree char *away = outcome_address (114);
    g_autofree char *away_id = outcome_message_id (114);
    g_autofree char *autoreply = NULL;

    complaint = g_strdup_printf ("From: Feedback Loop <fbl@isp.example.net>\n"
                                 "To: news@example.org\n"
                                 "Subject: Abuse report\n"
                                 "Message-ID: <ui-fbl@isp.example.net>\n"
                                 "MIME-Version: 1.0\n"
                                 "Content-Type: multipart/report; report-type=feedback-report; boundary=\"ARF\"\n"
                                 "\n"
                                 "--ARF\n"
                                 "Content-Type: text/plain\n"
                                 "\n"
                                 "An abuse report.\n"
                                 "\n"
                                 "--ARF\n"
                                 "Content-Type: message/feedback-report\n"
                                 "\n"
                                 "Feedback-Type: abuse\n"
                                 "Version: 1\n"
                                 "Original-Rcpt-To: <%s>\n"
                                 "\n"
                                 "--ARF\n"
                                 "Content-Type: message/rfc822\n"
                                 "\n"
                                 "Message-ID: <%s>\n"
                                 "Subject: Autumn news\n"
                                 "\n"
                                 "Hello\n"
                                 "--ARF--\n", angry, angry_id);
    unsubscribe = g_strdup_printf ("From: <%s>\n"
                                   "To: news@example.org\n"
                                   "Subject: unsubscribe %s\n"
                                   "Message-ID: <ui-unsub@example.net>\n"
                                   "\n"
                                   "Please take me off the list.\n", leaver, token);
    autoreply = g_strdup_printf ("From: <%s>\n"
                                 "To: news@example.org\n"
                                 "Subject: Out of office\n"
                                 "Message-ID: <ui-away@example.net>\n"
                                 "In-Reply-To: <%s>\n"
                                 "Auto-Submitted: auto-replied\n"
                                 "\n"
                                 "I am away until Monday.\n", away, away_id);
    process_text (store, full_dsn);
    process_text (store, spam_dsn);
    process_text (store, complaint);
    process_text (store, unsubscribe);
    process_text (store, autoreply);
  }
  return campaign_id;
}

typedef struct
{
  MsCampaignsView *view;
  gint64           id;
} CampaignWanted;

static gboolean
has_campaign_in_list (gpointer data)
{
  CampaignWanted *wanted = data;
  GListModel *campaigns = ms_campaigns_view_get_campaigns (wanted->view);

  for (guint i = 0; i < g_list_model_get_n_items (campaigns); i++)
    {
      g_autoptr(MsCampaign) campaign = g_list_model_get_item (campaigns, i);

      if (ms_campaign_get_id (campaign) == wanted->id)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_outcome_list_idle (gpointer data)
{
  return !ms_outcome_list_get_busy (data);
}

typedef struct
{
  MsOutcomeList *list;
  guint          n_items;
  gint64         total;
} OutcomesWanted;

static gboolean
has_outcomes (gpointer data)
{
  OutcomesWanted *wanted = data;

  return ms_outcome_list_get_counts (wanted->list)->total == wanted->total
         && g_list_model_get_n_items (ms_outcome_list_get_model (wanted->list)) == wanted->n_items
         && !ms_outcome_list_get_busy (wanted->list);
}

static void
wait_for_outcomes (MsOutcomeList *list,
                   gint64         total,
                   guint          n_items)
{
  OutcomesWanted wanted = { list, n_items, total };
  g_autofree char *what = g_strdup_printf ("%u of %" G_GINT64_FORMAT " outcomes", n_items, total);

  ms_test_wait_until (has_outcomes, &wanted, what);
}

static const char *
label_text (GtkWidget  *root,
            const char *name)
{
  GtkWidget *label = ms_test_find_widget (root, name);

  g_assert_true (GTK_IS_LABEL (label));
  return gtk_label_get_label (GTK_LABEL (label));
}

/* The row at @index says who, what happened, why and the server's words. */
static void
assert_outcome_row (MsOutcomeList *list,
                    int            index,
                    const char    *email,
                    const char    *kind,
                    const char    *subtitle)
{
  GtkListBox *box = GTK_LIST_BOX (ms_test_find_widget (GTK_WIDGET (list), "outcomes-list"));
  GtkListBoxRow *row = gtk_list_box_get_row_at_index (box, index);

  g_assert_true (ADW_IS_ACTION_ROW (row));
  g_test_message ("row %d: %s | %s | %s", index, adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)),
                  label_text (GTK_WIDGET (row), "outcome-kind"), adw_action_row_get_subtitle (ADW_ACTION_ROW (row)));
  g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, email);
  g_assert_cmpstr (label_text (GTK_WIDGET (row), "outcome-kind"), ==, kind);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);
  g_assert_cmpstr (label_text (GTK_WIDGET (row), "outcome-time"), !=, "");
  g_assert_nonnull (gtk_widget_get_tooltip_text (GTK_WIDGET (row)));
}

/* Scrolls the campaign page so that @widget is at its top. */
static void
scroll_to (GtkWidget *widget)
{
  GtkWidget *scrolled = gtk_widget_get_ancestor (widget, GTK_TYPE_SCROLLED_WINDOW);
  GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
  graphene_point_t point;

  g_assert_true (gtk_widget_compute_point (widget, gtk_scrolled_window_get_child (GTK_SCROLLED_WINDOW (scrolled)),
                                           &GRAPHENE_POINT_INIT (0, 0), &point));
  gtk_adjustment_set_value (adjustment, point.y - 12);
}

static void
test_campaign_outcomes (void)
{
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *newest = NULL;
  g_autofree char *newest_id = NULL;
  g_autofree char *newest_dsn = NULL;
  MsCampaignsView *view;
  MsCampaignView *campaign_view;
  MsOutcomeList *list;
  MsWindow *window;
  CampaignWanted wanted;
  gint64 campaign_id = add_returned_campaign ();

  window = ms_window_new (app);
  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 900);
  gtk_window_present (GTK_WINDOW (window));
  ms_test_wait_until (is_window_ready, window, "the window to open the database");
  view = window->campaigns_view;
  ms_campaigns_view_set_show_notifications (view, FALSE);
  ms_window_show_section (window, "campaigns");
  wanted.view = view;
  wanted.id = campaign_id;
  ms_test_wait_until (has_campaign_in_list, &wanted, "the campaign in the list");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "campaigns.open", "x", campaign_id));
  campaign_view = ms_campaigns_view_get_campaign_view (view);
  list = ms_campaign_view_get_outcome_list (campaign_view);

  /* The first page: counts of recipients, and the 50 newest. */
  wait_for_outcomes (list, 114, 50);
  g_assert_cmpint (ms_outcome_list_get_counts (list)->bounced, ==, N_HARD + 2);
  g_assert_cmpint (ms_outcome_list_get_counts (list)->hard, ==, N_HARD);
  g_assert_cmpint (ms_outcome_list_get_counts (list)->complained, ==, 1);
  g_assert_cmpint (ms_outcome_list_get_counts (list)->unsubscribed, ==, 1);
  g_assert_cmpstr (label_text (GTK_WIDGET (list), "outcomes-bounced"), ==, "112");
  g_assert_cmpstr (label_text (GTK_WIDGET (list), "outcomes-complained"), ==, "1");
  g_assert_cmpstr (label_text (GTK_WIDGET (list), "outcomes-unsubscribed"), ==, "1");
  g_assert_cmpstr (label_text (GTK_WIDGET (list), "outcomes-detail"), ==,
                   "Bounces: 110 hard (no more mail to them), 2 soft");
  assert_outcome_row (list, 0, "reader113@example.net", "Unsubscribed", "Asked to unsubscribe by email");
  assert_outcome_row (list, 1, "reader112@example.net", "Complaint",
                      "The recipient marked the message as spam\nReport type: abuse");
  assert_outcome_row (list, 2, "reader111@example.net", "Soft Bounce",
                      "The message was taken for spam\n554 5.7.1 Message rejected as spam");
  assert_outcome_row (list, 3, "reader110@example.net", "Soft Bounce",
                      "The mailbox is full\n452 4.2.2 Mailbox full");
  assert_outcome_row (list, 4, "reader109@example.net", "Hard Bounce",
                      "The address does not exist\n550 5.1.1 User unknown");
  assert_outcome_row (list, 49, "reader064@example.net", "Hard Bounce",
                      "The address does not exist\n550 5.1.1 User unknown");
  /* The tooltip: the whole reply, and what it meant for the contact. */
  {
    GtkListBox *box = GTK_LIST_BOX (ms_test_find_widget (GTK_WIDGET (list), "outcomes-list"));

    g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 3))), ==,
                     "The mailbox is full\n452 4.2.2 Mailbox full\n"
                     "The contact still gets campaigns: only soft bounces several times in a row stop them.");
    g_assert_cmpstr (gtk_widget_get_tooltip_text (GTK_WIDGET (gtk_list_box_get_row_at_index (box, 4))), ==,
                     "The address does not exist\n550 5.1.1 User unknown\nThe contact gets no more campaigns.");
  }
  g_assert_true (gtk_widget_get_visible (ms_test_find_widget (GTK_WIDGET (list), "outcomes-more-button")));
  scroll_to (GTK_WIDGET (list));
  ms_test_save_screenshot (GTK_WIDGET (window), "screenshot-campaign-outcomes.png");

  /* "Show More", page by page, until every one is shown. */
  ms_test_click (list, "outcomes-more-button");
  wait_for_outcomes (list, 114, 100);
  assert_outcome_row (list, 50, "reader063@example.net", "Hard Bounce",
                      "The address does not exist\n550 5.1.1 User unknown");
  ms_test_click (list, "outcomes-more-button");
  wait_for_outcomes (list, 114, 114);
  assert_outcome_row (list, 113, "reader000@example.net", "Hard Bounce",
                      "The address does not exist\n550 5.1.1 User unknown");
  g_assert_false (gtk_widget_get_visible (ms_test_find_widget (GTK_WIDGET (list), "outcomes-more-button")));

  /* A bounce check finds one more: the list follows, keeping what it showed. */
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);
  newest = outcome_address (120);
  newest_id = outcome_message_id (120);
  newest_dsn = make_dsn (newest, "5.1.2", "550 5.1.2 Host unknown", newest_id);
  process_text (store, newest_dsn);
  ms_campaigns_view_reload (view);
  wait_for_outcomes (list, 115, 115);
  assert_outcome_row (list, 0, "reader120@example.net", "Hard Bounce",
                      "The domain of the address does not exist\n550 5.1.2 Host unknown");
  assert_outcome_row (list, 1, "reader113@example.net", "Unsubscribed", "Asked to unsubscribe by email");
  g_assert_cmpstr (label_text (GTK_WIDGET (list), "outcomes-bounced"), ==, "113");

  /* Without a campaign, nothing. */
  ms_campaign_view_set_campaign (campaign_view, NULL);
  ms_test_wait_until (is_outcome_list_idle, list, "the list to settle");
  g_assert_cmpuint (g_list_model_get_n_items (ms_outcome_list_get_model (list)), ==, 0);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  ms_test_ui_init (&argc, &argv, WAIT_TIMEOUT_S);
  /* No DNS: the pre-flight page checks the sender domains, and nothing may leave
   * the machine.  Every name lookup is answered "not found" (addresses such as
   * 127.0.0.1 never reach a resolver). */
  ms_test_set_dns_table (NULL, 0);
  /* Screenshots show pages in place, not halfway through a slide. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);

  tmp_dir = ms_test_make_tmp_dir ("ms-ui-campaigns-XXXXXX");
  db_path = g_build_filename (tmp_dir, "mailshot.db", NULL);

  app = ms_test_application_new (db_path);

  g_test_add_func ("/ui/campaigns/server-card-words", test_server_card_words);
  g_test_add_func ("/ui/campaigns/send-until-quota", test_campaign_until_quota);
  /* After the one above: it expects the only campaign. */
  g_test_add_func ("/ui/campaigns/outcomes", test_campaign_outcomes);
  ret = g_test_run ();

  g_clear_object (&app);
  if (ret == 0)
    ms_test_remove_tmp_dir (tmp_dir);
  g_free (db_path);
  g_free (tmp_dir);
  return ret;
}

/* test-campaign.c
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

#define G_LOG_DOMAIN "test-campaign"

#include "config.h"

#include <glib/gstdio.h>
#include <locale.h>
#include <sqlite3.h>

#include "ms-campaign.h"
#include "ms-engine.h"
#include "ms-store-campaigns.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

/* Campaigns in the store (audience, deliveries, recovery, claims, states, the
 * frozen template), send windows, and the engine's GObject API with the folder
 * transport: no network. */

typedef struct
{
  char     *dir;
  char     *path;
  MsStore  *store;
  gint64    list_a;
  gint64    list_b;
  gint64    list_x;
  gint64    template_id;
  gint64    server_id;
} Fixture;

static gint64
add_contact (Fixture    *f,
             const char *email,
             gint64      list_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) existing = ms_store_find_contact (f->store, email, NULL);
  gint64 id;

  if (existing != NULL)
    {
      id = ms_contact_get_id (existing);
    }
  else
    {
      g_autoptr(MsContact) contact = ms_contact_new (email);

      ms_contact_set_first_name (contact, "Ann");
      id = ms_store_add_contact (f->store, contact, &error);
      g_assert_no_error (error);
    }
  g_assert_true (ms_store_add_list_members (f->store, list_id, &id, 1, &error));
  g_assert_no_error (error);
  return id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsTemplate) tmpl = ms_template_new ("T");
  g_autoptr(MsServer) server = ms_server_new ();
  g_autofree char *folder = NULL;
  g_autoptr(MsContactList) a = NULL;
  g_autoptr(MsContactList) b = NULL;
  g_autoptr(MsContactList) x = NULL;

  f->dir = g_dir_make_tmp ("test-campaign-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "test.db", NULL);
  f->store = ms_store_open (f->path, &error);
  g_assert_no_error (error);

  a = ms_store_create_list (f->store, "A", &error);
  b = ms_store_create_list (f->store, "B", &error);
  x = ms_store_create_list (f->store, "X", &error);
  g_assert_no_error (error);
  f->list_a = ms_contact_list_get_id (a);
  f->list_b = ms_contact_list_get_id (b);
  f->list_x = ms_contact_list_get_id (x);

  ms_template_set_subject (tmpl, "Hello {{first_name}}");
  ms_template_set_body_format (tmpl, MS_BODY_FORMAT_TEXT);
  ms_template_set_body (tmpl, "Dear {{first_name}},\nhello.\n");
  ms_template_set_sender_address (tmpl, "news@example.org");
  f->template_id = ms_store_add_template (f->store, tmpl, &error);
  g_assert_no_error (error);

  folder = g_build_filename (f->dir, "out", NULL);
  ms_server_set_name (server, "Folder");
  ms_server_set_transport (server, MS_TRANSPORT_FOLDER);
  ms_server_set_folder (server, folder);
  ms_server_set_sender_address (server, "folder@example.org");
  ms_server_set_allow_sender_substitution (server, TRUE);
  f->server_id = ms_store_add_server (f->store, server, &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) dir = g_file_new_for_path (f->dir);
  g_autoptr(GFileEnumerator) children = NULL;

  g_clear_object (&f->store);
  /* Two levels: the database files and out/. */
  children = g_file_enumerate_children (dir, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                        G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  for (GFileInfo *info; children != NULL
       && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL;)
    {
      g_autoptr(GFile) child = g_file_get_child (dir, g_file_info_get_name (info));
      g_autoptr(GFileEnumerator) inner = g_file_enumerate_children (child, G_FILE_ATTRIBUTE_STANDARD_NAME,
                                                                    G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS,
                                                                    NULL, NULL);
      for (GFileInfo *i2; inner != NULL && (i2 = g_file_enumerator_next_file (inner, NULL, NULL)) != NULL;)
        {
          g_autoptr(GFile) leaf = g_file_get_child (child, g_file_info_get_name (i2));

          g_file_delete (leaf, NULL, NULL);
          g_object_unref (i2);
        }
      g_file_delete (child, NULL, NULL);
      g_object_unref (info);
    }
  g_file_delete (dir, NULL, &error);
  g_free (f->path);
  g_free (f->dir);
}

static MsCampaign *
make_campaign (Fixture    *f,
               const char *name)
{
  g_autoptr(GError) error = NULL;
  MsCampaign *campaign = ms_campaign_new (name);

  ms_campaign_set_template_id (campaign, f->template_id);
  ms_campaign_add_list (campaign, f->list_a, "A", FALSE);
  ms_campaign_add_list (campaign, f->list_b, "B", FALSE);
  ms_campaign_add_list (campaign, f->list_x, "X", TRUE);
  ms_campaign_set_server_ids (campaign, &f->server_id, 1);
  g_assert_cmpint (ms_store_add_campaign (f->store, campaign, &error), >, 0);
  g_assert_no_error (error);
  return campaign;
}

/* a..f in A, d..g in B, f in X, e unsubscribed: 7 unique, 2 suppressed. */
static void
add_audience (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  const char *in_a[] = { "a@example.org", "b@example.org", "c@example.org", "d@example.org",
                         "e@example.org", "f@example.org" };
  const char *in_b[] = { "d@example.org", "e@example.org", "f@example.org", "g@example.org" };
  gint64 e_id = 0;

  for (guint i = 0; i < G_N_ELEMENTS (in_a); i++)
    {
      gint64 id = add_contact (f, in_a[i], f->list_a);

      if (i == 4)
        e_id = id;
    }
  for (guint i = 0; i < G_N_ELEMENTS (in_b); i++)
    add_contact (f, in_b[i], f->list_b);
  add_contact (f, "f@example.org", f->list_x);
  g_assert_true (ms_store_set_contacts_status (f->store, &e_id, 1, MS_CONTACT_STATUS_UNSUBSCRIBED,
                                               NULL, &error));
}

static gint64
count_rows (Fixture    *f,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 n = -1;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
exec_sql (Fixture    *f,
          const char *sql)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (f->path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
test_create_and_audience (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(MsCampaign) loaded = NULL;
  g_autoptr(MsCampaign) bad = ms_campaign_new ("Bad");
  gint64 total = 0, suppressed = 0;
  const GPtrArray *lists;
  MsSendWindow window = { 9 * 60, 17 * 60, MS_WEEKDAY_MONDAY | MS_WEEKDAY_FRIDAY };

  add_audience (f);
  campaign = ms_campaign_new ("Spring");
  ms_campaign_set_template_id (campaign, f->template_id);
  ms_campaign_add_list (campaign, f->list_a, "A", FALSE);
  ms_campaign_add_list (campaign, f->list_b, "B", FALSE);
  ms_campaign_add_list (campaign, f->list_x, "X", TRUE);
  ms_campaign_set_server_ids (campaign, &f->server_id, 1);
  ms_campaign_set_window (campaign, &window);
  g_assert_cmpint (ms_store_add_campaign (f->store, campaign, &error), >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (ms_campaign_get_state (campaign), ==, MS_CAMPAIGN_STATE_DRAFT);

  loaded = ms_store_find_campaign (f->store, "Spring", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_campaign_get_template_name (loaded), ==, "T");
  lists = ms_campaign_get_lists (loaded);
  g_assert_cmpuint (lists->len, ==, 3);
  g_assert_true (((MsCampaignList *) g_ptr_array_index (lists, 2))->exclude);
  ms_campaign_get_window (loaded, &window);
  g_assert_cmpint (window.start, ==, 540);
  g_assert_cmpint (window.end, ==, 1020);
  g_assert_cmpuint (window.days, ==, MS_WEEKDAY_MONDAY | MS_WEEKDAY_FRIDAY);

  g_assert_true (ms_store_count_audience (f->store, ms_campaign_get_id (loaded), &total,
                                          &suppressed, &error));
  g_assert_cmpint (total, ==, 7);
  g_assert_cmpint (suppressed, ==, 2);
  g_assert_true (ms_store_load_campaign_counts (f->store, loaded, &error));
  g_assert_cmpint (ms_campaign_get_count (loaded, MS_DELIVERY_QUEUED), ==, 5);
  g_assert_cmpint (ms_campaign_get_count (loaded, MS_DELIVERY_SUPPRESSED), ==, 2);
  g_assert_cmpint (ms_campaign_get_total (loaded), ==, 7);

  /* A taken name, a missing template, no list, no server. */
  g_assert_cmpint (ms_store_add_campaign (f->store, bad, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  ms_campaign_set_template_id (bad, f->template_id);
  ms_campaign_add_list (bad, f->list_x, "X", TRUE);
  ms_campaign_set_server_ids (bad, &f->server_id, 1);
  g_assert_cmpint (ms_store_add_campaign (f->store, bad, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_INVALID);
  g_clear_error (&error);
  ms_campaign_add_list (bad, f->list_a, "A", FALSE);
  ms_campaign_set_name (bad, "Spring");
  g_assert_cmpint (ms_store_add_campaign (f->store, bad, &error), ==, 0);
  g_assert_error (error, MS_STORE_ERROR, MS_STORE_ERROR_EXISTS);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM campaigns"), ==, 1);
}

static void
test_materialize (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  gint64 counts[MS_DELIVERY_N_STATES];
  gint64 id;

  add_audience (f);
  campaign = make_campaign (f, "M");
  id = ms_campaign_get_id (campaign);

  /* A crash after the first batch: two rows exist, materialized is still 0. */
  g_assert_true (ms_store_materialize_deliveries (f->store, id, "example.org", 2, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries"), ==, 7);
  exec_sql (f, "DELETE FROM deliveries WHERE id > 2; UPDATE campaigns SET materialized = 0");
  g_assert_true (ms_store_materialize_deliveries (f->store, id, "example.org", 2, NULL, NULL, &error));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries"), ==, 7);
  g_assert_cmpint (count_rows (f, "SELECT count(DISTINCT contact_id) FROM deliveries"), ==, 7);
  g_assert_cmpint (count_rows (f, "SELECT count(DISTINCT message_id) FROM deliveries"), ==, 7);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE message_id NOT LIKE '%@example.org'"),
                   ==, 0);
  /* IDs of one run share a random prefix and follow each other (they append to
   * the index), each with its own random tail: prefix.sequence.tail@domain. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE message_id NOT GLOB"
                               " '[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
                               "[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
                               ".[0-9a-f]*.[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]"
                               "@example.org'"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(DISTINCT substr (message_id, 1, 16)) FROM deliveries"
                               " WHERE id > 2"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries a JOIN deliveries b ON b.id = a.id + 1"
                               " WHERE a.id > 2 AND b.message_id < a.message_id"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(DISTINCT substr (message_id, 27, 8)) FROM deliveries"), >=, 6);
  /* Once done, nothing more is added, even for new list members. */
  add_contact (f, "late@example.org", f->list_a);
  g_assert_true (ms_store_materialize_deliveries (f->store, id, "example.org", 2, NULL, NULL, &error));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries"), ==, 7);

  g_assert_true (ms_store_count_deliveries (f->store, id, counts, &error));
  g_assert_cmpint (counts[MS_DELIVERY_QUEUED], ==, 5);
  g_assert_cmpint (counts[MS_DELIVERY_SUPPRESSED], ==, 2);
  rows = ms_store_list_deliveries (f->store, id, MS_DELIVERY_SUPPRESSED, 0, 10, &error);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (((MsDelivery *) g_ptr_array_index (rows, 0))->email, ==, "e@example.org");
  g_assert_cmpstr (((MsDelivery *) g_ptr_array_index (rows, 0))->reply_text, ==, "unsubscribed");
  g_assert_cmpstr (((MsDelivery *) g_ptr_array_index (rows, 1))->email, ==, "f@example.org");
  g_assert_cmpstr (((MsDelivery *) g_ptr_array_index (rows, 1))->reply_text, ==, "excluded");
}

/* Reading due deliveries without claiming them (the engine with commit-ahead):
 * active ones stay queued until data-sent, which then sets the first attempt;
 * suppressed ones are written at once. */
static void
test_read_due (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GPtrArray) due = NULL;
  g_autoptr(GPtrArray) again = NULL;
  g_autoptr(MsContact) b = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 b_id, log_id = 0, id;
  guint suppressed = 0;
  MsDelivery *first;

  add_audience (f);
  campaign = make_campaign (f, "D");
  id = ms_campaign_get_id (campaign);
  g_assert_true (ms_store_materialize_deliveries (f->store, id, "example.org", 100, NULL, NULL, &error));
  b = ms_store_find_contact (f->store, "b@example.org", NULL);
  b_id = ms_contact_get_id (b);
  g_assert_true (ms_store_set_contacts_status (f->store, &b_id, 1, MS_CONTACT_STATUS_UNSUBSCRIBED, NULL,
                                               &error));

  due = ms_store_read_due_deliveries (f->store, id, now, 3, &suppressed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpuint (suppressed, ==, 1);
  first = g_ptr_array_index (due, 0);
  g_assert_cmpstr (first->email, ==, "a@example.org");
  g_assert_cmpstr (ms_contact_get_first_name (first->contact), ==, "Ann");
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'sending'"), ==, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'suppressed'"
                               " AND email = 'b@example.org'"), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE first_attempt_at IS NOT NULL"
                               " AND state = 'queued'"), ==, 0);

  /* Still due: the same two again, b no more. */
  again = ms_store_read_due_deliveries (f->store, id, now, 2, NULL, &error);
  g_assert_cmpuint (again->len, ==, 2);
  g_assert_cmpint (((MsDelivery *) g_ptr_array_index (again, 0))->id, ==, first->id);

  /* Data-sent takes it out of the queue and records the first attempt. */
  g_assert_true (ms_store_mark_data_sent (f->store, first->id, f->server_id, now * 1000, &log_id, &error));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'data-sent'"
                               " AND first_attempt_at IS NOT NULL AND email = 'a@example.org'"), ==, 1);
  g_clear_pointer (&again, g_ptr_array_unref);
  again = ms_store_read_due_deliveries (f->store, id, now, 1, NULL, &error);
  g_assert_cmpuint (again->len, ==, 1);
  g_assert_cmpstr (((MsDelivery *) g_ptr_array_index (again, 0))->email, ==, "c@example.org");
}

static void
test_claim_and_recover (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GPtrArray) claimed = NULL;
  g_autoptr(GPtrArray) more = NULL;
  g_autoptr(MsContact) b = NULL;
  MsDeliveryOutcome outcome = { 0 };
  MsDelivery *first;
  gint64 requeued = 0, uncertain = 0, log_id = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  gint64 b_id;
  guint suppressed = 0;
  gint64 id;

  add_audience (f);
  campaign = make_campaign (f, "R");
  id = ms_campaign_get_id (campaign);
  g_assert_true (ms_store_materialize_deliveries (f->store, id, "example.org", 100, NULL, NULL, &error));

  /* b unsubscribes after the deliveries were made: suppressed when claimed. */
  b = ms_store_find_contact (f->store, "b@example.org", NULL);
  b_id = ms_contact_get_id (b);
  g_assert_true (ms_store_set_contacts_status (f->store, &b_id, 1, MS_CONTACT_STATUS_BOUNCED, NULL,
                                               &error));
  claimed = ms_store_claim_deliveries (f->store, id, now, 3, &suppressed, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (claimed->len, ==, 2);
  g_assert_cmpuint (suppressed, ==, 1);
  first = g_ptr_array_index (claimed, 0);
  g_assert_cmpstr (first->email, ==, "a@example.org");
  g_assert_nonnull (first->contact);
  g_assert_cmpstr (ms_contact_get_first_name (first->contact), ==, "Ann");
  g_assert_cmpint (first->first_attempt_at, ==, now);

  /* a: data-sent then crash; c: sending then crash. */
  g_assert_true (ms_store_mark_data_sent (f->store, first->id, f->server_id, now * 1000, &log_id, &error));
  g_assert_cmpint (log_id, >, 0);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM send_log"), ==, 1);

  /* d: a 4xx, due again in an hour. */
  more = ms_store_claim_deliveries (f->store, id, now, 1, NULL, &error);
  g_assert_cmpuint (more->len, ==, 1);
  outcome.delivery_id = ((MsDelivery *) g_ptr_array_index (more, 0))->id;
  outcome.state = MS_DELIVERY_QUEUED;
  outcome.attempts = 1;
  outcome.next_attempt_at = now + 3600;
  outcome.reply_code = 450;
  outcome.reply_enhanced = "4.2.1";
  outcome.reply_text = "Busy";
  g_assert_true (ms_store_finish_delivery (f->store, &outcome, &error));
  g_assert_cmpint (ms_store_next_attempt_time (f->store, id, &error), ==, 0);   /* g is due */

  g_assert_true (ms_store_recover_deliveries (f->store, &requeued, &uncertain, &error));
  g_assert_cmpint (requeued, ==, 1);    /* c */
  g_assert_cmpint (uncertain, ==, 1);   /* a */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'uncertain'"
                               " AND email = 'a@example.org'"), ==, 1);
  /* The uncertain one stays counted against the quota. */
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM send_log"), ==, 1);

  /* Due now: c and g, not d (in an hour). */
  g_clear_pointer (&more, g_ptr_array_unref);
  more = ms_store_claim_deliveries (f->store, id, now, 10, NULL, &error);
  g_assert_cmpuint (more->len, ==, 2);
  g_assert_cmpint (ms_store_next_attempt_time (f->store, id, &error), ==, now + 3600);
  g_clear_pointer (&more, g_ptr_array_unref);
  more = ms_store_claim_deliveries (f->store, id, now + 3600, 10, NULL, &error);
  g_assert_cmpuint (more->len, ==, 1);
  g_assert_cmpuint (((MsDelivery *) g_ptr_array_index (more, 0))->attempts, ==, 1);

  /* Retry of uncertain ones, on request only. */
  g_assert_cmpint (ms_store_retry_deliveries (f->store, id, MS_DELIVERY_UNCERTAIN, &error), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'queued'"
                               " AND email = 'a@example.org'"), ==, 1);

  /* Cancelling while some are claimed: recovery cancels them too. */
  g_assert_true (ms_store_cancel_campaign (f->store, id, &error));
  g_assert_true (ms_store_recover_deliveries (f->store, &requeued, &uncertain, &error));
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state IN ('queued', 'sending')"),
                   ==, 0);
}

static void
test_states (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(MsTemplate) frozen = NULL;
  g_autoptr(MsAttachment) attachment = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new_static ("%PDF-1.4 fake", 13);
  MsCampaignState state;
  MsServerHealth health = { 0 };
  gint64 id;

  add_audience (f);
  campaign = make_campaign (f, "S");
  id = ms_campaign_get_id (campaign);

  g_assert_false (ms_store_pause_campaign (f->store, id, &error));
  g_assert_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_true (ms_store_set_campaign_state (f->store, id, MS_CAMPAIGN_STATE_WAITING, "quota", 99, &error));
  g_assert_true (ms_store_pause_campaign (f->store, id, &error));
  g_assert_true (ms_store_read_campaign_state (f->store, id, &state, &error));
  g_assert_cmpint (state, ==, MS_CAMPAIGN_STATE_PAUSED);

  /* Resume lets the campaign's stopped servers try again. */
  health.server_id = f->server_id;
  health.stopped = TRUE;
  health.stopped_at = 1000;
  health.reason = (char *) "535 5.7.8 Authentication failed";
  g_assert_true (ms_store_set_server_health (f->store, &health, &error));
  g_assert_true (ms_store_resume_campaign (f->store, id, &error));
  g_assert_true (ms_store_read_campaign_state (f->store, id, &state, &error));
  g_assert_cmpint (state, ==, MS_CAMPAIGN_STATE_RUNNING);
  g_assert_true (ms_store_get_server_health (f->store, f->server_id, &health, &error));
  g_assert_false (health.stopped);
  g_assert_null (health.reason);

  /* The template is frozen when the campaign starts. */
  tmpl = ms_store_get_template (f->store, f->template_id, &error);
  attachment = ms_attachment_new ("terms.pdf", "application/pdf", bytes);
  g_assert_true (ms_store_add_template_attachment (f->store, f->template_id, attachment, &error));
  g_assert_true (ms_store_freeze_campaign_template (f->store, id, &error));
  ms_template_set_subject (tmpl, "Changed later");
  g_assert_true (ms_store_update_template (f->store, tmpl, &error));
  g_assert_true (ms_store_freeze_campaign_template (f->store, id, &error));
  frozen = ms_store_get_campaign_template (f->store, id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_template_get_subject (frozen), ==, "Hello {{first_name}}");
  g_assert_cmpstr (ms_template_get_body (frozen), ==, "Dear {{first_name}},\nhello.\n");
  g_assert_cmpint (ms_template_get_body_format (frozen), ==, MS_BODY_FORMAT_TEXT);
  g_assert_cmpstr (ms_template_get_sender_address (frozen), ==, "news@example.org");
  g_assert_cmpuint (ms_template_get_attachments (frozen)->len, ==, 1);
  g_assert_true (g_bytes_equal (((MsAttachment *) g_ptr_array_index (ms_template_get_attachments (frozen), 0))->data,
                                bytes));

  g_assert_true (ms_store_cancel_campaign (f->store, id, &error));
  g_assert_false (ms_store_resume_campaign (f->store, id, &error));
  g_assert_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE);
  g_clear_error (&error);
  g_assert_cmpint (ms_store_retry_deliveries (f->store, id, MS_DELIVERY_FAILED, &error), ==, -1);
  g_assert_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_STATE);
}

static GDateTime *
local_time (int year, int month, int day, int hour, int minute)
{
  g_autoptr(GTimeZone) tz = g_time_zone_new_local ();

  return g_date_time_new (tz, year, month, day, hour, minute, 0);
}

static void
test_send_window (void)
{
  g_autoptr(GError) error = NULL;
  /* 2026-05-04 is a Monday. */
  g_autoptr(GDateTime) mon_08 = local_time (2026, 5, 4, 8, 0);
  g_autoptr(GDateTime) mon_10 = local_time (2026, 5, 4, 10, 0);
  g_autoptr(GDateTime) mon_23 = local_time (2026, 5, 4, 23, 30);
  g_autoptr(GDateTime) tue_03 = local_time (2026, 5, 5, 3, 0);
  g_autoptr(GDateTime) sat_10 = local_time (2026, 5, 9, 10, 0);
  g_autoptr(GDateTime) next = NULL;
  g_autofree char *days_text = NULL;
  g_autofree char *hours_text = NULL;
  MsSendWindow office = { 0, 0, 0 };
  MsSendWindow night = { 0, 0, MS_WEEKDAY_MONDAY };
  MsSendWindow always = MS_SEND_WINDOW_ALWAYS;

  g_assert_true (ms_send_window_parse_hours ("09:00-17:30", &office.start, &office.end, &error));
  g_assert_cmpint (office.start, ==, 540);
  g_assert_cmpint (office.end, ==, 1050);
  g_assert_true (ms_send_window_parse_days ("Mon,tue, wednesday,thu,FRI", &office.days, &error));
  g_assert_cmpuint (office.days, ==, 0x1f);
  g_assert_true (ms_send_window_parse_days ("weekdays", &office.days, &error));
  g_assert_cmpuint (office.days, ==, 0x1f);
  days_text = ms_send_window_format_days (office.days);
  g_assert_cmpstr (days_text, ==, "mon,tue,wed,thu,fri");
  hours_text = ms_send_window_format_hours (&office);
  g_assert_cmpstr (hours_text, ==, "09:00-17:30");
  g_assert_true (ms_send_window_parse_hours ("22:00-06:00", &night.start, &night.end, &error));
  g_assert_true (ms_send_window_parse_hours ("00:00-24:00", &always.start, &always.end, &error));

  g_assert_false (ms_send_window_parse_hours ("9-17", &office.start, &office.end, &error));
  g_assert_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (ms_send_window_parse_hours ("10:00-10:00", &office.start, &office.end, &error));
  g_clear_error (&error);
  g_assert_false (ms_send_window_parse_hours ("25:00-26:00", &office.start, &office.end, &error));
  g_clear_error (&error);
  g_assert_false (ms_send_window_parse_days ("mon,someday", &office.days, &error));
  g_clear_error (&error);

  g_assert_false (ms_send_window_is_open (&office, mon_08));
  g_assert_true (ms_send_window_is_open (&office, mon_10));
  g_assert_false (ms_send_window_is_open (&office, sat_10));
  next = ms_send_window_next_open (&office, mon_08);
  g_assert_cmpint (g_date_time_get_hour (next), ==, 9);
  g_assert_cmpint (g_date_time_get_day_of_month (next), ==, 4);
  g_clear_pointer (&next, g_date_time_unref);
  next = ms_send_window_next_open (&office, sat_10);   /* Monday 09:00 */
  g_assert_cmpint (g_date_time_get_day_of_month (next), ==, 11);
  g_assert_cmpint (g_date_time_get_hour (next), ==, 9);
  g_clear_pointer (&next, g_date_time_unref);

  /* Past midnight: Monday 22:00 to Tuesday 06:00 belongs to Monday. */
  g_assert_true (ms_send_window_is_open (&night, mon_23));
  g_assert_true (ms_send_window_is_open (&night, tue_03));
  g_assert_false (ms_send_window_is_open (&night, mon_10));
  next = ms_send_window_next_open (&night, mon_10);
  g_assert_cmpint (g_date_time_get_hour (next), ==, 22);
  g_clear_pointer (&next, g_date_time_unref);
  next = ms_send_window_next_open (&night, sat_10);    /* Monday 22:00 */
  g_assert_cmpint (g_date_time_get_day_of_month (next), ==, 11);
  g_assert_cmpint (g_date_time_get_hour (next), ==, 22);
  g_clear_pointer (&next, g_date_time_unref);

  g_assert_cmpint (ms_send_window_next_open_ms (&office, g_date_time_to_unix (mon_10) * 1000), ==,
                   g_date_time_to_unix (mon_10) * 1000);
  g_assert_cmpint (ms_send_window_next_open_ms (&office, g_date_time_to_unix (mon_08) * 1000), ==,
                   (g_date_time_to_unix (mon_08) + 3600) * 1000);
  office.days = 0;
  g_assert_null (ms_send_window_next_open (&office, mon_08));
  g_assert_cmpint (ms_send_window_next_open_ms (&office, 1000), ==, G_MAXINT64);
}

/* The engine */

typedef struct
{
  GMainLoop *loop;
  guint      finished;
  guint      waiting;
  guint      stalled;
  guint      notifies;
  gint64     max_sent_seen;
} EngineRun;

static void
finished_cb (MsEngine   *engine,
             MsCampaign *campaign,
             EngineRun  *run)
{
  run->finished++;
  g_main_loop_quit (run->loop);
}

static void
stalled_cb (MsEngine   *engine,
            MsCampaign *campaign,
            EngineRun  *run)
{
  run->stalled++;
  g_main_loop_quit (run->loop);
}

static void
sent_cb (MsCampaign *campaign,
         GParamSpec *pspec,
         EngineRun  *run)
{
  run->notifies++;
  /* Counts only grow while sending. */
  g_assert_cmpint (ms_campaign_get_count (campaign, MS_DELIVERY_SENT), >=, run->max_sent_seen);
  run->max_sent_seen = ms_campaign_get_count (campaign, MS_DELIVERY_SENT);
}

static gboolean
timeout_cb (gpointer user_data)
{
  g_error ("the engine did not finish in time");
  return G_SOURCE_REMOVE;
}

static void
test_engine_folder (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(MsEngine) engine = ms_engine_new (f->path);
  g_autoptr(MsEngine) second = ms_engine_new (f->path);
  g_autoptr(GDir) out = NULL;
  g_autofree char *folder = g_build_filename (f->dir, "out", NULL);
  EngineRun run = { 0 };
  MsCampaign *live;
  GPtrArray *servers;
  guint files = 0;
  guint timeout;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *email = g_strdup_printf ("p%02u@example.org", i);

      add_contact (f, email, f->list_a);
    }
  campaign = make_campaign (f, "Folder run");

  g_assert_true (ms_engine_start (engine, &error));
  g_assert_no_error (error);
  g_assert_true (ms_engine_is_started (engine));

  /* One engine per database, also within a process. */
  g_assert_false (ms_engine_start (second, &error));
  g_assert_error (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, "test-campaign (process"));
  g_clear_error (&error);

  run.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "campaign-finished", G_CALLBACK (finished_cb), &run);
  g_signal_connect (engine, "campaign-stalled", G_CALLBACK (stalled_cb), &run);
  live = ms_engine_send (engine, ms_campaign_get_id (campaign), &error);
  g_assert_no_error (error);
  g_assert_true (live == ms_engine_get_campaign (engine, ms_campaign_get_id (campaign)));
  g_signal_connect (live, "notify::sent", G_CALLBACK (sent_cb), &run);
  timeout = g_timeout_add_seconds (30, timeout_cb, NULL);
  g_main_loop_run (run.loop);
  g_source_remove (timeout);

  g_assert_cmpuint (run.finished, ==, 1);
  g_assert_cmpuint (run.stalled, ==, 0);
  g_assert_cmpint (ms_campaign_get_state (live), ==, MS_CAMPAIGN_STATE_FINISHED);
  g_assert_cmpint (ms_campaign_get_count (live, MS_DELIVERY_SENT), ==, 40);
  g_assert_cmpint (ms_campaign_get_total (live), ==, 40);
  g_assert_cmpfloat (ms_campaign_get_fraction (live), ==, 1.0);
  g_assert_cmpuint (run.notifies, >=, 1);
  g_assert_cmpint (run.max_sent_seen, ==, 40);
  servers = ms_campaign_get_servers (live);
  g_assert_cmpuint (servers->len, ==, 1);
  g_assert_cmpstr (((MsServerStatus *) g_ptr_array_index (servers, 0))->name, ==, "Folder");
  g_assert_cmpuint (((MsServerStatus *) g_ptr_array_index (servers, 0))->sent, ==, 40);

  ms_engine_stop (engine);
  g_assert_false (ms_engine_is_started (engine));
  /* The lock is free again. */
  g_assert_true (ms_engine_start (second, &error));
  ms_engine_stop (second);

  out = g_dir_open (folder, 0, &error);
  g_assert_no_error (error);
  while (g_dir_read_name (out) != NULL)
    files++;
  g_assert_cmpuint (files, ==, 40);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'sent'"), ==, 40);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM send_log"), ==, 40);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM campaigns WHERE state = 'finished'"
                               " AND template_snapshot IS NOT NULL AND started_at > 0"
                               " AND finished_at >= started_at"), ==, 1);
  g_main_loop_unref (run.loop);
}

static void
test_engine_unusable (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(MsEngine) engine = ms_engine_new (f->path);
  g_autoptr(MsServer) server = ms_store_get_server (f->store, f->server_id, &error);
  EngineRun run = { 0 };
  MsCampaign *live;
  guint timeout;

  add_contact (f, "q@example.org", f->list_a);
  campaign = make_campaign (f, "Too big");
  /* A limit no message fits: the server cannot send this campaign. */
  ms_server_set_max_message_size (server, 100);
  g_assert_true (ms_store_update_server (f->store, server, &error));

  g_assert_true (ms_engine_start (engine, &error));
  run.loop = g_main_loop_new (NULL, FALSE);
  g_signal_connect (engine, "campaign-finished", G_CALLBACK (finished_cb), &run);
  g_signal_connect (engine, "campaign-stalled", G_CALLBACK (stalled_cb), &run);
  live = ms_engine_send (engine, ms_campaign_get_id (campaign), &error);
  timeout = g_timeout_add_seconds (30, timeout_cb, NULL);
  g_main_loop_run (run.loop);
  g_source_remove (timeout);
  ms_engine_stop (engine);

  g_assert_cmpuint (run.stalled, ==, 1);
  g_assert_cmpint (ms_campaign_get_state (live), ==, MS_CAMPAIGN_STATE_PAUSED);
  g_assert_nonnull (strstr (ms_campaign_get_reason (live), "larger than the server accepts"));
  g_assert_cmpint (ms_campaign_get_count (live, MS_DELIVERY_QUEUED), ==, 1);
  g_assert_cmpint (count_rows (f, "SELECT count(*) FROM deliveries WHERE state = 'queued'"), ==, 1);
  g_main_loop_unref (run.loop);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  g_set_prgname ("test-campaign");

  g_test_add ("/campaign/store/create-and-audience", Fixture, NULL, fixture_set_up,
              test_create_and_audience, fixture_tear_down);
  g_test_add ("/campaign/store/materialize", Fixture, NULL, fixture_set_up, test_materialize,
              fixture_tear_down);
  g_test_add ("/campaign/store/claim-and-recover", Fixture, NULL, fixture_set_up,
              test_claim_and_recover, fixture_tear_down);
  g_test_add ("/campaign/store/read-due", Fixture, NULL, fixture_set_up, test_read_due,
              fixture_tear_down);
  g_test_add ("/campaign/store/states", Fixture, NULL, fixture_set_up, test_states,
              fixture_tear_down);
  g_test_add_func ("/campaign/send-window", test_send_window);
  g_test_add ("/campaign/engine/folder", Fixture, NULL, fixture_set_up, test_engine_folder,
              fixture_tear_down);
  g_test_add ("/campaign/engine/unusable", Fixture, NULL, fixture_set_up, test_engine_unusable,
              fixture_tear_down);

  return g_test_run ();
}

/* test-bounce.c
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

#define G_LOG_DOMAIN "test-bounce"

#include "config.h"

#include <string.h>

#include "ms-bounce.h"
#include "ms-message.h"

/* The corpus: ../shared/bounces/dev (MS_SHARED_DIR), real bounces with the
 * answers of the Sisimai project in expected.tsv.  The thresholds of issue 5. */
#define MIN_RECIPIENT 98.0
#define MIN_HARD      97.0
#define MIN_REASON    90.0

typedef struct
{
  char  *file;
  char  *recipient;
  char  *status;
  char  *reason;
  gboolean hard;
  char  *replycode;
  GStrv  recipient_alt;
  char  *reason_alt;
} Row;

static void
row_free (gpointer data)
{
  Row *row = data;

  g_free (row->file);
  g_free (row->recipient);
  g_free (row->status);
  g_free (row->reason);
  g_free (row->replycode);
  g_strfreev (row->recipient_alt);
  g_free (row->reason_alt);
  g_free (row);
}

static char *
corpus_dir (void)
{
  const char *shared = g_getenv ("MS_SHARED_DIR");

  if (shared == NULL || shared[0] == '\0')
    return NULL;
  return g_build_filename (shared, "bounces", "dev", NULL);
}

/* "<A@B>" -> "a@b" */
static char *
normalize_address (const char *address)
{
  g_autofree char *lower = g_ascii_strdown (address != NULL ? address : "", -1);
  GString *out = g_string_new (NULL);

  for (const char *p = lower; *p != '\0'; p++)
    {
      if (*p != '<' && *p != '>' && *p != ' ')
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static GPtrArray *
load_expected (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "expected.tsv", NULL);
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = g_ptr_array_new_with_free_func (row_free);

  g_file_get_contents (path, &contents, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (contents, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "file\trecipient\tstatus\treason\thard"));
  for (guint i = 1; lines[i] != NULL; i++)
    {
      g_auto(GStrv) cols = NULL;
      Row *row;

      if (lines[i][0] == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (cols), >=, 8);
      row = g_new0 (Row, 1);
      row->file = g_strdup (cols[0]);
      row->recipient = normalize_address (cols[1]);
      row->status = g_strdup (cols[2]);
      row->reason = g_strdup (cols[3]);
      row->hard = g_str_equal (cols[4], "1");
      row->replycode = g_strdup (cols[5]);
      row->recipient_alt = cols[6][0] != '\0' ? g_strsplit (cols[6], ",", -1) : g_new0 (char *, 1);
      row->reason_alt = cols[7][0] != '\0' ? g_strdup (cols[7]) : NULL;
      g_ptr_array_add (rows, row);
    }
  return rows;
}

/* The corpus uses Sisimai 5.2 names; 5.6 merged some (REASONS.md). */
static gboolean
reason_matches (const char *expected,
                const char *got)
{
  if (expected == NULL || got == NULL)
    return FALSE;
  if (g_str_equal (expected, got))
    return TRUE;
  if (g_str_equal (got, "emailtoolarge"))
    return g_str_equal (expected, "exceedlimit") || g_str_equal (expected, "mesgtoobig");
  if (g_str_equal (got, "ratelimited"))
    return g_str_equal (expected, "speeding") || g_str_equal (expected, "toomanyconn");
  return FALSE;
}

static gboolean
address_matches (const Row         *row,
                 MsBounceRecipient *got)
{
  g_autofree char *address = normalize_address (got->address);

  if (g_str_equal (row->recipient, address))
    return TRUE;
  for (guint i = 0; row->recipient_alt[i] != NULL; i++)
    {
      g_autofree char *alt = normalize_address (row->recipient_alt[i]);

      if (alt[0] != '\0' && g_str_equal (alt, address))
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  guint rows;
  guint recipient_rows;
  guint recipient_ok;
  guint hard_ok;
  guint reason_ok;
  GHashTable *confusion;   /* "expected -> got" -> count */
  GHashTable *per_reason;  /* expected reason -> rows */
  GHashTable *per_reason_ok;
} Score;

static void
count (GHashTable *table,
       const char *key)
{
  gpointer value = g_hash_table_lookup (table, key);

  g_hash_table_insert (table, g_strdup (key), GUINT_TO_POINTER (GPOINTER_TO_UINT (value) + 1));
}

/* Scores the rows of one file against what the parser found. */
static void
score_file (Score          *score,
            GPtrArray      *rows,
            MsBounceReport *report,
            gboolean        verbose)
{
  guint n = report != NULL ? report->recipients->len : 0;
  g_autofree gboolean *used = g_new0 (gboolean, MAX (n, 1));

  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = g_ptr_array_index (rows, i);
      MsBounceRecipient *got = NULL;
      const char *got_reason;
      gboolean reason_ok;
      gboolean hard_ok;

      score->rows++;
      if (row->recipient[0] != '\0')
        {
          score->recipient_rows++;
          for (guint j = 0; j < n && got == NULL; j++)
            {
              MsBounceRecipient *candidate = g_ptr_array_index (report->recipients, j);

              if (!used[j] && address_matches (row, candidate))
                {
                  got = candidate;
                  used[j] = TRUE;
                }
            }
          if (got != NULL)
            score->recipient_ok++;
        }
      else
        {
          /* No address to match (an undisclosed recipient): by position. */
          if (i < n && !used[i])
            {
              got = g_ptr_array_index (report->recipients, i);
              used[i] = TRUE;
            }
          for (guint j = 0; j < n && got == NULL; j++)
            {
              if (!used[j])
                {
                  got = g_ptr_array_index (report->recipients, j);
                  used[j] = TRUE;
                }
            }
        }

      got_reason = got != NULL && got->reason != NULL ? got->reason : "(none)";
      reason_ok = got != NULL && (reason_matches (row->reason, got->reason)
                                  || reason_matches (row->reason_alt, got->reason));
      hard_ok = got != NULL && got->hard == row->hard;
      score->reason_ok += reason_ok;
      score->hard_ok += hard_ok;
      count (score->per_reason, row->reason);
      if (reason_ok)
        count (score->per_reason_ok, row->reason);
      else
        {
          g_autofree char *key = g_strdup_printf ("%s -> %s", row->reason, got_reason);

          count (score->confusion, key);
        }

      if (verbose && (got == NULL || !reason_ok || !hard_ok))
        {
          g_print ("# %s: want %s %s %s %d | got %s %s %s %u %d | %s\n", row->file,
                   row->recipient, row->status, row->reason, row->hard,
                   got != NULL ? got->address : "-", got != NULL ? got->status : "-",
                   got_reason, got != NULL ? got->replycode : 0, got != NULL ? got->hard : 0,
                   got != NULL && got->diagnostic != NULL ? got->diagnostic : "");
          if (got == NULL)
            {
              for (guint j = 0; j < n; j++)
                {
                  MsBounceRecipient *other = g_ptr_array_index (report->recipients, j);

                  g_print ("#    found %s %s %s\n", other->address, other->status, other->reason);
                }
            }
        }
    }
}

static gint
compare_confusion (gconstpointer a,
                   gconstpointer b,
                   gpointer      table)
{
  guint ca = GPOINTER_TO_UINT (g_hash_table_lookup (table, *(const char **) a));
  guint cb = GPOINTER_TO_UINT (g_hash_table_lookup (table, *(const char **) b));

  if (ca != cb)
    return ca > cb ? -1 : 1;
  return g_strcmp0 (*(const char **) a, *(const char **) b);
}

static void
test_corpus (void)
{
  g_autofree char *dir = corpus_dir ();
  g_autofree char *expected = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) keys = NULL;
  gboolean verbose = g_getenv ("MS_BOUNCE_VERBOSE") != NULL;
  Score score = { 0, };
  double recipient, hard, reason;
  guint i = 0;

  if (dir != NULL)
    expected = g_build_filename (dir, "expected.tsv", NULL);
  if (expected == NULL || !g_file_test (expected, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("The bounce corpus (MS_SHARED_DIR/bounces/dev) is not there");
      return;
    }
  rows = load_expected (dir);
  g_assert_cmpuint (rows->len, >, 300);
  score.confusion = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  score.per_reason = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  score.per_reason_ok = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  while (i < rows->len)
    {
      Row *first = g_ptr_array_index (rows, i);
      g_autoptr(GPtrArray) file_rows = g_ptr_array_new ();
      g_autofree char *path = g_build_filename (dir, first->file, NULL);
      g_autofree char *contents = NULL;
      gsize length;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(MsBounceReport) report = NULL;
      g_autoptr(GError) error = NULL;

      while (i < rows->len && g_str_equal (((Row *) g_ptr_array_index (rows, i))->file, first->file))
        g_ptr_array_add (file_rows, g_ptr_array_index (rows, i++));

      g_file_get_contents (path, &contents, &length, &error);
      g_assert_no_error (error);
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
      report = ms_bounce_parse (bytes, &error);
      g_assert_no_error (error);
      g_assert_nonnull (report);
      score_file (&score, file_rows, report, verbose);
    }

  recipient = 100.0 * score.recipient_ok / MAX (score.recipient_rows, 1);
  hard = 100.0 * score.hard_ok / MAX (score.rows, 1);
  reason = 100.0 * score.reason_ok / MAX (score.rows, 1);
  g_test_message ("%u rows: recipient %.1f%% hard %.1f%% reason %.1f%%",
                  score.rows, recipient, hard, reason);
  g_print ("# recipient %.1f%% hard %.1f%% reason %.1f%%\n", recipient, hard, reason);

  /* The worst confusions. */
  keys = g_ptr_array_new ();
  {
    GHashTableIter iter;
    gpointer key;

    g_hash_table_iter_init (&iter, score.confusion);
    while (g_hash_table_iter_next (&iter, &key, NULL))
      g_ptr_array_add (keys, key);
  }
  g_ptr_array_sort_with_data (keys, compare_confusion, score.confusion);
  for (guint k = 0; k < keys->len && k < (verbose ? keys->len : 8); k++)
    {
      const char *key = g_ptr_array_index (keys, k);

      g_print ("#   %2u x %s\n", GPOINTER_TO_UINT (g_hash_table_lookup (score.confusion, key)), key);
    }

  g_hash_table_unref (score.confusion);
  g_hash_table_unref (score.per_reason);
  g_hash_table_unref (score.per_reason_ok);

  g_assert_cmpfloat (recipient, >=, MIN_RECIPIENT);
  g_assert_cmpfloat (hard, >=, MIN_HARD);
  g_assert_cmpfloat (reason, >=, MIN_REASON);
}

/* Messages of our own */

static MsBounceReport *
parse_text (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  MsBounceReport *report = ms_bounce_parse (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (report);
  return report;
}

static MsBounceRecipient *
recipient_at (MsBounceReport *report,
              guint           index)
{
  g_assert_cmpuint (index, <, report->recipients->len);
  return g_ptr_array_index (report->recipients, index);
}

/* Replaces every "\n" by "\r\n". */
static char *
to_crlf (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '\n')
        g_string_append_c (out, '\r');
      g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static const char postfix_dsn[] =
  "Return-Path: <>\n"
  "Date: Tue, 14 Apr 2026 10:00:02 +0200 (CEST)\n"
  "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\n"
  "Subject: Undelivered Mail Returned to Sender\n"
  "To: news@example.org\n"
  "Auto-Submitted: auto-replied\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/report; report-type=delivery-status;\n"
  "\tboundary=\"3F2A1B.1776153602/mx.example.org\"\n"
  "Message-Id: <20260414080002.3F2A1B@mx.example.org>\n"
  "\n"
  "This is a MIME-encapsulated message.\n"
  "\n"
  "--3F2A1B.1776153602/mx.example.org\n"
  "Content-Description: Notification\n"
  "Content-Type: text/plain; charset=us-ascii\n"
  "\n"
  "This is the mail system at host mx.example.org.\n"
  "\n"
  "I'm sorry to have to inform you that your message could not\n"
  "be delivered to one or more recipients. It's attached below.\n"
  "\n"
  "                   The mail system\n"
  "\n"
  "<anna@example.net>: host mx.example.net[192.0.2.10] said: 550 5.1.1\n"
  "    <anna@example.net>: Recipient address rejected: User unknown in local\n"
  "    recipient table (in reply to RCPT TO command)\n"
  "\n"
  "<Bob@Example.COM>: host mx.example.com[192.0.2.20] said: 452 4.2.2 Mailbox\n"
  "    full (in reply to RCPT TO command)\n"
  "\n"
  "--3F2A1B.1776153602/mx.example.org\n"
  "Content-Description: Delivery report\n"
  "Content-Type: message/delivery-status\n"
  "\n"
  "Reporting-MTA: dns; mx.example.org\n"
  "X-Postfix-Queue-ID: 3F2A1B\n"
  "Arrival-Date: Tue, 14 Apr 2026 09:59:58 +0200 (CEST)\n"
  "\n"
  "Final-Recipient: rfc822; anna@example.net\n"
  "Original-Recipient: rfc822;anna@example.net\n"
  "Action: failed\n"
  "Status: 5.1.1\n"
  "Remote-MTA: dns; mx.example.net\n"
  "Diagnostic-Code: smtp; 550 5.1.1 <anna@example.net>: Recipient address rejected:\n"
  "    User unknown in local recipient table\n"
  "\n"
  "Final-Recipient: rfc822; Bob@Example.COM\n"
  "Original-Recipient: rfc822;bob.alias@example.com\n"
  "Action: failed\n"
  "Status: 4.2.2\n"
  "Remote-MTA: dns; mx.example.com\n"
  "Diagnostic-Code: smtp; 452 4.2.2 Mailbox full\n"
  "\n"
  "--3F2A1B.1776153602/mx.example.org\n"
  "Content-Description: Undelivered Message Headers\n"
  "Content-Type: text/rfc822-headers\n"
  "\n"
  "From: News <news@example.org>\n"
  "To: anna@example.net\n"
  "Subject: Spring sale\n"
  "Message-ID: <0123456789abcdef0123456789abcdef@example.org>\n"
  "X-Mailshot-Campaign: spring-sale\n"
  "X-Mailshot-Delivery: spring-sale.abcdefghijklmnopqrstuvwxyz\n"
  "\n"
  "--3F2A1B.1776153602/mx.example.org--\n";

static void
check_postfix_report (MsBounceReport *report)
{
  MsBounceRecipient *anna;
  MsBounceRecipient *bob;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
  g_assert_cmpstr (ms_bounce_kind_to_string (report->kind), ==, "bounce");
  g_assert_cmpuint (report->recipients->len, ==, 2);
  g_assert_cmpstr (report->original_message_id, ==, "0123456789abcdef0123456789abcdef@example.org");
  g_assert_cmpstr (report->campaign, ==, "spring-sale");
  g_assert_cmpstr (report->delivery, ==, "spring-sale.abcdefghijklmnopqrstuvwxyz");
  g_assert_cmpstr (report->from, ==, "mailer-daemon@mx.example.org");

  anna = recipient_at (report, 0);
  g_assert_cmpstr (anna->address, ==, "anna@example.net");
  g_assert_null (anna->alias);
  g_assert_cmpstr (anna->status, ==, "5.1.1");
  g_assert_cmpuint (anna->replycode, ==, 550);
  g_assert_cmpstr (anna->reason, ==, "userunknown");
  g_assert_true (anna->hard);
  g_assert_cmpstr (anna->diagnostic, ==, "550 5.1.1 <anna@example.net>: Recipient address "
                   "rejected: User unknown in local recipient table");

  bob = recipient_at (report, 1);
  g_assert_cmpstr (bob->address, ==, "bob@example.com");
  g_assert_cmpstr (bob->alias, ==, "bob.alias@example.com");
  g_assert_cmpstr (bob->status, ==, "4.2.2");
  g_assert_cmpuint (bob->replycode, ==, 452);
  g_assert_cmpstr (bob->reason, ==, "mailboxfull");
  g_assert_false (bob->hard);
  g_assert_cmpstr (bob->diagnostic, ==, "452 4.2.2 Mailbox full");
}

static void
test_postfix_dsn (void)
{
  g_autoptr(MsBounceReport) report = parse_text (postfix_dsn);
  g_autofree char *crlf = to_crlf (postfix_dsn);
  g_autofree char *mbox = g_strconcat ("From MAILER-DAEMON  Tue Apr 14 10:00:02 2026\n",
                                       postfix_dsn, NULL);
  g_autoptr(MsBounceReport) crlf_report = parse_text (crlf);
  g_autoptr(MsBounceReport) mbox_report = parse_text (mbox);

  check_postfix_report (report);
  check_postfix_report (crlf_report);
  check_postfix_report (mbox_report);
}

static const char exim_bounce[] =
  "Return-path: <>\n"
  "Received: from mail by smtp.example.org with local (Exim 4.96)\n"
  "\tid 1wXyZa-000AbC-00\n"
  "\tfor news@example.org; Tue, 14 Apr 2026 10:00:02 +0200\n"
  "X-Failed-Recipients: ivan@example.ru\n"
  "Auto-Submitted: auto-replied\n"
  "From: Mail Delivery System <Mailer-Daemon@smtp.example.org>\n"
  "To: news@example.org\n"
  "Subject: Mail delivery failed: returning message to sender\n"
  "Message-Id: <E1wXyZa-000AbC-00@smtp.example.org>\n"
  "Date: Tue, 14 Apr 2026 10:00:02 +0200\n"
  "\n"
  "This message was created automatically by mail delivery software.\n"
  "\n"
  "A message that you sent could not be delivered to one or more of its\n"
  "recipients. This is a permanent error. The following address(es) failed:\n"
  "\n"
  "  ivan@example.ru\n"
  "    host mx.example.ru [192.0.2.30]\n"
  "    SMTP error from remote mail server after RCPT TO:<ivan@example.ru>:\n"
  "    550 5.7.1 Service unavailable; client [198.51.100.7] blocked using zen.spamhaus.org\n"
  "\n"
  "------ This is a copy of the message, including all the headers. ------\n"
  "\n"
  "Return-path: <news@example.org>\n"
  "Message-ID: <fedcba9876543210fedcba9876543210@example.org>\n"
  "From: News <news@example.org>\n"
  "To: ivan@example.ru\n"
  "Subject: Spring sale\n"
  "\n"
  "Hello Ivan\n";

static void
test_exim_text (void)
{
  g_autoptr(MsBounceReport) report = parse_text (exim_bounce);
  MsBounceRecipient *ivan;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
  g_assert_cmpuint (report->recipients->len, ==, 1);
  g_assert_cmpstr (report->original_message_id, ==, "fedcba9876543210fedcba9876543210@example.org");
  g_assert_null (report->campaign);
  ivan = recipient_at (report, 0);
  g_assert_cmpstr (ivan->address, ==, "ivan@example.ru");
  g_assert_cmpstr (ivan->status, ==, "5.7.1");
  g_assert_cmpuint (ivan->replycode, ==, 550);
  g_assert_cmpstr (ivan->reason, ==, "blocked");
  g_assert_false (ivan->hard);
  g_assert_cmpstr (ivan->diagnostic, ==, "host mx.example.ru [192.0.2.30] SMTP error from remote "
                   "mail server after RCPT TO:<ivan@example.ru>: 550 5.7.1 Service unavailable; "
                   "client [198.51.100.7] blocked using zen.spamhaus.org");
}

/* A qmail bounce: no DSN, no X-Failed-Recipients, the address in the text. */
static void
test_qmail_text (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "Return-Path: <>\n"
    "From: MAILER-DAEMON@mail.example.org\n"
    "To: news@example.org\n"
    "Subject: failure notice\n"
    "\n"
    "Hi. This is the qmail-send program at mail.example.org.\n"
    "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
    "This is a permanent error; I've given up. Sorry it didn't work out.\n"
    "\n"
    "<lena@example.de>:\n"
    "Sorry, I couldn't find any host named example.de. (#5.1.2)\n"
    "\n"
    "--- Below this line is a copy of the message.\n"
    "\n"
    "Message-ID: <abc@example.org>\n"
    "From: news@example.org\n"
    "To: lena@example.de\n"
    "\n"
    "Hallo\n");
  MsBounceRecipient *lena;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
  g_assert_cmpuint (report->recipients->len, ==, 1);
  lena = recipient_at (report, 0);
  g_assert_cmpstr (lena->address, ==, "lena@example.de");
  g_assert_cmpstr (lena->status, ==, "5.1.2");
  g_assert_cmpuint (lena->replycode, ==, 0);
  g_assert_cmpstr (lena->reason, ==, "hostunknown");
  g_assert_true (lena->hard);
  g_assert_cmpstr (report->original_message_id, ==, "abc@example.org");
}

static const char arf_report[] =
  "From: Feedback Loop <fbl@isp.example.net>\n"
  "To: abuse@example.org\n"
  "Subject: Abuse report\n"
  "Date: Tue, 14 Apr 2026 12:00:00 +0000\n"
  "MIME-Version: 1.0\n"
  "Content-Type: multipart/report; report-type=feedback-report;\n"
  "    boundary=\"part_boundary\"\n"
  "\n"
  "--part_boundary\n"
  "Content-Type: text/plain; charset=\"US-ASCII\"\n"
  "\n"
  "This is an email abuse report for an email message received from IP\n"
  "198.51.100.7 on Tue, 14 Apr 2026 10:00:00 +0000.\n"
  "\n"
  "--part_boundary\n"
  "Content-Type: message/feedback-report\n"
  "\n"
  "Feedback-Type: abuse\n"
  "User-Agent: SomeGenerator/1.0\n"
  "Version: 1\n"
  "Original-Mail-From: <news@example.org>\n"
  "Original-Rcpt-To: <maria@isp.example.net>\n"
  "Arrival-Date: Tue, 14 Apr 2026 10:00:00 +0000\n"
  "Source-IP: 198.51.100.7\n"
  "\n"
  "--part_boundary\n"
  "Content-Type: message/rfc822\n"
  "\n"
  "From: News <news@example.org>\n"
  "To: maria@isp.example.net\n"
  "Subject: Spring sale\n"
  "Message-ID: <arf-0001@example.org>\n"
  "X-Mailshot-Campaign: spring-sale\n"
  "\n"
  "Hello Maria\n"
  "--part_boundary--\n";

static void
test_arf (void)
{
  g_autoptr(MsBounceReport) report = parse_text (arf_report);
  MsBounceRecipient *maria;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_COMPLAINT);
  g_assert_cmpstr (ms_bounce_kind_to_string (report->kind), ==, "complaint");
  g_assert_cmpstr (report->feedback_type, ==, "abuse");
  g_assert_cmpstr (report->original_message_id, ==, "arf-0001@example.org");
  g_assert_cmpstr (report->campaign, ==, "spring-sale");
  g_assert_cmpuint (report->recipients->len, ==, 1);
  maria = recipient_at (report, 0);
  g_assert_cmpstr (maria->address, ==, "maria@isp.example.net");
  g_assert_cmpstr (maria->reason, ==, "feedback");
  g_assert_null (maria->status);
  g_assert_false (maria->hard);
}

static void
test_vacation (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "From: Pierre Martin <pierre@example.fr>\n"
    "To: news@example.org\n"
    "Subject: Out of office: Spring sale\n"
    "Auto-Submitted: auto-replied\n"
    "In-Reply-To: <0123456789abcdef0123456789abcdef@example.org>\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "I am on holiday until April 20th and will read your message when I am back.\n");
  MsBounceRecipient *pierre;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_AUTOREPLY);
  g_assert_cmpstr (ms_bounce_kind_to_string (report->kind), ==, "autoreply");
  g_assert_cmpuint (report->recipients->len, ==, 1);
  pierre = recipient_at (report, 0);
  g_assert_cmpstr (pierre->address, ==, "pierre@example.fr");
  g_assert_cmpstr (pierre->reason, ==, "vacation");
  g_assert_false (pierre->hard);
  g_assert_null (pierre->status);
}

static char *
unsubscribe_mail (const char *from,
                  const char *token)
{
  return g_strdup_printf ("From: %s\n"
                          "To: unsubscribe@example.org\n"
                          "Subject: unsubscribe %s\n"
                          "Date: Tue, 14 Apr 2026 12:00:00 +0000\n"
                          "Content-Type: text/plain\n"
                          "\n"
                          "\n", from, token);
}

static void
test_unsubscribe (void)
{
  g_autofree char *token = ms_message_unsubscribe_token (NULL, "spring-sale", "anna@example.net");
  g_autofree char *other = ms_message_unsubscribe_token (NULL, "spring-sale", "bob@example.com");
  g_autofree char *forged = g_strdup (token);
  g_autofree char *valid_mail = unsubscribe_mail ("Anna <Anna@Example.NET>", token);
  g_autofree char *forged_mail = NULL;
  g_autofree char *other_mail = unsubscribe_mail ("anna@example.net", other);
  g_autoptr(MsBounceReport) valid = parse_text (valid_mail);
  g_autoptr(MsBounceReport) bad = NULL;
  g_autoptr(MsBounceReport) wrong = parse_text (other_mail);
  g_autofree char *campaign = NULL;
  char *last = forged + strlen (forged) - 1;

  /* Another last character: well-formed, but not the MAC of the address. */
  *last = *last == 'a' ? 'b' : 'a';
  forged_mail = unsubscribe_mail ("anna@example.net", forged);
  bad = parse_text (forged_mail);

  g_assert_cmpint (valid->kind, ==, MS_BOUNCE_KIND_UNSUBSCRIBE);
  g_assert_cmpstr (ms_bounce_kind_to_string (valid->kind), ==, "unsubscribe");
  g_assert_cmpstr (valid->unsubscribe_token, ==, token);
  g_assert_cmpstr (valid->from, ==, "anna@example.net");
  g_assert_cmpuint (valid->recipients->len, ==, 1);
  g_assert_cmpstr (recipient_at (valid, 0)->address, ==, "anna@example.net");
  g_assert_null (recipient_at (valid, 0)->reason);
  g_assert_true (ms_bounce_report_verify_unsubscribe (valid, NULL, NULL, &campaign));
  g_assert_cmpstr (campaign, ==, "spring-sale");
  g_clear_pointer (&campaign, g_free);
  /* Under another secret the token is not ours. */
  g_assert_false (ms_bounce_report_verify_unsubscribe (valid, "another secret", NULL, NULL));

  g_assert_cmpint (bad->kind, ==, MS_BOUNCE_KIND_UNSUBSCRIBE);
  g_assert_cmpstr (bad->unsubscribe_token, ==, forged);
  g_assert_false (ms_bounce_report_verify_unsubscribe (bad, NULL, NULL, &campaign));
  g_assert_cmpstr (campaign, ==, "spring-sale");
  g_clear_pointer (&campaign, g_free);

  /* Bob's token sent by Anna: valid for Bob only. */
  g_assert_cmpint (wrong->kind, ==, MS_BOUNCE_KIND_UNSUBSCRIBE);
  g_assert_false (ms_bounce_report_verify_unsubscribe (wrong, NULL, NULL, NULL));
  g_assert_true (ms_bounce_report_verify_unsubscribe (wrong, NULL, "bob@example.com", NULL));
}

/* An Amazon SES bounce notification through SNS: JSON in a JSON string. */
static void
test_ses_json (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "From: AWS Notifications <no-reply@sns.amazonaws.com>\n"
    "To: news@example.org\n"
    "Subject: AWS Notification Message\n"
    "Content-Type: text/plain; charset=UTF-8\n"
    "\n"
    "{\"Type\":\"Notification\",\"Message\":\"{\\\"notificationType\\\":\\\"Bounce\\\","
    "\\\"bounce\\\":{\\\"bounceType\\\":\\\"Permanent\\\",\\\"bouncedRecipients\\\":"
    "[{\\\"emailAddress\\\":\\\"anna@example.net\\\",\\\"action\\\":\\\"failed\\\","
    "\\\"status\\\":\\\"5.1.1\\\",\\\"diagnosticCode\\\":\\\"smtp; 550 5.1.1 user unknown\\\"}]},"
    "\\\"mail\\\":{\\\"headers\\\":[{\\\"name\\\":\\\"Message-ID\\\",\\\"value\\\":"
    "\\\"<ses-1@example.org>\\\"},{\\\"name\\\":\\\"X-Mailshot-Campaign\\\",\\\"value\\\":"
    "\\\"spring-sale\\\"}]}}\"}\n");
  MsBounceRecipient *anna;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
  g_assert_cmpuint (report->recipients->len, ==, 1);
  anna = recipient_at (report, 0);
  g_assert_cmpstr (anna->address, ==, "anna@example.net");
  g_assert_cmpstr (anna->status, ==, "5.1.1");
  g_assert_cmpuint (anna->replycode, ==, 550);
  g_assert_cmpstr (anna->reason, ==, "userunknown");
  g_assert_true (anna->hard);
  g_assert_cmpstr (anna->diagnostic, ==, "550 5.1.1 user unknown");
  g_assert_cmpstr (report->original_message_id, ==, "ses-1@example.org");
  g_assert_cmpstr (report->campaign, ==, "spring-sale");
}

static void
test_delivered (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "From: MAILER-DAEMON@mx.example.org\n"
    "To: news@example.org\n"
    "Subject: Successful Mail Delivery Report\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "\n"
    "Your message was successfully delivered to the destination(s) listed below.\n"
    "--b\n"
    "Content-Type: message/delivery-status\n"
    "\n"
    "Reporting-MTA: dns; mx.example.org\n"
    "\n"
    "Final-Recipient: rfc822; anna@example.net\n"
    "Action: relayed\n"
    "Status: 2.0.0\n"
    "Diagnostic-Code: smtp; 250 2.0.0 Ok: queued as 4F1A\n"
    "--b--\n");

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_OTHER);
  g_assert_cmpuint (report->recipients->len, ==, 1);
  g_assert_cmpstr (recipient_at (report, 0)->reason, ==, "delivered");
  g_assert_cmpstr (recipient_at (report, 0)->status, ==, "2.0.0");
  g_assert_cmpuint (recipient_at (report, 0)->replycode, ==, 250);
  g_assert_false (recipient_at (report, 0)->hard);
}

/* A Japanese bounce in ISO-2022-JP, the reason only in the English part. */
static void
test_charsets (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "From: MAILER-DAEMON@mx.example.jp\n"
    "To: news@example.org\n"
    "Subject: =?ISO-2022-JP?B?GyRCR1s/LiRHJC0kXiQ7JHMkRyQ3JD8hIxsoQg==?=\n"
    "MIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=ISO-2022-JP\n"
    "\n"
    "\x1b$B%a!<%k$rG[?.$G$-$^$;$s$G$7$?!#\x1b(B\n"
    "\n"
    "<taro@example.jp>: 552 5.2.2 Mailbox full\n");

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
  g_assert_cmpuint (report->recipients->len, ==, 1);
  g_assert_cmpstr (recipient_at (report, 0)->address, ==, "taro@example.jp");
  g_assert_cmpstr (recipient_at (report, 0)->reason, ==, "mailboxfull");
  g_assert_true (g_utf8_validate (report->subject, -1, NULL));
  g_assert_true (g_str_has_prefix (report->subject, "配信"));
}

/* The same bounce in other charsets: declared, misdeclared and undeclared. */
static void
test_more_charsets (void)
{
  static const struct { const char *charset; const char *words; const char *expected; } cases[] = {
    { "windows-1251", "\xcf\xee\xeb\xfc\xe7\xee\xe2\xe0\xf2\xe5\xeb\xfc\x20\xed\xe5\x20"
      "\xed\xe0\xe9\xe4\xe5\xed", "Пользователь не найден" },
    { "utf-7", "+BB8EPgQ7BEwENwQ+BDIEMARCBDUEOwRM +BD0ENQ +BD0EMAQ5BDQENQQ9-",
      "Пользователь не найден" },
    { "Shift_JIS", "\x83\x86\x81\x5b\x83\x55\x82\xaa\x8c\xa9\x82\xc2\x82\xa9\x82\xe8"
      "\x82\xdc\x82\xb9\x82\xf1", "ユーザが見つかりません" },
    { "x-no-such-charset", "caf\xe9", "caf" },
    { NULL, "\x83\x86\x81\x5b\x83\x55\x82\xaa\x8c\xa9\x82\xc2\x82\xa9\x82\xe8\x82\xdc"
      "\x82\xb9\x82\xf1", "ユーザが見つかりません" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *content_type = cases[i].charset != NULL
        ? g_strdup_printf ("Content-Type: text/plain; charset=%s\n", cases[i].charset)
        : g_strdup ("");
      g_autofree char *text = g_strdup_printf ("From: MAILER-DAEMON@mx.example.ru\n"
                                               "To: news@example.org\n"
                                               "Subject: Undelivered Mail Returned to Sender\n"
                                               "MIME-Version: 1.0\n"
                                               "%s"
                                               "\n"
                                               "<oleg@example.ru>: 550 5.1.1 %s\n",
                                               content_type, cases[i].words);
      g_autoptr(MsBounceReport) report = parse_text (text);
      MsBounceRecipient *oleg;

      g_test_message ("charset %s", cases[i].charset);
      g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_BOUNCE);
      g_assert_cmpuint (report->recipients->len, ==, 1);
      oleg = recipient_at (report, 0);
      g_assert_cmpstr (oleg->address, ==, "oleg@example.ru");
      g_assert_cmpstr (oleg->status, ==, "5.1.1");
      g_assert_cmpstr (oleg->reason, ==, "userunknown");
      g_assert_true (g_utf8_validate (oleg->diagnostic, -1, NULL));
      g_assert_nonnull (strstr (oleg->diagnostic, cases[i].expected));
    }
}

static void
test_not_a_bounce (void)
{
  g_autoptr(MsBounceReport) report = parse_text (
    "From: Anna <anna@example.net>\n"
    "To: news@example.org\n"
    "Subject: Re: Spring sale\n"
    "\n"
    "Thanks, can you tell me more about the offer? Write to anna.work@example.net.\n");
  g_autoptr(GBytes) empty = g_bytes_new ("", 0);
  g_autoptr(GError) error = NULL;
  MsBounceReport *none;

  g_assert_cmpint (report->kind, ==, MS_BOUNCE_KIND_OTHER);
  g_assert_cmpuint (report->recipients->len, ==, 0);

  none = ms_bounce_parse (empty, &error);
  g_assert_null (none);
  g_assert_error (error, MS_BOUNCE_ERROR, MS_BOUNCE_ERROR_EMPTY);
}

/* Untrusted input: garbage, a huge body, deep nesting; no crash, bounded work. */
static void
test_hostile (void)
{
  static const char *const pieces[] = {
    "Content-Type: multipart/mixed; boundary=x\n\n--x\n",
    "Content-Type: message/rfc822\n\n",
    "Final-Recipient: rfc822; a@b.example\nStatus: 5.1.1\n\n",
  };
  GString *nested = g_string_new ("From: MAILER-DAEMON@example.org\nSubject: Undelivered\n");
  g_autofree char *huge = g_malloc (8 * 1024 * 1024 + 1);
  const char *filler = "a@b.example 550 5.1.1 <x@y.example>: user unknown \n";
  const char *header = "From: MAILER-DAEMON@x.example\nSubject: failure notice\n\n";
  gint64 start;

  for (guint i = 0; i < 300; i++)
    g_string_append (nested, pieces[i % G_N_ELEMENTS (pieces)]);
  {
    g_autoptr(MsBounceReport) report = parse_text (nested->str);

    g_assert_nonnull (report);
  }
  g_string_free (nested, TRUE);

  /* 8 MiB of one line of addresses and codes. */
  for (gsize i = 0; i < 8 * 1024 * 1024; i++)
    huge[i] = filler[i % strlen (filler)];
  huge[8 * 1024 * 1024] = '\0';
  memcpy (huge, header, strlen (header));
  start = g_get_monotonic_time ();
  {
    g_autoptr(MsBounceReport) report = parse_text (huge);

    g_assert_nonnull (report);
    g_assert_cmpuint (report->recipients->len, <=, 1000);
  }
  g_test_message ("8 MiB parsed in %.2f s", (g_get_monotonic_time () - start) / 1e6);

  /* A DSN field name in the middle of a line once looped for ever. */
  {
    g_autoptr(MsBounceReport) report = parse_text ("From: MAILER-DAEMON@x.example\n"
                                                   "Subject: failure notice\n\n"
                                                   "xOriginal-Recipient: a@b.example\n");

    g_assert_nonnull (report);
  }

  for (guint i = 0; i < 256; i++)
    {
      guint8 bytes[512];
      g_autoptr(GBytes) data = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(MsBounceReport) report = NULL;

      for (guint j = 0; j < sizeof bytes; j++)
        bytes[j] = (guint8) g_test_rand_int_range (0, 256);
      data = g_bytes_new (bytes, sizeof bytes);
      report = ms_bounce_parse (data, &error);
      g_assert_true (report != NULL || error != NULL);
    }
}

static void
test_reason_words (void)
{
  g_assert_true (ms_bounce_reason_is_hard ("userunknown", "5.1.1"));
  g_assert_true (ms_bounce_reason_is_hard ("hostunknown", NULL));
  g_assert_true (ms_bounce_reason_is_hard ("notaccept", "5.1.10"));
  g_assert_false (ms_bounce_reason_is_hard ("notaccept", "4.0.0"));
  g_assert_false (ms_bounce_reason_is_hard ("mailboxfull", "5.2.2"));
  g_assert_false (ms_bounce_reason_is_hard (NULL, NULL));
  g_assert_cmpstr (ms_bounce_reason_describe ("mailboxfull"), ==, "The mailbox is full");
  g_assert_cmpstr (ms_bounce_reason_describe ("no-such-reason"), ==, "Unknown reason");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bounce/postfix-dsn", test_postfix_dsn);
  g_test_add_func ("/bounce/exim-text", test_exim_text);
  g_test_add_func ("/bounce/qmail-text", test_qmail_text);
  g_test_add_func ("/bounce/arf", test_arf);
  g_test_add_func ("/bounce/vacation", test_vacation);
  g_test_add_func ("/bounce/unsubscribe", test_unsubscribe);
  g_test_add_func ("/bounce/ses-json", test_ses_json);
  g_test_add_func ("/bounce/delivered", test_delivered);
  g_test_add_func ("/bounce/charsets", test_charsets);
  g_test_add_func ("/bounce/more-charsets", test_more_charsets);
  g_test_add_func ("/bounce/not-a-bounce", test_not_a_bounce);
  g_test_add_func ("/bounce/hostile", test_hostile);
  g_test_add_func ("/bounce/reason-words", test_reason_words);
  g_test_add_func ("/bounce/corpus", test_corpus);

  return g_test_run ();
}

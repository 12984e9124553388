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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/bounce/corpus", test_corpus);

  return g_test_run ();
}

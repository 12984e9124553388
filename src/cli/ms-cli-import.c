/* ms-cli-import.c
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

#define G_LOG_DOMAIN "mailshot-cli"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "ms-cli.h"
#include "ms-importer.h"

/* `contacts import`: the import runs on a worker thread with its own database
 * connection while the main thread waits in a main loop for SIGINT/SIGTERM,
 * which cancel it through the GCancellable.  Every batch the importer has
 * committed stays. */

#define PROGRESS_INTERVAL_USEC (G_USEC_PER_SEC / 5)

typedef struct
{
  /* set before the worker starts, then read-only */
  char              *db_path;
  GFile             *file;
  char              *display_name;
  MsImportOptions    options;
  gboolean           show_progress;    /* standard error is a terminal */
  GCancellable      *cancellable;

  /* worker only */
  gboolean           progress_visible;
  gint64             progress_time;
  int                progress_percent;

  /* written by the worker, read by the main thread after the join */
  MsImportResult    *result;
  MsImportResult    *partial;          /* what an interrupted import kept */
  GError            *error;

  /* main thread only */
  GMainLoop         *loop;
  guint              sigint_id;
  guint              sigterm_id;
  int                signal;
} ImportJob;

static void
clear_progress (ImportJob *job)
{
  if (!job->progress_visible)
    return;
  fputs ("\r\033[K", stderr);
  fflush (stderr);
  job->progress_visible = FALSE;
}

static void
on_import_progress (guint64  bytes_done,
                    guint64  bytes_total,
                    guint64  rows_done,
                    gpointer user_data)
{
  ImportJob *job = user_data;
  g_autofree char *rows = NULL;
  gint64 now;
  int percent;

  if (!job->show_progress)
    return;
  now = g_get_monotonic_time ();
  percent = bytes_total > 0 ? (int) MIN (100, bytes_done * 100 / bytes_total) : -1;
  if (job->progress_visible && percent == job->progress_percent
      && now - job->progress_time < PROGRESS_INTERVAL_USEC)
    return;
  job->progress_time = now;
  job->progress_percent = percent;

  rows = g_strdup_printf ("%" PRIu64, rows_done);
  fputs ("\r\033[K", stderr);
  if (percent >= 0)
    /* TRANSLATORS: a progress line; %s is a file name, %d a percentage, the last %s a number */
    fprintf (stderr, _("Importing “%s”: %d %% (%s rows)"), job->display_name, percent, rows);
  else
    /* TRANSLATORS: a progress line; the first %s is a file name, the second a number */
    fprintf (stderr, _("Importing “%s”: %s rows"), job->display_name, rows);
  fflush (stderr);
  job->progress_visible = TRUE;
}

static void
on_import_rejected (const MsImportRejection *rejection,
                    gpointer                 user_data)
{
  ImportJob *job = user_data;

  clear_progress (job);
  /* TRANSLATORS: a rejected row of an imported file; %u is its line number, %s the reason */
  fprintf (stderr, _("line %u: %s"), rejection->line, rejection->reason);
  fputc ('\n', stderr);
}

static gboolean
quit_loop_cb (gpointer user_data)
{
  ImportJob *job = user_data;

  g_main_loop_quit (job->loop);
  return G_SOURCE_REMOVE;
}

static gpointer
import_worker (gpointer user_data)
{
  ImportJob *job = user_data;
  g_autoptr(MsStore) store = ms_store_open (job->db_path, &job->error);

  if (store != NULL)
    job->result = ms_import_csv_sync_with_partial (store, job->file, &job->options,
                                                   on_import_progress, on_import_rejected, job,
                                                   &job->partial, job->cancellable, &job->error);
  clear_progress (job);
  fflush (stderr);
  /* Not g_main_context_invoke(): when the main thread has not entered its loop
   * yet, that would quit the loop here, before it runs, and it would never end. */
  g_idle_add (quit_loop_cb, job);
  return NULL;
}

static gboolean
on_signal (ImportJob *job,
           int        signum)
{
  job->signal = signum;
  g_cancellable_cancel (job->cancellable);
  /* With the source gone the default action comes back: a second Ctrl+C ends
   * the program at once. */
  if (signum == SIGINT)
    job->sigint_id = 0;
  else
    job->sigterm_id = 0;
  return G_SOURCE_REMOVE;
}

static gboolean
on_sigint_cb (gpointer user_data)
{
  return on_signal (user_data, SIGINT);
}

static gboolean
on_sigterm_cb (gpointer user_data)
{
  return on_signal (user_data, SIGTERM);
}

static void
run_job (ImportJob *job)
{
  GThread *thread;

  job->loop = g_main_loop_new (NULL, FALSE);
  job->sigint_id = g_unix_signal_add (SIGINT, on_sigint_cb, job);
  job->sigterm_id = g_unix_signal_add (SIGTERM, on_sigterm_cb, job);

  thread = g_thread_new ("import", import_worker, job);
  g_main_loop_run (job->loop);
  g_thread_join (thread);

  g_clear_handle_id (&job->sigint_id, g_source_remove);
  g_clear_handle_id (&job->sigterm_id, g_source_remove);
  g_clear_pointer (&job->loop, g_main_loop_unref);
}

/* Option parsing */

static gboolean
parse_delimiter (const char *text,
                 gunichar   *out)
{
  if (text == NULL || g_str_equal (text, "auto"))
    *out = 0;
  else if (g_str_equal (text, "tab") || g_str_equal (text, "\\t") || g_str_equal (text, "\t"))
    *out = '\t';
  else if (g_str_equal (text, ",") || g_str_equal (text, ";") || g_str_equal (text, "|"))
    *out = (gunichar) text[0];
  else
    return FALSE;
  return TRUE;
}

static gboolean
check_encoding (const char *name)
{
  GIConv conv;

  conv = g_iconv_open ("UTF-8", name);
  if (conv == (GIConv) -1)
    return FALSE;
  g_iconv_close (conv);
  return TRUE;
}

/* Returns an exit code for a bad option, or -1. */
static int
parse_options (MsCli           *cli,
               const MsCliArgs *args,
               MsImportOptions *options)
{
  const char *delimiter = ms_cli_args_get_option (args, "delimiter");
  const char *encoding = ms_cli_args_get_option (args, "encoding");
  const char *policy = ms_cli_args_get_option (args, "on-duplicate");
  const char *list = ms_cli_args_get_option (args, "list");

  if (!parse_delimiter (delimiter, &options->delimiter))
    return ms_cli_usage_error (cli, _("“%s” is not a delimiter: use auto, “,”, “;”, tab or “|”."),
                               delimiter);

  if (encoding != NULL && !g_str_equal (encoding, "auto"))
    {
      if (!check_encoding (encoding))
        return ms_cli_usage_error (cli, _("Unknown encoding “%s”."), encoding);
      options->encoding = encoding;
    }

  if (policy == NULL || g_str_equal (policy, "update"))
    options->on_duplicate = MS_DUPLICATE_UPDATE;
  else if (g_str_equal (policy, "skip"))
    options->on_duplicate = MS_DUPLICATE_SKIP;
  else
    return ms_cli_usage_error (cli, _("“%s” is not a duplicate policy: use update or skip."),
                               policy);

  if (list != NULL)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (list));

      if (stripped[0] == '\0')
        return ms_cli_usage_error (cli, "%s", _("A list needs a name."));
      options->list_name = list;
    }
  return -1;
}

/* Output */

static char *
dup_delimiter_text (gunichar delimiter)
{
  char buf[8] = { 0 };

  g_unichar_to_utf8 (delimiter, buf);
  return g_strdup (buf);
}

static char *
dup_delimiter_label (gunichar delimiter)
{
  g_autofree char *text = NULL;

  if (delimiter == '\t')
    return g_strdup (_("tab"));
  if (delimiter == 0)
    return g_strdup (_("none"));
  text = dup_delimiter_text (delimiter);
  return g_strdup_printf ("“%s”", text);
}

static void
print_result_json (MsCli                *cli,
                   const MsImportResult *result,
                   const char           *list_name)
{
  g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);
  g_autofree char *delimiter = dup_delimiter_text (result->delimiter);

  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "imported");
  ms_json_writer_int (writer, (gint64) result->imported);
  ms_json_writer_key (writer, "updated");
  ms_json_writer_int (writer, (gint64) result->updated);
  ms_json_writer_key (writer, "skipped");
  ms_json_writer_int (writer, (gint64) result->skipped);
  ms_json_writer_key (writer, "rejected");
  ms_json_writer_int (writer, (gint64) result->rejected);
  ms_json_writer_key (writer, "encoding");
  ms_json_writer_string (writer, result->encoding);
  ms_json_writer_key (writer, "delimiter");
  ms_json_writer_string (writer, delimiter);
  ms_json_writer_key (writer, "list");
  ms_json_writer_string (writer, list_name);
  ms_json_writer_key (writer, "rejections");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; result->rejections != NULL && i < result->rejections->len; i++)
    {
      const MsImportRejection *rejection = g_ptr_array_index (result->rejections, i);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "line");
      ms_json_writer_int (writer, rejection->line);
      ms_json_writer_key (writer, "reason");
      ms_json_writer_string (writer, rejection->reason);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
  ms_json_writer_end_object (writer);
  ms_cli_print_json (cli, writer);
}

static void
print_result_text (MsCli                *cli,
                   const MsImportResult *result,
                   const char           *list_name)
{
  g_autofree char *imported = g_strdup_printf ("%" PRIu64, result->imported);
  g_autofree char *updated = g_strdup_printf ("%" PRIu64, result->updated);
  g_autofree char *skipped = g_strdup_printf ("%" PRIu64, result->skipped);
  g_autofree char *rejected = g_strdup_printf ("%" PRIu64, result->rejected);
  g_autofree char *delimiter = dup_delimiter_label (result->delimiter);

  /* TRANSLATORS: each %s is a number of rows */
  ms_cli_print (cli, _("Imported %s, updated %s, skipped %s, rejected %s"),
                imported, updated, skipped, rejected);
  ms_cli_write (cli, "\n", 1);
  /* TRANSLATORS: the first %s is an encoding such as WINDOWS-1252, the second a delimiter */
  ms_cli_print (cli, _("Encoding: %s, delimiter: %s"),
                result->encoding != NULL ? result->encoding : "?", delimiter);
  ms_cli_write (cli, "\n", 1);
  if (list_name != NULL)
    {
      ms_cli_print (cli, _("List: %s"), list_name);
      ms_cli_write (cli, "\n", 1);
    }
}

static gint64
count_contacts (MsStore *store)
{
  MsContactQuery query = MS_CONTACT_QUERY_INIT;

  return ms_store_count_contacts (store, &query, NULL);
}

/* What the committed batches did: the importer tells, or else the count of
 * contacts tells how many are new. */
static int
report_interruption (MsCli     *cli,
                     ImportJob *job,
                     MsStore   *store,
                     gint64     count_before)
{
  const MsImportResult *partial = job->partial;
  g_autofree char *saved = NULL;

  if (partial != NULL)
    saved = g_strdup_printf ("%" PRIu64, partial->imported);
  else
    saved = g_strdup_printf ("%" PRId64, MAX (count_contacts (store) - count_before, 0));

  ms_cli_message (_("The import was interrupted. %s new contacts from the rows read so far "
                    "were saved; the rest of the file was not imported."),
                  saved);
  if (partial != NULL)
    {
      g_autofree char *updated = g_strdup_printf ("%" PRIu64, partial->updated);
      g_autofree char *skipped = g_strdup_printf ("%" PRIu64, partial->skipped);
      g_autofree char *rejected = g_strdup_printf ("%" PRIu64, partial->rejected);

      /* TRANSLATORS: each %s is a number of rows */
      ms_cli_message (_("Imported %s, updated %s, skipped %s, rejected %s"),
                      saved, updated, skipped, rejected);
    }
  return 128 + job->signal;
}

int
ms_cli_run_contacts_import (MsCli           *cli,
                            const MsCliArgs *args)
{
  const char *path = ms_cli_args_get_positional (args, 0);
  g_autoptr(GError) error = NULL;
  ImportJob job = { 0 };
  MsStore *store;
  gint64 count_before;
  int exit_code;

  if ((exit_code = parse_options (cli, args, &job.options)) >= 0)
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  count_before = count_contacts (store);

  job.db_path = g_strdup (ms_store_get_path (store));
  job.file = g_file_new_for_commandline_arg (path);
  job.display_name = g_filename_display_basename (path);
  job.show_progress = isatty (STDERR_FILENO);
  job.progress_percent = -1;
  job.cancellable = g_cancellable_new ();

  run_job (&job);

  /* A signal that came after the last row changes nothing. */
  if (job.result == NULL && job.signal != 0)
    exit_code = report_interruption (cli, &job, store, count_before);
  else if (job.result == NULL)
    exit_code = ms_cli_fail (cli, job.error);
  else
    {
      if (ms_cli_get_json (cli))
        print_result_json (cli, job.result, job.options.list_name);
      else
        print_result_text (cli, job.result, job.options.list_name);
      exit_code = MS_CLI_EXIT_OK;
    }

  g_clear_pointer (&job.result, ms_import_result_free);
  g_clear_pointer (&job.partial, ms_import_result_free);
  g_clear_error (&job.error);
  g_clear_object (&job.cancellable);
  g_clear_object (&job.file);
  g_free (job.display_name);
  g_free (job.db_path);
  return exit_code;
}

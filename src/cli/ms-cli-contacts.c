/* ms-cli-contacts.c
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

#include <errno.h>
#include <gio/gunixoutputstream.h>
#include <glib/gi18n.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ms-cli.h"
#include "ms-importer.h"

typedef struct
{
  MsCli        *cli;
  MsJsonWriter *writer;
  gint64        limit;       /* -1: no limit */
  gint64        count;
} ListJob;

/* Fills @query from --list and --status; returns an exit code or -1 to go on. */
static int
build_query (MsCli           *cli,
             const MsCliArgs *args,
             MsStore         *store,
             MsContactQuery  *query)
{
  const char *list_name = ms_cli_args_get_option (args, "list");
  const char *status = ms_cli_args_get_option (args, "status");
  g_autoptr(GError) error = NULL;

  if (status != NULL)
    {
      MsContactStatus value;
      int exit_code;

      if (!ms_cli_parse_status (cli, status, &value, &exit_code))
        return exit_code;
      query->status = (int) value;
    }
  if (list_name != NULL)
    {
      g_autoptr(MsContactList) list = ms_store_find_list (store, list_name, &error);

      if (list == NULL)
        return ms_cli_fail (cli, error);
      query->list_id = ms_contact_list_get_id (list);
    }
  query->search = ms_cli_args_get_option (args, "search");
  return -1;
}

static gboolean
parse_limit (const char *text,
             gint64     *out_limit)
{
  guint64 value;

  if (!g_ascii_string_to_unsigned (text, 10, 0, G_MAXINT64, &value, NULL))
    return FALSE;
  *out_limit = (gint64) value;
  return TRUE;
}

/* A status that is not known yet is a usage error (2), checked before the
 * database is opened so that a typo never creates one. */
static int
check_status_option (MsCli           *cli,
                     const MsCliArgs *args)
{
  const char *status = ms_cli_args_get_option (args, "status");
  MsContactStatus value;
  int exit_code;

  if (status != NULL && !ms_cli_parse_status (cli, status, &value, &exit_code))
    return exit_code;
  return -1;
}

static MsContact *
find_contact (MsStore     *store,
              const char  *text,
              GError     **error)
{
  g_autofree char *address = ms_cli_normalize_address (text, error);

  if (address == NULL)
    return NULL;
  return ms_store_find_contact (store, address, error);
}

/* Tabs and line breaks would break the columns of the plain listing. */
static char *
dup_cell (const char *text)
{
  char *cell = g_strdup (text != NULL ? text : "");

  for (char *p = cell; *p != '\0'; p++)
    {
      if (*p == '\t' || *p == '\n' || *p == '\r')
        *p = ' ';
    }
  return cell;
}

static gboolean
print_contact_cb (MsContact *contact,
                  gpointer   user_data)
{
  ListJob *job = user_data;

  if (job->limit >= 0 && job->count >= job->limit)
    return FALSE;
  job->count++;

  if (job->writer != NULL)
    {
      g_autofree char *text = NULL;

      ms_cli_write (job->cli, job->count == 1 ? "\n" : ",\n", -1);
      ms_cli_write_contact_json (job->writer, contact);
      text = ms_json_writer_steal_string (job->writer);
      ms_cli_write (job->cli, text, -1);
    }
  else
    {
      g_autofree char *email = dup_cell (ms_contact_get_email (contact));
      g_autofree char *display = ms_contact_dup_display_name (contact);
      g_autofree char *name = dup_cell (display);

      ms_cli_print (job->cli, "%s\t%s\t%s\n", email, name,
                    ms_contact_status_to_string (ms_contact_get_status (contact)));
    }
  return !ms_cli_output_closed (job->cli);
}

static int
run_list (MsCli           *cli,
          const MsCliArgs *args)
{
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  g_autoptr(MsJsonWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  const char *limit = ms_cli_args_get_option (args, "limit");
  ListJob job = { cli, NULL, -1, 0 };
  MsStore *store;
  int exit_code;

  if (limit != NULL && !parse_limit (limit, &job.limit))
    return ms_cli_usage_error (cli, _("“%s” is not a valid number of contacts."), limit);
  if ((exit_code = check_status_option (cli, args)) >= 0)
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  if ((exit_code = build_query (cli, args, store, &query)) >= 0)
    return exit_code;

  if (ms_cli_get_json (cli))
    {
      job.writer = writer = ms_json_writer_new (FALSE);
      ms_cli_write (cli, "[", -1);
    }
  if (job.limit != 0 && !ms_store_foreach_contact (store, &query, print_contact_cb, &job, &error))
    return ms_cli_fail (cli, error);
  if (writer != NULL)
    ms_cli_write (cli, job.count > 0 ? "\n]\n" : "]\n", -1);
  return MS_CLI_EXIT_OK;
}

static char *
format_time (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local (unix_time);

  return dt != NULL ? g_date_time_format (dt, "%Y-%m-%d %H:%M:%S") : g_strdup ("?");
}

static void
print_contact_text (MsCli     *cli,
                    MsContact *contact)
{
  const char *fields[][2] = {
    { N_("Email"), ms_contact_get_email (contact) },
    { N_("Name"), ms_contact_get_name (contact) },
    { N_("First name"), ms_contact_get_first_name (contact) },
    { N_("Last name"), ms_contact_get_last_name (contact) },
  };
  MsContactStatus status = ms_contact_get_status (contact);
  const char *reason = ms_contact_get_status_reason (contact);
  g_auto(GStrv) names = ms_contact_dup_field_names (contact);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      if (fields[i][1] != NULL && fields[i][1][0] != '\0')
        ms_cli_print (cli, "%s: %s\n", _(fields[i][0]), fields[i][1]);
    }
  ms_cli_print (cli, "%s: %s", _("Status"), ms_contact_status_to_label (status));
  if (reason != NULL && reason[0] != '\0')
    ms_cli_print (cli, " (%s)", reason);
  if (ms_contact_get_status_time (contact) > 0)
    {
      g_autofree char *when = format_time (ms_contact_get_status_time (contact));

      /* TRANSLATORS: %s is a date and time */
      ms_cli_write (cli, " ", 1);
      ms_cli_print (cli, _("since %s"), when);
    }
  ms_cli_write (cli, "\n", 1);
  for (guint i = 0; names[i] != NULL; i++)
    ms_cli_print (cli, "%s: %s\n", names[i], ms_contact_get_field (contact, names[i]));
}

static void
print_contact (MsCli     *cli,
               MsContact *contact)
{
  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_cli_write_contact_json (writer, contact);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      print_contact_text (cli, contact);
    }
}

static int
run_show (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(MsContact) contact = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  contact = find_contact (store, ms_cli_args_get_positional (args, 0), &error);
  if (contact == NULL)
    return ms_cli_fail (cli, error);
  print_contact (cli, contact);
  return MS_CLI_EXIT_OK;
}

static int
run_set_status (MsCli           *cli,
                const MsCliArgs *args)
{
  g_autoptr(MsContact) contact = NULL;
  g_autoptr(MsContact) updated = NULL;
  g_autoptr(GError) error = NULL;
  MsContactStatus status;
  MsStore *store;
  gint64 id;
  int exit_code;

  if (!ms_cli_parse_status (cli, ms_cli_args_get_positional (args, 1), &status, &exit_code))
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  contact = find_contact (store, ms_cli_args_get_positional (args, 0), &error);
  if (contact == NULL)
    return ms_cli_fail (cli, error);

  id = ms_contact_get_id (contact);
  if (!ms_store_set_contacts_status (store, &id, 1, status, ms_cli_args_get_option (args, "reason"),
                                     &error)
      || !(updated = ms_store_get_contact (store, id, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    print_contact (cli, updated);
  else
    ms_cli_print (cli, _("“%s” is now: %s\n"), ms_contact_get_email (updated),
                  ms_contact_status_to_label (ms_contact_get_status (updated)));
  return MS_CLI_EXIT_OK;
}

static int
compare_ids (gconstpointer a,
             gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Sorts @ids and drops repeated ones (an address given twice). */
static void
unique_ids (GArray *ids)
{
  guint kept = 0;

  g_array_sort (ids, compare_ids);
  for (guint i = 0; i < ids->len; i++)
    {
      if (kept == 0 || g_array_index (ids, gint64, kept - 1) != g_array_index (ids, gint64, i))
        g_array_index (ids, gint64, kept++) = g_array_index (ids, gint64, i);
    }
  g_array_set_size (ids, kept);
}

static int
run_delete (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);

  /* Every address must name a contact before anything is deleted. */
  for (guint i = 0; i < ms_cli_args_get_n_positional (args); i++)
    {
      g_autoptr(MsContact) contact = find_contact (store, ms_cli_args_get_positional (args, i),
                                                   &error);
      gint64 id;

      if (contact == NULL)
        return ms_cli_fail (cli, error);
      id = ms_contact_get_id (contact);
      g_array_append_val (ids, id);
    }
  unique_ids (ids);

  if (!ms_store_begin (store, &error)
      || !ms_store_delete_contacts (store, &g_array_index (ids, gint64, 0), ids->len, &error)
      || !ms_store_commit (store, &error))
    {
      if (ms_store_in_transaction (store))
        ms_store_rollback (store);
      return ms_cli_fail (cli, error);
    }

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "deleted");
      ms_json_writer_int (writer, ids->len);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      ms_cli_print (cli, ngettext ("Deleted %u contact.\n", "Deleted %u contacts.\n", ids->len),
                    ids->len);
    }
  return MS_CLI_EXIT_OK;
}

/* Straight to standard output, as the contacts are read: whatever was
 * printed before goes first. */
static gboolean
export_to_stdout (MsCli                 *cli,
                  MsStore               *store,
                  const MsContactQuery  *query,
                  guint64               *out_count,
                  GError               **error)
{
  g_autoptr(GOutputStream) out = NULL;

  if (!ms_cli_flush (cli))
    {
      /* standard output is gone already: quietly, as a closed pipe is */
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE, g_strerror (EPIPE));
      return FALSE;
    }

  out = g_unix_output_stream_new (STDOUT_FILENO, FALSE);
  return ms_export_csv_to_stream (store, out, query, out_count, NULL, error);
}

static int
run_export (MsCli           *cli,
            const MsCliArgs *args)
{
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  const char *target = ms_cli_args_get_positional (args, 0);
  gboolean to_stdout = g_str_equal (target, "-");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *count_text = NULL;
  guint64 count = 0;
  MsStore *store;
  int exit_code;

  if ((exit_code = check_status_option (cli, args)) >= 0)
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  if ((exit_code = build_query (cli, args, store, &query)) >= 0)
    return exit_code;

  if (to_stdout)
    {
      if (!export_to_stdout (cli, store, &query, &count, &error))
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
            return MS_CLI_EXIT_OK;
          return ms_cli_fail (cli, error);
        }
    }
  else
    {
      file = g_file_new_for_commandline_arg (target);
      if (!ms_export_csv_sync (store, file, &query, &count, NULL, &error))
        return ms_cli_fail (cli, error);
    }

  count_text = g_strdup_printf ("%" PRIu64, count);
  if (to_stdout)
    {
      /* Standard output holds the CSV: the count goes to standard error. */
      g_printerr (ngettext ("Exported %s contact.\n", "Exported %s contacts.\n", (gulong) count),
                  count_text);
    }
  else if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);
      g_autofree char *path = g_file_get_path (file);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "exported");
      ms_json_writer_int (writer, (gint64) count);
      ms_json_writer_key (writer, "file");
      ms_json_writer_string (writer, path);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      ms_cli_print (cli, ngettext ("Exported %s contact to “%s”.\n",
                                   "Exported %s contacts to “%s”.\n", (gulong) count),
                    count_text, target);
    }
  return MS_CLI_EXIT_OK;
}

static const MsCliOption import_options[] = {
  { "list", "NAME", N_("Add the contacts to the list NAME, created if missing") },
  { "encoding", "auto|NAME", N_("Encoding of the file, e.g. UTF-8, WINDOWS-1251 (default: auto)") },
  { "delimiter", "auto|C", N_("Column separator: , ; tab or | (default: auto)") },
  { "on-duplicate", "update|skip",
    N_("For an address already known: update it with the file’s values, or leave it as it is "
       "(default: update)") },
  { NULL, NULL, NULL }
};

static const MsCliOption export_options[] = {
  { "list", "NAME", N_("Only the members of the list NAME") },
  { "status", "STATUS", N_("Only contacts with this status") },
  { NULL, NULL, NULL }
};

static const MsCliOption list_options[] = {
  { "list", "NAME", N_("Only the members of the list NAME") },
  { "status", "STATUS", N_("Only contacts with this status: active, unsubscribed, bounced or complained") },
  { "search", "TEXT", N_("Only contacts whose address or name contains TEXT") },
  { "limit", "N", N_("At most N contacts") },
  { NULL, NULL, NULL }
};

static const MsCliOption set_status_options[] = {
  { "reason", "TEXT", N_("Why, kept with the status") },
  { NULL, NULL, NULL }
};

static const MsCliCommand import_command = {
  .name = "import",
  .summary = N_("Import contacts from a CSV file"),
  .description = N_("The header row names the columns: email, name, first and last name are "
                    "recognised, any other column is kept as a custom field. Prints the "
                    "numbers of imported, updated, skipped and rejected rows; each rejected "
                    "row is reported on standard error as “line N: reason”. Ctrl+C stops the "
                    "import: the rows saved so far stay, and the exit status is 130."),
  .run = ms_cli_run_contacts_import,
  .synopsis = "FILE [--list NAME] [--encoding auto|NAME] [--delimiter auto|C] "
              "[--on-duplicate update|skip]",
  .options = import_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand export_command = {
  .name = "export",
  .summary = N_("Export contacts to a CSV file"),
  .description = N_("Writes UTF-8 CSV with a header row. FILE “-” writes to standard output; "
                    "the count then goes to standard error."),
  .run = run_export,
  .synopsis = "FILE [--list NAME] [--status STATUS]",
  .options = export_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand list_command = {
  .name = "list",
  .summary = N_("List contacts"),
  .description = N_("Prints one contact a line: address, name and status, separated by tabs. "
                    "With --json, an array of contact objects."),
  .run = run_list,
  .synopsis = "[--list NAME] [--status STATUS] [--search TEXT] [--limit N]",
  .options = list_options,
  .min_args = 0,
  .max_args = 0,
};

static const MsCliCommand show_command = {
  .name = "show",
  .summary = N_("Show one contact"),
  .run = run_show,
  .synopsis = "EMAIL",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand set_status_command = {
  .name = "set-status",
  .summary = N_("Change the status of a contact"),
  .description = N_("STATUS is active, unsubscribed, bounced or complained. Only active "
                    "contacts receive campaigns."),
  .run = run_set_status,
  .synopsis = "EMAIL STATUS [--reason TEXT]",
  .options = set_status_options,
  .min_args = 2,
  .max_args = 2,
};

static const MsCliCommand delete_command = {
  .name = "delete",
  .summary = N_("Delete contacts"),
  .description = N_("Deletes every contact given, or none if one of the addresses is unknown."),
  .run = run_delete,
  .synopsis = "EMAIL…",
  .min_args = 1,
  .max_args = -1,
};

static const MsCliCommand *const contacts_subcommands[] = {
  &import_command,
  &export_command,
  &list_command,
  &show_command,
  &set_status_command,
  &delete_command,
  NULL
};

const MsCliCommand ms_cli_contacts_command = {
  .name = "contacts",
  .summary = N_("Import, export, list and edit contacts"),
  .subcommands = contacts_subcommands,
};

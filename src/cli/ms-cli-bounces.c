/* ms-cli-bounces.c
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

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-bounce.h"
#include "ms-cli.h"

/* The most of one message that "bounces parse" reads. */
#define MAX_MESSAGE_BYTES (64 * 1024 * 1024)

/* bounces parse */

static GBytes *
read_stdin (GError **error)
{
  GByteArray *data = g_byte_array_new ();
  guint8 buffer[64 * 1024];
  size_t n;

  while ((n = fread (buffer, 1, sizeof buffer, stdin)) > 0)
    {
      if (data->len + n > MAX_MESSAGE_BYTES)
        {
          g_byte_array_unref (data);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       _("The message on standard input is larger than %d MiB."),
                       MAX_MESSAGE_BYTES / (1024 * 1024));
          return NULL;
        }
      g_byte_array_append (data, buffer, n);
    }
  if (ferror (stdin))
    {
      g_byte_array_unref (data);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                           _("Could not read standard input."));
      return NULL;
    }
  return g_byte_array_free_to_bytes (data);
}

static GBytes *
read_message (const char  *path,
              GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (g_str_equal (path, "-"))
    return read_stdin (error);

  file = g_file_new_for_commandline_arg (path);
  /* A file that cannot be queried fails below, with the reason. */
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, NULL);
  if (info != NULL && g_file_info_get_file_type (info) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_IS_DIRECTORY, _("“%s” is a folder."), path);
      return NULL;
    }
  if (info != NULL && g_file_info_get_size (info) > MAX_MESSAGE_BYTES)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                   _("“%s” is larger than %d MiB."), path, MAX_MESSAGE_BYTES / (1024 * 1024));
      return NULL;
    }
  if (!g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, local_error->domain, local_error->code, _("Could not read “%s”: %s"),
                   path, local_error->message);
      return NULL;
    }
  return g_bytes_new_take (contents, length);
}

static void
write_report_json (MsJsonWriter         *writer,
                   const MsBounceReport *report)
{
  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "kind");
  ms_json_writer_string (writer, ms_bounce_kind_to_string (report->kind));
  ms_json_writer_key (writer, "recipients");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < report->recipients->len; i++)
    {
      MsBounceRecipient *recipient = g_ptr_array_index (report->recipients, i);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "address");
      ms_json_writer_string (writer, recipient->address);
      ms_json_writer_key (writer, "status");
      ms_json_writer_string (writer, recipient->status);
      ms_json_writer_key (writer, "replycode");
      if (recipient->replycode != 0)
        ms_json_writer_int (writer, recipient->replycode);
      else
        ms_json_writer_null (writer);
      ms_json_writer_key (writer, "reason");
      ms_json_writer_string (writer, recipient->reason);
      ms_json_writer_key (writer, "hard");
      ms_json_writer_boolean (writer, recipient->hard);
      ms_json_writer_key (writer, "diagnostic");
      ms_json_writer_string (writer, recipient->diagnostic);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
  ms_json_writer_key (writer, "original_message_id");
  ms_json_writer_string (writer, report->original_message_id);
  ms_json_writer_end_object (writer);
}

static const char *
kind_in_words (MsBounceKind kind)
{
  switch (kind)
    {
    case MS_BOUNCE_KIND_BOUNCE:
      return _("Bounce: the message could not be delivered");
    case MS_BOUNCE_KIND_COMPLAINT:
      return _("Complaint: a recipient reported the message");
    case MS_BOUNCE_KIND_AUTOREPLY:
      return _("Automatic reply");
    case MS_BOUNCE_KIND_UNSUBSCRIBE:
      return _("Unsubscribe request");
    case MS_BOUNCE_KIND_OTHER:
    default:
      return _("Not a bounce, complaint, automatic reply or unsubscribe request");
    }
}

static void
print_field (MsCli      *cli,
             const char *label,
             const char *value)
{
  if (value != NULL)
    ms_cli_print (cli, "%s %s\n", label, value);
}

static void
print_report (MsCli                *cli,
              const MsBounceReport *report)
{
  ms_cli_print (cli, "%s\n", kind_in_words (report->kind));
  /* TRANSLATORS: labels of "mailshot-cli bounces parse", one per line */
  print_field (cli, _("From:"), report->from);
  print_field (cli, _("Subject:"), report->subject);
  print_field (cli, _("Original message:"), report->original_message_id);
  print_field (cli, _("Campaign:"), report->campaign);
  print_field (cli, _("Delivery token:"), report->delivery);
  print_field (cli, _("Feedback type:"), report->feedback_type);
  print_field (cli, _("Unsubscribe token:"), report->unsubscribe_token);

  for (guint i = 0; i < report->recipients->len; i++)
    {
      MsBounceRecipient *recipient = g_ptr_array_index (report->recipients, i);

      ms_cli_print (cli, "\n%s\n", recipient->address);
      if (recipient->reason != NULL)
        {
          /* TRANSLATORS: "Reason: The mailbox is full (mailboxfull)" */
          ms_cli_print (cli, "  %s %s (%s)\n", _("Reason:"),
                        ms_bounce_reason_describe (recipient->reason), recipient->reason);
        }
      if (recipient->status != NULL)
        ms_cli_print (cli, "  %s %s\n", _("Status:"), recipient->status);
      if (recipient->replycode != 0)
        ms_cli_print (cli, "  %s %u\n", _("SMTP reply:"), recipient->replycode);
      if (report->kind == MS_BOUNCE_KIND_BOUNCE)
        ms_cli_print (cli, "  %s\n", recipient->hard
                                     ? _("Hard bounce: do not send to this address again")
                                     : _("Soft bounce: the address may work later"));
      if (recipient->alias != NULL)
        ms_cli_print (cli, "  %s %s\n", _("Sent to:"), recipient->alias);
      if (recipient->diagnostic != NULL)
        ms_cli_print (cli, "  %s %s\n", _("Server said:"), recipient->diagnostic);
    }
}

static int
run_parse (MsCli           *cli,
           const MsCliArgs *args)
{
  const char *path = ms_cli_args_get_positional (args, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MsBounceReport) report = NULL;

  if (!(bytes = read_message (path, &error)))
    return ms_cli_fail (cli, error);
  if (!(report = ms_bounce_parse (bytes, &error)))
    return ms_cli_failf (cli, _("Could not read “%s” as a message: %s"), path, error->message);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      write_report_json (writer, report);
      ms_cli_print_json (cli, writer);
    }
  else
    print_report (cli, report);
  return MS_CLI_EXIT_OK;
}

static const MsCliCommand parse_command = {
  .name = "parse",
  .summary = N_("Show what Mailshot understands of one message"),
  .description = N_("Reads FILE (an .eml or mbox file; “-” for standard input) and prints "
                    "whether it is a bounce, a complaint, an automatic reply or an "
                    "unsubscribe request, and for each recipient the reason, the status "
                    "and reply codes, hard or soft, and the server’s words. Nothing is "
                    "changed in the database."),
  .run = run_parse,
  .synopsis = "FILE",
  .min_args = 1,
  .max_args = 1,
};

/* The commands of "mailshot-cli bounces".  Each is an MsCliCommand; one that
 * lives in another file is declared in ms-cli.h and listed here. */
static const MsCliCommand *const bounces_subcommands[] = {
  &ms_cli_bounces_check_command,
  &parse_command,
  NULL
};

const MsCliCommand ms_cli_bounces_command = {
  .name = "bounces",
  .summary = N_("Understand bounces, complaints and unsubscribe requests"),
  .subcommands = bounces_subcommands,
};

/* ms-cli-bounces-check.c
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

#include <glib/gi18n.h>

#include "ms-cli.h"
#include "ms-mailbox-check.h"
#include "ms-store-servers.h"

/* bounces check [SERVER]: reads the incoming mailbox of one server profile, or
 * of every profile that has one, and prints what came back. */

typedef struct
{
  MsServer             *server;
  MsMailboxCheckResult  result;
  GError               *error;
} Checked;

static void
checked_free (Checked *checked)
{
  g_clear_object (&checked->server);
  g_clear_error (&checked->error);
  g_free (checked);
}

static const char *
protocol_label (MsServer *server)
{
  return ms_server_get_incoming_protocol (server) == MS_INCOMING_POP3 ? "POP3" : "IMAP";
}

static void
write_counts_json (MsJsonWriter               *writer,
                   const MsMailboxCheckResult *r)
{
  static const char *names[] = {
    "fetched", "bounces", "hard_bounces", "complaints", "unsubscribes", "autoreplies",
    "unmatched", "duplicates", "other", "suppressed", "moved", "deleted",
  };
  const guint values[] = {
    r->fetched, r->bounces, r->hard_bounces, r->complaints, r->unsubscribes, r->autoreplies,
    r->unmatched, r->duplicates, r->other, r->suppressed, r->moved, r->deleted,
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      ms_json_writer_key (writer, names[i]);
      ms_json_writer_int (writer, values[i]);
    }
}

static void
print_json (MsCli      *cli,
            GPtrArray  *checked)
{
  g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);
  MsMailboxCheckResult total = { 0 };

  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "servers");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < checked->len; i++)
    {
      Checked *c = g_ptr_array_index (checked, i);
      const char *host = ms_server_get_incoming_host (c->server);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "name");
      ms_json_writer_string (writer, ms_server_get_name (c->server));
      ms_json_writer_key (writer, "protocol");
      ms_json_writer_string (writer, ms_incoming_protocol_to_string (ms_server_get_incoming_protocol (c->server)));
      ms_json_writer_key (writer, "host");
      ms_json_writer_string (writer, host != NULL ? host : ms_server_get_host (c->server));
      ms_json_writer_key (writer, "ok");
      ms_json_writer_boolean (writer, c->error == NULL);
      ms_json_writer_key (writer, "error");
      ms_json_writer_string (writer, c->error != NULL ? c->error->message : NULL);
      write_counts_json (writer, &c->result);
      ms_json_writer_end_object (writer);
      ms_mailbox_check_result_add (&total, &c->result);
    }
  ms_json_writer_end_array (writer);
  ms_json_writer_key (writer, "total");
  ms_json_writer_begin_object (writer);
  write_counts_json (writer, &total);
  ms_json_writer_end_object (writer);
  ms_json_writer_end_object (writer);
  ms_cli_print_json (cli, writer);
}

static void
print_row (MsCli      *cli,
           const char *label,
           guint       value)
{
  g_autofree char *padded = ms_cli_pad (label, 24);

  ms_cli_print (cli, "  %s %u\n", padded, value);
}

static void
print_summary (MsCli   *cli,
               Checked *c)
{
  const MsMailboxCheckResult *r = &c->result;
  const char *host = ms_server_get_incoming_host (c->server);
  g_autofree char *hard = NULL;
  g_autofree char *padded = NULL;

  /* TRANSLATORS: "Main (IMAP, imap.example.org)" */
  ms_cli_print (cli, _("%s (%s, %s)\n"), ms_server_get_name (c->server), protocol_label (c->server),
                host != NULL ? host : ms_server_get_host (c->server));
  if (c->error != NULL)
    {
      /* TRANSLATORS: shown when the check of one server stopped */
      ms_cli_print (cli, "  %s %s\n", _("Stopped:"), c->error->message);
      if (r->fetched == 0)
        return;
    }
  print_row (cli, _("Messages read:"), r->fetched);
  /* TRANSLATORS: after the number of bounces: "Bounces: 3 (2 hard)" */
  hard = g_strdup_printf (_("%u hard"), r->hard_bounces);
  padded = ms_cli_pad (_("Bounces:"), 24);
  ms_cli_print (cli, "  %s %u (%s)\n", padded, r->bounces, hard);
  print_row (cli, _("Complaints:"), r->complaints);
  print_row (cli, _("Unsubscribe requests:"), r->unsubscribes);
  print_row (cli, _("Automatic replies:"), r->autoreplies);
  print_row (cli, _("Unmatched:"), r->unmatched);
  print_row (cli, _("Already known:"), r->duplicates);
  print_row (cli, _("Other mail:"), r->other);
  print_row (cli, _("Contacts suppressed:"), r->suppressed);
  if (r->moved > 0)
    print_row (cli, _("Moved:"), r->moved);
  if (r->deleted > 0)
    print_row (cli, _("Deleted from the server:"), r->deleted);
}

static gboolean
parse_count (MsCli           *cli,
             const MsCliArgs *args,
             const char      *name,
             guint            min,
             guint           *value,
             int             *exit_code)
{
  const char *text = ms_cli_args_get_option (args, name);
  guint64 n = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, G_MAXINT, &n, NULL))
    {
      /* TRANSLATORS: the first %s is an option such as "--max", the second what was given */
      *exit_code = ms_cli_usage_error (cli, _("The option “--%s” takes a whole number from %u, not “%s”."),
                                       name, min, text);
      return FALSE;
    }
  *value = (guint) n;
  return TRUE;
}

static int
run_check (MsCli           *cli,
           const MsCliArgs *args)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GPtrArray) checked = g_ptr_array_new_with_free_func ((GDestroyNotify) checked_free);
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  const char *name = ms_cli_args_get_n_positional (args) > 0 ? ms_cli_args_get_positional (args, 0)
                                                            : NULL;
  MsMailboxCheckOptions options;
  gboolean failed = FALSE;
  int exit_code = MS_CLI_EXIT_OK;
  MsStore *store;

  ms_mailbox_check_options_init (&options);
  if (!parse_count (cli, args, "max", 1, &options.max_messages, &exit_code)
      || !parse_count (cli, args, "soft-limit", 1, &options.soft_bounce_limit, &exit_code))
    return exit_code;

  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  if (name != NULL)
    {
      MsServer *server = ms_store_find_server (store, name, &error);

      if (server == NULL)
        return ms_cli_fail (cli, error);
      if (ms_server_get_incoming_protocol (server) == MS_INCOMING_NONE)
        {
          g_object_unref (server);
          return ms_cli_failf (cli, _("The server “%s” has no incoming mailbox to check; give "
                                      "it one in its profile."), name);
        }
      servers = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (servers, server);
    }
  else
    {
      if (!(servers = ms_store_list_servers (store, &error)))
        return ms_cli_fail (cli, error);
      for (guint i = servers->len; i > 0; i--)
        if (ms_server_get_incoming_protocol (g_ptr_array_index (servers, i - 1)) == MS_INCOMING_NONE)
          g_ptr_array_remove_index (servers, i - 1);
      if (servers->len == 0 && !ms_cli_get_json (cli))
        {
          ms_cli_print (cli, "%s\n", _("No server profile has an incoming mailbox to check."));
          return MS_CLI_EXIT_OK;
        }
    }

  secrets = ms_cli_open_secrets (cli);
  for (guint i = 0; i < servers->len; i++)
    {
      Checked *c = g_new0 (Checked, 1);
      char *password;

      c->server = g_object_ref (g_ptr_array_index (servers, i));
      g_ptr_array_add (checked, c);
      password = ms_mailbox_lookup_password (secrets, c->server, NULL, &c->error);
      if (password != NULL)
        {
          ms_mailbox_check_server (store, c->server, password, &options, &c->result, NULL, &c->error);
          ms_secret_free (password);
        }
      if (c->error != NULL)
        {
          failed = TRUE;
          if (g_error_matches (c->error, MS_MAILBOX_ERROR, MS_MAILBOX_ERROR_NO_PASSWORD))
            ms_cli_message (_("%s. Store it with “mailshot-cli server set-password %s "
                              "--password-env VAR --incoming”."),
                            c->error->message, ms_server_get_name (c->server));
          else
            /* TRANSLATORS: "Main: imap.example.org refused the login ..." */
            ms_cli_message (_("%s: %s"), ms_server_get_name (c->server), c->error->message);
        }
      if (!ms_cli_get_json (cli))
        {
          if (i > 0)
            ms_cli_print (cli, "\n");
          print_summary (cli, c);
        }
    }

  if (ms_cli_get_json (cli))
    print_json (cli, checked);
  return failed ? MS_CLI_EXIT_ERROR : MS_CLI_EXIT_OK;
}

static const MsCliOption check_options[] = {
  { "max", "N", N_("Read at most N new messages per server (the rest wait for the next check)") },
  { "soft-limit", "N", N_("Suppress a contact after N soft bounces in a row (default 3)") },
  { NULL, NULL, NULL },
};

const MsCliCommand ms_cli_bounces_check_command = {
  .name = "check",
  .summary = N_("Read the incoming mailboxes and apply the bounces and unsubscribes found"),
  .description = N_("Reads the new mail of SERVER’s incoming mailbox, or of every server "
                    "profile that has one, over IMAP or POP3. Hard bounces mark the contact "
                    "bounced, soft bounces suppress it after several in a row, complaints mark "
                    "it complained and unsubscribe requests with a valid token mark it "
                    "unsubscribed. Read mail is flagged as seen or moved to the chosen folder "
                    "(IMAP), or left on the server unless the profile says to delete it (POP3); "
                    "nothing is processed twice. Prints a summary per server; exits 1 when a "
                    "server could not be checked."),
  .run = run_check,
  .synopsis = "[SERVER] [--max N] [--soft-limit N]",
  .options = check_options,
  .min_args = 0,
  .max_args = 1,
};

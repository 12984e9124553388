/* ms-cli-detect.c
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

#include "ms-autodetect.h"
#include "ms-cli.h"
#include "ms-dkim.h"
#include "ms-domain-check.h"
#include "ms-server.h"
#include "ms-store-servers.h"

/* "server detect EMAIL" and "server check-domain NAME". */

static void
json_string_or_null (MsJsonWriter *writer,
                     const char   *key,
                     const char   *value)
{
  ms_json_writer_key (writer, key);
  if (value != NULL)
    ms_json_writer_string (writer, value);
  else
    ms_json_writer_null (writer);
}

static void
write_server_json (MsJsonWriter           *writer,
                   const char             *key,
                   const MsDetectedServer *server)
{
  ms_json_writer_key (writer, key);
  if (server == NULL)
    {
      ms_json_writer_null (writer);
      return;
    }
  ms_json_writer_begin_object (writer);
  json_string_or_null (writer, "host", server->host);
  ms_json_writer_key (writer, "port");
  ms_json_writer_int (writer, server->port);
  json_string_or_null (writer, "security", ms_security_to_string (server->security));
  json_string_or_null (writer, "login", server->login);
  json_string_or_null (writer, "source", ms_detect_source_to_string (server->source));
  json_string_or_null (writer, "source_text", server->source_text);
  ms_json_writer_end_object (writer);
}

static void
write_strings_json (MsJsonWriter *writer,
                    const char   *key,
                    GPtrArray    *strings)
{
  ms_json_writer_key (writer, key);
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < strings->len; i++)
    ms_json_writer_string (writer, g_ptr_array_index (strings, i));
  ms_json_writer_end_array (writer);
}

static void
print_server (MsCli                  *cli,
              const char             *label,
              const MsDetectedServer *server)
{
  if (server == NULL)
    {
      ms_cli_print (cli, "  %-6s %s\n", label, _("not found"));
      return;
    }
  ms_cli_print (cli, "  %-6s %s:%u %s", label, server->host, server->port,
                ms_security_to_label (server->security));
  if (server->login != NULL)
    ms_cli_print (cli, _(", login %s"), server->login);
  ms_cli_print (cli, "\n         %s\n", server->source_text);
}

static int
run_detect (MsCli           *cli,
            const MsCliArgs *args)
{
  const char *address = ms_cli_args_get_positional (args, 0);
  const char *timeout = ms_cli_args_get_option (args, "timeout");
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autoptr(MsDetectResult) result = NULL;
  MsDetectOptions options = { 0 };

  normalized = ms_cli_normalize_address (address, &error);
  if (normalized == NULL)
    return ms_cli_usage_error (cli, "%s", error->message);
  if (timeout != NULL)
    {
      guint64 seconds;

      if (!g_ascii_string_to_unsigned (timeout, 10, 1, 600, &seconds, NULL))
        return ms_cli_usage_error (cli, _("--timeout takes seconds from 1 to 600, not “%s”"), timeout);
      options.timeout_ms = (guint) seconds * 1000;
    }

  result = ms_autodetect_run (normalized, &options, NULL, &error);
  if (result == NULL)
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "address", result->address);
      json_string_or_null (writer, "provider", result->provider_name);
      write_server_json (writer, "smtp", result->smtp);
      write_server_json (writer, "imap", result->imap);
      write_server_json (writer, "pop3", result->pop3);
      write_strings_json (writer, "documentation", result->documentation);
      write_strings_json (writer, "tried", result->tried);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      if (result->provider_name != NULL)
        ms_cli_print (cli, _("Settings for %s (%s)\n"), result->address, result->provider_name);
      else
        ms_cli_print (cli, _("Settings for %s\n"), result->address);
      print_server (cli, "SMTP", result->smtp);
      print_server (cli, "IMAP", result->imap);
      print_server (cli, "POP3", result->pop3);
      for (guint i = 0; i < result->documentation->len; i++)
        ms_cli_print (cli, _("Help: %s\n"), (const char *) g_ptr_array_index (result->documentation, i));
      ms_cli_print (cli, "%s\n", _("Tried:"));
      for (guint i = 0; i < result->tried->len; i++)
        ms_cli_print (cli, "  - %s\n", (const char *) g_ptr_array_index (result->tried, i));
    }
  if (result->smtp == NULL)
    return ms_cli_failf (cli, _("No outgoing server was found for %s: ask your provider for its "
                                "SMTP host, port and security."), result->address);
  return MS_CLI_EXIT_OK;
}

static int
run_check_domain (MsCli           *cli,
                  const MsCliArgs *args)
{
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autofree char *expected = NULL;
  MsDomainCheckParams params = { 0 };
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(server = ms_store_find_server (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);

  params.from_address = ms_server_get_sender_address (server);
  if (params.from_address == NULL)
    return ms_cli_failf (cli, _("The server profile has no sender address"));
  if (ms_server_get_transport (server) == MS_TRANSPORT_SMTP)
    params.smtp_host = ms_server_get_host (server);
  params.dkim_domain = ms_server_get_dkim_domain (server);
  params.dkim_selector = ms_server_get_dkim_selector (server);
  if (params.dkim_domain != NULL && params.dkim_selector != NULL &&
      ms_server_get_dkim_key_ref (server) != NULL)
    {
      char *pem;

      secrets = ms_cli_open_secrets (cli);
      pem = ms_secrets_lookup (secrets, MS_SECRET_DKIM, params.dkim_domain, params.dkim_selector,
                               NULL, NULL);
      if (pem != NULL)
        {
          expected = ms_dkim_dns_record (pem, NULL);
          ms_secret_free (pem);
        }
    }
  params.dkim_expected_record = expected;

  items = ms_domain_check_run (&params, NULL);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "server", ms_server_get_name (server));
      json_string_or_null (writer, "from", params.from_address);
      ms_json_writer_key (writer, "items");
      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < items->len; i++)
        {
          const MsCheckItem *item = g_ptr_array_index (items, i);

          ms_json_writer_begin_object (writer);
          json_string_or_null (writer, "id", item->id);
          json_string_or_null (writer, "status", ms_check_status_to_string (item->status));
          json_string_or_null (writer, "title", item->title);
          json_string_or_null (writer, "advice", item->advice);
          ms_json_writer_end_object (writer);
        }
      ms_json_writer_end_array (writer);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  ms_cli_print (cli, _("Sender domain check for %s (%s)\n"), ms_server_get_name (server),
                params.from_address);
  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *item = g_ptr_array_index (items, i);
      const char *mark = item->status == MS_CHECK_OK ? "[ok]  "
                         : item->status == MS_CHECK_WARNING ? "[warn]" : "[FAIL]";

      ms_cli_print (cli, "%s %s\n       %s\n", mark, item->title, item->advice);
    }
  /* advice only: the check never makes the command fail */
  return MS_CLI_EXIT_OK;
}

static const MsCliOption detect_options[] = {
  { "timeout", "SECONDS", N_("Give up after SECONDS in all (default 30)") },
  { NULL, NULL, NULL },
};

const MsCliCommand ms_cli_server_detect_command = {
  .name = "detect",
  .summary = N_("Find the SMTP, IMAP and POP3 settings for an address"),
  .description = N_("Tries the bundled presets, the provider’s autoconfig, the domain’s DNS "
                    "(MX and SRV records) and finally probes likely host names and ports, "
                    "and says where each setting came from."),
  .run = run_detect,
  .synopsis = "EMAIL [--timeout SECONDS]",
  .options = detect_options,
  .min_args = 1,
  .max_args = 1,
};

const MsCliCommand ms_cli_server_check_domain_command = {
  .name = "check-domain",
  .summary = N_("Check SPF, DKIM and DMARC for a server’s sender domain"),
  .run = run_check_domain,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

/* ms-cli-server.c
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
#include <string.h>

#include "ms-cli.h"
#include "ms-dkim.h"
#include "ms-provider.h"
#include "ms-server-test.h"
#include "ms-store-servers.h"

MsSecrets *
ms_cli_open_secrets (MsCli *cli)
{
  g_autofree char *db_path = ms_cli_dup_db_path (cli);

  return ms_secrets_new_for_database (db_path);
}

/* JSON */

static void
json_string_or_null (MsJsonWriter *writer,
                     const char   *key,
                     const char   *value)
{
  ms_json_writer_key (writer, key);
  ms_json_writer_string (writer, value);
}

static void
json_uint_or_null (MsJsonWriter *writer,
                   const char   *key,
                   guint64       value)
{
  ms_json_writer_key (writer, key);
  if (value == 0)
    ms_json_writer_null (writer);
  else
    ms_json_writer_int (writer, (gint64) MIN (value, (guint64) G_MAXINT64));
}

static void
json_time (MsJsonWriter *writer,
           const char   *key,
           gint64        unix_time)
{
  g_autoptr(GDateTime) dt = unix_time > 0 ? g_date_time_new_from_unix_utc (unix_time) : NULL;
  g_autofree char *iso = dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;

  ms_json_writer_key (writer, key);
  ms_json_writer_string (writer, iso);
}

static void
write_quotas_json (MsJsonWriter  *writer,
                   const MsQuota *quotas,
                   guint          n)
{
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *text = ms_quota_to_string (&quotas[i]);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "limit");
      ms_json_writer_int (writer, quotas[i].limit);
      ms_json_writer_key (writer, "window_seconds");
      ms_json_writer_int (writer, quotas[i].window_secs);
      ms_json_writer_key (writer, "text");
      ms_json_writer_string (writer, text);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
}

/* @password_stored: -1 when unknown (not looked up). */
static void
write_server_json (MsJsonWriter *writer,
                   MsServer     *s,
                   int           password_stored)
{
  MsIncomingProtocol incoming = ms_server_get_incoming_protocol (s);
  const MsQuota *quotas;
  guint n;

  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "id");
  ms_json_writer_int (writer, ms_server_get_id (s));
  json_string_or_null (writer, "name", ms_server_get_name (s));
  json_string_or_null (writer, "transport", ms_transport_to_string (ms_server_get_transport (s)));
  json_string_or_null (writer, "host", ms_server_get_host (s));
  json_uint_or_null (writer, "port", ms_server_get_port (s));
  json_string_or_null (writer, "security", ms_security_to_string (ms_server_get_security (s)));
  json_string_or_null (writer, "login", ms_server_get_login (s));
  if (password_stored >= 0)
    {
      ms_json_writer_key (writer, "password_stored");
      ms_json_writer_boolean (writer, password_stored);
    }
  json_string_or_null (writer, "from", ms_server_get_sender_address (s));
  json_string_or_null (writer, "from_name", ms_server_get_sender_name (s));
  ms_json_writer_key (writer, "allow_sender_substitution");
  ms_json_writer_boolean (writer, ms_server_get_allow_sender_substitution (s));
  ms_json_writer_key (writer, "priority");
  ms_json_writer_int (writer, ms_server_get_priority (s));
  ms_json_writer_key (writer, "enabled");
  ms_json_writer_boolean (writer, ms_server_get_enabled (s));
  ms_json_writer_key (writer, "connections");
  ms_json_writer_int (writer, ms_server_get_max_connections (s));
  ms_json_writer_key (writer, "pause_ms");
  ms_json_writer_int (writer, ms_server_get_pause_ms (s));
  json_uint_or_null (writer, "max_size", ms_server_get_max_message_size (s));
  json_uint_or_null (writer, "max_recipients", ms_server_get_max_recipients (s));
  ms_json_writer_key (writer, "quotas");
  quotas = ms_server_get_quotas (s, &n);
  write_quotas_json (writer, quotas, n);
  json_string_or_null (writer, "folder", ms_server_get_folder (s));
  json_string_or_null (writer, "ca_file", ms_server_get_ca_file (s));
  json_string_or_null (writer, "pinned_fingerprint", ms_server_get_pinned_fingerprint (s));

  ms_json_writer_key (writer, "incoming");
  if (incoming == MS_INCOMING_NONE)
    {
      ms_json_writer_null (writer);
    }
  else
    {
      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "protocol", ms_incoming_protocol_to_string (incoming));
      json_string_or_null (writer, "host", ms_server_get_incoming_host (s));
      json_uint_or_null (writer, "port", ms_server_get_incoming_port (s));
      json_string_or_null (writer, "security",
                           ms_security_to_string (ms_server_get_incoming_security (s)));
      json_string_or_null (writer, "login", ms_server_get_incoming_login (s));
      json_string_or_null (writer, "folder", ms_server_get_incoming_folder (s));
      ms_json_writer_key (writer, "keep");
      ms_json_writer_boolean (writer, ms_server_get_incoming_keep (s));
      json_string_or_null (writer, "move_to", ms_server_get_incoming_move_to (s));
      ms_json_writer_end_object (writer);
    }

  ms_json_writer_key (writer, "dkim");
  if (ms_server_get_dkim_domain (s) == NULL)
    {
      ms_json_writer_null (writer);
    }
  else
    {
      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "domain", ms_server_get_dkim_domain (s));
      json_string_or_null (writer, "selector", ms_server_get_dkim_selector (s));
      json_string_or_null (writer, "key_ref", ms_server_get_dkim_key_ref (s));
      ms_json_writer_end_object (writer);
    }
  json_time (writer, "created_at", ms_server_get_created_at (s));
  json_time (writer, "updated_at", ms_server_get_updated_at (s));
  ms_json_writer_end_object (writer);
}

static const char *
secrets_backend_name (MsSecrets *secrets)
{
  return ms_secrets_get_backend (secrets) == MS_SECRETS_BACKEND_SERVICE ? "secret-service" : "file";
}

static void
write_secrets_json (MsJsonWriter *writer,
                    MsSecrets    *secrets)
{
  g_autofree char *describe = ms_secrets_describe (secrets);

  ms_json_writer_key (writer, "secrets");
  ms_json_writer_begin_object (writer);
  json_string_or_null (writer, "store", secrets_backend_name (secrets));
  json_string_or_null (writer, "file", ms_secrets_get_backend (secrets) == MS_SECRETS_BACKEND_FILE
                                       ? ms_secrets_get_file_path (secrets) : NULL);
  json_string_or_null (writer, "description", describe);
  ms_json_writer_end_object (writer);
}

/* Option values */

static gboolean
parse_number (MsCli       *cli,
              const char  *option,
              const char  *text,
              guint64      min,
              guint64      max,
              guint64     *out,
              int         *out_exit)
{
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, min, max, out, NULL))
    {
      *out_exit = ms_cli_usage_error (cli, _("The option “--%s” needs a whole number from %"
                                             PRIu64 " to %" PRIu64
                                             ", not “%s”."),
                                      option, min, max, text);
      return FALSE;
    }
  return TRUE;
}

static gboolean
parse_security (MsCli       *cli,
                const char  *option,
                const char  *text,
                MsSecurity  *out,
                int         *out_exit)
{
  if (text == NULL || ms_security_from_string (text, out))
    return TRUE;
  *out_exit = ms_cli_usage_error (cli, _("The option “--%s” takes tls, starttls or none, not "
                                         "“%s”."), option, text);
  return FALSE;
}

/* The value of the environment variable named by @option, never shown anywhere. */
static char *
password_from_env (MsCli           *cli,
                   const MsCliArgs *args,
                   const char      *option,
                   int             *out_exit)
{
  const char *var = ms_cli_args_get_option (args, option);
  const char *value;

  if (var == NULL)
    return NULL;
  value = g_getenv (var);
  if (value == NULL || value[0] == '\0')
    {
      *out_exit = ms_cli_usage_error (cli, _("The environment variable %s named by --%s is not "
                                             "set or empty."), var, option);
      return NULL;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      *out_exit = ms_cli_usage_error (cli, _("The environment variable %s is not UTF-8 text."),
                                      var);
      return NULL;
    }
  return g_strdup (value);
}

/* server add */

typedef struct
{
  MsServer    *server;
  MsProvider  *preset;         /* applied, or NULL */
  char        *password;
  char        *incoming_password;
  char        *dkim_key;
} AddJob;

static void
add_job_clear (AddJob *job)
{
  g_clear_object (&job->server);
  ms_secret_free (job->password);
  ms_secret_free (job->incoming_password);
  ms_secret_free (job->dkim_key);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AddJob, add_job_clear)

static int
apply_transport_options (MsCli           *cli,
                         const MsCliArgs *args,
                         AddJob          *job)
{
  const char *transport_text = ms_cli_args_get_option (args, "transport");
  const char *host = ms_cli_args_get_option (args, "host");
  const char *folder = ms_cli_args_get_option (args, "folder");
  MsServer *s = job->server;
  MsTransport transport = MS_TRANSPORT_SMTP;
  MsSecurity security = MS_SECURITY_TLS;
  guint64 port = 0;
  int exit_code = -1;

  if (transport_text != NULL && !ms_transport_from_string (transport_text, &transport))
    return ms_cli_usage_error (cli, _("The option “--transport” takes smtp, sendmail or folder, "
                                      "not “%s”."), transport_text);
  if (!parse_security (cli, "security", ms_cli_args_get_option (args, "security"), &security,
                       &exit_code)
      || !parse_number (cli, "port", ms_cli_args_get_option (args, "port"), 1, 65535, &port,
                        &exit_code))
    return exit_code;

  /* A preset fills what is not given, when it is the provider's server that sends. */
  if (transport == MS_TRANSPORT_SMTP && job->preset != NULL
      && (host == NULL || g_ascii_strcasecmp (host, ms_provider_get_smtp_host (job->preset)) == 0))
    ms_provider_apply (job->preset, s, ms_server_get_sender_address (s));
  else
    job->preset = NULL;

  ms_server_set_transport (s, transport);
  if (transport == MS_TRANSPORT_SMTP)
    {
      if (host == NULL && job->preset == NULL)
        return ms_cli_usage_error (cli, _("Give the SMTP server with --host, --port and "
                                          "--security (there is no preset for %s)."),
                                   ms_server_get_sender_address (s));
      if (host != NULL)
        ms_server_set_host (s, host);
      if (ms_cli_args_get_option (args, "security") != NULL)
        ms_server_set_security (s, security);
      if (port != 0)
        ms_server_set_port (s, (guint) port);
      else if (ms_server_get_port (s) == 0)
        ms_server_set_port (s, ms_security_default_port (ms_server_get_security (s)));
    }
  else if (host != NULL || port != 0)
    {
      return ms_cli_usage_error (cli, _("--host and --port are for the smtp transport."));
    }
  if (transport == MS_TRANSPORT_FOLDER)
    {
      g_autofree char *absolute = NULL;

      if (folder == NULL)
        return ms_cli_usage_error (cli, _("The folder transport needs --folder DIR."));
      absolute = g_canonicalize_filename (folder, NULL);
      ms_server_set_folder (s, absolute);
    }
  else if (folder != NULL)
    {
      return ms_cli_usage_error (cli, _("--folder is for the folder transport."));
    }
  return -1;
}

static int
apply_limit_options (MsCli           *cli,
                     const MsCliArgs *args,
                     AddJob          *job)
{
  const char * const *quotas = ms_cli_args_get_option_values (args, "quota");
  MsServer *s = job->server;
  guint64 connections = 0, pause = 0, max_size = 0, max_rcpt = 0, priority = 0;
  int exit_code = -1;

  if (!parse_number (cli, "connections", ms_cli_args_get_option (args, "connections"), 1, 100,
                     &connections, &exit_code)
      || !parse_number (cli, "pause-ms", ms_cli_args_get_option (args, "pause-ms"), 0,
                        G_MAXINT32, &pause, &exit_code)
      || !parse_number (cli, "max-size", ms_cli_args_get_option (args, "max-size"), 1,
                        G_MAXINT64, &max_size, &exit_code)
      || !parse_number (cli, "max-recipients", ms_cli_args_get_option (args, "max-recipients"),
                        1, G_MAXINT32, &max_rcpt, &exit_code)
      || !parse_number (cli, "priority", ms_cli_args_get_option (args, "priority"), 0,
                        G_MAXINT32, &priority, &exit_code))
    return exit_code;

  if (quotas[0] != NULL)
    {
      g_autoptr(GArray) parsed = g_array_new (FALSE, FALSE, sizeof (MsQuota));

      for (guint i = 0; quotas[i] != NULL; i++)
        {
          g_autoptr(GError) error = NULL;
          MsQuota q;

          if (!ms_quota_parse (quotas[i], &q, &error))
            return ms_cli_usage_error (cli, "%s", error->message);
          g_array_append_val (parsed, q);
        }
      ms_server_set_quotas (s, (const MsQuota *) (gpointer) parsed->data, parsed->len);
    }
  if (connections > 0)
    ms_server_set_max_connections (s, (guint) connections);
  if (ms_cli_args_get_option (args, "pause-ms") != NULL)
    ms_server_set_pause_ms (s, (guint) pause);
  if (max_size > 0)
    ms_server_set_max_message_size (s, max_size);
  if (max_rcpt > 0)
    ms_server_set_max_recipients (s, (guint) max_rcpt);
  ms_server_set_priority (s, (int) priority);
  if (ms_cli_args_get_option (args, "disabled") != NULL)
    ms_server_set_enabled (s, FALSE);
  if (ms_cli_args_get_option (args, "allow-sender-substitution") != NULL)
    ms_server_set_allow_sender_substitution (s, TRUE);
  return -1;
}

static int
apply_tls_options (MsCli           *cli,
                   const MsCliArgs *args,
                   AddJob          *job)
{
  const char *ca_file = ms_cli_args_get_option (args, "ca-file");
  const char *pin = ms_cli_args_get_option (args, "pinned-fingerprint");
  g_autoptr(GError) error = NULL;

  if (ca_file != NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (ca_file, NULL);

      if (!g_file_test (absolute, G_FILE_TEST_IS_REGULAR))
        return ms_cli_failf (cli, _("The CA file %s does not exist."), absolute);
      ms_server_set_ca_file (job->server, absolute);
    }
  if (pin != NULL)
    {
      g_autofree char *normalized = ms_fingerprint_normalize (pin, &error);

      if (normalized == NULL)
        return ms_cli_usage_error (cli, "%s", error->message);
      ms_server_set_pinned_fingerprint (job->server, normalized);
    }
  return -1;
}

static int
apply_incoming_options (MsCli           *cli,
                        const MsCliArgs *args,
                        AddJob          *job)
{
  const char *protocol_text = ms_cli_args_get_option (args, "incoming");
  MsServer *s = job->server;
  MsIncomingProtocol protocol = ms_server_get_incoming_protocol (s);
  MsSecurity security = MS_SECURITY_TLS;
  guint64 port = 0;
  int exit_code = -1;

  if (protocol_text != NULL && g_str_equal (protocol_text, "none"))
    protocol = MS_INCOMING_NONE;
  else if (protocol_text != NULL && !ms_incoming_protocol_from_string (protocol_text, &protocol))
    return ms_cli_usage_error (cli, _("The option “--incoming” takes imap, pop3 or none, not "
                                      "“%s”."), protocol_text);
  if (!parse_security (cli, "incoming-security", ms_cli_args_get_option (args, "incoming-security"),
                       &security, &exit_code)
      || !parse_number (cli, "incoming-port", ms_cli_args_get_option (args, "incoming-port"), 1,
                        65535, &port, &exit_code))
    return exit_code;

  if (protocol != ms_server_get_incoming_protocol (s))
    {
      /* Another protocol than the preset's: its settings do not apply. */
      ms_server_set_incoming_host (s, NULL);
      ms_server_set_incoming_port (s, 0);
      if (job->preset != NULL && protocol == MS_INCOMING_POP3
          && ms_provider_get_pop3_host (job->preset) != NULL)
        {
          ms_server_set_incoming_host (s, ms_provider_get_pop3_host (job->preset));
          ms_server_set_incoming_port (s, ms_provider_get_pop3_port (job->preset));
          ms_server_set_incoming_security (s, ms_provider_get_pop3_security (job->preset));
        }
    }
  ms_server_set_incoming_protocol (s, protocol);
  if (protocol == MS_INCOMING_NONE)
    {
      ms_server_set_incoming_host (s, NULL);
      ms_server_set_incoming_port (s, 0);
      ms_server_set_incoming_login (s, NULL);
      return -1;
    }
  if (ms_cli_args_get_option (args, "incoming-host") != NULL)
    ms_server_set_incoming_host (s, ms_cli_args_get_option (args, "incoming-host"));
  if (ms_cli_args_get_option (args, "incoming-security") != NULL)
    ms_server_set_incoming_security (s, security);
  if (port != 0)
    ms_server_set_incoming_port (s, (guint) port);
  else if (ms_server_get_incoming_port (s) == 0)
    ms_server_set_incoming_port (s, ms_incoming_default_port (protocol,
                                                              ms_server_get_incoming_security (s)));
  if (ms_cli_args_get_option (args, "incoming-login") != NULL)
    ms_server_set_incoming_login (s, ms_cli_args_get_option (args, "incoming-login"));
  else if (ms_server_get_incoming_login (s) == NULL)
    ms_server_set_incoming_login (s, ms_server_get_login (s));
  if (ms_cli_args_get_option (args, "incoming-folder") != NULL)
    ms_server_set_incoming_folder (s, ms_cli_args_get_option (args, "incoming-folder"));
  if (ms_cli_args_get_option (args, "incoming-move-to") != NULL)
    ms_server_set_incoming_move_to (s, ms_cli_args_get_option (args, "incoming-move-to"));
  if (ms_cli_args_get_option (args, "incoming-delete") != NULL)
    ms_server_set_incoming_keep (s, FALSE);
  return -1;
}

static int
apply_dkim_options (MsCli           *cli,
                    const MsCliArgs *args,
                    AddJob          *job)
{
  const char *domain = ms_cli_args_get_option (args, "dkim-domain");
  const char *selector = ms_cli_args_get_option (args, "dkim-selector");
  const char *key_file = ms_cli_args_get_option (args, "dkim-key-file");
  g_autoptr(MsDkimSigner) signer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ref = NULL;
  char *key = NULL;
  gsize length = 0;

  if (domain == NULL && selector == NULL && key_file == NULL)
    return -1;
  if (domain == NULL || selector == NULL || key_file == NULL)
    return ms_cli_usage_error (cli, _("DKIM signing needs --dkim-domain, --dkim-selector and "
                                      "--dkim-key-file together."));
  /* The key is read once, into the secret store; the file is not remembered. */
  if (!g_file_get_contents (key_file, &key, &length, &error))
    return ms_cli_fail (cli, error);
  job->dkim_key = key;
  signer = ms_dkim_signer_new (domain, selector, job->dkim_key, &error);
  if (signer == NULL)
    return ms_cli_failf (cli, _("The DKIM key in %s cannot be used: %s"), key_file,
                         error->message);
  ref = ms_secrets_dkim_key_ref (domain, selector);
  ms_server_set_dkim_domain (job->server, domain);
  ms_server_set_dkim_selector (job->server, selector);
  ms_server_set_dkim_key_ref (job->server, ref);
  return -1;
}

static int
build_server (MsCli           *cli,
              const MsCliArgs *args,
              AddJob          *job)
{
  const char *from = ms_cli_args_get_option (args, "from");
  const char *login = ms_cli_args_get_option (args, "login");
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;
  int exit_code = -1;

  if (from == NULL)
    return ms_cli_usage_error (cli, _("Give the sender address with --from ADDRESS."));
  address = ms_cli_normalize_address (from, &error);
  if (address == NULL)
    return ms_cli_usage_error (cli, "%s", error->message);

  job->server = ms_server_new ();
  ms_server_set_name (job->server, ms_cli_args_get_positional (args, 0));
  ms_server_set_sender_address (job->server, address);
  ms_server_set_sender_name (job->server, ms_cli_args_get_option (args, "from-name"));
  if (ms_cli_args_get_option (args, "no-preset") == NULL)
    job->preset = ms_provider_lookup (address);

  if ((exit_code = apply_transport_options (cli, args, job)) >= 0)
    return exit_code;
  if (login != NULL)
    ms_server_set_login (job->server, login);
  if (ms_server_get_transport (job->server) != MS_TRANSPORT_SMTP)
    ms_server_set_login (job->server, NULL);
  if ((exit_code = apply_limit_options (cli, args, job)) >= 0
      || (exit_code = apply_tls_options (cli, args, job)) >= 0
      || (exit_code = apply_incoming_options (cli, args, job)) >= 0
      || (exit_code = apply_dkim_options (cli, args, job)) >= 0)
    return exit_code;

  job->password = password_from_env (cli, args, "password-env", &exit_code);
  if (exit_code >= 0)
    return exit_code;
  job->incoming_password = password_from_env (cli, args, "incoming-password-env", &exit_code);
  if (exit_code >= 0)
    return exit_code;
  if (job->password != NULL && ms_server_get_login (job->server) == NULL)
    return ms_cli_usage_error (cli, _("A password needs a login: give --login."));

  if (!ms_server_validate (job->server, &error))
    return ms_cli_usage_error (cli, "%s", error->message);
  return -1;
}

static gboolean
store_secrets (MsSecrets  *secrets,
               AddJob     *job,
               GError    **error)
{
  MsServer *s = job->server;
  MsSecretKind incoming_kind = ms_server_get_incoming_protocol (s) == MS_INCOMING_POP3
                               ? MS_SECRET_POP3 : MS_SECRET_IMAP;
  const char *incoming_password = job->incoming_password;

  if (job->password != NULL
      && !ms_secrets_store (secrets, MS_SECRET_SMTP, ms_server_get_host (s), ms_server_get_login (s),
                            job->password, NULL, error))
    return FALSE;
  /* The mailbox of the same account: the same password unless another was given. */
  if (incoming_password == NULL && g_strcmp0 (ms_server_get_incoming_login (s),
                                              ms_server_get_login (s)) == 0)
    incoming_password = job->password;
  if (ms_server_get_incoming_protocol (s) != MS_INCOMING_NONE && incoming_password != NULL
      && !ms_secrets_store (secrets, incoming_kind, ms_server_get_incoming_host (s),
                            ms_server_get_incoming_login (s), incoming_password, NULL, error))
    return FALSE;
  if (job->dkim_key != NULL
      && !ms_secrets_store (secrets, MS_SECRET_DKIM, ms_server_get_dkim_domain (s),
                            ms_server_get_dkim_selector (s), job->dkim_key, NULL, error))
    return FALSE;
  return TRUE;
}

static void
print_quirks (MsCli      *cli,
              MsProvider *provider)
{
  const char * const *quirks = ms_provider_get_quirks (provider);

  for (guint i = 0; quirks[i] != NULL; i++)
    ms_cli_print (cli, "  • %s\n", ms_provider_quirk_text (quirks[i]));
  if (ms_provider_get_help_url (provider) != NULL)
    ms_cli_print (cli, "  %s\n", ms_provider_get_help_url (provider));
}

static int
run_add (MsCli           *cli,
         const MsCliArgs *args)
{
  g_auto(AddJob) job = { NULL, NULL, NULL, NULL, NULL };
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;
  int exit_code;

  if ((exit_code = build_server (cli, args, &job)) >= 0)
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error)))
    return ms_cli_fail (cli, error);
  secrets = ms_cli_open_secrets (cli);

  /* The profile is committed only once its secrets are stored. */
  if (!ms_store_begin (store, &error)
      || ms_store_add_server (store, job.server, &error) == 0
      || !store_secrets (secrets, &job, &error)
      || !ms_store_commit (store, &error))
    {
      ms_store_rollback (store);
      return ms_cli_fail (cli, error);
    }

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "server");
      write_server_json (writer, job.server, job.password != NULL);
      ms_json_writer_key (writer, "preset");
      ms_json_writer_string (writer, job.preset ? ms_provider_get_id (job.preset) : NULL);
      write_secrets_json (writer, secrets);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  ms_cli_print (cli, _("Added the server profile “%s”.\n"), ms_server_get_name (job.server));
  if (job.preset != NULL)
    {
      ms_cli_print (cli, _("Settings not given were filled in from the %s preset "
                           "(conservative limits: check your provider’s). Good to know:\n"),
                    ms_provider_get_name (job.preset));
      print_quirks (cli, job.preset);
    }
  if (job.password != NULL || job.dkim_key != NULL)
    {
      g_autofree char *describe = ms_secrets_describe (secrets);

      ms_cli_print (cli, "%s\n", describe);
    }
  else if (ms_server_get_login (job.server) != NULL)
    {
      ms_cli_print (cli, _("No password was given: store one with “server set-password” "
                           "before sending.\n"));
    }
  return MS_CLI_EXIT_OK;
}

/* server list */

static char *
describe_endpoint (MsServer *s)
{
  switch (ms_server_get_transport (s))
    {
    case MS_TRANSPORT_FOLDER:
      return g_strdup (ms_server_get_folder (s));
    case MS_TRANSPORT_SENDMAIL:
      return g_strdup ("sendmail");
    case MS_TRANSPORT_SMTP:
    default:
      return g_strdup_printf ("%s:%u", ms_server_get_host (s), ms_server_get_port (s));
    }
}

static int
run_list (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error)) || !(servers = ms_store_list_servers (store, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < servers->len; i++)
        write_server_json (writer, g_ptr_array_index (servers, i), -1);
      ms_json_writer_end_array (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }
  for (guint i = 0; i < servers->len; i++)
    {
      MsServer *s = g_ptr_array_index (servers, i);
      g_autofree char *endpoint = describe_endpoint (s);

      ms_cli_print (cli, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", ms_server_get_name (s),
                    ms_transport_to_string (ms_server_get_transport (s)), endpoint,
                    ms_security_to_string (ms_server_get_security (s)),
                    ms_server_get_sender_address (s), ms_server_get_priority (s),
                    ms_server_get_enabled (s) ? "enabled" : "disabled");
    }
  return MS_CLI_EXIT_OK;
}

/* server show */

static gboolean
has_password (MsSecrets *secrets,
              MsServer  *s)
{
  char *password;

  if (ms_server_get_login (s) == NULL || ms_server_get_host (s) == NULL)
    return FALSE;
  password = ms_secrets_lookup (secrets, MS_SECRET_SMTP, ms_server_get_host (s),
                                ms_server_get_login (s), NULL, NULL);
  ms_secret_free (password);
  return password != NULL;
}

static void
print_row (MsCli      *cli,
           const char *label,
           const char *value)
{
  g_autofree char *padded = NULL;

  if (value == NULL)
    return;
  padded = ms_cli_pad (label, 22);
  ms_cli_print (cli, "%s %s\n", padded, value);
}

static void
print_number (MsCli      *cli,
              const char *label,
              gint64      value,
              const char *unit)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT "%s", value, unit);

  print_row (cli, label, text);
}

static void
print_server (MsCli     *cli,
              MsServer  *s,
              MsSecrets *secrets)
{
  g_autofree char *endpoint = describe_endpoint (s);
  g_autofree char *secrets_text = ms_secrets_describe (secrets);
  g_autofree char *size = NULL;
  g_autoptr(GString) quotas_text = g_string_new (NULL);
  const MsQuota *quotas;
  guint n;

  quotas = ms_server_get_quotas (s, &n);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *q = ms_quota_describe (&quotas[i]);

      g_string_append_printf (quotas_text, "%s%s", i > 0 ? ", " : "", q);
    }
  if (ms_server_get_max_message_size (s) > 0)
    size = g_format_size_full (ms_server_get_max_message_size (s), G_FORMAT_SIZE_IEC_UNITS);

  print_row (cli, _("Name:"), ms_server_get_name (s));
  print_row (cli, _("Transport:"), ms_transport_to_string (ms_server_get_transport (s)));
  print_row (cli, _("Server:"), endpoint);
  if (ms_server_get_transport (s) == MS_TRANSPORT_SMTP)
    print_row (cli, _("Security:"), ms_security_to_label (ms_server_get_security (s)));
  print_row (cli, _("Login:"), ms_server_get_login (s));
  if (ms_server_get_login (s) != NULL)
    print_row (cli, _("Password:"), has_password (secrets, s) ? _("stored") : _("not stored"));
  print_row (cli, _("From:"), ms_server_get_sender_address (s));
  print_row (cli, _("From name:"), ms_server_get_sender_name (s));
  print_row (cli, _("Other senders:"), ms_server_get_allow_sender_substitution (s)
                                        ? _("allowed") : _("replaced by the From address"));
  print_number (cli, _("Priority:"), ms_server_get_priority (s), "");
  print_row (cli, _("State:"), ms_server_get_enabled (s) ? _("enabled") : _("disabled"));
  print_number (cli, _("Connections:"), ms_server_get_max_connections (s), "");
  print_number (cli, _("Pause:"), ms_server_get_pause_ms (s), " ms");
  print_row (cli, _("Quotas:"), quotas_text->len > 0 ? quotas_text->str : _("none"));
  print_row (cli, _("Message size limit:"), size);
  if (ms_server_get_max_recipients (s) > 0)
    print_number (cli, _("Recipients a message:"), ms_server_get_max_recipients (s), "");
  print_row (cli, _("CA file:"), ms_server_get_ca_file (s));
  if (ms_server_get_pinned_fingerprint (s) != NULL)
    {
      g_autofree char *pin = ms_fingerprint_format (ms_server_get_pinned_fingerprint (s));

      print_row (cli, _("Pinned certificate:"), pin);
    }
  if (ms_server_get_incoming_protocol (s) != MS_INCOMING_NONE)
    {
      g_autofree char *incoming = g_strdup_printf ("%s %s:%u (%s), %s",
        ms_incoming_protocol_to_string (ms_server_get_incoming_protocol (s)),
        ms_server_get_incoming_host (s), ms_server_get_incoming_port (s),
        ms_security_to_label (ms_server_get_incoming_security (s)),
        ms_server_get_incoming_login (s) ? ms_server_get_incoming_login (s) : "");

      print_row (cli, _("Incoming mailbox:"), incoming);
    }
  if (ms_server_get_dkim_domain (s) != NULL)
    print_row (cli, _("DKIM:"), ms_server_get_dkim_key_ref (s));
  print_row (cli, _("Secrets:"), secrets_text);
}

static int
run_show (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(server = ms_store_find_server (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);
  secrets = ms_cli_open_secrets (cli);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);
      MsProvider *provider = ms_provider_lookup_for_server (server);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "server");
      write_server_json (writer, server, has_password (secrets, server));
      ms_json_writer_key (writer, "preset");
      ms_json_writer_string (writer, provider ? ms_provider_get_id (provider) : NULL);
      write_secrets_json (writer, secrets);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }
  print_server (cli, server, secrets);
  return MS_CLI_EXIT_OK;
}

/* server test */

typedef struct
{
  MsServerTestStep    step;
  MsServerTestStatus  status;
  char               *text;
} TestEvent;

static void
test_event_free (gpointer data)
{
  TestEvent *event = data;

  g_free (event->text);
  g_free (event);
}

typedef struct
{
  MsCli        *cli;
  gboolean      verbose;
  gboolean      failed;
  GPtrArray    *events;       /* JSON: TestEvent, the protocol lines too */
} TestOutput;

static const char *
status_mark (MsServerTestStatus status)
{
  switch (status)
    {
    case MS_SERVER_TEST_OK:
      return "✓";
    case MS_SERVER_TEST_WARNING:
      return "!";
    case MS_SERVER_TEST_FAILED:
      return "✗";
    case MS_SERVER_TEST_SKIPPED:
      return "–";
    case MS_SERVER_TEST_RUNNING:
      return "…";
    case MS_SERVER_TEST_INFO:
    default:
      return " ";
    }
}

static void
on_test_event (MsServerTestStep    step,
               MsServerTestStatus  status,
               const char         *text,
               gpointer            user_data)
{
  TestOutput *out = user_data;

  if (out->events != NULL)
    {
      TestEvent *event = g_new0 (TestEvent, 1);

      event->step = step;
      event->status = status;
      event->text = g_strdup (text);
      g_ptr_array_add (out->events, event);
      return;
    }

  if (step == MS_SERVER_TEST_STEP_LOG)
    {
      if (out->verbose)
        ms_cli_print (out->cli, "    %s\n", text);
      return;
    }
  /* The failure and its explanation go to standard error at the end. */
  if (status == MS_SERVER_TEST_FAILED)
    out->failed = TRUE;
  if (out->failed || status == MS_SERVER_TEST_RUNNING)
    return;
  ms_cli_print (out->cli, "%s %s\n", status_mark (status), text);
  ms_cli_flush (out->cli);
}

static void
write_report_json (MsJsonWriter       *writer,
                   MsServerTestReport *report)
{
  ms_json_writer_key (writer, "success");
  ms_json_writer_boolean (writer, report->success);
  ms_json_writer_key (writer, "failed_step");
  ms_json_writer_string (writer, report->success ? NULL
                                                 : ms_server_test_step_to_string (report->failed_step));
  json_string_or_null (writer, "error", report->error_message);
  json_string_or_null (writer, "explanation", report->explanation);
  json_string_or_null (writer, "explanation_id", report->explanation_id);
  ms_json_writer_key (writer, "reply");
  if (report->error_reply != NULL)
    {
      g_autofree char *text = ms_smtp_reply_to_string (report->error_reply);

      ms_json_writer_string (writer, text);
    }
  else
    {
      ms_json_writer_null (writer);
    }
  json_string_or_null (writer, "greeting", report->greeting);
  json_uint_or_null (writer, "max_size", report->max_size);
  ms_json_writer_key (writer, "auth_mechanisms");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; report->auth_mechanisms != NULL && report->auth_mechanisms[i] != NULL; i++)
    ms_json_writer_string (writer, report->auth_mechanisms[i]);
  ms_json_writer_end_array (writer);
  json_string_or_null (writer, "tls_version", report->tls_version);
  json_string_or_null (writer, "tls_cipher", report->tls_cipher);
  json_string_or_null (writer, "certificate_sha256", report->peer_fingerprint);
  json_string_or_null (writer, "remote_address", report->remote_address);
}

static void
write_events_json (MsJsonWriter *writer,
                   GPtrArray    *events)
{
  ms_json_writer_key (writer, "steps");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < events->len; i++)
    {
      TestEvent *event = g_ptr_array_index (events, i);

      if (event->step == MS_SERVER_TEST_STEP_LOG)
        continue;
      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "step", ms_server_test_step_to_string (event->step));
      json_string_or_null (writer, "status", ms_server_test_status_to_string (event->status));
      json_string_or_null (writer, "text", event->text);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
  ms_json_writer_key (writer, "log");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < events->len; i++)
    {
      TestEvent *event = g_ptr_array_index (events, i);

      if (event->step == MS_SERVER_TEST_STEP_LOG)
        ms_json_writer_string (writer, event->text);
    }
  ms_json_writer_end_array (writer);
}

static int
run_test (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(MsServerTestReport) report = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  TestOutput out = { cli, ms_cli_args_get_option (args, "verbose") != NULL, FALSE, NULL };
  guint64 timeout = 15;
  char *password = NULL;
  int exit_code = -1;
  MsStore *store;

  if (!parse_number (cli, "timeout", ms_cli_args_get_option (args, "timeout"), 1, 600, &timeout,
                     &exit_code))
    return exit_code;
  password = password_from_env (cli, args, "password-env", &exit_code);
  if (exit_code >= 0)
    return exit_code;
  if (!(store = ms_cli_get_store (cli, &error))
      || !(server = ms_store_find_server (store, ms_cli_args_get_positional (args, 0), &error)))
    {
      ms_secret_free (password);
      return ms_cli_fail (cli, error);
    }
  secrets = ms_cli_open_secrets (cli);

  if (ms_cli_get_json (cli))
    {
      events = g_ptr_array_new_with_free_func (test_event_free);
      out.events = events;
    }
  report = ms_server_test_run (server, secrets, password, (guint) timeout * 1000, on_test_event,
                               &out, NULL);
  ms_secret_free (password);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "server", ms_server_get_name (server));
      write_report_json (writer, report);
      write_events_json (writer, events);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else if (report->success)
    {
      ms_cli_print (cli, _("The server profile “%s” works.\n"), ms_server_get_name (server));
    }

  if (!report->success)
    {
      ms_cli_message ("%s", report->error_message);
      if (report->explanation != NULL)
        ms_cli_message ("%s", report->explanation);
      if (report->peer_fingerprint != NULL && report->failed_step == MS_SERVER_TEST_STEP_TLS)
        {
          g_autofree char *shown = ms_fingerprint_format (report->peer_fingerprint);

          ms_cli_message (_("The server’s certificate has the SHA-256 fingerprint %s; if you "
                            "trust it, add it with --pinned-fingerprint."), shown);
        }
      return MS_CLI_EXIT_ERROR;
    }
  return MS_CLI_EXIT_OK;
}

/* server set-password */

static int
run_set_password (MsCli           *cli,
                  const MsCliArgs *args)
{
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GError) error = NULL;
  gboolean incoming = ms_cli_args_get_option (args, "incoming") != NULL;
  const char *host;
  const char *login;
  MsSecretKind kind;
  char *password;
  int exit_code = -1;
  MsStore *store;
  gboolean ok;

  if (ms_cli_args_get_option (args, "password-env") == NULL)
    return ms_cli_usage_error (cli, _("Name the environment variable holding the password with "
                                      "--password-env VAR."));
  if (!(store = ms_cli_get_store (cli, &error))
      || !(server = ms_store_find_server (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);
  if (incoming)
    {
      kind = ms_server_get_incoming_protocol (server) == MS_INCOMING_POP3 ? MS_SECRET_POP3
                                                                          : MS_SECRET_IMAP;
      host = ms_server_get_incoming_host (server);
      login = ms_server_get_incoming_login (server);
    }
  else
    {
      kind = MS_SECRET_SMTP;
      host = ms_server_get_host (server);
      login = ms_server_get_login (server);
    }
  if (host == NULL || login == NULL)
    return ms_cli_failf (cli, incoming ? _("The profile “%s” has no incoming mailbox with a login.")
                                       : _("The profile “%s” has no SMTP login."),
                         ms_server_get_name (server));

  password = password_from_env (cli, args, "password-env", &exit_code);
  if (password == NULL)
    return exit_code;
  secrets = ms_cli_open_secrets (cli);
  ok = ms_secrets_store (secrets, kind, host, login, password, NULL, &error);
  ms_secret_free (password);
  if (!ok)
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "server", ms_server_get_name (server));
      json_string_or_null (writer, "kind", ms_secret_kind_to_string (kind));
      write_secrets_json (writer, secrets);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      g_autofree char *describe = ms_secrets_describe (secrets);

      ms_cli_print (cli, _("Stored the password of %s on %s.\n"), login, host);
      ms_cli_print (cli, "%s\n", describe);
    }
  return MS_CLI_EXIT_OK;
}

/* server remove */

typedef struct
{
  MsSecretKind  kind;
  const char   *host;
  const char   *login;
} SecretRef;

static gboolean
secret_in_use (GPtrArray       *others,
               const SecretRef *ref)
{
  for (guint i = 0; i < others->len; i++)
    {
      MsServer *o = g_ptr_array_index (others, i);

      switch (ref->kind)
        {
        case MS_SECRET_SMTP:
          if (g_strcmp0 (ms_server_get_host (o), ref->host) == 0
              && g_strcmp0 (ms_server_get_login (o), ref->login) == 0)
            return TRUE;
          break;
        case MS_SECRET_IMAP:
        case MS_SECRET_POP3:
          if (g_strcmp0 (ms_server_get_incoming_host (o), ref->host) == 0
              && g_strcmp0 (ms_server_get_incoming_login (o), ref->login) == 0)
            return TRUE;
          break;
        case MS_SECRET_DKIM:
        default:
          if (g_strcmp0 (ms_server_get_dkim_domain (o), ref->host) == 0
              && g_strcmp0 (ms_server_get_dkim_selector (o), ref->login) == 0)
            return TRUE;
          break;
        }
    }
  return FALSE;
}

static int
run_remove (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GPtrArray) others = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;
  SecretRef refs[3];
  guint n_refs = 0;
  guint cleared = 0;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(server = ms_store_find_server (store, ms_cli_args_get_positional (args, 0), &error))
      || !ms_store_delete_server (store, ms_server_get_id (server), &error)
      || !(others = ms_store_list_servers (store, &error)))
    return ms_cli_fail (cli, error);
  secrets = ms_cli_open_secrets (cli);

  /* Secrets that no other profile uses go with the profile. */
  if (ms_server_get_login (server) != NULL && ms_server_get_host (server) != NULL)
    refs[n_refs++] = (SecretRef) { MS_SECRET_SMTP, ms_server_get_host (server),
                                   ms_server_get_login (server) };
  if (ms_server_get_incoming_protocol (server) != MS_INCOMING_NONE
      && ms_server_get_incoming_host (server) != NULL)
    refs[n_refs++] = (SecretRef) { ms_server_get_incoming_protocol (server) == MS_INCOMING_POP3
                                   ? MS_SECRET_POP3 : MS_SECRET_IMAP,
                                   ms_server_get_incoming_host (server),
                                   ms_server_get_incoming_login (server) };
  if (ms_server_get_dkim_key_ref (server) != NULL)
    refs[n_refs++] = (SecretRef) { MS_SECRET_DKIM, ms_server_get_dkim_domain (server),
                                   ms_server_get_dkim_selector (server) };
  for (guint i = 0; i < n_refs; i++)
    {
      g_autoptr(GError) clear_error = NULL;

      if (secret_in_use (others, &refs[i]))
        continue;
      if (ms_secrets_clear (secrets, refs[i].kind, refs[i].host, refs[i].login, NULL,
                            &clear_error))
        cleared++;
      else
        ms_cli_message (_("The profile was removed, but its secret could not be: %s"),
                        clear_error->message);
    }

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "removed");
      ms_json_writer_string (writer, ms_server_get_name (server));
      ms_json_writer_key (writer, "secrets_cleared");
      ms_json_writer_int (writer, cleared);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      ms_cli_print (cli, _("Removed the server profile “%s”.\n"), ms_server_get_name (server));
    }
  return MS_CLI_EXIT_OK;
}

/* server preset */

static void
write_endpoint_json (MsJsonWriter *writer,
                     const char   *key,
                     const char   *host,
                     guint         port,
                     MsSecurity    security)
{
  ms_json_writer_key (writer, key);
  if (host == NULL)
    {
      ms_json_writer_null (writer);
      return;
    }
  ms_json_writer_begin_object (writer);
  json_string_or_null (writer, "host", host);
  ms_json_writer_key (writer, "port");
  ms_json_writer_int (writer, port);
  json_string_or_null (writer, "security", ms_security_to_string (security));
  ms_json_writer_end_object (writer);
}

static void
print_endpoint (MsCli      *cli,
                const char *label,
                const char *host,
                guint       port,
                MsSecurity  security)
{
  g_autofree char *text = NULL;

  if (host == NULL)
    return;
  text = g_strdup_printf ("%s:%u (%s)", host, port, ms_security_to_label (security));
  print_row (cli, label, text);
}

static int
run_preset (MsCli           *cli,
            const MsCliArgs *args)
{
  const char *address = ms_cli_args_get_positional (args, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *normalized = NULL;
  g_autofree char *login = NULL;
  g_autoptr(GString) quotas_text = g_string_new (NULL);
  const char * const *quirks;
  const MsQuota *quotas;
  MsProvider *p;
  guint n;

  normalized = ms_cli_normalize_address (address, &error);
  if (normalized == NULL)
    return ms_cli_usage_error (cli, "%s", error->message);
  p = ms_provider_lookup (normalized);
  if (p == NULL)
    return ms_cli_failf (cli, _("There is no preset for %s: give the server’s --host, --port "
                                "and --security."), strrchr (normalized, '@') + 1);
  login = ms_provider_make_login (p, normalized);
  quotas = ms_provider_get_quotas (p, &n);
  quirks = ms_provider_get_quirks (p);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      json_string_or_null (writer, "id", ms_provider_get_id (p));
      json_string_or_null (writer, "name", ms_provider_get_name (p));
      ms_json_writer_key (writer, "domains");
      ms_json_writer_begin_array (writer);
      for (const char * const *d = ms_provider_get_domains (p); *d != NULL; d++)
        ms_json_writer_string (writer, *d);
      ms_json_writer_end_array (writer);
      write_endpoint_json (writer, "smtp", ms_provider_get_smtp_host (p),
                           ms_provider_get_smtp_port (p), ms_provider_get_smtp_security (p));
      write_endpoint_json (writer, "imap", ms_provider_get_imap_host (p),
                           ms_provider_get_imap_port (p), ms_provider_get_imap_security (p));
      write_endpoint_json (writer, "pop3", ms_provider_get_pop3_host (p),
                           ms_provider_get_pop3_port (p), ms_provider_get_pop3_security (p));
      json_string_or_null (writer, "login_format",
                           ms_provider_get_login_format (p) == MS_LOGIN_FORMAT_ADDRESS
                           ? "address" : "local-part");
      json_string_or_null (writer, "login", login);
      json_uint_or_null (writer, "max_size", ms_provider_get_max_message_size (p));
      json_uint_or_null (writer, "max_recipients", ms_provider_get_max_recipients (p));
      ms_json_writer_key (writer, "quotas");
      write_quotas_json (writer, quotas, n);
      ms_json_writer_key (writer, "quirks");
      ms_json_writer_begin_array (writer);
      for (guint i = 0; quirks[i] != NULL; i++)
        {
          ms_json_writer_begin_object (writer);
          json_string_or_null (writer, "id", quirks[i]);
          json_string_or_null (writer, "text", ms_provider_quirk_text (quirks[i]));
          ms_json_writer_end_object (writer);
        }
      ms_json_writer_end_array (writer);
      json_string_or_null (writer, "help_url", ms_provider_get_help_url (p));
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *q = ms_quota_describe (&quotas[i]);

      g_string_append_printf (quotas_text, "%s%s", i > 0 ? ", " : "", q);
    }
  print_row (cli, _("Provider:"), ms_provider_get_name (p));
  print_endpoint (cli, _("SMTP:"), ms_provider_get_smtp_host (p), ms_provider_get_smtp_port (p),
                  ms_provider_get_smtp_security (p));
  print_endpoint (cli, _("IMAP:"), ms_provider_get_imap_host (p), ms_provider_get_imap_port (p),
                  ms_provider_get_imap_security (p));
  print_endpoint (cli, _("POP3:"), ms_provider_get_pop3_host (p), ms_provider_get_pop3_port (p),
                  ms_provider_get_pop3_security (p));
  print_row (cli, _("Login:"), login);
  {
    g_autofree char *size = g_format_size_full (ms_provider_get_max_message_size (p),
                                                G_FORMAT_SIZE_IEC_UNITS);

    print_row (cli, _("Message size limit:"), size);
  }
  print_number (cli, _("Recipients a message:"), ms_provider_get_max_recipients (p), "");
  /* TRANSLATORS: %s lists sending limits such as "60 per hour, 500 per day" */
  {
    g_autofree char *text = g_strdup_printf (_("%s (conservative defaults: check your "
                                               "provider’s limits)"), quotas_text->str);

    print_row (cli, _("Quotas:"), text);
  }
  ms_cli_print (cli, "%s\n", _("Good to know:"));
  print_quirks (cli, p);
  return MS_CLI_EXIT_OK;
}

/* The command table */

static const MsCliOption add_options[] = {
  { "host", "H", N_("The SMTP server’s host name (filled in from the preset when the address "
                    "has one)") },
  { "port", "P", N_("Its port: 465 for TLS, 587 for STARTTLS") },
  { "security", "tls|starttls|none", N_("TLS from the start, STARTTLS (mandatory once chosen), "
                                        "or no encryption") },
  { "login", "L", N_("The login; by default the preset’s (the address), else none") },
  { "password-env", "VAR", N_("Read the password from the environment variable VAR (never from "
                              "the command line)") },
  { "from", "ADDRESS", N_("The sender address (required)") },
  { "from-name", "NAME", N_("The sender name") },
  { "allow-sender-substitution", NULL, N_("Let templates send with their own From address") },
  { "quota", "N/PERIOD", N_("At most N messages per PERIOD (30s, 1m, 1h, 1d); repeatable") },
  { "connections", "N", N_("Parallel connections (default 1)") },
  { "pause-ms", "MS", N_("Pause between two messages, in milliseconds") },
  { "max-size", "BYTES", N_("The largest message the server accepts") },
  { "max-recipients", "N", N_("Recipients a message at most") },
  { "ca-file", "PEM", N_("Also trust the CA certificates in PEM (a self-hosted server)") },
  { "pinned-fingerprint", "SHA256", N_("Trust exactly the certificate with this SHA-256 "
                                       "fingerprint") },
  { "priority", "N", N_("Rotation order: lower numbers are used first (default 0)") },
  { "disabled", NULL, N_("Add the profile disabled") },
  { "transport", "smtp|sendmail|folder", N_("How messages are handed on (default smtp)") },
  { "folder", "DIR", N_("The folder transport writes one .eml file per message into DIR") },
  { "incoming", "imap|pop3|none", N_("The mailbox read for bounces and unsubscribes") },
  { "incoming-host", "H", N_("Its host") },
  { "incoming-port", "P", N_("Its port (993 IMAP, 995 POP3 with TLS)") },
  { "incoming-security", "tls|starttls|none", N_("Its security") },
  { "incoming-login", "L", N_("Its login (default: the SMTP login)") },
  { "incoming-password-env", "VAR", N_("Its password from the environment variable VAR "
                                       "(default: the SMTP password)") },
  { "incoming-folder", "F", N_("The IMAP folder to read (default INBOX)") },
  { "incoming-move-to", "F", N_("Move processed IMAP mail to the folder F") },
  { "incoming-delete", NULL, N_("Delete processed POP3 mail (it is kept by default)") },
  { "dkim-domain", "D", N_("Sign with DKIM for the domain D") },
  { "dkim-selector", "S", N_("The DKIM selector") },
  { "dkim-key-file", "PEM", N_("The private key, read once into the secret store") },
  { "no-preset", NULL, N_("Do not fill anything in from the provider presets") },
  { NULL, NULL, NULL }
};

static const MsCliOption test_options[] = {
  { "password-env", "VAR", N_("Test with the password in the environment variable VAR instead "
                              "of the stored one") },
  { "timeout", "SECONDS", N_("Give up connecting after SECONDS (default 15)") },
  { "verbose", NULL, N_("Also print the protocol lines (passwords are never shown)") },
  { NULL, NULL, NULL }
};

static const MsCliOption set_password_options[] = {
  { "password-env", "VAR", N_("Read the password from the environment variable VAR (required)") },
  { "incoming", NULL, N_("The password of the incoming mailbox instead of the SMTP one") },
  { NULL, NULL, NULL }
};

static const MsCliCommand add_command = {
  .name = "add",
  .summary = N_("Add a server profile"),
  .description = N_("For an address of a known provider (see “server preset”), the host, port, "
                    "security, login, limits and incoming mailbox are filled in unless given. "
                    "Passwords and the DKIM key go to the secret store, never to the "
                    "database."),
  .run = run_add,
  .synopsis = "NAME --from ADDRESS [--host H --port P --security S] [OPTION…]",
  .options = add_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand list_command = {
  .name = "list",
  .summary = N_("Show the server profiles in rotation order"),
  .description = N_("One profile a line, tab-separated: name, transport, server, security, "
                    "sender, priority, state."),
  .run = run_list,
  .synopsis = "",
  .min_args = 0,
  .max_args = 0,
};

static const MsCliCommand show_command = {
  .name = "show",
  .summary = N_("Show a server profile"),
  .run = run_show,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand test_command = {
  .name = "test",
  .summary = N_("Test a server profile: connect, TLS, log in, sender"),
  .description = N_("Nothing is sent. Exit status 1 when a step fails; the error and its fix "
                    "are written on standard error."),
  .run = run_test,
  .synopsis = "NAME [--password-env VAR] [--timeout SECONDS] [--verbose]",
  .options = test_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand set_password_command = {
  .name = "set-password",
  .summary = N_("Store or replace the password of a server profile"),
  .run = run_set_password,
  .synopsis = "NAME --password-env VAR [--incoming]",
  .options = set_password_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand remove_command = {
  .name = "remove",
  .summary = N_("Remove a server profile and the secrets only it used"),
  .run = run_remove,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand preset_command = {
  .name = "preset",
  .summary = N_("Show the bundled preset for an address"),
  .run = run_preset,
  .synopsis = "EMAIL",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand *const server_subcommands[] = {
  &list_command,
  &add_command,
  &show_command,
  &test_command,
  &set_password_command,
  &remove_command,
  &preset_command,
  &ms_cli_server_detect_command,
  &ms_cli_server_check_domain_command,
  NULL
};

const MsCliCommand ms_cli_server_command = {
  .name = "server",
  .summary = N_("Add, show, test and remove server profiles"),
  .subcommands = server_subcommands,
  .default_subcommand = "list",
};

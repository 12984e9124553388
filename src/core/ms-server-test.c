/* ms-server-test.c
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

#define G_LOG_DOMAIN "ms-server-test"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "ms-provider.h"
#include "ms-sender.h"
#include "ms-server-test.h"

#define DEFAULT_CONNECT_TIMEOUT_MS 15000
#define TEST_REPLY_TIMEOUT_MS      30000

const char *
ms_server_test_step_to_string (MsServerTestStep step)
{
  switch (step)
    {
    case MS_SERVER_TEST_STEP_CONNECT:
      return "connect";
    case MS_SERVER_TEST_STEP_TLS:
      return "tls";
    case MS_SERVER_TEST_STEP_GREETING:
      return "greeting";
    case MS_SERVER_TEST_STEP_CAPABILITIES:
      return "capabilities";
    case MS_SERVER_TEST_STEP_AUTH:
      return "auth";
    case MS_SERVER_TEST_STEP_SENDER:
      return "sender";
    case MS_SERVER_TEST_STEP_SENDMAIL:
      return "sendmail";
    case MS_SERVER_TEST_STEP_FOLDER:
      return "folder";
    case MS_SERVER_TEST_STEP_LOG:
    default:
      return "log";
    }
}

const char *
ms_server_test_status_to_string (MsServerTestStatus status)
{
  switch (status)
    {
    case MS_SERVER_TEST_RUNNING:
      return "running";
    case MS_SERVER_TEST_OK:
      return "ok";
    case MS_SERVER_TEST_WARNING:
      return "warning";
    case MS_SERVER_TEST_FAILED:
      return "failed";
    case MS_SERVER_TEST_SKIPPED:
      return "skipped";
    case MS_SERVER_TEST_INFO:
    default:
      return "info";
    }
}

void
ms_server_test_report_free (MsServerTestReport *report)
{
  if (report == NULL)
    return;
  g_free (report->error_message);
  g_free (report->explanation);
  g_free (report->explanation_id);
  g_clear_pointer (&report->error_reply, ms_smtp_reply_free);
  g_free (report->greeting);
  g_strfreev (report->auth_mechanisms);
  g_free (report->tls_version);
  g_free (report->tls_cipher);
  g_free (report->peer_fingerprint);
  g_free (report->remote_address);
  g_free (report);
}

/* Explanations of errors that are not server replies */

static gboolean
is_submission_port (guint port)
{
  return port == 587 || port == 25 || port == 2525;
}

/* The connection's own messages already name certificate problems, unknown hosts
 * and TLS on the wrong port with their fix: those get an id and no text. */
static char *
explain_net_error (MsServer    *server,
                   const GError *error,
                   const char  **out_id)
{
  const char *host = ms_server_get_host (server);
  guint port = ms_server_get_port (server);
  MsSecurity security = ms_server_get_security (server);

  switch ((MsNetError) error->code)
    {
    case MS_NET_ERROR_RESOLVE:
      *out_id = "host-not-found";
      return NULL;
    case MS_NET_ERROR_CONNECT:
    case MS_NET_ERROR_TIMEOUT:
      *out_id = "port-blocked";
      /* TRANSLATORS: %s is a host, %u a port */
      return g_strdup_printf (_("%s did not answer on port %u. Internet providers often block "
                                "port 25, and some networks block others: try port 587 "
                                "(STARTTLS), 465 (TLS) or 2525."), host, port);
    case MS_NET_ERROR_TLS_HANDSHAKE:
      *out_id = security == MS_SECURITY_TLS && is_submission_port (port) ? "tls-mismatch"
                                                                         : "tls-failed";
      return NULL;
    case MS_NET_ERROR_CERT_UNTRUSTED:
      *out_id = "cert-untrusted";
      return NULL;
    case MS_NET_ERROR_CERT_HOSTNAME:
      *out_id = "cert-hostname";
      return NULL;
    case MS_NET_ERROR_CERT_EXPIRED:
      *out_id = "cert-expired";
      return NULL;
    case MS_NET_ERROR_CERT_PIN_MISMATCH:
      *out_id = "cert-pin";
      return NULL;
    case MS_NET_ERROR_CLOSED:
      *out_id = "closed";
      if (security == MS_SECURITY_STARTTLS && port == 465)
        return g_strdup (_("Port 465 expects TLS from the first byte: choose TLS."));
      return g_strdup (_("The server closed the connection. Check the port and the security "
                         "choice, or try again later."));
    case MS_NET_ERROR_PROTOCOL:
    case MS_NET_ERROR_CONFIG:
    default:
      return NULL;
    }
}

static char *
explain_smtp_error (MsServer     *server,
                    const GError *error,
                    const char  **out_id)
{
  switch ((MsSmtpError) error->code)
    {
    case MS_SMTP_ERROR_STARTTLS_UNAVAILABLE:
      *out_id = "starttls-unavailable";
      return g_strdup (_("The server does not offer STARTTLS on this port, so nothing was sent. "
                         "Choose TLS on port 465, or check the port."));
    case MS_SMTP_ERROR_STARTTLS_INJECTION:
      *out_id = "starttls-injection";
      return g_strdup (_("The server sent data it should not have sent before the encryption "
                         "started. The connection was dropped to protect you: something on the "
                         "network may be tampering with it. Try TLS on port 465."));
    case MS_SMTP_ERROR_AUTH_UNAVAILABLE:
      *out_id = "auth-unavailable";
      return g_strdup (_("The server offers no login on this connection. Many servers offer it "
                         "only on port 587 after STARTTLS or on port 465; if this server needs "
                         "no login, leave the login empty."));
    case MS_SMTP_ERROR_AUTH_PLAINTEXT:
      *out_id = "auth-plaintext";
      return g_strdup (_("The password would travel unencrypted, so it was not sent. Choose TLS "
                         "or STARTTLS."));
    case MS_SMTP_ERROR_PARSE:
      *out_id = "not-smtp";
      return g_strdup (_("The server does not speak SMTP on this port. Check the host and the "
                         "port."));
    case MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE:
    case MS_SMTP_ERROR_8BITMIME_UNAVAILABLE:
    case MS_SMTP_ERROR_TOO_BIG:
    case MS_SMTP_ERROR_INVALID_ADDRESS:
    case MS_SMTP_ERROR_REJECTED:
    case MS_SMTP_ERROR_AUTH_FAILED:
    default:
      return NULL;
    }
}

char *
ms_server_explain_error (MsServer           *server,
                         const GError       *error,
                         const MsSmtpReply  *reply,
                         MsSmtpStage         stage,
                         const char        **out_id)
{
  const char *id = NULL;
  char *text = NULL;

  g_return_val_if_fail (MS_IS_SERVER (server), NULL);

  if (out_id != NULL)
    *out_id = NULL;
  if (reply != NULL)
    {
      id = ms_provider_explain_reply (ms_provider_lookup_for_server (server), reply, stage);
      if (id != NULL)
        text = g_strdup (ms_provider_explanation_text (id));
    }
  else if (error != NULL && error->domain == MS_NET_ERROR)
    {
      text = explain_net_error (server, error, &id);
    }
  else if (error != NULL && error->domain == MS_SMTP_ERROR)
    {
      text = explain_smtp_error (server, error, &id);
    }
  else if (error != NULL && g_error_matches (error, MS_SENDER_ERROR, MS_SENDER_ERROR_NO_PASSWORD))
    {
      id = "no-password";
      text = g_strdup (_("Enter the password in the server profile (or with mailshot-cli "
                         "server set-password NAME --password-env VARIABLE)."));
    }
  if (out_id != NULL)
    *out_id = id;
  return text;
}

/* Running the test */

typedef struct
{
  MsServer            *server;
  MsServerTestFunc     func;
  gpointer             user_data;
  MsServerTestReport  *report;
  gboolean             connected;     /* TCP connected (seen in the trace) */
} TestRun;

static void
emit (TestRun            *run,
      MsServerTestStep    step,
      MsServerTestStatus  status,
      const char         *text)
{
  if (run->func != NULL)
    run->func (step, status, text, run->user_data);
}

G_GNUC_PRINTF (4, 5)
static void
emitf (TestRun            *run,
       MsServerTestStep    step,
       MsServerTestStatus  status,
       const char         *format,
       ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  emit (run, step, status, text);
}

static void
on_trace (MsSmtpClient *client,
          MsSmtpTrace   kind,
          const char   *line,
          gpointer      user_data)
{
  TestRun *run = user_data;
  const char *prefix = kind == MS_SMTP_TRACE_SENT ? "C: " : kind == MS_SMTP_TRACE_RECEIVED ? "S: " : "";
  g_autofree char *text = g_strconcat (prefix, line, NULL);

  /* The client writes "Connected to ADDRESS" once TCP is up. */
  if (kind == MS_SMTP_TRACE_INFO && g_str_has_prefix (line, "Connected"))
    run->connected = TRUE;
  if (kind == MS_SMTP_TRACE_RECEIVED)
    run->connected = TRUE;
  emit (run, MS_SERVER_TEST_STEP_LOG, MS_SERVER_TEST_INFO, text);
}

/* Records the failure of @step in the report and reports it. */
static void
fail_step (TestRun          *run,
           MsServerTestStep  step,
           MsSmtpClient     *client,
           const GError     *error)
{
  MsServerTestReport *report = run->report;
  const MsSmtpReply *reply = NULL;
  MsSmtpStage stage = MS_SMTP_STAGE_GREETING;
  const char *id = NULL;

  if (client != NULL)
    reply = ms_smtp_client_get_error_reply (client, &stage);
  report->success = FALSE;
  report->failed_step = step;
  report->error_message = g_strdup (error->message);
  report->error_stage = stage;
  if (reply != NULL)
    report->error_reply = ms_smtp_reply_copy (reply);
  report->explanation = ms_server_explain_error (run->server, error, reply, stage, &id);
  report->explanation_id = g_strdup (id);

  emit (run, step, MS_SERVER_TEST_FAILED, error->message);
  if (report->explanation != NULL)
    emit (run, step, MS_SERVER_TEST_INFO, report->explanation);
}

/* Which step a failure of ms_smtp_client_connect() belongs to. */
static MsServerTestStep
connect_failure_step (TestRun      *run,
                      const GError *error)
{
  if (error->domain == MS_NET_ERROR)
    {
      switch ((MsNetError) error->code)
        {
        case MS_NET_ERROR_RESOLVE:
        case MS_NET_ERROR_CONNECT:
          return MS_SERVER_TEST_STEP_CONNECT;
        case MS_NET_ERROR_TIMEOUT:
          if (!run->connected)
            return MS_SERVER_TEST_STEP_CONNECT;
          return ms_server_get_security (run->server) == MS_SECURITY_TLS
                 ? MS_SERVER_TEST_STEP_TLS : MS_SERVER_TEST_STEP_GREETING;
        case MS_NET_ERROR_TLS_HANDSHAKE:
        case MS_NET_ERROR_CERT_UNTRUSTED:
        case MS_NET_ERROR_CERT_HOSTNAME:
        case MS_NET_ERROR_CERT_EXPIRED:
        case MS_NET_ERROR_CERT_PIN_MISMATCH:
        case MS_NET_ERROR_CONFIG:
          return MS_SERVER_TEST_STEP_TLS;
        case MS_NET_ERROR_CLOSED:
        case MS_NET_ERROR_PROTOCOL:
        default:
          return run->connected ? MS_SERVER_TEST_STEP_GREETING : MS_SERVER_TEST_STEP_CONNECT;
        }
    }
  if (g_error_matches (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_UNAVAILABLE)
      || g_error_matches (error, MS_SMTP_ERROR, MS_SMTP_ERROR_STARTTLS_INJECTION))
    return MS_SERVER_TEST_STEP_TLS;
  return MS_SERVER_TEST_STEP_GREETING;
}

static char *
format_size (guint64 size)
{
  g_autofree char *human = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  /* TRANSLATORS: "35.0 MiB (36700160 bytes)" */
  return g_strdup_printf (_("%s (%" PRIu64 " bytes)"), human, size);
}

static void
report_capabilities (TestRun      *run,
                     MsSmtpClient *client)
{
  MsServerTestReport *report = run->report;
  guint64 profile_max = ms_server_get_max_message_size (run->server);
  g_autoptr(GString) extensions = g_string_new (NULL);
  const char *names[] = { "PIPELINING", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES",
                          "CHUNKING", "DSN" };
  const MsSmtpCapabilities flags[] = { MS_SMTP_CAP_PIPELINING, MS_SMTP_CAP_8BITMIME,
                                       MS_SMTP_CAP_SMTPUTF8, MS_SMTP_CAP_ENHANCEDSTATUSCODES,
                                       MS_SMTP_CAP_CHUNKING, MS_SMTP_CAP_DSN };
  g_autofree char *auth = NULL;

  report->capabilities = ms_smtp_client_get_capabilities (client);
  report->max_size = ms_smtp_client_get_max_size (client);
  report->auth_mechanisms = g_strdupv ((char **) ms_smtp_client_get_auth_mechanisms (client));
  if (report->auth_mechanisms == NULL)
    report->auth_mechanisms = g_new0 (char *, 1);

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      if (report->capabilities & flags[i])
        g_string_append_printf (extensions, "%s%s", extensions->len > 0 ? " " : "", names[i]);
    }
  emitf (run, MS_SERVER_TEST_STEP_CAPABILITIES, MS_SERVER_TEST_INFO, _("Extensions: %s"),
         extensions->len > 0 ? extensions->str : _("none"));

  auth = g_strjoinv (" ", report->auth_mechanisms);
  emitf (run, MS_SERVER_TEST_STEP_CAPABILITIES, MS_SERVER_TEST_INFO, _("Login methods: %s"),
         auth[0] != '\0' ? auth : _("none offered"));

  if (report->max_size > 0)
    {
      g_autofree char *size = format_size (report->max_size);

      if (profile_max > report->max_size)
        {
          g_autofree char *mine = format_size (profile_max);

          emitf (run, MS_SERVER_TEST_STEP_CAPABILITIES, MS_SERVER_TEST_WARNING,
                 _("The server accepts messages of at most %s, less than the %s of this "
                   "profile: lower the profile’s limit."), size, mine);
          return;
        }
      emitf (run, MS_SERVER_TEST_STEP_CAPABILITIES, MS_SERVER_TEST_OK,
             _("The server accepts messages of up to %s."), size);
    }
  else
    {
      emit (run, MS_SERVER_TEST_STEP_CAPABILITIES, MS_SERVER_TEST_OK,
            _("The server announces no size limit."));
    }
}

static gboolean
run_connect (TestRun       *run,
             MsSmtpClient  *client,
             GCancellable  *cancellable)
{
  MsServerTestReport *report = run->report;
  g_autoptr(GError) error = NULL;
  MsConnection *conn;
  const MsSmtpReply *greeting;

  emitf (run, MS_SERVER_TEST_STEP_CONNECT, MS_SERVER_TEST_RUNNING,
         _("Connecting to %s on port %u…"), ms_server_get_host (run->server),
         ms_server_get_port (run->server));

  if (!ms_smtp_client_connect (client, cancellable, &error))
    {
      MsServerTestStep step = connect_failure_step (run, error);

      conn = ms_smtp_client_get_connection (client);
      if (conn != NULL && ms_connection_get_peer_sha256 (conn) != NULL)
        report->peer_fingerprint = g_strdup (ms_connection_get_peer_sha256 (conn));
      if (step != MS_SERVER_TEST_STEP_CONNECT)
        emit (run, MS_SERVER_TEST_STEP_CONNECT, MS_SERVER_TEST_OK, _("Connected."));
      if (step == MS_SERVER_TEST_STEP_GREETING
          && ms_server_get_security (run->server) == MS_SECURITY_NONE)
        emit (run, MS_SERVER_TEST_STEP_TLS, MS_SERVER_TEST_SKIPPED, _("No encryption was chosen."));
      else if (step == MS_SERVER_TEST_STEP_GREETING
               && ms_server_get_security (run->server) == MS_SECURITY_TLS)
        emit (run, MS_SERVER_TEST_STEP_TLS, MS_SERVER_TEST_OK, _("Encrypted."));
      fail_step (run, step, client, error);
      if (report->peer_fingerprint != NULL && step == MS_SERVER_TEST_STEP_TLS)
        {
          g_autofree char *shown = ms_fingerprint_format (report->peer_fingerprint);

          emitf (run, MS_SERVER_TEST_STEP_TLS, MS_SERVER_TEST_INFO,
                 _("The server’s certificate has the SHA-256 fingerprint %s."), shown);
        }
      return FALSE;
    }

  conn = ms_smtp_client_get_connection (client);
  report->remote_address = ms_connection_get_remote_address (conn);
  emitf (run, MS_SERVER_TEST_STEP_CONNECT, MS_SERVER_TEST_OK, _("Connected to %s (%s)."),
         ms_server_get_host (run->server), report->remote_address);

  if (ms_connection_is_tls (conn))
    {
      report->tls_version = g_strdup (ms_connection_get_tls_version (conn));
      report->tls_cipher = g_strdup (ms_connection_get_tls_cipher (conn));
      report->peer_fingerprint = g_strdup (ms_connection_get_peer_sha256 (conn));
      emitf (run, MS_SERVER_TEST_STEP_TLS, MS_SERVER_TEST_OK,
             _("Encrypted with %s (%s); the certificate is valid."), report->tls_version,
             report->tls_cipher);
    }
  else
    {
      emit (run, MS_SERVER_TEST_STEP_TLS, MS_SERVER_TEST_WARNING,
            _("The connection is not encrypted: anyone on the network can read the messages "
              "and the password."));
    }

  greeting = ms_smtp_client_get_greeting (client);
  report->greeting = greeting != NULL ? ms_smtp_reply_to_string (greeting) : NULL;
  emitf (run, MS_SERVER_TEST_STEP_GREETING, MS_SERVER_TEST_OK, _("The server greets: %s"),
         report->greeting != NULL ? report->greeting : "");
  report_capabilities (run, client);
  return TRUE;
}

static gboolean
run_auth (TestRun       *run,
          MsSender      *sender,
          MsSmtpClient  *client,
          GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  const char *login = ms_server_get_login (run->server);
  char *password;
  gboolean ok;

  if (login == NULL)
    {
      emit (run, MS_SERVER_TEST_STEP_AUTH, MS_SERVER_TEST_SKIPPED,
            _("No login is set: the server must accept mail without one."));
      return TRUE;
    }
  emitf (run, MS_SERVER_TEST_STEP_AUTH, MS_SERVER_TEST_RUNNING, _("Logging in as %s…"), login);
  password = ms_sender_dup_password (sender, &error);
  if (password == NULL)
    {
      fail_step (run, MS_SERVER_TEST_STEP_AUTH, NULL, error);
      return FALSE;
    }
  ok = ms_smtp_client_authenticate (client, login, password, cancellable, &error);
  ms_secret_free (password);
  if (!ok)
    {
      fail_step (run, MS_SERVER_TEST_STEP_AUTH, client, error);
      return FALSE;
    }
  emit (run, MS_SERVER_TEST_STEP_AUTH, MS_SERVER_TEST_OK, _("Logged in."));
  return TRUE;
}

/* MAIL FROM and RCPT TO with the sender address show whether the account may send
 * as it (Yandex: "553 5.7.1 ... not owned by auth user"); RSET ends it unsent. */
static gboolean
run_sender (TestRun       *run,
            MsSmtpClient  *client,
            GCancellable  *cancellable)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsSmtpReply) reply = NULL;
  const char *address = ms_server_get_sender_address (run->server);
  MsSmtpMailFlags flags = ms_smtp_address_needs_smtputf8 (address) ? MS_SMTP_MAIL_SMTPUTF8
                                                                    : MS_SMTP_MAIL_DEFAULT;

  emitf (run, MS_SERVER_TEST_STEP_SENDER, MS_SERVER_TEST_RUNNING,
         _("Checking that the server accepts %s as the sender…"), address);
  if (!ms_smtp_client_mail_from (client, address, 0, flags, cancellable, &error)
      || !ms_smtp_client_rcpt_to (client, address, &reply, cancellable, &error))
    {
      fail_step (run, MS_SERVER_TEST_STEP_SENDER, client, error);
      if (ms_smtp_client_is_connected (client))
        ms_smtp_client_rset (client, cancellable, NULL);
      return FALSE;
    }
  ms_smtp_client_rset (client, cancellable, NULL);
  emitf (run, MS_SERVER_TEST_STEP_SENDER, MS_SERVER_TEST_OK,
         _("The server accepts %s as the sender."), address);
  return TRUE;
}

static void
run_smtp (TestRun       *run,
          MsSecrets     *secrets,
          const char    *password,
          guint          connect_timeout_ms,
          GCancellable  *cancellable)
{
  g_autoptr(MsSender) sender = ms_sender_new_for_server (run->server, secrets);
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GError) error = NULL;
  MsSmtpTimeouts timeouts;

  if (password != NULL)
    ms_sender_set_password (sender, password);
  client = ms_sender_new_smtp_client (run->server, &error);
  if (client == NULL)
    {
      fail_step (run, MS_SERVER_TEST_STEP_CONNECT, NULL, error);
      return;
    }
  ms_smtp_client_get_timeouts (client, &timeouts);
  timeouts.connect = connect_timeout_ms;
  timeouts.greeting = timeouts.command = timeouts.mail = timeouts.rcpt = TEST_REPLY_TIMEOUT_MS;
  ms_smtp_client_set_timeouts (client, &timeouts);
  ms_smtp_client_set_trace_func (client, on_trace, run, NULL);

  run->report->success = run_connect (run, client, cancellable)
                         && run_auth (run, sender, client, cancellable)
                         && run_sender (run, client, cancellable);
  if (ms_smtp_client_is_connected (client))
    ms_smtp_client_quit (client, cancellable, NULL);
  ms_smtp_client_close (client);
}

static void
run_local (TestRun       *run,
           MsSecrets     *secrets,
           GCancellable  *cancellable)
{
  g_autoptr(MsSender) sender = ms_sender_new_for_server (run->server, secrets);
  g_autoptr(GError) error = NULL;
  MsServerTestStep step = ms_server_get_transport (run->server) == MS_TRANSPORT_FOLDER
                          ? MS_SERVER_TEST_STEP_FOLDER : MS_SERVER_TEST_STEP_SENDMAIL;

  if (step == MS_SERVER_TEST_STEP_FOLDER)
    emitf (run, step, MS_SERVER_TEST_RUNNING, _("Checking the folder %s…"),
           ms_server_get_folder (run->server));
  else
    emitf (run, step, MS_SERVER_TEST_RUNNING, _("Checking the program %s…"),
           ms_sender_get_sendmail_path (sender));

  if (!ms_sender_open (sender, cancellable, &error))
    {
      fail_step (run, step, NULL, error);
      return;
    }
  if (step == MS_SERVER_TEST_STEP_FOLDER)
    emit (run, step, MS_SERVER_TEST_OK, _("Messages can be written to the folder."));
  else
    emit (run, step, MS_SERVER_TEST_OK, _("The sendmail program is there."));
  run->report->success = TRUE;
}

MsServerTestReport *
ms_server_test_run (MsServer          *server,
                    MsSecrets         *secrets,
                    const char        *password,
                    guint              connect_timeout_ms,
                    MsServerTestFunc   func,
                    gpointer           user_data,
                    GCancellable      *cancellable)
{
  TestRun run = { 0 };

  g_return_val_if_fail (MS_IS_SERVER (server), NULL);

  run.server = server;
  run.func = func;
  run.user_data = user_data;
  run.report = g_new0 (MsServerTestReport, 1);
  if (connect_timeout_ms == 0)
    connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;

  if (ms_server_get_transport (server) == MS_TRANSPORT_SMTP)
    run_smtp (&run, secrets, password, connect_timeout_ms, cancellable);
  else
    run_local (&run, secrets, cancellable);
  return run.report;
}

/* Async: the worker posts each event to the caller's context. */

typedef struct
{
  MsServer          *server;
  MsSecrets         *secrets;
  char              *password;
  MsServerTestFunc   func;
  gpointer           user_data;
  GMainContext      *context;
} AsyncData;

static void
async_data_free (AsyncData *data)
{
  g_object_unref (data->server);
  g_clear_object (&data->secrets);
  ms_secret_free (data->password);
  g_main_context_unref (data->context);
  g_free (data);
}

typedef struct
{
  MsServerTestFunc    func;
  gpointer            user_data;
  MsServerTestStep    step;
  MsServerTestStatus  status;
  char               *text;
} Event;

static void
event_free (gpointer data)
{
  Event *event = data;

  g_free (event->text);
  g_free (event);
}

static gboolean
deliver_event (gpointer data)
{
  Event *event = data;

  event->func (event->step, event->status, event->text, event->user_data);
  return G_SOURCE_REMOVE;
}

static void
post_event (MsServerTestStep    step,
            MsServerTestStatus  status,
            const char         *text,
            gpointer            user_data)
{
  AsyncData *data = user_data;
  Event *event = g_new0 (Event, 1);
  GSource *source;

  event->func = data->func;
  event->user_data = data->user_data;
  event->step = step;
  event->status = status;
  event->text = g_strdup (text);
  /* An idle source, not g_main_context_invoke(): that would run the callback
   * here, on the worker thread, whenever the owner's context is not busy. */
  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, deliver_event, event, event_free);
  g_source_set_static_name (source, "[mailshot] server test step");
  g_source_attach (source, data->context);
  g_source_unref (source);
}

static void
test_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AsyncData *data = task_data;
  MsServerTestReport *report;

  report = ms_server_test_run (data->server, data->secrets, data->password, 0,
                               data->func != NULL ? post_event : NULL, data, cancellable);
  if (g_cancellable_is_cancelled (cancellable))
    {
      ms_server_test_report_free (report);
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The test was cancelled."));
      return;
    }
  g_task_return_pointer (task, report, (GDestroyNotify) ms_server_test_report_free);
}

void
ms_server_test_run_async (MsServer            *server,
                          MsSecrets           *secrets,
                          const char          *password,
                          MsServerTestFunc     func,
                          gpointer             user_data,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             callback_data)
{
  g_autoptr(GTask) task = NULL;
  AsyncData *data;

  g_return_if_fail (MS_IS_SERVER (server));

  data = g_new0 (AsyncData, 1);
  data->server = ms_server_copy (server);
  data->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  data->password = g_strdup (password);
  data->func = func;
  data->user_data = user_data;
  data->context = g_main_context_ref_thread_default ();

  task = g_task_new (NULL, cancellable, callback, callback_data);
  g_task_set_source_tag (task, ms_server_test_run_async);
  g_task_set_task_data (task, data, (GDestroyNotify) async_data_free);
  g_task_run_in_thread (task, test_thread);
}

MsServerTestReport *
ms_server_test_run_finish (GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

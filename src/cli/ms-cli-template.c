/* ms-cli-template.c
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
#include <string.h>

#include "ms-cli.h"
#include "ms-merge.h"
#include "ms-message.h"
#include "ms-preflight.h"
#include "ms-sender.h"
#include "ms-server-test.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

static void
write_template_json (MsJsonWriter *writer,
                     MsTemplate   *tmpl)
{
  GPtrArray *attachments = ms_template_get_attachments (tmpl);
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_utc (ms_template_get_created_at (tmpl));
  g_autofree char *created_iso = created != NULL ? g_date_time_format_iso8601 (created) : NULL;

  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "id");
  ms_json_writer_int (writer, ms_template_get_id (tmpl));
  ms_json_writer_key (writer, "name");
  ms_json_writer_string (writer, ms_template_get_name (tmpl));
  ms_json_writer_key (writer, "subject");
  ms_json_writer_string (writer, ms_template_get_subject (tmpl));
  ms_json_writer_key (writer, "body_format");
  ms_json_writer_string (writer, ms_body_format_to_string (ms_template_get_body_format (tmpl)));
  ms_json_writer_key (writer, "body_length");
  ms_json_writer_int (writer, ms_template_get_body (tmpl) ? strlen (ms_template_get_body (tmpl)) : 0);
  ms_json_writer_key (writer, "text_alt");
  ms_json_writer_boolean (writer, ms_template_get_text_alt (tmpl) != NULL);
  ms_json_writer_key (writer, "from");
  ms_json_writer_string (writer, ms_template_get_sender_address (tmpl));
  ms_json_writer_key (writer, "from_name");
  ms_json_writer_string (writer, ms_template_get_sender_name (tmpl));
  ms_json_writer_key (writer, "reply_to");
  ms_json_writer_string (writer, ms_template_get_reply_to (tmpl));
  ms_json_writer_key (writer, "attachments");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; i < attachments->len; i++)
    {
      MsAttachment *a = g_ptr_array_index (attachments, i);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "filename");
      ms_json_writer_string (writer, a->filename);
      ms_json_writer_key (writer, "content_type");
      ms_json_writer_string (writer, a->content_type);
      ms_json_writer_key (writer, "size");
      ms_json_writer_int (writer, a->data != NULL ? (gint64) g_bytes_get_size (a->data) : 0);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
  ms_json_writer_key (writer, "created_at");
  ms_json_writer_string (writer, created_iso);
  ms_json_writer_end_object (writer);
}

/* template add */

static char *
read_text_file (const char  *path,
                GError     **error)
{
  g_autofree char *text = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  if (!g_utf8_validate (text, (gssize) length, NULL) || memchr (text, '\0', length) != NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("%s is not UTF-8 text."), path);
      return NULL;
    }
  return g_steal_pointer (&text);
}

/* Checks the merge fields' syntax (field names are checked when rendering, against
 * the contacts of that moment). */
static gboolean
check_merge_syntax (MsTemplate  *tmpl,
                    GError     **error)
{
  g_autoptr(MsMergeTemplate) subject = NULL;
  g_autoptr(MsMergeTemplate) text = NULL;
  g_autoptr(MsMergeTemplate) html = NULL;
  const char *body = ms_template_get_body (tmpl) != NULL ? ms_template_get_body (tmpl) : "";

  subject = ms_merge_compile (ms_template_get_subject (tmpl), MS_MERGE_MODE_HEADER, NULL, error);
  if (subject == NULL)
    return FALSE;
  switch (ms_template_get_body_format (tmpl))
    {
    case MS_BODY_FORMAT_MARKDOWN:
      return ms_merge_compile_markdown (body, NULL, &text, &html, error);
    case MS_BODY_FORMAT_HTML:
      if (ms_template_get_text_alt (tmpl) != NULL)
        {
          g_autoptr(MsMergeTemplate) alt = ms_merge_compile (ms_template_get_text_alt (tmpl),
                                                             MS_MERGE_MODE_TEXT, NULL, error);

          if (alt == NULL)
            return FALSE;
        }
      return ms_merge_compile_html (body, NULL, &text, &html, error);
    case MS_BODY_FORMAT_TEXT:
    default:
      text = ms_merge_compile (body, MS_MERGE_MODE_TEXT, NULL, error);
      return text != NULL;
    }
}

static int
set_body (MsCli           *cli,
          const MsCliArgs *args,
          MsTemplate      *tmpl)
{
  const char *formats[] = { "markdown", "html", "text" };
  const MsBodyFormat values[] = { MS_BODY_FORMAT_MARKDOWN, MS_BODY_FORMAT_HTML, MS_BODY_FORMAT_TEXT };
  const char *text_alt = ms_cli_args_get_option (args, "text-alt");
  g_autoptr(GError) error = NULL;
  const char *path = NULL;
  g_autofree char *body = NULL;
  guint chosen = 0;
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      if (ms_cli_args_get_option (args, formats[i]) != NULL)
        {
          path = ms_cli_args_get_option (args, formats[i]);
          chosen = i;
          n++;
        }
    }
  if (n != 1)
    return ms_cli_usage_error (cli, _("Give the body with exactly one of --markdown, --html and "
                                      "--text."));
  if (text_alt != NULL && values[chosen] != MS_BODY_FORMAT_HTML)
    return ms_cli_usage_error (cli, _("--text-alt goes with --html: Markdown and text bodies "
                                      "are their own text part."));
  if (!(body = read_text_file (path, &error)))
    return ms_cli_fail (cli, error);
  ms_template_set_body_format (tmpl, values[chosen]);
  ms_template_set_body (tmpl, body);
  if (text_alt != NULL)
    {
      g_autofree char *alt = read_text_file (text_alt, &error);

      if (alt == NULL)
        return ms_cli_fail (cli, error);
      ms_template_set_text_alt (tmpl, alt);
    }
  return -1;
}

static int
set_addresses (MsCli           *cli,
               const MsCliArgs *args,
               MsTemplate      *tmpl)
{
  const char *options[] = { "from", "reply-to" };

  for (guint i = 0; i < G_N_ELEMENTS (options); i++)
    {
      const char *value = ms_cli_args_get_option (args, options[i]);
      g_autoptr(GError) error = NULL;
      g_autofree char *address = NULL;

      if (value == NULL)
        continue;
      address = ms_cli_normalize_address (value, &error);
      if (address == NULL)
        return ms_cli_usage_error (cli, "%s", error->message);
      if (i == 0)
        ms_template_set_sender_address (tmpl, address);
      else
        ms_template_set_reply_to (tmpl, address);
    }
  ms_template_set_sender_name (tmpl, ms_cli_args_get_option (args, "from-name"));
  return -1;
}

static int
run_add (MsCli           *cli,
         const MsCliArgs *args)
{
  const char *subject = ms_cli_args_get_option (args, "subject");
  const char * const *attach = ms_cli_args_get_option_values (args, "attach");
  g_autoptr(MsTemplate) tmpl = ms_template_new (ms_cli_args_get_positional (args, 0));
  g_autoptr(GError) error = NULL;
  MsStore *store;
  int exit_code;

  if (subject == NULL)
    return ms_cli_usage_error (cli, _("Give the subject with --subject TEXT."));
  ms_template_set_subject (tmpl, subject);
  if ((exit_code = set_body (cli, args, tmpl)) >= 0
      || (exit_code = set_addresses (cli, args, tmpl)) >= 0)
    return exit_code;
  for (guint i = 0; attach[i] != NULL; i++)
    {
      g_autoptr(MsAttachment) attachment = ms_attachment_new_from_file (attach[i], NULL, &error);

      if (attachment == NULL)
        return ms_cli_fail (cli, error);
      ms_template_add_attachment (tmpl, attachment);
    }
  if (!check_merge_syntax (tmpl, &error))
    return ms_cli_fail (cli, error);

  if (!(store = ms_cli_get_store (cli, &error)) || ms_store_add_template (store, tmpl, &error) == 0)
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      write_template_json (writer, tmpl);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      ms_cli_print (cli, _("Added the template “%s”.\n"), ms_template_get_name (tmpl));
    }
  return MS_CLI_EXIT_OK;
}

/* template list, remove */

static int
run_list (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(GPtrArray) templates = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(templates = ms_store_list_templates (store, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < templates->len; i++)
        write_template_json (writer, g_ptr_array_index (templates, i));
      ms_json_writer_end_array (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }
  for (guint i = 0; i < templates->len; i++)
    {
      MsTemplate *tmpl = g_ptr_array_index (templates, i);

      ms_cli_print (cli, "%s\t%s\t%s\n", ms_template_get_name (tmpl),
                    ms_body_format_to_string (ms_template_get_body_format (tmpl)),
                    ms_template_get_subject (tmpl) ? ms_template_get_subject (tmpl) : "");
    }
  return MS_CLI_EXIT_OK;
}

static int
run_remove (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(tmpl = ms_store_find_template (store, ms_cli_args_get_positional (args, 0), &error))
      || !ms_store_delete_template (store, ms_template_get_id (tmpl), &error))
    return ms_cli_fail (cli, error);
  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "removed");
      ms_json_writer_string (writer, ms_template_get_name (tmpl));
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      ms_cli_print (cli, _("Removed the template “%s”.\n"), ms_template_get_name (tmpl));
    }
  return MS_CLI_EXIT_OK;
}

/* Rendering, as a campaign through @server would */

static MsMessageRenderer *
make_renderer (MsCli       *cli,
               MsStore     *store,
               MsTemplate  *tmpl,
               MsServer    *server,
               GError     **error)
{
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_auto(GStrv) fields = NULL;
  MsMessageSender sender = { 0 };

  fields = ms_store_list_field_names (store, error);
  if (fields == NULL)
    return NULL;
  if (server != NULL)
    {
      sender.from_address = ms_server_get_sender_address (server);
      sender.from_name = ms_server_get_sender_name (server);
      sender.allow_sender_substitution = ms_server_get_allow_sender_substitution (server);
      /* Unsubscribe requests go to the mailbox Mailshot reads for this server. */
      if (ms_server_get_incoming_protocol (server) != MS_INCOMING_NONE)
        sender.unsubscribe_address = ms_server_get_sender_address (server);
    }
  renderer = ms_message_renderer_new (tmpl, &sender, (const char * const *) fields, error);
  if (renderer == NULL)
    return NULL;

  if (server != NULL && ms_server_get_dkim_key_ref (server) != NULL)
    {
      g_autoptr(MsSecrets) secrets = ms_cli_open_secrets (cli);
      char *key = ms_secrets_lookup (secrets, MS_SECRET_DKIM, ms_server_get_dkim_domain (server),
                                     ms_server_get_dkim_selector (server), NULL, error);
      gboolean ok;

      if (key == NULL)
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, MS_SECRETS_ERROR, MS_SECRETS_ERROR_FAILED,
                         _("The DKIM key %s of the server profile “%s” is not in the secret "
                           "store: add the profile again with --dkim-key-file."),
                         ms_server_get_dkim_key_ref (server), ms_server_get_name (server));
          return NULL;
        }
      ok = ms_message_renderer_set_dkim (renderer, ms_server_get_dkim_domain (server),
                                         ms_server_get_dkim_selector (server), key, error);
      ms_secret_free (key);
      if (!ok)
        return NULL;
    }
  return g_steal_pointer (&renderer);
}

static GBytes *
render_message (MsMessageRenderer  *renderer,
                MsContact          *contact,
                char              **out_message_id,
                GError            **error)
{
  const char *from = ms_message_renderer_get_from_address (renderer);
  const char *at = from != NULL ? strrchr (from, '@') : NULL;
  g_autofree char *message_id = ms_message_new_message_id (at != NULL ? at + 1 : "localhost");
  GBytes *bytes;

  bytes = ms_message_renderer_render (renderer, contact, message_id, error);
  if (bytes != NULL && out_message_id != NULL)
    *out_message_id = g_steal_pointer (&message_id);
  return bytes;
}

static MsContact *
find_contact (MsCli      *cli,
              MsStore    *store,
              const char *text,
              int        *out_exit)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *address = ms_cli_normalize_address (text, &error);
  MsContact *contact;

  if (address == NULL)
    {
      *out_exit = ms_cli_usage_error (cli, "%s", error->message);
      return NULL;
    }
  contact = ms_store_find_contact (store, address, &error);
  if (contact == NULL)
    *out_exit = ms_cli_fail (cli, error);
  return contact;
}

/* The server of --server, else the first enabled profile; NULL (no error) when
 * there is none and none was asked for. */
static MsServer *
choose_server (MsCli            *cli,
               MsStore          *store,
               const char       *name,
               int              *out_exit)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autoptr(GError) error = NULL;
  MsServer *server;

  if (name != NULL)
    {
      server = ms_store_find_server (store, name, &error);
      if (server == NULL)
        *out_exit = ms_cli_fail (cli, error);
      return server;
    }
  servers = ms_store_list_servers (store, &error);
  if (servers == NULL)
    {
      *out_exit = ms_cli_fail (cli, error);
      return NULL;
    }
  for (guint i = 0; i < servers->len; i++)
    {
      if (ms_server_get_enabled (g_ptr_array_index (servers, i)))
        return g_object_ref (g_ptr_array_index (servers, i));
    }
  return NULL;
}

static int
run_render (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(MsContact) contact = NULL;
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message_id = NULL;
  const char *contact_text = ms_cli_args_get_option (args, "contact");
  int exit_code = -1;
  MsStore *store;

  if (contact_text == NULL)
    return ms_cli_usage_error (cli, _("Name the contact with --contact EMAIL."));
  if (!(store = ms_cli_get_store (cli, &error))
      || !(tmpl = ms_store_find_template (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);
  if (!(contact = find_contact (cli, store, contact_text, &exit_code)))
    return exit_code;
  server = choose_server (cli, store, ms_cli_args_get_option (args, "server"), &exit_code);
  if (exit_code >= 0)
    return exit_code;
  if (!(renderer = make_renderer (cli, store, tmpl, server, &error))
      || !(message = render_message (renderer, contact, &message_id, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);
      g_autofree char *text = g_strndup (g_bytes_get_data (message, NULL), g_bytes_get_size (message));

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "template");
      ms_json_writer_string (writer, ms_template_get_name (tmpl));
      ms_json_writer_key (writer, "contact");
      ms_json_writer_string (writer, ms_contact_get_email (contact));
      ms_json_writer_key (writer, "server");
      ms_json_writer_string (writer, server != NULL ? ms_server_get_name (server) : NULL);
      ms_json_writer_key (writer, "from");
      ms_json_writer_string (writer, ms_message_renderer_get_from_address (renderer));
      ms_json_writer_key (writer, "message_id");
      ms_json_writer_string (writer, message_id);
      ms_json_writer_key (writer, "size");
      ms_json_writer_int (writer, (gint64) g_bytes_get_size (message));
      ms_json_writer_key (writer, "message");
      ms_json_writer_string (writer, text);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }
  /* The exact bytes that would be sent, CR LF line ends included. */
  ms_cli_write (cli, g_bytes_get_data (message, NULL), (gssize) g_bytes_get_size (message));
  return MS_CLI_EXIT_OK;
}

/* template send-test */

/* Shows the pre-flight findings on standard error; FALSE when one forbids sending. */
static gboolean
preflight (MsTemplate *tmpl,
           MsServer   *server,
           gsize       size)
{
  MsPreflightServer ps = {
    ms_server_get_name (server), ms_server_get_sender_address (server),
    ms_server_get_allow_sender_substitution (server), ms_server_get_max_message_size (server),
  };
  g_autoptr(GPtrArray) findings = ms_preflight_check (tmpl, size, &ps, 1);
  gboolean ok = TRUE;

  for (guint i = 0; i < findings->len; i++)
    {
      MsPreflightFinding *f = g_ptr_array_index (findings, i);

      ms_cli_message ("%s", f->message);
      if (f->severity == MS_PREFLIGHT_ERROR)
        ok = FALSE;
    }
  return ok;
}

static int
fail_send (MsCli        *cli,
           MsSender     *sender,
           MsServer     *server,
           const GError *error)
{
  MsSmtpClient *client = ms_sender_get_smtp_client (sender);
  const MsSmtpReply *reply = NULL;
  MsSmtpStage stage = MS_SMTP_STAGE_GREETING;
  g_autofree char *explanation = NULL;

  if (client != NULL)
    reply = ms_smtp_client_get_error_reply (client, &stage);
  explanation = ms_server_explain_error (server, error, reply, stage, NULL);
  ms_cli_message (_("The test message was not sent: %s"), error->message);
  if (explanation != NULL)
    ms_cli_message ("%s", explanation);
  return MS_CLI_EXIT_ERROR;
}

static int
run_send_test (MsCli           *cli,
               const MsCliArgs *args)
{
  const char *server_name = ms_cli_args_get_option (args, "server");
  const char *to_text = ms_cli_args_get_option (args, "to");
  const char *contact_text = ms_cli_args_get_option (args, "contact");
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(MsContact) contact = NULL;
  g_autoptr(MsServer) server = NULL;
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(MsSender) sender = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GPtrArray) replies = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *to = NULL;
  g_autofree char *message_id = NULL;
  const char *rcpts[2] = { NULL, NULL };
  int exit_code = -1;
  MsStore *store;

  if (server_name == NULL || to_text == NULL)
    return ms_cli_usage_error (cli, _("Give the server with --server NAME and the recipient "
                                      "with --to ADDRESS."));
  if (!(to = ms_cli_normalize_address (to_text, &error)))
    return ms_cli_usage_error (cli, "%s", error->message);
  if (!(store = ms_cli_get_store (cli, &error))
      || !(tmpl = ms_store_find_template (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);
  if (!(server = choose_server (cli, store, server_name, &exit_code)))
    return exit_code;
  /* Merge fields come from --contact, else from a contact that has only the address. */
  if (contact_text != NULL)
    contact = find_contact (cli, store, contact_text, &exit_code);
  else
    contact = ms_contact_new (to);
  if (contact == NULL)
    return exit_code;

  if (!(renderer = make_renderer (cli, store, tmpl, server, &error))
      || !(message = render_message (renderer, contact, &message_id, &error)))
    return ms_cli_fail (cli, error);
  if (!preflight (tmpl, server, g_bytes_get_size (message)))
    return MS_CLI_EXIT_ERROR;

  secrets = ms_cli_open_secrets (cli);
  sender = ms_sender_new_for_server (server, secrets);
  rcpts[0] = to;
  /* The envelope sender is the server's own address: bounces come back to it. */
  if (!ms_sender_send (sender, message, ms_server_get_sender_address (server), rcpts, NULL, NULL,
                       &replies, NULL, &error))
    {
      exit_code = fail_send (cli, sender, server, error);
      ms_sender_close (sender, NULL);
      return exit_code;
    }
  ms_sender_close (sender, NULL);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "sent");
      ms_json_writer_boolean (writer, TRUE);
      ms_json_writer_key (writer, "template");
      ms_json_writer_string (writer, ms_template_get_name (tmpl));
      ms_json_writer_key (writer, "server");
      ms_json_writer_string (writer, ms_server_get_name (server));
      ms_json_writer_key (writer, "to");
      ms_json_writer_string (writer, to);
      ms_json_writer_key (writer, "from");
      ms_json_writer_string (writer, ms_message_renderer_get_from_address (renderer));
      ms_json_writer_key (writer, "message_id");
      ms_json_writer_string (writer, message_id);
      ms_json_writer_key (writer, "size");
      ms_json_writer_int (writer, (gint64) g_bytes_get_size (message));
      ms_json_writer_key (writer, "response");
      ms_json_writer_string (writer, ms_sender_get_last_response (sender));
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      /* TRANSLATORS: "Sent “Welcome” to anna@example.org through “Gmail”: 250 2.0.0 OK" */
      ms_cli_print (cli, _("Sent “%s” to %s through “%s”: %s\n"), ms_template_get_name (tmpl), to,
                    ms_server_get_name (server), ms_sender_get_last_response (sender));
    }
  return MS_CLI_EXIT_OK;
}

/* The command table */

static const MsCliOption add_options[] = {
  { "subject", "TEXT", N_("The subject (merge fields allowed)") },
  { "markdown", "FILE", N_("The body in Markdown: sent as HTML with the Markdown as text part") },
  { "html", "FILE", N_("The body in HTML") },
  { "text", "FILE", N_("The body in plain text") },
  { "text-alt", "FILE", N_("With --html: the text part (derived from the HTML otherwise)") },
  { "from", "ADDRESS", N_("A fixed sender address (else the sending server’s)") },
  { "from-name", "NAME", N_("The sender name") },
  { "reply-to", "ADDRESS", N_("The Reply-To address") },
  { "attach", "FILE", N_("Attach FILE; repeatable") },
  { NULL, NULL, NULL }
};

static const MsCliOption render_options[] = {
  { "contact", "EMAIL", N_("The contact whose fields fill the template (required)") },
  { "server", "NAME", N_("Render as sent through this server (default: the first enabled one)") },
  { NULL, NULL, NULL }
};

static const MsCliOption send_test_options[] = {
  { "server", "NAME", N_("Send through this server profile (required)") },
  { "to", "ADDRESS", N_("Send to this address (required)") },
  { "contact", "EMAIL", N_("Fill the fields from this contact (default: only the address)") },
  { NULL, NULL, NULL }
};

static const MsCliCommand add_command = {
  .name = "add",
  .summary = N_("Add a template"),
  .description = N_("The body is read from a UTF-8 file; attachments are stored in the "
                    "database. Merge fields are written {{first_name}} or "
                    "{{company | \"your team\"}}."),
  .run = run_add,
  .synopsis = "NAME --subject TEXT (--markdown F | --html F | --text F) [OPTION…]",
  .options = add_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand list_command = {
  .name = "list",
  .summary = N_("Show the templates"),
  .description = N_("One template a line, tab-separated: name, body format, subject."),
  .run = run_list,
  .synopsis = "",
  .min_args = 0,
  .max_args = 0,
};

static const MsCliCommand render_command = {
  .name = "render",
  .summary = N_("Write the exact message a contact would receive"),
  .description = N_("The message goes to standard output byte for byte, with CR LF line ends, "
                    "as it would be sent (a fresh Message-ID and Date each time)."),
  .run = run_render,
  .synopsis = "NAME --contact EMAIL [--server NAME]",
  .options = render_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand send_test_command = {
  .name = "send-test",
  .summary = N_("Send one test message"),
  .run = run_send_test,
  .synopsis = "NAME --server NAME --to ADDRESS [--contact EMAIL]",
  .options = send_test_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand remove_command = {
  .name = "remove",
  .summary = N_("Remove a template"),
  .run = run_remove,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand *const template_subcommands[] = {
  &list_command,
  &add_command,
  &render_command,
  &send_test_command,
  &remove_command,
  NULL
};

const MsCliCommand ms_cli_template_command = {
  .name = "template",
  .summary = N_("Add, render, test-send and remove message templates"),
  .subcommands = template_subcommands,
  .default_subcommand = "list",
};

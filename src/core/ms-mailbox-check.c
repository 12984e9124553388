/* ms-mailbox-check.c
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

#define G_LOG_DOMAIN "ms-mailbox"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-imap-client.h"
#include "ms-mailbox-check-private.h"
#include "ms-pop3-client.h"

/* POP3 has one maildrop: the UIDLs of messages about our mail, which may be
 * deleted, and of the rest, which never are. */
#define POP3_MAILBOX      "POP3"
#define POP3_MAILBOX_KEPT "POP3/kept"

G_DEFINE_QUARK (ms-mailbox-error-quark, ms_mailbox_error)

void
ms_mailbox_check_options_init (MsMailboxCheckOptions *options)
{
  g_return_if_fail (options != NULL);

  memset (options, 0, sizeof *options);
  options->soft_bounce_limit = 3;
  options->max_message_size = MS_IMAP_DEFAULT_MAX_MESSAGE_SIZE;
  options->timeout_ms = MS_IMAP_DEFAULT_TIMEOUT_MS;
  options->match_days = 60;
}

void
ms_mailbox_check_result_add (MsMailboxCheckResult       *sum,
                             const MsMailboxCheckResult *part)
{
  g_return_if_fail (sum != NULL);
  g_return_if_fail (part != NULL);

  sum->fetched += part->fetched;
  sum->bounces += part->bounces;
  sum->hard_bounces += part->hard_bounces;
  sum->complaints += part->complaints;
  sum->unsubscribes += part->unsubscribes;
  sum->autoreplies += part->autoreplies;
  sum->unmatched += part->unmatched;
  sum->duplicates += part->duplicates;
  sum->other += part->other;
  sum->suppressed += part->suppressed;
  sum->moved += part->moved;
  sum->deleted += part->deleted;
}

gboolean
ms_mailbox_result_is_ours (const MsMailboxCheckResult *one)
{
  g_return_val_if_fail (one != NULL, FALSE);

  return one->bounces + one->complaints + one->unsubscribes + one->autoreplies + one->duplicates > 0;
}

static const char *
incoming_login (MsServer *server)
{
  const char *login = ms_server_get_incoming_login (server);

  return login != NULL ? login : ms_server_get_login (server);
}

static const char *
incoming_host (MsServer *server)
{
  const char *host = ms_server_get_incoming_host (server);

  return host != NULL ? host : ms_server_get_host (server);
}

char *
ms_mailbox_lookup_password (MsSecrets     *secrets,
                            MsServer      *server,
                            GCancellable  *cancellable,
                            GError       **error)
{
  MsIncomingProtocol protocol;
  GError *local_error = NULL;
  const char *host, *login;
  char *password;

  g_return_val_if_fail (MS_IS_SECRETS (secrets), NULL);
  g_return_val_if_fail (MS_IS_SERVER (server), NULL);

  protocol = ms_server_get_incoming_protocol (server);
  host = incoming_host (server);
  login = incoming_login (server);
  if (protocol == MS_INCOMING_NONE || host == NULL)
    {
      g_set_error (error, MS_MAILBOX_ERROR, MS_MAILBOX_ERROR_NOT_CONFIGURED,
                   _("The server “%s” has no incoming mailbox"), ms_server_get_name (server));
      return NULL;
    }

  password = ms_secrets_lookup (secrets, protocol == MS_INCOMING_POP3 ? MS_SECRET_POP3 : MS_SECRET_IMAP,
                                host, login, cancellable, &local_error);
  if (password == NULL && local_error == NULL && ms_server_get_host (server) != NULL
      && g_strcmp0 (login, ms_server_get_login (server)) == 0)
    password = ms_secrets_lookup (secrets, MS_SECRET_SMTP, ms_server_get_host (server),
                                  ms_server_get_login (server), cancellable, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (password == NULL)
    g_set_error (error, MS_MAILBOX_ERROR, MS_MAILBOX_ERROR_NO_PASSWORD,
                 _("No password is stored for the mailbox %s of “%s”"), host,
                 ms_server_get_name (server));
  return password;
}

/* The pinned certificate names the SMTP server's certificate: it applies to the
 * mailbox only on the same host.  The CA file applies everywhere. */
static const char *
pinned_for_incoming (MsServer *server)
{
  const char *smtp = ms_server_get_host (server);

  if (smtp == NULL || g_ascii_strcasecmp (smtp, incoming_host (server)) != 0)
    return NULL;
  return ms_server_get_pinned_fingerprint (server);
}

static gboolean
check_configured (MsServer  *server,
                  GError   **error)
{
  if (ms_server_get_incoming_protocol (server) != MS_INCOMING_NONE && incoming_host (server) != NULL)
    return TRUE;
  g_set_error (error, MS_MAILBOX_ERROR, MS_MAILBOX_ERROR_NOT_CONFIGURED,
               _("The server “%s” has no incoming mailbox"), ms_server_get_name (server));
  return FALSE;
}

static guint16
incoming_port (MsServer *server)
{
  guint port = ms_server_get_incoming_port (server);

  if (port == 0)
    port = ms_incoming_default_port (ms_server_get_incoming_protocol (server),
                                     ms_server_get_incoming_security (server));
  return (guint16) port;
}

/* IMAP */

static gboolean
imap_file_message (MsImapClient          *client,
                   MsServer              *server,
                   guint32                uid,
                   MsMailboxCheckResult  *result,
                   GCancellable          *cancellable,
                   GError               **error)
{
  const char *move_to = ms_server_get_incoming_move_to (server);
  const char *folder = ms_server_get_incoming_folder (server);
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (move_to != NULL && g_strcmp0 (move_to, folder != NULL ? folder : "INBOX") != 0)
    {
      ok = ms_imap_client_uid_move (client, uid, move_to, cancellable, &local_error);
      if (ok)
        result->moved++;
    }
  else
    ok = ms_imap_client_uid_add_flags (client, uid, "\\Seen", cancellable, &local_error);
  if (ok)
    return TRUE;

  /* The message is processed and recorded: a refusal to flag or move it is
   * worth a note, not the end of the check. */
  if (g_error_matches (local_error, MS_IMAP_ERROR, MS_IMAP_ERROR_REFUSED))
    {
      g_message ("%s", local_error->message);
      return TRUE;
    }
  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

static gboolean
check_imap (MsStore                     *store,
            MsServer                    *server,
            const char                  *password,
            const MsMailboxCheckOptions *options,
            MsMailboxCheckResult        *result,
            GCancellable                *cancellable,
            GError                     **error)
{
  g_autoptr(MsImapClient) client = NULL;
  g_autoptr(GArray) uids = NULL;
  g_autofree char *criteria = NULL;
  const char *folder = ms_server_get_incoming_folder (server);
  const char *mailbox = folder != NULL ? folder : "INBOX";
  gint64 server_id = ms_server_get_id (server);
  MsImapMailbox info = { 0 };
  guint32 last = 0;
  gboolean other_validity = FALSE;
  guint processed = 0;

  client = ms_imap_client_new (incoming_host (server), incoming_port (server),
                               ms_server_get_incoming_security (server));
  ms_imap_client_set_ca_file (client, ms_server_get_ca_file (server));
  if (!ms_imap_client_set_pinned_sha256 (client, pinned_for_incoming (server), error))
    return FALSE;
  ms_imap_client_set_timeout (client, options->timeout_ms);
  ms_imap_client_set_max_message_size (client, options->max_message_size);
  ms_imap_client_set_allow_plaintext_auth (client,
                                           ms_server_get_incoming_security (server) == MS_SECURITY_NONE);

  if (!ms_imap_client_connect (client, cancellable, error)
      || !ms_imap_client_login (client, incoming_login (server), password, cancellable, error)
      || !ms_imap_client_select (client, folder, &info, cancellable, error))
    return FALSE;

  if (!_ms_mailbox_seen_last_uid (store, server_id, mailbox, info.uidvalidity, &last,
                                  &other_validity, error))
    return FALSE;
  if (other_validity)
    {
      /* The folder was recreated: its UIDs start again.  Everything is read
       * again; what was already applied is recognised in the bounces table. */
      g_message ("The folder %s of %s has a new UIDVALIDITY (%u): reading it again", mailbox,
                 incoming_host (server), info.uidvalidity);
      if (!_ms_mailbox_seen_forget_other (store, server_id, mailbox, info.uidvalidity, error))
        return FALSE;
    }

  if (info.exists == 0 || (info.uidnext > 0 && info.uidnext <= last + 1) || last == G_MAXUINT32)
    {
      ms_imap_client_logout (client, cancellable, NULL);
      return TRUE;
    }

  criteria = g_strdup_printf ("UID %u:*", last + 1);
  uids = ms_imap_client_uid_search (client, criteria, cancellable, error);
  if (uids == NULL)
    return FALSE;

  for (guint i = 0; i < uids->len; i++)
    {
      guint32 uid = g_array_index (uids, guint32, i);
      g_autoptr(GBytes) raw = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *uid_text = NULL;
      MsMailboxCheckResult one;
      MsMailboxSeen seen;
      gboolean truncated = FALSE;

      /* "n:*" always names the last message, even below n. */
      if (uid <= last)
        continue;
      if (options->max_messages > 0 && processed >= options->max_messages)
        break;
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      raw = ms_imap_client_uid_fetch (client, uid, &truncated, cancellable, &local_error);
      if (raw == NULL)
        {
          /* Expunged by someone else in the meantime. */
          if (g_error_matches (local_error, MS_IMAP_ERROR, MS_IMAP_ERROR_REFUSED)
              && ms_imap_client_is_connected (client))
            {
              g_debug ("%s", local_error->message);
              continue;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (truncated)
        g_message ("Message %u of %s is larger than %zu bytes; only its start "
                   "was read", uid, mailbox, options->max_message_size);

      uid_text = g_strdup_printf ("%u", uid);
      seen = (MsMailboxSeen) { mailbox, info.uidvalidity, uid_text, NULL };
      memset (&one, 0, sizeof one);
      if (!ms_mailbox_process_message (store, server_id, raw, &seen, options, &one, error))
        return FALSE;
      ms_mailbox_check_result_add (result, &one);
      processed++;

      if (ms_mailbox_result_is_ours (&one)
          && !imap_file_message (client, server, uid, result, cancellable, error))
        return FALSE;
    }

  ms_imap_client_logout (client, cancellable, NULL);
  return TRUE;
}

/* POP3 */

static gboolean
check_pop3 (MsStore                     *store,
            MsServer                    *server,
            const char                  *password,
            const MsMailboxCheckOptions *options,
            MsMailboxCheckResult        *result,
            GCancellable                *cancellable,
            GError                     **error)
{
  g_autoptr(MsPop3Client) client = NULL;
  g_autoptr(GPtrArray) messages = NULL;
  g_autoptr(GHashTable) ours = NULL;
  g_autoptr(GHashTable) kept = NULL;
  g_autoptr(GHashTable) present = NULL;
  gint64 server_id = ms_server_get_id (server);
  gboolean keep = ms_server_get_incoming_keep (server);
  guint processed = 0;

  client = ms_pop3_client_new (incoming_host (server), incoming_port (server),
                               ms_server_get_incoming_security (server));
  ms_pop3_client_set_ca_file (client, ms_server_get_ca_file (server));
  if (!ms_pop3_client_set_pinned_sha256 (client, pinned_for_incoming (server), error))
    return FALSE;
  ms_pop3_client_set_timeout (client, options->timeout_ms);
  ms_pop3_client_set_max_message_size (client, options->max_message_size);
  ms_pop3_client_set_allow_plaintext_auth (client,
                                           ms_server_get_incoming_security (server) == MS_SECURITY_NONE);

  if (!ms_pop3_client_connect (client, cancellable, error)
      || !ms_pop3_client_login (client, incoming_login (server), password, cancellable, error))
    return FALSE;
  messages = ms_pop3_client_list (client, cancellable, error);
  if (messages == NULL)
    return FALSE;
  ours = _ms_mailbox_seen_list (store, server_id, POP3_MAILBOX, error);
  if (ours == NULL)
    return FALSE;
  kept = _ms_mailbox_seen_list (store, server_id, POP3_MAILBOX_KEPT, error);
  if (kept == NULL)
    return FALSE;

  for (guint i = 0; i < messages->len; i++)
    {
      MsPop3Message *message = g_ptr_array_index (messages, i);

      if (!g_hash_table_contains (ours, message->uid) && !g_hash_table_contains (kept, message->uid))
        {
          g_autoptr(GBytes) raw = NULL;
          MsMailboxCheckResult one = { 0 };
          MsMailboxSeen seen = { POP3_MAILBOX, 0, message->uid, POP3_MAILBOX_KEPT };
          gboolean truncated = FALSE;

          if (options->max_messages > 0 && processed >= options->max_messages)
            continue;
          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          raw = ms_pop3_client_retr (client, message->number, &truncated, cancellable, error);
          if (raw == NULL)
            return FALSE;
          if (truncated)
            g_message ("Message %s is larger than %zu bytes; only its start was "
                       "read", message->uid, options->max_message_size);
          if (!ms_mailbox_process_message (store, server_id, raw, &seen, options, &one, error))
            return FALSE;
          ms_mailbox_check_result_add (result, &one);
          processed++;
          g_hash_table_add (ms_mailbox_result_is_ours (&one) ? ours : kept, g_strdup (message->uid));
        }

      /* Processed now or before (when a deletion was lost with the connection). */
      if (!keep && g_hash_table_contains (ours, message->uid))
        {
          if (!ms_pop3_client_dele (client, message->number, cancellable, error))
            return FALSE;
          result->deleted++;
        }
    }

  if (!ms_pop3_client_quit (client, cancellable, error))
    return FALSE;

  /* Forget mail that is gone from the server: its UIDL will not come back. */
  present = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < messages->len; i++)
    {
      MsPop3Message *message = g_ptr_array_index (messages, i);

      if (keep || !g_hash_table_contains (ours, message->uid))
        g_hash_table_add (present, message->uid);
    }
  return _ms_mailbox_seen_prune (store, server_id, POP3_MAILBOX, present, error)
         && _ms_mailbox_seen_prune (store, server_id, POP3_MAILBOX_KEPT, present, error);
}

gboolean
ms_mailbox_check_server (MsStore                     *store,
                         MsServer                    *server,
                         const char                  *password,
                         const MsMailboxCheckOptions *options,
                         MsMailboxCheckResult        *result,
                         GCancellable                *cancellable,
                         GError                     **error)
{
  MsMailboxCheckOptions defaults;
  MsMailboxCheckResult ignored = { 0 };
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (store), FALSE);
  g_return_val_if_fail (MS_IS_SERVER (server), FALSE);
  g_return_val_if_fail (ms_server_get_id (server) > 0, FALSE);
  g_return_val_if_fail (password != NULL, FALSE);

  if (options == NULL)
    {
      ms_mailbox_check_options_init (&defaults);
      options = &defaults;
    }
  if (result == NULL)
    result = &ignored;
  if (!check_configured (server, error))
    return FALSE;

  if (ms_server_get_incoming_protocol (server) == MS_INCOMING_POP3)
    ok = check_pop3 (store, server, password, options, result, cancellable, error);
  else
    ok = check_imap (store, server, password, options, result, cancellable, error);
  return ok;
}

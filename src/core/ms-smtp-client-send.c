/* ms-smtp-client-send.c
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

#define G_LOG_DOMAIN "ms-smtp"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-smtp-client-private.h"

/* Transactions */

/* Checks @address and appends it as it goes between < and >: the domain in ASCII
 * unless the local part needs SMTPUTF8 anyway. */
static gboolean
append_address (MsSmtpClient  *self,
                GString       *out,
                const char    *address,
                gboolean       allow_empty,
                gboolean      *needs_utf8,
                GError       **error)
{
  gboolean quoted = FALSE;
  const char *at;

  if (*address == '\0' && allow_empty)
    return TRUE;

  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = *p;

      if (c == '"' && (p == address || p[-1] != '\\'))
        quoted = !quoted;
      if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || (c == ' ' && !quoted))
        {
          g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                       _("“%s” cannot be sent: an address must not contain spaces, line "
                         "breaks, “<” or “>”"), address);
          return FALSE;
        }
    }
  if (*address == '\0' || !g_utf8_validate (address, -1, NULL))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                   _("“%s” is not a valid address"), address);
      return FALSE;
    }

  at = strrchr (address, '@');
  if (ms_smtp_address_needs_smtputf8 (address))
    {
      *needs_utf8 = TRUE;
      g_string_append (out, address);
    }
  else if (at != NULL && ms_smtp_data_is_8bit (at, strlen (at)))
    {
      g_autofree char *domain = g_hostname_to_ascii (at + 1);

      if (domain == NULL)
        {
          g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_INVALID_ADDRESS,
                       _("The domain of “%s” is not valid"), address);
          return FALSE;
        }
      g_string_append_len (out, address, at - address + 1);
      g_string_append (out, domain);
    }
  else
    g_string_append (out, address);

  return TRUE;
}

static gboolean
check_message_capabilities (MsSmtpClient     *self,
                            gsize             size,
                            MsSmtpMailFlags   flags,
                            GError          **error)
{
  if ((flags & MS_SMTP_MAIL_SMTPUTF8) && !(self->caps & MS_SMTP_CAP_SMTPUTF8))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE,
                   _("This message has an address with non-Latin letters before the @, and "
                     "%s does not support such addresses (no SMTPUTF8)"), self->endpoint.host);
      return FALSE;
    }
  if ((flags & MS_SMTP_MAIL_8BITMIME) && !(self->caps & MS_SMTP_CAP_8BITMIME))
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_8BITMIME_UNAVAILABLE,
                   _("This message contains 8-bit text and %s accepts only 7-bit messages "
                     "(no 8BITMIME)"), self->endpoint.host);
      return FALSE;
    }
  if ((self->caps & MS_SMTP_CAP_SIZE) && self->max_size > 0 && size > self->max_size)
    {
      g_autofree char *have = g_format_size (size);
      g_autofree char *limit = g_format_size (self->max_size);

      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_TOO_BIG,
                   _("The message is %s and %s accepts at most %s"), have, self->endpoint.host, limit);
      return FALSE;
    }
  return TRUE;
}

static char *
build_mail_command (MsSmtpClient     *self,
                    const char       *from,
                    gsize             size,
                    MsSmtpMailFlags  *flags,
                    GError          **error)
{
  g_autoptr(GString) line = g_string_new ("MAIL FROM:<");
  gboolean utf8 = FALSE;

  if (!append_address (self, line, from, TRUE, &utf8, error))
    return NULL;
  g_string_append_c (line, '>');
  if (utf8)
    *flags |= MS_SMTP_MAIL_SMTPUTF8;
  if (!check_message_capabilities (self, size, *flags, error))
    return NULL;

  if ((self->caps & MS_SMTP_CAP_SIZE) && size > 0)
    g_string_append_printf (line, " SIZE=%zu", size);
  if (*flags & MS_SMTP_MAIL_8BITMIME)
    g_string_append (line, " BODY=8BITMIME");
  if (*flags & MS_SMTP_MAIL_SMTPUTF8)
    g_string_append (line, " SMTPUTF8");
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static char *
build_rcpt_command (MsSmtpClient  *self,
                    const char    *recipient,
                    gboolean      *utf8,
                    GError       **error)
{
  g_autoptr(GString) line = g_string_new ("RCPT TO:<");

  if (!append_address (self, line, recipient, FALSE, utf8, error))
    return NULL;
  g_string_append_c (line, '>');
  return g_string_free (g_steal_pointer (&line), FALSE);
}

static void
body_reset (MsSmtpClient *self)
{
  self->body_line_start = TRUE;
  self->body_pending_cr = FALSE;
}

gboolean
ms_smtp_client_mail_from (MsSmtpClient     *self,
                          const char       *from,
                          gsize             size,
                          MsSmtpMailFlags   flags,
                          GCancellable     *cancellable,
                          GError          **error)
{
  g_autofree char *command = NULL;
  const MsSmtpReply *reply;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL, FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_READY, FALSE);

  command = build_mail_command (self, from, size, &flags, error);
  if (command == NULL)
    return FALSE;
  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, command);
  command = g_realloc (command, strlen (command) + 3);
  strcat (command, "\r\n");
  if (!_ms_smtp_client_write (self, command, strlen (command), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }
  self->state = MS_SMTP_CLIENT_MAIL;
  return TRUE;
}

gboolean
ms_smtp_client_rcpt_to (MsSmtpClient  *self,
                        const char    *recipient,
                        MsSmtpReply  **out_reply,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *command = NULL;
  const MsSmtpReply *reply;
  gboolean utf8 = FALSE;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (recipient != NULL, FALSE);

  if (out_reply != NULL)
    *out_reply = NULL;
  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_MAIL, FALSE);

  command = build_rcpt_command (self, recipient, &utf8, error);
  if (command == NULL)
    {
      self->error_stage = MS_SMTP_STAGE_RCPT;
      return FALSE;
    }
  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, command);
  command = g_realloc (command, strlen (command) + 3);
  strcat (command, "\r\n");
  if (!_ms_smtp_client_write (self, command, strlen (command), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (out_reply != NULL)
    *out_reply = ms_smtp_reply_copy (reply);
  if (reply->code / 100 != 2)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipient, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_data_begin (MsSmtpClient  *self,
                           GCancellable  *cancellable,
                           GError       **error)
{
  const MsSmtpReply *reply;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_MAIL, FALSE);

  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, "DATA");
  if (!_ms_smtp_client_write (self, "DATA\r\n", 6, self->timeouts.command, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_DATA, self->timeouts.data_init, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code != 354)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_DATA, NULL, error);
      return FALSE;
    }
  self->state = MS_SMTP_CLIENT_DATA;
  body_reset (self);
  return TRUE;
}

/* After a failed transaction: RSET so the next message starts clean.  Keeps the
 * error reply of the failure. */
static void
reset_after_failure (MsSmtpClient *self,
                     GCancellable *cancellable)
{
  g_autoptr(MsSmtpReply) saved = g_steal_pointer (&self->error_reply);
  MsSmtpStage saved_stage = self->error_stage;
  g_autoptr(GError) error = NULL;

  if (self->state != MS_SMTP_CLIENT_DISCONNECTED)
    {
      if (!_ms_smtp_client_simple_command (self, "RSET", MS_SMTP_STAGE_RSET, cancellable, &error))
        {
          g_debug ("RSET after a failed transaction failed: %s", error->message);
          _ms_smtp_client_disconnect (self);
        }
      else
        self->state = MS_SMTP_CLIENT_READY;
    }
  g_clear_pointer (&self->error_reply, ms_smtp_reply_free);
  self->error_reply = g_steal_pointer (&saved);
  self->error_stage = saved_stage;
}

/* Appends MAIL, the RCPTs and DATA as one pipelined group. */
static void
append_envelope (MsSmtpClient *self,
                 GString      *batch,
                 const char   *mail_command,
                 GPtrArray    *rcpt_commands)
{
  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, mail_command);
  g_string_append (batch, mail_command);
  g_string_append (batch, "\r\n");
  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, g_ptr_array_index (rcpt_commands, i));
      g_string_append (batch, g_ptr_array_index (rcpt_commands, i));
      g_string_append (batch, "\r\n");
    }
  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, "DATA");
  g_string_append (batch, "DATA\r\n");
}

static gboolean read_envelope_replies (MsSmtpClient        *self,
                                       const char          *from,
                                       const char * const  *recipients,
                                       GPtrArray           *rcpt_commands,
                                       GPtrArray           *replies,
                                       GCancellable        *cancellable,
                                       GError             **error);

static gboolean
begin_pipelined (MsSmtpClient        *self,
                 const char          *from,
                 const char          *mail_command,
                 const char * const  *recipients,
                 GPtrArray           *rcpt_commands,
                 GPtrArray           *replies,
                 GCancellable        *cancellable,
                 GError             **error)
{
  g_autoptr(GString) batch = g_string_new (NULL);

  append_envelope (self, batch, mail_command, rcpt_commands);
  if (!_ms_smtp_client_write (self, batch->str, batch->len, self->timeouts.command, cancellable, error))
    return FALSE;
  return read_envelope_replies (self, from, recipients, rcpt_commands, replies, cancellable, error);
}

/* The replies to a pipelined MAIL, RCPTs and DATA. */
static gboolean
read_envelope_replies (MsSmtpClient        *self,
                       const char          *from,
                       const char * const  *recipients,
                       GPtrArray           *rcpt_commands,
                       GPtrArray           *replies,
                       GCancellable        *cancellable,
                       GError             **error)
{
  g_autoptr(MsSmtpReply) mail_reply = NULL;
  g_autoptr(MsSmtpReply) data_reply = NULL;
  const MsSmtpReply *last_refusal = NULL;
  const char *refused_rcpt = NULL;
  const MsSmtpReply *reply;
  guint accepted = 0;

  /* The replies come in the order of the commands (RFC 2920 §3.1). */
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  mail_reply = ms_smtp_reply_copy (reply);
  if (reply->code == 421)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }

  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
      if (reply == NULL)
        return FALSE;
      g_ptr_array_add (replies, ms_smtp_reply_copy (reply));
      if (reply->code / 100 == 2)
        accepted++;
      else
        {
          last_refusal = g_ptr_array_index (replies, replies->len - 1);
          refused_rcpt = recipients[i];
        }
      if (reply->code == 421)
        {
          _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipients[i], error);
          return FALSE;
        }
    }

  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_DATA, self->timeouts.data_init, cancellable, error);
  if (reply == NULL)
    return FALSE;
  data_reply = ms_smtp_reply_copy (reply);

  if (mail_reply->code / 100 == 2 && accepted > 0 && data_reply->code == 354)
    {
      self->state = MS_SMTP_CLIENT_DATA;
      body_reset (self);
      return TRUE;
    }

  if (mail_reply->code / 100 != 2)
    _ms_smtp_client_set_rejected (self, mail_reply, MS_SMTP_STAGE_MAIL, from, error);
  else if (accepted == 0)
    _ms_smtp_client_set_rejected (self, last_refusal, MS_SMTP_STAGE_RCPT, refused_rcpt, error);
  else
    _ms_smtp_client_set_rejected (self, data_reply, MS_SMTP_STAGE_DATA, NULL, error);

  if (self->state != MS_SMTP_CLIENT_DISCONNECTED && data_reply->code == 354)
    {
      /* The server wants a message we will not send: end it empty. */
      g_autoptr(GError) local_error = NULL;

      _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, ".");
      if (!_ms_smtp_client_write (self, ".\r\n", 3, self->timeouts.data_block, cancellable, &local_error)
          || _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_DATA_END, self->timeouts.data_end, cancellable, &local_error) == NULL)
        g_debug ("Ending an unwanted DATA failed: %s", local_error->message);
    }
  self->state = self->state == MS_SMTP_CLIENT_DISCONNECTED ? MS_SMTP_CLIENT_DISCONNECTED : MS_SMTP_CLIENT_MAIL;
  return FALSE;
}

static gboolean
begin_stepwise (MsSmtpClient        *self,
                const char          *from,
                const char          *mail_command,
                const char * const  *recipients,
                GPtrArray           *rcpt_commands,
                GPtrArray           *replies,
                GCancellable        *cancellable,
                GError             **error)
{
  g_autoptr(MsSmtpReply) last_refusal = NULL;
  const char *refused_rcpt = NULL;
  g_autofree char *mail_line = g_strconcat (mail_command, "\r\n", NULL);
  const MsSmtpReply *reply;
  guint accepted = 0;

  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, mail_command);
  if (!_ms_smtp_client_write (self, mail_line, strlen (mail_line), self->timeouts.command, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_MAIL, self->timeouts.mail, cancellable, error);
  if (reply == NULL)
    return FALSE;
  if (reply->code / 100 != 2)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_MAIL, from, error);
      return FALSE;
    }
  self->state = MS_SMTP_CLIENT_MAIL;

  for (guint i = 0; i < rcpt_commands->len; i++)
    {
      g_autofree char *line = g_strconcat (g_ptr_array_index (rcpt_commands, i), "\r\n", NULL);

      _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, g_ptr_array_index (rcpt_commands, i));
      if (!_ms_smtp_client_write (self, line, strlen (line), self->timeouts.command, cancellable, error))
        return FALSE;
      reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_RCPT, self->timeouts.rcpt, cancellable, error);
      if (reply == NULL)
        return FALSE;
      g_ptr_array_add (replies, ms_smtp_reply_copy (reply));
      if (reply->code / 100 == 2)
        {
          accepted++;
          continue;
        }
      g_clear_pointer (&last_refusal, ms_smtp_reply_free);
      last_refusal = ms_smtp_reply_copy (reply);
      refused_rcpt = recipients[i];
      if (reply->code == 421)
        {
          _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_RCPT, recipients[i], error);
          return FALSE;
        }
    }
  if (accepted == 0)
    {
      _ms_smtp_client_set_rejected (self, last_refusal, MS_SMTP_STAGE_RCPT, refused_rcpt, error);
      return FALSE;
    }

  return ms_smtp_client_data_begin (self, cancellable, error);
}

/* MAIL FROM and the RCPT TO commands for an envelope (without CR LF). */
static gboolean
build_envelope (MsSmtpClient        *self,
                const char          *from,
                const char * const  *recipients,
                gsize                size,
                MsSmtpMailFlags      flags,
                char               **out_mail,
                GPtrArray           *rcpt_commands,
                GError             **error)
{
  gboolean utf8 = FALSE;

  for (guint i = 0; recipients[i] != NULL; i++)
    {
      char *command = build_rcpt_command (self, recipients[i], &utf8, error);

      if (command == NULL)
        {
          self->error_stage = MS_SMTP_STAGE_RCPT;
          return FALSE;
        }
      g_ptr_array_add (rcpt_commands, command);
    }
  if (utf8)
    flags |= MS_SMTP_MAIL_SMTPUTF8;
  *out_mail = build_mail_command (self, from, size, &flags, error);
  if (*out_mail == NULL)
    {
      self->error_stage = MS_SMTP_STAGE_MAIL;
      return FALSE;
    }
  return TRUE;
}

static gboolean
same_commands (GPtrArray *a,
               GPtrArray *b)
{
  if (a == NULL || b == NULL || a->len != b->len)
    return FALSE;
  for (guint i = 0; i < a->len; i++)
    if (strcmp (g_ptr_array_index (a, i), g_ptr_array_index (b, i)) != 0)
      return FALSE;
  return TRUE;
}

gboolean
ms_smtp_client_begin_message (MsSmtpClient        *self,
                              const char          *from,
                              const char * const  *recipients,
                              gsize                size,
                              MsSmtpMailFlags      flags,
                              GPtrArray          **rcpt_replies,
                              GCancellable        *cancellable,
                              GError             **error)
{
  g_autoptr(GPtrArray) replies = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_smtp_reply_free);
  g_autoptr(GPtrArray) rcpt_commands = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *mail_command = NULL;
  gboolean ok;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (from != NULL, FALSE);
  g_return_val_if_fail (recipients != NULL && recipients[0] != NULL, FALSE);

  if (rcpt_replies != NULL)
    *rcpt_replies = NULL;
  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_READY || self->state == MS_SMTP_CLIENT_AHEAD, FALSE);

  if (!build_envelope (self, from, recipients, size, flags, &mail_command, rcpt_commands, error))
    {
      if (self->state == MS_SMTP_CLIENT_AHEAD)
        _ms_smtp_client_disconnect (self);
      return FALSE;
    }

  if (self->state == MS_SMTP_CLIENT_AHEAD)
    {
      /* Its commands went out with the last final dot: only the replies are left.
       * Another envelope cannot be taken back but by hanging up. */
      if (g_strcmp0 (mail_command, self->ahead_mail) != 0 || !same_commands (rcpt_commands, self->ahead_rcpts))
        {
          _ms_smtp_client_disconnect (self);
          g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
                       _("The connection to %s was closed to take back a message sent ahead"),
                       self->endpoint.host);
          return FALSE;
        }
      g_clear_pointer (&self->ahead_mail, g_free);
      g_clear_pointer (&self->ahead_rcpts, g_ptr_array_unref);
      self->state = MS_SMTP_CLIENT_READY;
      ok = read_envelope_replies (self, from, recipients, rcpt_commands, replies, cancellable, error);
    }
  else if ((self->caps & MS_SMTP_CAP_PIPELINING) && self->use_pipelining
           && rcpt_commands->len <= MAX_PIPELINED_RCPTS)
    ok = begin_pipelined (self, from, mail_command, recipients, rcpt_commands, replies,
                          cancellable, error);
  else
    ok = begin_stepwise (self, from, mail_command, recipients, rcpt_commands, replies,
                         cancellable, error);

  if (!ok && self->state != MS_SMTP_CLIENT_DISCONNECTED)
    reset_after_failure (self, cancellable);
  if (rcpt_replies != NULL)
    *rcpt_replies = g_steal_pointer (&replies);
  return ok;
}

gboolean
ms_smtp_client_has_envelope_ahead (MsSmtpClient *self)
{
  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);

  return self->state == MS_SMTP_CLIENT_AHEAD;
}

/* Copies @data into @out with every line ending made CR LF and a dot doubled at
 * the start of a line (RFC 5321 §4.5.2).  A bare CR counts as a line end. */
static void
stuff_body (MsSmtpClient *self,
            const guint8 *data,
            gsize         length,
            GString      *out)
{
  const guint8 *p = data;
  const guint8 *end = data + length;

  while (p < end)
    {
      const guint8 *run = p;

      if (self->body_pending_cr)
        {
          self->body_pending_cr = FALSE;
          if (*p == '\n')
            {
              p++;
              continue;
            }
        }
      if (self->body_line_start && *p == '.')
        g_string_append_c (out, '.');

      /* Copy up to the next line end in one go. */
      while (p < end && *p != '\r' && *p != '\n')
        p++;
      g_string_append_len (out, (const char *) run, p - run);
      if (p == end)
        {
          if (p > run)
            self->body_line_start = FALSE;
          break;
        }
      g_string_append_len (out, "\r\n", 2);
      self->body_line_start = TRUE;
      self->body_pending_cr = (*p == '\r');
      p++;
    }
}

gboolean
ms_smtp_client_data_write_body (MsSmtpClient  *self,
                                const void    *data,
                                gsize          length,
                                GCancellable  *cancellable,
                                GError       **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_DATA, FALSE);

  while (length > 0)
    {
      gsize chunk = MIN (length, BODY_CHUNK);

      g_string_truncate (self->body_out, 0);
      stuff_body (self, p, chunk, self->body_out);
      if (!_ms_smtp_client_write (self, self->body_out->str, self->body_out->len,
                                  self->timeouts.data_block, cancellable, error))
        return FALSE;
      p += chunk;
      length -= chunk;
    }
  return TRUE;
}

gboolean
ms_smtp_client_data_finish_with (MsSmtpClient          *self,
                                 const void            *data,
                                 gsize                  length,
                                 const MsSmtpEnvelope  *next,
                                 GCancellable          *cancellable,
                                 GError               **error)
{
  g_autoptr(GPtrArray) next_rcpts = NULL;
  g_autofree char *next_mail = NULL;
  const MsSmtpReply *reply;
  const guint8 *p = data;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (!_ms_smtp_client_check_connected (self, error))
    return FALSE;
  g_return_val_if_fail (self->state == MS_SMTP_CLIENT_DATA, FALSE);

  /* All but the last chunk as usual; the last one goes out with the dot. */
  if (length > BODY_CHUNK)
    {
      gsize head = length - BODY_CHUNK;

      if (!ms_smtp_client_data_write_body (self, p, head, cancellable, error))
        return FALSE;
      p += head;
      length -= head;
    }
  g_string_truncate (self->body_out, 0);
  stuff_body (self, p, length, self->body_out);
  g_string_append (self->body_out, self->body_line_start ? ".\r\n" : "\r\n.\r\n");
  _ms_smtp_client_trace (self, MS_SMTP_TRACE_SENT, ".");

  /* The next envelope, when it can go ahead; if not, it goes the usual way. */
  if (next != NULL && (self->caps & MS_SMTP_CAP_PIPELINING) && self->use_pipelining
      && next->recipients != NULL && next->recipients[0] != NULL
      && g_strv_length ((char **) next->recipients) <= MAX_PIPELINED_RCPTS)
    {
      MsSmtpStage saved_stage = self->error_stage;

      next_rcpts = g_ptr_array_new_with_free_func (g_free);
      if (build_envelope (self, next->from, next->recipients, next->size, next->flags, &next_mail,
                          next_rcpts, NULL))
        append_envelope (self, self->body_out, next_mail, next_rcpts);
      else
        g_clear_pointer (&next_mail, g_free);
      self->error_stage = saved_stage;
    }

  if (!_ms_smtp_client_write (self, self->body_out->str, self->body_out->len,
                              self->timeouts.data_block, cancellable, error))
    return FALSE;
  reply = _ms_smtp_client_read_reply (self, MS_SMTP_STAGE_DATA_END, self->timeouts.data_end, cancellable, error);
  if (reply == NULL)
    return FALSE;
  self->state = MS_SMTP_CLIENT_READY;
  if (next_mail != NULL && reply->code != 421)
    {
      self->state = MS_SMTP_CLIENT_AHEAD;
      self->ahead_mail = g_steal_pointer (&next_mail);
      self->ahead_rcpts = g_steal_pointer (&next_rcpts);
    }
  if (reply->code / 100 != 2)
    {
      _ms_smtp_client_set_rejected (self, reply, MS_SMTP_STAGE_DATA_END, NULL, error);
      return FALSE;
    }
  return TRUE;
}

gboolean
ms_smtp_client_data_finish (MsSmtpClient  *self,
                            GCancellable  *cancellable,
                            GError       **error)
{
  return ms_smtp_client_data_finish_with (self, NULL, 0, NULL, cancellable, error);
}

gboolean
ms_smtp_client_send_sync (MsSmtpClient        *self,
                          const char          *from,
                          const char * const  *recipients,
                          GBytes              *message,
                          GPtrArray          **rcpt_replies,
                          GCancellable        *cancellable,
                          GError             **error)
{
  MsSmtpMailFlags flags = MS_SMTP_MAIL_DEFAULT;
  const guint8 *data;
  gsize length;

  g_return_val_if_fail (MS_IS_SMTP_CLIENT (self), FALSE);
  g_return_val_if_fail (message != NULL, FALSE);

  data = g_bytes_get_data (message, &length);
  if (ms_smtp_data_is_8bit (data, length))
    flags |= MS_SMTP_MAIL_8BITMIME;

  if (!ms_smtp_client_begin_message (self, from, recipients, length, flags, rcpt_replies,
                                     cancellable, error))
    return FALSE;
  _ms_smtp_client_tracef (self, MS_SMTP_TRACE_INFO, "[%zu bytes of message]", length);
  return ms_smtp_client_data_finish_with (self, data, length, NULL, cancellable, error);
}

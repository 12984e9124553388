/* ms-smtp-reply.c
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

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gio/gio.h>

#include "ms-connection.h"
#include "ms-smtp-reply.h"

G_DEFINE_QUARK (ms-smtp-error-quark, ms_smtp_error)

G_DEFINE_BOXED_TYPE (MsSmtpReply, ms_smtp_reply, ms_smtp_reply_copy, ms_smtp_reply_free)

struct _MsSmtpReplyParser
{
  guint      code;
  GPtrArray *lines;  /* char *, the text after "NNN-" */
  gboolean   done;
};

MsSmtpReply *
ms_smtp_reply_new (guint       code,
                   const char *enhanced,
                   const char *text)
{
  MsSmtpReply *reply = g_new0 (MsSmtpReply, 1);

  reply->code = code;
  reply->enhanced = g_strdup (enhanced);
  reply->text = g_strdup (text != NULL ? text : "");
  reply->lines = g_strsplit (reply->text, "\n", -1);
  return reply;
}

MsSmtpReply *
ms_smtp_reply_copy (const MsSmtpReply *reply)
{
  MsSmtpReply *copy;

  g_return_val_if_fail (reply != NULL, NULL);

  copy = g_new0 (MsSmtpReply, 1);
  copy->code = reply->code;
  copy->enhanced = g_strdup (reply->enhanced);
  copy->text = g_strdup (reply->text);
  copy->lines = g_strdupv (reply->lines);
  return copy;
}

void
ms_smtp_reply_free (MsSmtpReply *reply)
{
  if (reply == NULL)
    return;
  g_free (reply->enhanced);
  g_free (reply->text);
  g_strfreev (reply->lines);
  g_free (reply);
}

gboolean
ms_smtp_reply_is_positive (const MsSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->code >= 200 && reply->code < 400;
}

gboolean
ms_smtp_reply_is_transient (const MsSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->code >= 400 && reply->code < 500;
}

gboolean
ms_smtp_reply_is_permanent (const MsSmtpReply *reply)
{
  g_return_val_if_fail (reply != NULL, FALSE);

  return reply->code >= 500;
}

char *
ms_smtp_reply_to_string (const MsSmtpReply *reply)
{
  GString *out;

  g_return_val_if_fail (reply != NULL, NULL);

  out = g_string_new (NULL);
  g_string_append_printf (out, "%u", reply->code);
  if (reply->enhanced != NULL)
    g_string_append_printf (out, " %s", reply->enhanced);
  for (guint i = 0; reply->lines[i] != NULL; i++)
    {
      if (reply->lines[i][0] == '\0')
        continue;
      g_string_append_c (out, ' ');
      g_string_append (out, reply->lines[i]);
    }
  return g_string_free (out, FALSE);
}

/* Parsing */

MsSmtpReplyParser *
ms_smtp_reply_parser_new (void)
{
  MsSmtpReplyParser *parser = g_new0 (MsSmtpReplyParser, 1);

  parser->lines = g_ptr_array_new_with_free_func (g_free);
  return parser;
}

void
ms_smtp_reply_parser_free (MsSmtpReplyParser *parser)
{
  if (parser == NULL)
    return;
  g_ptr_array_unref (parser->lines);
  g_free (parser);
}

static void
set_parse_error (GError     **error,
                 const char  *line,
                 gsize        length,
                 const char  *why)
{
  g_autofree char *shown = g_utf8_make_valid (line, MIN (length, 80));

  g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE,
               _("The server’s answer is not valid SMTP (%s): “%s”"), why, shown);
}

gboolean
ms_smtp_reply_parser_add_line (MsSmtpReplyParser  *parser,
                               const char         *line,
                               gsize               length,
                               gboolean           *done,
                               GError            **error)
{
  guint code;

  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (line != NULL, FALSE);
  g_return_val_if_fail (!parser->done, FALSE);

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]) || (length > 3 && g_ascii_isdigit (line[3])))
    {
      set_parse_error (error, line, length, _("no three-digit code"));
      return FALSE;
    }
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599)
    {
      set_parse_error (error, line, length, _("unknown reply code"));
      return FALSE;
    }
  if (length > 3 && line[3] != ' ' && line[3] != '-')
    {
      set_parse_error (error, line, length, _("bad separator after the code"));
      return FALSE;
    }
  if (memchr (line, '\0', length) != NULL)
    {
      set_parse_error (error, line, length, _("NUL byte"));
      return FALSE;
    }
  if (parser->lines->len > 0 && code != parser->code)
    {
      set_parse_error (error, line, length, _("the code changes within a reply"));
      return FALSE;
    }
  if (parser->lines->len >= MS_SMTP_REPLY_MAX_LINES)
    {
      set_parse_error (error, line, length, _("too many lines"));
      return FALSE;
    }

  parser->code = code;
  g_ptr_array_add (parser->lines, length > 4 ? g_utf8_make_valid (line + 4, length - 4) : g_strdup (""));
  parser->done = (length == 3 || line[3] == ' ');
  *done = parser->done;
  return TRUE;
}

/* Length of an enhanced status code "C.SSS.DDD" at the start of @text whose class
 * matches @klass, followed by a space or the end; 0 if there is none. */
static gsize
enhanced_code_length (const char *text,
                      guint       klass)
{
  const char *p = text;
  guint digits;

  if (p[0] != (char) ('0' + klass) || p[1] != '.')
    return 0;
  p += 2;
  for (digits = 0; g_ascii_isdigit (*p); p++)
    digits++;
  if (digits < 1 || digits > 3 || *p != '.')
    return 0;
  p++;
  for (digits = 0; g_ascii_isdigit (*p); p++)
    digits++;
  if (digits < 1 || digits > 3 || (*p != ' ' && *p != '\0'))
    return 0;
  return p - text;
}

MsSmtpReply *
ms_smtp_reply_parser_finish (MsSmtpReplyParser *parser,
                             gboolean           enhanced)
{
  MsSmtpReply *reply;
  GString *text;
  guint klass;

  g_return_val_if_fail (parser != NULL, NULL);
  g_return_val_if_fail (parser->done, NULL);

  reply = g_new0 (MsSmtpReply, 1);
  reply->code = parser->code;
  klass = parser->code / 100;

  if (enhanced && klass != 3)
    {
      const char *first = g_ptr_array_index (parser->lines, 0);
      gsize len = enhanced_code_length (first, klass);

      if (len > 0)
        reply->enhanced = g_strndup (first, len);
    }

  text = g_string_new (NULL);
  reply->lines = g_new0 (char *, parser->lines->len + 1);
  for (guint i = 0; i < parser->lines->len; i++)
    {
      const char *line = g_ptr_array_index (parser->lines, i);

      if (reply->enhanced != NULL && g_str_has_prefix (line, reply->enhanced)
          && enhanced_code_length (line, klass) == strlen (reply->enhanced))
        {
          line += strlen (reply->enhanced);
          if (*line == ' ')
            line++;
        }
      reply->lines[i] = g_strdup (line);
      if (i > 0)
        g_string_append_c (text, '\n');
      g_string_append (text, line);
    }
  reply->text = g_string_free (text, FALSE);

  g_ptr_array_set_size (parser->lines, 0);
  parser->done = FALSE;
  parser->code = 0;
  return reply;
}

MsSmtpReply *
ms_smtp_reply_parse (const char  *text,
                     gsize        length,
                     gboolean     enhanced,
                     GError     **error)
{
  g_autoptr(MsSmtpReplyParser) parser = ms_smtp_reply_parser_new ();
  const char *p = text;
  const char *end = text + length;
  gboolean done = FALSE;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  while (p < end && !done)
    {
      const char *nl = memchr (p, '\n', end - p);
      gsize line_len;

      if (nl == NULL)
        {
          set_parse_error (error, p, end - p, _("the line does not end"));
          return NULL;
        }
      line_len = nl - p;
      if (line_len > 0 && p[line_len - 1] == '\r')
        line_len--;
      if (line_len > MS_SMTP_REPLY_MAX_LINE)
        {
          set_parse_error (error, p, line_len, _("line too long"));
          return NULL;
        }
      if (!ms_smtp_reply_parser_add_line (parser, p, line_len, &done, error))
        return NULL;
      p = nl + 1;
    }
  if (!done)
    {
      g_set_error (error, MS_SMTP_ERROR, MS_SMTP_ERROR_PARSE,
                   _("The server’s answer is not valid SMTP (%s)"), _("the reply is incomplete"));
      return NULL;
    }
  if (p != end)
    {
      set_parse_error (error, p, end - p, _("text after the last line"));
      return NULL;
    }
  return ms_smtp_reply_parser_finish (parser, enhanced);
}

/* Classification */

static gboolean
contains_any (const char         *haystack,
              const char * const *needles)
{
  for (guint i = 0; needles[i] != NULL; i++)
    if (strstr (haystack, needles[i]) != NULL)
      return TRUE;
  return FALSE;
}

static const char * const greylist_words[] = {
  "greylist", "graylist", "grey-list", "gray-list", "grey list", "gray list", NULL
};

static const char * const mailbox_words[] = {
  "mailbox full", "mailbox is full", "mailbox quota", "mailbox size", "over quota",
  "overquota", "storage allocation", "out of storage", "insufficient storage",
  "disk quota", NULL
};

static const char * const many_recipients_words[] = {
  "too many recipients", "too many rcpt", "recipient limit", NULL
};

static const char * const account_words[] = {
  "rate limit", "ratelimit", "rate-limit", "rate exceeded", "too many messages",
  "too many mails", "too many emails", "too many e-mails", "too many connections",
  "too many sessions", "too many concurrent", "too many login", "too many auth",
  "too many errors", "sending limit", "send limit", "daily limit", "hourly limit",
  "message limit", "messages limit", "limit exceeded", "limit reached", "limit has been",
  "exceeded the", "quota exceeded", "exceeded quota", "sending quota", "try again later",
  "try later", "throttl", "too fast", "too frequent", "frequency", "temporarily blocked",
  "temporarily rejected", "suspended", "blocked", "spam", "not owned by", NULL
};

typedef struct
{
  guint klass;
  guint subject;
  guint detail;
} Enhanced;

static gboolean
parse_enhanced (const char *text,
                Enhanced   *out)
{
  return text != NULL
         && sscanf (text, "%u.%u.%u", &out->klass, &out->subject, &out->detail) == 3;
}

static MsSmtpFailure
classify_by_stage (guint       code,
                   MsSmtpStage stage,
                   gboolean    has_enhanced,
                   Enhanced   *e)
{
  gboolean permanent = code >= 500;

  switch (stage)
    {
    case MS_SMTP_STAGE_RCPT:
      return permanent ? MS_SMTP_FAILURE_RECIPIENT : MS_SMTP_FAILURE_TEMPORARY;

    case MS_SMTP_STAGE_DATA:
    case MS_SMTP_STAGE_DATA_END:
      if (permanent && has_enhanced && e->subject == 1)
        return MS_SMTP_FAILURE_RECIPIENT;
      return permanent ? MS_SMTP_FAILURE_MESSAGE : MS_SMTP_FAILURE_TEMPORARY;

    case MS_SMTP_STAGE_MAIL:
      if (!permanent)
        return MS_SMTP_FAILURE_TEMPORARY;
      /* Syntax or parameters of this message (SIZE=, SMTPUTF8); anything else
       * refuses the sender, which every message of the account shares. */
      if (code == 552 || code == 555 || (has_enhanced && (e->subject == 5 || e->subject == 6)))
        return MS_SMTP_FAILURE_MESSAGE;
      return MS_SMTP_FAILURE_ACCOUNT;

    case MS_SMTP_STAGE_STARTTLS:
      return MS_SMTP_FAILURE_TLS;

    case MS_SMTP_STAGE_AUTH:
      return permanent ? MS_SMTP_FAILURE_AUTH : MS_SMTP_FAILURE_ACCOUNT;

    case MS_SMTP_STAGE_GREETING:
    case MS_SMTP_STAGE_EHLO:
    case MS_SMTP_STAGE_RSET:
    case MS_SMTP_STAGE_QUIT:
    default:
      return MS_SMTP_FAILURE_ACCOUNT;
    }
}

MsSmtpFailure
ms_smtp_reply_classify (const MsSmtpReply *reply,
                        MsSmtpStage        stage)
{
  g_autofree char *text = NULL;
  gboolean permanent;
  gboolean has_enhanced;
  Enhanced e = { 0, 0, 0 };

  g_return_val_if_fail (reply != NULL, MS_SMTP_FAILURE_NONE);

  if (reply->code < 400)
    return MS_SMTP_FAILURE_NONE;
  if (reply->code == 421)
    return MS_SMTP_FAILURE_ACCOUNT;
  if (stage == MS_SMTP_STAGE_STARTTLS || stage == MS_SMTP_STAGE_AUTH)
    return classify_by_stage (reply->code, stage, FALSE, &e);

  permanent = reply->code >= 500;
  has_enhanced = parse_enhanced (reply->enhanced, &e);
  text = g_utf8_strdown (reply->text, -1);

  /* Authentication required or refused */
  if (reply->code == 530 || reply->code == 534 || reply->code == 535
      || (has_enhanced && e.subject == 7 && (e.detail == 8 || e.detail == 9)))
    return permanent ? MS_SMTP_FAILURE_AUTH : MS_SMTP_FAILURE_ACCOUNT;

  /* Greylisting: this recipient, a few minutes later */
  if (!permanent && contains_any (text, greylist_words))
    return MS_SMTP_FAILURE_TEMPORARY;

  /* The recipient's mailbox is full (X.2.2) */
  if ((has_enhanced && e.subject == 2 && e.detail == 2)
      || (stage >= MS_SMTP_STAGE_RCPT && contains_any (text, mailbox_words)))
    return permanent ? MS_SMTP_FAILURE_RECIPIENT : MS_SMTP_FAILURE_TEMPORARY;

  /* Too many recipients in this transaction (X.5.3) */
  if ((has_enhanced && e.subject == 5 && e.detail == 3) || contains_any (text, many_recipients_words))
    return permanent ? MS_SMTP_FAILURE_MESSAGE : MS_SMTP_FAILURE_TEMPORARY;

  /* The message is too big (X.3.4, 552) */
  if ((has_enhanced && e.subject == 3 && e.detail == 4)
      || (reply->code == 552 && stage != MS_SMTP_STAGE_RCPT))
    return permanent ? MS_SMTP_FAILURE_MESSAGE : MS_SMTP_FAILURE_TEMPORARY;

  /* Rate limits, quotas, blocks: the whole account must wait */
  if (contains_any (text, account_words))
    return MS_SMTP_FAILURE_ACCOUNT;

  /* Security or policy (X.7.x): about the account, except a recipient's own policy */
  if (has_enhanced && e.subject == 7)
    {
      if (stage == MS_SMTP_STAGE_RCPT && strstr (text, "relay") == NULL)
        return permanent ? MS_SMTP_FAILURE_RECIPIENT : MS_SMTP_FAILURE_TEMPORARY;
      return MS_SMTP_FAILURE_ACCOUNT;
    }

  /* Addressing (X.1.x) */
  if (has_enhanced && e.subject == 1)
    {
      if (stage == MS_SMTP_STAGE_MAIL)
        return MS_SMTP_FAILURE_ACCOUNT;
      if (stage == MS_SMTP_STAGE_RCPT || stage == MS_SMTP_STAGE_DATA_END)
        return permanent ? MS_SMTP_FAILURE_RECIPIENT : MS_SMTP_FAILURE_TEMPORARY;
    }

  return classify_by_stage (reply->code, stage, has_enhanced, &e);
}

MsSmtpFailure
ms_smtp_failure_from_error (const GError      *error,
                            const MsSmtpReply *reply,
                            MsSmtpStage        stage)
{
  if (error == NULL)
    return MS_SMTP_FAILURE_NONE;

  if (error->domain == MS_NET_ERROR)
    {
      switch ((MsNetError) error->code)
        {
        case MS_NET_ERROR_TLS_HANDSHAKE:
        case MS_NET_ERROR_CERT_UNTRUSTED:
        case MS_NET_ERROR_CERT_HOSTNAME:
        case MS_NET_ERROR_CERT_EXPIRED:
        case MS_NET_ERROR_CERT_PIN_MISMATCH:
        case MS_NET_ERROR_CONFIG:
          return MS_SMTP_FAILURE_TLS;
        case MS_NET_ERROR_RESOLVE:
        case MS_NET_ERROR_CONNECT:
        case MS_NET_ERROR_TIMEOUT:
        case MS_NET_ERROR_CLOSED:
        case MS_NET_ERROR_PROTOCOL:
        default:
          return MS_SMTP_FAILURE_NETWORK;
        }
    }

  if (error->domain == MS_SMTP_ERROR)
    {
      switch ((MsSmtpError) error->code)
        {
        case MS_SMTP_ERROR_REJECTED:
          return reply != NULL ? ms_smtp_reply_classify (reply, stage) : MS_SMTP_FAILURE_NETWORK;
        case MS_SMTP_ERROR_AUTH_FAILED:
          /* 535 refuses the credentials; 454 is a passing problem of the server */
          return reply != NULL ? ms_smtp_reply_classify (reply, MS_SMTP_STAGE_AUTH) : MS_SMTP_FAILURE_AUTH;
        case MS_SMTP_ERROR_AUTH_UNAVAILABLE:
        case MS_SMTP_ERROR_AUTH_PLAINTEXT:
          return MS_SMTP_FAILURE_AUTH;
        case MS_SMTP_ERROR_STARTTLS_UNAVAILABLE:
        case MS_SMTP_ERROR_STARTTLS_INJECTION:
          return MS_SMTP_FAILURE_TLS;
        case MS_SMTP_ERROR_SMTPUTF8_UNAVAILABLE:
        case MS_SMTP_ERROR_8BITMIME_UNAVAILABLE:
        case MS_SMTP_ERROR_TOO_BIG:
          return MS_SMTP_FAILURE_MESSAGE;
        case MS_SMTP_ERROR_INVALID_ADDRESS:
          return stage == MS_SMTP_STAGE_RCPT ? MS_SMTP_FAILURE_RECIPIENT : MS_SMTP_FAILURE_MESSAGE;
        case MS_SMTP_ERROR_PARSE:
        default:
          return MS_SMTP_FAILURE_NETWORK;
        }
    }

  return MS_SMTP_FAILURE_NETWORK;
}

const char *
ms_smtp_failure_to_string (MsSmtpFailure failure)
{
  switch (failure)
    {
    case MS_SMTP_FAILURE_NONE:
      return "none";
    case MS_SMTP_FAILURE_RECIPIENT:
      return "recipient";
    case MS_SMTP_FAILURE_MESSAGE:
      return "message";
    case MS_SMTP_FAILURE_TEMPORARY:
      return "temporary";
    case MS_SMTP_FAILURE_ACCOUNT:
      return "account";
    case MS_SMTP_FAILURE_AUTH:
      return "auth";
    case MS_SMTP_FAILURE_TLS:
      return "tls";
    case MS_SMTP_FAILURE_NETWORK:
      return "network";
    default:
      return "unknown";
    }
}

const char *
ms_smtp_stage_to_string (MsSmtpStage stage)
{
  switch (stage)
    {
    case MS_SMTP_STAGE_GREETING:
      return "greeting";
    case MS_SMTP_STAGE_EHLO:
      return "ehlo";
    case MS_SMTP_STAGE_STARTTLS:
      return "starttls";
    case MS_SMTP_STAGE_AUTH:
      return "auth";
    case MS_SMTP_STAGE_MAIL:
      return "mail";
    case MS_SMTP_STAGE_RCPT:
      return "rcpt";
    case MS_SMTP_STAGE_DATA:
      return "data";
    case MS_SMTP_STAGE_DATA_END:
      return "data-end";
    case MS_SMTP_STAGE_RSET:
      return "rset";
    case MS_SMTP_STAGE_QUIT:
      return "quit";
    default:
      return "unknown";
    }
}

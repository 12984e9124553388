/* fuzz-bounce.c
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

#define G_LOG_DOMAIN "fuzz-bounce"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "ms-bounce.h"

/* The bounce parser on arbitrary messages: whatever it reports must hold
 * together (valid UTF-8, a known reason, a status that looks like one), and
 * nothing may crash, leak or read out of bounds. */

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
check_string (const char *text)
{
  if (text != NULL)
    g_assert (g_utf8_validate (text, -1, NULL));
}

static void
check_recipient (const MsBounceReport    *report,
                 const MsBounceRecipient *recipient)
{
  g_assert (recipient->address != NULL);
  check_string (recipient->address);
  check_string (recipient->alias);
  check_string (recipient->diagnostic);
  if (recipient->status != NULL)
    {
      g_assert (strchr ("245", recipient->status[0]) != NULL && recipient->status[1] == '.');
      check_string (recipient->status);
    }
  g_assert (recipient->replycode == 0
            || (recipient->replycode >= 200 && recipient->replycode < 600));
  if (recipient->reason != NULL)
    {
      /* Every reason has words for people. */
      g_assert (ms_bounce_reason_describe (recipient->reason) != NULL);
      g_assert (recipient->hard == ms_bounce_reason_is_hard (recipient->reason,
                                                             recipient->status));
    }
  else
    g_assert (report->kind == MS_BOUNCE_KIND_UNSUBSCRIBE);
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GBytes) bytes = g_bytes_new_static (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(MsBounceReport) report = NULL;

  report = ms_bounce_parse (bytes, &error);
  if (report == NULL)
    {
      g_assert (error != NULL && error->domain == MS_BOUNCE_ERROR);
      return 0;
    }
  g_assert (error == NULL);
  g_assert (ms_bounce_kind_to_string (report->kind) != NULL);
  g_assert (report->recipients->len <= 1000);
  check_string (report->original_message_id);
  check_string (report->campaign);
  check_string (report->delivery);
  check_string (report->from);
  check_string (report->subject);
  check_string (report->feedback_type);
  check_string (report->unsubscribe_token);
  for (guint i = 0; i < report->recipients->len; i++)
    check_recipient (report, g_ptr_array_index (report->recipients, i));
  if (report->kind == MS_BOUNCE_KIND_UNSUBSCRIBE)
    g_assert (report->unsubscribe_token != NULL);
  return 0;
}

/* ms-bounce-unsubscribe.c
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

/* Checking the token of an unsubscribe request: apart from the parser, which
 * needs nothing of the message renderer. */

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include "ms-bounce.h"
#include "ms-message.h"

gboolean
ms_bounce_report_verify_unsubscribe (const MsBounceReport  *report,
                                     const char            *secret,
                                     const char            *email,
                                     char                 **out_campaign)
{
  g_return_val_if_fail (report != NULL, FALSE);

  if (out_campaign != NULL)
    *out_campaign = NULL;
  if (report->kind != MS_BOUNCE_KIND_UNSUBSCRIBE || report->unsubscribe_token == NULL)
    return FALSE;
  if (email == NULL)
    email = report->from;
  if (email == NULL)
    {
      g_autofree char *campaign = NULL;

      ms_message_verify_unsubscribe_token (secret, report->unsubscribe_token, "", &campaign);
      if (out_campaign != NULL)
        *out_campaign = g_steal_pointer (&campaign);
      return FALSE;
    }
  return ms_message_verify_unsubscribe_token (secret, report->unsubscribe_token, email,
                                              out_campaign);
}

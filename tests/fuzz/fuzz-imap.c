/* fuzz-imap.c
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

#define G_LOG_DOMAIN "fuzz-imap"

#include "config.h"

#include <string.h>

#include <glib.h>

#include "ms-imap-parser.h"

/* The IMAP response parser on arbitrary server output: every response it
 * returns is walked (helpers included), and nothing may crash, leak or read out
 * of bounds.  Small limits keep the interesting paths (too large, too deep,
 * too many literals) within reach of the fuzzer. */

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static void
walk_value (const MsImapValue *value,
            guint             *count)
{
  g_autofree char *text = NULL;
  guint32 number;

  (*count)++;
  text = ms_imap_value_dup_string (value);
  ms_imap_value_get_number (value, &number);
  ms_imap_value_is_atom (value, "NIL");
  if (value->type == MS_IMAP_VALUE_LIST)
    for (guint i = 0; i < value->items->len; i++)
      walk_value (g_ptr_array_index (value->items, i), count);
  else if (value->type != MS_IMAP_VALUE_NIL && value->length > 0)
    {
      /* Touch both ends: ASan reports a value that points outside its bytes. */
      volatile char first = value->data[0];
      volatile char last = value->data[value->length - 1];

      (void) first;
      (void) last;
    }
}

int
LLVMFuzzerTestOneInput (const guint8 *data,
                        size_t        size)
{
  g_autoptr(GPtrArray) responses = NULL;
  guint count = 0;

  responses = ms_imap_parse_buffer (data, size, 4096, 65536, NULL);
  if (responses == NULL)
    return 0;

  for (guint i = 0; i < responses->len; i++)
    {
      MsImapResponse *response = g_ptr_array_index (responses, i);
      g_autofree char *shown = ms_imap_response_to_string (response);

      g_assert (shown != NULL);
      g_assert (response->kind != MS_IMAP_RESPONSE_TAGGED || response->tag != NULL);
      ms_imap_response_get_fetch_item (response, "BODY[]");
      ms_imap_response_get_fetch_item (response, "UID");
      for (guint j = 0; response->args != NULL && j < response->args->len; j++)
        walk_value (g_ptr_array_index (response->args, j), &count);
      for (guint j = 0; response->code_args != NULL && j < response->code_args->len; j++)
        walk_value (g_ptr_array_index (response->code_args, j), &count);
    }
  return 0;
}

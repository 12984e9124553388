/* ms-format.c
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

#define G_LOG_DOMAIN "ms-format"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <locale.h>
#include <string.h>

#include "ms-format.h"

/**
 * ms_format_count:
 *
 * A number with the locale's thousands separator ("1,000,000", "1.000.000");
 * the C locale has none, and gets a comma so big numbers stay readable.
 */
char *
ms_format_count (gint64 count)
{
  const char *sep = localeconv ()->thousands_sep;
  g_autofree char *digits = g_strdup_printf ("%" PRId64, count < 0 ? -count : count);
  GString *out = g_string_new (count < 0 ? "-" : "");
  gsize len = strlen (digits);

  if (sep == NULL || sep[0] == '\0')
    sep = ",";
  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, sep);
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* "1 contact", "1,000,000 contacts" */
char *
ms_format_contacts (gint64 count)
{
  g_autofree char *number = ms_format_count (count);
  gulong n = (gulong) CLAMP (count, 0, G_MAXLONG);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact", "%s contacts", n), number);
}

/* The date in the locale's short form, or "" for 0. */
char *
ms_format_date (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = NULL;

  if (unix_time <= 0 || !(dt = g_date_time_new_from_unix_local (unix_time)))
    return g_strdup ("");
  return g_date_time_format (dt, "%x");
}

/* GBindingTransformFunc from an int64 count to its text. */
gboolean
ms_format_count_transform (GBinding     *binding,
                           const GValue *from,
                           GValue       *to,
                           gpointer      user_data)
{
  g_value_take_string (to, ms_format_count (g_value_get_int64 (from)));
  return TRUE;
}

/* ms-address.h
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

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MS_ADDRESS_ERROR (ms_address_error_quark ())

typedef enum
{
  MS_ADDRESS_ERROR_EMPTY,
  MS_ADDRESS_ERROR_DISPLAY_NAME,  /* "Name <addr>": the name belongs in its own column */
  MS_ADDRESS_ERROR_SEVERAL,       /* "a@x.org, b@y.org" */
  MS_ADDRESS_ERROR_MISSING_AT,
  MS_ADDRESS_ERROR_LOCAL_PART,    /* the part before the @ is not valid */
  MS_ADDRESS_ERROR_DOMAIN,        /* the part after the @ is not a valid domain */
  MS_ADDRESS_ERROR_TOO_LONG,
} MsAddressError;

/* Limits of RFC 5321 §4.5.3.1, counted on the ASCII (punycode) form of the domain. */
#define MS_ADDRESS_MAX_LOCAL_PART 64
#define MS_ADDRESS_MAX_DOMAIN     253
#define MS_ADDRESS_MAX_LENGTH     254

/* Normalisation of one address cell:
 *
 *  - surrounding white space is trimmed, then one pair of surrounding angle brackets
 *    ("<a@example.com>") and a "mailto:" prefix are removed;
 *  - the "Name <a@example.com>" form is refused (MS_ADDRESS_ERROR_DISPLAY_NAME): an
 *    address cell holds an address, names go in their own columns, and guessing which
 *    part is the name would silently lose data;
 *  - the local part is kept exactly as given: a dot-atom (UTF-8 allowed, RFC 6531) or
 *    a quoted string;
 *  - the domain is lowercased and stored in its Unicode form ("Bücher.DE" becomes
 *    "bücher.de", "xn--e1afmkfd.xn--p1ai" becomes "пример.рф"); it is validated on its
 *    ASCII form from g_hostname_to_ascii(): labels of 1 to 63 letters, digits and
 *    hyphens, no hyphen at either end of a label, at most 253 characters, at least one
 *    dot, and a top-level label that is not all digits.  A trailing dot is dropped.
 *    Address literals ("user@[192.0.2.1]") are refused.
 *
 * Errors are in MS_ADDRESS_ERROR with a translated message for people. */
GQuark    ms_address_error_quark     (void);
char     *ms_address_normalize       (const char  *text,
                                      GError     **error);
gboolean  ms_address_normalize_into  (const char  *text,
                                      gsize        length,
                                      GString     *out,
                                      GError     **error);
gboolean  ms_address_is_valid        (const char  *text);
char     *ms_address_to_ascii        (const char  *address);

G_END_DECLS

/* ms-merge.h
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

#include "ms-contact.h"

G_BEGIN_DECLS

/* The merge-field language.
 *
 *   {{first_name}}                 the contact's value
 *   {{ company | "your team" }}    the value, or the default when the contact
 *                                  has none (missing, empty or only spaces)
 *   {{"{{"}}                       a string literal: writes {{ (this is how a
 *                                  literal "{{" is written; \" and \\ escape
 *                                  inside quotes)
 *
 * Spaces around names, bars and literals are ignored.  A field name is any
 * text without { } | " or control characters (so CSV column titles such as
 * "Компания" or "Postal code" work) and is matched exactly; the standard
 * names are matched without regard to case:
 *   email, name, first_name, last_name, display_name
 * (display_name is the name, else "first last", else the first or last name).
 * Everything else is a custom field of the contact (ms_contact_get_field()).
 * A lone "}}" is ordinary text.
 *
 * Compiling checks the syntax and the names; errors carry the line and column
 * (1-based, in characters) in the message and in MsMergeError's code.
 * Rendering fails, naming the field and the contact's address, when a contact
 * lacks a field that has no default.
 *
 * Modes decide how values are written:
 *   TEXT    as they are (line ends become "\n")
 *   HTML    HTML-escaped (& < > " ')
 *   HEADER  every run of CR, LF, tabs and other control characters becomes one
 *           space, so a value can never start a new header line; the caller
 *           RFC 2047-encodes the result.
 * Literal template text is never changed by the mode. */

#define MS_MERGE_ERROR (ms_merge_error_quark ())

typedef enum
{
  MS_MERGE_ERROR_SYNTAX,          /* unclosed {{, bad default, empty name ... */
  MS_MERGE_ERROR_UNKNOWN_FIELD,   /* not standard and not among the custom names */
  MS_MERGE_ERROR_MISSING_VALUE,   /* render: the contact has no value and there is no default */
  MS_MERGE_ERROR_MARKDOWN,        /* cmark failed */
} MsMergeError;

typedef enum
{
  MS_MERGE_MODE_TEXT,
  MS_MERGE_MODE_HTML,
  MS_MERGE_MODE_HEADER,
} MsMergeMode;

typedef struct _MsMergeTemplate MsMergeTemplate;

#define MS_TYPE_MERGE_TEMPLATE (ms_merge_template_get_type ())

GQuark           ms_merge_error_quark        (void);
GType            ms_merge_template_get_type  (void);

/* custom_fields: the custom field names that exist (for example from
 * ms_store_list_field_names()); a name that is neither standard nor listed
 * is an error.  NULL accepts every name (a syntax check only). */
MsMergeTemplate *ms_merge_compile            (const char          *text,
                                              MsMergeMode          mode,
                                              const char * const  *custom_fields,
                                              GError             **error);

/* Markdown: compiles the text part (the Markdown merged in TEXT mode) and the
 * HTML part.  The HTML is rendered by cmark once, with every merge expression
 * standing in as an opaque placeholder, and the placeholders then become
 * HTML-mode fields: values are HTML-escaped and are never read as Markdown.
 * cmark options: CMARK_OPT_UNSAFE (the template author's own raw HTML is kept)
 * and CMARK_OPT_HARDBREAKS (a line break in the source is one in the mail).
 * out_html receives the HTML fragment (no <html> wrapper). */
gboolean         ms_merge_compile_markdown   (const char          *markdown,
                                              const char * const  *custom_fields,
                                              MsMergeTemplate    **out_text,
                                              MsMergeTemplate    **out_html,
                                              GError             **error);

/* HTML: out_html is the HTML as given (HTML mode); out_text is text derived
 * from it (tags removed, links kept as "text (url)", entities decoded,
 * <head>, <style> and <script> dropped) in TEXT mode. */
gboolean         ms_merge_compile_html       (const char          *html,
                                              const char * const  *custom_fields,
                                              MsMergeTemplate    **out_text,
                                              MsMergeTemplate    **out_html,
                                              GError             **error);

MsMergeTemplate *ms_merge_template_ref       (MsMergeTemplate     *self);
void             ms_merge_template_unref     (MsMergeTemplate     *self);
MsMergeMode      ms_merge_template_get_mode  (MsMergeTemplate     *self);

/* The distinct field names used, in order of first use (standard names in
 * their lower-case spelling). */
GStrv            ms_merge_get_fields         (MsMergeTemplate     *self);

/* Thread-safe: one compiled template may render on many threads. */
char            *ms_merge_render             (MsMergeTemplate     *self,
                                              MsContact           *contact,
                                              GError             **error);
/* Appends to out (nothing is appended on error). */
gboolean         ms_merge_render_append      (MsMergeTemplate     *self,
                                              MsContact           *contact,
                                              GString             *out,
                                              GError             **error);

/* The text with the HTML of a fragment turned into plain text, as
 * ms_merge_compile_html() derives it (exposed for previews and tests). */
char            *ms_merge_html_to_text       (const char          *html);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsMergeTemplate, ms_merge_template_unref)

G_END_DECLS

/* ms-template-preview.h
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

#include <adwaita.h>

#include "ms-contact.h"
#include "ms-template.h"

G_BEGIN_DECLS

#define MS_TYPE_TEMPLATE_PREVIEW (ms_template_preview_get_type ())

G_DECLARE_FINAL_TYPE (MsTemplatePreview, ms_template_preview, MS, TEMPLATE_PREVIEW, GtkBox)

/* The live preview of a template for one contact: the subject, the HTML part in a
 * web view with JavaScript and every remote load off, the text part, the merge
 * errors, and the pre-flight findings.  Rendering runs on a worker thread,
 * ~300 ms after the last change. */
void        ms_template_preview_set_contacts      (MsTemplatePreview  *self,
                                                   GListModel         *contacts);
/* The contact chosen, or NULL. */
MsContact  *ms_template_preview_get_contact       (MsTemplatePreview  *self);
void        ms_template_preview_select_contact    (MsTemplatePreview  *self,
                                                   const char         *email);
/* The custom field names that exist; NULL accepts any name. */
void        ms_template_preview_set_custom_fields (MsTemplatePreview  *self,
                                                   const char * const *names);
/* MsServer: the first enabled one gives From, all are checked by pre-flight. */
void        ms_template_preview_set_servers       (MsTemplatePreview  *self,
                                                   GPtrArray          *servers);
/* Renders a copy of @tmpl after a short pause (or at once). */
void        ms_template_preview_update            (MsTemplatePreview  *self,
                                                   MsTemplate         *tmpl,
                                                   gboolean            at_once);
void        ms_template_preview_clear             (MsTemplatePreview  *self);
/* Whether a render is waiting, running, or the web view still loads. */
gboolean    ms_template_preview_get_busy          (MsTemplatePreview  *self);
/* The document last handed to the web view (with its Content-Security-Policy). */
const char *ms_template_preview_get_html          (MsTemplatePreview  *self);
const char *ms_template_preview_get_text          (MsTemplatePreview  *self);
const char *ms_template_preview_get_subject       (MsTemplatePreview  *self);
/* Why the template cannot be rendered for the contact, or NULL. */
const char *ms_template_preview_get_error         (MsTemplatePreview  *self);
/* "html" or "text". */
void        ms_template_preview_show_part         (MsTemplatePreview  *self,
                                                   const char         *part);

/* Adds the Content-Security-Policy of the preview to an HTML document. */
char       *ms_template_preview_protect_html      (const char         *html);

G_END_DECLS

/* ms-template-editor.h
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

#include "ms-template.h"
#include "ms-template-preview.h"

G_BEGIN_DECLS

#define MS_TYPE_TEMPLATE_EDITOR (ms_template_editor_get_type ())

G_DECLARE_FINAL_TYPE (MsTemplateEditor, ms_template_editor, MS, TEMPLATE_EDITOR, AdwBin)

/* Edits a copy of one template: name, subject, format, the body in a source
 * view with highlighting, the text part, sender, reply-to and attachments, with
 * the live preview beside it.  "dirty" says whether the copy differs from the
 * template given. */
void               ms_template_editor_set_template      (MsTemplateEditor   *self,
                                                         MsTemplate         *tmpl);
/* The template as edited, or NULL when none is set. */
MsTemplate        *ms_template_editor_get_template      (MsTemplateEditor   *self);
/* The template as given (or as last saved). */
MsTemplate        *ms_template_editor_get_original      (MsTemplateEditor   *self);
gboolean           ms_template_editor_get_dirty         (MsTemplateEditor   *self);
/* The template was stored as @stored: edits made meanwhile stay unsaved. */
void               ms_template_editor_mark_saved        (MsTemplateEditor   *self,
                                                         MsTemplate         *stored);
/* Back to the template as given. */
void               ms_template_editor_discard           (MsTemplateEditor   *self);
/* The custom field names (Insert Field menu, merge checks), the contacts of the
 * preview, and the servers (MsServer) whose limits pre-flight checks. */
void               ms_template_editor_set_context       (MsTemplateEditor   *self,
                                                         const char * const *custom_fields,
                                                         GListModel         *contacts,
                                                         GPtrArray          *servers);
/* Writes {{name}} where the cursor is (the body, the text part or the subject,
 * whichever had the focus last). */
void               ms_template_editor_insert_field      (MsTemplateEditor   *self,
                                                         const char         *name);
/* Reads the file on a worker thread and attaches it. */
void               ms_template_editor_attach_file       (MsTemplateEditor   *self,
                                                         GFile              *file);
gboolean           ms_template_editor_get_attaching     (MsTemplateEditor   *self);
MsTemplatePreview *ms_template_editor_get_preview       (MsTemplateEditor   *self);
GtkTextBuffer     *ms_template_editor_get_body_buffer   (MsTemplateEditor   *self);

G_END_DECLS

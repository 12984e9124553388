/* ms-store-templates.h
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

#include "ms-store.h"
#include "ms-template.h"

G_BEGIN_DECLS

/* Templates and their attachments (tables templates, template_attachments).
 * Errors are MS_STORE_ERROR: EXISTS for a taken name, NOT_FOUND, INVALID for
 * an empty name. */

/* Inserts the template and its attachments in one transaction; sets the id
 * of the template and of each attachment, and returns the template id (0 on
 * error). */
gint64      ms_store_add_template              (MsStore       *self,
                                                MsTemplate    *tmpl,
                                                GError       **error);
/* Writes every field of the template with id ms_template_get_id() and
 * replaces its attachments with the template's (ids are set again). */
gboolean    ms_store_update_template           (MsStore       *self,
                                                MsTemplate    *tmpl,
                                                GError       **error);
/* With attachments. */
MsTemplate *ms_store_get_template              (MsStore       *self,
                                                gint64         id,
                                                GError       **error);
MsTemplate *ms_store_find_template             (MsStore       *self,
                                                const char    *name,
                                                GError       **error);
/* Every template by name, with attachments; element type MsTemplate. */
GPtrArray  *ms_store_list_templates            (MsStore       *self,
                                                GError       **error);
gboolean    ms_store_delete_template           (MsStore       *self,
                                                gint64         id,
                                                GError       **error);

/* Single attachments, for editors that add or remove one file at a time.
 * add sets attachment->id. */
gboolean    ms_store_add_template_attachment    (MsStore       *self,
                                                 gint64         template_id,
                                                 MsAttachment  *attachment,
                                                 GError       **error);
gboolean    ms_store_remove_template_attachment (MsStore       *self,
                                                 gint64         attachment_id,
                                                 GError       **error);

G_END_DECLS

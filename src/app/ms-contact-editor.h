/* ms-contact-editor.h
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

G_BEGIN_DECLS

#define MS_TYPE_CONTACT_EDITOR (ms_contact_editor_get_type ())

G_DECLARE_FINAL_TYPE (MsContactEditor, ms_contact_editor, MS, CONTACT_EDITOR, AdwWindow)

/* A modal window editing one contact of the database at db_path; it reads and
 * writes on worker threads and emits "saved" (MsContact *) after a save. */
MsContactEditor *ms_contact_editor_new        (GtkWindow       *parent,
                                               const char      *db_path,
                                               gint64           contact_id);
MsContact       *ms_contact_editor_get_contact (MsContactEditor *self);
gboolean         ms_contact_editor_get_busy    (MsContactEditor *self);
const char      *ms_contact_editor_get_error   (MsContactEditor *self);

G_END_DECLS

/* ms-templates-view.h
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

#include "ms-template-editor.h"

G_BEGIN_DECLS

#define MS_TYPE_TEMPLATES_VIEW (ms_templates_view_get_type ())

G_DECLARE_FINAL_TYPE (MsTemplatesView, ms_templates_view, MS, TEMPLATES_VIEW, AdwBin)

/* The Templates section: the list of templates and the editor with its live
 * preview.  It reads the database whenever it is shown. */
void              ms_templates_view_set_db_path   (MsTemplatesView *self,
                                                   const char      *db_path);
/* MsTemplate items, as last read or saved. */
GListModel       *ms_templates_view_get_templates (MsTemplatesView *self);
MsTemplateEditor *ms_templates_view_get_editor    (MsTemplatesView *self);
/* Reading or writing the database. */
gboolean          ms_templates_view_get_loading   (MsTemplatesView *self);
void              ms_templates_view_reload        (MsTemplatesView *self);
void              ms_templates_view_select        (MsTemplatesView *self,
                                                   gint64           template_id);
/* The template in the editor has unsaved changes. */
gboolean          ms_templates_view_get_dirty     (MsTemplatesView *self);
/* Before the window closes: asks whether to save unsaved changes, and saves
 * them if so.  TRUE when the window may close (saved, discarded, or nothing to
 * save), FALSE when the person chose to keep editing or saving failed. */
void              ms_templates_view_confirm_close_async  (MsTemplatesView     *self,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
gboolean          ms_templates_view_confirm_close_finish (MsTemplatesView     *self,
                                                          GAsyncResult        *result);

G_END_DECLS

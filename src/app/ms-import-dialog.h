/* ms-import-dialog.h
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

G_BEGIN_DECLS

#define MS_TYPE_IMPORT_DIALOG (ms_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (MsImportDialog, ms_import_dialog, MS, IMPORT_DIALOG, AdwWindow)

/* A modal window that imports a CSV file into the database at db_path.
 * list_id preselects a target list (0: none).  Emits "imported" when an
 * import committed rows (also after a cancelled import that committed some). */
MsImportDialog *ms_import_dialog_new      (GtkWindow      *parent,
                                           const char     *db_path,
                                           gint64          list_id);
/* Skips the file chooser and previews file right away. */
void            ms_import_dialog_set_file (MsImportDialog *self,
                                           GFile          *file);

G_END_DECLS

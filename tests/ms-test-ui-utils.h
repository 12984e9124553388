/* ms-test-utils.h
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

#include "ms-application.h"

#include "ms-test-utils.h"

G_BEGIN_DECLS

/* Shared by the UI tests: frames, screenshots into the build folder, widgets
 * found by name and used as a person would. */

void            ms_test_ui_init             (int              *argc,
                                             char           ***argv,
                                             guint             wait_timeout_s);
MsApplication  *ms_test_application_new     (const char       *db_path);

void            ms_test_wait_for_frames     (GtkWidget        *widget);
void            ms_test_save_screenshot     (GtkWidget        *window,
                                             const char       *name);

GtkWidget      *ms_test_find_widget         (GtkWidget        *root,
                                             const char       *name);
GtkWidget      *ms_test_get_widget          (gpointer          root,
                                             const char       *name);
GtkWidget      *ms_test_find_of_type        (GtkWidget        *root,
                                             GType             type);
gpointer        ms_test_find_toplevel       (GType             type);

const char     *ms_test_text_of             (gpointer          root,
                                             const char       *name);
void            ms_test_type_into           (gpointer          root,
                                             const char       *name,
                                             const char       *text);
void            ms_test_click               (gpointer          root,
                                             const char       *name);
void            ms_test_answer              (AdwMessageDialog *dialog,
                                             const char       *response);

gboolean        ms_test_is_new_campaign_dialog_loaded  (gpointer dialog);
gboolean        ms_test_is_new_campaign_dialog_checked (gpointer dialog);

G_END_DECLS

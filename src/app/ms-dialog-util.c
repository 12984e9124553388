/* ms-dialog-util.c
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

#define G_LOG_DOMAIN "ms-dialog-util"

#include "config.h"

#include "ms-dialog-util.h"

static void
release_parent (gpointer  parent,
                GObject  *where_the_dialog_was)
{
  g_object_unref (parent);
}

/**
 * ms_dialog_hold_parent:
 *
 * Keeps the transient parent of @dialog alive until @dialog is finalized.
 * A dialog can outlive gtk_window_destroy() for a while (a task on a worker
 * thread holds it), and GtkWindow lets go of its transient parent only when
 * it is disposed: the parent must still be there then.
 */
void
ms_dialog_hold_parent (GtkWindow *dialog)
{
  GtkWindow *parent;

  g_return_if_fail (GTK_IS_WINDOW (dialog));

  if ((parent = gtk_window_get_transient_for (dialog)) != NULL)
    g_object_weak_ref (G_OBJECT (dialog), release_parent, g_object_ref (parent));
}

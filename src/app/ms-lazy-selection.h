/* ms-lazy-selection.h
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

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MS_TYPE_LAZY_SELECTION (ms_lazy_selection_get_type ())

G_DECLARE_FINAL_TYPE (MsLazySelection, ms_lazy_selection, MS, LAZY_SELECTION, GObject)

/* A multiple selection that remembers positions only.  GtkMultiSelection
 * keeps a reference to every selected item, so "Select All" on a lazy model
 * of a million rows would create and hold a million items; this one holds a
 * GtkBitset and never asks the model for an item itself. */
MsLazySelection *ms_lazy_selection_new       (GListModel      *model);
GListModel      *ms_lazy_selection_get_model (MsLazySelection *self);

G_END_DECLS

/* ms-contact-list.h
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

#include <glib-object.h>

G_BEGIN_DECLS

#define MS_TYPE_CONTACT_LIST (ms_contact_list_get_type ())

G_DECLARE_FINAL_TYPE (MsContactList, ms_contact_list, MS, CONTACT_LIST, GObject)

MsContactList *ms_contact_list_new              (gint64         id,
                                                 const char    *name,
                                                 gint64         member_count);
gint64         ms_contact_list_get_id           (MsContactList *self);
const char    *ms_contact_list_get_name         (MsContactList *self);
void           ms_contact_list_set_name         (MsContactList *self,
                                                 const char    *name);
gint64         ms_contact_list_get_member_count (MsContactList *self);
void           ms_contact_list_set_member_count (MsContactList *self,
                                                 gint64         count);

G_END_DECLS

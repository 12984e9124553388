/* ms-contact.h
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

typedef enum
{
  MS_CONTACT_STATUS_ACTIVE,
  MS_CONTACT_STATUS_UNSUBSCRIBED,
  MS_CONTACT_STATUS_BOUNCED,
  MS_CONTACT_STATUS_COMPLAINED,
} MsContactStatus;

#define MS_CONTACT_N_STATUS 4

#define MS_TYPE_CONTACT_STATUS (ms_contact_status_get_type ())
GType ms_contact_status_get_type (void);

#define MS_TYPE_CONTACT (ms_contact_get_type ())

G_DECLARE_FINAL_TYPE (MsContact, ms_contact, MS, CONTACT, GObject)

const char      *ms_contact_status_to_string   (MsContactStatus  status);
gboolean         ms_contact_status_from_string (const char      *str,
                                                MsContactStatus *status);
const char      *ms_contact_status_to_label    (MsContactStatus  status);

MsContact       *ms_contact_new                (const char      *email);
gint64           ms_contact_get_id             (MsContact       *self);
void             ms_contact_set_id             (MsContact       *self,
                                                gint64           id);
const char      *ms_contact_get_email          (MsContact       *self);
void             ms_contact_set_email          (MsContact       *self,
                                                const char      *email);
const char      *ms_contact_get_name           (MsContact       *self);
void             ms_contact_set_name           (MsContact       *self,
                                                const char      *name);
const char      *ms_contact_get_first_name     (MsContact       *self);
void             ms_contact_set_first_name     (MsContact       *self,
                                                const char      *first_name);
const char      *ms_contact_get_last_name      (MsContact       *self);
void             ms_contact_set_last_name      (MsContact       *self,
                                                const char      *last_name);
char            *ms_contact_dup_display_name   (MsContact       *self);
MsContactStatus  ms_contact_get_status         (MsContact       *self);
void             ms_contact_set_status         (MsContact       *self,
                                                MsContactStatus  status);
const char      *ms_contact_get_status_reason  (MsContact       *self);
void             ms_contact_set_status_reason  (MsContact       *self,
                                                const char      *reason);
gint64           ms_contact_get_status_time    (MsContact       *self);
void             ms_contact_set_status_time    (MsContact       *self,
                                                gint64           unix_time);
gint64           ms_contact_get_created_at     (MsContact       *self);
void             ms_contact_set_created_at     (MsContact       *self,
                                                gint64           unix_time);

/* Custom fields: any column of an import that is not a known one. */
const char      *ms_contact_get_field          (MsContact       *self,
                                                const char      *name);
void             ms_contact_set_field          (MsContact       *self,
                                                const char      *name,
                                                const char      *value);
GStrv            ms_contact_dup_field_names    (MsContact       *self);
char            *ms_contact_dup_fields_json    (MsContact       *self);
gboolean         ms_contact_set_fields_json    (MsContact       *self,
                                                const char      *json,
                                                GError         **error);

G_END_DECLS

/* ms-contact-model.h
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

#include <gio/gio.h>

#include "ms-contact.h"
#include "ms-store.h"

G_BEGIN_DECLS

/* A GListModel of MsContact over the contacts of a database that matches an
 * MsContactQuery, for views of any size.  Nothing is read on the calling thread:
 * the model keeps one worker thread with its own connection.  The number of
 * items comes from a count; rows are read a page at a time when first asked
 * for.  An item that is not read yet is a placeholder contact (id 0) that is
 * filled in, with property notifications, when its page arrives.  Pages that no
 * one else holds are forgotten least recently used first, so memory stays
 * bounded whatever the number of contacts.
 *
 * Items keep their identity while the query is unchanged and refresh() finds
 * the same number of rows, so a selection survives a refresh. */

#define MS_CONTACT_MODEL_PAGE_SIZE 128

#define MS_TYPE_CONTACT_MODEL (ms_contact_model_get_type ())

G_DECLARE_FINAL_TYPE (MsContactModel, ms_contact_model, MS, CONTACT_MODEL, GObject)

/* One contact of a selection, as resolve() found it. */
typedef struct
{
  gint64           id;
  MsContactStatus  status;
  char            *status_reason;  /* NULL when empty */
} MsContactRef;

MsContactModel *ms_contact_model_new              (const char            *db_path);
const char     *ms_contact_model_get_db_path      (MsContactModel        *self);
void            ms_contact_model_get_query        (MsContactModel        *self,
                                                   MsContactQuery        *query);
void            ms_contact_model_set_query        (MsContactModel        *self,
                                                   const MsContactQuery  *query);
void            ms_contact_model_refresh          (MsContactModel        *self);
gboolean        ms_contact_model_get_loading      (MsContactModel        *self);
gboolean        ms_contact_model_get_counted      (MsContactModel        *self);
gint64          ms_contact_model_get_total_count  (MsContactModel        *self);
gint64          ms_contact_model_get_list_count   (MsContactModel        *self);
const GError   *ms_contact_model_get_error        (MsContactModel        *self);
guint           ms_contact_model_get_n_cached     (MsContactModel        *self);
void            ms_contact_model_update_item      (MsContactModel        *self,
                                                   MsContact             *contact);
MsContact      *ms_contact_model_peek_loaded      (MsContactModel        *self,
                                                   guint                  position);

/* ranges: n_ranges pairs of (first position, number of positions). */
void            ms_contact_model_resolve_async    (MsContactModel        *self,
                                                   const guint           *ranges,
                                                   guint                  n_ranges,
                                                   GCancellable          *cancellable,
                                                   GAsyncReadyCallback    callback,
                                                   gpointer               user_data);
GArray         *ms_contact_model_resolve_finish   (MsContactModel        *self,
                                                   GAsyncResult          *result,
                                                   GError               **error);

G_END_DECLS

/* ms-store.h
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
#include "ms-contact-list.h"

G_BEGIN_DECLS

#define MS_STORE_ERROR (ms_store_error_quark ())

typedef enum
{
  MS_STORE_ERROR_FAILED,
  MS_STORE_ERROR_NEWER_SCHEMA,  /* the file was written by a newer Mailshot */
  MS_STORE_ERROR_NOT_FOUND,
  MS_STORE_ERROR_EXISTS,        /* a unique name or address is taken */
  MS_STORE_ERROR_INVALID,       /* a value breaks a constraint */
  MS_STORE_ERROR_BUSY,          /* another process holds a lock for too long */
  MS_STORE_ERROR_FULL,          /* the disk is full */
  MS_STORE_ERROR_CORRUPT,       /* not a database, or damaged */
  MS_STORE_ERROR_READ_ONLY,
} MsStoreError;

typedef enum
{
  MS_CONTACT_SORT_EMAIL,
  MS_CONTACT_SORT_NAME,
  MS_CONTACT_SORT_STATUS,
  MS_CONTACT_SORT_CREATED,
} MsContactSort;

/* A filter over the contacts.  Zero-initialise, then set what matters:
 * list_id 0 means every contact, status -1 means any status (use
 * MS_CONTACT_QUERY_INIT), search is a case-insensitive substring of the
 * address or any name field. */
typedef struct
{
  gint64         list_id;
  int            status;       /* MsContactStatus or -1 */
  const char    *search;
  MsContactSort  sort;
  gboolean       descending;
} MsContactQuery;

#define MS_CONTACT_QUERY_INIT { 0, -1, NULL, MS_CONTACT_SORT_EMAIL, FALSE }

typedef enum
{
  MS_UPSERT_INSERTED,
  MS_UPSERT_UPDATED,
  MS_UPSERT_SKIPPED,
} MsUpsertResult;

/* Called for each contact of ms_store_foreach_contact(); return FALSE to stop. */
typedef gboolean (*MsContactFunc) (MsContact *contact,
                                   gpointer   user_data);

#define MS_TYPE_STORE (ms_store_get_type ())

G_DECLARE_FINAL_TYPE (MsStore, ms_store, MS, STORE, GObject)

GQuark         ms_store_error_quark          (void);
char          *ms_store_default_path         (void);
int            ms_store_latest_version       (void);
MsStore       *ms_store_open                 (const char            *path,
                                              GError               **error);
const char    *ms_store_get_path             (MsStore               *self);
int            ms_store_get_version          (MsStore               *self);
void           ms_store_set_synchronous_full (MsStore               *self,
                                              gboolean               full);
void           ms_store_set_bulk_mode        (MsStore               *self,
                                              gboolean               bulk);
gboolean       ms_store_begin                (MsStore               *self,
                                              GError               **error);
gboolean       ms_store_commit               (MsStore               *self,
                                              GError               **error);
void           ms_store_rollback             (MsStore               *self);
gboolean       ms_store_in_transaction       (MsStore               *self);

/* Contacts */
gint64         ms_store_count_contacts       (MsStore               *self,
                                              const MsContactQuery  *query,
                                              GError               **error);
GPtrArray     *ms_store_list_contacts        (MsStore               *self,
                                              const MsContactQuery  *query,
                                              gint64                 offset,
                                              guint                  limit,
                                              GError               **error);
GPtrArray     *ms_store_list_contacts_near   (MsStore               *self,
                                              const MsContactQuery  *query,
                                              MsContact             *anchor,
                                              gboolean               before,
                                              guint                  limit,
                                              GError               **error);
gboolean       ms_store_foreach_contact      (MsStore               *self,
                                              const MsContactQuery  *query,
                                              MsContactFunc          func,
                                              gpointer               user_data,
                                              GError               **error);
MsContact     *ms_store_get_contact          (MsStore               *self,
                                              gint64                 id,
                                              GError               **error);
MsContact     *ms_store_find_contact         (MsStore               *self,
                                              const char            *email,
                                              GError               **error);
gint64         ms_store_add_contact          (MsStore               *self,
                                              MsContact             *contact,
                                              GError               **error);
gboolean       ms_store_update_contact       (MsStore               *self,
                                              MsContact             *contact,
                                              GError               **error);
gboolean       ms_store_upsert_contact       (MsStore               *self,
                                              const char            *email,
                                              const char            *name,
                                              const char            *first_name,
                                              const char            *last_name,
                                              const char            *fields_json,
                                              gboolean               update_existing,
                                              gint64                *out_id,
                                              MsUpsertResult        *out_result,
                                              GError               **error);
gboolean       ms_store_delete_contacts      (MsStore               *self,
                                              const gint64          *ids,
                                              guint                  n_ids,
                                              GError               **error);
gboolean       ms_store_set_contacts_status  (MsStore               *self,
                                              const gint64          *ids,
                                              guint                  n_ids,
                                              MsContactStatus        status,
                                              const char            *reason,
                                              GError               **error);
GStrv          ms_store_list_field_names     (MsStore               *self,
                                              GError               **error);

/* Lists */
GPtrArray     *ms_store_list_lists           (MsStore               *self,
                                              GError               **error);
MsContactList *ms_store_get_list             (MsStore               *self,
                                              gint64                 id,
                                              GError               **error);
MsContactList *ms_store_find_list            (MsStore               *self,
                                              const char            *name,
                                              GError               **error);
MsContactList *ms_store_create_list          (MsStore               *self,
                                              const char            *name,
                                              GError               **error);
gint64         ms_store_ensure_list          (MsStore               *self,
                                              const char            *name,
                                              gboolean              *out_created,
                                              GError               **error);
gboolean       ms_store_rename_list          (MsStore               *self,
                                              gint64                 list_id,
                                              const char            *name,
                                              GError               **error);
gboolean       ms_store_delete_list          (MsStore               *self,
                                              gint64                 list_id,
                                              GError               **error);
gboolean       ms_store_add_list_members     (MsStore               *self,
                                              gint64                 list_id,
                                              const gint64          *contact_ids,
                                              guint                  n_ids,
                                              GError               **error);
gboolean       ms_store_remove_list_members  (MsStore               *self,
                                              gint64                 list_id,
                                              const gint64          *contact_ids,
                                              guint                  n_ids,
                                              GError               **error);

G_END_DECLS

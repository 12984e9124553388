/* ms-contact.c
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

#define G_LOG_DOMAIN "ms-contact"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-contact.h"
#include "ms-json.h"

struct _MsContact
{
  GObject          parent_instance;

  gint64           id;
  char            *email;
  char            *name;
  char            *first_name;
  char            *last_name;
  MsContactStatus  status;
  char            *status_reason;
  gint64           status_time;
  gint64           created_at;
  GHashTable      *fields;        /* char* -> char*, may be NULL */
};

G_DEFINE_FINAL_TYPE (MsContact, ms_contact, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_EMAIL,
  PROP_NAME,
  PROP_FIRST_NAME,
  PROP_LAST_NAME,
  PROP_DISPLAY_NAME,
  PROP_STATUS,
  PROP_STATUS_LABEL,
  PROP_STATUS_REASON,
  PROP_STATUS_TIME,
  PROP_CREATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const struct {
  const char *id;
  const char *label;
} status_names[MS_CONTACT_N_STATUS] = {
  { "active", N_("Active") },
  { "unsubscribed", N_("Unsubscribed") },
  { "bounced", N_("Bounced") },
  { "complained", N_("Complained") },
};

GType
ms_contact_status_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { MS_CONTACT_STATUS_ACTIVE, "MS_CONTACT_STATUS_ACTIVE", "active" },
        { MS_CONTACT_STATUS_UNSUBSCRIBED, "MS_CONTACT_STATUS_UNSUBSCRIBED", "unsubscribed" },
        { MS_CONTACT_STATUS_BOUNCED, "MS_CONTACT_STATUS_BOUNCED", "bounced" },
        { MS_CONTACT_STATUS_COMPLAINED, "MS_CONTACT_STATUS_COMPLAINED", "complained" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("MsContactStatus"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

const char *
ms_contact_status_to_string (MsContactStatus status)
{
  g_return_val_if_fail (status < MS_CONTACT_N_STATUS, "active");

  return status_names[status].id;
}

const char *
ms_contact_status_to_label (MsContactStatus status)
{
  g_return_val_if_fail (status < MS_CONTACT_N_STATUS, "");

  return _(status_names[status].label);
}

gboolean
ms_contact_status_from_string (const char      *str,
                               MsContactStatus *status)
{
  if (str == NULL)
    return FALSE;

  for (guint i = 0; i < MS_CONTACT_N_STATUS; i++)
    {
      if (g_ascii_strcasecmp (str, status_names[i].id) == 0)
        {
          if (status != NULL)
            *status = (MsContactStatus) i;
          return TRUE;
        }
    }

  return FALSE;
}

static void
ms_contact_finalize (GObject *object)
{
  MsContact *self = (MsContact *) object;

  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->first_name, g_free);
  g_clear_pointer (&self->last_name, g_free);
  g_clear_pointer (&self->status_reason, g_free);
  g_clear_pointer (&self->fields, g_hash_table_unref);

  G_OBJECT_CLASS (ms_contact_parent_class)->finalize (object);
}

static void
ms_contact_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  MsContact *self = MS_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_EMAIL:
      g_value_set_string (value, self->email);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_FIRST_NAME:
      g_value_set_string (value, self->first_name);
      break;
    case PROP_LAST_NAME:
      g_value_set_string (value, self->last_name);
      break;
    case PROP_DISPLAY_NAME:
      g_value_take_string (value, ms_contact_dup_display_name (self));
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_STATUS_LABEL:
      g_value_set_string (value, ms_contact_status_to_label (self->status));
      break;
    case PROP_STATUS_REASON:
      g_value_set_string (value, self->status_reason);
      break;
    case PROP_STATUS_TIME:
      g_value_set_int64 (value, self->status_time);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  MsContact *self = MS_CONTACT (object);

  switch (prop_id)
    {
    case PROP_ID:
      ms_contact_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_EMAIL:
      ms_contact_set_email (self, g_value_get_string (value));
      break;
    case PROP_NAME:
      ms_contact_set_name (self, g_value_get_string (value));
      break;
    case PROP_FIRST_NAME:
      ms_contact_set_first_name (self, g_value_get_string (value));
      break;
    case PROP_LAST_NAME:
      ms_contact_set_last_name (self, g_value_get_string (value));
      break;
    case PROP_STATUS:
      ms_contact_set_status (self, g_value_get_enum (value));
      break;
    case PROP_STATUS_REASON:
      ms_contact_set_status_reason (self, g_value_get_string (value));
      break;
    case PROP_STATUS_TIME:
      ms_contact_set_status_time (self, g_value_get_int64 (value));
      break;
    case PROP_CREATED_AT:
      ms_contact_set_created_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_class_init (MsContactClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ms_contact_finalize;
  object_class->get_property = ms_contact_get_property;
  object_class->set_property = ms_contact_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_EMAIL] = g_param_spec_string ("email", NULL, NULL, NULL, rw);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_FIRST_NAME] = g_param_spec_string ("first-name", NULL, NULL, NULL, rw);
  properties[PROP_LAST_NAME] = g_param_spec_string ("last-name", NULL, NULL, NULL, rw);
  properties[PROP_DISPLAY_NAME] = g_param_spec_string ("display-name", NULL, NULL, NULL, ro);
  properties[PROP_STATUS] = g_param_spec_enum ("status", NULL, NULL, MS_TYPE_CONTACT_STATUS,
                                               MS_CONTACT_STATUS_ACTIVE, rw);
  properties[PROP_STATUS_LABEL] = g_param_spec_string ("status-label", NULL, NULL, NULL, ro);
  properties[PROP_STATUS_REASON] = g_param_spec_string ("status-reason", NULL, NULL, NULL, rw);
  properties[PROP_STATUS_TIME] = g_param_spec_int64 ("status-time", NULL, NULL, 0, G_MAXINT64, 0, rw);
  properties[PROP_CREATED_AT] = g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, rw);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_contact_init (MsContact *self)
{
  self->status = MS_CONTACT_STATUS_ACTIVE;
}

MsContact *
ms_contact_new (const char *email)
{
  return g_object_new (MS_TYPE_CONTACT, "email", email, NULL);
}

gint64
ms_contact_get_id (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), 0);

  return self->id;
}

void
ms_contact_set_id (MsContact *self,
                   gint64     id)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (self->id == id)
    return;
  self->id = id;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ID]);
}

static gboolean
replace_string (char       **field,
                const char  *value)
{
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static const char *
or_empty (const char *s)
{
  return s != NULL ? s : "";
}

const char *
ms_contact_get_email (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return or_empty (self->email);
}

void
ms_contact_set_email (MsContact  *self,
                      const char *email)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (replace_string (&self->email, email))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_EMAIL]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
    }
}

const char *
ms_contact_get_name (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return or_empty (self->name);
}

void
ms_contact_set_name (MsContact  *self,
                     const char *name)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (replace_string (&self->name, name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
    }
}

const char *
ms_contact_get_first_name (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return or_empty (self->first_name);
}

void
ms_contact_set_first_name (MsContact  *self,
                           const char *first_name)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (replace_string (&self->first_name, first_name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FIRST_NAME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
    }
}

const char *
ms_contact_get_last_name (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return or_empty (self->last_name);
}

void
ms_contact_set_last_name (MsContact  *self,
                          const char *last_name)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (replace_string (&self->last_name, last_name))
    {
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_NAME]);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DISPLAY_NAME]);
    }
}

/**
 * ms_contact_dup_display_name:
 *
 * The full name if set, else first and last name joined, else "".
 */
char *
ms_contact_dup_display_name (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  if (self->name != NULL && self->name[0] != '\0')
    return g_strdup (self->name);
  if (self->first_name != NULL && self->first_name[0] != '\0'
      && self->last_name != NULL && self->last_name[0] != '\0')
    return g_strconcat (self->first_name, " ", self->last_name, NULL);
  if (self->first_name != NULL && self->first_name[0] != '\0')
    return g_strdup (self->first_name);
  return g_strdup (or_empty (self->last_name));
}

MsContactStatus
ms_contact_get_status (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), MS_CONTACT_STATUS_ACTIVE);

  return self->status;
}

void
ms_contact_set_status (MsContact       *self,
                       MsContactStatus  status)
{
  g_return_if_fail (MS_IS_CONTACT (self));
  g_return_if_fail (status < MS_CONTACT_N_STATUS);

  if (self->status == status)
    return;
  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_LABEL]);
}

const char *
ms_contact_get_status_reason (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return self->status_reason;
}

void
ms_contact_set_status_reason (MsContact  *self,
                              const char *reason)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (replace_string (&self->status_reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_REASON]);
}

gint64
ms_contact_get_status_time (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), 0);

  return self->status_time;
}

void
ms_contact_set_status_time (MsContact *self,
                            gint64     unix_time)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (self->status_time == unix_time)
    return;
  self->status_time = unix_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATUS_TIME]);
}

gint64
ms_contact_get_created_at (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), 0);

  return self->created_at;
}

void
ms_contact_set_created_at (MsContact *self,
                           gint64     unix_time)
{
  g_return_if_fail (MS_IS_CONTACT (self));

  if (self->created_at == unix_time)
    return;
  self->created_at = unix_time;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CREATED_AT]);
}

const char *
ms_contact_get_field (MsContact  *self,
                      const char *name)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (self->fields == NULL)
    return NULL;
  return g_hash_table_lookup (self->fields, name);
}

/**
 * ms_contact_set_field:
 * @value: (nullable): the value, or %NULL to remove the field
 */
void
ms_contact_set_field (MsContact  *self,
                      const char *name,
                      const char *value)
{
  g_return_if_fail (MS_IS_CONTACT (self));
  g_return_if_fail (name != NULL && name[0] != '\0');

  if (value == NULL)
    {
      if (self->fields != NULL)
        g_hash_table_remove (self->fields, name);
      return;
    }

  if (self->fields == NULL)
    self->fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_replace (self->fields, g_strdup (name), g_strdup (value));
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(char * const *) a, *(char * const *) b);
}

GStrv
ms_contact_dup_field_names (MsContact *self)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  gpointer key;

  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  if (self->fields != NULL)
    {
      g_hash_table_iter_init (&iter, self->fields);
      while (g_hash_table_iter_next (&iter, &key, NULL))
        g_ptr_array_add (names, g_strdup (key));
    }
  g_ptr_array_sort (names, compare_strings);
  g_ptr_array_add (names, NULL);
  return (GStrv) g_ptr_array_free (g_steal_pointer (&names), FALSE);
}

char *
ms_contact_dup_fields_json (MsContact *self)
{
  g_return_val_if_fail (MS_IS_CONTACT (self), NULL);

  return ms_json_flat_object_to_string (self->fields);
}

gboolean
ms_contact_set_fields_json (MsContact   *self,
                            const char  *json,
                            GError     **error)
{
  GHashTable *table;

  g_return_val_if_fail (MS_IS_CONTACT (self), FALSE);

  if (json == NULL || json[0] == '\0')
    {
      g_clear_pointer (&self->fields, g_hash_table_unref);
      return TRUE;
    }

  if (!(table = ms_json_parse_flat_object (json, error)))
    return FALSE;

  g_clear_pointer (&self->fields, g_hash_table_unref);
  self->fields = table;
  return TRUE;
}

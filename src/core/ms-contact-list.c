/* ms-contact-list.c
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

#define G_LOG_DOMAIN "ms-contact-list"

#include "config.h"

#include "ms-contact-list.h"

struct _MsContactList
{
  GObject  parent_instance;

  gint64   id;
  char    *name;
  gint64   member_count;
};

G_DEFINE_FINAL_TYPE (MsContactList, ms_contact_list, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_MEMBER_COUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ms_contact_list_finalize (GObject *object)
{
  MsContactList *self = (MsContactList *) object;

  g_clear_pointer (&self->name, g_free);

  G_OBJECT_CLASS (ms_contact_list_parent_class)->finalize (object);
}

static void
ms_contact_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  MsContactList *self = MS_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_MEMBER_COUNT:
      g_value_set_int64 (value, self->member_count);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_list_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  MsContactList *self = MS_CONTACT_LIST (object);

  switch (prop_id)
    {
    case PROP_ID:
      self->id = g_value_get_int64 (value);
      break;
    case PROP_NAME:
      ms_contact_list_set_name (self, g_value_get_string (value));
      break;
    case PROP_MEMBER_COUNT:
      ms_contact_list_set_member_count (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_list_class_init (MsContactListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_contact_list_finalize;
  object_class->get_property = ms_contact_list_get_property;
  object_class->set_property = ms_contact_list_set_property;

  properties[PROP_ID] =
    g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_MEMBER_COUNT] =
    g_param_spec_int64 ("member-count", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_contact_list_init (MsContactList *self)
{
}

MsContactList *
ms_contact_list_new (gint64      id,
                     const char *name,
                     gint64      member_count)
{
  return g_object_new (MS_TYPE_CONTACT_LIST,
                       "id", id,
                       "name", name,
                       "member-count", member_count,
                       NULL);
}

gint64
ms_contact_list_get_id (MsContactList *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_LIST (self), 0);

  return self->id;
}

const char *
ms_contact_list_get_name (MsContactList *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_LIST (self), NULL);

  return self->name;
}

void
ms_contact_list_set_name (MsContactList *self,
                          const char    *name)
{
  g_return_if_fail (MS_IS_CONTACT_LIST (self));

  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

gint64
ms_contact_list_get_member_count (MsContactList *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_LIST (self), 0);

  return self->member_count;
}

void
ms_contact_list_set_member_count (MsContactList *self,
                                  gint64         count)
{
  g_return_if_fail (MS_IS_CONTACT_LIST (self));

  if (self->member_count == count)
    return;
  self->member_count = count;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MEMBER_COUNT]);
}

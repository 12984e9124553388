/* ms-template.c
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


#define G_LOG_DOMAIN "ms-template"

#include "config.h"

#include <string.h>

#include "ms-template.h"

struct _MsTemplate
{
  GObject       parent_instance;

  gint64        id;
  char         *name;
  char         *subject;
  MsBodyFormat  body_format;
  char         *body;
  char         *text_alt;
  char         *sender_address;
  char         *sender_name;
  char         *reply_to;
  gint64        created_at;
  gint64        updated_at;
  GPtrArray    *attachments;
};

G_DEFINE_FINAL_TYPE (MsTemplate, ms_template, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (MsAttachment, ms_attachment, ms_attachment_copy, ms_attachment_free)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_SUBJECT,
  PROP_BODY_FORMAT,
  PROP_BODY,
  PROP_TEXT_ALT,
  PROP_SENDER_ADDRESS,
  PROP_SENDER_NAME,
  PROP_REPLY_TO,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

GType
ms_body_format_get_type (void)
{
  static gsize type_id = 0;

  if (g_once_init_enter (&type_id))
    {
      static const GEnumValue values[] = {
        { MS_BODY_FORMAT_MARKDOWN, "MS_BODY_FORMAT_MARKDOWN", "markdown" },
        { MS_BODY_FORMAT_HTML, "MS_BODY_FORMAT_HTML", "html" },
        { MS_BODY_FORMAT_TEXT, "MS_BODY_FORMAT_TEXT", "text" },
        { 0, NULL, NULL }
      };
      GType type = g_enum_register_static (g_intern_static_string ("MsBodyFormat"), values);

      g_once_init_leave (&type_id, type);
    }

  return type_id;
}

const char *
ms_body_format_to_string (MsBodyFormat format)
{
  switch (format)
    {
    case MS_BODY_FORMAT_MARKDOWN:
      return "markdown";
    case MS_BODY_FORMAT_HTML:
      return "html";
    case MS_BODY_FORMAT_TEXT:
      return "text";
    default:
      g_return_val_if_reached ("markdown");
    }
}

gboolean
ms_body_format_from_string (const char   *str,
                            MsBodyFormat *format)
{
  static const MsBodyFormat all[] = {
    MS_BODY_FORMAT_MARKDOWN, MS_BODY_FORMAT_HTML, MS_BODY_FORMAT_TEXT,
  };

  g_return_val_if_fail (format != NULL, FALSE);

  if (str == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    {
      if (g_ascii_strcasecmp (str, ms_body_format_to_string (all[i])) == 0)
        {
          *format = all[i];
          return TRUE;
        }
    }
  return FALSE;
}

/* Attachments */

static char *
guess_content_type (const char *filename,
                    GBytes     *data)
{
  static const struct { const char *ext; const char *type; } known[] = {
    { "pdf", "application/pdf" }, { "png", "image/png" }, { "jpg", "image/jpeg" },
    { "jpeg", "image/jpeg" }, { "gif", "image/gif" }, { "webp", "image/webp" },
    { "svg", "image/svg+xml" }, { "txt", "text/plain" }, { "csv", "text/csv" },
    { "htm", "text/html" }, { "html", "text/html" }, { "ics", "text/calendar" },
    { "zip", "application/zip" }, { "gz", "application/gzip" },
    { "doc", "application/msword" }, { "xls", "application/vnd.ms-excel" },
    { "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document" },
    { "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
    { "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation" },
    { "odt", "application/vnd.oasis.opendocument.text" },
    { "ods", "application/vnd.oasis.opendocument.spreadsheet" },
  };
  const char *dot = strrchr (filename, '.');

  if (dot != NULL)
    {
      for (guint i = 0; i < G_N_ELEMENTS (known); i++)
        if (g_ascii_strcasecmp (dot + 1, known[i].ext) == 0)
          return g_strdup (known[i].type);
    }
  {
    g_autofree char *type = NULL;
    char *mime = NULL;
    gboolean uncertain = FALSE;

    type = g_content_type_guess (filename, g_bytes_get_data (data, NULL),
                                 g_bytes_get_size (data), &uncertain);
    if (type != NULL && !uncertain)
      mime = g_content_type_get_mime_type (type);
    if (mime != NULL && strchr (mime, '/') != NULL)
      return mime;
    g_free (mime);
  }
  return g_strdup ("application/octet-stream");
}

MsAttachment *
ms_attachment_new (const char *filename,
                   const char *content_type,
                   GBytes     *data)
{
  MsAttachment *self;

  g_return_val_if_fail (filename != NULL && filename[0] != '\0', NULL);
  g_return_val_if_fail (data != NULL, NULL);

  self = g_new0 (MsAttachment, 1);
  self->filename = g_strdup (filename);
  if (content_type == NULL || content_type[0] == '\0')
    self->content_type = guess_content_type (filename, data);
  else
    self->content_type = g_strdup (content_type);
  self->data = g_bytes_ref (data);
  return self;
}

MsAttachment *
ms_attachment_new_from_file (const char  *path,
                             const char  *content_type,
                             GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GBytes) data = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *display = NULL;

  g_return_val_if_fail (path != NULL, NULL);

  file = g_file_new_for_path (path);
  if (!(data = g_file_load_bytes (file, NULL, NULL, error)))
    return NULL;
  basename = g_path_get_basename (path);
  display = g_filename_display_name (basename);
  return ms_attachment_new (display, content_type, data);
}

MsAttachment *
ms_attachment_copy (const MsAttachment *self)
{
  MsAttachment *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = ms_attachment_new (self->filename, self->content_type, self->data);
  copy->id = self->id;
  return copy;
}

void
ms_attachment_free (MsAttachment *self)
{
  if (self == NULL)
    return;
  g_free (self->filename);
  g_free (self->content_type);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self);
}

/* MsTemplate */

static void
ms_template_finalize (GObject *object)
{
  MsTemplate *self = (MsTemplate *) object;

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->subject, g_free);
  g_clear_pointer (&self->body, g_free);
  g_clear_pointer (&self->text_alt, g_free);
  g_clear_pointer (&self->sender_address, g_free);
  g_clear_pointer (&self->sender_name, g_free);
  g_clear_pointer (&self->reply_to, g_free);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_template_parent_class)->finalize (object);
}

static void
ms_template_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MsTemplate *self = MS_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_SUBJECT:
      g_value_set_string (value, self->subject);
      break;
    case PROP_BODY_FORMAT:
      g_value_set_enum (value, self->body_format);
      break;
    case PROP_BODY:
      g_value_set_string (value, self->body);
      break;
    case PROP_TEXT_ALT:
      g_value_set_string (value, self->text_alt);
      break;
    case PROP_SENDER_ADDRESS:
      g_value_set_string (value, self->sender_address);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_REPLY_TO:
      g_value_set_string (value, self->reply_to);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_template_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MsTemplate *self = MS_TEMPLATE (object);

  switch (prop_id)
    {
    case PROP_ID:
      ms_template_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      ms_template_set_name (self, g_value_get_string (value));
      break;
    case PROP_SUBJECT:
      ms_template_set_subject (self, g_value_get_string (value));
      break;
    case PROP_BODY_FORMAT:
      ms_template_set_body_format (self, g_value_get_enum (value));
      break;
    case PROP_BODY:
      ms_template_set_body (self, g_value_get_string (value));
      break;
    case PROP_TEXT_ALT:
      ms_template_set_text_alt (self, g_value_get_string (value));
      break;
    case PROP_SENDER_ADDRESS:
      ms_template_set_sender_address (self, g_value_get_string (value));
      break;
    case PROP_SENDER_NAME:
      ms_template_set_sender_name (self, g_value_get_string (value));
      break;
    case PROP_REPLY_TO:
      ms_template_set_reply_to (self, g_value_get_string (value));
      break;
    case PROP_CREATED_AT:
      ms_template_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_UPDATED_AT:
      ms_template_set_updated_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_template_class_init (MsTemplateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ms_template_finalize;
  object_class->get_property = ms_template_get_property;
  object_class->set_property = ms_template_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, flags);
  properties[PROP_SUBJECT] = g_param_spec_string ("subject", NULL, NULL, NULL, flags);
  properties[PROP_BODY_FORMAT] =
    g_param_spec_enum ("body-format", NULL, NULL, MS_TYPE_BODY_FORMAT,
                       MS_BODY_FORMAT_MARKDOWN, flags);
  properties[PROP_BODY] = g_param_spec_string ("body", NULL, NULL, NULL, flags);
  properties[PROP_TEXT_ALT] = g_param_spec_string ("text-alt", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_ADDRESS] =
    g_param_spec_string ("sender-address", NULL, NULL, NULL, flags);
  properties[PROP_SENDER_NAME] = g_param_spec_string ("sender-name", NULL, NULL, NULL, flags);
  properties[PROP_REPLY_TO] = g_param_spec_string ("reply-to", NULL, NULL, NULL, flags);
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, flags);
  properties[PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, flags);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_template_init (MsTemplate *self)
{
  self->body_format = MS_BODY_FORMAT_MARKDOWN;
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_attachment_free);
}

MsTemplate *
ms_template_new (const char *name)
{
  return g_object_new (MS_TYPE_TEMPLATE, "name", name, NULL);
}

MsTemplate *
ms_template_copy (MsTemplate *self)
{
  MsTemplate *copy;

  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);

  copy = g_object_new (MS_TYPE_TEMPLATE,
                       "id", self->id,
                       "name", self->name,
                       "subject", self->subject,
                       "body-format", self->body_format,
                       "body", self->body,
                       "text-alt", self->text_alt,
                       "sender-address", self->sender_address,
                       "sender-name", self->sender_name,
                       "reply-to", self->reply_to,
                       "created-at", self->created_at,
                       "updated-at", self->updated_at,
                       NULL);
  for (guint i = 0; i < self->attachments->len; i++)
    ms_template_add_attachment (copy, g_ptr_array_index (self->attachments, i));
  return copy;
}

static void
set_string (MsTemplate  *self,
            char       **field,
            const char  *value,
            guint        prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

static void
set_int64 (MsTemplate *self,
           gint64     *field,
           gint64      value,
           guint       prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

gint64
ms_template_get_id (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), 0);
  return self->id;
}

void
ms_template_set_id (MsTemplate *self,
                    gint64      id)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_int64 (self, &self->id, id, PROP_ID);
}

const char *
ms_template_get_name (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->name;
}

void
ms_template_set_name (MsTemplate *self,
                      const char *name)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->name, name, PROP_NAME);
}

const char *
ms_template_get_subject (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->subject;
}

void
ms_template_set_subject (MsTemplate *self,
                         const char *subject)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->subject, subject, PROP_SUBJECT);
}

MsBodyFormat
ms_template_get_body_format (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), MS_BODY_FORMAT_MARKDOWN);
  return self->body_format;
}

void
ms_template_set_body_format (MsTemplate   *self,
                             MsBodyFormat  format)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  g_return_if_fail (format <= MS_BODY_FORMAT_TEXT);

  if (self->body_format == format)
    return;
  self->body_format = format;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BODY_FORMAT]);
}

const char *
ms_template_get_body (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->body;
}

void
ms_template_set_body (MsTemplate *self,
                      const char *body)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->body, body, PROP_BODY);
}

const char *
ms_template_get_text_alt (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->text_alt;
}

void
ms_template_set_text_alt (MsTemplate *self,
                          const char *text_alt)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->text_alt, text_alt, PROP_TEXT_ALT);
}

const char *
ms_template_get_sender_address (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->sender_address;
}

void
ms_template_set_sender_address (MsTemplate *self,
                                const char *address)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->sender_address, address, PROP_SENDER_ADDRESS);
}

const char *
ms_template_get_sender_name (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->sender_name;
}

void
ms_template_set_sender_name (MsTemplate *self,
                             const char *name)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->sender_name, name, PROP_SENDER_NAME);
}

const char *
ms_template_get_reply_to (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->reply_to;
}

void
ms_template_set_reply_to (MsTemplate *self,
                          const char *address)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_string (self, &self->reply_to, address, PROP_REPLY_TO);
}

gint64
ms_template_get_created_at (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), 0);
  return self->created_at;
}

void
ms_template_set_created_at (MsTemplate *self,
                            gint64      unix_time)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_int64 (self, &self->created_at, unix_time, PROP_CREATED_AT);
}

gint64
ms_template_get_updated_at (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), 0);
  return self->updated_at;
}

void
ms_template_set_updated_at (MsTemplate *self,
                            gint64      unix_time)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  set_int64 (self, &self->updated_at, unix_time, PROP_UPDATED_AT);
}

GPtrArray *
ms_template_get_attachments (MsTemplate *self)
{
  g_return_val_if_fail (MS_IS_TEMPLATE (self), NULL);
  return self->attachments;
}

void
ms_template_add_attachment (MsTemplate         *self,
                            const MsAttachment *attachment)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  g_return_if_fail (attachment != NULL);

  g_ptr_array_add (self->attachments, ms_attachment_copy (attachment));
}

void
ms_template_remove_attachment (MsTemplate *self,
                               guint       index)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));
  g_return_if_fail (index < self->attachments->len);

  g_ptr_array_remove_index (self->attachments, index);
}

void
ms_template_clear_attachments (MsTemplate *self)
{
  g_return_if_fail (MS_IS_TEMPLATE (self));

  g_ptr_array_set_size (self->attachments, 0);
}

guint64
ms_template_get_attachments_size (MsTemplate *self)
{
  guint64 total = 0;

  g_return_val_if_fail (MS_IS_TEMPLATE (self), 0);

  for (guint i = 0; i < self->attachments->len; i++)
    {
      MsAttachment *attachment = g_ptr_array_index (self->attachments, i);

      total += g_bytes_get_size (attachment->data);
    }
  return total;
}

/* ms-template.h
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

G_BEGIN_DECLS

typedef enum
{
  MS_BODY_FORMAT_MARKDOWN,  /* rendered to HTML with cmark; the Markdown is the text part */
  MS_BODY_FORMAT_HTML,      /* HTML; the text part is text-alt or derived from the HTML */
  MS_BODY_FORMAT_TEXT,      /* text/plain only */
} MsBodyFormat;

#define MS_TYPE_BODY_FORMAT (ms_body_format_get_type ())
GType        ms_body_format_get_type    (void);
const char  *ms_body_format_to_string   (MsBodyFormat  format);   /* "markdown", "html", "text" */
gboolean     ms_body_format_from_string (const char   *str,
                                         MsBodyFormat *format);

/* One file attached to a template.  A plain struct with public fields, boxed
 * (copy and free); id is the database row (0 until stored). */
typedef struct
{
  gint64  id;
  char   *filename;      /* base name only, UTF-8 */
  char   *content_type;  /* e.g. "application/pdf" */
  GBytes *data;
} MsAttachment;

#define MS_TYPE_ATTACHMENT (ms_attachment_get_type ())
GType         ms_attachment_get_type      (void);
/* content_type may be NULL: it is then guessed from the name and the data. */
MsAttachment *ms_attachment_new           (const char          *filename,
                                           const char          *content_type,
                                           GBytes              *data);
/* Reads a file whole; the base name becomes the filename. */
MsAttachment *ms_attachment_new_from_file (const char          *path,
                                           const char          *content_type,
                                           GError             **error);
MsAttachment *ms_attachment_copy          (const MsAttachment  *self);
void          ms_attachment_free          (MsAttachment        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsAttachment, ms_attachment_free)

#define MS_TYPE_TEMPLATE (ms_template_get_type ())

G_DECLARE_FINAL_TYPE (MsTemplate, ms_template, MS, TEMPLATE, GObject)

/* Properties: "id", "name", "subject", "body-format", "body", "text-alt",
 * "sender-address", "sender-name", "reply-to", "created-at", "updated-at".
 * Strings may be NULL (empty means the same as NULL for the optional ones). */
MsTemplate   *ms_template_new                (const char   *name);
MsTemplate   *ms_template_copy               (MsTemplate   *self);  /* deep, attachments too */
gint64        ms_template_get_id             (MsTemplate   *self);
void          ms_template_set_id             (MsTemplate   *self,
                                              gint64        id);
const char   *ms_template_get_name           (MsTemplate   *self);
void          ms_template_set_name           (MsTemplate   *self,
                                              const char   *name);
const char   *ms_template_get_subject        (MsTemplate   *self);
void          ms_template_set_subject        (MsTemplate   *self,
                                              const char   *subject);
MsBodyFormat  ms_template_get_body_format    (MsTemplate   *self);
void          ms_template_set_body_format    (MsTemplate   *self,
                                              MsBodyFormat  format);
const char   *ms_template_get_body           (MsTemplate   *self);
void          ms_template_set_body           (MsTemplate   *self,
                                              const char   *body);
/* HTML templates only: the text part; NULL derives it from the HTML. */
const char   *ms_template_get_text_alt       (MsTemplate   *self);
void          ms_template_set_text_alt       (MsTemplate   *self,
                                              const char   *text_alt);
/* A fixed From; NULL uses the sending server's own address. */
const char   *ms_template_get_sender_address (MsTemplate   *self);
void          ms_template_set_sender_address (MsTemplate   *self,
                                              const char   *address);
const char   *ms_template_get_sender_name    (MsTemplate   *self);
void          ms_template_set_sender_name    (MsTemplate   *self,
                                              const char   *name);
const char   *ms_template_get_reply_to       (MsTemplate   *self);
void          ms_template_set_reply_to       (MsTemplate   *self,
                                              const char   *address);
gint64        ms_template_get_created_at     (MsTemplate   *self);
void          ms_template_set_created_at     (MsTemplate   *self,
                                              gint64        unix_time);
gint64        ms_template_get_updated_at     (MsTemplate   *self);
void          ms_template_set_updated_at     (MsTemplate   *self,
                                              gint64        unix_time);

/* Attachments, in order.  The array and its MsAttachment elements belong to
 * the template; add copies the attachment. */
GPtrArray    *ms_template_get_attachments    (MsTemplate   *self);
void          ms_template_add_attachment     (MsTemplate   *self,
                                              const MsAttachment *attachment);
void          ms_template_remove_attachment  (MsTemplate   *self,
                                              guint         index);
void          ms_template_clear_attachments  (MsTemplate   *self);
guint64       ms_template_get_attachments_size (MsTemplate *self);  /* sum of the data sizes */

G_END_DECLS

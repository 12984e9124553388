/* ms-json.h
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

#include <glib.h>

G_BEGIN_DECLS

#define MS_JSON_ERROR (ms_json_error_quark ())

typedef enum
{
  MS_JSON_ERROR_PARSE,
  MS_JSON_ERROR_NOT_FLAT,
} MsJsonError;

/* A small streaming JSON writer: commas and nesting are tracked for you.
 *
 *   g_autoptr(MsJsonWriter) w = ms_json_writer_new (TRUE);
 *   ms_json_writer_begin_object (w);
 *   ms_json_writer_key (w, "imported");
 *   ms_json_writer_int (w, 12);
 *   ms_json_writer_end_object (w);
 *   g_print ("%s\n", ms_json_writer_get_string (w));
 */
typedef struct _MsJsonWriter MsJsonWriter;

GQuark        ms_json_error_quark          (void);
MsJsonWriter *ms_json_writer_new           (gboolean      pretty);
void          ms_json_writer_free          (MsJsonWriter *self);
const char   *ms_json_writer_get_string    (MsJsonWriter *self);
char         *ms_json_writer_steal_string  (MsJsonWriter *self);
void          ms_json_writer_begin_object  (MsJsonWriter *self);
void          ms_json_writer_end_object    (MsJsonWriter *self);
void          ms_json_writer_begin_array   (MsJsonWriter *self);
void          ms_json_writer_end_array     (MsJsonWriter *self);
void          ms_json_writer_key           (MsJsonWriter *self,
                                            const char   *key);
void          ms_json_writer_string        (MsJsonWriter *self,
                                            const char   *value);
void          ms_json_writer_int           (MsJsonWriter *self,
                                            gint64        value);
void          ms_json_writer_double        (MsJsonWriter *self,
                                            double        value);
void          ms_json_writer_boolean       (MsJsonWriter *self,
                                            gboolean      value);
void          ms_json_writer_null          (MsJsonWriter *self);

/* Appends @str as a quoted JSON string (NULL gives null). */
void          ms_json_append_string        (GString      *out,
                                            const char   *str);

/* Parses an object whose values are scalars into a table of string -> string
 * (numbers and booleans as their text; null values are left out).  Nested
 * objects or arrays are an error (MS_JSON_ERROR_NOT_FLAT). */
GHashTable   *ms_json_parse_flat_object    (const char   *json,
                                            GError      **error);

/* Writes a string -> string table as a JSON object with sorted keys; NULL for
 * an empty table. */
char         *ms_json_flat_object_to_string (GHashTable  *table);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsJsonWriter, ms_json_writer_free)

G_END_DECLS

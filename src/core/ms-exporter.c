/* ms-exporter.c
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

#define G_LOG_DOMAIN "ms-exporter"

#include "config.h"

#include <string.h>

#include "ms-importer.h"

#define FLUSH_SIZE (64 * 1024)

typedef struct
{
  GOutputStream  *out;
  GString        *buffer;
  GStrv           field_names;
  guint64         count;
  GCancellable   *cancellable;
  GError         *error;
} Exporter;

static void
append_cell (GString    *buffer,
             const char *value)
{
  gboolean quote;
  gsize length;

  if (value == NULL || *value == '\0')
    return;

  length = strlen (value);
  quote = strpbrk (value, ",\"\r\n;\t") != NULL ||
          g_ascii_isspace (value[0]) || g_ascii_isspace (value[length - 1]);
  if (!quote)
    {
      g_string_append_len (buffer, value, length);
      return;
    }

  g_string_append_c (buffer, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"')
        g_string_append_c (buffer, '"');
      g_string_append_c (buffer, *p);
    }
  g_string_append_c (buffer, '"');
}

static gboolean
flush (Exporter *exp,
       gboolean  force)
{
  if (exp->buffer->len == 0 || (!force && exp->buffer->len < FLUSH_SIZE))
    return TRUE;

  if (!g_output_stream_write_all (exp->out, exp->buffer->str, exp->buffer->len, NULL,
                                  exp->cancellable, &exp->error))
    return FALSE;

  g_string_truncate (exp->buffer, 0);
  return TRUE;
}

static gboolean
write_contact_cb (MsContact *contact,
                  gpointer   user_data)
{
  Exporter *exp = user_data;
  GString *b = exp->buffer;

  if (g_cancellable_set_error_if_cancelled (exp->cancellable, &exp->error))
    return FALSE;

  append_cell (b, ms_contact_get_email (contact));
  g_string_append_c (b, ',');
  append_cell (b, ms_contact_get_name (contact));
  g_string_append_c (b, ',');
  append_cell (b, ms_contact_get_first_name (contact));
  g_string_append_c (b, ',');
  append_cell (b, ms_contact_get_last_name (contact));
  g_string_append_c (b, ',');
  append_cell (b, ms_contact_status_to_string (ms_contact_get_status (contact)));
  g_string_append_c (b, ',');
  append_cell (b, ms_contact_get_status_reason (contact));
  for (guint i = 0; exp->field_names[i] != NULL; i++)
    {
      g_string_append_c (b, ',');
      append_cell (b, ms_contact_get_field (contact, exp->field_names[i]));
    }
  g_string_append (b, "\r\n");
  exp->count++;

  return flush (exp, FALSE);
}

/**
 * ms_export_csv_to_stream:
 * @store: the database
 * @out: where to write; it is not closed
 * @query: (nullable): which contacts (a list, a status...); %NULL for all
 * @out_count: (out) (optional): how many contacts were written
 * @cancellable: (nullable): stops the export
 *
 * Writes UTF-8 CSV with CRLF line ends (RFC 4180): a header row of email,
 * name, first_name, last_name, status, status_reason, then every custom field
 * name in the database, then one row per contact, as it reads them (memory
 * stays bounded whatever the number of contacts).  On failure what was
 * written so far stays in @out.
 *
 * Returns: %TRUE on success
 */
gboolean
ms_export_csv_to_stream (MsStore               *store,
                         GOutputStream         *out,
                         const MsContactQuery  *query,
                         guint64               *out_count,
                         GCancellable          *cancellable,
                         GError               **error)
{
  g_autoptr(GString) buffer = NULL;
  g_auto(GStrv) field_names = NULL;
  Exporter exp = { 0, };
  gboolean ok;

  g_return_val_if_fail (MS_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_OUTPUT_STREAM (out), FALSE);

  field_names = ms_store_list_field_names (store, error);
  if (field_names == NULL)
    return FALSE;

  buffer = g_string_sized_new (FLUSH_SIZE + 4096);
  exp.out = out;
  exp.buffer = buffer;
  exp.field_names = field_names;
  exp.cancellable = cancellable;

  g_string_append (buffer, "email,name,first_name,last_name,status,status_reason");
  for (guint i = 0; field_names[i] != NULL; i++)
    {
      g_string_append_c (buffer, ',');
      append_cell (buffer, field_names[i]);
    }
  g_string_append (buffer, "\r\n");

  ok = ms_store_foreach_contact (store, query, write_contact_cb, &exp, error);
  if (ok && exp.error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&exp.error));
      ok = FALSE;
    }
  if (ok)
    ok = flush (&exp, TRUE);
  if (!ok && exp.error != NULL)
    g_propagate_error (error, g_steal_pointer (&exp.error));
  g_clear_error (&exp.error);

  if (ok && out_count != NULL)
    *out_count = exp.count;
  return ok;
}

/**
 * ms_export_csv_sync:
 * @store: the database
 * @file: where to write; replaced only once the export is complete
 * @query: (nullable): which contacts (a list, a status...); %NULL for all
 * @out_count: (out) (optional): how many contacts were written
 * @cancellable: (nullable): stops the export, leaving @file as it was
 *
 * ms_export_csv_to_stream() into a temporary file beside @file, renamed over
 * it at the end, so a failure never leaves a half-written file.
 *
 * Returns: %TRUE on success
 */
gboolean
ms_export_csv_sync (MsStore               *store,
                    GFile                 *file,
                    const MsContactQuery  *query,
                    guint64               *out_count,
                    GCancellable          *cancellable,
                    GError               **error)
{
  g_autoptr(GFileOutputStream) stream = NULL;

  g_return_val_if_fail (MS_IS_STORE (store), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);

  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, cancellable, error);
  if (stream == NULL)
    return FALSE;

  if (!ms_export_csv_to_stream (store, G_OUTPUT_STREAM (stream), query, out_count, cancellable,
                                error))
    {
      /* A cancelled close drops the temporary file and keeps the old one. */
      g_autoptr(GCancellable) abort = g_cancellable_new ();

      g_cancellable_cancel (abort);
      g_output_stream_close (G_OUTPUT_STREAM (stream), abort, NULL);
      return FALSE;
    }

  return g_output_stream_close (G_OUTPUT_STREAM (stream), cancellable, error);
}

/* ms-import-private.h
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

#include <string.h>

#include "ms-importer.h"
#include "ms-store.h"

G_BEGIN_DECLS

/* The importer reads on one thread and writes on another: the reading side
 * fills an MsImportBatch (rows, rejections), sorts it and hands it over; the
 * writing side (ms-import-writer.c) writes it in one transaction. */

/* A string of a row: an offset into MsImportBatch.text and a length; a length
 * of 0 means no value (SQL NULL).  The text is nul-terminated there. */
typedef struct
{
  guint32 offset;
  guint32 length;
} MsImportSpan;

typedef struct
{
  MsImportSpan email;             /* normalised, never empty */
  MsImportSpan name;
  MsImportSpan first_name;
  MsImportSpan last_name;
  MsImportSpan fields;            /* a flat JSON object */
} MsImportRow;

/* The write order: the email index's order (NOCASE), file order among equals. */
typedef struct
{
  guint64 prefix;                 /* the first 8 bytes of the email, ASCII folded, big-endian */
  guint32 row;                    /* index into rows, also the file order */
} MsImportOrder;

typedef struct
{
  guint64  line;
  char    *reason;
} MsImportBatchRejection;

typedef struct
{
  GString   *text;                /* the rows' strings */
  GArray    *rows;                /* of MsImportRow: in file order, then in write order */
  GArray    *order;               /* of MsImportOrder: scratch space of the sort */
  GArray    *rejections;          /* of MsImportBatchRejection, in file order */
  guint64    rows_end;            /* records read when the batch was closed */
  guint64    bytes_end;           /* bytes of the file read then */
  gboolean   last;                /* the end of the file, or error is set */
  GError    *error;               /* reading failed: the import stops here */

  /* the writer's scratch space */
  GArray    *ids;                 /* of gint64 */
  guint8    *inserted;            /* per sorted position */
  gsize      inserted_size;
} MsImportBatch;

/* What the committed batches did. */
typedef struct
{
  guint64 imported;
  guint64 updated;
  guint64 skipped;
} MsImportCounts;

/* g_string_append_len() without a call when there is room */
static inline void
_ms_import_append (GString    *string,
                   const char *text,
                   gsize       length)
{
  if (G_UNLIKELY (string->len + length >= string->allocated_len))
    {
      g_string_append_len (string, text, length);
      return;
    }
  memcpy (string->str + string->len, text, length);
  string->len += length;
  string->str[string->len] = '\0';
}

MsImportBatch *_ms_import_batch_new        (void);
void           _ms_import_batch_free       (MsImportBatch        *batch);
void           _ms_import_batch_reset      (MsImportBatch        *batch);
void           _ms_import_batch_sort       (MsImportBatch        *batch,
                                            GString             **spare_text,
                                            GArray              **spare_rows);

typedef struct _MsImportCheckpointer MsImportCheckpointer;

gboolean       _ms_import_write_batch      (MsStore              *store,
                                            MsImportBatch        *batch,
                                            MsImportCheckpointer *checkpointer,
                                            const char           *list_name,
                                            gint64               *inout_list_id,
                                            gboolean              update_existing,
                                            MsImportCounts       *counts,
                                            GCancellable         *cancellable,
                                            GError              **error);

/* Checkpoints on a connection and thread of their own while batches are
 * written (see ms-import-writer.c). */

MsImportCheckpointer *_ms_import_checkpointer_new           (MsStore              *store);
void                  _ms_import_checkpointer_before_begin  (MsImportCheckpointer *self);
void                  _ms_import_checkpointer_free          (MsImportCheckpointer *self);

G_END_DECLS

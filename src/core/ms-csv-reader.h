/* ms-csv-reader.h
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

/* A streaming RFC 4180 reader with encoding and delimiter detection.
 *
 * Memory stays bounded whatever the input: the stream is read in chunks of
 * MS_CSV_CHUNK_SIZE bytes, and a record keeps at most MS_CSV_MAX_FIELD bytes per
 * field, MS_CSV_MAX_RECORD bytes in all and MS_CSV_MAX_FIELDS fields; past that
 * the record is still read to its end (quotes respected) but comes back with a
 * status other than MS_CSV_ROW_OK, so the caller can reject it and go on.
 *
 * Quoting follows RFC 4180 (quoted delimiters and line breaks, "" for a quote)
 * and is lenient where Excel and friends are: a quote in the middle of an
 * unquoted field is kept as a character, and text after a closing quote is
 * appended to the field.  Line ends may be CRLF, LF or CR alone, even mixed.
 * Errors are reported in MS_IMPORT_ERROR (ms-importer.h). */

#define MS_CSV_CHUNK_SIZE  (256 * 1024)   /* also the sample used for detection */
#define MS_CSV_MAX_FIELD   (1024 * 1024)
#define MS_CSV_MAX_RECORD  (4 * 1024 * 1024)
#define MS_CSV_MAX_FIELDS  4096

typedef enum
{
  MS_CSV_ROW_OK,
  MS_CSV_ROW_FIELD_TOO_LARGE,
  MS_CSV_ROW_TOO_MANY_FIELDS,
  MS_CSV_ROW_UNTERMINATED_QUOTE,  /* the file ended inside a quoted field */
  MS_CSV_ROW_UNDECODABLE,         /* bytes invalid in the encoding, or NUL */
} MsCsvRowStatus;

typedef struct
{
  guint64          line;          /* 1-based physical line where the record starts */
  guint64          n_lines;       /* physical lines it spans (>1 with quoted line breaks) */
  MsCsvRowStatus   status;
  gboolean         empty;         /* every field is empty: a blank line or ";;;" */
  guint            n_fields;
  const char     **fields;        /* nul-terminated UTF-8 when status is OK */
  const gsize     *lengths;
} MsCsvRecord;

typedef struct _MsCsvReader MsCsvReader;

MsCsvReader       *ms_csv_reader_new            (GInputStream   *stream,
                                                 const char     *encoding,
                                                 gunichar        delimiter,
                                                 GCancellable   *cancellable,
                                                 GError        **error);
void               ms_csv_reader_free           (MsCsvReader    *self);
const char        *ms_csv_reader_get_encoding   (MsCsvReader    *self);
gboolean           ms_csv_reader_get_had_bom    (MsCsvReader    *self);
gunichar           ms_csv_reader_get_delimiter  (MsCsvReader    *self);
guint64            ms_csv_reader_get_bytes_read (MsCsvReader    *self);
const MsCsvRecord *ms_csv_reader_next           (MsCsvReader    *self,
                                                 GCancellable   *cancellable,
                                                 GError        **error);

/* The detection steps, on their own for tests and the import dialog.
 * ms_csv_detect_encoding() looks at the first bytes of a file: a BOM, then
 * UTF-16 without BOM, then NUL bytes or control characters (binary:
 * MS_IMPORT_ERROR_BINARY), then UTF-8, otherwise WINDOWS-1251 or WINDOWS-1252
 * by how the bytes >= 0xC0 sit (Cyrillic text is words of them, Western text
 * has them alone between ASCII letters).  at_end tells whether the sample is
 * the whole file (a UTF-8 sequence cut at its end is then an error). */
char              *ms_csv_detect_encoding       (const guint8   *data,
                                                 gsize           length,
                                                 gboolean        at_end,
                                                 gsize          *out_bom_length,
                                                 GError        **error);
gunichar           ms_csv_detect_delimiter      (const char     *text,
                                                 gsize           length,
                                                 gboolean        at_end,
                                                 gboolean        prefer_tab);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsCsvReader, ms_csv_reader_free)

G_END_DECLS

/* ms-importer.h
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

#include "ms-store.h"

G_BEGIN_DECLS

#define MS_IMPORT_ERROR (ms_import_error_quark ())

typedef enum
{
  MS_IMPORT_ERROR_FAILED,
  MS_IMPORT_ERROR_EMPTY,          /* 0-byte file or no data rows */
  MS_IMPORT_ERROR_BINARY,         /* not text: NUL bytes, undecodable */
  MS_IMPORT_ERROR_ENCODING,       /* the chosen encoding cannot decode the file */
  MS_IMPORT_ERROR_NO_EMAIL_COLUMN,
  MS_IMPORT_ERROR_BAD_OPTION,
} MsImportError;

typedef enum
{
  MS_DUPLICATE_UPDATE,            /* later rows and existing contacts are updated */
  MS_DUPLICATE_SKIP,              /* the first occurrence wins */
} MsDuplicatePolicy;

typedef enum
{
  MS_FIELD_ROLE_IGNORE,
  MS_FIELD_ROLE_EMAIL,
  MS_FIELD_ROLE_NAME,
  MS_FIELD_ROLE_FIRST_NAME,
  MS_FIELD_ROLE_LAST_NAME,
  MS_FIELD_ROLE_CUSTOM,           /* kept as a custom field named after the column */
} MsFieldRole;

/* What the first rows of a file look like, for the import dialog. */
typedef struct
{
  char       *encoding;           /* iconv name, e.g. "UTF-8", "UTF-16LE", "WINDOWS-1251" */
  gboolean    had_bom;
  gunichar    delimiter;          /* ',' ';' '\t' ... */
  GStrv       header;             /* column titles as in the file (n_columns) */
  MsFieldRole *roles;             /* suggested role per column (n_columns) */
  guint       n_columns;
  GPtrArray  *rows;               /* of GStrv: the first data rows, decoded */
} MsCsvPreview;

typedef struct
{
  const char        *list_name;   /* NULL: no list; created when missing */
  const char        *encoding;    /* NULL or "auto": detect */
  gunichar           delimiter;   /* 0: detect */
  MsDuplicatePolicy  on_duplicate;
  const MsFieldRole *roles;       /* NULL: from the header; else one per column */
  guint              n_roles;
} MsImportOptions;

typedef struct
{
  guint  line;                    /* 1-based physical line where the row starts */
  char  *reason;                  /* translated, for people */
} MsImportRejection;

typedef struct
{
  guint64    imported;            /* new contacts */
  guint64    updated;             /* existing contacts changed (or merged in-file rows) */
  guint64    skipped;             /* duplicates left alone */
  guint64    rejected;            /* rows that could not be imported */
  GPtrArray *rejections;          /* of MsImportRejection, the first MS_IMPORT_MAX_KEPT */
  char      *encoding;
  gunichar   delimiter;
  gint64     list_id;             /* 0 if no list */
} MsImportResult;

#define MS_IMPORT_MAX_KEPT 10000

/* Rows written per transaction (fewer when they hold more than 32 MiB). */
#define MS_IMPORT_BATCH_ROWS 50000

/* Progress: bytes of the file consumed so far out of total (total may be 0 if unknown).
 * It comes after every committed batch and, while the next one is read, about ten
 * times a second.  In the sync call it runs on the calling thread; in the async call
 * on the caller's main context, coalesced. */
typedef void (*MsImportProgressFunc) (guint64  bytes_done,
                                      guint64  bytes_total,
                                      guint64  rows_done,
                                      gpointer user_data);

/* Every rejected row, in file order, before its batch is written (sync only); may
 * be NULL. */
typedef void (*MsImportRejectFunc)   (const MsImportRejection *rejection,
                                      gpointer                 user_data);

GQuark          ms_import_error_quark    (void);
const char     *ms_field_role_to_string  (MsFieldRole             role);
MsFieldRole     ms_field_role_guess      (const char             *column_title);

MsCsvPreview   *ms_csv_preview_load      (GFile                  *file,
                                          const char             *encoding,
                                          gunichar                delimiter,
                                          guint                   max_rows,
                                          GCancellable           *cancellable,
                                          GError                **error);
void            ms_csv_preview_free      (MsCsvPreview           *preview);

/* Imports in transactions of MS_IMPORT_BATCH_ROWS rows; a second thread reads
 * the next batch while one is written, and the callbacks run on the calling
 * thread (they must not use the store).  On cancellation the batch being
 * written or read is rolled back, batches already committed stay, and the
 * call fails with G_IO_ERROR_CANCELLED (no result).  Rejected rows (bad or
 * missing address, more non-empty fields than the header, a field over 1 MiB,
 * an unclosed quote, bytes the encoding cannot decode) are counted, kept and
 * passed to reject; blank lines are skipped silently.  With a list, every
 * accepted row's contact joins it, skipped duplicates included. */
MsImportResult *ms_import_csv_sync       (MsStore                *store,
                                          GFile                  *file,
                                          const MsImportOptions  *options,
                                          MsImportProgressFunc    progress,
                                          MsImportRejectFunc      reject,
                                          gpointer                user_data,
                                          GCancellable           *cancellable,
                                          GError                **error);
/* The same; on failure (cancellation included) after reading began,
 * *out_partial tells what the committed batches did. */
MsImportResult *ms_import_csv_sync_with_partial (MsStore                *store,
                                                 GFile                  *file,
                                                 const MsImportOptions  *options,
                                                 MsImportProgressFunc    progress,
                                                 MsImportRejectFunc      reject,
                                                 gpointer                user_data,
                                                 MsImportResult        **out_partial,
                                                 GCancellable           *cancellable,
                                                 GError                **error);
/* Opens its own connection to db_path on a worker thread. */
void            ms_import_csv_async      (const char             *db_path,
                                          GFile                  *file,
                                          const MsImportOptions  *options,
                                          MsImportProgressFunc    progress,
                                          gpointer                progress_data,
                                          GDestroyNotify          progress_data_free,
                                          GCancellable           *cancellable,
                                          GAsyncReadyCallback     callback,
                                          gpointer                user_data);
MsImportResult *ms_import_csv_finish     (GAsyncResult           *result,
                                          GError                **error);
MsImportResult *ms_import_csv_finish_with_partial (GAsyncResult     *result,
                                                   MsImportResult  **out_partial,
                                                   GError          **error);
void            ms_import_result_free    (MsImportResult         *result);

/* CSV export: UTF-8 with a header row (email, name, first_name, last_name, status,
 * status_reason, then every custom field), RFC 4180 quoting, streamed. */
gboolean        ms_export_csv_sync       (MsStore                *store,
                                          GFile                  *file,
                                          const MsContactQuery   *query,
                                          guint64                *out_count,
                                          GCancellable           *cancellable,
                                          GError                **error);
/* The same into any stream (standard output, a socket...), left open. */
gboolean        ms_export_csv_to_stream  (MsStore                *store,
                                          GOutputStream          *out,
                                          const MsContactQuery   *query,
                                          guint64                *out_count,
                                          GCancellable           *cancellable,
                                          GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsImportResult, ms_import_result_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsCsvPreview, ms_csv_preview_free)

G_END_DECLS

/* ms-store-job.h
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

/* Runs func on a worker thread with a connection of its own (STYLE.md §7: one
 * connection per thread, no I/O on the UI thread).  func returns a non-NULL
 * result or sets error; for jobs with nothing to return, MS_STORE_JOB_DONE. */
typedef gpointer (*MsStoreJobFunc) (MsStore       *store,
                                    gpointer       data,
                                    GCancellable  *cancellable,
                                    GError       **error);

#define MS_STORE_JOB_DONE ((gpointer) 1)

void     ms_store_job_run    (gpointer             source_object,
                              const char          *db_path,
                              MsStoreJobFunc       func,
                              gpointer             data,
                              GDestroyNotify       data_free,
                              GDestroyNotify       result_free,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data);
gpointer ms_store_job_finish (GAsyncResult        *result,
                              GError             **error);

G_END_DECLS

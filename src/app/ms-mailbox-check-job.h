/* ms-mailbox-check-job.h
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

#include "ms-mailbox-check.h"

G_BEGIN_DECLS

/* Checks the incoming mailbox of a stored server profile on a worker thread
 * with a store connection of its own (the password is looked up there too). */
void      ms_mailbox_check_job_run         (gpointer                     source_object,
                                            const char                  *db_path,
                                            MsSecrets                   *secrets,
                                            MsServer                    *server,
                                            GCancellable                *cancellable,
                                            GAsyncReadyCallback          callback,
                                            gpointer                     user_data);
gboolean  ms_mailbox_check_job_finish      (GAsyncResult                *result,
                                            MsMailboxCheckResult        *out,
                                            GError                     **error);

/* The result in plain words, e.g. "3 bounces, 1 unsubscribe, 12 messages read". */
char     *ms_mailbox_check_result_describe (const MsMailboxCheckResult  *result);

G_END_DECLS

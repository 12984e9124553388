/* ms-app-secrets.h
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

#include "ms-secrets.h"

G_BEGIN_DECLS

/* The secret store of a database, made on a worker thread (choosing it asks the
 * session bus) and shared by every view of the process afterwards. */
void       ms_app_secrets_load_async  (const char           *db_path,
                                       GCancellable         *cancellable,
                                       GAsyncReadyCallback   callback,
                                       gpointer              user_data);
MsSecrets *ms_app_secrets_load_finish (GAsyncResult         *result,
                                       GError              **error);

G_END_DECLS

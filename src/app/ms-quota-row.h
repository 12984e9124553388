/* ms-quota-row.h
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

#include <adwaita.h>

#include "ms-server.h"

G_BEGIN_DECLS

#define MS_TYPE_QUOTA_ROW (ms_quota_row_get_type ())

G_DECLARE_FINAL_TYPE (MsQuotaRow, ms_quota_row, MS, QUOTA_ROW, AdwActionRow)

/* One "N messages per M units" row of the server editor.  Signals: "changed"
 * when the person edits it, "remove" when they click its remove button. */
MsQuotaRow *ms_quota_row_new       (const MsQuota *quota);
void        ms_quota_row_get_quota (MsQuotaRow    *self,
                                    MsQuota       *quota);

G_END_DECLS

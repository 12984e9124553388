/* ms-send-test-dialog.h
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

#include "ms-contact.h"
#include "ms-template.h"

G_BEGIN_DECLS

#define MS_TYPE_SEND_TEST_DIALOG (ms_send_test_dialog_get_type ())

G_DECLARE_FINAL_TYPE (MsSendTestDialog, ms_send_test_dialog, MS, SEND_TEST_DIALOG, AdwWindow)

/* "Send Test…": renders a copy of @tmpl for @contact (NULL: a stand-in) and sends
 * it through a chosen server to one address, the server's own by default, on a
 * worker thread.  "sent" (a sentence saying what went where) is emitted before
 * the dialog closes; a failure stays in the dialog with its explanation. */
MsSendTestDialog *ms_send_test_dialog_new         (GtkWindow          *parent,
                                                   const char         *db_path,
                                                   MsTemplate         *tmpl,
                                                   MsContact          *contact,
                                                   const char * const *custom_fields);
/* The servers are read and the secret store is known. */
gboolean          ms_send_test_dialog_get_ready   (MsSendTestDialog   *self);
gboolean          ms_send_test_dialog_get_sending (MsSendTestDialog   *self);
/* What went wrong last, or NULL. */
const char       *ms_send_test_dialog_get_error   (MsSendTestDialog   *self);

G_END_DECLS

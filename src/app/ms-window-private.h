/* ms-window-private.h
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

#include "ms-campaigns-view.h"
#include "ms-servers-view.h"
#include "ms-templates-view.h"
#include "ms-window.h"

G_BEGIN_DECLS

struct _MsWindow
{
  AdwApplicationWindow  parent_instance;

  /* Template */
  AdwToastOverlay      *toast_overlay;
  GtkStack             *main_stack;
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  GtkStack             *content_stack;
  MsContactsView       *contacts_view;
  GtkListBox           *campaigns_list; /* Campaigns, above the contact lists */
  MsCampaignsView      *campaigns_view;
  GtkListBox           *sections_list;  /* Templates, Servers */
  MsTemplatesView      *templates_view;
  MsServersView        *servers_view;
  AdwStatusPage        *error_page;
  GMenuModel           *list_menu;

  /* State */
  char                 *db_path;
  GSettings            *settings;
  GCancellable         *cancellable;
  GListStore           *lists;          /* MsContactList: "All Contacts" (id 0), then each list */
  gint64                list_id;        /* the one shown */
  char                 *restore_list;   /* name of the list to show once lists are read */
  guint                 lists_pending;  /* list reads and writes in flight */
  gboolean              opened;         /* the database opened and lists were read once */
  gboolean              updating_lists;
  gboolean              loading;        /* last notified value */
  GtkWidget            *list_popover;
  GPtrArray            *section_lists;  /* GtkListBox: rows named after content_stack pages */
  gboolean              quiet_select;   /* selecting a list row without showing Contacts */
  gboolean              close_confirmed; /* unsaved template changes were saved or discarded */
  gboolean              close_sending;   /* asked what to do with a campaign that sends */
  guint                 background_id;   /* hidden, sending in the background: the app is held */
};

void _ms_window_class_actions_init (MsWindowClass *klass);
void _ms_window_job_started        (MsWindow      *self);
void _ms_window_job_finished       (MsWindow      *self);
void _ms_window_actions_update     (MsWindow      *self);
void _ms_window_reload_lists       (MsWindow      *self,
                                    gint64         select_id);
MsContactList *_ms_window_get_current_list (MsWindow *self);
/* Adds a list box of section rows to the sidebar's selection: each row's widget
 * name is the name of its page in content_stack ("campaigns" for a Campaigns
 * row above Contacts), and selecting it shows that page. */
void _ms_window_add_section_list   (MsWindow      *self,
                                    GtkListBox    *list);

G_END_DECLS

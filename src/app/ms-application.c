/* ms-application.c
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

#define G_LOG_DOMAIN "ms-application"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-application.h"
#include "ms-bounce-monitor.h"
#include "ms-resources.h"
#include "ms-store.h"
#include "ms-window.h"

#define SCHEMA_ID "io.github.mailshot.Mailshot"

struct _MsApplication
{
  AdwApplication  parent_instance;

  char           *db_path;
  GSettings      *settings;
  MsBounceMonitor *bounce_monitor;
};

G_DEFINE_FINAL_TYPE (MsApplication, ms_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DB_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GSettings *
create_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, SCHEMA_ID, TRUE);
  if (schema == NULL)
    {
      /* Running from the build folder without GSETTINGS_SCHEMA_DIR: work, but say
       * why the window forgets its size. */
      g_message ("The settings schema %s is not installed, so window size and the last "
                 "view are not kept. To run Mailshot uninstalled, set "
                 "GSETTINGS_SCHEMA_DIR=<build folder>/data.", SCHEMA_ID);
      return NULL;
    }
  return g_settings_new_full (schema, NULL, NULL);
}

static void
ms_application_about_action (GSimpleAction *action,
                             GVariant      *parameter,
                             gpointer       user_data)
{
  MsApplication *self = user_data;
  const char *developers[] = { _("The Mailshot authors"), NULL };

  adw_show_about_window (gtk_application_get_active_window (GTK_APPLICATION (self)),
                         "application-name", _("Mailshot"),
                         "application-icon", APPLICATION_ID,
                         "version", PACKAGE_VERSION,
                         "developer-name", _("The Mailshot authors"),
                         "developers", developers,
                         "comments", _("Send personal email campaigns through your own mail servers, "
                                       "within every server’s sending limits."),
                         "website", "https://github.com/mailshot/mailshot",
                         "issue-url", "https://github.com/mailshot/mailshot/issues",
                         "license-type", GTK_LICENSE_GPL_3_0,
                         "copyright", "© 2026 The Mailshot authors",
                         /* Translators: put your names here, one per line. */
                         "translator-credits", _("translator-credits"),
                         NULL);
}

static void
ms_application_quit_action (GSimpleAction *action,
                            GVariant      *parameter,
                            gpointer       user_data)
{
  GtkApplication *app = user_data;
  g_autoptr(GList) windows = g_list_copy (gtk_application_get_windows (app));

  /* Closing the windows lets each one save its state.  A window that asks about
   * unsaved changes stays; the application ends when it closes. */
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (l->data);
  if (gtk_application_get_windows (app) == NULL)
    g_application_quit (G_APPLICATION (app));
}

static const GActionEntry app_actions[] = {
  { "about", ms_application_about_action },
  { "quit", ms_application_quit_action },
};

static gint
ms_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  MsApplication *self = MS_APPLICATION (app);
  g_autofree char *db = NULL;

  if (g_variant_dict_lookup (options, "db", "^ay", &db) && db[0] != '\0')
    {
      g_autofree char *absolute = g_canonicalize_filename (db, NULL);

      ms_application_set_db_path (self, absolute);
    }

  /* A database of its own (tests, a second mailing) means an instance of its own. */
  if (self->db_path != NULL || g_getenv ("MAILSHOT_DB") != NULL)
    g_application_set_flags (app, g_application_get_flags (app) | G_APPLICATION_NON_UNIQUE);

  return G_APPLICATION_CLASS (ms_application_parent_class)->handle_local_options (app, options);
}

static void
on_bounce_settings_changed_cb (MsApplication *self)
{
  if (self->bounce_monitor == NULL)
    return;
  ms_bounce_monitor_set_interval (self->bounce_monitor,
                                  self->settings != NULL ? g_settings_get_uint (self->settings, "bounce-check-interval") : 15);
  ms_bounce_monitor_set_days (self->bounce_monitor,
                              self->settings != NULL ? g_settings_get_uint (self->settings, "bounce-check-days") : 3);
}

/* Automatic bounce checks of the database in use (DESIGN.md §8). */
static void
start_bounce_monitor (MsApplication *self)
{
  if (self->bounce_monitor != NULL)
    g_object_run_dispose (G_OBJECT (self->bounce_monitor));
  g_clear_object (&self->bounce_monitor);
  self->bounce_monitor = ms_bounce_monitor_new (self->db_path);
  on_bounce_settings_changed_cb (self);
}

static void
ms_application_startup (GApplication *app)
{
  MsApplication *self = MS_APPLICATION (app);
  const char *quit_accels[] = { "<Control>q", NULL };
  const char *find_accels[] = { "<Control>f", NULL };
  const char *import_accels[] = { "<Control>i", NULL };

  G_APPLICATION_CLASS (ms_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.find", find_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "win.import", import_accels);

  gtk_window_set_default_icon_name (APPLICATION_ID);
  self->settings = create_settings ();
  if (self->db_path == NULL)
    self->db_path = ms_store_default_path ();
  if (self->settings != NULL)
    {
      g_signal_connect_object (self->settings, "changed::bounce-check-interval",
                               G_CALLBACK (on_bounce_settings_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->settings, "changed::bounce-check-days",
                               G_CALLBACK (on_bounce_settings_changed_cb), self, G_CONNECT_SWAPPED);
    }
  start_bounce_monitor (self);
}

static void
ms_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));

  if (window == NULL)
    window = GTK_WINDOW (ms_window_new (MS_APPLICATION (app)));
  gtk_window_present (window);
}

static void
ms_application_finalize (GObject *object)
{
  MsApplication *self = MS_APPLICATION (object);

  if (self->bounce_monitor != NULL)
    g_object_run_dispose (G_OBJECT (self->bounce_monitor));
  g_clear_object (&self->bounce_monitor);
  g_clear_object (&self->settings);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_application_parent_class)->finalize (object);
}

static void
ms_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  MsApplication *self = MS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, ms_application_get_db_path (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  MsApplication *self = MS_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      ms_application_set_db_path (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_application_class_init (MsApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = ms_application_finalize;
  object_class->get_property = ms_application_get_property;
  object_class->set_property = ms_application_set_property;

  app_class->handle_local_options = ms_application_handle_local_options;
  app_class->startup = ms_application_startup;
  app_class->activate = ms_application_activate;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  ms_app_register_resource ();
}

static void
ms_application_init (MsApplication *self)
{
  GOptionEntry entries[] = {
    { "db", 0, 0, G_OPTION_ARG_FILENAME, NULL,
      _("Use the database FILE instead of the default one (also: MAILSHOT_DB)"), _("FILE") },
    { NULL }
  };

  g_application_add_main_option_entries (G_APPLICATION (self), entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Email campaigns through your own mail servers."));
}

MsApplication *
ms_application_new (void)
{
  return g_object_new (MS_TYPE_APPLICATION,
                       "application-id", APPLICATION_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}

/**
 * ms_application_get_db_path:
 *
 * The database every window and worker opens: --db FILE, else $MAILSHOT_DB,
 * else the default path.
 */
const char *
ms_application_get_db_path (MsApplication *self)
{
  g_return_val_if_fail (MS_IS_APPLICATION (self), NULL);

  if (self->db_path == NULL)
    self->db_path = ms_store_default_path ();
  return self->db_path;
}

void
ms_application_set_db_path (MsApplication *self,
                            const char    *db_path)
{
  g_return_if_fail (MS_IS_APPLICATION (self));

  if (g_strcmp0 (self->db_path, db_path) == 0)
    return;
  g_free (self->db_path);
  self->db_path = g_strdup (db_path);
  if (self->bounce_monitor != NULL)
    start_bounce_monitor (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DB_PATH]);
}

/**
 * ms_application_get_settings:
 *
 * Returns: (transfer none) (nullable): the application's settings, or %NULL
 * when the schema is not installed
 */
GSettings *
ms_application_get_settings (MsApplication *self)
{
  g_return_val_if_fail (MS_IS_APPLICATION (self), NULL);

  return self->settings;
}

MsBounceMonitor *
ms_application_get_bounce_monitor (MsApplication *self)
{
  g_return_val_if_fail (MS_IS_APPLICATION (self), NULL);

  return self->bounce_monitor;
}

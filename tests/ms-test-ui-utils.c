/* ms-test-utils.h
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

#define G_LOG_DOMAIN "ms-test"

#include "config.h"

#include "ms-new-campaign-dialog.h"

#include "ms-test-ui-utils.h"

/* GTK and libadwaita for a test run; ms_test_wait_until() then waits
 * @wait_timeout_s before it fails the test. */
void
ms_test_ui_init (int    *argc,
                 char ***argv,
                 guint   wait_timeout_s)
{
  gtk_test_init (argc, argv, NULL);
  adw_init ();
  ms_test_set_wait_timeout (wait_timeout_s);
}

/* The application, registered, not unique, on the database at @db_path */
MsApplication *
ms_test_application_new (const char *db_path)
{
  g_autoptr(GError) error = NULL;
  MsApplication *app = ms_application_new ();

  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  ms_application_set_db_path (app, db_path);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);
  return app;
}

/* Frames */

typedef struct
{
  guint n_frames;
  guint target;
} FrameWait;

static void
on_after_paint_cb (GdkFrameClock *clock,
                   FrameWait     *wait)
{
  wait->n_frames++;
}

static gboolean
has_frames (gpointer data)
{
  FrameWait *wait = data;

  return wait->n_frames >= wait->target;
}

static gboolean
is_mapped (gpointer data)
{
  return gtk_widget_get_mapped (data);
}

/* Draws @widget's window twice more and waits for it, so that the layout of
 * every change so far, and whatever that layout changed in turn, is on screen. */
void
ms_test_wait_for_frames (GtkWidget *widget)
{
  FrameWait wait = { 0, 0 };
  GdkFrameClock *clock;
  gulong handler;

  ms_test_wait_until (is_mapped, widget, "the window to be mapped");
  clock = gtk_widget_get_frame_clock (widget);
  g_assert_nonnull (clock);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint_cb), &wait);
  for (wait.target = 1; wait.target <= 2; wait.target++)
    {
      gtk_widget_queue_draw (widget);
      gdk_frame_clock_request_phase (clock, GDK_FRAME_CLOCK_PHASE_PAINT);
      ms_test_wait_until (has_frames, &wait, "a frame");
    }
  g_signal_handler_disconnect (clock, handler);
}

/* Screenshots */

/* Renders @window as it is on screen into the PNG @name in the build folder. */
void
ms_test_save_screenshot (GtkWidget  *window,
                         const char *name)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = NULL;
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  GskRenderer *renderer;
  int width, height;

  ms_test_wait_for_frames (window);
  width = gtk_widget_get_width (window);
  height = gtk_widget_get_height (window);
  g_assert_cmpint (width, >, 0);
  g_assert_cmpint (height, >, 0);

  paintable = gtk_widget_paintable_new (window);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (GTK_NATIVE (window));
  g_assert_nonnull (renderer);
  texture = gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
  g_assert_nonnull (texture);

  path = g_build_filename (dir != NULL ? dir : ".", name, NULL);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("Screenshot: %s", path);
}

/* Widgets */

/* The first widget in @root's tree whose name (the buildable ID in our templates) is @name */
GtkWidget *
ms_test_find_widget (GtkWidget  *root,
                     const char *name)
{
  if (g_strcmp0 (gtk_widget_get_name (root), name) == 0)
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ms_test_find_widget (child, name);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* As ms_test_find_widget(), failing the test when there is none */
GtkWidget *
ms_test_get_widget (gpointer    root,
                    const char *name)
{
  GtkWidget *widget = ms_test_find_widget (GTK_WIDGET (root), name);

  if (widget == NULL)
    g_error ("No widget named “%s”", name);
  return widget;
}

GtkWidget *
ms_test_find_of_type (GtkWidget *root,
                      GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = ms_test_find_of_type (child, type);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A shown toplevel window of @type, or NULL */
gpointer
ms_test_find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      /* An answered dialog may linger until it is finalized: only shown ones count. */
      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }
  return NULL;
}

const char *
ms_test_text_of (gpointer    root,
                 const char *name)
{
  return gtk_editable_get_text (GTK_EDITABLE (ms_test_get_widget (root, name)));
}

void
ms_test_type_into (gpointer    root,
                   const char *name,
                   const char *text)
{
  GtkWidget *widget = ms_test_get_widget (root, name);

  g_assert_true (gtk_widget_get_visible (widget));
  gtk_editable_set_text (GTK_EDITABLE (widget), text);
}

/* Clicks a button as a person would, if it can be clicked. */
void
ms_test_click (gpointer    root,
               const char *name)
{
  GtkWidget *button = ms_test_get_widget (root, name);

  g_assert_true (gtk_widget_is_visible (button));
  g_assert_true (gtk_widget_is_sensitive (button));
  g_signal_emit_by_name (button, "clicked");
}

/* Answers a message dialog as its button would: the response, then closing it. */
void
ms_test_answer (AdwMessageDialog *dialog,
                const char       *response)
{
  g_assert_nonnull (dialog);
  g_assert_true (adw_message_dialog_has_response (dialog, response));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, response));
  adw_message_dialog_response (dialog, response);
  gtk_window_close (GTK_WINDOW (dialog));
}

/* Conditions on the New Campaign dialog: its choices read, its pre-flight checks done */

gboolean
ms_test_is_new_campaign_dialog_loaded (gpointer dialog)
{
  return ms_new_campaign_dialog_get_loaded (dialog);
}

gboolean
ms_test_is_new_campaign_dialog_checked (gpointer dialog)
{
  return ms_new_campaign_dialog_get_checked (dialog);
}

/* bench-contacts-view.c
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

#define G_LOG_DOMAIN "bench-contacts-view"

#include "config.h"

#include <adwaita.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ms-application.h"
#include "ms-store.h"
#include "ms-window.h"

/* Opens the real window on a database and measures, printing one line each:
 *   - time from exec (and from main) to the first frame that shows rows,
 *   - time from a jump to the middle, then to the end, until those rows show,
 *   - a continuous scroll through the middle: frames, mean and worst frame time,
 *     and how many frames showed rows that were not read yet,
 *   - resident memory after the first frame and at the peak (VmHWM).
 * With --empty, only waits for the start page of an empty database and prints
 * the peak RSS, as a baseline.
 * Usage: bench-contacts-view [--create-only] [--empty] --db FILE */

#define SCROLL_FRAMES 240

typedef enum
{
  PHASE_FIRST_FRAME,
  PHASE_JUMP_MIDDLE,
  PHASE_JUMP_END,
  PHASE_SCROLL,
  PHASE_DONE,
} Phase;

typedef struct
{
  MsApplication  *app;
  MsWindow       *window;
  MsContactsView *view;
  GtkAdjustment  *vadj;
  gboolean        empty;        /* expect the start page, measure only memory */
  gint64          t_main;
  double          exec_to_main;
  Phase           phase;
  gint64          t_phase;
  gulong          paint_id;

  /* scrolling */
  guint           frames;
  gint64          t_last_frame;
  gint64          worst_frame;
  gint64          t_scroll;
  guint           frames_with_placeholders;
} Bench;

static double
seconds_since_exec (void)
{
  g_autofree char *stat = NULL;
  struct timespec now;
  char *p;
  unsigned long long start_ticks = 0;

  if (!g_file_get_contents ("/proc/self/stat", &stat, NULL, NULL)
      || (p = strrchr (stat, ')')) == NULL)
    return -1;
  /* After "pid (comm)": field 3 is the state; starttime is field 22. */
  p++;
  for (int field = 3; field < 22 && p != NULL; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL || sscanf (p, " %llu", &start_ticks) != 1)
    return -1;
  clock_gettime (CLOCK_BOOTTIME, &now);
  return (double) now.tv_sec + now.tv_nsec / 1e9 - (double) start_ticks / sysconf (_SC_CLK_TCK);
}

static long
status_kib (const char *key)
{
  g_autofree char *status = NULL;
  const char *p;

  if (!g_file_get_contents ("/proc/self/status", &status, NULL, NULL)
      || (p = strstr (status, key)) == NULL)
    return -1;
  return strtol (p + strlen (key) + 1, NULL, 10);
}

static double
ms_since (gint64 t)
{
  return (g_get_monotonic_time () - t) / 1000.0;
}

/* Rows on screen that are still placeholders (not read yet). */
static guint
visible_placeholders (Bench *b)
{
  MsContactModel *model = ms_contacts_view_get_model (b->view);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  double upper = gtk_adjustment_get_upper (b->vadj);
  double row = upper / MAX (n, 1);
  guint first = (guint) (gtk_adjustment_get_value (b->vadj) / row);
  guint shown = (guint) (gtk_adjustment_get_page_size (b->vadj) / row);
  guint missing = 0;

  for (guint pos = first; pos < MIN (first + shown, n); pos++)
    {
      if (ms_contact_model_peek_loaded (model, pos) == NULL)
        missing++;
    }
  return missing;
}

static const char *
email_at_top (Bench *b)
{
  MsContactModel *model = ms_contacts_view_get_model (b->view);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (model));
  double row = gtk_adjustment_get_upper (b->vadj) / MAX (n, 1);
  guint pos = (guint) (gtk_adjustment_get_value (b->vadj) / row) + 1;
  MsContact *c = ms_contact_model_peek_loaded (model, MIN (pos, n - 1));

  return c != NULL ? ms_contact_get_email (c) : "(not read)";
}

static void     start_phase (Bench *b,
                             Phase  phase);
static gboolean rows_shown  (Bench *b);

static void
finish (Bench *b)
{
  printf ("peak RSS (VmHWM): %.1f MiB\n", status_kib ("VmHWM:") / 1024.0);
  fflush (stdout);
  b->phase = PHASE_DONE;
  g_application_quit (G_APPLICATION (b->app));
}

static void
on_after_paint_cb (GdkFrameClock *clock,
                   Bench         *b)
{
  gint64 now = g_get_monotonic_time ();

  if (b->phase == PHASE_SCROLL && b->t_scroll != 0)
    {
      if (b->t_last_frame != 0)
        b->worst_frame = MAX (b->worst_frame, now - b->t_last_frame);
      b->t_last_frame = now;
      if (visible_placeholders (b) > 0)
        b->frames_with_placeholders++;
      if (++b->frames < SCROLL_FRAMES)
        {
          gtk_adjustment_set_value (b->vadj, gtk_adjustment_get_value (b->vadj)
                                             + gtk_adjustment_get_page_size (b->vadj) / 2);
          return;
        }
      printf ("scroll: %u frames of half a page each: %.1f ms per frame on average, "
              "worst %.1f ms, %u frames showed rows not read yet\n",
              b->frames, ms_since (b->t_scroll) / b->frames, b->worst_frame / 1000.0,
              b->frames_with_placeholders);
      b->t_scroll = 0;
      start_phase (b, PHASE_DONE);
      return;
    }

  if (!rows_shown (b))
    return;

  switch (b->phase)
    {
    case PHASE_FIRST_FRAME:
      if (b->empty)
        {
          start_phase (b, PHASE_DONE);
          break;
        }
      printf ("rows: %s\n", ms_contacts_view_get_count_text (b->view));
      printf ("first frame with rows: %.0f ms after exec, %.0f ms after main()\n",
              (b->exec_to_main + ms_since (b->t_main) / 1000.0) * 1000.0, ms_since (b->t_main));
      printf ("RSS after first frame: %.1f MiB\n", status_kib ("VmRSS:") / 1024.0);
      start_phase (b, PHASE_JUMP_MIDDLE);
      break;
    case PHASE_JUMP_MIDDLE:
      printf ("jump to the middle: rows shown %.0f ms later (top row %s)\n",
              ms_since (b->t_phase), email_at_top (b));
      start_phase (b, PHASE_JUMP_END);
      break;
    case PHASE_JUMP_END:
      printf ("jump to the end: rows shown %.0f ms later (top row %s)\n",
              ms_since (b->t_phase), email_at_top (b));
      start_phase (b, PHASE_SCROLL);
      break;
    case PHASE_SCROLL:
    case PHASE_DONE:
    default:
      break;
    }
}

/* Whether this frame showed the rows asked for: nothing is being read and no
 * row on screen is a placeholder. */
static gboolean
rows_shown (Bench *b)
{
  if (ms_window_get_loading (b->window))
    return FALSE;
  if (g_strcmp0 (ms_contacts_view_get_page_name (b->view),
                 b->empty ? "empty-database" : "table") != 0)
    return FALSE;
  return b->vadj == NULL || visible_placeholders (b) == 0;
}

static void
start_phase (Bench *b,
             Phase  phase)
{
  GtkWidget *scrolled;

  b->phase = phase;
  b->t_phase = g_get_monotonic_time ();

  if (b->vadj == NULL && phase != PHASE_FIRST_FRAME)
    {
      scrolled = gtk_widget_get_parent (GTK_WIDGET (ms_contacts_view_get_column_view (b->view)));
      b->vadj = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (scrolled));
    }

  switch (phase)
    {
    case PHASE_JUMP_MIDDLE:
      gtk_adjustment_set_value (b->vadj, (gtk_adjustment_get_upper (b->vadj)
                                          - gtk_adjustment_get_page_size (b->vadj)) / 2);
      break;
    case PHASE_JUMP_END:
      gtk_adjustment_set_value (b->vadj, gtk_adjustment_get_upper (b->vadj));
      break;
    case PHASE_SCROLL:
      gtk_adjustment_set_value (b->vadj, gtk_adjustment_get_upper (b->vadj) / 3);
      b->t_scroll = g_get_monotonic_time ();
      b->t_last_frame = 0;
      return;
    case PHASE_DONE:
      finish (b);
      return;
    case PHASE_FIRST_FRAME:
    default:
      break;
    }
}

static void
on_activate_cb (GApplication *app,
                Bench        *b)
{
  b->window = MS_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  g_assert (b->window != NULL);
  b->view = ms_window_get_contacts_view (b->window);
  gtk_window_set_default_size (GTK_WINDOW (b->window), 1100, 720);
  b->paint_id = g_signal_connect (gtk_widget_get_frame_clock (GTK_WIDGET (b->window)),
                                  "after-paint", G_CALLBACK (on_after_paint_cb), b);
  start_phase (b, PHASE_FIRST_FRAME);
}

static gboolean
on_timeout_cb (gpointer data)
{
  g_printerr ("The benchmark did not finish in 120 s\n");
  exit (1);
}

int
main (int   argc,
      char *argv[])
{
  Bench b = { 0 };
  const char *db = NULL;
  gboolean create_only = FALSE;
  gboolean empty = FALSE;
  char *app_argv[] = { argv[0], NULL };

  b.t_main = g_get_monotonic_time ();
  b.exec_to_main = seconds_since_exec ();

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--create-only"))
        create_only = TRUE;
      else if (g_str_equal (argv[i], "--empty"))
        empty = TRUE;
      else if (g_str_equal (argv[i], "--db") && i + 1 < argc)
        db = argv[++i];
    }
  if (db == NULL)
    {
      g_printerr ("Usage: bench-contacts-view [--create-only] [--empty] --db FILE\n");
      return 2;
    }

  if (create_only)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(MsStore) store = ms_store_open (db, &error);

      if (store == NULL)
        g_printerr ("%s\n", error->message);
      return store != NULL ? 0 : 1;
    }

  b.empty = empty;
  b.app = ms_application_new ();
  ms_application_set_db_path (b.app, db);
  g_application_set_flags (G_APPLICATION (b.app), G_APPLICATION_NON_UNIQUE);
  g_signal_connect_after (b.app, "activate", G_CALLBACK (on_activate_cb), &b);
  g_timeout_add_seconds (120, on_timeout_cb, NULL);
  g_application_run (G_APPLICATION (b.app), 1, app_argv);

  g_clear_object (&b.app);
  return b.phase == PHASE_DONE ? 0 : 1;
}

/* ms-rate-chart.c
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

#define G_LOG_DOMAIN "ms-rate-chart"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-rate-chart.h"

#define N_MINUTES 60

struct _MsRateChart
{
  GtkDrawingArea  parent_instance;

  guint           values[N_MINUTES];
  guint           peak;
};

G_DEFINE_TYPE (MsRateChart, ms_rate_chart, GTK_TYPE_DRAWING_AREA)

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        user_data)
{
  MsRateChart *self = MS_RATE_CHART (area);
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (area));
  GdkRGBA fg;
  double step = (double) width / (N_MINUTES - 1);
  double top = 2.0;
  double usable = height - top - 1.0;
  double scale;

  gtk_style_context_get_color (style, &fg);

  /* A faint base line and a mid line. */
  cairo_set_line_width (cr, 1.0);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
  cairo_move_to (cr, 0, height - 0.5);
  cairo_line_to (cr, width, height - 0.5);
  cairo_move_to (cr, 0, top + usable / 2.0 + 0.5);
  cairo_line_to (cr, width, top + usable / 2.0 + 0.5);
  cairo_stroke (cr);

  if (self->peak == 0)
    return;

  scale = usable / self->peak;
  cairo_move_to (cr, 0, height);
  for (guint i = 0; i < N_MINUTES; i++)
    cairo_line_to (cr, i * step, height - 1.0 - self->values[i] * scale);
  cairo_line_to (cr, width, height);
  cairo_close_path (cr);
  /* The accent blue of the GNOME palette. */
  cairo_set_source_rgba (cr, 0.208, 0.518, 0.894, 0.25);
  cairo_fill_preserve (cr);
  cairo_new_path (cr);
  for (guint i = 0; i < N_MINUTES; i++)
    cairo_line_to (cr, i * step, height - 1.0 - self->values[i] * scale);
  cairo_set_source_rgba (cr, 0.208, 0.518, 0.894, 1.0);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
}

static void
ms_rate_chart_class_init (MsRateChartClass *klass)
{
  gtk_widget_class_set_css_name (GTK_WIDGET_CLASS (klass), "ratechart");
}

static void
ms_rate_chart_init (MsRateChart *self)
{
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self), 48);
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (self), 180);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self), draw_chart, NULL, NULL);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Messages a minute over the last hour"), -1);
}

GtkWidget *
ms_rate_chart_new (void)
{
  return g_object_new (MS_TYPE_RATE_CHART, NULL);
}

void
ms_rate_chart_set_values (MsRateChart *self,
                          GArray      *per_minute)
{
  guint n, offset;

  g_return_if_fail (MS_IS_RATE_CHART (self));

  memset (self->values, 0, sizeof self->values);
  self->peak = 0;
  if (per_minute != NULL)
    {
      /* The newest values go to the right edge. */
      n = MIN (per_minute->len, N_MINUTES);
      offset = per_minute->len - n;
      for (guint i = 0; i < n; i++)
        {
          guint v = g_array_index (per_minute, guint, offset + i);

          self->values[N_MINUTES - n + i] = v;
          self->peak = MAX (self->peak, v);
        }
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
ms_rate_chart_get_peak (MsRateChart *self)
{
  g_return_val_if_fail (MS_IS_RATE_CHART (self), 0);

  return self->peak;
}

/* ms-rate-chart.h
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

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* A small chart of a campaign's send rate: messages per minute over the last
 * hour (60 values, oldest first), drawn with cairo. */
#define MS_TYPE_RATE_CHART (ms_rate_chart_get_type ())

G_DECLARE_FINAL_TYPE (MsRateChart, ms_rate_chart, MS, RATE_CHART, GtkDrawingArea)

GtkWidget *ms_rate_chart_new        (void);
/* Copies the values (of guint); NULL clears the chart. */
void       ms_rate_chart_set_values (MsRateChart *self,
                                     GArray      *per_minute);
guint      ms_rate_chart_get_peak   (MsRateChart *self);

G_END_DECLS

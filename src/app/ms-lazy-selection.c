/* ms-lazy-selection.c
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

#define G_LOG_DOMAIN "ms-lazy-selection"

#include "config.h"

#include "ms-lazy-selection.h"

struct _MsLazySelection
{
  GObject     parent_instance;

  GListModel *model;
  GtkBitset  *selected;
};

static void ms_lazy_selection_list_model_init      (GListModelInterface        *iface);
static void ms_lazy_selection_selection_model_init (GtkSelectionModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsLazySelection, ms_lazy_selection, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ms_lazy_selection_list_model_init)
                               G_IMPLEMENT_INTERFACE (GTK_TYPE_SELECTION_MODEL,
                                                      ms_lazy_selection_selection_model_init))

enum {
  PROP_0,
  PROP_MODEL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
n_items (MsLazySelection *self)
{
  return g_list_model_get_n_items (self->model);
}

/* Replaces the selection and tells which range changed. */
static gboolean
replace_selection (MsLazySelection *self,
                   GtkBitset       *selected)
{
  g_autoptr(GtkBitset) changed = gtk_bitset_copy (self->selected);
  guint first, last;

  gtk_bitset_difference (changed, selected);
  if (gtk_bitset_is_empty (changed))
    {
      gtk_bitset_unref (selected);
      return TRUE;
    }
  first = gtk_bitset_get_minimum (changed);
  last = gtk_bitset_get_maximum (changed);

  gtk_bitset_unref (self->selected);
  self->selected = selected;
  gtk_selection_model_selection_changed (GTK_SELECTION_MODEL (self), first, last - first + 1);
  return TRUE;
}

/* GListModel */

static GType
ms_lazy_selection_get_item_type (GListModel *model)
{
  return g_list_model_get_item_type (MS_LAZY_SELECTION (model)->model);
}

static guint
ms_lazy_selection_get_n_items (GListModel *model)
{
  return n_items (MS_LAZY_SELECTION (model));
}

static gpointer
ms_lazy_selection_get_item (GListModel *model,
                            guint       position)
{
  return g_list_model_get_item (MS_LAZY_SELECTION (model)->model, position);
}

static void
ms_lazy_selection_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ms_lazy_selection_get_item_type;
  iface->get_n_items = ms_lazy_selection_get_n_items;
  iface->get_item = ms_lazy_selection_get_item;
}

/* GtkSelectionModel */

static gboolean
ms_lazy_selection_is_selected (GtkSelectionModel *model,
                               guint              position)
{
  return gtk_bitset_contains (MS_LAZY_SELECTION (model)->selected, position);
}

static GtkBitset *
ms_lazy_selection_get_selection_in_range (GtkSelectionModel *model,
                                          guint              position,
                                          guint              n)
{
  return gtk_bitset_ref (MS_LAZY_SELECTION (model)->selected);
}

static gboolean
ms_lazy_selection_set_selection (GtkSelectionModel *model,
                                 GtkBitset         *selected,
                                 GtkBitset         *mask)
{
  MsLazySelection *self = MS_LAZY_SELECTION (model);
  GtkBitset *result = gtk_bitset_copy (self->selected);
  g_autoptr(GtkBitset) chosen = gtk_bitset_copy (selected);

  /* result = (old - mask) | (selected & mask) */
  gtk_bitset_subtract (result, mask);
  gtk_bitset_intersect (chosen, mask);
  gtk_bitset_union (result, chosen);
  return replace_selection (self, result);
}

static gboolean
ms_lazy_selection_select_range (GtkSelectionModel *model,
                                guint              position,
                                guint              n,
                                gboolean           unselect_rest)
{
  MsLazySelection *self = MS_LAZY_SELECTION (model);
  GtkBitset *result = unselect_rest ? gtk_bitset_new_empty () : gtk_bitset_copy (self->selected);

  gtk_bitset_add_range (result, position, n);
  return replace_selection (self, result);
}

static gboolean
ms_lazy_selection_select_item (GtkSelectionModel *model,
                               guint              position,
                               gboolean           unselect_rest)
{
  return ms_lazy_selection_select_range (model, position, 1, unselect_rest);
}

static gboolean
ms_lazy_selection_unselect_range (GtkSelectionModel *model,
                                  guint              position,
                                  guint              n)
{
  MsLazySelection *self = MS_LAZY_SELECTION (model);
  GtkBitset *result = gtk_bitset_copy (self->selected);

  gtk_bitset_remove_range (result, position, n);
  return replace_selection (self, result);
}

static gboolean
ms_lazy_selection_unselect_item (GtkSelectionModel *model,
                                 guint              position)
{
  return ms_lazy_selection_unselect_range (model, position, 1);
}

static gboolean
ms_lazy_selection_select_all (GtkSelectionModel *model)
{
  return ms_lazy_selection_select_range (model, 0, n_items (MS_LAZY_SELECTION (model)), FALSE);
}

static gboolean
ms_lazy_selection_unselect_all (GtkSelectionModel *model)
{
  return replace_selection (MS_LAZY_SELECTION (model), gtk_bitset_new_empty ());
}

static void
ms_lazy_selection_selection_model_init (GtkSelectionModelInterface *iface)
{
  iface->is_selected = ms_lazy_selection_is_selected;
  iface->get_selection_in_range = ms_lazy_selection_get_selection_in_range;
  iface->set_selection = ms_lazy_selection_set_selection;
  iface->select_item = ms_lazy_selection_select_item;
  iface->unselect_item = ms_lazy_selection_unselect_item;
  iface->select_range = ms_lazy_selection_select_range;
  iface->unselect_range = ms_lazy_selection_unselect_range;
  iface->select_all = ms_lazy_selection_select_all;
  iface->unselect_all = ms_lazy_selection_unselect_all;
}

/* Model changes: removed rows leave the selection, later rows move with it. */
static void
on_items_changed_cb (MsLazySelection *self,
                     guint            position,
                     guint            removed,
                     guint            added,
                     GListModel      *model)
{
  gtk_bitset_splice (self->selected, position, removed, added);
  g_list_model_items_changed (G_LIST_MODEL (self), position, removed, added);
}

/* GObject */

static void
ms_lazy_selection_dispose (GObject *object)
{
  MsLazySelection *self = MS_LAZY_SELECTION (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, on_items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ms_lazy_selection_parent_class)->dispose (object);
}

static void
ms_lazy_selection_finalize (GObject *object)
{
  MsLazySelection *self = MS_LAZY_SELECTION (object);

  g_clear_pointer (&self->selected, gtk_bitset_unref);

  G_OBJECT_CLASS (ms_lazy_selection_parent_class)->finalize (object);
}

static void
ms_lazy_selection_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  MsLazySelection *self = MS_LAZY_SELECTION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      g_value_set_object (value, self->model);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_lazy_selection_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  MsLazySelection *self = MS_LAZY_SELECTION (object);

  switch (prop_id)
    {
    case PROP_MODEL:
      self->model = g_value_dup_object (value);
      g_assert (self->model != NULL);
      g_signal_connect_object (self->model, "items-changed",
                               G_CALLBACK (on_items_changed_cb), self, G_CONNECT_SWAPPED);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_lazy_selection_class_init (MsLazySelectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ms_lazy_selection_dispose;
  object_class->finalize = ms_lazy_selection_finalize;
  object_class->get_property = ms_lazy_selection_get_property;
  object_class->set_property = ms_lazy_selection_set_property;

  properties[PROP_MODEL] =
    g_param_spec_object ("model", NULL, NULL, G_TYPE_LIST_MODEL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_lazy_selection_init (MsLazySelection *self)
{
  self->selected = gtk_bitset_new_empty ();
}

MsLazySelection *
ms_lazy_selection_new (GListModel *model)
{
  g_return_val_if_fail (G_IS_LIST_MODEL (model), NULL);

  return g_object_new (MS_TYPE_LAZY_SELECTION, "model", model, NULL);
}

/**
 * ms_lazy_selection_get_model:
 *
 * Returns: (transfer none): the model the selection is over
 */
GListModel *
ms_lazy_selection_get_model (MsLazySelection *self)
{
  g_return_val_if_fail (MS_IS_LAZY_SELECTION (self), NULL);

  return self->model;
}

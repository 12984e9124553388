/* ms-contacts-view.c
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

#define G_LOG_DOMAIN "ms-contacts-view"

#include "config.h"

#include <glib/gi18n.h>

#include "ms-contact-list.h"
#include "ms-contacts-view-private.h"
#include "ms-format.h"

G_DEFINE_FINAL_TYPE (MsContactsView, ms_contacts_view, ADW_TYPE_BIN)

enum {
  PROP_0,
  PROP_FOLDED,
  PROP_LOADING,
  PROP_LIST_ID,
  N_PROPS
};

enum {
  CONTACTS_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

typedef struct
{
  MsContactsView *view;   /* unowned: the sorter dies with the view */
  MsContactSort   sort;
} SortProbe;

/* Template closures for the cells */

static char *
status_text_cb (gpointer    unused,
                gint64      id,
                const char *label)
{
  /* A row not read yet shows nothing rather than a made-up "Active". */
  return g_strdup (id != 0 && label != NULL ? label : "");
}

static char *
status_tooltip_cb (gpointer    unused,
                   const char *reason)
{
  return reason != NULL && reason[0] != '\0' ? g_strdup (reason) : NULL;
}

static char *
date_text_cb (gpointer unused,
              gint64   unix_time)
{
  return ms_format_date (unix_time);
}

/* Pages and labels */

static void
update_loading (MsContactsView *self)
{
  gboolean loading = ms_contacts_view_get_loading (self);

  if (loading != self->loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
}

static const char *
choose_page (MsContactsView *self)
{
  const char *current = gtk_stack_get_visible_child_name (self->stack);

  if (self->model == NULL)
    return "loading";
  if (!ms_contact_model_get_counted (self->model))
    {
      if (ms_contact_model_get_error (self->model) != NULL)
        return "error";
      /* A new query is being counted: keep what is shown until it arrives. */
      if (current == NULL || g_str_equal (current, "error"))
        return "loading";
      return current;
    }
  if (g_list_model_get_n_items (G_LIST_MODEL (self->model)) > 0)
    return "table";
  if (ms_contact_model_get_total_count (self->model) == 0)
    return "empty-database";
  if (self->list_id > 0 && ms_contact_model_get_list_count (self->model) == 0)
    return "empty-list";
  return "no-match";
}

static void
update_count_label (MsContactsView *self)
{
  g_autofree char *text = NULL;
  gint64 n, of;

  if (self->model == NULL || !ms_contact_model_get_counted (self->model))
    return;

  n = g_list_model_get_n_items (G_LIST_MODEL (self->model));
  of = ms_contact_model_get_list_count (self->model);
  if (n == of || of < 0)
    text = ms_format_contacts (n);
  else
    {
      g_autofree char *shown = ms_format_count (n);
      g_autofree char *all = ms_format_count (of);

      /* Translators: "12 of 1,000 contacts" */
      text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s of %s contact", "%s of %s contacts",
                                           (gulong) CLAMP (of, 0, G_MAXLONG)),
                              shown, all);
    }
  gtk_label_set_label (self->count_label, text);
}

static void
update_page (MsContactsView *self)
{
  const char *page = choose_page (self);
  const GError *error = self->model != NULL ? ms_contact_model_get_error (self->model) : NULL;

  if (g_str_equal (page, "error") && error != NULL)
    adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, page);
  gtk_spinner_set_spinning (self->spinner, g_str_equal (page, "loading"));
  gtk_widget_set_visible (self->toolbar,
                          g_str_equal (page, "table") || g_str_equal (page, "no-match"));
  update_count_label (self);
  _ms_contacts_view_actions_update (self);
}

static void
update_selection (MsContactsView *self)
{
  guint64 n = _ms_contacts_view_get_n_selected (self);

  if (n > 0)
    {
      g_autofree char *count = ms_format_count ((gint64) n);
      g_autofree char *text =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s contact selected",
                                      "%s contacts selected", (gulong) MIN (n, G_MAXLONG)),
                         count);

      gtk_label_set_label (self->selection_label, text);
    }
  gtk_action_bar_set_revealed (self->action_bar, n > 0 || self->busy);
  _ms_contacts_view_actions_update (self);
}

/* Underscores in a list's name are not mnemonics. */
static char *
escape_underscores (const char *text)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", "_", -1);

  return g_strjoinv ("__", parts);
}

static void
rebuild_add_to_list_menu (MsContactsView *self)
{
  guint n = self->lists != NULL ? g_list_model_get_n_items (self->lists) : 0;

  g_menu_remove_all (self->remove_section);
  if (self->list_id != 0)
    {
      g_autofree char *name = escape_underscores (self->list_name);
      g_autofree char *label = g_strdup_printf (_("_Remove from “%s”"), name);

      g_menu_append (self->remove_section, label, "contacts.remove-from-list");
    }

  g_menu_remove_all (self->add_to_list_section);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(MsContactList) list = g_list_model_get_item (self->lists, i);
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;
      gint64 id = ms_contact_list_get_id (list);

      if (id == 0 || id == self->list_id)
        continue;
      label = escape_underscores (ms_contact_list_get_name (list));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "contacts.add-to-list",
                                               g_variant_new_int64 (id));
      g_menu_append_item (self->add_to_list_section, item);
    }
}

/* Query */

static int
selected_status (MsContactsView *self)
{
  guint selected = gtk_drop_down_get_selected (self->status_dropdown);

  if (selected == 0 || selected == GTK_INVALID_LIST_POSITION)
    return -1;
  return (int) selected - 1;
}

static void
update_query (MsContactsView *self)
{
  MsContactQuery query = MS_CONTACT_QUERY_INIT;
  g_autofree char *search = NULL;

  if (self->model == NULL)
    return;

  search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  query.list_id = self->list_id;
  query.status = selected_status (self);
  query.search = search;
  query.sort = self->sort;
  query.descending = self->descending;
  ms_contact_model_set_query (self->model, &query);
  update_page (self);
  update_loading (self);
}

static int
sort_probe_cb (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  SortProbe *probe = user_data;
  MsContactsView *self = probe->view;

  if (!self->probing)
    return 0;
  if (!self->probe_hit)
    {
      self->probe_hit = TRUE;
      self->probe_sort = probe->sort;
    }
  return -1;
}

/* GTK 4.8 cannot tell which column the person sorted by, nor which way
 * (GtkColumnViewSorter's getters are 4.10).  Its compare() asks the primary
 * column's sorter first and inverts its answer when descending, so comparing
 * two probes tells both.  The model sorts in SQL; the view never sorts rows. */
static void
on_sorter_changed_cb (MsContactsView *self,
                      int             change,
                      GtkSorter      *sorter)
{
  GtkOrdering order;

  /* Columns are removed, and the sorter changes, while the view is disposed. */
  if (self->probe_a == NULL)
    return;

  self->probing = TRUE;
  self->probe_hit = FALSE;
  order = gtk_sorter_compare (sorter, self->probe_a, self->probe_b);
  self->probing = FALSE;

  if (self->probe_hit)
    {
      self->sort = self->probe_sort;
      self->descending = order == GTK_ORDERING_LARGER;
    }
  else
    {
      self->sort = MS_CONTACT_SORT_EMAIL;
      self->descending = FALSE;
    }
  update_query (self);
}

static void
set_column_probe (MsContactsView      *self,
                  GtkColumnViewColumn *column,
                  MsContactSort        sort)
{
  SortProbe *probe = g_new0 (SortProbe, 1);
  g_autoptr(GtkCustomSorter) sorter = NULL;

  probe->view = self;
  probe->sort = sort;
  sorter = gtk_custom_sorter_new (sort_probe_cb, probe, g_free);
  gtk_column_view_column_set_sorter (column, GTK_SORTER (sorter));
}

/* Signal handlers */

static void
on_search_changed_cb (MsContactsView *self,
                      GtkSearchEntry *entry)
{
  update_query (self);
}

static void
on_stop_search_cb (MsContactsView *self,
                   GtkSearchEntry *entry)
{
  gtk_editable_set_text (GTK_EDITABLE (entry), "");
  update_query (self);
}

static void
on_status_selected_cb (MsContactsView *self,
                       GParamSpec     *pspec,
                       GtkDropDown    *dropdown)
{
  update_query (self);
}

static void
on_row_activated_cb (MsContactsView *self,
                     guint           position,
                     GtkColumnView  *column_view)
{
  _ms_contacts_view_edit (self, position);
}

static void
on_model_changed_cb (MsContactsView *self)
{
  update_page (self);
  update_loading (self);
}

static void
on_model_items_changed_cb (MsContactsView *self,
                           guint           position,
                           guint           removed,
                           guint           added,
                           GListModel     *model)
{
  /* The selection of removed rows went with them, without selection-changed. */
  update_page (self);
  update_selection (self);
}

static void
on_selection_changed_cb (MsContactsView    *self,
                         guint              position,
                         guint              n_items,
                         GtkSelectionModel *selection)
{
  update_selection (self);
}

static void
on_lists_changed_cb (MsContactsView *self)
{
  rebuild_add_to_list_menu (self);
}

/* GObject */

static void
ms_contacts_view_dispose (GObject *object)
{
  MsContactsView *self = MS_CONTACTS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->export_dialog != NULL)
    gtk_native_dialog_destroy (self->export_dialog);
  g_clear_object (&self->export_dialog);
  if (self->column_view != NULL)
    gtk_column_view_set_model (self->column_view, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), MS_TYPE_CONTACTS_VIEW);
  g_clear_object (&self->selection);
  if (self->model != NULL)
    g_signal_handlers_disconnect_by_data (self->model, self);
  g_clear_object (&self->model);
  if (self->lists != NULL)
    g_signal_handlers_disconnect_by_data (self->lists, self);
  g_clear_object (&self->lists);
  g_clear_object (&self->probe_a);
  g_clear_object (&self->probe_b);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (ms_contacts_view_parent_class)->dispose (object);
}

static void
ms_contacts_view_finalize (GObject *object)
{
  MsContactsView *self = MS_CONTACTS_VIEW (object);

  g_free (self->db_path);
  g_free (self->list_name);

  G_OBJECT_CLASS (ms_contacts_view_parent_class)->finalize (object);
}

static void
ms_contacts_view_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsContactsView *self = MS_CONTACTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      g_value_set_boolean (value, self->folded);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, ms_contacts_view_get_loading (self));
      break;
    case PROP_LIST_ID:
      g_value_set_int64 (value, self->list_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contacts_view_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MsContactsView *self = MS_CONTACTS_VIEW (object);

  switch (prop_id)
    {
    case PROP_FOLDED:
      if (self->folded != g_value_get_boolean (value))
        {
          self->folded = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contacts_view_class_init (MsContactsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ms_contacts_view_dispose;
  object_class->finalize = ms_contacts_view_finalize;
  object_class->get_property = ms_contacts_view_get_property;
  object_class->set_property = ms_contacts_view_set_property;

  properties[PROP_FOLDED] =
    g_param_spec_boolean ("folded", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_LIST_ID] =
    g_param_spec_int64 ("list-id", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Contacts or memberships changed here: list counts elsewhere are stale. */
  signals[CONTACTS_CHANGED] =
    g_signal_new ("contacts-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_BASE "/ui/ms-contacts-view.ui");
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, window_title);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, toolbar);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, search_entry);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, status_dropdown);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, count_label);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, stack);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, spinner);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, column_view);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, email_column);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, name_column);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, status_column);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, added_column);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, error_page);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, action_bar);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, selection_label);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, bulk_spinner);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, add_to_list_section);
  gtk_widget_class_bind_template_child (widget_class, MsContactsView, remove_section);
  gtk_widget_class_bind_template_callback (widget_class, status_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, status_tooltip_cb);
  gtk_widget_class_bind_template_callback (widget_class, date_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_status_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, on_row_activated_cb);

  _ms_contacts_view_class_actions_init (klass);

  g_type_ensure (MS_TYPE_CONTACT);
}

static void
ms_contacts_view_init (MsContactsView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->probe_a = ms_contact_new ("a@probe.invalid");
  self->probe_b = ms_contact_new ("b@probe.invalid");
  self->list_name = g_strdup (_("All Contacts"));

  set_column_probe (self, self->email_column, MS_CONTACT_SORT_EMAIL);
  set_column_probe (self, self->name_column, MS_CONTACT_SORT_NAME);
  set_column_probe (self, self->status_column, MS_CONTACT_SORT_STATUS);
  set_column_probe (self, self->added_column, MS_CONTACT_SORT_CREATED);
  gtk_column_view_sort_by_column (self->column_view, self->email_column, GTK_SORT_ASCENDING);
  g_signal_connect_object (gtk_column_view_get_sorter (self->column_view), "changed",
                           G_CALLBACK (on_sorter_changed_cb), self, G_CONNECT_SWAPPED);

  update_page (self);
}

/* Public API */

/**
 * ms_contacts_view_set_db_path:
 *
 * Starts showing the contacts of the database at @db_path (once: the view
 * belongs to one database).
 */
void
ms_contacts_view_set_db_path (MsContactsView *self,
                              const char     *db_path)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));
  g_return_if_fail (db_path != NULL);
  g_return_if_fail (self->model == NULL);

  self->db_path = g_strdup (db_path);
  self->model = ms_contact_model_new (db_path);
  self->selection = ms_lazy_selection_new (G_LIST_MODEL (self->model));
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->model, "notify::counted",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::total-count",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::list-count",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::error-message",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "notify::loading",
                           G_CALLBACK (on_model_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->model, "items-changed",
                           G_CALLBACK (on_model_items_changed_cb), self,
                           G_CONNECT_SWAPPED | G_CONNECT_AFTER);
  g_signal_connect_object (self->selection, "selection-changed",
                           G_CALLBACK (on_selection_changed_cb), self, G_CONNECT_SWAPPED);

  update_query (self);
}

const char *
ms_contacts_view_get_db_path (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return self->db_path;
}

/**
 * ms_contacts_view_set_list:
 * @list_id: a list, or 0 for every contact
 * @list_name: the title to show
 */
void
ms_contacts_view_set_list (MsContactsView *self,
                           gint64          list_id,
                           const char     *list_name)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));

  adw_window_title_set_title (self->window_title, list_name);
  g_free (self->list_name);
  self->list_name = g_strdup (list_name);
  if (self->list_id == list_id)
    {
      rebuild_add_to_list_menu (self);
      return;
    }

  self->list_id = list_id;
  rebuild_add_to_list_menu (self);
  update_query (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_ID]);
}

gint64
ms_contacts_view_get_list_id (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), 0);

  return self->list_id;
}

/**
 * ms_contacts_view_set_lists:
 * @lists: the MsContactList items offered by "Add to List" (id 0 is skipped)
 */
void
ms_contacts_view_set_lists (MsContactsView *self,
                            GListModel     *lists)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));
  g_return_if_fail (lists == NULL || G_IS_LIST_MODEL (lists));

  if (self->lists != NULL)
    g_signal_handlers_disconnect_by_data (self->lists, self);
  g_set_object (&self->lists, lists);
  if (lists != NULL)
    g_signal_connect_object (lists, "items-changed",
                             G_CALLBACK (on_lists_changed_cb), self, G_CONNECT_SWAPPED);
  rebuild_add_to_list_menu (self);
}

/**
 * ms_contacts_view_get_model:
 *
 * Returns: (transfer none) (nullable): the model, once a database is set
 */
MsContactModel *
ms_contacts_view_get_model (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return self->model;
}

/**
 * ms_contacts_view_get_selection:
 *
 * Returns: (transfer none) (nullable): the selection over the model
 */
GtkSelectionModel *
ms_contacts_view_get_selection (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return GTK_SELECTION_MODEL (self->selection);
}

/**
 * ms_contacts_view_get_column_view:
 *
 * Returns: (transfer none): the table
 */
GtkColumnView *
ms_contacts_view_get_column_view (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return self->column_view;
}

/**
 * ms_contacts_view_get_loading:
 *
 * Whether rows are being counted or read, or a bulk action runs.
 */
gboolean
ms_contacts_view_get_loading (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), FALSE);

  return self->busy || (self->model != NULL && ms_contact_model_get_loading (self->model));
}

/**
 * ms_contacts_view_get_page_name:
 *
 * Returns: what is shown: "loading", "table", "empty-database", "empty-list",
 * "no-match" or "error"
 */
const char *
ms_contacts_view_get_page_name (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

/* The count shown above the table, e.g. "1,000,000 contacts". */
const char *
ms_contacts_view_get_count_text (MsContactsView *self)
{
  g_return_val_if_fail (MS_IS_CONTACTS_VIEW (self), NULL);

  return gtk_label_get_label (self->count_label);
}

/* Sets the search at once, without the typing delay. */
void
ms_contacts_view_set_search (MsContactsView *self,
                             const char     *text)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  update_query (self);
}

/* status: an MsContactStatus, or -1 for any */
void
ms_contacts_view_set_status_filter (MsContactsView *self,
                                    int             status)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));
  g_return_if_fail (status >= -1 && status < MS_CONTACT_N_STATUS);

  gtk_drop_down_set_selected (self->status_dropdown, (guint) (status + 1));
}

/* As clicking the column header until its arrow points the right way. */
void
ms_contacts_view_sort_by (MsContactsView *self,
                          MsContactSort   sort,
                          gboolean        descending)
{
  GtkColumnViewColumn *columns[] = {
    [MS_CONTACT_SORT_EMAIL] = self->email_column,
    [MS_CONTACT_SORT_NAME] = self->name_column,
    [MS_CONTACT_SORT_STATUS] = self->status_column,
    [MS_CONTACT_SORT_CREATED] = self->added_column,
  };

  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));
  g_return_if_fail (sort <= MS_CONTACT_SORT_CREATED);

  gtk_column_view_sort_by_column (self->column_view, columns[sort],
                                  descending ? GTK_SORT_DESCENDING : GTK_SORT_ASCENDING);
}

/* Reads the contacts again (the database changed elsewhere). */
void
ms_contacts_view_refresh (MsContactsView *self)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));

  if (self->model == NULL)
    return;
  ms_contact_model_refresh (self->model);
  update_loading (self);
}

void
ms_contacts_view_focus_search (MsContactsView *self)
{
  g_return_if_fail (MS_IS_CONTACTS_VIEW (self));

  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
}

/* For ms-contacts-view-actions.c */

void
_ms_contacts_view_set_busy (MsContactsView *self,
                            gboolean        busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->bulk_spinner), busy);
  gtk_spinner_set_spinning (self->bulk_spinner, busy);
  update_selection (self);
  update_loading (self);
}

void
_ms_contacts_view_add_toast (MsContactsView *self,
                             AdwToast       *toast)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);

  if (overlay != NULL)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), toast);
  else
    g_object_unref (toast);
}

guint64
_ms_contacts_view_get_n_selected (MsContactsView *self)
{
  g_autoptr(GtkBitset) set = NULL;

  if (self->selection == NULL)
    return 0;
  set = gtk_selection_model_get_selection (GTK_SELECTION_MODEL (self->selection));
  return gtk_bitset_get_size (set);
}

void
_ms_contacts_view_emit_changed (MsContactsView *self)
{
  g_signal_emit (self, signals[CONTACTS_CHANGED], 0);
}

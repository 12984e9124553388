/* ms-contact-model.c
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

#define G_LOG_DOMAIN "ms-contact-model"

#include "config.h"

#include "ms-contact-model.h"

/* Pages that no one but the model holds are kept up to this number. */
#define MAX_UNUSED_PAGES 32

/* A selection this small is read page by page at its offsets; a larger one
 * is streamed from the start in one pass. */
#define RESOLVE_MAX_RANGES    32
#define RESOLVE_MAX_BY_OFFSET 20000
#define RESOLVE_CHUNK         2000

typedef enum
{
  JOB_QUIT,
  JOB_COUNT,
  JOB_PAGE,
} JobKind;

/* Shared between the model (UI thread) and its worker thread; reference counted
 * with g_atomic_rc_box so whichever side finishes last frees it. */
typedef struct
{
  GAsyncQueue  *queue;
  GMainContext *context;
  GWeakRef      model;
  char         *db_path;
  int           generation;   /* atomic: jobs of an older generation are skipped */
} Worker;

typedef struct
{
  JobKind         kind;
  Worker         *worker;
  guint           generation;
  MsContactQuery  query;
  char           *search;
  guint           page;
  MsContact      *anchor;       /* a copy of the row next to the page, or NULL: OFFSET */
  gboolean        before;       /* the anchor follows the page */
  GCancellable   *cancellable;
  gboolean        skipped;

  /* Results, written by the worker before the job is posted back. */
  gint64          count;
  gint64          total_count;
  gint64          list_count;
  GPtrArray      *contacts;
  GError         *error;
} Job;

typedef struct
{
  guint          index;
  guint          n_items;
  MsContact    **items;          /* n_items, NULL until asked for or loaded */
  gboolean       loaded;
  gboolean       complete;       /* every item filled by the last load */
  guint          requested;      /* generation of the last request */
  GCancellable  *cancellable;
  GList          link;           /* in MsContactModel.lru */
} Page;

struct _MsContactModel
{
  GObject          parent_instance;

  char            *db_path;
  Worker          *worker;
  GThread         *thread;

  MsContactQuery   query;
  char            *search;
  guint            generation;

  guint            n_items;
  gboolean         counted;
  gboolean         keep_items;   /* the pending count is a refresh of the same query */
  gint64           total_count;
  gint64           list_count;
  GError          *error;

  guint            outstanding;  /* jobs sent and not answered yet */
  gboolean         loading;      /* last notified value */
  guint            loading_idle;

  GHashTable      *pages;        /* page index -> Page */
  GQueue           lru;          /* of Page, most recently used first */
};

static void ms_contact_model_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (MsContactModel, ms_contact_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      ms_contact_model_list_model_init))

enum {
  PROP_0,
  PROP_DB_PATH,
  PROP_N_ITEMS,
  PROP_LOADING,
  PROP_COUNTED,
  PROP_TOTAL_COUNT,
  PROP_LIST_COUNT,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Worker and jobs */

static void
worker_clear (gpointer data)
{
  Worker *worker = data;

  g_async_queue_unref (worker->queue);
  g_main_context_unref (worker->context);
  g_weak_ref_clear (&worker->model);
  g_free (worker->db_path);
}

static void
worker_unref (Worker *worker)
{
  g_atomic_rc_box_release_full (worker, worker_clear);
}

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->worker, worker_unref);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->anchor);
  g_clear_pointer (&job->contacts, g_ptr_array_unref);
  g_clear_error (&job->error);
  g_free (job->search);
  g_free (job);
}

static Job *
job_new (MsContactModel *self,
         JobKind         kind)
{
  Job *job = g_new0 (Job, 1);

  job->kind = kind;
  job->worker = g_atomic_rc_box_acquire (self->worker);
  job->generation = self->generation;
  job->query = self->query;
  job->search = g_strdup (self->search);
  job->query.search = job->search;
  return job;
}

static gboolean
job_is_stale (Job *job)
{
  if (job->kind == JOB_QUIT)
    return FALSE;
  if (job->generation != (guint) g_atomic_int_get (&job->worker->generation))
    return TRUE;
  return job->cancellable != NULL && g_cancellable_is_cancelled (job->cancellable);
}

static gboolean
query_is_unfiltered (const MsContactQuery *query)
{
  return query->status < 0 && (query->search == NULL || query->search[0] == '\0');
}

static void
run_count_job (Job      *job,
               MsStore  *store)
{
  MsContactQuery all = MS_CONTACT_QUERY_INIT;

  job->count = ms_store_count_contacts (store, &job->query, &job->error);
  if (job->count < 0)
    return;

  if (job->query.list_id <= 0 && query_is_unfiltered (&job->query))
    job->total_count = job->count;
  else if ((job->total_count = ms_store_count_contacts (store, &all, &job->error)) < 0)
    return;

  if (job->query.list_id <= 0)
    job->list_count = job->total_count;
  else if (query_is_unfiltered (&job->query))
    job->list_count = job->count;
  else
    {
      all.list_id = job->query.list_id;
      if ((job->list_count = ms_store_count_contacts (store, &all, &job->error)) < 0)
        return;
    }

  /* The first page comes with the count: it is what the view shows first. */
  if (job->count > 0)
    job->contacts = ms_store_list_contacts (store, &job->query, 0,
                                            MS_CONTACT_MODEL_PAGE_SIZE, &job->error);
}

static void
run_job (Job       *job,
         MsStore   *store,
         GError    *open_error)
{
  if (store == NULL)
    {
      job->error = g_error_copy (open_error);
      return;
    }

  switch (job->kind)
    {
    case JOB_COUNT:
      run_count_job (job, store);
      break;
    case JOB_PAGE:
      if (job->anchor != NULL)
        job->contacts = ms_store_list_contacts_near (store, &job->query, job->anchor, job->before,
                                                     MS_CONTACT_MODEL_PAGE_SIZE, &job->error);
      else
        job->contacts = ms_store_list_contacts (store, &job->query,
                                                (gint64) job->page * MS_CONTACT_MODEL_PAGE_SIZE,
                                                MS_CONTACT_MODEL_PAGE_SIZE, &job->error);
      break;
    case JOB_QUIT:
    default:
      g_assert_not_reached ();
    }
}

static gboolean on_job_done_cb (gpointer data);

/* Not g_main_context_invoke(): that runs the callback right here, on the
 * worker thread, whenever the UI thread is not iterating its context. */
static void
post_job (Job *job)
{
  GSource *source = g_idle_source_new ();

  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, on_job_done_cb, job, job_free);
  g_source_set_static_name (source, "[ms-contact-model] job done");
  g_source_attach (source, job->worker->context);
  g_source_unref (source);
}

/* Takes the job to run next out of @pending: quit first, then the newest count,
 * then the newest page (the one the person scrolled to last).  Stale jobs are
 * answered at once without touching the database. */
static Job *
take_next_job (GPtrArray *pending)
{
  guint best = G_MAXUINT;

  for (guint i = pending->len; i > 0; i--)
    {
      Job *job = g_ptr_array_index (pending, i - 1);

      if (job_is_stale (job))
        {
          g_ptr_array_remove_index (pending, i - 1);
          job->skipped = TRUE;
          post_job (job);
        }
    }

  for (guint i = 0; i < pending->len; i++)
    {
      Job *job = g_ptr_array_index (pending, i);

      if (job->kind == JOB_QUIT)
        {
          best = i;
          break;
        }
      if (job->kind == JOB_COUNT)
        best = i;
    }
  if (best == G_MAXUINT && pending->len > 0)
    best = pending->len - 1;
  if (best == G_MAXUINT)
    return NULL;

  return g_ptr_array_steal_index (pending, best);
}

static gpointer
contact_model_worker (gpointer data)
{
  Worker *worker = data;
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GError) open_error = NULL;

  for (;;)
    {
      Job *job;

      if (pending->len == 0)
        g_ptr_array_add (pending, g_async_queue_pop (worker->queue));
      while ((job = g_async_queue_try_pop (worker->queue)) != NULL)
        g_ptr_array_add (pending, job);

      if ((job = take_next_job (pending)) == NULL)
        continue;
      if (job->kind == JOB_QUIT)
        {
          job_free (job);
          break;
        }

      if (store == NULL && open_error == NULL)
        store = ms_store_open (worker->db_path, &open_error);
      run_job (job, store, open_error);
      post_job (job);
    }

  /* The model is gone: nothing left is worth answering. */
  g_ptr_array_foreach (pending, (GFunc) job_free, NULL);
  worker_unref (worker);
  return NULL;
}

/* Pages */

static void
page_free (Page *page)
{
  if (page->cancellable != NULL)
    g_cancellable_cancel (page->cancellable);
  g_clear_object (&page->cancellable);
  for (guint i = 0; i < page->n_items; i++)
    g_clear_object (&page->items[i]);
  g_free (page->items);
  g_free (page);
}

static gboolean
page_in_use (Page *page)
{
  for (guint i = 0; i < page->n_items; i++)
    {
      /* Someone else (a row of a view) holds this item: keep the page, so
       * that the item is filled in when the page arrives. */
      if (page->items[i] != NULL && G_OBJECT (page->items[i])->ref_count > 1)
        return TRUE;
    }
  return FALSE;
}

static void
fill_contact (MsContact *item,
              MsContact *loaded)
{
  g_autofree char *fields = NULL;

  g_object_freeze_notify (G_OBJECT (item));
  ms_contact_set_email (item, ms_contact_get_email (loaded));
  ms_contact_set_name (item, ms_contact_get_name (loaded));
  ms_contact_set_first_name (item, ms_contact_get_first_name (loaded));
  ms_contact_set_last_name (item, ms_contact_get_last_name (loaded));
  ms_contact_set_status (item, ms_contact_get_status (loaded));
  ms_contact_set_status_reason (item, ms_contact_get_status_reason (loaded));
  ms_contact_set_status_time (item, ms_contact_get_status_time (loaded));
  ms_contact_set_created_at (item, ms_contact_get_created_at (loaded));
  fields = ms_contact_dup_fields_json (loaded);
  ms_contact_set_fields_json (item, fields, NULL);
  /* The id last: whoever watches it sees a complete contact. */
  ms_contact_set_id (item, ms_contact_get_id (loaded));
  g_object_thaw_notify (G_OBJECT (item));
}

static void
page_fill (Page      *page,
           GPtrArray *contacts)
{
  guint n = MIN (page->n_items, contacts->len);

  for (guint i = 0; i < n; i++)
    {
      MsContact *loaded = g_ptr_array_index (contacts, i);

      if (page->items[i] != NULL)
        fill_contact (page->items[i], loaded);
      else
        page->items[i] = g_object_ref (loaded);
    }
  page->loaded = TRUE;
  page->complete = contacts->len >= page->n_items;
}

static void
schedule_loading_update (MsContactModel *self);

/* A page loaded in this generation, whole and not being reloaded: its rows are
 * exactly those the query puts there now. */
static gboolean
page_is_fresh (MsContactModel *self,
               Page           *page)
{
  return page != NULL && page->loaded && page->complete && page->n_items > 0
         && page->requested == self->generation && page->cancellable == NULL;
}

/* The keys of a row next to @page, copied for the worker thread: the page
 * after a loaded one starts after its last row, the page before one ends
 * before its first.  Far down a long list this spares OFFSET's walk over
 * everything in front.  NULL when no neighbour is fresh. */
static MsContact *
page_anchor (MsContactModel *self,
             Page           *page,
             gboolean       *before)
{
  Page *prev = page->index > 0 ? g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page->index - 1)) : NULL;
  Page *next = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (page->index + 1));
  MsContact *row = NULL;
  MsContact *copy;

  if (page_is_fresh (self, prev))
    {
      row = prev->items[prev->n_items - 1];
      *before = FALSE;
    }
  else if (page_is_fresh (self, next) && page->n_items == MS_CONTACT_MODEL_PAGE_SIZE)
    {
      row = next->items[0];
      *before = TRUE;
    }
  if (row == NULL || ms_contact_get_id (row) <= 0 || ms_contact_get_email (row) == NULL)
    return NULL;
  copy = ms_contact_new (ms_contact_get_email (row));
  ms_contact_set_id (copy, ms_contact_get_id (row));
  ms_contact_set_name (copy, ms_contact_get_name (row));
  ms_contact_set_status (copy, ms_contact_get_status (row));
  return copy;
}

static void
request_page (MsContactModel *self,
              Page           *page)
{
  Job *job;

  if (page->cancellable != NULL)
    g_cancellable_cancel (page->cancellable);
  g_clear_object (&page->cancellable);
  page->cancellable = g_cancellable_new ();
  page->requested = self->generation;

  job = job_new (self, JOB_PAGE);
  job->page = page->index;
  job->anchor = page_anchor (self, page, &job->before);
  job->cancellable = g_object_ref (page->cancellable);
  self->outstanding++;
  g_async_queue_push (self->worker->queue, job);
  schedule_loading_update (self);
}

static void
trim_pages (MsContactModel *self)
{
  guint unused = 0;
  GList *l = self->lru.head;

  while (l != NULL)
    {
      Page *page = l->data;
      GList *next = l->next;

      if (!page_in_use (page) && ++unused > MAX_UNUSED_PAGES)
        {
          g_queue_unlink (&self->lru, &page->link);
          g_hash_table_remove (self->pages, GUINT_TO_POINTER (page->index));
        }
      l = next;
    }
}

static Page *
page_new (MsContactModel *self,
          guint           index)
{
  Page *page = g_new0 (Page, 1);
  guint first = index * MS_CONTACT_MODEL_PAGE_SIZE;

  page->index = index;
  page->n_items = MIN (MS_CONTACT_MODEL_PAGE_SIZE, self->n_items - first);
  page->items = g_new0 (MsContact *, page->n_items);
  page->link.data = page;
  g_hash_table_insert (self->pages, GUINT_TO_POINTER (index), page);
  g_queue_push_head_link (&self->lru, &page->link);
  return page;
}

static void
drop_pages (MsContactModel *self)
{
  g_queue_init (&self->lru);
  g_hash_table_remove_all (self->pages);
}

static Page *
lookup_page (MsContactModel *self,
             guint           position)
{
  return g_hash_table_lookup (self->pages,
                              GUINT_TO_POINTER (position / MS_CONTACT_MODEL_PAGE_SIZE));
}

/* Loading state */

static gboolean
update_loading_cb (gpointer data)
{
  MsContactModel *self = data;
  gboolean loading = self->outstanding > 0;

  self->loading_idle = 0;
  if (loading != self->loading)
    {
      self->loading = loading;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
    }
  return G_SOURCE_REMOVE;
}

/* Never notified from inside get_item(): views do not like reentrancy there. */
static void
schedule_loading_update (MsContactModel *self)
{
  if (self->loading_idle == 0 && (self->outstanding > 0) != self->loading)
    self->loading_idle = g_idle_add_full (G_PRIORITY_DEFAULT, update_loading_cb, self, NULL);
}

static void
request_count (MsContactModel *self,
               gboolean        keep_items)
{
  self->generation++;
  g_atomic_int_set (&self->worker->generation, (int) self->generation);
  self->keep_items = keep_items;
  self->outstanding++;
  g_async_queue_push (self->worker->queue, job_new (self, JOB_COUNT));
  schedule_loading_update (self);
}

static void
set_error (MsContactModel *self,
           GError         *error)
{
  if (error == NULL && self->error == NULL)
    return;
  g_clear_error (&self->error);
  self->error = error != NULL ? g_error_copy (error) : NULL;
  if (error != NULL)
    g_warning ("Could not read the contacts: %s", error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR_MESSAGE]);
}

static void
set_counts (MsContactModel *self,
            gint64          total_count,
            gint64          list_count)
{
  if (self->total_count != total_count)
    {
      self->total_count = total_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOTAL_COUNT]);
    }
  if (self->list_count != list_count)
    {
      self->list_count = list_count;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LIST_COUNT]);
    }
}

static void
apply_count (MsContactModel *self,
             Job            *job)
{
  guint old_n = self->n_items;
  guint new_n = (guint) MIN (job->count, (gint64) G_MAXUINT);
  Page *first;

  set_error (self, NULL);
  set_counts (self, job->total_count, job->list_count);

  if (self->keep_items && self->counted && new_n == old_n)
    {
      GHashTableIter iter;
      gpointer value;

      /* Same query, same size: fill the items we have in place, so the view
       * keeps its selection and scroll position. */
      g_hash_table_iter_init (&iter, self->pages);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Page *page = value;

          if (page->index == 0 && job->contacts != NULL)
            page_fill (page, job->contacts);
          else if (page->requested != self->generation)
            request_page (self, page);
        }
      return;
    }

  drop_pages (self);
  self->n_items = new_n;
  if (new_n > 0 && job->contacts != NULL)
    {
      first = page_new (self, 0);
      page_fill (first, job->contacts);
      first->requested = self->generation;
    }
  if (!self->counted)
    {
      self->counted = TRUE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTED]);
    }
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_n, new_n);
  if (old_n != new_n)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_ITEMS]);
}

static void
apply_page (MsContactModel *self,
            Job            *job)
{
  Page *page = g_hash_table_lookup (self->pages, GUINT_TO_POINTER (job->page));

  if (page == NULL || page->cancellable != job->cancellable)
    return;
  g_clear_object (&page->cancellable);
  if (job->error != NULL)
    {
      set_error (self, job->error);
      return;
    }
  page_fill (page, job->contacts);
}

static gboolean
on_job_done_cb (gpointer data)
{
  Job *job = data;
  g_autoptr(MsContactModel) self = g_weak_ref_get (&job->worker->model);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_assert (self->outstanding > 0);
  self->outstanding--;

  if (!job->skipped && job->generation == self->generation)
    {
      if (job->kind == JOB_COUNT && job->error != NULL)
        set_error (self, job->error);
      else if (job->kind == JOB_COUNT)
        apply_count (self, job);
      else if (job->kind == JOB_PAGE)
        apply_page (self, job);
    }

  schedule_loading_update (self);
  return G_SOURCE_REMOVE;
}

/* GListModel */

static GType
ms_contact_model_get_item_type (GListModel *model)
{
  return MS_TYPE_CONTACT;
}

static guint
ms_contact_model_get_n_items (GListModel *model)
{
  return MS_CONTACT_MODEL (model)->n_items;
}

static gpointer
ms_contact_model_get_item (GListModel *model,
                           guint       position)
{
  MsContactModel *self = MS_CONTACT_MODEL (model);
  Page *page;
  guint offset;

  if (position >= self->n_items)
    return NULL;

  if ((page = lookup_page (self, position)) == NULL)
    {
      page = page_new (self, position / MS_CONTACT_MODEL_PAGE_SIZE);
      request_page (self, page);
      trim_pages (self);
    }
  else if (self->lru.head != &page->link)
    {
      g_queue_unlink (&self->lru, &page->link);
      g_queue_push_head_link (&self->lru, &page->link);
    }

  offset = position - page->index * MS_CONTACT_MODEL_PAGE_SIZE;
  if (page->items[offset] == NULL)
    page->items[offset] = ms_contact_new (NULL);
  return g_object_ref (page->items[offset]);
}

static void
ms_contact_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ms_contact_model_get_item_type;
  iface->get_n_items = ms_contact_model_get_n_items;
  iface->get_item = ms_contact_model_get_item;
}

/* GObject */

static void
ms_contact_model_constructed (GObject *object)
{
  MsContactModel *self = MS_CONTACT_MODEL (object);
  Worker *worker;

  G_OBJECT_CLASS (ms_contact_model_parent_class)->constructed (object);

  g_assert (self->db_path != NULL);

  worker = g_atomic_rc_box_new0 (Worker);
  worker->queue = g_async_queue_new ();
  worker->context = g_main_context_ref_thread_default ();
  g_weak_ref_init (&worker->model, self);
  worker->db_path = g_strdup (self->db_path);
  self->worker = worker;
  self->thread = g_thread_new ("ms-contact-model", contact_model_worker,
                               g_atomic_rc_box_acquire (worker));

  request_count (self, FALSE);
}

static void
ms_contact_model_dispose (GObject *object)
{
  MsContactModel *self = MS_CONTACT_MODEL (object);

  if (self->thread != NULL)
    {
      Job *quit = g_new0 (Job, 1);

      quit->kind = JOB_QUIT;
      quit->worker = g_atomic_rc_box_acquire (self->worker);
      g_async_queue_push (self->worker->queue, quit);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_clear_pointer (&self->worker, worker_unref);
  g_clear_handle_id (&self->loading_idle, g_source_remove);
  if (self->pages != NULL)
    drop_pages (self);

  G_OBJECT_CLASS (ms_contact_model_parent_class)->dispose (object);
}

static void
ms_contact_model_finalize (GObject *object)
{
  MsContactModel *self = MS_CONTACT_MODEL (object);

  g_clear_pointer (&self->pages, g_hash_table_unref);
  g_clear_error (&self->error);
  g_free (self->search);
  g_free (self->db_path);

  G_OBJECT_CLASS (ms_contact_model_parent_class)->finalize (object);
}

static void
ms_contact_model_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  MsContactModel *self = MS_CONTACT_MODEL (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      g_value_set_string (value, self->db_path);
      break;
    case PROP_N_ITEMS:
      g_value_set_uint (value, self->n_items);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, ms_contact_model_get_loading (self));
      break;
    case PROP_COUNTED:
      g_value_set_boolean (value, self->counted);
      break;
    case PROP_TOTAL_COUNT:
      g_value_set_int64 (value, self->total_count);
      break;
    case PROP_LIST_COUNT:
      g_value_set_int64 (value, self->list_count);
      break;
    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error != NULL ? self->error->message : NULL);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_model_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  MsContactModel *self = MS_CONTACT_MODEL (object);

  switch (prop_id)
    {
    case PROP_DB_PATH:
      self->db_path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_contact_model_class_init (MsContactModelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->constructed = ms_contact_model_constructed;
  object_class->dispose = ms_contact_model_dispose;
  object_class->finalize = ms_contact_model_finalize;
  object_class->get_property = ms_contact_model_get_property;
  object_class->set_property = ms_contact_model_set_property;

  properties[PROP_DB_PATH] =
    g_param_spec_string ("db-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_N_ITEMS] = g_param_spec_uint ("n-items", NULL, NULL, 0, G_MAXUINT, 0, ro);
  properties[PROP_LOADING] = g_param_spec_boolean ("loading", NULL, NULL, FALSE, ro);
  properties[PROP_COUNTED] = g_param_spec_boolean ("counted", NULL, NULL, FALSE, ro);
  properties[PROP_TOTAL_COUNT] =
    g_param_spec_int64 ("total-count", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_LIST_COUNT] =
    g_param_spec_int64 ("list-count", NULL, NULL, -1, G_MAXINT64, -1, ro);
  properties[PROP_ERROR_MESSAGE] = g_param_spec_string ("error-message", NULL, NULL, NULL, ro);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_contact_model_init (MsContactModel *self)
{
  MsContactQuery query = MS_CONTACT_QUERY_INIT;

  self->query = query;
  self->total_count = -1;
  self->list_count = -1;
  self->pages = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) page_free);
}

/* Selection */

typedef struct
{
  char           *db_path;
  MsContactQuery  query;
  char           *search;
  GArray         *ranges;    /* guint pairs */
} ResolveData;

static void
resolve_data_free (gpointer data)
{
  ResolveData *rd = data;

  g_free (rd->db_path);
  g_free (rd->search);
  g_array_unref (rd->ranges);
  g_free (rd);
}

static void
clear_ref (gpointer data)
{
  MsContactRef *ref = data;

  g_clear_pointer (&ref->status_reason, g_free);
}

static GArray *
new_ref_array (guint reserve)
{
  GArray *refs = g_array_sized_new (FALSE, FALSE, sizeof (MsContactRef), reserve);

  g_array_set_clear_func (refs, clear_ref);
  return refs;
}

static void
append_ref (GArray    *refs,
            MsContact *contact)
{
  const char *reason = ms_contact_get_status_reason (contact);
  MsContactRef ref = {
    ms_contact_get_id (contact),
    ms_contact_get_status (contact),
    reason != NULL && reason[0] != '\0' ? g_strdup (reason) : NULL,
  };

  g_array_append_val (refs, ref);
}

static guint64
count_ranges (const guint *ranges,
              guint        n_ranges)
{
  guint64 total = 0;

  for (guint i = 0; i < n_ranges; i++)
    total += ranges[2 * i + 1];
  return total;
}

/* Everything asked for is loaded already (the usual case: rows the person
 * clicked on): no need to go to the database. */
static GArray *
resolve_from_pages (MsContactModel *self,
                    const guint    *ranges,
                    guint           n_ranges)
{
  g_autoptr(GArray) refs = NULL;
  guint64 total = count_ranges (ranges, n_ranges);

  if (total > (guint64) g_hash_table_size (self->pages) * MS_CONTACT_MODEL_PAGE_SIZE)
    return NULL;

  refs = new_ref_array ((guint) total);
  for (guint i = 0; i < n_ranges; i++)
    {
      for (guint pos = ranges[2 * i]; pos - ranges[2 * i] < ranges[2 * i + 1]; pos++)
        {
          MsContact *item = ms_contact_model_peek_loaded (self, pos);

          if (pos >= self->n_items)
            break;
          if (item == NULL)
            return NULL;
          append_ref (refs, item);
        }
    }
  return g_steal_pointer (&refs);
}

typedef struct
{
  GArray        *refs;
  const guint   *ranges;
  guint          n_ranges;
  guint          range;
  guint64        position;
  GCancellable  *cancellable;
} StreamState;

static gboolean
stream_contact_cb (MsContact *contact,
                   gpointer   user_data)
{
  StreamState *st = user_data;
  guint64 pos = st->position++;

  if (g_cancellable_is_cancelled (st->cancellable))
    return FALSE;

  while (st->range < st->n_ranges
         && pos >= (guint64) st->ranges[2 * st->range] + st->ranges[2 * st->range + 1])
    st->range++;
  if (st->range >= st->n_ranges)
    return FALSE;
  if (pos >= st->ranges[2 * st->range])
    append_ref (st->refs, contact);
  return TRUE;
}

static gboolean
resolve_by_offset (MsStore        *store,
                   ResolveData    *rd,
                   GArray         *refs,
                   GCancellable   *cancellable,
                   GError        **error)
{
  const guint *ranges = (const guint *) (gpointer) rd->ranges->data;

  for (guint i = 0; i < rd->ranges->len / 2; i++)
    {
      guint done = 0;

      while (done < ranges[2 * i + 1])
        {
          g_autoptr(GPtrArray) contacts = NULL;
          guint limit = MIN (RESOLVE_CHUNK, ranges[2 * i + 1] - done);

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            return FALSE;
          contacts = ms_store_list_contacts (store, &rd->query,
                                             (gint64) ranges[2 * i] + done, limit, error);
          if (contacts == NULL)
            return FALSE;
          for (guint j = 0; j < contacts->len; j++)
            append_ref (refs, g_ptr_array_index (contacts, j));
          if (contacts->len < limit)
            break;
          done += limit;
        }
    }
  return TRUE;
}

static void
resolve_worker (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  ResolveData *rd = task_data;
  const guint *ranges = (const guint *) (gpointer) rd->ranges->data;
  guint n_ranges = rd->ranges->len / 2;
  guint64 total = count_ranges (ranges, n_ranges);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(GArray) refs = NULL;
  GError *error = NULL;

  if (!(store = ms_store_open (rd->db_path, &error)))
    {
      g_task_return_error (task, error);
      return;
    }

  refs = new_ref_array ((guint) MIN (total, 1u << 20));
  if (n_ranges <= RESOLVE_MAX_RANGES && total <= RESOLVE_MAX_BY_OFFSET)
    {
      if (!resolve_by_offset (store, rd, refs, cancellable, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }
  else
    {
      StreamState st = { refs, ranges, n_ranges, 0, 0, cancellable };

      if (!ms_store_foreach_contact (store, &rd->query, stream_contact_cb, &st, &error))
        {
          g_task_return_error (task, error);
          return;
        }
    }

  if (g_task_return_error_if_cancelled (task))
    return;
  g_task_return_pointer (task, g_steal_pointer (&refs), (GDestroyNotify) g_array_unref);
}

/* Public API */

MsContactModel *
ms_contact_model_new (const char *db_path)
{
  g_return_val_if_fail (db_path != NULL, NULL);

  return g_object_new (MS_TYPE_CONTACT_MODEL, "db-path", db_path, NULL);
}

const char *
ms_contact_model_get_db_path (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), NULL);

  return self->db_path;
}

/**
 * ms_contact_model_get_query:
 *
 * Copies the current query into @query; its search string belongs to the
 * model and stays valid until the next ms_contact_model_set_query().
 */
void
ms_contact_model_get_query (MsContactModel *self,
                            MsContactQuery *query)
{
  g_return_if_fail (MS_IS_CONTACT_MODEL (self));
  g_return_if_fail (query != NULL);

  *query = self->query;
}

/**
 * ms_contact_model_set_query:
 *
 * Shows the contacts matching @query.  The items stay as they are until the
 * new count arrives; then the whole model changes at once.
 */
void
ms_contact_model_set_query (MsContactModel       *self,
                            const MsContactQuery *query)
{
  const char *search;

  g_return_if_fail (MS_IS_CONTACT_MODEL (self));
  g_return_if_fail (query != NULL);

  search = query->search != NULL && query->search[0] != '\0' ? query->search : NULL;
  if (query->list_id == self->query.list_id
      && query->status == self->query.status
      && query->sort == self->query.sort
      && !query->descending == !self->query.descending
      && g_strcmp0 (search, self->search) == 0)
    return;

  g_free (self->search);
  self->search = g_strdup (search);
  self->query = *query;
  self->query.search = self->search;
  self->query.descending = !!query->descending;

  if (self->counted)
    {
      self->counted = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COUNTED]);
    }
  request_count (self, FALSE);
}

/**
 * ms_contact_model_refresh:
 *
 * Reads everything again after the database changed.  When the number of
 * matching contacts is unchanged, the items are updated in place.
 */
void
ms_contact_model_refresh (MsContactModel *self)
{
  g_return_if_fail (MS_IS_CONTACT_MODEL (self));

  request_count (self, self->counted);
}

gboolean
ms_contact_model_get_loading (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), FALSE);

  return self->outstanding > 0;
}

/* Whether the number of items reflects the current query. */
gboolean
ms_contact_model_get_counted (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), FALSE);

  return self->counted;
}

/* Contacts in the whole database, -1 until known. */
gint64
ms_contact_model_get_total_count (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), -1);

  return self->total_count;
}

/* Contacts in the query's list whatever the search and status, -1 until known. */
gint64
ms_contact_model_get_list_count (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), -1);

  return self->list_count;
}

const GError *
ms_contact_model_get_error (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), NULL);

  return self->error;
}

/* Number of pages in memory, for tests and benchmarks. */
guint
ms_contact_model_get_n_cached (MsContactModel *self)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), 0);

  return g_hash_table_size (self->pages);
}

/**
 * ms_contact_model_peek_loaded:
 *
 * Returns: (transfer none) (nullable): the item at @position if its page is in
 * memory and loaded, without asking for it otherwise
 */
MsContact *
ms_contact_model_peek_loaded (MsContactModel *self,
                              guint           position)
{
  Page *page;
  MsContact *item;

  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), NULL);

  if (position >= self->n_items || (page = lookup_page (self, position)) == NULL)
    return NULL;
  item = page->items[position - page->index * MS_CONTACT_MODEL_PAGE_SIZE];
  if (!page->loaded || item == NULL || ms_contact_get_id (item) == 0)
    return NULL;
  return item;
}

/**
 * ms_contact_model_update_item:
 *
 * Copies @contact into the item with the same id, if it is in memory (after
 * the contact was edited), without reading the database again.
 */
void
ms_contact_model_update_item (MsContactModel *self,
                              MsContact      *contact)
{
  GHashTableIter iter;
  gpointer value;
  gint64 id;

  g_return_if_fail (MS_IS_CONTACT_MODEL (self));
  g_return_if_fail (MS_IS_CONTACT (contact));

  id = ms_contact_get_id (contact);
  g_hash_table_iter_init (&iter, self->pages);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Page *page = value;

      for (guint i = 0; i < page->n_items; i++)
        {
          if (page->items[i] != NULL && ms_contact_get_id (page->items[i]) == id)
            {
              fill_contact (page->items[i], contact);
              return;
            }
        }
    }
}

/**
 * ms_contact_model_resolve_async:
 *
 * Finds the id, status and reason of the contacts at the given positions of
 * the current query, reading the database on a worker thread when they are not
 * all in memory (a selection of a million rows holds no contacts).
 */
void
ms_contact_model_resolve_async (MsContactModel      *self,
                                const guint         *ranges,
                                guint                n_ranges,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  ResolveData *rd;
  GArray *refs;

  g_return_if_fail (MS_IS_CONTACT_MODEL (self));
  g_return_if_fail (ranges != NULL || n_ranges == 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ms_contact_model_resolve_async);

  if ((refs = resolve_from_pages (self, ranges, n_ranges)) != NULL)
    {
      g_task_return_pointer (task, refs, (GDestroyNotify) g_array_unref);
      return;
    }

  rd = g_new0 (ResolveData, 1);
  rd->db_path = g_strdup (self->db_path);
  rd->search = g_strdup (self->search);
  rd->query = self->query;
  rd->query.search = rd->search;
  rd->ranges = g_array_sized_new (FALSE, FALSE, sizeof (guint), 2 * n_ranges);
  g_array_append_vals (rd->ranges, ranges, 2 * n_ranges);
  g_task_set_task_data (task, rd, resolve_data_free);
  g_task_run_in_thread (task, resolve_worker);
}

/**
 * ms_contact_model_resolve_finish:
 *
 * Returns: (transfer full): a #GArray of #MsContactRef in position order
 */
GArray *
ms_contact_model_resolve_finish (MsContactModel  *self,
                                 GAsyncResult    *result,
                                 GError         **error)
{
  g_return_val_if_fail (MS_IS_CONTACT_MODEL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

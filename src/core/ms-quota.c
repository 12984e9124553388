/* ms-quota.c
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

#define G_LOG_DOMAIN "ms-quota"

#include "config.h"

#include <string.h>

#include "ms-quota.h"

#define PLAN_MAX_STEPS 200000
#define COMPACT_MIN    4096

typedef struct
{
  gint64 time;
  guint  count;
} Run;

typedef struct
{
  guint   limit;
  guint   window_secs;
  gint64  window_ms;
  guint   first;     /* index of the first run counted at last_now */
  guint64 sum;       /* messages in runs[first..] */
} Window;

struct _MsQuotaLedger
{
  GArray   *runs;      /* Run, in time order */
  guint     head;      /* runs before it are forgotten */
  GArray   *windows;   /* Window, shortest first */
  gint64    last_now;
  gboolean  dirty;     /* recount at the next moment asked about */
};

/* Ledger */

static int
compare_windows (gconstpointer a,
                 gconstpointer b)
{
  const Window *wa = a;
  const Window *wb = b;

  return (wa->window_secs > wb->window_secs) - (wa->window_secs < wb->window_secs);
}

void
ms_quota_ledger_set_quotas (MsQuotaLedger *self,
                            const MsQuota *quotas,
                            guint          n_quotas)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (quotas != NULL || n_quotas == 0);

  g_array_set_size (self->windows, 0);
  for (guint i = 0; i < n_quotas; i++)
    {
      Window w = { 0 };
      gboolean merged = FALSE;

      if (quotas[i].limit == 0 || quotas[i].window_secs == 0)
        continue;
      /* The same window twice: the smaller limit wins. */
      for (guint j = 0; j < self->windows->len; j++)
        {
          Window *other = &g_array_index (self->windows, Window, j);

          if (other->window_secs == quotas[i].window_secs)
            {
              other->limit = MIN (other->limit, quotas[i].limit);
              merged = TRUE;
            }
        }
      if (merged)
        continue;
      w.limit = quotas[i].limit;
      w.window_secs = quotas[i].window_secs;
      w.window_ms = (gint64) quotas[i].window_secs * 1000;
      g_array_append_val (self->windows, w);
    }
  g_array_sort (self->windows, compare_windows);
  self->dirty = TRUE;
}

MsQuotaLedger *
ms_quota_ledger_new (const MsQuota *quotas,
                     guint          n_quotas)
{
  MsQuotaLedger *self = g_new0 (MsQuotaLedger, 1);

  self->runs = g_array_new (FALSE, FALSE, sizeof (Run));
  self->windows = g_array_new (FALSE, TRUE, sizeof (Window));
  self->dirty = TRUE;
  ms_quota_ledger_set_quotas (self, quotas, n_quotas);
  return self;
}

MsQuotaLedger *
ms_quota_ledger_copy (const MsQuotaLedger *self)
{
  MsQuotaLedger *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (MsQuotaLedger, 1);
  copy->runs = g_array_sized_new (FALSE, FALSE, sizeof (Run), self->runs->len - self->head);
  if (self->runs->len > self->head)
    g_array_append_vals (copy->runs, &g_array_index (self->runs, Run, self->head),
                         self->runs->len - self->head);
  copy->windows = g_array_copy (self->windows);
  copy->dirty = TRUE;
  return copy;
}

void
ms_quota_ledger_free (MsQuotaLedger *self)
{
  if (self == NULL)
    return;
  g_array_unref (self->runs);
  g_array_unref (self->windows);
  g_free (self);
}

guint
ms_quota_ledger_get_n_quotas (const MsQuotaLedger *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->windows->len;
}

static inline Run *
run_at (const MsQuotaLedger *self,
        guint                index)
{
  return &g_array_index (self->runs, Run, index);
}

/* The first run with time > @after (binary search over the live runs). */
static guint
first_after (const MsQuotaLedger *self,
             gint64               after)
{
  guint lo = self->head;
  guint hi = self->runs->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (run_at (self, mid)->time > after)
        hi = mid;
      else
        lo = mid + 1;
    }
  return lo;
}

/* Brings every window's first and sum to the moment @now. */
static void
advance (MsQuotaLedger *self,
         gint64         now)
{
  if (self->dirty || now < self->last_now)
    {
      for (guint i = 0; i < self->windows->len; i++)
        {
          Window *w = &g_array_index (self->windows, Window, i);

          w->first = first_after (self, now - w->window_ms);
          w->sum = 0;
          for (guint j = w->first; j < self->runs->len; j++)
            w->sum += run_at (self, j)->count;
        }
      self->dirty = FALSE;
    }
  else
    {
      for (guint i = 0; i < self->windows->len; i++)
        {
          Window *w = &g_array_index (self->windows, Window, i);
          gint64 edge = now - w->window_ms;

          while (w->first < self->runs->len && run_at (self, w->first)->time <= edge)
            {
              w->sum -= run_at (self, w->first)->count;
              w->first++;
            }
        }
    }
  self->last_now = now;
}

void
ms_quota_ledger_add (MsQuotaLedger *self,
                     gint64         time,
                     guint          count)
{
  Run *last;

  g_return_if_fail (self != NULL);

  if (count == 0)
    return;
  last = self->runs->len > self->head ? run_at (self, self->runs->len - 1) : NULL;
  if (last != NULL && time < last->time)
    {
      /* Out of order (a clock that stepped back): insert and recount later. */
      Run run = { time, count };

      g_array_insert_val (self->runs, first_after (self, time), run);
      self->dirty = TRUE;
      return;
    }

  if (!self->dirty)
    {
      for (guint i = 0; i < self->windows->len; i++)
        {
          Window *w = &g_array_index (self->windows, Window, i);

          if (time > self->last_now - w->window_ms)
            w->sum += count;
          else if (last == NULL || last->time != time)
            w->first = self->runs->len + 1;  /* before the window, like every run */
        }
    }
  if (last != NULL && last->time == time)
    {
      last->count += count;
    }
  else
    {
      Run run = { time, count };

      g_array_append_val (self->runs, run);
    }
}

void
ms_quota_ledger_prune (MsQuotaLedger *self,
                       gint64         now)
{
  guint keep_from;

  g_return_if_fail (self != NULL);

  advance (self, now);
  keep_from = self->runs->len;
  for (guint i = 0; i < self->windows->len; i++)
    keep_from = MIN (keep_from, g_array_index (self->windows, Window, i).first);
  self->head = MAX (self->head, keep_from);

  if (self->head == self->runs->len)
    {
      g_array_set_size (self->runs, 0);
      for (guint i = 0; i < self->windows->len; i++)
        g_array_index (self->windows, Window, i).first = 0;
      self->head = 0;
    }
  else if (self->head >= COMPACT_MIN && self->head > self->runs->len / 2)
    {
      g_array_remove_range (self->runs, 0, self->head);
      for (guint i = 0; i < self->windows->len; i++)
        g_array_index (self->windows, Window, i).first -= self->head;
      self->head = 0;
    }
}

static guint64
window_used (const Window *w,
             guint         pending)
{
  return w->sum + pending;
}

guint
ms_quota_ledger_room (MsQuotaLedger *self,
                      guint          pending,
                      gint64         now)
{
  guint64 room = G_MAXUINT;

  g_return_val_if_fail (self != NULL, 0);

  advance (self, now);
  for (guint i = 0; i < self->windows->len; i++)
    {
      const Window *w = &g_array_index (self->windows, Window, i);
      guint64 used = window_used (w, pending);

      room = MIN (room, used >= w->limit ? 0 : w->limit - used);
    }
  return (guint) room;
}

/* When window @w has room again (after advance()); @now when it has room. */
static gint64
window_reopens (const MsQuotaLedger *self,
                const Window        *w,
                guint                pending,
                gint64               now)
{
  guint64 used = window_used (w, pending);
  guint64 leave;
  guint64 seen = 0;

  if (used < w->limit)
    return now;
  leave = used - w->limit + 1;   /* counted messages that must leave first */
  if (leave > w->sum)
    return G_MAXINT64;
  for (guint i = w->first; i < self->runs->len; i++)
    {
      seen += run_at (self, i)->count;
      if (seen >= leave)
        return MAX (now, run_at (self, i)->time + w->window_ms);
    }
  g_assert_not_reached ();
  return G_MAXINT64;
}

gint64
ms_quota_ledger_next_room (MsQuotaLedger *self,
                           guint          pending,
                           gint64         now)
{
  gint64 next = now;

  g_return_val_if_fail (self != NULL, G_MAXINT64);

  advance (self, now);
  for (guint i = 0; i < self->windows->len; i++)
    {
      gint64 reopens = window_reopens (self, &g_array_index (self->windows, Window, i),
                                       pending, now);

      next = MAX (next, reopens);
    }
  return next;
}

void
ms_quota_ledger_status (MsQuotaLedger       *self,
                        guint                pending,
                        gint64               now,
                        MsQuotaWindowStatus *out)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (out != NULL || self->windows->len == 0);

  advance (self, now);
  for (guint i = 0; i < self->windows->len; i++)
    {
      const Window *w = &g_array_index (self->windows, Window, i);
      guint64 used = window_used (w, pending);

      out[i].limit = w->limit;
      out[i].window_secs = w->window_secs;
      out[i].used = (guint) MIN (used, G_MAXUINT);
      out[i].remaining = used >= w->limit ? 0 : (guint) (w->limit - used);
      if (used >= w->limit)
        out[i].reopens_at = window_reopens (self, w, pending, now);
      else if (w->sum > 0)
        out[i].reopens_at = run_at (self, w->first)->time + w->window_ms;
      else if (pending > 0)
        out[i].reopens_at = now + w->window_ms;
      else
        out[i].reopens_at = 0;
    }
}

/* Tracker */

typedef struct
{
  MsQuotaLedger *ledger;
  guint          pending;
  gint64         last_time;
} Entry;

struct _MsQuotaTracker
{
  GMutex        lock;
  GHashTable   *servers;   /* gint64* -> Entry* */
  MsQuotaClock  clock;
  gpointer      clock_data;
};

static void
entry_free (gpointer data)
{
  Entry *entry = data;

  ms_quota_ledger_free (entry->ledger);
  g_free (entry);
}

static gint64
real_clock (gpointer user_data)
{
  return g_get_real_time () / 1000;
}

MsQuotaTracker *
ms_quota_tracker_new (void)
{
  MsQuotaTracker *self = g_new0 (MsQuotaTracker, 1);

  g_mutex_init (&self->lock);
  self->servers = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, entry_free);
  self->clock = real_clock;
  return self;
}

void
ms_quota_tracker_free (MsQuotaTracker *self)
{
  if (self == NULL)
    return;
  g_hash_table_unref (self->servers);
  g_mutex_clear (&self->lock);
  g_free (self);
}

void
ms_quota_tracker_set_clock (MsQuotaTracker *self,
                            MsQuotaClock    clock,
                            gpointer        user_data)
{
  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  self->clock = clock != NULL ? clock : real_clock;
  self->clock_data = clock != NULL ? user_data : NULL;
  g_mutex_unlock (&self->lock);
}

gint64
ms_quota_tracker_now (MsQuotaTracker *self)
{
  gint64 now;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  now = self->clock (self->clock_data);
  g_mutex_unlock (&self->lock);
  return now;
}

static Entry *
lookup (MsQuotaTracker *self,
        gint64          server_id)
{
  return g_hash_table_lookup (self->servers, &server_id);
}

void
ms_quota_tracker_set_server (MsQuotaTracker *self,
                             gint64          server_id,
                             const MsQuota  *quotas,
                             guint           n_quotas)
{
  Entry *entry;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry == NULL)
    {
      gint64 *key = g_new (gint64, 1);

      *key = server_id;
      entry = g_new0 (Entry, 1);
      entry->ledger = ms_quota_ledger_new (quotas, n_quotas);
      g_hash_table_insert (self->servers, key, entry);
    }
  else
    {
      ms_quota_ledger_set_quotas (entry->ledger, quotas, n_quotas);
    }
  g_mutex_unlock (&self->lock);
}

gboolean
ms_quota_tracker_has_server (MsQuotaTracker *self,
                             gint64          server_id)
{
  gboolean ret;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  ret = lookup (self, server_id) != NULL;
  g_mutex_unlock (&self->lock);
  return ret;
}

void
ms_quota_tracker_load (MsQuotaTracker *self,
                       gint64          server_id,
                       gint64          time)
{
  Entry *entry;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL && ms_quota_ledger_get_n_quotas (entry->ledger) > 0)
    {
      ms_quota_ledger_add (entry->ledger, time, 1);
      entry->last_time = MAX (entry->last_time, time);
    }
  g_mutex_unlock (&self->lock);
}

static gboolean
check_room (MsQuotaTracker *self,
            Entry          *entry,
            gint64         *out_next)
{
  gint64 now = self->clock (self->clock_data);
  gint64 next = ms_quota_ledger_next_room (entry->ledger, entry->pending, now);

  if (out_next != NULL)
    *out_next = next;
  return next <= now;
}

gboolean
ms_quota_tracker_reserve (MsQuotaTracker *self,
                          gint64          server_id,
                          gint64         *out_next)
{
  Entry *entry;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL && check_room (self, entry, out_next))
    {
      entry->pending++;
      ok = TRUE;
    }
  else if (entry == NULL && out_next != NULL)
    {
      *out_next = G_MAXINT64;
    }
  g_mutex_unlock (&self->lock);
  return ok;
}

gboolean
ms_quota_tracker_has_room (MsQuotaTracker *self,
                           gint64          server_id,
                           gint64         *out_next)
{
  Entry *entry;
  gboolean ok = FALSE;

  g_return_val_if_fail (self != NULL, FALSE);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL)
    ok = check_room (self, entry, out_next);
  else if (out_next != NULL)
    *out_next = G_MAXINT64;
  g_mutex_unlock (&self->lock);
  return ok;
}

gint64
ms_quota_tracker_complete (MsQuotaTracker *self,
                           gint64          server_id)
{
  Entry *entry;
  gint64 time;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  time = self->clock (self->clock_data);
  entry = lookup (self, server_id);
  if (entry != NULL)
    {
      g_warn_if_fail (entry->pending > 0);
      if (entry->pending > 0)
        entry->pending--;
      time = MAX (time, entry->last_time);
      entry->last_time = time;
      if (ms_quota_ledger_get_n_quotas (entry->ledger) > 0)
        {
          ms_quota_ledger_add (entry->ledger, time, 1);
          ms_quota_ledger_prune (entry->ledger, time);
        }
    }
  g_mutex_unlock (&self->lock);
  return time;
}

void
ms_quota_tracker_release (MsQuotaTracker *self,
                          gint64          server_id)
{
  Entry *entry;

  g_return_if_fail (self != NULL);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL)
    {
      g_warn_if_fail (entry->pending > 0);
      if (entry->pending > 0)
        entry->pending--;
    }
  g_mutex_unlock (&self->lock);
}

guint
ms_quota_tracker_get_pending (MsQuotaTracker *self,
                              gint64          server_id)
{
  Entry *entry;
  guint pending = 0;

  g_return_val_if_fail (self != NULL, 0);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL)
    pending = entry->pending;
  g_mutex_unlock (&self->lock);
  return pending;
}

GArray *
ms_quota_tracker_get_status (MsQuotaTracker *self,
                             gint64          server_id)
{
  Entry *entry;
  GArray *ret = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL)
    {
      guint n = ms_quota_ledger_get_n_quotas (entry->ledger);

      ret = g_array_sized_new (FALSE, TRUE, sizeof (MsQuotaWindowStatus), n);
      g_array_set_size (ret, n);
      if (n > 0)
        ms_quota_ledger_status (entry->ledger, entry->pending, self->clock (self->clock_data),
                                (MsQuotaWindowStatus *) (gpointer) ret->data);
    }
  g_mutex_unlock (&self->lock);
  return ret;
}

MsQuotaLedger *
ms_quota_tracker_copy_ledger (MsQuotaTracker *self,
                              gint64          server_id)
{
  Entry *entry;
  MsQuotaLedger *ret = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  g_mutex_lock (&self->lock);
  entry = lookup (self, server_id);
  if (entry != NULL)
    {
      ret = ms_quota_ledger_copy (entry->ledger);
      /* Messages in flight count as handed over now. */
      if (entry->pending > 0)
        ms_quota_ledger_add (ret, self->clock (self->clock_data), entry->pending);
    }
  g_mutex_unlock (&self->lock);
  return ret;
}

/* Plans */

/* Messages per millisecond a ledger allows in the long run (0 without quotas). */
static double
long_run_rate (const MsQuotaLedger *ledger)
{
  double rate = 0;

  for (guint i = 0; i < ledger->windows->len; i++)
    {
      const Window *w = &g_array_index (ledger->windows, Window, i);
      double r = (double) w->limit / (double) w->window_ms;

      rate = i == 0 ? r : MIN (rate, r);
    }
  return rate;
}

static gint64
extrapolate (const MsQuotaPlanServer *servers,
             MsQuotaLedger          **ledgers,
             guint                    n_servers,
             guint64                  left,
             gint64                   t,
             MsQuotaPlanResult       *results)
{
  double total = 0;
  guint64 given = 0;
  gint64 finish;
  int first = -1;

  for (guint i = 0; i < n_servers; i++)
    if (ledgers[i] != NULL)
      total += long_run_rate (ledgers[i]);
  if (total <= 0)
    return G_MAXINT64;
  finish = t + (gint64) ((double) left / total);
  for (guint i = 0; i < n_servers; i++)
    {
      guint64 share;

      if (ledgers[i] == NULL || long_run_rate (ledgers[i]) <= 0)
        continue;
      if (first < 0)
        first = (int) i;
      share = (guint64) ((double) left * long_run_rate (ledgers[i]) / total);
      results[i].later += share;
      results[i].last = finish;
      if (results[i].first_later == 0 && share > 0)
        results[i].first_later = t;
      given += share;
    }
  if (first >= 0)
    {
      results[first].later += left - given;
      results[first].last = finish;
      if (results[first].first_later == 0)
        results[first].first_later = t;
    }
  return finish;
}

gint64
ms_quota_plan (const MsQuotaPlanServer *servers,
               guint                    n_servers,
               guint64                  n_messages,
               gint64                   now,
               MsQuotaWindowFunc        window_func,
               gpointer                 window_data,
               MsQuotaPlanResult       *results)
{
  g_autofree MsQuotaLedger **ledgers = NULL;
  guint64 left = n_messages;
  gint64 t = now;
  gint64 last = now;
  gint64 ret = G_MAXINT64;
  guint steps = 0;

  g_return_val_if_fail (servers != NULL || n_servers == 0, G_MAXINT64);
  g_return_val_if_fail (results != NULL || n_servers == 0, G_MAXINT64);

  if (n_servers > 0)
    memset (results, 0, sizeof (MsQuotaPlanResult) * n_servers);
  if (n_messages == 0)
    return now;

  ledgers = g_new0 (MsQuotaLedger *, MAX (n_servers, 1));
  for (guint i = 0; i < n_servers; i++)
    {
      if (servers[i].usable && servers[i].ledger != NULL)
        ledgers[i] = ms_quota_ledger_copy (servers[i].ledger);
      else if (servers[i].usable)
        ledgers[i] = ms_quota_ledger_new (NULL, 0);
    }

  while (left > 0)
    {
      gint64 next = G_MAXINT64;

      if (window_func != NULL)
        {
          t = window_func (t, window_data);
          if (t == G_MAXINT64)
            goto out;
        }
      for (guint i = 0; i < n_servers && left > 0; i++)
        {
          guint room;
          guint64 k;

          if (ledgers[i] == NULL || t < servers[i].available_from)
            continue;
          ms_quota_ledger_prune (ledgers[i], t);
          room = ms_quota_ledger_room (ledgers[i], 0, t);
          if (room == 0)
            continue;
          k = room == G_MAXUINT ? left : MIN ((guint64) room, left);
          ms_quota_ledger_add (ledgers[i], t, (guint) MIN (k, G_MAXUINT));
          if (t == now)
            {
              results[i].now += k;
            }
          else
            {
              results[i].later += k;
              if (results[i].first_later == 0)
                results[i].first_later = t;
            }
          results[i].last = t;
          last = t;
          left -= k;
        }
      if (left == 0)
        break;

      for (guint i = 0; i < n_servers; i++)
        {
          gint64 candidate;

          if (ledgers[i] == NULL)
            continue;
          if (t < servers[i].available_from)
            candidate = servers[i].available_from;
          else
            candidate = ms_quota_ledger_next_room (ledgers[i], 0, t);
          next = MIN (next, candidate);
        }
      if (next == G_MAXINT64)
        goto out;
      t = MAX (next, t + 1);
      if (++steps >= PLAN_MAX_STEPS)
        {
          last = extrapolate (servers, ledgers, n_servers, left, t, results);
          left = 0;
          if (last == G_MAXINT64)
            goto out;
        }
    }
  ret = last;

out:
  for (guint i = 0; i < n_servers; i++)
    ms_quota_ledger_free (ledgers[i]);
  return ret;
}

/* test-quota.c
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

#define G_LOG_DOMAIN "test-quota"

#include "config.h"

#include <locale.h>
#include <math.h>

#include <glib.h>

#include "ms-quota.h"

#define T0 1800000000000  /* an arbitrary moment, in milliseconds */

/* The number of @times (n of them) in (now - window, now]: the definition. */
static guint
brute_count (const gint64 *times,
             guint         n,
             gint64        now,
             guint         window_secs)
{
  guint count = 0;

  for (guint i = 0; i < n; i++)
    if (times[i] > now - (gint64) window_secs * 1000 && times[i] <= now)
      count++;
  return count;
}

/* No window of any quota ever holds more than its limit, wherever it starts. */
static void
assert_never_over (const gint64  *times,
                   guint          n,
                   const MsQuota *quotas,
                   guint          n_quotas)
{
  for (guint q = 0; q < n_quotas; q++)
    for (guint i = 0; i < n; i++)
      {
        guint count = brute_count (times, n, times[i], quotas[q].window_secs);

        if (count > quotas[q].limit)
          g_error ("%u messages in the %u s window ending at message %u (limit %u)",
                   count, quotas[q].window_secs, i, quotas[q].limit);
      }
}

static void
test_ledger_edges (void)
{
  MsQuota quota = { 3, 10 };
  g_autoptr(MsQuotaLedger) ledger = ms_quota_ledger_new (&quota, 1);
  MsQuotaWindowStatus status;

  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0), ==, 3);
  ms_quota_ledger_status (ledger, 0, T0, &status);
  g_assert_cmpuint (status.used, ==, 0);
  g_assert_cmpuint (status.remaining, ==, 3);
  g_assert_cmpint (status.reopens_at, ==, 0);

  ms_quota_ledger_add (ledger, T0, 1);
  ms_quota_ledger_add (ledger, T0 + 1000, 1);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 1000), ==, 1);
  ms_quota_ledger_status (ledger, 0, T0 + 1000, &status);
  g_assert_cmpuint (status.used, ==, 2);
  g_assert_cmpuint (status.remaining, ==, 1);
  g_assert_cmpint (status.reopens_at, ==, T0 + 10000);  /* the oldest leaves */

  ms_quota_ledger_add (ledger, T0 + 2000, 1);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 2000), ==, 0);
  g_assert_cmpint (ms_quota_ledger_next_room (ledger, 0, T0 + 2000), ==, T0 + 10000);
  ms_quota_ledger_status (ledger, 0, T0 + 2000, &status);
  g_assert_cmpuint (status.used, ==, 3);
  g_assert_cmpuint (status.remaining, ==, 0);
  g_assert_cmpint (status.reopens_at, ==, T0 + 10000);

  /* (now - W, now]: at T0 + 9999 the first still counts, at T0 + 10000 it left. */
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 9999), ==, 0);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 10000), ==, 1);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 11000), ==, 2);
  /* An earlier moment again: recounted. */
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 5000), ==, 0);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, T0 + 12000), ==, 3);

  /* Messages in flight count as handed over now. */
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 2, T0 + 12000), ==, 1);
  g_assert_cmpuint (ms_quota_ledger_room (ledger, 3, T0 + 12000), ==, 0);
  /* Only messages in flight fill the window: no moment can be named. */
  g_assert_cmpint (ms_quota_ledger_next_room (ledger, 3, T0 + 12000), ==, G_MAXINT64);
}

static void
test_ledger_several_windows (void)
{
  MsQuota quotas[] = { { 50, 600 }, { 2, 1 }, { 5, 10 } };
  g_autoptr(MsQuotaLedger) ledger = ms_quota_ledger_new (quotas, G_N_ELEMENTS (quotas));
  MsQuotaWindowStatus status[3];
  gint64 times[60];
  gint64 now = T0;

  /* Send whenever allowed for 60 messages; check against the definition. */
  for (guint i = 0; i < G_N_ELEMENTS (times); i++)
    {
      gint64 next = ms_quota_ledger_next_room (ledger, 0, now);

      g_assert_cmpint (next, >=, now);
      g_assert_cmpint (next, <, G_MAXINT64);
      now = next;
      g_assert_cmpuint (ms_quota_ledger_room (ledger, 0, now), >, 0);
      ms_quota_ledger_add (ledger, now, 1);
      times[i] = now;
      ms_quota_ledger_prune (ledger, now);
    }
  assert_never_over (times, G_N_ELEMENTS (times), quotas, G_N_ELEMENTS (quotas));
  /* 5 per 10 s is the binding limit for the first 50, then 50 per 10 minutes. */
  g_assert_cmpint (times[3], ==, T0 + 1000);     /* 2 at T0, 2 at T0+1s, 1 at T0+2s */
  g_assert_cmpint (times[4], ==, T0 + 2000);
  g_assert_cmpint (times[5], ==, T0 + 10000);
  g_assert_cmpint (times[49] - T0, <, 600000);
  g_assert_cmpint (times[50], ==, T0 + 600000);

  /* Shortest window first in the status. */
  ms_quota_ledger_status (ledger, 0, now, status);
  g_assert_cmpuint (status[0].window_secs, ==, 1);
  g_assert_cmpuint (status[1].window_secs, ==, 10);
  g_assert_cmpuint (status[2].window_secs, ==, 600);
  for (guint q = 0; q < 3; q++)
    {
      g_assert_cmpuint (status[q].used, ==,
                        brute_count (times, G_N_ELEMENTS (times), now, status[q].window_secs));
      g_assert_cmpuint (status[q].used + status[q].remaining, ==,
                        MAX (status[q].used, status[q].limit));
    }
}

static void
test_ledger_random (void)
{
  MsQuota quotas[] = { { 3, 2 }, { 7, 9 } };
  g_autoptr(MsQuotaLedger) ledger = ms_quota_ledger_new (quotas, G_N_ELEMENTS (quotas));
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GRand) rand = g_rand_new_with_seed (4242);
  gint64 now = T0;

  /* Random additions (in order) and questions about random moments, also earlier
   * ones, compared with counting by definition. */
  for (guint i = 0; i < 2000; i++)
    {
      gint64 ask;
      MsQuotaWindowStatus status[2];
      const gint64 *all;

      now += g_rand_int_range (rand, 0, 1500);
      if (g_rand_boolean (rand))
        {
          guint count = (guint) g_rand_int_range (rand, 1, 3);

          ms_quota_ledger_add (ledger, now, count);
          for (guint c = 0; c < count; c++)
            g_array_append_val (times, now);
        }
      ask = now - (g_rand_int_range (rand, 0, 4) == 0 ? g_rand_int_range (rand, 0, 5000) : 0);
      ms_quota_ledger_status (ledger, 0, ask, status);
      all = (const gint64 *) (gpointer) times->data;
      for (guint q = 0; q < 2; q++)
        {
          /* Messages added after @ask are counted too (a clock that went back). */
          guint expected = 0;

          for (guint k = 0; k < times->len; k++)
            if (all[k] > ask - (gint64) quotas[q].window_secs * 1000)
              expected++;
          g_assert_cmpuint (status[q].used, ==, expected);
        }
    }
}

static GMutex fake_lock;
static gint64 fake_now;

static gint64
fake_clock (gpointer user_data)
{
  gint64 now;

  g_mutex_lock (&fake_lock);
  now = fake_now;
  g_mutex_unlock (&fake_lock);
  return now;
}

static void
test_tracker_reserve (void)
{
  MsQuota quotas[] = { { 2, 5 } };
  g_autoptr(MsQuotaTracker) tracker = ms_quota_tracker_new ();
  g_autoptr(GArray) status = NULL;
  MsQuotaWindowStatus *w;
  gint64 next = 0;

  fake_now = T0;
  ms_quota_tracker_set_clock (tracker, fake_clock, NULL);
  g_assert_cmpint (ms_quota_tracker_now (tracker), ==, T0);
  ms_quota_tracker_set_server (tracker, 7, quotas, 1);
  ms_quota_tracker_set_server (tracker, 8, NULL, 0);
  g_assert_true (ms_quota_tracker_has_server (tracker, 7));
  g_assert_false (ms_quota_tracker_has_server (tracker, 9));
  g_assert_false (ms_quota_tracker_reserve (tracker, 9, &next));
  g_assert_cmpint (next, ==, G_MAXINT64);

  /* The send log said one message went 3 s ago. */
  ms_quota_tracker_load (tracker, 7, T0 - 3000);
  g_assert_true (ms_quota_tracker_reserve (tracker, 7, NULL));
  g_assert_cmpuint (ms_quota_tracker_get_pending (tracker, 7), ==, 1);
  g_assert_false (ms_quota_tracker_reserve (tracker, 7, &next));
  g_assert_cmpint (next, ==, T0 + 2000);    /* when the loaded one leaves */

  status = ms_quota_tracker_get_status (tracker, 7);
  g_assert_cmpuint (status->len, ==, 1);
  w = &g_array_index (status, MsQuotaWindowStatus, 0);
  g_assert_cmpuint (w->used, ==, 2);
  g_assert_cmpuint (w->remaining, ==, 0);
  g_assert_cmpint (w->reopens_at, ==, T0 + 2000);
  g_clear_pointer (&status, g_array_unref);

  /* The reply comes 500 ms later: counted then. */
  fake_now = T0 + 500;
  g_assert_cmpint (ms_quota_tracker_complete (tracker, 7), ==, T0 + 500);
  g_assert_cmpuint (ms_quota_tracker_get_pending (tracker, 7), ==, 0);
  fake_now = T0 + 2000;
  g_assert_true (ms_quota_tracker_has_room (tracker, 7, NULL));
  g_assert_true (ms_quota_tracker_reserve (tracker, 7, NULL));
  g_assert_false (ms_quota_tracker_has_room (tracker, 7, &next));
  g_assert_cmpint (next, ==, T0 + 5500);
  /* A message that never reached the final dot gives its slot back. */
  ms_quota_tracker_release (tracker, 7);
  g_assert_true (ms_quota_tracker_reserve (tracker, 7, NULL));
  ms_quota_tracker_release (tracker, 7);

  /* A clock that steps back does not count a message before an earlier one. */
  g_assert_true (ms_quota_tracker_reserve (tracker, 7, NULL));
  fake_now = T0 + 100;
  g_assert_cmpint (ms_quota_tracker_complete (tracker, 7), ==, T0 + 500);

  /* Without quotas there is always room and nothing is kept. */
  for (guint i = 0; i < 1000; i++)
    {
      g_assert_true (ms_quota_tracker_reserve (tracker, 8, NULL));
      ms_quota_tracker_complete (tracker, 8);
    }
  status = ms_quota_tracker_get_status (tracker, 8);
  g_assert_cmpuint (status->len, ==, 0);
}

typedef struct
{
  MsQuotaTracker *tracker;
  GMutex          lock;
  GArray         *times;
  guint           refused;
} ThreadData;

static gpointer
sender_thread (gpointer user_data)
{
  ThreadData *data = user_data;

  for (guint i = 0; i < 400; i++)
    {
      if (ms_quota_tracker_reserve (data->tracker, 1, NULL))
        {
          gint64 t;

          g_thread_yield ();
          t = ms_quota_tracker_complete (data->tracker, 1);
          g_mutex_lock (&data->lock);
          g_array_append_val (data->times, t);
          g_mutex_unlock (&data->lock);
        }
      else
        {
          g_atomic_int_inc (&data->refused);
        }
      /* Time moves on a little with every attempt. */
      g_mutex_lock (&fake_lock);
      fake_now += 7;
      g_mutex_unlock (&fake_lock);
    }
  return NULL;
}

static void
test_tracker_threads (void)
{
  MsQuota quotas[] = { { 3, 1 }, { 20, 10 } };
  GThread *threads[8];
  ThreadData data = { 0 };

  fake_now = T0;
  data.tracker = ms_quota_tracker_new ();
  ms_quota_tracker_set_clock (data.tracker, fake_clock, NULL);
  ms_quota_tracker_set_server (data.tracker, 1, quotas, G_N_ELEMENTS (quotas));
  g_mutex_init (&data.lock);
  data.times = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("sender", sender_thread, &data);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);

  /* 8 * 400 * 7 ms = 22.4 s: at most 20 per 10 s and 3 per second.  How many go
   * depends on the interleaving (a slot held across a yield blocks the others). */
  g_test_message ("%u sent, %u refused", data.times->len, data.refused);
  g_assert_cmpuint (data.times->len, >=, 3);
  g_assert_cmpuint (data.times->len, <=, 60);
  g_assert_cmpuint (data.refused, >, 0);
  assert_never_over ((const gint64 *) (gpointer) data.times->data, data.times->len,
                     quotas, G_N_ELEMENTS (quotas));
  g_assert_cmpuint (ms_quota_tracker_get_pending (data.tracker, 1), ==, 0);

  g_array_unref (data.times);
  g_mutex_clear (&data.lock);
  ms_quota_tracker_free (data.tracker);
}

static void
test_plan_rotation (void)
{
  MsQuota qa = { 3, 10 };
  MsQuota qb = { 2, 5 };
  g_autoptr(MsQuotaLedger) a = ms_quota_ledger_new (&qa, 1);
  g_autoptr(MsQuotaLedger) b = ms_quota_ledger_new (&qb, 1);
  MsQuotaPlanServer servers[] = { { a, TRUE, 0 }, { b, TRUE, 0 } };
  MsQuotaPlanResult results[2];
  gint64 finish;

  /* 10 messages: A takes 3 now, B 2 now; B 2 more at +5 s, A 3 at +10 s. */
  finish = ms_quota_plan (servers, 2, 10, T0, NULL, NULL, results);
  g_assert_cmpint (finish, ==, T0 + 10000);
  g_assert_cmpuint (results[0].now, ==, 3);
  g_assert_cmpuint (results[1].now, ==, 2);
  g_assert_cmpuint (results[0].later, ==, 3);
  g_assert_cmpuint (results[1].later, ==, 2);
  g_assert_cmpint (results[1].first_later, ==, T0 + 5000);
  g_assert_cmpint (results[0].first_later, ==, T0 + 10000);
  g_assert_cmpint (results[0].last, ==, T0 + 10000);
  g_assert_cmpint (results[1].last, ==, T0 + 5000);

  /* The plan works on copies: the ledgers are unchanged. */
  g_assert_cmpuint (ms_quota_ledger_room (a, 0, T0), ==, 3);

  /* Everything fits now: the first server takes all it can, in order. */
  finish = ms_quota_plan (servers, 2, 4, T0, NULL, NULL, results);
  g_assert_cmpint (finish, ==, T0);
  g_assert_cmpuint (results[0].now, ==, 3);
  g_assert_cmpuint (results[1].now, ==, 1);
  g_assert_cmpuint (results[0].later + results[1].later, ==, 0);

  /* Nothing to send. */
  g_assert_cmpint (ms_quota_plan (servers, 2, 0, T0, NULL, NULL, results), ==, T0);
  g_assert_cmpuint (results[0].now, ==, 0);
}

static void
test_plan_unavailable (void)
{
  MsQuota qa = { 3, 10 };
  g_autoptr(MsQuotaLedger) a = ms_quota_ledger_new (&qa, 1);
  g_autoptr(MsQuotaLedger) b = ms_quota_ledger_new (NULL, 0);
  MsQuotaPlanServer servers[] = { { a, TRUE, 0 }, { b, FALSE, 0 } };
  MsQuotaPlanResult results[2];

  /* History: A is full until T0 + 4 s. */
  ms_quota_ledger_add (a, T0 - 6000, 3);
  g_assert_cmpint (ms_quota_plan (servers, 2, 5, T0, NULL, NULL, results), ==, T0 + 14000);
  g_assert_cmpuint (results[0].now, ==, 0);
  g_assert_cmpuint (results[0].later, ==, 5);
  g_assert_cmpint (results[0].first_later, ==, T0 + 4000);
  g_assert_cmpuint (results[1].now + results[1].later, ==, 0);

  /* B (no quota) cooling down for a minute takes the rest then. */
  servers[1].usable = TRUE;
  servers[1].available_from = T0 + 60000;
  g_assert_cmpint (ms_quota_plan (servers, 2, 100, T0, NULL, NULL, results), ==, T0 + 60000);
  g_assert_cmpuint (results[0].later, ==, 3 * 6);  /* +4, +14, ..., +54 s */
  g_assert_cmpuint (results[1].later, ==, 100 - 18);
  g_assert_cmpint (results[1].first_later, ==, T0 + 60000);

  /* No usable server. */
  servers[0].usable = FALSE;
  servers[1].usable = FALSE;
  g_assert_cmpint (ms_quota_plan (servers, 2, 1, T0, NULL, NULL, results), ==, G_MAXINT64);
}

/* Sending allowed only in the first 20 s of every minute. */
static gint64
first_20_seconds (gint64   time,
                  gpointer user_data)
{
  gint64 in_minute = (time - T0) % 60000;

  return in_minute < 20000 ? time : time - in_minute + 60000;
}

static void
test_plan_window (void)
{
  MsQuota qa = { 1, 10 };
  g_autoptr(MsQuotaLedger) a = ms_quota_ledger_new (&qa, 1);
  MsQuotaPlanServer servers[] = { { a, TRUE, 0 } };
  MsQuotaPlanResult results[1];

  /* +0, +10 s, then the window closes at +20 s: +60 s, +70 s. */
  g_assert_cmpint (ms_quota_plan (servers, 1, 4, T0, first_20_seconds, NULL, results), ==,
                   T0 + 70000);
  g_assert_cmpuint (results[0].now, ==, 1);
  g_assert_cmpuint (results[0].later, ==, 3);
}

static void
test_plan_long (void)
{
  MsQuota qa = { 1, 1 };
  MsQuota qb = { 3, 1 };
  g_autoptr(MsQuotaLedger) a = ms_quota_ledger_new (&qa, 1);
  g_autoptr(MsQuotaLedger) b = ms_quota_ledger_new (&qb, 1);
  MsQuotaPlanServer servers[] = { { a, TRUE, 0 }, { b, TRUE, 0 } };
  MsQuotaPlanResult results[2];
  gint64 finish;
  double expected = 1000000.0 / 4.0 * 1000.0;

  /* A million messages at 4 per second: past the step limit the rest is spread at
   * the long-run rates (1:3). */
  finish = ms_quota_plan (servers, 2, 1000000, T0, NULL, NULL, results);
  g_assert_cmpfloat (fabs ((double) (finish - T0) - expected) / expected, <, 0.01);
  g_assert_cmpuint (results[0].now + results[0].later + results[1].now + results[1].later, ==,
                    1000000);
  g_assert_cmpfloat (fabs ((double) results[1].later / (double) results[0].later - 3.0), <, 0.01);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/quota/ledger/edges", test_ledger_edges);
  g_test_add_func ("/quota/ledger/several-windows", test_ledger_several_windows);
  g_test_add_func ("/quota/ledger/random", test_ledger_random);
  g_test_add_func ("/quota/tracker/reserve", test_tracker_reserve);
  g_test_add_func ("/quota/tracker/threads", test_tracker_threads);
  g_test_add_func ("/quota/plan/rotation", test_plan_rotation);
  g_test_add_func ("/quota/plan/unavailable", test_plan_unavailable);
  g_test_add_func ("/quota/plan/window", test_plan_window);
  g_test_add_func ("/quota/plan/long", test_plan_long);

  return g_test_run ();
}

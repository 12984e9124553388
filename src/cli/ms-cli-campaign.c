/* ms-cli-campaign.c
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

#define G_LOG_DOMAIN "mailshot-cli"

#include "config.h"

#include <inttypes.h>

#include <glib-unix.h>
#include <glib/gi18n.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ms-campaign.h"
#include "ms-cli.h"
#include "ms-engine.h"
#include "ms-store-campaigns.h"
#include "ms-store-servers.h"
#include "ms-store-templates.h"

/* Exit codes of "campaign send" besides 0, 1 and 2 */
#define EXIT_WAITING     75    /* EX_TEMPFAIL: every remaining message waits */
#define EXIT_INTERRUPTED 130   /* Ctrl-C: paused cleanly */

/* Waits this short are pacing, not waiting: send goes on through them. */
#define SHORT_WAIT_SECS  3

/* Times */

static char *
iso_time_s (gint64 unix_s)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_s);

  return dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;
}

/* Milliseconds, rounded up to the second (never earlier than the moment). */
static char *
iso_time_ms (gint64 unix_ms)
{
  return iso_time_s ((unix_ms + 999) / 1000);
}

static char *
local_time_s (gint64 unix_s)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (unix_s);
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  if (utc == NULL)
    return g_strdup ("?");
  local = g_date_time_to_local (utc);
  if (g_date_time_get_year (local) == g_date_time_get_year (now)
      && g_date_time_get_day_of_year (local) == g_date_time_get_day_of_year (now))
    return g_date_time_format (local, "%H:%M:%S");
  return g_date_time_format (local, "%Y-%m-%d %H:%M");
}

static void
json_time_ms (MsJsonWriter *writer,
              const char   *key,
              gint64        unix_ms)
{
  g_autofree char *text = NULL;

  ms_json_writer_key (writer, key);
  if (unix_ms > 0 && unix_ms != G_MAXINT64)
    text = iso_time_ms (unix_ms);
  ms_json_writer_string (writer, text);
}

/* Lookups */

static MsCampaign *
find_campaign (MsCli       *cli,
               const char  *name,
               MsStore    **out_store,
               int         *out_exit)
{
  g_autoptr(GError) error = NULL;
  MsStore *store;
  MsCampaign *campaign;

  store = ms_cli_get_store (cli, &error);
  if (store == NULL || (campaign = ms_store_find_campaign (store, name, &error)) == NULL)
    {
      *out_exit = ms_cli_fail (cli, error);
      return NULL;
    }
  if (out_store != NULL)
    *out_store = store;
  return campaign;
}

/* Status */

static const struct
{
  const char      *key;
  MsDeliveryState  state;
} count_keys[] = {
  { "queued", MS_DELIVERY_QUEUED },
  { "sending", MS_DELIVERY_SENDING },
  { "sent", MS_DELIVERY_SENT },
  { "failed", MS_DELIVERY_FAILED },
  { "uncertain", MS_DELIVERY_UNCERTAIN },
  { "suppressed", MS_DELIVERY_SUPPRESSED },
  { "bounced", MS_DELIVERY_BOUNCED },
  { "cancelled", MS_DELIVERY_CANCELLED },
};

static gint64
count_of (MsCampaign      *campaign,
          MsDeliveryState  state)
{
  gint64 n = ms_campaign_get_count (campaign, state);

  /* Data-sent deliveries are in flight: "sending" for people and scripts. */
  if (state == MS_DELIVERY_SENDING)
    n += ms_campaign_get_count (campaign, MS_DELIVERY_DATA_SENT);
  return n;
}

static gboolean
campaign_over (MsCampaign *campaign)
{
  MsCampaignState state = ms_campaign_get_state (campaign);

  return state == MS_CAMPAIGN_STATE_FINISHED || state == MS_CAMPAIGN_STATE_CANCELLED;
}

static void
write_windows_json (MsJsonWriter *writer,
                    GArray       *windows)
{
  ms_json_writer_key (writer, "windows");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; windows != NULL && i < windows->len; i++)
    {
      MsQuotaWindowStatus *w = &g_array_index (windows, MsQuotaWindowStatus, i);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "limit");
      ms_json_writer_int (writer, w->limit);
      ms_json_writer_key (writer, "seconds");
      ms_json_writer_int (writer, w->window_secs);
      ms_json_writer_key (writer, "used");
      ms_json_writer_int (writer, w->used);
      ms_json_writer_key (writer, "remaining");
      ms_json_writer_int (writer, w->remaining);
      json_time_ms (writer, "reopens_at", w->reopens_at);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
}

static void
write_status_json (MsJsonWriter *writer,
                   MsCampaign   *campaign,
                   GPtrArray    *servers,
                   gint64        eta_ms)
{
  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "name");
  ms_json_writer_string (writer, ms_campaign_get_name (campaign));
  ms_json_writer_key (writer, "state");
  ms_json_writer_string (writer, ms_campaign_state_to_string (ms_campaign_get_state (campaign)));
  ms_json_writer_key (writer, "total");
  ms_json_writer_int (writer, ms_campaign_get_total (campaign));
  ms_json_writer_key (writer, "counts");
  ms_json_writer_begin_object (writer);
  for (guint i = 0; i < G_N_ELEMENTS (count_keys); i++)
    {
      ms_json_writer_key (writer, count_keys[i].key);
      ms_json_writer_int (writer, count_of (campaign, count_keys[i].state));
    }
  ms_json_writer_end_object (writer);
  ms_json_writer_key (writer, "servers");
  ms_json_writer_begin_array (writer);
  for (guint i = 0; servers != NULL && i < servers->len; i++)
    {
      MsServerStatus *s = g_ptr_array_index (servers, i);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "name");
      ms_json_writer_string (writer, s->name);
      ms_json_writer_key (writer, "state");
      ms_json_writer_string (writer, ms_server_state_to_string (s->state));
      json_time_ms (writer, "cooldown_until", s->cooldown_until * 1000);
      ms_json_writer_key (writer, "reason");
      ms_json_writer_string (writer, s->reason);
      write_windows_json (writer, s->windows);
      ms_json_writer_end_object (writer);
    }
  ms_json_writer_end_array (writer);
  json_time_ms (writer, "eta", eta_ms);
  ms_json_writer_end_object (writer);
}

static char *
describe_window (const MsQuotaWindowStatus *w)
{
  MsQuota quota = { w->limit, w->window_secs };
  g_autofree char *text = ms_quota_to_string (&quota);
  g_autofree char *reopens = NULL;

  if (w->remaining == 0 && w->reopens_at > 0 && w->reopens_at != G_MAXINT64)
    {
      reopens = local_time_s ((w->reopens_at + 999) / 1000);
      /* TRANSLATORS: "100/1h: 100 used, 0 left, reopens 14:05" */
      return g_strdup_printf (_("%s: %u used, %u left, reopens %s"), text, w->used, w->remaining,
                              reopens);
    }
  return g_strdup_printf (_("%s: %u used, %u left"), text, w->used, w->remaining);
}

static void
print_servers (MsCli     *cli,
               GPtrArray *servers)
{
  for (guint i = 0; i < servers->len; i++)
    {
      MsServerStatus *s = g_ptr_array_index (servers, i);
      g_autoptr(GString) line = g_string_new (NULL);

      g_string_append_printf (line, "  %s: %s", s->name, ms_server_state_to_label (s->state));
      if (s->cooldown_until > 0)
        {
          g_autofree char *until = local_time_s (s->cooldown_until);

          g_string_append_printf (line, _(" until %s"), until);
        }
      if (s->reason != NULL)
        g_string_append_printf (line, " (%s)", s->reason);
      for (guint j = 0; j < s->windows->len; j++)
        {
          g_autofree char *w = describe_window (&g_array_index (s->windows, MsQuotaWindowStatus, j));

          g_string_append_printf (line, "; %s", w);
        }
      ms_cli_print (cli, "%s\n", line->str);
    }
}

static void
print_counts (MsCli      *cli,
              MsCampaign *campaign)
{
  ms_cli_print (cli, _("%" PRId64 " recipients: %" PRId64 " sent, %"
                       PRId64 " failed, %" PRId64 " uncertain, %"
                       PRId64 " suppressed, %" PRId64 " to send\n"),
                ms_campaign_get_total (campaign), count_of (campaign, MS_DELIVERY_SENT),
                count_of (campaign, MS_DELIVERY_FAILED), count_of (campaign, MS_DELIVERY_UNCERTAIN),
                count_of (campaign, MS_DELIVERY_SUPPRESSED),
                count_of (campaign, MS_DELIVERY_QUEUED) + count_of (campaign, MS_DELIVERY_SENDING));
}

/* ETA from the plan: unix ms, 0 when there is none. */
static gint64
plan_eta (MsStore     *store,
          MsCampaign  *campaign,
          GError     **error,
          gboolean    *ok)
{
  g_autoptr(MsCampaignPlan) plan = NULL;

  *ok = TRUE;
  if (campaign_over (campaign))
    return 0;
  plan = ms_store_plan_campaign (store, campaign, g_get_real_time () / 1000, error);
  if (plan == NULL)
    {
      *ok = FALSE;
      return 0;
    }
  if (plan->remaining <= 0 || plan->finish == G_MAXINT64)
    return 0;
  return plan->finish;
}

static int
print_status (MsCli      *cli,
              MsStore    *store,
              MsCampaign *campaign)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) servers = NULL;
  gint64 eta;
  gboolean ok;

  if (!ms_store_load_campaign_counts (store, campaign, &error)
      || !(servers = ms_store_get_campaign_servers (store, campaign, g_get_real_time () / 1000,
                                                    &error)))
    return ms_cli_fail (cli, error);
  eta = plan_eta (store, campaign, &error, &ok);
  if (!ok)
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      write_status_json (writer, campaign, servers, eta);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  ms_cli_print (cli, _("Campaign “%s”: %s\n"), ms_campaign_get_name (campaign),
                ms_campaign_state_to_label (ms_campaign_get_state (campaign)));
  if (ms_campaign_get_reason (campaign) != NULL)
    ms_cli_print (cli, "%s\n", ms_campaign_get_reason (campaign));
  print_counts (cli, campaign);
  print_servers (cli, servers);
  if (eta > 0)
    {
      g_autofree char *when = local_time_s ((eta + 999) / 1000);

      ms_cli_print (cli, _("Estimated end: %s\n"), when);
    }
  return MS_CLI_EXIT_OK;
}

static int
run_status (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsCampaign) campaign = NULL;
  MsStore *store = NULL;
  int exit_code = MS_CLI_EXIT_OK;

  campaign = find_campaign (cli, ms_cli_args_get_positional (args, 0), &store, &exit_code);
  if (campaign == NULL)
    return exit_code;
  return print_status (cli, store, campaign);
}

/* create */

static gboolean
resolve_lists (MsCli           *cli,
               MsStore         *store,
               MsCampaign      *campaign,
               const char      *option,
               gboolean         exclude,
               const MsCliArgs *args,
               GError         **error)
{
  const char * const *names = ms_cli_args_get_option_values (args, option);

  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(MsContactList) list = ms_store_find_list (store, names[i], error);

      if (list == NULL)
        return FALSE;
      ms_campaign_add_list (campaign, ms_contact_list_get_id (list), ms_contact_list_get_name (list),
                            exclude);
    }
  return TRUE;
}

static gboolean
parse_schedule (MsCli           *cli,
                MsCampaign      *campaign,
                const MsCliArgs *args,
                int             *out_exit)
{
  g_autoptr(GError) error = NULL;
  const char *start_at = ms_cli_args_get_option (args, "start-at");
  const char *hours = ms_cli_args_get_option (args, "window");
  const char *days = ms_cli_args_get_option (args, "days");
  MsSendWindow window = MS_SEND_WINDOW_ALWAYS;

  if (start_at != NULL)
    {
      g_autoptr(GTimeZone) local = g_time_zone_new_local ();
      g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (start_at, local);

      /* GLib wants seconds; people often leave them out: 2026-05-04T09:30. */
      if (dt == NULL && strlen (start_at) >= 16 && start_at[13] == ':'
          && (start_at[16] == '\0' || start_at[16] == 'Z' || start_at[16] == '+'
              || start_at[16] == '-'))
        {
          g_autofree char *with_seconds = g_strdup_printf ("%.16s:00%s", start_at, start_at + 16);

          dt = g_date_time_new_from_iso8601 (with_seconds, local);
        }

      if (dt == NULL)
        {
          *out_exit = ms_cli_usage_error (cli, _("“%s” is not an ISO 8601 time, such as "
                                                 "2026-05-04T09:30 or 2026-05-04T09:30:00+02:00."),
                                          start_at);
          return FALSE;
        }
      ms_campaign_set_start_at (campaign, g_date_time_to_unix (dt));
    }
  if (hours != NULL && !ms_send_window_parse_hours (hours, &window.start, &window.end, &error))
    {
      *out_exit = ms_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  if (days != NULL && !ms_send_window_parse_days (days, &window.days, &error))
    {
      *out_exit = ms_cli_usage_error (cli, "%s", error->message);
      return FALSE;
    }
  ms_campaign_set_window (campaign, &window);
  return TRUE;
}

static int
run_create (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) campaign = ms_campaign_new (ms_cli_args_get_positional (args, 0));
  g_autoptr(MsTemplate) tmpl = NULL;
  g_autoptr(GArray) server_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char * const *servers = ms_cli_args_get_option_values (args, "server");
  const char *template_name = ms_cli_args_get_option (args, "template");
  int exit_code = MS_CLI_EXIT_OK;
  MsStore *store;

  if (template_name == NULL)
    return ms_cli_usage_error (cli, _("Name the template with --template."));
  if (ms_cli_args_get_option (args, "list") == NULL)
    return ms_cli_usage_error (cli, _("Name at least one list with --list."));
  if (servers[0] == NULL)
    return ms_cli_usage_error (cli, _("Name at least one server with --server."));
  if (!parse_schedule (cli, campaign, args, &exit_code))
    return exit_code;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(tmpl = ms_store_find_template (store, template_name, &error))
      || !resolve_lists (cli, store, campaign, "list", FALSE, args, &error)
      || !resolve_lists (cli, store, campaign, "exclude-list", TRUE, args, &error))
    return ms_cli_fail (cli, error);
  ms_campaign_set_template_id (campaign, ms_template_get_id (tmpl));
  for (guint i = 0; servers[i] != NULL; i++)
    {
      g_autoptr(MsServer) server = ms_store_find_server (store, servers[i], &error);
      gint64 id;

      if (server == NULL)
        return ms_cli_fail (cli, error);
      id = ms_server_get_id (server);
      g_array_append_val (server_ids, id);
    }
  ms_campaign_set_server_ids (campaign, (const gint64 *) (gpointer) server_ids->data, server_ids->len);

  if (ms_store_add_campaign (store, campaign, &error) == 0)
    return ms_cli_fail (cli, error);
  if (!ms_cli_get_json (cli))
    {
      g_autoptr(MsCampaign) again = ms_store_get_campaign (store, ms_campaign_get_id (campaign), NULL);

      if (again != NULL && ms_store_load_campaign_counts (store, again, NULL))
        ms_cli_print (cli, _("Created the campaign “%s” (%s): %" PRId64 " recipients, %"
                             PRId64 " of them suppressed.\n"),
                      ms_campaign_get_name (again),
                      ms_campaign_state_to_label (ms_campaign_get_state (again)),
                      ms_campaign_get_total (again),
                      ms_campaign_get_count (again, MS_DELIVERY_SUPPRESSED));
      return MS_CLI_EXIT_OK;
    }
  return print_status (cli, store, campaign);
}

/* plan */

static int
run_plan (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(MsCampaignPlan) plan = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store = NULL;
  int exit_code = MS_CLI_EXIT_OK;

  campaign = find_campaign (cli, ms_cli_args_get_positional (args, 0), &store, &exit_code);
  if (campaign == NULL)
    return exit_code;
  plan = ms_store_plan_campaign (store, campaign, g_get_real_time () / 1000, &error);
  if (plan == NULL)
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "name");
      ms_json_writer_string (writer, ms_campaign_get_name (campaign));
      ms_json_writer_key (writer, "remaining");
      ms_json_writer_int (writer, plan->remaining);
      ms_json_writer_key (writer, "suppressed");
      ms_json_writer_int (writer, plan->suppressed);
      ms_json_writer_key (writer, "servers");
      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < plan->servers->len; i++)
        {
          MsCampaignPlanServer *s = g_ptr_array_index (plan->servers, i);

          ms_json_writer_begin_object (writer);
          ms_json_writer_key (writer, "name");
          ms_json_writer_string (writer, s->name);
          ms_json_writer_key (writer, "state");
          ms_json_writer_string (writer, ms_server_state_to_string (s->state));
          ms_json_writer_key (writer, "now");
          ms_json_writer_int (writer, (gint64) s->now);
          ms_json_writer_key (writer, "later");
          ms_json_writer_int (writer, (gint64) s->later);
          json_time_ms (writer, "first_later", s->first_later);
          json_time_ms (writer, "last", s->last);
          ms_json_writer_end_object (writer);
        }
      ms_json_writer_end_array (writer);
      json_time_ms (writer, "eta", plan->remaining > 0 ? plan->finish : 0);
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  ms_cli_print (cli, _("Plan for “%s”: %" PRId64 " messages to send, %" PRId64
                       " suppressed.\n"),
                ms_campaign_get_name (campaign), plan->remaining, plan->suppressed);
  for (guint i = 0; i < plan->servers->len; i++)
    {
      MsCampaignPlanServer *s = g_ptr_array_index (plan->servers, i);

      if (s->later > 0)
        {
          g_autofree char *from = local_time_s ((s->first_later + 999) / 1000);
          g_autofree char *to = local_time_s ((s->last + 999) / 1000);

          ms_cli_print (cli, _("  %s (%s): %" PRIu64 " now, %" PRIu64
                               " later, from %s to %s\n"),
                        s->name, ms_server_state_to_label (s->state), s->now, s->later, from, to);
        }
      else
        {
          ms_cli_print (cli, _("  %s (%s): %" PRIu64 " now\n"),
                        s->name, ms_server_state_to_label (s->state), s->now);
        }
    }
  if (plan->remaining > 0 && plan->finish == G_MAXINT64)
    ms_cli_print (cli, _("No server can send the rest as things are: check the servers.\n"));
  else if (plan->remaining > 0)
    {
      g_autofree char *when = local_time_s ((plan->finish + 999) / 1000);

      ms_cli_print (cli, _("Everything can be sent by %s.\n"), when);
    }
  return MS_CLI_EXIT_OK;
}

/* send */

typedef struct
{
  MsCli      *cli;
  MsEngine   *engine;
  MsCampaign *campaign;
  GMainLoop  *loop;
  gboolean    wait;
  gboolean    interrupted;
  gboolean    done;
  int         exit_code;
  char       *last_state_line;
  gint64      last_progress;   /* µs, monotonic */
  gint64      last_done;
} SendRun;

static void
finish_run (SendRun *run,
            int      exit_code)
{
  if (run->done)
    return;
  run->done = TRUE;
  run->exit_code = exit_code;
  g_main_loop_quit (run->loop);
}

/* A line of counts when they changed, at most every two seconds unless @now. */
static void
print_progress (SendRun  *run,
                gboolean  now_)
{
  MsCampaign *campaign = run->campaign;
  gint64 now = g_get_monotonic_time ();
  gint64 done = ms_campaign_get_total (campaign) - count_of (campaign, MS_DELIVERY_QUEUED)
                - count_of (campaign, MS_DELIVERY_SENDING);

  if (ms_cli_get_json (run->cli) || (run->last_progress > 0 && done == run->last_done)
      || (!now_ && now - run->last_progress < 2 * G_USEC_PER_SEC))
    return;
  run->last_progress = now;
  run->last_done = done;
  print_counts (run->cli, campaign);
  ms_cli_flush (run->cli);
}

static void
print_state (SendRun *run)
{
  MsCampaign *campaign = run->campaign;
  g_autofree char *line = NULL;

  if (ms_campaign_get_reason (campaign) != NULL)
    line = g_strdup_printf ("%s: %s", ms_campaign_state_to_label (ms_campaign_get_state (campaign)),
                            ms_campaign_get_reason (campaign));
  else
    line = g_strdup (ms_campaign_state_to_label (ms_campaign_get_state (campaign)));
  if (g_strcmp0 (line, run->last_state_line) == 0 || ms_cli_get_json (run->cli))
    return;
  g_free (run->last_state_line);
  run->last_state_line = g_steal_pointer (&line);
  ms_cli_print (run->cli, "%s\n", run->last_state_line);
  ms_cli_flush (run->cli);
}

static void
check_run (SendRun *run)
{
  MsCampaign *campaign = run->campaign;
  MsCampaignState state = ms_campaign_get_state (campaign);
  gint64 wait_until = ms_campaign_get_wait_until (campaign);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  print_state (run);
  print_progress (run, state != MS_CAMPAIGN_STATE_RUNNING);

  switch (state)
    {
    case MS_CAMPAIGN_STATE_FINISHED:
      finish_run (run, MS_CLI_EXIT_OK);
      break;
    case MS_CAMPAIGN_STATE_CANCELLED:
      ms_cli_message (_("The campaign “%s” was cancelled."), ms_campaign_get_name (campaign));
      finish_run (run, MS_CLI_EXIT_ERROR);
      break;
    case MS_CAMPAIGN_STATE_PAUSED:
      if (run->interrupted)
        {
          ms_cli_message (_("Paused. Continue with “mailshot-cli campaign send %s”."),
                          ms_campaign_get_name (campaign));
          finish_run (run, EXIT_INTERRUPTED);
        }
      else
        {
          ms_cli_message ("%s", ms_campaign_get_reason (campaign) != NULL
                                ? ms_campaign_get_reason (campaign)
                                : _("The campaign was paused by another program."));
          finish_run (run, MS_CLI_EXIT_ERROR);
        }
      break;
    case MS_CAMPAIGN_STATE_WAITING:
    case MS_CAMPAIGN_STATE_SCHEDULED:
      if (!run->wait && (wait_until == 0 || wait_until - now > SHORT_WAIT_SECS))
        {
          g_autofree char *when = wait_until > 0 ? local_time_s (wait_until) : NULL;

          if (when != NULL)
            ms_cli_message (_("Every remaining message waits; sending can continue at %s. Run "
                              "“mailshot-cli campaign send %s” again then, or add --wait."),
                            when, ms_campaign_get_name (campaign));
          else
            ms_cli_message (_("Every remaining message waits. Run “mailshot-cli campaign send "
                              "%s” again later, or add --wait."),
                            ms_campaign_get_name (campaign));
          finish_run (run, EXIT_WAITING);
        }
      break;
    case MS_CAMPAIGN_STATE_DRAFT:
    case MS_CAMPAIGN_STATE_RUNNING:
    default:
      break;
    }
}

static void
campaign_notify_cb (MsCampaign *campaign,
                    GParamSpec *pspec,
                    SendRun    *run)
{
  if (!run->done)
    check_run (run);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  SendRun *run = user_data;

  if (run->interrupted)
    {
      /* A second Ctrl-C: leave now.  Whatever was in flight is recovered safely at
       * the next start (data-sent deliveries become uncertain). */
      ms_cli_message (_("Stopped without waiting for the messages in flight."));
      ms_cli_flush (run->cli);
      _exit (EXIT_INTERRUPTED);
    }
  run->interrupted = TRUE;
  ms_cli_message (_("Pausing after the messages in flight… (Ctrl-C again to stop at once)"));
  ms_engine_pause (run->engine, ms_campaign_get_id (run->campaign));
  return G_SOURCE_CONTINUE;
}

static guint
env_uint (const char *name,
          guint       fallback)
{
  const char *value = g_getenv (name);
  guint64 n;
  char *end = NULL;

  if (value == NULL || value[0] == '\0')
    return fallback;
  n = g_ascii_strtoull (value, &end, 10);
  return end != NULL && *end == '\0' && n <= G_MAXUINT ? (guint) n : fallback;
}

static int
run_send (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(MsCampaign) stored = NULL;
  g_autoptr(MsEngine) engine = NULL;
  g_autoptr(MsSecrets) secrets = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *db_path = NULL;
  MsEngineTiming timing;
  MsStore *store = NULL;
  SendRun run = { 0 };
  int exit_code = MS_CLI_EXIT_OK;
  guint sigint_id, sigterm_id;

  stored = find_campaign (cli, ms_cli_args_get_positional (args, 0), &store, &exit_code);
  if (stored == NULL)
    return exit_code;

  /* For tests and impatient people: how long retries and cool-downs wait. */
  ms_engine_timing_init_default (&timing);
  timing.retry_base_secs = env_uint ("MAILSHOT_RETRY_SECONDS", timing.retry_base_secs);
  timing.cooldown_base_secs = env_uint ("MAILSHOT_COOLDOWN_SECONDS", timing.cooldown_base_secs);
  timing.max_attempts = env_uint ("MAILSHOT_MAX_ATTEMPTS", timing.max_attempts);
  timing.idle_close_ms = env_uint ("MAILSHOT_IDLE_CLOSE_MS", timing.idle_close_ms);
  timing.commit_ahead = env_uint ("MAILSHOT_COMMIT_AHEAD", timing.commit_ahead);

  db_path = ms_cli_dup_db_path (cli);
  engine = ms_engine_new (db_path);
  secrets = ms_cli_open_secrets (cli);
  ms_engine_set_secrets (engine, secrets);
  ms_engine_set_timing (engine, &timing);
  if (!ms_engine_start (engine, &error))
    return ms_cli_fail (cli, error);

  loop = g_main_loop_new (NULL, FALSE);
  run.cli = cli;
  run.engine = engine;
  run.loop = loop;
  run.wait = ms_cli_args_get_option (args, "wait") != NULL;
  run.campaign = ms_engine_send (engine, ms_campaign_get_id (stored), &error);
  if (run.campaign == NULL)
    {
      ms_engine_stop (engine);
      return ms_cli_fail (cli, error);
    }
  g_signal_connect (run.campaign, "notify", G_CALLBACK (campaign_notify_cb), &run);
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, &run);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, &run);

  g_main_loop_run (loop);

  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);
  g_signal_handlers_disconnect_by_data (run.campaign, &run);
  ms_engine_stop (engine);
  print_progress (&run, TRUE);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsCampaign) final = ms_store_get_campaign (store, ms_campaign_get_id (stored), &error);

      if (final == NULL)
        return ms_cli_fail (cli, error);
      exit_code = print_status (cli, store, final);
      if (exit_code != MS_CLI_EXIT_OK)
        return exit_code;
    }
  g_free (run.last_state_line);
  return run.exit_code;
}

/* pause, resume, cancel, retry */

static int
print_state_change (MsCli       *cli,
                    MsStore     *store,
                    MsCampaign  *campaign,
                    gboolean     resumed)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsCampaign) again = ms_store_get_campaign (store, ms_campaign_get_id (campaign), &error);

  if (again == NULL)
    return ms_cli_fail (cli, error);
  if (ms_cli_get_json (cli))
    return print_status (cli, store, again);
  /* TRANSLATORS: the campaign's name and its state */
  ms_cli_print (cli, _("“%s” is now %s.\n"), ms_campaign_get_name (again),
                ms_campaign_state_to_label (ms_campaign_get_state (again)));
  if (resumed)
    ms_cli_print (cli, _("A running “campaign send” or the application continues it; otherwise "
                         "run “campaign send”.\n"));
  return MS_CLI_EXIT_OK;
}

typedef gboolean (*StateFunc) (MsStore *, gint64, GError **);

static int
run_state_command (MsCli           *cli,
                   const MsCliArgs *args,
                   StateFunc        func,
                   gboolean         resumed)
{
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store = NULL;
  int exit_code = MS_CLI_EXIT_OK;

  campaign = find_campaign (cli, ms_cli_args_get_positional (args, 0), &store, &exit_code);
  if (campaign == NULL)
    return exit_code;
  if (!func (store, ms_campaign_get_id (campaign), &error))
    return ms_cli_fail (cli, error);
  return print_state_change (cli, store, campaign, resumed);
}

static int
run_pause (MsCli           *cli,
           const MsCliArgs *args)
{
  return run_state_command (cli, args, ms_store_pause_campaign, FALSE);
}

static int
run_resume (MsCli           *cli,
            const MsCliArgs *args)
{
  return run_state_command (cli, args, ms_store_resume_campaign, TRUE);
}

static int
run_cancel (MsCli           *cli,
            const MsCliArgs *args)
{
  return run_state_command (cli, args, ms_store_cancel_campaign, FALSE);
}

static int
run_retry (MsCli           *cli,
           const MsCliArgs *args)
{
  g_autoptr(MsCampaign) campaign = NULL;
  g_autoptr(GError) error = NULL;
  gboolean failed = ms_cli_args_get_option (args, "failed") != NULL;
  gboolean uncertain = ms_cli_args_get_option (args, "uncertain") != NULL;
  MsStore *store = NULL;
  int exit_code = MS_CLI_EXIT_OK;
  gint64 n_failed = 0;
  gint64 n_uncertain = 0;

  if (!failed && !uncertain)
    return ms_cli_usage_error (cli, _("Say what to send again: --failed, --uncertain or both."));
  campaign = find_campaign (cli, ms_cli_args_get_positional (args, 0), &store, &exit_code);
  if (campaign == NULL)
    return exit_code;
  if (!ms_store_begin (store, &error))
    return ms_cli_fail (cli, error);
  if ((failed && (n_failed = ms_store_retry_deliveries (store, ms_campaign_get_id (campaign),
                                                        MS_DELIVERY_FAILED, &error)) < 0)
      || (uncertain && (n_uncertain = ms_store_retry_deliveries (store, ms_campaign_get_id (campaign),
                                                                 MS_DELIVERY_UNCERTAIN, &error)) < 0)
      || !ms_store_commit (store, &error))
    {
      ms_store_rollback (store);
      return ms_cli_fail (cli, error);
    }
  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsCampaign) again = ms_store_get_campaign (store, ms_campaign_get_id (campaign), &error);

      if (again == NULL)
        return ms_cli_fail (cli, error);
      return print_status (cli, store, again);
    }
  ms_cli_print (cli, _("%" PRId64 " deliveries of “%s” are queued again (%" PRId64
                       " failed, %" PRId64 " uncertain, with the same Message-IDs). Send "
                       "them with “campaign send”.\n"),
                n_failed + n_uncertain, ms_campaign_get_name (campaign), n_failed, n_uncertain);
  return MS_CLI_EXIT_OK;
}

/* list */

static int
run_list (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(GPtrArray) campaigns = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error)) || !(campaigns = ms_store_list_campaigns (store, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < campaigns->len; i++)
        {
          MsCampaign *campaign = g_ptr_array_index (campaigns, i);

          ms_json_writer_begin_object (writer);
          ms_json_writer_key (writer, "id");
          ms_json_writer_int (writer, ms_campaign_get_id (campaign));
          ms_json_writer_key (writer, "name");
          ms_json_writer_string (writer, ms_campaign_get_name (campaign));
          ms_json_writer_key (writer, "state");
          ms_json_writer_string (writer, ms_campaign_state_to_string (ms_campaign_get_state (campaign)));
          ms_json_writer_key (writer, "template");
          ms_json_writer_string (writer, ms_campaign_get_template_name (campaign));
          ms_json_writer_key (writer, "total");
          ms_json_writer_int (writer, ms_campaign_get_total (campaign));
          ms_json_writer_key (writer, "counts");
          ms_json_writer_begin_object (writer);
          for (guint j = 0; j < G_N_ELEMENTS (count_keys); j++)
            {
              ms_json_writer_key (writer, count_keys[j].key);
              ms_json_writer_int (writer, count_of (campaign, count_keys[j].state));
            }
          ms_json_writer_end_object (writer);
          ms_json_writer_end_object (writer);
        }
      ms_json_writer_end_array (writer);
      ms_cli_print_json (cli, writer);
      return MS_CLI_EXIT_OK;
    }

  for (guint i = 0; i < campaigns->len && !ms_cli_output_closed (cli); i++)
    {
      MsCampaign *campaign = g_ptr_array_index (campaigns, i);

      ms_cli_print (cli, "%s\t%s\t%" PRId64 "/%" PRId64 "\n",
                    ms_campaign_get_name (campaign),
                    ms_campaign_state_to_string (ms_campaign_get_state (campaign)),
                    count_of (campaign, MS_DELIVERY_SENT), ms_campaign_get_total (campaign));
    }
  return MS_CLI_EXIT_OK;
}

/* The command table */

static const MsCliOption create_options[] = {
  { "template", "T", N_("The template to send (required)") },
  { "list", "L", N_("A list to send to; repeatable (an address in several lists gets one message)") },
  { "exclude-list", "X", N_("A list whose contacts get nothing; repeatable") },
  { "server", "S", N_("A server to send through, in the order of use; repeatable (required)") },
  { "start-at", "ISO8601", N_("Start at this time, e.g. 2026-05-04T09:30 (local time unless an "
                              "offset is given)") },
  { "window", "HH:MM-HH:MM", N_("Send only between these hours (local time)") },
  { "days", "mon,tue,…", N_("Send only on these weekdays") },
  { NULL, NULL, NULL }
};

static const MsCliOption send_options[] = {
  { "wait", NULL, N_("Keep going through quota windows, cool-downs and the send window until "
                     "everything is sent") },
  { NULL, NULL, NULL }
};

static const MsCliOption retry_options[] = {
  { "failed", NULL, N_("Queue the failed deliveries again") },
  { "uncertain", NULL, N_("Queue the uncertain deliveries again (their recipients may get the "
                          "message twice; the Message-ID stays the same)") },
  { NULL, NULL, NULL }
};

static const MsCliCommand create_command = {
  .name = "create",
  .summary = N_("Create a campaign"),
  .description = N_("Contacts that unsubscribed, bounced or complained, and contacts in an "
                    "exclusion list, are suppressed and counted, not sent to. With --start-at the "
                    "campaign is scheduled; otherwise it is a draft until it is sent."),
  .run = run_create,
  .synopsis = "NAME --template T --list L… [--exclude-list X…] --server S… [--start-at ISO8601] "
              "[--window HH:MM-HH:MM] [--days mon,tue,…]",
  .options = create_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand plan_command = {
  .name = "plan",
  .summary = N_("Show how the messages would go under the current quotas"),
  .description = N_("A dry run: per server how many messages can go now and when the rest can "
                    "go, and when everything would be sent."),
  .run = run_plan,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand send_command = {
  .name = "send",
  .summary = N_("Send a campaign (or continue it), printing progress"),
  .description = N_("Exit status: 0 when everything is sent; 75 when every remaining message "
                    "waits for a quota window, a cool-down, a retry or the send window (the time "
                    "it can continue is printed; run send again then, or use --wait); 1 on an "
                    "error or when no server can send; 130 after Ctrl-C, which pauses cleanly "
                    "once the messages in flight are done. Only one program may send from a "
                    "database at a time. MAILSHOT_RETRY_SECONDS, MAILSHOT_COOLDOWN_SECONDS, "
                    "MAILSHOT_MAX_ATTEMPTS and MAILSHOT_IDLE_CLOSE_MS shorten the waits (for "
                    "tests); MAILSHOT_COMMIT_AHEAD caps how many deliveries each connection is "
                    "given, recorded, ahead (default 16; 0 records each just before its final "
                    "dot)."),
  .run = run_send,
  .synopsis = "NAME [--wait]",
  .options = send_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand status_command = {
  .name = "status",
  .summary = N_("Show a campaign’s counts, servers, quotas and estimated end"),
  .run = run_status,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand pause_command = {
  .name = "pause",
  .summary = N_("Pause a campaign"),
  .description = N_("A program sending it finishes the messages in flight and stops."),
  .run = run_pause,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand resume_command = {
  .name = "resume",
  .summary = N_("Resume a paused campaign"),
  .description = N_("Its servers that were stopped after a refused login may try again."),
  .run = run_resume,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand cancel_command = {
  .name = "cancel",
  .summary = N_("Cancel a campaign: nothing more is sent"),
  .run = run_cancel,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand retry_command = {
  .name = "retry",
  .summary = N_("Queue failed or uncertain deliveries again"),
  .run = run_retry,
  .synopsis = "NAME --failed|--uncertain",
  .options = retry_options,
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand list_command = {
  .name = "list",
  .summary = N_("Show the campaigns"),
  .description = N_("Prints one campaign a line: name, state and sent/total, separated by tabs."),
  .run = run_list,
  .synopsis = "",
  .min_args = 0,
  .max_args = 0,
};

static const MsCliCommand *const campaign_subcommands[] = {
  &list_command,
  &create_command,
  &plan_command,
  &send_command,
  &status_command,
  &pause_command,
  &resume_command,
  &cancel_command,
  &retry_command,
  NULL
};

const MsCliCommand ms_cli_campaign_command = {
  .name = "campaign",
  .summary = N_("Create, plan, send and follow campaigns"),
  .subcommands = campaign_subcommands,
  .default_subcommand = "list",
};

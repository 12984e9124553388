/* ms-campaign.c
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

#define G_LOG_DOMAIN "ms-campaign"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "ms-campaign.h"

struct _MsCampaign
{
  GObject          parent_instance;

  gint64           id;
  char            *name;
  gint64           template_id;
  char            *template_name;
  MsCampaignState  state;
  char            *reason;
  gint64           wait_until;
  gint64           start_at;
  MsSendWindow     window;
  gint64           created_at;
  gint64           started_at;
  gint64           finished_at;
  GPtrArray       *lists;       /* MsCampaignList */
  GArray          *server_ids;  /* gint64 */

  gint64           counts[MS_DELIVERY_N_STATES];
  double           send_rate;
  gint64           eta;
  GArray          *rate_history;
  GPtrArray       *servers;     /* MsServerStatus */
};

G_DEFINE_FINAL_TYPE (MsCampaign, ms_campaign, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-campaign-error-quark, ms_campaign_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TEMPLATE_ID,
  PROP_TEMPLATE_NAME,
  PROP_STATE,
  PROP_STATE_LABEL,
  PROP_REASON,
  PROP_WAIT_UNTIL,
  PROP_START_AT,
  PROP_CREATED_AT,
  PROP_STARTED_AT,
  PROP_FINISHED_AT,
  PROP_TOTAL,
  PROP_QUEUED,
  PROP_SENDING,
  PROP_SENT,
  PROP_FAILED,
  PROP_UNCERTAIN,
  PROP_SUPPRESSED,
  PROP_BOUNCED,
  PROP_CANCELLED,
  PROP_FRACTION,
  PROP_SEND_RATE,
  PROP_ETA,
  PROP_RATE_HISTORY,
  PROP_SERVERS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* The count property of each delivery state (data-sent shows as sending). */
static const int count_props[MS_DELIVERY_N_STATES] = {
  [MS_DELIVERY_QUEUED] = PROP_QUEUED,
  [MS_DELIVERY_SENDING] = PROP_SENDING,
  [MS_DELIVERY_DATA_SENT] = PROP_SENDING,
  [MS_DELIVERY_SENT] = PROP_SENT,
  [MS_DELIVERY_FAILED] = PROP_FAILED,
  [MS_DELIVERY_UNCERTAIN] = PROP_UNCERTAIN,
  [MS_DELIVERY_SUPPRESSED] = PROP_SUPPRESSED,
  [MS_DELIVERY_BOUNCED] = PROP_BOUNCED,
  [MS_DELIVERY_CANCELLED] = PROP_CANCELLED,
};

/* Enumerations */

static const GEnumValue campaign_state_values[] = {
  { MS_CAMPAIGN_STATE_DRAFT, "MS_CAMPAIGN_STATE_DRAFT", "draft" },
  { MS_CAMPAIGN_STATE_SCHEDULED, "MS_CAMPAIGN_STATE_SCHEDULED", "scheduled" },
  { MS_CAMPAIGN_STATE_RUNNING, "MS_CAMPAIGN_STATE_RUNNING", "running" },
  { MS_CAMPAIGN_STATE_PAUSED, "MS_CAMPAIGN_STATE_PAUSED", "paused" },
  { MS_CAMPAIGN_STATE_WAITING, "MS_CAMPAIGN_STATE_WAITING", "waiting" },
  { MS_CAMPAIGN_STATE_FINISHED, "MS_CAMPAIGN_STATE_FINISHED", "finished" },
  { MS_CAMPAIGN_STATE_CANCELLED, "MS_CAMPAIGN_STATE_CANCELLED", "cancelled" },
  { 0, NULL, NULL }
};

static const GEnumValue delivery_state_values[] = {
  { MS_DELIVERY_QUEUED, "MS_DELIVERY_QUEUED", "queued" },
  { MS_DELIVERY_SENDING, "MS_DELIVERY_SENDING", "sending" },
  { MS_DELIVERY_DATA_SENT, "MS_DELIVERY_DATA_SENT", "data-sent" },
  { MS_DELIVERY_SENT, "MS_DELIVERY_SENT", "sent" },
  { MS_DELIVERY_FAILED, "MS_DELIVERY_FAILED", "failed" },
  { MS_DELIVERY_UNCERTAIN, "MS_DELIVERY_UNCERTAIN", "uncertain" },
  { MS_DELIVERY_SUPPRESSED, "MS_DELIVERY_SUPPRESSED", "suppressed" },
  { MS_DELIVERY_BOUNCED, "MS_DELIVERY_BOUNCED", "bounced" },
  { MS_DELIVERY_CANCELLED, "MS_DELIVERY_CANCELLED", "cancelled" },
  { 0, NULL, NULL }
};

static const GEnumValue server_state_values[] = {
  { MS_SERVER_STATE_READY, "MS_SERVER_STATE_READY", "ready" },
  { MS_SERVER_STATE_SENDING, "MS_SERVER_STATE_SENDING", "sending" },
  { MS_SERVER_STATE_QUOTA_FULL, "MS_SERVER_STATE_QUOTA_FULL", "quota-full" },
  { MS_SERVER_STATE_COOLING_DOWN, "MS_SERVER_STATE_COOLING_DOWN", "cooling-down" },
  { MS_SERVER_STATE_STOPPED, "MS_SERVER_STATE_STOPPED", "stopped" },
  { MS_SERVER_STATE_DISABLED, "MS_SERVER_STATE_DISABLED", "disabled" },
  { MS_SERVER_STATE_UNUSABLE, "MS_SERVER_STATE_UNUSABLE", "unusable" },
  { 0, NULL, NULL }
};

static GType
register_enum (const char       *name,
               const GEnumValue *values)
{
  return g_enum_register_static (g_intern_static_string (name), values);
}

GType
ms_campaign_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsCampaignState", campaign_state_values));
  return type;
}

GType
ms_delivery_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsDeliveryState", delivery_state_values));
  return type;
}

GType
ms_server_state_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsServerState", server_state_values));
  return type;
}

static gboolean
enum_from_string (const GEnumValue *values,
                  const char       *text,
                  int              *out)
{
  if (text == NULL)
    return FALSE;
  for (guint i = 0; values[i].value_nick != NULL; i++)
    {
      if (g_str_equal (values[i].value_nick, text))
        {
          *out = values[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
ms_campaign_state_to_string (MsCampaignState state)
{
  g_return_val_if_fail (state <= MS_CAMPAIGN_STATE_CANCELLED, "");

  return campaign_state_values[state].value_nick;
}

gboolean
ms_campaign_state_from_string (const char      *text,
                               MsCampaignState *state)
{
  int value;

  if (!enum_from_string (campaign_state_values, text, &value))
    return FALSE;
  *state = value;
  return TRUE;
}

const char *
ms_campaign_state_to_label (MsCampaignState state)
{
  switch (state)
    {
    case MS_CAMPAIGN_STATE_DRAFT:
      return C_("campaign state", "Draft");
    case MS_CAMPAIGN_STATE_SCHEDULED:
      return C_("campaign state", "Scheduled");
    case MS_CAMPAIGN_STATE_RUNNING:
      return C_("campaign state", "Sending");
    case MS_CAMPAIGN_STATE_PAUSED:
      return C_("campaign state", "Paused");
    case MS_CAMPAIGN_STATE_WAITING:
      return C_("campaign state", "Waiting");
    case MS_CAMPAIGN_STATE_FINISHED:
      return C_("campaign state", "Finished");
    case MS_CAMPAIGN_STATE_CANCELLED:
      return C_("campaign state", "Cancelled");
    default:
      g_return_val_if_reached ("");
    }
}

const char *
ms_delivery_state_to_string (MsDeliveryState state)
{
  g_return_val_if_fail (state < MS_DELIVERY_N_STATES, "");

  return delivery_state_values[state].value_nick;
}

gboolean
ms_delivery_state_from_string (const char      *text,
                               MsDeliveryState *state)
{
  int value;

  if (!enum_from_string (delivery_state_values, text, &value))
    return FALSE;
  *state = value;
  return TRUE;
}

const char *
ms_server_state_to_string (MsServerState state)
{
  g_return_val_if_fail (state <= MS_SERVER_STATE_UNUSABLE, "");

  return server_state_values[state].value_nick;
}

const char *
ms_server_state_to_label (MsServerState state)
{
  switch (state)
    {
    case MS_SERVER_STATE_READY:
      return C_("server state", "Ready");
    case MS_SERVER_STATE_SENDING:
      return C_("server state", "Sending");
    case MS_SERVER_STATE_QUOTA_FULL:
      return C_("server state", "Waiting for quota");
    case MS_SERVER_STATE_COOLING_DOWN:
      return C_("server state", "Cooling down");
    case MS_SERVER_STATE_STOPPED:
      return C_("server state", "Stopped");
    case MS_SERVER_STATE_DISABLED:
      return C_("server state", "Disabled");
    case MS_SERVER_STATE_UNUSABLE:
      return C_("server state", "Cannot send this campaign");
    default:
      g_return_val_if_reached ("");
    }
}

/* Send windows */

static const struct
{
  const char *short_name;
  const char *long_name;
} weekday_names[] = {
  { "mon", "monday" },
  { "tue", "tuesday" },
  { "wed", "wednesday" },
  { "thu", "thursday" },
  { "fri", "friday" },
  { "sat", "saturday" },
  { "sun", "sunday" },
};

static gboolean
parse_clock (const char *text,
             gsize       length,
             int        *minutes)
{
  guint h = 0;
  guint m = 0;
  gsize i = 0;
  guint digits = 0;

  while (i < length && g_ascii_isdigit (text[i]) && digits < 2)
    {
      h = h * 10 + (guint) (text[i++] - '0');
      digits++;
    }
  if (digits == 0 || i >= length || text[i++] != ':')
    return FALSE;
  if (length - i != 2 || !g_ascii_isdigit (text[i]) || !g_ascii_isdigit (text[i + 1]))
    return FALSE;
  m = (guint) ((text[i] - '0') * 10 + (text[i + 1] - '0'));
  if (m > 59 || h > 24 || (h == 24 && m != 0))
    return FALSE;
  *minutes = (int) (h * 60 + m);
  return TRUE;
}

gboolean
ms_send_window_parse_hours (const char  *text,
                            int         *start,
                            int         *end,
                            GError     **error)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *dash = strchr (stripped, '-');
  int s, e;

  if (dash == NULL
      || !parse_clock (stripped, (gsize) (dash - stripped), &s)
      || !parse_clock (dash + 1, strlen (dash + 1), &e)
      || s >= 1440 || s == e)
    {
      g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID,
                   _("“%s” is not a send window: write it as HH:MM-HH:MM, for example 09:00-17:30."),
                   text != NULL ? text : "");
      return FALSE;
    }
  *start = s;
  *end = e;
  return TRUE;
}

gboolean
ms_send_window_parse_days (const char  *text,
                           guint       *days,
                           GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", ",", -1);
  guint result = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_autofree char *word = g_ascii_strdown (g_strstrip (parts[i]), -1);
      gboolean found = FALSE;

      if (g_str_equal (word, "all"))
        {
          result |= MS_WEEKDAYS_ALL;
          continue;
        }
      if (g_str_equal (word, "weekdays"))
        {
          result |= 0x1f;
          continue;
        }
      for (guint d = 0; d < G_N_ELEMENTS (weekday_names); d++)
        {
          if (g_str_equal (word, weekday_names[d].short_name)
              || g_str_equal (word, weekday_names[d].long_name))
            {
              result |= 1u << d;
              found = TRUE;
            }
        }
      if (!found)
        {
          g_set_error (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID,
                       _("“%s” is not a weekday: use mon, tue, wed, thu, fri, sat and sun, "
                         "separated by commas."),
                       parts[i]);
          return FALSE;
        }
    }
  if (result == 0)
    {
      g_set_error_literal (error, MS_CAMPAIGN_ERROR, MS_CAMPAIGN_ERROR_INVALID,
                           _("Name at least one weekday."));
      return FALSE;
    }
  *days = result;
  return TRUE;
}

char *
ms_send_window_format_hours (const MsSendWindow *window)
{
  g_return_val_if_fail (window != NULL, NULL);

  if (window->start < 0)
    return NULL;
  return g_strdup_printf ("%02d:%02d-%02d:%02d", window->start / 60, window->start % 60,
                          window->end / 60, window->end % 60);
}

char *
ms_send_window_format_days (guint days)
{
  GString *out = g_string_new (NULL);

  for (guint d = 0; d < G_N_ELEMENTS (weekday_names); d++)
    {
      if ((days & (1u << d)) == 0)
        continue;
      if (out->len > 0)
        g_string_append_c (out, ',');
      g_string_append (out, weekday_names[d].short_name);
    }
  return g_string_free (out, FALSE);
}

gboolean
ms_send_window_is_always (const MsSendWindow *window)
{
  return window == NULL || (window->start < 0 && (window->days & MS_WEEKDAYS_ALL) == MS_WEEKDAYS_ALL);
}

static gboolean
day_allowed (const MsSendWindow *window,
             GDateTime          *day)
{
  int weekday = g_date_time_get_day_of_week (day);   /* 1 = Monday */

  return (window->days & (1u << (weekday - 1))) != 0;
}

gboolean
ms_send_window_is_open (const MsSendWindow *window,
                        GDateTime          *time)
{
  int minute;

  g_return_val_if_fail (time != NULL, FALSE);

  if (ms_send_window_is_always (window))
    return TRUE;
  if (window->start < 0)
    return day_allowed (window, time);

  minute = g_date_time_get_hour (time) * 60 + g_date_time_get_minute (time);
  if (window->start < window->end)
    return day_allowed (window, time) && minute >= window->start && minute < window->end;

  /* Past midnight: the evening part belongs to today, the morning part to yesterday. */
  if (minute >= window->start)
    return day_allowed (window, time);
  if (minute < window->end)
    {
      g_autoptr(GDateTime) yesterday = g_date_time_add_days (time, -1);

      return day_allowed (window, yesterday);
    }
  return FALSE;
}

GDateTime *
ms_send_window_next_open (const MsSendWindow *window,
                          GDateTime          *time)
{
  g_autoptr(GDateTime) midnight = NULL;

  g_return_val_if_fail (time != NULL, NULL);

  if (ms_send_window_is_open (window, time))
    return g_date_time_ref (time);
  if ((window->days & MS_WEEKDAYS_ALL) == 0)
    return NULL;

  midnight = g_date_time_new (g_date_time_get_timezone (time), g_date_time_get_year (time),
                              g_date_time_get_month (time), g_date_time_get_day_of_month (time),
                              0, 0, 0);
  /* The next opening is today or within the next 7 days. */
  for (int d = 0; d <= 7; d++)
    {
      g_autoptr(GDateTime) day = g_date_time_add_days (midnight, d);
      g_autoptr(GDateTime) open = NULL;

      if (!day_allowed (window, day))
        continue;
      open = window->start < 0 ? g_date_time_ref (day)
                               : g_date_time_add_minutes (day, window->start);
      if (g_date_time_compare (open, time) > 0)
        return g_steal_pointer (&open);
    }
  return NULL;
}

gint64
ms_send_window_next_open_ms (const MsSendWindow *window,
                             gint64              time_ms)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  g_autoptr(GDateTime) next = NULL;

  if (ms_send_window_is_always (window))
    return time_ms;
  utc = g_date_time_new_from_unix_utc (time_ms / 1000);
  if (utc == NULL)
    return G_MAXINT64;
  local = g_date_time_to_local (utc);
  if (ms_send_window_is_open (window, local))
    return time_ms;
  next = ms_send_window_next_open (window, local);
  if (next == NULL)
    return G_MAXINT64;
  return MAX (time_ms, g_date_time_to_unix (next) * 1000);
}

/* MsServerStatus */

G_DEFINE_BOXED_TYPE (MsServerStatus, ms_server_status, ms_server_status_copy, ms_server_status_free)

MsServerStatus *
ms_server_status_new (gint64      server_id,
                      const char *name)
{
  MsServerStatus *self = g_new0 (MsServerStatus, 1);

  self->server_id = server_id;
  self->name = g_strdup (name);
  self->windows = g_array_new (FALSE, TRUE, sizeof (MsQuotaWindowStatus));
  return self;
}

MsServerStatus *
ms_server_status_copy (const MsServerStatus *self)
{
  MsServerStatus *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (MsServerStatus, 1);
  *copy = *self;
  copy->name = g_strdup (self->name);
  copy->reason = g_strdup (self->reason);
  copy->windows = g_array_copy (self->windows);
  return copy;
}

void
ms_server_status_free (MsServerStatus *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->reason);
  g_clear_pointer (&self->windows, g_array_unref);
  g_free (self);
}

static gboolean
server_status_equal (const MsServerStatus *a,
                     const MsServerStatus *b)
{
  if (a->server_id != b->server_id || a->state != b->state
      || a->cooldown_until != b->cooldown_until || a->connections != b->connections
      || a->sent != b->sent || g_strcmp0 (a->name, b->name) != 0
      || g_strcmp0 (a->reason, b->reason) != 0 || a->windows->len != b->windows->len)
    return FALSE;
  return a->windows->len == 0
         || memcmp (a->windows->data, b->windows->data,
                    a->windows->len * sizeof (MsQuotaWindowStatus)) == 0;
}

/* MsCampaign */

static void
campaign_list_free (gpointer data)
{
  MsCampaignList *list = data;

  g_free (list->name);
  g_free (list);
}

MsCampaign *
ms_campaign_new (const char *name)
{
  return g_object_new (MS_TYPE_CAMPAIGN, "name", name, NULL);
}

static void
ms_campaign_finalize (GObject *object)
{
  MsCampaign *self = (MsCampaign *) object;

  g_free (self->name);
  g_free (self->template_name);
  g_free (self->reason);
  g_ptr_array_unref (self->lists);
  g_array_unref (self->server_ids);
  g_clear_pointer (&self->rate_history, g_array_unref);
  g_clear_pointer (&self->servers, g_ptr_array_unref);

  G_OBJECT_CLASS (ms_campaign_parent_class)->finalize (object);
}

static void
ms_campaign_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  MsCampaign *self = MS_CAMPAIGN (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TEMPLATE_ID:
      g_value_set_int64 (value, self->template_id);
      break;
    case PROP_TEMPLATE_NAME:
      g_value_set_string (value, self->template_name);
      break;
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_STATE_LABEL:
      g_value_set_string (value, ms_campaign_state_to_label (self->state));
      break;
    case PROP_REASON:
      g_value_set_string (value, self->reason);
      break;
    case PROP_WAIT_UNTIL:
      g_value_set_int64 (value, self->wait_until);
      break;
    case PROP_START_AT:
      g_value_set_int64 (value, self->start_at);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_STARTED_AT:
      g_value_set_int64 (value, self->started_at);
      break;
    case PROP_FINISHED_AT:
      g_value_set_int64 (value, self->finished_at);
      break;
    case PROP_TOTAL:
      g_value_set_int64 (value, ms_campaign_get_total (self));
      break;
    case PROP_QUEUED:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_QUEUED]);
      break;
    case PROP_SENDING:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_SENDING] + self->counts[MS_DELIVERY_DATA_SENT]);
      break;
    case PROP_SENT:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_SENT]);
      break;
    case PROP_FAILED:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_FAILED]);
      break;
    case PROP_UNCERTAIN:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_UNCERTAIN]);
      break;
    case PROP_SUPPRESSED:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_SUPPRESSED]);
      break;
    case PROP_BOUNCED:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_BOUNCED]);
      break;
    case PROP_CANCELLED:
      g_value_set_int64 (value, self->counts[MS_DELIVERY_CANCELLED]);
      break;
    case PROP_FRACTION:
      g_value_set_double (value, ms_campaign_get_fraction (self));
      break;
    case PROP_SEND_RATE:
      g_value_set_double (value, self->send_rate);
      break;
    case PROP_ETA:
      g_value_set_int64 (value, self->eta);
      break;
    case PROP_RATE_HISTORY:
      g_value_set_boxed (value, self->rate_history);
      break;
    case PROP_SERVERS:
      g_value_set_boxed (value, self->servers);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_campaign_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  MsCampaign *self = MS_CAMPAIGN (object);

  switch (prop_id)
    {
    case PROP_ID:
      ms_campaign_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      ms_campaign_set_name (self, g_value_get_string (value));
      break;
    case PROP_TEMPLATE_ID:
      ms_campaign_set_template_id (self, g_value_get_int64 (value));
      break;
    case PROP_TEMPLATE_NAME:
      ms_campaign_set_template_name (self, g_value_get_string (value));
      break;
    case PROP_STATE:
      ms_campaign_set_state (self, g_value_get_enum (value));
      break;
    case PROP_REASON:
      ms_campaign_set_reason (self, g_value_get_string (value));
      break;
    case PROP_WAIT_UNTIL:
      ms_campaign_set_wait_until (self, g_value_get_int64 (value));
      break;
    case PROP_START_AT:
      ms_campaign_set_start_at (self, g_value_get_int64 (value));
      break;
    case PROP_CREATED_AT:
      ms_campaign_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_STARTED_AT:
      ms_campaign_set_started_at (self, g_value_get_int64 (value));
      break;
    case PROP_FINISHED_AT:
      ms_campaign_set_finished_at (self, g_value_get_int64 (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
int64_prop (const char *name,
            gboolean    writable)
{
  return g_param_spec_int64 (name, NULL, NULL, G_MININT64, G_MAXINT64, 0,
                             (writable ? G_PARAM_READWRITE : G_PARAM_READABLE)
                             | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
}

static void
ms_campaign_class_init (MsCampaignClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = ms_campaign_finalize;
  object_class->get_property = ms_campaign_get_property;
  object_class->set_property = ms_campaign_set_property;

  properties[PROP_ID] = int64_prop ("id", TRUE);
  properties[PROP_NAME] = g_param_spec_string ("name", NULL, NULL, NULL, rw);
  properties[PROP_TEMPLATE_ID] = int64_prop ("template-id", TRUE);
  properties[PROP_TEMPLATE_NAME] = g_param_spec_string ("template-name", NULL, NULL, NULL, rw);
  properties[PROP_STATE] = g_param_spec_enum ("state", NULL, NULL, MS_TYPE_CAMPAIGN_STATE,
                                              MS_CAMPAIGN_STATE_DRAFT, rw);
  properties[PROP_STATE_LABEL] = g_param_spec_string ("state-label", NULL, NULL, NULL, ro);
  properties[PROP_REASON] = g_param_spec_string ("reason", NULL, NULL, NULL, rw);
  properties[PROP_WAIT_UNTIL] = int64_prop ("wait-until", TRUE);
  properties[PROP_START_AT] = int64_prop ("start-at", TRUE);
  properties[PROP_CREATED_AT] = int64_prop ("created-at", TRUE);
  properties[PROP_STARTED_AT] = int64_prop ("started-at", TRUE);
  properties[PROP_FINISHED_AT] = int64_prop ("finished-at", TRUE);
  properties[PROP_TOTAL] = int64_prop ("total", FALSE);
  properties[PROP_QUEUED] = int64_prop ("queued", FALSE);
  properties[PROP_SENDING] = int64_prop ("sending", FALSE);
  properties[PROP_SENT] = int64_prop ("sent", FALSE);
  properties[PROP_FAILED] = int64_prop ("failed", FALSE);
  properties[PROP_UNCERTAIN] = int64_prop ("uncertain", FALSE);
  properties[PROP_SUPPRESSED] = int64_prop ("suppressed", FALSE);
  properties[PROP_BOUNCED] = int64_prop ("bounced", FALSE);
  properties[PROP_CANCELLED] = int64_prop ("cancelled", FALSE);
  properties[PROP_FRACTION] = g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0,
                                                   G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                   | G_PARAM_STATIC_STRINGS);
  properties[PROP_SEND_RATE] = g_param_spec_double ("send-rate", NULL, NULL, 0, G_MAXDOUBLE, 0,
                                                    G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                    | G_PARAM_STATIC_STRINGS);
  properties[PROP_ETA] = int64_prop ("eta", FALSE);
  properties[PROP_RATE_HISTORY] = g_param_spec_boxed ("rate-history", NULL, NULL, G_TYPE_ARRAY,
                                                      G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                      | G_PARAM_STATIC_STRINGS);
  properties[PROP_SERVERS] = g_param_spec_boxed ("servers", NULL, NULL, G_TYPE_PTR_ARRAY,
                                                 G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY
                                                 | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_campaign_init (MsCampaign *self)
{
  MsSendWindow always = MS_SEND_WINDOW_ALWAYS;

  self->window = always;
  self->lists = g_ptr_array_new_with_free_func (campaign_list_free);
  self->server_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->servers = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_server_status_free);
  self->rate_history = g_array_new (FALSE, TRUE, sizeof (guint));
}

static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
set_int64 (MsCampaign *self,
           gint64     *field,
           gint64      value,
           int         prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

gint64
ms_campaign_get_id (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->id;
}

void
ms_campaign_set_id (MsCampaign *self,
                    gint64      id)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->id, id, PROP_ID);
}

const char *
ms_campaign_get_name (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->name;
}

void
ms_campaign_set_name (MsCampaign *self,
                      const char *name)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

gint64
ms_campaign_get_template_id (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->template_id;
}

void
ms_campaign_set_template_id (MsCampaign *self,
                             gint64      id)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->template_id, id, PROP_TEMPLATE_ID);
}

const char *
ms_campaign_get_template_name (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->template_name;
}

void
ms_campaign_set_template_name (MsCampaign *self,
                               const char *name)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  if (set_string (&self->template_name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEMPLATE_NAME]);
}

MsCampaignState
ms_campaign_get_state (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), MS_CAMPAIGN_STATE_DRAFT);

  return self->state;
}

void
ms_campaign_set_state (MsCampaign      *self,
                       MsCampaignState  state)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (state <= MS_CAMPAIGN_STATE_CANCELLED);

  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STATE_LABEL]);
}

const char *
ms_campaign_get_reason (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->reason;
}

void
ms_campaign_set_reason (MsCampaign *self,
                        const char *reason)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  if (set_string (&self->reason, reason))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REASON]);
}

gint64
ms_campaign_get_wait_until (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->wait_until;
}

void
ms_campaign_set_wait_until (MsCampaign *self,
                            gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->wait_until, unix_time, PROP_WAIT_UNTIL);
}

gint64
ms_campaign_get_start_at (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->start_at;
}

void
ms_campaign_set_start_at (MsCampaign *self,
                          gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->start_at, unix_time, PROP_START_AT);
}

void
ms_campaign_get_window (MsCampaign   *self,
                        MsSendWindow *window)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (window != NULL);

  *window = self->window;
}

void
ms_campaign_set_window (MsCampaign         *self,
                        const MsSendWindow *window)
{
  MsSendWindow always = MS_SEND_WINDOW_ALWAYS;

  g_return_if_fail (MS_IS_CAMPAIGN (self));

  self->window = window != NULL ? *window : always;
}

gint64
ms_campaign_get_created_at (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->created_at;
}

void
ms_campaign_set_created_at (MsCampaign *self,
                            gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->created_at, unix_time, PROP_CREATED_AT);
}

gint64
ms_campaign_get_started_at (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->started_at;
}

void
ms_campaign_set_started_at (MsCampaign *self,
                            gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->started_at, unix_time, PROP_STARTED_AT);
}

gint64
ms_campaign_get_finished_at (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->finished_at;
}

void
ms_campaign_set_finished_at (MsCampaign *self,
                             gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->finished_at, unix_time, PROP_FINISHED_AT);
}

const GPtrArray *
ms_campaign_get_lists (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->lists;
}

void
ms_campaign_add_list (MsCampaign *self,
                      gint64      list_id,
                      const char *name,
                      gboolean    exclude)
{
  MsCampaignList *list;

  g_return_if_fail (MS_IS_CAMPAIGN (self));

  list = g_new0 (MsCampaignList, 1);
  list->list_id = list_id;
  list->name = g_strdup (name);
  list->exclude = !!exclude;
  g_ptr_array_add (self->lists, list);
}

void
ms_campaign_clear_lists (MsCampaign *self)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  g_ptr_array_set_size (self->lists, 0);
}

const gint64 *
ms_campaign_get_server_ids (MsCampaign *self,
                            guint      *n_servers)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  if (n_servers != NULL)
    *n_servers = self->server_ids->len;
  return (const gint64 *) (gpointer) self->server_ids->data;
}

void
ms_campaign_set_server_ids (MsCampaign   *self,
                            const gint64 *ids,
                            guint         n_servers)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (ids != NULL || n_servers == 0);

  g_array_set_size (self->server_ids, 0);
  if (n_servers > 0)
    g_array_append_vals (self->server_ids, ids, n_servers);
}

gint64
ms_campaign_get_count (MsCampaign      *self,
                       MsDeliveryState  state)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);
  g_return_val_if_fail (state < MS_DELIVERY_N_STATES, 0);

  return self->counts[state];
}

gint64
ms_campaign_get_total (MsCampaign *self)
{
  gint64 total = 0;

  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  for (guint i = 0; i < MS_DELIVERY_N_STATES; i++)
    total += self->counts[i];
  return total;
}

double
ms_campaign_get_fraction (MsCampaign *self)
{
  gint64 total;
  gint64 pending;

  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  total = ms_campaign_get_total (self);
  if (total == 0)
    return self->state == MS_CAMPAIGN_STATE_FINISHED ? 1.0 : 0.0;
  pending = self->counts[MS_DELIVERY_QUEUED] + self->counts[MS_DELIVERY_SENDING]
            + self->counts[MS_DELIVERY_DATA_SENT];
  return (double) (total - pending) / (double) total;
}

void
ms_campaign_set_counts (MsCampaign   *self,
                        const gint64 *counts)
{
  GObject *object = G_OBJECT (self);
  gboolean changed = FALSE;

  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (counts != NULL);

  g_object_freeze_notify (object);
  for (guint i = 0; i < MS_DELIVERY_N_STATES; i++)
    {
      if (self->counts[i] == counts[i])
        continue;
      self->counts[i] = counts[i];
      g_object_notify_by_pspec (object, properties[count_props[i]]);
      changed = TRUE;
    }
  if (changed)
    {
      g_object_notify_by_pspec (object, properties[PROP_TOTAL]);
      g_object_notify_by_pspec (object, properties[PROP_FRACTION]);
    }
  g_object_thaw_notify (object);
}

double
ms_campaign_get_send_rate (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->send_rate;
}

void
ms_campaign_set_send_rate (MsCampaign *self,
                           double      per_minute)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  if (self->send_rate == per_minute)
    return;
  self->send_rate = per_minute;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SEND_RATE]);
}

gint64
ms_campaign_get_eta (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), 0);

  return self->eta;
}

void
ms_campaign_set_eta (MsCampaign *self,
                     gint64      unix_time)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));

  set_int64 (self, &self->eta, unix_time, PROP_ETA);
}

GArray *
ms_campaign_get_rate_history (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->rate_history;
}

void
ms_campaign_set_rate_history (MsCampaign *self,
                              GArray     *per_minute)
{
  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (per_minute != NULL);

  if (self->rate_history->len == per_minute->len
      && (per_minute->len == 0
          || memcmp (self->rate_history->data, per_minute->data, per_minute->len * sizeof (guint)) == 0))
    return;
  g_array_unref (self->rate_history);
  self->rate_history = g_array_ref (per_minute);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RATE_HISTORY]);
}

GPtrArray *
ms_campaign_get_servers (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return self->servers;
}

void
ms_campaign_set_servers (MsCampaign *self,
                         GPtrArray  *servers)
{
  gboolean same;

  g_return_if_fail (MS_IS_CAMPAIGN (self));
  g_return_if_fail (servers != NULL);

  same = self->servers->len == servers->len;
  for (guint i = 0; same && i < servers->len; i++)
    same = server_status_equal (g_ptr_array_index (self->servers, i),
                                g_ptr_array_index (servers, i));
  if (same)
    return;
  g_ptr_array_unref (self->servers);
  self->servers = g_ptr_array_ref (servers);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SERVERS]);
}

char *
ms_campaign_dup_tag (MsCampaign *self)
{
  g_return_val_if_fail (MS_IS_CAMPAIGN (self), NULL);

  return g_strdup_printf ("c%" PRId64, self->id);
}

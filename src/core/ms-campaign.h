/* ms-campaign.h
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

#include <glib-object.h>

#include "ms-quota.h"

G_BEGIN_DECLS

#define MS_CAMPAIGN_ERROR (ms_campaign_error_quark ())

typedef enum
{
  MS_CAMPAIGN_ERROR_INVALID,   /* a malformed setting (window, days, time): the message says which */
  MS_CAMPAIGN_ERROR_STATE,     /* not possible in the campaign's state (e.g. resume a cancelled one) */
} MsCampaignError;

/* The life of a campaign (DESIGN.md §4). */
typedef enum
{
  MS_CAMPAIGN_STATE_DRAFT,      /* created, never started */
  MS_CAMPAIGN_STATE_SCHEDULED,  /* to start by itself at start-at */
  MS_CAMPAIGN_STATE_RUNNING,
  MS_CAMPAIGN_STATE_PAUSED,     /* by the person, or because no server can send (see reason) */
  MS_CAMPAIGN_STATE_WAITING,    /* for a quota window, a cool-down, a retry or the send window */
  MS_CAMPAIGN_STATE_FINISHED,   /* nothing left to send (uncertain deliveries may remain) */
  MS_CAMPAIGN_STATE_CANCELLED,
} MsCampaignState;

/* The per-recipient state machine (DESIGN.md §5). */
typedef enum
{
  MS_DELIVERY_QUEUED,
  MS_DELIVERY_SENDING,
  MS_DELIVERY_DATA_SENT,    /* committed before the final dot; no reply yet */
  MS_DELIVERY_SENT,
  MS_DELIVERY_FAILED,
  MS_DELIVERY_UNCERTAIN,    /* maybe delivered: never resent unless the person asks */
  MS_DELIVERY_SUPPRESSED,   /* unsubscribed, bounced, complained, or in an exclusion list */
  MS_DELIVERY_BOUNCED,      /* sent, then a bounce came back */
  MS_DELIVERY_CANCELLED,
} MsDeliveryState;

#define MS_DELIVERY_N_STATES 9

/* A server as a campaign sees it now. */
typedef enum
{
  MS_SERVER_STATE_READY,         /* may send */
  MS_SERVER_STATE_SENDING,       /* connections are sending */
  MS_SERVER_STATE_QUOTA_FULL,    /* a window is full until it reopens */
  MS_SERVER_STATE_COOLING_DOWN,  /* after an account-level reply, until cooldown-until */
  MS_SERVER_STATE_STOPPED,       /* authentication or TLS refused: the profile must be fixed */
  MS_SERVER_STATE_DISABLED,      /* switched off in its profile */
  MS_SERVER_STATE_UNUSABLE,      /* cannot send this campaign (size, sender, DKIM key ...) */
} MsServerState;

#define MS_TYPE_CAMPAIGN_STATE (ms_campaign_state_get_type ())
#define MS_TYPE_DELIVERY_STATE (ms_delivery_state_get_type ())
#define MS_TYPE_SERVER_STATE   (ms_server_state_get_type ())

GType        ms_campaign_state_get_type      (void) G_GNUC_CONST;
GType        ms_delivery_state_get_type      (void) G_GNUC_CONST;
GType        ms_server_state_get_type        (void) G_GNUC_CONST;
GQuark       ms_campaign_error_quark         (void);

/* The database and CLI spellings: "draft", "scheduled", "running", ...;
 * "queued", "sending", "data-sent", ...; "ready", "sending", "quota-full",
 * "cooling-down", "stopped", "disabled", "unusable". */
const char  *ms_campaign_state_to_string     (MsCampaignState   state);
gboolean     ms_campaign_state_from_string   (const char       *text,
                                              MsCampaignState  *state);
/* Words for people: "Draft", "Waiting", ... */
const char  *ms_campaign_state_to_label      (MsCampaignState   state);
const char  *ms_delivery_state_to_string     (MsDeliveryState   state);
gboolean     ms_delivery_state_from_string   (const char       *text,
                                              MsDeliveryState  *state);
const char  *ms_server_state_to_string       (MsServerState     state);
const char  *ms_server_state_to_label        (MsServerState     state);

/* Send windows: hours (minutes after local midnight) and weekdays.  A window
 * whose end is before its start runs past midnight (22:00-06:00); the weekday is
 * that of its start.  start < 0 means any time of the chosen days. */
typedef enum
{
  MS_WEEKDAY_MONDAY    = 1 << 0,
  MS_WEEKDAY_TUESDAY   = 1 << 1,
  MS_WEEKDAY_WEDNESDAY = 1 << 2,
  MS_WEEKDAY_THURSDAY  = 1 << 3,
  MS_WEEKDAY_FRIDAY    = 1 << 4,
  MS_WEEKDAY_SATURDAY  = 1 << 5,
  MS_WEEKDAY_SUNDAY    = 1 << 6,
} MsWeekday;

#define MS_WEEKDAYS_ALL 0x7f

typedef struct
{
  int   start;   /* 0 to 1439, or -1 */
  int   end;     /* 0 to 1440 */
  guint days;    /* MsWeekday bits; 0 never opens */
} MsSendWindow;

#define MS_SEND_WINDOW_ALWAYS { -1, -1, MS_WEEKDAYS_ALL }

/* "09:00-17:30" (24:00 allowed as an end). */
gboolean     ms_send_window_parse_hours      (const char          *text,
                                              int                 *start,
                                              int                 *end,
                                              GError             **error);
/* "mon,tue,fri" (also full English names, any case; "all" and "weekdays"). */
gboolean     ms_send_window_parse_days       (const char          *text,
                                              guint               *days,
                                              GError             **error);
char        *ms_send_window_format_hours     (const MsSendWindow  *window);   /* NULL for any time */
char        *ms_send_window_format_days      (guint                days);     /* "mon,tue" */
gboolean     ms_send_window_is_always        (const MsSendWindow  *window);
gboolean     ms_send_window_is_open          (const MsSendWindow  *window,
                                              GDateTime           *time);
/* @time when the window is open then, else its next opening (in @time's zone);
 * NULL when it never opens. */
GDateTime   *ms_send_window_next_open        (const MsSendWindow  *window,
                                              GDateTime           *time);
/* The same in unix milliseconds, local time: G_MAXINT64 when never. */
gint64       ms_send_window_next_open_ms     (const MsSendWindow  *window,
                                              gint64               time_ms);

/* A server's part in a campaign, as shown live. */
typedef struct
{
  gint64         server_id;
  char          *name;
  MsServerState  state;
  gint64         cooldown_until;   /* unix seconds; 0 when not cooling down */
  char          *reason;           /* the server's words, or why it cannot send; may be NULL */
  guint          connections;      /* open now */
  guint64        sent;             /* by this campaign, this run */
  GArray        *windows;          /* MsQuotaWindowStatus, shortest first (times in ms) */
} MsServerStatus;

#define MS_TYPE_SERVER_STATUS (ms_server_status_get_type ())

GType           ms_server_status_get_type    (void) G_GNUC_CONST;
MsServerStatus *ms_server_status_new         (gint64                server_id,
                                              const char           *name);
MsServerStatus *ms_server_status_copy        (const MsServerStatus *self);
void            ms_server_status_free        (MsServerStatus       *self);

/* A list chosen for a campaign. */
typedef struct
{
  gint64    list_id;
  char     *name;
  gboolean  exclude;
} MsCampaignList;

/* A campaign: its settings (a row of `campaigns` with its lists and servers) and,
 * while the engine sends it, its live progress.  Every property notifies on change
 * only; the engine changes them on the main context that started it, at most ten
 * times a second. */
#define MS_TYPE_CAMPAIGN (ms_campaign_get_type ())

G_DECLARE_FINAL_TYPE (MsCampaign, ms_campaign, MS, CAMPAIGN, GObject)

MsCampaign      *ms_campaign_new                 (const char      *name);

gint64           ms_campaign_get_id              (MsCampaign      *self);
void             ms_campaign_set_id              (MsCampaign      *self,
                                                  gint64           id);
const char      *ms_campaign_get_name            (MsCampaign      *self);
void             ms_campaign_set_name            (MsCampaign      *self,
                                                  const char      *name);
gint64           ms_campaign_get_template_id     (MsCampaign      *self);
void             ms_campaign_set_template_id     (MsCampaign      *self,
                                                  gint64           id);
/* The template's name (the frozen copy's once the campaign started). */
const char      *ms_campaign_get_template_name   (MsCampaign      *self);
void             ms_campaign_set_template_name   (MsCampaign      *self,
                                                  const char      *name);
MsCampaignState  ms_campaign_get_state           (MsCampaign      *self);
void             ms_campaign_set_state           (MsCampaign      *self,
                                                  MsCampaignState  state);
/* Why it waits or was paused, in words; NULL when it needs none. */
const char      *ms_campaign_get_reason          (MsCampaign      *self);
void             ms_campaign_set_reason          (MsCampaign      *self,
                                                  const char      *reason);
/* Unix seconds; 0 when unset. */
gint64           ms_campaign_get_wait_until      (MsCampaign      *self);
void             ms_campaign_set_wait_until      (MsCampaign      *self,
                                                  gint64           unix_time);
gint64           ms_campaign_get_start_at        (MsCampaign      *self);
void             ms_campaign_set_start_at        (MsCampaign      *self,
                                                  gint64           unix_time);
void             ms_campaign_get_window          (MsCampaign      *self,
                                                  MsSendWindow    *window);
void             ms_campaign_set_window          (MsCampaign      *self,
                                                  const MsSendWindow *window);
gint64           ms_campaign_get_created_at      (MsCampaign      *self);
void             ms_campaign_set_created_at      (MsCampaign      *self,
                                                  gint64           unix_time);
gint64           ms_campaign_get_started_at      (MsCampaign      *self);
void             ms_campaign_set_started_at      (MsCampaign      *self,
                                                  gint64           unix_time);
gint64           ms_campaign_get_finished_at     (MsCampaign      *self);
void             ms_campaign_set_finished_at     (MsCampaign      *self,
                                                  gint64           unix_time);

/* Lists and exclusion lists (element type MsCampaignList, in the order added). */
const GPtrArray *ms_campaign_get_lists           (MsCampaign      *self);
void             ms_campaign_add_list            (MsCampaign      *self,
                                                  gint64           list_id,
                                                  const char      *name,
                                                  gboolean         exclude);
void             ms_campaign_clear_lists         (MsCampaign      *self);
/* The servers in rotation order. */
const gint64    *ms_campaign_get_server_ids      (MsCampaign      *self,
                                                  guint           *n_servers);
void             ms_campaign_set_server_ids      (MsCampaign      *self,
                                                  const gint64    *ids,
                                                  guint            n_servers);

/* Counts per delivery state; "total" is every delivery (suppressed ones too).
 * Before the deliveries exist (drafts) the counts are the audience: queued and
 * suppressed. */
gint64           ms_campaign_get_count           (MsCampaign      *self,
                                                  MsDeliveryState  state);
void             ms_campaign_set_counts          (MsCampaign      *self,
                                                  const gint64    *counts);   /* MS_DELIVERY_N_STATES */
gint64           ms_campaign_get_total           (MsCampaign      *self);
/* Deliveries in a final state (sent, failed, uncertain, suppressed, bounced,
 * cancelled) over the total; 0 to 1. */
double           ms_campaign_get_fraction        (MsCampaign      *self);

/* Live: messages a minute over the last minute, the estimated end (unix seconds,
 * 0 unknown), messages per minute of the last hour (oldest first, 60 values),
 * and the servers in rotation order (element type MsServerStatus). */
double           ms_campaign_get_send_rate       (MsCampaign      *self);
void             ms_campaign_set_send_rate       (MsCampaign      *self,
                                                  double           per_minute);
gint64           ms_campaign_get_eta             (MsCampaign      *self);
void             ms_campaign_set_eta             (MsCampaign      *self,
                                                  gint64           unix_time);
GArray          *ms_campaign_get_rate_history    (MsCampaign      *self);
void             ms_campaign_set_rate_history    (MsCampaign      *self,
                                                  GArray          *per_minute);  /* of guint */
GPtrArray       *ms_campaign_get_servers         (MsCampaign      *self);
void             ms_campaign_set_servers         (MsCampaign      *self,
                                                  GPtrArray       *servers);     /* of MsServerStatus */

/* The tag naming the campaign in headers and tokens: "c<id>". */
char            *ms_campaign_dup_tag             (MsCampaign      *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsServerStatus, ms_server_status_free)

G_END_DECLS

/* ms-mailbox-apply.c
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

#define G_LOG_DOMAIN "ms-mailbox"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-bounce.h"
#include "ms-mailbox-check-private.h"
#include "ms-message.h"
#include "ms-store-private.h"

/* What came back, applied to the store (DESIGN.md §8).  Every function here
 * runs inside the transaction of one message. */

#define MAX_REASON_DIAGNOSTIC 300
#define MAX_STREAK_DELIVERIES 100

typedef struct
{
  MsStore                     *store;
  gint64                       server_id;
  gint64                       now;
  const MsMailboxCheckOptions *options;
  const MsBounceReport        *report;
  MsMailboxCheckResult         counts;
} Apply;

/* A delivery the report is about. */
typedef struct
{
  gint64  delivery_id;
  gint64  campaign_id;
  gint64  contact_id;
  char   *email;
} Match;

static void
match_clear (Match *match)
{
  g_clear_pointer (&match->email, g_free);
  memset (match, 0, sizeof *match);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Match, match_clear)

static gboolean
fail (Apply         *self,
      sqlite3_stmt  *stmt,
      GError       **error)
{
  _ms_store_fail (self->store, sqlite3_extended_errcode (_ms_store_get_db (self->store)), error);
  sqlite3_reset (stmt);
  return FALSE;
}

static void
bind_id (sqlite3_stmt *stmt,
         int           index,
         gint64        id)
{
  if (id > 0)
    sqlite3_bind_int64 (stmt, index, id);
  else
    sqlite3_bind_null (stmt, index);
}

/* Finding the delivery */

/* Runs a query of (id, campaign_id, contact_id, email) and keeps its first row. */
static gboolean
read_match (Apply         *self,
            sqlite3_stmt  *stmt,
            Match         *match,
            gboolean      *found,
            GError       **error)
{
  int rc = sqlite3_step (stmt);

  *found = FALSE;
  if (rc == SQLITE_ROW)
    {
      match_clear (match);
      match->delivery_id = sqlite3_column_int64 (stmt, 0);
      match->campaign_id = sqlite3_column_int64 (stmt, 1);
      match->contact_id = sqlite3_column_int64 (stmt, 2);
      match->email = g_strdup ((const char *) sqlite3_column_text (stmt, 3));
      *found = TRUE;
    }
  else if (rc != SQLITE_DONE)
    return fail (self, stmt, error);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
find_by_message_id (Apply       *self,
                    Match       *match,
                    gboolean    *found,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  *found = FALSE;
  if (self->report->original_message_id == NULL)
    return TRUE;
  stmt = _ms_store_prepare (self->store,
                            "SELECT id, campaign_id, coalesce (contact_id, 0), email FROM deliveries "
                            "WHERE message_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _ms_store_bind_text (stmt, 1, self->report->original_message_id);
  return read_match (self, stmt, match, found, error);
}

/* "c42" (ms_campaign_dup_tag()), alone or as the start of a token "c42.XXXX". */
static gint64
campaign_id_from_tag (const char *text)
{
  g_autofree char *digits = NULL;
  guint64 id = 0;
  const char *end;

  if (text == NULL || text[0] != 'c')
    return 0;
  end = text + 1;
  while (g_ascii_isdigit (*end))
    end++;
  if (end == text + 1 || (*end != '\0' && *end != '.'))
    return 0;
  digits = g_strndup (text + 1, end - text - 1);
  if (!g_ascii_string_to_unsigned (digits, 10, 1, G_MAXINT64, &id, NULL))
    return 0;
  return (gint64) id;
}

static gint64
report_campaign_id (const MsBounceReport *report)
{
  gint64 id = campaign_id_from_tag (report->campaign);

  return id > 0 ? id : campaign_id_from_tag (report->delivery);
}

static gboolean
find_in_campaign (Apply       *self,
                  gint64       campaign_id,
                  const char  *address,
                  Match       *match,
                  gboolean    *found,
                  GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self->store,
                            "SELECT id, campaign_id, coalesce (contact_id, 0), email FROM deliveries "
                            "WHERE campaign_id = ?1 AND email = ?2 COLLATE NOCASE LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  _ms_store_bind_text (stmt, 2, address);
  return read_match (self, stmt, match, found, error);
}

static gboolean
find_recent (Apply       *self,
             const char  *address,
             Match       *match,
             gboolean    *found,
             GError     **error)
{
  sqlite3_stmt *stmt;
  guint days = self->options->match_days > 0 ? self->options->match_days : 60;

  stmt = _ms_store_prepare (self->store,
                            "SELECT id, campaign_id, coalesce (contact_id, 0), email FROM deliveries "
                            "WHERE email = ?1 COLLATE NOCASE AND updated_at >= ?2 "
                            "AND (state = 'sent' OR state = 'bounced' OR state = 'uncertain' "
                            "OR state = 'data-sent') ORDER BY id DESC LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _ms_store_bind_text (stmt, 1, address);
  sqlite3_bind_int64 (stmt, 2, self->now - (gint64) days * 24 * 3600);
  return read_match (self, stmt, match, found, error);
}

/* The key of the campaign's tokens; NULL without an error when it has none. */
static gboolean
campaign_secret (Apply   *self,
                 gint64   campaign_id,
                 char   **out_secret,
                 GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_secret = NULL;
  stmt = _ms_store_prepare (self->store, "SELECT token_secret FROM campaigns WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) == SQLITE_TEXT)
    *out_secret = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail (self, stmt, error);
  sqlite3_reset (stmt);
  return TRUE;
}

/* The delivery of the campaign whose address the token proves: a report that
 * quotes our header but not the address (a redacted complaint, an auto-reply
 * from an alias). */
static gboolean
find_by_token (Apply       *self,
               gint64       campaign_id,
               const char  *token,
               Match       *match,
               gboolean    *found,
               GError     **error)
{
  g_autofree char *secret = NULL;
  sqlite3_stmt *stmt;
  int rc;

  *found = FALSE;
  if (!campaign_secret (self, campaign_id, &secret, error))
    return FALSE;
  if (secret == NULL)
    return TRUE;

  stmt = _ms_store_prepare (self->store,
                            "SELECT id, campaign_id, coalesce (contact_id, 0), email FROM deliveries "
                            "WHERE campaign_id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, campaign_id);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *email = (const char *) sqlite3_column_text (stmt, 3);

      if (email != NULL && ms_message_verify_unsubscribe_token (secret, token, email, NULL))
        {
          match_clear (match);
          match->delivery_id = sqlite3_column_int64 (stmt, 0);
          match->campaign_id = sqlite3_column_int64 (stmt, 1);
          match->contact_id = sqlite3_column_int64 (stmt, 2);
          match->email = g_strdup (email);
          *found = TRUE;
          break;
        }
    }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail (self, stmt, error);
  sqlite3_reset (stmt);
  return TRUE;
}

/* Our header or the quoted Message-ID first; then the address within the
 * campaign the report names; then the address among recent deliveries. */
static gboolean
find_delivery (Apply       *self,
               const char  *address,
               const char  *alias,
               Match       *match,
               gboolean    *found,
               GError     **error)
{
  const char *addresses[] = { alias, address };
  gint64 campaign_id;

  *found = FALSE;
  if (!find_by_message_id (self, match, found, error))
    return FALSE;
  if (*found)
    return TRUE;

  campaign_id = report_campaign_id (self->report);
  if (campaign_id > 0)
    {
      for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
        {
          if (addresses[i] == NULL)
            continue;
          if (!find_in_campaign (self, campaign_id, addresses[i], match, found, error))
            return FALSE;
          if (*found)
            return TRUE;
        }
      if (self->report->delivery != NULL)
        {
          if (!find_by_token (self, campaign_id, self->report->delivery, match, found, error))
            return FALSE;
          if (*found)
            return TRUE;
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (addresses); i++)
    {
      if (addresses[i] == NULL)
        continue;
      if (!find_recent (self, addresses[i], match, found, error))
        return FALSE;
      if (*found)
        return TRUE;
    }
  return TRUE;
}

/* The bounces table */

static gboolean
is_recorded (Apply       *self,
             const char  *kind,
             const Match *match,
             const char  *recipient,
             const char  *status,
             gboolean    *recorded,
             GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (self->store,
                            "SELECT 1 FROM bounces WHERE kind = ?1 AND delivery_id IS ?2 "
                            "AND contact_id IS ?3 AND recipient IS ?4 AND status IS ?5 LIMIT 1",
                            error);
  if (stmt == NULL)
    return FALSE;
  _ms_store_bind_text (stmt, 1, kind);
  bind_id (stmt, 2, match->delivery_id);
  bind_id (stmt, 3, match->contact_id);
  _ms_store_bind_text (stmt, 4, recipient);
  _ms_store_bind_text (stmt, 5, status);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail (self, stmt, error);
  *recorded = rc == SQLITE_ROW;
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
record_report (Apply                   *self,
               const char              *kind,
               const Match             *match,
               const char              *recipient,
               const MsBounceRecipient *r,
               const char              *diagnostic,
               GError                 **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self->store,
                            "INSERT INTO bounces (delivery_id, contact_id, server_id, kind, "
                            "recipient, status, reply_code, reason, hard, diagnostic, message_id, "
                            "received_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                            error);
  if (stmt == NULL)
    return FALSE;
  bind_id (stmt, 1, match->delivery_id);
  bind_id (stmt, 2, match->contact_id);
  bind_id (stmt, 3, self->server_id);
  _ms_store_bind_text (stmt, 4, kind);
  _ms_store_bind_text (stmt, 5, recipient);
  _ms_store_bind_text (stmt, 6, r != NULL ? r->status : NULL);
  if (r != NULL && r->replycode > 0)
    sqlite3_bind_int (stmt, 7, (int) r->replycode);
  else
    sqlite3_bind_null (stmt, 7);
  _ms_store_bind_text (stmt, 8, r != NULL ? r->reason : NULL);
  sqlite3_bind_int (stmt, 9, r != NULL && r->hard);
  _ms_store_bind_text (stmt, 10, diagnostic != NULL ? diagnostic : r != NULL ? r->diagnostic : NULL);
  _ms_store_bind_text (stmt, 11, self->report->original_message_id);
  sqlite3_bind_int64 (stmt, 12, self->now);
  return _ms_store_step_done (self->store, stmt, error);
}

/* Contacts and deliveries */

/* Sets the contact's status when its current one is @from (NULL: any other
 * than @status); *changed tells whether a row changed. */
static gboolean
set_contact_status (Apply       *self,
                    gint64       contact_id,
                    const char  *status,
                    const char  *from,
                    const char  *reason,
                    gboolean    *changed,
                    GError     **error)
{
  sqlite3_stmt *stmt;

  *changed = FALSE;
  if (contact_id <= 0)
    return TRUE;
  stmt = _ms_store_prepare (self->store,
                            "UPDATE contacts SET status = ?2, status_reason = ?3, status_time = ?4, "
                            "updated_at = ?4 WHERE id = ?1 AND status <> ?2 "
                            "AND (?5 IS NULL OR status = ?5)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  _ms_store_bind_text (stmt, 2, status);
  _ms_store_bind_text (stmt, 3, reason);
  sqlite3_bind_int64 (stmt, 4, self->now);
  _ms_store_bind_text (stmt, 5, from);
  if (!_ms_store_step_done (self->store, stmt, error))
    return FALSE;
  *changed = sqlite3_changes (_ms_store_get_db (self->store)) > 0;
  return TRUE;
}

static gboolean
mark_delivery_bounced (Apply   *self,
                       gint64   delivery_id,
                       GError **error)
{
  sqlite3_stmt *stmt;

  if (delivery_id <= 0)
    return TRUE;
  stmt = _ms_store_prepare (self->store,
                            "UPDATE deliveries SET state = 'bounced', updated_at = ?2 WHERE id = ?1 "
                            "AND (state = 'sent' OR state = 'uncertain' OR state = 'data-sent')",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, delivery_id);
  sqlite3_bind_int64 (stmt, 2, self->now);
  return _ms_store_step_done (self->store, stmt, error);
}

/* How many of the contact's latest sent deliveries soft-bounced, newest first
 * until one did not. */
static gboolean
soft_bounce_streak (Apply   *self,
                    gint64   contact_id,
                    guint   *streak,
                    GError **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *streak = 0;
  stmt = _ms_store_prepare (self->store,
                            "SELECT EXISTS (SELECT 1 FROM bounces b WHERE b.delivery_id = d.id "
                            "AND b.kind = 'bounce' AND b.hard = 0) FROM deliveries d "
                            "WHERE d.contact_id = ?1 AND (d.state = 'sent' OR d.state = 'bounced') "
                            "ORDER BY d.id DESC LIMIT ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int (stmt, 2, MAX_STREAK_DELIVERIES);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW && sqlite3_column_int (stmt, 0))
    (*streak)++;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return fail (self, stmt, error);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
set_soft_bounces (Apply   *self,
                  gint64   contact_id,
                  guint    count,
                  GError **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self->store,
                            "UPDATE contacts SET soft_bounces = ?2, updated_at = ?3 WHERE id = ?1",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, contact_id);
  sqlite3_bind_int (stmt, 2, (int) MIN (count, G_MAXINT));
  sqlite3_bind_int64 (stmt, 3, self->now);
  return _ms_store_step_done (self->store, stmt, error);
}

/* "The address does not exist: 550 5.1.1 <a@b>: Recipient address rejected" */
static char *
describe_failure (const MsBounceRecipient *r)
{
  const char *words = ms_bounce_reason_describe (r->reason);
  g_autofree char *detail = NULL;

  if (r->diagnostic != NULL && r->diagnostic[0] != '\0')
    detail = g_utf8_make_valid (r->diagnostic, -1);
  if (detail != NULL && g_utf8_strlen (detail, -1) > MAX_REASON_DIAGNOSTIC)
    {
      g_autofree char *cut = g_utf8_substring (detail, 0, MAX_REASON_DIAGNOSTIC);

      g_free (detail);
      detail = g_strconcat (cut, "…", NULL);
    }
  if (detail == NULL && r->status != NULL)
    detail = g_strdup (r->status);
  if (detail == NULL)
    return g_strdup (words);
  /* TRANSLATORS: a bounce reason in words, then the remote server's words */
  return g_strdup_printf (_("%s: %s"), words, detail);
}

static gboolean
apply_recipient (Apply                   *self,
                 const MsBounceRecipient *r,
                 GError                 **error)
{
  g_auto(Match) match = { 0 };
  gboolean found = FALSE, recorded = FALSE, changed = FALSE;
  const char *recipient = r->alias != NULL ? r->alias : r->address;

  if (g_strcmp0 (r->reason, "delivered") == 0 || r->address == NULL)
    return TRUE;
  if (!find_delivery (self, r->address, r->alias, &match, &found, error))
    return FALSE;
  if (found)
    recipient = match.email;
  if (!is_recorded (self, "bounce", &match, recipient, r->status, &recorded, error))
    return FALSE;
  if (recorded)
    {
      /* Read again: an unmatched report stays unmatched. */
      if (found)
        self->counts.duplicates++;
      else
        self->counts.unmatched++;
      return TRUE;
    }
  if (!record_report (self, "bounce", &match, recipient, r, NULL, error))
    return FALSE;
  if (!found)
    {
      g_debug ("A bounce for %s matches no delivery", r->address);
      self->counts.unmatched++;
      return TRUE;
    }

  self->counts.bounces++;
  if (!mark_delivery_bounced (self, match.delivery_id, error))
    return FALSE;
  if (match.contact_id <= 0)
    return TRUE;

  if (r->hard)
    {
      g_autofree char *reason = describe_failure (r);

      self->counts.hard_bounces++;
      if (!set_contact_status (self, match.contact_id, "bounced", "active", reason, &changed, error))
        return FALSE;
      if (changed)
        self->counts.suppressed++;
      return TRUE;
    }
  else
    {
      guint limit = self->options->soft_bounce_limit > 0 ? self->options->soft_bounce_limit : 3;
      guint streak = 0;

      if (!soft_bounce_streak (self, match.contact_id, &streak, error)
          || !set_soft_bounces (self, match.contact_id, streak, error))
        return FALSE;
      if (streak >= limit)
        {
          g_autofree char *last = describe_failure (r);
          g_autofree char *reason = NULL;

          reason = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u soft bounce in a row, the last: %s",
                                                 "%u soft bounces in a row, the last: %s", streak),
                                    streak, last);
          if (!set_contact_status (self, match.contact_id, "bounced", "active", reason, &changed,
                                   error))
            return FALSE;
          if (changed)
            self->counts.suppressed++;
        }
    }
  return TRUE;
}

static const char *
first_address (const MsBounceReport *report,
               const char          **alias)
{
  *alias = NULL;
  for (guint i = 0; i < report->recipients->len; i++)
    {
      const MsBounceRecipient *r = g_ptr_array_index (report->recipients, i);

      if (r->address != NULL)
        {
          *alias = r->alias;
          return r->address;
        }
    }
  return NULL;
}

static gboolean
apply_complaint (Apply   *self,
                 GError **error)
{
  g_auto(Match) match = { 0 };
  const char *alias = NULL;
  const char *address = first_address (self->report, &alias);
  gboolean found = FALSE, recorded = FALSE, changed = FALSE;
  g_autofree char *reason = NULL;

  if (!find_delivery (self, address, alias, &match, &found, error))
    return FALSE;
  if (!is_recorded (self, "complaint", &match, found ? match.email : address, NULL, &recorded, error))
    return FALSE;
  if (recorded)
    {
      if (found && match.contact_id > 0)
        self->counts.duplicates++;
      else
        self->counts.unmatched++;
      return TRUE;
    }
  if (!record_report (self, "complaint", &match, found ? match.email : address, NULL,
                      self->report->feedback_type, error))
    return FALSE;
  if (!found || match.contact_id <= 0)
    {
      g_debug ("A complaint about %s matches no delivery", address != NULL ? address : "?");
      self->counts.unmatched++;
      return TRUE;
    }

  self->counts.complaints++;
  if (self->report->feedback_type != NULL)
    /* TRANSLATORS: %s is the kind of report, such as "abuse" */
    reason = g_strdup_printf (_("Reported a campaign message as spam (%s)"),
                              self->report->feedback_type);
  else
    reason = g_strdup (_("Reported a campaign message as spam"));
  if (!set_contact_status (self, match.contact_id, "complained", "active", reason, &changed, error))
    return FALSE;
  if (changed)
    self->counts.suppressed++;
  else if (!set_contact_status (self, match.contact_id, "complained", NULL, reason, &changed, error))
    return FALSE;
  return TRUE;
}

static gboolean
apply_autoreply (Apply   *self,
                 GError **error)
{
  g_auto(Match) match = { 0 };
  const char *alias = NULL;
  const char *address = first_address (self->report, &alias);
  const MsBounceRecipient *r = NULL;
  gboolean found = FALSE, recorded = FALSE;

  if (address == NULL)
    address = self->report->from;
  if (self->report->recipients->len > 0)
    r = g_ptr_array_index (self->report->recipients, 0);
  if (!find_delivery (self, address, alias, &match, &found, error))
    return FALSE;
  if (!found)
    {
      self->counts.other++;
      return TRUE;
    }
  if (!is_recorded (self, "autoreply", &match, match.email, NULL, &recorded, error))
    return FALSE;
  if (recorded)
    {
      self->counts.duplicates++;
      return TRUE;
    }
  if (!record_report (self, "autoreply", &match, match.email, NULL,
                      r != NULL ? r->diagnostic : self->report->subject, error))
    return FALSE;
  self->counts.autoreplies++;
  return TRUE;
}

/* The address whose token the request carries: the sender's, else (a request
 * sent from another address of the person) any recipient of the campaign. */
static gboolean
verify_unsubscribe (Apply   *self,
                    char   **out_email,
                    gint64  *out_campaign_id,
                    GError **error)
{
  g_autofree char *campaign = NULL;
  g_autofree char *secret = NULL;
  gint64 campaign_id;
  g_auto(Match) match = { 0 };
  gboolean found = FALSE;

  *out_email = NULL;
  *out_campaign_id = 0;
  ms_bounce_report_verify_unsubscribe (self->report, NULL, "", &campaign);
  campaign_id = campaign_id_from_tag (campaign);
  if (campaign_id <= 0)
    return TRUE;
  if (!campaign_secret (self, campaign_id, &secret, error))
    return FALSE;
  if (secret == NULL)
    return TRUE;

  *out_campaign_id = campaign_id;
  if (self->report->from != NULL
      && ms_bounce_report_verify_unsubscribe (self->report, secret, NULL, NULL))
    {
      *out_email = g_strdup (self->report->from);
      return TRUE;
    }
  if (!find_by_token (self, campaign_id, self->report->unsubscribe_token, &match, &found, error))
    return FALSE;
  if (found)
    *out_email = g_steal_pointer (&match.email);
  return TRUE;
}

static gboolean
find_contact (Apply       *self,
              const char  *email,
              gint64      *contact_id,
              GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *contact_id = 0;
  stmt = _ms_store_prepare (self->store, "SELECT id FROM contacts WHERE email = ?1 COLLATE NOCASE",
                            error);
  if (stmt == NULL)
    return FALSE;
  _ms_store_bind_text (stmt, 1, email);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *contact_id = sqlite3_column_int64 (stmt, 0);
  else if (rc != SQLITE_DONE)
    return fail (self, stmt, error);
  sqlite3_reset (stmt);
  return TRUE;
}

static gboolean
apply_unsubscribe (Apply   *self,
                   GError **error)
{
  g_autofree char *email = NULL;
  g_auto(Match) match = { 0 };
  gint64 campaign_id = 0;
  gboolean found = FALSE, recorded = FALSE, changed = FALSE;

  if (!verify_unsubscribe (self, &email, &campaign_id, error))
    return FALSE;
  if (email == NULL)
    {
      g_message ("Ignored an unsubscribe request from %s: its token (%s) does not verify",
                 self->report->from != NULL ? self->report->from : "an unknown sender",
                 self->report->unsubscribe_token != NULL ? self->report->unsubscribe_token : "none");
      self->counts.unmatched++;
      return TRUE;
    }

  if (!find_in_campaign (self, campaign_id, email, &match, &found, error))
    return FALSE;
  if (!found)
    {
      match_clear (&match);
      if (!find_contact (self, email, &match.contact_id, error))
        return FALSE;
      match.email = g_strdup (email);
    }
  if (match.contact_id <= 0)
    {
      g_message ("An unsubscribe request for %s names no contact any more", email);
      self->counts.unmatched++;
      return TRUE;
    }
  if (!is_recorded (self, "unsubscribe", &match, match.email, NULL, &recorded, error))
    return FALSE;
  if (recorded)
    {
      self->counts.duplicates++;
      return TRUE;
    }
  if (!record_report (self, "unsubscribe", &match, match.email, NULL, self->report->subject, error))
    return FALSE;
  self->counts.unsubscribes++;
  if (!set_contact_status (self, match.contact_id, "unsubscribed", "active",
                           _("Asked to unsubscribe by email"), &changed, error))
    return FALSE;
  if (changed)
    self->counts.suppressed++;
  return TRUE;
}

static gboolean
apply_report (Apply   *self,
              GError **error)
{
  if (self->report == NULL)
    {
      self->counts.other++;
      return TRUE;
    }
  switch (self->report->kind)
    {
    case MS_BOUNCE_KIND_BOUNCE:
      for (guint i = 0; i < self->report->recipients->len; i++)
        if (!apply_recipient (self, g_ptr_array_index (self->report->recipients, i), error))
          return FALSE;
      return TRUE;
    case MS_BOUNCE_KIND_COMPLAINT:
      return apply_complaint (self, error);
    case MS_BOUNCE_KIND_AUTOREPLY:
      return apply_autoreply (self, error);
    case MS_BOUNCE_KIND_UNSUBSCRIBE:
      return apply_unsubscribe (self, error);
    case MS_BOUNCE_KIND_OTHER:
    default:
      self->counts.other++;
      return TRUE;
    }
}

/* mailbox_seen */

static gboolean
record_seen (Apply                *self,
             const MsMailboxSeen  *seen,
             GError              **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (self->store,
                            "INSERT OR IGNORE INTO mailbox_seen (server_id, mailbox, uidvalidity, uid, "
                            "seen_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, self->server_id);
  _ms_store_bind_text (stmt, 2, seen->mailbox_not_ours != NULL
                                && !ms_mailbox_result_is_ours (&self->counts)
                                ? seen->mailbox_not_ours : seen->mailbox);
  sqlite3_bind_int64 (stmt, 3, seen->uidvalidity);
  _ms_store_bind_text (stmt, 4, seen->uid);
  sqlite3_bind_int64 (stmt, 5, self->now);
  return _ms_store_step_done (self->store, stmt, error);
}

gboolean
_ms_mailbox_seen_last_uid (MsStore     *store,
                           gint64       server_id,
                           const char  *mailbox,
                           guint32      uidvalidity,
                           guint32     *out_last,
                           gboolean    *out_other_validity,
                           GError     **error)
{
  sqlite3_stmt *stmt;
  int rc;

  *out_last = 0;
  *out_other_validity = FALSE;
  stmt = _ms_store_prepare (store,
                            "SELECT coalesce (max (CASE WHEN uidvalidity = ?3 THEN CAST (uid AS INTEGER) "
                            "END), 0), count (CASE WHEN uidvalidity <> ?3 THEN 1 END) FROM mailbox_seen "
                            "WHERE server_id = ?1 AND mailbox = ?2",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  _ms_store_bind_text (stmt, 2, mailbox);
  sqlite3_bind_int64 (stmt, 3, uidvalidity);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      gint64 last = sqlite3_column_int64 (stmt, 0);

      *out_last = (guint32) CLAMP (last, 0, G_MAXUINT32);
      *out_other_validity = sqlite3_column_int64 (stmt, 1) > 0;
    }
  else if (rc != SQLITE_DONE)
    {
      _ms_store_fail (store, sqlite3_extended_errcode (_ms_store_get_db (store)), error);
      sqlite3_reset (stmt);
      return FALSE;
    }
  sqlite3_reset (stmt);
  return TRUE;
}

gboolean
_ms_mailbox_seen_forget_other (MsStore     *store,
                               gint64       server_id,
                               const char  *mailbox,
                               guint32      uidvalidity,
                               GError     **error)
{
  sqlite3_stmt *stmt;

  stmt = _ms_store_prepare (store,
                            "DELETE FROM mailbox_seen WHERE server_id = ?1 AND mailbox = ?2 "
                            "AND uidvalidity <> ?3",
                            error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, server_id);
  _ms_store_bind_text (stmt, 2, mailbox);
  sqlite3_bind_int64 (stmt, 3, uidvalidity);
  return _ms_store_step_done (store, stmt, error);
}

GHashTable *
_ms_mailbox_seen_list (MsStore     *store,
                       gint64       server_id,
                       const char  *mailbox,
                       GError     **error)
{
  g_autoptr(GHashTable) set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  sqlite3_stmt *stmt;
  int rc;

  stmt = _ms_store_prepare (store,
                            "SELECT uid FROM mailbox_seen WHERE server_id = ?1 AND mailbox = ?2",
                            error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_int64 (stmt, 1, server_id);
  _ms_store_bind_text (stmt, 2, mailbox);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (set, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  if (rc != SQLITE_DONE)
    {
      _ms_store_fail (store, sqlite3_extended_errcode (_ms_store_get_db (store)), error);
      sqlite3_reset (stmt);
      return NULL;
    }
  sqlite3_reset (stmt);
  return g_steal_pointer (&set);
}

gboolean
_ms_mailbox_seen_prune (MsStore     *store,
                        gint64       server_id,
                        const char  *mailbox,
                        GHashTable  *present,
                        GError     **error)
{
  g_autoptr(GHashTable) known = _ms_mailbox_seen_list (store, server_id, mailbox, error);
  GHashTableIter iter;
  gpointer uid;
  gboolean own;

  if (known == NULL)
    return FALSE;
  own = !ms_store_in_transaction (store);
  if (own && !ms_store_begin (store, error))
    return FALSE;

  g_hash_table_iter_init (&iter, known);
  while (g_hash_table_iter_next (&iter, &uid, NULL))
    {
      sqlite3_stmt *stmt;

      if (g_hash_table_contains (present, uid))
        continue;
      stmt = _ms_store_prepare (store,
                                "DELETE FROM mailbox_seen WHERE server_id = ?1 AND mailbox = ?2 "
                                "AND uid = ?3",
                                error);
      if (stmt == NULL)
        goto failed;
      sqlite3_bind_int64 (stmt, 1, server_id);
      _ms_store_bind_text (stmt, 2, mailbox);
      _ms_store_bind_text (stmt, 3, uid);
      if (!_ms_store_step_done (store, stmt, error))
        goto failed;
    }
  return !own || ms_store_commit (store, error);

failed:
  if (own)
    ms_store_rollback (store);
  return FALSE;
}

/* One message */

gboolean
ms_mailbox_process_message (MsStore                     *store,
                            gint64                       server_id,
                            GBytes                      *raw,
                            const MsMailboxSeen         *seen,
                            const MsMailboxCheckOptions *options,
                            MsMailboxCheckResult        *result,
                            GError                     **error)
{
  g_autoptr(MsBounceReport) report = NULL;
  g_autoptr(GError) parse_error = NULL;
  MsMailboxCheckOptions defaults;
  Apply apply = { 0 };

  g_return_val_if_fail (MS_IS_STORE (store), FALSE);
  g_return_val_if_fail (raw != NULL, FALSE);
  g_return_val_if_fail (seen == NULL || (server_id > 0 && seen->mailbox != NULL && seen->uid != NULL),
                        FALSE);
  g_return_val_if_fail (!ms_store_in_transaction (store), FALSE);

  if (options == NULL)
    {
      ms_mailbox_check_options_init (&defaults);
      options = &defaults;
    }

  report = ms_bounce_parse (raw, &parse_error);
  if (report == NULL)
    g_debug ("Not a message: %s", parse_error->message);

  apply.store = store;
  apply.server_id = server_id;
  apply.now = g_get_real_time () / G_USEC_PER_SEC;
  apply.options = options;
  apply.report = report;

  if (!ms_store_begin (store, error))
    return FALSE;
  if (!apply_report (&apply, error) || (seen != NULL && !record_seen (&apply, seen, error)))
    {
      ms_store_rollback (store);
      return FALSE;
    }
  if (!ms_store_commit (store, error))
    return FALSE;

  apply.counts.fetched = 1;
  if (result != NULL)
    ms_mailbox_check_result_add (result, &apply.counts);
  return TRUE;
}

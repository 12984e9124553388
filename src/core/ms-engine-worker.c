/* ms-engine-worker.c
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

#define G_LOG_DOMAIN "ms-engine"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ms-engine-private.h"
#include "ms-sender.h"

/* One SMTP connection (or sendmail, or a folder) on its own thread.  For each job:
 * open the connection when it is closed, render the message, hand it over with the
 * engine's steps (envelope and body, then wait for the data-sent commit, then the
 * final dot), and report.  Nothing here touches the database. */

typedef struct
{
  MsEngineWorker *worker;
  MsEngineJob    *job;
  gboolean        requested;   /* MSG_COMMIT posted */
  gboolean        answered;    /* its acknowledgement was read */
} CommitState;

MsEngineFlag *
_ms_engine_flag_new (void)
{
  MsEngineFlag *flag = g_new0 (MsEngineFlag, 1);

  flag->ref = 1;
  return flag;
}

MsEngineFlag *
_ms_engine_flag_ref (MsEngineFlag *flag)
{
  g_atomic_int_inc (&flag->ref);
  return flag;
}

void
_ms_engine_flag_unref (MsEngineFlag *flag)
{
  if (flag != NULL && g_atomic_int_dec_and_test (&flag->ref))
    g_free (flag);
}

void
_ms_engine_job_free (MsEngineJob *job)
{
  if (job == NULL)
    return;
  g_clear_pointer (&job->stop, _ms_engine_flag_unref);
  g_clear_pointer (&job->delivery, ms_delivery_free);
  g_clear_pointer (&job->renderer, ms_message_renderer_unref);
  g_clear_pointer (&job->message, g_bytes_unref);
  g_free (job->envelope_from);
  g_clear_error (&job->error);
  g_clear_pointer (&job->reply, ms_smtp_reply_free);
  g_free (job->response);
  g_free (job);
}

MsEngineMsg *
_ms_engine_msg_new (MsEngineMsgKind kind)
{
  MsEngineMsg *msg = g_new0 (MsEngineMsg, 1);

  msg->kind = kind;
  return msg;
}

void
_ms_engine_msg_free (MsEngineMsg *msg)
{
  if (msg == NULL)
    return;
  /* A job travels back only with MSG_RESULT; others borrow it. */
  if (msg->kind == MSG_RESULT)
    _ms_engine_job_free (msg->job);
  g_free (msg);
}

void
_ms_engine_inbox_post (MsEngineInbox *inbox,
                       MsEngineMsg   *msg)
{
  gboolean was_empty;

  /* Only the first message into an empty inbox wakes the engine: it takes
   * everything waiting in one tick, and a message already waiting means that
   * tick is still to come (its sender woke the engine after pushing it). */
  g_async_queue_lock (inbox->queue);
  was_empty = g_async_queue_length_unlocked (inbox->queue) <= 0;
  g_async_queue_push_unlocked (inbox->queue, msg);
  g_async_queue_unlock (inbox->queue);
  if (was_empty)
    g_main_context_wakeup (inbox->context);
}

static void
post (MsEngineWorker  *self,
      MsEngineMsgKind  kind,
      MsEngineJob     *job)
{
  MsEngineMsg *msg = _ms_engine_msg_new (kind);

  msg->worker = self;
  msg->job = job;
  _ms_engine_inbox_post (self->inbox, msg);
}

static void
post_connection (MsEngineWorker *self,
                 gboolean        connected)
{
  MsEngineMsg *msg = _ms_engine_msg_new (MSG_CONNECTION);

  msg->worker = self;
  msg->connected = connected;
  _ms_engine_inbox_post (self->inbox, msg);
}

static void
request_commit (CommitState *state)
{
  if (state->requested)
    return;
  state->requested = TRUE;
  post (state->worker, MSG_COMMIT, state->job);
}

static gboolean
wait_for_commit (CommitState  *state,
                 GError      **error)
{
  gpointer ack;

  request_commit (state);
  if (state->answered)
    return state->job->committed;
  ack = g_async_queue_pop (state->worker->acks);
  state->answered = TRUE;
  state->job->committed = ack == MS_ENGINE_ACK_OK;
  state->job->aborted = !state->job->committed;
  if (!state->job->committed)
    g_set_error_literal (error, MS_ENGINE_ERROR, MS_ENGINE_ERROR_FAILED,
                         _("The delivery could not be recorded before sending, so it was not sent."));
  return state->job->committed;
}

/* MsSenderCommitFunc: between the body and the final dot. */
static gboolean
commit_cb (gpointer   user_data,
           GError   **error)
{
  CommitState *state = user_data;

  if (!wait_for_commit (state, error))
    return FALSE;
  state->job->dot_written = TRUE;
  return TRUE;
}

/* The reply that decided a failure, for the deliveries table. */
static MsSmtpReply *
error_reply (MsSender *sender)
{
  MsSmtpClient *client = ms_sender_get_smtp_client (sender);
  const MsSmtpReply *reply;

  if (client == NULL)
    return NULL;
  reply = ms_smtp_client_get_error_reply (client, NULL);
  return reply != NULL ? ms_smtp_reply_copy (reply) : NULL;
}

static gboolean
stopped (MsEngineWorker *self,
         MsEngineJob    *job)
{
  return g_atomic_int_get (&self->hold) || (job->stop != NULL && g_atomic_int_get (&job->stop->stop));
}

/* Renders the job's message once (also ahead of its turn); FALSE with the job's
 * failure set when it cannot be sent. */
static gboolean
render_job (MsEngineJob *job)
{
  g_autoptr(MsContact) fallback = NULL;
  MsContact *contact = job->delivery->contact;

  if (job->message != NULL)
    return TRUE;
  if (job->failure != MS_SMTP_FAILURE_NONE)
    return FALSE;
  if (contact == NULL)
    contact = fallback = ms_contact_new (job->delivery->email);
  job->message = ms_message_renderer_render (job->renderer, contact, job->delivery->message_id,
                                             &job->error);
  if (job->message == NULL)
    {
      job->failure = MS_SMTP_FAILURE_MESSAGE;
      return FALSE;
    }
  if (job->max_size > 0 && g_bytes_get_size (job->message) > job->max_size)
    {
      job->failure = MS_SMTP_FAILURE_MESSAGE;
      g_set_error (&job->error, MS_SMTP_ERROR, MS_SMTP_ERROR_TOO_BIG,
                   _("The message (%zu bytes) is larger than the server accepts "
                     "(%" PRIu64 " bytes)."),
                   g_bytes_get_size (job->message), job->max_size);
      g_clear_pointer (&job->message, g_bytes_unref);
      return FALSE;
    }
  return TRUE;
}

/* An envelope sent ahead for a message that will not follow can only be taken
 * back by hanging up. */
static void
drop_envelope_ahead (MsEngineWorker *self,
                     MsSender       *sender)
{
  if (!ms_sender_has_envelope_ahead (sender))
    return;
  ms_sender_close (sender, NULL);
  post_connection (self, FALSE);
}

/* Sends @job; @next, when given, is the job after it, whose envelope may go out
 * with this one's final dot (PIPELINING). */
static void
run_job (MsEngineWorker *self,
         MsSender       *sender,
         MsEngineJob    *job,
         MsEngineJob    *next)
{
  const char *recipients[] = { job->delivery->email, NULL };
  CommitState state = { self, job, job->committed, job->committed };
  gboolean was_open = ms_sender_is_open (sender);
  const char *response;

  if (stopped (self, job))
    {
      job->skipped = TRUE;
      drop_envelope_ahead (self, sender);
      return;
    }
  if (!was_open)
    {
      if (!ms_sender_open (sender, self->cancellable, &job->error))
        {
          job->failure = ms_sender_classify_error (sender, job->error);
          job->reply = error_reply (sender);
          ms_sender_close (sender, NULL);
          return;
        }
      post_connection (self, TRUE);
    }
  job->opened = TRUE;

  if (!render_job (job))
    {
      drop_envelope_ahead (self, sender);
      return;
    }
  if (next != NULL && !stopped (self, next) && render_job (next))
    {
      const char *next_recipients[] = { next->delivery->email, NULL };

      ms_sender_set_next (sender, next->message, next->envelope_from, next_recipients);
    }

  /* Unless the engine recorded it ahead, data-sent is asked for now: the commit
   * overlaps the envelope and the body on the wire; the final dot waits for it. */
  request_commit (&state);
  job->ok = ms_sender_send (sender, job->message, job->envelope_from, recipients, commit_cb, &state,
                            NULL, self->cancellable, &job->error);
  g_clear_pointer (&job->message, g_bytes_unref);
  /* Keep the acknowledgement queue in step with the jobs. */
  if (state.requested && !state.answered)
    wait_for_commit (&state, NULL);

  if (job->ok)
    {
      response = ms_sender_get_last_response (sender);
      job->response = g_strdup (response);
    }
  else
    {
      job->failure = ms_sender_classify_error (sender, job->error);
      job->reply = error_reply (sender);
    }
  if (!ms_sender_is_open (sender))
    post_connection (self, FALSE);
}

/* After a reply about the account or the connection, the jobs queued behind this
 * one are handed back untried until the engine clears the hold: no message goes
 * out between a "too many messages" and the cool-down it starts. */
static void
hold_after (MsEngineWorker *self,
            MsEngineJob    *job)
{
  if (job->ok || job->skipped)
    return;
  switch (job->failure)
    {
    case MS_SMTP_FAILURE_ACCOUNT:
    case MS_SMTP_FAILURE_AUTH:
    case MS_SMTP_FAILURE_TLS:
    case MS_SMTP_FAILURE_NETWORK:
      g_atomic_int_set (&self->hold, 1);
      break;
    case MS_SMTP_FAILURE_NONE:
    case MS_SMTP_FAILURE_RECIPIENT:
    case MS_SMTP_FAILURE_MESSAGE:
    case MS_SMTP_FAILURE_TEMPORARY:
    default:
      break;
    }
}

static gpointer
worker_thread (gpointer user_data)
{
  MsEngineWorker *self = user_data;
  g_autoptr(MsSender) sender = ms_sender_new_for_server (self->server, self->secrets);
  gpointer ahead = NULL;   /* taken from the queue early, to send its envelope ahead */

  for (;;)
    {
      gpointer item = ahead != NULL ? ahead
                                    : g_async_queue_timeout_pop (self->jobs, (guint64) self->idle_close_ms * 1000);

      ahead = NULL;
      if (item == NULL)
        {
          /* Idle: say goodbye to the server; the next job opens it again. */
          if (ms_sender_is_open (sender))
            {
              ms_sender_close (sender, self->cancellable);
              post_connection (self, FALSE);
            }
          continue;
        }
      if (item == (gpointer) self)
        break;

      /* Only when the next job is already waiting (never wait for one here), and
       * not with a pause between messages: a server would wait on its DATA. */
      if (ms_server_get_pause_ms (self->server) == 0)
        ahead = g_async_queue_try_pop (self->jobs);
      run_job (self, sender, item, ahead != NULL && ahead != (gpointer) self ? ahead : NULL);
      hold_after (self, item);
      post (self, MSG_RESULT, item);
      if (ms_server_get_pause_ms (self->server) > 0)
        g_usleep ((gulong) ms_server_get_pause_ms (self->server) * 1000);
    }

  if (ms_sender_is_open (sender))
    {
      ms_sender_close (sender, self->cancellable);
      post_connection (self, FALSE);
    }
  post (self, MSG_WORKER_GONE, NULL);
  return NULL;
}

MsEngineWorker *
_ms_engine_worker_new (MsEngineInbox *inbox,
                       MsServer      *server,
                       MsSecrets     *secrets,
                       guint          idle_close_ms)
{
  MsEngineWorker *self = g_new0 (MsEngineWorker, 1);
  g_autofree char *name = g_strdup_printf ("ms-send-%" PRId64, ms_server_get_id (server));

  self->inbox = inbox;
  self->server_id = ms_server_get_id (server);
  self->server = ms_server_copy (server);
  self->secrets = secrets != NULL ? g_object_ref (secrets) : NULL;
  self->idle_close_ms = MAX (idle_close_ms, 10);
  self->jobs = g_async_queue_new ();
  self->acks = g_async_queue_new ();
  self->cancellable = g_cancellable_new ();
  self->thread = g_thread_new (name, worker_thread, self);
  return self;
}

void
_ms_engine_worker_give (MsEngineWorker *self,
                        MsEngineJob    *job)
{
  g_assert (!self->retiring);

  /* self->assigned was counted when the engine chose this worker. */
  g_async_queue_push (self->jobs, job);
}

void
_ms_engine_worker_retire (MsEngineWorker *self)
{
  if (self->retiring)
    return;
  self->retiring = TRUE;
  g_async_queue_push (self->jobs, self);
}

void
_ms_engine_worker_free (MsEngineWorker *self)
{
  if (self == NULL)
    return;
  g_thread_join (self->thread);
  g_async_queue_unref (self->jobs);
  g_async_queue_unref (self->acks);
  g_object_unref (self->cancellable);
  g_object_unref (self->server);
  g_clear_object (&self->secrets);
  g_free (self);
}

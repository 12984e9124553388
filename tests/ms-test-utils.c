/* ms-test-utils.h
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

#define G_LOG_DOMAIN "ms-test"

#include "config.h"

#include <stdlib.h>

#include "ms-store.h"

#include "ms-test-utils.h"

/* Waiting */

static guint wait_timeout_s = 30;

/* How long ms_test_wait_until() waits before it fails the test. */
void
ms_test_set_wait_timeout (guint seconds)
{
  wait_timeout_s = seconds;
}

static gboolean
on_wait_timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
on_wait_tick_cb (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the default main context until @condition holds; fails the test after
 * the wait timeout.  The tick wakes the loop to look at the condition again. */
void
ms_test_wait_until (MsTestCondition  condition,
                    gpointer         data,
                    const char      *what)
{
  gboolean timed_out = FALSE;
  guint timeout_id = g_timeout_add_seconds (wait_timeout_s, on_wait_timeout_cb, &timed_out);
  guint tick_id = g_timeout_add (20, on_wait_tick_cb, NULL);

  while (!condition (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  g_source_remove (tick_id);
  if (timed_out)
    g_error ("Timed out after %u s waiting for %s", wait_timeout_s, what);
  g_source_remove (timeout_id);
}

/* A condition on a weak pointer: @data points to it. */
gboolean
ms_test_is_destroyed (gpointer data)
{
  return *(gpointer *) data == NULL;
}

/* Folders */

/* A new folder from the template @tmpl, as g_dir_make_tmp() */
char *
ms_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

void
ms_test_remove_tmp_dir (const char *dir)
{
  const char *argv[] = { "rm", "-rf", dir, NULL };

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
}

/* Creates a database at @path with every migration applied. */
void
ms_test_create_database (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsStore) store = ms_store_open (path, &error);

  g_assert_no_error (error);
}

/* A new folder in the build folder from the template @tmpl, as g_mkdtemp() */
char *
ms_test_make_built_dir (const char *tmpl)
{
  g_autofree char *path = g_test_build_filename (G_TEST_BUILT, tmpl, NULL);
  char *dir = g_mkdtemp (g_steal_pointer (&path));

  g_assert_nonnull (dir);
  return dir;
}

/* Makes the test CA and server certificates in @parent_dir/certs; returns that
 * folder, or NULL (and says why) when they could not be made. */
char *
ms_test_make_certificates (const char *parent_dir)
{
  g_autofree char *script = g_test_build_filename (G_TEST_DIST, "servers", "ms-make-test-certs.sh", NULL);
  g_autofree char *dir = g_build_filename (parent_dir, "certs", NULL);
  const char *argv[] = { "/bin/sh", script, dir, NULL };
  g_autoptr(GError) error = NULL;
  int status = -1;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                     NULL, NULL, NULL, NULL, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      g_printerr ("# could not make the test certificates: %s\n", error->message);
      return NULL;
    }
  return g_steal_pointer (&dir);
}

/* Logs */

static void
drop_log (const char     *domain,
          GLogLevelFlags  level,
          const char     *message,
          gpointer        user_data)
{
}

/* Drops the debug messages of the log domains up to NULL (thousands of protocol
 * lines), unless G_MESSAGES_DEBUG asks for them. */
void
ms_test_hide_debug (const char *domain,
                    ...)
{
  va_list ap;

  if (g_getenv ("G_MESSAGES_DEBUG") != NULL)
    return;
  va_start (ap, domain);
  for (const char *d = domain; d != NULL; d = va_arg (ap, const char *))
    g_log_set_handler (d, G_LOG_LEVEL_DEBUG, drop_log, NULL);
  va_end (ap);
}

/* The domain checks */

/* The item @id of a domain checklist's @items, or NULL */
const MsCheckItem *
ms_test_find_check_item (GPtrArray  *items,
                         const char *id)
{
  for (guint i = 0; i < items->len; i++)
    {
      const MsCheckItem *item = g_ptr_array_index (items, i);

      if (g_str_equal (item->id, id))
        return item;
    }
  return NULL;
}

/* The test servers */

/* Starts tests/servers/@script with @record_dir (if not NULL) for its records and
 * the arguments @args (NULL-terminated, may be NULL); reads the port it listens on,
 * which stays 0 if it printed none.  The server exits when its standard input
 * closes: also when the test dies. */
MsTestServer *
ms_test_server_startv (const char         *script,
                       const char         *record_dir,
                       const char * const *args)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "servers", script, NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  MsTestServer *srv = g_new0 (MsTestServer, 1);
  guint64 port = 0;

  g_ptr_array_add (argv, (gpointer) MS_TEST_PYTHON);
  g_ptr_array_add (argv, path);
  if (record_dir != NULL)
    {
      srv->dir = g_strdup (record_dir);
      g_ptr_array_add (argv, (gpointer) "--record");
      g_ptr_array_add (argv, srv->dir);
    }
  g_ptr_array_add (argv, (gpointer) "--watch-stdin");
  for (guint i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  srv->process = g_subprocess_newv ((const char * const *) argv->pdata,
                                    G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (srv->process));
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  if (line != NULL && g_ascii_string_to_unsigned (line, 10, 1, 65535, &port, NULL))
    srv->port = (guint16) port;
  return srv;
}

/* As ms_test_server_startv() with the arguments from @first up to NULL; fails the
 * test if the server prints no port. */
MsTestServer *
ms_test_server_start_valist (const char *script,
                             const char *record_dir,
                             const char *first,
                             va_list     args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  MsTestServer *srv;

  for (const char *arg = first; arg != NULL; arg = va_arg (args, const char *))
    g_ptr_array_add (argv, (gpointer) arg);
  g_ptr_array_add (argv, NULL);

  srv = ms_test_server_startv (script, record_dir, (const char * const *) argv->pdata);
  g_assert_cmpuint (srv->port, >, 0);
  return srv;
}

/* As ms_test_server_start_valist() */
MsTestServer *
ms_test_server_start (const char *script,
                      const char *record_dir,
                      ...)
{
  MsTestServer *srv;
  va_list ap;

  va_start (ap, record_dir);
  srv = ms_test_server_start_valist (script, record_dir, va_arg (ap, const char *), ap);
  va_end (ap);
  return srv;
}

/* The file @name of the server's record folder, or NULL */
char *
ms_test_server_dup_file (MsTestServer *srv,
                         const char   *name,
                         gsize        *length)
{
  g_autofree char *path = NULL;
  char *contents = NULL;

  g_assert_nonnull (srv->dir);
  path = g_build_filename (srv->dir, name, NULL);
  if (!g_file_get_contents (path, &contents, length, NULL))
    return NULL;
  return contents;
}

/* The server's transcript.log, or "" */
char *
ms_test_server_dup_transcript (MsTestServer *srv)
{
  char *text = ms_test_server_dup_file (srv, "transcript.log", NULL);

  return text != NULL ? text : g_strdup ("");
}

void
ms_test_server_free (MsTestServer *srv)
{
  g_subprocess_force_exit (srv->process);
  g_subprocess_wait (srv->process, NULL, NULL);
  g_object_unref (srv->process);
  g_free (srv->dir);
  g_free (srv);
}

/* The HTTP server */

struct _MsTestHttpServer
{
  GMainContext      *context;
  GMainLoop         *loop;
  SoupServer        *server;
  GThread           *thread;
  char              *base;
  GMutex             lock;
  GCond              cond;
  gboolean           ready;
  GPtrArray         *requests;   /* paths asked for, in order */
  GPtrArray         *delayed;    /* GSource of slow answers still due, destroyed at the end */
  MsTestHttpHandler  handler;
  gpointer           user_data;
};

static void
http_handler (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  MsTestHttpServer *self = user_data;

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->requests, g_strdup (path));
  g_mutex_unlock (&self->lock);
  self->handler (self, msg, path, query, self->user_data);
}

static gpointer
http_thread (gpointer data)
{
  MsTestHttpServer *self = data;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (self->context);
  self->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (self->server, NULL, http_handler, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error))
    g_error ("listen: %s", error->message);
  uris = soup_server_get_uris (self->server);
  self->base = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_mutex_lock (&self->lock);
  self->ready = TRUE;
  g_cond_signal (&self->cond);
  g_mutex_unlock (&self->lock);

  g_main_loop_run (self->loop);
  /* Answers still delayed hold their messages and connections: drop them. */
  for (guint i = 0; i < self->delayed->len; i++)
    g_source_destroy (g_ptr_array_index (self->delayed, i));
  g_ptr_array_set_size (self->delayed, 0);
  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  while (g_main_context_iteration (self->context, FALSE))
    ;
  g_main_context_pop_thread_default (self->context);
  return NULL;
}

/* Starts the server; @handler answers each request on the server's thread. */
MsTestHttpServer *
ms_test_http_server_start (MsTestHttpHandler handler,
                           gpointer          user_data)
{
  MsTestHttpServer *self = g_new0 (MsTestHttpServer, 1);

  self->handler = handler;
  self->user_data = user_data;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->requests = g_ptr_array_new_with_free_func (g_free);
  self->delayed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_source_unref);
  self->context = g_main_context_new ();
  self->loop = g_main_loop_new (self->context, FALSE);
  self->thread = g_thread_new ("http", http_thread, self);
  g_mutex_lock (&self->lock);
  while (!self->ready)
    g_cond_wait (&self->cond, &self->lock);
  g_mutex_unlock (&self->lock);
  return self;
}

static gboolean
http_quit_cb (gpointer data)
{
  g_main_loop_quit (data);
  return G_SOURCE_REMOVE;
}

void
ms_test_http_server_stop (MsTestHttpServer *self)
{
  g_main_context_invoke (self->context, http_quit_cb, self->loop);
  g_thread_join (self->thread);
  g_main_loop_unref (self->loop);
  g_main_context_unref (self->context);
  g_ptr_array_unref (self->requests);
  g_ptr_array_unref (self->delayed);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->base);
  g_free (self);
}

/* "http://127.0.0.1:PORT" */
const char *
ms_test_http_server_get_base (MsTestHttpServer *self)
{
  return self->base;
}

gboolean
ms_test_http_server_was_asked (MsTestHttpServer *self,
                               const char       *path)
{
  gboolean found = FALSE;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->requests->len && !found; i++)
    found = g_str_equal (g_ptr_array_index (self->requests, i), path);
  g_mutex_unlock (&self->lock);
  return found;
}

/* From a handler: pauses @msg and lets @answer (given @msg) answer it after
 * @delay_ms, unless the server stops first. */
void
ms_test_http_server_answer_later (MsTestHttpServer  *self,
                                  SoupServerMessage *msg,
                                  guint              delay_ms,
                                  GSourceFunc        answer)
{
  g_autoptr(GSource) source = g_timeout_source_new (delay_ms);

  soup_server_message_pause (msg);
  g_source_set_callback (source, answer, g_object_ref (msg), g_object_unref);
  g_source_attach (source, self->context);
  g_ptr_array_add (self->delayed, g_source_ref (source));
}

/* DNS from a table */

struct _MsTestTableResolver
{
  GResolver           parent_instance;
  const MsTestDnsRow *rows;
  gsize               n_rows;
};

G_DEFINE_FINAL_TYPE (MsTestTableResolver, ms_test_table_resolver, G_TYPE_RESOLVER)

static gboolean
table_has_row (MsTestTableResolver *self,
               const char          *name,
               const char          *type)
{
  for (gsize i = 0; i < self->n_rows; i++)
    if (g_ascii_strcasecmp (self->rows[i].name, name) == 0 && g_str_equal (self->rows[i].type, type))
      return TRUE;
  return FALSE;
}

static gboolean
table_failure (MsTestTableResolver  *self,
               const char           *name,
               GError              **error)
{
  if (!table_has_row (self, name, "FAIL"))
    return FALSE;
  g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE, "temporary failure for %s", name);
  return TRUE;
}

/* A slow name server: it answers after ten seconds, or when cancelled */
static gboolean
table_wait_if_slow (MsTestTableResolver  *self,
                    const char           *name,
                    GCancellable         *cancellable,
                    GError              **error)
{
  gboolean slow = FALSE;

  for (gsize i = 0; i < self->n_rows && !slow; i++)
    if (g_str_equal (self->rows[i].type, "SLOW"))
      {
        g_autofree char *suffix = g_strconcat (".", self->rows[i].name, NULL);

        slow = g_ascii_strcasecmp (self->rows[i].name, name) == 0 || g_str_has_suffix (name, suffix);
      }
  if (!slow)
    return TRUE;
  for (guint i = 0; i < 1000 && !g_cancellable_is_cancelled (cancellable); i++)
    g_usleep (10000);
  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static GList *
table_lookup_by_name (GResolver     *resolver,
                      const char    *name,
                      GCancellable  *cancellable,
                      GError       **error)
{
  MsTestTableResolver *self = MS_TEST_TABLE_RESOLVER (resolver);
  GList *result = NULL;

  if (table_failure (self, name, error))
    return NULL;
  for (gsize i = 0; i < self->n_rows; i++)
    if (g_ascii_strcasecmp (self->rows[i].name, name) == 0 && g_str_equal (self->rows[i].type, "A"))
      result = g_list_append (result, g_inet_address_new_from_string (self->rows[i].value));
  if (result == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no address for %s", name);
  return result;
}

static GList *
table_lookup_records (GResolver            *resolver,
                      const char           *name,
                      GResolverRecordType   type,
                      GCancellable         *cancellable,
                      GError              **error)
{
  MsTestTableResolver *self = MS_TEST_TABLE_RESOLVER (resolver);
  const char *want = type == G_RESOLVER_RECORD_TXT ? "TXT" : type == G_RESOLVER_RECORD_MX ? "MX"
                     : type == G_RESOLVER_RECORD_SRV ? "SRV" : "?";
  GList *result = NULL;

  if (!table_wait_if_slow (self, name, cancellable, error) || table_failure (self, name, error))
    return NULL;
  for (gsize i = 0; i < self->n_rows; i++)
    {
      const MsTestDnsRow *row = &self->rows[i];

      if (g_ascii_strcasecmp (row->name, name) != 0 || !g_str_equal (row->type, want))
        continue;
      if (type == G_RESOLVER_RECORD_TXT)
        {
          g_auto(GStrv) parts = g_strsplit (row->value, "|", -1);

          result = g_list_append (result, g_variant_ref_sink (g_variant_new ("(^as)", parts)));
        }
      else if (type == G_RESOLVER_RECORD_MX)
        {
          g_auto(GStrv) parts = g_strsplit (row->value, " ", 2);

          result = g_list_append (result, g_variant_ref_sink (
            g_variant_new ("(qs)", (guint16) atoi (parts[0]), parts[1])));
        }
      else
        {
          g_auto(GStrv) parts = g_strsplit (row->value, " ", 4);

          result = g_list_append (result, g_variant_ref_sink (
            g_variant_new ("(qqqs)", (guint16) atoi (parts[0]), (guint16) atoi (parts[1]),
                           (guint16) atoi (parts[2]), parts[3])));
        }
    }
  if (result == NULL)
    g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no %s record for %s", want, name);
  return result;
}

static void
table_free_list (gpointer data)
{
  /* lists of either GInetAddress or GVariant: only ever freed unclaimed on a cancelled task */
  g_list_free (data);
}

static void
table_lookup_by_name_async (GResolver           *resolver,
                            const char          *name,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *result = table_lookup_by_name (resolver, name, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, table_free_list);
}

static GList *
table_lookup_finish (GResolver     *resolver,
                     GAsyncResult  *result,
                     GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
table_lookup_records_async (GResolver           *resolver,
                            const char          *name,
                            GResolverRecordType  type,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *result = table_lookup_records (resolver, name, type, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, table_free_list);
}

static void
ms_test_table_resolver_class_init (MsTestTableResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  resolver_class->lookup_by_name = table_lookup_by_name;
  resolver_class->lookup_by_name_async = table_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = table_lookup_finish;
  resolver_class->lookup_records = table_lookup_records;
  resolver_class->lookup_records_async = table_lookup_records_async;
  resolver_class->lookup_records_finish = table_lookup_finish;
}

static void
ms_test_table_resolver_init (MsTestTableResolver *self)
{
}

/* Sets as the default resolver one that answers from @rows (kept, not copied);
 * with none, it finds nothing. */
void
ms_test_set_dns_table (const MsTestDnsRow *rows,
                       gsize               n_rows)
{
  g_autoptr(MsTestTableResolver) self = g_object_new (MS_TEST_TYPE_TABLE_RESOLVER, NULL);

  self->rows = rows;
  self->n_rows = n_rows;
  g_resolver_set_default (G_RESOLVER (self));
}

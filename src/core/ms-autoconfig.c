/* ms-autoconfig.c
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

#define G_LOG_DOMAIN "ms-autoconfig"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <libsoup/soup.h>

#include "ms-autoconfig.h"

G_DEFINE_QUARK (ms-autoconfig-error-quark, ms_autoconfig_error)

static void
server_free (gpointer data)
{
  MsAutoconfigServer *server = data;

  g_free (server->hostname);
  g_free (server->username);
  g_free (server);
}

void
ms_autoconfig_free (MsAutoconfig *self)
{
  if (self == NULL)
    return;
  g_free (self->provider_id);
  g_free (self->display_name);
  g_ptr_array_unref (self->domains);
  g_ptr_array_unref (self->incoming);
  g_ptr_array_unref (self->outgoing);
  g_ptr_array_unref (self->documentation);
  g_free (self->source_url);
  g_free (self);
}

char *
ms_autoconfig_expand_username (const char *pattern,
                               const char *address)
{
  const char *at;
  g_autofree char *local = NULL;
  const char *domain;
  GString *out;
  const char *p;

  g_return_val_if_fail (pattern != NULL, NULL);

  if (address == NULL)
    address = "";
  at = strrchr (address, '@');
  local = at != NULL ? g_strndup (address, (gsize) (at - address)) : g_strdup (address);
  domain = at != NULL ? at + 1 : "";

  out = g_string_new (NULL);
  for (p = pattern; *p != '\0';)
    {
      if (g_str_has_prefix (p, "%EMAILADDRESS%"))
        {
          g_string_append (out, address);
          p += strlen ("%EMAILADDRESS%");
        }
      else if (g_str_has_prefix (p, "%EMAILLOCALPART%"))
        {
          g_string_append (out, local);
          p += strlen ("%EMAILLOCALPART%");
        }
      else if (g_str_has_prefix (p, "%EMAILDOMAIN%"))
        {
          g_string_append (out, domain);
          p += strlen ("%EMAILDOMAIN%");
        }
      else
        g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

typedef enum
{
  FIELD_NONE,
  FIELD_HOSTNAME,
  FIELD_PORT,
  FIELD_SOCKET_TYPE,
  FIELD_USERNAME,
  FIELD_DOMAIN,
  FIELD_DISPLAY_NAME,
} Field;

typedef struct
{
  MsAutoconfig       *config;
  const char         *address;
  gboolean            seen_root;
  gboolean            in_provider;
  MsAutoconfigServer *server;       /* the one being read, or NULL */
  gboolean            server_ok;    /* a type we know */
  gboolean            server_outgoing;
  Field               field;
  GString            *text;
  guint               depth;
} ParseState;

static void
parse_start (GMarkupParseContext  *context,
             const char           *element,
             const char          **names,
             const char          **values,
             gpointer              user_data,
             GError              **error)
{
  ParseState *st = user_data;

  st->depth++;
  if (st->depth > 16)
    {
      g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                   "%s", _("The document is nested too deeply"));
      return;
    }
  g_string_truncate (st->text, 0);
  st->field = FIELD_NONE;

  if (st->depth == 1)
    {
      if (g_strcmp0 (element, "clientConfig") != 0)
        {
          g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                       _("Expected <clientConfig>, found <%s>"), element);
          return;
        }
      st->seen_root = TRUE;
      return;
    }

  if (st->depth == 2 && g_strcmp0 (element, "emailProvider") == 0)
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_strcmp0 (names[i], "id") == 0 && st->config->provider_id == NULL)
          st->config->provider_id = g_strdup (values[i]);
      st->in_provider = TRUE;
      return;
    }
  if (!st->in_provider || st->depth < 3)
    return;

  if (st->depth == 3 && (g_strcmp0 (element, "incomingServer") == 0 ||
                         g_strcmp0 (element, "outgoingServer") == 0))
    {
      const char *type = NULL;

      for (guint i = 0; names[i] != NULL; i++)
        if (g_strcmp0 (names[i], "type") == 0)
          type = values[i];
      st->server = g_new0 (MsAutoconfigServer, 1);
      st->server->security = MS_SECURITY_NONE;
      st->server_outgoing = element[0] == 'o';
      st->server_ok = TRUE;
      if (g_strcmp0 (type, "imap") == 0 && !st->server_outgoing)
        st->server->protocol = MS_AUTOCONFIG_IMAP;
      else if (g_strcmp0 (type, "pop3") == 0 && !st->server_outgoing)
        st->server->protocol = MS_AUTOCONFIG_POP3;
      else if (g_strcmp0 (type, "smtp") == 0 && st->server_outgoing)
        st->server->protocol = MS_AUTOCONFIG_SMTP;
      else
        st->server_ok = FALSE;   /* exchange, jmap, ...: skipped */
      return;
    }
  if (st->depth == 3 && g_strcmp0 (element, "domain") == 0)
    st->field = FIELD_DOMAIN;
  else if (st->depth == 3 && g_strcmp0 (element, "displayName") == 0)
    st->field = FIELD_DISPLAY_NAME;
  else if (st->depth == 3 && g_strcmp0 (element, "documentation") == 0)
    {
      for (guint i = 0; names[i] != NULL; i++)
        if (g_strcmp0 (names[i], "url") == 0 &&
            (g_str_has_prefix (values[i], "https://") || g_str_has_prefix (values[i], "http://")) &&
            st->config->documentation->len < 16)
          g_ptr_array_add (st->config->documentation, g_strdup (values[i]));
    }
  else if (st->depth == 4 && st->server != NULL)
    {
      if (g_strcmp0 (element, "hostname") == 0)
        st->field = FIELD_HOSTNAME;
      else if (g_strcmp0 (element, "port") == 0)
        st->field = FIELD_PORT;
      else if (g_strcmp0 (element, "socketType") == 0)
        st->field = FIELD_SOCKET_TYPE;
      else if (g_strcmp0 (element, "username") == 0)
        st->field = FIELD_USERNAME;
    }
}

static void
parse_text (GMarkupParseContext  *context,
            const char           *text,
            gsize                 length,
            gpointer              user_data,
            GError              **error)
{
  ParseState *st = user_data;

  if (st->field != FIELD_NONE && st->text->len + length < 4096)
    g_string_append_len (st->text, text, (gssize) length);
}

static void
parse_end (GMarkupParseContext  *context,
           const char           *element,
           gpointer              user_data,
           GError              **error)
{
  ParseState *st = user_data;
  g_autofree char *value = g_strstrip (g_strdup (st->text->str));

  switch (st->field)
    {
    case FIELD_DOMAIN:
      if (*value != '\0' && st->config->domains->len < 256)
        g_ptr_array_add (st->config->domains, g_ascii_strdown (value, -1));
      break;
    case FIELD_DISPLAY_NAME:
      if (st->config->display_name == NULL && *value != '\0')
        st->config->display_name = g_strdup (value);
      break;
    case FIELD_HOSTNAME:
      g_free (st->server->hostname);
      st->server->hostname = ms_autoconfig_expand_username (value, st->address);
      break;
    case FIELD_PORT:
      {
        guint64 port = 0;

        if (!g_ascii_string_to_unsigned (value, 10, 1, 65535, &port, NULL))
          {
            g_set_error (error, G_MARKUP_ERROR, G_MARKUP_ERROR_INVALID_CONTENT,
                         _("“%s” is not a port number"), value);
            return;
          }
        st->server->port = (guint) port;
      }
      break;
    case FIELD_SOCKET_TYPE:
      if (g_ascii_strcasecmp (value, "SSL") == 0 || g_ascii_strcasecmp (value, "TLS") == 0)
        st->server->security = MS_SECURITY_TLS;
      else if (g_ascii_strcasecmp (value, "STARTTLS") == 0)
        st->server->security = MS_SECURITY_STARTTLS;
      else
        st->server->security = MS_SECURITY_NONE;
      break;
    case FIELD_USERNAME:
      g_free (st->server->username);
      st->server->username = ms_autoconfig_expand_username (value, st->address);
      break;
    case FIELD_NONE:
    default:
      break;
    }
  st->field = FIELD_NONE;
  g_string_truncate (st->text, 0);

  if (st->depth == 3 && st->server != NULL)
    {
      MsAutoconfigServer *server = g_steal_pointer (&st->server);
      GPtrArray *list = st->server_outgoing ? st->config->outgoing : st->config->incoming;

      if (st->server_ok && server->hostname != NULL && *server->hostname != '\0' &&
          server->port != 0 && list->len < 32)
        g_ptr_array_add (list, server);
      else
        server_free (server);
    }
  if (st->depth == 2)
    st->in_provider = FALSE;
  st->depth--;
}

static const GMarkupParser autoconfig_parser = {
  parse_start, parse_end, parse_text, NULL, NULL,
};

MsAutoconfig *
ms_autoconfig_parse (const char  *data,
                     gsize        length,
                     const char  *address,
                     GError     **error)
{
  g_autoptr(MsAutoconfig) config = NULL;
  g_autoptr(GMarkupParseContext) context = NULL;
  g_autoptr(GError) local_error = NULL;
  ParseState st = { 0 };

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length > MS_AUTOCONFIG_MAX_SIZE)
    {
      g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_TOO_LARGE,
                   _("The autoconfig document is larger than %u KiB"),
                   MS_AUTOCONFIG_MAX_SIZE / 1024);
      return NULL;
    }

  config = g_new0 (MsAutoconfig, 1);
  config->domains = g_ptr_array_new_with_free_func (g_free);
  config->incoming = g_ptr_array_new_with_free_func (server_free);
  config->outgoing = g_ptr_array_new_with_free_func (server_free);
  config->documentation = g_ptr_array_new_with_free_func (g_free);

  st.config = config;
  st.address = address;
  st.text = g_string_new (NULL);
  context = g_markup_parse_context_new (&autoconfig_parser, G_MARKUP_PREFIX_ERROR_POSITION,
                                        &st, NULL);
  if (!g_markup_parse_context_parse (context, data, (gssize) length, &local_error) ||
      !g_markup_parse_context_end_parse (context, &local_error))
    {
      g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_MALFORMED,
                   _("The autoconfig document is malformed: %s"), local_error->message);
      g_clear_pointer (&st.server, server_free);
      g_string_free (st.text, TRUE);
      return NULL;
    }
  g_clear_pointer (&st.server, server_free);
  g_string_free (st.text, TRUE);

  if (!st.seen_root || config->outgoing->len + config->incoming->len == 0)
    {
      g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_MALFORMED, "%s",
                   _("The autoconfig document names no IMAP, POP3 or SMTP server"));
      return NULL;
    }
  return g_steal_pointer (&config);
}

static int
security_rank (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      return 0;
    case MS_SECURITY_STARTTLS:
      return 1;
    case MS_SECURITY_NONE:
    default:
      return 2;
    }
}

const MsAutoconfigServer *
ms_autoconfig_best_server (const MsAutoconfig   *self,
                           MsAutoconfigProtocol  protocol)
{
  const MsAutoconfigServer *best = NULL;
  GPtrArray *list;

  g_return_val_if_fail (self != NULL, NULL);

  list = protocol == MS_AUTOCONFIG_SMTP ? self->outgoing : self->incoming;
  for (guint i = 0; i < list->len; i++)
    {
      const MsAutoconfigServer *server = g_ptr_array_index (list, i);

      if (server->protocol != protocol)
        continue;
      /* document order breaks ties: the provider lists its preference first */
      if (best == NULL || security_rank (server->security) < security_rank (best->security))
        best = server;
    }
  return best;
}

static char *
address_domain (const char *address)
{
  const char *at = strrchr (address, '@');
  g_autofree char *domain = g_strdup (at != NULL ? at + 1 : address);
  gsize len = strlen (domain);

  if (len > 0 && domain[len - 1] == '.')
    domain[len - 1] = '\0';
  return g_ascii_strdown (domain, -1);
}

static GMutex base_lock;
static char *base_url;

char *
ms_autoconfig_ispdb_url (const char *domain)
{
  g_autofree char *base = NULL;
  g_autofree char *lower = NULL;

  g_return_val_if_fail (domain != NULL, NULL);

  lower = g_ascii_strdown (domain, -1);
  g_mutex_lock (&base_lock);
  base = g_strdup (base_url != NULL ? base_url : g_getenv ("MAILSHOT_AUTOCONFIG_BASE"));
  g_mutex_unlock (&base_lock);
  if (base != NULL && *base != '\0')
    return g_strdup_printf ("%s/ispdb/v1.1/%s", base, lower);
  return g_strdup_printf ("https://autoconfig.thunderbird.net/v1.1/%s", lower);
}

void
ms_autoconfig_set_base_url (const char *base)
{
  g_mutex_lock (&base_lock);
  g_free (base_url);
  base_url = g_strdup (base);
  g_mutex_unlock (&base_lock);
}

GStrv
ms_autoconfig_urls (const char  *address,
                    GArray     **out_less_trusted)
{
  g_autofree char *domain = address_domain (address);
  g_autofree char *escaped = g_uri_escape_string (address, NULL, FALSE);
  g_autofree char *base = NULL;
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  GArray *less = g_array_new (FALSE, FALSE, sizeof (gboolean));
  gboolean no = FALSE, yes = TRUE;
  g_autofree char *u1 = NULL, *u2 = NULL, *u3 = NULL, *u4 = NULL;

  g_mutex_lock (&base_lock);
  base = g_strdup (base_url != NULL ? base_url : g_getenv ("MAILSHOT_AUTOCONFIG_BASE"));
  g_mutex_unlock (&base_lock);

  if (base != NULL && *base != '\0')
    {
      u1 = g_strdup_printf ("%s/autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                            base, domain, escaped);
      u2 = g_strdup_printf ("%s/%s/.well-known/autoconfig/mail/config-v1.1.xml", base, domain);
      u3 = g_strdup_printf ("%s/ispdb/v1.1/%s", base, domain);
      u4 = g_strdup_printf ("%s/http/autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                            base, domain, escaped);
    }
  else
    {
      u1 = g_strdup_printf ("https://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                            domain, escaped);
      u2 = g_strdup_printf ("https://%s/.well-known/autoconfig/mail/config-v1.1.xml", domain);
      u3 = g_strdup_printf ("https://autoconfig.thunderbird.net/v1.1/%s", domain);
      u4 = g_strdup_printf ("http://autoconfig.%s/mail/config-v1.1.xml?emailaddress=%s",
                            domain, escaped);
    }
  g_strv_builder_add_many (builder, u1, u2, u3, u4, NULL);
  g_array_append_val (less, no);
  g_array_append_val (less, no);
  g_array_append_val (less, no);
  g_array_append_val (less, yes);

  if (out_less_trusted != NULL)
    *out_less_trusted = less;
  else
    g_array_unref (less);
  return g_strv_builder_end (builder);
}

/* A deadline for a blocking call: a thread that cancels @cancellable when the time is up. */
typedef struct
{
  GMutex        lock;
  GCond         cond;
  gboolean      done;
  gint64        deadline;
  GCancellable *cancellable;
  GThread      *thread;
} Timer;

static gpointer
timer_thread (gpointer data)
{
  Timer *timer = data;
  gboolean fire = FALSE;

  g_mutex_lock (&timer->lock);
  while (!timer->done)
    if (!g_cond_wait_until (&timer->cond, &timer->lock, timer->deadline))
      {
        fire = !timer->done;
        break;
      }
  g_mutex_unlock (&timer->lock);
  if (fire)
    g_cancellable_cancel (timer->cancellable);
  return NULL;
}

static void
timer_start (Timer        *timer,
             guint         timeout_ms,
             GCancellable *cancellable)
{
  g_mutex_init (&timer->lock);
  g_cond_init (&timer->cond);
  timer->done = FALSE;
  timer->deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  timer->cancellable = cancellable;
  timer->thread = g_thread_new ("ms-deadline", timer_thread, timer);
}

static void
timer_stop (Timer *timer)
{
  g_mutex_lock (&timer->lock);
  timer->done = TRUE;
  g_cond_signal (&timer->cond);
  g_mutex_unlock (&timer->lock);
  g_thread_join (timer->thread);
  g_mutex_clear (&timer->lock);
  g_cond_clear (&timer->cond);
}

static void
forward_cancel_cb (GCancellable *outer,
                   gpointer      user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* Reads at most MS_AUTOCONFIG_MAX_SIZE bytes, failing if there are more. */
static GBytes *
read_bounded (GInputStream  *stream,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GByteArray) buffer = g_byte_array_new ();
  guint8 chunk[16384];

  for (;;)
    {
      gssize n = g_input_stream_read (stream, chunk, sizeof chunk, cancellable, error);

      if (n < 0)
        return NULL;
      if (n == 0)
        break;
      if (buffer->len + (gsize) n > MS_AUTOCONFIG_MAX_SIZE)
        {
          g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_TOO_LARGE,
                       _("The autoconfig document is larger than %u KiB"),
                       MS_AUTOCONFIG_MAX_SIZE / 1024);
          return NULL;
        }
      g_byte_array_append (buffer, chunk, (guint) n);
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&buffer));
}

gboolean
ms_autoconfig_redirect_allowed (GUri    *from,
                                GUri    *to,
                                GError **error)
{
  const char *to_scheme = g_uri_get_scheme (to);

  if (g_ascii_strcasecmp (g_uri_get_scheme (from), "https") == 0 &&
      g_ascii_strcasecmp (to_scheme, "https") != 0)
    {
      g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT, "%s",
                   _("Refused a redirect from HTTPS to plain HTTP"));
      return FALSE;
    }
  if (g_ascii_strcasecmp (to_scheme, "https") != 0 && g_ascii_strcasecmp (to_scheme, "http") != 0)
    {
      g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT, "%s",
                   _("Refused a redirect to a non-HTTP address"));
      return FALSE;
    }
  return TRUE;
}

static MsAutoconfig *
fetch_url_inner (SoupSession   *session,
                 const char    *url,
                 const char    *address,
                 GCancellable  *cancellable,
                 GError       **error)
{
  g_autoptr(GUri) uri = NULL;
  guint redirects = 0;

  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, error);
  if (uri == NULL)
    return NULL;

  for (;;)
    {
      g_autoptr(SoupMessage) msg = soup_message_new_from_uri (SOUP_METHOD_GET, uri);
      g_autoptr(GInputStream) stream = NULL;
      g_autoptr(GBytes) body = NULL;
      guint status;

      soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
      stream = soup_session_send (session, msg, cancellable, error);
      if (stream == NULL)
        return NULL;
      status = soup_message_get_status (msg);

      if (SOUP_STATUS_IS_REDIRECTION (status))
        {
          const char *location = soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                               "Location");
          g_autoptr(GUri) next = NULL;

          if (location == NULL)
            {
              g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT,
                           _("HTTP %u without a Location"), status);
              return NULL;
            }
          if (++redirects > MS_AUTOCONFIG_MAX_REDIRECTS)
            {
              g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_REDIRECT,
                           _("More than %d redirects"), MS_AUTOCONFIG_MAX_REDIRECTS);
              return NULL;
            }
          next = g_uri_parse_relative (uri, location, G_URI_FLAGS_ENCODED, error);
          if (next == NULL)
            return NULL;
          if (!ms_autoconfig_redirect_allowed (uri, next, error))
            return NULL;
          g_input_stream_close (stream, NULL, NULL);
          g_clear_pointer (&uri, g_uri_unref);
          uri = g_steal_pointer (&next);
          continue;
        }
      if (status != SOUP_STATUS_OK)
        {
          g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_HTTP,
                       _("HTTP %u %s"), status,
                       soup_message_get_reason_phrase (msg) != NULL
                       ? soup_message_get_reason_phrase (msg) : "");
          return NULL;
        }
      body = read_bounded (stream, cancellable, error);
      if (body == NULL)
        return NULL;
      {
        gsize len = 0;
        const char *data = g_bytes_get_data (body, &len);
        MsAutoconfig *config = ms_autoconfig_parse (data, len, address, error);

        if (config != NULL)
          {
            config->source_url = g_uri_to_string (uri);
            config->less_trusted = g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0;
          }
        return config;
      }
    }
}

MsAutoconfig *
ms_autoconfig_fetch_url (const char    *url,
                         const char    *address,
                         guint          timeout_ms,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_autoptr(GCancellable) inner = g_cancellable_new ();
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GError) local_error = NULL;
  MsAutoconfig *config;
  gulong handler = 0;
  Timer timer;

  g_return_val_if_fail (url != NULL, NULL);

  if (timeout_ms == 0)
    timeout_ms = 10000;

  session = soup_session_new_with_options ("timeout", MAX (1u, timeout_ms / 1000),
                                           "user-agent", "Mailshot", NULL);
  /* the whole fetch, redirects included, is bounded by one deadline */
  timer_start (&timer, timeout_ms, inner);
  if (cancellable != NULL)
    handler = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb),
                                     g_object_ref (inner), g_object_unref);
  config = fetch_url_inner (session, url, address, inner, &local_error);
  if (cancellable != NULL)
    g_cancellable_disconnect (cancellable, handler);
  timer_stop (&timer);

  if (config == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
          (cancellable == NULL || !g_cancellable_is_cancelled (cancellable)))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                     _("No answer within %u ms"), timeout_ms);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
    }
  return config;
}

MsAutoconfig *
ms_autoconfig_fetch (const char    *address,
                     guint          timeout_ms,
                     GPtrArray     *tried,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_auto(GStrv) urls = NULL;
  g_autoptr(GArray) less = NULL;
  gint64 deadline;

  g_return_val_if_fail (address != NULL, NULL);

  if (timeout_ms == 0)
    timeout_ms = 20000;
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  urls = ms_autoconfig_urls (address, &less);

  for (guint i = 0; urls[i] != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
      MsAutoconfig *config;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      if (left_ms <= 0)
        {
          if (tried != NULL)
            g_ptr_array_add (tried, g_strdup_printf (_("%s: skipped, out of time"), urls[i]));
          continue;
        }
      config = ms_autoconfig_fetch_url (urls[i], address, (guint) left_ms, cancellable, &local_error);
      if (config != NULL)
        {
          /* HTTPS never redirects to HTTP (refused), so the URL's own scheme decides */
          config->less_trusted = g_array_index (less, gboolean, i);
          if (tried != NULL)
            g_ptr_array_add (tried, g_strdup_printf (config->less_trusted
                                                     ? _("%s: found (plain HTTP, less trusted)")
                                                     : _("%s: found"), urls[i]));
          return config;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      if (tried != NULL)
        g_ptr_array_add (tried, g_strdup_printf ("%s: %s", urls[i], local_error->message));
    }
  g_set_error (error, MS_AUTOCONFIG_ERROR, MS_AUTOCONFIG_ERROR_NOT_FOUND,
               _("No autoconfig document was found for %s"), address);
  return NULL;
}

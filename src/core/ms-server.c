/* ms-server.c
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

#define G_LOG_DOMAIN "ms-server"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "ms-address.h"
#include "ms-server.h"

struct _MsServer
{
  GObject             parent_instance;

  gint64              id;
  char               *name;
  MsTransport         transport;
  char               *host;
  guint               port;
  MsSecurity          security;
  char               *login;
  char               *sender_address;
  char               *sender_name;
  gboolean            allow_sender_substitution;
  int                 priority;
  gboolean            enabled;
  guint               max_connections;
  guint               pause_ms;
  guint64             max_message_size;
  guint               max_recipients;
  char               *folder;
  char               *ca_file;
  char               *pinned_fingerprint;

  MsIncomingProtocol  incoming_protocol;
  char               *incoming_host;
  guint               incoming_port;
  MsSecurity          incoming_security;
  char               *incoming_login;
  char               *incoming_folder;
  gboolean            incoming_keep;
  char               *incoming_move_to;

  char               *dkim_domain;
  char               *dkim_selector;
  char               *dkim_key_ref;

  gint64              created_at;
  gint64              updated_at;

  GArray             *quotas;      /* of MsQuota, sorted by window */
};

G_DEFINE_FINAL_TYPE (MsServer, ms_server, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-server-error-quark, ms_server_error)

enum {
  PROP_0,
  PROP_ID,
  PROP_NAME,
  PROP_TRANSPORT,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_LOGIN,
  PROP_SENDER_ADDRESS,
  PROP_SENDER_NAME,
  PROP_ALLOW_SENDER_SUBSTITUTION,
  PROP_PRIORITY,
  PROP_ENABLED,
  PROP_MAX_CONNECTIONS,
  PROP_PAUSE_MS,
  PROP_MAX_MESSAGE_SIZE,
  PROP_MAX_RECIPIENTS,
  PROP_FOLDER,
  PROP_CA_FILE,
  PROP_PINNED_FINGERPRINT,
  PROP_INCOMING_PROTOCOL,
  PROP_INCOMING_HOST,
  PROP_INCOMING_PORT,
  PROP_INCOMING_SECURITY,
  PROP_INCOMING_LOGIN,
  PROP_INCOMING_FOLDER,
  PROP_INCOMING_KEEP,
  PROP_INCOMING_MOVE_TO,
  PROP_DKIM_DOMAIN,
  PROP_DKIM_SELECTOR,
  PROP_DKIM_KEY_REF,
  PROP_CREATED_AT,
  PROP_UPDATED_AT,
  PROP_QUOTAS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Enumerations */

static const GEnumValue transport_values[] = {
  { MS_TRANSPORT_SMTP, "MS_TRANSPORT_SMTP", "smtp" },
  { MS_TRANSPORT_SENDMAIL, "MS_TRANSPORT_SENDMAIL", "sendmail" },
  { MS_TRANSPORT_FOLDER, "MS_TRANSPORT_FOLDER", "folder" },
  { 0, NULL, NULL }
};

static const GEnumValue incoming_values[] = {
  { MS_INCOMING_NONE, "MS_INCOMING_NONE", "none" },
  { MS_INCOMING_IMAP, "MS_INCOMING_IMAP", "imap" },
  { MS_INCOMING_POP3, "MS_INCOMING_POP3", "pop3" },
  { 0, NULL, NULL }
};

static const GEnumValue security_values[] = {
  { MS_SECURITY_TLS, "MS_SECURITY_TLS", "tls" },
  { MS_SECURITY_STARTTLS, "MS_SECURITY_STARTTLS", "starttls" },
  { MS_SECURITY_NONE, "MS_SECURITY_NONE", "none" },
  { 0, NULL, NULL }
};

static GType
register_enum (const char       *name,
               const GEnumValue *values)
{
  return g_enum_register_static (g_intern_static_string (name), values);
}

GType
ms_transport_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsTransport", transport_values));
  return type;
}

GType
ms_incoming_protocol_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsIncomingProtocol", incoming_values));
  return type;
}

GType
ms_server_security_get_type (void)
{
  static gsize type = 0;

  if (g_once_init_enter (&type))
    g_once_init_leave (&type, register_enum ("MsServerSecurity", security_values));
  return type;
}

static const char *
enum_nick (const GEnumValue *values,
           int               value)
{
  for (guint i = 0; values[i].value_nick != NULL; i++)
    {
      if (values[i].value == value)
        return values[i].value_nick;
    }
  return NULL;
}

static gboolean
enum_from_nick (const GEnumValue *values,
                const char       *text,
                int              *value)
{
  for (guint i = 0; text != NULL && values[i].value_nick != NULL; i++)
    {
      if (g_ascii_strcasecmp (values[i].value_nick, text) == 0)
        {
          *value = values[i].value;
          return TRUE;
        }
    }
  return FALSE;
}

const char *
ms_transport_to_string (MsTransport transport)
{
  return enum_nick (transport_values, transport);
}

gboolean
ms_transport_from_string (const char  *text,
                          MsTransport *transport)
{
  int value;

  if (!enum_from_nick (transport_values, text, &value))
    return FALSE;
  *transport = value;
  return TRUE;
}

const char *
ms_incoming_protocol_to_string (MsIncomingProtocol protocol)
{
  if (protocol == MS_INCOMING_NONE)
    return NULL;
  return enum_nick (incoming_values, protocol);
}

gboolean
ms_incoming_protocol_from_string (const char         *text,
                                  MsIncomingProtocol *protocol)
{
  int value;

  if (!enum_from_nick (incoming_values, text, &value))
    return FALSE;
  *protocol = value;
  return TRUE;
}

const char *
ms_security_to_label (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      /* TRANSLATORS: a connection security choice (TLS from the first byte) */
      return _("TLS");
    case MS_SECURITY_STARTTLS:
      /* TRANSLATORS: a connection security choice (plain, then upgraded to TLS) */
      return _("STARTTLS");
    case MS_SECURITY_NONE:
    default:
      return _("No encryption");
    }
}

guint
ms_security_default_port (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      return 465;
    case MS_SECURITY_STARTTLS:
      return 587;
    case MS_SECURITY_NONE:
    default:
      return 25;
    }
}

guint
ms_incoming_default_port (MsIncomingProtocol protocol,
                          MsSecurity         security)
{
  gboolean tls = security == MS_SECURITY_TLS;

  switch (protocol)
    {
    case MS_INCOMING_IMAP:
      return tls ? 993 : 143;
    case MS_INCOMING_POP3:
      return tls ? 995 : 110;
    case MS_INCOMING_NONE:
    default:
      return 0;
    }
}

/* Quotas */

typedef struct
{
  char  unit;
  guint seconds;
} QuotaUnit;

static const QuotaUnit quota_units[] = {
  { 'w', 7 * 86400 },
  { 'd', 86400 },
  { 'h', 3600 },
  { 'm', 60 },
  { 's', 1 },
};

static gboolean
parse_uint (const char *text,
            const char *end,
            guint64    *out)
{
  guint64 value = 0;

  if (text == end)
    return FALSE;
  for (const char *p = text; p < end; p++)
    {
      if (!g_ascii_isdigit (*p))
        return FALSE;
      value = value * 10 + (guint64) (*p - '0');
      if (value > G_MAXUINT)
        return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
parse_window (const char *text,
              guint64    *seconds)
{
  gsize len = strlen (text);
  char last;
  guint64 count = 1;

  if (len == 0)
    return FALSE;
  last = g_ascii_tolower (text[len - 1]);
  if (g_ascii_isdigit (last))
    return parse_uint (text, text + len, seconds);
  for (guint i = 0; i < G_N_ELEMENTS (quota_units); i++)
    {
      if (quota_units[i].unit != last)
        continue;
      if (len > 1 && !parse_uint (text, text + len - 1, &count))
        return FALSE;
      *seconds = count * quota_units[i].seconds;
      return *seconds <= G_MAXUINT;
    }
  return FALSE;
}

gboolean
ms_quota_parse (const char  *text,
                MsQuota     *quota,
                GError     **error)
{
  g_auto(GStrv) parts = NULL;
  guint64 limit = 0;
  guint64 window = 0;

  g_return_val_if_fail (text != NULL, FALSE);
  g_return_val_if_fail (quota != NULL, FALSE);

  parts = g_strsplit (text, "/", -1);
  if (g_strv_length (parts) == 2)
    {
      g_strstrip (parts[0]);
      g_strstrip (parts[1]);
    }
  if (g_strv_length (parts) != 2
      || !parse_uint (parts[0], parts[0] + strlen (parts[0]), &limit)
      || !parse_window (parts[1], &window))
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("“%s” is not a quota: write a count and a period, such as 60/1h, "
                     "500/1d or 2/1s."), text);
      return FALSE;
    }
  if (limit == 0 || window == 0)
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("“%s” is not a quota: the count and the period must be more than zero."),
                   text);
      return FALSE;
    }
  quota->limit = (guint) limit;
  quota->window_secs = (guint) window;
  return TRUE;
}

char *
ms_quota_to_string (const MsQuota *quota)
{
  g_return_val_if_fail (quota != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (quota_units); i++)
    {
      if (quota->window_secs % quota_units[i].seconds == 0)
        return g_strdup_printf ("%u/%u%c", quota->limit,
                                quota->window_secs / quota_units[i].seconds,
                                quota_units[i].unit);
    }
  g_return_val_if_reached (NULL);
}

char *
ms_quota_describe (const MsQuota *quota)
{
  guint w;

  g_return_val_if_fail (quota != NULL, NULL);

  w = quota->window_secs;
  if (w == 86400)
    return g_strdup_printf (_("%u per day"), quota->limit);
  if (w == 3600)
    return g_strdup_printf (_("%u per hour"), quota->limit);
  if (w == 60)
    return g_strdup_printf (_("%u per minute"), quota->limit);
  if (w == 1)
    return g_strdup_printf (_("%u per second"), quota->limit);
  if (w % 86400 == 0)
    /* TRANSLATORS: a sending limit, e.g. "3000 per 7 days" */
    return g_strdup_printf (ngettext ("%u per %u day", "%u per %u days", w / 86400),
                            quota->limit, w / 86400);
  if (w % 3600 == 0)
    return g_strdup_printf (ngettext ("%u per %u hour", "%u per %u hours", w / 3600),
                            quota->limit, w / 3600);
  if (w % 60 == 0)
    return g_strdup_printf (ngettext ("%u per %u minute", "%u per %u minutes", w / 60),
                            quota->limit, w / 60);
  return g_strdup_printf (ngettext ("%u per %u second", "%u per %u seconds", w),
                          quota->limit, w);
}

static int
compare_quotas (gconstpointer a,
                gconstpointer b)
{
  const MsQuota *qa = a;
  const MsQuota *qb = b;

  if (qa->window_secs != qb->window_secs)
    return qa->window_secs < qb->window_secs ? -1 : 1;
  if (qa->limit != qb->limit)
    return qa->limit < qb->limit ? -1 : 1;
  return 0;
}

/* Sorts by window and keeps the smallest limit of each window. */
static void
normalize_quotas (GArray *quotas)
{
  guint out = 0;

  g_array_sort (quotas, compare_quotas);
  for (guint i = 0; i < quotas->len; i++)
    {
      MsQuota *q = &g_array_index (quotas, MsQuota, i);

      if (q->limit == 0 || q->window_secs == 0)
        continue;
      if (out > 0 && g_array_index (quotas, MsQuota, out - 1).window_secs == q->window_secs)
        continue;
      g_array_index (quotas, MsQuota, out++) = *q;
    }
  g_array_set_size (quotas, out);
}

/* Object */

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
notify (MsServer *self,
        guint     prop)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
}

#define DEFINE_STRING(field, PROP)                                   \
  const char *                                                       \
  ms_server_get_##field (MsServer *self)                             \
  {                                                                  \
    g_return_val_if_fail (MS_IS_SERVER (self), NULL);                \
    return self->field;                                              \
  }                                                                  \
  void                                                               \
  ms_server_set_##field (MsServer   *self,                           \
                         const char *value)                          \
  {                                                                  \
    g_return_if_fail (MS_IS_SERVER (self));                          \
    if (set_string (&self->field, value))                            \
      notify (self, PROP);                                           \
  }

#define DEFINE_VALUE(type, field, PROP, DEFAULT)                     \
  type                                                               \
  ms_server_get_##field (MsServer *self)                             \
  {                                                                  \
    g_return_val_if_fail (MS_IS_SERVER (self), DEFAULT);             \
    return self->field;                                              \
  }                                                                  \
  void                                                               \
  ms_server_set_##field (MsServer *self,                             \
                         type      value)                            \
  {                                                                  \
    g_return_if_fail (MS_IS_SERVER (self));                          \
    if (self->field == value)                                        \
      return;                                                        \
    self->field = value;                                             \
    notify (self, PROP);                                             \
  }

DEFINE_VALUE (gint64, id, PROP_ID, 0)
DEFINE_STRING (name, PROP_NAME)
DEFINE_VALUE (MsTransport, transport, PROP_TRANSPORT, MS_TRANSPORT_SMTP)
DEFINE_STRING (host, PROP_HOST)
DEFINE_VALUE (MsSecurity, security, PROP_SECURITY, MS_SECURITY_TLS)
DEFINE_STRING (login, PROP_LOGIN)
DEFINE_STRING (sender_address, PROP_SENDER_ADDRESS)
DEFINE_STRING (sender_name, PROP_SENDER_NAME)
DEFINE_VALUE (int, priority, PROP_PRIORITY, 0)
DEFINE_VALUE (guint, pause_ms, PROP_PAUSE_MS, 0)
DEFINE_VALUE (guint64, max_message_size, PROP_MAX_MESSAGE_SIZE, 0)
DEFINE_VALUE (guint, max_recipients, PROP_MAX_RECIPIENTS, 0)
DEFINE_STRING (folder, PROP_FOLDER)
DEFINE_STRING (ca_file, PROP_CA_FILE)
DEFINE_STRING (pinned_fingerprint, PROP_PINNED_FINGERPRINT)
DEFINE_VALUE (MsIncomingProtocol, incoming_protocol, PROP_INCOMING_PROTOCOL, MS_INCOMING_NONE)
DEFINE_STRING (incoming_host, PROP_INCOMING_HOST)
DEFINE_VALUE (MsSecurity, incoming_security, PROP_INCOMING_SECURITY, MS_SECURITY_TLS)
DEFINE_STRING (incoming_login, PROP_INCOMING_LOGIN)
DEFINE_STRING (incoming_folder, PROP_INCOMING_FOLDER)
DEFINE_STRING (incoming_move_to, PROP_INCOMING_MOVE_TO)
DEFINE_STRING (dkim_domain, PROP_DKIM_DOMAIN)
DEFINE_STRING (dkim_selector, PROP_DKIM_SELECTOR)
DEFINE_STRING (dkim_key_ref, PROP_DKIM_KEY_REF)
DEFINE_VALUE (gint64, created_at, PROP_CREATED_AT, 0)
DEFINE_VALUE (gint64, updated_at, PROP_UPDATED_AT, 0)

#undef DEFINE_STRING
#undef DEFINE_VALUE

guint
ms_server_get_port (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), 0);

  return self->port;
}

void
ms_server_set_port (MsServer *self,
                    guint     port)
{
  g_return_if_fail (MS_IS_SERVER (self));
  g_return_if_fail (port <= 65535);

  if (self->port == port)
    return;
  self->port = port;
  notify (self, PROP_PORT);
}

guint
ms_server_get_incoming_port (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), 0);

  return self->incoming_port;
}

void
ms_server_set_incoming_port (MsServer *self,
                             guint     port)
{
  g_return_if_fail (MS_IS_SERVER (self));
  g_return_if_fail (port <= 65535);

  if (self->incoming_port == port)
    return;
  self->incoming_port = port;
  notify (self, PROP_INCOMING_PORT);
}

gboolean
ms_server_get_allow_sender_substitution (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), FALSE);

  return self->allow_sender_substitution;
}

void
ms_server_set_allow_sender_substitution (MsServer *self,
                                         gboolean  allow)
{
  g_return_if_fail (MS_IS_SERVER (self));

  allow = !!allow;
  if (self->allow_sender_substitution == allow)
    return;
  self->allow_sender_substitution = allow;
  notify (self, PROP_ALLOW_SENDER_SUBSTITUTION);
}

gboolean
ms_server_get_enabled (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), FALSE);

  return self->enabled;
}

void
ms_server_set_enabled (MsServer *self,
                       gboolean  enabled)
{
  g_return_if_fail (MS_IS_SERVER (self));

  enabled = !!enabled;
  if (self->enabled == enabled)
    return;
  self->enabled = enabled;
  notify (self, PROP_ENABLED);
}

gboolean
ms_server_get_incoming_keep (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), TRUE);

  return self->incoming_keep;
}

void
ms_server_set_incoming_keep (MsServer *self,
                             gboolean  keep)
{
  g_return_if_fail (MS_IS_SERVER (self));

  keep = !!keep;
  if (self->incoming_keep == keep)
    return;
  self->incoming_keep = keep;
  notify (self, PROP_INCOMING_KEEP);
}

guint
ms_server_get_max_connections (MsServer *self)
{
  g_return_val_if_fail (MS_IS_SERVER (self), 1);

  return self->max_connections;
}

void
ms_server_set_max_connections (MsServer *self,
                               guint     n)
{
  g_return_if_fail (MS_IS_SERVER (self));

  n = MAX (n, 1);
  if (self->max_connections == n)
    return;
  self->max_connections = n;
  notify (self, PROP_MAX_CONNECTIONS);
}

const MsQuota *
ms_server_get_quotas (MsServer *self,
                      guint    *n_quotas)
{
  g_return_val_if_fail (MS_IS_SERVER (self), NULL);

  if (n_quotas != NULL)
    *n_quotas = self->quotas->len;
  return (const MsQuota *) (gpointer) self->quotas->data;
}

static gboolean
quotas_equal (GArray *a,
              GArray *b)
{
  return a->len == b->len
         && (a->len == 0 || memcmp (a->data, b->data, a->len * sizeof (MsQuota)) == 0);
}

static void
replace_quotas (MsServer *self,
                GArray   *quotas)
{
  normalize_quotas (quotas);
  if (quotas_equal (self->quotas, quotas))
    {
      g_array_unref (quotas);
      return;
    }
  g_array_unref (self->quotas);
  self->quotas = quotas;
  notify (self, PROP_QUOTAS);
}

void
ms_server_set_quotas (MsServer      *self,
                      const MsQuota *quotas,
                      guint          n_quotas)
{
  GArray *copy;

  g_return_if_fail (MS_IS_SERVER (self));
  g_return_if_fail (quotas != NULL || n_quotas == 0);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (MsQuota), n_quotas);
  if (n_quotas > 0)
    g_array_append_vals (copy, quotas, n_quotas);
  replace_quotas (self, copy);
}

void
ms_server_add_quota (MsServer      *self,
                     const MsQuota *quota)
{
  GArray *copy;

  g_return_if_fail (MS_IS_SERVER (self));
  g_return_if_fail (quota != NULL);

  copy = g_array_sized_new (FALSE, FALSE, sizeof (MsQuota), self->quotas->len + 1);
  g_array_append_val (copy, *quota);
  for (guint i = 0; i < self->quotas->len; i++)
    {
      const MsQuota *q = &g_array_index (self->quotas, MsQuota, i);

      if (q->window_secs != quota->window_secs)
        g_array_append_val (copy, *q);
    }
  replace_quotas (self, copy);
}

/* Validation */

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID, message);
  return FALSE;
}

static gboolean
has_control_chars (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if ((guchar) *p < 0x20 || *p == 0x7f)
        return TRUE;
    }
  return FALSE;
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return TRUE;
}

static gboolean
validate_host (const char  *host,
               const char  *what,
               GError     **error)
{
  if (host == NULL)
    {
      /* TRANSLATORS: %s is "the SMTP server" or "the incoming mailbox" */
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("Give the host name of %s."), what);
      return FALSE;
    }
  if (has_control_chars (host) || strpbrk (host, " /@") != NULL)
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("“%s” is not a host name."), host);
      return FALSE;
    }
  return TRUE;
}

static gboolean
validate_smtp (MsServer  *self,
               GError   **error)
{
  if (!validate_host (self->host, _("the SMTP server"), error))
    return FALSE;
  if (self->port == 0)
    return invalid (error, _("Give the port of the SMTP server (465 for TLS, 587 for STARTTLS)."));
  if (self->pinned_fingerprint != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autofree char *normalized = ms_fingerprint_normalize (self->pinned_fingerprint,
                                                              &local_error);

      if (normalized == NULL)
        {
          g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                       _("The pinned certificate fingerprint is not valid: %s"),
                       local_error->message);
          return FALSE;
        }
    }
  if (self->ca_file != NULL && !g_path_is_absolute (self->ca_file))
    return invalid (error, _("Give the CA file as an absolute path."));
  if (has_control_chars (self->login))
    return invalid (error, _("The login contains control characters."));
  return TRUE;
}

static gboolean
validate_incoming (MsServer  *self,
                   GError   **error)
{
  if (self->incoming_protocol == MS_INCOMING_NONE)
    return TRUE;
  if (!validate_host (self->incoming_host, _("the incoming mailbox"), error))
    return FALSE;
  if (self->incoming_port == 0)
    return invalid (error, _("Give the port of the incoming mailbox (993 for IMAP over TLS, "
                             "995 for POP3 over TLS)."));
  if (has_control_chars (self->incoming_login) || has_control_chars (self->incoming_folder)
      || has_control_chars (self->incoming_move_to))
    return invalid (error, _("A setting of the incoming mailbox contains control characters."));
  return TRUE;
}

static gboolean
validate_dkim (MsServer  *self,
               GError   **error)
{
  gboolean any = self->dkim_domain != NULL || self->dkim_selector != NULL
                 || self->dkim_key_ref != NULL;
  g_autofree char *ascii = NULL;

  if (!any)
    return TRUE;
  if (self->dkim_domain == NULL || self->dkim_selector == NULL)
    return invalid (error, _("DKIM signing needs both a domain and a selector."));
  ascii = g_hostname_to_ascii (self->dkim_domain);
  if (ascii == NULL || has_control_chars (ascii) || strpbrk (ascii, " /@;") != NULL
      || strchr (ascii, '.') == NULL)
    return invalid (error, _("The DKIM domain is not a domain name."));
  for (const char *p = self->dkim_selector; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return invalid (error, _("A DKIM selector holds only letters, digits, “-”, “_” and “.”."));
    }
  return TRUE;
}

gboolean
ms_server_validate (MsServer  *self,
                    GError   **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *address = NULL;

  g_return_val_if_fail (MS_IS_SERVER (self), FALSE);

  if (self->name == NULL || is_blank (self->name))
    return invalid (error, _("A server profile needs a name."));
  if (has_control_chars (self->name))
    return invalid (error, _("The name of a server profile cannot contain control characters."));
  if (self->sender_address == NULL)
    return invalid (error, _("Give the sender address of the server profile."));
  address = ms_address_normalize (self->sender_address, &local_error);
  if (address == NULL)
    {
      g_set_error (error, MS_SERVER_ERROR, MS_SERVER_ERROR_INVALID,
                   _("The sender address “%s” is not valid: %s"), self->sender_address,
                   local_error->message);
      return FALSE;
    }
  if (has_control_chars (self->sender_name))
    return invalid (error, _("The sender name contains control characters."));

  switch (self->transport)
    {
    case MS_TRANSPORT_SMTP:
      if (!validate_smtp (self, error))
        return FALSE;
      break;
    case MS_TRANSPORT_FOLDER:
      if (self->folder == NULL)
        return invalid (error, _("Choose the folder the messages are written to."));
      if (!g_path_is_absolute (self->folder))
        return invalid (error, _("Give the folder as an absolute path."));
      break;
    case MS_TRANSPORT_SENDMAIL:
    default:
      break;
    }
  return validate_incoming (self, error) && validate_dkim (self, error);
}

/* GObject */

MsServer *
ms_server_new (void)
{
  return g_object_new (MS_TYPE_SERVER, NULL);
}

MsServer *
ms_server_copy (MsServer *self)
{
  MsServer *copy;

  g_return_val_if_fail (MS_IS_SERVER (self), NULL);

  copy = ms_server_new ();
  for (guint i = 1; i < N_PROPS; i++)
    {
      g_auto(GValue) value = G_VALUE_INIT;

      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (self), properties[i]->name, &value);
      g_object_set_property (G_OBJECT (copy), properties[i]->name, &value);
    }
  return copy;
}

static void
ms_server_finalize (GObject *object)
{
  MsServer *self = (MsServer *) object;

  g_free (self->name);
  g_free (self->host);
  g_free (self->login);
  g_free (self->sender_address);
  g_free (self->sender_name);
  g_free (self->folder);
  g_free (self->ca_file);
  g_free (self->pinned_fingerprint);
  g_free (self->incoming_host);
  g_free (self->incoming_login);
  g_free (self->incoming_folder);
  g_free (self->incoming_move_to);
  g_free (self->dkim_domain);
  g_free (self->dkim_selector);
  g_free (self->dkim_key_ref);
  g_array_unref (self->quotas);

  G_OBJECT_CLASS (ms_server_parent_class)->finalize (object);
}

static void
ms_server_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  MsServer *self = MS_SERVER (object);

  switch (prop_id)
    {
    case PROP_ID:
      g_value_set_int64 (value, self->id);
      break;
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_TRANSPORT:
      g_value_set_enum (value, self->transport);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_LOGIN:
      g_value_set_string (value, self->login);
      break;
    case PROP_SENDER_ADDRESS:
      g_value_set_string (value, self->sender_address);
      break;
    case PROP_SENDER_NAME:
      g_value_set_string (value, self->sender_name);
      break;
    case PROP_ALLOW_SENDER_SUBSTITUTION:
      g_value_set_boolean (value, self->allow_sender_substitution);
      break;
    case PROP_PRIORITY:
      g_value_set_int (value, self->priority);
      break;
    case PROP_ENABLED:
      g_value_set_boolean (value, self->enabled);
      break;
    case PROP_MAX_CONNECTIONS:
      g_value_set_uint (value, self->max_connections);
      break;
    case PROP_PAUSE_MS:
      g_value_set_uint (value, self->pause_ms);
      break;
    case PROP_MAX_MESSAGE_SIZE:
      g_value_set_uint64 (value, self->max_message_size);
      break;
    case PROP_MAX_RECIPIENTS:
      g_value_set_uint (value, self->max_recipients);
      break;
    case PROP_FOLDER:
      g_value_set_string (value, self->folder);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_PINNED_FINGERPRINT:
      g_value_set_string (value, self->pinned_fingerprint);
      break;
    case PROP_INCOMING_PROTOCOL:
      g_value_set_enum (value, self->incoming_protocol);
      break;
    case PROP_INCOMING_HOST:
      g_value_set_string (value, self->incoming_host);
      break;
    case PROP_INCOMING_PORT:
      g_value_set_uint (value, self->incoming_port);
      break;
    case PROP_INCOMING_SECURITY:
      g_value_set_enum (value, self->incoming_security);
      break;
    case PROP_INCOMING_LOGIN:
      g_value_set_string (value, self->incoming_login);
      break;
    case PROP_INCOMING_FOLDER:
      g_value_set_string (value, self->incoming_folder);
      break;
    case PROP_INCOMING_KEEP:
      g_value_set_boolean (value, self->incoming_keep);
      break;
    case PROP_INCOMING_MOVE_TO:
      g_value_set_string (value, self->incoming_move_to);
      break;
    case PROP_DKIM_DOMAIN:
      g_value_set_string (value, self->dkim_domain);
      break;
    case PROP_DKIM_SELECTOR:
      g_value_set_string (value, self->dkim_selector);
      break;
    case PROP_DKIM_KEY_REF:
      g_value_set_string (value, self->dkim_key_ref);
      break;
    case PROP_CREATED_AT:
      g_value_set_int64 (value, self->created_at);
      break;
    case PROP_UPDATED_AT:
      g_value_set_int64 (value, self->updated_at);
      break;
    case PROP_QUOTAS:
      g_value_set_boxed (value, self->quotas);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ms_server_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  MsServer *self = MS_SERVER (object);

  switch (prop_id)
    {
    case PROP_ID:
      ms_server_set_id (self, g_value_get_int64 (value));
      break;
    case PROP_NAME:
      ms_server_set_name (self, g_value_get_string (value));
      break;
    case PROP_TRANSPORT:
      ms_server_set_transport (self, g_value_get_enum (value));
      break;
    case PROP_HOST:
      ms_server_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      ms_server_set_port (self, g_value_get_uint (value));
      break;
    case PROP_SECURITY:
      ms_server_set_security (self, g_value_get_enum (value));
      break;
    case PROP_LOGIN:
      ms_server_set_login (self, g_value_get_string (value));
      break;
    case PROP_SENDER_ADDRESS:
      ms_server_set_sender_address (self, g_value_get_string (value));
      break;
    case PROP_SENDER_NAME:
      ms_server_set_sender_name (self, g_value_get_string (value));
      break;
    case PROP_ALLOW_SENDER_SUBSTITUTION:
      ms_server_set_allow_sender_substitution (self, g_value_get_boolean (value));
      break;
    case PROP_PRIORITY:
      ms_server_set_priority (self, g_value_get_int (value));
      break;
    case PROP_ENABLED:
      ms_server_set_enabled (self, g_value_get_boolean (value));
      break;
    case PROP_MAX_CONNECTIONS:
      ms_server_set_max_connections (self, g_value_get_uint (value));
      break;
    case PROP_PAUSE_MS:
      ms_server_set_pause_ms (self, g_value_get_uint (value));
      break;
    case PROP_MAX_MESSAGE_SIZE:
      ms_server_set_max_message_size (self, g_value_get_uint64 (value));
      break;
    case PROP_MAX_RECIPIENTS:
      ms_server_set_max_recipients (self, g_value_get_uint (value));
      break;
    case PROP_FOLDER:
      ms_server_set_folder (self, g_value_get_string (value));
      break;
    case PROP_CA_FILE:
      ms_server_set_ca_file (self, g_value_get_string (value));
      break;
    case PROP_PINNED_FINGERPRINT:
      ms_server_set_pinned_fingerprint (self, g_value_get_string (value));
      break;
    case PROP_INCOMING_PROTOCOL:
      ms_server_set_incoming_protocol (self, g_value_get_enum (value));
      break;
    case PROP_INCOMING_HOST:
      ms_server_set_incoming_host (self, g_value_get_string (value));
      break;
    case PROP_INCOMING_PORT:
      ms_server_set_incoming_port (self, g_value_get_uint (value));
      break;
    case PROP_INCOMING_SECURITY:
      ms_server_set_incoming_security (self, g_value_get_enum (value));
      break;
    case PROP_INCOMING_LOGIN:
      ms_server_set_incoming_login (self, g_value_get_string (value));
      break;
    case PROP_INCOMING_FOLDER:
      ms_server_set_incoming_folder (self, g_value_get_string (value));
      break;
    case PROP_INCOMING_KEEP:
      ms_server_set_incoming_keep (self, g_value_get_boolean (value));
      break;
    case PROP_INCOMING_MOVE_TO:
      ms_server_set_incoming_move_to (self, g_value_get_string (value));
      break;
    case PROP_DKIM_DOMAIN:
      ms_server_set_dkim_domain (self, g_value_get_string (value));
      break;
    case PROP_DKIM_SELECTOR:
      ms_server_set_dkim_selector (self, g_value_get_string (value));
      break;
    case PROP_DKIM_KEY_REF:
      ms_server_set_dkim_key_ref (self, g_value_get_string (value));
      break;
    case PROP_CREATED_AT:
      ms_server_set_created_at (self, g_value_get_int64 (value));
      break;
    case PROP_UPDATED_AT:
      ms_server_set_updated_at (self, g_value_get_int64 (value));
      break;
    case PROP_QUOTAS:
      {
        GArray *quotas = g_value_get_boxed (value);

        if (quotas != NULL)
          ms_server_set_quotas (self, (const MsQuota *) (gpointer) quotas->data, quotas->len);
        else
          ms_server_set_quotas (self, NULL, 0);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

#define RW (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY)

static GParamSpec *
string_pspec (const char *name)
{
  return g_param_spec_string (name, NULL, NULL, NULL, RW);
}

static void
ms_server_class_init (MsServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_server_finalize;
  object_class->get_property = ms_server_get_property;
  object_class->set_property = ms_server_set_property;

  properties[PROP_ID] = g_param_spec_int64 ("id", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_NAME] = string_pspec ("name");
  properties[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, MS_TYPE_TRANSPORT, MS_TRANSPORT_SMTP, RW);
  properties[PROP_HOST] = string_pspec ("host");
  properties[PROP_PORT] = g_param_spec_uint ("port", NULL, NULL, 0, 65535, 0, RW);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL, MS_TYPE_SERVER_SECURITY, MS_SECURITY_TLS, RW);
  properties[PROP_LOGIN] = string_pspec ("login");
  properties[PROP_SENDER_ADDRESS] = string_pspec ("sender-address");
  properties[PROP_SENDER_NAME] = string_pspec ("sender-name");
  properties[PROP_ALLOW_SENDER_SUBSTITUTION] =
    g_param_spec_boolean ("allow-sender-substitution", NULL, NULL, FALSE, RW);
  properties[PROP_PRIORITY] =
    g_param_spec_int ("priority", NULL, NULL, G_MININT, G_MAXINT, 0, RW);
  properties[PROP_ENABLED] = g_param_spec_boolean ("enabled", NULL, NULL, TRUE, RW);
  properties[PROP_MAX_CONNECTIONS] =
    g_param_spec_uint ("max-connections", NULL, NULL, 1, G_MAXUINT, 1, RW);
  properties[PROP_PAUSE_MS] =
    g_param_spec_uint ("pause-ms", NULL, NULL, 0, G_MAXUINT, 0, RW);
  properties[PROP_MAX_MESSAGE_SIZE] =
    g_param_spec_uint64 ("max-message-size", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_MAX_RECIPIENTS] =
    g_param_spec_uint ("max-recipients", NULL, NULL, 0, G_MAXINT, 0, RW);
  properties[PROP_FOLDER] = string_pspec ("folder");
  properties[PROP_CA_FILE] = string_pspec ("ca-file");
  properties[PROP_PINNED_FINGERPRINT] = string_pspec ("pinned-fingerprint");
  properties[PROP_INCOMING_PROTOCOL] =
    g_param_spec_enum ("incoming-protocol", NULL, NULL, MS_TYPE_INCOMING_PROTOCOL,
                       MS_INCOMING_NONE, RW);
  properties[PROP_INCOMING_HOST] = string_pspec ("incoming-host");
  properties[PROP_INCOMING_PORT] =
    g_param_spec_uint ("incoming-port", NULL, NULL, 0, 65535, 0, RW);
  properties[PROP_INCOMING_SECURITY] =
    g_param_spec_enum ("incoming-security", NULL, NULL, MS_TYPE_SERVER_SECURITY,
                       MS_SECURITY_TLS, RW);
  properties[PROP_INCOMING_LOGIN] = string_pspec ("incoming-login");
  properties[PROP_INCOMING_FOLDER] = string_pspec ("incoming-folder");
  properties[PROP_INCOMING_KEEP] = g_param_spec_boolean ("incoming-keep", NULL, NULL, TRUE, RW);
  properties[PROP_INCOMING_MOVE_TO] = string_pspec ("incoming-move-to");
  properties[PROP_DKIM_DOMAIN] = string_pspec ("dkim-domain");
  properties[PROP_DKIM_SELECTOR] = string_pspec ("dkim-selector");
  properties[PROP_DKIM_KEY_REF] = string_pspec ("dkim-key-ref");
  properties[PROP_CREATED_AT] =
    g_param_spec_int64 ("created-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_UPDATED_AT] =
    g_param_spec_int64 ("updated-at", NULL, NULL, 0, G_MAXINT64, 0, RW);
  properties[PROP_QUOTAS] = g_param_spec_boxed ("quotas", NULL, NULL, G_TYPE_ARRAY, RW);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
ms_server_init (MsServer *self)
{
  self->transport = MS_TRANSPORT_SMTP;
  self->security = MS_SECURITY_TLS;
  self->enabled = TRUE;
  self->max_connections = 1;
  self->incoming_protocol = MS_INCOMING_NONE;
  self->incoming_security = MS_SECURITY_TLS;
  self->incoming_keep = TRUE;
  self->quotas = g_array_new (FALSE, FALSE, sizeof (MsQuota));
}

/* ms-autodetect.c
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

#define G_LOG_DOMAIN "ms-autodetect"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-autoconfig.h"
#include "ms-autodetect.h"
#include "ms-domain-check.h"
#include "ms-imap-client.h"
#include "ms-pop3-client.h"
#include "ms-provider.h"
#include "ms-smtp-client.h"

G_DEFINE_QUARK (ms-autodetect-error-quark, ms_autodetect_error)

typedef enum
{
  PROTO_SMTP,
  PROTO_IMAP,
  PROTO_POP3,
} Proto;

static void
detected_server_free (MsDetectedServer *server)
{
  if (server == NULL)
    return;
  g_free (server->host);
  g_free (server->login);
  g_free (server->source_text);
  g_free (server);
}

void
ms_detect_result_free (MsDetectResult *result)
{
  if (result == NULL)
    return;
  g_free (result->address);
  g_free (result->provider_name);
  detected_server_free (result->smtp);
  detected_server_free (result->imap);
  detected_server_free (result->pop3);
  g_ptr_array_unref (result->documentation);
  g_ptr_array_unref (result->tried);
  g_free (result);
}

const char *
ms_detect_source_to_string (MsDetectSource source)
{
  switch (source)
    {
    case MS_DETECT_SOURCE_PRESET:
      return "preset";
    case MS_DETECT_SOURCE_AUTOCONFIG:
      return "autoconfig";
    case MS_DETECT_SOURCE_AUTOCONFIG_HTTP:
      return "autoconfig-http";
    case MS_DETECT_SOURCE_MX:
      return "mx";
    case MS_DETECT_SOURCE_SRV:
      return "srv";
    case MS_DETECT_SOURCE_GUESS:
    default:
      return "guess";
    }
}

static MsDetectedServer *
detected_new (const char     *host,
              guint           port,
              MsSecurity      security,
              const char     *login,
              MsDetectSource  source,
              char           *source_text)
{
  MsDetectedServer *server = g_new0 (MsDetectedServer, 1);

  server->host = g_strdup (host);
  server->port = port;
  server->security = security;
  server->login = g_strdup (login);
  server->source = source;
  server->source_text = source_text;
  return server;
}

static void
tried (MsDetectResult *result,
       const char     *format,
       ...) G_GNUC_PRINTF (2, 3);

static void
tried (MsDetectResult *result,
       const char     *format,
       ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (result->tried, g_strdup_vprintf (format, args));
  va_end (args);
}

static guint
remaining_ms (gint64 deadline)
{
  gint64 left = (deadline - g_get_monotonic_time ()) / 1000;

  return left > 0 ? (guint) left : 0;
}

/* 1. Presets */

static void
fill_from_provider (MsDetectResult *result,
                    MsProvider     *provider,
                    MsDetectSource  source,
                    const char     *source_text)
{
  g_autofree char *login = ms_provider_make_login (provider, result->address);

  result->provider_name = g_strdup (ms_provider_get_name (provider));
  result->smtp = detected_new (ms_provider_get_smtp_host (provider),
                               ms_provider_get_smtp_port (provider),
                               ms_provider_get_smtp_security (provider),
                               login, source, g_strdup (source_text));
  if (ms_provider_get_imap_host (provider) != NULL)
    result->imap = detected_new (ms_provider_get_imap_host (provider),
                                 ms_provider_get_imap_port (provider),
                                 ms_provider_get_imap_security (provider),
                                 login, source, g_strdup (source_text));
  if (ms_provider_get_pop3_host (provider) != NULL)
    result->pop3 = detected_new (ms_provider_get_pop3_host (provider),
                                 ms_provider_get_pop3_port (provider),
                                 ms_provider_get_pop3_security (provider),
                                 login, source, g_strdup (source_text));
  if (ms_provider_get_help_url (provider) != NULL)
    g_ptr_array_add (result->documentation, g_strdup (ms_provider_get_help_url (provider)));
}

/* 2. Autoconfig */

static MsDetectedServer *
from_autoconfig (const MsAutoconfig   *config,
                 MsAutoconfigProtocol  protocol)
{
  const MsAutoconfigServer *server = ms_autoconfig_best_server (config, protocol);

  if (server == NULL)
    return NULL;
  return detected_new (server->hostname, server->port, server->security, server->username,
                       config->less_trusted ? MS_DETECT_SOURCE_AUTOCONFIG_HTTP
                                            : MS_DETECT_SOURCE_AUTOCONFIG,
                       g_strdup (config->less_trusted
                                 ? _("from the provider’s autoconfig over plain HTTP (less trusted)")
                                 : _("from the provider’s autoconfig")));
}

/* 3. DNS */

/* Hosted mail whose MX hosts give the provider away; the settings are those of the
 * provider's own preset, with the full address as the login. */
static const struct
{
  const char *mx_suffix;
  const char *provider_id;
  const char *name;
} mx_providers[] = {
  { "aspmx.l.google.com", "gmail", N_("Google Workspace") },
  { ".aspmx.l.google.com", "gmail", N_("Google Workspace") },
  { ".googlemail.com", "gmail", N_("Google Workspace") },
  { ".google.com", "gmail", N_("Google Workspace") },
  { "mx.yandex.net", "yandex", N_("Yandex 360") },
  { ".mx.yandex.net", "yandex", N_("Yandex 360") },
  { "mx.yandex.ru", "yandex", N_("Yandex 360") },
  { ".yandex.ru", "yandex", N_("Yandex 360") },
  { "mxs.mail.ru", "mailru", N_("mail.ru for business") },
  { ".mxs.mail.ru", "mailru", N_("mail.ru for business") },
  { ".mail.protection.outlook.com", "outlook", N_("Microsoft 365") },
  { ".mail.icloud.com", "icloud", N_("iCloud custom domain") },
  { ".yahoodns.net", "yahoo", N_("Yahoo") },
  { ".gmx.net", "gmx", N_("GMX") },
  { ".web.de", "webde", N_("WEB.DE") },
};

static MsProvider *
provider_by_id (const char *id)
{
  GPtrArray *all = ms_provider_get_all ();

  for (guint i = 0; i < all->len; i++)
    if (g_str_equal (ms_provider_get_id (g_ptr_array_index (all, i)), id))
      return g_ptr_array_index (all, i);
  return NULL;
}

static gboolean
host_matches (const char *host,
              const char *suffix)
{
  if (suffix[0] == '.')
    return g_str_has_suffix (host, suffix);
  return g_ascii_strcasecmp (host, suffix) == 0;
}

/* The MX hosts of @domain, best preference first (lower-case, no trailing dot). */
static GPtrArray *
lookup_mx (GResolver      *resolver,
           const char     *domain,
           MsDetectResult *result,
           GCancellable   *cancellable)
{
  g_autoptr(GError) error = NULL;
  GList *records = g_resolver_lookup_records (resolver, domain, G_RESOLVER_RECORD_MX,
                                              cancellable, &error);
  GPtrArray *hosts = g_ptr_array_new_with_free_func (g_free);
  GArray *prefs = g_array_new (FALSE, FALSE, sizeof (guint16));

  if (records == NULL)
    tried (result, _("DNS MX of %s: %s"), domain, error->message);
  for (GList *l = records; l != NULL && hosts->len < 10; l = l->next)
    {
      guint16 pref;
      const char *host;
      char *lower;
      gsize len;
      guint at = 0;

      g_variant_get (l->data, "(q&s)", &pref, &host);
      lower = g_ascii_strdown (host, -1);
      len = strlen (lower);
      if (len > 0 && lower[len - 1] == '.')
        lower[len - 1] = '\0';
      if (*lower == '\0')
        {
          g_free (lower);   /* a null MX: the domain receives no mail */
          continue;
        }
      while (at < prefs->len && g_array_index (prefs, guint16, at) <= pref)
        at++;
      g_array_insert_val (prefs, at, pref);
      g_ptr_array_insert (hosts, (gint) at, lower);
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  g_array_unref (prefs);
  return hosts;
}

static gboolean
try_mx_providers (MsDetectResult *result,
                  GPtrArray      *mx_hosts)
{
  for (guint i = 0; i < mx_hosts->len; i++)
    {
      const char *host = g_ptr_array_index (mx_hosts, i);

      for (gsize j = 0; j < G_N_ELEMENTS (mx_providers); j++)
        {
          MsProvider *provider;
          g_autofree char *text = NULL;

          if (!host_matches (host, mx_providers[j].mx_suffix))
            continue;
          provider = provider_by_id (mx_providers[j].provider_id);
          if (provider == NULL)
            continue;
          text = g_strdup_printf (_("the domain’s mail goes to %s (MX %s): its settings"),
                                  _(mx_providers[j].name), host);
          tried (result, _("DNS MX: %s is %s"), host, _(mx_providers[j].name));
          fill_from_provider (result, provider, MS_DETECT_SOURCE_MX, text);
          g_free (result->provider_name);
          result->provider_name = g_strdup (_(mx_providers[j].name));
          /* hosted domains log in with the full address */
          g_free (result->smtp->login);
          result->smtp->login = g_strdup (result->address);
          if (result->imap != NULL)
            {
              g_free (result->imap->login);
              result->imap->login = g_strdup (result->address);
            }
          if (result->pop3 != NULL)
            {
              g_free (result->pop3->login);
              result->pop3->login = g_strdup (result->address);
            }
          return TRUE;
        }
    }
  if (mx_hosts->len > 0)
    tried (result, _("DNS MX: %s is not a known provider"), (const char *) g_ptr_array_index (mx_hosts, 0));
  return FALSE;
}

static MsDetectedServer *
lookup_srv (GResolver      *resolver,
            const char     *service,
            const char     *domain,
            MsSecurity      security,
            MsDetectResult *result,
            GCancellable   *cancellable)
{
  g_autofree char *name = g_strdup_printf ("%s.%s", service, domain);
  g_autoptr(GError) error = NULL;
  GList *records = g_resolver_lookup_records (resolver, name, G_RESOLVER_RECORD_SRV,
                                              cancellable, &error);
  MsDetectedServer *best = NULL;
  guint16 best_prio = G_MAXUINT16;

  if (records == NULL)
    {
      tried (result, _("DNS SRV %s: %s"), name, error->message);
      return NULL;
    }
  for (GList *l = records; l != NULL; l = l->next)
    {
      guint16 prio, weight, port;
      const char *target;
      g_autofree char *host = NULL;
      gsize len;

      g_variant_get (l->data, "(qqq&s)", &prio, &weight, &port, &target);
      host = g_ascii_strdown (target, -1);
      len = strlen (host);
      if (len > 0 && host[len - 1] == '.')
        host[len - 1] = '\0';
      if (*host == '\0' || port == 0)
        continue;   /* "." : the service is decidedly not offered (RFC 6186 §4) */
      if (best == NULL || prio < best_prio)
        {
          detected_server_free (best);
          best = detected_new (host, port, security, NULL, MS_DETECT_SOURCE_SRV,
                               g_strdup_printf (_("from the domain’s DNS record %s"), name));
          best_prio = prio;
        }
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);
  if (best != NULL)
    tried (result, _("DNS SRV %s: %s port %u"), name, best->host, best->port);
  else
    tried (result, _("DNS SRV %s: the service is not offered"), name);
  return best;
}

/* 4. Probes */

typedef struct
{
  Proto         proto;
  char         *host;
  guint16       port;
  gboolean      implicit_tls;
  guint         timeout_ms;
  char         *ca_file;
  GCancellable *cancellable;
  /* out */
  gboolean      answered;
  MsSecurity    security;
  char         *note;      /* what happened, for "tried" */
} Probe;

static void
probe_free (gpointer data)
{
  Probe *probe = data;

  g_free (probe->host);
  g_free (probe->ca_file);
  g_free (probe->note);
  g_clear_object (&probe->cancellable);
  g_free (probe);
}

static const char *
proto_name (Proto proto)
{
  return proto == PROTO_SMTP ? "SMTP" : proto == PROTO_IMAP ? "IMAP" : "POP3";
}

static gpointer
probe_thread (gpointer data)
{
  Probe *probe = data;
  g_autoptr(GError) error = NULL;
  MsSecurity security = probe->implicit_tls ? MS_SECURITY_TLS : MS_SECURITY_NONE;
  gboolean ok = FALSE, starttls = FALSE;

  if (probe->proto == PROTO_SMTP)
    {
      g_autoptr(MsSmtpClient) client = ms_smtp_client_new (probe->host, probe->port, security);
      MsSmtpTimeouts timeouts;

      ms_smtp_timeouts_init_default (&timeouts);
      timeouts.connect = timeouts.greeting = timeouts.command = probe->timeout_ms;
      ms_smtp_client_set_timeouts (client, &timeouts);
      ms_smtp_client_set_helo_name (client, "mailshot.invalid");
      if (probe->ca_file != NULL)
        ms_smtp_client_set_ca_file (client, probe->ca_file);
      ok = ms_smtp_client_connect (client, probe->cancellable, &error);
      if (ok)
        {
          starttls = (ms_smtp_client_get_capabilities (client) & MS_SMTP_CAP_STARTTLS) != 0;
          ms_smtp_client_quit (client, probe->cancellable, NULL);
        }
    }
  else if (probe->proto == PROTO_IMAP)
    {
      g_autoptr(MsImapClient) client = ms_imap_client_new (probe->host, probe->port, security);

      ms_imap_client_set_timeout (client, probe->timeout_ms);
      if (probe->ca_file != NULL)
        ms_imap_client_set_ca_file (client, probe->ca_file);
      ok = ms_imap_client_connect (client, probe->cancellable, &error);
      if (ok)
        {
          starttls = ms_imap_client_has_capability (client, "STARTTLS");
          ms_imap_client_logout (client, probe->cancellable, NULL);
        }
    }
  else
    {
      g_autoptr(MsPop3Client) client = ms_pop3_client_new (probe->host, probe->port, security);

      ms_pop3_client_set_timeout (client, probe->timeout_ms);
      if (probe->ca_file != NULL)
        ms_pop3_client_set_ca_file (client, probe->ca_file);
      ok = ms_pop3_client_connect (client, probe->cancellable, &error);
      if (ok)
        {
          starttls = ms_pop3_client_has_capability (client, "STLS");
          ms_pop3_client_quit (client, probe->cancellable, NULL);
        }
    }

  probe->answered = ok;
  if (!ok)
    probe->note = g_strdup_printf (_("%s %s port %u: %s"), proto_name (probe->proto),
                                   probe->host, probe->port, error->message);
  else if (probe->implicit_tls)
    {
      probe->security = MS_SECURITY_TLS;
      probe->note = g_strdup_printf (_("%s %s port %u: answered with implicit TLS"),
                                     proto_name (probe->proto), probe->host, probe->port);
    }
  else if (starttls)
    {
      probe->security = MS_SECURITY_STARTTLS;
      probe->note = g_strdup_printf (_("%s %s port %u: answered with STARTTLS"),
                                     proto_name (probe->proto), probe->host, probe->port);
    }
  else
    {
      probe->security = MS_SECURITY_NONE;
      probe->note = g_strdup_printf (_("%s %s port %u: answered without any encryption"),
                                     proto_name (probe->proto), probe->host, probe->port);
    }
  return NULL;
}

static int
security_rank (MsSecurity security)
{
  return security == MS_SECURITY_TLS ? 0 : security == MS_SECURITY_STARTTLS ? 1 : 2;
}

static const MsDetectPort default_smtp_ports[] = {
  { 465, TRUE }, { 587, FALSE }, { 25, FALSE }, { 2525, FALSE }, { 0, FALSE },
};
static const MsDetectPort default_imap_ports[] = {
  { 993, TRUE }, { 143, FALSE }, { 0, FALSE },
};
static const MsDetectPort default_pop3_ports[] = {
  { 995, TRUE }, { 110, FALSE }, { 0, FALSE },
};

static void
add_probes (GPtrArray             *probes,
            Proto                  proto,
            const char * const    *hosts,
            const MsDetectPort    *ports,
            const MsDetectOptions *options,
            guint                  timeout_ms,
            GCancellable          *cancellable)
{
  for (guint h = 0; hosts[h] != NULL; h++)
    {
      gboolean seen = FALSE;

      for (guint k = 0; k < h; k++)
        seen = seen || g_ascii_strcasecmp (hosts[k], hosts[h]) == 0;
      if (seen)
        continue;
      for (guint p = 0; ports[p].port != 0; p++)
        {
          Probe *probe = g_new0 (Probe, 1);

          probe->proto = proto;
          probe->host = g_strdup (hosts[h]);
          probe->port = ports[p].port;
          probe->implicit_tls = ports[p].implicit_tls;
          probe->timeout_ms = timeout_ms;
          probe->ca_file = g_strdup (options->ca_file);
          probe->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
          g_ptr_array_add (probes, probe);
        }
    }
}

/* The best answer of @proto: implicit TLS, then STARTTLS, then plain; earlier hosts
 * and ports break ties. */
static MsDetectedServer *
best_probe (GPtrArray      *probes,
            Proto           proto,
            const char     *login)
{
  Probe *best = NULL;

  for (guint i = 0; i < probes->len; i++)
    {
      Probe *probe = g_ptr_array_index (probes, i);

      if (probe->proto != proto || !probe->answered)
        continue;
      if (best == NULL || security_rank (probe->security) < security_rank (best->security))
        best = probe;
    }
  if (best == NULL)
    return NULL;
  return detected_new (best->host, best->port, best->security, login, MS_DETECT_SOURCE_GUESS,
                       g_strdup_printf (best->implicit_tls ? _("guessed: port %u answered with TLS")
                                        : best->security == MS_SECURITY_STARTTLS
                                        ? _("guessed: port %u answered with STARTTLS")
                                        : _("guessed: port %u answered, without encryption"),
                                        best->port));
}

static void
run_probes (MsDetectResult        *result,
            const char            *domain,
            GPtrArray             *mx_hosts,
            const MsDetectOptions *options,
            guint                  timeout_ms,
            GCancellable          *cancellable)
{
  g_autoptr(GPtrArray) probes = g_ptr_array_new_with_free_func (probe_free);
  g_autoptr(GPtrArray) threads = g_ptr_array_new ();
  g_autofree char *smtp_host = g_strconcat ("smtp.", domain, NULL);
  g_autofree char *mail_host = g_strconcat ("mail.", domain, NULL);
  g_autofree char *imap_host = g_strconcat ("imap.", domain, NULL);
  g_autofree char *pop_host = g_strconcat ("pop.", domain, NULL);
  const char *smtp_hosts[] = { smtp_host, mail_host,
                               mx_hosts->len > 0 ? g_ptr_array_index (mx_hosts, 0) : NULL, NULL };
  const char *imap_hosts[] = { imap_host, mail_host, NULL };
  const char *pop3_hosts[] = { pop_host, mail_host, NULL };

  if (result->smtp == NULL)
    add_probes (probes, PROTO_SMTP, smtp_hosts,
                options->smtp_ports != NULL ? options->smtp_ports : default_smtp_ports,
                options, timeout_ms, cancellable);
  if (result->imap == NULL)
    add_probes (probes, PROTO_IMAP, imap_hosts,
                options->imap_ports != NULL ? options->imap_ports : default_imap_ports,
                options, timeout_ms, cancellable);
  if (result->pop3 == NULL)
    add_probes (probes, PROTO_POP3, pop3_hosts,
                options->pop3_ports != NULL ? options->pop3_ports : default_pop3_ports,
                options, timeout_ms, cancellable);

  for (guint i = 0; i < probes->len; i++)
    g_ptr_array_add (threads, g_thread_new ("ms-probe", probe_thread, g_ptr_array_index (probes, i)));
  for (guint i = 0; i < threads->len; i++)
    g_thread_join (g_ptr_array_index (threads, i));

  for (guint i = 0; i < probes->len; i++)
    {
      Probe *probe = g_ptr_array_index (probes, i);

      g_ptr_array_add (result->tried, g_strdup (probe->note));
    }
  if (result->smtp == NULL)
    result->smtp = best_probe (probes, PROTO_SMTP, result->address);
  if (result->imap == NULL)
    result->imap = best_probe (probes, PROTO_IMAP, result->address);
  if (result->pop3 == NULL)
    result->pop3 = best_probe (probes, PROTO_POP3, result->address);
}

/* The whole run */

MsDetectResult *
ms_autodetect_run (const char             *address,
                   const MsDetectOptions  *options,
                   GCancellable           *cancellable,
                   GError                **error)
{
  static const MsDetectOptions defaults = { 0 };
  g_autoptr(MsDetectResult) result = NULL;
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GPtrArray) mx_hosts = NULL;
  g_autoptr(MsAutoconfig) http_config = NULL;
  g_autofree char *domain = NULL;
  const char *at;
  gint64 deadline;
  guint timeout_ms, probe_timeout_ms;

  g_return_val_if_fail (address != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  timeout_ms = options->timeout_ms != 0 ? options->timeout_ms : 30000;
  probe_timeout_ms = options->probe_timeout_ms != 0 ? options->probe_timeout_ms : 6000;
  deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0' || strchr (at + 1, '.') == NULL ||
      strpbrk (address, " \t\r\n/") != NULL)
    {
      g_set_error (error, MS_AUTODETECT_ERROR, MS_AUTODETECT_ERROR_INVALID_ADDRESS,
                   _("“%s” is not an email address"), address);
      return NULL;
    }
  domain = g_ascii_strdown (at + 1, -1);

  result = g_new0 (MsDetectResult, 1);
  result->address = g_strdup (address);
  result->documentation = g_ptr_array_new_with_free_func (g_free);
  result->tried = g_ptr_array_new_with_free_func (g_free);

  /* 1. presets */
  if (!options->skip_presets)
    {
      MsProvider *provider = ms_provider_lookup (address);

      if (provider != NULL)
        {
          g_autofree char *text = g_strdup_printf (_("from Mailshot’s bundled preset for %s"),
                                                   ms_provider_get_name (provider));

          tried (result, _("Bundled presets: %s"), ms_provider_get_name (provider));
          fill_from_provider (result, provider, MS_DETECT_SOURCE_PRESET, text);
          return g_steal_pointer (&result);
        }
      tried (result, _("Bundled presets: no preset for %s"), domain);
    }

  /* 2. autoconfig */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  {
    g_autoptr(GError) local_error = NULL;
    g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch (address, MAX (1u, remaining_ms (deadline) / 2),
                                                          result->tried, cancellable, &local_error);

    if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
      {
        g_propagate_error (error, g_steal_pointer (&local_error));
        return NULL;
      }
    if (config != NULL && !config->less_trusted && ms_autoconfig_best_server (config, MS_AUTOCONFIG_SMTP) != NULL)
      {
        result->provider_name = g_strdup (config->display_name);
        result->smtp = from_autoconfig (config, MS_AUTOCONFIG_SMTP);
        result->imap = from_autoconfig (config, MS_AUTOCONFIG_IMAP);
        result->pop3 = from_autoconfig (config, MS_AUTOCONFIG_POP3);
        for (guint i = 0; i < config->documentation->len; i++)
          g_ptr_array_add (result->documentation, g_strdup (g_ptr_array_index (config->documentation, i)));
        return g_steal_pointer (&result);
      }
    http_config = g_steal_pointer (&config);   /* kept for the end: less trusted */
  }

  /* 3. DNS: MX providers, then SRV */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  mx_hosts = lookup_mx (resolver, domain, result, cancellable);
  if (try_mx_providers (result, mx_hosts))
    return g_steal_pointer (&result);

  /* an unknown MX host: the ISPDB may know its hoster ("mx1.hoster.example" -> hoster.example) */
  if (mx_hosts->len > 0 && remaining_ms (deadline) > 0)
    {
      g_autofree char *mx_domain = ms_domain_organizational (g_ptr_array_index (mx_hosts, 0));

      if (g_ascii_strcasecmp (mx_domain, domain) != 0)
        {
          g_autofree char *url = ms_autoconfig_ispdb_url (mx_domain);
          g_autoptr(GError) local_error = NULL;
          g_autoptr(MsAutoconfig) config = ms_autoconfig_fetch_url (url, address,
                                                                    MAX (1u, remaining_ms (deadline) / 2),
                                                                    cancellable, &local_error);

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (config != NULL && ms_autoconfig_best_server (config, MS_AUTOCONFIG_SMTP) != NULL)
            {
              MsDetectedServer **slots[] = { &result->smtp, &result->imap, &result->pop3 };
              const MsAutoconfigProtocol protocols[] = { MS_AUTOCONFIG_SMTP, MS_AUTOCONFIG_IMAP,
                                                         MS_AUTOCONFIG_POP3 };

              tried (result, _("%s: found for the mail host %s"), url,
                     (const char *) g_ptr_array_index (mx_hosts, 0));
              result->provider_name = g_strdup (config->display_name);
              for (guint i = 0; i < G_N_ELEMENTS (slots); i++)
                {
                  *slots[i] = from_autoconfig (config, protocols[i]);
                  if (*slots[i] != NULL)
                    {
                      (*slots[i])->source = MS_DETECT_SOURCE_MX;
                      g_free ((*slots[i])->source_text);
                      (*slots[i])->source_text =
                        g_strdup_printf (_("the domain’s mail goes to %s (MX %s): its autoconfig"),
                                         mx_domain, (const char *) g_ptr_array_index (mx_hosts, 0));
                    }
                }
              return g_steal_pointer (&result);
            }
          tried (result, "%s: %s", url, local_error != NULL ? local_error->message
                                                           : _("names no SMTP server"));
        }
    }

  result->smtp = lookup_srv (resolver, "_submissions._tcp", domain, MS_SECURITY_TLS, result, cancellable);
  if (result->smtp == NULL)
    result->smtp = lookup_srv (resolver, "_submission._tcp", domain, MS_SECURITY_STARTTLS, result, cancellable);
  result->imap = lookup_srv (resolver, "_imaps._tcp", domain, MS_SECURITY_TLS, result, cancellable);
  if (result->imap == NULL)
    result->imap = lookup_srv (resolver, "_imap._tcp", domain, MS_SECURITY_STARTTLS, result, cancellable);
  result->pop3 = lookup_srv (resolver, "_pop3s._tcp", domain, MS_SECURITY_TLS, result, cancellable);
  if (result->smtp != NULL)
    result->smtp->login = g_strdup (address);
  if (result->imap != NULL)
    result->imap->login = g_strdup (address);
  if (result->pop3 != NULL)
    result->pop3->login = g_strdup (address);

  /* the less trusted autoconfig fills only what DNS did not say */
  if (http_config != NULL)
    {
      if (result->smtp == NULL)
        result->smtp = from_autoconfig (http_config, MS_AUTOCONFIG_SMTP);
      if (result->imap == NULL)
        result->imap = from_autoconfig (http_config, MS_AUTOCONFIG_IMAP);
      if (result->pop3 == NULL)
        result->pop3 = from_autoconfig (http_config, MS_AUTOCONFIG_POP3);
    }
  if (result->smtp != NULL)
    return g_steal_pointer (&result);

  /* 4. guessing */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (remaining_ms (deadline) == 0)
    {
      tried (result, "%s", _("Guessing skipped: out of time"));
      return g_steal_pointer (&result);
    }
  run_probes (result, domain, mx_hosts, options, MIN (probe_timeout_ms, remaining_ms (deadline)),
              cancellable);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  return g_steal_pointer (&result);
}

typedef struct
{
  char            *address;
  MsDetectOptions  options;
  MsDetectPort    *ports[3];
  char            *ca_file;
} DetectData;

static void
detect_data_free (gpointer data)
{
  DetectData *d = data;

  g_free (d->address);
  for (guint i = 0; i < 3; i++)
    g_free (d->ports[i]);
  g_free (d->ca_file);
  g_free (d);
}

static MsDetectPort *
copy_ports (const MsDetectPort *ports)
{
  guint n = 0;

  if (ports == NULL)
    return NULL;
  while (ports[n].port != 0)
    n++;
  return g_memdup2 (ports, sizeof (MsDetectPort) * (n + 1));
}

static void
detect_thread (GTask        *task,
               gpointer      source,
               gpointer      task_data,
               GCancellable *cancellable)
{
  DetectData *d = task_data;
  GError *error = NULL;
  MsDetectResult *result = ms_autodetect_run (d->address, &d->options, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) ms_detect_result_free);
}

void
ms_autodetect_async (const char            *address,
                     const MsDetectOptions *options,
                     GCancellable          *cancellable,
                     GAsyncReadyCallback    callback,
                     gpointer               user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  DetectData *d = g_new0 (DetectData, 1);

  d->address = g_strdup (address);
  if (options != NULL)
    {
      d->options = *options;
      d->ports[0] = copy_ports (options->smtp_ports);
      d->ports[1] = copy_ports (options->imap_ports);
      d->ports[2] = copy_ports (options->pop3_ports);
      d->ca_file = g_strdup (options->ca_file);
      d->options.smtp_ports = d->ports[0];
      d->options.imap_ports = d->ports[1];
      d->options.pop3_ports = d->ports[2];
      d->options.ca_file = d->ca_file;
    }
  g_task_set_source_tag (task, ms_autodetect_async);
  g_task_set_task_data (task, d, detect_data_free);
  g_task_run_in_thread (task, detect_thread);
}

MsDetectResult *
ms_autodetect_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ms-provider.c
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

#define G_LOG_DOMAIN "ms-provider"

#include "config.h"

#include <inttypes.h>

#include <glib/gi18n.h>
#include <string.h>

#include "ms-address.h"
#include "ms-provider.h"
#include "ms-providers-resources.h"

#define PROVIDERS_RESOURCE "/io/github/mailshot/Mailshot/providers/providers.ini"
#define PROVIDER_GROUP     "Provider "
#define ERROR_GROUP        "Error "

struct _MsProvider
{
  GObject        parent_instance;

  char          *id;
  char          *name;
  GStrv          domains;
  char          *smtp_host;
  guint          smtp_port;
  MsSecurity     smtp_security;
  char          *imap_host;
  guint          imap_port;
  MsSecurity     imap_security;
  char          *pop3_host;
  guint          pop3_port;
  MsSecurity     pop3_security;
  MsLoginFormat  login_format;
  MsLoginFormat  incoming_login_format;
  guint64        max_message_size;
  guint          max_recipients;
  GArray        *quotas;
  GStrv          quirks;
  char          *help_url;
};

G_DEFINE_FINAL_TYPE (MsProvider, ms_provider, G_TYPE_OBJECT)

/* The sentences behind the ids of the data file. */

typedef struct
{
  const char *id;
  const char *text;
} IdText;

static const IdText quirk_texts[] = {
  { "app-password",
    N_("Use an app password: mail programs are refused the normal password. Turn on two-step "
       "verification, then create an app password in your account’s security settings.") },
  { "app-password-mailru",
    N_("Use a password for external applications (“пароль для внешних приложений”): create "
       "one in Mail.ru’s settings under Security and enter it instead of your normal "
       "password.") },
  { "enable-mail-programs-yandex",
    N_("Allow mail programs first: in Yandex Mail’s settings, under “Mail clients”, allow "
       "access by IMAP (which also allows sending by SMTP).") },
  { "from-equals-login",
    N_("The sender address must be the address you log in with (or an alias the provider "
       "knows); other senders are refused.") },
  { "from-rewritten",
    N_("Gmail replaces a sender address that is neither yours nor a verified alias with your "
       "own address.") },
  { "enable-imap",
    N_("Enable access for mail programs (IMAP/POP3) in the web settings first; until then "
       "the server refuses the login.") },
  { "enable-pop3",
    N_("POP3 is off until you enable it in the web settings; IMAP works without it.") },
  { "separate-mail-password",
    N_("Mail programs use a separate email password, not the password of your Telekom "
       "login: set it in the E-Mail Center under Passwords.") },
  { "spam-filter-strict",
    N_("Rambler’s filter refuses messages it takes for spam (“5.7.1 spam message "
       "rejected”): keep messages personal with few links, and start a new mailbox slowly.") },
  { "block-extends",
    N_("When Yandex blocks sending, every retry makes the block longer: Mailshot waits the "
       "cool-down out instead of retrying.") },
  { "modern-auth",
    N_("Microsoft is phasing out passwords for mail programs: if the server answers "
       "“basic authentication is disabled”, this account cannot send through Mailshot.") },
};

static const IdText explanation_texts[] = {
  { "app-password",
    N_("The server refused the password. This provider wants an app password for mail "
       "programs: turn on two-step verification, create an app password in your account’s "
       "security settings, and enter it here instead of your normal password.") },
  { "gmail-app-password",
    N_("Gmail refused the password. Gmail needs an app password for mail programs: turn on "
       "2-Step Verification in your Google Account, create an app password at "
       "https://myaccount.google.com/apppasswords and enter it here.") },
  { "mailru-app-password",
    N_("Mail.ru refused the password. Mail programs need a password for external "
       "applications (“пароль для внешних приложений”): create one in Mail.ru’s settings "
       "under Security and enter it here.") },
  { "yandex-app-password",
    N_("Yandex refused the login. Allow mail programs in Yandex Mail’s settings (“Mail "
       "clients”, IMAP access), create an app password at https://id.yandex.ru/security and "
       "enter it here.") },
  { "rambler-auth",
    N_("Rambler refused the login. Allow access by mail programs in Rambler Mail’s settings "
       "(“Mail programs”), then check the address and password.") },
  { "tonline-mail-password",
    N_("T-Online refused the login. Mail programs need the separate email password: set it "
       "in the E-Mail Center under Passwords and enter it here.") },
  { "gmx-enable-access",
    N_("The server refused the login. Turn on “POP3/IMAP access” in the web mail’s settings, "
       "then check the address and password.") },
  { "from-must-be-login",
    N_("The server refuses to send as this sender address: it does not belong to the account "
       "you log in with. Make the sender address the same as the login, or allow sender "
       "substitution for this server.") },
  { "rambler-spam",
    N_("Rambler’s spam filter refused the message (“5.7.1 spam message rejected”). It "
       "happens to new mailboxes, to many similar messages in a short time and to messages "
       "with many links: lower this server’s quotas, personalise the text, and send from your "
       "Rambler address.") },
  { "spam-rejected",
    N_("The server took the message for spam. Personalise the text, use fewer links and "
       "images, and send more slowly.") },
  { "auth-failed",
    N_("The server refused the login or the password. Check both; many providers also want "
       "an app password for mail programs.") },
  { "auth-required",
    N_("The server wants you to log in before sending: give this server’s login and "
       "password.") },
  { "basic-auth-disabled",
    N_("The provider no longer accepts passwords from mail programs for this account (basic "
       "authentication is disabled), so Mailshot cannot send through it.") },
  { "tls-required",
    N_("The server requires encryption: choose TLS (port 465) or STARTTLS (port 587).") },
  { "relay-denied",
    N_("The server does not pass mail on for you: log in with a login and password, or send "
       "through your own provider’s SMTP server.") },
  { "too-big",
    N_("The message is larger than the server accepts: make the attachments smaller, or put "
       "them online and link to them.") },
  { "rate-limit",
    N_("The server limits how much you send. Mailshot pauses this server and continues later; "
       "lower its quotas to stay below the limit.") },
};

static const char *
lookup_text (const IdText *table,
             gsize         n,
             const char   *id)
{
  for (gsize i = 0; id != NULL && i < n; i++)
    {
      if (g_str_equal (table[i].id, id))
        return _(table[i].text);
    }
  return NULL;
}

const char *
ms_provider_quirk_text (const char *quirk_id)
{
  return lookup_text (quirk_texts, G_N_ELEMENTS (quirk_texts), quirk_id);
}

const char *
ms_provider_explanation_text (const char *explanation_id)
{
  return lookup_text (explanation_texts, G_N_ELEMENTS (explanation_texts), explanation_id);
}

/* The data file */

typedef struct
{
  char       *id;
  char       *provider;     /* NULL: every server */
  char       *code;         /* "535", "5", or NULL */
  char       *enhanced;     /* "5.7.8", "5.7" or NULL */
  GStrv       texts;        /* lowercase fragments, or NULL */
  GStrv       stages;       /* or NULL */
  char       *explanation;
} ErrorRule;

static void
error_rule_free (ErrorRule *rule)
{
  g_free (rule->id);
  g_free (rule->provider);
  g_free (rule->code);
  g_free (rule->enhanced);
  g_strfreev (rule->texts);
  g_strfreev (rule->stages);
  g_free (rule->explanation);
  g_free (rule);
}

typedef struct
{
  GPtrArray  *providers;    /* of MsProvider, file order */
  GHashTable *by_domain;    /* ASCII lowercase domain -> borrowed MsProvider */
  GPtrArray  *rules;        /* of ErrorRule */
} Registry;

static char *
get_string (GKeyFile   *keyfile,
            const char *group,
            const char *key)
{
  char *value = g_key_file_get_string (keyfile, group, key, NULL);

  if (value != NULL && value[0] == '\0')
    g_clear_pointer (&value, g_free);
  return value;
}

static GStrv
get_list (GKeyFile   *keyfile,
          const char *group,
          const char *key)
{
  g_auto(GStrv) raw = g_key_file_get_string_list (keyfile, group, key, NULL, NULL);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  if (raw == NULL)
    return NULL;
  for (guint i = 0; raw[i] != NULL; i++)
    {
      g_strstrip (raw[i]);
      if (raw[i][0] != '\0')
        g_strv_builder_add (builder, raw[i]);
    }
  return g_strv_builder_end (builder);
}

static MsSecurity
get_security (GKeyFile   *keyfile,
              const char *group,
              const char *key)
{
  g_autofree char *text = get_string (keyfile, group, key);
  MsSecurity security = MS_SECURITY_TLS;

  if (text != NULL && !ms_security_from_string (text, &security))
    g_warning ("providers.ini [%s] %s: unknown security “%s”", group, key, text);
  return security;
}

static guint
get_port (GKeyFile   *keyfile,
          const char *group,
          const char *key)
{
  gint64 port = g_key_file_get_int64 (keyfile, group, key, NULL);

  if (port < 0 || port > 65535)
    {
      g_warning ("providers.ini [%s] %s: %" PRId64 " is not a port", group, key, port);
      return 0;
    }
  return (guint) port;
}

static MsLoginFormat
get_login_format (GKeyFile      *keyfile,
                  const char    *group,
                  const char    *key,
                  MsLoginFormat  fallback)
{
  g_autofree char *text = get_string (keyfile, group, key);

  if (text == NULL)
    return fallback;
  if (g_str_equal (text, "address"))
    return MS_LOGIN_FORMAT_ADDRESS;
  if (g_str_equal (text, "local-part"))
    return MS_LOGIN_FORMAT_LOCAL_PART;
  g_warning ("providers.ini [%s] %s: unknown login format “%s”", group, key, text);
  return fallback;
}

static char *
domain_key (const char *domain)
{
  g_autofree char *lower = NULL;
  g_autofree char *ascii = NULL;
  gsize len;

  if (domain == NULL || domain[0] == '\0')
    return NULL;
  lower = g_utf8_strdown (domain, -1);
  len = strlen (lower);
  if (len > 0 && lower[len - 1] == '.')
    lower[len - 1] = '\0';
  ascii = g_hostname_to_ascii (lower);
  if (ascii == NULL)
    return NULL;
  return g_ascii_strdown (ascii, -1);
}

static MsProvider *
provider_from_group (GKeyFile   *keyfile,
                     const char *group)
{
  MsProvider *p = g_object_new (MS_TYPE_PROVIDER, NULL);
  g_auto(GStrv) quotas = NULL;

  p->id = g_strdup (group + strlen (PROVIDER_GROUP));
  p->name = get_string (keyfile, group, "Name");
  p->domains = get_list (keyfile, group, "Domains");
  p->smtp_host = get_string (keyfile, group, "SmtpHost");
  p->smtp_port = get_port (keyfile, group, "SmtpPort");
  p->smtp_security = get_security (keyfile, group, "SmtpSecurity");
  p->imap_host = get_string (keyfile, group, "ImapHost");
  p->imap_port = get_port (keyfile, group, "ImapPort");
  p->imap_security = get_security (keyfile, group, "ImapSecurity");
  p->pop3_host = get_string (keyfile, group, "Pop3Host");
  p->pop3_port = get_port (keyfile, group, "Pop3Port");
  p->pop3_security = get_security (keyfile, group, "Pop3Security");
  p->login_format = get_login_format (keyfile, group, "LoginFormat", MS_LOGIN_FORMAT_ADDRESS);
  p->incoming_login_format = get_login_format (keyfile, group, "IncomingLoginFormat",
                                               p->login_format);
  p->max_message_size = g_key_file_get_uint64 (keyfile, group, "MaxMessageSize", NULL);
  p->max_recipients = (guint) g_key_file_get_integer (keyfile, group, "MaxRecipients", NULL);
  p->quirks = get_list (keyfile, group, "Quirks");
  p->help_url = get_string (keyfile, group, "HelpUrl");
  if (p->quirks == NULL)
    p->quirks = g_new0 (char *, 1);
  if (p->domains == NULL)
    p->domains = g_new0 (char *, 1);

  quotas = get_list (keyfile, group, "Quotas");
  for (guint i = 0; quotas != NULL && quotas[i] != NULL; i++)
    {
      g_autoptr(GError) error = NULL;
      MsQuota quota;

      if (ms_quota_parse (quotas[i], &quota, &error))
        g_array_append_val (p->quotas, quota);
      else
        g_warning ("providers.ini [%s] Quotas: %s", group, error->message);
    }

  if (p->name == NULL || p->smtp_host == NULL || p->smtp_port == 0 || p->domains[0] == NULL)
    g_warning ("providers.ini [%s]: Name, Domains, SmtpHost and SmtpPort are required", group);
  for (guint i = 0; p->quirks[i] != NULL; i++)
    {
      if (ms_provider_quirk_text (p->quirks[i]) == NULL)
        g_warning ("providers.ini [%s]: the quirk “%s” has no text in ms-provider.c",
                   group, p->quirks[i]);
    }
  return p;
}

static ErrorRule *
rule_from_group (GKeyFile   *keyfile,
                 const char *group)
{
  ErrorRule *rule = g_new0 (ErrorRule, 1);

  rule->id = g_strdup (group + strlen (ERROR_GROUP));
  rule->provider = get_string (keyfile, group, "Provider");
  rule->code = get_string (keyfile, group, "Code");
  rule->enhanced = get_string (keyfile, group, "Enhanced");
  rule->texts = get_list (keyfile, group, "Text");
  rule->stages = get_list (keyfile, group, "Stage");
  rule->explanation = get_string (keyfile, group, "Explanation");

  for (guint i = 0; rule->texts != NULL && rule->texts[i] != NULL; i++)
    {
      char *lower = g_utf8_strdown (rule->texts[i], -1);

      g_free (rule->texts[i]);
      rule->texts[i] = lower;
    }
  if (ms_provider_explanation_text (rule->explanation) == NULL)
    g_warning ("providers.ini [%s]: the explanation “%s” has no text in ms-provider.c", group,
               rule->explanation != NULL ? rule->explanation : "(none)");
  if (rule->code == NULL && rule->enhanced == NULL && rule->texts == NULL)
    g_warning ("providers.ini [%s]: a rule needs Code, Enhanced or Text", group);
  return rule;
}

static Registry *
load_registry (void)
{
  Registry *reg = g_new0 (Registry, 1);
  g_autoptr(GKeyFile) keyfile = g_key_file_new ();
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) groups = NULL;

  reg->providers = g_ptr_array_new_with_free_func (g_object_unref);
  reg->by_domain = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  reg->rules = g_ptr_array_new_with_free_func ((GDestroyNotify) error_rule_free);

  /* Referencing the resource links it in from the static library (and registers it). */
  (void) ms_providers_get_resource ();
  bytes = g_resources_lookup_data (PROVIDERS_RESOURCE, 0, &error);
  if (bytes == NULL
      || !g_key_file_load_from_bytes (keyfile, bytes, G_KEY_FILE_NONE, &error))
    {
      g_critical ("Could not load the provider presets: %s", error->message);
      return reg;
    }

  groups = g_key_file_get_groups (keyfile, NULL);
  for (guint i = 0; groups[i] != NULL; i++)
    {
      if (g_str_has_prefix (groups[i], PROVIDER_GROUP))
        {
          MsProvider *p = provider_from_group (keyfile, groups[i]);

          g_ptr_array_add (reg->providers, p);
          for (guint d = 0; p->domains[d] != NULL; d++)
            {
              char *key = domain_key (p->domains[d]);

              if (key == NULL || g_hash_table_contains (reg->by_domain, key))
                {
                  g_warning ("providers.ini [%s]: the domain “%s” is invalid or listed twice",
                             groups[i], p->domains[d]);
                  g_free (key);
                  continue;
                }
              g_hash_table_insert (reg->by_domain, key, p);
            }
        }
      else if (g_str_has_prefix (groups[i], ERROR_GROUP))
        {
          g_ptr_array_add (reg->rules, rule_from_group (keyfile, groups[i]));
        }
      else
        {
          g_warning ("providers.ini: unknown group [%s]", groups[i]);
        }
    }
  return reg;
}

static Registry *
get_registry (void)
{
  static Registry *registry;

  if (g_once_init_enter (&registry))
    g_once_init_leave (&registry, load_registry ());
  return registry;
}

GPtrArray *
ms_provider_get_all (void)
{
  return get_registry ()->providers;
}

MsProvider *
ms_provider_lookup (const char *address_or_domain)
{
  g_autofree char *key = NULL;
  g_autofree char *domain = NULL;
  const char *at;

  g_return_val_if_fail (address_or_domain != NULL, NULL);

  at = strrchr (address_or_domain, '@');
  domain = g_strstrip (g_strdup (at != NULL ? at + 1 : address_or_domain));
  key = domain_key (domain);
  if (key == NULL)
    return NULL;
  return g_hash_table_lookup (get_registry ()->by_domain, key);
}

MsProvider *
ms_provider_lookup_for_server (MsServer *server)
{
  const char *address;
  const char *host;
  GPtrArray *all;

  g_return_val_if_fail (MS_IS_SERVER (server), NULL);

  address = ms_server_get_sender_address (server);
  if (address != NULL)
    {
      MsProvider *p = ms_provider_lookup (address);

      if (p != NULL)
        return p;
    }
  host = ms_server_get_host (server);
  if (host == NULL)
    return NULL;
  all = ms_provider_get_all ();
  for (guint i = 0; i < all->len; i++)
    {
      MsProvider *p = g_ptr_array_index (all, i);

      if (g_ascii_strcasecmp (p->smtp_host, host) == 0)
        return p;
    }
  return NULL;
}

/* Getters */

#define GETTER(type, field, fallback)                    \
  type                                                   \
  ms_provider_get_##field (MsProvider *self)             \
  {                                                      \
    g_return_val_if_fail (MS_IS_PROVIDER (self), fallback); \
    return self->field;                                  \
  }

GETTER (const char *, id, NULL)
GETTER (const char *, name, NULL)
GETTER (const char *, smtp_host, NULL)
GETTER (guint, smtp_port, 0)
GETTER (MsSecurity, smtp_security, MS_SECURITY_TLS)
GETTER (const char *, imap_host, NULL)
GETTER (guint, imap_port, 0)
GETTER (MsSecurity, imap_security, MS_SECURITY_TLS)
GETTER (const char *, pop3_host, NULL)
GETTER (guint, pop3_port, 0)
GETTER (MsSecurity, pop3_security, MS_SECURITY_TLS)
GETTER (MsLoginFormat, login_format, MS_LOGIN_FORMAT_ADDRESS)
GETTER (MsLoginFormat, incoming_login_format, MS_LOGIN_FORMAT_ADDRESS)
GETTER (guint64, max_message_size, 0)
GETTER (guint, max_recipients, 0)
GETTER (const char *, help_url, NULL)

#undef GETTER

const char * const *
ms_provider_get_domains (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return (const char * const *) self->domains;
}

const char * const *
ms_provider_get_quirks (MsProvider *self)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  return (const char * const *) self->quirks;
}

const MsQuota *
ms_provider_get_quotas (MsProvider *self,
                        guint      *n_quotas)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);

  if (n_quotas != NULL)
    *n_quotas = self->quotas->len;
  return (const MsQuota *) (gpointer) self->quotas->data;
}

static char *
login_in_format (MsLoginFormat  format,
                 const char    *address)
{
  const char *at = strrchr (address, '@');

  if (format == MS_LOGIN_FORMAT_LOCAL_PART && at != NULL)
    return g_strndup (address, (gsize) (at - address));
  return g_strdup (address);
}

char *
ms_provider_make_login (MsProvider *self,
                        const char *address)
{
  g_return_val_if_fail (MS_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (address != NULL, NULL);

  return login_in_format (self->login_format, address);
}

void
ms_provider_apply (MsProvider *self,
                   MsServer   *server,
                   const char *address)
{
  g_autofree char *login = NULL;

  g_return_if_fail (MS_IS_PROVIDER (self));
  g_return_if_fail (MS_IS_SERVER (server));
  g_return_if_fail (address != NULL);

  g_object_freeze_notify (G_OBJECT (server));
  ms_server_set_transport (server, MS_TRANSPORT_SMTP);
  ms_server_set_host (server, self->smtp_host);
  ms_server_set_port (server, self->smtp_port);
  ms_server_set_security (server, self->smtp_security);
  login = login_in_format (self->login_format, address);
  ms_server_set_login (server, login);
  ms_server_set_sender_address (server, address);
  ms_server_set_max_message_size (server, self->max_message_size);
  ms_server_set_max_recipients (server, self->max_recipients);
  ms_server_set_quotas (server, (const MsQuota *) (gpointer) self->quotas->data,
                        self->quotas->len);
  if (self->imap_host != NULL)
    {
      g_autofree char *incoming_login = login_in_format (self->incoming_login_format, address);

      ms_server_set_incoming_protocol (server, MS_INCOMING_IMAP);
      ms_server_set_incoming_host (server, self->imap_host);
      ms_server_set_incoming_port (server, self->imap_port);
      ms_server_set_incoming_security (server, self->imap_security);
      ms_server_set_incoming_login (server, incoming_login);
    }
  g_object_thaw_notify (G_OBJECT (server));
}

/* Error explanations */

static gboolean
enhanced_matches (const char *rule,
                  const char *enhanced)
{
  gsize len;

  if (enhanced == NULL)
    return FALSE;
  len = strlen (rule);
  /* "5.7" matches "5.7.1" and "5.7.139", "5.7.1" does not match "5.7.139". */
  return strncmp (enhanced, rule, len) == 0 && (enhanced[len] == '\0' || enhanced[len] == '.');
}

static gboolean
rule_matches (const ErrorRule   *rule,
              const MsSmtpReply *reply,
              const char        *lower_text,
              MsSmtpStage        stage)
{
  if (rule->code != NULL)
    {
      char code[4];

      g_snprintf (code, sizeof code, "%03u", reply->code);
      if (!g_str_has_prefix (code, rule->code))
        return FALSE;
    }
  if (rule->enhanced != NULL && !enhanced_matches (rule->enhanced, reply->enhanced))
    return FALSE;
  if (rule->stages != NULL
      && !g_strv_contains ((const char * const *) rule->stages, ms_smtp_stage_to_string (stage)))
    return FALSE;
  if (rule->texts != NULL)
    {
      gboolean any = FALSE;

      for (guint i = 0; !any && rule->texts[i] != NULL; i++)
        any = strstr (lower_text, rule->texts[i]) != NULL;
      if (!any)
        return FALSE;
    }
  return TRUE;
}

const char *
ms_provider_explain_reply (MsProvider        *provider,
                           const MsSmtpReply *reply,
                           MsSmtpStage        stage)
{
  Registry *reg = get_registry ();
  g_autofree char *lower = NULL;

  g_return_val_if_fail (provider == NULL || MS_IS_PROVIDER (provider), NULL);
  g_return_val_if_fail (reply != NULL, NULL);

  if (ms_smtp_reply_is_positive (reply))
    return NULL;
  lower = g_utf8_strdown (reply->text != NULL ? reply->text : "", -1);
  for (int pass = 0; pass < 2; pass++)
    {
      for (guint i = 0; i < reg->rules->len; i++)
        {
          const ErrorRule *rule = g_ptr_array_index (reg->rules, i);

          if (pass == 0 && (provider == NULL || g_strcmp0 (rule->provider, provider->id) != 0))
            continue;
          if (pass == 1 && rule->provider != NULL)
            continue;
          if (rule_matches (rule, reply, lower, stage))
            return rule->explanation;
        }
    }
  return NULL;
}

/* GObject */

static void
ms_provider_finalize (GObject *object)
{
  MsProvider *self = (MsProvider *) object;

  g_free (self->id);
  g_free (self->name);
  g_strfreev (self->domains);
  g_free (self->smtp_host);
  g_free (self->imap_host);
  g_free (self->pop3_host);
  g_array_unref (self->quotas);
  g_strfreev (self->quirks);
  g_free (self->help_url);

  G_OBJECT_CLASS (ms_provider_parent_class)->finalize (object);
}

static void
ms_provider_class_init (MsProviderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_provider_finalize;
}

static void
ms_provider_init (MsProvider *self)
{
  self->quotas = g_array_new (FALSE, FALSE, sizeof (MsQuota));
}

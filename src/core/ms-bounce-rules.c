/* ms-bounce-rules.c
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

/* Why a message bounced: the reason names of shared/bounces/REASONS.md (the
 * names of the Sisimai project), decided from the remote server's words, the
 * RFC 3463 status code and the SMTP reply code. */

#define G_LOG_DOMAIN "ms-bounce"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "ms-bounce-private.h"

#define MAX_MATCH_TEXT (16 * 1024)   /* bytes of text the patterns look at */

/* The words of each reason.  The entries are tried in order and the first
 * one with a matching pattern wins, so a reason may have an early entry for
 * its unmistakable words and a late one for vaguer words.  Patterns are
 * case-insensitive PCRE without nested quantifiers (the text is untrusted);
 * addresses are replaced by "ADDRESS" before matching. */
typedef struct
{
  const char         *reason;
  const char * const *patterns;
  gboolean            firm;      /* not turned into "rejected" at MAIL FROM */
} ReasonRule;

static const char *const mailboxfull_words[] = {
  "mailbox (is )?full", "mail ?box full", "over ?quota", "quota exceeded", "exceeded (the )?quota",
  "quota (has been |was )?exceeded", "exceeded storage allocation", "mailbox size limit",
  "user'?s? (mailbox|disk) (quota|space)", "disk quota", "full mailbox", "mailbox exceeded",
  "recipient'?s? mailbox (is )?full", "account is full", "mailfolder is full",
  "number of messages in recipient'?s mailbox exceeded", "too much mail data",
  "maildir over quota", "is over (the )?(allowed )?(quota|limit)", "storage (limit|quota)",
  "insufficient (storage|space) (in|for) (the )?(mailbox|user)", "not enough (storage|space) in",
  "mailbox (would )?exceed", "would exceed (the )?(mailbox|quota)", "boîte (aux lettres )?pleine",
  "mailbox has exceeded", "has exceeded (his|her|its|their)? ?(quota|storage|mailbox)",
  "no space left in (the )?mailbox", "message would exceed quota",
  "out of (storage|space) for (the )?user", "their mailbox is full", "mailbox is over", NULL
};

static const char *const dns_words[] = {
  "dns error", "dns type '?[a-z]+'? lookup", "dns query failed",
  "malformed or unexpected name server reply", "temporary lookup failure",
  "host not found, try again", "name server (timeout|failure)", "server failure",
  NULL
};

static const char *const mailererror_words[] = {
  "command output:", "procmail", "pipe to \\|", "unknown mailer error", "mailer error",
  "exit status \\d", "exited with", "local delivery failed", "mail delivery agent",
  "\\bmda\\b.{0,40}(error|failed)", NULL
};

static const char *const hasmoved_words[] = {
  "has moved", "address has changed", "address has been changed", "user has moved",
  "no longer on server", "recipient no longer", "is no longer (a valid|valid|available)",
  "changed (his|her|their) address", NULL
};

static const char *const speeding_firm_words[] = {
  "too many recipients (this|per|in the last|in an?) (hour|day|minute)",
  "sent to too many recipients", "rate limit", "ratelimit", "receiving mail at a rate",
  "rate that prevents additional messages", "sending too fast", "too many messages (this|per|in)",
  NULL
};

static const char *const exceedlimit_words[] = {
  "message length exceeds limit set by recipient", "exceeds? (the )?(recipient'?s? )?size limit",
  "message header size exceeds", "too many recipients", "recipient count exceeded", NULL
};

static const char *const mesgtoobig_words[] = {
  "message (is )?too (large|big)", "message size exceeds", "size of (the )?message exceeds",
  "exceeds? (the )?(maximum|max) (message )?size", "max(imum)? message size",
  "message (file|length) (is )?too (big|long)", "message length exceeds administrative limit",
  "mail (file )?too big", "message exceeds (the )?(maximum|fixed)", "size limit exceeded",
  "exceeded maximum (inbound )?message size", "taille limite du message", "line limit exceeded",
  "message size (is )?larger than", "too large for this", NULL
};

static const char *const systemfull_words[] = {
  "disk (is )?full", "insufficient (system )?(disk|storage)", "out of disk space",
  "no space left on device", "system (is )?full", "mail system full", "volume (is )?full",
  "insufficient disk space", NULL
};

static const char *const norelaying_words[] = {
  "relay access denied", "relaying (is )?denied", "relay (is )?denied", "relay not permitted",
  "not permitted to relay", "unable to relay", "relaying (is )?not (allowed|permitted)",
  "we do not relay", "no relaying", "relay(ing)? prohibited", "cannot relay",
  "relay not allowed", "relaying mail to .{1,200} is not allowed", "not (a )?gateway",
  "relay(ing)? (to .{1,100} )?(is )?not (authorized|authorised)", "relay rejected",
  "is not a permitted relay", NULL
};

static const char *const notcompliantrfc_words[] = {
  "not rfc ?(5322|2822|822)? ?compliant", "rfc ?(5322|2822|822) (specification|complian|requirement)",
  "(non-?compliant|violat[a-z]*) (with )?rfc ?(5322|2822|822)",
  "multiple (from|to|subject|date|message-id) (headers|fields)", "duplicate header",
  "is not compliant with rfc", "multiple addresses in from", NULL
};

static const char *const blocked_firm_words[] = {
  "smtp server of your isp", "dynamic ip", "dial-?up", "residential", "your ip address",
  "my name was rejected", "ip address blacklisted", "blacklisted by", "listed (in|on|at) ",
  "dnsbl", "\\brbl\\b", "spamhaus", "spamcop", "sorbs", "bloquee", "client host blocked",
  "banned sending ip", "not accepting connections", "black ?list", "block ?list",
  "refused to talk to me", "(sent )?from (the following|your|this) ip", "weren'?t sent",
  "\\b(sc|dy|ou)-00[1-4]\\b", NULL
};

static const char *const sender_words[] = {
  "sender address rejected", "domain of sender address", "sender verify failed",
  "sender verification", "sender domain", "invalid sender", "bad sender",
  "sender (is )?(blocked|refused|invalid|unknown|rejected|denied)", "envelope sender",
  "mail from rejected", "purported responsible address", "(from|sender):? domain is invalid",
  "provide a valid from", "permission to post", "投稿する権限", "sender rejected",
  "return path", "sender address", "sender not (allowed|permitted)", "rejected (the )?sender",
  NULL
};

static const char *const notaccept_words[] = {
  "does not accept (e-?)?mail", "null mx", "not accepting (any )?mail", "accepts no mail",
  "host does not accept", "domain does not (accept|receive)", "does not receive (e-?)?mail",
  "does not have any mx", "doesn'?t receive e-?mail", "no mx (record|host|found)", "indicated no smtp service",
  "couldn'?t find a mail exchanger", "mail is not accepted (for|at) (this|the) domain", NULL
};

static const char *const requireptr_words[] = {
  "reverse dns", "reverse lookup", "ptr record", "\\brdns\\b", "reverse (address|hostname)",
  "cannot find your hostname", "cannot resolve your (address|hostname|ip)", "no ptr",
  "does not have a reverse", "\\b5\\.7\\.25\\b", "unresolvable (ip|address|host)",
  "ip name lookup failed", "hostname (does not|doesn'?t) match", "not have (a )?ptr",
  "connections not accepted from servers without a valid sender domain",
  "dns (ptr|reverse)", "name lookup failed", "invalid ptr", "ptr (lookup|check)",
  "mismatches client ip", NULL
};

static const char *const authfailure_words[] = {
  "\\bspf\\b", "\\bdkim\\b", "\\bdmarc\\b", "sender policy framework", "\\b5\\.7\\.26\\b",
  "\\b5\\.7\\.23\\b", "\\b5\\.7\\.509\\b", "unauthenticated (e-?mail|message)",
  "not (pass|passing) (dmarc|spf|dkim)", "domainkeys", NULL
};

static const char *const spamdetected_firm_words[] = {
  "spam classification", "blacklisted url", "\\buribl\\b", "\\bsurbl\\b", "rejected as spam",
  "spam score", "(identified|considered|classified|detected|marked) as spam", "looks like spam",
  "message content rejected", "\\bube\\b", "\\buce\\b", "junk mail", "spam signature",
  NULL
};

static const char *const badreputation_words[] = {
  "reputation", "\\[tss04\\]", "user complaints", NULL
};

static const char *const malformed_address_words[] = {
  "malformed (recipient )?address", NULL
};

static const char *const hostunknown_words[] = {
  "host unknown", "unknown host", "host not found", "domain not found", "domain name not found",
  "no such domain", "domain does not exist", "domain must exist", "unrout(e)?able address",
  "name or service not known", "couldn'?t find any host", "unknown domain", "domain unknown",
  "no such host", "illegal host/domain", "host or domain name not found",
  "recipient domain must exist", "domain (is )?not reachable", "domain mentioned in email address is unknown",
  "the account or domain may not exist", "invalid domain", "nxdomain",
  "domain (name )?(is )?invalid", "bad destination host",
  "(^|[^a-z0-9@.-])[a-z0-9-]+(\\.[a-z0-9-]+)*\\.[a-z]{2,} does not exist", NULL
};

static const char *const suspend_words[] = {
  "(?<!temporarily )suspended", "account (has been )?disabled", "account (is )?disabled", "mailbox (is )?disabled",
  "is inactive", "account (is )?inactive", "deactivated", "disabled or discontinued",
  "account (has )?expired", "expired account", "is not active", "temporarily disabled",
  "account (is )?(locked|frozen)", "mailbox (is )?(locked|frozen)", "account (is )?closed",
  "recipient suspend", "account that you tried to reach is (disabled|inactive)",
  "compte du destinataire est bloque", "account (is )?blocked", "mailbox (is )?inactive",
  "user (is )?inactive", NULL
};

/* Words that say the address is unknown whatever the command was. */
static const char *const userunknown_firm_words[] = {
  "recipient name is not recognized", "recipnotfound", "recipientnotfound", NULL
};

static const char *const userunknown_words[] = {
  "user unknown", "unknown user", "no such user", "no such mailbox", "unknown recipient",
  "recipient unknown", "invalid recipient", "mailbox not found", "mailbox does not exist",
  "address does not exist", "account does not exist", "user does not exist",
  "recipient does not exist", "user doesn'?t exist", "user not exist", "user not found",
  "recipient not found", "no such account", "not a valid (mailbox|user|recipient)",
  "invalid (mailbox|address|user)", "bad (address|recipient)", "addressee unknown",
  "no account by that name", "not our customer", "no mailbox here by that name",
  "is not a known user", "user is unknown", "unknown local[- ]part", "recipient rejected",
  "recipient address rejected(?!:)", "recipient address rejected: (access denied|invalid user|user unknown|unknown user|undeliverable|user does not exist|no such user|unknown recipient|not found)",
  "mailbox unknown", "unknown mailbox",
  "unknown (e-?mail )?address", "no such person", "recipient name is not recognized",
  "recipient not recognized", "recipnotfound", "recipientnotfound", "does not exist",
  "doesn'?t exist", "unknown or illegal alias", "not (a )?registered user",
  "no such recipient", "address unknown", "no (valid )?mailbox", "mailbox (is )?unavailable",
  "destinataire invalide", "not listed in (the )?(domino )?directory",
  "user (name )?is not (recognized|valid)", "account (is )?unavailable",
  "no user (by that name|with that name)", "unknown address error", "invalid address",
  "nosuchuser", "ist unbekannt", "utilisateur inconnu", "destinataire inconnu", "no existe",
  "non existent", "nonexistent", "not found in (the )?(ldap|directory)",
  "address (could not|couldn'?t) be found", "doesn'?t have an? [^ ]+ account",
  "(?<!recipient )address rejected(?!:)", "check (if|that) (the )?address is correct", NULL
};

static const char *const filtered_words[] = {
  "user reject", "refused to receive", "rejected by (the )?recipient(?! domain)", "user refuses",
  "due to the recipient'?s policy", "only accepting mail from", "not accepting any mail",
  "rejected per recipient", "blocked by (the )?recipient", "has restricted sms e-mail",
  "account is protected", "refused due to recipient preferences", "domain filter",
  "recipient'?s? (spam )?filter", "\\bfiltered\\b", "receiving refused",
  "you have been blocked by the recipient",
  "recipients? (was|were) rejected by (a|the) remote mail server", NULL
};

static const char *const virusdetected_words[] = {
  "virus", "malware", "infected", "trojan", "malicious (content|attachment|code)",
  "\\bworm\\b", NULL
};

static const char *const spamdetected_words[] = {
  "spam", "\\bjunk\\b", "bulk (e-?mail|mail)", "unsolicited", "content rejected",
  "suspicious", "\\bx-spam", "phish", NULL
};

static const char *const failedstarttls_words[] = {
  "starttls", "tls (is )?required", "must (issue|use) (a )?tls", "encryption (is )?required",
  "tls handshake", "ssl routines", "does not support (starttls|tls)", "requires? (a )?secure connection", "tls negotiation failed",
  NULL
};

static const char *const toomanyconn_words[] = {
  "too many (concurrent |simultaneous |open )?connections", "connection limit",
  "too many sessions", "maximum (number of )?connections", "connection frequency limited",
  "ip frequency limited", "too many (smtp )?sessions", "connections? (per|from) (your )?ip",
  NULL
};

static const char *const speeding_words[] = {
  "too many (messages|mails|e-?mails)", "throttl", "exceeded the rate", "message rate",
  "frequency limited", "too fast", NULL
};

static const char *const policyviolation_words[] = {
  "policy violation", "violates? (our|the|local)? ?polic", "due to (local |our |the )?polic",
  "policy reasons", "policy rejection", "local policy", "not allowed by (our |local )?policy",
  "denied by policy", "prohibited attachment", "attachment (type )?(is )?not allowed",
  "executable (file|attachment|content)", "file type", "message not allowed",
  "rejected for policy reasons", "policy restrictions?", "against (our|the) polic",
  "not accepted for policy", "content presents a potential", "protocol violation", NULL
};

static const char *const blocked_words[] = {
  "blocked", "barracuda", "client host rejected",
  "your ip", "ip address", "not allowed to send from", "banned", "service refuse",
  "not accepted from", "connection refused by", "you are not allowed to connect",
  "rejected your ip", "mail from .{1,80} (is )?refused", "\\(bl\\)", "\\bip=",
  "messages from [0-9.]+ (temporarily )?deferred", "connections? (not )?(accepted|allowed) from",
  "refused connection", "poor (sender )?score", NULL
};

static const char *const access_denied_words[] = {
  "access denied", NULL
};

static const char *const securityerror_words[] = {
  "authentication required", "authentication (is )?(required|failed)", "auth(entication)? failed",
  "security polic", "insecure", "spoof", "forged", "impersonat", "not authori[sz]ed",
  "unauthori[sz]ed", "password", "smtp authentication", "sender (is )?not (allowed|authorized)",
  "security reasons", "failed to delivery", NULL
};

static const char *const contenterror_words[] = {
  "header error", "invalid header", "malformed (message|header|mime)", "\\bmime\\b",
  "8-?bit data", "bare (lf|cr|linefeed)", "illegal character", "message header",
  "content error", "improper use of 8-bit", "invalid (content|character|charset)",
  "broken (message|mime)", "message content (is )?invalid", "header (is )?(too long|invalid|missing)",
  NULL
};

static const char *const syntaxerror_words[] = {
  "syntax error", "malformed (recipient )?address", "command unrecognized", "command not recognized", "unrecognized command",
  "bad sequence of commands", "improper sequence of commands",
  "command (is )?not (implemented|understood)", "unknown command", "line too long",
  "parameter (not recognized|syntax)", NULL
};

static const char *const expired_words[] = {
  "retry time", "retry timeout", "message expired", "delivery time expired", "expired",
  "could not be delivered for", "giving up", "too long in (the )?queue",
  "in (the )?queue too long", "was not delivered within", "cannot be delivered within",
  "timed out", "delivery (attempts|period) (has |have )?(been )?exceeded",
  "unable to deliver .{1,40} within", "maximum time", "delivery (has been )?delayed",
  "was delayed", "undeliverable for", "retried for", "did not accept our requests to connect",
  "failed \\d+ attempts", "could not find a gateway", NULL
};

static const char *const networkerror_words[] = {
  "no route to host", "network is unreachable", "host unreachable",
  "connection (refused|reset)", "timeout", "lost connection", "unable to connect",
  "could not connect", "connect to .{1,200} (failed|error)", "routing loop", "mail loop",
  "loops back to myself", "too many hops", "hop count", "name service error", "name server",
  "dns (failure|lookup)", "no answer from", "network error", "mail for .{1,100} loops",
  "error transferring to", NULL
};

static const char *const systemerror_words[] = {
  "system error", "internal (server )?error", "server error", "local error", "mail system (error|problem)", "configuration error", "config error",
  "system problem", "i/o error", "unable to process", "service (currently )?unavailable",
  "server (is )?busy", "try again later", "transaction failed", "problem occurred",
  "temporarily unavailable", "resources temporarily", "system config", "duplicated message-id",
  "loop alert", NULL
};

static const ReasonRule rules[] = {
  { "mailboxfull", mailboxfull_words, TRUE },
  { "notaccept", notaccept_words, TRUE },
  { "networkerror", dns_words, TRUE },
  { "mailererror", mailererror_words, TRUE },
  { "hasmoved", hasmoved_words, TRUE },
  { "speeding", speeding_firm_words, TRUE },
  { "exceedlimit", exceedlimit_words, TRUE },
  { "mesgtoobig", mesgtoobig_words, TRUE },
  { "systemfull", systemfull_words, TRUE },
  { "norelaying", norelaying_words, TRUE },
  { "notcompliantrfc", notcompliantrfc_words, TRUE },
  { "spamdetected", spamdetected_firm_words, TRUE },
  { "blocked", blocked_firm_words, TRUE },
  { "requireptr", requireptr_words, TRUE },
  { "rejected", sender_words, TRUE },
  { "authfailure", authfailure_words, TRUE },
  { "badreputation", badreputation_words, TRUE },
  { "syntaxerror", malformed_address_words, TRUE },
  { "hostunknown", hostunknown_words, FALSE },
  { "suspend", suspend_words, FALSE },
  { "userunknown", userunknown_firm_words, TRUE },
  { "userunknown", userunknown_words, FALSE },
  { "filtered", filtered_words, FALSE },
  { "virusdetected", virusdetected_words, TRUE },
  { "spamdetected", spamdetected_words, TRUE },
  { "failedstarttls", failedstarttls_words, TRUE },
  { "toomanyconn", toomanyconn_words, TRUE },
  { "speeding", speeding_words, TRUE },
  { "policyviolation", policyviolation_words, TRUE },
  { "blocked", blocked_words, FALSE },
  { "securityerror", securityerror_words, TRUE },
  { "securityerror", access_denied_words, FALSE },
  { "contenterror", contenterror_words, TRUE },
  { "syntaxerror", syntaxerror_words, TRUE },
  { "expired", expired_words, TRUE },
  { "networkerror", networkerror_words, TRUE },
  { "systemerror", systemerror_words, TRUE },
};

/* Providers that explain their refusals with codes of their own. */
typedef struct
{
  int         code;
  const char *reason;
} ProviderCode;

/* Orange and La Poste (France): "OFR_506 [506]", "LPN007_426". */
static const ProviderCode orange_codes[] = {
  { 102, "blocked" },        /* the sending IP is blocked for spam */
  { 108, "blocked" },        /* service refused */
  { 416, "userunknown" },    /* invalid recipient */
  { 417, "userunknown" },
  { 426, "suspend" },        /* the recipient's account is blocked */
  { 505, "systemerror" },    /* service refused, try later */
  { 506, "spamdetected" },   /* mail rejected */
  { 630, "policyviolation" },
};

static const char *
reason_from_provider_code (const char *text)
{
  static const char *const prefixes[] = { "ofr", "lpn" };
  g_autofree char *lower = NULL;

  if (text == NULL)
    return NULL;
  lower = g_ascii_strdown (text, MIN (strlen (text), MAX_MATCH_TEXT));
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      for (const char *p = strstr (lower, prefixes[i]); p != NULL; p = strstr (p + 3, prefixes[i]))
        {
          const char *q = p + 3;
          int code;

          if (p > lower && g_ascii_isalnum (p[-1]))
            continue;
          while (g_ascii_isdigit (*q))
            q++;
          if (*q != '_' || !g_ascii_isdigit (q[1]) || !g_ascii_isdigit (q[2]) || !g_ascii_isdigit (q[3])
              || g_ascii_isdigit (q[4]))
            continue;
          code = (q[1] - '0') * 100 + (q[2] - '0') * 10 + (q[3] - '0');
          for (guint j = 0; j < G_N_ELEMENTS (orange_codes); j++)
            {
              if (orange_codes[j].code == code)
                return orange_codes[j].reason;
            }
        }
    }
  return NULL;
}

/* RFC 3463 codes that name a reason on their own. */
typedef struct
{
  const char *status;     /* "X.1.1": the class digit is ignored */
  const char *reason;
  gboolean    firm;       /* the code decides, whatever the words say */
} StatusRule;

static const StatusRule status_rules[] = {
  { "X.1.1", "userunknown", FALSE },
  { "X.1.2", "hostunknown", FALSE },
  { "X.1.3", "userunknown", FALSE },
  { "X.1.4", "userunknown", FALSE },
  { "X.1.6", "hasmoved", TRUE },
  { "X.1.7", "rejected", TRUE },
  { "X.1.8", "rejected", TRUE },
  { "X.1.10", "notaccept", FALSE },
  { "X.2.1", "filtered", FALSE },
  { "X.2.2", "mailboxfull", TRUE },
  { "X.2.3", "exceedlimit", TRUE },
  { "X.2.4", "systemerror", FALSE },
  { "X.3.1", "systemfull", FALSE },
  { "X.3.2", "notaccept", FALSE },
  { "X.3.3", "systemerror", FALSE },
  { "X.3.4", "mesgtoobig", TRUE },
  { "X.3.5", "systemerror", FALSE },
  { "X.4.1", "expired", FALSE },
  { "X.4.2", "networkerror", FALSE },
  { "X.4.3", "networkerror", FALSE },
  { "X.4.4", "networkerror", FALSE },
  { "X.4.5", "systemfull", FALSE },
  { "X.4.6", "networkerror", FALSE },
  { "X.4.7", "expired", FALSE },
  { "X.5.3", "exceedlimit", FALSE },
  { "X.5.1", "syntaxerror", FALSE },
  { "X.5.2", "syntaxerror", FALSE },
  { "X.5.4", "syntaxerror", FALSE },
  { "X.5.5", "syntaxerror", FALSE },
  { "X.6.0", "contenterror", TRUE },
  { "X.6.1", "contenterror", TRUE },
  { "X.6.2", "contenterror", TRUE },
  { "X.6.3", "contenterror", TRUE },
  { "X.6.4", "contenterror", TRUE },
  { "X.6.5", "contenterror", TRUE },
  { "X.6.6", "contenterror", TRUE },
  { "X.6.7", "contenterror", TRUE },
  { "X.6.8", "contenterror", TRUE },
  { "X.6.9", "contenterror", TRUE },
  { "X.7.2", "securityerror", FALSE },
  { "X.7.3", "securityerror", FALSE },
  { "X.7.4", "securityerror", FALSE },
  { "X.7.5", "securityerror", FALSE },
  { "X.7.6", "securityerror", FALSE },
  { "X.7.7", "securityerror", FALSE },
  { "X.7.8", "securityerror", FALSE },
  { "X.7.9", "securityerror", FALSE },
  { "X.7.10", "securityerror", FALSE },
  { "X.7.11", "failedstarttls", FALSE },
  { "X.7.13", "suspend", FALSE },
  { "X.7.14", "securityerror", FALSE },
  { "X.7.15", "securityerror", FALSE },
  { "X.7.16", "securityerror", FALSE },
  { "X.7.17", "securityerror", FALSE },
  { "X.7.20", "authfailure", FALSE },
  { "X.7.21", "authfailure", FALSE },
  { "X.7.22", "authfailure", FALSE },
  { "X.7.23", "authfailure", FALSE },
  { "X.7.24", "authfailure", FALSE },
  { "X.7.25", "requireptr", TRUE },
  { "X.7.26", "authfailure", TRUE },
  { "X.7.27", "notaccept", FALSE },
  { "X.7.509", "authfailure", TRUE },
  { "X.7.606", "blocked", TRUE },
  { "X.7.650", "badreputation", TRUE },
};

/* Sisimai's pseudo codes (REASONS.md): the status of a reason whose message
 * carries no usable code. */
typedef struct
{
  const char *reason;
  const char *code;       /* "0.9NN" */
} PseudoStatus;

static const PseudoStatus pseudo_codes[] = {
  { "undefined", "0.900" }, { "onhold", "0.901" }, { "syntaxerror", "0.902" },
  { "suppressed", "0.903" }, { "norelaying", "0.909" }, { "filtered", "0.910" },
  { "userunknown", "0.911" }, { "hostunknown", "0.912" }, { "hasmoved", "0.916" },
  { "rejected", "0.918" }, { "suspend", "0.921" }, { "mailboxfull", "0.922" },
  { "exceedlimit", "0.923" }, { "authfailure", "0.926" }, { "systemerror", "0.930" },
  { "systemfull", "0.931" }, { "notaccept", "0.932" }, { "mesgtoobig", "0.934" },
  { "mailererror", "0.939" }, { "networkerror", "0.944" }, { "toomanyconn", "0.945" },
  { "speeding", "0.946" }, { "expired", "0.947" }, { "contenterror", "0.960" },
  { "securityerror", "0.970" }, { "blocked", "0.971" }, { "policyviolation", "0.972" },
  { "requireptr", "0.973" }, { "notcompliantrfc", "0.974" }, { "badreputation", "0.975" },
  { "failedstarttls", "0.976" }, { "spamdetected", "0.980" }, { "virusdetected", "0.981" },
};

static gpointer
compile_rules (gpointer data)
{
  GRegex **regexes = g_new0 (GRegex *, G_N_ELEMENTS (rules));

  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      GString *pattern = g_string_new (NULL);
      g_autoptr(GError) error = NULL;

      for (guint j = 0; rules[i].patterns[j] != NULL; j++)
        {
          if (j > 0)
            g_string_append_c (pattern, '|');
          g_string_append_printf (pattern, "(?:%s)", rules[i].patterns[j]);
        }
      regexes[i] = g_regex_new (pattern->str, G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, &error);
      if (regexes[i] == NULL)
        g_critical ("Bounce rule %s: %s", rules[i].reason, error->message);
      g_string_free (pattern, TRUE);
    }
  return regexes;
}

static GRegex **
get_rules (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, compile_rules, NULL);
  return once.retval;
}

/* @text with every address replaced by "ADDRESS": an address such as
 * filtered@example.com must not decide the reason. */
static gboolean
is_address_char (char c)
{
  return c != '\0' && !g_ascii_isspace (c) && strchr ("<>()[]:;,'\"", c) == NULL;
}

static gboolean
is_reply_prefix (const char *p,
                 const char *start)
{
  if ((*p != '2' && *p != '4' && *p != '5') || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]))
    return FALSE;
  if (p > start && !g_ascii_isspace (p[-1]))
    return FALSE;
  return p[3] == '-' || (p[3] == ' ' && p[4] == p[0] && p[5] == '.');
}

/* Drops URLs and the reply codes that start each line of a multi-line SMTP
 * reply after the first ("550-5.7.1 ... 550-5.7.1 ..."), which split words. */
static char *
strip_noise (const char *text)
{
  GString *out = g_string_sized_new (strlen (text) + 1);
  gboolean first_code = TRUE;
  const char *p = text;

  while (*p != '\0')
    {
      if (g_ascii_strncasecmp (p, "http://", 7) == 0 || g_ascii_strncasecmp (p, "https://", 8) == 0)
        {
          while (*p != '\0' && !g_ascii_isspace (*p) && *p != '>' && *p != ')')
            p++;
          g_string_append (out, "URL");
          continue;
        }
      if (is_reply_prefix (p, text))
        {
          if (!first_code)
            {
              p += 4;
              if (g_ascii_isdigit (*p) && p[1] == '.')
                {
                  while (*p != '\0' && !g_ascii_isspace (*p))
                    p++;
                  while (*p == ' ')
                    p++;
                }
              continue;
            }
          first_code = FALSE;
        }
      g_string_append_c (out, *p++);
    }
  return g_string_free (out, FALSE);
}

static char *
mask_addresses (const char *text)
{
  GString *out = g_string_sized_new (MIN (strlen (text), MAX_MATCH_TEXT) + 16);
  const char *p = text;

  while (*p != '\0' && out->len < MAX_MATCH_TEXT)
    {
      const char *at = strchr (p, '@');
      const char *start;
      const char *end;

      if (at == NULL)
        {
          g_string_append_len (out, p, MIN (strlen (p), MAX_MATCH_TEXT - out->len));
          break;
        }
      start = at;
      while (start > p && is_address_char (start[-1]))
        start--;
      end = at + 1;
      while (is_address_char (*end))
        end++;
      if (start < at && end > at + 1)
        {
          g_string_append_len (out, p, start - p);
          g_string_append (out, "ADDRESS");
          p = end;
        }
      else
        {
          g_string_append_len (out, p, at + 1 - p);
          p = at + 1;
        }
    }
  return g_string_free (out, FALSE);
}

/* The first rule whose words occur in @text, or NULL. */
static const ReasonRule *
rule_from_text (const char *text)
{
  g_autofree char *masked = NULL;
  GRegex **regexes;

  if (text == NULL || text[0] == '\0')
    return NULL;
  regexes = get_rules ();
  {
    g_autofree char *clean = strip_noise (text);

    masked = mask_addresses (clean);
  }
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    {
      if (regexes[i] != NULL && g_regex_match (regexes[i], masked, 0, NULL))
        return &rules[i];
    }
  return NULL;
}

static const StatusRule *
rule_from_status (const char *status)
{
  if (status == NULL || strlen (status) < 5)
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (status_rules); i++)
    {
      if (g_str_equal (status_rules[i].status + 1, status + 1))
        return &status_rules[i];
    }
  return NULL;
}

/* Codes in text */

/* The first RFC 3463 code in @text ("5.1.1"), not part of an IP address or a version. */
static char *
status_in_text (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      const char *q;

      if ((*p != '2' && *p != '4' && *p != '5') || p[1] != '.' || !g_ascii_isdigit (p[2]))
        continue;
      if (p > text && (g_ascii_isdigit (p[-1]) || p[-1] == '.' || g_ascii_isalpha (p[-1])))
        continue;
      q = p + 2;
      while (g_ascii_isdigit (*q) && q - p < 5)
        q++;
      if (*q != '.' || !g_ascii_isdigit (q[1]))
        continue;
      q++;
      while (g_ascii_isdigit (*q) && q - p < 9)
        q++;
      if (g_ascii_isdigit (*q) || (*q == '.' && g_ascii_isdigit (q[1])))
        continue;
      return g_strndup (p, q - p);
    }
  return NULL;
}

/* The SMTP reply code in @text: a 2xx, 4xx or 5xx number standing alone at the
 * start, after a colon or "said", or before an enhanced code. */
static guint
replycode_in_text (const char *text)
{
  guint weak = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      const char *before;
      guint code;
      gboolean strong;

      if ((*p != '2' && *p != '4' && *p != '5') || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2]))
        continue;
      if (p > text && (g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == '/'
                       || p[-1] == '#' || p[-1] == '='))
        continue;
      if (g_ascii_isalnum (p[3]) || p[3] == '.' || p[3] == ':' || p[3] == '/')
        continue;
      code = (guint) ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
      if (code % 100 > 59)
        continue;
      before = p;
      while (before > text && (before[-1] == ' ' || before[-1] == '\'' || before[-1] == '"'))
        before--;
      strong = (p[3] == ' ' || p[3] == '-') && (p[4] == p[0] && p[5] == '.');
      if (strong)
        return code;
      if (before == text || strchr (":;]>)(", before[-1]) != NULL
          || (before - text >= 4 && g_ascii_strncasecmp (before - 4, "said", 4) == 0))
        {
          if (weak == 0)
            weak = code;
        }
    }
  return weak;
}

/* The SMTP command that was refused, when the text says. */
static const char *
command_in_text (const char *text)
{
  static const struct { const char *needle; const char *command; } commands[] = {
    { "after end of data", "DATA" }, { "after data", "DATA" }, { "end of data", "DATA" },
    { ">>> data", "DATA" }, { "reply to data", "DATA" }, { "after rcpt", "RCPT" },
    { "reply to rcpt", "RCPT" }, { ">>> rcpt", "RCPT" }, { "rcpt to", "RCPT" },
    { "after mail from", "MAIL" }, { "reply to mail", "MAIL" }, { ">>> mail from", "MAIL" },
    { "after helo", "HELO" }, { "after ehlo", "EHLO" }, { "reply to helo", "HELO" },
    { "reply to ehlo", "EHLO" }, { "after initial connection", "CONN" },
    { "after connect", "CONN" }, { "greeting", "CONN" }, { "[rcpt_to]", "RCPT" },
    { "does not like recipient", "RCPT" }, { "like our rcpt", "RCPT" },
    { "like our final data", "DATA" }, { "like our data", "DATA" }, { "like our mail", "MAIL" },
    { "my name was rejected", "HELO" }, { "sender was rejected", "MAIL" },
    { "[mail_from]", "MAIL" }, { "[data]", "DATA" }, { "for text command", "DATA" },
    { "for data command", "DATA" }, { "for rcpt command", "RCPT" },
  };
  g_autofree char *lower = NULL;

  if (text == NULL)
    return NULL;
  lower = g_ascii_strdown (text, MIN (strlen (text), MAX_MATCH_TEXT));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      if (strstr (lower, commands[i].needle) != NULL)
        return commands[i].command;
    }
  return NULL;
}

static char *
reply_line_at (const char *text,
               const char *line)
{
  const char *nl = strchr (line, '\n');
  gsize length = nl != NULL ? (gsize) (nl - line) : strlen (line);
  g_autofree char *copy = g_ascii_strdown (line, MIN (length, 2048));
  g_autofree char *status = status_in_text (copy);
  GString *out;

  if (status == NULL || replycode_in_text (copy) == 0)
    return NULL;
  out = g_string_new (copy);
  /* Lines that go on with the reply: indented, or "550-..." */
  for (guint n = 0; nl != NULL && n < 4; n++)
    {
      const char *next = nl + 1;
      const char *next_nl = strchr (next, '\n');
      gsize next_len = next_nl != NULL ? (gsize) (next_nl - next) : strlen (next);

      if (next_len == 0 || !(next[0] == ' ' || next[0] == '\t'
                             || (next_len > 4 && g_ascii_isdigit (next[0]) && next[3] == '-')))
        break;
      g_string_append_c (out, ' ');
      g_string_append_len (out, next, MIN (next_len, 1024));
      nl = next_nl;
    }
  return g_string_free (out, FALSE);
}

/* The first line of the text that holds an SMTP reply with an enhanced code
 * ("550 5.1.1 ..."), with the lines that continue it; only lines that name
 * @address when not NULL. */
static char *
reply_in_text (const MsBounceInput *input,
               const char          *address)
{
  const char *text = input->lower_text;
  guint n = 0;

  if (text == NULL)
    return NULL;
  if (address == NULL)
    {
      for (const char *line = text; line != NULL && *line != '\0' && n < 4000; n++)
        {
          const char *nl = strchr (line, '\n');
          char *reply = reply_line_at (text, line);

          if (reply != NULL)
            return reply;
          line = nl != NULL ? nl + 1 : NULL;
        }
      return NULL;
    }
  for (const char *hit = strstr (text, address); hit != NULL && n < 64;
       hit = strstr (hit + 1, address), n++)
    {
      const char *line = hit;
      char *reply;

      while (line > text && line[-1] != '\n')
        line--;
      if ((reply = reply_line_at (text, line)) != NULL)
        return reply;
    }
  return NULL;
}

/* Classification */

static gboolean
status_is_vague (const char *status)
{
  /* X.0.0 and the like say little beyond temporary or permanent. */
  return status == NULL || g_str_has_suffix (status, ".0.0");
}

static const char *
pseudo_status (const char *reason)
{
  for (guint i = 0; i < G_N_ELEMENTS (pseudo_codes); i++)
    {
      if (g_str_equal (pseudo_codes[i].reason, reason))
        return pseudo_codes[i].code;
    }
  return "0.900";
}

/* "User unknown" said at RCPT TO (or with a 5.1.1 code) is a missing address;
 * said after DATA, it is the recipient's filter refusing the message. */
static const char *
unknown_or_filtered (const char *status,
                     const char *by_status,
                     const char *command)
{
  if (g_strcmp0 (by_status, "userunknown") == 0)
    return "userunknown";
  if (command != NULL && !g_str_equal (command, "DATA"))
    return "userunknown";
  if (g_strcmp0 (command, "DATA") == 0)
    return "filtered";
  /* X.2.x (the mailbox) and X.3.x (the mail system) do not say the address
   * is unknown. */
  if (status != NULL && (g_str_has_prefix (status + 1, ".2.") || g_str_has_prefix (status + 1, ".3.")))
    return "filtered";
  if (status == NULL)
    return "filtered";
  return "userunknown";
}

static gboolean
is_command (const char *command,
            const char *name)
{
  return g_strcmp0 (command, name) == 0;
}

static gboolean
mentions_host (const MsBounceRecord *record,
               const char           *diagnostic,
               const char           *domain)
{
  return (record->remote_mta != NULL && strstr (record->remote_mta, domain) != NULL)
         || (diagnostic != NULL && strstr (diagnostic, domain) != NULL)
         || (record->context != NULL && strstr (record->context, domain) != NULL);
}

/* What a matched rule means in this situation. */
static const char *
resolve_rule (const ReasonRule *rule,
              const char       *status,
              const char       *command)
{
  if (g_str_equal (rule->reason, "userunknown") && !rule->firm)
    {
      const StatusRule *by_status = rule_from_status (status);

      return unknown_or_filtered (status, by_status != NULL ? by_status->reason : NULL, command);
    }
  return rule->reason;
}

/* Whether @text says anything but @address (letters outside it). */
static gboolean
has_words_beyond (const char *text,
                  const char *address)
{
  g_autofree char *lower = NULL;
  const char *at;
  guint letters = 0;

  if (text == NULL)
    return FALSE;
  lower = g_utf8_strdown (text, -1);
  at = address != NULL ? strstr (lower, address) : NULL;
  for (const char *p = lower; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (at != NULL && p == at)
        {
          p += strlen (address) - 1;
          continue;
        }
      if (g_unichar_isalpha (g_utf8_get_char (p)))
        letters++;
    }
  return letters >= 3;
}

static const char *
decide_reason (const MsBounceRecord *record,
               const char           *diagnostic,
               const char           *status,
               const char           *command,
               const MsBounceInput  *input)
{
  const StatusRule *by_status;
  const ReasonRule *rule;
  const char *reason;

  if ((record->action != NULL
       && (g_str_has_prefix (record->action, "deliver") || g_str_has_prefix (record->action, "relayed")
           || g_str_has_prefix (record->action, "expanded")))
      || (status != NULL && status[0] == '2'))
    return "delivered";

  by_status = rule_from_status (status);
  if (by_status != NULL && by_status->firm)
    return by_status->reason;
  if ((reason = reason_from_provider_code (diagnostic)) != NULL)
    return reason;

  rule = rule_from_text (diagnostic);
  /* A local delivery program failed (Postfix, Sendmail: "X-Unix;"). */
  if (g_strcmp0 (record->diag_type, "x-unix") == 0
      && (rule == NULL || g_str_equal (rule->reason, "systemerror")))
    return "mailererror";

  /* Refused at MAIL FROM: the sender is refused; at the greeting or HELO:
   * the sending host is; whatever the vaguer words say. */
  if (is_command (command, "MAIL") && (rule == NULL || !rule->firm))
    return "rejected";
  if ((is_command (command, "CONN") || is_command (command, "HELO") || is_command (command, "EHLO"))
      && rule != NULL && !rule->firm)
    return "blocked";

  /* NTT docomo answers "Unknown user" after DATA when the recipient's own
   * filter refuses the sender. */
  if (rule != NULL && g_str_equal (rule->reason, "userunknown") && is_command (command, "DATA")
      && mentions_host (record, diagnostic, "docomo.ne.jp"))
    return "rejected";
  if (rule != NULL)
    return resolve_rule (rule, status, command);
  if (by_status != NULL)
    return by_status->reason;
  if ((rule = rule_from_text (record->context)) != NULL)
    return resolve_rule (rule, status, command);
  if (input->google_groups)
    return "rejected";   /* a group that refuses the sender's posts */
  if ((rule = input->text_rule) != NULL)
    return resolve_rule (rule, status, command);
  if (record->action != NULL && g_str_has_prefix (record->action, "delayed"))
    return "expired";
  if (is_command (command, "HELO") || is_command (command, "EHLO") || is_command (command, "CONN"))
    return "blocked";
  /* Words we cannot place, or none at all. */
  if (status != NULL || has_words_beyond (diagnostic, record->address))
    return "onhold";
  return "undefined";
}

void
ms_bounce_prepare_rules (MsBounceInput *input)
{
  const char *text = input->text->str;

  input->text_rule = rule_from_text (text);
  input->google_groups = strstr (text, "Google Groups") != NULL
                         || strstr (text, "Google グループ") != NULL
                         || strstr (text, "groups.google.com") != NULL;
}

/* Whether the start of a message's text reads like a delivery failure: a
 * phrase of the bounce notices themselves, or an SMTP error with a reason. */
gboolean
ms_bounce_text_says_failure (const char *text,
                             gsize       length)
{
  static GRegex *notice;
  static gsize initialized = 0;
  g_autofree char *head = NULL;
  const char *p;

  if (g_once_init_enter (&initialized))
    {
      notice = g_regex_new ("could not be delivered|couldn'?t be delivered|undeliverable|"
                            "delivery (has )?failed|permanent (fatal )?error|was not delivered|"
                            "delivery to the following|unable to deliver|not be delivered|"
                            "failed to deliver|delivery failure|returned mail|"
                            "message (was )?(not|could not be) (sent|delivered)|wasn'?t delivered|"
                            "the following address(es)? failed|mail delivery failed",
                            G_REGEX_CASELESS | G_REGEX_OPTIMIZE, 0, NULL);
      g_once_init_leave (&initialized, 1);
    }
  head = g_strndup (text, MIN (length, 4096));
  if (notice != NULL && g_regex_match (notice, head, 0, NULL))
    return TRUE;
  /* "550 ..." at the start of a line, saying why. */
  for (p = head; p != NULL && *p != '\0'; p = strchr (p, '\n'))
    {
      while (*p == '\n' || *p == ' ' || *p == '\t')
        p++;
      if ((p[0] == '4' || p[0] == '5') && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2])
          && (p[3] == ' ' || p[3] == '-'))
        {
          const char *nl = strchr (p, '\n');
          g_autofree char *line = g_strndup (p, nl != NULL ? (gsize) (nl - p) : strlen (p));

          if (rule_from_text (line) != NULL)
            return TRUE;
        }
    }
  return FALSE;
}

/* The remote server's words about the recipient: the DSN's Diagnostic-Code
 * or the paragraph of the text; when they hold no SMTP reply, the reply
 * found elsewhere in the text ("The error that the other server returned
 * was: ...") goes first. */
static char *
build_diagnostic (const MsBounceInput  *input,
                  const MsBounceRecord *record)
{
  g_autofree char *diagnostic = ms_bounce_collapse_spaces (record->diagnostic, -1);
  g_autofree char *status = NULL;
  g_autofree char *reply = NULL;
  g_autofree char *joined = NULL;

  if (diagnostic != NULL && diagnostic[0] == '\0')
    g_clear_pointer (&diagnostic, g_free);
  if (diagnostic == NULL && record->context != NULL)
    diagnostic = g_strndup (record->context, MS_BOUNCE_MAX_DIAGNOSTIC);

  status = status_in_text (diagnostic);
  if ((diagnostic != NULL && (status != NULL || replycode_in_text (diagnostic) != 0))
      || input->text->len == 0)
    return g_steal_pointer (&diagnostic);
  reply = reply_in_text (input, input->n_records > 1 ? record->address : NULL);
  if (reply == NULL)
    return g_steal_pointer (&diagnostic);
  joined = g_strconcat (reply, diagnostic != NULL ? " " : NULL, diagnostic, NULL);
  return ms_bounce_collapse_spaces (joined, -1);
}

/* The Status field, unless the server's words give a more precise code of
 * the same class (DSN "5.0.0", reply "550 5.7.1 ..."). */
static char *
choose_status (const MsBounceRecord *record,
               const char           *diagnostic)
{
  g_autofree char *text_status = status_in_text (diagnostic);

  if (text_status != NULL
      && (record->status == NULL
          || (status_is_vague (record->status) && text_status[0] == record->status[0])))
    return g_steal_pointer (&text_status);
  return g_strdup (record->status);
}

void
ms_bounce_classify (const MsBounceInput  *input,
                    const MsBounceRecord *record,
                    MsBounceRecipient    *out)
{
  g_autofree char *diagnostic = NULL;
  g_autofree char *status = NULL;
  const char *command;

  out->address = g_strdup (record->address);
  out->alias = g_strdup (record->alias);

  if (record->reason != NULL && !g_str_equal (record->reason, "delivered"))
    {
      /* Complaints and auto-replies are not failures. */
      out->reason = record->reason;
      out->hard = FALSE;
      return;
    }

  diagnostic = build_diagnostic (input, record);
  status = choose_status (record, diagnostic);
  out->replycode = record->replycode != 0 ? record->replycode : replycode_in_text (diagnostic);
  command = command_in_text (diagnostic);
  if (command == NULL)
    command = command_in_text (record->context);
  out->reason = record->reason != NULL ? record->reason
                                       : decide_reason (record, diagnostic, status, command, input);

  if (status == NULL && g_str_equal (out->reason, "delivered"))
    status = g_strdup ("2.0.0");
  else if (status == NULL)
    {
      gboolean temporary = (out->replycode >= 400 && out->replycode < 500)
                           || (record->action != NULL && g_str_has_prefix (record->action, "delayed"));

      status = g_strdup_printf ("%c.%s", temporary ? '4' : '5', pseudo_status (out->reason));
    }
  out->status = g_steal_pointer (&status);
  out->hard = ms_bounce_reason_is_hard (out->reason, out->status);
  if (diagnostic != NULL)
    out->diagnostic = g_strndup (diagnostic, MS_BOUNCE_MAX_DIAGNOSTIC);
}

gboolean
ms_bounce_reason_is_hard (const char *reason,
                          const char *status)
{
  if (reason == NULL)
    return FALSE;
  if (g_str_equal (reason, "userunknown") || g_str_equal (reason, "hostunknown")
      || g_str_equal (reason, "hasmoved"))
    return TRUE;
  if (g_str_equal (reason, "notaccept"))
    return status == NULL || status[0] == '5';
  return FALSE;
}

const char *
ms_bounce_reason_describe (const char *reason)
{
  static const struct { const char *reason; const char *words; } descriptions[] = {
    { "userunknown", N_("The address does not exist") },
    { "hostunknown", N_("The domain of the address does not exist") },
    { "hasmoved", N_("The address has moved") },
    { "filtered", N_("The recipient’s server refused the message") },
    { "rejected", N_("The sender address was refused") },
    { "mailboxfull", N_("The mailbox is full") },
    { "suspend", N_("The account is suspended") },
    { "suppressed", N_("The address is on a suppression list") },
    { "contenterror", N_("The message is malformed") },
    { "emailtoolarge", N_("The message is too large") },
    { "exceedlimit", N_("The message exceeds a limit of the recipient") },
    { "mesgtoobig", N_("The message is too large") },
    { "feedback", N_("The recipient marked the message as spam") },
    { "notcompliantrfc", N_("The message does not follow the mail standards") },
    { "policyviolation", N_("The message breaks a policy of the recipient’s server") },
    { "securityerror", N_("Refused for security reasons") },
    { "virusdetected", N_("A virus was found in the message") },
    { "spamdetected", N_("The message was taken for spam") },
    { "authfailure", N_("SPF, DKIM or DMARC checks failed") },
    { "badreputation", N_("The sending server has a bad reputation") },
    { "blocked", N_("The sending server is blocked") },
    { "expired", N_("Delivery timed out") },
    { "mailererror", N_("The recipient’s mail program failed") },
    { "networkerror", N_("A network or DNS error") },
    { "norelaying", N_("The server does not relay for this address") },
    { "notaccept", N_("The domain accepts no mail") },
    { "ratelimited", N_("Too many messages too fast") },
    { "speeding", N_("Too many messages too fast") },
    { "toomanyconn", N_("Too many connections") },
    { "requireptr", N_("The sending server has no valid reverse DNS name") },
    { "systemerror", N_("An error on the recipient’s server") },
    { "systemfull", N_("The recipient’s server is out of space") },
    { "failedstarttls", N_("The encrypted connection failed") },
    { "delivered", N_("Delivered") },
    { "syntaxerror", N_("An SMTP protocol error") },
    { "vacation", N_("An automatic reply") },
    { "onhold", N_("Undecided failure") },
    { "undefined", N_("Unknown reason") },
  };

  if (reason == NULL)
    return _("Unsubscribe request");
  for (guint i = 0; i < G_N_ELEMENTS (descriptions); i++)
    {
      if (g_str_equal (descriptions[i].reason, reason))
        return _(descriptions[i].words);
    }
  return _("Unknown reason");
}

/* ms-connection.h
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

#include <gio/gio.h>

G_BEGIN_DECLS

#define MS_NET_ERROR (ms_net_error_quark ())

/* Errors of the network layer.  Cancellation is G_IO_ERROR_CANCELLED. */
typedef enum
{
  MS_NET_ERROR_RESOLVE,            /* the host name does not resolve */
  MS_NET_ERROR_CONNECT,            /* refused, unreachable, reset while connecting */
  MS_NET_ERROR_TIMEOUT,            /* connect, read or write took longer than allowed */
  MS_NET_ERROR_TLS_HANDSHAKE,      /* TLS could not be negotiated */
  MS_NET_ERROR_CERT_UNTRUSTED,     /* no trusted CA signed the certificate (or self-signed) */
  MS_NET_ERROR_CERT_HOSTNAME,      /* the certificate names another host */
  MS_NET_ERROR_CERT_EXPIRED,       /* expired or not yet valid */
  MS_NET_ERROR_CERT_PIN_MISMATCH,  /* not the pinned certificate */
  MS_NET_ERROR_CLOSED,             /* the peer closed or reset the connection */
  MS_NET_ERROR_PROTOCOL,           /* over-long line, unexpected bytes before TLS */
  MS_NET_ERROR_CONFIG,             /* unreadable CA file, malformed fingerprint */
} MsNetError;

/* How a connection is secured: TLS from the first byte (port 465, 993, 995), an
 * upgrade with STARTTLS/STLS that is mandatory, or no encryption at all. */
typedef enum
{
  MS_SECURITY_TLS,
  MS_SECURITY_STARTTLS,
  MS_SECURITY_NONE,
} MsSecurity;

const char *ms_security_to_string   (MsSecurity   security);
gboolean    ms_security_from_string (const char  *text,
                                     MsSecurity  *security);

/* Normalises a SHA-256 fingerprint given as 64 hex digits, with or without colons
 * or spaces, optionally prefixed with "sha256:" or "SHA256/", into 64 lowercase hex
 * digits.  Anything else is MS_NET_ERROR_CONFIG. */
char       *ms_fingerprint_normalize (const char  *text,
                                      GError     **error);
/* "AB:CD:..." for people. */
char       *ms_fingerprint_format    (const char  *normalized);

/* A blocking TCP connection, optionally wrapped in TLS (OpenSSL 3), for worker
 * threads.  Every call that waits takes a GCancellable and gives up after the
 * inactivity timeout set with ms_connection_set_timeout().  Not thread-safe: one
 * thread uses a connection at a time.
 *
 * TLS always verifies the peer: against the system trust store plus the optional
 * CA file, or, when a fingerprint is pinned, against that exact leaf certificate
 * instead (host name and dates are then not checked: the pin names the certificate).
 * There is no way to turn verification off.  TLS 1.2 is the minimum; SNI is sent
 * for host names (not for IP literals); the host name or IP address is checked
 * against the certificate. */
#define MS_TYPE_CONNECTION (ms_connection_get_type ())

G_DECLARE_FINAL_TYPE (MsConnection, ms_connection, MS, CONNECTION, GObject)

#define MS_CONNECTION_DEFAULT_CONNECT_TIMEOUT_MS 30000
#define MS_CONNECTION_DEFAULT_TIMEOUT_MS         300000

GQuark        ms_net_error_quark                 (void);

/* @host is a name (IDN allowed), an IPv4 literal or an IPv6 literal, with or
 * without brackets. */
MsConnection *ms_connection_new                  (const char    *host,
                                                  guint16        port);
const char   *ms_connection_get_host             (MsConnection  *self);
guint16       ms_connection_get_port             (MsConnection  *self);

void          ms_connection_set_connect_timeout  (MsConnection  *self,
                                                  guint          timeout_ms);
/* Inactivity limit of each later read, write and handshake; 0 waits forever. */
void          ms_connection_set_timeout          (MsConnection  *self,
                                                  guint          timeout_ms);
guint         ms_connection_get_timeout          (MsConnection  *self);
/* An extra PEM file of trusted CA certificates, used with the system store. */
void          ms_connection_set_ca_file          (MsConnection  *self,
                                                  const char    *path);
/* Pins the SHA-256 fingerprint of the server's certificate (see
 * ms_fingerprint_normalize()); NULL removes the pin. */
gboolean      ms_connection_set_pinned_sha256    (MsConnection  *self,
                                                  const char    *fingerprint,
                                                  GError       **error);

/* Resolves the host and connects over TCP (each address in turn). */
gboolean      ms_connection_connect              (MsConnection  *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Runs the TLS handshake on the connected socket and verifies the peer.  Refuses
 * (MS_NET_ERROR_PROTOCOL) when the peer already sent bytes that were not read: after
 * a STARTTLS reply nothing may precede the handshake. */
gboolean      ms_connection_start_tls            (MsConnection  *self,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Reads one line ending in LF (the CR LF or LF is removed).  A line longer than
 * @max_length bytes is MS_NET_ERROR_PROTOCOL; end of stream is MS_NET_ERROR_CLOSED. */
char         *ms_connection_read_line            (MsConnection  *self,
                                                  gsize          max_length,
                                                  gsize         *length,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* Reads exactly @length bytes into @buffer (a literal in IMAP); end of stream
 * before that is MS_NET_ERROR_CLOSED. */
gboolean      ms_connection_read_exact           (MsConnection  *self,
                                                  void          *buffer,
                                                  gsize          length,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
gboolean      ms_connection_write_all            (MsConnection  *self,
                                                  const void    *data,
                                                  gsize          length,
                                                  GCancellable  *cancellable,
                                                  GError       **error);
/* TRUE when received bytes wait to be read: in our buffer, in OpenSSL's, or in the
 * kernel's (checked without blocking). */
gboolean      ms_connection_has_pending_input    (MsConnection  *self);
void          ms_connection_close                (MsConnection  *self);

gboolean      ms_connection_is_connected         (MsConnection  *self);
gboolean      ms_connection_is_tls               (MsConnection  *self);
/* "TLSv1.3", "TLS_AES_256_GCM_SHA384"; NULL without TLS. */
const char   *ms_connection_get_tls_version      (MsConnection  *self);
const char   *ms_connection_get_tls_cipher       (MsConnection  *self);
/* The SHA-256 fingerprint (normalized form) of the last certificate the peer
 * presented, also after a failed verification, so a person can compare and pin it;
 * NULL if none was seen. */
const char   *ms_connection_get_peer_sha256      (MsConnection  *self);
/* The local end as an SMTP address literal: "[192.0.2.1]" or "[IPv6:2001:db8::1]". */
char         *ms_connection_get_local_literal    (MsConnection  *self);
/* The address actually connected to, "127.0.0.1" or "::1". */
char         *ms_connection_get_remote_address   (MsConnection  *self);

/* Where a client connects and what it trusts there: the part the SMTP, IMAP and
 * POP3 clients share.  Embedded by value; @pinned is normalised or NULL. */
typedef struct
{
  char       *host;
  guint16     port;
  MsSecurity  security;
  char       *ca_file;
  char       *pinned;
} MsEndpoint;

void          ms_endpoint_init              (MsEndpoint        *endpoint,
                                             const char        *host,
                                             guint16            port,
                                             MsSecurity         security);
void          ms_endpoint_clear             (MsEndpoint        *endpoint);
void          ms_endpoint_set_ca_file       (MsEndpoint        *endpoint,
                                             const char        *path);
/* Any form ms_fingerprint_normalize() takes; NULL or "" removes the pin. */
gboolean      ms_endpoint_set_pinned_sha256 (MsEndpoint        *endpoint,
                                             const char        *fingerprint,
                                             GError           **error);
/* A connection to @endpoint with its CA file and pin, not connected yet. */
MsConnection *ms_endpoint_new_connection    (const MsEndpoint  *endpoint,
                                             guint              connect_timeout_ms,
                                             GError           **error);

G_END_DECLS

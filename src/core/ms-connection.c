/* ms-connection.c
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

#define G_LOG_DOMAIN "ms-connection"

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gi18n.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ms-connection.h"

#define INPUT_CHUNK 16384

struct _MsConnection
{
  GObject   parent_instance;

  char     *host;          /* as given, without brackets */
  char     *ascii_host;    /* IDNA form, for SNI and the certificate check */
  gboolean  host_is_ip;
  guint16   port;

  guint     connect_timeout_ms;
  guint     timeout_ms;
  char     *ca_file;
  char     *pinned;        /* normalized hex or NULL */

  int       fd;
  gboolean  eof;           /* the socket BIO read end of stream */
  char     *remote_address;
  SSL_CTX  *ctx;
  SSL      *ssl;

  guint8   *input;
  gsize     input_size;
  gsize     input_start;
  gsize     input_end;

  X509     *peer_cert;     /* leaf seen during the last handshake */
  char     *peer_sha256;

  /* The cancellable whose poll fd stays made while connected: GLib creates and
   * closes an eventfd on every make/release pair otherwise, twice per reply. */
  GCancellable *held_cancellable;
  gboolean  awaiting_reply;  /* written since the last read: wait before recv */
};

G_DEFINE_FINAL_TYPE (MsConnection, ms_connection, G_TYPE_OBJECT)

G_DEFINE_QUARK (ms-net-error-quark, ms_net_error)

static int connection_ex_index = -1;
static BIO_METHOD *socket_method;

/* Security names */

const char *
ms_security_to_string (MsSecurity security)
{
  switch (security)
    {
    case MS_SECURITY_TLS:
      return "tls";
    case MS_SECURITY_STARTTLS:
      return "starttls";
    case MS_SECURITY_NONE:
      return "none";
    default:
      g_return_val_if_reached (NULL);
    }
}

gboolean
ms_security_from_string (const char *text,
                         MsSecurity *security)
{
  g_return_val_if_fail (security != NULL, FALSE);

  if (text == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (text, "tls") == 0 || g_ascii_strcasecmp (text, "ssl") == 0)
    *security = MS_SECURITY_TLS;
  else if (g_ascii_strcasecmp (text, "starttls") == 0)
    *security = MS_SECURITY_STARTTLS;
  else if (g_ascii_strcasecmp (text, "none") == 0)
    *security = MS_SECURITY_NONE;
  else
    return FALSE;
  return TRUE;
}

/* Fingerprints */

char *
ms_fingerprint_normalize (const char  *text,
                          GError     **error)
{
  g_autoptr(GString) hex = g_string_new (NULL);
  const char *p;

  g_return_val_if_fail (text != NULL, NULL);

  p = text;
  while (g_ascii_isspace (*p))
    p++;
  if (g_ascii_strncasecmp (p, "sha256", 6) == 0 && (p[6] == ':' || p[6] == '/' || p[6] == '='))
    p += 7;

  for (; *p != '\0'; p++)
    {
      if (*p == ':' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        continue;
      if (!g_ascii_isxdigit (*p) || hex->len >= 64)
        {
          hex->len = 65;
          break;
        }
      g_string_append_c (hex, g_ascii_tolower (*p));
    }

  if (hex->len != 64)
    {
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CONFIG,
                   _("“%s” is not a SHA-256 fingerprint: expected 64 hexadecimal digits, "
                     "with or without colons"), text);
      return NULL;
    }
  return g_string_free (g_steal_pointer (&hex), FALSE);
}

char *
ms_fingerprint_format (const char *normalized)
{
  GString *out;

  g_return_val_if_fail (normalized != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = normalized; *p != '\0'; p++)
    {
      if (out->len > 0 && (p - normalized) % 2 == 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (*p));
    }
  return g_string_free (out, FALSE);
}

static char *
cert_sha256 (X509 *cert)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  GString *out;

  if (!X509_digest (cert, EVP_sha256 (), md, &md_len))
    return NULL;
  out = g_string_sized_new (md_len * 2);
  for (unsigned int i = 0; i < md_len; i++)
    g_string_append_printf (out, "%02x", md[i]);
  return g_string_free (out, FALSE);
}

/* A socket BIO that never raises SIGPIPE (send with MSG_NOSIGNAL) */

static int
bio_sock_write (BIO        *bio,
                const char *data,
                size_t      length,
                size_t     *written)
{
  MsConnection *self = BIO_get_data (bio);
  ssize_t n;

  BIO_clear_retry_flags (bio);
  do
    n = send (self->fd, data, length, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        BIO_set_retry_write (bio);
      return 0;
    }
  *written = (size_t) n;
  return 1;
}

static int
bio_sock_read (BIO    *bio,
               char   *data,
               size_t  length,
               size_t *read_bytes)
{
  MsConnection *self = BIO_get_data (bio);
  ssize_t n;

  BIO_clear_retry_flags (bio);
  do
    n = recv (self->fd, data, length, 0);
  while (n < 0 && errno == EINTR);

  if (n < 0)
    {
      if (errno == EAGAIN || errno == EWOULDBLOCK)
        BIO_set_retry_read (bio);
      return 0;
    }
  if (n == 0)
    {
      self->eof = TRUE;
      return 0;
    }
  *read_bytes = (size_t) n;
  return 1;
}

static long
bio_sock_ctrl (BIO  *bio,
               int   cmd,
               long  num,
               void *ptr)
{
  MsConnection *self = BIO_get_data (bio);

  switch (cmd)
    {
    case BIO_CTRL_FLUSH:
      return 1;
    case BIO_CTRL_EOF:
      return self != NULL && self->eof;
    default:
      return 0;
    }
}

static int
bio_sock_create (BIO *bio)
{
  BIO_set_init (bio, 1);
  return 1;
}

static gpointer
init_openssl_once (gpointer data)
{
  socket_method = BIO_meth_new (BIO_get_new_index () | BIO_TYPE_SOURCE_SINK, "mailshot-socket");
  BIO_meth_set_write_ex (socket_method, bio_sock_write);
  BIO_meth_set_read_ex (socket_method, bio_sock_read);
  BIO_meth_set_ctrl (socket_method, bio_sock_ctrl);
  BIO_meth_set_create (socket_method, bio_sock_create);
  connection_ex_index = SSL_get_ex_new_index (0, (char *) "MsConnection", NULL, NULL, NULL);
  return NULL;
}

static void
init_openssl (void)
{
  static GOnce once = G_ONCE_INIT;

  g_once (&once, init_openssl_once, NULL);
}

/* Object */

static void
ms_connection_finalize (GObject *object)
{
  MsConnection *self = MS_CONNECTION (object);

  ms_connection_close (self);
  g_clear_pointer (&self->peer_cert, X509_free);
  g_free (self->peer_sha256);
  g_free (self->input);
  g_free (self->host);
  g_free (self->ascii_host);
  g_free (self->ca_file);
  g_free (self->pinned);
  g_free (self->remote_address);

  G_OBJECT_CLASS (ms_connection_parent_class)->finalize (object);
}

static void
ms_connection_class_init (MsConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = ms_connection_finalize;
}

static void
ms_connection_init (MsConnection *self)
{
  self->fd = -1;
  self->connect_timeout_ms = MS_CONNECTION_DEFAULT_CONNECT_TIMEOUT_MS;
  self->timeout_ms = MS_CONNECTION_DEFAULT_TIMEOUT_MS;
}

MsConnection *
ms_connection_new (const char *host,
                   guint16     port)
{
  MsConnection *self;
  gsize len;

  g_return_val_if_fail (host != NULL, NULL);

  self = g_object_new (MS_TYPE_CONNECTION, NULL);
  len = strlen (host);
  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    self->host = g_strndup (host + 1, len - 2);
  else
    self->host = g_strdup (host);
  self->host_is_ip = g_hostname_is_ip_address (self->host);
  if (self->host_is_ip)
    self->ascii_host = g_strdup (self->host);
  else
    self->ascii_host = g_hostname_to_ascii (self->host);
  if (self->ascii_host == NULL)
    self->ascii_host = g_strdup (self->host);
  self->port = port;
  return self;
}

const char *
ms_connection_get_host (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  return self->host;
}

guint16
ms_connection_get_port (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), 0);

  return self->port;
}

void
ms_connection_set_connect_timeout (MsConnection *self,
                                   guint         timeout_ms)
{
  g_return_if_fail (MS_IS_CONNECTION (self));

  self->connect_timeout_ms = timeout_ms;
}

void
ms_connection_set_timeout (MsConnection *self,
                           guint         timeout_ms)
{
  g_return_if_fail (MS_IS_CONNECTION (self));

  self->timeout_ms = timeout_ms;
}

guint
ms_connection_get_timeout (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), 0);

  return self->timeout_ms;
}

void
ms_connection_set_ca_file (MsConnection *self,
                           const char   *path)
{
  g_return_if_fail (MS_IS_CONNECTION (self));

  g_free (self->ca_file);
  self->ca_file = (path != NULL && *path != '\0') ? g_strdup (path) : NULL;
}

gboolean
ms_connection_set_pinned_sha256 (MsConnection  *self,
                                 const char    *fingerprint,
                                 GError       **error)
{
  char *normalized = NULL;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);

  if (fingerprint != NULL && *fingerprint != '\0')
    {
      normalized = ms_fingerprint_normalize (fingerprint, error);
      if (normalized == NULL)
        return FALSE;
    }
  g_free (self->pinned);
  self->pinned = normalized;
  return TRUE;
}

gboolean
ms_connection_is_connected (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);

  return self->fd >= 0;
}

gboolean
ms_connection_is_tls (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);

  return self->ssl != NULL;
}

const char *
ms_connection_get_tls_version (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  return self->ssl != NULL ? SSL_get_version (self->ssl) : NULL;
}

const char *
ms_connection_get_tls_cipher (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  return self->ssl != NULL ? SSL_get_cipher_name (self->ssl) : NULL;
}

const char *
ms_connection_get_peer_sha256 (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  return self->peer_sha256;
}

char *
ms_connection_get_remote_address (MsConnection *self)
{
  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  return g_strdup (self->remote_address);
}

char *
ms_connection_get_local_literal (MsConnection *self)
{
  struct sockaddr_storage storage;
  socklen_t len = sizeof storage;
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *text = NULL;
  GInetAddress *inet;

  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);

  if (self->fd < 0 || getsockname (self->fd, (struct sockaddr *) &storage, &len) != 0)
    return NULL;
  address = g_socket_address_new_from_native (&storage, len);
  if (address == NULL || !G_IS_INET_SOCKET_ADDRESS (address))
    return NULL;
  inet = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address));
  text = g_inet_address_to_string (inet);
  if (g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("[IPv6:%s]", text);
  return g_strdup_printf ("[%s]", text);
}

void
ms_connection_close (MsConnection *self)
{
  g_return_if_fail (MS_IS_CONNECTION (self));

  if (self->ssl != NULL)
    {
      /* One non-blocking close_notify: best effort, never waits. */
      if (self->fd >= 0 && !self->eof)
        {
          ERR_clear_error ();
          SSL_shutdown (self->ssl);
        }
      g_clear_pointer (&self->ssl, SSL_free);
    }
  g_clear_pointer (&self->ctx, SSL_CTX_free);
  if (self->fd >= 0)
    {
      close (self->fd);
      self->fd = -1;
    }
  if (self->held_cancellable != NULL)
    {
      g_cancellable_release_fd (self->held_cancellable);
      g_clear_object (&self->held_cancellable);
    }
  self->input_start = self->input_end = 0;
  self->eof = FALSE;
  self->awaiting_reply = FALSE;
  ERR_clear_error ();
}

/* Waiting */

static guint
timeout_seconds (guint timeout_ms)
{
  return MAX (1, (timeout_ms + 999) / 1000);
}

static void
set_timeout_error (MsConnection  *self,
                   guint          timeout_ms,
                   GError       **error)
{
  g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TIMEOUT,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s (port %u) did not answer within %u second",
                            "%s (port %u) did not answer within %u seconds",
                            timeout_seconds (timeout_ms)),
               self->host, self->port, timeout_seconds (timeout_ms));
}

/* Waits until @fd is ready for @events, the cancellable fires or @timeout_ms of
 * inactivity pass (0: no limit). */
static gboolean
wait_fd (MsConnection  *self,
         int            fd,
         gushort        events,
         guint          timeout_ms,
         GCancellable  *cancellable,
         GError       **error)
{
  GPollFD fds[2];
  guint nfds = 1;
  gint64 deadline = 0;
  gboolean ok = FALSE;

  fds[0].fd = fd;
  fds[0].events = events;
  fds[0].revents = 0;
  if (cancellable != NULL && cancellable != self->held_cancellable && self->fd >= 0 && fd == self->fd)
    {
      GPollFD held;

      if (self->held_cancellable != NULL)
        {
          g_cancellable_release_fd (self->held_cancellable);
          g_clear_object (&self->held_cancellable);
        }
      if (g_cancellable_make_pollfd (cancellable, &held))
        self->held_cancellable = g_object_ref (cancellable);
    }
  if (cancellable != NULL && g_cancellable_make_pollfd (cancellable, &fds[1]))
    nfds = 2;
  if (timeout_ms > 0)
    deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  for (;;)
    {
      int wait_ms = -1;
      int r;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        break;
      if (deadline > 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();

          if (left <= 0)
            {
              set_timeout_error (self, timeout_ms, error);
              break;
            }
          wait_ms = (int) MIN ((left + 999) / 1000, G_MAXINT);
        }
      r = g_poll (fds, nfds, wait_ms);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        {
          int saved = errno;

          g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED, "poll: %s", g_strerror (saved));
          break;
        }
      if (nfds == 2 && fds[1].revents != 0)
        continue;  /* reported by g_cancellable_set_error_if_cancelled() above */
      if (r > 0 && fds[0].revents != 0)
        {
          ok = TRUE;
          break;
        }
    }

  if (nfds == 2)
    g_cancellable_release_fd (cancellable);
  return ok;
}

/* Connecting */

static void
set_connect_error (MsConnection  *self,
                   int            err,
                   GError       **error)
{
  if (err == ECONNREFUSED)
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CONNECT,
                 _("%s refused the connection on port %u: check the port number, and that "
                   "the server accepts mail there"), self->host, self->port);
  else
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CONNECT,
                 _("Could not connect to %s on port %u: %s"),
                 self->host, self->port, g_strerror (err));
}

static int
connect_address (MsConnection    *self,
                 GInetAddress    *address,
                 GCancellable    *cancellable,
                 GError         **error)
{
  g_autoptr(GSocketAddress) sockaddr = g_inet_socket_address_new (address, self->port);
  struct sockaddr_storage native;
  socklen_t native_len = (socklen_t) g_socket_address_get_native_size (sockaddr);
  int fd;
  int one = 1;
  int err = 0;
  socklen_t err_len = sizeof err;

  if (!g_socket_address_to_native (sockaddr, &native, sizeof native, error))
    return -1;

  fd = socket (native.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    {
      set_connect_error (self, errno, error);
      return -1;
    }
  /* Commands are small and pipelined: never let Nagle hold one back. */
  setsockopt (fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  if (connect (fd, (struct sockaddr *) &native, native_len) == 0)
    return fd;
  if (errno != EINPROGRESS && errno != EINTR)
    {
      set_connect_error (self, errno, error);
      close (fd);
      return -1;
    }

  if (!wait_fd (self, fd, G_IO_OUT, self->connect_timeout_ms, cancellable, error))
    {
      close (fd);
      return -1;
    }
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0)
    err = errno;
  if (err != 0)
    {
      set_connect_error (self, err, error);
      close (fd);
      return -1;
    }
  return fd;
}

static void
add_port_advice (MsConnection  *self,
                 GError       **error)
{
  g_autofree char *message = NULL;

  if (error == NULL || *error == NULL || self->port != 25
      || !g_error_matches (*error, MS_NET_ERROR, MS_NET_ERROR_TIMEOUT))
    return;

  message = g_strdup_printf (_("%s: many Internet providers block port 25, try port 587, "
                               "465 or 2525"), (*error)->message);
  g_free ((*error)->message);
  (*error)->message = g_steal_pointer (&message);
}

gboolean
ms_connection_connect (MsConnection  *self,
                       GCancellable  *cancellable,
                       GError       **error)
{
  GList *addresses = NULL;
  g_autoptr(GError) first_error = NULL;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->fd < 0, FALSE);

  if (self->host_is_ip)
    {
      GInetAddress *address = g_inet_address_new_from_string (self->host);

      if (address != NULL)
        addresses = g_list_append (NULL, address);
    }
  else
    {
      g_autoptr(GResolver) resolver = g_resolver_get_default ();
      g_autoptr(GError) local_error = NULL;

      addresses = g_resolver_lookup_by_name (resolver, self->ascii_host, cancellable, &local_error);
      if (addresses == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_RESOLVE,
                         _("The server name “%s” was not found: check its spelling and your "
                           "Internet connection (%s)"), self->host, local_error->message);
          return FALSE;
        }
    }
  if (addresses == NULL)
    {
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_RESOLVE,
                   _("“%s” is not a valid address"), self->host);
      return FALSE;
    }

  for (GList *l = addresses; l != NULL; l = l->next)
    {
      g_autoptr(GError) local_error = NULL;
      int fd = connect_address (self, l->data, cancellable, &local_error);

      if (fd >= 0)
        {
          self->fd = fd;
          g_free (self->remote_address);
          self->remote_address = g_inet_address_to_string (l->data);
          break;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&first_error);
          first_error = g_steal_pointer (&local_error);
          break;
        }
      if (first_error == NULL)
        first_error = g_steal_pointer (&local_error);
    }
  g_resolver_free_addresses (addresses);

  if (self->fd < 0)
    {
      g_propagate_error (error, g_steal_pointer (&first_error));
      add_port_advice (self, error);
      return FALSE;
    }

  self->eof = FALSE;
  self->input_start = self->input_end = 0;
  g_debug ("Connected to %s (%s) port %u", self->host, self->remote_address, self->port);
  return TRUE;
}

/* TLS */

static int
verify_callback (int             preverify_ok,
                 X509_STORE_CTX *store)
{
  SSL *ssl = X509_STORE_CTX_get_ex_data (store, SSL_get_ex_data_X509_STORE_CTX_idx ());
  MsConnection *self = SSL_get_ex_data (ssl, connection_ex_index);
  X509 *leaf = X509_STORE_CTX_get0_cert (store);

  if (self != NULL && self->peer_cert == NULL && leaf != NULL)
    {
      X509_up_ref (leaf);
      self->peer_cert = leaf;
      g_free (self->peer_sha256);
      self->peer_sha256 = cert_sha256 (leaf);
    }
  return preverify_ok;
}

/* Replaces chain, host name and date checks when a fingerprint is pinned. */
static int
pin_verify_callback (X509_STORE_CTX *store,
                     void           *data)
{
  MsConnection *self = data;
  X509 *leaf = X509_STORE_CTX_get0_cert (store);

  if (leaf == NULL)
    {
      X509_STORE_CTX_set_error (store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  g_clear_pointer (&self->peer_cert, X509_free);
  X509_up_ref (leaf);
  self->peer_cert = leaf;
  g_free (self->peer_sha256);
  self->peer_sha256 = cert_sha256 (leaf);

  if (self->peer_sha256 == NULL || g_strcmp0 (self->peer_sha256, self->pinned) != 0)
    {
      X509_STORE_CTX_set_error (store, X509_V_ERR_APPLICATION_VERIFICATION);
      return 0;
    }
  X509_STORE_CTX_set_error (store, X509_V_OK);
  return 1;
}

static char *
cert_names (X509 *cert)
{
  GENERAL_NAMES *names;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);

  names = X509_get_ext_d2i (cert, NID_subject_alt_name, NULL, NULL);
  for (int i = 0; names != NULL && i < sk_GENERAL_NAME_num (names); i++)
    {
      const GENERAL_NAME *name = sk_GENERAL_NAME_value (names, i);

      if (name->type == GEN_DNS)
        {
          const unsigned char *data = ASN1_STRING_get0_data (name->d.dNSName);
          int len = ASN1_STRING_length (name->d.dNSName);

          g_ptr_array_add (list, g_strndup ((const char *) data, len));
        }
      else if (name->type == GEN_IPADD)
        {
          const unsigned char *data = ASN1_STRING_get0_data (name->d.iPAddress);
          int len = ASN1_STRING_length (name->d.iPAddress);
          g_autoptr(GInetAddress) address = NULL;

          if (len == 4)
            address = g_inet_address_new_from_bytes (data, G_SOCKET_FAMILY_IPV4);
          else if (len == 16)
            address = g_inet_address_new_from_bytes (data, G_SOCKET_FAMILY_IPV6);
          if (address != NULL)
            g_ptr_array_add (list, g_inet_address_to_string (address));
        }
      if (list->len >= 5)
        break;
    }
  GENERAL_NAMES_free (names);

  if (list->len == 0)
    {
      char cn[256];

      if (X509_NAME_get_text_by_NID (X509_get_subject_name (cert), NID_commonName, cn, sizeof cn) > 0)
        g_ptr_array_add (list, g_strdup (cn));
    }
  if (list->len == 0)
    return g_strdup ("?");
  g_ptr_array_add (list, NULL);
  return g_strjoinv (", ", (char **) list->pdata);
}

static char *
format_asn1_time (const ASN1_TIME *time)
{
  struct tm tm;
  g_autoptr(GDateTime) dt = NULL;

  if (time == NULL || !ASN1_TIME_to_tm (time, &tm))
    return g_strdup ("?");
  dt = g_date_time_new_utc (tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                            tm.tm_hour, tm.tm_min, tm.tm_sec);
  if (dt == NULL)
    return g_strdup ("?");
  return g_date_time_format (dt, "%Y-%m-%d %H:%M UTC");
}

static void
set_verify_error (MsConnection  *self,
                  long           result,
                  GError       **error)
{
  g_autofree char *pretty = self->peer_sha256 ? ms_fingerprint_format (self->peer_sha256) : g_strdup ("?");

  if (self->pinned != NULL && result == X509_V_ERR_APPLICATION_VERIFICATION)
    {
      g_autofree char *pinned = ms_fingerprint_format (self->pinned);

      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_PIN_MISMATCH,
                   _("The certificate of %s is not the pinned one: it has the SHA-256 "
                     "fingerprint %s, but %s was pinned. If the server’s certificate was "
                     "renewed, check the new fingerprint with its administrator and pin it"),
                   self->host, pretty, pinned);
      return;
    }

  switch (result)
    {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      {
        g_autofree char *names = self->peer_cert ? cert_names (self->peer_cert) : g_strdup ("?");

        g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_HOSTNAME,
                     _("The certificate was issued for %s, not for %s: check the server "
                       "name (use the name the provider documents)"), names, self->host);
      }
      return;

    case X509_V_ERR_CERT_HAS_EXPIRED:
      {
        g_autofree char *when = format_asn1_time (self->peer_cert ? X509_get0_notAfter (self->peer_cert) : NULL);

        g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_EXPIRED,
                     _("The certificate of %s expired on %s: its administrator must renew it "
                       "(also check that this computer’s clock is right)"), self->host, when);
      }
      return;

    case X509_V_ERR_CERT_NOT_YET_VALID:
      {
        g_autofree char *when = format_asn1_time (self->peer_cert ? X509_get0_notBefore (self->peer_cert) : NULL);

        g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_EXPIRED,
                     _("The certificate of %s is only valid from %s: check that this "
                       "computer’s clock is right"), self->host, when);
      }
      return;

    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_UNTRUSTED,
                   _("The certificate of %s is self-signed, so nothing vouches for it. If this "
                     "is your own server, give its CA file or pin its SHA-256 fingerprint %s "
                     "after checking it with the administrator"), self->host, pretty);
      return;

    default:
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CERT_UNTRUSTED,
                   _("The certificate of %s is not trusted (%s). If this is your own server, "
                     "give its CA file or pin its SHA-256 fingerprint %s after checking it "
                     "with the administrator"),
                   self->host, X509_verify_cert_error_string (result), pretty);
      return;
    }
}

static void
set_ssl_error (MsConnection  *self,
               gboolean       handshake,
               GError       **error)
{
  unsigned long code = ERR_peek_last_error ();
  int reason = ERR_GET_REASON (code);
  char text[256] = "";

  if (code != 0)
    ERR_error_string_n (code, text, sizeof text);
  ERR_clear_error ();

  if (handshake && self->ssl != NULL && SSL_get_verify_result (self->ssl) != X509_V_OK)
    {
      set_verify_error (self, SSL_get_verify_result (self->ssl), error);
      return;
    }

  if (handshake && (reason == SSL_R_WRONG_VERSION_NUMBER || reason == SSL_R_PACKET_LENGTH_TOO_LONG
                    || reason == SSL_R_HTTP_REQUEST))
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                 _("%s did not answer with TLS on port %u: on this port the server probably "
                   "expects STARTTLS or no encryption (port 465 is for TLS, 587 for STARTTLS)"),
                 self->host, self->port);
  else if (handshake && (reason == SSL_R_UNSUPPORTED_PROTOCOL || reason == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION
                         || reason == SSL_R_NO_PROTOCOLS_AVAILABLE))
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                 _("%s only offers TLS versions older than 1.2, which are not safe; its "
                   "administrator must update it"), self->host);
  else if (handshake)
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                 _("TLS negotiation with %s failed: %s"), self->host, text[0] ? text : "?");
  else
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
                 _("TLS error on the connection to %s: %s"), self->host, text[0] ? text : "?");
}

static void
set_closed_error (MsConnection  *self,
                  int            err,
                  GError       **error)
{
  if (err == 0 || err == EPIPE)
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
                 _("%s closed the connection"), self->host);
  else
    g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CLOSED,
                 _("The connection to %s was lost: %s"), self->host, g_strerror (err));
}

/* Turns a failed SSL call into a wait, or an error. */
static gboolean
ssl_retry (MsConnection  *self,
           int            ret,
           gboolean       handshake,
           GCancellable  *cancellable,
           GError       **error)
{
  int saved_errno = errno;
  int code = SSL_get_error (self->ssl, ret);

  if (code == SSL_ERROR_WANT_READ)
    return wait_fd (self, self->fd, G_IO_IN, self->timeout_ms, cancellable, error);
  if (code == SSL_ERROR_WANT_WRITE)
    return wait_fd (self, self->fd, G_IO_OUT, self->timeout_ms, cancellable, error);
  if (code == SSL_ERROR_ZERO_RETURN || (code == SSL_ERROR_SYSCALL && ERR_peek_error () == 0))
    {
      ERR_clear_error ();
      if (handshake)
        {
          if (SSL_get_verify_result (self->ssl) != X509_V_OK)
            set_verify_error (self, SSL_get_verify_result (self->ssl), error);
          else
            g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_TLS_HANDSHAKE,
                         _("%s closed the connection during TLS negotiation"), self->host);
        }
      else
        set_closed_error (self, self->eof ? 0 : saved_errno, error);
      return FALSE;
    }
  set_ssl_error (self, handshake, error);
  return FALSE;
}

static SSL_CTX *
create_context (MsConnection  *self,
                GError       **error)
{
  SSL_CTX *ctx = SSL_CTX_new (TLS_client_method ());

  if (ctx == NULL)
    {
      set_ssl_error (self, TRUE, error);
      return NULL;
    }
  SSL_CTX_set_min_proto_version (ctx, TLS1_2_VERSION);
  SSL_CTX_set_options (ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION
                            | SSL_OP_NO_COMPRESSION);
  SSL_CTX_set_mode (ctx, SSL_MODE_AUTO_RETRY);

  if (self->pinned != NULL)
    {
      SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, NULL);
      SSL_CTX_set_cert_verify_callback (ctx, pin_verify_callback, self);
      return ctx;
    }

  SSL_CTX_set_verify (ctx, SSL_VERIFY_PEER, verify_callback);
  if (SSL_CTX_set_default_verify_paths (ctx) != 1)
    g_warning ("Could not load the system's trusted certificates");
  ERR_clear_error ();
  if (self->ca_file != NULL && SSL_CTX_load_verify_locations (ctx, self->ca_file, NULL) != 1)
    {
      ERR_clear_error ();
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_CONFIG,
                   _("The CA file “%s” could not be read: it must be a PEM file of one or more "
                     "certificates"), self->ca_file);
      SSL_CTX_free (ctx);
      return NULL;
    }
  return ctx;
}

gboolean
ms_connection_start_tls (MsConnection  *self,
                         GCancellable  *cancellable,
                         GError       **error)
{
  BIO *bio;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (self->ssl == NULL, FALSE);

  if (self->fd < 0)
    {
      set_closed_error (self, 0, error);
      return FALSE;
    }
  if (ms_connection_has_pending_input (self))
    {
      g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_PROTOCOL,
                   _("%s sent data before TLS was negotiated; the connection was closed because "
                     "someone may be tampering with it"), self->host);
      return FALSE;
    }

  init_openssl ();
  ERR_clear_error ();
  g_clear_pointer (&self->peer_cert, X509_free);
  g_clear_pointer (&self->peer_sha256, g_free);

  self->ctx = create_context (self, error);
  if (self->ctx == NULL)
    return FALSE;
  self->ssl = SSL_new (self->ctx);
  if (self->ssl == NULL)
    {
      set_ssl_error (self, TRUE, error);
      return FALSE;
    }
  SSL_set_ex_data (self->ssl, connection_ex_index, self);

  if (self->pinned == NULL)
    {
      SSL_set_hostflags (self->ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      if (self->host_is_ip)
        X509_VERIFY_PARAM_set1_ip_asc (SSL_get0_param (self->ssl), self->host);
      else
        SSL_set1_host (self->ssl, self->ascii_host);
    }
  if (!self->host_is_ip)
    SSL_set_tlsext_host_name (self->ssl, self->ascii_host);

  bio = BIO_new (socket_method);
  BIO_set_data (bio, self);
  SSL_set_bio (self->ssl, bio, bio);

  for (;;)
    {
      int ret;

      ERR_clear_error ();
      ret = SSL_connect (self->ssl);
      if (ret == 1)
        break;
      if (!ssl_retry (self, ret, TRUE, cancellable, error))
        {
          g_clear_pointer (&self->ssl, SSL_free);
          g_clear_pointer (&self->ctx, SSL_CTX_free);
          return FALSE;
        }
    }

  g_debug ("TLS with %s: %s, %s", self->host, SSL_get_version (self->ssl),
           SSL_get_cipher_name (self->ssl));
  return TRUE;
}

/* Reading and writing */

gboolean
ms_connection_has_pending_input (MsConnection *self)
{
  char byte;
  ssize_t n;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);

  if (self->input_end > self->input_start)
    return TRUE;
  if (self->ssl != NULL)
    return SSL_pending (self->ssl) > 0;
  if (self->fd < 0)
    return FALSE;
  do
    n = recv (self->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  while (n < 0 && errno == EINTR);
  return n > 0;
}

static gboolean
fill_input (MsConnection  *self,
            GCancellable  *cancellable,
            GError       **error)
{
  guint8 *dest;
  gsize room;

  if (self->input_start > 0)
    {
      memmove (self->input, self->input + self->input_start, self->input_end - self->input_start);
      self->input_end -= self->input_start;
      self->input_start = 0;
    }
  dest = self->input + self->input_end;
  room = self->input_size - self->input_end;
  g_assert (room > 0);

  for (;;)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (self->ssl != NULL)
        {
          size_t n = 0;
          int ret;

          ERR_clear_error ();
          ret = SSL_read_ex (self->ssl, dest, room, &n);
          if (ret == 1)
            {
              self->input_end += n;
              return TRUE;
            }
          if (!ssl_retry (self, ret, FALSE, cancellable, error))
            return FALSE;
        }
      else
        {
          ssize_t n;

          /* Just after a request the answer cannot be there yet: wait first
           * rather than spend a recv() on EAGAIN. */
          if (self->awaiting_reply)
            {
              self->awaiting_reply = FALSE;
              if (!wait_fd (self, self->fd, G_IO_IN, self->timeout_ms, cancellable, error))
                return FALSE;
            }
          n = recv (self->fd, dest, room, 0);
          if (n > 0)
            {
              self->input_end += (gsize) n;
              return TRUE;
            }
          if (n == 0)
            {
              self->eof = TRUE;
              set_closed_error (self, 0, error);
              return FALSE;
            }
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              set_closed_error (self, errno, error);
              return FALSE;
            }
          if (!wait_fd (self, self->fd, G_IO_IN, self->timeout_ms, cancellable, error))
            return FALSE;
        }
    }
}

char *
ms_connection_read_line (MsConnection  *self,
                         gsize          max_length,
                         gsize         *length,
                         GCancellable  *cancellable,
                         GError       **error)
{
  gsize scanned = 0;

  g_return_val_if_fail (MS_IS_CONNECTION (self), NULL);
  g_return_val_if_fail (max_length > 0, NULL);

  if (self->fd < 0)
    {
      set_closed_error (self, 0, error);
      return NULL;
    }
  if (self->input_size < max_length + 2 || self->input == NULL)
    {
      gsize size = MAX (INPUT_CHUNK, max_length + 2);

      if (size > self->input_size)
        {
          self->input = g_realloc (self->input, size);
          self->input_size = size;
        }
    }

  for (;;)
    {
      const guint8 *start = self->input + self->input_start;
      gsize available = self->input_end - self->input_start;
      const guint8 *nl = memchr (start + scanned, '\n', available - scanned);

      if (nl != NULL)
        {
          gsize line_len = nl - start;
          char *line;

          if (line_len > 0 && start[line_len - 1] == '\r')
            line_len--;
          if (line_len > max_length)
            break;
          line = g_malloc (line_len + 1);
          memcpy (line, start, line_len);
          line[line_len] = '\0';
          self->input_start += (nl - start) + 1;
          if (self->input_start == self->input_end)
            self->input_start = self->input_end = 0;
          if (length != NULL)
            *length = line_len;
          return line;
        }
      scanned = available;
      if (available > max_length + 1)
        break;
      if (!fill_input (self, cancellable, error))
        return NULL;
    }

  g_set_error (error, MS_NET_ERROR, MS_NET_ERROR_PROTOCOL,
               _("%s sent a line longer than %zu bytes"), self->host, max_length);
  return NULL;
}

gboolean
ms_connection_read_exact (MsConnection  *self,
                          void          *buffer,
                          gsize          length,
                          GCancellable  *cancellable,
                          GError       **error)
{
  guint8 *dest = buffer;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (buffer != NULL || length == 0, FALSE);

  if (self->fd < 0)
    {
      set_closed_error (self, 0, error);
      return FALSE;
    }
  if (self->input == NULL)
    {
      self->input = g_malloc (INPUT_CHUNK);
      self->input_size = INPUT_CHUNK;
    }

  while (length > 0)
    {
      gsize available = self->input_end - self->input_start;
      gsize n;

      if (available == 0)
        {
          self->input_start = self->input_end = 0;
          if (!fill_input (self, cancellable, error))
            return FALSE;
          continue;
        }
      n = MIN (available, length);
      memcpy (dest, self->input + self->input_start, n);
      self->input_start += n;
      dest += n;
      length -= n;
    }
  if (self->input_start == self->input_end)
    self->input_start = self->input_end = 0;
  return TRUE;
}

gboolean
ms_connection_write_all (MsConnection  *self,
                         const void    *data,
                         gsize          length,
                         GCancellable  *cancellable,
                         GError       **error)
{
  const guint8 *p = data;

  g_return_val_if_fail (MS_IS_CONNECTION (self), FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  if (self->fd < 0)
    {
      set_closed_error (self, 0, error);
      return FALSE;
    }

  while (length > 0)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;

      if (self->ssl != NULL)
        {
          size_t n = 0;
          int ret;

          ERR_clear_error ();
          ret = SSL_write_ex (self->ssl, p, length, &n);
          if (ret == 1)
            {
              p += n;
              length -= n;
              continue;
            }
          if (!ssl_retry (self, ret, FALSE, cancellable, error))
            return FALSE;
        }
      else
        {
          ssize_t n = send (self->fd, p, length, MSG_NOSIGNAL);

          if (n >= 0)
            {
              p += n;
              length -= (gsize) n;
              self->awaiting_reply = TRUE;
              continue;
            }
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN && errno != EWOULDBLOCK)
            {
              set_closed_error (self, errno, error);
              return FALSE;
            }
          if (!wait_fd (self, self->fd, G_IO_OUT, self->timeout_ms, cancellable, error))
            return FALSE;
        }
    }
  return TRUE;
}

/* Endpoints */

void
ms_endpoint_init (MsEndpoint *endpoint,
                  const char *host,
                  guint16     port,
                  MsSecurity  security)
{
  g_return_if_fail (endpoint != NULL);
  g_return_if_fail (host != NULL);

  endpoint->host = g_strdup (host);
  endpoint->port = port;
  endpoint->security = security;
  endpoint->ca_file = NULL;
  endpoint->pinned = NULL;
}

void
ms_endpoint_clear (MsEndpoint *endpoint)
{
  g_clear_pointer (&endpoint->host, g_free);
  g_clear_pointer (&endpoint->ca_file, g_free);
  g_clear_pointer (&endpoint->pinned, g_free);
}

void
ms_endpoint_set_ca_file (MsEndpoint *endpoint,
                         const char *path)
{
  g_free (endpoint->ca_file);
  endpoint->ca_file = g_strdup (path);
}

gboolean
ms_endpoint_set_pinned_sha256 (MsEndpoint  *endpoint,
                               const char  *fingerprint,
                               GError     **error)
{
  char *normalized = NULL;

  if (fingerprint != NULL && *fingerprint != '\0')
    {
      normalized = ms_fingerprint_normalize (fingerprint, error);
      if (normalized == NULL)
        return FALSE;
    }
  g_free (endpoint->pinned);
  endpoint->pinned = normalized;
  return TRUE;
}

MsConnection *
ms_endpoint_new_connection (const MsEndpoint  *endpoint,
                            guint              connect_timeout_ms,
                            GError           **error)
{
  g_autoptr(MsConnection) conn = ms_connection_new (endpoint->host, endpoint->port);

  ms_connection_set_connect_timeout (conn, connect_timeout_ms);
  ms_connection_set_ca_file (conn, endpoint->ca_file);
  if (!ms_connection_set_pinned_sha256 (conn, endpoint->pinned, error))
    return NULL;
  return g_steal_pointer (&conn);
}

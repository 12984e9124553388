/* ms-preflight.c
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


#define G_LOG_DOMAIN "ms-preflight"

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <string.h>

#include "ms-preflight.h"

/* File types Gmail refuses, also inside archives
 * (support.google.com/mail/answer/6590). */
static const char * const blocked_extensions[] = {
  "ade", "adp", "apk", "appx", "appxbundle", "bat", "cab", "chm", "cmd", "com", "cpl",
  "diagcab", "diagcfg", "diagpack", "dll", "dmg", "ex", "ex_", "exe", "hta", "img", "ins",
  "iso", "isp", "jar", "jnlp", "js", "jse", "lib", "lnk", "mde", "mjs", "msc", "msi", "msix",
  "msixbundle", "msp", "mst", "nsh", "pif", "ps1", "scr", "sct", "shb", "sys", "vb", "vbe",
  "vbs", "vhd", "vxd", "wsc", "wsf", "wsh", "xll",
};

/* Archives are opened at most this deep, and no more than this much is
 * decompressed in all (a zip bomb stops here, reported as unreadable). */
#define MAX_DEPTH 4
#define MAX_INFLATED (64 * 1024 * 1024)

G_DEFINE_BOXED_TYPE (MsPreflightFinding, ms_preflight_finding,
                     ms_preflight_finding_copy, ms_preflight_finding_free)

MsPreflightFinding *
ms_preflight_finding_copy (const MsPreflightFinding *self)
{
  MsPreflightFinding *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (MsPreflightFinding, 1);
  copy->severity = self->severity;
  copy->code = self->code;
  copy->server = g_strdup (self->server);
  copy->message = g_strdup (self->message);
  return copy;
}

void
ms_preflight_finding_free (MsPreflightFinding *self)
{
  if (self == NULL)
    return;
  g_free (self->server);
  g_free (self->message);
  g_free (self);
}

/* Names */

static const char *
base_name_start (const char *path,
                 gsize       length)
{
  const char *start = path;

  for (gsize i = 0; i < length; i++)
    if (path[i] == '/' || path[i] == '\\')
      start = path + i + 1;
  return start;
}

static gboolean
name_is_blocked (const char *name,
                 gsize       length)
{
  const char *start = base_name_start (name, length);
  const char *end = name + length;
  const char *dot = NULL;

  /* Windows ignores trailing dots and spaces: "setup.exe. " runs setup.exe. */
  while (end > start && (end[-1] == '.' || end[-1] == ' '))
    end--;
  for (const char *p = start; p < end; p++)
    if (*p == '.')
      dot = p;
  if (dot == NULL)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (blocked_extensions); i++)
    {
      gsize ext_len = strlen (blocked_extensions[i]);

      if ((gsize) (end - dot - 1) == ext_len
          && g_ascii_strncasecmp (dot + 1, blocked_extensions[i], ext_len) == 0)
        return TRUE;
    }
  return FALSE;
}

gboolean
ms_preflight_is_blocked_name (const char *filename)
{
  g_return_val_if_fail (filename != NULL, FALSE);

  return name_is_blocked (filename, strlen (filename));
}

static gboolean
has_suffix_ci (const char *name,
               const char *suffix)
{
  gsize n = strlen (name);
  gsize s = strlen (suffix);

  return n >= s && g_ascii_strcasecmp (name + n - s, suffix) == 0;
}

/* Archives */

typedef struct
{
  GPtrArray *blocked;
  gboolean   unreadable;
  gsize      inflated;   /* octets decompressed so far */
} Scan;

static void scan_data (Scan         *scan,
                       const char   *label,
                       const char   *name,
                       const guchar *data,
                       gsize         length,
                       int           depth);

static void
report (Scan       *scan,
        const char *label,
        const char *name,
        gsize       name_length)
{
  g_autofree char *entry = g_utf8_make_valid (name, name_length);

  g_ptr_array_add (scan->blocked, g_strdup_printf ("%s: %s", label, entry));
}

static guint16
le16 (const guchar *p)
{
  return (guint16) (p[0] | (p[1] << 8));
}

static guint32
le32 (const guchar *p)
{
  return (guint32) p[0] | ((guint32) p[1] << 8) | ((guint32) p[2] << 16) | ((guint32) p[3] << 24);
}

static guint64
le64 (const guchar *p)
{
  return (guint64) le32 (p) | ((guint64) le32 (p + 4) << 32);
}

/* Decompresses with a size limit; NULL when it fails or grows too large. */
static GBytes *
inflate (Scan                    *scan,
         GZlibCompressorFormat    format,
         const guchar            *data,
         gsize                    length,
         char                   **out_gzip_name)
{
  g_autoptr(GZlibDecompressor) decompressor = g_zlib_decompressor_new (format);
  g_autoptr(GByteArray) out = g_byte_array_new ();
  gsize in_pos = 0;

  for (;;)
    {
      guchar buffer[16384];
      gsize read = 0;
      gsize written = 0;
      GConverterResult result;
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (G_CONVERTER (decompressor), data + in_pos, length - in_pos,
                                    buffer, sizeof buffer, G_CONVERTER_INPUT_AT_END,
                                    &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        return NULL;
      in_pos += read;
      g_byte_array_append (out, buffer, written);
      scan->inflated += written;
      if (scan->inflated > MAX_INFLATED)
        return NULL;
      if (result == G_CONVERTER_FINISHED)
        break;
      if (read == 0 && written == 0)
        return NULL;
    }
  if (out_gzip_name != NULL)
    {
      GFileInfo *info = g_zlib_decompressor_get_file_info (decompressor);

      *out_gzip_name = info != NULL ? g_strdup (g_file_info_get_name (info)) : NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
scan_zip (Scan         *scan,
          const char   *label,
          const guchar *data,
          gsize         length,
          int           depth)
{
  const guchar *eocd = NULL;
  guint64 entries;
  guint64 cd_offset;
  guint64 cd_size;
  gsize pos;

  /* The end-of-central-directory record: 22 octets plus a comment of up to
   * 65535, searched from the end. */
  if (length < 22)
    {
      scan->unreadable = TRUE;
      return;
    }
  for (gsize i = length - 22 + 1; i > 0 && length - (i - 1) <= 22 + 65535; i--)
    {
      const guchar *p = data + i - 1;

      if (le32 (p) == 0x06054b50)
        {
          eocd = p;
          break;
        }
    }
  if (eocd == NULL)
    {
      scan->unreadable = TRUE;
      return;
    }
  entries = le16 (eocd + 10);
  cd_size = le32 (eocd + 12);
  cd_offset = le32 (eocd + 16);

  /* Zip64: the real values are in the zip64 end record named by the locator. */
  if ((entries == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff)
      && eocd - data >= 20 && le32 (eocd - 20) == 0x07064b50)
    {
      guint64 record = le64 (eocd - 20 + 8);

      if (record > length || length - record < 56 || le32 (data + record) != 0x06064b50)
        {
          scan->unreadable = TRUE;
          return;
        }
      entries = le64 (data + record + 32);
      cd_size = le64 (data + record + 40);
      cd_offset = le64 (data + record + 48);
    }
  if (cd_offset > length || cd_size > length - cd_offset)
    {
      scan->unreadable = TRUE;
      return;
    }

  pos = cd_offset;
  for (guint64 n = 0; n < entries; n++)
    {
      const guchar *entry = data + pos;
      guint16 flags, method, name_len, extra_len, comment_len;
      guint64 compressed, local_offset;
      const char *name;

      if (pos > length || length - pos < 46 || le32 (entry) != 0x02014b50)
        {
          scan->unreadable = TRUE;
          return;
        }
      flags = le16 (entry + 8);
      method = le16 (entry + 10);
      compressed = le32 (entry + 20);
      name_len = le16 (entry + 28);
      extra_len = le16 (entry + 30);
      comment_len = le16 (entry + 32);
      local_offset = le32 (entry + 42);
      if (length - pos - 46 < (gsize) name_len + extra_len + comment_len)
        {
          scan->unreadable = TRUE;
          return;
        }
      name = (const char *) entry + 46;

      /* Zip64 sizes and offsets in the extra field. */
      if (compressed == 0xffffffff || local_offset == 0xffffffff)
        {
          const guchar *extra = entry + 46 + name_len;
          gsize e = 0;

          while (e + 4 <= extra_len)
            {
              guint16 id = le16 (extra + e);
              guint16 size = le16 (extra + e + 2);

              if (e + 4 + size > extra_len)
                break;
              if (id == 0x0001)
                {
                  gsize f = e + 4;

                  if (le32 (entry + 24) == 0xffffffff && f + 8 <= e + 4 + size)
                    f += 8;  /* uncompressed size comes first */
                  if (compressed == 0xffffffff && f + 8 <= e + 4 + size)
                    {
                      compressed = le64 (extra + f);
                      f += 8;
                    }
                  if (local_offset == 0xffffffff && f + 8 <= e + 4 + size)
                    local_offset = le64 (extra + f);
                }
              e += 4 + size;
            }
        }

      if (name_is_blocked (name, name_len))
        report (scan, label, name, name_len);
      else if (depth < MAX_DEPTH && (flags & 1) == 0 && (method == 0 || method == 8))
        {
          g_autofree char *inner = g_strndup (name, name_len);

          if (has_suffix_ci (inner, ".zip") || has_suffix_ci (inner, ".gz")
              || has_suffix_ci (inner, ".tgz") || has_suffix_ci (inner, ".tar"))
            {
              const guchar *local = data + local_offset;
              gsize start;

              if (local_offset > length || length - local_offset < 30
                  || le32 (local) != 0x04034b50)
                scan->unreadable = TRUE;
              else if ((start = local_offset + 30 + le16 (local + 26) + le16 (local + 28)) > length
                       || compressed > length - start)
                scan->unreadable = TRUE;
              else
                {
                  g_autofree char *nested = g_strdup_printf ("%s: %s", label, inner);

                  if (method == 0)
                    scan_data (scan, nested, inner, data + start, compressed, depth + 1);
                  else
                    {
                      g_autoptr(GBytes) inflated = inflate (scan, G_ZLIB_COMPRESSOR_FORMAT_RAW,
                                                            data + start, compressed, NULL);

                      if (inflated == NULL)
                        scan->unreadable = TRUE;
                      else
                        scan_data (scan, nested, inner, g_bytes_get_data (inflated, NULL),
                                   g_bytes_get_size (inflated), depth + 1);
                    }
                }
            }
        }
      else if ((flags & 1) != 0 && has_suffix_ci (name, ".zip"))
        scan->unreadable = TRUE;

      pos += 46 + name_len + extra_len + comment_len;
    }
}

static guint64
tar_number (const guchar *field,
            gsize         size)
{
  guint64 value = 0;
  gsize i = 0;

  while (i < size && (field[i] == ' ' || field[i] == '\0'))
    i++;
  for (; i < size && field[i] >= '0' && field[i] <= '7'; i++)
    value = value * 8 + (field[i] - '0');
  return value;
}

static void
scan_tar (Scan         *scan,
          const char   *label,
          const guchar *data,
          gsize         length,
          int           depth)
{
  gsize pos = 0;
  g_autofree char *long_name = NULL;

  while (pos + 512 <= length)
    {
      const guchar *header = data + pos;
      guint64 size;
      guint64 blocks;
      char type;
      g_autofree char *name = NULL;
      gboolean zero = TRUE;

      for (guint i = 0; i < 512 && zero; i++)
        zero = header[i] == 0;
      if (zero)
        return;

      size = tar_number (header + 124, 12);
      type = (char) header[156];
      blocks = (size + 511) / 512;
      if (size > length - pos - 512)
        {
          scan->unreadable = TRUE;
          return;
        }

      if (type == 'L')
        {
          g_free (long_name);
          long_name = g_strndup ((const char *) header + 512, size);
          pos += 512 + blocks * 512;
          continue;
        }
      if (long_name != NULL)
        name = g_steal_pointer (&long_name);
      else if (memcmp (header + 257, "ustar", 5) == 0 && header[345] != '\0')
        name = g_strdup_printf ("%.155s/%.100s", (const char *) header + 345, (const char *) header);
      else
        name = g_strndup ((const char *) header, 100);

      if (type == '0' || type == '\0' || type == '7')
        {
          if (name_is_blocked (name, strlen (name)))
            report (scan, label, name, strlen (name));
          else if (depth < MAX_DEPTH
                   && (has_suffix_ci (name, ".zip") || has_suffix_ci (name, ".gz")
                       || has_suffix_ci (name, ".tgz") || has_suffix_ci (name, ".tar")))
            {
              g_autofree char *nested = g_strdup_printf ("%s: %s", label, name);

              scan_data (scan, nested, name, header + 512, size, depth + 1);
            }
        }
      pos += 512 + blocks * 512;
    }
}

/* Looks into data named name (an archive or not). */
static void
scan_data (Scan         *scan,
           const char   *label,
           const char   *name,
           const guchar *data,
           gsize         length,
           int           depth)
{
  if (length >= 4 && data[0] == 'P' && data[1] == 'K'
      && ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6)))
    scan_zip (scan, label, data, length, depth);
  else if (length >= 2 && data[0] == 0x1f && data[1] == 0x8b)
    {
      g_autofree char *inner = NULL;
      g_autoptr(GBytes) inflated = inflate (scan, G_ZLIB_COMPRESSOR_FORMAT_GZIP, data, length,
                                            &inner);

      /* Without a name in the gzip header: "report.exe.gz" holds "report.exe",
       * "x.tgz" holds "x.tar". */
      if (inner == NULL && has_suffix_ci (name, ".gz"))
        inner = g_strndup (name, strlen (name) - 3);
      else if (inner == NULL && has_suffix_ci (name, ".tgz"))
        inner = g_strdup_printf ("%.*s.tar", (int) (strlen (name) - 4), name);
      else if (inner == NULL)
        inner = g_strdup (name);

      if (name_is_blocked (inner, strlen (inner)))
        {
          report (scan, label, inner, strlen (inner));
          return;
        }
      if (inflated == NULL)
        {
          scan->unreadable = TRUE;
          return;
        }
      if (depth < MAX_DEPTH)
        scan_data (scan, label, inner, g_bytes_get_data (inflated, NULL),
                   g_bytes_get_size (inflated), depth + 1);
    }
  else if (length >= 512 && memcmp (data + 257, "ustar", 5) == 0)
    scan_tar (scan, label, data, length, depth);
  else if (has_suffix_ci (name, ".zip"))
    scan->unreadable = TRUE;
}

GStrv
ms_preflight_blocked_names (const char *filename,
                            GBytes     *data,
                            gboolean   *out_unreadable)
{
  Scan scan = { g_ptr_array_new_with_free_func (g_free), FALSE, 0 };
  gsize length = 0;
  const guchar *bytes;

  g_return_val_if_fail (filename != NULL, NULL);

  if (name_is_blocked (filename, strlen (filename)))
    g_ptr_array_add (scan.blocked, g_strdup (filename));
  else if (data != NULL)
    {
      bytes = g_bytes_get_data (data, &length);
      scan_data (&scan, filename, filename, bytes, length, 0);
    }

  if (out_unreadable != NULL)
    *out_unreadable = scan.unreadable;
  if (scan.blocked->len == 0)
    {
      g_ptr_array_unref (scan.blocked);
      return NULL;
    }
  g_ptr_array_add (scan.blocked, NULL);
  return (GStrv) g_ptr_array_free (scan.blocked, FALSE);
}

/* The checks */

static void
add_finding (GPtrArray           *findings,
             MsPreflightSeverity  severity,
             MsPreflightCode      code,
             const char          *server,
             char                *message)  /* owned */
{
  MsPreflightFinding *finding = g_new0 (MsPreflightFinding, 1);

  finding->severity = severity;
  finding->code = code;
  finding->server = g_strdup (server);
  finding->message = message;
  g_ptr_array_add (findings, finding);
}

static void
check_attachments (MsTemplate *tmpl,
                   GPtrArray  *findings)
{
  GPtrArray *attachments = ms_template_get_attachments (tmpl);

  for (guint i = 0; i < attachments->len; i++)
    {
      MsAttachment *attachment = g_ptr_array_index (attachments, i);
      g_auto(GStrv) blocked = NULL;
      gboolean unreadable = FALSE;

      blocked = ms_preflight_blocked_names (attachment->filename, attachment->data, &unreadable);
      if (blocked != NULL && g_strcmp0 (blocked[0], attachment->filename) == 0)
        add_finding (findings, MS_PREFLIGHT_ERROR, MS_PREFLIGHT_BLOCKED_ATTACHMENT, NULL,
                     g_strdup_printf (_("Gmail and many other providers refuse attachments like "
                                        "“%s” (programs and scripts), so the message would "
                                        "bounce. Remove it and share the file as a link."),
                                      attachment->filename));
      else if (blocked != NULL)
        {
          g_autofree char *list = g_strjoinv (", ", blocked);

          add_finding (findings, MS_PREFLIGHT_ERROR, MS_PREFLIGHT_BLOCKED_ATTACHMENT, NULL,
                       g_strdup_printf (_("The archive “%s” contains files that Gmail and many "
                                          "other providers refuse, even inside archives (%s), "
                                          "so the message would bounce. Remove them from the "
                                          "archive or share it as a link."),
                                        attachment->filename, list));
        }
      if (unreadable)
        add_finding (findings, MS_PREFLIGHT_WARNING, MS_PREFLIGHT_UNREADABLE_ARCHIVE, NULL,
                     g_strdup_printf (_("Mailshot could not look inside the archive “%s” (it is "
                                        "damaged, encrypted or very large). Providers refuse "
                                        "archives they cannot check or that hold programs."),
                                      attachment->filename));
    }
}

static void
check_size (gsize                    sample_size,
            const MsPreflightServer *servers,
            guint                    n_servers,
            GPtrArray               *findings)
{
  g_autofree char *size = g_format_size (sample_size);

  for (guint i = 0; i < n_servers; i++)
    {
      const MsPreflightServer *server = &servers[i];
      g_autofree char *limit = NULL;

      if (server->max_message_size == 0)
        continue;
      limit = g_format_size (server->max_message_size);
      if (sample_size > server->max_message_size)
        add_finding (findings, MS_PREFLIGHT_ERROR, MS_PREFLIGHT_MESSAGE_TOO_LARGE, server->name,
                     g_strdup_printf (_("The message is %s, but “%s” accepts at most %s. Make "
                                        "the attachments smaller or share them as links."),
                                      size, server->name, limit));
      else if (sample_size > server->max_message_size / 10 * 9)
        add_finding (findings, MS_PREFLIGHT_WARNING, MS_PREFLIGHT_MESSAGE_NEAR_LIMIT, server->name,
                     g_strdup_printf (_("The message is %s, close to the %s that “%s” accepts: "
                                        "a contact with longer merge values could cross it."),
                                      size, limit, server->name));
    }
  if (sample_size > 10 * 1000 * 1000)
    add_finding (findings, MS_PREFLIGHT_WARNING, MS_PREFLIGHT_MESSAGE_LARGE, NULL,
                 g_strdup_printf (_("The message is %s. Many receiving servers refuse messages "
                                    "over 10 MB; share large files as links."), size));
}

static void
check_senders (MsTemplate              *tmpl,
               const MsPreflightServer *servers,
               guint                    n_servers,
               GPtrArray               *findings)
{
  const char *address = ms_template_get_sender_address (tmpl);

  if (address != NULL && address[0] == '\0')
    address = NULL;
  for (guint i = 0; i < n_servers; i++)
    {
      const MsPreflightServer *server = &servers[i];
      const char *own = server->from_address != NULL && server->from_address[0] != '\0'
                        ? server->from_address : NULL;

      if (address == NULL && own == NULL)
        add_finding (findings, MS_PREFLIGHT_ERROR, MS_PREFLIGHT_NO_SENDER, server->name,
                     g_strdup_printf (_("Neither the template nor the server “%s” gives a sender "
                                        "address. Set one in the template or the server."),
                                      server->name));
      else if (address != NULL && own != NULL && !server->allow_sender_substitution
               && g_ascii_strcasecmp (address, own) != 0)
        add_finding (findings, MS_PREFLIGHT_WARNING, MS_PREFLIGHT_SENDER_REPLACED, server->name,
                     g_strdup_printf (_("“%s” may only send as %s, so the server’s own address "
                                        "will be used in From instead of %s; replies will still "
                                        "go to %s."),
                                      server->name, own, address,
                                      ms_template_get_reply_to (tmpl) != NULL
                                      && ms_template_get_reply_to (tmpl)[0] != '\0'
                                      ? ms_template_get_reply_to (tmpl) : address));
    }
}

GPtrArray *
ms_preflight_check (MsTemplate              *tmpl,
                    gsize                    sample_size,
                    const MsPreflightServer *servers,
                    guint                    n_servers)
{
  GPtrArray *findings;

  g_return_val_if_fail (MS_IS_TEMPLATE (tmpl), NULL);
  g_return_val_if_fail (servers != NULL || n_servers == 0, NULL);

  findings = g_ptr_array_new_with_free_func ((GDestroyNotify) ms_preflight_finding_free);
  check_attachments (tmpl, findings);
  if (sample_size > 0)
    check_size (sample_size, servers, n_servers, findings);
  check_senders (tmpl, servers, n_servers, findings);
  /* Errors first, then warnings, then notes, each in the order found. */
  {
    g_autoptr(GPtrArray) ordered = g_ptr_array_new ();

    for (int severity = MS_PREFLIGHT_ERROR; severity >= MS_PREFLIGHT_INFO; severity--)
      for (guint i = 0; i < findings->len; i++)
        if (((MsPreflightFinding *) g_ptr_array_index (findings, i))->severity == (MsPreflightSeverity) severity)
          g_ptr_array_add (ordered, g_ptr_array_index (findings, i));
    for (guint i = 0; i < ordered->len; i++)
      findings->pdata[i] = ordered->pdata[i];
  }
  return findings;
}

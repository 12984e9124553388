/* test-preflight.c
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


#define G_LOG_DOMAIN "test-preflight"

#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <string.h>

#include "ms-preflight.h"

/* Archives are built here byte by byte (zip with stored and deflated
 * entries, zip64 records, gzip, ustar), so the reader meets exactly the
 * structures the formats define. */

static void
put16 (GByteArray *out,
       guint16     value)
{
  guint8 b[2] = { value & 0xff, value >> 8 };

  g_byte_array_append (out, b, 2);
}

static void
put32 (GByteArray *out,
       guint32     value)
{
  guint8 b[4] = { value & 0xff, (value >> 8) & 0xff, (value >> 16) & 0xff, value >> 24 };

  g_byte_array_append (out, b, 4);
}

static void
put64 (GByteArray *out,
       guint64     value)
{
  put32 (out, value & 0xffffffff);
  put32 (out, value >> 32);
}

static GBytes *
compress (GZlibCompressorFormat  format,
          const char            *gzip_name,
          GBytes                *data)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (format, 6);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = NULL;
  g_autoptr(GError) error = NULL;

  if (gzip_name != NULL)
    {
      g_autoptr(GFileInfo) info = g_file_info_new ();

      g_file_info_set_name (info, gzip_name);
      g_zlib_compressor_set_file_info (compressor, info);
    }
  out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_assert_true (g_output_stream_write_all (out, g_bytes_get_data (data, NULL),
                                            g_bytes_get_size (data), NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
}

typedef struct
{
  const char *name;
  GBytes     *data;
  gboolean    deflate;
  gboolean    encrypted;
} ZipEntry;

/* A zip archive; zip64 writes the sizes and offsets only in zip64 records. */
static GBytes *
make_zip (const ZipEntry *entries,
          guint           n_entries,
          gboolean        zip64)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autoptr(GByteArray) central = g_byte_array_new ();
  guint64 cd_offset;

  for (guint i = 0; i < n_entries; i++)
    {
      g_autoptr(GBytes) stored = entries[i].deflate
                                 ? compress (G_ZLIB_COMPRESSOR_FORMAT_RAW, NULL, entries[i].data)
                                 : g_bytes_ref (entries[i].data);
      guint32 offset = out->len;
      guint16 name_len = strlen (entries[i].name);
      guint16 flags = entries[i].encrypted ? 1 : 0;
      guint16 method = entries[i].deflate ? 8 : 0;

      put32 (out, 0x04034b50);
      put16 (out, 20);
      put16 (out, flags);
      put16 (out, method);
      put32 (out, 0);
      put32 (out, 0);  /* crc: not checked */
      put32 (out, g_bytes_get_size (stored));
      put32 (out, g_bytes_get_size (entries[i].data));
      put16 (out, name_len);
      put16 (out, 0);
      g_byte_array_append (out, (const guint8 *) entries[i].name, name_len);
      g_byte_array_append (out, g_bytes_get_data (stored, NULL), g_bytes_get_size (stored));

      put32 (central, 0x02014b50);
      put16 (central, 45);
      put16 (central, 45);
      put16 (central, flags);
      put16 (central, method);
      put32 (central, 0);
      put32 (central, 0);
      put32 (central, zip64 ? 0xffffffff : g_bytes_get_size (stored));
      put32 (central, zip64 ? 0xffffffff : g_bytes_get_size (entries[i].data));
      put16 (central, name_len);
      put16 (central, zip64 ? 28 : 0);
      put16 (central, 0);
      put16 (central, 0);
      put16 (central, 0);
      put32 (central, 0);
      put32 (central, zip64 ? 0xffffffff : offset);
      g_byte_array_append (central, (const guint8 *) entries[i].name, name_len);
      if (zip64)
        {
          put16 (central, 0x0001);
          put16 (central, 24);
          put64 (central, g_bytes_get_size (entries[i].data));
          put64 (central, g_bytes_get_size (stored));
          put64 (central, offset);
        }
    }
  cd_offset = out->len;
  g_byte_array_append (out, central->data, central->len);
  if (zip64)
    {
      guint64 record = out->len;

      put32 (out, 0x06064b50);
      put64 (out, 44);
      put16 (out, 45);
      put16 (out, 45);
      put32 (out, 0);
      put32 (out, 0);
      put64 (out, n_entries);
      put64 (out, n_entries);
      put64 (out, central->len);
      put64 (out, cd_offset);
      put32 (out, 0x07064b50);
      put32 (out, 0);
      put64 (out, record);
      put32 (out, 1);
    }
  put32 (out, 0x06054b50);
  put16 (out, 0);
  put16 (out, 0);
  put16 (out, zip64 ? 0xffff : n_entries);
  put16 (out, zip64 ? 0xffff : n_entries);
  put32 (out, zip64 ? 0xffffffff : central->len);
  put32 (out, zip64 ? 0xffffffff : cd_offset);
  put16 (out, 7);
  g_byte_array_append (out, (const guint8 *) "comment", 7);
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
make_tar (const char * const *names)
{
  g_autoptr(GByteArray) out = g_byte_array_new ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      guint8 header[512] = { 0 };
      guint8 content[512] = { 0 };
      guint sum = 0;
      const char *name = names[i];

      if (strlen (name) >= 100)
        {
          /* GNU long name: a 'L' entry holding the name. */
          guint8 long_header[512] = { 0 };
          guint8 block[512] = { 0 };
          gsize len = strlen (name) + 1;

          memcpy (long_header, "././@LongLink", 13);
          g_snprintf ((char *) long_header + 124, 12, "%011o", (unsigned) len);
          long_header[156] = 'L';
          memcpy (long_header + 257, "ustar  ", 8);
          memset (long_header + 148, ' ', 8);
          for (guint j = 0; j < 512; j++)
            sum += long_header[j];
          g_snprintf ((char *) long_header + 148, 8, "%06o", sum);
          g_byte_array_append (out, long_header, 512);
          g_assert_cmpuint (len, <=, 512);
          memcpy (block, name, len);
          g_byte_array_append (out, block, 512);
          sum = 0;
          name = "truncated";
        }
      memcpy (header, name, strlen (name));
      g_snprintf ((char *) header + 100, 8, "0000644");
      g_snprintf ((char *) header + 124, 12, "%011o", 5);
      header[156] = '0';
      memcpy (header + 257, "ustar", 6);
      memcpy (header + 263, "00", 2);
      memset (header + 148, ' ', 8);
      for (guint j = 0; j < 512; j++)
        sum += header[j];
      g_snprintf ((char *) header + 148, 8, "%06o", sum);
      g_byte_array_append (out, header, 512);
      memcpy (content, "hello", 5);
      g_byte_array_append (out, content, 512);
    }
  {
    guint8 zero[1024] = { 0 };

    g_byte_array_append (out, zero, sizeof zero);
  }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static GBytes *
text (const char *s)
{
  return g_bytes_new (s, strlen (s));
}

static void
test_names (void)
{
  struct { const char *name; gboolean blocked; } cases[] = {
    { "setup.exe", TRUE }, { "SETUP.EXE", TRUE }, { "run.Bat", TRUE }, { "x.js", TRUE },
    { "x.jse", TRUE }, { "x.mjs", TRUE }, { "x.ps1", TRUE }, { "x.msi", TRUE },
    { "x.appxbundle", TRUE }, { "x.xll", TRUE }, { "dir/evil.vbs", TRUE },
    { "dir\\evil.scr", TRUE }, { "trailing.exe.", TRUE }, { "trailing.exe . ", TRUE },
    { "report.pdf", FALSE }, { "photo.jpg", FALSE }, { "exe", FALSE }, { "x.exe.pdf", FALSE },
    { "archive.zip", FALSE }, { "x.json", FALSE }, { "x.docx", FALSE }, { ".bashrc", FALSE },
    { "", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("name %s", cases[i].name);
      g_assert_cmpint (ms_preflight_is_blocked_name (cases[i].name), ==, cases[i].blocked);
    }
}

static void
check_blocked (const char  *filename,
               GBytes      *data,
               const char **expected,
               gboolean     expect_unreadable)
{
  gboolean unreadable = !expect_unreadable;
  g_auto(GStrv) blocked = ms_preflight_blocked_names (filename, data, &unreadable);

  if (expected == NULL)
    g_assert_null (blocked);
  else
    g_assert_cmpstrv (blocked, expected);
  g_assert_cmpint (unreadable, ==, expect_unreadable);
}

static void
test_zip (void)
{
  g_autoptr(GBytes) hello = text ("hello world hello world hello world");
  g_autoptr(GBytes) clean = NULL;
  g_autoptr(GBytes) dirty = NULL;
  g_autoptr(GBytes) zip64 = NULL;
  g_autoptr(GBytes) outer = NULL;
  g_autoptr(GBytes) gz = NULL;
  g_autoptr(GBytes) with_gz = NULL;
  ZipEntry clean_entries[] = {
    { "docs/report.pdf", hello, TRUE, FALSE }, { "readme.txt", hello, FALSE, FALSE },
  };
  ZipEntry dirty_entries[] = {
    { "docs/report.pdf", hello, TRUE, FALSE }, { "bin/Setup.EXE", hello, TRUE, FALSE },
    { "scripts/run.js", hello, FALSE, FALSE },
  };
  const char *dirty_expected[] = { "files.zip: bin/Setup.EXE", "files.zip: scripts/run.js", NULL };
  const char *zip64_expected[] = { "big.zip: bin/Setup.EXE", "big.zip: scripts/run.js", NULL };
  const char *nested_expected[] = { "outer.zip: inner.zip: scripts/run.js",
                                    "outer.zip: inner.zip: bin/Setup.EXE", NULL };
  const char *gz_expected[] = { "pack.zip: tool.gz: tool.exe", NULL };

  clean = make_zip (clean_entries, G_N_ELEMENTS (clean_entries), FALSE);
  check_blocked ("files.zip", clean, NULL, FALSE);

  dirty = make_zip (dirty_entries, G_N_ELEMENTS (dirty_entries), FALSE);
  check_blocked ("files.zip", dirty, dirty_expected, FALSE);
  /* The name decides nothing: the content is a zip. */
  {
    const char *renamed[] = { "files.dat: bin/Setup.EXE", "files.dat: scripts/run.js", NULL };

    check_blocked ("files.dat", dirty, renamed, FALSE);
  }

  zip64 = make_zip (dirty_entries, G_N_ELEMENTS (dirty_entries), TRUE);
  check_blocked ("big.zip", zip64, zip64_expected, FALSE);

  /* A zip inside a zip, deflated and stored. */
  {
    ZipEntry nested[] = {
      { "notes.txt", hello, FALSE, FALSE }, { "inner.zip", NULL, TRUE, FALSE },
    };
    g_autoptr(GBytes) inner = NULL;
    ZipEntry inner_entries[] = {
      { "scripts/run.js", hello, FALSE, FALSE }, { "bin/Setup.EXE", hello, TRUE, FALSE },
    };

    inner = make_zip (inner_entries, G_N_ELEMENTS (inner_entries), FALSE);
    nested[1].data = inner;
    outer = make_zip (nested, G_N_ELEMENTS (nested), FALSE);
    check_blocked ("outer.zip", outer, nested_expected, FALSE);
    nested[1].deflate = FALSE;
    g_clear_pointer (&outer, g_bytes_unref);
    outer = make_zip (nested, G_N_ELEMENTS (nested), FALSE);
    check_blocked ("outer.zip", outer, nested_expected, FALSE);
  }

  /* A gzip file (named in its header) inside a zip. */
  {
    ZipEntry entries[] = { { "tool.gz", NULL, FALSE, FALSE } };

    gz = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, "tool.exe", hello);
    entries[0].data = gz;
    with_gz = make_zip (entries, 1, FALSE);
    check_blocked ("pack.zip", with_gz, gz_expected, FALSE);
  }

  /* An encrypted entry still shows its name in the central directory. */
  {
    ZipEntry entries[] = { { "secret/evil.scr", hello, FALSE, TRUE } };
    g_autoptr(GBytes) encrypted = make_zip (entries, 1, FALSE);
    const char *expected[] = { "locked.zip: secret/evil.scr", NULL };

    check_blocked ("locked.zip", encrypted, expected, FALSE);
  }
}

static void
test_damaged (void)
{
  g_autoptr(GBytes) hello = text ("hello");
  ZipEntry entries[] = { { "a.txt", hello, FALSE, FALSE }, { "b.exe", hello, FALSE, FALSE } };
  g_autoptr(GBytes) zip = make_zip (entries, G_N_ELEMENTS (entries), FALSE);
  gsize size = g_bytes_get_size (zip);
  const guint8 *data = g_bytes_get_data (zip, NULL);

  /* Every truncation and a sweep of corrupted octets: never a crash or an
   * out-of-bounds read (run under ASan), always "unreadable" or a result. */
  for (gsize cut = 0; cut < size; cut++)
    {
      g_autoptr(GBytes) part = g_bytes_new (data, cut);
      gboolean unreadable = FALSE;
      g_auto(GStrv) blocked = ms_preflight_blocked_names ("cut.zip", part, &unreadable);

      g_assert_true (unreadable || blocked != NULL || cut < 4);
    }
  for (gsize at = 0; at < size; at++)
    for (guint value = 0; value < 256; value += 51)
      {
        g_autofree guint8 *copy = g_memdup2 (data, size);
        g_autoptr(GBytes) changed = NULL;
        gboolean unreadable = FALSE;
        g_auto(GStrv) blocked = NULL;

        copy[at] = (guint8) value;
        changed = g_bytes_new (copy, size);
        blocked = ms_preflight_blocked_names ("changed.zip", changed, &unreadable);
      }

  /* A .zip that is not one. */
  {
    g_autoptr(GBytes) junk = text ("this is not a zip archive at all, just text");
    gboolean unreadable = FALSE;
    g_auto(GStrv) blocked = ms_preflight_blocked_names ("fake.zip", junk, &unreadable);

    g_assert_null (blocked);
    g_assert_true (unreadable);
  }
}

static void
test_bomb (void)
{
  /* 200 MB of zeros deflate to about 200 KB: reading stops at the limit. */
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 9);
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GOutputStream) out = g_converter_output_stream_new (memory, G_CONVERTER (compressor));
  g_autofree guint8 *zeros = g_malloc0 (1024 * 1024);
  g_autoptr(GBytes) bomb = NULL;
  g_auto(GStrv) blocked = NULL;
  gboolean unreadable = FALSE;

  for (guint i = 0; i < 200; i++)
    g_assert_true (g_output_stream_write_all (out, zeros, 1024 * 1024, NULL, NULL, NULL));
  g_assert_true (g_output_stream_close (out, NULL, NULL));
  bomb = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (memory));
  blocked = ms_preflight_blocked_names ("zeros.tar.gz", bomb, &unreadable);
  g_assert_null (blocked);
  g_assert_true (unreadable);
}

static void
test_gzip_and_tar (void)
{
  g_autoptr(GBytes) hello = text ("hello");
  g_autoptr(GBytes) unnamed = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, NULL, hello);
  g_autoptr(GBytes) tar = NULL;
  g_autoptr(GBytes) tgz = NULL;
  g_autoptr(GBytes) clean_tar = NULL;
  g_autoptr(GBytes) clean_tgz = NULL;
  const char *tar_names[] = { "project/README", "project/bin/install.cmd",
                              "project/a-very-long-directory-name-that-needs-the-gnu-extension"
                              "-because-it-is-over-one-hundred/tool.vbs", NULL };
  const char *clean_names[] = { "project/README", "project/doc.pdf", NULL };
  const char *tgz_expected[] = { "project.tar.gz: project/bin/install.cmd",
                                 "project.tar.gz: project/a-very-long-directory-name-that-needs-the-gnu-extension"
                                 "-because-it-is-over-one-hundred/tool.vbs", NULL };
  const char *tar_expected[] = { "project.tar: project/bin/install.cmd",
                                 "project.tar: project/a-very-long-directory-name-that-needs-the-gnu-extension"
                                 "-because-it-is-over-one-hundred/tool.vbs", NULL };
  const char *gz_expected[] = { "setup.exe.gz: setup.exe", NULL };

  /* No name in the gzip header: the file name without .gz. */
  check_blocked ("setup.exe.gz", unnamed, gz_expected, FALSE);
  check_blocked ("setup.txt.gz", unnamed, NULL, FALSE);

  tar = make_tar (tar_names);
  check_blocked ("project.tar", tar, tar_expected, FALSE);
  tgz = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, NULL, tar);
  check_blocked ("project.tar.gz", tgz, tgz_expected, FALSE);

  clean_tar = make_tar (clean_names);
  clean_tgz = compress (G_ZLIB_COMPRESSOR_FORMAT_GZIP, "project.tar", clean_tar);
  check_blocked ("project.tgz", clean_tgz, NULL, FALSE);
}

static MsTemplate *
make_template (void)
{
  MsTemplate *tmpl = ms_template_new ("t");
  g_autoptr(GBytes) hello = text ("hello");
  ZipEntry entries[] = { { "run.bat", hello, FALSE, FALSE } };
  g_autoptr(GBytes) zip = make_zip (entries, 1, FALSE);
  g_autoptr(MsAttachment) exe = ms_attachment_new ("setup.exe", NULL, hello);
  g_autoptr(MsAttachment) archive = ms_attachment_new ("tools.zip", NULL, zip);
  g_autoptr(MsAttachment) pdf = ms_attachment_new ("report.pdf", NULL, hello);

  ms_template_set_sender_address (tmpl, "news@example.org");
  ms_template_add_attachment (tmpl, pdf);
  ms_template_add_attachment (tmpl, exe);
  ms_template_add_attachment (tmpl, archive);
  return tmpl;
}

static const MsPreflightFinding *
find (GPtrArray       *findings,
      MsPreflightCode  code,
      const char      *server)
{
  for (guint i = 0; i < findings->len; i++)
    {
      const MsPreflightFinding *finding = g_ptr_array_index (findings, i);

      if (finding->code == code && g_strcmp0 (finding->server, server) == 0)
        return finding;
    }
  return NULL;
}

static void
test_check (void)
{
  g_autoptr(MsTemplate) tmpl = make_template ();
  g_autoptr(GPtrArray) findings = NULL;
  const MsPreflightFinding *finding;
  MsPreflightServer servers[] = {
    { "Gmail", "news@example.org", FALSE, 25 * 1000 * 1000 },
    { "Yandex", "me@yandex.ru", FALSE, 1000 * 1000 },
    { "Relay", "relay@example.org", TRUE, 12 * 1000 * 1000 },
    { "Small", "news@example.org", FALSE, 11 * 1000 * 1000 },
  };

  findings = ms_preflight_check (tmpl, 11 * 1000 * 1000 + 500000, servers, G_N_ELEMENTS (servers));

  /* Errors first. */
  for (guint i = 1; i < findings->len; i++)
    g_assert_cmpint (((MsPreflightFinding *) g_ptr_array_index (findings, i - 1))->severity, >=,
                     ((MsPreflightFinding *) g_ptr_array_index (findings, i))->severity);

  finding = find (findings, MS_PREFLIGHT_BLOCKED_ATTACHMENT, NULL);
  g_assert_nonnull (finding);
  g_assert_cmpint (finding->severity, ==, MS_PREFLIGHT_ERROR);
  g_assert_nonnull (strstr (finding->message, "setup.exe"));
  {
    guint blocked = 0;

    for (guint i = 0; i < findings->len; i++)
      {
        const MsPreflightFinding *f = g_ptr_array_index (findings, i);

        if (f->code == MS_PREFLIGHT_BLOCKED_ATTACHMENT)
          {
            blocked++;
            g_assert_null (strstr (f->message, "report.pdf"));
          }
        if (f->code == MS_PREFLIGHT_BLOCKED_ATTACHMENT && strstr (f->message, "tools.zip") != NULL)
          g_assert_nonnull (strstr (f->message, "tools.zip: run.bat"));
      }
    g_assert_cmpuint (blocked, ==, 2);
  }

  /* Sizes: too large for Yandex and Small, near the limit of Relay, and over 10 MB. */
  finding = find (findings, MS_PREFLIGHT_MESSAGE_TOO_LARGE, "Yandex");
  g_assert_nonnull (finding);
  g_assert_cmpint (finding->severity, ==, MS_PREFLIGHT_ERROR);
  {
    g_autofree char *limit = g_format_size (1000 * 1000);

    g_assert_nonnull (strstr (finding->message, limit));
  }
  g_assert_nonnull (find (findings, MS_PREFLIGHT_MESSAGE_TOO_LARGE, "Small"));
  g_assert_null (find (findings, MS_PREFLIGHT_MESSAGE_TOO_LARGE, "Gmail"));
  g_assert_null (find (findings, MS_PREFLIGHT_MESSAGE_NEAR_LIMIT, "Gmail"));
  finding = find (findings, MS_PREFLIGHT_MESSAGE_NEAR_LIMIT, "Relay");
  g_assert_nonnull (finding);
  g_assert_cmpint (finding->severity, ==, MS_PREFLIGHT_WARNING);
  g_assert_nonnull (find (findings, MS_PREFLIGHT_MESSAGE_LARGE, NULL));

  /* Sender: Yandex must use its own address; Gmail's is the same; the relay may substitute. */
  finding = find (findings, MS_PREFLIGHT_SENDER_REPLACED, "Yandex");
  g_assert_nonnull (finding);
  g_assert_cmpint (finding->severity, ==, MS_PREFLIGHT_WARNING);
  g_assert_nonnull (strstr (finding->message, "me@yandex.ru"));
  g_assert_nonnull (strstr (finding->message, "news@example.org"));
  g_assert_null (find (findings, MS_PREFLIGHT_SENDER_REPLACED, "Gmail"));
  g_assert_null (find (findings, MS_PREFLIGHT_SENDER_REPLACED, "Relay"));

  /* Without a sample size nothing is said about sizes; without any address
   * the sender is an error. */
  g_clear_pointer (&findings, g_ptr_array_unref);
  ms_template_set_sender_address (tmpl, NULL);
  ms_template_clear_attachments (tmpl);
  servers[0].from_address = NULL;
  findings = ms_preflight_check (tmpl, 0, servers, G_N_ELEMENTS (servers));
  g_assert_cmpuint (findings->len, ==, 1);
  finding = g_ptr_array_index (findings, 0);
  g_assert_cmpint (finding->code, ==, MS_PREFLIGHT_NO_SENDER);
  g_assert_cmpstr (finding->server, ==, "Gmail");

  /* A clean template says nothing. */
  g_clear_pointer (&findings, g_ptr_array_unref);
  servers[0].from_address = "news@example.org";
  findings = ms_preflight_check (tmpl, 5000, servers, G_N_ELEMENTS (servers));
  g_assert_cmpuint (findings->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/preflight/names", test_names);
  g_test_add_func ("/core/preflight/zip", test_zip);
  g_test_add_func ("/core/preflight/damaged", test_damaged);
  g_test_add_func ("/core/preflight/bomb", test_bomb);
  g_test_add_func ("/core/preflight/gzip-and-tar", test_gzip_and_tar);
  g_test_add_func ("/core/preflight/check", test_check);

  return g_test_run ();
}

/* test-csv.c
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

#define G_LOG_DOMAIN "test-csv"

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gio/gio.h>

#include "ms-csv-reader.h"
#include "ms-importer.h"
#include "ms-store.h"

/* A stream that hands out at most `step` bytes per read, so that every
 * boundary case (CR | LF, a UTF-16 code unit, a quote pair) gets split. */
#define TEST_TYPE_TRICKLE_STREAM (test_trickle_stream_get_type ())
G_DECLARE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, TEST, TRICKLE_STREAM, GInputStream)

struct _TestTrickleStream
{
  GInputStream  parent_instance;
  GBytes       *bytes;
  gsize         pos;
  gsize         step;
};

G_DEFINE_FINAL_TYPE (TestTrickleStream, test_trickle_stream, G_TYPE_INPUT_STREAM)

static gssize
test_trickle_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (stream);
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (self->bytes, &size);
  gsize n = MIN (MIN (count, self->step), size - self->pos);

  memcpy (buffer, data + self->pos, n);
  self->pos += n;
  return n;
}

static void
test_trickle_stream_finalize (GObject *object)
{
  TestTrickleStream *self = TEST_TRICKLE_STREAM (object);

  g_bytes_unref (self->bytes);
  G_OBJECT_CLASS (test_trickle_stream_parent_class)->finalize (object);
}

static void
test_trickle_stream_class_init (TestTrickleStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_trickle_stream_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = test_trickle_stream_read;
}

static void
test_trickle_stream_init (TestTrickleStream *self)
{
}

static GInputStream *
trickle_stream_new (GBytes *bytes,
                    gsize   step)
{
  TestTrickleStream *self = g_object_new (TEST_TYPE_TRICKLE_STREAM, NULL);

  self->bytes = g_bytes_ref (bytes);
  self->step = step;
  return G_INPUT_STREAM (self);
}

/* Helpers */

static GBytes *
encode (const char *utf8,
        gssize      length,
        const char *encoding,
        gboolean    bom)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GByteArray) out = g_byte_array_new ();
  g_autofree char *converted = NULL;
  gsize n = 0;

  if (length < 0)
    length = strlen (utf8);

  if (encoding == NULL)
    {
      g_byte_array_append (out, (const guint8 *) utf8, length);
      return g_byte_array_free_to_bytes (g_steal_pointer (&out));
    }

  if (bom && g_str_equal (encoding, "UTF-8"))
    g_byte_array_append (out, (const guint8 *) "\xEF\xBB\xBF", 3);
  else if (bom && g_str_equal (encoding, "UTF-16LE"))
    g_byte_array_append (out, (const guint8 *) "\xFF\xFE", 2);
  else if (bom && g_str_equal (encoding, "UTF-16BE"))
    g_byte_array_append (out, (const guint8 *) "\xFE\xFF", 2);
  else
    g_assert_false (bom);

  converted = g_convert (utf8, length, encoding, "UTF-8", NULL, &n, &error);
  g_assert_no_error (error);
  g_byte_array_append (out, (const guint8 *) converted, n);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        remove_tree (child);
      }
  g_remove (path);
}

typedef struct
{
  guint64  line;
  guint64  n_lines;
  gboolean empty;
  int      status;
  GStrv    fields;
} ReadRecord;

static void
read_record_free (gpointer data)
{
  ReadRecord *r = data;

  g_strfreev (r->fields);
  g_free (r);
}

static GPtrArray *
read_all (GInputStream  *stream,
          const char    *encoding,
          gunichar       delimiter,
          char         **out_encoding,
          gunichar      *out_delimiter,
          GError       **error)
{
  g_autoptr(MsCsvReader) reader = NULL;
  g_autoptr(GPtrArray) records = g_ptr_array_new_with_free_func (read_record_free);
  g_autoptr(GError) local_error = NULL;
  const MsCsvRecord *record;

  reader = ms_csv_reader_new (stream, encoding, delimiter, NULL, error);
  if (reader == NULL)
    return NULL;

  while ((record = ms_csv_reader_next (reader, NULL, &local_error)) != NULL)
    {
      ReadRecord *r = g_new0 (ReadRecord, 1);

      r->line = record->line;
      r->n_lines = record->n_lines;
      r->empty = record->empty;
      r->status = record->status;
      r->fields = g_new0 (char *, record->n_fields + 1);
      for (guint i = 0; i < record->n_fields; i++)
        {
          g_assert_cmpuint (strlen (record->fields[i]), ==, record->lengths[i]);
          r->fields[i] = g_strndup (record->fields[i], record->lengths[i]);
        }
      g_ptr_array_add (records, r);
    }
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  if (out_encoding != NULL)
    *out_encoding = g_strdup (ms_csv_reader_get_encoding (reader));
  if (out_delimiter != NULL)
    *out_delimiter = ms_csv_reader_get_delimiter (reader);
  return g_steal_pointer (&records);
}

static void
assert_record (GPtrArray  *records,
               guint       index,
               guint64     line,
               int         status,
               const char *joined)
{
  ReadRecord *r;
  g_autofree char *got = NULL;

  g_assert_cmpuint (index, <, records->len);
  r = g_ptr_array_index (records, index);
  got = g_strjoinv ("|", r->fields);
  g_assert_cmpuint (r->line, ==, line);
  g_assert_cmpint (r->status, ==, status);
  if (joined != NULL)
    g_assert_cmpstr (got, ==, joined);
}

/* Reader */

static const char mixed_lines[] =
  "a,b\r\n"                 /* 1 */
  "c,d\r"                   /* 2 */
  "e,f\n"                   /* 3 */
  "g,\"h\r\ni\"\r\n"        /* 4-5 */
  "\r\n"                    /* 6 */
  "\"j\"\"\",k\"l\"\n"      /* 7: doubled quote, quote inside an unquoted field */
  "\"m\"n,\"\"\r"           /* 8: text after a closing quote, empty quoted field */
  "\"o,\n\rp\",q";          /* 9-11, and no line end at the end of the file */

static void
check_mixed_lines (GPtrArray *records)
{
  g_assert_cmpuint (records->len, ==, 8);
  assert_record (records, 0, 1, MS_CSV_ROW_OK, "a|b");
  assert_record (records, 1, 2, MS_CSV_ROW_OK, "c|d");
  assert_record (records, 2, 3, MS_CSV_ROW_OK, "e|f");
  assert_record (records, 3, 4, MS_CSV_ROW_OK, "g|h\r\ni");
  g_assert_cmpuint (((ReadRecord *) g_ptr_array_index (records, 3))->n_lines, ==, 2);
  assert_record (records, 4, 6, MS_CSV_ROW_OK, "");
  g_assert_true (((ReadRecord *) g_ptr_array_index (records, 4))->empty);
  assert_record (records, 5, 7, MS_CSV_ROW_OK, "j\"|k\"l\"");
  assert_record (records, 6, 8, MS_CSV_ROW_OK, "mn|");
  g_assert_false (((ReadRecord *) g_ptr_array_index (records, 6))->empty);
  assert_record (records, 7, 9, MS_CSV_ROW_OK, "o,\n\rp|q");
  g_assert_cmpuint (((ReadRecord *) g_ptr_array_index (records, 7))->n_lines, ==, 3);
}

static void
test_reader_line_ends (void)
{
  static const gsize steps[] = { 1, 2, 3, 7, 1 << 20 };
  g_autoptr(GBytes) bytes = g_bytes_new_static (mixed_lines, sizeof mixed_lines - 1);

  for (gsize i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(GInputStream) stream = trickle_stream_new (bytes, steps[i]);
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;
      gunichar delimiter = 0;

      g_test_message ("reads of %" G_GSIZE_FORMAT " bytes", steps[i]);
      records = read_all (stream, NULL, 0, NULL, &delimiter, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (delimiter, ==, ',');
      check_mixed_lines (records);
    }
}

static void
test_reader_utf16_split (void)
{
  g_autoptr(GBytes) bytes = encode ("x\tя\r\n\"дв\r\nа\"\tЖ€\r\nпоследняя\tстрока", -1,
                                    "UTF-16LE", TRUE);

  for (gsize step = 1; step <= 9; step += 2)
    {
      g_autoptr(GInputStream) stream = trickle_stream_new (bytes, step);
      g_autoptr(GPtrArray) records = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *encoding = NULL;
      gunichar delimiter = 0;

      records = read_all (stream, NULL, 0, &encoding, &delimiter, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (encoding, ==, "UTF-16LE");
      g_assert_cmpuint (delimiter, ==, '\t');
      g_assert_cmpuint (records->len, ==, 3);
      assert_record (records, 0, 1, MS_CSV_ROW_OK, "x|я");
      assert_record (records, 1, 2, MS_CSV_ROW_OK, "дв\r\nа|Ж€");
      assert_record (records, 2, 4, MS_CSV_ROW_OK, "последняя|строка");
    }
}

static void
test_reader_limits (void)
{
  g_autoptr(GString) text = g_string_new ("email,notes\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;

  /* line 2: a quoted field of 1.5 MiB spanning 100 lines */
  g_string_append (text, "big@example.com,\"");
  for (int i = 0; i < 100; i++)
    {
      for (int j = 0; j < 15 * 1024; j++)
        g_string_append_c (text, 'x');
      g_string_append_c (text, '\n');
    }
  g_string_append (text, "\"\n");
  /* line 103: fine */
  g_string_append (text, "after@example.com,ok\n");
  /* line 104: too many fields */
  g_string_append (text, "many@example.com");
  for (int i = 0; i < MS_CSV_MAX_FIELDS + 10; i++)
    g_string_append_c (text, ',');
  g_string_append_c (text, '\n');
  /* line 105: fine; line 106: a quote never closed */
  g_string_append (text, "last@example.com,ok\nopen@example.com,\"never\nclosed");

  bytes = g_bytes_new (text->str, text->len);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  records = read_all (stream, NULL, 0, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 6);
  assert_record (records, 0, 1, MS_CSV_ROW_OK, "email|notes");
  assert_record (records, 1, 2, MS_CSV_ROW_FIELD_TOO_LARGE, NULL);
  assert_record (records, 2, 103, MS_CSV_ROW_OK, "after@example.com|ok");
  assert_record (records, 3, 104, MS_CSV_ROW_TOO_MANY_FIELDS, NULL);
  assert_record (records, 4, 105, MS_CSV_ROW_OK, "last@example.com|ok");
  assert_record (records, 5, 106, MS_CSV_ROW_UNTERMINATED_QUOTE, NULL);
}

static void
test_reader_large_file (void)
{
  g_autoptr(GString) text = g_string_new ("email;name\r\n");
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GInputStream) stream = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gunichar delimiter = 0;

  /* enough rows to cross several chunk boundaries, with quoted line breaks */
  for (guint i = 0; i < 40000; i++)
    g_string_append_printf (text, "user%u@example.com;\"Name\r\n%u\"\r\n", i, i);

  bytes = g_bytes_new (text->str, text->len);
  stream = g_memory_input_stream_new_from_bytes (bytes);
  records = read_all (stream, NULL, 0, NULL, &delimiter, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (delimiter, ==, ';');
  g_assert_cmpuint (records->len, ==, 40001);
  for (guint i = 0; i < 40000; i++)
    {
      ReadRecord *r = g_ptr_array_index (records, i + 1);
      g_autofree char *expected = g_strdup_printf ("user%u@example.com", i);

      g_assert_cmpuint (r->line, ==, 2 + 2 * i);
      g_assert_cmpstr (r->fields[0], ==, expected);
    }
}

typedef struct
{
  const char *name;
  const char *data;
  gssize      length;
  gboolean    at_end;
  const char *expected;      /* NULL: an error */
  int         error_code;
  gsize       bom;
} EncodingCase;

static const EncodingCase encoding_cases[] = {
  { "ascii", "email\nx@y.org\n", -1, TRUE, "UTF-8", 0, 0 },
  { "utf8", "name\nJürgen\n", -1, TRUE, "UTF-8", 0, 0 },
  { "utf8-bom", "\xEF\xBB\xBF" "a,b\n", -1, TRUE, "UTF-8", 0, 3 },
  { "utf8-cut-sample", "name\nJ\xC3", -1, FALSE, "UTF-8", 0, 0 },
  { "utf8-cut-file", "name\nJ\xC3", -1, TRUE, "WINDOWS-1252", 0, 0 },
  { "utf16le-bom", "\xFF\xFE" "a\0,\0b\0", 8, TRUE, "UTF-16LE", 0, 2 },
  { "utf16be-bom", "\xFE\xFF" "\0a\0,\0b", 8, TRUE, "UTF-16BE", 0, 2 },
  { "utf16le-sniffed", "e\0m\0a\0i\0l\0\t\0n\0\r\0\n\0", 18, TRUE, "UTF-16LE", 0, 0 },
  { "utf16be-sniffed", "\0e\0m\0a\0i\0l\0\t\0n\0\r\0\n", 18, TRUE, "UTF-16BE", 0, 0 },
  { "utf32le-bom", "\xFF\xFE\0\0" "a\0\0\0", 8, TRUE, "UTF-32LE", 0, 4 },
  /* "Müller;Jürgen;Straße" in WINDOWS-1252 */
  { "cp1252", "M\xFCller;J\xFCrgen;Stra\xDF" "e\r\n", -1, TRUE, "WINDOWS-1252", 0, 0 },
  /* "Петров;Иван;Москва" in WINDOWS-1251 */
  { "cp1251", "\xCF\xE5\xF2\xF0\xEE\xE2;\xC8\xE2\xE0\xED;\xCC\xEE\xF1\xEA\xE2\xE0\r\n", -1, TRUE,
    "WINDOWS-1251", 0, 0 },
  /* "и в к" alone, one-letter Russian words */
  { "cp1251-short-words", "\xE8 \xE2 \xEA \xF1\n", -1, TRUE, "WINDOWS-1251", 0, 0 },
  { "empty", "", 0, TRUE, NULL, MS_IMPORT_ERROR_EMPTY, 0 },
  { "nul", "\x89PNG\r\n\x1A\n\0\0\0\rIHDR", 16, TRUE, NULL, MS_IMPORT_ERROR_BINARY, 0 },
  { "controls", "\x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F text \x10\x11", -1, TRUE, NULL,
    MS_IMPORT_ERROR_BINARY, 0 },
};

static void
test_detect_encoding (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (encoding_cases); i++)
    {
      const EncodingCase *c = &encoding_cases[i];
      g_autoptr(GError) error = NULL;
      g_autofree char *encoding = NULL;
      gsize length = c->length >= 0 ? (gsize) c->length : strlen (c->data);
      gsize bom = 99;

      g_test_message ("encoding case %s", c->name);
      encoding = ms_csv_detect_encoding ((const guint8 *) c->data, length, c->at_end, &bom, &error);
      if (c->expected == NULL)
        {
          g_assert_error (error, MS_IMPORT_ERROR, c->error_code);
          g_assert_null (encoding);
        }
      else
        {
          g_assert_no_error (error);
          g_assert_cmpstr (encoding, ==, c->expected);
          g_assert_cmpuint (bom, ==, c->bom);
        }
    }
}

typedef struct
{
  const char *text;
  gboolean    at_end;
  gboolean    prefer_tab;
  gunichar    expected;
} DelimiterCase;

static const DelimiterCase delimiter_cases[] = {
  { "email,name\na@x.org,A\n", TRUE, FALSE, ',' },
  { "email;name\na@x.org;A\n", TRUE, FALSE, ';' },
  { "email\tname\na@x.org\tA\n", TRUE, FALSE, '\t' },
  /* commas inside values, semicolons between them (German Excel) */
  { "E-Mail;Name\nx@y.de;Müller, Hans\nz@y.de;Schmidt, Eva\nq@y.de;Weber\n", TRUE, FALSE, ';' },
  /* semicolons inside quoted values do not count */
  { "email,name,note\na@x.org,\"A; B; C\",x\nb@x.org,B,\"1;2;3;4\"\n", TRUE, FALSE, ',' },
  /* a quoted line break does not end the record */
  { "email;note\na@x.org;\"one,\ntwo,three\"\nb@x.org;x\n", TRUE, FALSE, ';' },
  /* header only */
  { "email;first name;last name\r\n", TRUE, FALSE, ';' },
  /* one column: nothing splits, the default */
  { "email\na@x.org\nb@x.org\n", TRUE, FALSE, ',' },
  /* the cut last record of a sample is left out */
  { "a\tb\tc\nd\te\tf\ng,h,i,j,k,l,m", FALSE, FALSE, '\t' },
  /* a tie goes to tab for UTF-16 (Excel's "Unicode text") */
  { "a,b\tc\nd,e\tf\n", TRUE, TRUE, '\t' },
  { "a,b\tc\nd,e\tf\n", TRUE, FALSE, ',' },
  /* more fields break a tie */
  { "a,b;c;d\ne,f;g;h\n", TRUE, FALSE, ';' },
};

static void
test_detect_delimiter (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (delimiter_cases); i++)
    {
      const DelimiterCase *c = &delimiter_cases[i];

      g_test_message ("delimiter case %" G_GSIZE_FORMAT, i);
      g_assert_cmpuint (ms_csv_detect_delimiter (c->text, strlen (c->text), c->at_end, c->prefer_tab),
                        ==, c->expected);
    }
}

static void
test_role_guess (void)
{
  static const struct
  {
    const char  *title;
    MsFieldRole  role;
  } cases[] = {
    { "email", MS_FIELD_ROLE_EMAIL },
    { "E-Mail", MS_FIELD_ROLE_EMAIL },
    { " e_mail ", MS_FIELD_ROLE_EMAIL },
    { "Email Address", MS_FIELD_ROLE_EMAIL },
    { "MAIL", MS_FIELD_ROLE_EMAIL },
    { "E-Mail-Adresse", MS_FIELD_ROLE_EMAIL },
    { "Адрес", MS_FIELD_ROLE_EMAIL },
    { "Почта", MS_FIELD_ROLE_EMAIL },
    { "Электронная почта", MS_FIELD_ROLE_EMAIL },
    { "E-mail 1 - Value", MS_FIELD_ROLE_EMAIL },
    { "E-mail 1 - Type", MS_FIELD_ROLE_CUSTOM },
    { "Name", MS_FIELD_ROLE_NAME },
    { "Full name", MS_FIELD_ROLE_NAME },
    { "Имя и фамилия", MS_FIELD_ROLE_NAME },
    { "ФИО", MS_FIELD_ROLE_NAME },
    { "First Name", MS_FIELD_ROLE_FIRST_NAME },
    { "first_name", MS_FIELD_ROLE_FIRST_NAME },
    { "first", MS_FIELD_ROLE_FIRST_NAME },
    { "Vorname", MS_FIELD_ROLE_FIRST_NAME },
    { "Имя", MS_FIELD_ROLE_FIRST_NAME },
    { "Prénom", MS_FIELD_ROLE_FIRST_NAME },
    { "Last Name", MS_FIELD_ROLE_LAST_NAME },
    { "last_name", MS_FIELD_ROLE_LAST_NAME },
    { "Surname", MS_FIELD_ROLE_LAST_NAME },
    { "Nachname", MS_FIELD_ROLE_LAST_NAME },
    { "ФАМИЛИЯ", MS_FIELD_ROLE_LAST_NAME },
    { "status", MS_FIELD_ROLE_IGNORE },
    { "status_reason", MS_FIELD_ROLE_IGNORE },
    { "City", MS_FIELD_ROLE_CUSTOM },
    { "Firma", MS_FIELD_ROLE_CUSTOM },
    { "", MS_FIELD_ROLE_CUSTOM },
    { "Mailing list", MS_FIELD_ROLE_CUSTOM },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("title “%s”", cases[i].title);
      g_assert_cmpint (ms_field_role_guess (cases[i].title), ==, cases[i].role);
    }

  g_assert_cmpstr (ms_field_role_to_string (MS_FIELD_ROLE_FIRST_NAME), ==, "first_name");
  g_assert_cmpstr (ms_field_role_to_string (MS_FIELD_ROLE_EMAIL), ==, "email");
}

/* The importer against a table of files */

typedef struct
{
  guint       line;
  const char *reason;
} Rejection;

typedef struct
{
  const char *email;          /* looked up with ms_store_find_contact() */
  const char *name;
  const char *first_name;
  const char *last_name;
  const char *fields[9];      /* name, value pairs; every other field must be absent */
} ContactCheck;

typedef struct
{
  const char        *name;
  const char        *text;           /* UTF-8, written in file_encoding */
  gssize             length;         /* -1: nul-terminated */
  const char        *file_encoding;  /* NULL: the bytes as they are */
  gboolean           bom;
  const char        *encoding;       /* the import options */
  gunichar           delimiter;
  MsDuplicatePolicy  policy;
  int                error_code;     /* -1: success */
  const char        *expected_encoding;
  gunichar           expected_delimiter;
  guint64            imported;
  guint64            updated;
  guint64            skipped;
  guint64            rejected;
  Rejection          rejections[6];
  ContactCheck       checks[4];
} ImportCase;

static const ImportCase import_cases[] = {
  {
    "german-excel-cp1252",
    "E-Mail;Vorname;Nachname;Firma;Straße\r\n"
    "juergen.mueller@example.de;Jürgen;Müller;\"Bäckerei Müller, GmbH\";Hauptstraße 5\r\n"
    "anna.schaefer@beispiel.de;Anna;Schäfer;\"Schäfer; Söhne\";Gößweinsteiner Weg 1\r\n"
    "ungültig;Max;Mustermann;;\r\n"
    "\r\n"
    "Grün@Bücher.DE;Greta;Grün;;\r\n"
    ";;;;\r\n"
    ";Karl;Ohnemail;Firma X;\r\n",
    -1, "WINDOWS-1252", FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "WINDOWS-1252", ';', 3, 0, 0, 2,
    { { 4, "Invalid email address “ungültig”: missing @" },
      { 8, "No email address" } },
    { { "juergen.mueller@example.de", "", "Jürgen", "Müller",
        { "Firma", "Bäckerei Müller, GmbH", "Straße", "Hauptstraße 5" } },
      { "anna.schaefer@beispiel.de", "", "Anna", "Schäfer",
        { "Firma", "Schäfer; Söhne", "Straße", "Gößweinsteiner Weg 1" } },
      { "Grün@bücher.de", "", "Greta", "Grün", { NULL } } },
  },
  {
    "russian-excel-cp1251",
    "Адрес;ФИО;Город;Телефон\r\n"
    "ivan.petrov@mail.ru;Петров Иван Сергеевич;Москва;+7 495 123-45-67\r\n"
    "info@пример.рф;Пример Организация;Санкт-Петербург;\r\n"
    "Ivan.Petrov@MAIL.RU;;Казань;\r\n"
    "нет адреса;Без Адреса;;\r\n",
    -1, "WINDOWS-1251", FALSE, "auto", 0, MS_DUPLICATE_UPDATE,
    -1, "WINDOWS-1251", ';', 2, 1, 0, 1,
    { { 5, "Invalid email address “нет адреса”: missing @" } },
    { { "ivan.petrov@mail.ru", "Петров Иван Сергеевич", "", "",
        { "Город", "Казань", "Телефон", "+7 495 123-45-67" } },
      { "info@пример.рф", "Пример Организация", "", "", { "Город", "Санкт-Петербург" } } },
  },
  {
    "utf8-bom",
    "city,email,first name,last name\n"
    "Zürich,zoë@example.com,Zoë,Brontë\n"
    "\"London\",\"smith@example.com\",\"Ann\",\"Smith\"\n",
    -1, "UTF-8", TRUE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 2, 0, 0, 0,
    { { 0 } },
    { { "zoë@example.com", "", "Zoë", "Brontë", { "city", "Zürich" } },
      { "smith@example.com", "", "Ann", "Smith", { "city", "London" } } },
  },
  {
    "utf16le-bom-tab",
    "E-Mail\tName\tStadt\r\n"
    "otto@example.de\tOtto Größe\tKöln\r\n"
    "олег@пример.рф\tОлег\tМосква\r\n"
    "kaputt\tX\tY\r\n",
    -1, "UTF-16LE", TRUE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-16LE", '\t', 2, 0, 0, 1,
    { { 4, "Invalid email address “kaputt”: missing @" } },
    { { "otto@example.de", "Otto Größe", "", "", { "Stadt", "Köln" } },
      { "олег@пример.рф", "Олег", "", "", { "Stadt", "Москва" } } },
  },
  {
    "utf16be-bom",
    "email,name\na@example.org,Ä Ö\n",
    -1, "UTF-16BE", TRUE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-16BE", ',', 1, 0, 0, 0,
    { { 0 } },
    { { "a@example.org", "Ä Ö", "", "", { NULL } } },
  },
  {
    "utf16le-no-bom",
    "email\tname\r\nb@example.org\tB\r\n",
    -1, "UTF-16LE", FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-16LE", '\t', 1, 0, 0, 0,
    { { 0 } },
    { { "b@example.org", "B", "", "", { NULL } } },
  },
  {
    "quoted-newlines-and-quotes",
    "email,name,notes\n"
    "a@example.org,\"Smith, John\",\"line one\nline two\r\nline three\"\n"
    "b@example.org,\"He said \"\"hi\"\"\",plain\n"
    "c@example.org,\"multi\n\nline\",x\n"
    "bad address,\"quoted\nnewline\",y\n"
    "d@example.org,D,\"\"\"quoted\"\"\"\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 4, 0, 0, 1,
    { { 9, "Invalid email address “bad address”: missing @" } },
    { { "a@example.org", "Smith, John", "", "", { "notes", "line one\nline two\r\nline three" } },
      { "b@example.org", "He said \"hi\"", "", "", { "notes", "plain" } },
      { "c@example.org", "multi\n\nline", "", "", { "notes", "x" } },
      { "d@example.org", "D", "", "", { "notes", "\"quoted\"" } } },
  },
  {
    "ragged-rows",
    "email,name,city\n"
    "a@example.org,Alice\n"
    "b@example.org\n"
    "c@example.org,Carl,Rome,extra\n"
    "d@example.org,Dora,Oslo,,\n"
    ",Eve,Paris\n"
    "Frank,f@example.org,Lyon\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 3, 0, 0, 3,
    { { 4, "The row has 4 fields, the header has 3" },
      { 6, "No email address" },
      { 7, "Invalid email address “Frank”: missing @" } },
    { { "a@example.org", "Alice", "", "", { NULL } },
      { "b@example.org", "", "", "", { NULL } },
      { "d@example.org", "Dora", "", "", { "city", "Oslo" } } },
  },
  {
    "empty-lines",
    "\n"
    "\r\n"
    "email;name\r\n"
    "\r\n"
    "a@example.org;A\r\n"
    ";\r\n"
    "   \r\n"
    "b@example.org;B\r\n"
    "\r\n"
    "\r\n"
    "oops;C\r\n"
    "\r\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ';', 2, 0, 0, 1,
    { { 11, "Invalid email address “oops”: missing @" } },
    { { "a@example.org", "A", "", "", { NULL } },
      { "b@example.org", "B", "", "", { NULL } } },
  },
  {
    "invalid-addresses",
    "email,name\n"
    "\"John Smith <john@example.com>\",John\n"
    "john@localhost,J\n"
    "\"a@example.org, b@example.org\",AB\n"
    "jane@@example.com,Jane\n"
    "user@exa_mple.com,U\n"
    "<ok@example.com>,OK\n"
    " spaced@Example.com ,S\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 2, 0, 0, 5,
    { { 2, "Invalid email address “John Smith <john@example.com>”: a name and an address in one "
           "cell; put the name in its own column" },
      { 3, "Invalid email address “john@localhost”: invalid domain “localhost”: it needs at "
           "least one dot" },
      { 4, "Invalid email address “a@example.org, b@example.org”: more than one address in one "
           "cell" },
      { 5, "Invalid email address “jane@@example.com”: invalid character “@” before the @" },
      { 6, "Invalid email address “user@exa_mple.com”: invalid domain “exa_mple.com”: invalid "
           "character “_”" } },
    { { "ok@example.com", "OK", "", "", { NULL } },
      { "spaced@example.com", "S", "", "", { NULL } } },
  },
  {
    "zero-bytes", "", 0, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_EMPTY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "binary-png", "\x89PNG\r\n\x1A\n\0\0\0\rIHDR\0\0\x01\0\0\0\x01\0\x08\x06\0\0\0", 29, NULL, FALSE,
    NULL, 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_BINARY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "binary-controls",
    "\x01\x02\x03\x04\x05\x06\x07\x08\x0E\x0F\x10\x11\x12\x13\x14\x15,\x16\x17\x18\x19\n", -1,
    NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_BINARY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "cr-only",
    "email,name\ra@example.org,A\rbad,B\rb@example.org,\"B\rB\"\rc@example.org,C\r",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 3, 0, 0, 1,
    { { 3, "Invalid email address “bad”: missing @" } },
    { { "b@example.org", "B\rB", "", "", { NULL } },
      { "c@example.org", "C", "", "", { NULL } } },
  },
  {
    "header-only", "email,name\r\n", -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_EMPTY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "header-and-blank-lines", "email,name\r\n\r\n,\r\n\r\n", -1, NULL, FALSE, NULL, 0,
    MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_EMPTY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "only-blank-lines", "\r\n\r\n  \r\n", -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_EMPTY, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "no-email-column", "name,city\nJohn,Berlin\nJane,Paris\n", -1, NULL, FALSE, NULL, 0,
    MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_NO_EMAIL_COLUMN, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "two-address-like-columns", "from,to\na@example.org,b@example.org\n", -1, NULL, FALSE, NULL, 0,
    MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_NO_EMAIL_COLUMN, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "email-column-by-values",
    "Kontakt;Name\nx@example.de;X\nnot an address;Y\nz@example.de;Z\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ';', 2, 0, 0, 1,
    { { 3, "Invalid email address “not an address”: missing @" } },
    { { "x@example.de", "X", "", "", { NULL } } },
  },
  {
    "no-header-row",
    "a@example.org,Alice\nb@example.org,Bob\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 2, 0, 0, 0,
    { { 0 } },
    { { "a@example.org", "", "", "", { "column_2", "Alice" } },
      { "b@example.org", "", "", "", { "column_2", "Bob" } } },
  },
  {
    "in-file-duplicates-update",
    "email,name,city\na@example.org,Alice,\nA@EXAMPLE.ORG,,Berlin\na@example.org,Alicia,\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 1, 2, 0, 0,
    { { 0 } },
    { { "a@example.org", "Alicia", "", "", { "city", "Berlin" } } },
  },
  {
    "in-file-duplicates-skip",
    "email,name,city\na@example.org,Alice,\nA@EXAMPLE.ORG,,Berlin\na@example.org,Alicia,\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_SKIP,
    -1, "UTF-8", ',', 1, 0, 2, 0,
    { { 0 } },
    { { "a@example.org", "Alice", "", "", { NULL } } },
  },
  {
    "forced-utf8-on-cp1251",
    "email;name\r\na@example.ru;Иван\r\nb@example.ru;Ivan\r\n",
    -1, "WINDOWS-1251", FALSE, "UTF-8", 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ';', 1, 0, 0, 1,
    { { 2, "The row contains bytes that are not valid UTF-8 text; choose the file’s encoding" } },
    { { "b@example.ru", "Ivan", "", "", { NULL } } },
  },
  {
    "forced-cp1251",
    "email;name\r\na@example.ru;Иван\r\nb@example.ru;Ivan\r\n",
    -1, "WINDOWS-1251", FALSE, "windows-1251", 0, MS_DUPLICATE_UPDATE,
    -1, "WINDOWS-1251", ';', 2, 0, 0, 0,
    { { 0 } },
    { { "a@example.ru", "Иван", "", "", { NULL } } },
  },
  {
    "forced-utf8-header-undecodable",
    "имя;email\r\nИван;a@example.ru\r\n",
    -1, "WINDOWS-1251", FALSE, "UTF-8", 0, MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_ENCODING, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    /* 0x81 is not a character in WINDOWS-1252 */
    "forced-cp1252-undefined-byte",
    "email;name\r\na@example.de;A\x81\r\nb@example.de;B\xE4r\r\n",
    -1, NULL, FALSE, "WINDOWS-1252", 0, MS_DUPLICATE_UPDATE,
    -1, "WINDOWS-1252", ';', 1, 0, 0, 1,
    { { 2, "The row contains bytes that are not valid WINDOWS-1252 text; choose the file’s "
           "encoding" } },
    { { "b@example.de", "Bär", "", "", { NULL } } },
  },
  {
    "unknown-encoding", "email\na@example.org\n", -1, NULL, FALSE, "NO-SUCH-CHARSET-42", 0,
    MS_DUPLICATE_UPDATE,
    MS_IMPORT_ERROR_BAD_OPTION, NULL, 0, 0, 0, 0, 0, { { 0 } }, { { NULL } },
  },
  {
    "forced-delimiter",
    "email|name, title\na@example.org|Smith, Dr.\n",
    -1, NULL, FALSE, NULL, '|', MS_DUPLICATE_UPDATE,
    -1, "UTF-8", '|', 1, 0, 0, 0,
    { { 0 } },
    { { "a@example.org", "", "", "", { "name, title", "Smith, Dr." } } },
  },
  {
    "unterminated-quote",
    "email,name\na@example.org,A\nb@example.org,\"never closed\nc@example.org,C\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 1, 0, 0, 1,
    { { 3, "A quoted field is never closed: the file ends inside it" } },
    { { "a@example.org", "A", "", "", { NULL } } },
  },
  {
    "custom-column-titles",
    "email,city,,city, Note ,status,status_reason\na@example.org,Rome,x,Milan, hi ,bounced,550\n",
    -1, NULL, FALSE, NULL, 0, MS_DUPLICATE_UPDATE,
    -1, "UTF-8", ',', 1, 0, 0, 0,
    { { 0 } },
    { { "a@example.org", "", "", "",
        { "city", "Rome", "column_3", "x", "city_2", "Milan", "Note", "hi" } } },
  },
};

static void
check_contact (MsStore            *store,
               const ContactCheck *check)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(MsContact) contact = NULL;
  g_auto(GStrv) names = NULL;
  guint n_fields = 0;

  contact = ms_store_find_contact (store, check->email, &error);
  g_assert_no_error (error);
  g_assert_nonnull (contact);
  g_assert_cmpstr (ms_contact_get_email (contact), ==, check->email);
  g_assert_cmpstr (ms_contact_get_name (contact), ==, check->name);
  g_assert_cmpstr (ms_contact_get_first_name (contact), ==, check->first_name);
  g_assert_cmpstr (ms_contact_get_last_name (contact), ==, check->last_name);
  g_assert_cmpint (ms_contact_get_status (contact), ==, MS_CONTACT_STATUS_ACTIVE);

  for (guint i = 0; i + 1 < G_N_ELEMENTS (check->fields) && check->fields[i] != NULL; i += 2)
    {
      g_assert_cmpstr (ms_contact_get_field (contact, check->fields[i]), ==, check->fields[i + 1]);
      n_fields++;
    }
  names = ms_contact_dup_field_names (contact);
  g_assert_cmpuint (g_strv_length (names), ==, n_fields);
}

static void
collect_rejection (const MsImportRejection *rejection,
                   gpointer                 user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%u: %s", rejection->line, rejection->reason));
}

static void
test_import_case (gconstpointer data)
{
  const ImportCase *c = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-csv-XXXXXX", &error);
  g_autofree char *csv_path = g_build_filename (dir, "input.csv", NULL);
  g_autofree char *db_path = g_build_filename (dir, "mailshot.db", NULL);
  g_autoptr(GBytes) bytes = encode (c->text, c->length, c->file_encoding, c->bom);
  g_autoptr(GFile) file = g_file_new_for_path (csv_path);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) lists = NULL;
  MsContactQuery all = MS_CONTACT_QUERY_INIT;
  MsImportOptions options = { "Imported", c->encoding, c->delimiter, c->policy, NULL, 0 };
  guint n_rejections = 0;

  g_assert_no_error (error);
  g_file_set_contents (csv_path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);

  result = ms_import_csv_sync (store, file, &options, NULL, collect_rejection, seen, NULL, &error);

  if (c->error_code >= 0)
    {
      g_test_message ("error: %s", error ? error->message : "(none)");
      g_assert_error (error, MS_IMPORT_ERROR, c->error_code);
      g_assert_null (result);
      g_clear_error (&error);
      g_assert_cmpint (ms_store_count_contacts (store, &all, NULL), ==, 0);
      /* a failed import leaves no list behind */
      lists = ms_store_list_lists (store, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (lists->len, ==, 0);
    }
  else
    {
      g_assert_no_error (error);
      g_assert_nonnull (result);
      g_assert_cmpstr (result->encoding, ==, c->expected_encoding);
      g_assert_cmpuint (result->delimiter, ==, c->expected_delimiter);
      g_assert_cmpuint (result->imported, ==, c->imported);
      g_assert_cmpuint (result->updated, ==, c->updated);
      g_assert_cmpuint (result->skipped, ==, c->skipped);
      g_assert_cmpuint (result->rejected, ==, c->rejected);

      for (; n_rejections < G_N_ELEMENTS (c->rejections) && c->rejections[n_rejections].line;
           n_rejections++)
        {
          const MsImportRejection *got = g_ptr_array_index (result->rejections, n_rejections);
          g_autofree char *expected = g_strdup_printf ("%u: %s", c->rejections[n_rejections].line,
                                                       c->rejections[n_rejections].reason);

          g_assert_cmpuint (n_rejections, <, result->rejections->len);
          g_assert_cmpuint (got->line, ==, c->rejections[n_rejections].line);
          g_assert_cmpstr (got->reason, ==, c->rejections[n_rejections].reason);
          g_assert_cmpstr (g_ptr_array_index (seen, n_rejections), ==, expected);
        }
      g_assert_cmpuint (result->rejections->len, ==, n_rejections);
      g_assert_cmpuint (seen->len, ==, n_rejections);
      g_assert_cmpuint (result->rejected, ==, n_rejections);

      g_assert_cmpint (ms_store_count_contacts (store, &all, NULL), ==, c->imported);
      all.list_id = result->list_id;
      g_assert_cmpint (result->list_id, >, 0);
      g_assert_cmpint (ms_store_count_contacts (store, &all, NULL), ==, c->imported);

      for (guint i = 0; i < G_N_ELEMENTS (c->checks) && c->checks[i].email != NULL; i++)
        check_contact (store, &c->checks[i]);
    }

  g_clear_object (&store);
  remove_tree (dir);
}

/* Preview */

static void
test_preview (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-csv-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "preview.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(MsCsvPreview) preview = NULL;
  g_autoptr(GString) text = g_string_new ("Vorname;Nachname;E-Mail-Adresse;Ort;\r\n");

  for (guint i = 0; i < 30; i++)
    g_string_append_printf (text, "Jörg;Müller %u;j%u@example.de;Köln;\r\n", i, i);
  bytes = encode (text->str, text->len, "WINDOWS-1252", FALSE);
  g_file_set_contents (path, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), &error);
  g_assert_no_error (error);

  preview = ms_csv_preview_load (file, NULL, 0, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (preview->encoding, ==, "WINDOWS-1252");
  g_assert_false (preview->had_bom);
  g_assert_cmpuint (preview->delimiter, ==, ';');
  g_assert_cmpuint (preview->n_columns, ==, 5);
  g_assert_cmpstr (preview->header[0], ==, "Vorname");
  g_assert_cmpstr (preview->header[2], ==, "E-Mail-Adresse");
  g_assert_cmpstr (preview->header[4], ==, "");
  g_assert_null (preview->header[5]);
  g_assert_cmpint (preview->roles[0], ==, MS_FIELD_ROLE_FIRST_NAME);
  g_assert_cmpint (preview->roles[1], ==, MS_FIELD_ROLE_LAST_NAME);
  g_assert_cmpint (preview->roles[2], ==, MS_FIELD_ROLE_EMAIL);
  g_assert_cmpint (preview->roles[3], ==, MS_FIELD_ROLE_CUSTOM);
  g_assert_cmpint (preview->roles[4], ==, MS_FIELD_ROLE_CUSTOM);
  g_assert_cmpuint (preview->rows->len, ==, 5);
  g_assert_cmpstr (((char **) g_ptr_array_index (preview->rows, 4))[1], ==, "Müller 4");
  g_assert_cmpstr (((char **) g_ptr_array_index (preview->rows, 0))[2], ==, "j0@example.de");

  /* forcing what detection would not choose */
  g_clear_pointer (&preview, ms_csv_preview_free);
  preview = ms_csv_preview_load (file, "WINDOWS-1251", ',', 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (preview->encoding, ==, "WINDOWS-1251");
  g_assert_cmpuint (preview->delimiter, ==, ',');
  g_assert_cmpuint (preview->n_columns, ==, 1);
  g_assert_cmpint (preview->roles[0], ==, MS_FIELD_ROLE_CUSTOM);

  g_remove (path);
  g_rmdir (dir);
}

static void
test_import_with_roles (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-csv-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "roles.csv", NULL);
  g_autofree char *db_path = g_build_filename (dir, "mailshot.db", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsImportResult) result = NULL;
  g_autoptr(MsContact) contact = NULL;
  const MsFieldRole roles[] = { MS_FIELD_ROLE_LAST_NAME, MS_FIELD_ROLE_IGNORE, MS_FIELD_ROLE_EMAIL };
  const MsFieldRole two_emails[] = { MS_FIELD_ROLE_EMAIL, MS_FIELD_ROLE_EMAIL };
  const MsFieldRole no_email[] = { MS_FIELD_ROLE_NAME };
  MsImportOptions options = { NULL, NULL, 0, MS_DUPLICATE_UPDATE, roles, G_N_ELEMENTS (roles) };

  g_file_set_contents (path, "Who,Secret,Where\nSmith,s3cret,smith@example.org\n", -1, &error);
  g_assert_no_error (error);
  store = ms_store_open (db_path, &error);
  g_assert_no_error (error);

  result = ms_import_csv_sync (store, file, &options, NULL, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->imported, ==, 1);
  g_assert_cmpint (result->list_id, ==, 0);
  contact = ms_store_find_contact (store, "smith@example.org", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (ms_contact_get_last_name (contact), ==, "Smith");
  g_assert_null (ms_contact_get_field (contact, "Secret"));

  options.roles = two_emails;
  options.n_roles = 2;
  g_assert_null (ms_import_csv_sync (store, file, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION);
  g_clear_error (&error);

  options.roles = no_email;
  options.n_roles = 1;
  g_assert_null (ms_import_csv_sync (store, file, &options, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_NO_EMAIL_COLUMN);
  g_clear_error (&error);

  g_clear_object (&store);
  remove_tree (dir);
}

static void
test_import_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("ms-csv-XXXXXX", &error);
  g_autofree char *db_path = g_build_filename (dir, "mailshot.db", NULL);
  g_autofree char *path = g_build_filename (dir, "absent.csv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(MsStore) store = ms_store_open (db_path, &error);

  g_assert_no_error (error);
  g_assert_null (ms_import_csv_sync (store, file, NULL, NULL, NULL, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);

  g_clear_object (&store);
  remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/core/csv/reader/line-ends", test_reader_line_ends);
  g_test_add_func ("/core/csv/reader/utf16-split", test_reader_utf16_split);
  g_test_add_func ("/core/csv/reader/limits", test_reader_limits);
  g_test_add_func ("/core/csv/reader/large-file", test_reader_large_file);
  g_test_add_func ("/core/csv/detect/encoding", test_detect_encoding);
  g_test_add_func ("/core/csv/detect/delimiter", test_detect_delimiter);
  g_test_add_func ("/core/csv/detect/roles", test_role_guess);
  g_test_add_func ("/core/csv/preview", test_preview);
  g_test_add_func ("/core/csv/import/roles", test_import_with_roles);
  g_test_add_func ("/core/csv/import/missing-file", test_import_missing_file);

  for (gsize i = 0; i < G_N_ELEMENTS (import_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/core/csv/import/%s", import_cases[i].name);

      g_test_add_data_func (path, &import_cases[i], test_import_case);
    }

  return g_test_run ();
}

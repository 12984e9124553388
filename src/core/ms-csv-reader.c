/* ms-csv-reader.c
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

#define G_LOG_DOMAIN "ms-csv-reader"

#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n.h>

#include "ms-csv-reader.h"
#include "ms-importer.h"

#define TEXT_BUFFER_SIZE     (MS_CSV_CHUNK_SIZE * 3)
#define DETECT_MAX_RECORDS   50
#define UTF16_SNIFF_BYTES    4096

typedef enum
{
  STATE_FIELD_START,
  STATE_UNQUOTED,
  STATE_QUOTED,
  STATE_QUOTE_IN_QUOTED,
} ParseState;

struct _MsCsvReader
{
  GInputStream   *stream;
  char           *encoding;
  gboolean        had_bom;
  char            delimiter;

  /* decoding: conv is (GIConv) -1 for UTF-8, which is parsed in place */
  GIConv          conv;
  guint           unit;
  guint8         *raw;
  gsize           raw_start;
  gsize           raw_end;
  gboolean        stream_eof;
  guint64         bytes_read;
  char           *text_buffer;
  const char     *text;
  gsize           text_pos;
  gsize           text_len;

  /* parsing */
  ParseState      state;
  guint64         line;
  gboolean        prev_cr;
  gboolean        in_record;
  MsCsvRowStatus  status;
  GString        *rec;
  gsize          *starts;         /* offsets of the fields in rec */
  guint           n_starts;
  GArray         *pointers;
  GArray         *lengths;
  MsCsvRecord     record;
};

/* Encoding detection */

static gboolean
is_incomplete_utf8_tail (const guint8 *p,
                         gsize         n)
{
  guint need;

  if (n == 0 || n > 3)
    return FALSE;

  if (p[0] >= 0xC2 && p[0] <= 0xDF)
    need = 2;
  else if (p[0] >= 0xE0 && p[0] <= 0xEF)
    need = 3;
  else if (p[0] >= 0xF0 && p[0] <= 0xF4)
    need = 4;
  else
    return FALSE;

  if (n >= need)
    return FALSE;

  for (gsize i = 1; i < n; i++)
    if (p[i] < 0x80 || p[i] > 0xBF)
      return FALSE;

  return TRUE;
}

static gboolean
looks_like_utf8 (const guint8 *data,
                 gsize         length,
                 gboolean      at_end)
{
  const char *end = NULL;

  if (g_utf8_validate_len ((const char *) data, length, &end))
    return TRUE;

  return !at_end &&
         is_incomplete_utf8_tail ((const guint8 *) end, length - ((const guint8 *) end - data));
}

static const char *
sniff_utf16 (const guint8 *data,
             gsize         length)
{
  gsize n = MIN (length, UTF16_SNIFF_BYTES) & ~(gsize) 1;
  gsize pairs = n / 2;
  gsize zero_even = 0;
  gsize zero_odd = 0;

  if (pairs < 2)
    return NULL;

  for (gsize i = 0; i < n; i += 2)
    {
      zero_even += data[i] == 0;
      zero_odd += data[i + 1] == 0;
    }

  if (zero_odd * 10 > pairs * 4 && zero_even * 20 < pairs)
    return "UTF-16LE";
  if (zero_even * 10 > pairs * 4 && zero_odd * 20 < pairs)
    return "UTF-16BE";

  return NULL;
}

static gboolean
looks_binary (const guint8  *data,
              gsize          length,
              GError       **error)
{
  gsize controls = 0;

  if (memchr (data, 0, length) != NULL)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BINARY,
                   _("This is not a text file: it contains NUL bytes. "
                     "Save the spreadsheet as CSV and import that file."));
      return TRUE;
    }

  for (gsize i = 0; i < length; i++)
    {
      guint8 b = data[i];

      if ((b < 0x20 && b != '\t' && b != '\n' && b != '\r' && b != '\f' && b != 0x1A) ||
          b == 0x7F)
        controls++;
    }

  if (controls * 50 > length)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BINARY,
                   _("This is not a text file: it is full of control characters. "
                     "Save the spreadsheet as CSV and import that file."));
      return TRUE;
    }

  return FALSE;
}

static const char *
guess_eight_bit (const guint8 *data,
                 gsize         length)
{
  gsize cyrillic = 0;
  gsize latin = 0;
  gsize alone = 0;

  /* In WINDOWS-1251 every Cyrillic letter is a byte >= 0xC0 and words are runs
   * of them; in WINDOWS-1252 those bytes are accented letters that sit alone
   * between ASCII letters ("Müller", "Sánchez"). */
  for (gsize i = 0; i < length; i++)
    {
      guint8 prev, next;

      if (data[i] < 0xC0)
        continue;

      prev = i > 0 ? data[i - 1] : ' ';
      next = i + 1 < length ? data[i + 1] : ' ';

      if (prev >= 0xC0 || next >= 0xC0)
        cyrillic++;
      else if (g_ascii_isalpha (prev) || g_ascii_isalpha (next))
        latin++;
      else
        alone++;
    }

  if (cyrillic * 2 + alone > latin * 2)
    return "WINDOWS-1251";

  return "WINDOWS-1252";
}

/**
 * ms_csv_detect_encoding:
 *
 * Returns: (transfer full) (nullable): an iconv name, or %NULL with @error set
 */
char *
ms_csv_detect_encoding (const guint8  *data,
                        gsize          length,
                        gboolean       at_end,
                        gsize         *out_bom_length,
                        GError       **error)
{
  const char *utf16;
  gsize bom = 0;
  const char *result = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (length == 0)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }

  if (length >= 4 && memcmp (data, "\xFF\xFE\0\0", 4) == 0)
    result = "UTF-32LE", bom = 4;
  else if (length >= 4 && memcmp (data, "\0\0\xFE\xFF", 4) == 0)
    result = "UTF-32BE", bom = 4;
  else if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    result = "UTF-8", bom = 3;
  else if (length >= 2 && memcmp (data, "\xFF\xFE", 2) == 0)
    result = "UTF-16LE", bom = 2;
  else if (length >= 2 && memcmp (data, "\xFE\xFF", 2) == 0)
    result = "UTF-16BE", bom = 2;
  else if ((utf16 = sniff_utf16 (data, length)) != NULL)
    result = utf16;

  if (out_bom_length != NULL)
    *out_bom_length = bom;

  if (result != NULL)
    return g_strdup (result);

  if (looks_binary (data, length, error))
    return NULL;

  if (looks_like_utf8 (data, length, at_end))
    return g_strdup ("UTF-8");

  return g_strdup (guess_eight_bit (data, length));
}

/* Delimiter detection */

/* Counts the fields of the first records of text with delimiter d, quotes
 * respected; blank lines are left out and, unless at_end, so is a last record
 * that may be cut off. */
static guint
count_fields (const char *text,
              gsize       length,
              gboolean    at_end,
              char        d,
              guint      *counts,
              guint       max_records)
{
  const char *p = text;
  const char *end = text + length;
  guint n_records = 0;

  while (p < end && n_records < max_records)
    {
      gboolean in_quotes = FALSE;
      gboolean field_start = TRUE;
      gboolean terminated = FALSE;
      guint fields = 1;
      const char *record_start = p;

      for (; p < end; p++)
        {
          char c = *p;

          if (in_quotes)
            {
              if (c == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    p++;
                  else
                    in_quotes = FALSE;
                }
              continue;
            }

          if (c == '"' && field_start)
            in_quotes = TRUE;
          else if (c == d)
            {
              fields++;
              field_start = TRUE;
              continue;
            }
          else if (c == '\n' || c == '\r')
            {
              terminated = TRUE;
              break;
            }
          field_start = FALSE;
        }

      if (!terminated && !at_end)
        break;

      if (p > record_start)
        counts[n_records++] = fields;

      if (p < end && *p == '\r' && p + 1 < end && p[1] == '\n')
        p++;
      if (p < end)
        p++;
    }

  return n_records;
}

/**
 * ms_csv_detect_delimiter:
 *
 * Picks among ',' ';' and TAB the delimiter that splits the first records
 * into the same number (at least two) of fields most consistently.
 *
 * Returns: the delimiter; ',' when none splits anything (one column)
 */
gunichar
ms_csv_detect_delimiter (const char *text,
                         gsize       length,
                         gboolean    at_end,
                         gboolean    prefer_tab)
{
  const char order_tab[] = { '\t', ',', ';' };
  const char order_comma[] = { ',', ';', '\t' };
  const char *order = prefer_tab ? order_tab : order_comma;
  char best = ',';
  double best_consistency = 0.0;
  guint best_mode = 1;

  for (guint c = 0; c < 3; c++)
    {
      guint counts[DETECT_MAX_RECORDS];
      guint n = count_fields (text, length, at_end, order[c], counts, DETECT_MAX_RECORDS);
      guint mode = 1;
      guint mode_freq = 0;
      double consistency;

      if (n == 0)
        continue;

      /* the most frequent field count, the larger one on ties */
      for (guint i = 0; i < n; i++)
        {
          guint freq = 0;

          for (guint j = 0; j < n; j++)
            freq += counts[j] == counts[i];
          if (freq > mode_freq || (freq == mode_freq && counts[i] > mode))
            {
              mode = counts[i];
              mode_freq = freq;
            }
        }

      if (mode < 2)
        continue;

      consistency = (double) mode_freq / n;
      if (consistency > best_consistency + 1e-9 ||
          (consistency > best_consistency - 1e-9 && mode > best_mode))
        {
          best = order[c];
          best_consistency = consistency;
          best_mode = mode;
        }
    }

  return (gunichar) best;
}

/* Reading and decoding */

static guint
code_unit_for (const char *encoding)
{
  if (strstr (encoding, "32") != NULL || strstr (encoding, "UCS-4") != NULL ||
      strstr (encoding, "UCS4") != NULL)
    return 4;
  if (strstr (encoding, "16") != NULL || strstr (encoding, "UCS-2") != NULL ||
      strstr (encoding, "UCS2") != NULL)
    return 2;

  return 1;
}

static gboolean
is_utf8_name (const char *encoding)
{
  return g_ascii_strcasecmp (encoding, "UTF-8") == 0 || g_ascii_strcasecmp (encoding, "UTF8") == 0;
}

/* Moves the undecoded bytes to the front and reads once more. */
static gboolean
read_raw (MsCsvReader   *self,
          GCancellable  *cancellable,
          GError       **error)
{
  gssize n;

  if (self->raw_start > 0)
    {
      memmove (self->raw, self->raw + self->raw_start, self->raw_end - self->raw_start);
      self->raw_end -= self->raw_start;
      self->raw_start = 0;
    }

  if (self->stream_eof || self->raw_end == MS_CSV_CHUNK_SIZE)
    return TRUE;

  n = g_input_stream_read (self->stream, self->raw + self->raw_end,
                           MS_CSV_CHUNK_SIZE - self->raw_end, cancellable, error);
  if (n < 0)
    return FALSE;

  if (n == 0)
    self->stream_eof = TRUE;
  self->raw_end += n;
  self->bytes_read += n;

  return TRUE;
}

/* Decodes what it can of the raw bytes into text_buffer.  Undecodable bytes
 * become NUL, which makes the record they are in invalid UTF-8. */
static void
decode_raw (MsCsvReader *self)
{
  char *in = (char *) self->raw + self->raw_start;
  gsize in_left = self->raw_end - self->raw_start;
  char *out = self->text_buffer;
  gsize out_left = TEXT_BUFFER_SIZE;

  while (in_left > 0)
    {
      gsize skip;

      if (g_iconv (self->conv, &in, &in_left, &out, &out_left) != (gsize) -1)
        break;

      if (errno == E2BIG)
        break;
      if (errno == EINVAL && !self->stream_eof)
        break;        /* a sequence cut by the chunk end: wait for more */
      if (out_left == 0)
        break;

      /* EILSEQ, or a sequence cut by the end of the file */
      *out++ = '\0';
      out_left--;
      skip = MIN ((gsize) self->unit, in_left);
      in += skip;
      in_left -= skip;
    }

  self->raw_start = (guint8 *) in - self->raw;
  self->text = self->text_buffer;
  self->text_pos = 0;
  self->text_len = out - self->text_buffer;
}

/* Makes the next chunk of text current.  Returns FALSE at the end (with error
 * unset) or on error. */
static gboolean
next_text (MsCsvReader   *self,
           GCancellable  *cancellable,
           GError       **error)
{
  g_assert (self->text_pos == self->text_len);

  for (;;)
    {
      if (self->raw_start == self->raw_end || self->conv != (GIConv) -1)
        {
          if (self->raw_start == self->raw_end && self->stream_eof)
            return FALSE;
          if (self->raw_end - self->raw_start < 8 && !self->stream_eof &&
              !read_raw (self, cancellable, error))
            return FALSE;
        }

      if (self->conv == (GIConv) -1)
        {
          self->text = (const char *) self->raw + self->raw_start;
          self->text_pos = 0;
          self->text_len = self->raw_end - self->raw_start;
          self->raw_start = self->raw_end;
        }
      else
        decode_raw (self);

      if (self->text_len > 0)
        return TRUE;

      if (self->stream_eof && self->raw_start == self->raw_end)
        return FALSE;

      /* nothing decoded yet: a cut sequence needs more bytes */
      if (!read_raw (self, cancellable, error))
        return FALSE;
    }
}

/* Parsing */

static void
start_record (MsCsvReader *self)
{
  self->in_record = TRUE;
  self->state = STATE_FIELD_START;
  self->status = MS_CSV_ROW_OK;
  self->record.line = self->line;
  g_string_truncate (self->rec, 0);
  self->starts[0] = 0;
  self->n_starts = 1;
}

/* g_string_append_len() without the function call when there is room */
static inline void
append_bytes (GString    *string,
              const char *s,
              gsize       n)
{
  if (G_UNLIKELY (string->len + n >= string->allocated_len))
    {
      g_string_append_len (string, s, n);
      return;
    }
  memcpy (string->str + string->len, s, n);
  string->len += n;
  string->str[string->len] = '\0';
}

static inline void
append (MsCsvReader *self,
        const char  *s,
        gsize        n)
{
  gsize field_start;

  if (n == 0 || self->status != MS_CSV_ROW_OK)
    return;

  field_start = self->starts[self->n_starts - 1];
  if (self->rec->len - field_start + n > MS_CSV_MAX_FIELD ||
      self->rec->len + n > MS_CSV_MAX_RECORD)
    {
      self->status = MS_CSV_ROW_FIELD_TOO_LARGE;
      return;
    }

  append_bytes (self->rec, s, n);
}

static void
end_field (MsCsvReader *self)
{
  gsize start;

  if (self->status != MS_CSV_ROW_OK)
    return;

  if (self->n_starts >= MS_CSV_MAX_FIELDS)
    {
      self->status = MS_CSV_ROW_TOO_MANY_FIELDS;
      return;
    }

  append_bytes (self->rec, "", 1);
  start = self->rec->len;
  self->starts[self->n_starts++] = start;
}

/* Whether every byte is ASCII other than NUL (NUL marks bytes that could
 * not be decoded): such text is valid UTF-8 without further ado. */
static gboolean
is_plain_ascii (const char *text,
                gsize       length)
{
  const guint64 ones = G_GUINT64_CONSTANT (0x0101010101010101);
  const guint64 highs = G_GUINT64_CONSTANT (0x8080808080808080);
  gsize i = 0;

  for (; i + 8 <= length; i += 8)
    {
      guint64 word;

      memcpy (&word, text + i, 8);
      if ((word & highs) != 0 || ((word - ones) & ~word & highs) != 0)
        return FALSE;
    }
  for (; i < length; i++)
    if ((guchar) text[i] >= 0x80 || text[i] == '\0')
      return FALSE;

  return TRUE;
}

static void
finish_record (MsCsvReader *self)
{
  MsCsvRecord *record = &self->record;
  guint n;

  self->in_record = FALSE;
  record->n_lines = self->line - record->line + 1;
  record->status = self->status;
  record->empty = FALSE;
  record->n_fields = 0;
  record->fields = NULL;
  record->lengths = NULL;

  if (self->status != MS_CSV_ROW_OK && self->status != MS_CSV_ROW_UNTERMINATED_QUOTE)
    return;

  g_string_append_c (self->rec, '\0');
  n = self->n_starts;
  g_array_set_size (self->pointers, n);
  g_array_set_size (self->lengths, n);

  record->empty = TRUE;
  for (guint i = 0; i < n; i++)
    {
      gsize start = self->starts[i];
      gsize end = i + 1 < n ? self->starts[i + 1] - 1 : self->rec->len - 1;
      const char *field = self->rec->str + start;

      g_array_index (self->pointers, const char *, i) = field;
      g_array_index (self->lengths, gsize, i) = end - start;
      if (end > start)
        record->empty = FALSE;
      if (record->status == MS_CSV_ROW_OK && !is_plain_ascii (field, end - start) &&
          !g_utf8_validate_len (field, end - start, NULL))
        record->status = MS_CSV_ROW_UNDECODABLE;
    }

  record->n_fields = n;
  record->fields = (const char **) (gpointer) self->pointers->data;
  record->lengths = (const gsize *) (gpointer) self->lengths->data;
}

static inline void
count_line_break (MsCsvReader *self,
                  char         c)
{
  if (c == '\r')
    {
      self->line++;
      self->prev_cr = TRUE;
    }
  else
    {
      if (!self->prev_cr)
        self->line++;
      self->prev_cr = FALSE;
    }
}

/* Consumes text until a record is complete (TRUE) or the chunk is used up. */
static gboolean
parse (MsCsvReader *self)
{
  const char *p = self->text + self->text_pos;
  const char *end = self->text + self->text_len;
  const char d = self->delimiter;
  gboolean done = FALSE;

  while (p < end && !done)
    {
      const char *run;
      char c;

      if (!self->in_record)
        {
          /* the LF of a CRLF that ended the previous record */
          if (self->prev_cr && *p == '\n')
            {
              self->prev_cr = FALSE;
              p++;
              continue;
            }
          start_record (self);
        }

      switch (self->state)
        {
        case STATE_FIELD_START:
          if (*p == '"')
            {
              self->prev_cr = FALSE;
              self->state = STATE_QUOTED;
              p++;
              break;
            }
          self->state = STATE_UNQUOTED;
          G_GNUC_FALLTHROUGH;

        case STATE_UNQUOTED:
          run = p;
          while (p < end && *p != d && *p != '\n' && *p != '\r')
            p++;
          if (p > run)
            {
              self->prev_cr = FALSE;
              append (self, run, p - run);
            }
          if (p == end)
            break;
          c = *p++;
          if (c == d)
            {
              self->prev_cr = FALSE;
              end_field (self);
              self->state = STATE_FIELD_START;
            }
          else
            {
              finish_record (self);
              count_line_break (self, c);
              done = TRUE;
            }
          break;

        case STATE_QUOTED:
          run = p;
          while (p < end && *p != '"' && *p != '\n' && *p != '\r')
            p++;
          if (p > run)
            {
              self->prev_cr = FALSE;
              append (self, run, p - run);
            }
          if (p == end)
            break;
          c = *p++;
          if (c == '"')
            {
              self->prev_cr = FALSE;
              self->state = STATE_QUOTE_IN_QUOTED;
            }
          else
            {
              count_line_break (self, c);
              append (self, &c, 1);
            }
          break;

        case STATE_QUOTE_IN_QUOTED:
          c = *p;
          if (c == '"')
            {
              append (self, "\"", 1);
              self->state = STATE_QUOTED;
              p++;
            }
          else if (c == d)
            {
              end_field (self);
              self->state = STATE_FIELD_START;
              p++;
            }
          else if (c == '\n' || c == '\r')
            {
              finish_record (self);
              count_line_break (self, c);
              done = TRUE;
              p++;
            }
          else
            self->state = STATE_UNQUOTED;   /* "abc"def: keep going, leniently */
          break;

        default:
          g_assert_not_reached ();
        }
    }

  self->text_pos = p - self->text;
  return done;
}

static gboolean
setup_decoding (MsCsvReader  *self,
                const char   *encoding,
                GError      **error)
{
  if (is_utf8_name (encoding))
    {
      self->encoding = g_strdup ("UTF-8");
      self->conv = (GIConv) -1;
      self->unit = 1;
      return TRUE;
    }

  self->encoding = g_ascii_strup (encoding, -1);
  self->conv = g_iconv_open ("UTF-8", self->encoding);
  if (self->conv == (GIConv) -1)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("Unknown encoding “%s”."), encoding);
      return FALSE;
    }
  self->unit = code_unit_for (self->encoding);
  self->text_buffer = g_malloc (TEXT_BUFFER_SIZE);

  return TRUE;
}

/* Public API */

/**
 * ms_csv_reader_new:
 * @stream: the file
 * @encoding: (nullable): an iconv name, or %NULL or "auto" to detect
 * @delimiter: the delimiter, or 0 to detect
 *
 * Reads the first MS_CSV_CHUNK_SIZE bytes to detect what was not given.
 *
 * Returns: (transfer full) (nullable): a reader, or %NULL with @error set
 */
MsCsvReader *
ms_csv_reader_new (GInputStream  *stream,
                   const char    *encoding,
                   gunichar       delimiter,
                   GCancellable  *cancellable,
                   GError       **error)
{
  g_autoptr(MsCsvReader) self = NULL;
  g_autofree char *detected = NULL;
  gsize n = 0;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);

  if (delimiter != 0 &&
      (delimiter >= 0x80 || delimiter == '"' || delimiter == '\n' || delimiter == '\r'))
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BAD_OPTION,
                   _("The delimiter must be one ASCII character other than a quote or line break."));
      return NULL;
    }

  self = g_new0 (MsCsvReader, 1);
  self->stream = g_object_ref (stream);
  self->conv = (GIConv) -1;
  self->line = 1;
  self->raw = g_malloc (MS_CSV_CHUNK_SIZE);
  self->rec = g_string_sized_new (4096);
  self->starts = g_new (gsize, MS_CSV_MAX_FIELDS);
  self->pointers = g_array_sized_new (FALSE, FALSE, sizeof (const char *), 32);
  self->lengths = g_array_sized_new (FALSE, FALSE, sizeof (gsize), 32);

  if (!g_input_stream_read_all (stream, self->raw, MS_CSV_CHUNK_SIZE, &n, cancellable, error))
    return NULL;
  self->raw_end = n;
  self->bytes_read = n;
  self->stream_eof = n < MS_CSV_CHUNK_SIZE;

  if (n == 0)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_EMPTY, _("The file is empty."));
      return NULL;
    }

  if (encoding == NULL || *encoding == '\0' || g_ascii_strcasecmp (encoding, "auto") == 0)
    {
      detected = ms_csv_detect_encoding (self->raw, n, self->stream_eof, NULL, error);
      if (detected == NULL)
        return NULL;
      encoding = detected;
    }

  if (!setup_decoding (self, encoding, error))
    return NULL;

  if (self->unit == 1 && detected == NULL && memchr (self->raw, 0, n) != NULL)
    {
      g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_BINARY,
                   _("This file contains NUL bytes, which %s text never has: "
                     "it is binary, or in another encoding."), self->encoding);
      return NULL;
    }

  if (!next_text (self, cancellable, error))
    {
      if (error == NULL || *error == NULL)
        g_set_error (error, MS_IMPORT_ERROR, MS_IMPORT_ERROR_ENCODING,
                     _("Nothing could be decoded as %s."), self->encoding);
      return NULL;
    }

  if (self->text_len >= 3 && memcmp (self->text, "\xEF\xBB\xBF", 3) == 0)
    {
      self->had_bom = TRUE;
      self->text_pos = 3;
    }

  if (delimiter == 0)
    delimiter = ms_csv_detect_delimiter (self->text + self->text_pos,
                                         self->text_len - self->text_pos,
                                         self->stream_eof && self->raw_start == self->raw_end,
                                         self->unit > 1);
  self->delimiter = (char) delimiter;

  return g_steal_pointer (&self);
}

void
ms_csv_reader_free (MsCsvReader *self)
{
  if (self == NULL)
    return;

  if (self->conv != (GIConv) -1)
    g_iconv_close (self->conv);
  g_clear_object (&self->stream);
  g_free (self->encoding);
  g_free (self->raw);
  g_free (self->text_buffer);
  g_string_free (self->rec, TRUE);
  g_free (self->starts);
  g_array_unref (self->pointers);
  g_array_unref (self->lengths);
  g_free (self);
}

const char *
ms_csv_reader_get_encoding (MsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->encoding;
}

gboolean
ms_csv_reader_get_had_bom (MsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->had_bom;
}

gunichar
ms_csv_reader_get_delimiter (MsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return (gunichar) self->delimiter;
}

/* Bytes taken from the stream so far (the detection sample comes first). */
guint64
ms_csv_reader_get_bytes_read (MsCsvReader *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->bytes_read;
}

/**
 * ms_csv_reader_next:
 *
 * Returns: (transfer none) (nullable): the next record, valid until the next
 *   call; %NULL at the end of the file or on error (then @error is set)
 */
const MsCsvRecord *
ms_csv_reader_next (MsCsvReader   *self,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_return_val_if_fail (self != NULL, NULL);

  for (;;)
    {
      g_autoptr(GError) local_error = NULL;

      if (self->text_pos < self->text_len && parse (self))
        return &self->record;

      if (!next_text (self, cancellable, &local_error))
        {
          if (local_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          if (!self->in_record)
            return NULL;

          if (self->state == STATE_QUOTED && self->status == MS_CSV_ROW_OK)
            self->status = MS_CSV_ROW_UNTERMINATED_QUOTE;
          finish_record (self);
          return &self->record;
        }
    }
}

/* fuzz-main.c
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

#define G_LOG_DOMAIN "fuzz-main"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib.h>

/* A driver for the fuzz targets when libFuzzer is not there (any compiler):
 *
 *   fuzz-TARGET [--mutate N] [--seed S] FILE|DIR...
 *
 * runs the target on every file, then on N inputs made from them by random
 * mutations (bit flips, inserted protocol tokens, cut and doubled ranges,
 * splices of two inputs) with a fixed seed, so a run is repeatable.  Built with
 * ASan it catches what the fuzzer would, only less cleverly; with clang,
 * tests/fuzz/run-libfuzzer.sh runs the real thing. */

int LLVMFuzzerTestOneInput (const guint8 *data,
                            size_t        size);

static const char *tokens[] = {
  "\r\n", "\n", " ", "(", ")", "[", "]", "{", "}", "\"", "\\", "*", "+", "~{",
  "{0}\r\n", "{5}\r\n", "{999999999}\r\n", "{18446744073709551616}\r\n",
  "* ", "A1 OK ", "NIL", "BODY[]", "BODY[]<0>", "UID", "FETCH", "OK [", "\0",
  "--", "\r\n\r\n", "Content-Type: multipart/report; boundary=", "message/delivery-status",
  "Final-Recipient: rfc822;", "Status: 5.1.1", "=?utf-8?B?", "=?", "?=",
};

static void
add_file (GPtrArray  *inputs,
          const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *name;

      if (dir == NULL)
        g_error ("%s", error->message);
      while ((name = g_dir_read_name (dir)) != NULL)
        g_ptr_array_add (names, g_build_filename (path, name, NULL));
      g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
      for (guint i = 0; i < names->len; i++)
        add_file (inputs, g_ptr_array_index (names, i));
      return;
    }
  if (!g_file_get_contents (path, &contents, &length, &error))
    g_error ("%s", error->message);
  g_ptr_array_add (inputs, g_bytes_new_take (contents, length));
}

static void
insert_bytes (GByteArray   *array,
              guint         pos,
              gsize         n,
              const guint8 *data)
{
  guint old = array->len;

  g_byte_array_set_size (array, old + n);
  memmove (array->data + pos + n, array->data + pos, old - pos);
  memcpy (array->data + pos, data, n);
}

static GByteArray *
mutate (GRand     *rand,
        GPtrArray *inputs)
{
  GBytes *base = g_ptr_array_index (inputs, g_rand_int_range (rand, 0, inputs->len));
  GByteArray *out = g_byte_array_new ();
  gsize length = 0;
  const guint8 *data = g_bytes_get_data (base, &length);
  guint rounds = g_rand_int_range (rand, 1, 6);

  g_byte_array_append (out, data, length);
  for (guint r = 0; r < rounds; r++)
    {
      guint pos = out->len > 0 ? g_rand_int_range (rand, 0, out->len + 1) : 0;

      switch (g_rand_int_range (rand, 0, 6))
        {
        case 0:  /* flip a bit */
          if (out->len > 0)
            out->data[MIN (pos, out->len - 1)] ^= 1 << g_rand_int_range (rand, 0, 8);
          break;
        case 1:  /* insert a token */
          {
            const char *token = tokens[g_rand_int_range (rand, 0, G_N_ELEMENTS (tokens))];
            gsize n = token[0] == '\0' ? 1 : strlen (token);

            insert_bytes (out, pos, n, (const guint8 *) token);
          }
          break;
        case 2:  /* cut a range */
          if (pos < out->len)
            g_byte_array_remove_range (out, pos, g_rand_int_range (rand, 0, out->len - pos + 1));
          break;
        case 3:  /* double a range */
          if (pos < out->len && out->len < 1 << 20)
            {
              guint n = g_rand_int_range (rand, 1, MIN (out->len - pos, 4096) + 1);
              g_autofree guint8 *copy = g_memdup2 (out->data + pos, n);

              insert_bytes (out, pos, n, copy);
            }
          break;
        case 4:  /* splice another input */
          {
            GBytes *other = g_ptr_array_index (inputs, g_rand_int_range (rand, 0, inputs->len));
            gsize other_length = 0;
            const guint8 *other_data = g_bytes_get_data (other, &other_length);
            guint from = other_length > 0 ? g_rand_int_range (rand, 0, other_length) : 0;

            g_byte_array_set_size (out, MIN (pos, out->len));
            g_byte_array_append (out, other_data + from, other_length - from);
          }
          break;
        default:  /* a random byte */
          {
            guint8 byte = g_rand_int_range (rand, 0, 256);

            insert_bytes (out, pos, 1, &byte);
          }
          break;
        }
    }
  return out;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) inputs = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  g_autoptr(GRand) rand = NULL;
  guint64 mutations = 0, seed = 1;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--mutate") == 0 && i + 1 < argc)
        mutations = g_ascii_strtoull (argv[++i], NULL, 10);
      else if (strcmp (argv[i], "--seed") == 0 && i + 1 < argc)
        seed = g_ascii_strtoull (argv[++i], NULL, 10);
      else
        add_file (inputs, argv[i]);
    }
  if (inputs->len == 0)
    {
      g_printerr ("usage: %s [--mutate N] [--seed S] FILE|DIR...\n", argv[0]);
      return 2;
    }

  for (guint i = 0; i < inputs->len; i++)
    {
      gsize length = 0;
      const guint8 *data = g_bytes_get_data (g_ptr_array_index (inputs, i), &length);

      LLVMFuzzerTestOneInput (data, length);
    }

  rand = g_rand_new_with_seed ((guint32) seed);
  for (guint64 n = 0; n < mutations; n++)
    {
      g_autoptr(GByteArray) input = mutate (rand, inputs);

      LLVMFuzzerTestOneInput (input->data, input->len);
    }
  g_print ("%u inputs and %" G_GUINT64_FORMAT " mutations ran without a fault\n",
           inputs->len, mutations);
  return 0;
}

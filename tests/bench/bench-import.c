/* bench-import.c
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

#define G_LOG_DOMAIN "bench-import"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <gio/gio.h>

#include "ms-importer.h"
#include "ms-store.h"

/* bench-import generate FILE ROWS
 *   writes a realistic contacts CSV: email, first name, last name, city,
 *   company, phone; about 80 bytes a row, some quoted, some non-ASCII.
 * bench-import import FILE DB
 *   imports FILE into a new database DB with ms_import_csv_sync() and prints
 *   the counts and the time. */

static const char *first_names[] = {
  "Anna", "Jürgen", "Maria", "Thomas", "Sophie", "Lukas", "Elena", "David", "Olga", "Ivan",
  "Zoë", "François", "Léa", "Mateo", "Aisha", "Kenji", "Ingrid", "Pavel", "Chloé", "Noah",
};
static const char *first_ascii[] = {
  "anna", "juergen", "maria", "thomas", "sophie", "lukas", "elena", "david", "olga", "ivan",
  "zoe", "francois", "lea", "mateo", "aisha", "kenji", "ingrid", "pavel", "chloe", "noah",
};
static const char *last_names[] = {
  "Müller", "Schmidt", "Smith", "Johnson", "Petrov", "Иванова", "García", "Rossi", "Dubois",
  "Nowak", "Jansen", "Kowalski", "O'Brien", "Nakamura", "Andersson", "Weber", "Wagner",
};
static const char *last_ascii[] = {
  "mueller", "schmidt", "smith", "johnson", "petrov", "ivanova", "garcia", "rossi", "dubois",
  "nowak", "jansen", "kowalski", "obrien", "nakamura", "andersson", "weber", "wagner",
};
static const char *cities[] = {
  "Berlin", "München", "Hamburg", "Köln", "London", "Manchester", "Paris", "Lyon", "Madrid",
  "Москва", "Санкт-Петербург", "Wien", "Zürich", "Amsterdam", "Warszawa", "Stockholm",
};
static const char *companies[] = {
  "Acme GmbH", "\"Schäfer, Söhne & Co\"", "Globex Ltd", "Initech", "Umbrella AG",
  "\"Smith, Jones and Partners\"", "ООО Ромашка", "Stark Industries", "Wayne Enterprises",
};
static const char *domains[] = {
  "example.com", "example.de", "mail.example.org", "example.co.uk", "beispiel.de", "пример.рф",
};

static int
generate (const char *path,
          guint       rows)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileOutputStream) out = NULL;
  g_autoptr(GString) buffer = g_string_sized_new (1 << 20);
  guint32 seed = 12345;

  out = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &error);
  if (out == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_string_append (buffer, "email,first name,last name,city,company,phone\r\n");
  for (guint i = 0; i < rows; i++)
    {
      guint f, l, c, k, d;

      seed = seed * 1103515245 + 12345;
      f = (seed >> 8) % G_N_ELEMENTS (first_names);
      l = (seed >> 13) % G_N_ELEMENTS (last_names);
      c = (seed >> 18) % G_N_ELEMENTS (cities);
      k = (seed >> 3) % G_N_ELEMENTS (companies);
      d = (seed >> 23) % G_N_ELEMENTS (domains);

      g_string_append_printf (buffer, "%s.%s%u@%s,%s,%s,%s,%s,+49 %03u %07u\r\n",
                              first_ascii[f], last_ascii[l], i, domains[d],
                              first_names[f], last_names[l], cities[c], companies[k],
                              (seed >> 5) % 1000, (i * 7919) % 10000000);

      if (buffer->len > (1 << 20) - 512 || i + 1 == rows)
        {
          if (!g_output_stream_write_all (G_OUTPUT_STREAM (out), buffer->str, buffer->len, NULL,
                                          NULL, &error))
            {
              g_printerr ("%s\n", error->message);
              return 1;
            }
          g_string_truncate (buffer, 0);
        }
    }

  if (!g_output_stream_close (G_OUTPUT_STREAM (out), NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  return 0;
}

static int
import (const char *path,
        const char *db_path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(MsStore) store = NULL;
  g_autoptr(MsImportResult) result = NULL;
  MsImportOptions options = { "Benchmark", NULL, 0, MS_DUPLICATE_UPDATE, NULL, 0 };
  gint64 start;
  double seconds;

  store = ms_store_open (db_path, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  start = g_get_monotonic_time ();
  result = ms_import_csv_sync (store, file, &options, NULL, NULL, NULL, NULL, &error);
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
  if (result == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  g_print ("imported %" G_GUINT64_FORMAT " updated %" G_GUINT64_FORMAT
           " skipped %" G_GUINT64_FORMAT " rejected %" G_GUINT64_FORMAT
           " encoding %s in %.3f s\n",
           result->imported, result->updated, result->skipped, result->rejected,
           result->encoding, seconds);
  return 0;
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");

  if (argc == 4 && strcmp (argv[1], "generate") == 0)
    return generate (argv[2], (guint) g_ascii_strtoull (argv[3], NULL, 10));
  if (argc == 4 && strcmp (argv[1], "import") == 0)
    return import (argv[2], argv[3]);

  g_printerr ("usage: %s generate FILE ROWS | import FILE DB\n", argv[0]);
  return 2;
}

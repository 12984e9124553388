/* bench-render.c
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


#define G_LOG_DOMAIN "bench-render"

#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include <glib.h>

#include "ms-message.h"

/* bench-render [MESSAGES] [rsa|ed25519]
 *   renders MESSAGES (default 20000) personalised ~5 KB Markdown messages
 *   to memory, one contact each, and prints messages/s and MB/s.  With rsa
 *   or ed25519 each message is also DKIM-signed (the key comes from
 *   `openssl genpkey`). */

static const char *first_names[] = {
  "Anna", "Jürgen", "Maria", "Thomas", "Sophie", "Lukas", "Elena", "David", "Olga", "Ivan",
  "Zoë", "François", "Léa", "Mateo", "Aisha", "Kenji", "Ingrid", "Pavel", "Chloé", "Noah",
};
static const char *last_names[] = {
  "Müller", "Schmidt", "Smith", "Johnson", "Petrov", "Иванова", "García", "Rossi", "Dubois",
  "Nowak", "Jansen", "Kowalski", "O'Brien", "Nakamura", "Andersson", "Weber", "Wagner",
};
static const char *cities[] = {
  "Berlin", "München", "Hamburg", "Köln", "London", "Manchester", "Paris", "Lyon", "Madrid",
  "Москва", "Санкт-Петербург", "Wien", "Zürich", "Amsterdam", "Warszawa", "Stockholm",
};

/* About 2.3 KB of Markdown: with its HTML rendering and the headers the
 * message is about 5 KB. */
static char *
make_body (void)
{
  GString *body = g_string_new ("# Spring news for {{first_name}}\n\n"
                                 "Dear {{display_name}},\n\n");

  for (guint i = 0; i < 5; i++)
    g_string_append_printf (body,
                            "## Section %u\n\n"
                            "Our team in **{{city | \"your city\"}}** has been busy. This paragraph "
                            "tells you about the things that happened this season, with a "
                            "[link to the details](https://example.org/news/%u?c={{email}}) "
                            "and a few words of *emphasis* to keep it realistic.\n\n"
                            "* First point about the product\n"
                            "* Second point, with `code` and more text\n\n",
                            i + 1, i + 1);
  g_string_append (body, "Kind regards,\nThe Example team\n");
  return g_string_free (body, FALSE);
}

static char *
generate_key (const char *kind)
{
  g_autofree char *openssl = g_find_program_in_path ("openssl");
  const char *rsa[] = { openssl, "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", NULL };
  const char *ed[] = { openssl, "genpkey", "-algorithm", "ED25519", NULL };
  char *out = NULL;
  int status = 0;

  if (openssl == NULL
      || !g_spawn_sync (NULL, (char **) (g_str_equal (kind, "rsa") ? rsa : ed), NULL,
                        G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    g_error ("openssl genpkey failed");
  return out;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MsTemplate) tmpl = ms_template_new ("bench");
  g_autoptr(MsMessageRenderer) renderer = NULL;
  g_autoptr(GPtrArray) contacts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *body = make_body ();
  MsMessageSender sender = { "news@example.org", "Example News", FALSE,
                             "unsubscribe@example.org", "bench-secret", "c1" };
  guint n = argc > 1 ? (guint) g_ascii_strtoull (argv[1], NULL, 10) : 20000;
  const char *dkim = argc > 2 ? argv[2] : NULL;
  guint64 total_bytes = 0;
  gint64 start, elapsed;

  setlocale (LC_ALL, "");
  if (n == 0)
    n = 20000;

  ms_template_set_subject (tmpl, "Spring news for {{first_name}} — Frühlingsgrüße");
  ms_template_set_body (tmpl, body);
  ms_template_set_sender_address (tmpl, "news@example.org");
  ms_template_set_sender_name (tmpl, "Example News");

  renderer = ms_message_renderer_new (tmpl, &sender, NULL, &error);
  if (renderer == NULL)
    g_error ("%s", error->message);
  if (dkim != NULL)
    {
      g_autofree char *key = generate_key (dkim);

      if (!ms_message_renderer_set_dkim (renderer, "example.org", "bench", key, &error))
        g_error ("%s", error->message);
    }

  for (guint i = 0; i < n; i++)
    {
      g_autofree char *email = g_strdup_printf ("person%u@example%u.com", i, i % 97);
      MsContact *contact = ms_contact_new (email);

      ms_contact_set_first_name (contact, first_names[i % G_N_ELEMENTS (first_names)]);
      ms_contact_set_last_name (contact, last_names[(i / 7) % G_N_ELEMENTS (last_names)]);
      if (i % 5 != 0)
        ms_contact_set_field (contact, "city", cities[(i / 3) % G_N_ELEMENTS (cities)]);
      g_ptr_array_add (contacts, contact);
    }

  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    {
      char message_id[64];
      g_autoptr(GBytes) message = NULL;

      g_snprintf (message_id, sizeof message_id, "%u.bench@example.org", i);
      message = ms_message_renderer_render (renderer, g_ptr_array_index (contacts, i),
                                            message_id, &error);
      if (message == NULL)
        g_error ("%s", error->message);
      total_bytes += g_bytes_get_size (message);
    }
  elapsed = g_get_monotonic_time () - start;

  printf ("rendered %u messages (%s), average %.0f bytes, in %.3f s: %.0f messages/s, %.1f MB/s\n",
          n, dkim != NULL ? dkim : "no DKIM", (double) total_bytes / n, elapsed / 1e6,
          n / (elapsed / 1e6), total_bytes / (elapsed / 1e6) / 1e6);
  return 0;
}

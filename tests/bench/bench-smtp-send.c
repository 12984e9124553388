/* bench-smtp-send.c
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

#define G_LOG_DOMAIN "bench-smtp-send"

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <gio/gio.h>

#include "ms-smtp-client.h"

/* Sends COUNT messages of about SIZE bytes over one SMTP connection, the way the
 * delivery engine does (envelope, body, final dot as separate steps), and prints
 * the time: "COUNT messages SECONDS s RATE msg/s".
 *
 * Usage: bench-smtp-send HOST PORT COUNT SIZE */

static GBytes *
make_message (gsize size)
{
  GString *text = g_string_new ("From: Bench <bench@example.org>\r\n"
                                "To: <rcpt@example.org>\r\n"
                                "Subject: Benchmark message\r\n"
                                "Message-ID: <bench@example.org>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "\r\n");
  guint line;

  /* Every 20th line starts with a dot, to be stuffed. */
  for (line = 0; text->len < size; line++)
    g_string_append_printf (text, "%s%05u Lorem ipsum dolor sit amet, consectetur adipiscing elit.\r\n",
                            line % 20 == 0 ? "." : "", line);
  return g_string_free_to_bytes (text);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(MsSmtpClient) client = NULL;
  g_autoptr(GBytes) message = NULL;
  g_autoptr(GError) error = NULL;
  const char * const rcpts[] = { "rcpt@example.org", NULL };
  guint64 port, count, size;
  gint64 start;
  double seconds;
  const guint8 *data;
  gsize length;

  if (argc != 5
      || !g_ascii_string_to_unsigned (argv[2], 10, 1, 65535, &port, NULL)
      || !g_ascii_string_to_unsigned (argv[3], 10, 1, G_MAXUINT, &count, NULL)
      || !g_ascii_string_to_unsigned (argv[4], 10, 100, 100 * 1024 * 1024, &size, NULL))
    {
      g_printerr ("usage: %s HOST PORT COUNT SIZE\n", argv[0]);
      return 2;
    }

  message = make_message (size);
  data = g_bytes_get_data (message, &length);
  client = ms_smtp_client_new (argv[1], (guint16) port, MS_SECURITY_NONE);

  start = g_get_monotonic_time ();
  if (!ms_smtp_client_connect (client, NULL, &error))
    goto fail;
  for (guint64 i = 0; i < count; i++)
    {
      if (!ms_smtp_client_begin_message (client, "bench@example.org", rcpts, length,
                                         MS_SMTP_MAIL_DEFAULT, NULL, NULL, &error)
          || !ms_smtp_client_data_write_body (client, data, length, NULL, &error)
          || !ms_smtp_client_data_finish (client, NULL, &error))
        goto fail;
    }
  if (!ms_smtp_client_quit (client, NULL, &error))
    goto fail;
  seconds = (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;

  g_print ("%" G_GUINT64_FORMAT " messages of %" G_GSIZE_FORMAT " bytes %.3f s %.0f msg/s\n",
           count, length, seconds, count / seconds);
  return 0;

fail:
  g_printerr ("%s\n", error->message);
  return 1;
}

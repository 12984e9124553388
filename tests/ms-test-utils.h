/* ms-test-utils.h
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
#include <libsoup/soup.h>

#include "ms-domain-check.h"

G_BEGIN_DECLS

/* Shared by the tests: waiting on the main context, temporary folders, the test
 * certificates, the scriptable test servers run as subprocesses, an HTTP server on
 * loopback and DNS answered from a table.  No GTK: the core tests use them too. */

#define MS_TEST_PYTHON "/usr/bin/python3"

typedef gboolean (*MsTestCondition) (gpointer data);

void               ms_test_set_wait_timeout         (guint                seconds);
void               ms_test_wait_until               (MsTestCondition      condition,
                                                     gpointer             data,
                                                     const char          *what);
gboolean           ms_test_is_destroyed             (gpointer             data);
void               ms_test_hide_debug               (const char          *domain,
                                                     ...) G_GNUC_NULL_TERMINATED;

char              *ms_test_make_tmp_dir             (const char          *tmpl);
char              *ms_test_make_built_dir           (const char          *tmpl);
void               ms_test_remove_tmp_dir           (const char          *dir);
void               ms_test_create_database          (const char          *path);
char              *ms_test_make_certificates        (const char          *parent_dir);

const MsCheckItem *ms_test_find_check_item          (GPtrArray           *items,
                                                     const char          *id);

/* A test server of tests/servers/ that prints its port and exits when its
 * standard input closes. */
typedef struct
{
  GSubprocess *process;
  guint16      port;
  char        *dir;      /* where it records, or NULL */
} MsTestServer;

MsTestServer      *ms_test_server_start             (const char          *script,
                                                     const char          *record_dir,
                                                     ...) G_GNUC_NULL_TERMINATED;
MsTestServer      *ms_test_server_start_valist      (const char          *script,
                                                     const char          *record_dir,
                                                     const char          *first,
                                                     va_list              args);
MsTestServer      *ms_test_server_startv            (const char          *script,
                                                     const char          *record_dir,
                                                     const char * const  *args);
char              *ms_test_server_dup_file          (MsTestServer        *srv,
                                                     const char          *name,
                                                     gsize               *length);
char              *ms_test_server_dup_transcript    (MsTestServer        *srv);
void               ms_test_server_free              (MsTestServer        *srv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MsTestServer, ms_test_server_free)

/* An HTTP server on 127.0.0.1, on a thread and main context of its own. */
typedef struct _MsTestHttpServer MsTestHttpServer;

typedef void (*MsTestHttpHandler) (MsTestHttpServer  *server,
                                   SoupServerMessage *msg,
                                   const char        *path,
                                   GHashTable        *query,
                                   gpointer           user_data);

MsTestHttpServer  *ms_test_http_server_start        (MsTestHttpHandler    handler,
                                                     gpointer             user_data);
void               ms_test_http_server_stop         (MsTestHttpServer    *self);
const char        *ms_test_http_server_get_base     (MsTestHttpServer    *self);
gboolean           ms_test_http_server_was_asked    (MsTestHttpServer    *self,
                                                     const char          *path);
void               ms_test_http_server_answer_later (MsTestHttpServer    *self,
                                                     SoupServerMessage   *msg,
                                                     guint                delay_ms,
                                                     GSourceFunc          answer);

/* DNS from a table: a GResolver set as the default. */
typedef struct
{
  const char *name;
  const char *type;    /* "A" (IPv4 or IPv6), "MX", "TXT" (strings split at '|'), "SRV",
                        * "FAIL" (a temporary failure), "SLOW" (records of the name and
                        * its subdomains answered after ten seconds or when cancelled) */
  const char *value;
} MsTestDnsRow;

#define MS_TEST_TYPE_TABLE_RESOLVER (ms_test_table_resolver_get_type ())

G_DECLARE_FINAL_TYPE (MsTestTableResolver, ms_test_table_resolver, MS_TEST, TABLE_RESOLVER, GResolver)

void               ms_test_set_dns_table            (const MsTestDnsRow  *rows,
                                                     gsize                n_rows);

G_END_DECLS

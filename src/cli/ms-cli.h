/* ms-cli.h
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

#include "ms-contact.h"
#include "ms-json.h"
#include "ms-secrets.h"
#include "ms-store.h"

G_BEGIN_DECLS

/* Exit codes of mailshot-cli. */
#define MS_CLI_EXIT_OK    0
#define MS_CLI_EXIT_ERROR 1
#define MS_CLI_EXIT_USAGE 2

typedef struct _MsCli MsCli;
typedef struct _MsCliArgs MsCliArgs;
typedef struct _MsCliCommand MsCliCommand;

/* An option of a leaf command, written --name, --name VALUE or --name=VALUE. */
typedef struct
{
  const char *name;         /* without the dashes */
  const char *arg_name;     /* placeholder such as "NAME"; NULL for a flag */
  const char *help;         /* N_() */
} MsCliOption;

typedef int (*MsCliRunFunc) (MsCli           *cli,
                             const MsCliArgs *args);

/* A node of the command tree.  A group has subcommands (and maybe a default
 * one, run when the group is given alone); a leaf has a run function, its
 * options and the number of positional arguments it takes.  Later features
 * add their own group (a "server", "template", ... table) to the root. */
struct _MsCliCommand
{
  const char                 *name;
  const char                 *summary;       /* N_(), one line */
  const char                 *description;   /* N_(), shown by --help; may be NULL */

  /* leaf */
  MsCliRunFunc                run;
  const char                 *synopsis;      /* positional arguments and options */
  const MsCliOption          *options;       /* ends with a zeroed entry; may be NULL */
  int                         min_args;
  int                         max_args;      /* -1: no limit */

  /* group */
  const MsCliCommand *const  *subcommands;   /* NULL-terminated */
  const char                 *default_subcommand;
};

extern const MsCliCommand ms_cli_bounces_command;
/* ms-cli-bounces-check.c: "bounces check", listed in the bounces table */
extern const MsCliCommand ms_cli_bounces_check_command;
extern const MsCliCommand ms_cli_campaign_command;
extern const MsCliCommand ms_cli_contacts_command;
extern const MsCliCommand ms_cli_lists_command;
extern const MsCliCommand ms_cli_server_command;
/* ms-cli-detect.c: "server detect" and "server check-domain", listed in the server table */
extern const MsCliCommand ms_cli_server_detect_command;
extern const MsCliCommand ms_cli_server_check_domain_command;
extern const MsCliCommand ms_cli_template_command;

/* Parsed arguments of a leaf command. */
guint         ms_cli_args_get_n_positional (const MsCliArgs *args);
const char   *ms_cli_args_get_positional   (const MsCliArgs *args,
                                            guint            index);
const char   *ms_cli_args_get_option       (const MsCliArgs *args,
                                            const char      *name);
/* Every value of an option given more than once, in order; NULL-terminated
 * (empty when the option was not given).  get_option() returns the last one. */
const char * const *ms_cli_args_get_option_values (const MsCliArgs *args,
                                                   const char      *name);

/* The session. */
gboolean      ms_cli_get_json              (MsCli           *cli);
char         *ms_cli_dup_db_path           (MsCli           *cli);
MsStore      *ms_cli_get_store             (MsCli           *cli,
                                            GError         **error);

/* Buffered standard output.  Once the reader has gone away (EPIPE) output is
 * dropped quietly and ms_cli_output_closed() turns TRUE, so long listings can
 * stop early; other write errors are reported when the command ends. */
void          ms_cli_print                 (MsCli           *cli,
                                            const char      *format,
                                            ...) G_GNUC_PRINTF (2, 3);
void          ms_cli_write                 (MsCli           *cli,
                                            const char      *text,
                                            gssize           length);
gboolean      ms_cli_output_closed         (MsCli           *cli);
/* @text padded with spaces to @width characters (printf's %-22s counts bytes,
 * which misaligns Cyrillic and umlauts). */
char         *ms_cli_pad                   (const char      *text,
                                            guint            width);
gboolean      ms_cli_flush                 (MsCli           *cli);
void          ms_cli_print_json            (MsCli           *cli,
                                            MsJsonWriter    *writer);

/* Messages on standard error.  Each returns the exit code to hand back. */
void          ms_cli_message               (const char      *format,
                                            ...) G_GNUC_PRINTF (1, 2);
int           ms_cli_fail                  (MsCli           *cli,
                                            const GError    *error);
int           ms_cli_failf                 (MsCli           *cli,
                                            const char      *format,
                                            ...) G_GNUC_PRINTF (2, 3);
int           ms_cli_usage_error           (MsCli           *cli,
                                            const char      *format,
                                            ...) G_GNUC_PRINTF (2, 3);

/* Shared helpers for the commands. */
gboolean      ms_cli_parse_status          (MsCli           *cli,
                                            const char      *text,
                                            MsContactStatus *out_status,
                                            int             *out_exit);
char         *ms_cli_normalize_address     (const char      *text,
                                            GError         **error);
void          ms_cli_write_contact_json    (MsJsonWriter    *writer,
                                            MsContact       *contact);

/* ms-cli-server.c: the secret store next to the database in use. */
MsSecrets    *ms_cli_open_secrets          (MsCli           *cli);

/* ms-cli-import.c */
int           ms_cli_run_contacts_import   (MsCli           *cli,
                                            const MsCliArgs *args);

G_END_DECLS

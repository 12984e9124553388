/* mailshot-cli.c
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

#define G_LOG_DOMAIN "mailshot-cli"

#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ms-address.h"
#include "ms-cli.h"

#define PROGRAM_NAME "mailshot-cli"
#define OUTPUT_BUFFER_SIZE (64 * 1024)
#define HELP_WIDTH 79

struct _MsCli
{
  char      *db_path;        /* from --db */
  gboolean   json;
  MsStore   *store;

  GString   *command_path;   /* "mailshot-cli contacts import", for hints */

  gboolean   output_closed;  /* the reader went away (EPIPE) */
  int        output_errno;   /* any other write error */
};

struct _MsCliArgs
{
  GPtrArray  *positional;    /* of borrowed char * */
  GHashTable *options;       /* name -> borrowed value ("" for flags) */
  GHashTable *all_values;    /* name -> GPtrArray of every value, for repeated options */
};

static const MsCliCommand *const root_subcommands[] = {
  &ms_cli_bounces_command,
  &ms_cli_campaign_command,
  &ms_cli_contacts_command,
  &ms_cli_lists_command,
  &ms_cli_server_command,
  &ms_cli_template_command,
  NULL
};

static const MsCliCommand root_command = {
  .name = PROGRAM_NAME,
  .summary = N_("Manage Mailshot’s contacts, lists, server profiles and templates from the "
                "command line."),
  .description = N_("The database is the file given with --db, else $MAILSHOT_DB, else the "
                    "one the Mailshot application uses. Exit status: 0 on success, 1 on "
                    "an error, 2 on a usage error. With --json, results are written as "
                    "JSON on standard output; messages stay on standard error."),
  .subcommands = root_subcommands,
};

/* Output */

static void
note_write_error (MsCli *self)
{
  int errsv = errno;

  if (errsv == EPIPE)
    self->output_closed = TRUE;
  else if (self->output_errno == 0)
    self->output_errno = errsv != 0 ? errsv : EIO;
}

void
ms_cli_write (MsCli      *self,
              const char *text,
              gssize      length)
{
  gsize len;

  if (self->output_closed || self->output_errno != 0)
    return;
  len = length < 0 ? strlen (text) : (gsize) length;
  if (len == 0)
    return;
  errno = 0;
  if (fwrite (text, 1, len, stdout) != len)
    note_write_error (self);
}

void
ms_cli_print (MsCli      *self,
              const char *format,
              ...)
{
  g_autofree char *text = NULL;
  va_list args;

  if (self->output_closed || self->output_errno != 0)
    return;
  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  ms_cli_write (self, text, -1);
}

char *
ms_cli_pad (const char *text,
            guint       width)
{
  glong chars = g_utf8_strlen (text, -1);
  GString *out = g_string_new (text);

  for (glong i = chars; i < (glong) width; i++)
    g_string_append_c (out, ' ');
  return g_string_free (out, FALSE);
}

gboolean
ms_cli_output_closed (MsCli *self)
{
  return self->output_closed || self->output_errno != 0;
}

gboolean
ms_cli_flush (MsCli *self)
{
  if (!self->output_closed && self->output_errno == 0)
    {
      errno = 0;
      if (fflush (stdout) != 0)
        note_write_error (self);
    }
  return !self->output_closed && self->output_errno == 0;
}

void
ms_cli_print_json (MsCli        *self,
                   MsJsonWriter *writer)
{
  ms_cli_write (self, ms_json_writer_get_string (writer), -1);
  ms_cli_write (self, "\n", 1);
}

/* Messages */

static void
vmessage (const char *format,
          va_list     args)
{
  g_autofree char *text = g_strdup_vprintf (format, args);

  fflush (stdout);
  fprintf (stderr, "%s: %s\n", PROGRAM_NAME, text);
  fflush (stderr);
}

void
ms_cli_message (const char *format,
                ...)
{
  va_list args;

  va_start (args, format);
  vmessage (format, args);
  va_end (args);
}

int
ms_cli_fail (MsCli        *self,
             const GError *error)
{
  ms_cli_message ("%s", error->message);
  return MS_CLI_EXIT_ERROR;
}

int
ms_cli_failf (MsCli      *self,
              const char *format,
              ...)
{
  va_list args;

  va_start (args, format);
  vmessage (format, args);
  va_end (args);
  return MS_CLI_EXIT_ERROR;
}

static void
print_try_help (MsCli *self)
{
  /* TRANSLATORS: %s is a command such as "mailshot-cli contacts import" */
  fprintf (stderr, _("Try “%s --help” for more information."), self->command_path->str);
  fputc ('\n', stderr);
  fflush (stderr);
}

int
ms_cli_usage_error (MsCli      *self,
                    const char *format,
                    ...)
{
  va_list args;

  va_start (args, format);
  vmessage (format, args);
  va_end (args);
  print_try_help (self);
  return MS_CLI_EXIT_USAGE;
}

/* Session */

gboolean
ms_cli_get_json (MsCli *self)
{
  return self->json;
}

char *
ms_cli_dup_db_path (MsCli *self)
{
  const char *env;

  if (self->db_path != NULL)
    return g_strdup (self->db_path);
  env = g_getenv ("MAILSHOT_DB");
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);
  return ms_store_default_path ();
}

MsStore *
ms_cli_get_store (MsCli   *self,
                  GError **error)
{
  if (self->store == NULL)
    {
      g_autofree char *path = ms_cli_dup_db_path (self);

      self->store = ms_store_open (path, error);
    }
  return self->store;
}

/* Arguments */

guint
ms_cli_args_get_n_positional (const MsCliArgs *args)
{
  return args->positional->len;
}

const char *
ms_cli_args_get_positional (const MsCliArgs *args,
                            guint            index)
{
  g_return_val_if_fail (index < args->positional->len, NULL);

  return g_ptr_array_index (args->positional, index);
}

const char *
ms_cli_args_get_option (const MsCliArgs *args,
                        const char      *name)
{
  return g_hash_table_lookup (args->options, name);
}

const char * const *
ms_cli_args_get_option_values (const MsCliArgs *args,
                               const char      *name)
{
  static const char *const none[] = { NULL };
  GPtrArray *values = g_hash_table_lookup (args->all_values, name);

  return values != NULL ? (const char * const *) values->pdata : none;
}

static void
add_option_value (MsCliArgs  *args,
                  const char *name,
                  const char *value)
{
  GPtrArray *values = g_hash_table_lookup (args->all_values, name);

  g_hash_table_insert (args->options, (gpointer) name, (gpointer) value);
  if (values == NULL)
    {
      values = g_ptr_array_new ();
      g_ptr_array_add (values, NULL);
      g_hash_table_insert (args->all_values, (gpointer) name, values);
    }
  g_ptr_array_index (values, values->len - 1) = (gpointer) value;
  g_ptr_array_add (values, NULL);
}

/* Shared helpers */

gboolean
ms_cli_parse_status (MsCli           *self,
                     const char      *text,
                     MsContactStatus *out_status,
                     int             *out_exit)
{
  if (ms_contact_status_from_string (text, out_status))
    return TRUE;
  *out_exit = ms_cli_usage_error (self,
                                  _("“%s” is not a contact status: use active, unsubscribed, "
                                    "bounced or complained."),
                                  text);
  return FALSE;
}

char *
ms_cli_normalize_address (const char  *text,
                          GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  char *address;

  address = ms_address_normalize (text, &local_error);
  if (address == NULL)
    g_set_error (error, MS_ADDRESS_ERROR, local_error->code,
                 _("“%s” is not a valid address: %s"), text, local_error->message);
  return address;
}

void
ms_cli_write_contact_json (MsJsonWriter *writer,
                           MsContact    *contact)
{
  g_auto(GStrv) names = ms_contact_dup_field_names (contact);
  gint64 status_time = ms_contact_get_status_time (contact);

  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "id");
  ms_json_writer_int (writer, ms_contact_get_id (contact));
  ms_json_writer_key (writer, "email");
  ms_json_writer_string (writer, ms_contact_get_email (contact));
  ms_json_writer_key (writer, "name");
  ms_json_writer_string (writer, ms_contact_get_name (contact));
  ms_json_writer_key (writer, "first_name");
  ms_json_writer_string (writer, ms_contact_get_first_name (contact));
  ms_json_writer_key (writer, "last_name");
  ms_json_writer_string (writer, ms_contact_get_last_name (contact));
  ms_json_writer_key (writer, "status");
  ms_json_writer_string (writer, ms_contact_status_to_string (ms_contact_get_status (contact)));
  ms_json_writer_key (writer, "status_reason");
  ms_json_writer_string (writer, ms_contact_get_status_reason (contact));
  ms_json_writer_key (writer, "status_time");
  if (status_time > 0)
    {
      g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (status_time);
      g_autofree char *iso = dt != NULL ? g_date_time_format_iso8601 (dt) : NULL;

      ms_json_writer_string (writer, iso);
    }
  else
    {
      ms_json_writer_null (writer);
    }
  ms_json_writer_key (writer, "fields");
  ms_json_writer_begin_object (writer);
  for (guint i = 0; names[i] != NULL; i++)
    {
      ms_json_writer_key (writer, names[i]);
      ms_json_writer_string (writer, ms_contact_get_field (contact, names[i]));
    }
  ms_json_writer_end_object (writer);
  ms_json_writer_end_object (writer);
}

/* Help */

static gboolean
is_group (const MsCliCommand *command)
{
  return command->subcommands != NULL;
}

/* Appends @text word-wrapped to HELP_WIDTH columns; @column is where the
 * cursor is now, later lines start at @indent. */
static void
append_wrapped (GString    *out,
                const char *text,
                int         column,
                int         indent)
{
  g_auto(GStrv) words = g_strsplit (text, " ", -1);
  gboolean first = TRUE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      int len = (int) g_utf8_strlen (words[i], -1);

      if (words[i][0] == '\0')
        continue;
      if (!first && column + 1 + len > HELP_WIDTH)
        {
          g_string_append_printf (out, "\n%*s", indent, "");
          column = indent;
        }
      else if (!first)
        {
          g_string_append_c (out, ' ');
          column++;
        }
      g_string_append (out, words[i]);
      column += len;
      first = FALSE;
    }
  g_string_append_c (out, '\n');
}

static void
append_row (GString    *out,
            int         width,
            const char *left,
            const char *right)
{
  int pad = width - (int) g_utf8_strlen (left, -1);

  g_string_append_printf (out, "  %s%*s  ", left, MAX (pad, 0), "");
  append_wrapped (out, right, width + 4, width + 4);
}

static int
options_width (const MsCliOption *options)
{
  int width = (int) strlen ("-h, --help");

  for (guint i = 0; options != NULL && options[i].name != NULL; i++)
    {
      int w = 2 + (int) strlen (options[i].name);

      if (options[i].arg_name != NULL)
        w += 1 + (int) strlen (options[i].arg_name);
      width = MAX (width, w);
    }
  return width;
}

static void
append_options (GString           *out,
                int                width,
                const MsCliOption *options)
{
  for (guint i = 0; options != NULL && options[i].name != NULL; i++)
    {
      g_autofree char *left = NULL;

      if (options[i].arg_name != NULL)
        left = g_strdup_printf ("--%s %s", options[i].name, options[i].arg_name);
      else
        left = g_strdup_printf ("--%s", options[i].name);
      append_row (out, width, left, _(options[i].help));
    }
}

static const MsCliOption global_options[] = {
  { "db", "FILE", N_("Use the database FILE") },
  { "json", NULL, N_("Write results as JSON on standard output") },
  { NULL, NULL, NULL }
};

static char *
format_help (MsCli              *self,
             const MsCliCommand *command)
{
  GString *out = g_string_new (NULL);
  int width = MAX (options_width (command->options), options_width (global_options));

  g_string_append_printf (out, "%s\n  %s [--db FILE] [--json]", _("Usage:"), PROGRAM_NAME);
  if (self->command_path->len > strlen (PROGRAM_NAME))
    g_string_append (out, self->command_path->str + strlen (PROGRAM_NAME));
  if (is_group (command))
    g_string_append (out, command->default_subcommand != NULL ? " [COMMAND …]" : " COMMAND …");
  else if (command->synopsis != NULL && command->synopsis[0] != '\0')
    g_string_append_printf (out, " %s", command->synopsis);
  g_string_append (out, "\n\n");

  append_wrapped (out, _(command->summary), 0, 0);
  if (command->description != NULL)
    {
      g_string_append_c (out, '\n');
      append_wrapped (out, _(command->description), 0, 0);
    }

  if (is_group (command))
    {
      int cwidth = 0;

      for (guint i = 0; command->subcommands[i] != NULL; i++)
        cwidth = MAX (cwidth, (int) strlen (command->subcommands[i]->name));
      g_string_append_printf (out, "\n%s\n", _("Commands:"));
      for (guint i = 0; command->subcommands[i] != NULL; i++)
        append_row (out, cwidth, command->subcommands[i]->name,
                    _(command->subcommands[i]->summary));
      if (command->default_subcommand != NULL)
        {
          g_string_append_c (out, '\n');
          /* TRANSLATORS: the first %s is a command group, the second its default command */
          g_string_append_printf (out, _("“%s” alone runs “%s”."), command->name,
                                  command->default_subcommand);
          g_string_append_c (out, '\n');
        }
    }
  else if (command->options != NULL && command->options[0].name != NULL)
    {
      g_string_append_printf (out, "\n%s\n", _("Options:"));
      append_options (out, width, command->options);
    }

  g_string_append_printf (out, "\n%s\n", _("Global options (anywhere on the command line):"));
  append_options (out, width, global_options);
  append_row (out, width, "-h, --help", _("Show this help"));
  append_row (out, width, "--version", _("Show the version"));

  if (is_group (command))
    {
      g_string_append_c (out, '\n');
      /* TRANSLATORS: %s is a command such as "mailshot-cli contacts" */
      g_string_append_printf (out, _("Run “%s COMMAND --help” for the options of a command."),
                              self->command_path->str);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* Parsing */

static const MsCliCommand *
find_subcommand (const MsCliCommand *group,
                 const char         *name)
{
  for (guint i = 0; group->subcommands[i] != NULL; i++)
    {
      if (g_strcmp0 (group->subcommands[i]->name, name) == 0)
        return group->subcommands[i];
    }
  return NULL;
}

static const MsCliOption *
find_option (const MsCliCommand *command,
             const char         *name,
             gsize               name_len)
{
  for (guint i = 0; command->options != NULL && command->options[i].name != NULL; i++)
    {
      if (strlen (command->options[i].name) == name_len
          && strncmp (command->options[i].name, name, name_len) == 0)
        return &command->options[i];
    }
  return NULL;
}

static void
enter_command (MsCli              *self,
               const MsCliCommand *command)
{
  g_string_append_printf (self->command_path, " %s", command->name);
}

typedef struct
{
  const MsCliCommand *command;
  gboolean            help;
  gboolean            version;
} ParseState;

/* Handles one option of the leaf command; returns an exit code or -1 to go on. */
static int
parse_leaf_option (MsCli               *self,
                   const ParseState    *state,
                   MsCliArgs           *args,
                   char               **argv,
                   int                  argc,
                   int                 *index)
{
  const char *arg = argv[*index];
  const char *name = arg + 2;
  const char *eq = strchr (name, '=');
  gsize name_len = eq != NULL ? (gsize) (eq - name) : strlen (name);
  const MsCliOption *option = NULL;

  if (g_str_has_prefix (arg, "--") && !is_group (state->command))
    option = find_option (state->command, name, name_len);
  if (option == NULL)
    return ms_cli_usage_error (self, _("Unknown option “%s”."), arg);

  if (option->arg_name == NULL)
    {
      if (eq != NULL)
        return ms_cli_usage_error (self, _("The option “--%s” takes no value."), option->name);
      add_option_value (args, option->name, "");
    }
  else if (eq != NULL)
    {
      add_option_value (args, option->name, eq + 1);
    }
  else if (*index + 1 < argc)
    {
      *index += 1;
      add_option_value (args, option->name, argv[*index]);
    }
  else
    {
      return ms_cli_usage_error (self, _("The option “--%s” needs a value (%s)."),
                                 option->name, option->arg_name);
    }
  return -1;
}

/* Handles a global option; returns TRUE if @argv[*index] was one. */
static gboolean
parse_global_option (MsCli       *self,
                     ParseState  *state,
                     char       **argv,
                     int          argc,
                     int         *index,
                     int         *out_exit)
{
  const char *arg = argv[*index];

  *out_exit = -1;
  if (g_str_equal (arg, "--json"))
    self->json = TRUE;
  else if (g_str_equal (arg, "-h") || g_str_equal (arg, "--help"))
    state->help = TRUE;
  else if (g_str_equal (arg, "--version"))
    state->version = TRUE;
  else if (g_str_equal (arg, "--db") || g_str_has_prefix (arg, "--db="))
    {
      const char *value = NULL;

      if (arg[4] == '=')
        value = arg + 5;
      else if (*index + 1 < argc)
        value = argv[++(*index)];
      if (value == NULL || value[0] == '\0')
        *out_exit = ms_cli_usage_error (self, _("The option “--%s” needs a value (%s)."),
                                        "db", "FILE");
      g_free (self->db_path);
      self->db_path = g_strdup (value);
    }
  else
    return FALSE;
  return TRUE;
}

static int
parse_command_line (MsCli       *self,
                    ParseState  *state,
                    MsCliArgs   *args,
                    int          argc,
                    char       **argv)
{
  gboolean only_positional = FALSE;

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      int exit_code;

      if (!only_positional && g_str_equal (arg, "--"))
        {
          only_positional = TRUE;
          continue;
        }
      if (!only_positional && arg[0] == '-' && arg[1] != '\0')
        {
          if (parse_global_option (self, state, argv, argc, &i, &exit_code))
            {
              if (exit_code >= 0)
                return exit_code;
              continue;
            }
          if ((exit_code = parse_leaf_option (self, state, args, argv, argc, &i)) >= 0)
            return exit_code;
          continue;
        }

      if (is_group (state->command))
        {
          const MsCliCommand *sub = find_subcommand (state->command, arg);

          if (sub == NULL)
            return ms_cli_usage_error (self, _("Unknown command “%s”."), arg);
          state->command = sub;
          enter_command (self, sub);
          continue;
        }
      g_ptr_array_add (args->positional, (gpointer) arg);
    }
  return -1;
}

static int
check_arguments (MsCli              *self,
                 const MsCliCommand *command,
                 const MsCliArgs    *args)
{
  int n = (int) args->positional->len;

  if (n < command->min_args)
    return ms_cli_usage_error (self, _("Missing argument. Usage: %s %s"),
                               self->command_path->str, command->synopsis);
  if (command->max_args >= 0 && n > command->max_args)
    return ms_cli_usage_error (self, _("Unexpected argument “%s”."),
                               (const char *) g_ptr_array_index (args->positional,
                                                                 command->max_args));
  return -1;
}

static int
run (MsCli  *self,
     int     argc,
     char  **argv)
{
  ParseState state = { &root_command, FALSE, FALSE };
  MsCliArgs args;
  int exit_code;

  args.positional = g_ptr_array_new ();
  args.options = g_hash_table_new (g_str_hash, g_str_equal);
  args.all_values = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                           (GDestroyNotify) g_ptr_array_unref);

  if ((exit_code = parse_command_line (self, &state, &args, argc, argv)) >= 0)
    goto out;

  if (state.version)
    {
      ms_cli_print (self, "%s %s\n", PROGRAM_NAME, PACKAGE_VERSION);
      exit_code = MS_CLI_EXIT_OK;
      goto out;
    }
  if (state.help)
    {
      g_autofree char *help = format_help (self, state.command);

      ms_cli_write (self, help, -1);
      exit_code = MS_CLI_EXIT_OK;
      goto out;
    }

  if (is_group (state.command) && state.command->default_subcommand != NULL)
    {
      state.command = find_subcommand (state.command, state.command->default_subcommand);
      g_assert (state.command != NULL);
      enter_command (self, state.command);
    }
  if (is_group (state.command))
    {
      g_autofree char *help = format_help (self, state.command);

      if (state.command == &root_command)
        ms_cli_message ("%s", _("No command given."));
      else
        ms_cli_message ("%s", _("Missing command."));
      fputs (help, stderr);
      exit_code = MS_CLI_EXIT_USAGE;
      goto out;
    }

  if ((exit_code = check_arguments (self, state.command, &args)) >= 0)
    goto out;
  exit_code = state.command->run (self, &args);

out:
  g_hash_table_unref (args.all_values);
  g_hash_table_unref (args.options);
  g_ptr_array_unref (args.positional);
  return exit_code;
}

int
main (int    argc,
      char **argv)
{
  MsCli cli = { 0 };
  int exit_code;

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname (PROGRAM_NAME);

  /* Write errors on a closed pipe come back as EPIPE and end the output quietly. */
  signal (SIGPIPE, SIG_IGN);
  if (!isatty (STDOUT_FILENO))
    setvbuf (stdout, NULL, _IOFBF, OUTPUT_BUFFER_SIZE);

  cli.command_path = g_string_new (PROGRAM_NAME);
  exit_code = run (&cli, argc, argv);

  if (!ms_cli_flush (&cli) && cli.output_errno != 0 && exit_code == MS_CLI_EXIT_OK)
    exit_code = ms_cli_failf (&cli, _("Could not write the output: %s"),
                              g_strerror (cli.output_errno));

  g_clear_object (&cli.store);
  g_string_free (cli.command_path, TRUE);
  g_free (cli.db_path);
  return exit_code;
}

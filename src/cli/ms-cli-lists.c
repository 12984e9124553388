/* ms-cli-lists.c
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

#include <inttypes.h>

#include <glib/gi18n.h>

#include "ms-cli.h"

static void
write_list_json (MsJsonWriter  *writer,
                 MsContactList *list)
{
  ms_json_writer_begin_object (writer);
  ms_json_writer_key (writer, "id");
  ms_json_writer_int (writer, ms_contact_list_get_id (list));
  ms_json_writer_key (writer, "name");
  ms_json_writer_string (writer, ms_contact_list_get_name (list));
  ms_json_writer_key (writer, "member_count");
  ms_json_writer_int (writer, ms_contact_list_get_member_count (list));
  ms_json_writer_end_object (writer);
}

static void
print_list_json (MsCli         *cli,
                 MsContactList *list)
{
  g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

  write_list_json (writer, list);
  ms_cli_print_json (cli, writer);
}

/* Runs @work inside a transaction, rolled back on failure. */
static gboolean
in_transaction (MsStore   *store,
                gboolean (*work) (MsStore *, gpointer, GError **),
                gpointer   data,
                GError   **error)
{
  if (!ms_store_begin (store, error))
    return FALSE;
  if (!work (store, data, error) || !ms_store_commit (store, error))
    {
      if (ms_store_in_transaction (store))
        ms_store_rollback (store);
      return FALSE;
    }
  return TRUE;
}

static int
run_list (MsCli           *cli,
          const MsCliArgs *args)
{
  g_autoptr(GPtrArray) lists = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error)) || !(lists = ms_store_list_lists (store, &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_array (writer);
      for (guint i = 0; i < lists->len; i++)
        write_list_json (writer, g_ptr_array_index (lists, i));
      ms_json_writer_end_array (writer);
      ms_cli_print_json (cli, writer);
    }
  else
    {
      for (guint i = 0; i < lists->len; i++)
        {
          MsContactList *list = g_ptr_array_index (lists, i);

          ms_cli_print (cli, "%s\t%" PRId64 "\n", ms_contact_list_get_name (list),
                        ms_contact_list_get_member_count (list));
        }
    }
  return MS_CLI_EXIT_OK;
}

static int
run_create (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(list = ms_store_create_list (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    print_list_json (cli, list);
  else
    ms_cli_print (cli, _("Created the list “%s”.\n"), ms_contact_list_get_name (list));
  return MS_CLI_EXIT_OK;
}

static int
run_rename (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(MsContactList) renamed = NULL;
  g_autoptr(GError) error = NULL;
  const char *new_name = ms_cli_args_get_positional (args, 1);
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(list = ms_store_find_list (store, ms_cli_args_get_positional (args, 0), &error))
      || !ms_store_rename_list (store, ms_contact_list_get_id (list), new_name, &error)
      || !(renamed = ms_store_get_list (store, ms_contact_list_get_id (list), &error)))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    print_list_json (cli, renamed);
  else
    ms_cli_print (cli, _("Renamed the list “%s” to “%s”.\n"), ms_contact_list_get_name (list),
                  ms_contact_list_get_name (renamed));
  return MS_CLI_EXIT_OK;
}

static int
run_delete (MsCli           *cli,
            const MsCliArgs *args)
{
  g_autoptr(MsContactList) list = NULL;
  g_autoptr(GError) error = NULL;
  MsStore *store;

  if (!(store = ms_cli_get_store (cli, &error))
      || !(list = ms_store_find_list (store, ms_cli_args_get_positional (args, 0), &error))
      || !ms_store_delete_list (store, ms_contact_list_get_id (list), &error))
    return ms_cli_fail (cli, error);

  if (ms_cli_get_json (cli))
    print_list_json (cli, list);
  else
    ms_cli_print (cli, _("Deleted the list “%s”; its contacts were kept.\n"),
                  ms_contact_list_get_name (list));
  return MS_CLI_EXIT_OK;
}

typedef struct
{
  gint64       list_id;
  GPtrArray   *addresses;      /* normalised */
  gboolean     create_missing;
  guint        created;
} MemberJob;

static gboolean
change_members (MsStore  *store,
                gpointer  data,
                GError  **error)
{
  MemberJob *job = data;
  g_autoptr(GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));

  for (guint i = 0; i < job->addresses->len; i++)
    {
      const char *address = g_ptr_array_index (job->addresses, i);
      gint64 id = 0;

      if (job->create_missing)
        {
          MsUpsertResult result;

          if (!ms_store_upsert_contact (store, address, NULL, NULL, NULL, NULL, FALSE,
                                        &id, &result, error))
            return FALSE;
          if (result == MS_UPSERT_INSERTED)
            job->created++;
        }
      else
        {
          g_autoptr(MsContact) contact = ms_store_find_contact (store, address, error);

          if (contact == NULL)
            return FALSE;
          id = ms_contact_get_id (contact);
        }
      g_array_append_val (ids, id);
    }

  if (job->create_missing)
    return ms_store_add_list_members (store, job->list_id, &g_array_index (ids, gint64, 0),
                                      ids->len, error);
  return ms_store_remove_list_members (store, job->list_id, &g_array_index (ids, gint64, 0),
                                       ids->len, error);
}

static void
print_members_result (MsCli         *cli,
                      MsContactList *list,
                      gboolean       added,
                      guint          changed,
                      guint          created)
{
  if (ms_cli_get_json (cli))
    {
      g_autoptr(MsJsonWriter) writer = ms_json_writer_new (TRUE);

      ms_json_writer_begin_object (writer);
      ms_json_writer_key (writer, "list");
      ms_json_writer_string (writer, ms_contact_list_get_name (list));
      ms_json_writer_key (writer, added ? "added" : "removed");
      ms_json_writer_int (writer, changed);
      if (added)
        {
          ms_json_writer_key (writer, "created_contacts");
          ms_json_writer_int (writer, created);
        }
      ms_json_writer_key (writer, "member_count");
      ms_json_writer_int (writer, ms_contact_list_get_member_count (list));
      ms_json_writer_end_object (writer);
      ms_cli_print_json (cli, writer);
    }
  else if (added)
    {
      ms_cli_print (cli, ngettext ("Added %u contact to “%s”", "Added %u contacts to “%s”",
                                   changed),
                    changed, ms_contact_list_get_name (list));
      if (created > 0)
        ms_cli_print (cli, ngettext (" (%u of them new)", " (%u of them new)", created), created);
      ms_cli_write (cli, ".\n", -1);
    }
  else
    {
      ms_cli_print (cli, ngettext ("Removed %u contact from “%s”.\n",
                                   "Removed %u contacts from “%s”.\n", changed),
                    changed, ms_contact_list_get_name (list));
    }
}

static int
run_members (MsCli           *cli,
             const MsCliArgs *args,
             gboolean         add)
{
  g_autoptr(MsContactList) before = NULL;
  g_autoptr(MsContactList) after = NULL;
  g_autoptr(GPtrArray) addresses = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  MemberJob job = { 0 };
  MsStore *store;
  gint64 delta;

  /* Addresses are checked before the database is touched. */
  for (guint i = 1; i < ms_cli_args_get_n_positional (args); i++)
    {
      char *address = ms_cli_normalize_address (ms_cli_args_get_positional (args, i), &error);

      if (address == NULL)
        return ms_cli_fail (cli, error);
      g_ptr_array_add (addresses, address);
    }

  if (!(store = ms_cli_get_store (cli, &error))
      || !(before = ms_store_find_list (store, ms_cli_args_get_positional (args, 0), &error)))
    return ms_cli_fail (cli, error);

  job.list_id = ms_contact_list_get_id (before);
  job.addresses = addresses;
  job.create_missing = add;
  if (!in_transaction (store, change_members, &job, &error)
      || !(after = ms_store_get_list (store, job.list_id, &error)))
    return ms_cli_fail (cli, error);

  delta = ms_contact_list_get_member_count (after) - ms_contact_list_get_member_count (before);
  print_members_result (cli, after, add, (guint) ABS (delta), job.created);
  return MS_CLI_EXIT_OK;
}

static int
run_add (MsCli           *cli,
         const MsCliArgs *args)
{
  return run_members (cli, args, TRUE);
}

static int
run_remove (MsCli           *cli,
            const MsCliArgs *args)
{
  return run_members (cli, args, FALSE);
}

static const MsCliCommand list_command = {
  .name = "list",
  .summary = N_("Show the lists and how many contacts each has"),
  .description = N_("Prints one list a line: name and member count, separated by a tab."),
  .run = run_list,
  .synopsis = "",
  .min_args = 0,
  .max_args = 0,
};

static const MsCliCommand create_command = {
  .name = "create",
  .summary = N_("Create an empty list"),
  .run = run_create,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand rename_command = {
  .name = "rename",
  .summary = N_("Rename a list"),
  .run = run_rename,
  .synopsis = "OLD NEW",
  .min_args = 2,
  .max_args = 2,
};

static const MsCliCommand delete_command = {
  .name = "delete",
  .summary = N_("Delete a list (its contacts are kept)"),
  .run = run_delete,
  .synopsis = "NAME",
  .min_args = 1,
  .max_args = 1,
};

static const MsCliCommand add_command = {
  .name = "add",
  .summary = N_("Add contacts to a list"),
  .description = N_("Addresses that are not contacts yet become new active contacts."),
  .run = run_add,
  .synopsis = "NAME EMAIL…",
  .min_args = 2,
  .max_args = -1,
};

static const MsCliCommand remove_command = {
  .name = "remove",
  .summary = N_("Remove contacts from a list"),
  .description = N_("The contacts themselves are kept. Nothing changes if an address is "
                    "not a contact."),
  .run = run_remove,
  .synopsis = "NAME EMAIL…",
  .min_args = 2,
  .max_args = -1,
};

static const MsCliCommand *const lists_subcommands[] = {
  &list_command,
  &create_command,
  &rename_command,
  &delete_command,
  &add_command,
  &remove_command,
  NULL
};

const MsCliCommand ms_cli_lists_command = {
  .name = "lists",
  .summary = N_("Create, rename and delete lists, add and remove members"),
  .subcommands = lists_subcommands,
  .default_subcommand = "list",
};
